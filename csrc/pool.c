/* max_pool2d and avg_pool2d, forward and backward, float32 and float64: see pool_impl.h. */
#include "common.h"

#define PL_T float
#define PL_SFX f32
#include "pool_impl.h"

#define PL_T double
#define PL_SFX f64
#include "pool_impl.h"

/* Is every arg-max index a pixel of the image inside its own window? Returns -1 when all are, else
 * the flat position (in the (NC, OH, OW) array) of the first one that is not. No division: an index
 * is valid when, for one of the window's rows h inside the image, idx - h*W falls in the window's
 * columns clipped to the image. The dispatcher calls this before max_pool2d_backward. The threads
 * split the planes; each finds its planes' first bad position and the smallest wins, so the answer
 * is the same for any thread count. */
static int64_t check_plane(const minidl_pool_shape *s, const int64_t *restrict indices, int64_t plane)
{
    /* the shape in locals, and & | instead of && ||: which window row holds the arg-max is a coin
     * flip, and the short-circuit branches were mispredicted half of the time */
    const int64_t H = s->h, W = s->w, OH = s->oh, OW = s->ow, KH = s->kh, KW = s->kw;
    const int64_t SH = s->sh, SW = s->sw, PH = s->ph, PW = s->pw;
    for (int64_t i = 0; i < OH; i++) {
        const int64_t top = i * SH - PH;
        const int64_t h0 = top > 0 ? top : 0, h1 = minidl_min(top + KH, H);
        const int64_t *row = indices + (plane * OH + i) * OW;
        for (int64_t j = 0; j < OW; j++) {
            const int64_t left = j * SW - PW;
            const int64_t w0 = left > 0 ? left : 0, w1 = minidl_min(left + KW, W);
            const int64_t idx = row[j];
            int ok = 0;
            for (int64_t h = h0; h < h1; h++)
                ok |= (idx >= h * W + w0) & (idx < h * W + w1);
            if (!ok)
                return (plane * OH + i) * OW + j;
        }
    }
    return -1;
}

int64_t minidl_max_pool2d_check_indices(const minidl_pool_shape *s, const int64_t *indices,
                                        int nthreads)
{
    int64_t first = INT64_MAX;
    const int parallel = minidl_team(nthreads) > 1 && s->nc > 1 && s->nc * s->oh * s->ow >= 100000;
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (parallel) reduction(min : first) schedule(static)
    for (int64_t plane = 0; plane < s->nc; plane++) {
        if (plane * s->oh * s->ow > first) /* a bad index earlier in this thread's planes */
            continue;
        const int64_t bad = check_plane(s, indices, plane);
        if (bad >= 0 && bad < first)
            first = bad;
    }
    return first == INT64_MAX ? -1 : first;
}

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
 * columns clipped to the image. The dispatcher calls this before max_pool2d_backward. */
int64_t minidl_max_pool2d_check_indices(const minidl_pool_shape *s, const int64_t *indices)
{
    const int64_t ohw = s->oh * s->ow;
    for (int64_t plane = 0; plane < s->nc; plane++)
        for (int64_t i = 0; i < s->oh; i++) {
            const int64_t top = i * s->sh - s->ph;
            const int64_t h0 = top > 0 ? top : 0, h1 = minidl_min(top + s->kh, s->h);
            for (int64_t j = 0; j < s->ow; j++) {
                const int64_t left = j * s->sw - s->pw;
                const int64_t w0 = left > 0 ? left : 0, w1 = minidl_min(left + s->kw, s->w);
                const int64_t at = plane * ohw + i * s->ow + j, idx = indices[at];
                int ok = 0;
                for (int64_t h = h0; h < h1; h++)
                    ok |= idx >= h * s->w + w0 && idx < h * s->w + w1;
                if (!ok)
                    return at;
            }
        }
    return -1;
}

/* Pooling template, included once per type by pool.c with  PL_T (float/double), PL_SFX (f32/f64).
 *
 * Direct loops over each (n, c) plane; the threads split the planes, so no two threads ever write
 * the same gradient element. A window is clipped to the image: padding adds nothing to a sum and
 * never wins a max (it counts as -inf), but avg_pool2d still divides by KH*KW (count_include_pad).
 */
#define PL_CAT_(x, y) x##y
#define PL_CAT(x, y) PL_CAT_(x, y)
#define PL_NAME(name) PL_CAT(PL_CAT(minidl_, name), PL_CAT(_, PL_SFX))
#define PL_LOCAL(name) PL_CAT(name, PL_SFX)


#ifndef PL_PARALLEL
/* Worth a second thread from about 100 000 window reads on (~50 us of work; waking it costs ~10). */
#define PL_PARALLEL(s, nthreads)                                                                   \
    (minidl_team(nthreads) > 1 && (s)->nc > 1 && (double)(s)->nc * (s)->oh * (s)->ow * (s)->kh * (s)->kw >= 1e5)
#endif

/* The window of output (i, j), clipped to the image: rows [h0, h1), columns [w0, w1). */
#define PL_WINDOW                                                                                  \
    const int64_t h0 = i * s->sh - s->ph > 0 ? i * s->sh - s->ph : 0;                              \
    const int64_t h1 = minidl_min(i * s->sh - s->ph + s->kh, s->h);                                \
    const int64_t w0 = j * s->sw - s->pw > 0 ? j * s->sw - s->pw : 0;                              \
    const int64_t w1 = minidl_min(j * s->sw - s->pw + s->kw, s->w)

/* One plane, row by row: for output row i, start each y[i, j] at its window's first real pixel, then
 * sweep the window's offsets (p, q) in row-major order, each as one pass along j over a run of the
 * input row (y[i, j] vs x[i*sh + p - ph, j*sw + q - pw] for the j whose column is inside the image).
 * The pass has no bounds tests and no per-pixel window arithmetic; the order of the offsets is the
 * window's, so a tie keeps the first position and the first NaN wins and stays, exactly as a
 * pixel-by-pixel scan. The shape is copied into locals: through the pointer (or the OpenMP region's
 * shared struct) the compiler must assume the stores into y change it, and re-reads it per pixel. */
static void PL_LOCAL(max_plane_)(const minidl_pool_shape *s, const PL_T *restrict xp,
                                 PL_T *restrict yp, int64_t *restrict ip)
{
    const int64_t H = s->h, W = s->w, OH = s->oh, OW = s->ow, KH = s->kh, KW = s->kw;
    const int64_t SH = s->sh, SW = s->sw, PH = s->ph, PW = s->pw;
    for (int64_t i = 0; i < OH; i++) {
        PL_T *yr = yp + i * OW;
        int64_t *ir = ip + i * OW;
        const int64_t top = i * SH - PH;
        const int64_t h0 = top > 0 ? top : 0, h1 = minidl_min(top + KH, H);
        /* Python guarantees padding <= kernel/2, so every window holds a real pixel: its first one
         * (row h0, column max(left, 0)) starts the max, so padding never wins, not even an all -inf
         * window */
        for (int64_t j = 0; j < OW; j++) {
            const int64_t left = j * SW - PW, w0 = left > 0 ? left : 0;
            yr[j] = xp[h0 * W + w0];
            ir[j] = h0 * W + w0;
        }
        for (int64_t h = h0; h < h1; h++)
            for (int64_t q = 0; q < KW; q++) {
                /* output columns [j0, j1) read input column j*SW + off inside [0, W) */
                const int64_t off = q - PW;
                const int64_t j0 = off >= 0 ? 0 : (-off + SW - 1) / SW;
                const int64_t j1 = minidl_min(W - off <= 0 ? 0 : (W - off + SW - 1) / SW, OW);
                const PL_T *xr = xp + h * W + off;
                const int64_t base = h * W + off;
                for (int64_t j = j0; j < j1; j++) {
                    const PL_T v = xr[j * SW], b = yr[j];
                    /* strictly greater: ties keep the first; a NaN wins once, like argmax. Selects,
                     * not a branch: on real data the test is a coin flip */
                    const int take = (v > b) | ((v != v) & (b == b));
                    yr[j] = take ? v : b;
                    ir[j] = take ? base + j * SW : ir[j];
                }
            }
    }
}

/* The common 2x2 window with stride 2 and no padding (LeNet, most small CNNs), straight-line: four
 * loads and three compare-selects per output in the window's order, no loop over the window. A plane
 * without NaN (checked first: one vectorised pass) takes plain `v > best` tests, which compile to
 * max and conditional moves; a plane with a NaN takes the NaN-aware tests, which compile to
 * branches. Both keep the first of tied positions and return the same bits. */
static void PL_LOCAL(max_plane_2x2_)(const minidl_pool_shape *s, const PL_T *restrict xp,
                                     PL_T *restrict yp, int64_t *restrict ip)
{
    const int64_t H = s->h, W = s->w, OH = s->oh, OW = s->ow;
    int nan = 0;
    for (int64_t e = 0; e < H * W; e++)
        nan |= xp[e] != xp[e];
    for (int64_t i = 0; i < OH; i++) {
        const PL_T *r0 = xp + 2 * i * W, *r1 = r0 + W;
        for (int64_t j = 0; j < OW; j++) {
            const int64_t at = 2 * i * W + 2 * j;
            PL_T best = r0[2 * j];
            int64_t arg = at;
            const PL_T v[3] = {r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]};
            const int64_t pos[3] = {at + 1, at + W, at + W + 1};
            for (int k = 0; k < 3; k++) {
                const int take = nan ? (v[k] > best) | ((v[k] != v[k]) & (best == best))
                                     : v[k] > best;
                arg = take ? pos[k] : arg;
                best = take ? v[k] : best;
            }
            yp[i * OW + j] = best;
            ip[i * OW + j] = arg;
        }
    }
}

int PL_NAME(max_pool2d_forward)(const minidl_pool_shape *s, const PL_T *x, PL_T *y,
                                int64_t *indices, int nthreads)
{
    const int64_t hw = s->h * s->w, ohw = s->oh * s->ow;
    if (s->kh == 2 && s->kw == 2 && s->sh == 2 && s->sw == 2 && s->ph == 0 && s->pw == 0) {
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (PL_PARALLEL(s, nthreads)) schedule(dynamic, 8)
        for (int64_t plane = 0; plane < s->nc; plane++)
            PL_LOCAL(max_plane_2x2_)(s, x + plane * hw, y + plane * ohw, indices + plane * ohw);
        return MINIDL_OK;
    }
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (PL_PARALLEL(s, nthreads)) schedule(dynamic, 8)
    for (int64_t plane = 0; plane < s->nc; plane++)
        PL_LOCAL(max_plane_)(s, x + plane * hw, y + plane * ohw, indices + plane * ohw);
    return MINIDL_OK;
}

int PL_NAME(max_pool2d_backward)(const minidl_pool_shape *s, const PL_T *gy,
                                  const int64_t *indices, PL_T *gx, int nthreads)
{
    const int64_t hw = s->h * s->w, ohw = s->oh * s->ow;
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (PL_PARALLEL(s, nthreads)) schedule(dynamic, 8)
    for (int64_t plane = 0; plane < s->nc; plane++) {
        PL_T *gxp = gx + plane * hw;
        memset(gxp, 0, (size_t)hw * sizeof(PL_T));
        /* Python checked every index to lie in its window and inside the image, in [0, H*W):
         * an index pointing into another plane would be a heap overflow */
        for (int64_t k = 0; k < ohw; k++)
            gxp[indices[plane * ohw + k]] += gy[plane * ohw + k];
    }
    return MINIDL_OK;
}

int PL_NAME(avg_pool2d_forward)(const minidl_pool_shape *s, const PL_T *x, PL_T *y, int nthreads)
{
    const int64_t hw = s->h * s->w, ohw = s->oh * s->ow;
    const PL_T scale = (PL_T)1 / (PL_T)(s->kh * s->kw);
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (PL_PARALLEL(s, nthreads)) schedule(dynamic, 8)
    for (int64_t plane = 0; plane < s->nc; plane++) {
        const PL_T *xp = x + plane * hw;
        for (int64_t i = 0; i < s->oh; i++)
            for (int64_t j = 0; j < s->ow; j++) {
                PL_WINDOW;
                PL_T sum = 0;
                for (int64_t h = h0; h < h1; h++)
                    for (int64_t w = w0; w < w1; w++)
                        sum += xp[h * s->w + w];
                y[plane * ohw + i * s->ow + j] = sum * scale;
            }
    }
    return MINIDL_OK;
}

int PL_NAME(avg_pool2d_backward)(const minidl_pool_shape *s, const PL_T *gy, PL_T *gx,
                                  int nthreads)
{
    const int64_t hw = s->h * s->w, ohw = s->oh * s->ow;
    const PL_T scale = (PL_T)1 / (PL_T)(s->kh * s->kw);
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (PL_PARALLEL(s, nthreads)) schedule(dynamic, 8)
    for (int64_t plane = 0; plane < s->nc; plane++) {
        PL_T *gxp = gx + plane * hw;
        memset(gxp, 0, (size_t)hw * sizeof(PL_T));
        for (int64_t i = 0; i < s->oh; i++)
            for (int64_t j = 0; j < s->ow; j++) {
                PL_WINDOW;
                const PL_T share = gy[plane * ohw + i * s->ow + j] * scale;
                for (int64_t h = h0; h < h1; h++)
                    for (int64_t w = w0; w < w1; w++)
                        gxp[h * s->w + w] += share;
            }
    }
    return MINIDL_OK;
}

#undef PL_NAME
#undef PL_LOCAL
#undef PL_T
#undef PL_SFX

/* Pooling template, included once per type by pool.c with  PL_T (float/double), PL_SFX (f32/f64).
 *
 * Direct loops over each (n, c) plane; the threads split the planes, so no two threads ever write
 * the same gradient element. A window is clipped to the image: padding adds nothing to a sum and
 * never wins a max (it counts as -inf), but avg_pool2d still divides by KH*KW (count_include_pad).
 */
#define PL_CAT_(x, y) x##y
#define PL_CAT(x, y) PL_CAT_(x, y)
#define PL_NAME(name) PL_CAT(PL_CAT(minidl_, name), PL_CAT(_, PL_SFX))

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

int PL_NAME(max_pool2d_forward)(const minidl_pool_shape *s, const PL_T *x, PL_T *y,
                                 int64_t *indices, int nthreads)
{
    const int64_t hw = s->h * s->w, ohw = s->oh * s->ow;
#pragma omp parallel for num_threads(minidl_team(nthreads)) if (PL_PARALLEL(s, nthreads)) schedule(dynamic, 8)
    for (int64_t plane = 0; plane < s->nc; plane++) {
        const PL_T *xp = x + plane * hw;
        for (int64_t i = 0; i < s->oh; i++)
            for (int64_t j = 0; j < s->ow; j++) {
                PL_WINDOW;
                /* Python guarantees padding <= kernel/2, so the window holds a real pixel; an
                 * all -inf window picks its first pixel inside the image, never the padding */
                int64_t best = h0 * s->w + w0;
                PL_T bv = xp[best];
                for (int64_t h = h0; h < h1; h++)
                    for (int64_t w = w0; w < w1; w++) {
                        const PL_T v = xp[h * s->w + w];
                        /* strictly greater: ties keep the first; a NaN wins once, like argmax */
                        if (v > bv || (v != v && bv == bv)) {
                            best = h * s->w + w;
                            bv = v;
                        }
                    }
                y[plane * ohw + i * s->ow + j] = bv;
                indices[plane * ohw + i * s->ow + j] = best;
            }
    }
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
#undef PL_T
#undef PL_SFX

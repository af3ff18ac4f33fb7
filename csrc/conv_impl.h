/* conv2d template, included once per type by conv.c with
 *   CV_T  float or double     CV_SFX  f32 or f64     CV_GEMM  minidl_sgemm or minidl_dgemm
 *
 * im2col + GEMM, one image at a time (shapes for one image n):
 *   col  (C*KH*KW, OH*OW)   col[(c, p, q), (i, j)] = xpad[c, i*sh + p*dh, j*sw + q*dw]
 *   forward          y_n  (F, OH*OW)      = W (F, C*KH*KW) @ col
 *   grad of input    dcol (C*KH*KW, OH*OW) = W^T @ gy_n,  then gx_n = col2im(dcol)
 *   grad of weight   gW   (F, C*KH*KW)    += gy_n @ col^T   (dot products when gW is small)
 * W^T and col^T are strided views handed to the GEMM, which reads them while packing: no transposes.
 * With at least as many images as threads, threads take whole images (each runs a 1-thread GEMM on
 * its own scratch); otherwise the images run one after another and the GEMM uses the threads.
 * Scratch memory is allocated before the threads start; a failed allocation returns
 * MINIDL_ERR_NOMEM. Results are bit-identical from run to run and for every thread count (see
 * conv2d_backward_weight for the one sum across images).
 */
#define CV_CAT_(x, y) x##y
#define CV_CAT(x, y) CV_CAT_(x, y)
#define CV_NAME(name) CV_CAT(CV_CAT(minidl_, name), CV_CAT(_, CV_SFX))
#define CV_LOCAL(name) CV_CAT(name, CV_SFX)

#ifndef CV_COLUMN_RANGE
#define CV_COLUMN_RANGE
/* For kernel column q: the output columns j in [*j0, *j1) read an input column j*sw + off that lies
 * inside [0, W), where off = q*dw - pw; the others read padding. Computing the range once per row
 * keeps the inner loops free of bounds tests (so they vectorise, or become one memcpy). */
static void minidl_column_range(const minidl_conv_shape *s, int64_t q, int64_t *off, int64_t *j0,
                                int64_t *j1)
{
    *off = q * s->dw - s->pw;
    int64_t lo = *off >= 0 ? 0 : (-*off + s->sw - 1) / s->sw;
    int64_t hi = s->w - *off <= 0 ? 0 : (s->w - *off + s->sw - 1) / s->sw;
    lo = minidl_min(lo, s->ow);
    *j0 = lo;
    *j1 = minidl_min(hi > lo ? hi : lo, s->ow);
}
#endif

/* x_n (C, H, W) -> col (C*KH*KW, OH*OW); zeros where the window hangs over the padding. */
static void CV_LOCAL(im2col_)(const minidl_conv_shape *s, const CV_T *x, CV_T *col)
{
    for (int64_t c = 0; c < s->c; c++)
        for (int64_t p = 0; p < s->kh; p++)
            for (int64_t q = 0; q < s->kw; q++) {
                CV_T *row = col + ((c * s->kh + p) * s->kw + q) * s->oh * s->ow;
                int64_t off, j0, j1;
                minidl_column_range(s, q, &off, &j0, &j1);
                for (int64_t i = 0; i < s->oh; i++) {
                    const int64_t h = i * s->sh + p * s->dh - s->ph;
                    CV_T *dst = row + i * s->ow;
                    if (h < 0 || h >= s->h) {
                        memset(dst, 0, (size_t)s->ow * sizeof(CV_T));
                        continue;
                    }
                    const CV_T *src = x + (c * s->h + h) * s->w + off;
                    for (int64_t j = 0; j < j0; j++)
                        dst[j] = 0;
                    if (s->sw == 1) /* the common case: one contiguous run */
                        memcpy(dst + j0, src + j0, (size_t)(j1 - j0) * sizeof(CV_T));
                    else
                        for (int64_t j = j0; j < j1; j++)
                            dst[j] = src[j * s->sw];
                    for (int64_t j = j1; j < s->ow; j++)
                        dst[j] = 0;
                }
            }
}

/* The adjoint: gx_n (C, H, W) = sum over windows of dcol; gx_n must start at zero. */
static void CV_LOCAL(col2im_)(const minidl_conv_shape *s, const CV_T *col, CV_T *gx)
{
    for (int64_t c = 0; c < s->c; c++)
        for (int64_t p = 0; p < s->kh; p++)
            for (int64_t q = 0; q < s->kw; q++) {
                const CV_T *row = col + ((c * s->kh + p) * s->kw + q) * s->oh * s->ow;
                int64_t off, j0, j1;
                minidl_column_range(s, q, &off, &j0, &j1);
                for (int64_t i = 0; i < s->oh; i++) {
                    const int64_t h = i * s->sh + p * s->dh - s->ph;
                    if (h < 0 || h >= s->h)
                        continue;
                    const CV_T *src = row + i * s->ow;
                    CV_T *dst = gx + (c * s->h + h) * s->w + off;
                    if (s->sw == 1) /* contiguous: vectorises */
                        for (int64_t j = j0; j < j1; j++)
                            dst[j] += src[j];
                    else
                        for (int64_t j = j0; j < j1; j++)
                            dst[j * s->sw] += src[j];
                }
            }
}

/* A 1x1 kernel with stride 1 and no padding reads the image as it is: col == x_n. */
static int CV_LOCAL(is_pointwise_)(const minidl_conv_shape *s)
{
    return s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->ph == 0 && s->pw == 0;
}

/* Threads over images when there are enough images; the rest go to the GEMM inside. Below about a
 * million multiply-adds a second thread costs more (waking it, the barrier) than it saves. */
static void CV_LOCAL(split_threads_)(const minidl_conv_shape *s, int nthreads, int *outer,
                                     int *inner)
{
    const double macs = (double)s->n * s->f * s->oh * s->ow * s->c * s->kh * s->kw;
    nthreads = macs < 1e6 ? 1 : minidl_team(nthreads);
    *outer = s->n >= nthreads ? nthreads : 1;
    *inner = s->n >= nthreads ? 1 : nthreads;
}

#ifdef _OPENMP
#define CV_THREAD omp_get_thread_num()
#else
#define CV_THREAD 0
#endif

int CV_NAME(conv2d_forward)(const minidl_conv_shape *s, const CV_T *x, const CV_T *w,
                            const CV_T *bias, CV_T *y, int nthreads)
{
    const int64_t ckk = s->c * s->kh * s->kw, ohw = s->oh * s->ow;
    const int pointwise = CV_LOCAL(is_pointwise_)(s);
    int outer, inner, failed = 0;
    CV_LOCAL(split_threads_)(s, nthreads, &outer, &inner);
    /* one im2col buffer per thread, allocated before the threads start */
    CV_T *cols = pointwise ? NULL : minidl_alloc(outer * ckk * ohw, sizeof(CV_T));
    if (!pointwise && !cols)
        return MINIDL_ERR_NOMEM;

    /* Images are handed out one at a time (schedule(dynamic)): when another process takes a core
     * away from one thread, the other does more images instead of waiting. Each image's output is
     * computed by one thread in a fixed order, so the result does not depend on who took it. */
#pragma omp parallel num_threads(outer) if (outer > 1)
    {
        CV_T *col = pointwise ? NULL : cols + CV_THREAD * ckk * ohw;
#pragma omp for schedule(dynamic)
        for (int64_t n = 0; n < s->n; n++) {
            const CV_T *xn = x + n * s->c * s->h * s->w;
            CV_T *yn = y + n * s->f * ohw;
            if (!pointwise)
                CV_LOCAL(im2col_)(s, xn, col);
            /* (F, CKK) @ (CKK, OH*OW) -> (F, OH*OW); CKK = 0 (no input channels) gives zeros */
            if (CV_GEMM(s->f, ohw, ckk, w, ckk, 1, pointwise ? xn : col, ohw, 1, yn, ohw, 0, inner))
#pragma omp atomic write
                failed = 1;
            if (bias)
                for (int64_t f = 0; f < s->f; f++)
                    for (int64_t k = 0; k < ohw; k++)
                        yn[f * ohw + k] += bias[f];
        }
    }
    minidl_free(cols);
    return failed ? MINIDL_ERR_NOMEM : MINIDL_OK;
}

int CV_NAME(conv2d_backward_input)(const minidl_conv_shape *s, const CV_T *gy, const CV_T *w,
                                   CV_T *gx, int nthreads)
{
    const int64_t ckk = s->c * s->kh * s->kw, ohw = s->oh * s->ow, chw = s->c * s->h * s->w;
    const int pointwise = CV_LOCAL(is_pointwise_)(s);
    int outer, inner, failed = 0;
    CV_LOCAL(split_threads_)(s, nthreads, &outer, &inner);
    CV_T *dcols = pointwise ? NULL : minidl_alloc(outer * ckk * ohw, sizeof(CV_T));
    if (!pointwise && !dcols)
        return MINIDL_ERR_NOMEM;

#pragma omp parallel num_threads(outer) if (outer > 1)
    {
        CV_T *dcol = pointwise ? NULL : dcols + CV_THREAD * ckk * ohw;
#pragma omp for schedule(dynamic) /* images are independent: see conv2d_forward */
        for (int64_t n = 0; n < s->n; n++) {
            CV_T *gxn = gx + n * chw;
            /* W^T: (CKK, F) view of W with strides (1, CKK);  (CKK, F) @ (F, OH*OW) */
            if (CV_GEMM(ckk, ohw, s->f, w, 1, ckk, gy + n * s->f * ohw, ohw, 1,
                        pointwise ? gxn : dcol, ohw, 0, inner))
#pragma omp atomic write
                failed = 1;
            if (!pointwise) {
                memset(gxn, 0, (size_t)chw * sizeof(CV_T));
                CV_LOCAL(col2im_)(s, dcol, gxn);
            }
        }
    }
    minidl_free(dcols);
    return failed ? MINIDL_ERR_NOMEM : MINIDL_OK;
}

/* The weight gradient sums over images, so it is the one kernel whose threads must combine their
 * work. To make the sum independent of scheduling, and of the thread count too, the images are cut
 * into CV_CHUNKS fixed contiguous chunks (fewer when there are fewer images); chunk k sums its
 * images in order into its own partial dW, whichever thread runs it, and the partials are then
 * added in chunk order. 8 partials of (F, CKK) cost little next to the products themselves. */
#ifndef CV_CHUNKS
#define CV_CHUNKS 8
#endif

int CV_NAME(conv2d_backward_weight)(const minidl_conv_shape *s, const CV_T *gy, const CV_T *x,
                                    CV_T *gw, int nthreads)
{
    const int64_t ckk = s->c * s->kh * s->kw, ohw = s->oh * s->ow, fckk = s->f * ckk;
    const int pointwise = CV_LOCAL(is_pointwise_)(s);
    int outer, inner, failed = 0;
    CV_LOCAL(split_threads_)(s, nthreads, &outer, &inner);
    const int64_t chunks = minidl_min(s->n, CV_CHUNKS);
    CV_T *partial = minidl_alloc(chunks * fckk, sizeof(CV_T));
    CV_T *cols = pointwise ? NULL : minidl_alloc(outer * ckk * ohw, sizeof(CV_T));
    if (!partial || (!pointwise && !cols)) {
        minidl_free(partial);
        minidl_free(cols);
        return MINIDL_ERR_NOMEM;
    }
    /* thin dW (LeNet's first layer: 6 x 25): the unpacked dot-product kernel is ~2.5x faster; from a
     * few thousand entries on, the packed GEMM wins (measured with benchmarks/bench_conv.py) */
    const int dot = fckk <= 1024;

#pragma omp parallel num_threads(outer) if (outer > 1)
    {
        CV_T *col = pointwise ? NULL : cols + CV_THREAD * ckk * ohw;
#pragma omp for schedule(dynamic)
        for (int64_t k = 0; k < chunks; k++) {
            CV_T *mine = partial + k * fckk;
            for (int64_t n = s->n * k / chunks; n < s->n * (k + 1) / chunks; n++) {
                const int first = n == s->n * k / chunks;
                const CV_T *xn = x + n * s->c * s->h * s->w;
                if (!pointwise)
                    CV_LOCAL(im2col_)(s, xn, col);
                const CV_T *gyn = gy + n * s->f * ohw, *cn = pointwise ? xn : col;
                if (dot) /* (F, OH*OW) . (CKK, OH*OW): dot products along OH*OW, no packing */
                    CV_DOT(s->f, ckk, ohw, gyn, ohw, cn, ohw, mine, ckk, !first);
                else if (CV_GEMM(s->f, ckk, ohw, gyn, ohw, 1, cn, 1, ohw, mine, ckk, !first,
                                 inner)) /* col^T: (OH*OW, CKK) view, strides (1, OH*OW) */
#pragma omp atomic write
                    failed = 1;
            }
        }
    }
    for (int64_t e = 0; e < fckk; e++) {
        CV_T sum = partial[e];
        for (int64_t k = 1; k < chunks; k++)
            sum += partial[k * fckk + e];
        gw[e] = sum;
    }
    minidl_free(cols);
    minidl_free(partial);
    return failed ? MINIDL_ERR_NOMEM : MINIDL_OK;
}

int CV_NAME(conv2d_backward_bias)(const minidl_conv_shape *s, const CV_T *gy, CV_T *gb)
{
    const int64_t ohw = s->oh * s->ow;
    for (int64_t f = 0; f < s->f; f++)
        gb[f] = 0;
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t f = 0; f < s->f; f++) {
            const CV_T *g = gy + (n * s->f + f) * ohw;
            CV_T sum = 0;
#pragma omp simd reduction(+ : sum)
            for (int64_t k = 0; k < ohw; k++)
                sum += g[k];
            gb[f] += sum;
        }
    return MINIDL_OK;
}

#undef CV_NAME
#undef CV_LOCAL
#undef CV_T
#undef CV_SFX
#undef CV_GEMM
#undef CV_DOT
#undef CV_THREAD

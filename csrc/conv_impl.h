/* conv2d template, included once per type by conv.c with
 *   CV_T  float or double     CV_SFX  f32 or f64     CV_GEMM  minidl_sgemm or minidl_dgemm
 *
 * im2col + GEMM over *chunks* of nb images side by side (shapes; P = OH*OW, nb*P columns):
 *   col  (C*KH*KW, nb*P)   col[(c, p, q), (m, i, j)] = xpad[n0 + m, c, i*sh + p*dh, j*sw + q*dw]
 *   forward          Y    (F, nb*P)       = W (F, C*KH*KW) @ col, then scattered to y[n0 + m]
 *   grad of input    dcol (C*KH*KW, nb*P) = W^T @ GY,  then gx[n0 + m] = col2im(dcol's block m)
 *   grad of weight   gW   (F, C*KH*KW)   += GY @ col^T   (dot products when gW is small)
 * where GY (F, nb*P) gathers gy[n0 .. n0+nb). Per image the matrices of a small convolution are
 * tiny (LeNet's second layer: 16 x 150 @ 150 x 100): one GEMM per image packs W every time, runs
 * mostly edge tiles and, for the weight gradient, sums only P = 100 products per call. A chunk sized
 * to stay in L2 (CV_CHUNK_BYTES) gives the GEMM wide matrices and long sums instead.
 * W^T and col^T are strided views handed to the GEMM, which reads them while packing: no transposes.
 * With at least as many chunks as threads, threads take whole chunks (each runs a 1-thread GEMM on
 * its own scratch); otherwise the chunks run one after another and the GEMM uses the threads.
 * Scratch memory is allocated before the threads start; a failed allocation returns
 * MINIDL_ERR_NOMEM. The chunking depends on the shapes only, never on the thread count, and every
 * output element is computed by one thread in a fixed order: results are bit-identical from run to
 * run and for every thread count (see conv2d_backward_weight for the one sum across images).
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

/* x_n (C, H, W) -> col (C*KH*KW, OH*OW) with row stride ld; zeros where the window hangs over the
 * padding. The shape is read into locals (through the pointer, the compiler must assume that the
 * stores into col change it), and the runs are copied by loops, not memcpy: a LeNet row is 10 floats,
 * and memcpy's call cost was a third of the time (the attribute keeps GCC from turning the loops back
 * into memcpy calls). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static void CV_LOCAL(im2col_)(const minidl_conv_shape *s, const CV_T *restrict x,
                              CV_T *restrict col, int64_t ld)
{
    const int64_t C = s->c, H = s->h, W = s->w, KH = s->kh, KW = s->kw, OH = s->oh, OW = s->ow;
    const int64_t SH = s->sh, SW = s->sw, PH = s->ph, DH = s->dh;
    /* kernel column q outermost: its column range (two divisions) once per q, not per row of
     * col; on tiny images (the digits CNN's 4x4) the divisions were a sixth of im2col's time */
    for (int64_t q = 0; q < KW; q++) {
        int64_t off, j0, j1;
        minidl_column_range(s, q, &off, &j0, &j1);
        for (int64_t c = 0; c < C; c++)
            for (int64_t p = 0; p < KH; p++) {
                CV_T *row = col + ((c * KH + p) * KW + q) * ld;
                for (int64_t i = 0; i < OH; i++) {
                    const int64_t h = i * SH + p * DH - PH;
                    CV_T *dst = row + i * OW;
                    if (h < 0 || h >= H) {
                        for (int64_t j = 0; j < OW; j++)
                            dst[j] = 0;
                        continue;
                    }
                    const CV_T *src = x + (c * H + h) * W + off;
                    for (int64_t j = 0; j < j0; j++)
                        dst[j] = 0;
                    if (SW == 1) /* the common case: one contiguous run */
                        for (int64_t j = j0; j < j1; j++)
                            dst[j] = src[j];
                    else
                        for (int64_t j = j0; j < j1; j++)
                            dst[j] = src[j * SW];
                    for (int64_t j = j1; j < OW; j++)
                        dst[j] = 0;
                }
            }
    }
}

/* The adjoint: gx_n (C, H, W) = sum over windows of dcol (row stride ld); gx_n must start at 0.
 * The shape in locals and restrict pointers, for the same reason as im2col_: so that the inner loop
 * is not re-reading *s after every store into gx, and vectorises. */
static void CV_LOCAL(col2im_)(const minidl_conv_shape *s, const CV_T *restrict col, int64_t ld,
                              CV_T *restrict gx)
{
    const int64_t C = s->c, H = s->h, W = s->w, KH = s->kh, KW = s->kw, OH = s->oh, OW = s->ow;
    const int64_t SH = s->sh, SW = s->sw, PH = s->ph, DH = s->dh;
    for (int64_t q = 0; q < KW; q++) { /* q outermost, as in im2col_ */
        int64_t off, j0, j1;
        minidl_column_range(s, q, &off, &j0, &j1);
        for (int64_t c = 0; c < C; c++)
            for (int64_t p = 0; p < KH; p++) {
                const CV_T *row = col + ((c * KH + p) * KW + q) * ld;
                for (int64_t i = 0; i < OH; i++) {
                    const int64_t h = i * SH + p * DH - PH;
                    if (h < 0 || h >= H)
                        continue;
                    const CV_T *src = row + i * OW;
                    CV_T *dst = gx + (c * H + h) * W + off;
                    if (SW == 1) /* contiguous: vectorises */
                        for (int64_t j = j0; j < j1; j++)
                            dst[j] += src[j];
                    else
                        for (int64_t j = j0; j < j1; j++)
                            dst[j * SW] += src[j];
                }
            }
    }
}

/* A 1x1 kernel with stride 1 and no padding reads the image as it is: col == x_n. */
static int CV_LOCAL(is_pointwise_)(const minidl_conv_shape *s)
{
    return s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->ph == 0 && s->pw == 0;
}

#ifndef CV_CHUNK_BYTES
/* a chunk's col and gathered gy together stay below this (half of a 512 KB L2, so it transfers to
 * smaller caches than this machine's); a larger image is a chunk of its own */
#define CV_CHUNK_BYTES (256 * 1024)
#endif

/* Images per chunk: from the shapes only (so never from the thread count). A 1x1 kernel with stride
 * 1 and no padding reads each image as it is (col == x_n): chunks of one image, no im2col. */
static int64_t CV_LOCAL(chunk_images_)(const minidl_conv_shape *s)
{
    if (CV_LOCAL(is_pointwise_)(s))
        return 1;
    const int64_t per_image = (s->c * s->kh * s->kw + s->f) * s->oh * s->ow * (int64_t)sizeof(CV_T);
    const int64_t nb = per_image > 0 ? CV_CHUNK_BYTES / per_image : s->n;
    return nb < 1 ? 1 : nb > s->n ? s->n : nb;
}

/* Threads over chunks when there are enough of them; the rest go to the GEMM inside. Below about a
 * million multiply-adds a second thread costs more (waking it, the barrier) than it saves. */
static void CV_LOCAL(split_threads_)(const minidl_conv_shape *s, int64_t chunks, int nthreads,
                                     int *outer, int *inner)
{
    const double macs = (double)s->n * s->f * s->oh * s->ow * s->c * s->kh * s->kw;
    nthreads = macs < 1e6 ? 1 : minidl_team(nthreads);
    *outer = chunks >= nthreads ? nthreads : 1;
    *inner = chunks >= nthreads ? 1 : nthreads;
}

/* gy[n0 .. n0+nb) (each (F, P)) -> g (F, nb*P): the chunk's output gradient as one matrix */
static void CV_LOCAL(gather_gy_)(const minidl_conv_shape *s, const CV_T *gy, int64_t n0, int64_t nb,
                                 CV_T *g)
{
    const int64_t ohw = s->oh * s->ow;
    for (int64_t m = 0; m < nb; m++)
        for (int64_t f = 0; f < s->f; f++)
            memcpy(g + f * nb * ohw + m * ohw, gy + ((n0 + m) * s->f + f) * ohw,
                   (size_t)ohw * sizeof(CV_T));
}


int CV_NAME(conv2d_forward)(const minidl_conv_shape *s, const CV_T *x, const CV_T *w,
                            const CV_T *bias, CV_T *y, int nthreads)
{
    if (CV_LOCAL(shifted_fits_)(s)) /* stride 1: no im2col at all (conv_shifted.h) */
        return CV_LOCAL(conv_shifted_)(s, x, w, bias, y, nthreads);
    const int64_t ckk = s->c * s->kh * s->kw, ohw = s->oh * s->ow, chw = s->c * s->h * s->w;
    const int pointwise = CV_LOCAL(is_pointwise_)(s);
    const int64_t nb = CV_LOCAL(chunk_images_)(s), chunks = (s->n + nb - 1) / nb;
    const int64_t cols = nb * ohw, scratch_size = pointwise ? 0 : (ckk + s->f) * cols;
    int outer, inner, failed = 0;
    CV_LOCAL(split_threads_)(s, chunks, nthreads, &outer, &inner);
    /* per thread: the chunk's col (CKK, nb*P), then its output Y (F, nb*P) */
    CV_T *scratch = minidl_alloc(outer * scratch_size, sizeof(CV_T));
    if (!scratch)
        return MINIDL_ERR_NOMEM;

    /* Chunks are handed out one at a time (schedule(dynamic)): when another process takes a core
     * away from one thread, the other does more chunks instead of waiting. Each output is computed
     * by one thread in a fixed order, so the result does not depend on who took it. */
#pragma omp parallel num_threads(outer) if (outer > 1)
    {
        CV_T *col = scratch + minidl_thread_num() * scratch_size, *out = col + ckk * cols;
#pragma omp for schedule(dynamic)
        for (int64_t k = 0; k < chunks; k++) {
            const int64_t n0 = k * nb, m_end = minidl_min(nb, s->n - n0), width = m_end * ohw;
            int status;
            if (pointwise) /* (F, C) @ x_n (C, P), straight into y_n */
                status = CV_GEMM(s->f, ohw, ckk, w, ckk, 1, x + n0 * chw, ohw, 1, y + n0 * s->f * ohw,
                                 ohw, 0, inner);
            else {
                for (int64_t m = 0; m < m_end; m++)
                    CV_LOCAL(im2col_)(s, x + (n0 + m) * chw, col + m * ohw, width);
                /* (F, CKK) @ (CKK, nb*P) -> (F, nb*P); CKK = 0 (no input channels) gives zeros */
                status = CV_GEMM(s->f, width, ckk, w, ckk, 1, col, width, 1, out, width, 0, inner);
                for (int64_t m = 0; m < m_end; m++)
                    for (int64_t f = 0; f < s->f; f++)
                        memcpy(y + ((n0 + m) * s->f + f) * ohw, out + f * width + m * ohw,
                               (size_t)ohw * sizeof(CV_T));
            }
            if (status)
#pragma omp atomic write
                failed = 1;
            if (bias)
                for (int64_t m = 0; m < m_end; m++)
                    for (int64_t f = 0; f < s->f; f++) {
                        CV_T *yr = y + ((n0 + m) * s->f + f) * ohw;
                        for (int64_t e = 0; e < ohw; e++)
                            yr[e] += bias[f];
                    }
        }
    }
    minidl_free(scratch);
    return failed ? MINIDL_ERR_NOMEM : MINIDL_OK;
}

int CV_NAME(conv2d_backward_input)(const minidl_conv_shape *s, const CV_T *gy, const CV_T *w,
                                   CV_T *gx, int nthreads)
{
    const int shifted = CV_LOCAL(conv_input_shifted_)(s, gy, w, gx, nthreads);
    if (shifted >= 0) /* stride 1: a convolution of gy, no col2im (conv_shifted.h) */
        return shifted;
    const int64_t ckk = s->c * s->kh * s->kw, ohw = s->oh * s->ow, chw = s->c * s->h * s->w;
    const int pointwise = CV_LOCAL(is_pointwise_)(s);
    const int64_t nb = CV_LOCAL(chunk_images_)(s), chunks = (s->n + nb - 1) / nb;
    const int64_t cols = nb * ohw, scratch_size = pointwise ? 0 : (ckk + s->f) * cols;
    int outer, inner, failed = 0;
    CV_LOCAL(split_threads_)(s, chunks, nthreads, &outer, &inner);
    /* per thread: dcol (CKK, nb*P), then the gathered gradient GY (F, nb*P) */
    CV_T *scratch = minidl_alloc(outer * scratch_size, sizeof(CV_T));
    if (!scratch)
        return MINIDL_ERR_NOMEM;

#pragma omp parallel num_threads(outer) if (outer > 1)
    {
        CV_T *dcol = scratch + minidl_thread_num() * scratch_size, *g = dcol + ckk * cols;
#pragma omp for schedule(dynamic) /* chunks are independent: see conv2d_forward */
        for (int64_t k = 0; k < chunks; k++) {
            const int64_t n0 = k * nb, m_end = minidl_min(nb, s->n - n0), width = m_end * ohw;
            int status;
            /* W^T: (CKK, F) view of W with strides (1, CKK) */
            if (pointwise) /* (C, F) @ gy_n (F, P), straight into gx_n */
                status = CV_GEMM(ckk, ohw, s->f, w, 1, ckk, gy + n0 * s->f * ohw, ohw, 1,
                                 gx + n0 * chw, ohw, 0, inner);
            else {
                CV_LOCAL(gather_gy_)(s, gy, n0, m_end, g);
                /* (CKK, F) @ (F, nb*P) -> dcol (CKK, nb*P) */
                status = CV_GEMM(ckk, width, s->f, w, 1, ckk, g, width, 1, dcol, width, 0, inner);
                for (int64_t m = 0; m < m_end; m++) {
                    CV_T *gxn = gx + (n0 + m) * chw;
                    memset(gxn, 0, (size_t)chw * sizeof(CV_T));
                    CV_LOCAL(col2im_)(s, dcol + m * ohw, width, gxn);
                }
            }
            if (status)
#pragma omp atomic write
                failed = 1;
        }
    }
    minidl_free(scratch);
    return failed ? MINIDL_ERR_NOMEM : MINIDL_OK;
}

/* The weight gradient sums over images, so it is the one kernel whose threads must combine their
 * work. To make the sum independent of scheduling, and of the thread count too, the images are cut
 * into CV_GROUPS fixed contiguous groups (fewer when there are fewer images); group k sums its
 * chunks in order into its own partial dW, whichever thread runs it, and the partials are then
 * added in group order. 8 partials of (F, CKK) cost little next to the products themselves. */
#ifndef CV_GROUPS
#define CV_GROUPS 8
#endif

int CV_NAME(conv2d_backward_weight)(const minidl_conv_shape *s, const CV_T *gy, const CV_T *x,
                                    CV_T *gw, int nthreads)
{
    const int shifted = CV_LOCAL(conv_weight_shifted_)(s, gy, x, gw, nthreads);
    if (shifted >= 0) /* stride 1: dot products with windows of x, no im2col (conv_shifted.h) */
        return shifted;
    const int64_t ckk = s->c * s->kh * s->kw, ohw = s->oh * s->ow, fckk = s->f * ckk;
    const int64_t chw = s->c * s->h * s->w;
    const int pointwise = CV_LOCAL(is_pointwise_)(s);
    const int64_t groups = minidl_min(s->n, CV_GROUPS), nb = CV_LOCAL(chunk_images_)(s);
    const int64_t cols = nb * ohw, scratch_size = pointwise ? 0 : (ckk + s->f) * cols;
    int outer, inner, failed = 0;
    CV_LOCAL(split_threads_)(s, groups, nthreads, &outer, &inner);
    CV_T *partial = minidl_alloc(groups * fckk, sizeof(CV_T));
    /* per thread: the chunk's col (CKK, nb*P), then its gathered gradient GY (F, nb*P) */
    CV_T *scratch = minidl_alloc(outer * scratch_size, sizeof(CV_T));
    if (!partial || !scratch) {
        minidl_free(partial);
        minidl_free(scratch);
        return MINIDL_ERR_NOMEM;
    }
    /* thin dW (LeNet's first layer: 6 x 25): the unpacked dot-product kernel is ~2.5x faster; from a
     * few thousand entries on, the packed GEMM wins (measured with benchmarks/bench_conv.py) */
    const int dot = fckk <= 1024;

#pragma omp parallel num_threads(outer) if (outer > 1)
    {
        CV_T *col = scratch + minidl_thread_num() * scratch_size, *g = col + ckk * cols;
#pragma omp for schedule(dynamic)
        for (int64_t k = 0; k < groups; k++) {
            CV_T *mine = partial + k * fckk;
            const int64_t lo = s->n * k / groups, hi = s->n * (k + 1) / groups;
            for (int64_t n0 = lo; n0 < hi; n0 += nb) { /* the group's chunks, in order */
                const int64_t m_end = minidl_min(nb, hi - n0), width = m_end * ohw;
                const CV_T *a = g, *b = col; /* GY (F, nb*P) and col (CKK, nb*P) */
                if (pointwise) { /* chunks of one image: gy_n and x_n as they are */
                    a = gy + n0 * s->f * ohw;
                    b = x + n0 * chw;
                } else {
                    CV_LOCAL(gather_gy_)(s, gy, n0, m_end, g);
                    for (int64_t m = 0; m < m_end; m++)
                        CV_LOCAL(im2col_)(s, x + (n0 + m) * chw, col + m * ohw, width);
                }
                const int add = n0 > lo;
                if (dot) /* (F, nb*P) . (CKK, nb*P): dot products along nb*P, no packing */
                    CV_DOT(s->f, ckk, width, a, width, b, width, NULL, mine, ckk, add);
                else if (CV_GEMM(s->f, ckk, width, a, width, 1, b, 1, width, mine, ckk, add,
                                 inner)) /* col^T: (nb*P, CKK) view, strides (1, nb*P) */
#pragma omp atomic write
                    failed = 1;
            }
        }
    }
    CV_LOCAL(sum_groups_)(partial, groups, fckk, gw);
    minidl_free(scratch);
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
#undef CV_UKR
#undef CV_KERNEL

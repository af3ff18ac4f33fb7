/* Stride-1 convolution as a GEMM over shifted windows, with no im2col. Included once per type by
 * conv.c (before conv_impl.h, which calls it) with CV_T, CV_SFX and
 *   CV_UKR   the micro-kernel type     CV_KERNEL  its choice for M rows (minidl_?gemm_kernel)
 *
 * im2col copies every input value KH*KW times, in runs of OW values (10 floats in LeNet): for a small
 * convolution that copying costs more than the multiplication. With stride 1 it can be avoided.
 * Lay a chunk of nb padded images side by side, row by row, in one buffer
 *     xb[c][h][m*Wp + w]          (C planes of Hp rows of R = nb*Wp values; Hp, Wp: padded sizes)
 * and number the output positions the same way, t = i*R + m*Wp + j. Then the im2col row of kernel
 * tap k = (c, p, q) is one contiguous run of the buffer:
 *     col[k][t] = xb[off[k] + t],      off[k] = c*Hp*R + p*dh*R + q*dw,
 * so the micro-kernel can read the rows of B in place (gemm_ukernel.h's `shifted` kernel), and
 *     Yb (F, OH*R) = W (F, C*KH*KW) @ col
 * is a GEMM whose B is never copied. The price: the positions with j >= OW (they straddle two
 * images, or the padding) are computed and thrown away, a fraction 1 - OW/Wp of the work (29% for
 * LeNet's 16@5x5 on 14x14, 6% for a 3x3 'same' conv on 32x32); measured faster nonetheless
 * wherever the kernel has more than a few taps (benchmarks/bench_conv.py).
 * Every output element is one sum over k in a fixed order (k-blocks in order, then the kernel's
 * loop), computed by one thread: the result depends neither on the chunking nor on the threads.
 */
#define CS_CAT_(x, y) x##y
#define CS_CAT(x, y) CS_CAT_(x, y)
#define CS_LOCAL(name) CS_CAT(name, CV_SFX)

#ifndef CV_GROUPS
#define CV_GROUPS 8 /* fixed groups of images for the weight gradient's sum (see conv_impl.h) */
#endif
#ifndef CS_KC
#define CS_KC 256               /* k-block: a KC x NR sliver of the buffer stays in L1 */
#define CS_CHUNK_BYTES (256 * 1024) /* a chunk's buffer and output together stay in L2 */
#define CS_MAX_A_BYTES (512 * 1024) /* packed weights re-read for every tile: keep them in L2 */
#endif

/* Can the shifted-window path run this convolution? Stride 1 only (a stride s would make the
 * rows of col strided), kernels of more than a few taps (below that the micro-kernel's k loop is
 * too short to pay for its stores), and weights small enough to stay in L2. */
static int CS_LOCAL(shifted_fits_)(const minidl_conv_shape *s)
{
    const int64_t ckk = s->c * s->kh * s->kw;
    return s->sh == 1 && s->sw == 1 && s->kh * s->kw > 1 && ckk >= 8 &&
           (double)(s->f + 16) * ckk * sizeof(CV_T) <= CS_MAX_A_BYTES;
}

/* Chunk k of nb images, padded, side by side: xb[c][h][m*Wp + w] (see the top of this file). A
 * short last chunk leaves zeros, and so do the padding and the tail the last tile reads. */
static void CS_LOCAL(fill_chunk_)(const minidl_conv_shape *s, const CV_T *x, int64_t n0,
                                  int64_t m_end, int64_t R, int64_t xb_size, CV_T *xb)
{
    const int64_t C = s->c, H = s->h, W = s->w, Hp = H + 2 * s->ph, Wp = W + 2 * s->pw;
    memset(xb, 0, (size_t)xb_size * sizeof(CV_T));
    for (int64_t c = 0; c < C; c++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t m = 0; m < m_end; m++)
                memcpy(xb + (c * Hp + h + s->ph) * R + m * Wp + s->pw,
                       x + (((n0 + m) * C + c) * H + h) * W, (size_t)W * sizeof(CV_T));
}

/* off[k] for the kernel taps k = (c, p, q): where im2col's row k starts in the chunk buffer */
static void CS_LOCAL(offsets_)(const minidl_conv_shape *s, int64_t R, int64_t *off)
{
    const int64_t Hp = s->h + 2 * s->ph;
    for (int64_t c = 0; c < s->c; c++)
        for (int64_t p = 0; p < s->kh; p++)
            for (int64_t q = 0; q < s->kw; q++)
                off[(c * s->kh + p) * s->kw + q] = c * Hp * R + p * s->dh * R + q * s->dw;
}

/* y (N, F, OH, OW) = conv(x (N, C, H, W), w (F, C*KH*KW)) + bias, stride 1 (shifted_fits_). */
static int CS_LOCAL(conv_shifted_)(const minidl_conv_shape *s, const CV_T *x, const CV_T *w,
                                   const CV_T *bias, CV_T *y, int nthreads)
{
    const int64_t C = s->c, H = s->h, W = s->w, F = s->f, OH = s->oh, OW = s->ow;
    const int64_t Hp = H + 2 * s->ph, Wp = W + 2 * s->pw, ckk = C * s->kh * s->kw;
    const CV_UKR *uk = CV_KERNEL(F);
    const int64_t mr = uk->mr, nr = uk->nr, fpad = (F + mr - 1) / mr * mr;

    /* threads: only when each gets tens of microseconds (as in the GEMM); chunks of nb images,
     * at least one per thread, each within the L2 budget */
    const double macs = (double)s->n * fpad * ckk * OH * Wp;
    const int nt = macs < 4e6 ? 1 : minidl_team(nthreads);
    const int64_t per_image = (C * Hp + fpad * OH) * Wp * (int64_t)sizeof(CV_T);
    int64_t nb = minidl_min(CS_CHUNK_BYTES / per_image, (s->n + nt - 1) / nt);
    nb = nb < 1 ? 1 : nb;
    const int64_t chunks = (s->n + nb - 1) / nb, R = nb * Wp, T = OH * R;
    const int64_t tpad = (T + nr - 1) / nr * nr; /* positions, in whole tiles */
    /* the last tile reads up to off[ckk-1] + tpad: the planes, then a zero tail */
    const int64_t xb_size = C * Hp * R + (s->kw - 1) * s->dw + (tpad - T) + nr;
    const int64_t scratch_size = xb_size + fpad * tpad;

    /* shared: W packed once into MR-row panels (ap[ip][k][r], rows past F zero), and the offsets */
    CV_T *ap = minidl_alloc(fpad * ckk, sizeof(CV_T));
    int64_t *off = minidl_alloc(ckk, sizeof(int64_t));
    CV_T *scratch = minidl_alloc(nt * scratch_size, sizeof(CV_T));
    if (!ap || !off || !scratch) {
        minidl_free(ap);
        minidl_free(off);
        minidl_free(scratch);
        return MINIDL_ERR_NOMEM;
    }
    for (int64_t f = 0; f < fpad; f++)
        for (int64_t k = 0; k < ckk; k++)
            ap[(f / mr) * mr * ckk + k * mr + f % mr] = f < F ? w[f * ckk + k] : 0;
    CS_LOCAL(offsets_)(s, R, off);

#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        CV_T *xb = scratch + minidl_thread_num() * scratch_size;
        CV_T *yb = xb + xb_size; /* (fpad, tpad) */
#pragma omp for schedule(dynamic)
        for (int64_t k = 0; k < chunks; k++) {
            const int64_t n0 = k * nb, m_end = minidl_min(nb, s->n - n0);
            CS_LOCAL(fill_chunk_)(s, x, n0, m_end, R, xb_size, xb);
            /* Yb = W @ col, one MR x NR tile at a time, k-blocks accumulating */
            for (int64_t t0 = 0; t0 < tpad; t0 += nr)
                for (int64_t pc = 0; pc < ckk; pc += CS_KC) {
                    const int64_t kc = minidl_min(CS_KC, ckk - pc);
                    for (int64_t i0 = 0; i0 < fpad; i0 += mr)
                        uk->shifted(kc, ap + i0 * ckk + pc * mr, xb + t0, off + pc,
                                    yb + i0 * tpad + t0, tpad, pc > 0);
                }
            /* the valid positions (j < OW) to y, plus the bias */
            for (int64_t m = 0; m < m_end; m++)
                for (int64_t f = 0; f < F; f++) {
                    const CV_T b = bias ? bias[f] : 0;
                    for (int64_t i = 0; i < OH; i++) {
                        const CV_T *src = yb + f * tpad + i * R + m * Wp;
                        CV_T *dst = y + ((n0 + m) * F + f) * OH * OW + i * OW;
                        if (bias)
                            for (int64_t j = 0; j < OW; j++)
                                dst[j] = src[j] + b;
                        else
                            memcpy(dst, src, (size_t)OW * sizeof(CV_T));
                    }
                }
        }
    }
    minidl_free(scratch);
    minidl_free(off);
    minidl_free(ap);
    return MINIDL_OK;
}

/* The input gradient of a stride-1 convolution is itself one: gx = conv(gy padded by
 * dh*(KH-1) - ph (and likewise in w), w'), where w'[c, f, p, q] = w[f, c, KH-1-p, KW-1-q] swaps
 * the channel axes and flips the taps. Returns -1 when that padding would be negative (more
 * padding than kernel) or the path does not fit; the caller then takes im2col's route. */
static int CS_LOCAL(conv_input_shifted_)(const minidl_conv_shape *s, const CV_T *gy,
                                         const CV_T *w, CV_T *gx, int nthreads)
{
    const minidl_conv_shape t = {.n = s->n, .c = s->f, .h = s->oh, .w = s->ow, .f = s->c,
                                 .kh = s->kh, .kw = s->kw, .oh = s->h, .ow = s->w, .sh = 1,
                                 .sw = 1, .ph = s->dh * (s->kh - 1) - s->ph,
                                 .pw = s->dw * (s->kw - 1) - s->pw, .dh = s->dh, .dw = s->dw};
    if (s->sh != 1 || s->sw != 1 || t.ph < 0 || t.pw < 0 || !CS_LOCAL(shifted_fits_)(&t))
        return -1;
    /* Here im2col's route is cheaper than usual (its GEMM is short, K = F, and col2im's runs are
     * few), so take this one only when at most a third of its work is thrown away: the padding of
     * the C rows to whole tiles, and the positions j >= OW (LeNet's 16@5x5: 6/8 * 14/18 = 0.58 of
     * the work useful, measured 10% slower than im2col's route; the digits CNN's 32@3x3 on 4x4:
     * 0.67, 25% faster; with 1 input channel, 1/8 * 8/10: 2.4x slower) */
    const int64_t mr = CV_KERNEL(t.f)->mr;
    if ((double)t.f / ((t.f + mr - 1) / mr * mr) * t.ow / (t.w + 2 * t.pw) < 0.65)
        return -1;
    const int64_t kk = s->kh * s->kw;
    CV_T *wt = minidl_alloc(s->f * s->c * kk, sizeof(CV_T));
    if (!wt)
        return MINIDL_ERR_NOMEM;
    for (int64_t f = 0; f < s->f; f++)
        for (int64_t c = 0; c < s->c; c++)
            for (int64_t e = 0; e < kk; e++)
                wt[(c * s->f + f) * kk + kk - 1 - e] = w[(f * s->c + c) * kk + e];
    const int status = CS_LOCAL(conv_shifted_)(&t, gy, wt, NULL, gx, nthreads);
    minidl_free(wt);
    return status;
}

/* gw = the sum of the groups' partial weight gradients, in group order */
static void CS_LOCAL(sum_groups_)(const CV_T *partial, int64_t groups, int64_t fckk, CV_T *gw)
{
    for (int64_t e = 0; e < fckk; e++) {
        CV_T sum = partial[e];
        for (int64_t g = 1; g < groups; g++)
            sum += partial[g * fckk + e];
        gw[e] = sum;
    }
}

/* The weight gradient by shifted windows: dW[f, k] = sum over the chunks' positions t of
 * GYb[f, t] * xb[off[k] + t], where GYb is gy laid out like the output (zero at the positions
 * j >= OW, so that they add nothing): dot products along t between rows of GYb and windows of xb,
 * no im2col (dot_kernel.h). The images are cut into CV_GROUPS fixed groups whose partial sums are
 * added in order, as in conv_impl.h, so that the result does not depend on the threads.
 * A zero times an infinity is NaN, not zero: an input with a non-finite value would leak into taps
 * it does not touch, so such a call returns -1 and the caller takes the im2col route instead. */
static int CS_LOCAL(conv_weight_shifted_)(const minidl_conv_shape *s, const CV_T *gy,
                                          const CV_T *x, CV_T *gw, int nthreads)
{
    if (!CS_LOCAL(shifted_fits_)(s))
        return -1;
    const int64_t C = s->c, Hp = s->h + 2 * s->ph, Wp = s->w + 2 * s->pw, F = s->f;
    const int64_t OH = s->oh, OW = s->ow, ckk = C * s->kh * s->kw, fckk = F * ckk;
    /* groups and chunks from the shapes only, never from the thread count; a group of fewer than
     * ~1024 positions would spend more on summing the accumulators' lanes than on the products */
    const int64_t groups = minidl_min(minidl_min(s->n, CV_GROUPS), s->n * OH * Wp / 1024 + 1);
    const int64_t per_image = (C * Hp + F * OH) * Wp * (int64_t)sizeof(CV_T);
    int64_t nb = minidl_min(CS_CHUNK_BYTES / per_image, (s->n + groups - 1) / groups);
    nb = nb < 1 ? 1 : nb;
    const int64_t R = nb * Wp, T = OH * R;
    const int64_t xb_size = C * Hp * R + (s->kw - 1) * s->dw + 16;
    const int64_t scratch_size = xb_size + F * T;
    const double macs = (double)s->n * F * ckk * OH * Wp;
    const int nt = macs < 4e6 ? 1 : minidl_team(nthreads);
    int64_t *off = minidl_alloc(ckk, sizeof(int64_t));
    CV_T *partial = minidl_alloc(groups * fckk, sizeof(CV_T));
    CV_T *scratch = minidl_alloc(nt * scratch_size, sizeof(CV_T));
    if (!off || !partial || !scratch) {
        minidl_free(off);
        minidl_free(partial);
        minidl_free(scratch);
        return MINIDL_ERR_NOMEM;
    }
    CS_LOCAL(offsets_)(s, R, off);
    int finite = 1;

#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        CV_T *xb = scratch + minidl_thread_num() * scratch_size;
        CV_T *gb = xb + xb_size; /* (F, T) */
#pragma omp for schedule(dynamic)
        for (int64_t g = 0; g < groups; g++) {
            const int64_t lo = s->n * g / groups, hi = s->n * (g + 1) / groups;
            for (int64_t n0 = lo; n0 < hi; n0 += nb) { /* the group's chunks, in order */
                const int64_t m_end = minidl_min(nb, hi - n0);
                CS_LOCAL(fill_chunk_)(s, x, n0, m_end, R, xb_size, xb);
                CV_T zero = 0; /* NaN when the chunk holds an infinity or a NaN */
                for (int64_t e = 0; e < xb_size; e++)
                    zero += xb[e] * 0;
                if (zero != 0)
#pragma omp atomic write
                    finite = 0;
                memset(gb, 0, (size_t)(F * T) * sizeof(CV_T));
                for (int64_t f = 0; f < F; f++)
                    for (int64_t m = 0; m < m_end; m++)
                        for (int64_t i = 0; i < OH; i++)
                            memcpy(gb + f * T + i * R + m * Wp,
                                   gy + (((n0 + m) * F + f) * OH + i) * OW,
                                   (size_t)OW * sizeof(CV_T));
                CV_DOT(F, ckk, T, gb, T, xb, 0, off, partial + g * fckk, ckk, n0 > lo);
            }
        }
    }
    CS_LOCAL(sum_groups_)(partial, groups, fckk, gw);
    minidl_free(scratch);
    minidl_free(partial);
    minidl_free(off);
    return finite ? MINIDL_OK : -1;
}

#undef CS_LOCAL

/* GEMM driver template (the BLIS / Goto loop structure), included once per type by gemm.c with
 *   GD_T       float or double            GD_FN   the public function's name
 *   GD_UKR     the micro-kernel type      GD_KERNEL_FOR  its choice for M rows (gemm.c)
 *   GD_KC, GD_MC, GD_NC   cache blocking (elements)
 *   GD_PACK_A_ROWS4  optional: a faster packing of 6 or 8 contiguous rows of A (gemm.c)
 *
 * C (M x N) = A (M x K) @ B (K x N) is cut into blocks that fit the caches:
 *   pc loop: KC of the K dimension
 *   ic loop: MC rows of A and C               (the packed MC x KC block of A stays in L3)
 *   jc loop: NC columns of B and C            -> pack B[pc:pc+KC, jc:jc+NC] into NR-wide panels (L2)
 *   ir loop: MR rows                          -> pack A[i:i+MR, pc:pc+KC] (on the first jc) (L1)
 *   jr loop: one MR x NR tile of C per micro-kernel call, along C's rows
 * so each MR x KC panel of A is read from L1 all along the block of B, which streams from L2.
 * (The other classic order, a KC x NR sliver of B in L1 crossed by all the panels of an L2 block of
 * A, walks C down its columns: at n = 1024..2048 on AVX-512 it measured 190 GFLOP/s against 205.)
 * Packing copies each block once into the exact order the micro-kernel streams it, contiguous and
 * aligned, zero-padded to whole tiles, so the micro-kernel never checks bounds and never strides.
 * OpenMP: C is split once into one slice of whole tiles per thread, and each thread runs the whole
 * loop nest on its slice with its own packed blocks, with no synchronisation at all.
 */

#define GD_CAT_(x, y) x##y
#define GD_CAT(x, y) GD_CAT_(x, y)
#define GD_PACK_A GD_CAT(GD_FN, _pack_a)
#define GD_PACK_A_WHOLE GD_CAT(GD_FN, _pack_a_whole)
#define GD_PACK_B GD_CAT(GD_FN, _pack_b)
#define GD_PACK_B_ROWS GD_CAT(GD_FN, _pack_b_rows)
#define GD_SERIAL GD_CAT(GD_FN, _serial)
#define GD_ROW GD_CAT(GD_FN, _row)

/* Elements from one packed panel of B to the next, KC x NR and a cache line: panels a multiple of
 * 4 KB apart map the rows being packed onto the same few L1 sets (a 256 x 256 block of floats into
 * 16-wide panels: 9.6 us, against 5.9 us with the line between). */
#define GD_PANEL(nr, kc) ((nr) * (kc) + 64 / (int64_t)sizeof(GD_T))

/* Rows i0 .. i0+MR of A into a whole panel, ap[p*MR + r] = A(i0 + r, p), for MR a constant after
 * inlining: p outer, so that each step writes MR contiguous elements, read from MR streams along
 * A's rows (1.6x faster than a row at a time, whose writes are MR elements apart). */
static inline __attribute__((always_inline)) void GD_PACK_A_WHOLE(int64_t kc, const GD_T *A,
                                                                  int64_t rsa, int64_t csa,
                                                                  int mr, GD_T *ap)
{
    for (int64_t p = 0; p < kc; p++)
#pragma GCC unroll 8
        for (int r = 0; r < mr; r++)
            ap[p * mr + r] = A[r * rsa + p * csa];
}

/* Panel ip of A: rows i0 .. i0+MR of the mc x kc block, stored ap[p*MR + r]; rows past mc are 0. */
static void GD_PACK_A(int64_t mc, int64_t kc, const GD_T *A, int64_t rsa, int64_t csa, int64_t i0,
                      int mr, GD_T *ap)
{
    int64_t rows = mc - i0 < mr ? mc - i0 : mr;
    A += i0 * rsa;
#ifdef GD_PACK_A_ROWS4
    if (csa == 1 && rows == mr && (mr == 6 || mr == 8)) { /* A's rows contiguous: 4 x 4 blocks */
        GD_PACK_A_ROWS4(kc, A, rsa, mr, ap);
        return;
    }
#endif
    if (rows == 6 && mr == 6) /* the tiles of gemm.c */
        GD_PACK_A_WHOLE(kc, A, rsa, csa, 6, ap);
    else if (rows == 8 && mr == 8)
        GD_PACK_A_WHOLE(kc, A, rsa, csa, 8, ap);
    else {
        for (int64_t p = 0; p < kc; p++) {
            for (int64_t r = 0; r < rows; r++)
                ap[p * mr + r] = A[r * rsa + p * csa];
            for (int64_t r = rows; r < mr; r++)
                ap[p * mr + r] = 0;
        }
    }
}

/* The kc x nc block of B, rows contiguous, into panels NR wide (a constant after inlining), B's
 * rows read whole one after the other, as the hardware prefetcher likes (a panel at a time would
 * read NR columns of every row, a row's stride apart); the next rows are asked for ahead, since B
 * usually comes from memory. */
static inline __attribute__((always_inline)) void GD_PACK_B_ROWS(int64_t kc, int64_t nc,
                                                                 const GD_T *B, int64_t rsb,
                                                                 int nr, GD_T *bp)
{
    const int64_t whole = nc / nr, cols = nc - whole * nr;
    for (int64_t p = 0; p < kc; p++) {
        const GD_T *brow = B + p * rsb;
        if (p + 8 < kc)
            for (int64_t j = 0; j < nc; j += 64 / sizeof(GD_T))
                __builtin_prefetch(brow + 8 * rsb + j);
        GD_T *dst = bp + p * nr;
        for (int64_t jp = 0; jp < whole; jp++, dst += GD_PANEL(nr, kc)) /* a constant size: */
            memcpy(dst, brow + jp * nr, nr * sizeof(GD_T)); /* inlined as a few vector moves */
        if (cols) {
            for (int64_t j = 0; j < cols; j++)
                dst[j] = brow[whole * nr + j];
            for (int64_t j = cols; j < nr; j++)
                dst[j] = 0;
        }
    }
}

/* The kc x nc block of B into NR-wide panels, panel jp at bp + jp*NR*kc stored [p*NR + j]; columns
 * past nc are 0. */
static void GD_PACK_B(int64_t kc, int64_t nc, const GD_T *B, int64_t rsb, int64_t csb, int nr,
                      GD_T *bp)
{
    const int64_t npanels = (nc + nr - 1) / nr;
    if (rsb == 1 && csb != 1) { /* B stored by columns (a transposed view): read down columns, */
        for (int64_t jp = 0; jp < npanels; jp++) { /* a panel at a time, 16 rows at a time, */
            const int64_t j0 = jp * nr, cols = nc - j0 < nr ? nc - j0 : nr; /* so that the 16 */
            GD_T *panel = bp + jp * GD_PANEL(nr, kc); /* lines of the panel being filled stay in L1 */
            for (int64_t p0 = 0; p0 < kc; p0 += 16) {
                const int64_t p1 = kc - p0 < 16 ? kc : p0 + 16;
                for (int64_t j = 0; j < cols; j++) {
                    const GD_T *bcol = B + (j0 + j) * csb;
                    for (int64_t p = p0; p < p1; p++)
                        panel[p * nr + j] = bcol[p];
                }
            }
            for (int64_t p = 0; p < kc; p++)
                for (int64_t j = cols; j < nr; j++)
                    panel[p * nr + j] = 0;
        }
        return;
    }
    if (csb == 1 && nr == 16) /* the tiles of gemm.c: copies of a constant size */
        GD_PACK_B_ROWS(kc, nc, B, rsb, 16, bp);
    else if (csb == 1 && nr == 32)
        GD_PACK_B_ROWS(kc, nc, B, rsb, 32, bp);
    else if (csb == 1 && nr == 64)
        GD_PACK_B_ROWS(kc, nc, B, rsb, 64, bp);
    else
        for (int64_t p = 0; p < kc; p++)
            for (int64_t jp = 0; jp < npanels; jp++) {
                const int64_t j0 = jp * nr, cols = nc - j0 < nr ? nc - j0 : nr;
                GD_T *dst = bp + jp * GD_PANEL(nr, kc) + p * nr;
                for (int64_t j = 0; j < cols; j++)
                    dst[j] = B[p * rsb + (j0 + j) * csb];
                for (int64_t j = cols; j < nr; j++)
                    dst[j] = 0;
            }
}

/* The jr loop: C[i0 : i0+MR, jc : jc+npanels*NR] (+)= one packed MR-row panel `a` of A @ packed B
 * panels bp[0:npanels], one MR x NR tile per micro-kernel call, along C's rows, while the panel
 * stays in L1. Tiles that stick out of C (M or N not a multiple of the tile) go through a private
 * whole tile `edge` and are copied in. */
static void GD_ROW(const GD_UKR *uk, int64_t rows, int64_t N, int64_t jc, int64_t npanels,
                   int64_t kc, const GD_T *a, const GD_T *bp, GD_T *C, int64_t ldc, int add)
{
    const int mr = uk->mr, nr = uk->nr;
    GD_T edge[32 * 64]; /* MR*NR <= 2048 */
    for (int64_t jp = 0; jp < npanels; jp++) {
        const int64_t j0 = jc + jp * nr;
        const int64_t cols = N - j0 < nr ? N - j0 : nr;
        GD_T *c = C + j0;
        if (rows == mr && cols == nr) {
            uk->fn(kc, a, bp + jp * GD_PANEL(nr, kc), c, ldc, add);
            continue;
        }
        uk->fn(kc, a, bp + jp * GD_PANEL(nr, kc), edge, nr, 0);
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++)
                c[i * ldc + j] = (add ? c[i * ldc + j] : 0) + edge[i * nr + j];
    }
}

/* C[m x n] (+)= A[m x K] @ B[K x n] by one thread with its own buffers ap (MC x KC) and bp (KC x NC):
 * the whole jc / pc / ic / jr / ir loop nest, no synchronisation. Used by each thread of the static
 * split of large products (below), on its own slice of C. */
static void GD_SERIAL(const GD_UKR *uk, int64_t M, int64_t N, int64_t K, const GD_T *A, int64_t rsa,
                      int64_t csa, const GD_T *B, int64_t rsb, int64_t csb, GD_T *C, int64_t ldc,
                      int beta, int64_t MC, int64_t NC, GD_T *ap, GD_T *bp)
{
    const int mr = uk->mr, nr = uk->nr;
    /* blocks of equal size, whole tiles each: N = 2048 in 4 blocks of 512, not 3 x 640 and 128 */
    MC = minidl_blocks(M, MC, mr);
    NC = minidl_blocks(N, NC, nr);
    for (int64_t pc = 0; pc < K; pc += GD_KC) {
        const int64_t kc = K - pc < GD_KC ? K - pc : GD_KC;
        const int add = pc > 0 || beta; /* later k-blocks accumulate onto earlier ones */
        for (int64_t ic = 0; ic < M; ic += MC) {
            const int64_t mc = M - ic < MC ? M - ic : MC;
            const int64_t mpanels = (mc + mr - 1) / mr;
            for (int64_t jc = 0; jc < N; jc += NC) {
                const int64_t nc = N - jc < NC ? N - jc : NC;
                GD_PACK_B(kc, nc, B + pc * rsb + jc * csb, rsb, csb, nr, bp);
                for (int64_t ip = 0; ip < mpanels; ip++) {
                    GD_T *a = ap + ip * mr * kc;
                    if (jc == 0) /* each panel of A is packed just before its first use */
                        GD_PACK_A(mc, kc, A + ic * rsa + pc * csa, rsa, csa, ip * mr, mr, a);
                    const int64_t i0 = ic + ip * mr;
                    GD_ROW(uk, minidl_min(M - i0, mr), N, jc, (nc + nr - 1) / nr, kc, a, bp,
                           C + i0 * ldc, ldc, add);
                }
            }
        }
    }
}

int GD_FN(int64_t M, int64_t N, int64_t K, const GD_T *A, int64_t rsa, int64_t csa, const GD_T *B,
          int64_t rsb, int64_t csb, GD_T *C, int64_t ldc, int beta, int nthreads)
{
    if (M <= 0 || N <= 0)
        return MINIDL_OK;
    if (K <= 0) { /* an empty sum: C = 0 (or C unchanged when accumulating) */
        if (!beta)
            for (int64_t i = 0; i < M; i++)
                memset(C + i * ldc, 0, (size_t)N * sizeof(GD_T));
        return MINIDL_OK;
    }
    const GD_UKR *uk = GD_KERNEL_FOR(M);
    const int mr = uk->mr, nr = uk->nr;
    const int64_t MC = GD_MC / mr * mr, NC = minidl_max(GD_NC / nr, 1) * nr;
    /* buffers only as large as this problem needs */
    const int64_t kc_max = K < GD_KC ? K : GD_KC;
    const int64_t mc_max = M < MC ? (M + mr - 1) / mr * mr : MC;
    const int64_t nc_max = N < NC ? (N + nr - 1) / nr * nr : NC;
    /* threads pay off only when each gets tens of microseconds of work: between kernels the idle
     * workers may have gone to sleep (see minidl/kernels/threads.py), and waking one costs some
     * 10-50 us; 4 million multiply-adds take ~20-40 us on one core */
    const int nt = (double)M * N * K < 4e6 ? 1 : minidl_team(nthreads);

    /* A static split of C into nt slices, one per thread, each computed by the serial loop nest
     * with the thread's own packed blocks: no barrier at all. (A shared queue of row blocks, with
     * two barriers per KC step, measured slower at every size: at n = 192 on 2 threads 150 against
     * 290 GFLOP/s, since a barrier can put a waiting thread to sleep; and its row blocks rarely
     * divide evenly.) Cut along the columns, at whole tiles, when there are at least two column
     * tiles per thread (a thread's packed panel of B is then a fraction of the whole, and stays in
     * L2: at n = 1024 on 2 threads 1.05x OpenBLAS's speed against 0.87-1.01x for a row split),
     * else along the rows. The price: a column split packs all of A in every thread (a row split
     * all of B), M*K copies against M*N*K/nt multiply-adds. Every tile of C
     * sees the same k-blocks in the same order whichever slice it is in, so the result is the same
     * for every thread count. */
    const int64_t mtiles = (M + mr - 1) / mr, ntiles = (N + nr - 1) / nr;
    const int by_cols = ntiles >= 2 * nt || ntiles >= mtiles;
    /* all scratch first, one block per thread (so a failure is reported before any work); each
     * thread's B panel first, as the micro-kernel loads it with aligned vector loads (its size is
     * whole NR-wide panels; A's is rounded up to a cache line) */
    const int64_t bp_size = nc_max / nr * GD_PANEL(nr, kc_max);
    const int64_t ap_size = (kc_max * mc_max + 15) / 16 * 16;
    GD_T *scratch = minidl_alloc(nt * (ap_size + bp_size), sizeof(GD_T));
    if (!scratch)
        return MINIDL_ERR_NOMEM;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        const int t = omp_get_thread_num(), nteam = omp_get_num_threads();
#else
        const int t = 0, nteam = 1;
#endif
        const int64_t tiles = by_cols ? ntiles : mtiles, size = by_cols ? nr : mr;
        const int64_t lo = minidl_min(tiles * t / nteam * size, by_cols ? N : M);
        const int64_t hi = minidl_min(tiles * (t + 1) / nteam * size, by_cols ? N : M);
        GD_T *bp = scratch + t * (ap_size + bp_size), *ap = bp + bp_size;
        if (hi > lo) {
            if (by_cols)
                GD_SERIAL(uk, M, hi - lo, K, A, rsa, csa, B + lo * csb, rsb, csb, C + lo, ldc, beta,
                          MC, NC, ap, bp);
            else
                GD_SERIAL(uk, hi - lo, N, K, A + lo * rsa, rsa, csa, B, rsb, csb, C + lo * ldc, ldc,
                          beta, MC, NC, ap, bp);
        }
    }
    minidl_free(scratch);
    return MINIDL_OK;
}

#undef GD_PACK_A
#undef GD_PACK_A_WHOLE
#undef GD_PACK_B
#undef GD_PACK_B_ROWS
#undef GD_SERIAL
#undef GD_ROW
#undef GD_PANEL
#undef GD_T
#undef GD_FN
#undef GD_UKR
#undef GD_KERNEL_FOR
#undef GD_KC
#undef GD_MC
#undef GD_NC
#undef GD_PACK_A_ROWS4

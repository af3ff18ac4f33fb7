/* GEMM driver template (the BLIS / Goto loop structure), included once per type by gemm.c with
 *   GD_T       float or double            GD_FN   the public function's name
 *   GD_UKR     the micro-kernel type      GD_KERNEL_FOR  its choice for M rows (gemm.c)
 *   GD_KC, GD_MC, GD_NC   cache blocking (elements)
 *
 * C (M x N) = A (M x K) @ B (K x N) is cut into blocks that fit the caches:
 *   jc loop: NC columns of B and C            (a KC x NC panel of B stays in L3)
 *   pc loop: KC of the K dimension            -> pack B[pc:pc+KC, jc:jc+NC] into NR-wide panels
 *   ic loop: MC rows of A and C               -> pack A[ic:ic+MC, pc:pc+KC] into MR-tall panels (L2)
 *   jr, ir loops: one MR x NR tile of C per micro-kernel call (a KC x NR sliver of B sits in L1)
 * Packing copies each block once into the exact order the micro-kernel streams it, contiguous and
 * aligned, zero-padded to whole tiles, so the micro-kernel never checks bounds and never strides.
 * OpenMP: C is split once into one slice of whole tiles per thread, and each thread runs the whole
 * loop nest on its slice with its own packed blocks, with no synchronisation at all.
 */

#define GD_CAT_(x, y) x##y
#define GD_CAT(x, y) GD_CAT_(x, y)
#define GD_PACK_A GD_CAT(GD_FN, _pack_a)
#define GD_PACK_B GD_CAT(GD_FN, _pack_b)
#define GD_SERIAL GD_CAT(GD_FN, _serial)
#define GD_TILES GD_CAT(GD_FN, _tiles)

/* Panel ip of A: rows i0 .. i0+MR of the mc x kc block, stored ap[p*MR + r]; rows past mc are 0.
 * The loop order follows A's layout, so that the reads are the contiguous ones (writes land in a
 * small panel that stays in L1 either way). */
static void GD_PACK_A(int64_t mc, int64_t kc, const GD_T *A, int64_t rsa, int64_t csa, int64_t i0,
                      int mr, GD_T *ap)
{
    int64_t rows = mc - i0 < mr ? mc - i0 : mr;
    if (rsa == 1) { /* A stored by columns (a transposed view): a column slice is contiguous */
        for (int64_t p = 0; p < kc; p++) {
            const GD_T *acol = A + i0 + p * csa;
            for (int64_t r = 0; r < rows; r++)
                ap[p * mr + r] = acol[r];
        }
    } else {
        for (int64_t r = 0; r < rows; r++) {
            const GD_T *arow = A + (i0 + r) * rsa;
            for (int64_t p = 0; p < kc; p++)
                ap[p * mr + r] = arow[p * csa];
        }
    }
    for (int64_t r = rows; r < mr; r++)
        for (int64_t p = 0; p < kc; p++)
            ap[p * mr + r] = 0;
}

/* Panel of B: columns j0 .. j0+NR of the kc x nc block, stored bp[p*NR + j]; columns past nc are 0. */
static void GD_PACK_B(int64_t kc, int64_t nc, const GD_T *B, int64_t rsb, int64_t csb, int64_t j0,
                      int nr, GD_T *bp)
{
    int64_t cols = nc - j0 < nr ? nc - j0 : nr;
    if (rsb == 1 && csb != 1) { /* B stored by columns (a transposed view): read down columns, */
        for (int64_t p0 = 0; p0 < kc; p0 += 16) { /* 16 rows at a time, so that the 16 lines */
            const int64_t p1 = kc - p0 < 16 ? kc : p0 + 16; /* of bp being filled stay in L1 */
            for (int64_t j = 0; j < cols; j++) {
                const GD_T *bcol = B + (j0 + j) * csb;
                for (int64_t p = p0; p < p1; p++)
                    bp[p * nr + j] = bcol[p];
            }
        }
        for (int64_t p = 0; p < kc; p++)
            for (int64_t j = cols; j < nr; j++)
                bp[p * nr + j] = 0;
        return;
    }
    for (int64_t p = 0; p < kc; p++) {
        const GD_T *brow = B + p * rsb + j0 * csb;
        GD_T *dst = bp + p * nr;
        if (csb == 1) /* rows of B contiguous (the usual case): a short vector copy */
            for (int64_t j = 0; j < cols; j++)
                dst[j] = brow[j];
        else
            for (int64_t j = 0; j < cols; j++)
                dst[j] = brow[j * csb];
        for (int64_t j = cols; j < nr; j++)
            dst[j] = 0;
    }
}

/* The jr / ir loops: C[ic:ic+mc, jc : jc+npanels*NR] (+)= packed A block ap @ packed B panels
 * bp[0:npanels], one MR x NR tile per micro-kernel call. Tiles that stick out of C (M or N not a
 * multiple of the tile) go through a private whole tile `edge` and are copied in. */
static void GD_TILES(const GD_UKR *uk, int64_t M, int64_t N, int64_t ic, int64_t mc, int64_t jc,
                     int64_t npanels, int64_t kc, const GD_T *ap, const GD_T *bp,
                     GD_T *C, int64_t ldc, int add)
{
    const int mr = uk->mr, nr = uk->nr;
    const int64_t mpanels = (mc + mr - 1) / mr;
    GD_T edge[32 * 64]; /* MR*NR <= 2048 */
    for (int64_t jp = 0; jp < npanels; jp++) {
        const int64_t j0 = jc + jp * nr;
        const int64_t cols = N - j0 < nr ? N - j0 : nr;
        for (int64_t ip = 0; ip < mpanels; ip++) {
            const int64_t i0 = ic + ip * mr;
            const int64_t rows = M - i0 < mr ? M - i0 : mr;
            GD_T *c = C + i0 * ldc + j0;
            if (rows == mr && cols == nr) {
                uk->fn(kc, ap + ip * mr * kc, bp + jp * nr * kc, c, ldc, add);
                continue;
            }
            uk->fn(kc, ap + ip * mr * kc, bp + jp * nr * kc, edge, nr, 0);
            for (int64_t i = 0; i < rows; i++)
                for (int64_t j = 0; j < cols; j++)
                    c[i * ldc + j] = (add ? c[i * ldc + j] : 0) + edge[i * nr + j];
        }
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
    for (int64_t jc = 0; jc < N; jc += NC) {
        const int64_t nc = N - jc < NC ? N - jc : NC;
        const int64_t npanels = (nc + nr - 1) / nr;
        for (int64_t pc = 0; pc < K; pc += GD_KC) {
            const int64_t kc = K - pc < GD_KC ? K - pc : GD_KC;
            const int add = pc > 0 || beta; /* later k-blocks accumulate onto earlier ones */
            for (int64_t jp = 0; jp < npanels; jp++)
                GD_PACK_B(kc, nc, B + pc * rsb + jc * csb, rsb, csb, jp * nr, nr, bp + jp * nr * kc);
            for (int64_t ic = 0; ic < M; ic += MC) {
                const int64_t mc = M - ic < MC ? M - ic : MC;
                const int64_t mpanels = (mc + mr - 1) / mr;
                for (int64_t ip = 0; ip < mpanels; ip++)
                    GD_PACK_A(mc, kc, A + ic * rsa + pc * csa, rsa, csa, ip * mr, mr,
                              ap + ip * mr * kc);
                GD_TILES(uk, M, N, ic, mc, jc, npanels, kc, ap, bp, C, ldc, add);
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
    const int64_t MC = GD_MC / mr * mr, NC = (GD_NC + nr - 1) / nr * nr;
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
    const int64_t bp_size = kc_max * nc_max, ap_size = (kc_max * mc_max + 15) / 16 * 16;
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
#undef GD_PACK_B
#undef GD_SERIAL
#undef GD_TILES
#undef GD_T
#undef GD_FN
#undef GD_UKR
#undef GD_KERNEL_FOR
#undef GD_KC
#undef GD_MC
#undef GD_NC

/* "Dot-product" GEMM template: C (M x N) (+)= A (M x K) @ B^T, with A and B both stored by rows
 * (B is N x K), no packing at all. Included once per (type, instruction set) by gemm.c with
 *   DK_NAME, DK_T, DK_VLEN, DK_TARGET   (as in gemm_ukernel.h)
 *   DK_MB, DK_NB   the block of C held in registers (DK_MB*DK_NB vector accumulators)
 *
 * For a convolution's weight gradient, dW (F x C*KH*KW) = sum_n gy_n (F x OH*OW) @ col_n^T: both
 * factors are already contiguous along the long summed dimension OH*OW, while F and C*KH*KW can be
 * small (6 x 25 in LeNet's first layer). Packing such thin matrices for the tiled kernel costs more
 * than the multiplication. Here each MB x NB block of C keeps MB*NB vector accumulators that run
 * along k (3 x 3 with 16 registers: 6 loads feed 9 FMAs; 4 x 4 with AVX-512's 32), then sums each
 * accumulator's lanes once at the end. Row j of B is at B + j*ldb, or at B + boff[j] when boff is
 * given: the shifted windows of conv_shifted.h, which overlap.
 */
#define DK_CAT_(x, y) x##y
#define DK_CAT(x, y) DK_CAT_(x, y)
#define DK_VEC DK_CAT(DK_NAME, _vec)

typedef DK_T DK_VEC __attribute__((vector_size(DK_VLEN * sizeof(DK_T)), aligned(sizeof(DK_T))));

DK_TARGET static void DK_NAME(int64_t M, int64_t N, int64_t K, const DK_T *A, int64_t lda,
                              const DK_T *B, int64_t ldb, const int64_t *boff, DK_T *C, int64_t ldc,
                              int beta)
{
    const int64_t kv = K / DK_VLEN * DK_VLEN; /* the part of k that fills whole vectors */
    for (int64_t i0 = 0; i0 < M; i0 += DK_MB) {
        const int rows = M - i0 < DK_MB ? (int)(M - i0) : DK_MB;
        const DK_T *a[DK_MB];
        for (int r = 0; r < DK_MB; r++) /* past the last row: reuse it, store nothing */
            a[r] = A + (i0 + (r < rows ? r : rows - 1)) * lda;
        for (int64_t j0 = 0; j0 < N; j0 += DK_NB) {
            const int cols = N - j0 < DK_NB ? (int)(N - j0) : DK_NB;
            const DK_T *b[DK_NB];
            for (int c = 0; c < DK_NB; c++) {
                const int64_t j = j0 + (c < cols ? c : cols - 1);
                b[c] = B + (boff ? boff[j] : j * ldb);
            }
            DK_VEC acc[DK_MB][DK_NB];
#pragma GCC unroll 4
            for (int r = 0; r < DK_MB; r++)
#pragma GCC unroll 4
                for (int c = 0; c < DK_NB; c++)
                    acc[r][c] = (DK_VEC){0};
            for (int64_t k = 0; k < kv; k += DK_VLEN) {
                DK_VEC va[DK_MB], vb[DK_NB];
#pragma GCC unroll 4
                for (int r = 0; r < DK_MB; r++)
                    va[r] = *(const DK_VEC *)(a[r] + k);
#pragma GCC unroll 4
                for (int c = 0; c < DK_NB; c++)
                    vb[c] = *(const DK_VEC *)(b[c] + k);
#pragma GCC unroll 4
                for (int r = 0; r < DK_MB; r++)
#pragma GCC unroll 4
                    for (int c = 0; c < DK_NB; c++)
                        acc[r][c] += va[r] * vb[c];
            }
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) {
                    DK_T sum = 0;
                    for (int l = 0; l < DK_VLEN; l++)
                        sum += acc[r][c][l];
                    for (int64_t k = kv; k < K; k++) /* the last K % VLEN products */
                        sum += a[r][k] * b[c][k];
                    DK_T *cij = C + (i0 + r) * ldc + j0 + c;
                    *cij = beta ? *cij + sum : sum;
                }
        }
    }
}

#undef DK_VEC
#undef DK_NAME
#undef DK_T
#undef DK_VLEN
#undef DK_TARGET
#undef DK_MB
#undef DK_NB

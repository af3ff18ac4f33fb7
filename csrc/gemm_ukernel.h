/* GEMM micro-kernel template: C[MR x NR] (+)= A_panel[MR x kc] @ B_panel[kc x NR].
 *
 * Included once per (type, instruction set) by gemm.c, which defines:
 *   UK_NAME   the function's name           UK_T      float or double
 *   UK_VLEN   elements per SIMD register    UK_MR     rows of the tile
 *   UK_NV     registers per tile row (NR = UK_NV * UK_VLEN)
 *   UK_TARGET a GCC target attribute (e.g. __attribute__((target("avx2,fma")))) or nothing
 *
 * The whole MR x NR tile of C lives in MR*NV vector registers for the full k loop: each step loads NV
 * vectors of B, broadcasts one element of A per row and does MR*NV fused multiply-adds. That is
 * 2*MR*NR flops for (MR + NR) loads, which is what lets a GEMM run at the FMA units' speed instead of
 * the caches'. Written with GCC vector extensions: the compiler picks the instructions of the target
 * (vfmadd231ps on AVX2, the zmm version on AVX-512, SSE or scalar code elsewhere).
 *
 * Packed layouts: a[p*MR + i] = A(i, p) and b[p*NR + j] = B(p, j), both aligned to NR*sizeof(T).
 * A second kernel, UK_NAME##_shifted, reads each row of B in place at b + off[p] instead (unaligned):
 * the rows of a convolution's im2col matrix are shifted windows of one buffer (see conv_impl.h).
 */
#define UK_CAT_(x, y) x##y
#define UK_CAT(x, y) UK_CAT_(x, y)
#define UK_VEC UK_CAT(UK_NAME, _vec)
#define UK_UVEC UK_CAT(UK_NAME, _uvec)
#define UK_BODY UK_CAT(UK_NAME, _body)
#define UK_SHIFTED UK_CAT(UK_NAME, _shifted)

typedef UK_T UK_VEC __attribute__((vector_size(UK_VLEN * sizeof(UK_T))));
/* the same vector, but only element-aligned: rows of C have no alignment guarantee */
typedef UK_T UK_UVEC __attribute__((vector_size(UK_VLEN * sizeof(UK_T)), aligned(sizeof(UK_T))));

/* The body, shared by the two kernels below. B row p is b + off[p] when off is given (a shifted
 * window of an image, read in place: see conv_impl.h), else the packed row b + p*NR. Inlined into
 * each caller with `off` a constant, so that neither kernel tests it inside the loop. */
UK_TARGET static inline __attribute__((always_inline)) void
UK_BODY(int64_t kc, const UK_T *restrict a, const UK_T *restrict b, const int64_t *off,
        UK_T *restrict c, int64_t ldc, int beta)
{
    UK_VEC acc[UK_MR][UK_NV];
#pragma GCC unroll 32
    for (int i = 0; i < UK_MR; i++)
#pragma GCC unroll 8
        for (int j = 0; j < UK_NV; j++)
            acc[i][j] = (UK_VEC){0};

    /* the tile of C is read (and written) after the k loop: start fetching its lines now, so that
     * the MR row misses overlap the loop instead of following it */
#pragma GCC unroll 32
    for (int i = 0; i < UK_MR; i++) {
        __builtin_prefetch(c + i * ldc, 1);
        __builtin_prefetch(c + i * ldc + UK_NV * UK_VLEN - 1, 1);
    }

#pragma GCC unroll 4
    for (int64_t p = 0; p < kc; p++) {
        UK_VEC bv[UK_NV];
        const UK_T *brow = off ? b + off[p] : b + p * UK_NV * UK_VLEN;
#pragma GCC unroll 8
        for (int j = 0; j < UK_NV; j++) /* a shifted row has no alignment: load it as UVEC */
            bv[j] = off ? *(const UK_UVEC *)(brow + j * UK_VLEN)
                        : *(const UK_VEC *)(brow + j * UK_VLEN);
#pragma GCC unroll 32
        for (int i = 0; i < UK_MR; i++)
#pragma GCC unroll 8
            for (int j = 0; j < UK_NV; j++)
                /* scalar * vector broadcasts A(i, p) to every lane; += contracts into one FMA */
                acc[i][j] += a[i] * bv[j];
        a += UK_MR;
    }

#pragma GCC unroll 32
    for (int i = 0; i < UK_MR; i++)
#pragma GCC unroll 8
        for (int j = 0; j < UK_NV; j++) {
            UK_UVEC *cij = (UK_UVEC *)(c + i * ldc + j * UK_VLEN);
            *cij = beta ? *cij + acc[i][j] : acc[i][j];
        }
}

/* packed B (the GEMM) */
UK_TARGET static void UK_NAME(int64_t kc, const UK_T *restrict a, const UK_T *restrict b,
                              UK_T *restrict c, int64_t ldc, int beta)
{
    UK_BODY(kc, a, b, NULL, c, ldc, beta);
}

/* B row p at b + off[p] (the shifted-window convolution) */
UK_TARGET static void UK_SHIFTED(int64_t kc, const UK_T *restrict a, const UK_T *restrict b,
                                 const int64_t *restrict off, UK_T *restrict c, int64_t ldc,
                                 int beta)
{
    UK_BODY(kc, a, b, off, c, ldc, beta);
}

#undef UK_VEC
#undef UK_UVEC
#undef UK_BODY
#undef UK_SHIFTED
#undef UK_NAME
#undef UK_T
#undef UK_VLEN
#undef UK_MR
#undef UK_NV
#undef UK_TARGET

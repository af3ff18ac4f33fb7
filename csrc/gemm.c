/* GEMM: micro-kernels for each instruction set, the run-time choice between them, and the two
 * drivers (float32 "s", float64 "d") instantiated from gemm_driver.h. */
#include "common.h"

#include <unistd.h> /* sysconf */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MINIDL_X86 1
#else
#define MINIDL_X86 0
#endif

enum { ISA_GENERIC = 0, ISA_AVX2 = 1, ISA_AVX512 = 2, ISA_COUNT = 3 };

/* ---- micro-kernels: (type, ISA) -> tile MR x NR = UK_MR x (UK_NV * UK_VLEN) ------------------- */
/* generic: 4-wide vectors, which GCC lowers to SSE2 on x86-64 and to scalar code where there is no SIMD */
#define UK_NAME sgemm_ukr_generic
#define UK_T float
#define UK_VLEN 4
#define UK_MR 4
#define UK_NV 2
#define UK_TARGET
#include "gemm_ukernel.h"

#define UK_NAME dgemm_ukr_generic
#define UK_T double
#define UK_VLEN 2
#define UK_MR 4
#define UK_NV 2
#define UK_TARGET
#include "gemm_ukernel.h"

#if MINIDL_X86
/* AVX2 + FMA: 16 ymm registers = 12 accumulators (6 x 2) + 2 for B + 1 broadcast of A */
#define UK_NAME sgemm_ukr_avx2
#define UK_T float
#define UK_VLEN 8
#define UK_MR 6
#define UK_NV 2
#define UK_TARGET __attribute__((target("avx2,fma")))
#include "gemm_ukernel.h"

#define UK_NAME dgemm_ukr_avx2
#define UK_T double
#define UK_VLEN 4
#define UK_MR 6
#define UK_NV 2
#define UK_TARGET __attribute__((target("avx2,fma")))
#include "gemm_ukernel.h"

/* AVX-512F, 6 rows x 64 columns: 32 zmm registers = 24 accumulators (6 x 4) + 4 for B + 1 broadcast
 * of A; 10 loads feed 24 FMAs. Measured faster than a 12 x 32 tile (the same 24 accumulators, 14
 * loads) on n = 512..2048 products (1 thread: 1.01-1.08x OpenBLAS's speed where 12 x 32 gave
 * 0.90-0.94x), and it pads few-row matrices less (LeNet's 6 filters). */
#define UK_NAME sgemm_ukr_avx512_6
#define UK_T float
#define UK_VLEN 16
#define UK_MR 6
#define UK_NV 4
#define UK_TARGET __attribute__((target("avx512f")))
#include "gemm_ukernel.h"

#define UK_NAME dgemm_ukr_avx512_6
#define UK_T double
#define UK_VLEN 8
#define UK_MR 6
#define UK_NV 4
#define UK_TARGET __attribute__((target("avx512f")))
#include "gemm_ukernel.h"

/* AVX-512F, 8 rows x 32 columns: for 8, 16 or 32 rows (a convolution's filters), which 6-row tiles
 * pad by an eighth or more. 16 accumulators still cover the FMA latency. */
#define UK_NAME sgemm_ukr_avx512_8
#define UK_T float
#define UK_VLEN 16
#define UK_MR 8
#define UK_NV 2
#define UK_TARGET __attribute__((target("avx512f")))
#include "gemm_ukernel.h"

#define UK_NAME dgemm_ukr_avx512_8
#define UK_T double
#define UK_VLEN 8
#define UK_MR 8
#define UK_NV 2
#define UK_TARGET __attribute__((target("avx512f")))
#include "gemm_ukernel.h"

#endif

/* ---- dot-product kernels (no packing), see dot_kernel.h ---------------------------------------- */
#define DK_NAME sdot_generic
#define DK_T float
#define DK_VLEN 4
#define DK_TARGET
#define DK_MB 3
#define DK_NB 3
#include "dot_kernel.h"

#define DK_NAME ddot_generic
#define DK_T double
#define DK_VLEN 2
#define DK_TARGET
#define DK_MB 3
#define DK_NB 3
#include "dot_kernel.h"

#if MINIDL_X86
#define DK_NAME sdot_avx2
#define DK_T float
#define DK_VLEN 8
#define DK_TARGET __attribute__((target("avx2,fma")))
#define DK_MB 3
#define DK_NB 3
#include "dot_kernel.h"

#define DK_NAME ddot_avx2
#define DK_T double
#define DK_VLEN 4
#define DK_TARGET __attribute__((target("avx2,fma")))
#define DK_MB 3
#define DK_NB 3
#include "dot_kernel.h"

#define DK_NAME sdot_avx512
#define DK_T float
#define DK_VLEN 16
#define DK_TARGET __attribute__((target("avx512f")))
#define DK_MB 4
#define DK_NB 4
#include "dot_kernel.h"

#define DK_NAME ddot_avx512
#define DK_T double
#define DK_VLEN 8
#define DK_TARGET __attribute__((target("avx512f")))
#define DK_MB 4
#define DK_NB 4
#include "dot_kernel.h"
#endif

#define UKR(name, mr, nr) {name, name##_shifted, mr, nr} /* both kernels of one tile */
/* per ISA: the micro-kernels, the main one first; the GEMM takes another only where it pads M by a
 * tenth less (see minidl_sgemm_kernel). All of them sum every element of C in the same order, so
 * the choice never changes a bit of the result. */
#define KERNEL_CHOICES 2
#if MINIDL_X86
static const minidl_sgemm_ukr SGEMM_KERNELS[ISA_COUNT][KERNEL_CHOICES] = {
    {UKR(sgemm_ukr_generic, 4, 8)},
    {UKR(sgemm_ukr_avx2, 6, 16)},
    {UKR(sgemm_ukr_avx512_6, 6, 64), UKR(sgemm_ukr_avx512_8, 8, 32)}};
static const minidl_dgemm_ukr DGEMM_KERNELS[ISA_COUNT][KERNEL_CHOICES] = {
    {UKR(dgemm_ukr_generic, 4, 4)},
    {UKR(dgemm_ukr_avx2, 6, 8)},
    {UKR(dgemm_ukr_avx512_6, 6, 32), UKR(dgemm_ukr_avx512_8, 8, 16)}};
#else
static const minidl_sgemm_ukr SGEMM_KERNELS[1][KERNEL_CHOICES] = {{UKR(sgemm_ukr_generic, 4, 8)}};
static const minidl_dgemm_ukr DGEMM_KERNELS[1][KERNEL_CHOICES] = {{UKR(dgemm_ukr_generic, 4, 4)}};
#endif

/* ---- choosing the instruction set at run time ------------------------------------------------ */
int minidl_isa_supported(int isa)
{
    if (isa == ISA_GENERIC)
        return 1;
#if MINIDL_X86
    __builtin_cpu_init();
    if (isa == ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == ISA_AVX512)
        return __builtin_cpu_supports("avx512f");
#endif
    return 0;
}

static int g_isa = -1; /* -1: not chosen yet; the best supported one on first use */

int minidl_get_isa(void)
{
    if (g_isa < 0) {
        int best = ISA_GENERIC;
        for (int isa = ISA_GENERIC; isa < ISA_COUNT; isa++)
            if (minidl_isa_supported(isa))
                best = isa;
        g_isa = best;
    }
    return g_isa;
}

int minidl_set_isa(int isa)
{
    if (isa < 0 || isa >= ISA_COUNT || !minidl_isa_supported(isa))
        return -1;
    g_isa = isa;
    return 0;
}

const char *minidl_isa_name(int isa)
{
    static const char *names[ISA_COUNT] = {"generic", "avx2+fma", "avx512f"};
    return isa >= 0 && isa < ISA_COUNT ? names[isa] : "unknown";
}

const char *minidl_build_info(void)
{
    return "compiler " __VERSION__
#ifdef _OPENMP
           ", OpenMP yes"
#else
           ", OpenMP no (single-threaded)"
#endif
#ifdef MINIDL_CFLAGS_STR
           ", flags " MINIDL_CFLAGS_STR
#endif
#if defined(__AVX512F__)
           ", baseline avx512f"
#elif defined(__AVX2__)
           ", baseline avx2"
#else
           ", baseline portable"
#endif
        ;
}

/* C (M x N) (+)= A (M x K) @ B^T for row-major A and B (N x K; row j at B + boff[j] when boff is
 * given), one thread, no packing. */
void minidl_sgemm_nt_dot(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                         const float *B, int64_t ldb, const int64_t *boff, float *C, int64_t ldc,
                         int beta)
{
#if MINIDL_X86
    static void (*const fns[ISA_COUNT])(int64_t, int64_t, int64_t, const float *, int64_t,
                                        const float *, int64_t, const int64_t *, float *, int64_t,
                                        int) = {sdot_generic, sdot_avx2, sdot_avx512};
    fns[minidl_get_isa()](M, N, K, A, lda, B, ldb, boff, C, ldc, beta);
#else
    sdot_generic(M, N, K, A, lda, B, ldb, boff, C, ldc, beta);
#endif
}

void minidl_dgemm_nt_dot(int64_t M, int64_t N, int64_t K, const double *A, int64_t lda,
                         const double *B, int64_t ldb, const int64_t *boff, double *C, int64_t ldc,
                         int beta)
{
#if MINIDL_X86
    static void (*const fns[ISA_COUNT])(int64_t, int64_t, int64_t, const double *, int64_t,
                                        const double *, int64_t, const int64_t *, double *, int64_t,
                                        int) = {ddot_generic, ddot_avx2, ddot_avx512};
    fns[minidl_get_isa()](M, N, K, A, lda, B, ldb, boff, C, ldc, beta);
#else
    ddot_generic(M, N, K, A, lda, B, ldb, boff, C, ldc, beta);
#endif
}

/* The micro-kernel the GEMM uses for a product of M rows: the main one, unless another pads M by at
 * least a tenth less (16 rows: 16 instead of 18) and so saves more than its slower tile costs. The
 * convolution's shifted-window driver runs them too. */
static int64_t padded(int64_t M, int mr) { return (M + mr - 1) / mr * mr; }

const minidl_sgemm_ukr *minidl_sgemm_kernel(int64_t M)
{
    const minidl_sgemm_ukr *table = SGEMM_KERNELS[minidl_get_isa()];
    int best = 0;
    for (int i = 1; i < KERNEL_CHOICES && table[i].fn; i++)
        best = 10 * padded(M, table[i].mr) <= 9 * padded(M, table[best].mr) ? i : best;
    return &table[best];
}

const minidl_dgemm_ukr *minidl_dgemm_kernel(int64_t M)
{
    const minidl_dgemm_ukr *table = DGEMM_KERNELS[minidl_get_isa()];
    int best = 0;
    for (int i = 1; i < KERNEL_CHOICES && table[i].fn; i++)
        best = 10 * padded(M, table[i].mr) <= 9 * padded(M, table[best].mr) ? i : best;
    return &table[best];
}

/* ---- the drivers ------------------------------------------------------------------------------- */
/* This core's L2 cache in bytes, as the C library reports it (1 MB when it cannot tell). */
static int64_t l2_bytes(void)
{
    static int64_t cached = 0; /* the same value whichever thread sets it first */
    if (!cached) {
        long size = 0;
#ifdef _SC_LEVEL2_CACHE_SIZE
        size = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
        cached = size >= 128 * 1024 && size <= 64 * 1024 * 1024 ? size : 1024 * 1024;
    }
    return cached;
}

/* Blocking (see gemm_driver.h): the KC x NC block of B fills half of L2 (at most 640 float
 * columns on a 2 MB L2), and each 6 x KC panel of A (9 KB for float) sits in L1 while it runs
 * along that block. The MC x KC block of A only has to stay in L3: MC = 2048 packs A once per
 * k-block up to M = 2048. KC = 384 measured 5-10% faster than 256 (fewer passes over C). */
#define GD_NC_FOR(kc_bytes) (l2_bytes() / 2 / (kc_bytes))

#if defined(__SSE__) && (defined(__GNUC__) || defined(__clang__))
#include <xmmintrin.h>
/* Packs 6 or 8 rows of A whose k index is contiguous (a row-major A): ap[p*mr + r] = A(r, p).
 * Element by element that is a load and a store each, half of the packing's time at n = 256;
 * instead, 4 x 4 blocks (4 rows, 4 k) are loaded as 4 vectors and transposed in registers
 * (SSE, which every x86-64 has), giving 4 rows of ap per block; for the 2 rows left of 6, each
 * pair of vectors is interleaved and stored 2 elements at a time. 256 x 256: 7.1 us, not 10.3. */
static void spack_a_rows4(int64_t kc, const float *A, int64_t lda, int mr, float *ap)
{
    int64_t p = 0;
    for (; p + 4 <= kc; p += 4) {
        float *out = ap + p * mr;
        for (int r = 0; r + 4 <= mr; r += 4) {
            const float *a = A + r * lda + p;
            __m128 x0 = _mm_loadu_ps(a), x1 = _mm_loadu_ps(a + lda);
            __m128 x2 = _mm_loadu_ps(a + 2 * lda), x3 = _mm_loadu_ps(a + 3 * lda);
            _MM_TRANSPOSE4_PS(x0, x1, x2, x3); /* now xq = A(r .. r+3, p + q) */
            _mm_storeu_ps(out + r, x0);
            _mm_storeu_ps(out + mr + r, x1);
            _mm_storeu_ps(out + 2 * mr + r, x2);
            _mm_storeu_ps(out + 3 * mr + r, x3);
        }
        if (mr == 6) { /* rows 4 and 5 */
            const float *a = A + 4 * lda + p;
            __m128 y0 = _mm_loadu_ps(a), y1 = _mm_loadu_ps(a + lda);
            __m128 lo = _mm_unpacklo_ps(y0, y1), hi = _mm_unpackhi_ps(y0, y1);
            _mm_storel_pi((__m64 *)(out + 4), lo); /* (A(4, p), A(5, p)) */
            _mm_storeh_pi((__m64 *)(out + mr + 4), lo);
            _mm_storel_pi((__m64 *)(out + 2 * mr + 4), hi);
            _mm_storeh_pi((__m64 *)(out + 3 * mr + 4), hi);
        }
    }
    for (; p < kc; p++)
        for (int r = 0; r < mr; r++)
            ap[p * mr + r] = A[r * lda + p];
}
#define GD_PACK_A_ROWS4 spack_a_rows4
#endif

#define GD_T float
#define GD_FN minidl_sgemm
#define GD_UKR minidl_sgemm_ukr
#define GD_KERNEL_FOR minidl_sgemm_kernel
#define GD_KC 384
#define GD_MC 2048
#define GD_NC GD_NC_FOR(GD_KC * 4)
#include "gemm_driver.h"

#define GD_T double
#define GD_FN minidl_dgemm
#define GD_UKR minidl_dgemm_ukr
#define GD_KERNEL_FOR minidl_dgemm_kernel
#define GD_KC 256
#define GD_MC 1024
#define GD_NC GD_NC_FOR(GD_KC * 8)
#include "gemm_driver.h"

/* Helpers shared by the kernel sources (not part of the Python-visible interface). */
#ifndef MINIDL_COMMON_H
#define MINIDL_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minidl_kernels.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* this thread's number inside an OpenMP parallel region (0 outside one, or without OpenMP) */
static inline int minidl_thread_num(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* 64-byte aligned scratch memory for `count` elements of `size` bytes (a cache line, and a whole
 * AVX-512 register), or NULL when the size overflows or the allocation fails. Every kernel checks,
 * frees what it has, and returns MINIDL_ERR_NOMEM, which Python turns into a MemoryError: running
 * out of memory must not abort the interpreter. */
static inline void *minidl_alloc(int64_t count, size_t size)
{
    size_t bytes;
    if (count < 0 || __builtin_mul_overflow((size_t)count, size, &bytes))
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes > 0 ? bytes : 64) != 0)
        return NULL;
    return p;
}

static inline void minidl_free(void *p) { free(p); }

/* The team size actually used: at least 1, at most MINIDL_MAX_THREADS (Python refuses more; this
 * is the second line of defence, since libgomp dies when it cannot start the threads it is asked
 * for). */
static inline int minidl_team(int nthreads)
{
    return nthreads < 1 ? 1 : nthreads > MINIDL_MAX_THREADS ? MINIDL_MAX_THREADS : nthreads;
}

/* C (M x N) (+)= A (M x K) @ B^T, A and B (N x K) row-major, B's row j at B + boff[j] when boff is
 * not NULL: the unpacked kernel of dot_kernel.h */
void minidl_sgemm_nt_dot(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                         const float *B, int64_t ldb, const int64_t *boff, float *C, int64_t ldc,
                         int beta);
void minidl_dgemm_nt_dot(int64_t M, int64_t N, int64_t K, const double *A, int64_t lda,
                         const double *B, int64_t ldb, const int64_t *boff, double *C,
                         int64_t ldc, int beta);

/* A GEMM micro-kernel of tile MR x NR (gemm_ukernel.h): fn reads packed panels of A and B; shifted
 * reads B's row p in place at b + off[p]. minidl_?gemm_kernel(M) is the one the GEMM uses for M rows. */
typedef struct {
    void (*fn)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int beta);
    void (*shifted)(int64_t kc, const float *a, const float *b, const int64_t *off, float *c,
                    int64_t ldc, int beta);
    int mr, nr;
} minidl_sgemm_ukr;
typedef struct {
    void (*fn)(int64_t kc, const double *a, const double *b, double *c, int64_t ldc, int beta);
    void (*shifted)(int64_t kc, const double *a, const double *b, const int64_t *off, double *c,
                    int64_t ldc, int beta);
    int mr, nr;
} minidl_dgemm_ukr;
const minidl_sgemm_ukr *minidl_sgemm_kernel(int64_t M);
const minidl_dgemm_ukr *minidl_dgemm_kernel(int64_t M);

static inline int64_t minidl_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t minidl_max(int64_t a, int64_t b) { return a > b ? a : b; }
/* The size of blocks that cut n into as many as blocks of at most `most` would, but all alike
 * (but the last), in multiples of `unit` (`most` is one) */
static inline int64_t minidl_blocks(int64_t n, int64_t most, int64_t unit)
{
    const int64_t count = (n + most - 1) / most;
    return minidl_min(((n + count - 1) / count + unit - 1) / unit * unit, most);
}

#endif

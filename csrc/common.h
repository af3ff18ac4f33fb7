/* Helpers shared by the kernel sources (not part of the Python-visible interface). */
#ifndef MINIDL_COMMON_H
#define MINIDL_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minidl_kernels.h"

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

/* C (M x N) (+)= A (M x K) @ B^T, A and B (N x K) row-major: the unpacked kernel of dot_kernel.h */
void minidl_sgemm_nt_dot(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                         const float *B, int64_t ldb, float *C, int64_t ldc, int beta);
void minidl_dgemm_nt_dot(int64_t M, int64_t N, int64_t K, const double *A, int64_t lda,
                         const double *B, int64_t ldb, double *C, int64_t ldc, int beta);

static inline int64_t minidl_min(int64_t a, int64_t b) { return a < b ? a : b; }

#endif

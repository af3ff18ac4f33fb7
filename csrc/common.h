/* Helpers shared by the kernel sources (not part of the Python-visible interface). */
#ifndef MINIDL_COMMON_H
#define MINIDL_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minidl_kernels.h"

/* 64-byte aligned scratch memory (a cache line, and a whole AVX-512 register). Aborts rather than
 * return NULL: the scratch sizes are bounded by the blocking constants and the already-allocated
 * NumPy arrays, so running out here means the process is out of memory anyway. */
static inline void *minidl_aligned_alloc(int64_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)(bytes > 0 ? bytes : 64)) != 0)
        abort();
    return p;
}

static inline void minidl_aligned_free(void *p) { free(p); }

/* C (M x N) (+)= A (M x K) @ B^T, A and B (N x K) row-major: the unpacked kernel of dot_kernel.h */
void minidl_sgemm_nt_dot(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                         const float *B, int64_t ldb, float *C, int64_t ldc, int beta);
void minidl_dgemm_nt_dot(int64_t M, int64_t N, int64_t K, const double *A, int64_t lda,
                         const double *B, int64_t ldb, double *C, int64_t ldc, int beta);

static inline int64_t minidl_min(int64_t a, int64_t b) { return a < b ? a : b; }

#endif

/* One Adam step over a parameter array, in place, fused into a single pass (minidl/optim/adam.py
 * spells the rule out; minidl/kernels/reference.py is the same step in NumPy):
 *     m = b1*m + (1-b1)*g;   v = b2*v + (1-b2)*(g*g);   p -= m / (sqrt(v)/s2 + eps) * step
 * NumPy makes about eleven passes over the arrays for this (each operation reads and writes whole
 * arrays); here each element is loaded and stored once, which is all a memory-bound update needs.
 * Every operation is the IEEE one NumPy performs, in the same order and in the array's type (the
 * scalars rounded to it first, as NumPy rounds a Python float): with contraction into FMAs turned
 * off, the results are the same bits as the NumPy version's.
 * m and v are flushed to zero when they fall below the smallest normal number (TINY): a parameter
 * whose gradient stays zero (a dead ReLU's weights) has m shrink by beta1 every step, into the
 * subnormal range after ~750 steps, where every multiply takes ~100 cycles instead of one; a LeNet
 * step then slowed by 12% (benchmarks/bench_drift.py). Such an m moves its parameter by less than
 * 1e-38 * lr, which no float32 weight can register. */
#include <float.h>

#include "common.h"

#if defined(__GNUC__) && !defined(__clang__)
#define AD_EXACT __attribute__((optimize("fp-contract=off")))
#else
#define AD_EXACT
#endif

#define AD_DEFINE(T, SFX, SQRT, TINY)                                                                  \
    AD_EXACT int minidl_adam_step_##SFX(int64_t n, T *p, const T *g, T *m, T *v, double beta1,    \
                                        double beta2, double step_size, double sqrt_bc2,           \
                                        double eps)                                                \
    {                                                                                              \
        const T b1 = (T)beta1, c1 = (T)(1 - beta1), b2 = (T)beta2, c2 = (T)(1 - beta2);          \
        const T s2 = (T)sqrt_bc2, e = (T)eps, step = (T)step_size;                                 \
        for (int64_t i = 0; i < n; i++) {                                                          \
            const T gi = g[i];                                                                     \
            T mi = m[i] * b1 + c1 * gi, vi = v[i] * b2 + c2 * (gi * gi);                           \
            mi = mi < TINY && mi > -TINY ? 0 : mi;                                                 \
            vi = vi < TINY ? 0 : vi;                                                               \
            m[i] = mi;                                                                             \
            v[i] = vi;                                                                             \
            p[i] -= mi / (SQRT(vi) / s2 + e) * step;                                               \
        }                                                                                          \
        return MINIDL_OK;                                                                          \
    }

AD_DEFINE(float, f32, __builtin_sqrtf, FLT_MIN)
AD_DEFINE(double, f64, __builtin_sqrt, DBL_MIN)

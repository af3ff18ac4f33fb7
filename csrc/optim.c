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
#include <string.h>

#include "common.h"

#if defined(__GNUC__) && !defined(__clang__)
/* no-trapping-math only lets GCC compute both sides of a select (to vectorize the loop); the
 * operations, and so the values, stay the same */
#define AD_EXACT                                                                                   \
    __attribute__((optimize("fp-contract=off", "no-trapping-math"),                               \
                   target_clones("avx512f", "avx2", "default")))
#else
#define AD_EXACT
#endif

/* A gradient so small that (1-b2)*g*g is subnormal (|g| < ~1e-17 for float32: a saturated
 * softmax's far-off classes) costs the same ~100-cycle assists, in g*g itself: a 784x1024 Adam step
 * took 20.7 ms instead of 0.57 (NumPy: 9.8). Below |g| = SMALL (half the size from which the term is
 * normal) the term is under TINY / 4, and adding it to w = b2*v changes nothing when w is 0 (the sum
 * is flushed) or at least WMIN (the term is under half of w's last place): those lanes use g*g = 0.
 * A chunk of 256 where some w lies strictly between 0 and WMIN (a v decaying towards TINY: rare)
 * does every IEEE operation, as NumPy does. Either way the bits are NumPy's; the tiny-gradient step
 * above now takes 0.53 ms. The loops are compiled for AVX-512, AVX2 and baseline x86-64 (GCC picks
 * one at load time): wider vectors, the same operations. */
#define AD_CHUNK 256

#define AD_DEFINE(T, UT, SFX, SQRT, TINY, WMIN)                                                          \
    AD_EXACT int minidl_adam_step_##SFX(int64_t n, T *p, const T *g, T *m, T *v, double beta1,    \
                                        double beta2, double step_size, double sqrt_bc2,           \
                                        double eps)                                                \
    {                                                                                              \
        const T b1 = (T)beta1, c1 = (T)(1 - beta1), b2 = (T)beta2, c2 = (T)(1 - beta2);          \
        const T s2 = (T)sqrt_bc2, e = (T)eps, step = (T)step_size;                                 \
        const T small = c2 > 0 ? (T)(0.5 * SQRT((double)TINY / (double)c2)) : (T)0;              \
        for (int64_t i0 = 0; i0 < n; i0 += AD_CHUNK) {                                            \
            const int64_t i1 = n - i0 < AD_CHUNK ? n : i0 + AD_CHUNK;                             \
            int exact = 0; /* any tiny lane that the shortcut does not cover */                   \
            for (int64_t i = i0; i < i1; i++) {                                                    \
                const T w = v[i] * b2;                                                             \
                exact |= (w != 0) & (w < WMIN);                                                    \
            }                                                                                      \
            const T cut = exact ? 0 : small; /* below it the term is taken as 0 */                 \
            for (int64_t i = i0; i < i1; i++) {                                                    \
                const T gi = g[i];                                                                 \
                /* gg = gi, or +0 below the cut (a NaN is not below it), by masking gi's bits: as a  \
                 * select, GCC would compute gi*gi in every lane and select after */               \
                UT bits;                                                                           \
                memcpy(&bits, &gi, sizeof bits);                                                   \
                bits &= (UT)0 - (UT)!(gi < cut && gi > -cut);                                      \
                T gg;                                                                              \
                memcpy(&gg, &bits, sizeof gg);                                                     \
                T mi = m[i] * b1 + c1 * gi, vi = v[i] * b2 + c2 * (gg * gg);                       \
                mi = mi < TINY && mi > -TINY ? 0 : mi;                                             \
                vi = vi < TINY ? 0 : vi;                                                           \
                m[i] = mi;                                                                         \
                v[i] = vi;                                                                         \
                p[i] -= mi / (SQRT(vi) / s2 + e) * step;                                           \
            }                                                                                      \
        }                                                                                          \
        return MINIDL_OK;                                                                          \
    }

AD_DEFINE(float, uint32_t, f32, __builtin_sqrtf, FLT_MIN, 0x1p-100f)
AD_DEFINE(double, uint64_t, f64, __builtin_sqrt, DBL_MIN, 0x1p-960)

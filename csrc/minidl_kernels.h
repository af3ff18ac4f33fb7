/* minidl C kernels: the interface Python sees (through cffi, which reads this file's declarations).
 *
 * Contract: the Python dispatcher (minidl/kernels/api.py) has validated everything. Every pointer is
 * a buffer of the stated size, 4-D arrays are C-contiguous NCHW, sizes are >= 0 (a channel count may be 0) and consistent. The
 * kernels write only into the output buffers they are handed and allocate only private scratch space.
 * `nthreads` is the OpenMP team size to use (clamped to 1 .. MINIDL_MAX_THREADS).
 *
 * Every kernel returns MINIDL_OK, or MINIDL_ERR_NOMEM when its scratch memory could not be
 * allocated (it has then freed what it had; its output is unspecified). Python raises MemoryError.
 * Results do not depend on how the threads are scheduled: every output element is computed by one
 * thread in a fixed order, and the one reduction across threads (the conv weight gradient) sums a
 * fixed partition of the images in a fixed order.
 */
#ifndef MINIDL_KERNELS_H
#define MINIDL_KERNELS_H
#include <stdint.h>

enum { MINIDL_OK = 0, MINIDL_ERR_NOMEM = 1, MINIDL_MAX_THREADS = 256 };

/* C = A @ B (beta = 0) or C += A @ B (beta = 1). A is M x K with element strides (rsa, csa), B is
 * K x N with strides (rsb, csb): transposed or strided views need no copy. C is M x N, row stride ldc. */
int minidl_sgemm(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa,
                 const float *B, int64_t rsb, int64_t csb, float *C, int64_t ldc, int beta,
                 int nthreads);
int minidl_dgemm(int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa, int64_t csa,
                 const double *B, int64_t rsb, int64_t csb, double *C, int64_t ldc, int beta,
                 int nthreads);

/* Convolution geometry, shared by the three conv kernels (OH, OW already computed by Python). */
typedef struct {
    int64_t n, c, h, w;     /* input  (N, C, H, W)   */
    int64_t f, kh, kw;      /* weight (F, C, KH, KW) */
    int64_t oh, ow;         /* output (N, F, OH, OW) */
    int64_t sh, sw, ph, pw, dh, dw;
} minidl_conv_shape;

int minidl_conv2d_forward_f32(const minidl_conv_shape *s, const float *x, const float *w,
                              const float *bias, float *y, int nthreads);
int minidl_conv2d_forward_f64(const minidl_conv_shape *s, const double *x, const double *w,
                              const double *bias, double *y, int nthreads);
int minidl_conv2d_backward_input_f32(const minidl_conv_shape *s, const float *gy, const float *w,
                                     float *gx, int nthreads);
int minidl_conv2d_backward_input_f64(const minidl_conv_shape *s, const double *gy, const double *w,
                                     double *gx, int nthreads);
int minidl_conv2d_backward_weight_f32(const minidl_conv_shape *s, const float *gy, const float *x,
                                      float *gw, int nthreads);
int minidl_conv2d_backward_weight_f64(const minidl_conv_shape *s, const double *gy, const double *x,
                                      double *gw, int nthreads);
int minidl_conv2d_backward_bias_f32(const minidl_conv_shape *s, const float *gy, float *gb);
int minidl_conv2d_backward_bias_f64(const minidl_conv_shape *s, const double *gy, double *gb);

/* Pooling over planes: x is (NC, H, W), y and indices (NC, OH, OW). Indices are h*W + w. */
typedef struct {
    int64_t nc, h, w, oh, ow, kh, kw, sh, sw, ph, pw;
} minidl_pool_shape;

int minidl_max_pool2d_forward_f32(const minidl_pool_shape *s, const float *x, float *y,
                                  int64_t *indices, int nthreads);
int minidl_max_pool2d_forward_f64(const minidl_pool_shape *s, const double *x, double *y,
                                  int64_t *indices, int nthreads);
int minidl_max_pool2d_backward_f32(const minidl_pool_shape *s, const float *gy,
                                   const int64_t *indices, float *gx, int nthreads);
int minidl_max_pool2d_backward_f64(const minidl_pool_shape *s, const double *gy,
                                   const int64_t *indices, double *gx, int nthreads);
/* -1 when every index is a pixel of the image inside its own window, else the flat position of the
 * first one that is not (max_pool2d_backward relies on this check: it scatters without bounds tests) */
int64_t minidl_max_pool2d_check_indices(const minidl_pool_shape *s, const int64_t *indices,
                                        int nthreads);
int minidl_avg_pool2d_forward_f32(const minidl_pool_shape *s, const float *x, float *y, int nthreads);
int minidl_avg_pool2d_forward_f64(const minidl_pool_shape *s, const double *x, double *y,
                                  int nthreads);
int minidl_avg_pool2d_backward_f32(const minidl_pool_shape *s, const float *gy, float *gx,
                                   int nthreads);
int minidl_avg_pool2d_backward_f64(const minidl_pool_shape *s, const double *gy, double *gx,
                                   int nthreads);

/* One Adam step in place over n elements (p, m, v updated; see csrc/optim.c) */
int minidl_adam_step_f32(int64_t n, float *p, const float *g, float *m, float *v, double beta1,
                         double beta2, double step_size, double sqrt_bc2, double eps);
int minidl_adam_step_f64(int64_t n, double *p, const double *g, double *m, double *v, double beta1,
                         double beta2, double step_size, double sqrt_bc2, double eps);

/* Which micro-kernel the GEMM uses: 0 = generic C, 1 = AVX2+FMA, 2 = AVX-512F. minidl_set_isa
 * returns 0, or -1 when this CPU (or this build) cannot run that path. minidl_isa_supported tells. */
int minidl_get_isa(void);
int minidl_set_isa(int isa);
int minidl_isa_supported(int isa);
const char *minidl_isa_name(int isa);
const char *minidl_build_info(void);

#endif

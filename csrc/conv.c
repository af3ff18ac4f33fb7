/* conv2d forward and backward (input, weight, bias) for float32 and float64: see conv_impl.h. */
#include "common.h"

#define CV_T float
#define CV_SFX f32
#define CV_GEMM minidl_sgemm
#define CV_DOT minidl_sgemm_nt_dot
#define CV_UKR minidl_sgemm_ukr
#define CV_KERNEL minidl_sgemm_kernel
#include "conv_shifted.h"
#include "conv_impl.h"

#define CV_T double
#define CV_SFX f64
#define CV_GEMM minidl_dgemm
#define CV_DOT minidl_dgemm_nt_dot
#define CV_UKR minidl_dgemm_ukr
#define CV_KERNEL minidl_dgemm_kernel
#include "conv_shifted.h"
#include "conv_impl.h"

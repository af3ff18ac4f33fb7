/* conv2d forward and backward (input, weight, bias) for float32 and float64: see conv_impl.h. */
#include "common.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define CV_T float
#define CV_SFX f32
#define CV_GEMM minidl_sgemm
#include "conv_impl.h"

#define CV_T double
#define CV_SFX f64
#define CV_GEMM minidl_dgemm
#include "conv_impl.h"

/* max_pool2d and avg_pool2d, forward and backward, float32 and float64: see pool_impl.h. */
#include "common.h"

#define PL_T float
#define PL_SFX f32
#include "pool_impl.h"

#define PL_T double
#define PL_SFX f64
#include "pool_impl.h"

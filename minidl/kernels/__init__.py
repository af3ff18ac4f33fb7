"""Array kernels (no autograd): GEMM, conv2d forward/backward, max/avg pooling forward/backward, and
Adam's fused update.

Each kernel exists three times with one signature: a NumPy reference (`reference.py`, the readable
version and the test oracle), a Numba version (`numba_kernels.py`) and a C version (`csrc/`, bound by
cffi in `c_backend.py`). The functions below validate their arguments once and run the backend chosen
with `set_backend` / `use_backend` / `MINIDL_BACKEND` ("auto" by default: the fastest built one).
`python -m minidl.kernels` prints what is built.
"""

from .api import (
    adam_step,
    avg_pool2d,
    avg_pool2d_backward,
    conv2d,
    conv2d_bias,
    conv2d_geometry,
    conv2d_input,
    conv2d_weight,
    matmul,
    max_pool2d,
    max_pool2d_backward,
    pool2d_geometry,
)
from .dispatch import (
    available_backends,
    backend_name_for,
    get_backend,
    set_backend,
    use_backend,
)
from .threads import get_num_threads, set_num_threads

__all__ = [
    "adam_step",
    "available_backends",
    "avg_pool2d",
    "avg_pool2d_backward",
    "backend_name_for",
    "conv2d",
    "conv2d_bias",
    "conv2d_geometry",
    "conv2d_input",
    "conv2d_weight",
    "get_backend",
    "get_num_threads",
    "matmul",
    "max_pool2d",
    "max_pool2d_backward",
    "pool2d_geometry",
    "set_backend",
    "set_num_threads",
    "use_backend",
]

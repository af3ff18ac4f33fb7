"""Shared pieces of the kernel tests: the backends to drive, and hypothesis strategies for
convolution and pooling geometries (kept small: every example runs every backend)."""

import os

import numpy as np
from hypothesis import strategies as st

from minidl import kernels

# every built backend, or those named in MINIDL_TEST_BACKENDS (csrc/sanitize.sh tests only "c")
BACKENDS = [
    name
    for name in kernels.available_backends()
    if name in os.environ.get("MINIDL_TEST_BACKENDS", name).split(",")
]
DTYPES = [np.float32, np.float64]
# float32 sums of a few hundred products carry ~1e-6 relative error; float64 ~1e-15
TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def tol(dtype) -> dict:
    return TOL[np.dtype(dtype).type]


@st.composite
def conv_configs(draw, max_size: int = 9, max_batch: int = 3, max_channels: int = 3):
    """(x_shape, w_shape, stride, padding, dilation) with a kernel that fits the padded input."""
    n = draw(st.integers(1, max_batch))
    c = draw(st.integers(1, max_channels))
    f = draw(st.integers(1, max_channels + 1))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    low_h, low_w = max(1, span_h - 2 * padding[0]), max(1, span_w - 2 * padding[1])
    h = draw(st.integers(low_h, max(low_h, max_size)))
    w = draw(st.integers(low_w, max(low_w, max_size)))
    return (n, c, h, w), (f, c, kh, kw), stride, padding, dilation


@st.composite
def pool_configs(draw, max_size: int = 9, max_batch: int = 3, max_channels: int = 3):
    """(x_shape, kernel_size, stride, padding) with padding <= kernel/2, as PyTorch requires."""
    n, c = draw(st.integers(1, max_batch)), draw(st.integers(1, max_channels))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    low_h, low_w = max(1, k[0] - 2 * padding[0]), max(1, k[1] - 2 * padding[1])
    h = draw(st.integers(low_h, max(low_h, max_size)))
    w = draw(st.integers(low_w, max(low_w, max_size)))
    return (n, c, h, w), k, stride, padding


def random_array(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    return rng.standard_normal(shape).astype(dtype)

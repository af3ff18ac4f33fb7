"""Pooling layers: `MaxPool1d/2d`, `AvgPool1d/2d` (their arithmetic and gradients are the 2-D
primitives in `minidl.ops.conv`, on the C / Numba / NumPy kernels; 1-D inputs get a unit height),
and `AdaptiveAvgPool1d/2d` beside their functional forms.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import float_input, int_tuple
from minidl.nn.module import Module
from minidl.ops.conv import avg_pool2d, max_pool2d

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "MaxPool1d", "MaxPool2d", "AvgPool1d",
    "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
]  # fmt: skip


class _PoolNd(Module):
    """Arguments and shape handling shared by the pooling layers over `_n` spatial dimensions.

    The primitives pool (N, C, H, W); unbatched inputs get a batch of one and 1-D inputs
    (N, C, L) a unit height, with window (1, k), stride (1, s) and padding (0, p)."""

    _n = 2
    _unsupported: dict = {}

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, **options):
        super().__init__()
        name, n = type(self).__name__, self._n
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, n, 1)
        self.stride = (
            self.kernel_size if stride is None else int_tuple(name, "stride", stride, n, 1)
        )
        self.padding = int_tuple(name, "padding", padding, n, 0)
        # PyTorch options minidl's pooling kernels do not implement: accepted at their defaults
        defaults = {"ceil_mode": False, **self._unsupported}
        for key, value in {"ceil_mode": ceil_mode, **options}.items():
            if value != defaults[key]:
                raise NotImplementedError(
                    f"{name}: {key}={value!r} is not supported by minidl (only {key}="
                    f"{defaults[key]!r}); see the differences-from-PyTorch table"
                )
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(
                f"{name}: pad should be at most half of effective kernel size; received "
                f"padding={padding}, kernel_size={kernel_size}"
            )
        if n == 1:  # the (1, k) window of the 2-D primitive
            self._geometry = ((1, *self.kernel_size), (1, *self.stride), (0, *self.padding))
        else:
            self._geometry = (self.kernel_size, self.stride, self.padding)

    def forward(self, x: Tensor) -> Tensor:
        name, n = type(self).__name__, self._n
        float_input(name, x)
        if x.ndim not in (n + 1, n + 2):
            dims = "L" if n == 1 else "H, W"
            raise ValueError(
                f"{name}(kernel_size={self.kernel_size}) expects input (N, C, {dims}) or "
                f"(C, {dims}); got {tuple(x.shape)}"
            )
        batched = x.ndim == n + 2
        y = x if batched else x.unsqueeze(0)
        if n == 1:
            y = y.unsqueeze(2)
        y = self._pool(y, *self._geometry)
        if n == 1:
            y = y.squeeze(2)
        return y if batched else y.squeeze(0)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _MaxPool(_PoolNd):
    """y = the maximum over each window (stride defaults to the window: no overlap).

    The gradient flows only to the position of each window's maximum. `dilation`,
    `return_indices` and `ceil_mode` are accepted at PyTorch's defaults only."""

    _unsupported = {"dilation": 1, "return_indices": False}
    _pool = staticmethod(max_pool2d)

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ):
        super().__init__(
            kernel_size,
            stride,
            padding,
            ceil_mode,
            dilation=dilation,
            return_indices=return_indices,
        )


class _AvgPool(_PoolNd):
    """y = the mean over each window (zero padding counted, PyTorch's default). `ceil_mode`,
    `count_include_pad` and `divisor_override` are accepted at their defaults only."""

    _unsupported = {"count_include_pad": True, "divisor_override": None}
    _pool = staticmethod(avg_pool2d)

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ):
        super().__init__(
            kernel_size,
            stride,
            padding,
            ceil_mode,
            count_include_pad=count_include_pad,
            divisor_override=divisor_override,
        )


class MaxPool2d(_MaxPool):
    """Max over kH × kW windows of (N, C, H, W) or (C, H, W) images; see `_MaxPool`."""


class MaxPool1d(_MaxPool):
    """Max over windows of length k of (N, C, L) or (C, L) sequences; see `_MaxPool`."""

    _n = 1


class AvgPool2d(_AvgPool):
    """Mean over kH × kW windows of (N, C, H, W) or (C, H, W) images; see `_AvgPool`."""


class AvgPool1d(_AvgPool):
    """Mean over windows of length k of (N, C, L) or (C, L) sequences; see `_AvgPool`."""

    _n = 1


def _adaptive_matrix(n_in: int, n_out: int, dtype) -> np.ndarray:
    """A (n_out, n_in) averaging matrix: row i averages x[start_i:end_i] with PyTorch's windows
    start_i = ⌊i·n_in / n_out⌋ and end_i = ⌈(i + 1)·n_in / n_out⌉ (they overlap when n_out does
    not divide n_in)."""
    a = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start, end = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
        a[i, start:end] = 1.0 / (end - start)
    return a


def _output_size(where: str, output_size, shape: tuple) -> tuple:
    sizes = (
        (output_size, output_size) if not isinstance(output_size, (tuple, list)) else output_size
    )
    sizes = tuple(n if s is None else s for s, n in zip(sizes, shape)) if len(sizes) == 2 else sizes
    return int_tuple(where, "output_size", sizes, 2, 1)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average-pool (N, C, H, W) or (C, H, W) to a fixed (OH, OW), whatever H and W are.

    The windows are PyTorch's (see `_adaptive_matrix`); since averaging rows and then columns is
    linear, y = A_h · x · A_wᵀ with the two averaging matrices — two matmuls whose gradients are
    the transposed products. (1, 1) is global average pooling.
    """
    float_input("adaptive_avg_pool2d", input)
    if input.ndim not in (3, 4):
        raise ValueError(
            "adaptive_avg_pool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input; received "
            f"shape {tuple(input.shape)}"
        )
    h, w = input.shape[-2:]
    oh, ow = _output_size("adaptive_avg_pool2d", output_size, (h, w))
    if (oh, ow) == (1, 1):
        return input.mean(axis=(-2, -1), keepdims=True)
    a_h = Tensor(_adaptive_matrix(h, oh, input.dtype))
    a_w = Tensor(_adaptive_matrix(w, ow, input.dtype))
    return a_h @ input @ a_w.T  # (OH, H) @ (..., H, W) @ (W, OW) -> (..., OH, OW)


class AdaptiveAvgPool2d(Module):
    """Average-pool to a fixed output size (OH, OW) (an int for a square; None keeps that
    dimension): how a classifier head accepts any image size. See `adaptive_avg_pool2d`."""

    def __init__(self, output_size):
        super().__init__()
        sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
        _output_size("AdaptiveAvgPool2d", output_size, tuple(1 if s is None else s for s in sizes))
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average-pool (N, C, L) or (C, L) to length `output_size` with PyTorch's windows:
    y = x · Aᵀ with the (output_size, L) averaging matrix of `_adaptive_matrix`."""
    float_input("adaptive_avg_pool1d", input)
    if input.ndim not in (2, 3):
        raise ValueError(
            "adaptive_avg_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input; received shape "
            f"{tuple(input.shape)}"
        )
    (n_out,) = int_tuple("adaptive_avg_pool1d", "output_size", output_size, 1, 1)
    a = Tensor(_adaptive_matrix(input.shape[-1], n_out, input.dtype))
    return input @ a.T  # (..., L) @ (L, OL)


class AdaptiveAvgPool1d(Module):
    """Average-pool sequences to a fixed length; see `adaptive_avg_pool1d`."""

    def __init__(self, output_size: int):
        super().__init__()
        int_tuple("AdaptiveAvgPool1d", "output_size", output_size, 1, 1)
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool1d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"

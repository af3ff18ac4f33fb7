"""Pooling layers on images (N, C, H, W): `MaxPool2d`, `AvgPool2d` (their arithmetic and
gradients are the primitives in `minidl.ops.conv`, on the C / Numba / NumPy kernels), and
`AdaptiveAvgPool2d` beside its functional form `adaptive_avg_pool2d`.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import float_input, int_tuple
from minidl.nn.module import Module
from minidl.ops.conv import avg_pool2d, max_pool2d

__all__ = ["adaptive_avg_pool2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, **options):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, 2, 1)
        self.stride = (
            self.kernel_size if stride is None else int_tuple(name, "stride", stride, 2, 1)
        )
        self.padding = int_tuple(name, "padding", padding, 2, 0)
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

    _unsupported: dict = {}

    def _check(self, x: Tensor) -> None:
        float_input(type(self).__name__, x)
        if x.ndim != 4:
            raise ValueError(
                f"{type(self).__name__}(kernel_size={self.kernel_size}) expects input (N, C, H, W); "
                f"got {tuple(x.shape)}"
            )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """y = the maximum over each kH × kW window (stride defaults to the window: no overlap).

    The gradient flows only to the position of each window's maximum. `dilation`,
    `return_indices` and `ceil_mode` are accepted at PyTorch's defaults only."""

    _unsupported = {"dilation": 1, "return_indices": False}

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

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """y = the mean over each kH × kW window (zero padding counted, PyTorch's default).
    `ceil_mode`, `count_include_pad` and `divisor_override` are accepted at their defaults only."""

    _unsupported = {"count_include_pad": True, "divisor_override": None}

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

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)


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

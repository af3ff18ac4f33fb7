"""Convolution and pooling layers on images (N, C, H, W): `Conv2d`, `MaxPool2d`, `AvgPool2d`.

The arithmetic and its gradients are in `minidl.ops.conv` (on the C / Numba / NumPy kernels); these
modules hold the weights and hyperparameters and check the input's shape.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.linear import add_weight_and_bias, check_positive, init_fan_in_uniform
from minidl.nn.module import Module
from minidl.ops.conv import avg_pool2d, conv2d, max_pool2d


def _pair(layer: str, name: str, value, minimum: int) -> tuple[int, int]:
    """An int or (h, w) pair of ints >= minimum, as a pair (PyTorch's `_pair`)."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum for v in pair
    ):
        what = "positive" if minimum > 0 else "non-negative"
        raise ValueError(
            f"{layer}: {name} must be a {what} int or a pair of them; received {name}={value!r}"
        )
    return int(pair[0]), int(pair[1])


class Conv2d(Module):
    """y[n, f] = b[f] + Σ_c w[f, c] ⋆ x[n, c]  (cross-correlation, as in PyTorch), with
    w (out_channels, in_channels, kH, kW), zero padding, stride and dilation.

    Output size per spatial dimension: ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1. Initialised as PyTorch:
    w and b ~ U(±1/√fan_in), fan_in = in_channels · kH · kW, from `generator`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        bias: bool = True,
        generator=None,
    ):
        super().__init__()
        check_positive("Conv2d", in_channels=in_channels, out_channels=out_channels)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride = _pair("Conv2d", "stride", stride, 1)
        self.padding = _pair("Conv2d", "padding", padding, 0)
        self.dilation = _pair("Conv2d", "dilation", dilation, 1)
        self._short = f"Conv2d({in_channels}, {out_channels}, {kernel_size})"
        add_weight_and_bias(self, (out_channels, in_channels, *self.kernel_size), bias, generator)

    def reset_parameters(self, generator=None) -> None:
        init_fan_in_uniform(self.weight, self.bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"{self._short} expects input (N, {self.in_channels}, H, W); got {tuple(x.shape)}"
            )
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        return s if self.bias is not None else s + ", bias=False"


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _pair(name, "kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else _pair(name, "stride", stride, 1)
        self.padding = _pair(name, "padding", padding, 0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(
                f"{name}: pad should be at most half of effective kernel size; received "
                f"padding={padding}, kernel_size={kernel_size}"
            )

    def _check(self, x: Tensor) -> None:
        if x.ndim != 4:
            raise ValueError(
                f"{type(self).__name__}(kernel_size={self.kernel_size}) expects input (N, C, H, W); "
                f"got {tuple(x.shape)}"
            )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """y = the maximum over each kH × kW window (stride defaults to the window: no overlap).

    The gradient flows only to the position of each window's maximum."""

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """y = the mean over each kH × kW window (zero padding counted, PyTorch's default)."""

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)

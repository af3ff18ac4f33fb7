"""Convolution and pooling as autograd Functions, on the kernels of minidl.kernels (C / Numba / NumPy).

Shapes follow PyTorch: input (N, C, H, W), weight (F, C, KH, KW), output (N, F, OH, OW) with
OH = (H + 2*ph - dh*(KH - 1) - 1) // sh + 1. Each backward computes only the gradients that
ctx.needs_input_grad asks for: a network's first convolution never computes dL/dx of its images.
"""

from __future__ import annotations

import numpy as np

from minidl import kernels
from minidl.autograd import Function
from minidl.tensor import Tensor


def _array_of(x, fn: str, name: str) -> np.ndarray:
    data = x.data if isinstance(x, Tensor) else x
    if not isinstance(data, np.ndarray):
        raise TypeError(f"{fn}: Argument `{name}` must be a Tensor. Received: {type(x).__name__}")
    return data


class Conv2d(Function):
    """y[n,f,i,j] = b[f] + Σ_{c,p,q} w[f,c,p,q] · xpad[n, c, i·sh + p·dh, j·sw + q·dw].

    Gradients (gy = dL/dy):
      dL/dx = col2im(Wᵀ · gy)    each output pixel sends w-weighted gradient back to its window
      dL/dw[f,c,p,q] = Σ_{n,i,j} gy[n,f,i,j] · xpad[n, c, i·sh + p·dh, j·sw + q·dw]
      dL/db[f] = Σ_{n,i,j} gy[n,f,i,j]
    """

    @staticmethod
    def forward(ctx, x, w, b, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
        ctx.save_for_backward(x, w)
        ctx.geometry = (stride, padding, dilation)
        return kernels.conv2d(x, w, b, stride, padding, dilation)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = kernels.conv2d_input(x.shape, w, grad, *ctx.geometry) if need_x else None
        gw = kernels.conv2d_weight(x, w.shape, grad, *ctx.geometry) if need_w else None
        gb = kernels.conv2d_bias(grad) if need_b else None
        return gx, gw, gb


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of NCHW `input` with (F, C, KH, KW) `weight`.

    stride, padding (zeros) and dilation are ints or (h, w) pairs.
    """
    x = _array_of(input, "conv2d", "input")
    w = _array_of(weight, "conv2d", "weight")
    if bias is not None:
        b = _array_of(bias, "conv2d", "bias")
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"conv2d: bias must have shape ({w.shape[0]},), one per filter. "
                f"Received: bias.shape={b.shape}, weight.shape={w.shape}"
            )
    geometry = kernels.conv2d_geometry(x.shape, w.shape, stride, padding, dilation, fn="conv2d")
    stride, padding, dilation, _ = geometry
    return Conv2d.apply(input, weight, bias, stride=stride, padding=padding, dilation=dilation)


class MaxPool2d(Function):
    """y[n,c,i,j] = max_{p,q} xpad[n, c, i·sh + p, j·sw + q]   (padding = -inf).

    dL/dx[n,c,h,w] = Σ of gy[n,c,i,j] over the windows whose arg-max is (h, w) (the first on ties);
    every other input gets 0.
    """

    @staticmethod
    def forward(ctx, x, kernel_size=(1, 1), stride=(1, 1), padding=(0, 0)):
        y, indices = kernels.max_pool2d(x, kernel_size, stride, padding)
        ctx.save_for_backward(indices)
        ctx.geometry = (x.shape, kernel_size, stride, padding)
        return y

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return kernels.max_pool2d_backward(grad, indices, *ctx.geometry)


def max_pool2d(input, kernel_size, stride=None, padding=0) -> Tensor:
    """Max over KH x KW windows; stride defaults to kernel_size, padding at most half the kernel."""
    x = _array_of(input, "max_pool2d", "input")
    k, s, p, _ = kernels.pool2d_geometry(x.shape, kernel_size, stride, padding, fn="max_pool2d")
    return MaxPool2d.apply(input, kernel_size=k, stride=s, padding=p)


class AvgPool2d(Function):
    """y[n,c,i,j] = (1 / (KH·KW)) Σ_{p,q} xpad[n, c, i·sh + p, j·sw + q]   (zero padding counted).

    dL/dx[n,c,h,w] = Σ over the windows holding (h, w) of gy[n,c,i,j] / (KH·KW).
    """

    @staticmethod
    def forward(ctx, x, kernel_size=(1, 1), stride=(1, 1), padding=(0, 0)):
        ctx.geometry = (x.shape, kernel_size, stride, padding)
        return kernels.avg_pool2d(x, kernel_size, stride, padding)

    @staticmethod
    def backward(ctx, grad):
        return kernels.avg_pool2d_backward(grad, *ctx.geometry)


def avg_pool2d(input, kernel_size, stride=None, padding=0) -> Tensor:
    """Mean over KH x KW windows (count_include_pad=True, as PyTorch's default); stride defaults to
    kernel_size."""
    x = _array_of(input, "avg_pool2d", "input")
    k, s, p, _ = kernels.pool2d_geometry(x.shape, kernel_size, stride, padding, fn="avg_pool2d")
    return AvgPool2d.apply(input, kernel_size=k, stride=s, padding=p)

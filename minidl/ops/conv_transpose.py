"""Transposed convolution ("deconvolution") as an autograd Function, on the conv2d kernels.

A convolution y = conv2d(z, w) is linear in z; its transpose maps y-shaped tensors back to z-shaped
ones. That transpose is exactly what conv2d's input-gradient kernel computes, so

    conv_transpose2d(x, w) = conv2d_input(x; w)       x (N, C_in, H, W), w (C_in, C_out, KH, KW)

— the same weight tensor read as a convolution from C_out to C_in channels. Its output size is
H_out = (H − 1)·s − 2p + d·(KH − 1) + output_padding + 1 (the largest z that conv2d maps to H
rows; output_padding picks among the sizes that all map to H when s > 1). The gradients are the
other two convolution kernels, with the roles of input and output swapped:

    dL/dx = conv2d(g, w)                (the forward convolution of the upstream gradient)
    dL/dw = conv2d_weight(g, w.shape, x)    (z = g is the "input", x the "output gradient")
    dL/db = Σ_{n,i,j} g[n, :, i, j]
"""

from __future__ import annotations

import numpy as np

from minidl import kernels
from minidl.autograd import Function, Tensor


class ConvTranspose2d(Function):
    """y = conv2d_input(x; w) + b, see the module docstring for the size and the gradients."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, output_size):
        ctx.save_for_backward(x, w)
        ctx.geometry = (stride, padding, dilation)
        y = kernels.conv2d_input(output_size, w, x, stride, padding, dilation)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g = np.ascontiguousarray(g)
        gx = kernels.conv2d(g, w, None, *ctx.geometry) if need_x else None
        gw = kernels.conv2d_weight(g, w.shape, x, *ctx.geometry) if need_w else None
        gb = g.sum(axis=(0, 2, 3)) if need_b else None
        return gx, gw, gb


def transposed_output_size(
    in_size: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, output_padding
) -> tuple:
    """H_out = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1, per spatial dimension."""
    return tuple(
        (h - 1) * s - 2 * p + d * (k - 1) + op + 1
        for h, k, s, p, d, op in zip(in_size, kernel, stride, padding, dilation, output_padding)
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=(1, 1),
    padding=(0, 0),
    output_padding=(0, 0),
    dilation=(1, 1),
) -> Tensor:
    """Transposed 2-D convolution of (N, C_in, H, W) with weight (C_in, C_out, KH, KW); stride,
    padding, output_padding and dilation are (h, w) pairs of ints (checked by the caller,
    `minidl.nn.functional.conv_transpose2d`)."""
    x, w = input.data, weight.data
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[0]:
        raise ValueError(
            f"conv_transpose2d: expected input (N, C_in, H, W) and weight (C_in, C_out, KH, KW) "
            f"with the same C_in; received input {x.shape} and weight {w.shape}"
        )
    size = transposed_output_size(
        x.shape[2:], w.shape[2:], stride, padding, dilation, output_padding
    )
    if min(size) < 1:
        raise ValueError(
            f"conv_transpose2d: the output would be empty ({size}) for input {x.shape}, weight "
            f"{w.shape}, stride={stride}, padding={padding}"
        )
    out = (x.shape[0], w.shape[1], *size)
    return ConvTranspose2d.apply(
        input, weight, bias, stride=stride, padding=padding, dilation=dilation, output_size=out
    )

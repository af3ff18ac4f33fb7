"""Reductions over axes: sum, mean, max, min, var, std, logsumexp, argmax, argmin.

Each takes NumPy's `axis`/`keepdims` (PyTorch's `dim`/`keepdim` are accepted too). A reduction's backward
spreads the gradient back over the reduced axes: `expand_back` re-inserts them and broadcasts.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function, Tensor
from minidl.ops.elementwise import operand


def reduction_args(name: str, ndim: int, axis, keepdims, dim=None, keepdim=None):
    """Normalise (axis | dim, keepdims | keepdim) to (a sorted tuple of axes or None, bool)."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{name}: give `axis` or `dim`, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if axis is None:
        return None, bool(keepdims)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(
                f"{name}: argument `axis` must be an int or tuple of ints; received {axis!r}"
            )
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(
                f"{name}: axis {a} is out of range for a tensor with {ndim} dimensions "
                f"(expected {-ndim} <= axis < {max(ndim, 1)})"
            )
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: argument `axis` repeats an axis; received {axis!r}")
    return tuple(sorted(out)), bool(keepdims)


def expand_back(grad: np.ndarray, shape: tuple, axes, keepdims: bool) -> np.ndarray:
    """Broadcast a reduced gradient back to the input's `shape`."""
    if axes is None:
        axes = tuple(range(len(shape)))
    if not keepdims:
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """y = Σ_i x_i over the axes;  dy/dx_i = 1 (the gradient is copied to every summed element)."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return np.sum(x, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return expand_back(grad, ctx.shape, ctx.axes, ctx.keepdims)


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Sum over `axis` (all axes when None)."""
    x = operand(x, "sum")
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes, keepdims = reduction_args("sum", x.ndim, axis, keepdims, dim, keepdim)
    return Sum.apply(x, axes=axes, keepdims=keepdims)


class Mean(Function):
    """y = (1/n) Σ_i x_i over the axes;  dy/dx_i = 1/n."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        y = np.mean(x, axis=axes, keepdims=keepdims)
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        ctx.n = x.size // y.size if y.size else 1  # elements averaged into each output
        return y

    @staticmethod
    def backward(ctx, grad):
        return expand_back(grad / ctx.n, ctx.shape, ctx.axes, ctx.keepdims)


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Arithmetic mean over `axis` (all axes when None)."""
    x = operand(x, "mean")
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"mean: needs a floating-point tensor; received dtype {x.dtype}")
    axes, keepdims = reduction_args("mean", x.ndim, axis, keepdims, dim, keepdim)
    return Mean.apply(x, axes=axes, keepdims=keepdims)

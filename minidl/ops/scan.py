"""Products and running sums along a dimension: cumsum and prod.

cumsum's output y_i = Σ_{j≤i} x_j, so each x_j feeds every later y_i: dL/dx_j = Σ_{i≥j} dL/dy_i, a
cumulative sum taken from the other end. prod's derivative is the product of the other factors.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function
from minidl.ops.reduce import expand_back, reduction_args
from minidl.ops.shape import as_tensor, normalize_dim
from minidl.tensor import Tensor


class Cumsum(Function):
    """y_i = Σ_{j≤i} x_j along `dim`;  dL/dx_j = Σ_{i≥j} dL/dy_i (a reversed cumulative sum)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return np.flip(np.cumsum(np.flip(grad, ctx.dim), axis=ctx.dim), ctx.dim)


def cumsum(x, dim: int) -> Tensor:
    """Running sums along `dim` (integers sum to int64, as in PyTorch)."""
    x = as_tensor(x, "cumsum")
    if x.ndim == 0:
        normalize_dim("cumsum", dim, 0, extra=1)
        return Cumsum.apply(x.reshape(1), dim=0).reshape(())
    out = Cumsum.apply(x, dim=normalize_dim("cumsum", dim, x.ndim))
    return out if out.dtype.kind != "i" or out.dtype == np.int64 else out.to(np.int64)


class Prod(Function):
    """y = Π_i x_i over the axes;  dy/dx_i = Π_{j≠i} x_j, computed as the product of the factors
    before i times those after i (exclusive cumulative products), so a zero factor is no problem."""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.save_for_backward(x)
        ctx.axis, ctx.keepdims = axis, keepdims
        return np.prod(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = ctx.axis
        flat = x.reshape(-1) if a is None else x  # all elements: work on the flattened array
        ax = 0 if a is None else a
        ones = np.ones_like(np.take(flat, [0], axis=ax))
        before = np.cumprod(np.concatenate([ones, flat], axis=ax), axis=ax)
        before = np.take(before, np.arange(flat.shape[ax]), axis=ax)  # Π_{j<i}
        rev = np.flip(flat, ax)
        after = np.flip(np.cumprod(np.concatenate([ones, rev], axis=ax), axis=ax), ax)
        after = np.take(after, np.arange(1, flat.shape[ax] + 1), axis=ax)  # Π_{j>i}
        others = (before * after).reshape(x.shape)
        axes = None if a is None else (a,)
        return expand_back(grad, x.shape, axes, ctx.keepdims) * others


def prod(x, dim=None, keepdim: bool = False) -> Tensor:
    """The product of the elements over `dim` (one int, or all elements when None)."""
    x = as_tensor(x, "prod")
    axes, keepdim = reduction_args("prod", x.ndim, None, keepdim, dim, None)
    if axes is not None and len(axes) > 1:
        raise TypeError(f"prod: argument `dim` must be a single int or None; received {dim!r}")
    if x.ndim == 0 or x.data.size == 0:
        return Tensor._wrap(np.asarray(np.prod(x.data, axis=None if not axes else axes[0])))
    return Prod.apply(x, axis=None if axes is None else axes[0], keepdims=keepdim)

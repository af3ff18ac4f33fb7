"""Ops that copy values into a new arrangement: flip, roll, repeat; and ops that keep some values and
replace the rest: tril, triu, masked_fill; and nonzero, which only reports positions.

flip and roll are permutations of the elements, so their backward applies the inverse permutation
(flip again; roll back). repeat copies each element several times, so its backward sums the copies.
tril/triu/masked_fill are composites (a product with a 0/1 mask, a `where`), differentiable for free.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import mul, where
from minidl.ops.index import index_put
from minidl.ops.shape import as_tensor, normalize_dim, shape_args
from minidl.tensor import Tensor


class Flip(Function):
    """y = x reversed along `dims`;  dL/dx = dL/dy reversed along the same dims."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return np.flip(grad, ctx.dims)


def flip(x, *dims) -> Tensor:
    """x with the order of elements reversed along each dimension in `dims` (ints or one tuple)."""
    x = as_tensor(x, "flip")
    dims = tuple(normalize_dim("flip", d, x.ndim) for d in shape_args("flip", dims))
    return Flip.apply(x, dims=dims)


class Roll(Function):
    """y = x shifted cyclically by `shifts` along `dims` (y[i + s] = x[i]);  dL/dx = dL/dy rolled
    back by −shifts."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return np.roll(grad, tuple(-s for s in ctx.shifts), ctx.dims)


def roll(x, shifts, dims=None) -> Tensor:
    """Roll x by `shifts` (an int or tuple) along `dims`; with dims=None, roll the flattened tensor
    and restore its shape (PyTorch's rule)."""
    x = as_tensor(x, "roll")
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise TypeError(f"roll: with dims=None, `shifts` must be an int; received {shifts!r}")
        flat = x.reshape(-1)
        return _RollFlat.apply(flat, shift=int(shifts)).reshape(x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(
            f"roll: `shifts` and `dims` must have the same length; received {shifts} and {dims}"
        )
    dims = tuple(normalize_dim("roll", d, x.ndim, "dims") for d in dims)
    return Roll.apply(x, shifts=tuple(int(s) for s in shifts), dims=dims)


class _RollFlat(Function):
    """Roll of a 1-D tensor by `shift`;  dL/dx = dL/dy rolled by −shift."""

    @staticmethod
    def forward(ctx, x, shift):
        ctx.shift = shift
        return np.roll(x, shift)

    @staticmethod
    def backward(ctx, grad):
        return np.roll(grad, -ctx.shift)


class Repeat(Function):
    """y = x tiled `reps` times along each dimension (PyTorch's repeat, NumPy's tile);
    dL/dx = the sum of dL/dy over the copies: view dL/dy as (r0, n0, r1, n1, ...) and sum the r axes."""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape = (1,) * (len(reps) - x.ndim) + x.shape  # leading 1s for new dimensions
        ctx.x_shape, ctx.reps = x.shape, reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, grad):
        split = [n for pair in zip(ctx.reps, ctx.in_shape) for n in pair]  # (r0, n0, r1, n1, ...)
        summed = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.x_shape)


def repeat(x, *sizes) -> Tensor:
    """x repeated `sizes[i]` times along dimension i (ints or one tuple; at least x.ndim of them,
    extra ones add leading dimensions)."""
    x = as_tensor(x, "repeat")
    reps = shape_args("repeat", sizes)
    if len(reps) < x.ndim:
        raise ValueError(
            f"repeat: the number of repeats ({len(reps)}) can't be smaller than the number of "
            f"dimensions ({x.ndim}) of a tensor of shape {x.shape}"
        )
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: repeats must be >= 0; received {reps}")
    return Repeat.apply(x, reps=reps)


def _triangle(x, diagonal: int, name: str, keep) -> Tensor:
    x = as_tensor(x, name)
    if x.ndim < 2:
        raise ValueError(f"{name}: needs a tensor with at least 2 dimensions; received {x.shape}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{name}: argument `diagonal` must be an int; received {diagonal!r}")
    mask = keep(np.ones(x.shape[-2:], dtype=bool), diagonal)
    return where(mask, x, 0) if x.dtype.kind != "f" else mul(x, mask.astype(x.dtype))


def tril(x, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions: y[i, j] = x[i, j] if j − i ≤ diagonal, else 0;
    dL/dx = dL/dy on the kept triangle, 0 elsewhere."""
    return _triangle(x, diagonal, "tril", np.tril)


def triu(x, diagonal: int = 0) -> Tensor:
    """The upper triangle: y[i, j] = x[i, j] if j − i ≥ diagonal, else 0."""
    return _triangle(x, diagonal, "triu", np.triu)


def masked_fill(x, mask, value) -> Tensor:
    """x with `value` where the bool `mask` (broadcast to x's shape) is True;
    dL/dx = dL/dy where the mask is False, 0 where it is True (and dL/dvalue sums the filled places)."""
    x = as_tensor(x, "masked_fill")
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(
            f"masked_fill: argument `mask` must be a bool tensor; received dtype {m.dtype}"
        )
    try:
        fits = np.broadcast_shapes(m.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"masked_fill: mask of shape {m.shape} can't be broadcast to the tensor's shape {x.shape}"
        )
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(
            f"masked_fill: `value` must be a number or a 0-d tensor; shape {value.shape}"
        )
    out = where(m, value, x)
    return out if out.dtype == x.dtype else out.to(x.dtype)  # the result keeps x's dtype


def nonzero(x, as_tuple: bool = False):
    """Positions of the non-zero elements: an int64 tensor of shape (count, ndim), or with
    as_tuple=True one 1-D index tensor per dimension (what x[...] and `where(cond)` take)."""
    x = as_tensor(x, "nonzero")
    idx = np.nonzero(np.atleast_1d(x.data))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(
        np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64)
    )


def diag(x, diagonal: int = 0) -> Tensor:
    """torch.diag: a 1-D x becomes the square matrix with x on its `diagonal`-th diagonal (zeros
    elsewhere); a 2-D x gives that diagonal as a 1-D tensor. Differentiable (a write into zeros with
    index_put, or indexing)."""
    x = as_tensor(x, "diag")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"diag: argument `diagonal` must be an int; received {diagonal!r}")
    k = int(diagonal)
    if x.ndim == 1:
        n, j = x.shape[0] + abs(k), np.arange(x.shape[0])
        # write x into a zero matrix at (j + max(-k, 0), j + max(k, 0)); index_put is differentiable
        return index_put(
            Tensor._wrap(np.zeros((n, n), x.dtype)), (j + max(-k, 0), j + max(k, 0)), x
        )
    if x.ndim == 2:
        i = np.arange(max(0, min(x.shape[0] + min(k, 0), x.shape[1] - max(k, 0))))
        return x[i + max(-k, 0), i + max(k, 0)]
    raise ValueError(f"diag: expects a 1-D or 2-D tensor; received shape {x.shape}")

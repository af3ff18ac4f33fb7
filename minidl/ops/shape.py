"""Shape operations: reshape, flatten, transpose, permute, squeeze, unsqueeze, expand, concatenate, stack,
split, pad.

None of them changes a value, they only move values around, so each backward moves the gradient back the
same way: reshape it back, permute it back, cut it back into pieces. Three Functions carry all the
rearranging ops: `Reshape` (reshape, flatten, squeeze, unsqueeze), `Permute` (transpose, permute) and
`BroadcastTo` (expand, broadcast_to). Like PyTorch's views, their results share memory with the input
(and its in-place version counter, so autograd notices writes through a view).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import operand
from minidl.tensor import Tensor


def as_tensor(x, name: str) -> Tensor:
    """The op's input as a Tensor (numbers and arrays become constant tensors)."""
    x = operand(x, name)
    return x if isinstance(x, Tensor) else Tensor(x)


def normalize_dim(name: str, dim, ndim: int, arg: str = "dim", extra: int = 0) -> int:
    """A dimension index in [-n, n) as a non-negative int, n = ndim + extra (extra = 1 for ops that
    insert a dimension, such as unsqueeze and stack), or a clear error."""
    n = ndim + extra
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}: argument `{arg}` must be an int; received {dim!r}")
    if not -n <= dim < n:
        raise ValueError(
            f"{name}: {arg}={dim} is out of range for a tensor with {ndim} dimensions "
            f"(expected {-n} <= {arg} < {n})"
        )
    return int(dim) % n


def shape_args(name: str, shape: tuple) -> tuple:
    """`f(x, 2, 3)` and `f(x, (2, 3))` both mean the shape (2, 3), as in PyTorch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, np.ndarray)):
        shape = tuple(shape[0].tolist() if isinstance(shape[0], np.ndarray) else shape[0])
    for s in shape:
        if type(s) is not int and (not isinstance(s, np.integer) or isinstance(s, bool)):
            raise TypeError(f"{name}: sizes must be ints; received {shape!r}")
    return tuple(map(int, shape))


def share_version(out: Tensor, x: Tensor) -> Tensor:
    """Mark `out` as a view of `x`: an in-place write to either bumps the counter both see."""
    out._version = x._version
    out._base = x if x._base is None else x._base
    return out


# ----------------------------------------------------------------------------------------------------
# reshape family
# ----------------------------------------------------------------------------------------------------


class Reshape(Function):
    """y = x with a new shape (same elements in the same row-major order);  dL/dx = reshape(dL/dy)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


def reshape(x, *shape) -> Tensor:
    """x with shape `shape` (ints or one tuple; one size may be -1, inferred from the others)."""
    x = as_tensor(x, "reshape")
    shape = shape_args("reshape", shape)
    if shape == x.data.shape:
        return x
    size, free = x.data.size, shape.count(-1)
    known = math.prod(s for s in shape if s != -1)
    if free > 1 or any(s < -1 for s in shape):
        raise ValueError(
            f"reshape: at most one size may be -1 and none may be below -1; received {shape}"
        )
    if not (size % known == 0 if (free and known) else known == size):
        raise ValueError(
            f"reshape: can't reshape a tensor of shape {x.shape} ({size} elements) to {shape}"
        )
    return share_version(Reshape.apply(x, shape=shape), x)


def flatten(x, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """x with dimensions start_dim..end_dim (inclusive) merged into one; a 0-d x becomes shape (1,)."""
    x = as_tensor(x, "flatten")
    if x.ndim == 0:
        return reshape(x, 1)
    start = normalize_dim("flatten", start_dim, x.ndim, "start_dim")
    end = normalize_dim("flatten", end_dim, x.ndim, "end_dim")
    if start > end:
        raise ValueError(
            f"flatten: start_dim ({start_dim}) must not come after end_dim ({end_dim}) for a "
            f"tensor of shape {x.shape}"
        )
    merged = int(np.prod(x.shape[start : end + 1], dtype=np.int64))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1 :])


def squeeze(x, dim=None) -> Tensor:
    """x without its size-1 dimensions (only `dim`, an int or tuple, when given; a dimension whose
    size is not 1 is left alone, as in PyTorch)."""
    x = as_tensor(x, "squeeze")
    if dim is None:
        dims = range(x.ndim)
    else:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        dims = [normalize_dim("squeeze", d, x.ndim, extra=int(x.ndim == 0)) for d in dims]
    drop = {d for d in dims if d < x.ndim and x.shape[d] == 1}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in drop))


def unsqueeze(x, dim: int) -> Tensor:
    """x with a new size-1 dimension inserted at position `dim` (-ndim-1 <= dim <= ndim)."""
    x = as_tensor(x, "unsqueeze")
    d = normalize_dim("unsqueeze", dim, x.ndim, extra=1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


# ----------------------------------------------------------------------------------------------------
# permute family
# ----------------------------------------------------------------------------------------------------


class Permute(Function):
    """y = x with its axes reordered: y.shape[i] = x.shape[dims[i]];  dL/dx = dL/dy permuted back by
    the inverse permutation argsort(dims)."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, np.argsort(ctx.dims))


def permute(x, *dims) -> Tensor:
    """x with its dimensions in the order `dims` (ints or one tuple; a permutation of 0..ndim-1)."""
    x = as_tensor(x, "permute")
    dims = shape_args("permute", dims)
    nd = x.data.ndim
    normalized = tuple(
        d + nd if d < 0 else d for d in dims
    )  # out-of-range values stay out of range
    if sorted(normalized) != list(range(nd)):
        raise ValueError(
            f"permute: argument `dims` must be a permutation of the {nd} dimensions of a "
            f"tensor of shape {x.shape}; received {dims}"
        )
    if normalized == tuple(range(nd)):
        return x
    return share_version(Permute.apply(x, dims=normalized), x)


def transpose(x, dim0: int, dim1: int) -> Tensor:
    """x with dimensions dim0 and dim1 swapped."""
    x = as_tensor(x, "transpose")
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x  # PyTorch allows transposing a 0-d or 1-d tensor with itself
    d0 = normalize_dim("transpose", dim0, x.ndim, "dim0")
    d1 = normalize_dim("transpose", dim1, x.ndim, "dim1")
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(x, tuple(dims))


# ----------------------------------------------------------------------------------------------------
# broadcasting
# ----------------------------------------------------------------------------------------------------


class BroadcastTo(Function):
    """y = x repeated along new leading dimensions and along its size-1 dimensions;
    dL/dx = dL/dy summed over those copies — which is exactly what the engine's un-broadcast does, so
    backward hands the gradient back unchanged."""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad


def broadcast_to(x, shape) -> Tensor:
    """x broadcast to `shape` (x's dimensions, aligned from the right, must be 1 or equal)."""
    x = as_tensor(x, "broadcast_to")
    shape = shape_args("broadcast_to", (shape,))
    ok = len(shape) >= x.ndim and all(a in (1, b) for a, b in zip(x.shape[::-1], shape[::-1]))
    if not ok:
        raise ValueError(
            f"broadcast_to: a tensor of shape {x.shape} can't be broadcast to {shape} (aligned from "
            f"the right, each of its dimensions must be 1 or equal the target's)"
        )
    if shape == x.shape:
        return x
    return BroadcastTo.apply(x, shape=shape)


def expand(x, *sizes) -> Tensor:
    """x broadcast to `sizes` (ints or one tuple); -1 keeps that dimension's size (PyTorch's expand)."""
    x = as_tensor(x, "expand")
    sizes = shape_args("expand", sizes)
    new = len(sizes) - x.ndim
    if new < 0:
        raise ValueError(
            f"expand: the number of sizes ({len(sizes)}) must be at least the tensor's number of "
            f"dimensions ({x.ndim}); shape {x.shape}, sizes {sizes}"
        )
    if any(s == -1 for s in sizes[:new]):
        raise ValueError(f"expand: -1 is not allowed for a new leading dimension; sizes {sizes}")
    target = tuple(x.shape[i - new] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, target)


# ----------------------------------------------------------------------------------------------------
# joining and splitting
# ----------------------------------------------------------------------------------------------------


def _tensor_list(name: str, tensors) -> list:
    if not isinstance(tensors, (list, tuple)) or len(tensors) == 0:
        raise TypeError(
            f"{name}: argument `tensors` must be a non-empty list or tuple of tensors; received "
            f"{type(tensors).__name__}"
        )
    return [as_tensor(t, name) for t in tensors]


class Concatenate(Function):
    """y = [x_1, x_2, ...] joined along `axis`;  dL/dx_k = the slice of dL/dy that x_k filled."""

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        ctx.ends = list(itertools.accumulate(x.shape[axis] for x in xs))[:-1]  # where to cut back
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        pieces = np.split(grad, ctx.ends, axis=ctx.axis)
        return tuple(p if need else None for p, need in zip(pieces, ctx.needs_input_grad))


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing dimension `axis`; the other dimensions must agree."""
    xs = _tensor_list("concatenate", tensors)
    ndim = xs[0].ndim
    if ndim == 0:
        raise ValueError("concatenate: zero-dimensional tensors can't be concatenated; use stack")
    axis = normalize_dim("concatenate", axis, ndim, "axis")
    first = xs[0].data.shape
    others = first[:axis] + first[axis + 1 :]  # every tensor must agree on these
    for k, x in enumerate(xs):
        shape = x.data.shape
        if len(shape) != ndim or shape[:axis] + shape[axis + 1 :] != others:
            raise ValueError(
                f"concatenate: all tensors must have the same shape except along axis {axis}; "
                f"tensor 0 has shape {xs[0].shape} but tensor {k} has shape {x.shape}"
            )
    return Concatenate.apply(*xs, axis=axis)


def cat(tensors, dim: int = 0) -> Tensor:
    """PyTorch's name for `concatenate` (with `dim` for axis)."""
    return concatenate(tensors, axis=dim)


class Stack(Function):
    """y = [x_1, x_2, ...] stacked along a new dimension `axis`;  dL/dx_k = dL/dy taken at index k of
    that dimension."""

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return tuple(
            np.take(grad, k, axis=ctx.axis) if need else None
            for k, need in enumerate(ctx.needs_input_grad)
        )


def stack(tensors, axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new dimension inserted at `axis` (also spelled `dim`)."""
    axis = axis if dim is None else dim
    xs = _tensor_list("stack", tensors)
    for k, x in enumerate(xs):
        if x.shape != xs[0].shape:
            raise ValueError(
                f"stack: all tensors must have the same shape; tensor 0 has shape {xs[0].shape} "
                f"but tensor {k} has shape {x.shape}"
            )
    axis = normalize_dim("stack", axis, xs[0].ndim, "axis", extra=1)
    return Stack.apply(*xs, axis=axis)


def split(x, split_size_or_sections, dim: int = 0) -> tuple:
    """Cut x along `dim` into pieces: an int is the size of every piece (the last may be smaller), a
    list gives each piece's size (they must add up to x.shape[dim]). Returns a tuple of tensors.

    Each piece is a slice `x[..., a:b, ...]`, so its gradient flows back through indexing."""
    from minidl.ops.index import getitem  # index.py builds on this module's helpers

    x = as_tensor(x, "split")
    if x.ndim == 0:
        raise ValueError("split: can't split a zero-dimensional tensor")
    d = normalize_dim("split", dim, x.ndim)
    n = x.shape[d]
    s = split_size_or_sections
    if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
        if s <= 0:
            raise ValueError(f"split: argument `split_size_or_sections` must be > 0; received {s}")
        sizes = [min(s, n - a) for a in range(0, n, s)] or [0]
    else:
        sizes = [int(v) for v in s]
        if any(v < 0 for v in sizes) or np.sum(sizes) != n:
            raise ValueError(
                f"split: section sizes {sizes} must be >= 0 and add up to the size of dimension "
                f"{dim} ({n}) of a tensor of shape {x.shape}"
            )
    starts = np.concatenate([[0], np.cumsum(sizes)])
    lead = (slice(None),) * d
    return tuple(getitem(x, lead + (slice(int(a), int(b)),)) for a, b in zip(starts, starts[1:]))


def chunk(x, chunks: int, dim: int = 0) -> tuple:
    """Cut x into `chunks` pieces along `dim`, each of size ⌈n / chunks⌉ (the last may be smaller, and
    there may be fewer pieces), as torch.chunk."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueError(f"chunk: argument `chunks` must be a positive int; received {chunks!r}")
    x = as_tensor(x, "chunk")
    n = x.shape[normalize_dim("chunk", dim, x.ndim)] if x.ndim else 0
    return split(x, max(1, -(-n // int(chunks))), dim)


def unbind(x, dim: int = 0) -> tuple:
    """The slices of x along `dim`, each without that dimension (x[0], x[1], ... for dim 0)."""
    x = as_tensor(x, "unbind")
    d = normalize_dim("unbind", dim, x.ndim)
    return tuple(squeeze(piece, d) for piece in split(x, 1, d)) if x.shape[d] else ()


def t(x) -> Tensor:
    """The transpose of a matrix; a 0-d or 1-d tensor is returned as it is (torch.t)."""
    x = as_tensor(x, "t")
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor with <= 2 dimensions; received shape {x.shape}")
    return x if x.ndim < 2 else transpose(x, 0, 1)


# ----------------------------------------------------------------------------------------------------
# padding
# ----------------------------------------------------------------------------------------------------

_NUMPY_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class Pad(Function):
    """y = x with borders added.

    constant: y = value outside x;  dL/dx = dL/dy cut back to x's region.
    reflect / replicate / circular: each output element copies one input element, chosen per dimension
    by an index map; dL/dx_j = Σ of dL/dy over the outputs that copied x_j (a scatter-add).
    """

    @staticmethod
    def forward(ctx, x, widths, mode, value):
        ctx.widths, ctx.mode, ctx.in_shape = widths, mode, x.shape
        if mode == "constant":
            return np.pad(x, widths, mode="constant", constant_values=value)
        # index map per dimension, e.g. reflect (2, 1) on size 4: [2, 1, 0, 1, 2, 3, 2]
        ctx.maps = [
            np.pad(np.arange(n), w, mode=_NUMPY_PAD_MODE[mode]) for n, w in zip(x.shape, widths)
        ]
        return x[np.ix_(*ctx.maps)] if x.ndim else x.copy()

    @staticmethod
    def backward(ctx, grad):
        if ctx.mode == "constant":
            return grad[tuple(slice(a, a + n) for (a, _), n in zip(ctx.widths, ctx.in_shape))]
        for axis, m in enumerate(ctx.maps):  # undo one dimension at a time
            moved = np.moveaxis(grad, axis, 0)
            summed = np.zeros((ctx.in_shape[axis],) + moved.shape[1:], dtype=grad.dtype)
            np.add.at(summed, m, moved)
            grad = np.moveaxis(summed, 0, axis)
        return grad


def pad(x, pad: Sequence[int], mode: str = "constant", value: float = 0) -> Tensor:
    """Pad x as torch.nn.functional.pad: `pad` = (left, right) for the last dimension, then (left,
    right) for the one before, and so on. `mode` is "constant" (fill with `value`), "reflect",
    "replicate" or "circular". Pads must be >= 0."""
    x = as_tensor(x, "pad")
    pad = shape_args("pad", (pad,))
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(
            f"pad: argument `pad` must have an even length of at most 2 * ndim = {2 * x.ndim} for "
            f"a tensor of shape {x.shape}; received {pad}"
        )
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: pads must be >= 0; received {pad}")
    if mode not in ("constant", *_NUMPY_PAD_MODE):
        raise ValueError(
            f"pad: argument `mode` must be 'constant', 'reflect', 'replicate' or 'circular'; "
            f"received {mode!r}"
        )
    k = len(pad) // 2
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][
        ::-1
    ]  # last dimension first -> in order
    widths = tuple([(0, 0)] * (x.ndim - k) + pairs)
    for (a, b), n in zip(widths, x.shape):
        if mode == "reflect" and max(a, b) >= n and (a or b):
            raise ValueError(
                f"pad: reflect padding must be smaller than the dimension it pads; pads {(a, b)} "
                f"on a dimension of size {n} (shape {x.shape})"
            )
        if mode in ("replicate", "circular") and (a or b) and n == 0:
            raise ValueError(f"pad: {mode} padding of an empty dimension (shape {x.shape})")
        if mode == "circular" and max(a, b) > n:
            raise ValueError(
                f"pad: circular padding may not exceed the dimension it pads; pads {(a, b)} on a "
                f"dimension of size {n} (shape {x.shape})"
            )
    return Pad.apply(x, widths=widths, mode=mode, value=value)

"""Selecting elements by index: gather, scatter_add, index_select, and the ops that return indices
with their values: max/min along a dimension, sort, topk.

The one differentiable idea here is `Gather`: y = x picked at given positions along a dimension. Its
backward is the reverse move, a scatter-add of dL/dy into zeros shaped like x. `max(x, dim)`, `sort`
and `topk` find their indices with NumPy (not differentiable, like any index) and then gather the
values, so their gradient goes exactly to the elements they returned — PyTorch's rule.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import maximum, minimum
from minidl.ops.reduce import amax, amin
from minidl.ops.shape import as_tensor, normalize_dim, squeeze
from minidl.tensor import Tensor

# PyTorch's named pairs (torch.return_types.max, ...): unpack them, or read .values / .indices
max_result = namedtuple("max", ["values", "indices"])
min_result = namedtuple("min", ["values", "indices"])
sort_result = namedtuple("sort", ["values", "indices"])
topk_result = namedtuple("topk", ["values", "indices"])


def _full_index(index: np.ndarray, dim: int) -> tuple:
    """The NumPy fancy index that `index` along `dim` means: positions index[i..] on `dim`, and the
    element's own coordinates on every other dimension, e.g. for dim = 1: (i, index[i, j], j...)."""
    grids = np.indices(index.shape, sparse=True)
    return tuple(index if d == dim else g for d, g in enumerate(grids))


def _index_array(index, name: str) -> np.ndarray:
    arr = index.data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: argument `index` must be an integer tensor (int64); received dtype {arr.dtype}"
        )
    return arr


def _check_range(name: str, idx: np.ndarray, shape: tuple, d: int) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= shape[d]):
        raise IndexError(
            f"{name}: index values must lie in [0, {shape[d]}) for dimension {d} of a tensor of "
            f"shape {shape}; received values from {idx.min()} to {idx.max()}"
        )


class Gather(Function):
    """y[i][j][k] = x[i][index[i][j][k]][k]  (for dim = 1; likewise for any dim);
    dL/dx = zeros with dL/dy added at every gathered position (a position gathered twice gets both)."""

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.in_shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        dx = np.zeros(ctx.in_shape, dtype=grad.dtype)
        np.add.at(dx, _full_index(index, ctx.dim), grad)
        return dx, None  # no gradient for the index


def gather(input, dim: int, index) -> Tensor:
    """Pick values of `input` along `dim` at `index` (an int64 tensor with input's number of
    dimensions; index.shape[d] <= input.shape[d] for d != dim). The result has index's shape."""
    x = as_tensor(input, "gather")
    idx = _index_array(index, "gather")
    d = normalize_dim("gather", dim, x.ndim)
    if idx.ndim != x.ndim:
        raise ValueError(
            f"gather: index must have as many dimensions as input; input shape {x.shape}, index "
            f"shape {idx.shape}"
        )
    if any(i > n for k, (i, n) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise ValueError(
            f"gather: index shape {idx.shape} may not exceed input shape {x.shape} except in "
            f"dimension {d}"
        )
    _check_range("gather", idx, x.shape, d)
    # PyTorch reads only x[:i0, :i1, ...] off `dim`: cut x to index's extent there first
    cut = tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(idx.shape))
    return Gather.apply(
        x if idx.shape[:d] + idx.shape[d + 1 :] == x.shape[:d] + x.shape[d + 1 :] else x[cut],
        idx,
        dim=d,
    )


class ScatterAdd(Function):
    """y = x with src[i][j][k] added at y[i][index[i][j][k]][k] (dim = 1; likewise for any dim);
    dL/dx = dL/dy,  dL/dsrc = dL/dy gathered at index."""

    @staticmethod
    def forward(ctx, x, src, index, dim):
        ctx.dim = dim
        ctx.save_for_backward(index)
        out = x.copy()
        np.add.at(out, _full_index(index, dim), src[tuple(slice(0, n) for n in index.shape)])
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        dsrc = None
        if ctx.needs_input_grad[1]:
            cut = tuple(
                slice(None) if k == ctx.dim else slice(0, n) for k, n in enumerate(index.shape)
            )
            picked = np.take_along_axis(grad[cut], index, axis=ctx.dim)
            dsrc = np.zeros(ctx.input_meta[1][0], dtype=grad.dtype)
            dsrc[tuple(slice(0, n) for n in index.shape)] = picked
        return grad, dsrc, None


def scatter_add(input, dim: int, index, src) -> Tensor:
    """A copy of `input` with the values of `src` added at `index` along `dim` (out of place, like
    torch.scatter_add); repeated indices add up."""
    x, s = as_tensor(input, "scatter_add"), as_tensor(src, "scatter_add")
    idx = _index_array(index, "scatter_add")
    d = normalize_dim("scatter_add", dim, x.ndim)
    if idx.ndim != x.ndim or s.ndim != x.ndim:
        raise ValueError(
            f"scatter_add: input, index and src must have the same number of dimensions; shapes "
            f"{x.shape}, {idx.shape}, {s.shape}"
        )
    if any(i > n for i, n in zip(idx.shape, s.shape)) or any(
        i > n for k, (i, n) in enumerate(zip(idx.shape, x.shape)) if k != d
    ):
        raise ValueError(
            f"scatter_add: index shape {idx.shape} must fit in src shape {s.shape} and in input "
            f"shape {x.shape} off dimension {d}"
        )
    _check_range("scatter_add", idx, x.shape, d)
    if s.dtype != x.dtype:
        raise TypeError(f"scatter_add: src dtype {s.dtype} must equal input dtype {x.dtype}")
    return ScatterAdd.apply(x, s, idx, dim=d)


def index_select(input, dim: int, index) -> Tensor:
    """The slices of `input` along `dim` at the positions in `index` (a 1-D integer tensor); the
    gradient flows back through indexing (repeated positions add up)."""
    x = as_tensor(input, "index_select")
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D; received shape {idx.shape}")
    d = normalize_dim("index_select", dim, x.ndim)
    return x[(slice(None),) * d + (idx.reshape(-1),)]


# --- values with their indices ------------------------------------------------------------------


def _pick(x: Tensor, idx: np.ndarray, d: int, keepdim: bool) -> Tensor:
    """Values of x at idx (reduced along d, kept as size 1) — differentiable through Gather."""
    values = Gather.apply(x, idx, dim=d)
    return values if keepdim else squeeze(values, d)


def _extreme_with_index(name, arg_fn, all_fn, pair_fn, result, x, dim, keepdim, axis, keepdims):
    if isinstance(dim, (Tensor, np.ndarray)):  # md.max(a, b): elementwise, as torch.max(a, other)
        return pair_fn(x, dim)
    x = as_tensor(x, name)
    dim = axis if dim is None else dim
    keepdim = keepdim if keepdims is None else keepdims
    if dim is None:  # md.max(x): the largest element; ties share the gradient (as in PyTorch)
        return all_fn(x)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}: argument `dim` must be an int; received {dim!r} (use a{name})")
    d = normalize_dim(name, dim, x.ndim, extra=int(x.ndim == 0))
    if x.ndim == 0:
        return result(x, Tensor._wrap(np.zeros((), np.int64)))
    if x.shape[d] == 0:
        raise IndexError(f"{name}: dimension {d} of a tensor of shape {x.shape} is empty")
    idx = np.expand_dims(arg_fn(x.data, axis=d), d)  # first occurrence; NaN counts as the extreme
    values = _pick(x, idx, d, keepdim=True)
    if not keepdim:
        values, idx = squeeze(values, d), np.squeeze(idx, d)
    return result(values, Tensor._wrap(idx.astype(np.int64)))


def max(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """PyTorch's three forms:
      max(x)            the largest element (0-d tensor; tied maxima share the gradient);
      max(x, dim)       the named pair (values, indices) of the maxima along `dim` (the first index
                        on ties); the gradient goes to the element at the returned index;
      max(x, other)     the elementwise maximum of two tensors (= maximum).
    For values only over one or several dimensions, use amax."""
    return _extreme_with_index(
        "max", np.argmax, amax, maximum, max_result, input, dim, keepdim, axis, keepdims
    )


def min(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """min(x), min(x, dim) -> (values, indices), min(x, other); see `max`."""
    return _extreme_with_index(
        "min", np.argmin, amin, minimum, min_result, input, dim, keepdim, axis, keepdims
    )


def _argsort(a: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """Stable argsort along d. Descending sorts the reversed array and reverses the answer, so that
    ties keep their original order and NaN comes first (PyTorch puts NaN above everything)."""
    if a.dtype == np.bool_:
        a = a.view(np.uint8)
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    n = a.shape[d]
    flipped = np.argsort(np.flip(a, d), axis=d, kind="stable")
    return np.flip(n - 1 - flipped, d)


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """The named pair (values, indices): `input` sorted along `dim` and where each value came from
    (equal values keep their order: every sort here is stable). Differentiable through the values."""
    x = as_tensor(input, "sort")
    if x.ndim == 0:
        normalize_dim("sort", dim, 0, extra=1)
        return sort_result(x, Tensor._wrap(np.zeros((), np.int64)))
    d = normalize_dim("sort", dim, x.ndim)
    idx = _argsort(x.data, d, bool(descending))
    return sort_result(_pick(x, idx, d, keepdim=True), Tensor._wrap(idx.astype(np.int64)))


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The named pair (values, indices) of the k largest (or, largest=False, smallest) elements along
    `dim`, in sorted order. Differentiable through the values."""
    x = as_tensor(input, "topk")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"topk: argument `k` must be an int; received {k!r}")
    d = normalize_dim("topk", dim, x.ndim, extra=int(x.ndim == 0))
    size = x.shape[d] if x.ndim else 1
    if not 0 <= k <= size:
        raise ValueError(
            f"topk: argument `k` must be in [0, {size}] for dimension {d} of a tensor of shape "
            f"{x.shape}; received k={k}"
        )
    if x.ndim == 0:  # a 0-d input: its one element (k = 1), as in PyTorch
        return topk_result(
            x if k else x.reshape(1)[:0], Tensor._wrap(np.zeros(() if k else 0, np.int64))
        )
    idx = np.take(_argsort(x.data, d, bool(largest)), np.arange(k), axis=d)
    values = _pick(x, idx, d, keepdim=True)
    return topk_result(values, Tensor._wrap(idx.astype(np.int64)))

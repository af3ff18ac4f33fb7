"""Indexing: y = x[index] and its out-of-place write, index_put (what `x[index] = v` runs).

An index is anything NumPy accepts: ints, slices, None, Ellipsis, integer arrays (lists and integer
tensors too) and boolean masks. Reading x[index] copies some elements of x into y, so the gradient goes
the other way: dL/dx is zero except where an element was read, and it gets the sum of dL/dy over every
read of it — an element picked twice by an integer array receives both gradients (a scatter-add).
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import operand
from minidl.ops.shape import as_tensor, share_version
from minidl.tensor import Tensor


def _normalize_index(name: str, index) -> tuple:
    """The index as a tuple of ints, slices, None, Ellipsis and int/bool arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p.data
        elif isinstance(p, list):
            p = np.asarray(p)
            if p.size == 0:
                p = p.astype(np.int64)
        if isinstance(p, (np.ndarray, np.generic)) and p.dtype.kind not in "iub":
            raise TypeError(
                f"{name}: index arrays must hold integers or booleans; received dtype {p.dtype}"
            )
        basic = p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
        if not basic and not isinstance(p, (np.ndarray, np.generic)):
            raise TypeError(
                f"{name}: can't index with {type(p).__name__}; use ints, slices, None, ..., "
                f"integer arrays or boolean masks"
            )
        out.append(p)
    return tuple(out)


def _is_basic(index: tuple) -> bool:
    """True when NumPy would return a view (no integer arrays or masks in the index)."""
    return not any(isinstance(p, (np.ndarray, bool, np.bool_)) for p in index)


def _describe(index: tuple) -> str:
    """The index as text, arrays shown by shape and dtype (their values could be huge)."""
    shown = [
        f"array(shape={p.shape}, dtype={p.dtype})" if isinstance(p, np.ndarray) else repr(p)
        for p in index
    ]
    return "[" + ", ".join(shown) + "]"


def _index_error(name: str, shape: tuple, index: tuple, e: Exception) -> IndexError:
    return IndexError(f"{name}: can't index a tensor of shape {shape} with {_describe(index)}: {e}")


class GetItem(Function):
    """y = x[index];  dL/dx = scatter-add of dL/dy into zeros shaped like x (repeated picks add up)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.save_for_backward(*index)  # index arrays can be large: released with the graph
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors
        dx = np.zeros(ctx.in_shape, dtype=grad.dtype)
        if _is_basic(index):
            dx[index] = grad  # a view selects each element at most once
        else:
            np.add.at(dx, index, grad)  # unbuffered: repeated indices accumulate
        return dx


def getitem(x, index) -> Tensor:
    """x[index] with NumPy's indexing rules; differentiable with respect to x."""
    x = as_tensor(x, "getitem")
    index = _normalize_index("getitem", index)
    try:
        out = GetItem.apply(x, index=index)
    except IndexError as e:
        raise _index_error("getitem", x.shape, index, e) from None
    return share_version(out, x) if _is_basic(index) else out


class IndexPut(Function):
    """y = x with y[index] = v (x itself is not changed);
    dL/dx = dL/dy with zeros at index (those elements were overwritten), dL/dv = dL/dy[index]."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.save_for_backward(*index)
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors
        dx = dv = None
        if ctx.needs_input_grad[0]:
            dx = grad.copy()
            dx[index] = 0
        if ctx.needs_input_grad[1]:
            dv = grad[index]  # the slot's shape; the engine sums it back to v's broadcast shape
        return dx, dv


def index_put(x, index, value) -> Tensor:
    """A copy of x with x[index] = value (value broadcasts to the shape of x[index]).

    `x[index] = value` on a Tensor runs this and writes the result into x's buffer."""
    x = as_tensor(x, "index_put")
    value = operand(value, "index_put")
    index = _normalize_index("index_put", index)
    try:
        slot = np.empty(x.shape, dtype=np.bool_)[index].shape
    except IndexError as e:
        raise _index_error("index_put", x.shape, index, e) from None
    vshape = np.shape(value.data if isinstance(value, Tensor) else value)
    try:
        fits = np.broadcast_shapes(slot, vshape) == slot
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"index_put: value of shape {vshape} can't be broadcast to the indexed region of shape "
            f"{slot} (tensor shape {x.shape}, index {_describe(index)})"
        )
    return IndexPut.apply(x, value, index=index)

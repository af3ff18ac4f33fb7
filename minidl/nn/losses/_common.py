"""What every loss shares: the `reduction` argument, shape checks of (input, target) pairs,
and `_Loss`, the base of the loss modules (which hold options and call their function)."""

from __future__ import annotations

import numpy as np

from minidl import dtypes
from minidl.autograd import Tensor
from minidl.nn._validation import float_input
from minidl.nn.module import Module
from minidl.ops.elementwise import operand

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_reduction(where: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{where}: {reduction!r} is not a valid value for reduction; expected one of "
            f"'mean', 'sum', 'none'"
        )


def _pair(where: str, input, target) -> tuple:
    """(input, target) as tensors of one shape, or an error showing both shapes. The input must be
    floating point (PyTorch refuses integer predictions; an integer loss would be silently
    truncated); the target may be any numeric dtype."""
    float_input(where, input)
    target = operand(target, where)
    if np.shape(target.data if isinstance(target, Tensor) else target) != input.shape:
        shape = np.shape(target.data if isinstance(target, Tensor) else target)
        raise ValueError(
            f"{where}: input and target must have the same shape; received input {input.shape} "
            f"and target {shape} (reshape one of them, e.g. target.reshape(input.shape))"
        )
    return input, target


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _broadcastable_weight(where: str, name: str, weight, shape: tuple, dtype) -> np.ndarray | None:
    """A per-element weight that must broadcast to the loss's `shape` (PyTorch's rule)."""
    if weight is None:
        return None
    w = np.asarray(_data(weight))
    if w.dtype.kind not in "fiub":
        raise TypeError(f"{where}: argument `{name}` must be numeric; received dtype {w.dtype}")
    try:
        fits = np.broadcast_shapes(w.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{where}: argument `{name}` of shape {w.shape} does not broadcast to the input's "
            f"shape {tuple(shape)}"
        )
    return w.astype(dtype)


def _as_buffer(value, where: str = "loss", name: str = "weight") -> Tensor | None:
    """A class-weight buffer: None, or a 1-D numeric tensor (sequences become float tensors)."""
    if value is None:
        return None
    array = value.data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "fiu" or array.ndim != 1:
        raise TypeError(
            f"{where}: argument `{name}` must be a 1-D tensor of per-class weights; received "
            f"{type(value).__name__} of dtype {array.dtype} and shape {array.shape}"
        )
    if isinstance(value, Tensor):
        return value
    return Tensor(array.astype(dtypes.get_default_dtype()))


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        _check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"

"""Padding layers — `ZeroPad2d`, `ConstantPad2d`, `ReflectionPad2d`, `ReplicationPad2d` — beside
the functional form `pad` (the primitive `minidl.ops.pad`, re-exported here).

`padding` is an int (all four sides) or (left, right, top, bottom), PyTorch's order: the last
dimension (W) first, then H.
"""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.nn._validation import check_real, int_tuple, tensor_input
from minidl.nn.module import Module
from minidl.ops.shape import pad

__all__ = ["pad", "ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d"]


class _Pad2d(Module):
    """Pads the last two dimensions of (N, C, H, W) or (C, H, W) inputs with `_mode`."""

    _mode = "constant"

    def __init__(self, padding, value: float = 0.0):
        super().__init__()
        self.padding = int_tuple(type(self).__name__, "padding", padding, 4, 0)
        self.value = check_real(type(self).__name__, "value", value)

    def forward(self, x: Tensor) -> Tensor:
        tensor_input(type(self).__name__, x)
        if x.ndim not in (3, 4):
            raise ValueError(
                f"{type(self).__name__}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input; "
                f"received shape {tuple(x.shape)}"
            )
        return pad(x, self.padding, mode=self._mode, value=self.value)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    """Add zeros around each image: (N, C, H, W) -> (N, C, H + top + bottom, W + left + right)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ConstantPad2d(_Pad2d):
    """Add a constant `value` around each image."""

    def __init__(self, padding, value: float):
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ReflectionPad2d(_Pad2d):
    """Mirror the image at its border, without repeating the edge: [a b c] -> [c b | a b c | b a]."""

    _mode = "reflect"

    def __init__(self, padding):
        super().__init__(padding)


class ReplicationPad2d(_Pad2d):
    """Repeat the edge pixels outwards: [a b c] -> [a a | a b c | c c]."""

    _mode = "replicate"

    def __init__(self, padding):
        super().__init__(padding)

"""More elementwise functions of one input: square, rsqrt, log1p, expm1, tan, and the rounding
functions sign, floor, ceil, round (whose derivative is 0 almost everywhere: not recorded).

Like exp and log, the float functions promote integer input to the default float dtype (PyTorch).
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import float_operand, mul, operand, pow
from minidl.tensor import Tensor


def square(x) -> Tensor:
    """x² (integers stay integers);  d/dx = 2x (through mul)."""
    x = operand(x, "square")
    return mul(x, x)


def rsqrt(x) -> Tensor:
    """1/√x;  d/dx = −½ x^(−3/2) (through pow)."""
    return pow(float_operand(x, "rsqrt"), -0.5)


class Log1p(Function):
    """y = ln(1 + x), accurate for small x;  dy/dx = 1/(1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x)


def log1p(x) -> Tensor:
    return Log1p.apply(float_operand(x, "log1p"))


class Expm1(Function):
    """y = eˣ − 1, accurate for small x;  dy/dx = eˣ = y + 1."""

    @staticmethod
    def forward(ctx, x):
        y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


def expm1(x) -> Tensor:
    return Expm1.apply(float_operand(x, "expm1"))


class Tan(Function):
    """y = tan x;  dy/dx = 1 + tan²x = 1 + y²."""

    @staticmethod
    def forward(ctx, x):
        y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)


def tan(x) -> Tensor:
    return Tan.apply(float_operand(x, "tan"))


def _piecewise_constant(np_fn, name: str, doc: str):
    def op(x) -> Tensor:
        x = operand(x, name)
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        return Tensor._wrap(np.asarray(np_fn(data)))

    op.__name__, op.__qualname__, op.__doc__ = name, name, doc
    return op


sign = _piecewise_constant(
    np.sign, "sign", "−1, 0 or 1 by the sign of x (gradient 0: not recorded)."
)
floor = _piecewise_constant(np.floor, "floor", "⌊x⌋ elementwise (gradient 0: not recorded).")
ceil = _piecewise_constant(np.ceil, "ceil", "⌈x⌉ elementwise (gradient 0: not recorded).")
round = _piecewise_constant(  # noqa: A001
    np.round,
    "round",
    "x rounded to the nearest integer, halves to even (gradient 0: not recorded).",
)

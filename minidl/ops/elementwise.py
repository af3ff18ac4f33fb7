"""Elementwise operations: arithmetic, exp/log, trigonometry, clipping, maximum/minimum, where, casts.
(Comparisons and logical operators, which are not differentiable, are in compare.py.)

Each backward returns gradients in the broadcast shape of the output; the engine sums them back to each
input's shape (`minidl.autograd.unbroadcast`), so no op here worries about broadcasting.
"""

from __future__ import annotations

import numpy as np

from minidl import dtypes
from minidl.autograd import Function
from minidl.tensor import Tensor, as_array


def operand(x, where: str):
    """An op's input as given: a Tensor, a Python number or a numpy array; lists become arrays by
    minidl's rules (PyTorch's inference: ints int64, floats the default float dtype)."""
    if type(x) is Tensor or isinstance(x, (Tensor, np.ndarray, np.generic, int, float, bool)):
        return x
    return as_array(x, where=where)


def _shape(x) -> tuple:
    return np.shape(x.data if isinstance(x, Tensor) else x)


def _array_or_number(x):
    return x.data if isinstance(x, Tensor) else x


def to_dtype(x, dtype: np.dtype):
    """One operand converted to the op's computation dtype (a Tensor through `cast`, so the gradient
    finds its way back to the original dtype; a Python number is left for NumPy, which gives it the
    array's dtype)."""
    if isinstance(x, Tensor):
        return x if x.data.dtype == dtype else cast(x, dtype)
    if isinstance(x, np.ndarray) and x.dtype != dtype:
        return x.astype(dtype)
    if isinstance(x, np.generic):
        return x.item()  # NumPy scalars promote like Python numbers, as in PyTorch
    return x


def promote(*xs, float_only: bool = False) -> tuple:
    """The operands converted to their PyTorch result dtype (`minidl.dtypes.result_type`); with
    `float_only` (true division, exp, log, ...) an integer or bool result becomes the default float.
    When no operand is an array, the first becomes a 0-d array of that dtype (so 2 * 0.5 is float32)."""
    dt = dtypes.result_type(*(_array_or_number(x) for x in xs))
    if float_only and dt.kind != "f":
        dt = dtypes.get_default_dtype()
    out = tuple(to_dtype(x, dt) for x in xs)
    if xs and not any(isinstance(x, (Tensor, np.ndarray)) for x in out):
        out = (np.asarray(out[0], dtype=dt),) + out[1:]
    return out


def float_operand(x, name: str):
    """A float-math input: integer and bool tensors are promoted to the default float dtype, as
    torch.exp / torch.log / torch.sigmoid do."""
    x = operand(x, name)
    if not isinstance(x, Tensor):
        x = Tensor(x)
    return x if x.data.dtype.kind == "f" else cast(x, dtypes.get_default_dtype())


def binary(fn: type[Function], name: str, a, b, float_only: bool = False) -> Tensor:
    """Apply a two-input Function on operands promoted to PyTorch's result dtype, turning NumPy's
    broadcasting error into one that names the op and both shapes."""
    a, b = operand(a, name), operand(b, name)
    try:
        a, b = promote(a, b, float_only=float_only)
        return fn.apply(a, b)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        raise ValueError(
            f"{name}: shapes {_shape(a)} and {_shape(b)} can't be broadcast together (aligned from "
            f"the right, each pair of dimensions must be equal or one of them 1)"
        ) from None


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def add(a, b) -> Tensor:
    """a + b, broadcasting."""
    return binary(Add, "add", a, b)


class Sub(Function):
    """y = a - b;  dy/da = 1, dy/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


def sub(a, b) -> Tensor:
    """a - b, broadcasting."""
    return binary(Sub, "sub", a, b)


class Mul(Function):
    """y = a * b;  dy/da = b, dy/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        # save only what backward will use: `d += d * 2` must not trip the in-place check on d
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da = grad * b if ctx.needs_input_grad[0] else None
        db = grad * a if ctx.needs_input_grad[1] else None
        return da, db


def mul(a, b) -> Tensor:
    """a * b elementwise, broadcasting."""
    return binary(Mul, "mul", a, b)


class Div(Function):
    """y = a / b;  dy/da = 1/b, dy/db = -a/b²."""

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da = grad / b if ctx.needs_input_grad[0] else None
        db = -grad * a / (b * b) if ctx.needs_input_grad[1] else None
        return da, db


def div(a, b) -> Tensor:
    """a / b (true division), broadcasting; integers divide to the default float dtype (float32)."""
    return binary(Div, "div", a, b, float_only=True)


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


def neg(x) -> Tensor:
    """-x (refused for bool tensors, as in PyTorch: use ~ to invert a mask)."""
    x = operand(x, "neg")
    if _dtype_of(x) == np.bool_:
        raise TypeError("neg: negation of a bool tensor is not supported; use ~mask or logical_not")
    return Neg.apply(x)


def _dtype_of(x) -> np.dtype:
    return x.data.dtype if isinstance(x, Tensor) else np.asarray(x).dtype


class Pow(Function):
    """y = a ** b;  dy/da = b·a^(b-1),  dy/db = y·ln(a)  (taken as 0 where a = 0)."""

    @staticmethod
    def forward(ctx, a, b):
        y = np.power(a, b)
        ctx.save_for_backward(a, b, y if ctx.needs_input_grad[1] else None)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, b, y = ctx.saved_tensors
        da = db = None
        if ctx.needs_input_grad[0]:
            # b·a^(b-1) is 0 when b = 0, even at a = 0 where a^(-1) is infinite
            with np.errstate(divide="ignore", invalid="ignore"):
                da = grad * np.where(b == 0, 0, b * np.power(a, b - 1))
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                db = grad * np.where(a == 0, 0, y * np.log(a))
        return da, db


def pow(a, b) -> Tensor:
    """a ** b, broadcasting (either may be a tensor). Integers to negative integer powers are
    refused, as in PyTorch."""
    a, b = operand(a, "pow"), operand(b, "pow")
    ints = [_dtype_of(x).kind in "iub" for x in (a, b)]
    if all(ints) and np.any(np.asarray(_array_or_number(b)) < 0):
        raise ValueError(
            "pow: integers to negative integer powers are not allowed; make the base a float "
            "tensor (e.g. x.float() ** -1)"
        )
    return binary(Pow, "pow", a, b)


class Exp(Function):
    """y = e^x;  dy/dx = e^x = y."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


def exp(x) -> Tensor:
    return Exp.apply(float_operand(x, "exp"))


class Log(Function):
    """y = ln x (natural log);  dy/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


def log(x) -> Tensor:
    """Natural logarithm."""
    return Log.apply(float_operand(x, "log"))


class Sqrt(Function):
    """y = √x;  dy/dx = 1/(2√x) = 1/(2y)."""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)


def sqrt(x) -> Tensor:
    return Sqrt.apply(float_operand(x, "sqrt"))


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sign(x)


def abs(x) -> Tensor:
    return Abs.apply(operand(x, "abs"))


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)


def sin(x) -> Tensor:
    return Sin.apply(float_operand(x, "sin"))


class Cos(Function):
    """y = cos x;  dy/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.sin(x)


def cos(x) -> Tensor:
    return Cos.apply(float_operand(x, "cos"))


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo ≤ x ≤ hi, else 0 (PyTorch's clamp)."""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.save_for_backward(inside)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside


def clip(x, min=None, max=None) -> Tensor:
    """Limit x to [min, max] (either bound may be None; numbers or tensors). Also called `clamp`.

    As in PyTorch, min > max gives max everywhere, and an int tensor with a float bound gives the
    default float dtype."""
    if min is None and max is None:
        raise ValueError("clip: at least one of `min` and `max` must be given; received both None")
    x = operand(x, "clip")
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # tensor bounds: a composite
        out = x if min is None else maximum(x, min)
        return out if max is None else minimum(out, max)
    for name, v in (("min", min), ("max", max)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.number))):
            raise TypeError(f"clip: argument `{name}` must be a number or tensor; received {v!r}")
    (x,) = promote(x, *(v for v in (min, max) if v is not None))[:1]
    return Clip.apply(x, lo=min, hi=max)


clamp = clip


class Maximum(Function):
    """y = max(a, b) elementwise; the gradient goes to the larger input, split in half on ties."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share_a = (a > b) + 0.5 * (a == b)
        da = grad * share_a if ctx.needs_input_grad[0] else None
        db = grad * (1 - share_a) if ctx.needs_input_grad[1] else None
        return da, db


def maximum(a, b) -> Tensor:
    return binary(Maximum, "maximum", a, b)


class Minimum(Function):
    """y = min(a, b) elementwise; the gradient goes to the smaller input, split in half on ties."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share_a = (a < b) + 0.5 * (a == b)
        da = grad * share_a if ctx.needs_input_grad[0] else None
        db = grad * (1 - share_a) if ctx.needs_input_grad[1] else None
        return da, db


def minimum(a, b) -> Tensor:
    return binary(Minimum, "minimum", a, b)


class Where(Function):
    """y = a where cond else b;  dy/da = cond, dy/db = not cond."""

    @staticmethod
    def forward(ctx, a, b, cond):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        da = np.where(cond, grad, 0) if ctx.needs_input_grad[0] else None
        db = np.where(cond, 0, grad) if ctx.needs_input_grad[1] else None
        return da, db


def where(condition, a=None, b=None) -> Tensor:
    """Pick from `a` where `condition` is true, else from `b` (all three broadcast together; a and b
    are promoted to their common dtype). `where(condition)` alone is nonzero(condition, as_tuple=True)."""
    if a is None and b is None:
        from minidl.ops.rearrange import nonzero  # rearrange builds on this module

        return nonzero(condition, as_tuple=True)
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: argument `condition` must be boolean; received dtype {cond.dtype}")
    a, b = operand(a, "where"), operand(b, "where")
    try:
        a, b = promote(a, b)
        return Where.apply(a, b, cond=cond)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        raise ValueError(
            f"where: shapes of condition {cond.shape}, a {_shape(a)} and b {_shape(b)} can't be "
            f"broadcast together"
        ) from None


class Cast(Function):
    """y = x converted to another float dtype; the gradient is converted back (by the engine)."""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad


def cast(x, dtype) -> Tensor:
    """x converted to `dtype`. Conversion to an int or bool dtype is not differentiable."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    dtype = dtypes.to_dtype(dtype, "cast")
    if dtype == x.dtype:
        return x
    if dtype.kind != "f" or x.dtype.kind != "f":
        return Tensor._wrap(x.data.astype(dtype))
    return Cast.apply(x, dtype=dtype)


class Clone(Function):
    """y = x (a copy);  dy/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(x) -> Tensor:
    """A copy of x's data that stays in the graph."""
    return Clone.apply(operand(x, "clone"))


def floor_divide(a, b) -> Tensor:
    """⌊a / b⌋ elementwise (PyTorch's `//`, rounding toward −∞). Its gradient is zero almost
    everywhere, so it is not recorded."""
    a, b = promote(operand(a, "floor_divide"), operand(b, "floor_divide"))
    return Tensor._wrap(np.asarray(np.floor_divide(_array_or_number(a), _array_or_number(b))))


def remainder(a, b) -> Tensor:
    """a − b·⌊a / b⌋ (PyTorch's `%`: the result has b's sign);  dy/da = 1, dy/db = −⌊a / b⌋."""
    a, b = promote(operand(a, "remainder"), operand(b, "remainder"))
    return sub(a, mul(b, floor_divide(a, b)))

"""Comparisons (==, <, ...), logical operators (~, &, |, ^) and closeness tests.

None is differentiable: their results are bool tensors (or Python bools). Operands are promoted to
their common dtype first, as in PyTorch, so `int_tensor == 2.0` compares numbers, not types.
"""

from __future__ import annotations

import numpy as np

from minidl.ops.elementwise import _shape, operand, promote
from minidl.tensor import Tensor


def _arrays(name: str, *xs) -> list:
    xs = promote(*(operand(x, name) for x in xs))
    return [x.data if isinstance(x, Tensor) else x for x in xs]


def _elementwise(ufunc, name: str, doc: str):
    def op(a, b) -> Tensor:
        arrays = _arrays(name, a, b)
        try:
            return Tensor._wrap(np.asarray(ufunc(*arrays)))
        except ValueError:
            raise ValueError(
                f"{name}: shapes {_shape(a)} and {_shape(b)} can't be broadcast together"
            ) from None

    op.__name__, op.__qualname__, op.__doc__ = name, name, doc
    return op


eq = _elementwise(np.equal, "eq", "a == b elementwise; a bool tensor (not differentiable).")
ne = _elementwise(np.not_equal, "ne", "a != b elementwise; a bool tensor.")
lt = _elementwise(np.less, "lt", "a < b elementwise; a bool tensor.")
le = _elementwise(np.less_equal, "le", "a <= b elementwise; a bool tensor.")
gt = _elementwise(np.greater, "gt", "a > b elementwise; a bool tensor.")
ge = _elementwise(np.greater_equal, "ge", "a >= b elementwise; a bool tensor.")


def _logical(ufunc_bool, ufunc_int, name: str, doc: str):
    """& | ^ are logical on bool tensors and bitwise on integer ones, as in PyTorch."""

    def op(a, b) -> Tensor:
        arrays = _arrays(name, a, b)
        kinds = {np.asarray(x).dtype.kind for x in arrays}
        if "f" in kinds:
            raise TypeError(f"{name}: needs bool or integer tensors; received a float operand")
        ufunc = ufunc_bool if kinds == {"b"} else ufunc_int
        return Tensor._wrap(np.asarray(ufunc(*arrays)))

    op.__name__, op.__qualname__, op.__doc__ = name, name, doc
    return op


logical_and = _logical(np.logical_and, np.bitwise_and, "logical_and", "a & b (bitwise for ints).")
logical_or = _logical(np.logical_or, np.bitwise_or, "logical_or", "a | b (bitwise for ints).")
logical_xor = _logical(np.logical_xor, np.bitwise_xor, "logical_xor", "a ^ b (bitwise for ints).")


def logical_not(x) -> Tensor:
    """~x: logical not of a bool tensor, bitwise not of an integer one."""
    (a,) = _arrays("logical_not", x)
    a = np.asarray(a)
    if a.dtype.kind == "f":
        raise TypeError("logical_not: ~ needs a bool or integer tensor; received a float tensor")
    return Tensor._wrap(np.logical_not(a) if a.dtype == np.bool_ else np.invert(a))


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|a − b| ≤ atol + rtol·|b| elementwise (a bool tensor). As in PyTorch, a and b must have the
    same dtype."""
    a, b = operand(a, "isclose"), operand(b, "isclose")
    da, db = (np.asarray(x.data if isinstance(x, Tensor) else x).dtype for x in (a, b))
    if isinstance(a, Tensor) and isinstance(b, Tensor) and da != db:
        raise TypeError(f"isclose: a and b must have the same dtype; received {da} and {db}")
    arrays = _arrays("isclose", a, b)
    try:
        return Tensor._wrap(
            np.asarray(np.isclose(*arrays, rtol=rtol, atol=atol, equal_nan=equal_nan))
        )
    except ValueError:
        raise ValueError(
            f"isclose: shapes {_shape(a)} and {_shape(b)} can't be broadcast together"
        ) from None


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True when isclose(a, b) holds everywhere (a and b broadcast together)."""
    return bool(np.all(isclose(a, b, rtol, atol, equal_nan).data))


def equal(a, b) -> bool:
    """True when a and b have the same shape and the same values (False, not an error, otherwise)."""
    a, b = operand(a, "equal"), operand(b, "equal")
    arrays = [np.asarray(x.data if isinstance(x, Tensor) else x) for x in (a, b)]
    return arrays[0].shape == arrays[1].shape and bool(np.array_equal(*arrays))


def _test(np_fn, name: str, doc: str):
    def op(x) -> Tensor:
        (a,) = _arrays(name, x)
        return Tensor._wrap(np.asarray(np_fn(a)))

    op.__name__, op.__qualname__, op.__doc__ = name, name, doc
    return op


isnan = _test(np.isnan, "isnan", "True where x is NaN; a bool tensor.")
isinf = _test(np.isinf, "isinf", "True where x is +inf or −inf; a bool tensor.")
isfinite = _test(
    np.isfinite, "isfinite", "True where x is neither NaN nor infinite; a bool tensor."
)

"""Dtypes, the default dtype for Python floats, and PyTorch's type-promotion rule.

minidl's dtypes are NumPy's (`md.float32 is np.dtype("float32")`, so `t.dtype == np.float32` holds),
under PyTorch's names and aliases: `md.float` = float32, `md.double` = float64, `md.half` = float16,
`md.long` = int64, `md.int` = int32, `md.bool` = bool, ...

Promotion (`result_type`), as in PyTorch: order the kinds bool < integer < floating. Operands come in
three priorities: tensors (and arrays) with dimensions, zero-dimensional tensors, Python numbers. The
result is the promotion of the highest-priority operands, unless a lower-priority operand has a higher
kind; then that kind wins, taking the zero-dim tensor's dtype or, for a Python number, the kind's
default (int64, or the default float dtype). So int64 tensor * 2.5 is float32, float32 tensor +
float64 0-d tensor stays float32, and int / int is float32 (true division always gives a float).
"""

from __future__ import annotations

import builtins

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)
# PyTorch's aliases (md.float, md.long, ...); `bool`, `float` and `int` are read from this module
# with getattr in minidl/__init__.py, so the builtins stay usable in here
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
    "bool": bool_,
}
dtype = np.dtype  # `isinstance(md.float32, md.dtype)` holds

_default_dtype = float32
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}


def get_default_dtype() -> np.dtype:
    """The dtype given to Python floats and lists of floats (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d) -> None:
    """Set the dtype for Python floats: float32 or float64 (PyTorch's rule)."""
    global _default_dtype
    try:
        new = np.dtype(d)
    except TypeError:
        new = None
    if new not in (float32, float64):
        raise TypeError(
            f"set_default_dtype: argument `dtype` must be float32 or float64; received {d!r}"
        )
    _default_dtype = new


def to_dtype(d, where: str, arg: str = "dtype") -> np.dtype:
    """`d` as a numeric dtype (a minidl/NumPy dtype or a NumPy type such as np.float32), or a clear
    error. Strings are refused: PyTorch takes dtype objects, and 'cpu' is not a dtype."""
    if isinstance(d, str) or d is None:
        raise TypeError(
            f"{where}: argument `{arg}` must be a dtype such as md.float32 or md.int64; received "
            f"{d!r}"
        )
    if d is builtins.float:
        return float64  # torch accepts the Python types as dtypes: float -> float64
    if d is builtins.int:
        return int64
    try:
        out = np.dtype(d)
    except TypeError:
        raise TypeError(
            f"{where}: argument `{arg}` must be a dtype such as md.float32 or md.int64; received "
            f"{d!r}"
        ) from None
    if out.kind not in "fiub":
        raise TypeError(
            f"{where}: argument `{arg}` must be a float, int or bool dtype; received {out}"
        )
    return out


def scalar_dtype(value) -> np.dtype:
    """The dtype PyTorch gives a Python number: bool, int64, or the default float dtype."""
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool_
    if isinstance(value, (builtins.int, np.integer)):
        return int64
    return _default_dtype


def default_for_kind(kind: str) -> np.dtype:
    return {"b": bool_, "u": int64, "i": int64, "f": _default_dtype}[kind]


def _promote(dts: list) -> np.dtype | None:
    """Promotion within one priority: the highest kind wins, then NumPy's rule inside that kind
    (so float32 with int64 is float32, as in PyTorch, not NumPy's float64)."""
    if not dts:
        return None
    top = builtins.max(_KIND_RANK[d.kind] for d in dts)
    out = None
    for d in dts:
        if _KIND_RANK[d.kind] == top:
            out = d if out is None else np.promote_types(out, d)
    return out


def result_type(*operands) -> np.dtype:
    """The dtype of an elementwise op on `operands` (arrays, or Python numbers), PyTorch's rule.

    Arrays with dimensions have the first say, 0-d arrays the second, Python numbers the last (see
    the module docstring). A NumPy scalar (np.float64(1.5)) counts as a Python number."""
    dims, zero, scalars = [], [], []
    for x in operands:
        if isinstance(x, np.ndarray):
            (dims if x.ndim else zero).append(x.dtype)
        else:
            scalars.append(scalar_dtype(x))
    result = None
    for group in (_promote(dims), _promote(zero), _promote(scalars)):
        if group is not None and (
            result is None or _KIND_RANK[group.kind] > _KIND_RANK[result.kind]
        ):
            result = group
    return result

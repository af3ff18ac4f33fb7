"""Floating-point dtypes and the default dtype for Python data (PyTorch's `set_default_dtype`)."""

from __future__ import annotations

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_default_dtype = float32


def get_default_dtype() -> np.dtype:
    """The dtype given to Python scalars and lists (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the dtype for Python scalars and lists: float32 or float64 (PyTorch's rule)."""
    global _default_dtype
    try:
        d = np.dtype(dtype)
    except TypeError:
        d = None
    if d not in (float32, float64):
        raise TypeError(
            f"set_default_dtype: argument `dtype` must be float32 or float64; received {dtype!r}"
        )
    _default_dtype = d

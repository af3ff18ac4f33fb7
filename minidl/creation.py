"""Making tensors: from data (`tensor`, `from_numpy`), filled (`zeros`, `ones`, `full`, ...), ranges
(`arange`, `linspace`, `eye`) and random (`rand`, `randn`, `randint`, from an explicit generator or seed)."""

from __future__ import annotations

import numpy as np

from minidl import dtypes
from minidl.autograd import Tensor, as_array
from minidl.random import as_generator


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (a number, nested list, numpy array or tensor).

    Python numbers and lists become float32 (the default dtype); numpy arrays keep their dtype.
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with `array` (no copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray; received {type(array).__name__}")
    return Tensor._wrap(as_array(array, where="from_numpy"))


def _shape(size: tuple, where: str) -> tuple:
    """Accept zeros(2, 3) and zeros((2, 3)); every entry must be a non-negative int."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(
                f"{where}: sizes must be non-negative ints; received size={tuple(size)!r}"
            )
    return tuple(int(n) for n in size)


def _make(array: np.ndarray, requires_grad: bool, where: str) -> Tensor:
    t = Tensor._wrap(array)
    return t.requires_grad_(True) if requires_grad else t


def _float_dtype(dtype, where: str) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else as_array(0, dtype, where).dtype


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros with the given shape."""
    shape = _shape(size, "zeros")
    return _make(np.zeros(shape, _float_dtype(dtype, "zeros")), requires_grad, "zeros")


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones with the given shape."""
    shape = _shape(size, "ones")
    return _make(np.ones(shape, _float_dtype(dtype, "ones")), requires_grad, "ones")


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape filled with `fill_value`."""
    shape = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), "full")
    return _make(np.full(shape, fill_value, _float_dtype(dtype, "full")), requires_grad, "full")


def zeros_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    arr = as_array(t, where="zeros_like")
    return _make(np.zeros(arr.shape, dtype or arr.dtype), requires_grad, "zeros_like")


def ones_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    arr = as_array(t, where="ones_like")
    return _make(np.ones(arr.shape, dtype or arr.dtype), requires_grad, "ones_like")


def full_like(t, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    arr = as_array(t, where="full_like")
    return _make(np.full(arr.shape, fill_value, dtype or arr.dtype), requires_grad, "full_like")


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Values from `start` up to (not including) `end` by `step`. As in PyTorch, all-integer
    arguments give int64, any float gives the default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: argument `step` must be non-zero; received step=0")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else dtypes.get_default_dtype()
    return _make(np.arange(start, end, step, dtype=dtype), requires_grad, "arange")


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end` inclusive."""
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(
            f"linspace: argument `steps` must be a non-negative int; received {steps!r}"
        )
    arr = np.linspace(start, end, steps, dtype=_float_dtype(dtype, "linspace"))
    return _make(arr, requires_grad, "linspace")


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The n×m identity matrix (m = n by default)."""
    n, m = _shape((n, n if m is None else m), "eye")
    return _make(np.eye(n, m, dtype=_float_dtype(dtype, "eye")), requires_grad, "eye")


def rand(*size, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) from `generator` (a numpy Generator or int seed; default: the
    generator set by `md.manual_seed`)."""
    shape, rng = _shape(size, "rand"), as_generator(generator, "rand")
    arr = rng.random(shape).astype(_float_dtype(dtype, "rand"))
    return _make(arr, requires_grad, "rand")


def randn(*size, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from `generator` (a numpy Generator or int seed)."""
    shape, rng = _shape(size, "randn"), as_generator(generator, "randn")
    arr = rng.standard_normal(shape).astype(_float_dtype(dtype, "randn"))
    return _make(arr, requires_grad, "randn")


def randint(low: int, high: int, size: tuple, generator=None, dtype=np.int64) -> Tensor:
    """Integers uniform on [low, high) from `generator`."""
    if high <= low:
        raise ValueError(f"randint: `high` must be > `low`; received low={low}, high={high}")
    shape, rng = _shape((tuple(size),), "randint"), as_generator(generator, "randint")
    return Tensor._wrap(rng.integers(low, high, shape).astype(dtype))

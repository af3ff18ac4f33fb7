"""Making tensors: from data (`tensor`, `as_tensor`, `from_numpy`), filled (`zeros`, `ones`, `full`,
`empty`, and their `_like` forms), ranges (`arange`, `linspace`, `eye`) and random (`rand`, `randn`,
`randint`, and `_like` forms; from an explicit generator or seed).

Every factory takes PyTorch's `dtype=`, `device=` (only the CPU: see minidl.device) and
`requires_grad=`. Without a dtype, filled and random floats get the default float dtype (float32);
`full` and `arange` infer it from their numbers as PyTorch does (ints -> int64, bools -> bool).
"""

from __future__ import annotations

import numpy as np

from minidl import dtypes
from minidl.device import as_device
from minidl.random import as_generator
from minidl.tensor import Tensor, as_array


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (a number, nested list, numpy array or tensor).

    PyTorch's inference: Python floats -> the default float dtype (float32), ints -> int64, bools ->
    bool; numpy arrays keep their dtype."""
    as_device(device, "tensor")
    t = Tensor._wrap(np.array(as_array(data, dtype, "tensor"), copy=True))
    return t.requires_grad_(True) if requires_grad else t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory when it already is one (or a numpy array of that dtype)."""
    as_device(device, "as_tensor")
    if isinstance(data, Tensor) and (
        dtype is None or dtypes.to_dtype(dtype, "as_tensor") == data.dtype
    ):
        return data
    return Tensor._wrap(as_array(data, dtype, "as_tensor"))


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


def _make(array: np.ndarray, requires_grad: bool, device, where: str) -> Tensor:
    as_device(device, where)
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise TypeError(
                f"{where}: only floating-point tensors can require gradients; this one has dtype "
                f"{array.dtype}"
            )
        t.requires_grad = True
    return t


def _dtype(dtype, where: str, default=None) -> np.dtype:
    if dtype is None:
        return dtypes.get_default_dtype() if default is None else default
    return dtypes.to_dtype(dtype, where)


def _like(t, dtype, where: str) -> tuple:
    """(shape, dtype) of `t` for a *_like factory (dtype overrides t's)."""
    arr = as_array(t, where=where)
    return arr.shape, _dtype(dtype, where, arr.dtype)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros with the given shape."""
    shape = _shape(size, "zeros")
    return _make(np.zeros(shape, _dtype(dtype, "zeros")), requires_grad, device, "zeros")


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones with the given shape."""
    shape = _shape(size, "ones")
    return _make(np.ones(shape, _dtype(dtype, "ones")), requires_grad, device, "ones")


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape with unspecified values (minidl fills it with zeros)."""
    shape = _shape(size, "empty")
    return _make(np.zeros(shape, _dtype(dtype, "empty")), requires_grad, device, "empty")


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape filled with `fill_value` (its dtype inferred from the value:
    bool -> bool, int -> int64, float -> the default float dtype, as in PyTorch)."""
    shape = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _dtype(dtype, "full", dtypes.scalar_dtype(fill_value))
    return _make(np.full(shape, fill_value, dt), requires_grad, device, "full")


def zeros_like(t, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless `dtype` is given, the dtype) of `t`."""
    shape, dt = _like(t, dtype, "zeros_like")
    return _make(np.zeros(shape, dt), requires_grad, device, "zeros_like")


def ones_like(t, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype, "ones_like")
    return _make(np.ones(shape, dt), requires_grad, device, "ones_like")


def empty_like(t, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype, "empty_like")
    return _make(np.zeros(shape, dt), requires_grad, device, "empty_like")


def full_like(t, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype, "full_like")
    return _make(np.full(shape, fill_value, dt), requires_grad, device, "full_like")


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values from `start` up to (not including) `end` by `step`. As in PyTorch, all-integer
    arguments give int64, any float gives the default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: argument `step` must be non-zero; received step=0")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else dtypes.get_default_dtype()
    arr = np.arange(start, end, step, dtype=_dtype(dtype, "arange"))
    return _make(arr, requires_grad, device, "arange")


def linspace(
    start, end, steps: int, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """`steps` evenly spaced values from `start` to `end` inclusive."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(
            f"linspace: argument `steps` must be a non-negative int; received {steps!r}"
        )
    arr = np.linspace(start, end, steps, dtype=_dtype(dtype, "linspace"))
    return _make(arr, requires_grad, device, "linspace")


def eye(
    n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """The n×m identity matrix (m = n by default)."""
    n, m = _shape((n, n if m is None else m), "eye")
    return _make(np.eye(n, m, dtype=_dtype(dtype, "eye")), requires_grad, device, "eye")


def _float_only(dt: np.dtype, where: str) -> np.dtype:
    if dt.kind != "f":
        raise TypeError(f"{where}: needs a floating-point dtype; received {dt} (use randint)")
    return dt


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) from `generator` (a numpy Generator or int seed; default: the
    generator set by `md.manual_seed`)."""
    shape, rng = _shape(size, "rand"), as_generator(generator, "rand")
    arr = rng.random(shape).astype(_float_only(_dtype(dtype, "rand"), "rand"))
    return _make(arr, requires_grad, device, "rand")


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from `generator` (a numpy Generator or int seed)."""
    shape, rng = _shape(size, "randn"), as_generator(generator, "randn")
    arr = rng.standard_normal(shape).astype(_float_only(_dtype(dtype, "randn"), "randn"))
    return _make(arr, requires_grad, device, "randn")


def rand_like(t, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform [0, 1) samples with the shape (and float dtype) of `t`."""
    shape, dt = _like(t, dtype, "rand_like")
    return rand(shape, generator=generator, dtype=_float_only(dt, "rand_like"), device=device,
                requires_grad=requires_grad)  # fmt: skip


def randn_like(t, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal samples with the shape (and float dtype) of `t`."""
    shape, dt = _like(t, dtype, "randn_like")
    return randn(shape, generator=generator, dtype=_float_only(dt, "randn_like"), device=device,
                 requires_grad=requires_grad)  # fmt: skip


def randint(low, high=None, size=None, generator=None, dtype=None, device=None) -> Tensor:
    """Integers uniform on [low, high) from `generator` (int64 unless `dtype`); `randint(high, size)`
    means low = 0, as in PyTorch."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint: missing argument `size`")
        low, high, size = 0, low, high
    elif high is None:
        raise TypeError("randint: missing argument `high`")
    if high <= low:
        raise ValueError(f"randint: `high` must be > `low`; received low={low}, high={high}")
    shape = _shape((tuple(size),) if isinstance(size, (tuple, list)) else (size,), "randint")
    rng = as_generator(generator, "randint")
    arr = rng.integers(low, high, shape).astype(_dtype(dtype, "randint", dtypes.int64))
    return _make(arr, False, device, "randint")


def randint_like(t, low, high=None, dtype=None, device=None, generator=None) -> Tensor:
    """randint with the shape (and dtype) of `t`; `randint_like(t, high)` means low = 0."""
    if high is None:
        low, high = 0, low
    shape, dt = _like(t, dtype, "randint_like")
    return randint(low, high, shape, generator=generator, dtype=dt, device=device)


def randperm(n: int, generator=None, dtype=None, device=None) -> Tensor:
    """A random permutation of 0, ..., n − 1 (int64 unless `dtype`)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: argument `n` must be a non-negative int; received {n!r}")
    arr = as_generator(generator, "randperm").permutation(int(n))
    return _make(arr.astype(_dtype(dtype, "randperm", dtypes.int64)), False, device, "randperm")

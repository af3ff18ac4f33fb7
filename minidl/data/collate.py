"""Collation: turn a list of samples into one batch, PyTorch's `default_collate` rules.

    [Tensor (3, 8, 8)] * B           -> Tensor (B, 3, 8, 8)     stacked, dtype kept
    [numpy array] * B                -> Tensor (B, ...)         dtype kept (float64 stays float64)
    [numpy scalar] * B               -> Tensor (B,)             its dtype
    [int] * B / [bool] * B           -> Tensor (B,) int64 / bool
    [float] * B                      -> Tensor (B,) float64     (PyTorch's rule for Python floats)
    [str] * B                        -> the list, unchanged
    [(x, y)] * B                     -> [collate(xs), collate(ys)]   a list, as PyTorch returns
    [{"x": x, "y": y}] * B           -> {"x": collate(xs), "y": collate(ys)}
    [namedtuple] * B                 -> the namedtuple of collated fields

The rules apply recursively, so nested tuples and dicts of fields work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minidl.autograd import Tensor, as_array
from minidl.ops import stack


def _wrap(array: np.ndarray) -> Tensor:
    return Tensor._wrap(as_array(array, where="default_collate"))


def _stack_arrays(arrays: list) -> Tensor:
    shapes = {np.shape(a) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(
            f"default_collate: samples in a batch must all have one shape to be stacked; "
            f"found shapes {sorted(shapes)}"
        )
    return _wrap(np.stack(arrays))


def default_collate(batch: Sequence) -> Any:
    """Merge a list of samples into a batch of Tensors (see the module docstring for the rules)."""
    if not isinstance(batch, Sequence) or isinstance(batch, (str, bytes)) or len(batch) == 0:
        raise TypeError(
            f"default_collate: argument `batch` must be a non-empty list of samples; received "
            f"{type(batch).__name__}"
        )
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(isinstance(t, Tensor) and t.requires_grad for t in batch):
            return stack(list(batch), 0)  # keeps the graph, as torch.stack does
        return _stack_arrays([t.data if isinstance(t, Tensor) else t for t in batch])
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "fiub":
            raise TypeError(
                f"default_collate: numpy arrays in a batch must be numeric; found dtype {elem.dtype}"
            )
        return _stack_arrays(batch)
    if isinstance(elem, np.generic):
        return _wrap(np.array(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return _wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return _wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return _wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return type(elem)({key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(s) != len(elem) for s in batch):
            raise ValueError(
                "default_collate: each sample in a batch must have the same number of fields; "
                f"found lengths {sorted({len(s) for s in batch})}"
            )
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        "default_collate: a batch must contain Tensors, numpy arrays, numbers, strings, dicts or "
        f"lists; found {type(elem).__name__}"
    )


def default_convert(data: Any) -> Any:
    """What a DataLoader with batch_size=None does to each sample (PyTorch's `default_convert`):
    numeric numpy arrays and numpy scalars become Tensors, recursively inside dicts, namedtuples,
    tuples and lists (tuples come back as lists, as in PyTorch); everything else is unchanged."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "fiub":
        return _wrap(data)
    if isinstance(data, np.generic) and data.dtype.kind in "fiub":
        return _wrap(np.asarray(data))
    if isinstance(data, Mapping):
        return type(data)({key: default_convert(value) for key, value in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data

"""Turning what `fit` is given into batches: arrays are split (Keras's `validation_split`) and
sliced over a seeded permutation; a DataLoader (any re-iterable of batches) is used as it is.

Arrays. x, y (and sample weights) are numpy arrays, minidl Tensors or lists with one row per
sample. Floating-point arrays become the default float dtype (float32, Keras's floatx); integer
labels stay integer. An epoch visits the samples in `generator.permutation(n)` order when
shuffling (a new permutation every epoch), else in order, `batch_size` at a time; the last batch
is smaller when n is not a multiple of it.

Loaders. Anything that can be iterated more than once and yields `(x, y)` or `(x, y, weights)`
batches (a `minidl.data.DataLoader`, a list of tuples). Shuffling is the loader's own business.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from minidl.autograd import Tensor
from minidl.dtypes import get_default_dtype


def as_array(value, where: str, name: str) -> np.ndarray:
    """A numpy array from an array, Tensor or list; floats in the default float dtype."""
    if isinstance(value, Tensor):
        array = value.data
    elif isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (list, tuple)):
        array = np.asarray(value)
    else:
        raise TypeError(
            f"{where}: argument `{name}` must be a numpy array, a minidl Tensor or a list; "
            f"received {type(value).__name__}"
        )
    if array.dtype == object or array.dtype.kind not in "fiub":
        raise TypeError(f"{where}: argument `{name}` must be numeric; received dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{where}: argument `{name}` must have one row per sample; got a scalar")
    if array.dtype.kind == "f" and array.dtype != get_default_dtype():
        array = array.astype(get_default_dtype())
    return array


def is_loader(x) -> bool:
    """True for a re-iterable of batches (a DataLoader, or a list of (x, y) tuples), False for
    array-like data (arrays, Tensors, nested lists of numbers)."""
    if isinstance(x, list):
        return len(x) > 0 and isinstance(x[0], tuple) and not np.isscalar(x[0][0])
    return not isinstance(x, (np.ndarray, Tensor, tuple)) and hasattr(x, "__iter__")


class ArrayBatches:
    """Batches of (x, y, sample_weight) numpy slices; `len()` is the number of batches."""

    def __init__(self, x, y, sample_weight, batch_size: int, shuffle: bool, generator) -> None:
        self.x, self.y, self.w = x, y, sample_weight
        self.batch_size, self.shuffle, self.generator = batch_size, shuffle, generator

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __iter__(self) -> Iterator[tuple]:
        n = len(self.x)
        order = self.generator().permutation(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                idx = slice(start, start + self.batch_size)  # a view: no copy
            else:
                idx = order[start : start + self.batch_size]
            yield (
                self.x[idx],
                None if self.y is None else self.y[idx],
                None if self.w is None else self.w[idx],
            )


class LoaderBatches:
    """Batches from a loader, normalised to (x, y, sample_weight) triples."""

    def __init__(self, loader, where: str) -> None:
        self.loader, self.where = loader, where

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple]:
        for batch in self.loader:
            if isinstance(batch, (tuple, list)) and len(batch) in (2, 3):
                yield batch[0], batch[1], batch[2] if len(batch) == 3 else None
            elif isinstance(batch, (tuple, list)) and len(batch) == 1:
                yield batch[0], None, None
            elif isinstance(batch, (Tensor, np.ndarray)):
                yield batch, None, None
            else:
                raise TypeError(
                    f"{self.where}: each batch of the loader must be (x, y) or (x, y, "
                    f"sample_weight); received {type(batch).__name__}"
                )


def class_weight_to_sample_weight(y: np.ndarray, class_weight: dict, where: str) -> np.ndarray:
    """Keras's rule: sample i gets class_weight[label_i] (1.0 for classes not listed). Labels
    are y itself, the argmax of one-hot rows, or round(y) for a single probability column."""
    if not hasattr(class_weight, "items"):
        raise TypeError(
            f"{where}: argument `class_weight` must be a dict of class index -> weight; "
            f"received {type(class_weight).__name__}"
        )
    try:
        table = {int(k): float(v) for k, v in class_weight.items()}
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{where}: argument `class_weight` must map integer class indices to numbers; "
            f"received {class_weight!r}"
        ) from exc
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] > 1 else np.round(labels[..., 0])
    labels = labels.reshape(-1).astype(np.int64)
    return np.array([table.get(int(c), 1.0) for c in labels], dtype=get_default_dtype())


def validation_split_arrays(arrays: list, validation_split: float, where: str):
    """Keras's split: the LAST `validation_split` fraction of the rows, taken before any
    shuffling, is the validation set: split_at = floor(n · (1 − validation_split))."""
    n = len(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"{where}: training data contains {n} samples, which is not sufficient to split it "
            f"into a validation and training set as specified by "
            f"validation_split={validation_split}. Either provide more data, or a different "
            "value for the `validation_split` argument."
        )
    train = [None if a is None else a[:split_at] for a in arrays]
    val = [None if a is None else a[split_at:] for a in arrays]
    return train, val

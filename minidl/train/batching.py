"""Turning what `fit` is given into batches: arrays are split (Keras's `validation_split`) and
sliced over a seeded permutation; a DataLoader (any re-iterable of batches) is used as it is.

Arrays. x, y (and sample weights) are numpy arrays, minidl Tensors or lists with one row per
sample. Floating-point arrays are cast once to the model's float dtype (float32 unless the model
was made float64: Keras casts to its floatx the same way); integer labels stay integer. An
epoch visits the samples in `generator.permutation(n)` order when shuffling (a new permutation
every epoch), else in order, `batch_size` at a time; the last batch is smaller when n is not a
multiple of it.

Loaders. Anything that can be iterated more than once and yields `(x, y)` or `(x, y, weights)`
batches (a `minidl.data.DataLoader`, a list of tuples). Shuffling is the loader's own business.

`fit_batches` applies fit's data arguments (validation_split, validation_data, class_weight);
`EpochPasses` cuts the passes over the data into epochs (`steps_per_epoch`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import numpy as np

from minidl.autograd import Tensor
from minidl.data import Dataset
from minidl.dtypes import get_default_dtype


def as_array(value, where: str, name: str, float_dtype=None) -> np.ndarray:
    """A numpy array from an array, Tensor or list; floats in `float_dtype` (the model's;
    default: the default float dtype, float32)."""
    if isinstance(value, Tensor):
        array = value.data
    elif isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value)
        except ValueError:  # ragged: e.g. a tuple of inputs for a multi-input model
            raise TypeError(
                f"{where}: argument `{name}` is a list/tuple that is not one array (its rows "
                "differ in shape); pass one array with a row per sample, or a DataLoader"
            ) from None
    else:
        raise TypeError(
            f"{where}: argument `{name}` must be a numpy array, a minidl Tensor or a list; "
            f"received {type(value).__name__}"
        )
    if array.dtype == object or array.dtype.kind not in "fiub":
        raise TypeError(f"{where}: argument `{name}` must be numeric; received dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{where}: argument `{name}` must have one row per sample; got a scalar")
    float_dtype = np.dtype(float_dtype or get_default_dtype())
    if array.dtype.kind == "f" and array.dtype != float_dtype:
        array = array.astype(float_dtype)
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


def _refuse_dataset(x, where: str) -> None:
    if isinstance(x, Dataset):  # samples, not batches: iterating it would give one at a time
        raise TypeError(
            f"{where}: argument `x` is a Dataset (of samples); pass "
            "DataLoader(dataset, batch_size=...) to use its batches"
        )


def make_batches(
    x, y, sample_weight, batch_size: int, where: str, shuffle=False, generator=None,
    float_dtype=None,
):  # fmt: skip
    """Batches of arrays (x, y, w), shuffled from `generator()` when asked, or of a loader."""
    if x is None:
        raise ValueError(f"{where}: argument `x` is required (arrays or a DataLoader)")
    _refuse_dataset(x, where)
    if is_loader(x):
        if y is not None or sample_weight is not None:
            raise ValueError(
                f"{where}: when `x` is a loader it yields the targets itself: `y` and "
                "`sample_weight` must be None"
            )
        return LoaderBatches(x, where)
    xa = as_array(x, where, "x", float_dtype)
    ya = None if y is None else as_array(y, where, "y", float_dtype)
    wa = None if sample_weight is None else as_array(sample_weight, where, "sample_weight")
    for name, a in (("y", ya), ("sample_weight", wa)):
        if a is not None and len(a) != len(xa):
            raise ValueError(
                f"{where}: `x` and `{name}` must have the same number of samples; received "
                f"{len(xa)} and {len(a)}"
            )
    return ArrayBatches(xa, ya, wa, batch_size, shuffle, generator)


def fit_batches(
    x, y, batch_size, validation_split, validation_data, shuffle, class_weight, sample_weight,
    generator, float_dtype=None,
):  # fmt: skip
    """(training batches, validation batches or None) from fit's arguments, Keras's way:
    validation_data wins over validation_split; the split takes the last rows, before any
    shuffling; class_weight becomes per-sample weights of the training rows only."""
    _refuse_dataset(x, "fit")
    if class_weight is not None and sample_weight is not None:
        raise ValueError("fit: you cannot pass both `class_weight` and `sample_weight`")
    if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
        raise ValueError(
            f"fit: argument `validation_split` must be a float in [0, 1); received "
            f"{validation_split!r}"
        )
    if validation_data is not None:
        val = _validation_batches(validation_data, batch_size, float_dtype)
    else:
        val = None
    if is_loader(x):
        if validation_split and validation_data is None:
            raise ValueError(
                "fit: `validation_split` needs arrays; with a loader pass `validation_data`"
            )
        if class_weight is not None:
            raise ValueError("fit: `class_weight` needs arrays (a loader can yield weights)")
        return make_batches(x, y, sample_weight, batch_size, "fit"), val
    if y is None:
        raise ValueError("fit: argument `y` is required when `x` is an array")
    train = make_batches(x, y, sample_weight, batch_size, "fit", shuffle, generator, float_dtype)
    if validation_split and validation_data is None:
        (tx, ty, tw), (vx, vy, vw) = validation_split_arrays(
            [train.x, train.y, train.w], validation_split, "fit"
        )
        train.x, train.y, train.w = tx, ty, tw
        val = ArrayBatches(vx, vy, vw, batch_size, False, None)
    if class_weight is not None:
        train.w = class_weight_to_sample_weight(train.y, class_weight, "fit")
    return train, val


def _validation_batches(validation_data, batch_size: int, float_dtype=None):
    if is_loader(validation_data):
        return LoaderBatches(validation_data, "fit")
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "fit: argument `validation_data` must be (x_val, y_val), (x_val, y_val, "
            f"sample_weight_val) or a loader; received {type(validation_data).__name__}"
        )
    vx, vy = validation_data[0], validation_data[1]
    vw = validation_data[2] if len(validation_data) == 3 else None
    return make_batches(vx, vy, vw, batch_size, "fit", float_dtype=float_dtype)


class EpochPasses:
    """The epochs' batches. Without `steps_per_epoch` an epoch is one pass over the batches.
    With it, an epoch takes `steps_per_epoch` batches from a pass that carries on into the next
    epoch; a pass that runs out ends its epoch early (a warning) and the next epoch starts a new
    one (Keras's EpochIterator)."""

    def __init__(self, batches, steps_per_epoch: int | None) -> None:
        self.batches, self.steps = batches, steps_per_epoch
        self.num_batches = length(batches)
        self.current, self.seen = None, 0

    def epoch(self):
        """The batches of the next epoch."""
        if self.steps is None:
            yield from self.batches
            return
        if self.current is None:
            self.current, self.seen = iter(self.batches), 0
        for _ in range(self.steps):
            if self.num_batches is not None and self.seen >= self.num_batches:
                warnings.warn(
                    "Your input ran out of data; interrupting training. Make sure that your "
                    "data can generate at least `steps_per_epoch * epochs` batches.",
                    stacklevel=3,
                )
                break
            try:
                batch = next(self.current)
            except StopIteration:
                self.current = None
                return
            self.seen += 1
            yield batch
        if self.num_batches is not None and self.seen >= self.num_batches:
            self.current, self.seen = iter(self.batches), 0


def length(batches) -> int | None:
    """len(batches), or None for an iterable of unknown length."""
    try:
        return len(batches)
    except TypeError:
        return None

"""Datasets: anything with `__getitem__(i)` and `__len__()`, PyTorch's `torch.utils.data` protocol.

    TensorDataset(X, y)[i] == (X[i], y[i])            samples are tuples of tensors
    Subset(ds, indices)[i] == ds[indices[i]]
    ConcatDataset([a, b])[i] == a[i] if i < len(a) else b[i - len(a)]
    random_split(ds, [0.8, 0.2], generator=0)         disjoint random Subsets covering ds
    TransformDataset(ds, transform)[i]                 transform applied afresh on every fetch

A `DataLoader` draws indices from a sampler, fetches `dataset[i]` for each and collates the samples
into a batch. `TensorDataset` and `Subset` also fetch a whole batch at once with one fancy index per
tensor (`_collated_batch`), which gives exactly the batch `default_collate` would build sample by
sample, much faster.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from minidl.autograd import Tensor, as_array
from minidl.random import as_generator


class Dataset:
    """Base class of map-style datasets: subclasses define `__getitem__(index)` and `__len__()`.

    `dataset_a + dataset_b` is their `ConcatDataset`, as in PyTorch.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


def _to_tensor(data, where: str, position: int) -> Tensor:
    """A Tensor sharing memory with `data` where possible (numpy arrays keep their dtype)."""
    if isinstance(data, Tensor):
        return data
    if hasattr(data, "toarray") and hasattr(data, "nnz"):
        raise TypeError(
            f"{where}: argument {position} is a scipy sparse matrix; convert it first with "
            f"`.toarray()` (minidl tensors are dense)"
        )
    if not isinstance(data, (np.ndarray, list, tuple)):
        data = np.asarray(data)  # pandas frames and series, anything with __array__
    # lists follow md.tensor's dtype rules; numpy arrays keep their dtype
    array = as_array(data, where=where)
    return Tensor._wrap(array)


class TensorDataset(Dataset):
    """Samples are `(t[index] for t in tensors)`: row `i` of every tensor, as a tuple.

    Accepts minidl Tensors, numpy arrays (memory shared, dtype kept: float64 stays float64) and
    whatever scikit-learn returns (arrays, pandas frames). All must have the same first dimension,
    the number of samples. `.tensors` is the tuple of stored Tensors.
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor or array; received none")
        converted = tuple(_to_tensor(t, "TensorDataset", k) for k, t in enumerate(tensors))
        for k, t in enumerate(converted):
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {k} is a 0-d value; every tensor needs a first "
                    f"dimension that counts samples"
                )
        sizes = [t.shape[0] for t in converted]
        if any(n != sizes[0] for n in sizes):
            shapes = ", ".join(str(tuple(t.shape)) for t in converted)
            raise ValueError(
                f"TensorDataset: every tensor must have the same first dimension (the number of "
                f"samples); received shapes {shapes}"
            )
        self.tensors = converted

    def __getitem__(self, index):
        # a plain view of the row when no gradient is wanted (the common case: data, not weights)
        return tuple(
            t[index] if t.requires_grad else Tensor._wrap(np.asarray(t.data[index]))
            for t in self.tensors
        )

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _collated_batch(self, indices: Sequence[int]) -> list[Tensor] | None:
        """What `default_collate([self[i] for i in indices])` returns, with one gather per tensor
        (None when a tensor requires grad: then the batch must be stacked through autograd)."""
        if any(t.requires_grad for t in self.tensors):
            return None
        idx = np.asarray(indices, dtype=np.int64)
        return [Tensor._wrap(t.data[idx]) for t in self.tensors]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order: `Subset(ds, idx)[i] == ds[idx[i]]`."""

    def __init__(self, dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def _collated_batch(self, indices: Sequence[int]):
        fast = getattr(self.dataset, "_collated_batch", None)
        if fast is None:
            return None
        return fast([self.indices[i] for i in indices])


class ConcatDataset(Dataset):
    """Datasets one after another. `cumulative_sizes[k]` is the total length of datasets 0..k."""

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: argument `datasets` must not be empty")
        self.cumulative_sizes = []
        total = 0
        for k, d in enumerate(self.datasets):
            if not hasattr(d, "__len__") or not hasattr(d, "__getitem__"):
                raise TypeError(
                    f"ConcatDataset: dataset {k} must define __len__ and __getitem__; "
                    f"received {type(d).__name__}"
                )
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int):
        n = len(self)
        if index < 0:
            if -index > n:
                raise ValueError(
                    f"ConcatDataset: absolute value of index {index} exceeds the length {n}"
                )
            index += n
        if index >= n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for length {n}")
        k = bisect.bisect_right(self.cumulative_sizes, index)  # first dataset that reaches past it
        start = 0 if k == 0 else self.cumulative_sizes[k - 1]
        return self.datasets[k][index - start]


class TransformDataset(Dataset):
    """`dataset` with `transform` applied to each sample's input every time it is fetched.

    A sample `(x, y, ...)` becomes `(transform(x), target_transform(y), ...)`; a sample that is not
    a tuple becomes `transform(sample)`. Because the transform runs at fetch time, a random
    augmentation draws new parameters each epoch.
    """

    def __init__(
        self,
        dataset,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        for name, fn in (("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(
                    f"TransformDataset: argument `{name}` must be callable or None; received "
                    f"{type(fn).__name__}"
                )
        self.dataset = dataset
        self.transform = transform
        self.target_transform = target_transform

    def __getitem__(self, index):
        sample = self.dataset[index]
        if not isinstance(sample, (tuple, list)):
            return sample if self.transform is None else self.transform(sample)
        x, *rest = sample
        if self.transform is not None:
            x = self.transform(x)
        if rest and self.target_transform is not None:
            rest[0] = self.target_transform(rest[0])
        return (x, *rest)

    def __len__(self) -> int:
        return len(self.dataset)


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """PyTorch's rule: fractions summing to 1 become floor(n * f), then the remainder is handed out
    one item at a time to the splits in order (round robin)."""
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for k, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(
                    f"random_split: fraction at index {k} is not between 0 and 1; received {frac}"
                )
            counts.append(int(math.floor(n * frac)))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for k, c in enumerate(counts):
            if c == 0:
                warnings.warn(
                    f"random_split: length of split at index {k} is 0; this split will be empty",
                    stacklevel=3,
                )
        return counts
    if math.isclose(total, 1) and not all(isinstance(x, (int, np.integer)) for x in lengths):
        raise ValueError(
            f"random_split: argument `lengths` holds fractions whose float sum is {total!r}, over 1 "
            f"by rounding (PyTorch refuses them too); received {list(lengths)!r}. Give the last one "
            f"as 1 - sum(the others), or give counts"
        )
    for k, length in enumerate(lengths):
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(
                f"random_split: argument `lengths` must be non-negative ints or fractions summing "
                f"to 1; received {list(lengths)!r} (entry {k} is {length!r})"
            )
    if total != n:
        raise ValueError(
            f"random_split: sum of input lengths ({total}) does not equal the length of the input "
            f"dataset ({n})"
        )
    return [int(x) for x in lengths]


def random_split(dataset, lengths: Sequence[float], generator=None) -> list[Subset]:
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths (or fractions).

    One permutation of range(len(dataset)) is drawn from `generator` (a numpy Generator, an int seed,
    or None for minidl's default generator) and cut into consecutive pieces.
    """
    if isinstance(lengths, np.ndarray):
        lengths = lengths.tolist()
    if not isinstance(lengths, Sequence) or isinstance(lengths, str) or not lengths:
        raise TypeError(
            f"random_split: argument `lengths` must be a non-empty list of lengths or fractions; "
            f"received {lengths!r}"
        )
    counts = _split_lengths(len(dataset), lengths)
    rng = as_generator(generator, "random_split")
    order = rng.permutation(sum(counts)).tolist()
    splits, start = [], 0
    for c in counts:
        splits.append(Subset(dataset, order[start : start + c]))
        start += c
    return splits

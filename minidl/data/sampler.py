"""Samplers: iterables of dataset indices, which decide the order a DataLoader visits samples in.

    SequentialSampler(ds)                        0, 1, ..., n-1
    RandomSampler(ds)                            a fresh permutation of range(n) per pass
    RandomSampler(ds, replacement=True)          num_samples uniform draws from range(n)
    SubsetRandomSampler(indices)                 a permutation of the given indices
    WeightedRandomSampler(w, num_samples)        draws i with probability w[i] / sum(w)
    BatchSampler(sampler, batch_size, drop_last) lists of batch_size indices

Randomness: every random sampler takes `generator=` -- a numpy Generator (used as given), an int seed
(turned into a Generator once, at construction) or None. With None the draws come from minidl's
default generator (`minidl.random.default_generator()`, reset by `md.manual_seed`), looked up each time
a pass begins. The random draws of a pass happen when its first index is requested. `sampler.generator`
is the Generator (or None), so a trainer can checkpoint `generator.bit_generator.state` and restore it
to replay the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from minidl import random as _random
from minidl.autograd import Tensor


def _check_positive_int(value, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{where}: argument `{name}` must be a positive int; received {value!r}")
    return int(value)


def _check_bool(value, name: str, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: argument `{name}` must be a bool; received {value!r}")
    return bool(value)


class Sampler:
    """Base class: subclasses define `__iter__` (indices) and usually `__len__`."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class _RandomMixin:
    """Holds `generator` (None or a numpy Generator) and resolves it when a pass begins."""

    def _set_generator(self, generator, where: str) -> None:
        self.generator = None if generator is None else _random.as_generator(generator, where)

    def _rng(self) -> np.random.Generator:
        return self.generator if self.generator is not None else _random.default_generator()


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_RandomMixin, Sampler):
    """Random indices into `data_source`.

    Without replacement (the default), each pass yields a permutation of range(n); if `num_samples`
    (default n) is larger than n, whole permutations follow one another and the last is cut short,
    as in PyTorch. With replacement, `num_samples` independent uniform draws from range(n).
    """

    def __init__(
        self, data_source, replacement: bool = False, num_samples: int | None = None, generator=None
    ) -> None:
        self.data_source = data_source
        self.replacement = _check_bool(replacement, "replacement", "RandomSampler")
        self._num_samples = (
            None
            if num_samples is None
            else _check_positive_int(num_samples, "num_samples", "RandomSampler")
        )
        self._set_generator(generator, "RandomSampler")
        if self.num_samples <= 0:
            raise ValueError(
                f"RandomSampler: num_samples should be a positive int; received "
                f"{self.num_samples} (is the dataset empty?)"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), self._rng()
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[: self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_RandomMixin, Sampler):
    """The given `indices` in a fresh random order on each pass, without replacement."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self._set_generator(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        for i in self._rng().permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_RandomMixin, Sampler):
    """`num_samples` indices drawn with P(i) = weights[i] / sum(weights) (weights need not sum to 1).

    With `replacement=False` an index is drawn at most once (sequentially, each draw renormalising
    the remaining weights), so `num_samples` may not exceed the number of non-zero weights. Giving each
    sample the weight 1 / (count of its class) balances the classes seen in training.
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None) -> None:
        where = "WeightedRandomSampler"
        self.num_samples = _check_positive_int(num_samples, "num_samples", where)
        self.replacement = _check_bool(replacement, "replacement", where)
        w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1 or w.size == 0:
            raise ValueError(
                f"{where}: argument `weights` must be a non-empty 1-D sequence; received shape "
                f"{w.shape}"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(
                f"{where}: argument `weights` must be finite and non-negative with a positive sum; "
                f"received min {w.min()}, sum {w.sum()}"
            )
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise ValueError(
                f"{where}: without replacement, num_samples ({self.num_samples}) cannot exceed the "
                f"number of non-zero weights ({np.count_nonzero(w)})"
            )
        self.weights = w
        self._set_generator(generator, where)

    def __iter__(self) -> Iterator[int]:
        p = self.weights / self.weights.sum()
        draws = self._rng().choice(len(p), size=self.num_samples, replace=self.replacement, p=p)
        yield from draws.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of `sampler` (any iterable of indices) into lists of `batch_size`.

    The last, shorter batch is kept unless `drop_last`. len = ceil(n / batch_size), or floor with
    drop_last.
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = _check_positive_int(batch_size, "batch_size", "BatchSampler")
        self.drop_last = _check_bool(drop_last, "drop_last", "BatchSampler")

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size

"""DataLoader: iterate over a dataset in batches, PyTorch's `torch.utils.data.DataLoader`.

One pass (one `for batch in loader`) is::

    for indices in batch_sampler:                       # e.g. [17, 3, 42, ...] (batch_size of them)
        samples = [dataset[i] for i in indices]
        yield collate_fn(samples)                       # default_collate: stack into Tensors

`batch_sampler` is built from the arguments: `BatchSampler(sampler, batch_size, drop_last)`, where
`sampler` is `RandomSampler(dataset, generator=generator)` when `shuffle=True`, else
`SequentialSampler(dataset)`. A loader can be iterated again and again (one pass per epoch, a new
permutation each time when shuffling). `len(loader)` is the number of batches.

Seeding: `generator` is a numpy Generator or an int seed (made into a Generator once, here) and is
shared with the RandomSampler, so two loaders built with the same seed give the same batches, epoch
after epoch. With `generator=None` the permutation is drawn from minidl's default generator (the one
`md.manual_seed` resets) when each pass begins. To checkpoint the shuffling, save
`loader.generator.bit_generator.state` (or the default generator's, when `loader.generator` is None)
and assign it back before the next pass; `loader.sampler.generator` is the same object.

Everything runs in the calling process: `num_workers` and `pin_memory` are accepted for PyTorch code
and change nothing (PyTorch's workers do not change which batches come out, only how fast).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from minidl import random as _random
from minidl.data.collate import default_collate, default_convert
from minidl.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


class DataLoader:
    """Batches of `dataset` (anything with `__getitem__` and `__len__`).

    Arguments, as in PyTorch: `batch_size` (None: yield single samples, through
    `default_convert`), `shuffle` (a new random order each pass; None means False), `sampler` (an
    iterable of indices; excludes `shuffle`), `batch_sampler` (an iterable of index lists; excludes
    batch_size, shuffle, sampler and drop_last), `drop_last` (drop the last incomplete batch),
    `collate_fn` (list of samples -> batch; default `default_collate`), `generator` (numpy
    Generator, int seed or None; see the module docstring).
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | None = None,
        batch_sampler=None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        generator=None,
    ) -> None:
        where = "DataLoader"
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                f"{where}: argument `dataset` must define __getitem__ and __len__ (a map-style "
                f"dataset such as TensorDataset); received {type(dataset).__name__}"
            )
        if batch_size is not None and (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size <= 0
        ):
            raise ValueError(
                f"{where}: argument `batch_size` must be a positive int or None; received "
                f"{batch_size!r}"
            )
        shuffle = False if shuffle is None else shuffle  # PyTorch's default is None, meaning False
        if not isinstance(shuffle, (bool, np.bool_)) or not isinstance(drop_last, (bool, np.bool_)):
            raise TypeError(
                f"{where}: arguments `shuffle` and `drop_last` must be bools; received "
                f"shuffle={shuffle!r}, drop_last={drop_last!r}"
            )
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                f"{where}: argument `num_workers` must be a non-negative int; received "
                f"{num_workers!r}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(
                f"{where}: argument `collate_fn` must be callable or None; received "
                f"{type(collate_fn).__name__}"
            )
        if sampler is not None and shuffle:
            raise ValueError(f"{where}: argument `sampler` is mutually exclusive with shuffle=True")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    f"{where}: argument `batch_sampler` is mutually exclusive with batch_size, "
                    f"shuffle, sampler and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                f"{where}: batch_size=None (no batching) is mutually exclusive with drop_last=True"
            )

        self.dataset = dataset
        self.generator = None if generator is None else _random.as_generator(generator, where)
        if sampler is None:
            sampler = (
                RandomSampler(dataset, generator=self.generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.batch_size = batch_size
        self.drop_last = bool(drop_last)
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self._default_collate = collate_fn is None or collate_fn is default_collate
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    def __iter__(self) -> Iterator:
        if not self._auto_collation:
            for index in self.sampler:
                sample = self.dataset[index]
                yield default_convert(sample) if self._default_collate else self.collate_fn(sample)
            return
        fast = getattr(self.dataset, "_collated_batch", None) if self._default_collate else None
        for indices in self.batch_sampler:
            batch = fast(indices) if fast is not None else None
            if batch is None:  # no shortcut: fetch sample by sample, then collate
                batch = self.collate_fn([self.dataset[i] for i in indices])
            yield batch

    def __len__(self) -> int:
        if self._auto_collation:
            return len(self.batch_sampler)
        return len(self.sampler)

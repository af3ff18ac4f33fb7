"""`RandomSampler`: random search, every parameter drawn independently of every other trial.

Why it is a strong baseline (Bergstra & Bengio 2012): when only a few of d hyperparameters matter,
a grid of n points tries only n^(1/d) distinct values of each, while n random points try n distinct
values of every one of them.

Each kind of dimension, with u ~ Uniform[0, 1):

- float:            x = low + u * (high - low)
- float, log=True:  x = exp(log low + u * (log high - log low))      (log-uniform: equal mass per decade)
- float, step s:    x = low + k * s,  k uniform in {0, ..., (high - low) / s}
- int, step s:      same as the stepped float, in integers
- int, log=True:    x = round(exp(v)),  v uniform in [log(low - 1/2), log(high + 1/2)], clipped to
                    [low, high]: each integer k gets mass proportional to log((k + 1/2) / (k - 1/2))
- categorical:      each choice with probability 1 / len(choices)

Reproducible anywhere: the random generator for (trial n, parameter `name`) is seeded from
(seed, n, crc32(name)), so trial n draws the same values whether it runs in this process, in a
process pool or on a Dask worker, and whatever order trials finish in. `seed=None` picks a random
seed once, at construction.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from minidl.search.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from minidl.search.samplers._base import BaseSampler


def check_seed(where: str, seed: Any) -> int:
    """`seed` as a non-negative int, or a fresh random one for None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{where}: argument `seed` must be an int >= 0 or None; received {seed!r}")
    return int(seed)


def trial_rng(seed: int, number: int, name: str) -> np.random.Generator:
    """The generator for parameter `name` of trial `number`: a pure function of its arguments."""
    return np.random.default_rng([seed, number, zlib.crc32(name.encode("utf-8"))])


def sample_from(dist: Any, rng: np.random.Generator) -> Any:
    """One random value of `dist` (see the module docstring for each kind)."""
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[int(rng.integers(len(dist.choices)))]
    if isinstance(dist, IntDistribution):
        if dist.log:
            v = rng.uniform(math.log(dist.low - 0.5), math.log(dist.high + 0.5))
            return int(min(max(round(math.exp(v)), dist.low), dist.high))
        k = int(rng.integers(0, (dist.high - dist.low) // dist.step + 1))
        return dist.low + k * dist.step
    if isinstance(dist, FloatDistribution):
        if dist.step is not None:
            n = round((dist.high - dist.low) / dist.step)
            k = int(rng.integers(0, n + 1))
            return min(dist.low + k * dist.step, dist.high)
        u = rng.random()
        if dist.log:
            lo, hi = math.log(dist.low), math.log(dist.high)
            return min(math.exp(lo + u * (hi - lo)), dist.high)
        return dist.low + u * (dist.high - dist.low)
    raise TypeError(f"sample_from: unknown distribution {dist!r}")


class RandomSampler(BaseSampler):
    """Random search: each parameter of each trial drawn independently (see the module docstring).

    Args:
        seed: int >= 0 for reproducible draws; None for a random seed chosen now.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seed = check_seed("RandomSampler", seed)

    def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any):
        return sample_from(param_distribution, trial_rng(self._seed, trial.number, param_name))

    def __repr__(self) -> str:
        return f"RandomSampler(seed={self._seed})"

"""Randomness from an explicit seed: one default `numpy.random.Generator`, reset by `manual_seed`.

Like PyTorch, the default generator starts from a fixed seed, so a fresh process gives the same numbers
every time. Functions that draw random numbers take `generator=` (a Generator or an int seed); without it
they use the default generator.
"""

from __future__ import annotations

import numpy as np

_INITIAL_SEED = 67280421310721  # PyTorch's default initial seed; any fixed number would do
_default = np.random.default_rng(_INITIAL_SEED)


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the default generator to `seed` and return it."""
    global _default
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            f"manual_seed: argument `seed` must be a non-negative int; received {seed!r}"
        )
    _default = np.random.default_rng(int(seed))
    return _default


def default_generator() -> np.random.Generator:
    """The generator used when a function is given no `generator`."""
    return _default


def as_generator(generator, where: str) -> np.random.Generator:
    """Turn `generator` (None, an int seed or a Generator) into a Generator; `where` names the caller."""
    if generator is None:
        return _default
    if isinstance(generator, np.random.Generator):
        return generator
    if (
        isinstance(generator, (int, np.integer))
        and not isinstance(generator, bool)
        and generator >= 0
    ):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"{where}: argument `generator` must be a numpy.random.Generator, a non-negative int seed "
        f"or None; received {generator!r}"
    )

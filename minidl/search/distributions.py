"""The three kinds of search-space dimension a trial can suggest (Optuna's `optuna.distributions`).

- `FloatDistribution(low, high, log=False, step=None)`: a real number in [low, high]; with `log=True`
  uniform in log space (low > 0); with `step` the grid {low, low + step, ..., high}.
- `IntDistribution(low, high, log=False, step=1)`: an integer in {low, low + step, ..., high}; with
  `log=True` (step 1 only, low >= 1) log-uniform and rounded.
- `CategoricalDistribution(choices)`: one of a finite tuple of choices (None, bool, int, float, str).

A distribution only describes the space; samplers decide how to draw from it. Two trials that suggest
the same name must describe it with equal distributions for a model-based sampler to learn across
them, so the classes are frozen dataclasses compared by value.

The `check_*` functions validate the arguments of `Trial.suggest_*` and return an error message (or
None): the caller prefixes the name of the function the user called, so every message says where the
bad value came from, what it was and what was expected.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

# Relative tolerance for "step divides high - low" on floats: (high - low) / step must be an integer
# up to rounding error of the subtraction and division.
_STEP_RTOL = 1e-9


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def check_float(low: Any, high: Any, step: Any, log: Any) -> str | None:
    """Why (low, high, step, log) is not a valid float space, or None if it is."""
    for arg, v in (("low", low), ("high", high)):
        if not _is_real(v) or not math.isfinite(v):
            return f"argument `{arg}` must be a finite real number; received {arg}={v!r}"
    if low > high:
        return f"argument `low` must be <= `high`; received low={low!r}, high={high!r}"
    if not isinstance(log, bool):
        return f"argument `log` must be a bool; received log={log!r}"
    if log and low <= 0:
        return f"argument `low` must be > 0 when log=True; received low={low!r}"
    if step is not None:
        if log:
            return (
                f"arguments `step` and `log=True` cannot be used together; received step={step!r}"
            )
        if not _is_real(step) or not math.isfinite(step) or step <= 0:
            return f"argument `step` must be a positive real number or None; received step={step!r}"
        n = (high - low) / step
        if abs(n - round(n)) > _STEP_RTOL * max(1.0, abs(n)):
            return (
                f"argument `step` must divide `high - low` exactly; received low={low!r}, "
                f"high={high!r}, step={step!r} ((high - low) / step = {n:.6g})"
            )
    return None


def _is_integral(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, numbers.Integral):
        return True
    return isinstance(x, float) and x.is_integer()


def check_int(low: Any, high: Any, step: Any, log: Any) -> str | None:
    """Why (low, high, step, log) is not a valid integer space, or None if it is."""
    for arg, v in (("low", low), ("high", high)):
        if not _is_integral(v):
            return f"argument `{arg}` must be an integer; received {arg}={v!r}"
    if low > high:
        return f"argument `low` must be <= `high`; received low={low!r}, high={high!r}"
    if not isinstance(log, bool):
        return f"argument `log` must be a bool; received log={log!r}"
    if not _is_integral(step) or step < 1:
        return f"argument `step` must be an integer >= 1; received step={step!r}"
    if log and step != 1:
        return (
            f"arguments `step` != 1 and `log=True` cannot be used together; received step={step!r}"
        )
    if log and low < 1:
        return f"argument `low` must be >= 1 when log=True; received low={low!r}"
    if (int(high) - int(low)) % int(step) != 0:
        return (
            f"argument `step` must divide `high - low` exactly; received low={low!r}, "
            f"high={high!r}, step={step!r}"
        )
    return None


_CHOICE_TYPES = (type(None), bool, int, float, str)


def check_choices(choices: Any) -> str | None:
    """Why `choices` is not a valid categorical space, or None if it is."""
    if isinstance(choices, (str, bytes)) or not hasattr(choices, "__len__"):
        return f"argument `choices` must be a sequence (list or tuple); received {choices!r}"
    if len(choices) == 0:
        return "argument `choices` must not be empty; received []"
    for c in choices:
        if not isinstance(c, _CHOICE_TYPES):
            return (
                "argument `choices` must hold only None, bool, int, float or str (values that "
                f"compare and store reliably); received {c!r} of type {type(c).__name__}"
            )
    return None


def _raise(cls: type, msg: str | None) -> None:
    if msg is not None:
        raise ValueError(f"{cls.__name__}: {msg}")


@dataclass(frozen=True)
class FloatDistribution:
    """A real dimension: [low, high], optionally log-scaled or on the grid low + k * step."""

    low: float
    high: float
    log: bool = False
    step: float | None = None

    def __post_init__(self) -> None:
        _raise(type(self), check_float(self.low, self.high, self.step, self.log))
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))
        if self.step is not None:
            object.__setattr__(self, "step", float(self.step))

    def contains(self, value: Any) -> bool:
        """Whether `value` is a point of this space (on the step grid, if there is one)."""
        if not _is_real(value) or not (self.low <= value <= self.high):
            return False
        if self.step is None:
            return True
        k = (value - self.low) / self.step
        return abs(k - round(k)) <= 1e-6

    def cast(self, value: Any) -> float:
        return float(value)


@dataclass(frozen=True)
class IntDistribution:
    """An integer dimension: {low, low + step, ..., high}, optionally log-scaled (step 1)."""

    low: int
    high: int
    log: bool = False
    step: int = 1

    def __post_init__(self) -> None:
        _raise(type(self), check_int(self.low, self.high, self.step, self.log))
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))
        object.__setattr__(self, "step", int(self.step))

    def contains(self, value: Any) -> bool:
        """Whether `value` is an integer of the grid low + k * step inside [low, high]."""
        if not _is_integral(value) or not (self.low <= value <= self.high):
            return False
        return (int(value) - self.low) % self.step == 0

    def cast(self, value: Any) -> int:
        return int(value)


@dataclass(frozen=True)
class CategoricalDistribution:
    """A finite set of unordered choices; a trial's value is one of the choice objects itself."""

    choices: tuple

    def __post_init__(self) -> None:
        _raise(type(self), check_choices(self.choices))
        object.__setattr__(self, "choices", tuple(self.choices))

    def contains(self, value: Any) -> bool:
        return any(_same_choice(value, c) for c in self.choices)

    def index(self, value: Any) -> int:
        """The position of `value` among the choices (type-aware: True is not 1)."""
        for i, c in enumerate(self.choices):
            if _same_choice(value, c):
                return i
        raise ValueError(f"CategoricalDistribution.index: {value!r} is not one of {self.choices}")

    def cast(self, value: Any) -> Any:
        return value


def _same_choice(a: Any, b: Any) -> bool:
    # 1 == 1.0 == True in Python; a categorical choice keeps its type, so compare types too.
    return type(a) is type(b) and (a == b or (a != a and b != b))  # NaN equals NaN here


Distribution = FloatDistribution | IntDistribution | CategoricalDistribution

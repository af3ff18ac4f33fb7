"""Argument checks shared by the optimizers and the LR schedules.

Messages name who complains, the argument, the value received and what was expected, keeping
PyTorch's phrasing where PyTorch has one: ``SGD: Invalid learning rate: -1 (expected lr >= 0)``,
``StepLR: argument `step_size` must be a positive integer; got 0``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def describe(value: Any) -> str:
    """A short type description for error messages: ``numpy.ndarray``, ``float``, ..."""
    cls = type(value)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def check_number(owner: str, name: str, value: Any) -> None:
    """Raise TypeError unless ``value`` is a real number (bools are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: argument `{name}` must be a real number; got {describe(value)}")


def check_non_negative(owner: str, name: str, value: Any, label: str) -> None:
    """Raise unless ``value >= 0``: ``SGD: Invalid learning rate: -1 (expected lr >= 0)``."""
    check_number(owner, name, value)
    if not value >= 0.0:  # also catches NaN
        raise ValueError(f"{owner}: Invalid {label}: {value} (expected {name} >= 0)")


def check_betas(owner: str, betas: Any) -> None:
    """``betas`` must be a pair ``(β1, β2)`` with each ``0 <= β < 1``."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{owner}: argument `betas` must be a pair (beta1, beta2); got {betas!r}")
    for i, beta in enumerate(betas):
        check_number(owner, f"betas[{i}]", beta)
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"{owner}: Invalid beta parameter at index {i}: {beta} (expected 0 <= betas[{i}] < 1)"
            )


def check_bool(owner: str, name: str, value: Any) -> None:
    """Flags such as ``nesterov`` or ``amsgrad`` must be real bools, not truthy objects."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: argument `{name}` must be a bool; got {describe(value)}")


def check_int(owner: str, name: str, value: Any, minimum: int) -> None:
    """Raise unless ``value`` is an int ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{owner}: argument `{name}` must be {expected}; got {value!r}")


def check_real(
    owner: str,
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise unless ``value`` is a real number within the bounds (open or closed at each end)."""
    check_number(owner, name, value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high or value != value:  # value != value catches NaN
        lower = "" if low is None else f"{low} {'<' if low_open else '<='} "
        upper = "" if high is None else f" {'<' if high_open else '<='} {high}"
        raise ValueError(
            f"{owner}: argument `{name}` must satisfy {lower}{name}{upper}; got {value!r}"
        )


def check_adam_family(owner: str, group: dict) -> None:
    """The hyperparameters Adam, NAdam, RAdam and Adamax share: lr, eps, weight_decay >= 0 and
    betas in [0, 1)."""
    check_non_negative(owner, "lr", group["lr"], "learning rate")
    check_non_negative(owner, "eps", group["eps"], "epsilon value")
    check_betas(owner, group["betas"])
    check_non_negative(owner, "weight_decay", group["weight_decay"], "weight_decay value")

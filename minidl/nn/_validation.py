"""Argument checks shared by the layers: each error names the layer, the argument, what it got
and what it expected (PyTorch's phrasing where PyTorch has one)."""

from __future__ import annotations

import numbers

import numpy as np

from minidl.autograd import Tensor


def check_positive(layer: str, **sizes) -> None:
    """Refuse non-positive or non-integer sizes, with the value received."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(
                f"{layer}: argument `{name}` must be a positive integer; received "
                f"{name}={value!r} ({type(value).__name__})"
            )
        if value <= 0:
            raise ValueError(
                f"{layer}: {name} must be a positive integer; received {name}={value!r}"
            )


def check_real(layer: str, name: str, value) -> float:
    """A real number (not a bool, string or tuple), as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{layer}: argument `{name}` must be a real number; received {name}={value!r} "
            f"({type(value).__name__})"
        )
    return float(value)


def check_int(layer: str, name: str, value, allow_none: bool = False):
    """An int (not a bool or float), or None when allowed."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        expected = "an int or None" if allow_none else "an int"
        raise TypeError(
            f"{layer}: argument `{name}` must be {expected}; received {name}={value!r} "
            f"({type(value).__name__})"
        )
    return int(value)


def check_probability(layer: str, p) -> float:
    """A dropout probability in [0, 1] (PyTorch's message), as a float."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{layer}: dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def check_eps(layer: str, eps) -> float:
    """ε > 0 (a negative ε makes √(σ² + ε) NaN on constant inputs; zero divides by zero)."""
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
        raise ValueError(f"{layer}: argument `eps` must be a number > 0; received eps={eps!r}")
    return float(eps)


def int_tuple(layer: str, name: str, value, n: int, minimum: int) -> tuple:
    """An int or an n-tuple of ints >= minimum, as an n-tuple (PyTorch's `_pair`, `_single`)."""
    items = (value,) * n if isinstance(value, (int, np.integer)) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    bad_type = items is None or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in items
    )
    what = "positive" if minimum > 0 else "non-negative"
    shape = f"a {what} int" + ("" if n == 1 else f" or a tuple of {n} of them")
    message = f"{layer}: {name} must be {shape}; received {name}={value!r}"
    if bad_type:
        raise TypeError(message + f" ({type(value).__name__})")
    if len(items) != n or any(v < minimum for v in items):
        raise ValueError(message)
    return tuple(int(v) for v in items)


def tensor_input(layer: str, x, name: str = "input") -> Tensor:
    """Refuse lists and arrays where a layer needs a Tensor (PyTorch: 'must be Tensor, not list')."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{layer}: argument `{name}` must be a Tensor, not {type(x).__name__} "
            f"(wrap it: md.tensor(...))"
        )
    return x


def float_input(layer: str, x, name: str = "input") -> Tensor:
    """A floating-point Tensor (integer logits or images must be converted first: x.float())."""
    x = tensor_input(layer, x, name)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{layer}: argument `{name}` must be a floating-point Tensor; received dtype "
            f"{x.dtype} (convert it with .float())"
        )
    return x

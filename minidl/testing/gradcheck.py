"""Checking gradients against finite differences.

For L(x) = Σ v ⊙ f(x) with a fixed random upstream gradient v, the analytic gradient from backward() must
match the central difference

    dL/dx_i ≈ (L(x + ε e_i) − L(x − ε e_i)) / (2ε)

whose error is O(ε²). In float64 with ε = 1e-6 that leaves about 1e-10 of truncation and rounding error;
in float32 rounding alone (~1e-7 relative, divided by ε) swamps the answer — hence float64 only.
A random v (not all ones) catches transposed or mis-summed gradients that ones would hide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from minidl.autograd import Tensor, no_grad


def _as_tuple(inputs) -> tuple:
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _outputs(out) -> tuple:
    outs = (out,) if isinstance(out, Tensor) else tuple(out)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(
                f"gradcheck: f must return a Tensor or tuple of Tensors; got {type(o).__name__}"
            )
    return outs


def _loss(f, inputs, upstream) -> float:
    """L = Σ_k Σ v_k ⊙ f(inputs)_k, evaluated without recording."""
    with no_grad():
        outs = _outputs(f(*inputs))
    return float(sum(np.sum(o.data.astype(np.float64) * v) for o, v in zip(outs, upstream)))


def numerical_grad(
    f: Callable, *inputs: Tensor, eps: float = 1e-6, upstream: Sequence[np.ndarray] | None = None
) -> list[np.ndarray]:
    """Central-difference gradient of Σ upstream ⊙ f(*inputs) with respect to each input.

    `upstream` defaults to ones (the gradient of f's sum). Inputs are perturbed in place, one element
    at a time, and restored. Returns one float64 array per input.
    """
    if eps <= 0:
        raise ValueError(f"numerical_grad: argument `eps` must be > 0; received eps={eps}")
    inputs = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
    if upstream is None:
        with no_grad():
            upstream = [np.ones(o.shape) for o in _outputs(f(*inputs))]
    grads = []
    for x in inputs:
        g = np.zeros(x.shape, dtype=np.float64)
        for i in np.ndindex(
            x.shape
        ):  # index the array itself: a reshape of a strided view is a copy
            old = x.data[i]
            x.data[i] = old + eps
            plus = _loss(f, inputs, upstream)
            x.data[i] = old - eps
            minus = _loss(f, inputs, upstream)
            x.data[i] = old
            g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def gradcheck(
    f: Callable,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check backward() of `f` against central differences for every input that requires grad.

    Inputs must be float64 (see the module docstring). Passes when, for every element,
    |analytic − numerical| ≤ atol + rtol·|numerical|. On failure, raises (or returns False with
    `raise_exception=False`) naming the input, the worst element, and both values.
    """
    inputs = _as_tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; pass tensors with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; finite differences need float64 "
                f"(with eps={eps}, float32 rounding error of ~1e-7 relative, divided by eps, is larger "
                f"than the gradient itself). Convert with .double() or md.tensor(..., dtype=md.float64)"
            )
    rng = np.random.default_rng(seed)
    outs = _outputs(f(*inputs))
    upstream = [rng.standard_normal(o.shape) for o in outs]

    saved = [inputs[i].grad for i in checked]
    for i in checked:
        inputs[i].grad = None
    recorded = [(o, v) for o, v in zip(outs, upstream) if o.requires_grad]
    for k, (o, v) in enumerate(recorded):
        o.backward(v.astype(o.dtype), retain_graph=k < len(recorded) - 1)
    analytic = [
        np.zeros(inputs[i].shape) if inputs[i].grad is None else inputs[i].grad.data
        for i in checked
    ]
    for i, g in zip(checked, saved):
        inputs[i].grad = g

    numerical = _numerical_for(f, inputs, checked, eps, upstream)
    for i, a, n in zip(checked, analytic, numerical):
        err = np.abs(a - n) - (atol + rtol * np.abs(n))
        if err.size and err.max() > 0:
            worst = np.unravel_index(int(np.argmax(err)), err.shape)
            msg = (
                f"gradcheck: gradient of input {i} (shape {inputs[i].shape}) is wrong at index "
                f"{tuple(int(j) for j in worst)}: analytic {a[worst]:.8g}, numerical {n[worst]:.8g} "
                f"(tolerance atol={atol} + rtol={rtol}·|numerical|)"
            )
            if raise_exception:
                raise AssertionError(msg)
            return False
    return True


def _numerical_for(f, inputs, checked, eps, upstream) -> list[np.ndarray]:
    """Numerical gradients for the checked inputs only, holding the others fixed."""

    def g(*xs):
        full = list(inputs)
        for i, x in zip(checked, xs):
            full[i] = x
        return f(*full)

    return numerical_grad(g, *[inputs[i] for i in checked], eps=eps, upstream=upstream)

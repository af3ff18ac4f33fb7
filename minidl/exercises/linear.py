"""Exercise on the linear layer (lesson 4, backpropagation): y = x Wᵀ + b, backward.
Reference: minidl.nn.functional.linear (LinearFunction) through the engine."""

from __future__ import annotations

from hypothesis import strategies as st

import minidl.nn.functional as F
from minidl.exercises._common import FLOAT_DTYPES, float_arrays, through_engine
from minidl.exercises.exercise import Exercise, register


@st.composite
def _linear_cases(draw):
    dtype = draw(FLOAT_DTYPES)
    n, d_in, d_out = (draw(st.integers(1, 4)) for _ in range(3))
    return {
        "x": draw(float_arrays((n, d_in), dtype)),
        "w": draw(float_arrays((d_out, d_in), dtype)),
        "b": draw(float_arrays((d_out,), dtype)),
        "grad_out": draw(float_arrays((n, d_out), dtype)),
    }


def _reference(x, w, b, grad_out):
    return tuple(through_engine(F.linear, [x, w, b], grad_out)[1])


def _with(**changes):
    """The reference's gradients with some replaced by a wrong formula of (x, w, b, g)."""

    def wrong(x, w, b, g):
        grads = dict(zip(("gx", "gw", "gb"), (g @ w, g.T @ x, g.sum(axis=0))))
        grads.update({k: f(x, w, b, g) for k, f in changes.items()})
        return grads["gx"], grads["gw"], grads["gb"]

    return wrong


linear_backward = Exercise(
    name="linear_backward",
    topic="linear",
    difficulty=1,
    lesson=4,
    source="minidl/nn/functional.py (LinearFunction)",
    signature="def linear_backward(x, w, b, grad_out):",
    doc="""Backward of the linear layer y = x Wᵀ + b (PyTorch's layout: W is (out, in)).

    With g = grad_out = dL/dy:
        dL/dx = g W          (N, out) @ (out, in) -> (N, in)
        dL/dW = gᵀ x         (out, N) @ (N, in)   -> (out, in)   (summed over the batch)
        dL/db = Σ_n g[n]     (out,)

    Args:
        x: (N, in); w: (out, in); b: (out,); grad_out: (N, out). All float32 or all float64.
    Returns:
        (grad_x, grad_w, grad_b) with the shapes of x, w, b and their dtype.
    """,
    reference=_reference,
    cases=_linear_cases(),
    outputs=(("grad_x", "gradient"), ("grad_w", "gradient"), ("grad_b", "gradient")),
    mistakes={
        "grad_w is transposed: with y = x Wᵀ, dL/dW = gᵀ x of shape (out, in), not xᵀ g": _with(
            gw=lambda x, w, b, g: x.T @ g
        ),
        "grad_x: y = x Wᵀ so dL/dx = g W (no transpose)": _with(gx=lambda x, w, b, g: g @ w.T),
        "grad_w is a sum over the batch, not a mean (no 1/N)": _with(
            gw=lambda x, w, b, g: g.T @ x / len(x)
        ),
        "grad_b is a sum over the batch, not a mean (no 1/N)": _with(
            gb=lambda x, w, b, g: g.mean(axis=0)
        ),
        "grad_b must be summed over the batch: shape (out,), not (N, out)": _with(
            gb=lambda x, w, b, g: g.copy()
        ),
    },
)

register(linear_backward)

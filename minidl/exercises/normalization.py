"""Exercise on batch normalisation (lesson 18, where BatchNorm blocks enter the CNNs): the backward
pass in training mode. Reference: minidl.nn.normalization (batch_norm, Normalize) through the engine."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minidl.exercises._common import FLOAT_DTYPES, float_arrays, through_engine
from minidl.exercises.exercise import Exercise, register
from minidl.nn.normalization import batch_norm


@st.composite
def _cases(draw):
    dtype = draw(FLOAT_DTYPES)
    n, d = draw(st.integers(2, 5)), draw(st.integers(1, 4))
    return {
        "x": draw(float_arrays((n, d), dtype)),
        "gamma": draw(float_arrays((d,), dtype, -2.0, 2.0)),
        "grad_out": draw(float_arrays((n, d), dtype)),
        "eps": draw(st.sampled_from([1e-5, 1e-2, 1.0])),
    }


def _reference(x, gamma, grad_out, eps=1e-5):
    beta = np.zeros_like(gamma)

    def f(x, gamma, beta):
        return batch_norm(x, None, None, gamma, beta, training=True, eps=eps)

    return tuple(through_engine(f, [x, gamma, beta], grad_out)[1])


def _parts(x, eps, ddof=0):
    mean = x.mean(axis=0)
    var = x.var(axis=0, ddof=ddof) if len(x) > ddof else np.zeros_like(mean)
    inv_std = 1 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def _bn(gx=None, ggamma=None, gbeta=None, ddof=0):
    """Batch-norm backward with some parts replaced by a wrong formula."""

    def wrong(x, gamma, g, eps=1e-5):
        x_hat, inv_std = _parts(x, eps, ddof)
        gxh = g * gamma
        right_gx = inv_std * (gxh - gxh.mean(axis=0) - x_hat * (gxh * x_hat).mean(axis=0))
        return (
            right_gx if gx is None else gx(x_hat, inv_std, gamma, g),
            (g * x_hat).sum(axis=0) if ggamma is None else ggamma(x_hat, g),
            g.sum(axis=0) if gbeta is None else gbeta(g),
        )

    return wrong


batch_norm_backward = Exercise(
    name="batch_norm_backward",
    topic="normalization",
    difficulty=3,
    lesson=18,
    source="minidl/nn/normalization.py (Normalize, batch_norm)",
    signature="def batch_norm_backward(x, gamma, grad_out, eps=1e-5):",
    doc="""Backward of batch normalisation in training mode, for (N, D) features.

    Forward (per feature d, statistics over the batch of N):
        μ = mean_n x,  σ² = mean_n (x − μ)²  (biased: 1/N),  x̂ = (x − μ) / √(σ² + ε),
        y = γ x̂ + β
    Backward, with g = grad_out and means over the batch:
        dL/dβ = Σ_n g        dL/dγ = Σ_n g ⊙ x̂
        dL/dx = (γ / √(σ² + ε)) ⊙ (g − mean_n g − x̂ ⊙ mean_n(g ⊙ x̂))
    (μ and σ² depend on every x in the batch: that is where the two subtracted terms come from.)

    Args:
        x: (N, D) with N ≥ 2; gamma: (D,); grad_out: (N, D); all float32 or all float64.
        eps: ε, added to the variance.
    Returns:
        (grad_x, grad_gamma, grad_beta): shapes (N, D), (D,), (D,), the inputs' dtype.
    """,
    reference=_reference,
    cases=_cases(),
    outputs=(("grad_x", "gradient"), ("grad_gamma", "gradient"), ("grad_beta", "gradient")),
    tol={np.dtype(np.float64): (1e-7, 1e-9), np.dtype(np.float32): (1e-3, 1e-4)},
    mistakes={
        "μ and σ² depend on x: dL/dx needs the − mean(g) − x̂·mean(g ⊙ x̂) terms (you treated "
        "them as constants)": _bn(gx=lambda xh, s, gm, g: g * gm * s),
        "dL/dx carries the factor γ (y = γ x̂ + β)": _bn(
            gx=lambda xh, s, gm, g: s * (g - g.mean(axis=0) - xh * (g * xh).mean(axis=0))
        ),
        "dL/dγ = Σ_n g ⊙ x̂ (you summed g alone)": _bn(ggamma=lambda xh, g: g.sum(axis=0)),
        "dL/dβ = Σ_n g, a sum over the batch, not a mean": _bn(gbeta=lambda g: g.mean(axis=0)),
        "training-mode batch norm normalises with the biased variance (1/N), not 1/(N − 1)": _bn(
            ddof=1
        ),
    },
)

register(batch_norm_backward)

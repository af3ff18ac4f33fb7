"""Exercises on losses (lesson 3): softmax cross-entropy with its gradient, and the MSE gradient.
References: minidl.nn.losses (F.cross_entropy, F.mse_loss) through the engine."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minidl.nn.functional as F
from minidl.exercises._common import FLOAT_DTYPES, float_arrays, grad_of_loss
from minidl.exercises.exercise import Exercise, register
from minidl.testing import strategies as mds

SOURCE = "minidl/nn/losses.py"


@st.composite
def _ce_cases(draw):
    """logits (N, C) of a drawn dtype, sometimes scaled to ±1e4, and int64 targets in [0, C)."""
    dtype = draw(FLOAT_DTYPES)
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    scale = draw(st.sampled_from([1.0, 1e4 / 3]))
    logits = (draw(float_arrays((n, c), np.float64)) * scale).astype(dtype)
    targets = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), np.int64)
    return {"logits": logits, "targets": targets}


def _ce_reference(logits, targets):
    loss, (grad,) = grad_of_loss(lambda z: F.cross_entropy(z, targets), [logits])
    return loss, grad


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ce_parts(logits, targets):
    """(per-sample losses, softmax − one-hot) computed stably."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(len(targets))
    d = np.exp(logp)
    d[rows, targets] -= 1
    return -logp[rows, targets], d


def _ce_mistake(loss_of, grad_of):
    def wrong(logits, targets):
        with np.errstate(all="ignore"):
            losses, d = _ce_parts(logits, targets)
            return loss_of(losses, logits, targets), grad_of(d, logits, targets)

    return wrong


def _naive_ce(logits, targets):
    with np.errstate(all="ignore"):
        e = np.exp(logits)
        p = e / e.sum(axis=1, keepdims=True)
        rows = np.arange(len(targets))
        d = p.copy()
        d[rows, targets] -= 1
        return -np.log(p[rows, targets]).mean(), d / len(targets)


softmax_cross_entropy = Exercise(
    name="softmax_cross_entropy",
    topic="losses",
    difficulty=2,
    lesson=3,
    source=SOURCE + " (cross_entropy) and minidl/ops/activation.py (LogSoftmax)",
    signature="def softmax_cross_entropy(logits, targets):",
    doc="""Softmax cross-entropy from logits, mean over the batch, and its gradient.

    loss = (1/N) Σ_n −log softmax(z_n)[t_n],   log softmax(z)_k = z_k − log Σ_j e^(z_j)
    grad_logits = (softmax(z) − onehot(t)) / N

    Natural log; must stay finite for logits of ±1e4 (subtract each row's maximum first).

    Args:
        logits: z, shape (N, C), float32 or float64 (unnormalised scores, not probabilities).
        targets: t, shape (N,), int64 class indices in [0, C).
    Returns:
        (loss, grad_logits): loss a number (a float or 0-d array), grad_logits of shape (N, C)
        and the dtype of `logits`.
    """,
    reference=_ce_reference,
    cases=_ce_cases(),
    outputs=(("loss", "forward value"), ("grad_logits", "gradient")),
    mistakes={
        "the gradient of a MEAN over the batch carries 1/N: grad = (softmax − onehot) / N": (
            _ce_mistake(lambda l, z, t: l.mean(), lambda d, z, t: d)
        ),
        "the loss is the mean over the batch (reduction='mean'), not the sum": _ce_mistake(
            lambda l, z, t: l.sum(), lambda d, z, t: d / len(t)
        ),
        "sign: d loss / d logits = softmax − onehot, not onehot − softmax": _ce_mistake(
            lambda l, z, t: l.mean(), lambda d, z, t: -d / len(t)
        ),
        "cross-entropy uses the natural log (nats), not log2": _ce_mistake(
            lambda l, z, t: l.mean() / np.log(2), lambda d, z, t: d / len(t)
        ),
        "unstable: e^z overflows for large logits; subtract each row's max (log-sum-exp)": (
            _naive_ce
        ),
    },
)


@st.composite
def _mse_cases(draw):
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=1, max_dims=3))
    return {"pred": draw(float_arrays(shape, dtype)), "target": draw(float_arrays(shape, dtype))}


def _mse_reference(pred, target):
    return grad_of_loss(lambda p: F.mse_loss(p, target), [pred])[1][0]


mse_backward = Exercise(
    name="mse_backward",
    topic="losses",
    difficulty=1,
    lesson=3,
    source=SOURCE + " (mse_loss)",
    signature="def mse_backward(pred, target):",
    doc="""Gradient of the mean squared error L = (1/n) Σ_i (pred_i − target_i)², mean reduction.

    dL/dpred = 2 (pred − target) / n, with n the number of elements of pred (all of them, not
    only the batch dimension: PyTorch's reduction='mean').

    Args:
        pred, target: the same shape, float32 or float64.
    Returns:
        grad_pred: the shape and dtype of pred.
    """,
    reference=_mse_reference,
    cases=_mse_cases(),
    outputs=(("grad_pred", "gradient"),),
    mistakes={
        "d/dpred (pred − target)² = 2 (pred − target): the factor 2 is missing": (
            lambda p, t: (p - t) / p.size
        ),
        "missing 1/n: the mean reduction divides by the number of elements n": (
            lambda p, t: 2 * (p - t)
        ),
        "the mean is over all n elements, not over the first (batch) dimension": (
            lambda p, t: 2 * (p - t) / p.shape[0]
        ),
        "sign: dL/dpred = 2 (pred − target) / n, not 2 (target − pred) / n": (
            lambda p, t: 2 * (t - p) / p.size
        ),
    },
)

register(softmax_cross_entropy, mse_backward)

"""Exercises on optimizers (lesson 10): one step of SGD with momentum (PyTorch's convention, with
Nesterov), of Adam and of AdamW. References: minidl.optim.SGD / Adam / AdamW, run for one step
from the given state."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minidl import optim
from minidl.autograd import Tensor
from minidl.exercises._common import FLOAT_DTYPES, as_numpy, float_arrays
from minidl.exercises.exercise import Exercise, register
from minidl.testing import strategies as mds


def _parameter(param: np.ndarray, grad: np.ndarray) -> Tensor:
    """A leaf Tensor holding `param` whose .grad is `grad`, set the way training sets it."""
    p = Tensor(param, requires_grad=True)
    (p * Tensor(grad)).sum().backward()
    return p


@st.composite
def _tensors(draw, names, positive=()):
    """Arrays of one drawn shape and dtype, by name; those in `positive` are ≥ 0."""
    # (1-d and up: minidl's Adam does not yet step 0-d parameters)
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=1, max_dims=2, max_side=4))
    return {n: draw(float_arrays(shape, dtype, 0.0 if n in positive else -3.0, 3.0)) for n in names}


# ------------------------------------------------------------------------------------------ SGD
@st.composite
def _sgd_cases(draw):
    case = draw(_tensors(("param", "grad", "buf")))
    case["lr"] = draw(st.sampled_from([0.1, 0.01, 1.0]))
    case["momentum"] = draw(st.sampled_from([0.9, 0.5, 0.99]))
    case["nesterov"] = draw(st.booleans())
    return case


def _sgd_reference(param, grad, buf, lr, momentum, nesterov=False):
    p = _parameter(param, grad)
    opt = optim.SGD([p], lr=lr, momentum=momentum, nesterov=nesterov)
    opt.state[p]["momentum_buffer"] = buf.copy()
    opt.step()
    return p.data, as_numpy(opt.state[p]["momentum_buffer"])


def _sgd(rule):
    def wrong(param, grad, buf, lr, momentum, nesterov=False):
        t = param.dtype.type
        new_buf, step = rule(grad, buf, t(lr), t(momentum), nesterov)
        return param - step, new_buf

    return wrong


def _pytorch_step(g, buf, momentum, nesterov):
    new = momentum * buf + g
    return new, (g + momentum * new if nesterov else new)


sgd_momentum_step = Exercise(
    name="sgd_momentum_step",
    topic="optimizers",
    difficulty=2,
    lesson=10,
    source="minidl/optim/sgd.py (SGD)",
    signature="def sgd_momentum_step(param, grad, buf, lr, momentum, nesterov=False):",
    doc="""One step of SGD with momentum, PyTorch's convention (dampening 0, no weight decay).

        buf ← μ·buf + g                  (the velocity accumulates gradients; α stays outside)
        d   = g + μ·buf  if nesterov     (look ahead along the NEW velocity)
              buf        otherwise
        param ← param − α·d

    (Before the first step buf is zeros, which makes PyTorch's first buf = g.)

    Args:
        param, grad, buf: arrays of one shape, all float32 or all float64.
        lr: α > 0; momentum: μ in (0, 1); nesterov: bool.
    Returns:
        (param, buf): the new values, as new arrays of the same shape and dtype. Don't change the
        arrays passed in.
    """,
    reference=_sgd_reference,
    cases=_sgd_cases(),
    outputs=(("param", "state update"), ("buf", "state update")),
    mistakes={
        "with nesterov=True the step is g + μ·buf (Nesterov look-ahead); you used buf alone": _sgd(
            lambda g, b, lr, mu, nest: (mu * b + g, lr * (mu * b + g))
        ),
        "the buffer keeps the velocity μ·buf + g; the Nesterov direction g + μ·buf is only the "
        "step (you stored it in buf)": _sgd(
            lambda g, b, lr, mu, nest: (
                (g + mu * (mu * b + g)) if nest else mu * b + g,
                lr * ((g + mu * (mu * b + g)) if nest else mu * b + g),
            )
        ),
        "PyTorch keeps α outside the velocity: buf ← μ·buf + g, then param −= α·buf (you put α "
        "inside, buf ← μ·buf + α·g)": _sgd(
            lambda g, b, lr, mu, nest: (
                mu * b + lr * g,
                (lr * g + mu * (mu * b + lr * g)) if nest else mu * b + lr * g,
            )
        ),
        "the buffer must be updated and returned: buf ← μ·buf + g (you returned the old one)": (
            _sgd(lambda g, b, lr, mu, nest: (b.copy(), lr * _pytorch_step(g, b, mu, nest)[1]))
        ),
        "PyTorch's momentum has no (1 − μ) factor on g (that is dampening = μ)": _sgd(
            lambda g, b, lr, mu, nest: (
                mu * b + (1 - mu) * g,
                lr * ((g + mu * (mu * b + (1 - mu) * g)) if nest else mu * b + (1 - mu) * g),
            )
        ),
    },
)


# ----------------------------------------------------------------------------------------- Adam
@st.composite
def _adam_cases(draw, decoupled: bool):
    case = draw(_tensors(("param", "grad", "m", "v"), positive=("v",)))
    case["t"] = draw(st.integers(1, 12))
    case["lr"] = draw(st.sampled_from([1e-3, 0.1, 0.5]))
    case["beta1"] = draw(st.sampled_from([0.9, 0.5]))
    case["beta2"] = draw(st.sampled_from([0.999, 0.9]))
    case["eps"] = draw(st.sampled_from([1e-8, 1e-3]))
    if decoupled:
        case["weight_decay"] = draw(st.sampled_from([1e-2, 0.1, 0.5]))
    return case


def _adam_reference(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return _one_step(optim.Adam, param, grad, m, v, t, lr=lr, betas=(beta1, beta2), eps=eps)


def _adamw_reference(
    param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2
):
    return _one_step(
        optim.AdamW, param, grad, m, v, t, lr=lr, betas=(beta1, beta2), eps=eps,
        weight_decay=weight_decay,
    )  # fmt: skip


def _one_step(cls, param, grad, m, v, t, **hyper):
    """One step of optimizer `cls` from the state (t − 1 steps taken, averages m and v)."""
    p = _parameter(param, grad)
    opt = cls([p], **hyper)
    # the state after t − 1 steps: the step counter and the two running averages
    opt.state[p].update(step=t - 1, exp_avg=m.copy(), exp_avg_sq=v.copy())
    opt.step()
    state = opt.state[p]
    return p.data, as_numpy(state["exp_avg"]), as_numpy(state["exp_avg_sq"])


def _adam(step_of, decay=None):
    """Adam/AdamW with a replaceable step formula step_of(m, v, t, lr, b1, b2, eps, g) and
    decay(param, g, lr, wd) -> (param, g) applied first."""

    def wrong(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        c = param.dtype.type
        g = grad
        if decay is not None:
            param, g = decay(param, g, c(lr), c(weight_decay))
        m = c(beta1) * m + c(1 - beta1) * g
        v = c(beta2) * v + c(1 - beta2) * g * g
        with np.errstate(all="ignore"):
            step = step_of(m, v, t, c(lr), beta1, beta2, c(eps))
        return param - step.astype(param.dtype), m, v

    return wrong


def _right_step(m, v, t, lr, b1, b2, eps):
    return lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)


_ADAM_MISTAKES = {
    "Adam divides m by (1 − β1^t) and v by (1 − β2^t) (bias correction: both start at 0); you "
    "left it out": lambda m, v, t, lr, b1, b2, eps: lr * m / (np.sqrt(v) + eps),
    "bias-correct v as well: v̂ = v / (1 − β2^t)": (
        lambda m, v, t, lr, b1, b2, eps: lr * (m / (1 - b1**t)) / (np.sqrt(v) + eps)
    ),
    "t counts steps from 1 (this is step t): use 1 − β^t, not 1 − β^(t+1)": (
        lambda m, v, t, lr, b1, b2, eps: _right_step(m, v, t + 1, lr, b1, b2, eps)
    ),
    "ε goes outside the square root: m̂ / (√v̂ + ε), not m̂ / √(v̂ + ε)": (
        lambda m, v, t, lr, b1, b2, eps: lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + eps)
    ),
}

_ADAM_DOC = """One step of {name}, for step number t (t starts at 1).

{decay}        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²
        m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)      (bias correction: m and v start at 0)
        param ← param − α·m̂ / (√v̂ + ε)

    Args:
        param, grad, m, v: arrays of one shape, all float32 or all float64 (m, v: the running
            averages after t − 1 steps; zeros before the first).
        t: this step's number (1 on the first step); lr: α; beta1, beta2: β1, β2; eps: ε{wd_arg}.
    Returns:
        (param, m, v): the new values, as new arrays of the same shape and dtype. Don't change the
        arrays passed in.
    """

adam_step = Exercise(
    name="adam_step",
    topic="optimizers",
    difficulty=2,
    lesson=10,
    source="minidl/optim/adam.py (Adam)",
    signature="def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):",
    doc=_ADAM_DOC.format(name="Adam (Kingma & Ba), no weight decay", decay="", wd_arg=""),
    reference=_adam_reference,
    cases=_adam_cases(decoupled=False),
    outputs=(("param", "state update"), ("m", "state update"), ("v", "state update")),
    mistakes={hint: _adam(step) for hint, step in _ADAM_MISTAKES.items()},
)

adamw_step = Exercise(
    name="adamw_step",
    topic="optimizers",
    difficulty=2,
    lesson=10,
    source="minidl/optim/adam.py (AdamW)",
    signature="def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, "
    "weight_decay=1e-2):",
    doc=_ADAM_DOC.format(
        name="AdamW (Loshchilov & Hutter): Adam with decoupled weight decay λ",
        decay="        param ← param·(1 − α·λ)          (decoupled: first, and not through m, v)\n",
        wd_arg="; weight_decay: λ",
    ),
    reference=_adamw_reference,
    cases=_adam_cases(decoupled=True),
    outputs=(("param", "state update"), ("m", "state update"), ("v", "state update")),
    mistakes={
        "AdamW decouples the decay: param ← param·(1 − α·λ), not g ← g + λ·param (that is Adam's "
        "coupled L2)": _adam(_right_step, decay=lambda p, g, lr, wd: (p, g + wd * p)),
        "the decoupled decay is scaled by the learning rate: param·(1 − α·λ), not param·(1 − λ)": (
            _adam(_right_step, decay=lambda p, g, lr, wd: (p * (1 - wd), g))
        ),
        "AdamW still divides m by (1 − β1^t) and v by (1 − β2^t) (bias correction)": _adam(
            _ADAM_MISTAKES[next(iter(_ADAM_MISTAKES))],
            decay=lambda p, g, lr, wd: (p * (1 - lr * wd), g),
        ),
    },
)

register(sgd_momentum_step, adam_step, adamw_step)

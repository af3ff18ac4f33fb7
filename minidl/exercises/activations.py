"""Exercises on activations (lesson 4): the backward of sigmoid, tanh and relu, and a stable
softmax / log-softmax. References: minidl.ops.activation through the engine."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minidl as md
from minidl.exercises._common import FLOAT_DTYPES, float_arrays, through_engine
from minidl.exercises.exercise import Exercise, register
from minidl.testing import strategies as mds

SOURCE = "minidl/ops/activation.py"


@st.composite
def _x_and_grad(draw, lo=-6.0, hi=6.0):
    """x and grad_out of one drawn shape (size-1 dims included) and dtype."""
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=1, max_dims=3))
    return {
        "x": draw(float_arrays(shape, dtype, lo, hi)),
        "grad_out": draw(float_arrays(shape, dtype)),
    }


def _backward_of(op):
    def reference(x, grad_out):
        return through_engine(op, [x], grad_out)[1][0]

    return reference


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


_ELEMENTWISE_DOC = """{name}(x) elementwise, backward: grad_in = grad_out · {deriv}.

    Args:
        x: the forward input, any shape, float32 or float64.
        grad_out: dL/dy, the same shape and dtype as x.
    Returns:
        grad_in = dL/dx: the same shape and dtype as x. Don't change x or grad_out.
    {extra}"""

sigmoid_backward = Exercise(
    name="sigmoid_backward",
    topic="activations",
    difficulty=1,
    lesson=4,
    source=SOURCE + " (Sigmoid)",
    signature="def sigmoid_backward(x, grad_out):",
    doc=_ELEMENTWISE_DOC.format(
        name="y = σ(x) = 1 / (1 + e^(−x))",
        deriv="σ(x)(1 − σ(x))",
        extra="The derivative is written with the output σ(x), which forward has already computed.",
    ),
    reference=_backward_of(md.sigmoid),
    cases=_x_and_grad(),
    outputs=(("grad_in", "gradient"),),
    mistakes={
        "the chain rule multiplies by grad_out: grad_in = grad_out · σ'(x), not σ'(x) alone": (
            lambda x, g: _sigmoid(x) * (1 - _sigmoid(x))
        ),
        "σ'(x) = σ(x)(1 − σ(x)) uses σ(x), not x: you computed x(1 − x)": (
            lambda x, g: g * x * (1 - x)
        ),
        "σ'(x) is σ(x)(1 − σ(x)); you computed σ(x) alone": lambda x, g: g * _sigmoid(x),
    },
)

tanh_backward = Exercise(
    name="tanh_backward",
    topic="activations",
    difficulty=1,
    lesson=4,
    source=SOURCE + " (Tanh)",
    signature="def tanh_backward(x, grad_out):",
    doc=_ELEMENTWISE_DOC.format(name="y = tanh(x)", deriv="(1 − tanh²(x))", extra=""),
    reference=_backward_of(md.tanh),
    cases=_x_and_grad(),
    outputs=(("grad_in", "gradient"),),
    mistakes={
        "the chain rule multiplies by grad_out: grad_in = grad_out · (1 − tanh²(x))": (
            lambda x, g: 1 - np.tanh(x) ** 2
        ),
        "tanh'(x) = 1 − tanh²(x), of the output tanh(x): you computed 1 − x²": (
            lambda x, g: g * (1 - x * x)
        ),
        "tanh'(x) = 1 − tanh(x)², squared: you computed 1 − tanh(x)": (
            lambda x, g: g * (1 - np.tanh(x))
        ),
    },
)

relu_backward = Exercise(
    name="relu_backward",
    topic="activations",
    difficulty=1,
    lesson=4,
    source=SOURCE + " (ReLU)",
    signature="def relu_backward(x, grad_out):",
    doc=_ELEMENTWISE_DOC.format(
        name="y = relu(x) = max(x, 0)",
        deriv="[x > 0]",
        extra="At the kink x = 0 the derivative is taken as 0, as PyTorch does.",
    ),
    reference=_backward_of(md.relu),
    cases=_x_and_grad(lo=-3.0, hi=3.0),
    fixed_cases=[
        {"x": np.array([-1.0, 0.0, 2.0]), "grad_out": np.array([1.5, -2.0, 0.5])},
    ],
    outputs=(("grad_in", "gradient"),),
    mistakes={
        "relu'(0) = 1 here: PyTorch (and minidl) take relu'(0) = 0 — use x > 0, not x >= 0": (
            lambda x, g: g * (x >= 0)
        ),
        "the chain rule multiplies by grad_out: grad_in = grad_out · [x > 0], not the mask alone": (
            lambda x, g: (x > 0).astype(x.dtype)
        ),
        "the mask comes from the forward input x, not from grad_out: use grad_out · [x > 0]": (
            lambda x, g: np.maximum(g, 0)
        ),
    },
)


# ------------------------------------------------------------------------------------- softmax
@st.composite
def _softmax_cases(draw):
    """x of a drawn shape and dtype, sometimes scaled to ±1e4 (where a naive exp overflows)."""
    dtype, shape = draw(FLOAT_DTYPES), draw(mds.shapes(min_dims=1, max_dims=3))
    scale = draw(st.sampled_from([1.0, 1e4 / 3]))
    x = draw(float_arrays(shape, np.float64)) * scale
    return {"x": x.astype(dtype), "axis": draw(st.integers(-len(shape), len(shape) - 1))}


_BIG = np.array([[1e4, -1e4, 0.0], [1e4, 1e4 - 1.0, 1e4 - 2.0]])
_SOFTMAX_FIXED = [{"x": _BIG.astype(dt), "axis": -1} for dt in (np.float64, np.float32)]


def _naive_softmax(x, axis):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _stable_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _stable_log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _quiet(f):
    """f without NumPy's overflow warnings (the unstable mistakes overflow on purpose)."""

    def wrapper(*args):
        with np.errstate(all="ignore"):
            return f(*args)

    return wrapper


softmax = Exercise(
    name="softmax",
    topic="activations",
    difficulty=2,
    lesson=4,
    source=SOURCE + " (Softmax)",
    signature="def softmax(x, axis=-1):",
    doc="""Softmax along `axis`: y_i = e^(x_i) / Σ_j e^(x_j), the sum over the slice along `axis`.

    Must stay finite for large inputs (it is checked at ±1e4): e^(x − m) / Σ e^(x − m) with
    m = max along the axis is the same function, and its largest exponent is e^0 = 1.

    Args:
        x: any shape (at least 1-d), float32 or float64.
        axis: the axis to normalise along (negative counts from the end).
    Returns:
        y: the same shape and dtype as x; every slice along `axis` is positive and sums to 1.
    """,
    reference=lambda x, axis: md.softmax(md.tensor(x), dim=axis).data,
    cases=_softmax_cases(),
    fixed_cases=_SOFTMAX_FIXED,
    outputs=(("y", "forward value"),),
    mistakes={
        "unstable softmax: e^x overflows for large x (inf/inf = nan); subtract the maximum along "
        "the axis first": _quiet(_naive_softmax),
        "softmax is taken along `axis`; you normalised along the last axis": _quiet(
            lambda x, axis: _stable_softmax(x, -1)
        ),
        "softmax normalises each slice along `axis`, not the whole array": _quiet(
            lambda x, axis: np.exp(x - x.max()) / np.exp(x - x.max()).sum()
        ),
    },
)

log_softmax = Exercise(
    name="log_softmax",
    topic="activations",
    difficulty=2,
    lesson=4,
    source=SOURCE + " (LogSoftmax)",
    signature="def log_softmax(x, axis=-1):",
    doc="""Log-softmax along `axis`: y_i = x_i − log Σ_j e^(x_j).

    Must stay finite for large inputs (checked at ±1e4): with m = max along the axis,
    y = (x − m) − log Σ e^(x − m). Computing log(softmax(x)) instead takes the log of values that
    underflowed to 0.

    Args:
        x: any shape (at least 1-d), float32 or float64.
        axis: the axis to normalise along (negative counts from the end).
    Returns:
        y: the same shape and dtype as x; e^y sums to 1 along `axis`.
    """,
    reference=lambda x, axis: md.log_softmax(md.tensor(x), dim=axis).data,
    cases=_softmax_cases(),
    fixed_cases=_SOFTMAX_FIXED,
    outputs=(("y", "forward value"),),
    mistakes={
        "unstable: log Σ e^x overflows for large x; use (x − m) − log Σ e^(x − m) with m the max": (
            _quiet(lambda x, axis: x - np.log(np.exp(x).sum(axis=axis, keepdims=True)))
        ),
        "log(softmax(x)) takes the log of probabilities that underflowed to 0 (−inf); compute "
        "(x − m) − log Σ e^(x − m) directly": _quiet(
            lambda x, axis: np.log(_stable_softmax(x, axis))
        ),
        "log-softmax is taken along `axis`; you normalised along the last axis": _quiet(
            lambda x, axis: _stable_log_softmax(x, -1)
        ),
    },
)

register(sigmoid_backward, tanh_backward, relu_backward, softmax, log_softmax)

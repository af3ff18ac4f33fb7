"""Exercises on the numerics under autograd (lessons 2 and 4): summing a broadcast gradient back to
its input's shape, and central finite differences. References: minidl.autograd.unbroadcast and
minidl.testing.numerical_grad."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minidl.autograd import Tensor
from minidl.autograd import unbroadcast as md_unbroadcast
from minidl.exercises._common import FLOAT_DTYPES, float_arrays
from minidl.exercises.exercise import DEFAULT_TOL, Exercise, register
from minidl.testing import numerical_grad as md_numerical_grad
from minidl.testing import strategies as mds


@st.composite
def _unbroadcast_cases(draw):
    """`shape` (with 1s, or ()), and grad of a shape broadcast from it: 0-2 leading dimensions
    added, and each size-1 dimension stretched (or not)."""
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), max_size=3)))
    leading = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    full = leading + tuple(draw(st.integers(1, 4)) if n == 1 else n for n in shape)
    return {"grad": draw(float_arrays(full, draw(FLOAT_DTYPES))), "shape": shape}


def _sum_leading(grad, shape):
    extra = grad.ndim - len(shape)
    return grad.sum(axis=tuple(range(extra))) if extra > 0 else grad


def _ones_axes(grad, shape):
    return tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)


def _no_keepdims(grad, shape):
    g = _sum_leading(grad, shape)
    return g.sum(axis=_ones_axes(g, shape))


def _mean_instead(grad, shape):
    g = grad
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.mean(axis=tuple(range(extra)))
    return g.mean(axis=_ones_axes(g, shape), keepdims=True)


unbroadcast = Exercise(
    name="unbroadcast",
    topic="numerics",
    difficulty=2,
    lesson=4,
    source="minidl/autograd.py (unbroadcast)",
    signature="def unbroadcast(grad, shape):",
    doc="""Sum a broadcast gradient back to the input's `shape`.

    If y = f(a) broadcast a from `shape` to grad.shape, every element of a was copied to several
    elements of y, so dL/da is the SUM of dL/dy over those copies: sum over the leading
    dimensions that broadcasting added, then (keeping the dimension) over each dimension where
    `shape` has size 1 and grad does not. E.g. grad (2, 3, 4) -> shape (3, 1): sum axis 0, then
    axis 2 with keepdims.

    Args:
        grad: an array whose shape is a broadcast of `shape`, float32 or float64.
        shape: a tuple of ints (possibly () for a scalar input).
    Returns:
        an array of exactly `shape`, with grad's dtype.
    """,
    reference=md_unbroadcast,
    cases=_unbroadcast_cases(),
    outputs=(("grad", "gradient"),),
    mistakes={
        "also sum over the dimensions where `shape` has size 1 (keepdims=True), not only over the "
        "leading dimensions": _sum_leading,
        "sum the size-1 dimensions with keepdims=True: the result must have `shape`, including "
        "its 1s": _no_keepdims,
        "the copies' gradients add up: sum, don't average": _mean_instead,
    },
)


# ---------------------------------------------------------------------------- numerical_grad
def _cubic(x):
    """f(x) = Σ x³ (a Python function of a NumPy array, returning a float)"""
    return float(np.sum(x**3))


def _sin_times_x(x):
    """f(x) = Σ x·sin(x)"""
    return float(np.sum(x * np.sin(x)))


def _logsumexp(x):
    """f(x) = log Σ e^x"""
    m = np.max(x)
    return float(m + np.log(np.sum(np.exp(x - m))))


def _mixed(x):
    """f(x) = Σ_i (i+1)·x_i² + (Σ x)³ (couples the elements)"""
    flat = x.reshape(-1)
    return float(np.sum(np.arange(1, flat.size + 1) * flat**2) + np.sum(flat) ** 3)


@st.composite
def _numgrad_cases(draw):
    shape = draw(mds.shapes(min_dims=0, max_dims=3, max_side=3))
    return {
        "f": draw(st.sampled_from([_cubic, _sin_times_x, _logsumexp, _mixed])),
        "x": draw(float_arrays(shape, np.float64, -2.0, 2.0)),
        "eps": draw(st.sampled_from([1e-6, 1e-2, 1e-1])),
    }


def _numgrad_reference(f, x, eps=1e-6):
    (g,) = md_numerical_grad(lambda t: Tensor(np.asarray(f(t.data))), Tensor(x), eps=eps)
    return g


def _differences(step):
    """A finite-difference gradient whose quotient for element i is step(f, x, i, eps)."""

    def wrong(f, x, eps=1e-6):
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            g[i] = step(f, x, i, eps)
        return g

    return wrong


def _at(f, x, i, delta):
    y = x.copy()
    y[i] += delta
    return f(y)


numerical_grad = Exercise(
    name="numerical_grad",
    topic="numerics",
    difficulty=2,
    lesson=2,
    source="minidl/testing/gradcheck.py (numerical_grad)",
    signature="def numerical_grad(f, x, eps=1e-6):",
    doc="""Central-difference gradient of a scalar function f of an array x.

    grad[i] = (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps)    for every index i of x

    Its error is O(eps²) (a forward difference (f(x + eps·e_i) − f(x)) / eps has O(eps)).
    Perturb one element at a time; leave x exactly as it was (work on a copy, or save and
    restore the old value: x[i] + eps − eps is not always x[i] in floating point).

    Args:
        f: a function of one array (x's shape) returning a float.
        x: float64 array of any shape (also 0-d).
        eps: the step.
    Returns:
        grad: float64 array of x's shape.
    """,
    reference=_numgrad_reference,
    cases=_numgrad_cases(),
    outputs=(("grad", "gradient"),),
    tol={**DEFAULT_TOL, np.dtype(np.float64): (1e-6, 1e-8)},
    mistakes={
        "a forward difference (f(x + eps) − f(x)) / eps has O(eps) error; use the central "
        "difference (f(x + eps) − f(x − eps)) / (2 eps)": _differences(
            lambda f, x, i, e: (_at(f, x, i, e) - f(x)) / e
        ),
        "the central difference divides by 2·eps, not eps": _differences(
            lambda f, x, i, e: (_at(f, x, i, e) - _at(f, x, i, -e)) / e
        ),
        "perturb one element at a time (x + eps·e_i); you moved every element at once": (
            _differences(lambda f, x, i, e: (f(x + e) - f(x - e)) / (2 * e))
        ),
        "use the `eps` argument (you used a fixed step)": _differences(
            lambda f, x, i, e: (_at(f, x, i, 1e-6) - _at(f, x, i, -1e-6)) / 2e-6
        ),
    },
)

register(unbroadcast, numerical_grad)

"""Helpers shared by the topic modules: drawing cases, and running minidl's engine on NumPy arrays
(the references are minidl itself: forward through its ops, gradients through its backward)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st

from minidl.autograd import Tensor
from minidl.testing import strategies as mds

FLOAT_DTYPES = st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)])


def as_numpy(value) -> np.ndarray | None:
    """A Tensor (or a `.grad`, which may be a Tensor or an array) as a numpy array."""
    if value is None:
        return None
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def float_arrays(shape, dtype, lo: float = -3.0, hi: float = 3.0, **kw) -> st.SearchStrategy:
    """Arrays of `shape` (a tuple or a strategy) with values in [lo, hi], cast to `dtype`."""
    return mds.arrays(shape, min_value=lo, max_value=hi, **kw).map(lambda a: a.astype(dtype))


def int_valued(shape, dtype, lo: int = -2, hi: int = 2) -> st.SearchStrategy:
    """Float arrays holding small integers: many ties (for max-pooling's tie rule)."""
    from hypothesis.extra import numpy as hnp

    return hnp.arrays(np.int64, shape, elements=st.integers(lo, hi)).map(lambda a: a.astype(dtype))


def through_engine(
    f: Callable, inputs: list, upstream: np.ndarray, needs_grad: list | None = None
) -> tuple:
    """Run `f` (Tensors -> Tensor) on the arrays `inputs`, back-propagate `upstream` through minidl's
    engine, and return (output array, [gradient array of each input that needs one])."""
    needs_grad = needs_grad if needs_grad is not None else [True] * len(inputs)
    tensors = [
        a if a is None else Tensor(a, requires_grad=need) for a, need in zip(inputs, needs_grad)
    ]
    out = f(*tensors)
    out.backward(Tensor(np.asarray(upstream, dtype=out.dtype)))
    grads = []
    for t, need in zip(tensors, needs_grad):
        if need:
            g = as_numpy(t.grad)
            grads.append(np.zeros_like(t.data) if g is None else g)
    return as_numpy(out), grads


def grad_of_loss(f: Callable, inputs: list) -> tuple:
    """(loss value, [d loss / d input]) for a scalar-valued `f` of Tensors."""
    tensors = [Tensor(a, requires_grad=True) for a in inputs]
    loss = f(*tensors)
    loss.backward()
    return as_numpy(loss), [as_numpy(t.grad) for t in tensors]

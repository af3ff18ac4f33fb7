"""Exercises on max-pooling (lesson 18): forward, and backward with minidl's (and PyTorch's CPU)
tie rule — the gradient goes to the FIRST maximum of a window in row-major order. References:
minidl.ops.conv (MaxPool2d, on minidl.kernels) through the engine."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minidl as md
from minidl.exercises._common import FLOAT_DTYPES, int_valued, through_engine
from minidl.exercises.exercise import Exercise, register

SOURCE = "minidl/ops/conv.py (MaxPool2d) and minidl/kernels/reference.py (max_pool2d_*)"


@st.composite
def _pool_cases(draw, backward: bool):
    """x (N, C, H, W) of small integers (so windows often tie), a kernel and a stride (ints)."""
    dtype = draw(FLOAT_DTYPES)
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k, s = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(k, 6)), draw(st.integers(k, 6))
    case = {"x": draw(int_valued((n, c, h, w), dtype))}
    if backward:
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        case["grad_out"] = draw(int_valued((n, c, oh, ow), dtype, -3, 3))
    case["kernel_size"], case["stride"] = k, s
    return case


def _forward(x, kernel_size, stride):
    return md.max_pool2d(md.tensor(x), kernel_size, stride).data


def _backward(x, grad_out, kernel_size, stride):
    return through_engine(lambda t: md.max_pool2d(t, kernel_size, stride), [x], grad_out)[1][0]


def _windows(x, k, s, size=lambda n, k, s: (n - k) // s + 1):
    """(i, j, window (N, C, k, k)) for every output position."""
    oh, ow = size(x.shape[2], k, s), size(x.shape[3], k, s)
    for i in range(oh):
        for j in range(ow):
            yield i, j, x[:, :, i * s : i * s + k, j * s : j * s + k]


def _loop_forward(x, k, s, reduce=np.max, size=lambda n, k, s: (n - k) // s + 1):
    oh, ow = size(x.shape[2], k, s), size(x.shape[3], k, s)
    y = np.zeros(x.shape[:2] + (max(oh, 0), max(ow, 0)), dtype=x.dtype)
    for i, j, win in _windows(x, k, s, size):
        if win.shape[2:] == (k, k):
            y[:, :, i, j] = reduce(win, axis=(2, 3))
    return y


max_pool2d_forward = Exercise(
    name="max_pool2d_forward",
    topic="pooling",
    difficulty=1,
    lesson=18,
    source=SOURCE,
    signature="def max_pool2d_forward(x, kernel_size, stride):",
    doc="""Max-pooling forward over square windows, no padding.

        y[n, c, i, j] = max_{p, q < K} x[n, c, i·s + p, j·s + q]
        OH = (H − K) // s + 1      (likewise OW)

    Args:
        x: (N, C, H, W), float32 or float64.  kernel_size: K, an int.  stride: s, an int.
    Returns:
        y: (N, C, OH, OW), x's dtype.
    """,
    reference=_forward,
    cases=_pool_cases(backward=False),
    outputs=(("y", "forward value"),),
    mistakes={
        "off-by-one output size: OH = (H − K) // s + 1 (you dropped the + 1)": (
            lambda x, k, s: _loop_forward(x, k, s, size=lambda n, k_, s_: (n - k_) // s_)
        ),
        "the window moves by `stride`: rows i·s … i·s + K − 1 (you moved it by 1)": (
            lambda x, k, s: _loop_forward(x, k, 1)
        ),
        "max-pooling takes the maximum of each window, not the mean": (
            lambda x, k, s: _loop_forward(x, k, s, reduce=np.mean)
        ),
    },
)


def _loop_backward(x, g, k, s, pick="first", accumulate=True):
    """Route each window's gradient to its arg-max: the first / the last / every tied maximum,
    added (+=) or assigned (=) where windows overlap."""
    gx = np.zeros_like(x)
    for i, j, win in _windows(x, k, s):
        flat = win.reshape(win.shape[0], win.shape[1], -1)
        for n in range(x.shape[0]):
            for c in range(x.shape[1]):
                hits = np.flatnonzero(flat[n, c] == flat[n, c].max())
                chosen = {"first": hits[:1], "last": hits[-1:], "all": hits}[pick]
                for h in chosen:
                    r, q = i * s + h // k, j * s + h % k
                    if accumulate:
                        gx[n, c, r, q] += g[n, c, i, j]
                    else:
                        gx[n, c, r, q] = g[n, c, i, j]
    return gx


def _spread(x, g, k, s):
    gx = np.zeros_like(x)
    for i, j, _ in _windows(x, k, s):
        gx[:, :, i * s : i * s + k, j * s : j * s + k] += g[:, :, i, j, None, None] / (k * k)
    return gx


max_pool2d_backward = Exercise(
    name="max_pool2d_backward",
    topic="pooling",
    difficulty=2,
    lesson=18,
    source=SOURCE,
    signature="def max_pool2d_backward(x, grad_out, kernel_size, stride):",
    doc="""Max-pooling backward (square windows, no padding).

    Each output pixel's gradient goes to the position of its window's maximum; every other input
    gets 0. On ties the FIRST maximum in row-major order wins (np.argmax's rule, as minidl and
    PyTorch's CPU kernel). Where windows overlap (stride < kernel_size) one input can be the
    maximum of several windows: its gradients add up.

        grad_x[n, c, h, w] = Σ_{(i, j): argmax of window (i, j) is (h, w)} grad_out[n, c, i, j]

    Args:
        x: (N, C, H, W); grad_out: (N, C, OH, OW); one float dtype.
        kernel_size: K, stride: s (ints); OH = (H − K) // s + 1.
    Returns:
        grad_x: x's shape and dtype.
    """,
    reference=_backward,
    cases=_pool_cases(backward=True),
    outputs=(("grad_x", "gradient"),),
    mistakes={
        "ties go to the FIRST maximum in row-major order (np.argmax), as minidl and PyTorch; you "
        "routed them to the last": lambda x, g, k, s: _loop_backward(x, g, k, s, pick="last"),
        "on ties only one position (the first maximum) gets the gradient, not every tied one": (
            lambda x, g, k, s: _loop_backward(x, g, k, s, pick="all")
        ),
        "overlapping windows: add the gradients (+=) of every window whose maximum is that input; "
        "you overwrote (=)": lambda x, g, k, s: _loop_backward(x, g, k, s, accumulate=False),
        "max-pooling's gradient goes to the maximum only; you spread it over the window like "
        "average pooling": _spread,
    },
)

register(max_pool2d_forward, max_pool2d_backward)

"""Exercises on 2-D convolution (lesson 18): forward and backward, NCHW, cross-correlation, with
stride and zero padding. References: minidl.ops.conv (Conv2d, on minidl.kernels) through the
engine."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minidl as md
from minidl.exercises._common import FLOAT_DTYPES, float_arrays, through_engine
from minidl.exercises.exercise import Exercise, register

SOURCE = "minidl/ops/conv.py (Conv2d) and minidl/kernels/reference.py (conv2d_*)"


def out_size(n: int, k: int, stride: int, padding: int) -> int:
    """OH = (H + 2p − KH) // s + 1."""
    return (n + 2 * padding - k) // stride + 1


@st.composite
def conv_cases(draw, backward: bool):
    """A valid convolution: x (N, C, H, W), w (F, C, KH, KW), b (F,) or grad_out (N, F, OH, OW),
    stride s ∈ {1, 2, 3} and padding p ∈ {0, 1, 2} (the same for both axes)."""
    dtype = draw(FLOAT_DTYPES)
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * padding), 6))
    w = draw(st.integers(max(1, kw - 2 * padding), 6))
    case = {
        "x": draw(float_arrays((n, c, h, w), dtype)),
        "w": draw(float_arrays((f, c, kh, kw), dtype)),
    }
    if backward:
        oh, ow = out_size(h, kh, stride, padding), out_size(w, kw, stride, padding)
        case["grad_out"] = draw(float_arrays((n, f, oh, ow), dtype))
    else:
        case["b"] = draw(float_arrays((f,), dtype))
    case["stride"], case["padding"] = stride, padding
    return case


def _forward(x, w, b, stride=1, padding=0):
    return md.conv2d(md.tensor(x), md.tensor(w), md.tensor(b), stride=stride, padding=padding).data


def _backward(x, w, grad_out, stride=1, padding=0):
    b = np.zeros(w.shape[0], dtype=w.dtype)

    def f(x, w, b):
        return md.conv2d(x, w, b, stride=stride, padding=padding)

    return tuple(through_engine(f, [x, w, b], grad_out)[1])


def _flip(w):
    return np.ascontiguousarray(w[:, :, ::-1, ::-1])


def _pad(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def _loop_forward(x, w, b, stride, padding, size=out_size):
    """A direct loop over output pixels, with a replaceable output-size formula."""
    xp = _pad(x, padding)
    f, _, kh, kw = w.shape
    oh, ow = size(x.shape[2], kh, stride, padding), size(x.shape[3], kw, stride, padding)
    y = np.zeros((x.shape[0], f, max(oh, 0), max(ow, 0)), dtype=x.dtype)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            win = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            if win.shape[2:] == (kh, kw):
                y[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


conv2d_forward = Exercise(
    name="conv2d_forward",
    topic="conv",
    difficulty=2,
    lesson=18,
    source=SOURCE,
    signature="def conv2d_forward(x, w, b, stride=1, padding=0):",
    doc="""2-D convolution forward as in PyTorch: a cross-correlation (the kernel is not flipped).

        y[n, f, i, j] = b[f] + Σ_{c, p, q} w[f, c, p, q] · xpad[n, c, i·s + p, j·s + q]

    xpad is x with `padding` zeros on each side of H and W. Output size:
        OH = (H + 2·padding − KH) // stride + 1      (likewise OW)

    Args:
        x: (N, C, H, W); w: (F, C, KH, KW); b: (F,); all float32 or all float64.
        stride, padding: ints, the same for height and width.
    Returns:
        y: (N, F, OH, OW), x's dtype.
    """,
    reference=_forward,
    cases=conv_cases(backward=False),
    outputs=(("y", "forward value"),),
    max_examples=30,
    mistakes={
        "off-by-one output size: OH = (H + 2p − KH) // s + 1 (you dropped the + 1)": (
            lambda x, w, b, s=1, p=0: _loop_forward(
                x, w, b, s, p, size=lambda n, k, s_, p_: (n + 2 * p_ - k) // s_
            )
        ),
        "deep-learning 'convolution' is a cross-correlation: don't flip the kernel": (
            lambda x, w, b, s=1, p=0: _forward(x, _flip(w), b, s, p)
        ),
        "add the bias b[f] to every output pixel of map f": (
            lambda x, w, b, s=1, p=0: _forward(x, w, np.zeros_like(b), s, p)
        ),
        "pad x with `padding` zeros on each side before sliding the kernel": (
            lambda x, w, b, s=1, p=0: _forward(x, w, b, s, 0)
        ),
        "the window moves by `stride` pixels: input row i·s + p, not i + p": (
            lambda x, w, b, s=1, p=0: _forward(x, w, b, 1, p)
        ),
    },
)


def _grads(gx=None, gw=None, gb=None):
    """The reference gradients with some replaced: each replacement gets (x, w, g, s, p)."""

    def wrong(x, w, grad_out, stride=1, padding=0):
        right = _backward(x, w, grad_out, stride, padding)
        args = (x, w, grad_out, stride, padding)
        return tuple(r if f is None else f(*args) for r, f in zip(right, (gx, gw, gb)))

    return wrong


conv2d_backward = Exercise(
    name="conv2d_backward",
    topic="conv",
    difficulty=3,
    lesson=18,
    source=SOURCE,
    signature="def conv2d_backward(x, w, grad_out, stride=1, padding=0):",
    doc="""Backward of conv2d_forward (y = conv(x, w) + b, cross-correlation, NCHW).

    With gy = grad_out = dL/dy and xpad the zero-padded input:
        dL/dw[f, c, p, q] = Σ_{n, i, j} gy[n, f, i, j] · xpad[n, c, i·s + p, j·s + q]
        dL/db[f]          = Σ_{n, i, j} gy[n, f, i, j]
        dL/dxpad[n, c, i·s + p, j·s + q] += Σ_f gy[n, f, i, j] · w[f, c, p, q]
                           (each output pixel sends gradient back to the window it came from;
                           overlapping windows add up), then crop the padding off.

    Args:
        x: (N, C, H, W); w: (F, C, KH, KW); grad_out: (N, F, OH, OW); one float dtype.
        stride, padding: ints, the same for height and width.
    Returns:
        (grad_x, grad_w, grad_b): shapes (N, C, H, W), (F, C, KH, KW), (F,); x's dtype.
    """,
    reference=_backward,
    cases=conv_cases(backward=True),
    outputs=(("grad_x", "gradient"), ("grad_w", "gradient"), ("grad_b", "gradient")),
    max_examples=30,
    mistakes={
        "grad_w is flipped (rotated 180°): dL/dw[f,c,p,q] = Σ gy[n,f,i,j]·xpad[n,c,i·s+p,j·s+q], "
        "the window read in the same order as in forward": _grads(
            gw=lambda x, w, g, s, p: _flip(_backward(x, w, g, s, p)[1])
        ),
        "grad_w must sum over the whole batch (Σ_n); you used only the first sample": _grads(
            gw=lambda x, w, g, s, p: _backward(x[:1], w, g[:1], s, p)[1]
        ),
        "grad_w is a sum over the batch, not a mean (no 1/N)": _grads(
            gw=lambda x, w, g, s, p: _backward(x, w, g, s, p)[1] / len(x)
        ),
        "grad_x: send gy back through the kernel as it was used in forward (a 'full' convolution "
        "with the flipped kernel); you used the unflipped kernel": _grads(
            gx=lambda x, w, g, s, p: _backward(x, _flip(w), g, s, p)[0]
        ),
        "grad_x must be cropped to x's shape: remove the `padding` rows and columns on each side": (
            _grads(gx=lambda x, w, g, s, p: _backward(_pad(x, p), w, g, s, 0)[0])
        ),
        "grad_b is a sum over the batch, not a mean (no 1/N)": _grads(
            gb=lambda x, w, g, s, p: g.sum(axis=(0, 2, 3)) / len(x)
        ),
        "grad_b sums gy over the batch AND every output pixel: Σ_{n,i,j} gy[n,f,i,j], shape "
        "(F,)": _grads(gb=lambda x, w, g, s, p: g.sum(axis=0)),
    },
)

register(conv2d_forward, conv2d_backward)

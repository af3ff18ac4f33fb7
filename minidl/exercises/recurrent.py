"""Exercise on recurrent networks (lesson 19): one LSTM step with PyTorch's gate order.
Reference: minidl.nn.recurrent_steps.LSTMStep (the fused Function behind nn.LSTMCell / nn.LSTM)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minidl.autograd import Tensor
from minidl.exercises._common import FLOAT_DTYPES, float_arrays
from minidl.exercises.exercise import Exercise, register
from minidl.nn.recurrent_steps import LSTMStep


@st.composite
def _cases(draw):
    dtype = draw(FLOAT_DTYPES)
    n, d_in, hidden = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arrays = {
        "x": (n, d_in), "h": (n, hidden), "c": (n, hidden), "w_ih": (4 * hidden, d_in),
        "w_hh": (4 * hidden, hidden), "b_ih": (4 * hidden,), "b_hh": (4 * hidden,),
    }  # fmt: skip
    return {name: draw(float_arrays(shape, dtype, -2.0, 2.0)) for name, shape in arrays.items()}


def _reference(x, h, c, w_ih, w_hh, b_ih, b_hh):
    out = LSTMStep.apply(*(Tensor(a) for a in (x, h, c, w_ih, w_hh, b_ih, b_hh))).data
    hidden = h.shape[1]
    return out[:, :hidden].copy(), out[:, hidden:].copy()


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _lstm(order="ifgo", g_act=np.tanh, h_of=None, use_b_hh=True, forget=True):
    """An LSTM step with a replaceable gate order, cell activation, output and bias use."""

    def wrong(x, h, c, w_ih, w_hh, b_ih, b_hh):
        a = x @ w_ih.T + h @ w_hh.T + b_ih + (b_hh if use_b_hh else 0)
        parts = dict(zip(order, np.split(a, 4, axis=1)))
        i, f, o = _sigmoid(parts["i"]), _sigmoid(parts["f"]), _sigmoid(parts["o"])
        g = g_act(parts["g"])
        c_next = (f * c if forget else 0) + i * g
        h_next = o * np.tanh(c_next) if h_of is None else h_of(o, c_next)
        return h_next.astype(x.dtype), c_next.astype(x.dtype)

    return wrong


lstm_cell_forward = Exercise(
    name="lstm_cell_forward",
    topic="recurrent",
    difficulty=2,
    lesson=19,
    source="minidl/nn/recurrent_steps.py (LSTMStep)",
    signature="def lstm_cell_forward(x, h, c, w_ih, w_hh, b_ih, b_hh):",
    doc="""One LSTM time step, PyTorch's layout and gate order (i, f, g, o).

        a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh           (N, 4H), split into 4 blocks of H columns:
        i = σ(a[:, 0:H])    f = σ(a[:, H:2H])    g = tanh(a[:, 2H:3H])    o = σ(a[:, 3H:4H])
        c_next = f ⊙ c + i ⊙ g
        h_next = o ⊙ tanh(c_next)

    Args:
        x: (N, in); h, c: (N, H); w_ih: (4H, in); w_hh: (4H, H); b_ih, b_hh: (4H,).
        All float32 or all float64.
    Returns:
        (h_next, c_next): each (N, H), the inputs' dtype.
    """,
    reference=_reference,
    cases=_cases(),
    outputs=(("h_next", "forward value"), ("c_next", "forward value")),
    mistakes={
        "PyTorch's gate order is i, f, g, o (input, forget, cell, output); you used i, f, o, g": (
            _lstm(order="ifog")
        ),
        "h_next = o ⊙ tanh(c_next); you left out the tanh": _lstm(h_of=lambda o, c: o * c),
        "h_next = o ⊙ tanh(c_next) uses the NEW cell state; you used the old c": (
            lambda x, h, c, *w: (
                _sigmoid(np.split(x @ w[0].T + h @ w[1].T + w[2] + w[3], 4, axis=1)[3])
                * np.tanh(c),
                _lstm()(x, h, c, *w)[1],
            )
        ),
        "the candidate g = tanh(a_g), not σ(a_g)": _lstm(g_act=_sigmoid),
        "both biases are added: a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh (you left out b_hh)": _lstm(
            use_b_hh=False
        ),
        "c_next = f ⊙ c + i ⊙ g: the forget gate keeps part of the old cell (f ⊙ c is missing)": (
            _lstm(forget=False)
        ),
    },
)

register(lstm_cell_forward)

"""Recurrent cells — `RNNCell`, `LSTMCell`, `GRUCell` — one time step as a layer, for loops the
user writes (`for x_t in x: h = cell(x_t, h)`), as in PyTorch.

Each holds `weight_ih` (G, input_size), `weight_hh` (G, H), `bias_ih`, `bias_hh` (G,), with
G = H, 4H, 3H and PyTorch's gate order (the step formulas are in `recurrent_steps`), all
initialised U(−1/√H, 1/√H) in that order, so a PyTorch state dict loads one to one. Input
(N, input_size) or unbatched (input_size,); a missing state starts at zeros.
"""

from __future__ import annotations

import math

from minidl.autograd import Tensor
from minidl.creation import zeros
from minidl.nn import init
from minidl.nn._validation import check_positive, float_input
from minidl.nn.linear import empty_parameter
from minidl.nn.module import Module
from minidl.nn.recurrent_steps import GRUStep, LSTMStep, RNNStep

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]


class _CellBase(Module):
    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device=None,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        check_positive(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        g = self._gates * hidden_size
        self.weight_ih = empty_parameter(g, input_size)
        self.weight_hh = empty_parameter(g, hidden_size)
        if bias:
            self.bias_ih, self.bias_hh = empty_parameter(g), empty_parameter(g)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters(generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def reset_parameters(self, generator=None) -> None:
        """Every weight and bias ~ U(−1/√H, 1/√H), in registration order (as PyTorch draws them)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound, generator=generator)

    def _input(self, x: Tensor) -> tuple[Tensor, bool]:
        """x as (N, input_size), and whether it had a batch dimension."""
        float_input(type(self).__name__, x)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}({self.input_size}, {self.hidden_size}) expects input "
                f"(N, {self.input_size}) or ({self.input_size},); got {tuple(x.shape)}"
            )
        return (x, True) if x.ndim == 2 else (x.unsqueeze(0), False)

    def _state(self, h, n: int, batched: bool, what: str, dtype) -> Tensor:
        if h is None:
            return zeros(n, self.hidden_size, dtype=dtype)
        float_input(type(self).__name__, h, what)
        expected = (n, self.hidden_size) if batched else (self.hidden_size,)
        if tuple(h.shape) != expected:
            raise ValueError(
                f"{type(self).__name__}: expected {what} of shape {expected}; got {tuple(h.shape)}"
            )
        return h if batched else h.unsqueeze(0)

    def _params(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(_CellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu); returns h' (N, H)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
        generator=None,
    ):
        self.nonlinearity = RNNStep.check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, device, dtype, generator)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, batched = self._input(input)
        h = self._state(hx, x.shape[0], batched, "hx", x.dtype)
        h_new = RNNStep.apply(x, h, *self._params(), nonlinearity=self.nonlinearity)
        return h_new if batched else h_new.squeeze(0)


class LSTMCell(_CellBase):
    """One LSTM step (gates i, f, g, o); `hx` = (h, c), returns (h', c'), each (N, H)."""

    _gates = 4

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        x, batched = self._input(input)
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTMCell: argument `hx` must be a tuple (h_0, c_0)")
        h0, c0 = (None, None) if hx is None else hx
        n = x.shape[0]
        h = self._state(h0, n, batched, "h_0", x.dtype)
        c = self._state(c0, n, batched, "c_0", x.dtype)
        hc = LSTMStep.apply(x, h, c, *self._params())  # [h' | c'] (N, 2H)
        H = self.hidden_size
        h_new, c_new = hc[:, :H], hc[:, H:]
        return (h_new, c_new) if batched else (h_new.squeeze(0), c_new.squeeze(0))


class GRUCell(_CellBase):
    """One GRU step (gates r, z, n; n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))); returns h'."""

    _gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, batched = self._input(input)
        h = self._state(hx, x.shape[0], batched, "hx", x.dtype)
        h_new = GRUStep.apply(x, h, *self._params())
        return h_new if batched else h_new.squeeze(0)

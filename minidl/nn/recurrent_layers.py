"""Recurrent layers over whole sequences: `RNN` (Elman, tanh or relu), `LSTM` and `GRU`, with
PyTorch's parameters and outputs.

Each unrolls the recurrence in Python over the time steps, one fused node per step
(`recurrent_steps`: the step's formulas and their derivatives) joined by ordinary ops, so
back-propagation through time is the engine walking that chain. For layer k the parameters are
named and shaped exactly as PyTorch's (G = H for RNN, 3H for GRU, 4H for LSTM):

    weight_ih_l{k}: (G, input_size or D·H)   weight_hh_l{k}: (G, H)   bias_ih_l{k}, bias_hh_l{k}: (G,)

and, with bidirectional=True (D = 2), the same again with the suffix `_reverse` for the
direction that reads the sequence backwards;

so a PyTorch state dict loads one to one. All are initialised U(−1/√H, 1/√H), as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from minidl.autograd import Tensor
from minidl.creation import zeros
from minidl.nn import init
from minidl.nn._validation import check_positive, float_input
from minidl.nn.dropout import dropout as _dropout
from minidl.nn.linear import empty_parameter
from minidl.nn.module import Module
from minidl.nn.recurrent_steps import GRUStep, LSTMStep, RNNStep
from minidl.ops.shape import cat, stack
from minidl.random import as_generator


class _RNNBase(Module):
    """Parameters, checks and the layer/time loops shared by RNN and LSTM; `_cell` is the step."""

    _gates = 1  # G = _gates · hidden_size

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        name = type(self).__name__
        check_positive(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise TypeError(
                f"{name}: argument `bidirectional` must be a bool; got {bidirectional!r}"
            )
        self.bidirectional = bool(bidirectional)
        self._directions = 2 if bidirectional else 1
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(
                f"{name}: dropout should be a number in range [0, 1] representing the probability "
                f"of an element being zeroed; received dropout={dropout}"
            )
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.generator = None if generator is None else as_generator(generator, name)
        g = self._gates * hidden_size
        for k in range(num_layers):
            fan_in = input_size if k == 0 else hidden_size * self._directions
            for suffix in ("", "_reverse")[: self._directions]:
                setattr(self, f"weight_ih_l{k}{suffix}", empty_parameter(g, fan_in))
                setattr(self, f"weight_hh_l{k}{suffix}", empty_parameter(g, hidden_size))
                if bias:
                    setattr(self, f"bias_ih_l{k}{suffix}", empty_parameter(g))
                    setattr(self, f"bias_hh_l{k}{suffix}", empty_parameter(g))
                else:
                    self.register_parameter(f"bias_ih_l{k}{suffix}", None)
                    self.register_parameter(f"bias_hh_l{k}{suffix}", None)
        self.reset_parameters(self.generator)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def reset_parameters(self, generator=None) -> None:
        """Every weight and bias ~ U(−1/√H, 1/√H), in registration order (as PyTorch draws them)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound, generator=generator)

    def _layer_params(self, k: int, suffix: str = "") -> tuple:
        return tuple(
            getattr(self, f"{name}_l{k}{suffix}")
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def _check_input(self, x: Tensor) -> bool:
        """Raise on a wrong shape; return True when x is batched."""
        float_input(type(self).__name__, x)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            form = "(N, L, {0})" if self.batch_first else "(L, N, {0})"
            raise ValueError(
                f"{type(self).__name__}({self.input_size}, {self.hidden_size}) expects input "
                f"{form.format(self.input_size)} or unbatched (L, {self.input_size}); "
                f"got {tuple(x.shape)}"
            )
        return x.ndim == 3

    def _check_state(self, h: Tensor, n: int, what: str) -> None:
        expected = (self.num_layers * self._directions, n, self.hidden_size)
        if tuple(h.shape) != expected:
            raise ValueError(
                f"{type(self).__name__}: expected {what} of shape {expected}; got {tuple(h.shape)}"
            )

    def _run(self, x: Tensor, states: list) -> tuple:
        """Unroll over layers and time. x (L, N, in); states: one tuple of (N, H) tensors per
        layer and direction (index k·D + d, PyTorch's order).

        Returns (output (L, N, D·H), final states per layer and direction). The reverse
        direction reads the sequence from its end; at each time t the layer's output is
        [h_t forward | h_t reverse], which is the next layer's input."""
        steps = [x[t] for t in range(x.shape[0])]  # L tensors (N, in)
        finals = []
        for k in range(self.num_layers):
            per_direction = []
            for d, suffix in enumerate(("", "_reverse")[: self._directions]):
                params = self._layer_params(k, suffix)
                state = states[k * self._directions + d]
                outputs = []
                for x_t in steps if d == 0 else reversed(steps):
                    state = self._cell(x_t, state, *params)
                    outputs.append(state[0])
                finals.append(state)
                per_direction.append(outputs if d == 0 else outputs[::-1])
            if self._directions == 1:
                outputs = per_direction[0]
            else:
                outputs = [cat([f, b], 1) for f, b in zip(*per_direction)]
            if self.dropout and self.training and k < self.num_layers - 1:
                outputs = [_dropout(h, self.dropout, True, self.generator) for h in outputs]
            steps = outputs
        return stack(steps, 0), finals

    def _prepare(self, input: Tensor, hx, n_states: int) -> tuple:
        batched = self._check_input(input)
        x = input
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)  # (N, L, in) -> (L, N, in)
        n = x.shape[1]
        n_states_per_step = self.num_layers * self._directions
        if hx is None:
            h0 = zeros(n_states_per_step, n, self.hidden_size, dtype=x.dtype)
            hx = (h0,) * n_states
        else:
            hx = tuple(h if batched else h.unsqueeze(1) for h in hx)
            for h, what in zip(hx, ("h_0", "c_0")):
                self._check_state(h, n, what)
        states = [tuple(h[k] for h in hx) for k in range(n_states_per_step)]
        return x, states, batched

    def _finish(self, output: Tensor, batched: bool) -> Tensor:
        if not batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output

    def _forward_single_state(self, input: Tensor, hx: Tensor | None = None) -> tuple:
        """forward of RNN and GRU: (output, h_n) from input and an optional h_0."""
        x, states, batched = self._prepare(input, None if hx is None else (hx,), 1)
        output, finals = self._run(x, states)
        h_n = stack([s[0] for s in finals], 0)
        return self._finish(output, batched), (h_n if batched else h_n.squeeze(1))

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RNNBase):
    """Elman RNN:  h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)  (or relu), per layer.

    input (L, N, input_size) — (N, L, input_size) with batch_first — or unbatched (L, input_size);
    h_0 (num_layers·D, N, H), zeros when omitted. Returns (output, h_n): output holds the last
    layer's h_t for every t, (L, N, D·H), h_n the final h of every layer and direction (never
    batch-first, as in PyTorch). D = 2 with bidirectional=True (forward and reverse outputs are
    concatenated along the features), else 1.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        generator=None,
    ):
        self.nonlinearity = RNNStep.check_nonlinearity("RNN", nonlinearity)
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device, dtype, generator,
        )  # fmt: skip

    def _cell(self, x_t, state, w_ih, w_hh, b_ih, b_hh) -> tuple:
        # (N, in), (N, H) -> (N, H), one fused node (minidl.nn.recurrent_steps)
        return (
            RNNStep.apply(x_t, state[0], w_ih, w_hh, b_ih, b_hh, nonlinearity=self.nonlinearity),
        )

    forward = _RNNBase._forward_single_state

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + ", nonlinearity='relu'"


class LSTM(_RNNBase):
    """Long short-term memory, PyTorch's gate order (i, f, g, o) within the 4H rows:

        [i; f; g; o] = x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh
        i, f, o = σ(·)   g = tanh(·)
        c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)

    The additive cell update is what lets gradients survive many steps. Returns
    (output, (h_n, c_n)); pass (h_0, c_0), each (num_layers·D, N, H), to start from a given state.
    """

    _gates = 4

    def __init__(self, *args, proj_size: int = 0, **kwargs):
        if proj_size != 0:
            raise NotImplementedError(
                f"LSTM: proj_size={proj_size!r} (LSTMs with projections) is not supported by "
                "minidl; only proj_size=0"
            )
        self.proj_size = 0
        super().__init__(*args, **kwargs)

    def _cell(self, x_t, state, w_ih, w_hh, b_ih, b_hh) -> tuple:
        # one fused node (minidl.nn.recurrent_steps) gives [h' | c'] (N, 2H); slices hand each on
        H = self.hidden_size
        hc = LSTMStep.apply(x_t, state[0], state[1], w_ih, w_hh, b_ih, b_hh)
        return hc[:, :H], hc[:, H:]

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTM: argument `hx` must be a tuple (h_0, c_0)")
        x, states, batched = self._prepare(input, hx, 2)
        output, finals = self._run(x, states)
        h_n = stack([s[0] for s in finals], 0)
        c_n = stack([s[1] for s in finals], 0)
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(output, batched), (h_n, c_n)


class GRU(_RNNBase):
    """Gated recurrent unit, PyTorch's gate order (r, z, n) within the 3H rows:

        r = σ(x_t W_irᵀ + b_ir + h W_hrᵀ + b_hr)      z = σ(x_t W_izᵀ + b_iz + h W_hzᵀ + b_hz)
        n = tanh(x_t W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))
        h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}

    Arguments, shapes and outputs as `RNN`: returns (output, h_n); pass h_0 (num_layers·D, N, H).
    """

    _gates = 3

    def _cell(self, x_t, state, w_ih, w_hh, b_ih, b_hh) -> tuple:
        return (GRUStep.apply(x_t, state[0], w_ih, w_hh, b_ih, b_hh),)

    forward = _RNNBase._forward_single_state

"""`Dropout`: randomly zero activations while training (inverted scaling keeps the mean)."""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.nn import functional as F
from minidl.nn.module import Module
from minidl.random import as_generator


class Dropout(Module):
    """Training: y = x · m / (1 − p), m_i ~ Bernoulli(1 − p), so E[y] = x. Evaluation: y = x.

    Keras's `Dropout(rate)` is the same layer with rate = p (the fraction dropped). The mask is
    drawn from `generator` (a numpy Generator or int seed, so a run is repeatable); by default from
    the generator set by `md.manual_seed` at the time of each call.
    """

    def __init__(self, p: float = 0.5, generator=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = float(p)
        self.generator = None if generator is None else as_generator(generator, "Dropout")

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"

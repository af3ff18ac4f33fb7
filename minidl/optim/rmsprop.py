"""RMSprop: divide each step by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_bool, check_non_negative
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012): Adagrad with the sum of squared gradients replaced by an
    exponential moving average, so the effective learning rate can recover.

    We write ρ for the smoothing constant PyTorch calls ``alpha``, keeping α for the learning
    rate as the textbook does. One step, for each parameter θ with gradient g::

        g ← −g                       if maximize
        g ← g + λ θ                  if weight_decay λ ≠ 0
        v ← ρ v + (1 − ρ) g²         (running mean of g²)
        if centered:
            ḡ ← ρ ḡ + (1 − ρ) g      (running mean of g)
            s = √(v − ḡ²) + ε        (running standard deviation of g)
        else:
            s = √v + ε
        if momentum μ > 0:
            b ← μ b + g / s
            θ ← θ − α b
        else:
            θ ← θ − α g / s

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0 (default 1e-2).
        alpha: ρ ≥ 0, the smoothing constant (default 0.99).
        eps: ε ≥ 0 (default 1e-8).
        weight_decay: λ ≥ 0 (default 0).
        momentum: μ ≥ 0 (default 0).
        centered: normalise by the estimated variance instead of the raw second moment.
        maximize: maximize the objective instead of minimizing it.
        foreach, fused, capturable, differentiable: PyTorch's implementation switches; accepted
            and ignored (minidl has one NumPy implementation, with the same numbers).

    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, when μ > 0),
    ``grad_avg`` (ḡ, when centered).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        accept_torch_flags(type(self).__name__, foreach, fused, capturable, differentiable)
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_non_negative(name, "lr", group["lr"], "learning rate")
        check_non_negative(name, "eps", group["eps"], "epsilon value")
        check_non_negative(name, "momentum", group["momentum"], "momentum value")
        check_non_negative(name, "weight_decay", group["weight_decay"], "weight_decay value")
        check_non_negative(name, "alpha", group["alpha"], "alpha value")
        check_bool(name, "centered", group["centered"])
        check_bool(name, "maximize", group["maximize"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        rho = group["alpha"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1
        g = self._direction(p, grad, group)  # ± g + λθ

        v = state["square_avg"]
        v *= rho
        v += (1 - rho) * (g * g)
        if group["centered"]:
            g_avg = state["grad_avg"]
            g_avg += (1 - rho) * (g - g_avg)  # = ρ ḡ + (1 − ρ) g
            s = np.sqrt(v - g_avg * g_avg)
        else:
            s = np.sqrt(v)
        s += group["eps"]

        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / s
            p.data -= group["lr"] * buf
        else:
            p.data -= group["lr"] * (g / s)

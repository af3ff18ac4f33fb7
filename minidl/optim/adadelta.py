"""Adadelta: a step whose units match the parameter's, from two running averages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_bool, check_non_negative, check_number
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012): RMSprop's step rescaled by the root-mean-square of past steps,
    so that (with α = 1) no learning rate needs to be chosen.

    One step, for each parameter θ with gradient g::

        g ← −g                              if maximize
        g ← g + λ θ                         if weight_decay λ ≠ 0
        v ← ρ v + (1 − ρ) g²                (running mean of squared gradients)
        Δ = √(u + ε) / √(v + ε) · g         (u: running mean of squared steps)
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − α Δ

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0, a factor on Δ (default 1.0).
        rho: ρ in [0, 1], the decay of both running averages (default 0.9).
        eps: ε ≥ 0 (default 1e-6); it also sets the size of the very first steps (√ε / √(v + ε)).
        weight_decay: λ ≥ 0 (default 0).
        maximize: maximize the objective instead of minimizing it.
        foreach, fused, capturable, differentiable: PyTorch's implementation switches; accepted
            and ignored (minidl has one NumPy implementation, with the same numbers).

    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        accept_torch_flags(type(self).__name__, foreach, fused, capturable, differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_non_negative(name, "lr", group["lr"], "learning rate")
        check_number(name, "rho", group["rho"])
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"{name}: Invalid rho value: {group['rho']} (expected 0 <= rho <= 1)")
        check_non_negative(name, "eps", group["eps"], "epsilon value")
        check_non_negative(name, "weight_decay", group["weight_decay"], "weight_decay value")
        check_bool(name, "maximize", group["maximize"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            state["acc_delta"] = np.zeros_like(p.data)
        state["step"] += 1
        g = self._direction(p, grad, group)  # ± g + λθ

        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * (g * g)
        delta = np.sqrt(u + eps)
        delta /= np.sqrt(v + eps)
        delta *= g
        u *= rho
        u += (1 - rho) * (delta * delta)
        p.data -= group["lr"] * delta

"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_bool, check_non_negative
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent: ``θ ← θ − α ∇L(θ)``, optionally with momentum.

    One step, for each parameter θ with gradient g = ∇L(θ) (PyTorch's formulation)::

        g ← −g                       if maximize (ascend instead of descend)
        g ← g + λ θ                  if weight_decay λ ≠ 0  (the gradient of a (λ/2)‖θ‖² penalty)
        if momentum μ ≠ 0:
            v ← g                    on the first step
            v ← μ v + (1 − τ) g      afterwards            (τ = dampening)
            g ← g + μ v              if nesterov           (look ahead along the velocity)
            g ← v                    otherwise
        θ ← θ − α g                  (α = lr)

    PyTorch puts α outside the velocity (v accumulates gradients, not steps), so changing α during
    training rescales the whole step at once; some textbooks write v ← μ v − α g instead, which is
    the same trajectory for a constant α.

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: learning rate α ≥ 0 (default 1e-3, as in PyTorch 2.x).
        momentum: μ ≥ 0 (default 0: plain SGD).
        dampening: τ, the fraction of each new gradient left out of the velocity (default 0).
        weight_decay: λ ≥ 0, an L2 penalty (λ/2)‖θ‖² folded into the gradient (default 0).
        nesterov: use Nesterov momentum; needs μ > 0 and τ = 0.
        maximize: maximize the objective instead of minimizing it.
        foreach, fused, capturable, differentiable: PyTorch's implementation switches; accepted
            and ignored (minidl has one NumPy implementation, with the same numbers).

    State per parameter: ``momentum_buffer`` (v), only when μ ≠ 0.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
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
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_non_negative(name, "lr", group["lr"], "learning rate")
        check_non_negative(name, "momentum", group["momentum"], "momentum value")
        check_non_negative(name, "dampening", group["dampening"], "dampening value")
        check_non_negative(name, "weight_decay", group["weight_decay"], "weight_decay value")
        check_bool(name, "nesterov", group["nesterov"])
        check_bool(name, "maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{name}: Nesterov momentum requires a momentum and zero dampening "
                f"(expected momentum > 0 and dampening == 0; got momentum={group['momentum']}, "
                f"dampening={group['dampening']})"
            )

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        momentum = group["momentum"]
        g = self._direction(p, grad, group)  # ± g + λθ
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, copy=True)
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        p.data -= group["lr"] * g

"""RAdam: Adam with its adaptive step switched on only once the variance estimate is reliable."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_adam_family, check_bool
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020): rectified Adam, PyTorch's formulation.

    Early on, v̂ is an average of very few g² and its inverse square root has a huge variance;
    RAdam measures that with the length ρ_t of the approximating simple moving average and takes
    a plain momentum step until ρ_t > 5. One step (t counts this parameter's steps from 1)::

        g ← −g                          if maximize
        g ← g + λ θ                     if weight_decay λ ≠ 0 (coupled)
        θ ← θ (1 − α λ)                 instead, if decoupled_weight_decay
        m ← β1 m + (1 − β1) g           v ← β2 v + (1 − β2) g²
        m̂ = m / (1 − β1^t)
        ρ_∞ = 2 / (1 − β2) − 1          ρ_t = ρ_∞ − 2 t β2^t / (1 − β2^t)
        if ρ_t > 5:
            r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))      (the rectification)
            θ ← θ − α m̂ r_t √(1 − β2^t) / (√v + ε)
        else:
            θ ← θ − α m̂                 (SGD with momentum, no adaptive scaling)

    With the default β2 = 0.999 the first five steps are the un-adapted ones.

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0 (default 1e-3).  betas: (β1, β2) in [0, 1) (default (0.9, 0.999)).
        eps: ε ≥ 0 (default 1e-8).  weight_decay: λ ≥ 0 (default 0).
        decoupled_weight_decay: decay θ directly (as AdamW does).
        maximize: maximize the objective instead of minimizing it.
        foreach, capturable, differentiable: PyTorch's implementation switches; accepted and
            ignored (minidl has one single-tensor NumPy implementation; the numbers are the same).

    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        accept_torch_flags("RAdam", foreach, None, capturable, differentiable)
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_adam_family(name, group)
        check_bool(name, "decoupled_weight_decay", group["decoupled_weight_decay"])
        check_bool(name, "maximize", group["maximize"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]

        g = self._direction(p, grad, group)  # ± g + λθ, or θ ← θ(1 − αλ) if decoupled

        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            denom = np.sqrt(v) + eps
            p.data -= (m / bias_correction1) * lr * (math.sqrt(bias_correction2) / denom) * rect
        else:
            p.data -= (m / bias_correction1) * lr

"""NAdam: Adam with Nesterov momentum, in PyTorch's momentum-schedule form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_adam_family, check_bool, check_non_negative
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016): Adam whose momentum looks one step ahead, like Nesterov's.

    The momentum coefficient follows a warm-up schedule μ_t, and the bias correction of m uses
    the running product Π_t = μ_1 μ_2 ⋯ μ_t. One step (t counts this parameter's steps from 1)::

        g ← −g                                   if maximize
        g ← g + λ θ                              if weight_decay λ ≠ 0 (coupled, the default)
        θ ← θ (1 − α λ)                          instead, if decoupled_weight_decay
        μ_t     = β1 (1 − ½ · 0.96^(t ψ))        (ψ = momentum_decay)
        μ_{t+1} = β1 (1 − ½ · 0.96^((t+1) ψ))
        Π_t     = Π_{t−1} μ_t                    (Π_0 = 1)
        m ← β1 m + (1 − β1) g
        v ← β2 v + (1 − β2) g²
        v̂ = v / (1 − β2^t)
        θ ← θ − α (1 − μ_t) / (1 − Π_t) · g / (√v̂ + ε)
              − α μ_{t+1} / (1 − Π_t μ_{t+1}) · m / (√v̂ + ε)

    The first term is the current gradient with its share of the momentum, the second the
    momentum as it will be after this step: the Nesterov look-ahead.

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0 (default 2e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: ε ≥ 0 (default 1e-8).
        weight_decay: λ ≥ 0 (default 0).
        momentum_decay: ψ ≥ 0 (default 4e-3).
        decoupled_weight_decay: decay θ directly (as AdamW does) instead of adding λθ to g.
        maximize: maximize the objective instead of minimizing it.
        foreach, fused, capturable, differentiable: PyTorch's implementation switches; accepted
            and ignored (minidl has one NumPy implementation, with the same numbers).

    State per parameter: ``step`` (t), ``mu_product`` (Π_t), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
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
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_adam_family(name, group)
        check_non_negative(name, "momentum_decay", group["momentum_decay"], "momentum_decay value")
        check_bool(name, "decoupled_weight_decay", group["decoupled_weight_decay"])
        check_bool(name, "maximize", group["maximize"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]

        g = self._direction(p, grad, group)  # ± g + λθ, or θ ← θ(1 − αλ) if decoupled

        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]

        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        denom = np.sqrt(v / (1 - beta2**t))
        denom += eps
        p.data -= (lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
        p.data -= (lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom)

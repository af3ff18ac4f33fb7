"""Adamax: Adam with the infinity norm in place of the root mean square."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_adam_family, check_bool
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, §7.1): Adam's second moment replaced by an exponentially
    weighted infinity norm, u_t = max(β2 u_{t−1}, |g_t|), which needs no bias correction.

    One step, PyTorch's formulation (t counts this parameter's steps from 1)::

        g ← −g                          if maximize
        g ← g + λ θ                     if weight_decay λ ≠ 0
        m ← β1 m + (1 − β1) g
        u ← max(β2 u, |g| + ε)          (elementwise; ε keeps u > 0)
        θ ← θ − (α / (1 − β1^t)) · m / u

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0 (default 2e-3).  betas: (β1, β2) in [0, 1) (default (0.9, 0.999)).
        eps: ε ≥ 0 (default 1e-8).  weight_decay: λ ≥ 0 (default 0).
        maximize: maximize the objective instead of minimizing it.
        foreach, capturable, differentiable: accepted and ignored (one NumPy implementation).

    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_inf`` (u).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        accept_torch_flags("Adamax", foreach, None, capturable, differentiable)
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_adam_family(name, group)
        check_bool(name, "maximize", group["maximize"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_inf"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]

        g = self._direction(p, grad, group)  # ± g + λθ

        m, u = state["exp_avg"], state["exp_inf"]
        m *= beta1
        m += (1 - beta1) * g
        u *= beta2
        np.maximum(u, np.abs(g) + eps, out=u)
        p.data -= (lr / (1 - beta1**t)) * (m / u)

"""Adagrad: per-coordinate learning rates that shrink with the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl.optim._validation import check_bool, check_non_negative
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011): each coordinate's step is divided by the root of the sum of
    all its past squared gradients, so often-updated coordinates slow down.

    One step, for each parameter θ with gradient g (t counts this parameter's steps from 1)::

        g ← −g                       if maximize
        g ← g + λ θ                  if weight_decay λ ≠ 0
        α_t = α / (1 + (t − 1) η)    (η = lr_decay)
        G ← G + g²                   (G starts at initial_accumulator_value)
        θ ← θ − α_t g / (√G + ε)

    Because G only grows, the effective learning rate only falls — Adagrad's strength on sparse
    features and its weakness on long non-convex runs (RMSprop and Adam replace the sum by an
    exponential average).

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0 (default 1e-2).
        lr_decay: η ≥ 0 (default 0).
        weight_decay: λ ≥ 0 (default 0).
        initial_accumulator_value: starting value of G, ≥ 0 (default 0).
        eps: ε ≥ 0 added to √G for numerical stability (default 1e-10).
        maximize: maximize the objective instead of minimizing it.
        foreach, fused, capturable, differentiable: PyTorch's implementation switches; accepted
            and ignored (minidl has one NumPy implementation, with the same numbers).

    State per parameter: ``step`` (t), ``sum`` (G), created on the parameter's first step like
    every optimizer's here (PyTorch's Adagrad creates it at construction; the numbers agree).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
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
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_non_negative(name, "lr", group["lr"], "learning rate")
        check_non_negative(name, "lr_decay", group["lr_decay"], "lr_decay value")
        check_non_negative(name, "weight_decay", group["weight_decay"], "weight_decay value")
        check_non_negative(
            name,
            "initial_accumulator_value",
            group["initial_accumulator_value"],
            "initial_accumulator_value",
        )
        check_non_negative(name, "eps", group["eps"], "epsilon value")
        check_bool(name, "maximize", group["maximize"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])
        state["step"] += 1
        step = state["step"]
        g = self._direction(p, grad, group)  # ± g + λθ
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        G = state["sum"]
        G += g * g
        std = np.sqrt(G)
        std += group["eps"]
        p.data -= clr * (g / std)

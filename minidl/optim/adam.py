"""Adam and AdamW: bias-corrected running averages of the gradient and its square."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from minidl import kernels
from minidl.kernels import reference
from minidl.optim._validation import check_adam_family, check_bool
from minidl.optim.optimizer import Optimizer, accept_torch_flags

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015): momentum on the gradient, RMSprop's scaling, bias correction.

    One step, for each parameter θ with gradient g (t counts this parameter's steps from 1)::

        g ← −g                              if maximize
        g ← g + λ θ                         if weight_decay λ ≠ 0 (coupled L2, Adam's default)
        θ ← θ (1 − α λ)                     instead, if decoupled_weight_decay (= AdamW)
        m ← β1 m + (1 − β1) g               (first moment: a running mean of g)
        v ← β2 v + (1 − β2) g²              (second moment: a running mean of g²)
        m̂ = m / (1 − β1^t)                  (bias correction: m and v start at 0)
        v̂ = v / (1 − β2^t)
        v̂_max ← max(v̂_max, v̂)               if amsgrad, and v̂_max replaces v̂ below
        θ ← θ − α m̂ / (√v̂ + ε)

    On the first step m̂ = g and v̂ = g², so the step is α·g/(|g| + ε) ≈ α·sign(g): Adam's step
    size is set by α, not by the gradient's scale. With coupled weight decay the penalty's
    gradient λθ is divided by √v̂ like everything else, so strongly-varying weights are barely
    decayed; AdamW's decoupled decay shrinks every weight by the same factor (1 − αλ).

    Args:
        params: Tensors to optimize, or parameter-group dicts.
        lr: α ≥ 0 (default 1e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: ε ≥ 0 (default 1e-8).
        weight_decay: λ ≥ 0 (default 0).
        amsgrad: use the running maximum of v̂ (Reddi et al., 2018).
        maximize: maximize the objective instead of minimizing it.
        foreach, fused, capturable, differentiable: PyTorch's implementation switches; accepted
            and ignored (minidl has one NumPy implementation, with the same numbers).
        decoupled_weight_decay: decay θ directly (AdamW) instead of adding λθ to g.

    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with amsgrad,
    ``max_exp_avg_sq`` (the running maximum of v; PyTorch keeps the maximum of the uncorrected v,
    which is the same thing since 1 − β2^t only grows).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
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
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name
        check_adam_family(name, group)
        check_bool(name, "amsgrad", group["amsgrad"])
        check_bool(name, "maximize", group["maximize"])
        check_bool(name, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]

        g = self._direction(p, grad, group)  # ± g + λθ, or θ ← θ(1 − αλ) if decoupled

        m, v = state["exp_avg"], state["exp_avg_sq"]
        step_size = lr / (1 - beta1**t)
        if not group["amsgrad"] and _fusable(p.data, g, m, v):
            # the whole step below in one pass over the arrays (minidl.kernels.adam_step, the
            # same operations in the same order: the same bits)
            kernels.adam_step(p.data, g, m, v, beta1=beta1, beta2=beta2, step_size=step_size,
                              sqrt_bias_correction2=math.sqrt(1 - beta2**t), eps=eps)  # fmt: skip
            return
        # the same two stages as the fused kernel, as NumPy passes (amsgrad steps on max(v))
        reference.adam_moments(g, m, v, beta1, beta2)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        reference.adam_apply(p.data, m, v, step_size, math.sqrt(1 - beta2**t), eps)


def _fusable(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> bool:
    """Can kernels.adam_step update these in place: one float dtype, writeable C-contiguous arrays?"""
    return (
        p.dtype in _FUSED_DTYPES
        and g.dtype == m.dtype == v.dtype == p.dtype
        and p.shape == g.shape
        and all(a.flags.c_contiguous and a.flags.aligned and a.flags.writeable for a in (p, m, v))
    )


_FUSED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    Each step first shrinks the weights, ``θ ← θ (1 − α λ)``, then takes Adam's step on the plain
    loss gradient (see :class:`Adam` for the rest of the rule). The decay no longer passes
    through Adam's per-coordinate scaling, which is what makes λ behave like true weight decay;
    with zero gradients AdamW still shrinks θ by exactly (1 − αλ) per step, Adam does not.

    Args: as :class:`Adam`, but ``weight_decay`` defaults to 1e-2 and decay is always decoupled.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        accept_torch_flags(type(self).__name__, foreach, fused, capturable, differentiable)
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

"""Regularisation penalties and gradient clipping.

Weight decay conventions — the factor of 2 that trips everyone up:

* Keras `kernel_regularizer=l2(λ)` adds λ Σ w² to the loss, so the gradient gains 2λ w.
  `l2_penalty(params, λ)` here is that same term: λ Σ w².
* PyTorch `SGD(weight_decay=λ)` adds λ w to the gradient, which is the gradient of (λ/2) Σ w².
  So Keras l2(λ) = PyTorch weight_decay=2λ = `l2_penalty(params, λ)`, and PyTorch weight_decay=λ
  = `l2_penalty(params, λ/2)` — for plain SGD.
* Under Adam the two differ: an L2 term (or Adam's `weight_decay`, which is the same "coupled"
  decay) is divided by √v̂ like every other gradient, so heavily-updated weights decay less. AdamW
  "decouples" it: w ← w − lr·λ·w applied directly, outside the adaptive scaling.

Biases and normalisation parameters are usually not decayed: `decay_parameters(model)` returns the
weights that should be.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.module import Module
from minidl.nn.normalization import LayerNorm, _BatchNorm


def _param_list(params, where: str) -> list:
    if isinstance(params, Tensor):
        return [params]
    if isinstance(params, Module):
        raise TypeError(
            f"{where}: pass parameters, e.g. model.parameters() or decay_parameters(model); "
            f"received the Module itself"
        )
    params = list(params)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: expected Tensors; received {type(p).__name__}")
    return params


def l2_penalty(params: Iterable[Tensor] | Tensor, weight_decay: float = 1.0) -> Tensor:
    """λ Σ_w w² over `params` (Keras's l2(λ)); its gradient is 2λ w. Add it to the loss.

    λ defaults to 1, so `lam * l2_penalty(params)` also works. See the module docstring for how this
    relates to PyTorch's `weight_decay` (λ_torch = 2λ for SGD)."""
    params = _param_list(params, "l2_penalty")
    if weight_decay < 0:
        raise ValueError(f"l2_penalty: weight_decay must be >= 0; received {weight_decay}")
    total = sum(((p * p).sum() for p in params), start=Tensor(np.zeros((), np.float32)))
    return total * weight_decay


def l1_penalty(params: Iterable[Tensor] | Tensor, weight_decay: float = 1.0) -> Tensor:
    """λ Σ_w |w| over `params` (Keras's l1(λ)); its gradient is λ sign(w), which drives small
    weights to exactly zero (sparsity). Add it to the loss."""
    params = _param_list(params, "l1_penalty")
    if weight_decay < 0:
        raise ValueError(f"l1_penalty: weight_decay must be >= 0; received {weight_decay}")
    total = sum((p.abs().sum() for p in params), start=Tensor(np.zeros((), np.float32)))
    return total * weight_decay


def decay_parameters(module: Module) -> list:
    """The parameters that weight decay should apply to: every weight of dimension ≥ 2 (Linear,
    Conv, RNN and Embedding matrices), not biases and not BatchNorm/LayerNorm scales and shifts.

        opt = md.optim.SGD([{"params": decay_parameters(m), "weight_decay": 5e-4},
                            {"params": no_decay_parameters(m), "weight_decay": 0.0}], lr=0.1)
    """
    skip = _norm_parameter_ids(module)
    return [p for p in module.parameters() if p.ndim >= 2 and id(p) not in skip]


def no_decay_parameters(module: Module) -> list:
    """The complement of `decay_parameters`: biases and normalisation parameters."""
    keep = {id(p) for p in decay_parameters(module)}
    return [p for p in module.parameters() if id(p) not in keep]


def _norm_parameter_ids(module: Module) -> set:
    return {
        id(p)
        for m in module.modules()
        if isinstance(m, (_BatchNorm, LayerNorm))
        for p in m.parameters(recurse=False)
    }


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Rescale gradients in place so that their joint norm is at most `max_norm`.

    total = ‖(‖g_1‖, ‖g_2‖, ...)‖_p over all gradients (p = norm_type, inf for the max);
    each g ← g · min(1, max_norm / (total + 10⁻⁶)). Returns the total norm before clipping."""
    params = [p for p in _param_list(parameters, "clip_grad_norm_") if p.grad is not None]
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0; received {max_norm}")
    norm_type = float(norm_type)
    if not params:
        return Tensor(np.zeros((), np.float32))
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(p.grad.data))) if p.grad.numel() else 0.0 for p in params)
    else:
        norms = [
            np.linalg.norm(p.grad.data.reshape(-1).astype(np.float64), norm_type) for p in params
        ]
        total = float(np.linalg.norm(np.array(norms), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients is non-finite "
            f"({total}), so it cannot be clipped"
        )
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            p.grad *= coef
    return Tensor(np.asarray(total, dtype=params[0].grad.dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clamp every gradient element to [−clip_value, clip_value], in place."""
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0; received {clip_value}")
    for p in _param_list(parameters, "clip_grad_value_"):
        if p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)

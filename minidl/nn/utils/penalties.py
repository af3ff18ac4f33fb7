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

from collections.abc import Iterable

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.module import Module
from minidl.nn.normalization import GroupNorm, LayerNorm, _BatchNorm
from minidl.nn.utils._common import _param_list

__all__ = ["l2_penalty", "l1_penalty", "decay_parameters", "no_decay_parameters"]


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
        if isinstance(m, (_BatchNorm, LayerNorm, GroupNorm))
        for p in m.parameters(recurse=False)
    }

"""Gradient clipping, in place, between `backward()` and `optimizer.step()`:
`clip_grad_norm_` rescales all gradients together (their direction is kept), `clip_grad_value_`
clamps each element (the direction changes). PyTorch's names and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.utils._common import _param_list, grad_array

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale gradients in place so that their joint norm is at most `max_norm`.

    total = ‖(‖g_1‖, ‖g_2‖, ...)‖_p over all gradients (p = norm_type, inf for the max);
    each g ← g · min(1, max_norm / (total + 10⁻⁶)). Returns the total norm before clipping.
    `foreach` (PyTorch's multi-tensor switch) is accepted and ignored."""
    params = [p for p in _param_list(parameters, "clip_grad_norm_") if p.grad is not None]
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0; received {max_norm}")
    norm_type = float(norm_type)
    if not params:
        return Tensor(np.zeros((), np.float32))
    if math.isinf(norm_type):
        total = max(
            float(np.max(np.abs(grad_array(p)))) if grad_array(p).size else 0.0 for p in params
        )
    else:
        norms = [
            np.linalg.norm(grad_array(p).reshape(-1).astype(np.float64), norm_type) for p in params
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
            grad_array(p)[...] *= coef
    return Tensor(np.asarray(total, dtype=grad_array(params[0]).dtype))


def clip_grad_value_(
    parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element to [−clip_value, clip_value], in place (`foreach` ignored)."""
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0; received {clip_value}")
    for p in _param_list(parameters, "clip_grad_value_"):
        if p.grad is not None:
            g = grad_array(p)
            np.clip(g, -clip_value, clip_value, out=g)

"""The Kullback–Leibler divergence between distributions: `kl_div` and `nn.KLDivLoss`.

As in PyTorch, the *input* is log-probabilities log q (e.g. from log_softmax) and the target is
probabilities p (or log p with `log_target=True`); pointwise

    ℓ = p (log p − log q)          with ℓ = 0 where p = 0 (the limit p log p → 0),

so Σ ℓ = KL(p ‖ q). `reduction="batchmean"` (Σ ℓ / N) is the mathematically correct KL per
sample; "mean" divides by the number of elements, as PyTorch's default does.
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl.autograd import Tensor
from minidl.nn.losses._common import _Loss, _pair
from minidl.ops.elementwise import where

_KL_REDUCTIONS = ("mean", "sum", "none", "batchmean")


def kl_div(input: Tensor, target, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Pointwise p (log p − input) (see the module docstring), reduced by `reduction`."""
    if reduction not in _KL_REDUCTIONS:
        raise ValueError(
            f"kl_div: {reduction!r} is not a valid value for reduction; expected one of "
            f"{', '.join(repr(r) for r in _KL_REDUCTIONS)}"
        )
    input, target = _pair("kl_div", input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        p = target.data if isinstance(target, Tensor) else np.asarray(target)
        positive = p > 0
        log_p = np.log(np.where(positive, p, 1.0))  # log p where p > 0 (0 elsewhere, unused)
        loss = where(positive, target * (log_p - input), 0.0 * input)
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction='mean' divides the total loss by both the batch size and the "
            "support size; 'batchmean' divides only by the batch size, which is the KL "
            "divergence per sample (PyTorch gives the same warning)",
            UserWarning,
            stacklevel=2,
        )
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


class KLDivLoss(_Loss):
    """KL(target ‖ exp(input)) on log-probability inputs; see `kl_div`."""

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        if reduction == "batchmean":
            super().__init__("mean")
            self.reduction = "batchmean"
        else:
            super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target) -> Tensor:
        return kl_div(input, target, self.reduction, self.log_target)

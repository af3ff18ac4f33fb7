"""Losses: each functional form (`F.cross_entropy`) beside its module (`nn.CrossEntropyLoss`),
one file per family: regression, classification (integer class targets), binary,
divergence (KL divergence, distillation).

`reduction` is 'mean' (default), 'sum' or 'none' (the per-element losses), as in PyTorch.
"""

from minidl.nn.losses.binary import (
    BCELoss,
    BCEWithLogitsLoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from minidl.nn.losses.classification import CrossEntropyLoss, NLLLoss, cross_entropy, nll_loss
from minidl.nn.losses.divergence import KLDivLoss, distillation_loss, kl_div
from minidl.nn.losses.regression import (
    HuberLoss,
    L1Loss,
    MSELoss,
    SmoothL1Loss,
    huber_loss,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)

__all__ = [
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "kl_div", "KLDivLoss", "distillation_loss",
]  # fmt: skip

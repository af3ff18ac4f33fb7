"""Loss modules: `criterion = nn.CrossEntropyLoss(); loss = criterion(logits, labels)`.

Each holds its options and calls the function of the same name in `minidl.nn.losses`, where the
formulas are written out. Class weights (`weight`, `pos_weight`) are buffers, as in PyTorch, so
they appear in the state dict under the same names.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor
from minidl.nn import losses
from minidl.nn.module import Module


def _as_buffer(value) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor(np.asarray(value))


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        losses._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error, (1/n) Σ (x_i − y_i)²."""

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error, (1/n) Σ |x_i − y_i|."""

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |x − y| < delta, linear beyond (robust to outliers)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        if delta <= 0:
            raise ValueError(f"HuberLoss: argument `delta` must be > 0; received delta={delta}")
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """Huber's loss divided by beta (= delta): ½ d²/β for |d| < β, |d| − ½β beyond."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: argument `beta` must be >= 0; received beta={beta}")
        self.beta = beta

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.smooth_l1_loss(input, target, self.reduction, self.beta)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits with integer class targets (or class probabilities).

    `weight` (C,) weights the classes (the mean divides by the total weight of the targets),
    `ignore_index` skips positions with that target, `label_smoothing` ε mixes the target with the
    uniform distribution: q = (1 − ε) onehot + ε/C."""

    def __init__(
        self,
        weight=None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0; received "
                f"{label_smoothing}"
            )
        self.register_buffer("weight", _as_buffer(weight))
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax) at integer targets."""

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100)."""

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step, on logits; `pos_weight` weights positives."""

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input: Tensor, target) -> Tensor:
        return losses.binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )

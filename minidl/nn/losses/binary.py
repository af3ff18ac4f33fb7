"""Binary classification losses — `binary_cross_entropy` (on probabilities) and
`binary_cross_entropy_with_logits` (on raw scores, the stable one) — and `nn.BCELoss`,
`nn.BCEWithLogitsLoss`. `weight` and `pos_weight` are module buffers, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function, Tensor
from minidl.nn.losses._common import (
    _as_buffer,
    _broadcastable_weight,
    _check_reduction,
    _Loss,
    _pair,
    _reduce,
)


def _float_target(where: str, target) -> None:
    """Binary targets are probabilities: a float dtype, as PyTorch requires (a bool or int
    target is refused rather than silently promoted)."""
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind != "f":
        raise TypeError(
            f"{where}: argument `target` must be a floating-point tensor of probabilities; "
            f"received dtype {t.dtype} (convert it: target.float())"
        )


def _in_unit_interval(where: str, name: str, a: np.ndarray) -> None:
    """Every element in [0, 1]; NaN is reported as such (it compares False to everything)."""
    if a.size and not ((a >= 0) & (a <= 1)).all():
        nan = np.isnan(a).any()
        detail = "it contains NaN" if nan else f"received min {a.min()}, max {a.max()}"
        hint = " (pass logits to binary_cross_entropy_with_logits)" if name == "input" else ""
        raise ValueError(
            f"{where}: all elements of {name} should be between 0 and 1; {detail}{hint}"
        )


class BinaryCrossEntropy(Function):
    """ℓ = −w (y log p + (1 − y) log(1 − p)), each log clamped at −100 as in PyTorch (so p = 0 or 1
    gives a large finite loss, not inf);  dℓ/dp = w (p − y) / max(p (1 − p), 10⁻¹²),
    dℓ/dy = w (log(1 − p) − log p)."""

    @staticmethod
    def forward(ctx, p, y, weight):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        ctx.save_for_backward(p, y, log_p, log_1mp)
        ctx.weight = weight
        loss = -(y * log_p + (1 - y) * log_1mp)
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, g):
        p, y, log_p, log_1mp = ctx.saved_tensors
        gw = g if ctx.weight is None else g * ctx.weight
        dp = gw * (p - y) / np.maximum(p * (1 - p), 1e-12) if ctx.needs_input_grad[0] else None
        dy = gw * (log_1mp - log_p) if ctx.needs_input_grad[1] else None
        return dp, dy, None


def binary_cross_entropy(input: Tensor, target, weight=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities p ∈ [0, 1] (e.g. after a sigmoid); see
    `BinaryCrossEntropy`. Prefer `binary_cross_entropy_with_logits` on raw scores: it is stable."""
    _check_reduction("binary_cross_entropy", reduction)
    where = "binary_cross_entropy"
    input, target = _pair(where, input, target)
    _float_target(where, target)
    _in_unit_interval(where, "input", input.data)
    _in_unit_interval(where, "target", target.data if isinstance(target, Tensor) else target)
    w = _broadcastable_weight(where, "weight", weight, input.shape, input.dtype)
    return _reduce(BinaryCrossEntropy.apply(input, target, w), reduction)


class BCEWithLogits(Function):
    """Sigmoid + binary cross-entropy on logits x, stable for any x:

        ℓ = (1 − y) x + l · softplus(−x),   l = 1 + (pos_weight − 1) y,
        softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0)   (never exponentiates a large number)
        dℓ/dx = (1 − y) − l σ(−x),   dℓ/dy = −x + (pos_weight − 1) softplus(−x)
    (without pos_weight: dℓ/dx = σ(x) − y), all times the element weight w."""

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight):
        sp = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # softplus(−x)
        lw = 1.0 if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * x + lw * sp
        ctx.save_for_backward(x, y, sp)
        ctx.weight, ctx.pos_weight, ctx.lw = weight, pos_weight, lw
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, g):
        x, y, sp = ctx.saved_tensors
        gw = g if ctx.weight is None else g * ctx.weight
        dx = dy = None
        if ctx.needs_input_grad[0]:
            sig = np.exp(-sp)  # σ(x) = e^{−softplus(−x)}, so σ(−x) = 1 − σ(x)
            dx = gw * ((1 - y) - ctx.lw * (1 - sig))
        if ctx.needs_input_grad[1]:
            pw = 1.0 if ctx.pos_weight is None else ctx.pos_weight
            dy = gw * (-x + (pw - 1) * sp)
        return dx, dy, None, None


def binary_cross_entropy_with_logits(
    input: Tensor, target, weight=None, reduction: str = "mean", pos_weight=None
) -> Tensor:
    """Binary cross-entropy on logits (see `BCEWithLogits`). `pos_weight` (broadcast over the last
    dimension, one per class) multiplies the positive term: pos_weight = n_neg/n_pos balances
    classes; `weight` multiplies each element's loss."""
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    where = "binary_cross_entropy_with_logits"
    input, target = _pair(where, input, target)
    _float_target(where, target)
    w = _broadcastable_weight(where, "weight", weight, input.shape, input.dtype)
    pw = _broadcastable_weight(where, "pos_weight", pos_weight, input.shape, input.dtype)
    return _reduce(BCEWithLogits.apply(input, target, w, pw), reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100)."""

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight, "BCELoss"))

    def forward(self, input: Tensor, target) -> Tensor:
        return binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step, on logits; `pos_weight` weights positives."""

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight, "BCEWithLogitsLoss"))
        self.register_buffer(
            "pos_weight", _as_buffer(pos_weight, "BCEWithLogitsLoss", "pos_weight")
        )

    def forward(self, input: Tensor, target) -> Tensor:
        return binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )

"""Classification losses on logits or log-probabilities with integer class targets —
`cross_entropy`, `nll_loss` — and their modules `nn.CrossEntropyLoss`, `nn.NLLLoss`.

Computed in log space (log-sum-exp), so no log(0) ever happens. Class weights are buffers of the
modules, as in PyTorch, so they appear in the state dict under the same names.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Function, Tensor
from minidl.nn._validation import check_int, check_real, float_input
from minidl.nn.losses._common import _as_buffer, _check_reduction, _data, _Loss
from minidl.ops.activation import log_softmax


def _integer_targets(where: str, target) -> np.ndarray:
    """Class indices must be integers (PyTorch: Long or Byte); floats and bools are refused."""
    t = np.asarray(_data(target))
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: argument `target` must hold integer class indices; received dtype "
            f"{t.dtype} (convert it: target.long(), or pass class probabilities of the "
            f"input's shape to cross_entropy)"
        )
    return t


def _class_targets(where: str, input: Tensor, target, ignore_index: int) -> np.ndarray:
    """Integer targets of shape (N, d1, ...) for input (N, C, d1, ...), checked against C."""
    t = _integer_targets(where, target)
    expected = (input.shape[0], *input.shape[2:])
    if t.shape != expected:
        raise ValueError(
            f"{where}: for input of shape {input.shape} (N, C, ...) expected target of shape "
            f"{expected}; received {t.shape}"
        )
    c = input.shape[1]
    valid = t[t != ignore_index]
    if valid.size and (valid.min() < 0 or valid.max() >= c):
        bad = valid.min() if valid.min() < 0 else valid.max()
        raise IndexError(f"{where}: Target {bad} is out of bounds for {c} classes (0..{c - 1})")
    return t


def _class_weight(where: str, weight, c: int, dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = np.asarray(_data(weight), dtype=dtype)
    if w.shape != (c,):
        raise ValueError(f"{where}: argument `weight` must have shape ({c},); received {w.shape}")
    return w


def _unbatched(input: Tensor, target, where: str = "cross_entropy"):
    """(C,) logits with a scalar target are a batch of one."""
    t = np.asarray(_data(target))
    if t.ndim != 0:
        raise ValueError(
            f"{where}: unbatched input of shape {input.shape} (C,) expects a scalar target; "
            f"received target of shape {t.shape}"
        )
    return input.reshape(1, -1), t.reshape(1)


def nll_loss(
    input: Tensor, target, weight=None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of log-probabilities x (N, C, ...) at integer targets y:

    ℓ_i = −w_{y_i} · x_{i, y_i}   (0 where y_i = ignore_index)
    mean = Σ_i ℓ_i / Σ_i w_{y_i}  (PyTorch's weighted mean: over the weights, not the count)
    """
    return _nll("nll_loss", input, target, weight, ignore_index, reduction)


def _nll(where: str, input, target, weight, ignore_index: int, reduction: str) -> Tensor:
    """nll_loss, with errors naming `where` (cross_entropy calls it on N-d input)."""
    _check_reduction(where, reduction)
    float_input(where, input)
    if input.ndim == 1:
        input, target = _unbatched(input, target, where)
        reduction_shape = ()
    else:
        reduction_shape = None
    if input.ndim < 2:
        raise ValueError(f"{where}: expected input (N, C, ...); received shape {input.shape}")
    t = _class_targets(where, input, target, ignore_index)
    w = _class_weight(where, weight, input.shape[1], input.dtype)
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    w_y = valid.astype(input.dtype) if w is None else w[safe] * valid  # (N, ...)
    # a constant (N, C, ...) mask holding w_{y_i} at the target class: ℓ = −Σ_c x ⊙ mask
    mask = np.zeros(input.shape, dtype=input.dtype)
    np.put_along_axis(mask, safe[:, None], w_y[:, None], axis=1)
    loss = -(input * mask).sum(axis=1)
    if reduction == "mean":
        return loss.sum() / w_y.sum()
    if reduction == "sum":
        return loss.sum()
    return loss.reshape(reduction_shape) if reduction_shape is not None else loss


class SoftmaxCrossEntropy(Function):
    """Fused log-softmax + negative log-likelihood (+ label smoothing) for logits z (N, C):

        log p_ic = z_ic − log Σ_k exp z_ik           (shifted by max_k z_ik: no overflow)
        ℓ_i = (1 − ε) · (−w_{y_i} log p_{i,y_i}) + (ε / C) · (−Σ_c w_c log p_ic)
        dℓ_i/dz_ic = a_ic − p_ic Σ_k a_ik,   a_ic = −(1 − ε) w_{y_i} [c = y_i] − (ε / C) w_c

    (without weights and smoothing: dℓ_i/dz_i = p_i − onehot(y_i)). One node for speed; the
    gradient never divides by a probability, so it is as stable as the forward pass.
    """

    @staticmethod
    def forward(ctx, z, target, weight, ignore_index, reduction, label_smoothing):
        n, c = z.shape
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
        w_y = valid.astype(z.dtype) if weight is None else weight[safe] * valid  # (N,)
        loss = -logp[np.arange(n), safe] * w_y
        eps = label_smoothing
        if eps > 0:
            smooth = -(logp.sum(axis=1) if weight is None else logp @ weight) * valid
            loss = (1 - eps) * loss + (eps / c) * smooth
        ctx.save_for_backward(logp)
        ctx.safe, ctx.w_y, ctx.valid, ctx.weight = safe, w_y, valid, weight
        ctx.reduction, ctx.eps = reduction, eps
        if reduction == "none":
            return loss
        total = loss.sum()
        ctx.denominator = w_y.sum() if reduction == "mean" else 1.0
        return np.asarray(total / ctx.denominator, dtype=z.dtype)

    @staticmethod
    def backward(ctx, g):
        (logp,) = ctx.saved_tensors
        n, c = logp.shape
        scale = g[:, None] if ctx.reduction == "none" else g / ctx.denominator  # dL/dℓ_i
        eps = ctx.eps
        a = np.zeros_like(logp)
        a[np.arange(n), ctx.safe] = -(1 - eps) * ctx.w_y
        if eps > 0:
            w = 1.0 if ctx.weight is None else ctx.weight[None, :]
            a -= (eps / c) * w * ctx.valid[:, None]
        a *= scale
        p = np.exp(logp)
        return a - p * a.sum(axis=1, keepdims=True)


def cross_entropy(
    input: Tensor,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of logits x (N, C) or (N, C, d1, ...), natural log.

    Integer targets y (N, d1, ...):  ℓ_i = −w_{y_i} log softmax(x_i)_{y_i}, smoothed with ε as
    (1 − ε) ℓ_i + (ε/C) Σ_c −w_c log softmax(x_i)_c; the mean divides by Σ_i w_{y_i} over targets
    that are not `ignore_index`. Class-probability targets (the logits' shape):
    ℓ_i = −Σ_c w_c q_ic log softmax(x_i)_c with q smoothed to (1 − ε) q + ε/C; the mean divides by N.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= check_real("cross_entropy", "label_smoothing", label_smoothing) <= 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0; received {label_smoothing}"
        )
    float_input("cross_entropy", input)  # integer logits: PyTorch refuses, so do we
    t = _data(target)
    if np.asarray(t).dtype.kind == "f":
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    t = _integer_targets("cross_entropy", t)
    unbatched = input.ndim == 1
    if unbatched:
        input, t = _unbatched(input, t)
    if input.ndim < 2:
        raise ValueError(f"cross_entropy: expected input (N, C, ...); received shape {input.shape}")
    if input.ndim > 2:  # (N, C, d...): log-softmax over C, then the NLL (smoothing added below)
        logp = log_softmax(input, 1)
        loss = _nll("cross_entropy", logp, t, weight, ignore_index, reduction)
        if label_smoothing > 0:
            loss = (1 - label_smoothing) * loss + label_smoothing * _smooth_term(
                logp, np.asarray(t), weight, ignore_index, reduction
            )
        return loss
    t = _class_targets("cross_entropy", input, t, ignore_index)
    w = _class_weight("cross_entropy", weight, input.shape[1], input.dtype)
    loss = SoftmaxCrossEntropy.apply(
        input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction,
        label_smoothing=float(label_smoothing),
    )  # fmt: skip
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def _smooth_term(logp, t, weight, ignore_index, reduction) -> Tensor:
    """(1/C) Σ_c −w_c log p_c per target position, zero where ignored, reduced like the NLL."""
    c = logp.shape[1]
    valid = t != ignore_index
    w = np.ones(c, dtype=logp.dtype) if weight is None else np.asarray(_data(weight), logp.dtype)
    shape = (1, c) + (1,) * (logp.ndim - 2)
    smooth = -(logp * (w / c).reshape(shape)).sum(axis=1) * valid
    if reduction == "mean":
        return smooth.sum() / (w[np.where(valid, t, 0)] * valid).sum()
    return smooth.sum() if reduction == "sum" else smooth


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing) -> Tensor:
    shape = np.shape(_data(target))
    if shape != input.shape:
        hint = ""
        if input.ndim >= 2 and shape == (input.shape[0], *input.shape[2:]):
            hint = " (integer class labels need an integer dtype: convert with y.astype(np.int64))"
        raise ValueError(
            f"cross_entropy: float targets are class probabilities and must have the logits' "
            f"shape {input.shape}; received {shape}{hint}"
        )
    class_dim = 0 if input.ndim == 1 else 1
    c = input.shape[class_dim]
    q = target
    if label_smoothing > 0:
        q = q * (1 - label_smoothing) + label_smoothing / c
    logp = log_softmax(input, class_dim)
    if weight is not None:
        w = _class_weight("cross_entropy", weight, c, input.dtype)
        q = q * w.reshape((c,) + (1,) * (input.ndim - class_dim - 1))
    loss = -(logp * q).sum(axis=class_dim)
    if reduction == "mean":
        return loss.sum() / (input.data.size // c)
    return loss.sum() if reduction == "sum" else loss


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
        if not 0.0 <= check_real("CrossEntropyLoss", "label_smoothing", label_smoothing) <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0; received "
                f"{label_smoothing}"
            )
        self.register_buffer("weight", _as_buffer(weight, "CrossEntropyLoss"))
        self.ignore_index = check_int("CrossEntropyLoss", "ignore_index", ignore_index)
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:
        return cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax) at integer targets."""

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight, "NLLLoss"))
        self.ignore_index = check_int("NLLLoss", "ignore_index", ignore_index)

    def forward(self, input: Tensor, target) -> Tensor:
        return nll_loss(input, target, self.weight, self.ignore_index, self.reduction)

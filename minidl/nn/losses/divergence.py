"""Divergences between distributions — `kl_div` and `nn.KLDivLoss`, PyTorch's — and the
knowledge-distillation loss built on them (Hinton, Vinyals & Dean, 2015).

`kl_div(input, target)` takes the *model's log-probabilities* as `input` and the reference
distribution as `target` (probabilities, or log-probabilities with `log_target=True`): the argument
order is the reverse of the notation KL(target ‖ model).
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl.autograd import Tensor
from minidl.nn._validation import float_input
from minidl.nn.losses._common import _Loss
from minidl.nn.losses.classification import cross_entropy
from minidl.ops.activation import log_softmax, softmax
from minidl.ops.elementwise import operand, where

_KL_REDUCTIONS = ("mean", "batchmean", "sum", "none")


def _legacy_reduction(size_average, reduce) -> str:
    """PyTorch's deprecated (size_average, reduce) pair as a reduction string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        f"instead.",
        stacklevel=3,
    )
    return reduction


def kl_div(
    input: Tensor,
    target,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Pointwise Kullback–Leibler divergence of the model's log-probabilities `input` from `target`:

        ℓ = target · (log target − input)         (log_target=False; 0 where target = 0,
                                                    i.e. xlogy: 0 · log 0 = 0)
        ℓ = exp(target) · (target − input)        (log_target=True)

    Reductions: 'none' (ℓ itself), 'sum', 'batchmean' = sum / batch size — the KL divergence of
    each row averaged over the batch, the mathematically correct one — and 'mean' = the mean over
    *every element*, i.e. batchmean / number of classes. 'mean' is the default, as in PyTorch, and
    warns, as PyTorch does. Gradients: dℓ/d input = −target (−exp(target) with log_target);
    dℓ/d target = log target + 1 − input (exp(target)·(target − input + 1)).
    """
    where_ = "kl_div"
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
        batchmean = False
    else:
        if reduction not in _KL_REDUCTIONS:
            raise ValueError(
                f"{where_}: {reduction!r} is not a valid value for reduction; expected one of "
                f"{', '.join(repr(r) for r in _KL_REDUCTIONS)}"
            )
        if reduction == "mean":
            warnings.warn(
                "kl_div: reduction 'mean' divides the total loss by both the batch size and the "
                "support size; 'batchmean' divides only by the batch size, and aligns with the KL "
                "div math definition.",
                stacklevel=2,
            )
        batchmean = reduction == "batchmean"
    float_input(where_, input)
    target = operand(target, where_)
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(
            f"{where_}: input of shape {input.shape} and target of shape {target.shape} do not "
            f"broadcast"
        ) from None
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        # xlogy(t, t): log of 1 where t == 0 makes 0·log 0 = 0 (and its gradient finite);
        # a negative target still gives nan, as PyTorch
        safe = where(target.data == 0, np.ones((), target.dtype), target)
        pointwise = target * safe.log() - target * input
    if batchmean:
        total = pointwise.sum()
        return total / input.shape[0] if input.ndim else total
    if reduction == "mean":
        return pointwise.mean()
    if reduction == "sum":
        return pointwise.sum()
    return pointwise


class KLDivLoss(_Loss):
    """`kl_div` as a module: `KLDivLoss(reduction="batchmean")(log_probs, target_probs)`."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target=False):
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        if reduction not in _KL_REDUCTIONS:
            raise ValueError(
                f"KLDivLoss: {reduction!r} is not a valid value for reduction; expected one of "
                f"{', '.join(repr(r) for r in _KL_REDUCTIONS)}"
            )
        super().__init__("mean")
        self.reduction, self.log_target = reduction, bool(log_target)

    def forward(self, input: Tensor, target) -> Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


def distillation_loss(
    student_logits: Tensor, teacher_logits, targets, T: float = 4.0, alpha: float = 0.9
) -> Tensor:
    """Knowledge distillation (Hinton et al., 2015, "Distilling the Knowledge in a Neural Network"):

        L = α · T² · KL( softmax(t / T) ‖ softmax(s / T) )  +  (1 − α) · CE(s, y)

    s, t: student and teacher logits (N, C); y: integer labels; KL averaged over the batch
    ('batchmean'); CE is the ordinary cross-entropy at temperature 1. `alpha` weights the soft
    (teacher) term, 1 − alpha the hard-label term. The temperature T > 1 softens both
    distributions, so the teacher's small probabilities for wrong classes ("dark knowledge": a 3
    looks more like an 8 than a 1) carry signal. Why T²: the gradient of the soft term with respect
    to the student's logits is (softmax(s/T) − softmax(t/T)) / T, whose size falls like 1/T² for
    large T (≈ (s − t)/(C T²)); multiplying by T² keeps the soft term's gradient on the same scale
    as the hard term's whatever T is, so α means the same at every temperature. The teacher is
    treated as a constant (its logits are detached).
    """
    where_ = "distillation_loss"
    if not T > 0:
        raise ValueError(f"{where_}: argument `T` must be > 0; received T={T}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"{where_}: argument `alpha` must be in [0, 1]; received alpha={alpha}")
    float_input(where_, student_logits)
    teacher = operand(teacher_logits, where_)
    if teacher.shape != student_logits.shape:
        raise ValueError(
            f"{where_}: student logits {student_logits.shape} and teacher logits {teacher.shape} "
            f"must have the same shape (N, C)"
        )
    soft_targets = softmax(teacher.detach() / T, dim=1)
    soft = kl_div(log_softmax(student_logits / T, dim=1), soft_targets, reduction="batchmean")
    hard = cross_entropy(student_logits, targets)
    return alpha * (T * T) * soft + (1.0 - alpha) * hard

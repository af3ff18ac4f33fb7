"""Keras's losses by name, so `Trainer(model, "sparse_categorical_crossentropy", "adam")` means
what it means in Keras — including its choice of inputs:

* "sparse_categorical_crossentropy": integer labels y, outputs p that are class PROBABILITIES (a
  softmax layer ends the model), ℓ = −log p_y (`from_logits=False`, Keras's default);
* "categorical_crossentropy": one-hot (or soft) targets t, probabilities p, ℓ = −Σ_c t_c log p_c;
* "binary_crossentropy": targets t ∈ [0, 1], a probability p per output (sigmoid last),
  ℓ = −[t log p + (1 − t) log(1 − p)], averaged over the last axis.

As in Keras, probabilities are first renormalised to sum to 1 (the categorical losses) and
clipped to [ε, 1 − ε] with ε = 1e-7, so log never sees 0 (the gradient is 0 where clipping
bites). With `from_logits=True` the outputs are logits: log-softmax for the categorical losses,
and for the binary one σ(logit) then the same clipping (Keras's formula).

PyTorch's way — a model that outputs logits and `nn.CrossEntropyLoss` — is the name
"cross_entropy" (or pass the module); it is the numerically better choice for new code.
"""

from __future__ import annotations

import numpy as np

from minidl import nn
from minidl.autograd import Tensor

EPSILON = 1e-7  # Keras's backend.epsilon()


class _KerasLoss(nn.Module):
    def __init__(self, from_logits: bool = False, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"{type(self).__name__}: argument `reduction` must be 'mean', 'sum' or 'none'; "
                f"received {reduction!r}"
            )
        self.from_logits = bool(from_logits)
        self.reduction = reduction

    def _reduce(self, per_sample: Tensor) -> Tensor:
        if self.reduction == "none":
            return per_sample
        return per_sample.sum() if self.reduction == "sum" else per_sample.mean()

    def _log_probabilities(self, output: Tensor) -> Tensor:
        if self.from_logits:
            return output.log_softmax(dim=-1)
        p = output / output.sum(axis=-1, keepdims=True)
        return p.clip(EPSILON, 1.0 - EPSILON).log()

    def extra_repr(self) -> str:
        return f"from_logits={self.from_logits}"


class SparseCategoricalCrossentropy(_KerasLoss):
    """ℓ_i = −log p_i[y_i] for integer labels y (N,) and probabilities p (N, C)."""

    def forward(self, output: Tensor, target) -> Tensor:
        y = np.asarray(target.data if isinstance(target, Tensor) else target)
        if y.ndim == output.ndim and y.shape[-1] == 1:
            y = y[..., 0]
        if y.shape != output.shape[:-1] or y.dtype.kind not in "iu":
            raise ValueError(
                f"SparseCategoricalCrossentropy: expected integer labels of shape "
                f"{output.shape[:-1]} for outputs {output.shape}; received {y.dtype} {y.shape}"
            )
        one_hot = np.eye(output.shape[-1], dtype=output.dtype)[y]
        return self._reduce(-(self._log_probabilities(output) * Tensor(one_hot)).sum(axis=-1))


class CategoricalCrossentropy(_KerasLoss):
    """ℓ_i = −Σ_c t_ic log p_ic for one-hot (or soft) targets t and probabilities p, (N, C)."""

    def forward(self, output: Tensor, target) -> Tensor:
        t = np.asarray(target.data if isinstance(target, Tensor) else target, dtype=output.dtype)
        if t.shape != output.shape:
            raise ValueError(
                f"CategoricalCrossentropy: targets must have the outputs' shape {output.shape} "
                f"(one-hot rows); received {t.shape}"
            )
        return self._reduce(-(self._log_probabilities(output) * Tensor(t)).sum(axis=-1))


class BinaryCrossentropy(_KerasLoss):
    """ℓ_i = mean_j −[t_ij log p_ij + (1 − t_ij) log(1 − p_ij)], p clipped to [ε, 1 − ε]."""

    def forward(self, output: Tensor, target) -> Tensor:
        t = np.asarray(target.data if isinstance(target, Tensor) else target, dtype=output.dtype)
        if t.shape != output.shape:
            if t.size != output.data.size:
                raise ValueError(
                    f"BinaryCrossentropy: targets must have the outputs' shape {output.shape}; "
                    f"received {t.shape}"
                )
            t = t.reshape(output.shape)
        p = output.sigmoid() if self.from_logits else output
        p = p.clip(EPSILON, 1.0 - EPSILON)
        t = Tensor(t)
        per_element = -(t * p.log() + (1.0 - t) * (1.0 - p).log())
        per_sample = per_element.mean(axis=-1) if per_element.ndim > 1 else per_element
        return self._reduce(per_sample)


# Keras's names (and a few PyTorch ones) -> loss classes
LOSSES = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "cross_entropy": nn.CrossEntropyLoss,  # PyTorch's: logits in
    "binary_cross_entropy_with_logits": nn.BCEWithLogitsLoss,
    "mse": nn.MSELoss,
    "mean_squared_error": nn.MSELoss,
    "mae": nn.L1Loss,
    "mean_absolute_error": nn.L1Loss,
    "huber": nn.HuberLoss,
}


def resolve_loss(loss):
    """A loss module or function from `loss` (a name from LOSSES, a module or a function)."""
    if isinstance(loss, str):
        cls = LOSSES.get(loss.lower())
        if cls is None:
            raise ValueError(
                f"Trainer: unknown loss {loss!r}; expected one of {sorted(LOSSES)}, a minidl.nn "
                "loss module or a function loss(y_pred, y_true)"
            )
        return cls()
    if not callable(loss):
        raise TypeError(
            f"Trainer: argument `loss` must be a loss module, a function or a name; received "
            f"{type(loss).__name__}"
        )
    return loss


def outputs_are_probabilities(loss) -> bool:
    """True when `loss` takes probabilities (so metrics should not apply a sigmoid)."""
    if isinstance(loss, nn.BCELoss):
        return True
    return isinstance(loss, _KerasLoss) and not loss.from_logits


def takes_class_indices(loss) -> bool:
    """True when `loss` is known to want integer class labels as targets."""
    return isinstance(
        loss, (nn.CrossEntropyLoss, nn.NLLLoss, SparseCategoricalCrossentropy)
    ) or loss in (nn.functional.cross_entropy, nn.functional.nll_loss)


def looks_like_class_indices(y: np.ndarray, y_pred_shape: tuple) -> bool:
    """Integer targets shaped like PyTorch's class indices for these outputs: outputs (N, C, ...)
    with C > 1 and targets (N, ...), one class number per prediction. For a loss minidl does not
    know (a function or a custom module), such targets are passed on as they are; anything else
    (e.g. integer regression targets for one output) becomes float."""
    return (
        y.dtype.kind in "iu"
        and len(y_pred_shape) >= 2
        and y_pred_shape[1] > 1
        and y.shape == (y_pred_shape[0], *y_pred_shape[2:])
    )

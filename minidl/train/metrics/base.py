"""The streaming-metric protocol (Keras's) and the running weighted mean every metric builds on.

A metric is a small accumulator. During an epoch the trainer calls, once per batch,

    metric.update_state(y_true, y_pred, sample_weight=None)   # fold the batch into the state

and reads `metric.result()` whenever it needs the value so far (the progress bar, the epoch's logs);
`metric.reset_state()` starts a new epoch. Because the state is sums and counts (never a list of
per-batch values), the epoch's value is exactly the value on all of its samples at once: the
accuracy of an epoch is (correct samples) / (samples), not the mean of the batches' accuracies.

`y_true` and `y_pred` may be minidl Tensors, numpy arrays or lists; metrics work on numpy arrays.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd import Tensor


def as_array(value, where: str, name: str) -> np.ndarray:
    """`value` (Tensor, array, list, number) as a numpy array, or a TypeError naming `where`."""
    if isinstance(value, Tensor):
        return value.data
    try:
        array = np.asarray(value)
    except Exception as exc:  # e.g. ragged lists
        raise TypeError(
            f"{where}: argument `{name}` must be a Tensor or array-like; received "
            f"{type(value).__name__}"
        ) from exc
    if array.dtype == object:
        raise TypeError(
            f"{where}: argument `{name}` must be numeric; received an array of Python objects"
        )
    return array


def as_sample_weight(sample_weight, n: int, where: str) -> np.ndarray | None:
    """Per-sample weights of shape (n,) as float64, or None; checks length and sign."""
    if sample_weight is None:
        return None
    w = as_array(sample_weight, where, "sample_weight").astype(np.float64).reshape(-1)
    if w.shape[0] != n:
        raise ValueError(
            f"{where}: argument `sample_weight` must have one weight per sample ({n}); "
            f"received shape {w.shape}"
        )
    if np.any(w < 0):
        raise ValueError(f"{where}: argument `sample_weight` must be non-negative")
    return w


class Metric:
    """Base class: subclasses implement `update_state`, `result` and `reset_state`.

    `name` is the key under which the trainer logs the metric (`"val_" + name` on validation
    data). `direction` is "up" when larger is better (accuracy) and "down" otherwise (errors);
    EarlyStopping and ModelCheckpoint read it in mode="auto", as Keras's do.
    """

    name = "metric"
    direction = "up"
    # False for metrics whose result() is expensive (AUC sorts every score seen): the trainer
    # then leaves them out of per-batch logs and computes them at the end of the epoch only.
    cheap_result = True

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            if not isinstance(name, str) or not name:
                raise TypeError(
                    f"{type(self).__name__}: argument `name` must be a non-empty str; "
                    f"received {name!r}"
                )
            self.name = name
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Fold one batch into the running state."""
        raise NotImplementedError

    def result(self):
        """The metric on every sample folded in since the last reset (a Python float)."""
        raise NotImplementedError

    def reset_state(self) -> None:
        """Forget every batch (the start of an epoch)."""
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The metric of one batch on its own (resets, updates, returns the result)."""
        self.reset_state()
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Mean(Metric):
    """The running weighted mean  Σ w_i v_i / Σ w_i  of every value seen (w_i = 1 by default).

    The trainer's epoch loss is a `Mean` updated with each batch's mean loss weighted by the batch
    size — Keras's loss tracker — so the epoch loss is the mean over samples even when the last
    batch is smaller.
    """

    name = "mean"
    direction = "down"

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None) -> None:  # type: ignore[override]
        if isinstance(values, (int, float)) and isinstance(sample_weight, (int, float, type(None))):
            # one number (a batch's mean loss, weighted by its size): the trainer's every step
            w = 1.0 if sample_weight is None else float(sample_weight)
            self.total += float(values) * w
            self.count += w
            return
        v = as_array(values, "Mean.update_state", "values").astype(np.float64).reshape(-1)
        if sample_weight is None:
            w = np.ones_like(v)
        else:
            w = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), v.shape)
        self.total += float(np.dot(v, w)) if v.size else 0.0
        self.count += float(w.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class SampleMean(Metric):
    """Base of metrics that are a weighted mean of one value per sample, Σ w_i v_i / Σ w_i
    (accuracy: v_i = [ŷ_i = y_i]; MSE: v_i = mean_j (y_ij − ŷ_ij)²). Subclasses compute the
    values in `update_state` and hand them to `_add`."""

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def _add(self, values: np.ndarray, sample_weight, where: str) -> None:
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        w = as_sample_weight(sample_weight, values.shape[0], where)
        self.total += float(values.sum() if w is None else np.dot(values, w))
        self.count += float(values.shape[0] if w is None else w.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(SampleMean):
    """A per-sample function `fn(y_true, y_pred) -> values (N,)` turned into a streaming metric:
    the weighted mean of the values over every sample seen."""

    def __init__(self, fn, name: str | None = None, direction: str = "down") -> None:
        self.fn = fn
        self.direction = direction
        super().__init__(name or getattr(fn, "__name__", "metric"))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        where = f"{self.name}.update_state"
        t, p = as_array(y_true, where, "y_true"), as_array(y_pred, where, "y_pred")
        self._add(self.fn(t, p), sample_weight, where)

"""Classification metrics: accuracy, top-k accuracy, and the confusion-matrix family (precision,
recall, F1, the matrix itself).

Predictions arrive as the model produced them. The rule that turns them into class labels:

* `y_pred` of shape (N, C) with C > 1: scores (logits or probabilities) per class; the label is
  the argmax (softmax is monotone, so logits and probabilities give the same label);
* `y_pred` of shape (N,) or (N, 1): one score per sample for the positive class; the label is
  1 when the probability exceeds `threshold` (0.5), where the probability is σ(score) if
  `from_logits` else the score itself (Keras's BinaryAccuracy rule, `y_pred > threshold`);
* integer `y_pred`: already labels.

`y_true` holds integer labels of shape (N,) or (N, 1), or one-hot rows of shape (N, C).
The numbers equal scikit-learn's `accuracy_score`, `precision_score`, `recall_score`,
`f1_score`, `top_k_accuracy_score` and `confusion_matrix` on the same labels (tested).
"""

from __future__ import annotations

import numpy as np

from minidl.train.metrics.base import Metric, SampleMean, as_array, as_sample_weight


def true_labels(y_true, where: str) -> np.ndarray:
    """Integer labels (N,) from labels (N,), (N, 1) or one-hot rows (N, C)."""
    y = as_array(y_true, where, "y_true")
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.reshape(y.shape[0], -1) if y.ndim > 1 else y
    if y.ndim > 1 and y.shape[1] != 1:
        raise ValueError(f"{where}: `y_true` must be labels (N,) or one-hot (N, C); got {y.shape}")
    y = y.reshape(-1)
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise ValueError(
                f"{where}: `y_true` must hold integer class labels; received non-integer floats"
            )
    return y.astype(np.int64)


def predicted_labels(y_pred, threshold: float, from_logits: bool, where: str) -> np.ndarray:
    """Integer labels (N,) from scores, following the rule in the module docstring."""
    p = as_array(y_pred, where, "y_pred")
    if p.dtype.kind in "iub":
        return p.reshape(-1).astype(np.int64)
    if p.ndim == 2 and p.shape[1] > 1:
        return p.argmax(axis=1)
    if p.ndim > 2:
        raise ValueError(f"{where}: `y_pred` must be (N,), (N, 1) or (N, C); got {p.shape}")
    p = p.reshape(-1).astype(np.float64)
    if from_logits:
        p = 1.0 / (1.0 + np.exp(-p))
    return (p > threshold).astype(np.int64)


def _check_pair(t: np.ndarray, p: np.ndarray, where: str) -> None:
    if t.shape[0] != p.shape[0]:
        raise ValueError(
            f"{where}: y_true and y_pred must have the same number of samples; received "
            f"{t.shape[0]} and {p.shape[0]}"
        )


class Accuracy(SampleMean):
    """Fraction of samples whose predicted label equals the true label, Σ w_i [ŷ_i = y_i] / Σ w_i.

    Binary (one score per sample) or multiclass (a score per class); see the module docstring
    for how scores become labels. `metrics=["accuracy"]` creates one of these, with
    `from_logits` set from the trainer's loss (logits unless the loss is BCELoss).
    """

    name = "accuracy"
    direction = "up"

    def __init__(
        self, threshold: float = 0.5, from_logits: bool = False, name: str | None = None
    ) -> None:
        self.threshold, self.from_logits = float(threshold), bool(from_logits)
        super().__init__(name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        where = f"{type(self).__name__}.update_state"
        t = true_labels(y_true, where)
        p = predicted_labels(y_pred, self.threshold, self.from_logits, where)
        _check_pair(t, p, where)
        self._add(t == p, sample_weight, where)


class TopKCategoricalAccuracy(SampleMean):
    """Fraction of samples whose true class is among the k highest scores.

    A sample counts as correct when fewer than k classes score strictly higher than its true
    class (ties count in its favour, as Keras's `in_top_k`). `y_true` may be labels or one-hot.
    """

    name = "top_k_categorical_accuracy"
    direction = "up"

    def __init__(self, k: int = 5, name: str | None = None) -> None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(
                f"TopKCategoricalAccuracy: argument `k` must be an int >= 1; received {k!r}"
            )
        self.k = int(k)
        super().__init__(name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        where = "TopKCategoricalAccuracy.update_state"
        scores = as_array(y_pred, where, "y_pred")
        if scores.ndim != 2:
            raise ValueError(f"{where}: `y_pred` must be scores (N, C); received {scores.shape}")
        t = true_labels(y_true, where)
        _check_pair(t, scores, where)
        if t.size and (t.min() < 0 or t.max() >= scores.shape[1]):
            raise ValueError(
                f"{where}: labels must be in [0, {scores.shape[1]}); received {t.min()}..{t.max()}"
            )
        own = scores[np.arange(t.shape[0]), t][:, None]  # (N, 1): the true class's score
        self._add((scores > own).sum(axis=1) < self.k, sample_weight, where)


class ConfusionMatrix(Metric):
    """C[i, j] = (weighted) number of samples of true class i predicted as class j.

    Rows and columns are `range(num_classes)` when given, else the sorted labels seen in y_true
    or y_pred (scikit-learn's `confusion_matrix` convention). `result()` returns the matrix as a
    numpy array (int64 without sample weights).
    """

    name = "confusion_matrix"
    direction = "up"

    def __init__(
        self,
        num_classes: int | None = None,
        threshold: float = 0.5,
        from_logits: bool = False,
        name: str | None = None,
    ) -> None:
        if num_classes is not None and (
            isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1
        ):
            raise ValueError(
                f"{type(self).__name__}: argument `num_classes` must be an int >= 1 or None; "
                f"received {num_classes!r}"
            )
        self.num_classes = num_classes
        self.threshold, self.from_logits = float(threshold), bool(from_logits)
        super().__init__(name)

    def reset_state(self) -> None:
        # counts[i, j] grows as larger labels appear; `seen` marks labels met in either array
        self.counts = np.zeros((self.num_classes or 0,) * 2, dtype=np.float64)
        self.seen = np.zeros(self.num_classes or 0, dtype=bool)
        self.weighted = False

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        where = f"{type(self).__name__}.update_state"
        t = true_labels(y_true, where)
        p = predicted_labels(y_pred, self.threshold, self.from_logits, where)
        _check_pair(t, p, where)
        if t.size == 0:
            return
        low, high = min(t.min(), p.min()), max(t.max(), p.max())
        if low < 0 or (self.num_classes is not None and high >= self.num_classes):
            raise ValueError(
                f"{where}: labels must be in [0, {self.num_classes or 'inf'}); received "
                f"{low}..{high}"
            )
        k = self.counts.shape[0]
        if high >= k:  # a new, larger label: grow the matrix
            grown = np.zeros((high + 1, high + 1))
            grown[:k, :k] = self.counts
            self.counts = grown
            self.seen = np.concatenate([self.seen, np.zeros(high + 1 - k, dtype=bool)])
        w = as_sample_weight(sample_weight, t.shape[0], where)
        self.weighted |= w is not None
        np.add.at(self.counts, (t, p), 1.0 if w is None else w)
        self.seen[t] = True
        self.seen[p] = True

    def _labels(self) -> np.ndarray:
        if self.num_classes is not None:
            return np.arange(self.num_classes)
        return np.flatnonzero(self.seen)

    def result(self) -> np.ndarray:
        labels = self._labels()
        m = self.counts[np.ix_(labels, labels)]
        return m if self.weighted else m.astype(np.int64)


class _ConfusionScore(ConfusionMatrix):
    """Precision, recall and F1 from the accumulated confusion matrix, per class, then averaged.

    Per class k: tp = C[k, k], fp = Σ_i C[i, k] − tp, fn = Σ_j C[k, j] − tp.
    `average` (scikit-learn's): "binary" reports the positive class 1 (an error if more than two
    labels were seen); "micro" pools tp/fp/fn over classes; "macro" is the unweighted mean over
    the labels seen; "weighted" weights each class by its support (Σ_j C[k, j]); None returns
    the per-class array. A 0/0 is 0, as scikit-learn's `zero_division="warn"` returns.
    """

    def __init__(
        self,
        average: str | None = "binary",
        threshold: float = 0.5,
        from_logits: bool = False,
        num_classes: int | None = None,
        name: str | None = None,
    ) -> None:
        if average not in ("binary", "micro", "macro", "weighted", None):
            raise ValueError(
                f"{type(self).__name__}: argument `average` must be 'binary', 'micro', 'macro', "
                f"'weighted' or None; received {average!r}"
            )
        self.average = average
        super().__init__(num_classes, threshold, from_logits, name)

    @staticmethod
    def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)

    def _score(self, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def result(self):
        labels = self._labels()
        c = self.counts[np.ix_(labels, labels)]
        tp = np.diag(c)
        fp, fn = c.sum(axis=0) - tp, c.sum(axis=1) - tp
        if self.average == "binary":
            if len(labels) > 2 or (len(labels) and labels.max() > 1):
                raise ValueError(
                    f"{type(self).__name__}: the labels are multiclass ({labels.tolist()}) but "
                    "average='binary'; choose average='macro', 'micro' or 'weighted'"
                )
            pos = np.flatnonzero(labels == 1)
            if pos.size == 0:
                return 0.0
            return float(self._score(tp[pos], fp[pos], fn[pos])[0])
        if self.average == "micro":
            return float(
                self._score(tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True))[0]
            )
        per_class = self._score(tp, fp, fn)
        if self.average is None:
            return per_class
        if self.average == "macro":
            return float(per_class.mean()) if per_class.size else 0.0
        support = c.sum(axis=1)
        return float(np.dot(per_class, support) / support.sum()) if support.sum() else 0.0


class Precision(_ConfusionScore):
    """Precision = tp / (tp + fp): of the samples predicted positive, the fraction that are."""

    name = "precision"

    def _score(self, tp, fp, fn):
        return self._ratio(tp, tp + fp)


class Recall(_ConfusionScore):
    """Recall = tp / (tp + fn): of the positive samples, the fraction predicted positive."""

    name = "recall"

    def _score(self, tp, fp, fn):
        return self._ratio(tp, tp + fn)


class F1Score(_ConfusionScore):
    """F1 = 2·P·R / (P + R) = 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall."""

    name = "f1_score"

    def _score(self, tp, fp, fn):
        return self._ratio(2 * tp, 2 * tp + fp + fn)

"""AUC: the area under the ROC curve of a binary classifier, computed exactly.

Method (scikit-learn's `roc_auc_score`, not Keras's): keep every score and label seen, sort the
scores in decreasing order, and walk the distinct scores as thresholds. At each one the true-
positive rate TPR = TP / P and false-positive rate FPR = FP / N step up; the area is the
trapezoid sum  Σ (FPR_k − FPR_{k−1}) · (TPR_k + TPR_{k−1}) / 2.  Tied scores move both rates
in one step (a diagonal segment), which gives ties half credit. The result equals the
probability that a random positive scores above a random negative (plus half the ties).

Keras's `AUC` instead buckets scores into 200 fixed thresholds in [0, 1] (a Riemann sum over the
buckets), which is approximate and needs probabilities. The exact method costs O(n log n) at each
`result()` and memory for every score, so the trainer computes it once per epoch, not per batch.
Scores may be logits or probabilities: the ranking, hence the AUC, is the same.
"""

from __future__ import annotations

import numpy as np

from minidl.train.metrics.base import Metric, as_array, as_sample_weight
from minidl.train.metrics.classification import true_labels


def roc_curve_points(
    labels: np.ndarray, scores: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(FPR, TPR) at each distinct threshold, from (0, 0) up to (1, 1)."""
    order = np.argsort(-scores, kind="stable")
    s, y, w = scores[order], labels[order], weights[order]
    tp = np.cumsum(w * y)
    fp = np.cumsum(w * (1 - y))
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # one point per distinct score
    tp, fp = np.r_[0.0, tp[last_of_tie]], np.r_[0.0, fp[last_of_tie]]
    return fp / fp[-1], tp / tp[-1]


class AUC(Metric):
    """Area under the ROC curve (binary labels 0/1; scores (N,), (N, 1), or (N, 2) whose second
    column is the positive class). Undefined (NaN) until both classes have been seen."""

    name = "auc"
    direction = "up"
    cheap_result = False

    def reset_state(self) -> None:
        self._scores: list[np.ndarray] = []
        self._labels: list[np.ndarray] = []
        self._weights: list[np.ndarray] = []

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        where = "AUC.update_state"
        t = true_labels(y_true, where)
        s = as_array(y_pred, where, "y_pred").astype(np.float64)
        if s.ndim == 2 and s.shape[1] == 2:
            s = s[:, 1]
        s = s.reshape(-1)
        if s.shape[0] != t.shape[0]:
            raise ValueError(
                f"{where}: one score per sample expected; received {s.shape[0]} scores for "
                f"{t.shape[0]} labels"
            )
        if t.size and (t.min() < 0 or t.max() > 1):
            raise ValueError(f"{where}: AUC needs binary labels 0/1; received {np.unique(t)}")
        w = as_sample_weight(sample_weight, t.shape[0], where)
        self._scores.append(s)
        self._labels.append(t.astype(np.float64))
        self._weights.append(np.ones_like(s) if w is None else w)

    def result(self) -> float:
        if not self._scores:
            return float("nan")
        y = np.concatenate(self._labels)
        w = np.concatenate(self._weights)
        if np.dot(w, y) == 0 or np.dot(w, 1 - y) == 0:
            return float("nan")  # one class only: the ROC curve is undefined
        fpr, tpr = roc_curve_points(y, np.concatenate(self._scores), w)
        return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))

"""Regression metrics: mean squared and mean absolute error, as running weighted means.

Per sample i the error is averaged over its outputs (the last axes), e_i = mean_j (y_ij − ŷ_ij)²
(or |·|), and the metric is Σ w_i e_i / Σ w_i over every sample seen — Keras's definition, and
scikit-learn's `mean_squared_error` / `mean_absolute_error` (uniform average over outputs).
Targets of shape (N,) are compared with predictions of shape (N, 1) sample by sample.
"""

from __future__ import annotations

import numpy as np

from minidl.train.metrics.base import SampleMean, as_array


def _per_sample_error(y_true, y_pred, where: str, power: int) -> np.ndarray:
    t = as_array(y_true, where, "y_true").astype(np.float64)
    p = as_array(y_pred, where, "y_pred").astype(np.float64)
    if t.shape != p.shape:
        if t.size != p.size or t.shape[:1] != p.shape[:1]:
            raise ValueError(
                f"{where}: y_true and y_pred must have the same shape; received {t.shape} and "
                f"{p.shape}"
            )
        t = t.reshape(p.shape)  # (N,) against (N, 1)
    d = np.abs(t - p) if power == 1 else (t - p) ** 2
    return d.reshape(d.shape[0], -1).mean(axis=1) if d.ndim > 1 else d


class _MeanError(SampleMean):
    direction = "down"
    power = 2

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        where = f"{type(self).__name__}.update_state"
        self._add(_per_sample_error(y_true, y_pred, where, self.power), sample_weight, where)


class MeanSquaredError(_MeanError):
    """MSE = Σ_i w_i · mean_j (y_ij − ŷ_ij)² / Σ_i w_i."""

    name = "mean_squared_error"
    power = 2


class MeanAbsoluteError(_MeanError):
    """MAE = Σ_i w_i · mean_j |y_ij − ŷ_ij| / Σ_i w_i."""

    name = "mean_absolute_error"
    power = 1

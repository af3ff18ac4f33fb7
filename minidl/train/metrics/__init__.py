"""Streaming metrics (Keras's protocol: `update_state`, `result`, `reset_state`) and lookup by
name, so `Trainer(metrics=["accuracy", "mse"])` works as `model.compile(metrics=[...])` does.

The name a metric is asked for is the key it is logged under (History's "accuracy" and
"val_accuracy"); a Metric instance is logged under its `name`.
"""

from __future__ import annotations

from minidl.train.metrics.auc import AUC
from minidl.train.metrics.base import Mean, MeanMetricWrapper, Metric
from minidl.train.metrics.classification import (
    Accuracy,
    ConfusionMatrix,
    F1Score,
    Precision,
    Recall,
    TopKCategoricalAccuracy,
)
from minidl.train.metrics.regression import MeanAbsoluteError, MeanSquaredError

__all__ = [
    "AUC",
    "Accuracy",
    "ConfusionMatrix",
    "F1Score",
    "Mean",
    "MeanAbsoluteError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "Precision",
    "Recall",
    "TopKCategoricalAccuracy",
    "get",
]

# Keras's string identifiers (keras.metrics.get) -> our classes
_BY_NAME = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "binary_accuracy": Accuracy,  # Keras's specialised names: one Accuracy handles all three
    "categorical_accuracy": Accuracy,
    "sparse_categorical_accuracy": Accuracy,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "precision": Precision,
    "recall": Recall,
    "f1_score": F1Score,
    "f1": F1Score,
    "auc": AUC,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "confusion_matrix": ConfusionMatrix,
}
_TAKES_LOGITS = (Accuracy, ConfusionMatrix)  # classes with a from_logits argument


def get(identifier, from_logits: bool = False) -> Metric:
    """A fresh Metric from a Keras name ("accuracy", "mse", "auc", ...), a Metric class, a Metric
    instance (returned as is) or a function `fn(y_true, y_pred) -> per-sample values`.

    A name becomes the metric's `name` (the History key), as in Keras. `from_logits` is passed
    to metrics that turn scores into labels when they are created here from a name or class.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"metrics.get: unknown metric {identifier!r}; expected one of "
                f"{sorted(_BY_NAME)}, a Metric or a function (y_true, y_pred) -> values"
            )
        return _create(cls, from_logits, name=identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return _create(identifier, from_logits)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(
        f"metrics.get: a metric must be a name, a Metric or a function; received "
        f"{type(identifier).__name__}"
    )


def _create(cls: type, from_logits: bool, **kwargs) -> Metric:
    if issubclass(cls, _TAKES_LOGITS):
        kwargs["from_logits"] = from_logits
    return cls(**kwargs)

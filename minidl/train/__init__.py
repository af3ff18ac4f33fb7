"""Training, Keras's way, on minidl modules: `Trainer.fit/evaluate/predict`, `History`, callbacks,
streaming metrics, progress reports.

    from minidl.train import Trainer, EarlyStopping
    trainer = Trainer(model, nn.CrossEntropyLoss(), md.optim.Adam(model.parameters()),
                      metrics=["accuracy"])
    history = trainer.fit(x, y, epochs=50, validation_split=0.2,
                          callbacks=[EarlyStopping(patience=5, restore_best_weights=True)])

Where things are: `trainer.py` (the loop), `batching.py` (what fit is given -> batches),
`history.py`, `callbacks/` (one file per callback family), `metrics/`, `losses.py` and
`optimizers.py` (Keras's names), `progress.py`, `checkpoint.py` (resume bit for bit),
`lr_finder.py`, `plots.py`, `summary.py`, `sklearn.py` (NeuralNetClassifier/Regressor).

Imports go down only: train uses nn, optim (and data); nothing below imports train.
"""

from minidl.train import metrics
from minidl.train.callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    MonitorCallback,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from minidl.train.history import History
from minidl.train.losses import (
    LOSSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from minidl.train.lr_finder import LRRangeResult, lr_range_test
from minidl.train.optimizers import OPTIMIZERS
from minidl.train.plots import plot_history, plot_lr_range
from minidl.train.progress import ProgbarLogger
from minidl.train.summary import ModelSummary, summary
from minidl.train.trainer import NonFiniteLossError, Trainer

__all__ = [
    "BinaryCrossentropy", "CSVLogger", "Callback", "CallbackList", "CategoricalCrossentropy",
    "EarlyStopping", "History", "LOSSES", "LRRangeResult", "LambdaCallback",
    "LearningRateScheduler", "ModelCheckpoint", "ModelSummary", "MonitorCallback",
    "NeuralNetClassifier", "NeuralNetRegressor", "NonFiniteLossError", "OPTIMIZERS",
    "ProgbarLogger", "ReduceLROnPlateau", "SparseCategoricalCrossentropy", "TerminateOnNaN",
    "Trainer", "lr_range_test", "metrics", "plot_history", "plot_lr_range", "summary",
]  # fmt: skip


def __getattr__(name: str):
    # scikit-learn is imported only when its estimators are asked for (it is slow to import)
    if name in ("NeuralNetClassifier", "NeuralNetRegressor"):
        from minidl.train import sklearn

        return getattr(sklearn, name)
    raise AttributeError(f"module 'minidl.train' has no attribute {name!r}")

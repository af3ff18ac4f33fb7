"""Training, Keras's way, on minidl modules: `Trainer.fit/evaluate/predict`, `History`, callbacks,
streaming metrics, progress reports.

    from minidl.train import Trainer, EarlyStopping
    trainer = Trainer(model, nn.CrossEntropyLoss(), md.optim.Adam(model.parameters()),
                      metrics=["accuracy"])
    history = trainer.fit(x, y, epochs=50, validation_split=0.2,
                          callbacks=[EarlyStopping(patience=5, restore_best_weights=True)])

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
from minidl.train.lr_finder import LRRangeResult, lr_range_test
from minidl.train.plots import plot_history, plot_lr_range
from minidl.train.progress import ProgbarLogger
from minidl.train.summary import ModelSummary, summary
from minidl.train.trainer import LOSSES, NonFiniteLossError, Trainer


def __getattr__(name: str):
    # scikit-learn is imported only when its estimators are asked for (it is slow to import)
    if name in ("NeuralNetClassifier", "NeuralNetRegressor"):
        from minidl.train import sklearn

        return getattr(sklearn, name)
    raise AttributeError(f"module 'minidl.train' has no attribute {name!r}")

"""The callback protocol (Keras's): an object whose methods the training loop calls at each event.

    class PrintLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"], self.model.learning_rate)

`Trainer.fit` calls `set_model(trainer)` and `set_params({"epochs", "steps", "verbose"})` first,
so inside a callback `self.model` is the Trainer (with `.module`, `.optimizer`,
`.stop_training`, `get_weights()` / `set_weights()`), and `self.params` says how long the run is.
The events, in the order they fire, and what `logs` holds:

    on_train_begin(logs)                      once, before the first epoch
      on_epoch_begin(epoch, logs)             epoch counts from 0
        on_train_batch_begin(batch, logs)     batch counts from 0 within the epoch
        on_train_batch_end(batch, logs)       logs: running loss and metrics of the epoch so far
        on_test_begin / on_test_batch_* / on_test_end      validation, after the epoch's batches
      on_epoch_end(epoch, logs)               logs: loss, metrics, val_*, learning_rate
    on_train_end(logs)                        once, also after early stopping

`evaluate` fires the on_test_* events and `predict` the on_predict_* ones. A callback may set
`self.model.stop_training = True`; fit finishes the current batch (or epoch) and stops.
A callback whose state must survive a checkpoint implements `state_dict()` / `load_state_dict()`.
"""

from __future__ import annotations

from typing import Any


class Callback:
    """Base class of callbacks: every event method does nothing; override the ones you need."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model) -> None:
        """Called by fit/evaluate/predict with the Trainer."""
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """Called with {"epochs": ..., "steps": ..., "verbose": ...} before training."""
        self.params = params

    def on_train_begin(self, logs=None) -> None:
        """Once, before the first epoch."""

    def on_train_end(self, logs=None) -> None:
        """Once, after the last epoch (also after an early stop); logs: the last epoch's."""

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        """At the start of epoch `epoch` (0-based)."""

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """At the end of an epoch; logs: loss, metrics, val_*, learning_rate."""

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        """Before training step `batch` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs)  # Keras's older name for the same event

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        """After a training step; logs: the epoch's running loss and metrics."""
        self.on_batch_end(batch, logs)  # Keras's older name for the same event

    def on_batch_begin(self, batch: int, logs=None) -> None:
        """Keras's older name of on_train_batch_begin (called by it)."""

    def on_batch_end(self, batch: int, logs=None) -> None:
        """Keras's older name of on_train_batch_end (called by it)."""

    def on_test_begin(self, logs=None) -> None:
        """Before evaluating (validation in fit, or evaluate)."""

    def on_test_end(self, logs=None) -> None:
        """After evaluating; logs: the evaluation's loss and metrics."""

    def on_test_batch_begin(self, batch: int, logs=None) -> None:
        """Before an evaluation batch."""

    def on_test_batch_end(self, batch: int, logs=None) -> None:
        """After an evaluation batch; logs: running loss and metrics."""

    def on_predict_begin(self, logs=None) -> None:
        """Before predict's first batch."""

    def on_predict_end(self, logs=None) -> None:
        """After predict's last batch."""

    def on_predict_batch_begin(self, batch: int, logs=None) -> None:
        """Before a predict batch."""

    def on_predict_batch_end(self, batch: int, logs=None) -> None:
        """After a predict batch; logs: {"outputs": the batch's outputs}."""


class CallbackList:
    """Several callbacks called as one: `callbacks.on_epoch_end(epoch, logs)` calls each in order.

    Any event name works (`__getattr__` forwards it), so the training loop reads as a list of
    events and this class needs no method per event.
    """

    def __init__(self, callbacks=(), model=None, params: dict | None = None) -> None:
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"fit: every callback must be a minidl.train.Callback; received "
                    f"{type(cb).__name__}"
                )
            if model is not None:
                cb.set_model(model)
            if params is not None:
                cb.set_params(params)

    def __getattr__(self, event: str):
        if not event.startswith("on_"):
            raise AttributeError(event)

        # Keras always hands `logs` on (an empty dict when the loop has none), so callbacks
        # written as `lambda epoch, logs: ...` work
        arity = 2 if ("epoch" in event or "batch" in event) else 1

        def fire(*args) -> None:
            if len(args) < arity:
                args = (*args, {})
            for cb in self.callbacks:
                getattr(cb, event)(*args)

        self.__dict__[event] = fire  # found directly next time (fit calls these every batch)
        return fire

    def __iter__(self):
        return iter(self.callbacks)

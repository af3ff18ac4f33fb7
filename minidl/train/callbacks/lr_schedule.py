"""`LearningRateScheduler` and `ReduceLROnPlateau`: callbacks that set the optimizer's rate
(Keras's; for PyTorch-style schedulers pass `scheduler=` to the Trainer instead).

LearningRateScheduler: at the start of each epoch, lr ← schedule(epoch, lr) (or schedule(epoch)
for a one-argument function); the result must be a float.

ReduceLROnPlateau (Keras 3's rule). State: best, wait, cooldown_counter. At each epoch end with
the monitored value v (nothing happens, with a warning, if v is missing):

1. if in cooldown (cooldown_counter > 0): cooldown_counter −= 1 and wait = 0;
2. if v improves on best (by more than min_delta, see MonitorCallback): best = v, wait = 0;
3. else, if not in cooldown (counted after step 1): wait += 1, and when wait >= patience:
   if lr > min_lr (compared in float32), lr ← max(lr · factor, min_lr), then
   cooldown_counter = cooldown and wait = 0.
"""

from __future__ import annotations

import warnings

import numpy as np

from minidl.train.callbacks.base import Callback
from minidl.train.callbacks.monitor import MonitorCallback


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to `schedule(epoch, lr)`."""

    def __init__(self, schedule, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler: argument `schedule` must be callable")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        lr = self.model.learning_rate
        try:
            new_lr = self.schedule(epoch, lr)
        except TypeError:  # the older one-argument form schedule(epoch)
            new_lr = self.schedule(epoch)
        if not isinstance(new_lr, (float, np.floating)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {new_lr!r}"
            )
        self.model.learning_rate = float(new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new_lr}.")

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if logs is not None:
            logs.setdefault("learning_rate", self.model.learning_rate)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by `factor` when `monitor` stops improving (rule above).

    Args (Keras's defaults): monitor="val_loss", factor=0.1, patience=10, verbose=0,
    mode="auto", min_delta=1e-4, cooldown=0, min_lr=0.0.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """True while cooldown epochs remain after a cut."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs.setdefault("learning_rate", self.model.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = self.model.learning_rate
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.learning_rate = new_lr
                    if self.verbose > 0:
                        print(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                            f"{new_lr}."
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def state_dict(self) -> dict:
        """best, wait and cooldown_counter, for checkpoints."""
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict returned."""
        self.best = state["best"]
        self.wait = int(state["wait"])
        self.cooldown_counter = int(state["cooldown_counter"])

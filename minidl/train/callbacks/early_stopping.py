"""`EarlyStopping`: stop training when the monitored quantity has stopped improving (Keras 3).

State: `best` (the best value so far), `best_epoch`, `wait` (epochs since the last improvement
counted against patience), `stopped_epoch`, `best_weights`. At each epoch end, with the value v:

1. no value in the logs (a warning), or epoch < start_from_epoch (warm-up): do nothing at all —
   `wait` does not grow and nothing is recorded;
2. restore_best_weights and nothing recorded yet: record the current weights as the best;
3. wait += 1;
4. if v improves on `best` (see MonitorCallback): best = v, best_epoch = epoch, record the
   weights, and reset wait = 0 — but only if v also improves on `baseline` (when one is given);
   then return (an improving epoch never stops training);
5. otherwise, if wait >= patience and epoch > 0: stop (stopped_epoch = epoch).

At the end of training, with restore_best_weights, the best recorded weights are restored —
whether training stopped early or ran all its epochs (Keras 3; Keras 2 restored only on an early
stop). With `baseline`, `best` still starts empty: the first epoch sets it, but wait is reset only
by values that also beat the baseline, so training stops after `patience` epochs that never
beat it.
"""

from __future__ import annotations

import warnings

from minidl.train.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    Args (Keras's names and defaults): monitor="val_loss", min_delta=0, patience=0, verbose=0,
    mode="auto", baseline=None, restore_best_weights=False, start_from_epoch=0.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None) -> None:
        # a callback object may be reused across fit calls
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                best = self.best_epoch + 1
                print(f"Restoring model weights from the end of the best epoch: {best}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """logs[monitor], or None with a warning that lists what the logs have."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value

    def state_dict(self) -> dict:
        """What a checkpoint keeps so that a resumed run stops at the same epoch."""
        return {
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict returned (a resumed run continues the same count)."""
        self.wait = int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"])
        self.best = state["best"]
        self.best_epoch = int(state["best_epoch"])
        weights = state["best_weights"]
        self.best_weights = None if weights is None else [w.copy() for w in weights]

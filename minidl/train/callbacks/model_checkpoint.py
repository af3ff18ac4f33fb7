"""`ModelCheckpoint`: save the training state during `fit` (Keras 3's callback and decisions).

When. `save_freq="epoch"` (default): at every epoch end; an int n: every n batches (counted
across epochs). With `save_best_only`, only when `monitor` improves on the best value so far
(MonitorCallback's rule; `initial_value_threshold` is the starting best, not reset between
fits); a missing monitor warns and saves anyway, as Keras does.

Where. `filepath` is formatted with `epoch` (1-based) and the logs: "ckpt-{epoch:02d}-
{val_loss:.3f}.safetensors". Folders are created. Any extension is accepted (Keras insists on
".keras"/".weights.h5", its own formats; ours is safetensors, so ".safetensors" reads best).

What. A full Trainer checkpoint (`Trainer.save_checkpoint`: model, optimizer, scheduler, every
callback's state, History, every random generator), so `load_checkpoint` + `fit` resumes bit for
bit; or, with `save_weights_only`, just `model.state_dict()` — a plain safetensors file that
`safetensors.torch.load_file` reads as a PyTorch state dict. Epoch checkpoints are written after
every callback has seen the epoch (the Trainer writes them right after `on_epoch_end`), so the
saved callback states and History include that epoch.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from minidl.train.callbacks.monitor import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Save the model (or the whole training state) to `filepath` during training.

    Args (Keras's): filepath, monitor="val_loss", verbose=0, save_best_only=False,
    save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None.
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(
                f"ModelCheckpoint: argument `filepath` must be a path; received "
                f"{type(filepath).__name__}"
            )
        if save_freq != "epoch" and (
            isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1
        ):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' or "
                "integer values"
            )
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self._should_save_on_batch(batch):
            self._save(self._current_epoch, batch, logs, now=True)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save(epoch, None, logs, now=False)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch started: batches count from 0 again
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if isinstance(current, np.ndarray) and current.ndim > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                "Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from None

    def _save(self, epoch: int, batch: int | None, logs, now: bool) -> None:
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            )
        if not self._should_save(epoch, logs, filepath):
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        # epoch checkpoints wait until every callback has seen the epoch (the Trainer writes them
        # right after on_epoch_end); batch checkpoints are written now
        self.model.request_checkpoint(filepath, self.save_weights_only, now=now)

    def state_dict(self) -> dict:
        """The best value so far and the batch counters, for checkpoints."""
        return {
            "best": self.best,
            "batches_seen_since_last_saving": self._batches_seen_since_last_saving,
            "last_batch_seen": self._last_batch_seen,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict returned."""
        self.best = state["best"]
        self._batches_seen_since_last_saving = int(state["batches_seen_since_last_saving"])
        last = state["last_batch_seen"]
        self._last_batch_seen = None if last is None else int(last)

"""`Trainer`: Keras's `compile` + `fit` / `evaluate` / `predict` for a minidl (PyTorch-style) model.

    trainer = Trainer(model, nn.CrossEntropyLoss(), md.optim.Adam(model.parameters(), 1e-3),
                      metrics=["accuracy"])
    history = trainer.fit(x, y, epochs=20, batch_size=32, validation_split=0.2,
                          callbacks=[EarlyStopping(patience=3, restore_best_weights=True)])
    trainer.evaluate(x_test, y_test)          # [loss, accuracy], as Keras returns
    trainer.predict(x_test)                   # the model's outputs as a numpy array

`fit` is one loop, read top to bottom; every callback event is called where it happens. One step
is PyTorch's: forward, loss, `zero_grad`, `backward`, `optimizer.step()`. What follows Keras:

* the epoch's "loss" is the running mean of the batch losses weighted by batch size (Keras's
  loss tracker, a `Mean` updated with weight = the batch's sample count), so it is the mean
  over samples; metrics accumulate over the epoch the same way (see `minidl.train.metrics`);
  both are computed on the training-mode outputs of each step, as Keras's are;
* `validation_split` takes the LAST fraction of the arrays, before any shuffling; `shuffle`
  draws a new permutation every epoch from `generator` (default: `md.manual_seed`'s stream);
* `sample_weight` / `class_weight` (class index -> weight; not both) weight the loss:
  loss = Σ_i w_i ℓ_i / N over the N samples of the batch (Keras's "sum_over_batch_size");
  metrics stay unweighted (Keras's `metrics=`, not `weighted_metrics=`);
* the model is in training mode during the epoch's steps and in eval mode under `no_grad` for
  validation, `evaluate` and `predict`;
* a `scheduler` (any `minidl.optim.lr_scheduler`) is stepped after each epoch, after
  validation (or after each batch with `scheduler_interval="batch"`); ReduceLROnPlateau gets
  the epoch's `scheduler_monitor` value ("val_loss", or "loss" without validation);
* History has "loss", each metric's name, "val_" + each of those, and "learning_rate" (the rate
  the epoch trained with);
* a loss that is NaN or ±inf stops `fit` with a `NonFiniteLossError` saying where, unless a
  `TerminateOnNaN` callback is given (then Keras's softer rule: stop after that batch).

`save_checkpoint` / `load_checkpoint` (and the ModelCheckpoint callback) let a run stop and
continue bit for bit, in another process (see `minidl.train.checkpoint`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import numpy as np

from minidl import nn
from minidl.autograd import Tensor, no_grad
from minidl.optim import lr_scheduler
from minidl.optim.optimizer import Optimizer
from minidl.random import as_generator, default_generator
from minidl.train import metrics as metrics_module
from minidl.train.batching import (
    ArrayBatches,
    EpochPasses,
    LoaderBatches,
    as_array,
    fit_batches,
    is_loader,
    length,
    make_batches,
)
from minidl.train.callbacks.base import CallbackList
from minidl.train.callbacks.nan import TerminateOnNaN
from minidl.train.history import History
from minidl.train.losses import (
    looks_like_class_indices,
    outputs_are_probabilities,
    resolve_loss,
    takes_class_indices,
)
from minidl.train.optimizers import resolve_optimizer
from minidl.train.progress import ProgbarLogger, resolve_verbose


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite (raised by `Trainer.fit`)."""


class Trainer:
    """Train `model` with `loss` and `optimizer`, Keras-style.

    Args:
        model: a `minidl.nn.Module`; called on a batch of inputs, it returns the predictions.
        loss: a loss module or function `loss(y_pred, y_true) -> scalar Tensor` (PyTorch's
            argument order), or a Keras name ("sparse_categorical_crossentropy" on
            probabilities, "mse", ...; see `minidl.train.losses`), or "cross_entropy" (logits).
        optimizer: a `minidl.optim` optimizer over the model's parameters, or a Keras name
            ("adam", "sgd", "rmsprop", ...) for one with Keras's defaults (`train.optimizers`).
        metrics: names ("accuracy", "mse", "auc", ...), Metric classes or instances, or functions
            `fn(y_true, y_pred) -> per-sample values`; see `minidl.train.metrics.get`.
        scheduler: an optional `minidl.optim.lr_scheduler` scheduler over `optimizer`.
        scheduler_interval: "epoch" (default) or "batch": when the scheduler steps.
        scheduler_monitor: the logged quantity given to ReduceLROnPlateau's `step`.
        generator: numpy Generator or int seed for shuffling (default: `md.manual_seed`'s).

    Metrics asked for by name treat the model's outputs as logits (a binary output is positive
    when σ(score) > 0.5), unless the loss takes probabilities (`nn.BCELoss`, Keras's losses
    without from_logits); for other cases pass a metric object, e.g. `Accuracy(from_logits=False)`.

    Attributes callbacks use (`self.model` in a callback is this Trainer): `model`, `optimizer`,
    `scheduler`, `metrics`, `stop_training`, `history`, `learning_rate`, `get_weights()`,
    `set_weights()`.
    """

    def __init__(
        self,
        model: nn.Module,
        loss,
        optimizer: Optimizer | str,
        metrics: Iterable = (),
        scheduler=None,
        scheduler_interval: str = "epoch",
        scheduler_monitor: str = "val_loss",
        generator=None,
    ) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(
                f"Trainer: argument `model` must be a minidl.nn.Module; received "
                f"{type(model).__name__}"
            )
        if scheduler_interval not in ("epoch", "batch"):
            raise ValueError(
                f"Trainer: argument `scheduler_interval` must be 'epoch' or 'batch'; received "
                f"{scheduler_interval!r}"
            )
        optimizer = resolve_optimizer(optimizer, model)
        if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError(
                "Trainer: argument `scheduler` steps another optimizer than `optimizer`"
            )
        self.model = model
        self.loss = resolve_loss(loss)
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.scheduler_interval = scheduler_interval
        self.scheduler_monitor = scheduler_monitor
        self.generator = None if generator is None else as_generator(generator, "Trainer")
        if isinstance(metrics, (str, metrics_module.Metric)) or not isinstance(metrics, Iterable):
            raise TypeError(
                f"Trainer: argument `metrics` must be a list or tuple of metrics; received "
                f"{metrics!r} (write metrics=[{metrics!r}])"
            )
        from_logits = not outputs_are_probabilities(self.loss)
        self.metrics = [metrics_module.get(m, from_logits=from_logits) for m in metrics]
        names = [m.name for m in self.metrics]
        if len(set(names)) != len(names) or "loss" in names:
            raise ValueError(f"Trainer: metric names must be distinct and not 'loss'; got {names}")
        self._loss_tracker = metrics_module.Mean(name="loss")
        # the per-sample loss, for sample weights: a copy of the loss module with reduction "none"
        self._per_sample_loss = None
        if hasattr(self.loss, "reduction"):
            self._per_sample_loss = copy.copy(self.loss)
            object.__setattr__(self._per_sample_loss, "reduction", "none")
        self.stop_training = False
        self.history: History | None = None
        self._resume: dict | None = None  # set by load_checkpoint, applied by the next fit
        self._next_epoch = 0  # epochs done: the epoch a checkpoint resumes at
        self._data_sources: dict = {}  # the last fit's data, searched for random generators
        self._fit_callbacks: list = []  # the last fit's callbacks, whose state checkpoints keep
        self._requested: list = []  # ModelCheckpoint's requests, written after on_epoch_end

    def __repr__(self) -> str:
        loss = type(self.loss).__name__ if isinstance(self.loss, nn.Module) else repr(self.loss)
        return (
            f"Trainer(model={type(self.model).__name__}, loss={loss}, "
            f"optimizer={type(self.optimizer).__name__}(lr={self.learning_rate:g}), "
            f"metrics={[m.name for m in self.metrics]})"
        )

    # --- the training loop ------------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size: int = 32,
        epochs: int = 1,
        verbose="auto",
        callbacks=None,
        validation_split: float = 0.0,
        validation_data=None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        sample_weight=None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_freq=1,
    ) -> History:
        """Train for `epochs` epochs (Keras's `Model.fit`, same arguments); returns the History.

        `x`, `y`: arrays/Tensors with one row per sample, or `x` a DataLoader (any re-iterable
        of `(x, y)` or `(x, y, sample_weight)` batches) and `y` None. `validation_data`:
        `(x_val, y_val)`, `(x_val, y_val, w_val)` or a loader; it overrides `validation_split`.
        `validation_freq`: validate every that many epochs (an int) or at the listed epochs
        (1-based). `initial_epoch`: the epoch to start counting from (resuming a run);
        after `load_checkpoint`, fit starts from the checkpoint's epoch. `steps_per_epoch`: cap
        the batches per epoch; the pass over the data then continues in the next epoch.
        """
        verbose = resolve_verbose(verbose, "fit")
        _check_int("fit", "batch_size", batch_size, 1)
        _check_int("fit", "epochs", epochs, 0)
        _check_int("fit", "initial_epoch", initial_epoch, 0)
        if steps_per_epoch is not None:
            _check_int("fit", "steps_per_epoch", steps_per_epoch, 1)
        _check_validation_freq(validation_freq)
        train_batches, val_batches = fit_batches(
            x, y, batch_size, validation_split, validation_data, shuffle, class_weight,
            sample_weight, self._shuffle_generator, self._float_dtype(),
        )  # fmt: skip
        steps = steps_per_epoch or length(train_batches)
        callback_list, history = self._callback_list(callbacks, verbose, epochs, steps)
        self.history = history
        self._data_sources = {"train": x, "val": validation_data}
        self._fit_callbacks = callback_list.callbacks
        soft_nan = any(isinstance(cb, TerminateOnNaN) for cb in callback_list)
        passes = EpochPasses(train_batches, steps_per_epoch)
        self.stop_training = False
        epoch_logs: dict = {}
        last_finite = None  # (loss, epoch, batch) of the last finite batch loss, for the error

        callback_list.on_train_begin()
        initial_epoch = self._apply_resume(callback_list) or initial_epoch
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            callback_list.on_epoch_begin(epoch)
            self.model.train()
            learning_rate = self.learning_rate  # the rate of this epoch (after on_epoch_begin)
            for batch, (xb, yb, wb) in enumerate(passes.epoch()):
                callback_list.on_train_batch_begin(batch)
                loss, y_pred = self._forward_loss(xb, yb, wb)
                loss_value = loss.item()
                if not math.isfinite(loss_value) and not soft_nan:
                    raise self._non_finite(loss_value, last_finite, epoch, epochs, batch, steps)
                last_finite = (loss_value, epoch, batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                if self.scheduler is not None and self.scheduler_interval == "batch":
                    self.scheduler.step()
                self._update_metrics(loss_value, yb, y_pred)
                callback_list.on_train_batch_end(batch, self._logs(per_batch=True))
                if self.stop_training:
                    break
            epoch_logs = self._logs()
            if val_batches is not None and _should_validate(epoch, validation_freq):
                val_logs = self._evaluate_batches(val_batches, callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            epoch_logs["learning_rate"] = learning_rate
            if self.scheduler is not None and self.scheduler_interval == "epoch":
                self._step_scheduler(epoch_logs)
            callback_list.on_epoch_end(epoch, epoch_logs)
            self._next_epoch = epoch + 1
            self._write_requested_checkpoints()  # ModelCheckpoint's, now that all saw the epoch
            if self.stop_training:
                break
        callback_list.on_train_end(epoch_logs)
        return history

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size: int = 32,
        verbose="auto",
        sample_weight=None,
        return_dict: bool = False,
        callbacks=None,
    ):
        """Loss and metrics on (x, y) in eval mode under `no_grad` (Keras's `Model.evaluate`).

        Returns the loss alone when there are no metrics, else `[loss, metric, ...]` in the
        order of `metrics`; with `return_dict=True`, `{"loss": ..., name: ...}`. Loss and
        metrics are means over samples, as in `fit`. `verbose` 1 or 2 prints one line.
        """
        verbose = resolve_verbose(verbose, "evaluate")
        _check_int("evaluate", "batch_size", batch_size, 1)
        batches = make_batches(
            x, y, sample_weight, batch_size, "evaluate", float_dtype=self._float_dtype()
        )
        callback_list = CallbackList(callbacks or [], model=self, params={"verbose": verbose})
        logs = self._evaluate_batches(batches, callback_list)
        if verbose:
            from minidl.train.progress import format_logs

            print(format_logs(logs), flush=True)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int = 32, verbose=0, callbacks=None) -> np.ndarray:
        """The model's outputs on `x` (arrays, a Tensor or a loader), batch by batch in eval mode
        under `no_grad`, concatenated into one numpy array (Keras's `Model.predict`)."""
        resolve_verbose(verbose, "predict")
        _check_int("predict", "batch_size", batch_size, 1)
        if is_loader(x):
            batches = LoaderBatches(x, "predict")
        else:
            xa = as_array(x, "predict", "x", self._float_dtype())
            batches = ArrayBatches(xa, None, None, batch_size, False, None)
        callback_list = CallbackList(callbacks or [], model=self)
        outputs = []
        was_training = self.model.training
        self.model.eval()
        callback_list.on_predict_begin()
        with no_grad():
            for batch, (xb, _, _) in enumerate(batches):
                callback_list.on_predict_batch_begin(batch)
                outputs.append(self.model(_as_input(xb)).data)
                callback_list.on_predict_batch_end(batch, {"outputs": outputs[-1]})
        callback_list.on_predict_end()
        self.model.train(was_training)
        if not outputs:
            raise ValueError("predict: argument `x` holds no samples")
        return np.concatenate(outputs, axis=0)

    def _callback_list(self, callbacks, verbose: int, epochs: int, steps):
        """The fit's callbacks, with a History and (verbose) a progress bar added at the end
        unless given (Keras's order), each told about the trainer and the run."""
        callbacks = list(callbacks or [])
        history = next((cb for cb in callbacks if isinstance(cb, History)), None)
        if history is None:
            history = History()
            callbacks.append(history)
        if verbose and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
            callbacks.append(ProgbarLogger(verbose))
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        return CallbackList(callbacks, model=self, params=params), history

    # --- one step and its bookkeeping -------------------------------------------------------------
    def _forward_loss(self, xb, yb, wb) -> tuple[Tensor, Tensor]:
        """(loss, predictions) of one batch; weighted: Σ w_i ℓ_i / N (Keras)."""
        y_pred = self.model(_as_input(xb))
        if yb is None:
            raise ValueError("fit: the data have no targets `y`; a loss needs them")
        target = self._target(yb, y_pred)
        if wb is None:
            return self.loss(y_pred, target), y_pred
        if self._per_sample_loss is None:
            raise TypeError(
                "fit: sample_weight/class_weight need a loss with a `reduction` argument (a "
                "minidl.nn loss module), to get one loss per sample"
            )
        per_sample = self._per_sample_loss(y_pred, target)  # (N, ...) unreduced
        n = per_sample.shape[0]
        if per_sample.ndim > 1:
            per_sample = per_sample.reshape(n, -1).mean(axis=1)  # mean over outputs, as Keras
        w = wb.data if isinstance(wb, Tensor) else np.asarray(wb)
        return (per_sample * Tensor(w.astype(per_sample.dtype).reshape(n))).sum() / n, y_pred

    def _target(self, yb, y_pred: Tensor) -> Tensor:
        """Targets as the loss expects them: class indices stay integer (for the losses known to
        take them, and for integer targets shaped like class indices); other losses get floats of
        the prediction's dtype, and (N,) targets are matched to (N, 1) outputs."""
        y = yb.data if isinstance(yb, Tensor) else np.asarray(yb)
        if takes_class_indices(self.loss) or looks_like_class_indices(y, y_pred.shape):
            return Tensor._wrap(y)
        if y.dtype != y_pred.dtype and y_pred.dtype.kind == "f":
            y = y.astype(y_pred.dtype)
        if y.shape != y_pred.shape and y.size == y_pred.data.size:
            y = y.reshape(y_pred.shape)
        return Tensor._wrap(y)

    def _reset_metrics(self) -> None:
        self._loss_tracker.reset_state()
        for m in self.metrics:
            m.reset_state()

    def _update_metrics(self, loss_value: float, yb, y_pred: Tensor) -> None:
        y = yb.data if isinstance(yb, Tensor) else yb
        self._loss_tracker.update_state(loss_value, sample_weight=len(y))
        for m in self.metrics:
            m.update_state(y, y_pred.data)

    def _logs(self, per_batch: bool = False) -> dict:
        """{"loss": running mean, name: result, ...}; per batch, expensive metrics are skipped."""
        logs = {"loss": self._loss_tracker.result()}
        for m in self.metrics:
            if m.cheap_result or not per_batch:
                logs[m.name] = m.result()
        return logs

    def _evaluate_batches(self, batches, callback_list) -> dict:
        self._reset_metrics()
        was_training = self.model.training
        self.model.eval()
        callback_list.on_test_begin()
        with no_grad():
            for batch, (xb, yb, wb) in enumerate(batches):
                callback_list.on_test_batch_begin(batch)
                loss, y_pred = self._forward_loss(xb, yb, wb)
                self._update_metrics(loss.item(), yb, y_pred)
                callback_list.on_test_batch_end(batch, self._logs(per_batch=True))
        logs = self._logs()
        callback_list.on_test_end(logs)
        self.model.train(was_training)
        return logs

    def _step_scheduler(self, logs: dict) -> None:
        if isinstance(self.scheduler, lr_scheduler.ReduceLROnPlateau):
            key = self.scheduler_monitor if self.scheduler_monitor in logs else "loss"
            self.scheduler.step(logs[key])
        else:
            self.scheduler.step()

    def _non_finite(self, value, last_finite, epoch, epochs, batch, steps) -> NonFiniteLossError:
        if last_finite is None:
            last = "none (the very first batch)"
        else:
            last = f"{last_finite[0]:.6g} at epoch {last_finite[1] + 1}, batch {last_finite[2] + 1}"
        return NonFiniteLossError(
            f"fit: the training loss became {value} at epoch {epoch + 1}/{epochs}, batch "
            f"{batch + 1}/{steps if steps is not None else '?'} (0-based: epoch {epoch}, batch "
            f"{batch}). Last finite loss: {last}; learning rate {self.learning_rate:g}. "
            "Usual causes: a learning rate too high (try 10x smaller), log of zero or division "
            "by zero in the loss (use a loss on logits, e.g. nn.CrossEntropyLoss / "
            "nn.BCEWithLogitsLoss), exploding gradients (try nn.utils.clip_grad_norm_), or "
            "NaN/inf in the input data. Weights are those before this batch. Pass "
            "callbacks=[TerminateOnNaN()] to stop quietly instead."
        )

    # --- data -----------------------------------------------------------------------------------
    def _float_dtype(self):
        """The dtype of the model's first floating-point parameter (None: the default)."""
        for p in self.model.parameters():
            if p.data.dtype.kind == "f":
                return p.data.dtype
        return None

    def _shuffle_generator(self) -> np.random.Generator:
        return self.generator if self.generator is not None else default_generator()

    # --- weights, learning rate, checkpoints ------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The optimizer's learning rate (of its first parameter group)."""
        return float(self.optimizer.param_groups[0]["lr"])

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = float(value)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter and buffer, in `state_dict` order (Keras's get_weights)."""
        return [t.data.copy() for t in self.model.state_dict().values()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Copy `weights` (from `get_weights`) back into the model, in place."""
        own = self.model.state_dict()
        if len(weights) != len(own):
            raise ValueError(
                f"set_weights: expected {len(own)} arrays (one per state_dict entry); received "
                f"{len(weights)}"
            )
        self.model.load_state_dict(dict(zip(own, weights)))

    def save_checkpoint(self, path) -> None:
        """Write everything needed to resume training bit for bit to `path` (one safetensors
        file via `md.save`, atomic): model, optimizer, scheduler, the last fit's callbacks'
        state, History, epochs done, and every random generator. See `minidl.train.checkpoint`."""
        from minidl.train.checkpoint import save_checkpoint

        save_checkpoint(self, path, self._fit_callbacks)

    def load_checkpoint(self, path) -> None:
        """Restore a `save_checkpoint` file: model, optimizer and scheduler now; History,
        callback states, random generators and the epoch to start from when `fit` next runs
        (so `fit(..., epochs=N)` continues the run up to epoch N)."""
        from minidl.train.checkpoint import load_checkpoint

        load_checkpoint(self, path)

    def request_checkpoint(self, path: str, weights_only: bool, now: bool = False) -> None:
        """How ModelCheckpoint saves: `now`, or queued until every callback has seen the epoch."""
        if now:
            self._write_checkpoint(path, weights_only)
        else:
            self._requested.append((path, weights_only))

    def _write_requested_checkpoints(self) -> None:
        requested, self._requested = self._requested, []
        for path, weights_only in requested:
            self._write_checkpoint(path, weights_only)

    def _write_checkpoint(self, path: str, weights_only: bool) -> None:
        if weights_only:
            from minidl.serialization import save

            save(self.model.state_dict(), path)
        else:
            self.save_checkpoint(path)

    def _apply_resume(self, callback_list) -> int:
        """Restore what load_checkpoint read (callback states, History): the epoch to start at."""
        if self._resume is None:
            return 0
        from minidl.train.checkpoint import apply_fit_state

        state, self._resume = self._resume, None
        return apply_fit_state(self, callback_list, state)


def _as_input(xb) -> Tensor:
    if isinstance(xb, Tensor):
        return xb
    return Tensor._wrap(np.asarray(xb))


def _check_int(where: str, name: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{where}: argument `{name}` must be an int >= {low}; received {value!r}")


def _check_validation_freq(freq) -> None:
    if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool):
        if freq < 1:
            raise ValueError(f"fit: argument `validation_freq` must be >= 1; received {freq}")
    elif not isinstance(freq, (list, tuple, set, range)):
        raise ValueError(
            "fit: argument `validation_freq` must be an int or a collection of epochs; received "
            f"{freq!r}"
        )


def _should_validate(epoch: int, freq) -> bool:
    """Keras: every `freq` epochs for an int, else at the listed 1-based epochs."""
    if isinstance(freq, (int, np.integer)):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq

"""Every callback's decisions on scripted sequences of logs, derived by hand from Keras 3's rules
(keras/src/callbacks/*.py). Each assertion names the rule it encodes.

A stub stands in for the Trainer: its "weights" are the epoch number, so restored weights say
which epoch they came from.
"""

import csv
import math
import warnings

import numpy as np
import pytest

from minidl.train import (
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from minidl.train.metrics import Accuracy, MeanSquaredError


class StubTrainer:
    def __init__(self, metrics=(), lr=1.0):
        self.stop_training = False
        self.metrics = list(metrics)
        self.learning_rate = lr
        self.weights_epoch = None

    def get_weights(self):
        return [np.array(self.weights_epoch)]

    def set_weights(self, weights):
        self.weights_epoch = int(weights[0])


def run(cb, values, monitor="val_loss", model=None):
    """Feed cb one epoch per value, as fit does; returns (epochs run, model)."""
    model = model or StubTrainer()
    cb.set_model(model)
    cb.on_train_begin({})
    ran = 0
    for epoch, v in enumerate(values):
        model.weights_epoch = epoch
        cb.on_epoch_begin(epoch, {})
        cb.on_epoch_end(epoch, {monitor: v})
        ran += 1
        if model.stop_training:
            break
    cb.on_train_end({})
    return ran, model


# --- EarlyStopping ---------------------------------------------------------------------------


def test_early_stopping_patience_counts_epochs_without_improvement():
    # Rule: wait += 1 every epoch, reset to 0 on improvement; stop when wait >= patience.
    # best 1.0 at epoch 1; epochs 2, 3 do not improve -> wait 2 >= 2 at epoch 3 -> 4 epochs run.
    cb = EarlyStopping(patience=2)
    ran, _ = run(cb, [2.0, 1.0, 1.5, 1.2, 0.5, 0.1])
    assert ran == 4 and cb.stopped_epoch == 3 and cb.best == 1.0 and cb.best_epoch == 1


def test_early_stopping_patience_zero_never_stops_at_epoch_zero():
    # Rule: stop needs `epoch > 0`; patience 0 stops at the first non-improving epoch.
    cb = EarlyStopping(patience=0)
    assert run(cb, [1.0, 1.0, 0.5])[0] == 2


def test_early_stopping_min_delta_sign_follows_mode():
    # Rule: mode min improves when v < best - |min_delta|; mode max when v > best + |min_delta|.
    # min: 1.0 -> 0.95 is a change of 0.05 < 0.1: not an improvement -> stop at epoch 1.
    assert run(EarlyStopping(min_delta=-0.1), [1.0, 0.95, 0.5])[0] == 2
    # max: 0.5 -> 0.7 beats 0.5 + 0.1 -> improvement; 0.75 does not -> stop at epoch 2.
    cb = EarlyStopping(monitor="val_acc", mode="max", min_delta=0.1)
    assert run(cb, [0.5, 0.7, 0.75, 0.9], monitor="val_acc")[0] == 3 and cb.best == 0.7


def test_early_stopping_equal_value_is_not_an_improvement():
    # Rule: the comparison is strict (less / greater).
    assert run(EarlyStopping(patience=1), [1.0, 1.0, 1.0])[0] == 2


def test_early_stopping_start_from_epoch_skips_warmup_entirely():
    # Rule: for epoch < start_from_epoch nothing happens, wait does not grow, best is not set.
    cb = EarlyStopping(patience=1, start_from_epoch=3)
    ran, _ = run(cb, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # epoch 3: first seen (best 4.0, wait 0); epoch 4: wait 1 >= 1 -> stop.
    assert ran == 5 and cb.best == 4.0 and cb.best_epoch == 3


def test_early_stopping_baseline_resets_wait_only_when_beaten():
    # Rule: best starts empty even with a baseline; an improvement on best resets wait only if
    # it also beats the baseline, and an improving epoch never stops training.
    cb = EarlyStopping(patience=2, baseline=0.5)
    ran, _ = run(cb, [1.0, 0.9, 0.95, 0.96, 0.4, 0.3])
    # e0: best 1.0, wait 1 (not reset); e1: improves, wait 2, returns (no stop check);
    # e2: wait 3 >= 2 -> stop.
    assert ran == 3 and cb.best == 0.9
    cb = EarlyStopping(patience=2, baseline=0.5)
    ran, _ = run(cb, [0.4, 0.45, 0.46, 0.2])  # beats the baseline at once: like no baseline
    assert ran == 3 and cb.best == 0.4


def test_early_stopping_restores_best_weights_at_train_end_even_without_stopping():
    # Keras 3 rule: on_train_end restores best_weights whenever restore_best_weights is set.
    cb = EarlyStopping(patience=10, restore_best_weights=True)
    ran, model = run(cb, [3.0, 1.0, 2.0, 2.5])
    assert ran == 4 and model.weights_epoch == 1
    cb = EarlyStopping(patience=1, restore_best_weights=True)
    ran, model = run(cb, [3.0, 1.0, 2.0, 0.5])
    assert ran == 3 and model.weights_epoch == 1  # stopped at epoch 2, weights of epoch 1


def test_early_stopping_missing_monitor_warns_and_does_nothing():
    cb = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="not available"):
        ran, _ = run(cb, [1.0, 2.0, 3.0], monitor="loss")
    assert ran == 3


def test_mode_auto_reads_the_metric_direction_and_refuses_unknown_names():
    # Rule: "loss"/"val_loss" -> min; a metric of the model -> its direction; else an error.
    up = StubTrainer(metrics=[Accuracy()])
    cb = EarlyStopping(monitor="val_accuracy", patience=0)
    assert run(cb, [0.5, 0.6, 0.55], monitor="val_accuracy", model=up)[0] == 3
    down = StubTrainer(metrics=[MeanSquaredError(name="mse")])
    assert run(EarlyStopping(monitor="mse"), [1.0, 1.1], monitor="mse", model=down)[0] == 2
    with pytest.raises(ValueError, match="mode='max'"):
        run(EarlyStopping(monitor="val_fancy"), [1.0], monitor="val_fancy")
    with pytest.warns(UserWarning, match="unknown"):
        EarlyStopping(mode="bigger")


# --- ReduceLROnPlateau -------------------------------------------------------------------------


def lr_trace(cb, values, lr=1.0):
    model = StubTrainer(lr=lr)
    cb.set_model(model)
    cb.on_train_begin({})
    trace = []
    for epoch, v in enumerate(values):
        cb.on_epoch_end(epoch, {"val_loss": v})
        trace.append(model.learning_rate)
    return trace


def test_reduce_lr_after_patience_epochs_without_improvement():
    # Rule: wait += 1 on no improvement; when wait >= patience, lr *= factor and wait = 0.
    trace = lr_trace(ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 1.0, 1.0, 1.0, 1.0])
    assert trace == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_reduce_lr_min_delta_default_is_1e_4():
    # Rule: improvement needs v < best - 1e-4 by default; 0.99995 is not one.
    trace = lr_trace(ReduceLROnPlateau(factor=0.5, patience=1), [1.0, 0.99995, 0.5])
    assert trace == [1.0, 0.5, 0.5]


def test_reduce_lr_cooldown_and_min_lr():
    # Rule: after a cut, cooldown epochs reset wait and do not count; lr never goes below
    # min_lr.
    cb = ReduceLROnPlateau(factor=0.1, patience=1, cooldown=2, min_lr=0.005)
    trace = lr_trace(cb, [1.0] * 8)
    # e1: cut to 0.1 (cooldown 2); e2: cooldown 2->1; e3: 1->0, and the check runs after the
    # decrement, so e3 is no longer in cooldown: wait 1 -> cut to 0.01; e4: 2->1; e5: cut to
    # max(0.001, min_lr) = 0.005; e6: cooldown; e7: wait 1, but lr > float32(min_lr) is False
    # (the Python float is compared in float32), so nothing is cut and no cooldown restarts.
    assert trace == pytest.approx([1.0, 0.1, 0.1, 0.01, 0.01, 0.005, 0.005, 0.005])
    assert cb.cooldown_counter == 0 and cb.wait == 1


def test_reduce_lr_improvement_during_cooldown_updates_best():
    cb = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=1)
    trace = lr_trace(cb, [1.0, 1.0, 0.5, 0.6, 0.7])
    # e1: cut (0.5); e2: cooldown 1->0, improves (best 0.5); e3: wait 1 -> cut (0.25);
    # e4: cooldown 1->0 and wait 0, no improvement, not in cooldown now -> wait 1 -> cut.
    assert trace == [1.0, 0.5, 0.5, 0.25, 0.125]


def test_reduce_lr_rejects_factor_ge_one():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)


# --- LearningRateScheduler, TerminateOnNaN, LambdaCallback, CSVLogger -----------------------------


def test_learning_rate_scheduler_sets_lr_at_epoch_begin():
    model = StubTrainer(lr=0.1)
    cb = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch >= 2 else lr)
    cb.set_model(model)
    seen = []
    for epoch in range(4):
        cb.on_epoch_begin(epoch, {})
        seen.append(model.learning_rate)
    assert seen == pytest.approx([0.1, 0.1, 0.05, 0.025])
    one_arg = LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))  # Keras's old form
    one_arg.set_model(model)
    one_arg.on_epoch_begin(2, {})
    assert model.learning_rate == pytest.approx(0.03)
    bad = LearningRateScheduler(lambda epoch, lr: "fast")
    bad.set_model(model)
    with pytest.raises(ValueError, match="float"):
        bad.on_epoch_begin(0, {})


def test_terminate_on_nan_sets_stop_training_on_nan_or_inf(capsys):
    for bad in (math.nan, math.inf):
        model = StubTrainer()
        cb = TerminateOnNaN()
        cb.set_model(model)
        cb.on_train_batch_end(0, {"loss": 1.0})
        assert not model.stop_training
        cb.on_train_batch_end(1, {"loss": bad})
        assert model.stop_training
    assert "Batch 1: Invalid loss" in capsys.readouterr().out
    strict = TerminateOnNaN(raise_error=True)
    strict.set_model(StubTrainer())
    with pytest.raises(RuntimeError, match="batch 3"):
        strict.on_train_batch_end(3, {"loss": math.nan})


def test_lambda_callback_binds_events():
    calls = []
    cb = LambdaCallback(on_epoch_end=lambda e, logs: calls.append(("end", e)),
                        on_batch_end=lambda b, logs: calls.append(("batch", b)))  # fmt: skip
    cb.on_epoch_end(3, {})
    cb.on_train_batch_end(1, {})
    assert calls == [("end", 3), ("batch", 1)]
    with pytest.raises(ValueError, match="unknown event"):
        LambdaCallback(on_epoch_ending=print)


def test_csv_logger_writes_keras_columns(tmp_path):
    # Rule: columns are epoch + sorted first-epoch keys; with no val_ key, val_ columns are added
    # and filled with NA; append=True continues a file without repeating the header.
    path = tmp_path / "log.csv"
    cb = CSVLogger(path)
    cb.on_train_begin({})
    cb.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    cb.on_epoch_end(1, {"loss": 0.25, "accuracy": 0.875})
    cb.on_train_end({})
    again = CSVLogger(path, append=True)
    again.on_train_begin({})
    again.on_epoch_end(2, {"loss": 0.125, "accuracy": 0.9})
    again.on_train_end({})
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1] == ["0", "0.75", "0.5", "NA", "NA"]
    assert rows[3] == ["2", "0.9", "0.125", "NA", "NA"] and len(rows) == 4
    semi = CSVLogger(tmp_path / "s.csv", separator=";")
    semi.on_train_begin({})
    semi.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    semi.on_train_end({})
    assert open(tmp_path / "s.csv").read().splitlines() == ["epoch;loss;val_loss", "0;1.0;2.0"]


def test_no_warnings_from_a_clean_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(EarlyStopping(patience=1), [1.0, 0.5, 0.7])

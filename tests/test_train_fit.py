"""Trainer.fit / evaluate / predict: Keras's semantics on minidl modules.

Each test states the rule it checks; numbers come from closed forms or from a hand-written
PyTorch-style loop over the same batches, never typed in.
"""

import math

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl import nn
from minidl.train import (
    EarlyStopping,
    LambdaCallback,
    NonFiniteLossError,
    TerminateOnNaN,
    Trainer,
)


def blobs(n=90, d=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.standard_normal((n, d)).astype(np.float32) + y[:, None].astype(np.float32)
    return x, y.astype(np.int64)


def mlp(seed=0, d=4, classes=3):
    md.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 8), nn.ReLU(), nn.Linear(8, classes))


def make_trainer(lr=0.05, metrics=("accuracy",), seed=0, **kw):
    model = mlp(seed)
    return Trainer(model, nn.CrossEntropyLoss(), md.optim.SGD(model.parameters(), lr=lr),
                   metrics=list(metrics), **kw)  # fmt: skip


def full_loss(model, x, y) -> float:
    with md.no_grad():
        return F.cross_entropy(model(md.tensor(x)), md.tensor(y)).item()


def test_fit_equals_hand_written_loop_bit_for_bit():
    """fit's step is forward, loss, zero_grad, backward, step over batches of a per-epoch
    permutation drawn from the trainer's generator: the same loop by hand gives the same bits."""
    x, y = blobs()
    trainer = make_trainer(generator=7)
    trainer.fit(x, y, batch_size=16, epochs=3, verbose=0)

    model = mlp(0)
    opt = md.optim.SGD(model.parameters(), lr=0.05)
    rng = np.random.default_rng(7)
    for _ in range(3):
        order = rng.permutation(len(x))
        for s in range(0, len(x), 16):
            idx = order[s : s + 16]
            loss = F.cross_entropy(model(md.tensor(x[idx])), md.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    for a, b in zip(trainer.model.parameters(), model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_epoch_loss_is_the_mean_over_samples_when_the_last_batch_is_smaller():
    """Keras's loss tracker weights each batch's mean loss by its size: with lr=0 (weights
    frozen) the epoch loss is the loss of the whole data set, though 90 = 4*20 + 10."""
    x, y = blobs()
    trainer = make_trainer(lr=0.0)
    h = trainer.fit(x, y, batch_size=20, epochs=1, verbose=0, shuffle=False)
    assert h.history["loss"][0] == pytest.approx(full_loss(trainer.model, x, y), rel=1e-6)


def test_validation_split_takes_the_last_fraction_before_shuffling():
    """Keras: split_at = floor(n (1 - v)); the rows from split_at on are the validation set,
    and the last epoch's val_loss is the loss of the final weights on exactly those rows."""
    x, y = blobs(n=50)
    trainer = make_trainer()
    h = trainer.fit(x, y, batch_size=8, epochs=2, validation_split=0.3, verbose=0)
    split_at = math.floor(50 * 0.7)
    loss, acc = trainer.evaluate(x[split_at:], y[split_at:], verbose=0)
    assert h.history["val_loss"][-1] == pytest.approx(loss, rel=1e-6)
    assert h.history["val_accuracy"][-1] == pytest.approx(acc)
    assert h.params["steps"] == math.ceil(split_at / 8)  # training saw only the first 35 rows


def test_history_has_keras_keys_and_epochs():
    x, y = blobs()
    h = make_trainer().fit(x, y, epochs=3, validation_data=(x[:20], y[:20]), verbose=0)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"]
    assert h.epoch == [0, 1, 2]
    assert all(len(v) == 3 for v in h.history.values())
    assert h.history["learning_rate"] == [pytest.approx(0.05)] * 3
    assert h.params == {"verbose": 0, "epochs": 3, "steps": math.ceil(90 / 32)}


def test_validation_freq_int_and_list():
    """Keras: validate when (epoch + 1) % freq == 0, or when epoch + 1 is in the list."""
    x, y = blobs()
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda e, logs: seen.append("val_loss" in logs))
    make_trainer().fit(x, y, epochs=4, validation_split=0.2, validation_freq=2, verbose=0,
                       callbacks=[cb])  # fmt: skip
    assert seen == [False, True, False, True]
    seen.clear()
    make_trainer().fit(x, y, epochs=4, validation_split=0.2, validation_freq=[1, 4], verbose=0,
                       callbacks=[cb])  # fmt: skip
    assert seen == [True, False, False, True]


def test_evaluate_return_conventions():
    """Keras: loss alone without metrics; [loss, *metrics] with them; a dict on request."""
    x, y = blobs()
    trainer = make_trainer()
    loss, acc = trainer.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(full_loss(trainer.model, x, y), rel=1e-6)
    pred = trainer.predict(x).argmax(axis=1)
    assert acc == pytest.approx(np.mean(pred == y))
    assert trainer.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": acc}
    bare = make_trainer(metrics=())
    assert isinstance(bare.evaluate(x, y, verbose=0), float)


def test_sample_weight_and_class_weight_weight_the_loss_as_keras():
    """Keras's weighted loss of a batch is Σ w_i ℓ_i / N ("sum_over_batch_size"); class_weight
    gives sample i the weight of its class. With lr=0 and one batch, the epoch loss is that."""
    x, y = blobs()
    w = np.random.default_rng(1).random(len(x)).astype(np.float32)
    trainer = make_trainer(lr=0.0)
    h = trainer.fit(x, y, batch_size=len(x), sample_weight=w, verbose=0)
    with md.no_grad():
        per = F.cross_entropy(trainer.model(md.tensor(x)), md.tensor(y), reduction="none").data
    assert h.history["loss"][0] == pytest.approx(float(np.sum(w * per) / len(x)), rel=1e-5)

    cw = {0: 0.5, 1: 2.0, 2: 1.0}
    h2 = make_trainer(lr=0.0).fit(x, y, batch_size=len(x), class_weight=cw, verbose=0)
    expected = np.sum(np.array([cw[c] for c in y]) * per) / len(x)
    assert h2.history["loss"][0] == pytest.approx(float(expected), rel=1e-5)
    with pytest.raises(ValueError, match="class_weight"):
        make_trainer().fit(x, y, class_weight=cw, sample_weight=w, verbose=0)


def test_train_mode_in_epoch_and_eval_mode_no_grad_elsewhere():
    x, y = blobs()
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    modes = []

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = model

        def forward(self, t):
            modes.append((self.training, md.is_grad_enabled()))
            return self.inner(t)

    trainer = Trainer(Spy(), nn.CrossEntropyLoss(), md.optim.SGD(model.parameters(), lr=0.1))
    trainer.fit(x, y, batch_size=45, epochs=1, validation_split=0.5, verbose=0)
    assert modes == [(True, True), (False, False)]  # one training batch, one validation batch
    modes.clear()
    a, b = trainer.predict(x), trainer.predict(x)
    np.testing.assert_array_equal(a, b)  # dropout off
    assert set(modes) == {(False, False)}


def test_non_finite_loss_raises_with_where_and_why():
    """The default: stop at the first non-finite batch loss, before its update, saying where."""
    x, y = blobs()
    x[50] = np.nan  # batch index 1 with batch_size 32 and shuffle off
    trainer = make_trainer()
    with pytest.raises(NonFiniteLossError) as info:
        trainer.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    msg = str(info.value)
    assert "epoch 1/3" in msg and "batch 2/3" in msg and "learning rate 0.05" in msg
    assert "Last finite loss: " in msg and "at epoch 1, batch 1" in msg and "clip" in msg
    assert all(np.isfinite(p.data).all() for p in trainer.model.parameters())


def test_terminate_on_nan_stops_after_the_batch_as_keras():
    x, y = blobs()
    x[50] = np.nan
    trainer = make_trainer()
    batches = []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    h = trainer.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0,
                    callbacks=[TerminateOnNaN(), cb])  # fmt: skip
    assert batches == [0, 1] and h.epoch == [0] and math.isnan(h.history["loss"][0])


def test_early_stopping_inside_fit_restores_best_weights():
    """EarlyStopping stops `fit` and restores the weights of the best epoch (Keras 3)."""
    x, y = blobs()
    trainer = make_trainer(lr=0.5)
    snapshots = []
    cb = LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(trainer.get_weights()))
    stop = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    h = trainer.fit(x, y, epochs=40, validation_data=(x, y), verbose=0, callbacks=[cb, stop])
    losses = h.history["val_loss"]
    best = int(np.argmin(losses))
    assert len(losses) < 40 and len(losses) == best + 2  # patience 1: one epoch after the best
    for a, b in zip(trainer.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(a, b)


def test_regression_metrics_by_name_and_target_shapes():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.1  # float64, shape (N,)
    md.manual_seed(0)
    model = nn.Linear(3, 1)
    trainer = Trainer(
        model, "mse", md.optim.SGD(model.parameters(), lr=0.0), metrics=["mse", "mae"]
    )
    h = trainer.fit(x, y, batch_size=64, verbose=0)
    pred = trainer.predict(x)[:, 0]
    assert h.history["mse"][0] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    assert h.history["loss"][0] == pytest.approx(h.history["mse"][0], rel=1e-5)
    assert h.history["mae"][0] == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-5)


def test_fit_accepts_a_reiterable_of_batches():
    x, y = blobs()
    batches = [(md.tensor(x[i : i + 30]), md.tensor(y[i : i + 30])) for i in range(0, 90, 30)]
    trainer = make_trainer(lr=0.0)
    h = trainer.fit(batches, epochs=2, validation_data=batches, verbose=0)
    assert h.params["steps"] == 3
    assert h.history["loss"][0] == pytest.approx(full_loss(trainer.model, x, y), rel=1e-6)
    assert h.history["val_loss"][1] == pytest.approx(h.history["loss"][1], rel=1e-6)


def test_steps_per_epoch_continues_the_pass_as_keras():
    """Keras's EpochIterator: with steps_per_epoch=2 over 3 batches, epoch 1 takes batches 0-1,
    epoch 2 batch 2 only (the pass ran out: a warning), epoch 3 starts a new pass."""
    x, y = blobs()
    batches = [(x[i : i + 30], y[i : i + 30]) for i in range(0, 90, 30)]
    seen = []
    cb = LambdaCallback(on_train_batch_begin=lambda b, logs: seen.append(b))
    marks = LambdaCallback(on_epoch_begin=lambda e, logs: seen.append("|"))
    with pytest.warns(UserWarning, match="ran out of data"):
        make_trainer().fit(batches, epochs=3, steps_per_epoch=2, verbose=0, callbacks=[marks, cb])
    assert seen == ["|", 0, 1, "|", 0, "|", 0, 1]


def test_verbose_two_prints_one_line_per_epoch(capsys):
    x, y = blobs()
    make_trainer().fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2") and "\r" not in lines[0]
    assert "loss: " in lines[1] and "accuracy: " in lines[1]
    make_trainer().fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"epochs": -1}, "epochs"),
        ({"validation_split": 1.0}, "validation_split"),
        ({"verbose": 3}, "verbose"),
        ({"validation_data": (1,)}, "validation_data"),
        ({"validation_freq": 0}, "validation_freq"),
    ],
)
def test_bad_fit_arguments_are_named(kwargs, match):
    x, y = blobs()
    with pytest.raises((ValueError, TypeError), match=match):
        make_trainer().fit(x, y, **kwargs)


def test_bad_constructor_arguments_are_named():
    model = mlp()
    opt = md.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="model"):
        Trainer("net", nn.CrossEntropyLoss(), opt)
    with pytest.raises(TypeError, match="optimizer"):
        Trainer(model, nn.CrossEntropyLoss(), object())
    with pytest.raises(ValueError, match="unknown optimizer"):
        Trainer(model, nn.CrossEntropyLoss(), "adamm")
    with pytest.raises(ValueError, match="unknown loss"):
        Trainer(model, "crossentropy", opt)
    with pytest.raises(ValueError, match="unknown metric"):
        Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["acuracy"])
    with pytest.raises(TypeError, match="metrics"):
        Trainer(model, nn.CrossEntropyLoss(), opt, metrics="accuracy")
    with pytest.raises(ValueError, match="x` and `y"):
        Trainer(model, nn.CrossEntropyLoss(), opt).fit(np.zeros((4, 4)), np.zeros(3), verbose=0)


def test_scheduler_steps_per_epoch_by_default_and_per_batch_when_asked():
    """History's learning_rate is the rate each epoch trained with; StepLR(1, 0.5) halves it
    after every epoch, or after every batch with scheduler_interval="batch"."""
    x, y = blobs()  # 90 samples, batch 30: 3 batches per epoch
    model = mlp()
    opt = md.optim.SGD(model.parameters(), lr=0.8)
    sched = md.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched).fit(
        x, y, batch_size=30, epochs=3, verbose=0
    )
    assert h.history["learning_rate"] == pytest.approx([0.8, 0.4, 0.2])
    model = mlp()
    opt = md.optim.SGD(model.parameters(), lr=0.8)
    sched = md.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    trainer = Trainer(
        model, nn.CrossEntropyLoss(), opt, scheduler=sched, scheduler_interval="batch"
    )
    h = trainer.fit(x, y, batch_size=30, epochs=2, verbose=0)
    assert h.history["learning_rate"] == pytest.approx([0.8, 0.8 * 0.5**3])
    assert trainer.learning_rate == pytest.approx(0.8 * 0.5**6)


def test_reduce_lr_on_plateau_scheduler_gets_the_monitored_value():
    x, y = blobs()
    seen = []

    class Spy(md.optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics):
            seen.append(metrics)
            super().step(metrics)

    model = mlp()
    opt = md.optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=Spy(opt))
    h = trainer.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert seen == h.history["val_loss"]
    seen.clear()
    h = trainer.fit(x, y, epochs=2, verbose=0)  # no validation: the training loss
    assert seen == h.history["loss"]


def test_a_history_given_in_callbacks_is_the_one_returned():
    from minidl.train import History

    x, y = blobs()
    mine = History()
    h = make_trainer().fit(x, y, epochs=2, verbose=0, callbacks=[mine])
    assert h is mine and mine.epoch == [0, 1]


def test_fit_on_a_minidl_dataloader():
    from minidl.data import DataLoader, TensorDataset

    x, y = blobs()
    loader = DataLoader(TensorDataset(md.tensor(x), md.tensor(y)), batch_size=20, shuffle=True,
                        generator=0)  # fmt: skip
    trainer = make_trainer(lr=0.0)
    h = trainer.fit(loader, epochs=2, validation_data=loader, verbose=0)
    assert h.params["steps"] == len(loader) == 5
    assert h.history["loss"][0] == pytest.approx(full_loss(trainer.model, x, y), rel=1e-6)
    with pytest.raises(ValueError, match="validation_split"):
        trainer.fit(loader, validation_split=0.2, verbose=0)


def test_ragged_input_is_refused_clearly():
    with pytest.raises(TypeError, match="not one array"):
        make_trainer().fit((np.zeros((4, 4)), np.zeros((4, 2))), np.zeros(4), verbose=0)


def test_float64_model_trains_on_float64_inputs():
    """Floating inputs are cast to the model's dtype (float32 by default, float64 here)."""
    x, y = blobs()
    model = mlp().double()
    trainer = Trainer(model, nn.CrossEntropyLoss(), md.optim.SGD(model.parameters(), lr=0.1))
    trainer.fit(x.astype(np.float64), y, epochs=1, verbose=0)
    assert trainer.predict(x).dtype == np.float64
    assert all(p.data.dtype == np.float64 for p in model.parameters())


def test_every_event_fires_in_keras_order():
    """fit: train_begin, (epoch_begin, batches, test_* for validation, epoch_end)*, train_end;
    evaluate fires the test events, predict the predict events."""
    x, y = blobs(n=40)
    events = []

    def log(name):
        return lambda *args: events.append(name)

    names = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
             "on_predict_batch_begin", "on_predict_batch_end"]  # fmt: skip
    cb = LambdaCallback(**{n: log(n.removeprefix("on_")) for n in names})
    trainer = make_trainer()
    trainer.fit(x, y, batch_size=20, epochs=1, validation_split=0.5, verbose=0, callbacks=[cb])
    assert events == [
        "train_begin", "epoch_begin", "train_batch_begin", "train_batch_end",
        "test_begin", "test_batch_begin", "test_batch_end", "test_end", "epoch_end", "train_end",
    ]  # fmt: skip
    events.clear()
    trainer.evaluate(x, y, batch_size=20, verbose=0, callbacks=[cb])
    assert events == ["test_begin"] + ["test_batch_begin", "test_batch_end"] * 2 + ["test_end"]
    events.clear()
    trainer.predict(x, batch_size=40, callbacks=[cb])
    assert events == ["predict_begin", "predict_batch_begin", "predict_batch_end", "predict_end"]


def test_verbose_auto_is_a_bar_on_a_terminal(monkeypatch):
    from minidl.train.progress import resolve_verbose

    class Terminal:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdout", Terminal())
    assert resolve_verbose("auto", "fit") == 1


def test_keras_probability_losses_match_their_formulas():
    """Keras's names take probabilities: −log p_y, −Σ t log p, −[t log p + (1−t) log(1−p)],
    with p clipped to [1e-7, 1 − 1e-7]; and "adam" is Adam with Keras's defaults."""
    from minidl.train import BinaryCrossentropy, CategoricalCrossentropy
    from minidl.train import SparseCategoricalCrossentropy as SCCE

    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=6).astype(np.float32)
    p[0] = [1.0, 0.0, 0.0, 0.0]  # an exact zero: clipped, not log(0)
    y = np.array([1, 2, 3, 0, 1, 2])
    clipped = np.clip(p / p.sum(1, keepdims=True), 1e-7, 1 - 1e-7)
    expected = -np.log(clipped[np.arange(6), y])
    assert SCCE(reduction="none")(md.tensor(p), y).data == pytest.approx(expected, rel=1e-5)
    assert SCCE()(md.tensor(p), y).item() == pytest.approx(expected.mean(), rel=1e-5)
    assert CategoricalCrossentropy()(md.tensor(p), np.eye(4)[y]).item() == pytest.approx(expected.mean(), rel=1e-5)  # fmt: skip
    logits = rng.standard_normal((6, 4)).astype(np.float32)
    assert SCCE(from_logits=True)(md.tensor(logits), y).item() == pytest.approx(
        F.cross_entropy(md.tensor(logits), md.tensor(y)).item(), rel=1e-5
    )
    q = rng.random((6, 1)).astype(np.float32)
    t = rng.integers(0, 2, 6).astype(np.float32)
    qc = np.clip(q[:, 0], 1e-7, 1 - 1e-7)
    bce = -(t * np.log(qc) + (1 - t) * np.log(1 - qc))
    assert BinaryCrossentropy()(md.tensor(q), t).item() == pytest.approx(bce.mean(), rel=1e-5)
    trainer = Trainer(mlp(), "sparse_categorical_crossentropy", "adam", metrics=["accuracy"])
    group = trainer.optimizer.param_groups[0]
    assert (
        type(trainer.optimizer).__name__ == "Adam" and group["lr"] == 1e-3 and group["eps"] == 1e-7
    )
    assert trainer.metrics[0].from_logits is False  # the outputs are probabilities


def test_keras_losses_gradcheck():
    from minidl.testing import gradcheck
    from minidl.train import BinaryCrossentropy, CategoricalCrossentropy
    from minidl.train import SparseCategoricalCrossentropy as SCCE

    rng = np.random.default_rng(1)
    p = md.tensor(rng.uniform(0.1, 1.0, (5, 3)), dtype=md.float64, requires_grad=True)
    y = rng.integers(0, 3, 5)
    q = md.tensor(rng.uniform(0.05, 0.95, (5, 2)), dtype=md.float64, requires_grad=True)
    t = rng.random((5, 2))
    assert gradcheck(lambda a: SCCE()(a, y), (p,))
    assert gradcheck(lambda a: CategoricalCrossentropy()(a, np.eye(3)[y]), (p,))
    assert gradcheck(lambda a: SCCE(from_logits=True)(a, y), (p,))
    assert gradcheck(lambda a: BinaryCrossentropy()(a, t), (q,))
    assert gradcheck(lambda a: BinaryCrossentropy(from_logits=True)(a, t), (q,))


def test_a_dataset_must_come_in_a_dataloader():
    from minidl.data import TensorDataset

    x, y = blobs()
    with pytest.raises(TypeError, match="DataLoader"):
        make_trainer().fit(TensorDataset(md.tensor(x), md.tensor(y)), verbose=0)


def test_repr_names_the_parts():
    text = repr(make_trainer())
    assert text == "Trainer(model=Sequential, loss=CrossEntropyLoss, optimizer=SGD(lr=0.05), metrics=['accuracy'])"  # fmt: skip


@pytest.mark.parametrize(
    "loss",
    [F.cross_entropy, lambda out, target: F.cross_entropy(out, target)],
    ids=["F.cross_entropy", "a custom function"],
)
def test_class_index_targets_reach_any_loss_as_integers(loss):
    """A PyTorch user passes F.cross_entropy, or a function of their own, as the loss: integer
    targets shaped like class indices must reach it as they are (not cast to float), and training
    must match nn.CrossEntropyLoss's bit for bit."""
    x, y = blobs()
    histories = []
    for chosen in (nn.CrossEntropyLoss(), loss):
        model = mlp()
        trainer = Trainer(model, chosen, md.optim.SGD(model.parameters(), lr=0.05), generator=0)
        histories.append(trainer.fit(x, y, epochs=2, batch_size=16, verbose=0).history["loss"])
    assert histories[0] == histories[1]


def test_integer_targets_for_one_output_still_become_floats():
    """Integer regression targets (N,) for (N, 1) outputs are not class indices: MSE gets floats."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3)).astype(np.float32)
    y = rng.integers(0, 5, 40)
    seen = []

    def mse(out, target):
        seen.append((target.dtype, target.shape))
        return F.mse_loss(out, target)

    md.manual_seed(0)
    model = nn.Linear(3, 1)
    Trainer(model, mse, md.optim.SGD(model.parameters(), lr=0.01)).fit(x, y, epochs=1, verbose=0)
    assert seen and all(dtype == np.float32 and shape[1:] == (1,) for dtype, shape in seen)

"""lr_range_test, plots, summary and progress reports."""

import io
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minidl as md
from minidl import nn
from minidl.train import (
    ProgbarLogger,
    Trainer,
    lr_range_test,
    plot_history,
    plot_lr_range,
    summary,
)
from minidl.train.checkpoint import _all_generators

ROOT = Path(__file__).resolve().parent.parent


def digits_like(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    x = rng.standard_normal((n, 8)).astype(np.float32) + y[:, None]
    return x, y


def adam_trainer(metrics=()):
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 4))
    sched_opt = md.optim.Adam(model.parameters(), lr=1e-3)
    sched = md.optim.lr_scheduler.StepLR(sched_opt, step_size=2)
    return Trainer(model, nn.CrossEntropyLoss(), sched_opt, metrics=metrics, scheduler=sched)


def test_lr_range_test_follows_smiths_schedule_and_restores_everything():
    x, y = digits_like()
    trainer = adam_trainer()
    trainer.fit(x, y, epochs=1, verbose=0)  # Adam has moments and step counts now
    weights = trainer.get_weights()
    opt_state = trainer.optimizer.state_dict()
    rng_states = {p: g.bit_generator.state for p, g in _all_generators(trainer).items()}
    trainer.model.eval()

    r = lr_range_test(trainer, x, y, start_lr=1e-5, end_lr=1.0, num_iter=30, batch_size=20)
    n = len(r.lrs)
    # lr_i = start (end/start)^(i/(num_iter-1))
    np.testing.assert_allclose(r.lrs, [1e-5 * (1e5) ** (i / 29) for i in range(n)], rtol=1e-12)
    # debiased EMA of the raw losses
    avg = 0.0
    for i, (raw, smoothed) in enumerate(zip(r.raw_losses, r.losses)):
        avg = 0.98 * avg + 0.02 * raw
        assert smoothed == pytest.approx(avg / (1 - 0.98 ** (i + 1)), rel=1e-12)
    assert r.lrs[0] <= r.suggested_lr <= r.lrs[-1]
    assert r.lr_min == pytest.approx(r.lrs[int(np.argmin(r.losses))] / 10)

    for a, b in zip(trainer.get_weights(), weights):
        np.testing.assert_array_equal(a, b)  # bit-identical weights after the test
    after = trainer.optimizer.state_dict()
    assert after["param_groups"] == opt_state["param_groups"]
    for k, state in opt_state["state"].items():
        for name, value in state.items():
            np.testing.assert_array_equal(after["state"][k][name], value)
    assert {p: g.bit_generator.state for p, g in _all_generators(trainer).items()} == rng_states
    assert trainer.model.training is False  # mode restored too


def test_lr_range_test_stops_when_the_loss_diverges():
    x, y = digits_like()
    trainer = adam_trainer()
    r = lr_range_test(trainer, x, y, start_lr=1e-4, end_lr=1e4, num_iter=100)
    assert len(r.lrs) < 100
    assert r.losses[-1] > 4 * min(r.losses) or not math.isfinite(r.losses[-1])
    with pytest.raises(ValueError, match="start_lr"):
        lr_range_test(trainer, x, y, start_lr=1.0, end_lr=0.1)


def test_plot_history_labels_legend_and_best_epoch():
    x, y = digits_like()
    trainer = adam_trainer(metrics=["accuracy"])
    h = trainer.fit(x, y, epochs=4, validation_split=0.25, verbose=0)
    fig = plot_history(h, metrics=("loss", "accuracy", "auc"))  # absent "auc" is skipped
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss"
    labels = [t.get_text() for t in loss_ax.get_legend().get_texts()]
    best = int(np.argmin(h.history["val_loss"])) + 1
    assert labels[:2] == ["training loss", "validation loss"]
    assert labels[2].startswith(f"best validation: epoch {best} ")
    best_acc = int(np.argmax(h.history["val_accuracy"])) + 1
    assert f"epoch {best_acc} " in [t.get_text() for t in acc_ax.get_legend().get_texts()][2]
    with pytest.raises(ValueError, match="none of"):
        plot_history(h, metrics=("f1",))


def test_plot_lr_range_marks_the_suggestion():
    x, y = digits_like()
    r = lr_range_test(adam_trainer(), x, y, num_iter=20)
    fig = plot_lr_range(r)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and "learning rate" in ax.get_xlabel()
    assert any("suggested lr" in t.get_text() for t in ax.get_legend().get_texts())


def test_matplotlib_and_sklearn_are_not_imported_by_training():
    code = (
        "import sys, minidl; before = set(sys.modules); import minidl.train; "
        "new = set(sys.modules) - before; "
        "print(any(m.split('.')[0] in ('matplotlib', 'sklearn') for m in new))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False"]


def test_summary_counts_match_the_parameter_arithmetic():
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6 * 14 * 14, 10),
    )  # fmt: skip
    model[5].weight.requires_grad = False  # a frozen layer: its weights are non-trainable
    s = summary(model, (1, 28, 28), print_summary=False)
    assert [r.type for r in s.rows] == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
        "Flatten",
        "Linear",
    ]
    assert [r.output_shape for r in s.rows] == [
        (None, 6, 28, 28), (None, 6, 28, 28), (None, 6, 28, 28), (None, 6, 14, 14),
        (None, 1176), (None, 10),
    ]  # fmt: skip
    # conv: out·in·k·k + out; BN: 2·C (γ, β); linear: in·out + out
    assert [r.params for r in s.rows] == [6 * 1 * 25 + 6, 2 * 6, 0, 0, 0, 1176 * 10 + 10]
    assert s.total_params == 156 + 12 + 11770
    assert s.non_trainable_params == 11760 and s.trainable_params == 156 + 12 + 10
    assert s.buffer_elements == 2 * 6  # running mean and variance (Keras's extra 2·C)
    text = str(s)
    assert "Total params: 11,938" in text and "(None, 6, 14, 14)" in text
    assert model.training  # training mode put back
    assert all("forward" not in vars(m) for m in model.modules())  # no wrapper left behind


def test_summary_rejects_bad_shapes():
    with pytest.raises(ValueError, match="input_shape"):
        summary(nn.Linear(3, 2), (0, 3))


def test_progress_bar_and_auto_verbosity():
    x, y = digits_like(n=64)
    out = io.StringIO()
    trainer = adam_trainer()
    trainer.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[ProgbarLogger(1, file=out)])
    text = out.getvalue()
    assert "Epoch 1/2" in text and "Epoch 2/2" in text and "4/4" in text and "loss: " in text
    from minidl.train.progress import resolve_verbose

    assert resolve_verbose("auto", "fit") == 2  # pytest's captured stdout is not a terminal

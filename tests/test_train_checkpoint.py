"""Trainer checkpoints: resume is bit-identical, in a new process, also after a kill.

The script below trains a small MLP with two Dropout layers (one drawing from minidl's default
generator, one from its own), a StepLR schedule, EarlyStopping and ModelCheckpoint, on arrays
(the Trainer shuffles) or on a DataLoader (the loader shuffles, a transform adds noise from its
own generator). Each run is a fresh process.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import minidl as md
from minidl import nn
from minidl.train import EarlyStopping, ModelCheckpoint, Trainer

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys
    import numpy as np
    import minidl as md
    from minidl import nn
    from minidl.train import EarlyStopping, LambdaCallback, ModelCheckpoint, Trainer

    mode, data, out, ckpt = sys.argv[1:5]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1).astype(np.int64)
    md.manual_seed(3)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 16),
                          nn.ReLU(), nn.Dropout(0.2, generator=11), nn.Linear(16, 3))
    opt = md.optim.Adam(model.parameters(), lr=0.01)
    sched = md.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["accuracy"], scheduler=sched)
    callbacks = [EarlyStopping(monitor="val_loss", patience=10),
                 ModelCheckpoint(os.path.join(os.path.dirname(ckpt), "e{epoch}.ckpt"))]
    if data == "loader":  # shuffled by the loader's generator, augmented by the transform's
        from minidl.data import DataLoader, TensorDataset, TransformDataset

        class Noise:
            def __init__(self):
                self.generator = np.random.default_rng(7)

            def __call__(self, sample):
                noise = self.generator.normal(0, 0.1, sample.shape).astype(np.float32)
                return sample + md.tensor(noise)

        data_set = TransformDataset(TensorDataset(md.tensor(x[:90]), md.tensor(y[:90])), Noise())
        loader = DataLoader(data_set, batch_size=16, shuffle=True, generator=5)
        fit = lambda **kw: trainer.fit(loader, validation_data=(x[90:], y[90:]), verbose=0, **kw)
    else:
        fit = lambda **kw: trainer.fit(x, y, batch_size=16, validation_split=0.25, verbose=0, **kw)
    if mode == "kill":  # die in the middle of epoch 3, after epoch 2's checkpoint was written
        def die(batch, logs):
            if trainer._next_epoch == 2 and batch == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        callbacks.append(LambdaCallback(on_train_batch_end=die))
    if mode in ("resume", "kill-resume"):
        trainer.load_checkpoint(ckpt)
        if mode == "kill-resume":
            callbacks.append(LambdaCallback())
    history = fit(epochs=2 if mode == "first" else 4, callbacks=callbacks)
    if mode == "first":
        trainer.save_checkpoint(ckpt)
    np.savez(out + ".npz", *trainer.get_weights())
    with open(out + ".json", "w") as f:
        json.dump({"history": history.history, "epoch": history.epoch}, f)
    """
)


def run(tmp_path, *args, check=True):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, check=check
    )


def result(prefix):
    weights = np.load(f"{prefix}.npz")
    return [weights[k] for k in weights.files], json.loads(Path(f"{prefix}.json").read_text())


def assert_same(a, b):
    (wa, ha), (wb, hb) = a, b
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)
    assert ha == hb  # every logged float bit for bit (JSON keeps repr-exact floats)


@pytest.mark.parametrize("data", ["arrays", "loader"])
def test_resume_in_a_new_process_is_bit_identical(tmp_path, data):
    ckpt = str(tmp_path / "run.ckpt")
    run(tmp_path, "full", data, str(tmp_path / "full"), str(tmp_path / "unused.ckpt"))
    run(tmp_path, "first", data, str(tmp_path / "first"), ckpt)
    run(tmp_path, "resume", data, str(tmp_path / "resumed"), ckpt)
    full, resumed = result(tmp_path / "full"), result(tmp_path / "resumed")
    assert_same(full, resumed)
    assert resumed[1]["epoch"] == [0, 1, 2, 3] and len(resumed[1]["history"]["loss"]) == 4
    if data == "loader":  # every generator of the run was in the checkpoint
        rng = md.load(ckpt)["rng"]
        assert {"default", "model._modules.5.generator"} <= set(rng)
        assert any(p.endswith("transform.generator") for p in rng)
        assert any(p.endswith("generator") and p.startswith("data.train") for p in rng)
    lrs = resumed[1]["history"]["learning_rate"]
    assert lrs == pytest.approx([0.01 * 0.7**k for k in range(4)])  # the schedule resumed too


def test_resume_after_the_process_is_killed_mid_training(tmp_path):
    ckpt = tmp_path / "e2.ckpt"
    killed = run(
        tmp_path, "kill", "arrays", str(tmp_path / "dead"), str(tmp_path / "x"), check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert ckpt.exists() and not (tmp_path / "e3.ckpt").exists()
    assert not list(tmp_path.glob("*.tmp*"))  # no half-written file left beside it
    run(tmp_path, "full", "arrays", str(tmp_path / "full"), str(tmp_path / "unused.ckpt"))
    run(tmp_path, "resume", "arrays", str(tmp_path / "resumed"), str(ckpt))
    assert_same(result(tmp_path / "full"), result(tmp_path / "resumed"))


def small_trainer(seed=0):
    md.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    return Trainer(model, nn.CrossEntropyLoss(), md.optim.SGD(model.parameters(), lr=0.1))


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((40, 3)).astype(np.float32), rng.integers(0, 2, 40)


def test_model_checkpoint_formats_names_and_saves_best_only(tmp_path):
    """Keras: `{epoch}` is 1-based, log values format in; save_best_only writes only on an
    improvement of the monitored value."""
    x, y = data()
    trainer = small_trainer()
    pattern = str(tmp_path / "sub" / "m-{epoch:02d}-{val_loss:.3f}.ckpt")
    saved = ModelCheckpoint(pattern, save_best_only=True, save_weights_only=True)
    h = trainer.fit(x, y, epochs=6, validation_split=0.5, verbose=0, callbacks=[saved])
    losses = h.history["val_loss"]
    expected = {
        f"m-{e + 1:02d}-{v:.3f}.ckpt"
        for e, v in enumerate(losses)
        if v < min(losses[:e], default=np.inf)  # fmt: skip
    }
    assert {p.name for p in (tmp_path / "sub").iterdir()} == expected
    best = min(losses)
    name = [n for n in expected if n.endswith(f"{best:.3f}.ckpt")][-1]
    weights = md.load(tmp_path / "sub" / name)  # a plain state dict
    assert set(weights) == set(trainer.model.state_dict())


def test_model_checkpoint_save_freq_in_batches(tmp_path):
    x, y = data()  # 40 samples, batch 16: 3 batches per epoch
    cb = ModelCheckpoint(
        str(tmp_path / "b-{epoch}-{batch}.ckpt"), save_freq=2, save_weights_only=True
    )
    small_trainer().fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[cb])
    # batches seen 2 -> save (epoch 1, batch 2); 4 -> (epoch 2, batch 1); 6 -> (epoch 2, batch 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b-1-2.ckpt", "b-2-1.ckpt", "b-2-3.ckpt"]


def test_checkpoint_keeps_callback_state_and_history(tmp_path):
    x, y = data()
    trainer = small_trainer()
    stop = EarlyStopping(monitor="loss", patience=5)
    trainer.fit(x, y, epochs=3, verbose=0, callbacks=[stop])
    trainer.save_checkpoint(tmp_path / "c.ckpt")
    other = small_trainer(seed=1)
    other.load_checkpoint(tmp_path / "c.ckpt")
    for a, b in zip(trainer.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    fresh = EarlyStopping(monitor="loss", patience=5)
    h = other.fit(x, y, epochs=3, verbose=0, callbacks=[fresh])  # nothing left to run
    assert h.epoch == [0, 1, 2] and fresh.best == stop.best and fresh.wait == stop.wait


def test_bad_checkpoints_are_refused_with_the_file_named(tmp_path):
    x, y = data()
    trainer = small_trainer()
    trainer.fit(x, y, verbose=0)
    md.save(trainer.model.state_dict(), tmp_path / "weights.ckpt")
    with pytest.raises(ValueError, match="not a Trainer checkpoint"):
        trainer.load_checkpoint(tmp_path / "weights.ckpt")
    trainer.save_checkpoint(tmp_path / "good.ckpt")
    raw = bytearray((tmp_path / "good.ckpt").read_bytes())
    raw[-3] ^= 0xFF
    (tmp_path / "bad.ckpt").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="bad.ckpt"):
        trainer.load_checkpoint(tmp_path / "bad.ckpt")
    with pytest.raises(FileNotFoundError, match="missing.ckpt"):
        trainer.load_checkpoint(tmp_path / "missing.ckpt")
    trainer.load_checkpoint(tmp_path / "good.ckpt")
    with pytest.raises(ValueError, match="same callbacks"):
        trainer.fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping(monitor="loss")])


def test_model_checkpoint_initial_value_threshold(tmp_path):
    """Keras: initial_value_threshold is the best value to beat from the start."""
    x, y = data()
    cb = ModelCheckpoint(str(tmp_path / "m{epoch}.ckpt"), monitor="loss", save_best_only=True,
                         save_weights_only=True, initial_value_threshold=-1.0)  # fmt: skip
    small_trainer().fit(x, y, epochs=3, verbose=0, callbacks=[cb])
    assert list(tmp_path.iterdir()) == []  # no loss is below -1
    cb = ModelCheckpoint(str(tmp_path / "m{epoch}.ckpt"), monitor="loss", save_best_only=True,
                         save_weights_only=True, initial_value_threshold=1e9)  # fmt: skip
    small_trainer().fit(x, y, epochs=1, verbose=0, callbacks=[cb])
    assert [p.name for p in tmp_path.iterdir()] == ["m1.ckpt"]

"""minidl's EarlyStopping, ReduceLROnPlateau and ModelCheckpoint make Keras 3's decisions on the
recorded sequences: the same epoch stops, the same weights are restored, the same learning rates
are set, the same epochs are saved
(tests/fixtures/callbacks_golden.json, written by make_callbacks_golden.py from Keras itself)."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from minidl.train import CSVLogger, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "callbacks_golden.json").read_text())


class Stub:
    def __init__(self):
        self.stop_training = False
        self.metrics = []
        self.learning_rate = 1.0
        self.epoch = None
        self.saved = []

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.epoch = int(weights[0])

    def request_checkpoint(self, path, weights_only, now=False):  # what ModelCheckpoint calls
        self.saved.append(path.rsplit("/", 1)[-1])


def drive(cb, values, monitor):
    model = Stub()
    cb.set_model(model)
    cb.on_train_begin({})
    lrs, ran = [], 0
    for epoch, v in enumerate(values):
        model.epoch = epoch
        cb.on_epoch_begin(epoch, {})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing values warn, as in Keras
            cb.on_epoch_end(epoch, {} if v is None else {monitor: v})
        lrs.append(model.learning_rate)
        ran += 1
        if model.stop_training:
            break
    cb.on_train_end({})
    return model, ran, lrs


CASES = GOLDEN["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['callback']}-{i}" for i, c in enumerate(CASES)])
def test_same_decisions_as_keras(case, tmp_path):
    kwargs, values, expected = case["kwargs"], case["values"], case["expected"]
    if case["callback"] == "EarlyStopping":
        cb = EarlyStopping(**kwargs)
        model, ran, _ = drive(cb, values, kwargs["monitor"])
        assert ran == expected["epochs_run"]
        assert cb.stopped_epoch == expected["stopped_epoch"]
        assert cb.best == expected["best"] and cb.best_epoch == expected["best_epoch"]
        assert cb.wait == expected["wait"]
        assert model.epoch == expected["weights_epoch"]  # which epoch's weights are left
    elif case["callback"] == "CSVLogger":  # the same file, byte for byte
        path, epoch = tmp_path / "log.csv", 0
        for logs_list in kwargs["runs"]:
            cb = CSVLogger(path, separator=kwargs["separator"], append=kwargs.get("append", False))
            cb.on_train_begin({})
            for logs in logs_list:
                cb.on_epoch_end(epoch, dict(logs))
                epoch += 1
            cb.on_train_end({})
        assert path.read_text() == expected["text"]
    elif case["callback"] == "ModelCheckpoint":
        cb = ModelCheckpoint("/tmp/unused/m{epoch:02d}.keras", **kwargs)
        model = Stub()
        cb.set_model(model)
        cb.on_train_begin({})
        for epoch, v in enumerate(values):
            cb.on_epoch_begin(epoch, {})
            logs = {} if v is None else {kwargs["monitor"]: v, "loss": 0.5}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cb.on_epoch_end(epoch, logs)
        assert model.saved == expected["saved"]  # the same epochs written, in order
        assert cb.best == expected["best"]
    else:
        cb = ReduceLROnPlateau(**kwargs)
        _, _, lrs = drive(cb, values, kwargs["monitor"])
        assert lrs == pytest.approx(expected["lrs"], rel=1e-12)
        assert cb.best == expected["best"] and cb.wait == expected["wait"]
        assert cb.cooldown_counter == expected["cooldown_counter"]


def test_the_fixture_exercises_every_decision():
    """The recorded cases are not all alike: some stop early, some restore weights, some cut
    the learning rate, some hit min_lr."""
    es = [c["expected"] for c in CASES if c["callback"] == "EarlyStopping"]
    rl = [c for c in CASES if c["callback"] == "ReduceLROnPlateau"]
    mc = [c["expected"]["saved"] for c in CASES if c["callback"] == "ModelCheckpoint"]
    assert any(0 < len(saved) < 5 for saved in mc) and any(len(saved) == 0 for saved in mc)
    assert any(e["stopped_epoch"] > 0 for e in es) and any(e["stopped_epoch"] == 0 for e in es)
    assert any(e["weights_epoch"] != e["epochs_run"] - 1 for e in es)
    assert any(len(set(c["expected"]["lrs"])) > 2 for c in rl)
    assert any(c["expected"]["lrs"][-1] == c["kwargs"]["min_lr"] > 0 for c in rl)

"""Trainer.fit / evaluate reproduce Keras 3's own numbers (tests/fixtures/fit_golden.json, written
by make_fit_golden.py from Keras): the same MLP from the same weights, plain SGD, no shuffling.
The numbers agree to float32 rounding, so Keras's bookkeeping is ours: the validation rows
(the last fraction), the size-weighted epoch loss over a smaller last batch, sample and class
weights in the loss (sum w·ℓ / N) but not in the metrics, validation_freq, evaluate's return."""

import json
from pathlib import Path

import numpy as np
import pytest

import minidl as md
from minidl import nn
from minidl.train import Trainer

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "fit_golden.json").read_text())
X = np.array(GOLDEN["x"], dtype=np.float32)
Y = np.array(GOLDEN["y"], dtype=np.int64)
W = np.array(GOLDEN["w"], dtype=np.float32)


def keras_mlp(weights, head: str) -> nn.Module:
    """Dense(8, relu) -> Dense(3) [softmax] or Dense(1, sigmoid), with Keras's (in, out)
    kernels transposed to minidl's (out, in)."""
    units = 1 if head == "sigmoid" else 3
    last = {"logits": [], "softmax": [nn.Softmax(dim=-1)], "sigmoid": [nn.Sigmoid()]}[head]
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, units), *last)
    k1, b1, k2, b2 = (np.array(a, dtype=np.float32) for a in weights)
    k2, b2 = k2[:, :units], b2[:units]
    model.load_state_dict({"0.weight": k1.T, "0.bias": b1, "2.weight": k2.T, "2.bias": b2})
    return model


def trainer_for(head: str, model: nn.Module) -> Trainer:
    """The compile() of make_fit_golden.py, line for line."""
    sgd = md.optim.SGD(model.parameters(), lr=GOLDEN["lr"])
    if head == "logits":
        return Trainer(model, nn.CrossEntropyLoss(), sgd, metrics=["accuracy"])
    if head == "softmax":
        return Trainer(model, "sparse_categorical_crossentropy", "adam", metrics=["accuracy"])
    return Trainer(model, "binary_crossentropy", sgd, metrics=["accuracy"])


@pytest.mark.parametrize("name", list(GOLDEN["scenarios"]))
def test_fit_and_evaluate_match_keras(name):
    case = GOLDEN["scenarios"][name]
    head = case["head"]
    model = keras_mlp(GOLDEN["weights"], head)
    trainer = trainer_for(head, model)
    labels = (Y == 2).astype(np.float32) if head == "sigmoid" else Y
    # Adam's update is PyTorch's, where eps enters after the bias correction (Keras: before)
    rel = 1e-4 if head == "softmax" else 2e-5
    kwargs = dict(case["kwargs"])
    if "class_weight" in kwargs:
        kwargs["class_weight"] = {int(k): v for k, v in kwargs["class_weight"].items()}
    if case["sample_weight"]:
        kwargs["sample_weight"] = W
    if case["validation_data"]:
        kwargs["validation_data"] = (X[:20], Y[:20], W[:20])
    h = trainer.fit(X, labels, batch_size=GOLDEN["batch_size"], shuffle=False, verbose=0, **kwargs)
    assert h.epoch == case["epoch"]
    for key, values in case["history"].items():  # every key Keras logged, each epoch
        assert h.history[key] == pytest.approx(values, rel=rel, abs=1e-6), key
    k1, b1, k2, b2 = (np.array(a) for a in case["final_weights"])
    final = trainer.model.state_dict()
    np.testing.assert_allclose(final["0.weight"].data, k1.T, rtol=10 * rel, atol=1e-6)
    np.testing.assert_allclose(final["2.bias"].data, b2, rtol=10 * rel, atol=1e-6)
    ours = trainer.evaluate(X, labels, batch_size=16, verbose=0)
    assert ours == pytest.approx(case["evaluate"], rel=rel)
    weighted = trainer.evaluate(X, labels, batch_size=16, sample_weight=W, verbose=0)
    assert weighted == pytest.approx(case["evaluate_weighted"], rel=rel)

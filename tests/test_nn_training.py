"""Training smoke tests on scikit-learn's bundled data, with fixed seeds: a small MLP learns iris and
a small CNN learns the 8×8 digits (held-out accuracy ≥ 95% each)."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl import nn

datasets = pytest.importorskip("sklearn.datasets")
model_selection = pytest.importorskip("sklearn.model_selection")


def fit(model, opt, x, y, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            opt.zero_grad()
            loss = F.cross_entropy(model(md.tensor(x[idx])), y[idx])
            loss.backward()
            opt.step()
    return loss.item()


def accuracy(model, x, y) -> float:
    model.eval()
    with md.no_grad():
        return float((model(md.tensor(x)).data.argmax(axis=1) == y).mean())


def split(x, y, seed):
    return model_selection.train_test_split(x, y, test_size=0.3, random_state=seed, stratify=y)


def test_mlp_learns_iris():
    x, y = datasets.load_iris(return_X_y=True)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    xtr, xte, ytr, yte = split(x, y, 0)
    md.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = md.optim.Adam(model.parameters(), lr=0.01)
    fit(model, opt, xtr, ytr, epochs=60, batch_size=16, seed=0)
    assert accuracy(model, xte, yte) >= 0.95


def test_cnn_learns_digits():
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    xtr, xte, ytr, yte = split(x, y, 0)
    md.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 8, 4, 4)
        nn.Flatten(), nn.Linear(8 * 4 * 4, 10),
    )  # fmt: skip
    opt = md.optim.Adam(model.parameters(), lr=0.01)
    fit(model, opt, xtr, ytr, epochs=6, batch_size=32, seed=0)
    assert accuracy(model, xte, yte) >= 0.95

"""A plain minidl training loop for the lessons, read top to bottom: shuffle, batch, step, record.

    history = train(model, opt, X_train, y_train, epochs=10, batch_size=32, seed=0,
                    validation_data=(X_val, y_val))
    history["loss"], history["accuracy"], history["val_loss"], history["val_accuracy"]  # per epoch

The history's keys are Keras's (`History.history`): one entry per epoch, the training loss being the
mean of the batch losses of that epoch (as Keras reports it), the accuracies measured on the whole
split after the epoch. Classification with cross-entropy on logits, integer targets.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minidl as md
import minidl.nn.functional as F


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of X whose arg-max logit is the label (model in eval mode, no graph)."""
    model.eval()
    with md.no_grad():
        pred = model(md.tensor(X)).numpy().argmax(axis=1)
    model.train()
    return float(np.mean(pred == y))


def mean_loss(model, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the model on (X, y), without recording a graph."""
    model.eval()
    with md.no_grad():
        loss = F.cross_entropy(model(md.tensor(X)), y).item()
    model.train()
    return loss


def train(
    model,
    opt,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int = 32,
    seed: int = 0,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    shuffle: bool = True,
    on_batch: Callable[[int, float], None] | None = None,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> dict[str, list[float]]:
    """Mini-batch training with cross-entropy; returns the per-epoch history (Keras's keys).

    Each epoch visits every sample once, in an order drawn from `seed` (a fresh permutation per epoch
    when `shuffle`), in batches of `batch_size` (the last one may be smaller). `on_batch(step, loss)`
    runs after every optimizer step (e.g. a per-step learning-rate schedule), `on_epoch(epoch,
    history)` after every epoch (e.g. a per-epoch schedule).
    """
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    if validation_data is not None:
        history.update(val_loss=[], val_accuracy=[])
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        batch_losses = []
        for start in range(0, len(order), batch_size):
            b = order[start : start + batch_size]
            loss = F.cross_entropy(model(md.tensor(X[b])), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
            step += 1
            if on_batch is not None:
                on_batch(step, batch_losses[-1])
        history["loss"].append(float(np.mean(batch_losses)))
        history["accuracy"].append(accuracy(model, X, y))
        if validation_data is not None:
            history["val_loss"].append(mean_loss(model, *validation_data))
            history["val_accuracy"].append(accuracy(model, *validation_data))
        if on_epoch is not None:
            on_epoch(epoch, history)
    return history


def digits_split(n_train: int, seed: int, dtype=np.float32):
    """scikit-learn's digits (pixels / 16), shuffled by `seed`: (X_train, y_train, X_val, y_val)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    idx = np.random.default_rng(seed).permutation(len(X))
    X = (X / 16.0).astype(dtype)
    tr, va = idx[:n_train], idx[n_train:]
    return X[tr], y[tr], X[va], y[va]

"""Smith's learning-rate range test ("LR finder", as fastai's `lr_find`).

Train for at most `num_iter` batches while the learning rate grows exponentially from `start_lr`
to `end_lr`,

    lr_i = start_lr · (end_lr / start_lr)^(i / (num_iter − 1)),       i = 0 … num_iter − 1,

and record the loss of each batch, smoothed by a debiased exponential moving average

    avg_i = β · avg_{i−1} + (1 − β) · loss_i,      smoothed_i = avg_i / (1 − β^(i+1))

(β = `smooth`). Stop early when the smoothed loss exceeds `diverge_threshold` times the best
smoothed loss so far, or is not finite: the rate has become too high. The loss first stays flat
(rate too small to matter), then falls, then explodes; a good rate lies on the falling part.

Suggestion: the rate at the steepest descent of the smoothed loss against log(lr) (the most
negative finite difference), as fastai's "steep" suggestion, searched on the falling part only:
after the first tenth of the points (where the moving average still mostly reflects batch-to-
batch noise, and the rate is too small to change anything) and before the minimum (as
pytorch-lr-finder's `skip_start`). `lr_min` is fastai's other classic rule, the rate at the
minimum smoothed loss divided by 10.

The test changes the model; afterwards the model's parameters and buffers, the optimizer (its
state and learning rates), the scheduler, the training mode and every random generator of the
run are put back exactly as they were, so training can start from the same point.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np


@dataclass
class LRRangeResult:
    """lrs[i], losses[i] (smoothed) and raw_losses[i] per batch tried; the suggested rate and
    lr_min."""

    lrs: list[float]
    losses: list[float]
    suggested_lr: float
    lr_min: float
    raw_losses: list[float]

    def __repr__(self) -> str:
        return (
            f"LRRangeResult({len(self.lrs)} rates from {self.lrs[0]:.2e} to {self.lrs[-1]:.2e}, "
            f"suggested_lr={self.suggested_lr:.3e}, lr_min={self.lr_min:.3e})"
        )


def lr_range_test(
    trainer,
    x,
    y=None,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_iter: int = 100,
    smooth: float = 0.98,
    diverge_threshold: float = 4.0,
    batch_size: int = 32,
) -> LRRangeResult:
    """Run the range test with `trainer`'s model, loss and optimizer on (x, y) or a loader `x`
    (cycling through the data if it has fewer than `num_iter` batches); see the module
    docstring. Returns an `LRRangeResult`; the trainer is left as it was."""
    from minidl.train.batching import make_batches
    from minidl.train.checkpoint import _all_generators

    where = "lr_range_test"
    if not (0 < start_lr < end_lr):
        raise ValueError(
            f"{where}: expected 0 < start_lr < end_lr; received start_lr={start_lr}, "
            f"end_lr={end_lr}"
        )
    if isinstance(num_iter, bool) or not isinstance(num_iter, int) or num_iter < 2:
        raise ValueError(f"{where}: argument `num_iter` must be an int >= 2; received {num_iter!r}")
    if not 0 <= smooth < 1:
        raise ValueError(f"{where}: argument `smooth` must be in [0, 1); received {smooth!r}")
    if diverge_threshold <= 1:
        raise ValueError(
            f"{where}: argument `diverge_threshold` must be > 1; received {diverge_threshold!r}"
        )
    batches = make_batches(
        x, y, None, batch_size, where, True, trainer._shuffle_generator, trainer._float_dtype()
    )

    # --- everything the test changes, to put back afterwards -----------------------------------
    weights = trainer.get_weights()
    optimizer_state = copy.deepcopy(trainer.optimizer.state_dict())
    scheduler_state = (
        None if trainer.scheduler is None else copy.deepcopy(trainer.scheduler.state_dict())
    )
    generators = {p: g.bit_generator.state for p, g in _all_generators(trainer).items()}
    was_training = trainer.model.training

    lrs, losses, raw = [], [], []
    avg, best = 0.0, math.inf
    factor = (end_lr / start_lr) ** (1.0 / (num_iter - 1))
    try:
        trainer.model.train()
        stream = iter(batches)
        for i in range(num_iter):
            try:
                xb, yb, wb = next(stream)
            except StopIteration:  # fewer batches than iterations: another pass
                stream = iter(batches)
                xb, yb, wb = next(stream)
            lr = start_lr * factor**i
            trainer.learning_rate = lr
            loss, _ = trainer._forward_loss(xb, yb, wb)
            value = loss.item()
            trainer.optimizer.zero_grad()
            loss.backward()
            trainer.optimizer.step()
            avg = smooth * avg + (1 - smooth) * value
            smoothed = avg / (1 - smooth ** (i + 1))
            if not math.isfinite(smoothed):
                break
            lrs.append(lr)
            losses.append(smoothed)
            raw.append(value)
            best = min(best, smoothed)
            if smoothed > diverge_threshold * best:
                break
    finally:
        trainer.set_weights(weights)
        trainer.optimizer.load_state_dict(optimizer_state)
        if trainer.scheduler is not None:
            trainer.scheduler.load_state_dict(scheduler_state)
        for path, g in _all_generators(trainer).items():
            if path in generators:
                g.bit_generator.state = generators[path]
        trainer.model.train(was_training)
    if len(lrs) < 2:
        raise ValueError(
            f"{where}: the loss diverged at once (start_lr={start_lr}); lower start_lr"
        )
    lr_min = lrs[int(np.argmin(losses))] / 10
    return LRRangeResult(lrs, losses, _steepest(lrs, losses), lr_min, raw)


def _steepest(lrs: list[float], losses: list[float]) -> float:
    """The rate where the smoothed loss falls fastest per unit of log(lr), between the first
    tenth of the points and the minimum."""
    log_lr, loss = np.log(np.asarray(lrs)), np.asarray(losses)
    start, stop = len(lrs) // 10, int(np.argmin(loss))
    if stop - start < 2:  # no falling part to speak of: the whole curve
        start, stop = 0, len(lrs) - 1
    slopes = np.diff(loss[start : stop + 1]) / np.diff(log_lr[start : stop + 1])
    return float(lrs[start + int(np.argmin(slopes))])

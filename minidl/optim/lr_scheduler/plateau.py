"""ReduceLROnPlateau: cut the rate when a monitored metric stops improving."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from minidl.autograd import Tensor
from minidl.optim._validation import check_int, check_real
from minidl.optim.lr_scheduler.base import LRScheduler, check_optimizer, per_group
from minidl.optim.optimizer import Optimizer
from minidl.optim.sgd import SGD

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the rate by ``factor`` once the metric has not improved for ``patience`` epochs.

    After each epoch, ``scheduler.step(metric)``. A value is an improvement if it beats the best
    so far by more than the threshold:

    * mode "min", threshold_mode "rel": ``metric < best · (1 − threshold)``
    * mode "min", threshold_mode "abs": ``metric < best − threshold``
    * mode "max": ``metric > best · (1 + threshold)`` or ``metric > best + threshold``

    When more than ``patience`` consecutive epochs bring no improvement, each group's rate
    becomes ``max(α · factor, min_lr)`` (unless that changes it by no more than ``eps``), then
    ``cooldown`` epochs pass in which bad epochs are not counted. There is no closed form (the
    rate depends on the metrics); ``ReduceLROnPlateau.simulate(metrics, lr, ...)`` replays a
    metric sequence without a model.

    Args:
        optimizer: the wrapped optimizer.
        mode: "min" (a loss) or "max" (an accuracy).
        factor: in [0, 1), the cut (default 0.1).
        patience: epochs without improvement tolerated, an integer ≥ 0 (default 10).
        threshold: ≥ 0 (default 1e-4).
        threshold_mode: "rel" or "abs".
        cooldown: epochs to wait after a cut, an integer ≥ 0 (default 0).
        min_lr: the floor ≥ 0, a number or one per group (default 0).
        eps: ≥ 0, cuts smaller than this are skipped (default 1e-8).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        owner = "ReduceLROnPlateau"
        check_optimizer(owner, optimizer)
        check_real(owner, "factor", factor, low=0.0, high=1.0, high_open=True)
        check_int(owner, "patience", patience, 0)
        check_int(owner, "cooldown", cooldown, 0)
        check_real(owner, "threshold", threshold, low=0.0)
        check_real(owner, "eps", eps, low=0.0)
        if mode not in ("min", "max"):
            raise ValueError(f"{owner}: argument `mode` must be 'min' or 'max'; got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{owner}: argument `threshold_mode` must be 'rel' or 'abs'; got {threshold_mode!r}"
            )
        self.min_lrs = per_group(owner, "min_lr", optimizer, min_lr)
        for v in self.min_lrs:
            check_real(owner, "min_lr", v, low=0.0)
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._step_count = 0
        self._last_lr = self._current_lrs()
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def is_better(self, current: float, best: float) -> bool:
        """Does ``current`` improve on ``best`` by more than the threshold?"""
        if self.mode == "min" and self.threshold_mode == "rel":
            return current < best * (1.0 - self.threshold)
        if self.mode == "min":
            return current < best - self.threshold
        if self.threshold_mode == "rel":
            return current > best * (self.threshold + 1.0)
        return current > best + self.threshold

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record one epoch's metric (a number or a one-element tensor) and cut if due."""
        current = float(metrics)
        self._step_count += 1
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @staticmethod
    def simulate(metrics: Iterable[float], lr: float, **kwargs: Any) -> list[float]:
        """The rate before the first epoch and after each metric, for one group starting at
        ``lr`` (``kwargs`` as for the constructor), without a model."""
        dummy = Tensor([0.0], requires_grad=True)  # never stepped: only its group's lr is used
        scheduler = ReduceLROnPlateau(SGD([dummy], lr=lr), **kwargs)
        lrs = [scheduler.get_last_lr()[0]]
        for metric in metrics:
            scheduler.step(metric)
            lrs.append(scheduler.get_last_lr()[0])
        return lrs

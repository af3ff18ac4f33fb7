"""Warm-up schedules (学习率预热): LinearLR and ConstantLR.

Both scale the base rate α₀ by a factor for the first ``total_iters`` epochs and then leave it
alone, so that a large rate is not applied to a freshly initialised network. SequentialLR
follows them with a decay schedule.
"""

from __future__ import annotations

from minidl.optim._validation import check_int, check_real
from minidl.optim.lr_scheduler.base import LRScheduler
from minidl.optim.optimizer import Optimizer

__all__ = ["LinearLR", "ConstantLR"]


class LinearLR(LRScheduler):
    r"""Change the rate's factor linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then hold it.

    Closed form, with s = start_factor, e = end_factor, T = total_iters::

        α_t = α₀ (s + (e − s) · min(t, T) / T)

    Chainable form, for 1 ≤ t ≤ T (the ratio of consecutive factors)::

        α_t = α_{t−1} (1 + (e − s) / (T s + (t − 1)(e − s)))

    s < e is a warm-up; s > e a linear decay.

    Args:
        optimizer: the wrapped optimizer.
        start_factor: s in (0, 1] (default 1/3).
        end_factor: e in [0, 1] (default 1.0).
        total_iters: T, a positive integer (default 5).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        check_real("LinearLR", "start_factor", start_factor, low=0.0, high=1.0, low_open=True)
        check_real("LinearLR", "end_factor", end_factor, low=0.0, high=1.0)
        check_int("LinearLR", "total_iters", total_iters, 1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: ``α_t = α_{t−1} (1 + (e − s) / (T s + (t − 1)(e − s)))``."""
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        if self.last_epoch == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > T:
            return self._current_lrs()
        ratio = 1.0 + (e - s) / (T * s + (self.last_epoch - 1) * (e - s))
        return [lr * ratio for lr in self._current_lrs()]

    @staticmethod
    def closed_form(
        epoch: int,
        base_lr: float,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> float:
        """``α₀ (s + (e − s) · min(epoch, T) / T)``."""
        progress = min(total_iters, epoch) / total_iters
        return base_lr * (start_factor + (end_factor - start_factor) * progress)

    def _closed_form_lrs(self) -> list[float]:
        return [
            self.closed_form(
                self.last_epoch, b, self.start_factor, self.end_factor, self.total_iters
            )
            for b in self.base_lrs
        ]


class ConstantLR(LRScheduler):
    r"""Use ``factor · α₀`` for the first ``total_iters`` epochs, then α₀.

    Closed form: ``α_t = α₀ · factor`` for t < total_iters, ``α_t = α₀`` afterwards. Chainable
    form: multiply by ``factor`` at t = 0 and by ``1 / factor`` at t = total_iters.

    Args:
        optimizer: the wrapped optimizer.
        factor: in (0, 1] (default 1/3).
        total_iters: a positive integer (default 5).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        check_real("ConstantLR", "factor", factor, low=0.0, high=1.0, low_open=True)
        check_int("ConstantLR", "total_iters", total_iters, 1)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: × factor at t = 0, × 1/factor at t = total_iters."""
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    @staticmethod
    def closed_form(
        epoch: int, base_lr: float, factor: float = 1.0 / 3, total_iters: int = 5
    ) -> float:
        """``α₀ · factor`` before ``total_iters``, ``α₀`` from then on."""
        return base_lr * (factor + (epoch >= total_iters) * (1 - factor))

    def _closed_form_lrs(self) -> list[float]:
        return [
            self.closed_form(self.last_epoch, b, self.factor, self.total_iters)
            for b in self.base_lrs
        ]

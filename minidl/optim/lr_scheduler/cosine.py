"""Cosine annealing (SGDR, Loshchilov & Hutter 2017), with and without warm restarts."""

from __future__ import annotations

import math

from minidl.optim._validation import check_int, check_real
from minidl.optim.lr_scheduler.base import LRScheduler
from minidl.optim.optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


def _cosine(t: float, period: float, base_lr: float, eta_min: float) -> float:
    """``η_min + (α₀ − η_min)(1 + cos(π t / T)) / 2``: α₀ at t = 0, η_min at t = T."""
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the rate from α₀ down to η_min along half a cosine over T_max epochs.

    Closed form::

        α_t = η_min + (α₀ − η_min) (1 + cos(π t / T_max)) / 2

    Chainable form (what ``step()`` uses, as PyTorch does)::

        α_t = η_min + (α_{t−1} − η_min) (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max))

    Past T_max the cosine keeps going: the rate climbs back to α₀ at 2 T_max (PyTorch's
    behaviour; CosineAnnealingWarmRestarts restarts instead). Stop at T_max, or use
    SequentialLR, for a single decay.

    Args:
        optimizer: the wrapped optimizer.
        T_max: half-period in epochs, a positive integer.
        eta_min: η_min ≥ 0, the lowest rate (default 0).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        check_int("CosineAnnealingLR", "T_max", T_max, 1)
        check_real("CosineAnnealingLR", "eta_min", eta_min, low=0.0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: the ratio of consecutive cosine factors (see the class)."""
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # resumed at last_epoch > 0: jump to the curve
            return [_cosine(t, T, b, eta_min) for b in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            # At the bottom the ratio below would divide by 1 + cos(π) = 0: step up instead.
            return [
                lr + (b - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for b, lr in zip(self.base_lrs, self._current_lrs(), strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    @staticmethod
    def closed_form(epoch: int, base_lr: float, T_max: int, eta_min: float = 0.0) -> float:
        """``η_min + (α₀ − η_min)(1 + cos(π epoch / T_max)) / 2``."""
        return _cosine(epoch, T_max, base_lr, eta_min)

    def _closed_form_lrs(self) -> list[float]:
        return [
            self.closed_form(self.last_epoch, b, self.T_max, self.eta_min) for b in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing that restarts at α₀ after each cycle; cycles grow by T_mult.

    With T_cur the epochs since the last restart and T_i the current cycle's length (T_0, then
    T_0·T_mult, T_0·T_mult², ...)::

        α_t = η_min + (α₀ − η_min) (1 + cos(π T_cur / T_i)) / 2

    This form is closed, so ``step()`` may also be given a (fractional) epoch, to anneal within
    an epoch: ``scheduler.step(epoch + i / iters_per_epoch)`` after each batch.

    Args:
        optimizer: the wrapped optimizer.
        T_0: length of the first cycle, a positive integer.
        T_mult: an integer ≥ 1 by which each cycle is longer than the last (default 1).
        eta_min: η_min ≥ 0 (default 0).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        check_int("CosineAnnealingWarmRestarts", "T_0", T_0, 1)
        check_int("CosineAnnealingWarmRestarts", "T_mult", T_mult, 1)
        check_real("CosineAnnealingWarmRestarts", "eta_min", eta_min, low=0.0)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The cosine at the current position ``T_cur`` of a cycle of length ``T_i``."""
        return [_cosine(self.T_cur, self.T_i, b, self.eta_min) for b in self.base_lrs]

    @staticmethod
    def cycle_position(epoch: float, T_0: int, T_mult: int = 1) -> tuple[float, int]:
        """``(T_cur, T_i)`` at ``epoch``: epochs since the last restart and the cycle length."""
        if T_mult == 1:
            return epoch % T_0, T_0
        t_cur, t_i = epoch, T_0
        while t_cur >= t_i:  # walk through the finished cycles (exact for integer epochs)
            t_cur -= t_i
            t_i *= T_mult
        return t_cur, t_i

    @staticmethod
    def closed_form(
        epoch: float, base_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0
    ) -> float:
        """``η_min + (α₀ − η_min)(1 + cos(π T_cur / T_i)) / 2`` at ``epoch``."""
        t_cur, t_i = CosineAnnealingWarmRestarts.cycle_position(epoch, T_0, T_mult)
        return _cosine(t_cur, t_i, base_lr, eta_min)

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to ``epoch`` (which may be fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            super().step()  # the warning about stepping order lives there
            return
        check_real("CosineAnnealingWarmRestarts.step", "epoch", epoch, low=0.0)
        self._step_count += 1
        self.T_cur, self.T_i = self.cycle_position(epoch, self.T_0, self.T_mult)
        self.last_epoch = math.floor(epoch)
        self._set_lrs()

    def _update_lr(self, epoch: int | None = None) -> None:
        """One epoch further into the cycle, restarting (and lengthening it) at its end; or, from
        SequentialLR, set ``last_epoch`` and keep the cycle position."""
        if epoch is None:
            self.last_epoch += 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i *= self.T_mult
        else:
            self.last_epoch = epoch
        self._set_lrs()

    def _set_lrs(self) -> None:
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

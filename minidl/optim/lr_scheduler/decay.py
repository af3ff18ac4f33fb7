"""Decay schedules: step, multi-step, exponential and polynomial decay, and LambdaLR.

Each rate is written α_t for epoch t (the number of ``scheduler.step()`` calls so far) and α₀
for the group's base rate (its ``initial_lr``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from minidl.optim._validation import check_int, check_real
from minidl.optim.lr_scheduler.base import LRScheduler, functions_state
from minidl.optim.optimizer import Optimizer

__all__ = ["StepLR", "MultiStepLR", "ExponentialLR", "PolynomialLR", "LambdaLR"]


class StepLR(LRScheduler):
    r"""Step decay (阶梯学习率): multiply the rate by γ every ``step_size`` epochs.

    Closed form: ``α_t = α₀ · γ^⌊t / step_size⌋``. Chainable form: ``α_t = γ α_{t−1}`` when
    t is a positive multiple of ``step_size``, else ``α_t = α_{t−1}``.

    Args:
        optimizer: the wrapped optimizer.
        step_size: the period, a positive integer number of epochs.
        gamma: γ > 0, the factor applied at each period's end (default 0.1).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        check_int("StepLR", "step_size", step_size, 1)
        check_real("StepLR", "gamma", gamma, low=0.0, low_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: ``α_t = γ α_{t−1}`` when t is a positive multiple of step_size."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    @staticmethod
    def closed_form(epoch: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
        """``α₀ · γ^⌊epoch / step_size⌋``."""
        return base_lr * gamma ** (epoch // step_size)

    def _closed_form_lrs(self) -> list[float]:
        return [
            self.closed_form(self.last_epoch, b, self.step_size, self.gamma) for b in self.base_lrs
        ]


class MultiStepLR(LRScheduler):
    r"""Multiply the rate by γ at each milestone epoch.

    Closed form: ``α_t = α₀ · γ^(number of milestones ≤ t)``. A milestone listed twice applies γ
    twice. Chainable form: ``α_t = γ^k α_{t−1}`` where k is how often t is listed.

    Args:
        optimizer: the wrapped optimizer.
        milestones: non-decreasing epoch indices (non-negative integers).
        gamma: γ > 0 (default 0.1).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(
                "MultiStepLR: argument `milestones` must be a list of epoch indices (e.g. "
                f"[30, 80]); got {milestones!r}"
            )
        milestones = list(milestones)
        for m in milestones:
            check_int("MultiStepLR", "milestones", m, 0)
        if milestones != sorted(milestones):
            raise ValueError(
                f"MultiStepLR: argument `milestones` must be increasing; got {milestones}"
            )
        check_real("MultiStepLR", "gamma", gamma, low=0.0, low_open=True)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: ``α_t = γ^k α_{t−1}``, k = how often t is a milestone."""
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    @staticmethod
    def closed_form(
        epoch: int, base_lr: float, milestones: Iterable[int], gamma: float = 0.1
    ) -> float:
        """``α₀ · γ^(number of milestones ≤ epoch)``."""
        return base_lr * gamma ** bisect_right(sorted(milestones), epoch)

    def _closed_form_lrs(self) -> list[float]:
        milestones = list(self.milestones.elements())
        return [self.closed_form(self.last_epoch, b, milestones, self.gamma) for b in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` (also one that went through JSON)."""
        super().load_state_dict(state_dict)
        # A checkpoint that went through JSON has string keys: {"30": 1} must mean epoch 30.
        self.milestones = Counter({int(k): int(n) for k, n in self.milestones.items()})


class ExponentialLR(LRScheduler):
    r"""Exponential decay: multiply the rate by γ every epoch.

    Closed form: ``α_t = α₀ γ^t``. Chainable form: ``α_t = γ α_{t−1}``.

    Args:
        optimizer: the wrapped optimizer.
        gamma: γ > 0, the per-epoch factor.
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_real("ExponentialLR", "gamma", gamma, low=0.0, low_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: ``α_t = γ α_{t−1}``."""
        if self._is_initial:  # resuming at last_epoch ≥ 0 must not decay one extra time
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    @staticmethod
    def closed_form(epoch: int, base_lr: float, gamma: float) -> float:
        """``α₀ γ^epoch``."""
        return base_lr * gamma**epoch

    def _closed_form_lrs(self) -> list[float]:
        return [self.closed_form(self.last_epoch, b, self.gamma) for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Polynomial decay to zero over ``total_iters`` epochs, then constant (at zero).

    Closed form: ``α_t = α₀ (1 − min(t, T) / T)^p`` with T = total_iters, p = power. Chainable
    form, for 1 ≤ t ≤ T: ``α_t = α_{t−1} · ((1 − t/T) / (1 − (t−1)/T))^p``. ``power=1`` is linear
    decay (线性衰减).

    Args:
        optimizer: the wrapped optimizer.
        total_iters: T, a positive integer (default 5).
        power: p ≥ 0 (default 1.0).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        check_int("PolynomialLR", "total_iters", total_iters, 1)
        check_real("PolynomialLR", "power", power, low=0.0)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Chainable form: ``α_t = α_{t−1} ((1 − t/T) / (1 − (t−1)/T))^p`` up to T."""
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        t, T = self.last_epoch, self.total_iters
        factor = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    @staticmethod
    def closed_form(epoch: int, base_lr: float, total_iters: int = 5, power: float = 1.0) -> float:
        """``α₀ (1 − min(epoch, T) / T)^p``."""
        return base_lr * (1.0 - min(total_iters, epoch) / total_iters) ** power

    def _closed_form_lrs(self) -> list[float]:
        return [
            self.closed_form(self.last_epoch, b, self.total_iters, self.power)
            for b in self.base_lrs
        ]


class LambdaLR(LRScheduler):
    r"""Any schedule given as a function: ``α_t = α₀ · λ(t)``.

    This form is already closed (it never reads the current rate), so it does not chain with
    other schedulers. ``lr_lambda=lambda t: min(1, (t + 1) / 10)`` is a 10-epoch linear warm-up.

    Args:
        optimizer: the wrapped optimizer.
        lr_lambda: a function of the epoch returning a factor, or a list of them (one per group).
        last_epoch: -1 to start; see LRScheduler.

    ``state_dict()`` cannot save plain functions or lambdas (only callable objects' attributes);
    rebuild the scheduler with the same functions before loading.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        n_groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n_groups:
                raise ValueError(
                    f"LambdaLR: expected {n_groups} lr_lambdas (one per parameter group); "
                    f"got {len(lr_lambda)}"
                )
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n_groups
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(
                    f"LambdaLR: argument `lr_lambda` must be a function of the epoch; "
                    f"got {type(fn).__name__}"
                )
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Already closed: ``α_t = α₀ · λ(t)``."""
        return [
            self.closed_form(self.last_epoch, b, fn)
            for b, fn in zip(self.base_lrs, self.lr_lambdas, strict=True)
        ]

    @staticmethod
    def closed_form(epoch: int, base_lr: float, lr_lambda: Callable[[int], float]) -> float:
        """``α₀ · λ(epoch)``."""
        return base_lr * lr_lambda(epoch)

    def state_dict(self) -> dict[str, Any]:
        """The state, with ``None`` for each plain function (see the class docstring)."""
        state = self._plain_state(exclude=("lr_lambdas",))
        state["lr_lambdas"] = functions_state(self.lr_lambdas)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``; callable objects get their saved attributes back."""
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attrs in zip(self.lr_lambdas, saved, strict=True):
            if attrs is not None:
                fn.__dict__.update(attrs)

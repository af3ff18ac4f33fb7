"""Combining schedules: one after another (SequentialLR) or all at once (ChainedScheduler)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from minidl.optim._validation import check_int
from minidl.optim.lr_scheduler.base import LRScheduler, check_optimizer
from minidl.optim.optimizer import Optimizer

__all__ = ["SequentialLR", "ChainedScheduler"]


def _check_schedulers(owner: str, optimizer: Optimizer, schedulers: Sequence[Any]) -> None:
    from minidl.optim.lr_scheduler.plateau import ReduceLROnPlateau

    if len(schedulers) < 1:
        raise ValueError(f"{owner}: expects at least one scheduler; got none")
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler):
            raise TypeError(
                f"{owner}: schedulers[{i}] must be an LRScheduler; got {type(s).__name__}"
            )
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(
                f"{owner}: does not support ReduceLROnPlateau (schedulers[{i}]): its step() needs "
                "a metric"
            )
        if s.optimizer is not optimizer:
            raise ValueError(
                f"{owner}: expects all schedulers to belong to the same optimizer, but "
                f"schedulers[{i}] ({type(s).__name__}) wraps a different one"
            )


class _Composite(LRScheduler):
    """A schedule made of schedules: its state dict nests theirs."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        state = self._plain_state(exclude=("_schedulers",))
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        super().load_state_dict(state)
        for s, s_state in zip(self._schedulers, saved, strict=True):
            s.load_state_dict(s_state)


class SequentialLR(_Composite):
    r"""Run schedules one after another, switching at the milestone epochs.

    With milestones m_1 < m_2 < ... and schedules f_0, f_1, ..., epoch t uses schedule f_i,
    i = (number of milestones ≤ t), restarted at its own epoch 0 when t reaches m_i::

        α_t = f_i(t − m_i)            (m_0 = 0)

    The classic use is warm-up then decay: ``SequentialLR(opt, [LinearLR(opt, 0.1,
    total_iters=5), CosineAnnealingLR(opt, T_max=95)], milestones=[5])``. Build the schedules
    first (each performs its initial step); SequentialLR then resets the rates and undoes those
    steps, as PyTorch does.

    Args:
        optimizer: the optimizer all schedules wrap.
        schedulers: the schedules, in order.
        milestones: increasing epochs, one fewer than the schedules.
        last_epoch: -1 to start.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        owner = "SequentialLR"
        check_optimizer(owner, optimizer)
        _check_schedulers(owner, optimizer, schedulers)
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{owner}: expects one milestone fewer than schedulers; got {len(schedulers)} "
                f"schedulers and {len(milestones)} milestones"
            )
        for m in milestones:
            check_int(owner, "milestones", m, 1)
        if any(a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"{owner}: argument `milestones` must be increasing; got {milestones}")
        self._schedulers = list(schedulers)
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        self._step_count = 0
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for s in self._schedulers:  # undo the initial step each constructor performed
            s.last_epoch -= 1
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        """Advance one epoch; on a milestone, restart the next schedule at its epoch 0."""
        self._step_count += 1
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)  # jump to the new schedule's closed form at epoch 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    @staticmethod
    def closed_form(
        epoch: int, schedules: Sequence[Callable[[int], float]], milestones: Sequence[int]
    ) -> float:
        """``f_i(epoch − m_i)``, with ``schedules`` the closed forms f_i as functions of the epoch,
        e.g. ``lambda t: LinearLR.closed_form(t, 0.1, start_factor=0.1, total_iters=5)``."""
        i = bisect_right(list(milestones), epoch)
        start = milestones[i - 1] if i > 0 else 0
        return schedules[i](epoch - start)


class ChainedScheduler(_Composite):
    r"""Step several schedules together, each applying its chainable form to the rate the
    previous one left: their factors multiply.

    For schedules whose chainable step multiplies the rate by a factor that depends only on the
    epoch (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR, and
    CosineAnnealingLR with η_min = 0 up to T_max), the result has the closed form::

        α_t = α₀ · Π_k (f_k(t) / α₀)

    e.g. ConstantLR warm-up times ExponentialLR decay.

    Args:
        schedulers: the schedules, all on one optimizer.
        optimizer: that optimizer (default: the first schedule's).
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        owner = "ChainedScheduler"
        if len(schedulers) < 1:
            raise ValueError(f"{owner}: expects at least one scheduler to be chained; got none")
        if optimizer is None:
            optimizer = getattr(schedulers[0], "optimizer", None)
        check_optimizer(owner, optimizer)
        _check_schedulers(owner, optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._step_count = 0
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        """Step every schedule, in order."""
        self._step_count += 1
        for s in self._schedulers:
            s.step()
        self._last_lr = self._current_lrs()

    @staticmethod
    def closed_form(
        epoch: int, base_lr: float, schedules: Sequence[Callable[[int], float]]
    ) -> float:
        """``α₀ · Π_k (f_k(epoch) / α₀)`` for closed forms f_k of multiplicative schedules."""
        lr = base_lr
        for f in schedules:
            lr *= f(epoch) / base_lr
        return lr

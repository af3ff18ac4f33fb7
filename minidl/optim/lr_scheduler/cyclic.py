"""Per-batch cyclical schedules: CyclicLR (Smith, 2017) and OneCycleLR (Smith & Topin, 2018).

Both are stepped after every batch, and both can cycle the momentum (SGD's ``momentum`` or
Adam's β1) in the opposite direction to the rate: high rate with low momentum, and back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from minidl.optim._validation import check_int, check_number, check_real
from minidl.optim.lr_scheduler.base import LRScheduler, check_optimizer, functions_state, per_group
from minidl.optim.optimizer import Optimizer

__all__ = ["CyclicLR", "OneCycleLR"]


def _init_momentum(
    owner: str, optimizer: Optimizer, base_momentum: Any, max_momentum: Any, last_epoch: int
) -> tuple[bool, list[float], list[float]]:
    """Prepare momentum cycling: returns (use_beta1, base momenta, max momenta) per group.

    It needs an optimizer with ``momentum`` (SGD, RMSprop) or ``betas`` (Adam: β1 is cycled).
    A fresh schedule starts every group at its max momentum and records both bounds in it.
    """
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            f"{owner}: optimizer must support momentum or beta1 with `cycle_momentum` option "
            f"enabled; {type(optimizer).__name__} has neither (pass cycle_momentum=False)"
        )
    use_beta1 = "betas" in optimizer.defaults
    base_ms = per_group(owner, "base_momentum", optimizer, base_momentum)
    max_ms = per_group(owner, "max_momentum", optimizer, max_momentum)
    for i, (m_base, m_max) in enumerate(zip(base_ms, max_ms)):
        check_number(owner, f"base_momentum[{i}]" if len(base_ms) > 1 else "base_momentum", m_base)
        check_number(owner, f"max_momentum[{i}]" if len(max_ms) > 1 else "max_momentum", m_max)
    if last_epoch == -1:
        for m_max, m_base, group in zip(max_ms, base_ms, optimizer.param_groups, strict=True):
            _set_momentum(group, m_max, use_beta1)
            group["max_momentum"] = m_max
            group["base_momentum"] = m_base
    return use_beta1, base_ms, max_ms


def _set_momentum(group: dict[str, Any], momentum: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


# ----------------------------------------------------------------------------------------------
# CyclicLR


def _triangular_position(epoch: int, step_size_up: float, step_size_down: float) -> tuple:
    """``(cycle, h)``: the 1-based cycle that ``epoch`` falls in, and h ∈ [0, 1], how far up the
    triangle it is (0 at the base, 1 at the peak)."""
    total = step_size_up + step_size_down
    ratio = step_size_up / total
    cycle = math.floor(1 + epoch / total)
    x = 1.0 + epoch / total - cycle  # position within the cycle, in [0, 1)
    h = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    return cycle, h


def _cyclic_scale(
    epoch: int, cycle: int, mode: str, gamma: float, scale_fn: Callable | None, scale_mode: str
) -> float:
    """The amplitude factor: 1 (triangular), 1/2^(cycle−1) (triangular2), γ^epoch (exp_range)."""
    if scale_fn is not None:
        return scale_fn(cycle if scale_mode == "cycle" else epoch)
    if mode == "triangular":
        return 1.0
    if mode == "triangular2":
        return 1 / (2.0 ** (cycle - 1))
    return gamma**epoch  # exp_range scales by iterations


class CyclicLR(LRScheduler):
    r"""Cycle the rate between ``base_lr`` and ``max_lr`` along a triangle.

    With h_t ∈ [0, 1] the position on the triangle at batch t (rising over ``step_size_up``
    batches, falling over ``step_size_down``) and s the amplitude scale::

        α_t = base_lr + (max_lr − base_lr) · h_t · s
        μ_t = max_momentum − (max_momentum − base_momentum) · h_t · s   (if cycle_momentum)

    s is 1 for ``mode="triangular"``, halves every cycle for ``"triangular2"``, is γ^t for
    ``"exp_range"``, or ``scale_fn(cycle or t)`` (per ``scale_mode``) if given.

    Args:
        optimizer: the wrapped optimizer.
        base_lr, max_lr: the bounds, a number or one per group.
        step_size_up: batches in the rising half, a positive integer (default 2000).
        step_size_down: batches in the falling half (default: step_size_up).
        mode: "triangular", "triangular2" or "exp_range".
        gamma: γ > 0 for exp_range (default 1.0).
        scale_fn, scale_mode: a custom amplitude function of the cycle ("cycle") or of the
            batch ("iterations"); overrides ``mode``.
        cycle_momentum: also cycle momentum/β1 (default True).
        base_momentum, max_momentum: the momentum bounds (default 0.8, 0.9).
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        owner = "CyclicLR"
        check_optimizer(owner, optimizer)
        base_lrs = per_group(owner, "base_lr", optimizer, base_lr)
        max_lrs = per_group(owner, "max_lr", optimizer, max_lr)
        for name, values in (("base_lr", base_lrs), ("max_lr", max_lrs)):
            for v in values:
                check_real(owner, name, v, low=0.0)
        check_int(owner, "step_size_up", step_size_up, 1)
        if step_size_down is not None:
            check_int(owner, "step_size_down", step_size_down, 1)
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(
                f"CyclicLR: argument `scale_fn` must be a function of the cycle or iteration "
                f"(or None); got {scale_fn!r}"
            )
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(
                f"{owner}: argument `mode` must be 'triangular', 'triangular2' or 'exp_range' "
                f"(or pass scale_fn); got {mode!r}"
            )
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"{owner}: argument `scale_mode` must be 'cycle' or 'iterations'; got {scale_mode!r}"
            )
        check_real(owner, "gamma", gamma, low=0.0, low_open=True)

        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = max_lrs
        self.step_size_up = float(step_size_up)
        self.step_size_down = float(step_size_down if step_size_down is not None else step_size_up)
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        # The built-in modes fix their scale mode, as in PyTorch.
        self.scale_mode = (
            scale_mode
            if scale_fn is not None
            else ("iterations" if mode == "exp_range" else "cycle")
        )
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = _init_momentum(
                owner, optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def get_lr(self) -> list[float]:
        """Closed in ``last_epoch``; also sets each group's momentum/β1 if cycled."""
        t = self.last_epoch
        cycle, h = _triangular_position(t, self.step_size_up, self.step_size_down)
        s = _cyclic_scale(t, cycle, self.mode, self.gamma, self._scale_fn_custom, self.scale_mode)
        lrs = [b + (m - b) * h * s for b, m in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:  # momentum moves against the rate
            for group, m_base, m_max in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                _set_momentum(group, m_max - (m_max - m_base) * h * s, self.use_beta1)
        return lrs

    @staticmethod
    def closed_form(
        epoch: int,
        base_lr: float,
        max_lr: float,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
    ) -> float:
        """``base_lr + (max_lr − base_lr) · h_t · s`` at batch ``epoch``."""
        down = step_size_down if step_size_down is not None else step_size_up
        cycle, h = _triangular_position(epoch, float(step_size_up), float(down))
        if scale_fn is None:
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        s = _cyclic_scale(epoch, cycle, mode, gamma, scale_fn, scale_mode)
        return base_lr + (max_lr - base_lr) * h * s

    def state_dict(self) -> dict[str, Any]:
        """The state; a custom scale_fn is kept only if it is a callable object (its attributes)."""
        state = self._plain_state(exclude=("_scale_fn_custom",))
        fns = [] if self._scale_fn_custom is None else [self._scale_fn_custom]
        state["_scale_fn_custom"] = (functions_state(fns) or [None])[0]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``, with the custom scale_fn's attributes if saved."""
        state = dict(state_dict)
        attrs = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if attrs is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(attrs)


# ----------------------------------------------------------------------------------------------
# OneCycleLR


def _one_cycle_phases(total_steps: int, pct_start: float, three_phase: bool) -> list[tuple]:
    """Phases as (end_step, start, end, momentum start, momentum end), names of group values."""
    up_end = float(pct_start * total_steps) - 1
    if three_phase:
        return [
            (up_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (
                float(2 * pct_start * total_steps) - 2,
                "max_lr",
                "initial_lr",
                "base_momentum",
                "max_momentum",
            ),
            (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        ]
    return [
        (up_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
    ]


def _anneal(start: float, end: float, pct: float, strategy: str) -> float:
    """Go from ``start`` (pct = 0) to ``end`` (pct = 1): along half a cosine, or a line."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def _one_cycle_value(step: int, phases: list[tuple], values: dict, strategy: str, which: int):
    """Interpolate the value named in column ``which`` of the phase that contains ``step``."""
    start_step = 0.0
    for i, phase in enumerate(phases):
        end_step = phase[0]
        if step <= end_step or i == len(phases) - 1:
            pct = (step - start_step) / (end_step - start_step)
            return _anneal(values[phase[which]], values[phase[which + 1]], pct, strategy)
        start_step = end_step
    raise AssertionError("unreachable: the last phase always matches")


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy: warm up from α_max/div_factor to α_max, then anneal far below.

    With α_init = max_lr / div_factor and α_min = α_init / final_div_factor, the rate moves
    (along half a cosine, or linearly) through these phases over ``total_steps`` batches::

        α_init → α_max                over the first pct_start · total_steps steps
        α_max  → α_min                over the rest               (two phases, the default)
        α_max  → α_init → α_min       instead, if three_phase

    Momentum, if cycled, moves the other way (max_momentum → base_momentum → max_momentum).
    Stepping past ``total_steps`` raises ValueError.

    Args:
        optimizer: the wrapped optimizer.
        max_lr: α_max, a number or one per group.
        total_steps: the number of batches; or give ``epochs`` and ``steps_per_epoch``.
        pct_start: fraction of the steps spent warming up, in [0, 1] (default 0.3).
        anneal_strategy: "cos" (default) or "linear".
        cycle_momentum: also cycle momentum/β1 (default True).
        base_momentum, max_momentum: the momentum bounds (default 0.85, 0.95).
        div_factor: α_max / α_init > 0 (default 25).
        final_div_factor: α_init / α_min > 0 (default 1e4).
        three_phase: use the three-phase variant.
        last_epoch: -1 to start; see LRScheduler.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        owner = "OneCycleLR"
        check_optimizer(owner, optimizer)
        if total_steps is not None:
            check_int(owner, "total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            check_int(owner, "epochs", epochs, 1)
            check_int(owner, "steps_per_epoch", steps_per_epoch, 1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                f"{owner}: You must define either total_steps OR (epochs AND steps_per_epoch); "
                f"got total_steps={total_steps}, epochs={epochs}, steps_per_epoch={steps_per_epoch}"
            )
        check_real(owner, "pct_start", pct_start, low=0.0, high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"{owner}: argument `anneal_strategy` must be one of 'cos' or 'linear'; "
                f"got {anneal_strategy!r}"
            )
        check_real(owner, "div_factor", div_factor, low=0.0, low_open=True)
        check_real(owner, "final_div_factor", final_div_factor, low=0.0, low_open=True)
        max_lrs = per_group(owner, "max_lr", optimizer, max_lr)
        for v in max_lrs:
            check_real(owner, "max_lr", v, low=0.0)

        self.total_steps = total_steps
        self._phases = _one_cycle_phases(total_steps, pct_start, three_phase)
        ends = [0.0] + [phase[0] for phase in self._phases]
        if any(b <= a for a, b in zip(ends, ends[1:])):
            # PyTorch divides by zero here, or silently starts the schedule mid-way.
            raise ValueError(
                f"{owner}: pct_start={pct_start} with total_steps={total_steps} leaves a phase "
                f"without steps (phases end at steps {ends[1:]}); expected pct_start * "
                f"total_steps > 1{' and pct_start < 0.5' if three_phase else ''} (raise total_steps "
                "or pct_start)"
            )
        self._anneal_strategy = anneal_strategy
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, _, _ = _init_momentum(
                owner, optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Closed in ``last_epoch``; also sets each group's momentum/β1 if cycled."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            # Column 1 of a phase names its start and end rate, column 3 its momenta.
            lrs.append(_one_cycle_value(step, self._phases, group, self._anneal_strategy, 1))
            if self.cycle_momentum:
                m = _one_cycle_value(step, self._phases, group, self._anneal_strategy, 3)
                _set_momentum(group, m, self.use_beta1)
        return lrs

    @staticmethod
    def closed_form(
        step: int,
        max_lr: float,
        total_steps: int,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
    ) -> float:
        """The rate after ``step`` batches (no base_lr argument: α_init comes from max_lr)."""
        initial_lr = max_lr / div_factor
        values = {
            "initial_lr": initial_lr,
            "max_lr": max_lr,
            "min_lr": initial_lr / final_div_factor,
        }
        phases = _one_cycle_phases(total_steps, pct_start, three_phase)
        return _one_cycle_value(step, phases, values, anneal_strategy, 1)

"""The `LRScheduler` base class: PyTorch's stepping protocol for learning-rate schedules.

The protocol, which every schedule here follows:

* constructing a scheduler records each group's starting rate as ``group["initial_lr"]`` (the
  *base* rate α₀ of the formulas, kept in ``scheduler.base_lrs``) and performs the initial step:
  the optimizer's rates are set to the schedule's value at epoch 0 and ``last_epoch`` becomes 0;
* ``scheduler.step()`` is called after ``optimizer.step()`` — once per epoch for most schedules,
  once per batch for OneCycleLR and CyclicLR — and moves ``last_epoch`` on by one;
* ``get_last_lr()`` returns the rates the scheduler last set, one per parameter group.

Two forms of every schedule. Like PyTorch, ``step()`` uses the *chainable* form (``get_lr``): the
new rate is computed from the rate currently in the optimizer, e.g. StepLR multiplies it by γ
when a step boundary passes. Chainable forms compose — two schedulers on one optimizer multiply
their effects (ChainedScheduler) — and they are what PyTorch's numbers come from. Each class also
has a static ``closed_form(epoch, base_lr, **hyperparameters)`` that gives the rate at ``epoch``
directly from the base rate, without an optimizer, for plotting a schedule in a lesson::

    lrs = [StepLR.closed_form(t, 0.1, step_size=10, gamma=0.5) for t in range(50)]

For one scheduler alone the two forms agree to rounding (the tests check it).
"""

from __future__ import annotations

import copy
import types
import warnings
from typing import Any

from minidl.optim._validation import check_int
from minidl.optim.optimizer import Optimizer

__all__ = ["LRScheduler"]


def per_group(owner: str, name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """One value per parameter group: a scalar is repeated, a list must have one per group."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"{owner}: argument `{name}` has {len(value)} values; expected one per parameter "
                f"group ({len(optimizer.param_groups)})"
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


def check_optimizer(owner: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{owner}: argument `optimizer` must be a minidl.optim.Optimizer; "
            f"got {type(optimizer).__name__}"
        )


class LRScheduler:
    """Base class of the learning-rate schedules (see the module docstring for the protocol).

    Args:
        optimizer: the optimizer whose ``param_groups[i]["lr"]`` this scheduler sets.
        last_epoch: the index of the last epoch seen; -1 (the default) starts a new schedule.
            A non-default value resumes one and needs ``initial_lr`` in every group.

    A subclass implements ``get_lr()`` (the chainable form, read after ``last_epoch`` has moved
    on), a static ``closed_form(epoch, base_lr, ...)``, and ``_closed_form_lrs()`` (the closed
    form at ``last_epoch`` for every group; SequentialLR uses it to restart a schedule).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        check_optimizer(owner, optimizer)
        check_int(owner, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{owner}: param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming with last_epoch={last_epoch}; load the optimizer's state first"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step every constructor performs: set the rates for epoch ``last_epoch + 1``."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    # -- what subclasses provide ----------------------------------------------------------------

    def get_lr(self) -> list[float]:
        """The chainable form: each group's rate for ``last_epoch``, from its current rate."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def _closed_form_lrs(self) -> list[float]:
        """The closed form at ``last_epoch`` for every group (default: the chainable form)."""
        return self.get_lr()

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    # -- the protocol -----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one epoch (or one batch, for per-batch schedules) and set the new rates.

        Call it after ``optimizer.step()``. Calling it first skips the schedule's first value,
        which PyTorch warns about; so do we.
        """
        if self._step_count == 1 and getattr(self.optimizer, "_step_count", 1) == 0:
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in "
                "the opposite order: `optimizer.step()` before `lr_scheduler.step()`; otherwise "
                "the first value of the learning rate schedule is skipped.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to ``last_epoch + 1`` with the chainable form, or jump to ``epoch`` with the
        closed form, and write the rates into the optimizer."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._closed_form_lrs()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self) -> list[float]:
        """The rates this scheduler set last, one per parameter group (a copy)."""
        return list(self._last_lr)

    # -- checkpoints ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything in the scheduler except the optimizer (plain numbers and lists).

        Functions (a LambdaLR's lambdas, a CyclicLR's custom scale_fn) are not saved — rebuild the
        scheduler with the same functions, then load; callable objects save their ``__dict__``.
        """
        return self._plain_state(exclude=())

    def _plain_state(self, exclude: tuple[str, ...]) -> dict[str, Any]:
        """A deep copy of the attributes, without the optimizer and the ``exclude`` names."""
        skip = {"optimizer", *exclude}
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in skip}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``; the optimizer's own state is loaded separately."""
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a dict; "
                f"got {type(state_dict).__name__}"
            )
        self.__dict__.update(copy.deepcopy(state_dict))


def functions_state(functions: list[Any]) -> list[dict[str, Any] | None]:
    """What a state dict keeps of user functions: ``None`` for plain functions and lambdas (they
    cannot be saved as data), a copy of ``__dict__`` for callable objects."""
    return [
        None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
        for fn in functions
    ]

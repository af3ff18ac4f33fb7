"""`Trial`: what the objective receives, define-by-run as in Optuna.

The objective asks the trial for each hyperparameter as it needs it::

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        width = trial.suggest_int("width", 16, 256, step=16)
        act = trial.suggest_categorical("act", ["relu", "tanh"])
        for epoch in range(20):
            loss = train_one_epoch(lr, width, act)
            trial.report(loss, epoch)        # intermediate value at step `epoch`
            if trial.should_prune():         # the pruner compares it with other trials
                raise TrialPruned()
        return loss

Where a value comes from, in order: the value already suggested under that name in this trial (the
same space must be asked again: a different space is an error); the value the study fixed before
dispatch (a model-based sampler's relative proposal, for a name whose space matches); otherwise
`sampler.sample_independent(snapshot, trial, name, distribution)`. That last call runs wherever the
objective runs (maybe a worker process or a Dask worker) and sees only the study snapshot taken at
dispatch; see `minidl.search._optimize` for why.
"""

from __future__ import annotations

import datetime
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

from minidl.search.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_choices,
    check_float,
    check_int,
)
from minidl.search.frozen import FrozenTrial, StudySnapshot, TrialState


class Trial:
    """One evaluation of the objective: suggests parameters, records intermediate values.

    Created by `Study.optimize`; user code receives it as the objective's argument.
    """

    def __init__(
        self,
        number: int,
        sampler: Any,
        pruner: Any,
        snapshot: StudySnapshot,
        fixed_params: dict[str, tuple[Any, Any]] | None = None,
        system_attrs: dict[str, Any] | None = None,
    ) -> None:
        self._number = number
        self._sampler = sampler
        self._pruner = pruner
        self._snapshot = snapshot
        # name -> (distribution, value) decided by the study before dispatch (relative sampling)
        self._fixed = dict(fixed_params or {})
        self._params: dict[str, Any] = {}
        self._distributions: dict[str, Any] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = dict(system_attrs or {})
        self._intermediate: dict[int, float] = {}
        self.datetime_start = datetime.datetime.now()

    # ---- suggestions -------------------------------------------------------------------------

    def suggest_float(
        self,
        name: str,
        low: float,
        high: float,
        *,
        step: float | None = None,
        log: bool = False,
    ) -> float:
        """A real hyperparameter in [low, high]: uniform, log-uniform (`log=True`) or on a step grid.

        `step` must divide `high - low`; `log=True` needs low > 0 and no step.
        """
        self._check_name("suggest_float", name)
        msg = check_float(low, high, step, log)
        if msg:
            raise ValueError(f"Trial.suggest_float(name={name!r}): {msg}")
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        """An integer hyperparameter in {low, low + step, ..., high}; log-uniform with `log=True`.

        `step` must divide `high - low`; `log=True` needs low >= 1 and step 1.
        """
        self._check_name("suggest_int", name)
        msg = check_int(low, high, step, log)
        if msg:
            raise ValueError(f"Trial.suggest_int(name={name!r}): {msg}")
        return self._suggest(name, IntDistribution(low, high, log=log, step=step))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        """One of `choices` (None, bool, int, float or str), each equally likely under random search."""
        self._check_name("suggest_categorical", name)
        msg = check_choices(choices)
        if msg:
            raise ValueError(f"Trial.suggest_categorical(name={name!r}): {msg}")
        return self._suggest(name, CategoricalDistribution(tuple(choices)))

    def _check_name(self, fn: str, name: Any) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"Trial.{fn}: argument `name` must be a non-empty str; received {name!r}"
            )

    def _suggest(self, name: str, dist: Any) -> Any:
        if name in self._distributions:
            if self._distributions[name] != dist:
                raise ValueError(
                    f"Trial.suggest_*: parameter {name!r} was already suggested in trial "
                    f"{self._number} as {self._distributions[name]}; it cannot be suggested again "
                    f"with a different space {dist}. Use one space per name within a trial."
                )
            return self._params[name]
        fixed = self._fixed.get(name)
        if fixed is not None and fixed[0] == dist:
            value = fixed[1]
        else:
            value = self._sampler.sample_independent(self._snapshot, self, name, dist)
        value = dist.cast(value)
        self._params[name] = value
        self._distributions[name] = dist
        return value

    # ---- intermediate values and pruning -----------------------------------------------------

    def report(self, value: float, step: int) -> None:
        """Record the objective's intermediate `value` at training step `step` (an int >= 0).

        Pruners read these. Reporting the same step twice keeps the first value and warns, as
        Optuna does.
        """
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise TypeError(f"Trial.report: argument `step` must be an int >= 0; received {step!r}")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"Trial.report: argument `value` must be a float; received {value!r} "
                f"of type {type(value).__name__}"
            ) from None
        step = int(step)
        if step in self._intermediate:
            warnings.warn(
                f"Trial.report: step {step} of trial {self._number} was already reported; "
                "the new value is ignored.",
                stacklevel=2,
            )
            return
        self._intermediate[step] = value

    def should_prune(self) -> bool:
        """Whether the pruner would stop this trial now, judging its intermediate values so far."""
        return bool(self._pruner.prune(self._snapshot, self._frozen_view()))

    def _frozen_view(self) -> FrozenTrial:
        # The pruner gets the live system_attrs dict: successive halving records the value at
        # which this trial passed each rung there (Optuna's pruners write to storage instead).
        return FrozenTrial(
            number=self._number,
            state=TrialState.RUNNING,
            value=None,
            params=dict(self._params),
            distributions=dict(self._distributions),
            user_attrs=dict(self._user_attrs),
            system_attrs=self._system_attrs,
            intermediate_values=dict(self._intermediate),
            datetime_start=self.datetime_start,
        )

    # ---- attributes ----------------------------------------------------------------------------

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a value to this trial (kept in `FrozenTrial.user_attrs` and the trials table)."""
        if not isinstance(key, str):
            raise TypeError(f"Trial.set_user_attr: argument `key` must be a str; received {key!r}")
        self._user_attrs[key] = value

    @property
    def number(self) -> int:
        """The trial's index in its study (0, 1, 2, ... in order of dispatch)."""
        return self._number

    @property
    def params(self) -> dict[str, Any]:
        """Parameters suggested so far, by name."""
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, Any]:
        """The space each parameter was suggested from, by name."""
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """Attributes samplers and pruners keep on the trial (e.g. GridSampler's grid_id)."""
        return self._system_attrs

    @property
    def intermediate_values(self) -> dict[int, float]:
        return dict(self._intermediate)

    def __repr__(self) -> str:
        return f"Trial(number={self._number}, params={self._params})"

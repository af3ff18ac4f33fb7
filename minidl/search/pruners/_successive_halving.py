"""`SuccessiveHalvingPruner`: asynchronous successive halving (ASHA; Li et al. 2020), as in Optuna.

Successive halving spends a fixed budget on many configurations by giving each a little resource
(steps, epochs) and only the best 1/eta of them more, then the best 1/eta of those more again.
The rungs are the resource levels

    r_k = min_resource * eta ** (min_early_stopping_rate + k),    k = 0, 1, 2, ...   (eta = reduction_factor)

The asynchronous version never waits for a rung to fill up: when a trial reports at a step >= r_k
of its next rung k, it records its value there (`system_attrs["completed_rung_k"]`) and is compared
with every value recorded at rung k so far, its own included (n values):

    promote  <=>  value is among the best max(1, n // eta) of the n values     (ties promote)

otherwise it is pruned. A promoted trial goes on until its next rung. With fewer than eta values at
a rung only the best one is promoted, since trials cannot be paused and resumed later. A NaN value
at a rung prunes. `bootstrap_count` > 0 prunes every trial at a rung until more than
`bootstrap_count` values are recorded there. The maximum resource is whatever the objective stops
at: the pruner only ever stops trials early.

`min_resource="auto"` (Optuna's heuristic): max(last step of the first completed trial // 100, 1);
until a trial has completed nothing is pruned. (Optuna fixes the estimate from the completed trials
at its first call; here it is recomputed from the snapshot each time, which gives the same number
when trials run one after another and does not depend on worker state.)

Rung values of other trials come from the snapshot taken at dispatch, so in parallel a trial
competes with the trials that had finished when it started.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minidl.search.frozen import StudyDirection, TrialState
from minidl.search.pruners._base import BasePruner


def _rung_key(rung: int) -> str:
    return f"completed_rung_{rung}"


def _check(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(
            f"SuccessiveHalvingPruner: argument `{name}` must be an int >= {low}; received {value!r}"
        )
    return int(value)


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving over the steps reported with `trial.report`.

    Args:
        min_resource: steps before the first rung (r in the paper), or "auto".
        reduction_factor: eta: about 1/eta of the trials at a rung go on to the next.
        min_early_stopping_rate: s: the first rung is at min_resource * eta**s.
        bootstrap_count: values a rung needs before any trial is promoted from it.
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        if min_resource != "auto":
            min_resource = _check("min_resource", min_resource, 1)
        self._min_resource = min_resource
        self._eta = _check("reduction_factor", reduction_factor, 2)
        self._s = _check("min_early_stopping_rate", min_early_stopping_rate, 0)
        self._bootstrap = _check("bootstrap_count", bootstrap_count, 0)
        if self._bootstrap > 0 and min_resource == "auto":
            raise ValueError(
                "SuccessiveHalvingPruner: bootstrap_count > 0 needs an int min_resource, not "
                f"'auto'; received bootstrap_count={bootstrap_count}"
            )

    def _resource(self, study: Any) -> int | None:
        if self._min_resource != "auto":
            return self._min_resource
        done = [
            t for t in study.get_trials(states=(TrialState.COMPLETE,)) if t.last_step is not None
        ]
        if not done:
            return None
        first = min(done, key=lambda t: t.number)
        return max(first.last_step // 100, 1)

    def prune(self, study: Any, trial: Any) -> bool:
        step = trial.last_step
        if step is None:
            return False
        r = self._resource(study)
        if r is None:
            return False
        value = trial.intermediate_values[step]
        rung = 0
        while _rung_key(rung) in trial.system_attrs:  # rungs this trial has already passed
            rung += 1
        # A report can cross several rungs at once (e.g. a trial that reports every 10 steps):
        # it must win at each of them in turn.
        while step >= r * self._eta ** (self._s + rung):
            if math.isnan(value):
                return True
            key = _rung_key(rung)
            trial.system_attrs[key] = value
            competing = [t.system_attrs[key] for t in study.trials if key in t.system_attrs]
            competing.append(value)
            if len(competing) <= self._bootstrap:
                return True
            if not self._promotable(value, competing, study.direction):
                return True
            rung += 1
        return False

    def _promotable(self, value: float, competing: list[float], direction: Any) -> bool:
        """Whether `value` is among the best max(1, n // eta) of the n competing values."""
        k = max(len(competing) // self._eta, 1)
        ranked = sorted(competing)
        if direction == StudyDirection.MAXIMIZE:
            return value >= ranked[-k]
        return value <= ranked[k - 1]

    def __repr__(self) -> str:
        return (
            f"SuccessiveHalvingPruner(min_resource={self._min_resource!r}, reduction_factor="
            f"{self._eta}, min_early_stopping_rate={self._s})"
        )

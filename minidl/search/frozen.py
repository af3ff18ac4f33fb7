"""Plain records: a finished trial (Optuna's `FrozenTrial`), trial states, the study's direction,
the snapshot of a study that travels with a trial to a worker, and `TrialPruned`.

A `FrozenTrial` is plain data (picklable, no back-reference to the study): the number, state and
value, the parameters with their distributions, the intermediate values reported with
`Trial.report`, user and system attributes, and the start and end times. A failed trial keeps its
error text in `system_attrs["fail_reason"]` (Optuna's key), also readable as `trial.error`.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field
from typing import Any


class TrialState(enum.IntEnum):
    """Life cycle of a trial (Optuna's values): RUNNING, then COMPLETE, PRUNED or FAIL."""

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def is_finished(self) -> bool:
        """COMPLETE, PRUNED and FAIL are final; RUNNING and WAITING are not."""
        return self in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


class TrialPruned(Exception):
    """Raise from the objective (usually after `trial.should_prune()`) to stop a trial early.

    The trial is recorded as PRUNED with its last reported intermediate value as its value; the
    study goes on.
    """


@dataclass
class FrozenTrial:
    """The record of one trial: what was tried, what it scored, what happened on the way."""

    number: int
    state: TrialState
    value: float | None
    params: dict[str, Any] = field(default_factory=dict)
    distributions: dict[str, Any] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    system_attrs: dict[str, Any] = field(default_factory=dict)
    intermediate_values: dict[int, float] = field(default_factory=dict)
    datetime_start: datetime.datetime | None = None
    datetime_complete: datetime.datetime | None = None

    @property
    def values(self) -> list[float] | None:
        """`[value]` (Optuna's multi-objective spelling), or None when there is no value."""
        return None if self.value is None else [self.value]

    @property
    def duration(self) -> datetime.timedelta | None:
        """Wall time from start to completion, or None while the trial has not finished."""
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def last_step(self) -> int | None:
        """The largest step reported with `Trial.report`, or None if nothing was reported."""
        return max(self.intermediate_values) if self.intermediate_values else None

    @property
    def error(self) -> str | None:
        """Why a FAIL trial failed (exception type, message and traceback), else None."""
        return self.system_attrs.get("fail_reason")

    def __repr__(self) -> str:
        value = "None" if self.value is None else f"{self.value:.6g}"
        return (
            f"FrozenTrial(number={self.number}, state={self.state.name}, value={value}, "
            f"params={self.params})"
        )


class StudyDirection(enum.IntEnum):
    """Whether the study minimises or maximises the objective (Optuna's values)."""

    MINIMIZE = 1
    MAXIMIZE = 2


@dataclass(frozen=True)
class StudySnapshot:
    """The study as a running trial sees it: its direction and the trials finished at dispatch.

    Samplers' `sample_independent` and pruners' `prune` receive this instead of the live study, in
    the main process and on workers alike, so their answers cannot depend on where the trial runs.
    """

    study_name: str
    direction: StudyDirection
    trials: tuple[FrozenTrial, ...] = ()

    def get_trials(self, deepcopy: bool = False, states: Any = None) -> list[FrozenTrial]:
        """The snapshot's trials, optionally only those whose state is in `states`."""
        if states is None:
            return list(self.trials)
        return [t for t in self.trials if t.state in tuple(states)]

"""`Study` and `create_study`: a search over one objective, Optuna's interface.

    import minidl.search as search        # where Optuna code says `import optuna as search`

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        return (x - 2) ** 2

    study = search.create_study(direction="minimize", sampler=search.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=50)
    study.best_params                     # {'x': 2.03...}

A study holds the trials in memory (no storage backend), in the order they were created. Its
defaults follow Optuna's where we have the piece: MedianPruner() when no pruner is given; the
default sampler is RandomSampler() (Optuna's is TPE, which minidl does not implement).
"""

from __future__ import annotations

import copy
import datetime
import numbers
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from minidl.search import _optimize
from minidl.search.frozen import FrozenTrial, StudyDirection, StudySnapshot, TrialState
from minidl.search.pruners import BasePruner, MedianPruner
from minidl.search.samplers import BaseSampler, RandomSampler
from minidl.search.trial import Trial


def _direction(where: str, direction: Any) -> StudyDirection:
    if isinstance(direction, StudyDirection):
        return direction
    if direction in ("minimize", "maximize"):
        return StudyDirection.MINIMIZE if direction == "minimize" else StudyDirection.MAXIMIZE
    raise ValueError(
        f"{where}: argument `direction` must be 'minimize' or 'maximize'; received {direction!r}"
    )


class Study:
    """A set of trials of one objective, and the sampler and pruner that choose and stop them."""

    def __init__(
        self,
        study_name: str | None = None,
        direction: str | StudyDirection = "minimize",
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        self._direction = _direction("Study", direction)
        for arg, obj, base in (("sampler", sampler, BaseSampler), ("pruner", pruner, BasePruner)):
            if obj is not None and not hasattr(
                obj, "sample_independent" if base is BaseSampler else "prune"
            ):
                raise TypeError(
                    f"create_study: argument `{arg}` must be a {base.__name__} (from "
                    f"minidl.search.{arg}s); received {obj!r}"
                )
        self.sampler = sampler if sampler is not None else RandomSampler()
        self.pruner = pruner if pruner is not None else MedianPruner()
        self.study_name = study_name or f"no-name-{uuid.uuid4()}"
        self._trials: list[FrozenTrial] = []
        self._finished: list[FrozenTrial] = []
        self._user_attrs: dict[str, Any] = {}
        self._stop_flag = False
        self._asked: dict[int, Trial] = {}

    # ---- running -----------------------------------------------------------------------------

    def optimize(
        self,
        objective: Callable[[Any], float],
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        executor: Any = None,
        callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
        show_progress_bar: bool = False,
        catch: Iterable[type[Exception]] | type[Exception] = (),
    ) -> None:
        """Run trials of `objective` until `n_trials` have run in this call, `timeout` seconds have
        passed (checked before each new trial), or `study.stop()` is called (GridSampler does when
        the grid is done). With neither limit it runs until stopped.

        Args:
            objective: `objective(trial) -> float`.
            n_jobs: 1 runs trials here; k > 1 on a pool of k spawned processes; -1 one per core.
            executor: any `concurrent.futures.Executor` (e.g. a Dask client's `get_executor()`);
                trials run there and `n_jobs` is ignored.
            callbacks: each called as `callback(study, frozen_trial)` after every trial.
            catch: exception types that make a trial FAIL without stopping the study.

        See `minidl.search._optimize` for where suggestions are made and what must be picklable.
        """
        if not callable(objective):
            raise TypeError(
                f"Study.optimize: argument `objective` must be callable; received {objective!r}"
            )
        if n_trials is not None and (
            isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral) or n_trials < 0
        ):
            raise ValueError(
                f"Study.optimize: argument `n_trials` must be an int >= 0 or None; received {n_trials!r}"
            )
        if timeout is not None and (not isinstance(timeout, numbers.Real) or timeout < 0):
            raise ValueError(
                f"Study.optimize: argument `timeout` must be a number >= 0 or None; received {timeout!r}"
            )
        if (
            isinstance(n_jobs, bool)
            or not isinstance(n_jobs, numbers.Integral)
            or not (n_jobs >= 1 or n_jobs == -1)
        ):
            raise ValueError(
                f"Study.optimize: argument `n_jobs` must be an int >= 1 or -1; received {n_jobs!r}"
            )
        if executor is not None and not callable(getattr(executor, "submit", None)):
            raise TypeError(
                "Study.optimize: argument `executor` must be a concurrent.futures.Executor "
                f"(with a submit method); received {executor!r}"
            )
        catch = (catch,) if isinstance(catch, type) else tuple(catch)
        for c in catch:
            if not (isinstance(c, type) and issubclass(c, BaseException)):
                raise TypeError(
                    f"Study.optimize: argument `catch` must hold exception classes; received {c!r}"
                )
        callbacks = list(callbacks or [])
        self._stop_flag = False
        _optimize.optimize(
            self, objective, n_trials, timeout, int(n_jobs), executor, callbacks,
            show_progress_bar, catch,
        )  # fmt: skip

    def ask(self) -> Trial:
        """A new trial to evaluate by hand (Optuna's ask-and-tell); finish it with `tell`.

        Runs in this process: the sampler prepares it exactly as `optimize` would.
        """
        trial = _optimize.make_trial(self._new_request(remote=False))
        self._asked[trial.number] = trial
        return trial

    def tell(
        self,
        trial: Trial | int,
        values: float | None = None,
        state: TrialState | None = None,
    ) -> FrozenTrial:
        """Finish an asked trial with its value (COMPLETE), or with state PRUNED or FAIL.

        A value that is NaN or not a number makes the trial FAIL, as in `optimize`.
        """
        number = trial if isinstance(trial, int) else getattr(trial, "number", None)
        live = self._asked.pop(number, None)
        if live is None:
            raise ValueError(
                f"Study.tell: trial {number!r} was not created by this study's ask(), or was "
                "already told"
            )
        reason = None
        if state is None or state == TrialState.COMPLETE:
            if values is None:
                self._asked[number] = live
                raise ValueError("Study.tell: a COMPLETE trial needs `values`; received None")
            values, reason = _optimize.as_value(values)
            state = TrialState.COMPLETE if reason is None else TrialState.FAIL
        elif state == TrialState.FAIL:
            values, reason = None, "told FAIL"
        elif state != TrialState.PRUNED:
            self._asked[number] = live
            raise ValueError(
                f"Study.tell: argument `state` must be COMPLETE, PRUNED or FAIL; received {state!r}"
            )
        frozen = _optimize.freeze(live, state, values, reason)
        self._record(frozen)
        return copy.deepcopy(frozen)

    def stop(self) -> None:
        """Start no new trials; `optimize` returns once the running ones have finished."""
        self._stop_flag = True

    def _new_request(self, remote: bool) -> _optimize.TrialRequest:
        """Create the next trial here in the main process and prepare what its worker needs."""
        number = len(self._trials)
        trial = FrozenTrial(
            number, TrialState.RUNNING, None, datetime_start=datetime.datetime.now()
        )
        self._trials.append(trial)
        self.sampler.before_trial(self, trial)
        space = self.sampler.infer_relative_search_space(self, trial)
        relative = self.sampler.sample_relative(self, trial, space) if space else {}
        trial.params = dict(relative)
        trial.distributions = {name: space[name] for name in relative}
        finished = tuple(self._finished)  # a C-level copy: O(n) but cheap, even at 10^4 trials
        return _optimize.TrialRequest(
            number=number,
            sampler=self.sampler,
            pruner=self.pruner,
            snapshot=StudySnapshot(self.study_name, self._direction, finished),
            fixed_params={name: (space[name], v) for name, v in relative.items()},
            system_attrs=dict(trial.system_attrs),
            remote=remote,
        )

    def _record(self, frozen: FrozenTrial) -> None:
        """Store a finished trial in place of its RUNNING stub and tell the sampler."""
        self._trials[frozen.number] = frozen
        self._finished.append(frozen)  # in order of completion
        self.sampler.after_trial(self, frozen, frozen.state, frozen.values)

    # ---- results -----------------------------------------------------------------------------

    @property
    def direction(self) -> StudyDirection:
        return self._direction

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial (any state), by number; copies, so editing them does not change the study."""
        return self.get_trials(deepcopy=True)

    def get_trials(
        self, deepcopy: bool = True, states: Iterable[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Trials by number, optionally only those whose state is in `states`."""
        trials = (
            self._trials
            if states is None
            else [t for t in self._trials if t.state in tuple(states)]
        )
        return copy.deepcopy(trials) if deepcopy else list(trials)

    @property
    def best_trial(self) -> FrozenTrial:
        """The COMPLETE trial with the lowest value (highest when maximising); the earliest on ties."""
        done = [t for t in self._trials if t.state == TrialState.COMPLETE]
        if not done:
            raise ValueError(
                "Study.best_trial: no trials are completed yet (failed and pruned trials do not "
                "count); run study.optimize first."
            )
        sign = 1.0 if self._direction == StudyDirection.MINIMIZE else -1.0
        return copy.deepcopy(min(done, key=lambda t: (sign * t.value, t.number)))

    @property
    def best_params(self) -> dict[str, Any]:
        return self.best_trial.params

    @property
    def best_value(self) -> float:
        return self.best_trial.value

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def trials_table(self) -> Any:
        """One row per trial: a pandas DataFrame if pandas is installed, else a list of dicts.

        Columns (Optuna's `trials_dataframe` names): number, value, datetime_start,
        datetime_complete, duration, params_<name>..., user_attrs_<name>..., state.
        """
        rows = self._rows()
        try:
            import pandas as pd
        except ImportError:
            return rows
        return pd.DataFrame(rows)

    def trials_dataframe(self) -> Any:
        """The trials table as a pandas DataFrame (Optuna's name); needs pandas."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "Study.trials_dataframe needs pandas (pip install pandas); "
                "study.trials_table() gives the same rows as a list of dicts without it."
            ) from None
        return pd.DataFrame(self._rows())

    def _rows(self) -> list[dict[str, Any]]:
        names = sorted({n for t in self._trials for n in t.params})
        attrs = sorted({a for t in self._trials for a in t.user_attrs})
        rows = []
        for t in self._trials:
            row: dict[str, Any] = {
                "number": t.number,
                "value": t.value,
                "datetime_start": t.datetime_start,
                "datetime_complete": t.datetime_complete,
                "duration": t.duration,
            }
            row.update({f"params_{n}": t.params.get(n) for n in names})
            row.update({f"user_attrs_{a}": t.user_attrs.get(a) for a in attrs})
            row["state"] = t.state.name
            rows.append(row)
        return rows

    def __repr__(self) -> str:
        return (
            f"Study(study_name={self.study_name!r}, direction={self._direction.name}, "
            f"sampler={self.sampler!r}, pruner={self.pruner!r}, n_trials={len(self._trials)})"
        )


def create_study(
    *,
    storage: Any = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    load_if_exists: bool = False,
    directions: list[str] | None = None,
) -> Study:
    """A new in-memory study (Optuna's signature; `storage` must be None).

    Args:
        sampler: default RandomSampler().
        pruner: default MedianPruner() (Optuna's default).
        direction: "minimize" (default) or "maximize".
        directions: accepted only with one element (single-objective).
    """
    if storage is not None:
        raise ValueError(
            "create_study: argument `storage` is not supported (minidl studies live in memory); "
            f"received storage={storage!r}"
        )
    if directions is not None:
        if direction is not None or len(directions) != 1:
            raise ValueError(
                "create_study: minidl.search is single-objective: pass one `direction`; received "
                f"direction={direction!r}, directions={directions!r}"
            )
        direction = directions[0]
    return Study(
        study_name=study_name,
        direction=_direction("create_study", "minimize" if direction is None else direction),
        sampler=sampler,
        pruner=pruner,
    )

"""`MedianPruner`: the median stopping rule (Golovin et al. 2017, Google Vizier), as in Optuna.

At a step t where the trial reported, stop it if its best intermediate value so far is worse than the
median of the values that completed trials reported at that same step t:

    prune  <=>  best_{s <= t} v_trial(s)  >  median{ v_c(t) : c completed, c reported at t }   (minimise)
    prune  <=>  max_{s <= t}  v_trial(s)  <  median{ ... }                                      (maximise)

It does not prune (returns False):
- while fewer than `n_startup_trials` trials have COMPLETEd (the median of few trials is noise);
- at steps t < `n_warmup_steps` (early learning curves cross);
- unless t is the first reported step at or past a checkpoint n_warmup_steps + k * interval_steps
  (so a trial reporting every step is judged every `interval_steps` steps);
- when fewer than `n_min_trials` completed trials reported at step t.

NaN handling (Optuna's): a trial whose intermediate values are all NaN is pruned; NaNs of the
completed trials are left out of the median. Only COMPLETE trials form the median: pruned trials
stopped early, and including them would bias the median towards bad curves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minidl.search.frozen import StudyDirection, TrialState
from minidl.search.pruners._base import BasePruner


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(
            f"MedianPruner: argument `{name}` must be an int >= {low}; received {value!r}"
        )
    return int(value)


class MedianPruner(BasePruner):
    """Prune a trial whose best intermediate value is worse than the median at the same step.

    Args:
        n_startup_trials: no pruning until this many trials have completed.
        n_warmup_steps: no pruning at steps below this.
        interval_steps: judge at most once per this many steps (after the warm-up).
        n_min_trials: completed trials needed at a step for its median to count.
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        self._n_startup_trials = _check_int("n_startup_trials", n_startup_trials, 0)
        self._n_warmup_steps = _check_int("n_warmup_steps", n_warmup_steps, 0)
        self._interval_steps = _check_int("interval_steps", interval_steps, 1)
        self._n_min_trials = _check_int("n_min_trials", n_min_trials, 1)

    def prune(self, study: Any, trial: Any) -> bool:
        completed = study.get_trials(states=(TrialState.COMPLETE,))
        if not completed or len(completed) < self._n_startup_trials:
            return False
        step = trial.last_step
        if step is None or step < self._n_warmup_steps:
            return False
        if not self._is_checkpoint(step, trial.intermediate_values):
            return False
        maximize = study.direction == StudyDirection.MAXIMIZE
        own = np.asarray(list(trial.intermediate_values.values()), dtype=float)
        if np.all(np.isnan(own)):
            return True
        best = float(np.nanmax(own) if maximize else np.nanmin(own))
        at_step = [t.intermediate_values[step] for t in completed if step in t.intermediate_values]
        if len(at_step) < self._n_min_trials:
            return False
        at_step = np.asarray(at_step, dtype=float)
        if np.all(np.isnan(at_step)):
            return False
        median = float(np.nanmedian(at_step))
        return best < median if maximize else best > median

    def _is_checkpoint(self, step: int, reported: dict[int, float]) -> bool:
        """Whether `step` is the first reported step at or after its checkpoint.

        Checkpoints are n_warmup_steps + k * interval_steps. With reports at every step and
        interval 10 (warm-up 0) the trial is judged at steps 0, 10, 20, ...; with reports only at
        odd steps it is judged at 1, 11, 21, ... (the first report past each checkpoint).
        """
        w, k = self._n_warmup_steps, self._interval_steps
        checkpoint = (step - w) // k * k + w
        earlier = [s for s in reported if s < step]
        return not earlier or max(earlier) < checkpoint

    def __repr__(self) -> str:
        return (
            f"MedianPruner(n_startup_trials={self._n_startup_trials}, n_warmup_steps="
            f"{self._n_warmup_steps}, interval_steps={self._interval_steps})"
        )

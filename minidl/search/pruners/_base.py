"""`BasePruner`: decides, from a running trial's intermediate values, whether to stop it early.

`prune(study, trial) -> bool` is called by `Trial.should_prune()` where the objective runs. `study`
is the `StudySnapshot` taken when the trial was dispatched (its direction and the trials finished
by then); `trial` is a `FrozenTrial` view of the running trial (state RUNNING) whose
`intermediate_values` hold what it reported so far. A pruner may write to `trial.system_attrs` (it
is the running trial's own dict) to remember decisions, as successive halving does.
"""

from __future__ import annotations

from typing import Any


class BasePruner:
    """Base class of pruners: override `prune`."""

    def prune(self, study: Any, trial: Any) -> bool:
        """True to stop `trial` now (the objective then raises `TrialPruned`)."""
        raise NotImplementedError(f"{type(self).__name__} must implement prune")

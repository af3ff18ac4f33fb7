"""`BaseSampler`: the protocol every sampler follows (Optuna's, with one rule added).

A sampler answers "what should trial n try?" in two ways:

- relative: before a trial is dispatched, the study (main process) calls
  `infer_relative_search_space(study, trial)` and, if that space is not empty,
  `sample_relative(study, trial, space)`; the returned params are fixed on the trial before the
  objective runs. Model-based samplers (GP) work here: they see the whole live study, including
  the trials still running.
- independent: when the objective suggests a name the relative step did not fix,
  `sample_independent(snapshot, trial, name, distribution)` is called where the objective runs
  (maybe a worker). The rule added to Optuna's protocol: its answer may depend only on the sampler's
  own constructor arguments, `trial.number`, `trial.system_attrs` (set in `before_trial`) and the
  snapshot of finished trials it is handed -- never on hidden state mutated during the study --
  so the draw is the same on any executor.

`before_trial(study, trial)` runs in the main process as the trial is created (GridSampler assigns
the grid point there); `after_trial(study, trial, state, value)` when its result is recorded.
"""

from __future__ import annotations

from typing import Any


class BaseSampler:
    """Base class of samplers: override `sample_independent`, and the relative pair if needed."""

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
        """The name -> distribution space to sample jointly for `trial`; empty by default."""
        return {}

    def sample_relative(
        self, study: Any, trial: Any, search_space: dict[str, Any]
    ) -> dict[str, Any]:
        """Values for the names of `search_space`, chosen jointly; none by default."""
        return {}

    def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any):
        """A value of `param_distribution` for `param_name` in `trial`."""
        raise NotImplementedError(f"{type(self).__name__} must implement sample_independent")

    def before_trial(self, study: Any, trial: Any) -> None:
        """Called in the main process when `trial` is created, before anything is sampled."""

    def after_trial(self, study: Any, trial: Any, state: Any, values: list[float] | None) -> None:
        """Called in the main process once `trial`'s result has been recorded."""

    def reseed_rng(self) -> None:
        """Draw a fresh seed (Optuna calls this per worker; our draws are keyed by trial number)."""

"""`GridSampler`: grid search, every combination of the given values exactly once.

`search_space` maps each parameter name to the list of values to try. The grid is the Cartesian
product in a stated order: names in the dict's order, the last name varying fastest (like nested for
loops, or `itertools.product`)::

    GridSampler({"lr": [0.1, 0.01], "width": [32, 64, 128]})
    # trial 0: lr=0.1, width=32; trial 1: lr=0.1, width=64; ... trial 5: lr=0.01, width=128

With `seed` the same grid is visited in a seeded random order instead (Optuna always shuffles; we
keep the readable order unless asked).

The grid point is assigned in the main process when a trial is created (`before_trial` stores its
index as `system_attrs["grid_id"]`), so parallel trials never share a point and the set of trials
is the same on any executor. When the last unvisited point has been handed out the sampler calls
`study.stop()`: the study finishes the running trials and ends, so `optimize(objective)` without
`n_trials` runs the whole grid. Calling `optimize` again on an exhausted grid re-evaluates points
from the start of the grid, with a warning (as Optuna does).

A grid value is returned as given even if it lies outside the range the objective passes to
`suggest_*` (Optuna's behaviour, with a warning); a name the objective suggests that is not in the
grid is an error. Cost: the grid has prod(len(values)) points, exponential in the number of names --
why random search is preferred beyond two or three hyperparameters.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minidl.search.distributions import check_choices
from minidl.search.samplers._base import BaseSampler
from minidl.search.samplers._random import check_seed


class GridSampler(BaseSampler):
    """Exhaustive search over `search_space` (name -> list of values), in product order.

    Args:
        search_space: dict name -> non-empty sequence of None/bool/int/float/str values.
        seed: None for product order (last name fastest); an int for a seeded shuffle of it.
    """

    def __init__(self, search_space: Mapping[str, Sequence[Any]], seed: int | None = None) -> None:
        if not isinstance(search_space, Mapping) or not search_space:
            raise ValueError(
                "GridSampler: argument `search_space` must be a non-empty dict name -> list of "
                f"values; received {search_space!r}"
            )
        for name, values in search_space.items():
            msg = check_choices(values)
            if not isinstance(name, str) or msg:
                raise ValueError(
                    f"GridSampler: search_space[{name!r}] is not valid: "
                    f"{msg or 'names must be str'}"
                )
        self._names = list(search_space)
        self._search_space = {k: list(v) for k, v in search_space.items()}
        self._grid = list(itertools.product(*self._search_space.values()))
        if seed is not None:
            order = np.random.default_rng(check_seed("GridSampler", seed)).permutation(
                len(self._grid)
            )
            self._grid = [self._grid[i] for i in order]

    @property
    def grid(self) -> list[dict[str, Any]]:
        """The grid points in the order they are tried."""
        return [dict(zip(self._names, point)) for point in self._grid]

    def before_trial(self, study: Any, trial: Any) -> None:
        taken = {t.system_attrs["grid_id"] for t in study.trials if "grid_id" in t.system_attrs}
        free = [i for i in range(len(self._grid)) if i not in taken]
        if free:
            grid_id = free[0]
        else:
            grid_id = trial.number % len(self._grid)
            warnings.warn(
                f"GridSampler: all {len(self._grid)} grid points were already tried; trial "
                f"{trial.number} re-evaluates point {grid_id}.",
                stacklevel=2,
            )
        trial.system_attrs["grid_id"] = grid_id
        if len(free) <= 1:
            study.stop()  # that was the last unvisited point: finish running trials and end

    def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any):
        if param_name not in self._search_space:
            raise ValueError(
                f"GridSampler: the objective suggested {param_name!r}, which is not in the grid's "
                f"search_space (names: {self._names}); add it to the search_space."
            )
        value = self._grid[trial.system_attrs["grid_id"]][self._names.index(param_name)]
        if not param_distribution.contains(value):
            warnings.warn(
                f"GridSampler: grid value {param_name}={value!r} is outside the suggested "
                f"space {param_distribution}; it is used as given.",
                stacklevel=2,
            )
        return value

    def __repr__(self) -> str:
        return f"GridSampler({self._search_space})"

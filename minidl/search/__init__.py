"""minidl.search: hyperparameter search with Optuna's interface and module layout.

An objective written for Optuna runs here with only its import changed::

    import minidl.search as optuna       # instead of `import optuna`

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        return (x - 2) ** 2

    study = optuna.create_study()
    study.optimize(objective, n_trials=100)

- `create_study`, `Study` (optimize, best_trial/best_params/best_value, trials, trials_table, stop)
- `Trial` (suggest_float/int/categorical, report, should_prune, set_user_attr), `FrozenTrial`,
  `TrialState`, `TrialPruned`, `StudyDirection`
- `samplers`: GridSampler, RandomSampler, GPSampler (Bayesian optimisation)
- `pruners`: MedianPruner, SuccessiveHalvingPruner, NopPruner
- trials in this process, on a process pool (`n_jobs=k`) or on any `concurrent.futures.Executor`,
  including a Dask cluster (`executor=client.get_executor()`); see `minidl.search._optimize`.
"""

from minidl.search import distributions, pruners, samplers
from minidl.search.frozen import FrozenTrial, StudyDirection, TrialPruned, TrialState
from minidl.search.study import Study, create_study
from minidl.search.trial import Trial

__all__ = [
    "FrozenTrial",
    "Study",
    "StudyDirection",
    "Trial",
    "TrialPruned",
    "TrialState",
    "create_study",
    "distributions",
    "pruners",
    "samplers",
]

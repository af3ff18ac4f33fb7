"""The same objective code runs on Optuna and on minidl.search; the pruners decide alike.

Marked `optuna`; skipped when Optuna is not installed. Each helper takes the library module, so the
objective is literally the same code with `lib` = `optuna` or `minidl.search`.
"""

import importlib.util
import math

import pytest

from minidl import search

pytestmark = [
    pytest.mark.optuna,
    pytest.mark.skipif(
        importlib.util.find_spec("optuna") is None, reason="optuna is not installed"
    ),
]


@pytest.fixture(scope="module")
def optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def make_objective(lib):
    def objective(trial):
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        width = trial.suggest_int("width", 8, 64, step=8)
        act = trial.suggest_categorical("act", ["relu", "tanh"])
        loss = 0.0
        for epoch in range(4):
            loss = (math.log10(lr) + 1.5) ** 2 + 8 / width + (act == "tanh") + 1 / (epoch + 1)
            trial.report(loss, epoch)
            if trial.should_prune():
                raise lib.TrialPruned()
        trial.set_user_attr("width_x2", 2 * width)
        return loss

    return objective


GRID = {"lr": [1e-3, 1e-2, 1e-1], "width": [8, 32], "act": ["relu", "tanh"]}


def _records(study):
    return sorted(
        (
            tuple(sorted(t.params.items())),
            t.value,
            t.state.name,
            tuple(sorted(t.intermediate_values.items())),
            tuple(sorted(t.user_attrs.items())),
        )
        for t in study.trials
    )


def test_grid_objective_gives_the_same_trials_on_both(optuna):
    def run(lib):
        study = lib.create_study(
            sampler=lib.samplers.GridSampler(GRID), pruner=lib.pruners.NopPruner()
        )
        study.optimize(make_objective(lib))
        return study

    ours, theirs = run(search), run(optuna)
    assert len(ours.trials) == len(theirs.trials) == 12
    assert _records(ours) == _records(theirs)
    assert ours.best_params == theirs.best_params and ours.best_value == theirs.best_value


def test_optuna_quadratic_example_on_both(optuna):
    def run(lib):
        def objective(trial):
            x = trial.suggest_float("x", -10, 10)
            return (x - 2) ** 2

        study = lib.create_study(sampler=lib.samplers.RandomSampler(seed=0))
        study.optimize(objective, n_trials=60)
        return study

    for study in (run(search), run(optuna)):
        assert abs(study.best_params["x"] - 2) < 1 and len(study.trials) == 60


# scripted curves by trial number: the sampler is irrelevant, so both studies see the same values
CURVES = [[3.0, 2.5, 2.4, 2.3], [1.0, 0.9, 0.8, 0.7], [2.0, 1.9, 1.0, 0.5], [4.0, 3.0, 2.0, 1.0],
          [0.5, 0.5, 0.5, 0.5], [2.6, 2.6, 2.6, 2.6], [0.9, 0.8, 0.75, 0.6], [math.nan, 1.0, 1.0, 1.0],
          [5.0, 0.1, 0.1, 0.1], [1.0, 1.0, 1.0, 1.0], [0.2, 0.3, 0.4, 0.5], [3.0, 3.0, 0.0, 0.0]]  # fmt: skip


def _scripted(lib, pruner_factory, direction):
    def objective(trial):
        trial.suggest_float("unused", 0, 1)
        curve = CURVES[trial.number]
        for step, v in enumerate(curve):
            trial.report(v, step)
            if trial.should_prune():
                raise lib.TrialPruned()
        return curve[-1]

    study = lib.create_study(direction=direction, pruner=pruner_factory(lib.pruners))
    study.optimize(objective, n_trials=len(CURVES))
    return [(t.state.name, t.last_step) for t in study.trials]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize(
    "pruner_factory",
    [
        lambda p: p.MedianPruner(n_startup_trials=2),
        lambda p: p.MedianPruner(n_startup_trials=1, n_warmup_steps=1, interval_steps=2),
        lambda p: p.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        lambda p: p.SuccessiveHalvingPruner(
            min_resource=1, reduction_factor=3, min_early_stopping_rate=1
        ),
    ],
)
def test_pruners_decide_as_optuna_does(optuna, pruner_factory, direction):
    ours = _scripted(search, pruner_factory, direction)
    assert ours == _scripted(optuna, pruner_factory, direction)
    assert any(state == "PRUNED" for state, _ in ours)  # the case exercises pruning at all

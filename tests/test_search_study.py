"""Study and Trial: Optuna's API and semantics, bad arguments, failed trials."""

import math

import pytest

import minidl.search as optuna  # an Optuna objective runs with only this import changed
from minidl import search
from minidl.search import TrialState
from minidl.search.samplers import RandomSampler


def _study(**kw):
    kw.setdefault("sampler", RandomSampler(seed=0))
    kw.setdefault("pruner", search.pruners.NopPruner())
    return search.create_study(**kw)


def test_optuna_quadratic_example_runs_unchanged():
    # Optuna's first tutorial example, verbatim but for the import
    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        return (x - 2) ** 2

    study = optuna.create_study()
    study.optimize(objective, n_trials=100)
    best = study.best_params
    assert abs(best["x"] - 2) < 1.0
    assert study.best_value == min(t.value for t in study.trials)
    assert study.best_value == pytest.approx((best["x"] - 2) ** 2)


def test_best_trial_follows_direction_and_ignores_non_complete_trials():
    values = [3.0, 1.0, float("nan"), 5.0, 1.0]

    def objective(trial):
        trial.suggest_float("x", 0, 1)
        return values[trial.number]

    lo, hi = _study(), _study(direction="maximize")
    lo.optimize(objective, n_trials=5)
    hi.optimize(objective, n_trials=5)
    assert lo.best_value == 1.0 and lo.best_trial.number == 1  # earliest of the ties
    assert hi.best_value == 5.0 and hi.best_trial.number == 3
    assert lo.trials[2].state == TrialState.FAIL and "nan" in lo.trials[2].error
    assert lo.direction == search.StudyDirection.MINIMIZE


def test_best_trial_without_completed_trials_is_a_clear_error():
    study = _study()
    with pytest.raises(ValueError, match="no trials are completed"):
        _ = study.best_trial


def test_trial_records_params_user_attrs_intermediate_values_and_times():
    def objective(trial):
        a = trial.suggest_float("a", 1e-3, 1.0, log=True)
        n = trial.suggest_int("n", 1, 9, step=2)
        c = trial.suggest_categorical("c", ["p", "q"])
        assert trial.suggest_float("a", 1e-3, 1.0, log=True) == a  # same space: same value
        trial.set_user_attr("note", f"{c}{n}")
        for step in range(3):
            trial.report(a * step, step)
        assert trial.number == trial.params["n"] * 0 + trial.number
        return a * n

    study = _study()
    study.optimize(objective, n_trials=4)
    t = study.trials[2]
    assert t.number == 2 and t.state == TrialState.COMPLETE
    assert set(t.params) == {"a", "n", "c"}
    assert t.params["n"] in {1, 3, 5, 7, 9} and isinstance(t.params["n"], int)
    assert t.user_attrs == {"note": f"{t.params['c']}{t.params['n']}"}
    assert t.intermediate_values == {s: t.params["a"] * s for s in range(3)}
    assert t.last_step == 2 and t.value == pytest.approx(t.params["a"] * t.params["n"])
    assert t.duration is not None and t.duration.total_seconds() >= 0
    assert isinstance(t.distributions["a"], search.distributions.FloatDistribution)


def test_trials_table_has_optuna_columns():
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    rows = study.trials_table()
    rows = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    assert [r["number"] for r in rows] == [0, 1, 2]
    assert {"value", "params_x", "state", "duration"} <= set(rows[0])
    assert rows[1]["params_x"] == study.trials[1].params["x"] and rows[1]["state"] == "COMPLETE"


# ---- failures --------------------------------------------------------------------------------


def test_caught_exception_fails_the_trial_and_the_study_goes_on():
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 2:
            raise ArithmeticError(f"odd trial {trial.number}")
        return x

    study = _study()
    study.optimize(objective, n_trials=6, catch=(ArithmeticError,))
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE, TrialState.FAIL] * 3
    assert "ArithmeticError: odd trial 3" in study.trials[3].error
    assert study.trials[3].value is None and "x" in study.trials[3].params


def test_uncaught_exception_is_reraised_after_recording_the_failed_trial():
    def objective(trial):
        trial.suggest_float("x", 0, 1)
        if trial.number == 2:
            raise KeyError("boom")
        return 0.0

    study = _study()
    with pytest.raises(KeyError, match="boom"):
        study.optimize(objective, n_trials=10, catch=(ValueError,))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]
    assert "KeyError" in study.trials[2].error


def test_non_numeric_and_multi_values_fail_without_stopping():
    outs = [None, "abc", (1.0, 2.0), [4.0], math.inf]
    study = _study()
    study.optimize(lambda t: outs[t.number], n_trials=5)
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL] * 3 + [TrialState.COMPLETE] * 2
    assert "cast to float" in study.trials[0].error and "2 values" in study.trials[2].error
    assert study.trials[3].value == 4.0 and study.trials[4].value == math.inf


def test_pruned_trial_keeps_its_last_intermediate_value():
    def objective(trial):
        trial.report(0.7, 0)
        trial.report(0.4, 3)
        raise search.TrialPruned()

    study = _study()
    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED and study.trials[0].value == 0.4


def test_callbacks_see_each_finished_trial_and_can_stop_the_study():
    seen = []

    def callback(study, trial):
        seen.append((trial.number, trial.state))
        if trial.number == 3:
            study.stop()

    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=100, callbacks=[callback])
    assert seen == [(i, TrialState.COMPLETE) for i in range(4)] and len(study.trials) == 4


def test_timeout_zero_runs_no_trial():
    study = _study()
    study.optimize(lambda t: 0.0, timeout=0)
    assert study.trials == []


# ---- bad arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda t: t.suggest_float("x", 2.0, 1.0),
            r"suggest_float\(name='x'\).*`low` must be <= `high`.*low=2.0, high=1.0",
        ),
        (
            lambda t: t.suggest_float("x", 0.0, 1.0, log=True),
            r"suggest_float.*`low` must be > 0 when log=True.*low=0.0",
        ),
        (lambda t: t.suggest_float("x", -1.0, 1.0, log=True), r"suggest_float.*log=True"),
        (lambda t: t.suggest_float("x", 0.0, 1.0, step=0.3), r"suggest_float.*`step` must divide"),
        (
            lambda t: t.suggest_float("x", 1e-3, 1.0, step=0.1, log=True),
            r"suggest_float.*`step` and `log=True`",
        ),
        (
            lambda t: t.suggest_float("x", 0.0, 1.0, step=-0.5),
            r"suggest_float.*`step` must be a positive",
        ),
        (lambda t: t.suggest_float("x", 0.0, math.inf), r"suggest_float.*`high` must be a finite"),
        (lambda t: t.suggest_int("n", 5, 1), r"suggest_int\(name='n'\).*`low` must be <= `high`"),
        (
            lambda t: t.suggest_int("n", 0, 10, log=True),
            r"suggest_int.*`low` must be >= 1 when log=True",
        ),
        (lambda t: t.suggest_int("n", 1, 10, step=2), r"suggest_int.*`step` must divide"),
        (
            lambda t: t.suggest_int("n", 1, 9, step=2, log=True),
            r"suggest_int.*`step` != 1 and `log=True`",
        ),
        (lambda t: t.suggest_int("n", 1.5, 9), r"suggest_int.*`low` must be an integer.*1.5"),
        (
            lambda t: t.suggest_categorical("c", []),
            r"suggest_categorical\(name='c'\).*must not be empty",
        ),
        (lambda t: t.suggest_categorical("c", [[1], [2]]), r"suggest_categorical.*only None, bool"),
        (lambda t: t.suggest_categorical("c", "abc"), r"suggest_categorical.*must be a sequence"),
    ],
)
def test_bad_suggest_arguments_are_clear_errors(call, match):
    study = _study()
    with pytest.raises(ValueError, match=match):
        study.optimize(call, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_resuggesting_a_name_with_a_different_space_is_an_error():
    def objective(trial):
        trial.suggest_float("x", 0, 1)
        return trial.suggest_float("x", 0, 2)

    with pytest.raises(ValueError, match=r"'x' was already suggested .* different space"):
        _study().optimize(objective, n_trials=1)

    def kinds(trial):
        trial.suggest_int("x", 0, 1)
        return trial.suggest_categorical("x", [0, 1])

    with pytest.raises(ValueError, match="different space"):
        _study().optimize(kinds, n_trials=1)


def test_bad_report_and_optimize_and_create_study_arguments():
    with pytest.raises(TypeError, match=r"Trial.report: argument `step` must be an int >= 0"):
        _study().optimize(lambda t: t.report(1.0, -1), n_trials=1)
    with pytest.raises(TypeError, match=r"Trial.report: argument `value` must be a float"):
        _study().optimize(lambda t: t.report("high", 0), n_trials=1)
    with pytest.raises(ValueError, match="`n_trials` must be an int >= 0"):
        _study().optimize(lambda t: 0.0, n_trials=-1)
    with pytest.raises(ValueError, match="`n_jobs` must be an int >= 1 or -1"):
        _study().optimize(lambda t: 0.0, n_trials=1, n_jobs=0)
    with pytest.raises(TypeError, match="`objective` must be callable"):
        _study().optimize(None, n_trials=1)
    with pytest.raises(TypeError, match="`catch` must hold exception classes"):
        _study().optimize(lambda t: 0.0, n_trials=1, catch=("ValueError",))
    with pytest.raises(ValueError, match="`direction` must be 'minimize' or 'maximize'"):
        search.create_study(direction="down")
    with pytest.raises(ValueError, match="single-objective"):
        search.create_study(directions=["minimize", "maximize"])
    with pytest.raises(TypeError, match="`sampler` must be a BaseSampler"):
        search.create_study(sampler="random")


def test_reporting_a_step_twice_keeps_the_first_value_and_warns():
    def objective(trial):
        trial.report(1.0, 0)
        trial.report(2.0, 0)
        return 0.0

    study = _study()
    with pytest.warns(UserWarning, match="already reported"):
        study.optimize(objective, n_trials=1)
    assert study.trials[0].intermediate_values == {0: 1.0}


def test_ask_and_tell_records_trials_like_optimize():
    study = _study()
    for i in range(3):
        trial = study.ask()
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        study.tell(trial, x if i != 1 else float("nan"))
    pruned = study.ask()
    pruned.report(0.25, 2)
    study.tell(pruned, state=TrialState.PRUNED)
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE, TrialState.FAIL, TrialState.COMPLETE, TrialState.PRUNED]
    assert study.trials[3].value == 0.25 and study.trials[0].value == study.trials[0].params["x"]
    # the same sampler draws as optimize: trial n gets the same x either way
    again = _study()
    again.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert [t.params["x"] for t in again.trials] == [t.params["x"] for t in study.trials[:3]]
    with pytest.raises(ValueError, match="already told"):
        study.tell(pruned, 1.0)
    open_trial = study.ask()
    with pytest.raises(ValueError, match="needs `values`"):
        study.tell(open_trial)
    assert study.tell(open_trial.number, 2.0).state == TrialState.COMPLETE


def test_progress_bar_counts_the_trials(capsys):
    pytest.importorskip("tqdm")
    study = _study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5, show_progress_bar=True)
    assert len(study.trials) == 5 and "5/5" in capsys.readouterr().err

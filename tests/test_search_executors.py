"""Trials on a process pool, a thread pool and a Dask LocalCluster give the same trial set."""

import concurrent.futures as cf
import functools
import importlib.util
import math

import pytest

from minidl import search
from minidl.search import TrialState
from minidl.search.samplers import GPSampler, GridSampler, RandomSampler

HAS_DASK = importlib.util.find_spec("distributed") is not None


def objective(trial, offset=0.0):
    """Module level, so a process pool can pickle it by reference."""
    x = trial.suggest_float("x", -3, 3)
    k = trial.suggest_int("k", 1, 64, log=True)
    c = trial.suggest_categorical("c", ["a", "b"])
    if x > 2.5:
        raise ArithmeticError("x too large")  # caught below: a FAIL trial on every executor
    for step in range(3):
        trial.report(x * x / (step + 1), step)
    trial.set_user_attr("worker_safe", True)
    return (x - 1) ** 2 + math.log(k) + (c == "b") + offset


def _grid_objective(trial):
    return trial.suggest_float("x", 0, 1) * 10 + trial.suggest_int("n", 0, 3)


def _trial_set(study):
    return sorted(
        (
            t.number,
            t.state,
            tuple(sorted(t.params.items())),
            t.value,
            tuple(sorted(t.intermediate_values.items())),
        )
        for t in study.trials
    )


def _run(sampler_factory, obj, n_trials=None, **kw):
    study = search.create_study(sampler=sampler_factory(), pruner=search.pruners.NopPruner())
    study.optimize(obj, n_trials=n_trials, catch=(ArithmeticError,), **kw)
    return study


GRID = {"x": [0.0, 0.5, 1.0], "n": [0, 1, 2, 3]}


@pytest.fixture(scope="module")
def reference():
    random = _run(lambda: RandomSampler(seed=11), objective, 12)
    grid = _run(lambda: GridSampler(GRID), _grid_objective)
    assert len(grid.trials) == 12 and any(t.state == TrialState.FAIL for t in random.trials)
    return _trial_set(random), _trial_set(grid)


def test_process_pool_gives_the_sequential_trial_set(reference):
    random = _run(lambda: RandomSampler(seed=11), objective, 12, n_jobs=2)
    grid = _run(lambda: GridSampler(GRID), _grid_objective, n_jobs=2)
    assert (_trial_set(random), _trial_set(grid)) == reference
    assert "x too large" in next(t.error for t in random.trials if t.state == TrialState.FAIL)


def test_thread_pool_and_any_worker_count_give_the_same_trial_set(reference):
    for workers in (1, 3):
        with cf.ThreadPoolExecutor(workers) as ex:
            random = _run(lambda: RandomSampler(seed=11), objective, 12, executor=ex)
            grid = _run(lambda: GridSampler(GRID), _grid_objective, executor=ex)
        assert (_trial_set(random), _trial_set(grid)) == reference


@pytest.mark.skipif(
    not HAS_DASK, reason="dask.distributed is not installed (pip install -e '.[cluster]')"
)
def test_dask_local_cluster_gives_the_sequential_trial_set(reference):
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with Client(cluster) as client:
            ex = client.get_executor()
            random = _run(lambda: RandomSampler(seed=11), objective, 12, executor=ex)
            grid = _run(lambda: GridSampler(GRID), _grid_objective, executor=ex)
            # Dask pickles with cloudpickle, so a lambda objective travels too
            lam = _run(
                lambda: RandomSampler(seed=2), lambda t: t.suggest_float("x", 0, 1), 4, executor=ex
            )
            # GP proposals are made here, trials run on the workers
            gp = search.create_study(sampler=GPSampler(seed=0, n_startup_trials=4))
            gp.optimize(
                functools.partial(objective, offset=1.0),
                n_trials=7,
                executor=ex,
                catch=(ArithmeticError,),
            )
    assert (_trial_set(random), _trial_set(grid)) == reference
    assert [t.state for t in lam.trials] == [TrialState.COMPLETE] * 4
    assert len(gp.trials) == 7 and all(t.state.is_finished() for t in gp.trials)


def test_unpicklable_objective_is_a_clear_error():
    study = search.create_study()
    with pytest.raises(
        TypeError, match=r"objective .*<lambda>.* cannot be pickled.*functools.partial"
    ):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2, n_jobs=2)
    assert study.trials == []


def test_partial_objective_and_uncaught_errors_on_a_process_pool():
    study = search.create_study(sampler=RandomSampler(seed=11))
    study.optimize(
        functools.partial(objective, offset=100.0), n_trials=4, n_jobs=2, catch=(ArithmeticError,)
    )
    assert min(t.value for t in study.trials if t.value is not None) > 100.0
    # an exception not in `catch` reaches the caller with its own type, after the trial is recorded
    with pytest.raises(ArithmeticError, match="x too large"):
        search.create_study(sampler=RandomSampler(seed=11)).optimize(
            objective, n_trials=12, n_jobs=2
        )


def test_bad_executor_is_a_clear_error():
    with pytest.raises(TypeError, match="`executor` must be a concurrent.futures.Executor"):
        search.create_study().optimize(objective, n_trials=1, executor="dask")

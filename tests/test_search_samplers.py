"""GridSampler and RandomSampler: grid completeness and order, distributions (KS tests), seeds."""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy import stats

from minidl import search
from minidl.search.samplers import GridSampler, RandomSampler


def _quiet_study(sampler, direction="minimize"):
    return search.create_study(
        sampler=sampler, pruner=search.pruners.NopPruner(), direction=direction
    )


# ---- grid ------------------------------------------------------------------------------------


def test_grid_runs_every_combination_once_in_product_order_and_stops():
    space = {"a": [1, 2, 3], "b": ["x", "y"], "c": [0.5, 1.5]}
    study = _quiet_study(GridSampler(space))
    study.optimize(
        lambda t: (
            t.suggest_int("a", 0, 9)
            + t.suggest_float("c", 0, 2)
            + len(t.suggest_categorical("b", ["x", "y"]))
        )
    )
    got = [(t.params["a"], t.params["b"], t.params["c"]) for t in study.trials]
    assert got == list(itertools.product(space["a"], space["b"], space["c"]))  # last name fastest
    assert all(t.state == search.TrialState.COMPLETE for t in study.trials)


def test_grid_n_trials_larger_than_grid_stops_at_grid_size():
    study = _quiet_study(GridSampler({"x": [0.0, 1.0, 2.0]}))
    study.optimize(lambda t: t.suggest_float("x", 0, 2), n_trials=10)
    assert len(study.trials) == 3


def test_grid_resumes_where_it_stopped_and_warns_when_exhausted():
    study = _quiet_study(GridSampler({"x": [0, 1, 2, 3]}))
    objective = lambda t: t.suggest_int("x", 0, 3)  # noqa: E731
    study.optimize(objective, n_trials=2)
    study.optimize(objective, n_trials=5)
    assert [t.params["x"] for t in study.trials] == [0, 1, 2, 3]
    with pytest.warns(UserWarning, match="already tried"):
        study.optimize(objective, n_trials=5)
    assert len(study.trials) == 5  # one re-evaluation, then the study stops again


def test_grid_seeded_order_is_a_permutation_and_reproducible():
    space = {"x": list(range(5)), "y": list(range(4))}
    a, b = GridSampler(space, seed=3).grid, GridSampler(space, seed=3).grid
    assert a == b
    assert sorted((p["x"], p["y"]) for p in a) == list(itertools.product(range(5), range(4)))
    assert a != GridSampler(space).grid


def test_grid_unknown_name_and_bad_space_are_clear_errors():
    study = _quiet_study(GridSampler({"x": [1, 2]}))
    study.optimize(lambda t: t.suggest_int("z", 0, 3), catch=(ValueError,), n_trials=1)
    assert "not in the grid" in study.trials[0].error
    with pytest.raises(ValueError, match="search_space"):
        GridSampler({})
    with pytest.raises(ValueError, match=r"search_space\['x'\]"):
        GridSampler({"x": []})


def test_grid_value_outside_suggested_range_is_used_with_a_warning():
    study = _quiet_study(GridSampler({"x": [-0.5, 0.5]}))
    with pytest.warns(UserWarning, match="outside"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1))
    assert [t.params["x"] for t in study.trials] == [-0.5, 0.5]


# ---- random: distributions -------------------------------------------------------------------


def _draws(objective, n, seed=0):
    study = _quiet_study(RandomSampler(seed=seed))
    study.optimize(objective, n_trials=n)
    return np.array([t.value for t in study.trials])


def test_uniform_float_passes_ks_test():
    x = _draws(lambda t: t.suggest_float("x", -3.0, 5.0), 600)
    assert x.min() >= -3.0 and x.max() <= 5.0
    assert stats.kstest((x + 3.0) / 8.0, "uniform").pvalue > 1e-3


def test_log_uniform_float_passes_ks_test_in_log_space():
    x = _draws(lambda t: t.suggest_float("lr", 1e-5, 1e-1, log=True), 600)
    u = (np.log(x) - math.log(1e-5)) / (math.log(1e-1) - math.log(1e-5))
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # and not uniform on the linear scale: most draws are far below the midpoint
    assert stats.kstest((x - 1e-5) / (1e-1 - 1e-5), "uniform").pvalue < 1e-6


def test_stepped_int_and_categorical_are_uniform_over_their_points():
    n = 1200
    ints = _draws(lambda t: t.suggest_int("k", 2, 14, step=3), n)  # {2, 5, 8, 11, 14}
    values, counts = np.unique(ints, return_counts=True)
    assert list(values) == [2, 5, 8, 11, 14]
    assert stats.chisquare(counts).pvalue > 1e-3
    cats = _draws(lambda t: ["a", "b", "c"].index(t.suggest_categorical("c", ["a", "b", "c"])), n)
    assert stats.chisquare(np.bincount(cats.astype(int))).pvalue > 1e-3


def test_stepped_float_lands_on_the_grid():
    x = _draws(lambda t: t.suggest_float("x", 0.0, 1.0, step=0.25), 200)
    assert set(np.round(x, 12)) == {0.0, 0.25, 0.5, 0.75, 1.0}


def test_log_int_gives_mass_proportional_to_log_ratio():
    n = 3000
    k = _draws(lambda t: t.suggest_int("k", 1, 8, log=True), n).astype(int)
    edges = np.log(np.arange(1, 9) + 0.5) - np.log(np.arange(1, 9) - 0.5)
    expected = n * edges / edges.sum()
    assert k.min() >= 1 and k.max() <= 8
    assert stats.chisquare(np.bincount(k, minlength=9)[1:], expected).pvalue > 1e-3


def test_single_point_spaces_return_that_point():
    study = _quiet_study(RandomSampler(seed=1))
    study.optimize(lambda t: t.suggest_float("x", 2.5, 2.5) + t.suggest_int("k", 4, 4), n_trials=3)
    assert {t.value for t in study.trials} == {6.5}


# ---- random: reproducibility -----------------------------------------------------------------


def _objective(trial):
    x = trial.suggest_float("x", -1, 1)
    k = trial.suggest_int("k", 1, 100, log=True)
    c = trial.suggest_categorical("c", [None, True, "s"])
    return x * k + (c is None)


def test_same_seed_same_trials_different_seed_different_trials():
    def run(seed):
        study = _quiet_study(RandomSampler(seed=seed))
        study.optimize(_objective, n_trials=20)
        return [(t.params, t.value) for t in study.trials]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_draw_of_a_name_does_not_depend_on_the_other_names_suggested():
    # the generator is keyed by (seed, trial number, name): adding a parameter changes nothing else
    def xs(objective):
        study = _quiet_study(RandomSampler(seed=5))
        study.optimize(objective, n_trials=10)
        return [t.params["x"] for t in study.trials]

    assert xs(lambda t: t.suggest_float("x", 0, 1)) == xs(
        lambda t: t.suggest_int("first", 0, 9) * 0 + t.suggest_float("x", 0, 1)
    )


def test_seed_none_is_random_but_fixed_per_sampler():
    s = RandomSampler()
    study1, study2 = _quiet_study(s), _quiet_study(s)
    for st in (study1, study2):
        st.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert [t.value for t in study1.trials] == [t.value for t in study2.trials]
    with pytest.raises(ValueError, match="RandomSampler: argument `seed`"):
        RandomSampler(seed=-1)


def test_warnings_free_on_normal_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draws(lambda t: t.suggest_float("x", 0, 1), 5)

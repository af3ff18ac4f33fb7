"""MedianPruner and SuccessiveHalvingPruner on scripted intermediate values; decisions by hand."""

import math

import pytest

from minidl import search
from minidl.search import FrozenTrial, StudyDirection, TrialState
from minidl.search.frozen import StudySnapshot
from minidl.search.pruners import MedianPruner, NopPruner, SuccessiveHalvingPruner

C, P = TrialState.COMPLETE, TrialState.PRUNED


def _snapshot(curves, direction=StudyDirection.MINIMIZE, states=None, rungs=None):
    trials = []
    for i, curve in enumerate(curves):
        state = states[i] if states else C
        attrs = {f"completed_rung_{k}": v for k, v in enumerate((rungs or {}).get(i, []))}
        trials.append(
            FrozenTrial(i, state, 0.0, intermediate_values=dict(curve), system_attrs=attrs)
        )
    return StudySnapshot("s", direction, tuple(trials))


def _running(curve):
    return FrozenTrial(99, TrialState.RUNNING, None, intermediate_values=dict(curve))


# five completed curves; at step 1 the values are 0.9 1.8 2.7 3.6 4.5 (median 2.7);
# at step 2 only four trials reported: 0.8 1.6 2.4 3.2 (median (1.6 + 2.4) / 2 = 2.0)
CURVES = [
    {0: 1.0, 1: 0.9, 2: 0.8},
    {0: 2.0, 1: 1.8, 2: 1.6},
    {0: 3.0, 1: 2.7, 2: 2.4},
    {0: 4.0, 1: 3.6, 2: 3.2},
    {0: 5.0, 1: 4.5},
]


@pytest.mark.parametrize(
    "curve, expected",
    [
        (
            {0: 2.0, 1: 2.8},
            False,
        ),  # best so far 2.0 < 2.7: keep (the best value counts, not the last)
        ({0: 3.0, 1: 2.8}, True),  # best 2.8 > 2.7
        ({0: 3.0, 1: 2.7}, False),  # equal to the median is not worse
        ({0: 2.5, 1: 2.2, 2: 2.1}, True),  # step 2: 2.1 > 2.0
        ({0: 2.5, 1: 2.2, 2: 1.9}, False),
        ({0: math.nan, 1: math.nan}, True),  # all NaN: pruned
        ({0: math.nan, 1: 2.0}, False),  # NaNs of the trial itself are skipped
        ({}, False),  # nothing reported
    ],
)
def test_median_pruner_decisions(curve, expected):
    assert MedianPruner().prune(_snapshot(CURVES), _running(curve)) is expected


def test_median_pruner_maximize_mirrors():
    flipped = [{s: -v for s, v in c.items()} for c in CURVES]
    snap = _snapshot(flipped, StudyDirection.MAXIMIZE)
    assert MedianPruner().prune(snap, _running({0: -3.0, 1: -2.8})) is True  # -2.8 < -2.7
    assert MedianPruner().prune(snap, _running({0: -2.0, 1: -2.8})) is False  # best is -2.0


def test_median_pruner_gates():
    bad = {0: 9.0, 1: 9.0, 2: 9.0}
    assert MedianPruner(n_startup_trials=6).prune(_snapshot(CURVES), _running(bad)) is False
    assert (
        MedianPruner(n_warmup_steps=2).prune(_snapshot(CURVES), _running({0: 9.0, 1: 9.0})) is False
    )
    assert MedianPruner(n_warmup_steps=2).prune(_snapshot(CURVES), _running(bad)) is True
    # interval 2: judged at the first report at or after steps 0, 2, 4, ...; step 1 is skipped
    assert (
        MedianPruner(interval_steps=2).prune(_snapshot(CURVES), _running({0: 9.0, 1: 9.0})) is False
    )
    assert MedianPruner(interval_steps=2).prune(_snapshot(CURVES), _running(bad)) is True
    # ... but a trial that reports only at odd steps is judged at 1 (first report past checkpoint 0)
    assert MedianPruner(interval_steps=2).prune(_snapshot(CURVES), _running({1: 9.0})) is True
    # n_min_trials: only 4 completed trials reported at step 2
    assert MedianPruner(n_min_trials=5).prune(_snapshot(CURVES), _running(bad)) is False
    assert MedianPruner(n_min_trials=4).prune(_snapshot(CURVES), _running(bad)) is True


def test_median_pruner_uses_only_completed_trials():
    # a pruned trial with very low values does not pull the median down
    states = [C] * 5 + [P, P]
    snap = _snapshot(CURVES + [{0: 0.0, 1: 0.0}, {0: 0.0, 1: 0.0}], states=states)
    assert MedianPruner().prune(snap, _running({0: 2.6, 1: 2.6})) is False  # median still 2.7


def test_median_pruner_in_a_study_with_constant_curves():
    # constants 3, 1, 2, 0.5, 4 reported at steps 0..3; n_startup_trials=2.
    # trial 2: median(3, 1) = 2, 2 > 2 is false -> completes; trial 3: 0.5 < median -> completes;
    # trial 4: median(3, 1, 2, 0.5) = 1.5 < 4 -> pruned at step 0
    levels = [3.0, 1.0, 2.0, 0.5, 4.0]
    states, steps = _run_constant_curves(levels, MedianPruner(n_startup_trials=2))
    assert states == [C, C, C, C, P] and steps[4] == 0


def _run_constant_curves(levels, pruner, n_steps=16):
    def objective(trial):
        level = levels[trial.number]
        for step in range(n_steps):
            trial.report(level, step)
            if trial.should_prune():
                raise search.TrialPruned()
        return level

    study = search.create_study(pruner=pruner)
    study.optimize(objective, n_trials=len(levels))
    return [t.state for t in study.trials], [t.last_step for t in study.trials]


def test_successive_halving_in_a_study_with_constant_curves():
    # eta=2, min_resource=1: rungs at steps 1, 2, 4, 8. Promote the best max(1, n // 2) of n.
    # t0 (3): alone at every rung -> completes.   t1 (1): best of {3, 1} -> completes.
    # t2 (2): rung 0 {3, 1, 2}: best 1 only -> pruned at step 1.
    # t3 (0.5): rung 0 {3, 1, 2, 0.5}: best two are 0.5, 1 -> promoted; then best at every rung.
    # t4 (4): rung 0 {3, 1, 2, 0.5, 4}: best two are 0.5, 1 -> pruned at step 1.
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    states, steps = _run_constant_curves([3.0, 1.0, 2.0, 0.5, 4.0], pruner)
    assert states == [C, C, P, C, P] and steps[2] == 1 and steps[4] == 1


def test_successive_halving_rung_decisions_and_records():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    snap = _snapshot([{}, {}, {}], rungs={0: [0.5], 1: [0.7], 2: [0.9]})
    # rung 0 with {0.5, 0.7, 0.9, v}: n=4, the best 2 go on
    lose, win = _running({0: 0.1, 1: 0.8}), _running({0: 0.1, 1: 0.7})
    assert pruner.prune(snap, lose) is True and lose.system_attrs == {"completed_rung_0": 0.8}
    assert pruner.prune(snap, win) is False and win.system_attrs == {"completed_rung_0": 0.7}
    early = _running({0: 5.0})  # step 0 < first rung (step 1): never judged
    assert pruner.prune(snap, early) is False and early.system_attrs == {}


def test_successive_halving_crosses_several_rungs_in_one_report():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    t = _running({4: 0.3})  # step 4 is past rungs at 1, 2 and 4; alone, it wins each
    assert pruner.prune(_snapshot([]), t) is False
    assert t.system_attrs == {f"completed_rung_{k}": 0.3 for k in range(3)}


def test_successive_halving_maximize_and_nan_and_bootstrap():
    snap = _snapshot([{}, {}, {}], StudyDirection.MAXIMIZE, rungs={0: [0.5], 1: [0.7], 2: [0.9]})
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    assert pruner.prune(snap, _running({1: 0.8})) is False  # best two of {.5,.7,.9,.8}: .9, .8
    assert pruner.prune(snap, _running({1: 0.6})) is True
    assert pruner.prune(snap, _running({1: math.nan})) is True
    boot = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, bootstrap_count=4)
    assert boot.prune(snap, _running({1: 0.99})) is True  # only 4 values at rung 0: <= bootstrap


def test_successive_halving_auto_min_resource():
    # auto: max(last step of the first completed trial // 100, 1) = 299 // 100 = 2; rungs 2, 8, ...
    pruner = SuccessiveHalvingPruner(reduction_factor=4)
    snap = _snapshot([{299: 1.0}], rungs={0: [0.1]})
    assert pruner.prune(snap, _running({1: 5.0})) is False  # step 1 < 2
    assert pruner.prune(snap, _running({2: 5.0})) is True  # {0.1, 5.0}: only the best goes on
    assert pruner.prune(_snapshot([]), _running({50: 5.0})) is False  # nothing completed yet


def test_pruner_argument_errors():
    with pytest.raises(
        ValueError, match="MedianPruner: argument `interval_steps` must be an int >= 1"
    ):
        MedianPruner(interval_steps=0)
    with pytest.raises(ValueError, match="SuccessiveHalvingPruner: argument `reduction_factor`"):
        SuccessiveHalvingPruner(reduction_factor=1)
    with pytest.raises(ValueError, match="argument `min_resource`"):
        SuccessiveHalvingPruner(min_resource=0)
    with pytest.raises(ValueError, match="bootstrap_count > 0 needs an int min_resource"):
        SuccessiveHalvingPruner(bootstrap_count=2)


def test_nop_pruner_never_prunes_and_median_is_the_default():
    assert NopPruner().prune(_snapshot(CURVES), _running({0: 1e9, 1: 1e9})) is False
    assert isinstance(search.create_study().pruner, MedianPruner)

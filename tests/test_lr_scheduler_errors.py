"""Bad input to the LR schedules: each error names the schedule, the argument, the value received
and what was expected."""

from __future__ import annotations

import pytest

import minidl as md
from minidl import optim
from minidl.optim import lr_scheduler as S


def make_opt(n_groups: int = 1, cls=optim.SGD):
    return cls([{"params": [md.zeros(1, requires_grad=True)]} for _ in range(n_groups)], lr=0.1)


@pytest.mark.parametrize(
    "build, error, pattern",
    [
        (lambda o: S.StepLR(o, step_size=0), ValueError,
         r"StepLR: argument `step_size` must be a positive integer; got 0"),
        (lambda o: S.StepLR(o, step_size=2.5), ValueError,
         r"StepLR: argument `step_size` must be a positive integer; got 2.5"),
        (lambda o: S.StepLR(o, step_size=3, gamma=-0.1), ValueError,
         r"StepLR: argument `gamma` must satisfy 0.0 < gamma; got -0.1"),
        (lambda o: S.StepLR(o, step_size=3, gamma="0.1"), TypeError,
         r"StepLR: argument `gamma` must be a real number; got str"),
        (lambda o: S.MultiStepLR(o, milestones=[5, 2]), ValueError,
         r"MultiStepLR: argument `milestones` must be increasing; got \[5, 2\]"),
        (lambda o: S.MultiStepLR(o, milestones=[-1, 2]), ValueError,
         r"MultiStepLR: argument `milestones` must be an integer >= 0; got -1"),
        (lambda o: S.ExponentialLR(o, gamma=0.0), ValueError,
         r"ExponentialLR: argument `gamma` must satisfy 0.0 < gamma; got 0.0"),
        (lambda o: S.LinearLR(o, start_factor=0.0), ValueError,
         r"LinearLR: argument `start_factor` must satisfy 0.0 < start_factor <= 1.0; got 0.0"),
        (lambda o: S.LinearLR(o, end_factor=1.5), ValueError,
         r"LinearLR: argument `end_factor` must satisfy 0.0 <= end_factor <= 1.0; got 1.5"),
        (lambda o: S.LinearLR(o, total_iters=0), ValueError,
         r"LinearLR: argument `total_iters` must be a positive integer; got 0"),
        (lambda o: S.ConstantLR(o, factor=1.5), ValueError,
         r"ConstantLR: argument `factor` must satisfy 0.0 < factor <= 1.0; got 1.5"),
        (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError,
         r"CosineAnnealingLR: argument `T_max` must be a positive integer; got 0"),
        (lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=-1.0), ValueError,
         r"CosineAnnealingLR: argument `eta_min` must satisfy 0.0 <= eta_min; got -1.0"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
         r"CosineAnnealingWarmRestarts: argument `T_0` must be a positive integer; got 0"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError,
         r"CosineAnnealingWarmRestarts: argument `T_mult` must be a positive integer; got 0"),
        (lambda o: S.PolynomialLR(o, total_iters=0), ValueError,
         r"PolynomialLR: argument `total_iters` must be a positive integer; got 0"),
        (lambda o: S.PolynomialLR(o, power=-1.0), ValueError,
         r"PolynomialLR: argument `power` must satisfy 0.0 <= power; got -1.0"),
        (lambda o: S.LambdaLR(o, lr_lambda=0.9), TypeError,
         r"LambdaLR: argument `lr_lambda` must be a function of the epoch; got float"),
        (lambda o: S.LambdaLR(o, lr_lambda=[abs, abs]), ValueError,
         r"LambdaLR: expected 1 lr_lambdas \(one per parameter group\); got 2"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0), ValueError,
         r"OneCycleLR: You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError,
         r"OneCycleLR: argument `total_steps` must be a positive integer; got 0"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"), ValueError,
         r"OneCycleLR: argument `anneal_strategy` must be one of 'cos' or 'linear'; got 'exp'"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError,
         r"OneCycleLR: argument `pct_start` must satisfy 0.0 <= pct_start <= 1.0; got 1.5"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=3), ValueError,
         r"OneCycleLR: pct_start=0.3 with total_steps=3 leaves a phase without steps"),
        (lambda o: S.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), ValueError,
         r"OneCycleLR: argument `max_lr` has 2 values; expected one per parameter group \(1\)"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError,
         r"CyclicLR: argument `mode` must be 'triangular', 'triangular2' or 'exp_range'"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError,
         r"CyclicLR: argument `step_size_up` must be a positive integer; got 0"),
        (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError,
         r"ReduceLROnPlateau: argument `factor` must satisfy 0.0 <= factor < 1.0; got 1.0"),
        (lambda o: S.ReduceLROnPlateau(o, mode="avg"), ValueError,
         r"ReduceLROnPlateau: argument `mode` must be 'min' or 'max'; got 'avg'"),
        (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError,
         r"ReduceLROnPlateau: argument `threshold_mode` must be 'rel' or 'abs'; got 'pct'"),
        (lambda o: S.ReduceLROnPlateau(o, patience=-1), ValueError,
         r"ReduceLROnPlateau: argument `patience` must be an integer >= 0; got -1"),
        (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError,
         r"ReduceLROnPlateau: argument `min_lr` has 2 values; expected one per parameter group"),
    ],
)  # fmt: skip
def test_bad_hyperparameters(build, error, pattern):
    with pytest.raises(error, match=rf"^{pattern}"):
        build(make_opt())


@pytest.mark.parametrize(
    "build",
    [
        lambda: S.StepLR("sgd", step_size=2),
        lambda: S.OneCycleLR(None, max_lr=1.0, total_steps=5),
        lambda: S.CyclicLR([], 0.01, 0.1),
        lambda: S.ReduceLROnPlateau(object()),
    ],
)
def test_not_an_optimizer(build):
    with pytest.raises(TypeError, match=r"argument `optimizer` must be a minidl.optim.Optimizer"):
        build()


def test_cycling_momentum_needs_momentum_or_betas():
    opt = make_opt(cls=optim.Adagrad)
    with pytest.raises(ValueError, match=r"^CyclicLR: optimizer must support momentum or beta1"):
        S.CyclicLR(opt, 0.01, 0.1)
    with pytest.raises(ValueError, match=r"^OneCycleLR: optimizer must support momentum or beta1"):
        S.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    S.OneCycleLR(opt, max_lr=0.1, total_steps=10, cycle_momentum=False)  # fine without


def test_combining_schedules():
    opt, other = make_opt(), make_opt()
    a, b = S.StepLR(opt, 2), S.ExponentialLR(opt, 0.9)
    with pytest.raises(ValueError, match=r"^SequentialLR: expects one milestone fewer than"):
        S.SequentialLR(opt, [a, b], milestones=[2, 4])
    with pytest.raises(
        ValueError, match=r"^SequentialLR: argument `milestones` must be increasing"
    ):
        S.SequentialLR(opt, [a, b, S.StepLR(opt, 3)], milestones=[4, 2])
    with pytest.raises(ValueError, match=r"^SequentialLR: expects all schedulers to belong to the"):
        S.SequentialLR(other, [S.StepLR(other, 2), b], milestones=[3])
    with pytest.raises(ValueError, match=r"^ChainedScheduler: does not support ReduceLROnPlateau"):
        S.ChainedScheduler([a, S.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match=r"^ChainedScheduler: expects at least one scheduler"):
        S.ChainedScheduler([])
    with pytest.raises(TypeError, match=r"^SequentialLR: schedulers\[1\] must be an LRScheduler"):
        S.SequentialLR(opt, [a, "cosine"], milestones=[3])


def test_warm_restarts_refuse_a_negative_epoch():
    s = S.CosineAnnealingWarmRestarts(make_opt(), T_0=3)
    with pytest.raises(ValueError, match=r"^CosineAnnealingWarmRestarts.step: argument `epoch`"):
        s.step(-1)


def test_plateau_state_dict_round_trip():
    """ReduceLROnPlateau's counters survive a checkpoint: the resumed run cuts at the same epoch."""
    metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.8, 0.85, 0.84, 0.83, 0.82]
    opt = make_opt()
    s = S.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1)
    for m in metrics:
        s.step(m)
    opt1 = make_opt()
    s1 = S.ReduceLROnPlateau(opt1, patience=1, factor=0.5, cooldown=1)
    for m in metrics[:4]:
        s1.step(m)
    opt2 = make_opt()
    s2 = S.ReduceLROnPlateau(opt2, patience=1, factor=0.5, cooldown=1)
    opt2.load_state_dict(opt1.state_dict())
    s2.load_state_dict(s1.state_dict())
    for m in metrics[4:]:
        s2.step(m)
    assert s.get_last_lr() == [0.025]  # cut once before the checkpoint and once after
    assert s2.get_last_lr() == s.get_last_lr() and s2.num_bad_epochs == s.num_bad_epochs
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau.load_state_dict: expected a dict"):
        s2.load_state_dict([1, 2])

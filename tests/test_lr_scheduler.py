"""LR schedules: properties (monotone decay, continuous warm-up, cosine within a cycle), the
chainable form against the closed form on random hyperparameters, the stepping protocol and
checkpoints. Golden sequences from PyTorch live in test_lr_scheduler_golden.py."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl import optim
from minidl.optim import lr_scheduler as S


def make_opt(lrs=(0.1,), cls=optim.SGD, **kwargs):
    groups = [{"params": [md.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return cls(groups, **kwargs)


def sequence(scheduler, n: int, group: int = 0) -> np.ndarray:
    """The rate after construction and after each of n (optimizer step, scheduler step) pairs."""
    lrs = [scheduler.get_last_lr()[group]]
    for _ in range(n):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[group])
    return np.array(lrs)


base_lrs = st.floats(1e-4, 1.0)
factors = st.floats(0.05, 0.95)
periods = st.integers(1, 12)


# ---------------------------------------------------------------------------------------------
# Properties


@given(
    base_lrs,
    st.sampled_from(["step", "multistep", "exponential", "polynomial", "cosine", "linear"]),
    factors,
    periods,
)
def test_decay_schedules_never_increase(lr, kind, gamma, period):
    opt = make_opt([lr])
    n = 3 * period + 5
    if kind == "step":
        s = S.StepLR(opt, step_size=period, gamma=gamma)
    elif kind == "multistep":
        s = S.MultiStepLR(opt, milestones=[period, period + 2, 2 * period + 3], gamma=gamma)
    elif kind == "exponential":
        s = S.ExponentialLR(opt, gamma=gamma)
    elif kind == "polynomial":
        s = S.PolynomialLR(opt, total_iters=period, power=1 / gamma)
    elif kind == "cosine":
        s, n = S.CosineAnnealingLR(opt, T_max=period, eta_min=lr * gamma / 2), period
    else:
        s = S.LinearLR(opt, start_factor=1.0, end_factor=gamma, total_iters=period)
    lrs = sequence(s, n)
    assert lrs[0] == pytest.approx(lr)
    assert np.all(np.diff(lrs) <= 1e-15 * lr), lrs


@given(base_lrs, st.lists(st.floats(0, 10), max_size=30), st.integers(0, 3), st.integers(0, 3))
def test_reduce_on_plateau_never_increases_and_respects_min_lr(lr, metrics, patience, cooldown):
    min_lr = lr / 50
    opt = make_opt([lr])
    s = S.ReduceLROnPlateau(opt, factor=0.5, patience=patience, cooldown=cooldown, min_lr=min_lr)
    lrs = [lr]
    for m in metrics:
        s.step(m)
        lrs.append(s.get_last_lr()[0])
    assert np.all(np.diff(lrs) <= 0) and min(lrs) >= min_lr


@given(base_lrs, st.floats(0.01, 0.9), st.integers(1, 10), st.sampled_from(["cos", "exp"]))
def test_warm_up_then_decay_is_continuous(lr, start_factor, warmup, decay):
    """LinearLR warm-up climbs in equal steps to exactly the base rate at the milestone, where the
    decay takes over from that same value: no jump larger than one warm-up step."""
    opt = make_opt([lr])
    up = S.LinearLR(opt, start_factor=start_factor, total_iters=warmup)
    down = S.CosineAnnealingLR(opt, T_max=20) if decay == "cos" else S.ExponentialLR(opt, 0.9)
    lrs = sequence(S.SequentialLR(opt, [up, down], milestones=[warmup]), warmup + 20)
    increment = lr * (1 - start_factor) / warmup
    np.testing.assert_allclose(np.diff(lrs[: warmup + 1]), increment, rtol=1e-9)
    assert lrs[warmup] == pytest.approx(lr, rel=1e-12)
    assert np.all(np.diff(lrs[warmup:]) <= 1e-15)


@given(base_lrs, st.integers(1, 6), st.integers(1, 3), st.floats(0, 0.5))
def test_cosine_never_rebounds_within_a_cycle(lr, T_0, T_mult, eta_frac):
    """Warm restarts: non-increasing within each cycle, back to the base rate at each restart,
    never below η_min."""
    eta_min = lr * eta_frac
    s = S.CosineAnnealingWarmRestarts(make_opt([lr]), T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    lrs = sequence(s, 40)
    restarts, start, length = [], 0, T_0
    while start <= 40:
        restarts.append(start)
        start, length = start + length, length * T_mult
    for a, b in zip(restarts, restarts[1:] + [41]):
        cycle = lrs[a:b]
        assert cycle[0] == pytest.approx(lr, rel=1e-12)
        assert np.all(np.diff(cycle) <= 1e-15) and np.all(cycle >= eta_min - 1e-15)


@given(base_lrs, st.floats(0.15, 0.9), st.integers(8, 40), st.sampled_from(["cos", "linear"]))
def test_one_cycle_rises_to_max_lr_then_falls(max_lr, pct, total, strategy):
    s = S.OneCycleLR(make_opt(), max_lr=max_lr, total_steps=total, pct_start=pct,
                     anneal_strategy=strategy)  # fmt: skip
    lrs = sequence(s, total - 1)
    peak = int(np.argmax(lrs))
    assert lrs[0] == pytest.approx(max_lr / 25) and lrs[-1] == pytest.approx(max_lr / 25 / 1e4)
    assert lrs.max() <= max_lr * (1 + 1e-12)
    assert np.all(np.diff(lrs[: peak + 1]) >= 0) and np.all(np.diff(lrs[peak:]) <= 0)


# ---------------------------------------------------------------------------------------------
# Chainable form (step) against closed form, on random hyperparameters

CHAINABLE = {
    "StepLR": lambda r: dict(step_size=r.integers(1, 6), gamma=r.uniform(0.1, 0.9)),
    "MultiStepLR": lambda r: dict(
        milestones=sorted(r.integers(0, 20, 4).tolist()), gamma=r.uniform(0.1, 0.9)
    ),  # fmt: skip
    "ExponentialLR": lambda r: dict(gamma=r.uniform(0.5, 0.99)),
    "LinearLR": lambda r: dict(
        start_factor=r.uniform(0.05, 1), end_factor=r.uniform(0, 1), total_iters=r.integers(1, 10)
    ),  # fmt: skip
    "ConstantLR": lambda r: dict(factor=r.uniform(0.05, 1), total_iters=r.integers(1, 10)),
    "PolynomialLR": lambda r: dict(total_iters=r.integers(1, 15), power=r.uniform(0.2, 3)),
    "CosineAnnealingLR": lambda r: dict(T_max=r.integers(1, 12), eta_min=r.uniform(0, 0.01)),
    "CosineAnnealingWarmRestarts": lambda r: dict(
        T_0=r.integers(1, 6), T_mult=r.integers(1, 3), eta_min=r.uniform(0, 0.01)
    ),  # fmt: skip
    "CyclicLR": lambda r: dict(
        base_lr=0.01,
        max_lr=r.uniform(0.02, 1),
        step_size_up=r.integers(1, 6),
        mode=str(r.choice(["triangular", "triangular2", "exp_range"])),
        gamma=r.uniform(0.8, 1),
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", sorted(CHAINABLE))
@given(seed=st.integers(0, 2**32 - 1), lr=base_lrs)
def test_step_agrees_with_closed_form(name, seed, lr):
    kwargs = CHAINABLE[name](np.random.default_rng(seed))
    cls = getattr(S, name)
    lrs = sequence(cls(make_opt([lr]), **kwargs), 30)
    closed_kwargs = {k: v for k, v in kwargs.items() if k not in ("base_lr",)}
    base = kwargs.get("base_lr", lr)
    expected = [cls.closed_form(t, base, **closed_kwargs) for t in range(31)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-12 * base)


def test_warm_restarts_accept_fractional_epochs():
    """Stepped per batch with epoch + i / iters, the rate is the closed form at that epoch."""
    opt = make_opt([0.1])
    s = S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.001)
    for epoch in np.arange(0, 8, 0.25):
        opt.step()
        s.step(float(epoch))
        expected = S.CosineAnnealingWarmRestarts.closed_form(epoch, 0.1, 2, 2, 0.001)
        assert s.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)
    assert S.CosineAnnealingWarmRestarts.cycle_position(7.5, 2, 2) == (1.5, 8)


def test_chained_scheduler_multiplies_factors():
    opt = make_opt([0.1])
    chained = S.ChainedScheduler([S.ConstantLR(opt, 0.5, 3), S.ExponentialLR(opt, 0.9)])
    lrs = sequence(chained, 8)
    expected = [0.1 * (0.5 if t < 3 else 1.0) * 0.9**t for t in range(9)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)


def test_reduce_on_plateau_waits_for_patience_then_cools_down():
    opt = make_opt([1.0])
    s = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        s.step(metric)
        lrs.append(s.get_last_lr()[0])
    # epoch 1 sets best; 2, 3, 4 are bad: the third bad epoch (> patience 2) cuts. Epoch 5 is
    # cooldown (not counted); 6, 7, 8 are bad again: cut at 8. Epoch 9 improves.
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]


# ---------------------------------------------------------------------------------------------
# Protocol


def test_construction_performs_the_initial_step():
    opt = make_opt([0.1, 0.2])
    s = S.LinearLR(opt, start_factor=0.5, total_iters=4)
    assert s.last_epoch == 0 and s.base_lrs == [0.1, 0.2]
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.1]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.2]
    last = s.get_last_lr()
    last[0] = 99.0  # a copy: changing it changes nothing
    assert s.get_last_lr()[0] == 0.05


def test_stepping_the_scheduler_before_the_optimizer_warns():
    opt = make_opt()
    s = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)"):
        s.step()
    opt2 = make_opt()
    s2 = S.StepLR(opt2, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        s2.step()


def test_one_cycle_refuses_to_step_past_total_steps():
    s = S.OneCycleLR(make_opt(), max_lr=1.0, total_steps=3, pct_start=0.5)
    sequence(s, 2)
    s.optimizer.step()
    s.step()  # step 3 of 3 is still defined (PyTorch's bound is inclusive)
    with pytest.raises(ValueError, match=r"^OneCycleLR: Tried to step 4 times. The specified"):
        s.step()


def test_cycling_momentum_moves_against_the_rate():
    opt = make_opt([0.1], cls=optim.Adam)
    s = S.CyclicLR(opt, base_lr=0.001, max_lr=0.01, step_size_up=2)
    lrs, betas = [], []
    for _ in range(5):
        lrs.append(s.get_last_lr()[0])
        betas.append(opt.param_groups[0]["betas"][0])
        opt.step()
        s.step()
    assert np.argmax(lrs) == np.argmin(betas) == 2
    assert opt.param_groups[0]["betas"][1] == 0.999


def test_closed_forms_need_no_optimizer():
    assert S.StepLR.closed_form(25, 0.1, step_size=10, gamma=0.5) == pytest.approx(0.025)
    assert S.MultiStepLR.closed_form(7, 1.0, milestones=[2, 5, 9]) == pytest.approx(0.01)
    assert S.CosineAnnealingLR.closed_form(5, 1.0, T_max=10) == pytest.approx(0.5)
    assert S.LinearLR.closed_form(2, 1.0, start_factor=0.2, total_iters=4) == pytest.approx(0.6)
    assert S.OneCycleLR.closed_form(0, 1.0, total_steps=10) == pytest.approx(1 / 25)
    assert S.LambdaLR.closed_form(3, 2.0, lambda t: 1 / (t + 1)) == 0.5
    warm = [lambda t: S.LinearLR.closed_form(t, 1.0, 0.5, total_iters=2),
            lambda t: S.ExponentialLR.closed_form(t, 1.0, 0.5)]  # fmt: skip
    assert [S.SequentialLR.closed_form(t, warm, [2]) for t in range(4)] == [0.5, 0.75, 1.0, 0.5]
    assert S.ReduceLROnPlateau.simulate([3, 3, 3], 1.0, patience=1) == [1.0, 1.0, 1.0, 0.1]


# ---------------------------------------------------------------------------------------------
# Checkpoints

RESUMABLE = {
    "StepLR": lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda o: S.MultiStepLR(o, milestones=[2, 4, 4, 7]),
    "ExponentialLR": lambda o: S.ExponentialLR(o, gamma=0.9),
    "LinearLR": lambda o: S.LinearLR(o, start_factor=0.1, total_iters=6),
    "ConstantLR": lambda o: S.ConstantLR(o, factor=0.2, total_iters=5),
    "CosineAnnealingLR": lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
    "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=16, three_phase=True),
    "CyclicLR": lambda o: S.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2"
    ),
    "PolynomialLR": lambda o: S.PolynomialLR(o, total_iters=9, power=2.0),
    "LambdaLR": lambda o: S.LambdaLR(o, lambda t: 0.9**t),
    "SequentialLR": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, 0.2, total_iters=3), S.CosineAnnealingLR(o, T_max=8)], milestones=[3]
    ),
    "ChainedScheduler": lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, 0.5, total_iters=4), S.ExponentialLR(o, 0.9)]
    ),
}


@pytest.mark.parametrize("name", sorted(RESUMABLE))
@given(k=st.integers(0, 8))
def test_resume_from_state_dicts_is_bit_identical(name, k):
    """Train with Adam and a schedule for k steps, checkpoint both, rebuild, load, and the next
    steps reproduce the uninterrupted run exactly: the rates and the weights."""
    make = RESUMABLE[name]
    grad = np.array([0.3, -1.0, 2.0])

    def fresh():
        p = md.tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
        opt = optim.Adam([p], lr=0.1)
        return p, opt, make(opt)

    def train(p, opt, sched, n):
        lrs = []
        for _ in range(n):
            p.grad = md.tensor(grad * p.data)
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        return lrs

    p, opt, sched = fresh()
    expected = train(p, opt, sched, k + 6)[k:]

    p1, opt1, sched1 = fresh()
    train(p1, opt1, sched1, k)
    opt_state, sched_state = opt1.state_dict(), sched1.state_dict()
    p2, opt2, sched2 = fresh()
    p2.data[...] = p1.data
    opt2.load_state_dict(opt_state)  # after building the scheduler, as PyTorch advises
    sched2.load_state_dict(sched_state)
    assert train(p2, opt2, sched2, 6) == expected
    assert np.array_equal(p2.data, p.data)


def test_lambda_state_dict_keeps_callable_objects_but_not_functions():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, t):
            return self.rate**t

    opt = make_opt([0.1, 0.1])
    s = S.LambdaLR(opt, [Decay(0.5), lambda t: 1.0])
    state = s.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None] and "optimizer" not in state
    other = S.LambdaLR(make_opt([0.1, 0.1]), [Decay(0.9), lambda t: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.5


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(
        KeyError, match=r"StepLR: param 'initial_lr' is not specified in param_groups\[0\]"
    ):
        S.StepLR(make_opt(), step_size=2, last_epoch=3)


@pytest.mark.parametrize("name", sorted(RESUMABLE))
def test_scheduler_state_dict_survives_json(name):
    """Scheduler state is plain data: a checkpoint written as JSON loads and resumes the same."""
    opt = make_opt([0.1, 0.2], cls=optim.Adam)
    s = RESUMABLE[name](opt)
    sequence(s, 4)
    state = json.loads(json.dumps(s.state_dict()))
    opt2 = make_opt([0.1, 0.2], cls=optim.Adam)
    s2 = RESUMABLE[name](opt2)
    opt2.load_state_dict(opt.state_dict())
    s2.load_state_dict(state)
    assert np.array_equal(sequence(s2, 6), sequence(s, 6))

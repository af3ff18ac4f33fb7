"""Every LR schedule against PyTorch's sequence, and against its own closed form.

tests/fixtures/lr_scheduler_golden.json (made once by tests/fixtures/make_optim_golden.py) holds,
for each configuration, the rates after construction and after each step, and for the cyclical
schedules the cycled momentum or β1 too.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

import minidl as md
from minidl import optim
from minidl.optim import lr_scheduler as S

FIXTURE = Path(__file__).parent / "fixtures" / "lr_scheduler_golden.json"
GOLDEN = json.loads(FIXTURE.read_text())
CASES = {case["name"]: case for case in GOLDEN["cases"]}

# The generator's named lambdas (their formulas are also written in the fixture).
LAMBDAS = {
    "exp95": lambda epoch: 0.95**epoch,
    "inverse": lambda epoch: 1.0 / (1.0 + epoch),
    "warmup10": lambda epoch: min(1.0, (epoch + 1) / 10),
}


def make_optimizer(spec: dict, lrs: list[float]):
    params = [md.zeros(2, requires_grad=True) for _ in lrs]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]
    return getattr(optim, spec["class"])(groups, **spec["kwargs"])


def build(opt, spec: dict):
    cls = getattr(S, spec["class"])
    kwargs = dict(spec["kwargs"])
    if spec["class"] in ("SequentialLR", "ChainedScheduler"):
        kwargs["schedulers"] = [build(opt, s) for s in kwargs["schedulers"]]
        if spec["class"] == "ChainedScheduler":
            return cls(optimizer=opt, **kwargs)
    if spec["class"] == "LambdaLR":
        names = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = (
            [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
        )
    return cls(opt, **kwargs)


def momenta(opt) -> list[float]:
    if "betas" in opt.defaults:
        return [g["betas"][0] for g in opt.param_groups]
    return [g["momentum"] for g in opt.param_groups]


def run(case: dict):
    opt = make_optimizer(case["optimizer"], case["lrs"])
    if case["scheduler"]["class"] == "ReduceLROnPlateau":
        scheduler = S.ReduceLROnPlateau(opt, **case["scheduler"]["kwargs"])
        lrs = [scheduler.get_last_lr()]
        for metric in case["metrics"]:
            opt.step()
            scheduler.step(metric)
            lrs.append(scheduler.get_last_lr())
        return np.array(lrs), None
    scheduler = build(opt, case["scheduler"])
    lrs, moms = [scheduler.get_last_lr()], [momenta(opt)]
    for _ in range(case["steps"]):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        moms.append(momenta(opt))
    return np.array(lrs), np.array(moms)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sequence_matches_pytorch(name):
    case = CASES[name]
    lrs, moms = run(case)
    np.testing.assert_allclose(lrs, np.array(case["lr"]), rtol=1e-13, atol=1e-16)
    if moms is not None:
        np.testing.assert_allclose(moms, np.array(case["momentum"]), rtol=1e-13, atol=1e-16)


def closed_form(spec: dict, base_lr: float, group: int):
    """The schedule's closed form as a function of the epoch, for one group."""
    cls = getattr(S, spec["class"])
    kwargs = dict(spec["kwargs"])
    for key in ("max_lr", "base_lr", "lr_lambda"):
        if isinstance(kwargs.get(key), list):
            kwargs[key] = kwargs[key][group]
    name = spec["class"]
    if name == "LambdaLR":
        return functools.partial(
            cls.closed_form, base_lr=base_lr, lr_lambda=LAMBDAS[kwargs["lr_lambda"]]
        )
    if name == "OneCycleLR":
        kwargs.pop("cycle_momentum", None)
        if "epochs" in kwargs:
            kwargs["total_steps"] = kwargs.pop("epochs") * kwargs.pop("steps_per_epoch")
        return functools.partial(cls.closed_form, **kwargs)
    if name == "CyclicLR":
        for key in ("cycle_momentum", "base_momentum", "max_momentum"):
            kwargs.pop(key, None)
        return functools.partial(cls.closed_form, **kwargs)
    if name == "SequentialLR":
        parts = [closed_form(s, base_lr, group) for s in kwargs["schedulers"]]
        return functools.partial(cls.closed_form, schedules=parts, milestones=kwargs["milestones"])
    if name == "ChainedScheduler":
        parts = [closed_form(s, base_lr, group) for s in kwargs["schedulers"]]
        return functools.partial(cls.closed_form, base_lr=base_lr, schedules=parts)
    return functools.partial(cls.closed_form, base_lr=base_lr, **kwargs)


CLOSED_FORM_CASES = sorted(
    n for n, c in CASES.items() if c["scheduler"]["class"] != "ReduceLROnPlateau"
)


@pytest.mark.parametrize("name", CLOSED_FORM_CASES)
def test_closed_form_matches_pytorch(name):
    """The closed form, with no optimizer, reproduces PyTorch's (chainable) numbers."""
    case = CASES[name]
    golden = np.array(case["lr"])
    for g, base_lr in enumerate(case["lrs"]):
        f = closed_form(case["scheduler"], base_lr, g)
        ours = np.array([f(t) for t in range(case["steps"] + 1)])
        # Chainable forms accumulate one rounding per step; cosine's ratio form amplifies them
        # near its zero, hence an absolute floor relative to the base rate.
        np.testing.assert_allclose(ours, golden[:, g], rtol=1e-9, atol=1e-12 * base_lr)


def test_plateau_simulate_matches_pytorch():
    """ReduceLROnPlateau has no closed form; simulate() replays a metric sequence."""
    for case in (c for c in CASES.values() if c["scheduler"]["class"] == "ReduceLROnPlateau"):
        kwargs = dict(case["scheduler"]["kwargs"])
        for g, lr in enumerate(case["lrs"]):
            if isinstance(kwargs.get("min_lr"), list):
                kwargs_g = {**kwargs, "min_lr": kwargs["min_lr"][g]}
            else:
                kwargs_g = kwargs
            ours = S.ReduceLROnPlateau.simulate(case["metrics"], lr, **kwargs_g)
            np.testing.assert_allclose(ours, np.array(case["lr"])[:, g], rtol=1e-15)


def test_golden_file_covers_every_scheduler():
    classes = {c["scheduler"]["class"] for c in CASES.values()}
    for c in CASES.values():
        classes |= {s["class"] for s in c["scheduler"]["kwargs"].get("schedulers", [])}
    assert classes == set(S.__all__) - {"LRScheduler"}


LIVE = {
    "StepLR": lambda r: dict(step_size=int(r.integers(1, 6)), gamma=float(r.uniform(0.1, 0.9))),
    "ExponentialLR": lambda r: dict(gamma=float(r.uniform(0.5, 0.99))),
    "LinearLR": lambda r: dict(
        start_factor=float(r.uniform(0.05, 1)),
        end_factor=float(r.uniform(0, 1)),
        total_iters=int(r.integers(1, 10)),
    ),
    "PolynomialLR": lambda r: dict(
        total_iters=int(r.integers(1, 15)), power=float(r.uniform(0.2, 3))
    ),
    "CosineAnnealingLR": lambda r: dict(
        T_max=int(r.integers(1, 12)), eta_min=float(r.uniform(0, 0.01))
    ),
    "CosineAnnealingWarmRestarts": lambda r: dict(
        T_0=int(r.integers(1, 6)), T_mult=int(r.integers(1, 3)), eta_min=float(r.uniform(0, 0.01))
    ),
    "OneCycleLR": lambda r: dict(
        max_lr=float(r.uniform(0.1, 1)),
        total_steps=40,
        pct_start=float(r.uniform(0.1, 0.45)),
        three_phase=bool(r.integers(0, 2)),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(LIVE))
@pytest.mark.parametrize("seed", range(3))
def test_against_live_pytorch(name, seed):
    """Random hyperparameters, both libraries, 39 steps: the same rates."""
    torch = pytest.importorskip("torch")
    kwargs = LIVE[name](np.random.default_rng(seed))
    ours_opt = make_optimizer({"class": "SGD", "kwargs": {"momentum": 0.9}}, [0.1])
    ours = getattr(S, name)(ours_opt, **kwargs)
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    theirs = getattr(torch.optim.lr_scheduler, name)(t_opt, **kwargs)
    for _ in range(39):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12, abs=1e-15)
        ours_opt.step()
        ours.step()
        t_opt.step()
        theirs.step()


@pytest.mark.torch
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("StepLR", dict(step_size=3, gamma=0.5)),
        ("MultiStepLR", dict(milestones=[2, 5])),
        ("ExponentialLR", dict(gamma=0.9)),
        ("LinearLR", dict(start_factor=0.2, total_iters=6)),
        ("ConstantLR", dict(factor=0.5, total_iters=4)),
        ("PolynomialLR", dict(total_iters=8, power=2.0)),
        ("CosineAnnealingLR", dict(T_max=10)),
        ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)),
    ],
)
def test_resuming_with_last_epoch_matches_live_pytorch(name, kwargs):
    """Constructed with last_epoch=4 over groups that carry initial_lr (a resumed run)."""
    torch = pytest.importorskip("torch")
    group = {"lr": 0.05, "initial_lr": 0.1}
    ours_opt = optim.SGD([{"params": [md.zeros(1, requires_grad=True)], **group}])
    t_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], **group}])
    ours = getattr(S, name)(ours_opt, last_epoch=4, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(t_opt, last_epoch=4, **kwargs)
    for _ in range(8):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
        assert ours.last_epoch == theirs.last_epoch
        ours_opt.step()
        ours.step()
        t_opt.step()
        theirs.step()

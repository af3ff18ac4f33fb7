"""Exercises on learning-rate schedules (lesson 11): StepLR and CosineAnnealingLR as closed-form
functions of the epoch. References: minidl.optim.lr_scheduler's schedulers, stepped `epoch` times
(their chainable form, as PyTorch computes them)."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from minidl import optim
from minidl.autograd import Tensor
from minidl.exercises.exercise import Exercise, register
from minidl.optim import lr_scheduler


def _lr_after(epoch: int, base_lr: float, make_scheduler) -> float:
    """The learning rate after `epoch` calls of scheduler.step() (one per epoch, PyTorch's loop)."""
    opt = optim.SGD([Tensor([0.0], requires_grad=True)], lr=base_lr)
    scheduler = make_scheduler(opt)
    for _ in range(epoch):
        opt.step()
        scheduler.step()
    return float(scheduler.get_last_lr()[0])


@st.composite
def _step_cases(draw):
    return {
        "epoch": draw(st.integers(0, 40)),
        "base_lr": draw(st.sampled_from([0.1, 1.0, 0.05])),
        "step_size": draw(st.integers(1, 10)),
        "gamma": draw(st.sampled_from([0.1, 0.5, 0.9])),
    }


def _step_reference(epoch, base_lr, step_size, gamma):
    return _lr_after(epoch, base_lr, lambda o: lr_scheduler.StepLR(o, step_size, gamma))


step_lr = Exercise(
    name="step_lr",
    topic="schedules",
    difficulty=1,
    lesson=11,
    source="minidl/optim/lr_scheduler/decay.py (StepLR)",
    signature="def step_lr(epoch, base_lr, step_size, gamma):",
    doc="""The learning rate of PyTorch's StepLR at `epoch` (after `epoch` calls of step()).

        lr = base_lr · γ^⌊epoch / step_size⌋

    Epochs count from 0: epochs 0 … step_size − 1 use base_lr, the first decay is at
    epoch = step_size.

    Args:
        epoch: int ≥ 0; base_lr: float > 0; step_size: int ≥ 1; gamma: γ, the decay factor.
    Returns:
        lr: a float.
    """,
    reference=_step_reference,
    cases=_step_cases(),
    outputs=(("lr", "forward value"),),
    check_mutation=False,
    mistakes={
        "off by one: the first decay is at epoch = step_size (⌊epoch / step_size⌋), not at "
        "step_size − 1": lambda e, lr, s, g: lr * g ** ((e + 1) // s),
        "off by one: epochs count from 0, so the first decay is at epoch = step_size, not "
        "step_size + 1": lambda e, lr, s, g: lr * g ** (max(e - 1, 0) // s),
        "step decay is piecewise constant: γ^⌊epoch / step_size⌋ (floor), not γ^(epoch / "
        "step_size)": lambda e, lr, s, g: lr * g ** (e / s),
        "multiply by γ once per period: base_lr · γ^k, not base_lr · γ · k": (
            lambda e, lr, s, g: lr * g * (e // s) if e >= s else lr
        ),
    },
)


@st.composite
def _cosine_cases(draw):
    t_max = draw(st.integers(1, 12))
    return {
        "epoch": draw(st.integers(0, 3 * t_max)),
        "base_lr": draw(st.sampled_from([0.1, 1.0])),
        "T_max": t_max,
        "eta_min": draw(st.sampled_from([0.0, 0.01, 0.001])),
    }


def _cosine_reference(epoch, base_lr, T_max, eta_min=0.0):
    return _lr_after(
        epoch, base_lr, lambda o: lr_scheduler.CosineAnnealingLR(o, T_max, eta_min=eta_min)
    )


def _cos(e, lr, T, eta, angle=math.pi):
    return eta + (lr - eta) * (1 + math.cos(angle * e / T)) / 2


cosine_annealing_lr = Exercise(
    name="cosine_annealing_lr",
    topic="schedules",
    difficulty=1,
    lesson=11,
    source="minidl/optim/lr_scheduler/cosine.py (CosineAnnealingLR)",
    signature="def cosine_annealing_lr(epoch, base_lr, T_max, eta_min=0):",
    doc="""The learning rate of PyTorch's CosineAnnealingLR at `epoch`.

        lr = η_min + (base_lr − η_min) · (1 + cos(π · epoch / T_max)) / 2

    base_lr at epoch 0, η_min at epoch T_max; past T_max the cosine goes on (the rate climbs
    back to base_lr at 2·T_max), as PyTorch's scheduler does.

    Args:
        epoch: int ≥ 0; base_lr: float > 0; T_max: int ≥ 1 (the half period); eta_min: η_min ≥ 0.
    Returns:
        lr: a float.
    """,
    reference=_cosine_reference,
    cases=_cosine_cases(),
    outputs=(("lr", "forward value"),),
    check_mutation=False,
    mistakes={
        "the cosine's argument is π·epoch/T_max (half a period over T_max epochs), not "
        "2π·epoch/T_max": lambda e, lr, T, eta=0: _cos(e, lr, T, eta, angle=2 * math.pi),
        "anneal towards η_min: η_min + (base_lr − η_min)(1 + cos)/2 (you left η_min out)": (
            lambda e, lr, T, eta=0: _cos(e, lr, T, 0.0)
        ),
        "the rate is (1 + cos(π t/T_max))/2 of the range, not cos(π t/T_max)": (
            lambda e, lr, T, eta=0: eta + (lr - eta) * math.cos(math.pi * e / T)
        ),
        "past T_max PyTorch's cosine keeps going (back up to base_lr at 2·T_max); you held it at "
        "η_min": lambda e, lr, T, eta=0: _cos(min(e, T), lr, T, eta),
        "off by one: epoch 0 gives base_lr (cos 0 = 1); you used epoch + 1": (
            lambda e, lr, T, eta=0: _cos(e + 1, lr, T, eta)
        ),
    },
)

register(step_lr, cosine_annealing_lr)

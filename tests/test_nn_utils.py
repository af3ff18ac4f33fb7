"""Penalties (and the factor of 2 between Keras's l2 and PyTorch's weight_decay), parameter
selection for decay, and gradient clipping."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
import minidl.nn.functional as F
from minidl import nn
from minidl.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    decay_parameters,
    l1_penalty,
    l2_penalty,
    no_decay_parameters,
)


def test_penalty_values_and_gradients():
    w = md.tensor([[1.0, -2.0], [3.0, 0.5]], dtype=md.float64, requires_grad=True)
    b = md.tensor([-1.0, 4.0], dtype=md.float64, requires_grad=True)
    l2 = l2_penalty([w, b], 0.1)
    assert l2.item() == pytest.approx(0.1 * (1 + 4 + 9 + 0.25 + 1 + 16))
    l2.backward()
    np.testing.assert_allclose(w.grad, 2 * 0.1 * w.data)  # Keras l2(λ): gradient 2λw
    w.grad = None
    l1 = l1_penalty(w, 0.5)
    assert l1.item() == pytest.approx(0.5 * 6.5)
    l1.backward()
    np.testing.assert_allclose(w.grad, 0.5 * np.sign(w.data))


def _model(seed: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(3, 4, generator=seed), nn.Tanh(), nn.Linear(4, 2, generator=seed + 1)
    ).double()


def _data(seed: int):
    rng = np.random.default_rng(seed)
    return md.tensor(rng.standard_normal((6, 3))), rng.standard_normal((6, 2))


@given(seed=st.integers(0, 2**31 - 1), lam=st.floats(1e-3, 0.5))
def test_l2_penalty_gradient_equals_weight_decay_with_the_factor_of_2(seed, lam):
    """(λ/2) Σw² in the loss adds exactly λw to the gradient: PyTorch's weight_decay=λ."""
    x, y = _data(seed)
    plain, penalised = _model(seed), _model(seed)
    F.mse_loss(plain(x), y).backward()
    (F.mse_loss(penalised(x), y) + l2_penalty(penalised.parameters(), lam / 2)).backward()
    for p, q in zip(plain.parameters(), penalised.parameters()):
        np.testing.assert_allclose(q.grad, p.grad + lam * p.data, rtol=1e-10, atol=1e-12)


def test_l2_penalty_step_equals_sgd_weight_decay_and_adam_coupled_but_not_adamw():
    x, y = _data(0)
    lam = 0.2
    runs = {}
    for name, opt_cls, kwargs, penalty in [
        ("sgd_penalty", md.optim.SGD, {"lr": 0.1}, lam / 2),
        ("sgd_decay", md.optim.SGD, {"lr": 0.1, "weight_decay": lam}, 0.0),
        ("adam_penalty", md.optim.Adam, {"lr": 0.01}, lam / 2),
        ("adam_decay", md.optim.Adam, {"lr": 0.01, "weight_decay": lam}, 0.0),
        ("adamw_decay", md.optim.AdamW, {"lr": 0.01, "weight_decay": lam}, 0.0),
    ]:
        m = _model(0)
        opt = opt_cls(m.parameters(), **kwargs)
        for _ in range(3):
            opt.zero_grad()
            loss = F.mse_loss(m(x), y)
            if penalty:
                loss = loss + l2_penalty(m.parameters(), penalty)
            loss.backward()
            opt.step()
        runs[name] = np.concatenate([p.data.ravel() for p in m.parameters()])
    np.testing.assert_allclose(runs["sgd_penalty"], runs["sgd_decay"], rtol=1e-12)
    np.testing.assert_allclose(runs["adam_penalty"], runs["adam_decay"], rtol=1e-10)
    assert np.abs(runs["adam_penalty"] - runs["adamw_decay"]).max() > 1e-6


def test_decay_parameters_skip_biases_and_normalisation():
    m = nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3), nn.LayerNorm(3)
    )
    decay = decay_parameters(m)
    assert [p.shape for p in decay] == [(2, 1, 3, 3), (3, 8)]
    rest = no_decay_parameters(m)
    assert len(decay) + len(rest) == len(list(m.parameters()))
    assert not {id(p) for p in decay} & {id(p) for p in rest}


def test_clip_grad_value_and_norm_in_place():
    p = md.zeros(4, requires_grad=True)
    p.grad = md.tensor(np.array([-3.0, 0.5, 2.0, -0.1], dtype=np.float32))
    clip_grad_value_([p], 1.0)
    np.testing.assert_array_equal(p.grad, np.array([-1.0, 0.5, 1.0, -0.1], dtype=np.float32))
    q = md.zeros(2, requires_grad=True)
    q.grad = md.tensor(np.array([3.0, 4.0], dtype=np.float32))
    total = clip_grad_norm_(q, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    assert np.linalg.norm(q.grad) == pytest.approx(1.0, rel=1e-5)
    small = md.zeros(2, requires_grad=True)
    small.grad = md.tensor(np.array([0.3, 0.4], dtype=np.float32))
    assert clip_grad_norm_([small], 1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(small.grad, [0.3, 0.4])  # below the limit: untouched


def test_bad_arguments():
    with pytest.raises(TypeError, match="pass parameters, e.g. model.parameters()"):
        l2_penalty(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="max_norm must be >= 0; received -1"):
        clip_grad_norm_([], -1)
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_([], -0.5)

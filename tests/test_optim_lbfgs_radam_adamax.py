"""LBFGS, RAdam and Adamax beyond the golden trajectories: closed forms, a real model through
autograd, PyTorch's keyword arguments, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
from minidl import nn, optim


def test_lbfgs_solves_a_quadratic_in_a_few_iterations():
    """On a convex quadratic L-BFGS with an exact-enough line search reaches the minimiser
    A⁻¹b (n = 5 dimensions: at most ~n iterations)."""
    rng = np.random.default_rng(0)
    m = rng.standard_normal((5, 5))
    a, b = m @ m.T + 5 * np.eye(5), rng.standard_normal(5)
    x = md.tensor(np.zeros(5), requires_grad=True)
    opt = optim.LBFGS(
        [x],
        max_iter=100,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
    )

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ md.tensor(a) @ x) - (md.tensor(b) * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    # it stops when the loss stops changing in float64: L − L* ~ ‖x − x*‖², so ‖x − x*‖ reaches
    # about √(machine ε) ≈ 1.5e-8, not 1e-16
    np.testing.assert_allclose(x.data, np.linalg.solve(a, b), rtol=0, atol=1e-7)
    assert opt.state[x]["n_iter"] < 20


def test_lbfgs_trains_a_logistic_regression_through_autograd():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 3))
    y = (x @ np.array([1.5, -2.0, 0.5]) > 0).astype(np.float64)
    model = nn.Linear(3, 1, generator=0).double()
    opt = optim.LBFGS(model.parameters(), lr=1, max_iter=50, line_search_fn="strong_wolfe")
    X, Y = md.tensor(x), md.tensor(y.reshape(-1, 1))

    def closure():
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(X), Y)
        loss.backward()
        return loss

    first = float(closure())
    opt.step(closure)
    assert float(closure()) < 0.2 * first
    accuracy = ((model(X).data > 0) == (y.reshape(-1, 1) > 0.5)).mean()
    assert accuracy > 0.95


def test_radam_first_steps_are_plain_momentum_steps():
    """ρ_t ≤ 5 for t ≤ 5 at β2 = 0.999: θ moves by −α m̂ (the bias-corrected mean of g)."""
    p = md.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.RAdam([p], lr=0.1)
    g = np.array([0.5, 3.0])
    for _ in range(3):
        p.grad = md.tensor(g.copy())
        before = p.data.copy()
        opt.step()
        np.testing.assert_allclose(before - p.data, 0.1 * g)  # constant g: m̂ = g


def test_adamax_first_step_is_lr_times_sign():
    p = md.tensor(np.array([1.0, -2.0, 0.0]), requires_grad=True)
    opt = optim.Adamax([p], lr=0.01, eps=0.0)
    p.grad = md.tensor(np.array([0.5, -3.0, 2.0]))
    opt.step()  # m̂ = g, u = |g|  ->  step = lr · sign(g)
    np.testing.assert_allclose(p.data, [0.99, -1.99, -0.01])


@pytest.mark.parametrize(
    "cls, extra",
    [
        (optim.SGD, {"lr": 0.1}),
        (optim.Adam, {}),
        (optim.AdamW, {}),
        (optim.Adagrad, {}),
        (optim.RMSprop, {}),
        (optim.Adadelta, {}),
        (optim.NAdam, {}),
        (optim.RAdam, {}),
        (optim.Adamax, {}),
    ],
)
def test_pytorch_implementation_switches_are_accepted_and_change_nothing(cls, extra):
    def run(**flags):
        p = md.tensor(np.array([1.0, -1.0]), requires_grad=True)
        opt = cls([p], **extra, **flags)
        for _ in range(3):
            p.grad = md.tensor(np.array([0.3, -0.7]))
            opt.step()
        return p.data

    flags = {"foreach": False, "differentiable": False, "capturable": False}
    if cls not in (optim.RAdam, optim.Adamax):
        flags["fused"] = None
    np.testing.assert_array_equal(run(), run(**flags))
    with pytest.raises(TypeError, match="`foreach` must be a bool or None"):
        run(foreach="yes")


def test_lbfgs_errors_are_clear():
    p = md.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(TypeError, match="closure is required"):
        optim.LBFGS([p]).step()
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([p], line_search_fn="armijo")
    q = md.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [p]}, {"params": [q]}])
    with pytest.raises(ValueError, match="max_iter"):
        optim.LBFGS([p], max_iter=0)


def test_lbfgs_state_dict_resumes_to_the_same_iterates():
    """The curvature history lives in the state dict: save after one step(closure), load into a
    fresh optimizer over a fresh copy, and the next step is the same as without the break."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((6, 4))
    b = rng.standard_normal(6)

    def run(x, opt):
        def closure():
            opt.zero_grad()
            r = md.tensor(a) @ x - md.tensor(b)
            loss = (r * r).sum() + (x * x * x * x).sum()
            loss.backward()
            return loss

        opt.step(closure)

    x1 = md.tensor(np.ones(4), requires_grad=True)
    o1 = optim.LBFGS([x1], max_iter=3, history_size=4)
    run(x1, o1)
    x2 = md.tensor(x1.data.copy(), requires_grad=True)
    o2 = optim.LBFGS([x2], max_iter=3, history_size=4)
    o2.load_state_dict(o1.state_dict())
    run(x1, o1)
    run(x2, o2)
    np.testing.assert_array_equal(x1.data, x2.data)

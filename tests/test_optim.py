"""Optimizers: closed-form steps, properties, the Optimizer API and checkpoints.

Trajectories against PyTorch live in test_optim_golden.py; bad input in test_optim_errors.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minidl as md
from minidl import optim

# One configuration per optimizer with its stateful options switched on.
CONFIGS = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adagrad": dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.01, amsgrad=True),
    "Adadelta": dict(lr=1.0, weight_decay=0.01),
    "NAdam": dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
}

shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)
finite = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
nonzero = finite.filter(lambda x: abs(x) > 1e-3)


def param(array) -> md.Tensor:
    return md.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def quadratic_grad(seed: int, shape):
    """∇ of L(θ) = ½ Σ a_i (θ_i − c_i)², a fixed random bowl: g = a (θ − c)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, size=shape)
    c = rng.normal(size=shape)
    return lambda theta: a * (theta - c)


def run(name: str, kwargs: dict, p: md.Tensor, grad_fn, steps: int, opt=None):
    opt = opt or getattr(optim, name)([p], **kwargs)
    for _ in range(steps):
        p.grad = md.tensor(grad_fn(p.data))
        opt.step()
    return opt


# ---------------------------------------------------------------------------------------------
# Closed-form steps


@given(hnp.arrays(np.float64, shapes, elements=finite), st.floats(0, 1), st.integers(0, 2**16))
def test_sgd_one_step_is_theta_minus_lr_grad(theta0, lr, seed):
    grad = np.random.default_rng(seed).normal(size=theta0.shape)
    p = param(theta0)
    p.grad = md.tensor(grad.copy())
    optim.SGD([p], lr=lr).step()
    np.testing.assert_allclose(p.data, theta0 - lr * grad, rtol=1e-14, atol=1e-15)


@given(
    st.floats(0.01, 0.99),
    st.floats(0, 0.9),
    st.booleans(),
    hnp.arrays(np.float64, 4, elements=finite),
    hnp.arrays(np.float64, 4, elements=finite),
)
def test_sgd_momentum_two_steps(mu, dampening, nesterov, g1, g2):
    """v₁ = g₁; v₂ = μ v₁ + (1 − τ) g₂; the step uses v (or g + μ v with Nesterov)."""
    if nesterov:
        dampening = 0.0
    lr = 0.1
    p = param(np.zeros(4))
    opt = optim.SGD([p], lr=lr, momentum=mu, dampening=dampening, nesterov=nesterov)
    p.grad = md.tensor(g1.copy())
    opt.step()
    v1 = g1
    step1 = g1 + mu * v1 if nesterov else v1
    np.testing.assert_allclose(p.data, -lr * step1, rtol=1e-12, atol=1e-14)
    p.grad = md.tensor(g2.copy())
    opt.step()
    v2 = mu * v1 + (1 - dampening) * g2
    step2 = g2 + mu * v2 if nesterov else v2
    np.testing.assert_allclose(p.data, -lr * step1 - lr * step2, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], v2, rtol=1e-12, atol=1e-14)


@given(hnp.arrays(np.float64, shapes, elements=nonzero), st.floats(1e-4, 1.0))
def test_adam_first_step_is_lr_times_sign(grad, lr):
    """m̂₁ = g and v̂₁ = g², so with ε = 0 the first step is exactly α·sign(g)."""
    p = param(np.zeros_like(grad))
    p.grad = md.tensor(grad.copy())
    optim.Adam([p], lr=lr, eps=0.0).step()
    np.testing.assert_allclose(p.data, -lr * np.sign(grad), rtol=1e-12)


@given(
    hnp.arrays(np.float64, 5, elements=nonzero),
    st.floats(0.0, 0.99),
    st.floats(0.5, 0.9999),
    st.integers(1, 30),
)
def test_adam_bias_correction_makes_constant_gradients_take_full_steps(grad, beta1, beta2, t):
    """With a constant gradient m̂_t = g and v̂_t = g² at every t: t steps of exactly α·sign(g).
    Without the 1/(1 − β^t) corrections the early steps would be far from α."""
    lr = 0.01
    p = param(np.zeros(5))
    run("Adam", dict(lr=lr, betas=(beta1, beta2), eps=0.0), p, lambda _: grad.copy(), t)
    np.testing.assert_allclose(p.data, -t * lr * np.sign(grad), rtol=1e-9)


@given(hnp.arrays(np.float64, 5, elements=nonzero))
def test_adagrad_first_two_steps(grad):
    """G₁ = g², step α g/(|g| + ε); G₂ = 2g², step α g/(√2 |g| + ε)."""
    lr, eps = 0.1, 1e-10
    p = param(np.zeros(5))
    run("Adagrad", dict(lr=lr, eps=eps), p, lambda _: grad.copy(), 2)
    expected = -lr * grad / (np.abs(grad) + eps) - lr * grad / (np.sqrt(2) * np.abs(grad) + eps)
    np.testing.assert_allclose(p.data, expected, rtol=1e-12)


@given(hnp.arrays(np.float64, 5, elements=nonzero), st.floats(0.5, 0.999), st.booleans())
def test_rmsprop_first_step(grad, rho, centered):
    """v₁ = (1 − ρ) g²; centered subtracts ḡ₁² = ((1 − ρ) g)² under the root."""
    lr, eps = 0.01, 1e-8
    p = param(np.zeros(5))
    run("RMSprop", dict(lr=lr, alpha=rho, eps=eps, centered=centered), p, lambda _: grad.copy(), 1)
    var = (1 - rho) * grad**2 - (((1 - rho) * grad) ** 2 if centered else 0)
    np.testing.assert_allclose(p.data, -lr * grad / (np.sqrt(var) + eps), rtol=1e-10)


@given(hnp.arrays(np.float64, 5, elements=nonzero), st.floats(0.5, 0.99))
def test_adadelta_first_step(grad, rho):
    """u₀ = 0, so Δ₁ = √ε / √((1 − ρ) g² + ε) · g."""
    eps = 1e-6
    p = param(np.zeros(5))
    run("Adadelta", dict(lr=1.0, rho=rho, eps=eps), p, lambda _: grad.copy(), 1)
    delta = math.sqrt(eps) / np.sqrt((1 - rho) * grad**2 + eps) * grad
    np.testing.assert_allclose(p.data, -delta, rtol=1e-12)


@given(hnp.arrays(np.float64, 5, elements=nonzero), st.floats(0, 0.1))
def test_nadam_first_step(grad, psi):
    """m₁ = (1 − β1) g, v̂₁ = g², Π₁ = μ₁: the two-term Nesterov step written out."""
    lr, b1 = 0.01, 0.9
    p = param(np.zeros(5))
    run("NAdam", dict(lr=lr, eps=0.0, momentum_decay=psi), p, lambda _: grad.copy(), 1)
    mu1 = b1 * (1 - 0.5 * 0.96**psi)
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    s = np.sign(grad)
    expected = -lr * (1 - mu1) / (1 - mu1) * s - lr * mu2 / (1 - mu1 * mu2) * (1 - b1) * s
    np.testing.assert_allclose(p.data, expected, rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# Weight decay: coupled L2 versus decoupled


def penalized_run(opt_cls, kwargs, penalty_coef, steps, seed, keras_style=False):
    """Train w on a least-squares loss through autograd, optionally adding a penalty to the loss:
    (λ/2)‖w‖² (PyTorch's weight_decay convention) or λ‖w‖² (Keras's l2(λ))."""
    rng = np.random.default_rng(seed)
    X = md.tensor(rng.normal(size=(8, 3)))
    y = md.tensor(rng.normal(size=(8,)))
    w = param(rng.normal(size=3))
    opt = opt_cls([w], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        residual = X @ w - y
        loss = (residual * residual).mean()
        if penalty_coef:
            scale = penalty_coef if keras_style else penalty_coef / 2
            loss = loss + (w * w).sum() * scale
        loss.backward()
        opt.step()
    return w.data


@given(st.floats(0.001, 0.5), st.floats(0.001, 0.2), st.floats(0, 0.9), st.integers(0, 2**16))
def test_l2_penalty_in_the_loss_equals_sgd_weight_decay(lam, lr, momentum, seed):
    """(λ/2)‖w‖² adds λw to the gradient: exactly SGD's weight_decay=λ. Keras's l2(λ) adds λ‖w‖²
    (gradient 2λw), which is weight_decay=2λ."""
    kw = dict(lr=lr, momentum=momentum)
    with_penalty = penalized_run(optim.SGD, kw, lam, 5, seed)
    with_decay = penalized_run(optim.SGD, {**kw, "weight_decay": lam}, 0, 5, seed)
    np.testing.assert_allclose(with_penalty, with_decay, rtol=1e-10, atol=1e-12)
    keras = penalized_run(optim.SGD, kw, lam, 5, seed, keras_style=True)
    torch_2lam = penalized_run(optim.SGD, {**kw, "weight_decay": 2 * lam}, 0, 5, seed)
    np.testing.assert_allclose(keras, torch_2lam, rtol=1e-10, atol=1e-12)


@given(st.floats(0.05, 0.5), st.integers(0, 2**16))
def test_adam_weight_decay_is_the_l2_penalty_but_adamw_is_not(lam, seed):
    """Adam's weight_decay is coupled: the same as putting (λ/2)‖w‖² in the loss. AdamW's
    decoupled decay gives a different trajectory."""
    kw = dict(lr=0.05)
    with_penalty = penalized_run(optim.Adam, kw, lam, 5, seed)
    adam = penalized_run(optim.Adam, {**kw, "weight_decay": lam}, 0, 5, seed)
    adamw = penalized_run(optim.AdamW, {**kw, "weight_decay": lam}, 0, 5, seed)
    np.testing.assert_allclose(adam, with_penalty, rtol=1e-9, atol=1e-12)
    assert np.abs(adamw - with_penalty).max() > 1e-6


@given(st.floats(0.5, 2.0), st.floats(1e-3, 0.01), st.floats(0.01, 1.0), st.integers(1, 5))
def test_adamw_with_zero_gradients_shrinks_by_exactly_one_minus_lr_lambda(scale, lr, lam, t):
    """Zero gradients leave m = v = 0, so AdamW's only move is θ ← θ(1 − αλ): proportional to
    |θ|. Adam's coupled decay instead feeds λθ through the adaptive step, so every weight moves
    by about α whatever its size."""
    theta0 = scale * np.array([0.2, 1.0, 3.0, -0.5, -2.0, 0.3])
    pw = param(theta0)
    run("AdamW", dict(lr=lr, weight_decay=lam), pw, np.zeros_like, t)
    np.testing.assert_allclose(pw.data, theta0 * (1 - lr * lam) ** t, rtol=1e-12)
    pa = param(theta0)
    run("Adam", dict(lr=lr, weight_decay=lam), pa, np.zeros_like, t)
    np.testing.assert_allclose(np.abs(theta0 - pa.data), t * lr, rtol=0.05)
    assert not np.allclose(pa.data, pw.data, rtol=1e-3)


@pytest.mark.parametrize("name", ["SGD", "Adam", "NAdam", "RMSprop", "Adagrad", "Adadelta"])
def test_maximize_on_minus_gradient_equals_minimize(name):
    """Ascending −L is descending L: maximize=True fed −∇L retraces the minimization."""
    grad_fn = quadratic_grad(3, (4,))
    kw = {k: v for k, v in CONFIGS[name].items()}
    a, b = param(np.ones(4)), param(np.ones(4))
    run(name, kw, a, grad_fn, 6)
    run(name, {**kw, "maximize": True}, b, lambda th: -grad_fn(th), 6)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_optimizer_descends_a_bowl(name):
    """A sanity check the golden files cannot give: the loss actually goes down."""
    grad_fn = quadratic_grad(0, (3, 2))
    rng = np.random.default_rng(1)
    p = param(rng.normal(size=(3, 2)) * 3)
    a = np.random.default_rng(0).uniform(0.5, 2.0, size=(3, 2))

    def loss():
        g = grad_fn(p.data)
        return 0.5 * float(np.sum(g * g / a))  # ½ Σ a (θ − c)²

    before = loss()
    run(name, CONFIGS[name], p, grad_fn, 50)
    assert loss() < before


# ---------------------------------------------------------------------------------------------
# The Optimizer API


def test_parameters_without_grad_are_skipped_and_get_no_state():
    a, b = param([1.0, 2.0]), param([3.0])
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = md.tensor(np.array([1.0, -1.0]))
    opt.step()
    assert b.data.tolist() == [3.0]
    assert b not in opt.state and opt.state[a]["step"] == 1
    assert list(opt.state_dict()["state"]) == [0]


def test_zero_grad_sets_to_none_or_zeros_in_place():
    p = param([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1)
    p.grad = md.tensor(np.array([1.0, 1.0]))
    buffer = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is buffer and not p.grad.any()
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_reevaluates_with_grad_enabled():
    w = param([2.0, -1.0])
    opt = optim.SGD([w], lr=0.25)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        calls.append(md.is_grad_enabled())
        return loss

    with md.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 5.0
    np.testing.assert_allclose(w.data, [2.0 - 0.25 * 4.0, -1.0 + 0.25 * 2.0])


def test_parameter_groups_have_their_own_hyperparameters():
    a, b = param([1.0]), param([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[1]["momentum"] == 0.9  # filled in from the defaults
    a.grad, b.grad = md.tensor(np.array([1.0])), md.tensor(np.array([1.0]))
    opt.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.9, 0.5])


def test_add_param_group_unfreezes_a_parameter():
    a, b = param([1.0]), param([1.0])
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    b.grad = md.tensor(np.array([1.0]))
    opt.step()
    np.testing.assert_allclose(b.data, [1.0 - 0.01], rtol=1e-6)


def test_float32_parameters_stay_float32():
    for name, kwargs in CONFIGS.items():
        p = md.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
        run(name, kwargs, p, lambda th: (th * 0.5).astype(np.float32), 3)
        assert p.data.dtype == np.float32, name
        opt_state = getattr(optim, name)([p], **kwargs)
        p.grad = md.tensor(np.ones((2, 3), dtype=np.float32))
        opt_state.step()
        for key, value in opt_state.state[p].items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, (name, key)


def test_repr_lists_each_group():
    p = param([1.0])
    text = repr(optim.SGD([p], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# ---------------------------------------------------------------------------------------------
# Checkpoints: state_dict / load_state_dict


@given(st.sampled_from(sorted(CONFIGS)), st.integers(0, 6), st.integers(1, 6))
def test_resume_from_state_dict_is_bit_identical(name, k, m):
    """k steps, checkpoint, m more steps == k + m uninterrupted steps, to the last bit."""
    grad_fn = quadratic_grad(7, (3, 2))
    theta0 = np.random.default_rng(8).normal(size=(3, 2))
    full = param(theta0)
    run(name, CONFIGS[name], full, grad_fn, k + m)

    first = param(theta0)
    opt = run(name, CONFIGS[name], first, grad_fn, k)
    checkpoint = opt.state_dict()
    resumed = param(first.data)
    opt2 = getattr(optim, name)([resumed], lr=123.0)  # the checkpoint restores the hyperparameters
    opt2.load_state_dict(checkpoint)
    run(name, {}, resumed, grad_fn, m, opt=opt2)
    assert np.array_equal(resumed.data, full.data)


def test_state_dict_is_a_snapshot_with_positional_indices():
    a, b = param([1.0, 2.0]), param([3.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    a.grad, b.grad = md.tensor(np.array([1.0, 1.0])), md.tensor(np.array([1.0]))
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5
    before = sd["state"][0]["momentum_buffer"].copy()
    opt.step()
    assert np.array_equal(sd["state"][0]["momentum_buffer"], before)
    assert not any(isinstance(v, md.Tensor) for s in sd["state"].values() for v in s.values())


def test_load_state_dict_reports_mismatches():
    a, b = param([1.0, 2.0]), param([3.0])
    opt = optim.Adam([a, b])
    a.grad, b.grad = md.tensor(np.ones(2)), md.tensor(np.ones(1))
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="1 parameter groups; this optimizer has 2"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(
        ValueError, match="group 0 has 2 parameters; this optimizer's group 0 has 1"
    ):
        optim.Adam([a]).load_state_dict(sd)
    swapped = optim.Adam([b, a])
    with pytest.raises(
        ValueError, match=r"'exp_avg' of parameter 0 has shape \(2,\); the parameter"
    ):
        swapped.load_state_dict(sd)
    with pytest.raises(ValueError, match="keys 'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_trains_an_nn_module_and_resumes_it(name):
    """The optimizers take md.nn parameters as they come (model.parameters(), a generator), and
    a module + optimizer checkpoint resumes the run exactly."""
    rng = np.random.default_rng(0)
    X = md.tensor(rng.normal(size=(32, 4)).astype(np.float32))
    y = md.tensor((X.data @ rng.normal(size=(4, 1))).astype(np.float32))

    def make():
        md.manual_seed(0)
        model = md.nn.Linear(4, 1)
        return model, getattr(optim, name)(model.parameters(), **CONFIGS[name])

    def train(model, opt, steps):
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    model, opt = make()
    losses = train(model, opt, 60)
    assert losses[-1] < 0.9 * losses[0]

    resumed, opt2 = make()
    resumed.load_state_dict(model.state_dict())
    opt2.load_state_dict(opt.state_dict())
    assert train(resumed, opt2, 5) == train(model, opt, 5)
    assert np.array_equal(resumed.weight.data, model.weight.data)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_optimizer_state_dict_survives_json(name):
    """Arrays written as lists and indices as strings (what JSON makes of them) load back."""
    grad_fn = quadratic_grad(5, (2, 2))
    p = param(np.ones((2, 2)))
    opt = run(name, CONFIGS[name], p, grad_fn, 3)
    sd = opt.state_dict()
    as_json = {
        "state": {
            str(i): {k: np.asarray(v).tolist() for k, v in s.items()}
            for i, s in sd["state"].items()
        },
        "param_groups": sd["param_groups"],
    }
    q = param(p.data)
    opt2 = getattr(optim, name)([q])
    opt2.load_state_dict(json.loads(json.dumps(as_json)))
    run(name, {}, p, grad_fn, 3, opt=opt)
    run(name, {}, q, grad_fn, 3, opt=opt2)
    assert np.array_equal(p.data, q.data)

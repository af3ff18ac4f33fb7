"""Every optimizer configuration against PyTorch's trajectory on the same problem.

tests/fixtures/optim_golden.json holds a fixed problem — L(θ) = ½θᵀQθ − bᵀθ + (c/4)Σθ⁴ over
three parameters in two groups, the third receiving a gradient only on even steps — and, for each
configuration, PyTorch's parameters after every step and its final per-parameter state, made once
by tests/fixtures/make_optim_golden.py. Here minidl replays the same steps in float64.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import minidl as md
from minidl import optim

FIXTURE = Path(__file__).parent / "fixtures" / "optim_golden.json"
GOLDEN = json.loads(FIXTURE.read_text())
PROBLEM = GOLDEN["problem"]
SHAPES = [tuple(s) for s in PROBLEM["shapes"]]
CASES = {case["name"]: case for case in GOLDEN["cases"]}

RTOL, ATOL = 1e-11, 1e-13  # float64 replays of the same arithmetic: rounding differences only


def gradient(theta: np.ndarray) -> np.ndarray:
    """∇L(θ) = Qθ − b + c θ³ (the generator's formula)."""
    Q, b, c = np.array(PROBLEM["Q"]), np.array(PROBLEM["b"]), PROBLEM["c"]
    return Q @ theta - b + c * theta**3


def split(theta: np.ndarray) -> list[np.ndarray]:
    out, start = [], 0
    for shape in SHAPES:
        size = int(np.prod(shape))
        out.append(theta[start : start + size].reshape(shape))
        start += size
    return out


def as_kwargs(d: dict) -> dict:
    return {k: tuple(v) if k == "betas" else v for k, v in d.items()}


def build(case: dict):
    params = [md.tensor(a.copy(), requires_grad=True) for a in split(np.array(PROBLEM["theta0"]))]
    groups = [{"params": params[:2]}, {"params": params[2:], **as_kwargs(case["group1"])}]
    opt = getattr(optim, case["optimizer"])(groups, **as_kwargs(case["kwargs"]))
    return params, opt


def set_grads(params, k: int, sign: float) -> None:
    """The generator's gradient schedule: p2 gets a gradient on even steps only."""
    theta = np.concatenate([p.data.ravel() for p in params])
    for i, (p, g) in enumerate(zip(params, split(sign * gradient(theta)))):
        p.grad = None if (i == 2 and k % 2 == 1) else md.tensor(g.copy())


def replay(case: dict, n_steps: int):
    params, opt = build(case)
    sign = -1.0 if case["kwargs"].get("maximize", False) else 1.0
    history = []
    for k in range(n_steps):
        set_grads(params, k, sign)
        opt.step()
        history.append([p.data.copy() for p in params])
    return params, opt, history


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_matches_pytorch(name):
    case = CASES[name]
    _, _, history = replay(case, GOLDEN["n_steps"])
    for k, (ours, theirs) in enumerate(zip(history, case["trajectory"])):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(
                a, np.array(b), rtol=RTOL, atol=ATOL, err_msg=f"{name}: step {k + 1}, param {i}"
            )


@pytest.mark.parametrize("name", sorted(CASES))
def test_final_state_matches_pytorch(name):
    """Same state names, same step counts (p2 was stepped half as often), same buffers."""
    case = CASES[name]
    _, opt, _ = replay(case, GOLDEN["n_steps"])
    ours = opt.state_dict()["state"]
    assert sorted(str(i) for i in ours) == sorted(case["state"])
    for index, theirs in case["state"].items():
        mine = ours[int(index)]
        assert sorted(mine) == sorted(theirs), f"{name}: state names of parameter {index}"
        for key, value in theirs.items():
            np.testing.assert_allclose(
                np.asarray(mine[key], dtype=np.float64),
                np.asarray(value, dtype=np.float64),
                rtol=RTOL,
                atol=ATOL,
                err_msg=f"{name}: state[{index}][{key!r}]",
            )


def test_golden_file_covers_every_optimizer_and_option():
    """The fixture exercises each optimizer and each of its options at least once."""
    seen: dict[str, set] = {}
    for case in GOLDEN["cases"]:
        keys = set(case["kwargs"]) | set(case["group1"])
        seen.setdefault(case["optimizer"], set()).update(keys)
    expected = {
        "SGD": {"momentum", "dampening", "nesterov", "weight_decay", "maximize"},
        "Adagrad": {"lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"},
        "RMSprop": {"alpha", "eps", "weight_decay", "momentum", "centered", "maximize"},
        "Adam": {"betas", "eps", "weight_decay", "amsgrad", "maximize"},
        "AdamW": {"weight_decay", "amsgrad", "maximize"},
        "Adadelta": {"rho", "eps", "weight_decay", "maximize"},
        "NAdam": {"momentum_decay", "betas", "weight_decay", "decoupled_weight_decay", "maximize"},
        "RAdam": {"betas", "eps", "weight_decay", "decoupled_weight_decay", "maximize"},
        "Adamax": {"betas", "eps", "weight_decay", "maximize"},
    }
    for name, options in expected.items():
        assert options <= seen[name], (name, options - seen[name])


@pytest.mark.torch
@pytest.mark.parametrize("name", ["sgd_all", "adam_all", "rmsprop_all", "nadam_decoupled"])
def test_against_live_pytorch_float32(name):
    """Against torch itself, in float32 (the fixture is float64): the same rule in single
    precision agrees to float32 rounding."""
    torch = pytest.importorskip("torch")
    case = CASES[name]
    theta0 = np.array(PROBLEM["theta0"])
    ours = [md.tensor(a.astype(np.float32), requires_grad=True) for a in split(theta0)]
    theirs = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in split(theta0)]
    kwargs, group1 = as_kwargs(case["kwargs"]), as_kwargs(case["group1"])
    opt = getattr(optim, case["optimizer"])(
        [{"params": ours[:2]}, {"params": ours[2:], **group1}], **kwargs
    )
    topt = getattr(torch.optim, case["optimizer"])(
        [{"params": theirs[:2]}, {"params": theirs[2:], **group1}], foreach=False, **kwargs
    )
    rng = np.random.default_rng(0)
    for _ in range(10):
        for p, tp in zip(ours, theirs):
            g = rng.normal(size=p.shape).astype(np.float32)
            p.grad = md.tensor(g)
            tp.grad = torch.from_numpy(g.copy())
        opt.step()
        topt.step()
    for p, tp in zip(ours, theirs):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=2e-5, atol=2e-6)


LBFGS_CASES = {case["name"]: case for case in GOLDEN["lbfgs_cases"]}


def loss_value(theta: np.ndarray) -> float:
    """L(θ) = ½ θᵀQθ − bᵀθ + (c/4) Σ θ⁴ (the generator's formula)."""
    Q, b, c = np.array(PROBLEM["Q"]), np.array(PROBLEM["b"]), PROBLEM["c"]
    return float(0.5 * theta @ Q @ theta - b @ theta + 0.25 * c * np.sum(theta**4))


@pytest.mark.parametrize("name", sorted(LBFGS_CASES))
def test_lbfgs_matches_pytorch(name):
    """Each step(closure) runs PyTorch's inner loop: same iterates, same number of evaluations,
    same final step length, curvature scale and direction."""
    case = LBFGS_CASES[name]
    params = [md.tensor(a.copy(), requires_grad=True) for a in split(np.array(PROBLEM["theta0"]))]
    opt = optim.LBFGS(params, **case["kwargs"])

    def closure():
        theta = np.concatenate([p.data.ravel() for p in params])
        for p, g in zip(params, split(gradient(theta))):
            p.grad = md.tensor(g.copy())
        return md.tensor(loss_value(theta), dtype=md.float64)

    for k, (theirs, loss) in enumerate(zip(case["trajectory"], case["losses"])):
        assert float(opt.step(closure)) == pytest.approx(loss, rel=1e-11, abs=1e-12)
        for i, (a, b) in enumerate(zip(params, theirs)):
            np.testing.assert_allclose(
                a.data, np.array(b), rtol=1e-10, atol=1e-12, err_msg=f"{name}: step {k}, {i}"
            )
    state, want = opt.state[params[0]], case["state"]
    assert (state["func_evals"], state["n_iter"]) == (want["func_evals"], want["n_iter"])
    assert len(state["old_dirs"]) == want["history"]
    for key in ("t", "H_diag", "prev_loss"):
        assert float(state[key]) == pytest.approx(want[key], rel=1e-9, abs=1e-12), key
    np.testing.assert_allclose(state["d"], np.array(want["d"]), rtol=1e-8, atol=1e-11)

"""minidl.nn against values PyTorch 2.13 computed (tests/fixtures/nn_golden.json, made by
tests/fixtures/make_nn_golden.py): losses, BatchNorm running statistics, LSTM/RNN outputs and
gradients, LayerNorm, activations, initialisation conventions and state-dict layouts."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl import nn

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "nn_golden.json").read_text())
TOL = dict(rtol=1e-9, atol=1e-10)


def t64(a, requires_grad=False):
    return md.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def load(module: nn.Module, state: dict) -> nn.Module:
    module.double().load_state_dict({k: np.asarray(v) for k, v in state.items()})
    return module


@pytest.mark.parametrize("case", GOLDEN["losses"], ids=lambda c: c["name"])
def test_loss_value_and_gradient_match_pytorch(case):
    x = t64(case["input"], requires_grad=True)
    target = np.asarray(case["target"])
    if (
        case["fn"] in ("cross_entropy", "nll_loss")
        and target.dtype.kind == "f"
        and target.shape != x.shape
    ):
        target = target.astype(np.int64)
    kwargs = {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in case["kwargs"].items()}
    out = getattr(F, case["fn"])(x, target, **kwargs)
    np.testing.assert_allclose(out.data, case["output"], **TOL)
    out.backward(np.asarray(case["upstream"]))
    np.testing.assert_allclose(x.grad, case["grad"], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("case", GOLDEN["batchnorm"], ids=lambda c: f"{c['cls']}-{c['momentum']}")
def test_batchnorm_training_step_running_stats_and_eval_match_pytorch(case):
    m = getattr(nn, case["cls"])(3, momentum=case["momentum"]).double()
    m.weight.data[...] = case["weight"]
    m.bias.data[...] = case["bias"]
    x = t64(case["batches"][0], requires_grad=True)
    out = m(x)
    np.testing.assert_allclose(out.data, case["train_output"], **TOL)
    out.backward(np.asarray(case["upstream"]))
    np.testing.assert_allclose(x.grad, case["grad_input"], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.weight.grad, case["grad_weight"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.bias.grad, case["grad_bias"], rtol=1e-8, atol=1e-10)
    for b in case["batches"][1:]:
        m(t64(b))
    np.testing.assert_allclose(m.running_mean.data, case["running_mean"], **TOL)
    np.testing.assert_allclose(m.running_var.data, case["running_var"], **TOL)
    assert int(m.num_batches_tracked.data) == case["num_batches_tracked"]
    m.eval()
    np.testing.assert_allclose(m(t64(case["eval_input"])).data, case["eval_output"], **TOL)


@pytest.mark.parametrize("case", GOLDEN["recurrent"], ids=lambda c: f"{c['cls']}-{c['kwargs']}")
def test_recurrent_outputs_and_gradients_match_pytorch(case):
    m = load(getattr(nn, case["cls"])(**case["kwargs"]), case["state_dict"])
    x = t64(case["input"], requires_grad=True)
    h0 = None if case["h0"] is None else t64(case["h0"], requires_grad=True)
    if case["cls"] == "LSTM":
        hx = None if h0 is None else (h0, t64(case["c0"]))
        out, (h_n, c_n) = m(x, hx)
        finals = [h_n, c_n]
    else:
        out, h_n = m(x, h0)
        finals = [h_n]
    np.testing.assert_allclose(out.data, case["output"], **TOL)
    for got, want in zip(finals, case["finals"]):
        np.testing.assert_allclose(got.data, want, **TOL)
    loss = sum((t * np.asarray(u)).sum() for t, u in zip([out, *finals], case["upstreams"]))
    loss.backward()
    np.testing.assert_allclose(x.grad, case["grad_input"], rtol=1e-8, atol=1e-10)
    if h0 is not None:
        np.testing.assert_allclose(h0.grad, case["grad_h0"], rtol=1e-8, atol=1e-10)
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad, case["grad_params"][name], rtol=1e-8, atol=1e-10)


def test_layernorm_matches_pytorch():
    g = GOLDEN["layernorm"]
    m = nn.LayerNorm((2, 4), eps=g["eps"]).double()
    m.weight.data[...] = g["weight"]
    m.bias.data[...] = g["bias"]
    x = t64(g["input"], requires_grad=True)
    out = m(x)
    np.testing.assert_allclose(out.data, g["output"], **TOL)
    out.backward(np.asarray(g["upstream"]))
    np.testing.assert_allclose(x.grad, g["grad_input"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.weight.grad, g["grad_weight"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.bias.grad, g["grad_bias"], rtol=1e-8, atol=1e-10)


def test_activation_modules_match_pytorch():
    a = GOLDEN["activations"]
    x = t64(a["x"])
    np.testing.assert_allclose(nn.GELU()(x).data, a["gelu"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(nn.GELU("tanh")(x).data, a["gelu_tanh"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(nn.ELU(alpha=0.7)(x).data, a["elu"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(x).data, a["leaky_relu"], rtol=1e-12, atol=1e-14)


def test_gains_and_fans_match_pytorch():
    gains = GOLDEN["init"]["gains"]
    for name in ("linear", "conv2d", "sigmoid", "tanh", "relu", "selu", "leaky_relu"):
        assert nn.init.calculate_gain(name) == pytest.approx(gains[name], rel=1e-12)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(gains["leaky_relu_0.2"])
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(
        gains["leaky_relu_sqrt5"]
    )
    for shape, fans in GOLDEN["init"]["fans"].items():
        t = md.zeros(*eval(shape))  # the key is the shape's repr, e.g. "(8, 3, 5, 5)"
        assert list(nn.init._calculate_fan_in_and_fan_out(t)) == fans


INIT_FNS = {
    "xavier_uniform": lambda t, g: nn.init.xavier_uniform_(t, gain=2.0, generator=g),
    "xavier_normal": lambda t, g: nn.init.xavier_normal_(t, gain=2.0, generator=g),
    "kaiming_uniform_relu": lambda t, g: nn.init.kaiming_uniform_(
        t, nonlinearity="relu", generator=g
    ),
    "kaiming_normal_fan_out": lambda t, g: nn.init.kaiming_normal_(
        t, mode="fan_out", nonlinearity="relu", generator=g
    ),
    "kaiming_uniform_a_sqrt5": lambda t, g: nn.init.kaiming_uniform_(
        t, a=math.sqrt(5), generator=g
    ),
}


@pytest.mark.parametrize("name", sorted(INIT_FNS))
def test_init_statistics_match_pytorch(name):
    # 120,000 draws: the sample std is within ~0.5% of the true one for both libraries
    want = GOLDEN["init"]["stats"][name]
    t = INIT_FNS[name](md.zeros(400, 300, dtype=md.float64), np.random.default_rng(1))
    assert t.data.std() == pytest.approx(want["std"], rel=0.015)
    if "uniform" in name:  # the largest of 120,000 uniform draws sits right at the bound
        assert np.abs(t.data).max() == pytest.approx(want["max_abs"], rel=1e-3)


LAYERS = {
    "Linear(300, 200)": lambda: nn.Linear(300, 200, generator=3),
    "LSTM(20, 50)": lambda: nn.LSTM(20, 50, generator=3),
    "Embedding(500, 40)": lambda: nn.Embedding(500, 40, generator=3),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_default_layer_initialisation_matches_pytorch(name):
    want = GOLDEN["init"]["defaults"][name]
    sd = LAYERS[name]().state_dict()
    assert list(sd) == list(want)
    for key, stats in want.items():
        v = sd[key].data.astype(np.float64)
        assert list(v.shape) == stats["shape"]
        n = v.size
        # uniform bounds: the max of n draws is within a few/n of the bound; stds within sampling error
        if not name.startswith("Embedding"):  # N(0, 1) has no bound
            assert np.abs(v).max() == pytest.approx(stats["max_abs"], rel=max(1e-3, 20 / n))
        assert v.std() == pytest.approx(stats["std"], rel=max(0.02, 4 / math.sqrt(n)))
        assert abs(v.mean() - stats["mean"]) < 5 * stats["std"] / math.sqrt(n)


LAYOUTS = {
    "Linear(4, 3)": lambda: nn.Linear(4, 3),
    "Linear(4, 3, bias=False)": lambda: nn.Linear(4, 3, bias=False),
    "Conv2d(3, 8, 5, stride=2, padding=2)": lambda: nn.Conv2d(3, 8, 5, stride=2, padding=2),
    "BatchNorm1d(5)": lambda: nn.BatchNorm1d(5),
    "BatchNorm2d(6, affine=False)": lambda: nn.BatchNorm2d(6, affine=False),
    "LayerNorm(7)": lambda: nn.LayerNorm(7),
    "Embedding(10, 3)": lambda: nn.Embedding(10, 3),
    "LSTM(3, 5, num_layers=2)": lambda: nn.LSTM(3, 5, num_layers=2),
    "RNN(3, 5, bias=False)": lambda: nn.RNN(3, 5, bias=False),
    "CrossEntropyLoss(weight=[1.0, 2.0])": lambda: nn.CrossEntropyLoss(weight=[1.0, 2.0]),
    "Sequential(Linear(2, 3), ReLU(), Linear(3, 1))": lambda: nn.Sequential(
        nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_state_dict_names_and_shapes_match_pytorch(name):
    got = [[k, list(v.shape)] for k, v in LAYOUTS[name]().state_dict().items()]
    assert got == GOLDEN["state_dict_layouts"][name]


@pytest.mark.parametrize("case", GOLDEN["clip_grad_norm"], ids=lambda c: str(c["norm_type"]))
def test_clip_grad_norm_matches_pytorch(case):
    params = [md.zeros(*np.shape(g), dtype=md.float64, requires_grad=True) for g in case["grads"]]
    for p, g in zip(params, case["grads"]):
        p.grad = md.tensor(np.array(g))
    norm_type = math.inf if case["norm_type"] == "inf" else case["norm_type"]
    total = nn.utils.clip_grad_norm_(params, case["max_norm"], norm_type)
    assert float(total) == pytest.approx(case["total"], rel=1e-12)
    for p, want in zip(params, case["clipped"]):
        np.testing.assert_allclose(p.grad, want, rtol=1e-12)


def test_embedding_with_padding_matches_pytorch():
    g = GOLDEN["embedding"]
    m = nn.Embedding(6, 3, padding_idx=2).double()
    m.weight.data[...] = g["weight"]
    out = m(np.asarray(g["indices"]))
    np.testing.assert_allclose(out.data, g["output"], **TOL)
    out.backward(np.asarray(g["upstream"]))
    np.testing.assert_allclose(m.weight.grad, g["grad_weight"], **TOL)


def test_conv2d_and_pooling_layers_match_pytorch():
    g = GOLDEN["conv"]
    m = nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    m.load_state_dict({"weight": np.asarray(g["weight"]), "bias": np.asarray(g["bias"])})
    x = t64(g["input"], requires_grad=True)
    out = m(x)
    np.testing.assert_allclose(out.data, g["output"], rtol=1e-10, atol=1e-12)
    out.backward(np.asarray(g["upstream"]))
    np.testing.assert_allclose(x.grad, g["grad_input"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.weight.grad, g["grad_weight"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.bias.grad, g["grad_bias"], rtol=1e-10, atol=1e-12)
    p = t64(g["pool_input"])
    np.testing.assert_allclose(nn.MaxPool2d(3, 2, 1)(p).data, g["max_pool_3_2_1"], rtol=1e-12)
    np.testing.assert_allclose(nn.AvgPool2d(2)(p).data, g["avg_pool_2"], rtol=1e-12)

"""Every layer and loss against central finite differences (float64, random upstream gradient),
with respect to its input and to every parameter."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
import minidl.nn.functional as F
from minidl import nn
from minidl.testing import gradcheck


def randn(*shape, seed=0, scale=1.0, requires_grad=True):
    data = np.random.default_rng(seed).standard_normal(shape) * scale
    return md.tensor(data, dtype=md.float64, requires_grad=requires_grad)


def check_module(module: nn.Module, *inputs, outputs=lambda out: out):
    """gradcheck with respect to the inputs that require grad and all the module's parameters."""
    module.double()
    params = list(module.parameters())
    n = len(inputs)
    assert gradcheck(lambda *xs: outputs(module(*xs[:n])), [*inputs, *params])


LAYERS = {
    "Linear": lambda: (nn.Linear(4, 3, generator=0), randn(5, 4)),
    "Linear-3d-input-no-bias": lambda: (nn.Linear(4, 3, bias=False, generator=0), randn(2, 3, 4)),
    "Conv2d": lambda: (nn.Conv2d(2, 3, 3, stride=2, padding=1, generator=0), randn(2, 2, 5, 5)),
    "Conv2d-dilated-no-bias": lambda: (nn.Conv2d(1, 2, 2, dilation=2, bias=False, generator=0), randn(1, 1, 5, 6)),
    "MaxPool2d": lambda: (nn.MaxPool2d(2), randn(2, 2, 4, 6)),
    "MaxPool2d-overlap-pad": lambda: (nn.MaxPool2d(3, 2, 1), randn(1, 2, 5, 5)),
    "AvgPool2d": lambda: (nn.AvgPool2d(2, 1), randn(2, 1, 3, 4)),
    "Flatten": lambda: (nn.Flatten(), randn(2, 3, 2)),
    "BatchNorm1d-train": lambda: (nn.BatchNorm1d(3), randn(6, 3, scale=2)),
    "BatchNorm1d-train-3d": lambda: (nn.BatchNorm1d(3), randn(4, 3, 2)),
    "BatchNorm2d-train": lambda: (nn.BatchNorm2d(2), randn(3, 2, 2, 3)),
    "BatchNorm2d-eval": lambda: (nn.BatchNorm2d(2).eval(), randn(3, 2, 2, 2)),
    "BatchNorm1d-no-track": lambda: (nn.BatchNorm1d(3, track_running_stats=False).eval(), randn(5, 3)),
    "LayerNorm": lambda: (nn.LayerNorm(4), randn(3, 4)),
    "LayerNorm-2d": lambda: (nn.LayerNorm((2, 3)), randn(2, 2, 3)),
    "ReLU": lambda: (nn.ReLU(), randn(3, 4)),
    "LeakyReLU": lambda: (nn.LeakyReLU(0.1), randn(3, 4)),
    "ELU": lambda: (nn.ELU(0.5), randn(3, 4)),
    "GELU": lambda: (nn.GELU(), randn(3, 4)),
    "GELU-tanh": lambda: (nn.GELU("tanh"), randn(3, 4)),
    "Sigmoid": lambda: (nn.Sigmoid(), randn(3, 4)),
    "Tanh": lambda: (nn.Tanh(), randn(3, 4)),
    "Softmax": lambda: (nn.Softmax(dim=0), randn(3, 4)),
    "LogSoftmax": lambda: (nn.LogSoftmax(dim=1), randn(3, 4)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients(name):
    module, x = LAYERS[name]()
    # the BatchNorm affine is 1, 0 at initialisation: move it so its gradients are not special
    for p in module.parameters():
        p.data[...] += np.random.default_rng(1).uniform(-0.5, 0.5, p.shape)
    check_module(module, x)


def test_dropout_gradient_with_a_fixed_mask():
    x = randn(4, 5)
    assert gradcheck(lambda t: F.dropout(t, 0.4, True, np.random.default_rng(3)), [x])


def test_embedding_gradient_with_repeats_and_padding():
    m = nn.Embedding(5, 3, padding_idx=1, generator=0).double()
    idx = np.array([[0, 1, 4], [4, 4, 2]])
    assert gradcheck(lambda w: F.embedding(idx, w), [m.weight])
    m.weight.data[1] = 0.5  # the padding row gets no gradient (PyTorch), whatever its value
    m(idx).sum().backward()
    assert not m.weight.grad[1].any() and m.weight.grad[4, 0] == 3


@pytest.mark.parametrize("batch_first", [False, True])
def test_lstm_two_layers_several_steps_with_initial_state(batch_first):
    m = nn.LSTM(2, 3, num_layers=2, batch_first=batch_first, generator=0)
    x = randn(2, 4, 2) if batch_first else randn(4, 2, 2)
    h0, c0 = randn(2, 2, 3, seed=1), randn(2, 2, 3, seed=2)
    m.double()
    params = list(m.parameters())
    assert gradcheck(
        lambda x, h0, c0, *ps: (lambda o: (o[0], o[1][0], o[1][1]))(m(x, (h0, c0))),
        [x, h0, c0, *params],
    )


def test_rnn_tanh_and_relu_several_steps():
    for nonlinearity in ("tanh", "relu"):
        m = nn.RNN(3, 4, num_layers=2, nonlinearity=nonlinearity, generator=0)
        check_module(m, randn(5, 2, 3), randn(2, 2, 4, seed=1), outputs=lambda o: o)


def test_unbatched_lstm_gradient():
    m = nn.LSTM(2, 2, generator=0)
    check_module(m, randn(3, 2), outputs=lambda o: (o[0], o[1][1]))


# --- losses --------------------------------------------------------------------------------------

LABELS = np.array([0, 2, 1, 2, 0])
WEIGHT = np.array([0.5, 2.0, 1.5])

LOSSES = {
    "cross_entropy": lambda x: F.cross_entropy(x, LABELS),
    "cross_entropy-sum": lambda x: F.cross_entropy(x, LABELS, reduction="sum"),
    "cross_entropy-none-all-options": lambda x: F.cross_entropy(
        x, np.array([0, -100, 1, 2, 0]), weight=WEIGHT, label_smoothing=0.2, reduction="none"
    ),
    "cross_entropy-mean-all-options": lambda x: F.cross_entropy(
        x, np.array([0, -100, 1, 2, 0]), weight=WEIGHT, label_smoothing=0.2
    ),
    "cross_entropy-probabilities": lambda x: F.cross_entropy(
        x, np.random.default_rng(0).dirichlet(np.ones(3), 5), weight=WEIGHT, label_smoothing=0.1
    ),
    "nll_loss": lambda x: F.nll_loss(F.log_softmax(x, 1), LABELS, weight=WEIGHT),
    "CrossEntropyLoss-module": lambda x: nn.CrossEntropyLoss(label_smoothing=0.05)(x, LABELS),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_classification_loss_gradients(name):
    assert gradcheck(LOSSES[name], [randn(5, 3, scale=2)])


def test_cross_entropy_k_dimensional_gradient():
    target = np.array([[0, 1, 2, -100], [2, 2, 0, 1]])
    assert gradcheck(
        lambda x: F.cross_entropy(x, target, weight=WEIGHT, label_smoothing=0.3), [randn(2, 3, 4)]
    )


REGRESSION = {
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "huber_loss": lambda x, y: F.huber_loss(x, y, delta=0.7),
    "smooth_l1_loss": lambda x, y: F.smooth_l1_loss(x, y, reduction="sum", beta=0.6),
    "MSELoss-none": nn.MSELoss(reduction="none"),
    "HuberLoss": nn.HuberLoss(delta=1.3),
}


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_loss_gradients_in_both_arguments(name):
    assert gradcheck(REGRESSION[name], [randn(4, 3), randn(4, 3, seed=1)])


def test_binary_cross_entropy_gradients_in_both_arguments():
    rng = np.random.default_rng(0)
    p = md.tensor(rng.uniform(0.05, 0.95, (4, 3)), requires_grad=True)
    y = md.tensor(rng.uniform(0, 1, (4, 3)), requires_grad=True)
    w = rng.uniform(0.5, 2, (4, 3))
    assert gradcheck(lambda p, y: F.binary_cross_entropy(p, y, weight=w), [p, y])


def test_bce_with_logits_gradients_in_both_arguments():
    rng = np.random.default_rng(0)
    y = md.tensor(rng.uniform(0, 1, (4, 3)), requires_grad=True)
    pw = np.array([0.5, 1.0, 3.0])
    assert gradcheck(
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="sum"),
        [randn(4, 3, scale=3), y],
    )


@given(
    n=st.integers(1, 6),
    c=st.integers(2, 5),
    seed=st.integers(0, 2**31 - 1),
    smoothing=st.sampled_from([0.0, 0.1, 0.5]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_fused_cross_entropy_gradient_over_shapes(n, c, seed, smoothing, reduction):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, c, n)
    weight = rng.uniform(0.2, 2.0, c)
    assert gradcheck(
        lambda x: F.cross_entropy(x, target, weight, -100, reduction, smoothing),
        [randn(n, c, seed=seed, scale=3)],
    )


@given(shape=st.lists(st.integers(2, 4), min_size=2, max_size=4), seed=st.integers(0, 2**31 - 1))
def test_batch_norm_train_gradient_over_shapes(shape, seed):
    x = randn(*shape, seed=seed)
    c = shape[1]
    w, b = randn(c, seed=seed + 1), randn(c, seed=seed + 2)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, w, b])


@given(
    lead=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    fan_in=st.integers(1, 5),
    fan_out=st.integers(1, 4),
    bias=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_linear_gradient_over_shapes(lead, fan_in, fan_out, bias, seed):
    m = nn.Linear(fan_in, fan_out, bias=bias, generator=seed)
    check_module(m, randn(*lead, fan_in, seed=seed))


@given(
    n=st.integers(1, 2),
    c=st.integers(1, 2),
    f=st.integers(1, 2),
    k=st.integers(1, 3),
    stride=st.integers(1, 2),
    padding=st.integers(0, 1),
    extra=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    seed=st.integers(0, 2**31 - 1),
)
def test_conv2d_gradient_over_shapes(n, c, f, k, stride, padding, extra, seed):
    m = nn.Conv2d(c, f, k, stride=stride, padding=padding, generator=seed)
    check_module(m, randn(n, c, k + extra[0], k + extra[1], seed=seed))


@given(
    steps=st.integers(1, 4),
    n=st.integers(1, 2),
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    layers=st.integers(1, 2),
    seed=st.integers(0, 2**31 - 1),
)
def test_lstm_gradient_over_shapes(steps, n, sizes, layers, seed):
    m = nn.LSTM(sizes[0], sizes[1], num_layers=layers, generator=seed)
    check_module(m, randn(steps, n, sizes[0], seed=seed), outputs=lambda o: (o[0], o[1][1]))

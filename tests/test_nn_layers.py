"""Layer behaviour: dropout and batch-norm properties, initialisation, shapes, and errors for bad
hyperparameters and wrongly shaped inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
import minidl.nn.functional as F
from minidl import nn

# --- Dropout -------------------------------------------------------------------------------------


@given(p=st.floats(0.0, 0.9), seed=st.integers(0, 2**31 - 1))
def test_dropout_preserves_the_mean_and_zeroes_a_fraction_p(p, seed):
    x = md.ones(200, 500)
    y = nn.Dropout(p, generator=seed)(x).data
    n = y.size
    kept = (y != 0).mean()
    # binomial: the kept fraction is within 5 standard errors of 1 - p, and the mean follows
    se = math.sqrt(p * (1 - p) / n) + 1e-12
    assert abs(kept - (1 - p)) < 5 * se + 1e-9
    assert abs(y.mean() - 1.0) < 5 * se / (1 - p) + 1e-6
    assert np.allclose(y[y != 0], 1 / (1 - p))  # survivors are scaled by 1/(1 - p)


@given(p=st.floats(0.0, 1.0), shape=st.lists(st.integers(1, 5), min_size=1, max_size=3))
def test_dropout_is_the_identity_in_eval(p, shape):
    x = md.randn(*shape, generator=0)
    m = nn.Dropout(p).eval()
    assert m(x) is x


def test_dropout_generator_makes_masks_repeatable_and_p1_zeroes_everything():
    x = md.ones(4, 4)
    a = nn.Dropout(0.5, generator=7)(x).data
    b = nn.Dropout(0.5, generator=7)(x).data
    np.testing.assert_array_equal(a, b)
    md.manual_seed(3)
    c = nn.Dropout(0.5)(x).data
    md.manual_seed(3)
    np.testing.assert_array_equal(c, nn.Dropout(0.5)(x).data)
    assert not nn.Dropout(1.0)(x).data.any()


# --- BatchNorm -----------------------------------------------------------------------------------


@given(
    seed=st.integers(0, 2**31 - 1), n=st.integers(2, 8), momentum=st.sampled_from([0.1, 0.5, None])
)
def test_batchnorm_eval_uses_running_statistics(seed, n, momentum):
    rng = np.random.default_rng(seed)
    m = nn.BatchNorm1d(3, momentum=momentum).double()
    m.weight.data[...] = rng.uniform(0.5, 2, 3)
    m.bias.data[...] = rng.standard_normal(3)
    for _ in range(3):
        m(md.tensor(rng.standard_normal((n, 3)) * 3 + 2))
    m.eval()
    x = rng.standard_normal((5, 3))
    want = (x - m.running_mean.data) / np.sqrt(
        m.running_var.data + m.eps
    ) * m.weight.data + m.bias.data
    np.testing.assert_allclose(m(md.tensor(x)).data, want, rtol=1e-12)
    # each sample's output is independent of the rest of the batch in eval mode
    np.testing.assert_allclose(m(md.tensor(x[:1])).data, want[:1], rtol=1e-12)


def test_batchnorm_train_normalises_each_channel_of_the_batch():
    rng = np.random.default_rng(0)
    x = md.tensor(rng.standard_normal((8, 4, 3, 3)) * 5 + 3)
    y = nn.BatchNorm2d(4).double()(x).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-4)  # ε = 1e-5 shrinks it a little


def test_batchnorm_cumulative_average_with_momentum_none():
    rng = np.random.default_rng(1)
    m = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((5, 2)) + k for k in range(3)]
    for b in batches:
        m(md.tensor(b))
    np.testing.assert_allclose(m.running_mean.data, np.mean([b.mean(0) for b in batches], 0))
    np.testing.assert_allclose(m.running_var.data, np.mean([b.var(0, ddof=1) for b in batches], 0))


def test_batchnorm_single_value_per_channel_is_refused_in_training():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(md.zeros(1, 3))


# --- initialisation --------------------------------------------------------------------------------


def test_init_is_in_place_repeatable_and_not_recorded():
    w = nn.Parameter(md.zeros(50, 40))
    data = w.data
    nn.init.kaiming_uniform_(w, generator=5)
    first = w.data.copy()
    nn.init.kaiming_uniform_(w, generator=5)
    assert w.data is data and w.grad_fn is None
    np.testing.assert_array_equal(w.data, first)
    bound = math.sqrt(2.0 / (1 + 0.0**2)) * math.sqrt(3.0 / 40)  # leaky_relu gain with a = 0
    assert np.abs(first).max() <= bound and np.abs(first).max() > 0.95 * bound
    nn.init.constant_(w, 0.25)
    assert (w.data == 0.25).all()
    nn.init.zeros_(w), nn.init.ones_(w)
    assert (w.data == 1).all()


def test_layers_draw_from_the_given_generator_or_the_seeded_default():
    a, b = nn.Linear(5, 3, generator=11), nn.Linear(5, 3, generator=11)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    md.manual_seed(4)
    c = nn.Conv2d(2, 3, 3)
    md.manual_seed(4)
    np.testing.assert_array_equal(c.weight.data, nn.Conv2d(2, 3, 3).weight.data)
    bound = 1 / math.sqrt(2 * 3 * 3)
    assert np.abs(c.weight.data).max() <= bound and np.abs(c.bias.data).max() <= bound


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(md.zeros(3))
    with pytest.raises(ValueError, match="Mode 'fan_avg' not supported"):
        nn.init.kaiming_normal_(md.zeros(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        nn.init.calculate_gain("swish")


# --- shapes ------------------------------------------------------------------------------------------


def test_output_shapes():
    x = md.randn(4, 3, 28, 28, generator=0)
    assert nn.Conv2d(3, 8, 5, padding=2)(x).shape == (4, 8, 28, 28)
    assert nn.Conv2d(3, 8, 3, stride=2)(x).shape == (4, 8, 13, 13)
    assert nn.MaxPool2d(2)(x).shape == (4, 3, 14, 14)
    assert nn.AvgPool2d(3, stride=1, padding=1)(x).shape == (4, 3, 28, 28)
    assert nn.Flatten()(x).shape == (4, 3 * 28 * 28)
    assert nn.Flatten(0, 1)(x).shape == (12, 28, 28)
    assert nn.Linear(28, 5)(x).shape == (4, 3, 28, 5)
    out, h = nn.RNN(6, 4, num_layers=3)(md.randn(7, 2, 6, generator=0))
    assert out.shape == (7, 2, 4) and h.shape == (3, 2, 4)
    out, (h, c) = nn.LSTM(6, 4, batch_first=True)(md.randn(2, 7, 6, generator=0))
    assert out.shape == (2, 7, 4) and h.shape == (1, 2, 4) and c.shape == (1, 2, 4)
    assert nn.Embedding(10, 3)(np.zeros((2, 5), dtype=np.int64)).shape == (2, 5, 3)
    assert F.one_hot(np.array([0, 2]), 4).data.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]


def test_lstm_last_output_is_the_final_hidden_state():
    m = nn.LSTM(3, 4, num_layers=2, generator=0)
    out, (h, _) = m(md.randn(5, 2, 3, generator=1))
    np.testing.assert_array_equal(out.data[-1], h.data[-1])


# --- bad hyperparameters and wrong inputs ------------------------------------------------------------


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.Dropout(1.5), "dropout probability has to be between 0 and 1, but got 1.5"),
        (lambda: nn.Dropout(-0.1), "dropout probability has to be between 0 and 1, but got -0.1"),
        (
            lambda: nn.Linear(0, 3),
            "Linear: in_features must be a positive integer; received in_features=0",
        ),
        (lambda: nn.Linear(3, -2), "out_features=-2"),
        (
            lambda: nn.Conv2d(3, 8, 0),
            "Conv2d: kernel_size must be a positive int .* received kernel_size=0",
        ),
        (lambda: nn.Conv2d(3, 8, 3, stride=0), "stride=0"),
        (lambda: nn.Conv2d(3, 8, 3, padding=-1), "padding=-1"),
        (lambda: nn.MaxPool2d(0), "kernel_size=0"),
        (lambda: nn.MaxPool2d(2, padding=2), "pad should be at most half"),
        (lambda: nn.BatchNorm2d(0), "num_features=0"),
        (lambda: nn.BatchNorm1d(3, momentum=2.0), "momentum must be in"),
        (lambda: nn.Embedding(5, 2, padding_idx=5), "padding_idx=5"),
        (lambda: nn.LSTM(3, 0), "hidden_size=0"),
        (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), "Unknown nonlinearity 'sigmoid'"),
        (lambda: nn.GELU("fast"), "approximate"),
        (lambda: nn.LayerNorm(0), "normalized_shape=0"),
        (lambda: nn.HuberLoss(delta=0), "delta=0"),
    ],
)
def test_invalid_hyperparameters_raise_value_error_with_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "layer, x, message",
    [
        (
            nn.Conv2d(3, 8, 3),
            md.zeros(4, 1, 28, 28),
            r"Conv2d\(3, 8, 3\) expects input \(N, 3, H, W\) or \(3, H, W\); got \(4, 1, 28, 28\)",
        ),
        (nn.Conv2d(3, 8, 3), md.zeros(28, 28), r"got \(28, 28\)"),
        (
            nn.Linear(4, 2),
            md.zeros(5, 3),
            r"Linear\(in_features=4, out_features=2, bias=True\) expects input \(\*, 4\); got \(5, 3\)",
        ),
        (
            nn.BatchNorm2d(16),
            md.zeros(4, 8, 5, 5),
            r"BatchNorm2d\(16\) expects input \(N, 16, H, W\); got \(4, 8, 5, 5\)",
        ),
        (
            nn.BatchNorm1d(4),
            md.zeros(2, 4, 2, 2),
            r"BatchNorm1d\(4\) expects input \(N, 4\) or \(N, 4, L\)",
        ),
        (
            nn.MaxPool2d(2),
            md.zeros(2, 4),
            r"MaxPool2d\(kernel_size=\(2, 2\)\) expects input \(N, C, H, W\) or \(C, H, W\); "
            r"got \(2, 4\)",
        ),
        (
            nn.LayerNorm(4),
            md.zeros(2, 3),
            r"expected input with shape \(\*, 4\); received \(2, 3\)",
        ),
        (
            nn.LSTM(3, 4),
            md.zeros(5, 2, 2),
            r"LSTM\(3, 4\) expects input \(L, N, 3\) .*got \(5, 2, 2\)",
        ),
    ],
)
def test_wrong_input_shapes_say_what_was_expected_and_what_came(layer, x, message):
    with pytest.raises(ValueError, match=message):
        layer(x)


def test_wrong_initial_state_shape_and_embedding_index():
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(1, 2, 4\); got \(1, 3, 4\)"):
        nn.RNN(3, 4)(md.zeros(5, 2, 3), md.zeros(1, 3, 4))
    with pytest.raises(IndexError, match="index 7 is out of range for 5 embeddings"):
        nn.Embedding(5, 2)(np.array([1, 7]))
    with pytest.raises(TypeError, match="must hold integers"):
        nn.Embedding(5, 2)(np.array([1.0]))


def test_linear_saves_only_what_backward_needs():
    # a frozen weight: dL/dx needs W but not x, so writing into x after forward is harmless (PyTorch)
    layer = md.nn.Linear(3, 2)
    layer.weight.requires_grad_(False)
    layer.bias.requires_grad_(False)
    x = md.randn(4, 3, requires_grad=True)
    h = x * 1.0
    y = layer(h)
    h += 1.0  # in place on the input of the linear node
    y.sum().backward()
    np.testing.assert_allclose(
        x.grad.data, np.tile(layer.weight.data.sum(axis=0), (4, 1)), rtol=1e-6
    )

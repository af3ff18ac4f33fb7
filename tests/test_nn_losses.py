"""Losses: definitions against NumPy, stability at extreme logits, consistency between forms, and
clear errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
import minidl.nn.functional as F
from minidl import nn


def np_log_softmax(z: np.ndarray) -> np.ndarray:
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


@given(n=st.integers(1, 8), c=st.integers(2, 6), seed=st.integers(0, 2**31 - 1))
def test_cross_entropy_is_the_mean_negative_log_softmax_at_the_target(n, c, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, c)) * 3
    y = rng.integers(0, c, n)
    want = -np_log_softmax(z)[np.arange(n), y].mean()
    assert F.cross_entropy(md.tensor(z), y).item() == pytest.approx(want, rel=1e-12)
    # the same as the two-step form, and as one-hot probability targets
    two_step = F.nll_loss(F.log_softmax(md.tensor(z), 1), y)
    assert two_step.item() == pytest.approx(want, rel=1e-12)
    onehot = F.one_hot(y, c).data.astype(np.float64)
    assert F.cross_entropy(md.tensor(z), onehot).item() == pytest.approx(want, rel=1e-12)


def test_label_smoothing_equals_cross_entropy_with_smoothed_probability_targets():
    rng = np.random.default_rng(0)
    z, y, eps = md.tensor(rng.standard_normal((6, 4))), rng.integers(0, 4, 6), 0.2
    q = F.one_hot(y, 4).data * (1 - eps) + eps / 4
    assert F.cross_entropy(z, y, label_smoothing=eps).item() == pytest.approx(
        F.cross_entropy(z, q).item(), rel=1e-12
    )


def test_ignored_targets_contribute_nothing():
    rng = np.random.default_rng(1)
    z = md.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    y = np.array([0, -100, 2, -100, 1])
    loss = F.cross_entropy(z, y)
    keep = y != -100
    assert loss.item() == pytest.approx(F.cross_entropy(md.tensor(z.data[keep]), y[keep]).item())
    loss.backward()
    assert not z.grad[~keep].any()


def test_cross_entropy_is_finite_for_huge_logits():
    z = md.tensor([[1e4, -1e4, 0.0], [-3e4, 3e4, 1.0]], dtype=md.float32, requires_grad=True)
    loss = F.cross_entropy(z, np.array([1, 0]))
    loss.backward()
    # per row: 1e4 − (−1e4) = 2e4 and 3e4 − (−3e4) = 6e4; their mean is 4e4
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(4e4, rel=1e-6)
    assert np.isfinite(z.grad).all()


def test_bce_with_logits_agrees_with_bce_of_sigmoid_and_stays_finite():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((4, 3)) * 2, rng.integers(0, 2, (4, 3)).astype(np.float64)
    a = F.binary_cross_entropy_with_logits(md.tensor(x), y).item()
    b = F.binary_cross_entropy(F.sigmoid(md.tensor(x)), y).item()
    assert a == pytest.approx(b, rel=1e-10)
    big = md.tensor([800.0, -800.0, 800.0], dtype=md.float32, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        big, np.array([0.0, 1.0, 1.0], np.float32), reduction="sum"
    )
    loss.backward()
    assert loss.item() == pytest.approx(1600.0) and np.isfinite(big.grad).all()


def test_bce_clamps_the_log_at_minus_100():
    p = md.tensor([0.0, 1.0], dtype=md.float64, requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0])
    loss.sum().backward()
    assert np.isfinite(p.grad).all()


def test_huber_is_quadratic_inside_delta_and_linear_outside():
    d = np.array([0.1, -0.3, 2.0, -5.0])
    out = F.huber_loss(md.tensor(d), np.zeros(4), reduction="none", delta=0.5).data
    np.testing.assert_allclose(out, [0.005, 0.045, 0.5 * (2 - 0.25), 0.5 * (5 - 0.25)])
    # smooth L1 = huber / beta
    sl1 = F.smooth_l1_loss(md.tensor(d), np.zeros(4), reduction="none", beta=0.5).data
    np.testing.assert_allclose(sl1, out / 0.5)


def test_loss_modules_equal_their_functions_and_keep_weights_as_buffers():
    rng = np.random.default_rng(3)
    z, y = md.tensor(rng.standard_normal((4, 3))), rng.integers(0, 3, 4)
    w = np.array([1.0, 2.0, 0.5])
    crit = nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)
    assert crit(z, y).item() == F.cross_entropy(z, y, weight=w, label_smoothing=0.1).item()
    assert list(crit.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=[2.0]).state_dict()) == ["pos_weight"]
    assert nn.MSELoss(reduction="sum")(z, z.data * 0).item() == pytest.approx((z.data**2).sum())


# --- bad input -----------------------------------------------------------------------------------


def test_regression_losses_refuse_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match=r"mse_loss: .*input \(4, 1\) and target \(4,\)"):
        F.mse_loss(md.zeros(4, 1), np.zeros(4))


def test_bad_reduction_and_smoothing_are_named():
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.l1_loss(md.zeros(2), np.zeros(2), reduction="avg")
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(
        ValueError, match="label_smoothing must be between 0.0 and 1.0; received 1.5"
    ):
        nn.CrossEntropyLoss(label_smoothing=1.5)


def test_cross_entropy_target_errors_show_shapes_and_values():
    with pytest.raises(IndexError, match="Target 3 is out of bounds for 3 classes"):
        F.cross_entropy(md.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"expected target of shape \(2,\); received \(2, 1\)"):
        F.cross_entropy(md.zeros(2, 3), np.array([[0], [1]]))
    with pytest.raises(ValueError, match=r"integer class labels need an integer dtype"):
        F.cross_entropy(md.zeros(2, 3), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"`weight` must have shape \(3,\)"):
        F.cross_entropy(md.zeros(2, 3), np.array([0, 1]), weight=np.ones(2))


def test_bce_refuses_probabilities_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1; received min -0.5"):
        F.binary_cross_entropy(md.tensor([-0.5, 0.5]), np.array([0.0, 1.0]))

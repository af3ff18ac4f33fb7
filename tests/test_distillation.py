"""F.kl_div / nn.KLDivLoss (PyTorch's reductions, xlogy at target 0, log_target) and
distillation_loss (Hinton et al.'s formula): closed forms, float64 gradchecks, PyTorch (torch-marked)."""

import warnings

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl.testing import gradcheck

try:
    import torch
except ImportError:  # the torch-marked tests skip
    torch = None

torch_only = pytest.mark.skipif(torch is None, reason="needs PyTorch")


def probs(rng, n, c):
    p = rng.uniform(0.1, 1.0, size=(n, c))
    return p / p.sum(axis=1, keepdims=True)


def test_batchmean_is_the_kl_divergence_per_row_and_mean_divides_by_classes_too():
    rng = np.random.default_rng(0)
    p, q = probs(rng, 4, 5), probs(rng, 4, 5)  # target p, model q
    kl_rows = (p * np.log(p / q)).sum(axis=1)
    logq = md.tensor(np.log(q))
    got = F.kl_div(logq, md.tensor(p), reduction="batchmean")
    np.testing.assert_allclose(got.item(), kl_rows.mean(), rtol=1e-12)
    with pytest.warns(UserWarning, match="batchmean"):
        mean = F.kl_div(logq, md.tensor(p))  # the default, 'mean', warns as PyTorch
    np.testing.assert_allclose(mean.item(), kl_rows.mean() / 5, rtol=1e-12)
    np.testing.assert_allclose(
        F.kl_div(logq, md.tensor(np.log(p)), reduction="sum", log_target=True).item(),
        kl_rows.sum(),
        rtol=1e-12,
    )
    assert F.kl_div(logq, md.tensor(p), reduction="none").shape == (4, 5)


def test_zero_target_contributes_nothing_and_its_gradient_is_finite():
    target = md.tensor([[0.0, 1.0]], dtype=md.float64)
    logq = md.tensor(np.log([[0.3, 0.7]]), requires_grad=True)
    loss = F.kl_div(logq, target, reduction="sum")
    np.testing.assert_allclose(loss.item(), -np.log(0.7))
    loss.backward()
    np.testing.assert_allclose(logq.grad.data, [[0.0, -1.0]])  # d/d input = −target


def test_bad_arguments():
    x = md.zeros(2, 3)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.kl_div(x, x, reduction="avg")
    with pytest.raises(ValueError, match="do not broadcast"):
        F.kl_div(x, md.zeros(2, 4), reduction="sum")
    with pytest.raises(ValueError, match="alpha"):
        F.distillation_loss(x, x, md.tensor([0, 1]), T=2.0, alpha=1.5)
    with pytest.raises(ValueError, match="T"):
        F.distillation_loss(x, x, md.tensor([0, 1]), T=0.0, alpha=0.5)


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
def test_kl_div_gradcheck(log_target, reduction):
    rng = np.random.default_rng(1)
    x = md.tensor(np.log(probs(rng, 3, 4)), requires_grad=True)
    t = probs(rng, 3, 4)
    t = md.tensor(np.log(t) if log_target else t, requires_grad=True)
    gradcheck(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), (x, t))


def test_distillation_loss_formula_and_gradcheck():
    rng = np.random.default_rng(2)
    s = md.tensor(rng.normal(size=(5, 4)), requires_grad=True)
    t = md.tensor(rng.normal(size=(5, 4)))
    y = md.tensor(rng.integers(0, 4, size=5))
    T, alpha = 3.0, 0.7
    pt = np.exp(t.data / T) / np.exp(t.data / T).sum(axis=1, keepdims=True)
    ls = s.data / T - np.log(np.exp(s.data / T).sum(axis=1, keepdims=True))
    kl = (pt * (np.log(pt) - ls)).sum() / 5
    log_p = s.data - np.log(np.exp(s.data).sum(axis=1, keepdims=True))
    ce = -log_p[np.arange(5), y.data].mean()
    got = F.distillation_loss(s, t, y, T=T, alpha=alpha)
    np.testing.assert_allclose(got.item(), alpha * T * T * kl + (1 - alpha) * ce, rtol=1e-12)
    gradcheck(lambda a: F.distillation_loss(a, t, y, T=T, alpha=alpha), (s,))
    # alpha = 0: the plain cross-entropy; the teacher gets no gradient
    np.testing.assert_allclose(F.distillation_loss(s, t, y, T, 0.0).item(), ce, rtol=1e-12)


def test_t_squared_keeps_the_soft_gradient_on_one_scale():
    rng = np.random.default_rng(3)
    s0, t = rng.normal(size=(8, 10)) * 0.1, rng.normal(size=(8, 10)) * 0.1
    norms = []
    for T in (2.0, 8.0):
        s = md.tensor(s0, requires_grad=True)
        F.distillation_loss(s, md.tensor(t), md.tensor(np.zeros(8, int)), T=T, alpha=1.0).backward()
        norms.append(np.linalg.norm(s.grad.data))
    assert 0.5 < norms[1] / norms[0] < 2.0  # without T² the ratio would be ~ (2/8)² = 1/16


@pytest.mark.torch
@torch_only
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
def test_kl_div_equals_pytorchs(log_target, reduction):
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(4)
    x = np.log(probs(rng, 3, 4))
    t = probs(rng, 3, 4)
    t[0, 1] = 0.0  # xlogy at 0
    if log_target:
        t = np.log(probs(rng, 3, 4))
    ours = md.tensor(x, requires_grad=True)
    ref = torch.tensor(x, requires_grad=True)
    a = F.kl_div(ours, md.tensor(t), reduction=reduction, log_target=log_target)
    b = torch.nn.functional.kl_div(ref, torch.tensor(t), reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(ours.grad.data, ref.grad.numpy(), rtol=1e-12)
    module = md.nn.KLDivLoss(reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(module(ours, md.tensor(t)).data, b.detach().numpy(), rtol=1e-12)


@pytest.mark.torch
@torch_only
def test_distillation_loss_equals_the_usual_pytorch_expression():
    rng = np.random.default_rng(5)
    s, t, y = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), rng.integers(0, 5, size=6)
    T, alpha = 2.5, 0.6
    ts, tt = torch.tensor(s, requires_grad=True), torch.tensor(t)
    tf = torch.nn.functional
    ref = alpha * T * T * tf.kl_div(
        tf.log_softmax(ts / T, dim=1), tf.softmax(tt / T, dim=1), reduction="batchmean"
    ) + (1 - alpha) * tf.cross_entropy(ts, torch.tensor(y))
    ref.backward()
    ours_s = md.tensor(s, requires_grad=True)
    ours = F.distillation_loss(ours_s, md.tensor(t), md.tensor(y), T=T, alpha=alpha)
    ours.backward()
    np.testing.assert_allclose(ours.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(ours_s.grad.data, ts.grad.numpy(), rtol=1e-10)

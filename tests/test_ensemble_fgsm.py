"""nn.Ensemble (averaged probabilities / logits, eval mode reaching every member), seed_ensemble,
and nn.utils.fgsm (x + eps·sign(∇ₓL): raises the loss, eps=0 is the identity, the sign matches
finite differences)."""

import numpy as np
import pytest

import minidl as md
import minidl.nn.functional as F
from minidl.testing import numerical_grad


def mlp(seed, dropout=0.0):
    md.manual_seed(seed)
    return md.nn.Sequential(
        md.nn.Linear(4, 8), md.nn.Tanh(), md.nn.Dropout(dropout), md.nn.Linear(8, 3)
    )


def blobs(seed=0, n=90):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    x = rng.normal(size=(n, 4)) * 0.7 + np.eye(3, 4)[y] * 2.0
    return md.tensor(x.astype(np.float32)), md.tensor(y)


def train(model, steps=60):
    x, y = blobs()
    opt = md.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return model


def test_probs_mode_returns_log_of_the_averaged_probabilities():
    members = [mlp(s) for s in range(3)]
    x = md.randn(5, 4)
    ens = md.nn.Ensemble(members, mode="probs").eval()
    expected = np.mean([F.softmax(m(x), dim=1).data for m in members], axis=0)
    np.testing.assert_allclose(np.exp(ens(x).data), expected, rtol=1e-5)
    y = md.tensor([0, 1, 2, 0, 1])
    np.testing.assert_allclose(
        F.cross_entropy(ens(x), y).item(), F.nll_loss(ens(x), y).item(), rtol=1e-5
    )


def test_logits_mode_averages_logits_and_parameters_are_registered():
    members = [mlp(s) for s in range(2)]
    x = md.randn(4, 4)
    ens = md.nn.Ensemble(members, mode="logits")
    np.testing.assert_allclose(
        ens(x).data, (members[0](x).data + members[1](x).data) / 2, rtol=1e-6
    )
    assert len(list(ens.parameters())) == 2 * len(list(members[0].parameters()))
    assert "members.1.3.weight" in ens.state_dict()
    with pytest.raises(ValueError, match="mode"):
        md.nn.Ensemble(members, mode="vote")
    with pytest.raises(TypeError, match="models"):
        md.nn.Ensemble([])


def test_eval_reaches_every_member():
    ens = md.nn.Ensemble([mlp(s, dropout=0.5) for s in range(2)])
    x = md.randn(6, 4)
    ens.eval()
    assert not any(m.training for m in ens.modules())
    np.testing.assert_array_equal(ens(x).data, ens(x).data)  # dropout off: deterministic
    ens.train()
    assert all(m.training for m in ens.modules())


def test_seed_ensemble_is_reproducible_and_members_differ_by_seed():
    def build():  # draws its initial weights from the default generator, seeded per member
        return md.nn.Sequential(md.nn.Linear(4, 8), md.nn.Tanh(), md.nn.Linear(8, 3))

    a = md.nn.seed_ensemble(build, lambda m: train(m, 5), seeds=[1, 2])
    b = md.nn.seed_ensemble(build, lambda m: train(m, 5), seeds=[1, 2])
    x = md.randn(3, 4)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    assert not a.training and len(a) == 2
    w0, w1 = (m[0].weight.data for m in a.members)
    assert not np.array_equal(w0, w1)


def test_fgsm_eps_zero_is_the_identity_and_it_raises_the_loss_of_a_trained_model():
    model = train(mlp(4)).eval()
    model.zero_grad()  # .grad = None: fgsm must not fill it
    x, y = blobs(1, 60)
    np.testing.assert_array_equal(md.nn.utils.fgsm(model, x, y, eps=0.0).data, x.data)
    before = F.cross_entropy(model(x), y).item()
    losses = [
        F.cross_entropy(model(md.nn.utils.fgsm(model, x, y, e)), y).item() for e in (0.1, 0.3)
    ]
    assert before < losses[0] < losses[1]
    for p in model.parameters():
        assert p.grad is None  # the input gradient came from autograd.grad
    adv = md.nn.utils.fgsm(model, x, y, 0.3, clamp=(-1.0, 1.0))
    assert adv.data.min() >= -1.0 and adv.data.max() <= 1.0 and not adv.requires_grad


def test_fgsm_step_is_eps_times_the_sign_of_the_numerical_gradient():
    md.set_default_dtype(md.float64)
    try:
        model = mlp(5)
        x, y = md.randn(4, 4), md.tensor([0, 2, 1, 1])
    finally:
        md.set_default_dtype(md.float32)
    num = numerical_grad(lambda a: F.cross_entropy(model(a), y), x)[0]
    adv = md.nn.utils.fgsm(model, x, y, eps=0.01)
    np.testing.assert_allclose(adv.data - x.data, 0.01 * np.sign(num), atol=1e-12)
    with pytest.raises(ValueError, match="eps"):
        md.nn.utils.fgsm(model, x, y, eps=-0.1)

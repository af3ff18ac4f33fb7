"""The layers of tests/nn_layer_cases.py against PyTorch (skipped without torch): PyTorch's
initial weights loaded into minidl's layer (same state_dict keys, same shapes) give the same
outputs, input gradients and parameter gradients in float64."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from nn_layer_cases import CASES, call, flat_outputs, make_inputs

import minidl as md
import minidl.nn.functional as F
from minidl import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _grad(t):
    g = t.grad
    return None if g is None else np.asarray(getattr(g, "data", g))


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_matches_pytorch(name):
    build, shapes, kind = CASES[name]
    torch.manual_seed(0)
    ref = build(torch.nn).double()
    ours = build(nn).double()
    ref_state = ref.state_dict()
    assert list(ours.state_dict()) == list(ref_state)  # same names, same order
    ours.load_state_dict({k: v.numpy() for k, v in ref_state.items()})

    arrays = make_inputs(shapes)
    xs = [md.tensor(a, requires_grad=True) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = flat_outputs(call(ours, kind, xs))
        touts = flat_outputs(call(ref, kind, txs))
    assert len(outs) == len(touts)
    rng = np.random.default_rng(1)
    loss, tloss = 0.0, 0.0
    for o, t in zip(outs, touts):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
        w = rng.standard_normal(o.shape)
        loss = (o * md.tensor(w)).sum() + loss
        tloss = (t * torch.tensor(w)).sum() + tloss
    loss.backward()
    tloss.backward()
    for i, (x, tx) in enumerate(zip(xs, txs)):
        np.testing.assert_allclose(
            _grad(x), tx.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"input {i}"
        )
    tparams = dict(ref.named_parameters())
    for pname, p in ours.named_parameters():
        np.testing.assert_allclose(
            _grad(p), tparams[pname].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=pname
        )


def test_recurrent_default_init_has_pytorch_distribution_and_names():
    for lib_layer, ours in (
        (torch.nn.GRU(3, 8, num_layers=2), nn.GRU(3, 8, num_layers=2)),
        (torch.nn.GRUCell(3, 8), nn.GRUCell(3, 8)),
        (torch.nn.LSTMCell(3, 8), nn.LSTMCell(3, 8)),
    ):
        ref = {k: v.shape for k, v in lib_layer.state_dict().items()}
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
            k: tuple(s) for k, s in ref.items()
        }
        for p in ours.parameters():
            assert np.abs(p.data).max() <= 1 / np.sqrt(8)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scale_factor": 2, "mode": "nearest"},
        {"size": (7, 3), "mode": "nearest"},
        {"scale_factor": (0.5, 1.7), "mode": "bilinear"},
        {"scale_factor": 2.5, "mode": "bilinear", "recompute_scale_factor": True},
        {"size": 1, "mode": "bilinear", "align_corners": True},
    ],
)
def test_interpolate_matches_pytorch(kwargs):
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 4))
    got = F.interpolate(md.tensor(x), **kwargs)
    want = torch.nn.functional.interpolate(torch.tensor(x), **kwargs)
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dim", [None, 0, -1])
def test_softmax_default_dim_matches_pytorch(dim):
    x = np.random.default_rng(4).standard_normal((2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = nn.Softmax(dim)(md.tensor(x))
        want = torch.nn.Softmax(dim)(torch.tensor(x))
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12)


def test_full_backward_hook_sees_pytorchs_gradients():
    torch.manual_seed(0)
    ref = torch.nn.Linear(3, 2).double()
    ours = nn.Linear(3, 2).double()
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    seen, tseen = [], []
    ours.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    ref.register_full_backward_hook(lambda m, gi, go: tseen.append((gi, go)))
    x = np.random.default_rng(0).standard_normal((4, 3))
    (ours(md.tensor(x, requires_grad=True)) ** 2).sum().backward()
    (ref(torch.tensor(x, requires_grad=True)) ** 2).sum().backward()
    (gi, go), (tgi, tgo) = seen[0], tseen[0]
    np.testing.assert_allclose(gi[0].data, tgi[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(go[0].data, tgo[0].numpy(), rtol=1e-12)


def test_conv_transpose_output_size_argument_matches_pytorch():
    torch.manual_seed(0)
    ref = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((1, 2, 4, 4))
    for size in [(7, 7), (8, 8), (1, 3, 8, 7)]:
        got = ours(md.tensor(x), output_size=size)
        want = ref(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "reduction, log_target", [("batchmean", False), ("mean", False), ("sum", True), ("none", False)]
)
def test_kl_div_matches_pytorch_with_zero_probabilities(reduction, log_target):
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((4, 5))
    logq = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    p = rng.dirichlet(np.ones(5), size=4)
    p[0, 1] = 0.0  # a zero probability contributes 0 (p log p → 0), not NaN
    p[0] /= p[0].sum()
    target = np.log(p + 1e-3) if log_target else p
    x, tx = md.tensor(logq, requires_grad=True), torch.tensor(logq, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = F.kl_div(x, md.tensor(target), reduction=reduction, log_target=log_target)
        want = torch.nn.functional.kl_div(
            tx, torch.tensor(target), reduction=reduction, log_target=log_target
        )
    # 'mean' is not the KL divergence per sample: both libraries say so
    assert sum("batchmean" in str(w.message) for w in caught) == (2 if reduction == "mean" else 0)
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-12, atol=1e-15)
    w = rng.standard_normal(got.shape)
    (got * md.tensor(w)).sum().backward()
    (want * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(_grad(x), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    module = nn.KLDivLoss(reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(module(x, md.tensor(target)).data, got.data)


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize_matches_pytorch(p, dim):
    x = np.random.default_rng(7).standard_normal((3, 4))
    x[1] = 0.0  # a zero vector stays zero (ε guards the division)
    got = F.normalize(md.tensor(x), p=p, dim=dim)
    want = torch.nn.functional.normalize(torch.tensor(x), p=p, dim=dim)
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12, atol=1e-15)


MHA_CASES = {
    "self-attention": (dict(embed_dim=8, num_heads=2), dict(), (5, 3), (5, 3)),
    "batch-first-cross": (dict(embed_dim=6, num_heads=3, batch_first=True), dict(), (3, 4), (3, 7)),
    "causal-bool-mask": (dict(embed_dim=4, num_heads=1), dict(causal=True), (5, 2), (5, 2)),
    "padding-mask-per-head-weights": (
        dict(embed_dim=8, num_heads=4), dict(padding=True, average=False), (4, 2), (6, 2),
    ),
    "float-mask-no-bias": (dict(embed_dim=4, num_heads=2, bias=False), dict(float_mask=True), (3, 2), (3, 2)),
    "unbatched": (dict(embed_dim=4, num_heads=2), dict(unbatched=True), (5,), (4,)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MHA_CASES))
def test_multihead_attention_matches_pytorch(name):
    kwargs, opts, qshape, kshape = MHA_CASES[name]
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(**kwargs).double()
    ours = nn.MultiheadAttention(**kwargs).double()
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    E = kwargs["embed_dim"]
    rng = np.random.default_rng(8)
    qs, ks = (*qshape, E), (*kshape, E)  # (L, N, E), or (N, L, E) with batch_first
    arrays = [rng.standard_normal(qs), rng.standard_normal(ks), rng.standard_normal(ks)]
    if opts.get("causal") or name == "self-attention":
        arrays[1] = arrays[2] = arrays[0]  # self-attention: query = key = value
    extra, textra = {}, {}
    bf = 1 if kwargs.get("batch_first") else 0
    L, S, N = qs[bf], ks[bf], (qs[0] if bf else qs[1] if len(qs) == 3 else 1)
    if opts.get("causal"):
        m = np.triu(np.ones((L, S), dtype=bool), 1)
        extra = {"attn_mask": md.tensor(m), "is_causal": True}
        textra = {"attn_mask": torch.tensor(m), "is_causal": True}
    if opts.get("padding"):
        m = np.zeros((N, S), dtype=bool)
        m[0, -2:] = True
        extra, textra = {"key_padding_mask": md.tensor(m)}, {"key_padding_mask": torch.tensor(m)}
    if opts.get("float_mask"):
        m = rng.standard_normal((L, S))
        extra, textra = {"attn_mask": md.tensor(m)}, {"attn_mask": torch.tensor(m)}
    average = opts.get("average", True)
    xs = [md.tensor(a, requires_grad=True) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, w = ours(*xs, average_attn_weights=average, **extra)
    tout, tw = ref(*txs, average_attn_weights=average, **textra)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(out.shape)
    (out * md.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for i, (x, tx) in enumerate(zip(xs, txs)):
        np.testing.assert_allclose(_grad(x), tx.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=str(i))
    tparams = dict(ref.named_parameters())
    for pname, p in ours.named_parameters():
        np.testing.assert_allclose(
            _grad(p), tparams[pname].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=pname
        )


@pytest.mark.parametrize("mask", ["none", "causal", "bool", "float"])
def test_scaled_dot_product_attention_matches_pytorch(mask):
    rng = np.random.default_rng(9)
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)))
    kw, tkw = {}, {}
    if mask == "causal":
        k, v = k[:, :, :4], v[:, :, :4]
        kw = tkw = {"is_causal": True}
    elif mask == "bool":
        m = rng.random((4, 6)) > 0.3
        m[:, 0] = True  # every query sees at least one key
        kw, tkw = {"attn_mask": md.tensor(m)}, {"attn_mask": torch.tensor(m)}
    elif mask == "float":
        m = rng.standard_normal((4, 6))
        kw, tkw = {"attn_mask": md.tensor(m)}, {"attn_mask": torch.tensor(m)}
    got = F.scaled_dot_product_attention(md.tensor(q), md.tensor(k), md.tensor(v), **kw)
    want = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v), **tkw
    )
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-10, atol=1e-12)


def test_transformer_encoder_in_eval_with_masks_matches_pytorch():
    """Evaluation mode (dropout off; PyTorch may take its fused fast path: same numbers), a
    causal mask and a padding mask, as in PyTorch's language-model tutorial."""
    torch.manual_seed(0)
    kw = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.1)
    ref = (
        torch.nn.TransformerEncoder(
            torch.nn.TransformerEncoderLayer(**kw), 2, enable_nested_tensor=False
        )
        .double()
        .eval()
    )
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kw), 2).double().eval()
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(10).standard_normal((5, 3, 8))
    causal = np.triu(np.ones((5, 5), dtype=bool), 1)  # True: not attended (PyTorch MHA)
    padding = np.zeros((3, 5), dtype=bool)
    padding[2, -1] = True
    got = ours(md.tensor(x), mask=md.tensor(causal), src_key_padding_mask=md.tensor(padding))
    with torch.no_grad():
        want = ref(torch.tensor(x), mask=torch.tensor(causal),
                   src_key_padding_mask=torch.tensor(padding))  # fmt: skip
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-9, atol=1e-11)

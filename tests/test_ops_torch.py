"""minidl's ops against PyTorch itself, where semantics could differ quietly: softplus's threshold,
GELU's two forms, var/std's correction, amax's tie splitting, pad modes, split, squeeze of a non-1
dimension, indexing with repeated indices. Forward values and gradients (random upstream), float64.

Skipped unless torch is installed (it never is a dependency of minidl)."""

import numpy as np
import pytest

import minidl as md

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch

X = np.random.default_rng(0).standard_normal((3, 4, 5)) * 3
TIES = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, -1.0]])

CASES = [
    # name, minidl function, torch function, inputs
    ("softplus", md.softplus, F.softplus, [X * 10]),
    ("softplus_beta_threshold", lambda t: md.softplus(t, 2.0, 1.0), lambda t: F.softplus(t, 2.0, 1.0), [X]),
    ("gelu", md.gelu, F.gelu, [X]),
    ("gelu_tanh", lambda t: md.gelu(t, approximate="tanh"), lambda t: F.gelu(t, approximate="tanh"), [X]),
    ("elu", lambda t: md.elu(t, 0.5), lambda t: F.elu(t, 0.5), [X]),
    ("leaky_relu", lambda t: md.leaky_relu(t, 0.2), lambda t: F.leaky_relu(t, 0.2), [X]),
    ("sigmoid", md.sigmoid, torch.sigmoid, [X * 100]),
    ("softmax", lambda t: md.softmax(t, 1), lambda t: F.softmax(t, 1), [X * 100]),
    ("log_softmax", lambda t: md.log_softmax(t, 0), lambda t: F.log_softmax(t, 0), [X * 100]),
    ("var", lambda t: md.var(t, (0, 2)), lambda t: torch.var(t, (0, 2)), [X]),
    ("var_correction_0", lambda t: md.var(t, 1, True, correction=0),
     lambda t: torch.var(t, 1, keepdim=True, correction=0), [X]),
    ("std", md.std, torch.std, [X]),
    ("logsumexp", lambda t: md.logsumexp(t, dim=2), lambda t: torch.logsumexp(t, 2), [X * 100]),
    ("amax_ties", lambda t: md.amax(t, 1), lambda t: torch.amax(t, 1), [TIES]),
    ("max_dim_ties", lambda t: md.max(t, 1).values, lambda t: torch.max(t, 1).values, [TIES]),
    ("amin_ties", md.amin, torch.amin, [TIES]),
    ("min_all_ties", md.min, torch.min, [TIES]),
    ("pad_constant", lambda t: md.pad(t, (1, 2, 2, 1), value=0.5), lambda t: F.pad(t, (1, 2, 2, 1), value=0.5), [X]),
    ("pad_reflect", lambda t: md.pad(t, (1, 2, 2, 1), "reflect"), lambda t: F.pad(t, (1, 2, 2, 1), "reflect"), [X]),
    ("pad_replicate", lambda t: md.pad(t, (3, 0), "replicate"), lambda t: F.pad(t, (3, 0), "replicate"), [X]),
    ("pad_circular", lambda t: md.pad(t, (1, 2, 2, 1), "circular"), lambda t: F.pad(t, (1, 2, 2, 1), "circular"), [X]),
    ("split_size", lambda t: md.split(t, 3, 2), lambda t: torch.split(t, 3, 2), [X]),
    ("split_sections", lambda t: md.split(t, [1, 2], 0), lambda t: torch.split(t, [1, 2], 0), [X]),
    ("squeeze_non_1", lambda t: md.squeeze(t, 1), lambda t: torch.squeeze(t, 1), [X]),
    ("expand", lambda t: t[:, :1].expand(2, -1, 3, -1), lambda t: t[:, :1].expand(2, -1, 3, -1), [X]),
    ("flatten", lambda t: md.flatten(t, 1), lambda t: torch.flatten(t, 1), [X]),
    ("getitem_repeated", lambda t: t[[0, 0, 2], 1:, [1, 1, 4]], lambda t: t[[0, 0, 2], 1:, [1, 1, 4]], [X]),
    ("getitem_mask", lambda t: t[md.tensor(X > 0)], lambda t: t[torch.tensor(X > 0)], [X]),
    ("permute_transpose", lambda t: t.permute(2, 0, 1).transpose(0, 2),
     lambda t: t.permute(2, 0, 1).transpose(0, 2), [X]),
    ("matmul_vectors", lambda a, b: a @ b, lambda a, b: a @ b, [X[0, 0], X[1, 1]]),
    ("matmul_broadcast", lambda a, b: a @ b, lambda a, b: a @ b, [X[None, :, :, :2], X[:, :2, :]]),
]  # fmt: skip


def flat(out, cat):
    """One array of all outputs (split returns a tuple)."""
    return cat([o.reshape(-1) for o in out]) if isinstance(out, tuple) else out


@pytest.mark.parametrize(
    "md_fn, torch_fn, arrays", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_forward_and_gradient_match_pytorch(md_fn, torch_fn, arrays):
    ours = [md.tensor(np.array(a), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(np.array(a), requires_grad=True) for a in arrays]
    y_ours, y_theirs = flat(md_fn(*ours), md.cat), flat(torch_fn(*theirs), torch.cat)
    np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(y_ours.shape)
    y_ours.backward(upstream)
    y_theirs.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-12)

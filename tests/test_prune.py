"""md.nn.utils.prune: the reparametrisation (weight_orig, weight_mask, the pre-hook), amounts,
composition of repeated pruning, remove, and PyTorch's masks on the same weights (torch-marked)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl.nn.utils import prune

try:
    import torch
except ImportError:  # the torch-marked tests skip
    torch = None


def linear(seed=0, n_in=5, n_out=4):
    md.manual_seed(seed)
    return md.nn.Linear(n_in, n_out)


def test_reparametrisation_and_state_dict_keys_are_pytorchs():
    lin = linear()
    w0 = lin.weight.data.copy()
    prune.l1_unstructured(lin, "weight", amount=0.4)
    assert list(lin.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    assert [n for n, _ in lin.named_parameters()] == ["bias", "weight_orig"]
    assert isinstance(lin.weight_orig, md.nn.Parameter)
    np.testing.assert_array_equal(lin.weight_orig.data, w0)
    assert lin.weight_mask.data.sum() == w0.size - round(0.4 * w0.size)
    np.testing.assert_array_equal(lin.weight.data, w0 * lin.weight_mask.data)
    # the pruned entries are exactly the smallest |w|
    pruned = np.abs(w0[lin.weight_mask.data == 0])
    kept = np.abs(w0[lin.weight_mask.data == 1])
    assert pruned.max() <= kept.min()
    assert prune.is_pruned(lin)


@pytest.mark.parametrize("momentum, weight_decay", [(0.0, 0.0), (0.9, 0.1)])
def test_pruned_weights_stay_zero_through_optimizer_steps(momentum, weight_decay):
    lin = linear(1)
    prune.random_unstructured(lin, "weight", amount=0.5, generator=3)
    mask = lin.weight_mask.data.copy()
    opt = md.optim.SGD(lin.parameters(), lr=0.1, momentum=momentum, weight_decay=weight_decay)
    x = md.randn(8, 5)
    for _ in range(5):
        opt.zero_grad()
        lin(x).pow(2).sum().backward()
        np.testing.assert_array_equal(lin.weight_orig.grad.data[mask == 0], 0.0)
        opt.step()
    lin(x)
    assert np.all(lin.weight.data[mask == 0] == 0)
    assert np.any(lin.weight.data[mask == 1] != 0)


def test_repeated_pruning_chooses_among_the_remaining_entries():
    lin = linear(2, 10, 10)  # 100 weights
    prune.l1_unstructured(lin, "weight", amount=0.5)
    first = lin.weight_mask.data.copy()
    prune.l1_unstructured(lin, "weight", amount=0.5)  # half of the 50 left
    second = lin.weight_mask.data
    assert first.sum() == 50 and second.sum() == 25
    assert np.all(second <= first)  # masks multiply: nothing comes back
    assert len(lin._forward_pre_hooks) == 1
    prune.ln_structured(lin, "weight", amount=2, n=2, dim=0)  # 2 more whole rows
    rows = lin.weight_mask.data.sum(axis=1)
    assert np.sum(rows == 0) >= 2


def test_amount_count_rounding_and_validation():
    lin = linear(3, 5, 2)  # 10 weights
    prune.l1_unstructured(lin, "weight", amount=3)
    assert lin.weight_mask.data.sum() == 7
    lin = linear(3, 5, 2)
    prune.l1_unstructured(lin, "weight", amount=0.25)  # round(2.5) == 2 (half to even)
    assert lin.weight_mask.data.sum() == 8
    for bad, err in [(-1, ValueError), (1.5, ValueError), ("a", TypeError), (11, ValueError)]:
        with pytest.raises(err, match="amount"):
            prune.l1_unstructured(linear(3, 5, 2), "weight", amount=bad)
    with pytest.raises(ValueError, match="no parameter named 'kernel'"):
        prune.l1_unstructured(linear(), "kernel", amount=0.1)
    with pytest.raises(ValueError, match="multidimensional"):
        prune.ln_structured(linear(), "bias", amount=1, n=2, dim=0)


def test_remove_makes_it_permanent():
    lin = linear(4)
    prune.l1_unstructured(lin, "weight", amount=0.5)
    masked = lin.weight.data.copy()
    prune.remove(lin, "weight")
    assert list(lin.state_dict()) == ["bias", "weight"]  # PyTorch's order after remove
    assert isinstance(lin.weight, md.nn.Parameter) and not prune.is_pruned(lin)
    np.testing.assert_array_equal(lin.weight.data, masked)
    with pytest.raises(ValueError, match="has to be pruned"):
        prune.remove(lin, "weight")


def test_identity_and_global_unstructured():
    net = md.nn.Sequential(linear(5, 6, 6), md.nn.ReLU(), linear(6, 6, 3))
    prune.identity(net[0], "weight")
    assert net[0].weight_mask.data.all()
    params = [(net[0], "weight"), (net[2], "weight")]
    everything = np.concatenate(
        [np.abs(net[0].weight.data).ravel(), np.abs(net[2].weight.data).ravel()]
    )
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=0.5)
    masks = np.concatenate([net[0].weight_mask.data.ravel(), net[2].weight_mask.data.ravel()])
    assert masks.sum() == everything.size - round(0.5 * everything.size)
    assert everything[masks == 0].max() <= everything[masks == 1].min()


@given(st.integers(0, 30), st.integers(0, 2**16))
def test_l1_count_property(k, seed):
    lin = linear(seed % 100, 6, 5)
    prune.l1_unstructured(lin, "weight", amount=k)
    assert lin.weight_mask.data.sum() == 30 - k
    assert np.count_nonzero(lin.weight.data) <= 30 - k


def _torch_copy(lin):
    ref = torch.nn.Linear(lin.in_features, lin.out_features).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(lin.weight.data, dtype=torch.float64))
    return ref


@pytest.mark.parametrize(
    "steps",
    [
        [("l1", 0.3)],
        [("l1", 0.5), ("l1", 0.5)],
        [("l1", 7), ("ln", 0.5, 2, 0), ("l1", 0.2)],
        [("ln", 2, 1, 1), ("ln", 1, float("inf"), 0)],
    ],
)
@pytest.mark.torch
@pytest.mark.skipif(torch is None, reason="needs PyTorch")
def test_masks_equal_pytorchs(steps):
    from torch.nn.utils import prune as tprune

    md.set_default_dtype(md.float64)
    try:
        ours = linear(7, 8, 6)
    finally:
        md.set_default_dtype(md.float32)
    ref = _torch_copy(ours)
    for step in steps:
        if step[0] == "l1":
            prune.l1_unstructured(ours, "weight", step[1])
            tprune.l1_unstructured(ref, "weight", step[1])
        else:
            prune.ln_structured(ours, "weight", step[1], n=step[2], dim=step[3])
            tprune.ln_structured(ref, "weight", step[1], n=step[2], dim=step[3])
    np.testing.assert_array_equal(ours.weight_mask.data, ref.weight_mask.numpy())
    assert list(ours.state_dict()) == list(ref.state_dict())


@pytest.mark.torch
@pytest.mark.skipif(torch is None, reason="needs PyTorch")
def test_global_masks_equal_pytorchs():
    from torch.nn.utils import prune as tprune

    md.set_default_dtype(md.float64)
    try:
        a, b = linear(8, 6, 5), linear(9, 5, 4)
    finally:
        md.set_default_dtype(md.float32)
    ta, tb = _torch_copy(a), _torch_copy(b)
    prune.l1_unstructured(a, "weight", 0.2)
    tprune.l1_unstructured(ta, "weight", 0.2)
    prune.global_unstructured([(a, "weight"), (b, "weight")], prune.L1Unstructured, amount=0.6)
    tprune.global_unstructured([(ta, "weight"), (tb, "weight")], tprune.L1Unstructured, amount=0.6)
    np.testing.assert_array_equal(a.weight_mask.data, ta.weight_mask.numpy())
    np.testing.assert_array_equal(b.weight_mask.data, tb.weight_mask.numpy())

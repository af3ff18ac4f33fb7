"""Module mechanics: registration, tree walks, modes, gradients, dtype, state dicts, repr."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8, generator=0)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3, generator=1)
        self.register_buffer("scratch", md.zeros(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu())


def test_assignment_registers_parameters_buffers_and_children():
    m = TwoLayer()
    assert [n for n, _ in m.named_parameters()] == [
        "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias",
    ]  # fmt: skip
    assert [n for n, _ in m.named_buffers()] == [
        "scratch", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
    ]  # fmt: skip
    assert [n for n, _ in m.named_children()] == ["fc1", "bn", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "bn", "fc2"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())
    # the non-persistent buffer is not saved
    assert "scratch" not in m.state_dict()
    assert m.num_parameters() == 4 * 8 + 8 + 8 + 8 + 8 * 3 + 3


def test_plain_tensors_are_not_parameters_and_reassignment_replaces():
    m = nn.Module()
    m.a = md.zeros(3)
    m.w = nn.Parameter(md.zeros(3))
    assert [n for n, _ in m.named_parameters()] == ["w"]
    m.w = nn.Parameter(md.ones(2))
    assert next(m.parameters()).shape == (2,)
    del m.w
    assert list(m.parameters()) == []
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        nn.Linear(2, 2).weight = md.zeros(2, 2)


def test_parameter_shares_data_with_the_tensor_it_wraps():
    t = md.zeros(3)
    p = nn.Parameter(t)
    p.data[0] = 5
    assert t.data[0] == 5 and p.requires_grad and p.is_leaf
    with pytest.raises(TypeError, match="floating point"):
        nn.Parameter(np.arange(3))


def test_a_shared_parameter_is_listed_once():
    shared = nn.Linear(3, 3)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(m.parameters())) == 2


def test_assigning_before_init_says_to_call_super_init():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_train_and_eval_switch_the_whole_tree():
    m = TwoLayer()
    assert all(sub.training for sub in m.modules())
    assert m.eval() is m
    assert not any(sub.training for sub in m.modules())
    m.train()
    assert all(sub.training for sub in m.modules())


def test_zero_grad_sets_none_or_zeros():
    m = TwoLayer()
    m(md.randn(5, 4, generator=0)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_requires_grad_false_freezes_parameters():
    m = TwoLayer()
    m.fc1.requires_grad_(False)
    m(md.randn(5, 4, generator=0)).sum().backward()
    assert m.fc1.weight.grad is None and m.fc2.weight.grad is not None
    assert m.num_parameters(only_trainable=True) == m.num_parameters() - (4 * 8 + 8)


def test_double_converts_parameters_and_float_buffers_in_place():
    m = TwoLayer()
    w = m.fc1.weight
    m.double()
    assert m.fc1.weight is w and w.dtype == np.float64
    assert m.bn.running_var.dtype == np.float64
    assert m.bn.num_batches_tracked.dtype == np.int64  # integer buffers keep their type
    assert m(md.randn(3, 4, dtype=md.float64)).dtype == np.float64


def test_state_dict_order_and_sharing():
    m = TwoLayer()
    sd = m.state_dict()
    assert list(sd) == [
        "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
        "bn.num_batches_tracked", "fc2.weight", "fc2.bias",
    ]  # fmt: skip
    assert sd["fc1.weight"].data is m.fc1.weight.data and not sd["fc1.weight"].requires_grad


@given(seed=st.integers(0, 2**31 - 1), steps=st.integers(0, 3))
def test_state_dict_round_trips_exactly(seed, steps):
    rng = np.random.default_rng(seed)
    src = TwoLayer()
    for p in src.parameters():
        p.data[...] = rng.standard_normal(p.shape)
    for _ in range(steps):  # move the running statistics
        src(md.tensor(rng.standard_normal((6, 4)).astype(np.float32)))
    dst = TwoLayer()
    saved = {k: v.data.copy() for k, v in src.state_dict().items()}
    dst.load_state_dict(saved)
    for (k, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=k)
    x = md.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    src.eval(), dst.eval()
    np.testing.assert_array_equal(src(x).data, dst(x).data)


def test_load_state_dict_copies_in_place():
    m = nn.Linear(2, 2)
    w = m.weight.data
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert m.weight.data is w and (w == 1).all()


def test_load_state_dict_names_missing_unexpected_and_mismatched_keys():
    m = TwoLayer()
    sd = dict(m.state_dict())
    del sd["fc2.bias"]
    sd["extra.weight"] = np.zeros(3)
    sd["fc1.weight"] = np.zeros((4, 4))
    before = m.fc1.bias.data.copy()
    sd["fc1.bias"] = np.full(8, 7.0)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(sd)
    msg = str(e.value)
    assert 'Missing key(s) in state_dict: "fc2.bias"' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in msg
    assert "size mismatch for fc1.weight: copying a param with shape (4, 4)" in msg
    assert "the shape in current model is (8, 4)" in msg
    np.testing.assert_array_equal(m.fc1.bias.data, before)  # nothing copied on error


def test_load_state_dict_non_strict_returns_the_key_lists():
    m = nn.Linear(2, 2)
    result = m.load_state_dict({"weight": np.ones((2, 2)), "other": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    assert (m.weight.data == 1).all()
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        m.load_state_dict({"weight": np.ones((3, 2))}, strict=False)


def test_deepcopy_gives_an_independent_module():
    m = TwoLayer()
    c = copy.deepcopy(m)
    c.fc1.weight.data[...] = 0
    assert m.fc1.weight.data.any()
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in m.named_parameters()]


def test_repr_is_a_readable_tree():
    m = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Sequential(nn.Dropout(0.25)))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=2, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.25, inplace=False)\n"
        "  )\n"
        ")"
    )


def test_sequential_and_modulelist_indexing():
    layers = [nn.Linear(3, 3, generator=i) for i in range(3)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and seq[1] is layers[1] and list(seq) == layers
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    x = md.randn(2, 3, generator=0)
    np.testing.assert_allclose(seq(x).data, layers[2](layers[1](layers[0](x))).data)
    seq.append(nn.ReLU())
    assert (seq(x).data >= 0).all()
    ml = nn.ModuleList(layers[:2])
    ml.append(layers[2])
    assert len(list(ml.parameters())) == 6 and ml[-1] is layers[2]
    ml.insert(0, nn.ReLU())
    assert isinstance(ml[0], nn.ReLU) and [n for n, _ in ml.named_children()][-1] == "3"
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_apply_visits_every_module():
    m = TwoLayer()
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "BatchNorm1d", "Linear", "TwoLayer"]


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_moduledict_registers_by_name():
    d = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.ReLU()})
    d["c"] = nn.Linear(3, 1)
    assert list(d) == ["a", "b", "c"] and "b" in d and len(d) == 3
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias", "c.weight", "c.bias"]
    del d["a"]
    assert list(d.keys()) == ["b", "c"] and len(list(d.parameters())) == 2


def test_sequential_runs_a_layer_replaced_by_setattr():
    model = md.nn.Sequential(md.nn.Linear(2, 2))
    setattr(model, "0", md.nn.Identity())  # what prune/quantize helpers do to swap a layer
    x = md.tensor([[-1.0, -2.0]])
    np.testing.assert_array_equal(model(x).data, x.data)


def test_adam_steps_a_zero_dimensional_parameter():
    p = md.tensor(np.array(1.0), requires_grad=True)
    (p * 2).backward()
    md.optim.Adam([p], lr=0.1).step()
    assert p.data.shape == () and p.data < 1.0

"""Module.to and friends (PyTorch's call forms on a CPU-only engine), and the new small Module APIs."""

from __future__ import annotations

import numpy as np
import pytest

import minidl as md
from minidl import nn


class Device:  # a torch.device-like object: .type names the device
    def __init__(self, kind):
        self.type = kind


def model():
    return nn.Sequential(nn.Linear(2, 3, generator=0), nn.BatchNorm1d(3))


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (("cpu",), {}),
        (("cpu:0",), {}),
        ((Device("cpu"),), {}),
        ((md.device("cpu"),), {}),
        ((), {"device": "cpu"}),
    ],
)
def test_cpu_devices_are_no_ops(args, kwargs):
    """Also md.device("cpu") (parity-core's device), below."""
    m = model()
    before = [p.data.copy() for p in m.parameters()]
    w = m[0].weight
    assert m.to(*args, **kwargs) is m and m.cpu() is m
    assert m[0].weight is w and m[0].weight.dtype == np.float32
    for p, b in zip(m.parameters(), before):
        np.testing.assert_array_equal(p.data, b)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((md.float64,), {}),
        (("cpu", md.float64), {}),
        ((), {"dtype": md.float64, "device": "cpu"}),
        ((md.zeros(1, dtype=md.float64),), {}),
        ((np.float64, True), {}),  # to(dtype, non_blocking)
    ],
)
def test_dtype_forms_convert_float_parameters_and_buffers_in_place(args, kwargs):
    m = model()
    w = m[0].weight
    m.to(*args, **kwargs)
    assert m[0].weight is w  # an optimizer built before still holds it
    assert all(p.dtype == np.float64 for p in m.parameters())
    assert m[1].running_mean.dtype == np.float64
    assert m[1].num_batches_tracked.dtype == np.int64  # integer buffers untouched


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "mps", Device("cuda"), 0])
def test_other_devices_are_refused_saying_minidl_runs_on_the_cpu(device):
    with pytest.raises(RuntimeError, match="minidl runs on the CPU only"):
        model().to(device)


def test_cuda_refused_and_integer_dtype_refused_and_junk_refused():
    with pytest.raises(RuntimeError, match="CPU only"):
        model().cuda()
    with pytest.raises(TypeError, match="floating point dtypes, but got desired dtype=int64"):
        model().to(md.int64)
    with pytest.raises(RuntimeError, match="CPU only; received device 'banana'"):
        model().to("banana")  # a string is a device, as in PyTorch
    with pytest.raises(TypeError, match="neither a device nor a dtype"):
        model().to([1, 2])
    with pytest.raises(TypeError, match="unexpected keyword"):
        model().to(dtype=md.float64, colour="red")


def test_half_double_float_and_gradients_follow():
    m = nn.Linear(2, 1, generator=0)
    m(md.ones(1, 2)).sum().backward()
    m.double()
    g = m.weight.grad
    assert np.asarray(getattr(g, "data", g)).dtype == np.float64
    assert m.half().weight.dtype == np.float16
    assert m.float().weight.dtype == np.float32


def test_factory_device_and_dtype_keywords():
    conv = nn.Conv2d(1, 2, 3, device="cpu", dtype=md.float64)
    assert conv.weight.dtype == np.float64
    gru = nn.GRU(2, 3, dtype=md.float64)
    assert all(p.dtype == np.float64 for p in gru.parameters())
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.GRUCell(2, 3, device="cuda")
    for layer in (
        nn.Linear(2, 3, device="cpu", dtype=md.float64),
        nn.Embedding(3, 2, dtype=md.float64),
        nn.BatchNorm1d(3, dtype=md.float64),
        nn.LayerNorm(3, dtype=md.float64),
        nn.GroupNorm(1, 2, dtype=md.float64),
        nn.PReLU(dtype=md.float64),
        nn.LSTM(2, 3, dtype=md.float64, proj_size=0),
    ):
        floats = [t for t in (*layer.parameters(), *layer.buffers()) if t.dtype.kind == "f"]
        assert floats and all(t.dtype == np.float64 for t in floats), type(layer).__name__


def test_named_modules_remove_duplicate_and_get_submodule():
    shared = nn.Linear(2, 2, generator=0)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert m.get_submodule("1") is m[1] and m.get_submodule("") is m
    with pytest.raises(AttributeError, match="no submodule 'x'"):
        m.get_submodule("x")


def test_zero_grad_set_to_none_false_keeps_zeroed_arrays():
    m = nn.Linear(2, 1, generator=0)
    m(md.ones(3, 2)).sum().backward()
    m.zero_grad(set_to_none=False)
    g = m.weight.grad
    np.testing.assert_array_equal(np.asarray(getattr(g, "data", g)), 0.0)
    m.zero_grad()
    assert m.weight.grad is None

"""md.quantization: the round trip (error <= scale/2 inside the range), observers' formulas,
quantize_dynamic against the float model, and PyTorch's integers and qparams (torch-marked)."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minidl as md
from minidl import quantization as Q

try:
    import torch
    from torch.ao import quantization as tq
except ImportError:  # the torch-marked tests skip
    torch = None

torch_only = pytest.mark.skipif(torch is None, reason="needs PyTorch")


@given(
    st.integers(0, 2**16),
    st.floats(1e-3, 1.0),
    st.sampled_from([(md.qint8, -10), (md.qint8, 0), (md.quint8, 128), (md.quint8, 3)]),
)
def test_round_trip_error_is_at_most_half_a_step_inside_the_range(seed, scale, dtype_zp):
    dtype, zp = dtype_zp
    lo, hi = (dtype.q_min - zp) * scale, (dtype.q_max - zp) * scale  # the representable range
    x = np.random.default_rng(seed).uniform(lo, hi, size=50).astype(np.float32)
    q = md.quantize_per_tensor(md.tensor(x), scale, zp, dtype)
    err = np.abs(md.dequantize(q).data - x)
    assert err.max() <= scale / 2 * (1 + 1e-5) + 1e-7
    assert q.int_repr().data.dtype == dtype.storage
    assert q.q_scale() == scale and q.q_zero_point() == zp


def test_values_outside_the_range_clip_and_zero_is_exact():
    q = md.quantize_per_tensor(md.tensor([-100.0, 0.0, 100.0]), 0.5, 10, md.qint8)
    np.testing.assert_array_equal(q.int_repr().data, [-128, 10, 127])
    assert q.dequantize().data[1] == 0.0


def test_per_channel_uses_each_channels_parameters():
    x = np.array([[1.0, -2.0, 3.0], [10.0, 20.0, -30.0]], np.float32)
    q = md.quantize_per_channel(x, [0.1, 1.0], [0, 5], axis=0, dtype=md.qint8)
    np.testing.assert_array_equal(q.int_repr().data, [[10, -20, 30], [15, 25, -25]])
    assert q.q_per_channel_axis() == 0
    with pytest.raises(RuntimeError, match="per channel"):
        q.q_scale()


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="zero_point"):
        md.quantize_per_tensor(md.ones(2), 0.1, 300, md.quint8)
    with pytest.raises(ValueError, match="scale"):
        md.quantize_per_tensor(md.ones(2), 0.0, 0, md.qint8)
    with pytest.raises(TypeError, match="dtype"):
        md.quantize_per_tensor(md.ones(2), 0.1, 0, md.int8)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        md.quantize_per_channel(md.ones(2, 3), [0.1], [0], axis=0, dtype=md.qint8)
    with pytest.raises(ValueError, match="include 0"):
        Q.MinMaxObserver(quant_min=1, quant_max=10)


def test_minmax_observer_closed_form():
    obs = Q.MinMaxObserver(md.quint8)
    obs(md.tensor([0.5, 2.0]))
    obs(md.tensor([1.0, 3.0]))  # the range grows to [0 (included), 3]
    scale, zp = obs.calculate_qparams()
    np.testing.assert_allclose(scale.data, [np.float32(3.0) / np.float32(255)])
    assert zp.data.tolist() == [0]
    sym = Q.MinMaxObserver(md.qint8, Q.per_tensor_symmetric)
    sym(md.tensor([-4.0, 1.0]))
    scale, zp = sym.calculate_qparams()
    np.testing.assert_allclose(scale.data, [4.0 / 127.5], rtol=1e-6)
    assert zp.data.tolist() == [0]
    with pytest.warns(UserWarning, match="run observer"):
        assert Q.MinMaxObserver().calculate_qparams()[0].data.tolist() == [1.0]


def test_percentile_observer_ignores_outliers():
    x = np.concatenate([np.random.default_rng(0).uniform(-1, 1, 10000), [50.0]]).astype(np.float32)
    mm, pc = Q.MinMaxObserver(md.qint8), Q.PercentileObserver(99.0, dtype=md.qint8)
    mm(x)
    pc(x)
    assert pc.max_val.data < 1.0 < 50.0 == mm.max_val.data
    assert pc.calculate_qparams()[0].data[0] < mm.calculate_qparams()[0].data[0] / 10


@pytest.mark.parametrize("per_channel", [False, True])
def test_quantize_dynamic_is_close_to_the_float_model_and_smaller(per_channel):
    md.manual_seed(0)
    model = md.nn.Sequential(md.nn.Linear(64, 128), md.nn.ReLU(), md.nn.Linear(128, 10))
    qmodel = Q.quantize_dynamic(model, {md.nn.Linear}, dtype=md.qint8, per_channel=per_channel)
    assert isinstance(model[0], md.nn.Linear)  # the float model is untouched
    assert isinstance(qmodel[0], Q.DynamicQuantizedLinear)
    x = md.randn(32, 64)
    y, yq = model(x).data, qmodel(x).data
    assert not np.array_equal(y, yq)  # it really computed in integers
    assert np.abs(y - yq).max() < 0.03 * np.abs(y).max()
    assert qmodel[0].weight_int8.data.dtype == np.int8
    # int8 weights are 1/4 of float32; biases and per-row scales keep it above 1/4
    assert Q.model_size_bytes(qmodel) < Q.model_size_bytes(model) / 3


def test_quantized_linear_equals_integer_arithmetic_by_hand():
    md.manual_seed(1)
    lin = md.nn.Linear(6, 3)
    ql = Q.quantize_dynamic(lin)
    x = md.randn(4, 6)
    obs = Q.MinMaxObserver(md.quint8)
    obs(x)
    s_x, z_x = float(obs.calculate_qparams()[0].data[0]), int(obs.calculate_qparams()[1].data[0])
    qx = md.quantize_per_tensor(x, s_x, z_x, md.quint8)
    w = ql.weight()
    exact = md.dequantize(qx).data.astype(np.float64) @ md.dequantize(w).data.T.astype(np.float64)
    np.testing.assert_allclose(ql(x).data, exact + lin.bias.data, rtol=1e-5, atol=1e-6)


# --- PyTorch on the same inputs -------------------------------------------------------------------
@pytest.mark.torch
@torch_only
@pytest.mark.parametrize("dtype", ["qint8", "quint8"])
def test_quantize_per_tensor_and_channel_equal_pytorchs(dtype):
    warnings.simplefilter("ignore")  # torch deprecates its quantised tensors
    ours_dt, t_dt = getattr(md, dtype), getattr(torch, dtype)
    rng = np.random.default_rng(5)
    x = (rng.normal(size=(4, 37)) * 3).astype(np.float32)
    x[0, :4] = [0.25, 0.75, -1.25, 2.5]  # ties at scale 0.5
    for scale, zp in [
        (0.5, 1 if dtype == "qint8" else 129),
        (0.0371, 0 if dtype == "qint8" else 7),
    ]:
        ours = md.quantize_per_tensor(x, scale, zp, ours_dt)
        ref = torch.quantize_per_tensor(torch.tensor(x), scale, zp, t_dt)
        np.testing.assert_array_equal(ours.int_repr().data, ref.int_repr().numpy())
        np.testing.assert_array_equal(ours.dequantize().data, ref.dequantize().numpy())
    scales = rng.uniform(0.01, 0.2, size=37)
    zps = rng.integers(-5, 5, size=37) + (0 if dtype == "qint8" else 128)
    ours = md.quantize_per_channel(x, scales, zps, axis=1, dtype=ours_dt)
    ref = torch.quantize_per_channel(
        torch.tensor(x), torch.tensor(scales), torch.tensor(zps), 1, t_dt
    )
    np.testing.assert_array_equal(ours.int_repr().data, ref.int_repr().numpy())
    np.testing.assert_allclose(ours.dequantize().data, ref.dequantize().numpy(), rtol=1e-6)


@pytest.mark.torch
@torch_only
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(dtype="quint8", qscheme="per_tensor_affine"),
        dict(dtype="qint8", qscheme="per_tensor_affine", reduce_range=True),
        dict(dtype="qint8", qscheme="per_tensor_symmetric"),
        dict(dtype="quint8", qscheme="per_tensor_symmetric"),
        dict(dtype="quint8", qscheme="per_tensor_affine", quant_min=0, quant_max=15),
    ],
)
@pytest.mark.parametrize("shift", [0.0, 2.0, -3.0])
def test_observers_equal_pytorchs(kwargs, shift):
    rng = np.random.default_rng(6)
    batches = [(rng.normal(size=(8, 5)) + shift).astype(np.float32) for _ in range(3)]
    ours_kw = {**kwargs, "dtype": getattr(md, kwargs["dtype"]), "qscheme": kwargs["qscheme"]}
    t_kw = {
        **kwargs,
        "dtype": getattr(torch, kwargs["dtype"]),
        "qscheme": getattr(torch, kwargs["qscheme"]),
    }
    ours, ref = Q.MinMaxObserver(**ours_kw), tq.MinMaxObserver(**t_kw)
    pc_ours = Q.PerChannelMinMaxObserver(
        1, **{**ours_kw, "qscheme": ours_kw["qscheme"].replace("tensor", "channel")}
    )
    pc_ref = tq.PerChannelMinMaxObserver(
        1, **{**t_kw, "qscheme": getattr(torch, kwargs["qscheme"].replace("tensor", "channel"))}
    )
    for b in batches:
        ours(md.tensor(b)), ref(torch.tensor(b)), pc_ours(md.tensor(b)), pc_ref(torch.tensor(b))
    for o, r in [(ours, ref), (pc_ours, pc_ref)]:
        (s, z), (rs, rz) = o.calculate_qparams(), r.calculate_qparams()
        np.testing.assert_array_equal(s.data, rs.numpy().reshape(-1))
        np.testing.assert_array_equal(z.data, rz.numpy().reshape(-1))

"""Tensor construction, attributes, dtypes, randomness and bad input."""

import numpy as np
import pytest

import minidl as md


def test_python_data_follows_pytorch_inference_and_numpy_keeps_its_dtype():
    assert md.tensor([1, 2, 3]).dtype == np.int64  # Python ints: int64, as in PyTorch
    assert md.tensor([1, 2.0]).dtype == np.float32  # any float: the default float dtype
    assert md.tensor([True, 1]).dtype == np.int64
    assert md.tensor(2.5).dtype == np.float32
    assert md.tensor(np.zeros(3, dtype=np.float64)).dtype == np.float64
    assert md.tensor(np.arange(3)).dtype == np.arange(3).dtype
    assert md.tensor([True, False]).dtype == np.bool_


def test_tensor_copies_and_from_numpy_shares():
    a = np.zeros(3)
    t, s = md.tensor(a), md.from_numpy(a)
    a[0] = 1.0
    assert t.data[0] == 0.0 and s.data[0] == 1.0


def test_default_dtype_can_be_switched():
    try:
        md.set_default_dtype(md.float64)
        assert md.tensor([1.0]).dtype == np.float64
        assert md.zeros(2).dtype == np.float64
    finally:
        md.set_default_dtype(md.float32)
    assert md.get_default_dtype() == np.float32
    with pytest.raises(TypeError, match="set_default_dtype.*float32 or float64"):
        md.set_default_dtype(np.int32)


def test_attributes():
    t = md.tensor(np.arange(6.0).reshape(2, 3))
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64
    assert t.size == 6 and t.size() == (2, 3) and t.size(1) == 3 and t.numel() == 6
    assert md.tensor([[4.0]]).item() == 4.0
    assert md.tensor([1.0, 2.0]).tolist() == [1.0, 2.0]
    assert len(t) == 2
    np.testing.assert_array_equal(np.asarray(t), t.data)


def test_repr_shows_shape_dtype_and_creator():
    x = md.tensor([1.0, 2.0], requires_grad=True)
    assert "shape=(2,)" in repr(x) and "float32" in repr(x) and "requires_grad=True" in repr(x)
    assert "grad_fn=<Mul>" in repr(x * 2)


def test_numpy_refuses_while_requiring_grad():
    x = md.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        x.numpy()
    assert x.detach().numpy()[0] == 1.0


def test_creation_helpers():
    assert md.zeros(2, 3).shape == (2, 3) and md.zeros((2, 3)).data.sum() == 0
    assert md.ones(4).data.sum() == 4
    assert md.full((2, 2), 7.0).data.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    x = md.tensor(np.ones((2, 5)))
    assert md.zeros_like(x).shape == (2, 5) and md.ones_like(x).dtype == np.float64
    assert md.arange(5).dtype == np.int64 and md.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert md.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert md.eye(3).data.trace() == 3
    assert md.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert md.zeros(2, requires_grad=True).requires_grad


def test_randomness_flows_from_seeds_and_generators():
    a = md.randn(3, 4, generator=7)
    b = md.randn(3, 4, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a.data, b.data)
    md.manual_seed(3)
    c = md.rand(5)
    md.manual_seed(3)
    np.testing.assert_array_equal(c.data, md.rand(5).data)
    assert md.randint(0, 10, (100,), generator=1).data.max() < 10
    with pytest.raises(TypeError, match="rand: argument `generator`"):
        md.rand(2, generator="seed")


def test_bad_data_is_refused_with_a_clear_type_error():
    with pytest.raises(TypeError, match="numeric.*<U"):
        md.tensor(["a", "b"])
    with pytest.raises(TypeError, match="numeric.*object"):
        md.tensor(np.array([{}, 1], dtype=object))
    with pytest.raises(TypeError, match="equal lengths"):
        md.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients.*int64"):
        md.tensor(np.arange(3), requires_grad=True)
    with pytest.raises(ValueError, match="zeros: sizes must be non-negative ints"):
        md.zeros(-1, 2)


def test_matmul_mismatch_names_both_shapes():
    a, b = md.zeros(2, 3), md.zeros(4, 5)
    with pytest.raises(
        ValueError,
        match=r"matmul: a.shape\[-1\] \(3\) != b.shape\[-2\] \(4\); a.shape=\(2, 3\), b.shape=\(4, 5\)",
    ):
        a @ b


def test_broadcast_mismatch_names_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) can't be broadcast"):
        md.zeros(2, 3) + md.zeros(4)


def test_numpy_arrays_on_the_left_defer_to_the_tensor():
    x = md.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, md.Tensor) and y.requires_grad


def test_comparisons_give_bool_tensors_without_grad():
    x = md.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == np.bool_ and not m.requires_grad
    assert m.tolist() == [False, True, True]

"""Promises of single ops that the op table (test_ops_table.py) can't state: indexing's scatter-add,
numerical stability at extreme inputs, the erf behind exact GELU, split/pad semantics, views."""

import math

import numpy as np
import pytest

import minidl as md
from minidl.ops.activation import erf, erfc
from minidl.testing import gradcheck


def f64(a, requires_grad=True):
    return md.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# --- indexing ---------------------------------------------------------------------------------------


def test_repeated_integer_indices_accumulate_their_gradients():
    x = f64(np.arange(4.0))
    x[[0, 2, 2, 2, 3, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 3.0, 1.0])


def test_repeated_index_pairs_accumulate_with_a_random_upstream_gradient():
    rng = np.random.default_rng(1)
    x = f64(rng.standard_normal((3, 4)))
    rows, cols = np.array([0, 2, 0, 0]), np.array([1, 3, 1, 1])
    v = rng.standard_normal(4)
    x[rows, cols].backward(v)
    expected = np.zeros((3, 4))
    for r, c, g in zip(rows, cols, v):
        expected[r, c] += g
    np.testing.assert_allclose(x.grad, expected)
    gradcheck(lambda t: t[rows, cols], f64(rng.standard_normal((3, 4))))


def test_boolean_mask_selects_like_numpy_and_routes_gradient_to_selected_elements():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3, 5))
    mask = a > 0.2
    x = f64(a)
    y = x[md.tensor(mask)]
    np.testing.assert_array_equal(y.data, a[mask])
    v = rng.standard_normal(y.shape)
    y.backward(v)
    expected = np.zeros_like(a)
    expected[mask] = v
    np.testing.assert_array_equal(x.grad, expected)


def test_row_mask_on_leading_dimension():
    x = f64(np.arange(12.0).reshape(3, 4))
    y = x[[True, False, True]]
    np.testing.assert_array_equal(y.data, [[0, 1, 2, 3], [8, 9, 10, 11]])
    gradcheck(lambda t: t[[True, False, True]] * 2, x)


def test_setitem_routes_gradients_to_the_value_and_blocks_the_overwritten_slots():
    rng = np.random.default_rng(3)
    x, v = f64(rng.standard_normal((3, 4))), f64(rng.standard_normal(4))
    y = x * 1.0
    y[1] = v * 2
    g = rng.standard_normal((3, 4))
    y.backward(g)
    expected_x = g.copy()
    expected_x[1] = 0
    np.testing.assert_allclose(x.grad, expected_x)
    np.testing.assert_allclose(v.grad, 2 * g[1])


def test_index_put_with_a_broadcast_value():
    rng = np.random.default_rng(4)
    x, v = f64(rng.standard_normal((3, 4))), f64(rng.standard_normal((3, 1)))
    gradcheck(lambda a, b: md.index_put(a, (slice(None), slice(1, 3)), b), (x, v))


def test_getitem_bad_index_names_the_op_and_the_shape():
    x = f64(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        x[np.array([True, False, True])]
    with pytest.raises(TypeError, match="getitem.*float64"):
        x[np.array([0.5])]
    with pytest.raises(ValueError, match=r"index_put.*\(2,\).*\(3,\)"):
        md.index_put(x, 0, f64(np.zeros(2)))


def test_a_write_through_a_view_is_seen_by_autograd():
    x = f64(np.arange(1.0, 7.0))
    y = md.exp(x * 1.0)  # Exp saves its output y for backward
    view = y.reshape(2, 3)
    with md.no_grad():
        view[0, 0] = 100.0
    np.testing.assert_equal(y.data[0], 100.0)  # a view shares memory ...
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()  # ... and the version counter


# --- stability at large inputs ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_stay_finite_at_large_inputs(dtype):
    x = md.tensor(np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0]], dtype=dtype))
    x.requires_grad_()
    s, ls = md.softmax(x, dim=1), md.log_softmax(x, dim=1)
    assert np.all(np.isfinite(s.data)) and np.all(np.isfinite(ls.data))
    np.testing.assert_allclose(s.data.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(ls.data[0], [0.0, -1000.0, -2000.0])
    np.testing.assert_allclose(np.exp(ls.data), s.data, rtol=1e-5, atol=1e-30)
    (s.sum() + ls.sum()).backward()
    assert np.all(np.isfinite(x.grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_softplus_elu_gelu_are_finite_at_extremes(dtype):
    big = md.tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype), requires_grad=True)
    for f in (md.sigmoid, md.softplus, md.elu, md.gelu, md.tanh):
        y = f(big)
        assert y.dtype == dtype
        assert np.all(np.isfinite(y.data)), f.__name__
        y.sum().backward()
        assert np.all(np.isfinite(big.grad)), f.__name__
        big.grad = None
    np.testing.assert_array_equal(md.sigmoid(big).data[[0, -1]], [0.0, 1.0])
    np.testing.assert_allclose(md.softplus(big).data, [0, 0, math.log(2), 50, 1000], atol=1e-20)


# --- erf ------------------------------------------------------------------------------------------


def test_erf_matches_math_erf_to_1e_15():
    z = np.linspace(-7, 7, 20001)
    ref = np.array([math.erf(v) for v in z])
    assert np.max(np.abs(erf(z) - ref)) < 2e-15


def test_erfc_is_relatively_accurate_in_the_right_tail():
    z = np.linspace(2.5, 26, 5001)
    ref = np.array([math.erfc(v) for v in z])
    assert np.max(np.abs(erfc(z) - ref) / ref) < 1e-14
    z = np.linspace(-6, 2.5, 5001)
    ref = np.array([math.erfc(v) for v in z])
    assert np.max(np.abs(erfc(z) - ref)) < 2e-15


# --- split, pad -------------------------------------------------------------------------------------


def test_split_by_chunk_size_and_by_sections_follows_pytorch():
    x = f64(np.arange(14.0).reshape(7, 2))
    assert [p.shape for p in md.split(x, 3)] == [(3, 2), (3, 2), (1, 2)]
    parts = md.split(x, [2, 0, 5])
    assert [p.shape for p in parts] == [(2, 2), (0, 2), (5, 2)]
    np.testing.assert_array_equal(md.cat(parts).data, x.data)
    with pytest.raises(ValueError, match=r"split.*\[2, 3\].*7"):
        md.split(x, [2, 3])


@pytest.mark.parametrize(
    "mode, numpy_mode", [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")]
)
def test_pad_modes_match_numpy_and_take_the_last_dimension_first(mode, numpy_mode):
    a = np.arange(24.0).reshape(2, 3, 4)
    y = md.pad(f64(a), (1, 2, 2, 0), mode=mode)
    np.testing.assert_array_equal(y.data, np.pad(a, [(0, 0), (2, 0), (1, 2)], mode=numpy_mode))
    gradcheck(lambda t: md.pad(t, (1, 2, 2, 0), mode=mode), f64(a))


def test_constant_pad_fills_with_value():
    a = np.ones((2, 2))
    y = md.pad(f64(a), (0, 1), value=-5.0)
    np.testing.assert_array_equal(y.data, [[1, 1, -5], [1, 1, -5]])


# --- reductions -------------------------------------------------------------------------------------


def test_amax_and_min_split_the_gradient_evenly_among_ties():
    x = f64([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, -1.0]])
    md.amax(x, axis=1).backward(np.array([6.0, 3.0]))
    np.testing.assert_array_equal(x.grad, [[0, 3, 3, 0], [1, 1, 1, 0]])
    x.grad = None
    md.min(x).backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 0, 0], [0, 0, 0, 1]])


def test_argmax_argmin_are_int64_first_index_and_not_differentiable():
    a = np.array([[1.0, 7.0, 7.0], [0.0, -2.0, -2.0]])
    x = f64(a)
    for fn, ref in ((md.argmax, np.argmax), (md.argmin, np.argmin)):
        out = fn(x, dim=1, keepdim=True)
        assert out.dtype == np.int64 and not out.requires_grad
        np.testing.assert_array_equal(out.data, ref(a, axis=1, keepdims=True))
        assert fn(x).item() == ref(a)


def test_logsumexp_is_stable_and_handles_all_minus_infinity():
    x = md.tensor(np.array([[1000.0, 1000.0], [-np.inf, -np.inf]]), requires_grad=True)
    y = md.logsumexp(x, axis=1)
    np.testing.assert_allclose(y.data, [1000.0 + math.log(2.0), -np.inf])
    y[0].backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.5], [0.0, 0.0]])


def test_var_std_default_to_the_unbiased_estimate_like_pytorch():
    a = np.random.default_rng(5).standard_normal((4, 6))
    np.testing.assert_allclose(md.var(f64(a), axis=1).data, a.var(axis=1, ddof=1))
    np.testing.assert_allclose(md.std(f64(a), correction=0).data, a.std())


def test_matmul_of_two_vectors_has_a_gradient():
    # regression: backward used to call expand_dims(-2) on the 0-d gradient of a dot product
    a, b = f64([1.0, 2.0, 3.0]), f64([4.0, 5.0, 6.0])
    (a @ b).backward()
    np.testing.assert_array_equal(a.grad, b.data)
    np.testing.assert_array_equal(b.grad, a.data)


def test_erf_and_erfc_pass_nan_and_handle_infinities():
    z = np.array([np.nan, np.inf, -np.inf, 0.0])
    np.testing.assert_array_equal(erf(z), [np.nan, 1.0, -1.0, 0.0])
    np.testing.assert_array_equal(erfc(z), [np.nan, 0.0, 2.0, 1.0])
    assert np.isnan(md.gelu(md.tensor([np.nan])).item())


def test_joining_a_constant_and_a_tensor_gives_a_gradient_to_the_tensor_only():
    rng = np.random.default_rng(6)
    x, const = f64(rng.standard_normal((2, 3))), f64(rng.standard_normal((2, 3)), False)
    for join in (md.cat, md.stack):
        y = join([const, x, const], 1)
        g = rng.standard_normal(y.shape)
        y.backward(g)
        expected = g[:, 3:6] if join is md.cat else g[:, 1]
        np.testing.assert_array_equal(x.grad, expected)
        assert const.grad is None
        x.grad = None

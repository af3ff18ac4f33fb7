"""minidl.testing.strategies keeps its promises: bounds, distance from kinks, no ties, valid shapes and
configurations — and the five-line example of its docstring works."""

import numpy as np
from hypothesis import given

import minidl as md
from minidl import kernels
from minidl.testing import gradcheck
from minidl.testing import strategies as mds


@given(mds.arrays(away_from=[0.0]))
def test_the_docstring_example_property_tests_a_learners_op(a):
    gradcheck(lambda x: x / (1 + md.abs(x)), md.tensor(a, requires_grad=True))


@given(mds.shapes())
def test_shapes_have_small_positive_sides(shape):
    assert len(shape) <= 4 and all(1 <= n <= 5 for n in shape)


@given(mds.arrays(mds.shapes(max_dims=2), min_value=-2.0, max_value=0.5, away_from=[-1.0, 0.0]))
def test_arrays_stay_in_bounds_and_off_the_kinks(a):
    assert a.dtype == np.float64
    assert np.all(a >= -2.0) and np.all(a <= 0.5)
    assert np.all(np.abs(a + 1.0) >= 1e-3) and np.all(np.abs(a) >= 1e-3)


@given(
    mds.array_tuples(mds.broadcastable_shapes(3), distinct=True, away_from=[0.0], dtype=np.float32)
)
def test_array_tuples_have_the_drawn_shapes_and_no_ties_across_arrays(arrays):
    assert all(a.dtype == np.float32 for a in arrays)
    np.broadcast_shapes(*(a.shape for a in arrays))  # raises if they don't broadcast
    values = np.sort(np.concatenate([a.ravel() for a in arrays]).astype(np.float64))
    if values.size > 1:
        assert np.diff(values).min() >= 2e-3
    assert np.all(np.abs(values) >= 1e-3 - 1e-7)  # float32 rounding of ±1e-3


def matmul_result_shape(a, b) -> tuple:
    if len(a) == 1 and len(b) == 1:
        return ()
    if len(a) == 1:
        return b[:-2] + b[-1:]
    if len(b) == 1:
        return a[:-1]
    return np.broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])


@given(mds.matmul_shapes())
def test_matmul_shapes_are_accepted_by_numpy_matmul(shapes):
    a_shape, b_shape = shapes
    out = np.matmul(np.ones(a_shape), np.ones(b_shape))
    assert out.shape == matmul_result_shape(a_shape, b_shape)


@given(mds.conv2d_configs(max_dilation=2))
def test_conv2d_configs_are_valid_and_predict_the_output_shape(c):
    x = np.zeros(c.input_shape)
    w = np.zeros(c.weight_shape)
    y = kernels.conv2d(x, w, None, stride=c.stride, padding=c.padding, dilation=c.dilation)
    assert y.shape == c.output_shape


@given(mds.pool2d_configs())
def test_pool2d_configs_are_valid_and_predict_the_output_shape(c):
    x = np.zeros(c.input_shape)
    y = kernels.avg_pool2d(x, c.kernel_size, stride=c.stride, padding=c.padding)
    assert y.shape == c.output_shape
    assert all(p <= k // 2 for p, k in zip(c.padding, c.kernel_size))

"""Pooling kernels: the reference against the definition, every backend against the reference,
ties routed to the first arg-max, and bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import BACKENDS, DTYPES, pool_configs, random_array, tol

from minidl import kernels


def pools_by_definition(x, k, s, p):
    """max and mean over each window of the padded input (-inf / 0 padding), as loops."""
    n, c, h, w = x.shape
    oh, ow = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
    xmax = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=-np.inf)
    xsum = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    ymax, yavg = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows, cols = slice(i * s[0], i * s[0] + k[0]), slice(j * s[1], j * s[1] + k[1])
            ymax[:, :, i, j] = xmax[:, :, rows, cols].max(axis=(2, 3))
            yavg[:, :, i, j] = xsum[:, :, rows, cols].mean(axis=(2, 3))
    return ymax, yavg


@given(config=pool_configs(), seed=st.integers(0, 2**16))
def test_reference_pools_follow_the_definition(config, seed):
    x_shape, k, s, p = config
    x = np.random.default_rng(seed).standard_normal(x_shape)
    with kernels.use_backend("numpy"):
        ymax, idx = kernels.max_pool2d(x, k, s, p)
        yavg = kernels.avg_pool2d(x, k, s, p)
    want_max, want_avg = pools_by_definition(x, k, s, p)
    np.testing.assert_array_equal(ymax, want_max)
    np.testing.assert_allclose(yavg, want_avg, rtol=1e-12, atol=1e-15)
    # the indices point at the maxima
    flat = x.reshape(*x.shape[:2], -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, idx.reshape(*idx.shape[:2], -1), 2).reshape(ymax.shape), ymax
    )


@given(config=pool_configs(), seed=st.integers(0, 2**16))
def test_reference_backward_is_the_adjoint_of_forward(config, seed):
    """avg pool is linear: <avg(x), gy> = <x, backward(gy)>; max pool is linear for fixed arg-maxes."""
    x_shape, k, s, p = config
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    with kernels.use_backend("numpy"):
        yavg = kernels.avg_pool2d(x, k, s, p)
        ymax, idx = kernels.max_pool2d(x, k, s, p)
        gy = rng.standard_normal(yavg.shape)
        gavg = kernels.avg_pool2d_backward(gy, x.shape, k, s, p)
        gmax = kernels.max_pool2d_backward(gy, idx, x.shape, k, s, p)
    np.testing.assert_allclose(np.vdot(x, gavg), np.vdot(yavg, gy), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.vdot(x, gmax), np.vdot(ymax, gy), rtol=1e-10, atol=1e-10)


def _pools(backend, x, gy, k, s, p):
    with kernels.use_backend(backend):
        ymax, idx = kernels.max_pool2d(x, k, s, p)
        return (
            ymax,
            idx,
            kernels.max_pool2d_backward(gy, idx, x.shape, k, s, p),
            kernels.avg_pool2d(x, k, s, p),
            kernels.avg_pool2d_backward(gy, x.shape, k, s, p),
        )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@given(config=pool_configs(), ties=st.booleans(), seed=st.integers(0, 2**16))
def test_backend_matches_reference(backend, dtype, config, ties, seed):
    x_shape, k, s, p = config
    rng = np.random.default_rng(seed)
    # rounded values make ties common: all backends must route them to the first arg-max
    x = np.round(random_array(rng, x_shape, dtype)) if ties else random_array(rng, x_shape, dtype)
    with kernels.use_backend("numpy"):
        gy = random_array(rng, kernels.avg_pool2d(x, k, s, p).shape, dtype)
    want = _pools("numpy", x, gy, k, s, p)
    got = _pools(backend, x, gy, k, s, p)
    names = ["max", "indices", "max grad", "avg", "avg grad"]
    for name, g, r in zip(names, got, want, strict=True):
        assert g.dtype == r.dtype and g.shape == r.shape, name
        np.testing.assert_allclose(g, r, **tol(dtype), err_msg=name)


# corner cases hypothesis may draw rarely: 1x1 windows, window = whole image, stride > kernel,
# batch 1, and planes enough for the C kernels' second thread (from 1e5 window reads)
POOL_CORNERS = [
    ((1, 2, 5, 5), (1, 1), (1, 1), (0, 0)),
    ((2, 3, 4, 6), (4, 6), (1, 1), (0, 0)),
    ((1, 1, 9, 9), (2, 2), (4, 3), (1, 0)),
    ((3, 2, 7, 5), (3, 3), (2, 2), (1, 1)),
    ((64, 8, 16, 16), (2, 2), (2, 2), (0, 0)),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("x_shape", "k", "s", "p"), POOL_CORNERS)
def test_backend_matches_reference_on_corner_cases(backend, dtype, x_shape, k, s, p):
    rng = np.random.default_rng(11)
    x = random_array(rng, x_shape, dtype)
    with kernels.use_backend("numpy"):
        gy = random_array(rng, kernels.avg_pool2d(x, k, s, p).shape, dtype)
    for g, r in zip(_pools(backend, x, gy, k, s, p), _pools("numpy", x, gy, k, s, p), strict=True):
        np.testing.assert_allclose(g, r, **tol(dtype))


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_pool_ties_go_to_the_first_position(backend):
    x = np.ones((1, 1, 4, 4))
    with kernels.use_backend(backend):
        y, idx = kernels.max_pool2d(x, 2)
        gx = kernels.max_pool2d_backward(np.ones_like(y), idx, x.shape, 2)
    np.testing.assert_array_equal(idx[0, 0], [[0, 2], [8, 10]])  # top-left of each window
    np.testing.assert_array_equal(
        gx[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_overlapping_windows_add_their_gradients(backend):
    """stride < kernel: one input can be the max of several windows; its gradient is their sum."""
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0  # the max of all four 2x2 windows
    with kernels.use_backend(backend):
        y, idx = kernels.max_pool2d(x, 2, stride=1)
        gx = kernels.max_pool2d_backward(np.full_like(y, 2.0), idx, x.shape, 2, stride=1)
    assert gx[0, 0, 1, 1] == 8.0 and gx.sum() == 8.0


X = np.zeros((2, 3, 8, 8))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: kernels.max_pool2d(X, 3, padding=2), ValueError, "at most half the kernel"),
        (lambda: kernels.max_pool2d(X, 0), ValueError, r"`kernel_size` must be"),
        (lambda: kernels.avg_pool2d(X, 2, stride=0), ValueError, r"`stride` must be"),
        (lambda: kernels.avg_pool2d(X[0], 2), ValueError, r"`input` must be 4-D"),
        (lambda: kernels.avg_pool2d(X, 9), ValueError, "larger than the padded input"),
        (lambda: kernels.max_pool2d(X.astype(np.int32), 2), TypeError, "float32 or float64"),
        (
            lambda: kernels.avg_pool2d_backward(np.zeros((2, 3, 3, 3)), X.shape, 2),
            ValueError,
            r"pooled shape \(2, 3, 4, 4\)",
        ),
        (
            lambda: kernels.max_pool2d_backward(
                np.zeros((2, 3, 4, 4)), np.full((2, 3, 4, 4), 99), X.shape, 2
            ),
            ValueError,
            "outside their pooling windows",
        ),
        (
            lambda: kernels.max_pool2d_backward(
                np.zeros((2, 3, 4, 4)), np.zeros((2, 3, 4, 4), np.int32), X.shape, 2
            ),
            TypeError,
            "int64",
        ),
    ],
)
def test_bad_input_raises_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@given(shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(2, 9), st.integers(2, 9)),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_max_pool_2x2_stride_2_fast_path_matches_the_reference(backend, dtype, shape, seed):
    """The C kernel's straight-line path for the common 2x2/stride-2 window, on values with ties,
    NaNs and infinities (small integers make ties frequent)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape).astype(dtype)
    x[rng.random(shape) < 0.1] = np.nan
    x[rng.random(shape) < 0.1] = -np.inf
    with kernels.use_backend("numpy"):
        want_y, want_idx = kernels.max_pool2d(x, 2)
    with kernels.use_backend(backend):
        y, idx = kernels.max_pool2d(x, 2)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(idx, want_idx)

"""A fuzz of every kernel entry point: random (often inconsistent) shapes, geometries, dtypes, memory
layouts and index arrays. Each call either raises the same clear ValueError/TypeError as the NumPy
reference or returns its result. Run under AddressSanitizer + UBSan by csrc/sanitize.sh, where any
out-of-bounds access the checks let through stops the run, with more examples
(MINIDL_FUZZ_EXAMPLES; otherwise the hypothesis profile's count)."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_cases import BACKENDS, tol

from minidl import kernels

_examples = os.environ.get("MINIDL_FUZZ_EXAMPLES")
fuzz = settings(max_examples=int(_examples)) if _examples else (lambda test: test)
LAYOUTS = ("c", "reversed", "sliced", "misaligned", "fortran")
small = st.integers(0, 5)


def geometry(low: int):
    """Mostly valid (>= low) ints or pairs, sometimes an invalid one (down to -1)."""
    valid = st.one_of(st.integers(low, 3), st.tuples(st.integers(low, 3), st.integers(low, 3)))
    invalid = st.one_of(st.integers(-1, 3), st.tuples(st.integers(-1, 3), st.integers(-1, 3)))
    return st.one_of(valid, valid, valid, invalid)


side = st.one_of(st.integers(1, 7), st.integers(1, 7), st.integers(1, 7), st.integers(0, 7))


def _lay_out(a: np.ndarray, layout: str) -> np.ndarray:
    """The same values in another valid NumPy memory layout."""
    if layout == "reversed" and a.ndim:  # negative strides along the last axis
        return np.ascontiguousarray(a[..., ::-1])[..., ::-1]
    if layout == "sliced" and a.ndim:  # every other element along the last axis
        wide = np.zeros((*a.shape[:-1], 2 * a.shape[-1]), dtype=a.dtype)
        wide[..., ::2] = a
        return wide[..., ::2]
    if layout == "misaligned":  # data pointer one byte off the item size
        raw = np.zeros(a.nbytes + 1, dtype=np.uint8)
        view = raw[1:].view(a.dtype).reshape(a.shape)
        view[...] = a
        return view
    if layout == "fortran":
        return np.asfortranarray(a)
    return a


@st.composite
def arrays(draw, shape, dtype):
    """Random values of `dtype` (one time in ten the other float dtype) in a random layout."""
    if draw(st.integers(0, 9)) == 0:
        dtype = np.float64 if dtype == np.float32 else np.float32
    seed = draw(st.integers(0, 2**16))
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return _lay_out(a, draw(st.sampled_from(LAYOUTS)))


def _same_as_reference(backend: str, call) -> None:
    """`call()` on `backend` raises what the reference raises, or returns what it returns."""
    try:
        with kernels.use_backend("numpy"):
            want = call()
    except (ValueError, TypeError) as err:
        with pytest.raises(type(err)), kernels.use_backend(backend):
            call()
        return
    with kernels.use_backend(backend):
        got = call()
    for g, w in zip(
        got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)
    ):
        assert g.shape == w.shape and g.dtype == w.dtype
        if g.dtype.kind == "f":
            np.testing.assert_allclose(g, w, **tol(g.dtype))
        else:
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("backend", BACKENDS)
@fuzz
@given(
    data=st.data(),
    m=small,
    k=small,
    k2=small,
    n=small,
    dt=st.sampled_from([np.float32, np.float64]),
)
def test_fuzz_matmul(backend, data, m, k, k2, n, dt):
    a = data.draw(arrays((m, k), dt))
    b = data.draw(arrays((data.draw(st.sampled_from([k, k2])), n), dt))
    _same_as_reference(backend, lambda: kernels.matmul(a, b))


@pytest.mark.parametrize("backend", BACKENDS)
@fuzz
@given(
    data=st.data(),
    n=st.integers(0, 2),
    c=st.integers(0, 3),
    f=st.integers(1, 3),
    hw=st.tuples(side, side),
    khw=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=geometry(1),
    padding=geometry(0),
    dilation=geometry(1),
    dt=st.sampled_from([np.float32, np.float64]),
)
def test_fuzz_conv2d_and_its_gradients(
    backend, data, n, c, f, hw, khw, stride, padding, dilation, dt
):
    x = data.draw(arrays((n, c, *hw), dt))
    # sometimes a weight with the wrong channel count, or of the other dtype
    w = data.draw(arrays((f, data.draw(st.sampled_from([c, c, c, c + 1])), *khw), dt))
    bias = data.draw(
        st.one_of(st.none(), arrays((data.draw(st.sampled_from([f, f, f, f + 1])),), dt))
    )
    geo = (stride, padding, dilation)
    _same_as_reference(backend, lambda: kernels.conv2d(x, w, bias, *geo))
    try:
        with kernels.use_backend("numpy"):
            y_shape = kernels.conv2d(x, w, None, *geo).shape
    except (ValueError, TypeError):
        y_shape = (n, f, 2, 2)  # the gradients below must then refuse their arguments too
    # grad_output of the right shape, or one off in a random axis
    off = data.draw(st.sampled_from([None, None, None, 0, 1, 2, 3]))
    gy_shape = tuple(s + (i == off) for i, s in enumerate(y_shape))
    gy = data.draw(arrays(gy_shape, dt))
    _same_as_reference(backend, lambda: kernels.conv2d_input(x.shape, w, gy, *geo))
    _same_as_reference(backend, lambda: kernels.conv2d_weight(x, w.shape, gy, *geo))
    _same_as_reference(backend, lambda: kernels.conv2d_bias(gy))


@pytest.mark.parametrize("backend", BACKENDS)
@fuzz
@given(
    data=st.data(),
    nc=st.tuples(st.integers(0, 2), st.integers(1, 3)),
    hw=st.tuples(side, side),
    kernel=geometry(1),
    stride=st.one_of(st.none(), geometry(1)),
    padding=st.one_of(st.just(0), st.just(0), st.just(1), geometry(0)),  # <= kernel / 2 or refused
    dt=st.sampled_from([np.float32, np.float64]),
)
def test_fuzz_pooling_and_its_gradients(backend, data, nc, hw, kernel, stride, padding, dt):
    x = data.draw(arrays((*nc, *hw), dt))
    geo = (kernel, stride, padding)
    _same_as_reference(backend, lambda: kernels.max_pool2d(x, *geo))
    _same_as_reference(backend, lambda: kernels.avg_pool2d(x, *geo))
    try:
        with kernels.use_backend("numpy"):
            y, idx = kernels.max_pool2d(x, *geo)
    except (ValueError, TypeError):
        y, idx = np.ones((*nc, 2, 2)), np.zeros((*nc, 2, 2), np.int64)
    gy = data.draw(arrays(y.shape, dt))
    if idx.size and data.draw(st.booleans()):  # corrupt one index: often outside its window
        idx = idx.copy()
        spread = 2 * max(1, hw[0] * hw[1])
        idx.flat[data.draw(st.integers(0, idx.size - 1))] = data.draw(st.integers(-spread, spread))
    idx = _lay_out(idx, data.draw(st.sampled_from(LAYOUTS)))
    _same_as_reference(backend, lambda: kernels.max_pool2d_backward(gy, idx, x.shape, *geo))
    _same_as_reference(backend, lambda: kernels.avg_pool2d_backward(gy, x.shape, *geo))

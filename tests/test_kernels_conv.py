"""conv2d kernels: the NumPy reference against the definition, every backend against the reference,
the backward kernels against the forward one (adjoint identities), and bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import BACKENDS, DTYPES, conv_configs, random_array, tol

from minidl import kernels


def conv2d_by_definition(x, w, b, stride, padding, dilation):
    """y[n, f, i, j] = b[f] + sum_{c,p,q} w[f, c, p, q] xpad[n, c, i*sh + p*dh, j*sw + q*dw], as loops."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    f, _, kh, kw = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (xpad.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xpad.shape[3] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((x.shape[0], f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xpad[
                :,
                :,
                i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                j * sw : j * sw + dw * (kw - 1) + 1 : dw,
            ]
            y[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return y + (0 if b is None else b[:, None, None])


@given(config=conv_configs(), seed=st.integers(0, 2**16))
def test_reference_conv2d_follows_the_definition(config, seed):
    x_shape, w_shape, stride, padding, dilation = config
    rng = np.random.default_rng(seed)
    x, w, b = (
        rng.standard_normal(x_shape),
        rng.standard_normal(w_shape),
        rng.standard_normal(w_shape[0]),
    )
    with kernels.use_backend("numpy"):
        got = kernels.conv2d(x, w, b, stride, padding, dilation)
    np.testing.assert_allclose(
        got, conv2d_by_definition(x, w, b, stride, padding, dilation), rtol=1e-12, atol=1e-12
    )


@given(config=conv_configs(), seed=st.integers(0, 2**16))
def test_reference_backward_is_the_adjoint_of_forward(config, seed):
    """<conv(x, w), gy> = <x, conv2d_input(gy)> = <w, conv2d_weight(x, gy)>: conv is linear in x and w."""
    x_shape, w_shape, stride, padding, dilation = config
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    with kernels.use_backend("numpy"):
        y = kernels.conv2d(x, w, None, stride, padding, dilation)
        gy = rng.standard_normal(y.shape)
        gx = kernels.conv2d_input(x.shape, w, gy, stride, padding, dilation)
        gw = kernels.conv2d_weight(x, w.shape, gy, stride, padding, dilation)
        gb = kernels.conv2d_bias(gy)
    total = np.vdot(y, gy)
    np.testing.assert_allclose(np.vdot(x, gx), total, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.vdot(w, gw), total, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gb, gy.sum(axis=(0, 2, 3)), rtol=1e-12)


def _all_four(backend, x, w, b, gy, stride, padding, dilation):
    with kernels.use_backend(backend):
        return (
            kernels.conv2d(x, w, b, stride, padding, dilation),
            kernels.conv2d_input(x.shape, w, gy, stride, padding, dilation),
            kernels.conv2d_weight(x, w.shape, gy, stride, padding, dilation),
            kernels.conv2d_bias(gy),
        )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@given(config=conv_configs(), with_bias=st.booleans(), seed=st.integers(0, 2**16))
def test_backend_matches_reference(backend, dtype, config, with_bias, seed):
    x_shape, w_shape, stride, padding, dilation = config
    rng = np.random.default_rng(seed)
    x, w = random_array(rng, x_shape, dtype), random_array(rng, w_shape, dtype)
    b = random_array(rng, w_shape[0], dtype) if with_bias else None
    with kernels.use_backend("numpy"):
        y = kernels.conv2d(x, w, b, stride, padding, dilation)
    gy = random_array(rng, y.shape, dtype)
    want = _all_four("numpy", x, w, b, gy, stride, padding, dilation)
    got = _all_four(backend, x, w, b, gy, stride, padding, dilation)
    for name, g, r in zip(
        ["forward", "input grad", "weight grad", "bias grad"], got, want, strict=True
    ):
        assert g.dtype == dtype and g.shape == r.shape, name
        np.testing.assert_allclose(g, r, **tol(dtype), err_msg=name)


# The corner cases hypothesis may not draw often: 1x1 kernels (the C backend skips im2col for them),
# kernel = input size, stride > kernel, batch 1, and sizes that make the C backend use its threads.
CORNERS = [
    ((2, 3, 5, 5), (4, 3, 1, 1), 1, 0, 1),
    ((2, 3, 5, 5), (4, 3, 1, 1), 2, 1, 1),
    ((1, 2, 4, 6), (3, 2, 4, 6), 1, 0, 1),
    ((1, 2, 9, 9), (3, 2, 2, 2), 3, 0, 1),
    ((1, 1, 7, 7), (2, 1, 3, 3), 1, 1, 2),
    ((5, 3, 12, 10), (6, 3, 5, 5), 1, 2, 1),
    ((3, 16, 8, 8), (32, 16, 3, 3), 1, 1, 1),
    # big enough (> 1e6 multiply-adds) for the C kernels' threads: over images (with per-thread
    # weight-gradient sums, packed and dot-product paths), and inside the GEMM for batch 1
    ((4, 16, 16, 16), (16, 16, 3, 3), 1, 1, 1),
    ((16, 3, 24, 24), (8, 3, 3, 3), 1, 0, 1),
    ((1, 32, 16, 16), (32, 32, 3, 3), 1, 1, 1),
    # the C backend's shifted-window path (stride 1, conv_shifted.h): more taps than one k-block
    # (C*KH*KW = 320 > 256), 6 filters (AVX-512's 6-row tile), a dilated kernel, padding on one axis
    # only, and an input gradient on either side of the rule that chooses it over im2col's
    ((3, 20, 6, 7), (10, 20, 4, 4), 1, 1, 1),
    ((2, 1, 28, 28), (6, 1, 5, 5), 1, 2, 1),
    ((2, 6, 14, 14), (16, 6, 5, 5), 1, 0, 1),
    ((2, 3, 11, 9), (5, 3, 3, 3), 1, (0, 3), 2),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding", "dilation"), CORNERS)
def test_backend_matches_reference_on_corner_cases(
    backend, dtype, x_shape, w_shape, stride, padding, dilation
):
    rng = np.random.default_rng(7)
    x, w = random_array(rng, x_shape, dtype), random_array(rng, w_shape, dtype)
    b = random_array(rng, w_shape[0], dtype)
    with kernels.use_backend("numpy"):
        gy = random_array(rng, kernels.conv2d(x, w, b, stride, padding, dilation).shape, dtype)
    want = _all_four("numpy", x, w, b, gy, stride, padding, dilation)
    got = _all_four(backend, x, w, b, gy, stride, padding, dilation)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, **tol(dtype))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("where", ["x", "w"])
def test_non_finite_values_reach_the_same_outputs_as_the_reference(backend, where):
    """The C backend's stride-1 weight gradient multiplies gy's zeros into windows of the input that
    no output reads; 0 * inf is NaN, so with an infinity in x it must take another route. Every
    output, NaN or not, must sit where the reference puts it."""
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((3, 2, 7, 7)), rng.standard_normal((4, 2, 3, 3))
    if where == "x":
        x[1, 1, 3, 0] = np.inf  # on the left edge: read by windows of the image to its left
    else:
        w[1, 1, 2, 0] = np.inf
    gy = rng.standard_normal((3, 4, 5, 5))
    with np.errstate(invalid="ignore"):  # inf - inf and 0 * inf: NaN is the point here
        want = _all_four("numpy", x, w, None, gy, 1, 0, 1)
        got = _all_four(backend, x, w, None, gy, 1, 0, 1)
    for g, r in zip(got[:3], want[:3], strict=True):
        np.testing.assert_array_equal(np.isfinite(g), np.isfinite(r))
        finite = np.isfinite(r)
        np.testing.assert_allclose(g[finite], r[finite], **tol(np.float64))


@pytest.mark.parametrize("backend", BACKENDS)
def test_non_contiguous_input_gives_the_same_result(backend):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 3, 8)).transpose(0, 3, 2, 1)  # (2, 8, 3, 6), not contiguous
    w = rng.standard_normal((4, 8, 2, 2))
    with kernels.use_backend(backend):
        got = kernels.conv2d(x, w, padding=1)
    with kernels.use_backend("numpy"):
        want = kernels.conv2d(np.ascontiguousarray(x), w, padding=1)
    np.testing.assert_allclose(got, want, **tol(np.float64))


X, W = np.zeros((4, 1, 28, 28)), np.zeros((8, 3, 3, 3))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: kernels.conv2d(X, W),
            ValueError,
            r"conv2d: input has 1 channels but weight expects 3; input.shape=\(4, 1, 28, 28\), weight.shape=\(8, 3, 3, 3\)",
        ),
        (lambda: kernels.conv2d(X[0], W[:, :1]), ValueError, r"`input` must be 4-D"),
        (lambda: kernels.conv2d(X, W[:, :1].astype(np.float32)), TypeError, "share one dtype"),
        (lambda: kernels.conv2d(X.astype(int), W[:, :1]), TypeError, "float32 or float64"),
        (lambda: kernels.conv2d(X, W[:, :1], stride=0), ValueError, r"`stride` must be .* >= 1"),
        (lambda: kernels.conv2d(X, W[:, :1], padding=-1), ValueError, r"`padding` must be .* >= 0"),
        (lambda: kernels.conv2d(X[:, :, :2], W[:, :1]), ValueError, "larger than the padded input"),
        (lambda: kernels.conv2d(X, W[:, :1], np.zeros(3)), ValueError, r"bias has 3 entries"),
        (
            lambda: kernels.conv2d_input(X.shape, W[:, :1], np.zeros((4, 8, 3, 3))),
            ValueError,
            r"grad_output.shape=\(4, 8, 3, 3\)",
        ),
        (
            lambda: kernels.conv2d_weight(X, (8, 1, 3), np.zeros((4, 8, 26, 26))),
            ValueError,
            r"`weight_size` must be 4",
        ),
    ],
)
def test_bad_input_raises_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [10, 50])
def test_chunks_of_images_match_the_reference(backend, dtype, n):
    """LeNet's second layer at batch 10 and 50: the C kernels cut the batch into chunks of a few
    images (one GEMM each, sized to L2; the last chunk shorter) and the weight gradient into 8 fixed
    groups of chunks; every output must still match the image-by-image reference."""
    rng = np.random.default_rng(n)
    x = random_array(rng, (n, 6, 14, 14), dtype)
    w = random_array(rng, (16, 6, 5, 5), dtype)
    b = random_array(rng, (16,), dtype)
    for stride, padding in ((1, 0), (2, 1)):
        with kernels.use_backend("numpy"):
            y = kernels.conv2d(x, w, b, stride, padding)
            gy = random_array(rng, y.shape, dtype)
            want = (
                kernels.conv2d_input(x.shape, w, gy, stride, padding),
                kernels.conv2d_weight(x, w.shape, gy, stride, padding),
            )
        with kernels.use_backend(backend):
            np.testing.assert_allclose(kernels.conv2d(x, w, b, stride, padding), y, **tol(dtype))
            got = (
                kernels.conv2d_input(x.shape, w, gy, stride, padding),
                kernels.conv2d_weight(x, w.shape, gy, stride, padding),
            )
        # the weight gradient sums n * OH * OW products: float32 needs a looser absolute tolerance
        np.testing.assert_allclose(got[0], want[0], **tol(dtype))
        np.testing.assert_allclose(
            got[1], want[1], rtol=tol(dtype)["rtol"], atol=n * tol(dtype)["atol"]
        )

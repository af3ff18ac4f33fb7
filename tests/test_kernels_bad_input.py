"""Bad and unusual input to the kernels: every backend refuses it clearly or handles it like the
reference. The C code trusts what the dispatcher checked, so these are its memory-safety tests too:
csrc/sanitize.sh runs this file under AddressSanitizer + UBSan."""

import numpy as np
import pytest
from kernel_cases import BACKENDS

from minidl import kernels


@pytest.fixture(params=BACKENDS)
def backend(request):
    with kernels.use_backend(request.param):
        yield request.param


def _misaligned(a: np.ndarray) -> np.ndarray:
    """The same values in a valid NumPy array whose data pointer is one byte off alignment."""
    raw = np.zeros(a.nbytes + 1, dtype=np.uint8)
    view = raw[1:].view(a.dtype).reshape(a.shape)
    view[...] = a
    assert not view.flags.aligned
    return view


# ------------------------------------------------------------------------------ max_pool2d_backward
def test_max_pool_backward_refuses_an_index_in_the_padding_below_the_image(backend):
    """The issue's reproducer: index 16..19 is row 4 of a 4x4 image, inside the padded window of
    the last output row but outside the image (C overflowed the heap, Numba wrote the next plane)."""
    indices = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [16, 17, 18, 19]])
    with pytest.raises(ValueError, match=r"max_pool2d_backward: .*`indices`.*outside .*image"):
        kernels.max_pool2d_backward(
            np.ones((1, 1, 4, 4), "f4"), indices.reshape(1, 1, 4, 4), (1, 1, 4, 4), 3, 1, 1
        )


@pytest.mark.parametrize(
    ("index", "where"),
    [
        (-1, "negative"),
        (-4, "negative: row -1, the window's padding row"),
        (4, "row 1: a pixel of the image below the window"),
        (3, "column 3: a pixel of the image right of the window"),
        (16, "row 4: past the plane (the next plane's first pixel)"),
    ],
)
def test_max_pool_backward_refuses_indices_outside_their_window_or_image(backend, index, where):
    # 1 plane of 4x4, kernel 2, stride 2, padding 1: 3x3 windows; window (0, 0) covers only pixel 0
    indices = np.zeros((1, 1, 3, 3), dtype=np.int64)
    for i in range(3):
        for j in range(3):  # a valid arg-max for every window: its top-left real pixel
            indices[0, 0, i, j] = max(2 * i - 1, 0) * 4 + max(2 * j - 1, 0)
    indices[0, 0, 0, 0] = index
    with pytest.raises(ValueError, match="outside their pooling windows"):
        kernels.max_pool2d_backward(np.ones((1, 1, 3, 3)), indices, (1, 1, 4, 4), 2, 2, 1)


@pytest.mark.parametrize(
    ("indices", "error", "message"),
    [
        (np.zeros((1, 1, 2, 2), np.int32), TypeError, "int64"),
        (np.zeros((1, 1, 2, 2)), TypeError, "int64"),
        ([[[[0, 0], [0, 0]]]], TypeError, "numpy.ndarray"),
        (np.zeros((1, 1, 2, 3), np.int64), ValueError, "pooled shape"),
    ],
)
def test_max_pool_backward_refuses_bad_index_arrays(backend, indices, error, message):
    with pytest.raises(error, match=message):
        kernels.max_pool2d_backward(np.ones((1, 1, 2, 2)), indices, (1, 1, 4, 4), 2)


def test_max_pool_backward_names_the_first_bad_index_at_any_thread_count(backend):
    """A batch large enough for the C check to split the planes over threads: the first bad
    position is reported, the same one on 1 and 2 threads."""
    x = np.random.default_rng(1).standard_normal((64, 8, 28, 28)).astype("f4")
    y, idx = kernels.max_pool2d(x, 2)
    idx[60, 0, 0, 0] = -1
    idx[40, 3, 5, 6] = 10**6
    before = kernels.get_num_threads()
    try:
        for n in (1, 2):
            kernels.set_num_threads(n)
            with pytest.raises(ValueError, match=r"Received: indices\[40, 3, 5, 6\]=1000000"):
                kernels.max_pool2d_backward(y, idx, x.shape, 2)
    finally:
        kernels.set_num_threads(before)


def test_max_pool_backward_accepts_the_forward_indices_with_padding(backend):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
    y, idx = kernels.max_pool2d(x, 3, 2, 1)
    gx = kernels.max_pool2d_backward(np.ones_like(y), idx, x.shape, 3, 2, 1)
    assert gx.sum() == y.size  # every window's gradient landed on one pixel of its own plane


# ------------------------------------------------------------------------------ max-pool semantics
def test_max_pool_propagates_a_nan_anywhere_in_its_window(backend):
    """NumPy, C and PyTorch return NaN for a window holding a NaN; Numba's fastmath dropped it."""
    for position in range(4):
        x = np.arange(4.0).reshape(1, 1, 2, 2)
        x.flat[position] = np.nan
        y, idx = kernels.max_pool2d(x, 2)
        assert np.isnan(y[0, 0, 0, 0]), f"NaN at {position} was lost"
        assert idx[0, 0, 0, 0] == position


def test_max_pool_on_an_all_minus_inf_window_points_inside_the_image(backend):
    """Padding is -inf too: the reference returned the padding's (negative) position on a tie."""
    x = np.full((1, 2, 3, 3), -np.inf)
    y, idx = kernels.max_pool2d(x, 2, 2, 1)
    assert np.all(y == -np.inf)
    # each window's first real pixel: windows start at row/column -1 and 1 of the 3x3 image
    np.testing.assert_array_equal(idx[0, 0], [[0, 1], [3, 4]])
    gx = kernels.max_pool2d_backward(np.ones_like(y), idx, x.shape, 2, 2, 1)
    assert gx.sum() == y.size


@pytest.mark.parametrize("kernel", ["max", "avg"])
def test_pooling_refuses_an_empty_image(backend, kernel):
    """H = 0 with padding would leave windows of padding only (the C max-pool read past x)."""
    x = np.ones((1, 1, 0, 4))
    pool = kernels.max_pool2d if kernel == "max" else kernels.avg_pool2d
    with pytest.raises(ValueError, match=r"height and width must be >= 1"):
        pool(x, 2, 1, 1)


# ------------------------------------------------------------------------------ conv2d
def test_conv2d_with_zero_input_channels_returns_the_bias(backend):
    """An empty sum is 0: C returned uninitialised memory plus the bias."""
    x, w, b = np.ones((1, 0, 5, 5)), np.ones((2, 0, 3, 3)), np.array([1.5, -2.0])
    y = kernels.conv2d(x, w, b)
    np.testing.assert_array_equal(y, np.broadcast_to(b[None, :, None, None], (1, 2, 3, 3)))
    np.testing.assert_array_equal(kernels.conv2d(x, w), np.zeros((1, 2, 3, 3)))
    gy = np.ones((1, 2, 3, 3))
    assert kernels.conv2d_input(x.shape, w, gy).shape == (1, 0, 5, 5)
    assert kernels.conv2d_weight(x, w.shape, gy).shape == (2, 0, 3, 3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kernels.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), None, 2**40), "2\\*\\*31"),
        (lambda: kernels.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), None, 1, 2**62), "2\\*\\*31"),
        (lambda: kernels.max_pool2d(np.ones((1, 1, 4, 4)), 2, True), "`stride`"),
        (lambda: kernels.conv2d_input((1, True, 4, 4), np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), "`input_size`"),
        (lambda: kernels.conv2d_weight(np.ones((1, 1, 4, 4)), (2**40, 2**40, 2, 2), np.ones((1, 1, 3, 3))), "`weight_size`"),
        (lambda: kernels.avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 1, 4, -4), 2), "`input_size`"),
    ],
)  # fmt: skip
def test_sizes_that_would_overflow_are_refused(backend, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scratch_memory_that_cannot_be_allocated_is_a_memory_error(backend):
    """im2col of a 1000x1000 kernel over a 2000x2000 image needs 4 TB: MemoryError, not SIGABRT."""
    x, w = np.ones((1, 1, 2000, 2000), "f4"), np.ones((1, 1, 1000, 1000), "f4")
    gy = np.ones((1, 1, 1001, 1001), "f4")
    with pytest.raises(MemoryError):
        kernels.conv2d(x, w)
    with pytest.raises(MemoryError):
        kernels.conv2d_input(x.shape, w, gy)
    with pytest.raises(MemoryError):
        kernels.conv2d_weight(x, w.shape, gy)


# ------------------------------------------------------------------------------ layouts
def test_misaligned_views_give_the_same_results(backend):
    """Valid NumPy views at an odd byte offset: copied before they reach C (UBSan flagged loads)."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        a, b = (
            rng.standard_normal((20, 30)).astype(dtype),
            rng.standard_normal((30, 10)).astype(dtype),
        )
        np.testing.assert_array_equal(
            kernels.matmul(_misaligned(a), _misaligned(b)), kernels.matmul(a, b)
        )
        np.testing.assert_array_equal(
            kernels.matmul(a, _misaligned(b.T.copy()).T), kernels.matmul(a, b)
        )
        x = rng.standard_normal((2, 3, 6, 6)).astype(dtype)
        w = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
        bias = rng.standard_normal(4).astype(dtype)
        y = kernels.conv2d(x, w, bias, 1, 1)
        np.testing.assert_array_equal(
            kernels.conv2d(_misaligned(x), _misaligned(w), _misaligned(bias), 1, 1), y
        )
        gy = rng.standard_normal(y.shape).astype(dtype)
        np.testing.assert_array_equal(
            kernels.conv2d_input(x.shape, _misaligned(w), _misaligned(gy), 1, 1),
            kernels.conv2d_input(x.shape, w, gy, 1, 1),
        )
        np.testing.assert_array_equal(
            kernels.conv2d_weight(_misaligned(x), w.shape, _misaligned(gy), 1, 1),
            kernels.conv2d_weight(x, w.shape, gy, 1, 1),
        )
        np.testing.assert_array_equal(kernels.conv2d_bias(_misaligned(gy)), kernels.conv2d_bias(gy))
        ym, idx = kernels.max_pool2d(x, 2)
        np.testing.assert_array_equal(kernels.max_pool2d(_misaligned(x), 2)[0], ym)
        np.testing.assert_array_equal(
            kernels.max_pool2d_backward(_misaligned(ym), _misaligned(idx), x.shape, 2),
            kernels.max_pool2d_backward(ym, idx, x.shape, 2),
        )
        np.testing.assert_array_equal(
            kernels.avg_pool2d(_misaligned(x), 2), kernels.avg_pool2d(x, 2)
        )
        np.testing.assert_array_equal(
            kernels.avg_pool2d_backward(_misaligned(ym), x.shape, 2), kernels.avg_pool2d_backward(ym, x.shape, 2)
        )  # fmt: skip


def test_negative_and_zero_strides_are_read_correctly(backend):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((7, 5)), rng.standard_normal((5, 6))
    np.testing.assert_allclose(
        kernels.matmul(a[::-1, ::-1], b[::-1]), a[::-1, ::-1] @ b[::-1], rtol=1e-12
    )
    row = np.broadcast_to(rng.standard_normal(5), (7, 5))  # row stride 0
    np.testing.assert_allclose(kernels.matmul(row, b), row @ b, rtol=1e-12)
    x = rng.standard_normal((2, 2, 5, 5))[:, :, ::-1]
    with kernels.use_backend("numpy"):
        want = kernels.conv2d(np.ascontiguousarray(x), np.ones((1, 2, 2, 2)))
    np.testing.assert_allclose(kernels.conv2d(x, np.ones((1, 2, 2, 2))), want, rtol=1e-12)  # fmt: skip


# ------------------------------------------------------------------------------ threads
def test_set_num_threads_is_bounded():
    with pytest.raises(ValueError, match=r"set_num_threads: .*\[1, 256\]. Received: n=100000"):
        kernels.set_num_threads(10**5)


@pytest.mark.skipif("c" not in BACKENDS, reason="C backend not built")
def test_the_c_kernels_clamp_an_absurd_thread_count():
    """The second line of defence: a direct call asking for 10**5 threads (libgomp segfaulted)."""
    from minidl.kernels.c_backend import ffi, lib

    a = np.random.default_rng(2).standard_normal((128, 128)).astype("f4")
    out = np.empty_like(a)
    pa, po = ffi.from_buffer("float[]", a), ffi.from_buffer("float[]", out)
    assert lib.minidl_sgemm(128, 128, 128, pa, 128, 1, pa, 128, 1, po, 128, 0, 10**5) == 0
    np.testing.assert_allclose(out, a @ a, rtol=1e-4, atol=1e-4)

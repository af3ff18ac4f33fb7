"""GEMM: every backend (and every micro-kernel of the C backend this CPU runs) against a @ b."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import BACKENDS, DTYPES, tol

from minidl import kernels

# mostly small (fast), sometimes a few hundred: past the tile sizes (4..8 x 8..64) and the k blocking
# (KC = 256 for float64, 384 for float32), and rarely multiples of anything
dims = st.one_of(st.integers(1, 40), st.integers(1, 40), st.integers(41, 300))
layouts = st.sampled_from(["c", "f", "sliced", "transposed-view"])


def _lay_out(a: np.ndarray, layout: str) -> np.ndarray:
    """The same matrix in another memory layout."""
    if layout == "f":
        return np.asfortranarray(a)
    if (
        layout == "sliced"
    ):  # every other column of a wider array: row stride 2*cols, column stride 2
        wide = np.zeros((a.shape[0], 2 * a.shape[1]), dtype=a.dtype)
        wide[:, ::2] = a
        return wide[:, ::2]
    if layout == "transposed-view":  # a C-contiguous transpose, seen through .T
        return np.ascontiguousarray(a.T).T
    return a


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", DTYPES)
@given(m=dims, k=dims, n=dims, layout_a=layouts, layout_b=layouts, seed=st.integers(0, 2**16))
def test_matmul_matches_numpy(backend, dtype, m, k, n, layout_a, layout_b, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    with kernels.use_backend(backend):
        got = kernels.matmul(_lay_out(a, layout_a), _lay_out(b, layout_b))
    assert got.dtype == dtype and got.shape == (m, n)
    np.testing.assert_allclose(got, a @ b, **tol(dtype))


@pytest.mark.skipif("c" not in BACKENDS, reason="C backend not built")
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_c_microkernel_matches_numpy(dtype):
    """The generic, AVX2 and AVX-512 kernels (those this CPU has) give the same products."""
    from minidl.kernels import c_backend

    rng = np.random.default_rng(0)
    # edges, two KC blocks; M = 16 and 300 take AVX-512's 8-row tiles (fewer padded rows), the
    # others its main 6-row ones
    shapes = [
        (1, 1, 1),
        (5, 3, 7),
        (13, 17, 33),
        (150, 300, 70),
        (12, 9, 40),
        (16, 20, 33),
        (300, 40, 50),
    ]
    default = c_backend.isa()
    try:
        for isa in c_backend.supported_isas():
            c_backend.set_isa(isa)
            assert c_backend.isa() == isa
            for m, k, n in shapes:
                a = rng.standard_normal((m, k)).astype(dtype)
                b = rng.standard_normal((k, n)).astype(dtype)
                with kernels.use_backend("c"):
                    got = kernels.matmul(a, b)
                np.testing.assert_allclose(got, a @ b, **tol(dtype), err_msg=f"isa={isa}")
            # the conv weight gradient's unpacked dot-product kernel (thin dW) has one per ISA too
            x = rng.standard_normal((2, 3, 9, 11)).astype(dtype)
            gy = rng.standard_normal((2, 4, 7, 9)).astype(dtype)
            with kernels.use_backend("c"):
                got = kernels.conv2d_weight(x, (4, 3, 3, 3), gy)
            with kernels.use_backend("numpy"):
                want = kernels.conv2d_weight(x, (4, 3, 3, 3), gy)
            np.testing.assert_allclose(got, want, **tol(dtype), err_msg=f"isa={isa}")
    finally:
        c_backend.set_isa(default)


@pytest.mark.skipif("c" not in BACKENDS, reason="C backend not built")
@pytest.mark.parametrize(
    ("dtype", "m", "k", "n"),
    [(np.float32, 2100, 400, 1400), (np.float64, 1100, 300, 1100)],
)
@pytest.mark.parametrize("layout_a", ["c", "transposed-view"])
def test_c_matmul_past_every_cache_block(dtype, m, k, n, layout_a):
    """More rows than one block of A (MC = 2048 float32, 1024 float64), more columns than a block of
    B fills half of any L2 up to 2 MB with (NC), more k than KC, and edge tiles on every side."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    with kernels.use_backend("c"):
        got = kernels.matmul(_lay_out(a, layout_a), b)
    np.testing.assert_allclose(got, a @ b, **tol(dtype))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("threads", [1, 2])
def test_matmul_same_result_on_one_and_two_threads(backend, threads):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((200, 150)), rng.standard_normal((150, 170))
    before = kernels.get_num_threads()
    try:
        kernels.set_num_threads(threads)
        with kernels.use_backend(backend):
            got = kernels.matmul(a, b)
    finally:
        kernels.set_num_threads(before)
    np.testing.assert_allclose(got, a @ b, **tol(np.float64))


def test_matmul_empty_inner_dimension_gives_zeros():
    got = kernels.matmul(np.ones((3, 0)), np.ones((0, 4)))
    np.testing.assert_array_equal(got, np.zeros((3, 4)))


@pytest.mark.parametrize(
    ("a", "b", "error", "message"),
    [
        (np.ones((2, 3)), np.ones((4, 5)), ValueError, r"a\.shape=\(2, 3\) and b\.shape=\(4, 5\)"),
        (np.ones((2, 3)), np.ones((3, 5), np.float32), TypeError, "share one dtype"),
        (np.ones((2, 3), np.int64), np.ones((3, 5), np.int64), TypeError, "float32 or float64"),
        (np.ones(3), np.ones((3, 5)), ValueError, "`a` must be 2-D"),
        ([[1.0]], np.ones((1, 1)), TypeError, "numpy.ndarray"),
    ],
)
def test_matmul_bad_input_raises_clearly(a, b, error, message):
    with pytest.raises(error, match=message):
        kernels.matmul(a, b)


@pytest.mark.skipif("c" not in BACKENDS, reason="C backend not built")
def test_few_row_and_main_tiles_give_the_same_bits():
    """Rows 0..15 of a product computed with M = 16 (8-row tiles) and as part of M = 24 (6-row
    tiles) are the same sums in the same order: the tile choice never changes a bit."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((24, 300)).astype("f4")
    b = rng.standard_normal((300, 70)).astype("f4")
    with kernels.use_backend("c"):
        np.testing.assert_array_equal(kernels.matmul(a[:16], b), kernels.matmul(a, b)[:16])

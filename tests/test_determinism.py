"""Same inputs, same thread count -> same bits, on every backend; and for the C and Numba kernels the
same bits at every thread count (see README.md, "Determinism").

Shapes are chosen large enough that the threads really split the work (the kernels run small
problems on one thread): a GEMM on both of the C driver's paths (the shared work queue below 512^3
multiply-adds, the static split above), conv layers with more images than threads and fewer, and
pooling over many planes. Repeats must agree exactly (assert_array_equal, not allclose).
"""

import contextlib

import numpy as np
import pytest
from kernel_cases import BACKENDS

import minidl as md
import minidl.nn.functional as F
from minidl import kernels, nn

REPEATS = 3


@contextlib.contextmanager
def threads(n: int):
    before = kernels.get_num_threads()
    kernels.set_num_threads(n)
    try:
        yield
    finally:
        kernels.set_num_threads(before)


def _kernel_results(backend: str) -> dict[str, np.ndarray]:
    """Every kernel's output on fixed random inputs, run on `backend`."""
    rng = np.random.default_rng(0)
    out = {}
    with kernels.use_backend(backend):
        for m, k, n in ((200, 300, 170), (520, 530, 510)):  # queue path, static path (C)
            a = rng.standard_normal((m, k)).astype("f4")
            b = rng.standard_normal((k, n)).astype("f4")
            out[f"matmul {m}x{k}x{n}"] = kernels.matmul(a, b)
            out[f"matmul {m}x{k}x{n} transposed"] = kernels.matmul(b.T, a.T)
        for n_img in (1, 9):  # fewer images than threads (threads inside the GEMM), more
            x = rng.standard_normal((n_img, 6, 14, 14)).astype("f4")
            w = rng.standard_normal((16, 6, 5, 5)).astype("f4")
            bias = rng.standard_normal(16).astype("f4")
            y = kernels.conv2d(x, w, bias, 1, 1)
            gy = rng.standard_normal(y.shape).astype("f4")
            out[f"conv2d n={n_img}"] = y
            out[f"conv2d_input n={n_img}"] = kernels.conv2d_input(x.shape, w, gy, 1, 1)
            out[f"conv2d_weight n={n_img}"] = kernels.conv2d_weight(x, w.shape, gy, 1, 1)
            out[f"conv2d_bias n={n_img}"] = kernels.conv2d_bias(gy)
            # a dW large enough for the packed GEMM rather than the dot-product kernel
            w2 = rng.standard_normal((64, 6, 3, 3)).astype("f4")
            gy2 = rng.standard_normal((n_img, 64, 12, 12)).astype("f4")
            out[f"conv2d_weight (GEMM) n={n_img}"] = kernels.conv2d_weight(x, w2.shape, gy2)
        x = rng.standard_normal((16, 16, 16, 16))
        y, idx = kernels.max_pool2d(x, 3, 2, 1)
        gy = rng.standard_normal(y.shape)
        out["max_pool2d"], out["max_pool2d indices"] = y, idx
        out["max_pool2d_backward"] = kernels.max_pool2d_backward(gy, idx, x.shape, 3, 2, 1)
        out["avg_pool2d"] = kernels.avg_pool2d(x, 3, 2, 1)
        out["avg_pool2d_backward"] = kernels.avg_pool2d_backward(gy, x.shape, 3, 2, 1)
    return out


def _assert_same(runs: list[dict[str, np.ndarray]], what: str) -> None:
    for run in runs[1:]:
        for name, value in runs[0].items():
            np.testing.assert_array_equal(run[name], value, err_msg=f"{name}: {what}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_repeated_runs_are_bit_identical(backend, n_threads):
    with threads(n_threads):
        runs = [_kernel_results(backend) for _ in range(REPEATS)]
    _assert_same(runs, f"differs between runs on {backend} at {n_threads} thread(s)")


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b in ("c", "numba")])
def test_c_and_numba_give_the_same_bits_at_one_and_two_threads(backend):
    """minidl's own kernels partition the work so that no sum depends on the thread count (NumPy's
    BLAS makes no such promise, so the reference backend is not held to it)."""
    runs = []
    for n in (1, 2):
        with threads(n):
            runs.append(_kernel_results(backend))
    _assert_same(runs, f"differs between 1 and 2 threads on {backend}")


def _train_small_conv_net(seed: int) -> list[np.ndarray]:
    """A few Adam steps of a conv-pool-conv-pool-linear net on random data; the final weights."""
    md.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 4 * 4, 10),
    )  # fmt: skip
    opt = md.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 1, 24, 24)).astype("f4")
    y = rng.integers(0, 10, 32)
    for _ in range(4):
        opt.zero_grad()
        loss = F.cross_entropy(model(md.from_numpy(x)), y)
        loss.backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("n_threads", [1, 2])
def test_training_twice_from_one_seed_gives_the_same_weights(n_threads):
    """The issue's case: default ("auto") backend, 2 threads, 8 runs gave 5 different results."""
    with threads(n_threads):
        runs = [_train_small_conv_net(seed=3) for _ in range(REPEATS)]
    for run in runs[1:]:
        for got, want in zip(run, runs[0], strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.skipif("c" not in BACKENDS, reason="C backend not built")
def test_every_c_instruction_set_is_deterministic():
    """The AVX-512, AVX2 and generic micro-kernels (those this CPU runs): repeated runs and 1 vs 2
    threads give the same bits on each."""
    from minidl.kernels import c_backend

    default = c_backend.isa()
    try:
        for isa in c_backend.supported_isas():
            c_backend.set_isa(isa)
            runs = []
            for n in (1, 2, 2):
                with threads(n):
                    runs.append(_kernel_results("c"))
            _assert_same(runs, f"differs between runs or thread counts with the {isa} micro-kernel")
    finally:
        c_backend.set_isa(default)

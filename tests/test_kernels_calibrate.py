""" "auto"'s choice between NumPy's BLAS and minidl's C GEMM: measured once per machine and thread
count, saved, read back (so that later runs make the same choice and give the same bits)."""

import json
import os

import numpy as np
import pytest

import minidl.nn.functional as F
from minidl import kernels, tensor
from minidl.kernels import calibrate, dispatch, reference

pytestmark = pytest.mark.skipif(
    "c" not in kernels.available_backends(), reason="the C backend is not built"
)


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache directory and no threshold in memory."""
    monkeypatch.setenv("MINIDL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(calibrate, "_thresholds", {})
    return tmp_path


def c_module():
    from minidl.kernels import c_backend

    return c_backend


def test_the_measurement_is_a_size_tried_or_never():
    threshold = calibrate.measure(c_module(), reference)
    assert threshold == calibrate.NEVER or threshold in {float(n) ** 3 for n in calibrate.SIZES}


def test_a_measured_threshold_is_saved_and_read_back_without_measuring_again(fresh, monkeypatch):
    calls = []
    monkeypatch.setattr(calibrate, "measure", lambda c, r: calls.append(1) or 12345.0)
    assert calibrate.gemm_threshold(c_module(), reference) == 12345.0
    (saved,) = fresh.iterdir()
    assert json.loads(saved.read_text())["threshold"] == 12345.0
    assert f"-{kernels.get_num_threads()}t" in saved.name  # one file per thread count
    monkeypatch.setattr(calibrate, "_thresholds", {})  # a new process: memory is empty
    monkeypatch.setattr(calibrate, "measure", lambda c, r: pytest.fail("measured again"))
    assert calibrate.gemm_threshold(c_module(), reference) == 12345.0
    assert calls == [1]


def test_recalibrating_measures_again(fresh, monkeypatch):
    values = iter([1.0, 2.0])
    monkeypatch.setattr(calibrate, "measure", lambda c, r: next(values))
    assert calibrate.gemm_threshold(c_module(), reference) == 1.0
    assert calibrate.gemm_threshold(c_module(), reference, recalibrate=True) == 2.0
    assert calibrate.gemm_threshold(c_module(), reference) == 2.0


def test_an_unwritable_cache_keeps_the_measurement_in_memory(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("MINIDL_CACHE_DIR", str(blocker / "below-a-file"))
    monkeypatch.setattr(calibrate, "_thresholds", {})
    monkeypatch.setattr(calibrate, "measure", lambda c, r: 7.0)
    assert calibrate.gemm_threshold(c_module(), reference) == 7.0
    assert not os.path.exists(blocker / "below-a-file")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_auto_runs_products_from_the_threshold_on_c_and_below_it_on_numpy(monkeypatch, dtype):
    monkeypatch.setattr(calibrate, "_thresholds", {kernels.get_num_threads(): 1000.0})
    rng = np.random.default_rng(0)
    small = rng.standard_normal((9, 10)).astype(dtype), rng.standard_normal((10, 11)).astype(dtype)
    large = rng.standard_normal((10, 10)).astype(dtype), rng.standard_normal((10, 11)).astype(dtype)
    assert dispatch.gemm_backend(999.0) is reference
    assert dispatch.gemm_backend(1000.0) is c_module()
    for (a, b), backend in ((small, "numpy"), (large, "c")):  # 990 and 1100 multiply-adds
        with kernels.use_backend(backend):
            want = kernels.matmul(a, b)
        np.testing.assert_array_equal(kernels.matmul(a, b), want)


def test_linear_layers_use_the_kernels_product(monkeypatch):
    """nn.Linear's three products go through minidl.kernels.matmul, so "auto" can move them to C."""
    seen = []
    real = kernels.matmul
    monkeypatch.setattr(
        kernels, "matmul", lambda a, b: seen.append((a.shape, b.shape)) or real(a, b)
    )
    x = tensor(np.ones((2, 3, 4), np.float32), requires_grad=True)
    w = tensor(np.ones((5, 4), np.float32), requires_grad=True)
    F.linear(x, w).sum().backward()
    assert seen == [((6, 4), (4, 5)), ((6, 5), (5, 4)), ((5, 6), (6, 4))]
    assert x.grad.shape == (2, 3, 4) and w.grad.shape == (5, 4)


def test_the_cache_file_names_the_build_of_the_c_kernels(fresh, monkeypatch):
    """A rebuilt extension (another build id) is measured afresh, not judged by the old kernels."""
    monkeypatch.setattr(calibrate, "measure", lambda c, r: 5.0)
    calibrate.gemm_threshold(c_module(), reference)
    (saved,) = fresh.iterdir()
    assert saved.name.endswith(f"-{c_module().build_id()}.json")
    monkeypatch.setattr(calibrate, "_thresholds", {})
    monkeypatch.setattr(c_module(), "build_id", lambda: "00000000")
    monkeypatch.setattr(calibrate, "measure", lambda c, r: 6.0)
    assert calibrate.gemm_threshold(c_module(), reference) == 6.0

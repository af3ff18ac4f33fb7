"""The dispatcher: choosing backends, explaining missing ones, threads, and `python -m minidl.kernels`."""

import contextlib
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minidl import kernels
from minidl.kernels import dispatch

REPO = pathlib.Path(kernels.__file__).resolve().parents[2]  # where `import minidl` finds this copy


def test_numpy_is_always_available_and_auto_is_the_default():
    assert "numpy" in kernels.available_backends()
    assert kernels.get_backend() == "auto"


@pytest.mark.parametrize("backend", kernels.available_backends())
def test_use_backend_switches_and_restores(backend):
    with kernels.use_backend(backend):
        assert kernels.get_backend() == backend
        assert kernels.backend_name_for("conv2d") == backend
    assert kernels.get_backend() == "auto"


def test_use_backend_restores_after_an_error():
    with pytest.raises(ZeroDivisionError), kernels.use_backend("numpy"):
        raise ZeroDivisionError("inside the block")
    assert kernels.get_backend() == "auto"


def test_auto_picks_the_first_built_backend_of_each_kernel():
    for kernel, order in dispatch.AUTO_ORDER.items():
        expected = next(name for name in order if name in kernels.available_backends())
        assert kernels.backend_name_for(kernel) == expected


def test_unknown_backend_is_a_value_error():
    with pytest.raises(ValueError, match=r"must be one of .*Received: name='cuda'"):
        kernels.set_backend("cuda")


def test_missing_backend_says_why_and_what_is_available(monkeypatch):
    monkeypatch.setitem(dispatch._missing, "c", "the C extension is not built (test)")
    monkeypatch.delitem(dispatch._modules, "c", raising=False)
    with pytest.raises(
        RuntimeError, match=r"'c' is not available: the C extension .* Available: \["
    ):
        kernels.set_backend("c")


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_set_num_threads_rejects_non_positive_counts(n):
    with pytest.raises(ValueError, match="set_num_threads"):
        kernels.set_num_threads(n)


def test_set_num_threads_round_trips():
    before = kernels.get_num_threads()
    try:
        kernels.set_num_threads(1)
        assert kernels.get_num_threads() == 1
    finally:
        kernels.set_num_threads(before)


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
        timeout=120,
    )


def test_environment_variable_sets_the_backend():
    done = _run("import minidl.kernels as k; print(k.get_backend())", MINIDL_BACKEND="numpy")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "numpy"


def test_environment_variable_with_a_bad_name_fails_clearly():
    done = _run("import minidl.kernels", MINIDL_BACKEND="fortran")
    assert done.returncode != 0
    assert "MINIDL_BACKEND" in done.stderr and "fortran" in done.stderr


def test_main_prints_backends_and_threads():
    done = subprocess.run(
        [sys.executable, "-m", "minidl.kernels"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    for name in kernels.available_backends():
        assert name in done.stdout
    assert f"threads:          {kernels.get_num_threads()}" in done.stdout
    if "c" in kernels.available_backends():
        assert "C instruction set:" in done.stdout


def test_results_do_not_depend_on_the_backend_for_a_tiny_case():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2))
    for backend in kernels.available_backends():
        with kernels.use_backend(backend):
            np.testing.assert_array_equal(
                kernels.conv2d(x, w)[0, 0], [[10, 14, 18], [26, 30, 34], [42, 46, 50]]
            )


@pytest.mark.skipif(
    os.environ.get("MINIDL_REQUIRE_C", "") in ("", "0"), reason="only where the C build is required"
)
def test_c_backend_is_built_where_required():
    """CI sets MINIDL_REQUIRE_C=1: a missing extension must fail the run, not skip the C tests."""
    assert "c" in kernels.available_backends(), dispatch._missing.get("c")


# ------------------------------------------------------------------------------ install messages
def _without_c(monkeypatch) -> None:
    """Pretend the C extension was not built."""
    monkeypatch.setitem(dispatch._missing, "c", "the C extension is not built (test)")
    monkeypatch.delitem(dispatch._modules, "c", raising=False)


def test_asking_for_missing_c_says_how_to_get_it(monkeypatch):
    _without_c(monkeypatch)
    monkeypatch.setitem(
        dispatch._missing, "c", f"not built (test); to get it, {dispatch.HOW_TO_GET_C}"
    )
    with pytest.raises(RuntimeError, match=r"C compiler with OpenMP.*reinstall minidl"):
        kernels.set_backend("c")


def test_auto_without_c_logs_one_info_line(monkeypatch, caplog):
    _without_c(monkeypatch)
    monkeypatch.setattr(dispatch, "_c_note_pending", True)
    caplog.set_level("INFO", logger="minidl.kernels")
    x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
    for _ in range(3):
        kernels.conv2d(x, w)
        kernels.max_pool2d(x, 2)
    notes = [r for r in caplog.records if r.name == "minidl.kernels"]
    assert len(notes) == 1 and notes[0].levelname == "INFO"
    assert "without the C backend" in notes[0].getMessage()


def test_main_says_how_to_get_missing_c(monkeypatch, capsys):
    from minidl.kernels import __main__

    _without_c(monkeypatch)
    __main__.main()
    assert "To get the C backend: install a C compiler with OpenMP" in capsys.readouterr().out


def _fresh_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """`code` in a new interpreter, without minidl's and OpenMP's environment variables unless given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MINIDL_", "GOMP_", "OMP_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**base, **env},
        cwd=REPO,
        timeout=120,
    )


def test_import_is_quiet_even_with_info_logging():
    done = _fresh_python("import logging; logging.basicConfig(level=logging.INFO); import minidl")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


# ------------------------------------------------------------------------------ OpenMP waiting
def test_minidl_shortens_openmp_spinning_before_libgomp_loads():
    """The mechanism behind "fast by default": GOMP_SPINCOUNT set before the C extension loaded."""
    done = _fresh_python(
        "import os, minidl; from minidl.kernels import threads; "
        "print(os.environ.get('GOMP_SPINCOUNT')); print(threads.wait_policy()); "
        "print(threads._libgomp_loaded())"
    )
    assert done.returncode == 0, done.stderr
    spincount, policy, loaded = done.stdout.splitlines()
    from minidl.kernels import threads as th

    assert spincount == th.SPINCOUNT
    assert "set by minidl" in policy
    assert loaded == str("c" in kernels.available_backends())  # C (and so libgomp) loaded after


@pytest.mark.parametrize("var", ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"])
def test_a_users_openmp_wait_setting_is_respected(var):
    value = "active" if var == "OMP_WAIT_POLICY" else "123456"
    done = _fresh_python(
        "import os, minidl; from minidl.kernels import threads; "
        "print(os.environ.get('GOMP_SPINCOUNT')); print(threads.wait_policy())",
        **{var: value},
    )
    assert done.returncode == 0, done.stderr
    spincount, policy = done.stdout.splitlines()
    assert spincount == (value if var == "GOMP_SPINCOUNT" else "None")
    assert f"the user's {var}={value}" in policy


@pytest.mark.skipif("c" not in kernels.available_backends(), reason="C backend not built")
def test_environment_variable_forces_the_c_instruction_set():
    done = _fresh_python(
        "from minidl.kernels import c_backend; print(c_backend.isa())", MINIDL_C_ISA="generic"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "generic"


@pytest.mark.skipif("c" not in kernels.available_backends(), reason="C backend not built")
def test_a_bad_c_instruction_set_variable_fails_clearly():
    done = _fresh_python("import minidl", MINIDL_C_ISA="sse9")
    assert done.returncode != 0
    assert "MINIDL_C_ISA" in done.stderr and "sse9" in done.stderr


def test_numpys_blas_runs_on_one_thread_unless_asked():
    """The mechanism that keeps OpenBLAS's spinning workers off minidl's cores (threadpoolctl)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return {
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        }

    before = kernels.get_num_threads()
    try:
        kernels.set_num_threads(2)
        assert blas_threads() <= {1}
        # both pools multi-threaded on too few cores: their idle threads spin on each other's
        crowded = 2 + 2 > (os.cpu_count() or 1)
        with pytest.warns(RuntimeWarning, match="spin") if crowded else contextlib.nullcontext():
            kernels.set_num_threads(2, blas_threads=2)
        assert blas_threads() <= {2}
        with pytest.raises(ValueError, match="`blas_threads` must be an int"):
            kernels.set_num_threads(2, blas_threads=0)
    finally:
        kernels.set_num_threads(before)
    assert blas_threads() <= {1}

"""Which backend runs each kernel: "numpy" (the reference), "numba" or "c", or "auto" (fastest built).

The backends are modules with the same functions (see `reference.py`). NumPy is always there; Numba is
there when `import numba` works; C is there when the cffi extension `minidl._minidl_c` was built at
install time. When one is missing, the reason is kept so that asking for it explains itself.

Choosing: `set_backend(name)`, the context manager `use_backend(name)`, or the environment variable
`MINIDL_BACKEND` (read once at import). The default is "auto".

Importing stays quiet whatever is missing. Asking for a missing backend by name is an error that says
how to get it; "auto" without C logs one INFO line (logger "minidl.kernels") the first time it runs a
kernel that C would have run.
"""

import contextlib
import logging
import os
from collections.abc import Iterator
from types import ModuleType

# threads before c_backend (calibrate imports it too): it sets libgomp's spin before C loads
from . import calibrate, reference, threads  # noqa: F401

_log = logging.getLogger("minidl.kernels")

# how to get the C backend, for the error of set_backend("c"), `python -m minidl.kernels` and the log
HOW_TO_GET_C = (
    "install a C compiler with OpenMP (Linux: gcc, e.g. `sudo apt install gcc`; macOS: Xcode's "
    "clang with MINIDL_NO_OPENMP=1 for a single-threaded build), then reinstall minidl: "
    "`pip install -e .` in the checkout (with MINIDL_REQUIRE_C=1 a failed build stops with the "
    "compiler's error instead of falling back)"
)

BACKENDS = ("numpy", "numba", "c")

_modules: dict[str, ModuleType] = {"numpy": reference}
_missing: dict[str, str] = {}

try:
    from . import numba_kernels

    _modules["numba"] = numba_kernels
except ImportError as err:  # numba not installed, or too old for this Python/NumPy
    _missing["numba"] = f"numba could not be imported ({err}); install it with `pip install numba`"

try:
    from . import c_backend

    _modules["c"] = c_backend
except ImportError as err:  # no compiled extension: no C compiler at install time, or not installed
    _missing["c"] = (
        f"the C extension minidl._minidl_c is not built ({err}); to get it, {HOW_TO_GET_C}"
    )

# "auto": for each kernel, the built backends in order of speed, fastest first, checked on two
# machines (2-core AMD Zen 3 with AVX2, and 2-core Intel Xeon with AVX-512: benchmarks/bench_gemm.py,
# bench_conv.py, bench_pool.py; float32):
#
#   GEMM: NumPy's BLAS below a size measured on the machine at hand, minidl's C GEMM from it on
#   (`gemm_backend`, calibrate.py). Which one wins depends on the CPU and the thread count:
#   OpenBLAS's call costs less on small products; minidl's C GEMM is level with it on one thread
#   from n ~ 256 (AVX-512: 1.00-1.05x its speed at n = 256..2048) and, as NumPy's BLAS is kept on
#   one thread, up to twice as fast on two. Without C: NumPy, then Numba (1.6-2.7x slower).
#   conv2d and pooling: C, then Numba, then NumPy. NumPy has no convolution of its own (the
#   reference is im2col + matmul, 1.7-7x slower than C) and the C kernels beat Numba by 1.2-4x on
#   every layer shape measured, on both machines: nothing to calibrate.
AUTO_ORDER: dict[str, tuple[str, ...]] = {
    "gemm": ("numpy", "c", "numba"),
    "conv2d": ("c", "numba", "numpy"),
    "pool2d": ("c", "numba", "numpy"),
    # Adam's fused step: C, else NumPy (Numba's would save the passes too, but compiling it takes
    # longer than a short training run gains; it is there to be tested and chosen by name)
    "optim": ("c", "numpy", "numba"),
}

_backend = "auto"


def available_backends() -> list[str]:
    """The backends built in this installation, e.g. ["numpy", "numba", "c"]."""
    return [name for name in BACKENDS if name in _modules]


def _check_name(name: object, where: str) -> str:
    if name == "auto" or name in _modules:
        return name
    if name in _missing:
        raise RuntimeError(
            f"{where}: backend {name!r} is not available: {_missing[name]}. "
            f"Available: {['auto', *available_backends()]}"
        )
    raise ValueError(
        f"{where}: Argument `name` must be one of {['auto', *BACKENDS]}. Received: name={name!r}"
    )


def set_backend(name: str) -> None:
    """Run every kernel on backend `name` ("auto", "numpy", "numba" or "c") from now on."""
    global _backend
    _backend = _check_name(name, "set_backend")


def get_backend() -> str:
    """The backend setting: "auto" or the name of one backend."""
    return _backend


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run the kernels inside the `with` block on backend `name`, then restore the previous setting."""
    global _backend
    previous = _backend
    _backend = _check_name(name, "use_backend")
    try:
        yield
    finally:
        _backend = previous


_c_note_pending = "c" not in _modules  # "auto" has not yet said that it runs without C


def _note_missing_c() -> None:
    global _c_note_pending
    _c_note_pending = False
    reason = _missing.get("c", f"it is not built; to get it, {HOW_TO_GET_C}")
    _log.info("minidl.kernels: 'auto' runs without the C backend: %s", reason)


def backend_for(kernel: str) -> ModuleType:
    """The module that runs `kernel` ("gemm", "conv2d" or "pool2d") under the current setting."""
    if _backend != "auto":
        return _modules[_backend]
    order = AUTO_ORDER[kernel]
    for name in order:
        if name in _modules:
            if _c_note_pending and "c" in order[: order.index(name)]:
                _note_missing_c()
            return _modules[name]
    return reference


def gemm_backend(macs: float) -> ModuleType:
    """The module that runs a matrix product of `macs` multiply-adds under the current setting: with
    "auto" and the C backend built, C from the threshold measured on this machine on (calibrate.py),
    NumPy's BLAS below it."""
    if _backend != "auto" or "c" not in _modules:
        return backend_for("gemm")
    threshold = calibrate.gemm_threshold(_modules["c"], reference)
    return _modules["c"] if macs >= threshold else reference


def backend_name_for(kernel: str) -> str:
    """The name of the backend that runs `kernel` under the current setting."""
    module = backend_for(kernel)
    return next(name for name, mod in _modules.items() if mod is module)


_env = os.environ.get("MINIDL_BACKEND", "").strip().lower()
if _env:
    _backend = _check_name(_env, "MINIDL_BACKEND")

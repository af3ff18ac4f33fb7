"""Where "auto" switches matrix products from NumPy's BLAS to minidl's C GEMM, measured on this machine.

NumPy's OpenBLAS is the faster of the two on small products (its call costs less; minidl's C GEMM
packs its operands first), minidl's C GEMM on large ones once it has more threads than OpenBLAS
(which minidl keeps on one, see threads.py) and on one thread about level with it. Where the
crossover lies depends on the CPU, its caches and the thread count, so a table measured on one
machine does not carry over to another. Instead, the first product "auto" runs with k threads
times both GEMMs on square products of growing size and takes the smallest size from which C is
faster at that size and every larger one tried; products of at least that many multiply-adds run
on C from then on.

The choice decides which code computes a product, and so its last bits. To keep "same inputs, same
bits" from one run to the next, a measured threshold is written to a cache file (one per CPU,
instruction set, thread count and build of the C kernels: rebuilt kernels are measured afresh) and
read back by later runs, which never measure again; delete
the file, or run `python -m minidl.kernels --calibrate`, to measure afresh. The directory is
$MINIDL_CACHE_DIR, else $XDG_CACHE_HOME/minidl, else ~/.cache/minidl; when it cannot be written,
the measurement holds for this process only.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import time

import numpy as np

from . import threads

_log = logging.getLogger("minidl.kernels")

SIZES = (16, 32, 48, 64, 96, 128, 192, 256)  # square products timed, n x n @ n x n
NEVER = float("inf")  # C is not faster at any size tried: every product stays on NumPy
_thresholds: dict[int, float] = {}  # thread count -> multiply-adds from which C runs


def cache_dir() -> str:
    """The directory of the calibration files."""
    if os.environ.get("MINIDL_CACHE_DIR"):
        return os.environ["MINIDL_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "minidl")


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cache_file(c_backend, nthreads: int) -> str:
    cpu = "".join(ch if ch.isalnum() else "-" for ch in _cpu_name()).strip("-")[:60]
    name = f"gemm-auto-{cpu}-{c_backend.isa()}-{nthreads}t-{c_backend.build_id()}.json"
    return os.path.join(cache_dir(), name)


def _seconds(fn, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> float:
    """Median time of one product over 5 batches of ~2 ms each (after a warm-up call)."""
    fn(a, b, out)
    start = time.perf_counter()
    fn(a, b, out)
    reps = max(1, int(2e-3 / max(time.perf_counter() - start, 1e-7)))
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            fn(a, b, out)
        samples.append((time.perf_counter() - start) / reps)
    return statistics.median(samples)


def measure(c_backend, reference) -> float:
    """Time C against NumPy on SIZES (float32, the current thread settings); return the threshold in
    multiply-adds (NEVER when C is not faster at the largest size)."""
    rng = np.random.default_rng(0)
    faster = []
    for n in SIZES:
        a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
        out = np.empty((n, n), np.float32)
        faster.append(_seconds(c_backend.gemm, a, b, out) < _seconds(reference.gemm, a, b, out))
    threshold = NEVER
    for n, wins in reversed(list(zip(SIZES, faster, strict=True))):
        if not wins:
            break
        threshold = float(n) ** 3
    return threshold


def gemm_threshold(c_backend, reference, *, recalibrate: bool = False) -> float:
    """Multiply-adds from which "auto" runs a product on C, at the current thread count: from this
    process's memory, else the cache file, else measured now (and saved)."""
    nthreads = threads.get_num_threads()
    if not recalibrate and nthreads in _thresholds:
        return _thresholds[nthreads]
    path = _cache_file(c_backend, nthreads)
    threshold = None
    if not recalibrate:
        try:
            with open(path) as f:
                threshold = float(json.load(f)["threshold"])
        except (OSError, ValueError, KeyError, TypeError):
            threshold = None
    if threshold is None:
        threshold = measure(c_backend, reference)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w") as f:  # written whole, then renamed: a reader never sees half
                json.dump({"threshold": threshold, "sizes": SIZES, "cpu": _cpu_name()}, f)
            os.replace(tmp, path)
        except OSError as err:
            _log.info("minidl.kernels: could not save the GEMM calibration to %s: %s", path, err)
    _thresholds[nthreads] = threshold
    return threshold

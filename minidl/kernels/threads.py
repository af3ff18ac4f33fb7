"""How many threads the kernels use, and how their idle threads wait.

The count: one setting shared by the C (OpenMP) and Numba backends. The C kernels receive it as an
argument on every call (an OpenMP `num_threads` clause), so the setting holds whichever Python
thread calls them. Numba keeps a per-thread setting of its own, which `set_num_threads` forwards.
NumPy's BLAS (OpenBLAS) gets `blas_threads` (1 by default, see BLAS_THREADS below) when threadpoolctl
is installed, from import on. At most `MAX_THREADS`.

The waiting: after a parallel region, OpenMP's worker threads spin for a while before they sleep, so
that the next region starts without a wake-up. A training step alternates our OpenMP kernels with
NumPy's OpenBLAS (which has its own spinning pool) and with Python code. With both pools
multi-threaded, the spinning workers of one take the cores from the other (a 2-thread LeNet step ran
5x slower than a 1-thread one); with OpenBLAS on one thread (the default here), a spin that outlasts
the Python code between two kernels saves a wake-up per kernel. So, before libgomp is loaded (it reads
its settings once, when it loads), this module sets GOMP_SPINCOUNT (SPINCOUNT below), unless the user
has set GOMP_SPINCOUNT or OMP_WAIT_POLICY themselves, and `set_num_threads` warns when both pools
get more than one thread on too few cores. `wait_policy()` says what is in force; `python -m
minidl.kernels` prints it. (The variable is inherited by child processes, and read by any other
libgomp loaded later, e.g. PyTorch's.)
"""

import os
import warnings

MAX_THREADS = 256  # the C kernels clamp to the same bound (MINIDL_MAX_THREADS in csrc/)
# How long an idle OpenMP worker spins before it sleeps. Waking a sleeping worker costs tens of
# microseconds (more in a VM), about what one small kernel takes; libgomp's default (300 000 spins)
# keeps the workers awake across a training step, but took the cores from NumPy's OpenBLAS when that
# ran multi-threaded too (libgomp default 47 ms per 2-thread LeNet step, GOMP_SPINCOUNT=1000 9.1 ms).
# Now that OpenBLAS runs on one thread (BLAS_THREADS below), the spin can be long again. LeNet-5
# step, batch 64, 2 threads, quiet 2-core AVX-512 machine, OpenBLAS on 1 thread (benchmarks/
# bench_drift.py): GOMP_SPINCOUNT=1000 5.05 ms, 100 000 4.45-4.50 ms, 300 000 4.17 ms, no drift
# with any; with OpenBLAS on 2 threads: 5.7, 24.6 and 53 ms. 100 000 (roughly 0.1 ms) takes most of
# the gain and keeps the damage smaller when a user gives OpenBLAS more threads (which warns).
SPINCOUNT = "100000"


def _libgomp_loaded() -> bool:
    """Is a libgomp already mapped into this process (then its settings are fixed)?"""
    try:
        with open("/proc/self/maps") as maps:
            return any("libgomp" in line for line in maps)
    except OSError:  # not Linux: assume not, the variable is harmless if it comes too late
        return False


def _set_wait_policy() -> str:
    if "GOMP_SPINCOUNT" in os.environ or "OMP_WAIT_POLICY" in os.environ:
        chosen = {
            k: os.environ[k] for k in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY") if k in os.environ
        }
        return f"the user's {', '.join(f'{k}={v}' for k, v in chosen.items())}"
    if _libgomp_loaded():
        return (
            "libgomp's default (it was loaded before minidl, so minidl could not shorten the spin)"
        )
    os.environ["GOMP_SPINCOUNT"] = SPINCOUNT
    return (
        f"GOMP_SPINCOUNT={SPINCOUNT}, set by minidl (idle OpenMP threads spin ~0.1 ms, then sleep)"
    )


_wait_policy = (
    _set_wait_policy()
)  # runs when minidl.kernels is imported, before the C extension loads


def wait_policy() -> str:
    """How idle OpenMP threads wait in this process: minidl's short spin, or the user's setting."""
    return _wait_policy


_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
_num_threads = max(1, min(_num_threads or 1, MAX_THREADS))
_blas_limiter = None  # a threadpoolctl.ThreadpoolController limit, kept alive while it applies
# NumPy's OpenBLAS runs on one thread unless asked for more: after every call its idle workers
# spin for ~0.1 s (OPENBLAS_THREAD_TIMEOUT, read when NumPy loads, before minidl can set it) and
# take the cores from minidl's kernels. LeNet-5 step, batch 64, 2 threads, on the quiet 2-core
# AVX-512 machine: OpenBLAS on 2 threads 7.3 ms (slower than 1 thread: 6.9 ms), on 1 thread
# 5.9 ms; the MLP 784-256-128-10 step is 1.33 ms either way.
BLAS_THREADS = 1


def _limit_blas(n: int) -> None:
    global _blas_limiter
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # then OpenBLAS keeps its own setting
        return
    _blas_limiter = threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads the kernels use (default: all cores this process may run on)."""
    return _num_threads


def set_num_threads(n: int, *, blas_threads: int = BLAS_THREADS) -> None:
    """Use `n` threads (1 <= n <= MAX_THREADS) in the C and Numba kernels, and `blas_threads` in
    NumPy's BLAS (when threadpoolctl is installed; 1 by default, see BLAS_THREADS). More threads
    than cores is allowed, but only slows down."""
    global _num_threads
    for name, value in (("n", n), ("blas_threads", blas_threads)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_THREADS:
            raise ValueError(
                f"set_num_threads: Argument `{name}` must be an int in [1, {MAX_THREADS}]. "
                f"Received: {name}={value!r}"
            )
    if n > 1 and blas_threads > 1 and n + blas_threads > (os.cpu_count() or 1):
        warnings.warn(
            f"set_num_threads: {n} kernel threads and blas_threads={blas_threads} share "
            f"{os.cpu_count()} cores; the idle threads of each pool spin on the cores the other "
            f"needs, and a training step can run several times slower (LeNet-5, 2 cores: 4 ms "
            f"with blas_threads=1, 25 ms with 2)",
            RuntimeWarning,
            stacklevel=2,
        )
    _num_threads = n
    try:
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass
    _limit_blas(blas_threads)


_limit_blas(BLAS_THREADS)  # at import too: the default thread setting applies without a call

"""How many threads the kernels use: one setting shared by the C (OpenMP) and Numba backends.

The C kernels receive the count as an argument on every call (an OpenMP `num_threads` clause), so the
setting holds whichever Python thread calls them. Numba keeps a per-thread setting of its own, which
`set_num_threads` forwards. NumPy's BLAS (OpenBLAS) is limited too when threadpoolctl is installed.
"""

import os

_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
_num_threads = max(1, _num_threads or 1)
_blas_limiter = None  # a threadpoolctl.ThreadpoolController limit, kept alive while it applies


def get_num_threads() -> int:
    """The number of threads the kernels use (default: all cores this process may run on)."""
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use `n` threads in the C and Numba kernels (and NumPy's BLAS when threadpoolctl is installed)."""
    global _num_threads, _blas_limiter
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: Argument `n` must be an int >= 1. Received: n={n!r}")
    _num_threads = n
    try:
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits

        _blas_limiter = threadpool_limits(limits=n, user_api="blas")
    except ImportError:
        pass

"""Small helpers shared by the benchmarks: thread setup, robust timing, an optional PyTorch peer.

Benchmarks run as a user runs: no thread-pool environment variables are set here (no
OMP_NUM_THREADS, no spin or timeout settings). The thread count is set through the libraries' own
calls, `minidl.kernels.set_num_threads` (which also limits NumPy's OpenBLAS through threadpoolctl) and
`torch.set_num_threads`; `run_for_each_thread_count()` runs a benchmark once per count, each in a
fresh process. Timings are medians of several repeats: the machine is shared, and the median shrugs
off a repeat that another process slowed down.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def threads_from_argv(default: int | None = None) -> int | None:
    """`--threads N` from sys.argv, or `default` when the option is absent. (Only read: the caller
    passes it to `minidl.kernels.set_num_threads` and `torch.set_num_threads`.)"""
    n = default
    if "--threads" in sys.argv:
        n = int(sys.argv[sys.argv.index("--threads") + 1])
    if REPO not in sys.path:
        sys.path.insert(0, REPO)  # `import minidl` from the checkout, as in the tests
    return n


def run_for_each_thread_count(script: str, counts=(1, 2)) -> None:
    """Run `script` (this benchmark) once per thread count, each in a fresh process."""
    for n in counts:
        print(f"\n===== {n} thread{'s' if n > 1 else ''} =====", flush=True)
        subprocess.run([sys.executable, script, *sys.argv[1:], "--threads", str(n)], check=True)


def median_seconds(fn: Callable[[], object], min_time: float = 0.3, repeats: int = 7) -> float:
    """Median seconds per call of fn over `repeats` batches, each batch lasting about `min_time`."""
    fn()  # warm-up: JIT compiles, caches, page faults of first allocations
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(min_time / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def compare_seconds(
    fns: dict[str, Callable[[], object]], rounds: int = 7, min_time: float = 0.1, pause: float = 0
) -> dict[str, float]:
    """Median seconds per call of each function, measured in interleaved rounds (a, b, c, a, b, c,
    ...) so that all of them see the same moments of a shared machine: a burst of load from another
    process slows one round of each, not all rounds of one, and the median sets it aside.
    `pause` seconds of sleep before each timing let the previous library's idle threads go to sleep
    (OpenBLAS's workers spin for ~0.1 s after a call, on the cores the next library then needs)."""
    number = {}
    for name, fn in fns.items():  # warm-up, and how many calls make one timing of ~min_time
        fn()
        start = time.perf_counter()
        fn()
        number[name] = max(1, int(min_time / max(time.perf_counter() - start, 1e-7)))
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            if pause:
                time.sleep(pause)
            start = time.perf_counter()
            for _ in range(number[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / number[name])
    return {name: statistics.median(times) for name, times in samples.items()}


def try_torch(threads: int | None):
    """PyTorch, set to `threads` threads, or None when it is not installed (it is only a peer)."""
    try:
        import torch
    except ImportError:
        return None
    if threads is not None:
        torch.set_num_threads(threads)
    return torch


def option(name: str, default: str) -> str:
    """The value after `--name` on the command line, or `default`."""
    flag = f"--{name}"
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


def start(script: str):
    """Common start of a kernel benchmark: run once per thread count when --threads is absent (and
    return None), else fix the threads everywhere and return (threads, dtype, kernels, torch)."""
    threads = threads_from_argv()
    if threads is None:
        run_for_each_thread_count(script)
        return None
    import numpy as np

    import minidl.kernels as kernels

    kernels.set_num_threads(threads)
    return threads, np.dtype(option("dtype", "float32")), kernels, try_torch(threads)


def print_table(header: list[str], rows: list[list[object]]) -> None:
    """A plain aligned text table."""
    cells = [header] + [[f"{c:.3g}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for k, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if k == 0:
            print("  ".join("-" * w for w in widths))

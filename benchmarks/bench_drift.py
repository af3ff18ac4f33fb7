"""Does a training step get slower the longer a run goes? LeNet-5 steps, timed one by one.

Run:  PYTHONPATH=. python benchmarks/bench_drift.py [--threads N] [--steps 1000]
      (no --threads: runs 1 and 2 threads, each in a fresh process)

Thread pools that fight (idle OpenMP workers spinning while OpenBLAS or Python wants the core) showed
up as a LeNet step that slowed down as a run went on. This trains LeNet-5 (batch 64, Adam, random
data) for --steps steps and prints the median step time of each tenth of the run, and the ratio of
the last tenth to the first (about 1: no drift). Run it for 1000 steps or more: training one batch
over and over leaves dead units whose Adam moments reached the subnormal range after ~750 steps,
a 12% slowdown, before minidl's Adam flushed them to zero (csrc/optim.c).
"""

from __future__ import annotations

import statistics
import time

from _timing import option, print_table, run_for_each_thread_count, threads_from_argv


def main() -> None:
    threads = threads_from_argv()
    if threads is None:
        run_for_each_thread_count(__file__)
        return
    import numpy as np
    from bench_scaling import minidl_step

    import minidl as md

    md.kernels.set_num_threads(threads)
    steps = int(option("steps", "1000"))
    rng = np.random.default_rng(0)
    x = rng.random((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    step = minidl_step(md, "lenet", 1, x, y)
    for _ in range(10):  # warm-up
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    tenth = max(1, steps // 10)
    medians = [statistics.median(times[k : k + tenth]) * 1e3 for k in range(0, steps, tenth)]
    print(f"LeNet-5 training step, batch 64, {threads} thread(s), {steps} steps")
    print_table(
        ["part of the run", "median ms/step"],
        [[f"{10 * k}-{10 * (k + 1)}%", f"{m:.2f}"] for k, m in enumerate(medians[:10])],
    )
    print(f"last tenth / first tenth: {medians[min(9, len(medians) - 1)] / medians[0]:.2f}")


if __name__ == "__main__":
    main()

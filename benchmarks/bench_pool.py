"""Pooling forward + backward speed: minidl's C, Numba and NumPy-reference kernels against PyTorch CPU.

Run:  python benchmarks/bench_pool.py [--threads N] [--dtype float64]
      (no --threads: runs 1 and 2 threads, each in a fresh process)
With the PyTorch peer:  PYTHONPATH=. /root/venvs/torch/bin/python benchmarks/bench_pool.py
Times one training step of the layer (forward, then the input's gradient), median of repeats, and
prints milliseconds (median of 7 interleaved rounds) with time / PyTorch's (<= 1: as fast or faster) and NumPy-reference time / time.
"""

from __future__ import annotations

from _timing import compare_seconds, print_table, start

# (name, input shape, kernel, stride): LeNet's 2x2 pools and an overlapping 3x3/2 pool
LAYERS = [
    ("2x2 on 6x28x28", (64, 6, 28, 28), 2, 2),
    ("2x2 on 64x32x32", (64, 64, 32, 32), 2, 2),
    ("3x3/2 on 64x32x32", (64, 64, 32, 32), 3, 2),
]


def minidl_step(K, backend, kind, x, gy, k, s):
    def step():
        with K.use_backend(backend):
            if kind == "max":
                _, idx = K.max_pool2d(x, k, s)
                K.max_pool2d_backward(gy, idx, x.shape, k, s)
            else:
                K.avg_pool2d(x, k, s)
                K.avg_pool2d_backward(gy, x.shape, k, s)

    return step


def torch_step(torch, kind, x, gy, k, s):
    tx, tgy = torch.from_numpy(x).requires_grad_(), torch.from_numpy(gy)
    pool = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d

    def step():
        pool(tx, k, s).backward(tgy)
        tx.grad = None

    return step


def main() -> None:
    setup = start(__file__)
    if setup is None:
        return
    threads, dtype, K, torch = setup
    import numpy as np

    backends = [b for b in ("c", "numba", "numpy") if b in K.available_backends()]
    print(f"pooling forward+backward, {dtype}, batch 64, {threads} thread(s)")
    print("ms per step; in brackets: time / PyTorch's, and NumPy reference's time / time")
    rows = []
    for name, shape, k, s in LAYERS:
        x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
        gy = np.ones_like(K.avg_pool2d(x, k, s))
        for kind in ("max", "avg"):
            steps = {be: minidl_step(K, be, kind, x, gy, k, s) for be in backends}
            if torch is not None:
                steps["torch"] = torch_step(torch, kind, x, gy, k, s)
            times = compare_seconds(steps)
            row = [f"{kind} {name}", f"{times['torch'] * 1e3:.2f}" if "torch" in times else "-"]
            for backend in backends:
                t = times[backend]
                vs_torch = f"{t / times['torch']:.2f}" if "torch" in times else "-"
                row.append(f"{t * 1e3:.2f} ({vs_torch} / {times['numpy'] / t:.1f}x)")
            rows.append(row)
    print_table(["layer", "torch ms", *backends], rows)


if __name__ == "__main__":
    main()

"""conv2d forward + backward speed: minidl's C, Numba and NumPy-reference kernels against PyTorch CPU.

Run:  python benchmarks/bench_conv.py [--threads N] [--dtype float64] [--no-numpy]
      (no --threads: runs 1 and 2 threads, each in a fresh process)
With the PyTorch peer (another venv):  PYTHONPATH=. /root/venvs/torch/bin/python benchmarks/bench_conv.py
For each LeNet/digits/CIFAR-sized layer it times one training step of the layer: forward, then
the gradients of weight and bias, with and without the input's gradient (a first layer skips it),
each backend in turn within every round (see _timing.compare_seconds). It prints milliseconds
(median of 7 rounds), GFLOP/s, and the ratios time/PyTorch (<= 1: as fast or
faster) and NumPy-reference/time (the speed-up over the readable version).
"""

from __future__ import annotations

import sys

from _timing import compare_seconds, print_table, start

# (name, input shape, weight shape, padding) as in LeNet-5 (batch 64), the lessons' digits CNN
# (batch 32, 8x8 images) and a small CIFAR net (batch 64)
LAYERS = [
    ("6@5x5 p2 on 1x28x28", (64, 1, 28, 28), (6, 1, 5, 5), 2),
    ("16@5x5 on 6x14x14", (64, 6, 14, 14), (16, 6, 5, 5), 0),
    ("digits 16@3x3 p1 on 1x8x8, b32", (32, 1, 8, 8), (16, 1, 3, 3), 1),
    ("digits 32@3x3 p1 on 16x4x4, b32", (32, 16, 4, 4), (32, 16, 3, 3), 1),
    ("64@3x3 p1 on 32x32x32", (64, 32, 32, 32), (64, 32, 3, 3), 1),
]


def minidl_step(K, backend, x, w, b, gy, padding, input_grad):
    def step():
        with K.use_backend(backend):
            K.conv2d(x, w, b, 1, padding)
            if input_grad:
                K.conv2d_input(x.shape, w, gy, 1, padding)
            K.conv2d_weight(x, w.shape, gy, 1, padding)
            K.conv2d_bias(gy)

    return step


def torch_step(torch, x, w, b, gy, padding, input_grad):
    tx = torch.from_numpy(x).requires_grad_(input_grad)
    tw, tb = torch.from_numpy(w).requires_grad_(), torch.from_numpy(b).requires_grad_()
    tgy = torch.from_numpy(gy)

    def step():
        y = torch.nn.functional.conv2d(tx, tw, tb, 1, padding)
        y.backward(tgy)
        tw.grad = tb.grad = tx.grad = None

    return step


def main() -> None:
    setup = start(__file__)
    if setup is None:
        return
    threads, dtype, K, torch = setup
    import numpy as np

    backends = [b for b in ("c", "numba") if b in K.available_backends()]
    if "--no-numpy" not in sys.argv:
        backends.append("numpy")
    print(f"conv2d forward+backward, {dtype}, batch 64 (digits: 32), {threads} thread(s)")
    print("ms per step; in brackets: time / PyTorch's, and NumPy reference's time / time")

    rows = []
    for name, x_shape, w_shape, pad in LAYERS:
        rng = np.random.default_rng(0)
        x, w = (
            rng.standard_normal(x_shape).astype(dtype),
            rng.standard_normal(w_shape).astype(dtype),
        )
        b = rng.standard_normal(w_shape[0]).astype(dtype)
        gy = rng.standard_normal(K.conv2d(x, w, b, 1, pad).shape).astype(dtype)
        flops_fwd = 2.0 * gy.size * np.prod(w_shape[1:])
        for input_grad in (True, False):
            steps = {be: minidl_step(K, be, x, w, b, gy, pad, input_grad) for be in backends}
            if torch is not None:
                steps["torch"] = torch_step(torch, x, w, b, gy, pad, input_grad)
            times = compare_seconds(steps)
            flops = flops_fwd * (3 if input_grad else 2)
            row = [name + ("" if input_grad else " (no dx)")]
            row.append(f"{times['torch'] * 1e3:.2f}" if "torch" in times else "-")
            for backend in backends:
                t = times[backend]
                vs_torch = f"{t / times['torch']:.2f}" if "torch" in times else "-"
                vs_numpy = f"{times['numpy'] / t:.1f}" if "numpy" in times else "-"
                row.append(f"{t * 1e3:.2f} ({vs_torch} / {vs_numpy}x) {flops / t / 1e9:.0f} GF/s")
            rows.append(row)
    print_table(["layer", "torch ms", *backends], rows)


if __name__ == "__main__":
    main()

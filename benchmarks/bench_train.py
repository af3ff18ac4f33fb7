"""End-to-end training speed: minidl against PyTorch CPU, measured in the same process and run.

    PYTHONPATH=/work/main /root/venvs/torch/bin/python benchmarks/bench_train.py [--threads 2]
        [--epochs 1] [--samples 60000] [--models mlp,lenet]

Task (the issue's): 60,000 synthetic 28×28 images (from a seed) with 10 classes given by a random
linear teacher, batch 64, Adam (lr 1e-3), softmax cross-entropy. Models: MLP 784-256-128-10 (ReLU)
and LeNet-5 (conv 6@5×5 pad 2, ReLU, max-pool 2, conv 16@5×5, ReLU, max-pool 2, FC 120, FC 84, FC 10).
Both libraries see the same batches in the same order. Printed per model and library: seconds per
epoch (median over epochs, after a few warm-up steps), samples/s, peak resident memory during that
library's run, and minidl's time as a ratio of PyTorch's (< 1 means minidl is faster).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import print_table, threads_from_argv, try_torch  # noqa: E402

THREADS = threads_from_argv(default=2)  # before numpy / torch start their thread pools

import numpy as np  # noqa: E402

import minidl as md  # noqa: E402
import minidl.nn.functional as F  # noqa: E402
from minidl import nn  # noqa: E402


class PeakRSS:
    """Samples this process's resident set size (VmRSS) every few ms while active; `peak` in MB."""

    def __enter__(self):
        self.peak, self._run = _rss_mb(), True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._run:
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._run = False
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 1, 28, 28), dtype=np.float32)
    teacher = rng.standard_normal((28 * 28, 10)).astype(np.float32)
    y = (x.reshape(n, -1) - 0.5) @ teacher  # a learnable labelling
    return x, y.argmax(axis=1).astype(np.int64)


def build(lib, name: str):
    if name == "mlp":
        return lib.Sequential(
            lib.Flatten(), lib.Linear(784, 256), lib.ReLU(), lib.Linear(256, 128), lib.ReLU(),
            lib.Linear(128, 10),
        )  # fmt: skip
    return lib.Sequential(
        lib.Conv2d(1, 6, 5, padding=2), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
        lib.Linear(16 * 5 * 5, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(), lib.Linear(84, 10),
    )  # fmt: skip


def minidl_epoch_fn(name: str, x, y, batch: int):
    md.manual_seed(0)
    model = build(nn, name)
    opt = md.optim.Adam(model.parameters(), lr=1e-3)

    def run(order):
        loss = None
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(md.from_numpy(x[idx])), y[idx])
            loss.backward()
            opt.step()
        return loss.item()

    return run


def torch_epoch_fn(torch, name: str, x, y, batch: int):
    torch.manual_seed(0)
    model = build(torch.nn, name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def run(order):
        loss = None
        order = torch.from_numpy(order)
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        return loss.item()

    return run


def measure(make_run, n: int, epochs: int, seed: int) -> tuple[float, float, float]:
    """(median seconds per epoch, final loss, peak RSS in MB)."""
    rng = np.random.default_rng(seed)
    with PeakRSS() as rss:
        run = make_run()
        run(rng.permutation(n)[: 64 * 5])  # warm-up: JIT, caches, first allocations
        times, loss = [], float("nan")
        for _ in range(epochs):
            order = rng.permutation(n)
            start = time.perf_counter()
            loss = run(order)
            times.append(time.perf_counter() - start)
    return statistics.median(times), loss, rss.peak


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--samples", type=int, default=60_000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--models", default="mlp,lenet")
    p.add_argument("--threads", type=int, default=THREADS)
    args = p.parse_args()
    md.kernels.set_num_threads(args.threads)
    torch = try_torch(args.threads)
    x, y = make_data(args.samples)
    baseline = _rss_mb()
    print(
        f"bench_train: {args.samples} samples, batch {args.batch}, {args.epochs} epoch(s), "
        f"{args.threads} threads, minidl backend {md.kernels.get_backend()}, "
        f"torch {torch.__version__ if torch else 'absent'}",
        flush=True,
    )
    print(
        f"resident memory before training (both libraries imported, data made): {baseline:.0f} MB"
    )
    rows = []
    for name in args.models.split(","):
        results = {}
        runs = [("minidl", functools.partial(minidl_epoch_fn, name, x, y, args.batch))]
        if torch is not None:
            runs.append(("torch", functools.partial(torch_epoch_fn, torch, name, x, y, args.batch)))
        for lib, make_run in runs:
            results[lib] = measure(make_run, args.samples, args.epochs, 1)
            sec, loss, peak = results[lib]
            print(
                f"  {name} {lib}: {sec:.3f} s/epoch, loss {loss:.4f}, peak RSS {peak:.0f} MB",
                flush=True,
            )
        for lib, (sec, loss, peak) in results.items():
            ratio = sec / results["torch"][0] if "torch" in results else float("nan")
            rows.append(
                [name, lib, round(sec, 3), round(args.samples / sec), round(peak), round(loss, 4),
                 round(ratio, 3) if lib == "minidl" else "1"]
            )  # fmt: skip
    print_table(
        [
            "model",
            "library",
            "s/epoch",
            "samples/s",
            "peak RSS MB",
            "last loss",
            "time ratio vs torch",
        ],
        rows,
    )


if __name__ == "__main__":
    main()

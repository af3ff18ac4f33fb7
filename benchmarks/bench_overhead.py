"""Engine overhead: the Python bookkeeping around tiny ops, where it dominates.

Measures, for minidl and (when installed) PyTorch CPU in the same process and thread count:
  record   c = a + b on 4×4 tensors that require grad (the op plus recording its graph node)
  step     (a + b).sum().backward() on 4×4 tensors (forward, graph, backward, accumulation)
  mlp      forward + backward of a 3-layer MLP on a batch of 32 (64-128-64-10)

Run:  python benchmarks/bench_overhead.py [--threads 1]
(With PyTorch in a separate venv: PYTHONPATH=. /path/to/torch-venv/bin/python benchmarks/bench_overhead.py)
Prints microseconds per call (best median of several repeats) and the ratio minidl / PyTorch.
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def per_call_us(fn, number: int, repeat: int = 7) -> float:
    """Median over `repeat` runs of the time per call, in microseconds."""
    times = sorted(timeit.repeat(fn, number=number, repeat=repeat))
    return times[len(times) // 2] / number * 1e6


def minidl_cases():
    import numpy as np

    import minidl as md

    rng = np.random.default_rng(0)
    a = md.tensor(rng.standard_normal((4, 4)), dtype=md.float32, requires_grad=True)
    b = md.tensor(rng.standard_normal((4, 4)), dtype=md.float32, requires_grad=True)

    def step():
        (a + b).sum().backward()

    ws = [
        md.tensor(rng.standard_normal(s) * 0.1, dtype=md.float32, requires_grad=True)
        for s in [(64, 128), (128, 64), (64, 10)]
    ]
    x = md.tensor(rng.standard_normal((32, 64)), dtype=md.float32)

    def mlp():
        h = x
        for w in ws[:-1]:
            h = (h @ w).relu() if hasattr(md, "relu") else md.maximum(h @ w, 0.0)
        (h @ ws[-1]).sum().backward()

    return {"record": lambda: a + b, "step": step, "mlp": mlp}


def torch_cases(torch):
    a = torch.randn(4, 4, requires_grad=True)
    b = torch.randn(4, 4, requires_grad=True)

    def step():
        (a + b).sum().backward()

    ws = [(torch.randn(*s) * 0.1).requires_grad_() for s in [(64, 128), (128, 64), (64, 10)]]
    x = torch.randn(32, 64)

    def mlp():
        h = x
        for w in ws[:-1]:
            h = (h @ w).relu()
        (h @ ws[-1]).sum().backward()

    return {"record": lambda: a + b, "step": step, "mlp": mlp}


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    numbers = {"record": 20000, "step": 3000, "mlp": 500}
    ours = {k: per_call_us(f, numbers[k]) for k, f in minidl_cases().items()}
    try:
        import torch

        torch.set_num_threads(args.threads)
        theirs = {k: per_call_us(f, numbers[k]) for k, f in torch_cases(torch).items()}
        peer = f"torch {torch.__version__}"
    except ImportError:
        theirs, peer = {}, "torch not installed"
    print(f"engine overhead, threads={args.threads}, peer: {peer}")
    print(f"{'case':<8} {'minidl µs':>10} {'torch µs':>10} {'minidl/torch':>13}")
    for k, us in ours.items():
        t = theirs.get(k)
        ratio = f"{us / t:13.2f}" if t else f"{'-':>13}"
        print(f"{k:<8} {us:10.2f} {(t or float('nan')):10.2f} {ratio}")


if __name__ == "__main__":
    main()

"""How a training step's cost grows with batch size and width: minidl against PyTorch CPU, one run.

Run:  PYTHONPATH=. python benchmarks/bench_scaling.py [--threads N] [--batches 1,4,16,64,256,1024]
          [--models mlp,lenet] [--mlp-widths 64,256,1024] [--lenet-widths 1,2] [--rounds 5]
      (no --threads: runs 1 and 2 threads, each in a fresh process; PyTorch is timed when the Python
      running this has `torch`, e.g. /work/torchvenv/bin/python)

One step = forward, softmax cross-entropy, backward, Adam update, on random data (the speed does not
depend on the values). Models:
  mlp    784-W-W/2-10 with ReLU (W = width; 256 is the MLP of bench_train.py)
  lenet  LeNet-5 with channel widths 6k and 16k (k = width; 1 is LeNet-5): conv 5x5 pad 2, ReLU,
         max-pool 2, conv 5x5, ReLU, max-pool 2, FC 120, FC 84, FC 10, on 1x28x28 images
  digits-mlp, digits-cnn   the lessons' scale, on 8x8 digits: MLP 64-128-64-10, and conv 16@3x3
         pad 1, ReLU, max-pool 2, conv 32@3x3 pad 1, ReLU, max-pool 2, FC 10 (width 1 only;
         e.g. --models digits-mlp,digits-cnn --batches 32)
Both libraries are timed in interleaved rounds (minidl, torch, minidl, torch, ...; median of the rounds)
so that they see the same moments of the shared machine. Prints one row per (model, width, batch):
milliseconds per step and microseconds per sample for each, and the ratio minidl / PyTorch (< 1: minidl
is faster); saves the table as JSON and a figure (time per sample against batch size, log-log) under
benchmarks/_output/.
"""

from __future__ import annotations

import json
import os

from _timing import (
    REPO,
    compare_seconds,
    option,
    print_table,
    run_for_each_thread_count,
    threads_from_argv,
    try_torch,
)

OUTPUT = os.path.join(REPO, "benchmarks", "_output")


SIDE = {"mlp": 28, "lenet": 28, "digits-mlp": 8, "digits-cnn": 8}  # input images: 1 x SIDE x SIDE


def build(lib, model: str, width: int):
    """The same architecture in minidl.nn or torch.nn (they share the names)."""
    if model == "digits-mlp":
        return lib.Sequential(
            lib.Flatten(), lib.Linear(64, 128), lib.ReLU(), lib.Linear(128, 64), lib.ReLU(),
            lib.Linear(64, 10),
        )  # fmt: skip
    if model == "digits-cnn":
        return lib.Sequential(
            lib.Conv2d(1, 16, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
            lib.Conv2d(16, 32, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
            lib.Linear(32 * 2 * 2, 10),
        )  # fmt: skip
    if model == "mlp":
        return lib.Sequential(
            lib.Flatten(), lib.Linear(784, width), lib.ReLU(), lib.Linear(width, width // 2),
            lib.ReLU(), lib.Linear(width // 2, 10),
        )  # fmt: skip
    c1, c2 = 6 * width, 16 * width
    return lib.Sequential(
        lib.Conv2d(1, c1, 5, padding=2), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(c1, c2, 5), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
        lib.Linear(c2 * 5 * 5, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(), lib.Linear(84, 10),
    )  # fmt: skip


def minidl_step(md, model: str, width: int, x, y):
    import minidl.nn.functional as F

    md.manual_seed(0)
    net = build(md.nn, model, width)
    opt = md.optim.Adam(net.parameters(), lr=1e-3)
    xt = md.from_numpy(x)

    def step():
        opt.zero_grad()
        F.cross_entropy(net(xt), y).backward()
        opt.step()

    return step


def torch_step(torch, model: str, width: int, x, y):
    torch.manual_seed(0)
    net = build(torch.nn, model, width)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(xt), yt).backward()
        opt.step()

    return step


def plot(results: list[dict], threads: int, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = sorted({r["model"] for r in results})
    fig, axes = plt.subplots(1, len(models), figsize=(6 * len(models), 4.5), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        rows = [r for r in results if r["model"] == model]
        for k, width in enumerate(sorted({r["width"] for r in rows})):
            line = sorted((r for r in rows if r["width"] == width), key=lambda r: r["batch"])
            batches = [r["batch"] for r in line]
            color = f"C{k}"
            ax.plot(batches, [r["minidl_ms"] * 1e3 / r["batch"] for r in line], "o-", color=color,
                    label=f"minidl, width {width}")  # fmt: skip
            if all(r["torch_ms"] is not None for r in line):
                ax.plot(batches, [r["torch_ms"] * 1e3 / r["batch"] for r in line], "s--",
                        color=color, label=f"PyTorch, width {width}")  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size")
        ax.set_ylabel("µs per sample (one training step / batch)")
        ax.set_title(f"{model}: training step, {threads} thread(s)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    threads = threads_from_argv()
    if threads is None:
        run_for_each_thread_count(__file__)
        return
    import numpy as np

    import minidl as md

    md.kernels.set_num_threads(threads)
    torch = try_torch(threads)
    batches = [int(b) for b in option("batches", "1,4,16,64,256,1024").split(",")]
    widths = {
        "mlp": [int(w) for w in option("mlp-widths", "64,256,1024").split(",")],
        "lenet": [int(w) for w in option("lenet-widths", "1,2").split(",")],
        "digits-mlp": [1],
        "digits-cnn": [1],
    }
    models = option("models", "mlp,lenet").split(",")
    rounds = int(option("rounds", "5"))
    isa = ""
    if "c" in md.kernels.available_backends():
        from minidl.kernels import c_backend

        isa = f", C ISA {c_backend.isa()}"
    print(
        f"training step (fwd + loss + bwd + Adam), float32, {threads} thread(s){isa}, "
        f"torch {torch.__version__ if torch else 'absent'}; median of {rounds} interleaved rounds"
    )
    results, table = [], []
    for model in models:
        for width in widths[model]:
            for batch in batches:
                rng = np.random.default_rng(0)
                x = rng.random((batch, 1, SIDE[model], SIDE[model]), dtype=np.float32)
                y = rng.integers(0, 10, batch)
                steps = {"minidl": minidl_step(md, model, width, x, y)}
                if torch is not None:
                    steps["torch"] = torch_step(torch, model, width, x, y)
                times = compare_seconds(steps, rounds=rounds, min_time=0.05)
                t_md, t_torch = times["minidl"], times.get("torch")
                results.append(
                    {"model": model, "width": width, "batch": batch, "threads": threads,
                     "minidl_ms": t_md * 1e3, "torch_ms": None if t_torch is None else t_torch * 1e3}
                )  # fmt: skip
                table.append(
                    [model, width, batch, f"{t_md * 1e3:.3f}", f"{t_md * 1e6 / batch:.1f}",
                     "-" if t_torch is None else f"{t_torch * 1e3:.3f}",
                     "-" if t_torch is None else f"{t_torch * 1e6 / batch:.1f}",
                     "-" if t_torch is None else f"{t_md / t_torch:.2f}"]
                )  # fmt: skip
                print("  ".join(str(c) for c in table[-1]), flush=True)
    print()
    print_table(
        [
            "model",
            "width",
            "batch",
            "minidl ms",
            "µs/sample",
            "torch ms",
            "µs/sample",
            "minidl/torch",
        ],
        table,
    )
    os.makedirs(OUTPUT, exist_ok=True)
    tag = "" if models == ["mlp", "lenet"] else "_" + "_".join(models)
    stem = os.path.join(OUTPUT, f"scaling{tag}_{threads}thread{'s' if threads > 1 else ''}")
    with open(stem + ".json", "w") as f:
        json.dump(results, f, indent=1)
    plot(results, threads, stem + ".png")
    print(f"saved {stem}.json and {stem}.png")


if __name__ == "__main__":
    main()

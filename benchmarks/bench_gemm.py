"""GEMM speed: minidl's C and Numba GEMMs against NumPy (OpenBLAS) and PyTorch CPU, n x n x n.

Run:  python benchmarks/bench_gemm.py [--threads N] [--dtype float64] [--sizes 256,512]
      (no --threads: runs 1 and 2 threads, each in a fresh process)
With the PyTorch peer (another venv):  PYTHONPATH=. /root/venvs/torch/bin/python benchmarks/bench_gemm.py
Prints GFLOP/s (2n^3 flops per product, median of interleaved rounds) and each backend's ratio to NumPy and to
PyTorch measured in the same process: a ratio >= 1 means as fast or faster.
"""

from __future__ import annotations

import warnings
from functools import partial

from _timing import compare_seconds, option, print_table, start


def matmul_on(K, backend, a, b):
    with K.use_backend(backend):
        return K.matmul(a, b)


def main() -> None:
    setup = start(__file__)
    if setup is None:
        return
    threads, dtype, K, torch = setup
    import numpy as np

    # the peer is OpenBLAS on as many threads as ours (minidl's default gives NumPy's BLAS one)
    with warnings.catch_warnings():  # its warning (two spinning pools) is about training loops
        warnings.simplefilter("ignore", RuntimeWarning)
        K.set_num_threads(threads, blas_threads=threads)

    sizes = [int(s) for s in option("sizes", "256,512,1024,2048").split(",")]
    backends = [b for b in ("c", "numba") if b in K.available_backends()]
    isa = ""
    if "c" in backends:
        from minidl.kernels import c_backend

        isa = f", C micro-kernel {c_backend.isa()}"
    print(f"GEMM {dtype}, {threads} thread(s){isa}; GFLOP/s (ratio to NumPy / to PyTorch)")

    rows = []
    for n in sizes:
        rng = np.random.default_rng(0)
        a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
        flops = 2.0 * n**3
        steps = {"numpy": partial(np.matmul, a, b)}
        if torch is not None:
            steps["torch"] = partial(torch.matmul, torch.from_numpy(a), torch.from_numpy(b))
        for backend in backends:
            steps[backend] = partial(matmul_on, K, backend, a, b)
        # with 2 threads, OpenBLAS's idle workers would spin on the second core through the next
        # backend's round: a pause lets them sleep first, as between a user's calls
        times = compare_seconds(steps, rounds=5, pause=1.0 if threads > 1 else 0)
        t_np, t_torch = times["numpy"], times.get("torch")
        row = [n, flops / t_np / 1e9, "-" if t_torch is None else flops / t_torch / 1e9]
        for backend in backends:
            t = times[backend]
            ratio_torch = "-" if t_torch is None else f"{t_torch / t:.2f}"
            row.append(f"{flops / t / 1e9:.1f} ({t_np / t:.2f} / {ratio_torch})")
        rows.append(row)
    print_table(["n", "numpy", "torch", *backends], rows)


if __name__ == "__main__":
    main()

"""Hyperparameter search under a fixed trial budget: Grid vs Random vs GP (vs Optuna's TPE and GP).

For each objective and sampler, over several seeds, record the best-so-far regret

    regret(n) = min(value of trials 1..n) - f*

after n = 10, 20, 30, 50 trials (f* is the known minimum of a test function, or for the MLP the
best value any run of any sampler found), and report the median over seeds, plus the sampler's own
wall time per trial (the study's time minus the objective's).

Objectives: Branin (2-D), Hartmann-6 (6-D), Rosenbrock (4-D, on [-5, 10]^4), and the validation
cross-entropy of a small MLP on scikit-learn's digits over (lr log, width int log, weight decay log),
trained with a plain minidl nn/optim loop. The grid is linspace(low, high, k) per dimension with
k^d close to 50 points, visited in a seeded random order (so its median over seeds means something).

    PYTHONPATH=. python benchmarks/bench_search.py            # 10 seeds, all objectives
    PYTHONPATH=. python benchmarks/bench_search.py --quick    # 3 seeds
    # with Optuna (a peer, never a dependency) on the path, its TPESampler and GPSampler join in

Threads: our GP runs its linear algebra single-threaded; Optuna's GP uses torch, set to 1 thread.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from minidl import search
from minidl.search.samplers import GPSampler, GridSampler, RandomSampler

BUDGETS = (10, 20, 30, 50)

# ---- test functions (minimisation); each takes a dict of params ------------------------------


def branin(p: dict) -> float:
    x, y = p["x0"], p["x1"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


_H_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])  # fmt: skip
_H_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])  # fmt: skip
_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(p: dict) -> float:
    x = np.array([p[f"x{i}"] for i in range(6)])
    return float(-np.sum(_H_ALPHA * np.exp(-np.sum(_H_A * (x - _H_P) ** 2, axis=1))))


def rosenbrock4(p: dict) -> float:
    x = np.array([p[f"x{i}"] for i in range(4)])
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


# ---- the real objective: a small MLP on digits ---------------------------------------------------

_DIGITS: dict = {}


def mlp_digits(p: dict) -> float:
    """Validation cross-entropy after 6 epochs of Adam on 1200 digits (deterministic per params)."""
    import minidl as md
    from minidl import nn, optim

    if not _DIGITS:
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
        order = np.random.default_rng(0).permutation(len(y))
        x, y = (x[order] / 16.0).astype(np.float32), y[order].astype(np.int64)
        _DIGITS.update(xt=x[:1200], yt=y[:1200], xv=x[1200:], yv=y[1200:])
    d = _DIGITS
    md.manual_seed(0)
    width = int(p["width"])
    model = nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))
    opt = optim.Adam(model.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    for _ in range(6):
        for idx in np.array_split(rng.permutation(1200), 1200 // 100):
            opt.zero_grad()
            loss = loss_fn(model(md.tensor(d["xt"][idx])), md.tensor(d["yt"][idx]))
            loss.backward()
            opt.step()
    with md.no_grad():
        val = float(loss_fn(model(md.tensor(d["xv"])), md.tensor(d["yv"])).item())
    return val if math.isfinite(val) else 10.0  # a diverged run scores as badly as chance * 4


# name -> (space [(param, low, high, log, is_int)], function, known minimum or None)
OBJECTIVES = {
    "branin": ([("x0", -5.0, 10.0, False, False), ("x1", 0.0, 15.0, False, False)], branin, 0.397887357729739),
    "hartmann6": ([(f"x{i}", 0.0, 1.0, False, False) for i in range(6)], hartmann6, -3.322368011391339),
    "rosenbrock4": ([(f"x{i}", -5.0, 10.0, False, False) for i in range(4)], rosenbrock4, 0.0),
    "mlp_digits": (
        [("lr", 1e-4, 1.0, True, False), ("width", 8, 128, True, True), ("weight_decay", 1e-6, 1e-1, True, False)],
        mlp_digits,
        None,
    ),
}  # fmt: skip


def make_objective(space, fn, clock):
    """The same trial code for minidl.search and Optuna; `clock` accumulates objective time."""

    def objective(trial):
        params = {}
        for name, low, high, log, is_int in space:
            if is_int:
                params[name] = trial.suggest_int(name, int(low), int(high), log=log)
            else:
                params[name] = trial.suggest_float(name, low, high, log=log)
        t0 = time.perf_counter()
        value = fn(params)
        clock[0] += time.perf_counter() - t0  # the suggest_* calls above count as sampler time
        return value

    return objective


def grid_for(space, n_points=50):
    k = max(2, round(n_points ** (1 / len(space))))
    grid = {}
    for name, low, high, log, is_int in space:
        axis = np.geomspace(low, high, k) if log else np.linspace(low, high, k)
        grid[name] = sorted({int(round(v)) for v in axis}) if is_int else [float(v) for v in axis]
    return grid


def samplers(space, optuna):
    out = {
        "grid": lambda s: (search, GridSampler(grid_for(space), seed=s)),
        "random": lambda s: (search, RandomSampler(seed=s)),
        "gp": lambda s: (search, GPSampler(seed=s)),
    }
    if optuna is not None:
        out["optuna-tpe"] = lambda s: (optuna, optuna.samplers.TPESampler(seed=s))
        out["optuna-gp"] = lambda s: (optuna, optuna.samplers.GPSampler(seed=s))
    return out


def run_one(lib, sampler, space, fn, n_trials):
    clock = [0.0]
    pruner = lib.pruners.NopPruner()
    study = lib.create_study(sampler=sampler, pruner=pruner)
    t0 = time.perf_counter()
    study.optimize(make_objective(space, fn, clock), n_trials=n_trials)
    total = time.perf_counter() - t0
    values = [t.value for t in study.trials]
    values += [values[-1]] * (n_trials - len(values))  # an exhausted grid keeps its best
    return np.minimum.accumulate(np.array(values, dtype=float)), (total - clock[0]) / len(
        study.trials
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 seeds instead of 10")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--objectives", default=",".join(OBJECTIVES))
    ap.add_argument("--no-optuna", action="store_true")
    args = ap.parse_args(argv)
    n_seeds = args.seeds or (3 if args.quick else 10)
    optuna = None
    if not args.no_optuna:
        try:
            import optuna

            optuna.logging.set_verbosity(optuna.logging.WARNING)
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass
    n_trials = max(BUDGETS)
    print(f"seeds={n_seeds} trials={n_trials} optuna={getattr(optuna, '__version__', 'absent')}")
    header = "| objective | sampler | " + " | ".join(f"regret@{b}" for b in BUDGETS)
    print(header + " | sampler ms/trial |\n|---|---|" + "---|" * (len(BUDGETS) + 1), flush=True)
    verdicts = []
    for obj_name in args.objectives.split(","):
        space, fn, f_min = OBJECTIVES[obj_name]
        curves, times = {}, {}
        for name, factory in samplers(space, optuna).items():
            runs = [run_one(*factory(seed), space, fn, n_trials) for seed in range(n_seeds)]
            curves[name] = np.array([c for c, _ in runs])
            times[name] = float(np.median([t for _, t in runs]))
        ref = f_min if f_min is not None else min(c.min() for c in curves.values())
        med = {name: np.median(c - ref, axis=0) for name, c in curves.items()}
        for name in curves:
            regs = " | ".join(f"{med[name][b - 1]:.4g}" for b in BUDGETS)
            print(f"| {obj_name} | {name} | {regs} | {times[name] * 1e3:.1f} |", flush=True)
        at30 = {name: m[29] for name, m in med.items()}
        ok = at30["gp"] < at30["random"]
        line = f"{obj_name}: GP@30 {at30['gp']:.4g} < Random@30 {at30['random']:.4g}: {ok}"
        peers = [at30[n] for n in ("optuna-tpe", "optuna-gp") if n in at30]
        if peers:
            within = at30["gp"] <= 1.5 * min(peers)
            ok = ok and within
            line += f"; within 1.5x of Optuna's best {min(peers):.4g}: {within}"
        verdicts.append((line, ok))
    print()
    for line, _ in verdicts:
        print(line)
    print(f"targets met: {all(ok for _, ok in verdicts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

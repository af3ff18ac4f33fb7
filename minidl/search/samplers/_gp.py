"""`GPSampler`: Bayesian optimisation with a Gaussian process and Expected Improvement.

The loop, once per trial (in the main process, before the trial is dispatched):

1. Search space: the parameters every completed trial suggested with the same distribution
   (single-point spaces left out). Until `n_startup_trials` trials have completed, or if that space
   is empty, parameters are drawn exactly as `RandomSampler(seed)` would draw them.
2. Encode each completed trial as a point of the unit cube: a float or int (low, high) maps
   linearly to [0, 1], or in log space when `log=True`; ints and stepped floats use (low - step/2,
   high + step/2) so every grid value owns an equal interval; a categorical becomes one 0/1
   column per choice (one-hot). Objective values (negated when maximising) are standardised and,
   with `warp_output=True` (the default), passed through a Yeo-Johnson power transform fitted by
   maximum likelihood (`scipy.stats.yeojohnson`) and standardised again: a monotone map that makes
   heavy-tailed values (a few huge losses among many small ones) look Gaussian, as the GP assumes,
   without changing which trial is best.
3. Constant liar: trials still running (dispatched in parallel) are added to the data at their
   proposed point with the best value observed so far. The GP then believes those points are known,
   its uncertainty and EI there collapse, and the next proposal goes elsewhere: parallel trials get
   distinct proposals without waiting.
4. Fit the GP (Matérn 5/2 ARD kernel; hyperparameters by maximising the marginal likelihood, with
   a log-normal prior on the length scales, by L-BFGS-B from a few starts; see `_gaussian_process`).
5. Maximise log Expected Improvement: score `n_candidates` random points of the cube (plus small
   perturbations of the best points seen), then polish the best few with L-BFGS-B (finite-difference
   gradients) over the numeric coordinates, categoricals held at their candidate's choice.
6. Decode the winner: map back from the cube, round ints and stepped floats to their grid, clip.

Why it needs fewer trials than random search on smooth objectives: each trial's result changes
where the next one goes. The GP turns the trials so far into a belief about the whole function
(mean and uncertainty everywhere), and EI spends the next trial where the expected gain over the
best value is largest -- near good points where the mean is low, or in unexplored regions where
the uncertainty is large. When nearby inputs give similar values (smoothness: what the kernel
assumes) a few dozen trials pin the function down around its minimum, while random search keeps
sampling the whole box at the same rate.

Where it does not help: noisy objectives (the GP spends its noise term and trials chasing noise);
many dimensions (beyond ~10-20 the cube is too big for a few dozen points to inform a GP, and
every point is far from every other); discontinuous or discrete objectives and mostly-categorical
spaces (the kernel's smoothness assumption is wrong); cheap objectives (fitting the GP and
optimising EI costs O(n^3) plus many posterior evaluations per trial -- milliseconds to a second --
so when a trial costs less, random search gets more trials for the same time); and budgets smaller
than `n_startup_trials` plus a few, where it is random search.

Reproducibility: the proposal is a function of the seed, the trial number and the trials handed to
it, so the same study history gives the same proposal; under parallel execution the history at each
proposal depends on which trials have finished, so only sequential runs repeat exactly.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
from scipy import optimize, stats

from minidl.search.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from minidl.search.frozen import StudyDirection, TrialState
from minidl.search.samplers._base import BaseSampler
from minidl.search.samplers._gaussian_process import GaussianProcess, log_expected_improvement
from minidl.search.samplers._random import RandomSampler, check_seed


def _one_blas_thread() -> Any:
    """Run BLAS and OpenMP single-threaded while proposing: on matrices of a few dozen rows, extra
    threads only add synchronisation (15x slower proposals measured on a busy 2-core machine)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # threadpoolctl comes with scikit-learn; without it, BLAS keeps its setting
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)  # every pool: OpenBLAS may run on OpenMP threads


def _standardise(y: np.ndarray) -> np.ndarray:
    std = y.std()
    return (y - y.mean()) / (std if std > 0 else 1.0)


def _is_single(dist: Any) -> bool:
    if isinstance(dist, CategoricalDistribution):
        return len(dist.choices) == 1
    return dist.low == dist.high


def _numeric_bounds(dist: FloatDistribution | IntDistribution) -> tuple[float, float]:
    """The interval of the raw axis (log axis when log=True) that maps to [0, 1]."""
    if isinstance(dist, IntDistribution) or dist.step is not None:
        half = dist.step / 2
        lo, hi = dist.low - half, dist.high + half
    else:
        lo, hi = dist.low, dist.high
    return (math.log(lo), math.log(hi)) if dist.log else (lo, hi)


class _Encoder:
    """Maps params of a fixed search space to points of [0, 1]^D and back (see steps 2 and 6)."""

    def __init__(self, space: dict[str, Any]) -> None:
        self.names = sorted(space)
        self.space = space
        self.columns: dict[str, slice] = {}
        numeric: list[int] = []
        col = 0
        for name in self.names:
            dist = space[name]
            width = len(dist.choices) if isinstance(dist, CategoricalDistribution) else 1
            if width == 1 and not isinstance(dist, CategoricalDistribution):
                numeric.append(col)
            self.columns[name] = slice(col, col + width)
            col += width
        self.dim = col
        self.numeric = np.array(numeric, dtype=int)

    def encode(self, params: dict[str, Any]) -> np.ndarray:
        u = np.zeros(self.dim)
        for name in self.names:
            dist, value, cols = self.space[name], params[name], self.columns[name]
            if isinstance(dist, CategoricalDistribution):
                u[cols.start + dist.index(value)] = 1.0
            else:
                lo, hi = _numeric_bounds(dist)
                x = math.log(value) if dist.log else value
                u[cols.start] = (x - lo) / (hi - lo)
        return u

    def decode(self, u: np.ndarray) -> dict[str, Any]:
        params = {}
        for name in self.names:
            dist, cols = self.space[name], self.columns[name]
            if isinstance(dist, CategoricalDistribution):
                params[name] = dist.choices[int(np.argmax(u[cols]))]
                continue
            lo, hi = _numeric_bounds(dist)
            x = lo + float(np.clip(u[cols.start], 0.0, 1.0)) * (hi - lo)
            x = math.exp(x) if dist.log else x
            if isinstance(dist, IntDistribution) or dist.step is not None:
                x = dist.low + round((x - dist.low) / dist.step) * dist.step
            x = min(max(x, dist.low), dist.high)
            params[name] = int(round(x)) if isinstance(dist, IntDistribution) else float(x)
        return params

    def random(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n uniform points of the cube with a random one-hot choice per categorical."""
        u = rng.random((n, self.dim))
        for name in self.names:
            dist, cols = self.space[name], self.columns[name]
            if isinstance(dist, CategoricalDistribution):
                u[:, cols] = np.eye(len(dist.choices))[rng.integers(len(dist.choices), size=n)]
        return u


class GPSampler(BaseSampler):
    """Bayesian optimisation: GP (Matérn 5/2 ARD) + Expected Improvement (see the module docstring).

    Args:
        seed: int >= 0 or None; the startup trials are those of `RandomSampler(seed)`.
        n_startup_trials: completed trials drawn at random before the GP is used.
        n_candidates: random points scored by EI before the local L-BFGS-B polish.
        warp_output: power-transform the standardised values before fitting (step 2).
    """

    def __init__(
        self,
        seed: int | None = None,
        n_startup_trials: int = 10,
        *,
        n_candidates: int = 2000,
        warp_output: bool = True,
    ) -> None:
        self._seed = check_seed("GPSampler", seed)
        if (
            isinstance(n_startup_trials, bool)
            or not isinstance(n_startup_trials, int)
            or n_startup_trials < 0
        ):
            raise ValueError(
                f"GPSampler: argument `n_startup_trials` must be an int >= 0; received {n_startup_trials!r}"
            )
        if not isinstance(n_candidates, int) or n_candidates < 1:
            raise ValueError(
                f"GPSampler: argument `n_candidates` must be an int >= 1; received {n_candidates!r}"
            )
        self._n_startup = n_startup_trials
        self._n_candidates = n_candidates
        self._warp = bool(warp_output)
        # EI search (step 5): 20 jittered copies (sd 0.05 in the cube) of each of the 5 best
        # points join the random candidates; the 5 best candidates are polished with L-BFGS-B.
        self._n_local, self._sigma, self._n_polish = 20, 0.05, 5
        self._random = RandomSampler(self._seed)

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) < max(self._n_startup, 1):
            return {}
        space = dict(complete[0].distributions)
        for t in complete[1:]:
            space = {n: d for n, d in space.items() if t.distributions.get(n) == d}
        return {n: d for n, d in space.items() if not _is_single(d)}

    def sample_relative(
        self, study: Any, trial: Any, search_space: dict[str, Any]
    ) -> dict[str, Any]:
        with _one_blas_thread():
            return self._propose(study, trial, search_space)

    def _propose(self, study: Any, trial: Any, search_space: dict[str, Any]) -> dict[str, Any]:
        encoder = _Encoder(search_space)
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
        x = np.array([encoder.encode(t.params) for t in complete])
        y = sign * np.array([t.value for t in complete], dtype=float)
        finite = np.isfinite(y)  # an infinite value cannot be standardised: leave it out
        x, y = x[finite], y[finite]
        if len(y) == 0:
            return {}
        # Constant liar: trials still running count as observed at the best value so far. A running
        # startup trial's values were drawn on its worker, but they are a function of
        # (seed, number, name), so they are recomputed here.
        running = [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            if t.number != trial.number
        ]
        if running:
            lies = [self._params_of_running(t, search_space) for t in running]
            x = np.vstack([x] + [encoder.encode(p) for p in lies])
            y = np.concatenate([y, np.full(len(running), y.min())])
        z = _standardise(y)
        if self._warp and len(z) >= 3 and np.ptp(z) > 0:
            with np.errstate(all="ignore"):
                warped = stats.yeojohnson(z)[0]
            if np.all(np.isfinite(warped)) and np.ptp(warped) > 0:  # an extreme lambda can overflow
                z = _standardise(warped)
        rng = np.random.default_rng([self._seed, trial.number, 0x6770])
        mask = np.zeros(encoder.dim)
        mask[encoder.numeric] = 1.0  # one-hot columns: no length-scale prior
        gp = GaussianProcess(
            np.full(encoder.dim, 0.5), signal_var=1.0, noise_var=1e-3, prior_mask=mask
        )
        gp.fit_hyperparameters(x, z, rng).fit(x, z)
        best_u = self._maximise_ei(gp, encoder, x, z, rng)
        return encoder.decode(best_u)

    def _params_of_running(self, t: Any, space: dict[str, Any]) -> dict[str, Any]:
        fixed = {n: t.params[n] for n in space if n in t.params}
        drawn = {
            n: self._random.sample_independent(None, t, n, d)
            for n, d in space.items()
            if n not in fixed
        }
        return {**drawn, **fixed}

    def _maximise_ei(
        self,
        gp: GaussianProcess,
        encoder: _Encoder,
        x: np.ndarray,
        z: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Multi-start: score random and near-best candidates, polish the top few with L-BFGS-B."""
        best = float(z.min())

        def log_ei(u: np.ndarray) -> np.ndarray:
            mean, var = gp.posterior(u)
            return log_expected_improvement(mean, np.sqrt(var), best)

        # Local candidates: the 5 best points seen, jittered in their numeric coordinates.
        top = x[np.argsort(z)[:5]]
        local = np.repeat(top, self._n_local, axis=0)
        if encoder.numeric.size:
            noise = rng.normal(0.0, self._sigma, size=(len(local), encoder.numeric.size))
            local[:, encoder.numeric] = np.clip(local[:, encoder.numeric] + noise, 0.0, 1.0)
        candidates = np.vstack([encoder.random(rng, self._n_candidates), local])
        scores = log_ei(candidates)
        order = np.argsort(-scores)[: self._n_polish]
        best_u, best_score = candidates[order[0]], scores[order[0]]
        if encoder.numeric.size == 0:
            return best_u
        cols = encoder.numeric
        for u0 in candidates[order]:

            def negative(v: np.ndarray, u0: np.ndarray = u0) -> float:
                u = u0.copy()
                u[cols] = v
                return -float(log_ei(u[None, :])[0])

            res = optimize.minimize(
                negative,
                u0[cols],
                method="L-BFGS-B",
                bounds=[(0.0, 1.0)] * cols.size,
                options={"maxiter": 50},
            )
            if np.isfinite(res.fun) and -res.fun > best_score:
                best_u = u0.copy()
                best_u[cols] = res.x
                best_score = -res.fun
        return best_u

    def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any):
        return self._random.sample_independent(study, trial, param_name, param_distribution)

    def __repr__(self) -> str:
        return f"GPSampler(seed={self._seed}, n_startup_trials={self._n_startup})"

"""Gaussian-process regression and Expected Improvement: the model behind `GPSampler`.

Inputs live in the unit cube [0, 1]^d and outputs are standardised (mean 0, variance 1) by the
sampler before they get here, so the hyperparameter bounds below are in those units.

Kernel: Matérn 5/2 with one length scale per input dimension (ARD, automatic relevance
determination: an input that does not matter gets a long length scale):

    r^2    = sum_j (x_j - x'_j)^2 / l_j^2
    k(x,x') = s^2 (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)

It is twice differentiable (smooth enough for optimisation, rougher than the squared exponential,
which assumes infinitely smooth objectives). Observations y = f(x) + noise, noise ~ N(0, sn^2).

Posterior at test points X* given training data (X, y), with K = k(X, X) + sn^2 I = L L^T:

    alpha   = K^-1 y                       (two triangular solves with L)
    mean(x) = k(x, X) alpha
    var(x)  = k(x, x) - k(x, X) K^-1 k(X, x) = s^2 - |L^-1 k(X, x)|^2

Hyperparameters theta = (log l_1..l_d, log s^2, log sn^2) maximise the log marginal likelihood

    log p(y | X, theta) = -1/2 y^T K^-1 y - sum_i log L_ii - n/2 log 2 pi

whose gradient is d/dtheta_k = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta_k), with
dK/dlog s^2 = K - sn^2 I, dK/dlog sn^2 = sn^2 I and, for the Matérn 5/2 kernel,
dk/dlog l_j = s^2 5/3 (1 + sqrt5 r) exp(-sqrt5 r) (x_j - x'_j)^2 / l_j^2.
The sampler maximises it plus a log-normal prior on the length scale of each numeric input (not the
one-hot columns of categoricals), log l_j ~ N(log 0.5, 0.5^2)
(a MAP estimate), with L-BFGS-B inside box bounds on theta, from a few starting points. Why the
prior: with 10-30 points in 4-6 dimensions the likelihood alone often sends length scales to their
bounds (a GP that believes the function is flat or pure noise along some axis); measured on the
search benchmark at 30 trials, the prior cut the median regret on Hartmann-6 from 0.20 to 0.13 and on
Rosenbrock-4 from 281 to 107 (Branin unchanged at ~0.002).

Expected Improvement (minimisation) of a point with posterior mean m and std s over the best
observed value y*: with z = (y* - m) / s,

    EI = E[max(y* - f, 0)] = (y* - m) Phi(z) + s phi(z) = s h(z),   h(z) = z Phi(z) + phi(z)

EI underflows to 0 far from the data (z << 0), which leaves an optimiser no slope, so the sampler
maximises log EI, computed stably for z < 0 as log phi(z) + log1p(z Phi(z) / phi(z)), with
Phi(z) / phi(z) = sqrt(pi/2) erfcx(-z / sqrt2).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg, optimize, special

SQRT5 = math.sqrt(5.0)

# Box bounds of the log-hyperparameters (inputs in [0, 1], outputs standardised).
LOG_LENGTHSCALE_BOUNDS = (math.log(1e-2), math.log(20.0))
LOG_SIGNAL_BOUNDS = (math.log(0.05), math.log(20.0))
LOG_NOISE_BOUNDS = (math.log(1e-6), math.log(1.0))
LOG_LENGTHSCALE_PRIOR = (math.log(0.5), 0.5)  # mean and std of the normal prior on log l_j
JITTER = 1e-9  # added to the diagonal so the Cholesky factorisation never meets a zero pivot


def matern52(
    x1: np.ndarray, x2: np.ndarray, lengthscales: np.ndarray, signal_var: float
) -> np.ndarray:
    """k(x1_i, x2_j) for (n, d) and (m, d) inputs -> (n, m)."""
    diff = (x1[:, None, :] - x2[None, :, :]) / lengthscales  # (n, m, d)
    r = np.sqrt(np.sum(diff * diff, axis=-1))
    return signal_var * (1.0 + SQRT5 * r + 5.0 / 3.0 * r * r) * np.exp(-SQRT5 * r)


class GaussianProcess:
    """A zero-mean GP with a Matérn 5/2 ARD kernel, fitted by maximum marginal likelihood.

    Args:
        lengthscales, signal_var, noise_var: starting (or, without `fit_hyperparameters`, fixed)
            hyperparameters.
        prior_mask: 1.0 for the length scales that get the prior, 0.0 for those that do not.
    """

    def __init__(
        self,
        lengthscales: np.ndarray,
        signal_var: float = 1.0,
        noise_var: float = 1e-3,
        prior_mask: np.ndarray | None = None,
    ):
        self.lengthscales = np.asarray(lengthscales, dtype=float)
        # which length scales get the log-normal prior (the sampler leaves one-hot columns free)
        self.prior_mask = np.ones(len(self.lengthscales)) if prior_mask is None else prior_mask
        self.signal_var = float(signal_var)
        self.noise_var = float(noise_var)
        self._x: np.ndarray | None = None

    # ---- likelihood --------------------------------------------------------------------------

    def _unpack(self, theta: np.ndarray) -> tuple[np.ndarray, float, float]:
        return np.exp(theta[:-2]), math.exp(theta[-2]), math.exp(theta[-1])

    def neg_log_marginal_likelihood(
        self, theta: np.ndarray, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """-log p(y | x, theta) and its gradient with respect to theta (see the module docstring)."""
        ls, s2, sn2 = self._unpack(theta)
        n, d = x.shape
        diff2 = ((x[:, None, :] - x[None, :, :]) / ls) ** 2  # (n, n, d): (x_j - x'_j)^2 / l_j^2
        r = np.sqrt(diff2.sum(-1))
        e = np.exp(-SQRT5 * r)
        k_f = s2 * (1.0 + SQRT5 * r + 5.0 / 3.0 * r * r) * e
        k = k_f + (sn2 + JITTER) * np.eye(n)
        try:
            chol = linalg.cholesky(k, lower=True)
        except linalg.LinAlgError:
            return 1e25, np.zeros_like(theta)
        alpha = linalg.cho_solve((chol, True), y)
        nll = 0.5 * y @ alpha + np.log(np.diag(chol)).sum() + 0.5 * n * math.log(2 * math.pi)
        # d nll / d theta_k = -1/2 tr((alpha alpha^T - K^-1) dK_k) = -1/2 sum(W * dK_k)
        w = np.outer(alpha, alpha) - linalg.cho_solve((chol, True), np.eye(n))
        dk_dls = (s2 * 5.0 / 3.0 * (1.0 + SQRT5 * r) * e)[:, :, None] * diff2  # (n, n, d)
        grad = np.empty(d + 2)
        grad[:d] = -0.5 * np.einsum("ij,ijk->k", w, dk_dls)
        grad[d] = -0.5 * np.sum(w * k_f)
        grad[d + 1] = -0.5 * np.trace(w) * sn2
        return float(nll), grad

    def neg_log_posterior(
        self, theta: np.ndarray, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """-log p(y | x, theta) - log prior(length scales), up to a constant, and its gradient."""
        nll, grad = self.neg_log_marginal_likelihood(theta, x, y)
        mu, sd = LOG_LENGTHSCALE_PRIOR
        dev = (theta[:-2] - mu) / sd * self.prior_mask
        grad = grad.copy()
        grad[:-2] += dev / sd
        return nll + 0.5 * float(dev @ dev), grad

    def fit_hyperparameters(
        self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, n_restarts: int = 3
    ) -> GaussianProcess:
        """Maximise the marginal likelihood times the length-scale prior (L-BFGS-B, several starts)."""
        d = x.shape[1]
        bounds = [LOG_LENGTHSCALE_BOUNDS] * d + [LOG_SIGNAL_BOUNDS, LOG_NOISE_BOUNDS]
        lo, hi = np.array(bounds).T
        current = np.concatenate(
            [np.log(self.lengthscales), [math.log(self.signal_var), math.log(self.noise_var)]]
        )
        starts = [np.clip(current, lo, hi)] + [rng.uniform(lo, hi) for _ in range(n_restarts)]
        best = None
        for theta0 in starts:
            res = optimize.minimize(
                self.neg_log_posterior,
                theta0,
                args=(x, y),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 200},
            )
            if best is None or res.fun < best.fun:
                best = res
        self.lengthscales, self.signal_var, self.noise_var = self._unpack(best.x)
        return self

    # ---- posterior ---------------------------------------------------------------------------

    def fit(self, x: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """Condition on (x, y): factorise K once for the posterior."""
        self._x = np.asarray(x, dtype=float)
        k = matern52(self._x, self._x, self.lengthscales, self.signal_var)
        k[np.diag_indices_from(k)] += self.noise_var + JITTER
        self._chol = linalg.cholesky(k, lower=True)
        self._alpha = linalg.cho_solve((self._chol, True), np.asarray(y, dtype=float))
        return self

    def posterior(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance of f (without the noise) at (m, d) points -> (m,), (m,)."""
        if self._x is None:
            raise RuntimeError("GaussianProcess.posterior: call fit(x, y) first")
        k_star = matern52(self._x, np.atleast_2d(xs), self.lengthscales, self.signal_var)  # (n, m)
        mean = k_star.T @ self._alpha
        v = linalg.solve_triangular(self._chol, k_star, lower=True)
        var = np.maximum(self.signal_var - np.sum(v * v, axis=0), 1e-12)
        return mean, var


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """EI for minimisation: (best - mean) Phi(z) + std phi(z), z = (best - mean) / std."""
    z = (best - mean) / std
    return (best - mean) * special.ndtr(z) + std * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def log_expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """log EI, accurate where EI itself underflows (far below the best, z << 0)."""
    z = np.atleast_1d((best - mean) / std).astype(float)
    log_h = np.empty_like(z)
    pos = z >= 0
    zp = z[pos]
    log_h[pos] = np.log(zp * special.ndtr(zp) + np.exp(-0.5 * zp * zp) / math.sqrt(2 * math.pi))
    zn = z[~pos]
    log_phi = -0.5 * zn * zn - 0.5 * math.log(2 * math.pi)
    log_h[~pos] = log_phi + np.log1p(
        zn * math.sqrt(math.pi / 2) * special.erfcx(-zn / math.sqrt(2))
    )
    return np.log(std) + log_h.reshape(np.shape(mean))

"""GPSampler: the GP's posterior, likelihood and EI against direct formulas; BO beats random search."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from minidl import search
from minidl.search.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from minidl.search.samplers import GPSampler, RandomSampler
from minidl.search.samplers._gaussian_process import (
    GaussianProcess,
    expected_improvement,
    log_expected_improvement,
    matern52,
)
from minidl.search.samplers._gp import _Encoder


def _data(n=7, d=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, d))
    y = np.sin(6 * x[:, 0]) + x[:, 1] ** 2
    return x, (y - y.mean()) / y.std()


def test_matern52_matches_the_scalar_formula():
    x1, x2 = np.random.default_rng(1).random((4, 3)), np.random.default_rng(2).random((5, 3))
    ls, s2 = np.array([0.3, 1.2, 0.7]), 1.7
    k = matern52(x1, x2, ls, s2)
    for i in range(4):
        for j in range(5):
            r = math.sqrt(sum(((x1[i, a] - x2[j, a]) / ls[a]) ** 2 for a in range(3)))
            want = s2 * (1 + math.sqrt(5) * r + 5 * r * r / 3) * math.exp(-math.sqrt(5) * r)
            assert k[i, j] == pytest.approx(want, rel=1e-12)


def test_posterior_mean_and_variance_match_the_direct_formula():
    x, y = _data()
    ls, s2, sn2 = np.array([0.4, 0.9]), 1.3, 1e-2
    gp = GaussianProcess(ls, s2, sn2).fit(x, y)
    xs = np.random.default_rng(3).random((6, 2))
    # direct: mean = K*^T (K + sn2 I)^-1 y, var = k** - K*^T (K + sn2 I)^-1 K*
    k_inv = np.linalg.inv(matern52(x, x, ls, s2) + (sn2 + 1e-9) * np.eye(len(x)))
    k_star = matern52(x, xs, ls, s2)
    mean = k_star.T @ k_inv @ y
    var = np.diag(matern52(xs, xs, ls, s2) - k_star.T @ k_inv @ k_star)
    got_mean, got_var = gp.posterior(xs)
    np.testing.assert_allclose(got_mean, mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_var, var, rtol=1e-7, atol=1e-12)
    # at a training point with little noise the GP nearly interpolates
    m0, v0 = gp.posterior(x[:1])
    assert abs(m0[0] - y[0]) < 0.05 and v0[0] < 0.05


def test_marginal_likelihood_value_and_gradient():
    x, y = _data(n=9, d=3, seed=4)
    gp = GaussianProcess(np.ones(3))
    theta = np.log([0.5, 0.8, 2.0, 1.4, 0.03])
    nll, grad = gp.neg_log_marginal_likelihood(theta, x, y)
    k = matern52(x, x, np.exp(theta[:3]), math.exp(theta[3])) + (
        math.exp(theta[4]) + 1e-9
    ) * np.eye(9)
    want = (
        0.5 * y @ np.linalg.solve(k, y)
        + 0.5 * np.linalg.slogdet(k)[1]
        + 4.5 * math.log(2 * math.pi)
    )
    assert nll == pytest.approx(want, rel=1e-10)
    h = 1e-6
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = h
        fd = (
            gp.neg_log_marginal_likelihood(theta + e, x, y)[0]
            - gp.neg_log_marginal_likelihood(theta - e, x, y)[0]
        ) / (2 * h)
        assert grad[i] == pytest.approx(fd, rel=1e-5, abs=1e-7)


def test_fit_raises_likelihood_and_finds_the_irrelevant_dimension():
    rng = np.random.default_rng(5)
    x = rng.random((25, 2))
    y = np.sin(5 * x[:, 0])  # x[:, 1] does not matter
    y = (y - y.mean()) / y.std()
    gp = GaussianProcess(np.full(2, 0.5), 1.0, 1e-3)
    start = gp.neg_log_marginal_likelihood(np.log([0.5, 0.5, 1.0, 1e-3]), x, y)[0]
    gp.fit_hyperparameters(x, y, rng)
    theta = np.log(np.concatenate([gp.lengthscales, [gp.signal_var, gp.noise_var]]))
    assert gp.neg_log_marginal_likelihood(theta, x, y)[0] < start
    assert gp.lengthscales[1] > 3 * gp.lengthscales[0]  # ARD: long length scale for x[:, 1]


@pytest.mark.parametrize("mean, std, best", [(0.3, 0.5, 0.0), (-1.0, 0.2, 0.0), (2.0, 1.5, 1.0)])
def test_expected_improvement_is_the_expectation_of_the_improvement(mean, std, best):
    # E[max(best - f, 0)] for f ~ N(mean, std^2), by numerical integration
    integrand = lambda f: (best - f) * stats.norm.pdf(f, mean, std)  # noqa: E731
    want, _ = integrate.quad(integrand, -np.inf, best)
    assert expected_improvement(np.array(mean), np.array(std), best) == pytest.approx(
        want, rel=1e-7
    )
    assert log_expected_improvement(np.array([mean]), np.array([std]), best)[0] == pytest.approx(
        math.log(want), rel=1e-7
    )


def test_log_ei_stays_finite_and_accurate_far_from_the_best():
    z = -np.array([5.0, 10.0, 30.0, 100.0])
    got = log_expected_improvement(-z, np.ones(4), 0.0)  # mean = -z, std 1, best 0 -> z
    assert np.all(np.isfinite(got)) and np.all(np.diff(got) < 0)
    # asymptotics: h(z) = phi(z) / z^2 (1 - 3 / z^2 + ...)
    approx = stats.norm.logpdf(z) - 2 * np.log(-z) + np.log1p(-3 / z**2)
    np.testing.assert_allclose(got[1:], approx[1:], rtol=1e-4)
    assert got[0] == pytest.approx(math.log(expected_improvement(5.0, 1.0, 0.0)), rel=1e-9)


def test_encoder_round_trip_rounds_to_grids():
    space = {
        "lr": FloatDistribution(1e-4, 1.0, log=True),
        "n": IntDistribution(2, 10, step=2),
        "k": IntDistribution(1, 64, log=True),
        "act": CategoricalDistribution(("relu", "tanh", "gelu")),
        "p": FloatDistribution(0.0, 0.5, step=0.1),
    }
    enc = _Encoder(space)
    params = {"lr": 1e-2, "n": 6, "k": 8, "act": "tanh", "p": 0.3}
    u = enc.encode(params)
    assert u.shape == (7,) and np.all((u >= 0) & (u <= 1))
    back = enc.decode(u)
    assert back["n"] == 6 and back["k"] == 8 and back["act"] == "tanh"
    assert back["lr"] == pytest.approx(1e-2) and back["p"] == pytest.approx(0.3)
    assert u[enc.columns["lr"]][0] == pytest.approx(0.5)  # log axis: 1e-2 is mid-way
    for v in np.random.default_rng(0).random((50, 7)):
        p = enc.decode(v)
        assert all(space[name].contains(p[name]) for name in space)


def _branin(trial):
    x, y = trial.suggest_float("x", -5, 10), trial.suggest_float("y", 0, 15)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


BRANIN_MIN = 0.397887357729739


def test_gp_beats_random_search_on_a_smooth_function():
    def regret(sampler_cls, seed):
        study = search.create_study(sampler=sampler_cls(seed=seed))
        study.optimize(_branin, n_trials=30)
        return study.best_value - BRANIN_MIN

    seeds = range(3)
    gp = np.median([regret(GPSampler, s) for s in seeds])
    rnd = np.median([regret(RandomSampler, s) for s in seeds])
    assert gp < 0.2 * rnd  # five times closer to the optimum with the same 30 trials


def test_gp_startup_trials_are_the_random_samplers_and_runs_repeat():
    def run(sampler):
        study = search.create_study(sampler=sampler, direction="maximize")
        study.optimize(lambda t: -_branin(t), n_trials=13)
        return [t.params for t in study.trials]

    gp = run(GPSampler(seed=3, n_startup_trials=10))
    assert gp[:10] == run(RandomSampler(seed=3))[:10]
    assert gp == run(GPSampler(seed=3, n_startup_trials=10))


def test_gp_handles_mixed_spaces_and_finds_the_good_category():
    def objective(trial):
        c = trial.suggest_categorical("c", ["bad", "good", "worse"])
        n = trial.suggest_int("n", 1, 32, log=True)
        x = trial.suggest_float("x", -1, 1, step=0.05)
        return {"bad": 1.0, "good": 0.0, "worse": 2.0}[c] + (math.log2(n) - 3) ** 2 / 4 + x * x

    study = search.create_study(sampler=GPSampler(seed=0, n_startup_trials=6))
    study.optimize(objective, n_trials=20)
    later = [t.params for t in study.trials[6:]]
    assert all(isinstance(p["n"], int) and 1 <= p["n"] <= 32 for p in later)
    assert sum(p["c"] == "good" for p in later) > len(later) / 2
    assert study.best_value < 0.3


def test_constant_liar_gives_parallel_trials_distinct_proposals():
    study = search.create_study(sampler=GPSampler(seed=1, n_startup_trials=5))
    study.optimize(_branin, n_trials=8)
    first, second, third = (study._new_request(remote=False) for _ in range(3))
    points = [
        tuple(sorted((n, r.fixed_params[n][1]) for n in r.fixed_params))
        for r in (first, second, third)
    ]
    assert len(set(points)) == 3
    for r in (first, second, third):
        assert set(r.fixed_params) == {"x", "y"}


def test_gp_sampler_argument_errors():
    with pytest.raises(ValueError, match="GPSampler: argument `n_startup_trials`"):
        GPSampler(n_startup_trials=-1)
    with pytest.raises(ValueError, match="GPSampler: argument `seed`"):
        GPSampler(seed="a")


def test_log_posterior_adds_the_length_scale_prior_and_its_gradient():
    x, y = _data(n=8, d=2, seed=6)
    gp = GaussianProcess(np.ones(2))
    theta = np.log([0.2, 3.0, 1.1, 0.01])
    nlp, grad = gp.neg_log_posterior(theta, x, y)
    nll = gp.neg_log_marginal_likelihood(theta, x, y)[0]
    assert nlp - nll == pytest.approx(0.5 * np.sum(((theta[:2] - math.log(0.5)) / 0.5) ** 2))
    h = 1e-6
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        fd = (
            gp.neg_log_posterior(theta + e, x, y)[0] - gp.neg_log_posterior(theta - e, x, y)[0]
        ) / (2 * h)
        assert grad[i] == pytest.approx(fd, rel=1e-5, abs=1e-7)

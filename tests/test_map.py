"""MAP-EM (chapter 07): the prior, its log density, the MAP M-step and the loop.

Outside references: ``scipy.stats.dirichlet`` and ``scipy.stats.invwishart`` for ln p(θ); a
numerical optimiser (``scipy.optimize.minimize``) of Q(θ, θ_old) + ln p(θ) written with SciPy
densities only, for the M-step; NumPy's covariance for the limits of a strong prior.  Properties:
ℓ + ln p(θ) never decreases over many random runs, random perturbations of the MAP M-step never
raise Q + ln p, and the prior removes a collapse that happens without it.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

import gmmbook
from gmmbook import GMM, CollapseError, Prior

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])


def random_spd(rng: np.random.Generator, D: int, scale: float = 1.0) -> np.ndarray:
    """A random symmetric positive definite matrix, deliberately not a multiple of I."""
    A = rng.standard_normal((D, D))
    return scale * (A @ A.T / D + 0.2 * np.eye(D))


def random_prior(rng: np.random.Generator, K: int, D: int) -> Prior:
    return Prior(alpha=1.0 + rng.uniform(0.0, 3.0, size=K), nu0=D - 1 + rng.uniform(0.5, 5.0),
                 psi0=random_spd(rng, D, scale=rng.uniform(0.05, 2.0)))


def clustered_data(rng: np.random.Generator, K: int, D: int) -> np.ndarray:
    """About 25·D points per component around K random centres, drawn with NumPy."""
    N = 25 * D * K + 10
    centres = rng.normal(scale=3.0, size=(K, D))
    scales = rng.uniform(0.3, 2.0, size=(K, D))
    labels = rng.integers(0, K, size=N)
    return centres[labels] + scales[labels] * rng.standard_normal((N, D))


def scipy_log_prior(gmm: GMM, prior: Prior) -> float:
    """ln Dir(π | α) + Σ_k ln IW(Σ_k | ν0, Ψ0), from SciPy's densities."""
    alpha = np.broadcast_to(prior.alpha, (gmm.K,))
    return stats.dirichlet.logpdf(gmm.weights, alpha) + sum(
        stats.invwishart.logpdf(cov, df=prior.nu0, scale=prior.psi0) for cov in gmm.covariances)


# ---------------------------------------------------------------------------------------------
# the Prior and its validation


def test_prior_is_frozen_and_stores_read_only_float64_copies():
    psi0 = np.eye(2)
    prior = Prior(alpha=[1, 2], nu0=3, psi0=psi0)
    psi0[0, 0] = 7.0                                   # the caller's array changes afterwards …
    assert prior.psi0[0, 0] == 1.0                     # … the prior does not
    assert prior.alpha.dtype == prior.psi0.dtype == np.float64 and isinstance(prior.nu0, float)
    assert not prior.alpha.flags.writeable and not prior.psi0.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        prior.nu0 = 5.0
    assert prior.D == 2 and repr(prior).startswith("Prior(alpha=")


PSI = np.array([[2.0, 0.3], [0.3, 1.0]])
BAD_PRIORS = [
    pytest.param(dict(alpha=0.5), "alpha", r"≥ 1", id="alpha-below-1"),
    pytest.param(dict(alpha=[1.0, 0.9]), "alpha", r"≥ 1", id="alpha-entry-below-1"),
    pytest.param(dict(alpha=np.ones((2, 2))), "alpha", r"1-D", id="alpha-2d"),
    pytest.param(dict(alpha=[]), "alpha", r"empty", id="alpha-empty"),
    pytest.param(dict(alpha=[1.0, np.nan]), "alpha", r"NaN", id="alpha-nan"),
    pytest.param(dict(alpha="2"), "alpha", r"numbers", id="alpha-string"),
    pytest.param(dict(nu0=1.0), "nu0", r"> D − 1", id="nu0-at-D-minus-1"),
    pytest.param(dict(nu0=-3.0), "nu0", r"> D − 1", id="nu0-negative"),
    pytest.param(dict(nu0=np.inf), "nu0", r"finite", id="nu0-inf"),
    pytest.param(dict(nu0=True), "nu0", r"number", id="nu0-bool"),
    pytest.param(dict(nu0="3"), "nu0", r"number", id="nu0-string"),
    pytest.param(dict(psi0=np.ones((2, 3))), "psi0", r"square", id="psi0-not-square"),
    pytest.param(dict(psi0=np.ones(2)), "psi0", r"2-D", id="psi0-1d"),
    pytest.param(dict(psi0=[[1.0, 0.5], [0.4, 1.0]]), "psi0", r"symmetric", id="psi0-not-symmetric"),
    pytest.param(dict(psi0=[[1.0, 2.0], [2.0, 1.0]]), "psi0", r"positive definite", id="psi0-indefinite"),
    pytest.param(dict(psi0=np.zeros((2, 2))), "psi0", r"positive definite", id="psi0-zero"),
    pytest.param(dict(psi0=PSI + 0j), "psi0", r"complex", id="psi0-complex"),
]


@pytest.mark.parametrize(("change", "argument", "what"), BAD_PRIORS)
def test_bad_prior_raises_value_error_naming_the_field(change, argument, what):
    fields = dict(alpha=2.0, nu0=3.0, psi0=PSI) | change
    with pytest.raises(ValueError, match=rf"(?<![\w.]){re.escape(argument)}(?!\w)") as info:
        Prior(**fields)
    assert re.search(what, str(info.value)), str(info.value)


X_SMALL = np.random.default_rng(0).normal(size=(20, 2))
RESP_SMALL = np.eye(2)[np.arange(20) % 2]
GMM_SMALL = gmmbook.m_step(X_SMALL, RESP_SMALL)
PRIOR_2D = Prior(alpha=2.0, nu0=3.0, psi0=PSI)

MISFITS = [
    pytest.param(lambda: gmmbook.log_prior(GMM_SMALL, Prior([2.0, 2.0, 2.0], 3.0, PSI)), "prior.alpha",
                 r"K = 2", id="log_prior-alpha-wrong-K"),
    pytest.param(lambda: gmmbook.log_prior(GMM_SMALL, Prior(2.0, 3.0, np.eye(3))), "prior.psi0", r"D = 2",
                 id="log_prior-psi0-wrong-D"),
    pytest.param(lambda: gmmbook.log_prior(GMM_SMALL, (2.0, 3.0, PSI)), "prior", r"Prior", id="log_prior-tuple"),
    pytest.param(lambda: gmmbook.log_prior(PRIOR_2D, GMM_SMALL), "gmm", r"GMM", id="log_prior-swapped"),
    pytest.param(lambda: gmmbook.m_step(X_SMALL, RESP_SMALL, prior=Prior([2.0, 2.0, 2.0], 3.0, PSI)),
                 "prior.alpha", r"K = 2", id="m_step-alpha-wrong-K"),
    pytest.param(lambda: gmmbook.m_step(X_SMALL, RESP_SMALL, prior=Prior(2.0, 3.0, np.eye(1))), "prior.psi0",
                 r"D = 2", id="m_step-psi0-wrong-D"),
    pytest.param(lambda: gmmbook.m_step(X_SMALL, RESP_SMALL, prior="weak"), "prior", r"Prior", id="m_step-string"),
    pytest.param(lambda: gmmbook.m_step(X_SMALL, RESP_SMALL, "diag", prior=PRIOR_2D), "covariance_type",
                 r"'full' only", id="m_step-diag-with-prior"),
    pytest.param(lambda: gmmbook.m_step(X_SMALL, RESP_SMALL, reg_covar=1e-6, prior=PRIOR_2D), "reg_covar",
                 r"must be 0", id="m_step-reg_covar-with-prior"),
    pytest.param(lambda: gmmbook.em(X_SMALL, 3, rng=np.random.default_rng(0), prior=Prior([2.0, 2.0], 3.0, PSI)),
                 "prior.alpha", r"K = 3", id="em-alpha-wrong-K"),
    pytest.param(lambda: gmmbook.em(X_SMALL, GMM_SMALL, prior=Prior(2.0, 3.0, np.eye(3))), "prior.psi0",
                 r"D = 2", id="em-psi0-wrong-D"),
    pytest.param(lambda: gmmbook.em(X_SMALL, GMM_SMALL, covariance_type="tied", prior=PRIOR_2D),
                 "covariance_type", r"'full' only", id="em-tied-with-prior"),
    pytest.param(lambda: gmmbook.em(X_SMALL, GMM_SMALL, reg_covar=1e-3, prior=PRIOR_2D), "reg_covar",
                 r"must be 0", id="em-reg_covar-with-prior"),
]


@pytest.mark.parametrize(("call", "argument", "what"), MISFITS)
def test_prior_that_does_not_fit_raises_value_error_naming_it(call, argument, what):
    with pytest.raises(ValueError, match=rf"(?<![\w.]){re.escape(argument)}(?!\w)") as info:
        call()
    assert re.search(what, str(info.value)), str(info.value)


# ---------------------------------------------------------------------------------------------
# ln p(θ) against SciPy


@pytest.mark.parametrize(("K", "D"), [(1, 1), (2, 1), (3, 2), (2, 4), (4, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_log_prior_matches_scipy(K, D, seed, random_gmm):
    rng = np.random.default_rng(seed)
    gmm = random_gmm(K, D, rng)
    prior = random_prior(rng, K, D)        # non-isotropic Ψ0: a transposed trace term would show
    assert gmmbook.log_prior(gmm, prior) == pytest.approx(scipy_log_prior(gmm, prior), rel=1e-11, abs=1e-11)


def test_log_prior_scalar_alpha_is_symmetric_dirichlet(random_gmm):
    rng = np.random.default_rng(5)
    gmm = random_gmm(3, 2, rng)
    scalar, vector = Prior(2.5, 4.0, PSI), Prior([2.5, 2.5, 2.5], 4.0, PSI)
    assert gmmbook.log_prior(gmm, scalar) == gmmbook.log_prior(gmm, vector)
    assert gmmbook.log_prior(gmm, scalar) == pytest.approx(scipy_log_prior(gmm, vector), rel=1e-12)


def test_log_prior_at_a_zero_weight():
    """π_k = 0: (α_k − 1) ln π_k is 0 for α_k = 1 (SciPy agrees) and −∞ for α_k > 1, without warnings."""
    gmm = GMM([0.0, 1.0], [[0.0], [1.0]], [[[1.0]], [[2.0]]])
    flat_on_0 = Prior([1.0, 2.0], 2.0, [[1.5]])
    assert gmmbook.log_prior(gmm, flat_on_0) == pytest.approx(scipy_log_prior(gmm, flat_on_0), rel=1e-12)
    assert gmmbook.log_prior(gmm, Prior([2.0, 2.0], 2.0, [[1.5]])) == -np.inf


# ---------------------------------------------------------------------------------------------
# the MAP M-step maximises Q + ln p(θ)


def pack(gmm: GMM) -> np.ndarray:
    """θ as unconstrained numbers: ln π (up to a constant), μ, and Cholesky factors with log-diagonals."""
    K, D = gmm.K, gmm.D
    rows, cols = np.tril_indices(D)
    L = np.linalg.cholesky(gmm.covariances)
    L[:, np.arange(D), np.arange(D)] = np.log(np.diagonal(L, axis1=1, axis2=2))
    return np.concatenate([np.log(gmm.weights), gmm.means.ravel(), L[:, rows, cols].ravel()])


def unpack(params: np.ndarray, K: int, D: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = np.tril_indices(D)
    weights = np.exp(params[:K] - np.max(params[:K]))
    means = params[K:K + K * D].reshape(K, D)
    L = np.zeros((K, D, D))
    L[:, rows, cols] = params[K + K * D:].reshape(K, -1)
    L[:, np.arange(D), np.arange(D)] = np.exp(np.diagonal(L, axis1=1, axis2=2))
    return weights / weights.sum(), means, L @ L.transpose(0, 2, 1)


def scipy_objective(params, X, resp, prior, K, D) -> float:
    """−[Q(θ, θ_old) + ln p(θ)] from SciPy densities only (nothing from gmmbook)."""
    weights, means, covs = unpack(params, K, D)
    q = sum(np.sum(resp[:, k] * (np.log(weights[k]) + stats.multivariate_normal(means[k], covs[k]).logpdf(X)))
            for k in range(K))
    log_p = stats.dirichlet.logpdf(weights, np.broadcast_to(prior.alpha, (K,))) + sum(
        stats.invwishart.logpdf(cov, df=prior.nu0, scale=prior.psi0) for cov in covs)
    return -(q + log_p)


@pytest.mark.parametrize(("K", "D", "seed"), [(2, 1, 0), (2, 2, 1), (3, 2, 2)])
def test_map_m_step_matches_numerical_maximiser(K, D, seed):
    """BFGS on −(Q + ln p), started from the maximum-likelihood M-step, lands on the MAP M-step.

    The prior is strong enough to matter: with N_k ≈ 10 and ν0 + D + 1 ≈ 6, dropping the D + 1 or
    the −1 of α_k − 1, or dividing Ψ0 by N_k + ν0, moves Σ_k or π_k by 5–30 %, far beyond the 1e-4
    tolerance of the optimiser (its gradient norm is driven below 1e-7).
    """
    rng = np.random.default_rng(seed)
    N = 10 * K
    X = rng.normal(scale=2.0, size=(N, D)) + np.arange(N)[:, None] % K * 3.0
    resp = rng.dirichlet(np.ones(K), size=N)
    prior = Prior(alpha=np.linspace(2.0, 4.0, K), nu0=D + 1.5, psi0=random_spd(rng, D, scale=3.0))

    closed_form = gmmbook.m_step(X, resp, prior=prior)
    start = gmmbook.m_step(X, resp)
    found = optimize.minimize(scipy_objective, pack(start), args=(X, resp, prior, K, D), method="BFGS",
                              options=dict(gtol=1e-7, maxiter=5000))
    weights, means, covs = unpack(found.x, K, D)

    assert scipy_objective(pack(closed_form), X, resp, prior, K, D) <= found.fun + 1e-9
    np.testing.assert_allclose(closed_form.weights, weights, rtol=1e-4)
    np.testing.assert_allclose(closed_form.means, means, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(closed_form.covariances, covs, rtol=1e-4, atol=1e-4)
    # and the prior moved the answer: the ML M-step is not the maximiser
    assert scipy_objective(pack(start), X, resp, prior, K, D) > found.fun + 1e-3


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 3), D=st.integers(1, 3),
       size=st.floats(1e-3, 0.5), perturbation_seed=st.integers(0, 2**32 - 1))
def test_map_m_step_beats_random_perturbations(perturb_gmm, seed, K, D, size, perturbation_seed):
    rng = np.random.default_rng(seed)
    X = clustered_data(rng, K, D)
    prior = random_prior(rng, K, D)
    resp = rng.dirichlet(np.ones(K), size=X.shape[0])
    new = gmmbook.m_step(X, resp, prior=prior)
    best = gmmbook.q_function(X, new, resp) + gmmbook.log_prior(new, prior)
    ml = gmmbook.m_step(X, resp)
    others = [ml] + [perturb_gmm(new, "full", np.random.default_rng(perturbation_seed), size) for _ in range(5)]
    slack = 1e-10 * abs(best)
    for other in others:
        assert best >= gmmbook.q_function(X, other, resp) + gmmbook.log_prior(other, prior) - slack


def test_map_m_step_with_one_hot_responsibilities_is_the_closed_form():
    """With one-hot responsibilities N_k is a count and S_k is N_k times NumPy's biased covariance."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(30, 2)) * [1.0, 3.0]
    labels = np.arange(30) % 3
    prior = Prior([1.0, 2.0, 5.0], 4.0, PSI)
    gmm = gmmbook.m_step(X, np.eye(3)[labels], prior=prior)
    for k in range(3):
        Xk = X[labels == k]
        n = len(Xk)
        expected = (n * np.cov(Xk, rowvar=False, bias=True) + PSI) / (n + 4.0 + 2 + 1)
        np.testing.assert_allclose(gmm.covariances[k], expected, rtol=1e-12)
        np.testing.assert_allclose(gmm.means[k], Xk.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(gmm.weights, (10 + np.array([1.0, 2.0, 5.0]) - 1) / (30 + 8.0 - 3), rtol=1e-14)


def test_strong_prior_pulls_covariances_to_its_mode():
    """ν0 → ∞ with Ψ0 = (ν0 + D + 1) T: Σ_k = (S_k + Ψ0)/(N_k + ν0 + D + 1) → T.

    Σ_k − T = (S_k − N_k T)/(N_k + ν0 + D + 1), so every entry is within N/ν0 · max|S_k/N_k − T|
    ≤ 50/1e10 · 17 ≈ 1e-7 of T (the data's variances are at most about 16).  The weights and means
    do not depend on ν0 or Ψ0.
    """
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 2)) * [0.5, 4.0]
    resp = rng.dirichlet(np.ones(2), size=50)
    T = np.array([[1.0, 0.4], [0.4, 0.5]])
    nu0 = 1e10
    strong = Prior([1.0, 3.0], nu0, (nu0 + 2 + 1) * T)
    gmm = gmmbook.m_step(X, resp, prior=strong)
    weak = gmmbook.m_step(X, resp, prior=Prior([1.0, 3.0], 1.5, T))
    np.testing.assert_allclose(gmm.covariances, np.stack([T, T]), rtol=0, atol=1e-6)
    assert np.max(np.abs(weak.covariances - T)) > 0.1          # without the pull they are elsewhere
    np.testing.assert_allclose(gmm.means, weak.means, rtol=1e-14)
    np.testing.assert_allclose(gmm.weights, weak.weights, rtol=1e-14)


# ---------------------------------------------------------------------------------------------
# the loop: ℓ + ln p never decreases; EMResult's bookkeeping


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 3), D=st.integers(1, 3))
def test_log_posterior_never_decreases(seed, K, D):
    """ℓ(θ_t) + ln p(θ_t) is non-decreasing (chapter 07; the bound of chapter 06 with ln p added).

    Tolerance: each value is a sum of N log-densities and ln p(θ), each right to a few ulps, so
    near convergence, where the true increase is ~0, the computed difference of two of them can
    be negative by about ε Σ|terms| (measured over 300 random runs: at most 2.9 ε Σ|terms|).  We
    allow 100 ε Σ|terms| (≈ 1e-11 here); a wrong MAP M-step (a transposed trace in ln p, or
    D + 1 dropped) makes it fall by 1e-6 to 0.2 in most runs.
    """
    rng = np.random.default_rng(seed)
    X = clustered_data(rng, K, D)
    prior = random_prior(rng, K, D)
    start = gmmbook.m_step(X, rng.dirichlet(np.ones(K), size=X.shape[0]), prior=prior)
    result = gmmbook.em(X, start, max_iter=40, tol=0.0, prior=prior)
    terms = np.sum(np.abs(gmmbook.log_marginal(X, result.gmm))) + abs(gmmbook.log_prior(result.gmm, prior))
    assert np.all(np.diff(result.log_posteriors) >= -100 * np.finfo(float).eps * terms), np.diff(result.log_posteriors).min()


def test_em_result_with_a_prior(faithful):
    X = (faithful - faithful.mean(axis=0)) / faithful.std(axis=0)
    prior = Prior(alpha=2.0, nu0=3.0, psi0=0.3 * np.eye(2))
    tol = 1e-6
    result = gmmbook.em(X, 3, rng=np.random.default_rng(0), prior=prior, tol=tol)
    start = gmmbook.m_step(X, gmmbook.kmeans_plusplus_start(X, 3, np.random.default_rng(0)), prior=prior)

    assert len(result.log_posteriors) == len(result.log_likelihoods) == result.n_iter + 1
    assert result.log_posteriors[0] == pytest.approx(
        gmmbook.log_likelihood(X, start) + gmmbook.log_prior(start, prior), rel=1e-12)
    np.testing.assert_allclose(result.log_likelihoods[-1], gmmbook.log_likelihood(X, result.gmm), rtol=1e-12)
    assert result.log_posterior - result.log_likelihood == pytest.approx(gmmbook.log_prior(result.gmm, prior),
                                                                          rel=1e-12)
    changes = np.abs(np.diff(result.log_posteriors)) / X.shape[0]
    assert result.converged and changes[-1] < tol and np.all(changes[:-1] >= tol)   # it stops on ℓ + ln p
    # the fixed point: one more MAP step from the result moves nothing beyond the tolerance
    again = gmmbook.m_step(X, result.resp, prior=prior)
    np.testing.assert_allclose(again.covariances, result.gmm.covariances, atol=1e-3)


def test_without_a_prior_the_log_posteriors_are_the_log_likelihoods(faithful):
    result = gmmbook.em(faithful, 2, rng=np.random.default_rng(0), max_iter=30)
    np.testing.assert_array_equal(result.log_posteriors, result.log_likelihoods)


def test_n_init_with_a_prior_keeps_the_highest_log_posterior(faithful):
    X = (faithful - faithful.mean(axis=0)) / faithful.std(axis=0)
    prior = Prior(alpha=1.5, nu0=2.5, psi0=0.2 * np.eye(2))
    stream = np.random.default_rng(4)
    singles = [gmmbook.em(X, 4, rng=stream, prior=prior, tol=1e-6) for _ in range(3)]
    best = gmmbook.em(X, 4, rng=np.random.default_rng(4), prior=prior, tol=1e-6, n_init=3)
    assert best.log_posterior == max(r.log_posterior for r in singles)


# ---------------------------------------------------------------------------------------------
# the prior removes collapse; reg_covar does not climb ℓ + ln p


def test_prior_removes_a_collapse():
    """The start of test_em's collapse test (a component of variance 1e-12 on one point) collapses
    without a prior and converges with one; every Σ_k ⪰ Ψ0/(N_k + ν0 + D + 1) ⪰ λ_min(Ψ0)/(N + ν0 + D + 1) I."""
    X = np.random.default_rng(3).normal(size=(40, 2))
    start = GMM([0.5, 0.5], np.stack([X.mean(axis=0), X[5]]), np.stack([np.cov(X, rowvar=False), 1e-12 * np.eye(2)]))
    with pytest.raises(CollapseError):
        gmmbook.em(X, start)
    prior = Prior(alpha=1.0, nu0=2.0, psi0=0.05 * np.eye(2))
    result = gmmbook.em(X, start, prior=prior)
    assert result.converged
    floor = 0.05 / (40 + 2.0 + 2 + 1)
    assert np.min(np.linalg.eigvalsh(result.gmm.covariances)) >= floor * (1 - 1e-12)
    assert np.all(np.diff(result.log_posteriors) >= -1e-9)
    assert all(np.isfinite(a).all() for a in (result.gmm.weights, result.gmm.means, result.gmm.covariances))


def test_prior_keeps_a_component_on_coincident_points_positive_definite():
    """Ten copies of one point: its component's scatter is exactly 0, and Σ_k = Ψ0/(N_k + ν0 + D + 1)."""
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(size=(50, 2)), np.full((10, 2), 8.0)])
    resp = np.zeros((60, 2))
    resp[:50, 0] = resp[50:, 1] = 1.0
    with pytest.raises(CollapseError, match=r"component 1\b"):
        gmmbook.m_step(X, resp)
    prior = Prior(1.0, 2.0, PSI)
    gmm = gmmbook.m_step(X, resp, prior=prior)
    np.testing.assert_allclose(gmm.covariances[1], PSI / (10 + 2.0 + 2 + 1), rtol=1e-14)


def test_reg_covar_can_lower_the_log_likelihood(faithful):
    """On standardised Old Faithful with K = 2 and reg_covar = 1, ℓ falls by about 13 in one
    iteration: S_k/N_k + εI is not the maximiser of Q, so the chain of chapter 06 (monotone) breaks.
    Without the floor, from the same start, ℓ never falls (beyond rounding)."""
    Z = (faithful - faithful.mean(axis=0)) / faithful.std(axis=0)
    floored = gmmbook.em(Z, 2, rng=np.random.default_rng(0), reg_covar=1.0, tol=0.0, max_iter=100)
    assert np.diff(floored.log_likelihoods).min() < -10
    plain = gmmbook.em(Z, 2, rng=np.random.default_rng(0), tol=0.0, max_iter=100)
    assert np.diff(plain.log_likelihoods).min() >= -1e-12 * abs(plain.log_likelihood)

"""Tests for gmmbook.em: E-step, M-step, the Q function and the EM loop (chapters 04–06).

Every expected value comes from outside gmmbook:

* NumPy (per-cluster means, ``np.cov(..., bias=True)``) for the M-step with one-hot responsibilities;
* scikit-learn's ``GaussianMixture`` run from the same start, for one step and for 50 steps,
  in all four covariance types;
* SciPy densities (``scipy.stats.norm``, ``multivariate_normal``) for responsibilities, the
  log-likelihood and the Q function, and a Monte Carlo average for Q with a stated tolerance;
* published numbers: the textbook 1-D example after one EM step, and the maximum
  log-likelihood −1130.26 of a two-component full-covariance mixture on Old Faithful
  (e.g. R's ``mclust``, model VVV with G = 2).

Property tests (hypothesis) check what the theory guarantees: the log-likelihood never
decreases, the M-step maximises Q over its covariance family, and the bookkeeping of
:class:`gmmbook.EMResult`.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp as scipy_logsumexp
from sklearn.mixture import GaussianMixture

import gmmbook
from gmmbook import GMM, CollapseError
from references import (COVARIANCE_TYPES, collapse_start, constrained, faithful_start, sklearn_fit,
                        sklearn_full_covariances, sklearn_loglik_trace)

#: Hypothesis settings for this file: few examples (EM runs are not free), no deadline (the
#: machine is shared), and no example database written into the repository.
PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --------------------------------------------------------------------------------------------
# Data and starts (the Old Faithful start and scikit-learn helpers are in references.py)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faithful_X():
    """Old Faithful, shape (272, 2)."""
    return gmmbook.datasets.old_faithful()


def synthetic_3d(seed: int = 20240611, n: int = 300) -> np.ndarray:
    """Three overlapping, differently shaped 3-D clusters, drawn with NumPy (not gmmbook)."""
    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -2.0], [-2.0, 3.0, 1.0]])
    covs = np.array([
        [[1.0, 0.3, 0.0], [0.3, 0.8, 0.2], [0.0, 0.2, 0.5]],
        [[0.6, -0.2, 0.1], [-0.2, 1.2, 0.0], [0.1, 0.0, 0.9]],
        [[1.5, 0.0, 0.4], [0.0, 0.4, 0.0], [0.4, 0.0, 1.0]],
    ])
    labels = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    return np.stack([rng.multivariate_normal(means[z], covs[z]) for z in labels])


@pytest.fixture(scope="module")
def synthetic_X():
    """Synthetic 3-D data, shape (300, 3)."""
    return synthetic_3d()


def synthetic_start(covariance_type: str) -> GMM:
    """A start for the 3-D data that is deliberately off: shifted means, unit-ish covariances."""
    weights = np.array([0.2, 0.3, 0.5])
    means = np.array([[1.0, -1.0, 0.5], [2.0, 2.0, -1.0], [-1.0, 2.0, 2.0]])
    covs = np.array([
        [[2.0, 0.5, 0.0], [0.5, 1.0, 0.1], [0.0, 0.1, 1.5]],
        [[1.0, 0.0, -0.3], [0.0, 1.0, 0.0], [-0.3, 0.0, 1.0]],
        [[1.2, -0.4, 0.0], [-0.4, 2.0, 0.3], [0.0, 0.3, 0.7]],
    ])
    return GMM(weights, means, constrained(covs, weights, covariance_type))


# --------------------------------------------------------------------------------------------
# scikit-learn as the reference implementation
# --------------------------------------------------------------------------------------------


def rel_err(actual, expected) -> float:
    """Normwise relative error max|actual − expected| / max|expected|."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    return float(np.max(np.abs(actual - expected)) / np.max(np.abs(expected)))


def assert_matches_sklearn(gmm: GMM, sk: GaussianMixture, rtol: float):
    errors = {
        "weights": rel_err(gmm.weights, sk.weights_),
        "means": rel_err(gmm.means, sk.means_),
        "covariances": rel_err(gmm.covariances, sklearn_full_covariances(sk, gmm.K, gmm.D)),
    }
    assert max(errors.values()) < rtol, errors


# --------------------------------------------------------------------------------------------
# Independent SciPy references
# --------------------------------------------------------------------------------------------


def scipy_log_joint(X, gmm: GMM) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k) from scipy.stats.multivariate_normal, shape (N, K)."""
    return np.column_stack([
        np.log(w) + stats.multivariate_normal(mean=m, cov=c).logpdf(X).reshape(-1)
        for w, m, c in zip(gmm.weights, gmm.means, gmm.covariances)
    ])


# --------------------------------------------------------------------------------------------
# 1. M-step with one-hot responsibilities = per-cluster sample statistics
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("D", [1, 2, 4])
def test_m_step_one_hot_equals_cluster_statistics(D):
    rng = np.random.default_rng(100 + D)
    N, K = 90, 3
    X = rng.normal(size=(N, D)) * rng.uniform(0.5, 3.0, size=D) + rng.uniform(-5, 5, size=D)
    labels = np.concatenate([np.arange(K), rng.integers(0, K, size=N - K)])  # no cluster empty
    rng.shuffle(labels)
    resp = np.eye(K)[labels]

    gmm = gmmbook.m_step(X, resp)

    for k in range(K):
        Xk = X[labels == k]
        expected_cov = np.cov(Xk, rowvar=False, bias=True).reshape(D, D)
        np.testing.assert_allclose(gmm.means[k], Xk.mean(axis=0), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(gmm.covariances[k], expected_cov, rtol=1e-10, atol=1e-12)
        assert gmm.weights[k] == pytest.approx(len(Xk) / N, rel=1e-14)


# --------------------------------------------------------------------------------------------
# 2. One EM step against scikit-learn, every covariance type and reg_covar
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reg_covar", [0.0, 1e-6, 1e-3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_em_step_matches_sklearn(synthetic_X, covariance_type, reg_covar):
    start = synthetic_start(covariance_type)
    resp, _ = gmmbook.e_step(synthetic_X, start)
    gmm = gmmbook.m_step(synthetic_X, resp, covariance_type=covariance_type, reg_covar=reg_covar)

    sk = sklearn_fit(synthetic_X, start, covariance_type, reg_covar, max_iter=1)

    assert_matches_sklearn(gmm, sk, rtol=1e-9)
    # The step moved: the comparison is not between two copies of the start.
    assert rel_err(gmm.means, start.means) > 1e-2


def test_m_step_reg_covar_is_added_to_the_diagonal(synthetic_X):
    start = synthetic_start("full")
    resp, _ = gmmbook.e_step(synthetic_X, start)
    plain = gmmbook.m_step(synthetic_X, resp)
    regularised = gmmbook.m_step(synthetic_X, resp, reg_covar=1e-3)
    np.testing.assert_allclose(regularised.covariances - plain.covariances,
                               np.broadcast_to(1e-3 * np.eye(3), (3, 3, 3)), atol=1e-14)


# --------------------------------------------------------------------------------------------
# 3. Fifty EM iterations against scikit-learn
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("data", ["old_faithful", "synthetic_3d"])
def test_fifty_iterations_match_sklearn(request, data, covariance_type):
    if data == "old_faithful":
        X, start = request.getfixturevalue("faithful_X"), faithful_start(covariance_type)
    else:
        X, start = request.getfixturevalue("synthetic_X"), synthetic_start(covariance_type)
    reg_covar, n_iter = 1e-6, 50

    result = gmmbook.em(X, start, max_iter=n_iter, tol=0.0, reg_covar=reg_covar,
                        covariance_type=covariance_type)
    sk = sklearn_fit(X, start, covariance_type, reg_covar, max_iter=n_iter)

    assert result.n_iter == n_iter
    assert_matches_sklearn(result.gmm, sk, rtol=1e-6)
    # sklearn's score is the mean log-likelihood per point; ours is the total.
    assert result.log_likelihood == pytest.approx(sk.score(X) * X.shape[0], rel=1e-9)


# --------------------------------------------------------------------------------------------
# 4. The textbook 1-D example (published numbers)
# --------------------------------------------------------------------------------------------


def test_textbook_example_one_step():
    X, start = gmmbook.datasets.textbook_1d()
    resp, _ = gmmbook.e_step(X, start)
    gmm = gmmbook.m_step(X, resp)

    # Published after one E- and M-step; compared to half a unit in the last printed digit.
    np.testing.assert_allclose(resp.sum(axis=0), [2.06, 2.01, 2.93], atol=0.005)
    np.testing.assert_allclose(gmm.means.ravel(), [-2.7, -0.4, 3.7], atol=0.05)
    np.testing.assert_allclose(gmm.covariances.ravel(), [0.14, 0.44, 1.53], atol=0.005)
    np.testing.assert_allclose(gmm.weights, [0.29, 0.29, 0.42], atol=0.005)


def test_textbook_responsibilities_match_scipy_norm():
    X, start = gmmbook.datasets.textbook_1d()
    x = X.ravel()
    means, variances, weights = [-4.0, 0.0, 8.0], [1.0, 0.2, 3.0], np.full(3, 1 / 3)
    joint = np.column_stack([w * stats.norm(m, np.sqrt(v)).pdf(x)
                             for w, m, v in zip(weights, means, variances)])
    expected_resp = joint / joint.sum(axis=1, keepdims=True)

    resp, loglik = gmmbook.e_step(X, start)

    np.testing.assert_allclose(resp, expected_resp, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-14)
    assert loglik == pytest.approx(np.sum(np.log(joint.sum(axis=1))), rel=1e-12)


# --------------------------------------------------------------------------------------------
# 5. Old Faithful, K = 2, full covariances: the published maximum, and n_init
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_old_faithful_reaches_published_maximum(faithful_X, seed):
    result = gmmbook.em(faithful_X, 2, rng=np.random.default_rng(seed))
    assert result.converged
    assert result.log_likelihood == pytest.approx(-1130.26, abs=0.01)


def test_n_init_returns_the_best_start(faithful_X):
    # K = 3 on Old Faithful has several local maxima; with seed 0 the three consecutive
    # k-means++ starts end in different ones, the best being neither the first nor the last.
    K, n_init, seed, options = 3, 3, 0, dict(tol=1e-6, max_iter=300)
    stream = np.random.default_rng(seed)
    singles = [gmmbook.em(faithful_X, K, rng=stream, **options) for _ in range(n_init)]
    lls = [r.log_likelihood for r in singles]
    assert max(lls) - min(lls) > 0.1, f"the starts should reach different maxima: {lls}"

    best = gmmbook.em(faithful_X, K, rng=np.random.default_rng(seed), n_init=n_init, **options)

    assert best.log_likelihood == max(lls)
    winner = singles[int(np.argmax(lls))]
    np.testing.assert_array_equal(best.gmm.means, winner.gmm.means)
    assert all(best.log_likelihood >= ll for ll in lls)


# --------------------------------------------------------------------------------------------
# 6. Properties (hypothesis)
# --------------------------------------------------------------------------------------------


def random_problem(seed: int, K: int, D: int, covariance_type: str):
    """Clustered data with about 25·D points per component and a soft random start θ_old.

    The start is one M-step from Dirichlet-random responsibilities, so it is a valid θ of the
    requested covariance family with every component spread over all the data.
    """
    rng = np.random.default_rng(seed)
    N = 25 * D * K + 10
    centres = rng.normal(scale=3.0, size=(K, D))
    scales = rng.uniform(0.3, 2.0, size=(K, D))
    labels = rng.integers(0, K, size=N)
    X = centres[labels] + scales[labels] * rng.standard_normal((N, D))
    resp0 = rng.dirichlet(np.ones(K), size=N)
    start = gmmbook.m_step(X, resp0, covariance_type=covariance_type)
    return X, start, rng


problems = dict(
    seed=st.integers(0, 2**32 - 1),
    K=st.integers(1, 3),
    D=st.integers(1, 3),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
)


@PROPERTY_SETTINGS
@given(**problems)
def test_log_likelihood_never_decreases(seed, K, D, covariance_type):
    X, start, _ = random_problem(seed, K, D, covariance_type)
    result = gmmbook.em(X, start, max_iter=30, tol=0.0, covariance_type=covariance_type)
    lls = result.log_likelihoods
    assert np.all(np.isfinite(lls))
    slack = 1e-12 * np.abs(lls[:-1])
    assert np.all(np.diff(lls) >= -slack), np.diff(lls).min()
    for array in (result.gmm.weights, result.gmm.means, result.gmm.covariances, result.resp):
        assert np.all(np.isfinite(array))


@PROPERTY_SETTINGS
@given(**problems, size=st.floats(1e-3, 0.5), perturbation_seed=st.integers(0, 2**32 - 1))
def test_m_step_maximises_q(perturb_gmm, seed, K, D, covariance_type, size, perturbation_seed):
    X, old, _ = random_problem(seed, K, D, covariance_type)
    resp, _ = gmmbook.e_step(X, old)
    new = gmmbook.m_step(X, resp, covariance_type=covariance_type)
    q_new = gmmbook.q_function(X, new, resp)
    rng = np.random.default_rng(perturbation_seed)
    slack = 1e-10 * abs(q_new)
    for other in [old] + [perturb_gmm(new, covariance_type, rng, size) for _ in range(5)]:
        assert q_new >= gmmbook.q_function(X, other, resp) - slack


@PROPERTY_SETTINGS
@given(**problems)
def test_e_step_loglik_matches_log_likelihood_and_scipy(seed, K, D, covariance_type):
    X, gmm, _ = random_problem(seed, K, D, covariance_type)
    resp, loglik = gmmbook.e_step(X, gmm)
    log_joint = scipy_log_joint(X, gmm)
    assert loglik == pytest.approx(gmmbook.log_likelihood(X, gmm), rel=1e-12)
    assert loglik == pytest.approx(np.sum(scipy_logsumexp(log_joint, axis=1)), rel=1e-10)
    expected_resp = np.exp(log_joint - scipy_logsumexp(log_joint, axis=1, keepdims=True))
    np.testing.assert_allclose(resp, expected_resp, rtol=1e-8, atol=1e-12)


@PROPERTY_SETTINGS
@given(**problems, tol=st.sampled_from([0.0, 1e-8, 1e-5, 1e-3]), max_iter=st.integers(1, 40))
def test_em_result_fields_are_consistent(seed, K, D, covariance_type, tol, max_iter):
    X, start, _ = random_problem(seed, K, D, covariance_type)
    N = X.shape[0]
    result = gmmbook.em(X, start, max_iter=max_iter, tol=tol, covariance_type=covariance_type)

    assert len(result.log_likelihoods) == result.n_iter + 1
    assert 1 <= result.n_iter <= max_iter
    assert result.log_likelihoods[0] == pytest.approx(gmmbook.log_likelihood(X, start), rel=1e-12)
    assert result.log_likelihood == result.log_likelihoods[-1]
    assert result.log_likelihood == pytest.approx(gmmbook.log_likelihood(X, result.gmm), rel=1e-12)
    np.testing.assert_allclose(result.resp, gmmbook.responsibilities(X, result.gmm), rtol=1e-10, atol=1e-14)

    changes = np.abs(np.diff(result.log_likelihoods)) / N      # change of the mean log-likelihood
    assert np.all(changes[:-1] >= tol)                          # it did not stop early
    if result.converged:
        assert changes[-1] < tol
    else:
        assert result.n_iter == max_iter and changes[-1] >= tol
    if tol == 0.0:
        assert result.n_iter == max_iter and not result.converged


# --------------------------------------------------------------------------------------------
# 7. The Q function
# --------------------------------------------------------------------------------------------


def q_problem():
    """Two overlapping 2-D clusters, θ_old and a different θ at which Q is evaluated."""
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.multivariate_normal([0, 0], np.eye(2), size=30),
                        rng.multivariate_normal([2, 0.5], [[1.0, 0.4], [0.4, 0.7]], size=20)])
    old = GMM(np.array([0.5, 0.5]), np.array([[0.0, 0.0], [2.0, 0.0]]),
              np.array([np.eye(2), np.eye(2)]))
    theta = GMM(np.array([0.3, 0.7]), np.array([[0.5, -0.2], [1.5, 1.0]]),
                np.array([[[1.5, 0.3], [0.3, 0.8]], [[0.6, -0.1], [-0.1, 1.2]]]))
    return X, old, theta


def test_q_function_equals_direct_double_sum():
    X, old, theta = q_problem()
    resp = gmmbook.responsibilities(X, old)
    direct = 0.0
    for n in range(X.shape[0]):
        for k in range(theta.K):
            density = stats.multivariate_normal(theta.means[k], theta.covariances[k]).pdf(X[n])
            direct += resp[n, k] * (np.log(theta.weights[k]) + np.log(density))
    assert gmmbook.q_function(X, theta, resp) == pytest.approx(direct, rel=1e-12)


def test_q_function_is_expected_complete_data_log_likelihood():
    # Q(θ, θ_old) = E_{Z ~ p(Z | X, θ_old)} ln p(X, Z | θ): average over sampled Z.
    X, old, theta = q_problem()
    resp = gmmbook.responsibilities(X, old)
    table = scipy_log_joint(X, theta)                    # ln p(x_n, z_n = k | θ), (N, K)
    rng = np.random.default_rng(2024)
    M, N = 4000, X.shape[0]
    u = rng.random((M, N, 1))
    labels = np.minimum((u > np.cumsum(resp, axis=1)).sum(axis=2), theta.K - 1)   # (M, N)
    complete = table[np.arange(N), labels].sum(axis=1)   # ln p(X, Z_m | θ), (M,)
    mean, se = complete.mean(), complete.std(ddof=1) / np.sqrt(M)
    assert se > 0
    # Four standard errors: a false alarm has probability ≈ 6e-5 (and the seed is fixed).
    assert abs(mean - gmmbook.q_function(X, theta, resp)) < 4 * se


def test_q_function_skips_zero_responsibility_of_weightless_component():
    # A component of weight 0 has ln π_k = −∞ but r_nk = 0: its terms count as 0, not NaN.
    X, old, _ = q_problem()
    theta = GMM(np.array([1.0, 0.0]), old.means, old.covariances)
    resp = np.column_stack([np.ones(len(X)), np.zeros(len(X))])
    expected = np.sum(stats.multivariate_normal(old.means[0], old.covariances[0]).logpdf(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)   # no "invalid value" from 0 · (−∞) either
        q = gmmbook.q_function(X, theta, resp)
    assert q == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------------
# 8. Collapse
# --------------------------------------------------------------------------------------------


def assert_finite_result(result):
    for array in (result.log_likelihoods, result.gmm.weights, result.gmm.means,
                  result.gmm.covariances, result.resp):
        assert np.all(np.isfinite(array))


@pytest.mark.parametrize("D", [1, 2])
def test_component_on_one_point_collapses(D):
    X = np.random.default_rng(3).normal(size=(40, D))
    start = collapse_start(X, n=5)
    with pytest.raises(CollapseError, match=r"component 1\b.*reg_covar") as info:
        gmmbook.em(X, start)
    assert isinstance(info.value, ValueError)
    assert "one data point" in str(info.value)

    result = gmmbook.em(X, start, reg_covar=1e-6, max_iter=20)
    assert_finite_result(result)


def test_duplicated_points_collapse():
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(size=(50, 2)), np.full((10, 2), 8.0)])   # ten copies of (8, 8)
    with pytest.raises(CollapseError, match=r"component \d+\b.*reg_covar"):
        gmmbook.em(X, 2, rng=np.random.default_rng(0))
    result = gmmbook.em(X, 2, rng=np.random.default_rng(0), reg_covar=1e-6, max_iter=50)
    assert_finite_result(result)


def test_component_without_responsibility_collapses():
    X = np.random.default_rng(5).normal(size=(30, 1))
    far = GMM(np.full(3, 1 / 3), np.array([[-0.5], [0.5], [1e6]]), np.ones((3, 1, 1)))
    resp, _ = gmmbook.e_step(X, far)
    assert np.all(resp[:, 2] == 0)        # the premise: component 2's responsibility underflows
    with pytest.raises(CollapseError, match=r"component 2\b"):
        gmmbook.em(X, far)


def test_m_step_with_empty_column_collapses():
    X = np.random.default_rng(6).normal(size=(20, 2))
    resp = np.zeros((20, 3))
    resp[:10, 0] = 1.0
    resp[10:, 2] = 1.0
    with pytest.raises(CollapseError, match=r"component 1\b"):
        gmmbook.m_step(X, resp)


# --------------------------------------------------------------------------------------------
# 9. init as a number of components
# --------------------------------------------------------------------------------------------


def test_int_init_requires_rng(faithful_X):
    with pytest.raises(ValueError, match="rng"):
        gmmbook.em(faithful_X, 2)


def test_int_init_is_reproducible(faithful_X):
    a = gmmbook.em(faithful_X, 3, rng=np.random.default_rng(11), max_iter=30)
    b = gmmbook.em(faithful_X, 3, rng=np.random.default_rng(11), max_iter=30)
    np.testing.assert_array_equal(a.log_likelihoods, b.log_likelihoods)
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(getattr(a.gmm, name), getattr(b.gmm, name))
    np.testing.assert_array_equal(a.resp, b.resp)


# --------------------------------------------------------------------------------------------
# 9. em's fused pass: the E-step and the M-step's sums in one blocked pass (issue 13)
# --------------------------------------------------------------------------------------------

em_module = importlib.import_module("gmmbook.em")


def fused_problem(N: int = 203, seed: int = 5):
    """Three 4-D clusters drawn with NumPy, and a start that is not their fit."""
    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 0.0, 0.0, 0.0], [3.0, 1.0, -2.0, 0.5], [-2.0, 3.0, 1.0, -1.0]])
    A = rng.normal(size=(3, 4, 4))
    covs = A @ A.transpose(0, 2, 1) / 4 + 0.3 * np.eye(4)
    labels = rng.choice(3, size=N, p=[0.5, 0.3, 0.2])
    X = np.stack([rng.multivariate_normal(means[z], covs[z]) for z in labels])
    start = GMM(np.array([0.3, 0.3, 0.4]), X[[0, 1, 2]], np.broadcast_to(np.cov(X.T), (3, 4, 4)))
    return X, start


@pytest.mark.parametrize("rows", [1, 7, 64, 202, 203, 10_000])
def test_fused_pass_equals_scipy_and_numpy_for_any_block_size(rows):
    """The fused pass against references outside it, with blocks that do and do not divide N = 203.

    Responsibilities and ℓ from SciPy's densities; N_k, μ_k and Σ_k from NumPy's weighted mean and
    ``np.cov(aweights=…, bias=True)`` with those responsibilities.  A block boundary that drops,
    repeats or misaligns rows (the last, partial block of 7 rows holds 0 of them) breaks all of them.
    """
    X, gmm = fused_problem()
    N, K = X.shape[0], gmm.K
    centre = X.mean(axis=0)
    resp_t = np.full((K, N), np.nan)
    loglik, nk, s, T = em_module._e_step_and_moments(X, gmm, centre, resp_t, rows=rows)

    joint = np.column_stack([np.log(gmm.weights[k]) + stats.multivariate_normal(gmm.means[k], gmm.covariances[k]).logpdf(X)
                             for k in range(K)])
    log_marginal = scipy_logsumexp(joint, axis=1)
    resp = np.exp(joint - log_marginal[:, None])
    np.testing.assert_allclose(resp_t.T, resp, rtol=0, atol=1e-13)
    assert loglik == pytest.approx(np.sum(log_marginal), rel=1e-13)
    np.testing.assert_allclose(nk, resp.sum(axis=0), rtol=1e-13)
    means = centre + s / nk[:, None]
    scatter = T - s[:, :, None] * s[:, None, :] / nk[:, None, None]
    for k in range(K):
        np.testing.assert_allclose(means[k], np.average(X, axis=0, weights=resp[:, k]), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(scatter[k] / nk[k], np.cov(X.T, aweights=resp[:, k], bias=True), rtol=1e-11, atol=1e-13)


def test_em_takes_the_fused_route_and_matches_sklearn_at_every_iteration(monkeypatch):
    """Same start, 30 iterations: scikit-learn's whole log-likelihood trace and final θ to 1e-12."""
    X, start = fused_problem(N=3000)
    calls = []
    fused = em_module._e_step_and_moments
    monkeypatch.setattr(em_module, "_e_step_and_moments", lambda *args: calls.append(1) or fused(*args))
    n_iter = 30
    result = gmmbook.em(X, start, max_iter=n_iter, tol=0.0, reg_covar=1e-6)
    assert len(calls) == n_iter + 1                     # every E-step was the fused pass
    trace = sklearn_loglik_trace(X, start, "full", 1e-6, n_iter)
    np.testing.assert_allclose(result.log_likelihoods[:n_iter] / X.shape[0], trace, rtol=1e-12)
    assert_matches_sklearn(result.gmm, sklearn_fit(X, start, "full", 1e-6, max_iter=n_iter), rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fused_route_gives_the_exact_routes_fit(monkeypatch, covariance_type):
    """The fused pass and the exact route (log densities per component, two-pass scatter) agree to 1e-12."""
    X, start = fused_problem(N=1000)
    start = GMM(start.weights, start.means, constrained(start.covariances, start.weights, covariance_type))
    fused = gmmbook.em(X, start, max_iter=25, tol=0.0, covariance_type=covariance_type)
    monkeypatch.setattr(em_module, "_fast_route_fits", lambda gmm, centre: False)
    exact = gmmbook.em(X, start, max_iter=25, tol=0.0, covariance_type=covariance_type)
    np.testing.assert_allclose(fused.log_likelihoods, exact.log_likelihoods, rtol=1e-12)
    for name in ("weights", "means", "covariances"):
        assert rel_err(getattr(fused.gmm, name), getattr(exact.gmm, name)) < 1e-12, name


def test_clusters_far_apart_for_their_width_take_the_exact_route(monkeypatch):
    """Two clusters 2e4 apart with variances near 1: the fit of each is its sample mean and covariance.

    No responsibility crosses 2e4 standard deviations (it underflows to 0), so after one step each
    component holds one cluster and EM's fixed point is NumPy's mean and ``np.cov(bias=True)`` of it.
    About the common centre, between the clusters, the fused pass would cancel second moments of
    1e8 down to variances of about 1, leaving errors near 1e8 ε ≈ 2e-8; the exact route stays near
    1e4 ε ≈ 2e-12, so em must take it.
    """
    rng = np.random.default_rng(11)
    A = rng.normal(size=(300, 2)) @ np.array([[1.0, 0.4], [0.0, 0.8]]) - 1e4
    B = rng.normal(size=(200, 2)) @ np.array([[0.7, 0.0], [0.3, 1.2]]) + 1e4
    X = np.concatenate([A, B])
    start = GMM(np.array([0.5, 0.5]), np.array([[-1e4 + 0.5, 0.0], [1e4 - 0.5, 0.0]]), np.stack([np.eye(2)] * 2))
    assert not em_module._fast_route_fits(start, X.mean(axis=0))

    def errors(result):
        return max(max(rel_err(result.gmm.means[k], cluster.mean(axis=0)),
                       rel_err(result.gmm.covariances[k], np.cov(cluster.T, bias=True))) for k, cluster in enumerate((A, B)))

    assert errors(gmmbook.em(X, start, max_iter=3, tol=0.0)) < 1e-10
    # and the check can fail: with the guard lifted, em takes the fused pass and misses
    monkeypatch.setattr(em_module, "_MAX_MOMENT_RATIO", np.inf)
    assert errors(gmmbook.em(X, start, max_iter=3, tol=0.0)) > 1e-10

"""The mixture θ = {π, μ, Σ}: construction, marginal, likelihood, posterior, sampling, data sets.

References: SciPy's multivariate_normal densities, Bayes' rule written out, closed forms, and
numbers published with R's ``datasets::faithful``.
"""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax
from scipy.stats import chisquare, multivariate_normal

import gmmbook
from gmmbook import datasets


def scipy_densities(X, gmm):
    """N(x_n | μ_k, Σ_k) from SciPy, shape (N, K)."""
    return np.column_stack(
        [np.atleast_1d(multivariate_normal(gmm.means[k], gmm.covariances[k]).pdf(X)) for k in range(gmm.K)]
    )


def scipy_log_densities(X, gmm):
    """ln N(x_n | μ_k, Σ_k) from SciPy, shape (N, K)."""
    return np.column_stack(
        [np.atleast_1d(multivariate_normal(gmm.means[k], gmm.covariances[k]).logpdf(X)) for k in range(gmm.K)]
    )


def points_around(gmm, rng, n_per_component=15, spread=2.0):
    return np.concatenate([gmm.means[k] + spread * rng.standard_normal((n_per_component, gmm.D)) for k in range(gmm.K)])


# ---------------------------------------------------------------------------------------------
# construction


@pytest.fixture
def inputs():
    weights = np.array([0.2, 0.3, 0.5])
    means = np.array([[0.0, 1.0], [2.0, -1.0], [5.0, 5.0]])
    covariances = np.array([np.eye(2), [[2.0, 0.3], [0.3, 1.0]], [[0.5, -0.1], [-0.1, 0.4]]])
    return weights, means, covariances


@pytest.mark.parametrize("field", ["weights", "means", "covariances"])
def test_gmm_fields_are_read_only(inputs, field):
    gmm = gmmbook.GMM(*inputs)
    array = getattr(gmm, field)
    assert not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        array[(0,) * array.ndim] = 7.0


@pytest.mark.parametrize("field", ["weights", "means", "covariances"])
def test_gmm_cannot_be_reassigned(inputs, field):
    gmm = gmmbook.GMM(*inputs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(gmm, field, getattr(gmm, field))


@pytest.mark.parametrize(("index", "field"), [(0, "weights"), (1, "means"), (2, "covariances")])
def test_gmm_copies_its_inputs(inputs, index, field):
    original = inputs[index]
    gmm = gmmbook.GMM(*inputs)
    assert not np.shares_memory(getattr(gmm, field), original)
    before = original.copy()
    original *= 3.0  # the caller changes its own array afterwards …
    np.testing.assert_array_equal(getattr(gmm, field), before)  # … and θ does not change


def test_gmm_stores_float64_from_lists():
    gmm = gmmbook.GMM([1, 0], [[1], [2]], [[[1]], [[2]]])
    assert all(array.dtype == np.float64 for array in (gmm.weights, gmm.means, gmm.covariances))
    np.testing.assert_array_equal(gmm.covariances, [[[1.0]], [[2.0]]])


@pytest.mark.parametrize(("K", "D"), [(1, 1), (3, 1), (1, 4), (2, 5)])
def test_gmm_K_and_D(K, D, rng, random_gmm):
    gmm = random_gmm(K, D, rng)
    assert (gmm.K, gmm.D) == (K, D)
    assert gmm.weights.shape == (K,)
    assert gmm.means.shape == (K, D)
    assert gmm.covariances.shape == (K, D, D)


def test_gmm_repr_is_short_and_names_K_and_D(inputs):
    assert repr(gmmbook.GMM(*inputs)).startswith("GMM(K=3, D=2")


# ---------------------------------------------------------------------------------------------
# marginal, likelihood, posterior against SciPy


@pytest.mark.parametrize(("K", "D"), [(1, 1), (3, 1), (2, 2), (4, 5)])
def test_log_marginal_is_log_of_weighted_sum_of_scipy_densities(K, D, rng, random_gmm):
    gmm = random_gmm(K, D, rng)
    X = points_around(gmm, rng)
    expected = np.log(scipy_densities(X, gmm) @ gmm.weights)
    np.testing.assert_allclose(gmmbook.log_marginal(X, gmm), expected, rtol=1e-12)


@pytest.mark.parametrize(("K", "D"), [(1, 1), (3, 2), (4, 5)])
def test_log_likelihood_is_the_sum_over_points(K, D, rng, random_gmm):
    gmm = random_gmm(K, D, rng)
    X = points_around(gmm, rng)
    expected = np.sum(np.log(scipy_densities(X, gmm) @ gmm.weights))
    loglik = gmmbook.log_likelihood(X, gmm)
    assert isinstance(loglik, float)
    assert loglik == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("K", "D"), [(1, 1), (3, 1), (2, 2), (4, 5)])
def test_responsibilities_are_bayes_rule(K, D, rng, random_gmm):
    gmm = random_gmm(K, D, rng)
    X = points_around(gmm, rng)
    resp = gmmbook.responsibilities(X, gmm)
    joint = scipy_densities(X, gmm) * gmm.weights  # π_k N(x_n | μ_k, Σ_k)
    assert resp.shape == (X.shape[0], K)
    assert np.all(resp >= 0)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(resp, joint / joint.sum(axis=1, keepdims=True), rtol=1e-10, atol=1e-13)


def test_zero_weight_component_gets_no_responsibility(rng):
    gmm = gmmbook.GMM([0.0, 1.0], [[0.0], [3.0]], [[[1.0]], [[1.0]]])
    X = rng.standard_normal((10, 1))  # right on top of the weight-0 component
    log_joint = gmmbook.log_joint(X, gmm)
    assert np.all(log_joint[:, 0] == -np.inf)
    np.testing.assert_allclose(log_joint[:, 1], np.log(multivariate_normal(3.0, 1.0).pdf(X[:, 0])), rtol=1e-12)
    resp = gmmbook.responsibilities(X, gmm)
    np.testing.assert_array_equal(resp, np.column_stack([np.zeros(10), np.ones(10)]))


@pytest.mark.parametrize("D", [1, 2, 5])
def test_responsibilities_finite_for_points_1e6_sds_from_every_component(D, rng, random_gmm):
    gmm = random_gmm(3, D, rng)
    largest_sd = np.sqrt(max(np.linalg.eigvalsh(cov).max() for cov in gmm.covariances))
    directions = rng.standard_normal((6, D))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    # ‖x − μ_k‖ ≥ 1e6 · largest sd for every k: Mahalanobis distances ≥ 1e6
    X = (1e6 * largest_sd + np.abs(gmm.means).max() * np.sqrt(D)) * directions * 1.01
    assert all(np.min(np.linalg.norm(X - mean, axis=1)) >= 1e6 * largest_sd for mean in gmm.means)
    assert np.all(scipy_densities(X, gmm) == 0.0)  # Bayes' rule in probability space would give 0/0
    resp = gmmbook.responsibilities(X, gmm)
    assert np.all(np.isfinite(resp)) and np.all(resp >= 0)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # Bayes' rule in log space with SciPy's log densities (≈ −1e12, accurate to ~1e-4 absolute)
    expected = softmax(np.log(gmm.weights) + scipy_log_densities(X, gmm), axis=1)
    np.testing.assert_allclose(resp, expected, rtol=0, atol=1e-6)
    assert np.all(np.isfinite(gmmbook.log_marginal(X, gmm)))


def test_responsibilities_finite_in_300_dimensions(rng, random_gmm):
    gmm = random_gmm(3, 300, rng)
    X = points_around(gmm, rng, n_per_component=10, spread=3.0)
    log_densities = scipy_log_densities(X, gmm)
    assert np.all(log_densities < -745)  # every density underflows to 0 outside log space
    resp = gmmbook.responsibilities(X, gmm)
    assert np.all(np.isfinite(resp)) and np.all(resp >= 0)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    expected = softmax(np.log(gmm.weights) + log_densities, axis=1)
    np.testing.assert_allclose(resp, expected, rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# properties: permuting the components changes nothing but the column order


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 4), D=st.integers(1, 3), data=st.data())
def test_permuting_components(random_gmm, seed, K, D, data):
    permutation = np.array(data.draw(st.permutations(range(K)), label="permutation"))
    rng = np.random.default_rng(seed)
    gmm = random_gmm(K, D, rng)
    permuted = gmmbook.GMM(gmm.weights[permutation], gmm.means[permutation], gmm.covariances[permutation])
    X = 4.0 * rng.standard_normal((25, D))
    np.testing.assert_allclose(gmmbook.log_marginal(X, permuted), gmmbook.log_marginal(X, gmm), rtol=1e-12, atol=1e-12)
    assert gmmbook.log_likelihood(X, permuted) == pytest.approx(gmmbook.log_likelihood(X, gmm), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(
        gmmbook.responsibilities(X, permuted), gmmbook.responsibilities(X, gmm)[:, permutation], rtol=1e-10, atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# sampling

N_SAMPLE = 20_000


@pytest.fixture(scope="module")
def drawn():
    """A large sample from a 2-D mixture with correlated, unequal-variance components."""
    gmm = datasets.three_component_2d()
    X, labels = gmmbook.sample(gmm, N_SAMPLE, np.random.default_rng(12345))
    return gmm, X, labels


def test_sample_shapes_and_label_range(drawn):
    gmm, X, labels = drawn
    assert X.shape == (N_SAMPLE, gmm.D) and X.dtype == np.float64
    assert labels.shape == (N_SAMPLE,) and np.issubdtype(labels.dtype, np.integer)
    assert set(np.unique(labels)) == set(range(gmm.K))


def test_sample_component_frequencies_match_weights(drawn):
    """Chi-square goodness of fit of the label counts to N·π.

    Threshold p > 1e-3: for a correct sampler the p-value is uniform on (0, 1), so a fixed seed
    fails with probability 1e-3 (it would only need changing if NumPy's stream changed and we
    were that unlucky).  A wrong π is not hard to detect at N = 20 000: the second assertion shows
    that the same counts give p < 1e-3 against weights that are off by only 0.02.
    """
    gmm, _, labels = drawn
    counts = np.bincount(labels, minlength=gmm.K)
    assert chisquare(counts, N_SAMPLE * gmm.weights).pvalue > 1e-3
    nearby = gmm.weights + np.array([0.02, -0.02, 0.0])
    assert chisquare(counts, N_SAMPLE * nearby).pvalue < 1e-3  # the test has power


@pytest.mark.parametrize("k", [0, 1, 2])
def test_sample_component_means_and_covariances(drawn, k):
    """Component k's sample mean and covariance lie within 5 standard errors of μ_k and Σ_k.

    SE(x̄_d) = sqrt(Σ_dd / n_k); for Gaussian data SE(S_ij) = sqrt((Σ_ii Σ_jj + Σ_ij²) / (n_k − 1)).
    A 5-SE bound is exceeded with probability 6e-7 per entry (< 1e-5 over all 15 entries), while a
    transposed Cholesky factor (x = μ + Lᵀε) shifts Σ_0's entries by ≥ 30 SE.
    """
    gmm, X, labels = drawn
    Xk = X[labels == k]
    n_k = Xk.shape[0]
    cov = gmm.covariances[k]
    var = np.diag(cov)
    np.testing.assert_array_less(np.abs(Xk.mean(axis=0) - gmm.means[k]), 5 * np.sqrt(var / n_k))
    cov_se = np.sqrt((np.outer(var, var) + cov**2) / (n_k - 1))
    np.testing.assert_array_less(np.abs(np.cov(Xk, rowvar=False) - cov), 5 * cov_se)


def test_sample_rows_match_their_labels(rng):
    """With components 100 sds apart, each point's most probable component (by SciPy) is its label."""
    gmm = gmmbook.GMM([0.3, 0.3, 0.4], [[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]],
                      [np.eye(2), [[2.0, 0.5], [0.5, 1.0]], [[1.0, -0.3], [-0.3, 0.5]]])
    X, labels = gmmbook.sample(gmm, 500, rng)
    most_probable = np.argmax(np.log(gmm.weights) + scipy_log_densities(X, gmm), axis=1)
    np.testing.assert_array_equal(labels, most_probable)


def test_sample_rows_are_not_grouped_by_component(drawn):
    """Labels interleave: adjacent labels differ about as often as for independent draws.

    For i.i.d. labels, P(z_i ≠ z_{i+1}) = 1 − Σ_k π_k²; grouped rows would change label only
    K − 1 times.  We require at least 90 % of the expected number of changes (the standard
    deviation of the count is under 1 % of it here).
    """
    gmm, _, labels = drawn
    changes = np.count_nonzero(labels[1:] != labels[:-1])
    expected = (N_SAMPLE - 1) * (1 - np.sum(gmm.weights**2))
    assert changes >= 0.9 * expected


def test_sample_same_seed_same_sample_other_seed_other_sample():
    gmm = datasets.three_component_2d()
    X1, labels1 = gmmbook.sample(gmm, 200, np.random.default_rng(7))
    X2, labels2 = gmmbook.sample(gmm, 200, np.random.default_rng(7))
    X3, _ = gmmbook.sample(gmm, 200, np.random.default_rng(8))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(labels1, labels2)
    assert not np.array_equal(X1, X3)


def test_sample_never_draws_a_weight_zero_component(rng):
    gmm = gmmbook.GMM([0.5, 0.0, 0.5], [[0.0], [5.0], [10.0]], np.ones((3, 1, 1)))
    _, labels = gmmbook.sample(gmm, 2000, rng)
    assert not np.any(labels == 1)


def test_sample_accepts_numpy_integer_n(rng):
    X, labels = gmmbook.sample(datasets.two_component_1d(), np.int64(3), rng)
    assert X.shape == (3, 1) and labels.shape == (3,)


# ---------------------------------------------------------------------------------------------
# data sets


def test_old_faithful_shape_and_end_rows(faithful):
    assert faithful.shape == (272, 2)
    np.testing.assert_array_equal(faithful[0], [3.6, 79.0])
    np.testing.assert_array_equal(faithful[-1], [4.467, 74.0])


def test_old_faithful_matches_published_summaries(faithful):
    """R: colMeans(faithful) = 3.487783 70.89706; sapply(faithful, sd) = 1.141371 13.59497;
    cor(faithful)[1, 2] = 0.9008112.  Tolerance: half a unit in the last printed digit."""
    eruptions, waiting = faithful.T
    assert eruptions.mean() == pytest.approx(3.487783, abs=5e-7)
    assert waiting.mean() == pytest.approx(70.89706, abs=5e-6)
    assert eruptions.std(ddof=1) == pytest.approx(1.141371, abs=5e-7)
    assert waiting.std(ddof=1) == pytest.approx(13.59497, abs=5e-6)
    assert np.corrcoef(faithful, rowvar=False)[0, 1] == pytest.approx(0.9008112, abs=5e-8)


def test_old_faithful_returns_a_new_array_each_call():
    first = datasets.old_faithful()
    first[:] = 0.0
    np.testing.assert_array_equal(datasets.old_faithful()[0], [3.6, 79.0])


# The example mixtures with the values their docstrings (and the chapters) state.
NAMED_MIXTURES = {
    "three_component_1d": ([0.3, 0.5, 0.2], [[-2.0], [1.0], [4.0]], [[[0.5]], [[1.0]], [[0.3]]]),
    "two_component_1d": ([0.5, 0.5], [[-2.0], [2.0]], [[[1.0]], [[1.0]]]),
    "textbook_1d": ([1 / 3, 1 / 3, 1 / 3], [[-4.0], [0.0], [8.0]], [[[1.0]], [[0.2]], [[3.0]]]),
    "three_component_2d": (
        [0.5, 0.3, 0.2],
        [[0.0, 0.0], [4.0, 3.0], [-3.0, 3.0]],
        [[[1.0, 0.5], [0.5, 1.0]], [[0.5, 0.0], [0.0, 1.5]], [[1.0, -0.6], [-0.6, 1.0]]],
    ),
    "elongated_2d": ([0.5, 0.5], [[0.0, -1.5], [0.0, 1.5]], [np.diag([4.0, 0.15])] * 2),
    "overlapping_2d": ([0.5, 0.5], [[0.0, 0.0], [2.0, 0.0]], [np.eye(2)] * 2),
    "old_faithful_poor_start": ([0.5, 0.5], [[3.0, 76.0], [4.0, 66.0]], [np.diag([0.4, 60.0])] * 2),
}


def _named_gmm(name):
    made = getattr(datasets, name)()
    return made[1] if name == "textbook_1d" else made


@pytest.mark.parametrize("name", sorted(NAMED_MIXTURES))
def test_named_mixture_is_a_valid_gmm(name):
    gmm = _named_gmm(name)
    assert isinstance(gmm, gmmbook.GMM)
    K, D = gmm.K, gmm.D
    assert gmm.weights.shape == (K,) and gmm.means.shape == (K, D) and gmm.covariances.shape == (K, D, D)
    assert np.all(gmm.weights >= 0) and gmm.weights.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(gmm.covariances, gmm.covariances.transpose(0, 2, 1))
    assert np.all(np.linalg.eigvalsh(gmm.covariances) > 0)
    weights, means, covariances = NAMED_MIXTURES[name]
    np.testing.assert_allclose(gmm.weights, weights, rtol=1e-15)
    np.testing.assert_array_equal(gmm.means, means)
    np.testing.assert_array_equal(gmm.covariances, covariances)


def test_textbook_1d_data():
    X, _ = datasets.textbook_1d()
    np.testing.assert_array_equal(X, np.array([[-3.0], [-2.5], [-1.0], [0.0], [2.0], [4.0], [5.0]]))


def test_every_named_mixture_is_tested():
    public = {
        name for name, f in inspect.getmembers(datasets, inspect.isfunction)
        if not name.startswith("_") and f.__module__ == datasets.__name__
    }
    assert public - {"old_faithful"} == set(NAMED_MIXTURES)

"""Singularity is judged per component (issue 13, item 1): healthy clusters at any offset fit,
true collapses at any offset are still reported.

References: NumPy's per-cluster statistics (for clusters so far apart that the responsibilities
are exactly one-hot), scikit-learn's ``GaussianMixture`` from the same start, and mclust's
published Old Faithful fit (ℓ = −1130.264 for K = 2, full covariances).
"""

from __future__ import annotations

import numpy as np
import pytest

import gmmbook
from gmmbook import GMM, CollapseError
from references import COVARIANCE_TYPES, collapse_start, faithful_start, sklearn_fit, sklearn_full_covariances


def test_two_clusters_1e9_apart_fit_like_sklearn_and_numpy():
    """Two unit-variance clusters 1e9 apart (D = 1, 200 points each).

    So far apart, the responsibilities are exactly one-hot, so EM's fixed point is each cluster's
    own mean and (biased) variance: NumPy's, to rounding.  scikit-learn (which fits these data)
    agrees: one of its EM steps from our fit leaves the variances where they are, so our fit is a
    fixed point of its EM too (its means are off by up to ~200 ε · 1e9 ≈ 4e-5 from its one-pass
    sums, which moves the variances by (4e-5)² only).
    """
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(200, 1)), 1e9 + rng.normal(size=(200, 1))])
    result = gmmbook.em(X, 2, rng=np.random.default_rng(0))
    order = np.argsort(result.gmm.means[:, 0])
    for k, part in zip(order, (X[:200], X[200:])):
        assert result.gmm.means[k, 0] == pytest.approx(np.mean(part), rel=1e-15, abs=1e-13)
        assert result.gmm.covariances[k, 0, 0] == pytest.approx(np.var(part), rel=1e-9)
    sk = sklearn_fit(X, result.gmm, "full", reg_covar=0.0, max_iter=1)
    np.testing.assert_allclose(sk.covariances_.ravel(), result.gmm.covariances.ravel(), rtol=1e-9)


def doubled_start(start: GMM, offset: float) -> GMM:
    """K = 2 start for one copy of the data → K = 4 start for two copies ``offset`` apart."""
    return GMM(np.concatenate([start.weights, start.weights]) / 2,
               np.concatenate([start.means, start.means + offset]),
               np.concatenate([start.covariances, start.covariances]))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_two_copies_of_old_faithful_1e8_apart_fit(faithful, covariance_type):
    """K = 4 on two copies of Old Faithful 1e8 apart is K = 2 on one copy, twice.

    No responsibility crosses 1e8 (it underflows to exactly 0), so from the doubled start EM runs
    K = 2 EM on each copy with the weights halved (for 'tied', the shared covariance averages the
    same two scatters).  Reference: scikit-learn's K = 2 fit on one copy from the same start.
    At 1e8 a coordinate is known to ε·1e8 ≈ 2e-8, which limits the agreement to ~1e-6.
    """
    offset, n_iter = 1e8, 50
    X2 = np.concatenate([faithful, faithful + offset])
    start = faithful_start(covariance_type)
    result = gmmbook.em(X2, doubled_start(start, offset), max_iter=n_iter, tol=0.0, covariance_type=covariance_type)
    sk = sklearn_fit(faithful, start, covariance_type, reg_covar=0.0, max_iter=n_iter)

    gmm = result.gmm
    sk_covs = sklearn_full_covariances(sk, 2, 2)
    for half, shift in ((slice(0, 2), 0.0), (slice(2, 4), offset)):
        np.testing.assert_allclose(2 * gmm.weights[half], sk.weights_, rtol=1e-6)
        np.testing.assert_allclose(gmm.means[half] - shift, sk.means_, rtol=1e-6)
        np.testing.assert_allclose(gmm.covariances[half], sk_covs, rtol=1e-6)
    one_copy = sk.score(faithful) * faithful.shape[0]
    assert result.log_likelihood == pytest.approx(2 * one_copy - X2.shape[0] * np.log(2), rel=1e-8)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_two_copies_of_old_faithful_from_k_means(faithful, covariance_type):
    """From a k-means++ start (seed 1 splits the components 2 + 2), EM converges on the doubled data
    to twice the K = 2 optimum of one copy; for 'full' that is mclust's published ℓ = −1130.264, so
    ℓ = 2 · (−1130.264) − N ln 2 with N = 544."""
    X2 = np.concatenate([faithful, faithful + 1e8])
    result = gmmbook.em(X2, 4, rng=np.random.default_rng(1), covariance_type=covariance_type)
    one_copy = gmmbook.em(faithful, 2, rng=np.random.default_rng(0), covariance_type=covariance_type)
    assert result.converged
    assert result.log_likelihood == pytest.approx(2 * one_copy.log_likelihood - 544 * np.log(2), abs=1e-3)
    if covariance_type == "full":
        assert result.log_likelihood == pytest.approx(2 * -1130.264 - 544 * np.log(2), abs=1e-3)


# Collapses are still collapses far from the origin, where a variance below (ε·|x|)² is noise.
OFFSETS = [0.0, 1e4, 1e8, 1e12, -1e12]


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("D", [1, 2])
def test_component_on_one_point_collapses_at_any_offset(D, offset):
    X = np.random.default_rng(3).normal(size=(40, D)) + offset
    with pytest.raises(CollapseError, match=r"component 1\b.*one data point"):
        gmmbook.em(X, collapse_start(X, n=5))


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("D", [1, 2])
def test_coincident_points_collapse_at_any_offset(D, offset):
    """1000 copies of one point: a one-pass mean of them is off by up to ~1000 ε |x|, which would
    leave a variance of ~(1000 ε |x|)² that looks resolvable; the M-step's corrected mean gives 0."""
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(size=(50, D)), np.full((1000, D), 8.3)]) + offset
    resp = np.zeros((1050, 2))
    resp[:50, 0] = resp[50:, 1] = 1.0
    with pytest.raises(CollapseError, match=r"component 1\b.*data points \(too few, or all equal\)"):
        gmmbook.m_step(X, resp)


@pytest.mark.parametrize("offset", OFFSETS)
def test_points_on_a_line_collapse_at_any_offset(offset):
    """A component on 20 points of a line in 2-D: its covariance has rank 1 (up to rounding)."""
    rng = np.random.default_rng(5)
    t = rng.normal(size=20)
    X = np.concatenate([rng.normal(size=(50, 2)), np.column_stack([10 + t, 10 + 2 * t])]) + offset
    with pytest.raises(CollapseError, match=r"component \d\b.*20 data points"):
        gmmbook.em(X, 2, rng=np.random.default_rng(0))


@pytest.mark.parametrize("offset", OFFSETS)
def test_healthy_narrow_cluster_fits_at_any_offset(offset):
    """A cluster of standard deviation 1e-3 beside one of 1, both at ``offset``: it is resolvable
    (1e-3 ≫ ε·1e12 ≈ 2e-4 at the largest offset), so EM must fit it, not call it collapsed.

    Reference: each cluster's variance from NumPy, computed on the cluster minus its first point
    (an exact subtraction) so that NumPy's own mean is not off by ε·|offset|.  The clusters are 5
    apart, so each point's responsibility for the other component is below 1e-8, and the fitted
    variances match the clusters' to 1e-6.
    """
    rng = np.random.default_rng(6)
    X = np.concatenate([rng.normal(size=(100, 1)), 5 + 1e-3 * rng.normal(size=(100, 1))]) + offset
    result = gmmbook.em(X, 2, rng=np.random.default_rng(0))
    variances = np.sort(result.gmm.covariances.ravel())
    expected = np.sort([np.var(X[:100] - X[0]), np.var(X[100:] - X[100])])
    np.testing.assert_allclose(variances, expected, rtol=1e-6)

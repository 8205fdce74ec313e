"""Log densities and log-sum-exp (gmmbook.gaussian) against SciPy.

The Gaussian kernels are private, so the densities are reached through the public
``gmmbook.log_joint``: ln π_k + ln N(x_n | μ_k, Σ_k), minus ln π_k.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp as scipy_logsumexp
from scipy.stats import multivariate_normal

import gmmbook


def scipy_log_densities(X: np.ndarray, gmm: gmmbook.GMM) -> np.ndarray:
    """ln N(x_n | μ_k, Σ_k) from SciPy, shape (N, K)."""
    return np.column_stack(
        [np.atleast_1d(multivariate_normal(gmm.means[k], gmm.covariances[k]).logpdf(X)) for k in range(gmm.K)]
    )


# ---------------------------------------------------------------------------------------------
# log densities


@pytest.mark.parametrize("D", [1, 2, 5, 50])
def test_log_densities_match_scipy(D, rng, random_gmm):
    gmm = random_gmm(3, D, rng)
    # points around every component, and some between them
    X = np.concatenate([gmm.means[k] + 2.0 * rng.standard_normal((20, D)) for k in range(gmm.K)])
    log_densities = gmmbook.log_joint(X, gmm) - np.log(gmm.weights)
    np.testing.assert_allclose(log_densities, scipy_log_densities(X, gmm), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("offset", [1e6, -1e6, 1e8])
@pytest.mark.parametrize("D", [1, 2, 5])
def test_log_densities_match_scipy_far_from_origin(D, offset, rng):
    """Data and means near ``offset`` with unit spread: no digits may be lost.

    SciPy subtracts the mean first, so its values are accurate to a few ulps here.  A kernel
    that expands ‖(x − μ)ᵀP‖² as xᵀP − μᵀP without a shift loses about |offset|·ε relative
    accuracy (1e-10 at 1e6, 1e-8 at 1e8) and fails rtol = 1e-12.
    """
    K = 3
    weights = np.full(K, 1.0 / K)
    means = offset + rng.standard_normal((K, D))
    A = rng.standard_normal((K, D, D))
    covariances = A @ A.transpose(0, 2, 1) / D + 0.5 * np.eye(D)
    gmm = gmmbook.GMM(weights, means, covariances)
    X = offset + 1.5 * rng.standard_normal((40, D))
    log_densities = gmmbook.log_joint(X, gmm) - np.log(weights)
    np.testing.assert_allclose(log_densities, scipy_log_densities(X, gmm), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("separation", [1e6, 1e8])
@pytest.mark.parametrize("D", [1, 2, 5])
def test_log_densities_match_scipy_for_means_far_apart(D, separation, rng):
    """Means ±separation apart, unit-scale covariances, points near each mean.

    A kernel that centres on one shared point (e.g. the mean of the means) keeps an offset of
    ``separation`` for every component and loses about separation·ε relative accuracy.
    """
    means = np.stack([-separation + rng.standard_normal(D), separation + rng.standard_normal(D)])
    A = rng.standard_normal((2, D, D))
    covariances = A @ A.transpose(0, 2, 1) / D + 0.5 * np.eye(D)
    gmm = gmmbook.GMM([0.5, 0.5], means, covariances)
    X = np.concatenate([means[0] + rng.standard_normal((20, D)), means[1] + rng.standard_normal((20, D))])
    log_densities = gmmbook.log_joint(X, gmm) - np.log(0.5)
    np.testing.assert_allclose(log_densities, scipy_log_densities(X, gmm), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("D", [1, 2, 3, 10])
def test_log_density_closed_form_standard_normal(D):
    """ln N(0 | 0, I_D) = −(D/2) ln 2π and ln N(x | 0, 4 I_D) = −(D/2) ln 8π − ‖x‖²/8 (closed forms)."""
    X = np.vstack([np.zeros(D), np.arange(1.0, D + 1)])
    gmm = gmmbook.GMM([0.5, 0.5], np.zeros((2, D)), np.stack([np.eye(D), 4.0 * np.eye(D)]))
    expected = np.array(
        [
            [-0.5 * D * np.log(2 * np.pi), -0.5 * D * np.log(8 * np.pi)],
            [-0.5 * D * np.log(2 * np.pi) - X[1] @ X[1] / 2, -0.5 * D * np.log(8 * np.pi) - X[1] @ X[1] / 8],
        ]
    )
    np.testing.assert_allclose(gmmbook.log_joint(X, gmm) - np.log(0.5), expected, rtol=1e-14)

# ---------------------------------------------------------------------------------------------
# logsumexp against SciPy

LSE_CASES = [
    pytest.param(np.array([0.1, -2.0, 3.5]), -1, id="ordinary-1d"),
    pytest.param(np.array([-np.inf, 0.0, -1.0]), -1, id="one-minus-inf"),
    pytest.param(np.array([-np.inf, -np.inf]), -1, id="all-minus-inf"),
    pytest.param(np.array([[-np.inf, -np.inf], [0.0, -np.inf], [1.0, 2.0]]), 1, id="rows-with-minus-inf"),
    pytest.param(np.array([1000.0, 999.0, -5.0]), -1, id="huge-exp-overflows"),
    pytest.param(np.array([-1000.0, -1001.0, -2000.0]), -1, id="tiny-exp-underflows"),
    pytest.param(np.array([1e300, -1e300, 0.0]), -1, id="plus-minus-1e300"),
    pytest.param(np.array([709.0, -745.0, 0.0]), -1, id="edges-of-exp-range"),
    pytest.param(np.array([[1.0, 2.0, 3.0], [-1e5, 0.0, 1e5]]), 0, id="2d-axis0"),
    pytest.param(np.array([[1.0, 2.0, 3.0], [-1e5, 0.0, 1e5]]), 1, id="2d-axis1"),
    pytest.param(np.linspace(-50, 50, 24).reshape(2, 3, 4), 1, id="3d-middle-axis"),
    pytest.param(np.array([-7.25]), -1, id="single-entry"),
    pytest.param(np.full(10_000, -3.0), -1, id="many-equal-entries"),
]


@pytest.mark.parametrize(("a", "axis"), LSE_CASES)
def test_logsumexp_matches_scipy(a, axis):
    result = gmmbook.logsumexp(a, axis=axis)
    expected = scipy_logsumexp(a, axis=axis)
    assert np.shape(result) == np.shape(expected)
    # assert_allclose treats equal infinities as equal, so −∞ rows are checked exactly
    np.testing.assert_allclose(result, expected, rtol=1e-14, atol=0)


def test_logsumexp_accepts_lists_and_returns_scalar_for_1d():
    result = gmmbook.logsumexp([0.0, 0.0])
    assert np.ndim(result) == 0
    assert result == pytest.approx(np.log(2.0), rel=1e-15)


def test_logsumexp_extreme_range_does_not_overflow():
    """ln(e^a + e^b) = a when b − a underflows; here b − a = −3.4e308 overflows to −∞.

    The exact answer is 1.7e308.  The subtraction a − max(a) overflows harmlessly (e^−∞ = 0), but
    it must not emit a RuntimeWarning: the project turns those into errors, and the docstring
    promises "without overflow or underflow".  (SciPy's logsumexp warns here too, so the
    reference is the closed form.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = gmmbook.logsumexp(np.array([1.7e308, -1.7e308]))
    assert result == 1.7e308


@pytest.mark.parametrize(
    "a",
    [
        pytest.param(np.array([0.0, np.nan]), id="nan"),
        pytest.param(np.array([0.0, np.inf]), id="plus-inf"),
        pytest.param(np.array([[0.0, 1.0], [np.nan, -np.inf]]), id="nan-2d"),
        pytest.param(np.array([]), id="empty"),
        pytest.param(np.zeros((3, 0)), id="empty-axis"),
        pytest.param(np.float64(1.0), id="0-d"),
        pytest.param("abc", id="string"),
        pytest.param([[1.0], [1.0, 2.0]], id="ragged"),
    ],
)
def test_logsumexp_rejects_bad_input(a):
    with pytest.raises(ValueError, match=r"\ba\b"):
        gmmbook.logsumexp(a)

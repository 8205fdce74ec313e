"""Model selection: parameter counts, BIC and AIC, against closed forms and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

import gmmbook

COVARIANCE_TYPES = ["full", "diag", "spherical", "tied"]


def covariance_count(K, D, covariance_type):
    """Free covariance parameters, counted entry by entry: a symmetric D×D matrix has as many
    free entries as its lower triangle (np.tril_indices), a diagonal one D, a scaled identity 1."""
    triangle = len(np.tril_indices(D)[0])
    return {"full": K * triangle, "diag": K * D, "spherical": K, "tied": triangle}[covariance_type]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("K", "D"), [(1, 1), (1, 3), (2, 1), (3, 2), (5, 7)])
def test_n_parameters_closed_form(K, D, covariance_type):
    """K·D means + (K − 1) free weights (they sum to 1) + the covariance parameters."""
    expected = K * D + (K - 1) + covariance_count(K, D, covariance_type)
    assert gmmbook.n_parameters(K, D, covariance_type) == expected


@pytest.mark.parametrize(
    ("K", "D", "covariance_type", "count"),
    [
        # worked by hand: means + weights + covariances
        (1, 1, "full", 1 + 0 + 1),
        (3, 2, "full", 6 + 2 + 9),
        (3, 2, "diag", 6 + 2 + 6),
        (3, 2, "spherical", 6 + 2 + 3),
        (3, 2, "tied", 6 + 2 + 3),
        (2, 5, "full", 10 + 1 + 30),
        (2, 5, "tied", 10 + 1 + 15),
    ],
)
def test_n_parameters_hand_counts(K, D, covariance_type, count):
    assert gmmbook.n_parameters(K, D, covariance_type) == count


def test_n_parameters_default_is_full():
    assert gmmbook.n_parameters(3, 4) == gmmbook.n_parameters(3, 4, "full")


def _blobs(D: int) -> np.ndarray:
    """Three well-separated Gaussian blobs in D dimensions, 150 points."""
    rng = np.random.default_rng(D)
    centres = 6.0 * rng.standard_normal((3, D))
    return np.concatenate([c + rng.standard_normal((50, D)) for c in centres])


DATASETS = {
    "faithful": gmmbook.datasets.old_faithful,
    "blobs-1d": lambda: _blobs(1),
    "blobs-4d": lambda: _blobs(4),
}
FITS = [
    pytest.param(data, K, covariance_type, id=f"{data}-K{K}-{covariance_type}")
    for data, K in [("faithful", 2), ("faithful", 3), ("blobs-1d", 3), ("blobs-4d", 2)]
    for covariance_type in COVARIANCE_TYPES
]


def as_full(covariances: np.ndarray, covariance_type: str, K: int, D: int) -> np.ndarray:
    """scikit-learn's covariances_ expanded to full (K, D, D) matrices."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "diag":  # (K, D)
        return np.einsum("kd,de->kde", covariances, np.eye(D))
    if covariance_type == "spherical":  # (K,)
        return covariances[:, None, None] * np.eye(D)
    return np.broadcast_to(covariances, (K, D, D))  # tied: (D, D)


@pytest.fixture(scope="module")
def fitted():
    """Fit each scikit-learn model once per module: {(data, K, type): (X, sklearn model, gmmbook.GMM)}."""
    cache = {}

    def fit(data, K, covariance_type):
        key = (data, K, covariance_type)
        if key not in cache:
            X = DATASETS[data]()
            model = GaussianMixture(K, covariance_type=covariance_type, random_state=0).fit(X)
            D = X.shape[1]
            gmm = gmmbook.GMM(model.weights_, model.means_, as_full(model.covariances_, covariance_type, K, D))
            cache[key] = X, model, gmm
        return cache[key]

    return fit


@pytest.mark.parametrize(("data", "K", "covariance_type"), FITS)
def test_n_parameters_matches_sklearn(fitted, data, K, covariance_type):
    X, model, _ = fitted(data, K, covariance_type)
    assert gmmbook.n_parameters(K, X.shape[1], covariance_type) == model._n_parameters()


@pytest.mark.parametrize(("data", "K", "covariance_type"), FITS)
def test_bic_matches_sklearn(fitted, data, K, covariance_type):
    X, model, gmm = fitted(data, K, covariance_type)
    assert gmmbook.bic(X, gmm, covariance_type) == pytest.approx(model.bic(X), rel=1e-9)


@pytest.mark.parametrize(("data", "K", "covariance_type"), FITS)
def test_aic_matches_sklearn(fitted, data, K, covariance_type):
    X, model, gmm = fitted(data, K, covariance_type)
    assert gmmbook.aic(X, gmm, covariance_type) == pytest.approx(model.aic(X), rel=1e-9)


def test_bic_and_aic_default_to_full(fitted):
    X, model, gmm = fitted("faithful", 2, "full")
    assert gmmbook.bic(X, gmm) == pytest.approx(model.bic(X), rel=1e-9)
    assert gmmbook.aic(X, gmm) == pytest.approx(model.aic(X), rel=1e-9)


def test_bic_penalises_the_covariance_type_given(fitted):
    """The same θ scored as 'full' and as 'spherical' differs by exactly Δp · ln N (and Δp · 2 for AIC)."""
    X, _, gmm = fitted("faithful", 3, "spherical")
    N, D = X.shape
    delta_p = covariance_count(3, D, "full") - covariance_count(3, D, "spherical")
    bic_gap = gmmbook.bic(X, gmm, "full") - gmmbook.bic(X, gmm, "spherical")
    aic_gap = gmmbook.aic(X, gmm, "full") - gmmbook.aic(X, gmm, "spherical")
    assert bic_gap == pytest.approx(delta_p * np.log(N), rel=1e-9)
    assert aic_gap == pytest.approx(2.0 * delta_p, rel=1e-9)


def test_old_faithful_k2_matches_published_mclust_fit(faithful):
    """R's mclust (Scrucca et al. 2016), ``mclustBIC(faithful)``: model VVV (full covariances) with G = 2 has
    BIC = −2322.192 in mclust's sign convention 2ℓ − M ln N (ours is −2ℓ + M ln N), M = 11, so ℓ = −1130.264.
    (``Mclust(faithful, G = 2)`` would select model VVE, whose BIC −2320.433 is higher.)"""
    mclust_bic, M = -2322.192, 11
    assert (mclust_bic + M * np.log(272)) / 2 == pytest.approx(-1130.264, abs=5e-4)
    fit = gmmbook.em(faithful, 2, rng=np.random.default_rng(0))
    assert fit.log_likelihood == pytest.approx(-1130.264, abs=5e-4)
    assert gmmbook.n_parameters(2, 2, "full") == 11
    assert gmmbook.bic(faithful, fit.gmm) == pytest.approx(2322.192, abs=5e-4)

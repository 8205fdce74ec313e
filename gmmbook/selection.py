"""Model selection: counting parameters, AIC and BIC (chapter 01, section "counting
parameters"; chapter 06, section "choosing K").  Conventions as in scikit-learn.
"""

from __future__ import annotations

import numpy as np

from . import validation
from .mixture import GMM, _check_gmm, log_likelihood


def n_parameters(K: int, D: int, covariance_type: str = "full") -> int:
    """Number of free parameters of a K-component mixture in D dimensions (chapter 01, eq. ``count``).

    K·D means + (K − 1) weights + the covariance parameters:
    K·D(D + 1)/2 (full), K·D (diag), K (spherical), D(D + 1)/2 (tied).
    """
    K = validation.check_positive_int(K, "K")
    D = validation.check_positive_int(D, "D")
    covariance_type = validation.check_covariance_type(covariance_type)
    covariance = {
        "full": K * D * (D + 1) // 2,
        "diag": K * D,
        "spherical": K,
        "tied": D * (D + 1) // 2,
    }[covariance_type]
    return K * D + (K - 1) + covariance


def bic(X, gmm: GMM, covariance_type: str = "full") -> float:
    """Bayesian information criterion −2 ℓ(θ) + p ln N (lower is better; chapter 06, eq. ``bic``).

    ``covariance_type`` says how many covariance parameters ``gmm`` was fitted with (a GMM
    stores every type as full matrices).
    """
    gmm = _check_gmm(gmm)
    X = validation.check_X(X, gmm.D)
    p = n_parameters(gmm.K, gmm.D, covariance_type)
    return -2.0 * log_likelihood(X, gmm) + p * np.log(X.shape[0])


def aic(X, gmm: GMM, covariance_type: str = "full") -> float:
    """Akaike information criterion −2 ℓ(θ) + 2p (lower is better; chapter 06, eq. ``aic``)."""
    gmm = _check_gmm(gmm)
    X = validation.check_X(X, gmm.D)
    p = n_parameters(gmm.K, gmm.D, covariance_type)
    return -2.0 * log_likelihood(X, gmm) + 2.0 * p

"""Reference implementations and starts shared by the EM tests (not a test module).

* scikit-learn's ``GaussianMixture`` run from a given start for an exact number of iterations,
  and its parameters in gmmbook's (K, D, D) format;
* the starts the tests use for Old Faithful, and the "component on one point" start of the
  collapse tests.

Imported as ``from references import ...`` (pytest puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmmbook import GMM

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


def constrained(covariances: np.ndarray, weights: np.ndarray, covariance_type: str) -> np.ndarray:
    """Project full (K, D, D) covariances onto a covariance family, returned as full matrices."""
    K, D, _ = covariances.shape
    if covariance_type == "full":
        return covariances.copy()
    if covariance_type == "diag":
        return np.stack([np.diag(np.diag(c)) for c in covariances])
    if covariance_type == "spherical":
        return np.stack([np.mean(np.diag(c)) * np.eye(D) for c in covariances])
    tied = np.tensordot(weights, covariances, axes=1)
    return np.broadcast_to(tied, (K, D, D)).copy()


def faithful_start(covariance_type: str) -> GMM:
    """A two-component start for Old Faithful, away from the maximum."""
    weights = np.array([0.4, 0.6])
    means = np.array([[2.0, 55.0], [4.3, 80.0]])
    covs = np.array([[[0.1, 0.5], [0.5, 30.0]], [[0.2, 0.8], [0.8, 40.0]]])
    return GMM(weights, means, constrained(covs, weights, covariance_type))


def sklearn_precisions(gmm: GMM, covariance_type: str) -> np.ndarray:
    """``precisions_init`` in scikit-learn's per-type format for the covariances of ``gmm``."""
    covs = gmm.covariances
    if covariance_type == "full":
        precisions = np.linalg.inv(covs)
        return (precisions + precisions.transpose(0, 2, 1)) / 2
    if covariance_type == "diag":
        return 1.0 / np.diagonal(covs, axis1=1, axis2=2)
    if covariance_type == "spherical":
        return 1.0 / covs[:, 0, 0]
    precision = np.linalg.inv(covs[0])
    return (precision + precision.T) / 2


def sklearn_full_covariances(sk: GaussianMixture, K: int, D: int) -> np.ndarray:
    """scikit-learn's ``covariances_`` expanded to full (K, D, D) matrices."""
    c = sk.covariances_
    if sk.covariance_type == "full":
        return c
    if sk.covariance_type == "diag":
        return np.stack([np.diag(row) for row in c])
    if sk.covariance_type == "spherical":
        return c[:, None, None] * np.eye(D)
    return np.broadcast_to(c, (K, D, D))


def sklearn_model(start: GMM, covariance_type: str, reg_covar: float, max_iter: int, **options) -> GaussianMixture:
    """scikit-learn's ``GaussianMixture`` that starts from ``start`` (weights, means, precisions) with ``tol=0``."""
    return GaussianMixture(
        n_components=start.K,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        max_iter=max_iter,
        tol=0.0,
        n_init=1,
        init_params="random",
        random_state=0,
        weights_init=start.weights,
        means_init=start.means,
        precisions_init=sklearn_precisions(start, covariance_type),
        **options,
    )


def sklearn_fit(X, start: GMM, covariance_type: str, reg_covar: float, max_iter: int) -> GaussianMixture:
    """Run scikit-learn's EM for exactly ``max_iter`` iterations from ``start``.

    scikit-learn's ``fit`` (``BaseMixture.fit_predict``) with ``weights_init``, ``means_init`` and
    ``precisions_init`` given: ``_initialize`` replaces whatever ``init_params`` computed by these
    three, then each iteration is E-step (at the current θ) + M-step; the stopping test
    ``abs(change) < tol`` is never true with ``tol=0``, so all ``max_iter`` iterations run, and the
    fitted parameters are those of the last M-step.  (``init_params='random'`` only avoids a
    pointless k-means run; its result is overwritten.)  It then warns that it did not converge.
    """
    sk = sklearn_model(start, covariance_type, reg_covar, max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.fit(X)
    assert sk.n_iter_ == max_iter
    return sk


def collapse_start(X: np.ndarray, n: int) -> GMM:
    """Component 1 sits on X[n] with variance 1e-12; component 0 covers the data."""
    D = X.shape[1]
    return GMM(np.array([0.5, 0.5]), np.stack([X.mean(axis=0), X[n]]),
               np.stack([np.cov(X, rowvar=False).reshape(D, D), 1e-12 * np.eye(D)]))


def sklearn_loglik_trace(X, start: GMM, covariance_type: str, reg_covar: float, n_iter: int) -> np.ndarray:
    """scikit-learn's mean log-likelihood at θ_0, θ_1, …, θ_{n_iter − 1} from ``start``.

    With ``warm_start=True`` every ``fit`` after the first starts from the previous one's θ, and with
    ``max_iter=1`` it runs one E-step (whose log-likelihood is ``lower_bound_``) and one M-step.
    """
    sk = sklearn_model(start, covariance_type, reg_covar, max_iter=1, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return np.array([sk.fit(X).lower_bound_ for _ in range(n_iter)])

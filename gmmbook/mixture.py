"""The Gaussian mixture θ = {π, μ, Σ}: joint, marginal, posterior and sampling.

Chapters 02 (joint, ancestral sampling), 03 (marginal, likelihood) and 04 (posterior).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import validation
from .gaussian import SingularCovarianceError, _logsumexp, cholesky, log_gaussian


@dataclass(frozen=True, eq=False)
class GMM:
    """The parameters θ = {π, μ, Σ} of a Gaussian mixture, checked once and then frozen.

    p(x) = Σ_k π_k N(x | μ_k, Σ_k),  π_k ≥ 0,  Σ_k π_k = 1  (chapter 01, eq. ``mixture``).

    Parameters
    ----------
    weights : array_like, shape (K,)
        Mixing weights π_k.
    means : array_like, shape (K, D)
        Component means μ_k.
    covariances : array_like, shape (K, D, D)
        Component covariances Σ_k, symmetric positive definite.

    Raises
    ------
    ValueError
        If an argument is not an array of real numbers (a masked array, strings, datetimes,
        complex or object arrays are refused), shapes disagree, a value is NaN or infinite, a
        weight is negative, the weights do not sum to 1 (within 1e-8 for float64 input, within
        K ε of their dtype for float32 or float16), or a covariance is not symmetric (within the
        precision of its dtype) or not positive definite.  The message names the field.

    Notes
    -----
    The arrays are stored as read-only float64 copies (float32 input exactly as given, not
    renormalised), and the Cholesky factors of the covariances are computed once here and
    reused by every density evaluation.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    _chol: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        weights = validation.check_weights(self.weights)
        means = validation.check_means(self.means, K=len(weights))
        covariances = validation.check_covariances(self.covariances, *means.shape)
        try:
            chol = cholesky(covariances)
        except SingularCovarianceError as err:
            raise ValueError(
                f"covariances[{err.k}] {err.reason}. "
                "Covariances must be symmetric positive definite "
                "(did you pass standard deviations where variances belong, or a zero variance?)."
            ) from None
        self._freeze(weights, means, covariances, chol)

    def _freeze(self, weights, means, covariances, chol):
        for name, value in (("weights", weights), ("means", means), ("covariances", covariances), ("_chol", chol)):
            value = np.array(value, dtype=np.float64, copy=True)
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @classmethod
    def _trusted(cls, weights, means, covariances, chol) -> "GMM":
        """Build from arrays that a kernel has already checked (no validation, no factorisation)."""
        gmm = object.__new__(cls)
        gmm._freeze(weights, means, covariances, chol)
        return gmm

    @property
    def K(self) -> int:
        """Number of components."""
        return self.means.shape[0]

    @property
    def D(self) -> int:
        """Number of dimensions."""
        return self.means.shape[1]

    def __repr__(self) -> str:
        return f"GMM(K={self.K}, D={self.D}, weights={np.array2string(self.weights, precision=4)})"


def _gmm_1d(weights, means, variances) -> GMM:
    """A GMM in D = 1 from K weights, means and variances (σ_k², not σ_k)."""
    return GMM(np.asarray(weights, dtype=float), np.asarray(means, dtype=float).reshape(-1, 1),
               np.asarray(variances, dtype=float).reshape(-1, 1, 1))


def _check_gmm(gmm) -> GMM:
    if not isinstance(gmm, GMM):
        raise ValueError(
            f"gmm must be a gmmbook.GMM(weights, means, covariances), got {type(gmm).__name__}."
        )
    return gmm


def _checked(X, gmm) -> tuple[np.ndarray, GMM]:
    """The (X, gmm) of a public function, checked once: gmm, then X against its D."""
    gmm = _check_gmm(gmm)
    return validation.check_X(X, gmm.D), gmm


#: The Parameters section shared by the public functions of (X, gmm), put in by :func:`_shared_doc`
#: (the way SciPy's ``multivariate_normal`` shares its parameter descriptions).
_X_GMM_PARAMETERS = """Parameters
    ----------
    X : array_like, shape (N, D)
        The points x_n, one a row.
    gmm : GMM
        The mixture θ = (π, μ, Σ)."""


def _shared_doc(function):
    """Put the shared Parameters section where the docstring says ``{X, gmm}``."""
    function.__doc__ = function.__doc__.replace("{X, gmm}", _X_GMM_PARAMETERS)
    return function


def _log_joint(X: np.ndarray, gmm: GMM) -> np.ndarray:
    out = log_gaussian(X, gmm.means, gmm._chol)
    with np.errstate(divide="ignore"):  # ln 0 = −∞ for a component of weight 0
        out += np.log(gmm.weights)
    return out


def _log_resp(X: np.ndarray, gmm: GMM) -> tuple[np.ndarray, np.ndarray]:
    """(ln r, ln p(x_n)): the posterior in log space and the marginal, from one pass."""
    log_resp = _log_joint(X, gmm)
    log_marginal = _logsumexp(log_resp, axis=1)
    if not np.all(np.isfinite(log_marginal)):
        n = int(np.argmax(~np.isfinite(log_marginal)))
        raise ValueError(
            f"X[{n}] is so far from every component that its density is 0 even in log space "
            "(the squared Mahalanobis distance overflows a float64); rescale the data."
        )
    log_resp -= log_marginal[:, None]
    return log_resp, log_marginal


@_shared_doc
def log_joint(X, gmm: GMM) -> np.ndarray:
    """ln p(x_n, z_nk = 1) = ln π_k + ln N(x_n | μ_k, Σ_k)  (chapter 02, eq. ``joint-k``).

    {X, gmm}

    Returns
    -------
    ndarray, shape (N, K)
        −∞ where π_k = 0.
    """
    return _log_joint(*_checked(X, gmm))


@_shared_doc
def log_marginal(X, gmm: GMM) -> np.ndarray:
    """ln p(x_n) = ln Σ_k π_k N(x_n | μ_k, Σ_k), by log-sum-exp  (chapter 03, eq. ``marginal``).

    {X, gmm}

    Returns
    -------
    ndarray, shape (N,)
    """
    return _log_resp(*_checked(X, gmm))[1]


@_shared_doc
def log_likelihood(X, gmm: GMM) -> float:
    """ℓ(θ) = Σ_n ln p(x_n | θ), the total (not the mean) log-likelihood  (chapter 03, eq. ``loglik``).

    {X, gmm}

    Returns
    -------
    float
    """
    return float(np.sum(log_marginal(X, gmm)))


@_shared_doc
def responsibilities(X, gmm: GMM) -> np.ndarray:
    """r_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j)  (chapter 04, eq. ``resp``).

    Computed in log space, so that points far from every component still get responsibilities
    that are finite and sum to 1.

    {X, gmm}

    Returns
    -------
    ndarray, shape (N, K)
        Non-negative, rows summing to 1.
    """
    log_resp, _ = _log_resp(*_checked(X, gmm))
    return np.exp(log_resp, out=log_resp)


def sample(gmm: GMM, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ancestral sampling: z_n ~ Cat(π), then x_n ~ N(μ_{z_n}, Σ_{z_n})  (chapter 02, eq. ``ancestral``).

    Parameters
    ----------
    gmm : GMM
    n : int
        Number of points, ≥ 1.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, D)
        The points, in the order drawn (components interleaved at random, not grouped).
    labels : ndarray of int, shape (n,)
        labels[i] = k when X[i] was drawn from component k.
    """
    gmm = _check_gmm(gmm)
    n = validation.check_positive_int(n, "n")
    rng = validation.check_rng(rng)
    labels = rng.choice(gmm.K, size=n, p=gmm.weights)
    noise = rng.standard_normal((n, gmm.D))
    X = np.empty((n, gmm.D))
    for k in range(gmm.K):
        drawn = labels == k
        X[drawn] = gmm.means[k] + noise[drawn] @ gmm._chol[k].T   # μ_k + L_k ε,  ε ~ N(0, I)
    return X, labels

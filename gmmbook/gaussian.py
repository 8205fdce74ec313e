"""Log densities of multivariate Gaussians through a Cholesky factorisation, and log-sum-exp.

Chapter 01 (eq. ``gauss``) and chapter 03 (eq. ``logsumexp``).

One Cholesky factorisation Σ_k = L_k L_kᵀ feeds every derived quantity:

* ln det Σ_k = 2 Σ_d ln (L_k)_dd,
* the precision factor P_k = L_k⁻ᵀ, so that Σ_k⁻¹ = P_k P_kᵀ and the squared Mahalanobis
  distance is ‖(x − μ_k)ᵀ P_k‖².

The kernels here trust their input: the public functions in :mod:`gmmbook.mixture` and
:mod:`gmmbook.em` (and :func:`logsumexp`, the one public function here) check it once, with
:mod:`gmmbook.validation`, and then call them.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from . import validation

LOG_2PI = np.log(2.0 * np.pi)
#: Number of matrix entries (rows × D) processed at once; keeps temporaries in cache.
_BLOCK_ENTRIES = 1 << 15


class SingularCovarianceError(ArithmeticError):
    """Internal: covariance ``k`` is not numerically positive definite.

    Callers catch it and raise a :class:`ValueError` (or :class:`~gmmbook.CollapseError`)
    whose message fits their context.
    """

    def __init__(self, k: int, reason: str):
        super().__init__(f"covariance {k} {reason}")
        self.k = k
        self.reason = reason


def cholesky(covariances: np.ndarray, locations: np.ndarray | None = None) -> np.ndarray:
    """Lower Cholesky factors of a stack of covariance matrices, refusing numerically singular ones.

    Σ_k is numerically singular when a squared pivot (L_k)_dd² (the variance left in a direction
    after the earlier coordinates are known) is at most

        D · ε · (max_d (Σ_k)_dd + ε · location_k²),     ε the float64 machine epsilon.

    The first term judges Σ_k against its own scale: a pivot² below D ε times the largest
    variance is rounding noise, as for points on a lower-dimensional set.  The second judges it
    against its location: points and a mean of size |x| are known only to about ε |x|, so a
    variance below D (ε |x|)² cannot be told from 0 (points that are all equal, or a component on
    one point).  Nothing else enters: well-separated components at any offset are judged
    alone, so a healthy cluster 10⁹ away from another is not singular.

    Parameters
    ----------
    covariances : ndarray, shape (K, D, D)
        Symmetric matrices; only their lower triangles are read.
    locations : ndarray, shape (K,), optional
        The size of each component's location, max_d |μ_kd| (0, the default, leaves the
        scale test alone).

    Returns
    -------
    L : ndarray, shape (K, D, D)
        Σ_k = L_k L_kᵀ with L_k lower triangular and a positive diagonal.

    Raises
    ------
    SingularCovarianceError
        For the first covariance that is not positive definite or numerically singular.
    """
    K, D, _ = covariances.shape
    try:
        L = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        for k in range(K):
            try:
                np.linalg.cholesky(covariances[k])
            except np.linalg.LinAlgError:
                raise SingularCovarianceError(k, "is not positive definite") from None
        raise  # pragma: no cover  (the batched and the single factorisations disagree)
    eps = np.finfo(np.float64).eps
    pivots2 = np.diagonal(L, axis1=1, axis2=2) ** 2
    tiny = D * eps * np.max(np.diagonal(covariances, axis1=1, axis2=2), axis=1)
    if locations is not None:
        with np.errstate(over="ignore"):        # beyond |x| ≈ 1e169, (ε |x|)² is ∞: nothing is resolvable
            tiny += D * np.square(eps * locations)
    singular = np.min(pivots2, axis=1) <= tiny
    if np.any(singular):
        k = int(np.argmax(singular))
        raise SingularCovarianceError(
            k, f"is numerically singular (smallest Cholesky pivot² {np.min(pivots2[k]):.3g})"
        )
    return L


def precision_cholesky(L: np.ndarray) -> np.ndarray:
    """P_k = L_k⁻ᵀ (upper triangular), so that Σ_k⁻¹ = P_k P_kᵀ.  Shapes (K, D, D)."""
    K, D, _ = L.shape
    identity = np.eye(D)
    return np.stack([solve_triangular(L[k], identity, lower=True).T for k in range(K)])


def log_det(L: np.ndarray) -> np.ndarray:
    """ln det Σ_k = 2 Σ_d ln (L_k)_dd.  L of shape (K, D, D) → shape (K,)."""
    return 2.0 * np.sum(np.log(np.diagonal(L, axis1=1, axis2=2)), axis=1)


def log_gaussian(X: np.ndarray, means: np.ndarray, L: np.ndarray) -> np.ndarray:
    """ln N(x_n | μ_k, Σ_k) for every point and component (chapter 01, eq. ``gauss``).

    ln N(x | μ, Σ) = −½ [D ln 2π + ln det Σ + ‖(x − μ)ᵀ P‖²],  with P = L⁻ᵀ.

    Every point is centred on each mean first, x − μ_k, as in the formula, so that no digits are
    lost for data far from the origin or for means far from each other.  The rows are taken in
    blocks, so that the temporaries stay small.  A distance beyond the range of a float64 (x − μ_k
    or its product with P_k overflows) means a density of 0 in float64: its log is −∞.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    means : ndarray, shape (K, D)
    L : ndarray, shape (K, D, D)
        Lower Cholesky factors of the covariances.

    Returns
    -------
    ndarray, shape (N, K)
        Allocated column by column (Fortran order): each component's
        column is contiguous, so that the sums over k that follow (log-sum-exp) and the
        M-step's products with each column are fast.
    """
    N, D = X.shape
    K = means.shape[0]
    P = precision_cholesky(L)
    out = np.empty((N, K), order="F")
    rows = max(1, _BLOCK_ENTRIES // D)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, N, rows):
            block = slice(start, start + rows)
            for k in range(K):
                Y = (X[block] - means[k]) @ P[k]                     # rows of (x_n − μ_k)ᵀ P_k
                np.einsum("nd,nd->n", Y, Y, out=out[block, k])       # ‖(x_n − μ_k)ᵀ P_k‖²
    out[np.isnan(out)] = np.inf    # ∞ · 0 or ∞ − ∞ after an overflow: the distance is beyond range
    out *= -0.5
    out += -0.5 * (D * LOG_2PI + log_det(L))
    return out


def logsumexp(a, axis: int = -1) -> np.ndarray:
    """ln Σ_j exp(a_j) along ``axis``, without overflow or underflow (chapter 03, eq. ``logsumexp``).

    ln Σ_j exp(a_j) = m + ln Σ_j exp(a_j − m),  m = max_j a_j.

    Every term of the second sum is at most 1 and the largest is exactly 1, so the sum lies in
    [1, J] and its logarithm is finite.  A slice that is −∞ throughout gives −∞.

    Parameters
    ----------
    a : array_like
        Log-values; −∞ (the log of 0) is allowed, NaN and +∞ are not.
    axis : int
        The axis to sum over.

    Returns
    -------
    ndarray (or float for 1-D input)
        ``a`` with ``axis`` removed.

    Raises
    ------
    ValueError
        If ``a`` is empty, has no axis, holds NaN or +∞, or is not an array of real numbers
        (complex values are refused, not cut to their real part; so are masked arrays, strings,
        datetimes and object arrays), or ``axis`` is not a whole number within ``a``'s axes.
    """
    a, axis = validation.check_log_values(a, axis)
    return _logsumexp(a, axis)


def _logsumexp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)       # a slice that is −∞ throughout gives ln 0 = −∞
    # a − m ≤ 0 may overflow to −∞ (e.g. −1.7e308 − 1.7e308): its term exp(a − m) is 0 either way.
    with np.errstate(over="ignore", divide="ignore"):
        terms = a - m                          # the one temporary of a's size
        np.exp(terms, out=terms)
        return np.log(np.sum(terms, axis=axis)) + np.squeeze(m, axis=axis)

"""The one place that checks what users pass in.

Every public function of :mod:`gmmbook` calls these checks once, at its boundary, and then
hands trusted arrays to private kernels.  A check either returns a clean ``float64`` array or
raises :class:`ValueError` with a message that names the argument, says what is wrong and,
where there is one, says what to do instead.  Nothing is silently repaired.
"""

from __future__ import annotations

import numbers

import numpy as np

#: How far the weights (and each row of responsibilities) may sum away from 1.
SUM_TOL = 1e-8
#: Relative asymmetry |Σ - Σᵀ| / max|Σ| accepted for a covariance matrix.
SYMMETRY_RTOL = 1e-10

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


class CollapseError(ValueError):
    """A component of the mixture has collapsed during EM.

    Raised when a component's covariance becomes singular (its responsibility concentrates on
    one point, or on points that are all equal) or when it loses all its responsibility
    (N_k ≈ 0).  The message names the component and says what to change.  It is a
    :class:`ValueError` so that one ``except ValueError`` catches every input problem, but it
    has its own type so that a restart loop can catch collapses alone.

    Attributes
    ----------
    k : int
        The index of the component that collapsed (0-based, as in the arrays).
    """

    def __init__(self, message: str, k: int):
        super().__init__(message)
        self.k = k


def as_float_array(value, name: str, ndim: int) -> np.ndarray:
    """Return ``value`` as a finite float64 array with ``ndim`` dimensions, or raise."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be an array of numbers, got a {type(value).__name__}.")
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must be real numbers, got complex values.")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers: {exc}.") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got {array.ndim}-D with shape {array.shape}.")
    if array.size and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} contains NaN or infinite values (first at index {tuple(int(i) for i in bad)})."
        )
    return array


def _ndim(value, name: str) -> int:
    try:
        return np.ndim(value)
    except ValueError:
        raise ValueError(f"{name} must be a rectangular array of numbers (all rows of equal length).") from None


def check_X(X, D: int | None = None, name: str = "X") -> np.ndarray:
    """Check a data matrix: 2-D (N, D), N ≥ 1, D ≥ 1, finite; D must match if given."""
    if _ndim(X, name) == 1:
        raise ValueError(
            f"{name} must be 2-D with shape (N, D); got a 1-D array. "
            f"For one-dimensional data write {name}.reshape(-1, 1)."
        )
    X = as_float_array(X, name, 2)
    N, D_X = X.shape
    if N == 0:
        raise ValueError(f"{name} is empty: it has no rows (data points).")
    if D_X == 0:
        raise ValueError(f"{name} has no columns: every point needs at least one coordinate.")
    if D is not None and D_X != D:
        raise ValueError(f"{name} has D = {D_X} columns but the mixture has D = {D} dimensions.")
    return X


def check_resp(resp, N: int, name: str = "resp") -> np.ndarray:
    """Check responsibilities: shape (N, K), finite, non-negative, rows summing to 1."""
    resp = as_float_array(resp, name, 2)
    if resp.shape[0] != N:
        raise ValueError(f"{name} has {resp.shape[0]} rows but X has N = {N} points; they must match.")
    K = resp.shape[1]
    if K == 0:
        raise ValueError(f"{name} has no columns: it needs one column per component.")
    if K > N:
        raise ValueError(
            f"{name} has K = {K} components but X has only N = {N} points; use K ≤ N."
        )
    if np.any(resp < 0):
        n = int(np.argwhere(resp < 0)[0, 0])
        raise ValueError(f"{name} has negative entries (first in row {n}); responsibilities are probabilities.")
    row_error = np.abs(resp.sum(axis=1) - 1.0)
    if np.any(row_error > SUM_TOL):
        n = int(np.argmax(row_error))
        raise ValueError(
            f"the rows of {name} must sum to 1 (row {n} sums to {resp[n].sum():.6g}); "
            "did you forget to normalise the responsibilities?"
        )
    return resp


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Check that ``rng`` is a :class:`numpy.random.Generator`."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{name} must be a numpy.random.Generator, e.g. numpy.random.default_rng(0); "
            f"got {type(rng).__name__}."
        )
    return rng


def check_positive_int(value, name: str) -> int:
    """Check a whole number ≥ 1 (booleans are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}.")
    return int(value)


def check_nonnegative_float(value, name: str) -> float:
    """Check a finite real number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}.")
    return float(value)


def check_covariance_type(covariance_type) -> str:
    """Check that ``covariance_type`` is one of 'full', 'diag', 'spherical', 'tied'."""
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {', '.join(map(repr, COVARIANCE_TYPES))}; "
            f"got {covariance_type!r}."
        )
    return covariance_type


def check_weights(weights) -> np.ndarray:
    """Check mixture weights π: 1-D, non-negative, summing to 1 within :data:`SUM_TOL`."""
    weights = as_float_array(weights, "weights", 1)
    if weights.size == 0:
        raise ValueError("weights is empty: a mixture needs at least one component.")
    if np.any(weights < 0):
        k = int(np.argmax(weights < 0))
        raise ValueError(f"weights must be ≥ 0, but weights[{k}] = {weights[k]:.6g}.")
    total = weights.sum()
    if abs(total - 1.0) > SUM_TOL:
        raise ValueError(
            f"weights must sum to 1, but they sum to {total:.10g}; divide them by their sum "
            "(and check that you divided N_k by N)."
        )
    return weights


def check_means(means, K: int) -> np.ndarray:
    """Check component means μ: shape (K, D)."""
    if _ndim(means, "means") == 1:
        hint = "means.reshape(-1, 1)" if K > 1 else "means.reshape(1, -1)"
        raise ValueError(
            f"means must be 2-D with shape (K, D) = ({K}, D); got a 1-D array. "
            f"For K = {K} component{'s' if K > 1 else ''} write {hint}."
        )
    means = as_float_array(means, "means", 2)
    if means.shape[0] != K:
        raise ValueError(f"means has {means.shape[0]} rows but weights has K = {K} components.")
    if means.shape[1] == 0:
        raise ValueError("means has no columns: D must be at least 1.")
    return means


def check_covariances(covariances, K: int, D: int) -> np.ndarray:
    """Check covariances Σ: shape (K, D, D), each symmetric (positive definiteness is checked by Cholesky)."""
    covariances = as_float_array(covariances, "covariances", 3)
    if covariances.shape != (K, D, D):
        raise ValueError(
            f"covariances must have shape (K, D, D) = ({K}, {D}, {D}), got {covariances.shape}."
        )
    for k, cov in enumerate(covariances):
        scale = np.max(np.abs(cov))
        if np.max(np.abs(cov - cov.T)) > SYMMETRY_RTOL * scale:
            raise ValueError(f"covariances[{k}] is not symmetric; a covariance matrix must equal its transpose.")
    return covariances

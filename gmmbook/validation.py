"""The one place that checks what users pass in.

Every public function of :mod:`gmmbook` calls these checks once, at its boundary, and then
hands trusted arrays to private kernels.  A check either returns a clean ``float64`` array (or a
plain Python number) or raises :class:`ValueError` with a message that names the argument, says
what is wrong and, where there is one, says what to do instead.  Nothing is silently repaired:

* an array must hold real numbers (booleans, integers or floats).  Masked arrays, strings and
  bytes (even numeric ones), datetimes and timedeltas, complex numbers and object arrays are
  refused, because converting them would drop a mask, parse text, count time in hidden units
  or drop imaginary parts.  Lists, tuples, ndarray subclasses and anything whose ``__array__``
  gives real numbers (e.g. a pandas DataFrame of floats) are converted exactly;
* tolerances follow the precision of the input: float32 weights that sum to 1 in float32 are
  accepted (and stored as float64), while float64 weights must sum to 1 within :data:`SUM_TOL`.
"""

from __future__ import annotations

import numbers

import numpy as np

#: How far float64 weights (and each row of float64 responsibilities) may sum away from 1.
SUM_TOL = 1e-8
#: Relative asymmetry |Σ − Σᵀ| / max|Σ| accepted for a float64 covariance matrix.
SYMMETRY_RTOL = 1e-10

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")

#: What an array of each refused dtype kind holds, and what to do instead.
_REFUSED_KINDS = {
    "U": ("strings", "convert text to numbers yourself (e.g. with float()) after checking it"),
    "S": ("bytes", "decode and convert them to numbers yourself after checking them"),
    "M": ("datetime64 values", "convert them to numbers in a unit you choose, e.g. (t - t0) / np.timedelta64(1, 's')"),
    "m": ("timedelta64 values", "convert them to numbers in a unit you choose, e.g. dt / np.timedelta64(1, 's')"),
    "c": ("complex numbers", "pass the real part (z.real) if the imaginary parts are meant to be 0"),
    "O": ("Python objects (dtype object)", "pass an array with a numeric dtype; check for None or mixed types"),
    "V": ("structured records", "pass one numeric field, or a plain 2-D array of numbers"),
}


class CollapseError(ValueError):
    """A component of the mixture has collapsed during EM.

    Raised when a component's covariance becomes singular (its responsibility concentrates on
    one point, on points that are all equal, or on a lower-dimensional set) or when it loses all
    its responsibility (N_k ≈ 0).  The message names the component and says what to change.  It
    is a :class:`ValueError` so that one ``except ValueError`` catches every input problem, but
    it has its own type so that a restart loop can catch collapses alone.

    Attributes
    ----------
    k : int
        The index of the component that collapsed (0-based, as in the arrays).
    """

    def __init__(self, message: str, k: int):
        super().__init__(message)
        self.k = k


# ---------------------------------------------------------------------------------------------
# arrays


def numeric_array(value, name: str) -> np.ndarray:
    """``value`` as an ndarray of booleans, integers or floats (its own dtype), or raise.

    Refuses masked arrays, strings and bytes, datetime64 and timedelta64, complex, object and
    structured arrays, and ragged nested lists, with a message naming ``name``.
    """
    if np.ma.isMaskedArray(value):
        n_masked = int(np.ma.count_masked(value))
        raise ValueError(
            f"{name} is a numpy masked array ({n_masked} entries masked); gmmbook does not read masks, "
            "so masked entries would be used as numbers. Remove the masked entries (e.g. drop those rows) "
            f"and pass a plain array, or np.ma.getdata({name}) if nothing is masked."
        )
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be an array of numbers, got a {type(value).__name__}.")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a rectangular array of numbers (all rows of equal length).") from None
    kind = array.dtype.kind
    if kind not in "biuf":
        what, advice = _REFUSED_KINDS.get(kind, (f"values of dtype {array.dtype}", "pass real numbers"))
        if kind == "O" and array.ndim == 0:
            what = "None" if value is None else f"a {type(value).__name__}"
        raise ValueError(f"{name} must be an array of real numbers, got {what}; {advice}.")
    return array


def input_eps(array: np.ndarray) -> float:
    """The relative rounding unit of the input's dtype: ε of a float type, 0 for exact types."""
    return float(np.finfo(array.dtype).eps) if array.dtype.kind == "f" else 0.0


def as_float_array(value, name: str, ndim: int) -> np.ndarray:
    """Return ``value`` as a finite float64 array with ``ndim`` dimensions, or raise."""
    array = numeric_array(value, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got {array.ndim}-D with shape {array.shape}.")
    array = array.astype(np.float64, copy=False)
    if array.size and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} contains NaN or infinite values (first at index {tuple(int(i) for i in bad)})."
        )
    return array


def check_X(X, D: int | None = None, name: str = "X") -> np.ndarray:
    """Check a data matrix: 2-D (N, D), N ≥ 1, D ≥ 1, finite; D must match if given."""
    X = numeric_array(X, name)
    if X.ndim == 1:
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


def _sum_tolerance(raw: np.ndarray, K: int) -> float:
    """How far K entries of the input's dtype may sum away from 1 after rounding.

    Each entry carries a relative rounding error of at most ε/2 of its dtype, and normalising in
    that dtype (dividing by a computed sum) adds at most (K − 1) ε/2 more, so K ε covers both.
    Never tighter than :data:`SUM_TOL` (float64 input gets exactly that).
    """
    return max(SUM_TOL, K * input_eps(raw))


def check_resp(resp, N: int, name: str = "resp") -> np.ndarray:
    """Check responsibilities: shape (N, K), finite, non-negative, rows summing to 1.

    The rows must sum to 1 within the input's precision (see :func:`_sum_tolerance`).
    """
    raw = numeric_array(resp, name)
    resp = as_float_array(raw, name, 2)
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
    if np.any(row_error > _sum_tolerance(raw, K)):
        n = int(np.argmax(row_error))
        raise ValueError(
            f"the rows of {name} must sum to 1 (row {n} sums to {resp[n].sum():.6g}); "
            "did you forget to normalise the responsibilities?"
        )
    return resp


def check_weights(weights, name: str = "weights") -> np.ndarray:
    """Check mixture weights π: 1-D, non-negative, summing to 1 within the input's precision."""
    raw = numeric_array(weights, name)
    weights = as_float_array(raw, name, 1)
    if weights.size == 0:
        raise ValueError(f"{name} is empty: a mixture needs at least one component.")
    if np.any(weights < 0):
        k = int(np.argmax(weights < 0))
        raise ValueError(f"{name} must be ≥ 0, but {name}[{k}] = {weights[k]:.6g}.")
    total = weights.sum()
    if abs(total - 1.0) > _sum_tolerance(raw, weights.size):
        raise ValueError(
            f"{name} must sum to 1, but they sum to {total:.10g}; divide them by their sum "
            "(and check that you divided N_k by N)."
        )
    return weights


def check_means(means, K: int) -> np.ndarray:
    """Check component means μ: shape (K, D)."""
    means = numeric_array(means, "means")
    if means.ndim == 1:
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


def check_symmetric(matrices: np.ndarray, raw: np.ndarray, name: str) -> None:
    """Raise unless every (D, D) matrix of the stack is symmetric within the input's precision.

    An entry of a product A Bᵀ with inner dimension D is rounded by at most D ε |A||B|, so the two
    mirror entries of a covariance computed in the input's dtype may differ by 2 D ε max|Σ|.
    Never tighter than :data:`SYMMETRY_RTOL` (float64 input gets exactly that).
    """
    D = matrices.shape[-1]
    rtol = max(SYMMETRY_RTOL, 2 * D * input_eps(raw))
    for k, matrix in enumerate(matrices.reshape(-1, D, D)):
        if np.max(np.abs(matrix - matrix.T)) > rtol * np.max(np.abs(matrix)):
            where = f"{name}[{k}]" if matrices.ndim == 3 else name
            raise ValueError(f"{where} is not symmetric; a covariance matrix must equal its transpose.")


def check_covariances(covariances, K: int, D: int) -> np.ndarray:
    """Check covariances Σ: shape (K, D, D), each symmetric (positive definiteness is checked by Cholesky)."""
    raw = numeric_array(covariances, "covariances")
    covariances = as_float_array(raw, "covariances", 3)
    if covariances.shape != (K, D, D):
        raise ValueError(
            f"covariances must have shape (K, D, D) = ({K}, {D}, {D}), got {covariances.shape}."
        )
    check_symmetric(covariances, raw, "covariances")
    return covariances


def check_log_values(a, axis, name: str = "a") -> tuple[np.ndarray, int]:
    """Check log-values for log-sum-exp: a non-empty float array with ≥ 1 axis, no NaN and no +∞.

    Returns the float64 array and ``axis`` as a non-negative int.
    """
    a = numeric_array(a, name).astype(np.float64, copy=False)
    if a.ndim == 0 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty array with at least one axis, got shape {a.shape}.")
    if np.any(np.isnan(a)) or np.any(a == np.inf):
        raise ValueError(f"{name} contains NaN or +inf; log-sum-exp needs log-values in [-inf, inf).")
    axis = check_int(axis, "axis", minimum=-a.ndim)
    if axis >= a.ndim:
        raise ValueError(f"axis must be in [{-a.ndim}, {a.ndim - 1}] for {name} with {a.ndim} axes, got {axis}.")
    return a, axis % a.ndim


# ---------------------------------------------------------------------------------------------
# scalars


def _scalar(value, name: str, what: str):
    """``value`` unwrapped to a Python/NumPy number, refusing booleans, times, text and arrays.

    A 0-d array of integers or floats counts as its number; booleans (Python or NumPy) are
    refused because ``True`` is rarely meant as 1, timedelta64 because its unit is hidden.
    """
    if isinstance(value, np.ndarray) and not np.ma.isMaskedArray(value) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return value


def check_int(value, name: str, minimum: int, what: str = "a whole number") -> int:
    """Check a whole number ≥ ``minimum`` (Python or NumPy integers; booleans are refused)."""
    value = _scalar(value, name, what)
    if not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def check_positive_int(value, name: str, what: str = "a whole number") -> int:
    """Check a whole number ≥ 1 (booleans are refused)."""
    return check_int(value, name, 1, what)


def check_real(value, name: str) -> float:
    """Check a finite real number (Python or NumPy; booleans are refused)."""
    value = _scalar(value, name, "a finite number")
    try:
        number = float(value)
    except OverflowError:           # an integer beyond the float64 range
        number = np.inf
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return number


def check_nonnegative_float(value, name: str) -> float:
    """Check a finite real number ≥ 0."""
    value = check_real(value, name)
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}.")
    return value


def check_covariance_type(covariance_type) -> str:
    """Check that ``covariance_type`` is one of 'full', 'diag', 'spherical', 'tied'."""
    if not isinstance(covariance_type, str) or covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of the strings {', '.join(map(repr, COVARIANCE_TYPES))}; "
            f"got {covariance_type!r}."
        )
    return str(covariance_type)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Check that ``rng`` is a :class:`numpy.random.Generator`."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{name} must be a numpy.random.Generator, e.g. numpy.random.default_rng(0); "
            f"got {type(rng).__name__}."
        )
    return rng


# ---------------------------------------------------------------------------------------------
# the prior of MAP-EM (chapter 07)


def check_prior_fields(alpha, nu0, psi0) -> tuple[np.ndarray, float, np.ndarray]:
    """Check the hyperparameters of :class:`gmmbook.Prior`.

    α: a number or a 1-D array, every entry ≥ 1 (so that the mode of Dir(π | α) has π_k ≥ 0 and
    the MAP weights (N_k + α_k − 1) / (N + Σ_j α_j − K) are never negative).
    Ψ0: (D, D), symmetric positive definite.  ν0: a number > D − 1 (a proper inverse-Wishart).
    """
    raw = numeric_array(alpha, "alpha")
    if raw.ndim > 1:
        raise ValueError(f"alpha must be a number or a 1-D array with one entry per component, got shape {raw.shape}.")
    alpha = as_float_array(raw, "alpha", raw.ndim)
    if alpha.size == 0:
        raise ValueError("alpha is empty: give one concentration per component, or one number for all.")
    if np.any(alpha < 1):
        raise ValueError(
            f"alpha must be ≥ 1 (got {np.min(alpha):.6g}): with α_k < 1 the posterior mode can sit on "
            "the boundary π_k = 0 and the MAP weights (N_k + α_k − 1)/(N + Σα − K) can be negative."
        )
    raw_psi = numeric_array(psi0, "psi0")
    psi0 = as_float_array(raw_psi, "psi0", 2)
    D = psi0.shape[0]
    if psi0.shape != (D, D) or D == 0:
        raise ValueError(f"psi0 must be a square (D, D) matrix with D ≥ 1, got shape {psi0.shape}.")
    check_symmetric(psi0, raw_psi, "psi0")
    if not np.all(np.linalg.eigvalsh(psi0) > 0):
        raise ValueError("psi0 must be positive definite (all eigenvalues > 0): it is the scale matrix "
                         "of the inverse-Wishart prior.")
    nu0 = check_real(nu0, "nu0")
    if nu0 <= D - 1:
        raise ValueError(f"nu0 must be > D − 1 = {D - 1} for a proper inverse-Wishart prior, got {nu0}.")
    return alpha, nu0, psi0


def check_prior_fits(alpha: np.ndarray, psi0: np.ndarray, K: int, D: int) -> None:
    """Check that a prior's α (one entry, or K) and Ψ0 ((D, D)) fit a K-component mixture in D dimensions."""
    if alpha.ndim == 1 and alpha.size != K:
        raise ValueError(f"prior.alpha has {alpha.size} entries but the mixture has K = {K} components.")
    if psi0.shape[0] != D:
        raise ValueError(f"prior.psi0 is {psi0.shape[0]} × {psi0.shape[0]} but the data have D = {D} dimensions.")


def check_map_options(covariance_type: str, reg_covar: float) -> None:
    """Check that the options given with a prior are ones MAP-EM supports (chapter 07)."""
    if covariance_type != "full":
        raise ValueError(
            f"a prior is supported with covariance_type='full' only, got covariance_type={covariance_type!r}: "
            "the inverse-Wishart prior is a density on full covariance matrices. Use covariance_type='full' "
            "with the prior, or reg_covar without it."
        )
    if reg_covar != 0:
        raise ValueError(
            f"reg_covar must be 0 when a prior is given, got reg_covar={reg_covar:g}: the prior already keeps "
            "every covariance positive definite, and adding reg_covar·I after the MAP update would break it "
            "(ℓ + ln p(θ) could then fall)."
        )

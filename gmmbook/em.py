"""The EM algorithm: E-step, M-step, the Q function and the loop.

Chapter 05 derives the M-step (eqs. ``m-weights``, ``m-means``, ``m-cov``, with the Lagrange
multiplier λ = −N for the weights) and the Q function (eq. ``q``); chapter 06 runs the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validation
from .gaussian import SingularCovarianceError, cholesky
from .init import kmeans_plusplus_start
from .mixture import GMM, _check_gmm, _log_joint, _log_resp
from .validation import CollapseError

#: A component whose total responsibility N_k is below this many points has lost its data.
MIN_NK = 1e-10

_COLLAPSE_ADVICE = (
    "Use reg_covar > 0 (e.g. 1e-6) to keep covariances positive definite, "
    "fewer components, or another start."
)


def e_step(X, gmm: GMM) -> tuple[np.ndarray, float]:
    """E-step: the responsibilities under θ and the log-likelihood ℓ(θ) (chapter 04, eq. ``resp``).

    Parameters
    ----------
    X : array_like, shape (N, D)
    gmm : GMM

    Returns
    -------
    resp : ndarray, shape (N, K)
        r_nk = p(z_nk = 1 | x_n, θ), rows summing to 1.
    loglik : float
        Σ_n ln p(x_n | θ), the total log-likelihood at θ.
    """
    gmm = _check_gmm(gmm)
    return _e_step(validation.check_X(X, gmm.D), gmm)


def _e_step(X: np.ndarray, gmm: GMM) -> tuple[np.ndarray, float]:
    log_resp, log_marginal = _log_resp(X, gmm)
    return np.exp(log_resp, out=log_resp), float(np.sum(log_marginal))


def m_step(X, resp, covariance_type: str = "full", reg_covar: float = 0.0) -> GMM:
    """M-step: the θ that maximises Q(θ, θ_old) for fixed responsibilities (chapter 05).

    N_k = Σ_n r_nk,  π_k = N_k / N  (eq. ``m-weights``),  μ_k = Σ_n r_nk x_n / N_k  (eq. ``m-means``),
    Σ_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar · I  (eq. ``m-cov``).

    The constrained types (chapter 05, section 7, eqs. ``m-diag``, ``m-spherical``, ``m-tied``) maximise the same Q
    over a smaller set of matrices:

    * ``diag``: the diagonal of the full Σ_k;
    * ``spherical``: σ_k² I with σ_k² the mean of that diagonal;
    * ``tied``: one Σ = Σ_k N_k Σ_k / N shared by all components.

    ``reg_covar`` is added to the diagonal after the update, as in scikit-learn.

    Parameters
    ----------
    X : array_like, shape (N, D)
    resp : array_like, shape (N, K)
        Non-negative, rows summing to 1.
    covariance_type : {'full', 'diag', 'spherical', 'tied'}
    reg_covar : float, ≥ 0

    Returns
    -------
    GMM
        Covariances are always returned as full (K, D, D) matrices.

    Raises
    ------
    CollapseError
        If a component has N_k ≈ 0 or its covariance is singular; the message names it.
    """
    X = validation.check_X(X)
    resp = validation.check_resp(resp, N=X.shape[0])
    covariance_type = validation.check_covariance_type(covariance_type)
    reg_covar = validation.check_nonnegative_float(reg_covar, "reg_covar")
    return _m_step(X, resp, covariance_type, reg_covar, data_scale=_data_scale(X))


def _data_scale(X: np.ndarray) -> float:
    """The largest variance of a coordinate of X: the yardstick for "numerically singular"."""
    return float(np.max(np.var(X, axis=0)))


def _m_step(X, resp, covariance_type, reg_covar, data_scale) -> GMM:
    N, D = X.shape
    nk = resp.sum(axis=0)
    if np.any(nk < MIN_NK):
        k = int(np.argmin(nk))
        raise CollapseError(
            f"component {k} has lost all its responsibility (N_k = {nk[k]:.3g}): no point belongs "
            f"to it, so its mean and covariance are undefined. Use fewer components or another start.",
            k=k,
        )
    means = (resp.T @ X) / nk[:, None]
    covariances = _scatter(X, resp, means) / nk[:, None, None]
    if covariance_type == "diag":
        covariances = _diagonal_matrices(np.diagonal(covariances, axis1=1, axis2=2))
    elif covariance_type == "spherical":
        variances = np.mean(np.diagonal(covariances, axis1=1, axis2=2), axis=1)
        covariances = variances[:, None, None] * np.eye(D)
    elif covariance_type == "tied":
        tied = np.tensordot(nk, covariances, axes=1) / N
        covariances = np.broadcast_to(tied, covariances.shape).copy()
    covariances[:, np.arange(D), np.arange(D)] += reg_covar
    try:
        chol = cholesky(covariances, scale=data_scale)
    except SingularCovarianceError as err:
        raise CollapseError(
            f"component {err.k} has collapsed: its covariance {err.reason}; "
            f"its responsibility is concentrated on {_support(resp[:, err.k])}. {_COLLAPSE_ADVICE}",
            k=err.k,
        ) from None
    return GMM._trusted(nk / N, means, covariances, chol)


def _support(resp_k: np.ndarray) -> str:
    """Describe where a component's responsibility sits, for collapse messages."""
    mass = np.sort(resp_k)[::-1]
    n_points = int(np.searchsorted(np.cumsum(mass), 0.999 * mass.sum()) + 1)
    return "one data point" if n_points == 1 else f"{n_points} data points (too few, or all equal)"


def _scatter(X: np.ndarray, resp: np.ndarray, means: np.ndarray) -> np.ndarray:
    """S_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ, centred on each μ_k exactly.  Shape (K, D, D)."""
    N, D = X.shape
    K = means.shape[0]
    S = np.zeros((K, D, D))
    rows = max(1, (1 << 15) // D)
    for start in range(0, N, rows):
        block = slice(start, start + rows)
        for k in range(K):
            diff = X[block] - means[k]
            S[k] += (resp[block, k, None] * diff).T @ diff
    return (S + S.transpose(0, 2, 1)) / 2


def _diagonal_matrices(diagonals: np.ndarray) -> np.ndarray:
    K, D = diagonals.shape
    out = np.zeros((K, D, D))
    out[:, np.arange(D), np.arange(D)] = diagonals
    return out


def q_function(X, gmm: GMM, resp) -> float:
    """Q(θ, θ_old) = Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k)]  (chapter 05, eq. ``q``).

    ``resp`` holds the responsibilities under θ_old and ``gmm`` is θ.  Terms with r_nk = 0
    count as 0 (the convention 0 · ln 0 = 0 for components of weight 0).

    Parameters
    ----------
    X : array_like, shape (N, D)
    gmm : GMM
        θ, the parameters at which Q is evaluated.
    resp : array_like, shape (N, K)
        Responsibilities under θ_old.

    Returns
    -------
    float
    """
    gmm = _check_gmm(gmm)
    X = validation.check_X(X, gmm.D)
    resp = validation.check_resp(resp, N=X.shape[0])
    if resp.shape[1] != gmm.K:
        raise ValueError(f"resp has {resp.shape[1]} columns but the mixture has K = {gmm.K} components.")
    log_joint = _log_joint(X, gmm)
    terms = np.multiply(resp, log_joint, out=np.zeros_like(resp), where=resp > 0)
    return float(np.sum(terms))


@dataclass(frozen=True, eq=False)
class EMResult:
    """What :func:`em` returns.

    Attributes
    ----------
    gmm : GMM
        The final parameters.
    log_likelihoods : ndarray, shape (n_iter + 1,)
        The total log-likelihood Σ_n ln p(x_n | θ) at the initial parameters, then after every
        iteration (E-step + M-step).  It never decreases (chapter 06, eq. ``monotone``).
    converged : bool
        Whether the stopping rule was met within ``max_iter`` iterations.
    n_iter : int
        Number of iterations run.
    resp : ndarray, shape (N, K)
        The responsibilities under the final parameters.
    """

    gmm: GMM
    log_likelihoods: np.ndarray
    converged: bool
    n_iter: int
    resp: np.ndarray

    @property
    def log_likelihood(self) -> float:
        """The final total log-likelihood."""
        return float(self.log_likelihoods[-1])


def em(
    X,
    init,
    *,
    max_iter: int = 1000,
    tol: float = 1e-8,
    reg_covar: float = 0.0,
    covariance_type: str = "full",
    rng: np.random.Generator | None = None,
    n_init: int = 1,
) -> EMResult:
    """Fit a Gaussian mixture by EM (chapter 06, algorithm ``em``).

    Repeat: E-step (responsibilities under θ), M-step (θ from the responsibilities), until the
    log-likelihood stops rising.

    Parameters
    ----------
    X : array_like, shape (N, D)
    init : GMM or int
        The starting parameters, or a number of components K; then the start is a k-means
        clustering seeded by k-means++ (with ``rng``), turned into θ by one M-step.
    max_iter : int, ≥ 1
        The most iterations (E-step + M-step) to run.
    tol : float, ≥ 0
        Stop when the change of the *mean* log-likelihood per point, |ℓ_t − ℓ_{t−1}| / N,
        is below ``tol`` (``converged`` is then True).  With ``tol=0`` exactly ``max_iter``
        iterations run.
    reg_covar : float, ≥ 0
        Added to the diagonal of every covariance in every M-step (and in the k-means start).
    covariance_type : {'full', 'diag', 'spherical', 'tied'}
    rng : numpy.random.Generator, optional
        Required when ``init`` is an int.
    n_init : int, ≥ 1
        Number of k-means++ starts when ``init`` is an int; the run with the highest final
        log-likelihood is returned.  Must be 1 when ``init`` is a GMM.

    Returns
    -------
    EMResult

    Raises
    ------
    ValueError
        For bad input.
    CollapseError
        When a component collapses (singular covariance, or N_k ≈ 0); see ``reg_covar``.
    """
    X = validation.check_X(X)
    N, D = X.shape
    max_iter = validation.check_positive_int(max_iter, "max_iter")
    tol = validation.check_nonnegative_float(tol, "tol")
    reg_covar = validation.check_nonnegative_float(reg_covar, "reg_covar")
    covariance_type = validation.check_covariance_type(covariance_type)
    n_init = validation.check_positive_int(n_init, "n_init")
    data_scale = _data_scale(X)

    if isinstance(init, GMM):
        if init.D != D:
            raise ValueError(f"init has D = {init.D} dimensions but X has D = {D} columns.")
        if init.K > N:
            raise ValueError(f"init has K = {init.K} components but X has only N = {N} points; use K ≤ N.")
        if n_init != 1:
            raise ValueError("n_init must be 1 when init is a GMM: every start would be the same.")
        if rng is not None:
            validation.check_rng(rng)
        starts = [lambda: init]
    else:
        if isinstance(init, bool) or not isinstance(init, (int, np.integer)):
            raise ValueError(f"init must be a gmmbook.GMM or a number of components K, got {type(init).__name__}.")
        K = validation.check_positive_int(init, "init")
        if K > N:
            raise ValueError(f"init asks for K = {K} components but X has only N = {N} points; use K ≤ N.")
        if rng is None:
            raise ValueError("rng is required when init is a number of components: pass numpy.random.default_rng(seed).")
        rng = validation.check_rng(rng)

        def start():
            resp = kmeans_plusplus_start(X, K, rng)
            return _m_step(X, resp, covariance_type, reg_covar, data_scale)

        starts = [start] * n_init

    best = None
    for start in starts:
        result = _em_from(X, start(), max_iter, tol, reg_covar, covariance_type, data_scale)
        if best is None or result.log_likelihood > best.log_likelihood:
            best = result
    return best


def _em_from(X, gmm, max_iter, tol, reg_covar, covariance_type, data_scale) -> EMResult:
    N = X.shape[0]
    resp, loglik = _e_step(X, gmm)
    log_likelihoods = [loglik]
    converged = False
    for _ in range(max_iter):
        gmm = _m_step(X, resp, covariance_type, reg_covar, data_scale)
        del resp  # spent: free it before the E-step allocates the next one (peak memory)
        resp, loglik = _e_step(X, gmm)
        log_likelihoods.append(loglik)
        if abs(log_likelihoods[-1] - log_likelihoods[-2]) / N < tol:
            converged = True
            break
    return EMResult(gmm, np.array(log_likelihoods), converged, len(log_likelihoods) - 1, resp)

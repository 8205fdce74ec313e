"""The EM algorithm: E-step, M-step, the Q function and the loop.

Chapter 05 derives the M-step (eqs. ``m-weights``, ``m-means``, ``m-cov``, with the Lagrange
multiplier λ = −N for the weights) and the Q function (eq. ``q``); chapter 06 runs the loop;
chapter 07 (appendix) adds a prior, MAP-EM, whose formulas are in :mod:`gmmbook.prior`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validation
from .gaussian import LOG_2PI, SingularCovarianceError, cholesky, log_det, precision_cholesky
from .init import kmeans_plusplus_start
from .mixture import GMM, _check_gmm, _checked, _log_joint, _log_resp, _shared_doc
from .prior import Prior, _check_prior, _log_prior, _map_covariances, _map_weights
from .validation import CollapseError

#: A component whose total responsibility N_k is below this many points has lost its data.
MIN_NK = 1e-10

_COLLAPSE_ADVICE = (
    "Use reg_covar > 0 (e.g. 1e-6) or a prior (gmmbook.Prior) to keep covariances positive definite, "
    "fewer components, or another start."
)


@_shared_doc
def e_step(X, gmm: GMM) -> tuple[np.ndarray, float]:
    """E-step: the responsibilities under θ and the log-likelihood ℓ(θ) (chapter 04, eq. ``resp``).

    {X, gmm}

    Returns
    -------
    resp : ndarray, shape (N, K)
        r_nk = p(z_nk = 1 | x_n, θ), rows summing to 1.
    loglik : float
        Σ_n ln p(x_n | θ), the total log-likelihood at θ.
    """
    return _e_step(*_checked(X, gmm))


def _e_step(X: np.ndarray, gmm: GMM) -> tuple[np.ndarray, float]:
    log_resp, log_marginal = _log_resp(X, gmm)
    return np.exp(log_resp, out=log_resp), float(np.sum(log_marginal))


def m_step(X, resp, covariance_type: str = "full", reg_covar: float = 0.0, prior: Prior | None = None) -> GMM:
    """M-step: the θ that maximises Q(θ, θ_old) for fixed responsibilities (chapter 05).

    N_k = Σ_n r_nk,  π_k = N_k / N  (eq. ``m-weights``),  μ_k = Σ_n r_nk x_n / N_k  (eq. ``m-means``),
    Σ_k = S_k / N_k  with  S_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ  (eq. ``m-cov``).

    The constrained types (chapter 05, section 7, eqs. ``m-diag``, ``m-spherical``, ``m-tied``) maximise the same Q
    over a smaller set of matrices:

    * ``diag``: the diagonal of the full Σ_k;
    * ``spherical``: σ_k² I with σ_k² the mean of that diagonal;
    * ``tied``: one Σ = Σ_k N_k Σ_k / N shared by all components.

    With a ``prior`` it maximises Q(θ, θ_old) + ln p(θ) instead (MAP-EM, chapter 07):
    π_k = (N_k + α_k − 1) / (N + Σ_j α_j − K)  (eq. ``map-weights``), μ_k as above,
    Σ_k = (S_k + Ψ0) / (N_k + ν0 + D + 1)  (eq. ``map-cov``).

    ``reg_covar`` = ε adds ε I to every covariance after the update, as in scikit-learn:
    Σ_k = S_k / N_k + ε I.  This is *not* the maximiser of Q, so with ε > 0 the step is not an EM
    step and ℓ can fall (chapter 03, eq. ``floor-bound``, says what the floor does guarantee).
    Nor is it the MAP update of any fixed prior: (S_k + Ψ0) / (N_k + ν0 + D + 1) equals
    S_k / N_k + ε I only for ν0 = −(D + 1) and Ψ0 = N_k ε I, a "prior" that depends on the
    current N_k (and is improper), so ℓ + ln p(θ) is not what ``reg_covar`` climbs either.

    Parameters
    ----------
    X : array_like, shape (N, D)
    resp : array_like, shape (N, K)
        Non-negative, rows summing to 1.
    covariance_type : {'full', 'diag', 'spherical', 'tied'}
    reg_covar : float, ≥ 0
    prior : Prior, optional
        The prior of MAP-EM; only with ``covariance_type='full'`` and ``reg_covar=0``.

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
    if prior is not None:
        prior = _check_prior(prior, resp.shape[1], X.shape[1])
        validation.check_map_options(covariance_type, reg_covar)
    return _m_step(X, resp, covariance_type, reg_covar, prior=prior)


def _m_step(X, resp, covariance_type="full", reg_covar=0.0, *, prior=None) -> GMM:
    nk = resp.sum(axis=0)
    _check_nk(nk)
    with np.errstate(over="ignore", invalid="ignore"):
        means, scatter = _means_and_scatter(X, resp, nk)
    return _parameters(X.shape[0], nk, means, scatter, resp, covariance_type, reg_covar, prior)


def _check_nk(nk: np.ndarray) -> None:
    if np.any(nk < MIN_NK):
        k = int(np.argmin(nk))
        raise CollapseError(
            f"component {k} has lost all its responsibility (N_k = {nk[k]:.3g}): no point belongs "
            f"to it, so its mean and covariance are undefined. Use fewer components or another start.",
            k=k,
        )


def _parameters(N, nk, means, scatter, resp, covariance_type, reg_covar, prior) -> GMM:
    """θ from N_k, μ_k and S_k (eqs. ``m-weights``, ``m-cov``, their constrained and MAP forms); see :func:`m_step`."""
    D = means.shape[1]
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(scatter))):
        k = int(np.argmin(np.isfinite(scatter).all(axis=(1, 2)) & np.isfinite(means).all(axis=1)))
        raise ValueError(
            f"X is too spread out for float64: the scatter of component {k} overflows (beyond 1.8e308). "
            "Rescale the data, e.g. subtract the mean and divide by the standard deviation of each column."
        )
    if prior is None:
        weights, covariances = nk / N, scatter / nk[:, None, None]
    else:
        weights, covariances = _map_weights(nk, N, prior.alpha), _map_covariances(scatter, nk, prior)
    if covariance_type == "diag":
        covariances = _diagonal_matrices(np.diagonal(covariances, axis1=1, axis2=2))
    elif covariance_type == "spherical":
        variances = np.mean(np.diagonal(covariances, axis1=1, axis2=2), axis=1)
        covariances = variances[:, None, None] * np.eye(D)
    elif covariance_type == "tied":
        tied = np.tensordot(nk, covariances, axes=1) / N
        covariances = np.broadcast_to(tied, covariances.shape).copy()
    covariances[:, np.arange(D), np.arange(D)] += reg_covar
    locations = np.max(np.abs(means), axis=1)
    if covariance_type == "tied":                   # one Σ, estimated from every component's points
        locations[:] = locations.max()
    try:
        chol = cholesky(covariances, locations)
    except SingularCovarianceError as err:
        raise CollapseError(
            f"component {err.k} has collapsed: its covariance {err.reason}; "
            f"its responsibility is concentrated on {_support(resp[:, err.k])}. {_COLLAPSE_ADVICE}",
            k=err.k,
        ) from None
    return GMM._trusted(weights, means, covariances, chol)


def _support(resp_k: np.ndarray) -> str:
    """Describe where a component's responsibility sits, for collapse messages."""
    mass = np.sort(resp_k)[::-1]
    n_points = int(np.searchsorted(np.cumsum(mass), 0.999 * mass.sum()) + 1)
    return "one data point" if n_points == 1 else f"{n_points} data points (too few, or all equal)"


def _means_and_scatter(X: np.ndarray, resp: np.ndarray, nk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """μ_k = Σ_n r_nk x_n / N_k (eq. ``m-means``) and S_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ.

    The "corrected two-pass algorithm" (Chan, Golub & LeVeque 1983, The American Statistician
    37, p. 242): a first pass gives μ̂_k; the second sums both r_nk (x_n − μ̂_k) and the scatter
    about μ̂_k.  The first sum, c_k = Σ_n r_nk (x_n − μ̂_k) / N_k, is 0 in exact arithmetic and
    is the rounding error of μ̂_k, so μ_k = μ̂_k + c_k and S_k = Ŝ_k − N_k c_k c_kᵀ.  The mean is
    then right to about ε |x| however many points the component holds, and the points of a
    component on coincident data have a scatter of 0, not rounding noise, at any offset.

    Returns
    -------
    means : ndarray, shape (K, D)
    scatter : ndarray, shape (K, D, D)
        Symmetric.
    """
    N, D = X.shape
    means = (resp.T @ X) / nk[:, None]
    K = means.shape[0]
    S = np.zeros((K, D, D))
    shift = np.zeros((K, D))
    rows = max(1, (1 << 15) // D)
    for start in range(0, N, rows):
        block = slice(start, start + rows)
        for k in range(K):
            diff = X[block] - means[k]
            weighted = resp[block, k, None] * diff
            S[k] += weighted.T @ diff
            shift[k] += resp[block, k] @ diff
    shift /= nk[:, None]
    S -= nk[:, None, None] * shift[:, :, None] * shift[:, None, :]
    return means + shift, (S + S.transpose(0, 2, 1)) / 2


def _diagonal_matrices(diagonals: np.ndarray) -> np.ndarray:
    K, D = diagonals.shape
    out = np.zeros((K, D, D))
    out[:, np.arange(D), np.arange(D)] = diagonals
    return out


#: Rows of X per block of the fused pass: its buffer of φ(x̃_n), about D²·rows doubles (512 KiB), stays
#: in the core's L2 cache while every step of the E-step and the sums run over it.
_BLOCK_ENTRIES = 1 << 16

#: The fused pass works about one centre c for all components (see :func:`_e_step_and_moments`).
#: It is used while the second moments about c exceed the smallest variance of any Σ_k at most this
#: many times: its rounding errors are then at most about this factor above those of the exact
#: route, ≲ 1e-13 relative.  Otherwise (far-apart clusters, collapses) EM takes the exact route.
_MAX_MOMENT_RATIO = 2.0**8


def _e_step_and_moments(X: np.ndarray, gmm: GMM, centre: np.ndarray, resp_t: np.ndarray, rows: int | None = None):
    """The E-step fused with the sums of the next M-step, in one pass over X in blocks of rows.

    The log of a Gaussian is a quadratic polynomial in x.  About a centre c common to all
    components (the mean of X), with x̃ = x − c, δ_k = μ_k − c and Λ_k = Σ_k⁻¹ = P_k P_kᵀ,

        ln π_k + ln N(x | μ_k, Σ_k) = ln π_k − ½ [D ln 2π + ln det Σ_k + δ_kᵀ Λ_k δ_k]
                                      + x̃ᵀ Λ_k δ_k − ½ x̃ᵀ Λ_k x̃          (chapter 01, eq. ``gauss``)

    is the dot product of a row w_k of coefficients with the statistics φ(x̃) = (1, x̃, x̃ ⊗ x̃):
    a_nk = w_kᵀ φ(x̃_n), for all n and k one matrix product.  The M-step needs the responsibility-
    weighted sums of the same statistics, Σ_n r_nk φ(x̃_n) = (N_k, s_k, T_k), a second one.
    So each block of rows, while it is in cache, goes through:

    1. φ(x̃_n) for its rows;
    2. a_nk = w_kᵀ φ(x̃_n), the log joint (chapter 02, eq. ``joint-k``);
    3. log-sum-exp over k (chapter 03, eq. ``logsumexp``): ln p(x_n) = m_n + ln Σ_k exp(a_nk − m_n)
       with m_n = max_k a_nk, and r_nk = exp(a_nk − m_n) / Σ_j exp(a_nj − m_n)  (chapter 04, eq. ``resp``);
    4. N_k = Σ_n r_nk,  s_k = Σ_n r_nk x̃_n,  T_k = Σ_n r_nk x̃_n x̃_nᵀ.

    The M-step then has μ_k = c + s_k / N_k (eq. ``m-means``) and S_k = T_k − s_k s_kᵀ / N_k
    (eq. ``m-cov``, with the second moments taken about c).  Both steps cancel terms as large as
    the second moments about c down to the size of Σ_k; :func:`_moment_ratio` measures the loss.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    gmm : GMM
    centre : ndarray, shape (D,)
    resp_t : ndarray, shape (K, N)
        Overwritten with the responsibilities, transposed: resp_t[k, n] = r_nk.
    rows : int, optional
        Rows per block (for the tests; by default a block fits in cache).

    Returns
    -------
    loglik : float
        ℓ(θ) = Σ_n ln p(x_n | θ); not finite if a point is too far from every component.
    nk : ndarray, shape (K,)
    s : ndarray, shape (K, D)
    T : ndarray, shape (K, D, D)
    """
    N, D = X.shape
    K = gmm.K
    rows = rows or max(1, _BLOCK_ENTRIES // (D * D))
    P = precision_cholesky(gmm._chol)
    precisions = P @ P.transpose(0, 2, 1)                           # Λ_k
    P_delta = np.einsum("kji,kj->ki", P, gmm.means - centre)        # P_kᵀ δ_k
    w = np.empty((K, 1 + D + D * D))
    with np.errstate(divide="ignore"):                               # ln 0 = −∞ for a component of weight 0
        w[:, 0] = np.log(gmm.weights) - 0.5 * (D * LOG_2PI + log_det(gmm._chol) + np.sum(P_delta**2, axis=1))
    w[:, 1:1 + D] = np.einsum("kij,kj->ki", precisions, gmm.means - centre)   # Λ_k δ_k
    w[:, 1 + D:] = -0.5 * precisions.reshape(K, D * D)
    phi = np.empty((1 + D + D * D, rows))                             # φ(x̃_n), one column each
    phi[0] = 1.0
    sums = np.zeros((K, 1 + D + D * D))
    loglik = 0.0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, N, rows):
            x = X[start:start + rows]
            n = x.shape[0]
            f = phi[:, :n]
            xc = np.subtract(x.T, centre[:, None], out=f[1:1 + D])                    # x̃_n
            np.multiply(xc[:, None, :], xc[None, :, :], out=f[1 + D:].reshape(D, D, n))  # x̃_n ⊗ x̃_n
            a = np.matmul(w, f, out=resp_t[:, start:start + n])                       # a_nk
            m = a.max(axis=0)
            a -= m
            np.exp(a, out=a)
            total = a.sum(axis=0)
            a /= total                                                                  # r_nk
            loglik += float(np.sum(m) + np.sum(np.log(total)))                          # Σ_n ln p(x_n)
            sums += a @ f.T                                                             # Σ_n r_nk φ(x̃_n)
    nk, s, T = sums[:, 0], sums[:, 1:1 + D], sums[:, 1 + D:].reshape(K, D, D)
    return loglik, nk, s, T


def _moment_ratio(second_moments: np.ndarray, covariances: np.ndarray) -> float:
    """max_k max_d E_k[(x_d − c_d)²] / λ_min(Σ_k): by about how much the fused pass rounds worse than the exact route.

    ``second_moments`` (K, D) are the second moments about the centre c of each component's points:
    Σ_k,dd + (μ_kd − c_d)², or T_k,dd / N_k after a pass.  The fused pass rounds relative to them (in
    x̃ᵀ Λ_k x̃ and in T_k) and then cancels them down to the size of Σ_k, whose smallest variance
    λ_min(Σ_k) is what its errors are measured against; the exact route centres on μ_k first.
    A singular Σ_k gives ∞.
    """
    smallest = np.linalg.eigvalsh(covariances)[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.max(second_moments, axis=1) / smallest
    return float(np.max(np.where(smallest > 0, ratio, np.inf)))


def _fast_route_fits(gmm: GMM, centre: np.ndarray) -> bool:
    """Whether :func:`_e_step_and_moments` about ``centre`` rounds within ``_MAX_MOMENT_RATIO`` for θ."""
    second = np.diagonal(gmm.covariances, axis1=1, axis2=2) + (gmm.means - centre) ** 2
    return _moment_ratio(second, gmm.covariances) <= _MAX_MOMENT_RATIO


def _m_step_from_moments(moments, resp, covariance_type, reg_covar, prior) -> GMM | None:
    """The M-step from the sums of :func:`_e_step_and_moments`; None where they are not accurate enough."""
    centre, nk, s, T = moments
    if np.any(nk < MIN_NK):
        return None
    means = centre + s / nk[:, None]
    scatter = T - s[:, :, None] * s[:, None, :] / nk[:, None, None]
    scatter = (scatter + scatter.transpose(0, 2, 1)) / 2
    try:
        gmm = _parameters(resp.shape[0], nk, means, scatter, resp, covariance_type, reg_covar, prior)
    except (CollapseError, ValueError):
        return None
    second = np.diagonal(T, axis1=1, axis2=2) / nk[:, None]
    return gmm if _moment_ratio(second, gmm.covariances) <= _MAX_MOMENT_RATIO else None


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
        The total log-likelihood ℓ(θ) = Σ_n ln p(x_n | θ) at the initial parameters, then after
        every iteration (E-step + M-step).  With ``reg_covar = 0`` and no prior it never
        decreases (chapter 06, eq. ``monotone``).  With ``reg_covar > 0`` it can fall: the floored
        M-step does not maximise Q (see :func:`m_step`).  On standardised Old Faithful, from 20
        k-means++ starts, it falls in some iterations by up to 0.06 with K = 4 and
        ``reg_covar = 1e-2``, and by 13 with K = 2 and ``reg_covar = 1``.
        With a prior, EM climbs ``log_posteriors`` and ℓ alone may fall.
    converged : bool
        Whether the stopping rule was met within ``max_iter`` iterations.
    n_iter : int
        Number of iterations run.
    resp : ndarray, shape (N, K)
        The responsibilities under the final parameters.
    log_posteriors : ndarray, shape (n_iter + 1,)
        What EM climbs and stops on: ℓ(θ) + ln p(θ), the log posterior up to the constant
        −ln p(X) (chapter 07, eq. ``log-prior``), at the same points as ``log_likelihoods``.
        With a prior (and ``reg_covar = 0``) it never decreases; without one it equals
        ``log_likelihoods``.
    """

    gmm: GMM
    log_likelihoods: np.ndarray
    converged: bool
    n_iter: int
    resp: np.ndarray
    log_posteriors: np.ndarray

    @property
    def log_likelihood(self) -> float:
        """The final total log-likelihood ℓ(θ)."""
        return float(self.log_likelihoods[-1])

    @property
    def log_posterior(self) -> float:
        """The final ℓ(θ) + ln p(θ) (ℓ(θ) without a prior)."""
        return float(self.log_posteriors[-1])


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
    prior: Prior | None = None,
) -> EMResult:
    """Fit a Gaussian mixture by EM (chapter 06, algorithm ``em``), or by MAP-EM with a prior (chapter 07).

    Repeat: E-step (responsibilities under θ), M-step (θ from the responsibilities), until the
    objective stops rising: the log-likelihood ℓ(θ), or ℓ(θ) + ln p(θ) with a ``prior``.

    Parameters
    ----------
    X : array_like, shape (N, D)
    init : GMM or int
        The starting parameters, or a number of components K; then the start is a k-means
        clustering seeded by k-means++ (with ``rng``), turned into θ by one M-step.
    max_iter : int, ≥ 1
        The most iterations (E-step + M-step) to run.
    tol : float, ≥ 0
        Stop when the change of the objective per point, |ℓ_t − ℓ_{t−1}| / N (with a prior, of
        ℓ + ln p(θ)), is below ``tol`` (``converged`` is then True).  With ``tol=0`` exactly
        ``max_iter`` iterations run.
    reg_covar : float, ≥ 0
        Added to the diagonal of every covariance in every M-step (and in the k-means start).
        With ``reg_covar > 0`` the iterations are no longer EM steps for ℓ, and ℓ can fall; see
        :func:`m_step`.  Must be 0 with a prior.
    covariance_type : {'full', 'diag', 'spherical', 'tied'}
    rng : numpy.random.Generator, optional
        Required when ``init`` is an int.
    n_init : int, ≥ 1
        Number of k-means++ starts when ``init`` is an int; the run with the highest final
        objective is returned.  Must be 1 when ``init`` is a GMM.
    prior : Prior, optional
        Fit the posterior mode instead of the maximum likelihood (MAP-EM, chapter 07); only
        with ``covariance_type='full'``.  Every M-step, the k-means start's included, is then the
        MAP update of :func:`m_step`.

    Returns
    -------
    EMResult

    Raises
    ------
    ValueError
        For bad input.
    CollapseError
        When a component collapses (singular covariance, or N_k ≈ 0); see ``reg_covar`` and ``prior``.

    Notes
    -----
    While it is accurate enough (see ``_MAX_MOMENT_RATIO``), each iteration reads X once, in blocks
    of rows that stay in cache: the E-step fused with the sums of the next M-step
    (``_e_step_and_moments``, which explains how).  Otherwise, for components far apart compared
    with their spread and for collapsing ones, it takes the route of :func:`e_step` and
    :func:`m_step`.  Both routes give the same θ to about 1e-13 relative.
    """
    X = validation.check_X(X)
    N, D = X.shape
    max_iter = validation.check_positive_int(max_iter, "max_iter")
    tol = validation.check_nonnegative_float(tol, "tol")
    reg_covar = validation.check_nonnegative_float(reg_covar, "reg_covar")
    covariance_type = validation.check_covariance_type(covariance_type)
    n_init = validation.check_positive_int(n_init, "n_init")

    if isinstance(init, GMM):
        if init.D != D:
            raise ValueError(f"init has D = {init.D} dimensions but X has D = {D} columns.")
        if init.K > N:
            raise ValueError(f"init has K = {init.K} components but X has only N = {N} points; use K ≤ N.")
        if n_init != 1:
            raise ValueError("n_init must be 1 when init is a GMM: every start would be the same.")
        if rng is not None:
            validation.check_rng(rng)
        K = init.K
        starts = [lambda: init]
    else:
        K = validation.check_positive_int(init, "init", what="a gmmbook.GMM or a number of components K")
        if K > N:
            raise ValueError(f"init asks for K = {K} components but X has only N = {N} points; use K ≤ N.")
        if rng is None:
            raise ValueError("rng is required when init is a number of components: pass numpy.random.default_rng(seed).")
        rng = validation.check_rng(rng)

        def start():
            resp = kmeans_plusplus_start(X, K, rng)
            return _m_step(X, resp, covariance_type, reg_covar, prior=prior)

        starts = [start] * n_init
    if prior is not None:
        prior = _check_prior(prior, K, D)
        validation.check_map_options(covariance_type, reg_covar)

    best = None
    for start in starts:
        result = _em_from(X, start(), max_iter, tol, reg_covar, covariance_type, prior)
        if best is None or result.log_posterior > best.log_posterior:
            best = result
    return best


def _em_from(X, gmm, max_iter, tol, reg_covar, covariance_type, prior) -> EMResult:
    N = X.shape[0]

    def log_prior(gmm):
        return 0.0 if prior is None else _log_prior(gmm, prior)

    # Every iteration is one pass over X when the fused pass is accurate enough for θ (see
    # _e_step_and_moments and _MAX_MOMENT_RATIO), else the exact E-step and the two-pass M-step.
    # The fused pass writes the responsibilities into one (K, N) array, reused by every iteration.
    centre = np.mean(X, axis=0)
    buffer = None

    def expectation(gmm):
        nonlocal buffer
        if _fast_route_fits(gmm, centre):
            buffer = np.empty((gmm.K, N)) if buffer is None else buffer
            loglik, *sums = _e_step_and_moments(X, gmm, centre, buffer)
            if np.isfinite(loglik):
                return buffer.T, loglik, (centre, *sums)
        buffer = None
        resp, loglik = _e_step(X, gmm)              # also raises for a point too far from every component
        return resp, loglik, None

    def maximisation(resp, moments):
        if moments is not None:
            gmm = _m_step_from_moments(moments, resp, covariance_type, reg_covar, prior)
            if gmm is not None:
                return gmm
        return _m_step(X, resp, covariance_type, reg_covar, prior=prior)

    resp, loglik, moments = expectation(gmm)
    log_likelihoods, log_posteriors = [loglik], [loglik + log_prior(gmm)]
    converged = False
    for _ in range(max_iter):
        gmm = maximisation(resp, moments)
        del resp  # spent: on the exact route, free it before the E-step allocates the next one (peak memory)
        resp, loglik, moments = expectation(gmm)
        log_likelihoods.append(loglik)
        log_posteriors.append(loglik + log_prior(gmm))
        if abs(log_posteriors[-1] - log_posteriors[-2]) / N < tol:
            converged = True
            break
    return EMResult(gmm, np.array(log_likelihoods), converged, len(log_likelihoods) - 1, resp,
                    np.array(log_posteriors))

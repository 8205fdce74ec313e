"""MAP-EM: a conjugate prior on θ, its log density and the MAP M-step (chapter 07, appendix).

The prior is

    p(θ) = Dir(π | α) · Π_k IW(Σ_k | ν0, Ψ0),   flat (improper, constant) in every μ_k,

with densities (chapter 07, eq. ``log-prior``)

    ln Dir(π | α)     = ln Γ(Σ_k α_k) − Σ_k ln Γ(α_k) + Σ_k (α_k − 1) ln π_k,
    ln IW(Σ | ν0, Ψ0) = (ν0/2) ln det Ψ0 − (ν0 D/2) ln 2 − ln Γ_D(ν0/2)
                        − ((ν0 + D + 1)/2) ln det Σ − ½ tr(Ψ0 Σ⁻¹).

EM for the posterior replaces the M-step's maximisation of Q(θ, θ_old) by that of
Q(θ, θ_old) + ln p(θ); the E-step is unchanged.  Then ℓ(θ) + ln p(θ), the log posterior up to
the constant −ln p(X), never decreases (the argument of chapter 06, eq. ``monotone``, with ln p(θ)
added on both sides).  The maximiser is, with N_k = Σ_n r_nk and S_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ,

    π_k = (N_k + α_k − 1) / (N + Σ_j α_j − K)          (eq. ``map-weights``),
    μ_k = Σ_n r_nk x_n / N_k                            (unchanged, eq. ``m-means``),
    Σ_k = (S_k + Ψ0) / (N_k + ν0 + D + 1)              (eq. ``map-cov``).

Since Ψ0 is positive definite, every Σ_k ⪰ Ψ0 / (N_k + ν0 + D + 1) stays positive definite even
when S_k = 0: the prior removes the collapse of chapter 03.  ``reg_covar`` also keeps Σ_k positive
definite, but its update S_k / N_k + ε I maximises no fixed objective, so nothing is guaranteed to
climb (see :func:`gmmbook.m_step`).  The prior on μ_k is flat, so a component that loses all its
responsibility (N_k ≈ 0) has no mean and still raises :class:`gmmbook.CollapseError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, multigammaln

from . import validation
from .gaussian import precision_cholesky
from .mixture import GMM, _check_gmm


@dataclass(frozen=True, eq=False)
class Prior:
    """The conjugate prior p(θ) = Dir(π | α) Π_k IW(Σ_k | ν0, Ψ0), flat in μ (chapter 07).

    Parameters
    ----------
    alpha : float or array_like, shape (K,)
        Dirichlet concentrations α_k ≥ 1; one number gives every component the same.
        α_k − 1 acts like that many extra points given to component k; α_k = 1 leaves the weights
        as in maximum likelihood.
    nu0 : float
        Degrees of freedom ν0 > D − 1 of the inverse-Wishart prior on each Σ_k.
    psi0 : array_like, shape (D, D)
        Its scale matrix Ψ0, symmetric positive definite.  The prior's mode is
        Ψ0 / (ν0 + D + 1), and the MAP Σ_k is (S_k + Ψ0) / (N_k + ν0 + D + 1): Ψ0 acts like a
        scatter matrix of ν0 + D + 1 extra points.

    Raises
    ------
    ValueError
        If α has an entry < 1 or more than one axis, ν0 ≤ D − 1, or Ψ0 is not a symmetric positive
        definite square matrix; the message names the field.

    Examples
    --------
    A weak prior for standardised 2-D data: ν0 = 3, and Ψ0 = 6 I, so that its mode
    Ψ0 / (ν0 + D + 1) is the identity; the weights are left alone (α = 1):

    >>> prior = Prior(alpha=1.0, nu0=3.0, psi0=6.0 * np.eye(2))
    """

    alpha: np.ndarray
    nu0: float
    psi0: np.ndarray

    def __post_init__(self):
        alpha, nu0, psi0 = validation.check_prior_fields(self.alpha, self.nu0, self.psi0)
        for name, value in (("alpha", alpha), ("psi0", psi0)):
            value = np.array(value, dtype=np.float64, copy=True)
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        object.__setattr__(self, "nu0", nu0)

    @property
    def D(self) -> int:
        """Number of dimensions (of Ψ0)."""
        return self.psi0.shape[0]

    def __repr__(self) -> str:
        return f"Prior(alpha={np.array2string(self.alpha, precision=4)}, nu0={self.nu0:g}, D={self.D})"


def _check_prior(prior, K: int, D: int) -> Prior:
    if not isinstance(prior, Prior):
        raise ValueError(f"prior must be a gmmbook.Prior(alpha, nu0, psi0) or None, got {type(prior).__name__}.")
    validation.check_prior_fits(prior.alpha, prior.psi0, K, D)
    return prior


def log_prior(gmm: GMM, prior: Prior) -> float:
    """ln p(θ) = ln Dir(π | α) + Σ_k ln IW(Σ_k | ν0, Ψ0)  (chapter 07, eq. ``log-prior``).

    The flat prior on the means contributes a constant, taken as 0.  A weight π_k = 0 contributes
    (α_k − 1) ln π_k = 0 when α_k = 1 and −∞ when α_k > 1.

    Parameters
    ----------
    gmm : GMM
        θ, with K components in D dimensions.
    prior : Prior
        α with one entry or K, Ψ0 of shape (D, D).

    Returns
    -------
    float
    """
    gmm = _check_gmm(gmm)
    prior = _check_prior(prior, gmm.K, gmm.D)
    return _log_prior(gmm, prior)


def _log_prior(gmm: GMM, prior: Prior) -> float:
    K, D = gmm.K, gmm.D
    alpha = np.broadcast_to(prior.alpha, (K,))
    nu0, psi0 = prior.nu0, prior.psi0
    shape = alpha - 1.0
    with np.errstate(divide="ignore"):                  # ln 0 = −∞ where π_k = 0
        log_weights = np.log(gmm.weights)
    terms = np.multiply(shape, log_weights, out=np.zeros(K), where=shape != 0)   # 0 · ln 0 = 0
    log_dirichlet = gammaln(alpha.sum()) - gammaln(alpha).sum() + terms.sum()

    log_det_psi = np.linalg.slogdet(psi0)[1]
    log_det_sigma = 2.0 * np.sum(np.log(np.diagonal(gmm._chol, axis1=1, axis2=2)), axis=1)
    P = precision_cholesky(gmm._chol)                   # Σ_k⁻¹ = P_k P_kᵀ
    trace = np.einsum("kji,jl,kli->k", P, psi0, P)      # tr(Ψ0 Σ_k⁻¹) = tr(P_kᵀ Ψ0 P_k)
    normaliser = 0.5 * nu0 * log_det_psi - 0.5 * nu0 * D * np.log(2.0) - multigammaln(0.5 * nu0, D)
    log_iw = K * normaliser - 0.5 * (nu0 + D + 1) * log_det_sigma.sum() - 0.5 * trace.sum()
    return float(log_dirichlet + log_iw)


def _map_weights(nk: np.ndarray, N: int, alpha: np.ndarray) -> np.ndarray:
    """π_k = (N_k + α_k − 1) / (N + Σ_j α_j − K)  (chapter 07, eq. ``map-weights``).  Shape (K,)."""
    K = nk.shape[0]
    alpha = np.broadcast_to(alpha, (K,))
    return (nk + alpha - 1.0) / (N + alpha.sum() - K)


def _map_covariances(scatter: np.ndarray, nk: np.ndarray, prior: Prior) -> np.ndarray:
    """Σ_k = (S_k + Ψ0) / (N_k + ν0 + D + 1)  (chapter 07, eq. ``map-cov``).  Shape (K, D, D)."""
    D = scatter.shape[1]
    return (scatter + prior.psi0) / (nk + prior.nu0 + D + 1)[:, None, None]

"""Checkers for the exercises of chapter 01, Mixtures of Gaussians (``exercises/01_mixtures.ipynb``)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .. import mixture, selection
from ..datasets import old_faithful, textbook_1d
from ..mixture import GMM, _gmm_1d, log_joint, log_marginal
from .framework import Mistake, Rules, as_array, as_number, call, case, close, describe, diagnose, exercise, fmt, same_count

MIXTURE_1D = _gmm_1d([0.2, 0.5, 0.3], [-2.0, 0.0, 3.0], [0.5, 2.0, 0.25])
MIXTURE_2D = GMM(
    np.array([0.6, 0.3, 0.1]),
    np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]]),
    np.array([[[4.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 9.0]], [[2.0, -1.0], [-1.0, 2.0]]]),
)


@exercise("mixture_density", answer="mixture_density")
def _check_mixture_density(f):
    """f(X, weights, means, covariances) → (N,) the mixture density p(x_n) (chapter 01, eq. mixture)."""
    rules = Rules(forbidden=((mixture.log_marginal, "gb.log_marginal"), (mixture.log_joint, "gb.log_joint"),
                             (mixture.log_likelihood, "gb.log_likelihood")))
    X1 = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 4.0]).reshape(-1, 1)
    X2 = np.array([[0.0, 0.0], [1.0, -1.0], [2.0, 3.0]])
    gmm2 = GMM(np.array([0.7, 0.3]), np.array([[0.0, 0.0], [2.0, 2.0]]),
               np.array([[[1.0, 0.6], [0.6, 2.0]], [[0.5, 0.0], [0.0, 0.5]]]))
    for what, X, gmm in [("a 1-D mixture", X1, MIXTURE_1D), ("a 2-D mixture", X2, gmm2)]:
        with case(what):
            expected = np.exp(log_marginal(X, gmm))
            got = as_array(call(f, X.copy(), gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy(), rules=rules),
                           "the density")
            if got.shape == (X.shape[0], gmm.K):
                raise Mistake(f"On {what} you returned one column per component, shape {got.shape}: "
                              "sum the weighted components over k.")
            if got.shape != expected.shape:
                raise Mistake(f"On {what} the density should have shape {expected.shape} (one value per point), got {got.shape}.")
            if close(got, expected, rtol=1e-6, atol=1e-300):
                continue
            equal = GMM(np.full(gmm.K, 1 / gmm.K), gmm.means, gmm.covariances)
            candidates = [
                (np.exp(log_joint(X, equal)).sum(axis=1) * gmm.K, "You ignored the weights: each component counts π_k times."),
                (np.exp(log_joint(X, equal)).sum(axis=1), "You used equal weights 1/K; use the mixture's weights π_k."),
            ]
            if gmm.D == 1:
                variance_as_scale = _gmm_1d(gmm.weights, gmm.means[:, 0], gmm.covariances.ravel() ** 2)
                candidates.append((np.exp(log_marginal(X, variance_as_scale)),
                                   "You used the variance where the standard deviation belongs "
                                   "(scipy.stats.norm's scale is σ = √σ²)."))
            candidates.append((np.log(expected), "You returned ln p(x); this exercise asks for the density p(x) itself."))
            chol = np.linalg.cholesky(gmm.covariances)
            transposed = GMM(gmm.weights, gmm.means, np.swapaxes(chol, 1, 2) @ chol)
            candidates.append((np.exp(log_marginal(X, transposed)),
                               "You solved with Lᵀ instead of L: ‖L⁻ᵀ(x − μ)‖² is not Δ². "
                               "Use u = L⁻¹(x − μ), solve_triangular(L, (X − μ).T, lower=True)."))
            diagnose(got, candidates, f"On {what} expected {fmt(expected)}, got {fmt(got)}. Compare one component with "
                     "scipy.stats.multivariate_normal(μ_k, Σ_k).pdf(X): the normaliser is (2π)^(D/2) (det Σ_k)^(1/2) "
                     "and the exponent −½ Δ².", expected=expected)
    return "Right: p(x) = Σ_k π_k N(x | μ_k, Σ_k)."


def _full_count(K: int, D: int) -> int:
    return selection.n_parameters(K, D, "full")


@exercise("count_parameters", answer="count_parameters")
def _check_count_parameters(f):
    """f(K, D) → the number of free parameters of a full-covariance GMM (chapter 01, eq. count).

    The messages name the mistake but never the count itself: this is a derive exercise.
    """
    rules = Rules(forbidden=((selection.n_parameters, "gb.n_parameters"),))
    for K, D in [(1, 1), (2, 2), (3, 4), (5, 10), (4, 7)]:
        what = f"K = {K}, D = {D}"
        with case(what):
            got = call(f, K, D, rules=rules)
            if np.ndim(got) != 0 and not hasattr(got, "free_symbols"):
                raise Mistake(f"Return one whole number, the count; for {what} you returned {describe(got)}.")
            got = as_number(got, "the count")
            if same_count(got, _full_count(K, D)):
                continue
            if not float(got).is_integer():
                raise Mistake(f"For {what} you returned {got!r}, which is not a whole number: a count of parameters is.")
            diagnose(got, [
                (K * D + K + K * D * (D + 1) // 2, f"For {what} you counted all K weights as free; they are tied by one equation."),
                (K * D + (K - 1) + K * D * D, f"For {what} you counted every entry of each covariance; a covariance is symmetric."),
                (K * D + (K - 1) + K * D, f"For {what} you counted only the variances (the diagonal); "
                                          "a full covariance also has free entries off it."),
                ((K - 1) + K * D * (D + 1) // 2, f"For {what} you left out the means (or, which gives the same number, "
                                                 "counted only the entries below the diagonal of L: its diagonal is free too)."),
                (K * D + K * D * (D + 1) // 2, f"For {what} you left out the weights."),
                (K * D + (K - 1) + D * (D + 1) // 2, f"For {what} you counted one covariance in all; each of the K components "
                                                     "has its own."),
            ], f"For {what} your count is {got!r}, which is not right. Count three groups separately: the numbers in "
               "the means, in one covariance (or in its factor L), and the free weights.", expected=_full_count(K, D))
    return "Right: K·D + (K − 1) + K·D(D + 1)/2, which grows like O(D²K) and not with N."


@exercise("mixture_moments", answer="mixture_moments")
def _check_mixture_moments(f):
    """f(weights, means, covariances) → (mean, cov) of the mixture density (chapter 01, exercise 4).

    mean = Σ_k π_k μ_k,  cov = Σ_k π_k Σ_k + Σ_k π_k (μ_k − mean)(μ_k − mean)ᵀ.
    """
    for what, gmm in [("a 1-D mixture", MIXTURE_1D), ("a 2-D mixture", MIXTURE_2D)]:
        with case(what):
            result = call(f, gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy())
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise Mistake(f"Return a pair (mean, cov), got {describe(result)}.")
            D = gmm.D
            mean = as_array(result[0], "the mean", (D,))
            cov = as_array(result[1], "the covariance", (D, D))
            expected_mean = gmm.weights @ gmm.means
            centred = gmm.means - expected_mean
            within = np.einsum("k,kij->ij", gmm.weights, gmm.covariances)
            between = np.einsum("k,ki,kj->ij", gmm.weights, centred, centred)
            if not close(mean, expected_mean, rtol=1e-6, atol=1e-9):
                diagnose(mean, [(gmm.means.mean(axis=0), "Your mean is the plain average of the μ_k; weight each by π_k.")],
                         f"On {what} the mean should be {fmt(expected_mean)}, yours is {fmt(mean)}: "
                         "E[x] = Σ_k π_k μ_k.", expected=expected_mean)
            if not close(cov, within + between, rtol=1e-6, atol=1e-9):
                diagnose(cov, [
                    (within, "Your covariance has only the spread within the components, Σ_k π_k Σ_k; add the spread of "
                             "the means between them, Σ_k π_k (μ_k − μ̄)(μ_k − μ̄)ᵀ."),
                    (between, "Your covariance has only the spread between the component means; add the spread within "
                              "them, Σ_k π_k Σ_k."),
                    (within + np.einsum("k,ki,kj->ij", gmm.weights, gmm.means, gmm.means),
                     "You computed E[x xᵀ] = Σ_k π_k (Σ_k + μ_k μ_kᵀ); subtract μ̄ μ̄ᵀ to get the covariance."),
                    (within + np.cov(gmm.means.T, bias=True).reshape(D, D),
                     "Your spread between the components is the unweighted covariance of the μ_k; weight each "
                     "(μ_k − μ̄)(μ_k − μ̄)ᵀ by π_k."),
                    (np.einsum("k,kij->ij", gmm.weights ** 2, gmm.covariances) + between,
                     "You weighted the Σ_k by π_k²; a mixture is not a weighted sum of random variables."),
                ], f"On {what} the covariance should be {fmt((within + between).ravel())} (flattened), "
                   f"yours is {fmt(cov.ravel())}.", expected=within + between)
    return "Right: the mean is Σ_k π_k μ_k and the covariance is within (Σ_k π_k Σ_k) plus between (the spread of the means)."


# ---------------------------------------------------------------------------------------------- hard labels


def _hard_label_cases():
    """(what, means (2, D), shared covariance (D, D)) for the error of the best hard label."""
    long_thin = np.diag([4.0, 0.15])
    correlated = np.array([[1.34, 0.01, 0.31, -0.04], [0.01, 0.91, 0.05, -0.4],
                           [0.31, 0.05, 1.13, -0.38], [-0.04, -0.4, -0.38, 1.32]])
    return [
        ("a 1-D pair with variance 9", np.array([[0.0], [4.5]]), np.array([[9.0]])),
        ("overlapping_2d", np.array([[0.0, 0.0], [2.0, 0.0]]), np.eye(2)),
        ("elongated_2d (means across the thin direction)", np.array([[0.0, -1.5], [0.0, 1.5]]), long_thin),
        ("the same clusters, means along the long direction", np.array([[-1.5, 0.0], [1.5, 0.0]]), long_thin),
        ("4-D, correlated", np.array([[0.0, 0.0, 0.0, 0.0], [1.0, -0.5, 0.8, 1.2]]), correlated),
    ]


def _phi_of_distance(diff, precision):
    """Φ(−√(diffᵀ P diff) / 2) for the matrix P that stands in for Σ⁻¹."""
    return float(stats.norm.cdf(-np.sqrt(diff @ precision @ diff) / 2))


@exercise("hard_label_error", answer="hard_label_error")
def _check_hard_label_error(f):
    """f(means, cov) → the probability that the best hard label is wrong, for two equal-weight
    components with a shared covariance: Φ(−Δ/2), Δ the Mahalanobis distance between the means.

    A derive exercise: the messages name the mistake, never the probability.
    """
    for what, means, cov in _hard_label_cases():
        with case(what):
            diff = means[1] - means[0]
            inverse = np.linalg.inv(cov)
            delta = np.sqrt(diff @ inverse @ diff)
            expected = float(stats.norm.cdf(-delta / 2))
            raw = call(f, means.copy(), cov.copy())
            if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
                raise Mistake(f"Return one number, the probability of a wrong label; on {what} you returned {describe(raw)}.")
            got = as_number(raw, "the probability")
            if not np.isfinite(got):
                raise Mistake(f"On {what} you returned {got}: a probability is a finite number.")
            if close(got, expected, rtol=1e-6, atol=1e-12):
                continue
            if not 0 <= got <= 0.5:
                extra = (" That is the probability that the label is right." if close(got, 1 - expected, rtol=1e-6, atol=1e-12)
                         else "")
                raise Mistake(f"On {what} you returned {got:.3g}, not a probability between 0 and ½: the best rule is "
                              f"never worse than tossing a coin.{extra}")
            candidates = [
                (_phi_of_distance(diff, np.eye(len(diff))),
                 f"On {what} you measured the distance between the means with the Euclidean length ‖μ₂ − μ₁‖; "
                 "the densities measure it with Σ⁻¹, the Mahalanobis distance of equation (gauss)."),
                (_phi_of_distance(diff, inverse @ inverse),
                 f"On {what} you divided by the variance where the standard deviation belongs (Σ⁻² in place of Σ⁻¹, "
                 "or d/σ² in place of d/σ in 1-D)."),
                (_phi_of_distance(diff, cov),
                 f"On {what} you used Σ where Σ⁻¹ belongs in the distance between the means."),
                (float(stats.norm.cdf(-delta)),
                 f"On {what} you used the whole distance Δ between the means; the boundary of the best rule lies "
                 "halfway between them."),
                (float(stats.norm.cdf(-delta ** 2 / 2)), f"On {what} you used the squared distance Δ² where Δ belongs."),
                (float(stats.norm.cdf(-delta ** 2 / 4)), f"On {what} you used the squared distance Δ² where Δ belongs."),
                (2 * expected, f"On {what} you added the error probabilities of the two components; a point comes from "
                               "each with probability π_k = ½, so weight each by ½."),
                (expected / 2, f"On {what} you counted the errors of one component only."),
            ]
            near = abs(got - expected) <= 0.05 * expected
            diagnose(got, candidates,
                     (f"On {what} your probability agrees with the exact one to a few percent only: a simulation or a rough "
                      "numerical integral? Derive the exact value; the check compares to a relative 10⁻⁶.") if near else
                     (f"On {what} your probability is not right. Project x on the direction Σ⁻¹(μ₂ − μ₁), across the "
                      "boundary: under each component the projection is a 1-D Gaussian; find its mean and variance."),
                     expected=expected)
    return ("Right: Φ(−Δ/2), with Δ the Mahalanobis distance between the means. Elongated clusters that overlap "
            "in Euclidean terms can be far apart for the mixture.")


# ---------------------------------------------------------------------------------------------- units


def _rescaling_cases():
    """(what, X, ℓ of some mixture on the standardised X)."""
    rng = np.random.default_rng(3)
    X3 = rng.normal(size=(50, 3)) * [0.01, 1.0, 250.0] + [5.0, -2.0, 1000.0]
    return [
        ("Old Faithful", old_faithful(), -385.460696),
        ("3-D, columns on scales 0.01, 1 and 250", X3, 20.0),
        ("1-D, the 7 points of the textbook example", textbook_1d()[0], -9.5),
    ]


@exercise("raw_loglik", answer="raw_loglik")
def _check_raw_loglik(f):
    """f(loglik_std, X) → ℓ on the raw data of the mixture fitted to X_std = (X − mean) / std:
    ℓ_std − N Σ_d ln σ̂_d, with σ̂_d = X.std(axis=0) (divisor N); compared to a relative 10⁻⁶.

    A derive exercise: the messages name the mistake, never the value.
    """
    for what, X, loglik_std in _rescaling_cases():
        with case(what):
            N, D = X.shape
            s = X.std(axis=0)
            expected = loglik_std - N * np.sum(np.log(s))
            raw = call(f, loglik_std, X.copy())
            if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
                raise Mistake(f"Return one number, the log-likelihood on the raw data; on {what} you returned {describe(raw)}.")
            got = float(as_number(raw, "the log-likelihood"))
            if np.isclose(got, expected, rtol=1e-6, atol=1e-9):
                continue
            if not np.isfinite(got):
                raise Mistake(f"On {what} you returned {got}: the log-likelihood of these points is finite.")
            candidates = [
                (loglik_std + N * np.sum(np.log(s)),
                 f"On {what} the sign of the change is wrong: stretching the data by σ̂_d spreads the same probability "
                 "over a larger region, so the density falls."),
                (loglik_std - N * np.sum(np.log(s ** 2)),
                 f"On {what} you used the variance σ̂_d² where the standard deviation σ̂_d belongs."),
                (loglik_std + N * np.sum(np.log(s ** 2)),
                 f"On {what} you used the variance σ̂_d² where the standard deviation σ̂_d belongs, and the sign is wrong."),
                (loglik_std - np.sum(np.log(s)),
                 f"On {what} you changed ℓ by one point's share only: ℓ is the total over the N points, and every "
                 "point's density changes."),
                (loglik_std - N * np.sum(np.log(X.std(axis=0, ddof=1))),
                 f"On {what} you used the standard deviation with divisor N − 1 (ddof=1); the chapter's X.std(axis=0) "
                 "divides by N."),
                *[(loglik_std - N / 2 * np.linalg.slogdet(np.atleast_2d(np.cov(X.T, ddof=ddof)))[1],
                   f"On {what} you used the determinant of the whole covariance matrix of X; standardising divides each "
                   "column by its own σ̂_d, whatever the correlations.") for ddof in (0, 1)],
                (loglik_std - N * np.log(s[0]), f"On {what} you rescaled only the first column; every column is divided "
                                                 "by its own σ̂_d."),
                (loglik_std - N * np.sum(np.log10(s)), f"On {what} you used log10; ℓ uses the natural logarithm ln."),
                (expected / N, f"On {what} you returned the mean over the points; ℓ is the total."),
            ]
            diagnose(got, candidates,
                     f"On {what} your value is not right. Write the density of one standardised point in terms of the "
                     "density of the raw point: what does x ↦ (x − m)/s do to a volume?", expected=expected)
    return ("Right: ℓ_raw = ℓ_std − N Σ_d ln σ̂_d, the same shift for every mixture, so for full, diagonal and tied "
            "covariances the best fit in one unit is the best fit in the other.")

"""Checkers for the exercises of chapter 06, EM at work (``exercises/06_em_in_action.ipynb``).

The derive exercises take a SymPy answer, read and compared by chapter 05's :func:`derived_expression`.
"""

from __future__ import annotations

import numpy as np

from .. import em as em_module
from ..datasets import old_faithful, textbook_1d
from ..em import e_step, m_step
from ..mixture import GMM
from .ch05_em_derivation import derived_expression
from .framework import Mistake, Rules, as_array, as_number, call, case, close, diagnose, exercise, fmt

MONOTONE_RTOL = 1e-9   # a step may fall by at most this much of |ℓ| (rounding of the sum over points)
# The poor start of the exercise: the means on the wrong diagonal, far from the centre of the data.
POOR_START = GMM(np.array([0.5, 0.5]), np.array([[2.0, 80.0], [4.5, 55.0]]), np.array([np.diag([1.0, 100.0])] * 2))


def _em_cases():
    rng = np.random.default_rng(7)
    X2 = np.concatenate([rng.normal([0.0, 0.0], 1.0, size=(60, 2)), rng.normal([3.0, 2.0], 0.7, size=(40, 2))])
    start2 = GMM(np.array([0.5, 0.5]), np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([np.eye(2), 2 * np.eye(2)]))
    X1, start1 = textbook_1d()
    return [("the textbook example", X1, start1, 5), ("a 2-D example", X2, start2, 8),
            ("Old Faithful from the poor start", old_faithful(), POOR_START, 40)]


def _reference(X, start, n_iter):
    resp, loglik = e_step(X, start)
    logliks = [loglik]
    for _ in range(n_iter):
        resp, loglik = e_step(X, m_step(X, resp))
        logliks.append(loglik)
    return np.array(logliks)


def _stale(X, start, n_iter):
    """The log-likelihoods when the responsibilities are computed once, before the loop."""
    resp0, loglik = e_step(X, start)
    return np.array([loglik] + [e_step(X, m_step(X, resp0))[1]] * n_iter)


def _old_centre(X, start, n_iter):
    """The log-likelihoods when each covariance is centred on the previous means; None if that breaks down."""
    gmm, logliks = start, []
    try:
        for _ in range(n_iter + 1):
            resp, loglik = e_step(X, gmm)
            logliks.append(loglik)
            nk = resp.sum(axis=0)
            diff = X[None, :, :] - gmm.means[:, None, :]
            covariances = np.einsum("nk,kni,knj->kij", resp, diff, diff) / nk[:, None, None]
            gmm = GMM(nk / len(X), resp.T @ X / nk[:, None], covariances)
    except ValueError:
        return None
    return np.array(logliks[:n_iter + 1])


@exercise("em", answer="em")
def _check_em(f):
    """f(X, weights, means, covariances, n_iter) → the n_iter + 1 total log-likelihoods (chapter 06, eq. em)."""
    rules = Rules(forbidden=((em_module.em, "gb.em"),))
    for what, X, start, n_iter in _em_cases():
        with case(what):
            expected = _reference(X, start, n_iter)
            got = as_array(call(f, X.copy(), start.weights.copy(), start.means.copy(), start.covariances.copy(), n_iter,
                                rules=rules), "the log-likelihoods")
            if got.shape == (n_iter,):
                raise Mistake(f"Return n_iter + 1 = {n_iter + 1} values: the log-likelihood at the start, then after "
                              "each iteration.")
            if got.shape != expected.shape:
                raise Mistake(f"Return a 1-D array of n_iter + 1 = {n_iter + 1} log-likelihoods, got shape {got.shape}.")
            if not np.all(np.isfinite(got)):
                raise Mistake(f"On {what} your log-likelihoods contain {'NaN' if np.any(np.isnan(got)) else '±inf'}: "
                              "compute ln p(x_n) with log-sum-exp (densities can underflow to 0, and ln 0 = −∞).")
            falls = np.diff(got) < -MONOTONE_RTOL * np.abs(got[:-1])
            if close(got, expected, rtol=1e-7, atol=1e-8) and not np.any(falls):
                continue
            if np.any(falls):
                t = int(np.argmax(falls)) + 1
                raise Mistake(f"On {what} your log-likelihood falls at iteration {t}, by more than 10⁻⁹ |ℓ|; EM never "
                              "decreases it. Check your M-step (weights N_k/N; means and covariances divided by N_k, the "
                              "covariances centred on the new means) and that each E-step uses the newest parameters.")
            old_centre = _old_centre(X, start, n_iter)
            diagnose(got, [
                (expected / X.shape[0], "You returned the mean log-likelihood per point; return the total Σ_n ln p(x_n)."),
                *([(old_centre, "Your covariances are centred on the old means; compute the new μ_k first and centre "
                                "Σ_k on it.")] if old_centre is not None else []),
                (np.concatenate([[expected[0]], expected[:-1]]),
                 "Your first two values are both ℓ(θ⁽⁰⁾): record ℓ once at the start, then once after each iteration."),
                (_stale(X, start, n_iter), "Your responsibilities are stale: recompute them (E-step) from the new "
                                           "parameters in every iteration."),
            ], f"On {what} expected {fmt(expected, 6)}, got {fmt(got, 6)}.")
    return ("Right: the total log-likelihood at the start and after each E-step + M-step; on Old Faithful it never "
            "falls by more than 10⁻⁹ |ℓ| in 40 iterations.")


# ---------------------------------------------------------------------------------------------- reg_covar's fall


@exercise("floor_fall", answer="fall")
def _check_floor_fall(answer):
    """ℓ(θ̂) − ℓ(θ_ε) = (N/2)[ln(1 + ε/σ̂²) − ε/(σ̂² + ε)]: one floored cycle from the ML fit of one 1-D Gaussian."""
    import sympy

    N, v, eps = sympy.symbols("N sigma2_hat epsilon", positive=True)       # v = σ̂², the ML variance
    points = [{N: 10, v: 0.3, eps: 0.01}, {N: 272, v: 2.0, eps: 0.5}, {N: 50, v: 1e-2, eps: 3.0},
              {N: 7, v: 5.0, eps: 1e-3}]
    on_sd = (sympy.sqrt(v) + eps) ** 2                      # ε added to the standard deviation
    fall = N / 2 * (sympy.log(1 + eps / v) - eps / (v + eps))
    with case("the fall as a function of N, σ̂² and ε"):
        return derived_expression(
            answer, unknown=("fall", "Delta_l", "drop"),
            symbols={"N": N, "sigma2_hat": v, "var_hat": v, "epsilon": eps, "eps": eps, "ε": eps},
            expected=fall, points=points,
            foreign={name: "Give the fall in N, sigma2_hat and epsilon: the data enter ℓ only through N and σ̂² once "
                           "the mean is x̄." for name in ("x", "x_n", "mu", "μ", "S", "sigma", "sigma2", "σ")},
            mistakes=[
                (-fall, "You gave the rise ℓ(θ_ε) − ℓ(θ̂); the exercise asks for the fall ℓ(θ̂) − ℓ(θ_ε), which is "
                        "positive since θ̂ is the maximum."),
                (N / 2 * (sympy.log(on_sd / v) + v / on_sd - 1),
                 "You added ε to the standard deviation; reg_covar adds ε I to the covariance, so the variance becomes "
                 "σ̂² + ε."),
                (2 * fall, "You lost the factor 1/2: ln N(x | μ, σ²) = −½ ln(2πσ²) − (x − μ)²/(2σ²)."),
                (fall / N, "That is the fall per point; ℓ is the total over the N points."),
                (N * eps**2 / (4 * v**2), "That is the leading term for small ε; give the exact fall, for any ε > 0."),
                (N / 2 * sympy.log(1 + eps / v), "You kept only the change of the log-determinant term; the term "
                                                   "Σ_n (x_n − x̄)²/(2σ²) changes too when σ² becomes σ̂² + ε."),
            ],
            default="Not yet: write ℓ(x̄, σ²) with Σ_n (x_n − x̄)² = N σ̂², evaluate it at σ² = σ̂² and at σ̂² + ε, "
                    "and subtract.",
            right="Right: one cycle with the floor lowers ℓ by (N/2)[ln(1 + ε/σ̂²) − ε/(σ̂² + ε)] ≈ N ε²/(4σ̂⁴), "
                  "although the start was the maximum: the floored M-step is not an EM step.")


# ---------------------------------------------------------------------------------------------- the rate


FAITHFUL_ERUPTION_COMPONENTS = ((2.04, 0.07), (4.29, 0.17))   # (mean, variance) of each eruption-time component


def _weight_rate_cases():
    """(name, densities φ_n1 = N(x_n | component 1) and φ_n2 = N(x_n | component 2), π)."""
    from scipy import stats

    def densities(x, components):
        return [stats.norm.pdf(x, mean, np.sqrt(var)) for mean, var in components]

    a, b = densities(old_faithful()[:, 0], FAITHFUL_ERUPTION_COMPONENTS)
    weight = 0.5
    for _ in range(200):                        # the weight's EM, π ← mean of r_n1, to its fixed point
        weight = np.mean(weight * a / (weight * a + (1 - weight) * b))
    rng = np.random.default_rng(11)
    x = np.where(rng.random(200) < 0.3, rng.normal(0.0, 1.0, 200), rng.normal(1.0, np.sqrt(1.5), 200))
    a2, b2 = densities(x, ((0.0, 1.0), (1.0, 1.5)))
    return [("Old Faithful's eruption times at π = 0.5", a, b, 0.5),
            ("Old Faithful's eruption times at the fixed point π*", a, b, weight),
            ("two overlapping components at π = 0.3", a2, b2, 0.3)]


@exercise("weight_rate", answer="weight_rate")
def _check_weight_rate(f):
    """f(r, weight) → F'(π) = Σ_n r_n (1 − r_n) / (N π (1 − π)), the derivative of the weight's EM map (chapter 06)."""
    for what, a, b, weight in _weight_rate_cases():
        with case(what):
            p = weight * a + (1 - weight) * b
            r = weight * a / p
            expected = float(np.mean(a * b / p**2))            # dF/dπ of F(π) = mean of r_n(π), by the quotient rule
            got = as_number(call(f, r.copy(), float(weight)), "the rate F'(π)")
            if close(got, expected, rtol=1e-6, atol=1e-12):
                continue
            N = len(r)
            variance = np.mean(r * (1 - r))
            diagnose(got, [
                (variance, "You returned the mean of r_n(1 − r_n): divide it by π(1 − π), the variance of a label "
                           "before the point is seen."),
                (1 - expected, "You returned 1 − F'(π), the fraction of the information about π that the points "
                               "reveal; the rate is the fraction the hidden labels hide."),
                (N * expected, "You summed over the points without dividing by N: F(π) is the mean of the r_n(π)."),
                (expected**2, "You returned F'(π)², the rate at which the increments of ℓ shrink; the map itself "
                              "contracts by F'(π)."),
                (np.mean(r) * (1 - np.mean(r)) / (weight * (1 - weight)),
                 "Take r_n(1 − r_n) point by point, then average: the mean of r put into r(1 − r) is a different "
                 "number (exactly 1 at the fixed point)."),
            ], f"On {what} your rate is not right (you returned {got:.3g}). Differentiate r_n(π) = π φ_n1 / (π φ_n1 "
               "+ (1 − π) φ_n2) with respect to π and write the result with r_n and π only.")
    return ("Right: F'(π) = Σ_n r_n(1 − r_n) / (N π(1 − π)), the share of the information about π that the hidden "
            "labels hide; near 0 for separated components, near 1 for overlapping ones.")


# ---------------------------------------------------------------------------------------------- K-means


@exercise("kmeans_limit", answer="limit")
def _check_kmeans_limit(answer):
    """lim_{σ→0} σ² ln(r_n1/r_n2) = (d_2/β_2 − d_1/β_1)/2 for Σ_k = β_k σ² I (chapter 06, eq. kmeans-resp)."""
    import sympy

    d1, d2, b1, b2 = sympy.symbols("d_1 d_2 beta_1 beta_2", positive=True)
    points = [{d1: 1.0, d2: 2.0, b1: 0.5, b2: 3.0}, {d1: 4.0, d2: 0.25, b1: 2.0, b2: 1.5},
              {d1: 9.0, d2: 5.0, b1: 1.25, b2: 0.4}]
    weights = "The weights drop out: ln(π_1/π_2) is a fixed number, and σ² times it goes to 0."
    determinant = ("The normalising constants drop out: their ratio gives (D/2) ln(β_2/β_1), a fixed number, and σ² "
                   "times it goes to 0.")
    with case("the limit as a function of d_1, d_2, β_1 and β_2"):
        return derived_expression(
            answer, unknown=("limit", "lim"), symbols={"d_1": d1, "d_2": d2, "beta_1": b1, "beta_2": b2, "β_1": b1, "β_2": b2},
            expected=(d2 / b2 - d1 / b1) / 2, points=points,
            foreign={**{name: "Your expression still contains σ: multiply ln(r_n1/r_n2) by σ² and let σ → 0."
                        for name in ("sigma", "σ", "sigma2", "sigma_2")},
                     **{name: weights for name in ("pi_1", "pi_2", "π_1", "π_2", "pi", "π")},
                     **{name: determinant for name in ("D",)}},
            mistakes=[
                ((d2 - d1) / 2, "That is the limit for equal covariances, equation (kmeans-resp); with "
                                "Σ_k = β_k σ² I the factors β_k stay in the limit."),
                (d2 / b2 - d1 / b1, "You lost the factor 1/2: the exponent of a Gaussian is −(x − μ)ᵀΣ⁻¹(x − μ)/2."),
                ((d1 / b1 - d2 / b2) / 2, "The sign is wrong: ln(r_n1/r_n2) is large when x_n is close to μ_1 (d_1 "
                                          "small)."),
                ((d2 * b2 - d1 * b1) / 2, "β_k divides the squared distance: Σ_k⁻¹ = I / (β_k σ²)."),
                ((d2 / b2**2 - d1 / b1**2) / 2, "β_k multiplies the variance σ², not the standard deviation: "
                                                "Σ_k = β_k σ² I, so Σ_k⁻¹ = I / (β_k σ²)."),
            ],
            default="Not yet: write ln(r_n1/r_n2) from equation (resp) with the Gaussians written out, multiply by σ², "
                    "and see which terms survive as σ → 0.",
            right="Right: σ² ln(r_n1/r_n2) → (d_2/β_2 − d_1/β_1)/2, so in the limit each point goes to the component with "
                  "the smallest ‖x_n − μ_k‖²/β_k; weights and normalising constants drop out.")


# ---------------------------------------------------------------------------------------------- BIC


@exercise("bic_threshold", answer="threshold")
def _check_bic_threshold(answer):
    """The least rise of ℓ for which BIC prefers K + 1 full-covariance components: ΔM ln N / 2 (chapter 06, eq. bic)."""
    import sympy

    D, N = sympy.Symbol("D", positive=True), sympy.Symbol("N", positive=True)
    points = [{D: 1, N: 10}, {D: 2, N: 272}, {D: 3, N: 1000}, {D: 5, N: 50}]
    extra = 1 + D + D * (D + 1) / 2                     # the parameters of one more component, equation (count)
    with case("the threshold as a function of D and N"):
        return derived_expression(
            answer, unknown=("threshold", "Delta_l", "rise"), symbols={"D": D, "N": N},
            expected=extra * sympy.log(N) / 2, points=points,
            foreign={name: "The threshold does not depend on K: M grows by the same number for every added component."
                     for name in ("K",)}
                    | {name: "Write the threshold in D and N: the log-likelihoods cancel from the condition."
                       for name in ("l", "ell", "ℓ", "loglik", "l_K", "l_K1")},
            mistakes=[
                (extra * sympy.log(N), "BIC is −2ℓ + M ln N: a rise of ℓ lowers BIC by twice as much, so the "
                                       "threshold is half the growth of the penalty."),
                (extra, "That is AIC's threshold (a penalty of 2 per parameter); BIC's penalty grows with ln N."),
                (extra * sympy.log(N, 10) / 2, "BIC uses the natural logarithm ln N, not log₁₀ N."),
                ((1 + D + D**2) * sympy.log(N) / 2, "A symmetric D × D covariance does not have D² free numbers "
                                                    "(equation (count) of chapter 01)."),
                ((D + D * (D + 1) / 2) * sympy.log(N) / 2, "You left out the added component's weight: with one "
                                                           "more component there is one more free weight."),
                ((1 + 2 * D) * sympy.log(N) / 2, "You counted a diagonal covariance (D numbers); the components have "
                                                 "full covariances."),
                (-extra * sympy.log(N) / 2, "The sign is wrong: the threshold is a rise of ℓ, a positive number."),
            ],
            default="Not yet: write BIC(K + 1) < BIC(K) with equation (bic), count the parameters one more component "
                    "adds with equation (count), and solve for ℓ(K + 1) − ℓ(K).",
            right="Right: one more full-covariance component must raise ℓ by more than (1 + D + D(D+1)/2) ln N / 2, "
                  "16.8 on Old Faithful (D = 2, N = 272).")

"""The checkers of chapter 01's exercises (gmmbook/exercises/ch01_mixtures.py).

Correct answers in several styles pass; each classic mistake fails with a message that names it;
the derive exercises (count_parameters, hard_label_error, raw_loglik) never print their answer.
"""

from __future__ import annotations

import fractions
import math
import re

import numpy as np
import pytest
import sympy
from scipy import linalg, stats

import gmmbook as gb
from exercise_helpers import as_float32, as_lists, chapter_tests, gauss
from gmmbook.exercises import check


# ---------------------------------------------------------------------------------------------- correct answers


def ok_mixture_density(X, weights, means, covariances):
    return gauss(X, means, covariances) @ weights


def cholesky_mixture_density(X, weights, means, covariances):
    """The worked solution's route: one Cholesky factor per component."""
    N, D = X.shape
    density = np.zeros(N)
    for weight, mean, cov in zip(weights, means, covariances):
        L = np.linalg.cholesky(cov)
        u = linalg.solve_triangular(L, (X - mean).T, lower=True)
        density += weight * np.exp(-0.5 * np.sum(u**2, axis=0) - 0.5 * D * np.log(2 * np.pi) - np.sum(np.log(np.diag(L))))
    return density


def loop_mixture_density(X, weights, means, covariances):
    """Point by point, with inv and det, as in the chapter's gauss_pdf."""
    out = []
    for x in X:
        total = 0.0
        for w, m, c in zip(weights, means, covariances):
            d = x - m
            total += w * np.exp(-0.5 * d @ np.linalg.inv(c) @ d) / np.sqrt(np.linalg.det(2 * np.pi * c))
        out.append(total)
    return out


def ok_count_parameters(K, D):
    return K * D + (K - 1) + K * D * (D + 1) // 2


def sympy_count_parameters(K, D):
    k, d = sympy.symbols("K D", positive=True, integer=True)
    return (k * d + k - 1 + k * d * (d + 1) / 2).subs({k: K, d: D})


def ok_mixture_moments(weights, means, covariances):
    """E[x] and E[x xᵀ] − E[x]E[x]ᵀ, component by component."""
    mean = sum(w * m for w, m in zip(weights, means))
    second = sum(w * (c + np.outer(m, m)) for w, m, c in zip(weights, means, covariances))
    return mean, second - np.outer(mean, mean)


def einsum_mixture_moments(weights, means, covariances):
    mean = weights @ means
    centred = means - mean
    return mean, np.einsum("k,kij->ij", weights, covariances) + np.einsum("k,ki,kj->ij", weights, centred, centred)


def mahalanobis_between(means, cov):
    diff = means[1] - means[0]
    return np.sqrt(diff @ np.linalg.solve(cov, diff))


def ok_hard_label_error(means, cov):
    return stats.norm.cdf(-mahalanobis_between(means, cov) / 2)


def erfc_hard_label_error(means, cov):
    """With Python's math and a Cholesky factor: ½ erfc(Δ / (2√2)), Δ = ‖L⁻¹(μ₂ − μ₁)‖."""
    u = linalg.solve_triangular(np.linalg.cholesky(cov), means[1] - means[0], lower=True)
    return 0.5 * math.erfc(math.sqrt(float(u @ u)) / (2 * math.sqrt(2)))


def projection_hard_label_error(means, cov):
    """The route of the hint: t = wᵀx under each component, the boundary halfway, each component weighted ½."""
    w = np.linalg.solve(cov, means[1] - means[0])
    c = w @ (means[0] + means[1]) / 2
    sd = np.sqrt(w @ cov @ w)
    return 0.5 * stats.norm.sf(c, w @ means[0], sd) + 0.5 * stats.norm.cdf(c, w @ means[1], sd)


def sympy_hard_label_error(means, cov):
    delta = sympy.sqrt(sympy.Float(float(mahalanobis_between(means, cov)) ** 2, 30))
    return (1 + sympy.erf(-delta / (2 * sympy.sqrt(2)))) / 2


def monte_carlo_hard_label_error(means, cov):
    rng = np.random.default_rng(0)
    n = 200_000
    z = rng.integers(2, size=n)
    x = means[z] + rng.standard_normal((n, len(cov))) @ np.linalg.cholesky(cov).T
    log_ratio = np.diff(np.log(gauss(x, means, np.array([cov, cov]))), axis=1)[:, 0]
    return np.mean((log_ratio > 0) != (z == 1))


def ok_raw_loglik(loglik_std, X):
    return loglik_std - len(X) * np.sum(np.log(X.std(axis=0)))


def loop_raw_loglik(loglik_std, X):
    N, D = X.shape
    total = loglik_std
    for d in range(D):
        column = [float(v) for v in X[:, d]]
        mean = sum(column) / N
        total -= N * 0.5 * math.log(sum((v - mean) ** 2 for v in column) / N)
    return total


def sympy_raw_loglik(loglik_std, X):
    return sympy.Float(loglik_std, 30) - len(X) * sum(sympy.log(sympy.Float(s, 30)) for s in X.std(axis=0))


CORRECT = [
    pytest.param("mixture_density", ok_mixture_density, id="mixture_density-scipy"),
    pytest.param("mixture_density", cholesky_mixture_density, id="mixture_density-cholesky"),
    pytest.param("mixture_density", loop_mixture_density, id="mixture_density-loop-inv-det-list"),
    pytest.param("mixture_density", as_float32(ok_mixture_density), id="mixture_density-float32"),
    pytest.param("mixture_density", lambda X, w, m, c: np.exp(np.logaddexp.reduce(np.log(w) + np.log(gauss(X, m, c)), axis=1)),
                 id="mixture_density-log-space"),
    pytest.param("count_parameters", ok_count_parameters, id="count_parameters-int"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D * (D + 1) / 2, id="count_parameters-float"),
    pytest.param("count_parameters", lambda K, D: np.int64(ok_count_parameters(K, D)), id="count_parameters-numpy-int"),
    pytest.param("count_parameters", lambda K, D: np.float32(ok_count_parameters(K, D)), id="count_parameters-numpy-float"),
    pytest.param("count_parameters", sympy_count_parameters, id="count_parameters-sympy-integer"),
    pytest.param("count_parameters", lambda K, D: fractions.Fraction(K * D * (D + 3), 2) + K - 1,
                 id="count_parameters-fraction"),
    pytest.param("count_parameters", lambda K, D: np.array(ok_count_parameters(K, D)), id="count_parameters-0-d-array"),
    pytest.param("mixture_moments", ok_mixture_moments, id="mixture_moments-second-moment"),
    pytest.param("mixture_moments", einsum_mixture_moments, id="mixture_moments-within-plus-between"),
    pytest.param("mixture_moments", as_lists(einsum_mixture_moments), id="mixture_moments-lists"),
    pytest.param("mixture_moments", as_float32(einsum_mixture_moments), id="mixture_moments-float32"),
    pytest.param("mixture_moments", lambda w, m, c: list(ok_mixture_moments(w, m, c)), id="mixture_moments-list-not-tuple"),
    pytest.param("hard_label_error", ok_hard_label_error, id="hard_label_error-solve-norm-cdf"),
    pytest.param("hard_label_error", erfc_hard_label_error, id="hard_label_error-cholesky-math-erfc"),
    pytest.param("hard_label_error", projection_hard_label_error, id="hard_label_error-projection-two-tails"),
    pytest.param("hard_label_error", sympy_hard_label_error, id="hard_label_error-sympy-erf"),
    pytest.param("hard_label_error", lambda m, c: np.float32(ok_hard_label_error(m, c)), id="hard_label_error-float32"),
    pytest.param("hard_label_error", lambda m, c: np.array([ok_hard_label_error(m, c)])[0], id="hard_label_error-numpy-float"),
    pytest.param("raw_loglik", ok_raw_loglik, id="raw_loglik-log-std"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) / 2 * np.sum(np.log(X.var(axis=0))), id="raw_loglik-half-log-variance"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) * np.log(np.prod(X.std(axis=0))), id="raw_loglik-log-of-product"),
    pytest.param("raw_loglik", lambda l, X: l + len(X) / 2 * np.linalg.slogdet(np.linalg.inv(np.diag(X.var(axis=0))))[1],
                 id="raw_loglik-log-det-of-diagonal-precision"),
    pytest.param("raw_loglik", loop_raw_loglik, id="raw_loglik-python-loops"),
    pytest.param("raw_loglik", sympy_raw_loglik, id="raw_loglik-sympy-float"),
    pytest.param("raw_loglik", lambda l, X: np.float32(ok_raw_loglik(l, X)), id="raw_loglik-float32"),
]


# ---------------------------------------------------------------------------------------------- classic mistakes


WRONG = [
    pytest.param("mixture_density", lambda X, w, m, c: gauss(X, m, c).sum(axis=1), r"ignored the weights",
                 id="mixture_density-weights-ignored"),
    pytest.param("mixture_density", lambda X, w, m, c: gauss(X, m, c).mean(axis=1), r"equal weights",
                 id="mixture_density-equal-weights"),
    pytest.param("mixture_density",
                 lambda X, w, m, c: (stats.norm(m[:, 0], c[:, 0, 0]).pdf(X) @ w if X.shape[1] == 1 else ok_mixture_density(X, w, m, c)),
                 r"variance where the standard deviation belongs", id="mixture_density-variance-as-scale"),
    pytest.param("mixture_density", lambda X, w, m, c: w * gauss(X, m, c), r"one column per component",
                 id="mixture_density-not-summed-over-k"),
    pytest.param("mixture_density", lambda X, w, m, c: np.log(ok_mixture_density(X, w, m, c)), r"ln p\(x\)",
                 id="mixture_density-log-density"),
    pytest.param("mixture_density", lambda X, w, m, c: np.exp(gb.log_marginal(X, gb.GMM(w, m, c))), r"calls gb.log_marginal",
                 id="mixture_density-library"),
    pytest.param("mixture_density", lambda X, w, m, c: ok_mixture_density(X, w, m, c) * 2, r"expected",
                 id="mixture_density-twice-the-density"),
    pytest.param("count_parameters", lambda K, D: K * D + K + K * D * (D + 1) // 2, r"all K weights",
                 id="count_parameters-all-K-weights-free"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D * D, r"symmetric",
                 id="count_parameters-D-squared-covariance"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D, r"diagonal", id="count_parameters-variances-only"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D * (D - 1) // 2, r"below the diagonal of L",
                 id="count_parameters-strict-lower-triangle-of-L"),
    pytest.param("count_parameters", lambda K, D: (K - 1) + K * D * (D + 1) // 2, r"left out the means",
                 id="count_parameters-no-means"),
    pytest.param("count_parameters", lambda K, D: K * D + K * D * (D + 1) // 2, r"left out the weights",
                 id="count_parameters-no-weights"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + D * (D + 1) // 2, r"one covariance in all",
                 id="count_parameters-one-covariance"),
    pytest.param("count_parameters", lambda K, D: gb.n_parameters(K, D), r"calls gb.n_parameters",
                 id="count_parameters-library"),
    pytest.param("count_parameters", lambda K, D: K * D + K * D * (D + 1) / 2 + K / 2, r"not a whole number",
                 id="count_parameters-half-weights"),
    pytest.param("count_parameters", lambda K, D: str(ok_count_parameters(K, D)), r"one number.*str",
                 id="count_parameters-string"),
    pytest.param("count_parameters", lambda K, D: sympy.Symbol("K") * D + K * D * (D + 1) // 2, r"SymPy expression in K",
                 id="count_parameters-symbolic"),
    pytest.param("count_parameters", lambda K, D: [ok_count_parameters(K, D)], r"one whole number",
                 id="count_parameters-list"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w, c)), r"only the spread within",
                 id="mixture_moments-within-only"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, ok_mixture_moments(w, m, c)[1] - np.einsum("k,kij->ij", w, c)),
                 r"only the spread between", id="mixture_moments-between-only"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w, c) + np.einsum("k,ki,kj->ij", w, m, m)),
                 r"subtract", id="mixture_moments-second-moment-not-covariance"),
    pytest.param("mixture_moments", lambda w, m, c: (m.mean(axis=0), ok_mixture_moments(w, m, c)[1]), r"plain average",
                 id="mixture_moments-unweighted-mean"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w ** 2, c)
                                                     + ok_mixture_moments(w, m, c)[1] - np.einsum("k,kij->ij", w, c)),
                 r"π_k²", id="mixture_moments-squared-weights"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w, c)
                                                     + np.cov(m.T, bias=True).reshape(m.shape[1], m.shape[1])),
                 r"unweighted covariance of the μ_k", id="mixture_moments-unweighted-between"),
    pytest.param("hard_label_error", lambda m, c: stats.norm.cdf(-np.linalg.norm(m[1] - m[0]) / 2), r"Euclidean",
                 id="hard_label_error-euclidean-distance"),
    pytest.param("hard_label_error", lambda m, c: ok_hard_label_error(m, c @ c), r"variance where the standard deviation",
                 id="hard_label_error-variance-as-standard-deviation"),
    pytest.param("hard_label_error", lambda m, c: ok_hard_label_error(m, np.linalg.inv(c)), r"Σ where Σ⁻¹",
                 id="hard_label_error-covariance-not-inverted"),
    pytest.param("hard_label_error", lambda m, c: stats.norm.cdf(-mahalanobis_between(m, c)), r"whole distance",
                 id="hard_label_error-whole-distance"),
    pytest.param("hard_label_error", lambda m, c: stats.norm.cdf(-mahalanobis_between(m, c) ** 2 / 2), r"squared distance",
                 id="hard_label_error-squared-distance"),
    pytest.param("hard_label_error", lambda m, c: 2 * ok_hard_label_error(m, c), r"added the error probabilities",
                 id="hard_label_error-errors-added-unweighted"),
    pytest.param("hard_label_error", lambda m, c: ok_hard_label_error(m, c) / 2, r"one component only",
                 id="hard_label_error-one-component"),
    pytest.param("hard_label_error", lambda m, c: 1 - ok_hard_label_error(m, c), r"label is right",
                 id="hard_label_error-probability-of-right"),
    pytest.param("hard_label_error", monte_carlo_hard_label_error, r"simulation", id="hard_label_error-simulated"),
    pytest.param("hard_label_error", lambda m, c: stats.norm.cdf(-mahalanobis_between(m, c) / 3), r"not right\. Project",
                 id="hard_label_error-other"),
    pytest.param("hard_label_error", lambda m, c: np.full(2, ok_hard_label_error(m, c)), r"one number",
                 id="hard_label_error-array"),
    pytest.param("hard_label_error", lambda m, c: float("nan"), r"finite", id="hard_label_error-nan"),
    pytest.param("raw_loglik", lambda l, X: l + len(X) * np.sum(np.log(X.std(axis=0))), r"sign",
                 id="raw_loglik-wrong-sign"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) * np.sum(np.log(X.var(axis=0))), r"variance σ̂_d²",
                 id="raw_loglik-variance-as-standard-deviation"),
    pytest.param("raw_loglik", lambda l, X: l + len(X) * np.sum(np.log(X.var(axis=0))), r"variance σ̂_d².*sign",
                 id="raw_loglik-variance-and-sign"),
    pytest.param("raw_loglik", lambda l, X: l - np.sum(np.log(X.std(axis=0))), r"one point's share",
                 id="raw_loglik-N-forgotten"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) * np.sum(np.log(X.std(axis=0, ddof=1))), r"ddof=1",
                 id="raw_loglik-divisor-N-minus-1"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) / 2 * np.linalg.slogdet(np.cov(X.T))[1], r"whole covariance matrix",
                 id="raw_loglik-determinant-of-full-covariance"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) * np.log(X.std(axis=0)[0]), r"only the first column",
                 id="raw_loglik-one-column"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) * np.sum(np.log10(X.std(axis=0))), r"log10",
                 id="raw_loglik-log10"),
    pytest.param("raw_loglik", lambda l, X: ok_raw_loglik(l, X) / len(X), r"mean over the points",
                 id="raw_loglik-mean-not-total"),
    pytest.param("raw_loglik", lambda l, X: l - len(X) * np.sum(np.log(np.abs(X.mean(axis=0)))), r"not right",
                 id="raw_loglik-divided-by-the-means"),
    pytest.param("raw_loglik", lambda l, X: np.full(X.shape[1], l), r"one number", id="raw_loglik-array"),
    pytest.param("raw_loglik", lambda l, X: -np.inf, r"finite", id="raw_loglik-minus-infinity"),
]


@pytest.mark.parametrize("answer", [p.values[1] for p in WRONG if p.values[0] == "count_parameters"],
                         ids=[p.id for p in WRONG if p.values[0] == "count_parameters"])
def test_a_wrong_count_never_prints_the_count_or_its_formula(answer):
    """count_parameters is a derive exercise: a message names the mistake, never the answer."""
    message = check("count_parameters", answer).message
    assert not re.search(r"D\s*\(\s*D\s*[+−-]\s*1\s*\)|K\s*[−-]\s*1|K·D", message), message
    numbers = re.sub(r"K = \d+, D = \d+|you returned \S+", "", message)   # the case and the student's own value
    for K, D in [(2, 2), (3, 4), (5, 10), (4, 7)]:
        assert not re.search(rf"\b{ok_count_parameters(K, D)}\b", numbers), message


@pytest.mark.parametrize("exercise_id, answer", [pytest.param(p.values[0], p.values[1], id=p.id) for p in WRONG
                                                 if p.values[0] in ("hard_label_error", "raw_loglik")])
def test_a_wrong_probability_or_log_likelihood_never_prints_the_answer(exercise_id, answer):
    """hard_label_error and raw_loglik are derive exercises: no message shows an expected value, to 3 digits or more."""
    from gmmbook.exercises.ch01_mixtures import _hard_label_cases, _rescaling_cases

    if exercise_id == "hard_label_error":
        answers = [ok_hard_label_error(means, cov) for _, means, cov in _hard_label_cases()]
    else:
        answers = [ok_raw_loglik(loglik_std, X) for _, X, loglik_std in _rescaling_cases()]
    message = check(exercise_id, answer).message
    shown = [float(x) for x in re.findall(r"[−-]?\d+\.\d+(?:e[−-]?\d+)?", message.replace("−", "-"))]
    for value in answers:
        assert not any(np.isclose(x, value, rtol=5e-3, atol=0) for x in shown), message


def test_the_hard_label_cases_include_one_where_euclidean_and_mahalanobis_disagree():
    """The lesson of the exercise: the elongated clusters are far apart for Σ⁻¹, close in Euclidean terms."""
    from gmmbook.exercises.ch01_mixtures import _hard_label_cases

    cases = {what: (means, cov) for what, means, cov in _hard_label_cases()}
    means, cov = cases["elongated_2d (means across the thin direction)"]
    assert ok_hard_label_error(means, cov) < 1e-4 < 0.05 < stats.norm.cdf(-np.linalg.norm(means[1] - means[0]) / 2)


(test_a_correct_answer_passes, test_a_classic_mistake_is_named,
 test_each_exercise_has_three_correct_styles_and_three_classic_mistakes,
 test_verdicts_are_deterministic) = chapter_tests('01_mixtures', CORRECT, WRONG)

"""The checkers of chapter 06's exercises (gmmbook/exercises/ch06_em_in_action.py).

The EM loop is run on the textbook example, a 2-D example and Old Faithful from the exercise's
poor start for 40 iterations, where no step may fall by more than 10⁻⁹ |ℓ| (the tolerance the
statement gives).  The weight's EM rate is compared with the derivative of its map; the symbolic
answers (reg_covar's fall, the σ → 0 limit, BIC's threshold) are accepted in any equivalent form,
and their messages never give the formula away.  References are written here from the chapters'
equations with NumPy, SciPy and SymPy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy
from scipy import special

import gmmbook as gb
from exercise_helpers import (M, as_float32, as_lists, assert_no_leak_and_no_paste_back, chapter_tests, checked_here, gauss,
                              log_gauss)
from gmmbook.exercises import check


def weighted_covariances(X, resp):
    return np.stack([np.atleast_2d(np.cov(X.T, aweights=resp[:, k], bias=True)) for k in range(resp.shape[1])])


def ok_m_step(X, resp):
    nk = resp.sum(axis=0)
    return nk / len(X), resp.T @ X / nk[:, None], weighted_covariances(X, resp)


def em_loop(X, weights, means, covariances, n_iter, *, e_step=None, stale=False):
    """EM by hand: the total log-likelihood at the start and after each E-step + M-step."""

    def default_e_step(weights, means, covariances):
        log_joint = np.log(weights) + log_gauss(X, means, covariances)
        log_px = special.logsumexp(log_joint, axis=1)
        return np.exp(log_joint - log_px[:, None]), float(np.sum(log_px))

    e_step = e_step or default_e_step
    resp, loglik = e_step(weights, means, covariances)
    first_resp, out = resp, [loglik]
    for _ in range(n_iter):
        weights, means, covariances = ok_m_step(X, first_resp if stale else resp)
        resp, loglik = e_step(weights, means, covariances)
        out.append(loglik)
    return np.array(out)


def ok_em(X, weights, means, covariances, n_iter):
    return em_loop(X, weights, means, covariances, n_iter)


def prob_space_em(X, weights, means, covariances, n_iter):
    """EM with densities in probability space: exact enough on the checker's examples."""

    def e_step(weights, means, covariances):
        joint = weights * gauss(X, means, covariances)
        px = joint.sum(axis=1)
        return joint / px[:, None], float(np.log(px).sum())

    return em_loop(X, weights, means, covariances, n_iter, e_step=e_step)


def library_steps_em(X, weights, means, covariances, n_iter):
    """The worked solution: gb.e_step and gb.m_step, which the exercise allows."""
    gmm = gb.GMM(weights, means, covariances)
    resp, loglik = gb.e_step(X, gmm)
    logliks = [loglik]
    for _ in range(n_iter):
        gmm = gb.m_step(X, resp)
        resp, loglik = gb.e_step(X, gmm)
        logliks.append(loglik)
    return np.array(logliks)


def old_means_em(X, weights, means, covariances, n_iter):
    """EM whose covariance update is centred on the previous means."""
    out = []
    for it in range(n_iter + 1):
        log_joint = np.log(weights) + log_gauss(X, means, covariances)
        log_px = special.logsumexp(log_joint, axis=1)
        resp = np.exp(log_joint - log_px[:, None])
        out.append(float(log_px.sum()))
        if it == n_iter:
            break
        nk = resp.sum(axis=0)
        new_means = resp.T @ X / nk[:, None]
        diff = X[None] - means[:, None]
        covariances = np.einsum("nk,kni,knj->kij", resp, diff, diff) / nk[:, None, None]
        weights, means = nk / len(X), new_means
    return np.array(out)


def ok_weight_rate(r, weight):
    return float(np.mean(r * (1 - r)) / (weight * (1 - weight)))


def loop_weight_rate(r, weight):
    """Point by point in Python floats, with the variances written out."""
    total = 0.0
    for r_n in r.tolist():
        total += r_n - r_n**2
    return total / len(r) / (weight - weight**2)


# The σ → 0 limit, BIC's threshold and reg_covar's fall, as SymPy derives them from the definitions.
D1, D2, B1, B2 = sympy.symbols("d_1 d_2 beta_1 beta_2", positive=True)
SIGMA, PI1, PI2, DIM = sympy.symbols("sigma pi_1 pi_2 D", positive=True)
LOG_ODDS = (sympy.log(PI1 / PI2) - DIM / 2 * sympy.log(B1 / B2)
            - D1 / (2 * B1 * SIGMA**2) + D2 / (2 * B2 * SIGMA**2))          # ln(r_n1/r_n2) with Σ_k = β_k σ² I
LIMIT = sympy.limit(SIGMA**2 * LOG_ODDS, SIGMA, 0)
NN = sympy.Symbol("N", positive=True)
EXTRA = 1 + DIM + DIM * (DIM + 1) / 2                                      # equation (count): one more component
VAR, EPS = sympy.symbols("sigma2_hat epsilon", positive=True)


def loglik_1d(variance):
    """ℓ(x̄, σ²) of N points whose ML variance is σ̂² (VAR)."""
    return -NN / 2 * sympy.log(2 * sympy.pi * variance) - NN * VAR / (2 * variance)


FALL = loglik_1d(VAR) - loglik_1d(VAR + EPS)


CORRECT = [
    pytest.param("em", ok_em, id="em-by-hand-log-space"),
    pytest.param("em", library_steps_em, id="em-gb-e-step-and-m-step"),
    pytest.param("em", prob_space_em, id="em-probability-space"),
    pytest.param("em", as_lists(ok_em), id="em-list"),
    pytest.param("em", as_float32(ok_em), id="em-float32"),
    pytest.param("floor_fall", FALL, id="fall-unsimplified"),
    pytest.param("floor_fall", NN / 2 * (sympy.log((VAR + EPS) / VAR) - EPS / (VAR + EPS)), id="fall-closed-form"),
    pytest.param("floor_fall", sympy.Eq(sympy.Symbol("fall"), sympy.expand_log(FALL, force=True)), id="fall-equation"),
    pytest.param("floor_fall", "N/2*(log(1 + eps/var_hat) - eps/(var_hat + eps))", id="fall-string-other-names"),
    pytest.param("weight_rate", ok_weight_rate, id="rate-numpy"),
    pytest.param("weight_rate", loop_weight_rate, id="rate-python-loop"),
    pytest.param("weight_rate", lambda r, w: np.float32(ok_weight_rate(r, w)), id="rate-float32"),
    pytest.param("weight_rate", lambda r, w: sympy.Float(ok_weight_rate(r, w)), id="rate-sympy-float"),
    pytest.param("weight_rate", lambda r, w: np.array(ok_weight_rate(r, w)), id="rate-0-d-array"),
    pytest.param("kmeans_limit", LIMIT, id="limit-by-sympy"),
    pytest.param("kmeans_limit", (D2 * B1 - D1 * B2) / (2 * B1 * B2), id="limit-one-fraction"),
    pytest.param("kmeans_limit", sympy.Eq(sympy.Symbol("limit"), D2 / (2 * B2) - D1 / (2 * B1)), id="limit-equation"),
    pytest.param("kmeans_limit", "(d_2/beta_2 - d_1/beta_1)/2", id="limit-string"),
    pytest.param("kmeans_limit", sympy.Symbol("d_2") / (2 * sympy.Symbol("β_2")) - sympy.Symbol("d_1") / (2 * sympy.Symbol("β_1")),
                 id="limit-greek-symbols-without-assumptions"),
    pytest.param("bic_threshold", EXTRA * sympy.log(NN) / 2, id="threshold-from-count"),
    pytest.param("bic_threshold", (DIM + 1) * (DIM + 2) * sympy.log(NN) / 4, id="threshold-factored"),
    pytest.param("bic_threshold", EXTRA * sympy.log(sympy.sqrt(NN)), id="threshold-log-sqrt"),
    pytest.param("bic_threshold", sympy.Eq(EXTRA * sympy.log(NN) / 2, sympy.Symbol("threshold")),
                 id="threshold-equation-reversed"),
    pytest.param("bic_threshold", "(D**2 + 3*D + 2)*log(N)/4", id="threshold-string"),
]


WRONG = [
    pytest.param("em", lambda X, *a: ok_em(X, *a) / len(X), r"mean log-likelihood per point", id="em-mean-not-total"),
    pytest.param("em", lambda *a: em_loop(*a, stale=True), r"stale", id="em-stale-responsibilities"),
    pytest.param("em", lambda *a: ok_em(*a)[1:], r"n_iter \+ 1", id="em-start-value-missing"),
    pytest.param("em", lambda *a: ok_em(*a)[::-1], r"falls at iteration 1", id="em-log-likelihood-decreases"),
    pytest.param("em", old_means_em, r"old means", id="em-covariance-centred-on-old-means"),
    pytest.param("em", lambda X, w, m, c, n: gb.em(X, gb.GMM(w, m, c), max_iter=n, tol=0.0).log_likelihoods,
                 r"calls gb.em", id="em-library"),
    pytest.param("em", lambda X, w, m, c, n: np.r_[ok_em(X, w, m, c, n)[0], ok_em(X, w, m, c, n)[:-1]], r"both ℓ",
                 id="em-first-value-twice"),
    pytest.param("em", lambda X, w, m, c, n: ok_em(X, w, m, c, n + 1), r"n_iter \+ 1 = \d+ log-likelihoods",
                 id="em-one-iteration-too-many"),
    pytest.param("em", lambda X, w, m, c, n: np.r_[np.nan, ok_em(X, w, m, c, n)[1:]], r"NaN", id="em-nan-start"),
    pytest.param("floor_fall", -FALL, r"gave the rise", id="fall-sign"),
    pytest.param("floor_fall", loglik_1d(VAR) - loglik_1d((sympy.sqrt(VAR) + EPS) ** 2), r"standard deviation",
                 id="fall-eps-on-the-standard-deviation"),
    pytest.param("floor_fall", 2 * FALL, r"lost the factor 1/2", id="fall-no-half"),
    pytest.param("floor_fall", FALL / NN, r"per point", id="fall-per-point"),
    pytest.param("floor_fall", sympy.series(FALL, EPS, 0, 3).removeO(), r"leading term", id="fall-leading-term"),
    pytest.param("floor_fall", NN / 2 * sympy.log((VAR + EPS) / VAR), r"log-determinant", id="fall-log-det-only"),
    pytest.param("floor_fall", FALL.subs(VAR, sympy.Symbol("sigma") ** 2), r"in N, sigma2_hat and epsilon",
                 id="fall-in-sigma"),
    pytest.param("floor_fall", NN * EPS / VAR, r"^Not yet", id="fall-other"),
    pytest.param("weight_rate", lambda r, w: float(np.mean(r * (1 - r))), r"divide it by π\(1 {M} π\)".format(M=M),
                 id="rate-not-divided"),
    pytest.param("weight_rate", lambda r, w: 1 - ok_weight_rate(r, w), r"fraction the hidden labels hide",
                 id="rate-one-minus"),
    pytest.param("weight_rate", lambda r, w: len(r) * ok_weight_rate(r, w), r"without dividing by N", id="rate-sum"),
    pytest.param("weight_rate", lambda r, w: ok_weight_rate(r, w) ** 2, r"increments of ℓ", id="rate-squared"),
    pytest.param("weight_rate", lambda r, w: np.mean(r) * (1 - np.mean(r)) / (w * (1 - w)), r"point by point",
                 id="rate-of-the-mean"),
    pytest.param("weight_rate", lambda r, w: r * (1 - r) / (w * (1 - w)), r"Return one number", id="rate-per-point"),
    pytest.param("weight_rate", lambda r, w: np.mean(r) / w, r"^On Old Faithful's eruption times at π = 0.5 your rate",
                 id="rate-other"),
    pytest.param("kmeans_limit", (D2 - D1) / 2, r"equal covariances", id="limit-factors-ignored"),
    pytest.param("kmeans_limit", 2 * LIMIT, r"lost the factor 1/2", id="limit-no-half"),
    pytest.param("kmeans_limit", -LIMIT, r"sign is wrong", id="limit-sign"),
    pytest.param("kmeans_limit", (D2 * B2 - D1 * B1) / 2, r"β_k divides", id="limit-factors-multiply"),
    pytest.param("kmeans_limit", (D2 / B2**2 - D1 / B1**2) / 2, r"not the standard deviation", id="limit-factors-squared"),
    pytest.param("kmeans_limit", LOG_ODDS, r"still contains σ", id="limit-not-taken"),
    pytest.param("kmeans_limit", LIMIT + sympy.log(PI1 / PI2), r"weights drop out", id="limit-with-weights"),
    pytest.param("kmeans_limit", LIMIT + DIM / 2 * sympy.log(B2 / B1), r"normalising constants drop out",
                 id="limit-with-determinants"),
    pytest.param("kmeans_limit", sympy.limit(LOG_ODDS, SIGMA, 0), r"infinite", id="limit-of-the-log-odds"),
    pytest.param("bic_threshold", EXTRA * sympy.log(NN), r"twice as much", id="threshold-no-half"),
    pytest.param("bic_threshold", EXTRA, r"AIC", id="threshold-aic"),
    pytest.param("bic_threshold", EXTRA * sympy.log(NN, 10) / 2, r"natural logarithm", id="threshold-log10"),
    pytest.param("bic_threshold", (1 + DIM + DIM**2) * sympy.log(NN) / 2, r"D² free numbers", id="threshold-d-squared"),
    pytest.param("bic_threshold", (DIM + DIM * (DIM + 1) / 2) * sympy.log(NN) / 2, r"weight", id="threshold-no-weight"),
    pytest.param("bic_threshold", (1 + 2 * DIM) * sympy.log(NN) / 2, r"diagonal", id="threshold-diagonal"),
    pytest.param("bic_threshold", -EXTRA * sympy.log(NN) / 2, r"sign is wrong", id="threshold-sign"),
    pytest.param("bic_threshold", sympy.Symbol("K") * EXTRA * sympy.log(NN) / 2, r"does not depend on K",
                 id="threshold-whole-model"),
]


ANSWER_TEXT = {   # how a message could give the formula away
    "floor_fall": r"ln\(1 \+ ε/σ̂²\)|ε²/\(4σ̂⁴\)",
    "kmeans_limit": rf"d_2/β_2 {M} d_1/β_1",
    "bic_threshold": r"D\(D\+1\)/2\) ln N|16\.8",
}


@pytest.mark.parametrize("exercise_id", ANSWER_TEXT)
def test_a_wrong_derivation_never_prints_the_answer_and_its_message_cannot_be_pasted_back(exercise_id):
    right = next(p.values[1] for p in CORRECT if p.values[0] == exercise_id)
    wrong = [p.values[1] for p in WRONG if p.values[0] == exercise_id]
    assert_no_leak_and_no_paste_back(exercise_id, right, wrong, ANSWER_TEXT[exercise_id])


MALFORMED = {
    "a-function": (lambda x: x, r"must be a SymPy expression, got function"),
    "an-unreadable-string": ("N * (", r"SymPy cannot read"),
    "a-number": (16.8, r"^Not yet"),
    "nan": (float("nan"), r"infinite or undefined"),
    "a-matrix": (sympy.Matrix([NN]), r"must be a SymPy expression"),
    "two-different-values": ([NN, 2 * NN], r"2 different"),
}


@pytest.mark.parametrize("exercise_id", ANSWER_TEXT)
@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_answer_gets_a_verdict_that_names_the_problem(exercise_id, kind):
    answer, names_it = MALFORMED[kind]
    passed, message = checked_here(exercise_id, answer)
    assert not passed and re.search(names_it, message), message


def test_the_rate_check_runs_the_three_cases_of_the_statement():
    verdict = check("weight_rate", ok_weight_rate)
    assert verdict.passed and verdict.cases == ("Old Faithful's eruption times at π = 0.5",
                                                "Old Faithful's eruption times at the fixed point π*",
                                                "two overlapping components at π = 0.3")


def test_the_check_runs_the_three_cases_of_the_statement():
    verdict = check("em", ok_em)
    assert verdict.passed and verdict.cases == ("the textbook example", "a 2-D example", "Old Faithful from the poor start")


def test_a_fall_at_convergence_within_the_stated_tolerance_passes():
    """Steps of −2e-13 at convergence are rounding (the statement's tolerance is 10⁻⁹ |ℓ|)."""

    def jittered(*args):
        logliks = ok_em(*args)
        logliks[-1] -= 1e-10 * abs(logliks[-1])
        return logliks

    assert check("em", jittered).passed


def test_a_fall_beyond_the_stated_tolerance_fails():
    def falls(*args):
        logliks = ok_em(*args)
        logliks[-1] = logliks[-2] - 1e-8 * abs(logliks[-2])
        return logliks

    verdict = check("em", falls)
    assert not verdict.passed and "falls at iteration" in verdict.message, str(verdict)


(test_a_correct_answer_passes, test_a_classic_mistake_is_named,
 test_each_exercise_has_three_correct_styles_and_three_classic_mistakes,
 test_verdicts_are_deterministic) = chapter_tests('06_em_in_action', CORRECT, WRONG)

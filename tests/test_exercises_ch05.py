"""The checkers of chapter 05's exercises (gmmbook/exercises/ch05_em_derivation.py).

The symbolic answers (λ, the gain of a loosened constraint, a fixed weight's partner) are accepted
in any equivalent SymPy form and orientation (expression, equation either way round, the list or
dict sympy.solve returns, a FiniteSet, a string), and their messages never give the formula away.
References are written here from the chapter's equations (SymPy from the Lagrangian, NumPy's
weighted covariance), not taken from gmmbook.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

import gmmbook as gb
from exercise_helpers import M, as_float32, as_lists, assert_no_leak_and_no_paste_back, chapter_tests, checked_here

N = sympy.Symbol("N", positive=True)
LAM = sympy.Symbol("lambda")


def weighted_covariances(X, resp):
    """Σ_k by NumPy's weighted covariance (aweights = r_nk, bias=True: divide by N_k)."""
    return np.stack([np.atleast_2d(np.cov(X.T, aweights=resp[:, k], bias=True)) for k in range(resp.shape[1])])


def ok_m_step(X, resp):
    nk = resp.sum(axis=0)
    return nk / len(X), resp.T @ X / nk[:, None], weighted_covariances(X, resp)


def loop_m_step(X, resp):
    N_, D = X.shape
    weights, means, covariances = [], [], []
    for k in range(resp.shape[1]):
        r = resp[:, k]
        nk = r.sum()
        mean = (r[:, None] * X).sum(axis=0) / nk
        cov = sum(r_n * np.outer(x - mean, x - mean) for r_n, x in zip(r, X)) / nk
        weights.append(nk / N_)
        means.append(mean)
        covariances.append(cov)
    return weights, means, covariances


def ok_shared_variance(X, resp):
    """σ² = Σ_k (N_k / N) tr(Σ_k) / D, with Σ_k NumPy's weighted covariance."""
    nk = resp.sum(axis=0)
    return float(nk @ np.trace(weighted_covariances(X, resp), axis1=1, axis2=2) / (len(X) * X.shape[1]))


def loop_shared_variance(X, resp):
    """Point by point and component by component, as a student might write it first."""
    N_, D = X.shape
    total = 0.0
    for k in range(resp.shape[1]):
        mean = (resp[:, k, None] * X).sum(axis=0) / resp[:, k].sum()
        total += sum(r * np.sum((x - mean) ** 2) for r, x in zip(resp[:, k], X))
    return total / (N_ * D)


def per_component_variances(X, resp):
    """The spherical σ_k² of equation (m-spherical), one per component."""
    return np.trace(weighted_covariances(X, resp), axis1=1, axis2=2) / X.shape[1]


def unweighted_shared_variance(X, resp):
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    return float(sum(np.sum((X - m) ** 2) for m in means) / (X.size * resp.shape[1]))


def means_over_n_shared_variance(X, resp):
    means = resp.T @ X / len(X)
    return float(sum(resp[:, k] @ np.sum((X - means[k]) ** 2, axis=1) for k in range(resp.shape[1])) / X.size)


def solved_lagrange(kind):
    """λ from the Lagrangian Σ_k N_k ln π_k + λ(Σ_k π_k − 1) for K = 2, solved by SymPy, in the form ``kind``."""
    p1, p2 = sympy.symbols("pi_1 pi_2")
    n1, n2 = sympy.symbols("N_1 N_2", positive=True)
    lagrangian = n1 * sympy.log(p1) + n2 * sympy.log(p2) + LAM * (p1 + p2 - 1)
    equations = [sympy.diff(lagrangian, v) for v in (p1, p2, LAM)]
    solutions = sympy.solve(equations, [p1, p2, LAM], dict=True)
    value = solutions[0][LAM].subs(n2, N - n1)
    return {"expression": value, "solve-dict": [{k: v.subs(n2, N - n1) for k, v in solutions[0].items()}],
            "list": [value]}[kind]


DELTA = sympy.Symbol("delta")
N1, N2, N3, PI1 = sympy.symbols("N_1 N_2 N_3 pi_1", positive=True)


def solved_gain():
    """f*(1 + δ) − f*(1) by SymPy from the Lagrangian with K = 2, N_1 + N_2 = N."""
    p1, p2 = sympy.symbols("pi_1 pi_2", positive=True)
    n1, n2 = sympy.symbols("N_1 N_2", positive=True)
    f = n1 * sympy.log(p1) + n2 * sympy.log(p2)

    def best(total):
        (sol,) = sympy.solve([sympy.diff(f + LAM * (p1 + p2 - total), v) for v in (p1, p2, LAM)], [p1, p2, LAM], dict=True)
        return f.subs(sol)

    return (best(1 + DELTA) - best(1)).subs(n2, N - n1)      # unsimplified: the checker must see through it


def solved_fixed_weight(kind):
    p2, p3 = sympy.symbols("pi_2 pi_3")
    lagrangian = N2 * sympy.log(p2) + N3 * sympy.log(p3) + LAM * (PI1 + p2 + p3 - 1)
    solutions = sympy.solve([sympy.diff(lagrangian, v) for v in (p2, p3, LAM)], [p2, p3, LAM], dict=True)
    return {"dict": solutions, "value": solutions[0][p2]}[kind]


CORRECT = [
    pytest.param("m_step", ok_m_step, id="m_step-numpy-cov-aweights"),
    pytest.param("m_step", loop_m_step, id="m_step-loops-lists"),
    pytest.param("m_step", as_lists(ok_m_step), id="m_step-lists"),
    pytest.param("m_step", as_float32(ok_m_step), id="m_step-float32"),
    pytest.param("m_step", lambda X, r: list(ok_m_step(X, r)), id="m_step-list-not-tuple"),
    pytest.param("shared_spherical_variance", ok_shared_variance, id="shared-trace-of-weighted-covariances"),
    pytest.param("shared_spherical_variance", loop_shared_variance, id="shared-loops"),
    pytest.param("shared_spherical_variance", lambda X, r: np.float64(ok_shared_variance(X, r)), id="shared-numpy-float"),
    pytest.param("shared_spherical_variance", lambda X, r: np.array(ok_shared_variance(X, r)), id="shared-0-d-array"),
    pytest.param("shared_spherical_variance", lambda X, r: np.float32(ok_shared_variance(X, r)), id="shared-float32"),
    pytest.param("shared_spherical_variance", lambda X, r: sympy.Float(ok_shared_variance(X, r)), id="shared-sympy-float"),
    pytest.param("multiplier_sensitivity", solved_gain(), id="gain-sympy-solve-unsimplified"),
    pytest.param("multiplier_sensitivity", N * sympy.log(1 + DELTA), id="gain-expression"),
    pytest.param("multiplier_sensitivity", sympy.log((1 + DELTA) ** N), id="gain-log-of-power"),
    pytest.param("multiplier_sensitivity", sympy.Eq(sympy.Symbol("gain"), N * sympy.log(1 + DELTA)), id="gain-equation"),
    pytest.param("multiplier_sensitivity", sympy.Eq(N * sympy.log(DELTA + 1), sympy.Symbol("Delta_f")),
                 id="gain-equation-reversed"),
    pytest.param("multiplier_sensitivity", "N*log(1 + delta)", id="gain-string"),
    pytest.param("multiplier_sensitivity", N * sympy.log(1 + sympy.Symbol("δ", real=True)), id="gain-greek-delta"),
    pytest.param("fixed_weight", solved_fixed_weight("value"), id="fixed-sympy-solve"),
    pytest.param("fixed_weight", solved_fixed_weight("dict"), id="fixed-solve-dict"),
    pytest.param("fixed_weight", (1 - PI1) * N2 / (sympy.Symbol("N") - N1), id="fixed-with-N"),
    pytest.param("fixed_weight", sympy.Eq(sympy.Symbol("pi_2"), N2 * (1 - PI1) / (N2 + N3)), id="fixed-equation"),
    pytest.param("fixed_weight", "(1 - pi_1)*N_2/(N_2 + N_3)", id="fixed-string"),
    pytest.param("fixed_weight", N2 / (N2 + N3) - PI1 * N2 / (N2 + N3), id="fixed-expanded"),
    pytest.param("lagrange_multiplier", solved_lagrange("expression"), id="lagrange_multiplier-sympy-solve"),
    pytest.param("lagrange_multiplier", -N, id="lagrange_multiplier-expression"),
    pytest.param("lagrange_multiplier", -sympy.Symbol("N"), id="lagrange_multiplier-plain-symbol"),
    pytest.param("lagrange_multiplier", sympy.Mul(-1, N, 1, evaluate=False), id="lagrange_multiplier-unevaluated"),
    pytest.param("lagrange_multiplier", solved_lagrange("list"), id="lagrange_multiplier-solve-list"),
    pytest.param("lagrange_multiplier", solved_lagrange("solve-dict"), id="lagrange_multiplier-solve-dict-all-unknowns"),
    pytest.param("lagrange_multiplier", {LAM: -N}, id="lagrange_multiplier-dict"),
    pytest.param("lagrange_multiplier", sympy.Eq(LAM, -N), id="lagrange_multiplier-equation"),
    pytest.param("lagrange_multiplier", sympy.Eq(-N, LAM), id="lagrange_multiplier-equation-reversed"),
    pytest.param("lagrange_multiplier", sympy.Eq(LAM + N, 0), id="lagrange_multiplier-equation-implicit"),
    pytest.param("lagrange_multiplier", sympy.Eq(sympy.Symbol("λ"), -sympy.Symbol("N")), id="lagrange_multiplier-greek-name"),
    pytest.param("lagrange_multiplier", sympy.FiniteSet(-N), id="lagrange_multiplier-solveset"),
    pytest.param("lagrange_multiplier", "-N", id="lagrange_multiplier-string"),
    pytest.param("lagrange_multiplier", -(sympy.Symbol("N_1") + sympy.Symbol("N_2")).subs(sympy.Symbol("N_1"), N - sympy.Symbol("N_2")),
                 id="lagrange_multiplier-sum-of-counts-substituted"),
]


def scatter(X, resp):
    return weighted_covariances(X, resp) * resp.sum(axis=0)[:, None, None]


def wrong_m_step(mistake):
    def f(X, resp):
        weights, means, covariances = ok_m_step(X, resp)
        N_, D = X.shape
        nk = resp.sum(axis=0)
        if mistake == "weights-not-normalised":
            weights = nk
        elif mistake == "means-over-N":
            means = resp.T @ X / N_
        elif mistake == "covariances-over-N":
            covariances = scatter(X, resp) / N_
        elif mistake == "covariances-over-Nk-minus-1":
            covariances = scatter(X, resp) / (nk - 1)[:, None, None]
        elif mistake == "unweighted-covariance":
            covariances = np.stack([np.atleast_2d(np.cov(X.T, bias=True))] * resp.shape[1])
        elif mistake == "hard-assignments":
            covariances = weighted_covariances(X, np.eye(resp.shape[1])[resp.argmax(axis=1)])
        elif mistake == "centred-on-the-data-mean":
            d = X - X.mean(axis=0)
            covariances = np.einsum("nk,ni,nj->kij", resp, d, d) / nk[:, None, None]
        elif mistake == "library":
            fit = gb.m_step(X, resp)
            weights, means, covariances = fit.weights, fit.means, fit.covariances
        return weights, means, covariances

    return f


WRONG = [
    pytest.param("m_step", wrong_m_step("weights-not-normalised"), r"divide by N so that they sum to 1",
                 id="m_step-weights-not-normalised"),
    pytest.param("m_step", wrong_m_step("means-over-N"), r"means are divided by N; divide by N_k", id="m_step-means-over-N"),
    pytest.param("m_step", wrong_m_step("covariances-over-N"), r"covariances are divided by N; divide by N_k",
                 id="m_step-covariances-over-N"),
    pytest.param("m_step", wrong_m_step("covariances-over-Nk-minus-1"), rf"N_k {M} 1", id="m_step-covariances-over-Nk-1"),
    pytest.param("m_step", wrong_m_step("unweighted-covariance"), r"unweighted", id="m_step-unweighted-covariance"),
    pytest.param("m_step", wrong_m_step("hard-assignments"), r"hard assignments", id="m_step-hard-assignments"),
    pytest.param("m_step", wrong_m_step("centred-on-the-data-mean"), r"mean of all the data", id="m_step-data-mean"),
    pytest.param("m_step", wrong_m_step("library"), r"calls gb.m_step", id="m_step-library"),
    pytest.param("shared_spherical_variance", lambda X, r: ok_shared_variance(X, r) * X.shape[1],
                 r"forgot to divide by D", id="shared-not-divided-by-D"),
    pytest.param("shared_spherical_variance", lambda X, r: ok_shared_variance(X, r) / X.shape[1], r"divided by D twice",
                 id="shared-divided-by-D-twice"),
    pytest.param("shared_spherical_variance", lambda X, r: np.sqrt(ok_shared_variance(X, r)), r"standard deviation",
                 id="shared-standard-deviation"),
    pytest.param("shared_spherical_variance", per_component_variances, r"one per component",
                 id="shared-per-component-variances"),
    pytest.param("shared_spherical_variance", lambda X, r: per_component_variances(X, r).mean(),
                 r"averaged the K per-component variances", id="shared-equal-average-of-components"),
    pytest.param("shared_spherical_variance", lambda X, r: per_component_variances(X, r).sum(),
                 r"added the K per-component variances", id="shared-sum-of-components"),
    pytest.param("shared_spherical_variance", lambda X, r: ok_shared_variance(X, r) / r.shape[1], r"divided by K",
                 id="shared-divided-by-K"),
    pytest.param("shared_spherical_variance", unweighted_shared_variance, r"left out the weights",
                 id="shared-unweighted"),
    pytest.param("shared_spherical_variance", means_over_n_shared_variance, r"means are divided by N",
                 id="shared-means-over-N"),
    pytest.param("shared_spherical_variance", lambda X, r: float(np.var(X, axis=0).mean()), r"mean of all the data",
                 id="shared-data-mean"),
    pytest.param("shared_spherical_variance", lambda X, r: ok_shared_variance(X, np.eye(r.shape[1])[r.argmax(axis=1)]),
                 r"hard assignments", id="shared-hard-assignments"),
    pytest.param("shared_spherical_variance", lambda X, r: ok_shared_variance(X, r) * X.size / (X.size - 1),
                 rf"N D {M} 1", id="shared-over-ND-minus-1"),
    pytest.param("shared_spherical_variance", lambda X, r: np.trace(gb.m_step(X, r, covariance_type="tied").covariances[0])
                 / X.shape[1], r"calls gb.m_step", id="shared-library"),
    pytest.param("shared_spherical_variance", lambda X, r: np.nan, r"nan.*division by zero", id="shared-nan"),
    pytest.param("multiplier_sensitivity", N * DELTA, r"first-order change", id="gain-first-order"),
    pytest.param("multiplier_sensitivity", -N * sympy.log(1 + DELTA), r"sign is wrong", id="gain-sign"),
    pytest.param("multiplier_sensitivity", -N * DELTA, r"λ δ, with the wrong sign", id="gain-lambda-delta"),
    pytest.param("multiplier_sensitivity", sympy.log(1 + DELTA), r"lost the factor N", id="gain-per-point"),
    pytest.param("multiplier_sensitivity", N * sympy.log(DELTA), r"argument of your logarithm", id="gain-log-delta"),
    pytest.param("multiplier_sensitivity", solved_gain().subs(N, sympy.Symbol("N_1") + sympy.Symbol("N_2")),
                 r"N_k cancel", id="gain-left-in-the-counts"),
    pytest.param("multiplier_sensitivity", -LAM * DELTA, r"multiplier is not part", id="gain-in-lambda"),
    pytest.param("multiplier_sensitivity", N * sympy.log(1 + DELTA) / 2, r"^Not yet", id="gain-other"),
    pytest.param("fixed_weight", N2 / (N1 + N2 + N3), r"update when π_1 is free", id="fixed-usual-update"),
    pytest.param("fixed_weight", (1 - PI1) * N2 / (N1 + N2 + N3), r"free weights sum to", id="fixed-over-N"),
    pytest.param("fixed_weight", N2 / (N2 + N3), r"sum to 1 \+ π_1", id="fixed-forgot-1-minus-pi-1"),
    pytest.param("fixed_weight", PI1 * N2 / (N2 + N3), r"share 1 − π_1, not π_1", id="fixed-pi-1-for-1-minus-pi-1"),
    pytest.param("fixed_weight", (1 - PI1) * N3 / (N2 + N3), r"grows with the count N_2", id="fixed-swapped-counts"),
    pytest.param("fixed_weight", 1 - PI1 - N3 / (N1 + N2 + N3), r"proportional to N_2", id="fixed-subtracted"),
    pytest.param("fixed_weight", -N2 / LAM, r"Eliminate λ", id="fixed-lambda-left-in"),
    pytest.param("fixed_weight", 1 - PI1 - sympy.Symbol("pi_3"), r"without the other free weight", id="fixed-pi-3-left-in"),
    pytest.param("lagrange_multiplier", N, r"sign is wrong", id="lagrange_multiplier-sign"),
    pytest.param("lagrange_multiplier", sympy.Eq(LAM, N), r"sign is wrong", id="lagrange_multiplier-equation-sign"),
    pytest.param("lagrange_multiplier", -1 / N, r"inverted", id="lagrange_multiplier-inverted"),
    pytest.param("lagrange_multiplier", 1 / N, r"sign and the inversion", id="lagrange_multiplier-sign-and-inverted"),
    pytest.param("lagrange_multiplier", -sympy.Symbol("N_k"), r"depend on N only.*N_k",
                 id="lagrange_multiplier-per-component-count"),
    pytest.param("lagrange_multiplier", 1 - N, r"off by one", id="lagrange_multiplier-off-by-one"),
    pytest.param("lagrange_multiplier", [-N, N], r"2 different", id="lagrange_multiplier-two-solutions"),
    pytest.param("lagrange_multiplier", {sympy.Symbol("pi_1"): N, sympy.Symbol("pi_2"): N}, r"no single entry",
                 id="lagrange_multiplier-dict-without-lambda"),
    pytest.param("lagrange_multiplier", LAM + N, r"contains lambda itself", id="lagrange_multiplier-contains-lambda"),
]


DERIVE_IDS = ("lagrange_multiplier", "multiplier_sensitivity", "fixed_weight")
ANSWER_TEXT = {   # how a message could give the formula away
    "lagrange_multiplier": rf"λ\s*=\s*{M}\s*N|{M}N\b|N\s*=\s*{M}\s*λ",
    "multiplier_sensitivity": r"N\s*(ln|log)\s*\(\s*(1 \+ δ|1 \+ delta|delta \+ 1)\)",
    "fixed_weight": rf"\(1 {M} π_1\)\s*\*?\s*N_2\s*/\s*\(N_2 \+ N_3\)",
}


@pytest.mark.parametrize("exercise_id", DERIVE_IDS)
def test_a_wrong_derivation_never_prints_the_answer_and_its_message_cannot_be_pasted_back(exercise_id):
    right = next(p.values[1] for p in CORRECT if p.values[0] == exercise_id)
    wrong = [p.values[1] for p in WRONG if p.values[0] == exercise_id]
    assert_no_leak_and_no_paste_back(exercise_id, right, wrong, ANSWER_TEXT[exercise_id])


MALFORMED = {   # answers that are not a formula at all: each gets a verdict that says what is wrong
    "a-function": (lambda N: N, r"must be a SymPy expression, got function"),
    "an-unreadable-string": ("N * log(1 +", r"SymPy cannot read"),
    "nan": (float("nan"), r"infinite or undefined"),
    "infinity": (sympy.oo, r"infinite or undefined"),
    "a-numpy-array": (np.array([1.0, 2.0]), r"must be a SymPy expression"),
    "a-matrix": (sympy.Matrix([N]), r"must be a SymPy expression"),
    "two-different-values": ([N, 2 * N], r"2 different"),
    "a-tuple-with-None": ((N, None), r"must be a SymPy expression"),
}


@pytest.mark.parametrize("exercise_id", ["multiplier_sensitivity", "fixed_weight"])
@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_answer_gets_a_verdict_that_names_the_problem(exercise_id, kind):
    answer, names_it = MALFORMED[kind]
    passed, message = checked_here(exercise_id, answer)
    assert not passed and re.search(names_it, message), message


(test_a_correct_answer_passes, test_a_classic_mistake_is_named,
 test_each_exercise_has_three_correct_styles_and_three_classic_mistakes,
 test_verdicts_are_deterministic) = chapter_tests('05_em_derivation', CORRECT, WRONG)

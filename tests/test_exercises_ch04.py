"""The checkers of chapter 04's exercises (gmmbook/exercises/ch04_posterior.py).

responsibilities must stay finite for a point whose densities underflow even in np.longdouble,
without arbitrary precision or the library; the table of the textbook example is compared to
10⁻⁶, so a table typed from a printed one (3 or 4 decimals) fails, and no message prints a value
of the table.  The label's covariance is accepted in any form equal on the simplex; a bin's posterior
must keep its digits in the far upper tail; the softmax parameters are compared up to the common
shift that softmax ignores.
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest
import sympy
from scipy import integrate, special, stats

import gmmbook as gb
from exercise_helpers import as_float32, as_lists, chapter_tests, gauss, log_gauss, quiet
from gmmbook.exercises import check


# The textbook example (chapter 04), from its published description, not from gmmbook.datasets.
TB_X = np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0])
TB_MEANS, TB_VARIANCES, TB_WEIGHTS = np.array([-4.0, 0.0, 8.0]), np.array([1.0, 0.2, 3.0]), np.full(3, 1 / 3)


def textbook_joint(scale):
    return TB_WEIGHTS * stats.norm(TB_MEANS, scale).pdf(TB_X[:, None])


TB_JOINT = textbook_joint(np.sqrt(TB_VARIANCES))
TB_RESP = TB_JOINT / TB_JOINT.sum(axis=1, keepdims=True)
# three_component_1d of chapter 03, from its published description.
TB3_W, TB3_M, TB3_V = np.array([0.3, 0.5, 0.2]), np.array([-2.0, 1.0, 4.0]), np.array([0.5, 1.0, 0.3])


def ok_responsibilities(X, weights, means, covariances):
    log_joint = np.log(weights) + log_gauss(X, means, covariances)
    return np.exp(log_joint - special.logsumexp(log_joint, axis=1, keepdims=True))


def by_hand_log_space(X, weights, means, covariances):
    """ln π_k + ln N_k written out with a Cholesky factor, normalised by subtracting the row maximum."""
    N, D = X.shape
    columns = []
    for weight, mean, cov in zip(weights, means, covariances):
        L = np.linalg.cholesky(cov)
        u = np.linalg.solve(L, (X - mean).T)
        columns.append(np.log(weight) - 0.5 * np.sum(u**2, axis=0) - 0.5 * D * np.log(2 * np.pi) - np.log(np.diag(L)).sum())
    a = np.column_stack(columns)
    r = np.exp(a - a.max(axis=1, keepdims=True))
    return r / r.sum(axis=1, keepdims=True)


def probability_space(dtype):
    def f(X, weights, means, covariances):
        log_joint = (np.log(weights) + log_gauss(X, means, covariances)).astype(dtype)
        joint = np.exp(log_joint)
        return (joint / joint.sum(axis=1, keepdims=True)).astype(float)

    return quiet(f)


def mpmath_probability_space(X, weights, means, covariances):
    log_joint = np.log(weights) + log_gauss(X, means, covariances)
    rows = []
    for row in log_joint:
        joint = [mpmath.exp(v) for v in row]
        total = mpmath.fsum(joint)
        rows.append([float(j / total) for j in joint])
    return np.array(rows)


def wrong_resp(kind):
    def f(X, weights, means, covariances):
        if kind == "variance-as-scale" and X.shape[1] == 1:
            dens = stats.norm(means[:, 0], covariances[:, 0, 0]).pdf(X)
        else:
            dens = gauss(X, means, covariances)
        joint = dens if kind == "no-weights" else weights * dens
        if kind == "unnormalised":
            return joint
        if kind == "columns":
            return joint / joint.sum(axis=0, keepdims=True)
        return joint / joint.sum(axis=1, keepdims=True)

    return quiet(f)


# ---------------------------------------------------------------------------------------------- the label's covariance


R_SYM = sympy.symbols("r1 r2 r3", positive=True)
R_VEC = sympy.Matrix(R_SYM)
LABEL_COV = sympy.diag(*R_SYM) - R_VEC * R_VEC.T


def label_cov_entries(entry):
    """A 3 × 3 matrix from a function of (j, k) and the symbols."""
    return sympy.Matrix(3, 3, lambda j, k: entry(j, k, R_SYM))


# ---------------------------------------------------------------------------------------------- a bin's posterior


def bin_masses(a, b, weights, means, scales, tail="sf"):
    if tail == "sf":
        return weights * (stats.norm.sf(a, means, scales) - stats.norm.sf(b, means, scales))
    return weights * (stats.norm.cdf(b, means, scales) - stats.norm.cdf(a, means, scales))


def ok_bin(a, b, weights, means, variances):
    masses = bin_masses(a, b, weights, means, np.sqrt(variances))
    return masses / masses.sum()


def log_space_bin(a, b, weights, means, variances):
    """ln P(a ≤ x ≤ b | z_k = 1) = ln sf(a) + ln(1 − sf(b)/sf(a)), then a log-sum-exp over k."""
    sds = np.sqrt(variances)
    log_sf_a, log_sf_b = stats.norm.logsf(a, means, sds), stats.norm.logsf(b, means, sds)
    log_mass = np.log(weights) + log_sf_a + np.log1p(-np.exp(log_sf_b - log_sf_a))
    return np.exp(log_mass - special.logsumexp(log_mass))


def quad_bin(a, b, weights, means, variances):
    masses = [integrate.quad(lambda t: w * stats.norm.pdf(t, m, np.sqrt(v)), a, b)[0]
              for w, m, v in zip(weights, means, variances)]
    return np.array(masses) / np.sum(masses)


def wrong_bin(kind):
    def f(a, b, weights, means, variances):
        sds = np.sqrt(variances)
        if kind == "midpoint":
            x0 = (a + b) / 2 if np.isfinite(b) else a + 1.0
            joint = weights * stats.norm.pdf(x0, means, sds)
            return joint / joint.sum()
        if kind == "uniform-average":
            def r(t, k):
                joint = weights * stats.norm.pdf(t, means, sds)
                return joint[k] / joint.sum()
            upper = b if np.isfinite(b) else a + 10.0
            return np.array([integrate.quad(r, a, upper, args=(k,))[0] / (upper - a) for k in range(len(weights))])
        masses = bin_masses(a, b, np.ones_like(weights) if kind == "no-weights" else weights, means,
                            variances if kind == "variance-as-scale" else sds, tail="cdf" if kind == "cdf" else "sf")
        if kind == "unnormalised":
            return masses
        return masses / masses.sum()

    return quiet(f)


# ---------------------------------------------------------------------------------------------- tied covariances


def ok_tied(weights, means, cov):
    precision = np.linalg.inv(cov)
    return means @ precision, np.log(weights) - 0.5 * np.einsum("ki,ij,kj->k", means, precision, means)


def solve_tied_shifted(weights, means, cov):
    """With np.linalg.solve, keeping the terms common to every k (which softmax ignores)."""
    D = len(cov)
    W = np.linalg.solve(cov, means.T).T
    b = (np.log(weights) - 0.5 * np.sum(W * means, axis=1) - 0.5 * np.linalg.slogdet(cov)[1]
         - 0.5 * D * np.log(2 * np.pi))
    return W + 1.5, b - 4.0


def wrong_tied(kind):
    def f(weights, means, cov):
        P = cov if kind == "sigma" else np.linalg.inv(cov)
        W = means @ P * (0.5 if kind == "half-w" else 1.0)
        quad = np.einsum("ki,ij,kj->k", means, P, means)
        log_w = 0.0 if kind == "no-weights" else np.log(weights)
        b = log_w - {"no-half": 1.0, "plus": -0.5}.get(kind, 0.5) * quad
        if kind == "negated":
            return -W, -b
        if kind == "transposed":
            return W.T, b
        return W, b

    return f


CORRECT = [
    pytest.param("responsibilities", ok_responsibilities, id="responsibilities-scipy-logsumexp"),
    pytest.param("responsibilities", lambda X, w, m, c: special.softmax(np.log(w) + log_gauss(X, m, c), axis=1),
                 id="responsibilities-softmax"),
    pytest.param("responsibilities", by_hand_log_space, id="responsibilities-by-hand-log-space"),
    pytest.param("responsibilities", as_lists(ok_responsibilities), id="responsibilities-list"),
    pytest.param("responsibilities", as_float32(ok_responsibilities), id="responsibilities-float32"),
    pytest.param("textbook_responsibilities", TB_RESP, id="textbook_responsibilities-numpy"),
    pytest.param("textbook_responsibilities", TB_RESP.tolist(), id="textbook_responsibilities-lists"),
    pytest.param("textbook_responsibilities", sympy.Matrix(TB_RESP), id="textbook_responsibilities-sympy-matrix"),
    pytest.param("textbook_responsibilities", TB_RESP.astype(np.float32), id="textbook_responsibilities-float32"),
    pytest.param("textbook_responsibilities", np.round(TB_RESP, 10), id="textbook_responsibilities-10-decimals"),
    pytest.param("label_covariance", LABEL_COV, id="label_covariance-matrix"),
    pytest.param("label_covariance", LABEL_COV.subs(R_SYM[2], 1 - R_SYM[0] - R_SYM[1]), id="label_covariance-r3-eliminated"),
    pytest.param("label_covariance", label_cov_entries(lambda j, k, r: r[j] * (sum(r) - r[j]) if j == k else -r[j] * r[k]),
                 id="label_covariance-equal-on-the-simplex-only"),
    pytest.param("label_covariance", [["r1*(1-r1)", "-r1*r2", "-r1*r3"], ["-r1*r2", "r2*(1-r2)", "-r2*r3"],
                                      ["-r1*r3", "-r2*r3", "r3*(1-r3)"]], id="label_covariance-list-of-strings"),
    pytest.param("label_covariance", np.array(label_cov_entries(lambda j, k, r: r[j] * (int(j == k) - r[k])).tolist(),
                                              dtype=object), id="label_covariance-numpy-object-array"),
    pytest.param("label_covariance", sympy.diag(*sympy.symbols("r1:4")) - sympy.Matrix(sympy.symbols("r1:4"))
                 * sympy.Matrix(sympy.symbols("r1:4")).T, id="label_covariance-symbols-without-assumptions"),
    pytest.param("bin_responsibilities", ok_bin, id="bin_responsibilities-survival-function"),
    pytest.param("bin_responsibilities", log_space_bin, id="bin_responsibilities-log-space"),
    pytest.param("bin_responsibilities", quad_bin, id="bin_responsibilities-quadrature"),
    pytest.param("bin_responsibilities", as_lists(ok_bin), id="bin_responsibilities-list"),
    pytest.param("tied_softmax", ok_tied, id="tied_softmax-inverse"),
    pytest.param("tied_softmax", solve_tied_shifted, id="tied_softmax-solve-with-common-shift"),
    pytest.param("tied_softmax", as_lists(ok_tied), id="tied_softmax-lists"),
    pytest.param("tied_softmax", lambda w, m, c: (ok_tied(w, m, c)[0], ok_tied(w, m, c)[1][:, None]), id="tied_softmax-b-column"),
]


WRONG = [
    pytest.param("responsibilities", wrong_resp("unnormalised"), r"do not sum to 1", id="responsibilities-not-normalised"),
    pytest.param("responsibilities", wrong_resp("no-weights"), r"ignored the weights", id="responsibilities-weights-ignored"),
    pytest.param("responsibilities", wrong_resp("probability-space"), r"underflow", id="responsibilities-probability-space"),
    pytest.param("responsibilities", probability_space(np.longdouble), r"underflow",
                 id="responsibilities-probability-space-longdouble"),
    pytest.param("responsibilities", mpmath_probability_space, r"computes with mpmath",
                 id="responsibilities-probability-space-mpmath"),
    pytest.param("responsibilities", wrong_resp("variance-as-scale"), r"variance where the standard deviation belongs",
                 id="responsibilities-variance-as-scale"),
    pytest.param("responsibilities", wrong_resp("columns"), r"normalised each column", id="responsibilities-columns"),
    pytest.param("responsibilities", lambda X, w, m, c: gb.responsibilities(X, gb.GMM(w, m, c)),
                 r"calls gb.responsibilities", id="responsibilities-library"),
    pytest.param("responsibilities", lambda X, w, m, c: gb.e_step(X, gb.GMM(w, m, c))[0], r"calls gb.e_step",
                 id="responsibilities-library-e-step"),
    pytest.param("responsibilities", lambda X, w, m, c: np.eye(len(w))[np.argmax(np.log(w) + log_gauss(X, m, c), axis=1)],
                 r"hard assignments", id="responsibilities-hard"),
    pytest.param("responsibilities", quiet(lambda X, w, m, c: np.log(ok_responsibilities(X, w, m, c))), r"ln r_nk",
                 id="responsibilities-log"),
    pytest.param("textbook_responsibilities", TB_JOINT, r"do not sum to 1", id="textbook_responsibilities-not-normalised"),
    pytest.param("textbook_responsibilities",
                 textbook_joint(TB_VARIANCES) / textbook_joint(TB_VARIANCES).sum(axis=1, keepdims=True),
                 r"variance where the standard deviation belongs", id="textbook_responsibilities-variance-as-scale"),
    pytest.param("textbook_responsibilities", TB_RESP.T, r"shape \(7, 3\)", id="textbook_responsibilities-transposed"),
    pytest.param("textbook_responsibilities", TB_JOINT / TB_JOINT.sum(axis=0, keepdims=True), r"normalised each column",
                 id="textbook_responsibilities-normalised-over-points"),
    pytest.param("textbook_responsibilities", np.vstack([TB_RESP[:4], [[0.123, 0.456, 0.421]], TB_RESP[5:]]),
                 r"row 5 \(x = 2\) is not right", id="textbook_responsibilities-one-wrong-row"),
    pytest.param("textbook_responsibilities", np.round(TB_RESP, 3), r"about 3 decimals only",
                 id="textbook_responsibilities-typed-from-a-3-decimal-table"),
    pytest.param("textbook_responsibilities", np.round(TB_RESP, 4), r"about 3 decimals only",
                 id="textbook_responsibilities-typed-from-a-4-decimal-table"),
    pytest.param("textbook_responsibilities", lambda: TB_RESP, r"not a function", id="textbook_responsibilities-a-function"),
    pytest.param("textbook_responsibilities", np.eye(3)[TB_RESP.argmax(axis=1)], r"hard assignments",
                 id="textbook_responsibilities-hard"),
    pytest.param("label_covariance", sympy.diag(*[r * (1 - r) for r in R_SYM]), r"independent",
                 id="label_covariance-independent"),
    pytest.param("label_covariance", sympy.diag(*R_SYM), r"second moment", id="label_covariance-second-moment"),
    pytest.param("label_covariance", R_VEC * R_VEC.T, r"product of the means", id="label_covariance-outer-product"),
    pytest.param("label_covariance", -LABEL_COV, r"wrong sign", id="label_covariance-negated"),
    pytest.param("label_covariance", label_cov_entries(lambda j, k, r: r[j] * (1 - r[j]) if j == k else r[j] * r[k]),
                 r"signs of your off-diagonal", id="label_covariance-positive-off-diagonal"),
    pytest.param("label_covariance", label_cov_entries(lambda j, k, r: r[j] * (1 - r[j]) if j == k else -2 * r[j] * r[k]),
                 r"diagonal \(the variances\) is right", id="label_covariance-off-diagonal-wrong"),
    pytest.param("label_covariance", label_cov_entries(lambda j, k, r: r[j] ** 2 if j == k else -r[j] * r[k]),
                 r"off-diagonal entries are right", id="label_covariance-diagonal-wrong"),
    pytest.param("label_covariance", label_cov_entries(lambda j, k, r: -r[j] * r[k] if j < k else 0),
                 r"not symmetric", id="label_covariance-not-symmetric"),
    pytest.param("label_covariance", LABEL_COV + sympy.eye(3) * sympy.Symbol("x"), r"contains x",
                 id="label_covariance-extra-symbol"),
    pytest.param("label_covariance", LABEL_COV[:2, :2], r"3 × 3", id="label_covariance-malformed-shape"),
    pytest.param("label_covariance", lambda r: r, r"not a function", id="label_covariance-malformed-function"),
    pytest.param("bin_responsibilities", wrong_bin("cdf"), r"lost digits.*survival function", id="bin_responsibilities-cdf"),
    pytest.param("bin_responsibilities", wrong_bin("unnormalised"), r"do not sum to 1", id="bin_responsibilities-joint"),
    pytest.param("bin_responsibilities", wrong_bin("variance-as-scale"), r"variance where the standard deviation belongs",
                 id="bin_responsibilities-variance-as-scale"),
    pytest.param("bin_responsibilities", wrong_bin("no-weights"), r"left out the weights", id="bin_responsibilities-no-weights"),
    pytest.param("bin_responsibilities", wrong_bin("midpoint"), r"centre of the bin", id="bin_responsibilities-midpoint"),
    pytest.param("bin_responsibilities", wrong_bin("uniform-average"), r"every x equally likely",
                 id="bin_responsibilities-uniform-average"),
    pytest.param("bin_responsibilities", lambda a, b, w, m, v: np.full(len(w), np.nan), r"0/0",
                 id="bin_responsibilities-nan"),
    pytest.param("bin_responsibilities", lambda a, b, w, m, v: ok_bin(a, b, w, m, v)[None, :], r"shape",
                 id="bin_responsibilities-malformed-shape"),
    pytest.param("tied_softmax", wrong_tied("sigma"), r"Σ where Σ⁻¹ belongs", id="tied_softmax-sigma-for-precision"),
    pytest.param("tied_softmax", wrong_tied("half-w"), r"half as large", id="tied_softmax-half-w"),
    pytest.param("tied_softmax", wrong_tied("no-weights"), r"leaves out the weights", id="tied_softmax-no-weights"),
    pytest.param("tied_softmax", wrong_tied("no-half"), r"factor ½", id="tied_softmax-no-half"),
    pytest.param("tied_softmax", wrong_tied("plus"), r"quadratic term of your b has the wrong sign", id="tied_softmax-plus"),
    pytest.param("tied_softmax", wrong_tied("negated"), r"scores have the wrong sign", id="tied_softmax-negated"),
    pytest.param("tied_softmax", wrong_tied("transposed"), r"transposed", id="tied_softmax-transposed"),
    pytest.param("tied_softmax", lambda w, m, c: ok_tied(w, m, c)[0], r"Return a pair", id="tied_softmax-malformed-W-only"),
    pytest.param("tied_softmax", lambda w, m, c: (ok_tied(w, m, c)[0], np.log(gb.responsibilities(m, gb.GMM(w, m, np.stack([c] * len(w))))[0])),
                 r"calls gb.responsibilities", id="tied_softmax-library-posterior"),
    pytest.param("tied_softmax", lambda w, m, c: (ok_tied(w, m, c)[0], ok_tied(w, m, c)[1][:-1]), r"b should have",
                 id="tied_softmax-malformed-b"),
]


@pytest.mark.parametrize("answer", [p.values[1] for p in WRONG if p.values[0] == "textbook_responsibilities"],
                         ids=[p.id for p in WRONG if p.values[0] == "textbook_responsibilities"])
def test_no_message_about_the_table_prints_a_responsibility(answer):
    """Nothing to paste back: no entry of the table appears in a message, to 2 decimals or more."""
    message = check("textbook_responsibilities", answer).message
    for value in TB_RESP[(TB_RESP > 0.005) & (TB_RESP < 0.995)]:
        assert f"{value:.2f}" not in message, message


def test_pasting_the_hint_of_a_failed_verdict_does_not_pass():
    """Whatever digits a failed verdict shows, the table built from them does not pass."""
    message = check("textbook_responsibilities", np.round(TB_RESP, 3)).message
    digits = [float(x) for x in re.findall(r"\d+\.\d+", message)]
    assert len(digits) < TB_RESP.size


@pytest.mark.parametrize("exercise_id", ["label_covariance", "bin_responsibilities", "tied_softmax"])
def test_a_wrong_derive_answer_never_prints_the_answer(exercise_id):
    """No message of a failed derive answer shows an entry of the answer (to 2 digits or more)."""
    forbidden = {"label_covariance": ["-r1*r2", "r_j r_k", "r_k(1 − r_k)"],
                 "bin_responsibilities": [f"{v:.2f}" for v in ok_bin(-1.0, 0.5, TB3_W, TB3_M, TB3_V)] + ["Φ((b"],
                 "tied_softmax": ["Σ⁻¹μ_k", "ln π_k −"]}[exercise_id]
    for p in WRONG:
        if p.values[0] == exercise_id:
            message = check(exercise_id, p.values[1]).message
            assert not any(text in message for text in forbidden), message


def test_the_bin_target_is_the_p_weighted_average_of_the_responsibilities():
    """The checker's target (SciPy CDFs) against quadrature of p(x) r_k(x) over the bin, an independent route."""
    for a, b in [(-1.0, 0.5), (2.45, 2.55)]:
        density = lambda t, k: TB3_W[k] * stats.norm.pdf(t, TB3_M[k], np.sqrt(TB3_V[k]))   # p(x) r_k(x) = π_k N_k(x)
        masses = np.array([integrate.quad(density, a, b, args=(k,), epsabs=0, epsrel=1e-12)[0] for k in range(3)])
        assert np.allclose(ok_bin(a, b, TB3_W, TB3_M, TB3_V), masses / masses.sum(), rtol=1e-10)


def test_the_softmax_reproduces_the_posterior_of_a_tied_mixture():
    """The parameters the tests call right give SciPy's posterior at random points (K = 3, D = 2)."""
    rng = np.random.default_rng(2)
    weights, means = np.array([0.6, 0.3, 0.1]), rng.normal(size=(3, 2))
    cov = np.array([[2.0, 0.7], [0.7, 1.0]])
    X = rng.normal(size=(50, 2)) * 3
    log_joint = np.log(weights) + log_gauss(X, means, [cov] * 3)
    posterior = np.exp(log_joint - special.logsumexp(log_joint, axis=1, keepdims=True))
    for answer in (ok_tied, solve_tied_shifted):
        W, b = answer(weights, means, cov)
        assert np.allclose(special.softmax(X @ W.T + b, axis=1), posterior, rtol=1e-10, atol=1e-14)


(test_a_correct_answer_passes, test_a_classic_mistake_is_named,
 test_each_exercise_has_three_correct_styles_and_three_classic_mistakes,
 test_verdicts_are_deterministic) = chapter_tests('04_posterior', CORRECT, WRONG)

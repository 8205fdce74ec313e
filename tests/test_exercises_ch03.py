"""The checkers of chapter 03's exercises (gmmbook/exercises/ch03_marginal_likelihood.py).

log_sum_exp must be solved in float64 the way the chapter teaches: the naive formula fails in
every float type (the checker's values overflow even np.longdouble) and in arbitrary precision
(mpmath, decimal), and so does a right answer that prints a warning or calls the library.
binary_sum must be a closed form (an enumeration runs out of time at K = 60); uniform_mc must take
its randomness from rng and draw z uniformly; the derive exercises (relabelled_responsibilities,
equal_maxima, binary_sum, spike_loglik) never print their answer in a message.
"""

from __future__ import annotations

import decimal
import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy
from scipy import special, stats

import gmmbook as gb
from exercise_helpers import as_lists, chapter_tests, quiet
from gmmbook.exercises import check


def ok_log_sum_exp(a):
    """The worked solution: subtract a finite maximum, silence the log of 0."""
    a = np.asarray(a, dtype=float)
    m = np.max(a, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return m[..., 0] + np.log(np.sum(np.exp(a - m), axis=-1))


def row_loop_log_sum_exp(a):
    """Row by row with Python floats and the math module."""
    rows = np.atleast_2d(np.asarray(a, dtype=float))
    out = []
    for row in rows:
        m = max(row)
        if m == -math.inf:
            out.append(-math.inf)
        else:
            out.append(m + math.log(math.fsum(math.exp(v - m) for v in row)))
    return out[0] if np.ndim(a) == 1 else out


def where_log_sum_exp(a):
    m = np.max(a, axis=-1)
    safe = np.where(np.isneginf(m), 0.0, m)
    total = np.sum(np.exp(a - safe[..., None]), axis=-1)
    return np.where(total > 0, safe + np.log(np.where(total > 0, total, 1.0)), -np.inf)


def naive(dtype):
    def f(a):
        return np.log(np.sum(np.exp(np.asarray(a, dtype=dtype)), axis=-1))

    return quiet(f)


def mpmath_naive(a):
    rows = np.atleast_2d(a)
    out = [float(mpmath.log(mpmath.fsum(mpmath.exp(v) for v in row))) if np.any(row > -np.inf) else -np.inf for row in rows]
    return out[0] if np.ndim(a) == 1 else np.array(out)


def decimal_naive(a):
    decimal.getcontext().Emax = decimal.MAX_EMAX
    decimal.getcontext().Emin = decimal.MIN_EMIN
    rows = np.atleast_2d(a)
    out = []
    for row in rows:
        total = sum((decimal.Decimal(float(v)).exp() for v in row if v > -np.inf), decimal.Decimal(0))
        out.append(float(total.ln()) if total > 0 else -np.inf)
    return out[0] if np.ndim(a) == 1 else np.array(out)


def warning_log_sum_exp(a):
    """Right values, but log(0) warns for the row of −∞."""
    m = np.max(a, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return m[..., 0] + np.log(np.sum(np.exp(a - m), axis=-1))


# ---------------------------------------------------------------------------------------------- relabelling


def permutation_matrix_relabel(resp, tau):
    """resp times the permutation matrix whose column k is e_tau[k]."""
    return np.asarray(resp) @ np.eye(len(tau))[:, tau]


def loop_relabel(resp, tau):
    return [[row[tau[k]] for k in range(len(tau))] for row in np.asarray(resp).tolist()]


# ---------------------------------------------------------------------------------------------- binary z


def brute_binary_sum(weights, dens):
    """Enumerate all 2^K binary vectors: right, but it never finishes for K = 60."""
    return sum(math.prod((w * d) ** z for w, d, z in zip(weights, dens, zs))
               for zs in itertools.product([0, 1], repeat=len(weights)))


# ---------------------------------------------------------------------------------------------- uniform z


def uniform_terms(x, weights, means, variances, z):
    return len(weights) * weights[z] * stats.norm.pdf(x, means[z], np.sqrt(variances[z]))


def ok_uniform_mc(x, weights, means, variances, R, rng):
    return float(np.mean(uniform_terms(x, weights, means, variances, rng.integers(len(weights), size=R))))


def choice_uniform_mc(x, weights, means, variances, R, rng):
    return np.mean(uniform_terms(x, weights, means, variances, rng.choice(len(weights), size=R)))


def loop_uniform_mc(x, weights, means, variances, R, rng):
    """One draw at a time, Python floats and the math module."""
    K, total = len(weights), 0.0
    for _ in range(R):
        k = int(rng.random() * K)
        v = float(variances[k])
        total += K * weights[k] * math.exp(-(x - means[k]) ** 2 / (2 * v)) / math.sqrt(2 * math.pi * v)
    return total / R


def mc_variant(kind):
    def f(x, weights, means, variances, R, rng):
        K = len(weights)
        if kind == "global":
            z = np.random.randint(K, size=R)
        elif kind == "fixed-seed":
            z = np.random.default_rng(0).integers(K, size=R)
        elif kind == "unseeded":
            z = np.random.default_rng().integers(K, size=R)
        elif kind in ("prior", "prior-weighted"):
            z = rng.choice(K, size=R, p=weights)
        else:
            z = rng.integers(K, size=R)
        dens = stats.norm.pdf(x, means[z], (variances if kind == "variance-as-scale" else np.sqrt(variances))[z])
        terms = {"prior": dens, "no-K": weights[z] * dens, "inverted": dens / (K * weights[z])}.get(kind, K * weights[z] * dens)
        if kind == "sum":
            return terms.sum()
        if kind == "exact-plus-noise":
            exact = weights @ stats.norm.pdf(x, means, np.sqrt(variances))
            return exact * (1 + 0.01 * rng.standard_normal())
        if kind == "all-terms":
            return terms
        return terms.mean()

    return f


# ---------------------------------------------------------------------------------------------- the spike


N_S, EPS_S, VAR2_S = sympy.symbols("N eps var2", positive=True)
SPIKE = (-sympy.log(N_S) - sympy.log(2 * sympy.pi * EPS_S) / 2 + (N_S - 1) * sympy.log((N_S - 1) / N_S)
         - (N_S - 1) / 2 * (sympy.log(2 * sympy.pi * VAR2_S) + 1))
ELL = sympy.Symbol("ell")


def spike_without(term):
    """The expected expression with one of its parts changed, as a classic mistake."""
    N, eps, v = N_S, EPS_S, VAR2_S
    return {
        "eps-as-sd": SPIKE - sympy.log(eps) / 2,
        "sign": SPIKE + sympy.log(2 * sympy.pi * eps),
        "no-exponents": SPIKE + (N - 1) / 2,
        "no-weights": SPIKE + sympy.log(N) - (N - 1) * sympy.log((N - 1) / N),
        "no-spike-weight": SPIKE + sympy.log(N),
        "N-points": -sympy.log(N) - sympy.log(2 * sympy.pi * eps) / 2 + N * sympy.log((N - 1) / N)
                    - N / 2 * (sympy.log(2 * sympy.pi * v) + 1),
    }[term]


def spike_checked_numerically():
    """A numerical route to the expected formula, independent of the checker: ℓ of the spike for small ε."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    rest = x[1:]
    for eps in (1e-12, 1e-16):
        weights = np.array([1 / 50, 49 / 50])
        terms = np.column_stack([stats.norm.logpdf(x, x[0], np.sqrt(eps)), stats.norm.logpdf(x, rest.mean(), rest.std())])
        loglik = special.logsumexp(np.log(weights) + terms, axis=1).sum()
        formula = float(SPIKE.subs({N_S: 50, EPS_S: eps, VAR2_S: rest.var()}))
        yield eps, loglik, formula


CORRECT = [
    pytest.param("log_sum_exp", ok_log_sum_exp, id="log_sum_exp-solution"),
    pytest.param("log_sum_exp", lambda a: np.logaddexp.reduce(a, axis=-1), id="log_sum_exp-logaddexp"),
    pytest.param("log_sum_exp", row_loop_log_sum_exp, id="log_sum_exp-row-loop-python-floats"),
    pytest.param("log_sum_exp", where_log_sum_exp, id="log_sum_exp-np-where"),
    pytest.param("log_sum_exp", as_lists(ok_log_sum_exp), id="log_sum_exp-list"),
    pytest.param("equal_maxima", math.factorial, id="equal_maxima-factorial"),
    pytest.param("equal_maxima", lambda K: len(list(itertools.permutations(range(K)))) if K <= 8 else math.factorial(K),
                 id="equal_maxima-enumerate-small-cases"),
    pytest.param("equal_maxima", sympy.factorial, id="equal_maxima-sympy"),
    pytest.param("equal_maxima", lambda K: special.factorial(K, exact=True), id="equal_maxima-scipy-exact"),
    pytest.param("equal_maxima", lambda K: special.gamma(K + 1), id="equal_maxima-gamma-float"),
    pytest.param("equal_maxima", lambda K: np.prod(np.arange(1, K + 1)), id="equal_maxima-numpy-product"),
    pytest.param("relabelled_responsibilities", lambda r, t: np.asarray(r)[:, t], id="relabelled-fancy-index"),
    pytest.param("relabelled_responsibilities", lambda r, t: np.take(r, t, axis=1), id="relabelled-np-take"),
    pytest.param("relabelled_responsibilities", permutation_matrix_relabel, id="relabelled-permutation-matrix"),
    pytest.param("relabelled_responsibilities", loop_relabel, id="relabelled-loops-lists"),
    pytest.param("binary_sum", lambda w, d: np.prod(1 + w * d), id="binary_sum-numpy"),
    pytest.param("binary_sum", lambda w, d: math.prod(1 + wk * dk for wk, dk in zip(w.tolist(), d.tolist())),
                 id="binary_sum-python-floats"),
    pytest.param("binary_sum", lambda w, d: np.exp(np.sum(np.log1p(w * d))), id="binary_sum-log-space"),
    pytest.param("binary_sum", lambda w, d: sympy.prod([1 + sympy.Float(wk * dk, 30) for wk, dk in zip(w, d)]),
                 id="binary_sum-sympy-float"),
    pytest.param("uniform_mc", ok_uniform_mc, id="uniform_mc-integers"),
    pytest.param("uniform_mc", choice_uniform_mc, id="uniform_mc-choice-numpy-float"),
    pytest.param("uniform_mc", loop_uniform_mc, id="uniform_mc-python-loop"),
    pytest.param("uniform_mc", lambda *args: np.float32(ok_uniform_mc(*args)), id="uniform_mc-float32"),
    pytest.param("spike_loglik", SPIKE, id="spike_loglik-expression"),
    pytest.param("spike_loglik", sympy.expand(sympy.expand_log(SPIKE, force=True)), id="spike_loglik-expanded"),
    pytest.param("spike_loglik", sympy.Eq(SPIKE, ELL), id="spike_loglik-equation-reversed"),
    pytest.param("spike_loglik", {ELL: SPIKE}, id="spike_loglik-solve-dict"),
    pytest.param("spike_loglik", "log(1/N) - log(2*pi*eps)/2 + (N-1)*log(1-1/N) - (N-1)*(log(2*pi*var2)+1)/2",
                 id="spike_loglik-string"),
    pytest.param("spike_loglik", SPIKE.subs({N_S: sympy.Symbol("N"), EPS_S: sympy.Symbol("eps")}),
                 id="spike_loglik-symbols-without-assumptions"),
]


def inline_log_sum_exp(a):
    """The chapter's inline version: nan for a row that is −∞ throughout."""
    m = np.max(a, axis=-1, keepdims=True)
    return np.log(np.sum(np.exp(a - m), axis=-1)) + m.squeeze(-1)


WRONG = [
    pytest.param("log_sum_exp", naive(np.float64), r"overflows or underflows", id="log_sum_exp-probability-space"),
    pytest.param("log_sum_exp", naive(np.longdouble), r"wider than float64", id="log_sum_exp-probability-space-longdouble"),
    pytest.param("log_sum_exp", lambda a: naive(np.longdouble)(a).astype(float), r"overflows or underflows",
                 id="log_sum_exp-longdouble-cast-back"),
    pytest.param("log_sum_exp", mpmath_naive, r"computes with mpmath", id="log_sum_exp-probability-space-mpmath"),
    pytest.param("log_sum_exp", decimal_naive, r"computes with decimal", id="log_sum_exp-probability-space-decimal"),
    pytest.param("log_sum_exp", lambda a: [math.log(sum(math.exp(v) for v in row)) for row in np.atleast_2d(a)],
                 r"OverflowError|ValueError|shape", id="log_sum_exp-python-floats"),
    pytest.param("log_sum_exp", lambda a: special.logsumexp(a, axis=-1), r"calls scipy.special.logsumexp",
                 id="log_sum_exp-scipy"),
    pytest.param("log_sum_exp", lambda a: gb.logsumexp(a, axis=-1), r"calls gb.logsumexp", id="log_sum_exp-gmmbook"),
    pytest.param("log_sum_exp", warning_log_sum_exp, r"right, but NumPy printed a warning.*divide by zero",
                 id="log_sum_exp-right-but-warns"),
    pytest.param("log_sum_exp", lambda a: ok_log_sum_exp(a).astype(np.longdouble), r"wider than float64",
                 id="log_sum_exp-returns-longdouble"),
    pytest.param("log_sum_exp", quiet(inline_log_sum_exp), r"throughout.*nan", id="log_sum_exp-nan-for-all-minus-inf-row"),
    pytest.param("log_sum_exp", lambda a: np.log(np.sum(np.exp(a - np.max(a)), axis=-1)) + np.max(a),
                 r"each row's own maximum", id="log_sum_exp-global-maximum"),
    pytest.param("log_sum_exp", lambda a: np.log(np.sum(np.exp(a - np.max(a, axis=-1, keepdims=True)), axis=-1)),
                 r"add m back", id="log_sum_exp-max-not-added-back"),
    pytest.param("log_sum_exp", lambda a: np.max(a) + np.log(np.sum(np.exp(a - np.max(a)))), r"last axis only",
                 id="log_sum_exp-sums-the-whole-array"),
    pytest.param("log_sum_exp", lambda a: ok_log_sum_exp(np.swapaxes(np.atleast_2d(a), 0, -1)), r"shape",
                 id="log_sum_exp-wrong-axis"),
    pytest.param("log_sum_exp", lambda a: np.max(a, axis=-1), r"expected", id="log_sum_exp-max-only"),
    pytest.param("equal_maxima", lambda K: K, r"does not pick one", id="equal_maxima-K"),
    pytest.param("equal_maxima", lambda K: K ** K, r"exactly once", id="equal_maxima-K-to-the-K"),
    pytest.param("equal_maxima", lambda K: 2 ** K, r"subsets", id="equal_maxima-2-to-the-K"),
    pytest.param("equal_maxima", lambda K: math.factorial(K) // 2 if K > 1 else 1, r"identical", id="equal_maxima-half"),
    pytest.param("equal_maxima", lambda K: math.factorial(K - 1), r"circle", id="equal_maxima-circular"),
    pytest.param("equal_maxima", lambda K: sympy.factorial(sympy.Symbol("K")), r"SymPy expression in K",
                 id="equal_maxima-symbolic"),
    pytest.param("relabelled_responsibilities", lambda r, t: r, r"unchanged", id="relabelled-unchanged"),
    pytest.param("relabelled_responsibilities", lambda r, t: np.asarray(r)[:, np.argsort(t)], r"inverse relabelling",
                 id="relabelled-inverse"),
    pytest.param("relabelled_responsibilities", lambda r, t: np.asarray(r)[t], r"reordered the rows",
                 id="relabelled-rows"),
    pytest.param("relabelled_responsibilities", lambda r, t: np.asarray(r)[:, t][:, :-1], r"shape",
                 id="relabelled-malformed-shape"),
    pytest.param("relabelled_responsibilities", lambda r, t: "columns", r"array of numbers",
                 id="relabelled-malformed-string"),
    pytest.param("binary_sum", lambda w, d: np.sum(w * d), r"one-hot vectors only", id="binary_sum-one-hot"),
    pytest.param("binary_sum", lambda w, d: np.prod(w * d), r"only the vector of all ones", id="binary_sum-all-ones"),
    pytest.param("binary_sum", lambda w, d: 1 + np.sum(w * d), r"two or more ones", id="binary_sum-at-most-one-one"),
    pytest.param("binary_sum", lambda w, d: np.prod(1 + w) * np.prod(1 + d), r"separately",
                 id="binary_sum-product-of-sums"),
    pytest.param("binary_sum", lambda w, d: 2.0 ** (len(w) - 1) * np.sum(w * d), r"added the factors",
                 id="binary_sum-added-factors"),
    pytest.param("binary_sum", lambda w, d: 1 + w * d, r"Return one number", id="binary_sum-malformed-array"),
    pytest.param("binary_sum", lambda w, d: sympy.Symbol("S"), r"SymPy expression in S", id="binary_sum-malformed-symbol"),
    pytest.param("uniform_mc", mc_variant("prior"), r"chapter's estimator", id="uniform_mc-prior-unweighted"),
    pytest.param("uniform_mc", mc_variant("prior-weighted"), r"drew z from π", id="uniform_mc-prior-weighted"),
    pytest.param("uniform_mc", mc_variant("no-K"), r"left out the factor K", id="uniform_mc-no-K"),
    pytest.param("uniform_mc", mc_variant("inverted"), r"inverted", id="uniform_mc-inverted-weight"),
    pytest.param("uniform_mc", mc_variant("variance-as-scale"), r"variance where the standard deviation belongs",
                 id="uniform_mc-variance-as-scale"),
    pytest.param("uniform_mc", mc_variant("sum"), r"not their sum", id="uniform_mc-sum"),
    pytest.param("uniform_mc", mc_variant("global"), r"global generator", id="uniform_mc-np-random"),
    pytest.param("uniform_mc", mc_variant("fixed-seed"), r"ignores rng", id="uniform_mc-fixed-seed"),
    pytest.param("uniform_mc", mc_variant("unseeded"), r"seeded alike gave different", id="uniform_mc-unseeded"),
    pytest.param("uniform_mc", mc_variant("exact-plus-noise"), r"none of the K possible terms",
                 id="uniform_mc-exact-plus-noise"),
    pytest.param("uniform_mc", mc_variant("all-terms"), r"Return one number", id="uniform_mc-malformed-array"),
    pytest.param("spike_loglik", spike_without("eps-as-sd"), r"standard deviation", id="spike_loglik-eps-as-sd"),
    pytest.param("spike_loglik", spike_without("sign"), r"wrong sign", id="spike_loglik-sign"),
    pytest.param("spike_loglik", spike_without("no-exponents"), r"exponents of the other", id="spike_loglik-no-exponents"),
    pytest.param("spike_loglik", spike_without("no-weights"), r"weights π₁ = 1/N and π₂", id="spike_loglik-no-weights"),
    pytest.param("spike_loglik", spike_without("no-spike-weight"), r"spike's weight", id="spike_loglik-no-spike-weight"),
    pytest.param("spike_loglik", spike_without("N-points"), r"counted N points", id="spike_loglik-N-points"),
    pytest.param("spike_loglik", SPIKE + sympy.Symbol("x1"), r"contains x1", id="spike_loglik-extra-symbol"),
    pytest.param("spike_loglik", SPIKE.subs(EPS_S, 1), r"does not depend on eps", id="spike_loglik-no-eps"),
    pytest.param("spike_loglik", lambda N, eps, var2: 0.0, r"not a function", id="spike_loglik-malformed-function"),
    pytest.param("spike_loglik", "log(N", r"cannot read", id="spike_loglik-malformed-string"),
]


@pytest.mark.parametrize("answer", [p.values[1] for p in WRONG if p.values[0] == "equal_maxima"],
                         ids=[p.id for p in WRONG if p.values[0] == "equal_maxima"])
def test_a_wrong_count_never_prints_the_answer(answer):
    from gmmbook.exercises import check

    message = check("equal_maxima", answer).message
    assert "K!" not in message and "factorial" not in message
    for K in (5, 10):
        assert str(math.factorial(K)) not in message


def test_the_worked_solution_of_a_derive_exercise_is_what_the_tests_call_right():
    """The formula of spike_loglik, from an outside route: ℓ of the spike (SciPy) for tiny ε differs from it by O(√ε)."""
    for eps, loglik, formula in spike_checked_numerically():
        assert 0 <= loglik - formula < 1e3 * np.sqrt(eps), (eps, loglik, formula)


def test_binary_sum_by_enumeration_runs_out_of_time_on_the_large_case_only():
    verdict = check("binary_sum", brute_binary_sum, time_limit=1.0)
    assert not verdict.passed and verdict.attempted
    assert "longer than 1 s on K = 60" in verdict.message, str(verdict)
    assert verdict.cases == ("K = 2", "K = 3", "K = 1")


def test_the_binary_sum_is_the_enumeration_for_small_K():
    """The reference of the checker (a product) against the enumeration it replaces."""
    rng = np.random.default_rng(0)
    for K in (1, 2, 5):
        w, d = rng.dirichlet(np.ones(K)), rng.uniform(0, 3, size=K)
        assert math.isclose(brute_binary_sum(w, d), np.prod(1 + w * d), rel_tol=1e-12)


@pytest.mark.parametrize("exercise_id", ["binary_sum", "spike_loglik", "relabelled_responsibilities"])
def test_a_wrong_derive_answer_never_prints_the_answer(exercise_id):
    for p in WRONG:
        if p.values[0] != exercise_id:
            continue
        message = check(exercise_id, p.values[1]).message
        assert "2πε" not in message and "½ ln" not in message and "1 + π_k" not in message, message
        assert "resp[:, tau]" not in message and "column τ(k)" not in message, message
        if exercise_id == "binary_sum":
            for what, w, d in [("K = 2", np.array([0.3, 0.7]), np.array([0.25, 1.6]))]:
                assert f"{np.prod(1 + w * d):.3g}" not in message, message


def test_uniform_mc_single_draws_are_the_terms_of_the_estimator():
    """The checker's variance formula, against a simulation written with SciPy only."""
    weights, means, variances = np.array([0.3, 0.5, 0.2]), np.array([-2.0, 1.0, 4.0]), np.array([0.5, 1.0, 0.3])
    x, K = 2.5, 3
    terms = K * weights * stats.norm.pdf(x, means, np.sqrt(variances))
    exact = weights @ stats.norm.pdf(x, means, np.sqrt(variances))
    assert math.isclose(terms.mean(), exact, rel_tol=1e-12)              # unbiased: the mean of the terms is p(x)
    draws = [ok_uniform_mc(x, weights, means, variances, 1, np.random.default_rng(s)) for s in range(300)]
    assert all(np.any(np.isclose(v, terms, rtol=1e-12)) for v in draws)


(test_a_correct_answer_passes, test_a_classic_mistake_is_named,
 test_each_exercise_has_three_correct_styles_and_three_classic_mistakes,
 test_verdicts_are_deterministic) = chapter_tests('03_marginal_likelihood', CORRECT, WRONG)

"""Checkers for the exercises of chapter 03, The marginal likelihood (``exercises/03_marginal_likelihood.ipynb``)."""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from .. import gaussian
from ..datasets import three_component_1d
from .framework import (Mistake, Rules, as_array, as_expression, as_number, call, case, close, describe, diagnose,
                        exercise, fmt, recorded_warnings, same_count, seeded_calls)

_LOG_SUM_EXP_CASES = [  # (what, a, whether exp(a) overflows or underflows)
    ("a small vector", np.array([0.1, -1.2, 0.5]), False),
    ("a 2-D array (one result per row)", np.array([[0.0, 1.0, 2.0], [3.0, -4.0, 0.5]]), False),
    ("large values", np.array([1000.0, 1000.0, 999.0]), True),
    ("very negative values (tiny probabilities)", np.array([-1000.0, -1001.0, -1002.0]), True),
    ("an entry of -inf (a probability of exactly 0)", np.array([-np.inf, 0.0, -1.0]), False),
    ("values far apart (a largest term and tiny ones)", np.array([0.0, -800.0, -5.0]), False),
    ("rows of very different sizes", np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]]), True),
    ("a row that is -inf throughout (every probability 0)", np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]]), False),
    # e^12000 overflows, and e^-12000 underflows, even in np.longdouble (largest about e^11356).
    ("values beyond the range of every float type", np.array([[12000.0, 11999.5, 11000.0], [-12000.0, -12001.5, -13000.0]]),
     True),
]


def _reference_log_sum_exp(a: np.ndarray) -> np.ndarray:
    return special.logsumexp(a, axis=-1)


def _diagnose_log_sum_exp(what, a, got, expected, extreme):
    """Raise the Mistake that explains a wrong result of log_sum_exp on one case."""
    inf_rows = np.isneginf(expected)
    if np.any(inf_rows) and np.any(np.isnan(got[inf_rows])):
        raise Mistake(f"On {what} you returned nan: with m = −∞, a − m is −∞ − (−∞) = nan. "
                      "Use a finite m (e.g. 0) for such rows; the answer is −∞, the logarithm of a sum of zeros.")
    if a.ndim == 2 and np.all(np.isfinite(a)) and np.isclose(got[0], expected[0]) and not np.all(np.isfinite(got)):
        raise Mistake(f"On {what} you returned {fmt(got)}: subtract each row's own maximum "
                      "(np.max(a, axis=-1, keepdims=True)), not the maximum of the whole array.")
    if not np.all(np.isfinite(got)) and not extreme:
        raise Mistake(f"On {what} you returned {fmt(got)}, which is not finite although every true value here is."
                      + (" Subtract the maximum m = max_j a_j (not the minimum or the mean): then every exponent a_j − m "
                         "is ≤ 0, nothing overflows, and no −∞ − (−∞) = nan appears."
                         if not np.all(np.isfinite(a)) or np.ptp(a) > 700 else ""))
    if not np.all(np.isfinite(got)):
        raise Mistake(f"On {what} you returned {fmt(got)}: computing exp(a) directly overflows or underflows "
                      "(probability space). Subtract the maximum m first: log Σ exp(a) = m + log Σ exp(a − m).")
    m = np.max(a, axis=-1)
    diagnose(got, [
        (expected - m, f"On {what} your result is off by the maximum: after log Σ exp(a − m), add m back."),
    ], f"On {what} expected {fmt(expected, 6)}, got {fmt(got, 6)}.")


@exercise("log_sum_exp", answer="log_sum_exp")
def _check_log_sum_exp(f):
    """f(a) → log Σ exp(a) over the last axis, stably, in float64, without a warning (chapter 03, eq. logsumexp)."""
    rules = Rules(forbidden=((special.logsumexp, "scipy.special.logsumexp"), (gaussian.logsumexp, "gb.logsumexp")),
                  float64=True, float64_hint="Subtract the maximum, equation (logsumexp).")
    for what, a, extreme in _LOG_SUM_EXP_CASES:
        with case(what):
            expected = _reference_log_sum_exp(a)
            with recorded_warnings() as caught:
                got = as_array(call(f, a.copy(), rules=rules), "the result")
            if got.shape != expected.shape:
                if got.size == 1 and a.ndim == 2:
                    raise Mistake(f"On {what} you returned one number; sum over the last axis only (axis=-1), "
                                  "one result per row.")
                if got.shape == expected.shape + (1,):
                    raise Mistake(f"On {what} you kept the summed axis (shape {got.shape}); drop it: the result "
                                  f"should have shape {expected.shape}.")
                raise Mistake(f"On {what} the result should have shape {expected.shape}, got {got.shape}: "
                              "reduce the last axis only.")
            finite = np.isfinite(expected)
            right = (np.array_equal(np.isneginf(got), ~finite)
                     and np.allclose(got[finite], expected[finite], rtol=1e-9, atol=1e-9))
            if not right:
                _diagnose_log_sum_exp(what, a, got, expected, extreme)
            if caught:
                raise Mistake(f"On {what} your result is right, but NumPy printed a warning ({caught[0].message}). "
                              "Compute it without one (np.errstate(divide='ignore') around a log that may be of 0, "
                              "or avoid the operation that warns).")
    return "Right, and stable: finite for large and very negative values, −∞ for a row of −∞, no warning, in float64."


# ---------------------------------------------------------------------------------------------- relabelling


_RELABEL_CASES = [  # (what, N, tau in code indices: component k of θ_τ is component tau[k] of θ)
    ("K = 3, τ = (2, 3, 1)", 5, [1, 2, 0]),          # a 3-cycle: τ and τ⁻¹ differ
    ("K = 4, τ = (3, 1, 4, 2)", 6, [2, 0, 3, 1]),
    ("K = 2, τ = (2, 1)", 4, [1, 0]),
]


@exercise("relabelled_responsibilities", answer="relabelled_responsibilities")
def _check_relabelled_responsibilities(f):
    """f(resp, tau) → the (N, K) responsibilities under θ_τ, from those under θ (chapter 03, eq. perm).

    A derive exercise: the messages name the mistake, never which column goes where.
    """
    rng = np.random.default_rng(12)
    for what, N, tau in _RELABEL_CASES:
        with case(what):
            K = len(tau)
            resp = rng.dirichlet(np.full(K, 0.8), size=N)           # rows sum to 1; all entries different
            expected = resp[:, tau]
            raw = call(f, resp.copy(), list(tau))
            if np.shape(raw) == (K, K) and N != K:
                raise Mistake(f"On {what} your result has shape ({K}, {K}): you reordered the rows, which are the points. "
                              "Relabelling renames the components; the points stay where they are.")
            got = as_array(raw, "the responsibilities", (N, K))
            if close(got, expected, rtol=1e-12, atol=1e-12):
                continue
            diagnose(got, [
                (resp, f"On {what} you returned the responsibilities unchanged: under θ_τ component k is a different "
                       "component of θ, so its column changes."),
                (resp[:, np.argsort(tau)], f"On {what} you moved the columns the other way round, by the inverse "
                                           "relabelling τ⁻¹. Check with one component: where does component 1 of θ_τ "
                                           "come from?"),
                (resp[tau][:, tau] if N == K else -1, f"On {what} you reordered the rows (the points) too."),
            ], f"On {what} your matrix is not the responsibilities under θ_τ: write equation (resp) for θ_τ and compare "
               "it, term by term, with the responsibilities under θ.", expected=expected)
    return "Right: relabelling the components permutes the columns of the responsibilities in the same way, nothing else."



# ---------------------------------------------------------------------------------------------- equal maxima

@exercise("equal_maxima", answer="equal_maxima")
def _check_equal_maxima(f):
    """f(K) → the number of equal maxima that relabelling gives a fit with K different components (chapter 03, eq. perm).

    A derive exercise: the messages name the mistake, never the count.
    """
    for K in [5, 10, 2, 3, 1]:   # K = 5 first: there K, K^K, 2^K and K!/2 all differ from K! and from each other
        with case(f"K = {K}"):
            raw = call(f, K)
            if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
                raise Mistake(f"Return one number, got {describe(raw)}.")
            got = as_number(raw, "the count")
            expected = math.factorial(K)
            if same_count(got, expected):
                continue
            diagnose(got, [
                (K, f"For K = {K} you returned K: a relabelling reorders all K components; it does not pick one of them."),
                (K ** K, f"For K = {K} you returned K^K: that lets two components get the same label; a relabelling uses "
                         "each label exactly once."),
                (2 ** K, f"For K = {K} you returned 2^K: that counts subsets of the components, not their orderings."),
                (expected // 2 if K > 1 else -1, f"For K = {K} you returned half the right count: that is the count when "
                                                 "two components are identical. Here all K differ."),
                (math.factorial(K - 1), f"For K = {K} you returned (K − 1)!: that counts arrangements in a circle; "
                                        "here every position is distinct."),
            ], f"For K = {K} you returned {got!r}; count the ways to give K different components the labels 1, …, K.",
               expected=expected)
    return "Right: K! relabellings, all different when the components are: 2, 6, 120, 3 628 800 for K = 2, 3, 5, 10."


# ---------------------------------------------------------------------------------------------- binary z


def _binary_cases():
    rng = np.random.default_rng(60)
    big = 60     # 2^60 ≈ 1.2e18 binary vectors: no enumeration finishes
    return [("K = 2", np.array([0.3, 0.7]), np.array([0.25, 1.6])),
            ("K = 3", np.array([0.2, 0.5, 0.3]), np.array([0.05, 0.8, 2.5])),
            ("K = 1", np.array([1.0]), np.array([0.4])),
            (f"K = {big}", rng.dirichlet(np.ones(big)), rng.uniform(0.0, 3.0, size=big))]


@exercise("binary_sum", answer="binary_sum")
def _check_binary_sum(f):
    """f(weights, dens) → Σ over all 2^K binary z of Π_k (π_k N_k)^(z_k) (chapter 03, eq. sum-rule without one-hot).

    A derive exercise: the messages name the mistake, never the value or the closed form.
    """
    for what, weights, dens in _binary_cases():
        with case(what):
            raw = call(f, weights.copy(), dens.copy())
            if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
                raise Mistake(f"Return one number, the sum, got {describe(raw)}.")
            got = as_number(raw, "the sum")
            joint = weights * dens                                  # π_k N_k
            expected = float(np.prod(1.0 + joint))
            if np.isfinite(got) and abs(got - expected) <= 1e-9 * abs(expected):
                continue
            K = len(weights)
            diagnose(got, [
                (joint.sum(), f"For {what} you summed over the K one-hot vectors only: that is equation (marginal). "
                              "Here z runs over all 2^K binary vectors, the zero vector and those with several ones too."),
                (np.prod(joint), f"For {what} you kept only the vector of all ones; sum over all 2^K binary vectors."),
                (1.0 + joint.sum(), f"For {what} you kept the zero vector and the one-hot vectors, but left out the vectors "
                                    "with two or more ones."),
                (np.prod(1.0 + weights) * np.prod(1.0 + dens),
                 f"For {what} you summed p(z) and p(x | z) over z separately and multiplied the two sums: both depend on "
                 "the same z, and a sum of products is not a product of sums."),
                (2.0 ** (K - 1) * joint.sum(), f"For {what} you added the factors of each vector instead of multiplying "
                                               "them: p(z) and p(x | z) are products over k."),
            ], f"For {what} your sum is not right. Write p(z) p(x | z) as one product over k, and sum over z_1 ∈ {{0, 1}}, "
               "…, z_K ∈ {0, 1} one variable at a time.", expected=expected)
    return ("Right: the sum over all binary vectors factorises into one factor per component, and it is not p(x); "
            "a closed form needs no enumeration, even for K = 60.")


# ---------------------------------------------------------------------------------------------- uniform z


MC_GMM = three_component_1d()
MC_SEEDS = (2024, 7)
MC_SINGLE_DRAWS = 600              # calls with R = 1: each value must be one of the K terms, z uniform
MC_TERM_RTOL = 1e-6                # float32 answers keep about 7 digits
MC_ESTIMATE_R = 5_000
MC_POINTS = (-1.0, 2.5, 8.0)
MC_STANDARD_DEVIATIONS = 5.0       # an estimate may be this many of the estimator's standard deviations off
MC_FALSE_ALARM = 1e-6


def _mc_args(x, R):
    gmm = MC_GMM
    return lambda rng: (float(x), gmm.weights.copy(), gmm.means[:, 0].copy(), gmm.covariances[:, 0, 0].copy(), R, rng)


def _mc_number(raw):
    if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
        raise Mistake(f"Return one number, the estimate of p(x), got {describe(raw)}.")
    value = as_number(raw, "the estimate")
    if not np.isfinite(value):
        raise Mistake(f"Your estimate is {value}, not a finite number.")
    return float(value)


def _mc_terms(x):
    """The K possible terms K π_k N(x | μ_k, σ_k²) of the estimator, and candidates for classic mistakes."""
    w, mu, var = MC_GMM.weights, MC_GMM.means[:, 0], MC_GMM.covariances[:, 0, 0]
    K = len(w)
    dens = stats.norm.pdf(x, mu, np.sqrt(var))
    return K * w * dens, [
        (dens, "Each of your single-draw values is N(x | μ_z, σ_z²) without a weight: that is the chapter's estimator, "
               "equation (mc), for z ~ Cat(π). Draw z uniformly, and weight each term by p(z)/q(z) = π_z / (1/K) = K π_z."),
        (w * dens, "Each of your single-draw values is π_z N(x | μ_z, σ_z²): the weight for a uniform z is "
                   "p(z)/q(z) = π_z / (1/K) = K π_z; you left out the factor K."),
        (dens / (K * w), "Your weight is inverted: it is p(z)/q(z) = π_z / (1/K) = K π_z, not q(z)/p(z)."),
        (K * w * stats.norm.pdf(x, mu, var), "You used the variance where the standard deviation belongs "
                                            "(scipy.stats.norm's scale is σ = √σ²)."),
    ]


@exercise("uniform_mc", answer="uniform_mc")
def _check_uniform_mc(f):
    """f(x, weights, means, variances, R, rng) → the importance-sampling estimate of p(x) with z uniform (chapter 03)."""
    x0 = 2.5
    with case("randomness from rng"):
        seeded_calls(f, _mc_args(x0, 200), MC_SEEDS, read=_mc_number, same=lambda a, b: a == b)
    with case("single draws (R = 1)"):
        terms, mistakes = _mc_terms(x0)
        counts = np.zeros(len(terms), dtype=int)
        for seed in range(MC_SINGLE_DRAWS):
            value = _mc_number(call(f, *_mc_args(x0, 1)(np.random.default_rng(seed))))
            hit = np.flatnonzero(np.isclose(value, terms, rtol=MC_TERM_RTOL, atol=0))
            if len(hit) == 0:
                for wrong, message in mistakes:
                    if np.any(np.isclose(value, wrong, rtol=MC_TERM_RTOL, atol=0)):
                        raise Mistake(message)
                raise Mistake(f"With R = 1 your estimate at x = {x0:g} is {value:.6g}, which is none of the K possible "
                              "terms K π_k N(x | μ_k, σ_k²): with one draw z = k the estimate is that term itself.")
            counts[hit[0]] += 1
        pvalue = stats.chisquare(counts).pvalue
        if pvalue < MC_FALSE_ALARM:
            shares = np.array2string(counts / counts.sum(), precision=2)
            if stats.chisquare(counts, counts.sum() * MC_GMM.weights).pvalue > MC_FALSE_ALARM:
                raise Mistake(f"Your draws pick the components with frequencies {shares}, about π = (0.3, 0.5, 0.2): "
                              "you drew z from π. Draw it uniformly (each component with probability 1/K), "
                              "e.g. rng.integers(K, size=R).")
            raise Mistake(f"Your draws pick the components with frequencies {shares}, not uniformly "
                          f"(chi-square test, p = {pvalue:.1e}): draw each z independently and uniformly.")
    for x in MC_POINTS:
        with case(f"unbiased at x = {x:g}, R = {MC_ESTIMATE_R}"):
            terms, _ = _mc_terms(x)
            p = float(np.mean(terms))                                   # = Σ_k π_k N_k(x)
            sd = float(np.sqrt((np.mean(terms ** 2) - p ** 2) / MC_ESTIMATE_R))   # the estimator's standard deviation
            value = _mc_number(call(f, *_mc_args(x, MC_ESTIMATE_R)(np.random.default_rng(100 + int(x)))))
            z = (value - p) / sd
            if abs(z) <= MC_STANDARD_DEVIATIONS:
                continue
            if np.isclose(value, p * MC_ESTIMATE_R, rtol=0.05):
                raise Mistake(f"At x = {x:g} your estimate is about R times p(x): return the mean of the R terms, not their sum.")
            raise Mistake(f"At x = {x:g} your estimate {value:.4g} is {z:.1f} standard deviations of the estimator away "
                          f"from p(x) = {p:.4g}: average K π_z N(x | μ_z, σ_z²) over the R draws.")
    return ("Right: z uniform from rng, each term weighted by K π_z, and the average is within "
            f"{MC_STANDARD_DEVIATIONS:g} standard deviations of p(x) at x = -1, 2.5 and 8.")


# ---------------------------------------------------------------------------------------------- the spike


def _spike_symbols():
    import sympy

    N, eps, var2 = sympy.symbols("N eps var2", positive=True)
    return N, eps, var2


def _spike_expected():
    import sympy

    N, eps, var2 = _spike_symbols()
    return (-sympy.log(N) - sympy.log(2 * sympy.pi * eps) / 2 + (N - 1) * sympy.log((N - 1) / N)
            - (N - 1) / 2 * (sympy.log(2 * sympy.pi * var2) + 1))


# Points (N, ε, v) where two formulas are compared; N ≥ 2 is the number of points, so (N − 1)/N > 0.
_SPIKE_POINTS = [(200, 1e-6, 1.7), (3, 0.02, 0.4), (17, 3e-9, 12.5), (1000, 0.5, 0.9), (5, 1e-3, 2.0)]


def _spike_values(expr) -> np.ndarray:
    N, eps, var2 = _spike_symbols()
    values = []
    for n, e, v in _SPIKE_POINTS:
        value = expr.subs({N: n, eps: e, var2: v}).evalf(30)
        values.append(complex(value) if value.is_number else np.nan)
    values = np.array(values)
    if np.any(np.abs(values.imag) > 1e-12 * np.abs(values.real)):
        return np.full(len(values), np.nan)
    return values.real


@exercise("spike_loglik", answer="spike_loglik")
def _check_spike_loglik(answer):
    """ℓ(θ_spike) up to terms that vanish as ε → 0, as a SymPy expression in N, eps, var2 (chapter 03, collapse).

    Compared with the expected formula at five points (N, ε, σ̂²) to a relative 10⁻¹⁰, so any equivalent
    form passes.  A derive exercise: the messages name the mistake, never the formula.
    """
    import sympy

    N, eps, var2 = _spike_symbols()
    with case("ℓ(θ_spike) as a function of N, ε and σ̂²"):
        if callable(answer) and not isinstance(answer, sympy.Basic):
            raise Mistake("Give a SymPy expression in N, eps and var2, not a function.")
        expr = as_expression(answer, unknown=("ell", "l", "loglik", "ℓ"),
                             symbols={"N": N, "eps": eps, "epsilon": eps, "ε": eps, "var2": var2})
        others = sorted(s.name for s in expr.free_symbols if s not in (N, eps, var2))
        if others:
            raise Mistake(f"Your expression contains {', '.join(others)}: ℓ(θ_spike) depends on the data only through "
                          "N and var2 (the variance of the other N − 1 points), and on ε. Eliminate the other symbols "
                          "with equation (loglik-one).")
        if eps not in expr.free_symbols:
            raise Mistake("Your expression does not depend on eps: the spike's own term grows without bound as ε → 0.")
        got, expected = _spike_values(expr), _spike_values(_spike_expected())
        if np.all(np.isfinite(got)) and np.allclose(got, expected, rtol=1e-10, atol=0):
            return ("Right: the spike contributes ln(1/N) − ½ ln(2πε), and the other N − 1 points the maximum of a "
                    "Gaussian likelihood plus (N − 1) ln((N − 1)/N).")
        half_log_eps = sympy.log(eps) / 2
        weights_terms = -sympy.log(N) + (N - 1) * sympy.log((N - 1) / N)
        A = _spike_expected()
        for wrong, message in [
            (A - half_log_eps, "Your spike term treats ε as a standard deviation; ε = reg_covar is the spike's variance σ₁²."),
            (A + sympy.log(2 * sympy.pi * eps), "Your spike term has the wrong sign: the narrower the spike (the smaller "
                                                "ε), the higher its peak."),
            (A + (N - 1) / 2, "You left out the exponents of the other N − 1 points: at the fitted mean and variance their "
                              "sum is not 0 (equation (mahal-sum) of chapter 01)."),
            (A - weights_terms, "You left out the weights π₁ = 1/N and π₂ = (N − 1)/N."),
            (A + sympy.log(N), "You left out the spike's weight π₁ = 1/N."),
            (A - (N - 1) * sympy.log((N - 1) / N), "You left out the weight π₂ = (N − 1)/N of the other N − 1 points."),
            (A + sympy.log((N - 1) / N) - (sympy.log(2 * sympy.pi * var2) + 1) / 2,
             "You counted N points under component 2; the spike's point is not one of them: there are N − 1."),
        ]:
            if np.allclose(got, _spike_values(wrong), rtol=1e-10, atol=0):
                raise Mistake(message)
        raise Mistake("Not yet. Split ℓ into the spike's point and the other N − 1 points; in each term keep the "
                      "component that does not vanish as ε → 0, and use equation (loglik-one) for the other points.")

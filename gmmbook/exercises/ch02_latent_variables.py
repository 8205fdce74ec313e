"""Checkers for the exercises of chapter 02, The latent-variable view (``exercises/02_latent_variables.ipynb``).

The sampler's checker applies statistical tests.  Each would reject a correct sampler with
probability at most ``FALSE_ALARM`` (10⁻⁶), so all of them together at most 10⁻⁵; the seeds are
fixed, so a verdict does not change from one run to the next.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from .. import mixture
from ..mixture import GMM, log_joint, sample
from .framework import (Mistake, Rules, as_array, as_expression, as_number, call, case, close, describe, diagnose, exercise,
                        same_count, seeded_calls)

FALSE_ALARM = 1e-6
SAMPLE_GMM = GMM(
    np.array([0.6, 0.3, 0.1]),
    np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]]),
    np.array([[[4.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 9.0]], [[2.0, -1.0], [-1.0, 2.0]]]),
)
SAMPLE_SIZE = 5_000
SEEDS = (2024, 7)
STANDARD_ERRORS = 6.0   # a sample mean or covariance entry may be this many standard errors off


# ---------------------------------------------------------------------------------------------- sampling


def _read_sample(result, n: int, K: int, D: int):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise Mistake("Return a pair (X, labels).")
    X = as_array(result[0], "X", (n, D))
    labels = np.asarray(result[1])
    if labels.shape != (n,) or not (np.issubdtype(labels.dtype, np.integer)
                                    or (labels.dtype.kind == "f" and np.all(labels == np.round(labels)))):
        raise Mistake(f"labels should be an integer array of shape ({n},), got {labels.dtype} with shape {labels.shape}.")
    labels = labels.astype(int)
    if labels.min() < 0 or labels.max() >= K:
        raise Mistake(f"labels should be component indices 0 … {K - 1}.")
    if not np.all(np.isfinite(X)):
        raise Mistake("X contains NaN or infinite values.")
    return X, labels


def _same_sample(a, b) -> bool:
    return np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def _check_frequencies(counts, weights, n):
    """Chi-square goodness of fit of the label counts to π (upper tail)."""
    p_value = stats.chisquare(counts, n * weights).pvalue
    if p_value < FALSE_ALARM:
        freq = np.array2string(counts / n, precision=3)
        if np.allclose(counts / n, 1 / len(weights), atol=0.02):
            raise Mistake(f"The labels are (nearly) uniform, {freq}, but π = (0.6, 0.3, 0.1): draw z with probabilities π.")
        raise Mistake(f"The label frequencies {freq} do not match π = (0.6, 0.3, 0.1) (chi-square test, p = {p_value:.1e}).")


def _check_counts_random(all_counts, weights):
    """The chi-square statistics of several seeds together, lower tail: counts too close to n π_k are not random."""
    statistic = sum(stats.chisquare(counts, counts.sum() * weights).statistic for counts in all_counts)
    df = len(all_counts) * (len(weights) - 1)
    if stats.chi2.cdf(statistic, df) < FALSE_ALARM:
        raise Mistake("With every seed the label counts are almost exactly n·π_k, closer than independent draws ever are: "
                      "the counts must be random (each z_n drawn from Cat(π), or the counts from a multinomial), "
                      "not rounded expectations.")


def _check_order(labels, weights):
    """Runs test and serial test of the label sequence: independent draws, neither grouped nor alternating."""
    n = len(labels)
    same = int(np.sum(labels[1:] == labels[:-1]))            # consecutive pairs with the same label
    q, c = np.sum(weights ** 2), np.sum(weights ** 3)
    mean = (n - 1) * q
    sd = np.sqrt((n - 1) * q * (1 - q) + 2 * (n - 2) * (c - q ** 2))
    z = (same - mean) / sd
    bound = stats.norm.isf(FALSE_ALARM / 2)
    if z > bound:
        raise Mistake(f"{same} of {n - 1} consecutive rows share a label, against about {mean:.0f} ± {sd:.0f} for independent "
                      "draws: your rows are grouped (or sorted) by component. Draw each z_n independently and keep the "
                      "rows in the order of the draws.")
    if z < -bound:
        raise Mistake(f"Only {same} of {n - 1} consecutive rows share a label, against about {mean:.0f} ± {sd:.0f} for "
                      "independent draws: your labels alternate in a pattern. Draw each z_n independently.")
    K = len(weights)
    pairs = np.zeros((K, K))
    np.add.at(pairs, (labels[:-1], labels[1:]), 1)
    if stats.chi2_contingency(pairs + 0.0, correction=False).pvalue < FALSE_ALARM:
        raise Mistake("The label of a row depends on the label of the row before it (serial test): draw each z_n "
                      "independently of the others.")


def _check_component(k, X, labels, gmm):
    Xk = X[labels == k]
    n_k, target = len(Xk), gmm.covariances[k]
    variances = np.diag(target)
    mean_error = np.abs(Xk.mean(axis=0) - gmm.means[k]) / np.sqrt(variances / n_k)
    if np.any(mean_error > STANDARD_ERRORS):
        raise Mistake(f"The points labelled {k} have mean {np.array2string(Xk.mean(axis=0), precision=2)}, not "
                      f"μ_{k} = {np.array2string(gmm.means[k], precision=2)}: do the labels match the points you drew?")
    cov = np.cov(Xk.T, bias=True)
    se = np.sqrt((np.outer(variances, variances) + target ** 2) / n_k)   # standard error of a Gaussian sample covariance
    if np.all(np.abs(cov - target) <= STANDARD_ERRORS * se):
        return
    L = np.linalg.cholesky(target)
    if np.allclose(cov, target @ target, rtol=0.2, atol=0.3):
        raise Mistake(f"Component {k}'s sample covariance is about Σ², not Σ: you used the covariance as a scale. "
                      "Multiply standard normal draws by a square root L of Σ (Σ = L Lᵀ, e.g. np.linalg.cholesky).")
    if np.allclose(cov, L.T @ L, rtol=0.15, atol=0.15) and not np.allclose(L.T @ L, target, rtol=0.15, atol=0.15):
        raise Mistake(f"Component {k}'s sample covariance is about LᵀL, not Σ = LLᵀ: you multiplied by the transposed "
                      "Cholesky factor. x = μ + L ε for a column ε; for rows of standard normals E, X = μ + E @ L.T.")
    if np.allclose(cov, np.diag(variances), rtol=0.15, atol=0.15) and not np.allclose(target, np.diag(variances)):
        raise Mistake(f"Component {k}'s points have no correlation: use the full Σ_{k}, not only its diagonal.")
    raise Mistake(f"Component {k}'s sample covariance {np.array2string(cov, precision=2)} does not match "
                  f"Σ_{k} = {np.array2string(target, precision=2)}.")


@exercise("sample", answer="sample")
def _check_sample(f):
    """f(weights, means, covariances, n, rng) → (X, labels): ancestral sampling (chapter 02, eq. ancestral)."""
    gmm, n = SAMPLE_GMM, SAMPLE_SIZE
    rules = Rules(forbidden=((mixture.sample, "gb.sample"),))

    def args(rng):
        return gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy(), n, rng

    with case("randomness from rng"):
        samples = seeded_calls(f, args, SEEDS, read=lambda result: _read_sample(result, n, gmm.K, gmm.D),
                               same=_same_sample, rules=rules)
    X, labels = samples[0]
    all_counts = [np.bincount(z, minlength=gmm.K) for _, z in samples]
    with case("label frequencies"):
        _check_frequencies(all_counts[0], gmm.weights, n)
        _check_counts_random(all_counts, gmm.weights)
    with case("order of the rows"):
        _check_order(labels, gmm.weights)
    with case("each component's mean and covariance"):
        for k in range(gmm.K):
            _check_component(k, X, labels, gmm)
    return ("Right: randomness from rng only, label frequencies and counts as independent draws from Cat(π), rows in "
            "random order, and each component's points with mean μ_k and covariance Σ_k.")


# ---------------------------------------------------------------------------------------------- joint


@exercise("complete_log_likelihood", answer="complete_log_likelihood")
def _check_complete_log_likelihood(f):
    """f(X, labels, weights, means, covariances) → ln p(X, Z) = Σ_n [ln π_{z_n} + ln N(x_n | μ_{z_n}, Σ_{z_n})] (chapter 02)."""
    rules = Rules(forbidden=((mixture.log_joint, "gb.log_joint"),), float64=True,
                  float64_hint="Add logarithms: ln p(X, Z) is a sum of ln π_(z_n) + ln N(x_n | μ_(z_n), Σ_(z_n)).")
    empty = GMM(np.array([0.7, 0.3, 0.0]), SAMPLE_GMM.means, SAMPLE_GMM.covariances)
    # With 4000 points p(X, Z) ≈ e^(−17750) underflows to 0 even in np.longdouble.
    for what, gmm, n in [("N = 50 points", SAMPLE_GMM, 50), ("N = 4000 points", SAMPLE_GMM, 4000),
                         ("N = 200 points and a weight π_3 = 0", empty, 200)]:
        with case(what):
            X, labels = sample(gmm, n, np.random.default_rng(11))
            joint = log_joint(X, gmm)
            rows = np.arange(n)
            expected = float(np.sum(joint[rows, labels]))
            got = call(f, X.copy(), labels.copy(), gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy(), rules=rules)
            if np.ndim(got) != 0:
                raise Mistake(f"Return one number, ln p(X, Z), got {describe(got)}.")
            got = float(as_number(got, "ln p(X, Z)"))
            if np.isclose(got, expected, rtol=1e-9, atol=1e-9):
                continue
            if np.isnan(got) and gmm is empty:
                raise Mistake(f"With {what} you returned nan: z_n3 ln π_3 (or N_3 ln π_3) is 0 · ln 0 = 0 · (−∞), which is "
                              "nan in floating point. Select each point's own term, ln π_(z_n), instead of multiplying by "
                              "z_nk or N_k, or skip the components with N_k = 0 (section 2 of the chapter).")
            if got == -np.inf and gmm is empty:
                raise Mistake(f"With {what} you returned −inf: no point has label 3, so ln π_3 = −∞ should not enter "
                              "the sum. Keep only each point's own term.")
            if not np.isfinite(got):
                raise Mistake(f"With {what} you returned {got}: the product of {n} densities underflows to 0 "
                              "(probability space). Add logarithms instead of multiplying densities.")
            log_dens = joint - np.log(gmm.weights)
            diagnose(got, [
                (float(np.sum(log_dens[rows, labels])), "You left out ln π_{z_n}: p(x, z) = p(z) p(x | z), and p(z_k = 1) = π_k."),
                (float(np.sum(np.logaddexp.reduce(joint, axis=1))),
                 "You summed z out: that is ln p(X), the marginal. With Z known, keep only the term of each point's own label."),
                (float(np.sum(joint)), "You added the terms of every component; the one-hot z_nk keeps only the term of the "
                                       "point's own label."),
                (float(np.exp(expected)), "You returned p(X, Z); return its logarithm (the product underflows)."),
                (expected / n, "You returned the mean over the points; ln p(X, Z) is the total, a sum over n."),
            ], f"With {what} expected ln p(X, Z) ≈ {expected:.1f}, got {got:.1f}.", expected=expected)
    return "Right: with Z known, ln p(X, Z) picks one term ln π_k + ln N(x_n | μ_k, Σ_k) per point, summed in log space."


# ---------------------------------------------------------------------------------------------- counting


@exercise("n_labellings", answer="n_labellings")
def _check_n_labellings(f):
    """f(N, K) → the number of labellings Z of N points with K components (chapter 02).

    A derive exercise: the messages name the mistake, never the count.
    """
    for N, K in [(1, 3), (2, 2), (3, 2), (6, 3), (272, 2)]:
        what = f"N = {N}, K = {K}"
        with case(what):
            raw = call(f, N, K)
            if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
                raise Mistake(f"Return one number, got {describe(raw)}.")
            got = as_number(raw, "the count")
            expected = K ** N
            if same_count(got, expected):
                continue
            if isinstance(raw, np.integer) and expected > np.iinfo(raw.dtype).max:
                raise Mistake(f"For {what} you returned {int(raw)}: the count does not fit in a NumPy {raw.dtype} and "
                              "overflowed. Compute with Python integers or floats.")
            diagnose(got, [
                (N ** K, f"For {what} you returned N^K: you let each component pick a point, but it is each point that "
                         "picks a label."),
                (N * K, f"For {what} you returned N·K: that is the number of terms after factorising, not of labellings."),
                (N + K, f"For {what} you returned N + K: the choices of the points combine; they do not add up."),
            ], f"For {what} you returned {got!r}; each point has K possible labels, independently of the others.",
               expected=expected)
    return "Right: K^N labellings (2^272 ≈ 7.6e81 for Old Faithful), which the factorisation reduces to N·K terms."


# ---------------------------------------------------------------------------------------------- hard labels


HARD_MEAN_POINTS = ((2.0, 1.0), (1.0, 1.0), (3.0, 2.0), (0.5, 0.7), (6.0, 1.5))   # (d, σ) where answers are compared
HARD_MEAN_NAMES = ("m", "m1", "m_1", "hard_mean", "mean")


def _hard_mean(d: float, sigma: float) -> float:
    """E[x | x < d/2] for x from ½ N(0, σ²) + ½ N(d, σ²): d Φ(−d/2σ) − 2σ φ(d/2σ)."""
    a = d / (2 * sigma)
    return float(d * stats.norm.cdf(-a) - 2 * sigma * stats.norm.pdf(a))


def _hard_mean_mistakes():
    """(function of d and σ, message) for the classic mistakes."""
    Phi, phi = stats.norm.cdf, stats.norm.pdf

    def right(d, s):
        return _hard_mean(d, s)

    return [
        (lambda d, s: 0.0, "Your m₁ is μ₁ = 0, the mean of all the points of component 1. Hard labels give component 1 "
                           "the points with x < d/2, whichever component drew them: a truncated sample."),
        (lambda d, s: -s * phi(d / (2 * s)) / Phi(d / (2 * s)),
         "You averaged only the points of component 1 that fall below d/2; hard labels also give component 1 the "
         "points of component 2 that fall there."),
        (lambda d, s: right(d, s) / 2, "You computed E[x · 1{x < d/2}]; divide by P(x < d/2) to get the mean of the "
                                       "points labelled 1."),
        (lambda d, s: -2 * s * phi(d / (2 * s)), "You dropped the shift of component 2: its points are x = d + σu, and "
                                                 "the d contributes too."),
        (lambda d, s: d * Phi(-d / (2 * s)) - s * phi(d / (2 * s)),
         "One of the two boundary terms is missing: each component's truncated integral ∫ u φ(u) du contributes one."),
        (lambda d, s: -right(d, s), "The sign is wrong: every point labelled 1 lies below d/2, and most of them near 0."),
        (lambda d, s: d * Phi(d / (2 * s)) - 2 * s * phi(d / (2 * s)),
         "You took the wrong tail of Φ for component 2: its points below d/2 lie more than d/2 below its own mean d."),
        (lambda d, s: d - right(d, s), "That is the mean of the points labelled 2 (by symmetry, d − m₁); the exercise "
                                       "asks for component 1's."),
        (lambda d, s: _hard_mean(d, s ** 2), "You used the variance σ² where the standard deviation σ belongs."),
        (lambda d, s: d * Phi(-d / (2 * s ** 2)) - 2 * s * phi(d / (2 * s ** 2)),
         "You divided d by σ² where the standard deviation σ belongs."),
    ]


@exercise("hard_mean", answer="hard_mean")
def _check_hard_mean(answer):
    """m₁(d, σ) = E[x | x < d/2] for x from ½ N(0, σ²) + ½ N(d, σ²), as a SymPy expression in d and sigma:
    the limit of the mean of the points that hard labels give component 1 (chapter 02, section 7).

    A derive exercise: compared with the exact value at five (d, σ), to a relative 10⁻⁹; the
    messages name the mistake, never the formula or its values.
    """
    import sympy

    d, sigma = sympy.symbols("d sigma", positive=True)
    with case("m₁ as an expression in d and σ"):
        if callable(answer) and not isinstance(answer, sympy.Basic):
            raise Mistake("Give m₁ as a SymPy expression in d and sigma (the symbols of the exercise), not a function.")
        expr = as_expression(answer, unknown=HARD_MEAN_NAMES, symbols={"d": d, "sigma": sigma, "σ": sigma})
        others = sorted(str(s) for s in expr.free_symbols if s not in (d, sigma))
        if others:
            raise Mistake(f"m₁ should depend on d and σ only, but your expression contains {', '.join(others)}. "
                          "Use the symbols d and sigma of the exercise, and Phi and phi for Φ and φ.")
        got = []
        for dv, sv in HARD_MEAN_POINTS:
            try:
                value = complex(expr.subs({d: dv, sigma: sv}).evalf(30))
            except (TypeError, ValueError):
                raise Mistake("SymPy cannot evaluate your expression to a number for given d and σ: use sympy.erf, "
                              "sympy.exp and sympy.sqrt (or the Phi and phi of the exercise).") from None
            if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)) or not np.isfinite(value.real):
                raise Mistake(f"At d = {dv:g}, σ = {sv:g} your expression is not a finite real number.")
            got.append(value.real)
        got = np.array(got)
        expected = np.array([_hard_mean(dv, sv) for dv, sv in HARD_MEAN_POINTS])
        if close(got, expected, rtol=1e-9, atol=1e-12):
            return ("Right: m₁ = d Φ(−d/2σ) − 2σ φ(d/2σ), below μ₁ = 0 for every d: hard labels bias the means apart, "
                    "at any N.")
        for wrong, message in _hard_mean_mistakes():
            if close(got, [wrong(dv, sv) for dv, sv in HARD_MEAN_POINTS], rtol=1e-6, atol=1e-9):
                raise Mistake(message)
        if d not in expr.free_symbols:
            raise Mistake("Your m₁ does not depend on d: give it as an expression in d and sigma, not as a number for one "
                          "pair of components.")
        scaled = complex(expr.subs({d: 4.0, sigma: 2.0}).evalf(30)).real
        if not np.isclose(scaled, 2 * got[0], rtol=1e-6, atol=1e-9):
            raise Mistake("Your m₁ does not scale like a length: measuring x in other units (d and σ both doubled) "
                          "must double m₁. Look for σ² where σ belongs, or a d or σ missing from a term.")
        raise Mistake(f"Not yet: at d = 2, σ = 1 your m₁ is {got[0]:.3g}. Split E[x · 1{{x < d/2}}] over the two "
                      "components, substitute x = σu (component 1) and x = d + σu (component 2), and divide by "
                      "P(x < d/2).")


# ---------------------------------------------------------------------------------------------- counts


def _count_cases():
    """(what, counts, weights): small and large n, and a component of weight 0 without points."""
    return [("counts (2, 1, 0), π = (0.5, 0.3, 0.2)", np.array([2, 1, 0]), np.array([0.5, 0.3, 0.2])),
            ("counts (7, 3), π = (0.25, 0.75)", np.array([7, 3]), np.array([0.25, 0.75])),
            ("counts (3010, 1480, 510), π = (0.6, 0.3, 0.1)", np.array([3010, 1480, 510]), np.array([0.6, 0.3, 0.1])),
            ("counts (3, 0, 2), π = (0.4, 0, 0.6)", np.array([3, 0, 2]), np.array([0.4, 0.0, 0.6]))]


def _log_count_probability(counts, weights) -> float:
    """ln P(N_1, …, N_K) = ln N! − Σ_k ln N_k! + Σ_k N_k ln π_k, the terms with N_k = 0 left out."""
    n, used = counts.sum(), counts > 0
    return float(special.gammaln(n + 1) - special.gammaln(counts + 1).sum() + counts[used] @ np.log(weights[used]))


@exercise("log_count_probability", answer="log_count_probability")
def _check_log_count_probability(f):
    """f(counts, weights) → ln P(N_1, …, N_K) for N = Σ_k N_k draws from Cat(π): the multinomial
    log-probability ln N! − Σ_k ln N_k! + Σ_k N_k ln π_k (chapter 02, eq. prior-data and its counts).

    A derive exercise: compared to a relative 10⁻⁹; the messages name the mistake, never the value.
    """
    from scipy.stats._multivariate import multinomial_gen

    rules = Rules(forbidden=((multinomial_gen.logpmf, "scipy.stats.multinomial's logpmf"),
                             (multinomial_gen.pmf, "scipy.stats.multinomial's pmf")))
    for what, counts, weights in _count_cases():
        with case(what):
            expected = _log_count_probability(counts, weights)
            raw = call(f, counts.copy(), weights.copy(), rules=rules)
            if np.ndim(raw) != 0 and not hasattr(raw, "free_symbols"):
                raise Mistake(f"Return one number, ln P; for {what} you returned {describe(raw)}.")
            got = float(as_number(raw, "ln P"))
            if np.isclose(got, expected, rtol=1e-9, atol=1e-9):
                continue
            if np.isnan(got) and np.any(weights == 0):
                raise Mistake(f"For {what} you returned nan: N_2 ln π_2 is 0 · ln 0 = 0 · (−∞), which is nan in floating "
                              "point, although the probability is positive. Leave out the components with N_k = 0.")
            if not np.isfinite(got):
                raise Mistake(f"For {what} you returned {got}, but these counts have a positive probability: compute in "
                              "log space (ln N! as scipy.special.gammaln(N + 1) or math.lgamma(N + 1)), not with N! itself.")
            n, used = counts.sum(), counts > 0
            log_prior = float(counts[used] @ np.log(weights[used]))
            log_coefficient = float(special.gammaln(n + 1) - special.gammaln(counts + 1).sum())
            stirling = float(n * np.log(n) - n - sum(c * np.log(c) - c for c in counts[used]))
            diagnose(got, [
                (log_prior, f"For {what} you returned the log-probability of one labelling with these counts, equation "
                            "(prior-data); many labellings have the same counts, and each adds its probability."),
                (log_coefficient, f"For {what} you counted the labellings with these counts but left out the probability "
                                  "of each, Π_k π_k^(N_k)."),
                (-log_coefficient + log_prior, f"For {what} your number of labellings is upside down: it comes out below "
                                               "1, and a count of labellings is at least 1."),
                (float(special.gammaln(n) - special.gammaln(counts[used]).sum()) + log_prior,
                 f"For {what} you used ln Γ(m) for ln m!; but m! = Γ(m + 1)."),
                (stirling + log_prior, f"For {what} you used Stirling's approximation m ln m − m for ln m!, which is not "
                                       "exact: use scipy.special.gammaln(m + 1) or math.lgamma(m + 1)."),
                (float(np.exp(expected)), f"For {what} you returned the probability itself; return its logarithm."),
                (expected / np.log(10), f"For {what} you used log10; use the natural logarithm."),
            ], f"For {what} your ln P is not right. Count the labellings that give these counts, and multiply by the "
               "probability of one of them.", expected=expected)
    return ("Right: P(N_1, …, N_K) = N!/(N_1! ⋯ N_K!) Π_k π_k^(N_k), the multinomial distribution, computed in log "
            "space.")

"""The checkers of chapter 02's exercises (gmmbook/exercises/ch02_latent_variables.py).

The sampler is tried against every shortcut class the issue names: randomness not from the given
generator (global NumPy or Python state, an unseeded or a fixed-seed generator), rows grouped or
alternating (both directions of the runs test, and the serial test), counts that are not random
(rounded expectations, with or without a random remainder), and ``gb.sample`` itself.
The derive exercises (n_labellings, hard_mean, log_count_probability) never print their answer.
"""

from __future__ import annotations

import itertools
import math
import random
import re

import mpmath
import numpy as np
import pytest
import sympy
from scipy import special, stats

import gmmbook as gb
from exercise_helpers import as_lists, chapter_tests, gauss, log_gauss, quiet
from gmmbook.exercises import check


# ---------------------------------------------------------------------------------------------- samplers


def draw_points(means, covariances, labels, rng):
    """Points for the given labels: μ_k + L_k ε with standard normal ε from rng."""
    chol = np.linalg.cholesky(covariances)
    return means[labels] + np.einsum("nij,nj->ni", chol[labels], rng.standard_normal((len(labels), means.shape[1])))


def sampler(make_labels, points=draw_points):
    """A sampler from a rule for the labels (given K, n, weights, rng) and a rule for the points."""

    def f(weights, means, covariances, n, rng):
        labels = np.asarray(make_labels(len(weights), n, weights, rng))
        return points(means, covariances, labels, rng), labels

    return f


def ok_sample(weights, means, covariances, n, rng):
    labels = rng.choice(len(weights), size=n, p=weights)
    X = np.empty((n, means.shape[1]))
    for k in range(len(weights)):
        drawn = labels == k
        X[drawn] = rng.multivariate_normal(means[k], covariances[k], size=int(drawn.sum()))
    return X, labels


def loop_sample(weights, means, covariances, n, rng):
    """One point at a time, labels as a Python list."""
    labels, points = [], []
    for _ in range(n):
        k = int(rng.choice(len(weights), p=weights))
        labels.append(k)
        points.append(means[k] + np.linalg.cholesky(covariances[k]) @ rng.standard_normal(len(means[k])))
    return np.array(points), labels


def scipy_sample(weights, means, covariances, n, rng):
    labels = stats.rv_discrete(values=(np.arange(len(weights)), weights)).rvs(size=n, random_state=rng)
    X = np.zeros((n, means.shape[1]))
    for k in range(len(weights)):
        X[labels == k] = stats.multivariate_normal(means[k], covariances[k]).rvs(size=np.sum(labels == k), random_state=rng)
    return X, labels


def float_labels(weights, means, covariances, n, rng):
    X, labels = ok_sample(weights, means, covariances, n, rng)
    return X, labels.astype(float)


def multinomial_then_shuffle(K, n, weights, rng):
    """Random counts (a multinomial), then a random order: a correct sampler."""
    return rng.permutation(np.repeat(np.arange(K), rng.multinomial(n, weights)))


def inverse_cdf(K, n, weights, rng):
    return np.searchsorted(np.cumsum(weights), rng.random(n), side="right")


def spawned_sample(weights, means, covariances, n, rng):
    """Randomness from a generator seeded by rng: still all from rng."""
    child = np.random.default_rng(rng.integers(2**63))
    return ok_sample(weights, means, covariances, n, child)


def iid(K, n, weights, rng):
    return rng.choice(K, size=n, p=weights)


def rounded_counts(K, n, weights, rng):
    return rng.permutation(np.repeat(np.arange(K), np.round(n * np.asarray(weights)).astype(int)))


def rounded_counts_random_remainder(K, n, weights, rng):
    counts = np.floor(n * np.asarray(weights)).astype(int)
    counts[rng.choice(K, size=n - counts.sum(), replace=False, p=weights)] += 1
    return rng.permutation(np.repeat(np.arange(K), counts))


def sticky(K, n, weights, rng):
    """A Markov chain whose stationary law is π: keep the previous label with probability ½."""
    labels = rng.choice(K, size=n, p=weights)
    keep = rng.random(n) < 0.5
    for i in range(1, n):
        if keep[i]:
            labels[i] = labels[i - 1]
    return labels


def alternating(K, n, weights, rng):
    """Exact proportions, never the same label twice in a row where it can be helped."""
    counts = rng.multinomial(n, weights)
    pools = [list(np.full(c, k)) for k, c in enumerate(counts)]
    labels, previous = [], -1
    for _ in range(n):
        options = [k for k in range(K) if pools[k] and k != previous] or [k for k in range(K) if pools[k]]
        k = max(options, key=lambda j: len(pools[j]))
        labels.append(pools[k].pop())
        previous = k
    return labels


def sorted_within_blocks(K, n, weights, rng):
    labels = rng.choice(K, size=n, p=weights)
    return np.concatenate([np.sort(block) for block in np.array_split(labels, n // 100)])


def global_numpy(weights, means, covariances, n, rng):
    labels = np.random.choice(len(weights), size=n, p=weights)
    return draw_points(means, covariances, labels, np.random), labels


def seeded_global_numpy(weights, means, covariances, n, rng):
    np.random.seed(0)
    return global_numpy(weights, means, covariances, n, rng)


def python_random(weights, means, covariances, n, rng):
    labels = np.array(random.choices(range(len(weights)), weights=weights, k=n))
    return draw_points(means, covariances, labels, rng), labels


def unseeded_generator(weights, means, covariances, n, rng):
    return ok_sample(weights, means, covariances, n, np.random.default_rng())


def fixed_seed(weights, means, covariances, n, rng):
    rng.random()   # touches rng, but takes its randomness elsewhere
    return ok_sample(weights, means, covariances, n, np.random.default_rng(0))


def transform(kind):
    def points(means, covariances, labels, rng):
        chol = np.linalg.cholesky(covariances)
        D = means.shape[1]
        factor = {"covariance-as-scale": covariances, "chol-transposed": chol.transpose(0, 2, 1),
                  "diagonal": np.sqrt(covariances * np.eye(D))}[kind]
        return means[labels] + np.einsum("nij,nj->ni", factor[labels], rng.standard_normal((len(labels), D)))

    return points


def relabelled(weights, means, covariances, n, rng):
    X, _ = ok_sample(weights, means, covariances, n, rng)
    return X, rng.choice(len(weights), size=n, p=weights)


# ---------------------------------------------------------------------------------------------- the others


def ok_complete_log_likelihood(X, labels, weights, means, covariances):
    rows = np.arange(len(X))
    return float(np.sum(np.log(weights[labels]) + log_gauss(X, means, covariances)[rows, labels]))


def loop_complete_log_likelihood(X, labels, weights, means, covariances):
    total = 0.0
    for x, k in zip(X, labels):
        d = x - means[k]
        _, log_det = np.linalg.slogdet(2 * np.pi * covariances[k])
        total += math.log(weights[k]) - 0.5 * (log_det + d @ np.linalg.solve(covariances[k], d))
    return total


def product_complete_log_likelihood(dtype):
    """ln of the product of π_{z_n} N(x_n | …) computed in ``dtype``: underflows for 6000 points."""

    def f(X, labels, weights, means, covariances):
        rows = np.arange(len(X))
        terms = (weights[labels] * gauss(X, means, covariances)[rows, labels]).astype(dtype)
        return float(np.log(np.prod(terms)))

    return quiet(f)


def mpmath_complete_log_likelihood(X, labels, weights, means, covariances):
    rows = np.arange(len(X))
    logs = np.log(weights[labels]) + log_gauss(X, means, covariances)[rows, labels]
    return float(mpmath.log(mpmath.fprod(mpmath.exp(v) for v in logs)))


def brute_force_labellings(N, K):
    return sum(1 for _ in itertools.product(range(K), repeat=N))


def one_hot_complete_log_likelihood(X, labels, weights, means, covariances):
    """Equation (log-joint-data) literally, z_nk times the bracket: nan when a weight is 0."""
    Z = np.eye(len(weights))[labels]
    return float(np.sum(Z * (np.log(weights) + log_gauss(X, means, covariances))))


def counts_complete_log_likelihood(X, labels, weights, means, covariances):
    """Equation (prior-data), N_k ln π_k, for every k: nan when a weight is 0."""
    nk = np.bincount(labels, minlength=len(weights))
    return float(nk @ np.log(weights) + np.sum(log_gauss(X, means, covariances)[np.arange(len(X)), labels]))


def skipping_complete_log_likelihood(X, labels, weights, means, covariances):
    """Equation (prior-data) over the components that have points."""
    nk = np.bincount(labels, minlength=len(weights))
    used = nk > 0
    return float(nk[used] @ np.log(weights[used]) + np.sum(log_gauss(X, means, covariances)[np.arange(len(X)), labels]))


# ---------------------------------------------------------------------------------------------- hard_mean

D_, SIGMA_ = sympy.symbols("d sigma", positive=True)
M1_ = sympy.Symbol("m_1")


def Phi_(t):
    return (1 + sympy.erf(t / sympy.sqrt(2))) / 2


def phi_(t):
    return sympy.exp(-t**2 / 2) / sympy.sqrt(2 * sympy.pi)


A_ = D_ / (2 * SIGMA_)
OK_HARD_MEAN = D_ * Phi_(-A_) - 2 * SIGMA_ * phi_(A_)


def hard_mean_sympy_stats():
    from sympy.stats import Normal, cdf, density

    u = Normal("u", 0, 1)
    return D_ * cdf(u)(-A_) - 2 * SIGMA_ * density(u)(A_)


def hard_mean_other_symbols():
    """Symbols without assumptions, σ spelt in Greek."""
    d, s = sympy.Symbol("d"), sympy.Symbol("σ")
    return d * sympy.erfc(d / (2 * sympy.sqrt(2) * s)) / 2 - s * sympy.sqrt(2 / sympy.pi) * sympy.exp(-d**2 / (8 * s**2))


# ---------------------------------------------------------------------------------------------- log_count_probability


def ok_log_count_probability(counts, weights):
    used = counts > 0
    return special.gammaln(counts.sum() + 1) - special.gammaln(counts + 1).sum() + counts[used] @ np.log(weights[used])


def python_log_count_probability(counts, weights):
    """With Python's integers: the exact multinomial coefficient, then math.log of it (no float overflow)."""
    coefficient = math.factorial(int(sum(counts)))
    for c in counts:
        coefficient //= math.factorial(int(c))
    return math.log(coefficient) + sum(int(c) * math.log(w) for c, w in zip(counts, weights) if c > 0)


def binomials_log_count_probability(counts, weights):
    """One binomial choice after another, with math.lgamma and xlogy (0 · ln 0 = 0)."""
    total, remaining = 0.0, int(sum(counts))
    for c in counts:
        total += math.lgamma(remaining + 1) - math.lgamma(c + 1) - math.lgamma(remaining - c + 1)
        remaining -= int(c)
    return total + float(np.sum(special.xlogy(counts, weights)))


def sympy_log_count_probability(counts, weights):
    n = int(sum(counts))
    log_p = sympy.log(sympy.factorial(n)) - sum(sympy.log(sympy.factorial(int(c))) for c in counts)
    return log_p + sum(int(c) * sympy.log(sympy.Float(w, 30)) for c, w in zip(counts, weights) if c > 0)


def factorial_float_log_count_probability(counts, weights):
    """n! as a float: overflows for n = 5000."""
    n = int(sum(counts))
    return math.log(float(math.factorial(n)) / math.prod(float(math.factorial(int(c))) for c in counts)
                    * math.prod(w ** int(c) for c, w in zip(counts, weights)))

CORRECT = [
    pytest.param("sample", ok_sample, id="sample-choice-then-multivariate-normal"),
    pytest.param("sample", loop_sample, id="sample-one-point-at-a-time-labels-list"),
    pytest.param("sample", scipy_sample, id="sample-scipy-random-state"),
    pytest.param("sample", sampler(multinomial_then_shuffle), id="sample-multinomial-counts-then-shuffle"),
    pytest.param("sample", sampler(inverse_cdf), id="sample-inverse-cdf"),
    pytest.param("sample", spawned_sample, id="sample-child-generator-seeded-from-rng"),
    pytest.param("sample", as_lists(ok_sample), id="sample-lists"),
    pytest.param("sample", float_labels, id="sample-float-labels"),
    pytest.param("complete_log_likelihood", ok_complete_log_likelihood, id="complete_log_likelihood-vectorised"),
    pytest.param("complete_log_likelihood", loop_complete_log_likelihood, id="complete_log_likelihood-loop"),
    pytest.param("complete_log_likelihood", lambda *a: np.float32(ok_complete_log_likelihood(*a)) * 0
                 + np.float64(ok_complete_log_likelihood(*a)), id="complete_log_likelihood-numpy-float"),
    pytest.param("complete_log_likelihood", lambda *a: sympy.Float(ok_complete_log_likelihood(*a), 20),
                 id="complete_log_likelihood-sympy-float"),
    pytest.param("complete_log_likelihood", lambda *a: np.array(ok_complete_log_likelihood(*a)),
                 id="complete_log_likelihood-0-d-array"),
    pytest.param("n_labellings", lambda N, K: K ** N, id="n_labellings-power"),
    pytest.param("n_labellings", lambda N, K: float(K) ** N, id="n_labellings-float"),
    pytest.param("n_labellings", lambda N, K: sympy.Integer(K) ** N, id="n_labellings-sympy"),
    pytest.param("n_labellings", lambda N, K: math.prod([K] * N), id="n_labellings-product"),
    pytest.param("n_labellings", lambda N, K: brute_force_labellings(N, K) if N <= 8 else K ** N,
                 id="n_labellings-enumerate-small-cases"),
    pytest.param("n_labellings", lambda N, K: np.float64(K) ** N, id="n_labellings-numpy-float"),
    pytest.param("complete_log_likelihood", skipping_complete_log_likelihood,
                 id="complete_log_likelihood-counts-skipping-empty-components"),
    pytest.param("complete_log_likelihood",
                 lambda X, z, w, m, c: float(np.nansum(np.eye(len(w))[z] * (np.log(w) + log_gauss(X, m, c)))),
                 id="complete_log_likelihood-one-hot-nansum"),
    pytest.param("hard_mean", OK_HARD_MEAN, id="hard_mean-Phi-phi"),
    pytest.param("hard_mean", sympy.Eq(M1_, OK_HARD_MEAN), id="hard_mean-equation"),
    pytest.param("hard_mean", sympy.Eq(OK_HARD_MEAN, M1_), id="hard_mean-equation-reversed"),
    pytest.param("hard_mean", {M1_: OK_HARD_MEAN}, id="hard_mean-solve-dict"),
    pytest.param("hard_mean", [sympy.simplify(OK_HARD_MEAN)], id="hard_mean-simplified-in-a-list"),
    pytest.param("hard_mean", hard_mean_sympy_stats(), id="hard_mean-sympy-stats"),
    pytest.param("hard_mean", hard_mean_other_symbols(), id="hard_mean-erfc-greek-sigma-no-assumptions"),
    pytest.param("hard_mean", "d*erfc(d/(2*sqrt(2)*sigma))/2 - sigma*sqrt(2/pi)*exp(-d**2/(8*sigma**2))",
                 id="hard_mean-string"),
    pytest.param("log_count_probability", ok_log_count_probability, id="log_count_probability-gammaln"),
    pytest.param("log_count_probability", python_log_count_probability, id="log_count_probability-python-integers"),
    pytest.param("log_count_probability", binomials_log_count_probability, id="log_count_probability-binomials-xlogy"),
    pytest.param("log_count_probability", sympy_log_count_probability, id="log_count_probability-sympy"),
    pytest.param("log_count_probability", lambda c, w: np.array(ok_log_count_probability(c, w)),
                 id="log_count_probability-0-d-array"),
]


WRONG = [
    # randomness not from rng
    pytest.param("sample", global_numpy, r"NumPy's global generator", id="sample-global-numpy"),
    pytest.param("sample", seeded_global_numpy, r"NumPy's global generator", id="sample-np-random-seed-inside"),
    pytest.param("sample", python_random, r"Python's random module", id="sample-python-random"),
    pytest.param("sample", unseeded_generator, r"seeded alike gave different results", id="sample-unseeded-generator"),
    pytest.param("sample", fixed_seed, r"ignores rng", id="sample-fixed-seed-inside"),
    pytest.param("sample", lambda w, m, c, n, rng: gb.sample(gb.GMM(w, m, c), n, rng), r"calls gb.sample",
                 id="sample-library"),
    # order and grouping
    pytest.param("sample", sampler(lambda K, n, w, rng: np.sort(iid(K, n, w, rng))), r"grouped \(or sorted\)",
                 id="sample-sorted-by-component"),
    pytest.param("sample", sampler(lambda K, n, w, rng: np.sort(iid(K, n, w, rng))[::-1]), r"grouped \(or sorted\)",
                 id="sample-sorted-descending"),
    pytest.param("sample", sampler(lambda K, n, w, rng: np.concatenate(
        [np.full(c, k) for k, c in sorted(enumerate(rng.multinomial(n, w)), key=lambda _: rng.random())])),
        r"grouped", id="sample-grouped-in-random-component-order"),
    pytest.param("sample", sampler(sorted_within_blocks), r"grouped", id="sample-sorted-within-blocks-of-100"),
    pytest.param("sample", sampler(alternating), r"alternate", id="sample-alternating-labels"),
    pytest.param("sample", sampler(sticky), r"grouped|depends on the label", id="sample-markov-chain-labels"),
    # counts
    pytest.param("sample", sampler(rounded_counts), r"rounded expectations", id="sample-rounded-counts-shuffled"),
    pytest.param("sample", sampler(rounded_counts_random_remainder), r"rounded expectations",
                 id="sample-rounded-counts-random-remainder"),
    pytest.param("sample", sampler(lambda K, n, w, rng: rng.integers(K, size=n)), r"uniform", id="sample-weights-ignored"),
    # points
    pytest.param("sample", sampler(iid, transform("covariance-as-scale")), r"covariance as a scale",
                 id="sample-covariance-as-scale"),
    pytest.param("sample", sampler(iid, transform("chol-transposed")), r"transposed", id="sample-cholesky-factor-transposed"),
    pytest.param("sample", sampler(iid, transform("diagonal")), r"no correlation", id="sample-diagonal-only"),
    pytest.param("sample", relabelled, r"do the labels match", id="sample-labels-do-not-match"),
    # complete_log_likelihood
    pytest.param("complete_log_likelihood",
                 lambda X, z, w, m, c: float(np.sum(log_gauss(X, m, c)[np.arange(len(X)), z])), r"left out ln π",
                 id="complete_log_likelihood-no-log-weights"),
    pytest.param("complete_log_likelihood",
                 lambda X, z, w, m, c: float(np.sum(special.logsumexp(np.log(w) + log_gauss(X, m, c), axis=1))),
                 r"summed z out", id="complete_log_likelihood-marginal"),
    pytest.param("complete_log_likelihood", lambda X, z, w, m, c: float(np.sum(np.log(w) + log_gauss(X, m, c))),
                 r"every component", id="complete_log_likelihood-all-components"),
    pytest.param("complete_log_likelihood", lambda *a: np.exp(ok_complete_log_likelihood(*a)), r"logarithm",
                 id="complete_log_likelihood-probability-not-log"),
    pytest.param("complete_log_likelihood", product_complete_log_likelihood(np.float64), r"underflows.*probability space",
                 id="complete_log_likelihood-product-float64"),
    pytest.param("complete_log_likelihood", product_complete_log_likelihood(np.longdouble), r"underflows",
                 id="complete_log_likelihood-product-longdouble"),
    pytest.param("complete_log_likelihood", mpmath_complete_log_likelihood, r"computes with mpmath",
                 id="complete_log_likelihood-product-mpmath"),
    pytest.param("complete_log_likelihood", lambda X, *a: ok_complete_log_likelihood(X, *a) / len(X), r"mean",
                 id="complete_log_likelihood-mean-not-total"),
    pytest.param("complete_log_likelihood",
                 lambda X, z, w, m, c: float(np.sum(gb.log_joint(X, gb.GMM(w, m, c))[np.arange(len(X)), z])),
                 r"calls gb.log_joint", id="complete_log_likelihood-library"),
    pytest.param("complete_log_likelihood", lambda *a: [ok_complete_log_likelihood(*a)], r"one number",
                 id="complete_log_likelihood-list"),
    # n_labellings
    pytest.param("n_labellings", lambda N, K: N ** K, r"N\^K", id="n_labellings-N-to-the-K"),
    pytest.param("n_labellings", lambda N, K: N * K, r"after factorising", id="n_labellings-N-times-K"),
    pytest.param("n_labellings", lambda N, K: N + K, r"combine", id="n_labellings-N-plus-K"),
    pytest.param("n_labellings", lambda N, K: np.power(np.int64(K), N), r"int64.*overflow", id="n_labellings-int64-overflow"),
    pytest.param("n_labellings", lambda N, K: math.comb(N + K - 1, K - 1), r"independently",
                 id="n_labellings-counts-not-labellings"),
    pytest.param("complete_log_likelihood", one_hot_complete_log_likelihood, r"0 · ln 0",
                 id="complete_log_likelihood-one-hot-times-log-zero-weight"),
    pytest.param("complete_log_likelihood", counts_complete_log_likelihood, r"0 · ln 0",
                 id="complete_log_likelihood-counts-times-log-zero-weight"),
    pytest.param("complete_log_likelihood",
                 lambda X, z, w, m, c: -np.inf if np.any(w == 0) else ok_complete_log_likelihood(X, z, w, m, c),
                 r"−inf.*no point has label 3", id="complete_log_likelihood-minus-infinity-with-zero-weight"),
    # hard_mean
    pytest.param("hard_mean", sympy.Integer(0) * D_, r"μ₁ = 0", id="hard_mean-no-bias"),
    pytest.param("hard_mean", -SIGMA_ * phi_(A_) / Phi_(A_), r"only the points of component 1",
                 id="hard_mean-truncated-component-1-only"),
    pytest.param("hard_mean", OK_HARD_MEAN / 2, r"divide by P", id="hard_mean-not-divided-by-probability"),
    pytest.param("hard_mean", -2 * SIGMA_ * phi_(A_) + 0 * D_, r"shift of component 2", id="hard_mean-shift-dropped"),
    pytest.param("hard_mean", D_ * Phi_(-A_) - SIGMA_ * phi_(A_), r"boundary terms", id="hard_mean-one-phi-term"),
    pytest.param("hard_mean", -OK_HARD_MEAN, r"sign", id="hard_mean-sign"),
    pytest.param("hard_mean", D_ * Phi_(A_) - 2 * SIGMA_ * phi_(A_), r"wrong tail", id="hard_mean-wrong-tail"),
    pytest.param("hard_mean", D_ - OK_HARD_MEAN, r"labelled 2", id="hard_mean-component-2"),
    pytest.param("hard_mean", OK_HARD_MEAN.subs(SIGMA_, SIGMA_**2), r"variance σ²", id="hard_mean-variance-for-sigma"),
    pytest.param("hard_mean", D_ * Phi_(-D_ / (2 * SIGMA_**2)) - 2 * SIGMA_ * phi_(D_ / (2 * SIGMA_**2)), r"divided d by σ²",
                 id="hard_mean-d-over-variance"),
    pytest.param("hard_mean", D_ * Phi_(-A_) - 2 * phi_(A_), r"scale like a length", id="hard_mean-sigma-missing-in-a-term"),
    pytest.param("hard_mean", D_ * Phi_(-A_) - 3 * SIGMA_ * phi_(A_), r"Not yet", id="hard_mean-other"),
    pytest.param("hard_mean", sympy.Float(-0.1666), r"does not depend on d", id="hard_mean-a-number"),
    pytest.param("hard_mean", OK_HARD_MEAN + sympy.Symbol("N"), r"d and σ only", id="hard_mean-extra-symbol"),
    pytest.param("hard_mean", lambda d, sigma: 0.0, r"not a function", id="hard_mean-python-function"),
    pytest.param("hard_mean", "d * Phi(", r"cannot read", id="hard_mean-unreadable-string"),
    pytest.param("hard_mean", sympy.Eq(D_, 2), r"equation should contain", id="hard_mean-equation-without-unknown"),
    pytest.param("hard_mean", sympy.sqrt(-D_), r"not a finite real number", id="hard_mean-complex"),
    # log_count_probability
    pytest.param("log_count_probability", lambda c, w: float(c[c > 0] @ np.log(w[c > 0])), r"one labelling",
                 id="log_count_probability-no-coefficient"),
    pytest.param("log_count_probability", lambda c, w: special.gammaln(c.sum() + 1) - special.gammaln(c + 1).sum(),
                 r"left out the probability", id="log_count_probability-no-prior"),
    pytest.param("log_count_probability",
                 lambda c, w: -special.gammaln(c.sum() + 1) + special.gammaln(c + 1).sum() + c[c > 0] @ np.log(w[c > 0]),
                 r"upside down", id="log_count_probability-coefficient-inverted"),
    pytest.param("log_count_probability",
                 lambda c, w: special.gammaln(c.sum()) - special.gammaln(c[c > 0]).sum() + c[c > 0] @ np.log(w[c > 0]),
                 r"Γ\(m \+ 1\)", id="log_count_probability-gamma-off-by-one"),
    pytest.param("log_count_probability",
                 lambda c, w: (c.sum() * np.log(c.sum()) - c.sum() - sum(k * np.log(k) - k for k in c[c > 0])
                               + c[c > 0] @ np.log(w[c > 0])), r"Stirling", id="log_count_probability-stirling"),
    pytest.param("log_count_probability", lambda c, w: np.exp(ok_log_count_probability(c, w)), r"probability itself",
                 id="log_count_probability-probability-not-log"),
    pytest.param("log_count_probability", lambda c, w: ok_log_count_probability(c, w) / np.log(10), r"log10",
                 id="log_count_probability-log10"),
    pytest.param("log_count_probability",
                 quiet(lambda c, w: special.gammaln(c.sum() + 1) - special.gammaln(c + 1).sum() + c @ np.log(w)),
                 r"0 · ln 0", id="log_count_probability-zero-times-log-zero"),
    pytest.param("log_count_probability", factorial_float_log_count_probability, r"OverflowError",
                 id="log_count_probability-factorial-overflows"),
    pytest.param("log_count_probability",
                 quiet(lambda c, w: np.log(stats.multinomial(int(c.sum()), w).pmf(c))), r"calls scipy.stats.multinomial",
                 id="log_count_probability-scipy"),
    pytest.param("log_count_probability", lambda c, w: [ok_log_count_probability(c, w)], r"one number",
                 id="log_count_probability-list"),
    pytest.param("log_count_probability", lambda c, w: -np.inf, r"log space", id="log_count_probability-minus-infinity"),
    pytest.param("log_count_probability", lambda c, w: 2 * ok_log_count_probability(c, w), r"not right",
                 id="log_count_probability-other"),
]


def test_a_brute_force_count_times_out_and_names_the_cases_already_passed():
    verdict = check("n_labellings", brute_force_labellings, time_limit=2)
    assert not verdict.passed and verdict.attempted
    assert "took longer than 2 s on N = 272, K = 2" in verdict.message, str(verdict)
    assert verdict.cases == ("N = 1, K = 3", "N = 2, K = 2", "N = 3, K = 2", "N = 6, K = 3")
    assert "Passed before that: N = 1, K = 3; N = 2, K = 2; N = 3, K = 2; N = 6, K = 3." in str(verdict)


def test_a_brute_force_that_fills_memory_is_stopped():
    """len(list(product(...))) grows without a Python loop: the memory limit or the time limit stops it."""
    verdict = check("n_labellings", lambda N, K: len(list(itertools.product(range(K), repeat=N))), time_limit=5)
    assert not verdict.passed and verdict.attempted
    assert re.search(r"MemoryError|took longer than 5 s on N = 272, K = 2", verdict.message), str(verdict)
    assert len(verdict.cases) == 4


def test_an_answer_may_not_take_more_than_2_gib():
    verdict = check("n_labellings", lambda N, K: int(np.ones(3 * 2**30 // 8).sum() * 0) + K ** N)
    assert not verdict.passed and "raised MemoryError" in verdict.message, str(verdict)


def test_the_sampler_messages_state_the_test_and_its_numbers():
    """The runs test says what it counted and what independent draws give."""
    message = check("sample", sampler(lambda K, n, w, rng: np.sort(iid(K, n, w, rng)))).message
    assert re.search(r"\d+ of 4999 consecutive rows share a label, against about \d+ ± \d+", message), message


@pytest.mark.parametrize("exercise_id, answer", [pytest.param(p.values[0], p.values[1], id=p.id) for p in WRONG
                                                 if p.values[0] in ("hard_mean", "log_count_probability")])
def test_a_wrong_bias_or_count_probability_never_prints_the_answer(exercise_id, answer):
    """hard_mean and log_count_probability are derive exercises: no message shows an expected value (to 3 digits)."""
    from gmmbook.exercises.ch02_latent_variables import HARD_MEAN_POINTS, _count_cases, _hard_mean

    if exercise_id == "hard_mean":
        values = [_hard_mean(d, s) for d, s in HARD_MEAN_POINTS]
    else:
        values = [ok_log_count_probability(c, w) for _, c, w in _count_cases()]
    message = check(exercise_id, answer).message
    assert "Φ(−d/2σ)" not in message and "N!/(N_1! ⋯ N_K!)" not in message, message
    shown = [float(x) for x in re.findall(r"[−-]?\d+\.\d+(?:e[−-]?\d+)?", message.replace("−", "-"))]
    for value in values:
        assert not any(np.isclose(x, value, rtol=5e-3, atol=0) for x in shown), message


def test_the_hard_mean_check_evaluates_where_the_classic_mistakes_differ():
    """At the check's points no two named mistakes, and no mistake and the answer, coincide."""
    from gmmbook.exercises.ch02_latent_variables import HARD_MEAN_POINTS, _hard_mean, _hard_mean_mistakes

    rows = [[_hard_mean(d, s) for d, s in HARD_MEAN_POINTS]]
    rows += [[wrong(d, s) for d, s in HARD_MEAN_POINTS] for wrong, _ in _hard_mean_mistakes()]
    rows = np.array(rows)
    for i, j in itertools.combinations(range(len(rows)), 2):
        assert not np.allclose(rows[i], rows[j], rtol=1e-6, atol=1e-9), (i, j)


(test_a_correct_answer_passes, test_a_classic_mistake_is_named,
 test_each_exercise_has_three_correct_styles_and_three_classic_mistakes,
 test_verdicts_are_deterministic) = chapter_tests('02_latent_variables', CORRECT, WRONG)

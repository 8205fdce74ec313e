"""The exercise checkers (``gmmbook.exercises``) and the student-version generator (``tools/exercises.py``).

Checkers
    * every exercise has a reference solution here, written independently of gmmbook (SciPy's
      densities, ``scipy.special.logsumexp``, NumPy's weighted ``np.cov``, SymPy's ``solve``),
      and it passes;
    * correct answers computed another way (lists, float32, probability space on benign inputs,
      ``sympy.solve``'s list) pass too;
    * at least three classic mistakes per exercise fail with a message that names the mistake;
    * a checker never raises on a wrong answer (exceptions, wrong types and shapes, NaN, not
      callable), ``None`` and ``NotImplementedError`` are "not attempted yet", verdicts are
      deterministic and their HTML is escaped.

The wrong answers that overflow on purpose run under ``np.errstate(all="ignore")``: in a notebook
NumPy only warns and the function returns inf/NaN, which is what the checker must diagnose (the
project's pytest configuration turns RuntimeWarnings into errors).

Generator
    unit tests on small solution files in a temporary ``exercises/solutions/`` folder, and the
    repository test: every committed student version is exactly what the generator writes.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys

import jupytext

import numpy as np
import pytest
import sympy
from scipy import special, stats

from gmmbook.exercises import Verdict, check, exercise_ids
from tools import exercises as gen

IDS = exercise_ids()
VALUE_IDS = {"textbook_responsibilities", "lagrange_multiplier"}  # the answer is a value, not a function
FUNCTION_IDS = [i for i in IDS if i not in VALUE_IDS]
N_SYMBOL = sympy.Symbol("N", positive=True)


def quiet(f):
    """Run f with NumPy's floating-point warnings off, as a wrong answer overflows in a notebook."""

    def wrapped(*args):
        with np.errstate(all="ignore"):
            return f(*args)

    return wrapped


# ============================================================================ reference solutions
# Written as a student would, from the chapters' equations, with SciPy and NumPy only.


def log_gauss(X, means, covariances):
    """(N, K): ln N(x_n | μ_k, Σ_k) by scipy.stats.multivariate_normal."""
    X = np.asarray(X, dtype=float)
    return np.stack([np.reshape(stats.multivariate_normal(m, c).logpdf(X), len(X))
                     for m, c in zip(means, covariances)], axis=1)


def gauss(X, means, covariances):
    return np.exp(log_gauss(X, means, covariances))


def ok_count_parameters(K, D):
    return K * D + (K - 1) + K * D * (D + 1) // 2


def ok_mixture_density(X, weights, means, covariances):
    return gauss(X, means, covariances) @ weights


def ok_log_sum_exp(a):
    return special.logsumexp(a, axis=-1)


def ok_sample(weights, means, covariances, n, rng):
    labels = rng.choice(len(weights), size=n, p=weights)
    X = np.empty((n, means.shape[1]))
    for k in range(len(weights)):
        drawn = labels == k
        X[drawn] = rng.multivariate_normal(means[k], covariances[k], size=int(drawn.sum()))
    return X, labels


def ok_complete_log_likelihood(X, labels, weights, means, covariances):
    rows = np.arange(len(X))
    return float(np.sum(np.log(weights[labels]) + log_gauss(X, means, covariances)[rows, labels]))


def ok_responsibilities(X, weights, means, covariances):
    log_joint = np.log(weights) + log_gauss(X, means, covariances)
    return np.exp(log_joint - special.logsumexp(log_joint, axis=1, keepdims=True))


# The textbook example (chapter 04), from its published description, not from gmmbook.datasets.
TB_X = np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0])
TB_MEANS, TB_VARIANCES, TB_WEIGHTS = np.array([-4.0, 0.0, 8.0]), np.array([1.0, 0.2, 3.0]), np.full(3, 1 / 3)


def textbook_joint(scale):
    return TB_WEIGHTS * stats.norm(TB_MEANS, scale).pdf(TB_X[:, None])


TB_JOINT = textbook_joint(np.sqrt(TB_VARIANCES))
TB_RESP = TB_JOINT / TB_JOINT.sum(axis=1, keepdims=True)


def weighted_covariances(X, resp):
    """Σ_k by NumPy's weighted covariance (aweights = r_nk, bias=True: divide by N_k)."""
    return np.stack([np.atleast_2d(np.cov(X.T, aweights=resp[:, k], bias=True)) for k in range(resp.shape[1])])


def ok_m_step(X, resp):
    nk = resp.sum(axis=0)
    return nk / len(X), resp.T @ X / nk[:, None], weighted_covariances(X, resp)


def ok_spherical_variances(X, resp):
    return np.trace(weighted_covariances(X, resp), axis1=1, axis2=2) / X.shape[1]


def derived_lagrange_multiplier():
    """λ from the Lagrangian Σ_k N_k ln π_k + λ(Σ_k π_k − 1) for K = 2, solved by SymPy."""
    p1, p2, lam = sympy.symbols("pi_1 pi_2 lambda")
    n1, n2 = sympy.symbols("N_1 N_2", positive=True)
    lagrangian = n1 * sympy.log(p1) + n2 * sympy.log(p2) + lam * (p1 + p2 - 1)
    (solution,) = sympy.solve([sympy.diff(lagrangian, v) for v in (p1, p2, lam)], [p1, p2, lam], dict=True)
    return solution[lam].subs(n2, N_SYMBOL - n1)


def em_loop(X, weights, means, covariances, n_iter, *, e_step=None, m_step=ok_m_step, stale=False):
    """EM by hand: the total log-likelihood at the start and after each E-step + M-step."""

    def default_e_step(weights, means, covariances):
        log_joint = np.log(weights) + log_gauss(X, means, covariances)
        log_px = special.logsumexp(log_joint, axis=1)
        return np.exp(log_joint - log_px[:, None]), float(np.sum(log_px))

    e_step = e_step or default_e_step
    resp, loglik = e_step(weights, means, covariances)
    first_resp, out = resp, [loglik]
    for _ in range(n_iter):
        weights, means, covariances = m_step(X, first_resp if stale else resp)
        resp, loglik = e_step(weights, means, covariances)
        out.append(loglik)
    return np.array(out)


def ok_em(X, weights, means, covariances, n_iter):
    return em_loop(X, weights, means, covariances, n_iter)


def ok_mixture_moments(weights, means, covariances):
    """By simulation-free expectation: E[x] and E[x xᵀ] − E[x]E[x]ᵀ, component by component."""
    mean = sum(w * m for w, m in zip(weights, means))
    second = sum(w * (c + np.outer(m, m)) for w, m, c in zip(weights, means, covariances))
    return mean, second - np.outer(mean, mean)


def ok_n_labellings(N, K):
    return len(list(itertools.product(range(K), repeat=N))) if N <= 8 else K ** N


def ok_equal_maxima(K):
    return len(list(itertools.permutations(range(K)))) if K <= 8 else math.factorial(K)


CORRECT = {
    "count_parameters": ok_count_parameters,
    "mixture_density": ok_mixture_density,
    "log_sum_exp": ok_log_sum_exp,
    "sample": ok_sample,
    "complete_log_likelihood": ok_complete_log_likelihood,
    "responsibilities": ok_responsibilities,
    "textbook_responsibilities": TB_RESP,
    "m_step": ok_m_step,
    "spherical_variances": ok_spherical_variances,
    "lagrange_multiplier": derived_lagrange_multiplier(),
    "em": ok_em,
    "mixture_moments": ok_mixture_moments,
    "n_labellings": ok_n_labellings,
    "equal_maxima": ok_equal_maxima,
}


def test_every_exercise_has_a_reference_solution():
    assert IDS, "gmmbook.exercises.exercise_ids() is empty"
    assert set(CORRECT) == set(IDS)


def test_the_derived_lagrange_multiplier_is_minus_n():
    assert sympy.simplify(derived_lagrange_multiplier() + N_SYMBOL) == 0


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_correct_answer_passes(exercise_id):
    verdict = check(exercise_id, CORRECT[exercise_id])
    assert verdict.passed, str(verdict)
    assert verdict.attempted and verdict.status == "passed"
    assert verdict.message.startswith("Right")


# ----------------------------------------------------------------- correct answers computed another way


def prob_space_em(X, weights, means, covariances, n_iter):
    """EM with densities in probability space: exact enough on the checker's benign examples."""

    def e_step(weights, means, covariances):
        joint = weights * gauss(X, means, covariances)
        px = joint.sum(axis=1)
        return joint / px[:, None], float(np.log(px).sum())

    return em_loop(X, weights, means, covariances, n_iter, e_step=e_step)


def product_complete_log_likelihood(X, labels, weights, means, covariances):
    """ln of the product of π_{z_n} N(x_n | …): fine for 50 points, underflows for 500 (a classic mistake)."""
    rows = np.arange(len(X))
    return np.log(np.prod(weights[labels] * gauss(X, means, covariances)[rows, labels]))


def loop_sample(weights, means, covariances, n, rng):
    """One point at a time, labels as a Python list."""
    labels, points = [], []
    for _ in range(n):
        k = int(rng.choice(len(weights), p=weights))
        labels.append(k)
        points.append(means[k] + np.linalg.cholesky(covariances[k]) @ rng.standard_normal(len(means[k])))
    return np.array(points), labels


def as_lists(f):
    def wrapped(*args):
        result = f(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(part).tolist() for part in result)
        return np.asarray(result).tolist()

    return wrapped


def as_float32(f):
    def wrapped(*args):
        result = f(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(part, dtype=np.float32) for part in result)
        return np.asarray(result, dtype=np.float32)

    return wrapped


EQUIVALENT = [
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D * (D + 1) / 2, id="count_parameters-float"),
    pytest.param("count_parameters", lambda K, D: np.int64(ok_count_parameters(K, D)), id="count_parameters-numpy-int"),
    pytest.param("mixture_density", as_lists(ok_mixture_density), id="mixture_density-list"),
    pytest.param("mixture_density", as_float32(ok_mixture_density), id="mixture_density-float32"),
    pytest.param("log_sum_exp", lambda a: np.logaddexp.reduce(a, axis=-1), id="log_sum_exp-logaddexp"),
    pytest.param("log_sum_exp", as_lists(ok_log_sum_exp), id="log_sum_exp-list"),
    pytest.param("sample", loop_sample, id="sample-one-point-at-a-time-labels-list"),
    pytest.param("responsibilities", lambda X, w, m, c: special.softmax(np.log(w) + log_gauss(X, m, c), axis=1),
                 id="responsibilities-softmax"),
    pytest.param("responsibilities", as_lists(ok_responsibilities), id="responsibilities-list"),
    pytest.param("responsibilities", as_float32(ok_responsibilities), id="responsibilities-float32"),
    pytest.param("textbook_responsibilities", np.round(TB_RESP, 3).tolist(), id="textbook_responsibilities-by-hand-3-decimals"),
    pytest.param("m_step", as_lists(ok_m_step), id="m_step-lists"),
    pytest.param("m_step", as_float32(ok_m_step), id="m_step-float32"),
    pytest.param("m_step", lambda X, r: list(ok_m_step(X, r)), id="m_step-list-not-tuple"),
    pytest.param("spherical_variances", as_lists(ok_spherical_variances), id="spherical_variances-list"),
    pytest.param("spherical_variances", as_float32(ok_spherical_variances), id="spherical_variances-float32"),
    pytest.param("lagrange_multiplier", -sympy.Symbol("N"), id="lagrange_multiplier-plain-symbol"),
    pytest.param("em", prob_space_em, id="em-probability-space"),
    pytest.param("em", as_lists(ok_em), id="em-list"),
    pytest.param("em", as_float32(ok_em), id="em-float32"),
]


@pytest.mark.parametrize("exercise_id, answer", EQUIVALENT)
def test_a_correct_answer_computed_another_way_passes(exercise_id, answer):
    verdict = check(exercise_id, answer)
    assert verdict.passed, str(verdict)


@pytest.mark.parametrize("answer", [
    pytest.param([-N_SYMBOL], id="solve-list"),
    pytest.param([{sympy.Symbol("lambda"): -N_SYMBOL}], id="solve-dict"),
])
def test_lagrange_multiplier_as_returned_by_sympy_solve(answer):
    """sympy.solve returns a list: accept its one element, or at least say so (never crash)."""
    verdict = check("lagrange_multiplier", answer)
    assert verdict.passed or re.search(r"list|solve", verdict.message), str(verdict)


# ============================================================================ classic mistakes


def wrong_sample(make_labels=None, transform="chol", sort=False, relabel=False):
    """A sampler with one mistake: how labels are drawn, how noise is shaped, sorted, or relabelled."""

    def f(weights, means, covariances, n, rng):
        K, D = means.shape
        if sort:
            labels = np.repeat(np.arange(K), rng.multinomial(n, weights))
        elif make_labels is not None:
            labels = make_labels(K, n, weights, rng)
        else:
            labels = rng.choice(K, size=n, p=weights)
        noise = rng.standard_normal((n, D))
        chol = np.linalg.cholesky(covariances)
        factor = {
            "chol": chol,
            "covariance-as-scale": covariances,
            "chol-transposed": chol.transpose(0, 2, 1),
            "diagonal": np.sqrt(covariances * np.eye(D)),
        }[transform]
        X = means[labels] + np.einsum("nij,nj->ni", factor[labels], noise)
        if relabel:
            labels = rng.choice(K, size=n, p=weights)
        return X, labels

    return f


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


def scatter(X, resp):
    """S_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ with the weighted means."""
    return weighted_covariances(X, resp) * resp.sum(axis=0)[:, None, None]


def wrong_m_step(mistake):
    def f(X, resp):
        weights, means, covariances = ok_m_step(X, resp)
        N, D = X.shape
        nk = resp.sum(axis=0)
        if mistake == "weights-not-normalised":
            weights = nk
        elif mistake == "means-over-N":
            means = resp.T @ X / N
        elif mistake == "covariances-over-N":
            covariances = scatter(X, resp) / N
        elif mistake == "covariances-over-Nk-minus-1":
            covariances = scatter(X, resp) / (nk - 1)[:, None, None]
        elif mistake == "unweighted-covariance":
            covariances = np.stack([np.atleast_2d(np.cov(X.T, bias=True))] * resp.shape[1])
        elif mistake == "hard-assignments":
            hard = np.eye(resp.shape[1])[resp.argmax(axis=1)]
            covariances = weighted_covariances(X, hard)
        return weights, means, covariances

    return f


def stale_em(X, weights, means, covariances, n_iter):
    return em_loop(X, weights, means, covariances, n_iter, stale=True)


M = r"[−-]"  # the messages use the minus sign −


def inline_log_sum_exp(a):
    """The chapter's inline version: nan for a row that is −∞ throughout."""
    m = np.max(a, axis=-1, keepdims=True)
    return np.log(np.sum(np.exp(a - m), axis=-1)) + m.squeeze(-1)


def global_random_sample(weights, means, covariances, n, rng):
    """Correct sampler, but from np.random instead of rng."""
    labels = np.random.choice(len(weights), size=n, p=weights)
    chol = np.linalg.cholesky(covariances)
    return means[labels] + np.einsum("nij,nj->ni", chol[labels], np.random.standard_normal((n, means.shape[1]))), labels


def old_means_em(X, weights, means, covariances, n_iter):
    """EM whose covariance update is centred on the previous means."""
    out = []
    for it in range(n_iter + 1):
        resp, loglik = ok_e_step_for_old_means(X, weights, means, covariances)
        out.append(loglik)
        if it == n_iter:
            break
        nk = resp.sum(axis=0)
        new_means = resp.T @ X / nk[:, None]
        diff = X[None] - means[:, None]
        covariances = np.einsum("nk,kni,knj->kij", resp, diff, diff) / nk[:, None, None]
        weights, means = nk / len(X), new_means
    return np.array(out)


def ok_e_step_for_old_means(X, weights, means, covariances):
    log_joint = np.log(weights) + log_gauss(X, means, covariances)
    log_px = special.logsumexp(log_joint, axis=1)
    return np.exp(log_joint - log_px[:, None]), float(log_px.sum())


WRONG = [
    # classic mistakes named since the exercise review
    pytest.param("log_sum_exp", inline_log_sum_exp, r"throughout.*nan", id="log_sum_exp-nan-for-all-minus-inf-row"),
    pytest.param("log_sum_exp", lambda a: np.log(np.sum(np.exp(a - np.max(a)), axis=-1)) + np.max(a),
                 r"each row's own maximum", id="log_sum_exp-global-maximum"),
    pytest.param("sample", global_random_sample, r"randomness from rng", id="sample-global-random-state"),
    pytest.param("em", old_means_em, r"old means", id="em-covariance-centred-on-old-means"),
    pytest.param("n_labellings", lambda N, K: np.power(np.int64(K), N), r"int64.*overflow", id="n_labellings-int64-overflow"),
    # mixture_moments
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w, c)), r"only the spread within",
                 id="mixture_moments-within-only"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w, c) + np.einsum("k,ki,kj->ij", w, m, m)),
                 r"subtract", id="mixture_moments-second-moment-not-covariance"),
    pytest.param("mixture_moments", lambda w, m, c: (m.mean(axis=0), ok_mixture_moments(w, m, c)[1]), r"plain average",
                 id="mixture_moments-unweighted-mean"),
    pytest.param("mixture_moments", lambda w, m, c: (w @ m, np.einsum("k,kij->ij", w ** 2, c)
                                                     + ok_mixture_moments(w, m, c)[1] - np.einsum("k,kij->ij", w, c)),
                 r"π_k²", id="mixture_moments-squared-weights"),
    # n_labellings
    pytest.param("n_labellings", lambda N, K: N ** K, r"N\^K", id="n_labellings-N-to-the-K"),
    pytest.param("n_labellings", lambda N, K: N * K, r"after factorising", id="n_labellings-N-times-K"),
    pytest.param("n_labellings", lambda N, K: N + K, r"multiply", id="n_labellings-N-plus-K"),
    # equal_maxima
    pytest.param("equal_maxima", lambda K: K, r"permutation of all K", id="equal_maxima-K"),
    pytest.param("equal_maxima", lambda K: K ** K, r"exactly once", id="equal_maxima-K-to-the-K"),
    pytest.param("equal_maxima", lambda K: math.factorial(K) // 2 if K > 1 else 1, r"identical components",
                 id="equal_maxima-half"),
    # count_parameters
    pytest.param("count_parameters", lambda K, D: K * D + K + K * D * (D + 1) // 2, rf"K {M} 1 of them are free",
                 id="count_parameters-all-K-weights-free"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D * D, r"symmetric",
                 id="count_parameters-D-squared-covariance"),
    pytest.param("count_parameters", lambda K, D: K * D + (K - 1) + K * D, r"diagonal",
                 id="count_parameters-variances-only"),
    # mixture_density
    pytest.param("mixture_density", lambda X, w, m, c: gauss(X, m, c).sum(axis=1), r"ignored the weights",
                 id="mixture_density-weights-ignored"),
    pytest.param("mixture_density", lambda X, w, m, c: gauss(X, m, c).mean(axis=1), r"equal weights",
                 id="mixture_density-equal-weights"),
    pytest.param("mixture_density",
                 lambda X, w, m, c: (stats.norm(m[:, 0], c[:, 0, 0]).pdf(X) @ w if X.shape[1] == 1 else ok_mixture_density(X, w, m, c)),
                 r"variance where the standard deviation belongs", id="mixture_density-variance-as-scale"),
    pytest.param("mixture_density", lambda X, w, m, c: w * gauss(X, m, c), r"one column per component",
                 id="mixture_density-not-summed-over-k"),
    # log_sum_exp
    pytest.param("log_sum_exp", quiet(lambda a: np.log(np.sum(np.exp(a), axis=-1))), r"overflows or underflows",
                 id="log_sum_exp-probability-space"),
    pytest.param("log_sum_exp", lambda a: np.log(np.sum(np.exp(a - np.max(a, axis=-1, keepdims=True)), axis=-1)),
                 r"add m back", id="log_sum_exp-max-not-added-back"),
    pytest.param("log_sum_exp", lambda a: np.max(a) + np.log(np.sum(np.exp(a - np.max(a)))), r"last axis only",
                 id="log_sum_exp-sums-the-whole-array"),
    pytest.param("log_sum_exp", lambda a: special.logsumexp(a, axis=0), r"last axis only",
                 id="log_sum_exp-wrong-axis"),
    # sample
    pytest.param("sample", wrong_sample(make_labels=lambda K, n, w, rng: rng.integers(K, size=n)), r"uniform",
                 id="sample-weights-ignored"),
    pytest.param("sample", wrong_sample(transform="covariance-as-scale"), r"covariance as a scale",
                 id="sample-covariance-as-scale"),
    pytest.param("sample", wrong_sample(relabel=True), r"do the labels match", id="sample-labels-do-not-match"),
    pytest.param("sample", wrong_sample(sort=True), r"sorted by component", id="sample-sorted-by-component"),
    pytest.param("sample", wrong_sample(transform="diagonal"), r"no correlation", id="sample-diagonal-only"),
    pytest.param("sample", wrong_sample(transform="chol-transposed"), r"transpose|Lᵀ|L\.T|L z",
                 id="sample-cholesky-factor-transposed"),
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
    pytest.param("complete_log_likelihood", product_complete_log_likelihood, r"underflows.*probability space",
                 id="complete_log_likelihood-probability-space-underflow"),
    pytest.param("complete_log_likelihood", lambda X, *a: ok_complete_log_likelihood(X, *a) / len(X),
                 r"mean|average|per point", id="complete_log_likelihood-mean-not-total"),
    # responsibilities
    pytest.param("responsibilities", wrong_resp("unnormalised"), r"do not sum to 1", id="responsibilities-not-normalised"),
    pytest.param("responsibilities", wrong_resp("no-weights"), r"ignored the weights", id="responsibilities-weights-ignored"),
    pytest.param("responsibilities", wrong_resp("probability-space"), r"underflow", id="responsibilities-probability-space"),
    pytest.param("responsibilities", wrong_resp("variance-as-scale"), r"variance where the standard deviation belongs",
                 id="responsibilities-variance-as-scale"),
    pytest.param("responsibilities", wrong_resp("columns"), r"columns|axis|over k|each row",
                 id="responsibilities-normalised-over-points"),
    # textbook_responsibilities
    pytest.param("textbook_responsibilities", TB_JOINT, r"do not sum to 1", id="textbook_responsibilities-not-normalised"),
    pytest.param("textbook_responsibilities",
                 textbook_joint(TB_VARIANCES) / textbook_joint(TB_VARIANCES).sum(axis=1, keepdims=True),
                 r"variance where the standard deviation belongs", id="textbook_responsibilities-variance-as-scale"),
    pytest.param("textbook_responsibilities", TB_RESP.T, r"shape \(7, 3\)", id="textbook_responsibilities-transposed"),
    pytest.param("textbook_responsibilities", TB_JOINT / TB_JOINT.sum(axis=0, keepdims=True),
                 r"columns|axis|over k|each row", id="textbook_responsibilities-normalised-over-points"),
    pytest.param("textbook_responsibilities", np.vstack([TB_RESP[:4], [[0.123, 0.456, 0.421]], TB_RESP[5:]]),
                 r"0\.123", id="textbook_responsibilities-one-wrong-row-is-shown"),
    # m_step
    pytest.param("m_step", wrong_m_step("weights-not-normalised"), r"π_k = N_k / N", id="m_step-weights-not-normalised"),
    pytest.param("m_step", wrong_m_step("means-over-N"), r"means are divided by N; divide by N_k", id="m_step-means-over-N"),
    pytest.param("m_step", wrong_m_step("covariances-over-N"), r"covariances are divided by N; divide by N_k",
                 id="m_step-covariances-over-N"),
    pytest.param("m_step", wrong_m_step("covariances-over-Nk-minus-1"), rf"N_k {M} 1", id="m_step-covariances-over-Nk-1"),
    pytest.param("m_step", wrong_m_step("unweighted-covariance"), r"unweighted", id="m_step-unweighted-covariance"),
    pytest.param("m_step", wrong_m_step("hard-assignments"), r"hard assignments", id="m_step-hard-assignments"),
    # spherical_variances
    pytest.param("spherical_variances", lambda X, r: ok_spherical_variances(X, r) * X.shape[1], r"divide by D",
                 id="spherical_variances-not-divided-by-D"),
    pytest.param("spherical_variances", lambda X, r: ok_spherical_variances(X, r) * r.sum(axis=0) / len(X),
                 r"divided by N; divide by N_k", id="spherical_variances-over-N"),
    pytest.param("spherical_variances", lambda X, r: np.sqrt(ok_spherical_variances(X, r)),
                 r"standard deviation|σ_k²|square", id="spherical_variances-standard-deviation"),
    # lagrange_multiplier
    pytest.param("lagrange_multiplier", N_SYMBOL, r"sign is wrong", id="lagrange_multiplier-sign"),
    pytest.param("lagrange_multiplier", -1 / N_SYMBOL, r"inverted", id="lagrange_multiplier-inverted"),
    pytest.param("lagrange_multiplier", 1 / N_SYMBOL, r"Sign and inversion", id="lagrange_multiplier-sign-and-inverted"),
    pytest.param("lagrange_multiplier", -sympy.Symbol("N_k"), r"depend on N only.*N_k",
                 id="lagrange_multiplier-per-component-count"),
    # em
    pytest.param("em", lambda X, *a: ok_em(X, *a) / len(X), r"mean log-likelihood per point", id="em-mean-not-total"),
    pytest.param("em", stale_em, r"stale", id="em-stale-responsibilities"),
    pytest.param("em", lambda *a: ok_em(*a)[1:], r"n_iter \+ 1", id="em-start-value-missing"),
    pytest.param("em", lambda *a: ok_em(*a)[::-1], r"decreases", id="em-log-likelihood-decreases"),
]


@pytest.mark.parametrize("exercise_id, answer, names_the_mistake", WRONG)
def test_a_classic_mistake_is_named(exercise_id, answer, names_the_mistake):
    verdict = check(exercise_id, answer)
    assert not verdict.passed and verdict.attempted, str(verdict)
    assert re.search(names_the_mistake, verdict.message), str(verdict)


def smoothed_resp(X, weights, means, covariances):
    """A near miss: + 1e-12 "to avoid 0/0", weights used correctly."""
    joint = weights * gauss(X, means, covariances) + 1e-12
    return joint / joint.sum(axis=1, keepdims=True)


MISLEADING = [
    pytest.param("responsibilities", smoothed_resp, r"ignored the weights",
                 id="responsibilities-near-miss-on-equal-weights-is-not-ignored-weights"),
    pytest.param("responsibilities", lambda X, w, *a: np.full((len(X), len(w)), np.nan), r"underflow",
                 id="responsibilities-nan-on-the-textbook-example-is-not-underflow"),
    pytest.param("log_sum_exp", lambda a: np.full(np.shape(a)[:-1], np.nan), r"overflow",
                 id="log_sum_exp-nan-on-a-small-vector-is-not-overflow"),
]


@pytest.mark.parametrize("exercise_id, answer, wrong_diagnosis", MISLEADING)
def test_a_mistake_is_not_misdiagnosed(exercise_id, answer, wrong_diagnosis):
    """A failed answer must not be blamed on a mistake it did not make."""
    verdict = check(exercise_id, answer)
    assert not verdict.passed
    assert not re.search(wrong_diagnosis, verdict.message), str(verdict)


@pytest.mark.parametrize("exercise_id", IDS)
def test_at_least_three_classic_mistakes_per_exercise(exercise_id):
    assert sum(param.values[0] == exercise_id for param in WRONG) >= 3


# ============================================================================ robustness


def raises_zero_division(*args):
    return 1 / 0


def raises_type_error(*args):
    return len(5)


def raises_inside_numpy(*args):
    return np.linalg.inv(np.zeros((2, 2)))  # the student's line that fails


def nan_like_expected(exercise_id):
    """A function returning NaN of the right shape."""
    shapes = {
        "count_parameters": lambda *a: np.nan,
        "mixture_density": lambda X, *a: np.full(len(X), np.nan),
        "log_sum_exp": lambda a: np.full(np.shape(a)[:-1], np.nan),
        "sample": lambda w, m, c, n, rng: (np.full((n, m.shape[1]), np.nan), np.zeros(n, dtype=int)),
        "complete_log_likelihood": lambda *a: np.nan,
        "responsibilities": lambda X, w, *a: np.full((len(X), len(w)), np.nan),
        "m_step": lambda X, r: (np.full(r.shape[1], np.nan), np.full((r.shape[1], X.shape[1]), np.nan),
                                np.full((r.shape[1], X.shape[1], X.shape[1]), np.nan)),
        "spherical_variances": lambda X, r: np.full(r.shape[1], np.nan),
        "em": lambda X, w, m, c, n: np.full(n + 1, np.nan),
        "mixture_moments": lambda w, m, c: (np.full(m.shape[1], np.nan), np.full((m.shape[1],) * 2, np.nan)),
        "n_labellings": lambda *a: np.nan,
        "equal_maxima": lambda *a: np.nan,
    }
    return shapes[exercise_id]


GENERIC_BAD = {
    "raises-ZeroDivisionError": raises_zero_division,
    "raises-TypeError": raises_type_error,
    "raises-inside-numpy": raises_inside_numpy,
    "returns-a-string": lambda *args: "my answer",
    "returns-None-in-a-tuple": lambda *args: (None, None),
    "returns-a-3-tuple-with-None": lambda *args: (np.ones(3), None, np.ones(3)),
    "returns-a-3-d-array": lambda *args: np.zeros((2, 2, 2)),
    "returns-two-numbers": lambda *args: np.array([1.0, 2.0]),
    "returns-a-dict": lambda *args: {"answer": 1},
    "returns-a-function": lambda *args: raises_zero_division,
    "returns-nan": lambda *args: np.nan,
    "returns-minus-inf-array": lambda *args: np.full(6, -np.inf),
    "not-callable-number": 42,
    "not-callable-string": "def f(x): return x",
}

BAD = [pytest.param(i, answer, id=f"{i}-{name}") for i in FUNCTION_IDS for name, answer in GENERIC_BAD.items()]
BAD += [pytest.param(i, nan_like_expected(i), id=f"{i}-returns-nan-of-the-right-shape") for i in FUNCTION_IDS]
BAD += [
    pytest.param("sample", lambda w, m, c, n, rng: (ok_sample(w, m, c, n, rng)[0], None), id="sample-labels-None"),
    pytest.param("sample", lambda w, m, c, n, rng: (ok_sample(w, m, c, n, rng)[0], np.full(n, 7)), id="sample-labels-out-of-range"),
    pytest.param("sample", lambda w, m, c, n, rng: (np.zeros((n, 2)), np.zeros(n, dtype=int)), id="sample-one-label-only"),
    pytest.param("m_step", lambda X, r: (r.sum(0) / len(X), None, None), id="m_step-None-parts"),
    pytest.param("em", lambda X, w, m, c, n: np.full(n + 1, -np.inf), id="em-log-of-zero"),
    pytest.param("em", lambda X, w, m, c, n: np.r_[np.nan, ok_em(X, w, m, c, n)[1:]], id="em-nan-start"),
]
BAD += [pytest.param("textbook_responsibilities", answer, id=f"textbook_responsibilities-{name}") for name, answer in {
    "a-string": "0.99, 0.01, 0",
    "a-function": raises_zero_division,
    "None-entries": [[None] * 3] * 7,
    "nan": np.full((7, 3), np.nan),
    "wrong-shape": np.zeros((7, 2)),
    "a-number": 0.5,
    "a-dict": {"a": 1},
    "complex": TB_RESP + 0j,
}.items()]
BAD += [pytest.param("lagrange_multiplier", answer, id=f"lagrange_multiplier-{name}") for name, answer in {
    "a-function": raises_zero_division,
    "a-string-of-nonsense": "lambda",
    "nan": float("nan"),
    "a-number": 3.0,
    "a-numpy-array": np.array([1.0, 2.0]),
    "a-tuple-with-None": (N_SYMBOL, None),
    "a-matrix": sympy.Matrix([-N_SYMBOL]),
    "two-solutions": [-N_SYMBOL, N_SYMBOL],
    "an-equation": sympy.Eq(sympy.Symbol("lambda"), N_SYMBOL),
    "a-dict": {"a": 1},
}.items()]


@pytest.mark.parametrize("exercise_id, answer", BAD)
def test_a_checker_never_crashes_on_a_wrong_answer(exercise_id, answer):
    verdict = check(exercise_id, answer)
    assert isinstance(verdict, Verdict)
    assert verdict.passed is False and verdict.attempted is True, str(verdict)
    assert verdict.status == "not yet right"
    assert verdict.message.strip()
    assert str(verdict) and verdict._repr_html_()


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
@pytest.mark.parametrize("error", [ZeroDivisionError, TypeError])
def test_an_exception_is_shown_with_the_students_line(exercise_id, error):
    def answer(*args):
        raise error("something went wrong")

    verdict = check(exercise_id, answer)
    assert not verdict.passed
    assert re.search(rf"raised {error.__name__}: something went wrong", verdict.message), str(verdict)
    assert 'raise error("something went wrong")' in verdict.message


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_an_exception_inside_numpy_quotes_the_students_line(exercise_id):
    """The line to show is the student's, not a line deep inside NumPy."""
    verdict = check(exercise_id, raises_inside_numpy)
    assert "LinAlgError" in verdict.message
    assert "np.linalg.inv(np.zeros((2, 2)))" in verdict.message, str(verdict)


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_a_forgotten_return_is_named(exercise_id):
    """A body without ``return`` gives None: the message should say so, not blame shapes or overflow."""

    def answer(*args):
        _ = args

    verdict = check(exercise_id, answer)
    assert not verdict.passed and verdict.attempted
    assert re.search(r"None", verdict.message), str(verdict)


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("placeholder", [None, Ellipsis], ids=["None", "Ellipsis"])
def test_a_placeholder_is_not_attempted(exercise_id, placeholder):
    verdict = check(exercise_id, placeholder)
    assert not verdict.passed and not verdict.attempted
    assert verdict.status == "not attempted yet"
    assert "not attempted" in str(verdict)


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_a_function_raising_not_implemented_is_not_attempted(exercise_id):
    def template(*args):
        # YOUR CODE HERE
        raise NotImplementedError

    verdict = check(exercise_id, template)
    assert not verdict.passed and not verdict.attempted
    assert "not attempted" in verdict.status and "not attempted" in str(verdict)
    assert "NotImplementedError" in verdict.message


def test_an_unknown_exercise_id_is_a_value_error():
    with pytest.raises(ValueError, match=r"exercise_id 'm_stpe' is unknown.*m_step"):
        check("m_stpe", ok_m_step)


# ============================================================================ determinism and display


@pytest.mark.parametrize("exercise_id", IDS)
def test_verdicts_are_deterministic(exercise_id):
    wrong = next(param.values[1] for param in WRONG if param.values[0] == exercise_id)
    for answer in (CORRECT[exercise_id], wrong, None):
        first, second = check(exercise_id, answer), check(exercise_id, answer)
        assert str(first) == str(second) == repr(first)
        assert first._repr_html_() == second._repr_html_()
        assert " at 0x" not in str(first)  # no object addresses


def test_the_html_escapes_the_message():
    def answer(*args):
        raise ValueError("<script>alert('x')</script> & more")

    verdict = check("m_step", answer)
    html = verdict._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp; more" in html
    assert "<script>" in verdict.message  # the plain message is not escaped


def test_the_html_shows_the_status_in_colour():
    passed, failed, pending = check("count_parameters", ok_count_parameters), check("count_parameters", lambda K, D: 0), \
        check("count_parameters", None)
    colours = {v.status: re.search(r"border-left: 4px solid (#[0-9a-f]{6})", v._repr_html_()).group(1)
               for v in (passed, failed, pending)}
    assert len(set(colours.values())) == 3
    assert str(passed).startswith("✓") and str(failed).startswith("✗") and str(pending).startswith("·")


# ============================================================================ the generator


def write_solution(tmp_path, text, name="01_demo.py"):
    folder = tmp_path / "exercises" / "solutions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text, needle, occurrence=1):
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


DEMO = '''\
# %% [markdown]
# # Exercises: a demonstration
#
# Back to [the chapter](../../chapters/01_mixtures.ipynb), or see [all chapters](../../chapters/).
# The student version is [here](../01_demo.ipynb); the [syllabus](https://example.org/../../x) stays.

# %%
import numpy as np

from gmmbook.exercises import check


# %%
def count_parameters(K, D):
    """The number of free parameters."""
    means = K * D
    # BEGIN SOLUTION
    weights = K - 1
    covariances = K * D * (D + 1) // 2
    return means + weights + covariances
    # END SOLUTION


check("count_parameters", count_parameters)

# %%
# BEGIN SOLUTION: lam = None
N = sympy.Symbol("N", positive=True)
lam = -N
# END SOLUTION
check("lagrange_multiplier", lam)

# %% tags=["solution-only"]
print(count_parameters(2, 2))

# %% [markdown]
# **Why?**
# <!-- BEGIN SOLUTION -->
# Because the weights sum to 1.
#
# So one of them is determined by the others.
# <!-- END SOLUTION -->
# Next exercise.

# %% tags=["hint"]
for k in range(2):
    if k:
        # BEGIN SOLUTION
        print(k)
        # END SOLUTION
'''

DEMO_STUDENT = '''\
# %% [markdown]
# <!-- generated from exercises/solutions/01_demo.py by tools/exercises.py; edit the solution -->
# # Exercises: a demonstration
#
# Back to [the chapter](../chapters/01_mixtures.ipynb), or see [all chapters](../chapters/).
# The student version is [here](01_demo.ipynb); the [syllabus](https://example.org/../../x) stays.

# %%
import numpy as np

from gmmbook.exercises import check


# %%
def count_parameters(K, D):
    """The number of free parameters."""
    means = K * D
    # YOUR CODE HERE
    raise NotImplementedError


check("count_parameters", count_parameters)

# %%
# YOUR ANSWER HERE
lam = None
check("lagrange_multiplier", lam)

# %% [markdown]
# **Why?**
# *Write your answer here.*
# Next exercise.

# %% tags=["hint"]
for k in range(2):
    if k:
        # YOUR CODE HERE
        raise NotImplementedError
'''


def test_generate_text_applies_every_marker(tmp_path):
    """Code and answer markers (indentation kept), Markdown markers, solution-only cells, links, note."""
    assert gen.generate_text(write_solution(tmp_path, DEMO)) == DEMO_STUDENT


def test_the_output_is_deterministic_headerless_and_a_jupytext_fixed_point(tmp_path):
    solution = write_solution(tmp_path, DEMO)
    text = gen.generate_text(solution)
    assert text == gen.generate_text(solution)
    assert text.startswith("# %% [markdown]\n# <!-- generated from exercises/solutions/01_demo.py by tools/exercises.py; "
                           "edit the solution -->\n")
    assert "jupyter:" not in text and not text.startswith("# ---")
    # Saving the student notebook from JupyterLab (jupytext, project config) rewrites the same text.
    assert gen.write_text(gen.read_text(text)) == text
    # Cells: the solution-only one is gone, the others keep their type and tags.
    student, solution_nb = gen.read_text(text), gen.read_text(DEMO)
    kept = [c for c in solution_nb.cells if "solution-only" not in c.metadata.get("tags", [])]
    assert [(c.cell_type, c.metadata.get("tags")) for c in student.cells] == \
        [(c.cell_type, c.metadata.get("tags")) for c in kept]


def test_the_note_goes_into_a_leading_code_cell(tmp_path):
    text = gen.generate_text(write_solution(tmp_path, "# %%\nx = 1\n"))
    assert text == ("# %%\n# generated from exercises/solutions/01_demo.py by tools/exercises.py; edit the solution\n"
                    "x = 1\n")


def test_the_generated_student_code_runs_and_reports_not_attempted(tmp_path):
    """The student version's code cells run without error; each check says "not attempted yet"."""
    solution = DEMO.split('# %% tags=["hint"]')[0]  # the demo's last cell raises at top level on purpose
    nb = gen.read_text(gen.generate_text(write_solution(tmp_path, solution)))
    verdicts = []

    def recording_check(exercise_id, answer):
        verdicts.append(check(exercise_id, answer))
        return verdicts[-1]

    namespace = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(cell.source, namespace)
            if namespace.get("check") is check:
                namespace["check"] = recording_check
    assert [v.exercise_id for v in verdicts] == ["count_parameters", "lagrange_multiplier"]
    assert all(not v.attempted and v.status == "not attempted yet" for v in verdicts)


@pytest.mark.parametrize("text, needle, problem", [
    pytest.param("# %%\ndef f():\n    # BEGIN SOLUTION\n    return 1\n", "BEGIN SOLUTION", r"not closed",
                 id="begin-without-end"),
    pytest.param("# %%\nx = 1\n# END SOLUTION\n", "END SOLUTION", r"without a BEGIN", id="end-without-begin"),
    pytest.param("# %%\n# BEGIN SOLUTION\nx = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION\n# END SOLUTION\n",
                 ("BEGIN SOLUTION", 2), r"nested.*opened at line 2", id="nested"),
    pytest.param("# %%\n# BEGIN SOLUTION\nx = 1\n\n# %%\ny = 2\n# END SOLUTION\n", "BEGIN SOLUTION", r"same cell",
                 id="across-cells"),
    pytest.param("# %%\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "BEGIN SOLUTION", r"malformed",
                 id="malformed-nbgrader-style"),
    pytest.param("# %%\n# BEGIN SOLUTIONS\nx = 1\n# END SOLUTION\n", "BEGIN SOLUTIONS", r"malformed",
                 id="malformed-plural"),
    pytest.param("# %%\n# BEGIN SOLUTION:\nx = 1\n# END SOLUTION\n", "BEGIN SOLUTION", r"replacement",
                 id="empty-replacement"),
    pytest.param("# %% [markdown]\n# Answer:\n# <!-- BEGIN SOLUTION -->\n# Because.\n", "BEGIN SOLUTION", r"not closed",
                 id="markdown-begin-without-end"),
    pytest.param("# %% [markdown]\n# Because.\n# <!-- END SOLUTION -->\n", "END SOLUTION", r"without a",
                 id="markdown-end-without-begin"),
    pytest.param("# %% [markdown]\n# <!-- BEGIN SOLUTION -->\n# <!-- BEGIN SOLUTION -->\n# x\n"
                 "# <!-- END SOLUTION -->\n# <!-- END SOLUTION -->\n", ("BEGIN SOLUTION", 2), r"nested.*line 2",
                 id="markdown-nested"),
    pytest.param("# %% [markdown]\n# Intro.\n# BEGIN SOLUTION\n# Because.\n# END SOLUTION\n", "BEGIN SOLUTION",
                 r"malformed.*Markdown", id="code-marker-in-markdown"),
    pytest.param("# %% [markdown]\n# Title\n\n# %%\nx = 1\n\n\n# %%\n\ny = 2\n# BEGIN SOLUTION\n", "BEGIN SOLUTION",
                 r"not closed", id="line-number-after-blank-lines"),
    pytest.param("# %% [raw]\nsome text\n# BEGIN SOLUTION\n", "BEGIN SOLUTION", r"code and Markdown cells only",
                 id="marker-in-a-raw-cell"),
    pytest.param("# %%\n#BEGIN_SOLUTION\nx = 1\n# END SOLUTION\n", "BEGIN_SOLUTION", r"malformed",
                 id="malformed-underscore"),
])
def test_a_bad_marker_raises_naming_file_and_line(tmp_path, text, needle, problem):
    path = write_solution(tmp_path, text)
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 1)
    with pytest.raises(gen.MarkerError, match=problem) as info:
        gen.generate_text(path)
    line = line_of(text, needle, occurrence)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert info.value.line == line and info.value.path == str(path)
    assert isinstance(info.value, ValueError)


def test_markers_in_a_solution_only_cell_are_checked_too(tmp_path):
    path = write_solution(tmp_path, '# %% tags=["solution-only"]\n# BEGIN SOLUTION\nx = 1\n')
    with pytest.raises(gen.MarkerError, match=r"01_demo.py:2: .*not closed"):
        gen.generate_text(path)


def test_an_inline_markdown_answer_is_replaced(tmp_path):
    text = gen.generate_text(write_solution(tmp_path, "# %% [markdown]\n# Answer: <!-- BEGIN SOLUTION -->42<!-- END SOLUTION -->.\n"))
    assert "# Answer: *Write your answer here.*.\n" in text and "42" not in text


@pytest.mark.parametrize("link, moved", [
    ("[ch](../../chapters/01_mixtures.ipynb)", "[ch](../chapters/01_mixtures.ipynb)"),
    ("[ch](../../chapters/01_mixtures.ipynb#the-mixture)", "[ch](../chapters/01_mixtures.ipynb#the-mixture)"),
    ("[all](../../chapters/)", "[all](../chapters/)"),
    ("[fig](../../figures/collapse.png)", "[fig](../figures/collapse.png)"),
    ('<img src="../../figures/collapse.png">', '<img src="../figures/collapse.png">'),
    ("[ch]: ../../chapters/02_latent_variables.ipynb", "[ch]: ../chapters/02_latent_variables.ipynb"),
    ("[you](../01_mixtures.ipynb)", "[you](01_mixtures.ipynb)"),
    ("[web](https://example.org/a/../../b)", "[web](https://example.org/a/../../b)"),
    ("[here](#section)", "[here](#section)"),
    ("in `../../chapters/` as code", "in `../../chapters/` as code"),
])
def test_relocate_links(link, moved):
    assert gen.relocate_links(link) == moved


def test_words_that_merely_contain_a_marker_are_not_markers(tmp_path):
    text = "# %%\n# append solution values, then extend solutions\nx = 1\n"
    assert "# append solution values, then extend solutions\nx = 1\n" in gen.generate_text(write_solution(tmp_path, text))


def test_links_in_code_cells_are_left_alone(tmp_path):
    text = gen.generate_text(write_solution(tmp_path, '# %%\npath = "../../chapters/01_mixtures.ipynb"\n'))
    assert 'path = "../../chapters/01_mixtures.ipynb"' in text


def test_generate_writes_the_student_version_and_check_compares(tmp_path, capsys):
    solution = write_solution(tmp_path, DEMO)
    student = tmp_path / "exercises" / "01_demo.py"
    assert gen.generate([solution]) == [(student, True)]
    assert student.read_text(encoding="utf-8") == DEMO_STUDENT
    assert gen.generate([student]) == [(student, False)]  # a student path names its solution; unchanged
    assert gen.check(root=tmp_path) == [] and gen.check([solution]) == []
    assert gen.main(["check", str(solution)]) == 0

    # A hand edit of the student version is caught, naming the file and the first differing line.
    edited = DEMO_STUDENT.replace("    raise NotImplementedError\n", "    return 0\n", 1)
    student.write_text(edited, encoding="utf-8")
    (problem,) = gen.check(root=tmp_path)
    line = line_of(DEMO_STUDENT, "raise NotImplementedError")
    assert re.search(rf"01_demo.py:{line}: differs .*expected '    raise NotImplementedError', found '    return 0'", problem)
    capsys.readouterr()
    assert gen.main(["check", str(solution)]) == 1
    assert f"01_demo.py:{line}: differs" in capsys.readouterr().err
    assert gen.main(["generate", str(solution)]) == 0
    assert student.read_text(encoding="utf-8") == DEMO_STUDENT

    # A truncated student version: the first missing line is named.
    student.write_text(DEMO_STUDENT.rsplit("# %% [markdown]", 1)[0].rstrip("\n") + "\n", encoding="utf-8")
    (problem,) = gen.check(root=tmp_path)
    assert "differs" in problem and "<end of file>" in problem


def test_check_reports_missing_and_orphaned_student_versions_and_bad_markers(tmp_path):
    write_solution(tmp_path, DEMO)
    orphan = tmp_path / "exercises" / "02_orphan.py"
    orphan.write_text("# %%\nx = 1\n", encoding="utf-8")
    bad = write_solution(tmp_path, "# %%\n# BEGIN SOLUTION\nx = 1\n", name="03_bad.py")
    problems = gen.check(root=tmp_path)
    assert len(problems) == 3, problems
    assert re.search(r"01_demo.py: missing \(run: python tools/exercises.py generate", problems[0])
    assert re.search(r"02_orphan.py: has no solution .*solutions/02_orphan.py", problems[1])
    assert problems[2].startswith(f"{bad}:2: ")


def test_generate_writes_nothing_when_a_solution_has_a_bad_marker(tmp_path, capsys):
    good = write_solution(tmp_path, DEMO)
    bad = write_solution(tmp_path, "# %%\n# END SOLUTION\n", name="02_bad.py")
    with pytest.raises(gen.MarkerError):
        gen.generate([good, bad])
    assert not (tmp_path / "exercises" / "01_demo.py").exists()
    assert gen.main(["generate", str(good), str(bad)]) == 1
    assert f"{bad}:2: END SOLUTION without" in capsys.readouterr().err


# ============================================================================ the book's exercises


SOLUTIONS = gen.discover()
STUDENTS = gen.student_versions()


@pytest.mark.parametrize(
    "solution",
    SOLUTIONS or [pytest.param(None, id="no-solutions-yet")],
    ids=lambda path: path.name if path is not None else "no-solutions-yet",
)
def test_the_committed_student_version_is_generated(solution):
    if solution is None:  # nothing to compare yet: then there must be no student versions either
        assert STUDENTS == [], f"student versions without any solution: {[p.name for p in STUDENTS]}"
        return
    student = gen.student_path(solution)
    assert student.exists(), f"{student.name} is missing: run python tools/exercises.py generate {solution.name}"
    expected = gen.generate_text(solution)
    difference = gen.first_difference(expected, student.read_text(encoding="utf-8"))
    assert difference is None, (
        f"exercises/{student.name}:{difference[0]} differs from what tools/exercises.py generates: expected "
        f"{difference[1]!r}, found {difference[2]!r} (edit the solution, then run python tools/exercises.py generate)"
    )


def test_every_solution_has_a_student_version_and_vice_versa():
    solutions = {path.name for path in SOLUTIONS}
    students = {path.name for path in STUDENTS}
    assert students - solutions == set(), "student versions without a solution"
    assert solutions - students == set(), "solutions without a student version (run tools/exercises.py generate)"
    if SOLUTIONS:  # the globs find the solutions where the notebook tool looks for pairs
        assert all(path.parent == gen.SOLUTIONS for path in SOLUTIONS)


def test_the_check_command_passes_on_the_book():
    result = subprocess.run([sys.executable, "tools/exercises.py", "check"], cwd=gen.ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

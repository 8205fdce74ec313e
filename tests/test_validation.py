"""Bad input to every public function gives a ValueError that names the argument and says what is wrong.

Each row of the table is (call, argument, what): ``call`` must raise :class:`ValueError` whose
message names ``argument`` (as a whole word) and contains ``what`` (a regex, case-insensitive)
describing the problem.  ``gmmbook.logsumexp``'s bad input is tested in ``test_gaussian.py``.

The second half checks that no public function returns NaN on valid but extreme input.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import gmmbook
from gmmbook import GMM

# A valid problem that every bad case below spoils in exactly one place.
W = np.array([0.4, 0.6])
M = np.array([[0.0, 0.0], [3.0, 1.0]])
C = np.array([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]])
G = GMM(W, M, C)
X = np.random.default_rng(0).normal(size=(10, 2)) * 2.0 + 1.0
RESP = np.zeros((10, 2))
RESP[np.arange(10), np.arange(10) % 2] = 1.0


def rng():
    return np.random.default_rng(0)


def spoil(array, index, value):
    """A copy of ``array`` with ``array[index] = value``."""
    out = np.array(array, dtype=float)
    out[index] = value
    return out


NAN_OR_INF = r"NaN|infinite"

# ---------------------------------------------------------------------------------------------
# GMM(weights, means, covariances)

GMM_CASES = [
    pytest.param(lambda: GMM(W, M[:1], C), "means", r"rows|K =", id="means-rows-differ-from-K"),
    pytest.param(lambda: GMM(W, M[:, :1], C), "covariances", r"shape", id="covariances-D-differs-from-means"),
    pytest.param(lambda: GMM(W, M, C[:1]), "covariances", r"shape", id="covariances-K-differs-from-weights"),
    pytest.param(lambda: GMM([1.0], M[:1], C[0]), "covariances", r"3-D|shape", id="covariances-2d"),
    pytest.param(lambda: GMM(W, M[0], C), "means", r"2-D", id="means-1d"),
    pytest.param(lambda: GMM(W[None], M, C), "weights", r"1-D", id="weights-2d"),
    pytest.param(lambda: GMM([], np.zeros((0, 2)), np.zeros((0, 2, 2))), "weights", r"empty", id="weights-empty"),
    pytest.param(lambda: GMM(spoil(W, 0, np.nan), M, C), "weights", NAN_OR_INF, id="weights-nan"),
    pytest.param(lambda: GMM(spoil(W, 1, np.inf), M, C), "weights", NAN_OR_INF, id="weights-inf"),
    pytest.param(lambda: GMM(W, spoil(M, (1, 0), np.nan), C), "means", NAN_OR_INF, id="means-nan"),
    pytest.param(lambda: GMM(W, spoil(M, (0, 1), -np.inf), C), "means", NAN_OR_INF, id="means-inf"),
    pytest.param(lambda: GMM(W, M, spoil(C, (1, 0, 0), np.nan)), "covariances", NAN_OR_INF, id="covariances-nan"),
    pytest.param(lambda: GMM(W, M, spoil(C, (0, 1, 1), np.inf)), "covariances", NAN_OR_INF, id="covariances-inf"),
    pytest.param(lambda: GMM([-0.2, 1.2], M, C), "weights", r"≥ 0|negative", id="weights-negative"),
    pytest.param(lambda: GMM([0.4, 0.5], M, C), "weights", r"sum to 1", id="weights-sum-below-1"),
    pytest.param(lambda: GMM([0.4, 0.6 + 1e-6], M, C), "weights", r"sum to 1", id="weights-sum-slightly-above-1"),
    pytest.param(lambda: GMM("ab", M, C), "weights", r"numbers", id="weights-string"),
    pytest.param(lambda: GMM(W, M, spoil(C, (1, 0, 1), 0.9)), "covariances", r"symmetric", id="covariance-not-symmetric"),
    pytest.param(lambda: GMM(W, M, spoil(spoil(C, (1, 0, 1), 2.0), (1, 1, 0), 2.0)), "covariances",
                 r"positive definite", id="covariance-not-positive-definite"),
    pytest.param(lambda: GMM(W, M, np.array([np.eye(2), np.ones((2, 2))])), "covariances",
                 r"positive definite|singular", id="covariance-singular"),
    pytest.param(lambda: GMM(W, M, np.array([np.eye(2), [[1.0, 0.0], [0.0, 1e-20]]])), "covariances",
                 r"positive definite|singular", id="covariance-numerically-singular"),
    pytest.param(lambda: GMM(W, M, np.zeros((2, 2, 2))), "covariances", r"positive definite|singular",
                 id="covariance-zero"),
    pytest.param(lambda: GMM([1.0], [[0.0]], [[[-1.0]]]), "covariances", r"positive definite",
                 id="variance-negative-1d"),
]

# ---------------------------------------------------------------------------------------------
# X, for every function that takes data

X_TAKERS = {
    "log_joint": lambda X_: gmmbook.log_joint(X_, G),
    "log_marginal": lambda X_: gmmbook.log_marginal(X_, G),
    "log_likelihood": lambda X_: gmmbook.log_likelihood(X_, G),
    "responsibilities": lambda X_: gmmbook.responsibilities(X_, G),
    "e_step": lambda X_: gmmbook.e_step(X_, G),
    "q_function": lambda X_: gmmbook.q_function(X_, G, RESP),
    "m_step": lambda X_: gmmbook.m_step(X_, RESP),
    "em-init-K": lambda X_: gmmbook.em(X_, 2, rng=rng()),
    "em-init-GMM": lambda X_: gmmbook.em(X_, G),
    "kmeans_plusplus_start": lambda X_: gmmbook.kmeans_plusplus_start(X_, 2, rng()),
    "bic": lambda X_: gmmbook.bic(X_, G),
    "aic": lambda X_: gmmbook.aic(X_, G),
}
# functions that know D from a GMM
X_WITH_D = {"log_joint", "log_marginal", "log_likelihood", "responsibilities", "e_step", "q_function",
            "em-init-GMM", "bic", "aic"}

BAD_X = {
    "X-wrong-D": (np.column_stack([X, X[:, :1]]), r"D ="),
    "X-1d": (X[:, 0], r"2-D"),
    "X-empty": (np.empty((0, 2)), r"empty|no rows"),
    "X-nan": (spoil(X, (3, 1), np.nan), NAN_OR_INF),
    "X-inf": (spoil(X, (0, 0), np.inf), NAN_OR_INF),
    "X-3d": (X[None], r"2-D"),
}

X_CASES = [
    pytest.param(lambda f=f, bad=bad: f(bad), "X", what, id=f"{fname}-{xname}")
    for fname, f in X_TAKERS.items()
    for xname, (bad, what) in BAD_X.items()
    if xname != "X-wrong-D" or fname in X_WITH_D
] + [
    # one function each: the fix belongs in validation.as_float_array / check_X, shared by all
    pytest.param(lambda: gmmbook.log_marginal(X.astype(complex) + 1j, G), "X", r"real|complex|numbers",
                 id="log_marginal-X-complex"),
    pytest.param(lambda: gmmbook.log_marginal([[1.0, 2.0], [1.0]], G), "X", r"numbers|rows|length|shape",
                 id="log_marginal-X-ragged"),
    # points so far away that the squared Mahalanobis distance overflows a float64
    pytest.param(lambda: gmmbook.log_marginal(spoil(X, (2, 0), 1e200), G), "X", r"far|rescale",
                 id="log_marginal-X-density-overflows"),
    pytest.param(lambda: gmmbook.responsibilities(spoil(X, (2, 0), 1e200), G), "X", r"far|rescale",
                 id="responsibilities-X-density-overflows"),
    pytest.param(lambda: gmmbook.e_step(spoil(X, (2, 0), -1e200), G), "X", r"far|rescale",
                 id="e_step-X-density-overflows"),
]

# ---------------------------------------------------------------------------------------------
# resp, K, rng, n and the scalar options

THIRDS = np.full((10, 3), 1 / 3)
OTHER_CASES = [
    # resp
    pytest.param(lambda: gmmbook.m_step(X, RESP * 0.5), "resp", r"sum to 1", id="m_step-resp-rows-not-summing-to-1"),
    pytest.param(lambda: gmmbook.m_step(X, spoil(spoil(RESP, (0, 0), 1.5), (0, 1), -0.5)), "resp",
                 r"negative", id="m_step-resp-negative"),
    pytest.param(lambda: gmmbook.m_step(X, RESP[:-1]), "resp", r"rows", id="m_step-resp-wrong-N"),
    pytest.param(lambda: gmmbook.m_step(X, RESP[:, 0]), "resp", r"2-D", id="m_step-resp-1d"),
    pytest.param(lambda: gmmbook.m_step(X, np.zeros((10, 0))), "resp", r"column", id="m_step-resp-no-columns"),
    pytest.param(lambda: gmmbook.m_step(X, spoil(RESP, (4, 1), np.nan)), "resp", NAN_OR_INF, id="m_step-resp-nan"),
    pytest.param(lambda: gmmbook.m_step(X[:2], np.full((2, 3), 1 / 3)), "resp", r"K = 3|K ≤ N",
                 id="m_step-resp-K-greater-than-N"),
    pytest.param(lambda: gmmbook.q_function(X, G, RESP * 2.0), "resp", r"sum to 1", id="q_function-resp-rows"),
    pytest.param(lambda: gmmbook.q_function(X, G, -RESP), "resp", r"negative|sum to 1", id="q_function-resp-negative"),
    pytest.param(lambda: gmmbook.q_function(X, G, RESP[:5]), "resp", r"rows", id="q_function-resp-wrong-N"),
    pytest.param(lambda: gmmbook.q_function(X, G, THIRDS), "resp", r"columns|K =", id="q_function-resp-wrong-K"),
    # K > N
    pytest.param(lambda: gmmbook.em(X[:2], 3, rng=rng()), "init", r"K = 3|K ≤ N", id="em-init-K-greater-than-N"),
    pytest.param(lambda: gmmbook.em(X[:1], G), "init", r"K = 2|K ≤ N", id="em-init-GMM-K-greater-than-N"),
    pytest.param(lambda: gmmbook.kmeans_plusplus_start(X[:2], 3, rng()), "K", r"K ≤ N|only N",
                 id="kmeans_plusplus_start-K-greater-than-N"),
    pytest.param(lambda: gmmbook.kmeans_plusplus_start(X, 0, rng()), "K", r"at least 1", id="kmeans_plusplus_start-K-0"),
    pytest.param(lambda: gmmbook.kmeans_plusplus_start(X, 2.0, rng()), "K", r"whole number",
                 id="kmeans_plusplus_start-K-float"),
    # rng
    pytest.param(lambda: gmmbook.sample(G, 5, 0), "rng", r"Generator", id="sample-rng-int-seed"),
    pytest.param(lambda: gmmbook.sample(G, 5, np.random.RandomState(0)), "rng", r"Generator",
                 id="sample-rng-RandomState"),
    pytest.param(lambda: gmmbook.sample(G, 5, None), "rng", r"Generator", id="sample-rng-None"),
    pytest.param(lambda: gmmbook.em(X, 2, rng=0), "rng", r"Generator", id="em-rng-int-seed"),
    pytest.param(lambda: gmmbook.em(X, 2, rng=np.random.RandomState(0)), "rng", r"Generator",
                 id="em-rng-RandomState"),
    pytest.param(lambda: gmmbook.em(X, 2), "rng", r"required|Generator|default_rng", id="em-init-K-rng-missing"),
    pytest.param(lambda: gmmbook.em(X, G, rng=0), "rng", r"Generator", id="em-init-GMM-rng-int-seed"),
    pytest.param(lambda: gmmbook.kmeans_plusplus_start(X, 2, 0), "rng", r"Generator",
                 id="kmeans_plusplus_start-rng-int-seed"),
    pytest.param(lambda: gmmbook.kmeans_plusplus_start(X, 2, np.random.RandomState(0)), "rng", r"Generator",
                 id="kmeans_plusplus_start-rng-RandomState"),
    # n
    pytest.param(lambda: gmmbook.sample(G, 0, rng()), "n", r"at least 1", id="sample-n-0"),
    pytest.param(lambda: gmmbook.sample(G, -3, rng()), "n", r"at least 1", id="sample-n-negative"),
    pytest.param(lambda: gmmbook.sample(G, 2.5, rng()), "n", r"whole number", id="sample-n-fraction"),
    pytest.param(lambda: gmmbook.sample(G, 10.0, rng()), "n", r"whole number", id="sample-n-float"),
    pytest.param(lambda: gmmbook.sample(G, True, rng()), "n", r"whole number", id="sample-n-bool"),
    pytest.param(lambda: gmmbook.sample(G, "10", rng()), "n", r"whole number", id="sample-n-string"),
    pytest.param(lambda: gmmbook.sample(G, None, rng()), "n", r"whole number", id="sample-n-None"),
    # covariance_type
    pytest.param(lambda: gmmbook.m_step(X, RESP, covariance_type="fulll"), "covariance_type", r"one of",
                 id="m_step-covariance_type-unknown"),
    pytest.param(lambda: gmmbook.em(X, 2, covariance_type="Full", rng=rng()), "covariance_type", r"one of",
                 id="em-covariance_type-unknown"),
    pytest.param(lambda: gmmbook.n_parameters(2, 2, "diagonal"), "covariance_type", r"one of",
                 id="n_parameters-covariance_type-unknown"),
    pytest.param(lambda: gmmbook.bic(X, G, "spherica"), "covariance_type", r"one of", id="bic-covariance_type-unknown"),
    pytest.param(lambda: gmmbook.aic(X, G, None), "covariance_type", r"one of", id="aic-covariance_type-None"),
    # reg_covar, tol, max_iter, n_init
    pytest.param(lambda: gmmbook.m_step(X, RESP, reg_covar=-1e-6), "reg_covar", r"≥ 0", id="m_step-reg_covar-negative"),
    pytest.param(lambda: gmmbook.m_step(X, RESP, reg_covar=np.nan), "reg_covar", r"finite", id="m_step-reg_covar-nan"),
    pytest.param(lambda: gmmbook.em(X, 2, reg_covar=-1.0, rng=rng()), "reg_covar", r"≥ 0", id="em-reg_covar-negative"),
    pytest.param(lambda: gmmbook.em(X, 2, reg_covar="1e-6", rng=rng()), "reg_covar", r"number",
                 id="em-reg_covar-string"),
    pytest.param(lambda: gmmbook.em(X, 2, tol=-1e-3, rng=rng()), "tol", r"≥ 0", id="em-tol-negative"),
    pytest.param(lambda: gmmbook.em(X, 2, tol=np.inf, rng=rng()), "tol", r"finite", id="em-tol-inf"),
    pytest.param(lambda: gmmbook.em(X, 2, max_iter=0, rng=rng()), "max_iter", r"at least 1", id="em-max_iter-0"),
    pytest.param(lambda: gmmbook.em(X, 2, max_iter=1.5, rng=rng()), "max_iter", r"whole number",
                 id="em-max_iter-fraction"),
    pytest.param(lambda: gmmbook.em(X, 2, n_init=0, rng=rng()), "n_init", r"at least 1", id="em-n_init-0"),
    pytest.param(lambda: gmmbook.em(X, G, n_init=2), "n_init", r"must be 1", id="em-n_init-2-with-GMM-start"),
    # init of the wrong type
    pytest.param(lambda: gmmbook.em(X, "2", rng=rng()), "init", r"GMM|number of components", id="em-init-string"),
    pytest.param(lambda: gmmbook.em(X, 2.0, rng=rng()), "init", r"GMM|number of components", id="em-init-float"),
    pytest.param(lambda: gmmbook.em(X, None, rng=rng()), "init", r"GMM|number of components", id="em-init-None"),
    pytest.param(lambda: gmmbook.em(X, True, rng=rng()), "init", r"GMM|number of components", id="em-init-bool"),
    pytest.param(lambda: gmmbook.em(X, (W, M, C), rng=rng()), "init", r"GMM", id="em-init-tuple-of-arrays"),
    pytest.param(lambda: gmmbook.em(X, 0, rng=rng()), "init", r"at least 1", id="em-init-K-0"),
    pytest.param(lambda: gmmbook.em(np.column_stack([X, X]), G), "init", r"D =", id="em-init-GMM-wrong-D"),
    # n_parameters
    pytest.param(lambda: gmmbook.n_parameters(0, 2), "K", r"at least 1", id="n_parameters-K-0"),
    pytest.param(lambda: gmmbook.n_parameters(2.0, 2), "K", r"whole number", id="n_parameters-K-float"),
    pytest.param(lambda: gmmbook.n_parameters(2, -1), "D", r"at least 1", id="n_parameters-D-negative"),
]

# ---------------------------------------------------------------------------------------------
# gmm not a GMM, for every function that takes one

GMM_TAKERS = {
    "log_joint": lambda g: gmmbook.log_joint(X, g),
    "log_marginal": lambda g: gmmbook.log_marginal(X, g),
    "log_likelihood": lambda g: gmmbook.log_likelihood(X, g),
    "responsibilities": lambda g: gmmbook.responsibilities(X, g),
    "e_step": lambda g: gmmbook.e_step(X, g),
    "q_function": lambda g: gmmbook.q_function(X, g, RESP),
    "sample": lambda g: gmmbook.sample(g, 5, rng()),
    "bic": lambda g: gmmbook.bic(X, g),
    "aic": lambda g: gmmbook.aic(X, g),
}
NOT_A_GMM = {"tuple-of-arrays": (W, M, C), "None": None, "data-array": X}

GMM_ARG_CASES = [
    pytest.param(lambda f=f, g=g: f(g), "gmm", r"GMM", id=f"{fname}-gmm-{gname}")
    for fname, f in GMM_TAKERS.items()
    for gname, g in NOT_A_GMM.items()
] + [
    pytest.param(lambda: gmmbook.log_marginal(G, X), "gmm", r"GMM", id="log_marginal-arguments-swapped"),
]


@pytest.mark.parametrize(("call", "argument", "what"), GMM_CASES + X_CASES + OTHER_CASES + GMM_ARG_CASES)
def test_bad_input_raises_value_error_naming_the_argument(call, argument, what):
    with pytest.raises(ValueError, match=rf"(?<![\w.]){re.escape(argument)}(?!\w)") as info:
        call()
    assert re.search(what, str(info.value), flags=re.IGNORECASE), f"message does not say what is wrong: {info.value}"


def test_collapse_error_is_a_value_error():
    assert issubclass(gmmbook.CollapseError, ValueError)


# ---------------------------------------------------------------------------------------------
# nothing returns NaN on valid but extreme input

ZERO_WEIGHT = GMM([0.0, 0.5, 0.5], [[0.0], [4.0], [-4.0]], [[[1.0]], [[0.5]], [[2.0]]])
X_ZERO_WEIGHT = np.array([[0.0], [4.0], [1e6], [-1e6], [2.0]])
NARROW = GMM([0.5, 0.5], [[0.0, 0.0], [1e-3, 0.0]], [1e-12 * np.eye(2), np.eye(2)])
X_NARROW = np.array([[0.0, 0.0], [1e-3, 0.0], [5.0, -5.0], [1e4, 1e4]])
FAR = GMM([0.3, 0.7], [[1e6, 1e6], [1e6 + 1.0, 1e6]], [np.eye(2), [[2.0, 0.9], [0.9, 1.0]]])
X_FAR = np.array([[1e6, 1e6], [-1e6, 3e6], [0.0, 0.0], [1e6 + 1e5, 1e6 - 1e5]])
ONE_POINT = np.array([[0.3]])
# x − c overflows to +inf (c = mean of the means = (−5e307, ½)), and inf · 0 in the product with a
# triangular precision factor would give NaN
EDGE_OF_FLOAT = GMM([0.5, 0.5], [[-1e308, 0.0], [0.0, 1.0]], [np.eye(2), np.eye(2)])


def one_hot(gmm, X_):
    return np.eye(gmm.K)[np.argmax(gmmbook.responsibilities(X_, gmm), axis=1)]


NO_NAN_CASES = [
    pytest.param(lambda: gmmbook.log_joint(X_ZERO_WEIGHT, ZERO_WEIGHT), id="log_joint-zero-weight"),
    pytest.param(lambda: gmmbook.log_marginal(X_ZERO_WEIGHT, ZERO_WEIGHT), id="log_marginal-zero-weight"),
    pytest.param(lambda: gmmbook.log_likelihood(X_ZERO_WEIGHT, ZERO_WEIGHT), id="log_likelihood-zero-weight"),
    pytest.param(lambda: gmmbook.responsibilities(X_ZERO_WEIGHT, ZERO_WEIGHT), id="responsibilities-zero-weight"),
    pytest.param(lambda: gmmbook.e_step(X_ZERO_WEIGHT, ZERO_WEIGHT), id="e_step-zero-weight"),
    pytest.param(lambda: gmmbook.q_function(X_ZERO_WEIGHT, ZERO_WEIGHT,
                                            gmmbook.responsibilities(X_ZERO_WEIGHT, ZERO_WEIGHT)),
                 id="q_function-zero-weight"),
    pytest.param(lambda: gmmbook.sample(ZERO_WEIGHT, 50, rng()), id="sample-zero-weight"),
    pytest.param(lambda: gmmbook.bic(X_ZERO_WEIGHT, ZERO_WEIGHT), id="bic-zero-weight"),
    pytest.param(lambda: gmmbook.aic(X_ZERO_WEIGHT, ZERO_WEIGHT), id="aic-zero-weight"),
    pytest.param(lambda: gmmbook.log_joint(X_NARROW, NARROW), id="log_joint-narrow-component"),
    pytest.param(lambda: gmmbook.log_marginal(X_NARROW, NARROW), id="log_marginal-narrow-component"),
    pytest.param(lambda: gmmbook.responsibilities(X_NARROW, NARROW), id="responsibilities-narrow-component"),
    pytest.param(lambda: gmmbook.q_function(X_NARROW, NARROW, one_hot(NARROW, X_NARROW)), id="q_function-narrow"),
    pytest.param(lambda: gmmbook.log_marginal(X_FAR, FAR), id="log_marginal-far-from-origin"),
    pytest.param(lambda: gmmbook.responsibilities(X_FAR, FAR), id="responsibilities-far-from-origin"),
    pytest.param(lambda: gmmbook.sample(FAR, 50, rng()), id="sample-far-from-origin"),
    pytest.param(lambda: gmmbook.log_marginal(ONE_POINT, ZERO_WEIGHT), id="log_marginal-one-point"),
    pytest.param(lambda: gmmbook.bic(ONE_POINT, ZERO_WEIGHT), id="bic-one-point"),
    pytest.param(lambda: gmmbook.log_joint(spoil(X, (2, 0), 1e200), G), id="log_joint-density-overflows"),
    pytest.param(lambda: gmmbook.log_joint([[1.7e308, 0.0]], EDGE_OF_FLOAT), id="log_joint-difference-overflows"),
    pytest.param(lambda: gmmbook.logsumexp(np.full((3, 4), -np.inf), axis=0), id="logsumexp-all-minus-inf"),
    pytest.param(lambda: gmmbook.logsumexp([[-np.inf, 1e300], [-1e300, -np.inf]]), id="logsumexp-extremes"),
]


def _flatten(result):
    if isinstance(result, tuple):
        return np.concatenate([np.ravel(np.asarray(part, dtype=float)) for part in result])
    return np.ravel(np.asarray(result, dtype=float))


@pytest.mark.parametrize("call", NO_NAN_CASES)
def test_nothing_returns_nan(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN on its way usually announces itself with a warning
        result = call()
    values = _flatten(result)
    assert not np.any(np.isnan(values))
    assert not np.any(values == np.inf)

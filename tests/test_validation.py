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


# ---------------------------------------------------------------------------------------------
# every public function refuses every bad type, naming the argument (issue 13, item 3)


def _records(v):
    out = np.zeros(np.shape(v), dtype=[("value", float)])
    out["value"] = v
    return out


#: Each turns a valid array into one of a type gmmbook must refuse rather than convert.
BAD_ARRAYS = {
    "masked": lambda v: np.ma.masked_array(v, mask=np.arange(np.size(v)).reshape(np.shape(v)) == 0),
    "masked-nothing-masked": lambda v: np.ma.masked_array(v),
    "numeric-strings": lambda v: np.asarray(v).astype(str),
    "numeric-strings-in-a-list": lambda v: np.asarray(v).astype(str).tolist(),
    "bytes": lambda v: np.asarray(v).astype(bytes),
    "datetime64": lambda v: (np.asarray(v) * 1000).astype(np.int64).astype("datetime64[ms]"),
    "timedelta64": lambda v: (np.asarray(v) * 1000).astype(np.int64).astype("timedelta64[ms]"),
    "object": lambda v: np.asarray(v).astype(object),
    "complex": lambda v: np.asarray(v) + 0j,
    "records": _records,
    "None": lambda v: None,
}
#: Bad values for arguments that take one whole number / one real number / a covariance type.
BAD_INTS = {
    "numeric-string": "2", "bytes": b"2", "datetime64": np.datetime64(2, "D"), "timedelta64": np.timedelta64(2),
    "complex": 2 + 0j, "masked": np.ma.masked_array(2), "1-d-array": np.array([2]), "bool": True,
    "numpy-bool": np.bool_(True), "float": 2.0, "None": None, "object-0d": np.array(2, dtype=object),
}
BAD_REALS = {
    "numeric-string": "0.001", "bytes": b"0.001", "datetime64": np.datetime64(1, "D"),
    "timedelta64": np.timedelta64(1), "complex": 1e-3 + 0j, "masked": np.ma.masked_array(1e-3),
    "list": [1e-3], "1-d-array": np.array([1e-3]), "bool": True, "numpy-bool": np.bool_(True), "None": None,
}
BAD_TYPES = {
    "array-of-two": np.array(["full", "diag"]), "list": ["full"], "bytes": b"full", "None": None, "int": 1,
}

PRIOR = gmmbook.Prior(alpha=2.0, nu0=3.0, psi0=np.eye(2))
# two clear clusters, on which em(XE, 2) converges (the 10 points of X can collapse)
XE = np.random.default_rng(1).normal(size=(40, 2)) + 6.0 * (np.arange(40) % 2)[:, None]
# (function, argument, valid value, call with that argument replaced, kind)
ARGUMENTS = [
    ("GMM", "weights", W, lambda v: GMM(v, M, C), "array"),
    ("GMM", "means", M, lambda v: GMM(W, v, C), "array"),
    ("GMM", "covariances", C, lambda v: GMM(W, M, v), "array"),
    ("log_joint", "X", X, lambda v: gmmbook.log_joint(v, G), "array"),
    ("log_marginal", "X", X, lambda v: gmmbook.log_marginal(v, G), "array"),
    ("log_likelihood", "X", X, lambda v: gmmbook.log_likelihood(v, G), "array"),
    ("responsibilities", "X", X, lambda v: gmmbook.responsibilities(v, G), "array"),
    ("e_step", "X", X, lambda v: gmmbook.e_step(v, G), "array"),
    ("q_function", "X", X, lambda v: gmmbook.q_function(v, G, RESP), "array"),
    ("q_function", "resp", RESP, lambda v: gmmbook.q_function(X, G, v), "array"),
    ("m_step", "X", X, lambda v: gmmbook.m_step(v, RESP), "array"),
    ("m_step", "resp", RESP, lambda v: gmmbook.m_step(X, v), "array"),
    ("m_step", "covariance_type", "full", lambda v: gmmbook.m_step(X, RESP, v), "type"),
    ("m_step", "reg_covar", 0.0, lambda v: gmmbook.m_step(X, RESP, reg_covar=v), "real"),
    ("em", "X", XE, lambda v: gmmbook.em(v, 2, rng=rng()), "array"),
    ("em", "init", 2, lambda v: gmmbook.em(XE, v, rng=rng()), "int"),
    ("em", "max_iter", 10, lambda v: gmmbook.em(XE, 2, rng=rng(), max_iter=v), "int"),
    ("em", "n_init", 1, lambda v: gmmbook.em(XE, 2, rng=rng(), n_init=v), "int"),
    ("em", "tol", 1e-3, lambda v: gmmbook.em(XE, 2, rng=rng(), tol=v), "real"),
    ("em", "reg_covar", 0.0, lambda v: gmmbook.em(XE, 2, rng=rng(), reg_covar=v), "real"),
    ("em", "covariance_type", "full", lambda v: gmmbook.em(XE, 2, rng=rng(), covariance_type=v), "type"),
    ("sample", "n", 5, lambda v: gmmbook.sample(G, v, rng()), "int"),
    ("kmeans_plusplus_start", "X", X, lambda v: gmmbook.kmeans_plusplus_start(v, 2, rng()), "array"),
    ("kmeans_plusplus_start", "K", 2, lambda v: gmmbook.kmeans_plusplus_start(X, v, rng()), "int"),
    ("n_parameters", "K", 2, lambda v: gmmbook.n_parameters(v, 2), "int"),
    ("n_parameters", "D", 2, lambda v: gmmbook.n_parameters(2, v), "int"),
    ("n_parameters", "covariance_type", "full", lambda v: gmmbook.n_parameters(2, 2, v), "type"),
    ("aic", "X", X, lambda v: gmmbook.aic(v, G), "array"),
    ("aic", "covariance_type", "full", lambda v: gmmbook.aic(X, G, v), "type"),
    ("bic", "X", X, lambda v: gmmbook.bic(v, G), "array"),
    ("bic", "covariance_type", "full", lambda v: gmmbook.bic(X, G, v), "type"),
    ("logsumexp", "a", X, lambda v: gmmbook.logsumexp(v), "array"),
    ("logsumexp", "axis", 1, lambda v: gmmbook.logsumexp(X, axis=v), "int"),
    ("Prior", "alpha", np.array([2.0, 3.0]), lambda v: gmmbook.Prior(v, 3.0, np.eye(2)), "array"),
    ("Prior", "nu0", 3.0, lambda v: gmmbook.Prior(2.0, v, np.eye(2)), "real"),
    ("Prior", "psi0", np.eye(2), lambda v: gmmbook.Prior(2.0, 3.0, v), "array"),
    ("log_prior", "prior", PRIOR, lambda v: gmmbook.log_prior(G, v), "prior"),
    ("log_prior", "gmm", G, lambda v: gmmbook.log_prior(v, PRIOR), "gmm"),
]
BAD_VALUES = {"array": BAD_ARRAYS, "int": BAD_INTS, "real": BAD_REALS, "type": BAD_TYPES,
              "prior": {"tuple": (2.0, 3.0, np.eye(2)), "None": None, "dict": dict(alpha=2.0)},
              "gmm": {"tuple": (W, M, C), "None": None}}

TYPE_CASES = [
    pytest.param(call, argument, valid, bad, id=f"{fname}-{argument}-{bname}")
    for fname, argument, valid, call, kind in ARGUMENTS
    for bname, bad in BAD_VALUES[kind].items()
]


@pytest.mark.parametrize(("call", "argument", "valid", "bad"), TYPE_CASES)
def test_every_bad_type_is_refused_naming_the_argument(call, argument, valid, bad):
    """No public function converts a mask, text, a time, a complex number or an object silently."""
    make = bad if callable(bad) else (lambda v, bad=bad: bad)
    call(valid)                                       # the call is fine with the valid value …
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # … and refuses the bad one without a warning first
        with pytest.raises(ValueError, match=rf"(?<![\w.]){re.escape(argument)}(?!\w)"):
            call(make(valid))


# ---------------------------------------------------------------------------------------------
# exact conversions are accepted, and give the same result as float64 arrays


class Tagged(np.ndarray):
    """A plain ndarray subclass (no mask), like the arrays of many libraries."""


EXACT = {
    "list": lambda v: np.asarray(v).tolist(),
    "tuple": lambda v: tuple(map(tuple, np.asarray(v))) if np.ndim(v) == 2 else tuple(np.asarray(v)),
    "subclass": lambda v: np.asarray(v).view(Tagged),
    "float32-exact": lambda v: np.asarray(v, dtype=np.float32),
}
X_EXACT = np.round(X * 8) / 8          # exactly representable in float32
RESP_BOOL = RESP.astype(bool)


@pytest.mark.parametrize("convert", EXACT.values(), ids=EXACT.keys())
def test_exact_conversions_are_accepted(convert):
    reference = gmmbook.m_step(X_EXACT, RESP)
    gmm = gmmbook.m_step(convert(X_EXACT), convert(RESP))
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(getattr(gmm, name), getattr(reference, name))
    np.testing.assert_array_equal(gmmbook.log_marginal(convert(X_EXACT), G), gmmbook.log_marginal(X_EXACT, G))


def test_boolean_one_hot_responsibilities_are_accepted():
    reference = gmmbook.m_step(X, RESP)
    gmm = gmmbook.m_step(X, RESP_BOOL)
    np.testing.assert_array_equal(gmm.covariances, reference.covariances)


def test_numpy_matrix_data_is_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)   # np.matrix itself warns on creation
        Xm = np.asmatrix(X)
    np.testing.assert_array_equal(gmmbook.log_marginal(Xm, G), gmmbook.log_marginal(X, G))


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(lambda: gmmbook.sample(G, np.array(3), rng())[0].shape, (3, 2), id="sample-n-0d-array"),
        pytest.param(lambda: gmmbook.sample(G, np.uint8(3), rng())[0].shape, (3, 2), id="sample-n-uint8"),
        pytest.param(lambda: gmmbook.n_parameters(np.int32(2), np.int64(2), np.str_("full")), 11,
                     id="n_parameters-numpy-scalars"),
        pytest.param(lambda: gmmbook.em(XE, np.int64(2), rng=rng(), max_iter=np.int16(3), tol=np.float32(0),
                                        reg_covar=np.array(0.0)).n_iter, 3, id="em-numpy-scalars"),
        pytest.param(lambda: float(gmmbook.logsumexp([0.0, 0.0], axis=np.int64(0))), float(np.log(2.0)),
                     id="logsumexp-numpy-axis"),
    ],
)
def test_numpy_scalars_are_numbers(call, expected):
    assert call() == expected


# ---------------------------------------------------------------------------------------------
# tolerances follow the input's precision (issue 13, item 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("K", [2, 3, 10, 1000])
def test_low_precision_weights_normalised_in_their_own_dtype_are_accepted(dtype, K):
    for seed in range(20):
        raw = np.random.default_rng(seed).uniform(0.1, 1.0, size=K).astype(dtype)
        weights = raw / raw.sum()                        # normalised in float16/float32, as a user would
        assert weights.dtype == dtype
        gmm = GMM(weights, np.zeros((K, 1)), np.ones((K, 1, 1)))
        assert gmm.weights.dtype == np.float64
        np.testing.assert_array_equal(gmm.weights, weights.astype(np.float64))   # stored exactly, not renormalised


def test_float32_weights_from_the_issue_are_accepted():
    weights = np.array([0.2, 0.3, 0.5], np.float32)
    assert abs(weights.astype(np.float64).sum() - 1.0) > 1e-8          # the premise: off in float64
    gmm = GMM(weights, M[[0, 1, 1]], C[[0, 1, 1]])
    assert gmm.weights.dtype == np.float64


@pytest.mark.parametrize(("weights", "accepted"), [
    (np.array([0.4, np.nextafter(np.float32(0.6), np.float32(1))], np.float32), True),   # one float32 ulp off
    (np.array([0.4, 0.6 + 1e-5], np.float32), False),     # 1e-5 is 40 times float32's rounding (K ε = 2.4e-7)
    (np.array([0.4, 0.6 + 1e-6]), False),                 # float64 keeps the 1e-8 tolerance
])
def test_weight_tolerance_is_that_of_the_dtype(weights, accepted):
    if accepted:
        GMM(weights, M, C)
    else:
        with pytest.raises(ValueError, match=r"weights must sum to 1"):
            GMM(weights, M, C)


def test_float32_responsibilities_are_accepted_by_m_step_and_q_function():
    resp64 = np.random.default_rng(2).dirichlet(np.ones(3), size=50)
    resp32 = resp64.astype(np.float32)
    resp32 /= resp32.sum(axis=1, keepdims=True)             # rows normalised in float32
    X50 = np.random.default_rng(3).normal(size=(50, 2))
    assert np.max(np.abs(resp32.astype(np.float64).sum(axis=1) - 1)) > 1e-8     # the premise: off in float64
    gmm = gmmbook.m_step(X50, resp32)
    reference = gmmbook.m_step(X50, resp32.astype(np.float64) / resp32.astype(np.float64).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(gmm.covariances, reference.covariances, rtol=1e-6)
    gmmbook.q_function(X50, gmm, resp32)
    with pytest.raises(ValueError, match=r"rows of resp"):
        gmmbook.m_step(X50, resp32 * np.float32(1.001))


def test_float32_covariances_rounded_asymmetrically_are_accepted():
    rng_ = np.random.default_rng(6)
    A = rng_.standard_normal((2, 5, 5)).astype(np.float32)
    s = rng_.uniform(0.5, 2.0, size=5).astype(np.float32)
    covariances = (A * s) @ A.transpose(0, 2, 1)            # two float32 products: not exactly symmetric
    gmm = GMM([0.5, 0.5], np.zeros((2, 5)), covariances)
    np.testing.assert_array_equal(gmm.covariances, covariances.astype(np.float64))
    bad = covariances.copy()
    bad[0, 0, 1] *= 1.001
    with pytest.raises(ValueError, match=r"covariances\[0\] is not symmetric"):
        GMM([0.5, 0.5], np.zeros((2, 5)), bad)


# ---------------------------------------------------------------------------------------------
# no stray warnings before an error, on degenerate and extreme input (issue 13, item 4)

ALL_EQUAL = np.ones((10, 2))
TWO_VALUES = np.repeat([[0.0], [1.0]], 5, axis=0)
HUGE = np.array([[1e200], [2e200], [-1e200], [1.5e200]])
EDGE = np.array([[1e308], [1.7e308], [-1.7e308], [0.0]])
UNRESOLVABLE = np.array([[0.0], [1e-170], [1.0]])
CONSTANT_COLUMN = np.column_stack([np.random.default_rng(1).normal(size=20), np.full(20, 3.0)])
SUBNORMAL = np.array([[0.0], [1e-310], [2e-310], [3e-310]])
WIDE = GMM([0.5, 0.5], [[0.0], [1e150]], [[[1e300]], [[1e-300]]])

DEGENERATE_CALLS = [
    pytest.param(lambda: gmmbook.em(ALL_EQUAL, 2, rng=rng()), id="em-all-equal-K2"),
    pytest.param(lambda: gmmbook.em(ALL_EQUAL, 1, rng=rng()), id="em-all-equal-K1"),
    pytest.param(lambda: gmmbook.kmeans_plusplus_start(ALL_EQUAL, 3, rng()), id="kmeans-all-equal"),
    pytest.param(lambda: gmmbook.em(TWO_VALUES, 3, rng=rng()), id="em-two-values-K3"),
    pytest.param(lambda: gmmbook.em(TWO_VALUES, 2, rng=rng()), id="em-two-values-K2"),
    pytest.param(lambda: gmmbook.em(HUGE, 2, rng=rng()), id="em-1e200"),
    pytest.param(lambda: gmmbook.em(EDGE, 2, rng=rng()), id="em-edge-of-float"),
    pytest.param(lambda: gmmbook.em(UNRESOLVABLE, 3, rng=rng()), id="em-unresolvable-points"),
    pytest.param(lambda: gmmbook.em(CONSTANT_COLUMN, 2, rng=rng()), id="em-constant-column"),
    pytest.param(lambda: gmmbook.em(SUBNORMAL, 2, rng=rng()), id="em-subnormal-spread"),
    pytest.param(lambda: gmmbook.em(X[:1], 1, rng=rng()), id="em-one-point"),
    pytest.param(lambda: gmmbook.m_step(HUGE, np.eye(2)[[0, 0, 1, 1]]), id="m_step-1e200"),
    pytest.param(lambda: gmmbook.m_step(X, np.column_stack([np.full(10, 1 - 1e-300), np.full(10, 1e-300)])),
                 id="m_step-tiny-N_k"),
    pytest.param(lambda: gmmbook.log_marginal(np.array([[0.0], [1e150], [-1e200]]), WIDE), id="log_marginal-wide"),
    pytest.param(lambda: gmmbook.sample(WIDE, 20, rng()), id="sample-wide"),
    pytest.param(lambda: gmmbook.logsumexp(np.array([1.7e308, -1.7e308, -np.inf])), id="logsumexp-extremes"),
    pytest.param(lambda: gmmbook.logsumexp(np.array([1.0, 2.0]) + 1j), id="logsumexp-complex"),
    pytest.param(lambda: gmmbook.bic(EDGE, GMM([1.0], [[0.0]], [[[1.0]]])), id="bic-edge-of-float"),
]


@pytest.mark.parametrize("call", DEGENERATE_CALLS)
def test_degenerate_input_gives_a_result_or_a_value_error_and_no_warning(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # any warning (SciPy's, NumPy's) fails the test
        try:
            result = call()
        except ValueError:
            return
    assert not np.any(np.isnan(_flatten(result.log_likelihoods if hasattr(result, "gmm") else result)))

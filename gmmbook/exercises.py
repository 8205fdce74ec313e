"""Checkers for the exercises (``exercises/NN_name.ipynb``).

``check(exercise_id, answer)`` runs the student's answer on inputs chosen to expose the classic
mistakes, compares it with the library (which the chapters have already checked against SciPy,
SymPy and scikit-learn), and returns a :class:`Verdict` that says what is right, or names the
mistake and gives a hint.  A checker never raises because of a wrong answer: an exception from
the student's code becomes a failed verdict that shows the error.  An answer that is ``None``, or
a function that raises ``NotImplementedError``, is "not attempted yet".

Every message is deterministic (fixed seeds, rounded numbers), so notebooks that display
verdicts can be compared by nbval.
"""

from __future__ import annotations

import html
import os
import sysconfig
import traceback
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

from .datasets import textbook_1d
from .em import _e_step, _m_step, em, m_step
from .gaussian import _logsumexp
from .mixture import GMM, _gmm_1d, _log_joint, responsibilities, sample
from .selection import n_parameters


@dataclass(frozen=True)
class Verdict:
    """The result of :func:`check`.

    Attributes
    ----------
    exercise_id : str
    passed : bool
        True when the answer is right.
    message : str
        What is right, or which mistake was made and a hint.
    attempted : bool
        False while the answer is still the template's placeholder.
    """

    exercise_id: str
    passed: bool
    message: str
    attempted: bool = True

    @property
    def status(self) -> str:
        if not self.attempted:
            return "not attempted yet"
        return "passed" if self.passed else "not yet right"

    def __str__(self) -> str:
        mark = "✓" if self.passed else ("·" if not self.attempted else "✗")
        return f"{mark} {self.exercise_id}: {self.status}. {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else ("#6e7781" if not self.attempted else "#cf222e")
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 0.3em 0.8em;">'
            f"<b>{html.escape(self.exercise_id)}: {html.escape(self.status)}</b><br>"
            f"{html.escape(self.message)}</div>"
        )


class _Mistake(Exception):
    """Raised inside a checker to stop at the first mistake found."""


class _NotAttempted(Exception):
    pass


_CHECKERS: dict[str, Callable] = {}


def _exercise(exercise_id: str):
    def register(checker):
        _CHECKERS[exercise_id] = checker
        return checker

    return register


def exercise_ids() -> list[str]:
    """The ids that :func:`check` knows."""
    return sorted(_CHECKERS)


def check(exercise_id: str, answer) -> Verdict:
    """Check a student's answer to exercise ``exercise_id``.

    Parameters
    ----------
    exercise_id : str
        One of :func:`exercise_ids`.
    answer : object
        A function, a number, an array or a SymPy expression, as the exercise asks.
        ``None`` means not attempted yet.

    Returns
    -------
    Verdict
        With ``.passed`` and ``.message``; displays as a coloured box in a notebook.

    Raises
    ------
    ValueError
        Only for an unknown ``exercise_id`` (a typo in the notebook, not a wrong answer).
    """
    if exercise_id not in _CHECKERS:
        raise ValueError(f"exercise_id {exercise_id!r} is unknown; known ids: {', '.join(exercise_ids())}.")
    if answer is None or answer is Ellipsis:
        return Verdict(exercise_id, False, "Replace the placeholder with your answer, then run this cell again.", False)
    try:
        # Overflow in the student's code is diagnosed by the checker, not printed as a warning, and
        # the checker's own comparisons of inf/NaN answers print nothing either.
        with np.errstate(all="ignore"):
            message = _CHECKERS[exercise_id](answer)
    except _NotAttempted:
        return Verdict(exercise_id, False, "Your function still raises NotImplementedError: write its body, then run this cell again.", False)
    except _Mistake as mistake:
        return Verdict(exercise_id, False, str(mistake))
    except Exception as exc:  # an answer the checker did not foresee: still a verdict, never a crash
        return Verdict(exercise_id, False, f"Your answer could not be checked ({type(exc).__name__}: {exc}); "
                                           "compare its type and shape with what the exercise asks for.")
    return Verdict(exercise_id, True, message)


# ----------------------------------------------------------------------------------------------
# Helpers


_LIBRARY_DIRS = tuple(
    {os.path.abspath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {os.path.dirname(os.path.abspath(__file__))}
)


def _student_line(exc: BaseException) -> str:
    """`` (line 12: x = ...)`` for the last frame in the student's own code (not NumPy's, not ours), or ""."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # frames[0] is _call itself
    own = [frame for frame in frames if not os.path.abspath(frame.filename).startswith(_LIBRARY_DIRS)]
    return f" (line {own[-1].lineno}: {own[-1].line})" if own else ""


def _call(f, *args):
    """Call the student's function; turn its exceptions into a verdict."""
    if not callable(f):
        raise _Mistake(f"The answer must be a function, got {type(f).__name__}.")
    try:
        result = f(*args)
    except NotImplementedError:
        raise _NotAttempted from None
    except Exception as exc:  # the student's bug, shown to the student
        raise _Mistake(f"Your function raised {type(exc).__name__}: {exc}{_student_line(exc)}.") from None
    if result is None:
        raise _Mistake("Your function returned None: did you forget the return statement?")
    return result


def _describe(value) -> str:
    """``ndarray of shape (2, 3)``, or the type name alone (never raises)."""
    try:
        shape = np.shape(value)
    except Exception:
        return type(value).__name__
    return f"{type(value).__name__} of shape {shape}" if shape else type(value).__name__


def _array(value, name: str, shape: tuple | None = None) -> np.ndarray:
    Name = name[:1].upper() + name[1:]
    try:
        array = np.asarray(value)
        if np.iscomplexobj(array):
            raise _Mistake(f"{Name} should be real numbers, got complex values.")
        array = array.astype(float)
    except (TypeError, ValueError):
        raise _Mistake(f"{Name} should be an array of numbers, got {type(value).__name__}.") from None
    if shape is not None and array.shape != shape:
        raise _Mistake(f"{Name} should have shape {shape}, got {array.shape}.")
    return array


def _close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=rtol, atol=atol)


def _diagnose(got, candidates, default: str, expected=None):
    """Raise the message of the first wrong-answer candidate ``got`` matches, else ``default``.

    A candidate that coincides with ``expected`` on these inputs (e.g. "ignored the weights" when
    the weights are equal) says nothing about the answer and is skipped.
    """
    for wrong, message in candidates:
        try:
            if expected is not None and _close(wrong, expected, rtol=1e-4, atol=1e-8):
                continue
            if _close(got, wrong, rtol=1e-4, atol=1e-8):
                raise _Mistake(message)
        except (ValueError, TypeError):
            continue
    raise _Mistake(default)



# ----------------------------------------------------------------------------------------------
# Chapter 01 and 03


@_exercise("count_parameters")
def _check_count_parameters(f):
    """f(K, D) → the number of free parameters of a full-covariance GMM (chapter 01, eq. count)."""
    for K, D in [(1, 1), (2, 2), (3, 4), (5, 10)]:
        got = _call(f, K, D)
        expected = n_parameters(K, D, "full")
        try:
            scalar = np.ndim(got) == 0
            if scalar and bool(got == expected):
                continue
        except Exception:
            scalar = False
        if not scalar or isinstance(got, (str, bytes, bool, np.bool_)):
            raise _Mistake(f"Return one whole number, the count; for K={K}, D={D} you returned {_describe(got)}.")
        _diagnose(got, [
            (K * D + K + K * D * (D + 1) // 2,
             f"For K={K}, D={D} you counted K weights; they sum to 1, so only K − 1 of them are free."),
            (K * D + (K - 1) + K * D * D,
             f"For K={K}, D={D} you counted D² numbers per covariance; it is symmetric, so only D(D+1)/2 are free."),
            (K * D + (K - 1) + K * D,
             f"For K={K}, D={D} you counted only the variances (a diagonal covariance); a full one also has D(D−1)/2 covariances."),
        ], f"For K={K}, D={D} you returned {got!r}; the count is K·D means + (K−1) weights + K·D(D+1)/2 covariance entries.")
    return "Right: K·D + (K − 1) + K·D(D + 1)/2, which grows like O(D²K) and not with N."


@_exercise("mixture_density")
def _check_mixture_density(f):
    """f(X, weights, means, covariances) → (N,) the mixture density p(x_n) (chapter 01, eq. mixture)."""
    X1 = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 4.0]).reshape(-1, 1)
    gmm1 = _gmm_1d([0.2, 0.5, 0.3], [-2.0, 0.0, 3.0], [0.5, 2.0, 0.25])
    X2 = np.array([[0.0, 0.0], [1.0, -1.0], [2.0, 3.0]])
    gmm2 = GMM(np.array([0.7, 0.3]), np.array([[0.0, 0.0], [2.0, 2.0]]),
               np.array([[[1.0, 0.6], [0.6, 2.0]], [[0.5, 0.0], [0.0, 0.5]]]))
    for what, X, gmm in [("a 1-D mixture", X1, gmm1), ("a 2-D mixture", X2, gmm2)]:
        expected = np.exp(_logsumexp(_log_joint(X, gmm), axis=1))
        got = _call(f, X.copy(), gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy())
        got = _array(got, "the density")
        if got.shape == (X.shape[0], gmm.K):
            raise _Mistake(f"On {what} you returned one column per component, shape {got.shape}: sum the weighted components over k.")
        if got.shape != expected.shape:
            raise _Mistake(f"On {what} the density should have shape {expected.shape} (one value per point), got {got.shape}.")
        if _close(got, expected, rtol=1e-6, atol=1e-300):
            continue
        equal = GMM(np.full(gmm.K, 1 / gmm.K), gmm.means, gmm.covariances)
        candidates = [
            (np.exp(_log_joint(X, equal)).sum(axis=1) * gmm.K,
             "You ignored the weights: p(x) = Σ_k π_k N(x | μ_k, Σ_k)."),
            (np.exp(_log_joint(X, equal)).sum(axis=1),
             "You used equal weights 1/K; use the mixture's weights π_k."),
        ]
        if gmm.D == 1:
            variance_as_scale = _gmm_1d(gmm.weights, gmm.means, gmm.covariances.ravel() ** 2)
            candidates.append((np.exp(_logsumexp(_log_joint(X, variance_as_scale), axis=1)),
                               "You used the variance where the standard deviation belongs (scipy.stats.norm's scale is σ = √σ²)."))
        candidates.append((np.log(expected), "You returned ln p(x); this exercise asks for the density p(x) itself."))
        chol = np.linalg.cholesky(gmm.covariances)
        transposed = GMM(gmm.weights, gmm.means, np.swapaxes(chol, 1, 2) @ chol)
        candidates.append((np.exp(_logsumexp(_log_joint(X, transposed), axis=1)),
                           "You solved with Lᵀ instead of L: ‖L⁻ᵀ(x − μ)‖² = (x − μ)ᵀ(LᵀL)⁻¹(x − μ) is not Δ². "
                           "Use u = L⁻¹(x − μ), solve_triangular(L, (X − μ).T, lower=True)."))
        _diagnose(got, candidates, f"On {what} expected {np.array2string(expected, precision=4)}, got {np.array2string(got, precision=4)}. "
                  "Compare one component with scipy.stats.multivariate_normal(μ_k, Σ_k).pdf(X): the normaliser is "
                  "(2π)^(D/2) (det Σ_k)^(1/2) and the exponent −½ Δ².", expected=expected)
    return "Right: p(x) = Σ_k π_k N(x | μ_k, Σ_k)."


@_exercise("mixture_moments")
def _check_mixture_moments(f):
    """f(weights, means, covariances) → (mean, cov) of the mixture density (exercises of chapter 01, eq. mixture-cov).

    mean = Σ_k π_k μ_k,  cov = Σ_k π_k Σ_k + Σ_k π_k (μ_k − mean)(μ_k − mean)ᵀ.
    """
    cases = [("a 1-D mixture", _gmm_1d([0.2, 0.5, 0.3], [-2.0, 0.0, 3.0], [0.5, 2.0, 0.25])),
             ("a 2-D mixture", _SAMPLE_GMM)]
    for what, gmm in cases:
        result = _call(f, gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy())
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise _Mistake(f"Return a pair (mean, cov), got {_describe(result)}.")
        D = gmm.D
        mean = _array(result[0], "the mean", (D,))
        cov = _array(result[1], "the covariance", (D, D))
        expected_mean = gmm.weights @ gmm.means
        centred = gmm.means - expected_mean
        within = np.einsum("k,kij->ij", gmm.weights, gmm.covariances)
        between = np.einsum("k,ki,kj->ij", gmm.weights, centred, centred)
        if not _close(mean, expected_mean, rtol=1e-6, atol=1e-9):
            _diagnose(mean, [(gmm.means.mean(axis=0), "Your mean is the plain average of the μ_k; weight each by π_k.")],
                      f"On {what} the mean should be {np.array2string(expected_mean, precision=3)}, yours is "
                      f"{np.array2string(mean, precision=3)}: E[x] = Σ_k π_k μ_k.", expected=expected_mean)
        if not _close(cov, within + between, rtol=1e-6, atol=1e-9):
            _diagnose(cov, [
                (within, "Your covariance has only the spread within the components, Σ_k π_k Σ_k; add the spread of the means "
                         "between them, Σ_k π_k (μ_k − μ̄)(μ_k − μ̄)ᵀ."),
                (between, "Your covariance has only the spread between the component means; add the spread within them, Σ_k π_k Σ_k."),
                (within + np.einsum("k,ki,kj->ij", gmm.weights, gmm.means, gmm.means),
                 "You computed E[x xᵀ] = Σ_k π_k (Σ_k + μ_k μ_kᵀ); subtract μ̄ μ̄ᵀ to get the covariance."),
                (within + np.cov(gmm.means.T, bias=True).reshape(D, D),
                 "Your spread between the components is the unweighted covariance of the μ_k; weight each "
                 "(μ_k − μ̄)(μ_k − μ̄)ᵀ by π_k."),
                (np.einsum("k,kij->ij", gmm.weights ** 2, gmm.covariances) + between,
                 "You weighted the Σ_k by π_k²; a mixture is not a weighted sum of random variables: Cov = Σ_k π_k Σ_k + between."),
            ], f"On {what} the covariance should be {np.array2string((within + between).ravel(), precision=3)} (flattened), "
               f"yours is {np.array2string(cov.ravel(), precision=3)}.", expected=within + between)
    return "Right: the mean is Σ_k π_k μ_k and the covariance is within (Σ_k π_k Σ_k) plus between (the spread of the means)."


@_exercise("equal_maxima")
def _check_equal_maxima(f):
    """f(K) → the number of equal maxima that relabelling gives a fit with K different components, K! (chapter 03, eq. perm)."""
    import math

    for K in [5, 10, 2, 3, 1]:   # K = 5 first: there K, K^K, 2^K and K!/2 all differ from K! and from each other
        got = _call(f, K)
        expected = math.factorial(K)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
            raise _Mistake(f"Return one number, got {_describe(got)}.")
        if got == expected or (isinstance(got, (float, np.floating)) and np.isclose(float(got), expected, rtol=1e-9)):
            continue
        _diagnose(got, [
            (K, f"For K={K} you returned K; a relabelling is a permutation of all K components, not a choice of one."),
            (K ** K, f"For K={K} you returned K^K; a relabelling uses each label exactly once (a permutation), so K!."),
            (2 ** K, f"For K={K} you returned 2^K; count the orderings of the K components: K!."),
            (expected // 2 if K > 1 else -1, f"For K={K} you returned K!/2; that is for two identical components. Here all K differ."),
        ], f"For K={K} you returned {got!r}; count the permutations of K labels.", expected=expected)
    return "Right: K! relabellings, all different when the components are: 2, 6, 120, 3 628 800 for K = 2, 3, 5, 10."


@_exercise("log_sum_exp")
def _check_log_sum_exp(f):
    """f(a) → log Σ exp(a) over the last axis (chapter 03, eq. logsumexp)."""
    cases = [  # (what, a, whether exp(a) overflows or underflows)
        ("a small vector", np.array([0.1, -1.2, 0.5]), False),
        ("a 2-D array (one result per row)", np.array([[0.0, 1.0, 2.0], [3.0, -4.0, 0.5]]), False),
        ("large values", np.array([1000.0, 1000.0, 999.0]), True),
        ("very negative values (tiny probabilities)", np.array([-1000.0, -1001.0, -1002.0]), True),
        ("an entry of -inf (a probability of exactly 0)", np.array([-np.inf, 0.0, -1.0]), False),
        ("values far apart (a largest term and tiny ones)", np.array([0.0, -800.0, -5.0]), False),
        ("rows of very different sizes", np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]]), True),
        ("a row that is -inf throughout (every probability 0)", np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]]), False),
    ]
    for what, a, extreme in cases:
        expected = _logsumexp(a, axis=-1)
        got = _call(f, a.copy())
        got_array = _array(got, "the result")
        if got_array.shape != expected.shape:
            if got_array.size == 1 and a.ndim == 2:
                raise _Mistake(f"On {what} you returned one number; sum over the last axis only (axis=-1), one result per row.")
            if got_array.shape == expected.shape + (1,):
                raise _Mistake(f"On {what} you kept the summed axis (shape {got_array.shape}); drop it: the result should have shape {expected.shape}.")
            raise _Mistake(f"On {what} the result should have shape {expected.shape}, got {got_array.shape}: reduce the last axis only.")
        if _close(got_array, expected, rtol=1e-6, atol=1e-10):
            continue
        inf_rows = np.isneginf(expected)
        if np.any(inf_rows):
            if np.array_equal(np.isneginf(got_array), inf_rows) and _close(got_array[~inf_rows], expected[~inf_rows], rtol=1e-6, atol=1e-10):
                continue
            if np.any(np.isnan(got_array[inf_rows])):
                raise _Mistake(f"On {what} you returned nan: with m = −∞, a − m is −∞ − (−∞) = nan. "
                               "Use a finite m (e.g. 0) for such rows; the answer is −∞, the logarithm of a sum of zeros.")
        if a.ndim == 2 and np.all(np.isfinite(a)) and np.isclose(got_array[0], expected[0]) and not np.all(np.isfinite(got_array)):
            raise _Mistake(f"On {what} you returned {np.array2string(got_array, precision=4)}: subtract each row's own maximum "
                           "(np.max(a, axis=-1, keepdims=True)), not the maximum of the whole array.")
        if not np.all(np.isfinite(got_array)) and not extreme:
            raise _Mistake(f"On {what} you returned {np.array2string(got_array, precision=4)}, which is not finite; "
                           f"the answer is {np.array2string(np.asarray(expected), precision=4)}."
                           + (" Subtract the maximum m = max_j a_j (not the minimum or the mean): then every exponent a_j − m is ≤ 0,"
                              " nothing overflows, and no −∞ − (−∞) = nan appears." if not np.all(np.isfinite(a)) or np.ptp(a) > 700 else ""))
        if not np.all(np.isfinite(got_array)):
            raise _Mistake(
                f"On {what} you returned {np.array2string(got_array, precision=4)}: computing exp(a) directly "
                "overflows or underflows (probability space). Subtract the maximum m first: log Σ exp(a) = m + log Σ exp(a − m)."
            )
        m = np.max(a, axis=-1)
        _diagnose(got_array, [
            (expected - m, f"On {what} your result is off by the maximum: after log Σ exp(a − m), add m back."),
            (np.log(np.sum(np.exp(a - m[..., None]) if a.ndim > 1 else np.exp(a - m), axis=-1)),
             f"On {what} your result is off by the maximum: after log Σ exp(a − m), add m back."),
        ], f"On {what} expected {np.array2string(np.asarray(expected), precision=4)}, got {np.array2string(got_array, precision=4)}.")
    return "Right, and stable: it stays finite for large and very negative values, and handles −∞."


# ----------------------------------------------------------------------------------------------
# Chapter 02


_SAMPLE_GMM = GMM(
    np.array([0.6, 0.3, 0.1]),
    np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]]),
    np.array([[[4.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 9.0]], [[2.0, -1.0], [-1.0, 2.0]]]),
)


def _sample_for_checks(n: int = 50):
    """A fixed sample of n points from the checkers' 2-D mixture."""
    return sample(_SAMPLE_GMM, n, np.random.default_rng(11))


@_exercise("sample")
def _check_sample(f):
    """f(weights, means, covariances, n, rng) → (X, labels): ancestral sampling (chapter 02)."""
    gmm, n = _SAMPLE_GMM, 20000
    result = _call(f, gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy(), n, np.random.default_rng(2024))
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise _Mistake("Return a pair (X, labels).")
    X = _array(result[0], "X", (n, 2))
    labels = np.asarray(result[1])
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise _Mistake(f"labels should be an integer array of shape ({n},), got {labels.dtype} with shape {labels.shape}.")
    if labels.min() < 0 or labels.max() >= gmm.K:
        raise _Mistake(f"labels should be component indices 0 … {gmm.K - 1}.")
    if not np.all(np.isfinite(X)):
        raise _Mistake("X contains NaN or infinite values.")
    counts = np.bincount(labels, minlength=gmm.K)
    p_freq = stats.chisquare(counts, n * gmm.weights).pvalue
    if p_freq < 1e-4:
        freq = np.array2string(counts / n, precision=3)
        if np.allclose(counts / n, 1 / gmm.K, atol=0.02):
            raise _Mistake(f"The labels are (nearly) uniform, {freq}, but π = (0.6, 0.3, 0.1): draw z with probabilities π (rng.choice(K, size=n, p=weights)).")
        raise _Mistake(f"The label frequencies {freq} do not match π = (0.6, 0.3, 0.1) (chi-square p = {p_freq:.1e}).")
    if np.all(np.diff(labels) >= 0):
        raise _Mistake("The points are sorted by component; draw each z_n independently so that the rows come in random order.")
    again = _call(f, gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy(), n, np.random.default_rng(2024))
    if not (isinstance(again, (tuple, list)) and len(again) == 2 and np.array_equal(np.asarray(again[1]), labels)
            and np.array_equal(np.asarray(again[0], dtype=float), X)):
        raise _Mistake("Two calls with generators seeded alike gave different samples: take all randomness from rng "
                       "(rng.choice, rng.standard_normal, or random_state=rng in SciPy), not from np.random or an unseeded generator.")
    for k in range(gmm.K):
        Xk = X[labels == k]
        mean_err = np.abs(Xk.mean(axis=0) - gmm.means[k]) / np.sqrt(np.diag(gmm.covariances[k]) / len(Xk))
        if np.any(mean_err > 6):
            raise _Mistake(
                f"The points labelled {k} have mean {np.array2string(Xk.mean(axis=0), precision=2)}, not μ_{k} = "
                f"{np.array2string(gmm.means[k], precision=2)}: do the labels match the points you drew?"
            )
        cov = np.cov(Xk.T, bias=True)
        target = gmm.covariances[k]
        if not np.allclose(cov, target, rtol=0.15, atol=0.15):
            if np.allclose(cov, target @ target, rtol=0.2, atol=0.3):
                raise _Mistake(
                    f"Component {k}'s sample covariance is about Σ², not Σ: you used the covariance as a scale. "
                    "Multiply standard normal draws by a square root L of Σ (Σ = L Lᵀ, e.g. np.linalg.cholesky)."
                )
            L = np.linalg.cholesky(target)
            if np.allclose(cov, L.T @ L, rtol=0.15, atol=0.15) and not np.allclose(L.T @ L, target, rtol=0.15, atol=0.15):
                raise _Mistake(
                    f"Component {k}'s sample covariance is about LᵀL, not Σ = LLᵀ: you multiplied by the transposed "
                    "Cholesky factor. x = μ + L ε for a column ε; for rows of standard normals E, X = μ + E @ L.T."
                )
            if np.allclose(cov, np.diag(np.diag(target)), rtol=0.15, atol=0.15) and not np.allclose(target, np.diag(np.diag(target))):
                raise _Mistake(f"Component {k}'s points have no correlation: use the full Σ_{k}, not only its diagonal.")
            raise _Mistake(
                f"Component {k}'s sample covariance {np.array2string(cov, precision=2)} does not match Σ_{k} = "
                f"{np.array2string(target, precision=2)}."
            )
    return "Right: frequencies match π (chi-square test), and each component's points have mean μ_k and covariance Σ_k."


@_exercise("complete_log_likelihood")
def _check_complete_log_likelihood(f):
    """f(X, labels, weights, means, covariances) → ln p(X, Z) = Σ_n [ln π_{z_n} + ln N(x_n | μ_{z_n}, Σ_{z_n})] (chapter 02)."""
    gmm = _SAMPLE_GMM
    for n in (50, 500):   # with 500 points p(X, Z) ≈ e^(−2000) underflows to 0 in probability space
        X, labels = _sample_for_checks(n)
        log_joint = _log_joint(X, gmm)
        rows = np.arange(n)
        expected = float(np.sum(log_joint[rows, labels]))
        got = _call(f, X.copy(), labels.copy(), gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy())
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise _Mistake(f"Return one number, ln p(X, Z), got {_describe(got)}.") from None
        if np.isclose(got, expected, rtol=1e-6, atol=1e-9):
            continue
        if not np.isfinite(got):
            raise _Mistake(
                f"With N = {n} points you returned {got}: the product of {n} densities underflows to 0 "
                "(probability space). Add logarithms instead: ln p(X, Z) = Σ_n [ln π_(z_n) + ln N(x_n | μ_(z_n), Σ_(z_n))]."
            )
        log_dens = log_joint - np.log(gmm.weights)
        _diagnose(got, [
            (float(np.sum(log_dens[rows, labels])), "You left out ln π_{z_n}: p(x, z) = p(z) p(x | z), and p(z_k = 1) = π_k."),
            (float(np.sum(_logsumexp(log_joint, axis=1))), "You summed z out: that is ln p(X), the marginal. With Z known, keep only the term of each point's own label."),
            (float(np.sum(log_joint)), "You added the terms of every component; the one-hot z_nk keeps only the term of the point's own label."),
            (float(np.exp(np.sum(log_joint[rows, labels]))), "You returned p(X, Z); return its logarithm (the product underflows)."),
            (expected / n, "You returned the mean over the points; ln p(X, Z) is the total, a sum over n."),
        ], f"With N = {n} points expected ln p(X, Z) ≈ {expected:.3f}, got {got:.3f}.", expected=expected)
    return "Right: with Z known, ln p(X, Z) picks one term ln π_k + ln N(x_n | μ_k, Σ_k) per point, summed in log space."


@_exercise("n_labellings")
def _check_n_labellings(f):
    """f(N, K) → the number of labellings Z of N points with K components, K^N (chapter 02/03)."""
    for N, K in [(1, 3), (2, 2), (3, 2), (6, 3), (272, 2)]:
        got = _call(f, N, K)
        expected = K ** N
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
            raise _Mistake(f"Return one number, got {_describe(got)}.")
        if got == expected or (isinstance(got, (float, np.floating)) and np.isclose(float(got), float(expected), rtol=1e-12)):
            continue
        if isinstance(got, np.integer) and expected > np.iinfo(got.dtype).max:
            raise _Mistake(f"For N={N}, K={K} you returned {int(got)}: K^N = {float(expected):.3g} does not fit in a NumPy "
                           f"{got.dtype} and overflowed. Compute with Python integers (K ** N) or floats.")
        _diagnose(got, [
            (N ** K, f"For N={N}, K={K} you returned N^K; each of the N points picks one of K labels, so K·K·…·K = K^N."),
            (N * K, f"For N={N}, K={K} you returned N·K: that is the number of terms after factorising, not of labellings."),
            (N + K, f"For N={N}, K={K} you returned N + K; the choices multiply: K for each of the N points."),
        ], f"For N={N}, K={K} you returned {got!r}; each point has K possible labels, independently of the others.")
    return "Right: K^N labellings (2^272 ≈ 7.6e81 for Old Faithful), which the factorisation reduces to N·K terms."


# ----------------------------------------------------------------------------------------------
# Chapter 04


def _responsibility_cases():
    """Inputs with unequal weights, variances ≠ 1 and a far-away point."""
    X, gmm = textbook_1d()
    far = GMM(np.array([0.7, 0.3]), np.array([[0.0, 0.0], [3.0, 1.0]]),
              np.array([[[0.5, 0.1], [0.1, 0.3]], [[2.0, 0.0], [0.0, 0.5]]]))
    X_far = np.array([[0.5, 0.2], [1.5, 0.5], [60.0, -40.0]])
    unequal = _gmm_1d([0.6, 0.1, 0.3], [-4.0, 0.0, 8.0], [1.0, 0.2, 3.0])
    return [("the textbook example", X, gmm), ("unequal weights", X, unequal), ("a point far from both components", X_far, far)]


def _resp_mistakes(X, gmm):
    equal_weights = GMM(np.full(gmm.K, 1 / gmm.K), gmm.means, gmm.covariances)
    joint = np.exp(_log_joint(X, gmm))
    mistakes = [
        (joint, "Your rows do not sum to 1: you returned π_k N(x_n | μ_k, Σ_k). Divide each row by its sum, p(x_n)."),
        (joint / joint.sum(axis=0), "You normalised each column (over the points n); normalise each row over the "
                                    "components k, so that Σ_k r_nk = 1."),
        (responsibilities(X, equal_weights), "You ignored the weights: r_nk ∝ π_k N(x_n | μ_k, Σ_k), not N(x_n | μ_k, Σ_k) alone."),
        (np.eye(gmm.K)[np.argmax(joint, axis=1)], "You returned hard assignments (one-hot rows, the argmax); r_nk is a probability: "
                                                  "keep the whole normalised row π_k N_k / Σ_j π_j N_j."),
        (np.log(responsibilities(X, gmm)), "You returned ln r_nk; exponentiate at the end."),
    ]
    if gmm.D == 1:
        variance_as_scale = _gmm_1d(gmm.weights, gmm.means, gmm.covariances.ravel() ** 2)
        mistakes.append((responsibilities(X, variance_as_scale),
                         "You used the variance where the standard deviation belongs (scale=σ², but scipy.stats.norm's scale is σ = √σ²)."))
    return mistakes


def _rows_not_normalised(got, what) -> str | None:
    """The message for responsibilities whose rows do not sum to 1, or None if they do."""
    row_sums = got.sum(axis=1)
    if np.all(np.isfinite(row_sums)) and not np.allclose(row_sums, 1.0, atol=1e-3):
        return (
            f"On {what} your rows do not sum to 1 (the first sums to {row_sums[0]:.4g}): "
            "r_nk is π_k N(x_n | μ_k, Σ_k) divided by its row's sum p(x_n) = Σ_j π_j N(x_n | μ_j, Σ_j)."
        )
    return None


@_exercise("responsibilities")
def _check_responsibilities(f):
    """f(X, weights, means, covariances) → (N, K) responsibilities (chapter 04, eq. resp)."""
    for what, X, gmm in _responsibility_cases():
        expected = responsibilities(X, gmm)
        got = _array(_call(f, X.copy(), gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy()),
                     "the responsibilities", expected.shape)
        if _close(got, expected, rtol=1e-6, atol=1e-10):
            continue
        if not np.all(np.isfinite(got)):
            if np.max(_log_joint(X, gmm), axis=1).min() < np.log(np.finfo(float).tiny):
                raise _Mistake(
                    f"On {what} you returned NaN or inf: the densities underflow to 0 in probability space, and 0/0 is NaN. "
                    "Work with log π_k + log N_k, subtract the row's log-sum-exp, then exponentiate."
                )
            raise _Mistake(f"On {what} you returned NaN or inf, although no density here is small enough to round to 0: look for a division by zero or the log of 0.")
        _diagnose(got, _resp_mistakes(X, gmm), _rows_not_normalised(got, what) or
                  f"On {what} expected {np.array2string(expected, precision=3)}, got {np.array2string(got, precision=3)}.",
                  expected=expected)
    return "Right: Bayes' rule, normalised, in log space (finite even for far-away points)."


@_exercise("textbook_responsibilities")
def _check_textbook_responsibilities(answer):
    """The (7, 3) responsibilities of the textbook example, computed by hand (chapter 04)."""
    X, gmm = textbook_1d()
    expected = responsibilities(X, gmm)
    got = _array(answer, "the responsibilities", expected.shape)
    if _close(got, expected, rtol=1e-3, atol=1e-3):
        return "Right: each row is π_k N(x_n | μ_k, σ_k²) divided by its sum."
    n = int(np.argmax(np.any(~np.isclose(got, expected, rtol=1e-3, atol=1e-3), axis=1)))
    precision = "; give at least 3 decimals" if np.allclose(got, expected, rtol=0, atol=0.006) else ""
    _diagnose(got, _resp_mistakes(X, gmm), _rows_not_normalised(got, "the textbook example") or
              f"Not yet: row {n + 1} (x = {X[n, 0]:g}) should be about {np.array2string(expected[n], precision=3, suppress_small=True)}, "
              f"yours is {np.array2string(got[n], precision=3, suppress_small=True)}{precision}.", expected=expected)


# ----------------------------------------------------------------------------------------------
# Chapter 05


def _m_step_mistakes(X, resp):
    N, D = X.shape
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    diff = X[None, :, :] - means[:, None, :]                       # (K, N, D)
    weighted = np.einsum("nk,kni,knj->kij", resp, diff, diff)
    one_hot = np.zeros_like(resp)
    one_hot[np.arange(N), resp.argmax(axis=1)] = 1
    return {
        "weights": [(nk, "Your weights are N_k; divide by N so that they sum to 1 (π_k = N_k / N).")],
        "means": [(resp.T @ X / N, "Your means are divided by N; divide by N_k = Σ_n r_nk instead (μ_k = Σ_n r_nk x_n / N_k).")],
        "covariances": [
            (weighted / N, "Your covariances are divided by N; divide by N_k instead."),
            (np.einsum("kni,knj->kij", diff, diff) / nk[:, None, None],
             "Your covariances leave out the weights: Σ_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k, each outer product times r_nk."),
            (np.einsum("kni,knj->kij", diff, diff) / N,
             "Your covariances are unweighted averages over all N points; weight each outer product by r_nk and divide by N_k."),
            (weighted / (nk - 1)[:, None, None], "Your covariances are divided by N_k − 1; the maximum-likelihood update divides by N_k."),
            (np.einsum("nk,ni,nj->kij", resp, X - X.mean(axis=0), X - X.mean(axis=0)) / nk[:, None, None],
             "Your covariances are centred on the mean of all the data; centre each on its own new mean μ_k."),
            (np.broadcast_to(np.cov(X.T, bias=True).reshape(D, D), (len(nk), D, D)),
             "Your covariance is the unweighted covariance of all the data; weight each point by r_nk."),
            (np.stack([np.cov(X[one_hot[:, k] == 1].T, bias=True).reshape(D, D) if one_hot[:, k].sum() > 1 else np.eye(D)
                       for k in range(len(nk))]),
             "Your covariances use hard assignments; weight every point by its responsibility r_nk."),
        ],
    }


@_exercise("m_step")
def _check_m_step(f):
    """f(X, resp) → (weights, means, covariances) (chapter 05, eqs. m-weights, m-means, m-cov)."""
    X_tb, gmm_tb = textbook_1d()
    rng = np.random.default_rng(5)
    X2 = rng.normal(size=(40, 2)) * [2.0, 0.5] + [10.0, -3.0]
    resp2 = rng.dirichlet([0.7, 0.7, 0.7], size=40)
    for what, X, resp in [("the textbook example", X_tb, responsibilities(X_tb, gmm_tb)), ("a 2-D example", X2, resp2)]:
        expected = m_step(X, resp)
        K, (N, D) = resp.shape[1], X.shape
        result = _call(f, X.copy(), resp.copy())
        if not (isinstance(result, (tuple, list)) and len(result) == 3):
            raise _Mistake("Return a triple (weights, means, covariances).")
        shapes = {"weights": (K,), "means": (K, D), "covariances": (K, D, D)}
        got = {name: _array(value, name, shapes[name]) for name, value in zip(shapes, result)}
        mistakes = _m_step_mistakes(X, resp)
        for name in shapes:
            if not _close(got[name], getattr(expected, name), rtol=1e-6, atol=1e-10):
                _diagnose(got[name], mistakes[name],
                          f"On {what} your {name} are not right: expected {np.array2string(getattr(expected, name).ravel()[:6], precision=3)}"
                          f"{' …' if getattr(expected, name).size > 6 else ''}.")
    return "Right: π_k = N_k/N, μ_k = Σ_n r_nk x_n / N_k, Σ_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k, with the new μ_k."


@_exercise("spherical_variances")
def _check_spherical_variances(f):
    """f(X, resp) → (K,) the spherical M-step variances σ_k² = Σ_n r_nk ‖x_n − μ_k‖² / (D N_k) (chapter 05)."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 3)) * [1.0, 2.0, 0.5]
    resp = rng.dirichlet([1.0, 1.0], size=30)
    expected = m_step(X, resp, covariance_type="spherical").covariances[:, 0, 0]
    got = _array(_call(f, X.copy(), resp.copy()), "the variances", expected.shape)
    if _close(got, expected, rtol=1e-6):
        return "Right: σ_k² is the responsibility-weighted mean squared distance to μ_k, per dimension (divide by D N_k)."
    N, D = X.shape
    nk = resp.sum(axis=0)
    _diagnose(got, [
        (expected * D, "You forgot to divide by D: ‖x − μ‖² sums D squared coordinates, so σ_k² = Σ_n r_nk ‖x_n − μ_k‖² / (D N_k)."),
        (expected * nk / N, "You divided by N; divide by N_k."),
        (np.sqrt(expected), "You returned σ_k, the standard deviation; return the variance σ_k² (no square root)."),
        (expected / D, "You divided by D twice: ‖x − μ‖² sums D squared coordinates, so divide Σ_n r_nk ‖x_n − μ_k‖² by D N_k once."),
        (expected * nk / (nk - 1), "You divided by N_k − 1; the maximum-likelihood update divides by N_k."),
        (np.sum((X[:, None, :] - (resp.T @ X / nk[:, None])[None]) ** 2, axis=(0, 2)) / (D * nk),
         "You left out the weights: σ_k² = Σ_n r_nk ‖x_n − μ_k‖² / (D N_k), each squared distance times r_nk."),
        (resp.T @ np.sum((X - X.mean(axis=0)) ** 2, axis=1) / (D * nk),
         "Your distances are measured from the mean of all the data; measure them from each component's own μ_k = Σ_n r_nk x_n / N_k."),
    ], "Not yet: set the derivative of Q with respect to σ_k² to zero; remember det(σ²I) = σ^{2D}.")


@_exercise("lagrange_multiplier")
def _check_lagrange_multiplier(answer):
    """λ as a SymPy expression in N = sympy.Symbol("N", positive=True) (chapter 05, eq. m-weights)."""
    import sympy

    N = sympy.Symbol("N", positive=True)
    if isinstance(answer, (list, tuple)):  # sympy.solve returns a list of solutions
        if len(answer) != 1:
            raise _Mistake(f"Give one SymPy expression for λ, not a {type(answer).__name__} of {len(answer)} items.")
        answer = answer[0]
    if isinstance(answer, dict) and len(answer) == 1:  # sympy.solve(..., dict=True)[0]
        answer = next(iter(answer.values()))
    if isinstance(answer, sympy.Equality):  # Eq(lam, -N)
        answer = answer.rhs
    try:
        expr = sympy.sympify(answer)
    except (sympy.SympifyError, TypeError, ValueError):
        raise _Mistake(f"The answer must be a SymPy expression in N, got {type(answer).__name__}.") from None
    if not isinstance(expr, sympy.Expr):
        raise _Mistake(f"The answer must be a SymPy expression in N, got {type(answer).__name__}.")
    # A symbol called N created without positive=True is a different SymPy symbol: accept it as N.
    expr = expr.subs({s: N for s in expr.free_symbols if s.name == "N"})
    others = sorted(s.name for s in expr.free_symbols if s != N)
    if others:
        raise _Mistake(
            f"λ should depend on N only, but your expression contains {', '.join(others)}. "
            "Sum the stationarity conditions N_k + λ π_k = 0 over k and use Σ_k π_k = 1 and Σ_k N_k = N."
        )
    if sympy.simplify(expr + N) == 0:
        return "Right: λ = −N, and then π_k = −N_k/λ = N_k / N."
    for wrong, message in [
        (N, "The sign is wrong: from N_k/π_k + λ = 0, summing N_k = −λ π_k over k gives N = −λ."),
        (-1 / N, "You inverted it: summing N_k = −λ π_k over k gives N = −λ · 1."),
        (1 / N, "Sign and inversion: summing N_k = −λ π_k over k gives N = −λ."),
    ]:
        if sympy.simplify(expr - wrong) == 0:
            raise _Mistake(message)
    raise _Mistake("Not yet: multiply N_k/π_k + λ = 0 by π_k, sum over k, and use Σ_k π_k = 1.")


# ----------------------------------------------------------------------------------------------
# Chapter 06


@_exercise("em")
def _check_em(f):
    """f(X, weights, means, covariances, n_iter) → the n_iter + 1 total log-likelihoods (chapter 06)."""
    rng = np.random.default_rng(7)
    X2 = np.concatenate([rng.normal([0.0, 0.0], 1.0, size=(60, 2)), rng.normal([3.0, 2.0], 0.7, size=(40, 2))])
    start2 = GMM(np.array([0.5, 0.5]), np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([np.eye(2), 2 * np.eye(2)]))
    X1, start1 = textbook_1d()
    for what, X, start, n_iter in [("the textbook example", X1, start1, 5), ("a 2-D example", X2, start2, 8)]:
        expected = em(X, start, max_iter=n_iter, tol=0.0).log_likelihoods
        got = _array(_call(f, X.copy(), start.weights.copy(), start.means.copy(), start.covariances.copy(), n_iter),
                     "the log-likelihoods")
        if got.shape == (n_iter,):
            raise _Mistake(f"Return n_iter + 1 = {n_iter + 1} values: the log-likelihood at the start, then after each iteration.")
        if got.shape != expected.shape:
            raise _Mistake(f"Return a 1-D array of n_iter + 1 = {n_iter + 1} log-likelihoods, got shape {got.shape}.")
        if _close(got, expected, rtol=1e-7, atol=1e-8):
            continue
        if not np.all(np.isfinite(got)):
            raise _Mistake(
                f"On {what} your log-likelihoods contain {'NaN' if np.any(np.isnan(got)) else '±inf'}: compute "
                "ln p(x_n) with log-sum-exp (densities can underflow to 0, and ln 0 = −∞)."
            )
        if np.any(np.diff(got) < -1e-9 * np.abs(got[:-1]).max()):
            t = int(np.argmax(np.diff(got) < -1e-9 * np.abs(got[:-1]).max())) + 1
            raise _Mistake(f"On {what} your log-likelihood decreases at iteration {t}; EM never decreases it. Check your M-step "
                           "(π_k = N_k/N, μ_k and Σ_k divided by N_k, Σ_k centred on the new μ_k) and that each E-step uses the newest parameters.")
        stale = [_e_step(X, start)[1]]
        resp0, _ = _e_step(X, start)
        for _ in range(n_iter):
            stale.append(_e_step(X, _m_step(X, resp0, "full", 0.0, 0.0))[1])
        old_centre, gmm_t = [_e_step(X, start)[1]], start
        for _ in range(n_iter):
            resp_t = _e_step(X, gmm_t)[0]
            new = _m_step(X, resp_t, "full", 0.0, 0.0)
            diff = X[None, :, :] - gmm_t.means[:, None, :]
            nk = resp_t.sum(axis=0)
            covs = np.einsum("nk,kni,knj->kij", resp_t, diff, diff) / nk[:, None, None]
            try:
                gmm_t = GMM(new.weights, new.means, covs)
                old_centre.append(_e_step(X, gmm_t)[1])
            except ValueError:
                old_centre = None
                break
        _diagnose(got, [
            (expected / X.shape[0], "You returned the mean log-likelihood per point; return the total Σ_n ln p(x_n)."),
            *([(np.array(old_centre), "Your covariances are centred on the old means; compute the new μ_k first and centre Σ_k on it.")]
              if old_centre is not None else []),
            (np.concatenate([[expected[0]], expected[:-1]]), "Your first two values are both ℓ(θ⁽⁰⁾): record ℓ once at the start, then once after each iteration."),
            (np.array(stale), "Your responsibilities are stale: recompute them (E-step) from the new parameters in every iteration."),
        ], f"On {what} expected {np.array2string(expected, precision=3)}, got {np.array2string(got, precision=3)}.")
    return "Right: the total log-likelihood at the start and after each E-step + M-step, never decreasing."

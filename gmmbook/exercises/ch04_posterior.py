"""Checkers for the exercises of chapter 04, Responsibilities and soft assignment (``exercises/04_posterior.ipynb``)."""

from __future__ import annotations

import numpy as np
from scipy import integrate, stats

from .. import em, mixture
from ..datasets import textbook_1d, three_component_1d
from ..mixture import GMM, _gmm_1d, log_joint, responsibilities
from .framework import Mistake, Rules, as_array, call, case, close, describe, diagnose, exercise, fmt

# The far point: every density underflows to 0, even in np.longdouble (Δ² is about 10⁶).
FAR_GMM = GMM(np.array([0.7, 0.3]), np.array([[0.0, 0.0], [3.0, 1.0]]),
              np.array([[[0.5, 0.1], [0.1, 0.3]], [[2.0, 0.0], [0.0, 0.5]]]))
FAR_X = np.array([[0.5, 0.2], [1.5, 0.5], [600.0, -400.0]])
TEXTBOOK_RTOL, TEXTBOOK_ATOL = 1e-6, 1e-9


def _cases():
    """Inputs with unequal weights, variances ≠ 1 and a far-away point."""
    X, gmm = textbook_1d()
    unequal = _gmm_1d([0.6, 0.1, 0.3], [-4.0, 0.0, 8.0], [1.0, 0.2, 3.0])
    return [("the textbook example", X, gmm), ("unequal weights", X, unequal),
            ("a point far from both components", FAR_X, FAR_GMM)]


def _mistakes(X, gmm):
    """(wrong responsibilities, message) for the classic mistakes on these inputs."""
    equal_weights = GMM(np.full(gmm.K, 1 / gmm.K), gmm.means, gmm.covariances)
    joint = np.exp(log_joint(X, gmm))
    mistakes = [
        (joint, "Your rows do not sum to 1: you returned π_k N(x_n | μ_k, Σ_k). Divide each row by its sum, p(x_n)."),
        (joint / joint.sum(axis=0), "You normalised each column (over the points n); normalise each row over the "
                                    "components k, so that Σ_k r_nk = 1."),
        (responsibilities(X, equal_weights), "You ignored the weights: r_nk ∝ π_k N(x_n | μ_k, Σ_k), not N(x_n | μ_k, Σ_k) alone."),
        (np.eye(gmm.K)[np.argmax(joint, axis=1)], "You returned hard assignments (one-hot rows, the argmax); r_nk is a "
                                                  "probability: keep the whole normalised row."),
        (np.log(responsibilities(X, gmm)), "You returned ln r_nk; exponentiate at the end."),
    ]
    if gmm.D == 1:
        variance_as_scale = _gmm_1d(gmm.weights, gmm.means[:, 0], gmm.covariances.ravel() ** 2)
        mistakes.append((responsibilities(X, variance_as_scale),
                         "You used the variance where the standard deviation belongs (scale=σ², but "
                         "scipy.stats.norm's scale is σ = √σ²)."))
    return mistakes


def _rows_not_normalised(got, what) -> str | None:
    """The message for responsibilities whose rows do not sum to 1, or None if they do."""
    row_sums = got.sum(axis=1)
    if np.all(np.isfinite(row_sums)) and not np.allclose(row_sums, 1.0, atol=1e-3):
        return (f"On {what} your rows do not sum to 1 (the first sums to {row_sums[0]:.3g}): r_nk is "
                "π_k N(x_n | μ_k, Σ_k) divided by its row's sum p(x_n) = Σ_j π_j N(x_n | μ_j, Σ_j).")
    return None


@exercise("responsibilities", answer="responsibilities")
def _check_responsibilities(f):
    """f(X, weights, means, covariances) → (N, K) responsibilities, in float64 log space (chapter 04, eq. resp)."""
    rules = Rules(forbidden=((mixture.responsibilities, "gb.responsibilities"), (em.e_step, "gb.e_step")), float64=True,
                  float64_hint="Work with ln π_k + ln N_k and subtract each row's log-sum-exp.")
    for what, X, gmm in _cases():
        with case(what):
            expected = responsibilities(X, gmm)
            got = as_array(call(f, X.copy(), gmm.weights.copy(), gmm.means.copy(), gmm.covariances.copy(), rules=rules),
                           "the responsibilities", expected.shape)
            if close(got, expected, rtol=1e-6, atol=1e-10):
                continue
            if not np.all(np.isfinite(got)):
                if np.max(log_joint(X, gmm), axis=1).min() < np.log(np.finfo(float).tiny):
                    raise Mistake(f"On {what} you returned NaN or inf: the densities underflow to 0 in probability space, "
                                  "and 0/0 is NaN. Work with ln π_k + ln N_k, subtract the row's log-sum-exp, then exponentiate.")
                raise Mistake(f"On {what} you returned NaN or inf, although no density here is small enough to round to 0: "
                              "look for a division by zero or the log of 0.")
            diagnose(got, _mistakes(X, gmm), _rows_not_normalised(got, what) or
                     f"On {what} expected {fmt(expected)}, got {fmt(got)}.", expected=expected)
    return "Right: Bayes' rule, normalised, in log space (finite even for far-away points)."


@exercise("textbook_responsibilities", answer="textbook_resp")
def _check_textbook_responsibilities(answer):
    """The (7, 3) responsibilities of the textbook example, computed by hand (chapter 04).

    A derive exercise: the messages never print a responsibility, and the comparison (10⁻⁶) is
    far tighter than any table printed in the chapter (3 decimals), so a table must be computed.
    """
    X, gmm = textbook_1d()
    expected = responsibilities(X, gmm)
    with case("the 7 × 3 table"):
        if callable(answer):
            raise Mistake("Give the table itself, a 7 × 3 array of numbers, not a function.")
        got = as_array(answer, "the responsibilities", expected.shape)
        if close(got, expected, rtol=TEXTBOOK_RTOL, atol=TEXTBOOK_ATOL):
            return "Right: each row is π_k N(x_n | μ_k, σ_k²) divided by its sum."
        wrong = ~np.isclose(got, expected, rtol=TEXTBOOK_RTOL, atol=TEXTBOOK_ATOL)
        if np.all(np.isfinite(got)) and np.allclose(got, expected, rtol=0, atol=6e-4):
            raise Mistake("Your table agrees with the responsibilities to about 3 decimals only: compute it in NumPy and "
                          "give the array itself. The check compares to 10⁻⁶, more digits than any printed table has.")
        rows = [f"{n + 1} (x = {X[n, 0]:g})" for n in np.flatnonzero(wrong.any(axis=1))]
        which = f"row {rows[0]} is" if len(rows) == 1 else f"rows {', '.join(rows)} are"
        diagnose(got, _mistakes(X, gmm), _rows_not_normalised(got, "the textbook example") or
                 f"Not yet: {which} not right. Recompute one of them by hand.", expected=expected)


# ---------------------------------------------------------------------------------------------- the label's covariance


_COV_SYMBOLS = ("r1", "r2", "r3")
# Points (r1, r2) of the simplex where two matrices are compared; r3 = 1 − r1 − r2.
_COV_POINTS = [(0.2, 0.5), (0.7, 0.1), (0.05, 0.9), (1 / 3, 1 / 3), (0.45, 0.35)]


def _read_matrix(answer):
    """The answer as a 3 × 3 SymPy Matrix whose symbols named r1, r2, r3 are the checker's, or a Mistake."""
    import sympy

    if callable(answer) and not isinstance(answer, sympy.Basic):
        raise Mistake("Give the matrix itself (a sympy.Matrix, or a list of 3 rows), not a function.")
    try:
        matrix = sympy.Matrix(answer)
    except Exception:
        raise Mistake(f"Give a 3 × 3 matrix (a sympy.Matrix, or a list of 3 rows of 3 expressions), got {describe(answer)}.") \
            from None
    if matrix.shape != (3, 3):
        raise Mistake(f"The covariance of z = (z_1, z_2, z_3) is a 3 × 3 matrix; yours has shape {matrix.shape}.")
    r = sympy.symbols(_COV_SYMBOLS, positive=True)
    names = dict(zip(_COV_SYMBOLS, r))
    matrix = matrix.applyfunc(lambda e: sympy.sympify(e).subs({s: names[s.name] for s in sympy.sympify(e).free_symbols
                                                              if s.name in names}))
    others = sorted({s.name for s in matrix.free_symbols} - set(_COV_SYMBOLS))
    if others:
        raise Mistake(f"Your matrix contains {', '.join(others)}: given x, the label's distribution is fixed by the "
                      "responsibilities alone, so write each entry in r1, r2 and r3.")
    return matrix, r


def _matrix_values(matrix, r) -> np.ndarray:
    """The matrix at each point of _COV_POINTS, shape (points, 3, 3); NaN where an entry is not a real number."""
    out = []
    for r1, r2 in _COV_POINTS:
        values = matrix.subs({r[0]: r1, r[1]: r2, r[2]: 1 - r1 - r2}).evalf(20)
        try:
            out.append(np.array(values.tolist(), dtype=complex))
        except (TypeError, ValueError):
            out.append(np.full((3, 3), np.nan + 0j))
    out = np.array(out)
    return np.where(np.abs(out.imag) > 1e-12, np.nan, out.real)


@exercise("label_covariance", answer="label_cov")
def _check_label_covariance(answer):
    """The 3 × 3 covariance of the one-hot label given x, in r1, r2, r3 (chapter 04, eq. resp-expect).

    Compared entry by entry at five points of the simplex (r3 = 1 − r1 − r2) to 10⁻¹², so any form
    that is equal on the simplex passes.  A derive exercise: the messages never show an entry.
    """
    import sympy

    with case("the 3 × 3 matrix Cov[z | x]"):
        matrix, r = _read_matrix(answer)
        got = _matrix_values(matrix, r)
        rv = np.array([[r1, r2, 1 - r1 - r2] for r1, r2 in _COV_POINTS])
        expected = np.array([np.diag(v) - np.outer(v, v) for v in rv])
        if np.all(np.isfinite(got)) and np.allclose(got, expected, rtol=0, atol=1e-12):
            return "Right: Var[z_k | x] = r_k(1 − r_k) on the diagonal and Cov[z_j, z_k | x] = −r_j r_k off it."
        if not np.all(np.isfinite(got)):
            raise Mistake("Some entries of your matrix are not real numbers for responsibilities on the simplex.")
        if not np.allclose(got, np.swapaxes(got, 1, 2), atol=1e-12):
            raise Mistake("Your matrix is not symmetric, but Cov[z_j, z_k | x] = Cov[z_k, z_j | x].")
        off = ~np.eye(3, dtype=bool)
        means_outer = np.array([np.outer(v, v) for v in rv])
        second = np.array([np.diag(v) for v in rv])
        for wrong, message in [
            (np.array([np.diag(v * (1 - v)) for v in rv]),
             "Your off-diagonal entries are 0, as if the labels z_1, z_2, z_3 were independent. They are not: exactly "
             "one of them is 1."),
            (second, "You returned E[z zᵀ | x], the second moment: a covariance subtracts the product of the means."),
            (means_outer, "You returned E[z | x] E[z | x]ᵀ, the product of the means, not the covariance."),
            (-expected, "Your matrix has the wrong sign: a variance is never negative."),
            (second + means_outer - 2 * np.array([np.diag(v ** 2) for v in rv]),
             "The signs of your off-diagonal entries are wrong: what is z_j z_k for a one-hot z when j ≠ k?"),
        ]:
            if np.allclose(got, wrong, rtol=0, atol=1e-12):
                raise Mistake(message)
        diagonal_right = np.allclose(got[:, ~off], expected[:, ~off], atol=1e-12)
        off_right = np.allclose(got[:, off], expected[:, off], atol=1e-12)
        if diagonal_right:
            raise Mistake("Your diagonal (the variances) is right; an off-diagonal entry is not. Compute E[z_j z_k | x] "
                          "for j ≠ k over the three one-hot states.")
        if off_right:
            raise Mistake("Your off-diagonal entries are right; a diagonal entry (a variance) is not. Use z_k² = z_k.")
        raise Mistake("Not yet: compute E[z_j z_k | x] over the three one-hot states, then subtract E[z_j | x] E[z_k | x].")


# ---------------------------------------------------------------------------------------------- a bin's posterior


BIN_GMM = three_component_1d()
BIN_RTOL, BIN_ATOL = 1e-8, 1e-12
_BINS = [("the wide bin [-1, 0.5]", -1.0, 0.5), ("the narrow bin [2.45, 2.55]", 2.45, 2.55),
         ("the half-line [3, ∞)", 3.0, np.inf), ("the far bin [8, 8.5]", 8.0, 8.5)]


def _bin_masses(a, b, gmm, scale_power=0.5):
    """π_k P(a ≤ x ≤ b | z_k = 1) by the normal survival function (exact in both tails)."""
    mu, scale = gmm.means[:, 0], gmm.covariances[:, 0, 0] ** scale_power
    return gmm.weights * (stats.norm.sf(a, mu, scale) - stats.norm.sf(b, mu, scale))


def _bin_average(a, b, gmm):
    """The plain average of r_k(x) over [a, b] (points weighted equally): a classic mistake."""
    return np.array([integrate.quad(lambda t: responsibilities([[t]], gmm)[0, k], a, b, epsabs=1e-13)[0] / (b - a)
                     for k in range(gmm.K)])


@exercise("bin_responsibilities", answer="bin_responsibilities")
def _check_bin_responsibilities(f):
    """f(a, b, weights, means, variances) → P(z_k = 1 | a ≤ x ≤ b), shape (K,) (chapter 04, section 3).

    A derive exercise: the messages name the mistake, never the probabilities.
    """
    gmm = BIN_GMM
    for what, a, b in _BINS:
        with case(what):
            masses = _bin_masses(a, b, gmm)
            expected = masses / masses.sum()
            got = as_array(call(f, a, b, gmm.weights.copy(), gmm.means[:, 0].copy(), gmm.covariances[:, 0, 0].copy()),
                           "the probabilities", (gmm.K,))
            if close(got, expected, rtol=BIN_RTOL, atol=BIN_ATOL):
                continue
            if not np.all(np.isfinite(got)):
                raise Mistake(f"On {what} you returned {fmt(got)}: look for 0/0 or ∞ − ∞ (a CDF at ±∞ is 0 or 1).")
            wrong = _bin_masses(a, b, gmm, scale_power=1.0)
            no_weights = masses / gmm.weights
            candidates = [
                (masses, f"On {what} your numbers do not sum to 1: they are P(z_k = 1 and x ∈ B). Divide by P(x ∈ B)."),
                (wrong / wrong.sum(), f"On {what} you used the variance where the standard deviation belongs "
                                      "(scipy.stats.norm's scale is σ = √σ²)."),
                (no_weights / no_weights.sum(), f"On {what} you left out the weights π_k."),
            ]
            if np.isfinite(b):
                candidates += [
                    (responsibilities([[(a + b) / 2]], gmm)[0], f"On {what} you returned the responsibilities at the "
                     "centre of the bin. Points elsewhere in the bin have other responsibilities; only for a narrow bin "
                     "is this close, and the check asks for the exact value."),
                    (_bin_average(a, b, gmm), f"On {what} you averaged r_k(x) over the bin with every x equally likely; "
                     "but the draws that land in the bin are spread as p(x), not uniformly."),
                ]
            if a > 5 and np.allclose(got, expected, rtol=1e-2, atol=1e-6):
                raise Mistake(f"On {what} your probabilities are close but have lost digits: Φ(b) − Φ(a) subtracts two "
                              "numbers that are both nearly 1. In the upper tail use the survival function 1 − Φ, "
                              "scipy.stats.norm.sf, which keeps its digits there.")
            diagnose(got, candidates, f"On {what} your probabilities are not right: write P(z_k = 1 | x ∈ B) with Bayes' "
                     "rule for the event x ∈ B instead of the point x.", expected=expected)
    return ("Right: P(z_k = 1 | x ∈ B) = π_k P(x ∈ B | z_k = 1) / P(x ∈ B), exact even in the far tail, "
            f"to a relative {BIN_RTOL:g}.")


# ---------------------------------------------------------------------------------------------- tied covariances


_NO_LIBRARY_POSTERIOR = Rules(forbidden=((mixture.responsibilities, "gb.responsibilities"), (em.e_step, "gb.e_step"),
                                         (mixture.log_joint, "gb.log_joint")))


def _tied_cases():
    rng = np.random.default_rng(41)
    W = rng.normal(size=(3, 3))
    cov3 = W @ W.T + 0.5 * np.eye(3)                                   # a correlated SPD matrix
    return [
        ("overlapping_2d (K = 2, D = 2)", np.array([0.5, 0.5]), np.array([[0.0, 0.0], [2.0, 0.0]]), np.eye(2)),
        ("K = 3 in 3-D, unequal weights, correlated Σ", np.array([0.2, 0.5, 0.3]), rng.normal(scale=2.0, size=(3, 3)),
         cov3),
        ("K = 3 in 1-D, Σ = 0.6", np.array([0.3, 0.5, 0.2]), np.array([[-2.0], [1.0], [4.0]]), np.array([[0.6]])),
    ]


def _softmax_parameters(weights, means, cov, *, precision=True, half_w=False, log_weights=True, half_b=True,
                        sign_b=1.0):
    """(W, b) for r = softmax(W x + b) with tied covariances, and its classic mistakes."""
    P = np.linalg.inv(cov) if precision else cov
    W = means @ P * (0.5 if half_w else 1.0)
    quad = np.einsum("ki,ij,kj->k", means, P, means)
    b = (np.log(weights) if log_weights else 0.0) - sign_b * (0.5 if half_b else 1.0) * quad
    return W, b


def _up_to_shift(W, b):
    """(W, b) with the first component's row subtracted: softmax cannot tell shifted parameters apart."""
    return np.concatenate([(W - W[0]).ravel(), b - b[0]])


@exercise("tied_softmax", answer="tied_softmax")
def _check_tied_softmax(f):
    """f(weights, means, cov) → (W, b) with r_k(x) = softmax_k(W x + b) for tied covariances (chapter 04, eq. log-odds).

    Compared up to a common shift of all rows of W and all entries of b (which softmax ignores).
    A derive exercise: the messages name the mistake, never W or b.
    """
    for what, weights, means, cov in _tied_cases():
        with case(what):
            K, D = means.shape
            result = call(f, weights.copy(), means.copy(), cov.copy(), rules=_NO_LIBRARY_POSTERIOR)
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise Mistake("Return a pair (W, b): W of shape (K, D), one row w_k per component, and b of shape (K,).")
            W_raw = as_array(result[0], "W")
            if W_raw.shape == (D, K) and D != K:
                raise Mistake(f"W should have shape (K, D) = ({K}, {D}), one row w_k per component; yours is transposed.")
            W = W_raw.reshape(K, D) if W_raw.size == K * D and K * D > 0 else as_array(W_raw, "W", (K, D))
            b = as_array(result[1], "b").reshape(-1)
            if b.shape != (K,):
                raise Mistake(f"b should have {K} entries, one b_k per component, got {b.size}.")
            W_true, b_true = _softmax_parameters(weights, means, cov)
            expected = _up_to_shift(W_true, b_true)
            got = _up_to_shift(W, b)
            if close(got, expected, rtol=1e-8, atol=1e-10):
                continue
            w_right = close(got[:K * D], expected[:K * D], rtol=1e-8, atol=1e-10)
            candidates = [
                (_up_to_shift(*_softmax_parameters(weights, means, cov, precision=False)),
                 f"On {what} you used Σ where Σ⁻¹ belongs."),
                (_up_to_shift(*_softmax_parameters(weights, means, cov, half_w=True)),
                 f"On {what} your w_k are half as large as they should be: expanding (x − μ_k)ᵀΣ⁻¹(x − μ_k) gives the cross "
                 "term twice."),
                (_up_to_shift(*_softmax_parameters(weights, means, cov, log_weights=False)),
                 f"On {what} your b leaves out the weights π_k."),
                (_up_to_shift(*_softmax_parameters(weights, means, cov, half_b=False)),
                 f"On {what} your b has lost the factor ½ of the exponent."),
                (_up_to_shift(*_softmax_parameters(weights, means, cov, sign_b=-1.0)),
                 f"On {what} the quadratic term of your b has the wrong sign."),
                (-expected, f"On {what} your scores have the wrong sign: they rank the components the wrong way round."),
                (_up_to_shift(W_true.T, b_true) if K == D else None, f"On {what} your W is transposed: row k must be w_k."),
            ]
            default = (f"On {what} your W is right (up to a common shift) but b is not." if w_right else
                       f"On {what} softmax(W x + b) is not the posterior. Expand the exponent of equation (gauss) and drop "
                       "every term that is the same for all k.")
            diagnose(got, candidates, default, expected=expected)
    return ("Right: with a shared Σ the quadratic term xᵀΣ⁻¹x cancels, so the responsibilities are a softmax of linear "
            "functions of x (for K = 2, a logistic function): w_k = Σ⁻¹μ_k, b_k = ln π_k − ½ μ_kᵀΣ⁻¹μ_k.")

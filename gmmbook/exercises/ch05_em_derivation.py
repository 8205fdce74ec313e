"""Checkers for the exercises of chapter 05, Deriving EM (``exercises/05_em_derivation.ipynb``).

The derive exercises take a SymPy answer: :func:`derived_expression` reads it in any equivalent
form and orientation (an expression, an equation, what ``sympy.solve`` returns, a string) and
compares it with the expected formula by value at a few fixed points, so that any equivalent form
passes; its messages name the mistake and never print the formula.  Chapter 06's derive exercises
use it too.
"""

from __future__ import annotations

import numpy as np

from .. import em
from ..datasets import textbook_1d
from ..em import m_step
from ..mixture import responsibilities
from .framework import Mistake, Rules, as_array, as_expression, as_number, call, case, close, diagnose, exercise, fmt

_NO_LIBRARY_M_STEP = Rules(forbidden=((em.m_step, "gb.m_step"), (em.em, "gb.em")))
EQUIVALENCE_RTOL = 1e-9   # two formulas are the same when they agree to this at every test point


# ---------------------------------------------------------------------------------------------- symbolic answers


def _value(expr, point: dict):
    """expr at point (symbol -> number) as a float, or None where it is not a finite real number."""
    try:
        value = complex(expr.subs(point).evalf(30))
    except (TypeError, ValueError, AttributeError):
        return None
    if not (np.isfinite(value.real) and abs(value.imag) <= 1e-12 * max(1.0, abs(value.real))):
        return None
    return value.real


def equivalent(expr, other, points) -> bool:
    """True when the SymPy expressions agree (relative EQUIVALENCE_RTOL) and are finite at every point."""
    for point in points:
        a, b = _value(expr, point), _value(other, point)
        if a is None or b is None or not abs(a - b) <= EQUIVALENCE_RTOL * max(1.0, abs(b)):
            return False
    return True


def derived_expression(answer, *, unknown: tuple, symbols: dict, expected, points, mistakes=(), foreign=None,
                       default: str, right: str) -> str:
    """Check a symbolic answer; return ``right`` (the verdict's message) when it equals ``expected``, else
    raise the Mistake that names it.

    ``symbols`` maps each name the answer may use to the checker's symbol (or expression) it stands
    for; ``points`` are dicts giving those symbols numbers; ``mistakes`` are (wrong formula, message)
    pairs tried in order; ``foreign`` maps a name the answer must not contain to the message for it,
    the first present in the dict's order wins (other names get a generic message); ``default`` is
    the message for any other wrong formula.
    """
    import sympy

    expr = as_expression(answer, unknown=unknown, symbols=symbols)
    if getattr(expr, "is_Matrix", False):
        raise Mistake(f"The answer must be a SymPy expression, got a {type(expr).__name__}: give one formula.")
    allowed = set().union(*(sympy.sympify(value).free_symbols for value in symbols.values()))
    if any(s not in allowed for s in expr.free_symbols):      # perhaps they cancel: ln(N_1 x) − ln N_1
        expr = sympy.simplify(sympy.expand_log(expr, force=True))
    others = sorted(s.name for s in expr.free_symbols if s not in allowed)
    for name, message in (foreign or {}).items():       # in the order given: the most telling first
        if name in others:
            raise Mistake(message)
    if others:
        names = sorted({s.name for s in allowed})
        raise Mistake(f"Your expression contains {', '.join(others)}; write it in {', '.join(names)} only, "
                      "with the symbols defined in the notebook.")
    if expr.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise Mistake("Your answer is infinite or undefined; the quantity asked for is a finite formula.")
    if equivalent(expr, expected, points):
        return right
    for wrong, message in mistakes:
        if equivalent(expr, wrong, points):
            raise Mistake(message)
    raise Mistake(default)


# ---------------------------------------------------------------------------------------------- the weights


@exercise("lagrange_multiplier", answer="lam")
def _check_lagrange_multiplier(answer):
    """λ as a SymPy expression in N = sympy.Symbol("N", positive=True) (chapter 05, eq. m-weights).

    A derive exercise: the messages name the mistake, never the value of λ.
    """
    import sympy

    N = sympy.Symbol("N", positive=True)
    with case("λ as a function of N"):
        expr = as_expression(answer, unknown=("lambda", "λ", "lamda", "lamda_", "lam", "Lambda"), symbols={"N": N})
        others = sorted(s.name for s in expr.free_symbols if s != N)
        if others:
            raise Mistake(f"λ should depend on N only, but your expression contains {', '.join(others)}. "
                          "Sum the stationarity conditions over k and use the two sums the hint names.")
        if sympy.simplify(expr + N) == 0:
            return "Right: λ = −N, and then π_k = −N_k/λ = N_k / N."
        for wrong, message in [
            (N, "The sign is wrong: look again at the sign with which λ enters N_k/π_k + λ = 0."),
            (-1 / N, "You inverted it: after summing over k, solve for λ itself, not for 1/λ."),
            (1 / N, "Both the sign and the inversion are wrong: solve N_k/π_k + λ = 0 for λ carefully."),
            (-N + 1, "You are off by one: Σ_k π_k is exactly 1, and Σ_k N_k is a sum over all points."),
            (-N - 1, "You are off by one: Σ_k π_k is exactly 1, and Σ_k N_k is a sum over all points."),
        ]:
            if sympy.simplify(expr - wrong) == 0:
                raise Mistake(message)
        raise Mistake("Not yet: multiply N_k/π_k + λ = 0 by π_k, sum over k, and use Σ_k π_k = 1.")


@exercise("multiplier_sensitivity", answer="gain")
def _check_multiplier_sensitivity(answer):
    """f*(1 + δ) − f*(1) = N ln(1 + δ), the best value of equation (q-weights) on Σ_k π_k = 1 + δ (chapter 05)."""
    import sympy

    N, delta = sympy.Symbol("N", positive=True), sympy.Symbol("delta", real=True)
    points = [{N: 7, delta: 0.1}, {N: 272, delta: 0.3}, {N: 3.5, delta: 0.85}, {N: 40, delta: 2.5}]
    with case("the gain as a function of N and δ"):
        return derived_expression(
            answer, unknown=("gain", "Delta_f", "Δf", "delta_f"), symbols={"N": N, "delta": delta, "δ": delta},
            expected=N * sympy.log(1 + delta), points=points,
            foreign={name: "The N_k cancel in the difference f*(1 + δ) − f*(1): put the maximiser you found into f "
                           "for both constraints, subtract, and use Σ_k N_k = N."
                     for name in ("N_k", "N_1", "N_2", "N_3", "pi_k", "pi_1", "π_k")}
                    | {name: "The multiplier is not part of the answer: put the maximising weights back into f and "
                             "give the change of f in N and δ." for name in ("lambda", "λ", "lamda")},
            mistakes=[
                (N * delta, "That is the first-order change, −λ δ: the exercise asks for the exact change of the best "
                            "value, for any δ > −1."),
                (-N * sympy.log(1 + delta), "The sign is wrong: loosening the constraint to 1 + δ > 1 lets every "
                                             "weight grow, so the best value rises."),
                (-N * delta, "That is λ δ, with the wrong sign: the best value changes by −λ δ to first order, and the "
                             "exercise asks for the exact change."),
                (sympy.log(1 + delta), "You lost the factor N: every term N_k ln π_k of f changes, and "
                                       "Σ_k N_k = N."),
                (N * sympy.log(delta), "Check the argument of your logarithm: the weights now sum to 1 + δ, not δ."),
            ],
            default="Not yet: redo the Lagrange conditions with Σ_k π_k = 1 + δ, put the maximiser back into "
                    "f = Σ_k N_k ln π_k, and subtract the best value for δ = 0.",
            right="Right: the best value rises by N ln(1 + δ), whose slope at δ = 0 is N = −λ: the multiplier is the "
                  "price of the constraint.")


@exercise("fixed_weight", answer="pi_2")
def _check_fixed_weight(answer):
    """π_2 = (1 − π_1) N_2 / (N_2 + N_3) when π_1 is fixed (K = 3, chapter 05, equations (lagrangian), (q-weights))."""
    import sympy

    n1, n2, n3 = sympy.symbols("N_1 N_2 N_3", positive=True)
    pi1 = sympy.Symbol("pi_1", positive=True)
    points = [{n1: 2.0, n2: 3.0, n3: 5.0, pi1: 0.1}, {n1: 40.0, n2: 7.5, n3: 1.25, pi1: 0.3},
              {n1: 0.5, n2: 12.0, n3: 20.0, pi1: 0.75}]
    lam_message = "Eliminate λ with the constraint: your answer should contain N_1, N_2, N_3 and π_1 only."
    with case("π_2 as a function of N_1, N_2, N_3 and π_1"):
        return derived_expression(
            answer, unknown=("pi_2", "π_2", "pi2"),
            symbols={"N_1": n1, "N_2": n2, "N_3": n3, "pi_1": pi1, "π_1": pi1, "N": n1 + n2 + n3},
            expected=(1 - pi1) * n2 / (n2 + n3), points=points,
            foreign={name: lam_message for name in ("lambda", "λ", "lamda", "lamda_")}
                    | {name: "Give π_2 in N_1, N_2, N_3 and π_1, without the other free weight."
                       for name in ("pi_3", "π_3")},
            mistakes=[
                (n2 / (n1 + n2 + n3), "That is the update when π_1 is free, N_2 / N: with π_1 fixed the weights "
                                      "would then sum to π_1 + (N_2 + N_3)/N, not 1."),
                ((1 - pi1) * n2 / (n1 + n2 + n3), "Your free weights sum to (1 − π_1)(N_2 + N_3)/N, not 1 − π_1: "
                                                   "the stationarity conditions hold for the free components only, so "
                                                   "only their counts N_2 + N_3 enter the sum."),
                (n2 / (n2 + n3), "Your weights π_2 + π_3 sum to 1, so all three sum to 1 + π_1: the free weights "
                                 "share what the fixed one leaves."),
                (pi1 * n2 / (n2 + n3), "The free weights share 1 − π_1, not π_1."),
                ((1 - pi1) * n3 / (n2 + n3), "π_2 grows with the count N_2 of its own component, not with N_3."),
                (1 - pi1 - n3 / (n1 + n2 + n3), "π_2 is proportional to N_2 (from N_2/π_2 + λ = 0); find λ from the "
                                                "constraint instead of subtracting the other weights."),
            ],
            default="Not yet: write the stationarity conditions for π_2 and π_3 only (π_1 is not a variable), "
                    "and use the constraint to find λ.",
            right="Right: the free components share 1 − π_1 in proportion to their counts, "
                  "π_2 = (1 − π_1) N_2 / (N_2 + N_3), with λ = −(N_2 + N_3)/(1 − π_1).")


# ---------------------------------------------------------------------------------------------- the M-step


def _m_step_mistakes(X, resp):
    N, D = X.shape
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    diff = X[None, :, :] - means[:, None, :]                       # (K, N, D)
    weighted = np.einsum("nk,kni,knj->kij", resp, diff, diff)
    hard = np.eye(resp.shape[1])[resp.argmax(axis=1)]
    return {
        "weights": [(nk, "Your weights are N_k; divide by N so that they sum to 1.")],
        "means": [(resp.T @ X / N, "Your means are divided by N; divide by N_k = Σ_n r_nk instead.")],
        "covariances": [
            (weighted / N, "Your covariances are divided by N; divide by N_k instead."),
            (np.einsum("kni,knj->kij", diff, diff) / nk[:, None, None],
             "Your covariances leave out the weights: each outer product (x_n − μ_k)(x_n − μ_k)ᵀ counts r_nk times."),
            (np.einsum("kni,knj->kij", diff, diff) / N,
             "Your covariances are unweighted averages over all N points; weight each outer product by r_nk and divide by N_k."),
            (weighted / (nk - 1)[:, None, None], "Your covariances are divided by N_k − 1; the maximum-likelihood update "
                                                 "divides by N_k."),
            (np.einsum("nk,ni,nj->kij", resp, X - X.mean(axis=0), X - X.mean(axis=0)) / nk[:, None, None],
             "Your covariances are centred on the mean of all the data; centre each on its own new mean μ_k."),
            (np.broadcast_to(np.cov(X.T, bias=True).reshape(D, D), (len(nk), D, D)),
             "Your covariance is the unweighted covariance of all the data; weight each point by r_nk."),
            (np.stack([np.cov(X[hard[:, k] == 1].T, bias=True).reshape(D, D) if hard[:, k].sum() > 1 else np.eye(D)
                       for k in range(len(nk))]),
             "Your covariances use hard assignments; weight every point by its responsibility r_nk."),
        ],
    }


def _m_step_cases():
    X_tb, gmm_tb = textbook_1d()
    rng = np.random.default_rng(5)
    X2 = rng.normal(size=(40, 2)) * [2.0, 0.5] + [10.0, -3.0]
    return [("the textbook example", X_tb, responsibilities(X_tb, gmm_tb)),
            ("a 2-D example", X2, rng.dirichlet([0.7, 0.7, 0.7], size=40))]


@exercise("m_step", answer="m_step")
def _check_m_step(f):
    """f(X, resp) → (weights, means, covariances) (chapter 05, eqs. m-weights, m-means, m-cov)."""
    for what, X, resp in _m_step_cases():
        with case(what):
            expected = m_step(X, resp)
            K, (N, D) = resp.shape[1], X.shape
            result = call(f, X.copy(), resp.copy(), rules=_NO_LIBRARY_M_STEP)
            if not (isinstance(result, (tuple, list)) and len(result) == 3):
                raise Mistake("Return a triple (weights, means, covariances).")
            shapes = {"weights": (K,), "means": (K, D), "covariances": (K, D, D)}
            got = {name: as_array(value, name, shapes[name]) for name, value in zip(shapes, result)}
            mistakes = _m_step_mistakes(X, resp)
            for name in shapes:
                right = getattr(expected, name)
                if not close(got[name], right, rtol=1e-6, atol=1e-10):
                    diagnose(got[name], mistakes[name], f"On {what} your {name} are not right: expected "
                             f"{fmt(right.ravel()[:6])}{' …' if right.size > 6 else ''}.")
    return "Right: π_k = N_k/N, μ_k = Σ_n r_nk x_n / N_k, Σ_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k, with the new μ_k."


def _shared_cases():
    rng = np.random.default_rng(6)
    X3 = rng.normal(size=(30, 3)) * [1.0, 2.0, 0.5]
    X2 = np.concatenate([rng.normal([0.0, 0.0], 0.5, size=(12, 2)), rng.normal([3.0, 1.0], 1.5, size=(28, 2))])
    return [("a 3-D example with K = 2", X3, rng.dirichlet([3.0, 0.6], size=30)),
            ("a 2-D example with K = 3", X2, rng.dirichlet([2.0, 0.5, 0.2], size=40))]


def _shared_mistakes(X, resp):
    """(wrong σ², message) for the classic mistakes on these inputs."""
    N, D = X.shape
    K = resp.shape[1]
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    sq = ((X[:, None, :] - means[None]) ** 2).sum(axis=2)              # ‖x_n − μ_k‖², (N, K)
    per_component = (resp * sq).sum(axis=0) / (D * nk)                 # the spherical σ_k² of (m-spherical)
    expected = (resp * sq).sum() / (N * D)
    means_over_n = resp.T @ X / N
    hard = np.eye(K)[resp.argmax(axis=1)]
    return [
        (expected * D, "You forgot to divide by D: ‖x − μ‖² adds up D squared coordinates, and σ² is per coordinate."),
        (expected / D, "You divided by D twice: ‖x − μ‖² adds up D squared coordinates, so divide by D once."),
        (np.sqrt(expected), "You returned σ, the standard deviation; return the variance σ² (no square root)."),
        (per_component.mean(), "You averaged the K per-component variances σ_k² equally; in the shared variance each "
                               "component counts with its share N_k / N of the points."),
        (per_component.sum(), "You added the K per-component variances; the shared variance is one average over all "
                              "points and components."),
        (expected / K, "You divided by K as well: Σ_k N_k = N already counts every point once."),
        (sq.sum() / (N * D * K), "You left out the weights: each squared distance ‖x_n − μ_k‖² counts r_nk times."),
        (np.sum(resp * ((X[:, None, :] - means_over_n[None]) ** 2).sum(axis=2)) / (N * D),
         "Your means are divided by N; each μ_k divides by its own N_k."),
        (np.sum((X - X.mean(axis=0)) ** 2) / (N * D), "Your distances are measured from the mean of all the data; "
                                                        "measure each from its own component's mean μ_k."),
        ((hard * ((X[:, None, :] - (hard.T @ X / np.maximum(hard.sum(axis=0), 1)[:, None])[None]) ** 2).sum(axis=2))
         .sum() / (N * D), "You used hard assignments; weight every squared distance by its responsibility r_nk."),
        ((resp * sq).sum() / (N * D - 1), "You divided by N D − 1; the maximum-likelihood update divides by N D."),
    ]


def _n_numbers(value) -> int:
    """How many numbers an array-like holds (1 for a scalar, 0 if it is not an array of numbers)."""
    try:
        return int(np.size(np.asarray(value, dtype=float))) if np.ndim(value) > 0 else 1
    except (TypeError, ValueError):
        return 0


@exercise("shared_spherical_variance", answer="shared_variance")
def _check_shared_spherical_variance(f):
    """f(X, resp) → σ² = Σ_k Σ_n r_nk ‖x_n − μ_k‖² / (N D), the M-step when every Σ_k = σ² I (chapter 05)."""
    for what, X, resp in _shared_cases():
        with case(what):
            N, D = X.shape
            K = resp.shape[1]
            expected = m_step(X, resp, covariance_type="tied").covariances[0].trace() / D    # tr of (m-tied), / D
            result = call(f, X.copy(), resp.copy(), rules=_NO_LIBRARY_M_STEP)
            if _n_numbers(result) == K:
                raise Mistake(f"On {what} you returned {K} numbers, one per component (the spherical M-step of equation "
                              "(m-spherical)); here one variance is shared by all components: return one number.")
            got = as_number(result, "the shared variance σ²")
            if not np.isfinite(got):
                raise Mistake(f"On {what} your variance is {got}: look for a division by zero or the log of 0.")
            if close(got, expected, rtol=1e-6, atol=0.0):
                continue
            diagnose(got, _shared_mistakes(X, resp), f"On {what} your variance is not right (you returned {got:.3g}). "
                     "Set the derivative of Q with respect to σ² to zero, with every component's terms; remember "
                     "det(σ² I) = σ^{2D}.")
    return ("Right: σ² = Σ_k Σ_n r_nk ‖x_n − μ_k‖² / (N D), the responsibility-weighted mean squared distance per "
            "coordinate, over all points and components.")

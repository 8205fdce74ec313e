"""The checker framework: verdicts, the registry of exercises, and the tools every checker uses.

A chapter's checkers live in ``chNN_name.py`` beside this module.  Each is a function of the
student's answer, registered with :func:`exercise`, that runs the answer on chosen cases and
either returns a message saying what is right or raises :class:`Mistake` naming the mistake.
Inside a checker:

* :func:`case` marks one case, so that a verdict can say which cases passed before a mistake or
  before the time limit;
* :func:`call` calls the student's function and turns what it does wrong (an exception, ``None``,
  ``sys.exit``, a forbidden library function, arbitrary-precision arithmetic) into a
  :class:`Mistake`; :func:`recorded_warnings` catches the warnings a notebook would print;
* :func:`as_array`, :func:`as_number`, :func:`as_expression`, :func:`close`, :func:`diagnose`
  and :func:`fmt` read and compare answers; :func:`seeded_calls` enforces the rules of randomness.

:func:`check` runs a checker apart from the notebook (see :mod:`.sandbox`) and returns a
:class:`Verdict`; it never raises because of the answer.  Messages are deterministic (fixed
seeds, rounded numbers) so that nbval can compare them, they never print the answer of a derive
exercise, and the values they print have fewer digits than the tolerance of the comparison, so a
printed value cannot be pasted back to pass.
"""

from __future__ import annotations

import contextlib
import cProfile
import html
import os
import random
import sys
import sysconfig
import traceback
import warnings
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from . import sandbox

TIME_LIMIT = 10.0  # seconds for one check, all cases together, unless an exercise says otherwise
PLACEHOLDER = "Replace the placeholder with your answer, then run this cell again."


# ---------------------------------------------------------------------------------------------- verdicts


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
    cases : tuple of str
        The cases the answer passed (all of them when ``passed``).
    output : str
        The first characters the answer printed while it was checked; ``output_size`` counts all.
    """

    exercise_id: str
    passed: bool
    message: str
    attempted: bool = True
    cases: tuple = ()
    output: str = ""
    output_size: int = 0

    @property
    def status(self) -> str:
        if not self.attempted:
            return "not attempted yet"
        return "passed" if self.passed else "not yet right"

    def _cases_text(self) -> str:
        if self.passed and self.cases:
            n = len(self.cases)
            return f" ({n} of {n} {'case' if n == 1 else 'cases'} passed.)"
        if self.cases:
            return f" Passed before that: {'; '.join(self.cases)}."
        return ""

    def _output_text(self) -> str:
        if not self.output_size:
            return ""
        more = self.output_size - len(self.output)
        tail = f"\n… ({more:,} more characters not shown)" if more > 0 else ""
        return f"Your function printed:\n{self.output.rstrip()}{tail}"

    def __str__(self) -> str:
        mark = "✓" if self.passed else ("·" if not self.attempted else "✗")
        text = f"{mark} {self.exercise_id}: {self.status}. {self.message}{self._cases_text()}"
        output = self._output_text()
        return f"{text}\n{output}" if output else text

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else ("#6e7781" if not self.attempted else "#cf222e")
        output = self._output_text()
        output = f"<pre>{html.escape(output)}</pre>" if output else ""
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 0.3em 0.8em;">'
            f"<b>{html.escape(self.exercise_id)}: {html.escape(self.status)}</b><br>"
            f"{html.escape(self.message + self._cases_text())}{output}</div>"
        )


# ---------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Exercise:
    """One registered exercise: its id, chapter (``"01_mixtures"``), the name its answer has in
    the notebook, its checker and its time limit in seconds."""

    id: str
    chapter: str
    answer: str
    checker: Callable
    time_limit: float


_EXERCISES: dict[str, Exercise] = {}
_SESSION: dict[str, Verdict] = {}  # the latest verdict of each exercise checked in this process


def exercise(exercise_id: str, *, answer: str, time_limit: float = TIME_LIMIT):
    """Register the decorated checker for ``exercise_id``.

    The chapter is the name of the defining module without its ``ch`` (``ch01_mixtures`` →
    ``01_mixtures``); ``answer`` is the name the notebook gives the answer.
    """

    def register(checker):
        module = checker.__module__.rpartition(".")[2]
        if exercise_id in _EXERCISES:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _EXERCISES[exercise_id] = Exercise(exercise_id, module.removeprefix("ch"), answer, checker, time_limit)
        return checker

    return register


def exercise_ids() -> list[str]:
    """The ids that :func:`check` knows, sorted."""
    return sorted(_EXERCISES)


def chapters() -> list[str]:
    """The chapters that have exercises (``"01_mixtures"``, …), sorted."""
    return sorted({spec.chapter for spec in _EXERCISES.values()})


def chapter_exercises(chapter: str) -> list[Exercise]:
    """The exercises of ``chapter``, in the order of its notebook."""
    if chapter not in chapters():
        raise ValueError(f"chapter {chapter!r} is unknown; known chapters: {', '.join(chapters())}.")
    return [spec for spec in _EXERCISES.values() if spec.chapter == chapter]


def get(exercise_id: str) -> Exercise:
    if not isinstance(exercise_id, str):
        raise ValueError(
            f"exercise_id must be the name of an exercise (a str, e.g. 'count_parameters'), "
            f"got {type(exercise_id).__name__} {exercise_id!r}."
        )
    if exercise_id not in _EXERCISES:
        raise ValueError(f"exercise_id {exercise_id!r} is unknown; known ids: {', '.join(exercise_ids())}.")
    return _EXERCISES[exercise_id]


# ---------------------------------------------------------------------------------------------- check


class Mistake(Exception):
    """Raised inside a checker at the first mistake found; the message names it."""


class NotAttempted(Exception):
    """The answer still raises NotImplementedError."""


def check(exercise_id: str, answer, *, time_limit: float | None = None) -> Verdict:
    """Check a student's answer to exercise ``exercise_id``.

    Parameters
    ----------
    exercise_id : str
        One of :func:`exercise_ids`.
    answer : object
        A function, a number, an array or a SymPy expression, as the exercise asks.
        ``None`` (or ``...``) means not attempted yet.
    time_limit : float, optional
        Seconds allowed for the whole check (default: the exercise's, usually 10).

    Returns
    -------
    Verdict
        With ``.passed``, ``.message`` and ``.cases``; displays as a coloured box in a notebook.

    Raises
    ------
    ValueError
        Only for an unknown ``exercise_id`` or a time limit that is not a positive number
        (a typo in the notebook, not a wrong answer).
    """
    spec = get(exercise_id)
    limit = spec.time_limit if time_limit is None else time_limit
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}.")
    if answer is None or answer is Ellipsis:
        verdict = Verdict(exercise_id, False, PLACEHOLDER, attempted=False)
    else:
        outcome = sandbox.run(partial(_run_checker, spec.checker, answer), time_limit=float(limit))
        verdict = _verdict(exercise_id, outcome, float(limit))
    _SESSION[exercise_id] = verdict
    return verdict


_REPORT: list = [None]      # the progress callback of the running check


def _run_checker(checker, answer, report):
    """Runs apart from the notebook: the checker's verdict as ``(status, message)``."""
    _REPORT[0] = report
    try:
        with np.errstate(all="ignore"):
            return "passed", checker(answer)
    except NotAttempted:
        return "not attempted", "Your function still raises NotImplementedError: write its body, then run this cell again."
    except Mistake as mistake:
        return "failed", str(mistake)
    except sandbox.Stop:
        raise
    except (SystemExit, KeyboardInterrupt) as exc:   # from the answer's own methods, e.g. __float__
        return "failed", f"Your answer raised {type(exc).__name__} while it was being checked: return a plain value."
    except Exception as exc:  # an answer the checker did not foresee: still a verdict, never a crash
        return "failed", (f"Your answer could not be checked ({type(exc).__name__}: {exc}); "
                          "compare its type and shape with what the exercise asks for.")


def _verdict(exercise_id: str, outcome: sandbox.Outcome, limit: float) -> Verdict:
    passed = tuple(name for kind, name in outcome.events if kind == "pass")
    started = [name for kind, name in outcome.events if kind == "start"]
    running = f" on {started[-1]}" if started and started[-1] not in passed else ""
    output = {"output": outcome.output, "output_size": outcome.output_size}
    if outcome.status == "done":
        status, message = outcome.result
        if status == "not attempted":
            return Verdict(exercise_id, False, message, False, passed, **output)
        return Verdict(exercise_id, status == "passed", message, True, passed, **output)
    if outcome.status == "timeout":
        message = (f"Your answer took longer than {limit:g} s{running} and was stopped. Look for a loop that never ends, "
                   "or for work that grows too fast (enumerating every possibility); "
                   "check(..., time_limit=...) allows more time.")
    elif outcome.status == "died":
        message = f"Your answer ended the process that checks it{running}: {outcome.detail}."
    else:
        message = f"The checker itself failed ({outcome.detail}); please report this."
    return Verdict(exercise_id, False, message, True, passed, **output)


# ---------------------------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    """The student's progress in one chapter, from the checks run in this kernel."""

    chapter: str
    rows: tuple  # (exercise_id, status) in notebook order

    @property
    def n_passed(self) -> int:
        return sum(status == "passed" for _, status in self.rows)

    def __str__(self) -> str:
        marks = {"passed": "✓", "not yet right": "✗"}
        lines = [self._summary()]
        lines += [f"  {marks.get(status, '·')} {exercise_id}: {status}" for exercise_id, status in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(i)}: {html.escape(s)}</li>" for i, s in self.rows)
        return f"<div><b>{html.escape(self._summary())}</b><ul>{items}</ul></div>"

    def _summary(self) -> str:
        n = len(self.rows)
        return f"Exercises of {self.chapter}: {self.n_passed} of {n} passed."


def progress(chapter: str) -> Progress:
    """How many of ``chapter``'s exercises passed their latest check in this kernel."""
    rows = []
    for spec in chapter_exercises(chapter):
        verdict = _SESSION.get(spec.id)
        rows.append((spec.id, verdict.status if verdict is not None else "not checked yet"))
    return Progress(chapter, tuple(rows))


# ---------------------------------------------------------------------------------------------- cases


@contextlib.contextmanager
def case(name: str):
    """Mark the checks inside as one case: reported as started, and as passed if no Mistake escapes."""
    report = _REPORT[0] or (lambda message: None)
    report(("start", name))
    yield
    report(("pass", name))


# ---------------------------------------------------------------------------------------------- calls


@dataclass(frozen=True)
class Rules:
    """What a call of the student's function may not do.

    forbidden : pairs (Python function, name shown) the answer must not call, directly or not
        (while the answer runs, each such function raises; functions with a closure cannot be forbidden).
    float64 : refuse arbitrary-precision arithmetic (mpmath, decimal, SymPy, gmpy2) and results
        in a wider type than float64 (np.longdouble); ``float64_hint`` says what to do instead.
    """

    forbidden: tuple = ()
    float64: bool = False
    float64_hint: str = ""


_LIBRARY_DIRS = tuple(
    {os.path.abspath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
)


def _student_line(exc: BaseException) -> str:
    """`` (line 12: x = ...)`` for the last frame in the student's own code (not NumPy's, not ours), or ""."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # frames[0] is call() itself
    own = [frame for frame in frames if not os.path.abspath(frame.filename).startswith(_LIBRARY_DIRS)]
    return f" (line {own[-1].lineno}: {own[-1].line})" if own else ""


def _wider_than_float64(value) -> bool:
    if isinstance(value, (tuple, list)):
        return any(_wider_than_float64(part) for part in value)
    dtype = getattr(value, "dtype", None)
    return dtype is not None and dtype.kind in "fc" and dtype.itemsize > (8 if dtype.kind == "f" else 16)


def call(f, *args, rules: Rules = Rules()):
    """Call the student's function ``f(*args)``; turn what it does wrong into a :class:`Mistake`."""
    if not callable(f):
        raise Mistake(f"The answer must be a function, got {type(f).__name__}.")
    profiler = cProfile.Profile() if rules.float64 else None   # costs little, and only for float64 rules
    del sandbox.TRIPPED[:]
    try:
        with sandbox.tripwires(rules.forbidden):
            if profiler is not None:
                profiler.enable()
            try:
                result = f(*args)
            finally:
                if profiler is not None:
                    profiler.disable()
    except sandbox.Forbidden:
        pass
    except NotImplementedError:
        raise NotAttempted from None
    except (SystemExit, KeyboardInterrupt) as exc:
        what = "called sys.exit()" if isinstance(exc, SystemExit) else "raised KeyboardInterrupt"
        raise Mistake(f"Your function {what}{_student_line(exc)}: a function must return its answer.") from None
    except Exception as exc:  # the student's bug, shown to the student
        raise Mistake(f"Your function raised {type(exc).__name__}: {exc}{_student_line(exc)}.") from None
    if sandbox.TRIPPED:
        raise Mistake(f"Your function calls {sandbox.TRIPPED[0]}, which this exercise asks you to write yourself.")
    wide = sandbox.arbitrary_precision(profiler) if profiler is not None else set()
    if wide:
        raise Mistake(f"Your function computes with {', '.join(sorted(wide))}: arbitrary precision only postpones "
                      f"overflow and underflow. Stay in float64. {rules.float64_hint}".rstrip())
    if rules.float64 and _wider_than_float64(result):
        raise Mistake(f"Your function returns numbers wider than float64 (np.longdouble): a wider type only postpones "
                      f"overflow and underflow. Stay in float64. {rules.float64_hint}".rstrip())
    if result is None:
        raise Mistake("Your function returned None: did you forget the return statement?")
    return result


@contextlib.contextmanager
def recorded_warnings():
    """Record the warnings a notebook would print for the code inside (NumPy's default floating-point
    warnings included: all but underflow) instead of ignoring them."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", over="warn", invalid="warn",
                                                                      under="ignore"):
        warnings.simplefilter("always")
        yield caught


def seeded_calls(f, make_args: Callable, seeds: tuple, *, read: Callable, same: Callable, rules: Rules = Rules()) -> list:
    """Call ``f(*make_args(rng))`` with ``rng = np.random.default_rng(seed)`` for each seed, the first twice.

    Each result goes through ``read`` (which raises a Mistake for a malformed one).  Enforces the
    rules of randomness: NumPy's and Python's global generators are left alone, two generators
    seeded alike give the same result (``same(a, b)``), and differently seeded ones different
    results.  Returns the read results, one per seed.
    """
    results = []
    for index, seed in enumerate((seeds[0],) + tuple(seeds)):
        numpy_state, python_state = np.random.get_state(), random.getstate()
        result = read(call(f, *make_args(np.random.default_rng(seed)), rules=rules))
        after = np.random.get_state()
        if after[2] != numpy_state[2] or not np.array_equal(after[1], numpy_state[1]):
            raise Mistake("Your function draws from NumPy's global generator (np.random.choice, np.random.normal, …): "
                          "take every random number from the rng it is given (rng.choice, rng.standard_normal, "
                          "or random_state=rng in SciPy).")
        if random.getstate() != python_state:
            raise Mistake("Your function draws from Python's random module: take every random number from rng.")
        if index == 1 and not same(results[0], result):
            raise Mistake("Two calls with generators seeded alike gave different results, so some randomness does not "
                          "come from rng (an unseeded np.random.default_rng(), or a generator made outside the "
                          "function): take every random number from rng.")
        if index != 1:
            results.append(result)
    if len(results) > 1 and same(results[0], results[1]):
        raise Mistake("Calls with differently seeded generators gave the same result: your function ignores rng "
                      "(a fixed seed inside it?). Take every random number from rng.")
    return results


# ---------------------------------------------------------------------------------------------- reading answers


def describe(value) -> str:
    """``ndarray of shape (2, 3)``, or the type name alone (never raises)."""
    try:
        shape = np.shape(value)
    except Exception:
        return type(value).__name__
    return f"{type(value).__name__} of shape {shape}" if shape else type(value).__name__


def as_array(value, name: str, shape: tuple | None = None) -> np.ndarray:
    """``value`` as a float array (lists, NumPy and SymPy numbers accepted), or a Mistake."""
    title = name[:1].upper() + name[1:]
    try:
        array = np.asarray(value.tolist() if hasattr(value, "tolist") and not isinstance(value, np.ndarray) else value)
        if np.iscomplexobj(array):
            raise Mistake(f"{title} should be real numbers, got complex values.")
        array = array.astype(float)
    except (TypeError, ValueError, AttributeError):
        raise Mistake(f"{title} should be an array of numbers, got {describe(value)}.") from None
    if shape is not None and array.shape != shape:
        raise Mistake(f"{title} should have shape {shape}, got {array.shape}.")
    return array


def as_number(value, what: str = "the answer"):
    """One number as ``int`` (Python, NumPy and SymPy integers) or ``float`` (any other real number)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise Mistake(f"Return one number for {what}, got {type(value).__name__}.")
    if isinstance(value, (int, np.integer)):
        return int(value)
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr) or value.free_symbols:
            names = ", ".join(sorted(str(s) for s in getattr(value, "free_symbols", ())))
            raise Mistake(f"Return one number for {what}, not a SymPy expression" + (f" in {names}." if names else "."))
        value = value.doit()
        if value.is_Integer:
            return int(value)
        value = value.evalf(30)   # numerically: simplifying e.g. log(factorial(5000)) exactly can take minutes
        if not value.is_real:
            raise Mistake(f"Return one real number for {what}, got {value}.")
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise Mistake(f"Return one number for {what}, got {describe(value)}.") from None
    if isinstance(value, complex) or np.iscomplexobj(value):
        raise Mistake(f"Return one real number for {what}, got a complex number.")
    return number


def as_expression(answer, *, unknown: tuple, symbols: dict):
    """The value a symbolic answer gives the unknown, as a SymPy expression in ``symbols``.

    Accepted, in any equivalent form: an expression; an equation with the unknown, either way round
    (``Eq(lam, -N)``, ``Eq(-N, lam)``, ``Eq(lam + N, 0)``); a dict ``{lam: value}`` as
    ``sympy.solve(..., dict=True)`` gives (other keys are ignored); a list, tuple, set or
    ``FiniteSet`` of one such answer; a number; a string SymPy can parse.  ``unknown`` holds the
    names the unknown may have (``"lambda"``, ``"λ"``, …); a symbol named like a key of
    ``symbols`` is replaced by its value, whatever its assumptions.
    """
    import sympy

    def is_unknown(symbol) -> bool:
        return isinstance(symbol, sympy.Symbol) and symbol.name in unknown

    if isinstance(answer, (list, tuple, set, frozenset, sympy.FiniteSet)):
        values = [as_expression(item, unknown=unknown, symbols=symbols) for item in answer]
        distinct = {sympy.simplify(value) for value in values}
        if len(distinct) != 1:
            raise Mistake(f"Give one value, not a {type(answer).__name__} of {len(values)} different ones.")
        return values[0]
    if isinstance(answer, dict):
        keys = [key for key in answer if is_unknown(key) or str(key) in unknown]
        if len(keys) == 1:
            return as_expression(answer[keys[0]], unknown=unknown, symbols=symbols)
        if len(answer) == 1:
            return as_expression(next(iter(answer.values())), unknown=unknown, symbols=symbols)
        raise Mistake(f"Your dict has no single entry for {unknown[0]}: give its value.")
    if isinstance(answer, str):
        try:
            names = {**{name: sympy.Symbol(name) for name in unknown if name.isidentifier()}, **symbols}
            answer = sympy.parse_expr(answer.replace("λ", "lamda_"), local_dict=names)
        except Exception:
            raise Mistake(f"SymPy cannot read the string {answer!r}: give a SymPy expression.") from None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    try:
        expr = sympy.sympify(answer, strict=True)
    except (sympy.SympifyError, TypeError, ValueError):
        raise Mistake(f"The answer must be a SymPy expression, got {type(answer).__name__}.") from None
    expr = expr.subs({s: symbols[s.name] for s in expr.free_symbols if s.name in symbols})
    if isinstance(expr, sympy.Equality):
        names = [s for s in expr.free_symbols if is_unknown(s) or s.name == "lamda_"]
        if len(names) != 1:
            raise Mistake(f"Your equation should contain {unknown[0]} once, as the unknown to solve for.")
        solutions = sympy.solve(expr, names[0], dict=False)
        if len(solutions) != 1:
            raise Mistake(f"Your equation does not fix one value of {unknown[0]}.")
        return solutions[0]
    if not isinstance(expr, sympy.Expr):
        raise Mistake(f"The answer must be a SymPy expression, got {type(answer).__name__}.")
    if any(is_unknown(s) for s in expr.free_symbols):
        raise Mistake(f"Your expression contains {unknown[0]} itself: give its value.")
    return expr


def same_count(got, expected: int) -> bool:
    """True when the number ``got`` (from :func:`as_number`) is the whole number ``expected``."""
    if isinstance(got, int):
        return got == expected
    return bool(np.isfinite(got)) and (got == expected or abs(got - expected) <= 1e-12 * abs(expected))


def close(a, b, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=rtol, atol=atol)


def diagnose(got, candidates, default: str, expected=None):
    """Raise the message of the first wrong-answer candidate ``got`` matches, else ``default``.

    A candidate that coincides with ``expected`` on these inputs (e.g. "ignored the weights" when
    the weights are equal) says nothing about the answer and is skipped.
    """
    for wrong, message in candidates:
        try:
            if expected is not None and close(wrong, expected, rtol=1e-4, atol=1e-8):
                continue
            if close(got, wrong, rtol=1e-4, atol=1e-8):
                raise Mistake(message)
        except (ValueError, TypeError):
            continue
    raise Mistake(default)


def fmt(value, digits: int = 3) -> str:
    """A short rendering for messages: ``digits`` significant digits, fewer than any tolerance."""
    return np.array2string(np.asarray(value, dtype=float), formatter={"float_kind": lambda x: f"{x:.{digits}g}"})

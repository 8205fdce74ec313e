"""The checker framework (gmmbook/exercises/framework.py, sandbox.py): verdicts, time limits, isolation.

* an answer is run apart from the notebook: a loop, ``sys.exit``, ``os._exit``, ``KeyboardInterrupt``,
  a flood of output or ``input()`` becomes a verdict, never a crash or a hang;
* a time-out says how long, on which case, and which cases had passed;
* any wrong answer (an exception, a wrong type or shape, NaN, not callable) gets a verdict with a
  message, ``None`` and ``NotImplementedError`` are "not attempted yet";
* verdicts display as text and escaped HTML; ``progress`` counts a chapter's latest verdicts;
* the same holds where checks run in a thread instead of a forked process (macOS, Windows).
"""

from __future__ import annotations

import os
import re
import sys
import time

import numpy as np
import pytest
import sympy

from gmmbook.exercises import Verdict, chapter_exercises, chapters, check, exercise_ids, framework, progress, sandbox
from tools import exercises as generator

IDS = exercise_ids()


def _answers_a_value(spec) -> bool:
    """True when the notebook gives the answer a value (``# BEGIN SOLUTION: name = None``), not a function."""
    source = (generator.SOLUTIONS / f"{spec.chapter}.py").read_text(encoding="utf-8")
    return re.search(rf"^# BEGIN SOLUTION: {re.escape(spec.answer)} =", source, re.MULTILINE) is not None


VALUE_IDS = {spec.id for chapter in chapters() for spec in chapter_exercises(chapter) if _answers_a_value(spec)}
FUNCTION_IDS = [i for i in IDS if i not in VALUE_IDS]


# ---------------------------------------------------------------------------------------------- registry


def test_every_chapter_with_exercises_has_a_notebook_that_checks_each_of_them():
    assert chapters() == sorted(path.stem for path in generator.discover())
    for chapter in chapters():
        source = (generator.SOLUTIONS / f"{chapter}.py").read_text(encoding="utf-8")
        for spec in chapter_exercises(chapter):
            assert f'check("{spec.id}", {spec.answer})' in source, (chapter, spec.id)


def test_the_public_api():
    import gmmbook.exercises as ex

    assert ex.check is framework.check and ex.Verdict is Verdict and ex.exercise_ids() == sorted(ex.exercise_ids())
    assert len(IDS) == len(set(IDS)) >= 14


# ---------------------------------------------------------------------------------------------- isolation and time


def endless(*args):
    while True:
        pass


def flood(*args):
    for i in range(200_000):
        print("line", i)
    return None


def endless_flood(*args):
    while True:
        print("again and again")


@pytest.mark.parametrize("exercise_id", ["count_parameters", "sample", "em"])
def test_an_endless_loop_is_stopped_at_the_time_limit(exercise_id):
    start = time.monotonic()
    verdict = check(exercise_id, endless, time_limit=1.5)
    assert time.monotonic() - start < 10
    assert not verdict.passed and verdict.attempted
    assert "took longer than 1.5 s on " in verdict.message and "time_limit" in verdict.message, str(verdict)


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
@pytest.mark.parametrize("ending, names_it", [
    (lambda *a: sys.exit(3), r"called sys.exit\(\) \(line \d+: .*sys.exit\(3\)"),
    (lambda *a: exec("raise KeyboardInterrupt"), r"raised KeyboardInterrupt"),
    (lambda *a: os._exit(7), r"ended the process that checks it on .*exit status 7"),
], ids=["sys.exit", "KeyboardInterrupt", "os._exit"])
def test_an_answer_that_ends_its_process_gets_a_verdict(exercise_id, ending, names_it):
    verdict = check(exercise_id, ending)
    assert not verdict.passed and verdict.attempted
    assert re.search(names_it, verdict.message), str(verdict)


def test_output_is_shown_bounded_and_a_flood_is_a_verdict():
    verdict = check("count_parameters", flood)
    assert not verdict.passed and "returned None" in verdict.message
    assert verdict.output_size > 2_000_000 and len(verdict.output) == sandbox.OUTPUT_KEPT
    assert verdict.output.startswith("line 0\nline 1\n")
    assert re.search(r"Your function printed:\nline 0\n.*\n… \([\d,]+ more characters not shown\)$", str(verdict), re.S)
    assert "more characters not shown" in verdict._repr_html_()
    endless_verdict = check("count_parameters", endless_flood, time_limit=1.5)
    assert "took longer than 1.5 s" in endless_verdict.message
    assert endless_verdict.output.startswith("again and again\n") and endless_verdict.output_size > 10_000


def test_a_few_prints_are_shown_with_the_verdict():
    def chatty(K, D):
        print(f"K={K} D={D}")
        return K * D + (K - 1) + K * D * (D + 1) // 2

    verdict = check("count_parameters", chatty)
    assert verdict.passed and verdict.output.startswith("K=1 D=1\nK=2 D=2\n")
    assert "more characters" not in str(verdict)


def test_input_cannot_block_a_check():
    verdict = check("count_parameters", lambda K, D: int(input("K?")))
    assert not verdict.passed and "input() cannot be used" in verdict.message


def test_an_answer_cannot_change_the_notebooks_state():
    """The check runs apart: globals the answer sets do not reach the caller."""
    seen = []

    def meddling(K, D):
        seen.append(K)
        np.random.seed(123)
        return K * D + (K - 1) + K * D * (D + 1) // 2

    state = np.random.get_state()[1].copy()
    assert check("count_parameters", meddling).passed
    assert seen == [] and np.array_equal(np.random.get_state()[1], state)


@pytest.fixture
def threaded(monkeypatch):
    """Checks run in a thread, as on macOS and Windows."""
    monkeypatch.setattr(sandbox, "use_fork", lambda: False)


@pytest.mark.usefixtures("threaded")
def test_in_a_thread_a_right_answer_passes_and_a_loop_is_stopped():
    assert check("count_parameters", lambda K, D: K * D + (K - 1) + K * D * (D + 1) // 2).passed
    verdict = check("n_labellings", lambda N, K: sum(1 for _ in __import__("itertools").product(range(K), repeat=N)),
                    time_limit=1.5)
    assert "took longer than 1.5 s on N = 272, K = 2" in verdict.message and len(verdict.cases) == 4
    assert re.search("called sys.exit", check("count_parameters", lambda K, D: sys.exit()).message)
    flooded = check("count_parameters", flood)
    assert flooded.output_size > 2_000_000 and len(flooded.output) == sandbox.OUTPUT_KEPT


# ---------------------------------------------------------------------------------------------- wrong answers of every kind


def raises_zero_division(*args):
    return 1 / 0


def raises_inside_numpy(*args):
    return np.linalg.inv(np.zeros((2, 2)))  # the student's line that fails


GENERIC_BAD = {
    "returns-a-string": lambda *args: "my answer",
    "returns-None-in-a-tuple": lambda *args: (None, None),
    "returns-a-3-tuple-with-None": lambda *args: (np.ones(3), None, np.ones(3)),
    "returns-a-3-d-array": lambda *args: np.zeros((2, 2, 2)),
    "returns-a-dict": lambda *args: {"answer": 1},
    "returns-a-function": lambda *args: raises_zero_division,
    "returns-nan": lambda *args: np.nan,
    "not-callable-number": 42,
    "not-callable-string": "def f(x): return x",
}
BAD = [pytest.param(i, answer, id=f"{i}-{name}") for i in FUNCTION_IDS for name, answer in GENERIC_BAD.items()]
BAD += [pytest.param("textbook_responsibilities", answer, id=f"textbook_responsibilities-{name}") for name, answer in {
    "a-string": "0.99, 0.01, 0",
    "None-entries": [[None] * 3] * 7,
    "nan": np.full((7, 3), np.nan),
    "wrong-shape": np.zeros((7, 2)),
    "a-number": 0.5,
    "complex": np.ones((7, 3)) + 0j,
}.items()]
BAD += [pytest.param("lagrange_multiplier", answer, id=f"lagrange_multiplier-{name}") for name, answer in {
    "a-function": raises_zero_division,
    "a-string-of-nonsense": "lambda",
    "nan": float("nan"),
    "a-number": 3.0,
    "a-numpy-array": np.array([1.0, 2.0]),
    "a-tuple-with-None": (sympy.Symbol("N", positive=True), None),
    "a-matrix": sympy.Matrix([-sympy.Symbol("N", positive=True)]),
    "a-dict": {"a": 1},
}.items()]


@pytest.mark.parametrize("exercise_id, answer", BAD)
def test_a_checker_never_crashes_on_a_wrong_answer(exercise_id, answer):
    verdict = check(exercise_id, answer)
    assert isinstance(verdict, Verdict)
    assert verdict.passed is False and verdict.attempted is True, str(verdict)
    assert verdict.status == "not yet right"
    assert verdict.message.strip() and "checker itself failed" not in verdict.message
    assert str(verdict) and verdict._repr_html_()


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_an_exception_is_shown_with_the_students_line(exercise_id):
    def answer(*args):
        raise ZeroDivisionError("something went wrong")

    verdict = check(exercise_id, answer)
    assert not verdict.passed
    assert "raised ZeroDivisionError: something went wrong" in verdict.message, str(verdict)
    assert 'raise ZeroDivisionError("something went wrong")' in verdict.message
    numpy_error = check(exercise_id, raises_inside_numpy).message
    assert "LinAlgError" in numpy_error and "np.linalg.inv(np.zeros((2, 2)))" in numpy_error


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_a_forgotten_return_is_named(exercise_id):
    def answer(*args):
        _ = args

    verdict = check(exercise_id, answer)
    assert not verdict.passed and verdict.attempted
    assert re.search(r"returned None", verdict.message), str(verdict)


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_placeholder_is_not_attempted(exercise_id):
    for placeholder in (None, Ellipsis):
        verdict = check(exercise_id, placeholder)
        assert not verdict.passed and not verdict.attempted
        assert verdict.status == "not attempted yet" and "not attempted" in str(verdict)


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_a_function_raising_not_implemented_is_not_attempted(exercise_id):
    def template(*args):
        # YOUR CODE HERE
        raise NotImplementedError

    verdict = check(exercise_id, template)
    assert not verdict.passed and not verdict.attempted
    assert "NotImplementedError" in verdict.message


def test_an_unknown_exercise_id_or_time_limit_is_a_value_error():
    with pytest.raises(ValueError, match=r"exercise_id 'm_stpe' is unknown.*m_step"):
        check("m_stpe", lambda X, r: None)
    for bad_id in (["count_parameters"], {"count_parameters": 1}, 1, None):   # arguments swapped or wrapped
        with pytest.raises(ValueError, match=r"exercise_id must be the name of an exercise \(a str"):
            check(bad_id, 1)
    for bad in (0, -1, "10", True):
        with pytest.raises(ValueError, match=r"time_limit must be a positive number"):
            check("m_step", lambda X, r: None, time_limit=bad)
    with pytest.raises(ValueError, match=r"chapter '07_x' is unknown"):
        progress("07_x")


# ---------------------------------------------------------------------------------------------- display and progress


def test_the_html_escapes_the_message_and_the_output():
    def answer(*args):
        print("<b>bold</b>")
        raise ValueError("<script>alert('x')</script> & more")

    verdict = check("m_step", answer)
    html = verdict._repr_html_()
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html and "&amp; more" in html and "&lt;b&gt;bold" in html
    assert "<script>" in verdict.message  # the plain message is not escaped


def test_the_status_shows_in_colour_and_in_the_mark():
    right = lambda K, D: K * D + (K - 1) + K * D * (D + 1) // 2  # noqa: E731
    passed, failed, pending = check("count_parameters", right), check("count_parameters", lambda K, D: 0), \
        check("count_parameters", None)
    colours = {v.status: re.search(r"border-left: 4px solid (#[0-9a-f]{6})", v._repr_html_()).group(1)
               for v in (passed, failed, pending)}
    assert len(set(colours.values())) == 3
    assert str(passed).startswith("✓") and str(failed).startswith("✗") and str(pending).startswith("·")
    assert "(5 of 5 cases passed.)" in str(passed)


def test_progress_counts_the_latest_verdict_of_each_exercise():
    right = lambda K, D: K * D + (K - 1) + K * D * (D + 1) // 2  # noqa: E731
    framework._SESSION.clear()
    n = len(chapter_exercises("01_mixtures"))
    assert str(progress("01_mixtures")).startswith(f"Exercises of 01_mixtures: 0 of {n} passed.")
    check("count_parameters", lambda K, D: 0)
    check("mixture_density", None)
    text = str(progress("01_mixtures"))
    assert f"0 of {n}" in text and "✗ count_parameters: not yet right" in text
    assert "· mixture_density: not attempted yet" in text and "· mixture_moments: not checked yet" in text
    check("count_parameters", right)
    assert progress("01_mixtures").n_passed == 1 and f"01_mixtures: 1 of {n} passed" in progress("01_mixtures")._repr_html_()

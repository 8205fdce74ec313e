"""Helpers shared by the tests of the exercise checkers (``tests/test_exercises_*.py``).

Reference computations here are written as a student would, from the chapters' equations, with
SciPy and NumPy only (never from gmmbook), so that a checker is compared with an outside route.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import stats

from gmmbook.exercises import chapter_exercises, check, framework

M = r"[−-]"  # the messages use the minus sign −


def log_gauss(X, means, covariances):
    """(N, K): ln N(x_n | μ_k, Σ_k) by scipy.stats.multivariate_normal."""
    X = np.asarray(X, dtype=float)
    return np.stack([np.reshape(stats.multivariate_normal(m, c).logpdf(X), len(X))
                     for m, c in zip(means, covariances)], axis=1)


def gauss(X, means, covariances):
    return np.exp(log_gauss(X, means, covariances))


def quiet(f):
    """Run f with NumPy's floating-point warnings off, as a wrong answer overflows in a notebook."""

    def wrapped(*args):
        with np.errstate(all="ignore"):
            return f(*args)

    return wrapped


def as_lists(f):
    """The same answer, returned as (nested) Python lists."""

    def wrapped(*args):
        result = f(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(part).tolist() for part in result)
        return np.asarray(result).tolist()

    return wrapped


def as_float32(f):
    """The same answer, returned as float32 arrays."""

    def wrapped(*args):
        result = f(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(part, dtype=np.float32) for part in result)
        return np.asarray(result, dtype=np.float32)

    return wrapped


def assert_passes(exercise_id, answer):
    verdict = check(exercise_id, answer)
    assert verdict.passed, str(verdict)
    assert verdict.attempted and verdict.status == "passed"
    assert verdict.message.startswith("Right")
    return verdict


def assert_named(exercise_id, answer, names_the_mistake):
    """The answer fails, and the message names the mistake (a regular expression)."""
    verdict = check(exercise_id, answer)
    assert not verdict.passed and verdict.attempted, str(verdict)
    assert re.search(names_the_mistake, verdict.message), str(verdict)
    return verdict


def checked_here(exercise_id, answer):
    """(passed, message) of the checker run in this process: fast, for answers that cannot misbehave."""
    try:
        return True, framework.get(exercise_id).checker(answer)
    except framework.Mistake as mistake:
        return False, str(mistake)


def assert_no_leak_and_no_paste_back(exercise_id, right, wrong_answers, answer_text):
    """A derive checker's messages never give its formula away, and no message passes when pasted back.

    ``answer_text`` is a regular expression for the formula written out; it must match the praise for
    the ``right`` answer (so the pattern would catch a leak), and no message for a wrong answer.
    """
    passed, praise = checked_here(exercise_id, right)
    assert passed and re.search(answer_text, praise), praise
    for answer in wrong_answers:
        passed, message = checked_here(exercise_id, answer)
        assert not passed and not re.search(answer_text, message), message
        assert not checked_here(exercise_id, message)[0], message


def assert_deterministic(exercise_id, answers):
    for answer in answers:
        first, second = check(exercise_id, answer), check(exercise_id, answer)
        assert str(first) == str(second) == repr(first)
        assert first._repr_html_() == second._repr_html_()
        assert " at 0x" not in str(first)  # no object addresses


def chapter_tests(chapter: str, correct: list, wrong: list) -> tuple:
    """The tests every chapter's checkers get, from its lists of correct styles and classic mistakes.

    ``correct`` holds ``pytest.param(exercise_id, answer)``, ``wrong`` holds
    ``pytest.param(exercise_id, answer, regular expression naming the mistake)``.  Bind the four
    returned functions to module names starting with ``test_`` so that pytest collects them.
    """
    ids = [spec.id for spec in chapter_exercises(chapter)]

    @pytest.mark.parametrize("exercise_id, answer", correct)
    def test_a_correct_answer_passes(exercise_id, answer):
        assert_passes(exercise_id, answer)

    @pytest.mark.parametrize("exercise_id, answer, names_the_mistake", wrong)
    def test_a_classic_mistake_is_named(exercise_id, answer, names_the_mistake):
        assert_named(exercise_id, answer, names_the_mistake)

    def test_each_exercise_has_three_correct_styles_and_three_classic_mistakes():
        for exercise_id in ids:
            assert sum(p.values[0] == exercise_id for p in correct) >= 3, exercise_id
            assert sum(p.values[0] == exercise_id for p in wrong) >= 3, exercise_id

    @pytest.mark.parametrize("exercise_id", ids)
    def test_verdicts_are_deterministic(exercise_id):
        right = next(p.values[1] for p in correct if p.values[0] == exercise_id)
        mistake = next(p.values[1] for p in wrong if p.values[0] == exercise_id)
        assert_deterministic(exercise_id, [right, mistake, None])

    return (test_a_correct_answer_passes, test_a_classic_mistake_is_named,
            test_each_exercise_has_three_correct_styles_and_three_classic_mistakes, test_verdicts_are_deterministic)

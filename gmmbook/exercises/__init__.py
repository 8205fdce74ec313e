"""Checkers for the exercises (``exercises/NN_name.ipynb``), one module per chapter.

``check(exercise_id, answer)`` runs the student's answer, apart from the notebook and under a
time limit, on inputs chosen to expose the classic mistakes, compares it with the library (which
the chapters have already checked against SciPy, SymPy and scikit-learn), and returns a
:class:`Verdict` that says what is right, or names the mistake and the cases already passed.
``progress(chapter)`` sums up a chapter's verdicts in this kernel.

Layout: :mod:`.framework` holds what every checker uses (verdicts, the registry, answers read and
compared), :mod:`.sandbox` runs a check in a child process with a time limit, ``chNN_name.py``
holds chapter NN's checkers, and :mod:`.grading` is the instructors' command
``python -m gmmbook.exercises grade NOTEBOOK...``.  A new ``chNN_name.py`` is found by itself; adding
exercises to a chapter touches only its module (and its notebook).
"""

import importlib
import pkgutil

from .framework import Progress, Verdict, chapter_exercises, chapters, check, exercise_ids, progress

__all__ = ["Progress", "Verdict", "chapter_exercises", "chapters", "check", "exercise_ids", "progress"]

for _module in sorted(module.name for module in pkgutil.iter_modules(__path__)):
    if _module.startswith("ch") and _module[2:4].isdigit():   # ch01_mixtures, ...: register their checkers
        importlib.import_module(f"{__name__}.{_module}")

"""The instructors' command ``python -m gmmbook.exercises grade`` (gmmbook/exercises/grading.py).

Real student notebooks of chapter 04, each run in a fresh kernel: the worked solutions (all
pass), the template (nothing attempted), one with planted wrong answers (and a function that
prints and displays while it is checked), one that crashes its kernel, one with a cell that
loops (interrupted, the rest still graded), and a file that is not a notebook: one run of the
command grades them all and writes the table, the CSV and the JSON.  Then a notebook whose loop
ignores the interrupt: the notebook's own time limit kills its kernel.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time

import jupytext
import nbformat
import pytest

from gmmbook.exercises import chapter_exercises, grading
from tools import exercises as generator

CHAPTER = "04_posterior"
IDS = [spec.id for spec in chapter_exercises(CHAPTER)]   # responsibilities, textbook_responsibilities, then the rest
TEMPLATE = generator.EXERCISES / f"{CHAPTER}.py"
SOLUTION = generator.SOLUTIONS / f"{CHAPTER}.ipynb"


def notebook_from(text: str, path):
    nb = jupytext.reads(text, fmt="py:percent")
    nbformat.write(nb, path)
    return path


def planted(text: str) -> str:
    """The template with wrong answers: rows not normalised, and a table typed with 3 decimals."""
    wrong_function = '''    print("computing", X.shape)
    from IPython.display import display
    display("a display inside a check")
    joint = np.column_stack([w * stats.multivariate_normal(m, c).pdf(X) for w, m, c in zip(weights, means, covariances)])
    return joint'''
    text = text.replace("    # YOUR CODE HERE\n    raise NotImplementedError", wrong_function, 1)
    table = "[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.057, 0.943, 0.0], [0.0, 1.0, 0.0], [0.0, 0.066, 0.934], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]"
    return text.replace("# YOUR ANSWER HERE\ntextbook_resp = None", f"textbook_resp = {table}", 1)


RIGHT_RESPONSIBILITIES = '''
# %%
import numpy as np
from scipy import special, stats
from gmmbook.exercises import check


def responsibilities(X, weights, means, covariances):
    a = np.column_stack([np.log(w) + stats.multivariate_normal(m, c).logpdf(X) for w, m, c in zip(weights, means, covariances)])
    return np.exp(a - special.logsumexp(a, axis=1, keepdims=True))


check("responsibilities", responsibilities)
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("students")
    template = TEMPLATE.read_text(encoding="utf-8")
    notebooks = {
        "solutions": folder / "alice.ipynb",
        "template": notebook_from(template, folder / "bob.ipynb"),
        "planted": notebook_from(planted(template), folder / "carol.ipynb"),
        "crash": notebook_from(RIGHT_RESPONSIBILITIES + '\n# %%\nimport os\nos._exit(1)\n', folder / "dave.ipynb"),
        "loop": notebook_from(RIGHT_RESPONSIBILITIES + "\n# %%\nwhile True:\n    pass\n\n# %%\ntextbook_resp = 0.5\n"
                              'check("textbook_responsibilities", textbook_resp)\n', folder / "erin.ipynb"),
        "garbage": folder / "grace.ipynb",
    }
    notebooks["solutions"].write_bytes(SOLUTION.read_bytes())
    notebooks["garbage"].write_text("this is not JSON", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "gmmbook.exercises", "grade", *map(str, notebooks.values()), "--timeout", "10",
         "--notebook-timeout", "300", "--csv", str(folder / "grades.csv"), "--json", str(folder / "grades.json")],
        capture_output=True, text=True, timeout=600, cwd=generator.ROOT)
    assert result.returncode == 0, result.stderr
    rows = {row["notebook"]: row for row in json.loads((folder / "grades.json").read_text(encoding="utf-8"))}
    return {name: rows[str(path)] for name, path in notebooks.items()}, result.stdout, folder


def statuses(row):
    return {exercise_id: verdict["status"] for exercise_id, verdict in row["verdicts"].items()}


def test_the_worked_solutions_pass_everything(graded):
    rows, _, _ = graded
    assert rows["solutions"]["run"] == "ok" and rows["solutions"]["detail"] == ""
    assert statuses(rows["solutions"]) == {exercise_id: "passed" for exercise_id in IDS}
    assert rows["solutions"]["passed"] == len(IDS)


def test_the_template_is_not_attempted(graded):
    rows, _, _ = graded
    assert rows["template"]["run"] == "ok"
    assert set(statuses(rows["template"]).values()) == {"not attempted yet"}


def test_planted_mistakes_are_named(graded):
    rows, _, _ = graded
    verdicts = rows["planted"]["verdicts"]
    assert rows["planted"]["run"] == "ok"
    assert verdicts["responsibilities"]["status"] == "not yet right"
    assert "do not sum to 1" in verdicts["responsibilities"]["message"]
    assert verdicts["textbook_responsibilities"]["status"] == "not yet right"
    assert "about 3 decimals" in verdicts["textbook_responsibilities"]["message"]


def test_a_crashing_notebook_gets_a_row_that_says_so(graded):
    rows, _, _ = graded
    assert rows["crash"]["run"] == "kernel died" and "died" in rows["crash"]["detail"]
    assert set(statuses(rows["crash"]).values()) == {"not graded"}


def test_a_looping_cell_is_interrupted_and_the_rest_is_graded(graded):
    rows, _, _ = graded
    assert rows["loop"]["run"] == "errors" and "cell 3 stopped after 10 s" in rows["loop"]["detail"]
    assert statuses(rows["loop"]) == {**{exercise_id: "not attempted yet" for exercise_id in IDS},
                                      "responsibilities": "passed", "textbook_responsibilities": "not yet right"}


def test_a_loop_that_ignores_the_interrupt_runs_out_of_the_notebooks_time(tmp_path):
    stubborn = notebook_from(RIGHT_RESPONSIBILITIES + "\n# %%\nimport time\nwhile True:\n    try:\n"
                             "        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass\n", tmp_path / "frank.ipynb")
    start = time.monotonic()
    row = grading.grade_notebook(stubborn, timeout=5, notebook_timeout=25)
    assert time.monotonic() - start < 120
    assert row.run == "timed out" and "within 25 s" in row.detail
    assert set(verdict["status"] for verdict in row.verdicts.values()) == {"not graded"}


def test_a_file_that_is_not_a_notebook_gets_a_row(graded):
    rows, _, _ = graded
    assert rows["garbage"]["run"] == "unreadable"


def test_the_table_and_the_csv_have_one_row_per_notebook(graded):
    rows, table, folder = graded
    lines = table.splitlines()
    assert lines[0].split() == ["notebook", "run", *IDS, "passed"]
    assert any(line.startswith(str(folder / "alice.ipynb")) and line.endswith(f"{len(IDS)} of {len(IDS)}") for line in lines)
    with open(folder / "grades.csv", newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    assert len(records) == len(rows)
    by_name = {record["notebook"]: record for record in records}
    assert by_name[str(folder / "carol.ipynb")]["responsibilities"] == "not yet right"
    assert by_name[str(folder / "alice.ipynb")]["passed"] == str(len(IDS))


def test_the_answers_come_from_the_check_calls_or_the_template_names():
    nb = jupytext.reads(RIGHT_RESPONSIBILITIES + '\n# %%\ncheck("textbook_responsibilities", my_table * 1)\n', fmt="py:percent")
    template_names = {spec.id: spec.answer for spec in chapter_exercises(CHAPTER)}   # the others keep their names
    assert grading._answers(nb) == {**template_names, "responsibilities": "responsibilities",
                                    "textbook_responsibilities": "my_table * 1"}
    lone = jupytext.reads('# %%\ncheck("m_step", m_step)\n', fmt="py:percent")
    assert grading._answers(lone) == {spec.id: spec.answer for spec in chapter_exercises("05_em_derivation")}
    assert grading._answers(lone)["m_step"] == "m_step" and grading._answers(lone)["lagrange_multiplier"] == "lam"
    assert grading._answers(jupytext.reads("# %%\nx = 1\n", fmt="py:percent")) == {}

"""The student-version generator, tools/exercises.py.

Unit tests on small solution files in a temporary ``exercises/solutions/`` folder: every marker is
applied, a malformed or misplaced marker is an error naming the file and line (a misplaced one
would let solution lines into the student file), the student notebook gets cell ids of its own,
and a student notebook that shows a passed check is caught.  Then the repository test: every
committed student version is exactly what the generator writes, and ``check`` passes on the book.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from gmmbook.exercises import check
from tools import exercises as gen


def write_solution(tmp_path, text, name="01_demo.py"):
    folder = tmp_path / "exercises" / "solutions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text, needle, occurrence=1):
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


DEMO = '''\
# %% [markdown]
# # Exercises: a demonstration
#
# Back to [the chapter](../../chapters/01_mixtures.ipynb), or see [all chapters](../../chapters/).
# The student version is [here](../01_demo.ipynb); the [syllabus](https://example.org/../../x) stays.

# %%
import numpy as np
import sympy

from gmmbook.exercises import check


# %%
def count_parameters(K, D):
    \"\"\"The number of free parameters.\"\"\"
    # BEGIN SOLUTION
    means = K * D
    weights = K - 1
    covariances = K * D * (D + 1) // 2
    return means + weights + covariances
    # END SOLUTION


check("count_parameters", count_parameters)

# %%
N = sympy.Symbol("N", positive=True)

# %%
# BEGIN SOLUTION: lam = None
lam = -N
# END SOLUTION
check("lagrange_multiplier", lam)

# %% tags=["solution-only"]
print(count_parameters(2, 2))

# %% [markdown]
# **Why?**

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# Because the weights sum to 1.
#
# So one of them is determined by the others.
# <!-- END SOLUTION -->

# %% tags=["hint"]
class Helper:
    def method(self, k):
        \"\"\"Indented twice.\"\"\"
        # BEGIN SOLUTION
        return k + 1
        # END SOLUTION
'''

DEMO_STUDENT = '''\
# %% [markdown]
# <!-- generated from exercises/solutions/01_demo.py by tools/exercises.py; edit the solution -->
# # Exercises: a demonstration
#
# Back to [the chapter](../chapters/01_mixtures.ipynb), or see [all chapters](../chapters/).
# The student version is [here](01_demo.ipynb); the [syllabus](https://example.org/../../x) stays.

# %%
import numpy as np
import sympy

from gmmbook.exercises import check


# %%
def count_parameters(K, D):
    \"\"\"The number of free parameters.\"\"\"
    # YOUR CODE HERE
    raise NotImplementedError


check("count_parameters", count_parameters)

# %%
N = sympy.Symbol("N", positive=True)

# %%
# YOUR ANSWER HERE
lam = None
check("lagrange_multiplier", lam)


# %% [markdown]
# **Why?**

# %% [markdown]
# *Write your answer here.*

# %% tags=["hint"]
class Helper:
    def method(self, k):
        \"\"\"Indented twice.\"\"\"
        # YOUR CODE HERE
        raise NotImplementedError
'''


def test_generate_text_applies_every_marker(tmp_path):
    """Code and answer markers (indentation kept), Markdown markers, solution-only cells, links, note."""
    assert gen.generate_text(write_solution(tmp_path, DEMO)) == DEMO_STUDENT


def test_the_output_is_deterministic_headerless_and_a_jupytext_fixed_point(tmp_path):
    solution = write_solution(tmp_path, DEMO)
    text = gen.generate_text(solution)
    assert text == gen.generate_text(solution)
    assert text.startswith("# %% [markdown]\n# <!-- generated from exercises/solutions/01_demo.py by tools/exercises.py; "
                           "edit the solution -->\n")
    assert "jupyter:" not in text and not text.startswith("# ---")
    # Saving the student notebook from JupyterLab (jupytext, project config) rewrites the same text.
    assert gen.write_text(gen.read_text(text)) == text
    # Cells: the solution-only one is gone, the others keep their type and tags.
    student, solution_nb = gen.read_text(text), gen.read_text(DEMO)
    kept = [c for c in solution_nb.cells if "solution-only" not in c.metadata.get("tags", [])]
    assert [(c.cell_type, c.metadata.get("tags")) for c in student.cells] == \
        [(c.cell_type, c.metadata.get("tags")) for c in kept]


def test_the_note_goes_into_a_leading_code_cell(tmp_path):
    text = gen.generate_text(write_solution(tmp_path, "# %%\nx = 1\n"))
    assert text == ("# %%\n# generated from exercises/solutions/01_demo.py by tools/exercises.py; edit the solution\n"
                    "x = 1\n")


def test_the_generated_student_code_runs_and_reports_not_attempted(tmp_path):
    """The student version's code cells run without error; each check says "not attempted yet"."""
    nb = gen.read_text(gen.generate_text(write_solution(tmp_path, DEMO)))
    verdicts = []

    def recording_check(exercise_id, answer):
        verdicts.append(check(exercise_id, answer))
        return verdicts[-1]

    namespace = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(cell.source, namespace)
            if namespace.get("check") is check:
                namespace["check"] = recording_check
    assert [v.exercise_id for v in verdicts] == ["count_parameters", "lagrange_multiplier"]
    assert all(not v.attempted and v.status == "not attempted yet" for v in verdicts)


@pytest.mark.parametrize("text, needle, problem", [
    pytest.param("# %%\ndef f():\n    # BEGIN SOLUTION\n    return 1\n", "BEGIN SOLUTION", r"not closed",
                 id="begin-without-end"),
    pytest.param("# %%\nx = 1\n# END SOLUTION\n", "END SOLUTION", r"without a BEGIN", id="end-without-begin"),
    pytest.param("# %%\n# BEGIN SOLUTION\nx = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION\n# END SOLUTION\n",
                 ("BEGIN SOLUTION", 2), r"nested.*opened at line 2", id="nested"),
    pytest.param("# %%\n# BEGIN SOLUTION\nx = 1\n\n# %%\ny = 2\n# END SOLUTION\n", "BEGIN SOLUTION", r"same cell",
                 id="across-cells"),
    pytest.param("# %%\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "BEGIN SOLUTION", r"malformed",
                 id="malformed-nbgrader-style"),
    pytest.param("# %%\n# BEGIN SOLUTIONS\nx = 1\n# END SOLUTION\n", "BEGIN SOLUTIONS", r"malformed",
                 id="malformed-plural"),
    pytest.param("# %%\n# BEGIN SOLUTION:\nx = 1\n# END SOLUTION\n", "BEGIN SOLUTION", r"replacement",
                 id="empty-replacement"),
    pytest.param("# %% [markdown]\n# Answer:\n# <!-- BEGIN SOLUTION -->\n# Because.\n", "BEGIN SOLUTION", r"not closed",
                 id="markdown-begin-without-end"),
    pytest.param("# %% [markdown]\n# Because.\n# <!-- END SOLUTION -->\n", "END SOLUTION", r"without a",
                 id="markdown-end-without-begin"),
    pytest.param("# %% [markdown]\n# <!-- BEGIN SOLUTION -->\n# <!-- BEGIN SOLUTION -->\n# x\n"
                 "# <!-- END SOLUTION -->\n# <!-- END SOLUTION -->\n", ("BEGIN SOLUTION", 2), r"nested.*line 2",
                 id="markdown-nested"),
    pytest.param("# %% [markdown]\n# Intro.\n# BEGIN SOLUTION\n# Because.\n# END SOLUTION\n", "BEGIN SOLUTION",
                 r"malformed.*Markdown", id="code-marker-in-markdown"),
    pytest.param("# %% [markdown]\n# Title\n\n# %%\nx = 1\n\n\n# %%\n\ny = 2\n# BEGIN SOLUTION\n", "BEGIN SOLUTION",
                 r"not closed", id="line-number-after-blank-lines"),
    pytest.param("# %% [raw]\nsome text\n# BEGIN SOLUTION\n", "BEGIN SOLUTION", r"code and Markdown cells only",
                 id="marker-in-a-raw-cell"),
    pytest.param("# %%\n#BEGIN_SOLUTION\nx = 1\n# END SOLUTION\n", "BEGIN_SOLUTION", r"malformed",
                 id="malformed-underscore"),
])
def test_a_bad_marker_raises_naming_file_and_line(tmp_path, text, needle, problem):
    path = write_solution(tmp_path, text)
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 1)
    with pytest.raises(gen.MarkerError, match=problem) as info:
        gen.generate_text(path)
    line = line_of(text, needle, occurrence)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert info.value.line == line and info.value.path == str(path)
    assert isinstance(info.value, ValueError)


def test_markers_in_a_solution_only_cell_are_checked_too(tmp_path):
    path = write_solution(tmp_path, '# %% tags=["solution-only"]\n# BEGIN SOLUTION\nx = 1\n')
    with pytest.raises(gen.MarkerError, match=r"01_demo.py:2: .*not closed"):
        gen.generate_text(path)


MISPLACED = [
    pytest.param("def f():\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n    return x\n", "return x",
                 r"outside its solution block", id="end-too-early-in-a-function"),
    pytest.param("def f():\n    x = 1\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\n", "x = 1",
                 r"outside its solution block", id="begin-too-late-in-a-function"),
    pytest.param('def f():\n    """Doc."""\n    # BEGIN SOLUTION\n    return 1\ncheck("x", f)\n# END SOLUTION\n',
                 "# END SOLUTION", r"runs past the end of f\(\)", id="end-after-the-function"),
    pytest.param("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "BEGIN SOLUTION", r"body of a function",
                 id="plain-block-at-the-top-level"),
    pytest.param("for k in range(2):\n    # BEGIN SOLUTION\n    print(k)\n    # END SOLUTION\n", "BEGIN SOLUTION",
                 r"body of a function", id="plain-block-in-a-loop"),
    pytest.param('# BEGIN SOLUTION: r = None\nd = 2\n# END SOLUTION\nr = d * 3\ncheck("x", r)\n', "r = d * 3",
                 r"only check\(\.\.\.\) or progress\(\.\.\.\) may follow", id="answer-end-too-early"),
    pytest.param('# BEGIN SOLUTION: r = None\nr = 3\n# END SOLUTION\nprint(r)\n', "print(r)",
                 r"only check", id="answer-followed-by-a-print"),
    pytest.param("d = 2\n# BEGIN SOLUTION: r = None\nr = d\n# END SOLUTION\n", "d = 2", r"before '# BEGIN SOLUTION",
                 id="answer-begin-too-late"),
    pytest.param("# BEGIN SOLUTION: r = None\nprint(1)\n# END SOLUTION\n", "BEGIN SOLUTION", r"never assigns r",
                 id="answer-never-assigned"),
    pytest.param("# BEGIN SOLUTION: None\nr = 1\n# END SOLUTION\n", "BEGIN SOLUTION", r"must assign one name",
                 id="replacement-not-an-assignment"),
    pytest.param("def f():\n    # BEGIN SOLUTION: x = 1\n    return 2\n    # END SOLUTION\n", "BEGIN SOLUTION",
                 r"top level", id="replacement-inside-a-function"),
    pytest.param("def f(:\n    # BEGIN SOLUTION\n    return 2\n    # END SOLUTION\n", "def f(", r"valid Python",
                 id="not-python"),
]


@pytest.mark.parametrize("code, needle, problem", MISPLACED)
def test_a_misplaced_code_marker_is_an_error_not_a_leak(tmp_path, code, needle, problem):
    text = "# %%\n" + code
    path = write_solution(tmp_path, text)
    with pytest.raises(gen.MarkerError, match=problem) as info:
        gen.generate_text(path)
    assert str(info.value).startswith(f"{path}:{line_of(text, needle)}: "), str(info.value)


@pytest.mark.parametrize("markdown, needle", [
    pytest.param("# <!-- BEGIN SOLUTION -->\n# Because.\n# <!-- END SOLUTION -->\n# And this leaks.\n", "END SOLUTION",
                 id="end-too-early"),
    pytest.param("# This leaks.\n# <!-- BEGIN SOLUTION -->\n# Because.\n# <!-- END SOLUTION -->\n", "BEGIN SOLUTION",
                 id="begin-too-late"),
    pytest.param("# Answer: <!-- BEGIN SOLUTION -->42<!-- END SOLUTION -->.\n", "BEGIN SOLUTION", id="inline"),
    pytest.param("# <!-- BEGIN SOLUTION -->\n# a\n# <!-- END SOLUTION -->\n# b\n# <!-- BEGIN SOLUTION -->\n# c\n"
                 "# <!-- END SOLUTION -->\n", ("END SOLUTION", 2), id="two-blocks"),
])
def test_a_markdown_solution_must_be_a_whole_cell(tmp_path, markdown, needle):
    text = "# %% [markdown]\n" + markdown
    path = write_solution(tmp_path, text)
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 1)
    with pytest.raises(gen.MarkerError, match=r"whole cell") as info:
        gen.generate_text(path)
    assert str(info.value).startswith(f"{path}:{line_of(text, needle, occurrence)}: "), str(info.value)


def executed_student_notebook(tmp_path, outputs):
    """A solution and a student .ipynb of the demo, the student's check cells showing ``outputs``."""
    solution = write_solution(tmp_path, DEMO)
    student = gen.generate([solution])[0][0]
    nb = nbformat.read(student.with_suffix(".ipynb"), as_version=4)
    checks = [cell for cell in nb.cells if cell.cell_type == "code" and "check(" in cell.source]
    for cell, text in zip(checks, outputs):
        cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": text}, execution_count=1)]
    nbformat.write(nb, student.with_suffix(".ipynb"))
    return solution, student


def test_a_student_notebook_that_shows_a_passed_check_fails_the_check(tmp_path):
    solution, student = executed_student_notebook(tmp_path, [
        "· count_parameters: not attempted yet. Replace the placeholder …",
        "✓ lagrange_multiplier: passed. Right: λ = −N …"])
    (problem,) = gen.check([solution])
    assert re.search(r"01_demo.ipynb: cell \d+ shows '✓ lagrange_multiplier: passed\. .*a solution has reached it", problem)


def test_a_student_notebook_with_all_checks_not_attempted_passes_the_check(tmp_path):
    solution, _ = executed_student_notebook(tmp_path, ["· count_parameters: not attempted yet. …",
                                                        "· lagrange_multiplier: not attempted yet. …"])
    assert gen.check([solution]) == []


def test_the_student_notebook_gets_cell_ids_of_its_own(tmp_path):
    solution = write_solution(tmp_path, DEMO)
    solution_nb = gen.read_text(DEMO)
    for index, cell in enumerate(solution_nb.cells):
        cell["id"] = f"solution-{index}"
    nbformat.write(solution_nb, solution.with_suffix(".ipynb"))
    student_ipynb = gen.student_path(solution).with_suffix(".ipynb")
    student_nb = gen.read_text(gen.generate_text(solution))
    for index, cell in enumerate(student_nb.cells):   # as if copied from the solution: the same ids
        cell["id"] = f"solution-{index + 1}"
    nbformat.write(student_nb, student_ipynb)
    gen.student_path(solution).write_text(gen.generate_text(solution), encoding="utf-8")
    (problem,) = gen.check([solution])
    assert re.search(r"01_demo.ipynb: cell \d+ has the id 'solution-\d+' of a cell of .*01_demo.ipynb", problem)

    gen.generate([solution])
    ids = [cell["id"] for cell in nbformat.read(student_ipynb, as_version=4).cells]
    assert len(set(ids)) == len(ids) and not set(ids) & {f"solution-{i}" for i in range(len(solution_nb.cells))}
    assert gen.check([solution]) == []
    gen.generate([solution])      # a second run changes nothing
    assert [cell["id"] for cell in nbformat.read(student_ipynb, as_version=4).cells] == ids


def test_generate_keeps_the_outputs_of_unchanged_cells(tmp_path):
    solution, student = executed_student_notebook(tmp_path, ["· count_parameters: not attempted yet. …"])
    solution.write_text(DEMO.replace("**Why?**", "**Why not?**"), encoding="utf-8")
    gen.generate([solution])
    nb = nbformat.read(student.with_suffix(".ipynb"), as_version=4)
    kept = [cell for cell in nb.cells if cell.cell_type == "code" and cell.get("outputs")]
    assert len(kept) == 1 and "count_parameters" in kept[0].outputs[0]["data"]["text/plain"]
    assert any("**Why not?**" in cell.source for cell in nb.cells)


@pytest.mark.parametrize("link, moved", [
    ("[ch](../../chapters/01_mixtures.ipynb)", "[ch](../chapters/01_mixtures.ipynb)"),
    ("[ch](../../chapters/01_mixtures.ipynb#the-mixture)", "[ch](../chapters/01_mixtures.ipynb#the-mixture)"),
    ("[all](../../chapters/)", "[all](../chapters/)"),
    ("[fig](../../figures/collapse.png)", "[fig](../figures/collapse.png)"),
    ('<img src="../../figures/collapse.png">', '<img src="../figures/collapse.png">'),
    ("[ch]: ../../chapters/02_latent_variables.ipynb", "[ch]: ../chapters/02_latent_variables.ipynb"),
    ("[you](../01_mixtures.ipynb)", "[you](01_mixtures.ipynb)"),
    ("[web](https://example.org/a/../../b)", "[web](https://example.org/a/../../b)"),
    ("[here](#section)", "[here](#section)"),
    ("in `../../chapters/` as code", "in `../../chapters/` as code"),
])
def test_relocate_links(link, moved):
    assert gen.relocate_links(link) == moved


def test_words_that_merely_contain_a_marker_are_not_markers(tmp_path):
    text = "# %%\n# append solution values, then extend solutions\nx = 1\n"
    assert "# append solution values, then extend solutions\nx = 1\n" in gen.generate_text(write_solution(tmp_path, text))


def test_links_in_code_cells_are_left_alone(tmp_path):
    text = gen.generate_text(write_solution(tmp_path, '# %%\npath = "../../chapters/01_mixtures.ipynb"\n'))
    assert 'path = "../../chapters/01_mixtures.ipynb"' in text


def test_generate_writes_the_student_version_and_check_compares(tmp_path, capsys):
    solution = write_solution(tmp_path, DEMO)
    student = tmp_path / "exercises" / "01_demo.py"
    assert gen.generate([solution]) == [(student, True)]
    assert student.read_text(encoding="utf-8") == DEMO_STUDENT
    assert gen.generate([student]) == [(student, False)]  # a student path names its solution; unchanged
    assert gen.check(root=tmp_path) == [] and gen.check([solution]) == []
    assert gen.main(["check", str(solution)]) == 0

    # A hand edit of the student version is caught, naming the file and the first differing line.
    edited = DEMO_STUDENT.replace("    raise NotImplementedError\n", "    return 0\n", 1)
    student.write_text(edited, encoding="utf-8")
    (problem,) = gen.check(root=tmp_path)
    line = line_of(DEMO_STUDENT, "raise NotImplementedError")
    assert re.search(rf"01_demo.py:{line}: differs .*expected '    raise NotImplementedError', found '    return 0'", problem)
    capsys.readouterr()
    assert gen.main(["check", str(solution)]) == 1
    assert f"01_demo.py:{line}: differs" in capsys.readouterr().err
    assert gen.main(["generate", str(solution)]) == 0
    assert student.read_text(encoding="utf-8") == DEMO_STUDENT

    # A truncated student version: the first missing line is named.
    student.write_text(DEMO_STUDENT.rsplit("# %% [markdown]", 1)[0].rstrip("\n") + "\n", encoding="utf-8")
    (problem,) = gen.check(root=tmp_path)
    assert "differs" in problem and "<end of file>" in problem


def test_check_reports_missing_and_orphaned_student_versions_and_bad_markers(tmp_path):
    write_solution(tmp_path, DEMO)
    orphan = tmp_path / "exercises" / "02_orphan.py"
    orphan.write_text("# %%\nx = 1\n", encoding="utf-8")
    bad = write_solution(tmp_path, "# %%\n# BEGIN SOLUTION\nx = 1\n", name="03_bad.py")
    problems = gen.check(root=tmp_path)
    assert len(problems) == 3, problems
    assert re.search(r"01_demo.py: missing \(run: python tools/exercises.py generate", problems[0])
    assert re.search(r"02_orphan.py: has no solution .*solutions/02_orphan.py", problems[1])
    assert problems[2].startswith(f"{bad}:2: ")


def test_generate_writes_nothing_when_a_solution_has_a_bad_marker(tmp_path, capsys):
    good = write_solution(tmp_path, DEMO)
    bad = write_solution(tmp_path, "# %%\n# END SOLUTION\n", name="02_bad.py")
    with pytest.raises(gen.MarkerError):
        gen.generate([good, bad])
    assert not (tmp_path / "exercises" / "01_demo.py").exists()
    assert gen.main(["generate", str(good), str(bad)]) == 1
    assert f"{bad}:2: END SOLUTION without" in capsys.readouterr().err


# ============================================================================ the book's exercises


SOLUTIONS = gen.discover()
STUDENTS = gen.student_versions()


@pytest.mark.parametrize(
    "solution",
    SOLUTIONS or [pytest.param(None, id="no-solutions-yet")],
    ids=lambda path: path.name if path is not None else "no-solutions-yet",
)
def test_the_committed_student_version_is_generated(solution):
    if solution is None:  # nothing to compare yet: then there must be no student versions either
        assert STUDENTS == [], f"student versions without any solution: {[p.name for p in STUDENTS]}"
        return
    student = gen.student_path(solution)
    assert student.exists(), f"{student.name} is missing: run python tools/exercises.py generate {solution.name}"
    expected = gen.generate_text(solution)
    difference = gen.first_difference(expected, student.read_text(encoding="utf-8"))
    assert difference is None, (
        f"exercises/{student.name}:{difference[0]} differs from what tools/exercises.py generates: expected "
        f"{difference[1]!r}, found {difference[2]!r} (edit the solution, then run python tools/exercises.py generate)"
    )


def test_every_solution_has_a_student_version_and_vice_versa():
    solutions = {path.name for path in SOLUTIONS}
    students = {path.name for path in STUDENTS}
    assert students - solutions == set(), "student versions without a solution"
    assert solutions - students == set(), "solutions without a student version (run tools/exercises.py generate)"
    if SOLUTIONS:  # the globs find the solutions where the notebook tool looks for pairs
        assert all(path.parent == gen.SOLUTIONS for path in SOLUTIONS)


def test_the_check_command_passes_on_the_book():
    result = subprocess.run([sys.executable, "tools/exercises.py", "check"], cwd=gen.ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

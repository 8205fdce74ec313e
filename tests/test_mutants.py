"""tools/mutants.py (``make mutants``) does what it says, and every mutant of tools/mutants.toml still applies.

The book's own mutants are only *checked* here (each one's original text occurs exactly once in today's code):
running them takes minutes, which is `make mutants`' job.  The tool itself is exercised end to end on a tiny
book in a temporary folder: a package named ``gmmbook`` and two chapters of a few cells.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from tools import mutants
from tools.mutants import Mutant, MutantError, apply, execute_notebook, load, main, plan

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------------ the book's list


def test_the_list_has_at_least_20_mutants_of_gmmbook_each_with_a_description():
    listed = load()
    assert sum(m.file.startswith("gmmbook/") for m in listed) >= 20
    assert all(len(m.description) > 20 for m in listed)
    assert any(m.fast for m in listed)


@pytest.mark.parametrize("mutant", load(), ids=lambda m: m.id)
def test_every_mutant_applies_exactly_once_to_todays_code(mutant, tmp_path):
    """When the code is edited so that a mutant's text is gone (or doubled), update the mutant in
    tools/mutants.toml to the new code."""
    (tmp_path / mutant.file).parent.mkdir(parents=True)
    (tmp_path / mutant.file).write_bytes((ROOT / mutant.file).read_bytes())
    apply(mutant, tmp_path)
    text = (tmp_path / mutant.file).read_text(encoding="utf-8")
    assert mutant.replacement in text and text != (ROOT / mutant.file).read_text(encoding="utf-8")


def test_every_listed_notebook_exists():
    book = mutants.chapters(ROOT)
    assert book and all(name.startswith("chapters/") for name in book)
    for mutant in load():
        assert plan(mutant, ROOT, book)[0]  # raises MutantError for a notebook that does not exist


# ------------------------------------------------------------------------------ reading and applying

ENTRY = """
[[mutant]]
id = "double-triples"
description = "double() multiplies by 3"
file = "gmmbook/__init__.py"
original = 'return 2 * x'
replacement = 'return 3 * x'
"""


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mutants.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('id = "double-triples"\n', ""), "missing id"),
    (lambda t: t + 'colour = "red"\n', "unknown key"),
    (lambda t: t + t, "used twice"),
    (lambda t: t.replace("'return 3 * x'", "'return 2 * x'"), "the replacement equals the original"),
    (lambda t: t.replace('"double-triples"', '"Double triples"'), "id must be"),
    (lambda t: t + 'notebooks = "05"\n', "notebooks must be a list"),
    (lambda t: t + "fast = 1\n", "fast must be true or false"),
    (lambda t: "", "no [[mutant]] tables"),
    (lambda t: t.replace("[[mutant]]", "[[mutnat]]"), "unknown top-level key"),
])
def test_load_names_what_is_wrong(tmp_path, edit, message):
    with pytest.raises(MutantError, match=re.escape(message)):
        load(_toml(tmp_path, edit(ENTRY)))


def test_load_reads_multiline_text_exactly(tmp_path):
    text = ENTRY.replace("original = 'return 2 * x'", "original = '''\n    y = 1\n    return 2 * x'''")
    (mutant,) = load(_toml(tmp_path, text))
    assert mutant.original == "    y = 1\n    return 2 * x"
    assert mutant == Mutant("double-triples", "double() multiplies by 3", "gmmbook/__init__.py",
                            "    y = 1\n    return 2 * x", "return 3 * x")


@pytest.mark.parametrize(("source", "count"), [("def f(x):\n    return 4 * x\n", 0),
                                               ("def f(x):\n    return 2 * x\n\ndef g(x):\n    return 2 * x\n", 2)])
def test_a_mutant_that_does_not_apply_once_is_an_error_that_names_it(tmp_path, source, count):
    (tmp_path / "gmmbook").mkdir()
    (tmp_path / "gmmbook" / "__init__.py").write_text(source)
    (mutant,) = load(_toml(tmp_path, ENTRY))
    with pytest.raises(MutantError, match=f"'double-triples' no longer applies: .* occurs {count} times in "
                                          "gmmbook/__init__.py"):
        apply(mutant, tmp_path)
    assert (tmp_path / "gmmbook" / "__init__.py").read_text() == source


def test_plan_puts_the_listed_notebooks_first_and_a_chapter_mutant_runs_only_its_chapter(tmp_path):
    for name in ("01_one.py", "02_two.py", "03_three.py"):
        (tmp_path / "chapters").mkdir(exist_ok=True)
        (tmp_path / "chapters" / name).write_text("# %%\n1\n")
    book = mutants.chapters(tmp_path)
    library = Mutant("a", "d", "gmmbook/em.py", "x", "y", notebooks=("03",))
    assert plan(library, tmp_path, book) == ["chapters/03_three.py", "chapters/01_one.py", "chapters/02_two.py"]
    assert plan(library, tmp_path, book, fast=True) == ["chapters/03_three.py"]
    assert plan(Mutant("b", "d", "gmmbook/em.py", "x", "y"), tmp_path, book) == book
    assert plan(Mutant("c", "d", "chapters/02_two.py", "x", "y"), tmp_path, book) == ["chapters/02_two.py"]
    with pytest.raises(MutantError, match="notebook '07'"):
        plan(Mutant("e", "d", "gmmbook/em.py", "x", "y", notebooks=("07",)), tmp_path, book)


# ------------------------------------------------------------------------------ end to end, on a tiny book

PACKAGE = '''\
"""A stand-in for gmmbook."""


def double(x):
    return 2 * x


def check_positive(x):
    if x < 0:
        raise ValueError("x must be >= 0")
    return x


UNUSED = 1
'''

CHAPTER_1 = '''\
# %% [markdown]
# # Chapter one

# %%
import gmmbook

# %% [markdown]
# **CHECK (double).** Doubling 3 gives 6.

# %%
value = gmmbook.double(3)
assert value == 6, f"double(3) = {value}, not 6"
'''

CHAPTER_2 = '''\
# %% [markdown]
# # Chapter two

# %%
import gmmbook


def square(x):
    return x * x


# %%
assert square(3) == 9

# %% tags=["raises-exception"]
gmmbook.check_positive(-1)
'''

MUTANTS = '''\
[[mutant]]
id = "double-triples"
description = "double() multiplies by 3"
file = "gmmbook/__init__.py"
original = 'return 2 * x'
replacement = 'return 3 * x'
notebooks = ["02"]

[[mutant]]
id = "unused-constant"
description = "a constant no chapter reads"
file = "gmmbook/__init__.py"
original = 'UNUSED = 1'
replacement = 'UNUSED = 2'

[[mutant]]
id = "import-breaks"
description = "the package raises on import"
file = "gmmbook/__init__.py"
original = 'def double(x):'
replacement = """raise ImportError("planted in the copy")


def double(x):"""

[[mutant]]
id = "inline-square-adds"
description = "the chapter's inline square adds"
file = "chapters/02_two.py"
original = 'return x * x'
replacement = 'return x + x'

[[mutant]]
id = "no-validation"
description = "check_positive accepts negative numbers"
file = "gmmbook/__init__.py"
original = 'raise ValueError("x must be >= 0")'
replacement = 'pass'
'''


def _tiny_book(folder: Path) -> Path:
    (folder / "gmmbook").mkdir(parents=True)
    (folder / "gmmbook" / "__init__.py").write_text(PACKAGE)
    (folder / "chapters").mkdir()
    (folder / "chapters" / "01_one.py").write_text(CHAPTER_1)
    (folder / "chapters" / "02_two.py").write_text(CHAPTER_2)
    (folder / "pyproject.toml").write_text('[tool.jupytext]\nformats = "ipynb,py:percent"\n')
    (folder / "mutants.toml").write_text(MUTANTS)
    return folder


def _processes_naming(text: str) -> list[str]:
    """Command lines of the live processes that mention ``text`` (e.g. kernels of a copy)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(command)
    return found


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """Run the tool once on the tiny book: (exit status, report text, book folder, temporary folder)."""
    book = _tiny_book(tmp_path_factory.mktemp("book"))
    scratch = tmp_path_factory.mktemp("scratch")
    saved = tempfile.tempdir
    tempfile.tempdir = str(scratch)  # the tool's copies go here, so that we can look for leftovers
    try:
        status = main(["--root", str(book), "--mutants", str(book / "mutants.toml"),
                       "--report", str(book / "report.md")])
    finally:
        tempfile.tempdir = saved
    return status, (book / "report.md").read_text(), book, scratch


def _row(report: str, mutant_id: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(f"| {mutant_id} |"))


def test_a_survivor_fails_the_run_and_is_listed_loudly(tiny_run):
    status, report, _, _ = tiny_run
    assert status == 1
    assert "**SURVIVED**" in _row(report, "unused-constant")
    assert "SURVIVED (1)" in report and "  - unused-constant: a constant no chapter reads" in report
    assert "passed 01_one, 02_two)" in report  # a survivor ran every chapter


def test_a_killed_mutant_names_the_notebook_cell_check_and_line(tiny_run):
    _, report, _, _ = tiny_run
    row = _row(report, "double-triples")
    # The listed notebook 02 ran first and passed; chapter 01's check caught it.
    assert "| 01_one, cell 4, CHECK (double) |" in row
    assert "line 2: assert value == 6, f\"double(3) = {value}, not 6\": AssertionError: double(3) = 9, not 6" in row


def test_a_chapter_mutant_runs_its_chapter_only(tiny_run):
    _, report, _, _ = tiny_run
    assert "| 02_two, cell 3 | line 1: assert square(3) == 9: AssertionError |" in _row(report, "inline-square-adds")


def test_a_cell_tagged_raises_exception_that_does_not_raise_kills(tiny_run):
    _, report, _, _ = tiny_run
    assert "02_two, cell 4 | tagged raises-exception, but did not raise" in _row(report, "no-validation")


def test_the_kernel_imports_the_mutated_copy(tiny_run):
    """A package that raises on import in the copy kills at the guard cell: the kernel did not import the
    installed gmmbook (nor the unmutated book), and the unmutated tiny book passed, guard included."""
    _, report, _, _ = tiny_run
    assert "Unmutated book: 01_one" in report
    row = _row(report, "import-breaks")
    assert "01_one, cell guard (import gmmbook)" in row and "ImportError: planted in the copy" in row


def test_the_run_leaves_no_copy_and_no_kernel_behind(tiny_run):
    _, _, book, scratch = tiny_run
    assert list(scratch.iterdir()) == []
    assert _processes_naming(str(scratch)) == []
    assert sorted(p.name for p in book.iterdir()) == ["chapters", "gmmbook", "mutants.toml", "pyproject.toml",
                                                      "report.md"]
    assert (book / "gmmbook" / "__init__.py").read_text() == PACKAGE  # the book itself is never mutated


def test_list_and_check_run_nothing(tiny_run, capsys):
    _, _, book, _ = tiny_run
    args = ["--root", str(book), "--mutants", str(book / "mutants.toml")]
    assert main([*args, "--list"]) == 0
    assert "double-triples" in capsys.readouterr().out
    assert main([*args, "--check"]) == 0
    assert "all 5 mutants apply exactly once" in capsys.readouterr().out
    (book / "chapters" / "02_two.py").write_text(CHAPTER_2.replace("return x * x", "return x ** 2"))
    try:
        assert main([*args, "--check"]) == 1
        assert "'inline-square-adds' no longer applies" in capsys.readouterr().err
    finally:
        (book / "chapters" / "02_two.py").write_text(CHAPTER_2)


def test_an_unmutated_book_that_fails_stops_the_run(tmp_path, capsys):
    book = _tiny_book(tmp_path)
    (book / "chapters" / "02_two.py").write_text(CHAPTER_2.replace("== 9", "== 10"))
    assert main(["--root", str(book), "--mutants", str(book / "mutants.toml"), "inline-square-adds"]) == 1
    out = capsys.readouterr().out
    assert "THE UNMUTATED BOOK FAILS" in out and "02_two, cell 3: line 1: assert square(3) == 10" in out
    assert "| inline-square-adds |" not in out


# ------------------------------------------------------------------------------ the worker's own checks


def test_a_notebook_past_its_time_limit_is_stopped(tmp_path, monkeypatch):
    book = _tiny_book(tmp_path)
    (book / "chapters" / "03_slow.py").write_text("# %%\nimport time\n\n# %%\nwhile True:\n    time.sleep(0.05)\n")
    monkeypatch.setenv("PYTHONPATH", str(book))
    monkeypatch.setenv("GMMBOOK_MUTANTS_ROOT", str(book))
    run = execute_notebook(book / "chapters" / "03_slow.py", deadline=2)
    assert run["outcome"] == "timeout" and run["cell"] == 2
    assert "no result within the notebook's limit of 2 s" in run["error"]


def test_the_guard_is_an_error_not_a_kill_when_gmmbook_comes_from_elsewhere(tmp_path, monkeypatch):
    book = _tiny_book(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the kernel finds the installed gmmbook, not the copy's
    monkeypatch.setenv("GMMBOOK_MUTANTS_ROOT", str(book))
    run = execute_notebook(book / "chapters" / "01_one.py", deadline=60)
    assert run["outcome"] == "error" and run["cell"] == "guard (import gmmbook)"
    assert "MUTANTS-GUARD: the kernel imported gmmbook from" in run["error"]
    assert os.environ.get("PYTHONPATH") is None

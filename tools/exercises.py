"""Generate the student exercise notebooks from the worked solutions.

The worked solution ``exercises/solutions/NN_name.py`` is the source of truth; the student
version ``exercises/NN_name.py`` is generated from it and never edited by hand.

    python tools/exercises.py generate [PATHS...]   # write exercises/NN_name.py from its solution
    python tools/exercises.py check [PATHS...]      # fail if a student version is wrong (see below)

PATHS name solutions (or their student versions, or either file of a pair); the default is every
``exercises/solutions/*.py``.  After ``generate``, build the notebooks of the pair with
``python tools/notebooks.py build exercises/NN_name.py``.

The solution markers (see the exercise conventions):

* code cells: the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` (marker lines included)
  become ``# YOUR CODE HERE`` and ``raise NotImplementedError``, at the indentation of the BEGIN
  line; with ``# BEGIN SOLUTION: <replacement>`` they become ``# YOUR ANSWER HERE`` and the
  replacement line;
* Markdown cells: the text from ``<!-- BEGIN SOLUTION -->`` to ``<!-- END SOLUTION -->``
  becomes ``*Write your answer here.*``;
* a cell tagged ``solution-only`` is dropped.

Markers have fixed places, so that a misplaced one is an error instead of a leak: a code block
without a replacement is the whole body of a function after its docstring; a block with a
replacement starts its cell, assigns the replacement's name, and only ``check(...)`` calls may
follow it; a Markdown block is a whole cell.  ``check`` also fails when a student notebook shows
a check that is not "not attempted yet" or a progress above 0 (a solution reached it), and when a
student notebook shares a cell id with its solution: ``generate`` gives the student ``.ipynb``
ids of its own (keeping the outputs of unchanged cells) before ``tools/notebooks.py build`` runs it.

Relative links of Markdown cells that leave the solutions folder (``../../chapters/...``) are
rewritten for the student version's folder (``../chapters/...``).  The first cell of the student
version starts with a note naming its solution.  Notebooks are read and written with jupytext and
the project's ``[tool.jupytext]`` configuration (no header), so the output depends only on the
solution's text.  An unbalanced, nested or malformed marker is an error naming the file and line.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import posixpath
import re
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_configuration_file

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"

SOLUTION_ONLY_TAG = "solution-only"
CODE_PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError")
ANSWER_COMMENT = "# YOUR ANSWER HERE"
MARKDOWN_PLACEHOLDER = "*Write your answer here.*"
ANSWER_CALLS = ("check", "progress")  # the only statements that may follow a top-level answer's END SOLUTION

# A code marker is a whole comment line; ``rest`` is ``: replacement`` after BEGIN, else empty.
_CODE_MARKER = re.compile(r"^(?P<indent>[ \t]*)#[ \t]*(?P<kind>BEGIN|END) SOLUTION(?P<rest>.*?)[ \t]*$")
_MARKDOWN_MARKER = re.compile(r"<!--[ \t]*(?P<kind>BEGIN|END) SOLUTION[ \t]*-->")
# Anything that looks like a marker: if it is not a well-formed one, the solution would leak.
_MARKER_LIKE = re.compile(r"\b(?:BEGIN|END)[ \t_-]*SOLUTIONS?\b", re.IGNORECASE)
# A percent-format cell header line (jupytext: "# %%" or "#%%").
_CELL_HEADER = re.compile(r"^#[ \t]*%%")
# A relative link target that leaves the solutions folder: [text](../x), [id]: ../x, src="../x", href="../x".
_LINK = re.compile(
    r"(?P<pre>\]\([ \t]*<?|^[ \t]*\[[^\]\n]+\]:[ \t]*<?|\b(?:src|href)[ \t]*=[ \t]*[\"'])(?P<target>\.\./[^\s)\"'>]*)",
    re.MULTILINE,
)


class MarkerError(ValueError):
    """A solution's markers are unbalanced, nested or malformed; the message names file and line."""

    def __init__(self, path: str, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


# ---------------------------------------------------------------------------------------------- paths


def _show(path: Path | str) -> str:
    """A path relative to the repository when it lies inside, else as given."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def discover(root: Path = ROOT) -> list[Path]:
    """Every worked solution ``exercises/solutions/*.py``, sorted."""
    return sorted((Path(root) / "exercises" / "solutions").glob("*.py"))


def student_versions(root: Path = ROOT) -> list[Path]:
    """Every student version ``exercises/*.py``, sorted."""
    return sorted((Path(root) / "exercises").glob("*.py"))


def student_path(solution: Path | str) -> Path:
    """``exercises/solutions/NN_name.py`` → ``exercises/NN_name.py``."""
    solution = Path(solution)
    return solution.parent.parent / solution.name


def solution_path(path: Path | str) -> Path:
    """The solution ``.py`` for a path naming a solution, a student version, or the .ipynb of either."""
    path = Path(path).with_suffix(".py")
    if path.parent.name == "solutions":
        return path
    return path.parent / "solutions" / path.name


def generated_note(solution: Path | str) -> str:
    """The note that opens every student version."""
    return f"generated from exercises/solutions/{Path(solution).name} by tools/exercises.py; edit the solution"


# ---------------------------------------------------------------------------------------------- jupytext


def jupytext_config():
    """The project's ``[tool.jupytext]`` configuration (pyproject.toml at the repository root)."""
    return load_jupytext_configuration_file(str(ROOT / "pyproject.toml"))


def read_text(text: str):
    """Read percent-format text with the project's jupytext configuration."""
    return jupytext.reads(text, fmt="py:percent", config=jupytext_config())


def write_text(nb) -> str:
    """The percent-format text of ``nb``, as jupytext writes it with the project's configuration."""
    return jupytext.writes(nb, fmt="py:percent", config=jupytext_config())


# ---------------------------------------------------------------------------------------------- markers


def _cell_starts(text: str, n_cells: int) -> list[int] | None:
    """The 1-based file line of each cell's first source line, or None if the headers do not add up."""
    headers = [i for i, line in enumerate(text.splitlines()) if _CELL_HEADER.match(line)]
    if len(headers) == n_cells:
        return [i + 2 for i in headers]  # the line after the header, 1-based
    if len(headers) == n_cells - 1:  # content before the first header is a cell of its own
        return [1] + [i + 2 for i in headers]
    return None


def strip_code(source: str, *, path: str = "<cell>", first_line: int = 1) -> str:
    """Replace the solution blocks of a code cell's source (see the module docstring).

    Errors name ``path`` and the file line, where the cell's first line is ``first_line``.
    """
    out: list[str] = []
    opened: int | None = None  # file line of the open BEGIN
    for number, line in enumerate(source.split("\n"), start=first_line):
        marker = _CODE_MARKER.match(line)
        if marker is None:
            if _MARKER_LIKE.search(line):
                raise MarkerError(path, number, f"malformed solution marker {line.strip()!r}: write "
                                  "'# BEGIN SOLUTION' or '# END SOLUTION' alone on a comment line")
            if opened is None:
                out.append(line)
            continue
        kind, indent, rest = marker["kind"], marker["indent"], marker["rest"]
        if kind == "BEGIN":
            if opened is not None:
                raise MarkerError(path, number, f"nested BEGIN SOLUTION: the block opened at line {opened} "
                                  "is not closed yet (add '# END SOLUTION' before opening another)")
            if rest and not rest.lstrip().startswith(":"):
                raise MarkerError(path, number, f"malformed solution marker {line.strip()!r}: use "
                                  "'# BEGIN SOLUTION' or '# BEGIN SOLUTION: <replacement>'")
            replacement = rest.lstrip()[1:].strip() if rest else ""
            if rest and not replacement:
                raise MarkerError(path, number, "'# BEGIN SOLUTION:' needs a replacement after the colon, "
                                  "e.g. '# BEGIN SOLUTION: lam = None'")
            if replacement:
                out += [indent + ANSWER_COMMENT, indent + replacement]
            else:
                out += [indent + line for line in CODE_PLACEHOLDER]
            opened = number
        else:
            if rest:
                raise MarkerError(path, number, f"malformed solution marker {line.strip()!r}: "
                                  "write '# END SOLUTION' alone")
            if opened is None:
                raise MarkerError(path, number, "END SOLUTION without a BEGIN SOLUTION before it in the same cell")
            opened = None
    if opened is not None:
        raise MarkerError(path, opened, "BEGIN SOLUTION is not closed by an END SOLUTION in the same cell")
    return "\n".join(out)


def strip_markdown(source: str, *, path: str = "<cell>", first_line: int = 1) -> str:
    """Replace each ``<!-- BEGIN SOLUTION -->`` … ``<!-- END SOLUTION -->`` span of a Markdown cell."""

    def line_of(position: int) -> int:
        return first_line + source.count("\n", 0, position)

    markers = list(_MARKDOWN_MARKER.finditer(source))
    for match in _MARKER_LIKE.finditer(source):
        if not any(m.start() <= match.start() < m.end() for m in markers):
            raise MarkerError(path, line_of(match.start()), f"malformed solution marker near {match.group(0)!r}: "
                              "in Markdown cells write '<!-- BEGIN SOLUTION -->' and '<!-- END SOLUTION -->'")
    pieces: list[str] = []
    done = 0  # source[:done] is handled
    opened: re.Match | None = None
    for marker in markers:
        if marker["kind"] == "BEGIN":
            if opened is not None:
                raise MarkerError(path, line_of(marker.start()), "nested <!-- BEGIN SOLUTION -->: the block "
                                  f"opened at line {line_of(opened.start())} is not closed yet")
            pieces.append(source[done:marker.start()])
            opened = marker
        else:
            if opened is None:
                raise MarkerError(path, line_of(marker.start()), "<!-- END SOLUTION --> without a "
                                  "<!-- BEGIN SOLUTION --> before it in the same cell")
            pieces.append(MARKDOWN_PLACEHOLDER)
            opened = None
        done = marker.end()
    if opened is not None:
        raise MarkerError(path, line_of(opened.start()), "<!-- BEGIN SOLUTION --> is not closed by an "
                          "<!-- END SOLUTION --> in the same cell")
    pieces.append(source[done:])
    return "".join(pieces)


def relocate_links(markdown: str) -> str:
    """Rewrite relative links that leave ``exercises/solutions/`` for a file in ``exercises/``.

    ``../../chapters/01_mixtures.ipynb`` → ``../chapters/01_mixtures.ipynb``;
    ``../01_mixtures.ipynb`` (the student version) → ``01_mixtures.ipynb``.
    """

    def move(match: re.Match) -> str:
        target = match["target"]
        moved = posixpath.normpath(posixpath.join("solutions", target))
        if target.endswith("/") and not moved.endswith("/"):
            moved += "/"
        return match["pre"] + moved

    return _LINK.sub(move, markdown)


# ---------------------------------------------------------------------------------------------- placement


def _code_blocks(source: str) -> list[tuple[int, int, str, str]]:
    """``(begin line, end line, indent, replacement)`` of each code block (lines 1-based in the cell).

    Call after :func:`strip_code`, which has checked that the markers are balanced.
    """
    blocks, opened = [], None
    for number, line in enumerate(source.split("\n"), start=1):
        marker = _CODE_MARKER.match(line)
        if marker is None:
            continue
        if marker["kind"] == "BEGIN":
            rest = marker["rest"]
            opened = (number, marker["indent"], rest.lstrip()[1:].strip() if rest else "")
        else:
            blocks.append((opened[0], number, opened[1], opened[2]))
    return blocks


def _assigns(node, name: str) -> bool:
    return any(isinstance(target, ast.Name) and target.id == name and isinstance(target.ctx, ast.Store)
               for target in ast.walk(node))


def check_placement(source: str, *, path: str = "<cell>", first_line: int = 1) -> None:
    """Raise MarkerError unless each code block of the cell is where a misplaced marker could not leak.

    A block without a replacement must be the whole body of a function after its docstring, and
    end with it; a block ``# BEGIN SOLUTION: name = placeholder`` must be at the top level, start
    the cell, assign ``name``, and be followed by nothing but ``check(...)`` calls.
    """
    blocks = _code_blocks(source)
    if not blocks:
        return
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise MarkerError(path, first_line + (exc.lineno or 1) - 1,
                          f"a cell with solution markers must be valid Python ({exc.msg})") from None

    def fail(line: int, problem: str):
        raise MarkerError(path, first_line + line - 1, problem)

    for begin, end, indent, replacement in blocks:
        if replacement:
            if indent:
                fail(begin, "'# BEGIN SOLUTION: <replacement>' belongs at the top level of a cell")
            try:
                (assignment,) = ast.parse(replacement).body
                name = assignment.targets[0].id if len(assignment.targets) == 1 else None
            except (SyntaxError, ValueError, AttributeError, IndexError):
                name = None
            if name is None:
                fail(begin, f"the replacement {replacement!r} must assign one name, e.g. 'lam = None'")
            for statement in tree.body:
                if statement.lineno < begin:
                    fail(statement.lineno, "a statement before '# BEGIN SOLUTION: ...' in the same cell would reach the "
                                           "student version whether or not it is part of the answer: move it to a cell "
                                           "of its own, or into the block")
                if statement.lineno > end and not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                                                   and isinstance(statement.value.func, ast.Name)
                                                   and statement.value.func.id in ANSWER_CALLS):
                    fail(statement.lineno, f"only {' or '.join(c + '(...)' for c in ANSWER_CALLS)} may follow "
                                           "'# END SOLUTION' in a top-level answer's cell: any other line would reach "
                                           "the student version (is the END SOLUTION misplaced?)")
            if not any(_assigns(statement, name) for statement in tree.body if begin < statement.lineno < end):
                fail(begin, f"the block never assigns {name}, the answer its replacement stands for")
            continue
        functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and node.lineno < begin <= node.end_lineno]
        if not functions:
            fail(begin, "a '# BEGIN SOLUTION' block must be the body of a function; for a top-level answer write "
                        "'# BEGIN SOLUTION: name = placeholder'")
        function = max(functions, key=lambda node: node.lineno)
        body = function.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]  # the docstring stays
        for statement in body:
            if statement.lineno < begin or statement.end_lineno > end:
                fail(statement.lineno, f"this line of {function.name}() lies outside its solution block and would reach "
                                       "the student version: the block must hold the whole body after the docstring")
        if any(begin <= node.lineno <= end for node in ast.walk(tree) if isinstance(node, ast.stmt)
               and not (function.lineno <= node.lineno <= function.end_lineno)):
            fail(end, f"the solution block runs past the end of {function.name}(): put '# END SOLUTION' at its last line")


def check_markdown_placement(source: str, *, path: str = "<cell>", first_line: int = 1) -> None:
    """Raise MarkerError unless a Markdown cell with a solution is all solution (after strip_markdown's checks)."""
    markers = list(_MARKDOWN_MARKER.finditer(source))
    if not markers:
        return
    text = source.strip()
    if len(markers) != 2 or not (text.startswith(markers[0].group(0)) and text.endswith(markers[1].group(0))):
        bad = markers[-1] if text.startswith(markers[0].group(0)) else markers[0]
        line = first_line + source.count("\n", 0, bad.start())
        raise MarkerError(path, line, "a Markdown solution must be a whole cell, from '<!-- BEGIN SOLUTION -->' on its "
                                      "first line to '<!-- END SOLUTION -->' on its last: any other text in the cell "
                                      "would reach the student version (is a marker misplaced?)")


# ---------------------------------------------------------------------------------------------- generate


def student_notebook(solution_nb, *, name: str, path: str | None = None, starts: list[int] | None = None):
    """The student version of a solution notebook (a new notebook; the input is not changed).

    ``name`` is the solution's file name (for the note); ``path`` and ``starts`` (the file line of
    each cell's first line, see :func:`_cell_starts`) locate marker errors in the solution file.
    """
    path = path or name
    cells = []
    for index, cell in enumerate(solution_nb.cells):
        if starts is not None:
            where = {"path": path, "first_line": starts[index]}
        else:  # line numbers relative to the cell
            where = {"path": f"{path} (cell {index + 1})", "first_line": 1}
        new = copy.deepcopy(cell)
        if cell.cell_type == "code":
            new.source = strip_code(cell.source, **where)
            check_placement(cell.source, **where)
        elif cell.cell_type == "markdown":
            new.source = relocate_links(strip_markdown(cell.source, **where))
            check_markdown_placement(cell.source, **where)
        elif _MARKER_LIKE.search(cell.source):
            offset = cell.source.count("\n", 0, _MARKER_LIKE.search(cell.source).start())
            raise MarkerError(where["path"], where["first_line"] + offset,
                              f"solution markers work in code and Markdown cells only, not in a {cell.cell_type} cell")
        if SOLUTION_ONLY_TAG in cell.metadata.get("tags", ()):
            continue  # dropped, but only after its markers were checked
        cells.append(new)

    note = generated_note(name)
    if cells and cells[0].cell_type == "markdown":
        cells[0].source = f"<!-- {note} -->\n{cells[0].source}"
    elif cells and cells[0].cell_type == "code":
        cells[0].source = f"# {note}\n{cells[0].source}"
    else:
        cells.insert(0, nbformat.v4.new_markdown_cell(f"<!-- {note} -->"))
    student = copy.deepcopy(solution_nb)
    student.cells = cells
    return student


def generate_text(solution: Path | str) -> str:
    """The text of the student version of ``solution`` (raises MarkerError for bad markers)."""
    solution = Path(solution)
    text = solution.read_text(encoding="utf-8")
    nb = read_text(text)
    starts = _cell_starts(text, len(nb.cells))
    return write_text(student_notebook(nb, name=solution.name, path=_show(solution), starts=starts))


def _ids(ipynb: Path) -> list[str]:
    return [cell.get("id") for cell in nbformat.read(ipynb, as_version=4).cells] if ipynb.exists() else []


def _student_id(name: str, cell, taken: set[str]) -> str:
    """A cell id for the student notebook ``name``: from its content, salted so that it is never its solution's."""
    digest = hashlib.sha1(f"student {name}\n{cell.cell_type}\n{cell.source}".encode()).hexdigest()
    cell_id, n = digest[:8], 1
    while cell_id in taken:
        n += 1
        cell_id = f"{digest[:8]}-{n}"
    return cell_id


def sync_student_ipynb(student_text: str, student_ipynb: Path, solution_ipynb: Path) -> bool:
    """Give the student .ipynb the cells of its new .py, with ids of its own; True if it changed.

    Outputs and ids of unchanged cells are kept (jupytext's combine); a new cell, or one whose id
    its solution's notebook uses too, gets a new id.  ``tools/notebooks.py build`` then executes it
    and keeps these ids.
    """
    source = read_text(student_text)
    old = nbformat.read(student_ipynb, as_version=4) if student_ipynb.exists() else None
    nb = combine_inputs_with_outputs(copy.deepcopy(source), old) if old is not None else source
    taken = set(_ids(solution_ipynb))
    changed = old is None or len(old.cells) != len(nb.cells)
    for cell in nb.cells:
        if not cell.get("id") or cell["id"] in taken:
            cell["id"] = _student_id(student_ipynb.stem, cell, taken)
            changed = True
        taken.add(cell["id"])
    if old is not None and not changed:
        changed = [(c.cell_type, c.source, c.get("id")) for c in old.cells] != \
                  [(c.cell_type, c.source, c.get("id")) for c in nb.cells]
    if changed:
        if old is not None:
            nb.metadata = old.metadata
        nbformat.write(nb, student_ipynb)
    return changed


def generate(paths=None) -> list[tuple[Path, bool]]:
    """Write the student version of each solution; return ``(student path, changed)`` pairs.

    Every solution is processed before anything is written, so a bad marker writes nothing.
    """
    solutions = [solution_path(p) for p in paths] if paths else discover()
    texts = {}
    for solution in solutions:
        if not solution.exists():
            raise FileNotFoundError(f"{_show(solution)}: no such solution")
        texts[solution] = generate_text(solution)
    written = []
    for solution, text in texts.items():
        target = student_path(solution)
        changed = not target.exists() or target.read_text(encoding="utf-8") != text
        if changed:
            with open(target, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        ipynb_changed = sync_student_ipynb(text, target.with_suffix(".ipynb"), solution.with_suffix(".ipynb"))
        written.append((target, changed or ipynb_changed))
    return written


# ---------------------------------------------------------------------------------------------- check


def first_difference(expected: str, found: str) -> tuple[int, str, str] | None:
    """``(line number, expected line, found line)`` of the first difference, or None if equal."""
    if expected == found:
        return None
    a, b = expected.split("\n"), found.split("\n")
    for number, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            return number, x, y
    number = min(len(a), len(b)) + 1
    return number, (a[number - 1] if number <= len(a) else "<end of file>"), (b[number - 1] if number <= len(b) else "<end of file>")


def check_one(solution: Path | str) -> str | None:
    """None when the committed student version of ``solution`` is what ``generate`` writes, else why not."""
    solution = Path(solution)
    target = student_path(solution)
    if not solution.exists():
        return f"{_show(target)}: has no solution {_show(solution)} (student versions are generated from solutions)"
    try:
        expected = generate_text(solution)
    except MarkerError as exc:
        return str(exc)
    if not target.exists():
        return f"{_show(target)}: missing (run: python tools/exercises.py generate {_show(solution)})"
    difference = first_difference(expected, target.read_text(encoding="utf-8"))
    if difference is not None:
        line, want, got = difference
        return (f"{_show(target)}:{line}: differs from what tools/exercises.py generates from {_show(solution)}: "
                f"expected {want!r}, found {got!r} (edit the solution, then run: python tools/exercises.py generate "
                f"{_show(solution)})")
    return notebook_problem(target.with_suffix(".ipynb"), solution.with_suffix(".ipynb"))


_VERDICT = re.compile(r"^(?P<mark>[✓✗·]) (?P<id>\w+): (?P<status>passed|not yet right|not attempted yet)\.")
_PROGRESS = re.compile(r"^Exercises of \S+: (?P<passed>\d+) of \d+ passed\.")


def notebook_problem(student_ipynb: Path, solution_ipynb: Path) -> str | None:
    """Why the executed student notebook betrays a solution or shares a cell id with its solution, or None."""
    if not student_ipynb.exists():
        return None  # tools/notebooks.py check reports a missing notebook
    nb = nbformat.read(student_ipynb, as_version=4)
    shared = set(c.get("id") for c in nb.cells) & set(_ids(solution_ipynb))
    if shared:
        index = next(i for i, c in enumerate(nb.cells) if c.get("id") in shared)
        return (f"{_show(student_ipynb)}: cell {index + 1} has the id {nb.cells[index].get('id')!r} of a cell of "
                f"{_show(solution_ipynb)} (run: python tools/exercises.py generate {_show(solution_ipynb.with_suffix('.py'))})")
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", ()):
            text = output.get("data", {}).get("text/plain", "") or output.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            verdict, progress = _VERDICT.match(text), _PROGRESS.match(text)
            if (verdict and verdict["mark"] != "·") or (progress and progress["passed"] != "0"):
                return (f"{_show(student_ipynb)}: cell {index + 1} shows {text.splitlines()[0]!r}: in the student "
                        "version every check must be 'not attempted yet', so a solution has reached it")
    return None


def check(paths=None, root: Path = ROOT) -> list[str]:
    """Every problem: student versions out of date, solutions with bad markers, unpaired files."""
    if paths:
        solutions = sorted({solution_path(p) for p in paths})
    else:
        solutions = sorted(set(discover(root)) | {solution_path(s) for s in student_versions(root)})
    return [problem for problem in map(check_one, solutions) if problem is not None]


# ---------------------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exercises.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    generate_parser = commands.add_parser("generate", help="write each student version from its solution")
    generate_parser.add_argument("paths", nargs="*", help="solutions (default: exercises/solutions/*.py)")
    check_parser = commands.add_parser("check", help="fail if a student version is not what generate writes")
    check_parser.add_argument("paths", nargs="*", help="solutions (default: every solution and student version)")
    args = parser.parse_args(argv)

    if args.command == "generate":
        if not args.paths and not discover():
            print(f"no solutions under {_show(SOLUTIONS)}", file=sys.stderr)
            return 0
        try:
            written = generate(args.paths)
        except (MarkerError, FileNotFoundError) as exc:
            print(f"FAILED {exc}", file=sys.stderr)
            return 1
        for target, changed in written:
            print(f"{'wrote' if changed else 'unchanged'} {_show(target)}")
        changed = [_show(target) for target, was_changed in written if was_changed]
        if changed:
            print(f"now build the notebooks: python tools/notebooks.py build {' '.join(changed)}")
        return 0

    problems = check(args.paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("ok: every student version is what tools/exercises.py generates")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

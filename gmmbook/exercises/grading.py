"""Grade students' exercise notebooks: ``python -m gmmbook.exercises grade NOTEBOOK... [options]``.

Each notebook runs from top to bottom in a fresh kernel of this interpreter (nbclient), in its own
folder.  A cell that runs longer than ``--timeout`` seconds is interrupted and the run goes on; a
cell that raises is noted and the run goes on; the whole notebook gets ``--notebook-timeout``
seconds.  Then one more cell checks every exercise of the notebook's chapter afresh with
:func:`gmmbook.exercises.check`: the answer is the expression the notebook passes to its
``check("id", answer)`` call (or, if the student removed that call, the name the template gives
the answer).  A verdict therefore does not depend on the outputs the student saved, nor on the
verdicts displayed while the notebook ran.

The table printed has one row per notebook: how the run went, then each exercise's status
(passed, not yet right, not attempted yet) and the count passed; ``--csv`` and ``--json`` write
it to files, the JSON with every verdict's message.  A notebook that cannot be read, whose kernel
dies, or that runs out of time gets a row that says so.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import csv
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import framework

MARKER = "gmmbook-grading-result:"
GRADING_CELL = """\
from gmmbook.exercises.grading import report as _gmmbook_report
_gmmbook_report({answers!r}, globals())
"""


@dataclass
class Row:
    """One graded notebook: how its run went (``run``, ``detail``) and each exercise's verdict."""

    notebook: str
    run: str = "ok"
    detail: str = ""
    verdicts: dict = field(default_factory=dict)   # exercise id -> {"status": ..., "message": ...}

    @property
    def n_passed(self) -> int:
        return sum(v["status"] == "passed" for v in self.verdicts.values())


# ---------------------------------------------------------------------------------------------- in the kernel


def report(answers: dict, namespace: dict) -> None:
    """Runs as the notebook's last cell: check each answer afresh and print the verdicts as JSON."""
    results = {}
    for exercise_id, expression in answers.items():
        try:
            value = eval(expression, namespace)  # noqa: S307 - the student's own notebook, in its own kernel
        except NameError:
            results[exercise_id] = {"status": "not attempted yet", "message": f"No answer named {expression} was found."}
            continue
        except Exception as exc:
            results[exercise_id] = {"status": "not yet right",
                                    "message": f"Evaluating {expression} raised {type(exc).__name__}: {exc}."}
            continue
        verdict = framework.check(exercise_id, value)
        results[exercise_id] = {"status": verdict.status, "message": verdict.message, "cases": list(verdict.cases)}
    print(MARKER + json.dumps(results))


# ---------------------------------------------------------------------------------------------- outside it


def _check_calls(nb) -> dict:
    """``{exercise id: answer expression}`` from the notebook's ``check("id", answer)`` calls."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics, or the student's typo: that cell simply has no check call we can read
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and node.args[0].value in framework.exercise_ids()):
                found.setdefault(node.args[0].value, ast.unparse(node.args[1]))
    return found


def _answers(nb) -> dict:
    """Every exercise of the chapters the notebook's check calls belong to, with its answer expression."""
    found = _check_calls(nb)
    chapters = {framework.get(exercise_id).chapter for exercise_id in found}
    return {spec.id: found.get(spec.id, spec.answer)
            for chapter in sorted(chapters) for spec in framework.chapter_exercises(chapter)}


def _kernel_manager_class():
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernel(AsyncKernelManager):
        """A kernel of the interpreter that runs the grader, whatever ``python3`` kernelspec the user has."""

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir="", **get_kernel_dict())
            return self._kernel_spec

    return ThisPythonKernel


def _cell_problems(nb, n_cells: int, timeout: float) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells[:n_cells]):
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "error":
                if output.get("ename") == "KeyboardInterrupt":
                    problems.append(f"cell {index + 1} stopped after {timeout:g} s")
                else:
                    problems.append(f"cell {index + 1} raised {output.get('ename')}")
    return problems


def _kill_kernel(client) -> None:
    """The notebook's time is up: kill its kernel (and the checks it runs); nbclient then stops."""
    threading.current_thread().fired = True
    provisioner = getattr(getattr(client, "km", None), "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None:
        return
    try:
        if getattr(provisioner, "pgid", None) and hasattr(os, "killpg"):
            os.killpg(provisioner.pgid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass


def grade_notebook(path, *, timeout: float = 60, notebook_timeout: float = 900) -> Row:
    """Run one student notebook in a fresh kernel and check its answers; never raises for the notebook's faults."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    row = Row(str(path))
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        row.run, row.detail = "unreadable", f"{type(exc).__name__}: {exc}"
        return row
    answers = _answers(nb)
    if not answers:
        row.run, row.detail = "no exercises", "no check(\"exercise_id\", answer) call of a known exercise"
        return row
    n_cells = len(nb.cells)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells.append(nbformat.v4.new_code_cell(GRADING_CELL.format(answers=answers)))
    grading_time = 30 + sum(framework.get(exercise_id).time_limit for exercise_id in answers)
    grading_cell = nb.cells[-1]
    client = NotebookClient(
        nb, timeout=int(timeout), timeout_func=lambda cell: grading_time if cell is grading_cell else int(timeout),
        interrupt_on_timeout=True, allow_errors=True, record_timing=False, kernel_name="python3",
        kernel_manager_class=_kernel_manager_class(), shutdown_kernel="immediate",
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    watchdog = threading.Timer(notebook_timeout, _kill_kernel, (client,))  # a loop may ignore the interrupt
    watchdog.start()
    try:
        asyncio.run(client.async_execute(stderr=subprocess.DEVNULL))
    except DeadKernelError:
        row.run, row.detail = "kernel died", "the kernel died (os._exit, a crash, or out of memory)"
    except Exception as exc:
        row.run, row.detail = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        watchdog.cancel()
    if getattr(watchdog, "fired", False):
        row.run, row.detail = "timed out", f"the notebook did not finish within {notebook_timeout:g} s"
    problems = _cell_problems(nb, n_cells, timeout)
    if row.run == "ok" and problems:
        row.run = "errors"
    if problems:
        row.detail = "; ".join(([row.detail] if row.detail else []) + problems)
    results = None
    for output in grading_cell.get("outputs", ()):
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                results = json.loads(line[len(MARKER):])
    for exercise_id in answers:
        if results is not None and exercise_id in results:
            row.verdicts[exercise_id] = results[exercise_id]
        else:
            row.verdicts[exercise_id] = {"status": "not graded", "message": f"not graded: {row.run}"}
    return row


# ---------------------------------------------------------------------------------------------- report


def _columns(rows: list[Row]) -> list[str]:
    ids = []
    for row in rows:
        ids += [exercise_id for exercise_id in row.verdicts if exercise_id not in ids]
    return ids


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table."""
    ids = _columns(rows)
    header = ["notebook", "run", *ids, "passed"]
    body = [[row.notebook, row.run, *(row.verdicts.get(i, {}).get("status", "") for i in ids),
             f"{row.n_passed} of {len(row.verdicts)}"] for row in rows]
    widths = [max(len(str(line[c])) for line in [header, *body]) for c in range(len(header))]
    lines = ["  ".join(str(value).ljust(width) for value, width in zip(line, widths)).rstrip() for line in [header, *body]]
    notes = [f"{row.notebook}: {row.detail}" for row in rows if row.detail]
    return "\n".join(lines + ([""] + notes if notes else []))


def write_csv(rows: list[Row], path) -> None:
    ids = _columns(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", "run", "detail", *ids, "passed", "exercises"])
        for row in rows:
            writer.writerow([row.notebook, row.run, row.detail, *(row.verdicts.get(i, {}).get("status", "") for i in ids),
                             row.n_passed, len(row.verdicts)])


def write_json(rows: list[Row], path) -> None:
    data = [{**asdict(row), "passed": row.n_passed} for row in rows]
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gmmbook.exercises", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="run students' notebooks and report every exercise's verdict")
    grade.add_argument("notebooks", nargs="+", help="the students' .ipynb files")
    grade.add_argument("--timeout", type=float, default=60, help="seconds a cell may run before it is interrupted (60)")
    grade.add_argument("--notebook-timeout", type=float, default=900, help="seconds for a whole notebook (900)")
    grade.add_argument("--csv", help="also write the table to this CSV file")
    grade.add_argument("--json", help="also write every verdict, with its message, to this JSON file")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.notebook_timeout <= 0:
        parser.error("--timeout and --notebook-timeout must be positive")
    rows = []
    for notebook in args.notebooks:
        print(f"grading {notebook} ...", file=sys.stderr, flush=True)
        rows.append(grade_notebook(notebook, timeout=args.timeout, notebook_timeout=args.notebook_timeout))
    print(table(rows))
    if args.csv:
        write_csv(rows, args.csv)
    if args.json:
        write_json(rows, args.json)
    return 0

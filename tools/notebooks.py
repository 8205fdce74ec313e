"""Build and check the book's paired notebooks.

Each notebook of the book is a pair: ``NN_name.py`` (jupytext percent format, the source of truth)
and ``NN_name.ipynb`` (generated from it, executed, committed with its outputs).

    python tools/notebooks.py build [PATHS...]   # regenerate and execute the .ipynb of each pair
    python tools/notebooks.py check [PATHS...]   # fail if a pair is out of sync or not fully executed

PATHS may name either file of a pair; without PATHS every pair of the book is used
(``chapters/*.py``, ``exercises/*.py``, ``exercises/solutions/*.py``).

``build`` reads the .py with jupytext, keeps the cell ids of the existing .ipynb
(``jupytext.combine.combine_inputs_with_outputs``), drops every output, executes the notebook
with ``nbclient`` in the notebook's folder with this interpreter's ipykernel, and writes it with
``nbformat``.  The result depends only on the .py, the ids of the old .ipynb and the code it runs:
never on file timestamps (unlike ``jupytext --sync``), and two builds in a row give identical bytes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_config
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets import default

ROOT = Path(__file__).resolve().parent.parent
SOURCE_GLOBS = ("chapters/*.py", "exercises/*.py", "exercises/solutions/*.py")

KERNEL_NAME = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
# What JupyterLab writes when a kernel starts: the kernelspec, and the language_info that ipykernel
# reports, minus the Python version (which would churn the file from machine to machine).  The server
# `make lab` starts (jupyter-config/) adds the version of this machine's kernel when it opens a notebook
# and takes it out when it saves one, so that opening a notebook marks nothing as modified.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
_FILTERS = ("cell_metadata_filter", "notebook_metadata_filter")
CELL_TIMEOUT = 300  # seconds per cell; a chapter must run in well under a minute


class NotebookError(Exception):
    """A pair that cannot be built or does not pass the check; the message names the file and cell."""


# ---------------------------------------------------------------------------------------------- paths


def discover(root: Path = ROOT) -> list[Path]:
    """Return the .py source of every pair of the book, sorted."""
    return sorted(path for pattern in SOURCE_GLOBS for path in Path(root).glob(pattern))


def pair_of(path: Path | str) -> tuple[Path, Path]:
    """Return ``(py, ipynb)`` for either file of a pair."""
    path = Path(path)
    if path.suffix not in (".py", ".ipynb"):
        raise NotebookError(f"{path}: expected a .py or .ipynb file of a notebook pair")
    return path.with_suffix(".py"), path.with_suffix(".ipynb")


def _show(path: Path) -> str:
    """A path as the reader typed it: relative to the repository when it lies inside."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _describe(index: int, cell) -> str:
    """``cell 3 (code: 'x = np.arange(3)')``: 1-based index, type and first non-empty line."""
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    if len(first) > 60:
        first = first[:57] + "..."
    return f"cell {index + 1} ({cell.cell_type}: {first!r})"


# ---------------------------------------------------------------------------------------------- read


def read_source(py: Path | str):
    """Read the .py of a pair with the project's jupytext configuration (pyproject.toml)."""
    py = Path(py)
    if not py.exists():
        raise NotebookError(f"{_show(py)}: no such file")
    return jupytext.read(py, config=load_jupytext_config(str(py.resolve())))


def _tags(cell) -> tuple[str, ...]:
    return tuple(cell.metadata.get("tags", ()))


def _filters(source) -> dict:
    """The jupytext metadata filters of the project's configuration, as read into a .py's metadata."""
    return {key: value for key, value in source.metadata.get("jupytext", {}).items() if key in _FILTERS}


def _cell_key(cell) -> tuple:
    """What a pair must agree on, cell by cell."""
    return (cell.cell_type, cell.source, _tags(cell))


# ---------------------------------------------------------------------------------------------- build


def _new_id(cell, used: set[str]) -> str:
    """A cell id derived from the cell's content (not random), unique in the notebook."""
    digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
    cell_id, n = digest, 1
    while cell_id in used:
        n += 1
        cell_id = f"{digest}-{n}"
    return cell_id


def assemble(py: Path | str, ipynb: Path | str | None = None):
    """The notebook to execute: cells of the .py, cell ids of the old .ipynb, no outputs.

    Cell metadata is that of the .py (tags only, by the project's jupytext filter); notebook metadata
    is the fixed kernelspec and language_info plus the project's jupytext metadata filters, so the
    result does not depend on what an editor left in the old .ipynb.
    """
    source = read_source(py)
    ids: list[str | None] = [None] * len(source.cells)
    if ipynb is not None and Path(ipynb).exists():
        try:
            old = nbformat.read(ipynb, as_version=4)
        except Exception as exc:  # unreadable JSON or an invalid notebook: say which file
            raise NotebookError(f"{_show(ipynb)}: cannot be read ({exc})") from exc
        merged = combine_inputs_with_outputs(copy.deepcopy(source), old)
        ids = [cell.get("id") for cell in merged.cells]

    cells, used = [], set()
    for cell, cell_id in zip(source.cells, ids):
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(source=cell.source, metadata=copy.deepcopy(cell.metadata))
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source=cell.source, metadata=copy.deepcopy(cell.metadata))
        else:
            new = nbformat.v4.new_raw_cell(source=cell.source, metadata=copy.deepcopy(cell.metadata))
        if not cell_id or cell_id in used:
            cell_id = _new_id(new, used)
        new["id"] = cell_id
        used.add(cell_id)
        cells.append(new)

    metadata = {"kernelspec": dict(KERNELSPEC), "language_info": copy.deepcopy(LANGUAGE_INFO)}
    # The project's metadata filters, stored in the .ipynb too.  When the .ipynb is newer than the .py
    # (always, right after a build), JupyterLab's jupytext compares the two as text before opening the
    # .py, and without the filters the .ipynb side grows a header and the server refuses (HTTP 400).
    filters = _filters(source)
    if filters:
        metadata["jupytext"] = filters
    return nbformat.v4.new_notebook(cells=cells, metadata=metadata)


class CurrentEnvKernelSpecs(KernelSpecManager):
    """Resolve ``python3`` to the ipykernel of the interpreter running this tool.

    A user-level ``python3`` kernelspec (``~/.local/share/jupyter/kernels``) pointing at another
    Python would otherwise take precedence (the same reason nbval runs with ``--nbval-current-env``).
    """

    def get_kernel_spec(self, kernel_name):
        if kernel_name == KERNEL_NAME:
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            return self.kernel_spec_class(resource_dir=RESOURCES, **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


class CurrentEnvKernelManager(AsyncKernelManager):
    """Starts this interpreter's ipykernel (see :class:`CurrentEnvKernelSpecs`).

    Asynchronous, because with a blocking kernel client nbclient waits for a cell's output without
    looking at the clock: a cell that never finishes would hang instead of timing out.  The kernel's
    connection is encrypted (``transport_encryption``), which also silences ipykernel's warning about
    plain TCP on every start.
    """

    @default("transport_encryption")
    def _encrypted(self):
        return "auto"

    @default("kernel_spec_manager")
    def _current_env_kernel_specs(self):
        return CurrentEnvKernelSpecs(data_dir=self.data_dir)


def execute(nb, cwd: Path | str, *, timeout: int = CELL_TIMEOUT, name: str = "notebook"):
    """Execute ``nb`` in place in folder ``cwd``; raise NotebookError naming the failing cell.

    A cell may raise only if it is tagged ``raises-exception``, and then it must raise.
    """
    current = {"index": None}

    def remember(cell, cell_index, **_):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        kernel_manager_class=CurrentEnvKernelManager,  # nbclient owns it and shuts the kernel down
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        shutdown_kernel="immediate",  # outputs are complete; do not wait for a graceful exit
        coalesce_streams=True,  # one stream output per name, however the kernel chunked it
        on_cell_execute=remember,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        where = _describe(current["index"], nb.cells[current["index"]]) if current["index"] is not None else "a cell"
        raise NotebookError(f"{name}: {where} raised an exception:\n{exc}") from exc
    except Exception as exc:  # timeout, dead kernel, ...
        where = _describe(current["index"], nb.cells[current["index"]]) if current["index"] is not None else "start-up"
        raise NotebookError(f"{name}: execution failed at {where}: {type(exc).__name__}: {exc}") from exc

    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raises-exception" in _tags(cell) and not _has_error(cell):
            raise NotebookError(f"{name}: {_describe(index, cell)} is tagged raises-exception but did not raise")

    # nbclient copies the kernel's language_info, Python version included: keep ours.
    nb.metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


def build(path: Path | str, *, timeout: int = CELL_TIMEOUT) -> Path:
    """Regenerate the executed .ipynb of the pair of ``path`` from its .py; return the .ipynb path."""
    py, ipynb = pair_of(path)
    nb = assemble(py, ipynb)
    execute(nb, py.resolve().parent, timeout=timeout, name=_show(ipynb))
    nbformat.validate(nb)
    nbformat.write(nb, ipynb)  # sorted keys, indent 1, trailing newline: byte-stable
    return ipynb


# ---------------------------------------------------------------------------------------------- check


def _has_error(cell) -> bool:
    return any(output.get("output_type") == "error" for output in cell.get("outputs", ()))


def sync_problem(path: Path | str) -> str | None:
    """None if the .py and .ipynb of the pair hold the same cells (type, source, tags), else why not."""
    py, ipynb = pair_of(path)
    if not py.exists():
        return f"{_show(ipynb)}: has no paired {py.name}"
    if not ipynb.exists():
        return f"{_show(py)}: has no paired {ipynb.name} (run: python tools/notebooks.py build {_show(py)})"
    source_nb, notebook_nb = read_source(py), jupytext.read(ipynb)
    source, notebook = source_nb.cells, notebook_nb.cells
    for index in range(max(len(source), len(notebook))):
        if index >= len(source):
            return f"{_show(py)}: out of sync: {_show(ipynb)} has an extra {_describe(index, notebook[index])}"
        if index >= len(notebook):
            return f"{_show(py)}: out of sync: {_show(ipynb)} lacks {_describe(index, source[index])}"
        a, b = _cell_key(source[index]), _cell_key(notebook[index])
        if a != b:
            what = [name for name, x, y in zip(("type", "source", "tags"), a, b) if x != y]
            return (
                f"{_show(py)}: out of sync with {_show(ipynb)} at {_describe(index, source[index])}: "
                f"{' and '.join(what)} differ{'s' if len(what) == 1 else ''}"
            )
    wanted = _filters(source_nb)
    stored = notebook_nb.metadata.get("jupytext", {})
    if any(stored.get(key) != value for key, value in wanted.items()):
        return (
            f"{_show(ipynb)}: its metadata lacks the project's jupytext filters {wanted}, so JupyterLab "
            f"refuses to open {py.name} while the .ipynb is newer (rebuild it)"
        )
    return None


def execution_problems(path: Path | str) -> list[str]:
    """Code cells of the .ipynb that were never executed or hold an unexpected error output."""
    _, ipynb = pair_of(path)
    if not ipynb.exists():
        return [f"{_show(ipynb)}: no such file"]
    nb = nbformat.read(ipynb, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "skip-execution" in _tags(cell):
            continue
        if cell.get("execution_count") is None:
            problems.append(f"{_show(ipynb)}: {_describe(index, cell)} was never executed")
        elif _has_error(cell) and "raises-exception" not in _tags(cell):
            problems.append(f"{_show(ipynb)}: {_describe(index, cell)} holds an error output")
    return problems


def check(path: Path | str) -> list[str]:
    """Every problem of one pair (empty if none)."""
    problem = sync_problem(path)
    if problem is not None:
        return [problem]
    return execution_problems(path)


# ---------------------------------------------------------------------------------------------- CLI


def _targets(paths: list[str]) -> list[Path]:
    if paths:
        return [pair_of(path)[0] for path in paths]
    found = discover()
    if not found:
        print(f"no notebook pairs under {ROOT} ({', '.join(SOURCE_GLOBS)})", file=sys.stderr)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="notebooks.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="regenerate and execute the .ipynb of each pair")
    build_parser.add_argument("paths", nargs="*", help="files of the pairs (default: every pair of the book)")
    build_parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds allowed per cell")
    check_parser = commands.add_parser("check", help="fail if a pair is out of sync or not fully executed")
    check_parser.add_argument("paths", nargs="*", help="files of the pairs (default: every pair of the book)")
    args = parser.parse_args(argv)

    failures = 0
    for py in _targets(args.paths):
        if args.command == "build":
            start = time.perf_counter()
            try:
                ipynb = build(py, timeout=args.timeout)
            except NotebookError as exc:
                failures += 1
                print(f"FAILED {exc}", file=sys.stderr)
            else:
                print(f"built {_show(ipynb)} ({time.perf_counter() - start:.1f} s)")
        else:
            problems = check(py)
            failures += bool(problems)
            for problem in problems:
                print(problem, file=sys.stderr)
            if not problems:
                print(f"ok {_show(py)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

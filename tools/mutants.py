"""Plant classic wrong formulas one at a time and check that the chapters catch each one (``make mutants``).

Every check of the book must be able to fail.  This tool proves it: each *mutant* of ``tools/mutants.toml``
replaces one exact piece of text in one file (a formula of ``gmmbook/`` or of a chapter's inline derivation) by a
classic mistake, the chapters are executed with their asserts (outputs are not compared), and the mutant is
*killed* when a cell raises.  A mutant that every chapter lets through *survives*: some check is too weak.

    python tools/mutants.py                # the unmutated book, then every mutant
    python tools/mutants.py ID [ID ...]    # only these mutants
    python tools/mutants.py --fast         # the mutants marked fast = true, each on its listed notebooks only
    python tools/mutants.py --list         # id, file and description of every mutant
    python tools/mutants.py --check        # only check that every mutant applies (nothing is executed)

How a run works:

1. The files the notebooks need (``SNAPSHOT``: gmmbook/, chapters/, exercises/, pyproject.toml) are copied once
   into a temporary snapshot (from the working tree, or with ``--rev REV`` from a git commit), so that edits made
   in the working tree during the run do not leak into it; the working tree is never modified.  Every mutant is
   checked first: its ``original`` text must occur exactly once in its file, otherwise the run stops and names it.
2. The unmutated book runs first (every notebook the selected mutants will run).  If a notebook fails there, the
   report says so and stops: a kill would mean nothing.
3. Each mutant is applied to its own copy of the snapshot, and its notebooks run one after the other in a worker
   process, stopping at the first failure: first the mutant's ``notebooks``, then every other notebook the
   mutated file can affect (all chapters for a file of gmmbook/, only itself for a chapter).  The kernel imports
   the copy's gmmbook (``PYTHONPATH`` is the copy); a guard cell added before each notebook's first cell fails the
   run as an *error*, not a kill, if gmmbook was imported from anywhere else.  A notebook is executed from its
   ``.py`` (the source of truth) with jupytext and nbclient, with a time limit derived from its unmutated run.
   ``--jobs`` workers (default 2) run one mutant each at a time, and each serves one mutant after another, so its
   imports are paid once.  Kernels are shut down when a worker stops, and a worker stops when this command does.
4. The report gives, for each mutant, the notebook, cell and check that killed it with the failing line and the
   first line of the error, or says loudly that it survived.

Exit status: 0 when every mutant was killed; 1 when one survived, did not apply, ran into an error (timeouts
count as kills but are marked), or when the unmutated book fails; 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import faulthandler
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS_FILE = ROOT / "tools" / "mutants.toml"
#: What a copy of the book holds: everything the notebooks import or read, nothing generated.
SNAPSHOT = ("pyproject.toml", "gmmbook", "chapters", "exercises")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.ipynb")
#: The notebooks a mutant of gmmbook/ can affect, in the order they run by default.
CHAPTER_GLOB = "chapters/*.py"
#: A mutated notebook may take this many times as long as the unmutated one (plus the slack) before it is stopped.
TIMEOUT_FACTOR = 4.0
TIMEOUT_SLACK = 60.0
#: The keys a mutant may have; any other key is a typo and an error.
REQUIRED_KEYS = ("id", "description", "file", "original", "replacement")
OPTIONAL_KEYS = ("notebooks", "fast")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_GUARD_MARK = "MUTANTS-GUARD"


class MutantError(Exception):
    """A mutant (or the list of mutants) that cannot be used as written; the message names it."""


# ---------------------------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class Mutant:
    """One planted mistake: replace ``original`` (exactly once in ``file``) by ``replacement``."""

    id: str
    description: str
    file: str
    original: str
    replacement: str
    notebooks: tuple[str, ...] = ()
    fast: bool = False


def load(path: Path | str = MUTANTS_FILE) -> list[Mutant]:
    """Read and check the list of mutants (``[[mutant]]`` tables of a TOML file)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MutantError(f"{path}: cannot be read: {exc}") from None
    unknown_tables = set(data) - {"mutant"}
    if unknown_tables:
        raise MutantError(f"{path}: unknown top-level key(s) {sorted(unknown_tables)}; write [[mutant]] tables")
    mutants, seen = [], set()
    for number, entry in enumerate(data.get("mutant", []), start=1):
        where = f"{path.name}, mutant {number} ({entry.get('id', 'no id')!r})"
        missing = [key for key in REQUIRED_KEYS if key not in entry]
        extra = sorted(set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
        if missing or extra:
            raise MutantError(f"{where}: " + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"unknown key(s) {', '.join(extra)}"] if extra else [])))
        for key in REQUIRED_KEYS:
            if not isinstance(entry[key], str) or not entry[key]:
                raise MutantError(f"{where}: {key} must be a non-empty string")
        if not _ID.fullmatch(entry["id"]):
            raise MutantError(f"{where}: id must be lower-case letters, digits and hyphens")
        if entry["id"] in seen:
            raise MutantError(f"{where}: the id {entry['id']!r} is used twice")
        if "\n" in entry["description"].strip():
            raise MutantError(f"{where}: the description must be one line")
        if entry["original"] == entry["replacement"]:
            raise MutantError(f"{where}: the replacement equals the original")
        notebooks = entry.get("notebooks", [])
        if not isinstance(notebooks, list) or not all(isinstance(n, str) and n for n in notebooks):
            raise MutantError(f"{where}: notebooks must be a list of notebook names")
        if not isinstance(entry.get("fast", False), bool):
            raise MutantError(f"{where}: fast must be true or false")
        seen.add(entry["id"])
        mutants.append(Mutant(entry["id"], entry["description"].strip(), entry["file"], entry["original"],
                              entry["replacement"], tuple(notebooks), entry.get("fast", False)))
    if not mutants:
        raise MutantError(f"{path}: no [[mutant]] tables")
    return mutants


def apply(mutant: Mutant, root: Path) -> None:
    """Apply ``mutant`` to the copy of the book in ``root`` (raise MutantError if it does not apply once)."""
    target = root / mutant.file
    if not target.is_file():
        raise MutantError(f"mutant {mutant.id!r}: no file {mutant.file}")
    text = target.read_text(encoding="utf-8")
    count = text.count(mutant.original)
    if count != 1:
        first = next((line.strip() for line in mutant.original.splitlines() if line.strip()), "")
        raise MutantError(
            f"mutant {mutant.id!r} no longer applies: its original text (starting {first!r}) occurs "
            f"{count} times in {mutant.file}, not once. Update it in tools/mutants.toml to the new code."
        )
    target.write_text(text.replace(mutant.original, mutant.replacement), encoding="utf-8")


# ---------------------------------------------------------------------------------------------- notebooks


def _has_code(py: Path) -> bool:
    import jupytext

    return any(cell.cell_type == "code" and cell.source.strip() for cell in jupytext.read(py).cells)


def chapters(root: Path) -> list[str]:
    """The chapters that hold code, as paths relative to ``root``, in book order."""
    return [str(py.relative_to(root)) for py in sorted(root.glob(CHAPTER_GLOB)) if _has_code(py)]


def resolve(name: str, root: Path) -> str:
    """A notebook as written in the list (``"05"`` or a path to its .py or .ipynb) -> path of its .py."""
    if re.fullmatch(r"\d\d", name):
        found = sorted(root.glob(f"chapters/{name}_*.py"))
        if len(found) != 1:
            raise MutantError(f"notebook {name!r}: {len(found)} chapters match chapters/{name}_*.py")
        return str(found[0].relative_to(root))
    path = Path(name).with_suffix(".py")
    if not (root / path).is_file():
        raise MutantError(f"notebook {name!r}: no file {path}")
    return str(path)


def plan(mutant: Mutant, root: Path, book: list[str], *, fast: bool = False) -> list[str]:
    """The notebooks to run for ``mutant``, in order.

    Its listed ``notebooks`` first; then (unless ``fast``) every other notebook the mutated file can affect:
    only itself for a notebook's .py, every chapter for any other file.
    """
    listed = [resolve(name, root) for name in mutant.notebooks]
    if fast and listed:
        return listed
    affected = [mutant.file] if mutant.file.endswith(".py") and mutant.file.split("/")[0] in (
        "chapters", "exercises") else book
    return listed + [name for name in affected if name not in listed]


def _short(notebook: str) -> str:
    """chapters/05_em_derivation.py -> 05_em_derivation; other notebooks keep their folder."""
    path = Path(notebook)
    return path.stem if path.parent.as_posix() == "chapters" else path.with_suffix("").as_posix()


# ---------------------------------------------------------------------------------------------- the worker
# A worker is worker() run in its own process (see Worker): it reads jobs (one JSON line each on stdin); for each
# it points the environment the kernels inherit at the job's copy (so that they import the copy's gmmbook),
# executes the job's notebooks one after the other in their own folder, stops at the first failure and writes
# what happened (one JSON line on stdout).  A worker serves many jobs: its imports are paid once.

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"Cell In\[\d+\], line (\d+)")
_CHECK = re.compile(r"\*\*CHECK\s*(\([^)]*\))")


def _guard_source(root: Path) -> str:
    return (
        "import os as _mutants_os\n"
        "import gmmbook as _mutants_gmmbook\n"
        f"_mutants_root = {str(root.resolve())!r}\n"
        "assert _mutants_os.path.realpath(_mutants_gmmbook.__file__).startswith(_mutants_root + _mutants_os.sep), (\n"
        f"    '{_GUARD_MARK}: the kernel imported gmmbook from ' + _mutants_gmmbook.__file__"
        " + ', not from the mutated copy ' + _mutants_root)\n"
        "del _mutants_os, _mutants_gmmbook, _mutants_root\n"
    )


def _first_line(text: str, limit: int = 160) -> str:
    line = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _failure(nb, index: int) -> dict:
    """Where and why cell ``index`` of the executed notebook ``nb`` (guard cell at 0) failed."""
    cell = nb.cells[index]
    error = next((out for out in cell.get("outputs", ()) if out.get("output_type") == "error"), None)
    info = {"cell": index, "check": None, "line": None, "error": None}  # cell: 1-based in the chapter
    previous = nb.cells[index - 1] if index >= 2 else None
    if previous is not None and previous.cell_type == "markdown":
        match = _CHECK.search(previous.source)
        if match:
            info["check"] = "CHECK " + match.group(1)
    if error is not None:
        evalue = _first_line(error.get("evalue", ""))
        info["error"] = f"{error.get('ename', 'Error')}: {evalue}" if evalue else error.get("ename", "Error")
        traceback = _ANSI.sub("", "\n".join(error.get("traceback", ())))
        frame = _CELL_FRAME.search(traceback)
        lines = cell.source.splitlines()
        if frame and 1 <= int(frame.group(1)) <= len(lines):
            info["line"] = f"line {frame.group(1)}: {_first_line(lines[int(frame.group(1)) - 1])}"
    return info


def execute_notebook(py: Path, deadline: float) -> dict:
    """Execute the notebook of ``py`` (a guard cell first) in its folder; what happened, as a dict."""
    import jupytext
    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from tools.notebooks import CurrentEnvKernelManager


    root = Path(os.environ["GMMBOOK_MUTANTS_ROOT"])
    nb = jupytext.read(py)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_guard_source(root)))
    start = time.monotonic()
    current = {"index": 0, "first": None}  # the cell running; when the first cell started (the kernel is up)

    def remember(cell, cell_index, **_):
        current["index"] = cell_index
        if current["first"] is None:
            current["first"] = time.monotonic()

    def seconds_left(cell):
        return max(1, int(current["first"] + deadline - time.monotonic()))

    client = NotebookClient(
        nb,
        kernel_manager_class=CurrentEnvKernelManager,
        kernel_name="python3",
        timeout_func=seconds_left,  # the notebook's time limit, counted from its first cell
        record_timing=False,
        shutdown_kernel="immediate",
        on_cell_execute=remember,
        resources={"metadata": {"path": str(py.parent)}},
    )
    outcome = {"outcome": "passed"}
    try:
        client.execute()
    except CellTimeoutError:
        outcome = {"outcome": "timeout", **_failure(nb, current["index"]),
                   "error": f"no result within the notebook's limit of {deadline:.0f} s"}
    except DeadKernelError as exc:
        outcome = {"outcome": "failed", **_failure(nb, current["index"]),
                   "error": f"the kernel died: {_first_line(exc)}"}
    except CellExecutionError:
        outcome = {"outcome": "failed", **_failure(nb, current["index"])}
    finally:
        if client.km is not None and client.km.has_kernel:  # stopped from outside: no kernel outlives us
            try:
                run_sync(client.km.shutdown_kernel)(now=True)
            except Exception:  # already gone; the kernel also exits by itself when this process does
                pass
    if outcome["outcome"] == "passed":
        for index, cell in enumerate(nb.cells):
            tags = cell.get("metadata", {}).get("tags", ())
            if cell.cell_type == "code" and "raises-exception" in tags and not any(
                    out.get("output_type") == "error" for out in cell.get("outputs", ())):
                outcome = {"outcome": "failed", **_failure(nb, index),
                           "error": "tagged raises-exception, but did not raise"}
                break
    if outcome.get("cell") == 0:  # the guard cell
        outcome["cell"] = "guard (import gmmbook)"
        if _GUARD_MARK in (outcome.get("error") or ""):
            outcome["outcome"] = "error"
    outcome["seconds"] = round(time.monotonic() - start, 1)
    return outcome


def _watch_parent() -> None:
    """Stop this worker (and so its kernel) when the command that started it is gone."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, daemon=True).start()


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _point_kernels_at(root: Path) -> None:
    """Make the kernels this process starts from now on import the copy in ``root``."""
    os.environ.update({
        "PYTHONPATH": os.pathsep.join([str(root)] + [p for p in [os.environ.get("GMMBOOK_MUTANTS_PYTHONPATH")] if p]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "GMMBOOK_MUTANTS_ROOT": str(root),
        "TMPDIR": str(root / ".tmp"),  # the kernel's connection file lives here: its command line names the copy
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    (root / ".tmp").mkdir(exist_ok=True)
    tempfile.tempdir = None  # read TMPDIR again


def worker() -> int:
    """Serve jobs read from stdin, one JSON line each: {"root", "notebooks", "deadlines"}; for each, write
    {"runs": [...]} as one JSON line to stdout."""
    signal.signal(signal.SIGTERM, _interrupt)
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 PID prints where a stuck worker is
    _watch_parent()
    for line in sys.stdin:
        job = json.loads(line)
        root = Path(job["root"])
        _point_kernels_at(root)
        runs = []
        for notebook, deadline in zip(job["notebooks"], job["deadlines"]):
            run = {"notebook": notebook, **execute_notebook(root / notebook, deadline)}
            runs.append(run)
            if run["outcome"] != "passed":
                break
        print(json.dumps({"runs": runs}), flush=True)
    return 0


# ---------------------------------------------------------------------------------------------- running jobs


@dataclass
class Result:
    """What happened to one mutant (or to one notebook of the unmutated book)."""

    name: str
    status: str  # killed, timeout, survived, error
    runs: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""

    @property
    def failing(self) -> dict | None:
        return next((run for run in self.runs if run["outcome"] != "passed"), None)

    def killed_by(self) -> str:
        run = self.failing
        if run is None:
            return ""
        where = f"{_short(run['notebook'])}, cell {run.get('cell')}"
        if run.get("check"):
            where += f", {run['check']}"
        return where

    def why(self) -> str:
        run = self.failing
        if run is None:
            return self.message
        return " ".join(part for part in (f"{run['line']}:" if run.get("line") else "", run.get("error") or "")
                        if part)


class Worker:
    """A worker process (see worker()), started on first use and again after it failed."""

    def __init__(self, log: Path):
        self.log = log  # the worker's (and its kernels') stderr
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> None:
        env = dict(os.environ)
        if env.get("PYTHONPATH"):
            env["GMMBOOK_MUTANTS_PYTHONPATH"] = env["PYTHONPATH"]
        command = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                   "from tools.mutants import worker; sys.exit(worker())"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                         text=True, env=env, start_new_session=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def _read(proc: subprocess.Popen, lines: queue.Queue) -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)  # the worker is gone

    def run(self, root: Path, notebooks: list[str], deadlines: list[float]) -> list[dict]:
        """Execute ``notebooks`` of the copy in ``root``; the list of runs (stopping at the first failure)."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            self.proc.stdin.write(json.dumps({"root": str(root), "notebooks": notebooks, "deadlines": deadlines})
                                  + "\n")
            self.proc.stdin.flush()
            line = self.lines.get(timeout=sum(deadlines) + 120)
        except (BrokenPipeError, queue.Empty):
            line = None
        if line is not None:
            try:
                return json.loads(line)["runs"]
            except (ValueError, KeyError):
                pass
        self.stop(kill=True)
        tail = " / ".join(self.log.read_text(errors="replace").strip().splitlines()[-3:])
        return [{"notebook": notebooks[0], "outcome": "error", "error": f"the worker failed or hung: {tail}"}]

    def stop(self, kill: bool = False) -> None:
        """End the worker: close its input (it finishes its job and exits), or terminate it (it shuts down its
        kernel), then kill whatever is left."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            if kill:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.stdin.close()
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, OSError):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class WorkerPool:
    """``jobs`` workers; ``map`` runs tasks on them, at most ``jobs`` at a time."""

    def __init__(self, jobs: int, logdir: Path):
        self.jobs = jobs
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.all = [Worker(logdir / f"worker-{i}.log") for i in range(jobs)]
        for one in self.all:
            self.idle.put(one)

    def _on_a_worker(self, task):
        one = self.idle.get()
        try:
            return task(one)
        finally:
            self.idle.put(one)

    def map(self, tasks, on_done) -> None:
        """Run the callables ``tasks`` ((name, task(worker)) pairs); call on_done(name, result) as each ends."""
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = {pool.submit(self._on_a_worker, task): name for name, task in tasks}
            try:
                for future in as_completed(futures):
                    on_done(futures[future], future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                self.stop(kill=True)
                raise

    def stop(self, kill: bool = False) -> None:
        for one in self.all:
            one.stop(kill=kill)


def make_snapshot(source: Path, dest: Path, rev: str | None = None) -> Path:
    """Copy what the notebooks need (SNAPSHOT) from the book in ``source`` (or its commit ``rev``) to ``dest``."""
    dest.mkdir(parents=True)
    if rev is not None:
        archive = subprocess.run(["git", "-C", str(source), "archive", "--format=tar", rev, "--", *SNAPSHOT,
                                  ":(exclude)*.ipynb"], capture_output=True)
        if archive.returncode:
            raise MutantError(f"git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(dest, filter="data")
        return dest
    for name in SNAPSHOT:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, dest / name, ignore=_IGNORE)
        elif path.is_file():
            shutil.copy2(path, dest / name)
    return dest


def _status(runs: list[dict]) -> str:
    outcomes = [run["outcome"] for run in runs]
    if "error" in outcomes:
        return "error"
    if "timeout" in outcomes:
        return "timeout"
    if "failed" in outcomes:
        return "killed"
    return "survived"


def run_mutant(mutant: Mutant, snapshot: Path, workdir: Path, notebooks: list[str],
               deadlines: list[float], worker: Worker, keep: bool = False) -> Result:
    start = time.monotonic()
    copy = workdir / mutant.id
    shutil.copytree(snapshot, copy)
    try:
        apply(mutant, copy)
        runs = worker.run(copy, notebooks, deadlines)
    finally:
        if not keep:
            shutil.rmtree(copy, ignore_errors=True)
    return Result(mutant.id, _status(runs), runs, time.monotonic() - start)


# ---------------------------------------------------------------------------------------------- report


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report(mutants: list[Mutant], results: dict[str, Result], baseline: dict[str, float], total: float,
           fast: bool) -> str:
    lines = [f"# Mutants: {len(mutants)} planted{' (fast subset)' if fast else ''}", ""]
    lines.append("Unmutated book: " + ", ".join(f"{_short(nb)} {s:.1f} s" for nb, s in baseline.items()) + ".")
    lines += ["", "| id | mistake | killed by | failing line and error | time |", "|---|---|---|---|---|"]
    for mutant in mutants:
        result = results[mutant.id]
        killer = {"killed": result.killed_by(), "timeout": f"TIMEOUT in {result.killed_by()}",
                  "survived": "**SURVIVED**", "error": "**ERROR**"}[result.status]
        lines.append(f"| {_cell(mutant.id)} | {_cell(mutant.description)} | {_cell(killer)} | "
                     f"{_cell(result.why())} | {result.seconds:.0f} s |")
    counts = {status: [m.id for m in mutants if results[m.id].status == status]
              for status in ("killed", "timeout", "survived", "error")}
    lines += ["", f"Killed {len(counts['killed'])}, timed out {len(counts['timeout'])}, "
                  f"survived {len(counts['survived'])}, errors {len(counts['error'])}; "
                  f"total time {total / 60:.1f} min."]
    by_a_check = ("AssertionError", "tagged raises-exception")
    crashed = [m.id for m in mutants if results[m.id].status == "killed"
               and not (results[m.id].failing.get("error") or "").startswith(by_a_check)]
    if crashed:
        lines += ["", f"Killed by an error other than a failed assert ({len(crashed)}): the mistake made the "
                      "notebook crash before (or instead of) a check; look at whether a check would have caught it: "
                      + ", ".join(crashed) + "."]
    if counts["survived"]:
        lines += ["", "!" * 78, f"SURVIVED ({len(counts['survived'])}): no check of the book catches these mistakes:"]
        for mutant in mutants:
            if mutant.id in counts["survived"]:
                ran = ", ".join(_short(run["notebook"]) for run in results[mutant.id].runs)
                lines.append(f"  - {mutant.id}: {mutant.description} ({mutant.file}; passed {ran})")
        lines.append("!" * 78)
    if counts["error"]:
        lines += ["", f"ERRORS ({len(counts['error'])}): these mutants could not be judged:"]
        lines += [f"  - {mid}: {results[mid].why()}" for mid in counts["error"]]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- main


def _deadline(seconds: float | None, timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    return TIMEOUT_FACTOR * (seconds or 60.0) + TIMEOUT_SLACK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mutants.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", metavar="ID", help="run only these mutants (default: all)")
    parser.add_argument("--fast", action="store_true",
                        help="only the mutants marked fast = true, each on its listed notebooks only (for CI)")
    parser.add_argument("--list", action="store_true", help="print the mutants and exit")
    parser.add_argument("--check", action="store_true", help="check that every mutant applies, run nothing")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=None,
                        help=f"seconds allowed per notebook (default: {TIMEOUT_FACTOR:g} x its unmutated time "
                             f"+ {TIMEOUT_SLACK:g} s)")
    parser.add_argument("--mutants", type=Path, default=MUTANTS_FILE, help="the list (default tools/mutants.toml)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book to copy (default: this repository)")
    parser.add_argument("--rev", help="copy the book as committed in this git revision (e.g. HEAD) instead of the "
                                      "working tree")
    parser.add_argument("--report", type=Path, help="also write the report (Markdown) to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies (their path is printed)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    root = args.root.resolve()

    try:
        mutants = load(args.mutants)
    except MutantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    known = {m.id for m in mutants}
    unknown = [i for i in args.ids if i not in known]
    if unknown:
        parser.error(f"unknown mutant(s) {', '.join(unknown)}; see --list")
    selected = [m for m in mutants if (m.id in args.ids if args.ids else (m.fast or not args.fast))]
    if args.list:
        for m in selected:
            print(f"{m.id:34s} {m.file:32s} {'fast ' if m.fast else ''}{m.description}")
        return 0
    if not selected:
        print("no mutants selected", file=sys.stderr)
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="gmmbook-mutants-"))
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl+C: workers and kernels stop too
    pool = WorkerPool(args.jobs, workdir)
    try:
        return _run(args, root, selected, workdir, pool)
    except KeyboardInterrupt:
        pool.stop(kill=True)
        print("interrupted: workers and kernels stopped", file=sys.stderr)
        return 130
    finally:
        pool.stop()
        if args.keep:
            print(f"copies kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(args, root: Path, selected: list[Mutant], workdir: Path, pool: WorkerPool) -> int:
    start = time.monotonic()
    try:
        snapshot = make_snapshot(root, workdir / "snapshot", args.rev)
    except MutantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems, plans = [], {}
    try:
        book = chapters(snapshot)
    except Exception as exc:  # an unreadable chapter
        print(f"error: cannot read the chapters: {exc}", file=sys.stderr)
        return 1
    for mutant in selected:
        probe = workdir / "probe"
        try:
            (probe / mutant.file).parent.mkdir(parents=True, exist_ok=True)
            if (snapshot / mutant.file).is_file():
                shutil.copy2(snapshot / mutant.file, probe / mutant.file)
            apply(mutant, probe)
            plans[mutant.id] = plan(mutant, snapshot, book, fast=args.fast)
        except MutantError as exc:
            problems.append(str(exc))
        finally:
            shutil.rmtree(probe, ignore_errors=True)
    if problems:
        print("error: " + "\nerror: ".join(problems), file=sys.stderr)
        return 1
    if args.check:
        print(f"all {len(selected)} mutants apply exactly once")
        return 0

    # 1. The unmutated book, one notebook per job.
    needed = [nb for nb in book if any(nb in p for p in plans.values())]
    needed += sorted({nb for p in plans.values() for nb in p} - set(needed))
    baseline_copy = workdir / "unmutated"
    shutil.copytree(snapshot, baseline_copy)
    baseline: dict[str, float] = {}
    failures: list[str] = []
    print(f"running the unmutated book ({len(needed)} notebooks) ...", file=sys.stderr)

    def baseline_done(notebook, runs):
        run = runs[0]
        if run["outcome"] == "passed":
            baseline[notebook] = run["seconds"]
            print(f"  unmutated {_short(notebook)}: passed in {run['seconds']:.1f} s", file=sys.stderr)
        else:
            failures.append(f"{_short(notebook)}, cell {run.get('cell')}: {run.get('line') or ''} "
                            f"{run.get('error') or run['outcome']}")

    pool.map([(nb, lambda worker, nb=nb: worker.run(baseline_copy, [nb], [_deadline(None, args.timeout) * 3]))
              for nb in needed], baseline_done)
    if failures:
        message = "THE UNMUTATED BOOK FAILS, so no mutant can be judged:\n  " + "\n  ".join(failures)
        print(message)
        if args.report:
            args.report.write_text(message + "\n", encoding="utf-8")
        return 1
    baseline = {nb: baseline[nb] for nb in needed}

    # 2. The mutants.
    results: dict[str, Result] = {}
    print(f"running {len(selected)} mutants, {args.jobs} at a time ...", file=sys.stderr)

    def mutant_done(mutant_id, result: Result):
        results[mutant_id] = result
        label = {"killed": f"killed by {result.killed_by()}", "timeout": f"timed out in {result.killed_by()}",
                 "survived": "SURVIVED", "error": f"ERROR {result.why()}"}[result.status]
        print(f"  [{len(results)}/{len(selected)}] {mutant_id}: {label} ({result.seconds:.0f} s)", file=sys.stderr)

    by_id = {m.id: m for m in selected}
    pool.map([(m.id, lambda worker, m=m: run_mutant(
        m, snapshot, workdir, plans[m.id], [_deadline(baseline.get(nb), args.timeout) for nb in plans[m.id]],
        worker, keep=args.keep)) for m in selected], mutant_done)
    text = report([by_id[m.id] for m in selected], results, baseline, time.monotonic() - start, args.fast)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0 if all(results[m.id].status in ("killed", "timeout") for m in selected) else 1


if __name__ == "__main__":
    sys.exit(main())

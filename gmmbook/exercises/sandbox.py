"""Run a checker, and the student's code it calls, apart from the notebook, under a time limit.

On Linux the checker runs in a child process forked from the kernel: the child inherits the
student's functions without any pickling, and whatever the answer does there (loop forever, call
``sys.exit`` or ``os._exit``, raise ``KeyboardInterrupt``, exhaust memory, print a million lines) ends
at most the child, which is killed at the time limit.  The child reports each case as it starts
and passes, so a verdict can say which cases were already right when time ran out.  Elsewhere
(macOS, Windows: forking a process that uses the system's frameworks is not safe) the checker runs
in a thread, which is stopped between two Python bytecodes at the time limit.

The child never touches the kernel's sockets: its standard streams go to a bounded buffer, and
``input()`` and IPython's display are replaced; it may allocate ``MEMORY_LIMIT`` bytes more than
the kernel holds.  It ends with ``os._exit``, so no exit handler of the kernel runs in it.

This module also watches what the answer calls: :func:`tripwires` makes forbidden library
functions raise while the answer runs, and :func:`arbitrary_precision` reads a cProfile record of
the call for arbitrary-precision arithmetic.
"""

from __future__ import annotations

import builtins
import contextlib
import cProfile
import ctypes
import io
import os
import pickle
import re
import select
import signal
import struct
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

OUTPUT_KEPT = 2_000          # characters of the answer's own output kept for the verdict
MEMORY_LIMIT = 2 * 1024**3   # bytes a check may allocate beyond what the process already uses
_HEADER = struct.Struct("!I")


@dataclass
class Outcome:
    """What happened to one run.

    ``status`` is ``"done"`` (``result`` holds the target's return value), ``"timeout"``,
    ``"died"`` (the process ended without a result; ``detail`` says how) or ``"error"`` (the
    target itself raised; ``detail`` holds the exception's text).  ``events`` are the progress
    messages the target reported, in order; ``output`` the first characters the answer printed,
    ``output_size`` how many it printed in all.
    """

    status: str
    result: object = None
    detail: str = ""
    events: list = field(default_factory=list)
    output: str = ""
    output_size: int = 0
    seconds: float = 0.0


class _BoundedText(io.TextIOBase):
    """A text stream that keeps the first ``OUTPUT_KEPT`` characters and counts the rest.

    ``report(text, size)``, if given, hears of every change of the kept text and of every
    further megabyte, so that a run stopped at its time limit still shows what it printed.
    """

    def __init__(self, report: Callable | None = None):
        self.kept: list[str] = []
        self.size = 0
        self.report = report
        self.reported = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = OUTPUT_KEPT - min(self.size, OUTPUT_KEPT)
        if room > 0:
            self.kept.append(text[:room])
        self.size += len(text)
        if self.report is not None and (room > 0 or self.size - self.reported >= 1 << 20):
            self.reported = self.size
            self.report(self.text(), self.size)
        return len(text)

    def text(self) -> str:
        return "".join(self.kept)


def _no_input(*_args, **_kwargs):
    raise RuntimeError("input() cannot be used inside a checked function: pass values as arguments")


def use_fork() -> bool:
    """True where checks run in a forked process (Linux); elsewhere they run in a thread."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def run(target: Callable, *, time_limit: float) -> Outcome:
    """Run ``target(report)`` under ``time_limit`` seconds; ``report(message)`` records progress.

    ``message`` must be picklable.  A ``KeyboardInterrupt`` in the caller (the user pressing
    *stop*) stops the run and is raised again.
    """
    start = time.monotonic()
    outcome = (_run_forked if use_fork() else _run_threaded)(target, time_limit)
    outcome.seconds = time.monotonic() - start
    return outcome


# ---------------------------------------------------------------------------------------------- what the answer calls


# Arbitrary-precision arithmetic: mpmath's functions (which SymPy's numbers use too), decimal's elementary
# functions, and anything of gmpy2, python-flint or bigfloat.  Making such a number (sympy.Float(x)) is not arithmetic.
_MPMATH_ARITHMETIC = re.compile(r"^(python_|gmpy_)?mpf_(exp|log|pow|mul|add|sub|div|sum|expm1)")
_DECIMAL_ARITHMETIC = {"exp", "ln", "log10", "fma", "power", "__pow__", "__mul__", "__add__"}
_WIDE_BUILTIN = re.compile(r"(of '(?:decimal\.Decimal|gmpy2\.\w+|flint\.\w+)' objects>)|gmpy2\.|flint\.|bigfloat\.")


def arbitrary_precision(profiler: cProfile.Profile) -> set[str]:
    """The arbitrary-precision libraries whose arithmetic the profiled call used."""
    found = set()
    for entry in profiler.getstats():
        code = entry.code
        if isinstance(code, str):     # a built-in function or method
            if _WIDE_BUILTIN.search(code) and ("decimal" not in code or code.split("'")[1] in _DECIMAL_ARITHMETIC):
                found.add(re.search(r"decimal|gmpy2|flint|bigfloat", code).group(0))
            continue
        path = code.co_filename.replace(os.sep, "/")
        if "/mpmath/" in path and _MPMATH_ARITHMETIC.match(code.co_name):
            found.add("mpmath")
        elif path.endswith("/_pydecimal.py") and code.co_name in _DECIMAL_ARITHMETIC:
            found.add("decimal")
    return found


class Forbidden(BaseException):
    """Raised by a forbidden function called by the answer (not an Exception: the answer cannot catch it by accident)."""


TRIPPED: list = []   # the names of the forbidden functions called since the list was last emptied


def _tripped() -> Forbidden:
    """Called by a tripwire: the name of the forbidden function is the file name of its code."""
    name = sys._getframe(1).f_code.co_filename
    TRIPPED.append(name)
    return Forbidden(name)


def _tripwire(*args, **kwargs):
    raise __import__("gmmbook.exercises.sandbox", fromlist=["_tripped"])._tripped()


@contextlib.contextmanager
def tripwires(forbidden):
    """Make each forbidden function raise while the answer runs (its code swapped: every reference to it trips)."""
    saved = []
    try:
        for function, name in forbidden:
            while function is not None:
                code = getattr(function, "__code__", None)
                if code is not None and not code.co_freevars:
                    saved.append((function, code))
                    function.__code__ = _tripwire.__code__.replace(co_filename=name)
                function = getattr(function, "__wrapped__", None)
        yield
    finally:
        for function, code in saved:
            function.__code__ = code


# ---------------------------------------------------------------------------------------------- fork


def _send(fd: int, message) -> None:
    data = pickle.dumps(message)
    data = _HEADER.pack(len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = used + MEMORY_LIMIT
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        if soft == resource.RLIM_INFINITY or soft > wanted:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (OSError, ValueError, ImportError):
        pass


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this child when its parent dies (a kernel shut down mid-check)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


def _quiet_child(fd: int) -> _BoundedText:
    """Detach the child from the kernel's streams and frontends; return the buffer of its output."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # the parent handles the user's interrupt
    devnull = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        os.dup2(devnull, standard)                     # output of C code goes nowhere
    buffer = _BoundedText(lambda text, size: _send(fd, ("output", text, size)))
    sys.stdout = sys.stderr = buffer
    sys.stdin = io.StringIO()
    builtins.input = _no_input
    shell = sys.modules.get("IPython") and _ipython_shell()
    if shell is not None:                              # display() would write to the kernel's socket
        shell.display_pub.publish = lambda data, *a, **k: buffer.write(str(data.get("text/plain", "")) + "\n")
    return buffer


def _ipython_shell():
    try:
        from IPython import get_ipython

        return get_ipython()
    except Exception:
        return None


def _child(target: Callable, fd: int, parent: int) -> None:
    try:
        _die_with_parent(parent)
        buffer = _quiet_child(fd)
        _limit_memory()
        try:
            result = ("done", target(lambda message: _send(fd, ("event", message))))
        except BaseException as exc:  # the target's own failure; the checker catches the answer's
            result = ("error", f"{type(exc).__name__}: {exc}")
        _send(fd, ("output", buffer.text(), buffer.size))
        _send(fd, result)
    except BaseException:
        pass
    finally:
        os._exit(0)


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        hint = " (killed: out of memory?)" if number == signal.SIGKILL else ""
        return f"it was ended by {name}{hint}"
    if os.WIFEXITED(status):
        return f"it ended the process with exit status {os.WEXITSTATUS(status)} (os._exit?)"
    return "it ended the process"


def _run_forked(target: Callable, time_limit: float) -> Outcome:
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python >= 3.12 warns about forking threads
        pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(target, write_fd, parent)
    os.close(write_fd)
    outcome = Outcome("died")
    deadline = time.monotonic() + time_limit
    buffer = b""
    finished = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                outcome.status = "timeout"
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(buffer)
                if len(buffer) < _HEADER.size + size:
                    break
                message = pickle.loads(buffer[_HEADER.size:_HEADER.size + size])
                buffer = buffer[_HEADER.size + size:]
                kind = message[0]
                if kind == "event":
                    outcome.events.append(message[1])
                elif kind == "output":
                    outcome.output, outcome.output_size = message[1], message[2]
                elif kind == "done":
                    outcome.status, outcome.result, finished = "done", message[1], True
                else:
                    outcome.status, outcome.detail, finished = "error", message[1], True
    finally:
        os.close(read_fd)
        if not finished:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if outcome.status == "died":
        outcome.detail = _describe_exit(status)
    return outcome


# ---------------------------------------------------------------------------------------------- thread


class Stop(BaseException):
    """Raised asynchronously in a checker thread that ran out of time."""


def _run_threaded(target: Callable, time_limit: float) -> Outcome:
    outcome = Outcome("died", detail="it stopped its thread")
    buffer = _BoundedText()

    def work():
        try:
            result = target(outcome.events.append)
            outcome.status, outcome.result = "done", result
        except Stop:
            pass
        except BaseException as exc:
            outcome.status, outcome.detail = "error", f"{type(exc).__name__}: {exc}"

    saved = sys.stdout, sys.stderr, builtins.input
    sys.stdout = sys.stderr = buffer
    builtins.input = _no_input
    thread = threading.Thread(target=work, name="gmmbook-check", daemon=True)
    try:
        thread.start()
        thread.join(time_limit)
        if thread.is_alive():
            outcome.status = "timeout"
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(Stop))
            thread.join(1.0)
    finally:
        sys.stdout, sys.stderr, builtins.input = saved
    outcome.output, outcome.output_size = buffer.text(), buffer.size
    return outcome

"""A real Jupyter server, configured as `make lab` configures it, serves the book's notebooks.

With jupytext installed, the server's contents API reads ``chapters/NN_name.py`` as a notebook whose
cells are those of the .py and whose outputs are those of the paired .ipynb.  The project's
configuration (``jupyter-config/``, put on ``JUPYTER_CONFIG_PATH`` as `make lab` does) lists one
entry per notebook and no build debris, and hands out each notebook with the Python version its
kernel will report, taking it out again on save: an untouched notebook saved as is keeps its bytes.
These tests start ``python -m jupyter_server`` from this interpreter on 127.0.0.1 (a port chosen by
the OS, a random token, user configuration ignored), ask it over HTTP with the standard library
only, and always shut it down.  tests/test_browser.py drives JupyterLab itself in Chromium.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tools.notebooks import ROOT, build, sync_problem

STARTUP_TIMEOUT = 60  # seconds; the server usually answers within a few seconds
CHAPTERS = sorted((ROOT / "chapters").glob("*.py"))

# Requests go straight to 127.0.0.1, never through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Server:
    base_url: str
    token: str

    def get(self, path: str, *, token: bool = True, **params) -> tuple[int, dict]:
        """GET ``/path?params`` and return (HTTP status, decoded JSON body)."""
        query = urllib.parse.urlencode(params)
        request = urllib.request.Request(f"{self.base_url}{urllib.parse.quote(path)}?{query}")
        if token:
            request.add_header("Authorization", f"token {self.token}")
        try:
            with _OPENER.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                return error.code, json.loads(body)
            except ValueError:
                return error.code, {"message": body.decode(errors="replace")}

    def put(self, path: str, model: dict) -> tuple[int, dict]:
        """PUT a contents model to ``/path``, as JupyterLab does when the reader saves."""
        request = urllib.request.Request(f"{self.base_url}{urllib.parse.quote(path)}", method="PUT",
                                         data=json.dumps(model).encode(), headers={"Content-Type": "application/json"})
        request.add_header("Authorization", f"token {self.token}")
        try:
            with _OPENER.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, {"message": error.read().decode(errors="replace")}


@contextlib.contextmanager
def running_server(root: Path, scratch: Path):
    """Start a server with root dir ``root``; yield a Server; always stop it."""
    token = secrets.token_hex(24)
    runtime = scratch / "runtime"
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(scratch / "config"),  # no user-level configuration (~/.jupyter)
        JUPYTER_CONFIG_PATH=str(ROOT / "jupyter-config"),  # the project's, as `make lab` sets it
        JUPYTER_DATA_DIR=str(scratch / "data"),  # no user-level kernelspecs or notebook signatures
        JUPYTER_RUNTIME_DIR=str(runtime),  # server info and cookie secret stay in the scratch folder
    )
    log = open(scratch / "server.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server",
            "--no-browser",
            "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.allow_root=True",  # CI containers often run as root; harmless otherwise
            "--ServerApp.port=0",  # the OS picks a free port; the server writes it to its info file
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        server = _wait_until_up(process, runtime, token, scratch / "server.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def _wait_until_up(process, runtime: Path, token: str, log_path: Path) -> Server:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    server = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"jupyter_server exited with code {process.returncode}:\n{log_path.read_text()}")
        if server is None:
            # jpserver-<pid>.json appears once the server has bound its port.
            info = runtime / f"jpserver-{process.pid}.json"
            if info.exists():
                try:
                    data = json.loads(info.read_text())
                except ValueError:  # being written
                    data = None
                if data:
                    assert data["hostname"] == "127.0.0.1" or data["url"].startswith("http://127.0.0.1:")
                    server = Server(f"http://127.0.0.1:{data['port']}{data['base_url']}", token)
        if server is not None:
            try:
                status, _ = server.get("api/status")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = None
            if status == 200:
                return server
        time.sleep(0.2)
    pytest.fail(f"jupyter_server did not answer within {STARTUP_TIMEOUT} s:\n{log_path.read_text()}")


def _cells(cells) -> list[tuple[str, str]]:
    return [(cell["cell_type"], cell["source"]) for cell in cells]


def _outputs(cells) -> list:
    """Outputs of the code cells, as plain JSON (NotebookNode and API dicts compare equal then)."""
    return json.loads(json.dumps([cell.get("outputs") for cell in cells if cell["cell_type"] == "code"]))


def _assert_opens_as_the_ipynb(server: Server, py_relative: str, ipynb: Path) -> dict:
    assert ipynb.exists(), f"{py_relative} has no paired .ipynb (run: python tools/notebooks.py build {py_relative})"
    status, model = server.get(f"api/contents/{py_relative}", type="notebook", content=1)
    assert status == 200, f"GET {py_relative} as a notebook: HTTP {status}: {model.get('message')}"
    assert model["type"] == "notebook" and model["format"] == "json"
    expected = nbformat.read(ipynb, as_version=4)
    notebook = model["content"]
    assert _cells(notebook["cells"]) == _cells(expected.cells)
    assert _outputs(notebook["cells"]) == _outputs(expected.cells)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    return notebook


# ------------------------------------------------------------------------------ a temporary pair

SMALL = '''\
# %% [markdown]
# # A small pair

# %%
print(sum(range(4)))

# %% tags=["raises-exception"]
raise ValueError("on purpose")
'''


# Folders and files that builds and tests leave in a working copy, none of which a reader should see.
DEBRIS = ("gmmbook.egg-info", "__pycache__", "_build", ".venv", ".pytest_cache", ".ipynb_checkpoints")


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    """(server, root): a server whose root is a scratch folder holding two pairs built by the tool
    (``small``, which tests edit, and ``untouched``, which they only open and save), a lone module
    and build debris."""
    root = tmp_path_factory.mktemp("root")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")  # the project's [tool.jupytext]
    for name in ("small", "untouched"):
        (root / f"{name}.py").write_text(SMALL)
        build(root / f"{name}.py")
        # As after a build or a git checkout: the .ipynb is newer than the .py by more than jupytext's margin.
        stamp = (root / f"{name}.py").stat().st_mtime
        os.utime(root / f"{name}.ipynb", (stamp + 60, stamp + 60))
    (root / "helper.py").write_text("VALUE = 1\n")  # a module with no paired notebook
    for name in DEBRIS:
        (root / name).mkdir()
    with running_server(root, tmp_path_factory.mktemp("scratch")) as server:
        yield server, root


def _listing(server: Server, folder: str) -> set[str]:
    status, model = server.get(f"api/contents/{folder}", content=1)
    assert status == 200, model.get("message")
    return {entry["name"] for entry in model["content"]}


def test_listing_shows_one_entry_per_notebook_and_no_debris(small_server):
    """The .py twin of each pair is not listed (a reader opens the .ipynb); a lone .py is."""
    server, _ = small_server
    assert _listing(server, "") == {"small.ipynb", "untouched.ipynb", "helper.py", "pyproject.toml"}


def _kernel_language_info() -> dict:
    """What this interpreter's ipykernel reports in kernel_info (the kernel `make lab` starts)."""
    from ipykernel.ipkernel import IPythonKernel

    return IPythonKernel.language_info


@pytest.mark.parametrize("opened", ["untouched.ipynb", "untouched.py"])
def test_an_untouched_notebook_opens_as_the_kernel_reports_and_saves_unchanged(small_server, opened):
    """JupyterLab sets metadata.language_info to what the kernel reports (with this interpreter's
    version, 3.11.7 or 3.11.2) and marks the notebook modified if that changes anything.  The
    server hands it out already so; saving the unchanged model writes back the committed bytes."""
    server, root = small_server
    before = {name: (root / name).read_bytes() for name in ("untouched.py", "untouched.ipynb")}
    status, model = server.get(f"api/contents/{opened}", type="notebook", content=1)
    assert status == 200, model.get("message")
    assert model["content"]["metadata"]["language_info"] == _kernel_language_info()
    status, saved = server.put(f"api/contents/{opened}", {"type": "notebook", "format": "json",
                                                          "content": model["content"]})
    assert status == 200, saved.get("message")
    after = {name: (root / name).read_bytes() for name in before}
    assert after == before, "saving an unchanged notebook changed " + ", ".join(
        name for name in before if after[name] != before[name])


def test_server_opens_a_small_pair_as_a_notebook(small_server):
    server, root = small_server
    notebook = _assert_opens_as_the_ipynb(server, "small.py", root / "small.ipynb")
    assert notebook["cells"][1]["outputs"][0]["text"] == "6\n"
    assert notebook["cells"][2]["metadata"]["tags"] == ["raises-exception"]


@pytest.mark.parametrize("opened", ["small.py", "small.ipynb"])
def test_saving_from_the_server_writes_both_files_in_sync(small_server, opened):
    """A reader opens either file of the pair, edits a cell and saves: both files change, still in sync."""
    server, root = small_server
    status, model = server.get(f"api/contents/{opened}", type="notebook", content=1)
    assert status == 200, model.get("message")
    notebook = model["content"]
    edited = f"print(sum(range(5)))  # edited through {opened}"
    notebook["cells"][1]["source"] = edited
    status, saved = server.put(f"api/contents/{opened}", {"type": "notebook", "format": "json", "content": notebook})
    assert status == 200, saved.get("message")
    assert edited in (root / "small.py").read_text()
    assert edited in (root / "small.ipynb").read_text()
    assert sync_problem(root / "small.py") is None
    assert not (root / "small.py").read_text().startswith("# ---"), "saving added a jupytext header to the .py"


def test_server_requires_the_token(small_server):
    server, _ = small_server
    status, _ = server.get("api/contents/small.py", token=False, type="notebook", content=0)
    assert status == 403


# ------------------------------------------------------------------------------ the book's chapters


@pytest.fixture(scope="module")
def book_server(tmp_path_factory):
    """A server whose root dir is the repository, as `make lab` starts it."""
    with running_server(ROOT, tmp_path_factory.mktemp("scratch")) as server:
        yield server


@pytest.mark.parametrize("py", CHAPTERS, ids=lambda path: path.name)
def test_server_opens_chapter_py_as_its_notebook(book_server, py):
    _assert_opens_as_the_ipynb(book_server, f"chapters/{py.name}", py.with_suffix(".ipynb"))


@pytest.mark.parametrize("folder", ["chapters", "exercises", "exercises/solutions"])
def test_book_folders_list_each_notebook_once(book_server, folder):
    """A reader sees NN_name.ipynb, never its NN_name.py twin beside it."""
    listed = _listing(book_server, folder)
    notebooks = {path.name for path in (ROOT / folder).glob("*.ipynb")}
    assert notebooks, f"no notebooks in {folder}/"
    assert notebooks <= listed
    twins = {name for name in listed if name.endswith(".py") and name[: -len(".py")] + ".ipynb" in notebooks}
    assert not twins, f"{folder}/: the .py twins {sorted(twins)} are listed beside their notebooks"


def test_library_modules_stay_listed(book_server):
    """Only the twin of a notebook is hidden: gmmbook's modules are listed."""
    modules = {path.name for path in (ROOT / "gmmbook").glob("*.py")}
    assert modules and modules <= _listing(book_server, "gmmbook")


def test_the_log_filter_drops_only_the_harmless_messages():
    """The server's log filter (jupyter-config) drops each message listed as harmless, on the loggers it
    names, and lets every other warning through: a filter that dropped everything would pass the
    browser test's "quiet terminal" check while hiding real problems."""
    import logging
    import runpy

    from traitlets.config import Config

    config = runpy.run_path(str(ROOT / "jupyter-config" / "jupyter_server_config.py"),
                            init_globals={"get_config": Config})
    harmless = config["_HARMLESS"]
    assert "Got events for closed stream" in harmless

    def passes(logger_name, message):
        record = logging.LogRecord(logger_name, logging.WARNING, __file__, 0, message, None, None)
        return all(f.filter(record) for f in logging.getLogger(logger_name).filters)

    try:
        for logger_name in ("ServerApp", "tornado.general"):
            for text in harmless:
                assert not passes(logger_name, f"[W] something {text} something"), (logger_name, text)
            assert passes(logger_name, "Kernel died unexpectedly")
            assert passes(logger_name, "Error opening stream: HTTP 404")
    finally:   # the config attached its filter to this process's loggers: take it off again
        for logger_name in ("ServerApp", "LabApp", "tornado.general", "tornado.application"):
            logger = logging.getLogger(logger_name)
            for f in [f for f in logger.filters if type(f).__name__ == "_DropHarmless"]:
                logger.removeFilter(f)

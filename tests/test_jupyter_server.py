"""A real Jupyter server (the one `make lab` starts) opens each chapter's .py as a notebook.

With jupytext installed, the server's contents API reads ``chapters/NN_name.py`` as a notebook whose
cells are those of the .py and whose outputs are those of the paired .ipynb.  These tests start
``python -m jupyter_server`` from this interpreter on 127.0.0.1 (a port chosen by the OS, a random
token, user configuration ignored), ask it over HTTP with the standard library only, and always
shut it down.
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


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    """(server, root): a server whose root is a scratch folder holding one pair built by the tool."""
    root = tmp_path_factory.mktemp("root")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")  # the project's [tool.jupytext]
    (root / "small.py").write_text(SMALL)
    build(root / "small.py")
    # As after a build or a git checkout: the .ipynb is newer than the .py by more than jupytext's margin.
    stamp = (root / "small.py").stat().st_mtime
    os.utime(root / "small.ipynb", (stamp + 60, stamp + 60))
    with running_server(root, tmp_path_factory.mktemp("scratch")) as server:
        yield server, root


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

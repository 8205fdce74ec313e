"""Binder (repo2docker) builds the book from binder/ and opens it as the README promises: an emulation.

There is no Docker here, so the build is emulated, step for step as repo2docker's Dockerfile does it:

1. ``repo2docker --no-build --no-run --debug .`` (the real tool, from PyPI) prints the Dockerfile it
   would build: Python 3.11, ``pip install -r binder/requirements.txt``, ``binder/postBuild``,
   ``binder/start``.
2. Binder's own Jupyter stack (JupyterLab, notebook, ipykernel, jupyterhub, ...) goes into a fresh venv
   at the versions of the conda lock file that this repo2docker release builds its images from.
3. ``binder/requirements.txt`` is installed on top, from the repository root (where repo2docker runs
   it), then ``pip check`` must be clean and ``binder/postBuild`` runs with a scratch home directory.
4. The chapters pass nbval with their kernel in that environment.
5. JupyterLab started through ``binder/start`` serves chapter 01's .py as a notebook, opens .py files
   as notebooks by default (postBuild's setting), and answers at the URL the README's Binder link opens.

Slow (10-20 minutes on 2 cores: two venvs, the Jupyter stack and the scientific stack, every chapter):
it runs with ``make binder-check`` (GMMBOOK_BINDER_CHECK=1); ``make test`` skips it with one line and runs
tests/test_binder.py, the quick check of binder/'s files.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_binder import normalise, pins

ROOT = Path(__file__).resolve().parent.parent
REPO2DOCKER = "jupyter-repo2docker==2026.4.0"  # the release whose Jupyter stack we emulate
# conda-forge names of Binder's stack whose PyPI distribution has another name (None: not on PyPI)
CONDA_TO_PYPI = {"brotli-python": "brotli", "python-fastjsonschema": "fastjsonschema",
                 "jupyterhub-base": "jupyterhub", "nbconvert-core": "nbconvert", "pip": None,
                 "setuptools": None, "wheel": None}
# What repo2docker's environment.yml asks for (jupyterhub-singleuser is jupyterhub's on PyPI).
BINDER_TOP_LEVEL = ["jupyterlab", "notebook", "jupyter_server", "ipywidgets", "ipykernel",
                    "jupyter-resource-usage", "jupyter-offlinenotebook", "jupyterhub"]

if os.environ.get("GMMBOOK_BINDER_CHECK") != "1":
    pytest.skip("the Binder emulation is slow (10-20 minutes): run `make binder-check`", allow_module_level=True)

# Binder's Jupyter server stack, which binder/requirements.txt must leave as it is.
BINDER_SERVER = ("jupyterlab", "notebook", "jupyter-server", "jupyterlab-server", "jupyterhub", "nbformat",
                 "jupyter-core", "traitlets", "ipywidgets")


PYTHON311 = shutil.which("python3.11") or (sys.executable if sys.version_info[:2] == (3, 11) else None)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def run(*command, cwd=ROOT, env=None, timeout=1200, stderr=False) -> str:
    """Run a command; fail with its output if it fails; return its stdout (and stderr, if asked)."""
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    shown = " ".join(map(str, command))
    assert result.returncode == 0, f"{shown} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout + (result.stderr if stderr else "")


def conda_lock_pins(lock: Path) -> dict[str, str]:
    """PyPI name -> version of every Python package in repo2docker's conda lock file."""
    pins = {}
    for match in re.finditer(r"/(?:noarch|linux-64)/([^/#\s]+?)\.(?:conda|tar\.bz2)", lock.read_text()):
        name, version, build = match.group(1).rsplit("-", 2)
        if not build.startswith("py"):
            continue  # not a Python package (libraries, python itself, metapackages)
        name = CONDA_TO_PYPI.get(name, name)
        if name:
            pins[name] = version
    return pins


@pytest.fixture(scope="module")
def repo2docker(tmp_path_factory) -> Path:
    """A venv with repo2docker; returns its site-packages folder of repo2docker."""
    assert PYTHON311, "the Binder emulation needs Python 3.11 (binder/runtime.txt)"
    venv = tmp_path_factory.mktemp("r2d") / "venv"
    run(PYTHON311, "-m", "venv", venv)
    run(venv / "bin" / "pip", "install", "--quiet", REPO2DOCKER)
    return venv


def test_repo2docker_reads_binder_folder(repo2docker):
    """What repo2docker would build from this repository: the files in binder/, Python 3.11."""
    dockerfile = run(repo2docker / "bin" / "repo2docker", "--no-build", "--no-run", "--debug", ".", timeout=300,
                     stderr=True)  # its log says which Python it chose
    assert "Building conda environment for python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    # the only pip install is binder/'s: no fallback to an unpinned `pip install .` of the root
    assert [line.split("pip ", 1)[1] for line in dockerfile.splitlines() if "/bin/pip install" in line] == [
        'install --no-cache-dir -r "binder/requirements.txt"']


@pytest.fixture(scope="module")
def binder_env(repo2docker, tmp_path_factory) -> dict:
    """Binder's Jupyter stack in a fresh venv, then binder/requirements.txt and postBuild, as in the image."""
    lock = next((repo2docker / "lib").glob("python3.*/site-packages/repo2docker/buildpacks/conda/"
                                           "environment.py-3.11-linux-64.lock"))
    pins = conda_lock_pins(lock)
    assert {"jupyterlab", "notebook", "ipykernel"} <= set(pins), "repo2docker's lock file changed layout"
    scratch = tmp_path_factory.mktemp("binder")
    stack = scratch / "binder-stack-constraints.txt"
    stack.write_text("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
    venv = scratch / "srv-conda"
    run(PYTHON311, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    run(pip, "install", "--quiet", "-c", stack, *BINDER_TOP_LEVEL)
    before = json.loads(run(pip, "list", "--format", "json"))
    run(pip, "install", "--quiet", "--no-cache-dir", "-r", "binder/requirements.txt")  # from the repository root
    after = json.loads(run(pip, "list", "--format", "json"))
    home = scratch / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), PATH=f"{venv / 'bin'}:{os.environ['PATH']}",
               JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
               JUPYTER_RUNTIME_DIR=str(scratch / "runtime"))
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    run(ROOT / "binder" / "postBuild", env=env)
    return {"venv": venv, "env": env, "pins": pins, "scratch": scratch,
            "before": {normalise(p["name"]): p["version"] for p in before},
            "after": {normalise(p["name"]): p["version"] for p in after}}


def test_pip_check_is_clean(binder_env):
    """Nothing installed on top breaks Binder's stack (e.g. notebook 7.4 requires jupyterlab < 4.5)."""
    result = subprocess.run([binder_env["venv"] / "bin" / "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_binder_keeps_its_jupyter_stack_and_gets_the_books_pins(binder_env):
    before, after = binder_env["before"], binder_env["after"]
    for name in BINDER_SERVER:
        assert after[name] == before[name], f"binder/requirements.txt moved Binder's {name}"
    assert before["jupyterlab"] == binder_env["pins"]["jupyterlab"]
    for name, version in pins(ROOT / "binder" / "requirements.txt").items():
        assert after[name] == version, f"{name}: Binder gets {after[name]}, binder/requirements.txt pins {version}"
    assert "gmmbook" in after


def test_chapters_pass_nbval_in_the_binder_environment(binder_env, tmp_path):
    """Every chapter re-executed by a kernel running in Binder's environment prints what is committed."""
    kernels = tmp_path / "jupyter" / "kernels" / "binder-emulation"
    kernels.mkdir(parents=True)
    python = binder_env["venv"] / "bin" / "python"
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Binder emulation", "language": "python",
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}}))
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "jupyter"))
    chapters = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "chapters").glob("*.ipynb"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "-n", "2", "--dist", "loadfile",  # the cells of one notebook stay on one worker: one kernel
         "--nbval", "--nbval-kernel-name", "binder-emulation",
         "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", *chapters],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with _NO_PROXY.open(request, timeout=30) as response:
        return response.status, response.read()


def test_jupyterlab_opens_the_py_files_as_notebooks(binder_env):
    """JupyterLab as Binder starts it (through binder/start): chapter 01's .py is a notebook."""
    port, token = _free_port(), secrets.token_hex(16)
    venv, env = binder_env["venv"], binder_env["env"]
    log = binder_env["scratch"] / "lab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [ROOT / "binder" / "start", venv / "bin" / "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}"]
            + (["--allow-root"] if os.getuid() == 0 else []),
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, log.read_text()[-3000:]
                time.sleep(0.5)
        status, body = _get(f"{base}/api/contents/chapters/01_mixtures.py?type=notebook&content=1", token)
        model = json.loads(body)
        assert status == 200 and model["type"] == "notebook"
        assert any(cell.get("outputs") for cell in model["content"]["cells"]), "outputs of the paired .ipynb"
        # postBuild's jupytext-config writes labconfig/default_setting_overrides.json: the default of the
        # setting, unless the reader changes it
        status, body = _get(f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin", token)
        settings = json.loads(body)
        viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
        viewers.update(settings["settings"].get("defaultViewers", {}))
        assert viewers.get("python") == "Jupytext Notebook", settings["schema"]["properties"]["defaultViewers"]
        status, page = _get(f"{base}/lab/tree/chapters/01_mixtures.ipynb", token)  # the README's Binder link
        assert status == 200 and b"JupyterLab" in page
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

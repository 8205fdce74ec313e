"""JupyterLab as the book opens it.

`make lab` and tests/test_browser.py put this folder first on ``JUPYTER_CONFIG_PATH``, so the server
reads this file and JupyterLab reads ``labconfig/default_setting_overrides.json`` (no Jupyter news,
no update check).  The reader's own Jupyter configuration is not changed, and their ``~/.jupyter``
settings still apply on top (JupyterLab keeps its usual state there: open tabs in ``lab/workspaces``).

What a reader gets:

* The URL the server prints opens chapter 01 (``LabApp.default_url``), not the Launcher.
* One entry per notebook in the file browser: a notebook's ``.py`` twin (jupytext pairing, see
  ``[tool.jupytext]`` in pyproject.toml) is not listed beside its ``.ipynb``; build debris is not
  listed either.  Opening and saving the ``.ipynb`` still writes both files, in sync.
* Opening a notebook and closing it unchanged marks nothing as modified, and saving it unchanged
  rewrites the same bytes.  The book's notebooks are committed without the Python version in
  ``language_info`` (it differs from machine to machine: 3.11.7 here, 3.11.2 on Debian 12), while
  the kernel reports it and JupyterLab marks the notebook modified as soon as the two differ.  So the
  server hands JupyterLab each notebook with this interpreter's version filled in (what the kernel
  will report), and takes the version out again when it saves.
* A quiet terminal: the server logs warnings and errors only, kernels talk to the server over
  CurveZMQ-encrypted sockets (ipykernel warns at every kernel start otherwise), and messages
  that need no action from a reader are dropped (see ``_HARMLESS``).
"""

from __future__ import annotations

import copy
import functools
import logging

from jupytext import AsyncTextFileContentsManager

c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file

# --------------------------------------------------------------------------------------- where we land

c.LabApp.default_url = "/lab/tree/chapters/01_mixtures.ipynb"

# --------------------------------------------------------------------------------------- the file browser

# Names never listed (jupyter_server's defaults, then the project's build and test debris).  Names
# starting with a dot (.venv, .pytest_cache, .ipynb_checkpoints, ...) are hidden by the server anyway;
# they are listed here too in case a reader allows hidden files.
c.ContentsManager.hide_globs = [
    "__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*.so", "*.dylib", "*~",
    "*.egg-info", ".venv*", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints", "build", "dist",
    "result_images", "*-failed-diff.png", "_build",
]


@functools.cache
def kernel_language_info() -> dict:
    """The ``language_info`` that this interpreter's ipykernel reports, Python version included.

    `make lab` starts kernels with the venv's ``python3`` kernelspec, which runs this interpreter.
    """
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def with_kernel_version(metadata: dict) -> dict:
    """``metadata`` with the kernel's Python version added to a versionless, otherwise identical
    ``language_info`` (what JupyterLab would otherwise add, marking the notebook modified)."""
    reported = kernel_language_info()
    stored = metadata.get("language_info")
    if isinstance(stored, dict) and "version" not in stored and stored == _without_version(reported):
        metadata = {**metadata, "language_info": copy.deepcopy(reported)}
    return metadata


def without_kernel_version(metadata: dict) -> dict:
    """``metadata`` without the Python version, when it is exactly the one this kernel reports."""
    stored = metadata.get("language_info")
    if isinstance(stored, dict) and stored == kernel_language_info():
        metadata = {**metadata, "language_info": _without_version(stored)}
    return metadata


def _without_version(language_info: dict) -> dict:
    return {key: value for key, value in language_info.items() if key != "version"}


def _paired_py(entry: dict, names: set[str]) -> bool:
    """True for ``NAME.py`` listed beside ``NAME.ipynb``: the text twin of a paired notebook."""
    name = entry["name"]
    return entry["type"] != "directory" and name.endswith(".py") and name[: -len(".py")] + ".ipynb" in names


class BookContentsManager(AsyncTextFileContentsManager):
    """Jupytext's contents manager (paired .py/.ipynb), plus what the module docstring says.

    Being a jupytext contents manager already, it is kept as is by jupytext's server extension.
    """

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model["type"] == "directory":
            names = {entry["name"] for entry in model["content"]}
            model["content"] = [entry for entry in model["content"] if not _paired_py(entry, names)]
        elif content and model["type"] == "notebook":
            notebook = model["content"]
            notebook["metadata"] = with_kernel_version(dict(notebook.get("metadata", {})))
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            notebook = dict(model["content"])
            notebook["metadata"] = without_kernel_version(dict(notebook.get("metadata", {})))
            model = {**model, "content": notebook}
        return await super().save(model, path)


c.ServerApp.contents_manager_class = BookContentsManager

# --------------------------------------------------------------------------------------- the terminal

c.ServerApp.log_level = "WARN"
c.LabApp.log_level = "WARN"
# ipykernel >= 7.3 warns at every start that it "is running over TCP without encryption": give each
# kernel CurveZMQ keys (its kernelspec declares support; a kernel that does not gets plain TCP).
c.KernelManager.transport_encryption = "auto"

_HARMLESS = (
    # Every notebook that this machine has not signed yet, on open and on save.  "Not trusted" only
    # means that HTML and JavaScript outputs are sanitised until the cells are run; the book's outputs
    # are text, tables and PNG figures.
    "is not trusted",
    # jupytext, on every save: the .py of a pair is meant to carry no notebook metadata
    # (notebook_metadata_filter = "-all" in pyproject.toml).
    "as 'Include Metadata' is off",
    # jupytext, when the .ipynb of a pair is newer than its .py (after a rebuild, or a checkout) but
    # their inputs are the same, as they should be.  When the inputs differ, the server refuses to
    # open the notebook and the browser shows the whole message, with the differences.
    "so the mismatch in timestamps was ignored",
    ") is more recent than ",
    # On a machine without a desktop browser; the address to open is printed just below it.
    "No web browser found",
    # Once per server: jupyter_server's 90 s websocket ping timeout is longer than tornado >= 6.5
    # accepts; tornado uses the ping interval instead.  Nothing to do for a reader.
    "cannot be longer than the websocket_ping_interval",
    # When a kernel shuts down (a notebook closed, the server stopped), a message of the kernel can
    # arrive on a ZMQ stream the server has just closed; pyzmq drops it and says so.  Nothing is
    # lost: the kernel is gone.  Seen once in seven runs of the browser tests on this machine.
    "Got events for closed stream",
)


class _DropHarmless(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(text in message for text in _HARMLESS)


# This file may be loaded more than once in a process: add the filter once per logger.
for _logger in map(logging.getLogger, ("ServerApp", "LabApp", "tornado.general", "tornado.application")):
    if not any(type(existing).__name__ == "_DropHarmless" for existing in _logger.filters):
        _logger.addFilter(_DropHarmless())

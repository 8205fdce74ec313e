"""The book's notebook pairs are in sync and fully executed; tools/notebooks.py does what it says.

The first tests run over the real pairs of the book (``chapters/``, ``exercises/``,
``exercises/solutions/``).  The others exercise the tool on a small pair written to a temporary
folder, with the project's own jupytext configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext import TextFileContentsManager
from jupytext.config import load_jupytext_config

from tools.notebooks import (
    KERNELSPEC,
    LANGUAGE_INFO,
    ROOT,
    SOURCE_GLOBS,
    NotebookError,
    build,
    check,
    discover,
    execution_problems,
    main,
    sync_problem,
)

# ------------------------------------------------------------------------------ the book's pairs


def _book_files(suffix: str) -> list[Path]:
    return sorted(path for pattern in SOURCE_GLOBS for path in ROOT.glob(pattern.replace(".py", suffix)))


# Every pair, whichever of its two files exists (an .ipynb without its .py must fail too).
BOOK_PAIRS = sorted({path.with_suffix(".py") for path in _book_files(".py") + _book_files(".ipynb")})
BOOK_NOTEBOOKS = _book_files(".ipynb")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_book_has_chapters():
    """The globs find the chapters, so the parametrized tests below are not vacuous."""
    chapters = [path for path in discover() if path.parent.name == "chapters"]
    assert chapters, f"no chapters/*.py under {ROOT}"


@pytest.mark.parametrize("py", BOOK_PAIRS, ids=_rel)
def test_book_pair_is_in_sync(py):
    problem = sync_problem(py)
    assert problem is None, f"{problem}\nrun: python tools/notebooks.py build {_rel(py)}"


@pytest.mark.parametrize("ipynb", BOOK_NOTEBOOKS, ids=_rel)
def test_book_notebook_is_fully_executed(ipynb):
    """nbval does not compare cells whose execution_count is null: a committed notebook must be executed."""
    problems = execution_problems(ipynb)
    assert not problems, "\n".join(problems)


# What JupyterLab writes into a notebook when its kernel starts: metadata.kernelspec from the kernelspec
# (name, display_name, language) and metadata.language_info from the kernel's kernel_info reply.  If
# the committed notebooks carried anything else, every notebook would be marked modified on opening.
# The Python version is the one exception: the kernels of two interpreters report 3.11.7 and 3.11.2,
# so it is left out of the files and added by the server `make lab` starts (jupyter-config/).


def test_language_info_is_what_the_kernel_reports_less_the_python_version():
    from ipykernel.ipkernel import IPythonKernel

    reported = dict(IPythonKernel.language_info)
    assert reported.pop("version") == sys.version.split()[0] and "version" not in LANGUAGE_INFO
    assert LANGUAGE_INFO == reported


def test_kernelspec_is_what_jupyterlab_writes_for_the_python3_kernel():
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    assert KERNELSPEC == {"name": "python3", "display_name": spec["display_name"], "language": spec["language"]}


@pytest.mark.parametrize("ipynb", BOOK_NOTEBOOKS, ids=_rel)
def test_book_notebook_carries_the_metadata_jupyterlab_writes(ipynb):
    metadata = nbformat.read(ipynb, as_version=4).metadata
    assert metadata.get("kernelspec") == KERNELSPEC, f"{_rel(ipynb)}: rebuild it with tools/notebooks.py"
    assert metadata.get("language_info") == LANGUAGE_INFO, f"{_rel(ipynb)}: rebuild it with tools/notebooks.py"


# ------------------------------------------------------------------------------ the tool, on a small pair

SOURCE = '''\
# %% [markdown]
# # A small notebook
# It reads a file of its folder, prints, displays a value and raises on purpose.

# %%
import numpy as np

values = np.arange(4)
print(open("marker.txt").read().strip(), values.sum())

# %% tags=["raises-exception"]
raise ValueError("on purpose")

# %%
values * 2
'''


def _write_project(folder: Path, source: str = SOURCE) -> Path:
    """A pair's .py, a data file, and the repository's [tool.jupytext] configuration in ``folder``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["jupytext"]
    lines = ["[tool.jupytext]"] + [f'{key} = "{value}"' for key, value in config.items()]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n")
    (folder / "marker.txt").write_text("marker\n")
    py = folder / "small.py"
    py.write_text(source)
    return py


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A pair built once by the tool (no .ipynb existed before); tests copy it, never change it."""
    folder = tmp_path_factory.mktemp("built")
    py = _write_project(folder)
    build(py)
    return folder


@pytest.fixture
def pair(built, tmp_path):
    """A private copy of the built pair: returns (py, ipynb)."""
    for name in ("pyproject.toml", "marker.txt", "small.py", "small.ipynb"):
        shutil.copy2(built / name, tmp_path / name)
    return tmp_path / "small.py", tmp_path / "small.ipynb"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_build_executes_every_cell_in_the_notebook_folder(pair, monkeypatch):
    py, ipynb = pair
    monkeypatch.chdir(ROOT)  # not the notebook's folder: the kernel must still find marker.txt
    nb = nbformat.read(ipynb, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2, 3]
    assert code[0].outputs == [{"name": "stdout", "output_type": "stream", "text": "marker 6\n"}]
    assert code[1].outputs[0]["output_type"] == "error" and code[1].outputs[0]["ename"] == "ValueError"
    assert code[2].outputs[0]["data"]["text/plain"] == "array([0, 2, 4, 6])"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["language_info"]["name"] == "python"
    assert all("execution" not in cell.metadata for cell in code)  # record_timing=False
    assert check(py) == []
    assert main(["check", str(py)]) == 0


def test_build_refreshes_outputs_from_the_py(pair):
    """Outputs are fresh, not merged back from the old .ipynb (the pitfall of jupytext --update)."""
    py, ipynb = pair
    _edit(py, "values = np.arange(4)", "values = np.arange(5)")
    build(py)
    nb = nbformat.read(ipynb, as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "marker 10\n"
    assert nb.cells[3].outputs[0]["data"]["text/plain"] == "array([0, 2, 4, 6, 8])"


def test_build_keeps_cell_ids(pair):
    py, ipynb = pair
    nb = nbformat.read(ipynb, as_version=4)
    chosen = ["intro-md", "load-code", "raise-code", "double-code"]
    for cell, cell_id in zip(nb.cells, chosen):
        cell["id"] = cell_id
    nbformat.write(nb, ipynb)
    # Edit one cell and insert a new one before the last: the others keep their ids, the edited one too.
    _edit(py, "raise ValueError(\"on purpose\")", "raise ValueError(\"still on purpose\")")
    _edit(py, "# %%\nvalues * 2", "# %%\nprint('new cell')\n\n# %%\nvalues * 2")
    build(py)
    ids = [cell["id"] for cell in nbformat.read(ipynb, as_version=4).cells]
    assert ids[:3] == chosen[:3] and ids[4] == chosen[3]
    assert ids[3] not in chosen and len(set(ids)) == 5


def test_build_is_byte_deterministic(built, pair):
    """Two builds in a row give the same bytes; so does a build from the .py alone (ids from content)."""
    py, ipynb = pair
    first = (built / "small.ipynb").read_bytes()
    build(py)
    assert ipynb.read_bytes() == first
    ipynb.unlink()
    build(py)
    assert ipynb.read_bytes() == first


def test_build_ignores_timestamps(pair):
    """An edited .py wins even when it is older than the .ipynb (jupytext --sync would keep the .ipynb)."""
    py, ipynb = pair
    _edit(py, "values * 2", "values * 3")
    os.utime(py, (1_000_000_000, 1_000_000_000))  # 2001, far older than the .ipynb
    assert "cell 4" in sync_problem(py)
    build(py)
    assert nbformat.read(ipynb, as_version=4).cells[3].outputs[0]["data"]["text/plain"] == "array([0, 3, 6, 9])"
    assert check(py) == []


def test_check_names_the_first_edited_cell(pair, capsys):
    py, _ = pair
    _edit(py, "values * 2", "values * 2 + 1")
    problem = sync_problem(py)
    assert problem is not None
    assert "small.py" in problem and "cell 4" in problem and "source differs" in problem
    assert main(["check", str(py)]) == 1
    assert "cell 4" in capsys.readouterr().err


def test_check_sees_an_edited_tag(pair):
    py, _ = pair
    _edit(py, '# %% tags=["raises-exception"]', '# %% tags=["raises-exception", "extra"]')
    problem = sync_problem(py)
    assert problem is not None and "cell 3" in problem and "tags differ" in problem


def test_check_sees_added_and_removed_cells(pair):
    py, _ = pair
    py.write_text(SOURCE + "\n# %%\nprint('one more')\n")
    assert "lacks cell 5" in sync_problem(py)
    py.write_text(SOURCE.split("# %% tags")[0])
    assert "extra cell 3" in sync_problem(py)


def test_check_fails_when_the_ipynb_lacks_the_metadata_filters(pair):
    """Without them JupyterLab refuses to open the .py of a freshly built pair (see test_jupyter_server)."""
    py, ipynb = pair
    nb = nbformat.read(ipynb, as_version=4)
    assert nb.metadata["jupytext"] == {"cell_metadata_filter": "tags,-all", "notebook_metadata_filter": "-all"}
    del nb.metadata["jupytext"]
    nbformat.write(nb, ipynb)
    problem = sync_problem(py)
    assert problem is not None and "jupytext filters" in problem


def test_check_fails_without_the_ipynb(tmp_path):
    py = _write_project(tmp_path)
    problems = check(py)
    assert len(problems) == 1 and "has no paired small.ipynb" in problems[0]
    assert main(["check", str(py)]) == 1


def test_check_fails_on_an_unexecuted_cell(pair):
    py, ipynb = pair
    nb = nbformat.read(ipynb, as_version=4)
    nb.cells[3].execution_count = None
    nb.cells[3].outputs = []
    nbformat.write(nb, ipynb)
    assert sync_problem(py) is None
    problems = check(py)
    assert len(problems) == 1 and "cell 4" in problems[0] and "never executed" in problems[0]


def test_check_fails_on_an_error_output_without_the_tag(pair):
    py, ipynb = pair
    nb = nbformat.read(ipynb, as_version=4)
    nb.cells[3].outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=[])]
    nbformat.write(nb, ipynb)
    problems = check(py)
    assert len(problems) == 1 and "cell 4" in problems[0] and "error output" in problems[0]


def test_build_fails_naming_the_cell_that_raises(tmp_path, capsys):
    py = _write_project(tmp_path, SOURCE.replace("values * 2", "undefined_name * 2"))
    with pytest.raises(NotebookError, match=r"small\.ipynb: cell 4 \(code: 'undefined_name \* 2'\)") as info:
        build(py)
    assert "NameError" in str(info.value)
    assert not py.with_suffix(".ipynb").exists()  # nothing half-built is written
    assert main(["build", str(py)]) == 1
    assert "cell 4" in capsys.readouterr().err


def test_build_fails_when_a_tagged_cell_does_not_raise(tmp_path):
    py = _write_project(tmp_path, SOURCE.replace('raise ValueError("on purpose")', "1 + 1"))
    with pytest.raises(NotebookError, match="cell 3 .* tagged raises-exception but did not raise"):
        build(py)


def test_build_runs_this_interpreter_whatever_the_user_kernelspecs(tmp_path, monkeypatch):
    """A user-level "python3" kernelspec must not take over the build (it might run another Python).

    The planted kernelspec works (a broken one would make nbclient hang) but marks its kernel.
    """
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    planted = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "planted",
        "language": "python",
        "env": {"PLANTED_KERNELSPEC": "used"},
    }
    (spec / "kernel.json").write_text(json.dumps(planted))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))  # searched before every other data dir
    source = '# %%\nimport os, sys\nprint(sys.executable)\nprint(os.environ.get("PLANTED_KERNELSPEC", "not used"))\n'
    py = _write_project(tmp_path, source)
    build(py)
    output = nbformat.read(py.with_suffix(".ipynb"), as_version=4).cells[0].outputs[0]["text"]
    assert output == f"{sys.executable}\nnot used\n"


def test_tags_survive_the_round_trip(pair):
    """.py -> .ipynb -> .py gives back the same text: tags kept, no jupytext header added."""
    py, ipynb = pair
    nb = jupytext.read(ipynb)
    assert nb.cells[2].metadata["tags"] == ["raises-exception"]
    text = jupytext.writes(nb, fmt="py:percent", config=load_jupytext_config(str(ipynb)))
    assert text == py.read_text() == SOURCE


def test_a_tag_set_in_jupyterlab_reaches_the_py(pair):
    """Saving through jupytext's contents manager (what JupyterLab does) writes the tag into the .py.

    The .ipynb is made a minute newer than the .py, as after a build or a git checkout: jupytext then
    compares the pair as text and refuses to open it (HTTP 400) unless the .ipynb carries the filters.
    """
    py, ipynb = pair
    stamp = py.stat().st_mtime
    os.utime(ipynb, (stamp + 60, stamp + 60))
    manager = TextFileContentsManager(root_dir=str(py.parent))
    model = manager.get(py.name, type="notebook", content=True)
    notebook = model["content"]
    assert notebook.cells[1].outputs == nbformat.read(ipynb, as_version=4).cells[1].outputs
    notebook.cells[3].metadata["tags"] = ["nbval-ignore-output"]
    manager.save({"type": "notebook", "format": "json", "content": notebook}, py.name)
    assert '# %% tags=["nbval-ignore-output"]\nvalues * 2' in py.read_text()
    assert sync_problem(py) is None


def test_build_times_out_on_a_cell_that_never_ends(tmp_path):
    """nbclient only enforces its cell timeout with an asynchronous kernel client (CurrentEnvKernelManager)."""
    py = _write_project(tmp_path, "# %%\nimport time\n\nwhile True:\n    time.sleep(0.1)\n")
    with pytest.raises(NotebookError, match=r"execution failed at cell 1 .*Timeout"):
        build(py, timeout=3)
    assert not py.with_suffix(".ipynb").exists()

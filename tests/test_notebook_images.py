"""Every image in a committed notebook is a valid PNG of what the code draws.

nbval compares text outputs but never ``image/png`` (NOTEBOOK-TOOLING.md), so a figure removed from, corrupted in,
swapped in or left stale in a committed ``.ipynb`` would pass it.  This file closes the gap in two layers:

1. **Static checks, no execution** (every committed notebook of chapters/, exercises/, exercises/solutions/):
   every image output is ``image/png`` and decodes as a whole PNG; every figure output (the inline backend's
   ``<Figure size … with N Axes>``) still carries its image; every book figure a cell draws,
   ``plotting.fig_NAME(…)``, is registered in ``plotting.BOOK_FIGURES`` (so tests/test_figures.py holds it to
   ``figures/NAME.png``).
2. **During nbval's own run** (no second execution): this module is also a pytest plugin (the ``pytest_plugins``
   line below registers it when pytest collects this file, as ``make test`` does; a run that collects only
   notebooks, ``pytest chapters/01_mixtures.ipynb``, compares images only if a root ``conftest.py`` says
   ``pytest_plugins = ["tests.test_notebook_images"]``).  After nbval has
   re-executed a cell and compared its text, :func:`pytest_runtest_call` compares the cell's fresh images with
   the stored ones: the same number of images, each of the same size and within RMS ``TOLERANCE`` of the
   stored one (``matplotlib.testing.compare``, as tests/test_figures.py).  A cell marked ``NBVAL_IGNORE_OUTPUT``
   or ``NBVAL_SKIP`` is not compared, as for its text.

So a notebook image that shows a book figure is the figure its cell draws today, and when the cell calls
``plotting.fig_NAME()`` with the book's setup, tests/test_figures.py holds the same drawing to
``figures/NAME.png`` (the notebook's image is cropped to its content by the inline backend, so the two files are
not compared pixel by pixel).  The tests at the end prove, on a small temporary notebook, that a removed, a
corrupted, a truncated, a swapped, a resized and a stale image each fail under nbval with this plugin (and only
because of the image: nbval's own comparison of the cell's text passes).
"""

from __future__ import annotations

import ast
import base64
import binascii
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import pytest  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402
from nbval.plugin import IPyNbCell  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_GLOBS = ("chapters/*.ipynb", "exercises/*.ipynb", "exercises/solutions/*.ipynb")
#: Largest RMS difference (0–255 grey levels) between a stored and a fresh image: tests/test_figures.py's.
TOLERANCE = 0.5
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FIGURE_REPR = re.compile(r"<Figure size \d+x\d+ with \d+ Axes>")

# Register this module as a plugin too (pytest honours pytest_plugins in a test module when it collects it).
pytest_plugins = [__name__]


# ------------------------------------------------------------------------------ reading images


def _text(value) -> str:
    """A MIME bundle value as one string (nbformat may store it as a list of lines)."""
    return "".join(value) if isinstance(value, list) else str(value)


def png_images(outputs) -> list[str]:
    """The base64 ``image/png`` payloads of ``outputs`` (a cell's output list), in order."""
    return [_text(out["data"]["image/png"]) for out in outputs
            if out.get("output_type") in ("display_data", "execute_result") and "image/png" in out.get("data", {})]


def decode_png(payload: str) -> tuple[bytes | None, str | None]:
    """(the PNG's bytes, None), or (None, what is wrong) if ``payload`` is not a whole, valid PNG."""
    try:
        raw = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        return None, f"not base64 ({exc})"
    if not raw.startswith(PNG_SIGNATURE):
        return None, f"not a PNG (it starts with {raw[:8]!r})"
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()  # chunk structure and checksums
        with Image.open(io.BytesIO(raw)) as image:
            image.load()  # every pixel decompresses
            if image.width == 0 or image.height == 0:
                return None, "an empty image"
    except Exception as exc:  # PIL raises many types for broken files
        return None, f"a broken PNG ({type(exc).__name__}: {exc})"
    return raw, None


def _size(raw: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(raw)) as image:
        return image.size


def image_problems(stored_outputs, fresh_outputs, tolerance: float = TOLERANCE) -> list[str]:
    """What is wrong with the stored images of a cell, given the images the cell draws now (empty if nothing)."""
    stored, fresh = png_images(stored_outputs), png_images(fresh_outputs)
    problems = []
    if len(stored) != len(fresh):
        problems.append(f"the notebook stores {len(stored)} image(s) but the code draws {len(fresh)}"
                        + (" (an image was removed)" if len(stored) < len(fresh) else ""))
    for i, (old, new) in enumerate(zip(stored, fresh), start=1):
        if old == new:
            continue
        old_raw, old_problem = decode_png(old)
        if old_problem:
            problems.append(f"image {i}: the stored image is {old_problem}")
            continue
        new_raw, new_problem = decode_png(new)
        if new_problem:  # pragma: no cover  (matplotlib wrote it)
            problems.append(f"image {i}: the image the code draws is {new_problem}")
            continue
        if _size(old_raw) != _size(new_raw):
            problems.append("image {}: the stored image is {}x{} pixels, the code draws {}x{}: another figure, "
                            "or a stale one".format(i, *_size(old_raw), *_size(new_raw)))
            continue
        folder = Path(tempfile.mkdtemp(prefix="notebook-image-"))
        (folder / "stored.png").write_bytes(old_raw)
        (folder / "drawn.png").write_bytes(new_raw)
        result = compare_images(str(folder / "stored.png"), str(folder / "drawn.png"), tol=tolerance,
                                in_decorator=True)
        if result is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            problems.append(f"image {i}: differs from what the code draws, RMS {result['rms']:.2f} > {tolerance} "
                            f"(stale, or another figure); stored, drawn and difference images are in {folder}")
    return problems


# ------------------------------------------------------------------------------ the nbval plugin


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After nbval has run a cell (and compared its text), compare its images with the stored ones."""
    result = yield
    if (isinstance(item, IPyNbCell) and item.options.get("check") and item.cell.execution_count is not None
            and item.test_outputs is not None and not getattr(item, "_images_compared", False)):
        item._images_compared = True  # once, even if this module is registered under two names
        problems = image_problems(item.cell.outputs, item.test_outputs)
        if problems:
            item.raise_cell_error(
                "Image outputs differ",
                "\n".join(problems) + "\nRebuild the notebook from its .py: "
                ".venv/bin/python tools/notebooks.py build " + _shown(Path(item.path).with_suffix(".py")),
            )
    return result


def test_this_module_is_registered_as_a_plugin(request):
    """The image comparison runs inside nbval's run only if pytest registered this module as a plugin."""
    assert any(getattr(plugin, "pytest_runtest_call", None) is pytest_runtest_call
               for plugin in request.config.pluginmanager.get_plugins())


# ------------------------------------------------------------------------------ static checks of the book


def _shown(path: Path) -> str:
    """A path relative to the repository when it lies inside."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


BOOK_NOTEBOOKS = sorted(path for pattern in NOTEBOOK_GLOBS for path in ROOT.glob(pattern))


def _code_cells(path: Path):
    """(1-based cell number, cell) for every code cell of the notebook."""
    nb = nbformat.read(path, as_version=4)
    return [(index, cell) for index, cell in enumerate(nb.cells, start=1) if cell.cell_type == "code"]


def _book_figure_calls(source: str) -> list[str]:
    """NAME of every call ``plotting.fig_NAME(...)`` (or ``gb.plotting.fig_NAME(...)``) in a cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax (magics): read the text
        return re.findall(r"plotting\.fig_(\w+)\s*\(", source)
    return [node.func.attr[len("fig_"):] for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr.startswith("fig_")
            and "plotting" in (getattr(node.func.value, "id", None), getattr(node.func.value, "attr", None))]


def static_problems(ipynb: Path, book_figures=None) -> list[str]:
    """What is wrong with the stored images of a notebook, without executing it.

    Every image output is a whole, valid ``image/png``; no figure output has lost its image; every
    ``plotting.fig_NAME(...)`` a cell calls is in ``book_figures`` (default ``plotting.BOOK_FIGURES``) and the
    cell stores one image per such call.
    """
    if book_figures is None:
        from gmmbook import plotting

        book_figures = plotting.BOOK_FIGURES
    problems = []
    for index, cell in _code_cells(ipynb):
        for out in cell.get("outputs", ()):
            data = out.get("data", {})
            for mime in data:
                if mime.startswith("image/") and mime != "image/png":
                    problems.append(f"cell {index}: a {mime} output (inline figures must be PNG: nbval compares "
                                    "SVG as text, and SVG embeds a date)")
            if "image/png" in data:
                _, problem = decode_png(_text(data["image/png"]))
                if problem:
                    problems.append(f"cell {index}: the stored image is {problem}")
            elif _FIGURE_REPR.fullmatch(_text(data.get("text/plain", "")).strip()):
                problems.append(f"cell {index}: a figure output ({_text(data['text/plain'])}) lost its image")
        names = _book_figure_calls(cell.source)
        unknown = [name for name in names if name not in book_figures]
        if unknown:
            problems.append(f"cell {index}: fig_{', fig_'.join(unknown)} is not in plotting.BOOK_FIGURES, "
                            "so no test compares it with a file in figures/")
        stored = len(png_images(cell.get("outputs", ())))
        if names and stored != len(names):
            problems.append(f"cell {index}: draws {len(names)} book figure(s) but stores {stored} image(s)")
    return problems


def test_the_book_has_notebooks_with_images():
    """The globs find the notebooks and their figures, so the parametrized test below is not vacuous."""
    assert any(path.parent.name == "chapters" for path in BOOK_NOTEBOOKS)
    images = sum(len(png_images(cell.get("outputs", ()))) for path in BOOK_NOTEBOOKS for _, cell in _code_cells(path))
    assert images >= 10


@pytest.mark.parametrize("ipynb", BOOK_NOTEBOOKS, ids=_shown)
def test_stored_images_are_valid_pngs_of_registered_figures(ipynb):
    problems = static_problems(ipynb)
    assert not problems, f"{_shown(ipynb)}:\n" + "\n".join(problems)


# ------------------------------------------------------------------------------ the checks can fail

#: The cells of the small notebook, in order: how each one's stored image is tampered with.
CELLS = ("setup", "intact", "removed", "corrupted", "truncated", "swapped", "resized", "stale", "other")
DRAW = "fig, ax = plt.subplots(figsize=(3, 2), dpi=50)\n_ = ax.plot([0, 1], [0, 1], {style!r})\nplt.show()"


def _inline_output(style: str, size=(3, 2)):
    """The display_data output the kernel's inline backend gives for the cell DRAW (IPython's print_figure,
    cropped to the content), drawn here; test_the_plugin_passes_intact_images shows it is the same image."""
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    fig, ax = plt.subplots(figsize=size, dpi=50)
    ax.plot([0, 1], [0, 1], style)
    data = {"text/plain": repr(fig), "image/png": base64.b64encode(print_figure(fig, "png")).decode()}
    plt.close(fig)
    return nbformat.v4.new_output("display_data", data=data)


@pytest.fixture(scope="module")
def tampered(tmp_path_factory) -> Path:
    """A small notebook, as if executed, whose stored images were then tampered with, one way per cell (CELLS).

    "intact" and "other" keep their images; "removed" lost its image; "corrupted" holds text that is not a
    PNG; "truncated" half a PNG; "swapped" the image of "other" (another figure of the same size); "resized" a
    figure of another size; "stale" keeps its image but its code was edited afterwards (another colour).
    """
    cells = {"setup": nbformat.v4.new_code_cell("import matplotlib.pyplot as plt", execution_count=1)}
    for count, label in enumerate(CELLS[1:], start=2):
        style = "r-" if label == "other" else "b-"
        cells[label] = nbformat.v4.new_code_cell(DRAW.format(style=style), execution_count=count,
                                                 outputs=[_inline_output(style)])
    del cells["removed"].outputs[0]["data"]["image/png"]
    cells["corrupted"].outputs[0]["data"]["image/png"] = base64.b64encode(b"this is not a png").decode()
    raw = base64.b64decode(png_images(cells["truncated"].outputs)[0])
    cells["truncated"].outputs[0]["data"]["image/png"] = base64.b64encode(raw[: len(raw) // 2]).decode()
    cells["swapped"].outputs = [_inline_output("r-")]
    cells["resized"].outputs[0]["data"]["image/png"] = _inline_output("b-", size=(2, 2))["data"]["image/png"]
    cells["stale"].source = DRAW.format(style="g-")
    nb = nbformat.v4.new_notebook(cells=list(cells.values()))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path_factory.mktemp("images") / "tampered.ipynb"
    nbformat.write(nb, path)
    return path


def _nbval(ipynb: Path, folder: Path) -> dict[str, tuple[str, str]]:
    """Run pytest --nbval, with this module as a plugin, on ``ipynb`` in a fresh process.

    Returns {cell label: (outcome, failure text)} read from pytest's JUnit XML report.
    """
    folder.mkdir()
    shutil.copy(ipynb, folder / ipynb.name)
    (folder / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", Path(__file__).stem,
               "--nbval", "--nbval-current-env", f"--junitxml={folder / 'report.xml'}", ipynb.name]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(ROOT)])}
    subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    outcomes = {}
    for case in ElementTree.parse(folder / "report.xml").iter("testcase"):
        index = int(case.get("name").rsplit("Cell ", 1)[1])
        failure = case.find("failure")
        outcomes[CELLS[index]] = ("passed", "") if failure is None else (
            "failed", (failure.get("message") or "") + (failure.text or ""))
    assert set(outcomes) == set(CELLS), outcomes
    return outcomes


@pytest.fixture(scope="module")
def nbval_verdicts(tampered, tmp_path_factory):
    """nbval's verdict, with this module's plugin, on every cell of the tampered notebook.

    nbval's own failures say "Cell outputs differ"; the plugin's say "Image outputs differ".  So a cell that fails
    with the plugin's message failed because of its image, and nbval alone would have let it through.
    """
    return _nbval(tampered, tmp_path_factory.mktemp("nbval") / "run")


@pytest.mark.parametrize(("label", "message"), [
    ("removed", "stores 0 image(s) but the code draws 1 (an image was removed)"),
    ("corrupted", "the stored image is not a PNG"),
    ("truncated", "the stored image is a broken PNG"),
    ("swapped", "differs from what the code draws, RMS"),
    ("resized", "pixels, the code draws"),
    ("stale", "differs from what the code draws, RMS"),
])
def test_the_plugin_fails_a_tampered_image(nbval_verdicts, label, message):
    outcome, text = nbval_verdicts[label]
    assert outcome == "failed" and "Image outputs differ" in text and message in text, text
    assert "Cell outputs differ" not in text  # nbval's own comparison of the text outputs passed


def test_the_plugin_passes_intact_images(nbval_verdicts):
    for label in ("setup", "intact", "other"):
        assert nbval_verdicts[label] == ("passed", ""), nbval_verdicts[label]


@pytest.mark.parametrize(("label", "message"), [
    ("removed", "lost its image"),
    ("corrupted", "the stored image is not a PNG"),
    ("truncated", "the stored image is a broken PNG"),
])
def test_the_static_check_fails_a_removed_or_broken_image(tampered, label, message):
    cell = f"cell {CELLS.index(label) + 1}: "
    problems = [problem for problem in static_problems(tampered, book_figures={}) if problem.startswith(cell)]
    assert len(problems) == 1 and message in problems[0], problems


def test_the_static_check_passes_the_intact_cells(tampered):
    intact = {f"cell {CELLS.index(label) + 1}: " for label in ("setup", "intact", "swapped", "resized", "stale",
                                                                 "other")}
    assert [p for p in static_problems(tampered, book_figures={}) if p.startswith(tuple(intact))] == []


def test_the_static_check_fails_an_unregistered_book_figure(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("fig = plotting.fig_not_in_the_book()")])
    nbformat.write(nb, tmp_path / "figure.ipynb")
    problems = static_problems(tmp_path / "figure.ipynb", book_figures={"old_faithful_fits": None})
    assert problems == ["cell 1: fig_not_in_the_book is not in plotting.BOOK_FIGURES, so no test compares it "
                        "with a file in figures/", "cell 1: draws 1 book figure(s) but stores 0 image(s)"]

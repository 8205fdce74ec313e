"""The book in JupyterLab as a reader meets it, in a real browser.

`make lab` is started on a temporary copy of the repository (never on the working tree's files) with
an extra ``LAB_ARGS`` for 127.0.0.1, a port chosen by the OS and no browser of its own; the server
makes up its random token and prints the address, which Debian's Chromium, driven by Playwright for
Python, opens.  Then, as a reader would: the printed address lands on chapter 01 with one entry per
notebook in the file browser and no news pop-up; no notebook is marked modified when it opens, and
saving one unchanged rewrites the same bytes; chapter 01 opens from the file browser with every
Markdown cell rendered, its mathematics typeset and its figures shown; chapter 04 runs from top to
bottom without an error; an exercise check answers green to a right answer and red, naming the
mistake, to a wrong one; an edit saved from the notebook reaches both files of the pair, in sync.
The server and every kernel are stopped at the end, even on failure.

Without Chromium at /usr/bin/chromium (or ``GMMBOOK_CHROMIUM``) the module is skipped with one line
saying how to run it; .ci/run installs Chromium and sets ``GMMBOOK_BROWSER_TESTS=required``, which
turns that skip into a failure.  Never ``playwright install``: Debian's Chromium is the browser.
Set ``GMMBOOK_SCREENSHOTS=/some/folder`` to keep a screenshot of each step.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tools.notebooks import ROOT, sync_problem

CHROMIUM = Path(os.environ.get("GMMBOOK_CHROMIUM", "/usr/bin/chromium"))
HOW_TO_RUN = "to run them: sudo apt-get install -y chromium, then make test (.ci/run does this)"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed in this environment (rerun make)"
    if shutil.which("make") is None:
        return "make is not installed"
    if not (Path(sys.prefix) / "bin" / "jupyter").exists():
        return f"no jupyter in {sys.prefix}/bin (run the tests from the project's venv)"
    return None


if (_why := _missing()) is not None:
    if os.environ.get("GMMBOOK_BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests required but cannot run: {_why}; {HOW_TO_RUN}", pytrace=False)
    pytest.skip(f"browser tests skipped: {_why}; {HOW_TO_RUN}", allow_module_level=True)

import psutil  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

STARTUP_TIMEOUT = 90  # seconds for `make lab` to print its address
KERNEL_TIMEOUT = 90  # seconds for a kernel to start, or for chapter 04 to run
RENDER_TIMEOUT = 90  # seconds for chapter 01 to be drawn and typeset whole
NOTEBOOK_FOLDERS = ("chapters", "exercises", "exercises/solutions")
# Build and test leftovers planted in the copy: the file browser must not show them.
DEBRIS = ("gmmbook.egg-info", "__pycache__", "_build", ".venv", ".pytest_cache", ".ipynb_checkpoints")
GREEN, RED = "rgb(26, 127, 55)", "rgb(207, 34, 46)"  # the verdict box of gmmbook.exercises.Verdict
TEX_LEFT = re.compile(r"\$|\\[A-Za-z]+")  # a `$` delimiter or a `\command` that MathJax did not typeset
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never via a proxy


# ---------------------------------------------------------------------------------------- the server


@dataclass
class Lab:
    url: str  # the address `make lab` printed, token included
    base: str  # http://127.0.0.1:PORT
    token: str
    root: Path  # the temporary copy of the repository it serves
    log: Path  # what `make lab` printed

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with OPENER.open(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop_kernels(self):
        """Shut every kernel down through the API, as closing the sessions in JupyterLab would."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")

    def workspace(self, name: str, path: str = "") -> str:
        """A clean layout (``?reset``) in workspace ``name``, opening ``path`` if given."""
        tree = f"/tree/{path}" if path else ""
        return f"{self.base}/lab/workspaces/{name}{tree}?reset&token={self.token}"


def _copy_repository(destination: Path) -> Path:
    """The files of the working tree (timestamps kept, as jupytext compares them), without caches."""
    ignore = shutil.ignore_patterns(".git", ".venv*", "_build", "node_modules", "__pycache__", ".pytest_cache",
                                    ".hypothesis", "*.egg-info", ".ipynb_checkpoints")
    root = destination / "gmmbook"
    shutil.copytree(ROOT, root, ignore=ignore, symlinks=True)
    for name in DEBRIS:
        (root / name).mkdir(exist_ok=True)
    (root / "chapters" / "__pycache__").mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` on a copy of the repository; yields a Lab; stops the server and every kernel."""
    scratch = tmp_path_factory.mktemp("lab")
    root = _copy_repository(scratch)
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(
        JUPYTER_CONFIG_DIR=str(scratch / "config"),  # no ~/.jupyter: settings and workspaces start empty
        JUPYTER_DATA_DIR=str(scratch / "data"),  # no user-level kernelspecs or notebook signatures
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
    )
    log = scratch / "make-lab.log"
    stamp = Path(sys.prefix) / ".installed"
    command = ["make", "--no-print-directory", "-C", str(root), "-o", str(stamp), "lab", f"VENV={sys.prefix}",
               "LAB_ARGS=--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=0"]
    with open(log, "wb") as out:
        make = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield _wait_for_address(make, root, log)
    finally:
        _stop(make, scratch / "runtime")


def _wait_for_address(make: subprocess.Popen, root: Path, log: Path) -> Lab:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        found = re.search(r"(http://127\.0\.0\.1:\d+)/lab\S*\?token=(\w+)", text)
        if found:
            return Lab(found.group(0), found.group(1), found.group(2), root, log)
        if make.poll() is not None:
            pytest.fail(f"make lab exited with code {make.returncode}:\n{text}")
        time.sleep(0.2)
    pytest.fail(f"make lab printed no address within {STARTUP_TIMEOUT} s:\n{log.read_text(errors='replace')}")


def _stop(make: subprocess.Popen, runtime: Path):
    """Stop the server as Ctrl+C would (it shuts its kernels down), then kill whatever survives."""
    servers = []
    for info in runtime.glob("jpserver-*.json"):
        try:
            servers.append(psutil.Process(json.loads(info.read_text())["pid"]))
        except (ValueError, KeyError, psutil.Error):
            pass
    family = {}  # make, the server, the kernels: every process that this module started
    for process in [_process(make.pid), *servers]:
        if process is not None:
            family[process.pid] = process
            for child in _children(process):
                family[child.pid] = child
    for process in servers or family.values():
        _signal(process, signal.SIGTERM)
    _, alive = psutil.wait_procs(list(family.values()), timeout=20)
    for process in alive:
        _signal(process, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=10)
    make.wait(timeout=10)


def _process(pid: int):
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def _children(process) -> list:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _signal(process, sig):
    try:
        process.send_signal(sig)
    except psutil.Error:
        pass


# ---------------------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser):
    """One browser profile for the module: JupyterLab's scripts are fetched and compiled once."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context, lab, request):
    """A fresh browser tab; afterwards it is closed and every kernel is shut down."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        _shot(page, f"end-{request.node.name}")
        page.close()
        lab.stop_kernels()


def _shot(page: Page, name: str):
    folder = os.environ.get("GMMBOOK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _status(page: Page) -> str:
    return " ".join(page.locator(".jp-StatusBar-Widget").all_inner_texts()).replace("\n", " ")


def _wait_kernel_idle(page: Page, timeout: float = KERNEL_TIMEOUT):
    """Until the status bar shows the current notebook's kernel connected and idle.

    Its language_info has arrived by then: that is when JupyterLab would mark the notebook modified.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(r"\(ipykernel\) \| Idle", _status(page)):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"no idle kernel after {timeout} s; status bar: {_status(page)!r}")


def _tabs(page: Page) -> list[str]:
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab .lm-TabBar-tabLabel").all_inner_texts()


def _dirty_tabs(page: Page) -> list[str]:
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty .lm-TabBar-tabLabel").all_inner_texts()


def _still_dirty(page: Page, timeout: float = 15) -> list[str]:
    """The tabs still marked modified once JupyterLab has had ``timeout`` seconds to finish saving."""
    deadline = time.monotonic() + timeout
    while _dirty_tabs(page) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return _dirty_tabs(page)


def _listing(page: Page) -> list[str]:
    """The names in the file browser's current folder."""
    page.wait_for_selector(".jp-DirListing-content .jp-DirListing-item")
    return page.locator(".jp-DirListing-content .jp-DirListing-itemText").all_inner_texts()


def _entry(page: Page, name: str):
    return page.locator(".jp-DirListing-content .jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$")))


def _shows(page: Page, names: set[str], *, exactly: bool = False, timeout: float = 20) -> bool:
    """Whether the file browser comes to list ``names`` (and nothing else, if ``exactly``) in ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = set(page.locator(".jp-DirListing-content .jp-DirListing-itemText").all_inner_texts())
        if listed == names if exactly else names <= listed:
            return True
        page.wait_for_timeout(200)
    return False


def _go_to_folder(page: Page, root: Path, folder: str):
    """Click the file browser's home, then double-click each folder of ``folder``, as a reader does.

    JupyterLab may still be refreshing the previous folder when a click lands: then do it again.
    """
    path = root
    for attempt in range(3):
        page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
        path = root
        for part in folder.split("/"):
            if not _shows(page, {part}):
                break
            _entry(page, part).dblclick()
            path = path / part
            if not _shows(page, _expected_listing(path), exactly=True):
                break
        else:
            return
    raise AssertionError(f"the file browser did not reach {folder}/; it shows {_listing(page)}")


def _open_from_browser(page: Page, name: str):
    """Double-click ``name`` in the file browser; wait until it is the current tab, drawn."""
    tabs = len(_tabs(page))
    _entry(page, name).dblclick()
    page.wait_for_function(
        """([count, name]) => {
            const tabs = document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab');
            const current = document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel');
            return tabs.length > count && current && current.textContent === name;
        }""", arg=[tabs, name])
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for()


def _menu(page: Page, menu: str, item: str):
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-hidden)").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$"))).click()


def _save(page: Page, ipynb: Path):
    """Ctrl+S in the current notebook; wait until the server has rewritten ``ipynb``."""
    before = ipynb.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while ipynb.stat().st_mtime_ns == before:
        assert time.monotonic() < deadline, f"saving did not rewrite {ipynb.name} within 30 s"
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)  # the .py of the pair is written just after the .ipynb


def _notebooks(root: Path) -> dict[str, list[str]]:
    return {folder: sorted(path.name for path in (root / folder).glob("*.ipynb")) for folder in NOTEBOOK_FOLDERS}


def _expected_listing(folder: Path) -> set[str]:
    """What a reader should see in a notebook folder: each notebook once, lone .py files, subfolders."""
    names = {path.name for path in folder.iterdir() if not path.name.startswith(".") and path.name != "__pycache__"}
    return {name for name in names if not (name.endswith(".py") and name[:-3] + ".ipynb" in names)}


# ---------------------------------------------------------------------------------------- the tests


def test_make_lab_says_it_runs_until_ctrl_c(lab):
    text = lab.log.read_text(errors="replace")
    assert "Ctrl+C" in text and "chapter 01" in text, text
    assert "Traceback" not in text, text


def test_the_printed_address_lands_on_chapter_01_with_one_entry_per_notebook(lab, page):
    """No Launcher, no news pop-up, the file browser in chapters/ with each chapter once, no debris."""
    page.goto(lab.url)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _wait_kernel_idle(page)
    page.wait_for_timeout(1500)  # JupyterLab asks about the news shortly after it has started
    _shot(page, "01-landing")
    assert _tabs(page) == ["01_mixtures.ipynb"], f"expected chapter 01 alone, got the tabs {_tabs(page)}"
    assert page.locator(".Toastify__toast").count() == 0, page.locator(".Toastify__toast").all_inner_texts()
    assert page.get_by_text("Jupyter news").count() == 0
    assert _dirty_tabs(page) == []
    listed = _listing(page)
    assert set(listed) == _expected_listing(lab.root / "chapters") and len(listed) == len(set(listed)), listed
    assert not [name for name in listed if name.endswith(".py") and name[:-3] + ".ipynb" in listed]

    _go_to_folder(page, lab.root, "exercises")
    listed = _listing(page)
    assert set(listed) == _expected_listing(lab.root / "exercises"), listed
    page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
    page.wait_for_function("() => !document.querySelector('.jp-FileBrowser .jp-BreadCrumbs-item')")
    listed = _listing(page)
    _shot(page, "02-root-folder")
    assert {"chapters", "exercises", "gmmbook", "README.md"} <= set(listed), listed
    assert not set(listed) & set(DEBRIS), f"build debris in the file browser: {set(listed) & set(DEBRIS)}"


def _wait_kernels(lab: Lab, count: int, timeout: float = KERNEL_TIMEOUT):
    """Until ``count`` notebooks have a kernel that is idle with JupyterLab connected to it."""
    deadline, kernels = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        kernels = [session["kernel"]["id"] for session in lab.api("GET", "sessions")]
        states = [lab.api("GET", f"kernels/{kernel}") for kernel in kernels]
        if len(states) >= count and all(s["execution_state"] == "idle" and s["connections"] for s in states):
            return
        time.sleep(0.3)
    raise AssertionError(f"{len(kernels)} of {count} kernels started and idle after {timeout} s")


def test_no_notebook_is_marked_modified_on_open_and_saving_it_changes_nothing(lab, page):
    """Every chapter and exercise, opened from the file browser: once its kernel has reported its
    language_info (with this interpreter's Python version), no tab is marked modified; File > Save All
    rewrites the same bytes in both files of each pair; closing the tabs asks nothing."""
    root = lab.root
    opened = {folder: names for folder, names in _notebooks(root).items() if folder in ("chapters", "exercises")}
    paths = [root / folder / name for folder, names in opened.items() for name in names]
    assert len(paths) >= 12, paths
    before = {path: (path.read_bytes(), path.with_suffix(".py").read_bytes()) for path in paths}
    # A pair whose .py was edited after its .ipynb was built opens with the .py's cells: saving it then
    # rewrites the .ipynb, rightly.  Name those pairs (tests/test_notebooks.py fails on them too).
    unsynced = [problem for problem in map(sync_problem, paths) if problem]
    page.goto(lab.workspace("untouched"))
    for folder, names in opened.items():
        _go_to_folder(page, root, folder)
        for name in names:
            _open_from_browser(page, name)
    _wait_kernels(lab, len(paths))
    page.wait_for_timeout(1500)  # kernel_info replies reach the notebooks
    _shot(page, "03-all-opened")
    problems = [f"{name}: marked modified on open" for name in _dirty_tabs(page)]

    stamps = {path: path.stat().st_mtime_ns for path in paths}
    _menu(page, "File", "Save All")
    deadline = time.monotonic() + 60
    while any(path.stat().st_mtime_ns == stamps[path] for path in paths) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)  # the .py of the last pair is written just after its .ipynb
    for path in paths:
        old_ipynb, old_py = before[path]
        name = path.relative_to(root)
        if path.stat().st_mtime_ns == stamps[path]:
            problems.append(f"{name}: File > Save All did not save it")
        if path.read_bytes() != old_ipynb:
            problems.append(f"{name}: saving it unchanged changed it: {_first_difference(old_ipynb, path.read_bytes())}")
        if path.with_suffix(".py").read_bytes() != old_py:
            new_py = path.with_suffix(".py").read_bytes()
            problems.append(f"{name}: saving it unchanged changed its .py: {_first_difference(old_py, new_py)}")

    problems += [f"{name}: marked modified after saving" for name in _still_dirty(page)]
    _menu(page, "File", "Close All Tabs")
    page.wait_for_timeout(500)
    if page.locator(".jp-Dialog").count():
        problems.append(f"closing the tabs asked: {page.locator('.jp-Dialog').first.inner_text()!r}")
    assert not problems, "\n".join(problems + [f"(out of sync before opening: {problem})" for problem in unsynced])


def _first_difference(old: bytes, new: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    return f"at byte {at}: {old[max(0, at - 60):at + 60]!r} became {new[max(0, at - 60):at + 60]!r}"


def test_chapter_01_opens_from_the_file_browser_typeset_with_its_figures(lab, page):
    ipynb = lab.root / "chapters" / "01_mixtures.ipynb"
    notebook = nbformat.read(ipynb, as_version=4)
    n_markdown = sum(cell.cell_type == "markdown" for cell in notebook.cells)
    n_figures = sum("image/png" in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", []))
    assert n_markdown and n_figures, "chapter 01 should have Markdown cells and figures"

    page.goto(lab.workspace("read"))
    _go_to_folder(page, lab.root, "chapters")
    _open_from_browser(page, "01_mixtures.ipynb")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    scroller = panel.locator(".jp-WindowedPanel-outer")
    # JupyterLab draws the cells near the viewport only: scroll down until all are drawn and typeset.
    deadline, state = time.monotonic() + RENDER_TIMEOUT, {}
    while time.monotonic() < deadline:
        scroller.evaluate("e => { e.scrollTop += 0.8 * e.clientHeight }")
        page.wait_for_timeout(150)
        state = panel.evaluate(_RENDER_STATE, TEX_LEFT.pattern)
        if (state["cells"] == len(notebook.cells) and state["rendered"] == n_markdown
                and not state["raw"] and state["images"] == n_figures and state["decoded"] == n_figures):
            break
    _shot(page, "04-chapter-01-end")
    assert state["cells"] == len(notebook.cells), f"{state['cells']} of {len(notebook.cells)} cells drawn"
    assert state["markdown"] == n_markdown, f"{state['markdown']} Markdown cells drawn, {n_markdown} in the notebook"
    assert state["rendered"] == n_markdown, f"only {state['rendered']} of {n_markdown} Markdown cells rendered"
    assert not state["raw"], f"TeX left untypeset in: {state['raw'][:3]}"
    assert state["errors"] == 0, f"{state['errors']} MathJax errors (mjx-merror)"
    assert state["maths"] > 0, "no typeset mathematics (mjx-container) at all"
    assert state["images"] == n_figures, f"{state['images']} figures shown, {n_figures} in the notebook"
    assert state["decoded"] == n_figures, f"only {state['decoded']} of {n_figures} figures decoded"
    assert _dirty_tabs(page) == []


_RENDER_STATE = """(panel, pattern) => {
    const tex = new RegExp(pattern);
    const markdown = [...panel.querySelectorAll('.jp-MarkdownCell')];
    const raw = [];
    for (const cell of markdown) {
        const html = cell.querySelector('.jp-RenderedMarkdown');
        if (!html) continue;
        const copy = html.cloneNode(true);
        copy.querySelectorAll('mjx-container, code, pre').forEach(e => e.remove());
        const match = copy.textContent.match(tex);
        if (match) raw.push(copy.textContent.slice(Math.max(0, match.index - 40), match.index + 40));
    }
    const images = [...panel.querySelectorAll('.jp-OutputArea-output img')];
    return {
        cells: panel.querySelectorAll('.jp-Cell').length,
        markdown: markdown.length,
        rendered: markdown.filter(c => c.classList.contains('jp-mod-rendered') && c.querySelector('.jp-RenderedMarkdown')).length,
        raw,
        maths: panel.querySelectorAll('mjx-container').length,
        errors: panel.querySelectorAll('mjx-merror').length,
        images: images.length,
        decoded: images.filter(i => i.complete && i.naturalWidth > 0).length,
    };
}"""


def _run_all(page: Page):
    """Run > Run All Cells; wait until the notebook's execution indicator is idle again."""
    indicator = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator, "
                             ".jp-Notebook-ExecutionIndicator").first
    _menu(page, "Run", "Run All Cells")
    try:
        page.wait_for_function("e => e.dataset.status === 'busy'", arg=indicator.element_handle(), timeout=10_000)
    except Exception:  # a notebook that finished within the polling interval
        pass
    page.wait_for_function("e => e.dataset.status === 'idle'", arg=indicator.element_handle(),
                           timeout=KERNEL_TIMEOUT * 1000)
    _wait_kernel_idle(page)


def test_chapter_04_runs_every_cell_without_an_error(lab, page):
    ipynb = lab.root / "chapters" / "04_posterior.ipynb"
    page.goto(lab.workspace("run", "chapters/04_posterior.ipynb"))
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _wait_kernel_idle(page)
    # Clear the stored outputs first, so that every execution count in the saved file is this run's.
    _menu(page, "Edit", "Clear Outputs of All Cells")
    _run_all(page)
    _shot(page, "05-chapter-04-ran")
    _save(page, ipynb)
    notebook = nbformat.read(ipynb, as_version=4)
    code = [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    assert code
    not_run = [index + 1 for index, cell in code if cell.execution_count is None]
    assert not not_run, f"cells {not_run} of chapter 04 did not run"
    assert [cell.execution_count for _, cell in code] == list(range(1, len(code) + 1))
    errors = [f"cell {index + 1}: {output.get('ename', '')} {output.get('text', output.get('evalue', ''))[:300]}"
              for index, cell in code for output in cell.outputs
              if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr")]
    assert not errors, "chapter 04 printed errors or warnings:\n" + "\n".join(errors)
    assert page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-mime-type='application/vnd.jupyter.stderr']").count() == 0


# The exercise with the most stable checker: chapter 01's mixture density (gmmbook.exercises).
RIGHT_DENSITY = """\
def mixture_density(X, weights, means, covariances):
    from scipy.stats import multivariate_normal
    return sum(w * multivariate_normal(m, c).pdf(X).reshape(len(X)) for w, m, c in zip(weights, means, covariances))
"""
NO_WEIGHTS = """\
def mixture_density(X, weights, means, covariances):
    from scipy.stats import multivariate_normal
    return sum(multivariate_normal(m, c).pdf(X).reshape(len(X)) for m, c in zip(means, covariances))
"""


def _answer(page: Page, answer_cell, check_cell, code: str) -> tuple[str, str]:
    """Replace the answer cell's code, run it and the check cell below it; return the verdict's
    text and its colour."""
    editor = answer_cell.locator(".cm-content")
    editor.click()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .cm-editor.cm-focused").wait_for()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")  # runs the answer, selects the check cell below
    page.keyboard.press("Shift+Enter")  # runs the check
    verdict = check_cell.locator(".jp-OutputArea-output div[style*='border-left']")
    expected = "passed" if code == RIGHT_DENSITY else "not yet right"
    verdict.filter(has_text=expected).wait_for(timeout=KERNEL_TIMEOUT * 1000)
    return verdict.inner_text(), verdict.evaluate("e => getComputedStyle(e).borderLeftColor")


def test_an_exercise_check_is_green_for_a_right_answer_and_red_naming_a_mistake(lab, page):
    page.goto(lab.workspace("exercise", "exercises/01_mixtures.ipynb"))
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _wait_kernel_idle(page)
    _run_all(page)  # the imports; every check says "not attempted yet"
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    answer_cell = cells.filter(has_text="def mixture_density(").first
    check_cell = cells.filter(has_text='check("mixture_density"').first
    assert answer_cell.count() and check_cell.count(), "exercise 01 has no mixture_density answer and check cells"
    check_cell.locator("div[style*='border-left']", has_text="not attempted yet").wait_for()

    text, colour = _answer(page, answer_cell, check_cell, RIGHT_DENSITY)
    _shot(page, "06-exercise-right")
    assert colour == GREEN and "mixture_density: passed" in text, (colour, text)

    text, colour = _answer(page, answer_cell, check_cell, NO_WEIGHTS)
    _shot(page, "07-exercise-wrong")
    assert colour == RED and "not yet right" in text and "ignored the weights" in text, (colour, text)


def test_an_edit_saved_from_the_notebook_reaches_both_files_in_sync(lab, page):
    py = lab.root / "chapters" / "02_latent_variables.py"
    ipynb = py.with_suffix(".ipynb")
    edit = f"An edit saved from JupyterLab, {secrets.token_hex(4)}."
    page.goto(lab.workspace("edit"))
    _go_to_folder(page, lab.root, "chapters")
    _open_from_browser(page, ipynb.name)
    _wait_kernel_idle(page)
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell").first
    cell.click()
    page.keyboard.press("Enter")  # edit mode
    cell.locator(".cm-editor.cm-focused").wait_for()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(f"\n\n{edit}")
    page.keyboard.press("Shift+Enter")  # render the cell again
    assert _dirty_tabs(page) == [ipynb.name]
    _save(page, ipynb)
    _shot(page, "08-edit-saved")
    assert _still_dirty(page) == []
    assert f"# {edit}\n" in py.read_text(), "the edit did not reach the .py"
    first = nbformat.read(ipynb, as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.endswith(edit), "the edit did not reach the .ipynb"
    assert sync_problem(py) is None, sync_problem(py)
    assert not py.read_text().startswith("# ---"), "saving added a jupytext header to the .py"


def test_the_terminal_stayed_quiet(lab):
    """After every test above (kernels started, notebooks saved, cells run): `make lab` printed its
    banner and the address, and no warning, error or traceback."""
    lines = lab.log.read_text(errors="replace").splitlines()
    noisy = [line for line in lines if re.match(r"\[[WE] ", line) or "Traceback" in line or "WARNING" in line]
    assert not noisy, "\n".join(noisy)

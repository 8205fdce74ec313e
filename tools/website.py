"""Build the book's HTML edition and its PDF from the committed, executed notebooks; look at them in a browser.

    python tools/website.py html                  # _build/html/: the website (make html)
    python tools/website.py pdf                   # _build/pdf/gmmbook.pdf, also copied into the site (make pdf)
    python tools/website.py observe OUT.json      # open every page in headless Chromium, record what it shows
    python tools/website.py pdf-report OUT.json   # the PDF's sheets: text and images
    python tools/website.py stage                 # only write the staged sources, _build/site-src/

``observe`` and ``pdf-report`` feed tests/test_site_browser.py; ``pdf`` and ``observe`` need Chromium.

Runs in the site's own environment (``.venv-site``, pinned by ``book/requirements.txt``, made by
``make html``), never in the project's ``.venv``: Jupyter Book 1 needs markdown-it-py 3 while the
project pins 4.  Nothing is executed: the pages show the outputs stored in the committed notebooks.

``html`` stages a source tree in ``_build/site-src/``:

* every notebook the folders hold, in this order: ``chapters/*.ipynb``, ``exercises/*.ipynb``,
  ``exercises/solutions/*.ipynb`` (a new chapter or appendix appears by itself);
* copies whose cell ids are unique across the book (the student exercises reuse their solutions'
  ids) and whose figures carry alt text, taken from the table in ``figures/README.md`` for the figure
  the cell draws (``plotting.fig_<name>()``);
* ``index.md`` made from ``README.md`` (links to notebooks become links to pages, links to other files
  go to the repository, ``<img>`` tags become images), and ``_toc.yml``;
* the committed ``.ipynb`` and ``.py`` of each page, served beside it for download;
* MathJax from the npm package installed in ``_build/npm`` (``book/package-lock.json``);

then runs ``jupyter-book build`` with warnings as errors.  ``book/_ext/gmmbook_site.py`` anchors the
labelled equations and links every "equation (name)".
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import html.parser
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
STAGE = BUILD / "site-src"
HTML = BUILD / "html"
SINGLE = BUILD / "singlehtml"
PDF = BUILD / "pdf" / "gmmbook.pdf"
MATHJAX = BUILD / "npm" / "node_modules" / "mathjax" / "es5"
# What the site needs from the npm package: the combined TeX-to-HTML component and its fonts, plus the
# accessibility components that MathJax's menu loads on demand.
MATHJAX_PARTS = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2", "a11y", "sre")
CHROMIUM = Path("/usr/bin/chromium")

PARTS = (
    ("Chapters", "chapters"),
    ("Exercises", "exercises"),
    ("Worked solutions", "exercises/solutions"),
)
FIGURE_CALL = re.compile(r"\bplotting\.fig_([A-Za-z0-9_]+)\s*\(")
IMAGE_MIME = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class SiteError(Exception):
    """Something in the book's sources that the site cannot show; the message says what to change."""


# ------------------------------------------------------------------------------------------- the pages


def book_pages() -> list[tuple[str, list[str]]]:
    """The book's parts and their notebooks (paths relative to the repository, without .ipynb), as the
    folders hold them now, in file-name order."""
    parts = []
    for caption, folder in PARTS:
        notebooks = sorted((ROOT / folder).glob("*.ipynb"))
        if notebooks:
            parts.append((caption, [nb.relative_to(ROOT).with_suffix("").as_posix() for nb in notebooks]))
    if not parts:
        raise SiteError("no notebooks in chapters/, exercises/ or exercises/solutions/")
    return parts


def all_pages() -> list[str]:
    return [page for _, pages in book_pages() for page in pages]


def config() -> dict:
    import yaml

    return yaml.safe_load((BOOK / "_config.yml").read_text())


def figure_descriptions() -> dict[str, str]:
    """name -> "What it shows", from the table in figures/README.md (one row per figure file)."""
    table = {}
    for line in (ROOT / "figures" / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([A-Za-z0-9_]+)\.png`", cells[0]) if len(cells) >= 2 else None
        if match:
            table[match.group(1)] = cells[1].replace("\\|", "|")
    return table


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def staged_notebook(page: str, seen_ids: set[str], figures: dict[str, str]) -> dict:
    """The notebook of ``page`` as the site shows it: unique cell ids, alt text on every figure."""
    notebook = json.loads((ROOT / f"{page}.ipynb").read_text())
    slug = re.sub(r"[^A-Za-z0-9]+", "-", page)
    for index, cell in enumerate(notebook["cells"]):
        cell_id = cell.get("id")
        if cell_id is not None:
            if cell_id in seen_ids:
                digest = hashlib.sha1(f"{page}/{cell_id}".encode()).hexdigest()[:8]
                cell_id = cell["id"] = f"{slug}-{digest}"[-64:]
            seen_ids.add(cell_id)
        images = [out for out in cell.get("outputs", []) if any(m in out.get("data", {}) for m in IMAGE_MIME)]
        if not images:
            continue
        names = FIGURE_CALL.findall(_source(cell))
        if len(names) != 1 or names[0] not in figures:
            raise SiteError(
                f"{page}.ipynb, cell {index + 1}: a figure needs alt text. Draw it with exactly one "
                f"`fig = plotting.fig_<name>()` in its cell and describe <name>.png in figures/README.md "
                f"(found: {names or 'no plotting.fig_ call'})")
        alt = f"Figure {names[0]}: {figures[names[0]]}"
        cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    return notebook


# -------------------------------------------------------------------------------------- landing page


class _ImgTag(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def landing_page(readme: str, pages: list[str], repository: str, branch: str) -> str:
    """README.md as the site's first page (MyST Markdown)."""
    page_set = set(pages)
    out: list[str] = []
    fenced = False
    for line in readme.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if fenced:
            out.append(line)
            continue
        if "<img" in line:
            parser = _ImgTag()
            parser.feed(line)
            for image in parser.images:
                if not image.get("alt"):
                    raise SiteError(f"README.md: an <img> without alt text: {line.strip()}")
                out += [":::{image} " + image["src"], f":alt: {image['alt']}", ":align: center"]
                if image.get("width"):
                    out.append(f":width: {image['width']}")
                out += [":::", ""]
            continue
        if re.fullmatch(r"\s*</?(p|br|div)\b[^>]*>\s*", line):
            continue
        out.append(re.sub(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)",
                          lambda m: _landing_link(m, page_set, repository, branch), line))
    return "\n".join(out) + "\n"


def _landing_link(match: re.Match, pages: set[str], repository: str, branch: str) -> str:
    bang, text, target = match.groups()
    if bang or re.match(r"[a-z][a-z0-9+.-]*:|#", target):
        return match.group()  # an image (Sphinx copies it), a URL, or an anchor on the page
    path, _, fragment = target.partition("#")
    path = path.rstrip("/")
    stem = re.sub(r"\.(ipynb|py)$", "", path)
    if stem in pages:
        return f"[{text}]({stem}.ipynb{'#' + fragment if fragment else ''})"
    inside = sorted(page for page in pages if page.startswith(path + "/") and "/" not in page[len(path) + 1:])
    if inside:  # a folder of the book: its first page
        return f"[{text}]({inside[0]}.ipynb)"
    if not (ROOT / path).exists():
        raise SiteError(f"README.md links to {target}, which does not exist")
    kind = "tree" if (ROOT / path).is_dir() else "blob"
    return f"[{text}]({repository.rstrip('/')}/{kind}/{branch}/{path})"


def table_of_contents(parts: list[tuple[str, list[str]]]) -> str:
    lines = ["# Generated by tools/website.py from the folders; do not edit.",
             "format: jb-book", "root: index", "parts:"]
    for caption, pages in parts:
        lines += [f"  - caption: {json.dumps(caption)}", "    chapters:"]
        lines += [f"      - file: {page}" for page in pages]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- building


def stage() -> list[str]:
    """Write the source tree of the site into _build/site-src; return the pages."""
    if not (MATHJAX / "tex-chtml-full.js").is_file():
        raise SiteError(f"MathJax is not installed in {MATHJAX.parent}: run `make html`, which installs it")
    parts = book_pages()
    pages = [page for _, group in parts for page in group]
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir(parents=True)
    shutil.copy(BOOK / "_config.yml", STAGE / "_config.yml")
    shutil.copytree(BOOK / "_ext", STAGE / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(BOOK / "_static", STAGE / "_static")
    for part in MATHJAX_PARTS:
        source, target = MATHJAX / part, STAGE / "_extra" / "_static" / "mathjax" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    figures = figure_descriptions()
    seen_ids: set[str] = set()
    for page in pages:
        target = STAGE / f"{page}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(staged_notebook(page, seen_ids, figures), indent=1, ensure_ascii=False) + "\n")
        for suffix in (".ipynb", ".py"):  # the committed files, for download
            original = ROOT / f"{page}{suffix}"
            if original.is_file():
                download = STAGE / "_extra" / f"{page}{suffix}"
                download.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(original, download)
    settings = config()
    readme = (ROOT / "README.md").read_text()
    (STAGE / "index.md").write_text(landing_page(readme, pages, settings["repository"]["url"],
                                                 settings["repository"]["branch"]))
    for image in re.findall(r"\]\((figures/[^)\s]+)\)|src=\"(figures/[^\"]+)\"", readme):
        path = next(p for p in image if p)
        (STAGE / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, STAGE / path)
    (STAGE / "_toc.yml").write_text(table_of_contents(parts))
    return pages


def jupyter_book(builder: str) -> None:
    """Build the staged tree with Jupyter Book; every warning is an error."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", "--all", "--warningiserror", "--keep-going",
               "--builder", builder, "--path-output", str(ROOT), str(STAGE)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    (BUILD / f"{builder}.log").write_text(log)
    if result.returncode != 0 or re.search(r"\bWARNING\b|\bERROR\b", log):
        problems = [line for line in log.splitlines() if re.search(r"WARNING|ERROR|Traceback|Exception", line)]
        raise SiteError(f"jupyter-book build ({builder}) failed; see {BUILD / f'{builder}.log'}:\n"
                        + "\n".join(problems[-40:]))


def build_html() -> None:
    start = time.perf_counter()
    pages = stage()
    shutil.rmtree(HTML, ignore_errors=True)  # nothing left over from pages that are gone
    jupyter_book("html")
    size = sum(f.stat().st_size for f in HTML.rglob("*") if f.is_file())
    print(f"site: {len(pages) + 1} pages in {HTML.relative_to(ROOT)}/ ({size / 2**20:.1f} MiB), "
          f"built in {time.perf_counter() - start:.1f} s")


# ---------------------------------------------------------------------------------------- the browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """An HTTP server for ``folder`` on 127.0.0.1 (a port the OS picks); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def browser():
    """Debian's Chromium driven by Playwright, with every host but this machine unreachable."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SiteError(f"no Chromium at {CHROMIUM} (Debian: apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        try:
            yield chromium
        finally:
            chromium.close()


def _is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1:", "file://", "data:", "blob:", "about:"))


def new_page(chromium, *, width: int = 1280, height: int = 900):
    """A browser page that refuses every request outside this machine and records what failed."""
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.gmmbook_outside, page.gmmbook_failed, page.gmmbook_console = [], [], []

    def route(route):
        if _is_local(route.request.url):
            route.continue_()
        else:
            page.gmmbook_outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda request: page.gmmbook_failed.append(
        f"{request.url} ({request.failure})") if _is_local(request.url) else None)
    page.on("response", lambda response: page.gmmbook_failed.append(
        f"{response.url} (HTTP {response.status})") if response.status >= 400 else None)
    page.on("console", lambda message: page.gmmbook_console.append(
        f"{message.type}: {message.text}") if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: page.gmmbook_console.append(f"pageerror: {error}"))
    return page


WAIT_FOR_MATHJAX = """async () => {
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(r => setTimeout(r, 50));
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
  await MathJax.startup.promise;
  await document.fonts.ready;
  return true;
}"""

# Everything the tests judge, read from the rendered page.  Tags come from MathJax's own MathML of
# each equation (CHTML draws glyphs with CSS, so the DOM has no text to read).
OBSERVE = r"""() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const items = MathJax.startup.document.getMathItemsWithin(document.body);
  const equations = [];
  for (const item of items) {
    if (!item.display) continue;
    const mml = MathJax.startup.toMML(item.root);
    const labelled = mml.match(/<mlabeledtr[^>]*>\s*<mtd[^>]*>\s*<mtext[^>]*>([^<]*)<\/mtext>/);
    const node = item.typesetRoot;
    const holder = node && node.closest('[id]');
    equations.push({label: labelled ? labelled[1] : null,
                     id: holder && holder.id.startsWith('eq-') ? holder.id : null,
                     error: !!(node && node.querySelector('mjx-merror'))});
  }
  const errors = [...document.querySelectorAll('mjx-merror')]
    .map(e => e.getAttribute('data-mjx-error') || e.textContent);
  const unrendered = [...document.querySelectorAll('div.math, span.math')]
    .filter(e => !e.querySelector('mjx-container')).length;
  // What a reader sees of each block: its box clipped by every scrolling ancestor.  It must stay
  // inside the text column, and its start must not be cut off where scrolling cannot reach it.
  const column = article.getBoundingClientRect();
  const overflowing = [];
  for (const e of article.querySelectorAll('mjx-container[display="true"], div.math, table, pre, img, .cell_output')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0) continue;
    let left = r.left, right = r.right;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === 'visible') continue;
      const q = a.getBoundingClientRect();
      const what = `${e.tagName.toLowerCase()}#${e.id}`;
      if (r.left < q.left - 1)
        overflowing.push(`${what}: starts ${Math.round(q.left - r.left)} px left of its scroller`);
      left = Math.max(left, q.left); right = Math.min(right, q.right);
    }
    if (right > column.right + 1 || left < column.left - 1)
      overflowing.push(`${e.tagName.toLowerCase()}#${e.id}: ${Math.round(left)}..${Math.round(right)} ` +
                       `outside the column ${Math.round(column.left)}..${Math.round(column.right)}`);
  }
  const wide = [...article.querySelectorAll('div.math')].filter(e => e.scrollWidth > e.clientWidth + 1).length;
  // "equation (name)" left as plain text in the prose (not in code, maths, links or headings)
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const unlinked = [];
  const reference = /\b[Ee]quations?\s+\(([A-Za-z0-9][A-Za-z0-9_.:+-]*)\)/g;
  while (walker.nextNode()) {
    const t = walker.currentNode;
    if (t.parentElement.closest('pre, code, mjx-container, .math, a, h1, h2, h3, h4, h5, h6, script, style')) continue;
    for (const m of t.textContent.matchAll(reference)) unlinked.push(m[0]);
  }
  return {
    title: document.title,
    equations, errors, unrendered, unlinked,
    inline_maths: items.filter(i => !i.display).length,
    eqrefs: [...document.querySelectorAll('a.gmmbook-eqref')].map(a => a.href),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
    scripts: [...document.scripts].filter(s => s.src).map(s => s.src),
    stylesheets: [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href),
    images: [...article.querySelectorAll('img')]
      .map(i => ({src: i.src, alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0})),
    column_width: Math.round(column.width),
    overflowing, wide_equations: wide,
    page_scroll_width: document.documentElement.scrollWidth, viewport_width: window.innerWidth,
    downloads: [...document.querySelectorAll('a.btn-download-notebook-button, a.btn-download-source-button')]
      .map(a => a.href),
    binder: [...document.querySelectorAll('a[href*="mybinder.org"]')].map(a => a.href),
  };
}"""


def _load(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    if not page.evaluate(WAIT_FOR_MATHJAX):
        raise SiteError(f"MathJax did not start on {url}")
    facts = page.evaluate(OBSERVE)
    facts.update(url=url, outside=list(page.gmmbook_outside), failed=list(page.gmmbook_failed),
                 console=list(page.gmmbook_console))
    page.gmmbook_outside.clear(), page.gmmbook_failed.clear(), page.gmmbook_console.clear()
    return facts


def _one_per_folder(pages: list[str]) -> list[str]:
    first: dict[str, str] = {}
    for name in pages:
        first.setdefault(name.rpartition("/")[0], name)
    return list(first.values())


def observe(out: Path, screenshots: Path | None = None) -> None:
    """Open every page of the built site, served on 127.0.0.1 and as file://, with the network blocked;
    write what each shows (see OBSERVE) and a search result to ``out`` as JSON."""
    if not (HTML / "index.html").is_file():
        raise SiteError("no site in _build/html: run `make html` first")
    pages = ["index"] + all_pages()
    report: dict = {"pages": {}, "file_pages": {}, "search": {}}
    with browser() as chromium, serve(HTML) as base:
        page = new_page(chromium)
        for name in pages:
            report["pages"][name] = _load(page, f"{base}{name}.html")
            if screenshots:
                screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshots / (name.replace("/", "__") + ".png")), full_page=False)
        # file:// for one page at each folder depth (each has its own relative paths to _static)
        for name in _one_per_folder(pages):
            report["file_pages"][name] = _load(page, (HTML / f"{name}.html").as_uri())
        page.goto(f"{base}search.html?q=responsibilities", wait_until="load")
        page.wait_for_selector("#search-results ul.search li", timeout=20000)
        report["search"] = {"query": "responsibilities",
                            "results": page.eval_on_selector_all("#search-results ul.search li a",
                                                                 "links => links.map(a => a.href)"),
                            "outside": list(page.gmmbook_outside)}
        report["base"] = base
        page.close()
    report["root"] = HTML.as_uri() + "/"
    out.write_text(json.dumps(report, indent=1))
    pages = report["pages"].values()
    scrolling = {name: facts["wide_equations"] for name, facts in report["pages"].items() if facts["wide_equations"]}
    print(f"observed {len(report['pages'])} pages from 127.0.0.1 and {len(report['file_pages'])} from file://: "
          f"{sum(len(f['equations']) for f in pages)} display equations "
          f"({sum(1 for f in pages for e in f['equations'] if e['label'])} labelled), "
          f"{sum(f['inline_maths'] for f in pages)} inline, {sum(len(f['eqrefs']) for f in pages)} equation links, "
          f"{sum(len(f['links']) for f in pages)} links, {sum(len(f['images']) for f in pages)} images; "
          f"displays wider than the column (they scroll): {scrolling}")


# ---------------------------------------------------------------------------------------------- PDF


PREPARE_PRINT = r"""() => {
  // Each page of the book starts on a new sheet; a display equation wider than the sheet is scaled
  // down to fit (on screen it scrolls).
  document.querySelectorAll('span[id^="document-"]').forEach(e => e.classList.add('gmmbook-page-break'));
  let scaled = 0;
  for (const e of document.querySelectorAll('mjx-container[display="true"]')) {
    const width = e.parentElement.clientWidth;
    if (e.scrollWidth > width + 1) { e.style.zoom = (width / e.scrollWidth).toFixed(3); scaled++; }
  }
  return scaled;
}"""


def build_pdf() -> None:
    """The whole book as one PDF: the one-page edition (Sphinx's singlehtml) printed by Chromium."""
    start = time.perf_counter()
    stage()
    shutil.rmtree(SINGLE, ignore_errors=True)
    jupyter_book("singlehtml")
    built = time.perf_counter()
    PDF.parent.mkdir(parents=True, exist_ok=True)
    with browser() as chromium, serve(SINGLE) as base:
        page = new_page(chromium, width=1000)
        page.set_default_timeout(300_000)  # one page holds the whole book: MathJax needs a while
        page.goto(f"{base}index.html", wait_until="load")
        if not page.evaluate(WAIT_FOR_MATHJAX):
            raise SiteError("MathJax did not start in the one-page edition")
        errors = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
        # the one-page builder writes no search index, yet its pages ask for one
        failed = [url for url in page.gmmbook_failed if "/searchindex.js" not in url]
        if errors or failed or page.gmmbook_outside:
            raise SiteError(f"one-page edition: {errors} maths errors, failed {failed}, "
                            f"outside requests {page.gmmbook_outside}")
        rendered = time.perf_counter()
        scaled = page.evaluate(PREPARE_PRINT)
        page.emulate_media(media="print")
        page.pdf(path=str(PDF), format="A4", print_background=True, outline=True, tagged=True,
                 margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                 display_header_footer=True, header_template="<span></span>",
                 footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                 '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
        page.close()
    if HTML.is_dir():  # the website offers it too
        shutil.copy(PDF, HTML / PDF.name)
    from pypdf import PdfReader

    sheets = len(PdfReader(PDF).pages)
    print(f"pdf: {PDF.relative_to(ROOT)}, {sheets} pages, {PDF.stat().st_size / 2**20:.1f} MiB, "
          f"{scaled} wide equations scaled to fit; {time.perf_counter() - start:.0f} s (one-page edition "
          f"{built - start:.0f} s, MathJax {rendered - built:.0f} s, printing {time.perf_counter() - rendered:.0f} s)")


def _images(resources, seen=None) -> int:
    """Image XObjects drawn on a sheet (looked up, not decoded: decoding them all takes a minute)."""
    seen = set() if seen is None else seen
    if resources is None:
        return 0
    resources = resources.get_object()
    count = 0
    for ref in (resources.get("/XObject") or {}).values():
        key = getattr(ref, "idnum", id(ref))
        if key in seen:
            continue
        seen.add(key)
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            count += 1
        elif xobject.get("/Subtype") == "/Form":
            count += _images(xobject.get("/Resources"), seen)
    return count


def pdf_report(out: Path) -> None:
    """Text and images of every sheet of the PDF, as JSON (the tests read it)."""
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    sheets = [{"text": sheet.extract_text() or "", "images": _images(sheet.get("/Resources"))}
              for sheet in reader.pages]
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    out.write_text(json.dumps({"sheets": sheets, "outline": outline}, indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("stage", help="write _build/site-src only")
    sub.add_parser("html", help="build _build/html")
    sub.add_parser("pdf", help="build _build/pdf/gmmbook.pdf")
    obs = sub.add_parser("observe", help="open every page in Chromium; write JSON")
    obs.add_argument("out", type=Path)
    obs.add_argument("--screenshots", type=Path)
    rep = sub.add_parser("pdf-report", help="the PDF's text and images as JSON")
    rep.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "stage":
            stage()
        elif args.command == "html":
            build_html()
        elif args.command == "pdf":
            build_pdf()
        elif args.command == "observe":
            observe(args.out, args.screenshots)
        elif args.command == "pdf-report":
            pdf_report(args.out)
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

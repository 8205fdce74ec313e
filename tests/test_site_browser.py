"""The HTML edition and the PDF of the book, as a reader sees them in a browser.

``tools/website.py observe`` opens every page of the site built by ``make html`` in Debian's headless
Chromium with every outside host unreachable, from a local server (and one page per folder from
file://), and records what it shows; these tests judge that against the committed notebooks (read by
the functions of tests/test_site.py): no maths error, the labelled equations and their labels, every
equation reference a link to the right equation, no broken internal link or anchor, no script or
request leaving the site, download and Binder links, alt text, nothing wider than the text column,
search.  ``test_the_pdf`` reads the PDF of ``make pdf``.

Without Chromium, or without a built and up-to-date site, the module is skipped with one line, and
``test_the_pdf`` without an up-to-date PDF; ``make site-check`` (GMMBOOK_SITE_CHECK=1) makes a missing
site a failure, ``make pdf-check`` (GMMBOOK_PDF_CHECK=1) a missing PDF.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_site import PAGES, image_outputs, markdown, source_references, source_tags

from tools import website

ROOT = website.ROOT
SITE_PYTHON = ROOT / ".venv-site" / "bin" / "python"
REQUIRED = os.environ.get("GMMBOOK_SITE_CHECK") == "1"  # make site-check: the site must be there
PDF_REQUIRED = os.environ.get("GMMBOOK_PDF_CHECK") == "1"  # make pdf-check: the PDF must be there


# --------------------------------------------------------------------------------------- browser tests


def _missing(*, pdf: bool = False) -> str | None:
    if not website.CHROMIUM.exists():
        return f"no Chromium at {website.CHROMIUM} (apt-get install -y chromium)"
    if not SITE_PYTHON.exists():
        return "no site environment .venv-site: run `make html`"
    if not (website.HTML / "index.html").exists():
        return "no site in _build/html: run `make html` (and `make pdf`), then `make site-check`"
    built = (website.PDF if pdf else website.HTML / "index.html")
    if pdf and not built.exists():
        return "no PDF in _build/pdf: run `make pdf`, then `make pdf-check`"
    newer = [path for path in _sources() if path.stat().st_mtime > built.stat().st_mtime]
    if newer:
        return (f"{built.relative_to(ROOT)} is older than {newer[0].relative_to(ROOT)}: "
                f"run `make {'pdf' if pdf else 'html'}`, then `make {'pdf' if pdf else 'site'}-check`")
    return None


def _sources() -> list[Path]:
    """What a build of the site reads."""
    files = [ROOT / f"{page}.ipynb" for page in PAGES] + [ROOT / "README.md", ROOT / "figures" / "README.md"]
    return files + [path for path in (ROOT / "book").rglob("*") if path.is_file() and "__pycache__" not in path.parts]


def need(*, pdf: bool = False) -> None:
    reason = _missing(pdf=pdf)
    if reason:
        if PDF_REQUIRED if pdf else REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)


if _missing() and not (REQUIRED or PDF_REQUIRED):
    pytest.skip(_missing(), allow_module_level=True)


@pytest.fixture(scope="module")
def observed(tmp_path_factory) -> dict:
    need()
    out = tmp_path_factory.mktemp("site") / "observed.json"
    subprocess.run([SITE_PYTHON, ROOT / "tools" / "website.py", "observe", out], cwd=ROOT, check=True,
                   timeout=1200)
    return json.loads(out.read_text())


def _all_views(observed):
    for kind in ("pages", "file_pages"):
        for name, facts in observed[kind].items():
            yield f"{name} ({'file://' if kind == 'file_pages' else 'http'})", name, facts


def test_every_page_of_the_book_was_opened(observed):
    assert list(observed["pages"]) == ["index"] + PAGES
    folders = {name.rpartition("/")[0] for name in ["index"] + PAGES}
    assert {name.rpartition("/")[0] for name in observed["file_pages"]} == folders


def test_maths_render_without_errors(observed):
    for view, name, facts in _all_views(observed):
        assert facts["errors"] == [], f"{view}: MathJax errors {facts['errors']}"
        assert facts["unrendered"] == 0, f"{view}: {facts['unrendered']} maths elements not typeset"
        assert not any(eq["error"] for eq in facts["equations"]), view
        if name != "index":
            assert facts["inline_maths"] > 0, f"{view}: no maths typeset at all"


def test_labelled_equations_show_their_labels(observed):
    for view, name, facts in _all_views(observed):
        if name == "index":
            continue
        tags = source_tags(name)
        labels = [eq["label"] for eq in facts["equations"] if eq["label"] is not None]
        assert len(labels) == len(tags), f"{view}: {len(labels)} labelled equations, the notebook has {len(tags)}"
        assert Counter(labels) == Counter(f"({tag})" for tag in tags), view
        for eq in facts["equations"]:
            if eq["label"] is not None:
                assert eq["id"] == website_anchor(eq["label"][1:-1]), f"{view}: {eq}"


def website_anchor(name: str) -> str:
    return "eq-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def _local_path(url: str, observed: dict) -> tuple[str, str] | None:
    """(path inside _build/html, fragment) of a link into the site, or None for a link elsewhere."""
    for base in (observed["base"], observed["root"]):
        if url.startswith(base):
            parts = urlsplit(url)
            path = unquote(parts.path)[len(unquote(urlsplit(base).path)):]
            return path or "index.html", parts.fragment
    return None


def _ids(path: str, observed: dict) -> set[str]:
    name = path.removesuffix(".html")
    if name in observed["pages"]:
        return set(observed["pages"][name]["ids"])
    return set(re.findall(r'\sid="([^"]+)"', (website.HTML / path).read_text()))


def test_every_equation_reference_is_a_link_to_its_equation(observed):
    checked = 0
    for view, name, facts in _all_views(observed):
        if name == "index":
            continue
        assert facts["unlinked"] == [], f"{view}: references left as plain text: {facts['unlinked']}"
        assert len(facts["eqrefs"]) == len(source_references(name)), view
        for href in facts["eqrefs"]:
            path, fragment = _local_path(href, observed)
            target = path.removesuffix(".html")
            labels = {eq["id"]: eq["label"] for eq in observed["pages"][target]["equations"] if eq["id"]}
            assert fragment in labels, f"{view}: {href} points at no labelled equation"
            checked += 1
    assert checked > 300


def test_internal_links_and_anchors_resolve(observed):
    checked = 0
    for view, _, facts in _all_views(observed):
        for href in facts["links"]:
            local = _local_path(href, observed)
            if local is None:
                continue
            path, fragment = local
            assert (website.HTML / path).is_file(), f"{view}: broken link {href}"
            if fragment and path.endswith(".html"):
                assert fragment in _ids(path, observed), f"{view}: no #{fragment} in {path}"
            checked += 1
    assert checked > 1000


def test_nothing_is_loaded_from_outside_the_site(observed):
    for view, _, facts in _all_views(observed):
        for src in facts["scripts"] + facts["stylesheets"]:
            assert _local_path(src, observed) is not None, f"{view}: loads {src}"
        assert facts["outside"] == [], f"{view}: asked outside hosts for {facts['outside']}"
        assert facts["failed"] == [], f"{view}: failed requests {facts['failed']}"
        assert facts["console"] == [], f"{view}: console errors {facts['console']}"


def test_each_page_has_download_and_binder_links(observed):
    settings = website.config()
    org_repo = settings["repository"]["url"].removeprefix("https://github.com/")
    branch = settings["repository"]["branch"]
    for name in PAGES:
        facts = observed["pages"][name]
        downloads = {_local_path(href, observed)[0] for href in facts["downloads"]}
        assert downloads == {f"{name}.ipynb", f"{name}.py"}, name
        for path in downloads:
            assert (website.HTML / path).read_bytes() == (ROOT / path).read_bytes(), f"{path} is not the committed file"
        assert facts["binder"] == [f"https://mybinder.org/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{name}.ipynb"]


def test_figures_have_alt_text_and_load(observed):
    for name, facts in observed["pages"].items():
        for image in facts["images"]:
            assert image["loaded"], f"{name}: {image['src']} did not load"
            alt = image["alt"] or ""
            assert len(alt) > 15 and not re.search(r"\.(png|jpe?g|svg)$", alt), f"{name}: alt text {alt!r}"
        if name != "index":
            assert len(facts["images"]) == image_outputs(name), name


def test_nothing_is_wider_than_the_text_column(observed):
    for view, _, facts in _all_views(observed):
        assert 600 <= facts["column_width"] <= 800, f"{view}: text column {facts['column_width']} px"
        assert facts["overflowing"] == [], f"{view}: {facts['overflowing']}"
        assert facts["page_scroll_width"] <= facts["viewport_width"], f"{view}: the page scrolls sideways"


def test_search_finds_the_chapter(observed):
    results = [_local_path(href, observed)[0] for href in observed["search"]["results"]]
    assert "chapters/04_posterior.html" in results
    assert observed["search"]["outside"] == []


# ------------------------------------------------------------------------------------------------ PDF


def _title(page: str) -> str:
    for line in markdown(page).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{page} has no title")


def _squash(text: str) -> str:
    """Text without spaces and hyphens: PDF text extraction joins "latent-" + newline + "variable"."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


# MathJax's TeX error messages, as they would be printed in place of a formula
MATHJAX_ERRORS = re.compile(r"Math input error|Undefined control sequence|not allowed in \w+ environment|"
                            r"Missing or unrecognized delimiter|Extra close brace|Missing close brace|"
                            r"Misplaced &|Unknown environment|Extra open brace")


def test_the_pdf(tmp_path):
    """The PDF of `make pdf` (one test, so that without a PDF it is skipped with one line)."""
    need(pdf=True)
    out = tmp_path / "pdf.json"
    subprocess.run([SITE_PYTHON, ROOT / "tools" / "website.py", "pdf-report", out], cwd=ROOT, check=True,
                   timeout=600)
    sheets = json.loads(out.read_text())["sheets"]
    assert len(sheets) > 100

    # Each page of the book starts a new sheet with its title, in the order of the site.
    starts = [_squash(sheet["text"]) for sheet in sheets]
    at = 0
    for page in PAGES:
        title = _squash(_title(page))
        found = next((i for i in range(at + 1, len(starts)) if starts[i].startswith(title)), None)
        assert found is not None, f"no sheet starts with {_title(page)!r} after sheet {at + 1}"
        at = found

    # No MathJax error, no display left as TeX.
    for number, sheet in enumerate(sheets, start=1):
        error = MATHJAX_ERRORS.search(sheet["text"])
        assert error is None, f"sheet {number}: {error and error.group()}"
        assert "$$" not in sheet["text"], f"sheet {number}: maths left as TeX"

    # Typeset maths come out of the PDF as Unicode glyphs: every \sum of the notebooks' text is a ∑
    # (TeX left unrendered would show as "\sum", and code mentions TeX commands too, so count glyphs).
    sums = sum(len(re.findall(r"\\sum(?![A-Za-z])", markdown(page))) for page in PAGES)
    glyphs = sum(sheet["text"].count("\u2211") for sheet in sheets)
    assert sums > 100 and glyphs >= 0.95 * sums, f"{glyphs} ∑ in the PDF, {sums} \\sum in the notebooks"

    # Every figure of the notebooks and of the landing page is drawn.
    figures = sum(image_outputs(page) for page in PAGES)
    readme_images = len(re.findall(r"<img ", (ROOT / "README.md").read_text()))
    assert sum(sheet["images"] for sheet in sheets) >= figures + readme_images

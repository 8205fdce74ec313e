"""The HTML edition of the book, before it is built: what tools/website.py makes of the sources.

The pages come from the folders; the landing page is the README; the site's notebooks have unique
cell ids and alt text on every figure; every "equation (name)" in the notebooks' text names an
equation that some page tags (the convention the links rely on); the README's "Read it online /
launch it" links agree with book/_config.yml.  What a reader sees of the built site and the PDF is
tested in a browser by tests/test_site_browser.py.

The functions of the first section read the committed notebooks directly, independently of the
site's code; tests/test_site_browser.py judges the built site against them.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from tools import website

ROOT = website.ROOT

TAG = re.compile(r"\\tag\*?\s*\{([^{}]+)\}")
NAME = r"\(([A-Za-z0-9][A-Za-z0-9_.:+-]*)\)"
SEPARATOR = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+|\s*\u2013\s*)"
REFERENCE = re.compile(rf"\b[Ee]quations?\s+({NAME}(?:{SEPARATOR}{NAME})*)")


# ---------------------------------------------------------------------- the source, read independently


def notebook(page: str) -> dict:
    return json.loads((ROOT / f"{page}.ipynb").read_text())


def markdown(page: str) -> str:
    return "\n\n".join("".join(cell["source"]) for cell in notebook(page)["cells"] if cell["cell_type"] == "markdown")


def prose(text: str) -> str:
    """Markdown without code, maths and headings: where a reader's "equation (name)" is a reference."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\$[^$]*\$", "", text)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def source_tags(page: str) -> list[str]:
    return TAG.findall(markdown(page))


def source_references(page: str) -> list[str]:
    return [name for match in REFERENCE.finditer(prose(markdown(page))) for name in re.findall(NAME, match.group(1))]


def image_outputs(page: str) -> int:
    return sum(1 for cell in notebook(page)["cells"] for out in cell.get("outputs", [])
               if "image/png" in out.get("data", {}))


PAGES = website.all_pages()


# ------------------------------------------------------------------------------------------ quick tests


def test_pages_are_every_notebook_of_the_folders_in_order():
    expected = [p.relative_to(ROOT).with_suffix("").as_posix()
                for folder in ("chapters", "exercises", "exercises/solutions")
                for p in sorted((ROOT / folder).glob("*.ipynb"))]
    assert PAGES == expected
    assert [caption for caption, _ in website.book_pages()] == ["Chapters", "Exercises", "Worked solutions"]
    toc = website.table_of_contents(website.book_pages())
    assert [line.split("file: ")[1] for line in toc.splitlines() if "file: " in line] == expected


def test_landing_page_is_the_readme():
    settings = website.config()
    repository, branch = settings["repository"]["url"], settings["repository"]["branch"]
    page = website.landing_page((ROOT / "README.md").read_text(), PAGES, repository, branch)
    readme_chapters = re.findall(r"\]\((chapters/[^)#]+\.ipynb)\)", (ROOT / "README.md").read_text())
    assert readme_chapters, "the README lists the chapters"
    for target in readme_chapters:
        assert f"]({target})" in page  # a link to the page of the site
    assert "<img" not in page and "<p" not in page
    for alt in re.findall(r'<img[^>]*alt="([^"]+)"', (ROOT / "README.md").read_text()):
        assert f":alt: {alt}" in page


def test_landing_page_links():
    readme = "\n".join([
        "# Title", "[ch](chapters/01_mixtures.ipynb) [src](chapters/01_mixtures.py) [ex](exercises/)",
        "[data](gmmbook/data/README.md) [web](https://example.org/x) [here](#two-commands)",
        '<p align="center">', '  <img src="figures/collapse.png" width="60%" alt="A collapse"><br>', "</p>",
        "```bash", "[not a link](chapters/nowhere.ipynb)", "```"])
    pages = ["chapters/01_mixtures", "exercises/01_mixtures"]
    page = website.landing_page(readme, pages, "https://github.com/o/r", "main")
    assert "[ch](chapters/01_mixtures.ipynb)" in page and "[src](chapters/01_mixtures.ipynb)" in page
    assert "[ex](exercises/01_mixtures.ipynb)" in page
    assert "[data](https://github.com/o/r/blob/main/gmmbook/data/README.md)" in page
    assert "[web](https://example.org/x)" in page and "[here](#two-commands)" in page
    assert ":::{image} figures/collapse.png\n:alt: A collapse\n:align: center\n:width: 60%\n:::" in page
    assert "[not a link](chapters/nowhere.ipynb)" in page  # code is left alone
    with pytest.raises(website.SiteError, match="alt text"):
        website.landing_page('<img src="figures/collapse.png">', pages, "https://github.com/o/r", "main")
    with pytest.raises(website.SiteError, match="does not exist"):
        website.landing_page("[x](no/such/file.md)", pages, "https://github.com/o/r", "main")


def test_site_notebooks_have_unique_cell_ids_and_alt_text_on_every_figure():
    seen: set[str] = set()
    figures = website.figure_descriptions()
    staged = {page: website.staged_notebook(page, seen, figures) for page in PAGES}
    ids = [cell["id"] for nb in staged.values() for cell in nb["cells"]]
    assert len(ids) == len(set(ids)), "cell ids must be unique across the site"
    for page, nb in staged.items():
        original = notebook(page)["cells"]
        assert [c["source"] for c in nb["cells"]] == [c["source"] for c in original]
        for cell in nb["cells"]:
            if any("image/png" in out.get("data", {}) for out in cell.get("outputs", [])):
                alt = cell["metadata"]["mystnb"]["image"]["alt"]
                name = website.FIGURE_CALL.search("".join(cell["source"])).group(1)
                assert alt == f"Figure {name}: {figures[name]}" and len(figures[name]) > 20


def test_a_figure_without_a_description_stops_the_build():
    page = next(p for p in PAGES if image_outputs(p))
    with pytest.raises(website.SiteError, match="alt text"):
        website.staged_notebook(page, set(), {})


def test_every_equation_reference_names_a_tagged_equation():
    """The convention the links rely on: "equation (name)" in the text, \\tag{name} in one display."""
    tagged = {page: source_tags(page) for page in PAGES}
    chapters = Counter(name for page, names in tagged.items() if page.startswith("chapters/") for name in names)
    assert not [name for name, n in chapters.items() if n > 1], "a tag name used twice in the chapters"
    for page, names in tagged.items():
        assert len(names) == len(set(names)), f"{page}: a tag name used twice on one page"
    everywhere = {name for names in tagged.values() for name in names}
    dangling = {page: sorted(set(source_references(page)) - everywhere) for page in PAGES}
    assert not {page: names for page, names in dangling.items() if names}, (
        "equation references with no \\tag{name} anywhere in the book")


def test_readme_links_are_those_of_the_config():
    settings = website.config()
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Read it online / launch it", 1)[1].split("\n## ", 1)[0]
    org_repo = settings["repository"]["url"].removeprefix("https://github.com/")
    assert settings["html"]["baseurl"] in section
    assert settings["html"]["baseurl"] + website.PDF.name in section
    binder = (f"{settings['launch_buttons']['binderhub_url']}/v2/gh/{org_repo}/{settings['repository']['branch']}"
              f"?urlpath=lab/tree/chapters/01_mixtures.ipynb")
    assert binder in section


def test_the_site_never_executes_a_notebook():
    """The pages show the committed outputs (which make test checks); building the site runs no code."""
    settings = website.config()
    assert settings["execute"]["execute_notebooks"] == "off"
    assert settings["sphinx"]["config"]["nb_execution_mode"] == "off"

"""Sphinx extension for gmmbook's HTML edition (loaded by book/_config.yml).

What it adds to Jupyter Book:

* **Labelled equations get anchors.**  A display equation containing ``\\tag{name}`` gets the HTML id
  ``eq-name``, so ``page.html#eq-name`` shows it.  Sphinx wraps every display that contains ``\\\\`` in
  a ``split`` environment, where MathJax refuses ``\\tag`` ("\\tag not allowed in split environment");
  tagged displays are therefore emitted as they are (``\\[ ... \\]``), with the lines, if any, in an
  ``aligned`` environment and the tag outside it.
* **"equation (name)" becomes a link.**  In the text (not in code, maths or headings), every
  ``equation (name)`` and every list ``equations (a), (b) and (c)`` (or "(a) or (b)", "(a) to (b)",
  "(a)–(b)") links each ``(name)`` to the equation tagged ``name``, wherever it is in the book: on the
  same page if it is there, otherwise in the chapters, then the worked solutions, then the exercises.
  A reference to a name that no page tags, or that two chapters both tag, is a warning (an error in
  ``make html``, which runs with -W).
* **Download links** of each notebook page point at the committed ``.ipynb`` and ``.py`` that
  ``tools/website.py`` puts beside the page (not at Sphinx's ``_sources`` copy).
* **No Thebe**: the scripts of sphinx-thebe, which Jupyter Book always loads, are left out of the pages.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

TAG = re.compile(r"\\tag\*?\s*\{([^{}]+)\}")
NAME = r"\(([A-Za-z0-9][A-Za-z0-9_.:+-]*)\)"
# "equation (a)", "equations (a) and (b)", "equations (a), (b), and (c)", "... (a) or (b)", "(a) to (b)", "(a)–(b)"
SEPARATOR = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+|\s*\u2013\s*)"
REFERENCE = re.compile(rf"\b(?P<word>[Ee]quations?)(?P<space>\s+)(?P<names>{NAME}(?:{SEPARATOR}{NAME})*)")
ONE_NAME = re.compile(NAME)
# Folders in the order a name defined on several pages is looked up (after the referring page itself).
PREFERENCE = ("chapters/", "exercises/solutions/", "exercises/")
SKIP = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.math_block, nodes.raw, nodes.reference,
        nodes.title, nodes.subtitle, nodes.rubric, nodes.comment)


def anchor(name: str) -> str:
    """The HTML id of the equation tagged ``name``: ``eq-`` and the name with unsafe characters as ``-``."""
    return "eq-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


class equation_reference(nodes.Inline, nodes.TextElement):
    """Placeholder for ``(name)`` in "equation (name)"; replaced by a link once every page is read."""


# ---------------------------------------------------------------------------------------------- maths


def _top_level_has_newline(latex: str) -> bool:
    """True when ``\\\\`` occurs outside every ``\\begin{...} ... \\end{...}`` environment."""
    depth = 0
    for token in re.finditer(r"\\begin\{[^}]*\}|\\end\{[^}]*\}|\\\\", latex):
        text = token.group()
        if text.startswith("\\begin"):
            depth += 1
        elif text.startswith("\\end"):
            depth = max(depth - 1, 0)
        elif depth == 0:
            return True
    return False


def tagged_display(latex: str) -> str:
    """The LaTeX MathJax gets for a display with ``\\tag``: the body (in ``aligned`` if it has top-level
    line breaks) followed by its tag, inside ``\\[ ... \\]``, never in Sphinx's ``split``."""
    tags = TAG.findall(latex)
    body = TAG.sub("", latex).strip()
    if _top_level_has_newline(body):
        body = "\\begin{aligned}" + body + "\\end{aligned}"
    return "\\[" + body + " " + "".join(f"\\tag{{{tag}}}" for tag in tags[:1]) + "\\]"


def process_equations(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: anchor tagged displays, fix their wrapping, record which page tags which name;
    replace every "equation (name)" in the text by placeholders."""
    env = app.env
    docname = env.docname
    defined = env.gmmbook_equations
    for name in list(defined):
        defined[name].pop(docname, None)
    for node in doctree.findall(nodes.math_block):
        latex = node.astext()
        names = TAG.findall(latex)
        if not names:
            continue
        if len(names) > 1 and not node.get("nowrap"):
            logger.warning("a $$ display has %d \\tag's (%s); MathJax shows only one: split it",
                           len(names), ", ".join(names), location=node)
        for name in names:
            if docname in defined.get(name, {}):
                logger.warning("\\tag{%s} appears twice on this page", name, location=node)
            defined.setdefault(name, {})[docname] = anchor(name)
            node["ids"].append(anchor(name))
        if not node.get("nowrap"):
            new = nodes.math_block(tagged_display(latex), tagged_display(latex), nowrap=True,
                                   number=None, label=None, docname=docname)
            new["ids"] = node["ids"]
            new["classes"] = node["classes"]
            new.source, new.line = node.source, node.line
            node.replace_self(new)

    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or _inside(text, SKIP):
            continue
        value = str(text)
        if not REFERENCE.search(value):
            continue
        pieces: list[nodes.Node] = []
        position = 0
        for match in REFERENCE.finditer(value):
            pieces.append(nodes.Text(value[position:match.start("names")]))
            names_text = match.group("names")
            inner = 0
            for one in ONE_NAME.finditer(names_text):
                pieces.append(nodes.Text(names_text[inner:one.start()]))
                pieces.append(equation_reference(one.group(), one.group(), name=one.group(1), docname=docname))
                inner = one.end()
            pieces.append(nodes.Text(names_text[inner:]))
            position = match.end()
        pieces.append(nodes.Text(value[position:]))
        parent.replace(text, [piece for piece in pieces if not (isinstance(piece, nodes.Text) and not str(piece))])


def _inside(node: nodes.Node, kinds: tuple[type, ...]) -> bool:
    while node is not None:
        if isinstance(node, kinds):
            return True
        node = node.parent
    return False


def resolve_references(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """doctree-resolved: turn each placeholder into a link to its equation's page and anchor."""
    defined = app.env.gmmbook_equations
    for ref in list(doctree.findall(equation_reference)):
        name = ref["name"]
        source_doc = ref.get("docname", fromdocname)
        pages = defined.get(name, {})
        target = _choose(name, pages, source_doc, ref)
        if target is None:
            ref.replace_self(nodes.Text(ref.astext()))
            continue
        if app.builder.name == "singlehtml":
            uri = "#" + _single_page_id(app, target, name)
        elif target == fromdocname:
            uri = "#" + pages[target]
        else:
            uri = app.builder.get_relative_uri(fromdocname, target) + "#" + pages[target]
        link = nodes.reference(ref.astext(), ref.astext(), refuri=uri, internal=True,
                               classes=["gmmbook-eqref"], reftitle=f"equation ({name})")
        ref.replace_self(link)


def _choose(name: str, pages: dict[str, str], source_doc: str, location: nodes.Node) -> str | None:
    if not pages:
        logger.warning("equation (%s) is referred to, but no page has \\tag{%s}: %s", name, name,
                       _context(location), location=location)
        return None
    if source_doc in pages:
        return source_doc
    for folder in PREFERENCE:
        candidates = sorted(doc for doc in pages
                            if doc.startswith(folder) and "/" not in doc[len(folder):])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            logger.warning("equation (%s) is ambiguous: \\tag{%s} is on %s", name, name,
                           " and ".join(candidates), location=location)
            return candidates[0]
    return sorted(pages)[0]


def _context(node: nodes.Node) -> str:
    """The sentence around a reference, for a warning that must say where to look."""
    text = " ".join(node.parent.astext().split()) if node.parent is not None else node.astext()
    at = text.find(node.astext())
    return "..." + text[max(at - 60, 0):at + 40] + "..."


def _single_page_id(app: Sphinx, docname: str, name: str) -> str:
    """In the one-page edition (the PDF), an equation whose name several pages tag gets a page prefix."""
    pages = app.env.gmmbook_equations[name]
    if len(pages) == 1:
        return pages[docname]
    return re.sub(r"[^A-Za-z0-9_-]", "-", docname) + "-" + pages[docname]


def unique_single_page_ids(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """doctree-resolved, one-page edition only: make ids of equations tagged on several pages unique."""
    if app.builder.name != "singlehtml":
        return
    from sphinx import addnodes

    for part in doctree.findall(addnodes.start_of_file):
        for node in part.findall(nodes.math_block):
            for name in TAG.findall(node.astext()):
                old = anchor(name)
                new = _single_page_id(app, part["docname"], name)
                if new != old and old in node["ids"]:
                    node["ids"][node["ids"].index(old)] = new


def check_duplicates(app: Sphinx, env) -> None:
    """env-updated: a name tagged on two chapter pages is an error even before anyone refers to it."""
    for name, pages in sorted(env.gmmbook_equations.items()):
        chapters = sorted(doc for doc in pages if doc.startswith("chapters/"))
        if len(chapters) > 1:
            logger.warning("\\tag{%s} is defined in several chapters: %s", name, ", ".join(chapters))
    return []


# ------------------------------------------------------------------------------------ environment data


def init_env(app: Sphinx, env, docnames) -> None:
    if not hasattr(env, "gmmbook_equations"):
        env.gmmbook_equations = {}


def purge(app: Sphinx, env, docname: str) -> None:
    for pages in getattr(env, "gmmbook_equations", {}).values():
        pages.pop(docname, None)


def merge(app: Sphinx, env, docnames, other) -> None:
    for name, pages in getattr(other, "gmmbook_equations", {}).items():
        env.gmmbook_equations.setdefault(name, {}).update({d: a for d, a in pages.items() if d in docnames})


# ---------------------------------------------------------------------------------------- page buttons


def download_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """html-page-context, after the theme: the download menu offers the committed .ipynb and .py."""
    if doctree is None or not app.env.doc2path(pagename).endswith(".ipynb"):
        return
    stem = PurePosixPath(pagename).name
    buttons = [
        {"type": "link", "url": f"{stem}.ipynb", "text": ".ipynb", "icon": "fas fa-code",
         "tooltip": "Download the notebook, with its outputs", "label": "download-notebook-button"},
        {"type": "link", "url": f"{stem}.py", "text": ".py", "icon": "fas fa-file",
         "tooltip": "Download the source (jupytext percent format)", "label": "download-source-button"},
        {"type": "javascript", "javascript": "window.print()", "text": ".pdf", "icon": "fas fa-file-pdf",
         "tooltip": "Print to PDF", "label": "download-pdf-button"},
    ]
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"] = buttons


def drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """html-page-context: the book has no Thebe (live code comes from Binder).  Jupyter Book loads
    sphinx-thebe anyway, whose configuration script appears twice on a page ("Identifier 'THEBE_JS_URL'
    has already been declared") and names a CDN; leave its scripts and style sheet out."""
    def thebe(asset) -> bool:
        text = f"{getattr(asset, 'filename', asset)} {getattr(asset, 'attributes', {}).get('body', '')}"
        return "thebe" in text.lower()

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not thebe(asset)]


def setup(app: Sphinx) -> dict:
    app.add_node(equation_reference)
    app.connect("env-before-read-docs", init_env)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-read", process_equations)
    app.connect("env-updated", check_duplicates)
    app.connect("doctree-resolved", unique_single_page_ids, priority=400)
    app.connect("doctree-resolved", resolve_references)
    app.connect("html-page-context", download_buttons, priority=900)
    app.connect("html-page-context", drop_thebe, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}

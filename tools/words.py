"""Count the Markdown words of the book's chapters (the measure of issue 9: "a quarter shorter").

    python tools/words.py                 # words per chapter, from the working tree
    python tools/words.py --base REV      # and the same at git revision REV, with the change in %

A word is a whitespace-separated token of a Markdown cell's source (equations count by their tokens,
as a reader has to read them).  Code cells and outputs do not count.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent


def markdown_words(text: str) -> int:
    """Markdown words of one chapter given the text of its jupytext percent-format source."""
    notebook = jupytext.reads(text, fmt="py:percent")
    return sum(len(cell.source.split()) for cell in notebook.cells if cell.cell_type == "markdown")


def _at(rev: str, path: Path) -> str | None:
    result = subprocess.run(["git", "show", f"{rev}:{path.relative_to(ROOT)}"], cwd=ROOT,
                            capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="git revision to compare with")
    args = parser.parse_args(argv)
    chapters = sorted((ROOT / "chapters").glob("*.py"))
    total_now = total_base = 0
    for path in chapters:
        now = markdown_words(path.read_text())
        line = f"{path.stem:28s} {now:6d}"
        if args.base:
            old_text = _at(args.base, path)
            old = markdown_words(old_text) if old_text is not None else 0
            change = f"{100 * (now - old) / old:+6.1f} %" if old else "   new"
            line = f"{path.stem:28s} {old:6d} -> {now:6d}  {change}"
            if old and path.stem[:2] in {"01", "02", "03", "04", "05", "06"}:
                total_base += old
                total_now += now
        print(line)
    if args.base and total_base:
        print(f"{'chapters 01-06':28s} {total_base:6d} -> {total_now:6d}  {100 * (total_now - total_base) / total_base:+6.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())

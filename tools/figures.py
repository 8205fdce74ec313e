"""Write the book's figures to figures/<name>.png (what `make figures` runs).

    python tools/figures.py              # every figure in gmmbook.plotting.BOOK_FIGURES
    python tools/figures.py NAME [NAME]  # only these (names as in BOOK_FIGURES)
    python tools/figures.py --list       # print the names

The files are reproducible: the same code gives byte-identical PNGs (fixed seeds, fixed dpi,
no version or date in the metadata).  tests/test_figures.py compares them with fresh renders.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from gmmbook import plotting  # noqa: E402

FIGURES_DIR = Path(__file__).resolve().parent.parent / "figures"


def write(name: str, outdir: Path = FIGURES_DIR) -> Path:
    """Render ``BOOK_FIGURES[name]`` and save it as ``outdir/<name>.png``."""
    fig = plotting.BOOK_FIGURES[name]()
    try:
        return plotting.save_figure(fig, outdir / f"{name}.png")
    finally:
        plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to write (default: all)")
    parser.add_argument("--outdir", type=Path, default=FIGURES_DIR, help="where to write (default: figures/)")
    parser.add_argument("--list", action="store_true", help="print the registered names and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(plotting.BOOK_FIGURES))
        return 0
    unknown = [n for n in args.names if n not in plotting.BOOK_FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(plotting.BOOK_FIGURES)}")
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name in args.names or plotting.BOOK_FIGURES:
        path = write(name, args.outdir)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

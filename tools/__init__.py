"""Maintainer tools of the book (run as scripts, e.g. ``python tools/notebooks.py build``)."""

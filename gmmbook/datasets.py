"""Data sets shipped with the book.  Provenance: ``gmmbook/data/README.md``."""

from __future__ import annotations

from importlib.resources import files

import numpy as np


def old_faithful() -> np.ndarray:
    """The Old Faithful geyser data (R's ``datasets::faithful``; Härdle 1991, Azzalini & Bowman 1990).

    Returns
    -------
    ndarray, shape (272, 2)
        Column 0: eruption duration in minutes; column 1: waiting time to the next eruption in
        minutes.  A new array on every call, rows in R's original order.
    """
    with files("gmmbook").joinpath("data", "old_faithful.csv").open("r") as f:
        return np.loadtxt(f, delimiter=",", skiprows=1)

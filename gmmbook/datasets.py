"""Data sets shipped with the book.  Provenance: ``gmmbook/data/README.md``."""

from __future__ import annotations

from importlib.resources import files

import numpy as np

from .mixture import GMM, _gmm_1d


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


# The book's example mixtures.  Chapters, figures, exercises and tests use them by name, so
# that a number in the text and a picture of the same model always agree.



def three_component_1d():
    """A 1-D mixture with three well-separated bumps of different sizes (chapters 01–03).

    π = (0.3, 0.5, 0.2), μ = (−2, 1, 4), σ² = (0.5, 1.0, 0.3).
    """
    return _gmm_1d([0.3, 0.5, 0.2], [-2.0, 1.0, 4.0], [0.5, 1.0, 0.3])


def two_component_1d():
    """Two equal 1-D components N(−2, 1) and N(2, 1) with π = (½, ½) (chapter 03: symmetry, collapse)."""
    return _gmm_1d([0.5, 0.5], [-2.0, 2.0], [1.0, 1.0])


def textbook_1d():
    """The classic hand-worked example (chapter 04, exercises).

    Returns
    -------
    X : ndarray, shape (7, 1)
        The data −3, −2.5, −1, 0, 2, 4, 5.
    gmm : GMM
        Components N(−4, 1), N(0, 0.2), N(8, 3) (variances), equal weights.
    """
    X = np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0]).reshape(-1, 1)
    return X, _gmm_1d([1 / 3, 1 / 3, 1 / 3], [-4.0, 0.0, 8.0], [1.0, 0.2, 3.0])


def three_component_2d():
    """A 2-D mixture with three differently shaped clusters (chapter 02: ancestral sampling).

    π = (0.5, 0.3, 0.2); μ = (0, 0), (4, 3), (−3, 3);
    Σ = [[1, 0.5], [0.5, 1]], [[0.5, 0], [0, 1.5]], [[1, −0.6], [−0.6, 1]].
    """
    return GMM(
        np.array([0.5, 0.3, 0.2]),
        np.array([[0.0, 0.0], [4.0, 3.0], [-3.0, 3.0]]),
        np.array([[[1.0, 0.5], [0.5, 1.0]], [[0.5, 0.0], [0.0, 1.5]], [[1.0, -0.6], [-0.6, 1.0]]]),
    )


def elongated_2d():
    """Two long, thin, parallel clusters that K-means splits the wrong way (chapter 01).

    π = (½, ½); μ = (0, −1.5), (0, 1.5); Σ_k = diag(4, 0.15) for both.
    """
    cov = np.diag([4.0, 0.15])
    return GMM(np.array([0.5, 0.5]), np.array([[0.0, -1.5], [0.0, 1.5]]), np.array([cov, cov]))


def overlapping_2d():
    """Two overlapping round clusters, where hard assignment hides real doubt (chapters 01, 04).

    π = (½, ½); μ = (0, 0), (2, 0); Σ_k = I.
    """
    return GMM(np.array([0.5, 0.5]), np.array([[0.0, 0.0], [2.0, 0.0]]), np.array([np.eye(2), np.eye(2)]))


def old_faithful_poor_start():
    """A deliberately poor K = 2 start for EM on Old Faithful in raw minutes (chapter 06).

    π = (½, ½); μ_1 = (3.0, 76), μ_2 = (4.0, 66): both within 0.6 standard deviations of the
    centre, and on the wrong diagonal (a short eruption with a long wait and vice versa, against the
    data's positive correlation); Σ_1 = Σ_2 = diag(0.4, 60), about 0.3 times the data's variances.
    """
    return GMM(np.array([0.5, 0.5]), np.array([[3.0, 76.0], [4.0, 66.0]]), np.array([np.diag([0.4, 60.0])] * 2))

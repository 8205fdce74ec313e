"""The figures of Chapter 02 (the latent-variable view)."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch

from .. import datasets
from ..mixture import sample
from .primitives import (
    _subplots,
    book_style,
    component_colors,
    plot_ellipses,
    scatter_labels,
)


def fig_ancestral_sampling(*, X=None, labels=None, n: int = 1000, seed: int = 0):
    """Ancestral sampling from a 2-D mixture (chapter 02, eq. ``ancestral``).

    Setup
    -----
    * ``gmm = datasets.three_component_2d()``;
      ``X, labels = sample(gmm, n, np.random.default_rng(seed))``, unless the chapter passes the
      sample it already drew as ``X`` and ``labels`` (then ``n`` and ``seed`` are not used).
    * Left: each point coloured by the component z_n it was drawn from, with the true ellipses.
    * Right: the sampled frequencies ``np.bincount(labels) / n`` next to π = (0.5, 0.3, 0.2),
      each bar labelled with its value to 3 decimals (sampled: 0.473, 0.315, 0.212).

    Parameters
    ----------
    X : ndarray, shape (n, 2), optional
        Points drawn from ``three_component_2d``, with ``labels`` (ndarray of int, shape (n,)).
    n, seed : int
        Sample size and seed when ``X`` and ``labels`` are not given.

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.three_component_2d()
    if X is None or labels is None:
        X, labels = sample(gmm, n, np.random.default_rng(seed))
    X, labels = np.asarray(X, dtype=float), np.asarray(labels)
    n = len(X)
    freq = np.bincount(labels, minlength=gmm.K) / n
    colors = component_colors(gmm.K)
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(10.5, 4.4), width_ratios=(1.35, 1))
        ax = axes[0]
        scatter_labels(ax, X, labels, s=12, legend=True)
        plot_ellipses(ax, gmm)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(r"$z_n \sim$ Cat($\pi$), then $x_n \sim \mathcal{N}(\mu_{z_n}, \Sigma_{z_n})$" + f", n = {n}")
        ax = axes[1]
        k = np.arange(gmm.K)
        width = 0.38
        bars_true = ax.bar(k - width / 2, gmm.weights, width, color=colors, alpha=0.45, edgecolor=colors,
                           linewidth=1.5, label=r"$\pi_k$")
        bars_freq = ax.bar(k + width / 2, freq, width, color=colors, label="sampled frequency")
        ax.bar_label(bars_true, fmt="%.3f", fontsize=10, padding=2)
        ax.bar_label(bars_freq, fmt="%.3f", fontsize=10, padding=2)
        ax.set_xticks(k, [f"component {j + 1}" for j in k])
        ax.set_xlabel("component $k$")
        ax.set_ylabel("probability")
        ax.set_ylim(0, max(gmm.weights.max(), freq.max()) * 1.2)
        ax.legend(handles=[Patch(facecolor="#BBBBBB", edgecolor="#555555", label=r"$\pi_k$"),
                           Patch(facecolor="#555555", label="sampled frequency")], loc="upper right")
        ax.set_title("component frequencies")
    return fig


"""The figures of Chapter 02 (the latent-variable view)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import datasets
from ..mixture import log_joint, log_marginal, sample
from .primitives import (
    TOTAL_COLOR,
    _subplots,
    book_style,
    component_colors,
    plot_density_1d,
    plot_ellipses,
    scatter_labels,
)


def fig_ancestral_sampling(*, n: int = 1000, seed: int = 0):
    """Ancestral sampling from a 2-D mixture (chapter 02, eq. ``ancestral``).

    Setup
    -----
    * ``gmm = datasets.three_component_2d()``;
      ``X, labels = sample(gmm, n, np.random.default_rng(seed))``.
    * Left: each point coloured by the component z_n it was drawn from, with the true ellipses.
    * Right: the sampled frequencies ``np.bincount(labels) / n`` next to π = (0.5, 0.3, 0.2),
      each bar labelled with its value to 3 decimals (sampled: 0.473, 0.315, 0.212).

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.three_component_2d()
    X, labels = sample(gmm, n, np.random.default_rng(seed))
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


def fig_joint_and_marginal_1d(*, x0: float = -1.0, x_min: float = -5.0, x_max: float = 6.5):
    """The joint p(x, z_k = 1) = π_k N(x | μ_k, σ_k²) and the marginal p(x) (chapter 02).

    Setup
    -----
    ``datasets.three_component_1d()``.  Coloured: the K = 3 curves p(x, z_k = 1) (from
    :func:`gmmbook.log_joint`); black: their sum p(x) (from :func:`gmmbook.log_marginal`).
    At x0 a dotted vertical line marks the K + 1 values, listed in the legend to 4 decimals:
    with x0 = −1, p(x0, z_k = 1) = 0.0623, 0.0270, 0.0000 (k = 1, 2, 3) and p(x0) = 0.0893.

    Parameters
    ----------
    x0 : float
        The marked point.
    x_min, x_max : float
        The plotted range.

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.three_component_1d()
    x = np.linspace(x_min, x_max, 800)
    colors = component_colors(gmm.K)
    joint0 = np.exp(log_joint(np.array([[x0]]), gmm))[0]
    p0 = float(np.exp(log_marginal(np.array([[x0]]), gmm))[0])
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 4.4))
        plot_density_1d(ax, gmm, x, labels=False)
        ax.axvline(x0, color="#555555", linewidth=1, linestyle=":", zorder=0)
        handles = []
        for k in range(gmm.K):
            ax.plot(x0, joint0[k], "o", color=colors[k], markeredgecolor="white", zorder=4)
            handles.append(Line2D([], [], color=colors[k], linestyle="--", marker="o",
                                  label=f"$p(x, z_{k + 1} = 1)$; at $x_0$: {joint0[k]:.4f}"))
        ax.plot(x0, p0, "o", color=TOTAL_COLOR, markeredgecolor="white", zorder=4)
        handles.append(Line2D([], [], color=TOTAL_COLOR, marker="o",
                              label=f"$p(x) = {{\\sum}}_k\\, p(x, z_k = 1)$; at $x_0$: {p0:.4f}"))
        ax.legend(handles=handles, loc="upper right")
        ax.annotate(f"$x_0 = {x0:g}$", (x0, 0.62), xycoords=("data", "axes fraction"), xytext=(5, 14),
                    textcoords="offset points", fontsize=12, color="#555555")
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(0, 1.45 * float(np.max(np.exp(log_marginal(x[:, None], gmm)))))
        ax.set_xlabel("$x$")
        ax.set_ylabel("density")
        ax.set_title("joint and marginal of a three-component mixture")
    return fig

"""The figures of Chapter 04 (responsibilities and soft assignment)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..em import em
from ..mixture import log_joint, log_marginal, responsibilities, sample
from .primitives import (
    TOTAL_COLOR,
    _num,
    _subplots,
    book_style,
    component_colors,
    label_old_faithful,
    plot_ellipses,
    scatter_labels,
    scatter_resp,
)


def fig_posterior_simulation(*, x=None, labels=None, gmm=None, n: int = 1_000_000, seed: int = 7,
                             width: float = 0.1, x_min: float = -4.5, x_max: float = 6.0, min_count: int = 100):
    """Simulated hard labels near x against the responsibilities r_k(x) (chapter 04, eq. ``resp``, section 3).

    Setup
    -----
    * Model ``gmm``: by default ``datasets.three_component_1d()``, π = (0.3, 0.5, 0.2), μ = (−2, 1, 4),
      σ² = (0.5, 1, 0.3).
    * Draws ``x`` (n,) or (n, 1) with their hard labels ``labels`` (n,): the chapter passes its own; when
      None they are ``sample(gmm, n, np.random.default_rng(seed))``, the chapter's draws.
    * Bins of ``width`` over [x_min, x_max].  In every bin with at least ``min_count`` draws, the fraction
      f_k of its draws with z = k (dots) against r_k(x) = :func:`gmmbook.responsibilities` (lines).
      With the defaults: 99 bins; the binomial standard errors √(f_k(1 − f_k)/n_bin) are below 0.007,
      smaller than the dots, so no error bars are drawn.

    Returns
    -------
    matplotlib Figure
    """
    if gmm is None:
        gmm = datasets.three_component_1d()
    if x is None or labels is None:
        X, labels = sample(gmm, n, np.random.default_rng(seed))
        x = X
    x = np.asarray(x, dtype=float).reshape(-1)
    labels = np.asarray(labels)
    edges = np.arange(x_min, x_max + width / 2, width)
    centres = (edges[:-1] + edges[1:]) / 2
    counts = np.stack([np.histogram(x[labels == k], bins=edges)[0] for k in range(gmm.K)], axis=1)  # (bins, K)
    n_bin = counts.sum(axis=1)
    keep = n_bin >= min_count
    frac = counts[keep] / n_bin[keep, None]
    grid = np.linspace(x_min, x_max, 800)
    r_grid = responsibilities(grid[:, None], gmm)
    colors = component_colors(gmm.K)
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 4.6))
        for k in range(gmm.K):
            ax.plot(grid, r_grid[:, k], color=colors[k], linewidth=1.8, zorder=2)
            ax.plot(centres[keep], frac[:, k], "o", markersize=4, color=colors[k], markeredgecolor="white",
                    markeredgewidth=0.4, zorder=3)
        handles = [Line2D([], [], color="k", linewidth=1.8, label="$r_k(x)$ by Bayes' rule"),
                   Line2D([], [], color="k", marker="o", linestyle="none", markersize=4,
                          label="fraction of the bin with $z = k$")]
        ax.legend(handles=handles, loc="center left", fontsize=10)
        ax.set_ylabel("fraction, $r_k(x)$")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("$x$")
        ax.set_xlim(x_min, x_max)
        ax.set_title(f"{len(x):,} draws, {int(keep.sum())} bins of width {width:g}: fraction with $z = k$ against $r_k$")
    return fig


def fig_soft_vs_hard_old_faithful(*, X=None, gmm=None, resp=None, labels_km=None, centroids=None, seed: int = 0,
                                  gridsize: int = 300):
    """Old Faithful: K-means labels against the responsibilities of a K = 2 mixture (chapter 04).

    Setup
    -----
    * Data: ``X = datasets.old_faithful()`` (272 points, raw minutes).
    * Mixture: ``gmm = em(X, 2, rng=np.random.default_rng(seed)).gmm`` (full covariances;
      ℓ = −1130.26), ``resp = responsibilities(X, gmm)`` and hard labels ``argmax_k r_nk``.
    * K-means: ``scipy.cluster.vq.kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))`` on the
      same raw data, its two clusters renamed (of the 2! ways) to agree best with the argmax labels.
    * Left: K-means labels, centroids (✖) and its boundary, the perpendicular bisector of the two
      centroids.  Right: points coloured by responsibility (:func:`scatter_resp`, colour bar of
      r_n1), the components' 1-s.d. ellipses.  Both panels: the boundary r_n1 = ½ (dotted, the ½
      contour of :func:`gmmbook.responsibilities` on a ``gridsize``² grid), the bisector (dashed),
      and the points where argmax and K-means disagree, circled.
    * With the defaults 5 points disagree, at waiting times 64–71 min; the mixture gives each of
      them a responsibility of at least 0.998 for its own choice.
    * The chapter passes what it computed: the data ``X``, the fitted mixture ``gmm``, its
      responsibilities ``resp`` (N, K), the renamed K-means labels ``labels_km`` (N,) and
      ``centroids`` (2, D).  Each one left as None is computed as above.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.cluster.vq import kmeans2

    if X is None:
        X = datasets.old_faithful()
    if gmm is None:
        gmm = em(X, 2, rng=np.random.default_rng(seed)).gmm
    if resp is None:
        resp = responsibilities(X, gmm)
    labels = np.argmax(resp, axis=1)
    if labels_km is None or centroids is None:
        centroids, km = kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))
        if np.sum(km != labels) > np.sum((1 - km) != labels):       # K-means names its clusters arbitrarily
            km, centroids = 1 - km, centroids[::-1]
    else:
        km, centroids = np.asarray(labels_km), np.asarray(centroids)
    disagree = km != labels
    xlim = (X[:, 0].min() - 0.3, X[:, 0].max() + 0.3)
    ylim = (X[:, 1].min() - 4, X[:, 1].max() + 4)
    XX, YY = np.meshgrid(np.linspace(*xlim, gridsize), np.linspace(*ylim, gridsize))
    r1 = responsibilities(np.column_stack([XX.ravel(), YY.ravel()]), gmm)[:, 0].reshape(XX.shape)
    # the bisector {x : |x − m_1|² = |x − m_2|²} is the line 2 (m_2 − m_1)ᵀ x = |m_2|² − |m_1|²
    normal = 2 * (centroids[1] - centroids[0])
    offset = np.sum(centroids[1] ** 2) - np.sum(centroids[0] ** 2)
    xs = np.array(xlim)
    bisector_y = (offset - normal[0] * xs) / normal[1]
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(11, 5.2), sharex=True, sharey=True)
        scatter_labels(axes[0], X, km)
        axes[0].plot(centroids[:, 0], centroids[:, 1], marker="X", markersize=12, color="k",
                     markeredgecolor="white", linestyle="none", zorder=4)
        axes[0].set_title("K-means labels (raw minutes)")
        scatter_resp(axes[1], X, resp, colorbar=True)
        plot_ellipses(axes[1], gmm, n_std=(1,), linewidth=1.5)
        axes[1].set_title(r"mixture: colour mixes by $r_{nk}$")
        for ax in axes:
            ax.contour(XX, YY, r1, levels=[0.5], colors="k", linewidths=1.4, linestyles=":", zorder=2)
            ax.plot(xs, bisector_y, color="#555555", linestyle="--", linewidth=1.3, zorder=2)
            ax.scatter(X[disagree, 0], X[disagree, 1], s=170, facecolors="none", edgecolors="k",
                       linewidths=1.4, zorder=5)
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            label_old_faithful(ax)
            ax.tick_params(labelleft=True)
        handles = [Line2D([], [], color="k", linestyle=":", linewidth=1.4, label=r"mixture: $r_{n1} = \frac{1}{2}$"),
                   Line2D([], [], color="#555555", linestyle="--", linewidth=1.3, label="K-means boundary"),
                   Line2D([], [], marker="o", markersize=11, markerfacecolor="none", markeredgecolor="k",
                          linestyle="none", label=f"argmax $r_{{nk}}$ \u2260 K-means ({int(disagree.sum())})"),
                   Line2D([], [], marker="X", markersize=10, color="k", markeredgecolor="white", linestyle="none",
                          label="K-means centroid"),
                   Line2D([], [], marker="+", markersize=10, color="0.3", linewidth=1.5,
                          label="mixture mean, 1-s.d. ellipse")]
        fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=10.5)
    return fig


def fig_responsibility_curves_1d(*, x_star=None, x_min: float = -26.0, x_max: float = 16.0, num: int = 1000,
                                 y_min: float = -160.0):
    """The textbook example: ln p(x, z_k = 1) as parabolas and r_k(x) far and near (chapter 04).

    Setup
    -----
    * ``X, gmm = datasets.textbook_1d()``: data −3, −2.5, −1, 0, 2, 4, 5; components N(−4, 1),
      N(0, 0.2), N(8, 3) (variances), π_k = ⅓.
    * x = ``np.linspace(x_min, x_max, num)``.  Top: ln p(x, z_k = 1) = ln π_k + ln N(x | μ_k, σ_k²)
      (:func:`gmmbook.log_joint`), a downward parabola with curvature 1/σ_k², and ln p(x)
      (:func:`gmmbook.log_marginal`, black), clipped below at ``y_min``.  Bottom: r_k(x) =
      :func:`gmmbook.responsibilities` (log space), and the seven data points at their r_nk (dots).
      Both panels: the data as ticks on the x axis.
    * Dotted: the point x* left of the data where r_1 = r_3, found with ``scipy.optimize.brentq`` on
      ln p(x, z_1 = 1) − ln p(x, z_3 = 1) over [x_min, −5]; it is −10 − √(108 + 1.5 ln 3) ≈ −20.47
      (from the quadratic equation; component 2 is negligible there).  Left of x*, the widest
      component N(8, 3) takes every point, although its mean is the farthest.  The chapter passes
      ``x_star`` from that closed form; when None it is found with ``brentq`` as above.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.optimize import brentq

    X, gmm = datasets.textbook_1d()
    x = np.linspace(x_min, x_max, num)
    lj = log_joint(x[:, None], gmm)
    lm = log_marginal(x[:, None], gmm)
    r = responsibilities(x[:, None], gmm)
    r_data = responsibilities(X, gmm)

    def log_odds_13(t):
        a = log_joint(np.array([[t]]), gmm)[0]
        return a[0] - a[2]

    if x_star is None:
        x_star = brentq(log_odds_13, x_min, -5.0, xtol=1e-12)
    colors = component_colors(gmm.K)
    with book_style():
        fig, axes = _subplots(2, 1, figsize=(8.5, 7.0), sharex=True, height_ratios=(1.2, 1))
        ax = axes[0]
        ax.plot(x, lm, color=TOTAL_COLOR, linewidth=7, alpha=0.22, solid_capstyle="butt", label="$\\ln p(x)$",
                zorder=1)
        for k in range(gmm.K):
            mu, var = gmm.means[k, 0], gmm.covariances[k, 0, 0]
            ax.plot(x, lj[:, k], color=colors[k], zorder=2,
                    label=f"$\\ln p(x, z_{k + 1} = 1)$, $\\mathcal{{N}}({_num(mu, 0)}, {var:g})$")
        ax.set_ylim(y_min, 0.06 * -y_min)
        ax.set_ylabel("log density")
        ax.legend(loc="lower center", bbox_to_anchor=(0.42, 0.0), fontsize=10)
        ax.set_title("the log joint of each component is a parabola; the flattest wins far out")
        ax = axes[1]
        for k in range(gmm.K):
            ax.plot(x, r[:, k], color=colors[k], label=f"$r_{k + 1}(x)$")
            ax.plot(X[:, 0], r_data[:, k], "o", color=colors[k], markeredgecolor="white", markersize=7, zorder=4)
        ax.set_ylim(-0.04, 1.04)
        ax.set_ylabel("responsibility")
        ax.set_xlabel("$x$")
        ax.legend(loc="center left", fontsize=10)
        ax.set_title("responsibilities $r_k(x)$, and $r_{nk}$ of the seven data points (dots)")
        for ax in axes:
            ax.axvline(x_star, color="#555555", linestyle=":", linewidth=1.4, zorder=1)
            ax.plot(X[:, 0], np.zeros(len(X)), "|", color="k", markersize=12, transform=ax.get_xaxis_transform(),
                    clip_on=False, zorder=5)
            ax.set_xlim(x_min, x_max)
        axes[1].annotate(f"$r_1 = r_3$ at $x$ = {_num(x_star)}", (x_star, 0.5), xytext=(6, 0),
                         textcoords="offset points", ha="left", va="center", fontsize=11, color="#555555")
    return fig

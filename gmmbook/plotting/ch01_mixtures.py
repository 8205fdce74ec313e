"""The figures of Chapter 01 (mixtures of Gaussians)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..em import em
from ..mixture import log_likelihood, responsibilities, sample
from ..selection import n_parameters
from .primitives import (
    DATA_COLOR,
    TOTAL_COLOR,
    _num,
    _one_gaussian_fit,
    _subplots,
    book_style,
    label_old_faithful,
    plot_density_1d,
    plot_ellipses,
    scatter_labels,
    scatter_resp,
)


def fig_old_faithful_fits(*, K: int = 2, seed: int = 0):
    """Old Faithful: one Gaussian against a K = 2 mixture (chapter 01, opening figure).

    Setup
    -----
    * Data: ``datasets.old_faithful()`` (272 points, raw minutes).
    * Left: the maximum-likelihood single Gaussian, mean ``X.mean(axis=0)`` and covariance
      ``np.cov(X, rowvar=False, bias=True)``; ellipses at 1 and 2 standard deviations.
    * Right: ``em(X, K, rng=np.random.default_rng(seed))`` (full covariances, default tol),
      points coloured by the final responsibilities, ellipses of both components.
    * Each title gives the total log-likelihood ℓ = Σ_n ln p(x_n) to 2 decimals:
      one Gaussian ℓ = −1289.80, K = 2 mixture ℓ = −1130.26 (with the defaults).

    Parameters
    ----------
    K : int
        Components of the mixture on the right.
    seed : int
        Seed of the k-means++ start of EM.

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful()
    one = _one_gaussian_fit(X)
    fit = em(X, K, rng=np.random.default_rng(seed))
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(10, 4.4), sharex=True, sharey=True)
        ax = axes[0]
        ax.scatter(X[:, 0], X[:, 1], s=22, color=DATA_COLOR, edgecolors="white", linewidths=0.3)
        plot_ellipses(ax, one, colors=[TOTAL_COLOR])
        ax.set_title(f"one Gaussian: $\\ell$ = {_num(log_likelihood(X, one))}")
        ax = axes[1]
        scatter_resp(ax, X, fit.resp)
        plot_ellipses(ax, fit.gmm)
        ax.set_title(f"mixture of K = {K} Gaussians: $\\ell$ = {_num(fit.log_likelihood)}")
        for ax in axes:
            label_old_faithful(ax)
            ax.tick_params(labelleft=True)
        handles = [Line2D([], [], color="k", linestyle="-", label="1 s.d."),
                   Line2D([], [], color="k", linestyle="--", label="2 s.d.")]
        axes[0].legend(handles=handles, loc="upper left")
    return fig


def fig_mixture_density_1d(*, x_min: float = -5.0, x_max: float = 6.5):
    """A 1-D mixture density and its weighted components (chapter 01, eq. ``mixture``).

    Setup
    -----
    ``datasets.three_component_1d()``: π = (0.3, 0.5, 0.2), μ = (−2, 1, 4), σ² = (0.5, 1, 0.3).
    Black: p(x) = Σ_k π_k N(x | μ_k, σ_k²); shaded: each π_k N(x | μ_k, σ_k²), evaluated with
    :func:`gmmbook.log_joint` / :func:`gmmbook.log_marginal` on 800 points over [x_min, x_max].

    Parameters
    ----------
    x_min, x_max : float
        The plotted range.

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.three_component_1d()
    x = np.linspace(x_min, x_max, 800)
    with book_style():
        fig, ax = _subplots(figsize=(8, 4.2))
        plot_density_1d(ax, gmm, x, shade=True)
        ax.set_xlabel("$x$")
        ax.set_ylabel("density")
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])
        ax.set_title(r"$p(x) = {\sum}_k\, \pi_k\,\mathcal{N}(x \mid \mu_k, \sigma_k^2)$, K = 3")
        ax.legend(loc="upper left")
    return fig


def fig_kmeans_vs_gmm(*, n: int = 400, seed: int = 1):
    """K-means against a full-covariance mixture on two long parallel clusters (chapter 01).

    Setup
    -----
    * Data: ``X, _ = sample(datasets.elongated_2d(), n, np.random.default_rng(seed))``
      (two clusters N((0, ∓1.5), diag(4, 0.15)), equal weights).
    * Left: ``scipy.cluster.vq.kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))``
      labels and centroids; K-means's round clusters cut the long ones across.
    * Right: ``em(X, 2, rng=np.random.default_rng(seed))`` (full covariances), hard labels
      ``argmax_k r_nk`` and the fitted ellipses at 1 and 2 standard deviations.
    * The left title gives the percentage of points whose K-means cluster is not their true
      component (up to relabelling), the right the same for the mixture: 44 % and 0 % with
      the defaults.  (This EM run needs 838 iterations from the k-means start: seconds.)

    Returns
    -------
    matplotlib Figure
    """
    from scipy.cluster.vq import kmeans2

    X, z = sample(datasets.elongated_2d(), n, np.random.default_rng(seed))
    centroids, km_labels = kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))
    fit = em(X, 2, rng=np.random.default_rng(seed))
    gmm_labels = np.argmax(fit.resp, axis=1)

    def error_rate(labels):
        wrong = np.mean(labels != z)
        return min(wrong, 1 - wrong)

    with book_style():
        fig, axes = _subplots(2, 1, figsize=(8.5, 6.8), sharex=True, sharey=True)
        ax = axes[0]
        scatter_labels(ax, X, km_labels)
        ax.plot(centroids[:, 0], centroids[:, 1], marker="X", markersize=13, color="k",
                markeredgecolor="white", linestyle="none", zorder=4)
        ax.set_title(f"K-means (K = 2, \u2716 = centroids): {100 * error_rate(km_labels):.1f}% misassigned")
        ax = axes[1]
        scatter_labels(ax, X, gmm_labels)
        plot_ellipses(ax, fit.gmm)
        ax.set_title(f"GMM, full $\\Sigma_k$ (K = 2): {100 * error_rate(gmm_labels):.1f}% misassigned")
        for ax in axes:
            ax.set_xlabel("$x_1$")
            ax.set_ylabel("$x_2$")
            ax.tick_params(labelbottom=True)
            ax.set_aspect("equal")
    return fig


def fig_hard_vs_soft(*, n: int = 300, seed: int = 2):
    """Hard against soft assignment on two overlapping clusters (chapter 01; again in 04).

    Setup
    -----
    * Data: ``X, _ = sample(datasets.overlapping_2d(), n, np.random.default_rng(seed))``
      (N((0, 0), I) and N((2, 0), I), equal weights).
    * Responsibilities under the *true* parameters: ``resp = responsibilities(X, gmm)``.
    * Left: hard labels ``argmax_k r_nk``; right: :func:`scatter_resp` colours (blue for r_n1 = 1,
      grey for r_n1 = ½, orange for r_n1 = 0) with a colour bar of r_n1.
    * Both: the true components' 1-standard-deviation circles and the boundary r_n1 = ½ (the line
      x_1 = 1, drawn as the ½ contour of r_n1 on a grid).

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.overlapping_2d()
    X, _ = sample(gmm, n, np.random.default_rng(seed))
    resp = responsibilities(X, gmm)
    labels = np.argmax(resp, axis=1)
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(10.5, 4.4), sharex=True, sharey=True)
        scatter_labels(axes[0], X, labels)
        axes[0].set_title(r"hard: $z_n = \arg\max_k\, r_{nk}$")
        scatter_resp(axes[1], X, resp, colorbar=True)
        axes[1].set_title(r"soft: colour mixes by $r_{nk}$")
        xlim = (X[:, 0].min() - 0.3, X[:, 0].max() + 0.3)
        ylim = (X[:, 1].min() - 0.3, X[:, 1].max() + 0.3)
        xs = np.linspace(*xlim, 200)
        ys = np.linspace(*ylim, 200)
        XX, YY = np.meshgrid(xs, ys)
        r1 = responsibilities(np.column_stack([XX.ravel(), YY.ravel()]), gmm)[:, 0].reshape(XX.shape)
        for ax in axes:
            plot_ellipses(ax, gmm, linewidth=1.5, n_std=(1,))
            ax.contour(XX, YY, r1, levels=[0.5], colors="k", linewidths=1.2, linestyles=":", zorder=2)
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            ax.set_xlabel("$x_1$")
            ax.set_ylabel("$x_2$")
            ax.tick_params(labelleft=True)
            ax.set_aspect("equal")
        axes[0].legend(handles=[Line2D([], [], color="k", linestyle=":", label=r"$r_{n1} = \frac{1}{2}$")],
                       loc="upper left")
    return fig


def fig_covariance_structures(*, K: int = 2, seed: int = 0,
                              covariance_types=("full", "diag", "spherical", "tied")):
    """The four covariance structures fitted to standardised Old Faithful (chapter 01).

    Setup
    -----
    * Data: ``X = datasets.old_faithful()`` standardised column-wise,
      ``Xs = (X - X.mean(axis=0)) / X.std(axis=0)`` (z-scores, ddof = 0).
    * For each type t: ``em(Xs, K, covariance_type=t, rng=np.random.default_rng(seed))``.
    * Each panel: points coloured by responsibilities, ellipses at 1 and 2 standard deviations;
      title "t: p parameters" with p = ``n_parameters(K, 2, t)`` (11, 9, 7, 8 for K = 2), and
      the total log-likelihood ℓ on the standardised data, to 2 decimals: with the defaults
      −385.46 (full), −403.00 (diag), −423.33 (spherical), −395.38 (tied).

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    with book_style():
        ncols = 2 if len(covariance_types) > 1 else 1
        nrows = int(np.ceil(len(covariance_types) / ncols))
        fig, axes = _subplots(nrows, ncols, figsize=(4.3 * ncols, 4.1 * nrows), sharex=True, sharey=True,
                              squeeze=False)
        for ax, t in zip(axes.ravel(), covariance_types):
            fit = em(Xs, K, covariance_type=t, rng=np.random.default_rng(seed))
            scatter_resp(ax, Xs, fit.resp, s=14)
            plot_ellipses(ax, fit.gmm, linewidth=1.8)
            ax.set_title(f"{t}: {n_parameters(K, 2, t)} parameters, $\\ell$ = {_num(fit.log_likelihood)}")
            label_old_faithful(ax, standardised=True)
            ax.tick_params(labelleft=True, labelbottom=True)
            ax.set_aspect("equal")
        for ax in axes.ravel()[len(covariance_types):]:
            ax.set_visible(False)
    return fig

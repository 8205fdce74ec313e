"""The figures of Chapter 01 (mixtures of Gaussians).

Each function takes, as keyword arguments, the objects the chapter has already computed (data, fits,
labels), so that the chapter draws without recomputing; called without them (as ``make figures``
does) it computes the same objects from the book's setup stated in its docstring.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..em import em
from ..mixture import log_likelihood, sample
from ..selection import n_parameters
from .primitives import DATA_COLOR, TOTAL_COLOR, _num, _one_gaussian_fit, _subplots, book_style
from .primitives import label_old_faithful, plot_density_1d, plot_ellipses, scatter_labels, scatter_resp

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


def fig_old_faithful_fits(*, X=None, one_gaussian=None, fit=None, K: int = 2, seed: int = 0):
    """Old Faithful: one Gaussian against a K = 2 mixture (chapter 01, section 1).

    Setup
    -----
    * Data: ``X = datasets.old_faithful()`` (272 points, raw minutes).
    * Left: the maximum-likelihood single Gaussian ``one_gaussian``, mean ``X.mean(axis=0)`` and
      covariance ``np.cov(X, rowvar=False, bias=True)``; ellipses at 1 and 2 standard deviations.
    * Right: ``fit = em(X, K, rng=np.random.default_rng(seed))`` (full covariances), points
      coloured by its responsibilities, ellipses of both components.
    * Each title gives the total log-likelihood ℓ = Σ_n ln p(x_n) to 2 decimals:
      one Gaussian ℓ = −1289.80, K = 2 mixture ℓ = −1130.26 (with the defaults).

    Parameters
    ----------
    X : ndarray, shape (N, 2), optional
        The data; default Old Faithful.
    one_gaussian : GMM, optional
        The single Gaussian (K = 1) fitted to ``X``; computed when not given.
    fit : EMResult, optional
        The mixture fitted to ``X``; computed with ``K`` and ``seed`` when not given.
    K, seed : int
        Components and seed of the k-means++ start, used only when ``fit`` is not given.

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful() if X is None else np.asarray(X, dtype=float)
    one = _one_gaussian_fit(X) if one_gaussian is None else one_gaussian
    fit = em(X, K, rng=np.random.default_rng(seed)) if fit is None else fit
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(10, 4.4), sharex=True, sharey=True)
        ax = axes[0]
        ax.scatter(X[:, 0], X[:, 1], s=22, color=DATA_COLOR, edgecolors="white", linewidths=0.3)
        plot_ellipses(ax, one, colors=[TOTAL_COLOR])
        ax.set_title(f"one Gaussian: $\\ell$ = {_num(log_likelihood(X, one))}")
        ax = axes[1]
        scatter_resp(ax, X, fit.resp)
        plot_ellipses(ax, fit.gmm)
        ax.set_title(f"mixture of K = {fit.gmm.K} Gaussians: $\\ell$ = {_num(fit.log_likelihood)}")
        for ax in axes:
            label_old_faithful(ax)
            ax.tick_params(labelleft=True)
        handles = [Line2D([], [], color="k", linestyle="-", label="1 s.d."),
                   Line2D([], [], color="k", linestyle="--", label="2 s.d.")]
        axes[0].legend(handles=handles, loc="upper left")
    return fig


def fig_mixture_density_1d(*, gmm=None, x_min: float = -5.0, x_max: float = 6.5):
    """A 1-D mixture density and its weighted components (chapter 01, eq. ``mixture``).

    Setup
    -----
    ``gmm = datasets.three_component_1d()``: π = (0.3, 0.5, 0.2), μ = (−2, 1, 4), σ² = (0.5, 1, 0.3).
    Black: p(x) = Σ_k π_k N(x | μ_k, σ_k²); shaded: each π_k N(x | μ_k, σ_k²), evaluated with
    :func:`gmmbook.log_joint` / :func:`gmmbook.log_marginal` on 800 points over [x_min, x_max].

    Parameters
    ----------
    gmm : GMM, optional
        A 1-D mixture; default ``datasets.three_component_1d()``.
    x_min, x_max : float
        The plotted range.

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.three_component_1d() if gmm is None else gmm
    x = np.linspace(x_min, x_max, 800)
    with book_style():
        fig, ax = _subplots(figsize=(8, 4.2))
        plot_density_1d(ax, gmm, x, shade=True)
        ax.set_xlabel("$x$")
        ax.set_ylabel("density")
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])
        ax.set_title(rf"$p(x) = {{\sum}}_k\, \pi_k\,\mathcal{{N}}(x \mid \mu_k, \sigma_k^2)$, K = {gmm.K}")
        ax.legend(loc="upper left")
    return fig


def fig_kmeans_vs_gmm(*, X=None, labels=None, centroids=None, kmeans_labels=None, fit=None,
                      n: int = 400, seed: int = 1):
    """K-means against a full-covariance mixture on two long parallel clusters (chapter 01, section 3).

    Setup
    -----
    * Data: ``X, labels = sample(datasets.elongated_2d(), n, np.random.default_rng(seed))``
      (two clusters N((0, ∓1.5), diag(4, 0.15)), equal weights; ``labels`` = the drawing component).
    * Top: ``centroids, kmeans_labels = scipy.cluster.vq.kmeans2(X, 2, minit="++",
      rng=np.random.default_rng(seed))``; K-means' round clusters cut the long ones across.
    * Bottom: ``fit = em(X, 2, rng=np.random.default_rng(seed))`` (full covariances), hard labels
      ``argmax_k r_nk`` and the fitted ellipses at 1 and 2 standard deviations.
    * Each title gives the percentage of points whose cluster is not their true component (up to
      relabelling): 44.0 % for K-means and 0.0 % for the mixture with the defaults.

    Parameters
    ----------
    X, labels : ndarray, shape (n, 2) and (n,), optional
        The sample and the component that drew each point.
    centroids, kmeans_labels : ndarray, shape (2, 2) and (n,), optional
        The K-means result on ``X``.
    fit : EMResult, optional
        The full-covariance mixture fitted to ``X``.
    n, seed : int
        Sample size and seed, used for whatever is not given.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.cluster.vq import kmeans2

    if X is None or labels is None:
        X, labels = sample(datasets.elongated_2d(), n, np.random.default_rng(seed))
    if centroids is None or kmeans_labels is None:
        centroids, kmeans_labels = kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))
    fit = em(X, 2, rng=np.random.default_rng(seed)) if fit is None else fit
    gmm_labels = np.argmax(fit.resp, axis=1)

    def error_rate(assigned):
        wrong = np.mean(assigned != labels)
        return min(wrong, 1 - wrong)

    with book_style():
        fig, axes = _subplots(2, 1, figsize=(8.5, 6.8), sharex=True, sharey=True)
        ax = axes[0]
        scatter_labels(ax, X, kmeans_labels)
        ax.plot(centroids[:, 0], centroids[:, 1], marker="X", markersize=13, color="k",
                markeredgecolor="white", linestyle="none", zorder=4)
        ax.set_title(f"K-means (K = 2, \u2716 = centroids): {100 * error_rate(kmeans_labels):.1f}% misassigned")
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


def fig_covariance_structures(*, X=None, fits=None, K: int = 2, seed: int = 0):
    """The four covariance structures fitted to standardised Old Faithful (chapter 01, section 4).

    Setup
    -----
    * Data: ``X = datasets.old_faithful()`` standardised column-wise,
      ``(X - X.mean(axis=0)) / X.std(axis=0)`` (z-scores, divisor N).
    * ``fits[t] = em(X, K, covariance_type=t, rng=np.random.default_rng(seed))`` for t in
      ``("full", "diag", "spherical", "tied")``.
    * Each panel: points coloured by responsibilities, ellipses at 1 and 2 standard deviations;
      title "t: M parameters" with M = ``n_parameters(K, 2, t)`` (11, 9, 7, 8 for K = 2), and
      the total log-likelihood ℓ on the standardised data, to 2 decimals: with the defaults
      −385.46 (full), −403.00 (diag), −423.33 (spherical), −395.38 (tied).

    Parameters
    ----------
    X : ndarray, shape (N, 2), optional
        The (standardised) data the fits were made on.
    fits : dict of str to EMResult, optional
        One fit per covariance type, in the order to draw; computed with ``K`` and ``seed`` when
        not given.
    K, seed : int
        Used only when ``fits`` is not given.

    Returns
    -------
    matplotlib Figure
    """
    if X is None:
        raw = datasets.old_faithful()
        X = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    if fits is None:
        fits = {t: em(X, K, covariance_type=t, rng=np.random.default_rng(seed)) for t in COVARIANCE_TYPES}
    with book_style():
        ncols = 2 if len(fits) > 1 else 1
        nrows = int(np.ceil(len(fits) / ncols))
        fig, axes = _subplots(nrows, ncols, figsize=(4.3 * ncols, 4.1 * nrows), sharex=True, sharey=True,
                              squeeze=False)
        for ax, (t, fit) in zip(axes.ravel(), fits.items()):
            scatter_resp(ax, X, fit.resp, s=14)
            plot_ellipses(ax, fit.gmm, linewidth=1.8)
            ax.set_title(f"{t}: {n_parameters(fit.gmm.K, fit.gmm.D, t)} parameters, "
                         f"$\\ell$ = {_num(fit.log_likelihood)}")
            label_old_faithful(ax, standardised=True)
            ax.tick_params(labelleft=True, labelbottom=True)
            ax.set_aspect("equal")
        for ax in axes.ravel()[len(fits):]:
            ax.set_visible(False)
    return fig

"""Plotting for the book: axes-level primitives and the book's figures.

This is the only module of :mod:`gmmbook` that imports matplotlib.  It draws; it does not
compute.  Every number in a figure comes from the public :mod:`gmmbook` API (densities,
responsibilities, EM, sampling), so a picture and a number printed in a chapter agree.

Two layers:

* **Primitives** take an ``ax`` and draw one thing: :func:`plot_ellipses`,
  :func:`plot_density_contours`, :func:`scatter_resp`, :func:`scatter_labels`,
  :func:`plot_density_1d`, :func:`plot_hist_density`, :func:`plot_loglik`.
* **Book figures** ``fig_*()`` take keyword arguments only, whose defaults are the book's
  setup (data, seeds, parameters, all stated in the docstring), and return a
  :class:`matplotlib.figure.Figure`.  :data:`BOOK_FIGURES` lists them by name;
  ``make figures`` writes each to ``figures/<name>.png`` with :func:`save_figure`.

Style: :func:`book_style` is a context manager (nothing is changed on import); every
``fig_*`` function draws inside it.  Component colours are the Okabe–Ito palette
(:data:`COMPONENT_COLORS`), which stays distinguishable under the common colour-vision
deficiencies.  In a chapter::

    from gmmbook import plotting
    fig = plotting.fig_old_faithful_fits()
    plt.show()

or, to use a primitive in a figure of your own::

    with plotting.book_style():
        fig, ax = plt.subplots()
        plotting.scatter_resp(ax, X, resp)
        plotting.plot_ellipses(ax, gmm)
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Patch

from . import datasets
from .em import em
from .mixture import GMM, _gmm_1d, log_joint, log_likelihood, log_marginal, responsibilities, sample
from .selection import n_parameters

__all__ = [
    "BOOK_FIGURES",
    "COMPONENT_COLORS",
    "DATA_COLOR",
    "DOUBT_COLOR",
    "DPI",
    "OLD_FAITHFUL_LABELS",
    "TOTAL_COLOR",
    "book_style",
    "component_colors",
    "label_old_faithful",
    "plot_density_1d",
    "plot_density_contours",
    "plot_ellipses",
    "plot_hist_density",
    "plot_loglik",
    "save_figure",
    "scatter_labels",
    "scatter_resp",
] + [
    "fig_old_faithful_fits",
    "fig_mixture_density_1d",
    "fig_kmeans_vs_gmm",
    "fig_hard_vs_soft",
    "fig_covariance_structures",
    "fig_ancestral_sampling",
    "fig_joint_and_marginal_1d",
    "fig_loglik_slice",
    "fig_permutation_symmetry",
    "fig_collapse",
    "fig_logsumexp_underflow",
    "fig_posterior_simulation",
    "fig_soft_vs_hard_old_faithful",
    "fig_responsibility_curves_1d",
    "fig_q_lower_bound",
    "fig_lagrange_simplex",
    "fig_em_snapshots",
    "fig_em_loglik_curve",
    "fig_restarts_histogram",
    "fig_kmeans_limit",
    "fig_bic_aic",
]

# --------------------------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------------------------

#: Okabe & Ito (2008) colour-blind-safe palette, in the order components use it:
#: blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
COMPONENT_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

#: Neutral colour for data points that belong to no component in particular.
DATA_COLOR = "#7F7F7F"
#: Colour of a mixture's total density p(x) and of reference curves.
TOTAL_COLOR = "#000000"

#: Axis labels (with units) of the Old Faithful data, columns 0 and 1.
OLD_FAITHFUL_LABELS = ("eruption time (min)", "waiting time (min)")

#: Resolution of every saved figure, in dots per inch.
DPI = 100

_BOOK_RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(COMPONENT_COLORS)),
    "lines.linewidth": 2.0,
    "lines.markersize": 7,
    "scatter.edgecolors": "face",
    "image.cmap": "viridis",
    "svg.hashsalt": "gmmbook",
    "path.simplify": False,
}


@contextlib.contextmanager
def book_style():
    """Apply the book's matplotlib style inside a ``with`` block (and only there).

    Font sizes readable on a slide, no top/right spines, the Okabe–Ito colour cycle,
    100 dpi.  Nothing is changed globally: the previous rcParams come back on exit.

    Examples
    --------
    >>> with book_style():
    ...     fig, ax = plt.subplots()
    """
    with mpl.rc_context(_BOOK_RC):
        yield


def component_colors(K: int) -> list[str]:
    """The colours of components 1..K (Okabe–Ito, repeated if K > 8).

    Parameters
    ----------
    K : int

    Returns
    -------
    list of str, length K
        Hex colours; component k (0-based) gets ``COMPONENT_COLORS[k % 8]``.
    """
    return [COMPONENT_COLORS[k % len(COMPONENT_COLORS)] for k in range(int(K))]


def label_old_faithful(ax, standardised: bool = False) -> None:
    """Label the axes of an Old Faithful scatter plot (units: minutes, or z-scores).

    Parameters
    ----------
    ax : matplotlib Axes
    standardised : bool
        If True the columns are z-scores, and the labels say so instead of "(min)".
    """
    if standardised:
        ax.set_xlabel("eruption time (z-score)")
        ax.set_ylabel("waiting time (z-score)")
    else:
        ax.set_xlabel(OLD_FAITHFUL_LABELS[0])
        ax.set_ylabel(OLD_FAITHFUL_LABELS[1])


def save_figure(fig, path, dpi: int = DPI) -> Path:
    """Write ``fig`` as a PNG that is byte-for-byte reproducible.

    Fixed dpi, no bounding-box trimming, and no ``Software`` metadata (which would carry the
    matplotlib version), so regenerating an unchanged figure gives an identical file.

    Parameters
    ----------
    fig : matplotlib Figure
    path : str or Path
        Where to write; parent folders must exist.  The format is always PNG.
    dpi : int

    Returns
    -------
    Path
    """
    path = Path(path)
    with book_style():
        fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
    return path


# --------------------------------------------------------------------------------------------
# Primitives (axes-level)
# --------------------------------------------------------------------------------------------


def _as_1d_gmm(gmm: GMM) -> GMM:
    if not isinstance(gmm, GMM):
        raise ValueError(f"gmm must be a gmmbook.GMM, got {type(gmm).__name__}.")
    if gmm.D != 1:
        raise ValueError(f"gmm must be one-dimensional (D = 1) here, got D = {gmm.D}.")
    return gmm


def _check_2d_gmm(gmm: GMM, dims) -> tuple[int, int]:
    if not isinstance(gmm, GMM):
        raise ValueError(f"gmm must be a gmmbook.GMM, got {type(gmm).__name__}.")
    i, j = (int(d) for d in dims)
    if gmm.D < 2 or not (0 <= i < gmm.D and 0 <= j < gmm.D) or i == j:
        raise ValueError(f"dims must be two different coordinates of a D ≥ 2 mixture; got dims={dims}, D = {gmm.D}.")
    return i, j


def _default_grid_1d(gmm: GMM, n: int = 800, n_std: float = 4.0) -> np.ndarray:
    sd = np.sqrt(gmm.covariances[:, 0, 0])
    mu = gmm.means[:, 0]
    return np.linspace(np.min(mu - n_std * sd), np.max(mu + n_std * sd), n)


def plot_ellipses(ax, gmm: GMM, *, n_std=(1, 2), colors=None, dims=(0, 1), linewidth: float = 2.0,
                  show_means: bool = True, zorder: float = 3):
    """Draw each component's covariance ellipses at 1 and 2 standard deviations.

    The ellipse at n standard deviations is {x : (x − μ_k)ᵀ Σ_k⁻¹ (x − μ_k) = n²}, drawn from
    the eigendecomposition of Σ_k (semi-axes n √λ along the eigenvectors).  The first
    entry of ``n_std`` is drawn solid, the others dashed.  For D > 2 the ellipses of the
    marginal of coordinates ``dims`` are drawn (the sub-block of μ_k and Σ_k).

    Parameters
    ----------
    ax : matplotlib Axes
    gmm : GMM
        D ≥ 2.
    n_std : sequence of float
        Mahalanobis radii; default 1 and 2.
    colors : sequence of colours, optional
        One per component; default :func:`component_colors`.
    dims : (int, int)
        The two coordinates to draw.
    linewidth : float
    show_means : bool
        Mark each μ_k with a white-edged ``+`` of its colour.
    zorder : float

    Returns
    -------
    list of matplotlib.patches.Ellipse
    """
    i, j = _check_2d_gmm(gmm, dims)
    colors = component_colors(gmm.K) if colors is None else list(colors)
    patches = []
    for k in range(gmm.K):
        mean = gmm.means[k, [i, j]]
        cov = gmm.covariances[k][np.ix_([i, j], [i, j])]
        eigvals, eigvecs = np.linalg.eigh(cov)
        angle = np.degrees(np.arctan2(eigvecs[1, 1], eigvecs[0, 1]))  # direction of the larger axis
        for m, n in enumerate(n_std):
            width, height = 2 * n * np.sqrt(eigvals[1]), 2 * n * np.sqrt(eigvals[0])
            patch = Ellipse(tuple(mean), width, height, angle=angle, fill=False, edgecolor=colors[k],
                            linewidth=linewidth, linestyle="-" if m == 0 else "--", zorder=zorder)
            ax.add_patch(patch)
            patches.append(patch)
        if show_means:
            ax.plot(*mean, marker="P", markersize=11, color=colors[k], markeredgecolor="white",
                    markeredgewidth=1.2, linestyle="none", zorder=zorder + 0.1)
    return patches


def plot_density_contours(ax, gmm: GMM, *, xlim=None, ylim=None, levels=8, gridsize: int = 200,
                          filled: bool = False, colors=None, cmap=None, linewidths: float = 1.0,
                          zorder: float = 1):
    """Contours of the density p(x) = Σ_k π_k N(x | μ_k, Σ_k) of a 2-D mixture.

    p is evaluated with :func:`gmmbook.log_marginal` on a ``gridsize × gridsize`` grid.

    Parameters
    ----------
    ax : matplotlib Axes
    gmm : GMM
        D = 2.
    xlim, ylim : (float, float), optional
        The grid's extent; default: the means ± 3.5 standard deviations of every component.
    levels : int or sequence of float
        Number of contour levels (chosen by matplotlib) or the density values themselves.
    gridsize : int
    filled : bool
        ``contourf`` instead of ``contour``.
    colors : colour, optional
        Line colour for unfilled contours; default dark grey (ignored if ``cmap`` is given).
    cmap : colormap name, optional
        For filled contours; default ``"Greys"``.
    linewidths : float
    zorder : float

    Returns
    -------
    matplotlib.contour.QuadContourSet
    """
    if not isinstance(gmm, GMM) or gmm.D != 2:
        raise ValueError("gmm must be a gmmbook.GMM with D = 2 for density contours.")
    sd = np.sqrt(np.diagonal(gmm.covariances, axis1=1, axis2=2))
    lo = np.min(gmm.means - 3.5 * sd, axis=0)
    hi = np.max(gmm.means + 3.5 * sd, axis=0)
    xlim = (lo[0], hi[0]) if xlim is None else xlim
    ylim = (lo[1], hi[1]) if ylim is None else ylim
    xs = np.linspace(*xlim, gridsize)
    ys = np.linspace(*ylim, gridsize)
    XX, YY = np.meshgrid(xs, ys)
    density = np.exp(log_marginal(np.column_stack([XX.ravel(), YY.ravel()]), gmm)).reshape(XX.shape)
    if filled:
        return ax.contourf(XX, YY, density, levels=levels, cmap=cmap or "Greys", zorder=zorder)
    if cmap is not None:
        return ax.contour(XX, YY, density, levels=levels, cmap=cmap, linewidths=linewidths, zorder=zorder)
    return ax.contour(XX, YY, density, levels=levels, colors=colors or "#555555", linewidths=linewidths,
                      zorder=zorder)


#: The colour of a point whose responsibilities are all equal (complete doubt).
DOUBT_COLOR = "#A0A0A0"


def _blend_colors(resp: np.ndarray, colors) -> np.ndarray:
    """Σ_k r_nk c_k, faded toward grey by the doubt u_n = (1 − max_k r_nk) / (1 − 1/K)."""
    K = resp.shape[1]
    rgb = np.array([to_rgb(c) for c in colors[:K]])
    mix = resp @ rgb
    if K > 1:
        doubt = (1.0 - resp.max(axis=1, keepdims=True)) / (1.0 - 1.0 / K)
        mix = (1.0 - doubt) * mix + doubt * np.array(to_rgb(DOUBT_COLOR))
    return np.clip(mix, 0.0, 1.0)


def scatter_resp(ax, X, resp, *, colors=None, colorbar: bool = False, s: float = 22, **kwargs):
    """Scatter 2-D points coloured by their responsibilities.

    Point n gets the responsibility-weighted mix of the component colours, Σ_k r_nk c_k,
    faded toward grey by its doubt u_n = (1 − max_k r_nk) / (1 − 1/K) ∈ [0, 1]:
    a point that surely belongs to component k has exactly c_k, a point with all r_nk equal is
    grey.  For K = 2 the colours run from c_2 (r_n1 = 0) through grey (r_n1 = ½) to c_1
    (r_n1 = 1).  (Fading matters: without it the plain mix of blue and orange looks green,
    the colour of component 3.)

    Parameters
    ----------
    ax : matplotlib Axes
    X : array_like, shape (N, 2)
        (Or shape (N, D); the first two columns are drawn.)
    resp : array_like, shape (N, K)
        Rows summing to 1, e.g. :func:`gmmbook.responsibilities`.
    colors : sequence of colours, optional
        One per component; default :func:`component_colors`.
    colorbar : bool
        For K = 2 only: add a colour bar of r_n1 (labelled "responsibility r_n1").
    s : float
        Marker area.
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    X = np.asarray(X, dtype=float)
    resp = np.asarray(resp, dtype=float)
    if X.ndim != 2 or X.shape[1] < 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}.")
    if resp.ndim != 2 or resp.shape[0] != X.shape[0]:
        raise ValueError(f"resp must have shape (N, K) with N = {X.shape[0]}, got {resp.shape}.")
    K = resp.shape[1]
    colors = component_colors(K) if colors is None else list(colors)
    kwargs.setdefault("edgecolors", "white")
    kwargs.setdefault("linewidths", 0.3)
    points = ax.scatter(X[:, 0], X[:, 1], c=_blend_colors(resp, colors), s=s, **kwargs)
    if colorbar:
        if K != 2:
            raise ValueError(f"colorbar=True needs K = 2 components, got K = {K}.")
        r1 = np.linspace(0.0, 1.0, 256)
        cmap = ListedColormap(_blend_colors(np.column_stack([r1, 1.0 - r1]), colors), name="resp")
        mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, 1), cmap=cmap)
        cax = ax.inset_axes([1.04, 0.0, 0.045, 1.0])
        ax.figure.colorbar(mappable, cax=cax, label=r"responsibility $r_{n1}$")
    return points


def scatter_labels(ax, X, labels, *, colors=None, s: float = 22, legend: bool = False, **kwargs):
    """Scatter 2-D points coloured by hard labels z_n ∈ {0, …, K−1} (component k+1 in the text).

    Parameters
    ----------
    ax : matplotlib Axes
    X : array_like, shape (N, 2)
    labels : array_like of int, shape (N,)
    colors : sequence of colours, optional
        Indexed by label; default :func:`component_colors`.
    s : float
    legend : bool
        Add legend entries "component 1", … for the labels present.
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers of shape ({X.shape[0]},), got {labels.dtype} {labels.shape}.")
    K = int(labels.max()) + 1
    colors = component_colors(K) if colors is None else list(colors)
    kwargs.setdefault("edgecolors", "white")
    kwargs.setdefault("linewidths", 0.3)
    points = ax.scatter(X[:, 0], X[:, 1], c=[colors[z] for z in labels], s=s, **kwargs)
    if legend:
        handles = [Line2D([], [], marker="o", linestyle="none", color=colors[k], label=f"component {k + 1}")
                   for k in range(K) if np.any(labels == k)]
        ax.legend(handles=handles)
    return points


def plot_density_1d(ax, gmm: GMM, x=None, *, components: bool = True, total: bool = True,
                    shade: bool = False, colors=None, labels: bool = True):
    """Draw a 1-D mixture density p(x) and its weighted components π_k N(x | μ_k, σ_k²).

    The weighted components are p(x, z_k = 1) (chapter 02, eq. ``joint-k``) and sum to p(x)
    (chapter 01, eq. ``mixture``); they come from :func:`gmmbook.log_joint` and
    :func:`gmmbook.log_marginal`.

    Parameters
    ----------
    ax : matplotlib Axes
    gmm : GMM
        D = 1.
    x : array_like, shape (M,), optional
        Where to evaluate; default 800 points over the means ± 4 standard deviations.
    components : bool
        Draw π_k N(x | μ_k, σ_k²) in the component colours.
    total : bool
        Draw p(x) in black.
    shade : bool
        Fill under each weighted component (translucent).
    colors : sequence of colours, optional
    labels : bool
        Give the curves legend labels (call ``ax.legend()`` yourself).

    Returns
    -------
    x : ndarray, shape (M,)
    joint : ndarray, shape (M, K)
        π_k N(x_m | μ_k, σ_k²).
    density : ndarray, shape (M,)
        p(x_m).
    """
    gmm = _as_1d_gmm(gmm)
    x = _default_grid_1d(gmm) if x is None else np.asarray(x, dtype=float).ravel()
    colors = component_colors(gmm.K) if colors is None else list(colors)
    joint = np.exp(log_joint(x[:, None], gmm))
    density = np.exp(log_marginal(x[:, None], gmm))
    if components:
        for k in range(gmm.K):
            label = rf"$\pi_{k + 1}\,\mathcal{{N}}(x \mid \mu_{k + 1}, \sigma_{k + 1}^2)$" if labels else None
            ax.plot(x, joint[:, k], color=colors[k], linewidth=1.8, linestyle="--" if not shade else "-",
                    label=label, zorder=2)
            if shade:
                ax.fill_between(x, joint[:, k], color=colors[k], alpha=0.3, linewidth=0, zorder=1)
    if total:
        ax.plot(x, density, color=TOTAL_COLOR, linewidth=2.4, label="$p(x)$" if labels else None, zorder=3)
    ax.set_ylim(bottom=0)
    return x, joint, density


def plot_hist_density(ax, x, gmm: GMM, *, bins=30, components: bool = True, grid=None, colors=None,
                      labels: bool = True):
    """A histogram of 1-D data (as a density) against a mixture's p(x) and weighted components.

    Parameters
    ----------
    ax : matplotlib Axes
    x : array_like, shape (N,) or (N, 1)
        The data.
    gmm : GMM
        D = 1.
    bins : int or sequence
        Passed to ``ax.hist`` (with ``density=True``).
    components : bool
        Also draw π_k N(x | μ_k, σ_k²), dashed, in the component colours.
    grid : array_like, optional
        Where to evaluate the curves; default covers the data and the components.
    colors : sequence of colours, optional
    labels : bool
        Legend labels on the histogram and the curves (call ``ax.legend()`` yourself).

    Returns
    -------
    x_grid : ndarray, shape (M,)
    joint : ndarray, shape (M, K)
    density : ndarray, shape (M,)
        As :func:`plot_density_1d`.
    """
    gmm = _as_1d_gmm(gmm)
    data = np.asarray(x, dtype=float).ravel()
    ax.hist(data, bins=bins, density=True, color="#D0D0D0", edgecolor="white", linewidth=0.6,
            label="data" if labels else None, zorder=0)
    if grid is None:
        g = _default_grid_1d(gmm)
        grid = np.linspace(min(g[0], data.min()), max(g[-1], data.max()), 800)
    out = plot_density_1d(ax, gmm, grid, components=components, colors=colors, labels=labels)
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    return out


def plot_loglik(ax, loglik, x=None, *, xlabel: str = "EM iteration",
                ylabel: str = r"total log-likelihood $\ell(\theta)$", color=None, marker: str | None = "o",
                label: str | None = None, **kwargs):
    """Line plot of log-likelihood values, e.g. ``EMResult.log_likelihoods`` against the iteration.

    Parameters
    ----------
    ax : matplotlib Axes
    loglik : array_like, shape (M,)
        Total log-likelihoods (sums over points, not means).
    x : array_like, shape (M,), optional
        Default 0, 1, …, M−1 (iteration 0 is the start).
    xlabel, ylabel : str
        Axis labels (set only when not empty).
    color : colour, optional
        Default: the next colour of the book's cycle.
    marker : str or None
        Drawn at every point when M ≤ 60, else no markers.
    label : str, optional
        Legend label.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    list of matplotlib.lines.Line2D
    """
    y = np.asarray(loglik, dtype=float).ravel()
    x = np.arange(len(y)) if x is None else np.asarray(x, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and loglik must have the same length, got {x.shape} and {y.shape}.")
    if marker is not None and len(y) <= 60:
        kwargs.setdefault("marker", marker)
        kwargs.setdefault("markersize", 5)
    if color is not None:
        kwargs["color"] = color
    lines = ax.plot(x, y, label=label, **kwargs)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return lines


# --------------------------------------------------------------------------------------------
# Book figures
# --------------------------------------------------------------------------------------------


def _num(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` decimals with a typographic minus sign (U+2212)."""
    return f"{value:.{digits}f}".replace("-", "\u2212")


def _power(value: float) -> str:
    """``value`` as mathtext 10^e when it is an exact power of ten (e ≠ 0), else 3 significant digits."""
    e = int(np.round(np.log10(value)))
    return f"$10^{{{e}}}$" if e != 0 and np.isclose(value, 10.0**e, rtol=1e-12, atol=0) else f"{value:.3g}"


def _subplots(*args, **kwargs):
    kwargs.setdefault("layout", "constrained")
    return plt.subplots(*args, **kwargs)



def _one_gaussian_fit(X: np.ndarray) -> GMM:
    """The maximum-likelihood single Gaussian: the mean and the biased (1/N) covariance."""
    return GMM(np.ones(1), X.mean(axis=0)[None, :], np.atleast_2d(np.cov(X, rowvar=False, bias=True))[None])


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


def fig_loglik_slice(*, n: int = 200, seed: int = 3, mu_min: float = -6.0, mu_max: float = 8.0,
                     num: int = 701):
    """A 1-D slice of the log-likelihood with several local maxima (chapter 03: not concave).

    Setup
    -----
    * Data: ``x, _ = sample(datasets.three_component_1d(), n, np.random.default_rng(seed))``
      (three bumps at −2, 1, 4).
    * Model: a K = 2 mixture made of the truth's first two components with their weights
      renormalised, π = (0.375, 0.625), σ² = (0.5, 1), μ_2 = 1 fixed; μ_1 moves over
      ``np.linspace(mu_min, mu_max, num)``; ℓ(μ_1) = ``log_likelihood(x, gmm)``.
      (With all three true components fixed the slice has a single maximum: every bump is
      already explained, so μ_1 has nowhere else to go.  With one component too few, μ_1
      can explain either unexplained bump: two local maxima.)
    * Local maxima of the grid are refined with ``scipy.optimize.minimize_scalar`` (bounded,
      between the neighbouring grid points) and marked with their μ_1 and ℓ to 2 decimals;
      with the defaults μ_1 = −1.88 (ℓ = −494.66, global) and μ_1 = 3.77 (ℓ = −582.10, local).
    * Lower panel: the data's histogram and the fixed component π_2 N(x | 1, 1).

    Returns
    -------
    matplotlib Figure
    """
    from scipy.optimize import minimize_scalar

    truth = datasets.three_component_1d()
    x, _ = sample(truth, n, np.random.default_rng(seed))
    weights = truth.weights[:2] / truth.weights[:2].sum()
    variances = truth.covariances[:2, 0, 0]
    mu2 = truth.means[1, 0]

    def loglik(mu1):
        return log_likelihood(x, _gmm_1d(weights, [mu1, mu2], variances))

    grid = np.linspace(mu_min, mu_max, num)
    ll = np.array([loglik(m) for m in grid])
    interior = np.flatnonzero((ll[1:-1] > ll[:-2]) & (ll[1:-1] >= ll[2:])) + 1
    maxima = []
    for i in interior:
        res = minimize_scalar(lambda m: -loglik(m), bounds=(grid[i - 1], grid[i + 1]), method="bounded",
                              options={"xatol": 1e-8})
        maxima.append((float(res.x), -float(res.fun)))
    with book_style():
        fig, axes = _subplots(2, 1, figsize=(8.5, 6.2), sharex=True, height_ratios=(2.2, 1))
        ax = axes[0]
        plot_loglik(ax, ll, grid, xlabel="", ylabel=r"$\ell(\mu_1)$", marker=None, color=TOTAL_COLOR)
        best = max(l for _, l in maxima)
        for m, l in maxima:
            kind = "global" if l == best else "local"
            ax.plot(m, l, "o", color=COMPONENT_COLORS[3], markersize=9, zorder=4)
            ax.annotate(f"{kind} max\n$\\mu_1$ = {_num(m)}, $\\ell$ = {_num(l)}", (m, l), xytext=(0, 12),
                        textcoords="offset points", ha="center", va="bottom", fontsize=11)
        span = ll.max() - ll.min()
        ax.set_ylim(ll.min() - 0.05 * span, ll.max() + 0.3 * span)
        ax.set_title(r"log-likelihood along $\mu_1$ (K = 2; $\pi$, $\sigma^2$, $\mu_2$ fixed)")
        ax = axes[1]
        fixed = _gmm_1d([1.0], [mu2], variances[1:])
        ax.hist(x.ravel(), bins=40, range=(mu_min, mu_max), density=True, color="#D0D0D0", edgecolor="white",
                linewidth=0.6, label=f"data (n = {n})")
        ax.plot(grid, weights[1] * np.exp(log_marginal(grid[:, None], fixed)), color=COMPONENT_COLORS[1],
                label=r"fixed $\pi_2\,\mathcal{N}(x \mid \mu_2, \sigma_2^2)$")
        ax.set_xlabel(r"$\mu_1$ (and $x$)")
        ax.set_ylabel("density")
        ax.set_xlim(mu_min, mu_max)
        ax.legend(loc="upper right", fontsize=10)
    return fig


def _mean_grid_loglik(x, mu1s, mu2s, sigma, weights):
    """ℓ on a grid of (μ_1, μ_2), one :func:`gmmbook.log_likelihood` call per grid point."""
    variances = [sigma**2, sigma**2]
    return np.array([[log_likelihood(x, _gmm_1d(weights, [m1, m2], variances)) for m1 in mu1s]
                     for m2 in mu2s])


def fig_permutation_symmetry(*, n: int = 200, seed: int = 4, sigma: float = 1.0, lim: float = 5.0,
                             num: int = 81):
    """The log-likelihood over (μ_1, μ_2): two mirrored maxima (chapter 03: not identifiable).

    Setup
    -----
    * Data: ``x, _ = sample(datasets.two_component_1d(), n, np.random.default_rng(seed))``.
    * Model: K = 2, σ_1 = σ_2 = ``sigma``, π = (½, ½) fixed; ℓ(μ_1, μ_2) = ``log_likelihood``
      on a ``num × num`` grid over [−lim, lim]², drawn as filled contours of ℓ − max ℓ.
    * The maximum with μ_1 < μ_2 is refined with ``scipy.optimize.minimize`` (Nelder–Mead)
      from the best grid point; its mirror image (μ_2, μ_1) is marked too, with its own ℓ
      (equal, since swapping components changes nothing), and the midpoint of the two on the
      diagonal μ_1 = μ_2, which is lower.  The values are printed in the legend (2 decimals);
      with the defaults: maximum (−2.05, 2.19) and mirror (2.19, −2.05), both ℓ = −420.72;
      midpoint (0.07, 0.07), ℓ = −740.97.  (6561 likelihood evaluations: a few seconds.)

    Returns
    -------
    matplotlib Figure
    """
    from scipy.optimize import minimize

    x, _ = sample(datasets.two_component_1d(), n, np.random.default_rng(seed))
    weights = [0.5, 0.5]

    def loglik(m1, m2):
        return log_likelihood(x, _gmm_1d(weights, [m1, m2], [sigma**2, sigma**2]))

    mus = np.linspace(-lim, lim, num)
    ll = _mean_grid_loglik(x, mus, mus, sigma, weights)  # ll[i, j] = ℓ(μ_1 = mus[j], μ_2 = mus[i])
    M1, M2 = np.meshgrid(mus, mus)
    upper = np.where(M1 < M2, ll, -np.inf)
    i, j = np.unravel_index(np.argmax(upper), ll.shape)
    res = minimize(lambda m: -loglik(*m), x0=[mus[j], mus[i]], method="Nelder-Mead",
                   options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 2000})
    a, b = (float(v) for v in res.x)
    l_ab, l_ba = loglik(a, b), loglik(b, a)
    mid = (a + b) / 2
    l_mid = loglik(mid, mid)
    top = max(l_ab, l_ba, float(ll.max()))
    depth = np.array([0, 2, 5, 10, 20, 40, 80, 160, 320, 640, np.inf])
    rel = ll - top
    with book_style():
        fig, ax = _subplots(figsize=(7.4, 6.2))
        levels = -depth[::-1]
        levels[0] = min(rel.min(), -depth[-2]) - 1
        cs = ax.contourf(M1, M2, rel, levels=levels, cmap="viridis",
                         norm=mpl.colors.BoundaryNorm(levels, 256))
        ax.contour(M1, M2, rel, levels=levels[1:-1], colors="white", linewidths=0.4, alpha=0.6)
        cbar = fig.colorbar(cs, ax=ax, ticks=levels[1:])
        cbar.set_label(r"$\ell(\mu_1, \mu_2) - \max\,\ell$")
        outline = [patheffects.withStroke(linewidth=3.5, foreground="#333333")]
        ax.plot([-lim, lim], [-lim, lim], color="white", linestyle="--", linewidth=1.8, path_effects=outline,
                label=r"diagonal $\mu_1 = \mu_2$")
        ax.plot(a, b, "o", color=COMPONENT_COLORS[3], markersize=11, markeredgecolor="white",
                label=f"maximum ({_num(a)}, {_num(b)}): $\\ell$ = {_num(l_ab)}")
        ax.plot(b, a, "s", color=COMPONENT_COLORS[1], markersize=10, markeredgecolor="white",
                label=f"mirror image ({_num(b)}, {_num(a)}): $\\ell$ = {_num(l_ba)}")
        ax.plot(mid, mid, "D", color="white", markersize=8, markeredgecolor="k",
                label=f"their midpoint ({_num(mid)}, {_num(mid)}): $\\ell$ = {_num(l_mid)}")
        ax.set_xlabel(r"$\mu_1$")
        ax.set_ylabel(r"$\mu_2$")
        ax.set_aspect("equal")
        ax.set_title(f"swapping the components: two equal maxima (n = {n}, $\\sigma_k$ = {sigma:g})")
        handles, labels = ax.get_legend_handles_labels()
        handles[0] = Line2D([], [], color="#333333", linestyle="--", linewidth=1.8)   # the white line is invisible on white
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=1, frameon=False, handlelength=3)
    return fig


def fig_collapse(*, n: int = 200, seed: int = 4, sigma_max: float = 1.0, sigma_min: float = 1e-100,
                 num: int = 201):
    """The likelihood is unbounded: a component collapsing onto one data point (chapter 03).

    Setup
    -----
    * Data: ``x, _ = sample(datasets.two_component_1d(), n, np.random.default_rng(seed))``
      (the same data as :func:`fig_permutation_symmetry`).
    * Model: K = 2, π = (½, ½); component 1 has μ_1 = x_0 = ``x[0, 0]`` (the first data point)
      and σ_1 ∈ ``np.logspace(np.log10(sigma_max), np.log10(sigma_min), num)``; component 2 is
      the one-Gaussian maximum-likelihood fit of the data, μ_2 = ``x.mean()``, σ_2² = ``x.var()``
      (1/N).  ℓ(σ_1) = ``log_likelihood(x, gmm)``.
    * Drawn against σ_1 on a log axis, σ_1 shrinking to the right.  First ℓ falls (the other
      n − 1 points lose component 1's share of their density), then the term of x_0,
      ln(½ N(x_0 | x_0, σ_1²) + …) ≈ −ln σ_1 + const, takes over and ℓ rises by ln 10 ≈ 2.30
      per decade, without bound (chapter 03, eq. ``collapse-asym``).
    * Annotations (2 decimals): ℓ at σ_1 = sigma_max, the lowest point of the dip, the first grid
      point where ℓ is back above ℓ(sigma_max), and ℓ at sigma_min with the rise over its last decade.
      With the defaults: x_0 = 1.077, ℓ(1) = −485.28, lowest ℓ = −586.7 at σ_1 ≈ 0.00316,
      back above ℓ(1) from σ_1 = 10^−47 (ℓ = −484.33), ℓ(10^−100) = −362.30, last decade +2.30.
    * A dashed line at the sensible fit that ``em`` finds from σ_1 = sigma_max, ℓ = −419.33 (both real
      components): the spike beats it once σ_1 is below about 10^−75.

    Returns
    -------
    matplotlib Figure
    """
    x, _ = sample(datasets.two_component_1d(), n, np.random.default_rng(seed))
    x0 = float(x[0, 0])
    mu2, var2 = float(x.mean()), float(x.var())

    def loglik(sigma1):
        return log_likelihood(x, _gmm_1d([0.5, 0.5], [x0, mu2], [sigma1**2, var2]))

    sigmas = np.logspace(np.log10(sigma_max), np.log10(sigma_min), num)
    ll = np.array([loglik(sig) for sig in sigmas])
    decade = np.flatnonzero(sigmas <= sigmas[-1] * 10)[0]
    lowest = int(np.argmin(ll))
    above = np.flatnonzero((np.arange(num) > lowest) & (ll > ll[0]))
    sensible = em(x, _gmm_1d([0.5, 0.5], [x0, mu2], [sigma_max**2, var2])).log_likelihood
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 4.8))
        plot_loglik(ax, ll, sigmas, xlabel=r"$\sigma_1$ (log scale, shrinking to the right)",
                    ylabel=r"total log-likelihood $\ell$", marker=None, color=TOTAL_COLOR)
        ax.set_xscale("log")
        decades = np.arange(np.ceil(np.log10(sigma_min)), np.floor(np.log10(sigma_max)) + 1)
        ax.set_xticks(10.0 ** decades[::-1][:: max(1, len(decades) // 6)])
        ax.invert_xaxis()
        ax.axhline(ll[0], color="#999999", linestyle=":", linewidth=1.2, zorder=0)
        ax.axhline(sensible, color=COMPONENT_COLORS[0], linestyle="--", linewidth=1.3, zorder=0)
        ax.annotate(f"EM's fit with both real components: $\\ell$ = {_num(sensible)}", (sigmas[0], sensible),
                    xytext=(10, 5), textcoords="offset points", va="bottom", fontsize=11, color=COMPONENT_COLORS[0])
        marked = [0, lowest, num - 1] + ([int(above[0])] if above.size else [])
        ax.plot(sigmas[marked], ll[marked], "o", color=COMPONENT_COLORS[3], zorder=4)
        ax.annotate(f"$\\sigma_1$ = {_power(sigmas[0])}: $\\ell$ = {_num(ll[0])}", (sigmas[0], ll[0]),
                    xytext=(10, 8), textcoords="offset points", va="bottom", fontsize=11)
        ax.annotate(f"lowest: $\\ell$ = {_num(ll[lowest], 1)}\nat $\\sigma_1$ ≈ {_power(sigmas[lowest])}",
                    (sigmas[lowest], ll[lowest]), xytext=(8, -4), textcoords="offset points", va="top", fontsize=11)
        if above.size:
            j = int(above[0])
            ax.annotate(f"back above from $\\sigma_1$ = {_power(sigmas[j])}", (sigmas[j], ll[j]),
                        xytext=(6, -12), textcoords="offset points", va="top", fontsize=11)
        ax.annotate(f"$\\sigma_1$ = {_power(sigmas[-1])}: $\\ell$ = {_num(ll[-1])}\n"
                    f"last decade: +{ll[-1] - ll[decade]:.2f}  (ln 10 = {np.log(10):.2f})",
                    (sigmas[-1], ll[-1]), xytext=(-4, 10), textcoords="offset points", ha="right",
                    va="bottom", fontsize=11)
        span = ll.max() - ll.min()
        ax.set_ylim(ll.min() - 0.2 * span, ll.max() + 0.25 * span)
        ax.set_title(f"$\\mu_1$ on the data point $x_0$ = {_num(x0, 3)}: $\\ell \\to +\\infty$ as $\\sigma_1 \\to 0$")
    return fig


def fig_logsumexp_underflow(*, x_max: float = 60.0, num: int = 601):
    """Naive ln Σ_k π_k N_k underflows to −∞ far out; log-sum-exp does not (chapter 03).

    Setup
    -----
    * Mixture: ``datasets.two_component_1d()`` (N(−2, 1), N(2, 1), π = (½, ½)).
    * x = ``np.linspace(0, x_max, num)``.
    * Naive: ``np.log(np.exp(log_joint(x, gmm)).sum(axis=1))``, the log of the sum of the
      densities π_k N(x | μ_k, σ_k²) computed in probability space.  Each density underflows
      to 0.0 once ln(π_k N_k) < ln(smallest subnormal double 4.9e−324) ≈ −744.44 (dotted line),
      and then ln 0 = −∞.  The numpy warnings are silenced inside with ``np.errstate``.
    * Stable: :func:`gmmbook.log_marginal` (log-sum-exp), finite everywhere.
    * Marked: the first grid point where the naive value is −∞ (x = 40.6 on the default
      grid) and ln p(x_max) from log-sum-exp to 2 decimals (−1683.61 for x_max = 60).

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.two_component_1d()
    x = np.linspace(0.0, x_max, num)
    with np.errstate(under="ignore", divide="ignore"):
        naive = np.log(np.exp(log_joint(x[:, None], gmm)).sum(axis=1))
    stable = log_marginal(x[:, None], gmm)
    bad = np.flatnonzero(~np.isfinite(naive))
    floor = float(np.log(np.nextafter(0.0, 1.0)))  # ln of the smallest positive double
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 4.8))
        ax.plot(x, np.where(np.isfinite(naive), naive, np.nan), color=COMPONENT_COLORS[1], linewidth=6,
                alpha=0.8, solid_capstyle="butt", label=r"naive: np.log(sum of $\pi_k\,\mathcal{N}_k$)")
        ax.plot(x, stable, color=TOTAL_COLOR, linestyle="--", label="log-sum-exp: gmmbook.log_marginal")
        ax.axhline(floor, color="#777777", linestyle=":", linewidth=1.2, zorder=0)
        ax.annotate(f"ln(4.9e\u2212324) = {_num(floor)}: exp() underflows to 0 below", (0, floor),
                    xytext=(4, 5), textcoords="offset points", fontsize=10.5, color="#555555")
        if bad.size:
            xb = x[bad[0]]
            ax.axvline(xb, color=COMPONENT_COLORS[3], linestyle="-", linewidth=1.5, alpha=0.8)
            ax.annotate(f"naive = $-\\infty$\nfrom x = {xb:.1f} on", (xb, 0.93), xycoords=("data", "axes fraction"),
                        xytext=(8, 0), textcoords="offset points", ha="left", va="top",
                        color=COMPONENT_COLORS[3], fontsize=12)
        ax.annotate(f"ln p({x[-1]:g}) = {_num(stable[-1])}", (x[-1], stable[-1]), xytext=(-14, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=11)
        ax.set_xlabel("$x$")
        ax.set_ylabel(r"$\ln p(x)$")
        ax.set_xlim(x[0], x[-1])
        ax.legend(loc="lower left")
        ax.set_title("computing ln p(x) far from both components")
    return fig


# ----------------------------------------------------------------------------------------------
# Chapter 04 figures


def fig_posterior_simulation(*, n: int = 1_000_000, seed: int = 7, width: float = 0.1, x_min: float = -4.5,
                             x_max: float = 6.0, min_count: int = 100, min_expected: float = 5.0):
    """Simulated labels near x against the responsibilities r_k(x) (chapter 04, eq. ``resp``).

    Setup
    -----
    * Model: ``datasets.three_component_1d()``, π = (0.3, 0.5, 0.2), μ = (−2, 1, 4), σ² = (0.5, 1, 0.3).
    * Draws: ``x, z = sample(gmm, n, np.random.default_rng(seed))``, each with its hard label z
      (the same draws as chapter 04's simulation check).
    * Bins of ``width`` over [x_min, x_max], centres c.  Top: the draws as a histogram (density
      scale) stacked by label, with p(x, z_k = 1) = π_k N(x | μ_k, σ_k²) (dashed) and p(x) (black)
      from :func:`gmmbook.log_joint` and :func:`gmmbook.log_marginal`.
    * Middle: in every bin with at least ``min_count`` draws, the fraction f_k of its n_bin draws
      with z = k (dots; bars of ±2 standard errors √(f_k(1 − f_k)/n_bin), mostly smaller than the
      dots) against r_k(x) = :func:`gmmbook.responsibilities` (lines).
    * Bottom: the residuals (f_k − r_k(c)) / √(r_k(c)(1 − r_k(c))/n_bin) of the pairs (bin, k)
      whose expected count n_bin r_k(c)(1 − r_k(c)) is at least ``min_expected`` (where the normal
      approximation to the binomial holds), with the chapter's tolerance ±4 dashed.
      The title gives their number and the largest |residual|.
      With the defaults: 99 bins, 144 pairs, largest |residual| 3.56.

    Returns
    -------
    matplotlib Figure
    """
    gmm = datasets.three_component_1d()
    X, z = sample(gmm, n, np.random.default_rng(seed))
    x = X[:, 0]
    edges = np.arange(x_min, x_max + width / 2, width)
    centres = (edges[:-1] + edges[1:]) / 2
    counts = np.stack([np.histogram(x[z == k], bins=edges)[0] for k in range(gmm.K)], axis=1)  # (bins, K)
    n_bin = counts.sum(axis=1)
    keep = n_bin >= min_count
    c, n_keep = centres[keep], n_bin[keep, None]
    frac = counts[keep] / n_keep
    r_c = responsibilities(c[:, None], gmm)
    var = r_c * (1 - r_c)
    tested = n_keep * var >= min_expected
    residual = np.where(tested, (frac - r_c) / np.sqrt(np.where(tested, var, 1.0) / n_keep), np.nan)
    grid = np.linspace(x_min, x_max, 800)
    r_grid = responsibilities(grid[:, None], gmm)
    colors = component_colors(gmm.K)
    with book_style():
        fig, axes = _subplots(3, 1, figsize=(8.5, 9.0), sharex=True, height_ratios=(1, 1.2, 0.75))
        ax = axes[0]
        bottom = np.zeros(len(centres))
        for k in range(gmm.K):
            height = counts[:, k] / (n * width)
            ax.bar(centres, height, width=width, bottom=bottom, color=colors[k], alpha=0.45, linewidth=0,
                   label=f"draws with $z = {k + 1}$")
            bottom += height
        plot_density_1d(ax, gmm, grid, labels=False)
        ax.set_ylabel("density")
        ax.set_ylim(0, 1.25 * bottom.max())
        ax.legend(loc="upper right", ncols=3, fontsize=10)
        ax.set_title(f"{n:,} draws $(x, z)$ stacked by their hard label (bins of width {width:g})")
        ax = axes[1]
        for k in range(gmm.K):
            ax.plot(grid, r_grid[:, k], color=colors[k], linewidth=1.8, zorder=2)
            se = np.sqrt(frac[:, k] * (1 - frac[:, k]) / n_keep[:, 0])
            ax.errorbar(c, frac[:, k], yerr=2 * se, fmt="o", markersize=3.5, color=colors[k],
                        markeredgecolor="white", markeredgewidth=0.4, elinewidth=1.0, capsize=0, zorder=3)
        handles = [Line2D([], [], color="k", linewidth=1.8, label="$r_k(x)$ by Bayes' rule"),
                   Line2D([], [], color="k", marker="o", linestyle="none", markersize=4,
                          label="fraction of the bin with $z = k$")]
        ax.legend(handles=handles, loc="center left", fontsize=10)
        ax.set_ylabel("fraction, $r_k(x)$")
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(f"{int(keep.sum())} bins with \u2265 {min_count} draws: fraction with $z = k$ against $r_k$")
        ax = axes[2]
        for k in range(gmm.K):
            ax.plot(c, residual[:, k], "o", markersize=4, color=colors[k], markeredgecolor="white",
                    markeredgewidth=0.4)
        for level in (-4, 4):
            ax.axhline(level, color="#777777", linestyle="--", linewidth=1.2)
        ax.axhline(0, color="#777777", linewidth=0.8)
        ax.set_ylim(-5, 5)
        ax.set_yticks([-4, -2, 0, 2, 4])
        ax.set_xlabel("$x$")
        ax.set_ylabel("residual (s.e.)")
        ax.set_xlim(x_min, x_max)
        ax.set_title(f"(fraction \u2212 $r_k$) / s.e. for {int(tested.sum())} (bin, $k$) pairs: "
                     f"largest |residual| {np.nanmax(np.abs(residual)):.2f}")
    return fig


def fig_soft_vs_hard_old_faithful(*, seed: int = 0, gridsize: int = 300):
    """Old Faithful: K-means labels against the responsibilities of a K = 2 mixture (chapter 04).

    Setup
    -----
    * Data: ``X = datasets.old_faithful()`` (272 points, raw minutes).
    * Mixture: ``em(X, 2, rng=np.random.default_rng(seed))`` (full covariances; ℓ = −1130.26),
      responsibilities ``resp = fit.resp`` and hard labels ``argmax_k r_nk``.
    * K-means: ``scipy.cluster.vq.kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))`` on the
      same raw data, its two clusters renamed (of the 2! ways) to agree best with the argmax labels.
    * Left: K-means labels, centroids (✖) and its boundary, the perpendicular bisector of the two
      centroids.  Right: points coloured by responsibility (:func:`scatter_resp`, colour bar of
      r_n1), the components' 1-s.d. ellipses.  Both panels: the boundary r_n1 = ½ (dotted, the ½
      contour of :func:`gmmbook.responsibilities` on a ``gridsize``² grid), the bisector (dashed),
      and the points where argmax and K-means disagree, circled.
    * With the defaults 5 points disagree, at waiting times 64–71 min; the mixture gives each of
      them a responsibility of at least 0.998 for its own choice.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.cluster.vq import kmeans2

    X = datasets.old_faithful()
    fit = em(X, 2, rng=np.random.default_rng(seed))
    resp = fit.resp
    labels = np.argmax(resp, axis=1)
    centroids, km = kmeans2(X, 2, minit="++", rng=np.random.default_rng(seed))
    if np.sum(km != labels) > np.sum((1 - km) != labels):       # K-means names its clusters arbitrarily
        km, centroids = 1 - km, centroids[::-1]
    disagree = km != labels
    xlim = (X[:, 0].min() - 0.3, X[:, 0].max() + 0.3)
    ylim = (X[:, 1].min() - 4, X[:, 1].max() + 4)
    XX, YY = np.meshgrid(np.linspace(*xlim, gridsize), np.linspace(*ylim, gridsize))
    r1 = responsibilities(np.column_stack([XX.ravel(), YY.ravel()]), fit.gmm)[:, 0].reshape(XX.shape)
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
        plot_ellipses(axes[1], fit.gmm, n_std=(1,), linewidth=1.5)
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


def fig_responsibility_curves_1d(*, x_min: float = -26.0, x_max: float = 16.0, num: int = 1000,
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
      component N(8, 3) takes every point, although its mean is the farthest.

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


# ----------------------------------------------------------------------------------------------
# Chapter 05 figures


def fig_q_lower_bound(*, mu_min: float = -6.5, mu_max: float = 1.0, num: int = 751):
    """ℓ and Q(θ, θ_old) + const along one mean: Q touches ℓ at θ_old and its top is the M-step (chapter 05).

    Setup
    -----
    * Data and θ_old: ``X, gmm_old = datasets.textbook_1d()`` (the seven points −3, −2.5, −1, 0,
      2, 4, 5; components N(−4, 1), N(0, 0.2), N(8, 3), equal weights);
      ``resp = responsibilities(X, gmm_old)``.
    * θ(μ_1): θ_old with the first mean replaced by μ_1 ∈ ``np.linspace(mu_min, mu_max, num)``;
      everything else stays at θ_old.
    * Black: ℓ(μ_1) = ``log_likelihood(X, θ(μ_1))``.  Blue: ``q_function(X, θ(μ_1), resp) + C``
      with the constant C = ℓ(θ_old) − Q(θ_old, θ_old) = −Σ_n Σ_k r_nk ln r_nk (the entropy of
      the responsibilities, 0 · ln 0 = 0), so that the two curves touch at μ_1 = −4.
      The shaded gap is ℓ − (Q + C) ≥ 0 (chapter 06 shows it is a Kullback–Leibler divergence).
    * Marked: θ_old (μ_1 = −4, ℓ = Q + C = −28.33), the maximum of Q + C at the M-step mean
      μ_1 = Σ_n r_n1 x_n / N_1 = −2.70 (``m_step(X, resp).means[0, 0]``; eq. ``m-means``), where
      Q + C = −26.59 and ℓ = −25.98, and the maximum of ℓ itself along the slice (refined with
      ``scipy.optimize.minimize_scalar``), μ_1 = −1.30, ℓ = −25.58.  Values to 2 decimals;
      C = 0.46.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.optimize import minimize_scalar

    from .em import m_step, q_function

    X, gmm_old = datasets.textbook_1d()
    resp = responsibilities(X, gmm_old)
    variances = gmm_old.covariances[:, 0, 0]
    means_old = gmm_old.means[:, 0]

    def theta(mu1):
        return _gmm_1d(gmm_old.weights, np.r_[mu1, means_old[1:]], variances)

    ll_old = log_likelihood(X, gmm_old)
    const = ll_old - q_function(X, gmm_old, resp)
    grid = np.linspace(mu_min, mu_max, num)
    ll = np.array([log_likelihood(X, theta(m)) for m in grid])
    lower = np.array([q_function(X, theta(m), resp) for m in grid]) + const
    mu_new = float(m_step(X, resp).means[0, 0])
    ll_new = log_likelihood(X, theta(mu_new))
    q_new = q_function(X, theta(mu_new), resp) + const
    best = minimize_scalar(lambda m: -log_likelihood(X, theta(m)), bounds=(mu_min, mu_max), method="bounded",
                           options={"xatol": 1e-8})
    mu_best, ll_best = float(best.x), -float(best.fun)
    mu0 = float(means_old[0])
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 5.2))
        ax.fill_between(grid, lower, ll, color=COMPONENT_COLORS[0], alpha=0.12, linewidth=0,
                        label=r"gap $\ell - (Q + C) \geq 0$")
        ax.plot(grid, ll, color=TOTAL_COLOR, label=r"$\ell(\theta)$, log-likelihood")
        ax.plot(grid, lower, color=COMPONENT_COLORS[0], linestyle="--",
                label=rf"$Q(\theta, \theta_{{\mathrm{{old}}}}) + C$, $C$ = {_num(const)}")
        ax.plot(mu0, ll_old, "o", color=COMPONENT_COLORS[3], markersize=9, zorder=4)
        ax.annotate(f"$\\theta_{{\\mathrm{{old}}}}$: $\\mu_1$ = {_num(mu0)}\n$\\ell$ = $Q + C$ = {_num(ll_old)}",
                    (mu0, ll_old),
                    xytext=(-12, 8), textcoords="offset points", ha="right", va="bottom", fontsize=11)
        ax.axvline(mu_new, color=COMPONENT_COLORS[0], linestyle=":", linewidth=1.4, zorder=0)
        ax.plot([mu_new, mu_new], [q_new, ll_new], "o", color=COMPONENT_COLORS[0], markersize=8, zorder=4)
        ax.annotate(f"M-step: $\\mu_1$ = {_num(mu_new)}\nmax of $Q + C$ = {_num(q_new)}\n$\\ell$ = {_num(ll_new)}",
                    (mu_new, q_new), xytext=(mu_new - 0.35, q_new - 5.5), ha="right", va="top", fontsize=11,
                    arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.8})
        ax.plot(mu_best, ll_best, "s", color=TOTAL_COLOR, markersize=7, zorder=4)
        ax.annotate(f"max of $\\ell$: $\\mu_1$ = {_num(mu_best)}, $\\ell$ = {_num(ll_best)}", (mu_best, ll_best),
                    xytext=(0, 12), textcoords="offset points", ha="left", va="bottom", fontsize=11)
        top = max(ll.max(), lower.max())
        ax.set_ylim(top - 14, top + 2.5)
        ax.set_xlim(mu_min, mu_max)
        ax.set_xlabel(r"$\mu_1$ (all other parameters at $\theta_{\mathrm{old}}$)")
        ax.set_ylabel("log-likelihood and bound")
        ax.set_title(r"Q + const touches $\ell$ at $\theta_{\mathrm{old}}$ and lies below it: raising Q raises $\ell$")
        ax.legend(loc="lower right")
    return fig


def _ternary_xy(weights):
    """Barycentric (π_1, π_2, π_3) → the plane: e_1 at (0, 0), e_2 at (1, 0), e_3 at (½, √3/2)."""
    weights = np.asarray(weights, dtype=float)
    return weights[..., 1] + weights[..., 2] / 2, weights[..., 2] * np.sqrt(3) / 2


def fig_lagrange_simplex(*, margin: float = 0.004, n_grid: int = 181, n_arrows: int = 9):
    """The weights' part of Q on the simplex, and the Lagrange condition (chapter 05, eq. ``m-weights``).

    Setup
    -----
    * ``X, gmm_old = datasets.textbook_1d()``; ``resp = responsibilities(X, gmm_old)``;
      N_k = ``resp.sum(axis=0)`` = (2.06, 2.01, 2.93), N = 7.  Q depends on π only through
      f(π) = Σ_k N_k ln π_k (eq. ``q-weights``); the M-step weights are
      π* = ``m_step(X, resp).weights`` = N_k / N = (0.29, 0.29, 0.42).
    * Left: the simplex π_1 + π_2 + π_3 = 1, π_k ≥ ``margin``, as a triangle (corner k is
      π = e_k), with filled contours of f(π) − f(π*) = −N KL(π* ‖ π) ≤ 0 on a barycentric grid
      of ``n_grid`` steps per side; white arrows: the direction of steepest ascent *within* the
      simplex (the gradient N_k / π_k minus its mean over k) on a grid of ``n_arrows`` steps;
      marked: π* (the maximum) and θ_old's weights (⅓, ⅓, ⅓), where f − f* = −0.11.
    * Right: the slice π_3 = π*_3 in the (π_1, π_2) plane: contours of N_1 ln π_1 + N_2 ln π_2,
      the constraint line π_1 + π_2 = 1 − π*_3, and at π* the gradient (N_1/π_1, N_2/π_2)
      = (N, N) = (7, 7), parallel to the line's normal (1, 1): ∂Q/∂π_k = −λ with λ = −N.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.tri as mtri

    from .em import m_step

    X, gmm_old = datasets.textbook_1d()
    resp = responsibilities(X, gmm_old)
    nk = resp.sum(axis=0)
    N = float(nk.sum())
    best = m_step(X, resp).weights

    def f(weights):
        return np.log(weights) @ nk

    f_best = f(best)
    steps = np.arange(n_grid + 1) / n_grid
    grid = np.array([(a, b, 1.0 - a - b) for a in steps for b in steps if a + b <= 1.0 + 1e-12])
    grid = margin + (1.0 - 3 * margin) * np.clip(grid, 0.0, 1.0)
    gx, gy = _ternary_xy(grid)
    depth = np.array([0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0])
    levels = np.r_[min(float((f(grid) - f_best).min()), -depth[-1]) - 1.0, -depth[::-1][:-1], 0.0]
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(12, 5.6), width_ratios=(1.2, 1))
        ax = axes[0]
        triangulation = mtri.Triangulation(gx, gy)
        cs = ax.tricontourf(triangulation, f(grid) - f_best, levels=levels, cmap="viridis",
                            norm=mpl.colors.BoundaryNorm(levels, 256))
        ax.tricontour(triangulation, f(grid) - f_best, levels=levels[1:-1], colors="white", linewidths=0.4,
                      alpha=0.6)
        cbar = fig.colorbar(cs, ax=ax, ticks=levels[1:], shrink=0.85,
                            format=mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}".replace("-", "\u2212")))
        cbar.set_label(r"$f(\pi) - f(\pi^*)$")
        corners = np.eye(3)
        cx, cy = _ternary_xy(np.vstack([corners, corners[:1]]))
        ax.plot(cx, cy, color="#333333", linewidth=1.2)
        for k, (x, y) in enumerate(zip(cx[:3], cy[:3])):
            offset = {0: (-8, -6), 1: (8, -6), 2: (0, 8)}[k]
            ax.annotate(f"$\\pi_{k + 1}$ = 1", (x, y), xytext=offset, textcoords="offset points",
                        ha={0: "right", 1: "left", 2: "center"}[k], va="top" if k < 2 else "bottom", fontsize=11)
        a_steps = (np.arange(n_arrows) + 0.5) / n_arrows
        points = np.array([(a, b, 1.0 - a - b) for a in a_steps for b in a_steps if a + b < 1.0 - 0.5 / n_arrows])
        grad = nk / points
        ascent = grad - grad.mean(axis=1, keepdims=True)           # the component of ∇f within the simplex
        ascent /= np.linalg.norm(ascent, axis=1, keepdims=True)
        px, py = _ternary_xy(points)
        ux, uy = _ternary_xy(ascent)
        ax.quiver(px, py, ux, uy, color="white", angles="xy", scale_units="xy", scale=14, width=0.005,
                  alpha=0.9, zorder=3)
        sx, sy = _ternary_xy(gmm_old.weights)
        ax.plot(sx, sy, "s", color=COMPONENT_COLORS[1], markersize=9, markeredgecolor="white", zorder=4,
                label=f"$\\theta_{{\\mathrm{{old}}}}$: $\\pi$ = (⅓, ⅓, ⅓), "
                      f"$f - f^*$ = {_num(f(gmm_old.weights) - f_best)}")
        bx, by = _ternary_xy(best)
        ax.plot(bx, by, "*", color=COMPONENT_COLORS[3], markersize=17, markeredgecolor="white", zorder=5,
                label="maximum $\\pi^* = N_k/N$ = (" + ", ".join(f"{w:.2f}" for w in best) + ")")
        ax.plot([], [], marker=r"$\rightarrow$", color="#555555", linestyle="none", markersize=12,
                label="uphill within the simplex")
        ax.set_aspect("equal")
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.42, np.sqrt(3) / 2 + 0.1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.set_xlabel(r"$\pi_1 + \pi_2 + \pi_3 = 1$; corner k: $\pi_k$ = 1")
        ax.set_ylabel(r"$\pi_3$ grows upward")
        ax.legend(loc="lower center", fontsize=10)
        ax.set_title(r"$f(\pi) = {\sum}_k\, N_k \ln \pi_k$ on the simplex, N = " + f"{N:g}")

        ax = axes[1]
        budget = 1.0 - best[2]
        u = np.linspace(0.04, 0.6, 400)
        U1, U2 = np.meshgrid(u, u)
        g2 = nk[0] * np.log(U1) + nk[1] * np.log(U2)
        g_best = nk[0] * np.log(best[0]) + nk[1] * np.log(best[1])
        lv = g_best + np.array([-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 1.5])
        ax.contour(U1, U2, g2, levels=lv, cmap="viridis", linewidths=1.0, alpha=0.8)
        ax.contour(U1, U2, g2, levels=[g_best], colors=COMPONENT_COLORS[0], linewidths=2.2, linestyles="--")
        line = np.linspace(0.0, budget, 2)
        ax.plot(line, budget - line, color=TOTAL_COLOR, linewidth=2.0)
        gradient = nk[:2] / best[:2]
        arrow = gradient / np.linalg.norm(gradient) * 0.14
        ax.annotate("", xy=tuple(best[:2] + arrow), xytext=tuple(best[:2]),
                    arrowprops={"arrowstyle": "-|>", "color": COMPONENT_COLORS[3], "linewidth": 2.2,
                                "mutation_scale": 18})
        ax.plot(*best[:2], "*", color=COMPONENT_COLORS[3], markersize=17, markeredgecolor="white", zorder=5)
        handles = [
            Line2D([], [], color=TOTAL_COLOR, linewidth=2.0,
                   label=f"constraint $\\pi_1 + \\pi_2$ = 1 \u2212 $\\pi_3^*$ = {budget:.2f}"),
            Line2D([], [], color=COMPONENT_COLORS[0], linewidth=2.2, linestyle="--",
                   label="level set of $f$ through $\\pi^*$: tangent"),
            Line2D([], [], color="#3b8f7c", linewidth=1.0, label="other level sets of $f$"),
            Line2D([], [], color=COMPONENT_COLORS[3], marker="*", markersize=13, markeredgecolor="white",
                   linestyle="-", linewidth=2.2,
                   label=f"gradient at $\\pi^*$: ({_num(gradient[0])}, {_num(gradient[1])}) = N (1, 1)"),
        ]
        ax.legend(handles=handles, loc="upper right", fontsize=9.5, frameon=True, framealpha=0.92, edgecolor="white")
        ax.set_xlim(u[0], u[-1])
        ax.set_ylim(u[0], u[-1])
        ax.set_aspect("equal")
        ax.set_xlabel(r"$\pi_1$")
        ax.set_ylabel(r"$\pi_2$")
        ax.set_title(f"slice $\\pi_3 = \\pi_3^*$ = {best[2]:.2f}: $\\nabla f = -\\lambda\\,(1, 1)$, $\\lambda = -N$")
    return fig


# ----------------------------------------------------------------------------------------------
# Chapter 06 figures


def fig_em_snapshots(*, cycles=(1, 2, 5, 20)):
    """EM on Old Faithful from a poor start, after 1, 2, 5 and 20 cycles (chapter 06, eq. ``em``).

    Setup
    -----
    * Data: ``datasets.old_faithful()`` (272 points, raw minutes).
    * Start θ⁽⁰⁾: π = (½, ½), μ_1 = (3.0, 76), μ_2 = (4.0, 66), Σ_1 = Σ_2 = diag(0.4, 60):
      both means near the centre, on the wrong diagonal.  Drawn as grey dotted ellipses
      (1 and 2 s.d.) in every panel.
    * Panel L: ``em(X, start, max_iter=L, tol=0)``, i.e. exactly L cycles (M-step + E-step);
      points coloured by the responsibilities under θ⁽ᴸ⁾ (:func:`scatter_resp`), the
      components' ellipses at 1 and 2 s.d., and ℓ(θ⁽ᴸ⁾) to 2 decimals in the title.
      With the defaults: ℓ = −1884.25 at the start, then −1286.72, −1285.22, −1265.24 and
      −1130.26 after 1, 2, 5 and 20 cycles (the last is the converged fit).

    Parameters
    ----------
    cycles : sequence of int
        The numbers of EM cycles to show, one panel each (four panels in a 2 × 2 grid).

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful()
    start = datasets.old_faithful_poor_start()
    fits = [em(X, start, max_iter=int(L), tol=0.0) for L in cycles]
    ncols = 2
    nrows = int(np.ceil(len(fits) / ncols))
    with book_style():
        fig, axes = _subplots(nrows, ncols, figsize=(10, 4.1 * nrows), sharex=True, sharey=True, squeeze=False)
        for ax, L, fit in zip(axes.flat, cycles, fits):
            plot_ellipses(ax, start, colors=[DOUBT_COLOR] * 2, linewidth=1.3, show_means=False, zorder=1)
            for patch in ax.patches:
                patch.set_linestyle(":")
            scatter_resp(ax, X, fit.resp)
            plot_ellipses(ax, fit.gmm)
            ax.set_title(f"after t = {L} cycle{'s' if L != 1 else ''}: $\\ell$ = {_num(fit.log_likelihood)}")
            label_old_faithful(ax)
            ax.tick_params(labelleft=True, labelbottom=True)
        for ax in list(axes.flat)[len(fits):]:
            ax.set_visible(False)
        handles = [Line2D([], [], color=DOUBT_COLOR, linestyle=":", label="start $\\theta^{(0)}$"),
                   Line2D([], [], color="k", linestyle="-", label="1 s.d."),
                   Line2D([], [], color="k", linestyle="--", label="2 s.d.")]
        axes.flat[0].legend(handles=handles, loc="upper left")
    return fig


def fig_em_loglik_curve(*, max_iter: int = 30):
    """The log-likelihood of EM from the poor start, cycle by cycle (chapter 06, eq. ``monotone``).

    Setup
    -----
    * Data and start as in :func:`fig_em_snapshots` (Old Faithful, raw minutes; the poor start).
    * ``em(X, start, max_iter=max_iter, tol=0)``: ℓ(θ⁽ᵗ⁾) for t = 0, …, max_iter; ℓ* is the last value.
    * Left: ℓ(θ⁽ᵗ⁾) against t, with the one-Gaussian maximum-likelihood value (−1289.80) and ℓ*
      (−1130.26) as horizontal lines, and the cycle at which the default rule (``tol=1e-8`` on
      the change per point) stops, t = 20.  The start, ℓ(θ⁽⁰⁾) = −1884.25, is off the scale
      and written in the corner.
    * Right: the gap ℓ* − ℓ(θ⁽ᵗ⁾) on a log scale, down to the rounding level of ℓ (points with
      a gap below 100 ε |ℓ*| ≈ 2.5e−11 are not drawn).  Once EM is near the maximum the gap
      shrinks by a constant factor per cycle (linear convergence); the factor, the median of the
      ratios of successive gaps between 1e−1 and 1e−9, is 0.058 with the defaults.

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful()
    start = datasets.old_faithful_poor_start()
    ll = em(X, start, max_iter=max_iter, tol=0.0).log_likelihoods
    stop = em(X, start).n_iter
    one = log_likelihood(X, _one_gaussian_fit(X))
    best = ll[-1]
    t = np.arange(len(ll))
    gap = best - ll
    shown = gap > 100 * np.finfo(float).eps * abs(best)
    linear = shown & (gap < 1e-1) & (gap > 1e-9)
    ratio = float(np.median(gap[1:][linear[1:] & linear[:-1]] / gap[:-1][linear[1:] & linear[:-1]]))
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(11, 4.4))
        ax = axes[0]
        plot_loglik(ax, ll, t, xlabel="EM cycle $t$", ylabel=r"$\ell(\theta^{(t)})$", color=TOTAL_COLOR)
        ax.axhline(one, color=COMPONENT_COLORS[1], linestyle="--", linewidth=1.4,
                   label=f"one Gaussian (ML): {_num(one)}")
        ax.axhline(best, color=COMPONENT_COLORS[0], linestyle="--", linewidth=1.4,
                   label=f"EM's limit $\\ell^*$: {_num(best)}")
        ax.axvline(stop, color="#777777", linestyle=":", linewidth=1.4,
                   label=f"tol = 1e\u22128 stops at t = {stop}")
        span = best - one
        ax.set_ylim(one - 0.25 * span, best + 0.15 * span)
        ax.annotate(f"start: $\\ell(\\theta^{{(0)}})$ = {_num(ll[0])}\n(off the scale)", (0.97, 0.04),
                    xycoords="axes fraction", ha="right", va="bottom", fontsize=10.5, color="#555555")
        ax.legend(loc="center right")
        ax.set_title("the log-likelihood climbs, never falls")
        ax = axes[1]
        ax.semilogy(t[shown], gap[shown], "o-", color=TOTAL_COLOR, markersize=5)
        ax.axvline(stop, color="#777777", linestyle=":", linewidth=1.4)
        ax.set_xlabel("EM cycle $t$")
        ax.set_ylabel(r"$\ell^* - \ell(\theta^{(t)})$ (log scale)")
        ax.set_xlim(ax.get_xlim()[0], max_iter)
        ax.annotate(f"near the top the gap shrinks by\na factor \u2248 {ratio:.3f} per cycle", (0.03, 0.04),
                    xycoords="axes fraction", ha="left", va="bottom", fontsize=11)
        ax.set_title("distance to the top: linear convergence")
    return fig


def fig_restarts_histogram(*, K: int = 3, n_starts: int = 60, seed: int = 0, max_n: int = 10):
    """Final log-likelihoods of EM from many k-means++ starts (chapter 06: local optima).

    Setup
    -----
    * Data: ``datasets.old_faithful()``; K components, full covariances.
    * ``rng = np.random.default_rng(seed)``, then ``n_starts`` runs ``em(X, K, rng=rng)``
      (each draws its own k-means++ start from the same generator; default ``tol``).
    * Left: the histogram of the final ℓ (bins 0.02 wide), each bar labelled with its count.
      With the defaults: 37 of 60 runs end at ℓ = −1119.21, 23 at −1119.64.
    * Right: the chance that the best of n starts reaches the best value, 1 − (1 − p̂)ⁿ, with p̂
      the fraction of runs within 0.01 of the best (0.62 with the defaults), for n = 1 … max_n,
      and the smallest n for which it exceeds 0.99.

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful()
    rng = np.random.default_rng(seed)
    finals = np.array([em(X, K, rng=rng).log_likelihood for _ in range(n_starts)])
    best = finals.max()
    p_hat = float(np.mean(finals > best - 0.01))
    n = np.arange(1, max_n + 1)
    chance = 1 - (1 - p_hat) ** n
    enough = int(n[np.argmax(chance > 0.99)]) if np.any(chance > 0.99) else None
    with book_style():
        fig, axes = _subplots(1, 2, figsize=(11, 4.4), width_ratios=(1.3, 1))
        ax = axes[0]
        width = 0.02
        lo = np.floor(finals.min() / width) * width - width
        hi = np.ceil(finals.max() / width) * width + width
        counts, edges, _ = ax.hist(finals, bins=np.arange(lo, hi + width / 2, width), color=COMPONENT_COLORS[0],
                                   edgecolor="white")
        for c, left in zip(counts, edges[:-1]):
            if c > 0:
                centre = finals[(finals >= left) & (finals < left + width)].mean()
                ax.annotate(f"{int(c)} runs\n$\\ell$ = {_num(centre)}", (left + width / 2, c), xytext=(0, 4),
                            textcoords="offset points", ha="center", va="bottom", fontsize=10.5)
        ax.set_ylim(0, 1.3 * counts.max())
        ax.ticklabel_format(axis="x", useOffset=False)
        ax.set_xlabel(r"final log-likelihood $\ell$")
        ax.set_ylabel("number of runs")
        ax.set_title(f"{n_starts} EM runs, K = {K}, k-means++ starts")
        ax = axes[1]
        ax.plot(n, chance, "o-", color=TOTAL_COLOR)
        ax.axhline(1.0, color="#999999", linewidth=1, zorder=0)
        if enough is not None:
            ax.annotate(f"n = {enough}: {chance[enough - 1]:.3f}", (enough, chance[enough - 1]), xytext=(8, -22),
                        textcoords="offset points", fontsize=11)
        ax.set_xticks(n)
        ax.set_xlabel("number of starts n")
        ax.set_ylabel("P(best of n reaches the best)")
        ax.set_ylim(min(0.5, chance[0] - 0.05), 1.03)
        ax.set_title(f"$1 - (1 - \\hat p)^n$, $\\hat p$ = {p_hat:.2f}")
    return fig


def fig_bic_aic(*, K_max: int = 6, n_init: int = 5, seed: int = 6):
    """BIC and AIC of Old Faithful fits with K = 1 … K_max components (chapter 06, eqs. ``bic``, ``aic``).

    Setup
    -----
    * Data: ``datasets.old_faithful()`` (raw minutes), full covariances.
    * ``rng = np.random.default_rng(seed)``; for K = 1, …, K_max in turn,
      ``em(X, K, rng=rng, n_init=n_init)`` (the best of n_init k-means++ starts).
    * Drawn against K: BIC = −2ℓ + p ln N and AIC = −2ℓ + 2p (p = ``n_parameters(K, 2)``), and
      −2ℓ alone (dotted), with each criterion's minimum ringed.  With the defaults BIC is
      smallest at K = 2 (2322.19) and AIC at K = 5 (2255.95); the kink at K = 4 is a local
      maximum (ℓ = −1114.69): five starts are not always enough.

    Returns
    -------
    matplotlib Figure
    """
    from .selection import aic, bic

    X = datasets.old_faithful()
    N, D = X.shape
    rng = np.random.default_rng(seed)
    Ks = np.arange(1, K_max + 1)
    fits = [em(X, int(K), rng=rng, n_init=n_init).gmm for K in Ks]
    bics = np.array([bic(X, g) for g in fits])
    aics = np.array([aic(X, g) for g in fits])
    minus2ll = np.array([-2 * log_likelihood(X, g) for g in fits])
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 4.8))
        ax.plot(Ks, minus2ll, ":", marker="o", color="#777777", label=r"$-2\ell$ (no penalty)")
        for values, name, color, penalty in ((bics, "BIC", COMPONENT_COLORS[0], "p ln N"),
                                             (aics, "AIC", COMPONENT_COLORS[1], "2p")):
            ax.plot(Ks, values, "o-", color=color, label=f"{name} = $-2\\ell$ + {penalty}")
            k = int(np.argmin(values))
            ax.plot(Ks[k], values[k], "o", markersize=17, markerfacecolor="none", markeredgecolor=color,
                    markeredgewidth=2)
            above = name == "BIC"
            ax.annotate(f"{name} minimum: K = {Ks[k]}, {values[k]:.2f}", (Ks[k], values[k]),
                        xytext=(0, 16 if above else 30), textcoords="offset points", ha="center",
                        va="bottom", fontsize=10.5, color=color,
                        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.85))
        ax.set_xticks(Ks)
        ax.set_xlabel("number of components K")
        ax.set_ylabel("criterion (lower is better)")
        ax.legend(loc="upper right")
        ax.set_title(f"Old Faithful: choosing K (best of {n_init} starts each, N = {N})")
    return fig


def fig_kmeans_limit(*, sigmas=(2.0, 0.7, 0.1)):
    """Shared σ²I and σ → 0: responsibilities turn hard, EM becomes K-means (chapter 06).

    Setup
    -----
    * Data: ``datasets.old_faithful()`` standardised (each column minus its mean, divided by its
      standard deviation with divisor N).
    * Means: the K-means centroids from ``scipy.cluster.vq.kmeans2(Z, M0, minit="matrix", iter=10)``,
      M0 the poor start's means of :func:`fig_em_snapshots` in standard units.
    * Panel σ: π = (½, ½), Σ_k = σ² I; points coloured by ``responsibilities`` (:func:`scatter_resp`),
      the 1-s.d. circles, and the K-means boundary (the perpendicular bisector of the means,
      where r = ½ for every σ) dashed.  The title gives the mean doubt 1 − max_k r_nk over the
      points, 2 significant digits: 0.29, 0.013 and 9.5e−5 for σ = 2, 0.7, 0.1.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.cluster.vq import kmeans2

    X = datasets.old_faithful()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    start = datasets.old_faithful_poor_start()
    means0 = (start.means - X.mean(axis=0)) / X.std(axis=0)
    centroids, _ = kmeans2(Z, means0, minit="matrix", iter=10)
    mid = centroids.mean(axis=0)
    normal = centroids[1] - centroids[0]
    direction = np.array([-normal[1], normal[0]]) / np.linalg.norm(normal)
    line = mid + np.outer([-10, 10], direction)
    with book_style():
        fig, axes = _subplots(1, len(sigmas), figsize=(4.2 * len(sigmas), 4.6), sharex=True, sharey=True,
                              squeeze=False)
        for ax, sigma in zip(axes.flat, sigmas):
            gmm = GMM(np.full(2, 0.5), centroids, np.array([sigma**2 * np.eye(2)] * 2))
            resp = responsibilities(Z, gmm)
            doubt = float(np.mean(1 - resp.max(axis=1)))
            scatter_resp(ax, Z, resp)
            plot_ellipses(ax, gmm, n_std=(1,))
            ax.plot(line[:, 0], line[:, 1], "k--", linewidth=1.2, zorder=2)
            ax.set_xlim(Z[:, 0].min() - 0.3, Z[:, 0].max() + 0.3)
            ax.set_ylim(Z[:, 1].min() - 0.3, Z[:, 1].max() + 0.3)
            ax.set_aspect("equal")
            ax.set_title(f"$\\sigma$ = {sigma:g}: mean doubt {doubt:.2g}".replace("e-0", "e\u2212"))
            label_old_faithful(ax, standardised=True)
            ax.tick_params(labelleft=True)
    return fig


# ----------------------------------------------------------------------------------------------
#: Every figure of the book, by name: ``figures/<name>.png`` is ``BOOK_FIGURES[name]()``.
#: Every module-level function ``fig_<name>`` is a book figure, in the order of the chapters.
BOOK_FIGURES = {name[len("fig_"):]: f for name, f in list(globals().items()) if name.startswith("fig_") and callable(f)}

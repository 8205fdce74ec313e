"""Style and axes-level drawing primitives shared by every book figure."""

from __future__ import annotations

import contextlib
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse

from ..mixture import GMM, log_joint, log_marginal


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
# Small helpers for the figure modules (ch01_*.py ... ch06_*.py)
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

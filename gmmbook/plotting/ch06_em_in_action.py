"""The figures of Chapter 06 (EM at work).

Each figure takes the objects the chapter has already computed (keyword arguments) and computes them
itself, by the chapter's procedure, only when called without them (as ``make figures`` does).
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..em import em, m_step
from ..mixture import GMM, log_likelihood, responsibilities
from ..selection import aic, bic
from .primitives import (
    COMPONENT_COLORS,
    DOUBT_COLOR,
    TOTAL_COLOR,
    _num,
    _one_gaussian_fit,
    _subplots,
    book_style,
    label_old_faithful,
    plot_ellipses,
    plot_loglik,
    scatter_resp,
)


def _poor_start_path(X, n_cycles):
    """θ⁽⁰⁾, …, θ⁽ⁿ⁾ of EM from the poor start (the chapter's inline loop, with the library's steps)."""
    thetas = [datasets.old_faithful_poor_start()]
    for _ in range(n_cycles):
        thetas.append(m_step(X, responsibilities(X, thetas[-1])))
    return thetas


def fig_em_snapshots(*, X=None, thetas=None, cycles=(1, 2, 5, 20)):
    """EM on Old Faithful from a poor start, after 1, 2, 5 and 20 cycles (chapter 06, eq. ``em``).

    Setup
    -----
    * Data: ``X``, by default ``datasets.old_faithful()`` (272 points, raw minutes).
    * ``thetas``: the parameters θ⁽⁰⁾, θ⁽¹⁾, … of EM from ``datasets.old_faithful_poor_start()``
      (π = (½, ½), μ_1 = (3.0, 76), μ_2 = (4.0, 66), Σ_1 = Σ_2 = diag(0.4, 60)); by default computed
      here with ``m_step`` and ``responsibilities``.  The chapter passes those of its inline loop.
    * Panel L: θ⁽⁰⁾ as grey dotted ellipses (1 and 2 s.d.); the points coloured by their
      responsibilities under θ⁽ᴸ⁾ (:func:`scatter_resp`); θ⁽ᴸ⁾'s ellipses at 1 and 2 s.d.;
      ℓ(θ⁽ᴸ⁾) to 2 decimals in the title: −1286.72, −1285.22, −1265.24 and −1130.26 after 1, 2, 5
      and 20 cycles.

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful() if X is None else np.asarray(X, dtype=float)
    thetas = _poor_start_path(X, max(cycles)) if thetas is None else thetas
    start = thetas[0]
    ncols = 2
    nrows = int(np.ceil(len(cycles) / ncols))
    with book_style():
        fig, axes = _subplots(nrows, ncols, figsize=(10, 4.1 * nrows), sharex=True, sharey=True, squeeze=False)
        for ax, L in zip(axes.flat, cycles):
            theta = thetas[L]
            plot_ellipses(ax, start, colors=[DOUBT_COLOR] * start.K, linewidth=1.3, show_means=False, zorder=1)
            for patch in ax.patches:
                patch.set_linestyle(":")
            scatter_resp(ax, X, responsibilities(X, theta))
            plot_ellipses(ax, theta)
            ax.set_title(f"after t = {L} cycle{'s' if L != 1 else ''}: $\\ell$ = {_num(log_likelihood(X, theta))}")
            label_old_faithful(ax)
            ax.tick_params(labelleft=True, labelbottom=True)
        for ax in list(axes.flat)[len(cycles):]:
            ax.set_visible(False)
        handles = [Line2D([], [], color=DOUBT_COLOR, linestyle=":", label="start $\\theta^{(0)}$"),
                   Line2D([], [], color="k", linestyle="-", label="1 s.d."),
                   Line2D([], [], color="k", linestyle="--", label="2 s.d.")]
        axes.flat[0].legend(handles=handles, loc="upper left")
    return fig


def fig_em_loglik_curve(*, X=None, log_likelihoods=None, stop=None, max_iter: int = 30):
    """The log-likelihood of EM from the poor start, cycle by cycle (chapter 06, eq. ``monotone``).

    Setup
    -----
    * ``log_likelihoods``: ℓ(θ⁽ᵗ⁾) for t = 0, …, 30 from the poor start (``em(X, start, max_iter=30,
      tol=0)``, X = ``datasets.old_faithful()``); ``stop``: the cycle at which the default rule
      (``tol=1e-8`` on the change per point) stops, t = 20.  Computed here when not given.
      ℓ* is the last value.
    * Left: ℓ(θ⁽ᵗ⁾) against t, with the one-Gaussian maximum-likelihood value (−1289.80) and ℓ*
      (−1130.26) as horizontal lines, and the stopping cycle.  The start, ℓ(θ⁽⁰⁾) = −1884.25, is
      off the scale and written in the corner.
    * Right: the gap ℓ* − ℓ(θ⁽ᵗ⁾) on a log scale, down to the rounding level of ℓ (points with a gap
      below 100 ε |ℓ*| ≈ 2.5e−11 are not drawn).  Near the maximum the gap shrinks by a constant
      factor per cycle (linear convergence); the factor, the median of the ratios of successive gaps
      between 1e−1 and 1e−9, is 0.058 (the square of the rate ρ = 0.24 of chapter 06, section 6).

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful() if X is None else np.asarray(X, dtype=float)
    start = datasets.old_faithful_poor_start()
    if log_likelihoods is None:
        log_likelihoods = em(X, start, max_iter=max_iter, tol=0.0).log_likelihoods
    if stop is None:
        stop = em(X, start).n_iter
    ll = np.asarray(log_likelihoods, dtype=float)
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
        ax.set_xlim(ax.get_xlim()[0], len(ll) - 1)
        ax.annotate(f"near the top the gap shrinks by\na factor \u2248 {ratio:.3f} per cycle", (0.03, 0.04),
                    xycoords="axes fraction", ha="left", va="bottom", fontsize=11)
        ax.set_title("distance to the top: linear convergence")
    return fig


def _data_point_starts(X, K, n_starts, seed):
    """The chapter's other starts: K distinct random data points as means, the data's covariance, equal weights."""
    rng = np.random.default_rng(seed)
    cov = np.cov(X, rowvar=False, bias=True)
    return [GMM(np.full(K, 1 / K), X[rng.choice(len(X), K, replace=False)], np.array([cov] * K))
            for _ in range(n_starts)]


def _k3_maxima(X):
    """The two K = 3 fits of chapter 06, section 4, computed as the chapter computes them."""
    best_kmeanspp = em(X, 3, rng=np.random.default_rng(0), n_init=30).gmm
    runs = [em(X, start) for start in _data_point_starts(X, 3, 12, 8)]
    return best_kmeanspp, max(runs, key=lambda r: r.log_likelihood).gmm


def fig_k3_maxima(*, X=None, fits=None):
    """Two local maxima of ℓ for K = 3 on Old Faithful: the higher one has a component a few seconds wide.

    Setup
    -----
    * Data: ``X``, by default ``datasets.old_faithful()`` (raw minutes).
    * ``fits``: (θ_a, θ_b), two K = 3 fits; by default as in chapter 06, section 4: θ_a the best of 30
      k-means++ starts (``em(X, 3, rng=np.random.default_rng(0), n_init=30)``, ℓ = −1119.21), θ_b the
      best of 12 runs from random data points (means: 3 distinct data points drawn in turn with
      ``np.random.default_rng(8)``; covariances: the data's; equal weights), ℓ = −1114.44.
    * One panel each: the points coloured by their responsibilities, the components' ellipses at 1 and
      2 s.d., and ℓ to 2 decimals in the title.  Components are ordered by eruption time.  θ_b's first
      component (weight 0.13) is 3.8 seconds wide in eruption time: a thin vertical ellipse at 1.84 min.

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful() if X is None else np.asarray(X, dtype=float)
    fits = _k3_maxima(X) if fits is None else fits
    with book_style():
        fig, axes = _subplots(1, len(fits), figsize=(5.2 * len(fits), 4.6), sharex=True, sharey=True, squeeze=False)
        for ax, gmm in zip(axes.flat, fits):
            order = np.argsort(gmm.means[:, 0])
            gmm = GMM(gmm.weights[order], gmm.means[order], gmm.covariances[order])
            scatter_resp(ax, X, responsibilities(X, gmm))
            plot_ellipses(ax, gmm)
            narrow = int(np.argmin(gmm.covariances[:, 0, 0]))
            sd_seconds = 60 * np.sqrt(gmm.covariances[narrow, 0, 0])
            ax.set_title(f"$\\ell$ = {_num(log_likelihood(X, gmm))}; narrowest: {sd_seconds:.1f} s,"
                         f" $\\pi$ = {gmm.weights[narrow]:.2f}")
            label_old_faithful(ax)
            ax.tick_params(labelleft=True)
    return fig


def _bic_fits(X):
    """The fits of chapter 06, section 9, for K = 1 … 6, computed as the chapter computes them."""
    rng = np.random.default_rng(4)
    fits = {1: _one_gaussian_fit(X), 2: em(X, datasets.old_faithful_poor_start()).gmm,
            3: em(X, 3, rng=np.random.default_rng(0), n_init=30).gmm}
    for K in (4, 5, 6):
        fits[K] = em(X, K, rng=rng).gmm
    return fits


def fig_bic_aic(*, X=None, fits=None, alternative=None):
    """BIC and AIC of Old Faithful fits with K = 1 … 6 components (chapter 06, eqs. ``bic``, ``aic``).

    Setup
    -----
    * Data: ``X``, by default ``datasets.old_faithful()`` (raw minutes), full covariances.
    * ``fits``: a dict K → GMM; by default as in chapter 06: K = 1 the one-Gaussian ML fit, K = 2 EM from
      the poor start, K = 3 the best of 30 k-means++ starts (``rng = np.random.default_rng(0)``), K = 4, 5, 6
      one k-means++ start each, drawn in turn from ``np.random.default_rng(4)``.
    * ``alternative``: optionally another fit for one K, drawn as hollow squares; by default (with the
      default ``fits``) the higher K = 3 maximum of :func:`fig_k3_maxima`, ℓ = −1114.44, as the chapter
      passes it.
    * Drawn against K: BIC = −2ℓ + M ln N and AIC = −2ℓ + 2M (M = ``n_parameters(K, 2)``) and −2ℓ
      alone (dotted), with each criterion's minimum ringed.  With the defaults BIC is smallest at K = 2
      (2322.19) and AIC at K = 4 (2262.06).

    Returns
    -------
    matplotlib Figure
    """
    X = datasets.old_faithful() if X is None else np.asarray(X, dtype=float)
    if fits is None:
        fits, alternative = _bic_fits(X), _k3_maxima(X)[1]
    N = X.shape[0]
    Ks = np.array(sorted(fits))
    bics = np.array([bic(X, fits[K]) for K in Ks])
    aics = np.array([aic(X, fits[K]) for K in Ks])
    minus2ll = np.array([-2 * log_likelihood(X, fits[K]) for K in Ks])
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 4.8))
        ax.plot(Ks, minus2ll, ":", marker="o", color="#777777", label=r"$-2\ell$ (no penalty)")
        for values, name, color, penalty, criterion in ((bics, "BIC", COMPONENT_COLORS[0], "M ln N", bic),
                                                        (aics, "AIC", COMPONENT_COLORS[1], "2M", aic)):
            ax.plot(Ks, values, "o-", color=color, label=f"{name} = $-2\\ell$ + {penalty}")
            k = int(np.argmin(values))
            ax.plot(Ks[k], values[k], "o", markersize=17, markerfacecolor="none", markeredgecolor=color,
                    markeredgewidth=2)
            above = name == "BIC"
            ax.annotate(f"{name} minimum: K = {Ks[k]}, {values[k]:.2f}", (Ks[k], values[k]),
                        xytext=(0, 16 if above else 30), textcoords="offset points", ha="center",
                        va="bottom", fontsize=10.5, color=color,
                        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.85))
            if alternative is not None:
                ax.plot(alternative.K, criterion(X, alternative), "s", markersize=9, markerfacecolor="none",
                        markeredgecolor=color, markeredgewidth=1.6)
        if alternative is not None:
            ax.plot([], [], "s", markersize=9, markerfacecolor="none", markeredgecolor="#555555",
                    label=f"K = {alternative.K} at $\\ell$ = {_num(log_likelihood(X, alternative))}")
        ax.set_xticks(Ks)
        ax.set_xlabel("number of components K")
        ax.set_ylabel("criterion (lower is better)")
        ax.legend(loc="upper right")
        ax.set_title(f"Old Faithful: choosing K (N = {N})")
    return fig

"""The figures of Chapter 06 (EM at work)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..em import em
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

"""The figures of Chapter 03 (the marginal likelihood and its landscape)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D

from .. import datasets
from ..em import em
from ..gaussian import logsumexp
from ..mixture import _gmm_1d, log_joint, log_likelihood, log_marginal, sample
from .primitives import COMPONENT_COLORS, TOTAL_COLOR, _num, _power, _subplots, book_style, plot_loglik


def fig_loglik_slice(*, x=None, grid=None, loglik=None, maxima=None, n: int = 200, seed: int = 3,
                     mu_min: float = -6.0, mu_max: float = 8.0, num: int = 701):
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
    * The chapter passes what it computed: ``x`` (N, 1), ``grid`` and ``loglik`` (the slice, same
      length), ``maxima`` (a list of (μ_1, ℓ) pairs).  Each one left as None is computed as above
      (``mu_min``, ``mu_max``, ``num`` define the grid then).

    Returns
    -------
    matplotlib Figure
    """
    from scipy.optimize import minimize_scalar

    truth = datasets.three_component_1d()
    if x is None:
        x, _ = sample(truth, n, np.random.default_rng(seed))
    n = len(x)
    weights = truth.weights[:2] / truth.weights[:2].sum()
    variances = truth.covariances[:2, 0, 0]
    mu2 = truth.means[1, 0]

    def loglik_at(mu1):
        return log_likelihood(x, _gmm_1d(weights, [mu1, mu2], variances))

    if grid is None:
        grid = np.linspace(mu_min, mu_max, num)
    grid = np.asarray(grid, dtype=float)
    mu_min, mu_max = float(grid[0]), float(grid[-1])
    ll = np.array([loglik_at(m) for m in grid]) if loglik is None else np.asarray(loglik, dtype=float)
    if maxima is None:
        interior = np.flatnonzero((ll[1:-1] > ll[:-2]) & (ll[1:-1] >= ll[2:])) + 1
        maxima = []
        for i in interior:
            res = minimize_scalar(lambda m: -loglik_at(m), bounds=(grid[i - 1], grid[i + 1]), method="bounded",
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
    """ℓ on a grid of (μ_1, μ_2): ``ll[i, j]`` = ℓ(μ_1 = ``mu1s[j]``, μ_2 = ``mu2s[i]``).

    One :func:`gmmbook.log_joint` call gives ln N(x_n | μ, σ²) for every grid mean μ; each grid point's
    ℓ = Σ_n ln[π_1 N(x_n | μ_1, σ²) + π_2 N(x_n | μ_2, σ²)] is then a :func:`gmmbook.logsumexp` of two of them.
    """
    mus = np.concatenate([mu1s, mu2s])
    K = len(mus)
    log_dens = log_joint(x, _gmm_1d(np.full(K, 1 / K), mus, np.full(K, sigma**2))) + np.log(K)   # (N, K)
    a1 = np.log(weights[0]) + log_dens[:, None, :len(mu1s)]          # (N, 1, J): ln π_1 N(x_n | μ_1)
    a2 = np.log(weights[1]) + log_dens[:, len(mu1s):, None]          # (N, I, 1): ln π_2 N(x_n | μ_2)
    return logsumexp(np.stack(np.broadcast_arrays(a1, a2)), axis=0).sum(axis=0)


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
      midpoint (0.07, 0.07), ℓ = −740.97.

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


def fig_collapse(*, x=None, sigmas=None, loglik=None, sensible=None, n: int = 200, seed: int = 4,
                 sigma_max: float = 1.0, sigma_min: float = 1e-100, num: int = 201):
    """The likelihood is unbounded: a component collapsing onto one data point (chapter 03).

    Setup
    -----
    * Data: ``x, _ = sample(datasets.two_component_1d(), n, np.random.default_rng(seed))``
      (the same data as :func:`fig_permutation_symmetry`).
    * Model: K = 2, π = (½, ½); component 1 has μ_1 = x_1 = ``x[0, 0]`` (the first data point)
      and σ_1 ∈ ``np.logspace(np.log10(sigma_max), np.log10(sigma_min), num)``; component 2 is
      the one-Gaussian maximum-likelihood fit of the data, μ_2 = ``x.mean()``, σ_2² = ``x.var()``
      (1/N).  ℓ(σ_1) = ``log_likelihood(x, gmm)``.
    * Drawn against σ_1 on a log axis, σ_1 shrinking to the right.  First ℓ falls (the other
      n − 1 points lose component 1's share of their density), then the term of x_1,
      ln(½ N(x_1 | x_1, σ_1²) + …) ≈ −ln σ_1 + const, takes over and ℓ rises by ln 10 ≈ 2.30
      per decade, without bound (chapter 03, eq. ``collapse-asym``).
    * Annotations (2 decimals): ℓ at σ_1 = sigma_max, the lowest point of the dip, the first grid
      point where ℓ is back above ℓ(sigma_max), and ℓ at sigma_min with the rise over its last decade.
      With the defaults: x_1 = 1.077, ℓ(1) = −485.28, lowest ℓ = −586.7 at σ_1 ≈ 0.00316,
      back above ℓ(1) from σ_1 = 10^−47 (ℓ = −484.33), ℓ(10^−100) = −362.30, last decade +2.30.
    * A dashed line at the sensible fit that ``em`` finds from σ_1 = sigma_max, ℓ = −419.33 (both real
      components): the spike beats it once σ_1 is below about 10^−75.
    * The chapter passes what it computed: ``x`` (N, 1), ``sigmas`` (decreasing) and ``loglik``
      (ℓ at each), ``sensible`` (the EM fit's ℓ).  Each one left as None is computed as above.

    Returns
    -------
    matplotlib Figure
    """
    if x is None:
        x, _ = sample(datasets.two_component_1d(), n, np.random.default_rng(seed))
    x1 = float(x[0, 0])
    mu2, var2 = float(x.mean()), float(x.var())

    def model(sigma1):
        return _gmm_1d([0.5, 0.5], [x1, mu2], [sigma1**2, var2])

    if sigmas is None:
        sigmas = np.logspace(np.log10(sigma_max), np.log10(sigma_min), num)
    sigmas = np.asarray(sigmas, dtype=float)
    num = len(sigmas)
    ll = np.array([log_likelihood(x, model(sig)) for sig in sigmas]) if loglik is None else np.asarray(loglik, float)
    decade = np.flatnonzero(sigmas <= sigmas[-1] * 10)[0]
    lowest = int(np.argmin(ll))
    above = np.flatnonzero((np.arange(num) > lowest) & (ll > ll[0]))
    if sensible is None:
        sensible = em(x, model(sigmas[0])).log_likelihood
    sigma_min, sigma_max = float(sigmas[-1]), float(sigmas[0])
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
        ax.set_title(f"$\\mu_1$ on the data point $x_1$ = {_num(x1, 3)}: $\\ell \\to +\\infty$ as $\\sigma_1 \\to 0$")
    return fig

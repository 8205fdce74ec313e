"""The figures of Chapter 05 (deriving EM)."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.tri as mtri
import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..em import m_step, q_function
from ..mixture import _gmm_1d, log_likelihood, responsibilities
from .primitives import COMPONENT_COLORS, TOTAL_COLOR, _num, _subplots, book_style


def _textbook_old(X, gmm_old, resp):
    """The textbook example and its θ^old and responsibilities, unless the chapter passed its own."""
    if X is None or gmm_old is None:
        X, gmm_old = datasets.textbook_1d()
    if resp is None:
        resp = responsibilities(X, gmm_old)
    return X, gmm_old, resp


def fig_q_lower_bound(*, X=None, gmm_old=None, resp=None, mu_min: float = -6.5, mu_max: float = 1.0, num: int = 301):
    """ℓ and Q(θ, θ^old) + H along one mean: the bound touches ℓ at θ^old and its top is the M-step (chapter 05).

    Setup
    -----
    * Data and θ^old: ``X`` and ``gmm_old``, by default ``datasets.textbook_1d()`` (the seven points −3, −2.5,
      −1, 0, 2, 4, 5; components N(−4, 1), N(0, 0.2), N(8, 3), equal weights); ``resp``, by default
      ``responsibilities(X, gmm_old)``.  The chapter passes the objects it computed.
    * θ(μ_1): θ^old with the first mean replaced by μ_1 ∈ ``np.linspace(mu_min, mu_max, num)``;
      everything else stays at θ^old.
    * Black: ℓ(μ_1) = ``log_likelihood(X, θ(μ_1))``.  Blue: ``q_function(X, θ(μ_1), resp) + H``
      with H = ℓ(θ^old) − Q(θ^old, θ^old) = −Σ_n Σ_k r_nk ln r_nk, the entropy of the responsibilities
      (eq. ``q-bound``), so that the two curves touch at μ_1 = −4.
      The shaded gap is ℓ − (Q + H) ≥ 0 (chapter 06 shows it is a Kullback–Leibler divergence).
    * Marked: θ^old (μ_1 = −4, ℓ = Q + H = −28.33), the maximum of Q + H at the M-step mean
      μ_1 = Σ_n r_n1 x_n / N_1 = −2.70 (``m_step(X, resp).means[0, 0]``; eq. ``m-means``), where
      Q + H = −26.59 and ℓ = −25.98, and the maximum of ℓ itself along the slice (refined with
      ``scipy.optimize.minimize_scalar``), μ_1 = −1.30, ℓ = −25.58.  Values to 2 decimals;
      H = 0.46.

    Returns
    -------
    matplotlib Figure
    """
    from scipy.optimize import minimize_scalar

    X, gmm_old, resp = _textbook_old(X, gmm_old, resp)
    variances = gmm_old.covariances[:, 0, 0]
    means_old = gmm_old.means[:, 0]

    def theta(mu1):
        return _gmm_1d(gmm_old.weights, np.r_[mu1, means_old[1:]], variances)

    ll_old = log_likelihood(X, gmm_old)
    entropy = ll_old - q_function(X, gmm_old, resp)
    grid = np.linspace(mu_min, mu_max, num)
    ll = np.array([log_likelihood(X, theta(m)) for m in grid])
    lower = np.array([q_function(X, theta(m), resp) for m in grid]) + entropy
    mu_new = float(m_step(X, resp).means[0, 0])
    ll_new = log_likelihood(X, theta(mu_new))
    q_new = q_function(X, theta(mu_new), resp) + entropy
    best = minimize_scalar(lambda m: -log_likelihood(X, theta(m)), bounds=(mu_min, mu_max), method="bounded",
                           options={"xatol": 1e-8})
    mu_best, ll_best = float(best.x), -float(best.fun)
    mu0 = float(means_old[0])
    with book_style():
        fig, ax = _subplots(figsize=(8.5, 5.2))
        ax.fill_between(grid, lower, ll, color=COMPONENT_COLORS[0], alpha=0.12, linewidth=0,
                        label=r"gap $\ell - (Q + H) \geq 0$")
        ax.plot(grid, ll, color=TOTAL_COLOR, label=r"$\ell(\theta)$, log-likelihood")
        ax.plot(grid, lower, color=COMPONENT_COLORS[0], linestyle="--",
                label=rf"$Q(\theta, \theta^{{\mathrm{{old}}}}) + H$, $H$ = {_num(entropy)}")
        ax.plot(mu0, ll_old, "o", color=COMPONENT_COLORS[3], markersize=9, zorder=4)
        ax.annotate(f"$\\theta^{{\\mathrm{{old}}}}$: $\\mu_1$ = {_num(mu0)}\n$\\ell$ = $Q + H$ = {_num(ll_old)}",
                    (mu0, ll_old),
                    xytext=(-12, 8), textcoords="offset points", ha="right", va="bottom", fontsize=11)
        ax.axvline(mu_new, color=COMPONENT_COLORS[0], linestyle=":", linewidth=1.4, zorder=0)
        ax.plot([mu_new, mu_new], [q_new, ll_new], "o", color=COMPONENT_COLORS[0], markersize=8, zorder=4)
        ax.annotate(f"M-step: $\\mu_1$ = {_num(mu_new)}\nmax of $Q + H$ = {_num(q_new)}\n$\\ell$ = {_num(ll_new)}",
                    (mu_new, q_new), xytext=(mu_new - 0.35, q_new - 5.5), ha="right", va="top", fontsize=11,
                    arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.8})
        ax.plot(mu_best, ll_best, "s", color=TOTAL_COLOR, markersize=7, zorder=4)
        ax.annotate(f"max of $\\ell$: $\\mu_1$ = {_num(mu_best)}, $\\ell$ = {_num(ll_best)}", (mu_best, ll_best),
                    xytext=(0, 12), textcoords="offset points", ha="left", va="bottom", fontsize=11)
        top = max(ll.max(), lower.max())
        ax.set_ylim(top - 14, top + 2.5)
        ax.set_xlim(mu_min, mu_max)
        ax.set_xlabel(r"$\mu_1$ (all other parameters at $\theta^{\mathrm{old}}$)")
        ax.set_ylabel("log-likelihood and bound")
        ax.set_title(r"$Q + H$ touches $\ell$ at $\theta^{\mathrm{old}}$ and lies below it: raising $Q$ raises $\ell$")
        ax.legend(loc="lower right")
    return fig


def _ternary_xy(weights):
    """Barycentric (π_1, π_2, π_3) → the plane: e_1 at (0, 0), e_2 at (1, 0), e_3 at (½, √3/2)."""
    weights = np.asarray(weights, dtype=float)
    return weights[..., 1] + weights[..., 2] / 2, weights[..., 2] * np.sqrt(3) / 2


def fig_lagrange_simplex(*, X=None, gmm_old=None, resp=None, margin: float = 0.004, n_grid: int = 121,
                         n_arrows: int = 9):
    """The weights' part of Q on the simplex, and the Lagrange condition (chapter 05, eqs. ``stationary-pi``, ``m-weights``).

    Setup
    -----
    * ``X``, ``gmm_old`` and ``resp``, by default ``datasets.textbook_1d()`` and
      ``responsibilities(X, gmm_old)`` (the chapter passes the objects it computed);
      N_k = ``resp.sum(axis=0)`` = (2.06, 2.01, 2.93), N = 7.  Q depends on π only through
      f(π) = Σ_k N_k ln π_k (eq. ``q-weights``); the M-step weights are
      π* = ``m_step(X, resp).weights`` = N_k / N = (0.29, 0.29, 0.42).
    * Left: the simplex π_1 + π_2 + π_3 = 1, π_k ≥ ``margin``, as a triangle (corner k is
      π = e_k), with filled contours of f(π) − f(π*) = −N KL(π* ‖ π) ≤ 0 on a barycentric grid
      of ``n_grid`` steps per side; white arrows: the direction of steepest ascent *within* the
      simplex (the gradient N_k / π_k minus its mean over k) on a grid of ``n_arrows`` steps;
      marked: π* (the maximum) and θ^old's weights (⅓, ⅓, ⅓), where f − f* = −0.11.
    * Right: the slice π_3 = π*_3 in the (π_1, π_2) plane: contours of N_1 ln π_1 + N_2 ln π_2,
      the constraint line π_1 + π_2 = 1 − π*_3, and at π* the gradient (N_1/π_1, N_2/π_2)
      = (N, N) = (7, 7), parallel to the line's normal (1, 1): ∂Q/∂π_k = −λ with λ = −N.

    Returns
    -------
    matplotlib Figure
    """
    X, gmm_old, resp = _textbook_old(X, gmm_old, resp)
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
                label=f"$\\theta^{{\\mathrm{{old}}}}$: $\\pi$ = (⅓, ⅓, ⅓), "
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

# %% [markdown]
# # Chapter 06: EM at work, and why it works
#
# Chapter 04 computed the responsibilities; chapter 05 derived the M-step.
# This chapter puts them in a loop, the EM algorithm of Dempster, Laird & Rubin (1977), and proves that it never lowers the likelihood.
# Then we run it on Old Faithful.
#
# ## What you will learn
#
# - The algorithm, equation (em), and why $\ell$ never decreases, equation (monotone).
# - Restarts, and a higher maximum that is not a better model.
# - Collapse, and why `reg_covar` can make $\ell$ fall.
# - What monotonicity does not give; EM's linear rate; a saddle.
# - EM against gradient ascent; K-means as a limit; BIC and AIC.
#
# ## What this chapter assumes
#
# - Chapter 01: K-means, equation (kmeans), and the parameter count, equation (count).
# - Chapters 02–04: the log-joint (log-joint-data), $\ell$ (loglik), the responsibilities (resp) and the factorised posterior (post-factor).
# - Chapter 03: $\ell$ is not concave and not bounded; the floor, equation (floor-bound).
# - Chapter 05: $Q$, equation (q), the M-step, and the bound (q-bound), which this chapter proves.
#
# The symbols are those of chapter 00.

# %%
import itertools
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy import special, stats
from scipy.cluster.vq import kmeans2, vq
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The algorithm
#
# With $t$ counting cycles:
#
# $$
# \begin{aligned}
# &\textbf{0. Initialise } \theta^{(0)}. \\
# &\textbf{1. E-step: } r_{nk} = \frac{\pi_k^{(t)} \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k^{(t)}, \boldsymbol\Sigma_k^{(t)})}{\sum_{j} \pi_j^{(t)} \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j^{(t)}, \boldsymbol\Sigma_j^{(t)})} \\
# &\textbf{2. M-step: } N_k = \textstyle\sum_n r_{nk}, \quad \pi_k^{(t+1)} = N_k / N, \quad \boldsymbol\mu_k^{(t+1)} = \textstyle\sum_n r_{nk} \mathbf{x}_n / N_k, \\
# &\qquad \boldsymbol\Sigma_k^{(t+1)} = \textstyle\sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k^{(t+1)})(\mathbf{x}_n - \boldsymbol\mu_k^{(t+1)})^\top / N_k. \\
# &\textbf{3. Stop if } |\ell(\theta^{(t+1)}) - \ell(\theta^{(t)})| / N < \text{tol}; \text{ else } t \leftarrow t + 1, \text{ go to 1.}
# \end{aligned}
# \tag{em}
# $$
#
# Step 1 is equation (resp); its denominators are the $p(\mathbf{x}_n \mid \theta)$, so $\ell(\theta^{(t)})$ comes free, by log-sum-exp.
# Step 2 is equations (m-weights), (m-means), (m-cov).
# Step 3 uses the change *per point*, so one `tol` serves any $N$.
# It says that EM has slowed down, not that it is at a maximum (section 6).
# One cycle maps $\theta^{(t)}$ to $\theta^{(t+1)}$: an E-step at $\theta^{(t)}$, then an M-step; the next E-step gives $\ell(\theta^{(t+1)})$.
#
# Our example: Old Faithful in minutes, $K = 2$, from a deliberately poor start:

# %%
X = gb.datasets.old_faithful()
N, D = X.shape
poor_start = gb.datasets.old_faithful_poor_start()
print("start: weights", poor_start.weights, "; means", poor_start.means.tolist(),
      "; covariances diag", np.diag(poor_start.covariances[0]).tolist())

# %% [markdown]
# The loop, written from the equations with SciPy's densities (from `gmmbook` only the container `gb.GMM`):

# %%
def log_joint_scipy(X, theta):
    """ln pi_k + ln N(x_n | mu_k, Sigma_k) from SciPy, shape (N, K)."""
    return np.column_stack([np.log(w) + stats.multivariate_normal(m, c).logpdf(X)
                            for w, m, c in zip(theta.weights, theta.means, theta.covariances)])


def e_step(X, theta):
    """Step 1 of (em): r_nk by equation (resp) in log space, and l(theta)."""
    a = log_joint_scipy(X, theta)
    log_px = special.logsumexp(a, axis=1)                           # ln p(x_n | theta)
    return np.exp(a - log_px[:, None]), log_px.sum()


def m_step(X, resp, reg_covar=0.0):
    """Step 2 of (em); reg_covar adds eps I to every covariance (section 5)."""
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    covs = np.stack([(resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / nk[k] for k in range(len(nk))])
    return gb.GMM(nk / len(X), means, covs + reg_covar * np.eye(X.shape[1]))


def em_loop(X, theta, n_cycles=1000, tol=1e-8, reg_covar=0.0):
    """Equation (em); returns every theta_t, r(theta_t) and l(theta_t)."""
    resp, loglik = e_step(X, theta)
    thetas, resps, logliks = [theta], [resp], [loglik]
    for _ in range(n_cycles):
        theta = m_step(X, resp, reg_covar)
        resp, loglik = e_step(X, theta)
        thetas.append(theta), resps.append(resp), logliks.append(loglik)
        if abs(logliks[-1] - logliks[-2]) / len(X) < tol:
            break
    return thetas, resps, np.array(logliks)


thetas, resps, logliks = em_loop(X, poor_start, n_cycles=30, tol=0.0)      # 30 cycles, no stopping
start3 = gb.m_step(X, gb.kmeans_plusplus_start(X, 3, np.random.default_rng(1)))   # a K = 3 start (section 4)
thetas3, resps3, logliks3 = em_loop(X, start3)
fit = gb.em(X, poor_start)
fit30, fit3 = gb.em(X, poor_start, max_iter=30, tol=0.0), gb.em(X, start3)
print(f"K = 2: l from {logliks[0]:.2f} to {logliks[-1]:.2f}; gb.em stops after {fit.n_iter} cycles")
print(f"K = 3: l from {logliks3[0]:.2f} to {logliks3[-1]:.2f} in {len(logliks3) - 1} cycles;"
      f" gb.em: {fit3.n_iter} cycles")

# %% [markdown]
# **CHECK (em).** The inline loop must give `gb.em`'s log-likelihoods at every cycle and its final parameters, for both runs.
# scikit-learn's `GaussianMixture` (Pedregosa et al. 2011), an implementation we did not write, must agree from the same start, with no floor (`reg_covar=0`) and the same number of cycles.

# %%
def sklearn_em(X, start, n_cycles, tol=0.0):
    """scikit-learn's EM from the given start, no floor: n_cycles cycles, or fewer if it converges within tol."""
    precisions = np.linalg.inv(start.covariances)
    sk = GaussianMixture(n_components=start.K, reg_covar=0.0, tol=tol, max_iter=n_cycles, weights_init=start.weights,
                         means_init=start.means, precisions_init=(precisions + precisions.transpose(0, 2, 1)) / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)            # tol = 0: it never "converges"
        return sk.fit(X)


def rel_diff(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


stop = int(np.argmax(np.abs(np.diff(logliks)) / N < 1e-8)) + 1         # where rule 3 stops the inline run
assert np.allclose(logliks, fit30.log_likelihoods, rtol=1e-12, atol=0)   # fails if an M-step divided Sigma by N_k - 1
assert stop == fit.n_iter and fit.converged          # fails if gb.em's rule compared the total, not per point
assert len(logliks3) - 1 == fit3.n_iter and np.allclose(logliks3, fit3.log_likelihoods, rtol=1e-12, atol=0)  # K = 3
for ours, start, n_cycles, lib in ((thetas[-1], poor_start, 30, fit30), (thetas3[-1], start3, fit3.n_iter, fit3)):
    sk = sklearn_em(X, start, n_cycles)
    for attr, sk_attr in (("weights", "weights_"), ("means", "means_"), ("covariances", "covariances_")):
        assert rel_diff(getattr(ours, attr), getattr(lib.gmm, attr)) < 1e-9, attr    # fails if Sigma used old means
        assert rel_diff(getattr(ours, attr), getattr(sk, sk_attr)) < 1e-8, attr      # an outside implementation
    assert abs(lib.log_likelihood - N * sk.score(X)) < 1e-10 * abs(lib.log_likelihood)  # fails for a mean l
print(f"check (em): inline loop = gb.em at all {len(logliks)} + {len(logliks3)} log-likelihoods (rel. 1e-12) and in"
      " the final parameters (1e-9); scikit-learn agrees within 1e-8 (parameters) and 1e-10 (l)")

# %% [markdown]
# **What we verified:** `gb.em` is equation (em), and so is scikit-learn's EM; from now on we call `gb.em`.
#
# ## 2. Why EM never decreases the likelihood
#
# The M-step maximises $Q$, not $\ell$: why does that help $\ell$?
# Take *any* distribution $q(\mathbf{Z})$ over the labels of all $N$ points, and define the **evidence lower bound** (ELBO)
#
# $$ \mathcal{L}(q, \theta) = \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{p(\mathbf{X}, \mathbf{Z} \mid \theta)}{q(\mathbf{Z})}, \tag{elbo} $$
#
# a sum over all $K^N$ labellings.
# Since $\sum_{\mathbf{Z}} q(\mathbf{Z}) = 1$ and $p(\mathbf{X} \mid \theta) = p(\mathbf{X}, \mathbf{Z} \mid \theta) / p(\mathbf{Z} \mid \mathbf{X}, \theta)$ for every $\mathbf{Z}$ (multiply and divide by $q(\mathbf{Z})$ inside the logarithm),
#
# $$ \begin{aligned} \ell(\theta) = \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{p(\mathbf{X}, \mathbf{Z} \mid \theta)}{p(\mathbf{Z} \mid \mathbf{X}, \theta)} &= \mathcal{L}(q, \theta) + \mathrm{KL}\big(q \,\Vert\, p(\mathbf{Z} \mid \mathbf{X}, \theta)\big), \\ \mathrm{KL}\big(q \,\Vert\, p(\mathbf{Z} \mid \mathbf{X}, \theta)\big) &= \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{q(\mathbf{Z})}{p(\mathbf{Z} \mid \mathbf{X}, \theta)}. \end{aligned} \tag{elbo-kl} $$
#
# The Kullback–Leibler divergence is never negative: since $\ln$ is concave, Jensen's inequality gives
#
# $$ \begin{aligned} -\mathrm{KL} &= \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{p(\mathbf{Z} \mid \mathbf{X}, \theta)}{q(\mathbf{Z})} \le \ln \sum_{\mathbf{Z}} q(\mathbf{Z}) \frac{p(\mathbf{Z} \mid \mathbf{X}, \theta)}{q(\mathbf{Z})} \\ &= \ln \sum_{\mathbf{Z}:\, q(\mathbf{Z}) > 0} p(\mathbf{Z} \mid \mathbf{X}, \theta) \le \ln 1 = 0, \end{aligned} \tag{kl-nonneg} $$
#
# with equality exactly when $q$ is the posterior (Gibbs' inequality).
# So $\mathcal{L}(q, \theta) \le \ell(\theta)$, and the gap is the KL (Neal & Hinton 1998).
#
# ### Point by point
#
# Let $q$ factorise over points as the posterior does, equation (post-factor): $q(\mathbf{Z}) = \prod_n \prod_k q_{nk}^{z_{nk}}$.
# Then the three logarithms in (elbo-kl) are linear in the $z_{nk}$, whose expectation under $q$ is $q_{nk}$, and the $K^N$ terms collapse to $NK$:
#
# $$ \begin{aligned} \mathcal{L}(q, \theta) &= \sum_{n,k} q_{nk} \big[ \ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) - \ln q_{nk} \big], \\ \mathrm{KL} &= \sum_{n,k} q_{nk} \ln \frac{q_{nk}}{r_{nk}(\theta)}, \end{aligned} \tag{elbo-points} $$
#
# with $0 \ln 0 = 0$.
# With $q_{nk} = r_{nk}(\theta^{\text{old}})$ the first sum is $Q(\theta, \theta^{\text{old}})$ plus the entropy $H(q) = -\sum_{n,k} q_{nk} \ln q_{nk}$:
#
# $$ \mathcal{L}(q, \theta) = Q(\theta, \theta^{\text{old}}) + H(q). \tag{elbo-q} $$
#
# With equation (elbo-kl) this proves chapter 05's bound (q-bound).
#
# ### EM is coordinate ascent on $\mathcal{L}$
#
# - **E-step:** $q^{(t)} = p(\mathbf{Z} \mid \mathbf{X}, \theta^{(t)})$, i.e. $q_{nk} = r_{nk}(\theta^{(t)})$. The KL is 0: the bound touches, $\mathcal{L}(q^{(t)}, \theta^{(t)}) = \ell(\theta^{(t)})$.
# - **M-step:** $\theta^{(t+1)}$ maximises $\mathcal{L}(q^{(t)}, \theta)$, which by (elbo-q) means maximising $Q(\theta, \theta^{(t)})$: chapter 05's M-step.
#
# Then, by (elbo-kl) at $\theta^{(t+1)}$ with the now stale $q^{(t)}$, and (kl-nonneg):
#
# $$ \begin{aligned} \ell(\theta^{(t+1)}) &= \mathcal{L}(q^{(t)}, \theta^{(t+1)}) + \mathrm{KL}\big(q^{(t)} \,\Vert\, p(\mathbf{Z} \mid \mathbf{X}, \theta^{(t+1)})\big) \\ &\ge \mathcal{L}(q^{(t)}, \theta^{(t+1)}) \ \ge\ \mathcal{L}(q^{(t)}, \theta^{(t)}) = \ell(\theta^{(t)}). \end{aligned} \tag{monotone} $$
#
# $\ell$ rises by the M-step's gain in $Q$ plus a bonus, the KL of the stale $q^{(t)}$ from the new posterior.
# Nothing here used Gaussians: (monotone) holds for EM on any latent-variable model.
#
# ### What a check can test
#
# $\mathcal{L} + \mathrm{KL} = \ell$ and $\mathrm{KL} \ge 0$ hold for *any* array of values $\ln \pi_k + \ln \mathcal{N}$ and any $q$: asserting them would test nothing.
# What can be wrong is the reduction (elbo-points), and the claim that the E-step's $q$ *is* the posterior.
#
# **CHECK (elbo-points).** The textbook example of chapter 04 ($N = 7$, $K = 3$; Deisenroth et al. 2020) has $3^7 = 2187$ labellings.
# For each, $\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)$ from its definition (complete) with SciPy's densities; the posterior by normalising over all 2187.
# With $q$ = the responsibilities at the start $\theta^{\text{old}}$, and $\theta$ = the start or the M-step's $\theta^{\text{new}}$, the sums (elbo) and (elbo-kl) must equal (elbo-points).
# `gb.e_step`'s responsibilities at $\theta^{\text{new}}$ must have KL 0 from the enumerated posterior.

# %%
X7, theta_old7 = gb.datasets.textbook_1d()
q_old7, _ = e_step(X7, theta_old7)                  # q = r(theta_old)
theta_new7 = m_step(X7, q_old7)                      # the M-step
labellings = np.array(list(itertools.product(range(3), repeat=7)))   # (2187, 7): z_n of every labelling
points7 = np.arange(7)


def by_enumeration(q, theta):
    """ELBO (elbo), KL (elbo-kl) and l over all K^N labellings, from the definitions."""
    terms = np.log(theta.weights) + stats.norm.logpdf(X7, theta.means[:, 0], np.sqrt(theta.covariances[:, 0, 0]))
    log_pxz = terms[points7, labellings].sum(axis=1)          # ln p(X, Z | theta), equation (complete)
    log_px = special.logsumexp(log_pxz)                       # ln p(X | theta) = ln sum_Z p(X, Z | theta)
    log_qz = np.log(q)[points7, labellings].sum(axis=1)       # ln q(Z)
    qz = np.exp(log_qz)
    return np.sum(qz * (log_pxz - log_qz)), np.sum(qz * (log_qz - (log_pxz - log_px))), log_px


def fixed(x, decimals=6):
    """x to the given decimals, printing a rounding-level -0.0 as 0."""
    return f"{round(x, decimals) + 0.0:.{decimals}f}"


def weighted(q, a):
    """sum of q * a over the entries with q > 0 (0 ln 0 = 0)."""
    return float(np.sum(q * a, where=q > 0))


def by_points(X, q, theta):
    """Equation (elbo-points): the ELBO and the KL from N x K numbers."""
    a = log_joint_scipy(X, theta)
    log_r = a - special.logsumexp(a, axis=1, keepdims=True)    # ln r_nk(theta)
    log_q = np.log(q, where=q > 0, out=np.zeros_like(q))
    return weighted(q, a - log_q), weighted(q, log_q - log_r)


print(f"{'theta':>9} {'ELBO enum.':>11} {'ELBO (points)':>14} {'KL enum.':>9} {'KL (points)':>12} {'l':>9}")
for name, theta in (("old", theta_old7), ("new", theta_new7)):
    elbo_e, kl_e, ll_e = by_enumeration(q_old7, theta)
    elbo_p, kl_p = by_points(X7, q_old7, theta)
    print(f"{name:>9} {elbo_e:11.6f} {elbo_p:14.6f} {fixed(kl_e):>9} {fixed(kl_p):>12} {ll_e:9.4f}")
    assert abs(elbo_e - elbo_p) < 1e-12 * abs(ll_e)   # fails if (elbo-points) dropped the entropy -ln q_nk
    assert abs(kl_e - kl_p) < 1e-12 * abs(ll_e)       # fails if the KL swapped q and r, or used r(theta_old)
_, kl_fresh, _ = by_enumeration(gb.e_step(X7, theta_new7)[0], theta_new7)
assert abs(kl_fresh) < 1e-12          # fails if gb's E-step were not the posterior (e.g. forgot pi_k)
print("check (elbo-points): over all 2187 labellings, (elbo) and (elbo-kl) equal (elbo-points) within 1e-12;"
      " gb.e_step's q has KL < 1e-12 from the posterior")

# %% [markdown]
# **What we verified:** the reduction to $NK$ numbers and the E-step's zero KL, against sums over every labelling.
#
# **CHECK (monotone).** On the two Old Faithful runs of section 1, at every cycle: the M-step must raise the bound, $\mathcal{L}(q^{(t)}, \theta^{(t+1)}) \ge \mathcal{L}(q^{(t)}, \theta^{(t)})$ (the latter is $\ell(\theta^{(t)})$ by construction); $\ell$ must never decrease; `gb.e_step`'s responsibilities must have KL 0 from SciPy's posterior.

# %%
def bound_audit(X, thetas, resps):
    """For t = 1, 2, ...: L(q_{t-1}, theta_{t-1}), L(q_{t-1}, theta_t), the bonus KL(q_{t-1} || post_t), and
    the KL of gb.e_step's q_t from the SciPy posterior at theta_t."""
    rows = []
    for t in range(1, len(thetas)):
        before, _ = by_points(X, resps[t - 1], thetas[t - 1])
        after, bonus = by_points(X, resps[t - 1], thetas[t])
        rows.append((before, after, bonus, by_points(X, gb.e_step(X, thetas[t])[0], thetas[t])[1]))
    return np.array(rows)


audit2, audit3 = bound_audit(X, thetas[:21], resps[:21]), bound_audit(X, thetas3, resps3)
print(f"{'t':>3} {'l(t-1) = L(q_t-1, theta_t-1)':>29} {'L(q_t-1, theta_t)':>18} {'KL bonus':>9} {'l(t)':>10}")
for t in (1, 2, 3, 5, 10, 20):
    before, after, bonus, _ = audit2[t - 1]
    print(f"{t:3d} {before:29.4f} {after:18.4f} {fixed(bonus, 4):>9} {logliks[t]:10.4f}")
for name, rows, seq in (("K = 2", audit2, logliks), ("K = 3", audit3, logliks3)):
    before, after, bonus, kl_gb = rows.T
    assert np.all(after >= before - 1e-9 * np.abs(before)), name   # fails if an M-step did not maximise Q
    assert np.all(np.diff(seq) >= -1e-12 * np.abs(seq[1:])), name  # (monotone); fails for Sigma_k about the data mean
    assert np.all(kl_gb < 1e-10), name                            # fails if gb's E-step were off the posterior
print(f"check (monotone): at all {len(audit2)} + {len(audit3)} cycles the M-step raised the bound, l never fell,"
      " and gb.e_step's responsibilities had KL < 1e-10 from SciPy's posterior")

# %% [markdown]
# **What we verified:** each link of (monotone) on two real runs.
# Read a row: the E-step made the bound touch $\ell(\theta^{(t-1)})$, the M-step raised it, the KL bonus lifted $\ell(\theta^{(t)})$ above it; at $t = 20$ the bonus has vanished.
#
# ## 3. Old Faithful from a poor start
#
# As in Bishop (2006, figure 9.8), EM after 1, 2, 5 and 20 cycles; the start is dotted, points are coloured by their responsibilities (grey: half and half).

# %%
fig = plotting.fig_em_snapshots(X=X, thetas=thetas)
plt.show()

# %%
fig = plotting.fig_em_loglik_curve(X=X, log_likelihoods=logliks, stop=fit.n_iter)
plt.show()

# %% [markdown]
# Three phases.
# (1) One cycle repairs the worst.
# The start's boundary ran along the clusters, so each component now looks like the whole data set, with $\ell$ just above the single Gaussian's.
# (2) A slow escape from "one Gaussian twice", a fixed point of EM that is a saddle of $\ell$ (section 6).
# (3) Once each component holds one cluster, the responsibilities harden and $\ell$ reaches its maximum.
# The gap then shrinks by a constant factor per cycle (right panel; section 6).
#
# The final parameters:

# %%
order = np.argsort(fit.gmm.means[:, 0])                 # component 1: the short eruptions
print("weights pi_k:", fit.gmm.weights[order].round(3), "; means mu_k:", fit.gmm.means[order].round(3).tolist())
for j, k in enumerate(order):
    print(f"covariance Sigma_{j + 1}:", fit.gmm.covariances[k].round(3).tolist())
print(f"l = {fit.log_likelihood:.4f} after {fit.n_iter} cycles")

# %% [markdown]
# A third of the eruptions are short (about 2 minutes, then a wait of about 54), two thirds long (4.3 minutes, wait about 80).
#
# **CHECK (faithful).** For full covariances (`VVV`) and $K = 2$, R's `mclustBIC(faithful)` reports BIC $-2322.192$ in its sign convention $2\ell - M \ln N$ (Scrucca et al. 2016): with $M = 11$, $\ell = -1130.264$.
# (`Mclust(faithful, G = 2)` picks model `VVE` instead, BIC $-2320.433$.)
# EM from the poor start must reach that $\ell$ to three decimals, and `gb.em` from a k-means start the same parameters.

# %%
kmeans_fit = gb.em(X, 2, rng=np.random.default_rng(0))
order_km = np.argsort(kmeans_fit.gmm.means[:, 0])
loglik_mclust = (-2322.192 + 11 * np.log(N)) / 2            # from mclustBIC's published BIC (VVV, G = 2)
assert abs(fit.log_likelihood - loglik_mclust) < 5e-4      # a published number: fails for any wrong step
for attr in ("weights", "means", "covariances"):             # fails if the poor start ended elsewhere
    assert rel_diff(getattr(fit.gmm, attr)[order], getattr(kmeans_fit.gmm, attr)[order_km]) < 1e-4, attr  # same fit
print(f"check (faithful): l = {fit.log_likelihood:.3f} = {loglik_mclust:.3f} from mclustBIC; a k-means start finds"
      " the same fit")

# %% [markdown]
# **What we verified:** here a bad start costs cycles, not quality.
#
# ## 4. Local maxima and restarts
#
# Where EM ends depends on where it starts ($\ell$ is not concave).
# `gb.em(X, K, rng=rng)` starts as scikit-learn does: k-means++-seeded K-means (SciPy's `kmeans2`), then one-hot responsibilities and one M-step.
# Thirty such starts with $K = 3$, drawn in turn from one generator:

# %%
rng_restarts = np.random.default_rng(0)
restarts = [gb.em(X, 3, rng=rng_restarts) for _ in range(30)]
finals = np.array([r.log_likelihood for r in restarts])
values, counts = np.unique(finals.round(2), return_counts=True)
for value, count in zip(values[::-1], counts[::-1]):
    r = restarts[int(np.flatnonzero(finals.round(2) == value)[0])]
    k = np.argmin(r.gmm.weights)
    print(f"l = {value:.2f}: {count:2d} runs; smallest component: weight {r.gmm.weights[k]:.2f},"
          f" mean {r.gmm.means[k].round(2)}")

# %% [markdown]
# Two hills: the small component sits between the clusters (the higher) or at the end of the short one.
# If one start reaches the best hill with probability $p$, at least one of $n$ independent starts does with probability
#
# $$ 1 - (1 - p)^n. \tag{best-of-n} $$
#
# That is what `n_init` does: run $n$ starts, drawn in turn from `rng`, and keep the highest $\ell$.
#
# **CHECK (best-of-n).** `gb.em(..., n_init=4)` with a fresh generator of the same seed must return exactly the best of our first four runs.

# %%
p_hat = np.mean(finals > finals.max() - 0.01)
n_needed = int(np.ceil(np.log(0.01) / np.log(1 - p_hat)))
best_of_4 = gb.em(X, 3, rng=np.random.default_rng(0), n_init=4)
first = restarts[int(np.argmax(finals[:4]))]
assert np.array_equal(best_of_4.log_likelihoods, first.log_likelihoods)   # fails if n_init kept the worst run
assert len(values) == 2                          # fails if the starts ignored rng (one start, one hill)
print(f"check (best-of-n): n_init = 4 returns the best of the first 4 runs exactly; with p = {p_hat:.2f},"
      f" n >= {n_needed} starts find the higher of the 2 hills with probability > 0.99")

# %% [markdown]
# **What we verified:** `n_init` is equation (best-of-n) on starts drawn from one generator.
#
# ### The highest likelihood is not the best model
#
# "The best" means the best of the starts tried.
# Other starts find other hills; here twelve with three random data points as means, the data's covariance and equal weights:

# %%
cov_data = np.cov(X, rowvar=False, bias=True)
rng_points = np.random.default_rng(8)
point_starts = [gb.GMM(np.full(3, 1 / 3), X[rng_points.choice(N, 3, replace=False)], np.array([cov_data] * 3))
                for _ in range(12)]
point_runs = [gb.em(X, start) for start in point_starts]
print("final l:", np.array([r.log_likelihood for r in point_runs]).round(2))
higher = max(point_runs, key=lambda r: r.log_likelihood)
best_kpp = restarts[int(np.argmax(finals))]
k_narrow = int(np.argmin(higher.gmm.covariances[:, 0, 0]))
sd_seconds = 60 * np.sqrt(higher.gmm.covariances[k_narrow, 0, 0])
on_pile = higher.resp[:, k_narrow] > 0.5
seconds = 60 * X[:, 0]
print(f"higher maximum: l = {higher.log_likelihood:.2f}; weights {higher.gmm.weights.round(3)}, eruption-time standard"
      f" deviations {(60 * np.sqrt(higher.gmm.covariances[:, 0, 0])).round(1)} s")
print(f"the narrow one: mean {higher.gmm.means[k_narrow].round(3)}; its {on_pile.sum()} points (r > 1/2) erupted for"
      f" {seconds[on_pile].min():.0f} to {seconds[on_pile].max():.0f} s,"
      f" on {len(np.unique(seconds[on_pile].round()))} distinct whole seconds")

# %%
fig = plotting.fig_k3_maxima(X=X, fits=(best_kpp.gmm, higher.gmm))
plt.show()

# %% [markdown]
# Two of the twelve reach $\ell = -1114.44$, 4.8 above every k-means++ run.
# There a component of weight 0.13, with a standard deviation of only 3.8 s in eruption time, sits on 42 eruptions of 102 to 116 s, beside a short-eruption component of 16 s.
# The 42 cover 12 of the 15 whole seconds from 102 to 116 s: no pile of ties.
# Rounding to whole seconds adds a variance of only 1/12 s², negligible against (3.8 s)²: the component fits a real cluster in this sample.
# The whole-minute waiting times are what lets a component collapse (section 5).
#
# **CHECK (higher maximum).** The higher fit must be a maximum (200 random perturbations of 0.1 % all lower $\ell$), more than 4 above the best k-means++ run, with a narrow component (weight 0.12–0.14, below 5 s).
# scikit-learn's `GaussianMixture` (no floor), converged from the same starts, must reach the same $\ell$ (within $10^{-4}$) and the same narrow component.

# %%
def perturbed(theta, size, rng):
    """theta with every parameter moved by a relative amount of order size (covariances stay SPD)."""
    A = np.eye(theta.D) + size * rng.normal(size=(theta.K, theta.D, theta.D))
    sds = np.sqrt(np.diagonal(theta.covariances, axis1=1, axis2=2))
    return gb.GMM(special.softmax(np.log(theta.weights) + size * rng.normal(size=theta.K)),
                  theta.means + size * rng.normal(size=theta.means.shape) * sds,
                  A @ theta.covariances @ A.transpose(0, 2, 1))


rng_pert = np.random.default_rng(5)
drops = [higher.log_likelihood - gb.log_likelihood(X, perturbed(higher.gmm, 1e-3, rng_pert)) for _ in range(200)]
reaching = [i for i, run in enumerate(point_runs) if run.log_likelihood > finals.max() + 4]
sk_fits = [sklearn_em(X, point_starts[i], 1000, tol=1e-10) for i in reaching]
sk_sds = [60 * np.sqrt(sk.covariances_[:, 0, 0].min()) for sk in sk_fits]
print(f"scikit-learn from starts {reaching}: l = {[round(N * sk.score(X), 5) for sk in sk_fits]} after"
      f" {[sk.n_iter_ for sk in sk_fits]} cycles; narrowest standard deviation {np.round(sk_sds, 2)} s")
assert min(drops) > 0                                   # fails if the higher fit were a saddle, not a maximum
assert higher.log_likelihood > finals.max() + 4         # the k-means++ restarts missed it
assert 0.12 < higher.gmm.weights[k_narrow] < 0.14 and sd_seconds < 5    # fails for another maximum
for sk, sd_sk in zip(sk_fits, sk_sds):      # an outside implementation: fails if gb.em's maximum were its own artefact
    assert abs(N * sk.score(X) - higher.log_likelihood) < 1e-4 and abs(sd_sk - sd_seconds) < 1e-2
print(f"check (higher maximum): l = {higher.log_likelihood:.2f} is a maximum {higher.log_likelihood - finals.max():.1f}"
      f" above the k-means++ runs, with a component of weight {higher.gmm.weights[k_narrow]:.2f} and standard"
      f" deviation {sd_seconds:.1f} s; scikit-learn reaches it from the same {len(reaching)} starts")

# %% [markdown]
# **What we verified:** a higher maximum that the usual restarts miss, and that scikit-learn finds from the same starts.
#
# Is it the better model?
# By $\ell$, yes; so does any criterion that penalises only the number of parameters, since $M$ is the same.
# But it claims a type of eruption with a standard deviation of only 3.8 s, on the evidence of 42 eruptions.
# The likelihood rewards any fine structure of *this* sample: it answers "which parameters make these data most probable", not "which model describes the geyser".
# Look at the components (tiny weights and tiny variances are warnings), and prefer what a new sample would confirm.
#
# ## 5. Collapse, and what `reg_covar` does
#
# Chapter 03 showed that $\ell$ is unbounded: a component shrinking onto one point sends $\ell \to +\infty$.
# Rounding makes it easier: the waiting times are whole minutes, so points share rows, and a component can collapse onto a row.
# We start from the $K = 2$ fit plus a small third component (weight 0.05, covariance $10^{-3}$ times the data's) on the point $(1.833, 54)$, and run our loop.

# %%
collapsing_start = gb.GMM(np.append(0.95 * fit.gmm.weights, 0.05), np.vstack([fit.gmm.means, X[10]]),
                          np.concatenate([fit.gmm.covariances, 1e-3 * cov_data[None]]))
theta_c, logliks_c = collapsing_start, []
for t in range(1, 21):
    resp_c, loglik_c = e_step(X, theta_c)
    logliks_c.append(loglik_c)
    r3 = resp_c[:, 2]
    mean3 = r3 @ X / r3.sum()
    cov3 = (r3[:, None] * (X - mean3)).T @ (X - mean3) / r3.sum()        # the next M-step's Sigma_3, (m-cov)
    condition3 = np.linalg.eigvalsh(cov3)[0] / np.linalg.eigvalsh(cov3)[1]
    if condition3 < 1e-12:                                              # singular: the next l is +infinity
        break
    theta_c = m_step(X, resp_c)
held = r3 > 0.5
print("l:", np.round(logliks_c, 2))
print(f"M-step {t}: Sigma_3 is singular (eigenvalue ratio < 1e-12); component 3 holds {r3.sum():.1f} points,"
      f" those with r > 1/2 all wait {np.unique(X[held, 1])} min")
try:
    gb.em(X, collapsing_start)
except gb.CollapseError as err:
    collapsed_k = err.k

# %% [markdown]
# $\ell$ rises at every cycle, until an M-step returns a component on points that all waited 54 minutes: its covariance is singular, and $\ell = +\infty$.
# `gb.em` stops with a `gb.CollapseError` naming the component.
#
# **What `reg_covar` does.** `reg_covar` $= \epsilon$ adds $\epsilon \mathbf{I}$ to every covariance after every M-step, as scikit-learn does (its default is $10^{-6}$).
# Every eigenvalue is then at least $\epsilon$, so $\ell$ stays below chapter 03's bound (floor-bound).
# With $\epsilon = 10^{-6}$ the same start converges:

# %%
eps = 1e-6
fit_floor = gb.em(X, collapsing_start, reg_covar=eps)
eigenvalues3 = np.linalg.eigvalsh(fit_floor.gmm.covariances[2])
on_row = fit_floor.resp[:, 2] > 0.5
print(f"converged: {fit_floor.converged}; l = {fit_floor.log_likelihood:.2f}; component 3 holds {on_row.sum()} points"
      f" waiting {np.unique(X[on_row, 1])} min; its variances {eigenvalues3[0]:.3e}, {eigenvalues3[1]:.3e}")

# %% [markdown]
# EM runs, but the fit is degenerate: component 3 sits on one row, pinned to the floor, beating every honest $K = 3$ fit.
#
# **Not an EM step.** $\boldsymbol\Sigma_k + \epsilon\mathbf{I}$ is not the maximiser of $Q$, so the middle link of (monotone) can break, and $\ell$ can *fall*.
# On standardised data (each column minus its mean, over its standard deviation), $K = 4$, $\epsilon = 10^{-2}$, from a k-means++ start:

# %%
X_std = (X - X.mean(axis=0)) / X.std(axis=0)
eps_std = 1e-2
start_std = gb.m_step(X_std, gb.kmeans_plusplus_start(X_std, 4, np.random.default_rng(2)), reg_covar=eps_std)
fit_eps = gb.em(X_std, start_std, reg_covar=eps_std)
steps_eps = np.diff(fit_eps.log_likelihoods)
fit_no_floor = gb.em(X_std, start_std)
t_fall = int(np.argmax(steps_eps < 0)) + 1                     # the first cycle at which l falls
thetas_e, resps_e, logliks_e = em_loop(X_std, start_std, n_cycles=t_fall, tol=0.0, reg_covar=eps_std)
bound_before, _ = by_points(X_std, resps_e[t_fall - 1], thetas_e[t_fall - 1])
bound_after, _ = by_points(X_std, resps_e[t_fall - 1], thetas_e[t_fall])
print(f"with the floor: l falls at {np.sum(steps_eps < 0)} of {fit_eps.n_iter} cycles, by up to {-steps_eps.min():.3f};"
      f" the run peaks at {fit_eps.log_likelihoods.max():.2f} and ends at {fit_eps.log_likelihood:.2f}")
print(f"without it, from the same start: l rises to {fit_no_floor.log_likelihood:.2f}")
print(f"first fall, cycle {t_fall}: the bound went from {bound_before:.4f} to {bound_after:.4f}")

# %% [markdown]
# **CHECK (floor).** Without a floor, $\ell$ must rise until $\boldsymbol\Sigma_3$ is singular on the 54-minute row, and `gb.em` must name component 3.
# With $\epsilon = 10^{-6}$, EM must converge with component 3 on 7 points of that row, its smaller variance at $\epsilon$ (within 1 %).
# With $\epsilon = 10^{-2}$, our floored loop must reproduce `gb.em`'s $\ell$, which must fall; at its first fall the bound $\mathcal{L}$ must fall too; without the floor $\ell$ must never fall.

# %%
assert np.all(np.diff(logliks_c) > 0) and condition3 < 1e-12    # l climbs until Sigma_3 is singular
assert np.all(X[held, 1] == 54)                                 # on a row of tied waiting times
assert collapsed_k == 2                                     # fails if EM ran on with a singular covariance
assert fit_floor.converged and on_row.sum() == 7 and np.all(X[on_row, 1] == 54)   # fails if the floor were ignored
assert eps <= eigenvalues3[0] < 1.01 * eps                 # fails if eps were added before dividing by N_k
assert np.allclose(logliks_e, fit_eps.log_likelihoods[:t_fall + 1], rtol=1e-12, atol=0)   # gb.em's floor = ours
assert steps_eps.min() < -0.01 and bound_after < bound_before  # l falls; the M-step + floor lowered the bound
seq = fit_no_floor.log_likelihoods                          # the same start without the floor: (monotone)
assert np.all(np.diff(seq) >= -1e-12 * np.abs(seq[1:]))     # fails if gb.em's M-step without a floor missed Q's maximum
print(f"check (floor): without a floor l rises to a singular covariance on the 54-minute row; with eps = 1e-6 the"
      f" smallest variance sits at the floor; with eps = 1e-2, l falls by up to {-steps_eps.min():.3f}"
      " where the floored M-step lowers the bound")

# %% [markdown]
# **What we verified:** `reg_covar` turns divergence into a finite but degenerate fit, and it is not an EM step: $\ell$ fell where the floor breaks the middle link of (monotone).
# Appendix 07 derives MAP-EM, which never lowers $\ell$ plus a log-prior, and relates it to the floor.
#
# ## 6. Convergence beyond monotonicity
#
# Write one EM cycle as a map, $\theta^{(t+1)} = F(\theta^{(t)})$, on the 11 free numbers of $\theta$ ($\pi_1$, the means, the upper triangles of the $\boldsymbol\Sigma_k$).
# $F$ is continuous wherever every $\boldsymbol\Sigma_k$ stays positive definite.
# (monotone) says that $\ell(\theta^{(t)})$ never decreases, so it converges if it is bounded.
# Wu (1983) says more: if the set $\{\theta : \ell(\theta) \ge \ell(\theta^{(0)})\}$ is compact (and $\ell$ and $Q$ are continuous), every limit point of $\theta^{(t)}$ is a *stationary point* of $\ell$, and $\ell(\theta^{(t)})$ converges to the value at one of them.
# Why stationary?
# At a fixed point of $F$, $\theta^{\text{old}}$ maximises $Q(\cdot, \theta^{\text{old}})$, so $\nabla Q = 0$ there.
# And $\ell - \mathcal{L}(q^{\text{old}}, \cdot)$ is a KL, never negative and 0 at $\theta^{\text{old}}$: a minimum, with zero gradient.
# With (elbo-q):
#
# $$ \nabla \ell(\theta^{\text{old}}) = \nabla_\theta Q(\theta, \theta^{\text{old}})\big|_{\theta=\theta^{\text{old}}}. \tag{grad-q} $$
#
# A limit point is a fixed point of the continuous map $F$, so $\nabla\ell = 0$ there.
# What monotonicity does *not* give:
#
# - **A maximum.** A stationary point can be a saddle (below).
# - **The global maximum.** Section 4.
# - **Convergence of $\theta^{(t)}$ itself.** Wu needs more: that the steps $\theta^{(t+1)} - \theta^{(t)}$ shrink to 0 and that the stationary points at the limit value are isolated. On a ridge of equal $\ell$ (e.g. two equal components, which can trade weight freely) $\theta^{(t)}$ may drift.
# - **Any of it, strictly, for mixtures.** The set above is not compact ($\ell$ can diverge, section 5), so Wu's theorem does not apply as stated; a floor keeps $\ell$ finite but is not an EM step.
#
# ### The rate
#
# Near a fixed point $\theta^*$, $\theta^{(t+1)} - \theta^* \approx F'(\theta^*)\,(\theta^{(t)} - \theta^*)$, with $F'$ the Jacobian matrix.
# So the steps shrink by the factor $\rho$, the largest modulus of an eigenvalue of $F'(\theta^*)$: **linear convergence**.
# Near a maximum $\ell^* - \ell$ is quadratic in $\theta - \theta^*$, so the increments of $\ell$ shrink by $\rho^2$.
# At a maximum, $F'$ is the fraction of the complete-data information about $\theta$ that the hidden labels take away (Dempster, Laird & Rubin 1977, §3; Meng & Rubin 1991).
# So $\rho$ is small for well-separated components and near 1 for overlapping ones.
#
# **CHECK (rate).** $F'(\theta^*)$ by central differences (steps $10^{-6}$ relative) at the converged fit.
# On section 3's run, the ratio of successive steps $\lVert\theta^{(t+1)} - \theta^{(t)}\rVert / \lVert\theta^{(t)} - \theta^{(t-1)}\rVert$ (relative sizes $10^{-9}$ to $10^{-4}$) must equal $\rho$ within $10^{-3}$.
# The ratio of successive increments of $\ell$ must equal $\rho^2$ within 0.5 %, once the increments are below $10^{-5}$ (the earlier ratios, 0.053 and 0.057, are not yet asymptotic).

# %%
upper = np.triu_indices(D)


def to_vector(theta):
    """The free numbers of theta: pi_1 .. pi_{K-1}, the means, the upper triangles of the covariances."""
    return np.concatenate([theta.weights[:-1], theta.means.ravel(), theta.covariances[:, upper[0], upper[1]].ravel()])


def from_vector(v, K):
    covs = np.zeros((K, D, D))
    covs[:, upper[0], upper[1]] = covs[:, upper[1], upper[0]] = v[K - 1 + K * D:].reshape(K, -1)
    return gb.GMM(np.append(v[:K - 1], 1 - v[:K - 1].sum()), v[K - 1:K - 1 + K * D].reshape(K, D), covs)


def em_map(v, K=2):
    """F: one EM cycle (E-step, then M-step) on the free numbers."""
    return to_vector(m_step(X, e_step(X, from_vector(v, K))[0]))


def jacobian_of_em_map(v):
    """F'(v) by central differences, steps 1e-6 relative; its eigenvalues sorted by decreasing modulus."""
    h = 1e-6 * np.abs(v)
    jacobian = np.column_stack([(em_map(v + h[i] * e) - em_map(v - h[i] * e)) / (2 * h[i])
                                for i, e in enumerate(np.eye(len(v)))])
    eigenvalues, eigenvectors = np.linalg.eig(jacobian)
    order = np.argsort(-np.abs(eigenvalues))
    return eigenvalues[order], eigenvectors[:, order]


fit_tight = gb.em(X, poor_start, max_iter=60, tol=0.0)                 # EM run to the limit of rounding
v_star = to_vector(fit_tight.gmm)
eigenvalues_F, _ = jacobian_of_em_map(v_star)
rho = np.abs(eigenvalues_F[0])
steps = np.linalg.norm(np.diff([to_vector(theta) for theta in thetas], axis=0) / np.abs(v_star), axis=1)
used = (steps[1:] < 1e-4) & (steps[:-1] > 1e-9)
step_ratio = np.median(steps[1:][used] / steps[:-1][used])
increments = np.diff(logliks)
used_l = (increments[:-1] < 1e-5) & (increments[1:] > 1e-9)
loglik_ratio = np.median(increments[1:][used_l] / increments[:-1][used_l])
print(f"|eigenvalues| of F': {np.abs(eigenvalues_F[:4]).round(5)} ...; rho = {rho:.5f}, rho^2 = {rho**2:.5f}")
print(f"measured on the run: step ratio {step_ratio:.5f} ({used.sum()} cycles),"
      f" l-increment ratio {loglik_ratio:.5f} ({used_l.sum()} cycles)")
assert abs(step_ratio / rho - 1) < 1e-3          # fails if F' held the responsibilities fixed (then F' = 0)
assert abs(loglik_ratio / rho**2 - 1) < 5e-3     # fails if l's rate were taken as rho instead of rho^2
print(f"check (rate): EM's measured linear rate {step_ratio:.4f} equals the largest |eigenvalue| of the EM map's"
      f" Jacobian, {rho:.4f}; l converges at rho^2 = {rho**2:.4f}")

# %% [markdown]
# **What we verified:** EM converges linearly here, at the rate $\rho = 0.24$ that the Jacobian of one cycle predicts: each cycle gains about $-\log_{10}\rho^2 \approx 1.2$ digits of $\ell$.
#
# ### The saddle of section 3
#
# Take both components equal to the single-Gaussian fit $\mathcal{N}(\hat{\boldsymbol\mu}, \hat{\boldsymbol\Sigma})$ of chapter 01, equation (ml-gauss), with $\boldsymbol\pi = (\tfrac12, \tfrac12)$.
# At this *twin point* every $r_{nk} = \tfrac12$, and the M-step returns the same point: a fixed point of $F$, so a stationary point of $\ell$.
# It is a saddle, not a maximum.
# There $F$ has eigenvalues of modulus 1.16 and 1.10: directions along which EM moves away, but only by 10–16 % per cycle.
# It also has an eigenvalue 1: two equal components can trade weight without changing $\ell$.
# That slow escape is phase 2.
#
# **CHECK (saddle).** The M-step must return the twin point.
# $F'$ there (central differences, as above) must have an eigenvalue of modulus above 1.05, and one equal to 1 within $10^{-6}$.
# Along the leading eigenvector $\ell$ (from `gb.log_likelihood`) must rise at second order: doubling the step must multiply the gain by 4, within 2 %.

# %%
one_gaussian = gb.GMM(np.ones(1), X.mean(axis=0)[None], np.cov(X, rowvar=False, bias=True)[None])   # (ml-gauss)
twin = gb.GMM(np.full(2, 0.5), np.repeat(one_gaussian.means, 2, axis=0), np.repeat(one_gaussian.covariances, 2, axis=0))
twin_after = m_step(X, e_step(X, twin)[0])
eigenvalues_twin, eigenvectors_twin = jacobian_of_em_map(to_vector(twin))
leading = eigenvectors_twin[:, 0].real                                 # a unit vector in the 11 free numbers
loglik_twin = gb.log_likelihood(X, twin)
gains = [gb.log_likelihood(X, from_vector(to_vector(twin) + size * leading, 2)) - loglik_twin for size in (1.0, 2.0)]
print(f"twin point: l = {loglik_twin:.2f}; |eigenvalues| of F': {np.abs(eigenvalues_twin[:5]).round(6)} ...")
print(f"gain of l along the leading eigenvector: {gains[0]:.4e} at step 1, {gains[1]:.4e} at step 2"
      f" (ratio {gains[1] / gains[0]:.3f})")
assert rel_diff(twin_after.covariances, twin.covariances) < 1e-12       # fails if (m-cov) divided by N_k - 1
assert rel_diff(twin_after.means, twin.means) < 1e-12                   # fails if (m-means) divided by N
assert np.abs(eigenvalues_twin[0]) > 1.05      # fails if the twin were a maximum, or F' held the r_nk fixed (F' = 0)
assert np.min(np.abs(eigenvalues_twin - 1)) < 1e-6          # fails if F' were a difference over h, not 2h (doubled)
assert gains[0] > 0 and abs(gains[1] / gains[0] / 4 - 1) < 0.02   # fails for a rise at fourth order (ratio 16)
print("check (saddle): the twin point is a fixed point of EM; F' has |eigenvalues| up to"
      f" {np.abs(eigenvalues_twin[0]):.3f} and one equal to 1; along the leading eigenvector l rises at second order")

# %% [markdown]
# **What we verified:** a fixed point of EM that is a saddle of $\ell$, which EM leaves slowly.
#
# ## 7. EM against gradient ascent
#
# Any gradient method can climb $\ell$ too.
# We give SciPy's L-BFGS-B (quasi-Newton) the same start and the exact gradient.
# It needs unconstrained numbers:
#
# $$ \pi_k = \frac{e^{w_k}}{\sum_j e^{w_j}} \ (w_K = 0), \qquad \boldsymbol\Sigma_k = \mathbf{L}_k \mathbf{L}_k^\top, \quad (\mathbf{L}_k)_{dd} = e^{b_{kd}}. \tag{param} $$
#
# The vector $\mathbf{v}$ holds $w_1, \dots, w_{K-1}$, the means, and the entries of each lower triangular $\mathbf{L}_k$, with $b_{kd}$ on the diagonal: $M$ numbers, equation (count).
# By (grad-q), the gradient of $\ell$ is that of $Q$ at fixed responsibilities; chapter 05's (grad-loglik) and (grad-q-cov) give, with $\mathbf{S}_k = \sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top$,
#
# $$ \begin{aligned} \frac{\partial \ell}{\partial w_k} &= N_k - N \pi_k, \qquad \frac{\partial \ell}{\partial \boldsymbol\mu_k} = \boldsymbol\Sigma_k^{-1} \sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k), \\ \mathbf{G}_k = \frac{\partial \ell}{\partial \boldsymbol\Sigma_k} &= \tfrac12 \boldsymbol\Sigma_k^{-1} (\mathbf{S}_k - N_k \boldsymbol\Sigma_k) \boldsymbol\Sigma_k^{-1}. \end{aligned} \tag{grad} $$
#
# Through $\boldsymbol\Sigma_k = \mathbf{L}_k \mathbf{L}_k^\top$ and the symmetric $\mathbf{G}_k$, $d\ell = \operatorname{tr}(\mathbf{G}_k\, d\boldsymbol\Sigma_k) = 2 \operatorname{tr}(\mathbf{L}_k^\top \mathbf{G}_k\, d\mathbf{L}_k)$, so, on the lower triangle,
#
# $$ \frac{\partial \ell}{\partial \mathbf{L}_k} = 2\, \mathbf{G}_k \mathbf{L}_k, \qquad \frac{\partial \ell}{\partial b_{kd}} = \big(2\, \mathbf{G}_k \mathbf{L}_k\big)_{dd}\, (\mathbf{L}_k)_{dd}. \tag{grad-chol} $$

# %%
rows_tril, cols_tril = np.tril_indices(D)
on_diagonal = rows_tril == cols_tril


def theta_to_vector(theta):
    """Equation (param), inverted: logits w_1..w_{K-1}, the means, the Cholesky entries (log on the diagonal)."""
    L = np.linalg.cholesky(theta.covariances)[:, rows_tril, cols_tril]
    L[:, on_diagonal] = np.log(L[:, on_diagonal])
    return np.concatenate([np.log(theta.weights[:-1] / theta.weights[-1]), theta.means.ravel(), L.ravel()])


def vector_to_theta(v, K):
    """Equation (param): a valid GMM from any real vector v, and its Cholesky factors L_k."""
    means = v[K - 1:K - 1 + K * D].reshape(K, D)
    entries = v[K - 1 + K * D:].reshape(K, -1).copy()
    entries[:, on_diagonal] = np.exp(entries[:, on_diagonal])
    L = np.zeros((K, D, D))
    L[:, rows_tril, cols_tril] = entries
    return gb.GMM(special.softmax(np.append(v[:K - 1], 0.0)), means, L @ L.transpose(0, 2, 1)), L


def neg_loglik_and_grad(v, X, K):
    """-l(theta(v)) and its gradient, equations (grad) and (grad-chol)."""
    theta, L = vector_to_theta(v, K)
    resp, loglik = gb.e_step(X, theta)
    nk = resp.sum(axis=0)
    grad_means, grad_L = np.empty((K, D)), np.empty((K, len(rows_tril)))
    for k in range(K):
        precision = np.linalg.inv(theta.covariances[k])
        diff = X - theta.means[k]
        grad_means[k] = precision @ (resp[:, k] @ diff)
        G_k = 0.5 * precision @ ((resp[:, k, None] * diff).T @ diff - nk[k] * theta.covariances[k]) @ precision
        dL = (2 * G_k @ L[k])[rows_tril, cols_tril]
        dL[on_diagonal] *= L[k][rows_tril, cols_tril][on_diagonal]
        grad_L[k] = dL
    return -loglik, -np.concatenate([(nk - len(X) * theta.weights)[:-1], grad_means.ravel(), grad_L.ravel()])


v0 = theta_to_vector(poor_start)
value0, grad0 = neg_loglik_and_grad(v0, X, 2)
steps_fd = 1e-6 * np.maximum(1.0, np.abs(v0))
central = np.array([(neg_loglik_and_grad(v0 + s * e, X, 2)[0] - neg_loglik_and_grad(v0 - s * e, X, 2)[0]) / (2 * s)
                    for s, e in zip(steps_fd, np.eye(len(v0)))])
_, grad_at_fit = neg_loglik_and_grad(theta_to_vector(fit_tight.gmm), X, 2)

# %% [markdown]
# **CHECK (grad).** The gradient must match central differences of $\ell$, and vanish at EM's limit, as (grad-q) says.

# %%
assert np.max(np.abs(central - grad0)) <= 1e-6 * np.max(np.abs(grad0))   # fails without the factor 2 in (grad-chol)
assert np.max(np.abs(grad_at_fit)) <= 1e-7 * np.max(np.abs(grad0))       # fails if EM's limit were not stationary
print("check (grad): the gradient matches central differences (1e-6 relative);"
      " at EM's limit it is below 1e-7 of its size at the start")

# %% [markdown]
# **What we verified:** equations (grad), (grad-chol), and that EM's limit is a stationary point.
#
# ### The race
#
# From the poor start, both must reach $\ell^* - 10^{-6} N$, with $\ell^*$ EM's limit.
# We count EM cycles and L-BFGS iterations; each costs about one pass over the data.
# EM ignores units: mapping the data and the start by an invertible $\mathbf{x} \mapsto \mathbf{A}\mathbf{x} + \mathbf{b}$ maps every EM iterate alike (averages and scatter matrices transform like the data) and shifts $\ell$ by $-N \ln |\det \mathbf{A}|$.
# A gradient mixes units, so its path changes.
# We rerun both on the standardised data of section 5.

# %%
loglik_star = fit_tight.log_likelihood
target = loglik_star - 1e-6 * N


def run_lbfgs(X, start, K, stop_at=None):
    """L-BFGS-B on -l from start; returns the result and l after each iteration (stops once l >= stop_at)."""
    history = []

    def record(intermediate_result):
        history.append(-intermediate_result.fun)
        if stop_at is not None and history[-1] >= stop_at:
            raise StopIteration

    result = minimize(neg_loglik_and_grad, theta_to_vector(start), args=(X, K), jac=True, method="L-BFGS-B",
                      callback=record, options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9})
    return result, np.array(history)


lbfgs, lbfgs_history = run_lbfgs(X, poor_start, 2)
lbfgs_iters = int(np.argmax(lbfgs_history >= target)) + 1
em_cycles = int(np.argmax(fit30.log_likelihoods >= target))
theta_lbfgs, _ = vector_to_theta(lbfgs.x, 2)
sd = X.std(axis=0)
start_std2 = gb.GMM(poor_start.weights, (poor_start.means - X.mean(axis=0)) / sd,
                    poor_start.covariances / np.outer(sd, sd))                  # the same start, standardised
fit_std = gb.em(X_std, start_std2)
log_det_A = -np.sum(np.log(sd))                                      # l(raw) = l(standardised) + N ln|det A|
_, lbfgs_history_std = run_lbfgs(X_std, start_std2, 2)
print(f"EM: {em_cycles} cycles to the target; L-BFGS-B: {lbfgs_iters} iterations, ends at l = {-lbfgs.fun:.4f}")

# %% [markdown]
# **CHECK (race).** Both must end at the same $\ell$ (within $10^{-6}$) and parameters ($10^{-6}$ relative); L-BFGS must need more than twice as many iterations as EM cycles.
# On standardised data EM must repeat its path ($\ell$ shifted by $-N \ln|\det\mathbf{A}|$, $10^{-10}$ relative; responsibilities within $10^{-8}$); L-BFGS's first ten values must differ by more than 10.

# %%
assert lbfgs_history.max() >= target and abs(-lbfgs.fun - loglik_star) < 1e-6   # the same maximum, both ways
order_tight = np.argsort(fit_tight.gmm.means[:, 0])
order_lbfgs = np.argsort(theta_lbfgs.means[:, 0])
for attr in ("weights", "means", "covariances"):
    lbfgs_attr, em_attr = getattr(theta_lbfgs, attr)[order_lbfgs], getattr(fit_tight.gmm, attr)[order_tight]
    assert rel_diff(lbfgs_attr, em_attr) < 1e-6, attr          # fails if (grad) pointed elsewhere
assert lbfgs_iters > 2 * em_cycles                        # the race's outcome, as the text states it
assert fit_std.n_iter == fit.n_iter and np.max(np.abs(fit_std.resp - fit.resp)) < 1e-8   # fails with a floor
assert np.allclose(fit_std.log_likelihoods + N * log_det_A, fit.log_likelihoods, rtol=1e-10, atol=0)  # |det A|
assert np.max(np.abs(lbfgs_history_std[:10] + N * log_det_A - lbfgs_history[:10])) > 10   # L-BFGS depends on units
print(f"check (race): EM ({em_cycles} cycles) and L-BFGS-B ({lbfgs_iters} iterations) reach the same maximum;"
      " EM's path does not depend on the units, L-BFGS's does")

# %% [markdown]
# **What we verified:** the same maximum both ways; EM in fewer steps here, and independently of the units.
# Counts and times (the times depend on the machine; our gradient is plain NumPy):

# %%
# NBVAL_IGNORE_OUTPUT
def best_time(run, repeats=3):
    """The fastest of a few wall-clock timings of run(), in milliseconds."""
    times = []
    for _ in range(repeats):
        start_time = time.perf_counter()
        run()
        times.append(time.perf_counter() - start_time)
    return 1e3 * min(times)


stopped, _ = run_lbfgs(X, poor_start, 2, stop_at=target)
print(f"EM: {em_cycles} cycles, {best_time(lambda: gb.em(X, poor_start, max_iter=em_cycles, tol=0.0)):.1f} ms;"
      f" L-BFGS-B: {lbfgs_iters} iterations, {stopped.nfev} evaluations,"
      f" {best_time(lambda: run_lbfgs(X, poor_start, 2, stop_at=target)):.1f} ms")

# %% [markdown]
# EM wins here: fewer steps, no step size or line search, constraints kept for free, no dependence on units.
# It is no law: with overlapping components $\rho$ nears 1 (section 6) and quasi-Newton methods can overtake EM (Redner & Walker 1984; Xu & Jordan 1996); they also work where the M-step has no closed form.
#
# ## 8. K-means as a limit of EM
#
# Give every component the same fixed covariance $\sigma^2\mathbf{I}$ and fixed weights $\pi_k > 0$.
# The factors $(2\pi\sigma^2)^{-D/2}$ cancel in (resp); dividing by the term of the nearest mean $\boldsymbol\mu_{k^*}$,
#
# $$ \begin{aligned} r_{nk} &= \frac{(\pi_k / \pi_{k^*})\, e^{-c_{nk} / 2\sigma^2}}{\sum_j (\pi_j / \pi_{k^*})\, e^{-c_{nj} / 2\sigma^2}}, \\ c_{nk} &= \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 - \lVert \mathbf{x}_n - \boldsymbol\mu_{k^*} \rVert^2 \ge 0. \end{aligned} \tag{kmeans-resp} $$
#
# As $\sigma \to 0$ every term with $c_{nj} > 0$ vanishes: $r_{nk} \to 1$ for the nearest mean and 0 otherwise (without ties), whatever the weights.
# Then (m-means) averages the points nearest to each mean, Lloyd's (1982) update, and
#
# $$ Q = -\frac{1}{2\sigma^2}\sum_{n,k} r_{nk}\lVert\mathbf{x}_n-\boldsymbol\mu_k\rVert^2 + \text{const}; \tag{kmeans-limit} $$
#
# with hard $r_{nk}$ the sum is $J$, equation (kmeans), so the M-step for the means minimises $J$.
# K-means is EM with infinitely narrow, equal, round components.
# On the standardised data, at the poor start's means, with unequal weights $\boldsymbol\pi = (0.3, 0.7)$, we measure each point's *doubt* $1 - \max_k r_{nk}$:

# %%
means_std = start_std2.means
weights_km = np.array([0.3, 0.7])
sigmas = [1.0, 0.3, 0.1, 0.03, 0.01, 0.001]
nearest, _ = vq(X_std, means_std)                             # K-means assignment: index of the nearest mean
doubts, agreements = [], []
for sigma in sigmas:
    resp_sigma = gb.responsibilities(X_std, gb.GMM(weights_km, means_std, np.array([sigma**2 * np.eye(D)] * 2)))
    doubts.append(1 - resp_sigma.max(axis=1))
    agreements.append(np.mean(resp_sigma.argmax(axis=1) == nearest))
    print(f"sigma = {sigma:6g}: mean doubt {doubts[-1].mean():.2e}, argmax = nearest mean for {agreements[-1]:.1%}")
means_em, means_lloyd = means_std.copy(), means_std.copy()
step_gaps = []
for _ in range(10):
    resp_em = gb.responsibilities(X_std, gb.GMM(weights_km, means_em, np.array([1e-6 * np.eye(D)] * 2)))
    means_em = m_step(X_std, resp_em).means                                                # EM's (m-means)
    labels_lloyd = np.argmin(((X_std[:, None, :] - means_lloyd[None]) ** 2).sum(axis=2), axis=1)   # Lloyd: assign
    means_lloyd = np.array([X_std[labels_lloyd == k].mean(axis=0) for k in range(2)])              # Lloyd: average
    step_gaps.append(np.max(np.abs(means_em - means_lloyd)))
centroids_scipy, labels_scipy = kmeans2(X_std, means_std, minit="matrix", iter=10)

# %% [markdown]
# **CHECK (kmeans-limit).** The mean doubt must fall strictly with $\sigma$; at $\sigma = 10^{-3}$ the responsibilities must be exactly SciPy's nearest-mean labels (`vq`); ten EM mean updates at $\sigma = 10^{-3}$ must equal ten inline Lloyd steps and SciPy's `kmeans2` (within $10^{-12}$).

# %%
assert np.all(np.diff([d.mean() for d in doubts]) < 0)        # fails if the E-step ignored the covariance
assert np.all(doubts[-1] == 0.0) and agreements[-1] == 1.0     # fails without log-sum-exp (0/0 at small sigma)
# EM step = Lloyd step = SciPy: fails if Lloyd assigned to another centre, or EM's means were not (m-means)
assert max(step_gaps) < 1e-12 and np.max(np.abs(means_em - centroids_scipy)) < 1e-12
print("check (kmeans-limit): the doubt falls strictly with sigma; at sigma = 1e-3 responsibilities are the one-hot"
      " nearest-mean labels; 10 EM mean updates equal 10 Lloyd steps and scipy's kmeans2 (1e-12)")

# %% [markdown]
# **What we verified:** EM with a vanishing shared round covariance *is* K-means, with chapter 01's two shortcomings: one round shape, hard assignments.
#
# ## 9. Choosing $K$ with BIC and AIC
#
# The maximum of $\ell$ never decreases with $K$: a mixture with $K + 1$ components can imitate one with $K$ (give the extra one weight 0, or split a component in two).
# Information criteria add a penalty in the number $M$ of free parameters, equation (count), here $6K - 1$:
#
# $$ \mathrm{BIC} = -2\,\ell(\hat\theta) + M \ln N \quad \text{(Schwarz 1978)}, \tag{bic} $$
#
# $$ \mathrm{AIC} = -2\,\ell(\hat\theta) + 2M \quad \text{(Akaike 1974)}. \tag{aic} $$
#
# Lower is better.
# BIC approximates $-2 \ln p(\mathbf{X} \mid K)$, the evidence with the parameters integrated out, up to terms that stay bounded as $N$ grows; AIC estimates the fit to new data.
# Both rest on regularity conditions that fail when $K$ is larger than needed: the truth then sits on the boundary ($\pi_k = 0$) or where two components coincide, and the Fisher information (the expected curvature of $\ell$) is singular there.
# Both are used anyway; BIC estimates $K$ consistently under mild conditions (Keribin 2000).
#
# Our fits: $K = 1$ in closed form, $K = 2$ from section 3, $K = 3$ the best k-means++ run, and one k-means++ start for each of $K = 4, 5, 6$.

# %%
rng_bic = np.random.default_rng(4)
fits_K = {1: one_gaussian, 2: fit.gmm, 3: best_kpp.gmm}
for K in (4, 5, 6):
    fits_K[K] = gb.em(X, K, rng=rng_bic).gmm
print(f"{'K':>2} {'M':>3} {'l':>9} {'BIC':>9} {'AIC':>9}")
table = []
for K, gmm in fits_K.items():
    loglik_K = special.logsumexp(log_joint_scipy(X, gmm), axis=1).sum()                 # l from SciPy
    M = gb.n_parameters(K, D)
    table.append((K, M, len(theta_to_vector(gmm)), loglik_K, gb.bic(X, gmm), gb.aic(X, gmm)))
    print(f"{K:2d} {M:3d} {loglik_K:9.2f} {table[-1][4]:9.2f} {table[-1][5]:9.2f}")
Ks, Ms, free_numbers, loglik_col, bics, aics = np.array(table).T
K_bic, K_aic = int(Ks[np.argmin(bics)]), int(Ks[np.argmin(aics)])
bic_higher = gb.bic(X, higher.gmm)
print(f"BIC chooses K = {K_bic}, AIC K = {K_aic}; K = 3 at the higher maximum: BIC {bic_higher:.2f},"
      f" AIC {gb.aic(X, higher.gmm):.2f}")

# %%
fig = plotting.fig_bic_aic(X=X, fits=fits_K, alternative=higher.gmm)
plt.show()

# %% [markdown]
# **CHECK (bic).** `gb.bic` and `gb.aic` must equal (bic) and (aic) with $\ell$ from SciPy, and $M$ from `gb.n_parameters` must equal the length of section 7's unconstrained vector; for $K = 2$ BIC must be `mclustBIC`'s 2322.192 (section 3; mclust prints it with the opposite sign).
# BIC must choose $K = 2$, even against the higher $K = 3$ maximum, and AIC's choice must be at least BIC's: $\mathrm{AIC} - \mathrm{BIC} = M(2 - \ln N)$ falls with $K$, so below BIC's choice AIC is higher too.

# %%
assert np.array_equal(Ms, free_numbers)                        # fails if a covariance counted D^2 numbers
assert np.allclose(bics, -2 * loglik_col + Ms * np.log(N), rtol=1e-12, atol=0)   # fails with AIC's penalty
assert np.allclose(aics, -2 * loglik_col + 2 * Ms, rtol=1e-12, atol=0)           # fails with a penalty of M
assert abs(bics[1] - 2322.192) < 5e-4                          # a published number: fails for a wrong penalty
assert K_bic == 2 and bic_higher > bics[1] and K_aic >= K_bic   # fails if BIC had AIC's penalty (K = 4)
print(f"check (bic): gb.bic and gb.aic are (bic) and (aic); M = the number of free parameters; BIC(K = 2) ="
      f" mclustBIC's 2322.192; BIC chooses K = 2, also against the higher K = 3 maximum; AIC chooses K = {K_aic}")

# %% [markdown]
# **What we verified:** the criteria are their formulas, and on Old Faithful BIC picks the two eruption types.
# AIC prefers more components, but its values for $K = 3$–6 lie within 10 (with the higher $K = 3$ maximum), each $K \ge 4$ from one start: a fragile choice.
# BIC's rests on a margin of 2.0 over the higher $K = 3$ maximum.
#
# ## Summary
#
# - EM, equation (em), alternates equation (resp) and the M-step; our loop, `gb.em` and scikit-learn agree.
# - The E-step zeroes the KL of (elbo-kl) and the M-step raises $\mathcal{L}$, so $\ell$ never decreases, equation (monotone).
# - Restarts end on different maxima; the highest found for $K = 3$ is not the best model.
# - `reg_covar` stops a collapse, but $\ell$ can then fall.
# - Limit points are stationary, not necessarily maxima; the rate is linear, $\rho$ from the Jacobian of one cycle.
# - L-BFGS needs more steps; as $\sigma \to 0$ EM becomes K-means; BIC picks $K = 2$.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/06_em_in_action.ipynb): the EM loop and its monotone $\ell$; stale responsibilities; `reg_covar` at the maximum; EM's rate for one weight; the $\sigma \to 0$ limit with unequal components; what one more component must buy.
#
# ## References
#
# - Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from incomplete data via the EM algorithm. *Journal of the Royal Statistical Society, Series B* 39(1):1–38.
# - Neal, R. M. & Hinton, G. E. (1998). A view of the EM algorithm that justifies incremental, sparse, and other variants. In M. I. Jordan (ed.), *Learning in Graphical Models*, 355–368. Kluwer.
# - Wu, C. F. J. (1983). On the convergence properties of the EM algorithm. *Annals of Statistics* 11(1):95–103.
# - Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*. Springer. §9.1–9.4.
# - Deisenroth, M. P., Faisal, A. A. & Ong, C. S. (2020). *Mathematics for Machine Learning*. Cambridge University Press. §11.2–11.3.
# - Scrucca, L., Fop, M., Murphy, T. B. & Raftery, A. E. (2016). mclust 5: clustering, classification and density estimation using Gaussian finite mixture models. *The R Journal* 8(1):289–317.
# - Azzalini, A. & Bowman, A. W. (1990). A look at some data on the Old Faithful geyser. *Applied Statistics* 39(3):357–365; Härdle, W. (1991). *Smoothing Techniques with Implementation in S*. Springer (the data).
# - Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics* 6(2):461–464.
# - Akaike, H. (1974). A new look at the statistical model identification. *IEEE Transactions on Automatic Control* 19(6):716–723.
# - Keribin, C. (2000). Consistent estimation of the order of mixture models. *Sankhyā, Series A* 62(1):49–66.
# - Meng, X.-L. & Rubin, D. B. (1991). Using EM to obtain asymptotic variance-covariance matrices: the SEM algorithm. *Journal of the American Statistical Association* 86(416):899–909.
# - Redner, R. A. & Walker, H. F. (1984). Mixture densities, maximum likelihood and the EM algorithm. *SIAM Review* 26(2):195–239.
# - Xu, L. & Jordan, M. I. (1996). On convergence properties of the EM algorithm for Gaussian mixtures. *Neural Computation* 8(1):129–151.
# - Lloyd, S. P. (1982). Least squares quantization in PCM. *IEEE Transactions on Information Theory* 28(2):129–137.
# - Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *Journal of Machine Learning Research* 12:2825–2830.

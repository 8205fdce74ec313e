# %% [markdown]
# # Chapter 06: EM at work, and why it works
#
# Chapter 04 computed the responsibilities, the posterior probabilities of the hidden labels.
# Chapter 05 derived the M-step, the parameters that maximise the expected complete-data log-likelihood $Q$ for fixed responsibilities.
# This chapter puts the two together into the EM algorithm, runs it, and proves that it never makes the likelihood worse.
# Then we watch it work on Old Faithful from a bad start, see where it gets stuck, how it fails, how it compares with a general-purpose optimiser, how it turns into K-means, and how to choose the number of components.
#
# ## What you will learn
#
# - The EM algorithm, equation (em): initialise, E-step, M-step, evaluate the log-likelihood, stop when it no longer rises; ten lines of NumPy on top of `gb.e_step` and `gb.m_step`.
# - Why EM never decreases the likelihood: the decomposition $\ln p(\mathbf{X} \mid \theta) = \mathcal{L}(q, \theta) + \mathrm{KL}(q \,\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta))$, equation (elbo-kl), and the chain of inequalities (monotone), each checked at every iteration.
# - What EM does on real data from a poor start, cycle by cycle, and how fast it converges.
# - Why different starts end in different local maxima, and how many starts ("best of $n$") are enough.
# - How a component collapses in practice, and what `reg_covar` does about it.
# - How EM compares with gradient ascent (L-BFGS) on the same likelihood.
# - Why K-means is EM with shared spherical covariances $\sigma^2\mathbf{I}$ in the limit $\sigma \to 0$.
# - *(beyond)* Choosing $K$ with BIC and AIC, equations (bic) and (aic); and an outside check of `gmmbook` against scikit-learn.
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture, equation (mixture), and the parameter count, equation (count).
# - Chapter 02: the joint of a data set factorises over points, and its logarithm is linear in the one-hot labels, equation (log-joint-data).
# - Chapter 03: the log-likelihood, equation (loglik), log-sum-exp, equation (logsumexp), that $\ell$ is not concave and not bounded, and the covariance floor, equation (floor-bound).
# - Chapter 04: the responsibilities $r_{nk} = \pi_k \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) / \sum_j \pi_j \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)$, equation (resp), and that the posterior factorises over points.
# - Chapter 05: the function $Q(\theta, \theta_{\text{old}})$, equation (q), the M-step, equations (m-weights), (m-means) and (m-cov), Gibbs' inequality, equation (gibbs), and the lower bound (q-bound), which this chapter proves.
# - The gradient of a function of several variables, and the idea of a numerical optimiser.
#
# Notation, as everywhere in the book: $N$ points, $D$ dimensions, $K$ components; weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`; chapter 05 writes $\gamma_{nk}$), $N_k = \sum_n r_{nk}$ (`nk`), $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$, and $\ell(\theta) = \ln p(\mathbf{X} \mid \theta)$, the total (summed over points) log-likelihood.
# In the mathematics components are numbered $k = 1, \dots, K$; in the code they are numbered `0, ..., K-1`.

# %%
import re
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
# EM alternates the two steps of chapters 04 and 05.
# The E-step computes the responsibilities under the current parameters; the M-step computes new parameters from those responsibilities; repeat.
# Written out, with $t$ counting the cycles:
#
# $$
# \begin{aligned}
# &\textbf{0. Initialise } \theta^{(0)} = \{\pi_k^{(0)}, \boldsymbol\mu_k^{(0)}, \boldsymbol\Sigma_k^{(0)}\}, \text{ and set } t = 0. \\
# &\textbf{1. E-step: } r_{nk}^{(t)} = \frac{\pi_k^{(t)} \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k^{(t)}, \boldsymbol\Sigma_k^{(t)})}{\sum_{j} \pi_j^{(t)} \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j^{(t)}, \boldsymbol\Sigma_j^{(t)})}, \qquad \ell(\theta^{(t)}) = \sum_n \ln \sum_j \pi_j^{(t)} \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j^{(t)}, \boldsymbol\Sigma_j^{(t)}). \\
# &\textbf{2. M-step: } N_k = \sum_n r_{nk}^{(t)}, \quad \pi_k^{(t+1)} = \frac{N_k}{N}, \quad \boldsymbol\mu_k^{(t+1)} = \frac{1}{N_k} \sum_n r_{nk}^{(t)} \mathbf{x}_n, \quad \boldsymbol\Sigma_k^{(t+1)} = \frac{1}{N_k} \sum_n r_{nk}^{(t)} (\mathbf{x}_n - \boldsymbol\mu_k^{(t+1)})(\mathbf{x}_n - \boldsymbol\mu_k^{(t+1)})^\top. \\
# &\textbf{3. Evaluate } \ell(\theta^{(t+1)}) \text{ (it comes with the next E-step). Stop if } |\ell(\theta^{(t+1)}) - \ell(\theta^{(t)})| / N < \text{tol}; \text{ else } t \leftarrow t + 1 \text{ and go to 1.}
# \end{aligned}
# \tag{em}
# $$
#
# Step 1 is equation (resp) of chapter 04; step 2 is equations (m-weights), (m-means) and (m-cov) of chapter 05.
# Three remarks on the details.
#
# - **The log-likelihood is free.** The denominator of $r_{nk}$ is $p(\mathbf{x}_n \mid \theta)$, so the E-step computes every term of $\ell$ on the way, by log-sum-exp, equation (logsumexp). `gb.e_step` returns both.
# - **The stopping rule** compares the *mean* log-likelihood per point, so that one `tol` means the same for 300 points and for a million. The rule does not say we are at a maximum, only that EM has slowed down; section 3 looks at how fast it approaches the top.
# - **One cycle** is one M-step followed by one E-step; $\theta^{(t)}$ are the parameters after $t$ cycles, and $\ell(\theta^{(0)})$ is the log-likelihood of the start.
#
# Our running example is Old Faithful (chapter 01), in its raw units (minutes), with $K = 2$ components, started *deliberately badly*: equal weights, both means within 0.6 standard deviations of the centre of the data and placed on the wrong diagonal (a short eruption with a long wait, a long eruption with a short wait, while the data rise from lower left to upper right), and round-ish covariances about 0.3 times the data's variances.

# %%
X = gb.datasets.old_faithful()
N, D = X.shape
poor_start = gb.datasets.old_faithful_poor_start()
print("weights", poor_start.weights, "; means (eruption min, waiting min):", poor_start.means.tolist())
print("covariances: both", np.diag(poor_start.covariances[0]).tolist(), "on the diagonal, 0 off it")
print(f"N = {N}, D = {D}; data mean {X.mean(axis=0).round(2)}, standard deviations {X.std(axis=0).round(2)}")
print("the start's means in standard units (mean 0, sd 1):",
      ((poor_start.means - X.mean(axis=0)) / X.std(axis=0)).round(2).tolist())

# %% [markdown]
# The whole of equation (em) is ten lines on top of `gb.e_step` (equation (resp), returning the responsibilities and $\ell$) and `gb.m_step` (equations (m-weights), (m-means), (m-cov)).
# The loop keeps every $\theta^{(t)}$ so that section 2 can look inside it.

# %%
def em_loop(X, theta, max_iter=1000, tol=1e-8):
    """Equation (em). Returns the list [theta_0, theta_1, ...] and the array of l(theta_t)."""
    resp, loglik = gb.e_step(X, theta)                     # E-step at the start: r(theta_0) and l(theta_0)
    thetas, logliks = [theta], [loglik]
    for _ in range(max_iter):
        theta = gb.m_step(X, resp)                         # M-step: (m-weights), (m-means), (m-cov)
        resp, loglik = gb.e_step(X, theta)                 # E-step: (resp), and l(theta_{t+1}) on the way
        thetas.append(theta)
        logliks.append(loglik)
        if abs(logliks[-1] - logliks[-2]) / len(X) < tol:  # stop: the mean log-likelihood has settled
            break
    return thetas, np.array(logliks)


thetas, logliks = em_loop(X, poor_start)
fit = gb.em(X, poor_start)
print(f"inline loop: {len(thetas) - 1} cycles, l from {logliks[0]:.2f} to {logliks[-1]:.2f}")
print(f"gb.em:       {fit.n_iter} cycles, l from {fit.log_likelihoods[0]:.2f} to {fit.log_likelihood:.2f},"
      f" converged = {fit.converged}")

# %% [markdown]
# **CHECK (em).** From the same start, the inline loop and `gb.em` produce the same sequence of log-likelihoods and the same final parameters, *exactly* (bit for bit): `gb.em` is equation (em) and nothing else.

# %%
assert np.array_equal(logliks, fit.log_likelihoods)
final = thetas[-1]
assert np.array_equal(final.weights, fit.gmm.weights) and np.array_equal(final.means, fit.gmm.means)
assert np.array_equal(final.covariances, fit.gmm.covariances)
assert len(thetas) - 1 == fit.n_iter and fit.converged
print(f"check (em): the 10-line loop and gb.em give identical log-likelihoods at all {len(logliks)} steps"
      " and identical final weights, means and covariances (exact equality)")

# %% [markdown]
# **What we verified:** `gb.em` is the algorithm (em) built from the E-step of chapter 04 and the M-step of chapter 05; from now on we call it instead of the loop.

# %% [markdown]
# ## 2. Why EM never decreases the likelihood
#
# Each M-step maximises $Q$, not $\ell$.
# Why should that help $\ell$?
# The answer is an identity that holds for *any* distribution $q(\mathbf{Z})$ over the hidden labels of all $N$ points.
#
# ### The decomposition
#
# Start from $\ell(\theta) = \ln p(\mathbf{X} \mid \theta)$ and multiply it by $1 = \sum_{\mathbf{Z}} q(\mathbf{Z})$ (the sum runs over all $K^N$ label configurations):
#
# $$ \ln p(\mathbf{X} \mid \theta) = \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln p(\mathbf{X} \mid \theta) \tag{elbo-1} $$
#
# The product rule says $p(\mathbf{X}, \mathbf{Z} \mid \theta) = p(\mathbf{Z} \mid \mathbf{X}, \theta)\, p(\mathbf{X} \mid \theta)$, so $p(\mathbf{X} \mid \theta) = p(\mathbf{X}, \mathbf{Z} \mid \theta) / p(\mathbf{Z} \mid \mathbf{X}, \theta)$ for every $\mathbf{Z}$:
#
# $$ \ln p(\mathbf{X} \mid \theta) = \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{p(\mathbf{X}, \mathbf{Z} \mid \theta)}{p(\mathbf{Z} \mid \mathbf{X}, \theta)} \tag{elbo-2} $$
#
# Multiply and divide inside the logarithm by $q(\mathbf{Z})$ and split the logarithm of the product into a sum:
#
# $$ \ln p(\mathbf{X} \mid \theta) = \underbrace{\sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{p(\mathbf{X}, \mathbf{Z} \mid \theta)}{q(\mathbf{Z})}}_{\mathcal{L}(q, \theta)} + \underbrace{\sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{q(\mathbf{Z})}{p(\mathbf{Z} \mid \mathbf{X}, \theta)}}_{\mathrm{KL}(q \,\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta))} \tag{elbo-kl} $$
#
# The second term is the Kullback–Leibler divergence of $q$ from the posterior.
# It is never negative (Gibbs' inequality, met for the weights in chapter 05, equation (gibbs)): since $\ln$ is concave, Jensen's inequality gives
#
# $$ -\mathrm{KL}(q \,\|\, p) = \sum_{\mathbf{Z}} q(\mathbf{Z}) \ln \frac{p(\mathbf{Z} \mid \mathbf{X}, \theta)}{q(\mathbf{Z})} \ \le\ \ln \sum_{\mathbf{Z}} q(\mathbf{Z}) \frac{p(\mathbf{Z} \mid \mathbf{X}, \theta)}{q(\mathbf{Z})} \ \le\ \ln 1 = 0 \tag{kl-nonneg} $$
#
# (the sums run over the $\mathbf{Z}$ with $q(\mathbf{Z}) > 0$, and $\ln$ of a sum of probabilities is at most $\ln 1$), with equality exactly when $q(\mathbf{Z}) = p(\mathbf{Z} \mid \mathbf{X}, \theta)$.
# So $\mathcal{L}(q, \theta) \le \ell(\theta)$ for every $q$: $\mathcal{L}$ is a *lower bound* on the log-likelihood, the **evidence lower bound** (ELBO), and the gap is exactly the KL divergence.
#
# ### Point by point
#
# Sums over $K^N$ configurations are not something we can compute, but we never have to.
# Take $q$ to factorise over points like the posterior does (chapter 04): $q(\mathbf{Z}) = \prod_n \prod_k q_{nk}^{z_{nk}}$, with rows $q_{n\cdot}$ summing to 1.
# Then all three logarithms in (elbo-kl) are *linear* in the labels $z_{nk}$: $\ln p(\mathbf{X}, \mathbf{Z} \mid \theta) = \sum_n \sum_k z_{nk} [\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)]$ (equation (log-joint-data) of chapter 02), $\ln q(\mathbf{Z}) = \sum_n \sum_k z_{nk} \ln q_{nk}$, and $\ln p(\mathbf{Z} \mid \mathbf{X}, \theta) = \sum_n \sum_k z_{nk} \ln r_{nk}(\theta)$ (chapter 04).
# A sum over $\mathbf{Z}$ weighted by $q(\mathbf{Z})$ is an expectation under $q$, and, exactly as for equation (q) in chapter 05, linearity moves the expectation onto the $z_{nk}$, whose expectation under $q$ is $q_{nk}$.
# So both terms become sums of $N K$ numbers:
#
# $$ \mathcal{L}(q, \theta) = \sum_{n=1}^N \sum_{k=1}^K q_{nk} \Big[ \ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) - \ln q_{nk} \Big], \qquad \mathrm{KL} = \sum_{n=1}^N \sum_{k=1}^K q_{nk} \ln \frac{q_{nk}}{r_{nk}(\theta)} \tag{elbo-points} $$
#
# with $0 \ln 0 = 0$.
# The first part of $\mathcal{L}$ is $Q$: with $q_{nk} = r_{nk}(\theta_{\text{old}})$,
#
# $$ \mathcal{L}(q, \theta) = Q(\theta, \theta_{\text{old}}) + H(q), \qquad H(q) = -\sum_{n,k} q_{nk} \ln q_{nk} \tag{elbo-q} $$
#
# where $Q$ is equation (q) of chapter 05 and the entropy $H(q)$ does not depend on $\theta$.
# Together with (elbo-kl) and (kl-nonneg) this proves chapter 05's bound (q-bound): $\ell(\theta) = Q(\theta, \theta_{\text{old}}) + H + \mathrm{KL} \ge Q(\theta, \theta_{\text{old}}) + H$, with equality at $\theta = \theta_{\text{old}}$, where the posterior is $q$ itself.
#
# ### EM climbs the lower bound, and the bound pushes $\ell$ up
#
# EM is coordinate ascent on $\mathcal{L}(q, \theta)$, alternating between $q$ and $\theta$:
#
# - **E-step:** with $\theta^{(t)}$ fixed, $q^{(t)} = p(\mathbf{Z} \mid \mathbf{X}, \theta^{(t)})$, i.e. $q_{nk} = r_{nk}(\theta^{(t)})$. The KL term is 0, so the bound touches: $\mathcal{L}(q^{(t)}, \theta^{(t)}) = \ell(\theta^{(t)})$.
# - **M-step:** with $q^{(t)}$ fixed, $\theta^{(t+1)}$ maximises $\mathcal{L}(q^{(t)}, \theta)$, which by (elbo-q) is the same as maximising $Q(\theta, \theta^{(t)})$: exactly chapter 05's M-step. So $\mathcal{L}(q^{(t)}, \theta^{(t+1)}) \ge \mathcal{L}(q^{(t)}, \theta^{(t)})$.
#
# Put together, using (elbo-kl) at $\theta^{(t+1)}$ with the now stale $q^{(t)}$, and (kl-nonneg):
#
# $$ \ell(\theta^{(t+1)}) = \mathcal{L}(q^{(t)}, \theta^{(t+1)}) + \mathrm{KL}\big(q^{(t)} \,\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta^{(t+1)})\big) \ \ge\ \mathcal{L}(q^{(t)}, \theta^{(t+1)}) \ \ge\ \mathcal{L}(q^{(t)}, \theta^{(t)}) = \ell(\theta^{(t)}) \tag{monotone} $$
#
# The log-likelihood never decreases.
# It rises by exactly the M-step's gain in $\mathcal{L}$ (which is its gain in $Q$, by (elbo-q)) plus a bonus, the KL divergence between the old responsibilities and the new posterior; both are $\ge 0$.
# Nothing here used Gaussians: (monotone) holds for EM on any latent-variable model whose M-step can be done.
#
# ### Checking every piece, at every iteration
#
# We evaluate everything with SciPy, independently of `gmmbook`: $\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$ with `scipy.stats.multivariate_normal`, $\ell$ and the log-posterior $\ln r_{nk}$ with `scipy.special.logsumexp`.
# The responsibilities $q^{(t)}$ are those of `gb.e_step`.
# Two runs: the poor start above ($K = 2$, 20 cycles) and a $K = 3$ run from a k-means start (section 4 explains these starts).

# %%
def log_joint_scipy(X, theta):
    """ln pi_k + ln N(x_n | mu_k, Sigma_k) with SciPy, shape (N, K)."""
    return np.column_stack([np.log(w) + stats.multivariate_normal(m, c).logpdf(X)
                            for w, m, c in zip(theta.weights, theta.means, theta.covariances)])


def xlogy_sum(q, a):
    """sum of q * a over the entries with q > 0 (the convention 0 ln 0 = 0)."""
    return float(np.sum(q * a, where=q > 0))


def decompose(X, q, theta):
    """l(theta) from SciPy, and the ELBO and KL of equation (elbo-points) for responsibilities q."""
    a = log_joint_scipy(X, theta)
    log_px = special.logsumexp(a, axis=1)                         # ln p(x_n | theta)
    log_post = a - log_px[:, None]                                # ln r_nk(theta), the exact posterior
    log_q = np.log(q, where=q > 0, out=np.zeros_like(q))
    return log_px.sum(), xlogy_sum(q, a - log_q), xlogy_sum(q, log_q - log_post)


def fixed(x, decimals=4):
    """x to the given decimals, printing a rounding-level -0.0 as 0."""
    return f"{round(x, decimals) + 0.0:.{decimals}f}"


def audit(X, thetas):
    """For each t >= 1: l_t, ELBO and KL with the stale q_{t-1} and with the fresh q_t, ELBO(q_{t-1}, theta_{t-1}),
    and Q + H from gb.q_function."""
    rows = []
    for t in range(1, len(thetas)):
        q_old, _ = gb.e_step(X, thetas[t - 1])                     # q^{(t-1)}: the E-step before the M-step
        q_new, _ = gb.e_step(X, thetas[t])                         # q^{(t)}: the E-step after it
        loglik, elbo_stale, kl_stale = decompose(X, q_old, thetas[t])
        _, elbo_fresh, kl_fresh = decompose(X, q_new, thetas[t])
        _, elbo_before, _ = decompose(X, q_old, thetas[t - 1])
        q_plus_h = gb.q_function(X, thetas[t], q_old) - xlogy_sum(q_old, np.log(q_old, where=q_old > 0,
                                                                               out=np.zeros_like(q_old)))
        rows.append((loglik, elbo_stale, kl_stale, elbo_fresh, kl_fresh, elbo_before, q_plus_h))
    return np.array(rows)


thetas_k3, logliks_k3 = em_loop(X, gb.m_step(X, gb.kmeans_plusplus_start(X, 3, np.random.default_rng(1))))
audit2, audit3 = audit(X, thetas), audit(X, thetas_k3)

print(f"K = 2 from the poor start ({len(audit2)} cycles):")
print(f"{'t':>3} {'l(theta_t)':>11} {'ELBO(q_t-1, theta_t)':>21} {'KL(q_t-1 || post_t)':>20}"
      f" {'ELBO(q_t-1, theta_t-1)':>23}")
for t in (1, 2, 3, 5, 10, 15, 20):
    loglik, elbo_stale, kl_stale, _, _, elbo_before, _ = audit2[t - 1]
    print(f"{t:3d} {loglik:11.4f} {elbo_stale:21.4f} {fixed(kl_stale):>20} {elbo_before:23.4f}")
print(f"K = 3 from a k-means start: {len(audit3)} cycles, l from {logliks_k3[0]:.2f} to {logliks_k3[-1]:.2f}")

# %% [markdown]
# Read a row of the table from right to left: the E-step made the bound touch $\ell(\theta^{(t-1)})$ (the last column is the log-likelihood one cycle earlier), the M-step raised the bound, and the KL bonus lifted $\ell(\theta^{(t)})$ further above the bound.
# At $t = 20$ EM has converged: the parameters hardly move, and the bonus has vanished.
#
# **CHECK (elbo-kl).** At every cycle of both runs: $\mathcal{L} + \mathrm{KL}$ equals the SciPy log-likelihood, for the stale $q^{(t-1)}$ and for the fresh $q^{(t)}$; the KL divergence of the fresh responsibilities from SciPy's posterior is 0 (the E-step makes the bound tight); the KL of the stale ones is $\ge 0$, equation (kl-nonneg); and $\mathcal{L}$ is $Q + H$, equation (elbo-q), with `gb.q_function`.

# %%
for name, rows in (("K = 2", audit2), ("K = 3", audit3)):
    loglik, elbo_stale, kl_stale, elbo_fresh, kl_fresh, elbo_before, q_plus_h = rows.T
    scale = np.abs(loglik)
    assert np.all(np.abs(elbo_stale + kl_stale - loglik) <= 1e-12 * scale), name      # (elbo-kl), stale q
    assert np.all(np.abs(elbo_fresh + kl_fresh - loglik) <= 1e-12 * scale), name      # (elbo-kl), fresh q
    assert np.all(np.abs(kl_fresh) <= 1e-10), name                                    # E-step: KL = 0
    assert np.all(kl_stale >= -1e-10), name                                           # (kl-nonneg)
    assert np.all(np.abs(q_plus_h - elbo_stale) <= 1e-12 * scale), name               # (elbo-q)
assert np.all(audit2[:10, 2] > 1e-3) and np.all(audit3[:10, 2] > 1e-6)               # a real bonus while theta moves
print(f"check (elbo-kl): at all {len(audit2)} + {len(audit3)} cycles, ELBO + KL = l(theta) (SciPy) within 1e-12"
      " relative for the stale and the fresh q; KL(fresh q || posterior) < 1e-10; KL(stale q || posterior) >= 0;"
      " ELBO = gb.q_function + entropy within 1e-12 relative")

# %% [markdown]
# **What we verified:** the decomposition (elbo-kl) term by term on real parameters, the E-step's zero KL, Gibbs' inequality, and that the M-step's $Q$ is the ELBO minus a constant.
#
# **CHECK (monotone).** Each link of the chain (monotone) holds at every cycle: the M-step never lowers the bound, $\mathcal{L}(q^{(t-1)}, \theta^{(t)}) \ge \mathcal{L}(q^{(t-1)}, \theta^{(t-1)}) = \ell(\theta^{(t-1)})$, and the sequence $\ell(\theta^{(t)})$ never decreases.

# %%
for name, rows, seq in (("K = 2", audit2, logliks), ("K = 3", audit3, logliks_k3)):
    loglik, elbo_stale, _, _, _, elbo_before, _ = rows.T
    assert np.all(np.abs(elbo_before - seq[:-1]) <= 1e-12 * np.abs(seq[:-1])), name   # bound touches l(theta_{t-1})
    assert np.all(elbo_stale >= elbo_before - 1e-9), name                              # the M-step climbs
    assert np.all(loglik >= elbo_stale - 1e-9), name                                   # l is above its bound
    assert np.all(np.diff(seq) >= 0), name                                             # (monotone)
print(f"check (monotone): in both runs ({len(logliks)} and {len(logliks_k3)} log-likelihoods)"
      " l(theta_t-1) = ELBO(q_t-1, theta_t-1) <= ELBO(q_t-1, theta_t) <= l(theta_t) at every cycle,"
      " and the log-likelihood never decreases")

# %% [markdown]
# **What we verified:** the proof (monotone), one inequality at a time, on two real runs.
# It guarantees that $\ell(\theta^{(t)})$ converges (it is non-decreasing and, with the floor of chapter 03 or away from collapse, bounded), not that $\theta^{(t)}$ converges to the *global* maximum: section 4 shows it often does not.

# %% [markdown]
# ## 3. Old Faithful from a poor start
#
# The classic picture (Bishop, *Pattern Recognition and Machine Learning*, figure 9.8) shows EM on Old Faithful after 1, 2, 5 and 20 cycles.
# Ours starts from the poor start of section 1, drawn as grey dotted ellipses in every panel; the points are coloured by their responsibilities (blue for component 1, orange for component 2, grey for a point shared half and half).

# %%
fig = plotting.fig_em_snapshots()
plt.show()

# %%
for t in (0, 1, 2, 5, 10, 15, 20):
    print(f"after {t:2d} cycle{'s' if t != 1 else ' '}: l = {fit.log_likelihoods[t]:9.2f}")
one_gaussian = gb.GMM(np.ones(1), X.mean(axis=0)[None], np.cov(X, rowvar=False, bias=True)[None])
print(f"for comparison, the best single Gaussian (chapter 01): l = {gb.log_likelihood(X, one_gaussian):.2f}")
short = fit.resp[:, np.argmin(fit.gmm.means[:, 0])] > 0.5             # the short-eruption cluster, by the final fit
resp_start, _ = gb.e_step(X, poor_start)                                # the first E-step
print(f"first E-step: component 1 receives {resp_start[short, 0].mean():.0%} of the responsibility of the"
      f" {short.sum()} short eruptions and {resp_start[~short, 0].mean():.0%} of the {(~short).sum()} long ones")

# %% [markdown]
# Three phases are visible.
#
# 1. **The first cycle repairs the worst.** The start's narrow round components explain the data badly ($\ell = -1884$); after one cycle $\ell$ is just above the single Gaussian's value. The start's boundary runs along the clusters rather than between them, so the first E-step gave each component a large share of *both* clusters, and each now looks like the whole data set: two long, heavily overlapping ellipses along the main diagonal.
# 2. **Slow separation.** Near this "one Gaussian twice" configuration EM gains only a few units per cycle while the components drift apart. The reason is a fixed point nearby: two identical copies of the single-Gaussian fit (checked below).
# 3. **Fast convergence.** Once each component holds most of one cluster, the responsibilities become nearly hard, and $\ell$ shoots up to its maximum within a few cycles.
#
# Why does "one Gaussian twice" hold EM back?
# If both components equal the single-Gaussian fit $\mathcal{N}(\bar{\mathbf{x}}, \mathbf{S})$ (mean and covariance with divisor $N$) and $\boldsymbol\pi = (\tfrac12, \tfrac12)$, every point has $r_{nk} = \tfrac12$, and the M-step, equations (m-weights), (m-means) and (m-cov), returns $\tfrac12$, $\bar{\mathbf{x}}$ and $\mathbf{S}$ again: EM cannot leave this point, and near it EM moves slowly.
# It is a stationary point of $\ell$ (section 6 shows that every fixed point of EM is one), but not a maximum, and our run ends almost 160 above it.
# To see why EM is slow near it, leave it in the most cautious way.
# Let $\mathbf{v}$ be the data's long axis, the leading eigenvector of $\mathbf{S}$ scaled to one standard deviation, move the two means to $\bar{\mathbf{x}} \pm \varepsilon\mathbf{v}$, and shrink both covariances to $\mathbf{S} - \varepsilon^2 \mathbf{v}\mathbf{v}^\top$.
# The mixture then keeps the mean $\bar{\mathbf{x}}$ and the covariance $\mathbf{S}$ of the twin point, and it is symmetric, so it first differs from the single Gaussian in its fourth moment, by a term of order $\varepsilon^4$.
# Along this path $\ell$ rises (the data are two-humped along $\mathbf{v}$, which the split begins to explain), but only at fourth order in $\varepsilon$: the landscape around the twin point is almost flat, and the pull away from it is weak.

# %%
twin = gb.GMM(np.array([0.5, 0.5]), np.repeat(one_gaussian.means, 2, axis=0),
              np.repeat(one_gaussian.covariances, 2, axis=0))
resp_twin, loglik_twin = gb.e_step(X, twin)
twin_after = gb.m_step(X, resp_twin)
print(f"two copies of the single Gaussian: r_nk = {np.unique(resp_twin.round(12))}, l = {loglik_twin:.2f};"
      f" after one M-step the means are {twin_after.means.round(3).tolist()}")

eigenvalues_S, eigenvectors_S = np.linalg.eigh(one_gaussian.covariances[0])
v_long = np.sqrt(eigenvalues_S[-1]) * eigenvectors_S[:, -1]             # the long axis, one standard deviation long


def split_twin(eps):
    """The twin with means x_bar +- eps v and covariances S - eps^2 v v^T: the same mean and covariance."""
    covariance = one_gaussian.covariances[0] - eps**2 * np.outer(v_long, v_long)
    return gb.GMM(twin.weights, one_gaussian.means[0] + np.outer([1.0, -1.0], eps * v_long),
                  np.repeat(covariance[None], 2, axis=0))


gain_split = {eps: gb.log_likelihood(X, split_twin(eps)) - loglik_twin for eps in (0.1, 0.03)}
print(f"split along the long axis: l rises by {gain_split[0.1]:.2e} for eps = 0.1 and by {gain_split[0.03]:.2e}"
      f" for eps = 0.03, a ratio of {gain_split[0.1] / gain_split[0.03]:.0f}; (0.1 / 0.03)^4 = {(0.1 / 0.03) ** 4:.0f}")

# %% [markdown]
# **CHECK (one Gaussian twice).** Two copies of the single-Gaussian fit have all responsibilities $\tfrac12$, the log-likelihood of the single Gaussian, and are returned unchanged by the M-step.
# The moment-keeping split raises $\ell$ (so the twin point is not a maximum), and the gains for $\varepsilon = 0.1$ and $0.03$ are in the ratio $(0.1/0.03)^4 \approx 123$ of a fourth-order term, within 5 % (the rest is the next, sixth-order, term).

# %%
assert np.allclose(resp_twin, 0.5, rtol=0, atol=1e-12)
assert abs(loglik_twin - gb.log_likelihood(X, one_gaussian)) <= 1e-12 * abs(loglik_twin)
for attr in ("weights", "means", "covariances"):
    before, after = getattr(twin, attr), getattr(twin_after, attr)
    assert np.max(np.abs(after - before)) <= 1e-12 * np.max(np.abs(before)), attr
assert fit.log_likelihoods[1] - loglik_twin < 5 and fit.log_likelihood - loglik_twin > 150
assert gain_split[0.1] > 0 and gain_split[0.03] > 0                                      # not a maximum
assert abs(gain_split[0.1] / gain_split[0.03] / (0.1 / 0.03) ** 4 - 1) < 0.05            # fourth order
print("check (one Gaussian twice): two copies of the single-Gaussian fit with pi = (1/2, 1/2) give r_nk = 1/2 for every point"
      " and are a fixed point of EM (M-step changes nothing, 1e-12 relative); splitting them along the long axis with"
      " the mean and covariance kept raises l, at fourth order in eps (ratio within 5%); the run passes within 5 of"
      " the twin point after one cycle and ends more than 150 above it")

# %% [markdown]
# **What we verified:** the plateau of phase 2 sits just above a fixed point of EM that is not a maximum but an almost flat saddle; starts that land near it, like ours, spend cycles there.
#
# The log-likelihood curve shows the three phases; on a log scale, the distance to the top shrinks by a constant factor per cycle at the end.

# %%
fig = plotting.fig_em_loglik_curve()
plt.show()

# %% [markdown]
# That constant factor is typical of EM: near a maximum it converges *linearly*, the error shrinking by a fixed ratio per cycle.
# The ratio depends on how much the components overlap (how uncertain the responsibilities stay at the maximum): here the clusters are well separated and the ratio is small, so a handful of cycles gains many digits.
# With overlapping components the ratio approaches 1 and EM can crawl.
#
# The final parameters, rounded:

# %%
order = np.argsort(fit.gmm.means[:, 0])                 # component 1: the short eruptions
print("weights pi_k:      ", fit.gmm.weights[order].round(3))
print("means mu_k:        ", fit.gmm.means[order].round(3).tolist())
for j, k in enumerate(order):
    print(f"covariance Sigma_{j + 1}: ", fit.gmm.covariances[k].round(3).tolist())
print(f"log-likelihood l = {fit.log_likelihood:.4f}, after {fit.n_iter} cycles")

# %% [markdown]
# A third of the eruptions are short (about 2 minutes, followed by a wait of about 54 minutes), two thirds long (about 4.3 minutes, wait about 80 minutes).
#
# **CHECK (faithful).** EM from the poor start converges to the published value of the best two-component full-covariance fit of the raw data, $\ell \approx -1130.26$ (R's mclust reports −1130.264 for this model; chapter 01), and to the same parameters (up to the order of the components) as `gb.em` from a k-means start.

# %%
kmeans_fit = gb.em(X, 2, rng=np.random.default_rng(0))
order_km = np.argsort(kmeans_fit.gmm.means[:, 0])
assert fit.converged and abs(fit.log_likelihood - (-1130.26)) < 0.005
assert abs(fit.log_likelihood - kmeans_fit.log_likelihood) < 1e-6
for attr in ("weights", "means", "covariances"):
    a, b = getattr(fit.gmm, attr)[order], getattr(kmeans_fit.gmm, attr)[order_km]
    assert np.max(np.abs(a - b)) <= 1e-4 * np.max(np.abs(b)), attr
print(f"check (faithful): EM from the poor start ends at l = {fit.log_likelihood:.2f}, the reference value, within"
      " 0.005; the k-means start reaches the same l within 1e-6 and the same parameters within 1e-4 relative")

# %% [markdown]
# **What we verified:** even a bad start reaches the best two-component fit here; a bad start costs cycles, not quality.
# That is not always so, as the next section shows.

# %% [markdown]
# ## 4. Local optima and initialisation
#
# Chapter 03 showed that $\ell$ has several local maxima, and (monotone) says only that EM climbs: where it ends depends on where it starts.
# The usual start, and `gb.em`'s when given a number of components, is the one scikit-learn uses: run K-means with k-means++ seeding (centres chosen at random, each new one far from the previous ones), turn its clusters into one-hot responsibilities, and do one M-step.
# `gb.kmeans_plusplus_start` returns those responsibilities; `gb.em(X, K, rng=rng)` draws one such start from `rng` and climbs from it.
#
# We run EM with $K = 3$ on Old Faithful from 60 k-means++ starts, all drawn in turn from one generator, and collect the final log-likelihoods.

# %%
rng_restarts = np.random.default_rng(0)
restarts = [gb.em(X, 3, rng=rng_restarts) for _ in range(60)]
finals = np.array([r.log_likelihood for r in restarts])
values, counts = np.unique(finals.round(2), return_counts=True)
print(f"{'final l':>9} {'runs':>5}   smallest component: weight, mean (eruption min, waiting min)")
for value, count in zip(values[::-1], counts[::-1]):
    r = restarts[int(np.flatnonzero(finals.round(2) == value)[0])]
    k = np.argmin(r.gmm.weights)
    print(f"{value:9.2f} {count:5d}   {r.gmm.weights[k]:.2f}, ({r.gmm.means[k, 0]:.2f}, {r.gmm.means[k, 1]:.1f})")
print(f"all runs converged: {all(r.converged for r in restarts)}; cycles per run: {min(r.n_iter for r in restarts)}"
      f" to {max(r.n_iter for r in restarts)}")

# %%
fig = plotting.fig_restarts_histogram()
plt.show()

# %% [markdown]
# Every run ends at one of two local maxima (those of chapter 03): the better one puts the small third component between the two clusters, the other at the upper right end of the short-eruption cluster.
# Neither the start nor the climb is wrong; the landscape simply has two hills, and the k-means start decides which one EM climbs.
#
# **Best of $n$.** If a single start reaches the best hill with probability $p$, and starts are independent, at least one of $n$ starts reaches it with probability
#
# $$ P(\text{best of } n \text{ reaches the best}) = 1 - (1 - p)^n \tag{best-of-n} $$
#
# Here $p \approx 0.62$, so 5 starts suffice with probability above 0.99.
# That is what the argument `n_init` of `gb.em` does: run `n_init` starts, drawn in turn from `rng`, and return the run with the highest final $\ell$.

# %%
p_hat = np.mean(finals > finals.max() - 0.01)
n_needed = int(np.ceil(np.log(0.01) / np.log(1 - p_hat)))
print(f"p = {p_hat:.3f}; 1 - (1 - p)^n for n = 1..6: {(1 - (1 - p_hat) ** np.arange(1, 7)).round(3)};"
      f" n >= {n_needed} gives > 0.99")
best_of_10 = gb.em(X, 3, rng=np.random.default_rng(0), n_init=10)
first_10 = restarts[:10]
best_index = int(np.argmax([r.log_likelihood for r in first_10]))
print(f"gb.em(n_init=10): l = {best_of_10.log_likelihood:.2f}; the best of our first 10 runs: run {best_index},"
      f" l = {first_10[best_index].log_likelihood:.2f}")

# %% [markdown]
# **CHECK (best-of-n).** `gb.em(..., n_init=10)` with a fresh generator of the same seed returns exactly the best of our first ten runs (the same log-likelihood sequence, bit for bit), and that run reaches the best of all 60 values.

# %%
assert np.array_equal(best_of_10.log_likelihoods, first_10[best_index].log_likelihoods)
assert np.array_equal(best_of_10.gmm.means, first_10[best_index].gmm.means)
assert best_of_10.log_likelihood > finals.max() - 1e-6
assert len(values) == 2 and n_needed == 5
print("check (best-of-n): gb.em with n_init = 10 equals the best of the first 10 single runs from the same"
      " generator (exact equality) and reaches the best of all 60 final log-likelihoods")

# %% [markdown]
# **What we verified:** `n_init` is "best of $n$", equation (best-of-n), implemented by drawing the starts in turn from one generator.
# How large $n$ must be depends on the problem: the more components, the more hills, and the smaller $p$ tends to be.
# A cheap diagnostic is the one above: run a few dozen starts and look at the histogram.

# %% [markdown]
# ## 5. Collapse in practice
#
# Chapter 03 proved that $\ell$ is unbounded: a component that shrinks onto a single point sends $\ell$ to $+\infty$.
# On Old Faithful a collapse needs even less than one point.
# The waiting times are recorded in *whole minutes*, so the data lie on horizontal rows: for example, 9 eruptions were followed by a wait of exactly 54 minutes.
# A component can collapse onto such a row, its variance in the waiting-time direction going to 0.
#
# We start from the two-component fit of section 3, shrink its weights by 5 %, and add a third component with weight 0.05, centred on the data point `X[10]` = (1.833, 54), with a small covariance, $10^{-3}$ times the data's.

# %%
x10 = X[10]
collapsing_start = gb.GMM(np.append(0.95 * fit.gmm.weights, 0.05), np.vstack([fit.gmm.means, x10]),
                          np.concatenate([fit.gmm.covariances, 1e-3 * np.cov(X, rowvar=False)[None]]))
print(f"waiting times that are whole minutes: {np.sum(X[:, 1] == np.round(X[:, 1]))} of {N}")
print(f"x_10 = {x10}; eruptions followed by a 54-minute wait: {np.sum(X[:, 1] == 54)}")
collapsed = False
try:
    gb.em(X, collapsing_start)                                        # reg_covar = 0
except gb.CollapseError as err:
    collapsed = True
    first_sentence = str(err).split(". ")[0] + "."
    # the reason in parentheses gives the size of a vanished Cholesky pivot: rounding noise, so we elide it
    print("CollapseError:", re.sub(r"\(it is .*?\)\)?;", "(...);", first_sentence))

# %% [markdown]
# EM stops with a `gb.CollapseError` (a `ValueError` with its own type, so that a restart loop can catch exactly this case) that names the component (index 2, the third) and where its responsibility went.
# The elided part says how small the covariance's Cholesky pivot became: zero up to rounding.
#
# **What `reg_covar` does.** `reg_covar` $= c$ adds $c\,\mathbf{I}$ to every covariance after every M-step.
# Every eigenvalue of every $\boldsymbol\Sigma_k$ is then at least $c$, since the scatter matrix of the M-step is positive semi-definite, and chapter 03's bound (floor-bound) holds: $\ell \le -\tfrac{ND}{2}\ln(2\pi c)$.
# We run the same start with $c = 10^{-6}$.

# %%
c_floor = 1e-6
fit_floor = gb.em(X, collapsing_start, reg_covar=c_floor)
cov3 = fit_floor.gmm.covariances[2]
eigenvalues3 = np.linalg.eigvalsh(cov3)
on_row = fit_floor.resp[:, 2] > 0.5
bound = -N * D / 2 * np.log(2 * np.pi * c_floor)
print(f"converged = {fit_floor.converged} after {fit_floor.n_iter} cycles; l = {fit_floor.log_likelihood:.2f}")
print(f"component 3: N_3 = {fit_floor.gmm.weights[2] * N:.2f} points, mean {fit_floor.gmm.means[2].round(3)},"
      f" variances along its axes {eigenvalues3[0]:.2e} and {eigenvalues3[1]:.2e}")
print(f"the points it holds (r_n3 > 1/2): {on_row.sum()}, waiting times {np.unique(X[on_row, 1])},"
      f" eruption times {np.sort(X[on_row, 0])}")
print(f"the bound (floor-bound) for c = {c_floor:g}: l <= {bound:.2f};"
      f" the best honest K = 3 fit of section 4: l = {finals.max():.2f}")

# %% [markdown]
# **CHECK (floor).** Without a floor the start collapses; with $c = 10^{-6}$ EM converges, component 3 holds seven of the nine points of one row (waiting time 54, eruptions from 1.73 to 1.88 minutes), its smaller variance is held at the floor $c$ (not below, and within 1 % of it), and $\ell$ is below the bound (floor-bound).
# The check also records the uncomfortable part: this degenerate fit has a *higher* likelihood than the best honest three-component fit.

# %%
assert collapsed
assert fit_floor.converged and on_row.sum() == 7 and np.all(X[on_row, 1] == 54)
assert c_floor * (1 - 1e-9) <= eigenvalues3[0] < 1.01 * c_floor
assert np.all(np.linalg.eigvalsh(fit_floor.gmm.covariances) >= c_floor * (1 - 1e-9))
assert fit_floor.log_likelihood <= bound
assert fit_floor.log_likelihood > finals.max() + 10
print("check (floor): reg_covar = 0 raises CollapseError; with reg_covar = 1e-6 EM converges, every covariance"
      " eigenvalue is >= 1e-6, component 3 sits on 7 points with waiting time 54 with its smaller variance at"
      " the floor, and l obeys (floor-bound) while beating the best honest K = 3 fit by more than 10")

# %% [markdown]
# **What we verified:** `reg_covar` keeps EM running and the likelihood bounded, exactly as chapter 03 promised; but a floor of $10^{-6}$ square minutes is far below the resolution of the data (waiting times rounded to a whole minute), so the "converged" fit spends a component on explaining the rounding, and the likelihood rewards it.
# Practical consequences:
#
# - A higher $\ell$ is not always a better model: compare fits by their components too, and distrust tiny weights and tiny variances.
# - `reg_covar` is in the squared units of the data and the same for every coordinate; choose it relative to the data's scale and resolution (or standardise the data first), not as a default.
# - Restarts avoid collapses that come from bad starts: none of the 60 k-means++ starts of section 4 collapsed.

# %% [markdown]
# ## 6. EM against gradient ascent
#
# EM is one way to climb $\ell$; any optimiser that uses the gradient is another.
# To compare them fairly we give a standard quasi-Newton method, SciPy's L-BFGS-B, the same likelihood, the same start and its exact gradient.
#
# ### An unconstrained parametrisation
#
# General-purpose optimisers want a vector $\mathbf{v} \in \mathbb{R}^P$ with no constraints, while $\theta$ has constraints ($\pi$ on the simplex, $\boldsymbol\Sigma_k$ positive definite).
# We map unconstrained numbers onto valid parameters:
#
# $$ \pi_k = \frac{e^{a_k}}{\sum_j e^{a_j}} \ (a_K = 0), \qquad \boldsymbol\Sigma_k = \mathbf{L}_k \mathbf{L}_k^\top, \quad \mathbf{L}_k \text{ lower triangular with } (\mathbf{L}_k)_{dd} = e^{b_{kd}} \tag{param} $$
#
# The vector $\mathbf{v}$ holds $a_1, \dots, a_{K-1}$ (softmax logits; fixing $a_K = 0$ removes the one redundant direction), the means, and for each $\mathbf{L}_k$ its $D(D+1)/2$ lower-triangular entries with the diagonal stored as $b_{kd} = \ln (\mathbf{L}_k)_{dd}$.
# Every $\mathbf{v}$ gives a valid $\theta$, and $P$ equals the parameter count of chapter 01, equation (count): 11 for $K = 2$, $D = 2$.
#
# ### The gradient
#
# Differentiating $\ell = \sum_n \ln \sum_k \pi_k \mathcal{N}_{nk}$ with the chain rule, $\partial \ln \sum_k u_k = \sum_k (u_k / \sum_j u_j)\, \partial \ln u_k$, puts the responsibilities in front of the derivative of each log term:
#
# $$ \nabla_\theta\, \ell(\theta) = \sum_{n=1}^N \sum_{k=1}^K r_{nk}(\theta)\, \nabla_\theta \big[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\big] = \nabla_\theta\, Q(\theta, \theta_{\text{old}}) \Big|_{\theta_{\text{old}} = \theta} \tag{grad-q} $$
#
# The gradient of $\ell$ is the gradient of chapter 05's $Q$ with the responsibilities held fixed.
# (Equations (elbo-kl) and (kl-nonneg) explain why: with $q_{\text{old}}$ the responsibilities at $\theta_{\text{old}}$, the difference $\ell(\theta') - \mathcal{L}(q_{\text{old}}, \theta') = \mathrm{KL} \ge 0$ is 0 at $\theta' = \theta_{\text{old}}$, so it has a minimum there and zero gradient; and $\mathcal{L}$ differs from $Q$ by a constant, equation (elbo-q).)
# So the derivatives of chapter 05 give, with $\mathbf{S}_k = \sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top$:
#
# $$ \frac{\partial \ell}{\partial a_k} = N_k - N \pi_k, \qquad \frac{\partial \ell}{\partial \boldsymbol\mu_k} = \boldsymbol\Sigma_k^{-1} \sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k), \qquad \mathbf{G}_k = \frac{\partial \ell}{\partial \boldsymbol\Sigma_k} = \tfrac12 \boldsymbol\Sigma_k^{-1} (\mathbf{S}_k - N_k \boldsymbol\Sigma_k) \boldsymbol\Sigma_k^{-1} \tag{grad} $$
#
# (the first because $\partial \ln \pi_j / \partial a_k = \delta_{jk} - \pi_k$ and $\sum_j r_{nj} = 1$; the second is chapter 05's (grad-loglik); the third is chapter 05's (grad-q-cov), written with the scatter matrix around the current means).
# Setting these to zero gives back the M-step equations (m-weights), (m-means) and (m-cov), but with $r_{nk}$ depending on $\theta$: that is why there is no closed form, and why EM's fixed points are stationary points of $\ell$.
# Finally the chain rule through $\boldsymbol\Sigma_k = \mathbf{L}_k\mathbf{L}_k^\top$: $d\boldsymbol\Sigma_k = d\mathbf{L}_k\, \mathbf{L}_k^\top + \mathbf{L}_k\, d\mathbf{L}_k^\top$, and since $\mathbf{G}_k$ is symmetric the two terms contribute the same trace, $d\ell = \operatorname{tr}(\mathbf{G}_k\, d\boldsymbol\Sigma_k) = 2\operatorname{tr}(\mathbf{L}_k^\top \mathbf{G}_k\, d\mathbf{L}_k)$, so
#
# $$ \frac{\partial \ell}{\partial \mathbf{L}_k} = 2\, \mathbf{G}_k \mathbf{L}_k \ \text{(lower triangle)}, \qquad \frac{\partial \ell}{\partial b_{kd}} = \big(2\, \mathbf{G}_k \mathbf{L}_k\big)_{dd}\, (\mathbf{L}_k)_{dd} \tag{grad-chol} $$
#
# In code, with `gb.e_step` supplying $r_{nk}$ and $\ell$:

# %%
rows_tril, cols_tril = np.tril_indices(D)
on_diagonal = rows_tril == cols_tril


def theta_to_vector(theta):
    """Equation (param), inverted: logits a_1..a_{K-1}, the means, the Cholesky entries (log on the diagonal)."""
    L = np.linalg.cholesky(theta.covariances)[:, rows_tril, cols_tril]
    L[:, on_diagonal] = np.log(L[:, on_diagonal])
    return np.concatenate([np.log(theta.weights[:-1] / theta.weights[-1]), theta.means.ravel(), L.ravel()])


def vector_to_theta(v, K):
    """Equation (param): a valid GMM from any real vector v, and its Cholesky factors L_k."""
    a = np.append(v[:K - 1], 0.0)
    means = v[K - 1:K - 1 + K * D].reshape(K, D)
    entries = v[K - 1 + K * D:].reshape(K, -1).copy()
    entries[:, on_diagonal] = np.exp(entries[:, on_diagonal])
    L = np.zeros((K, D, D))
    L[:, rows_tril, cols_tril] = entries
    return gb.GMM(special.softmax(a), means, L @ L.transpose(0, 2, 1)), L


def neg_loglik_and_grad(v, X, K):
    """-l(theta(v)) and its gradient with respect to v, equations (grad) and (grad-chol)."""
    theta, L = vector_to_theta(v, K)
    resp, loglik = gb.e_step(X, theta)
    nk = resp.sum(axis=0)
    grad_a = (nk - len(X) * theta.weights)[:-1]
    grad_means, grad_L = np.empty((K, D)), np.empty((K, len(rows_tril)))
    for k in range(K):
        precision = np.linalg.inv(theta.covariances[k])
        diff = X - theta.means[k]
        grad_means[k] = precision @ (resp[:, k] @ diff)
        S_k = (resp[:, k, None] * diff).T @ diff
        G_k = 0.5 * precision @ (S_k - nk[k] * theta.covariances[k]) @ precision
        dL = (2 * G_k @ L[k])[rows_tril, cols_tril]
        dL[on_diagonal] *= L[k][rows_tril, cols_tril][on_diagonal]
        grad_L[k] = dL
    return -loglik, -np.concatenate([grad_a, grad_means.ravel(), grad_L.ravel()])


v0 = theta_to_vector(poor_start)
value0, grad0 = neg_loglik_and_grad(v0, X, 2)
steps = 1e-6 * np.maximum(1.0, np.abs(v0))
central = np.array([(neg_loglik_and_grad(v0 + h * e, X, 2)[0] - neg_loglik_and_grad(v0 - h * e, X, 2)[0]) / (2 * h)
                    for h, e in zip(steps, np.eye(len(v0)))])
print(f"P = {len(v0)} unconstrained parameters (gb.n_parameters(2, 2) = {gb.n_parameters(2, 2)})")
print("gradient of -l at the poor start:      ", grad0.round(2))
print("central finite differences of -l there:", central.round(2))

# %% [markdown]
# **CHECK (grad).** The parametrisation round-trips ($\mathbf{v} \mapsto \theta \mapsto \mathbf{v}$), $\ell(\theta(\mathbf{v}))$ equals `gb.log_likelihood` at the start, the analytic gradient (grad), (grad-chol) matches central finite differences, and at EM's converged fit the gradient vanishes, as (grad-q) predicts for a fixed point of EM.

# %%
theta0, _ = vector_to_theta(v0, 2)
assert np.allclose(theta0.covariances, poor_start.covariances, rtol=1e-13) and np.allclose(theta0.weights, 0.5)
assert np.allclose(theta_to_vector(theta0), v0, rtol=1e-13, atol=1e-13)
assert abs(-value0 - gb.log_likelihood(X, poor_start)) <= 1e-12 * abs(value0)
assert np.max(np.abs(central - grad0)) <= 1e-6 * np.max(np.abs(grad0))
fit_tight = gb.em(X, poor_start, max_iter=100, tol=0.0)                 # EM run to the limit of rounding
_, grad_at_fit = neg_loglik_and_grad(theta_to_vector(fit_tight.gmm), X, 2)
assert np.max(np.abs(grad_at_fit)) <= 1e-7 * np.max(np.abs(grad0))
print("check (grad): v -> theta -> v round-trips; -l(theta(v)) equals gb.log_likelihood; the analytic gradient"
      " matches central differences within 1e-6 (relative to its largest entry); at EM's limit the gradient is"
      " below 1e-7 of its size at the start")

# %% [markdown]
# **What we verified:** equations (grad) and (grad-chol), and that EM's answer is a stationary point of $\ell$.
#
# ### The race
#
# Both methods start from the poor start and must reach the same log-likelihood: the maximum $\ell^*$ (from the EM run to rounding level above) to within $10^{-6}$ per point, $\ell \ge \ell^* - 10^{-6} N$.
# For EM we count cycles; for L-BFGS we count iterations and evaluations of $\ell$ and its gradient, each of which costs about as much as one EM cycle (both make one pass over the data with the responsibilities).
# We run L-BFGS to its own convergence and record $\ell$ after each iteration.

# %%
loglik_star = fit_tight.log_likelihood
target = loglik_star - 1e-6 * N


def run_lbfgs(X, start, K, stop_at=None):
    """L-BFGS-B on -l from start; returns the result and l after each iteration (stops early once l >= stop_at)."""
    history = []

    def record(intermediate_result):
        history.append(-intermediate_result.fun)
        if stop_at is not None and history[-1] >= stop_at:
            raise StopIteration

    result = minimize(neg_loglik_and_grad, theta_to_vector(start), args=(X, K), jac=True, method="L-BFGS-B",
                      callback=record, options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9})
    return result, np.array(history)


lbfgs, lbfgs_history = run_lbfgs(X, poor_start, 2)
lbfgs_iters = int(np.argmax(lbfgs_history >= target)) + 1                # iterations to reach the target
em_cycles = int(np.argmax(fit.log_likelihoods >= target))                # cycles to reach the target
theta_lbfgs, _ = vector_to_theta(lbfgs.x, 2)
order_lbfgs = np.argsort(theta_lbfgs.means[:, 0])
print(f"EM reaches l* - 1e-6 N after {em_cycles} cycles; l* = {loglik_star:.4f}")
print(f"L-BFGS-B ends with l = {-lbfgs.fun:.4f}; means {theta_lbfgs.means[order_lbfgs].round(3).tolist()}")

# %% [markdown]
# One more ingredient explains a difference between the two methods.
# EM does not care about units: rescaling the data (minutes to z-scores, or any invertible affine map $\mathbf{x} \mapsto \mathbf{A}\mathbf{x} + \mathbf{b}$) and the start in the same way maps every EM iterate to the correspondingly rescaled one, because the M-step's averages and scatter matrices transform exactly like the data.
# The log-likelihood only shifts by the constant $-N \ln |\det \mathbf{A}|$ (the Jacobian).
# A gradient method has no such invariance: the gradient's components are in different units (per minute of eruption, per minute of waiting), so rescaling the data changes its path.
# We run both methods again on the z-scored data, $\mathbf{A} = \operatorname{diag}(1/s_1, 1/s_2)$ with $s_d$ the standard deviation of coordinate $d$.

# %%
sd = X.std(axis=0)
Z = (X - X.mean(axis=0)) / sd
start_z = gb.GMM(poor_start.weights, (poor_start.means - X.mean(axis=0)) / sd,
                 poor_start.covariances / np.outer(sd, sd))                # the same start, in z-scores
fit_z = gb.em(Z, start_z)
log_det_A = np.sum(np.log(1 / sd))                        # ln|det A|: l(raw) = l(z-scores) + N ln|det A|
lbfgs_z, lbfgs_history_z = run_lbfgs(Z, start_z, 2)
lbfgs_iters_z = int(np.argmax(lbfgs_history_z >= target - N * log_det_A)) + 1
print(f"EM on z-scores: {fit_z.n_iter} cycles, l + N ln|det A| = {fit_z.log_likelihood + N * log_det_A:.4f}"
      f" (raw data: {fit.n_iter} cycles, l = {fit.log_likelihood:.4f})")

# %% [markdown]
# **CHECK (race).** Both methods reach $\ell^* - 10^{-6}N$ and end at the same $\ell$ (within $10^{-6}$) with the same parameters (within $10^{-6}$ relative); L-BFGS needs more than twice as many iterations as EM needs cycles.
# EM on z-scores follows the same path (every $\ell$ shifted by the Jacobian constant, within $10^{-10}$ relative, and the same responsibilities within $10^{-8}$), while L-BFGS does not: within its first ten iterations, its shifted log-likelihoods on the two scalings differ by more than 10.

# %%
assert lbfgs_history.max() >= target and fit.log_likelihoods.max() >= target
assert abs(-lbfgs.fun - loglik_star) < 1e-6
for attr in ("weights", "means", "covariances"):
    a, b = getattr(theta_lbfgs, attr)[order_lbfgs], getattr(fit_tight.gmm, attr)[np.argsort(fit_tight.gmm.means[:, 0])]
    assert np.max(np.abs(a - b)) <= 1e-6 * np.max(np.abs(b)), attr
assert lbfgs_iters > 2 * em_cycles
assert fit_z.n_iter == fit.n_iter
assert np.allclose(fit_z.log_likelihoods + N * log_det_A, fit.log_likelihoods, rtol=1e-10, atol=0)
assert np.max(np.abs(fit_z.resp - fit.resp)) < 1e-8
assert np.max(np.abs(lbfgs_history_z[:10] + N * log_det_A - lbfgs_history[:10])) > 10
print(f"check (race): EM ({em_cycles} cycles) and L-BFGS-B both reach l* - 1e-6 N = {target:.4f} and end at"
      f" l = {loglik_star:.4f} with the same parameters (1e-6 relative); L-BFGS needs more than twice as many"
      " iterations; EM on z-scores repeats the raw-data run up to the Jacobian constant, L-BFGS does not")

# %% [markdown]
# **What we verified:** the same maximum is reached both ways; EM gets there in fewer steps here, and, unlike the gradient method, independently of the units of the data.
#
# The counts and times of the race (times depend on the machine, and our gradient code is plain NumPy, not tuned; the counts are what matters):

# %%
# NBVAL_IGNORE_OUTPUT
def best_time(run, repeats=5):
    """The fastest of a few wall-clock timings of run(), in milliseconds."""
    times = []
    for _ in range(repeats):
        start_time = time.perf_counter()
        run()
        times.append(time.perf_counter() - start_time)
    return 1e3 * min(times)


ms_em = best_time(lambda: gb.em(X, poor_start, max_iter=em_cycles, tol=0.0))
stopped, _ = run_lbfgs(X, poor_start, 2, stop_at=target)
ms_lbfgs = best_time(lambda: run_lbfgs(X, poor_start, 2, stop_at=target))
print(f"raw data:  EM {em_cycles} cycles in {ms_em:.1f} ms;  L-BFGS-B {lbfgs_iters} iterations,"
      f" {stopped.nfev} evaluations of l and its gradient, in {ms_lbfgs:.1f} ms")
print(f"z-scores:  EM {fit_z.n_iter} cycles to convergence;  L-BFGS-B {lbfgs_iters_z} iterations to the target")
print(f"to its own convergence L-BFGS-B ran {lbfgs.nit} iterations and {lbfgs.nfev} evaluations")

# %% [markdown]
# On this problem EM wins on every count: fewer steps, no step size to choose, no line search, constraints kept automatically (every M-step returns valid weights and positive definite covariances without a reparametrisation), and indifference to the units of the data.
# It is not a law of nature.
# EM's linear rate (section 3) degrades when components overlap heavily, and then quasi-Newton methods, or EM accelerated with their ideas, can overtake it near the optimum.
# Gradient methods also generalise to models whose M-step has no closed form; EM is at its best when, as here, it does.

# %% [markdown]
# ## 7. K-means as a limit of EM
#
# Chapter 01 described K-means as a "hard", round cousin of the mixture.
# Here is the exact relation.
# Give every component the same fixed covariance $\sigma^2\mathbf{I}$ and fixed weights $\pi_k > 0$.
# In the responsibilities the normalising constants $(2\pi\sigma^2)^{-D/2}$ cancel, and dividing numerator and denominator by the term of the nearest mean $\boldsymbol\mu_{k^*}$ gives
#
# $$ r_{nk} = \frac{\pi_k \exp\!\big(-\lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 / 2\sigma^2\big)}{\sum_j \pi_j \exp\!\big(-\lVert \mathbf{x}_n - \boldsymbol\mu_j \rVert^2 / 2\sigma^2\big)} = \frac{(\pi_k / \pi_{k^*})\, e^{-\delta_{nk} / 2\sigma^2}}{\sum_j (\pi_j / \pi_{k^*})\, e^{-\delta_{nj} / 2\sigma^2}}, \qquad \delta_{nk} = \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 - \lVert \mathbf{x}_n - \boldsymbol\mu_{k^*} \rVert^2 \ge 0 \tag{kmeans-resp} $$
#
# As $\sigma \to 0$ every $e^{-\delta_{nj}/2\sigma^2}$ with $\delta_{nj} > 0$ goes to 0, while the $j = k^*$ term is 1: $r_{nk} \to 1$ if $k$ is the nearest mean and 0 otherwise (when no two means are equally near).
# The weights stop mattering, since $\ln(\pi_j/\pi_{k^*})$ is fixed while $\delta_{nj}/2\sigma^2$ grows without bound.
# With these hard responsibilities the mean update (m-means) is the average of the points nearest to each mean, which is the update step of Lloyd's K-means algorithm, and $Q$ becomes
#
# $$ Q(\theta, \theta_{\text{old}}) = -\frac{1}{2\sigma^2} \sum_{n=1}^N \sum_{k=1}^K r_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 + \text{const} \ \approx\ -\frac{1}{2\sigma^2}\, J(\mathbf{z}, \boldsymbol\mu) + \text{const}, \qquad J(\mathbf{z}, \boldsymbol\mu) = \sum_{n=1}^N \lVert \mathbf{x}_n - \boldsymbol\mu_{z_n} \rVert^2 \tag{kmeans-limit} $$
#
# where $z_n$ is the index of the old mean nearest to $\mathbf{x}_n$ (the constant collects the $\ln \pi_k$ and $\ln (2\pi\sigma^2)$ terms, which do not involve the means).
# So for small $\sigma$ the E-step is the K-means assignment step (choose $\mathbf{z}$ to minimise $J$) and the M-step for the means is the K-means update step (choose $\boldsymbol\mu$ to minimise $J$): maximising $Q$ is minimising the K-means distortion $J$.
# K-means is EM for a mixture of infinitely narrow, equally shaped round Gaussians.
#
# We work with the z-scored Old Faithful data $\mathbf{Z}$ from section 6 (K-means measures plain Euclidean distances, so units matter) and with the poor start's means in those units.
# First, the responsibilities at fixed means as $\sigma$ shrinks; we measure each point's *doubt* $1 - \max_k r_{nk}$ (0 for a hard assignment).
# To see the weights lose their influence we make them unequal, $\boldsymbol\pi = (0.3, 0.7)$.

# %%
means_z = start_z.means
weights_km = np.array([0.3, 0.7])
sigmas = [1.0, 0.3, 0.1, 0.03, 0.01, 0.001]
nearest, _ = vq(Z, means_z)                                     # K-means assignment: index of the nearest mean
doubts, agreements = [], []
print(f"{'sigma':>6} {'mean doubt':>11} {'max doubt':>10} {'argmax = nearest mean':>22}")
for sigma in sigmas:
    theta_sigma = gb.GMM(weights_km, means_z, np.array([sigma**2 * np.eye(D)] * 2))
    resp_sigma = gb.responsibilities(Z, theta_sigma)
    doubt = 1 - resp_sigma.max(axis=1)
    doubts.append(doubt)
    agree = np.mean(resp_sigma.argmax(axis=1) == nearest)
    agreements.append(agree)
    print(f"{sigma:6g} {doubt.mean():11.2e} {doubt.max():10.2e} {agree:22.1%}")

# %% [markdown]
# At $\sigma = 1$ the heavier component wins many points that are nearer to the other mean; from $\sigma = 0.03$ on, every point goes to its nearest mean, whatever the weights.
#
# **CHECK (kmeans-resp).** As $\sigma$ decreases the mean doubt decreases strictly, and at $\sigma = 10^{-3}$ every row of responsibilities is exactly one-hot (doubt 0.0 in floating point) and points at the nearest mean, as `scipy.cluster.vq.vq` computes it, although the weights are unequal; at $\sigma = 1$ they are not.

# %%
mean_doubts = np.array([d.mean() for d in doubts])
assert np.all(np.diff(mean_doubts) < 0)
theta_tiny = gb.GMM(weights_km, means_z, np.array([1e-6 * np.eye(D)] * 2))
resp_tiny = gb.responsibilities(Z, theta_tiny)
assert np.all(doubts[-1] == 0.0) and np.array_equal(resp_tiny, np.eye(2)[nearest])
assert agreements[0] < 0.9
print("check (kmeans-resp): the mean doubt 1 - max_k r_nk falls strictly as sigma goes from 1 to 1e-3; at"
      " sigma = 1e-3 the responsibilities are exactly the one-hot nearest-mean assignments of scipy's vq, with"
      " pi = (0.3, 0.7); at sigma = 1 fewer than 90% of the points go to their nearest mean")

# %% [markdown]
# **What we verified:** equation (kmeans-resp)'s limit: soft responsibilities harden into the K-means assignment.
#
# Now the steps.
# From the same start we run ten EM mean updates with $\sigma = 10^{-3}$ and $\boldsymbol\pi = (0.3, 0.7)$ fixed (E-step with `gb.responsibilities`, then the means of `gb.m_step`, equation (m-means)), ten Lloyd steps written inline (assign each point to its nearest mean, average each cluster), and SciPy's K-means, `kmeans2` started from the same means for ten iterations.

# %%
means_em, means_lloyd = means_z.copy(), means_z.copy()
step_gaps = []
for _ in range(10):
    resp_em = gb.responsibilities(Z, gb.GMM(weights_km, means_em, np.array([1e-6 * np.eye(D)] * 2)))
    means_em = gb.m_step(Z, resp_em).means                                   # EM's mean update (m-means)
    labels_lloyd = np.argmin(((Z[:, None, :] - means_lloyd[None]) ** 2).sum(axis=2), axis=1)   # Lloyd: assign
    means_lloyd = np.array([Z[labels_lloyd == k].mean(axis=0) for k in range(2)])             # Lloyd: average
    step_gaps.append(np.max(np.abs(means_em - means_lloyd)))
centroids_scipy, labels_scipy = kmeans2(Z, means_z, minit="matrix", iter=10)
print("after 10 steps, EM (sigma = 1e-3):", means_em.round(4).tolist())
print("                Lloyd (inline):   ", means_lloyd.round(4).tolist())
print("                scipy kmeans2:    ", centroids_scipy.round(4).tolist())

# %% [markdown]
# **CHECK (lloyd).** At every one of the ten steps EM's mean update with $\sigma = 10^{-3}$ equals the inline Lloyd step, and after ten steps both equal SciPy's K-means centroids, all within $10^{-12}$.

# %%
assert max(step_gaps) < 1e-12
assert np.max(np.abs(means_em - centroids_scipy)) < 1e-12
assert np.array_equal(labels_scipy, labels_lloyd)
print("check (lloyd): 10 EM mean updates with shared covariance (1e-3)^2 I equal 10 inline Lloyd steps and"
      " scipy.cluster.vq.kmeans2 (max difference of the means < 1e-12, identical final labels)")

# %% [markdown]
# **What we verified:** equation (kmeans-limit) in action: EM with a vanishing shared spherical covariance *is* K-means.
# The figure shows the hardening at K-means' final centroids, with equal weights: at $\sigma = 2$ the colours blur, at $\sigma = 0.1$ nearly every point has its cluster's pure colour, and the boundary is the perpendicular bisector of the two means (dashed; chapter 04, equation (kmeans-boundary)), where $r = \tfrac12$ for every $\sigma$.

# %%
fig = plotting.fig_kmeans_limit()
plt.show()

# %% [markdown]
# Read backwards, this explains K-means' two shortcomings from chapter 01: it assumes round clusters of equal spread (one shared $\sigma^2\mathbf{I}$) and hard assignments ($\sigma \to 0$).
# The mixture keeps both knobs free.

# %% [markdown]
# ## 8. *(beyond)* Choosing $K$ with BIC and AIC
#
# $\ell$ at the best fit always rises with $K$ (a mixture with $K + 1$ components can imitate one with $K$), so it cannot choose $K$ on its own.
# Information criteria add a penalty for the number of free parameters $p$, equation (count) of chapter 01, here $p = 6K - 1$ for full covariances in $D = 2$:
#
# $$ \mathrm{BIC} = -2\,\ell(\hat\theta) + p \ln N \tag{bic} $$
#
# $$ \mathrm{AIC} = -2\,\ell(\hat\theta) + 2p \tag{aic} $$
#
# Lower is better for both.
# BIC approximates $-2 \ln p(\mathbf{X} \mid K)$, the log of the evidence for $K$ with the parameters integrated out; AIC estimates how well the fit predicts new data.
# With $\ln N = \ln 272 \approx 5.61 > 2$, BIC's penalty is the heavier.
# (For mixtures the regularity conditions behind both approximations fail, since the likelihood is not identifiable, chapter 03, but both are standard in practice, and BIC has been shown to estimate the number of components consistently under mild conditions, Keribin 2000.)
#
# For $K = 1, \dots, 6$ we keep the best of 5 k-means++ starts (with a single generator passed from one $K$ to the next), and compute the criteria with `gb.bic` and `gb.aic`, and again by hand from a SciPy log-likelihood.

# %%
rng_bic = np.random.default_rng(6)
Ks = np.arange(1, 7)
fits_K = [gb.em(X, int(K), rng=rng_bic, n_init=5) for K in Ks]
table = []
print(f"{'K':>2} {'p':>3} {'l':>9} {'BIC':>9} {'AIC':>9}")
for K, fit_K in zip(Ks, fits_K):
    p = gb.n_parameters(int(K), D)
    loglik_K = special.logsumexp(log_joint_scipy(X, fit_K.gmm), axis=1).sum()          # l from SciPy
    table.append((p, loglik_K, gb.bic(X, fit_K.gmm), gb.aic(X, fit_K.gmm),
                  -2 * loglik_K + p * np.log(N), -2 * loglik_K + 2 * p))
    print(f"{K:2d} {p:3d} {loglik_K:9.2f} {table[-1][2]:9.2f} {table[-1][3]:9.2f}")
table = np.array(table)
K_bic, K_aic = Ks[np.argmin(table[:, 2])], Ks[np.argmin(table[:, 3])]
print(f"BIC chooses K = {K_bic}; AIC chooses K = {K_aic}")

# %%
fig = plotting.fig_bic_aic()
plt.show()

# %% [markdown]
# **CHECK (bic).** `gb.bic` and `gb.aic` equal equations (bic) and (aic) computed from the SciPy log-likelihood with $p$ from `gb.n_parameters` (which is $6K - 1$); BIC chooses $K = 2$, the two eruption types; and AIC's choice is at least BIC's.
# The last is a theorem, not a coincidence: $\mathrm{AIC}(K) - \mathrm{BIC}(K) = p_K (2 - \ln N)$ decreases with $K$, so for every $K$ below BIC's choice $K_B$, $\mathrm{AIC}(K) = \mathrm{BIC}(K) + p_K(2 - \ln N) > \mathrm{BIC}(K_B) + p_{K_B}(2 - \ln N) = \mathrm{AIC}(K_B)$.

# %%
p_col, loglik_col, bic_lib, aic_lib, bic_formula, aic_formula = table.T
assert np.array_equal(p_col, 6 * Ks - 1)
assert np.all(np.abs(bic_lib - bic_formula) <= 1e-12 * np.abs(bic_formula))
assert np.all(np.abs(aic_lib - aic_formula) <= 1e-12 * np.abs(aic_formula))
assert K_bic == 2 and K_aic >= K_bic
assert np.all(np.diff(loglik_col) > 0)                  # the best l rises with K (here, with 5 starts each)
print("check (bic): gb.bic = -2 l + p ln N and gb.aic = -2 l + 2p with l from SciPy and p = gb.n_parameters(K, 2)"
      f" = 6K - 1, rel. error < 1e-12, for K = 1..6; BIC chooses K = 2 and AIC chooses K = {K_aic} >= 2")

# %% [markdown]
# **What we verified:** the criteria are the formulas (bic) and (aic), and on Old Faithful BIC picks the two eruption types, $K = 2$ beating $K = 3$ by more than 11.
# AIC, with its lighter penalty, keeps adding components.
# Its curve is much flatter beyond $K = 2$ (the values for $K = 3, \dots, 6$ lie within 20 of each other, while BIC rises by almost 60), and each value comes from the best of only five starts, so a better local maximum for one $K$ (section 4) could move AIC's minimum; BIC's choice has a wide margin.
# The bump at $K = 4$ in the figure hints at one: $\ell$ rises by only 4.5 from $K = 3$ to $K = 4$, but by 15.7 from $K = 4$ to $K = 5$.

# %% [markdown]
# ## 9. *(beyond)* An outside check: scikit-learn
#
# scikit-learn's `GaussianMixture` is an independent implementation of the same algorithm.
# Given the same start (`weights_init`, `means_init`, and `precisions_init`, the inverse covariances), no covariance floor (`reg_covar=0`), `tol=0` (so its stopping test never fires) and the same `max_iter`, it must follow the same path.
# We compare after 20 cycles from the poor start ($K = 2$) and after 200 cycles from the $K = 3$ k-means start of section 2.

# %%
def sklearn_em(X, start, n_cycles):
    """scikit-learn's EM from the given start, exactly n_cycles E-step + M-step cycles, no floor."""
    precisions = np.linalg.inv(start.covariances)
    sk = GaussianMixture(n_components=start.K, covariance_type="full", reg_covar=0.0, tol=0.0, max_iter=n_cycles,
                         init_params="random", random_state=0, weights_init=start.weights,
                         means_init=start.means, precisions_init=(precisions + precisions.transpose(0, 2, 1)) / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)            # tol = 0: it never "converges"
        sk.fit(X)
    return sk


def rel_diff(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


comparisons = []
for name, start, n_cycles in (("K = 2, poor start", poor_start, 20), ("K = 3, k-means start", thetas_k3[0], 200)):
    ours = gb.em(X, start, max_iter=n_cycles, tol=0.0)
    sk = sklearn_em(X, start, n_cycles)
    comparisons.append((name, n_cycles, ours.n_iter, sk.n_iter_,
                        [rel_diff(ours.gmm.weights, sk.weights_), rel_diff(ours.gmm.means, sk.means_),
                         rel_diff(ours.gmm.covariances, sk.covariances_)],
                        abs(ours.log_likelihood - N * sk.score(X)) / abs(ours.log_likelihood)))
    print(f"{name}: after {n_cycles} cycles, gmmbook l = {ours.log_likelihood:.4f},"
          f" scikit-learn l = {N * sk.score(X):.4f}; means {sk.means_.round(3).tolist()}")

# %% [markdown]
# **CHECK (sklearn).** After the same number of cycles from the same start, weights, means and covariances agree with scikit-learn's within $10^{-8}$ (relative to the largest entry), and the log-likelihoods (scikit-learn's `score` is the mean per point) within $10^{-10}$.

# %%
for name, n_cycles, ours_iter, sk_iter, diffs, loglik_diff in comparisons:
    assert ours_iter == sk_iter == n_cycles, name
    assert max(diffs) < 1e-8 and loglik_diff < 1e-10, (name, diffs, loglik_diff)
print("check (sklearn): gmmbook's EM and scikit-learn's GaussianMixture, from the same start with reg_covar = 0 and"
      " tol = 0, agree after 20 cycles (K = 2) and 200 cycles (K = 3): parameters within 1e-8 relative,"
      " log-likelihoods within 1e-10 relative")

# %% [markdown]
# **What we verified:** `gmmbook`'s EM is the EM of the library you will use next, to rounding error, along the whole path.
# (scikit-learn's default `reg_covar` is $10^{-6}$, not 0: with its defaults its results differ from ours by that floor; section 5 showed what the floor does.)

# %% [markdown]
# ## Summary
#
# - EM, equation (em), alternates the E-step (responsibilities, equation (resp); the log-likelihood comes with it) and the M-step (equations (m-weights), (m-means), (m-cov)) until the mean log-likelihood settles; ten lines of NumPy reproduce `gb.em` exactly.
# - For any $q$, $\ell(\theta) = \mathcal{L}(q, \theta) + \mathrm{KL}(q \,\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta))$, equation (elbo-kl), with $\mathrm{KL} \ge 0$, equation (kl-nonneg). The E-step makes the KL zero, the M-step raises $\mathcal{L} = Q + H$, and so $\ell$ never decreases, equation (monotone). We checked every link at every cycle.
# - On Old Faithful a poor start costs cycles (a slow phase near the "one Gaussian twice" fixed point) but here not quality: EM reaches the best fit, $\ell = -1130.26$; near the top it converges linearly.
# - Different starts end in different local maxima (two for $K = 3$ on Old Faithful); the best of $n$ independent starts succeeds with probability $1 - (1 - p)^n$, equation (best-of-n), which is what `n_init` does.
# - A component can collapse onto a single point, or onto a row of rounded data; `reg_covar` holds every variance at or above the floor and bounds $\ell$, but the likelihood can still prefer a degenerate fit, so choose the floor relative to the data's resolution, and restart.
# - Gradient ascent (L-BFGS with the exact gradient, equations (grad), (grad-chol), in the unconstrained parametrisation (param)) reaches the same maximum in more than twice as many steps here, and depends on the units of the data; EM does not, and keeps the constraints for free. The gradient of $\ell$ is the gradient of $Q$, equation (grad-q), so EM's fixed points are stationary points.
# - With a shared covariance $\sigma^2\mathbf{I}$ and $\sigma \to 0$, responsibilities become hard and EM becomes K-means, equations (kmeans-resp) and (kmeans-limit).
# - *(beyond)* BIC, equation (bic), picks $K = 2$ on Old Faithful; AIC, equation (aic), picks at least as many components, and its choice is fragile. `gmmbook`'s EM agrees with scikit-learn's to $10^{-8}$.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/06_em_in_action.ipynb): among them, implement the EM loop yourself and show that it is monotone, and work out the $\sigma \to 0$ limit.

# %% [markdown]
# # Chapter 05: Deriving EM: the Q function and the Lagrange multiplier
#
# Chapter 03 noted that the log-likelihood of a mixture has no closed-form maximum, and used `gb.em` as a black box to climb it.
# Chapter 04 computed the responsibilities $\gamma_{nk}$, our uncertainty about which component produced each point.
# This chapter opens the black box.
# It shows exactly why setting the derivative to zero does not give an answer, and how imagining the labels $\mathbf{Z}$ to be known turns the problem into $K$ separate Gaussian fits.
# Since the labels are not known, we average over them with the responsibilities: that average is the $Q$ function, and maximising it, the M-step, has a closed form that we derive parameter by parameter, with a Lagrange multiplier for the weights.
# Every step is checked by the machine: symbolically with SymPy, numerically with finite differences and SciPy's optimisers, and by simulation.
#
# ## What you will learn
#
# - Why $\partial\ell/\partial\boldsymbol\mu_k = 0$ is a fixed-point equation and not a solution, and what to do about it.
# - The complete-data log-likelihood, equation (complete), and why with known labels a mixture is just $K$ Gaussian fits.
# - The $Q$ function, equation (q): the complete-data log-likelihood averaged over the posterior of the labels, computed in closed form and checked by Monte Carlo.
# - How a Lagrange multiplier handles the constraint $\sum_k \pi_k = 1$, why it equals $\lambda = -N$, and why the weights come out as $\pi_k = N_k/N$, equation (m-weights).
# - The M-step for the means, equation (m-means), and the covariances, equation (m-cov), with the two matrix-calculus identities they need; and why each update is the *global* maximum of $Q$, not just a stationary point.
# - *(beyond)* The M-step for diagonal, spherical and tied covariances.
# - Why this recipe, "average the complete-data log-likelihood over the posterior, then maximise", is EM for any latent-variable model.
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), and the maximum-likelihood fit of one Gaussian, equation (ml-gauss): the sample mean and the sample covariance divided by $N$.
# - Chapter 02: the joint of a data set and its logarithm, equation (log-joint-data), $\ln p(\mathbf{X}, \mathbf{Z}) = \sum_n \sum_k z_{nk} [\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)]$.
# - Chapter 03: the log-likelihood $\ell(\theta) = \sum_n \ln \sum_k \pi_k \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (loglik), whose maximum has no closed form, and its rugged landscape.
# - Chapter 04: the responsibilities $\gamma_{nk} = r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n) = \pi_k \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) / \sum_j \pi_j \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)$, equation (resp); the posterior factorises over points, and $\mathbb{E}[z_{nk} \mid \mathbf{x}_n] = \gamma_{nk}$.
# - Calculus of several variables (gradients, the chain rule, a stationary point); the method of Lagrange multipliers is explained when we need it.
# - Linear algebra: the trace, the determinant, symmetric positive definite matrices, eigenvalues.
#
# Notation, as everywhere in the book: $N$ points, $D$ dimensions, $K$ components; weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $\gamma_{nk} = r_{nk}$ (`resp`), $N_k = \sum_n \gamma_{nk}$ (`nk`), $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$.
# In the mathematics components are numbered $k = 1, \dots, K$; in the code they are numbered `0, ..., K-1`.
# The code of this chapter's formulas is in `gmmbook/em.py`: `m_step` and `q_function`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from scipy import special, stats
from scipy.optimize import minimize

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)


def central_gradient(f, x, h=1e-6):
    """The gradient of f at x by central differences, (f(x + h e_i) - f(x - h e_i)) / 2h, coordinate by coordinate."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


# %% [markdown]
# ## 1. Why there is no closed form
#
# Maximum likelihood asks for the $\theta$ that maximises, equation (loglik) of chapter 03,
#
# $$ \ell(\theta) = \sum_{n=1}^N \ln \sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j). $$
#
# For one Gaussian we set the derivative to zero and solved (chapter 01).
# Let us try the same here, for the mean $\boldsymbol\mu_k$ of one component.
# We need the derivative of a Gaussian density with respect to its mean.
# From equation (gauss), $\ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma) = -\tfrac12 (\mathbf{x} - \boldsymbol\mu)^\top \boldsymbol\Sigma^{-1} (\mathbf{x} - \boldsymbol\mu) + \text{const}$, and for a symmetric matrix $\mathbf{A}$ the gradient of the quadratic form is $\partial/\partial\boldsymbol\mu\, [(\mathbf{x} - \boldsymbol\mu)^\top \mathbf{A} (\mathbf{x} - \boldsymbol\mu)] = -2\mathbf{A}(\mathbf{x} - \boldsymbol\mu)$ (section 5 derives it in one line), so
#
# $$ \frac{\partial}{\partial\boldsymbol\mu}\, \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma) = \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma)\, \frac{\partial \ln \mathcal{N}}{\partial \boldsymbol\mu} = \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma)\, \boldsymbol\Sigma^{-1}(\mathbf{x} - \boldsymbol\mu). \tag{grad-gauss} $$
#
# Only the $k$-th term of the inner sum depends on $\boldsymbol\mu_k$.
# The chain rule, $\partial \ln u = \partial u / u$, and equation (grad-gauss) give
#
# $$ \frac{\partial \ell}{\partial \boldsymbol\mu_k} = \sum_{n=1}^N \underbrace{\frac{\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}{\sum_j \pi_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)}}_{\gamma_{nk}} \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k). \tag{grad-loglik} $$
#
# The fraction is exactly the responsibility $\gamma_{nk}$ of chapter 04, equation (resp).
# Setting equation (grad-loglik) to zero and multiplying by $\boldsymbol\Sigma_k$ (which is invertible) gives $\sum_n \gamma_{nk} \mathbf{x}_n = \boldsymbol\mu_k \sum_n \gamma_{nk}$, that is
#
# $$ \boldsymbol\mu_k = \frac{\sum_{n} \gamma_{nk}(\theta)\, \mathbf{x}_n}{\sum_{n} \gamma_{nk}(\theta)}. \tag{fixed-point} $$
#
# It looks like a formula for $\boldsymbol\mu_k$, but it is not: the responsibilities on the right are computed from $\theta$, *including $\boldsymbol\mu_k$ itself*.
# Equation (fixed-point) is an equation that $\boldsymbol\mu_k$ must satisfy, $\boldsymbol\mu_k = F(\boldsymbol\mu_k)$, a *fixed-point* equation, and it is not linear in $\boldsymbol\mu_k$ (the $\gamma_{nk}$ contain it inside exponentials and a normalising sum).
# The same happens for $\pi_k$ and $\boldsymbol\Sigma_k$: every stationarity condition involves the $\gamma_{nk}$, and through them every parameter of every component.
# This coupling is the logarithm of a *sum* in equation (loglik) at work.
#
# We see it on the textbook example of chapter 04 (section 1.1): the seven points $-3, -2.5, -1, 0, 2, 4, 5$ and the start $\theta_{\text{old}}$ with components $\mathcal{N}(-4, 1)$, $\mathcal{N}(0, 0.2)$, $\mathcal{N}(8, 3)$ (variances) and equal weights.
# First we check equation (grad-loglik) against central differences of `gb.log_likelihood`.

# %%
X, gmm_old = gb.datasets.textbook_1d()
N, D = X.shape
K = gmm_old.K


def with_means(gmm, means):
    """The mixture gmm with its means replaced (weights and covariances unchanged)."""
    return gb.GMM(gmm.weights, np.asarray(means, dtype=float).reshape(gmm.K, -1), gmm.covariances)


def grad_loglik_means(X, gmm):
    """Equation (grad-loglik) for every k: sum_n gamma_nk Sigma_k^{-1} (x_n - mu_k), shape (K, D)."""
    resp = gb.responsibilities(X, gmm)
    return np.stack([np.linalg.solve(gmm.covariances[k], (resp[:, k, None] * (X - gmm.means[k])).sum(axis=0))
                     for k in range(gmm.K)])


grad_formula = grad_loglik_means(X, gmm_old)
grad_numeric = central_gradient(lambda m: gb.log_likelihood(X, with_means(gmm_old, m)), gmm_old.means)
print("d l / d mu_k at theta_old, equation (grad-loglik):", grad_formula.ravel())
print("                        central differences      :", grad_numeric.ravel())
assert np.allclose(grad_formula, grad_numeric, rtol=1e-6, atol=1e-8)
print("check (grad-loglik): the gradient formula with responsibilities equals central differences of "
      "gb.log_likelihood, rel. error < 1e-6")

# %% [markdown]
# **What we verified:** the gradient of the log-likelihood with respect to a mean is the responsibility-weighted sum of $\boldsymbol\Sigma_k^{-1}(\mathbf{x}_n - \boldsymbol\mu_k)$, equation (grad-loglik).
#
# Now we "solve" equation (fixed-point): compute the responsibilities at $\theta_{\text{old}}$, plug them into the right-hand side, and look at the result.
#
# **CHECK (fixed-point).** If equation (fixed-point) were a solution, the new means would make the gradient (grad-loglik) vanish and reproduce themselves when plugged in again.
# They must do neither.

# %%
resp_old = gb.responsibilities(X, gmm_old)
means_1 = (resp_old.T @ X) / resp_old.sum(axis=0)[:, None]          # right-hand side of (fixed-point) at theta_old
gmm_1 = with_means(gmm_old, means_1)
resp_1 = gb.responsibilities(X, gmm_1)                                # the responsibilities change ...
means_2 = (resp_1.T @ X) / resp_1.sum(axis=0)[:, None]                # ... and so does the right-hand side
grad_1 = grad_loglik_means(X, gmm_1)
print("means from the responsibilities at theta_old:", means_1.ravel().round(4))
print("largest change of a responsibility          :", f"{np.abs(resp_1 - resp_old).max():.4f}")
print("gradient (grad-loglik) at those means        :", grad_1.ravel().round(4))
print("right-hand side of (fixed-point) there       :", means_2.ravel().round(4))
assert np.abs(grad_1).max() > 0.1
assert np.abs(means_2 - means_1).max() > 0.1
print("check (fixed-point): plugging the current responsibilities into (fixed-point) gives means at which "
      "the gradient is not zero (max |grad| > 0.1) and the right-hand side moves again (by > 0.1)")

# %% [markdown]
# **What we verified:** equation (fixed-point) with the current responsibilities does not solve $\partial\ell/\partial\boldsymbol\mu_k = 0$; the responsibilities move as soon as the means move.
#
# What if we simply repeat, plugging the new responsibilities in again and again?
# The table shows the means and the gradient over a few rounds, with $\boldsymbol\pi$ and $\boldsymbol\Sigma$ held at $\theta_{\text{old}}$.

# %%
means_t = gmm_old.means
loglik_t = [gb.log_likelihood(X, gmm_old)]
print("round    mu_1     mu_2     mu_3   max|grad|         l")
for t in range(1, 13):
    resp_t = gb.responsibilities(X, with_means(gmm_old, means_t))
    means_t = (resp_t.T @ X) / resp_t.sum(axis=0)[:, None]        # right-hand side of (fixed-point)
    gmm_t = with_means(gmm_old, means_t)
    loglik_t.append(gb.log_likelihood(X, gmm_t))
    if t in (1, 2, 3, 5, 8, 12):
        print(f"{t:5d} {means_t[0, 0]:8.4f} {means_t[1, 0]:8.4f} {means_t[2, 0]:8.4f} "
              f"{np.abs(grad_loglik_means(X, gmm_t)).max():11.2e} {loglik_t[-1]:9.4f}")
assert np.abs(grad_loglik_means(X, gmm_t)).max() < 1e-5
assert np.all(np.diff(loglik_t) > 0)

# %% [markdown]
# Repeating converges: after a dozen rounds the means no longer move, the gradient is down to about $10^{-6}$, and the log-likelihood rose at every round, from $-28.33$ at the start to $-15.96$.
# That repetition is EM (for the means alone), and explaining why it works is the subject of this chapter and the next.
#
# There are two ways to go from here.
# We could treat $\ell$ as a function to be maximised numerically, with gradient ascent or a quasi-Newton method using equation (grad-loglik).
# That works (chapter 06 compares it with EM), but it needs a step size, and the constraints ($\pi_k \ge 0$, $\sum_k \pi_k = 1$, $\boldsymbol\Sigma_k$ positive definite) must be built in by reparametrising (a softmax for $\boldsymbol\pi$, a Cholesky factor for $\boldsymbol\Sigma_k$).
# EM is the natural alternative: it uses the structure of the problem, the hidden labels, to get closed-form steps that respect every constraint and never decrease $\ell$.
# The rest of the chapter derives it.

# %% [markdown]
# ## 2. If we knew the labels: the complete-data log-likelihood
#
# The difficulty is the sum inside the logarithm, and the sum is there because we do not know which component produced each point.
# Suppose for a moment that we did: that along with $\mathbf{X}$ we observed the labels $\mathbf{Z}$, the $N \times K$ one-hot matrix of chapter 02.
# The pair $(\mathbf{X}, \mathbf{Z})$ is called the *complete data*, and its log-likelihood is equation (log-joint-data) of chapter 02, now read as a function of $\theta$:
#
# $$ \ln p(\mathbf{X}, \mathbf{Z} \mid \theta) = \sum_{n=1}^N \sum_{k=1}^K z_{nk} \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]. \tag{complete} $$
#
# The logarithm now acts on a single Gaussian: no sum inside.
# Collect the terms by component.
# With $N_k = \sum_n z_{nk}$ the number of points with label $k$ (equation (prior-data) of chapter 02),
#
# $$ \ln p(\mathbf{X}, \mathbf{Z} \mid \theta) = \underbrace{\sum_{k=1}^K N_k \ln \pi_k}_{\text{only } \boldsymbol\pi} + \sum_{k=1}^K \underbrace{\sum_{n:\, z_{nk} = 1} \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}_{\text{only } \boldsymbol\mu_k, \boldsymbol\Sigma_k}. \tag{complete-split} $$
#
# Each parameter appears in exactly one group of terms, so each group can be maximised on its own.
# The $k$-th group is the log-likelihood of one Gaussian fitted to the points with label $k$, whose maximiser is equation (ml-gauss) of chapter 01: the mean of those points and their covariance divided by $N_k$.
# The first group gives $\pi_k = N_k / N$, the fraction of points with label $k$ (section 4 derives this properly).
# **With the labels known, fitting a mixture is $K$ separate Gaussian fits and a count.**
#
# `gb.m_step(X, resp)` takes a matrix of weights per point and component; a one-hot matrix is a valid one (each row sums to 1).
# We check the claim on 300 points from `three_component_2d` with their true labels.

# %%
gmm2_true = gb.datasets.three_component_2d()
X2, labels2 = gb.sample(gmm2_true, 300, np.random.default_rng(5))
N2, D2 = X2.shape
Z2 = np.eye(gmm2_true.K)[labels2]                    # one-hot, (N, K)
fit_known = gb.m_step(X2, Z2)

print(" k  N_k   weight   mean              covariance (bias=True)")
for k in range(gmm2_true.K):
    Xk = X2[labels2 == k]
    mean_k = Xk.mean(axis=0)
    cov_k = np.cov(Xk, rowvar=False, bias=True)       # divisor N_k: equation (ml-gauss)
    print(f"{k + 1:2d} {len(Xk):4d} {len(Xk) / N2:8.4f}  {mean_k.round(4)}  {cov_k.round(4).tolist()}")
    assert abs(fit_known.weights[k] - len(Xk) / N2) < 1e-14
    assert np.allclose(fit_known.means[k], mean_k, rtol=0, atol=1e-12)
    assert np.allclose(fit_known.covariances[k], cov_k, rtol=0, atol=1e-12)

by_groups = sum(np.sum(labels2 == k) * np.log(fit_known.weights[k])
                + stats.multivariate_normal(fit_known.means[k], fit_known.covariances[k]).logpdf(X2[labels2 == k]).sum()
                for k in range(gmm2_true.K))                                   # (complete-split), with SciPy
complete_lib = np.sum(Z2 * gb.log_joint(X2, fit_known))                         # (complete), with gmmbook
assert abs(by_groups - complete_lib) < 1e-12 * abs(complete_lib)
print(f"complete-data log-likelihood at the fit: {complete_lib:.4f}")
print("check (complete), (complete-split): with one-hot responsibilities gb.m_step returns the per-cluster "
      "mean, np.cov(bias=True) and fraction N_k/N (max abs. difference < 1e-12); the double sum (complete) "
      "equals the sum of K separate SciPy fits (complete-split), rel. error < 1e-12")

# %% [markdown]
# **What we verified:** with known labels, the M-step is exactly $K$ separate maximum-likelihood Gaussian fits plus the label frequencies, and equation (complete) splits into independent groups as in equation (complete-split).

# %% [markdown]
# ## 3. We do not know the labels: the $Q$ function
#
# We do not observe $\mathbf{Z}$.
# But after chapter 04 we know the next best thing: its posterior distribution given the data, under some current guess $\theta_{\text{old}}$ of the parameters.
# The posterior factorises over points, and for each point it puts probability $\gamma_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n, \theta_{\text{old}})$ on the label $k$:
#
# $$ p(\mathbf{Z} \mid \mathbf{X}, \theta_{\text{old}}) = \prod_{n=1}^N \prod_{k=1}^K \gamma_{nk}^{z_{nk}}, \qquad \gamma_{nk} = \frac{\pi^{\text{old}}_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu^{\text{old}}_k, \boldsymbol\Sigma^{\text{old}}_k)}{\sum_j \pi^{\text{old}}_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu^{\text{old}}_j, \boldsymbol\Sigma^{\text{old}}_j)}. \tag{posterior-z} $$
#
# Since we cannot maximise the complete-data log-likelihood for the true $\mathbf{Z}$, we maximise its *expected value* under this posterior.
# This expectation is the $Q$ function, a function of two sets of parameters: $\theta$, the argument of the complete-data log-likelihood, and $\theta_{\text{old}}$, which fixes the distribution of $\mathbf{Z}$.
# Equation (complete) is *linear* in the $z_{nk}$, so the expectation passes through both sums and lands on the $z_{nk}$, whose expectation is $\mathbb{E}[z_{nk}] = 0 \cdot (1 - \gamma_{nk}) + 1 \cdot \gamma_{nk} = \gamma_{nk}$:
#
# $$ Q(\theta, \theta_{\text{old}}) = \mathbb{E}_{\mathbf{Z} \mid \mathbf{X}, \theta_{\text{old}}}\big[\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)\big] = \sum_{n=1}^N \sum_{k=1}^K \gamma_{nk} \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]. \tag{q} $$
#
# Compare equation (q) with equation (complete): the hard labels $z_{nk} \in \{0, 1\}$ are replaced by the soft $\gamma_{nk} \in [0, 1]$, and nothing else changes.
# In particular the logarithm still acts on a single Gaussian, so $Q$ splits exactly as equation (complete-split) did, with the *soft counts* $N_k = \sum_n \gamma_{nk}$ in place of the hard ones:
#
# $$ Q(\theta, \theta_{\text{old}}) = \sum_{k=1}^K N_k \ln \pi_k + \sum_{k=1}^K \sum_{n=1}^N \gamma_{nk} \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k), \qquad N_k = \sum_{n=1}^N \gamma_{nk}. \tag{q-split} $$
#
# This gives the two steps of EM.
# **E-step:** compute the $\gamma_{nk}$ from $\theta_{\text{old}}$, equation (posterior-z); they are all of $\theta_{\text{old}}$ that $Q$ needs.
# **M-step:** maximise $Q(\theta, \theta_{\text{old}})$ over $\theta$ with the $\gamma_{nk}$ held fixed; sections 4 to 6 do this in closed form.
#
# In NumPy, equation (q) is one line with the matrix of $\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$ from `gb.log_joint`; `gb.q_function(X, gmm, resp)` evaluates it at $\theta$ = `gmm` with responsibilities `resp` from $\theta_{\text{old}}$.
# We use the 2-D data of section 2, now *without* their labels, and a deliberately poor guess $\theta_{\text{old}}$.
# Then we evaluate $Q$ at a $\theta$ that differs from $\theta_{\text{old}}$, here the true parameters.

# %%
gmm2_old = gb.GMM(np.array([0.4, 0.3, 0.3]), np.array([[1.0, -1.0], [2.0, 4.0], [-2.0, 1.5]]),
                  np.array([1.5 * np.eye(2)] * 3))
resp2 = gb.responsibilities(X2, gmm2_old)           # E-step: gamma_nk under theta_old, equation (posterior-z)
theta2 = gmm2_true                                   # any theta at which to evaluate Q
q_inline = np.sum(resp2 * gb.log_joint(X2, theta2))  # equation (q)
q_lib = gb.q_function(X2, theta2, resp2)
assert abs(q_inline - q_lib) < 1e-12 * abs(q_lib)
print(f"Q(theta, theta_old) = {q_lib:.4f}; soft counts N_k = {resp2.sum(axis=0).round(4)}")
print("check (q): the inline double sum equals gb.q_function, rel. error < 1e-12")

# %% [markdown]
# **What we verified:** `gb.q_function` is equation (q).
# But did we take the expectation correctly?
# Equation (q) came from linearity of expectation; a simulation does not need that argument.
#
# **CHECK (q), Monte Carlo.** Draw $M = 2000$ label matrices $\mathbf{Z}^{(m)}$ from the posterior (posterior-z) (each row one-hot, $k$ with probability $\gamma_{nk}$, independently over $n$), evaluate the complete-data log-likelihood (complete) at $\theta$ for each, and average.
# The average must match $Q$ within 4 standard errors (the standard error is the sample standard deviation over $\sqrt{M}$).
# As a negative control, labels drawn from the *prior* $\boldsymbol\pi^{\text{old}}$ instead of the posterior must miss by far more.

# %%
rng_mc = np.random.default_rng(2024)
M = 2000
Z_post = rng_mc.multinomial(1, resp2, size=(M, N2))                          # (M, N, K): one-hot rows ~ Cat(gamma_n)
complete_post = np.sum(Z_post * gb.log_joint(X2, theta2), axis=(1, 2))       # equation (complete), one per draw
mc_mean = complete_post.mean()
mc_se = complete_post.std(ddof=1) / np.sqrt(M)
Z_prior = rng_mc.multinomial(1, gmm2_old.weights, size=(M, N2))              # the wrong distribution
complete_prior = np.sum(Z_prior * gb.log_joint(X2, theta2), axis=(1, 2))
print(f"Q from equation (q)          : {q_lib:10.2f}")
print(f"Monte Carlo, posterior labels: {mc_mean:10.2f} +- {mc_se:.2f} (one standard error)")
print(f"Monte Carlo, prior labels    : {complete_prior.mean():10.2f}")
assert abs(mc_mean - q_lib) < 4 * mc_se
assert abs(complete_prior.mean() - q_lib) > 100 * mc_se
print("check (q), Monte Carlo: the average complete-data log-likelihood over 2000 label matrices drawn from the "
      "posterior equals Q within 4 standard errors; labels from the prior miss by more than 100 standard errors")

# %% [markdown]
# **What we verified:** $Q(\theta, \theta_{\text{old}})$ is the average of the complete-data log-likelihood over the labels the posterior considers plausible, equation (q).
#
# ### Why maximise $Q$?
#
# $Q$ is easy to maximise, but is it the right thing to maximise?
# Chapter 06 proves the key fact; here is what it says, with its constant.
# Let $H = -\sum_n \sum_k \gamma_{nk} \ln \gamma_{nk} \ge 0$ be the entropy of the responsibilities (with $0 \ln 0 = 0$).
# Then for every $\theta$,
#
# $$ \ell(\theta) \;\ge\; Q(\theta, \theta_{\text{old}}) + H, \qquad \text{with equality at } \theta = \theta_{\text{old}}, \qquad H = \ell(\theta_{\text{old}}) - Q(\theta_{\text{old}}, \theta_{\text{old}}). \tag{q-bound} $$
#
# (The equality at $\theta_{\text{old}}$ is one line: there $\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) = \ln \gamma_{nk} + \ln p(\mathbf{x}_n \mid \theta_{\text{old}})$ by equation (posterior-z), and $\sum_k \gamma_{nk} = 1$.)
# So $Q + H$ is a lower bound on $\ell$ that touches it at $\theta_{\text{old}}$.
# Whatever raises $Q$ above $Q(\theta_{\text{old}}, \theta_{\text{old}})$ therefore raises $\ell$ above $\ell(\theta_{\text{old}})$: $\ell(\theta_{\text{new}}) \ge Q(\theta_{\text{new}}, \theta_{\text{old}}) + H \ge Q(\theta_{\text{old}}, \theta_{\text{old}}) + H = \ell(\theta_{\text{old}})$.
#
# The figure shows both sides of equation (q-bound) on the textbook example, as functions of $\mu_1$ with everything else at $\theta_{\text{old}}$ (the constant is called $C$ there: $C = H = 0.46$).
# The dashed bound touches $\ell$ at $\mu_1 = -4$; its maximum is at the M-step mean $-2.70$ (section 5), where $\ell$ is higher than at the start.
# Note that the M-step does not jump to the maximum of $\ell$ along this line ($\mu_1 = -1.30$, where component 1 would take the point $-1$ from the narrow component 2): it takes the safe step that the bound guarantees, and the next E-step builds a new bound there.

# %%
fig = plotting.fig_q_lower_bound()
plt.show()

# %% [markdown]
# **CHECK (q-bound).** On the textbook example and on the 2-D data: $\ell(\theta_{\text{old}}) - Q(\theta_{\text{old}}, \theta_{\text{old}})$ equals the entropy $H$ of the responsibilities, and at 200 random parameter values (seeded) $\ell(\theta) \ge Q(\theta, \theta_{\text{old}}) + H$.

# %%
def entropy(resp):
    """H = -sum_n sum_k gamma_nk ln gamma_nk, with 0 ln 0 = 0."""
    return -np.sum(special.xlogy(resp, resp))


def random_gmm(rng, X, K):
    """A random mixture for X: Dirichlet weights, means at random data points plus noise, random SPD covariances."""
    D = X.shape[1]
    A = rng.normal(size=(K, D, D))
    scale = np.var(X, axis=0).mean()
    covariances = scale * (0.1 * np.eye(D) + A @ A.transpose(0, 2, 1) / D)
    means = X[rng.choice(len(X), size=K)] + rng.normal(size=(K, D))
    return gb.GMM(rng.dirichlet(np.ones(K)), means, covariances)


rng_bound = np.random.default_rng(7)
for X_, gmm_, resp_ in ((X, gmm_old, resp_old), (X2, gmm2_old, resp2)):
    H = entropy(resp_)
    ll_ = gb.log_likelihood(X_, gmm_)
    assert abs(ll_ - gb.q_function(X_, gmm_, resp_) - H) < 1e-10 * abs(ll_)
    gaps = [gb.log_likelihood(X_, g) - gb.q_function(X_, g, resp_) - H
            for g in (random_gmm(rng_bound, X_, gmm_.K) for _ in range(200))]
    assert min(gaps) >= 0
    print(f"N = {len(X_):3d}: H = {H:.4f}; smallest gap l - (Q + H) over 200 random theta: >= 0")
print("check (q-bound): l(theta_old) - Q(theta_old, theta_old) equals the entropy of the responsibilities "
      "(rel. error < 1e-10), and l(theta) >= Q(theta, theta_old) + H at 400 random theta")

# %% [markdown]
# **What we verified:** equation (q-bound) holds, with the constant stated: $Q + H$ is a lower bound on the log-likelihood that touches it at $\theta_{\text{old}}$.
# Chapter 06 proves it (the gap is a Kullback–Leibler divergence); from here on we only need to maximise $Q$.

# %% [markdown]
# ## 4. The M-step for the weights: a Lagrange multiplier
#
# By equation (q-split), $Q$ depends on the weights only through its first term,
#
# $$ f(\boldsymbol\pi) = \sum_{k=1}^K N_k \ln \pi_k , \tag{q-weights} $$
#
# and we must maximise it over weights that are a probability distribution: $\pi_k \ge 0$ and $\sum_k \pi_k = 1$.
# The constraint is essential.
# Without it, $f$ has no maximum: each $N_k \ln \pi_k$ grows without bound as $\pi_k$ grows.
# With it, raising one weight means lowering others, and the question is the best compromise.
#
# ### The method of Lagrange multipliers
#
# To maximise $f(\boldsymbol\pi)$ subject to one equality constraint $g(\boldsymbol\pi) = \sum_k \pi_k - 1 = 0$, add the constraint with an unknown multiplier $\lambda$:
#
# $$ L(\boldsymbol\pi, \lambda) = Q(\theta, \theta_{\text{old}}) + \lambda \Big( \sum_{k=1}^K \pi_k - 1 \Big). \tag{lagrangian} $$
#
# Why this works: at a constrained maximum, moving along the constraint surface cannot increase $f$, so the gradient of $f$ has no component along the surface; it is perpendicular to it, i.e. parallel to the gradient of $g$, $\nabla f = -\lambda \nabla g$ for some number $\lambda$.
# That condition, together with the constraint itself, is exactly $\partial L / \partial \pi_k = 0$ for all $k$ and $\partial L / \partial \lambda = 0$.
# The inequality constraints $\pi_k \ge 0$ will turn out to be inactive: the solution has every $\pi_k > 0$ (whenever $N_k > 0$), since $N_k \ln \pi_k \to -\infty$ as $\pi_k \to 0$.
#
# ### Step by step
#
# Only the term $N_k \ln \pi_k$ of $Q$ and the term $\lambda \pi_k$ of the constraint contain $\pi_k$, so
#
# $$ \frac{\partial L}{\partial \pi_k} = \frac{\sum_n \gamma_{nk}}{\pi_k} + \lambda = \frac{N_k}{\pi_k} + \lambda = 0 \qquad (k = 1, \dots, K). \tag{stationary-pi} $$
#
# Solve each equation for $\pi_k$:
#
# $$ \pi_k = -\frac{1}{\lambda} \sum_{n=1}^N \gamma_{nk} = -\frac{N_k}{\lambda}. \tag{pi-lambda} $$
#
# Now sum equation (pi-lambda) over $k$ and use the constraint $\sum_k \pi_k = 1$.
# Because every row of responsibilities sums to 1, $\sum_k N_k = \sum_n \sum_k \gamma_{nk} = \sum_n 1 = N$, so
#
# $$ 1 = \sum_{k=1}^K \pi_k = -\frac{1}{\lambda} \sum_{k=1}^K N_k = -\frac{N}{\lambda} \quad\Longrightarrow\quad \lambda = -N. \tag{lambda} $$
#
# Put $\lambda = -N$ back into equation (pi-lambda):
#
# $$ \pi_k = \frac{N_k}{N} = \frac{1}{N} \sum_{n=1}^N \gamma_{nk}. \tag{m-weights} $$
#
# The new weight of a component is its share of the responsibility, the soft version of "the fraction of points with label $k$" from section 2.
# The multiplier has a meaning too: $-\lambda = N$ is the rate at which the best value of $f$ grows when the budget $\sum_k \pi_k = 1$ is relaxed to $1 + \varepsilon$ (each weight scales by $1 + \varepsilon$ and $f$ grows by $N \ln(1 + \varepsilon) \approx N\varepsilon$).
#
# **Is it the maximum?** A stationary point can be a minimum or a saddle.
# Here it is the global maximum, by a one-line argument.
# For any weights $\boldsymbol\pi$ on the simplex, with $\boldsymbol\pi^* = (N_k/N)_k$,
#
# $$ f(\boldsymbol\pi) - f(\boldsymbol\pi^*) = \sum_{k=1}^K N_k \ln \frac{\pi_k}{\pi_k^*} = -N \sum_{k=1}^K \pi^*_k \ln \frac{\pi^*_k}{\pi_k} = -N\, \mathrm{KL}(\boldsymbol\pi^* \,\|\, \boldsymbol\pi) \;\le\; 0, \tag{gibbs} $$
#
# because a Kullback–Leibler divergence is never negative and is zero only when the two distributions are equal (Gibbs' inequality).
#
# On the textbook example the soft counts are $N_k \approx 2.06, 2.01, 2.93$ (they sum to $N = 7$), so the new weights are about $0.29, 0.29, 0.42$.
# Here is equation (m-weights) in NumPy, against `gb.m_step`.

# %%
nk = resp_old.sum(axis=0)                  # N_k = sum_n gamma_nk
weights_new = nk / N                       # equation (m-weights)
print("N_k      :", nk.round(4), "  sum:", f"{nk.sum():.4f}")
print("pi = N_k/N:", weights_new.round(4))
gmm_new = gb.m_step(X, resp_old)
assert np.allclose(gmm_new.weights, weights_new, rtol=0, atol=1e-15)
assert np.allclose(gb.m_step(X2, resp2).weights, resp2.sum(axis=0) / N2, rtol=0, atol=1e-15)
print("check (m-weights): gb.m_step's weights equal N_k / N on the textbook and the 2-D data "
      "(max abs. difference < 1e-15)")

# %% [markdown]
# **What we verified:** `gb.m_step` computes equation (m-weights).
# The next three checks test the derivation itself: symbolically, with a general-purpose optimiser, and by perturbation.
#
# **CHECK (lambda), SymPy.** SymPy solves the stationarity system (stationary-pi) together with the constraint for $K = 3$, with $N_1, N_2, N_3$ as positive symbols: the only solution must be $\lambda = -(N_1 + N_2 + N_3)$ and $\pi_k = N_k / (N_1 + N_2 + N_3)$.
# Then the Hessian of $f$ must be negative definite (a maximum).

# %%
pi_s = sp.symbols("pi1:4", positive=True)
N_s = sp.symbols("N1:4", positive=True)
lam = sp.Symbol("lambda")
lagrangian = sum(n * sp.log(p) for n, p in zip(N_s, pi_s)) + lam * (sum(pi_s) - 1)       # (lagrangian), pi-part
equations = [sp.diff(lagrangian, p) for p in pi_s] + [sp.diff(lagrangian, lam)]          # (stationary-pi) + constraint
solutions = sp.solve(equations, [*pi_s, lam], dict=True)
print("stationarity equations:", [sp.sstr(e) for e in equations])
print("solutions:", sp.sstr(solutions))
N_total = sum(N_s)
assert len(solutions) == 1
solution = solutions[0]
assert sp.simplify(solution[lam] + N_total) == 0                                         # (lambda)
assert all(sp.simplify(solution[p] - n / N_total) == 0 for p, n in zip(pi_s, N_s))       # (m-weights)
hessian = sp.hessian(sum(n * sp.log(p) for n, p in zip(N_s, pi_s)), pi_s)
assert hessian.is_diagonal() and all(sp.ask(sp.Q.negative(hessian[i, i])) for i in range(3))
print("Hessian of f: diagonal, with entries", sp.sstr(list(hessian.diagonal())))
print("check (lambda), SymPy: the unique solution of the stationarity system is lambda = -(N1 + N2 + N3) "
      "and pi_k = N_k / (N1 + N2 + N3); the Hessian diag(-N_k / pi_k^2) is negative definite")

# %% [markdown]
# **What we verified:** symbolically, for any soft counts, the Lagrange conditions have exactly one solution, $\lambda = -N$ and $\pi_k = N_k/N$, and $f$ is strictly concave, so that solution is the maximum.
#
# **CHECK (m-weights), SciPy.** A general-purpose constrained optimiser, which knows nothing of our derivation, maximises $Q$ over the weights of the textbook example: `scipy.optimize.minimize` with `method="SLSQP"`, the equality constraint $\sum_k \pi_k = 1$ and bounds $0 \le \pi_k \le 1$, starting from $(\tfrac13, \tfrac13, \tfrac13)$, with finite-difference gradients.
# The means and variances are held at the M-step values (they do not affect the best weights, by equation (q-split)).
# $Q$ must be evaluated off the simplex too (the optimiser and the finite differences step there), so we write it as a function of arbitrary positive weights and check that it equals `gb.q_function` on the simplex.
# On the boundary, where a weight is 0 while its $N_k > 0$, $Q = -\infty$ and the optimiser backs off.
#
# Then we recover the multiplier the way the derivation says we can: at the optimum, equation (stationary-pi) says $\partial Q / \partial \pi_k = -\lambda$ for *every* $k$.
# We compute $\partial Q / \partial \pi_k$ by central differences at the optimiser's answer; all three must equal $N = 7$, so $\lambda = -7$.
# SLSQP also reports its own multiplier for the constraint, the number $m$ with $\nabla(-Q) = m \nabla g$ at the optimum of the minimisation of $-Q$.
# Our condition (stationary-pi) reads $\nabla Q + \lambda \nabla g = 0$, that is $\nabla(-Q) = \lambda \nabla g$, so $m$ is our $\lambda$.

# %%
log_dens = gb.log_joint(X, gmm_new) - np.log(gmm_new.weights)          # ln N(x_n | mu_k, Sigma_k), (N, K)


def q_of_weights(weights):
    """Q as a function of any positive weights (equation (q)), means and variances fixed; 0 ln 0 = 0."""
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    terms = np.where(resp_old > 0, resp_old * (log_w + log_dens), 0.0)
    return float(np.sum(terms))


assert abs(q_of_weights(gmm_new.weights) - gb.q_function(X, gmm_new, resp_old)) < 1e-12
result = minimize(lambda w: -q_of_weights(w), x0=np.full(K, 1 / K), method="SLSQP",
                  bounds=[(0.0, 1.0)] * K, constraints=[{"type": "eq", "fun": lambda w: np.sum(w) - 1}],
                  options={"ftol": 1e-14, "maxiter": 200})
grad_at_optimum = central_gradient(q_of_weights, result.x, h=1e-7)        # dQ/dpi_k = N_k / pi_k
lambda_recovered = -grad_at_optimum
print(f"SLSQP: success = {result.success}, weights {result.x.round(4)}")
print(f"gb.m_step:              weights {gmm_new.weights.round(4)}")
print("dQ/dpi_k at the optimum:", grad_at_optimum.round(4), " so lambda =", lambda_recovered.round(4))
print(f"SLSQP's multiplier: {result.multipliers[0]:.4f}")
assert result.success
assert np.allclose(result.x, gmm_new.weights, rtol=0, atol=1e-6)
assert np.allclose(lambda_recovered, -N, rtol=0, atol=1e-4)
assert abs(result.multipliers[0] + N) < 1e-4
print("check (m-weights), SciPy: SLSQP on the simplex finds the weights of gb.m_step (within 1e-6); at its optimum "
      "dQ/dpi_k = -lambda for every k with lambda = -N = -7 (within 1e-4), and SLSQP's own multiplier is -7 too")

# %% [markdown]
# **What we verified:** an off-the-shelf constrained optimiser lands on $\pi_k = N_k/N$, and the gradient there is the same in every coordinate, $\partial Q/\partial\pi_k = N = -\lambda$: the Lagrange condition (stationary-pi) with the multiplier (lambda), seen numerically.
#
# **CHECK (gibbs).** 1000 random weight vectors on the simplex (Dirichlet, seeded, some of them close to the optimum) must never give a higher $Q$, and the loss must equal $N\,\mathrm{KL}(\boldsymbol\pi^* \,\|\, \boldsymbol\pi)$, equation (gibbs), computed with `scipy.special.rel_entr`.

# %%
rng_w = np.random.default_rng(11)
q_best = gb.q_function(X, gmm_new, resp_old)
worst_excess, worst_error = -np.inf, 0.0
for concentration in (1.0, 10.0, 1000.0, 1e5):
    for w in rng_w.dirichlet(concentration * gmm_new.weights, size=250):
        trial = gb.GMM(w / w.sum(), gmm_new.means, gmm_new.covariances)
        loss = q_best - gb.q_function(X, trial, resp_old)
        kl = np.sum(special.rel_entr(gmm_new.weights, trial.weights))
        worst_excess = max(worst_excess, -loss)
        worst_error = max(worst_error, abs(loss - N * kl))
assert worst_excess <= 0
assert worst_error < 1e-10
print("check (gibbs): 1000 random weight vectors on the simplex never raise Q above its value at N_k/N, "
      "and the loss equals N * KL(pi* || pi) within 1e-10")

# %% [markdown]
# **What we verified:** equation (m-weights) is the global maximum of $Q$ over the simplex, and the amount by which any other weights fall short is exactly $N$ times a Kullback–Leibler divergence.
#
# The figure shows $f(\boldsymbol\pi) = \sum_k N_k \ln \pi_k$ for the textbook example on the whole simplex (left; each corner is a weight vector with one $\pi_k = 1$).
# The arrows show the uphill direction *within* the simplex: the gradient $(N_k / \pi_k)_k$ minus its average over $k$, the part of the gradient that the constraint lets us follow.
# That part is zero only where all $N_k/\pi_k$ are equal, at $\pi_k = N_k/N$, where the arrows converge.
# On the right, a slice with $\pi_3$ fixed at its optimum shows the Lagrange picture: the level set of $f$ through the optimum is tangent to the constraint line, and the gradient there, $(N, N)$, is perpendicular to it.

# %%
fig = plotting.fig_lagrange_simplex()
plt.show()

# %% [markdown]
# ## 5. The M-step for the means
#
# By equation (q-split), $\boldsymbol\mu_k$ appears only in $\sum_n \gamma_{nk} \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, and of the logarithm of equation (gauss) only the quadratic form depends on it:
#
# $$ Q(\theta, \theta_{\text{old}}) = -\frac12 \sum_{n=1}^N \gamma_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)^\top \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k) + \text{terms without } \boldsymbol\mu_k. \tag{q-means} $$
#
# The identity we need, for a symmetric matrix $\mathbf{A}$: $\dfrac{\partial}{\partial \boldsymbol\mu} (\mathbf{x} - \boldsymbol\mu)^\top \mathbf{A} (\mathbf{x} - \boldsymbol\mu) = -2\mathbf{A}(\mathbf{x} - \boldsymbol\mu)$.
# (Write $\mathbf{u} = \mathbf{x} - \boldsymbol\mu$; then $\partial(\mathbf{u}^\top \mathbf{A} \mathbf{u})/\partial \mathbf{u} = (\mathbf{A} + \mathbf{A}^\top)\mathbf{u} = 2\mathbf{A}\mathbf{u}$, and $\partial\mathbf{u}/\partial\boldsymbol\mu = -\mathbf{I}$.)
# With $\mathbf{A} = \boldsymbol\Sigma_k^{-1}$:
#
# $$ \frac{\partial Q}{\partial \boldsymbol\mu_k} = \sum_{n=1}^N \gamma_{nk} \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k) = \boldsymbol\Sigma_k^{-1} \Big( \sum_{n=1}^N \gamma_{nk} \mathbf{x}_n - N_k \boldsymbol\mu_k \Big). \tag{grad-q-means} $$
#
# It is the same expression as the gradient of $\ell$, equation (grad-loglik), with one crucial difference: here the $\gamma_{nk}$ are *fixed numbers*, computed from $\theta_{\text{old}}$, not functions of $\boldsymbol\mu_k$.
# Setting equation (grad-q-means) to zero and multiplying by $\boldsymbol\Sigma_k$ now really solves for $\boldsymbol\mu_k$:
#
# $$ \boldsymbol\mu_k = \frac{1}{N_k} \sum_{n=1}^N \gamma_{nk} \mathbf{x}_n. \tag{m-means} $$
#
# The new mean is the responsibility-weighted average of the data.
# The fixed-point equation of section 1 has become a formula; section 1's repeated plugging-in was this update of the means, done again and again with the weights and variances frozen.
# Two remarks.
# Equation (m-means) does not depend on $\boldsymbol\Sigma_k$, so it is the best mean *whatever* the covariance; this lets us maximise over the means first and the covariances afterwards (section 6).
# And it is the global maximum: the cross term vanishes at $\boldsymbol\mu_k^*$ because $\sum_n \gamma_{nk} (\mathbf{x}_n - \boldsymbol\mu_k^*) = 0$, so expanding the quadratic (q-means) around it gives, for any shift $\boldsymbol\delta$,
#
# $$ Q(\boldsymbol\mu_k^* + \boldsymbol\delta) - Q(\boldsymbol\mu_k^*) = -\frac{N_k}{2}\, \boldsymbol\delta^\top \boldsymbol\Sigma_k^{-1} \boldsymbol\delta \;\le\; 0. \tag{q-means-loss} $$
#
# On the textbook example, equation (m-means) moves the means from $(-4, 0, 8)$ to about $(-2.7, -0.4, 3.7)$.

# %%
means_new = (resp_old.T @ X) / nk[:, None]                   # equation (m-means)
print("mu_k = sum_n gamma_nk x_n / N_k:", means_new.ravel().round(4))
assert np.allclose(gb.m_step(X, resp_old).means, means_new, rtol=0, atol=1e-14)
gmm2_new = gb.m_step(X2, resp2)
nk2 = resp2.sum(axis=0)
assert np.allclose(gmm2_new.means, (resp2.T @ X2) / nk2[:, None], rtol=0, atol=1e-13)
print("check (m-means): gb.m_step's means equal sum_n gamma_nk x_n / N_k on the textbook and the 2-D data "
      "(max abs. difference < 1e-13)")

# %% [markdown]
# **What we verified:** `gb.m_step` computes equation (m-means).
#
# **CHECK (grad-q-means), SymPy.** In 1-D with three points (symbols $x_n$, $\gamma_n > 0$, variance $v > 0$), the derivative of $Q$ with respect to $\mu$ must vanish at $\mu = \sum_n \gamma_n x_n / \sum_n \gamma_n$, and that must be the only root.
# In 2-D, with symbolic points $(a_n, b_n)$ and a symbolic symmetric precision matrix $\boldsymbol\Sigma^{-1} = \begin{pmatrix} p & q \\ q & s \end{pmatrix}$, the gradient must vanish at equation (m-means).

# %%
x_s = sp.symbols("x1:4", real=True)
g_s = sp.symbols("gamma1:4", positive=True)
mu, v = sp.symbols("mu", real=True), sp.Symbol("v", positive=True)
q_1d = sum(g * (-sp.log(2 * sp.pi * v) / 2 - (x - mu) ** 2 / (2 * v)) for g, x in zip(g_s, x_s))   # gamma-weighted ln N
mu_star = sum(g * x for g, x in zip(g_s, x_s)) / sum(g_s)                                         # (m-means)
assert sp.simplify(sp.diff(q_1d, mu).subs(mu, mu_star)) == 0
roots = sp.solve(sp.diff(q_1d, mu), mu)
assert len(roots) == 1 and sp.simplify(roots[0] - mu_star) == 0
assert sp.simplify(sp.diff(q_1d, mu, 2) + sum(g_s) / v) == 0                                       # -N_k / v < 0
print("1-D: dQ/dmu =", sp.sstr(sp.simplify(sp.diff(q_1d, mu))), "; only root:", sp.sstr(roots[0]))

a_s, b_s = sp.symbols("a1:4", real=True), sp.symbols("b1:4", real=True)
p, q, s = sp.symbols("p q s", real=True)
m1, m2 = sp.symbols("m1 m2", real=True)
precision = sp.Matrix([[p, q], [q, s]])
m_vec = sp.Matrix([m1, m2])
q_2d = sum(-g * ((sp.Matrix([a, b]) - m_vec).T * precision * (sp.Matrix([a, b]) - m_vec))[0, 0] / 2
           for g, a, b in zip(g_s, a_s, b_s))                                                      # (q-means)
star_2d = {m1: sum(g * a for g, a in zip(g_s, a_s)) / sum(g_s), m2: sum(g * b for g, b in zip(g_s, b_s)) / sum(g_s)}
gradient_2d = sp.Matrix([sp.diff(q_2d, m) for m in (m1, m2)])
assert sp.simplify(gradient_2d.subs(star_2d)) == sp.zeros(2, 1)
print("check (grad-q-means), SymPy: the derivative of Q vanishes at mu = sum gamma x / sum gamma, in 1-D (the only "
      "root, second derivative -N_k/v) and in 2-D with a symbolic precision matrix")

# %% [markdown]
# **What we verified:** symbolically, for arbitrary data and responsibilities, equation (m-means) is where the gradient (grad-q-means) vanishes.
#
# **CHECK (m-means), numerically.** On the 2-D data, the central-difference gradient of `gb.q_function` with respect to all six mean coordinates must be zero at the M-step means (compared with its size at $\theta_{\text{old}}$'s means), and 1000 random shifts of the means (seeded, sizes from $10^{-3}$ to 1) must never increase $Q$, each lowering it by exactly equation (q-means-loss).

# %%
def q_at(gmm, resp, X, weights=None, means=None, covariances=None):
    """Q(theta, theta_old) at gmm with some of its parameters replaced."""
    theta = gb.GMM(gmm.weights if weights is None else weights,
                   gmm.means if means is None else means,
                   gmm.covariances if covariances is None else covariances)
    return gb.q_function(X, theta, resp)


grad_at_new = central_gradient(lambda m: q_at(gmm2_new, resp2, X2, means=m), gmm2_new.means)
grad_at_old = central_gradient(lambda m: q_at(gmm2_new, resp2, X2, means=m), gmm2_old.means)
print(f"max |dQ/dmu| at the old means: {np.abs(grad_at_old).max():.1f}; at the M-step means: < 1e-5")
assert np.abs(grad_at_new).max() < 1e-5 and np.abs(grad_at_old).max() > 10

rng_m = np.random.default_rng(12)
q2_best = gb.q_function(X2, gmm2_new, resp2)
precisions2 = np.linalg.inv(gmm2_new.covariances)
worst_excess, worst_error = -np.inf, 0.0
for _ in range(1000):
    delta = 10 ** rng_m.uniform(-3, 0) * rng_m.normal(size=gmm2_new.means.shape)
    loss = q2_best - q_at(gmm2_new, resp2, X2, means=gmm2_new.means + delta)
    predicted = 0.5 * np.sum(nk2 * np.einsum("kd,kde,ke->k", delta, precisions2, delta))      # (q-means-loss)
    worst_excess = max(worst_excess, -loss)
    worst_error = max(worst_error, abs(loss - predicted) / predicted)
assert worst_excess <= 0 and worst_error < 1e-6
print("check (m-means), numerically: the gradient of gb.q_function is zero at the M-step means (< 1e-5, against "
      "> 10 at the old means); 1000 random shifts never raise Q and lower it by (q-means-loss) within rel. 1e-6")

# %% [markdown]
# **What we verified:** `gb.q_function` is flat at the M-step means and falls off in every direction exactly as the quadratic (q-means-loss) predicts.

# %% [markdown]
# ## 6. The M-step for the covariances
#
# With the means at their best value (m-means), which holds for every $\boldsymbol\Sigma_k$, it remains to maximise over $\boldsymbol\Sigma_k$.
# From equation (q-split) and the logarithm of equation (gauss), $\ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma) = -\tfrac{D}{2} \ln 2\pi - \tfrac12 \ln\det\boldsymbol\Sigma - \tfrac12 (\mathbf{x} - \boldsymbol\mu)^\top \boldsymbol\Sigma^{-1} (\mathbf{x} - \boldsymbol\mu)$, the terms with $\boldsymbol\Sigma_k$ are
#
# $$ Q(\theta, \theta_{\text{old}}) = -\frac12 \sum_{n=1}^N \gamma_{nk} \Big[ \ln\det\boldsymbol\Sigma_k + (\mathbf{x}_n - \boldsymbol\mu_k)^\top \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k) \Big] + \text{terms without } \boldsymbol\Sigma_k. \tag{q-cov} $$
#
# A number is its own trace, and the trace is invariant under cyclic permutations, so $\mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a} = \operatorname{tr}(\boldsymbol\Sigma^{-1} \mathbf{a}\mathbf{a}^\top)$.
# Summing over $n$ collects the outer products into the weighted *scatter matrix*
#
# $$ \mathbf{S}_k = \sum_{n=1}^N \gamma_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top, \qquad Q = -\frac12 \Big[ N_k \ln\det\boldsymbol\Sigma_k + \operatorname{tr}\big(\boldsymbol\Sigma_k^{-1} \mathbf{S}_k\big) \Big] + \dots \tag{scatter} $$
#
# ### Two matrix identities
#
# For a symmetric positive definite $\boldsymbol\Sigma$ and a vector $\mathbf{a}$, treating the $D^2$ entries of $\boldsymbol\Sigma$ as free variables:
#
# $$ \frac{\partial \ln\det\boldsymbol\Sigma}{\partial \boldsymbol\Sigma} = \boldsymbol\Sigma^{-1}, \qquad \frac{\partial\, \mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a}}{\partial \boldsymbol\Sigma} = -\boldsymbol\Sigma^{-1} \mathbf{a}\mathbf{a}^\top \boldsymbol\Sigma^{-1}. \tag{matrix-identities} $$
#
# Where they come from, for a small change $d\boldsymbol\Sigma$.
# First, $\boldsymbol\Sigma + d\boldsymbol\Sigma = \boldsymbol\Sigma(\mathbf{I} + \boldsymbol\Sigma^{-1} d\boldsymbol\Sigma)$ and the determinant of a product is the product of the determinants, so $\ln\det(\boldsymbol\Sigma + d\boldsymbol\Sigma) = \ln\det\boldsymbol\Sigma + \ln\det(\mathbf{I} + \boldsymbol\Sigma^{-1} d\boldsymbol\Sigma) \approx \ln\det\boldsymbol\Sigma + \operatorname{tr}(\boldsymbol\Sigma^{-1} d\boldsymbol\Sigma)$: the determinant of $\mathbf{I} + \mathbf{E}$ is the product of its eigenvalues $1 + e_i$, which is $1 + \sum_i e_i = 1 + \operatorname{tr}\mathbf{E}$ to first order, and $\ln(1 + t) \approx t$.
# Second, differentiating $\boldsymbol\Sigma\boldsymbol\Sigma^{-1} = \mathbf{I}$ gives $d\boldsymbol\Sigma\,\boldsymbol\Sigma^{-1} + \boldsymbol\Sigma\, d(\boldsymbol\Sigma^{-1}) = \mathbf{0}$, so $d(\boldsymbol\Sigma^{-1}) = -\boldsymbol\Sigma^{-1} d\boldsymbol\Sigma\, \boldsymbol\Sigma^{-1}$, and $d(\mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a}) = \mathbf{a}^\top d(\boldsymbol\Sigma^{-1})\, \mathbf{a} = -\mathbf{a}^\top \boldsymbol\Sigma^{-1} d\boldsymbol\Sigma\, \boldsymbol\Sigma^{-1} \mathbf{a} = -\operatorname{tr}(\boldsymbol\Sigma^{-1}\mathbf{a}\mathbf{a}^\top\boldsymbol\Sigma^{-1}\, d\boldsymbol\Sigma)$ (a number is its own trace, and the trace is invariant under cyclic permutations).
# Finally, $\operatorname{tr}(\mathbf{G}^\top d\boldsymbol\Sigma) = \sum_{i,j} G_{ij}\, d\Sigma_{ij}$, so a change of this form means that the derivative with respect to the entry $\Sigma_{ij}$ is $G_{ij}$: the derivative is $\mathbf{G}$, and both $\mathbf{G}$ here are symmetric.
#
# (A symmetric matrix has only $D(D+1)/2$ free entries; differentiating with respect to those gives $2\mathbf{G} - \operatorname{diag}(\mathbf{G})$ instead of $\mathbf{G}$, which vanishes exactly when $\mathbf{G}$ does, so the stationary point is the same. The 2-D SymPy check below differentiates with respect to the three free entries.)
#
# **CHECK (matrix-identities).** For a random $3 \times 3$ positive definite $\boldsymbol\Sigma$ and a random $\mathbf{a}$ (seeded), the central differences of $\ln\det\boldsymbol\Sigma$ (`np.linalg.slogdet`) and of $\mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a}$ with respect to each of the $D^2 = 9$ entries, moved one at a time, must equal $\boldsymbol\Sigma^{-1}$ and $-\boldsymbol\Sigma^{-1} \mathbf{a}\mathbf{a}^\top \boldsymbol\Sigma^{-1}$.

# %%
rng_id = np.random.default_rng(16)
B_id = rng_id.normal(size=(3, 3))
Sigma_id, a_id = B_id @ B_id.T + np.eye(3), rng_id.normal(size=3)
precision_id = np.linalg.inv(Sigma_id)
grad_logdet = central_gradient(lambda S: np.linalg.slogdet(S)[1], Sigma_id)
grad_quadratic = central_gradient(lambda S: a_id @ np.linalg.solve(S, a_id), Sigma_id)
identity_quadratic = -precision_id @ np.outer(a_id, a_id) @ precision_id
assert np.max(np.abs(grad_logdet - precision_id)) < 1e-7 * np.max(np.abs(precision_id))
assert np.max(np.abs(grad_quadratic - identity_quadratic)) < 1e-7 * np.max(np.abs(identity_quadratic))
print("check (matrix-identities): entry by entry, d ln det(Sigma) / d Sigma = Sigma^-1 and "
      "d (a^T Sigma^-1 a) / d Sigma = -Sigma^-1 a a^T Sigma^-1 (central differences, within 1e-7 of the largest entry)")

# %% [markdown]
# **What we verified:** the two identities (matrix-identities) that the covariance update rests on.
#
# ### Step by step
#
# Apply the identities (matrix-identities) to (q-cov), with $\mathbf{a} = \mathbf{x}_n - \boldsymbol\mu_k$:
#
# $$ \frac{\partial Q}{\partial \boldsymbol\Sigma_k} = -\frac12 \sum_{n=1}^N \gamma_{nk} \Big[ \boldsymbol\Sigma_k^{-1} - \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top \boldsymbol\Sigma_k^{-1} \Big] = -\frac12 \Big[ N_k \boldsymbol\Sigma_k^{-1} - \boldsymbol\Sigma_k^{-1} \mathbf{S}_k \boldsymbol\Sigma_k^{-1} \Big]. \tag{grad-q-cov} $$
#
# Set it to zero and multiply by $\boldsymbol\Sigma_k$ on the left and on the right: $N_k \boldsymbol\Sigma_k = \mathbf{S}_k$, that is
#
# $$ \boldsymbol\Sigma_k = \frac{1}{N_k} \sum_{n=1}^N \gamma_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top, \tag{m-cov} $$
#
# with $\boldsymbol\mu_k$ the *new* mean from equation (m-means): we maximise over both jointly, and the best mean does not depend on $\boldsymbol\Sigma_k$.
# It is the weighted version of equation (ml-gauss) of chapter 01: the covariance of the data around the new mean, each point counted with its responsibility, divided by the soft count $N_k$ (not by $N$, and not by $N_k - 1$).
#
# **The same via the precision matrix.** Write $\boldsymbol\Lambda_k = \boldsymbol\Sigma_k^{-1}$. Then equation (scatter) reads $Q = \tfrac12 [N_k \ln\det\boldsymbol\Lambda_k - \operatorname{tr}(\boldsymbol\Lambda_k \mathbf{S}_k)] + \dots$, whose derivative $\tfrac12 [N_k \boldsymbol\Lambda_k^{-1} - \mathbf{S}_k]$ uses only the first identity and vanishes at $\boldsymbol\Lambda_k^{-1} = \mathbf{S}_k / N_k$: the same answer.
# In this form $Q$ is visibly concave in $\boldsymbol\Lambda_k$ ($\ln\det$ is concave on positive definite matrices, the trace is linear), so the stationary point is the maximum.
#
# **Is it the maximum? A direct argument.** Put $\boldsymbol\Sigma^*_k = \mathbf{S}_k / N_k$, so that $\mathbf{S}_k = N_k \boldsymbol\Sigma^*_k$, into equation (scatter), and subtract its value at $\boldsymbol\Sigma_k = \boldsymbol\Sigma^*_k$, where $\operatorname{tr}(\boldsymbol\Sigma^{*-1}_k \mathbf{S}_k) = N_k D$.
# For any positive definite $\boldsymbol\Sigma_k$, with $\nu_1, \dots, \nu_D$ the eigenvalues of $\boldsymbol\Sigma_k^{-1} \boldsymbol\Sigma^*_k$ (real and positive: the matrix is similar to the positive definite $\boldsymbol\Sigma_k^{-1/2} \boldsymbol\Sigma^*_k \boldsymbol\Sigma_k^{-1/2}$), whose trace is $\sum_i \nu_i$ and whose log-determinant is $\sum_i \ln\nu_i$,
#
# $$ Q(\boldsymbol\Sigma_k) - Q(\boldsymbol\Sigma^*_k) = -\frac{N_k}{2} \Big[ \operatorname{tr}\big(\boldsymbol\Sigma_k^{-1}\boldsymbol\Sigma^*_k\big) - \ln\det\big(\boldsymbol\Sigma_k^{-1}\boldsymbol\Sigma^*_k\big) - D \Big] = -\frac{N_k}{2} \sum_{i=1}^D \big(\nu_i - \ln\nu_i - 1\big) \;\le\; 0, \tag{q-cov-loss} $$
#
# because $\nu - \ln\nu - 1 \ge 0$ for every $\nu > 0$ (the function is convex with its minimum 0 at $\nu = 1$), with equality only at $\nu = 1$, that is, only at $\boldsymbol\Sigma_k = \boldsymbol\Sigma^*_k$.
# So equation (m-cov) is the unique global maximum, as long as $\mathbf{S}_k$ is positive definite (the component has weight on at least $D + 1$ points, not all in one hyperplane; otherwise we are in the collapse of chapter 03).
#
# On the textbook example ($D = 1$, $\mathbf{S}_k$ is a weighted sum of squares) the new variances are about $0.14, 0.44, 1.53$.

# %%
diff = X[None, :, :] - means_new[:, None, :]                                          # x_n - mu_k, (K, N, D)
covariances_new = np.einsum("nk,kni,knj->kij", resp_old, diff, diff) / nk[:, None, None]   # equation (m-cov)
print("Sigma_k (variances):", covariances_new.ravel().round(4))
assert np.allclose(gb.m_step(X, resp_old).covariances, covariances_new, rtol=1e-12, atol=0)
diff2 = X2[None, :, :] - gmm2_new.means[:, None, :]
scatter2 = np.einsum("nk,kni,knj->kij", resp2, diff2, diff2)                           # S_k, equation (scatter)
assert np.allclose(gmm2_new.covariances, scatter2 / nk2[:, None, None], rtol=1e-12, atol=1e-14)
print("check (m-cov): gb.m_step's covariances equal sum_n gamma_nk (x_n - mu_k)(x_n - mu_k)^T / N_k on the "
      "textbook and the 2-D data (rel. error < 1e-12)")

# %% [markdown]
# **What we verified:** `gb.m_step` computes equation (m-cov), centred on the new means.
#
# **CHECK (grad-q-cov), SymPy.** In 1-D, with the variance $v$ as the unknown, $\partial Q / \partial v$ must vanish at $v = \sum_n \gamma_n (x_n - \mu)^2 / \sum_n \gamma_n$, its only root.
# In 2-D, with the precision $\boldsymbol\Lambda = \begin{pmatrix} p & q \\ q & s \end{pmatrix}$ and a symbolic scatter matrix $\mathbf{S}$, the derivatives of $\tfrac12 [N_k \ln\det\boldsymbol\Lambda - \operatorname{tr}(\boldsymbol\Lambda\mathbf{S})]$ with respect to the three free entries $p, q, s$ must vanish at $\boldsymbol\Lambda = N_k \mathbf{S}^{-1}$.

# %%
v_star = sum(g * (x - mu) ** 2 for g, x in zip(g_s, x_s)) / sum(g_s)                  # (m-cov) in 1-D
dq_dv = sp.diff(q_1d, v)
assert sp.simplify(dq_dv.subs(v, v_star)) == 0
roots_v = sp.solve(dq_dv, v)
assert len(roots_v) == 1 and sp.simplify(roots_v[0] - v_star) == 0
assert sp.simplify(dq_dv - (sum(g * (x - mu) ** 2 for g, x in zip(g_s, x_s)) - v * sum(g_s)) / (2 * v**2)) == 0
print("1-D: dQ/dv = (sum_n gamma_n (x_n - mu)^2 - v sum_n gamma_n) / (2 v^2); its only root equals", sp.sstr(v_star))

s11, s12, s22 = sp.symbols("s11 s12 s22", real=True)
Nk_s = sp.Symbol("N_k", positive=True)
S_mat = sp.Matrix([[s11, s12], [s12, s22]])
q_prec = (Nk_s * sp.log(precision.det()) - (precision * S_mat).trace()) / 2     # equation (scatter), in Lambda
Lambda_star = Nk_s * S_mat.inv()                                                         # (m-cov): Lambda = N_k S^{-1}
at_star = {p: Lambda_star[0, 0], q: Lambda_star[0, 1], s: Lambda_star[1, 1]}
derivatives = [sp.simplify(sp.diff(q_prec, e).subs(at_star)) for e in (p, q, s)]
print("2-D: dQ/dp, dQ/dq, dQ/ds at Lambda = N_k S^-1:", [sp.sstr(d) for d in derivatives])
assert derivatives == [0, 0, 0]
print("check (grad-q-cov), SymPy: dQ/dv vanishes only at v = sum gamma (x - mu)^2 / sum gamma (1-D); in 2-D the "
      "derivatives with respect to the free entries of the precision vanish at Lambda = N_k S^-1")

# %% [markdown]
# **What we verified:** symbolically, equation (m-cov) is the stationary point, in 1-D and, through the precision matrix and its three free entries, in 2-D.
#
# **CHECK (m-cov), numerically.** On the 2-D data: the central-difference gradient of `gb.q_function` with respect to the free entries of every $\boldsymbol\Sigma_k$ (the upper triangle, mirrored to keep it symmetric) must vanish at equation (m-cov).
# 1000 random positive definite perturbations $\boldsymbol\Sigma_k \to \mathbf{A}\boldsymbol\Sigma_k\mathbf{A}^\top$ (with $\mathbf{A} = \mathbf{I} + \varepsilon\mathbf{E}$, $\mathbf{E}$ standard normal, $\varepsilon$ from $10^{-3}$ to 1), plus 200 completely random covariance matrices, must never increase $Q$, each lowering it by exactly equation (q-cov-loss).
# As a negative control for a classic mistake, the covariance centred on the *old* means must give a lower $Q$.

# %%
upper = np.triu_indices(D2)


def covariances_from_free(free):
    """(K, D, D) symmetric matrices from the K x D(D+1)/2 entries of their upper triangles."""
    covs = np.zeros((len(free), D2, D2))
    covs[:, upper[0], upper[1]] = free
    return covs + np.triu(covs, 1).transpose(0, 2, 1)


free_new = gmm2_new.covariances[:, upper[0], upper[1]]
grad_cov = central_gradient(lambda f: q_at(gmm2_new, resp2, X2, covariances=covariances_from_free(f)), free_new)
grad_cov_old = central_gradient(lambda f: q_at(gmm2_new, resp2, X2, covariances=covariances_from_free(f)),
                                gmm2_old.covariances[:, upper[0], upper[1]])
print(f"max |dQ/dSigma| at the old covariances: {np.abs(grad_cov_old).max():.1f}; at the M-step: < 1e-5")
assert np.abs(grad_cov).max() < 1e-5 and np.abs(grad_cov_old).max() > 10


def cov_loss(covs, covs_star, counts):
    """Equation (q-cov-loss): (1/2) sum_k N_k [tr(Sigma_k^-1 Sigma*_k) - ln det(Sigma_k^-1 Sigma*_k) - D]."""
    ratio = np.linalg.solve(covs, covs_star)
    return 0.5 * np.sum(counts * (np.trace(ratio, axis1=1, axis2=2) - np.linalg.slogdet(ratio)[1] - covs.shape[-1]))


rng_c = np.random.default_rng(13)
worst_excess, worst_error = -np.inf, 0.0
for i in range(1200):
    if i < 1000:
        A = np.eye(D2) + 10 ** rng_c.uniform(-3, 0) * rng_c.normal(size=(gmm2_new.K, D2, D2))
        trial_covs = A @ gmm2_new.covariances @ A.transpose(0, 2, 1)
    else:
        B = rng_c.normal(size=(gmm2_new.K, D2, D2))
        trial_covs = 0.05 * np.eye(D2) + B @ B.transpose(0, 2, 1)
    trial_covs = (trial_covs + trial_covs.transpose(0, 2, 1)) / 2
    loss = q2_best - q_at(gmm2_new, resp2, X2, covariances=trial_covs)
    predicted = cov_loss(trial_covs, gmm2_new.covariances, nk2)
    worst_excess = max(worst_excess, -loss)
    worst_error = max(worst_error, abs(loss - predicted) / max(predicted, 1e-300))
assert worst_excess <= 0 and worst_error < 1e-6

diff_old = X2[None, :, :] - gmm2_old.means[:, None, :]
covs_old_centre = np.einsum("nk,kni,knj->kij", resp2, diff_old, diff_old) / nk2[:, None, None]   # the mistake
q_mistake = q_at(gmm2_new, resp2, X2, covariances=covs_old_centre)
print(f"Q at the M-step: {q2_best:.2f}; with the covariance centred on the old means: {q_mistake:.2f}")
assert q_mistake < q2_best
print("check (m-cov), numerically: the gradient of gb.q_function with respect to the covariance entries is zero "
      "at the M-step (< 1e-5); 1200 random SPD covariances never raise Q and lower it by (q-cov-loss) within "
      "rel. 1e-6; centring on the old means lowers Q")

# %% [markdown]
# **What we verified:** equation (m-cov) maximises `gb.q_function` over all positive definite matrices, and the shortfall of any other choice is exactly equation (q-cov-loss).
#
# ### The first M-step of the textbook example
#
# Equations (m-weights), (m-means) and (m-cov) together are the M-step.
# On the textbook example, starting from $\theta_{\text{old}}$, the hand computation above gives the values published with this example, to the precision published.
#
# **CHECK (published).** $N_k \approx 2.06, 2.01, 2.93$; $\mu_k \approx -2.7, -0.4, 3.7$; $\sigma_k^2 \approx 0.14, 0.44, 1.53$; $\pi_k \approx 0.29, 0.29, 0.42$.
# And by equation (q-bound) the log-likelihood must not decrease.

# %%
published = {"N_k": ([2.06, 2.01, 2.93], 2), "mean": ([-2.7, -0.4, 3.7], 1),
             "variance": ([0.14, 0.44, 1.53], 2), "weight": ([0.29, 0.29, 0.42], 2)}
computed = {"N_k": nk, "mean": means_new.ravel(), "variance": covariances_new.ravel(), "weight": weights_new}
print("            component 1  component 2  component 3")
for name, (values, digits) in published.items():
    assert np.all(np.abs(computed[name] - np.array(values)) <= 0.5 * 10.0 ** -digits), name
    print(f"{name:10s}" + "".join(f"{c:13.{digits}f}" for c in computed[name]))
ll_old, ll_new = gb.log_likelihood(X, gmm_old), gb.log_likelihood(X, gmm_new)
print(f"log-likelihood: {ll_old:.4f} at theta_old, {ll_new:.4f} after one M-step")
assert ll_new > ll_old
print("check (published): the first M-step of the textbook example reproduces the published N_k, means, variances "
      "and weights to the published precision; the log-likelihood increased")

# %% [markdown]
# **What we verified:** our derivation, the inline formulas and `gb.m_step` reproduce the classic hand-worked M-step, and the log-likelihood rose from $-28.33$ to $-14.41$ in one step.

# %% [markdown]
# ## 7. *(beyond)* The M-step for diagonal, spherical and tied covariances
#
# Chapter 01 introduced three restricted covariance structures.
# Each is a maximisation of the same $Q$ over a smaller set of matrices, and each has a closed form.
# The means are unchanged in all three: equation (m-means) is the best mean for *any* fixed covariance, so in particular for the best restricted one.
# Let $\mathbf{S}_k$ be the scatter matrix (scatter) around the new means, and $\boldsymbol\Sigma^{\text{full}}_k = \mathbf{S}_k / N_k$ the full update (m-cov).
#
# **Diagonal**, $\boldsymbol\Sigma_k = \operatorname{diag}(\sigma_{k1}^2, \dots, \sigma_{kD}^2)$.
# Then $\ln\det\boldsymbol\Sigma_k = \sum_d \ln\sigma_{kd}^2$ and $\operatorname{tr}(\boldsymbol\Sigma_k^{-1}\mathbf{S}_k) = \sum_d S_{k,dd} / \sigma_{kd}^2$, so equation (scatter) splits into $D$ one-dimensional problems, $-\tfrac12 [N_k \ln \sigma_{kd}^2 + S_{k,dd} / \sigma_{kd}^2]$.
# Its derivative with respect to $\sigma_{kd}^2$ is $-\tfrac12 [N_k / \sigma_{kd}^2 - S_{k,dd} / \sigma_{kd}^4]$, zero at
#
# $$ \sigma_{kd}^2 = \frac{S_{k,dd}}{N_k} = \frac{1}{N_k} \sum_{n=1}^N \gamma_{nk} (x_{nd} - \mu_{kd})^2 = \big[\boldsymbol\Sigma^{\text{full}}_k\big]_{dd}. \tag{m-diag} $$
#
# The diagonal M-step keeps the diagonal of the full one and drops the rest.
#
# **Spherical**, $\boldsymbol\Sigma_k = \sigma_k^2 \mathbf{I}$.
# Then $\ln\det\boldsymbol\Sigma_k = D \ln\sigma_k^2$ and $\operatorname{tr}(\boldsymbol\Sigma_k^{-1}\mathbf{S}_k) = \operatorname{tr}(\mathbf{S}_k) / \sigma_k^2$, so $Q = -\tfrac12 [N_k D \ln\sigma_k^2 + \operatorname{tr}(\mathbf{S}_k) / \sigma_k^2] + \dots$, with derivative $-\tfrac12 [N_k D / \sigma_k^2 - \operatorname{tr}(\mathbf{S}_k) / \sigma_k^4]$, zero at
#
# $$ \sigma_k^2 = \frac{\operatorname{tr}(\mathbf{S}_k)}{N_k D} = \frac{1}{N_k D} \sum_{n=1}^N \gamma_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 = \frac1D \operatorname{tr}\boldsymbol\Sigma^{\text{full}}_k. \tag{m-spherical} $$
#
# The average of the $D$ diagonal variances: the mean squared distance to the centre, per coordinate.
#
# **Tied**, $\boldsymbol\Sigma_k = \boldsymbol\Sigma$ for all $k$.
# Now $\boldsymbol\Sigma$ appears in every component's term, and the terms add up: $Q = -\tfrac12 \sum_k [N_k \ln\det\boldsymbol\Sigma + \operatorname{tr}(\boldsymbol\Sigma^{-1}\mathbf{S}_k)] + \dots = -\tfrac12 [N \ln\det\boldsymbol\Sigma + \operatorname{tr}(\boldsymbol\Sigma^{-1} \sum_k \mathbf{S}_k)] + \dots$, using $\sum_k N_k = N$.
# This is equation (scatter) with $N_k$ replaced by $N$ and $\mathbf{S}_k$ by $\sum_k \mathbf{S}_k$, so the derivation of (m-cov) gives
#
# $$ \boldsymbol\Sigma = \frac1N \sum_{k=1}^K \mathbf{S}_k = \sum_{k=1}^K \frac{N_k}{N} \boldsymbol\Sigma^{\text{full}}_k. \tag{m-tied} $$
#
# The shared covariance is the weighted average of the full ones, each weighted by its new $\pi_k$.
# In each case the loss argument (q-cov-loss) carries over within the family (for diag and spherical it applies to each variance separately, for tied with $N$ in place of $N_k$), so each closed form is the family's global maximum.
#
# In NumPy each is one line on top of the full update; then we compare with `gb.m_step(..., covariance_type=...)`.

# %%
full2 = scatter2 / nk2[:, None, None]
variances_diag = np.diagonal(full2, axis1=1, axis2=2)                                     # (m-diag), (K, D)
variances_sph = np.trace(scatter2, axis1=1, axis2=2) / (nk2 * D2)                          # (m-spherical), (K,)
cov_tied = scatter2.sum(axis=0) / N2                                                       # (m-tied), (D, D)
inline = {"diag": np.stack([np.diag(v) for v in variances_diag]),
          "spherical": variances_sph[:, None, None] * np.eye(D2),
          "tied": np.broadcast_to(cov_tied, full2.shape)}
fits_c = {t: gb.m_step(X2, resp2, covariance_type=t) for t in ("full", "diag", "spherical", "tied")}
for t, covs in inline.items():
    assert np.allclose(fits_c[t].covariances, covs, rtol=1e-12, atol=1e-14), t
    assert np.allclose(fits_c[t].means, gmm2_new.means, rtol=0, atol=1e-13), t
    assert np.allclose(fits_c[t].weights, gmm2_new.weights, rtol=0, atol=1e-15), t
print("diag variances:     ", variances_diag.round(4).tolist())
print("spherical variances:", variances_sph.round(4))
print("tied covariance:    ", cov_tied.round(4).tolist())
print("check (m-diag), (m-spherical), (m-tied): gb.m_step with covariance_type='diag', 'spherical', 'tied' equals "
      "the closed forms (rel. error < 1e-12), with the same means and weights as the full M-step")

# %% [markdown]
# **What we verified:** `gb.m_step` implements equations (m-diag), (m-spherical) and (m-tied).
#
# **CHECK (constrained M-steps).** Each family is checked as the full one was, *within the family*: a SymPy derivative for the one-parameter spherical case; the central-difference gradient of `gb.q_function` with respect to the family's free numbers ($K D$ variances for diag, $K$ for spherical, $D(D+1)/2$ entries for tied) must vanish; and 500 random members of the family near the answer (seeded) must never give a higher $Q$.
# Finally, since every spherical matrix is diagonal and every diagonal or tied set is a full set, the maxima must be ordered: $Q_{\text{full}} \ge Q_{\text{diag}} \ge Q_{\text{spherical}}$ and $Q_{\text{full}} \ge Q_{\text{tied}}$.

# %%
sigma2, trace_S = sp.symbols("sigma2 T", positive=True)
q_sph = -(Nk_s * 2 * sp.log(sigma2) + trace_S / sigma2) / 2                  # D = 2: ln det = 2 ln sigma^2
roots_sph = sp.solve(sp.diff(q_sph, sigma2), sigma2)
assert roots_sph == [trace_S / (2 * Nk_s)]
print("spherical, D = 2, SymPy: the only root of dQ/dsigma^2 is", sp.sstr(roots_sph[0]))

families = {   # free numbers -> (K, D, D) covariances, and the free numbers of the M-step's answer
    "diag": (lambda f: np.stack([np.diag(v) for v in f.reshape(-1, D2)]), variances_diag.ravel()),
    "spherical": (lambda f: f[:, None, None] * np.eye(D2), variances_sph),
    "tied": (lambda f: np.broadcast_to(covariances_from_free(f[None])[0], full2.shape), cov_tied[upper]),
}
rng_f = np.random.default_rng(14)
q_family = {"full": q2_best}
for t, (build, free_star) in families.items():
    q_star = q_at(gmm2_new, resp2, X2, covariances=build(free_star))
    q_family[t] = q_star
    grad_f = central_gradient(lambda f: q_at(gmm2_new, resp2, X2, covariances=build(f)), free_star)
    assert np.abs(grad_f).max() < 1e-5, t
    for _ in range(500):
        if t == "tied":
            A = np.eye(D2) + 10 ** rng_f.uniform(-3, 0) * rng_f.normal(size=(D2, D2))
            trial = (A @ cov_tied @ A.T)[upper]
        else:
            trial = free_star * np.exp(10 ** rng_f.uniform(-3, 0) * rng_f.normal(size=free_star.shape))
        assert q_at(gmm2_new, resp2, X2, covariances=build(trial)) <= q_star, t
    print(f"{t:9s}: {free_star.size} free numbers, max |gradient| < 1e-5, "
          f"500 perturbations never raise Q = {q_star:.2f}")
assert q_family["full"] >= q_family["diag"] >= q_family["spherical"] and q_family["full"] >= q_family["tied"]
print(f"full     : Q = {q_family['full']:.2f}")
print("check (constrained M-steps): SymPy finds sigma^2 = tr(S)/(N_k D) as the only spherical stationary point; for "
      "diag, spherical and tied the gradient of gb.q_function within the family vanishes at the closed form and "
      "random members of the family never raise Q; Q_full >= Q_diag >= Q_spherical and Q_full >= Q_tied")

# %% [markdown]
# **What we verified:** each restricted M-step is the maximum of $Q$ within its own family, and the families rank as their nesting demands.

# %% [markdown]
# ## 8. Is this recipe universal?
#
# Look back at what we used.
# Sections 2 and 3 used only that the model has latent variables $\mathbf{Z}$ with a posterior we can compute, and that $\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)$ is simpler than $\ln p(\mathbf{X} \mid \theta)$.
# The Gaussian form entered only at the very end, when we differentiated $\ln \mathcal{N}$ in sections 5 and 6.
# So the recipe is general: for *any* model with latent variables,
#
# $$ \text{E-step: } p(\mathbf{Z} \mid \mathbf{X}, \theta_{\text{old}}); \qquad \text{M-step: } \theta_{\text{new}} = \arg\max_{\theta}\ \mathbb{E}_{\mathbf{Z} \mid \mathbf{X}, \theta_{\text{old}}}\big[\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)\big]. \tag{em-general} $$
#
# and equation (q-bound), proved in chapter 06 for any such model, guarantees that the likelihood never decreases.
# For any mixture, whatever its components, the E-step is Bayes' rule with the component densities, and the weights' part of $Q$ is again $\sum_k N_k \ln\pi_k$, so the Lagrange argument of section 4 gives $\pi_k = N_k / N$ unchanged.
# Only the components' own update changes.
#
# - **Mixture of Poissons** (counts $x_n \in \{0, 1, 2, \dots\}$, rates $\lambda_k$): $\ln p(x \mid \lambda) = x \ln\lambda - \lambda - \ln x!$, so $\partial Q / \partial \lambda_k = \sum_n \gamma_{nk} (x_n / \lambda_k - 1) = 0$ gives $\lambda_k = \sum_n \gamma_{nk} x_n / N_k$, the weighted mean again.
# - **Mixture of Bernoullis** (binary vectors $\mathbf{x}_n \in \{0, 1\}^D$, e.g. black-and-white images, with probabilities $\mu_{kd}$): $\ln p(\mathbf{x} \mid \boldsymbol\mu) = \sum_d [x_d \ln\mu_d + (1 - x_d) \ln(1 - \mu_d)]$, and the same steps give $\mu_{kd} = \sum_n \gamma_{nk} x_{nd} / N_k$.
#
# Beyond mixtures, the same recipe fits hidden Markov models (the Baum–Welch algorithm), factor analysis, and models with missing data.
#
# **CHECK (em-general).** A mixture of two Poissons, with nothing from `gmmbook`: 500 counts from rates $(2, 9)$ and weights $(0.4, 0.6)$; one E-step from a poor guess (rates $(1, 5)$, equal weights) with SciPy's Poisson log-probabilities and a softmax; then SciPy's general optimiser maximises the Poisson $Q$ over the log-rates and the softmax-weights.
# It must find $\pi_k = N_k/N$ and $\lambda_k = \sum_n \gamma_{nk} x_n / N_k$.

# %%
rng_p = np.random.default_rng(15)
rates_true, weights_true = np.array([2.0, 9.0]), np.array([0.4, 0.6])
labels_p = rng_p.choice(2, size=500, p=weights_true)
counts = rng_p.poisson(rates_true[labels_p])
rates_old, weights_old = np.array([1.0, 5.0]), np.array([0.5, 0.5])
log_joint_p = np.log(weights_old) + stats.poisson.logpmf(counts[:, None], rates_old)    # ln pi_k + ln Pois(x_n|lambda_k)
resp_p = special.softmax(log_joint_p, axis=1)                                                 # E-step: Bayes' rule
nk_p = resp_p.sum(axis=0)


def q_poisson(params):
    """Q for the Poisson mixture at log-rates params[:2] and weights softmax(params[2:])."""
    log_w = params[2:] - special.logsumexp(params[2:])
    return np.sum(resp_p * (log_w + stats.poisson.logpmf(counts[:, None], np.exp(params[:2]))))


numeric = minimize(lambda th: -q_poisson(th), x0=np.zeros(4), method="BFGS", options={"gtol": 1e-9})
rates_numeric = np.exp(numeric.x[:2])
weights_numeric = special.softmax(numeric.x[2:])
rates_formula = resp_p.T @ counts / nk_p
print("rates:   optimiser", rates_numeric.round(4), " formula", rates_formula.round(4))
print("weights: optimiser", weights_numeric.round(4), " formula", (nk_p / len(counts)).round(4))
assert np.allclose(rates_numeric, rates_formula, rtol=1e-5)
assert np.allclose(weights_numeric, nk_p / len(counts), atol=1e-6)
print("check (em-general): for a Poisson mixture, a general-purpose optimiser of Q finds pi_k = N_k/N and "
      "lambda_k = sum_n gamma_nk x_n / N_k (rel. error < 1e-5)")

# %% [markdown]
# **What we verified:** the recipe (em-general) and the Lagrange result $\pi_k = N_k/N$ carry over unchanged to a mixture that is not Gaussian; only the component update changed, and it is again a weighted average.

# %% [markdown]
# ## Summary
#
# - Setting $\partial\ell/\partial\boldsymbol\mu_k = 0$ gives $\boldsymbol\mu_k = \sum_n \gamma_{nk}\mathbf{x}_n / \sum_n \gamma_{nk}$, equation (fixed-point), but the $\gamma_{nk}$ depend on $\boldsymbol\mu_k$: a fixed-point equation, not a solution. Gradient methods are possible; EM is the natural alternative.
# - With the labels known, the complete-data log-likelihood, equation (complete), splits into $K$ separate Gaussian fits and a count, equation (complete-split).
# - The $Q$ function, equation (q), is the complete-data log-likelihood averaged over the posterior of the labels: hard $z_{nk}$ become soft $\gamma_{nk}$. A Monte Carlo average over sampled labels confirms it, and $Q + H$ is a lower bound on $\ell$ that touches it at $\theta_{\text{old}}$, equation (q-bound).
# - The M-step maximises $Q$ in closed form:
#   weights $\pi_k = N_k/N$, equation (m-weights), via the Lagrange multiplier $\lambda = -N$, equation (lambda);
#   means $\boldsymbol\mu_k = \sum_n \gamma_{nk}\mathbf{x}_n / N_k$, equation (m-means);
#   covariances $\boldsymbol\Sigma_k = \sum_n \gamma_{nk}(\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top / N_k$, equation (m-cov), with the new means.
#   Each is the global maximum: the shortfall of any other value is a Kullback–Leibler divergence (gibbs), a quadratic form (q-means-loss), or the matrix loss (q-cov-loss).
# - We checked every step with SymPy (the Lagrange system, the derivatives in 1-D and 2-D), with SciPy (SLSQP on the simplex, which also reports $\lambda = -N$; finite-difference gradients), and with thousands of random perturbations.
# - Diagonal, spherical and tied covariances have closed-form M-steps too: the diagonal of the full update, its average, and the $\pi$-weighted average over components, equations (m-diag), (m-spherical), (m-tied).
# - The recipe (em-general), "E-step: posterior of the latent variables; M-step: maximise the expected complete-data log-likelihood", is EM for any latent-variable model; only the last step used the Gaussian form.
#
# Next, chapter 06 puts the E-step and the M-step in a loop, proves that the log-likelihood never decreases, and runs EM on Old Faithful.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/05_em_derivation.ipynb): derive, implement and check the M-step yourself.

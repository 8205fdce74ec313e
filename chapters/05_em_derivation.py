# %% [markdown]
# # Chapter 05: Deriving EM: the Q function and the Lagrange multiplier
#
# Chapter 03 climbed the log-likelihood with `gb.em` as a black box, and chapter 04 computed the responsibilities $r_{nk}$.
# This chapter opens the box.
# Setting the derivative of $\ell$ to zero gives no formula, because the responsibilities depend on the parameters.
# If the labels $\mathbf{Z}$ were known, the fit would split into $K$ Gaussian fits.
# They are not known, so we average over them with the responsibilities: that average is the $Q$ function.
# Maximising it, the M-step, has a closed form, derived parameter by parameter, with a Lagrange multiplier for the weights.
# The algorithm is that of Dempster, Laird & Rubin (1977); the derivation follows Bishop (2006, §9.2–9.4).
#
# ## What you will learn
#
# - Why $\partial\ell/\partial\boldsymbol\mu_k = 0$ is a fixed-point equation and not a solution.
# - The complete-data log-likelihood, equation (complete), and the $Q$ function, equation (q), checked by enumerating every labelling and by Monte Carlo.
# - The weights by a Lagrange multiplier: $\lambda = -N$ and $\pi_k = N_k/N$, equation (m-weights).
# - The means and covariances, equations (m-means) and (m-cov), each the global maximum of $Q$; then diagonal, spherical and tied covariances.
# - Why the recipe is EM for any latent-variable model, equation (em-general).
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), and the fit of one Gaussian, equation (ml-gauss).
# - Chapter 02: the log-joint of a data set, equation (log-joint-data), and its prior part, equation (prior-data).
# - Chapter 03: the log-likelihood $\ell$, equation (loglik).
# - Chapter 04: the responsibilities, equation (resp), their meaning $\mathbb{E}[z_{nk} \mid \mathbf{x}_n] = r_{nk}$, equation (resp-expect), and the factorised posterior, equation (post-factor).
# - Gradients; the trace, the determinant and positive definite matrices.
#
# The symbols are those of chapter 00.
# This chapter's formulas are `gb.m_step` and `gb.q_function`, in `gmmbook/em.py`.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from scipy import special, stats
from scipy.optimize import minimize
from sympy.stats import Normal, density

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
# For one Gaussian, setting the derivative of the log-likelihood to zero gave the answer (chapter 01).
# Try the same for the mean $\boldsymbol\mu_k$ of a mixture, equation (loglik).
# From equation (gauss), $\partial \ln\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma) / \partial\boldsymbol\mu = \boldsymbol\Sigma^{-1}(\mathbf{x} - \boldsymbol\mu)$ (section 5 derives it).
# Only the $k$-th term of the inner sum depends on $\boldsymbol\mu_k$, and $\partial \ln u = \partial u / u$, so
#
# $$ \frac{\partial \ell}{\partial \boldsymbol\mu_k} = \sum_{n=1}^N \underbrace{\frac{\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}{\sum_j \pi_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)}}_{r_{nk}} \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k). \tag{grad-loglik} $$
#
# The fraction is the responsibility $r_{nk}$ of equation (resp).
# Setting equation (grad-loglik) to zero and multiplying by $\boldsymbol\Sigma_k$ gives
#
# $$ \boldsymbol\mu_k = \frac{\sum_{n} r_{nk}(\theta)\, \mathbf{x}_n}{\sum_{n} r_{nk}(\theta)}. \tag{fixed-point} $$
#
# This is not a formula for $\boldsymbol\mu_k$.
# The responsibilities on the right depend on $\theta$, $\boldsymbol\mu_k$ included, through exponentials and a normalising sum.
# Equation (fixed-point) is a condition that $\boldsymbol\mu_k$ must satisfy: a *fixed-point* equation.
# The weights and covariances fare the same: through the $r_{nk}$, the logarithm of a sum in equation (loglik) couples every stationarity condition to every parameter.
#
# We work on the textbook example of chapter 04 (section 1.1), whose mixture is the start $\theta^{\text{old}}$.

# %%
X, gmm_old = gb.datasets.textbook_1d()
N, D = X.shape
K = gmm_old.K
resp_old = gb.responsibilities(X, gmm_old)                      # r_nk under theta_old: the E-step


def with_means(gmm, means):
    """The mixture gmm with its means replaced (weights and covariances unchanged)."""
    return gb.GMM(gmm.weights, np.asarray(means, dtype=float).reshape(gmm.K, -1), gmm.covariances)


def grad_loglik_means(X, gmm):
    """Equation (grad-loglik) for every k: sum_n r_nk Sigma_k^{-1} (x_n - mu_k), shape (K, D)."""
    resp = gb.responsibilities(X, gmm)
    return np.stack([np.linalg.solve(gmm.covariances[k], (resp[:, k, None] * (X - gmm.means[k])).sum(axis=0))
                     for k in range(gmm.K)])


# %% [markdown]
# **CHECK (grad-loglik).** (a) Equation (grad-loglik) must equal central differences of `gb.log_likelihood` at $\theta^{\text{old}}$.
# (b) The right-hand side of equation (fixed-point), with the responsibilities of $\theta^{\text{old}}$, must not solve it: at the new means the gradient is not zero, and the right-hand side moves again.
# (c) Plugging in again and again, with $\boldsymbol\pi$ and $\boldsymbol\Sigma$ held at $\theta^{\text{old}}$, must reach a zero of the gradient, with $\ell$ rising at every round.

# %%
grad_numeric = central_gradient(lambda m: gb.log_likelihood(X, with_means(gmm_old, m)), gmm_old.means)
assert np.allclose(grad_loglik_means(X, gmm_old), grad_numeric, rtol=1e-6, atol=1e-8)  # fails without r_nk or Sigma^-1

means_t, loglik_t = gmm_old.means, [gb.log_likelihood(X, gmm_old)]
print("round    mu_1     mu_2     mu_3   max|grad|         l")
for t in range(1, 13):
    resp_t = gb.responsibilities(X, with_means(gmm_old, means_t))
    means_t = (resp_t.T @ X) / resp_t.sum(axis=0)[:, None]           # right-hand side of (fixed-point)
    loglik_t.append(gb.log_likelihood(X, with_means(gmm_old, means_t)))
    grad_t = grad_loglik_means(X, with_means(gmm_old, means_t))
    if t == 1:
        means_1, grad_1 = means_t, grad_t
    if t == 2:
        means_2 = means_t
    if t in (1, 2, 3, 5, 8, 12):
        print(f"{t:5d} {means_t[0, 0]:8.4f} {means_t[1, 0]:8.4f} {means_t[2, 0]:8.4f} "
              f"{np.abs(grad_t).max():11.2e} {loglik_t[-1]:9.4f}")
assert np.abs(grad_1).max() > 0.1             # fails if the gradient reused the old r_nk (then it vanishes by design)
assert np.abs(means_2 - means_1).max() > 0.1  # fails if the r_nk were not recomputed at the new means
assert np.abs(grad_t).max() < 1e-5            # fails if the update divided by N instead of N_k (another fixed point)
assert np.all(np.diff(loglik_t) > 0)          # fails if a round moved the means the wrong way
print("check (grad-loglik): the gradient formula equals central differences; one pass of (fixed-point) leaves "
      "a gradient > 0.1; repeating it reaches |grad| < 1e-5 with l rising at every round")

# %% [markdown]
# **What we verified:** the gradient is responsibility-weighted; equation (fixed-point) is a condition, not a solution; repeating it converges.
#
# Repeating raised $\ell$ from $-28.33$ to $-15.96$.
# It is EM for the means alone, and the rest of the chapter explains why it works.
# One could instead climb $\ell$ by gradient ascent with equation (grad-loglik) (chapter 06 compares the two).
# That needs a step size, and reparametrisations that keep $\boldsymbol\pi$ on the simplex and every $\boldsymbol\Sigma_k$ positive definite.
# EM uses the hidden labels to get closed-form steps that respect every constraint.
#
# ## 2. If we knew the labels: the complete-data log-likelihood
#
# The sum inside the logarithm is there because we do not know which component produced each point.
# Suppose we observed the labels $\mathbf{Z}$ too.
# The pair $(\mathbf{X}, \mathbf{Z})$ is the *complete data*, and its log-likelihood is the logarithm of equation (joint-data) of chapter 02, equation (log-joint-data) there, read as a function of $\theta$:
#
# $$ \ln p(\mathbf{X}, \mathbf{Z} \mid \theta) = \sum_{n=1}^N \sum_{k=1}^K z_{nk} \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]. \tag{complete} $$
#
# The logarithm acts on a single Gaussian: no sum inside.
# Collect the terms by component, with the counts $N_k = \sum_n z_{nk}$ of equation (prior-data), chapter 04's soft counts with each $r_{nk}$ replaced by $z_{nk}$:
#
# $$ \ln p(\mathbf{X}, \mathbf{Z} \mid \theta) = \underbrace{\sum_{k=1}^K N_k \ln \pi_k}_{\text{only } \boldsymbol\pi} + \sum_{k=1}^K \underbrace{\sum_{n:\, z_{nk} = 1} \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}_{\text{only } \boldsymbol\mu_k, \boldsymbol\Sigma_k}. \tag{complete-split} $$
#
# Each parameter sits in one group, so each group is maximised on its own.
# Group $k$ is the log-likelihood of one Gaussian fitted to the points labelled $k$, maximised by equation (ml-gauss).
# The first group gives $\pi_k = N_k/N$ (section 4).
# **With the labels known, fitting a mixture is $K$ separate Gaussian fits and a count.**
#
# **CHECK (complete-split).** On 300 points of `three_component_2d` with their true labels, `gb.m_step` with the one-hot $\mathbf{Z}$ as `resp` must return each cluster's fraction, mean and `np.cov(bias=True)`.
# At that fit, equation (complete) from `gb.log_joint` must equal the sum of $K$ separate SciPy log-likelihoods plus $\sum_k N_k \ln\pi_k$, equation (complete-split).

# %%
gmm2_true = gb.datasets.three_component_2d()
X2, labels2 = gb.sample(gmm2_true, 300, np.random.default_rng(5))
N2, D2 = X2.shape
Z2 = np.eye(gmm2_true.K)[labels2]                    # one-hot, (N, K)
fit_known = gb.m_step(X2, Z2)

print(" k  N_k   weight   mean              covariance (bias=True)")
for k in range(gmm2_true.K):
    Xk = X2[labels2 == k]
    cov_k = np.cov(Xk, rowvar=False, bias=True)       # divisor N_k: equation (ml-gauss)
    print(f"{k + 1:2d} {len(Xk):4d} {len(Xk) / N2:8.4f}  {Xk.mean(axis=0).round(4)}  {cov_k.round(4).tolist()}")
    assert abs(fit_known.weights[k] - len(Xk) / N2) < 1e-14                          # fails if pi_k = N_k / K
    assert np.allclose(fit_known.means[k], Xk.mean(axis=0), rtol=0, atol=1e-12)     # fails if divided by N
    assert np.allclose(fit_known.covariances[k], cov_k, rtol=0, atol=1e-12)    # fails if / (N_k - 1), / N, unweighted

by_groups = sum(np.sum(labels2 == k) * np.log(fit_known.weights[k])
                + stats.multivariate_normal(fit_known.means[k], fit_known.covariances[k]).logpdf(X2[labels2 == k]).sum()
                for k in range(gmm2_true.K))                                   # (complete-split), with SciPy
complete_lib = np.sum(Z2 * gb.log_joint(X2, fit_known))                         # (complete), with gmmbook
assert abs(by_groups - complete_lib) < 1e-12 * abs(complete_lib)   # fails if log_joint drops ln pi_k or ln det
print("check (complete-split): with one-hot responsibilities gb.m_step returns each cluster's fraction, mean and "
      "np.cov(bias=True) (within 1e-12); (complete) equals K separate SciPy fits, (complete-split), rel. 1e-12")

# %% [markdown]
# **What we verified:** with known labels, the M-step is $K$ separate maximum-likelihood fits plus the label frequencies.
#
# ## 3. We do not know the labels: the $Q$ function
#
# We do not observe $\mathbf{Z}$.
# But chapter 04 gave its posterior under a current guess $\theta^{\text{old}}$: $p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}}) = \prod_n \prod_k r_{nk}^{z_{nk}}$, equation (post-factor), with the $r_{nk}$ computed from $\theta^{\text{old}}$.
# We cannot maximise equation (complete) for the unknown $\mathbf{Z}$, so we maximise its expectation under this posterior.
# Equation (complete) is linear in the $z_{nk}$, and $\mathbb{E}[z_{nk}] = r_{nk}$ by equation (resp-expect), so
#
# $$ Q(\theta, \theta^{\text{old}}) = \mathbb{E}_{\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}}}\big[\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)\big] = \sum_{n=1}^N \sum_{k=1}^K r_{nk} \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]. \tag{q} $$
#
# $Q$ sees $\theta^{\text{old}}$ only through the $r_{nk}$.
# The hard $z_{nk}$ of equation (complete) became soft $r_{nk}$, and the logarithm still acts on one Gaussian.
# So $Q$ splits as equation (complete-split) did, with the soft counts $N_k = \sum_n r_{nk}$:
#
# $$ Q(\theta, \theta^{\text{old}}) = \sum_{k=1}^K N_k \ln \pi_k + \sum_{k=1}^K \sum_{n=1}^N r_{nk} \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k). \tag{q-split} $$
#
# These are the two steps of EM.
# **E-step:** compute the $r_{nk}$ from $\theta^{\text{old}}$.
# **M-step:** maximise $Q(\theta, \theta^{\text{old}})$ over $\theta$ with the $r_{nk}$ fixed; sections 4 to 7 do it in closed form.
# `gb.q_function(X, gmm, resp)` evaluates equation (q) at $\theta$ = `gmm`, with `resp` from $\theta^{\text{old}}$.
#
# **CHECK (q).** Two routes that do not use the linearity argument.
# (a) *Enumeration.* On the textbook example, at a $\theta$ other than $\theta^{\text{old}}$, take all $3^7 = 2187$ labellings $\mathbf{Z}$.
# For each, compute $\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)$ from equation (complete) with SciPy's densities, and $p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}})$ by normalising $p(\mathbf{X}, \mathbf{Z} \mid \theta^{\text{old}})$ over the 2187.
# The posterior-weighted sum must equal `gb.q_function` within $10^{-12}$.
# (b) *Monte Carlo*, where enumeration is hopeless ($3^{300}$ labellings): the 300 points of section 2 without their labels, and a poor guess $\theta^{\text{old}}$.
# Draw 2000 label matrices from equation (post-factor), evaluate equation (complete) at the true $\theta$ with SciPy, and average.
# The average must match $Q$ within 4 standard errors (sample standard deviation over $\sqrt{2000}$).
# Labels drawn from the prior $\boldsymbol\pi^{\text{old}}$ must miss by more than 100 (the test's power).

# %%
theta_q = gb.GMM(np.array([0.2, 0.3, 0.5]), np.array([[-3.0], [0.5], [4.0]]), np.array([[[1.5]], [[0.5]], [[2.0]]]))


def log_terms_1d(X, gmm):
    """ln pi_k + ln N(x_n | mu_k, sigma_k^2) for 1-D data, from SciPy, shape (N, K)."""
    return np.log(gmm.weights) + stats.norm.logpdf(X, gmm.means[:, 0], np.sqrt(gmm.covariances[:, 0, 0]))


labellings = np.array(list(itertools.product(range(K), repeat=N)))      # (3^7, 7): z_n for each n
rows = np.arange(N)
log_joint_old = log_terms_1d(X, gmm_old)[rows, labellings].sum(axis=1)  # ln p(X, Z | theta_old), (complete)
log_joint_theta = log_terms_1d(X, theta_q)[rows, labellings].sum(axis=1)  # ln p(X, Z | theta)
posterior_Z = np.exp(log_joint_old - special.logsumexp(log_joint_old))  # p(Z | X, theta_old): Bayes over all Z
q_enumerated = np.sum(posterior_Z * log_joint_theta)
q_lib = gb.q_function(X, theta_q, resp_old)
print(f"Q by enumeration of {len(labellings)} labellings: {q_enumerated:.6f}; gb.q_function: {q_lib:.6f}")
assert abs(q_enumerated - q_lib) < 1e-12 * abs(q_lib)   # fails if Q drops ln pi_k, or uses r_nk of theta

gmm2_old = gb.GMM(np.array([0.4, 0.3, 0.3]), np.array([[1.0, -1.0], [2.0, 4.0], [-2.0, 1.5]]),
                  np.array([1.5 * np.eye(2)] * 3))
resp2 = gb.responsibilities(X2, gmm2_old)                            # E-step on the 2-D data
log_terms2 = np.column_stack([np.log(w) + stats.multivariate_normal(m, c).logpdf(X2)
                              for w, m, c in zip(gmm2_true.weights, gmm2_true.means, gmm2_true.covariances)])
rng_mc = np.random.default_rng(2024)
n_draws = 2000
Z_post = rng_mc.multinomial(1, resp2, size=(n_draws, N2))            # (draws, N, K): row n one-hot ~ Cat(r_n)
complete_post = np.einsum("mnk,nk->m", Z_post, log_terms2)           # (complete) at the true theta, per draw
mc_mean, mc_se = complete_post.mean(), complete_post.std(ddof=1) / np.sqrt(n_draws)
Z_prior = rng_mc.multinomial(1, gmm2_old.weights, size=(n_draws, N2))  # the wrong distribution
prior_mean = np.einsum("mnk,nk->m", Z_prior, log_terms2).mean()
q2 = gb.q_function(X2, gmm2_true, resp2)
print(f"Q = {q2:.2f}; Monte Carlo over posterior labels {mc_mean:.2f} +- {mc_se:.2f};"
      f" over prior labels {prior_mean:.2f}")
assert abs(mc_mean - q2) < 4 * mc_se            # fails if Q weights by pi_k instead of r_nk, or drops a term
assert abs(prior_mean - q2) > 100 * mc_se       # fails if the test could not tell posterior from prior labels
print("check (q): gb.q_function equals the posterior average of (complete) over all 2187 labellings (rel. 1e-12) "
      "and over 2000 sampled label matrices (within 4 standard errors); prior labels miss by > 100")

# %% [markdown]
# **What we verified:** $Q$ is the posterior average of the complete-data log-likelihood: exactly over 2187 labellings, and statistically over $3^{300}$.
#
# ### Why maximise $Q$?
#
# Let $H = -\sum_n \sum_k r_{nk} \ln r_{nk} \ge 0$ be the entropy of the responsibilities.
# For every $\theta$ (Neal & Hinton 1998),
#
# $$ \ell(\theta) \;\ge\; Q(\theta, \theta^{\text{old}}) + H, \qquad \text{with equality at } \theta = \theta^{\text{old}}. \tag{q-bound} $$
#
# Chapter 06 proves it (the gap is a Kullback–Leibler divergence) and checks the gap over every labelling.
# So a $\theta$ that raises $Q$ above $Q(\theta^{\text{old}}, \theta^{\text{old}})$ raises $\ell$.
# The figure shows both sides on the textbook example, as functions of $\mu_1$: the bound touches $\ell$ at $\mu_1 = -4$ and peaks at the M-step mean $-2.70$ (section 5), short of $\ell$'s maximum on this line ($\mu_1 = -1.30$).

# %%
fig = plotting.fig_q_lower_bound(X=X, gmm_old=gmm_old, resp=resp_old)
plt.show()

# %% [markdown]
# From here on we maximise $Q$.
#
# ## 4. The M-step for the weights: a Lagrange multiplier
#
# By equation (q-split), $Q$ depends on the weights only through
#
# $$ f(\boldsymbol\pi) = \sum_{k=1}^K N_k \ln \pi_k , \tag{q-weights} $$
#
# to be maximised over the simplex: $\pi_k \ge 0$ and $\sum_k \pi_k = 1$.
# Without the constraint $f$ has no maximum, since each term grows with $\pi_k$.
# The method of Lagrange adds the constraint with an unknown multiplier $\lambda$:
#
# $$ L(\boldsymbol\pi, \lambda) = f(\boldsymbol\pi) + \lambda \Big( \sum_{k=1}^K \pi_k - 1 \Big). \tag{lagrangian} $$
#
# At a constrained maximum, moving along the constraint surface cannot raise $f$.
# So $\nabla f$ is perpendicular to the surface, that is parallel to the gradient $(1, \dots, 1)$ of $\sum_k \pi_k$: $\nabla f = -\lambda (1, \dots, 1)$.
# This condition and the constraint are $\partial L / \partial \pi_k = 0$ and $\partial L / \partial \lambda = 0$.
# The bounds $\pi_k \ge 0$ stay inactive when every $N_k > 0$, since $N_k \ln \pi_k \to -\infty$ as $\pi_k \to 0$.
# Only $N_k \ln \pi_k$ and $\lambda \pi_k$ contain $\pi_k$, so
#
# $$ \frac{\partial L}{\partial \pi_k} = \frac{N_k}{\pi_k} + \lambda = 0 \quad\Longrightarrow\quad \pi_k = -\frac{N_k}{\lambda} \qquad (k = 1, \dots, K). \tag{stationary-pi} $$
#
# Sum over $k$ and use the constraint.
# Every row of responsibilities sums to 1, so $\sum_k N_k = \sum_n \sum_k r_{nk} = N$, and
#
# $$ 1 = \sum_{k=1}^K \pi_k = -\frac{1}{\lambda} \sum_{k=1}^K N_k = -\frac{N}{\lambda} \quad\Longrightarrow\quad \lambda = -N. \tag{lambda} $$
#
# Back in equation (stationary-pi):
#
# $$ \pi_k = \frac{N_k}{N} = \frac{1}{N} \sum_{n=1}^N r_{nk}. \tag{m-weights} $$
#
# The new weight is the component's share of the responsibility, the soft version of section 2's label fraction.
# It is the global maximum: for any $\boldsymbol\pi$ on the simplex, with $\boldsymbol\pi^* = (N_k/N)_k$, so that $N_k = N \pi^*_k$,
#
# $$ \begin{aligned} f(\boldsymbol\pi) - f(\boldsymbol\pi^*) &= \sum_{k=1}^K N_k \ln \frac{\pi_k}{\pi_k^*} = N \sum_{k=1}^K \pi^*_k \ln \frac{\pi_k}{\pi^*_k} \\ &= -N\, \mathrm{KL}(\boldsymbol\pi^* \,\Vert\, \boldsymbol\pi) \;\le\; 0, \end{aligned} \tag{gibbs} $$
#
# because a Kullback–Leibler divergence is never negative, and zero only when the two distributions are equal (Gibbs' inequality).
#
# **CHECK (lambda).** (a) *SymPy, from the definitions:* three points with symbolic responsibilities $r_{n1}, r_{n2}$ and $r_{n3} = 1 - r_{n1} - r_{n2}$.
# SymPy differentiates equation (lagrangian), with $f = \sum_n \sum_k r_{nk} \ln \pi_k$, and solves the four equations.
# The only solution must be $\lambda = -3$ and $\pi_k = \sum_n r_{nk} / 3$.
# (b) *A constrained optimiser:* SciPy's SLSQP maximises $Q$ over the weights of the textbook example on the simplex (equality constraint, bounds $[0, 1]$, start $(\tfrac13, \tfrac13, \tfrac13)$), with the means and variances of $\theta^{\text{old}}$.
# $Q$ is written with SciPy's densities, and must agree with `gb.q_function`.
# It must find `gb.m_step`'s weights, which must be $N_k/N$.
# (c) *The multiplier from the gradient:* at SLSQP's optimum, equation (stationary-pi) says $\partial Q / \partial \pi_k = -\lambda$ for every $k$.
# Central differences must give $N = 7$ in all three coordinates, and SLSQP's own multiplier must be $-7$.

# %%
r_sym = sp.Matrix(3, 2, lambda n, k: sp.Symbol(f"r{n + 1}{k + 1}", positive=True))
R_sym = r_sym.row_join(sp.ones(3, 1) - r_sym * sp.ones(2, 1))                   # each row sums to 1
pi_s, lam = sp.symbols("pi1:4", positive=True), sp.Symbol("lambda")
lagrangian = (sum(R_sym[n, k] * sp.log(pi_s[k]) for n in range(3) for k in range(3))
              + lam * (sum(pi_s) - 1))                                          # equation (lagrangian)
solutions = sp.solve([sp.diff(lagrangian, v) for v in (*pi_s, lam)], [*pi_s, lam], dict=True,
                      simplify=False, check=False)
r_3 = sp.symbols("r13 r23 r33", positive=True)
pi3_in_r3 = sp.simplify(solutions[0][pi_s[2]].subs({r_sym[n, 0]: 1 - r_sym[n, 1] - r_3[n] for n in range(3)}))
print("SymPy:", sp.sstr(solutions), "; with r_n3 put back, pi3 =", sp.sstr(pi3_in_r3))
assert len(solutions) == 1                                 # fails if the stationarity system were mis-specified
assert solutions[0][lam] == -3       # fails if the rows of resp need not sum to 1 (a free r_n3: lambda = -sum r_nk)
assert all(sp.simplify(solutions[0][pi_s[k]] - sum(R_sym[:, k]) / 3) == 0 for k in range(3))  # fails unless N_k/N

nk = resp_old.sum(axis=0)                                  # N_k = sum_n r_nk
weights_new = nk / N                                       # equation (m-weights)
gmm_new = gb.m_step(X, resp_old)
assert np.allclose(gmm_new.weights, weights_new, rtol=0, atol=1e-15)                  # fails if divided by K

log_dens_old = stats.norm.logpdf(X, gmm_old.means[:, 0], np.sqrt(gmm_old.covariances[:, 0, 0]))  # (N, K)


def q_of_weights(weights):
    """Q at theta_old's means and variances with any positive weights, equation (q); 0 ln 0 = 0."""
    with np.errstate(divide="ignore"):
        return float(np.sum(special.xlogy(resp_old, weights) + resp_old * log_dens_old))


theta_w = gb.GMM(weights_new, gmm_old.means, gmm_old.covariances)
q_w = q_of_weights(weights_new)
assert abs(q_w - gb.q_function(X, theta_w, resp_old)) < 1e-12 * abs(q_w)   # fails if gb.q_function drops ln pi_k
result = minimize(lambda w: -q_of_weights(w), x0=np.full(K, 1 / K), method="SLSQP",
                  bounds=[(0.0, 1.0)] * K, constraints=[{"type": "eq", "fun": lambda w: np.sum(w) - 1}],
                  options={"ftol": 1e-14, "maxiter": 200})
minus_lambda = central_gradient(q_of_weights, result.x, h=1e-7)                # dQ/dpi_k = -lambda
print(f"SLSQP weights {result.x.round(4)}; gb.m_step {gmm_new.weights.round(4)}; dQ/dpi_k at the optimum "
      f"{minus_lambda.round(4)}; SLSQP's multiplier {result.multipliers[0]:.4f}")
assert result.success                                              # fails if SLSQP stopped short
assert np.allclose(result.x, gmm_new.weights, rtol=0, atol=1e-6)   # fails if the M-step weights were not the maximum
assert np.allclose(minus_lambda, N, rtol=0, atol=1e-4)             # fails unless dQ/dpi_k is the same N for every k
assert abs(result.multipliers[0] + N) < 1e-4                       # SciPy's lambda for -Q: fails unless lambda = -N
print("check (lambda): SymPy's only solution is lambda = -3, pi_k = N_k/3; SLSQP finds gb.m_step's weights N_k/N "
      "(within 1e-6), where dQ/dpi_k = N = 7 for every k and SLSQP's multiplier is -7 (within 1e-4)")

# %% [markdown]
# **What we verified:** the Lagrange conditions have one solution, with $\lambda = -N$ because the rows of responsibilities sum to 1; an optimiser that knows nothing of it lands on $N_k/N$, where the gradient is $N$ in every coordinate.
#
# **CHECK (gibbs).** For 600 random weight vectors (Dirichlet, seeded, some close to $\boldsymbol\pi^*$), the loss of `gb.q_function` must equal $N\,\mathrm{KL}(\boldsymbol\pi^* \Vert \boldsymbol\pi)$ from `scipy.special.rel_entr`, which is positive.

# %%
rng_w = np.random.default_rng(11)
q_best = gb.q_function(X, gmm_new, resp_old)
losses, kls = [], []
for concentration in (1.0, 10.0, 1000.0):
    for w in rng_w.dirichlet(concentration * weights_new, size=200):
        w = w / w.sum()
        losses.append(q_best - gb.q_function(X, gb.GMM(w, gmm_new.means, gmm_new.covariances), resp_old))
        kls.append(np.sum(special.rel_entr(weights_new, w)))
assert np.max(np.abs(np.array(losses) - N * np.array(kls))) < 1e-10  # fails if the loss were not N KL(pi* || pi)
print("check (gibbs): 600 random weight vectors all give a lower Q, by N KL(pi* || pi) within 1e-10")

# %% [markdown]
# **What we verified:** any other weights fall short of $N_k/N$ by exactly $N$ times a KL divergence.
#
# The figure shows $f$ on the simplex (left; corner $k$ has $\pi_k = 1$).
# Its arrows point uphill *within* the simplex: the gradient $(N_k/\pi_k)_k$ minus its mean over $k$.
# They meet at $\pi_k = N_k/N$, where all $N_k/\pi_k$ are equal.
# On the right, a slice at $\pi_3 = \pi_3^*$: the level set through the optimum is tangent to the constraint line, and the gradient there, $(N, N)$, is perpendicular to it.

# %%
fig = plotting.fig_lagrange_simplex(X=X, gmm_old=gmm_old, resp=resp_old)
plt.show()

# %% [markdown]
# ## 5. The M-step for the means
#
# By equations (q-split) and (gauss), $\boldsymbol\mu_k$ enters $Q$ only through a quadratic form:
#
# $$ Q(\theta, \theta^{\text{old}}) = -\frac12 \sum_{n=1}^N r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)^\top \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k) + \text{terms without } \boldsymbol\mu_k. \tag{q-means} $$
#
# Since $\boldsymbol\Sigma_k^{-1}$ is symmetric, the chain rule gives $\partial[(\mathbf{x} - \boldsymbol\mu)^\top \boldsymbol\Sigma_k^{-1} (\mathbf{x} - \boldsymbol\mu)] / \partial\boldsymbol\mu = -2\boldsymbol\Sigma_k^{-1}(\mathbf{x} - \boldsymbol\mu)$, so
#
# $$ \frac{\partial Q}{\partial \boldsymbol\mu_k} = \sum_{n=1}^N r_{nk} \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k) = \boldsymbol\Sigma_k^{-1} \Big( \sum_{n=1}^N r_{nk} \mathbf{x}_n - N_k \boldsymbol\mu_k \Big). \tag{grad-q-means} $$
#
# This is equation (grad-loglik) with one difference: the $r_{nk}$ are now fixed numbers from $\theta^{\text{old}}$.
# Setting it to zero really solves for $\boldsymbol\mu_k$:
#
# $$ \boldsymbol\mu_k = \frac{1}{N_k} \sum_{n=1}^N r_{nk} \mathbf{x}_n. \tag{m-means} $$
#
# The new mean is the responsibility-weighted average of the data.
# It does not depend on $\boldsymbol\Sigma_k$, so it is the best mean whatever the covariance, and section 6 can maximise over the covariances afterwards.
# It is the global maximum: expanding equation (q-means) around $\boldsymbol\mu_k^*$, the cross term vanishes because $\sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k^*) = \mathbf{0}$, so for any shift $\boldsymbol\delta$
#
# $$ Q(\boldsymbol\mu_k^* + \boldsymbol\delta) - Q(\boldsymbol\mu_k^*) = -\frac{N_k}{2}\, \boldsymbol\delta^\top \boldsymbol\Sigma_k^{-1} \boldsymbol\delta \;\le\; 0. \tag{q-means-loss} $$
#
# **CHECK (m-means).** (a) `gb.m_step`'s means must equal equation (m-means) in NumPy, on the textbook example and on the 2-D data with the responsibilities of section 3.
# (b) *SymPy:* in 1-D, with three symbolic points, responsibilities and a variance $\sigma^2$, and $\ln \mathcal{N}$ from `sympy.stats.Normal`, $\partial Q / \partial \mu$ must have the single root, equation (m-means), where the second derivative is $-N_k/\sigma^2$.
# In 2-D, with a symbolic precision matrix $\boldsymbol\Lambda$ (entries $\Lambda_{11}, \Lambda_{12}, \Lambda_{22}$), the gradient of equation (q-means) must vanish at equation (m-means).
# (c) *Numerically*, on the 2-D data: the central-difference gradient of `gb.q_function` over the six mean coordinates must vanish at the M-step (against more than 10 at the old means).
# 300 random shifts (sizes $10^{-3}$ to 1) must each lower $Q$ by exactly equation (q-means-loss).

# %%
means_new = (resp_old.T @ X) / nk[:, None]                   # equation (m-means)
nk2 = resp2.sum(axis=0)
gmm2_new = gb.m_step(X2, resp2)
print("mu_k = sum_n r_nk x_n / N_k on the textbook example:", means_new.ravel().round(4))
assert np.allclose(gmm_new.means, means_new, rtol=0, atol=1e-14)                    # fails if divided by N
assert np.allclose(gmm2_new.means, (resp2.T @ X2) / nk2[:, None], rtol=0, atol=1e-13)  # fails if r_nk is transposed

x_s, r_s = sp.symbols("x1:4", real=True), sp.symbols("r1:4", positive=True)
mu, sigma2 = sp.Symbol("mu", real=True), sp.Symbol("sigma2", positive=True)
Y = Normal("Y", mu, sp.sqrt(sigma2))
q_1d = sp.expand_log(sum(r * sp.log(density(Y)(x)) for r, x in zip(r_s, x_s)), force=True)  # (q), one component
roots_mu = sp.solve(sp.diff(q_1d, mu), mu)
mu_star = sum(r * x for r, x in zip(r_s, x_s)) / sum(r_s)                                   # (m-means)
assert len(roots_mu) == 1 and sp.simplify(roots_mu[0] - mu_star) == 0     # fails unless the r-weighted mean
assert sp.simplify(sp.diff(q_1d, mu, 2) + sum(r_s) / sigma2) == 0         # fails unless concave, -N_k / sigma^2
print("SymPy, 1-D: the only root of dQ/dmu is", sp.sstr(roots_mu[0]))

a_s, b_s = sp.symbols("a1:4", real=True), sp.symbols("b1:4", real=True)
l11, l12, l22, m1, m2 = sp.symbols("Lambda11 Lambda12 Lambda22 m1 m2", real=True)
precision = sp.Matrix([[l11, l12], [l12, l22]])
m_vec = sp.Matrix([m1, m2])
q_2d = sum(-r * ((sp.Matrix([a, b]) - m_vec).T * precision * (sp.Matrix([a, b]) - m_vec))[0, 0] / 2
           for r, a, b in zip(r_s, a_s, b_s))                                                  # (q-means)
star_2d = {m1: sum(r * a for r, a in zip(r_s, a_s)) / sum(r_s), m2: sum(r * b for r, b in zip(r_s, b_s)) / sum(r_s)}
assert [sp.cancel(sp.diff(q_2d, m).subs(star_2d)) for m in (m1, m2)] == [0, 0]   # fails unless (m-means) in 2-D


def q_at(gmm, resp, X, weights=None, means=None, covariances=None):
    """Q(theta, theta_old) at gmm with some of its parameters replaced."""
    theta = gb.GMM(gmm.weights if weights is None else weights,
                   gmm.means if means is None else means,
                   gmm.covariances if covariances is None else covariances)
    return gb.q_function(X, theta, resp)


grad_at_new = central_gradient(lambda m: q_at(gmm2_new, resp2, X2, means=m), gmm2_new.means)
grad_at_old = central_gradient(lambda m: q_at(gmm2_new, resp2, X2, means=m), gmm2_old.means)
assert np.abs(grad_at_new).max() < 1e-5 and np.abs(grad_at_old).max() > 10   # fails if the M-step mean were off

rng_m = np.random.default_rng(12)
q2_best = gb.q_function(X2, gmm2_new, resp2)
precisions2 = np.linalg.inv(gmm2_new.covariances)
rel_errors = []
for _ in range(300):
    delta = 10 ** rng_m.uniform(-3, 0) * rng_m.normal(size=gmm2_new.means.shape)
    loss = q2_best - q_at(gmm2_new, resp2, X2, means=gmm2_new.means + delta)
    predicted = 0.5 * np.sum(nk2 * np.einsum("kd,kde,ke->k", delta, precisions2, delta))     # (q-means-loss)
    rel_errors.append(abs(loss - predicted) / predicted)
assert max(rel_errors) < 1e-6            # fails if a shift could raise Q, or the loss were not N_k/2 d^T Lambda d
print("check (m-means): gb.m_step's means are (m-means); SymPy: the only stationary point in 1-D and a zero of "
      "the gradient in 2-D; gb.q_function is flat there (< 1e-5) and 300 shifts lower it by (q-means-loss), rel. 1e-6")

# %% [markdown]
# **What we verified:** equation (m-means) is the only stationary point in SymPy and the maximum of `gb.q_function` in every direction tried, by exactly equation (q-means-loss).
#
# ## 6. The M-step for the covariances
#
# From equation (gauss), $\ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma) = -\tfrac{D}{2} \ln 2\pi - \tfrac12 \ln\det\boldsymbol\Sigma - \tfrac12 \Delta^2$, so the terms of equation (q-split) with $\boldsymbol\Sigma_k$ are
#
# $$ Q(\theta, \theta^{\text{old}}) = -\frac12 \sum_{n=1}^N r_{nk} \Big[ \ln\det\boldsymbol\Sigma_k + (\mathbf{x}_n - \boldsymbol\mu_k)^\top \boldsymbol\Sigma_k^{-1} (\mathbf{x}_n - \boldsymbol\mu_k) \Big] + \dots \tag{q-cov} $$
#
# A number is its own trace, and the trace is invariant under cyclic permutations, so $\mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a} = \operatorname{tr}(\boldsymbol\Sigma^{-1} \mathbf{a}\mathbf{a}^\top)$.
# The sum over $n$ collects the outer products into the weighted *scatter matrix*:
#
# $$ \begin{aligned} \mathbf{S}_k &= \sum_{n=1}^N r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top, \\ Q &= -\frac12 \Big[ N_k \ln\det\boldsymbol\Sigma_k + \operatorname{tr}\big(\boldsymbol\Sigma_k^{-1} \mathbf{S}_k\big) \Big] + \dots \end{aligned} \tag{scatter} $$
#
# We need two identities, for a symmetric positive definite $\boldsymbol\Sigma$ with its $D^2$ entries as free variables:
#
# $$ \frac{\partial \ln\det\boldsymbol\Sigma}{\partial \boldsymbol\Sigma} = \boldsymbol\Sigma^{-1}, \qquad \frac{\partial\, \mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a}}{\partial \boldsymbol\Sigma} = -\boldsymbol\Sigma^{-1} \mathbf{a}\mathbf{a}^\top \boldsymbol\Sigma^{-1}. \tag{matrix-identities} $$
#
# For a small change $d\boldsymbol\Sigma$, $\ln\det(\boldsymbol\Sigma + d\boldsymbol\Sigma) = \ln\det\boldsymbol\Sigma + \ln\det(\mathbf{I} + \boldsymbol\Sigma^{-1} d\boldsymbol\Sigma) \approx \ln\det\boldsymbol\Sigma + \operatorname{tr}(\boldsymbol\Sigma^{-1} d\boldsymbol\Sigma)$, since $\det(\mathbf{I} + \mathbf{E}) \approx 1 + \operatorname{tr}\mathbf{E}$ to first order.
# Differentiating $\boldsymbol\Sigma\boldsymbol\Sigma^{-1} = \mathbf{I}$ gives $d(\boldsymbol\Sigma^{-1}) = -\boldsymbol\Sigma^{-1} d\boldsymbol\Sigma\, \boldsymbol\Sigma^{-1}$, so $d(\mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a}) = -\operatorname{tr}(\boldsymbol\Sigma^{-1}\mathbf{a}\mathbf{a}^\top\boldsymbol\Sigma^{-1}\, d\boldsymbol\Sigma)$.
# A change $\operatorname{tr}(\mathbf{G}^\top d\boldsymbol\Sigma) = \sum_{i,j} G_{ij}\, d\Sigma_{ij}$ means that the derivative is $\mathbf{G}$; both $\mathbf{G}$ here are symmetric.
# (With respect to the $D(D+1)/2$ free entries of a symmetric matrix the derivative is $2\mathbf{G} - \operatorname{diag}(\mathbf{G})$, which vanishes exactly where $\mathbf{G}$ does.)
#
# **CHECK (matrix-identities).** For a random $3 \times 3$ positive definite $\boldsymbol\Sigma$ and a random $\mathbf{a}$ (seeded), central differences of `np.linalg.slogdet` and of $\mathbf{a}^\top \boldsymbol\Sigma^{-1} \mathbf{a}$ over the nine entries, moved one at a time, must equal the two right-hand sides.

# %%
rng_id = np.random.default_rng(16)
B_id = rng_id.normal(size=(3, 3))
Sigma_id, a_id = B_id @ B_id.T + np.eye(3), rng_id.normal(size=3)
precision_id = np.linalg.inv(Sigma_id)
grad_logdet = central_gradient(lambda S: np.linalg.slogdet(S)[1], Sigma_id)
grad_quadratic = central_gradient(lambda S: a_id @ np.linalg.solve(S, a_id), Sigma_id)
identity_quadratic = -precision_id @ np.outer(a_id, a_id) @ precision_id
assert np.max(np.abs(grad_logdet - precision_id)) < 1e-7 * np.max(np.abs(precision_id))   # fails if Sigma, not Sigma^-1
assert np.max(np.abs(grad_quadratic - identity_quadratic)) < 1e-7 * np.max(np.abs(identity_quadratic))
#                                                                          fails if the minus sign is lost, or one Sigma^-1 dropped
print("check (matrix-identities): d ln det(Sigma)/d Sigma = Sigma^-1 and d(a^T Sigma^-1 a)/d Sigma = "
      "-Sigma^-1 a a^T Sigma^-1, entry by entry (central differences, within 1e-7 of the largest entry)")

# %% [markdown]
# **What we verified:** the two identities on which the covariance update rests.
#
# Apply them to equation (q-cov), with $\mathbf{a} = \mathbf{x}_n - \boldsymbol\mu_k$:
#
# $$ \frac{\partial Q}{\partial \boldsymbol\Sigma_k} = -\frac12 \Big[ N_k \boldsymbol\Sigma_k^{-1} - \boldsymbol\Sigma_k^{-1} \mathbf{S}_k \boldsymbol\Sigma_k^{-1} \Big]. \tag{grad-q-cov} $$
#
# Set it to zero and multiply by $\boldsymbol\Sigma_k$ on the left and on the right: $N_k \boldsymbol\Sigma_k = \mathbf{S}_k$, that is
#
# $$ \boldsymbol\Sigma_k = \frac{1}{N_k} \sum_{n=1}^N r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top, \tag{m-cov} $$
#
# with $\boldsymbol\mu_k$ the *new* mean of equation (m-means), the best one for every $\boldsymbol\Sigma_k$.
# It is equation (ml-gauss) with each point counted with its responsibility, divided by the soft count $N_k$ (not by $N$, nor by $N_k - 1$).
# SymPy's check below works in the precision $\boldsymbol\Lambda_k = \boldsymbol\Sigma_k^{-1}$, where equation (scatter) reads $Q = \tfrac12 [N_k \ln\det\boldsymbol\Lambda_k - \operatorname{tr}(\boldsymbol\Lambda_k \mathbf{S}_k)] + \dots$.
#
# **Is it the maximum?** Put $\boldsymbol\Sigma^*_k = \mathbf{S}_k / N_k$ into equation (scatter) and subtract.
# Let $\eta_1, \dots, \eta_D$ be the eigenvalues of $\boldsymbol\Sigma_k^{-1} \boldsymbol\Sigma^*_k$, positive because the matrix is similar to $\boldsymbol\Sigma_k^{-1/2} \boldsymbol\Sigma^*_k \boldsymbol\Sigma_k^{-1/2}$.
# For any positive definite $\boldsymbol\Sigma_k$,
#
# $$ \begin{aligned} Q(\boldsymbol\Sigma_k) - Q(\boldsymbol\Sigma^*_k) &= -\frac{N_k}{2} \Big[ \operatorname{tr}\big(\boldsymbol\Sigma_k^{-1}\boldsymbol\Sigma^*_k\big) - \ln\det\big(\boldsymbol\Sigma_k^{-1}\boldsymbol\Sigma^*_k\big) - D \Big] \\ &= -\frac{N_k}{2} \sum_{i=1}^D \big(\eta_i - \ln\eta_i - 1\big) \;\le\; 0, \end{aligned} \tag{q-cov-loss} $$
#
# because $\eta - \ln\eta - 1 \ge 0$ for every $\eta > 0$, with equality only at $\eta = 1$.
# So equation (m-cov) is the unique global maximum, provided $\mathbf{S}_k$ is positive definite.
# Otherwise the component collapses as in chapter 03; appendix 07 adds a prior on $\boldsymbol\Sigma_k$ that prevents it (MAP-EM).
#
# **CHECK (m-cov).** (a) `gb.m_step`'s covariances must equal equation (m-cov) in NumPy, centred on the new means, on both data sets.
# (b) *SymPy:* in 1-D, $\partial Q / \partial \sigma^2$ must have the single root $\sum_n r_n (x_n - \mu)^2 / \sum_n r_n$.
# In 2-D, for a symbolic $\mathbf{S}$, the derivatives of $\tfrac12 [N_k \ln\det\boldsymbol\Lambda - \operatorname{tr}(\boldsymbol\Lambda \mathbf{S})]$ with respect to $\Lambda_{11}, \Lambda_{12}, \Lambda_{22}$ must vanish at $\boldsymbol\Lambda = N_k \mathbf{S}^{-1}$.
# (c) *Numerically*, on the 2-D data: the gradient of `gb.q_function` over the free entries of every $\boldsymbol\Sigma_k$ must vanish at equation (m-cov).
# 300 random positive definite perturbations $\boldsymbol\Sigma_k \to \mathbf{T}\boldsymbol\Sigma_k\mathbf{T}^\top$ ($\mathbf{T}$ the identity plus a Gaussian matrix of scale $10^{-3}$ to 1) and 100 random covariances must each lower $Q$ by exactly equation (q-cov-loss).
# The classic mistake, centring on the old means, is one such covariance: its loss is printed.

# %%
diff = X[None, :, :] - means_new[:, None, :]                                          # x_n - mu_k, (K, N, D)
covariances_new = np.einsum("nk,kni,knj->kij", resp_old, diff, diff) / nk[:, None, None]   # equation (m-cov)
print("Sigma_k (variances):", covariances_new.ravel().round(4))
assert np.allclose(gmm_new.covariances, covariances_new, rtol=1e-12, atol=0)   # fails if divided by N, or old means
diff2 = X2[None, :, :] - gmm2_new.means[:, None, :]
scatter2 = np.einsum("nk,kni,knj->kij", resp2, diff2, diff2)                           # S_k, equation (scatter)
assert np.allclose(gmm2_new.covariances, scatter2 / nk2[:, None, None], rtol=1e-12, atol=1e-14)  # fails if unweighted

roots_var = sp.solve(sp.diff(q_1d, sigma2), sigma2)
var_star = sum(r * (x - mu) ** 2 for r, x in zip(r_s, x_s)) / sum(r_s)                 # (m-cov) in 1-D
assert len(roots_var) == 1 and sp.simplify(roots_var[0] - var_star) == 0    # fails for sigma instead of sigma^2
s11, s12, s22 = sp.symbols("s11 s12 s22", real=True)
Nk_s = sp.Symbol("N_k", positive=True)
S_sym = sp.Matrix([[s11, s12], [s12, s22]])
q_prec = (Nk_s * sp.log(precision.det()) - (precision * S_sym).trace()) / 2            # (scatter), in Lambda
Lambda_star = Nk_s * S_sym.inv()                                                        # (m-cov): Lambda = N_k S^-1
at_star = {l11: Lambda_star[0, 0], l12: Lambda_star[0, 1], l22: Lambda_star[1, 1]}
assert [sp.simplify(sp.diff(q_prec, e).subs(at_star)) for e in (l11, l12, l22)] == [0, 0, 0]  # fails for S/N

upper = np.triu_indices(D2)


def covariances_from_free(free):
    """(K, D, D) symmetric matrices from the K x D(D+1)/2 entries of their upper triangles."""
    covs = np.zeros((len(free), D2, D2))
    covs[:, upper[0], upper[1]] = free
    return covs + np.triu(covs, 1).transpose(0, 2, 1)


def q_of_free(free):
    return q_at(gmm2_new, resp2, X2, covariances=covariances_from_free(free))


grad_cov = central_gradient(q_of_free, gmm2_new.covariances[:, upper[0], upper[1]])
grad_cov_old = central_gradient(q_of_free, gmm2_old.covariances[:, upper[0], upper[1]])
assert np.abs(grad_cov).max() < 1e-5 and np.abs(grad_cov_old).max() > 10   # fails if the M-step Sigma were off


def cov_loss(covs, covs_star, counts):
    """Equation (q-cov-loss): (1/2) sum_k N_k [tr(Sigma_k^-1 Sigma*_k) - ln det(Sigma_k^-1 Sigma*_k) - D]."""
    ratio = np.linalg.solve(covs, covs_star)
    return 0.5 * np.sum(counts * (np.trace(ratio, axis1=1, axis2=2) - np.linalg.slogdet(ratio)[1] - covs.shape[-1]))


rng_c = np.random.default_rng(13)
rel_errors = []
for i in range(400):
    if i < 300:
        T = np.eye(D2) + 10 ** rng_c.uniform(-3, 0) * rng_c.normal(size=(gmm2_new.K, D2, D2))
        trial_covs = T @ gmm2_new.covariances @ T.transpose(0, 2, 1)
    else:
        B = rng_c.normal(size=(gmm2_new.K, D2, D2))
        trial_covs = 0.05 * np.eye(D2) + B @ B.transpose(0, 2, 1)
    trial_covs = (trial_covs + trial_covs.transpose(0, 2, 1)) / 2
    loss = q2_best - q_at(gmm2_new, resp2, X2, covariances=trial_covs)
    predicted = cov_loss(trial_covs, gmm2_new.covariances, nk2)
    rel_errors.append(abs(loss - predicted) / predicted)
assert max(rel_errors) < 1e-6     # fails if some SPD matrix beat the M-step, or the loss were not (q-cov-loss)

diff_old = X2[None, :, :] - gmm2_old.means[:, None, :]
covs_old_centre = np.einsum("nk,kni,knj->kij", resp2, diff_old, diff_old) / nk2[:, None, None]   # the mistake
q_mistake = q_at(gmm2_new, resp2, X2, covariances=covs_old_centre)
print(f"Q at the M-step: {q2_best:.2f}; with the covariance centred on the old means: {q_mistake:.2f}")
print("check (m-cov): gb.m_step's covariances are (m-cov); SymPy: the only root in 1-D and a stationary precision "
      "in 2-D; gb.q_function is flat there and 400 SPD covariances lower it by (q-cov-loss), rel. 1e-6")

# %% [markdown]
# **What we verified:** equation (m-cov) is the stationary point in SymPy and the maximum of `gb.q_function` over positive definite matrices, by exactly equation (q-cov-loss).
#
# ### The first M-step of the textbook example
#
# **CHECK (published).** Equations (m-weights), (m-means) and (m-cov) at $\theta^{\text{old}}$ must reproduce the first M-step of Deisenroth, Faisal & Ong (2020, §11.2, Examples 11.2–11.5) to the digits the book prints: $\mu_k \approx -2.70, -0.40, 3.70$; $\sigma_k^2 \approx 0.14, 0.44, 1.53$; $\pi_k \approx 0.29, 0.29, 0.42$ (chapter 04 checked the $N_k$).
# And $\ell$ must go from $-28.3$ to $-14.4$, as the book reports.

# %%
published = {"mean": ([-2.70, -0.40, 3.70], 2), "variance": ([0.14, 0.44, 1.53], 2), "weight": ([0.29, 0.29, 0.42], 2)}
computed = {"mean": means_new.ravel(), "variance": covariances_new.ravel(), "weight": weights_new}
print("            component 1  component 2  component 3")
for name, (values, digits) in published.items():
    print(f"{name:10s}" + "".join(f"{c:13.{digits}f}" for c in computed[name]))
assert all(np.all(np.abs(computed[name] - np.array(values)) <= 0.5 * 10.0 ** -digits)
           for name, (values, digits) in published.items())   # fails if centred on old means, or divided by N
ll_old, ll_new = gb.log_likelihood(X, gmm_old), gb.log_likelihood(X, gmm_new)
print(f"log-likelihood: {ll_old:.4f} at theta_old, {ll_new:.4f} after one M-step")
assert abs(ll_old - (-28.3)) < 0.05 and abs(ll_new - (-14.4)) < 0.05   # fails if l is a mean, or the M-step is off
print("check (published): the first M-step reproduces the published means, variances and weights, and l goes from"
      " -28.3 to -14.4 as published")

# %% [markdown]
# **What we verified:** our formulas and `gb.m_step` reproduce the published hand-worked M-step, and $\ell$ rose from $-28.33$ to $-14.41$.
#
# ## 7. *(beyond)* Diagonal, spherical and tied covariances
#
# Each restricted structure of chapter 01 maximises the same $Q$ over a smaller set of matrices, in closed form.
# The means stay those of equation (m-means), the best for any covariance, and the weights those of equation (m-weights); `gb.m_step` computes both before it looks at the family, so we do not re-check them.
# Write $\boldsymbol\Sigma^{\text{full}}_k = \mathbf{S}_k / N_k$ for the full update.
#
# **Diagonal**, $\boldsymbol\Sigma_k = \operatorname{diag}(\sigma_{k1}^2, \dots, \sigma_{kD}^2)$.
# Then $\ln\det\boldsymbol\Sigma_k = \sum_d \ln\sigma_{kd}^2$ and $\operatorname{tr}(\boldsymbol\Sigma_k^{-1}\mathbf{S}_k) = \sum_d S_{k,dd} / \sigma_{kd}^2$.
# Equation (scatter) splits into $D$ problems, $-\tfrac12 [N_k \ln \sigma_{kd}^2 + S_{k,dd} / \sigma_{kd}^2]$, whose derivatives $-\tfrac12 [N_k / \sigma_{kd}^2 - S_{k,dd} / \sigma_{kd}^4]$ vanish at
#
# $$ \sigma_{kd}^2 = \frac{S_{k,dd}}{N_k} = \big[\boldsymbol\Sigma^{\text{full}}_k\big]_{dd}. \tag{m-diag} $$
#
# **Spherical**, $\boldsymbol\Sigma_k = \sigma_k^2 \mathbf{I}$.
# Then $\ln\det\boldsymbol\Sigma_k = D \ln\sigma_k^2$, the trace is $\operatorname{tr}(\mathbf{S}_k) / \sigma_k^2$, and the same steps give
#
# $$ \sigma_k^2 = \frac{\operatorname{tr}(\mathbf{S}_k)}{N_k D} = \frac{1}{N_k D} \sum_{n=1}^N r_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 = \frac1D \operatorname{tr}\boldsymbol\Sigma^{\text{full}}_k. \tag{m-spherical} $$
#
# **Tied**, $\boldsymbol\Sigma_k = \boldsymbol\Sigma$ for all $k$.
# The components' terms add up, and with $\sum_k N_k = N$, $Q = -\tfrac12 [N \ln\det\boldsymbol\Sigma + \operatorname{tr}(\boldsymbol\Sigma^{-1} \sum_k \mathbf{S}_k)] + \dots$.
# This is equation (scatter) with $N$ for $N_k$ and $\sum_k \mathbf{S}_k$ for $\mathbf{S}_k$, so
#
# $$ \boldsymbol\Sigma = \frac1N \sum_{k=1}^K \mathbf{S}_k = \sum_{k=1}^K \frac{N_k}{N} \boldsymbol\Sigma^{\text{full}}_k. \tag{m-tied} $$
#
# The argument of equation (q-cov-loss) carries over to each family (to each variance separately for diagonal and spherical; with $N$ for $N_k$ for tied), so each closed form is its family's global maximum.
# Every spherical matrix is diagonal and every family is inside the full one, so by construction $Q_{\text{full}} \ge Q_{\text{diag}} \ge Q_{\text{spherical}}$ and $Q_{\text{full}} \ge Q_{\text{tied}}$.
#
# **CHECK (m-diag), (m-spherical), (m-tied).** On the 2-D data: (a) `gb.m_step(..., covariance_type=...)` must equal the three closed forms.
# (b) *SymPy*, for $D = 2$ and a symbolic full $\mathbf{S}$: equation (scatter) on $\operatorname{diag}(\sigma_{k1}^2, \sigma_{k2}^2)$ must have the single stationary point $\sigma_{kd}^2 = S_{dd} / N_k$; on $\sigma^2\mathbf{I}$, the single root $\operatorname{tr}(\mathbf{S}) / (2 N_k)$; and the tied $Q$ of two components, $\sum_k \tfrac12 [N_k \ln\det\boldsymbol\Lambda - \operatorname{tr}(\boldsymbol\Lambda \mathbf{S}_k)]$, must be stationary at $\boldsymbol\Lambda = (N_1 + N_2)(\mathbf{S}_1 + \mathbf{S}_2)^{-1}$.
# (c) *Numerically:* the gradient of `gb.q_function` over each family's free numbers must vanish at the closed form, and 200 random members of each family nearby must give a lower $Q$.

# %%
full2 = scatter2 / nk2[:, None, None]
variances_diag = np.diagonal(full2, axis1=1, axis2=2)                                     # (m-diag), (K, D)
variances_sph = np.trace(scatter2, axis1=1, axis2=2) / (nk2 * D2)                          # (m-spherical), (K,)
cov_tied = scatter2.sum(axis=0) / N2                                                       # (m-tied), (D, D)
inline = {"diag": np.stack([np.diag(v) for v in variances_diag]),
          "spherical": variances_sph[:, None, None] * np.eye(D2),
          "tied": np.broadcast_to(cov_tied, full2.shape)}
for t, covs in inline.items():
    fit_t = gb.m_step(X2, resp2, covariance_type=t)
    assert np.allclose(fit_t.covariances, covs, rtol=1e-12, atol=1e-14), t   # fails e.g. for tr(S_k)/N_k, or tied / K
print("diag variances:     ", variances_diag.round(4).tolist())
print("spherical variances:", variances_sph.round(4))
print("tied covariance:    ", cov_tied.round(4).tolist())

Sigma_sph = sigma2 * sp.eye(2)
q_sph = -(Nk_s * sp.log(Sigma_sph.det()) + (Sigma_sph.inv() * S_sym).trace()) / 2        # (scatter) on sigma^2 I
roots_sph = sp.solve(sp.diff(q_sph, sigma2), sigma2)
assert len(roots_sph) == 1 and sp.simplify(roots_sph[0] - (s11 + s22) / (2 * Nk_s)) == 0  # fails if not divided by D

v1, v2 = sp.symbols("v1 v2", positive=True)
Sigma_diag = sp.diag(v1, v2)
q_diag = -(Nk_s * sp.log(Sigma_diag.det()) + (Sigma_diag.inv() * S_sym).trace()) / 2     # (scatter) on diag(v1, v2)
roots_diag = sp.solve([sp.diff(q_diag, v) for v in (v1, v2)], [v1, v2], dict=True)
assert roots_diag == [{v1: s11 / Nk_s, v2: s22 / Nk_s}]        # fails for 1 / (S^-1)_dd, the inverse's diagonal

N1_s, N2_s = sp.symbols("N_1 N_2", positive=True)
S1_sym, S2_sym = (sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"s{c}_{min(i, j) + 1}{max(i, j) + 1}", real=True))
                  for c in (1, 2))
q_tied = sum(n_c * sp.log(precision.det()) - (precision * s_c).trace()
             for n_c, s_c in ((N1_s, S1_sym), (N2_s, S2_sym))) / 2                       # (scatter), tied, K = 2
Lambda_tied = (N1_s + N2_s) * (S1_sym + S2_sym).inv()                                   # (m-tied), as a precision
at_tied = {l11: Lambda_tied[0, 0], l12: Lambda_tied[0, 1], l22: Lambda_tied[1, 1]}
assert [sp.simplify(sp.diff(q_tied, e).subs(at_tied)) for e in (l11, l12, l22)] == [0, 0, 0]  # fails for / K or / N_k

families = {   # free numbers -> (K, D, D) covariances, and the free numbers of the M-step's answer
    "diag": (lambda f: np.stack([np.diag(v) for v in f.reshape(-1, D2)]), variances_diag.ravel()),
    "spherical": (lambda f: f[:, None, None] * np.eye(D2), variances_sph),
    "tied": (lambda f: np.broadcast_to(covariances_from_free(f[None])[0], full2.shape), cov_tied[upper]),
}
rng_f = np.random.default_rng(14)
q_family = {"full": q2_best}
for t, (build, free_star) in families.items():
    q_family[t] = q_at(gmm2_new, resp2, X2, covariances=build(free_star))
    grad_f = central_gradient(lambda f: q_at(gmm2_new, resp2, X2, covariances=build(f)), free_star)
    assert np.abs(grad_f).max() < 1e-5, t                                   # fails if the closed form were off
    trials = []
    for _ in range(200):
        size = 10 ** rng_f.uniform(-3, 0)
        if t == "tied":
            T = np.eye(D2) + size * rng_f.normal(size=(D2, D2))
            trial = (T @ cov_tied @ T.T)[upper]
        else:
            trial = free_star * np.exp(size * rng_f.normal(size=free_star.shape))
        trials.append(q_at(gmm2_new, resp2, X2, covariances=build(trial)))
    assert max(trials) < q_family[t], t                                    # fails if a family member beat it
    print(f"{t:9s}: {free_star.size} free numbers, gradient < 1e-5, 200 neighbours lower; Q = {q_family[t]:.2f}")
print("check (m-diag), (m-spherical), (m-tied): gb.m_step equals the closed forms; SymPy finds the diagonal,"
      " spherical and tied forms as the only or a stationary point; each is flat and maximal within its family")

# %% [markdown]
# **What we verified:** each restricted M-step is stationary in SymPy and maximises `gb.q_function` within its family.
#
# ## 8. Is this recipe universal?
#
# Sections 2 and 3 used only latent variables with a computable posterior, and a complete-data log-likelihood simpler than $\ln p(\mathbf{X} \mid \theta)$.
# The Gaussian entered only in sections 5 to 7.
# So for *any* latent-variable model (Dempster, Laird & Rubin 1977),
#
# $$ \begin{aligned} &\text{E-step: compute } p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}}); \\ &\text{M-step: } \theta^{\text{new}} = \arg\max_{\theta}\ \mathbb{E}_{\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}}}\big[\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)\big], \end{aligned} \tag{em-general} $$
#
# and equation (q-bound), which chapter 06 proves for any such model, guarantees that $\ell$ never decreases.
# For any mixture the E-step is Bayes' rule with the component densities, and the weights' part of $Q$ is again equation (q-weights), so $\pi_k = N_k/N$ holds unchanged.
# Only the components' own update changes.
# A mixture of Poissons (counts $x_n$, component means, or rates, $\mu_k$, $\ln p(x \mid \mu) = x \ln\mu - \mu - \ln x!$) gives $\partial Q / \partial \mu_k = \sum_n r_{nk} (x_n / \mu_k - 1) = 0$, so $\mu_k = \sum_n r_{nk} x_n / N_k$: the weighted mean again.
# A mixture of Bernoullis gives the same formula for its probabilities.
# The recipe also yields the Baum–Welch algorithm for hidden Markov models (Baum et al. 1970), factor analysis, and fits with missing data.
#
# **CHECK (em-general).** A mixture of two Poissons, without `gmmbook`: 500 counts from means $(2, 9)$ and weights $(0.4, 0.6)$.
# One E-step from a poor guess (means $(1, 5)$, equal weights) with SciPy's Poisson log-probabilities; then SciPy's BFGS maximises the Poisson $Q$ over the log-means and the softmax of the weights.
# It must find $\pi_k = N_k/N$ and $\mu_k = \sum_n r_{nk} x_n / N_k$.

# %%
rng_p = np.random.default_rng(15)
means_true_p, weights_true_p = np.array([2.0, 9.0]), np.array([0.4, 0.6])
counts = rng_p.poisson(means_true_p[rng_p.choice(2, size=500, p=weights_true_p)])
means_old_p, weights_old_p = np.array([1.0, 5.0]), np.array([0.5, 0.5])
resp_p = special.softmax(np.log(weights_old_p) + stats.poisson.logpmf(counts[:, None], means_old_p), axis=1)  # E-step
nk_p = resp_p.sum(axis=0)


def q_poisson(params):
    """Q for the Poisson mixture at log-means params[:2] and weights softmax(params[2:])."""
    log_w = params[2:] - special.logsumexp(params[2:])
    return np.sum(resp_p * (log_w + stats.poisson.logpmf(counts[:, None], np.exp(params[:2]))))


numeric = minimize(lambda th: -q_poisson(th), x0=np.zeros(4), method="BFGS", options={"gtol": 1e-9})
print("means:   optimiser", np.exp(numeric.x[:2]).round(4), " formula", (resp_p.T @ counts / nk_p).round(4))
print("weights: optimiser", special.softmax(numeric.x[2:]).round(4), " formula", (nk_p / len(counts)).round(4))
assert np.allclose(np.exp(numeric.x[:2]), resp_p.T @ counts / nk_p, rtol=1e-5)    # fails unless the weighted mean
assert np.allclose(special.softmax(numeric.x[2:]), nk_p / len(counts), atol=1e-6)  # fails unless N_k / N
print("check (em-general): for a Poisson mixture, a general optimiser of Q finds pi_k = N_k/N and "
      "mu_k = sum_n r_nk x_n / N_k (rel. 1e-5)")

# %% [markdown]
# **What we verified:** the recipe and $\pi_k = N_k/N$ carry over to a mixture that is not Gaussian; the component update is again a weighted average.
#
# ## Summary
#
# - Setting $\partial\ell/\partial\boldsymbol\mu_k = 0$ gives equation (fixed-point), whose right-hand side depends on $\boldsymbol\mu_k$: a condition, not a solution.
# - With known labels, equation (complete) splits into $K$ Gaussian fits and a count, equation (complete-split).
# - $Q$, equation (q), is equation (complete) averaged over the posterior of the labels: hard $z_{nk}$ become soft $r_{nk}$. $Q + H$ is a lower bound on $\ell$ that touches it at $\theta^{\text{old}}$, equation (q-bound).
# - The M-step maximises $Q$ in closed form: $\pi_k = N_k/N$ with the multiplier $\lambda = -N$, equation (m-weights); the weighted mean, equation (m-means); the weighted scatter around the new mean over $N_k$, equation (m-cov). Each is the global maximum, by equations (gibbs), (q-means-loss) and (q-cov-loss).
# - Diagonal, spherical and tied covariances take the diagonal of the full update, its average, and the $\pi$-weighted average over components, equations (m-diag), (m-spherical), (m-tied).
# - The recipe, equation (em-general), is EM for any latent-variable model; only the last step used the Gaussian.
#
# Next, chapter 06 puts the E-step and the M-step in a loop, proves equation (q-bound), and runs EM on Old Faithful.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/05_em_derivation.ipynb): derive $\lambda = -N$ and read it as the price of the constraint; fix one component's weight; implement the M-step; explain the textbook example's first M-step; and derive the M-step for one round covariance shared by all components.
#
# ## References
#
# - Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from incomplete data via the EM algorithm. *Journal of the Royal Statistical Society, Series B* 39(1):1–38.
# - Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*. Springer. §9.2–9.4 (the M-step, the Lagrange multiplier, EM in general).
# - Deisenroth, M. P., Faisal, A. A. & Ong, C. S. (2020). *Mathematics for Machine Learning*. Cambridge University Press. §11.2, Examples 11.2–11.5 (the textbook example and its first M-step).
# - Baum, L. E., Petrie, T., Soules, G. & Weiss, N. (1970). A maximization technique occurring in the statistical analysis of probabilistic functions of Markov chains. *Annals of Mathematical Statistics* 41(1):164–171.
# - Neal, R. M. & Hinton, G. E. (1998). A view of the EM algorithm that justifies incremental, sparse, and other variants. In M. I. Jordan (ed.), *Learning in Graphical Models*, 355–368. Kluwer.
# - Petersen, K. B. & Pedersen, M. S. (2012). *The Matrix Cookbook*. Technical University of Denmark (equation (matrix-identities)).
# - Kraft, D. (1988). A software package for sequential quadratic programming. DFVLR-FB 88-28 (SLSQP, SciPy's constrained optimiser).

# %% [markdown]
# # Chapter 03: The marginal likelihood and its landscape
#
# Chapter 02 told the mixture as a story with a hidden step: pick a component $\mathbf{z}$, then draw $\mathbf{x}$ from it.
# We never see $\mathbf{z}$, so the density of what we *do* see is the joint $p(\mathbf{x}, \mathbf{z})$ summed over every value $\mathbf{z}$ could have taken.
# This chapter does that sum, turns it into the likelihood of a whole data set, and learns to compute it without the numbers underflowing to zero.
# Then it asks what fitting a mixture by maximum likelihood is up against, and answers three questions by experiment: is the landscape of the likelihood a single hill, does it have a unique top, and does it have a top at all?
#
# ## What you will learn
#
# - How summing the latent $\mathbf{z}$ out of the joint gives the mixture density, equation (marginal), and two ways to check it: exact enumeration and Monte Carlo.
# - The likelihood of a data set and its logarithm, equation (loglik), and why the logarithm of a *sum* is the source of every difficulty in fitting mixtures.
# - The log-sum-exp trick, equation (logsumexp): why a naive computation returns $-\infty$ for points far from every component and for data in many dimensions, and how one subtraction fixes it.
# - That the log-likelihood of a mixture is not concave (several local maxima; different starts of a fitting algorithm end in different places).
# - That its parameters are not identifiable (relabelling the components changes nothing, so there are $K!$ equal maxima).
# - That it is not even bounded (a component shrinking onto one data point sends it to $+\infty$), and the three usual remedies: a covariance floor, a prior, restarts.
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture, equation (mixture), and the log-likelihood of one Gaussian.
# - Chapter 02: the one-hot $\mathbf{z}$, the prior $p(\mathbf{z}) = \prod_k \pi_k^{z_k}$, equation (prior), the conditional $p(\mathbf{x} \mid \mathbf{z}) = \prod_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)^{z_k}$, equation (cond), the joint $p(\mathbf{x}, z_k = 1) = \pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (joint-k), and the joint of a data set, equations (joint-data) and (log-joint-data).
# - The sum rule of probability, the mean and standard error of a sample, and what "convex" means for a function.
#
# Notation, as everywhere in the book: $N$ points, $D$ dimensions, $K$ components; weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$; $\ell(\theta)$ is the *total* log-likelihood, a sum over the $N$ points (`loglik`).
# In the mathematics components are numbered $k = 1, \dots, K$; in the code they are numbered `0, ..., K-1`.

# %%
import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
from scipy import special, stats
from scipy.optimize import minimize_scalar

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)


def gmm_1d(weights, means, variances):
    """A one-dimensional GMM from K weights, K means and K variances (not standard deviations)."""
    return gb.GMM(np.asarray(weights, dtype=float), np.asarray(means, dtype=float).reshape(-1, 1),
                  np.asarray(variances, dtype=float).reshape(-1, 1, 1))


# %% [markdown]
# ## 1. Summing $\mathbf{z}$ out: the marginal $p(\mathbf{x})$
#
# The sum rule of probability says that the density of $\mathbf{x}$ alone is the joint summed over all values of the other variable.
# Here the other variable is the one-hot $\mathbf{z}$, which takes exactly $K$ values, the unit vectors $\mathbf{e}_1, \dots, \mathbf{e}_K$:
#
# $$ p(\mathbf{x}) = \sum_{\mathbf{z}} p(\mathbf{x}, \mathbf{z}) = \sum_{\mathbf{z}} p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z}) = \sum_{j=1}^K \prod_{k=1}^K \pi_k^{[\mathbf{e}_j]_k} \prod_{k=1}^K \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)^{[\mathbf{e}_j]_k} \tag{sum-rule} $$
#
# The second step is the product rule, the third writes out equations (prior) and (cond) of chapter 02 for $\mathbf{z} = \mathbf{e}_j$, whose $k$-th entry $[\mathbf{e}_j]_k$ is 1 for $k = j$ and 0 otherwise.
# In the $j$-th term every factor with $k \neq j$ is raised to the power 0 and equals 1, so the term is $\pi_j \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)$, equation (joint-k).
# Renaming $j$ as $k$:
#
# $$ p(\mathbf{x}) = \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{marginal} $$
#
# Equation (marginal) is the mixture density of chapter 01, equation (mixture), now *derived* from the generative story instead of postulated.
# It is called the *marginal* (or marginal likelihood of one point) because $\mathbf{z}$ has been marginalised, summed out.
# The sum has only $K$ terms because of the one-hot constraint: $\mathbf{z}$ is never the zero vector and never has two ones.
#
# We check equation (sum-rule) literally.
# For each of the $K$ one-hot vectors we evaluate the products $p(\mathbf{z})\,p(\mathbf{x} \mid \mathbf{z})$ with SciPy's Gaussian densities and add them up; then we compare with the right-hand side of equation (marginal) and with `gb.log_marginal`, which computes $\ln p(\mathbf{x}_n)$ for every row of `X`.
# The data are 500 points from the 2-D mixture `three_component_2d` of chapter 02.
# As a negative control, summing the same products over *all* $2^K$ binary vectors, as if the one-hot constraint did not exist, must give something else.

# %%
gmm2 = gb.datasets.three_component_2d()
X2, _ = gb.sample(gmm2, 500, np.random.default_rng(0))
densities2 = np.column_stack([stats.multivariate_normal(mean, cov).pdf(X2)
                              for mean, cov in zip(gmm2.means, gmm2.covariances)])   # N(x_n | mu_k, Sigma_k), (N, K)


def prior_times_cond(z, weights, densities):
    """p(z) p(x_n | z) = prod_k pi_k^z_k * prod_k N_k(x_n)^z_k for every row n: (prior) times (cond) of chapter 02."""
    return np.prod(weights ** z) * np.prod(densities ** z, axis=1)


p_enumerated = sum(prior_times_cond(z, gmm2.weights, densities2) for z in np.eye(gmm2.K, dtype=int))  # (sum-rule)
p_mixture = densities2 @ gmm2.weights                                                          # (marginal)
p_library = np.exp(gb.log_marginal(X2, gmm2))
p_all_binary = sum(prior_times_cond(np.array(b), gmm2.weights, densities2)
                   for b in itertools.product([0, 1], repeat=gmm2.K))                          # no one-hot constraint

print("p(x_n) for the first three points, by enumeration:", p_enumerated[:3])
print("                                   by gmmbook:    ", p_library[:3])
print("summed over all 2^K binary z instead:             ", p_all_binary[:3])

# %% [markdown]
# **CHECK (marginal).** Enumeration over the $K$ one-hot states, the weighted sum of equation (marginal) and `gb.log_marginal` agree at every point; summing over all binary vectors does not (its $\mathbf{z} = \mathbf{0}$ term alone adds $\prod_k \pi_k^0 \mathcal{N}_k^0 = 1$).

# %%
assert np.max(np.abs(p_enumerated - p_library) / p_library) < 1e-12
assert np.max(np.abs(p_mixture - p_library) / p_library) < 1e-12
assert np.all(p_all_binary - p_library > 1.0 - 1e-12)
print("check (marginal): summing p(z) p(x|z) over the K one-hot z equals sum_k pi_k N_k and exp(gb.log_marginal)"
      " at all 500 points, max rel. error < 1e-12; summing over all 2^K binary z is off by more than 1")

# %% [markdown]
# **What we verified:** the marginal is the sum of the joint over the $K$ one-hot states, equation (sum-rule), which is the mixture density (marginal), and `gb.log_marginal` computes its logarithm.
#
# ### Monte Carlo: the marginal as an average
#
# The sum in equation (sum-rule) is an expectation over the prior: each value $p(\mathbf{x} \mid \mathbf{z})$ is weighted by its probability $p(\mathbf{z})$.
# So we can also *estimate* $p(\mathbf{x})$ by drawing $\mathbf{z}_1, \dots, \mathbf{z}_M$ from $p(\mathbf{z}) = \mathrm{Cat}(\boldsymbol\pi)$ and averaging:
#
# $$ p(\mathbf{x}) = \mathbb{E}_{\mathbf{z} \sim p(\mathbf{z})}\big[p(\mathbf{x} \mid \mathbf{z})\big] \approx \hat p_M(\mathbf{x}) = \frac1M \sum_{m=1}^M p(\mathbf{x} \mid \mathbf{z}_m), \qquad \mathrm{se}(\hat p_M) = \frac{s_M}{\sqrt M} \tag{mc} $$
#
# where $s_M$ is the sample standard deviation of the $M$ values $p(\mathbf{x} \mid \mathbf{z}_m)$.
# The estimate is unbiased, and by the central limit theorem it lies within 4 standard errors of the truth except with probability about $6 \times 10^{-5}$.
# This check is independent of equation (marginal): it only uses the generative story (draw $\mathbf{z}$ first) and the conditional densities.
#
# We use the 1-D mixture `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, variances $(0.5, 1, 0.3)$), $M = 200\,000$ draws, and four points, one of them far in the tail.
# As a negative control we average with $\mathbf{z}$ drawn *uniformly*, as if we had forgotten the weights: that estimates $\frac1K \sum_k \mathcal{N}_k$, not $p(\mathbf{x})$, and must fail the test.

# %%
gmm1 = gb.datasets.three_component_1d()
sds1 = np.sqrt(gmm1.covariances[:, 0, 0])                       # standard deviations sigma_k
M = 200_000
z_draws = np.random.default_rng(7).choice(gmm1.K, size=M, p=gmm1.weights)    # z_m ~ Cat(pi)
z_uniform = np.random.default_rng(8).choice(gmm1.K, size=M)                 # the negative control

print(f"{'x':>5} {'p(x) exact':>12} {'MC estimate':>12} {'(est - exact) / se':>19}"
      f" {'uniform z: (est - exact) / se':>30}")


def mc_estimate(cond, draws):
    """Equation (mc): the mean of p(x | z_m) over the draws, and its standard error."""
    values = cond[draws]                                         # p(x | z_m), m = 1..M
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


z_scores, z_scores_uniform = [], []
for x in (-1.0, 2.5, 4.0, 8.0):
    cond = stats.norm.pdf(x, gmm1.means[:, 0], sds1)            # p(x | z = e_k), k = 1..K
    exact = np.exp(gb.log_marginal([[x]], gmm1))[0]
    estimate, se = mc_estimate(cond, z_draws)
    estimate_uniform, se_uniform = mc_estimate(cond, z_uniform)
    z_scores.append((estimate - exact) / se)
    z_scores_uniform.append((estimate_uniform - exact) / se_uniform)
    print(f"{x:5.1f} {exact:12.4e} {estimate:12.4e} {z_scores[-1]:19.2f} {z_scores_uniform[-1]:30.1f}")

# %% [markdown]
# **CHECK (mc).** At every point the Monte Carlo average is within 4 standard errors of `gb.log_marginal`'s value; with the wrong prior it is more than 5 standard errors off at every point.

# %%
assert np.all(np.abs(z_scores) < 4)
assert np.all(np.abs(z_scores_uniform) > 5)
print("check (mc): averaging p(x | z) over z ~ Cat(pi) reproduces exp(gb.log_marginal) within 4 standard errors"
      " at x = -1, 2.5, 4, 8 (M = 200000); averaging over uniform z is rejected (> 5 se) at all four")

# %% [markdown]
# **What we verified:** the marginal is the average of the conditional density over the prior, equation (mc), a statement about the generative story that needs no algebra; the test has the power to catch a sampler that ignores $\boldsymbol\pi$.
#
# Monte Carlo is a useful check, but a poor way to compute $p(\mathbf{x})$: here the sum has only $K$ terms, and we can do it exactly.
# For models whose latent variable has too many values to enumerate, estimates like (mc) are all there is.

# %% [markdown]
# ## 2. The likelihood of a data set, and its logarithm
#
# A data set $\mathbf{X} = (\mathbf{x}_1, \dots, \mathbf{x}_N)$ is modelled as $N$ independent draws, each with its own hidden $\mathbf{z}_n$ (chapter 02, equation (joint-data)).
# Summing out each $\mathbf{z}_n$ separately, the density of the data is a product over points of equation (marginal):
#
# $$ p(\mathbf{X} \mid \theta) = \prod_{n=1}^N p(\mathbf{x}_n \mid \theta) = \prod_{n=1}^N \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{likelihood} $$
#
# Read as a function of $\theta$ with the data fixed, this is the *likelihood*.
# We always work with its logarithm, the (total) *log-likelihood*:
#
# $$ \ell(\theta) = \ln p(\mathbf{X} \mid \theta) = \sum_{n=1}^N \ln \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{loglik} $$
#
# Two reasons for the logarithm.
# First, the logarithm is increasing, so $\ell$ and $p(\mathbf{X} \mid \theta)$ have their maxima at the same $\theta$.
# Second, a product of $N$ numbers smaller than 1 underflows: for 200 points $p(\mathbf{X} \mid \theta)$ is already about $10^{-176}$, and for 1000 points it is below the smallest positive float64, about $5 \times 10^{-324}$, so it is stored as exactly 0 (we see it below).
#
# Notice the shape of equation (loglik): a logarithm *of a sum*.
# The logarithm cannot be moved inside, so $\ell$ does not split into separate problems for the components, unlike the complete-data log-likelihood $\sum_n \sum_k z_{nk} [\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)]$ of chapter 02, equation (log-joint-data), where $\mathbf{Z}$ is known.
# This one fact is behind everything in the rest of the chapter, and behind EM in chapters 05 and 06.
#
# Equation (loglik) in NumPy, for 200 points from `three_component_1d` (these points, drawn with `default_rng(3)`, are our data for section 3 too):

# %%
X1, _ = gb.sample(gmm1, 200, np.random.default_rng(3))
densities1 = stats.norm.pdf(X1, gmm1.means[:, 0], sds1)             # N(x_n | mu_k, sigma_k^2), shape (N, K)
loglik_inline = np.sum(np.log(densities1 @ gmm1.weights))            # equation (loglik)
loglik_library = gb.log_likelihood(X1, gmm1)
print(f"l(theta) for the true theta and N = 200 points: {loglik_library:.4f}")
print(f"the likelihood itself, prod_n p(x_n): {np.prod(densities1 @ gmm1.weights):.3e}")

X1_big, _ = gb.sample(gmm1, 1000, np.random.default_rng(30))
likelihood_big = np.prod(stats.norm.pdf(X1_big, gmm1.means[:, 0], sds1) @ gmm1.weights)
loglik_big = gb.log_likelihood(X1_big, gmm1)
print(f"with N = 1000 points: prod_n p(x_n) = {likelihood_big}, but l(theta) = {loglik_big:.2f}")

# %% [markdown]
# **CHECK (loglik).** The inline sum of logarithms of SciPy mixture densities equals `gb.log_likelihood`; for 1000 points the product (likelihood) is exactly 0 in floating point while its logarithm is an ordinary number.

# %%
assert abs(loglik_inline - loglik_library) < 1e-12 * abs(loglik_library)
assert likelihood_big == 0.0 and np.isfinite(loglik_big)
print("check (loglik): sum_n ln sum_k pi_k N_k with SciPy densities equals gb.log_likelihood, rel. error < 1e-12;"
      " the product over 1000 points underflows to 0.0, the log-likelihood does not")

# %% [markdown]
# **What we verified:** `gb.log_likelihood` is equation (loglik), the total (summed, not averaged) log-likelihood, and the product form (likelihood) cannot be computed directly for realistic $N$.
#
# ### Log-sum-exp
#
# The sum over points is now safe, but the sum *inside* the logarithm of equation (loglik) still works with densities, and a single density can underflow.
# $\mathcal{N}(x \mid 2, 1)$ at $x = 40$ is $e^{-722.9}$, already below the smallest *normal* float64 ($2.2 \times 10^{-308} \approx e^{-708.4}$), where float64 keeps only about 9 of its usual 16 significant digits, and at $x = 41$ it is $e^{-761.4}$, which is exactly 0 in float64 (the smallest positive float64 is about $5 \times 10^{-324} \approx e^{-744.4}$).
# So for the mixture $\tfrac12\mathcal{N}(-2, 1) + \tfrac12\mathcal{N}(2, 1)$ both terms at $x = 41$ are 0, and the naive $\ln p(41) = \ln 0 = -\infty$, although the true value is a perfectly ordinary number, about $-762.1$.
#
# The cure is to never leave log space.
# Write $a_k = \ln \pi_k + \ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, the logarithms of the terms, which `gb.log_joint` computes directly from equation (gauss) without forming any density.
# We need $\ln \sum_k e^{a_k}$.
# Let $m = \max_k a_k$ and factor $e^m$ out of the sum:
#
# $$ \ln \sum_{k=1}^K e^{a_k} = \ln \Big( e^{m} \sum_{k=1}^K e^{a_k - m} \Big) = m + \ln \sum_{k=1}^K e^{a_k - m}, \qquad m = \max_k a_k \tag{logsumexp} $$
#
# Why the right-hand side is safe: every exponent $a_k - m$ is $\le 0$, so no term exceeds 1 and nothing overflows; the largest term is exactly $e^0 = 1$, so the sum lies between 1 and $K$ and its logarithm between 0 and $\ln K$: it cannot be $\ln 0$.
# Terms that underflow to 0 are at least $e^{-745}$ times smaller than the largest one, so they could not change the sum in float64 anyway.
# The identity is exact for *any* constant $m$; choosing the maximum is what makes it safe.
#
# Equation (logsumexp) in three lines, checked against `gb.logsumexp` and SciPy's `scipy.special.logsumexp` on rows of hard cases: values of size $10^4$, huge negative values like $-10^5$ (where every $e^{a_k}$ is 0), huge positive values (where $e^{a_k}$ overflows to $\infty$), and a row with some $a_k = -\infty$, the logarithm of a zero weight.

# %%
def logsumexp_inline(a):
    """ln sum_j exp(a_j) along the last axis, equation (logsumexp). (A row that is -inf throughout gives nan here.)"""
    m = np.max(a, axis=-1, keepdims=True)                                # m = max_j a_j
    return m[..., 0] + np.log(np.sum(np.exp(a - m), axis=-1))            # m + ln sum_j exp(a_j - m)


rng_lse = np.random.default_rng(5)
hard_rows = np.vstack([
    rng_lse.standard_normal((3, 6)),                      # ordinary values
    1e4 * rng_lse.standard_normal((3, 6)),                # large spread
    -1e5 + rng_lse.standard_normal((2, 6)),               # every exp underflows to 0
    1e3 + rng_lse.standard_normal((2, 6)),                # every exp overflows to inf
    [[-np.inf, -3.0, -1e4, -np.inf, 2.0, 0.5]],           # some terms are exactly 0
])
with np.errstate(over="ignore", divide="ignore"):
    naive_lse = np.log(np.sum(np.exp(hard_rows), axis=1))
lse_inline = logsumexp_inline(hard_rows)
lse_library = gb.logsumexp(hard_rows, axis=1)
lse_scipy = special.logsumexp(hard_rows, axis=1)
naive_failed = ~np.isfinite(naive_lse)
print("naive ln sum exp:", naive_lse)
print("log-sum-exp:     ", lse_library)
print(f"the naive formula returns +-inf on {naive_failed.sum()} of the {len(hard_rows)} rows")

# %% [markdown]
# **CHECK (logsumexp).** On every row the inline version, `gb.logsumexp` and SciPy agree; the naive formula returns $\pm\infty$ on the underflow and overflow rows.
# Because the exact answer always lies between $m$ and $m + \ln K$, we can also check that property directly.

# %%
scale = np.maximum(1.0, np.abs(lse_scipy))
assert np.all(np.abs(lse_library - lse_scipy) <= 1e-13 * scale)
assert np.all(np.abs(lse_inline - lse_scipy) <= 1e-13 * scale)
assert np.all((lse_library >= hard_rows.max(axis=1)) & (lse_library <= hard_rows.max(axis=1) + np.log(6) + 1e-12))
assert np.all(naive_failed[6:10])                     # the rows built to underflow and to overflow
assert gb.logsumexp([-np.inf, -np.inf]) == -np.inf  # ln(0 + 0): -inf, not nan
print(f"check (logsumexp): inline, gb.logsumexp and scipy.special.logsumexp agree on {len(hard_rows)} hard rows,"
      f" rel. error < 1e-13, and lie in [max_k a_k, max_k a_k + ln K]; the naive formula fails on {naive_failed.sum()}")

# %% [markdown]
# **What we verified:** equation (logsumexp) as three lines of NumPy, as `gb.logsumexp`, and as SciPy's reference implementation give the same numbers, including where the naive formula fails in both directions.
# `gb.log_marginal` applies `gb.logsumexp` to the matrix of $a_{nk}$ from `gb.log_joint`.
#
# ### Where the naive computation breaks: far points
#
# Take `two_component_1d`, $\tfrac12\mathcal{N}(-2, 1) + \tfrac12\mathcal{N}(2, 1)$, and move $x$ away from both components, from 0 to 60.
# The naive way computes the densities $\pi_k \mathcal{N}(x \mid \mu_k, \sigma_k^2)$ as numbers, adds them and takes the logarithm; the stable way is `gb.log_marginal`.
# For one far point, $x = 60$, here is equation (logsumexp) at work: the two $a_k$ are about $-1684$ and $-1924$, so both densities are 0 in float64, but after subtracting $m$ the terms are $1$ and $e^{-240}$.

# %%
gmm_two = gb.datasets.two_component_1d()
a_far = gb.log_joint([[60.0]], gmm_two)[0]                   # a_k = ln pi_k + ln N(60 | mu_k, 1)
m_far = a_far.max()
print(f"a_k at x = 60: {a_far[0]:.2f}, {a_far[1]:.2f};  exp(a_k) in float64: {np.exp(a_far)}")
print(f"m = {m_far:.2f};  exp(a_k - m): {np.exp(a_far[0] - m_far):.3g}, {np.exp(a_far[1] - m_far):.3g}")
print(f"ln p(60) = m + ln(sum_k exp(a_k - m)) = {m_far + np.log(np.sum(np.exp(a_far - m_far))):.2f}")

x_line = np.linspace(0.0, 60.0, 601)                          # the grid of plotting.fig_logsumexp_underflow
log_joint_line = gb.log_joint(x_line[:, None], gmm_two)
with np.errstate(under="ignore", divide="ignore"):
    density_sum = np.sum(np.exp(log_joint_line), axis=1)        # sum_k pi_k N_k, as numbers
    naive_line = np.log(density_sum)
stable_line = gb.log_marginal(x_line[:, None], gmm_two)
first_bad = x_line[np.argmax(~np.isfinite(naive_line))]
print(f"naive ln p(x) is -inf from x = {first_bad:.1f} on; log-sum-exp gives ln p(60) = {stable_line[-1]:.2f}")

# %% [markdown]
# **CHECK (logsumexp), far points.** Log-sum-exp is finite on the whole line, and it agrees with the naive value wherever the densities are ordinary (normal) floats; the naive value is $-\infty$ at the far end.
# Between the two regimes lies a short stretch where the density is *subnormal*: float64 represents numbers below $2.2 \times 10^{-308}$ with fewer and fewer significant digits, so the naive value is finite there but already inaccurate.
# We compare only where no digits have been lost.

# %%
normal = density_sum >= np.finfo(np.float64).tiny             # no gradual underflow: full precision
assert np.all(np.isfinite(stable_line))
assert np.max(np.abs(naive_line[normal] - stable_line[normal]) / np.abs(stable_line[normal])) < 1e-13
assert np.all(np.isneginf(naive_line[x_line >= 41.0]))
print(f"check (logsumexp), far points: the naive value and gb.log_marginal agree (rel. error < 1e-13) for"
      f" x <= {x_line[normal][-1]:.1f}, where the densities are normal floats; for x >= 41 the naive value is -inf"
      " and log-sum-exp stays finite")

# %% [markdown]
# **What we verified:** the stable computation is the naive one wherever the naive one works, and keeps working beyond.

# %%
fig = plotting.fig_logsumexp_underflow()
plt.show()

# %% [markdown]
# ### Where the naive computation breaks: many dimensions
#
# Far points are rare in practice; many dimensions are not, and there the naive computation fails for *every* point.
# Take two components in $D$ dimensions with $\boldsymbol\mu_1 = \mathbf{0}$, $\boldsymbol\mu_2 = (0.5, \dots, 0.5)$, $\boldsymbol\Sigma_k = 2\mathbf{I}$ and $\pi_k = \tfrac12$, and 100 points sampled from it.
# By equation (gauss), for a point drawn from component $k$,
#
# $$ \ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, 2\mathbf{I}) = -\frac12 \Big[ D \ln 4\pi + \tfrac12 \lVert \mathbf{x} - \boldsymbol\mu_k \rVert^2 \Big] \approx -\frac D2 \big( \ln 4\pi + 1 \big) \approx -1.77\, D \tag{high-d} $$
#
# because $\tfrac12 \lVert \mathbf{x} - \boldsymbol\mu_k \rVert^2$ is a sum of $D$ squared standard normals, about $D$.
# Every density is a product of $D$ factors of typical size $e^{-1.77}$: it shrinks exponentially with $D$, and around $D = 420$ it passes $e^{-744.4}$, below which float64 has nothing but 0.
# Nothing is wrong with the points: the density of *any* particular point in many dimensions is tiny, because the probability is spread over an enormous volume.
#
# For each $D$ we count the densities that are exactly 0 and the points whose naive $\ln p(\mathbf{x}_n)$ is $-\infty$.
# The reference for the stable values is independent of `gmmbook`: with $\boldsymbol\Sigma_k = 2\mathbf{I}$ the Gaussian factorises over coordinates, so $\ln \mathcal{N}_k$ is a sum of $D$ one-dimensional `scipy.stats.norm.logpdf` values, combined with `scipy.special.logsumexp`.

# %%
def far_apart_model(D):
    """pi = (1/2, 1/2), mu_1 = 0, mu_2 = (0.5, ..., 0.5), Sigma_k = 2 I, in D dimensions."""
    return gb.GMM(np.array([0.5, 0.5]), np.vstack([np.zeros(D), np.full(D, 0.5)]), np.stack([2.0 * np.eye(D)] * 2))


tiny = np.finfo(np.float64).tiny
print(f"{'D':>4} {'densities = 0':>14} {'naive ln p = -inf':>18} {'median ln p(x_n)':>17}")
high_d = {}
for D in (10, 100, 300, 400, 500):
    gmm_D = far_apart_model(D)
    X_D, _ = gb.sample(gmm_D, 100, np.random.default_rng(1))
    with np.errstate(under="ignore", divide="ignore"):
        dens_D = np.exp(gb.log_joint(X_D, gmm_D))                        # pi_k N_k as numbers
        naive_D = np.log(dens_D.sum(axis=1))
    stable_D = gb.log_marginal(X_D, gmm_D)
    log_dens_ref = np.column_stack([stats.norm.logpdf(X_D, mean, np.sqrt(2.0)).sum(axis=1) for mean in gmm_D.means])
    reference_D = special.logsumexp(np.log(gmm_D.weights) + log_dens_ref, axis=1)
    high_d[D] = (dens_D, naive_D, stable_D, reference_D)
    print(f"{D:4d} {np.sum(dens_D == 0):8d} / {dens_D.size} {np.sum(np.isneginf(naive_D)):12d} / 100"
          f" {np.median(stable_D):17.1f}")

# %% [markdown]
# **CHECK (logsumexp), many dimensions.** For every $D$ the stable values agree with the coordinate-wise SciPy reference; where the densities are normal floats the naive values agree too; at $D = 500$ every one of the 200 densities is 0 and every naive $\ln p(\mathbf{x}_n)$ is $-\infty$.

# %%
for D, (dens_D, naive_D, stable_D, reference_D) in high_d.items():
    assert np.all(np.abs(stable_D - reference_D) <= 1e-12 * np.abs(reference_D)), D
    ok = dens_D.sum(axis=1) >= tiny
    assert np.all(np.abs(naive_D[ok] - stable_D[ok]) <= 1e-13 * np.abs(stable_D[ok])), D
assert np.all(high_d[100][0].sum(axis=1) >= tiny)                   # D = 100: the naive way still works ...
assert np.all(high_d[500][0] == 0) and np.all(np.isneginf(high_d[500][1]))   # ... D = 500: it fails everywhere
assert np.all(high_d[500][2] < np.log(np.nextafter(0.0, 1.0)))     # every true p(x_n) < the smallest positive float64
print("check (logsumexp), many dimensions: gb.log_marginal equals a coordinate-wise SciPy log-sum-exp"
      " (rel. error < 1e-12) for D = 10 ... 500, and the naive value where it is computable (< 1e-13);"
      " at D = 500 all 200 densities are 0.0 and all 100 naive log-densities are -inf")

# %% [markdown]
# **What we verified:** in 500 dimensions every density of every point underflows, so a mixture fitted in probability space would see a likelihood of $\ln 0 = -\infty$ for any $\theta$, while log-sum-exp gives the correct values (about $-880$ per point, as equation (high-d) predicts).
# This is why `gmmbook` computes $\ln \mathcal{N}$ from equation (gauss) directly and never forms a density on the way to $\ell$.

# %% [markdown]
# ## 3. Maximum likelihood, and the shape of $\ell(\theta)$
#
# To fit a mixture by maximum likelihood is to find
#
# $$ \hat\theta = \arg\max_{\theta} \ell(\theta), \qquad \pi_k \ge 0,\ \sum_k \pi_k = 1,\ \boldsymbol\Sigma_k \text{ symmetric positive definite} \tag{ml} $$
#
# For one Gaussian the answer has a closed form (chapter 01): the sample mean and the sample covariance divided by $N$.
# For a mixture there is none (chapter 05 shows why: the log of a sum in equation (loglik) couples all components).
# So we must *climb*: start somewhere and repeatedly move uphill.
# How well climbing can work depends on the landscape $\ell(\theta)$, and we ask three questions about it.
#
# To climb we will use `gb.em`, the EM algorithm, as a black box: from a starting $\theta$ it takes steps that never decrease $\ell$ and stops when $\ell$ no longer changes (by less than `tol` per point).
# Chapters 05 and 06 derive it and show why it never goes downhill; here we only need that it climbs.
# `gb.em(X, K, rng=...)` chooses its own start (a k-means clustering, seeded by `rng`); `gb.em(X, gmm)` starts from a given `GMM`.
#
# ### 3.1 Is the cost convex?
#
# In optimisation one *minimises* a cost, here $-\ell(\theta)$.
# The cost is convex, equivalently $\ell$ is concave, if for any two parameter values $\theta_a$, $\theta_b$ and any $\lambda \in [0, 1]$
#
# $$ \ell\big(\lambda \theta_a + (1 - \lambda) \theta_b\big) \ \ge\ \lambda\, \ell(\theta_a) + (1 - \lambda)\, \ell(\theta_b) \tag{concave} $$
#
# i.e. the graph of $\ell$ never dips below a chord.
# (The constraint set of equation (ml) is convex, since averages of weight vectors are weight vectors and averages of positive definite matrices are positive definite, so the left side is always defined.)
# Concavity would be great news: every local maximum would be the global maximum, and any climber would find it.
# The log-likelihood of *one* Gaussian is concave in $\boldsymbol\mu$.
# Is the mixture's?
#
# A concave function stays concave along every straight line, so one line with two separate peaks is enough to answer no.
# The setup is that of `plotting.fig_loglik_slice`: our 200 points from `three_component_1d` (three bumps, at $-2$, $1$ and $4$), and a model with one component too few.
# The model is $K = 2$ with the truth's first two components, weights renormalised to $\boldsymbol\pi = (0.375, 0.625)$, variances $(0.5, 1)$ and $\mu_2 = 1$ fixed, and we move $\mu_1$ along a grid from $-6$ to $8$.
# (With all three true components in the model, the same slice has a single maximum: every bump is already explained and $\mu_1$ has nowhere else to go. We count that case too.)

# %%
weights_s = gmm1.weights[:2] / gmm1.weights[:2].sum()              # (0.375, 0.625)
variances_s = gmm1.covariances[:2, 0, 0]                            # (0.5, 1)
mu2_s = gmm1.means[1, 0]                                            # 1
grid = np.linspace(-6.0, 8.0, 701)                                  # the grid of plotting.fig_loglik_slice


def interior_maxima(values):
    """Indices i of the grid where values[i] is above its left neighbour and not below its right one."""
    inner = (values[1:-1] > values[:-2]) & (values[1:-1] >= values[2:])
    return np.flatnonzero(inner) + 1


loglik_slice = np.array([gb.log_likelihood(X1, gmm_1d(weights_s, [mu1, mu2_s], variances_s)) for mu1 in grid])
loglik_slice_k3 = np.array([gb.log_likelihood(X1, gmm_1d(gmm1.weights, [mu1, 1.0, 4.0], gmm1.covariances[:, 0, 0]))
                            for mu1 in grid])
maxima = interior_maxima(loglik_slice)
print("K = 2 slice: local maxima of l(mu_1) on the grid at mu_1 =", grid[maxima].round(2),
      "with l =", loglik_slice[maxima].round(2))
for i in maxima:                    # refine each between its neighbouring grid points, as the figure does
    res = minimize_scalar(lambda mu1: -gb.log_likelihood(X1, gmm_1d(weights_s, [mu1, mu2_s], variances_s)),
                          bounds=(grid[i - 1], grid[i + 1]), method="bounded", options={"xatol": 1e-8})
    print(f"  refined: mu_1 = {res.x:.2f}, l = {-res.fun:.2f}")
print("K = 3 slice (all other parameters true): number of local maxima =", len(interior_maxima(loglik_slice_k3)))

i_a, i_b = maxima[0], maxima[-1]
i_c = i_a + np.argmin(loglik_slice[i_a:i_b + 1])                    # the lowest point between the two peaks
lam = (grid[i_b] - grid[i_c]) / (grid[i_b] - grid[i_a])             # mu_1(c) = lam mu_1(a) + (1 - lam) mu_1(b)
chord = lam * loglik_slice[i_a] + (1 - lam) * loglik_slice[i_b]
print(f"between them, at mu_1 = {grid[i_c]:.2f}: l = {loglik_slice[i_c]:.2f},"
      f" but the chord of (concave) is at {chord:.2f}")

# %% [markdown]
# **CHECK (concave).** The slice has more than one local maximum, and between the two peaks $\ell$ falls below the chord, so inequality (concave) fails.

# %%
assert len(maxima) > 1
assert loglik_slice[i_c] < chord - 10
assert len(interior_maxima(loglik_slice_k3)) == 1
print(f"check (concave): the slice l(mu_1) of the K = 2 model has {len(maxima)} local maxima on a grid of 701 points,"
      " and between them l lies more than 10 below the chord: the log-likelihood is not concave"
      " (the K = 3 slice with the other parameters at the truth has 1)")

# %% [markdown]
# **What we verified:** along one straight line in parameter space the log-likelihood has two separate peaks (at $\mu_1 \approx -1.88$, explaining the bump at $-2$, and at $\mu_1 \approx 3.77$, explaining the bump at $4$) with a valley between them, so $-\ell$ is not convex.
# Each peak is a way of using the free component; with one component too few the model has to choose, and each choice is a hill of its own.

# %%
fig = plotting.fig_loglik_slice()
plt.show()

# %% [markdown]
# #### Different starts, different optima
#
# A slice is one line through a space of many dimensions; do real climbs also end in different places?
# We fit $K = 3$ full-covariance components to Old Faithful (chapter 01) with `gb.em` from six starts, seeds 0 to 5, and look at where each run stops.

# %%
X_faithful = gb.datasets.old_faithful()
fits_faithful = {seed: gb.em(X_faithful, 3, rng=np.random.default_rng(seed)) for seed in range(6)}
print(f"{'seed':>4} {'final l':>10}   smallest component: weight, mean (eruption min, waiting min)")
for seed, fit in fits_faithful.items():
    k = np.argmin(fit.gmm.weights)
    print(f"{seed:4d} {fit.log_likelihood:10.2f}   {fit.gmm.weights[k]:.2f},"
          f" ({fit.gmm.means[k, 0]:.2f}, {fit.gmm.means[k, 1]:.1f})")

# %% [markdown]
# Two different answers.
# The better runs put the third, small component between the two clusters (eruptions of 3.6 minutes, 70 minutes' wait); the worse runs put it at the long end of the short-eruption cluster (2.75 minutes, 62 minutes' wait).
# Could the lower one be an artefact, a flat region where EM crawled so slowly that it stopped early?
# A real local maximum must attract nearby starts: if we nudge its means and climb again, we must come back to the same value, not escape to the better one.
#
# **CHECK (concave), different starts.** All six runs converged (by the stopping rule of `gb.em`), they end at two values more than 0.1 apart, and two random nudges of the lower solution's means (by 5 % of each coordinate's standard deviation) both climb back to the lower value.

# %%
assert all(fit.converged for fit in fits_faithful.values())
finals = np.array([fit.log_likelihood for fit in fits_faithful.values()])
best_fit = fits_faithful[int(np.argmax(finals))]
worse_fit = fits_faithful[int(np.argmin(finals))]
assert best_fit.log_likelihood - worse_fit.log_likelihood > 0.1
rng_nudge = np.random.default_rng(11)
for _ in range(2):
    g = worse_fit.gmm
    nudged = gb.GMM(g.weights, g.means + 0.05 * X_faithful.std(axis=0) * rng_nudge.standard_normal(g.means.shape),
                    g.covariances)
    again = gb.em(X_faithful, nudged)
    assert abs(again.log_likelihood - worse_fit.log_likelihood) < 1e-3
print(f"check (concave), different starts: six converged EM runs on Old Faithful (K = 3) end at"
      f" {len(set(finals.round(2)))} different log-likelihoods, {best_fit.log_likelihood:.2f} and"
      f" {worse_fit.log_likelihood:.2f}; two nudged restarts from the lower one return to it within 1e-3")

# %% [markdown]
# **What we verified:** the same algorithm on the same data ends in different local maxima from different starts, and the worse one is a genuine hill top, not a place where EM stalled.
# In practice one runs several starts and keeps the best (the `n_init` argument of `gb.em`); chapter 06 studies how many are needed.

# %% [markdown]
# ### 3.2 Is $\theta$ identifiable?
#
# Parameters are *identifiable* when different parameter values give different distributions of the data; then the data can, in principle, tell them apart.
# A mixture fails this in the simplest way.
# Let $s$ be a permutation of $\{1, \dots, K\}$ and $\theta_s$ the same components with their labels shuffled: $\pi^{(s)}_k = \pi_{s(k)}$, $\boldsymbol\mu^{(s)}_k = \boldsymbol\mu_{s(k)}$, $\boldsymbol\Sigma^{(s)}_k = \boldsymbol\Sigma_{s(k)}$.
# Then, because a sum does not depend on the order of its terms,
#
# $$ p(\mathbf{x} \mid \theta_s) = \sum_{k=1}^K \pi_{s(k)} \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_{s(k)}, \boldsymbol\Sigma_{s(k)}) = \sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j) = p(\mathbf{x} \mid \theta) \tag{perm} $$
#
# (substituting $j = s(k)$, which runs over $1, \dots, K$ exactly once).
# So $\ell(\theta_s) = \ell(\theta)$ for all $K!$ permutations: if $\hat\theta$ is a maximum, so are its $K!$ relabellings, and when the components are distinct these are $K!$ different points of parameter space.
# The labels "component 1, 2, 3" mean nothing to the likelihood.
#
# We see it happen: three runs of `gb.em` with $K = 3$ on our 200 points, from different seeds.

# %%
fits_1d = {seed: gb.em(X1, 3, rng=np.random.default_rng(seed)) for seed in range(3)}
print(f"{'seed':>4} {'final l':>9}   means (component 1, 2, 3)")
for seed, fit in fits_1d.items():
    print(f"{seed:4d} {fit.log_likelihood:9.2f}   {fit.gmm.means[:, 0].round(2)}")

# %% [markdown]
# The same fit, found three times, with the components in three different orders.
# Now all $3! = 6$ relabellings of the first fit, checked one by one.

# %%
theta_hat = fits_1d[0].gmm
loglik_hat = gb.log_likelihood(X1, theta_hat)
permutations = list(itertools.permutations(range(theta_hat.K)))
relabelled = [gb.GMM(theta_hat.weights[list(s)], theta_hat.means[list(s)], theta_hat.covariances[list(s)])
              for s in permutations]
loglik_relabelled = np.array([gb.log_likelihood(X1, g) for g in relabelled])
mean_vectors = np.array([g.means[:, 0] for g in relabelled])
gaps = [np.max(np.abs(u - v)) for u, v in itertools.combinations(mean_vectors, 2)]
for s, g, ll in zip(permutations, relabelled, loglik_relabelled):
    print(f"s = {tuple(int(j) + 1 for j in s)}: means {g.means[:, 0].round(2)}, l = {ll:.4f}")

# %% [markdown]
# **CHECK (perm).** All $K! = 6$ relabellings are different parameter vectors (their mean vectors differ by more than 1 somewhere), and all have the same log-likelihood.
# And the three EM runs above found one fit in three orders: the same $\ell$, the same means once sorted, three different orders of the components.

# %%
assert len(permutations) == 6 and min(gaps) > 1.0
assert np.max(np.abs(loglik_relabelled - loglik_hat)) < 1e-12 * abs(loglik_hat)
lls_1d = np.array([fit.log_likelihood for fit in fits_1d.values()])
sorted_means_1d = np.array([np.sort(fit.gmm.means[:, 0]) for fit in fits_1d.values()])
orders_1d = {tuple(np.argsort(fit.gmm.means[:, 0])) for fit in fits_1d.values()}
assert np.ptp(lls_1d) < 1e-6 * abs(loglik_hat) and np.ptp(sorted_means_1d, axis=0).max() < 1e-3
assert len(orders_1d) == 3
print("check (perm): the 3! = 6 relabellings of the fitted K = 3 mixture are 6 distinct parameter vectors"
      " with equal log-likelihood, rel. difference < 1e-12; the three EM runs found the same fit"
      " (l within 1e-6 relative, means within 1e-3 once sorted) in three different orders")

# %% [markdown]
# **What we verified:** equation (perm): the likelihood has (at least) $K!$ equal maxima, and which of them EM lands on depends only on its start.
#
# #### Between two equal peaks
#
# $\theta$ and its relabelling $\theta_s$ are equally good.
# What about the point halfway between them, $\tfrac12 \theta + \tfrac12 \theta_s$ (average the weights, the means and the covariances)?
# If $\ell$ were concave, inequality (concave) with $\lambda = \tfrac12$ would give $\ell(\tfrac12\theta + \tfrac12\theta_s) \ge \tfrac12 \ell(\theta) + \tfrac12 \ell(\theta_s) = \ell(\hat\theta)$: the midpoint would be at least as good.
# In fact averaging two different components blurs them into one compromise, which explains the data worse.

# %%
print(f"l at the fit: {loglik_hat:.2f}")
loglik_mid = []
for s in permutations[1:]:
    s = list(s)
    midpoint = gb.GMM((theta_hat.weights + theta_hat.weights[s]) / 2, (theta_hat.means + theta_hat.means[s]) / 2,
                      (theta_hat.covariances + theta_hat.covariances[s]) / 2)
    loglik_mid.append(gb.log_likelihood(X1, midpoint))
    print(f"midpoint with s = {tuple(j + 1 for j in s)}: means {midpoint.means[:, 0].round(2)},"
          f" l = {loglik_mid[-1]:.2f}")

# %% [markdown]
# **CHECK (perm), midpoints.** Each of the five midpoints between the fit and one of its relabellings has a log-likelihood at least 10 below the two (equal) endpoints, violating inequality (concave).

# %%
assert np.all(np.array(loglik_mid) < loglik_hat - 10)
print("check (perm), midpoints: for all 5 non-trivial relabellings s, l((theta + theta_s) / 2) < l(theta) - 10:"
      " two equal maxima with a valley between them, so l is not concave")

# %% [markdown]
# **What we verified:** the symmetry alone forces the landscape to have valleys: whenever there are two distinct equal maxima, the straight line between them must dip (otherwise the whole segment would be a ridge of maxima).
#
# The picture, from `plotting.fig_permutation_symmetry`: 200 points from `two_component_1d` (drawn with `default_rng(4)`), a model with $\sigma_1 = \sigma_2 = 1$ and $\boldsymbol\pi = (\tfrac12, \tfrac12)$ fixed, and $\ell$ over the plane of $(\mu_1, \mu_2)$.
# The landscape is mirror-symmetric about the diagonal $\mu_1 = \mu_2$, where the two components coincide; the two maxima are mirror images, and the midpoint between them lies on the diagonal, lower.

# %%
fig = plotting.fig_permutation_symmetry()
plt.show()

# %% [markdown]
# Relabelling is harmless for prediction: every relabelling gives the same density.
# It matters when we *compare* or *average* parameters: two fits must be matched up to permutation before their means are compared (sort the components, e.g. by their means), and methods that average over many parameter values, such as Bayesian sampling, see the $K!$ copies and mix up the labels ("label switching").
# Permutation is not the only non-identifiability: a component with weight $\pi_k = 0$ can have any mean and covariance, and two identical components can split their weight in any proportion, without changing $p(\mathbf{x})$.

# %% [markdown]
# ### 3.3 Is $\ell$ bounded?
#
# A maximum can only exist if $\ell$ is bounded above.
# For one Gaussian it is, as long as the points are not all equal (in $D$ dimensions: do not all lie on a lower-dimensional plane).
# For a mixture it is not, and here is the whole argument.
#
# Put the mean of component 1 exactly on a data point, $\mu_1 = x_0$, and let its standard deviation $\sigma_1$ shrink, keeping everything else fixed.
# The setup is that of `plotting.fig_collapse`: 200 points from `two_component_1d` (drawn with `default_rng(4)`), $\boldsymbol\pi = (\tfrac12, \tfrac12)$, component 1 as just described, and component 2 the maximum-likelihood single Gaussian of the data, $\mu_2 = \bar x$ and $\sigma_2^2$ the variance with divisor $N$.
# Split $\ell$ into the term of $x_0$ and the others, and bound each from below by dropping one (positive) term inside the logarithm:
#
# $$ \ln\Big[\tfrac12 \mathcal{N}(x_0 \mid x_0, \sigma_1^2) + \tfrac12 \mathcal{N}(x_0 \mid \mu_2, \sigma_2^2)\Big] \ \ge\ \ln \frac{1}{2\sqrt{2\pi}\,\sigma_1} = -\ln \sigma_1 - \ln\big(2\sqrt{2\pi}\big) \tag{collapse-term} $$
#
# $$ \ln\Big[\tfrac12 \mathcal{N}(x_n \mid x_0, \sigma_1^2) + \tfrac12 \mathcal{N}(x_n \mid \mu_2, \sigma_2^2)\Big] \ \ge\ \ln\Big[\tfrac12 \mathcal{N}(x_n \mid \mu_2, \sigma_2^2)\Big], \qquad n \ne 0 \tag{collapse-others} $$
#
# because $\mathcal{N}(x_0 \mid x_0, \sigma_1^2) = 1 / (\sqrt{2\pi}\,\sigma_1)$: a Gaussian evaluated at its own mean.
# Adding up,
#
# $$ \ell(\sigma_1) \ \ge\ A(\sigma_1) = -\ln \sigma_1 + C, \qquad C = -\ln\big(2\sqrt{2\pi}\big) + \sum_{n \ne 0} \ln\Big[\tfrac12 \mathcal{N}(x_n \mid \mu_2, \sigma_2^2)\Big] \tag{collapse-asym} $$
#
# and $-\ln \sigma_1 \to +\infty$ as $\sigma_1 \to 0$.
# So $\ell$ has no upper bound: the supremum of the likelihood is $+\infty$, and a "maximum-likelihood estimate" in the literal sense does not exist.
# The bound is also tight: the terms we dropped are $\tfrac12\mathcal{N}(x_0 \mid \mu_2, \sigma_2^2)$, which is at most a fraction $\sigma_1 / \sigma_2$ of the kept one, and $\tfrac12\mathcal{N}(x_n \mid x_0, \sigma_1^2)$, which vanishes like $e^{-(x_n - x_0)^2 / 2\sigma_1^2}$ once $\sigma_1$ is much smaller than the distance from $x_0$ to its nearest neighbour (here 0.013).
# So for small $\sigma_1$, $0 \le \ell(\sigma_1) - A(\sigma_1) \lesssim \sigma_1 / \sigma_2$, and since $A$ rises by exactly $\ln 10 \approx 2.3026$ for every decade that $\sigma_1$ shrinks, so does $\ell$, up to that vanishing gap.
#
# We tabulate $\ell$ at $\sigma_1 = 1, 0.1, \dots, 10^{-8}$ with `gb.log_likelihood`, and $A(\sigma_1)$ from equation (collapse-asym) with SciPy.

# %%
X_c, _ = gb.sample(gmm_two, 200, np.random.default_rng(4))     # the data of plotting.fig_collapse
x0 = X_c[0, 0]
mu2_c, var2_c = X_c.mean(), X_c.var()                           # one-Gaussian ML fit (divisor N)
sigma2_c = np.sqrt(var2_c)


def collapse_model(sigma1):
    """pi = (1/2, 1/2); component 1 is N(x_0, sigma1^2), component 2 the one-Gaussian fit N(mean, var)."""
    return gmm_1d([0.5, 0.5], [x0, mu2_c], [sigma1**2, var2_c])


C_collapse = -np.log(2 * np.sqrt(2 * np.pi)) + np.sum(np.log(0.5) + stats.norm.logpdf(X_c[1:, 0], mu2_c, sigma2_c))
sigmas = 10.0 ** -np.arange(9)
loglik_sigma = np.array([gb.log_likelihood(X_c, collapse_model(s)) for s in sigmas])
asymptote = -np.log(sigmas) + C_collapse                         # A(sigma_1), equation (collapse-asym)
rises = np.diff(loglik_sigma)                                    # change of l over each decade

print(f"x_0 = {x0:.4f}, mu_2 = {mu2_c:.4f}, sigma_2 = {sigma2_c:.4f}, nearest other point at distance"
      f" {np.min(np.abs(X_c[1:, 0] - x0)):.4f}")
print(f"{'sigma_1':>8} {'l(sigma_1)':>11} {'rise over the decade':>21} {'l - A':>9}")
for i, s in enumerate(sigmas):
    rise = f"{rises[i - 1]:21.6f}" if i > 0 else " " * 21
    print(f"{s:8.0e} {loglik_sigma[i]:11.2f} {rise} {loglik_sigma[i] - asymptote[i]:9.1e}")
print(f"ln 10 = {np.log(10):.6f}")

# %% [markdown]
# At first $\ell$ *falls* as $\sigma_1$ shrinks: component 1 spends half the weight on an ever narrower region that contains only $x_0$, so every other point is explained by component 2 alone, at half weight.
# Once $\sigma_1$ is well below the gap to $x_0$'s nearest neighbour, only the $-\ln \sigma_1$ of equation (collapse-term) changes, and $\ell$ climbs without end.
#
# **CHECK (collapse-asym).** At every $\sigma_1$ in the table $\ell \ge A$; for $\sigma_1 \le 10^{-3}$ the gap $\ell - A$ is below $\sigma_1 / \sigma_2$, and each decade's rise is within $\sigma_1 / \sigma_2$ (at the decade's start) of $\ln 10$.
# Finally, to see unboundedness in action: the bound (collapse-asym) tells us which $\sigma_1$ guarantees any level $L$ we like: $\sigma_L = e^{C - L - 1}$ gives $\ell(\sigma_L) \ge A(\sigma_L) = L + 1$.
# We take $L$ ten units *above* the sensible two-component fit that `gb.em` finds from the start $\sigma_1 = 1$, and check that $\ell(\sigma_L) > L$.

# %%
assert np.all(loglik_sigma >= asymptote - 1e-9)
small = sigmas <= 1e-3
assert np.all(loglik_sigma[small] - asymptote[small] <= sigmas[small] / sigma2_c + 1e-9)
assert np.all(np.abs(rises[3:] - np.log(10)) <= sigmas[3:-1] / sigma2_c + 2e-9)

fit_sensible = gb.em(X_c, collapse_model(1.0))
level = fit_sensible.log_likelihood + 10
sigma_level = np.exp(C_collapse - level - 1)                    # A(sigma_level) = level + 1
loglik_level = gb.log_likelihood(X_c, collapse_model(sigma_level))
assert loglik_level > level
print(f"EM from sigma_1 = 1 reaches l = {fit_sensible.log_likelihood:.2f} with means"
      f" {np.sort(fit_sensible.gmm.means[:, 0]).round(2)}; the collapsed sigma_1 = {sigma_level:.1e} gives"
      f" l = {loglik_level:.2f} > {level:.2f}")
print("check (collapse-asym): l(sigma_1) >= -ln sigma_1 + C for sigma_1 = 1 ... 1e-8, the gap is below"
      " sigma_1 / sigma_2 for sigma_1 <= 1e-3, each decade adds ln 10 within that bound, and a collapsed"
      " component beats the sensible fit by more than 10")

# %% [markdown]
# **What we verified:** the closed-form lower bound (collapse-asym) holds and is attained to within $\sigma_1/\sigma_2$; $\ell$ grows like $-\ln \sigma_1$, by $\ln 10$ per decade, without bound; and a component of width $10^{-80}$ on a single point "explains" the data better than the two real components.
# That degenerate solution is useless as a model (a spike on one observation), which is why the book never means the global supremum when it says "the maximum-likelihood fit": it means a good local maximum away from the singularities, like the fit with means near $-2$ and $2$.

# %%
fig = plotting.fig_collapse()
plt.show()

# %% [markdown]
# ### 3.4 Remedies for collapse
#
# A climber such as EM does not go looking for the spike, but it can fall into it.
# From a start whose component 1 is already narrow on $x_0$ ($\sigma_1 = 10^{-3}$, everything else as above), the first E-step gives $x_0$ to component 1 almost entirely and every other point to component 2, the M-step makes component 1 even narrower, and after a step or two its variance is numerically zero.
# `gb.em` then stops with a `gb.CollapseError`, a `ValueError` that names the component (by its code index: "component 0" is our component 1) and says what to change.
#
# **A covariance floor.** `reg_covar` $= c$ adds $c\,\mathbf{I}$ to every covariance after every M-step (as scikit-learn does), so every $\boldsymbol\Sigma_k$ has all eigenvalues at least $c$.
# Then $\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \le (2\pi)^{-D/2} (\det \boldsymbol\Sigma_k)^{-1/2} \le (2\pi c)^{-D/2}$, the mixture density is at most that too, and
#
# $$ \ell(\theta) \ \le\ -\frac{N D}{2} \ln(2\pi c) \tag{floor-bound} $$
#
# so the likelihood over the floored parameters is bounded and has a maximum.
# The floor does not by itself push the component away from the spike: a tiny floor only stops the fall at $\sigma_1^2 = c$.
# A larger floor, still small against the spread of the data (here $c = 10^{-2}$, against a data variance of about 5.5), makes the spike unattractive: a component at least $\sigma_1 = 0.1$ wide cannot earn enough on $x_0$ alone to pay for the weight it takes from the other points, as the third run below shows.
# We run the same collapsing start three ways.

# %%
collapsing_start = collapse_model(1e-3)
collapsed = False
try:
    gb.em(X_c, collapsing_start)                                 # reg_covar = 0
except gb.CollapseError as err:
    collapsed = True
    first_line = str(err).splitlines()[0]
    # the size of the vanished pivot is rounding noise, so we do not print its digits
    print("reg_covar = 0:    CollapseError:", re.sub(r"pivot² [^)]*", "pivot² <tiny>", first_line))

fit_floor = gb.em(X_c, collapsing_start, reg_covar=1e-6)
fit_reg = gb.em(X_c, collapsing_start, reg_covar=1e-2)
for name, fit in (("reg_covar = 1e-6", fit_floor), ("reg_covar = 1e-2", fit_reg)):
    variances = fit.gmm.covariances[:, 0, 0]
    print(f"{name}: converged = {fit.converged}, l = {fit.log_likelihood:.2f}, means {fit.gmm.means[:, 0].round(2)},"
          f" variances {variances[0]:.3g} and {variances[1]:.3g}")
print(f"the bound (floor-bound) for c = 1e-6: l <= {-len(X_c) / 2 * np.log(2 * np.pi * 1e-6):.2f}")

# %% [markdown]
# **CHECK (floor-bound).** Without a floor the start collapses (`CollapseError`); with $c = 10^{-6}$ EM converges, with component 1 still on $x_0$ and its variance held at the floor, below the bound (floor-bound); with $c = 10^{-2}$ it converges to the two real components, within 0.05 of the unregularised sensible fit.

# %%
assert collapsed
means_floor, vars_floor = fit_floor.gmm.means[:, 0], fit_floor.gmm.covariances[:, 0, 0]
assert fit_floor.converged and abs(means_floor[0] - x0) < 1e-6 and 1e-6 <= vars_floor[0] < 1.01e-6
assert fit_floor.log_likelihood <= -len(X_c) / 2 * np.log(2 * np.pi * 1e-6)
assert fit_reg.converged
assert np.all(np.abs(np.sort(fit_reg.gmm.means[:, 0]) - np.sort(fit_sensible.gmm.means[:, 0])) < 0.05)
assert abs(fit_reg.log_likelihood - fit_sensible.log_likelihood) < 0.05
print("check (floor-bound): the collapsing start raises CollapseError with reg_covar = 0; with reg_covar = 1e-6"
      " EM converges to the spike on x_0 with variance at the floor; with reg_covar = 1e-2 it converges to the"
      " two real components (means and l within 0.05 of the sensible fit)")

# %% [markdown]
# **What we verified:** `reg_covar` turns a crash into convergence, but only a floor of a sensible size also avoids the degenerate answer; a tiny floor gives a "converged" fit that is still a spike on one point, with a worse log-likelihood ($-453$) than the real fit ($-419$).
#
# **Priors (MAP).** The principled version of a floor is a prior on the covariances, maximising $\ell(\theta) + \ln p(\theta)$ instead of $\ell(\theta)$ (maximum a posteriori).
# With an inverse-gamma prior $p(\sigma_k^2) \propto (\sigma_k^2)^{-(a+1)} e^{-b/\sigma_k^2}$ on a 1-D variance, the term $-b/\sigma_k^2$ tends to $-\infty$ much faster than the collapse term $-\ln \sigma_k$ tends to $+\infty$, so the objective is bounded, and the variance update of chapter 05 becomes $\sigma_k^2 = (S_k + 2b) / (N_k + 2a + 2)$, with $S_k$ the weighted sum of squared deviations: it can never fall below $2b / (N + 2a + 2)$.
# In $D$ dimensions the inverse-Wishart prior (scale matrix $\boldsymbol\Psi$, $\nu$ degrees of freedom) does the same, $\boldsymbol\Sigma_k = (\mathbf{S}_k + \boldsymbol\Psi) / (N_k + \nu + D + 1)$ with $\mathbf{S}_k$ the weighted scatter matrix.
# `reg_covar` is a cruder cousin: it adds the same $c\,\mathbf{I}$ whatever $N_k$ is, while the prior's pull fades as a component gathers more data.
#
# **Restarting collapsed components.** A collapse is a symptom of a bad start, so the simplest remedy is to catch it and start again elsewhere: from another seed, or by re-initialising only the collapsed component (for example at a random data point, with the data's covariance) and continuing.
# `gb.CollapseError` is its own exception type so that a restart loop can catch exactly this case.
# We try both on our collapsing start: a new k-means start, and re-initialising only the collapsed component (the error message names it) at a random data point with the variance of the data, keeping the other component as it was.

# %%
try:
    gb.em(X_c, collapsing_start)
except gb.CollapseError as err:
    k_bad = err.k                                                      # the collapsed component (code index)
    fit_restart = gb.em(X_c, 2, rng=np.random.default_rng(0))         # (1) start again from a k-means start
    means_new, covs_new = collapsing_start.means.copy(), collapsing_start.covariances.copy()
    means_new[k_bad] = X_c[np.random.default_rng(0).integers(len(X_c))]   # (2) only component k_bad: a data point
    covs_new[k_bad] = X_c.var()                                       #     and the variance of the data
    fit_reinit = gb.em(X_c, gb.GMM(collapsing_start.weights, means_new, covs_new))
print(f"collapsed: component {k_bad + 1} (code index {k_bad})")
for name, fit in (("new k-means start:       ", fit_restart), ("component re-initialised:", fit_reinit)):
    order = np.argsort(fit.gmm.means[:, 0])
    print(f"{name} l = {fit.log_likelihood:.2f}, means {fit.gmm.means[order, 0].round(2)},"
          f" standard deviations {np.sqrt(fit.gmm.covariances[order, 0, 0]).round(2)}")

# %% [markdown]
# **CHECK (restart).** Both restarted runs converge to the same local maximum as the sensible fit from $\sigma_1 = 1$.

# %%
for fit in (fit_restart, fit_reinit):
    assert fit.converged
    assert abs(fit.log_likelihood - fit_sensible.log_likelihood) < 1e-3
    assert np.all(np.abs(np.sort(fit.gmm.means[:, 0]) - np.sort(fit_sensible.gmm.means[:, 0])) < 1e-2)
print("check (restart): catching CollapseError and restarting, from a new k-means start or with only the collapsed"
      " component re-initialised, reaches the sensible fit (log-likelihood within 1e-3, means within 1e-2)")

# %% [markdown]
# **What we verified:** collapse is a property of some starts, not of the data; a restart, of the whole run or of the collapsed component alone, avoids it without changing the model.

# %% [markdown]
# ## Summary
#
# - Summing the one-hot $\mathbf{z}$ out of the joint gives the mixture density, equation (marginal); we checked it by enumerating the $K$ states, equation (sum-rule), and as a Monte Carlo average of $p(\mathbf{x} \mid \mathbf{z})$ over the prior, equation (mc).
# - The log-likelihood of a data set is a sum over points of the logarithm of a sum over components, equation (loglik); the product (likelihood) underflows for a few hundred points.
# - Densities themselves underflow far from the components and in many dimensions (at $D = 500$, for every point); log-sum-exp, equation (logsumexp), subtracts the largest term and stays exact and finite. `gb.log_marginal` and `gb.log_likelihood` work this way and agree with the naive formula wherever it works.
# - Maximum likelihood, equation (ml), has no closed form for a mixture, and its landscape is hard:
#   it is **not concave** (a slice with two peaks, inequality (concave) violated; EM from different starts ends in different local maxima);
#   it is **not identifiable** ($K!$ relabellings give equal likelihood, equation (perm), and the midpoints between them are worse);
#   it is **not bounded** (a component collapsing on a data point gives $\ell \ge -\ln \sigma_1 + C$, equation (collapse-asym)).
# - Remedies for collapse: a covariance floor (`reg_covar`, which bounds $\ell$, equation (floor-bound)), a prior on the covariances (MAP), and restarting collapsed runs or components.
#
# Next, chapter 04 turns the joint and the marginal into the posterior $p(\mathbf{z} \mid \mathbf{x})$, the responsibilities; chapters 05 and 06 build EM, the climber we used here as a black box.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/03_marginal_likelihood.ipynb): among them, implement log-sum-exp, show that permuting the components leaves the likelihood unchanged, and work out the $\sigma \to 0$ limit.

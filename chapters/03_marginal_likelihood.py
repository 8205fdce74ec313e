# %% [markdown]
# # Chapter 03: The marginal likelihood and its landscape
#
# Chapter 02 told the mixture as a story with a hidden step: pick a component $\mathbf{z}$, then draw $\mathbf{x}$ from it.
# We never see $\mathbf{z}$, so the density of what we see is the joint summed over every value $\mathbf{z}$ could take.
# This chapter does that sum, turns it into the likelihood of a data set, and computes it without underflow.
# Then it asks three questions about maximum likelihood: is the likelihood a single hill, with a unique top, with a top at all?
#
# ## What you will learn
#
# - Summing $\mathbf{z}$ out of the joint gives the mixture density, equation (marginal); we check it by enumeration and by Monte Carlo.
# - The log-likelihood of a data set, equation (loglik), is a sum of logarithms *of sums*.
# - The log-sum-exp trick, equation (logsumexp), computes it where the naive formula returns $-\infty$.
# - $\ell$ is not concave and not bounded, and $\theta$ is not identifiable; and what is done about collapse.
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture, equation (mixture), and the log-likelihood, equation (total-loglik).
# - Chapter 02: the prior $p(\mathbf{z})$, equation (prior), the conditional $p(\mathbf{x} \mid \mathbf{z})$, equation (cond), the joint $p(\mathbf{x}, z_k = 1)$, equation (joint-k), and the joint of a data set, equation (joint-data).
# - The sum rule $p(a) = \sum_b p(a, b)$; the mean and standard error of a sample.
#
# The symbols are those of the notation table (chapter 00); $\ell$ is always the *total* log-likelihood, a sum over the points.

# %%
import itertools

import matplotlib.pyplot as plt
import mpmath
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
# By the sum rule, the density of $\mathbf{x}$ is the joint summed over the values of the other variable, here the one-hot $\mathbf{z}$ (Deisenroth, Faisal and Ong, 2020, §11.4.2):
#
# $$ p(\mathbf{x}) = \sum_{\mathbf{z}} p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z}) \tag{sum-rule} $$
#
# The sum runs over the $K$ unit vectors $\mathbf{e}_k$, and the term of $\mathbf{e}_k$ is $p(\mathbf{x}, z_k = 1) = \pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (joint-k):
#
# $$ p(\mathbf{x}) = \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{marginal} $$
#
# This is the mixture density of chapter 01, now *derived* from the generative story.
# It is called the *marginal* because $\mathbf{z}$ has been summed out (marginalised).
#
# **CHECK (sum-rule), (marginal).** We evaluate equation (sum-rule) term by term: for each one-hot $\mathbf{z}$, $p(\mathbf{z})$ from SciPy's categorical distribution (`stats.multinomial(1, π)`) times $p(\mathbf{x} \mid \mathbf{z})$, the product of powers of equation (cond), with SciPy's Gaussian densities.
# `gb.log_marginal` computes $\ln p(\mathbf{x}_n)$ its own way (a Cholesky factor and log-sum-exp, below).
# On 500 points of the 2-D mixture `three_component_2d` of chapter 02 the two must agree to $10^{-12}$ (rounding only).

# %%
gmm2 = gb.datasets.three_component_2d()
X2, _ = gb.sample(gmm2, 500, np.random.default_rng(0))
densities2 = np.column_stack([stats.multivariate_normal(mean, cov).pdf(X2)
                              for mean, cov in zip(gmm2.means, gmm2.covariances)])   # N(x_n | mu_k, Sigma_k), (N, K)

p_enumerated = np.zeros(len(X2))
for z in np.eye(gmm2.K, dtype=int):                                  # the K one-hot values of z
    p_z = stats.multinomial(1, gmm2.weights).pmf(z)                  # p(z), SciPy's Cat(pi)
    p_x_given_z = np.prod(densities2**z, axis=1)                     # p(x | z), equation (cond)
    p_enumerated += p_z * p_x_given_z                                # equation (sum-rule)

# fails if p(z) is left out, if (cond) adds the powers instead of multiplying them,
# or if gb.log_marginal drops the weights or keeps the largest term instead of the sum
assert np.max(np.abs(np.log(p_enumerated) - gb.log_marginal(X2, gmm2))) < 1e-12
print("p(x_n) for the first three points, by the sum rule:", p_enumerated[:3])
print("check (sum-rule), (marginal): summing p(z) p(x | z) over the K one-hot z (SciPy) equals"
      " exp(gb.log_marginal) at all 500 points, |difference of logs| < 1e-12")

# %% [markdown]
# **What we verified:** the marginal is the joint summed over the $K$ one-hot states, and `gb.log_marginal` computes its logarithm.
#
# ### Monte Carlo: the marginal as an average
#
# Equation (sum-rule) is an expectation over the prior, so we can also *estimate* $p(\mathbf{x})$ by drawing $R$ labels $\mathbf{z}^{(i)} \sim \mathrm{Cat}(\boldsymbol\pi)$ and averaging:
#
# $$ \hat p_R(\mathbf{x}) = \frac1R \sum_{i=1}^R p(\mathbf{x} \mid \mathbf{z}^{(i)}), \qquad \mathrm{se} = \frac{\mathrm{sd}}{\sqrt R} \tag{mc} $$
#
# with $\mathrm{sd}$ the sample standard deviation of the $R$ values.
# The estimate is unbiased; by the central limit theorem it is within 4 standard errors of $p(\mathbf{x})$ except with probability about $6 \times 10^{-5}$.
# It uses only the generative story (draw $\mathbf{z}$, then look up $p(\mathbf{x} \mid \mathbf{z})$), not equation (marginal).
#
# **CHECK (mc).** With `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, variances $(0.5, 1, 0.3)$) and $R = 200\,000$ draws, the estimate at four points, one far in the tail, is within 4 standard errors of `gb.log_marginal`'s value.

# %%
gmm1 = gb.datasets.three_component_1d()
sds1 = np.sqrt(gmm1.covariances[:, 0, 0])                                  # sigma_k
R = 200_000
z_draws = np.random.default_rng(7).choice(gmm1.K, size=R, p=gmm1.weights)   # z^(i) ~ Cat(pi), as code indices

print(f"{'x':>5} {'p(x) exact':>12} {'estimate':>12} {'se':>10} {'(est - exact) / se':>19}")
z_scores = []
for x in (-1.0, 2.5, 4.0, 8.0):
    values = stats.norm.pdf(x, gmm1.means[z_draws, 0], sds1[z_draws])       # p(x | z^(i)), i = 1..R
    estimate, se = values.mean(), values.std(ddof=1) / np.sqrt(R)           # equation (mc)
    exact = np.exp(gb.log_marginal([[x]], gmm1))[0]
    z_scores.append((estimate - exact) / se)
    print(f"{x:5.1f} {exact:12.4e} {estimate:12.4e} {se:10.2e} {z_scores[-1]:19.2f}")

# fails if the draws ignore pi (uniform z: off by 10 to 150 se here) or the se lacks the square root of R
assert np.all(np.abs(z_scores) < 4)
print("check (mc): averaging p(x | z) over z ~ Cat(pi) reproduces exp(gb.log_marginal) within 4 standard errors"
      " at x = -1, 2.5, 4, 8 (R = 200000)")

# %% [markdown]
# **What we verified:** the marginal is the average of $p(\mathbf{x} \mid \mathbf{z})$ over the prior.
# Monte Carlo is a check here, not a method: the sum has only $K$ terms.

# %% [markdown]
# ## 2. The likelihood of a data set, and its logarithm
#
# A data set $\mathbf{X}$ is modelled as $N$ independent draws, each with its own hidden $\mathbf{z}_n$, equation (joint-data) of chapter 02.
# Summing out every $\mathbf{z}_n$, the sum over all $K^N$ labellings $\mathbf{Z}$ becomes a product of sums, one per point, because each factor depends on one $\mathbf{z}_n$ only (for two points: $\sum_{\mathbf{z}_1}\sum_{\mathbf{z}_2} a(\mathbf{z}_1)\,b(\mathbf{z}_2) = \big(\sum_{\mathbf{z}_1} a(\mathbf{z}_1)\big)\big(\sum_{\mathbf{z}_2} b(\mathbf{z}_2)\big)$):
#
# $$ p(\mathbf{X} \mid \theta) = \sum_{\mathbf{Z}} \prod_{n=1}^N p(\mathbf{x}_n, \mathbf{z}_n) = \prod_{n=1}^N \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{likelihood} $$
#
# As a function of $\theta$ with the data fixed, this is the *likelihood*.
# Its logarithm is the total log-likelihood of chapter 01, equation (total-loglik), here for a mixture:
#
# $$ \ell(\theta) = \sum_{n=1}^N \ln \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{loglik} $$
#
# The logarithm is increasing, so $\ell$ has its maxima where the likelihood has them.
# And a product of $N$ densities soon leaves the range of float64: for 1000 points it is stored as exactly 0.
#
# Equation (loglik) is a logarithm *of a sum*.
# The logarithm cannot move inside, so $\ell$ does not split into one problem per component.
# This one fact is behind the rest of the chapter, and behind EM (chapters 05 and 06).
#
# **CHECK (likelihood).** For six points of `three_component_1d` we sum $p(\mathbf{X}, \mathbf{Z})$ over all $3^6 = 729$ labellings, the left side of equation (likelihood), and compare its logarithm with `gb.log_likelihood` (tolerance $10^{-12}$ relative: rounding only).
# For 200 points, the logarithm of the product of SciPy mixture densities must equal `gb.log_likelihood`.
# For 1000 points, the running product $p(\mathbf{x}_1) \cdots p(\mathbf{x}_n)$ must become 0.0 where the running sum of `gb.log_marginal` first falls below $\ln 2^{-1074} \approx -744.4$, the logarithm of the smallest positive float64 (within one point).

# %%
X1, _ = gb.sample(gmm1, 200, np.random.default_rng(3))               # our 1-D data, used again in section 3
X6 = X1[:6]
labellings = np.array(list(itertools.product(range(gmm1.K), repeat=len(X6))))   # all K^N labellings, (729, 6)
terms6 = gmm1.weights * stats.norm.pdf(X6, gmm1.means[:, 0], sds1)        # pi_k N(x_n | mu_k, sigma_k^2), (6, K)
p_X6 = np.sum(np.prod(terms6[np.arange(len(X6)), labellings], axis=1))      # sum_Z prod_n p(x_n, z_n)

likelihood_200 = np.prod(stats.norm.pdf(X1, gmm1.means[:, 0], sds1) @ gmm1.weights)
loglik_200 = gb.log_likelihood(X1, gmm1)
X1_big, _ = gb.sample(gmm1, 1000, np.random.default_rng(30))
running_product = np.cumprod(stats.norm.pdf(X1_big, gmm1.means[:, 0], sds1) @ gmm1.weights)   # SciPy densities
running_loglik = np.cumsum(gb.log_marginal(X1_big, gmm1))
first_zero = int(np.argmax(running_product == 0))                    # code indices: point n is index n - 1
first_below = int(np.argmax(running_loglik < -1074 * np.log(2)))
print(f"N = 6:    ln of the sum over 729 labellings {np.log(p_X6):.6f}, gb.log_likelihood {gb.log_likelihood(X6, gmm1):.6f}")
print(f"N = 200:  product of densities {likelihood_200:.3e}, l = {loglik_200:.4f}")
print(f"N = 1000: the running product is 0.0 from point {first_zero + 1}; the running sum of ln p(x_n) passes"
      f" -744.4 at point {first_below + 1}; l = {running_loglik[-1]:.2f}")

# fails if l is the mean over points instead of the sum, or uses max_k (a hard assignment) instead of sum_k
assert abs(np.log(p_X6) - gb.log_likelihood(X6, gmm1)) < 1e-12 * abs(np.log(p_X6))
# fails for the same mistakes, on 200 points
assert abs(np.log(likelihood_200) - loglik_200) < 1e-12 * abs(loglik_200)
# fails if ln p(x_n) is off by a constant per point (a lost -ln(2 pi)/2 moves the crossing by hundreds of points)
assert running_product[-1] == 0.0 and abs(first_zero - first_below) <= 1
print("check (likelihood): ln sum over all 729 labellings of 6 points = gb.log_likelihood (rel. 1e-12); ln of the"
      " product of 200 SciPy densities = gb.log_likelihood (rel. 1e-12); 1000 points: the product underflows to 0.0"
      " where the summed logarithms pass ln 2^-1074")

# %% [markdown]
# **What we verified:** summing $\mathbf{Z}$ out of the joint of a data set gives the product (likelihood), and `gb.log_likelihood` is its logarithm, the total over points.
#
# ### Log-sum-exp
#
# Summing logarithms over points is safe, but inside the logarithm a single density can underflow.
# $\mathcal{N}(41 \mid 2, 1) = e^{-761.4}$ is exactly 0 in float64, whose smallest positive number is about $e^{-744.4}$.
# So for $\tfrac12\mathcal{N}(-2, 1) + \tfrac12\mathcal{N}(2, 1)$ the naive $\ln p(41)$ is $\ln 0 = -\infty$, although the true value is about $-762.1$.
#
# The cure is never to leave log space.
# Write $a_k = \ln \pi_k + \ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, which `gb.log_joint` computes from equation (gauss) without forming a density.
# Factor $e^{a_{\max}}$ out of the sum, with $a_{\max}$ the largest $a_k$ (Blanchard, Higham and Higham, 2021):
#
# $$ \ln \sum_{k=1}^K e^{a_k} = a_{\max} + \ln \sum_{k=1}^K e^{a_k - a_{\max}}, \qquad a_{\max} = \max_k a_k \tag{logsumexp} $$
#
# The identity holds for any $a_{\max}$; the maximum makes it safe.
# Every $e^{a_k - a_{\max}}$ is at most 1, so nothing overflows; the largest is exactly 1, so the sum lies in $[1, K]$ and its logarithm in $[0, \ln K]$.
# Terms that underflow to 0 are below $e^{-745}$ times the largest and could not change the sum anyway.
#
# **CHECK (logsumexp).** Equation (logsumexp) in three lines and `gb.logsumexp` must agree with `scipy.special.logsumexp` to $10^{-13}$ relative, on rows of ordinary values, values of size $10^4$, values near $-10^5$ (every $e^{a_k}$ is 0), values near $10^3$ (every $e^{a_k}$ overflows) and a row with $a_k = -\infty$ (a zero weight).
# `gb.logsumexp` must also agree with a 50-digit evaluation by `mpmath`, give $3 + \ln 4$ for four terms equal to 3, and $-\infty$ for a row of $-\infty$ (all weights 0).
# The naive $\ln \sum_k e^{a_k}$ is printed for comparison.

# %%
def logsumexp_inline(a):
    """ln sum_k exp(a_k) along the last axis, equation (logsumexp). (A row that is -inf throughout gives nan here.)"""
    a_max = np.max(a, axis=-1, keepdims=True)                              # a_max = max_k a_k
    return a_max[..., 0] + np.log(np.sum(np.exp(a - a_max), axis=-1))      # a_max + ln sum_k exp(a_k - a_max)


rng_lse = np.random.default_rng(5)
hard_rows = np.vstack([
    rng_lse.standard_normal((3, 6)),                      # ordinary values
    1e4 * rng_lse.standard_normal((3, 6)),                # large spread
    -1e5 + rng_lse.standard_normal((2, 6)),               # every exp underflows to 0
    1e3 + rng_lse.standard_normal((2, 6)),                # every exp overflows to inf
    [[-np.inf, -3.0, -1e4, -np.inf, 2.0, 0.5]],           # some terms are exactly 0
])
with np.errstate(over="ignore", divide="ignore"):
    lse_naive = np.log(np.sum(np.exp(hard_rows), axis=1))
lse_inline = logsumexp_inline(hard_rows)
lse_library = gb.logsumexp(hard_rows, axis=1)
lse_scipy = special.logsumexp(hard_rows, axis=1)
mpmath.mp.dps = 50                                                         # 50 significant digits
lse_mpmath = np.array([float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(a)) for a in row))) for row in hard_rows])
print("naive ln sum exp:", lse_naive)
print("log-sum-exp:     ", lse_library)

scale = np.maximum(1.0, np.abs(lse_mpmath))
# fails if the max is subtracted but not added back, or taken over the wrong axis
assert np.all(np.abs(lse_library - lse_scipy) <= 1e-13 * scale)
assert np.all(np.abs(lse_inline - lse_scipy) <= 1e-13 * scale)      # fails for the same mistakes, inline
# fails for the same mistakes, or if terms far below the largest are dropped: a reference independent of SciPy
assert np.all(np.abs(lse_library - lse_mpmath) <= 1e-13 * scale)
# fails if the result is a_max alone (the largest term) or ln sum_k exp(a_k - a_max) without a_max added back
assert abs(gb.logsumexp(np.full(4, 3.0)) - (3 + np.log(4))) <= 1e-15 * (3 + np.log(4))
# fails if a row that is -inf throughout (all weights 0) gives nan (from -inf - -inf) instead of ln 0 = -inf
assert gb.logsumexp([-np.inf, -np.inf]) == -np.inf
print(f"check (logsumexp): inline and gb.logsumexp equal scipy.special.logsumexp and a 50-digit mpmath evaluation on"
      f" {len(hard_rows)} hard rows (rel. 1e-13); the naive formula is +-inf on {np.sum(~np.isfinite(lse_naive))}"
      " of them; four equal terms 3 give 3 + ln 4, all -inf gives -inf")

# %% [markdown]
# **What we verified:** equation (logsumexp), `gb.logsumexp`, SciPy and a 50-digit evaluation give the same numbers, including where the naive formula fails in both directions.
# `gb.log_marginal` applies it to the matrix of $a_{nk}$ from `gb.log_joint`.
#
# ### Where the naive computation breaks: far points and many dimensions
#
# First far points: $\tfrac12\mathcal{N}(-2, 1) + \tfrac12\mathcal{N}(2, 1)$ (`two_component_1d`) at $x$ from 0 to 60.
# Then many dimensions: two components with $\boldsymbol\mu_1 = \mathbf{0}$, $\boldsymbol\mu_2 = (0.5, \dots, 0.5)$, $\boldsymbol\Sigma_k = 2\mathbf{I}$, $\pi_k = \tfrac12$, and 100 points sampled from it.
# For a point of component $k$, $\tfrac12 \lVert \mathbf{x} - \boldsymbol\mu_k \rVert^2$ is a sum of $D$ squared standard normals, with mean $D$, so by equation (gauss)
#
# $$ \mathbb{E}\big[\ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, 2\mathbf{I})\big] = -\frac{D}{2} \ln 4\pi - \frac{D}{2} \approx -1.77\, D \tag{high-d} $$
#
# A density is a product of $D$ factors of typical size $e^{-1.77}$; near $D = 420$ it passes $e^{-744.4}$ and is stored as 0.
# Nothing is wrong with the points: in many dimensions the probability is spread over an enormous volume.
# (The other component adds a negligible share when $D \ge 100$: its log-density is lower by about $D/16$ on average.)
#
# **CHECK (logsumexp), far points and many dimensions.** The references are outside `gmmbook`.
# In 1-D: NumPy's `np.logaddexp` of SciPy's `norm.logpdf`.
# In $D$ dimensions: $\boldsymbol\Sigma_k = 2\mathbf{I}$ factorises over coordinates, so $\ln \mathcal{N}_k$ is a sum of $D$ values of `norm.logpdf`, combined with `scipy.special.logsumexp`.
# `gb.log_marginal` must match the references ($10^{-13}$ and $10^{-12}$ relative); the tables show where the naive value becomes $-\infty$.
# And the average of $\ln p(\mathbf{x}_n)$ over the 100 points must be within 4 standard errors of equation (high-d) plus $\ln \pi_k = -\ln 2$, for $D \ge 100$.

# %%
gmm_two = gb.datasets.two_component_1d()
x_line = np.linspace(0.0, 60.0, 601)
with np.errstate(under="ignore", divide="ignore"):
    density_line = np.sum(np.exp(gb.log_joint(x_line[:, None], gmm_two)), axis=1)   # sum_k pi_k N_k, as numbers
    naive_line = np.log(density_line)
stable_line = gb.log_marginal(x_line[:, None], gmm_two)
reference_line = np.log(0.5) + np.logaddexp(stats.norm.logpdf(x_line, -2, 1), stats.norm.logpdf(x_line, 2, 1))
print(f"{'x':>5} {'naive ln p(x)':>14} {'gb.log_marginal':>16}")
for x in (0.0, 20.0, 38.0, 40.0, 41.0, 60.0):
    i = int(np.argmin(np.abs(x_line - x)))
    print(f"{x:5.1f} {naive_line[i]:14.6f} {stable_line[i]:16.6f}")


def far_apart_model(D):
    """pi = (1/2, 1/2), mu_1 = 0, mu_2 = (0.5, ..., 0.5), Sigma_k = 2 I, in D dimensions."""
    return gb.GMM(np.array([0.5, 0.5]), np.vstack([np.zeros(D), np.full(D, 0.5)]), np.stack([2.0 * np.eye(D)] * 2))


print(f"\n{'D':>4} {'densities = 0':>14} {'naive ln p = -inf':>18} {'mean ln p(x_n)':>15} {'(high-d) - ln 2':>16}")
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
    predicted_D = -D / 2 * np.log(4 * np.pi) - D / 2 - np.log(2)          # equation (high-d) + ln pi_k
    high_d[D] = (stable_D, reference_D, predicted_D)
    print(f"{D:4d} {np.sum(dens_D == 0):8d} / {dens_D.size} {np.sum(np.isneginf(naive_D)):12d} / 100"
          f" {stable_D.mean():15.1f} {predicted_D:16.1f}")

# %%
# fails if ln p is computed by exponentiating (-inf far out) or with a wrong normaliser
assert np.all(np.abs(stable_line - reference_line) <= 1e-13 * np.abs(reference_line))
for D, (stable_D, reference_D, predicted_D) in high_d.items():
    # fails if the log-determinant or the D ln 2 pi term is wrong in D dimensions
    assert np.all(np.abs(stable_D - reference_D) <= 1e-12 * np.abs(reference_D)), D
    if D >= 100:
        # fails if equation (high-d) were wrong, e.g. -D/2 ln 2 pi (covariance I) instead of -D/2 ln 4 pi
        se_D = stable_D.std(ddof=1) / np.sqrt(len(stable_D))
        assert abs(stable_D.mean() - predicted_D) < 4 * se_D, D
print("check (logsumexp), far points and many dimensions: gb.log_marginal equals np.logaddexp of SciPy log-densities"
      " on x in [0, 60] (rel. 1e-13) and a coordinate-wise SciPy log-sum-exp for D = 10 ... 500 (rel. 1e-12),"
      f" where the naive value is -inf from x = {x_line[np.isneginf(naive_line)][0]:.1f} and at every point for"
      " D = 500; the mean ln p(x_n) is within 4 se of (high-d) - ln 2 for D >= 100")

# %% [markdown]
# **What we verified:** `gb.log_marginal` matches outside references far from the components and for *every* point in 500 dimensions, where the naive value is $-\infty$ and the true $\ln p(\mathbf{x}_n)$ is about $-880$, as equation (high-d) predicts.
# This is why `gmmbook` never forms a density on the way to $\ell$.

# %% [markdown]
# ## 3. Maximum likelihood, and the shape of $\ell(\theta)$
#
# Fitting by maximum likelihood means finding
#
# $$ \hat\theta = \arg\max_{\theta} \ell(\theta) \quad \text{subject to } \pi_k \ge 0,\ \textstyle\sum_k \pi_k = 1,\ \boldsymbol\Sigma_k \text{ positive definite} \tag{ml} $$
#
# For one Gaussian the answer is closed-form (chapter 01); for a mixture it is not (chapter 05 shows why).
# So we must climb: start somewhere and keep moving uphill.
# We climb with `gb.em` as a black box: from a start it takes steps that never decrease $\ell$ (section 3.4 names the one setting that breaks this), and stops when $\ell$ stops rising (Dempster, Laird and Rubin, 1977; chapters 05 and 06 derive it).
# `gb.em(X, K, rng=...)` chooses its own start from the seed; `gb.em(X, gmm)` starts from a given mixture.
# How well climbing works depends on the landscape, and we ask three questions about it.
#
# ### 3.1 Is $\ell$ concave?
#
# $\ell$ is concave (the cost $-\ell$ is convex) if for any $\theta_a$, $\theta_b$ and any $s \in [0, 1]$
#
# $$ \ell\big(s\, \theta_a + (1 - s)\, \theta_b\big) \ \ge\ s\, \ell(\theta_a) + (1 - s)\, \ell(\theta_b) \tag{concave} $$
#
# The constraint set of equation (ml) is convex, so the left side is defined.
# If $\ell$ were concave, every local maximum would be global, and any climber would find it.
# A concave function is concave along every straight line, so one line with two separate peaks is enough to answer no.
#
# Take our 200 points of `three_component_1d` (bumps at $-2$, $1$ and $4$) and a model with one component too few: the truth's first two components, weights renormalised to $\boldsymbol\pi = (0.375, 0.625)$, variances $(0.5, 1)$ and $\mu_2 = 1$ fixed, and $\mu_1$ moving from $-6$ to $8$.
#
# **CHECK (concave).** We compute $\ell(\mu_1)$ on the grid from SciPy's `norm.logpdf` and `special.logsumexp`, and check it against `gb.log_likelihood` at the peaks and the valley.
# The slice must have at least two local maxima, and between them $\ell$ must lie below the chord of inequality (concave).
# Any violation beyond rounding settles the question; we ask for more than 1.

# %%
weights_s = gmm1.weights[:2] / gmm1.weights[:2].sum()              # (0.375, 0.625)
variances_s = gmm1.covariances[:2, 0, 0]                            # (0.5, 1)
mu2_s = gmm1.means[1, 0]                                            # 1
grid = np.linspace(-6.0, 8.0, 701)
means_grid = np.column_stack([grid, np.full_like(grid, mu2_s)])     # (mu_1, mu_2) along the line, (G, K)
log_terms = np.log(weights_s) + stats.norm.logpdf(X1[None, :, :], means_grid[:, None, :], np.sqrt(variances_s))
loglik_slice = special.logsumexp(log_terms, axis=2).sum(axis=1)    # equation (loglik) at every grid point


def slice_model(mu1):
    return gmm_1d(weights_s, [mu1, mu2_s], variances_s)


inner = (loglik_slice[1:-1] > loglik_slice[:-2]) & (loglik_slice[1:-1] >= loglik_slice[2:])
maxima = np.flatnonzero(inner) + 1                                  # grid indices of local maxima
peaks = []                                                          # each refined between its grid neighbours
for i in maxima:
    res = minimize_scalar(lambda mu1: -gb.log_likelihood(X1, slice_model(mu1)), bounds=(grid[i - 1], grid[i + 1]),
                          method="bounded", options={"xatol": 1e-8})
    peaks.append((float(res.x), -float(res.fun)))
    print(f"local maximum: mu_1 = {res.x:.2f}, l = {-res.fun:.2f}")

i_a, i_b = maxima[0], maxima[-1]
i_c = i_a + np.argmin(loglik_slice[i_a:i_b + 1])                    # the lowest point between the two peaks
s = (grid[i_b] - grid[i_c]) / (grid[i_b] - grid[i_a])               # mu_1(c) = s mu_1(a) + (1 - s) mu_1(b)
chord = s * loglik_slice[i_a] + (1 - s) * loglik_slice[i_b]
print(f"valley at mu_1 = {grid[i_c]:.2f} (s = {s:.3f}): l = {loglik_slice[i_c]:.2f}, chord {chord:.2f}")

# fails if either formula is wrong, e.g. the logarithm taken of each term instead of the sum (sum of logs)
for i in (i_a, i_b, i_c):
    assert abs(loglik_slice[i] - gb.log_likelihood(X1, slice_model(grid[i]))) < 1e-12 * abs(loglik_slice[i])
# fails if the log is moved inside the sum over k: sum_n sum_k ln(pi_k N_k) is a concave parabola in mu_1
assert len(maxima) >= 2
assert loglik_slice[i_c] < chord - 1                            # fails for the same mistake (no valley)
print(f"check (concave): the slice l(mu_1) (SciPy, equal to gb.log_likelihood to 1e-12) has {len(maxima)} local"
      f" maxima, and between them l is {chord - loglik_slice[i_c]:.1f} below the chord: l is not concave")

# %% [markdown]
# **What we verified:** along one line in parameter space $\ell$ has two peaks with a valley between them, so $-\ell$ is not convex.
# Each peak is one way to use the free component: explain the bump at $-2$ (the higher peak) or the one at $4$.

# %%
fig = plotting.fig_loglik_slice(x=X1, grid=grid, loglik=loglik_slice, maxima=peaks)
plt.show()

# %% [markdown]
# #### Different starts, different optima
#
# Do real climbs end in different places too?
# We fit $K = 3$ full-covariance components to Old Faithful (chapter 01) with `gb.em` from seeds 0 to 5.
#
# **CHECK (concave), different starts.** All six runs converge, and they end at two values more than 0.1 apart.
# The lower value must be a genuine hill top, not a place where EM crawled and stopped: two random nudges of its means (5 % of each coordinate's standard deviation) must climb back to it within $10^{-3}$.

# %%
X_faithful = gb.datasets.old_faithful()
fits_faithful = {seed: gb.em(X_faithful, 3, rng=np.random.default_rng(seed)) for seed in range(6)}
print(f"{'seed':>4} {'final l':>10}   smallest component: weight, mean (eruption min, waiting min)")
for seed, fit in fits_faithful.items():
    k = np.argmin(fit.gmm.weights)
    print(f"{seed:4d} {fit.log_likelihood:10.2f}   {fit.gmm.weights[k]:.2f},"
          f" ({fit.gmm.means[k, 0]:.2f}, {fit.gmm.means[k, 1]:.1f})")

finals = np.array([fit.log_likelihood for fit in fits_faithful.values()])
worse_fit = fits_faithful[int(np.argmin(finals))]
assert all(fit.converged for fit in fits_faithful.values())     # fails if max_iter cut a run short
assert np.ptp(finals) > 0.1                                      # fails if the seed were ignored (one start for all)
rng_nudge = np.random.default_rng(11)
for _ in range(2):
    g = worse_fit.gmm
    nudged = gb.GMM(g.weights, g.means + 0.05 * X_faithful.std(axis=0) * rng_nudge.standard_normal(g.means.shape),
                    g.covariances)
    # fails if the lower value were a stall (then the nudged run would climb on to the better maximum)
    assert abs(gb.em(X_faithful, nudged).log_likelihood - worse_fit.log_likelihood) < 1e-3
print(f"check (concave), different starts: six converged runs end at {len(set(finals.round(2)))} values,"
      f" {finals.max():.2f} and {finals.min():.2f}; two nudged restarts from the lower one return to it within 1e-3")

# %% [markdown]
# **What we verified:** from different starts the same algorithm ends in different local maxima, and the worse one is a real hill top.
# The better one puts the small third component between the two clusters, the worse one at the long end of the short-eruption cluster.
# In practice one runs several starts and keeps the best (`n_init`); chapter 06 asks how many.

# %% [markdown]
# ### 3.2 Is $\theta$ identifiable?
#
# Parameters are *identifiable* when different values give different distributions of the data (Redner and Walker, 1984).
# A mixture fails this in the simplest way.
# Let $\tau$ be a permutation of $\{1, \dots, K\}$ and $\theta_\tau$ the same components relabelled: $\pi^{(\tau)}_k = \pi_{\tau(k)}$, $\boldsymbol\mu^{(\tau)}_k = \boldsymbol\mu_{\tau(k)}$, $\boldsymbol\Sigma^{(\tau)}_k = \boldsymbol\Sigma_{\tau(k)}$.
# A sum does not depend on the order of its terms, so, substituting $j = \tau(k)$,
#
# $$ p(\mathbf{x} \mid \theta_\tau) = \sum_{k=1}^K \pi_{\tau(k)} \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_{\tau(k)}, \boldsymbol\Sigma_{\tau(k)}) = \sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j) = p(\mathbf{x} \mid \theta) \tag{perm} $$
#
# So $\ell(\theta_\tau) = \ell(\theta)$ for all $K!$ permutations: if $\hat\theta$ is a maximum, so are its $K!$ relabellings, all different points when the components differ (Bishop, 2006, §9.2.1).
#
# **CHECK (perm).** Three runs of `gb.em` with $K = 3$ on our 200 points, from seeds 0, 1, 2, must find one fit in three different orders: the same $\ell$ and the same means once sorted.
# The six relabellings of that fit must have the same $\ell$.

# %%
fits_1d = {seed: gb.em(X1, 3, rng=np.random.default_rng(seed)) for seed in range(3)}
for seed, fit in fits_1d.items():
    print(f"seed {seed}: l = {fit.log_likelihood:.2f}, means (component 1, 2, 3) {fit.gmm.means[:, 0].round(2)}")

theta_hat = fits_1d[0].gmm
loglik_hat = gb.log_likelihood(X1, theta_hat)
permutations = list(itertools.permutations(range(theta_hat.K)))
relabelled = [gb.GMM(theta_hat.weights[list(t)], theta_hat.means[list(t)], theta_hat.covariances[list(t)])
              for t in permutations]
loglik_relabelled = np.array([gb.log_likelihood(X1, g) for g in relabelled])

lls_1d = np.array([fit.log_likelihood for fit in fits_1d.values()])
sorted_means_1d = np.array([np.sort(fit.gmm.means[:, 0]) for fit in fits_1d.values()])
orders_1d = {tuple(np.argsort(fit.gmm.means[:, 0])) for fit in fits_1d.values()}
# fails if the runs found different maxima (then the orders would prove nothing)
assert np.ptp(lls_1d) < 1e-6 * abs(loglik_hat) and np.ptp(sorted_means_1d, axis=0).max() < 1e-3
assert len(orders_1d) == 3                                   # fails if the seed were ignored: one order only
# fails if the likelihood depended on the order, e.g. weights paired with the wrong components
assert np.max(np.abs(loglik_relabelled - loglik_hat)) < 1e-12 * abs(loglik_hat)
print(f"check (perm): three EM runs found one fit (l = {loglik_hat:.4f}) in three orders; its 3! = 6 relabellings"
      " have equal l (rel. 1e-12)")

# %% [markdown]
# **What we verified:** equation (perm): $\ell$ has at least $K!$ equal maxima, and which one EM reaches depends on its start.
#
# #### Between two equal peaks
#
# What about the midpoint $\tfrac12\theta + \tfrac12\theta_\tau$ (average the weights, the means and the covariances)?
# If $\ell$ were concave, inequality (concave) with $s = \tfrac12$ would make it at least as good as the two equal endpoints.
# Symmetry alone does not decide this: the segment between two equal maxima could be a ridge along which $\ell$ stays level, consistent with (concave).
# Only a measured drop shows that $\ell$ is not concave.
#
# **CHECK (perm), midpoints.** For each of the five relabellings $\tau \ne$ identity, $\ell\big(\tfrac12\hat\theta + \tfrac12\hat\theta_\tau\big)$ must lie below $\ell(\hat\theta)$; we ask for more than 1, far beyond rounding.

# %%
loglik_mid = []
for t in permutations[1:]:
    t = list(t)
    midpoint = gb.GMM((theta_hat.weights + theta_hat.weights[t]) / 2, (theta_hat.means + theta_hat.means[t]) / 2,
                      (theta_hat.covariances + theta_hat.covariances[t]) / 2)
    loglik_mid.append(gb.log_likelihood(X1, midpoint))
    print(f"midpoint with tau = {tuple(j + 1 for j in t)}: means {midpoint.means[:, 0].round(2)}, l = {loglik_mid[-1]:.2f}")

# fails if the midpoint were not between two different maxima (e.g. theta averaged with itself)
assert np.all(np.array(loglik_mid) < loglik_hat - 1)
print(f"check (perm), midpoints: all 5 midpoints between the fit and a relabelling lie below l = {loglik_hat:.2f},"
      f" by {loglik_hat - max(loglik_mid):.1f} to {loglik_hat - min(loglik_mid):.1f}: inequality (concave) fails")

# %% [markdown]
# **What we verified:** averaging two relabellings blurs different components into compromises that explain the data worse, so between equal maxima lie valleys.
#
# The figure shows the same in a plane: 200 points of `two_component_1d` (seed 4), $\sigma_1 = \sigma_2 = 1$ and $\boldsymbol\pi = (\tfrac12, \tfrac12)$ fixed, and $\ell$ over $(\mu_1, \mu_2)$.
# The landscape is mirror-symmetric about the diagonal $\mu_1 = \mu_2$; the midpoint of the two maxima lies on the diagonal, lower.

# %%
fig = plotting.fig_permutation_symmetry()
plt.show()

# %% [markdown]
# Relabelling does not change predictions, but it matters when parameters are compared or averaged: match two fits up to permutation first (for example by sorting the means).
# Bayesian samplers that visit all $K!$ copies mix up the labels ("label switching"; Stephens, 2000).
# Permutation is not the only non-identifiability: a component with $\pi_k = 0$ can have any mean and covariance, and two identical components can share their weight in any proportion.
#
# **CHECK (perm), beyond permutation.** Adding to $\hat\theta$ a fourth component of weight 0 (mean 50, variance $10^{-4}$), or splitting component 1 into two copies of weight $\hat\pi_1 / 2$, must leave $\ell$ unchanged to $10^{-12}$ relative.

# %%
g = theta_hat
with_zero = gb.GMM(np.append(g.weights, 0.0), np.vstack([g.means, [[50.0]]]),
                   np.concatenate([g.covariances, [[[1e-4]]]]))
split = gb.GMM(np.concatenate([[g.weights[0] / 2] * 2, g.weights[1:]]),     # component 1 twice, half its weight each
               g.means[[0, 0, 1, 2]], g.covariances[[0, 0, 1, 2]])
loglik_zero, loglik_split = gb.log_likelihood(X1, with_zero), gb.log_likelihood(X1, split)
# fails if the zero weight makes nan (0 * ln 0 computed as 0 * -inf) or ln 0 is replaced by a large finite number
assert abs(loglik_zero - loglik_hat) < 1e-12 * abs(loglik_hat)
# fails if ln p(x_n) keeps the largest term instead of the sum: the split would lose up to ln 2 per point
assert abs(loglik_split - loglik_hat) < 1e-12 * abs(loglik_hat)
print(f"check (perm), beyond permutation: with a zero-weight component l = {loglik_zero:.4f}, with component 1 split"
      f" in two l = {loglik_split:.4f}, both equal to l(theta_hat) (rel. 1e-12)")

# %% [markdown]
# ### 3.3 Is $\ell$ bounded?
#
# A maximum can exist only if $\ell$ is bounded above.
# For a mixture it is not (Bishop, 2006, §9.2.1).
# Put the mean of component 1 on the first data point, $\mu_1 = x_1$, and let $\sigma_1$ shrink.
# Our data: 200 points of `two_component_1d` (seed 4); $\boldsymbol\pi = (\tfrac12, \tfrac12)$; component 2 is the one-Gaussian fit, $\mu_2 = \bar x$ and $\sigma_2^2$ the variance with divisor $N$.
# Each term of $\ell$ is the logarithm of a sum of two positive terms, so it is at least the logarithm of either one.
# For $x_1$ keep the spike, $\tfrac12 \mathcal{N}(x_1 \mid x_1, \sigma_1^2) = 1 / (2\sqrt{2\pi}\,\sigma_1)$; for every other point, $n \ne 1$, keep component 2:
#
# $$ \ln\Big[\tfrac12 \mathcal{N}(x_n \mid x_1, \sigma_1^2) + \tfrac12 \mathcal{N}(x_n \mid \mu_2, \sigma_2^2)\Big] \ \ge\ \ln\Big[\tfrac12 \mathcal{N}(x_n \mid \mu_2, \sigma_2^2)\Big] \tag{collapse-others} $$
#
# Adding up,
#
# $$ \begin{aligned} \ell(\sigma_1) &\ge A(\sigma_1) = -\ln\sigma_1 + C, \\ C &= -\ln\big(2\sqrt{2\pi}\big) + \sum_{n\ne1}\ln\big[\tfrac12\mathcal{N}(x_n\mid\mu_2,\sigma_2^2)\big] \end{aligned} \tag{collapse-asym} $$
#
# and $-\ln \sigma_1 \to +\infty$ as $\sigma_1 \to 0$: $\ell$ has no upper bound, so no global maximum.
# The bound is tight for small $\sigma_1$.
# The dropped term of $x_1$ is at most $\sigma_1 / \sigma_2$ times the kept one, and the dropped terms of the others vanish like $e^{-(x_n - x_1)^2 / 2\sigma_1^2}$ once $\sigma_1$ is well below the distance from $x_1$ to its nearest neighbour.
# So $0 \le \ell - A \lesssim \sigma_1/\sigma_2$, and $\ell$ rises by $\ln 10$ per decade of $\sigma_1$, up to that gap.
#
# **CHECK (collapse-asym).** We compute $\ell$ with `gb.log_likelihood` at 201 values of $\sigma_1$ from 1 to $10^{-100}$, and $A$ from SciPy.
# Everywhere $\ell \ge A$, and for $\sigma_1 \le 10^{-3}$, $\ell - A \le \sigma_1/\sigma_2$ (so each decade adds $\ln 10$ to within that gap).
# Unboundedness at work: with $\ell(\hat\theta)$ the sensible fit that `gb.em` finds from $\sigma_1 = 1$, the bound puts $\ell$ at least $\ell(\hat\theta) + 11$ at $\sigma_1 = e^{C - \ell(\hat\theta) - 11}$.

# %%
X_c, _ = gb.sample(gmm_two, 200, np.random.default_rng(4))
x_1 = X_c[0, 0]                                                  # the first data point (code index 0)
mu2_c, var2_c = X_c.mean(), X_c.var()                           # one-Gaussian ML fit (divisor N)
sigma2_c = np.sqrt(var2_c)


def collapse_model(sigma1):
    """pi = (1/2, 1/2); component 1 is N(x_1, sigma1^2), component 2 the one-Gaussian fit N(mean, var)."""
    return gmm_1d([0.5, 0.5], [x_1, mu2_c], [sigma1**2, var2_c])


C_collapse = -np.log(2 * np.sqrt(2 * np.pi)) + np.sum(np.log(0.5) + stats.norm.logpdf(X_c[1:, 0], mu2_c, sigma2_c))
sigmas = np.logspace(0, -100, 201)                               # half a decade apart
loglik_sigma = np.array([gb.log_likelihood(X_c, collapse_model(s1)) for s1 in sigmas])
bound_sigma = -np.log(sigmas) + C_collapse                       # A(sigma_1), equation (collapse-asym)
rises = loglik_sigma[2:] - loglik_sigma[:-2]                     # the change of l over each decade

print(f"x_1 = {x_1:.4f}, sigma_2 = {sigma2_c:.4f}, nearest other point at distance {np.min(np.abs(X_c[1:, 0] - x_1)):.4f}")
print(f"{'sigma_1':>8} {'l(sigma_1)':>11} {'rise over the decade':>21} {'l - A':>9}")
for i in (0, 2, 4, 6, 8, 16, 100, 200):
    rise = f"{rises[i - 2]:21.6f}" if i > 0 else " " * 21
    gap = loglik_sigma[i] - bound_sigma[i]
    print(f"{sigmas[i]:8.0e} {loglik_sigma[i]:11.2f} {rise} {gap:9.1e}" if gap > 1e-11 else
          f"{sigmas[i]:8.0e} {loglik_sigma[i]:11.2f} {rise} {'< 1e-11':>9}")   # below that: rounding noise

fit_sensible = gb.em(X_c, collapse_model(1.0))
sigma_level = np.exp(C_collapse - fit_sensible.log_likelihood - 11)   # A(sigma_level) = l(theta_hat) + 11
loglik_level = gb.log_likelihood(X_c, collapse_model(sigma_level))
print(f"EM from sigma_1 = 1: l = {fit_sensible.log_likelihood:.2f}, means {np.sort(fit_sensible.gmm.means[:, 0]).round(2)};"
      f" sigma_1 = {sigma_level:.1e} gives l = {loglik_level:.2f}")

small = sigmas <= 1e-3
# fails if C used the variance where the standard deviation belongs, or the spike's term were -2 ln sigma_1
assert np.all(loglik_sigma >= bound_sigma - 1e-9)
# fails for the same mistakes in the other direction (a bound that is not tight), or if gb.log_likelihood were wrong here
assert np.all(loglik_sigma[small] - bound_sigma[small] <= sigmas[small] / sigma2_c + 1e-9)
print("check (collapse-asym): l >= A at all 201 sigma_1 in [1e-100, 1]; for sigma_1 <= 1e-3 the gap is below"
      " sigma_1 / sigma_2")

# %% [markdown]
# **What we verified:** $\ell$ grows like $-\ln \sigma_1$ without bound, as the tight bound (collapse-asym) says.
# A spike of width $10^{-80}$ on one observation "explains" the data better than the two real components: useless as a model.
# So "the maximum-likelihood fit" in this book means a good local maximum away from such singularities.
#
# The figure follows the same $\ell$ over 100 decades.
# First it falls: as the spike narrows, the other 199 points lose component 1's density and keep only $\tfrac12\mathcal{N}(x_n \mid \mu_2, \sigma_2^2)$.
# Then the term of $x_1$ takes over and $\ell$ climbs past the sensible fit.

# %%
fig = plotting.fig_collapse(x=X_c, sigmas=sigmas, loglik=loglik_sigma, sensible=fit_sensible.log_likelihood)
plt.show()

# %% [markdown]
# ### 3.4 What is done about collapse
#
# Three remedies, each treated where its tools are.
#
# **A floor.** Maximise only over covariances with $\boldsymbol\Sigma_k \succeq \epsilon\mathbf{I}$ (every eigenvalue at least $\epsilon$).
# Then $\det \boldsymbol\Sigma_k \ge \epsilon^D$, so no Gaussian density, and no mixture of them, exceeds $(2\pi\epsilon)^{-D/2}$, and
#
# $$ \ell(\theta) \ \le\ -\frac{N D}{2} \ln(2\pi \epsilon) \qquad \text{whenever every } \boldsymbol\Sigma_k \succeq \epsilon \mathbf{I} \tag{floor-bound} $$
#
# The supremum over that set is finite; constraining the covariances is the classical fix (Hathaway, 1985, bounds their ratios instead).
#
# **CHECK (floor-bound).** For 1000 random covariances $\boldsymbol\Sigma = \epsilon\mathbf{I} + \mathbf{W}\mathbf{W}^\top$ in $D = 3$ ($\epsilon = 10^{-3}$; $\mathbf{W}$ random, of random scale), the log-density of `gb.log_marginal` at the mean, the highest point, must not exceed $-\frac{D}{2} \ln(2\pi\epsilon)$, and must equal it to $10^{-12}$ when $\mathbf{W} = \mathbf{0}$: the bound is tight.

# %%
eps, D_f = 1e-3, 3
bound_floor = -D_f / 2 * np.log(2 * np.pi * eps)                     # equation (floor-bound) per point
rng_f = np.random.default_rng(8)
peaks_floor = []
for scale_w in [0.0] + list(10.0 ** rng_f.uniform(-4, 0, size=999)):
    W = scale_w * rng_f.standard_normal((D_f, D_f))
    cov_f = eps * np.eye(D_f) + W @ W.T                             # every eigenvalue >= eps
    peaks_floor.append(gb.log_marginal(np.zeros((1, D_f)), gb.GMM(np.ones(1), np.zeros((1, D_f)), cov_f[None]))[0])
peaks_floor = np.array(peaks_floor)
# fails if the bound lost its factor D (or used eps^D inside the square root), or if gb's log-determinant were halved
assert np.all(peaks_floor <= bound_floor * (1 + 1e-12)) and abs(peaks_floor[0] - bound_floor) < 1e-12 * bound_floor
print(f"check (floor-bound): the highest log-density of 1000 Gaussians with Sigma >= eps I is {peaks_floor.max():.6f}"
      f" <= -(D/2) ln(2 pi eps) = {bound_floor:.6f}, reached at Sigma = eps I")

# %% [markdown]
# **What we verified:** equation (floor-bound), and that it cannot be lowered.
#
# `reg_covar` $= \epsilon$ in `gb.em`, as in scikit-learn (Pedregosa et al., 2011), is related but different: it adds $\epsilon\mathbf{I}$ to each covariance *after* the M-step of chapter 05.
# Every $\boldsymbol\Sigma_k$ then satisfies the floor, so (floor-bound) holds along the run.
# But the result is no longer the M-step's maximiser, so the step is not an EM step for $\ell$, and $\ell$ can fall; chapter 06 shows it with a check.
#
# **A prior.** Maximise $\ell(\theta) + \ln p(\theta)$ instead (maximum a posteriori).
# An inverse-Wishart prior on $\boldsymbol\Sigma_k$ vanishes like $e^{-c/\sigma^2}$ as a variance $\sigma^2 \to 0$, faster than any power of $1/\sigma$ the likelihood gains, so the objective is bounded; EM adapted to it (MAP-EM) never decreases it (appendix 07; Fraley and Raftery, 2007).
#
# **A restart.** Whether EM falls into a singularity depends on its start.
# `gb.em` raises `gb.CollapseError`, naming the component (by code index), when a covariance becomes numerically singular; catch it, and start again or re-initialise that component.
#
# **CHECK (restart).** From $\sigma_1 = 10^{-3}$ on $x_1$ (otherwise as above), EM collapses.
# Re-initialising only the collapsed component, at a random data point with the data's variance, must reach the sensible fit ($\ell$ within $10^{-3}$, means within $10^{-2}$).

# %%
collapsing_start = collapse_model(1e-3)
try:
    gb.em(X_c, collapsing_start)
    k_bad = None
except gb.CollapseError as err:
    k_bad = err.k                                                      # the collapsed component (code index)
assert k_bad == 0                                   # fails if EM ran on with a singular covariance (or NaN)
means_new, covs_new = collapsing_start.means.copy(), collapsing_start.covariances.copy()
means_new[k_bad] = X_c[np.random.default_rng(0).integers(len(X_c))]   # a random data point
covs_new[k_bad] = X_c.var()                                           # and the variance of the data
fit_reinit = gb.em(X_c, gb.GMM(collapsing_start.weights, means_new, covs_new))
print(f"collapsed: component {k_bad + 1} (code index {k_bad}); re-initialised: l = {fit_reinit.log_likelihood:.2f},"
      f" means {np.sort(fit_reinit.gmm.means[:, 0]).round(2)}")

# fails if the re-initialised component kept its collapsed variance or mean
assert abs(fit_reinit.log_likelihood - fit_sensible.log_likelihood) < 1e-3
assert np.all(np.abs(np.sort(fit_reinit.gmm.means[:, 0]) - np.sort(fit_sensible.gmm.means[:, 0])) < 1e-2)   # fails alike
print("check (restart): the start on x_1 collapses component 1 (CollapseError); re-initialising it reaches the"
      " sensible fit (l within 1e-3, means within 1e-2)")

# %% [markdown]
# **What we verified:** whether EM collapses depends on its start; re-initialising the collapsed component reaches the sensible fit without changing the model.

# %% [markdown]
# ## Summary
#
# - Summing the one-hot $\mathbf{z}$ out of the joint gives the mixture density, equation (marginal), checked by enumeration and by Monte Carlo, equation (mc).
# - The log-likelihood, equation (loglik), is a sum over points of the logarithm of a sum over components; the likelihood itself underflows.
# - Densities underflow far from the components and in many dimensions; log-sum-exp, equation (logsumexp), stays exact.
# - Maximum likelihood, equation (ml), has no closed form, and $\ell$ is **not concave** (two peaks on a line; different optima from different starts), **not identifiable** ($K!$ equal maxima, equation (perm), with valleys between them) and **not bounded** (collapse, equation (collapse-asym)).
# - Against collapse: a floor bounds $\ell$, equation (floor-bound), though `reg_covar` is not an EM step (chapter 06); a prior gives MAP-EM (appendix 07); restarts avoid it.
#
# Next, chapter 04 turns the joint and the marginal into the posterior $p(\mathbf{z} \mid \mathbf{x})$.
# Practise with [the exercises for this chapter](../exercises/03_marginal_likelihood.ipynb).
#
# ## References
#
# - C. M. Bishop (2006), *Pattern Recognition and Machine Learning*, Springer: §9.2.1 (the likelihood of a mixture, its singularities and its $K!$ equivalent maxima).
# - M. P. Deisenroth, A. A. Faisal and C. S. Ong (2020), *Mathematics for Machine Learning*, Cambridge University Press: §11.4.2 (the likelihood by summing out the latent variable).
# - P. Blanchard, D. J. Higham and N. J. Higham (2021), Accurately computing the log-sum-exp and softmax functions, *IMA Journal of Numerical Analysis* 41(4): 2311–2330.
# - R. A. Redner and H. F. Walker (1984), Mixture densities, maximum likelihood and the EM algorithm, *SIAM Review* 26(2): 195–239.
# - M. Stephens (2000), Dealing with label switching in mixture models, *Journal of the Royal Statistical Society B* 62(4): 795–809.
# - R. J. Hathaway (1985), A constrained formulation of maximum-likelihood estimation for normal mixture distributions, *Annals of Statistics* 13(2): 795–800.
# - C. Fraley and A. E. Raftery (2007), Bayesian regularization for normal mixture estimation and model-based clustering, *Journal of Classification* 24: 155–181.
# - A. P. Dempster, N. M. Laird and D. B. Rubin (1977), Maximum likelihood from incomplete data via the EM algorithm, *Journal of the Royal Statistical Society B* 39(1): 1–38.
# - F. Pedregosa et al. (2011), Scikit-learn: machine learning in Python, *Journal of Machine Learning Research* 12: 2825–2830.

# %% [markdown]
# # Chapter 01: Mixtures of Gaussians
#
# Many data sets are made of several groups that we cannot see directly.
# A Gaussian mixture model describes such data as a weighted sum of Gaussian bumps, one bump per group.
# This chapter shows why one Gaussian is not enough, defines the mixture, compares it with K-means clustering, and counts how many numbers a mixture needs.
# Every formula is checked by the machine as soon as it appears.
#
# ## What you will learn
#
# - Why one Gaussian cannot describe data with several clumps, and how to measure that with the log-likelihood.
# - The Gaussian density, equation (gauss), and the Gaussian mixture, equation (mixture), and why its weights must be non-negative and sum to 1.
# - Two shortcomings of K-means clustering (round clusters, hard assignments) and how a mixture fixes each.
# - The four usual covariance structures (full, diagonal, spherical, tied): what each assumes and how many numbers it costs.
# - How to count the parameters of a mixture, equation (count), and why treating each point's group as a parameter would be much more expensive.
#
# ## What this chapter assumes
#
# - Probability: a density, independence, Bayes' rule, an expectation.
# - Linear algebra: the inverse and determinant of a matrix, the trace, eigenvectors, symmetric positive definite matrices.
# - Python with NumPy.
# - One fact from statistics: the maximum-likelihood estimates of a single Gaussian are the sample mean and the sample covariance *divided by N*.
#   Chapter 05 derives the weighted version of both, which is what a mixture needs.
#
# Notation, as everywhere in the book: $N$ points, $D$ dimensions, $K$ components; weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$.
# In the mathematics components are numbered $k = 1, \dots, K$; in the code they are numbered `0, ..., K-1`, so component $k$ of the text is index `k - 1` of an array (the printed tables add 1).

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
from scipy import integrate, stats
from scipy.cluster.vq import kmeans2

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. One Gaussian is not enough: Old Faithful
#
# Old Faithful is a geyser in Yellowstone National Park.
# The data set records N = 272 eruptions, each with D = 2 numbers: how long the eruption lasted and how long the wait until the next eruption was, both in minutes.
# We store the data as an array `X` of shape (N, D), one row $\mathbf{x}_n$ per eruption.

# %%
X = gb.datasets.old_faithful()
N, D = X.shape
print(f"N = {N} eruptions, D = {D} numbers each")
print("first three rows (eruption length, waiting time):")
print(X[:3])

# %% [markdown]
# ### The Gaussian density
#
# The Gaussian (normal) density in D dimensions with mean $\boldsymbol\mu \in \mathbb{R}^D$ and covariance matrix $\boldsymbol\Sigma$ (D × D, symmetric positive definite) is
#
# $$ \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu,\boldsymbol\Sigma) = \frac{1}{(2\pi)^{D/2}\,(\det\boldsymbol\Sigma)^{1/2}} \exp\!\Big(-\tfrac12\,\Delta^2(\mathbf{x})\Big), \qquad \Delta^2(\mathbf{x}) = (\mathbf{x}-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}(\mathbf{x}-\boldsymbol\mu). \tag{gauss} $$
#
# $\Delta(\mathbf{x})$ is the *Mahalanobis distance* from $\mathbf{x}$ to $\boldsymbol\mu$: the ordinary distance after a linear change of coordinates that turns this Gaussian into a round one with unit variances.
# The density depends on $\mathbf{x}$ only through $\Delta^2$, so its contours are the ellipses $\Delta^2 = \text{const}$, with axes along the eigenvectors of $\boldsymbol\Sigma$.
# The factor in front makes the density integrate to 1.
#
# Here is equation (gauss) in NumPy, line by line.

# %%
def gauss_pdf(X, mean, cov):
    """N(x_n | mean, cov) for every row of X, equation (gauss), written out directly."""
    diff = X - mean                                                   # x − μ, shape (N, D)
    delta2 = np.sum((diff @ np.linalg.inv(cov)) * diff, axis=1)      # Δ² = (x − μ)ᵀ Σ⁻¹ (x − μ)
    normaliser = (2 * np.pi) ** (X.shape[1] / 2) * np.sqrt(np.linalg.det(cov))
    return np.exp(-0.5 * delta2) / normaliser


# %% [markdown]
# ### One Gaussian fitted by maximum likelihood
#
# If the eruptions are independent draws from a density $p(\mathbf{x}\mid\theta)$ with parameters $\theta$, the density of the whole data set is the product $\prod_n p(\mathbf{x}_n\mid\theta)$.
# Its logarithm, the (total) *log-likelihood*, turns the product into a sum that does not underflow:
#
# $$ \ell(\theta) = \sum_{n=1}^N \ln p(\mathbf{x}_n\mid\theta). \tag{total-loglik} $$
#
# The larger $\ell$, the better the model explains the data.
# For one Gaussian, $\theta = \{\boldsymbol\mu, \boldsymbol\Sigma\}$, and the values that maximise $\ell$ are the sample mean and the sample covariance with divisor N:
#
# $$ \hat{\boldsymbol\mu} = \frac1N\sum_{n=1}^N \mathbf{x}_n, \qquad \hat{\boldsymbol\Sigma} = \frac1N\sum_{n=1}^N (\mathbf{x}_n-\hat{\boldsymbol\mu})(\mathbf{x}_n-\hat{\boldsymbol\mu})^\top. \tag{ml-gauss} $$
#
# In NumPy, `np.cov(X.T, bias=True)` divides by N (the default, `bias=False`, divides by N − 1 and is *not* the maximum-likelihood estimate).
# We evaluate equation (total-loglik) with our `gauss_pdf`, with SciPy's `multivariate_normal`, and with `gmmbook`, where one Gaussian is a mixture with a single component of weight 1.

# %%
mean_hat = X.mean(axis=0)
cov_hat = np.cov(X.T, bias=True)
print("mean:", mean_hat)
print("covariance:")
print(cov_hat)

loglik_inline = np.sum(np.log(gauss_pdf(X, mean_hat, cov_hat)))
loglik_scipy = np.sum(stats.multivariate_normal(mean_hat, cov_hat).logpdf(X))
one_gaussian = gb.GMM(np.array([1.0]), mean_hat[None, :], cov_hat[None, :, :])
loglik_one = gb.log_likelihood(X, one_gaussian)
print(f"log-likelihood of one Gaussian: {loglik_one:.2f}")

# %% [markdown]
# **CHECK (gauss).** Three independent evaluations of the same log-likelihood must agree.

# %%
assert abs(loglik_inline - loglik_scipy) < 1e-10 * abs(loglik_scipy)
assert abs(loglik_one - loglik_scipy) < 1e-10 * abs(loglik_scipy)
print("check (gauss): inline NumPy, scipy.stats.multivariate_normal and gmmbook agree, rel. error < 1e-10")

# %% [markdown]
# **What we verified:** our line-by-line equation (gauss), SciPy and `gmmbook` give the same log-likelihood for one Gaussian on Old Faithful.
#
# ### The best one-Gaussian log-likelihood in closed form
#
# At the maximum-likelihood estimates the log-likelihood has a simple form.
# Take the logarithm of equation (gauss) and sum over the points:
#
# $$ \ell(\hat{\boldsymbol\mu},\hat{\boldsymbol\Sigma}) = -\frac12\sum_{n=1}^N\Big[D\ln 2\pi + \ln\det\hat{\boldsymbol\Sigma} + \Delta^2(\mathbf{x}_n)\Big]. \tag{loglik-sum} $$
#
# A number equals its own trace (the trace of a 1 × 1 matrix), the trace does not change when a product is rotated, $\operatorname{tr}(\mathbf{a}^\top\mathbf{B}\mathbf{a}) = \operatorname{tr}(\mathbf{B}\mathbf{a}\mathbf{a}^\top)$, and the trace of a sum is the sum of the traces.
# So the sum of the squared Mahalanobis distances is
#
# $$ \sum_{n=1}^N \Delta^2(\mathbf{x}_n) = \sum_{n=1}^N \operatorname{tr}\!\Big(\hat{\boldsymbol\Sigma}^{-1}(\mathbf{x}_n-\hat{\boldsymbol\mu})(\mathbf{x}_n-\hat{\boldsymbol\mu})^\top\Big) = \operatorname{tr}\!\big(\hat{\boldsymbol\Sigma}^{-1}\, N\hat{\boldsymbol\Sigma}\big) = N D, \tag{mahal-sum} $$
#
# where the middle step uses equation (ml-gauss) for the sum of the outer products.
# Putting equation (mahal-sum) into equation (loglik-sum):
#
# $$ \ell(\hat{\boldsymbol\mu},\hat{\boldsymbol\Sigma}) = -\frac N2\Big[D\ln 2\pi + \ln\det\hat{\boldsymbol\Sigma} + D\Big]. \tag{loglik-one} $$
#
# **CHECK (loglik-one).** The closed form must equal the sum computed point by point.
# And because equation (ml-gauss) gives the *maximum*, moving the mean or changing the covariance, including to the N − 1 version, must lower the log-likelihood.

# %%
diff = X - mean_hat
delta2 = np.sum((diff @ np.linalg.inv(cov_hat)) * diff, axis=1)
loglik_closed = -N / 2 * (D * np.log(2 * np.pi) + np.log(np.linalg.det(cov_hat)) + D)
assert abs(np.sum(delta2) - N * D) < 1e-9 * N * D                       # equation (mahal-sum)
assert abs(loglik_closed - loglik_scipy) < 1e-10 * abs(loglik_scipy)    # equation (loglik-one)

alternatives = {
    "unbiased covariance np.cov(bias=False)": (mean_hat, np.cov(X.T)),
    "mean moved by 0.1 in both coordinates": (mean_hat + 0.1, cov_hat),
    "covariance scaled by 1.05": (mean_hat, 1.05 * cov_hat),
    "covariance scaled by 0.95": (mean_hat, 0.95 * cov_hat),
}
for name, (m, c) in alternatives.items():
    loss = loglik_scipy - np.sum(stats.multivariate_normal(m, c).logpdf(X))
    assert loss > 0, name
    print(f"{name:40s} lowers the log-likelihood by {loss:.4f}")
print("check (loglik-one): closed form equals the point-by-point sum (rel. error < 1e-10); "
      "sum of squared Mahalanobis distances equals N*D; every alternative is worse")

# %% [markdown]
# **What we verified:** equation (loglik-one) is exact, and equation (ml-gauss) beats the nearby alternatives we tried, including the unbiased covariance.
#
# ### Where the single Gaussian puts its mass
#
# The best single Gaussian is centred at the mean of all eruptions, about 3.5 minutes of eruption and 71 minutes of waiting.
# But look at the data (figure below): eruptions come in two kinds, short ones (about 2 minutes, followed by a wait of about 55) and long ones (about 4.3 minutes, followed by about 80).
# The mean lies in the gap between them, where few eruptions happen, yet it is where the single Gaussian puts its highest density.
#
# We can test this.
# If the data really came from $\mathcal{N}(\hat{\boldsymbol\mu},\hat{\boldsymbol\Sigma})$, then $\Delta^2(\mathbf{x}_n)$, which is the squared length of $\mathbf{x}_n - \hat{\boldsymbol\mu}$ in the coordinates where the Gaussian is round, would be a sum of D squared independent standard normal variables: a $\chi^2$ variable with D degrees of freedom (approximately, since $\hat{\boldsymbol\mu}$ and $\hat{\boldsymbol\Sigma}$ are estimated from the same data).
# So each eruption would fall inside the small central ellipse $\Delta \le \tfrac12$ with probability $p = P(\chi^2_D \le \tfrac14)$, independently of the others, and the number inside would be binomial with N trials and success probability $p$.
# We compare that prediction with the count in the data.
#
# **CHECK (one Gaussian is not enough).** The count inside the central ellipse must be far below the prediction: a binomial test must reject the single Gaussian at the 0.1 % level.

# %%
p_inside = stats.chi2(df=D).cdf(0.5**2)
expected_inside = N * p_inside
observed_inside = int(np.sum(delta2 <= 0.5**2))
p_value = stats.binomtest(observed_inside, N, p_inside).pvalue
print(f"central ellipse Delta <= 1/2: expected {expected_inside:.1f} eruptions, observed {observed_inside}")
assert observed_inside < expected_inside / 2
assert p_value < 1e-3
print("check (one Gaussian is not enough): fewer than half the predicted eruptions near the mean, binomial p-value < 0.001")

# %% [markdown]
# **What we verified:** the single Gaussian predicts about three times as many eruptions near its centre as there are; its shape is wrong, not just its parameters.
#
# ### A mixture of two Gaussians
#
# A better model says: an eruption is either of the short kind or of the long kind, and each kind has its own Gaussian.
# With a fraction $\pi_1$ of short eruptions and $\pi_2 = 1 - \pi_1$ of long ones, the density of an eruption is
#
# $$ p(\mathbf{x}) = \pi_1\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_1,\boldsymbol\Sigma_1) + \pi_2\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_2,\boldsymbol\Sigma_2), $$
#
# a *mixture* of two Gaussians, defined in general in section 2.
# Its parameters $\theta = \{\pi_k, \boldsymbol\mu_k, \boldsymbol\Sigma_k\}$ are no longer given by a formula like equation (ml-gauss).
# They are found by the EM algorithm, which chapters 05 and 06 derive and run; for now `gb.em` is a tool we use, not yet one we understand.
# `gb.em(X, 2, rng=...)` starts from a K-means clustering and climbs to a maximum of the log-likelihood.

# %%
fit2 = gb.em(X, 2, rng=np.random.default_rng(0))
mixture2 = fit2.gmm
loglik_two = fit2.log_likelihood
print("weights    :", np.round(mixture2.weights, 3))
print("means      :", np.round(mixture2.means, 3).tolist())
print("covariances:", np.round(mixture2.covariances, 3).tolist())
print(f"log-likelihood, one Gaussian : {loglik_one:.2f}")
print(f"log-likelihood, two Gaussians: {loglik_two:.2f}")

# %% [markdown]
# The two components are the two kinds of eruption: about a third are short (2.0 minutes, then a wait of 54 minutes), two thirds are long (4.3 minutes, then 80 minutes).
# The log-likelihood of this fit is known from the literature: the best two-component, full-covariance mixture of the raw Old Faithful data has $\ell \approx -1130.26$.
# For example, R's mclust package (Scrucca, Fop, Murphy and Raftery, *The R Journal* 8(1), 2016), asked for `Mclust(faithful, G = 2)`, reports the model VVV (full covariances) with log-likelihood −1130.264 and 11 parameters.
#
# **CHECK (Old Faithful, K = 2).** Our fit must reach the published value, and SciPy, without `gmmbook`, must give the same log-likelihood for the same parameters.

# %%
PUBLISHED_LOGLIK_K2 = -1130.26
density_scipy = sum(
    w * stats.multivariate_normal(m, c).pdf(X)
    for w, m, c in zip(mixture2.weights, mixture2.means, mixture2.covariances)
)
loglik_two_scipy = np.sum(np.log(density_scipy))
assert abs(loglik_two - PUBLISHED_LOGLIK_K2) < 0.005
assert abs(loglik_two - loglik_two_scipy) < 1e-10 * abs(loglik_two_scipy)
assert loglik_two > loglik_one
print("check (Old Faithful, K = 2): log-likelihood equals the published -1130.26 to 2 decimals; "
      "SciPy agrees (rel. error < 1e-10)")
gain = loglik_two - loglik_one
bic_charge = 0.5 * (gb.n_parameters(2, D) - gb.n_parameters(1, D)) * np.log(N)
print(f"gain of the mixture: {gain:.2f} in total, {gain / N:.3f} per eruption")
print(f"BIC's charge for the extra parameters: {bic_charge:.2f}")

# %% [markdown]
# **What we verified:** `gmmbook` reproduces the published two-component fit, and an independent SciPy evaluation agrees.
#
# The mixture raises the log-likelihood by about 160, that is 0.59 per eruption: on a geometric average the mixture gives each observed eruption $e^{0.59} \approx 1.8$ times the density the single Gaussian gives it.
# Is that a fair comparison, since the mixture has more parameters (11 against 5, see section 5)?
# The best two-component mixture can never do worse than the best single Gaussian, because a mixture with $\pi_2 = 0$ (or with two equal components) is the single Gaussian; so the question is only whether the gain is large.
# Chapter 06 answers it with the Bayesian information criterion, which charges $\tfrac12\ln N$ per parameter: about 17 for the six extra parameters, against a gain of 160.
#
# The figure shows both fits on the data: the crosses are the means, and the ellipses are the contours $\Delta = 1$ and $\Delta = 2$ of each Gaussian ("1 s.d." and "2 s.d.").
# On the right each point is coloured by how probable each component makes it, a mix of the two colours that section 3 explains.

# %%
fig = plotting.fig_old_faithful_fits()
plt.show()

# %% [markdown]
# ## 2. The Gaussian mixture
#
# A *Gaussian mixture* with K components in D dimensions has the density
#
# $$ p(\mathbf{x}) = \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k), \qquad \pi_k \ge 0, \qquad \sum_{k=1}^K \pi_k = 1, \tag{mixture} $$
#
# with *mixing weights* $\pi_k$ (`weights`, shape (K,)), component *means* $\boldsymbol\mu_k$ (`means`, shape (K, D)) and component *covariances* $\boldsymbol\Sigma_k$ (`covariances`, shape (K, D, D)).
# Together they are the parameters $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$.
#
# Why the two conditions on the weights?
# With $\pi_k \ge 0$ the density is never negative, because every Gaussian is positive.
# And since each Gaussian integrates to 1, the integral of the mixture is the sum of the weights:
#
# $$ \int p(\mathbf{x})\,d\mathbf{x} = \sum_{k=1}^K \pi_k \int \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)\,d\mathbf{x} = \sum_{k=1}^K \pi_k = 1. \tag{integral} $$
#
# So the weights must sum to 1 for $p$ to be a density.
# Read $\pi_k$ as the probability that a point comes from component k: in section 1, $\pi_1 \approx 0.36$ is the fraction of short eruptions.
# Chapter 02 turns this reading into a generative story.
#
# Equation (mixture) in NumPy is one weighted sum over our `gauss_pdf`:

# %%
def mixture_pdf(X, weights, means, covariances):
    """p(x_n) = Σ_k π_k N(x_n | μ_k, Σ_k) for every row of X, equation (mixture)."""
    return sum(w * gauss_pdf(X, m, c) for w, m, c in zip(weights, means, covariances))


# %% [markdown]
# `gmmbook` stores θ in a frozen `gb.GMM(weights, means, covariances)` and evaluates $\ln p(\mathbf{x}_n)$ with `gb.log_marginal` (chapter 03 explains why it works in log space).
#
# **CHECK (mixture).** On the Old Faithful data and the two-component fit, `gmmbook`'s density must equal our inline sum and the weighted sum of SciPy densities computed above.

# %%
density_inline = mixture_pdf(X, mixture2.weights, mixture2.means, mixture2.covariances)
density_gmmbook = np.exp(gb.log_marginal(X, mixture2))
rel_inline = np.max(np.abs(density_gmmbook - density_inline) / density_inline)
rel_scipy = np.max(np.abs(density_gmmbook - density_scipy) / density_scipy)
assert rel_inline < 1e-12 and rel_scipy < 1e-12
print("check (mixture): gmmbook.log_marginal equals the inline sum and the weighted sum of SciPy densities, "
      "max rel. error < 1e-12")

# %% [markdown]
# **What we verified:** `gmmbook`'s mixture density is equation (mixture), point by point, to twelve digits.
#
# ### The mixture integrates to 1: a 1-D example by quadrature
#
# The book's first 1-D example, `gb.datasets.three_component_1d()`, has three bumps of different sizes.
# In one dimension $\mathcal{N}(x\mid\mu,\sigma^2)$ has variance $\sigma^2$, stored as a 1 × 1 covariance matrix.

# %%
mixture1d = gb.datasets.three_component_1d()
print("weights  :", mixture1d.weights)
print("means    :", mixture1d.means.ravel())
print("variances:", mixture1d.covariances.ravel())

# %% [markdown]
# The figure shows each weighted component $\pi_k\,\mathcal{N}(x\mid\mu_k,\sigma_k^2)$ shaded, and their sum $p(x)$ in black.
# The area under component k's curve is $\pi_k$, not its height: the third bump is almost as tall as the first although its weight is smaller, because its variance is smaller.
# Where two components overlap, $p(x)$ lies above both, since it is their sum.

# %%
fig = plotting.fig_mixture_density_1d()
plt.show()

# %% [markdown]
# **CHECK (integral, 1-D).** `scipy.integrate.quad` integrates `gmmbook`'s density over the whole real line.
# We split the line at the three means so that the adaptive rule cannot step over a bump, and ask `quad` for an absolute and relative accuracy of 1e-13 (its default, about 1.5e-8, would be too loose to back a test at 1e-10).
# The result must be 1 within 1e-10, and the error estimates that `quad` returns must add up to less than 1e-10, so the agreement is not luck.
# The same quadrature applied to a sum whose weights add up to 1.2 must give 1.2: so the check can tell a density from a non-density.

# %%
def density_1d(x):
    return float(np.exp(gb.log_marginal(np.array([[x]]), mixture1d))[0])


def integrate_real_line(f, breaks):
    """∫ f over the real line, split at the given finite breaks: (value, sum of quad's error estimates)."""
    edges = [-np.inf, *breaks, np.inf]
    pieces = [integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-13) for a, b in zip(edges[:-1], edges[1:])]
    return sum(value for value, _ in pieces), sum(error for _, error in pieces)


means_1d = np.sort(mixture1d.means.ravel())
total_1d, error_1d = integrate_real_line(density_1d, means_1d)
assert abs(total_1d - 1) < 1e-10 and error_1d < 1e-10

bad_weights = np.array([0.3, 0.5, 0.4])              # sums to 1.2: breaks equation (mixture)


def not_a_density(x):
    return sum(w * stats.norm(m, np.sqrt(v)).pdf(x)
               for w, m, v in zip(bad_weights, mixture1d.means.ravel(), mixture1d.covariances.ravel()))


total_bad, error_bad = integrate_real_line(not_a_density, means_1d)
assert abs(total_bad - 1.2) < 1e-10 and error_bad < 1e-10
print(f"integral of the mixture: {total_1d:.10f}; with weights summing to 1.2: {total_bad:.10f}")
print("check (integral, 1-D): the mixture density integrates to 1 within 1e-10 (quad over the real line, "
      "error estimates < 1e-10)")

# %% [markdown]
# **What we verified:** equation (integral) holds for the 1-D example, and the same test catches weights that do not sum to 1.
#
# `gmmbook` does not let such weights in at all: `gb.GMM` refuses weights that are negative or do not sum to 1 (within 1e-8), with a message that says what is wrong, rather than quietly dividing by their sum.

# %%
for weights in ([0.3, 0.5, 0.4], [-0.1, 0.6, 0.5]):
    try:
        gb.GMM(np.array(weights), mixture1d.means, mixture1d.covariances)
    except ValueError as err:
        print(f"weights {weights}: ValueError: {err}")
    else:
        raise AssertionError(f"gb.GMM accepted the invalid weights {weights}")

# %% [markdown]
# ### The mixture integrates to 1: a 2-D example on a grid
#
# In two dimensions we integrate the Old Faithful mixture on a rectangular grid with the trapezoidal rule, once along each axis.
# The grid must be wide enough: we take, in each coordinate, from 8 standard deviations below the lowest component mean to 8 above the highest.
# A point lies outside that box only if one of its D = 2 coordinates lies more than 8 standard deviations from its component's mean, which has probability $2\,\Phi(-8)$ per coordinate, where $\Phi$ is the standard normal distribution function.
# So each component has less than $2 \cdot 2\,\Phi(-8) \approx 2.5\times10^{-15}$ of its mass outside the box.
# Inside the box the trapezoidal rule is extremely accurate for Gaussians: on the whole line, the trapezoidal sum of a Gaussian with standard deviation $\sigma$ at spacing $h$ has a relative error of about $2e^{-2\pi^2\sigma^2/h^2}$ (by the Poisson summation formula).
# We integrate first along the waiting time at fixed eruption length, where a component's spread is its conditional standard deviation $1/\sqrt{(\boldsymbol\Sigma_k^{-1})_{dd}}$, then along the eruption length, where it is the larger marginal one.
# On the coarser grid the spacing is below a sixth of every component's conditional standard deviation along each axis, so that error is below $e^{-700}$.
# So we ask for 1 within 1e-10, on two grids of different fineness.
#
# **CHECK (integral, 2-D).** The grid integral of `gmmbook`'s density must be 1 within 1e-10 on both grids.

# %%
sd = np.sqrt(np.diagonal(mixture2.covariances, axis1=1, axis2=2))    # (K, D) standard deviations
conditional_sd = 1 / np.sqrt(np.diagonal(np.linalg.inv(mixture2.covariances), axis1=1, axis2=2))   # (K, D)
low = np.min(mixture2.means - 8 * sd, axis=0)
high = np.max(mixture2.means + 8 * sd, axis=0)
for n_grid in (201, 401):
    u = np.linspace(low[0], high[0], n_grid)            # eruption length
    v = np.linspace(low[1], high[1], n_grid)            # waiting time
    assert u[1] - u[0] < conditional_sd[:, 0].min() / 6 and v[1] - v[0] < conditional_sd[:, 1].min() / 6
    U, V = np.meshgrid(u, v, indexing="ij")
    density_grid = np.exp(gb.log_marginal(np.column_stack([U.ravel(), V.ravel()]), mixture2)).reshape(U.shape)
    total_2d = integrate.trapezoid(integrate.trapezoid(density_grid, v, axis=1), u)
    assert abs(total_2d - 1) < 1e-10
print(f"grid: eruption length {low[0]:.2f} to {high[0]:.2f} min, waiting time {low[1]:.1f} to {high[1]:.1f} min")
print("check (integral, 2-D): the Old Faithful mixture integrates to 1 within 1e-10 on 201x201 and 401x401 grids")

# %% [markdown]
# **What we verified:** equation (integral) holds in two dimensions for a mixture whose components are long and thin (standard deviations of 0.26 and 5.8 minutes in component 1).
#
# ## 3. Clustering with Gaussians: two shortcomings of K-means
#
# Clustering means splitting the points into groups without being told the groups.
# The best-known method is *K-means*.
# It gives each point a label $z_n \in \{1, \dots, K\}$ and each cluster a centre $\mathbf{m}_k$, and minimises the sum of squared distances of the points to their centres,
#
# $$ J = \sum_{n=1}^N \lVert \mathbf{x}_n - \mathbf{m}_{z_n} \rVert^2, \tag{kmeans} $$
#
# by alternating two steps: give each point to its nearest centre, then move each centre to the mean of its points.
# Equation (kmeans) hides two assumptions.
#
# 1. The distance is Euclidean, the same in every direction: K-means sees every cluster as a round ball.
# 2. Each point gets exactly one label, with full confidence, even when it sits between two clusters.
#
# A Gaussian mixture replaces each assumption by something more flexible.
#
# ### Shortcoming 1: round clusters, fixed by full covariances
#
# `gb.datasets.elongated_2d()` has two long, thin, parallel clusters: means $(0, -1.5)$ and $(0, 1.5)$, both with covariance $\operatorname{diag}(4, 0.15)$.
# Each cluster is about five times longer (standard deviation 2) than it is thick (0.39), and they are stacked 3 apart.
# We draw 400 points from it (seed 1, as in the figure below), remembering which component drew each point, and cluster them three ways: K-means (SciPy's `kmeans2` with k-means++ seeding), a mixture with spherical covariances $\sigma_k^2\mathbf{I}$ (round, like K-means), and a mixture with full covariances.
# A mixture gives each point a probability for each component (more on this below); for scoring we label each point with its most probable component.
# To score a clustering we count the fraction of points it puts in the wrong group; cluster names are arbitrary, so we take the best of the K! ways to match them with the true components.

# %%
def fraction_misassigned(labels, true_labels, K):
    """The fraction of points whose label differs from the truth, under the best renaming of the clusters."""
    return min(np.mean(np.array(perm)[labels] != true_labels) for perm in itertools.permutations(range(K)))


elongated = gb.datasets.elongated_2d()
X_long, labels_long = gb.sample(elongated, 400, np.random.default_rng(1))
_, labels_kmeans = kmeans2(X_long, 2, minit="++", rng=np.random.default_rng(1))
fit_spherical = gb.em(X_long, 2, covariance_type="spherical", rng=np.random.default_rng(1))
fit_full = gb.em(X_long, 2, rng=np.random.default_rng(1))
misassigned = {
    "K-means": fraction_misassigned(labels_kmeans, labels_long, 2),
    "mixture, spherical covariances": fraction_misassigned(fit_spherical.resp.argmax(axis=1), labels_long, 2),
    "mixture, full covariances": fraction_misassigned(fit_full.resp.argmax(axis=1), labels_long, 2),
}
for name, fraction in misassigned.items():
    print(f"{name:32s} misassigns {100 * fraction:4.1f}% of the points")
print("full covariances found by the mixture:", np.round(fit_full.gmm.covariances, 2).tolist())

# %% [markdown]
# The full-covariance mixture finds covariances close to the true $\operatorname{diag}(4, 0.15)$.
#
# **CHECK (shortcoming 1).** On this sample, the full-covariance mixture must recover the true grouping (at most 1 % misassigned), while K-means and the spherical mixture must do little better than a coin toss, which misassigns 50 % (at least 40 % misassigned).

# %%
assert misassigned["mixture, full covariances"] <= 0.01
assert misassigned["K-means"] >= 0.4 and misassigned["mixture, spherical covariances"] >= 0.4
print("check (shortcoming 1): full-covariance mixture <= 1% misassigned; K-means and spherical mixture >= 40%")

# %% [markdown]
# **What we verified:** round clusters fail on elongated data whether the assignments are hard (K-means) or soft (spherical mixture); full covariances succeed.
#
# The figure shows why: K-means cuts across both clusters, the full-covariance mixture finds the two thin ellipses.

# %%
fig = plotting.fig_kmeans_vs_gmm()
plt.show()

# %% [markdown]
# Is K-means just unlucky here, with a bad start?
# No: its own objective, equation (kmeans), prefers the wrong answer.
# Compare the two ways of cutting the data in two, per point and on average.
#
# *The true grouping.* Each point is measured from its own cluster mean, so the expected squared distance is the sum of the variances, the trace of the covariance:
#
# $$ \mathbb{E}\,\lVert \mathbf{x} - \boldsymbol\mu_k \rVert^2 = \operatorname{tr}\boldsymbol\Sigma_k = 4 + 0.15 = 4.15. \tag{sse-true} $$
#
# *Cutting left from right* at $x_1 = 0$.
# By symmetry both halves look alike; take the right half, $x_1 > 0$.
# Its first coordinate is half of a $\mathcal{N}(0, s^2)$ with $s^2 = 4$, whose mean is $s\sqrt{2/\pi}$ and whose variance is $s^2 - s^2\cdot 2/\pi = s^2(1 - 2/\pi)$.
# Its second coordinate does not depend on $x_1$: it is an equal mixture of $\mathcal{N}(-1.5, 0.15)$ and $\mathcal{N}(1.5, 0.15)$, with mean 0 and variance $0.15 + 1.5^2$.
# So the expected squared distance from the half's centre is
#
# $$ 4\,(1 - 2/\pi) + 0.15 + 1.5^2 \approx 1.454 + 2.400 = 3.854 < 4.15. \tag{sse-split} $$
#
# Cutting across the clusters gives a *smaller* J than the truth.
# K-means judges clusterings by J, so however often we restart it, it will never prefer the true grouping to this cut.
#
# **CHECK (sse-true, sse-split).** By simulation with 100 000 points, the average squared distance per point must match equations (sse-true) and (sse-split) within 2 % (the standard error of each simulated value is below 0.5 %); and on the 400 points above, K-means' clustering must have a smaller J than the true labels.

# %%
def sse(X, labels, K):
    """J of equation (kmeans), with each centre at the mean of its points."""
    return sum(np.sum((X[labels == k] - X[labels == k].mean(axis=0)) ** 2) for k in range(K))


X_big, labels_big = gb.sample(elongated, 100_000, np.random.default_rng(100))
per_point_true = sse(X_big, labels_big, 2) / len(X_big)
per_point_split = sse(X_big, (X_big[:, 0] > 0).astype(int), 2) / len(X_big)
predicted_true = 4 + 0.15
predicted_split = 4 * (1 - 2 / np.pi) + 0.15 + 1.5**2
print(f"per point, true grouping : simulated {per_point_true:.2f}, predicted {predicted_true:.3f}")
print(f"per point, cut at x1 = 0 : simulated {per_point_split:.2f}, predicted {predicted_split:.3f}")
assert abs(per_point_true / predicted_true - 1) < 0.02
assert abs(per_point_split / predicted_split - 1) < 0.02
assert sse(X_long, labels_kmeans, 2) < sse(X_long, labels_long, 2)
print("check (sse-true, sse-split): both predictions within 2%; K-means' wrong clustering has a smaller J than the truth")

# %% [markdown]
# **What we verified:** equations (sse-true) and (sse-split) are right, and the failure of K-means on elongated clusters lies in its objective, not in its start.
#
# A mixture measures distance with each component's own covariance: the exponent of equation (gauss) is the Mahalanobis distance $\Delta^2$, which counts a step across a thin cluster as much longer than the same step along it.
#
# ### Shortcoming 2: hard assignments, fixed by treating $z_n$ as a random variable
#
# K-means treats the label $z_n$ of each point as an unknown to be chosen, and chooses one.
# A mixture treats $z_n$ as a *random variable*: the component that generated $\mathbf{x}_n$, with prior probability $p(z_n = k) = \pi_k$ and, given $z_n = k$, $\mathbf{x}_n \sim \mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k)$.
# Chapter 02 builds this model carefully.
# Having seen $\mathbf{x}_n$, Bayes' rule gives the probability that component k generated it, the *responsibility* of component k for point n:
#
# $$ r_{nk} = p(z_n = k \mid \mathbf{x}_n) = \frac{\pi_k\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)}{\sum_{j=1}^K \pi_j\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_j,\boldsymbol\Sigma_j)}. \tag{soft} $$
#
# The denominator is equation (mixture), so for each point the responsibilities are non-negative and sum to 1 over k.
# This is *soft* clustering: instead of one label per point, a probability for each component (chapter 04 studies it in depth).
#
# `gb.datasets.overlapping_2d()` has two round clusters that overlap: $\pi_1 = \pi_2 = \tfrac12$, $\boldsymbol\mu_1 = (0, 0)$, $\boldsymbol\mu_2 = (2, 0)$, $\boldsymbol\Sigma_1 = \boldsymbol\Sigma_2 = \mathbf{I}$.
# Here equation (soft) can be worked out by hand.
# In the ratio $r_{n1}/r_{n2}$ the denominators of equation (soft) cancel; the weights are equal and so are the normalising factors of equation (gauss), so only the exponents remain in the log of the ratio:
#
# $$ \ln\frac{r_{n1}}{r_{n2}} = \ln\frac{\pi_1\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_1,\mathbf{I})}{\pi_2\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_2,\mathbf{I})} = -\tfrac12\lVert\mathbf{x}_n\rVert^2 + \tfrac12\lVert\mathbf{x}_n - \boldsymbol\mu_2\rVert^2 = -\boldsymbol\mu_2^\top\mathbf{x}_n + \tfrac12\lVert\boldsymbol\mu_2\rVert^2 = 2 - 2x_{n1}. \tag{overlap-ratio} $$
#
# Here $\boldsymbol\mu_1 = \mathbf{0}$ removed $\boldsymbol\mu_1$ from the first term, and $\boldsymbol\mu_2 = (2, 0)$ gives $\boldsymbol\mu_2^\top\mathbf{x}_n = 2x_{n1}$ and $\lVert\boldsymbol\mu_2\rVert^2 = 4$.
# With $r_{n1} = 1/(1 + r_{n2}/r_{n1})$ this gives
#
# $$ r_{n1} = \frac{1}{1 + e^{\,2x_{n1} - 2}}, \tag{overlap-resp} $$
#
# which depends only on the first coordinate and equals ½ exactly on the line $x_1 = 1$, halfway between the means.
#
# **CHECK (overlap-resp).** `gb.responsibilities` on 300 points drawn from the model (seed 2, as in the figure below) must equal equation (overlap-resp) within 1e-12.

# %%
overlapping = gb.datasets.overlapping_2d()
X_mid, labels_mid = gb.sample(overlapping, 300, np.random.default_rng(2))
resp_mid = gb.responsibilities(X_mid, overlapping)
resp_by_hand = 1 / (1 + np.exp(2 * X_mid[:, 0] - 2))
assert np.max(np.abs(resp_mid[:, 0] - resp_by_hand)) < 1e-12
assert np.allclose(resp_mid.sum(axis=1), 1, rtol=0, atol=1e-12)
print("check (overlap-resp): gmmbook's responsibilities equal 1/(1 + exp(2 x1 - 2)) within 1e-12; rows sum to 1")

# %% [markdown]
# **What we verified:** `gmmbook` computes equation (soft) as derived by hand for the overlapping example.
#
# Now the five points closest to the middle: the component that really drew each of them, the K-means label (its clusters renamed to match the truth as well as possible), the hard label of the mixture (the component with the larger responsibility), and the two responsibilities.

# %%
_, labels_kmeans_mid = kmeans2(X_mid, 2, minit="++", rng=np.random.default_rng(2))
if np.mean(labels_kmeans_mid != labels_mid) > 0.5:              # K-means names its clusters arbitrarily
    labels_kmeans_mid = 1 - labels_kmeans_mid
middle = np.argsort(np.abs(resp_mid[:, 0] - 0.5))[:5]
print("     x1      x2  drawn by  K-means  argmax r    r_n1   r_n2")
for n in middle:
    print(f"{X_mid[n, 0]:7.3f} {X_mid[n, 1]:7.3f} {labels_mid[n] + 1:9d} {labels_kmeans_mid[n] + 1:8d} "
          f"{resp_mid[n].argmax() + 1:9d} {resp_mid[n, 0]:7.3f} {resp_mid[n, 1]:6.3f}")

# %% [markdown]
# Both hard labellings give each of these points to one cluster with full confidence, and both are wrong about some of them; the responsibilities say "about 50/50", which is the honest answer.
# Are they honest in general?
# If the responsibilities are the right probabilities, then a hard label chosen by the largest responsibility is wrong with probability $1 - \max_k r_{nk}$, so the average of $1 - \max_k r_{nk}$ must predict how often such labels are wrong.
# For this model that rate is also known exactly: a point of component 1 is labelled 2 when $x_{n1} > 1$, one standard deviation beyond its mean, which has probability $\Phi(-1) \approx 0.159$ (and the same for component 2 by symmetry).
#
# **CHECK (soft assignments are calibrated).** On 20 000 points drawn from the model: the error rate of the hard labels, the average of $1 - \max_k r_{nk}$, and $\Phi(-1)$ must agree within 0.02 (four binomial standard errors of the error rate are 0.010); and among the points with $|x_{n1} - 1| < 0.1$, the fraction drawn by component 1 must be within four binomial standard errors of ½.

# %%
X_many, labels_many = gb.sample(overlapping, 20_000, np.random.default_rng(100))
resp_many = gb.responsibilities(X_many, overlapping)
error_rate = np.mean(resp_many.argmax(axis=1) != labels_many)
predicted_error = np.mean(1 - resp_many.max(axis=1))
exact_error = stats.norm.cdf(-1)
print(f"hard labels wrong: {error_rate:.3f}; mean of 1 - max r: {predicted_error:.3f}; Phi(-1): {exact_error:.3f}")
assert abs(error_rate - exact_error) < 0.02 and abs(predicted_error - exact_error) < 0.02
near_middle = np.abs(X_many[:, 0] - 1) < 0.1
share_1 = np.mean(labels_many[near_middle] == 0)
standard_error = np.sqrt(0.25 / near_middle.sum())
print(f"{near_middle.sum()} points with |x1 - 1| < 0.1: a share {share_1:.3f} drawn by component 1")
assert abs(share_1 - 0.5) < 4 * standard_error
print("check (soft assignments are calibrated): error rate of hard labels = mean(1 - max r) = Phi(-1) within 0.02; "
      "near the middle each component drew half the points")

# %% [markdown]
# **What we verified:** near the middle, a hard label is a coin toss, and the responsibilities say so; overall they predict how often hard labels are wrong.
#
# The figure shows the 300 points above twice: on the left each point has the colour of its most probable component, a hard label; on the right its colour mixes the two component colours in proportion to $r_{n1}$ and $r_{n2}$.
# The dotted line is $x_1 = 1$, where $r_{n1} = \tfrac12$.

# %%
fig = plotting.fig_hard_vs_soft()
plt.show()

# %% [markdown]
# ## 4. Covariance structures
#
# A full covariance matrix lets every component be any ellipse, which costs $D(D+1)/2$ numbers per component (section 5).
# When D is large or data are few, we can restrict the shape.
# The four usual choices (scikit-learn's names, and `gmmbook`'s `covariance_type`):
#
# | `covariance_type` | $\boldsymbol\Sigma_k$ | what it assumes | numbers for all K components |
# |---|---|---|---|
# | `full` | any symmetric positive definite matrix | each component is its own ellipse, any orientation | $K\,D(D+1)/2$ |
# | `diag` | $\operatorname{diag}(\sigma_{k1}^2, \dots, \sigma_{kD}^2)$ | ellipses aligned with the coordinate axes (coordinates uncorrelated within a component) | $K\,D$ |
# | `spherical` | $\sigma_k^2\,\mathbf{I}$ | circles (spheres), one size per component (K-means assumes circles too, all of one size) | $K$ |
# | `tied` | $\boldsymbol\Sigma$, the same for all k | every component has the same ellipse, moved to its own mean | $D(D+1)/2$ |
#
# `tied` is what made equation (overlap-ratio) linear in $\mathbf{x}$: with a shared covariance the quadratic terms $-\tfrac12\mathbf{x}^\top\boldsymbol\Sigma^{-1}\mathbf{x}$ cancel in the log-ratio, so the boundary $r_{n1} = \tfrac12$ is a straight line (a plane in D dimensions).
#
# ### Structures and units
#
# `diag` and `spherical` depend on the coordinate system: rotate the axes and a diagonal covariance becomes a full one.
# Rescaling the axes is gentler, but it matters too.
# On Old Faithful the two columns have standard deviations of about 1.1 and 13.6 minutes, so a circle in these units is either far too wide for the eruption lengths or far too narrow for the waiting times.
# The usual remedy is to *standardise* each column, $y_{nd} = (x_{nd} - m_d)/s_d$, with $m_d$ the mean and $s_d$ the standard deviation (divisor N) of column d.
# What does standardising do to a mixture?
# Write $\mathbf{y} = \mathbf{S}^{-1}(\mathbf{x} - \mathbf{m})$ with $\mathbf{S} = \operatorname{diag}(s_1, \dots, s_D)$.
# If $\mathbf{x} \sim \mathcal{N}(\boldsymbol\mu, \boldsymbol\Sigma)$, then $\mathbf{y} \sim \mathcal{N}\big(\mathbf{S}^{-1}(\boldsymbol\mu - \mathbf{m}),\ \mathbf{S}^{-1}\boldsymbol\Sigma\mathbf{S}^{-1}\big)$, and by the change-of-variables rule for densities ($d\mathbf{x} = \det\mathbf{S}\,d\mathbf{y}$) every point gains the same constant:
#
# $$ \ln p_Y(\mathbf{y}_n) = \ln p_X(\mathbf{x}_n) + \sum_{d=1}^D \ln s_d, \qquad \ell_Y = \ell_X + N\sum_{d=1}^D \ln s_d. \tag{rescale} $$
#
# Apply this to each component of a mixture (the weights stay as they are).
# Now $\mathbf{S}^{-1}\boldsymbol\Sigma\mathbf{S}^{-1}$ is full if $\boldsymbol\Sigma$ is full, diagonal if it is diagonal, and shared if it is shared, and the map can be undone.
# So for `full`, `diag` and `tied` every mixture for the raw data corresponds to exactly one for the standardised data, with a log-likelihood larger by the same constant: the best fit to the standardised data is the best fit to the raw data carried over, and its log-likelihood is shifted by exactly equation (rescale).
# But $\mathbf{S}^{-1}\sigma^2\mathbf{I}\,\mathbf{S}^{-1} = \sigma^2\mathbf{S}^{-2}$ is not a multiple of $\mathbf{I}$ when the $s_d$ differ: a spherical fit to raw data and one to standardised data are different models.
#
# We fit all four structures to Old Faithful, raw and standardised, each from the same seed (the figure below uses the standardised fits).

# %%
covariance_types = ("full", "diag", "spherical", "tied")
column_mean, column_sd = X.mean(axis=0), X.std(axis=0)
X_std = (X - column_mean) / column_sd
fits_raw = {t: gb.em(X, 2, covariance_type=t, rng=np.random.default_rng(0)) for t in covariance_types}
fits = {t: gb.em(X_std, 2, covariance_type=t, rng=np.random.default_rng(0)) for t in covariance_types}
print("           log-likelihood    log-likelihood")
print("type         (raw data)   (standardised)")
for t in covariance_types:
    print(f"{t:9s} {fits_raw[t].log_likelihood:12.2f} {fits[t].log_likelihood:15.2f}")
print(f"N * sum_d ln s_d = {N * np.sum(np.log(column_sd)):.2f}")

# %% [markdown]
# **CHECK (rescale).** For `full`, `diag` and `tied`, the standardised log-likelihood must equal the raw one plus $N\sum_d \ln s_d$ within 1e-6; for `spherical` it must not (a difference of more than 1).
# EM starts from K-means, which is not unit-free, so the two runs of a pair may start from different places: the check also tests that both reached the corresponding maximum.
# Is 1e-6 fair to runs that stop when a step gains less than $N \cdot 10^{-8} \approx 3\cdot10^{-6}$ in $\ell$?
# Near a maximum EM's gains shrink geometrically: if each gain is $\rho$ times the one before, the gains still to come add up to the last gain times $\rho/(1-\rho)$.
# The check asserts that for these six runs $\rho < 0.1$ and that this remainder is below 1e-7, so each run has stopped well within the tolerance of its maximum.

# %%
shift = N * np.sum(np.log(column_sd))
for t in ("full", "diag", "tied"):
    assert abs(fits[t].log_likelihood - (fits_raw[t].log_likelihood + shift)) < 1e-6, t
    for fit in (fits_raw[t], fits[t]):
        gains = np.diff(fit.log_likelihoods)
        rho = gains[-1] / gains[-2]                         # how fast the gains shrink at the end
        assert 0 <= rho < 0.1 and gains[-1] * rho / (1 - rho) < 1e-7, t
assert abs(fits["spherical"].log_likelihood - (fits_raw["spherical"].log_likelihood + shift)) > 1
print("check (rescale): full, diag and tied fits carry over to standardised data with the log-likelihood "
      "shifted by N * sum_d ln s_d (within 1e-6; each run converged to within 1e-7); the spherical fit does not")

# %% [markdown]
# **What we verified:** equation (rescale), and that the spherical structure, unlike the other three, depends on the units of the columns.
#
# **CHECK (covariance structures).** The fitted covariance arrays (standardised data) must have the promised structure exactly: zero off-diagonal entries for `diag`; a multiple of the identity for `spherical`; all K matrices equal for `tied`.
# And since every diagonal matrix is a full matrix, every spherical one is diagonal and every tied set is also a full set, the richer model must fit at least as well: $\ell_\text{full} \ge \ell_\text{diag} \ge \ell_\text{spherical}$ and $\ell_\text{full} \ge \ell_\text{tied}$.
# (That argument is about the best fit of each kind; EM only finds a local maximum, so this part of the check could fail for an unlucky start.)

# %%
def off_diagonal(covariances):
    """The entries of a (K, D, D) stack that lie off the diagonal, shape (K, D(D-1))."""
    return covariances[:, ~np.eye(covariances.shape[1], dtype=bool)]


covs = {t: fit.gmm.covariances for t, fit in fits.items()}
assert np.all(off_diagonal(covs["diag"]) == 0)
assert np.all(covs["spherical"] == covs["spherical"][:, :1, :1] * np.eye(D))
assert np.all(covs["tied"] == covs["tied"][0])
assert np.all(off_diagonal(covs["full"]) != 0)          # the full fit really uses its correlations
ll = {t: fit.log_likelihood for t, fit in fits.items()}
assert ll["full"] >= ll["diag"] >= ll["spherical"] and ll["full"] >= ll["tied"]
print("check (covariance structures): each fit has its structure exactly; "
      "log-likelihoods ordered full >= diag >= spherical and full >= tied")

# %% [markdown]
# **What we verified:** `gmmbook` fits each structure as the table says, and the nested models rank as they should.
#
# The figure draws the fitted ellipses (1 and 2 standard deviations) of each structure on the standardised data, with the number of parameters from section 5.
# Note how `diag` keeps the ellipses upright although the clusters are tilted, and how `tied` gives both components the same shape although the long eruptions vary more.

# %%
fig = plotting.fig_covariance_structures()
plt.show()

# %% [markdown]
# ## 5. Counting parameters
#
# How many numbers does a K-component mixture in D dimensions need?
#
# - Means: K vectors of D numbers, $K D$.
# - Covariances: each $\boldsymbol\Sigma_k$ is symmetric, so it is fixed by its D diagonal entries and the $D(D-1)/2$ entries above the diagonal, $D + D(D-1)/2 = D(D+1)/2$ per component.
# - Weights: K of them, but they sum to 1, so the last is $1 - (\pi_1 + \dots + \pi_{K-1})$ and only $K - 1$ are free.
#
# In total, for full covariances,
#
# $$ P = \underbrace{K D}_{\text{means}} + \underbrace{K\,\frac{D(D+1)}{2}}_{\text{covariances}} + \underbrace{(K - 1)}_{\text{weights}} = O(D^2 K). \tag{count} $$
#
# For the other structures of section 4, replace the covariance term by $K D$ (`diag`), $K$ (`spherical`) or $D(D+1)/2$ (`tied`).
# For Old Faithful with K = 2 and D = 2: $4 + 6 + 1 = 11$ numbers, against 5 for one Gaussian.
#
# **CHECK (count).** We count the free numbers in the arrays of the four standardised fits of section 4, directly from their sizes and structure: the unique entries of a symmetric matrix are its upper triangle; a diagonal matrix has only its diagonal; a spherical one only one number; a tied set only one matrix.
# The count must equal equation (count) and `gb.n_parameters` for each type.

# %%
def count_from_arrays(gmm, covariance_type):
    """Free numbers of a fitted mixture, read off its arrays (not from a formula)."""
    upper = np.triu_indices(gmm.D)                        # the unique entries of a symmetric matrix
    covariance_numbers = {
        "full": gmm.covariances[:, upper[0], upper[1]].size,
        "diag": np.diagonal(gmm.covariances, axis1=1, axis2=2).size,
        "spherical": gmm.covariances[:, 0, 0].size,
        "tied": gmm.covariances[0][upper].size,
    }[covariance_type]
    return gmm.means.size + covariance_numbers + (gmm.weights.size - 1)


def count_formula(K, D, covariance_type):
    """Equation (count), with the covariance term of each structure."""
    covariance_numbers = {"full": K * D * (D + 1) // 2, "diag": K * D, "spherical": K, "tied": D * (D + 1) // 2}
    return K * D + covariance_numbers[covariance_type] + (K - 1)


for t, fit in fits.items():
    from_arrays = count_from_arrays(fit.gmm, t)
    assert from_arrays == count_formula(2, D, t) == gb.n_parameters(2, D, t)
    print(f"{t:9s} {from_arrays:3d} free numbers")
print("check (count): the count read from the fitted arrays equals equation (count) and gb.n_parameters "
      "for all four covariance types")

# %% [markdown]
# **What we verified:** equation (count) and `gb.n_parameters` count exactly the free numbers that a fitted mixture stores.
#
# ### $O(D^2 K)$ against $O(N)$
#
# Equation (count) does not contain N: however many eruptions we record, the mixture has 11 numbers.
# K-means, by contrast, treats each label $z_n$ as an unknown to be chosen, so its unknowns are the $K D$ centres *plus N labels*, a number that grows with the data.
# Each new point brings a new unknown with it, so the data per unknown never grow, however much we collect.
# The mixture avoids this by treating $z_n$ as a random variable and summing it out in equation (mixture); what remains of each $z_n$ is the responsibilities, which are computed from θ and are not parameters (chapter 02 returns to this).
#
# **CHECK (O(N) against O(D²K)).** Fitting on half of Old Faithful and on all of it must give parameter arrays of the same sizes, while the responsibilities, one row per point, grow with N.

# %%
half = gb.em(X[: N // 2], 2, rng=np.random.default_rng(0))
for name, fit in (("half the data", half), ("all the data ", fits_raw["full"])):
    print(f"{name}: N = {fit.resp.shape[0]:3d}, parameters {count_from_arrays(fit.gmm, 'full')}, "
          f"responsibilities {fit.resp.size}")
assert count_from_arrays(half.gmm, "full") == count_from_arrays(fits_raw["full"].gmm, "full")
assert half.resp.size == (N // 2) * 2 and fits_raw["full"].resp.size == N * 2
print("check (O(N) against O(D^2 K)): the parameter count does not change with N; the responsibilities have N*K entries")

# %% [markdown]
# **What we verified:** the parameters of a mixture do not grow with the data; only the per-point responsibilities do.
#
# How fast does equation (count) grow with D?
# The table gives P for K = 3 components.
# For full covariances the $K D(D+1)/2$ term dominates: going from D = 10 to D = 100 multiplies P by almost 80, close to $10^2$; that is why `diag` (linear in D) and `spherical` exist.

# %%
print("    D" + "".join(f"{t:>11s}" for t in covariance_types))
for d in (1, 2, 10, 100):
    print(f"{d:5d}" + "".join(f"{gb.n_parameters(3, d, t):11d}" for t in covariance_types))

# %% [markdown]
# ## Summary
#
# - One Gaussian fitted by maximum likelihood, equation (ml-gauss), cannot describe Old Faithful: its best log-likelihood, equation (loglik-one), is −1289.80, and it predicts three times too many eruptions where there are almost none.
#   A two-component mixture reaches the published −1130.26.
# - A Gaussian mixture, equation (mixture), is a weighted sum of Gaussians, equation (gauss), with weights $\pi_k \ge 0$ that sum to 1, which is exactly what makes it integrate to 1, equation (integral).
#   We checked that by quadrature in 1-D and on a grid in 2-D.
# - K-means assumes round clusters and hard labels.
#   Full covariances fix the first (K-means' own objective prefers the wrong split of elongated clusters, equations (sse-true) and (sse-split)); treating $z_n$ as a random variable, with responsibilities from Bayes' rule, equation (soft), fixes the second, and the responsibilities are calibrated.
# - Covariances can be full, diagonal, spherical or tied, trading flexibility for parameters; standardising the columns shifts the log-likelihood by a constant, equation (rescale), except for spherical fits, which depend on the units.
# - A full mixture has $K D + K D(D+1)/2 + (K - 1) = O(D^2 K)$ parameters, equation (count), independent of N.
#
# Next, chapter 02 makes the story "pick a component, then draw from its Gaussian" precise with a latent variable.
#
# ## Exercises
#
# Practise this chapter in [the exercises for chapter 01](../exercises/01_mixtures.ipynb).
# Their answers are checked automatically, with feedback that names the usual mistakes.

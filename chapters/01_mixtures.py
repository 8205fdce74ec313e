# %% [markdown]
# # Chapter 01: Mixtures of Gaussians
#
# Many data sets are made of groups that we cannot see directly.
# A Gaussian mixture describes such data as a weighted sum of Gaussian bumps, one per group.
# Every formula is checked by the machine where it appears.
#
# ## What you will learn
#
# - Why one Gaussian cannot describe data with several clumps.
# - The Gaussian density, equation (gauss), and the mixture, equation (mixture).
# - Two shortcomings of K-means (round clusters, hard labels) and how a mixture fixes each.
# - The covariance structures full, diagonal, spherical and tied.
# - How many parameters a mixture has, equation (count).
#
# ## What this chapter assumes
#
# - Probability: a density, independence, an expectation.
# - Linear algebra: inverse, determinant, trace, eigenvectors, positive definite matrices.
# - Python with NumPy.
#
# The symbols are those of chapter 00.
# Components are numbered $k = 1, \dots, K$ in the text and `0, ..., K-1` in the code.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
from scipy import integrate, stats
from scipy.cluster.vq import kmeans2
from sklearn.mixture import GaussianMixture

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. One Gaussian is not enough: Old Faithful
#
# Old Faithful is a geyser in Yellowstone National Park.
# The data set (Azzalini and Bowman, 1990; Härdle, 1991; R's `faithful`) records N = 272 eruptions.
# Each has D = 2 numbers: how long the eruption lasted, and the wait until the next one, both in minutes.
# The array `X` has shape (N, D), one row $\mathbf{x}_n$ per eruption.

# %%
X = gb.datasets.old_faithful()
N, D = X.shape
print(f"N = {N} eruptions, D = {D} numbers each; first three rows (eruption length, waiting time):")
print(X[:3])

# %% [markdown]
# ### The Gaussian density
#
# The Gaussian density in D dimensions, with mean $\boldsymbol\mu$ and symmetric positive definite covariance $\boldsymbol\Sigma$, is
#
# $$ \begin{aligned} \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu,\boldsymbol\Sigma) &= \frac{1}{(2\pi)^{D/2}\,(\det\boldsymbol\Sigma)^{1/2}}\, \exp\!\Big(-\tfrac12\,\Delta^2(\mathbf{x})\Big), \\ \Delta^2(\mathbf{x}) &= (\mathbf{x}-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}(\mathbf{x}-\boldsymbol\mu). \end{aligned} \tag{gauss} $$
#
# $\Delta$ is the *Mahalanobis distance* from $\mathbf{x}$ to $\boldsymbol\mu$: the ordinary distance in coordinates where the Gaussian is round with unit variances.
# The density depends on $\mathbf{x}$ only through $\Delta^2$, so its contours are ellipsoids (ellipses when D = 2), with axes along the eigenvectors of $\boldsymbol\Sigma$.
# The factor in front makes it integrate to 1.
# Here is equation (gauss) in NumPy:

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
# If the eruptions are independent draws from a density $p(\mathbf{x}\mid\theta)$, the density of the data set is $\prod_n p(\mathbf{x}_n\mid\theta)$.
# Its logarithm is the *log-likelihood* (chapter 03 shows why we compute with it):
#
# $$ \ell(\theta) = \sum_{n=1}^N \ln p(\mathbf{x}_n\mid\theta). \tag{total-loglik} $$
#
# The larger $\ell$, the better the model explains the data.
# For one Gaussian, $\ell$ is largest at the sample mean and the sample covariance *divided by N* (Bishop, 2006, §2.3.4):
#
# $$ \hat{\boldsymbol\mu} = \frac1N\sum_{n=1}^N \mathbf{x}_n, \qquad \hat{\boldsymbol\Sigma} = \frac1N\sum_{n=1}^N (\mathbf{x}_n-\hat{\boldsymbol\mu})(\mathbf{x}_n-\hat{\boldsymbol\mu})^\top. \tag{ml-gauss} $$
#
# In NumPy that is `np.cov(X.T, bias=True)`; the default, `bias=False`, divides by N − 1 and is not the maximum.
# `gmmbook` stores a mixture's parameters in a `gb.GMM(weights, means, covariances)`; one Gaussian is a mixture with one component of weight 1.

# %%
mean_hat = X.mean(axis=0)
cov_hat = np.cov(X.T, bias=True)
one_gaussian = gb.GMM(np.array([1.0]), mean_hat[None, :], cov_hat[None, :, :])
loglik_one = gb.log_likelihood(X, one_gaussian)
loglik_inline = np.sum(np.log(gauss_pdf(X, mean_hat, cov_hat)))
loglik_scipy = np.sum(stats.multivariate_normal(mean_hat, cov_hat).logpdf(X))
print("mean:", mean_hat)
print("covariance:\n", cov_hat)
print(f"log-likelihood of one Gaussian: {loglik_one:.2f}")

# %% [markdown]
# **CHECK (gauss, ml-gauss).** Our `gauss_pdf` and `gmmbook` must give the log-likelihood that SciPy's `multivariate_normal` gives.
# SciPy's own maximum-likelihood fit, `multivariate_normal.fit`, must return equation (ml-gauss).
# And moving the mean, scaling the covariance, or dividing by N − 1 must lower $\ell$.

# %%
assert abs(loglik_inline - loglik_scipy) < 1e-10 * abs(loglik_scipy)   # fails if sqrt(det) or the 1/2 in the exponent is lost
assert abs(loglik_one - loglik_scipy) < 1e-10 * abs(loglik_scipy)      # fails if gmmbook's normaliser or Delta^2 is wrong
mean_fit, cov_fit = stats.multivariate_normal.fit(X)
assert np.allclose(mean_fit, mean_hat, rtol=1e-12) and np.allclose(cov_fit, cov_hat, rtol=1e-12)   # fails for N - 1
alternatives = {"divisor N - 1": (mean_hat, np.cov(X.T)), "mean + 0.1": (mean_hat + 0.1, cov_hat),
                "covariance x 1.05": (mean_hat, 1.05 * cov_hat), "covariance x 0.95": (mean_hat, 0.95 * cov_hat)}
for name, (m, c) in alternatives.items():
    loss = loglik_scipy - np.sum(stats.multivariate_normal(m, c).logpdf(X))
    assert loss > 0, name                                                # fails if (ml-gauss) is not the maximum
    print(f"{name:18s} lowers the log-likelihood by {loss:.4f}")
print("check (gauss, ml-gauss): inline, gmmbook and SciPy log-likelihoods agree (rel. error < 1e-10); "
      "SciPy's fit is (ml-gauss); every alternative is worse")

# %% [markdown]
# **What we verified:** equation (gauss) as written, and equation (ml-gauss) as the maximum, by SciPy's density and SciPy's fit.
#
# ### The best one-Gaussian log-likelihood in closed form
#
# Take the logarithm of equation (gauss) and sum over the points: $\ell = -\tfrac12\sum_n [D\ln 2\pi + \ln\det\hat{\boldsymbol\Sigma} + \Delta^2(\mathbf{x}_n)]$.
# A number is its own trace, and $\operatorname{tr}(\mathbf{a}^\top\mathbf{B}\mathbf{a}) = \operatorname{tr}(\mathbf{B}\mathbf{a}\mathbf{a}^\top)$.
# With equation (ml-gauss) for the sum of the outer products,
#
# $$ \begin{aligned} \sum_{n=1}^N \Delta^2(\mathbf{x}_n) &= \operatorname{tr}\!\Big(\hat{\boldsymbol\Sigma}^{-1}\sum_{n=1}^N (\mathbf{x}_n-\hat{\boldsymbol\mu})(\mathbf{x}_n-\hat{\boldsymbol\mu})^\top\Big) \\ &= \operatorname{tr}\!\big(\hat{\boldsymbol\Sigma}^{-1} N\hat{\boldsymbol\Sigma}\big) = N D, \end{aligned} \tag{mahal-sum} $$
#
# $$ \ell(\hat{\boldsymbol\mu},\hat{\boldsymbol\Sigma}) = -\frac N2\Big[D\ln 2\pi + \ln\det\hat{\boldsymbol\Sigma} + D\Big]. \tag{loglik-one} $$
#
# **CHECK (loglik-one).** The squared Mahalanobis distances must sum to $ND$, and equation (loglik-one) must equal SciPy's point-by-point sum.

# %%
diff = X - mean_hat
delta2 = np.sum((diff @ np.linalg.inv(cov_hat)) * diff, axis=1)
loglik_closed = -N / 2 * (D * np.log(2 * np.pi) + np.log(np.linalg.det(cov_hat)) + D)
assert abs(np.sum(delta2) - N * D) < 1e-9 * N * D                       # fails if cov_hat divides by N - 1
assert abs(loglik_closed - loglik_scipy) < 1e-10 * abs(loglik_scipy)    # fails if the "+ D" or a factor 1/2 is lost
print(f"check (loglik-one): sum of Delta^2 = {np.sum(delta2):.6f} = N*D; closed form {loglik_closed:.6f} "
      "equals SciPy's sum (rel. error < 1e-10)")

# %% [markdown]
# **What we verified:** equations (mahal-sum) and (loglik-one), against SciPy.
#
# ### Where the single Gaussian puts its mass
#
# The best single Gaussian is centred at the mean eruption: about 3.5 minutes long, 71 minutes of waiting.
# But the eruptions come in two kinds, short and long (figure at the end of this section).
# The mean lies in the gap between them, where the single Gaussian puts its highest density and few eruptions happen.
#
# We can test this.
# Under $\mathcal{N}(\hat{\boldsymbol\mu},\hat{\boldsymbol\Sigma})$, $\Delta^2(\mathbf{x}_n)$ is a squared length in coordinates where the Gaussian is round, a sum of D squared standard normals: a $\chi^2_D$ variable (approximately, as $\hat{\boldsymbol\mu}$ and $\hat{\boldsymbol\Sigma}$ come from the same data).
# So each eruption falls inside the central ellipse $\Delta \le \tfrac12$ with probability $P(\chi^2_D \le \tfrac14) \approx 0.12$, and the count inside is binomial with N trials and that probability.
#
# **CHECK (one Gaussian is not enough).** First a control: for N points drawn from the fitted Gaussian itself, with their own fit, a binomial test of the count inside must *not* reject the prediction at the 0.1 % level.
# For the eruptions, the test must reject.

# %%
def count_inside(X, radius=0.5):
    """How many rows of X lie within Mahalanobis distance `radius` of the ML Gaussian fitted to X."""
    diff = X - X.mean(axis=0)
    return int(np.sum(np.sum((diff @ np.linalg.inv(np.cov(X.T, bias=True))) * diff, axis=1) <= radius**2))


p_inside = stats.chi2(df=D).cdf(0.5**2)
X_control, _ = gb.sample(one_gaussian, N, np.random.default_rng(0))
control_inside, observed_inside = count_inside(X_control), count_inside(X)
print(f"central ellipse Delta <= 1/2: expected {N * p_inside:.1f}; "
      f"observed {control_inside} (Gaussian control), {observed_inside} (eruptions)")
assert stats.binomtest(control_inside, N, p_inside).pvalue > 1e-3     # fails for chi2 with df = 1, or P(chi2 <= 1/2)
assert stats.binomtest(observed_inside, N, p_inside).pvalue < 1e-3   # fails if the eruptions were one Gaussian
print("check (one Gaussian is not enough): a Gaussian sample passes the binomial test; the eruptions "
      "fail it (p-value < 0.001)")

# %% [markdown]
# **What we verified:** the single Gaussian predicts three times as many eruptions near its centre as there are: its shape is wrong, not just its parameters.
#
# ### A mixture of two Gaussians
#
# A better model: an eruption is short or long, and each kind has its own Gaussian.
# With a fraction $\pi_1$ of short eruptions and $\pi_2 = 1 - \pi_1$ of long ones, the density of an eruption is
#
# $$ p(\mathbf{x}) = \pi_1\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_1,\boldsymbol\Sigma_1) + \pi_2\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_2,\boldsymbol\Sigma_2), $$
#
# a *mixture* of two Gaussians (section 2 defines it in general).
# No formula like equation (ml-gauss) gives its parameters.
# `gb.em` finds them by the EM algorithm (Dempster, Laird and Rubin, 1977), which chapters 05 and 06 derive; here it is a tool.

# %%
fit2 = gb.em(X, 2, rng=np.random.default_rng(0))
mixture2 = fit2.gmm
loglik_two = fit2.log_likelihood
print("weights    :", np.round(mixture2.weights, 3))
print("means      :", np.round(mixture2.means, 3).tolist())
print("covariances:", np.round(mixture2.covariances, 3).tolist())
print(f"log-likelihood, one Gaussian : {loglik_one:.3f}")
print(f"log-likelihood, two Gaussians: {loglik_two:.3f}")

# %% [markdown]
# About a third of the eruptions are short (2.0 minutes, then 54 minutes of waiting), two thirds long (4.3 minutes, then 80).
# This fit is published: in R's mclust package (Scrucca et al., 2016), `mclustBIC(faithful)` reports for model VVV (full covariances) with G = 2 a BIC $= 2\ell - M\ln N = -2322.192$, with $M = 11$ parameters (section 5), so $\ell = -1130.264$.
#
# **CHECK (Old Faithful, K = 2).** Our $\ell$ must equal mclust's to its three decimals, and SciPy, without `gmmbook`, must give the same $\ell$ for the same parameters.

# %%
MCLUST_VVV_K2 = -2322.192                  # Scrucca et al. (2016): mclustBIC(faithful), model VVV, G = 2: 2 l - M ln N
mclust_loglik = (MCLUST_VVV_K2 + 11 * np.log(N)) / 2                 # with mclust's M = 11
density_scipy = sum(w * stats.multivariate_normal(m, c).pdf(X)
                    for w, m, c in zip(mixture2.weights, mixture2.means, mixture2.covariances))
loglik_two_scipy = np.sum(np.log(density_scipy))
assert abs(loglik_two - mclust_loglik) < 5e-4              # fails at a poorer local maximum or with a wrong density
assert abs(loglik_two - loglik_two_scipy) < 1e-10 * abs(loglik_two_scipy)   # fails if gmmbook mis-weights components
print(f"check (Old Faithful, K = 2): l = {loglik_two:.3f} equals mclust's {mclust_loglik:.3f};"
      " SciPy agrees (rel. error < 1e-10)")

# %% [markdown]
# **What we verified:** `gmmbook` reaches the published two-component fit, and SciPy evaluates it alike.
#
# The mixture raises $\ell$ by about 160, or 0.59 per eruption.
# The best mixture cannot do worse, since a mixture with $\pi_2 = 0$ is a single Gaussian.
# Whether the gain is worth the extra parameters (11 against 5, section 5) is a question for chapter 06.
#
# In the figure, crosses are means and the ellipses are the contours $\Delta = 1$ and $\Delta = 2$ of each Gaussian.
# On the right, a point's colour mixes the component colours by the probability that each component produced it (its *responsibility*, chapter 04).

# %%
fig = plotting.fig_old_faithful_fits(X=X, one_gaussian=one_gaussian, fit=fit2)
plt.show()

# %% [markdown]
# ## 2. The Gaussian mixture
#
# A *Gaussian mixture* with K components in D dimensions has the density (Bishop, 2006, §2.3.9; Deisenroth, Faisal and Ong, 2020, §11.1)
#
# $$ p(\mathbf{x}) = \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k), \qquad \pi_k \ge 0, \qquad \sum_{k=1}^K \pi_k = 1, \tag{mixture} $$
#
# with *mixing weights* $\pi_k$ (`weights`, shape (K,)), *means* $\boldsymbol\mu_k$ (`means`, shape (K, D)) and *covariances* $\boldsymbol\Sigma_k$ (`covariances`, shape (K, D, D)).
# Together they are $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$.
#
# Why the two conditions on the weights?
# With $\pi_k \ge 0$ the density is never negative.
# And since each Gaussian integrates to 1,
#
# $$ \int p(\mathbf{x})\,d\mathbf{x} = \sum_{k=1}^K \pi_k \int \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)\,d\mathbf{x} = \sum_{k=1}^K \pi_k = 1. \tag{integral} $$
#
# Read $\pi_k$ as the probability that a point comes from component k: in section 1, $\pi_1 \approx 0.36$ is the share of short eruptions.
# Chapter 02 turns this reading into a generative story.
# Equation (mixture) in NumPy is a weighted sum of our `gauss_pdf`:

# %%
def mixture_pdf(X, weights, means, covariances):
    """p(x_n) = Σ_k π_k N(x_n | μ_k, Σ_k) for every row of X, equation (mixture)."""
    return sum(w * gauss_pdf(X, m, c) for w, m, c in zip(weights, means, covariances))


# %% [markdown]
# `gb.log_marginal(X, gmm)` returns $\ln p(\mathbf{x}_n)$ for every point (chapter 03 explains why it works in logarithms).
#
# **CHECK (mixture).** On Old Faithful and the two-component fit, our inline sum must equal the weighted sum of SciPy densities of section 1, point by point.

# %%
density_inline = mixture_pdf(X, mixture2.weights, mixture2.means, mixture2.covariances)
assert np.max(np.abs(density_inline / density_scipy - 1)) < 1e-12     # fails if mixture_pdf drops or swaps the weights
print("check (mixture): the inline sum and SciPy agree point by point, max rel. error < 1e-12")

# %% [markdown]
# **What we verified:** equation (mixture), inline, against SciPy, to twelve digits (`gmmbook`'s version passed the same test in section 1).
#
# ### The mixture integrates to 1: in 1-D by quadrature
#
# The book's 1-D example, `gb.datasets.three_component_1d()`, has three bumps.
# In 1-D, $\mathcal{N}(x\mid\mu,\sigma^2)$ has variance $\sigma^2$, stored as a 1 × 1 covariance.

# %%
mixture1d = gb.datasets.three_component_1d()
print("weights  :", mixture1d.weights)
print("means    :", mixture1d.means.ravel())
print("variances:", mixture1d.covariances.ravel())

# %% [markdown]
# The figure shades each weighted component $\pi_k\,\mathcal{N}(x\mid\mu_k,\sigma_k^2)$ and draws their sum $p(x)$ in black.
# A component's weight is its area, not its height: the third bump, of weight 0.2, is almost as tall as the first, of weight 0.3, because it is narrower.

# %%
fig = plotting.fig_mixture_density_1d(gmm=mixture1d)
plt.show()

# %% [markdown]
# **CHECK (integral, 1-D).** `scipy.integrate.quad` integrates `gmmbook`'s density over the real line, split at the three means so that no bump is stepped over, with absolute and relative accuracy 1e-13.
# The result must be 1 within 1e-10, with `quad`'s error estimates adding up to less than 1e-10.
# And `gb.GMM` must refuse weights that sum to 1.2, and negative ones, rather than quietly rescale them.

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
assert abs(total_1d - 1) < 1e-10 and error_1d < 1e-10              # fails if gmmbook's 1-D density is off by any factor
for weights in ([0.3, 0.5, 0.4], [-0.1, 0.6, 0.5]):                   # the first sums to 1.2
    try:
        gb.GMM(np.array(weights), mixture1d.means, mixture1d.covariances)
    except ValueError as err:
        print(f"gb.GMM refuses weights {weights}: {err}")
    else:
        raise AssertionError(f"gb.GMM accepted the invalid weights {weights}")   # fails if only one side is checked
print(f"check (integral, 1-D): the mixture integrates to {total_1d:.10f} (quad's error estimates < 1e-10); "
      "gb.GMM refuses invalid weights")

# %% [markdown]
# **What we verified:** equation (integral) in 1-D; `gb.GMM` admits only weights that make a density.
#
# ### The mixture integrates to 1: in 2-D on a grid
#
# We integrate the Old Faithful mixture with the trapezoidal rule on a grid, along each axis in turn.
# The grid reaches 8 standard deviations beyond every component mean, so each component has less than $4\,\Phi(-8) \approx 2.5\times10^{-15}$ of its mass outside ($\Phi$ is the standard normal distribution function).
# On the whole line, the trapezoidal sum of a Gaussian of standard deviation $\sigma$ at spacing $h$ has a relative error of about $2e^{-2\pi^2\sigma^2/h^2}$ (Trefethen and Weideman, 2014).
# We keep the spacing below a sixth of every conditional standard deviation $1/\sqrt{(\boldsymbol\Sigma_k^{-1})_{dd}}$ (the spread along an axis with the other coordinate fixed), so that error is below $e^{-700}$.
#
# **CHECK (integral, 2-D).** On two grids, 201 × 201 and 401 × 401, whose spacing we assert, the integral of `gmmbook`'s density must be 1 within 1e-10.

# %%
sd = np.sqrt(np.diagonal(mixture2.covariances, axis1=1, axis2=2))                               # (K, D)
conditional_sd = 1 / np.sqrt(np.diagonal(np.linalg.inv(mixture2.covariances), axis1=1, axis2=2))   # (K, D)
low = np.min(mixture2.means - 8 * sd, axis=0)
high = np.max(mixture2.means + 8 * sd, axis=0)
for n_grid in (201, 401):
    u = np.linspace(low[0], high[0], n_grid)            # eruption length
    v = np.linspace(low[1], high[1], n_grid)            # waiting time
    # a precondition of the error bound: fails if the grid were too coarse
    assert u[1] - u[0] < conditional_sd[:, 0].min() / 6 and v[1] - v[0] < conditional_sd[:, 1].min() / 6
    U, V = np.meshgrid(u, v, indexing="ij")
    density_grid = np.exp(gb.log_marginal(np.column_stack([U.ravel(), V.ravel()]), mixture2)).reshape(U.shape)
    total_2d = integrate.trapezoid(integrate.trapezoid(density_grid, v, axis=1), u)
    assert abs(total_2d - 1) < 1e-10                     # fails for a normaliser off by any factor, or a box too narrow
print(f"check (integral, 2-D): the Old Faithful mixture integrates to 1 within 1e-10 on both grids "
      f"(eruption length {low[0]:.2f} to {high[0]:.2f} min, waiting time {low[1]:.1f} to {high[1]:.1f} min)")

# %% [markdown]
# **What we verified:** equation (integral) in 2-D, for components that are long and thin (standard deviations 0.26 and 5.8 minutes in component 1).
#
# ## 3. Clustering with Gaussians: two shortcomings of K-means
#
# Clustering splits the points into groups without being told the groups.
# The best-known method, *K-means* (Lloyd, 1982), puts each point in one cluster and gives each cluster a centre $\mathbf{m}_k$, and minimises the sum of squared distances
#
# $$ J = \sum_{n=1}^N \sum_{k=1}^K z_{nk} \lVert \mathbf{x}_n - \mathbf{m}_k \rVert^2, \tag{kmeans} $$
#
# where $z_{nk} = 1$ if point $n$ is in cluster $k$ and 0 otherwise (Bishop, 2006, §9.1).
# It alternates two steps: give each point to its nearest centre, then move each centre to the mean of its points.
# Equation (kmeans) hides two assumptions:
#
# 1. Distance is Euclidean, the same in every direction: every cluster is a round ball.
# 2. Each point gets exactly one label, with full confidence, even between two clusters.
#
# ### Shortcoming 1: round clusters, fixed by full covariances
#
# `gb.datasets.elongated_2d()` has two long, thin, parallel clusters: means $(0, -1.5)$ and $(0, 1.5)$, both with covariance $\operatorname{diag}(4, 0.15)$.
# We draw 400 points (seed 1), remembering which component drew each, and cluster them three ways: K-means (SciPy's `kmeans2`, k-means++ seeding; Arthur and Vassilvitskii, 2007), a mixture with round covariances $\sigma_k^2\mathbf{I}$, and a mixture with full covariances.
# A mixture labels each point with its most probable component.
# A clustering's score is the fraction of points in the wrong group, under the best of the K! ways to match cluster names with components.

# %%
def fraction_misassigned(labels, true_labels, K):
    """The fraction of points whose label differs from the truth, under the best renaming of the clusters."""
    return min(np.mean(np.array(perm)[labels] != true_labels) for perm in itertools.permutations(range(K)))


elongated = gb.datasets.elongated_2d()
X_long, labels_long = gb.sample(elongated, 400, np.random.default_rng(1))
centroids_long, labels_kmeans = kmeans2(X_long, 2, minit="++", rng=np.random.default_rng(1))
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
# **CHECK (shortcoming 1).** The full-covariance mixture must recover the grouping (at most 1 % misassigned); K-means and the round mixture must do little better than a coin toss, which misassigns 50 % (at least 40 %).

# %%
assert misassigned["mixture, full covariances"] <= 0.01          # fails if the full fit is forced round or stops at the start
assert misassigned["K-means"] >= 0.4 and misassigned["mixture, spherical covariances"] >= 0.4   # fails on round clusters
print("check (shortcoming 1): full-covariance mixture <= 1% misassigned; K-means and spherical mixture >= 40%")

# %% [markdown]
# **What we verified:** round clusters fail on elongated data, with hard (K-means) or probabilistic (round mixture) labels; full covariances succeed, with covariances close to the true $\operatorname{diag}(4, 0.15)$.
#
# The figure shows why: K-means cuts across both clusters; the mixture finds the two thin ellipses.

# %%
fig = plotting.fig_kmeans_vs_gmm(X=X_long, labels=labels_long, centroids=centroids_long,
                                 kmeans_labels=labels_kmeans, fit=fit_full)
plt.show()

# %% [markdown]
# Is K-means unlucky, with a bad start?
# No: its objective, equation (kmeans), prefers the wrong answer.
# Compare the average squared distance per point of two ways to cut the data in two.
#
# *The true grouping.* Each point is measured from its own cluster mean, so on average
#
# $$ \mathbb{E}\,\lVert \mathbf{x} - \boldsymbol\mu_k \rVert^2 = \operatorname{tr}\boldsymbol\Sigma_k = 4 + 0.15 = 4.15. \tag{sse-true} $$
#
# *Cutting left from right* at $x_1 = 0$.
# By symmetry take the right half, $x_1 > 0$.
# Its first coordinate is half of a $\mathcal{N}(0, 4)$, with variance $4(1 - 2/\pi)$.
# Its second coordinate is an equal mixture of $\mathcal{N}(\mp1.5, 0.15)$, with variance $0.15 + 1.5^2$.
# So the average squared distance from the half's centre is
#
# $$ 4\,(1 - 2/\pi) + 0.15 + 1.5^2 \approx 1.454 + 2.400 = 3.854 < 4.15. \tag{sse-split} $$
#
# The cut has a smaller J than the truth, so K-means with restarts, which keeps the run with the smallest J, prefers the cut.
#
# **CHECK (sse-true, sse-split).** On 100 000 simulated points the average squared distance per point must match equations (sse-true) and (sse-split) within 2 % (the standard error of each is below 0.5 %), and on the 400 points above K-means' clustering must have a smaller J than the true labels.

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
assert abs(per_point_true / predicted_true - 1) < 0.02      # fails if the trace drops the thin variance 0.15
assert abs(per_point_split / predicted_split - 1) < 0.02    # fails for the half-normal variance 4(1 - 1/pi), or without 1.5^2
assert sse(X_long, labels_kmeans, 2) < sse(X_long, labels_long, 2)   # fails if sse() used the overall mean (a tie)
print("check (sse-true, sse-split): both predictions within 2%; K-means' clustering has a smaller J than the truth")

# %% [markdown]
# **What we verified:** equations (sse-true) and (sse-split); K-means fails on elongated clusters because of its objective, not its start.
#
# A mixture measures distance with each component's own covariance, the Mahalanobis distance $\Delta$ of equation (gauss), which counts a step across a thin cluster as much longer than the same step along it.
#
# ### Shortcoming 2: hard labels
#
# `gb.datasets.overlapping_2d()` has two round clusters that overlap: equal weights, means $(0, 0)$ and $(2, 0)$, identity covariances.
# A point of component 1 lies beyond the midpoint $x_1 = 1$ with probability $\Phi(-1) \approx 0.16$, and one of component 2 before it likewise.
# So even the best rule that gives each point one label is wrong for about 16 % of the points, and near $x_1 = 1$ it is a coin toss.
# K-means nevertheless gives every point one label, with the same full confidence everywhere.
#
# **CHECK (shortcoming 2).** On 20 000 points drawn from the model, K-means' labels must be wrong for a fraction $\Phi(-1)$ of them, within four binomial standard errors.

# %%
overlapping = gb.datasets.overlapping_2d()
X_mid, labels_mid = gb.sample(overlapping, 20_000, np.random.default_rng(100))
_, labels_kmeans_mid = kmeans2(X_mid, 2, minit="++", rng=np.random.default_rng(2))
wrong = fraction_misassigned(labels_kmeans_mid, labels_mid, 2)
predicted_wrong = stats.norm.cdf(-1)
se_wrong = np.sqrt(predicted_wrong * (1 - predicted_wrong) / len(X_mid))
print(f"K-means labels wrong: {wrong:.4f}; Phi(-1) = {predicted_wrong:.4f} (standard error {se_wrong:.4f})")
assert abs(wrong - predicted_wrong) < 4 * se_wrong        # fails for Phi(-2) (the full distance between the means)
print("check (shortcoming 2): K-means' labels are wrong as often as Phi(-1) predicts")

# %% [markdown]
# **What we verified:** where clusters overlap, one label per point is wrong for a predictable share of the points, and K-means reports every label as a certainty.
#
# A mixture answers instead with a probability for each component, the *responsibility* $r_{nk}$.
# Chapter 02 explains where this softness comes from although each point was drawn by exactly one component; chapter 04 derives $r_{nk}$ by Bayes' rule.

# %% [markdown]
# ## 4. Covariance structures
#
# A full covariance lets each component be any ellipse, at $D(D+1)/2$ numbers per component (section 5).
# When D is large or the data are few, we restrict the shape.
# The four usual choices (Fraley and Raftery, 2002; scikit-learn's names, and `gmmbook`'s `covariance_type`):
#
# | `covariance_type` | $\boldsymbol\Sigma_k$ | what it assumes | covariance numbers, all K components |
# |---|---|---|---|
# | `full` | any symmetric positive definite matrix | each component its own ellipse, any orientation | $K\,D(D+1)/2$ |
# | `diag` | $\operatorname{diag}(\sigma_{k1}^2, \dots, \sigma_{kD}^2)$ | ellipses aligned with the axes | $K\,D$ |
# | `spherical` | $\sigma_k^2\,\mathbf{I}$ | circles, one size per component | $K$ |
# | `tied` | $\boldsymbol\Sigma$, the same for all k | one ellipse, moved to each mean | $D(D+1)/2$ |
#
# K-means assumes circles too, all of one size.
# `diag` and `spherical` depend on the coordinates: rotate the axes and a diagonal covariance becomes full; change a column's units and a circle becomes an ellipse.
# On Old Faithful the columns have standard deviations of 1.1 and 13.6 minutes, so we first *standardise* each column: subtract its mean, divide by its standard deviation.
# Then we fit the four structures, each from a K-means start with seed 0.

# %%
covariance_types = ("full", "diag", "spherical", "tied")
X_std = (X - X.mean(axis=0)) / X.std(axis=0)
fits = {t: gb.em(X_std, 2, covariance_type=t, rng=np.random.default_rng(0)) for t in covariance_types}
for t, fit in fits.items():
    print(f"{t:9s} log-likelihood {fit.log_likelihood:8.2f}; covariances {np.round(fit.gmm.covariances, 3).tolist()}")

# %% [markdown]
# **CHECK (covariance structures).** scikit-learn's `GaussianMixture` (Pedregosa et al., 2011) implements each structure independently.
# Started from a `gmmbook` fit, its EM must stay there: $\ell$ within 1e-5, weights, means and covariances within 1e-4 (both stop once a step changes $\ell$ very little, so they agree to about six digits).
# A wrongly fitted structure would not be a fixed point of scikit-learn's EM.

# %%
def sklearn_from(X, gmm, covariance_type):
    """scikit-learn's EM for one covariance type, started from a gmmbook fit (its precisions in sklearn's shapes)."""
    precisions = np.linalg.inv(gmm.covariances)                          # (K, D, D)
    start = {"full": precisions, "diag": np.diagonal(precisions, axis1=1, axis2=2),
             "spherical": precisions[:, 0, 0], "tied": precisions[0]}[covariance_type]
    return GaussianMixture(gmm.K, covariance_type=covariance_type, weights_init=gmm.weights, means_init=gmm.means,
                           precisions_init=start, reg_covar=0.0, tol=1e-10).fit(X)


def full_covariances(sk):
    """scikit-learn's covariances_ of any type as a (K, D, D) stack."""
    c, (K, D) = sk.covariances_, sk.means_.shape
    if sk.covariance_type == "diag":                       # (K, D): the diagonals
        return c[:, :, None] * np.eye(D)
    if sk.covariance_type == "spherical":                  # (K,): the variances
        return c[:, None, None] * np.eye(D)
    if sk.covariance_type == "tied":                       # (D, D): the one matrix
        return np.broadcast_to(c, (K, D, D))
    return c


sklearn_fits = {t: sklearn_from(X_std, fit.gmm, t) for t, fit in fits.items()}
for t, fit in fits.items():
    sk = sklearn_fits[t]
    gap = max(np.max(np.abs(sk.weights_ - fit.gmm.weights)), np.max(np.abs(sk.means_ - fit.gmm.means)),
              np.max(np.abs(full_covariances(sk) - fit.gmm.covariances)))
    assert abs(sk.score(X_std) * N - fit.log_likelihood) < 1e-5, t   # fails if gmmbook's l for this structure is wrong
    assert gap < 1e-4, t          # fails for spherical = trace (not mean) of the diagonal, or tied unweighted by N_k
print("check (covariance structures): scikit-learn's EM started at each gmmbook fit stays there "
      "(l within 1e-5, parameters within 1e-4)")

# %% [markdown]
# **What we verified:** `gmmbook` fits each structure as scikit-learn does.
#
# A richer structure contains the poorer ones, so its best fit is at least as good, as the printed $\ell$ show: $\ell_\text{full} \ge \ell_\text{diag} \ge \ell_\text{spherical}$ and $\ell_\text{full} \ge \ell_\text{tied}$ (EM finds a local maximum, so an unlucky start could break this).
#
# The figure draws each fit's ellipses (1 and 2 standard deviations) on the standardised data.
# `diag` keeps the ellipses upright although the clusters are tilted; `tied` gives both components one shape although the long eruptions vary more.

# %%
fig = plotting.fig_covariance_structures(X=X_std, fits=fits)
plt.show()

# %% [markdown]
# ## 5. Counting parameters
#
# How many numbers does a K-component mixture in D dimensions need?
#
# - Means: K vectors of D numbers, $K D$.
# - Covariances: $\boldsymbol\Sigma_k$ is symmetric, so its D diagonal entries and the $D(D-1)/2$ above the diagonal fix it: $D(D+1)/2$ per component.
# - Weights: K of them, but they sum to 1, so only $K - 1$ are free.
#
# In total, for full covariances, the number of free parameters is
#
# $$ M = \underbrace{K D}_{\text{means}} + \underbrace{K\,\frac{D(D+1)}{2}}_{\text{covariances}} + \underbrace{(K - 1)}_{\text{weights}} = O(D^2 K). \tag{count} $$
#
# For the other structures, the covariance term is the last column of the table in section 4.
# For Old Faithful, K = 2 and D = 2 give $4 + 6 + 1 = 11$, against 5 for one Gaussian.
# `gb.n_parameters(K, D, covariance_type)` implements equation (count).
#
# We can also count without the formula, from a fitted model's arrays.
# In a fit to real data, two stored numbers are equal only when the structure forces it (the two halves of a symmetric matrix, the copies of a tied one, the diagonal of $\sigma_k^2\mathbf{I}$), and its zeros are not parameters.
# So the free numbers are the *distinct non-zero* entries, less one because the weights sum to 1.
#
# **CHECK (count).** For the fits of section 4, that count must equal `gb.n_parameters` and scikit-learn's count, read off its public `bic` method, which returns $-2\ell + M\ln N$.

# %%
def count_from_arrays(gmm):
    """Free numbers of a fitted mixture: distinct non-zero entries of its arrays, less one for Σ_k π_k = 1."""
    def distinct(a):
        rounded = np.round(a, 12)                        # the two halves of a symmetric matrix may differ in the last bit
        return np.unique(rounded[rounded != 0]).size
    return distinct(gmm.means) + distinct(gmm.covariances) + distinct(gmm.weights) - 1


for t, fit in fits.items():
    counted = count_from_arrays(fit.gmm)
    sk = sklearn_fits[t]
    sklearn_count = round((sk.bic(X_std) + 2 * N * sk.score(X_std)) / np.log(N))   # BIC = -2 l + M ln N
    print(f"{t:9s} {counted:3d} free numbers")
    # fails for K (not K - 1) weights, K D^2 full covariance numbers, or structural zeros counted
    assert counted == gb.n_parameters(2, D, t) == sklearn_count, t
print("check (count): the free numbers of every fit equal gb.n_parameters and scikit-learn's count")

# %% [markdown]
# **What we verified:** equation (count) and `gb.n_parameters` count exactly the free numbers a fitted mixture stores, as scikit-learn counts them.
#
# ### $O(D^2 K)$, not $O(N)$
#
# Equation (count) does not contain N: however many eruptions we record, the mixture has 11 parameters.
# K-means chooses each point's $z_{nk}$, so its unknowns are $K D$ centres *and N labels*, a number that grows with the data.
# The mixture treats the label as a random variable and sums it out; chapter 02 shows what treating labels as parameters would cost.
#
# Equation (count) grows like $D^2$ (the table: $M$ for K = 3), which is why `diag` and `spherical`, linear in D, exist.

# %%
print("    D" + "".join(f"{t:>11s}" for t in covariance_types))
for d in (1, 2, 10, 100):
    print(f"{d:5d}" + "".join(f"{gb.n_parameters(3, d, t):11d}" for t in covariance_types))

# %% [markdown]
# ## Summary
#
# - The best single Gaussian, equation (ml-gauss), has $\ell = -1289.80$ on Old Faithful, equation (loglik-one), and peaks in the gap between the two kinds of eruption, where only a third as many eruptions fall as it predicts; a two-component mixture reaches the published $-1130.264$.
# - A Gaussian mixture, equation (mixture), is a weighted sum of Gaussians, equation (gauss); weights $\pi_k \ge 0$ summing to 1 make it a density, equation (integral).
# - K-means assumes round clusters, which full covariances fix (its own objective prefers the wrong cut, equations (sse-true) and (sse-split)), and hard labels, which the responsibilities of chapter 04 fix.
# - Covariances can be full, diagonal, spherical or tied, trading flexibility for parameters.
# - A mixture has $M = O(D^2 K)$ parameters, equation (count), whatever N.
#
# Next, chapter 02 makes the story "pick a component, then draw from its Gaussian" precise with a latent variable.
#
# ## Exercises
#
# Practise this chapter in [the exercises for chapter 01](../exercises/01_mixtures.ipynb); their answers are checked automatically, with feedback that names the usual mistakes.
#
# ## References
#
# - A. Azzalini and A. W. Bowman (1990), A look at some data on the Old Faithful geyser, *Applied Statistics* 39(3): 357–365 (the data).
# - W. Härdle (1991), *Smoothing Techniques with Implementation in S*, Springer (the data, as R's `faithful`).
# - L. Scrucca, M. Fop, T. B. Murphy and A. E. Raftery (2016), mclust 5: clustering, classification and density estimation using Gaussian finite mixture models, *The R Journal* 8(1): 289–317 (the Old Faithful fit: `mclustBIC(faithful)`, model VVV, G = 2).
# - C. Fraley and A. E. Raftery (2002), Model-based clustering, discriminant analysis, and density estimation, *Journal of the American Statistical Association* 97(458): 611–631 (covariance structures).
# - C. M. Bishop (2006), *Pattern Recognition and Machine Learning*, Springer: §2.3 (the Gaussian, the Mahalanobis distance, maximum likelihood), §2.3.9 (mixtures of Gaussians), §9.1 (K-means).
# - M. P. Deisenroth, A. A. Faisal and C. S. Ong (2020), *Mathematics for Machine Learning*, Cambridge University Press: §6.5 (the Gaussian), §11.1 (the Gaussian mixture model).
# - A. P. Dempster, N. M. Laird and D. B. Rubin (1977), Maximum likelihood from incomplete data via the EM algorithm, *Journal of the Royal Statistical Society B* 39(1): 1–38.
# - S. P. Lloyd (1982), Least squares quantization in PCM, *IEEE Transactions on Information Theory* 28(2): 129–137 (K-means).
# - D. Arthur and S. Vassilvitskii (2007), k-means++: the advantages of careful seeding, *Proceedings of the 18th ACM-SIAM Symposium on Discrete Algorithms*: 1027–1035.
# - L. N. Trefethen and J. A. C. Weideman (2014), The exponentially convergent trapezoidal rule, *SIAM Review* 56(3): 385–458.
# - F. Pedregosa et al. (2011), Scikit-learn: machine learning in Python, *Journal of Machine Learning Research* 12: 2825–2830.

# %% [markdown]
# <!-- generated from exercises/solutions/01_mixtures.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 01: Mixtures of Gaussians
#
# These exercises go with [chapter 01, Mixtures of Gaussians](../chapters/01_mixtures.ipynb).
# They use its notation and refer to its equations by their labels, such as equation (mixture) and equation (count).
#
# ## How to work the exercises
#
# - Each exercise is labelled (implement), (derive) or (explain).
# - In a code cell that says `# YOUR CODE HERE`, replace that line and the `raise NotImplementedError` below it with your code, keeping the `def` line and the docstring.
#   Run the cell, then run the check cell after it: `check(...)` tests your answer on cases chosen to expose the usual mistakes, and says either that it is right or which mistake it sees.
#   Until you have written something, the check says "not attempted yet".
# - In a Markdown cell that says *Write your answer here.*, write your reasoning or your explanation in words and formulas.
#   Questions without a check cell are answered by the model answers in the worked solutions, `exercises/solutions/01_mixtures.ipynb`.
# - Only the check cells call your functions, so the notebook runs from top to bottom even before you have answered anything.
# - A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
#   Its verdict names the cases already passed and shows what your function printed.
#   Nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# - The last cell shows your progress: how many checks passed in this session.

# %%
import itertools

import numpy as np
from scipy import linalg, stats
from scipy.cluster.vq import kmeans2

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): the mixture density, with a Cholesky factor
#
# Write `mixture_density(X, weights, means, covariances)`, which returns $p(\mathbf{x}_n) = \sum_k \pi_k\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$, equation (mixture), for every row of `X`.
# The shapes are those of the chapter: `X` is (N, D), `weights` (K,), `means` (K, D), `covariances` (K, D, D); the result is (N,).
#
# The chapter's `gauss_pdf` used `np.linalg.inv` and `np.linalg.det`.
# Numerical libraries (SciPy, scikit-learn, `gmmbook`) use one Cholesky factorisation per component instead: with $\boldsymbol\Sigma = \mathbf{L}\mathbf{L}^\top$ and $\mathbf{L}$ lower triangular,
#
# $$ \Delta^2(\mathbf{x}) = \big\lVert \mathbf{L}^{-1}(\mathbf{x}-\boldsymbol\mu) \big\rVert^2, \qquad (\det\boldsymbol\Sigma)^{1/2} = \prod_{d=1}^D L_{dd}. $$
#
# Use these two identities in equation (gauss).
#
# *Hint.* `L = np.linalg.cholesky(cov)`; then `linalg.solve_triangular(L, (X - mean).T, lower=True)` returns $\mathbf{L}^{-1}(\mathbf{x}_n-\boldsymbol\mu)$ for all $n$ at once, as the columns of a (D, N) array.
# Watch the shapes in one dimension: `X` is then (N, 1) and `covariances` is (K, 1, 1), holding variances, not standard deviations.
#
# *What the check tests.* A 1-D mixture of three components at 6 points and a 2-D mixture of two at 3 points; your densities must agree with $p(\mathbf{x}_n)$ to a relative $10^{-6}$.
# It compares values only, so it cannot tell which route you took; it refuses `gmmbook`'s own `gb.log_marginal`, `gb.log_joint` and `gb.log_likelihood`.

# %%
def mixture_density(X, weights, means, covariances):
    """The mixture density p(x_n) = Σ_k π_k N(x_n | μ_k, Σ_k) for every row of X (chapter 01, eq. mixture).

    Parameters
    ----------
    X : ndarray, shape (N, D)
        The points x_n, one per row.
    weights : ndarray, shape (K,)
        Mixing weights π_k.
    means : ndarray, shape (K, D)
        Component means μ_k.
    covariances : ndarray, shape (K, D, D)
        Component covariances Σ_k.

    Returns
    -------
    ndarray, shape (N,)
        p(x_n) for n = 1, ..., N.
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("mixture_density", mixture_density)

# %% [markdown]
# ## Exercise 2 (derive): counting the parameters through the Cholesky factor
#
# Section 5 of the chapter counted the free numbers of a covariance matrix by its upper triangle.
# Count them again another way.
# Every symmetric positive definite $\boldsymbol\Sigma$ is $\mathbf{L}\mathbf{L}^\top$ for exactly one lower-triangular $\mathbf{L}$ with a positive diagonal, and every such $\mathbf{L}$ gives a symmetric positive definite $\boldsymbol\Sigma$; so choosing $\boldsymbol\Sigma$ is the same as choosing $\mathbf{L}$.
#
# 1. How many free numbers does $\mathbf{L}$ have?
#    Do the conditions $L_{dd} > 0$ reduce that number?
#    Does $\pi_k \ge 0$ reduce the number of free weights, and does $\sum_k \pi_k = 1$?
# 2. Write `count_parameters(K, D)`: the number of free parameters of a K-component mixture with full covariances in D dimensions.
#    Build it from your counts, not from `gb.n_parameters` (the check refuses it).
#
# *What the check tests.* $(K, D) = (1, 1), (2, 2), (3, 4), (5, 10), (4, 7)$; each count must be exact, as a Python, NumPy or SymPy integer or a float with a whole value.
# When a count is wrong, the check names the mistake it recognises, never the count.

# %% [markdown]
# *Write your answer here.*

# %%
def count_parameters(K, D):
    """The number of free parameters of a K-component, full-covariance Gaussian mixture in D dimensions
    (chapter 01, eq. count).

    Parameters
    ----------
    K : int
        Number of components.
    D : int
        Number of dimensions.

    Returns
    -------
    int
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("count_parameters", count_parameters)

# %% [markdown]
# ## Exercise 3 (explain): why K-means cuts the elongated clusters the wrong way
#
# Section 3 of the chapter showed that K-means cuts the two long clusters of `gb.datasets.elongated_2d()` (means $(0, \pm 1.5)$, covariances $\operatorname{diag}(4, 0.15)$) across, at $x_1 \approx 0$, and that its own objective, equation (kmeans), prefers that cut to the truth, equations (sse-true) and (sse-split).
#
# 1. Explain in words why the cut wins: what does $J$ measure, and what does the cut gain and lose?
# 2. Move the clusters apart, to means $(0, \pm d)$ with the same covariances.
#    From how large a $d$ on does $J$ prefer the true grouping to the cut at $x_1 = 0$?
# 3. What does a full covariance change?
#    *Hint:* give each group its own maximum-likelihood Gaussian.
#    By equation (loglik-one), a group of $N_k$ points then scores $-\tfrac{N_k}{2}\big[D\ln 2\pi + \ln\det\hat{\boldsymbol\Sigma}_k + D\big]$, while its share of $J$ is $N_k\operatorname{tr}\hat{\boldsymbol\Sigma}_k$ (the sum of squared distances to the group mean).
#    Compare the trace with the determinant for the two groupings.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 4 (derive): the mean and covariance of a mixture
#
# Let $\mathbf{x}$ have the mixture density of equation (mixture).
#
# 1. Show that its mean is $\bar{\boldsymbol\mu} = \mathbb{E}[\mathbf{x}] = \sum_k \pi_k \boldsymbol\mu_k$.
# 2. Show that its covariance is
#
#    $$ \operatorname{Cov}[\mathbf{x}] = \sum_{k=1}^K \pi_k \boldsymbol\Sigma_k + \sum_{k=1}^K \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top. $$
#
#    Which term describes the spread *within* the components, and which the spread *between* them?
#
# *Hint:* each integral splits over the components, as in equation (integral); for one Gaussian, $\int \mathbf{x}\mathbf{x}^\top \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu,\boldsymbol\Sigma)\,d\mathbf{x} = \boldsymbol\Sigma + \boldsymbol\mu\boldsymbol\mu^\top$.
#
# To test your formulas, the next cell draws 200 000 points from the two-component Old Faithful fit of section 1 of the chapter and prints their mean and covariance.
# Your formulas, evaluated for the fit, should agree with the simulation up to its Monte Carlo error, in the last printed digit or two.

# %%
X_faithful = gb.datasets.old_faithful()
fit = gb.em(X_faithful, 2, rng=np.random.default_rng(0))          # the fit of section 1
X_sim, _ = gb.sample(fit.gmm, 200_000, np.random.default_rng(1))
print("mean of 200 000 draws:      ", np.round(X_sim.mean(axis=0), 2))
print("covariance of 200 000 draws:")
print(np.round(np.cov(X_sim.T, bias=True), 2))

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# Now write your formulas as a function, run the check, and then compare them with the simulation above.
# The check tries a 1-D mixture of three components and a 2-D mixture of three; the mean and the covariance must agree to a relative $10^{-6}$ (absolute $10^{-9}$).

# %%
def mixture_moments(weights, means, covariances):
    """The mean and covariance of the mixture density (exercise 4: within plus between).

    weights (K,), means (K, D), covariances (K, D, D) → mean (D,), cov (D, D).
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("mixture_moments", mixture_moments)


# %% [markdown]
# ## Exercise 5 (derive): how often is the best hard label wrong?
#
# Section 3 of the chapter stated that for `overlapping_2d` even the best rule that gives each point one label is wrong for a fraction $\Phi(-1) \approx 0.16$ of the points, and checked it by simulation.
# Here you derive that number, and what it becomes for any two clusters of the same shape.
#
# Take two components with equal weights $\pi_1 = \pi_2 = \tfrac12$, means $\boldsymbol\mu_1$ and $\boldsymbol\mu_2$, and the same covariance $\boldsymbol\Sigma$.
# The rule that gives each point one label and makes the fewest mistakes gives $\mathbf{x}$ to the component whose density is larger at $\mathbf{x}$ (with equal weights, the component more likely to have produced $\mathbf{x}$; chapter 04 shows why no rule does better).
#
# 1. Show that, with a shared $\boldsymbol\Sigma$, the rule gives $\mathbf{x}$ to the component with the smaller Mahalanobis distance $\Delta_k(\mathbf{x})$ of equation (gauss), and that the boundary $\Delta_1^2(\mathbf{x}) = \Delta_2^2(\mathbf{x})$ is a hyperplane (a straight line when D = 2).
# 2. Derive the probability that the rule's label is wrong for a point drawn from the mixture, as a function of $\boldsymbol\mu_1$, $\boldsymbol\mu_2$ and $\boldsymbol\Sigma$.
#    It must give $\Phi(-1)$ for `overlapping_2d`.
# 3. Write `hard_label_error(means, cov)`, with `means` of shape (2, D) and `cov` of shape (D, D), which returns that probability.
# 4. Evaluate it for `gb.datasets.elongated_2d()`, and for the same clusters turned so that their means, $(\pm 1.5, 0)$, lie along the long direction.
#    Both pairs of means are 3 apart.
#    What does this say about shortcoming 1 of K-means?
#
# *Hint.* Write the boundary as $\mathbf{w}^\top\mathbf{x} = c$.
# Under component k, $y = \mathbf{w}^\top\mathbf{x}$ is a 1-D Gaussian (a linear function of a Gaussian vector): find its mean and its variance, and where $c$ lies between the two means of $y$.
# $\Phi$ is `scipy.stats.norm.cdf`.
#
# *What the check tests.* Five cases: a 1-D pair with variance 9 (means 0 and 4.5), `overlapping_2d`, `elongated_2d`, the same long clusters with means $(\pm 1.5, 0)$, and a 4-D pair with a correlated covariance.
# Your probability must agree with the exact one to a relative $10^{-6}$ (absolute $10^{-12}$), as a Python, NumPy or SymPy number: a simulation is not precise enough.
# When it is wrong, the check names the mistake it recognises, never the probability.

# %% [markdown]
# *Write your answer here.*

# %%
def hard_label_error(means, cov):
    """The probability that the best hard label is wrong, for two components with weights ½ and a shared covariance.

    Parameters
    ----------
    means : ndarray, shape (2, D)
        The means μ_1 and μ_2.
    cov : ndarray, shape (D, D)
        The covariance Σ of both components.

    Returns
    -------
    float
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("hard_label_error", hard_label_error)


# %% [markdown]
# ## Exercise 6 (derive): the log-likelihood in other units
#
# Section 1 of the chapter measured the eruptions in minutes and found $\ell = -1130.264$ for the best two-component mixture.
# Section 4 first standardised the columns, `X_std = (X - X.mean(axis=0)) / X.std(axis=0)`, and printed quite different values of $\ell$ for fits of the same kind.
# Both are right: $\ell$ depends on the units, because a density is probability per unit of volume.
#
# Write $\bar{\mathbf{x}}$ for the column means, $\hat\sigma_d$ for the column standard deviations (`X.std(axis=0)`, divisor N) and $\mathbf{S} = \operatorname{diag}(\hat\sigma_1, \dots, \hat\sigma_D)$, so that $\mathbf{x}^{\text{std}} = \mathbf{S}^{-1}(\mathbf{x} - \bar{\mathbf{x}})$.
# A mixture $\theta^{\text{std}}$ of the standardised data describes the raw data as the mixture $\theta$ with the same weights, means $\bar{\mathbf{x}} + \mathbf{S}\boldsymbol\mu_k^{\text{std}}$ and covariances $\mathbf{S}\boldsymbol\Sigma_k^{\text{std}}\mathbf{S}$.
#
# 1. Show that $\ln p(\mathbf{x}_n\mid\theta) - \ln p(\mathbf{x}_n^{\text{std}}\mid\theta^{\text{std}})$ is the same number for every point and every $\theta^{\text{std}}$, and find it.
#    Then express $\ell$ on the raw data through $\ell^{\text{std}}$ on the standardised data.
# 2. Write `raw_loglik(loglik_std, X)`, which returns $\ell$ on the raw data `X` (shape (N, D)) of the mixture whose log-likelihood on the standardised data is `loglik_std`.
# 3. (explain) For which of the covariance structures of section 4 (full, diag, spherical, tied) is the best fit on the standardised data, mapped back to minutes, also the best fit of that structure on the raw data?
#
# *Hint.* Start from one Gaussian, equation (gauss): what are $\det(\mathbf{S}\boldsymbol\Sigma\mathbf{S})$, and the Mahalanobis distance of $\mathbf{x}$ from $\bar{\mathbf{x}} + \mathbf{S}\boldsymbol\mu$ under $\mathbf{S}\boldsymbol\Sigma\mathbf{S}$?
#
# *What the check tests.* Three data sets with a given `loglik_std` each: Old Faithful, 50 points in 3-D whose columns have scales 0.01, 1 and 250, and 7 points in 1-D.
# Your $\ell$ must agree with the exact one to a relative $10^{-6}$ (absolute $10^{-9}$), as a Python, NumPy or SymPy number.
# When it is wrong, the check names the mistake it recognises, never the value.

# %% [markdown]
# *Write your answer here.*

# %%
def raw_loglik(loglik_std, X):
    """ℓ on the raw data X of a mixture whose log-likelihood on X_std = (X − X.mean(axis=0)) / X.std(axis=0) is loglik_std.

    Parameters
    ----------
    loglik_std : float
        The log-likelihood (a total over the points) on the standardised data.
    X : ndarray, shape (N, D)
        The raw data.

    Returns
    -------
    float
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("raw_loglik", raw_loglik)

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("01_mixtures")

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

# %%
import itertools

import numpy as np
from scipy import linalg
from scipy.cluster.vq import kmeans2

import gmmbook as gb
from gmmbook.exercises import check

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
# $$ \Delta^2(\mathbf{x}) = \big\lVert \mathbf{L}^{-1}(\mathbf{x}-\boldsymbol\mu) \big\rVert^2, \qquad (\det\boldsymbol\Sigma)^{1/2} = \prod_{d=1}^D L_{dd}. \tag{chol-gauss} $$
#
# Use equation (chol-gauss) in equation (gauss).
#
# *Hint.* `L = np.linalg.cholesky(cov)`; then `linalg.solve_triangular(L, (X - mean).T, lower=True)` returns $\mathbf{L}^{-1}(\mathbf{x}_n-\boldsymbol\mu)$ for all $n$ at once, as the columns of a (D, N) array.
# Watch the shapes in one dimension: `X` is then (N, 1) and `covariances` is (K, 1, 1), holding variances, not standard deviations.

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
#    Build it from your counts, not from `gb.n_parameters`.

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
#    $$ \operatorname{Cov}[\mathbf{x}] = \sum_{k=1}^K \pi_k \boldsymbol\Sigma_k + \sum_{k=1}^K \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top. \tag{mixture-cov} $$
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

# %%
def mixture_moments(weights, means, covariances):
    """The mean and covariance of the mixture density, equation (mixture-cov).

    weights (K,), means (K, D), covariances (K, D, D) → mean (D,), cov (D, D).
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("mixture_moments", mixture_moments)

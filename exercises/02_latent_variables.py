# %% [markdown]
# <!-- generated from exercises/solutions/02_latent_variables.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 02: The latent-variable view
#
# These exercises go with [chapter 02, The latent-variable view](../chapters/02_latent_variables.ipynb).
# They use its notation and refer to its equations by their labels, such as equation (ancestral) and equation (log-joint-data).
#
# ## How to work the exercises
#
# - Each exercise is labelled (implement), (derive) or (explain).
# - In a code cell that says `# YOUR CODE HERE`, replace that line and the `raise NotImplementedError` below it with your code, keeping the `def` line and the docstring.
#   Run the cell, then run the check cell after it: `check(...)` tests your answer on cases chosen to expose the usual mistakes, and says either that it is right or which mistake it sees.
#   Until you have written something, the check says "not attempted yet".
# - In a Markdown cell that says *Write your answer here.*, write your reasoning or your explanation in words and formulas.
#   Questions without a check cell are answered by the model answers in the worked solutions, `exercises/solutions/02_latent_variables.ipynb`.
# - Only the check cells call your functions, so the notebook runs from top to bottom even before you have answered anything.

# %%
import itertools

import numpy as np
from scipy import stats

import gmmbook as gb
from gmmbook.exercises import check

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): ancestral sampling
#
# Write `sample(weights, means, covariances, n, rng)`, which draws `n` points from the mixture by the two steps of equation (ancestral), and returns them together with their labels:
# `X` of shape (n, D), and `labels`, an integer array of shape (n,) with values `0, ..., K-1`, the component that drew each row.
# All randomness must come from the generator `rng`.
#
# *Hint:* first draw every label from $\mathrm{Cat}(\boldsymbol\pi)$ with `rng.choice`; then draw the points of each component with a square root of its covariance, equation (affine).
# The check tests the label frequencies with the chi-square test of the chapter, the mean and covariance of each component's points, and that the rows come in random order (each $\mathbf{z}_n$ drawn independently, not sorted by component).

# %%
def sample(weights, means, covariances, n, rng):
    """Draw n points from a Gaussian mixture by ancestral sampling (chapter 02, eqs. ancestral and affine).

    Parameters
    ----------
    weights : ndarray, shape (K,)
        Mixing weights π_k.
    means : ndarray, shape (K, D)
        Component means μ_k.
    covariances : ndarray, shape (K, D, D)
        Component covariances Σ_k.
    n : int
        Number of points.
    rng : numpy.random.Generator
        The source of all randomness.

    Returns
    -------
    X : ndarray, shape (n, D)
        The points x_n.
    labels : ndarray of int, shape (n,)
        The component z_n (0, ..., K-1) that drew each point.
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("sample", sample)

# %% [markdown]
# ## Exercise 2 (implement): the complete-data log-likelihood
#
# Suppose we knew the label of every point.
# Write `complete_log_likelihood(X, labels, weights, means, covariances)`, which returns $\ln p(\mathbf{X}, \mathbf{Z})$ of equation (log-joint-data) as one number, with $\mathbf{Z}$ given by the integer `labels` (shape (N,), values `0, ..., K-1`) instead of one-hot rows.
#
# *Hint:* with $\mathbf{Z}$ known, each point contributes a single term, that of its own label.
# `stats.multivariate_normal(mean, cov).logpdf(...)` gives $\ln\mathcal{N}$; equation (prior-data) gives the prior part with one line.
# Stay in log space: the product $p(\mathbf{X}, \mathbf{Z})$ itself underflows (section 5 of the chapter).

# %%
def complete_log_likelihood(X, labels, weights, means, covariances):
    """ln p(X, Z) = Σ_n [ln π_{z_n} + ln N(x_n | μ_{z_n}, Σ_{z_n})] for known labels (chapter 02, eq. log-joint-data).

    Parameters
    ----------
    X : ndarray, shape (N, D)
        The points x_n.
    labels : ndarray of int, shape (N,)
        The component z_n (0, ..., K-1) of each point.
    weights : ndarray, shape (K,)
        Mixing weights π_k.
    means : ndarray, shape (K, D)
        Component means μ_k.
    covariances : ndarray, shape (K, D, D)
        Component covariances Σ_k.

    Returns
    -------
    float
        The complete-data log-likelihood (a total over the points, not a mean).
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("complete_log_likelihood", complete_log_likelihood)


# %% [markdown]
# ## Exercise 3 (explain): if only one $z_k$ can be 1, where does soft assignment come from?
#
# The chapter answered this question in section 1 and checked the answer by simulation in sections 3 and 4.
# Answer it in your own words, in three or four sentences, and then apply your answer to two situations.
#
# 1. A classmate computes $p(z_1 = 1 \mid \mathbf{x}_n) = 0.7$ and concludes that "70 % of point n was generated by component 1".
#    What is wrong with that reading, and what does 0.7 mean?
# 2. Two points happen to land at exactly the same place, $\mathbf{x}_m = \mathbf{x}_n$.
#    Must they have the same label $\mathbf{z}$?
#    Do they get the same soft assignment?
# 3. Take the two round clusters of `overlapping_2d` ($\boldsymbol\mu_1 = (0, 0)$, $\boldsymbol\Sigma_k = \mathbf{I}$, equal weights) and move the second mean to $(d, 0)$.
#    What happens to the soft assignment of a point one unit from the midpoint, towards $\boldsymbol\mu_1$, as $d$ grows?

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 4 (derive): how many terms does $\sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$ have?
#
# Chapter 03 obtains the likelihood of a data set by summing the latent labels out of the joint: $p(\mathbf{X}) = \sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$, a sum over every possible labelling $\mathbf{Z}$ of the whole data set.
#
# 1. How many labellings $\mathbf{Z}$ are there for N points and K components?
#    How many for Old Faithful (N = 272) with K = 2?
# 2. Use the factorisation (joint-data) to show that the sum equals $\prod_{n=1}^N \sum_{k=1}^K \pi_k\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$, a product of N sums of K terms.
#    *Hint:* start with N = 2 and multiply out $(a_1 + a_2)(b_1 + b_2)$.

# %% [markdown]
# Write your answer to question 1 as a function of N and K, and check it.

# %%
def n_labellings(N, K):
    """The number of labellings Z of N points with K components."""
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("n_labellings", n_labellings)

# %% [markdown]
# *Write your answer here.*

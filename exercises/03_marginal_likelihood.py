# %% [markdown]
# <!-- generated from exercises/solutions/03_marginal_likelihood.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 03: The marginal likelihood and its landscape
#
# These exercises go with [chapter 03, The marginal likelihood and its landscape](../chapters/03_marginal_likelihood.ipynb).
# They use its notation and refer to its equations by their labels, such as equation (logsumexp) and equation (perm).
#
# ## How to work the exercises
#
# - Each exercise is labelled (implement), (derive) or (explain).
# - In a code cell that says `# YOUR CODE HERE`, replace that line and the `raise NotImplementedError` below it with your code, keeping the `def` line and the docstring.
#   Run the cell, then run the check cell after it: `check(...)` tests your answer on cases chosen to expose the usual mistakes, and says either that it is right or which mistake it sees.
#   Until you have written something, the check says "not attempted yet".
# - In a Markdown cell that says *Write your answer here.*, write your reasoning or your explanation in words and formulas.
#   Questions without a check cell are answered by the model answers in the worked solutions, `exercises/solutions/03_marginal_likelihood.ipynb`.
# - Only the check cells call your functions, so the notebook runs from top to bottom even before you have answered anything.

# %%
import itertools
import math
import warnings

import numpy as np
from scipy import special

import gmmbook as gb
from gmmbook.exercises import check

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): log-sum-exp
#
# Write `log_sum_exp(a)`, which returns $\ln\sum_j e^{a_j}$ over the **last axis** of the array `a`: a number for a vector, one number per row for a 2-D array.
# It must stay finite and accurate where the naive `np.log(np.sum(np.exp(a), axis=-1))` fails: for large values (where $e^{a_j}$ overflows), for very negative values (where every $e^{a_j}$ underflows to 0), and for entries equal to $-\infty$, the logarithm of a probability of exactly 0.
# Use equation (logsumexp); do not call `scipy.special.logsumexp` or `gb.logsumexp` (use them to test your function, if you like).
#
# The chapter's `logsumexp_inline` returns `nan` for a row whose entries are all $-\infty$.
# Make yours return $-\infty$ there, the logarithm of a sum of zeros, without a warning.
#
# *Hint:* `np.max(a, axis=-1, keepdims=True)` keeps the reduced axis, so that `a - m` broadcasts row by row.

# %%
def log_sum_exp(a):
    """ln Σ_j exp(a_j) over the last axis of a, computed stably (chapter 03, eq. logsumexp).

    Parameters
    ----------
    a : ndarray, shape (..., K)
        Logarithms a_j of the terms; entries may be −inf.

    Returns
    -------
    ndarray, shape (...)
        ln Σ_j exp(a_j) for each row (a float for a 1-D a); −inf for a row that is −inf throughout.
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("log_sum_exp", log_sum_exp)


# %% [markdown]
# ## Exercise 2 (derive): relabelling the components, seen through the latent variable
#
# Section 3.2 of the chapter proved equation (perm), $p(\mathbf{x}\mid\theta_s) = p(\mathbf{x}\mid\theta)$, by reordering the sum of equation (marginal).
# Prove it again through the latent variable, and find out what relabelling does to everything else.
# As in the chapter, $s$ is a permutation of $\{1, \dots, K\}$ and $\theta_s$ has $\pi^{(s)}_k = \pi_{s(k)}$, $\boldsymbol\mu^{(s)}_k = \boldsymbol\mu_{s(k)}$, $\boldsymbol\Sigma^{(s)}_k = \boldsymbol\Sigma_{s(k)}$.
#
# 1. For a one-hot $\mathbf{z}$, let $\mathbf{z}'$ be the one-hot vector with $z'_{s(k)} = z_k$ (it moves the 1 from position $k$ to position $s(k)$).
#    Show that $p(\mathbf{x}, \mathbf{z}\mid\theta_s) = p(\mathbf{x}, \mathbf{z}'\mid\theta)$, and conclude that $p(\mathbf{x}\mid\theta_s) = p(\mathbf{x}\mid\theta)$ and $\ell(\theta_s) = \ell(\theta)$.
# 2. What are the posterior probabilities $p(z_k = 1\mid\mathbf{x}, \theta_s)$ (the responsibilities of chapter 04) in terms of those under $\theta$?
# 3. Why, then, do fits started from different places come out with their components in different orders, as in the chapter's three runs of `gb.em`?
#    (Use only that EM's update computes the new parameters of component $k$ from the posterior probabilities of component $k$ alone.)

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 3 (derive): how many equal maxima?
#
# 1. Suppose $\hat\theta$ is a maximum of $\ell$ and its K components are all different.
#    How many equal maxima does this give?
#    How many for K = 2, 3, 5 and 10?
# 2. Now suppose two of the K components of $\hat\theta$ are identical (same weight, mean and covariance).
#    How many *different* parameter vectors do the relabellings give now?
#    Can such a $\hat\theta$ be an isolated maximum?
#    *Hint:* the end of section 3.2 of the chapter.

# %% [markdown]
# Write your answer to question 1 as a function of K, and check it.

# %%
def equal_maxima(K):
    """The number of equal maxima that relabelling gives a fit whose K components are all different."""
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("equal_maxima", equal_maxima)

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 4 (explain): the $\sigma \to 0$ collapse
#
# Section 3.3 of the chapter showed that $\ell$ has no upper bound: a component centred on a data point with $\sigma_1 \to 0$ sends $\ell$ to $+\infty$, and section 3.4 stopped this with `reg_covar`.
# Explain, in your own words:
#
# 1. Why the likelihood is unbounded: which single term of $\ell$ goes to $+\infty$, and why do the other terms not go to $-\infty$ with it?
# 2. Why the same trick fails for a single Gaussian (K = 1), unless all the points are equal.
# 3. How fast $\ell$ grows in D dimensions if the collapsing component has covariance $\sigma_1^2\mathbf{I}$: how much does it gain when $\sigma_1$ shrinks by a factor of 10?
# 4. What `reg_covar` does, why it makes $\ell$ bounded, and what it does *not* do.

# %% [markdown]
# *Write your answer here.*

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
# - A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
#   Its verdict names the cases already passed and shows what your function printed.
#   Nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# - The last cell shows your progress: how many checks passed in this session.

# %%
import itertools
import math
import warnings

import numpy as np
import sympy as sp
from scipy import special, stats

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): log-sum-exp
#
# Write `log_sum_exp(a)`, which returns $\ln\sum_j e^{a_j}$ over the **last axis** of the array `a`: a number for a vector, one number per row for a 2-D array.
# It must stay finite and accurate where the naive `np.log(np.sum(np.exp(a), axis=-1))` fails: for large values (where $e^{a_j}$ overflows), for very negative values (where every $e^{a_j}$ underflows to 0), and for entries equal to $-\infty$, the logarithm of a probability of exactly 0.
# Use equation (logsumexp); do not call `scipy.special.logsumexp` or `gb.logsumexp` (the check refuses them; use them to test your function, if you like).
#
# The chapter's `logsumexp_inline` returns `nan` for a row whose entries are all $-\infty$.
# Make yours return $-\infty$ there, the logarithm of a sum of zeros, without a warning.
#
# *Hint:* `np.max(a, axis=-1, keepdims=True)` keeps the reduced axis, so that `a - m` broadcasts row by row.
#
# *What the check tests.* Nine arrays: small values, a 2-D array, values of $\pm 1000$, an entry of $-\infty$, values far apart, rows of very different sizes, a row of $-\infty$, and values of $\pm 12\,000$, where $e^{a_j}$ overflows or underflows even in `np.longdouble`.
# Your results must agree to a relative $10^{-9}$ (and be $-\infty$ exactly where the answer is).
# The check records the warnings NumPy prints, and a right result with a warning fails.
# It refuses arbitrary-precision arithmetic (mpmath, `decimal`) and results wider than float64: the point is the float64 computation of equation (logsumexp), not a wider type that only postpones overflow.

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
# Section 3.2 of the chapter proved equation (perm), $p(\mathbf{x}\mid\theta_\tau) = p(\mathbf{x}\mid\theta)$, by reordering the sum of equation (marginal).
# Prove it again through the latent variable, and find out what relabelling does to everything else.
# As in the chapter, $\tau$ is a permutation of $\{1, \dots, K\}$ and $\theta_\tau$ has $\pi^{(\tau)}_k = \pi_{\tau(k)}$, $\boldsymbol\mu^{(\tau)}_k = \boldsymbol\mu_{\tau(k)}$, $\boldsymbol\Sigma^{(\tau)}_k = \boldsymbol\Sigma_{\tau(k)}$.
#
# 1. For a one-hot $\mathbf{z}$, let $\mathbf{z}'$ be the one-hot vector with $z'_{\tau(k)} = z_k$ (it moves the 1 from position $k$ to position $\tau(k)$).
#    Show that $p(\mathbf{x}, \mathbf{z}\mid\theta_\tau) = p(\mathbf{x}, \mathbf{z}'\mid\theta)$, and conclude that $p(\mathbf{x}\mid\theta_\tau) = p(\mathbf{x}\mid\theta)$ and $\ell(\theta_\tau) = \ell(\theta)$.
# 2. What are the posterior probabilities $p(z_k = 1\mid\mathbf{x}, \theta_\tau)$ (the responsibilities of chapter 04) in terms of those under $\theta$?
# 3. Why, then, do fits started from different places come out with their components in different orders, as in the chapter's three runs of `gb.em`?
#    (Use only that EM's update computes the new parameters of component $k$ from the posterior probabilities of component $k$ alone.)

# %% [markdown]
# Write your answer to question 2 as a function: `relabelled_responsibilities(resp, tau)` receives the $N \times K$ responsibilities under $\theta$ and the relabelling as a list of code indices, `tau[k - 1]` $= \tau(k) - 1$ (so component `k` of $\theta_\tau$ is component `tau[k]` of $\theta$, as in the chapter's `theta_hat.weights[list(t)]`), and returns the $N \times K$ responsibilities under $\theta_\tau$.
#
# *What the check tests.* Random responsibilities (each row sums to 1, all entries different) for $(N, K) = (5, 3)$, $(6, 4)$ and $(4, 2)$, with $\tau = (2, 3, 1)$, $(3, 1, 4, 2)$ and $(2, 1)$; your matrix must agree to $10^{-12}$ (absolute).
# The first two relabellings differ from their inverses, so moving the columns the wrong way round fails.
# A wrong answer is told its mistake (unchanged, inverse, rows reordered), never which column goes where.

# %%
def relabelled_responsibilities(resp, tau):
    """The responsibilities under θ_τ, from those under θ (chapter 03, eq. perm).

    Parameters
    ----------
    resp : ndarray, shape (N, K)
        Responsibilities under θ.
    tau : list of K ints
        The relabelling in code indices: component k of θ_τ is component tau[k] of θ.

    Returns
    -------
    ndarray, shape (N, K)
        Responsibilities under θ_τ.
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("relabelled_responsibilities", relabelled_responsibilities)


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
# The check tries $K = 5, 10, 2, 3, 1$ and wants the exact number: a Python, NumPy or SymPy integer, or a float with a whole value.

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
# Section 3.3 of the chapter showed that $\ell$ has no upper bound: a component centred on a data point with $\sigma_1 \to 0$ sends $\ell$ to $+\infty$, and section 3.4 listed the remedies, among them a floor $\epsilon$ on the covariances (`reg_covar`).
# Explain, in your own words:
#
# 1. Why the likelihood is unbounded: which single term of $\ell$ goes to $+\infty$, and why do the other terms not go to $-\infty$ with it?
# 2. Why the same trick fails for a single Gaussian (K = 1), unless all the points are equal.
# 3. How fast $\ell$ grows in D dimensions if the collapsing component has covariance $\sigma_1^2\mathbf{I}$: how much does it gain when $\sigma_1$ shrinks by a factor of 10?
# 4. What `reg_covar` $= \epsilon$ does, why it makes $\ell$ bounded, and what it does *not* do.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 5 (derive): what the one-hot constraint does
#
# Equation (sum-rule) sums over the $K$ one-hot vectors $\mathbf{z}$.
# The product formulas $p(\mathbf{z}) = \prod_k \pi_k^{z_k}$ (equation (prior) of chapter 02) and $p(\mathbf{x} \mid \mathbf{z}) = \prod_k \mathcal{N}_k(\mathbf{x})^{z_k}$ (equation (cond)), with $\mathcal{N}_k(\mathbf{x}) = \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, can be evaluated at *any* binary vector, though: $\mathbf{0}$, or a vector with several ones.
# Suppose we forgot the constraint and summed over all $2^K$ binary vectors:
#
# $$ S(\mathbf{x}) = \sum_{\mathbf{z} \in \{0, 1\}^K} \prod_{k=1}^K \pi_k^{z_k} \prod_{k=1}^K \mathcal{N}_k(\mathbf{x})^{z_k} . $$
#
# 1. Find a closed form for $S(\mathbf{x})$ that needs no enumeration, and write it as a function `binary_sum(weights, dens)` of the $K$ weights $\pi_k$ and the $K$ densities $\mathcal{N}_k(\mathbf{x})$ at one point.
# 2. Is $S$ a density in $\mathbf{x}$? Look at the terms of $\mathbf{z} = \mathbf{0}$ and of a $\mathbf{z}$ with two ones, and at $\sum_{\mathbf{z}} p(\mathbf{z})$ over all binary vectors.
#
# *What the check tests.* $K = 2$, $3$, $1$ and $60$, with weights that sum to 1 and densities between 0 and 3.
# Your number (Python, NumPy or SymPy) must agree with $S$ to a relative $10^{-9}$.
# For $K = 60$ there are $2^{60} \approx 10^{18}$ binary vectors: an enumeration runs out of time (10 seconds), so the check wants your closed form.
# Enumerating is a fine way to test your formula for small $K$.
# A wrong answer is told its mistake, never the value.

# %%
def binary_sum(weights, dens):
    """S = Σ over all binary z of Π_k (π_k N_k)^(z_k), without enumerating the 2^K vectors.

    Parameters
    ----------
    weights : ndarray, shape (K,)
        π_k.
    dens : ndarray, shape (K,)
        N_k(x) = N(x | μ_k, Σ_k) at one point x.

    Returns
    -------
    float
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("binary_sum", binary_sum)


# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 6 (implement): Monte Carlo with uniformly drawn labels
#
# The chapter's estimator, equation (mc), averages $p(\mathbf{x} \mid \mathbf{z})$ over labels drawn from the prior.
# Any other distribution $q$ over the $K$ labels works too, if each term is reweighted (importance sampling):
#
# $$ p(\mathbf{x}) = \sum_{\mathbf{z}} q(\mathbf{z}) \, \frac{p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z})}{q(\mathbf{z})} \approx \frac1R \sum_{i=1}^R \frac{p(\mathbf{z}^{(i)})\, p(\mathbf{x} \mid \mathbf{z}^{(i)})}{q(\mathbf{z}^{(i)})}, \qquad \mathbf{z}^{(i)} \sim q , $$
#
# valid whenever $q(\mathbf{z}) > 0$ for every $\mathbf{z}$.
#
# 1. Write `uniform_mc(x, weights, means, variances, R, rng)`: for a 1-D mixture (K weights, means and variances $\sigma_k^2$), draw $R$ labels *uniformly*, $q(\mathbf{z}) = 1/K$, from `rng`, and return the estimate of $p(x)$.
# 2. With one draw ($R = 1$) the estimator's variance is $\sum_k q_k w_k^2 - p(x)^2$, where $w_k$ is the term for $z_k = 1$.
#    For which points $x$ of `three_component_1d` is the uniform $q$ better than the prior $q_k = \pi_k$?
#    Which $q$ would give variance 0?
#
# *What the check tests.* The mixture `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, variances $(0.5, 1, 0.3)$).
# (a) Randomness: two generators seeded alike must give the same estimate, generators seeded differently different estimates, and NumPy's and Python's global generators must be left alone.
# (b) With $R = 1$ at $x = 2.5$, over 600 seeds: each estimate must be one of the $K$ possible terms (to a relative $10^{-6}$), and the components must be drawn uniformly (a chi-square test that rejects a correct answer with probability $10^{-6}$).
# (c) With $R = 5000$ at $x = -1$, $2.5$ and $8$: the estimate must be within 5 standard deviations of the estimator (computed exactly) from $p(x)$.
# Return one number (Python, NumPy or SymPy).

# %%
def uniform_mc(x, weights, means, variances, R, rng):
    """Importance-sampling estimate of p(x) with z drawn uniformly (chapter 03, eq. mc with another q).

    Parameters
    ----------
    x : float
    weights, means, variances : ndarray, shape (K,)
        π_k, μ_k and σ_k² of a 1-D mixture.
    R : int
        Number of draws.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    float
        The estimate of p(x) from R labels drawn uniformly.
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("uniform_mc", uniform_mc)

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 7 (derive): the likelihood of a spike held up by `reg_covar`
#
# With `reg_covar` $= \epsilon$ no variance falls below $\epsilon$, so a collapsing component stops at $\sigma_1^2 = \epsilon$ instead of 0: chapter 06, section 5 shows EM ending on such a spike.
# How good is such a fit?
# Take $N$ points $x_1, \dots, x_N$ in 1-D (all different) and the *spike* $\theta_{\text{spike}}$:
# component 1 has $\pi_1 = 1/N$, $\mu_1 = x_1$ and $\sigma_1^2 = \epsilon$; component 2 has $\pi_2 = (N - 1)/N$, and $\mu_2$ and $\sigma_2^2 = \hat\sigma_2^2$ are the maximum-likelihood fit, equation (ml-gauss) of chapter 01, to the other $N - 1$ points (so $\hat\sigma_2^2$ divides by $N - 1$).
#
# 1. Find $\ell(\theta_{\text{spike}})$ as $\epsilon \to 0$, up to terms that vanish as $\epsilon \to 0$, as a function of $N$, $\epsilon$ and $\hat\sigma_2^2$ only.
#    Give it as a SymPy expression `spike_loglik` in the symbols `N`, `eps` and `var2` ($\hat\sigma_2^2$) defined below.
# 2. On the chapter's data (200 points of `two_component_1d`, seed 4, and $x_1$ the first point), how far is your formula from $\ell(\theta_{\text{spike}})$ and from the $\ell$ where `gb.em(X, spike, reg_covar=1e-6)` ends, for $\epsilon = 10^{-6}$?
#    The sensible fit of the chapter has $\ell \approx -419.33$: how small must $\epsilon$ be before the spike beats it?
#
# *Hint:* equation (collapse-others) and the bound (collapse-asym) of the chapter keep, for each point, the one component that matters; equation (loglik-one) of chapter 01 gives the maximum of a Gaussian likelihood.
#
# *What the check tests.* Your expression (or an equation `Eq(ell, ...)`) may use only `N`, `eps` and `var2`; it is compared with the expected one at five points $(N, \epsilon, \hat\sigma_2^2)$, for example $(200, 10^{-6}, 1.7)$, to a relative $10^{-10}$, so any equivalent form passes.
# A wrong answer is told its mistake (a variance taken for a standard deviation, a weight left out, …), never the formula.

# %%
N, eps, var2 = sp.symbols("N eps var2", positive=True)

# %%
# YOUR ANSWER HERE
spike_loglik = None
check("spike_loglik", spike_loglik)

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("03_marginal_likelihood")

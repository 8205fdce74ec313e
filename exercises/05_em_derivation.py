# %% [markdown]
# <!-- generated from exercises/solutions/05_em_derivation.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 05: Deriving EM, the Q function and the Lagrange multiplier
#
# These exercises go with [chapter 05](../chapters/05_em_derivation.ipynb), which maximises
#
# $$ Q(\theta, \theta^{\text{old}}) = \sum_{n=1}^N \sum_{k=1}^K r_{nk} \big[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\big] , $$
#
# equation (q), over $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$ with the responsibilities $r_{nk}$ of $\theta^{\text{old}}$ held fixed: the M-step, equations (m-weights), (m-means) and (m-cov).
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`), $N_k = \sum_n r_{nk}$ (`nk`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line) or `# YOUR ANSWER HERE` (replace the placeholder `None`), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](solutions/05_em_derivation.ipynb).
# A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
# Its verdict names the cases already passed and shows what your function printed; nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# The last cell shows your progress: how many checks passed in this session.

# %%
import numpy as np
import sympy

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (derive): the Lagrange multiplier is $\lambda = -N$
#
# Only the term $\sum_n \sum_k r_{nk} \ln \pi_k$ of $Q$ depends on the weights, and the weights must sum to 1.
# So the M-step for $\boldsymbol\pi$ finds the stationary point of the Lagrangian of equation (lagrangian):
#
# $$ L(\boldsymbol\pi, \lambda) = \sum_{n=1}^N \sum_{k=1}^K r_{nk} \ln \pi_k + \lambda \Big(\sum_{k=1}^K \pi_k - 1\Big) . $$
#
# Set $\partial L / \partial \pi_k = 0$ for every $k$ and solve for $\lambda$.
# Give `lam` as a SymPy expression in the symbol `N` defined in the cell before the answer, for instance `lam = 2 * N` (which is wrong).
# Any equivalent form passes: an expression, an equation `sympy.Eq(...)` with a symbol named `lambda` (either way round), or what `sympy.solve` returns (a list, or a list of dicts).
#
# *Hint:* multiply the $k$-th stationarity condition by $\pi_k$, then sum over $k$.
# Two sums are known: $\sum_k \pi_k = 1$, and $\sum_k N_k = \sum_n \sum_k r_{nk} = \,?$
#
# *What the check tests.* SymPy must simplify the difference between your $\lambda$ and the right one to 0, with `N` positive; your expression may contain $N$ only.
# It recognises a wrong sign, an inverted answer and an answer off by one, and never prints $\lambda$.

# %% [markdown]
# *Write your answer here.*

# %%
N = sympy.Symbol("N", positive=True)

# %%
# YOUR ANSWER HERE
lam = None
check("lagrange_multiplier", lam)

# %% [markdown]
# ## Exercise 2 (derive): the multiplier is the price of the constraint
#
# Exercise 1 found the number $\lambda = -N$; what does it mean?
# Loosen the constraint: let the weights sum to $1 + \delta$ instead of 1, for some $\delta > -1$.
# Write $f(\boldsymbol\pi) = \sum_k N_k \ln \pi_k$, the weights' part of $Q$ (equation (q-weights)), and $f^*(1 + \delta)$ for its largest value over positive weights with $\sum_k \pi_k = 1 + \delta$.
# Derive the exact gain $f^*(1 + \delta) - f^*(1)$ and give it as `gain`, a SymPy expression in the symbols `N` and `delta` defined in the cell before the answer ($N = \sum_k N_k$).
# Then compare its slope at $\delta = 0$ with $\lambda$.
#
# *Hint:* the Lagrange conditions are those of exercise 1 with $1 + \delta$ in place of 1; put the maximiser back into $f$.
#
# *What the check tests.* Your expression may contain `N` and `delta` only (the gain does not depend on the single $N_k$).
# It is compared with the right formula by its values at four points ($N$ from 3.5 to 272, $\delta$ from 0.1 to 2.5), to a relative $10^{-9}$, so every equivalent form passes: an expression, an equation `sympy.Eq(gain, ...)` with a symbol named `gain` (either way round), what `sympy.solve` returns, or a string.
# It recognises the first-order change alone, a wrong sign, a lost factor $N$ and answers that still contain $N_k$ or $\lambda$, and never prints the gain.

# %% [markdown]
# *Write your answer here.*

# %%
delta = sympy.Symbol("delta", real=True)

# %%
# YOUR ANSWER HERE
gain = None
check("multiplier_sensitivity", gain)

# %% [markdown]
# ## Exercise 3 (derive): a component whose weight is fixed
#
# Sometimes one weight is not estimated: a background component for outliers, say, whose share of the points is fixed in advance.
# Take $K = 3$ with $\pi_1$ a known number ($0 < \pi_1 < 1$), not a variable, and $\pi_2, \pi_3$ free; the constraint is still $\sum_k \pi_k = 1$.
# The M-step for the weights maximises $f(\boldsymbol\pi) = \sum_k N_k \ln \pi_k$ over $\pi_2$ and $\pi_3$ alone.
# Derive $\pi_2$ and give it as `pi_2`, a SymPy expression in the symbols `N_1`, `N_2`, `N_3` and `pi_1` defined in the cell before the answer (you may write `N` for $N_1 + N_2 + N_3$).
# What is $\lambda$ now, and when does $\pi_2$ equal the usual $N_2 / N$?
#
# *Hint:* $\pi_1$ is not a variable, so there are two stationarity conditions, not three.
#
# *What the check tests.* Your expression may contain `N_1`, `N_2`, `N_3`, `pi_1` and `N` only.
# It is compared with the right formula by its values at three points (counts from 0.5 to 40, $\pi_1$ = 0.1, 0.3 and 0.75), to a relative $10^{-9}$, so every equivalent form passes: an expression, an equation with a symbol named `pi_2`, the dict `sympy.solve(..., dict=True)` returns, or a string.
# It recognises the usual update $N_2 / N$, weights that sum to the wrong total, $\pi_1$ and $1 - \pi_1$ swapped, $N_2$ and $N_3$ swapped, and an answer that still contains $\lambda$, and never prints $\pi_2$.

# %% [markdown]
# *Write your answer here.*

# %%
N_1, N_2, N_3, pi_1 = sympy.symbols("N_1 N_2 N_3 pi_1", positive=True)

# %%
# YOUR ANSWER HERE
pi_2 = None
check("fixed_weight", pi_2)

# %% [markdown]
# ## Exercise 4 (implement): the M-step
#
# Write `m_step(X, resp)`, which returns the triple `(weights, means, covariances)` of equations (m-weights), (m-means) and (m-cov):
#
# $$ N_k = \sum_{n=1}^N r_{nk}, \qquad \pi_k = \frac{N_k}{N}, \qquad \boldsymbol\mu_k = \frac{1}{N_k} \sum_{n=1}^N r_{nk} \mathbf{x}_n, \qquad \boldsymbol\Sigma_k = \frac{1}{N_k} \sum_{n=1}^N r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top . $$
#
# Shapes: `X` is $(N, D)$, `resp` is $(N, K)$; return arrays of shapes $(K,)$, $(K, D)$ and $(K, D, D)$.
#
# *Hint:* `resp.T @ X` is the $(K, D)$ array of the sums $\sum_n r_{nk} \mathbf{x}_n$.
# The covariance uses the *new* means $\boldsymbol\mu_k$ of the same M-step.
#
# *What the check tests.* The textbook example and a 2-D example with $K = 3$; the three arrays must agree to a relative $10^{-6}$ (absolute $10^{-10}$), as NumPy arrays or lists, and `gb.m_step` and `gb.em` are refused.
# It recognises weights that are not divided by $N$, means divided by $N$, covariances divided by $N$ or $N_k - 1$, unweighted covariances, covariances centred on the mean of all the data, and hard assignments.

# %%
def m_step(X, resp):
    """The M-step: θ maximising Q(θ, θ_old) for fixed responsibilities (chapter 05, eqs. m-weights, m-means, m-cov).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    resp : ndarray, shape (N, K)
        Responsibilities under θ_old; rows sum to 1.

    Returns
    -------
    weights : ndarray, shape (K,)
    means : ndarray, shape (K, D)
    covariances : ndarray, shape (K, D, D)
    """
    # YOUR CODE HERE
    raise NotImplementedError


check("m_step", m_step)

# %% [markdown]
# ## Exercise 5 (explain): the first M-step of the textbook example
#
# Take the textbook example of chapter 04: the points $-3, -2.5, -1, 0, 2, 4, 5$, the components $\mathcal{N}(-4, 1)$, $\mathcal{N}(0, 0.2)$, $\mathcal{N}(8, 3)$ (variances) with equal weights.
# The cell below prints its responsibilities (chapter 04's exercises compute them by hand).
# The chapter checked the resulting M-step against the published numbers; here you work it out and explain it.
# By hand, with the table, compute the first M-step: $N_k$, $\pi_k$, $\mu_k$ and $\sigma_k^2$ for the three components.
# Then explain what happened to each component and why: which points pulled it where?

# %%
X, gmm0 = gb.datasets.textbook_1d()
resp0 = gb.responsibilities(X, gmm0)
print("responsibilities under the starting parameters (rows: x = -3, -2.5, -1, 0, 2, 4, 5):")
print(resp0)


# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 6 (implement): one round covariance shared by all components
#
# Chapter 05 derived the M-step for a round covariance per component, $\boldsymbol\Sigma_k = \sigma_k^2 \mathbf{I}$ (equation (m-spherical)), and for one full covariance shared by all components (equation (m-tied)).
# Combine the two: every component has the same round covariance, $\boldsymbol\Sigma_k = \sigma^2 \mathbf{I}$ for all $k$, with a single $\sigma^2$ (the model behind K-means, chapter 06).
# Derive the $\sigma^2$ that maximises $Q$, with the means of equation (m-means).
# Then write `shared_variance(X, resp)`, which returns it as one number.
#
# *Hint:* collect the terms of $Q$ that contain $\sigma^2$ from all $K$ components; $\det(\sigma^2 \mathbf{I}) = \sigma^{2D}$ and $\sum_k N_k = N$.
# Differentiate with respect to $\sigma^2$ as one variable.
#
# *What the check tests.* A 3-D example with $K = 2$ and a 2-D example with $K = 3$, with unequal $N_k$; your number must agree to a relative $10^{-6}$, as a Python, NumPy or SymPy number, and `gb.m_step` and `gb.em` are refused.
# It recognises a forgotten or doubled division by $D$, the standard deviation, $K$ numbers instead of one, the per-component variances averaged equally or added, a division by $K$ or by $ND - 1$, distances left unweighted, means divided by $N$, distances from the mean of all the data, and hard assignments.

# %% [markdown]
# *Write your answer here.*

# %%
def shared_variance(X, resp):
    """The M-step for Σ_k = σ² I, one σ² for all components (exercise 6).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    resp : ndarray, shape (N, K)

    Returns
    -------
    variance : float
        σ², shared by all components.
    """
    # YOUR CODE HERE
    raise NotImplementedError


check("shared_spherical_variance", shared_variance)

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("05_em_derivation")

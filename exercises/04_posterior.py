# %% [markdown]
# <!-- generated from exercises/solutions/04_posterior.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 04: Responsibilities and soft assignment
#
# These exercises go with [chapter 04](../chapters/04_posterior.ipynb), which derives the responsibilities $r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n)$ by Bayes' rule, equation (resp).
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line) or `# YOUR ANSWER HERE` (replace the placeholder `None`), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](solutions/04_posterior.ipynb).
# A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
# Its verdict names the cases already passed and shows what your function printed; nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# The last cell shows your progress: how many checks passed in this session.

# %%
import numpy as np
import sympy as sp
from scipy import special, stats

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): responsibilities in log space
#
# Write `responsibilities(X, weights, means, covariances)`, which returns the $N \times K$ array
#
# $$ r_{nk} = \frac{\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}{\sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)} $$
#
# (chapter 04, equation (resp)).
# It must stay finite for a point far from every component, where both densities are 0 in floating point.
#
# *What the check tests.* The textbook example, the same points with unequal weights, and three 2-D points, one of them at $(600, -400)$, where both densities are 0 even in `np.longdouble`.
# Your responsibilities must agree to a relative $10^{-6}$ (absolute $10^{-10}$).
# The check refuses `gb.responsibilities`, `gb.e_step` and arbitrary-precision arithmetic (mpmath, `decimal`): the point is log space in float64.
#
# *Hint:* work with logarithms.
# `stats.multivariate_normal(mean, cov).logpdf(X)` gives $\ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$ for every row of `X`, and `special.logsumexp(a, axis=1, keepdims=True)` gives $\ln \sum_j e^{a_{nj}}$ for every row.
# Exponentiate only at the very end.

# %%
def responsibilities(X, weights, means, covariances):
    """Responsibilities r_nk = p(z_nk = 1 | x_n), computed in log space (chapter 04, eq. resp).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    weights : ndarray, shape (K,)
    means : ndarray, shape (K, D)
    covariances : ndarray, shape (K, D, D)

    Returns
    -------
    resp : ndarray, shape (N, K)
        Non-negative, every row sums to 1, finite even for points far from every component.
    """
    # YOUR CODE HERE
    raise NotImplementedError


check("responsibilities", responsibilities)

# %% [markdown]
# ## Exercise 2 (derive): the textbook example by hand
#
# The classic hand-worked example has seven points on a line and three components with equal weights $\pi_k = \frac13$:
#
# $$ x = -3,\ -2.5,\ -1,\ 0,\ 2,\ 4,\ 5; \qquad \mathcal{N}(-4, 1),\quad \mathcal{N}(0, 0.2),\quad \mathcal{N}(8, 3), $$
#
# where the second number of each $\mathcal{N}(\mu_k, \sigma_k^2)$ is the *variance*.
# Compute the $7 \times 3$ table of responsibilities $r_{nk}$ with NumPy from the formula, without `gb.responsibilities` or your function of exercise 1 (the check cannot tell, but the point is to do it once yourself), and give it as `textbook_resp` (rows: the points, columns: the components).
# Section 1.1 of the chapter printed this table: work it out again yourself, without looking back.
#
# *What the check tests.* Your table must agree with the responsibilities to a relative $10^{-6}$ (absolute $10^{-9}$): more digits than any printed table has, so give the array you computed, not numbers typed from a printout.
# When it is wrong, the check says which rows are wrong and which mistake they show, never the values.
#
# *Hint:* $\mathcal{N}(x \mid \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}} \exp\!\big(-\frac{(x - \mu)^2}{2\sigma^2}\big)$.
# With equal weights, the $\pi_k$ cancel in equation (resp).
# Do one row by hand first, say $x = -1$.

# %%
x = np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0])
weights = np.array([1 / 3, 1 / 3, 1 / 3])
means = np.array([-4.0, 0.0, 8.0])
variances = np.array([1.0, 0.2, 3.0])          # sigma_k^2, not standard deviations

# %% [markdown]
# *Write your answer here.*

# %%
# YOUR ANSWER HERE
textbook_resp = None
check("textbook_responsibilities", textbook_resp)

# %% [markdown]
# ## Exercise 3 (explain): soft against hard assignment
#
# Look at the table of exercise 2.
# K-means would give every point a *hard* assignment: the one component with the largest $r_{nk}$ (the argmax of the row).
# For which of the seven points does the hard assignment say the same as the responsibilities, and for which does it misrepresent them?
# What does a hard assignment throw away, and where would that make a difference when the components are re-estimated from the assignments (chapter 05)?

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 4 (derive): the covariance of a hard label
#
# Equation (resp-expect) of the chapter gives the mean and the variance of each entry of the one-hot label: $\mathbb{E}[z_{k} \mid \mathbf{x}] = r_{k}$ and $\operatorname{Var}[z_{k} \mid \mathbf{x}] = r_{k}(1 - r_{k})$ (we drop the index $n$ of the point).
# But $\mathbf{z}$ is a vector, and its entries are tied together: exactly one of them is 1.
#
# 1. For $K = 3$, derive the whole $3 \times 3$ covariance matrix $\operatorname{Cov}[\mathbf{z} \mid \mathbf{x}]$, whose entry $(j, k)$ is $\mathbb{E}[z_j z_k \mid \mathbf{x}] - \mathbb{E}[z_j \mid \mathbf{x}]\, \mathbb{E}[z_k \mid \mathbf{x}]$, in terms of $r_1, r_2, r_3$.
#    Give it as a SymPy matrix `label_cov` in the symbols `r1`, `r2`, `r3` defined below.
# 2. Why must every row of the matrix sum to 0?
#    What does the sign of the off-diagonal entries say?
# 3. Each draw of $\mathbf{z}$ is hard, yet its mean is soft.
#    In one or two sentences: what does "soft assignment" mean, then?
#
# *What the check tests.* Your matrix (a `sympy.Matrix`, or a list of three rows of SymPy expressions) may use only `r1`, `r2`, `r3`.
# It is compared entry by entry at five points of the simplex $r_1 + r_2 + r_3 = 1$, for example $(r_1, r_2, r_3) = (0.2, 0.5, 0.3)$, to $10^{-12}$, so any form that is equal on the simplex passes (`r1*(r2 + r3)` for `r1*(1 - r1)`, say).
# A wrong answer is told its mistake (labels treated as independent, a second moment for a covariance, …), never an entry.

# %%
r1, r2, r3 = sp.symbols("r1 r2 r3", positive=True)

# %%
# YOUR ANSWER HERE
label_cov = None
check("label_covariance", label_cov)


# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 5 (derive): the exact target of a bin
#
# Section 3 of the chapter compared the fraction $f_k$ of simulated labels with $z_k = 1$ among the draws in a bin $B = [x_0 - h/2,\ x_0 + h/2]$ with $r_k(x_0)$.
# That is only approximately what $f_k$ estimates: the draws in $B$ are spread over the bin, and $r_k$ changes across it.
#
# 1. For a 1-D mixture and a bin $B = [a, b]$, derive $P(z_k = 1 \mid x \in B)$ in terms of the standard normal CDF $\Phi$, and write it as a function `bin_responsibilities(a, b, weights, means, variances)` that returns the $K$ probabilities.
# 2. Show that for a bin of width $h$ centred on $x_0$, $P(z_k = 1 \mid x \in B) - r_k(x_0)$ is of order $h^2$, so that halving $h$ quarters the gap.
#    Were the chapter's bins of width $h = 0.05$ narrow enough for its test?
#
# *What the check tests.* The mixture `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, variances $(0.5, 1, 0.3)$) and the bins $[-1, 0.5]$, $[2.45, 2.55]$, $[3, \infty)$ and $[8, 8.5]$; your $K$ probabilities must agree to a relative $10^{-8}$ (absolute $10^{-12}$).
# In $[8, 8.5]$, far in the upper tail, $\Phi(b)$ and $\Phi(a)$ are both within $10^{-11}$ of 1, and their difference keeps only a few digits: use the survival function $1 - \Phi$ (`scipy.stats.norm.sf`), which keeps its digits there.
# A wrong answer is told its mistake (the responsibility at the centre of the bin, an unweighted average over the bin, a variance used as a scale, …), never the probabilities.

# %%
def bin_responsibilities(a, b, weights, means, variances):
    """P(z_k = 1 | a ≤ x ≤ b) for a 1-D mixture (chapter 04, section 3).

    Parameters
    ----------
    a, b : float
        The bin; a < b, and b may be np.inf.
    weights, means, variances : ndarray, shape (K,)
        π_k, μ_k and σ_k².

    Returns
    -------
    ndarray, shape (K,)
        The probabilities, which sum to 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("bin_responsibilities", bin_responsibilities)


# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 6 (derive): shared covariances make the posterior a softmax
#
# For $K = 2$, equation (log-odds) of the chapter has $\mathbf{A} = \mathbf{0}$ when the two covariances are equal, and the boundary $r = \tfrac12$ is a straight line.
# More is true, for any $K$: when all components share one covariance $\boldsymbol\Sigma$ (tied covariances, chapter 05), the responsibilities are a *softmax* of linear functions of $\mathbf{x}$,
#
# $$ r_k(\mathbf{x}) = \frac{\exp(\mathbf{w}_k^\top \mathbf{x} + b_k)}{\sum_{j=1}^K \exp(\mathbf{w}_j^\top \mathbf{x} + b_j)} , $$
#
# the model of multinomial logistic regression.
#
# 1. Derive $\mathbf{w}_k$ and $b_k$ from $\pi_k$, $\boldsymbol\mu_k$ and $\boldsymbol\Sigma$, and write `tied_softmax(weights, means, cov)`, which returns the pair `(W, b)`: `W` of shape (K, D) with rows $\mathbf{w}_k$, and `b` of shape (K,).
# 2. For `overlapping_2d` ($\boldsymbol\pi = (\tfrac12, \tfrac12)$, $\boldsymbol\mu_1 = (0, 0)$, $\boldsymbol\mu_2 = (2, 0)$, $\boldsymbol\Sigma = \mathbf{I}$), write $r_1(\mathbf{x})$ as a logistic function $1 / (1 + e^{-t})$ of a linear $t$.
# 3. Logistic regression fits $\mathbf{w}_k$ and $b_k$ directly, from labelled points.
#    What does the mixture model that logistic regression does not?
#
# *What the check tests.* Three cases: `overlapping_2d`; $K = 3$ components in 3-D with unequal weights and a correlated $\boldsymbol\Sigma$; and $K = 3$ in 1-D with $\boldsymbol\Sigma = 0.6$ (all as NumPy arrays: weights (K,), means (K, D), cov (D, D)).
# The softmax does not change when the same vector is added to every $\mathbf{w}_k$ and the same number to every $b_k$, so the check compares `(W, b)` up to such a common shift, to a relative $10^{-8}$ (absolute $10^{-10}$).
# The check refuses `gb.responsibilities`, `gb.e_step` and `gb.log_joint`: the point is the formula, not a fit to the library's posterior.
# A wrong answer is told its mistake ($\boldsymbol\Sigma$ for $\boldsymbol\Sigma^{-1}$, a lost $\tfrac12$, …), never `W` or `b`.

# %%
def tied_softmax(weights, means, cov):
    """(W, b) with r_k(x) = softmax_k(W x + b) for components that share the covariance cov (chapter 04, eq. log-odds).

    Parameters
    ----------
    weights : ndarray, shape (K,)
    means : ndarray, shape (K, D)
    cov : ndarray, shape (D, D)
        The covariance Σ shared by all components.

    Returns
    -------
    W : ndarray, shape (K, D)
    b : ndarray, shape (K,)
    """
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("tied_softmax", tied_softmax)

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("04_posterior")

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

# %%
import numpy as np
from scipy import special, stats

import gmmbook as gb
from gmmbook.exercises import check

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
# The checker tries the textbook example, unequal weights, and a 2-D point at $(60, -40)$.
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
# Compute the $7 \times 3$ table of responsibilities $r_{nk}$ with a calculator or NumPy, but without `gb.responsibilities` or your function of exercise 1, and give it as `textbook_resp` (rows: the points, columns: the components).
# Section 1.1 of the chapter printed this table: work it out again yourself, without looking back.
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
# ## Exercise 4 (explain): the expectation of a hard variable is soft
#
# Each $\mathbf{z}_n$ is one-hot: exactly one $z_{nk}$ is 1, the others are 0.
# Show that nevertheless $\mathbb{E}[z_{nk} \mid \mathbf{x}_n] = r_{nk}$, and say in one or two sentences what this means for the phrase "soft assignment".
# How would you check it by simulation?

# %% [markdown]
# *Write your answer here.*

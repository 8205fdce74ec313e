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
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`; the chapter writes $\gamma_{nk} = r_{nk}$), $N_k = \sum_n r_{nk}$ (`nk`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line) or `# YOUR ANSWER HERE` (replace the placeholder `None`), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](solutions/05_em_derivation.ipynb).

# %%
import numpy as np
import sympy

import gmmbook as gb
from gmmbook.exercises import check

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (derive): the Lagrange multiplier is $\lambda = -N$
#
# Only the term $\sum_n \sum_k r_{nk} \ln \pi_k$ of $Q$ depends on the weights, and the weights must sum to 1.
# So the M-step for $\boldsymbol\pi$ maximises
#
# $$ \mathcal{L}(\boldsymbol\pi, \lambda) = \sum_{n=1}^N \sum_{k=1}^K r_{nk} \ln \pi_k + \lambda \Big(\sum_{k=1}^K \pi_k - 1\Big) . $$
#
# Set $\partial \mathcal{L} / \partial \pi_k = 0$ for every $k$ and solve for $\lambda$.
# Give `lam` as a SymPy expression in the symbol `N` defined in the answer cell, for instance `lam = 2 * N` (which is wrong).
#
# *Hint:* multiply the $k$-th stationarity condition by $\pi_k$, then sum over $k$.
# Two sums are known: $\sum_k \pi_k = 1$, and $\sum_k N_k = \sum_n \sum_k r_{nk} = \,?$

# %% [markdown]
# *Write your answer here.*

# %%
N = sympy.Symbol("N", positive=True)
# YOUR ANSWER HERE
lam = None
check("lagrange_multiplier", lam)

# %% [markdown]
# ## Exercise 2 (implement): the M-step
#
# Write `m_step(X, resp)`, which returns the triple `(weights, means, covariances)` of equations (m-weights), (m-means) and (m-cov):
#
# $$ N_k = \sum_{n=1}^N r_{nk}, \qquad \pi_k = \frac{N_k}{N}, \qquad \boldsymbol\mu_k = \frac{1}{N_k} \sum_{n=1}^N r_{nk} \mathbf{x}_n, \qquad \boldsymbol\Sigma_k = \frac{1}{N_k} \sum_{n=1}^N r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top . $$
#
# Shapes: `X` is $(N, D)$, `resp` is $(N, K)$; return arrays of shapes $(K,)$, $(K, D)$ and $(K, D, D)$.
# The checker tries the textbook example and a 2-D example.
#
# *Hint:* `resp.T @ X` is the $(K, D)$ array of the sums $\sum_n r_{nk} \mathbf{x}_n$.
# The covariance uses the *new* means $\boldsymbol\mu_k$ of the same M-step.

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
# ## Exercise 3 (derive, then implement): the M-step for spherical covariances
#
# Suppose every component is round: $\boldsymbol\Sigma_k = \sigma_k^2 \mathbf{I}$ with one variance $\sigma_k^2$ per component.
# Maximise $Q$ over $\sigma_k^2$ and show that
#
# $$ \sigma_k^2 = \frac{1}{D\, N_k} \sum_{n=1}^N r_{nk} \,\lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 , \tag{m-spherical} $$
#
# with $\boldsymbol\mu_k$ the mean of equation (m-means).
# Then write `spherical_variances(X, resp)`, which returns the $K$ variances $\sigma_k^2$ as an array of shape $(K,)$.
#
# *Hint:* for $\boldsymbol\Sigma = \sigma^2 \mathbf{I}$ in $D$ dimensions, $\ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \sigma^2 \mathbf{I}) = -\frac{D}{2} \ln(2\pi\sigma^2) - \frac{\lVert \mathbf{x} - \boldsymbol\mu \rVert^2}{2\sigma^2}$, because $\det(\sigma^2 \mathbf{I}) = \sigma^{2D}$.
# Differentiate with respect to $\sigma_k^2$ as one variable.

# %% [markdown]
# *Write your answer here.*

# %%
def spherical_variances(X, resp):
    """The spherical M-step: σ_k² = Σ_n r_nk ‖x_n − μ_k‖² / (D N_k) (chapter 05, eq. m-spherical).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    resp : ndarray, shape (N, K)

    Returns
    -------
    variances : ndarray, shape (K,)
        σ_k², one variance per component (Σ_k = σ_k² I).
    """
    # YOUR CODE HERE
    raise NotImplementedError


check("spherical_variances", spherical_variances)

# %% [markdown]
# ## Exercise 4 (explain): the first M-step of the textbook example
#
# Take the textbook example of chapter 04: the points $-3, -2.5, -1, 0, 2, 4, 5$, the components $\mathcal{N}(-4, 1)$, $\mathcal{N}(0, 0.2)$, $\mathcal{N}(8, 3)$ (variances) with equal weights.
# The cell below prints its responsibilities (exercise 2 of chapter 04).
# Section 6 of the chapter checked the resulting numbers against the published ones; here you work them out and explain them.
# By hand, with the table, compute the first M-step: $N_k$, $\pi_k$, $\mu_k$ and $\sigma_k^2$ for the three components.
# Then explain what happened to each component and why: which points pulled it where?

# %%
X, gmm0 = gb.datasets.textbook_1d()
resp0 = gb.responsibilities(X, gmm0)
print("responsibilities under the starting parameters (rows: x = -3, -2.5, -1, 0, 2, 4, 5):")
print(resp0)

# %% [markdown]
# *Write your answer here.*

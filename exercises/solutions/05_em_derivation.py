# %% [markdown]
# # Exercises for chapter 05: Deriving EM, the Q function and the Lagrange multiplier
#
# These exercises go with [chapter 05](../../chapters/05_em_derivation.ipynb), which maximises
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
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](../solutions/05_em_derivation.ipynb).

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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# Write $N_k = \sum_n r_{nk}$, so that the objective is $\sum_k N_k \ln \pi_k + \lambda (\sum_k \pi_k - 1)$.
# Its derivative with respect to one weight $\pi_k$ is
#
# $$ \frac{\partial \mathcal{L}}{\partial \pi_k} = \frac{N_k}{\pi_k} + \lambda = 0 \quad\Longrightarrow\quad N_k = -\lambda\, \pi_k \qquad (k = 1, \dots, K). $$
#
# Summing the $K$ equations on the right over $k$:
#
# $$ \sum_{k=1}^K N_k = -\lambda \sum_{k=1}^K \pi_k \quad\Longrightarrow\quad N = -\lambda \cdot 1 \quad\Longrightarrow\quad \lambda = -N , $$
#
# because every row of the responsibilities sums to 1, so $\sum_k N_k = \sum_n \sum_k r_{nk} = \sum_n 1 = N$.
# Putting $\lambda = -N$ back into $N_k = -\lambda \pi_k$ gives the update of equation (m-weights), $\pi_k = N_k / N$.
# It is a maximum: $\sum_k N_k \ln \pi_k$ is concave in $\boldsymbol\pi$ and the constraint is linear.
#
# SymPy does the same for $K = 3$: it solves the three stationarity conditions and the constraint for $\pi_1, \pi_2, \pi_3, \lambda$, and we then substitute $N_1 + N_2 + N_3 = N$.
# <!-- END SOLUTION -->

# %%
N = sympy.Symbol("N", positive=True)
# BEGIN SOLUTION: lam = None
pi = sympy.symbols("pi_1:4", positive=True)
Nk = sympy.symbols("N_1:4", positive=True)
lam_ = sympy.Symbol("lambda")
lagrangian = sum(n * sympy.log(p) for n, p in zip(Nk, pi)) + lam_ * (sum(pi) - 1)
stationary = [sympy.diff(lagrangian, p) for p in pi] + [sympy.diff(lagrangian, lam_)]
solution = sympy.solve(stationary, [*pi, lam_], dict=True)
assert len(solution) == 1
solution = solution[0]
print("lambda =", solution[lam_])
print("pi_1 =", solution[pi[0]])
lam = sympy.simplify(solution[lam_].subs(Nk[0], N - Nk[1] - Nk[2]))     # N_1 + N_2 + N_3 = N
assert sympy.simplify(solution[pi[0]].subs(Nk[0], N - Nk[1] - Nk[2]) - (N - Nk[1] - Nk[2]) / N) == 0   # pi_1 = N_1 / N
print("with N_1 + N_2 + N_3 = N: lambda =", lam)
# END SOLUTION
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

# %% [markdown] tags=["solution-only"]
# **Solution.**
# Each update is a responsibility-weighted version of the maximum-likelihood estimate for one Gaussian: point $n$ counts as $r_{nk}$ of a point in component $k$, and $N_k$ is the effective number of points of component $k$.
# So every average divides by $N_k$, not by $N$; only the weights divide by $N$, so that they sum to 1 (exercise 1).
# For the covariances we form, for every component, the deviations from its new mean, shape $(K, N, D)$, and let `np.einsum` sum $r_{nk}\, d_{kni}\, d_{knj}$ over $n$.

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
    # BEGIN SOLUTION
    N, D = X.shape
    nk = resp.sum(axis=0)                                            # N_k, (K,)
    weights = nk / N                                                 # (m-weights)
    means = resp.T @ X / nk[:, None]                                 # (m-means)
    diff = X[None, :, :] - means[:, None, :]                         # x_n - mu_k with the new means, (K, N, D)
    covariances = np.einsum("nk,kni,knj->kij", resp, diff, diff) / nk[:, None, None]   # (m-cov)
    return weights, means, covariances
    # END SOLUTION


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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With $\boldsymbol\Sigma_k = \sigma_k^2 \mathbf{I}$, the terms of $Q$ that contain $\sigma_k^2$ are those of component $k$:
#
# $$ Q_k(\sigma_k^2) = \sum_{n=1}^N r_{nk} \Big[-\frac{D}{2} \ln(2\pi\sigma_k^2) - \frac{\lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2}{2\sigma_k^2}\Big] = -\frac{D N_k}{2} \ln(2\pi\sigma_k^2) - \frac{S_k}{2\sigma_k^2}, \qquad S_k = \sum_{n=1}^N r_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 . $$
#
# The derivative with respect to $s = \sigma_k^2$ is
#
# $$ \frac{\partial Q_k}{\partial s} = -\frac{D N_k}{2 s} + \frac{S_k}{2 s^2} = 0 \quad\Longrightarrow\quad s = \frac{S_k}{D N_k} , $$
#
# which is equation (m-spherical).
# It is a maximum: $\partial Q_k / \partial s$ is positive for smaller $s$ and negative for larger $s$.
# The mean does not change: $\partial Q / \partial \boldsymbol\mu_k = \sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k) / \sigma_k^2 = 0$ gives equation (m-means) again, whatever $\sigma_k^2$ is.
#
# The factor $D$ is there because $\lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2$ adds up $D$ squared coordinates: $\sigma_k^2$ is the weighted mean squared deviation *per coordinate*.
# Equivalently, $\sigma_k^2 = \operatorname{tr}(\boldsymbol\Sigma_k^{\text{full}}) / D$, the average of the diagonal of the full-covariance update (m-cov).
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
s, D_, Nk_, S_ = sympy.symbols("s D N_k S_k", positive=True)
Q_k = -D_ * Nk_ / 2 * sympy.log(2 * sympy.pi * s) - S_ / (2 * s)
stationary_points = sympy.solve(sympy.diff(Q_k, s), s)
assert stationary_points == [S_ / (D_ * Nk_)]
assert sympy.simplify(sympy.diff(Q_k, s, 2).subs(s, stationary_points[0]) + D_**3 * Nk_**3 / (2 * S_**2)) == 0   # < 0: a maximum
print("SymPy: dQ_k/ds = 0 only at s =", stationary_points[0])
print("       and there d2Q_k/ds2 =", sympy.simplify(sympy.diff(Q_k, s, 2).subs(s, stationary_points[0])), "< 0: a maximum")

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
    # BEGIN SOLUTION
    N, D = X.shape
    nk = resp.sum(axis=0)                                            # N_k
    means = resp.T @ X / nk[:, None]                                 # (m-means), unchanged
    sq_dist = ((X[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)     # ||x_n - mu_k||^2, (N, K)
    return (resp * sq_dist).sum(axis=0) / (D * nk)                   # (m-spherical)
    # END SOLUTION


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
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# With more digits, the responsibilities that are not 0 or 1 are $r_{3\cdot} = (0.05707, 0.94293, 0.000004)$ for $x = -1$, $r_{4\cdot} = (0.00015, 0.99984, 0.00001)$ for $x = 0$, and $r_{5\cdot} = (0.00001, 0.06624, 0.93375)$ for $x = 2$.
#
# *Effective counts* $N_k = \sum_n r_{nk}$, the column sums of the table:
# $N_1 = 1 + 1 + 0.05707 + 0.00015 + 0.00001 = 2.05723$, $N_2 = 0.94293 + 0.99984 + 0.06624 = 2.00901$, $N_3 = 0.93375 + 1 + 1 = 2.93376$ (up to terms below $10^{-5}$), and $N_1 + N_2 + N_3 = 7 = N$.
#
# *Weights* $\pi_k = N_k / 7$: $0.294$, $0.287$, $0.419$.
#
# *Means* $\mu_k = \sum_n r_{nk} x_n / N_k$:
# $\mu_1 = (-3 - 2.5 - 0.05707 + 0.00002)/2.05723 = -5.55705/2.05723 = -2.701$,
# $\mu_2 = (-0.94293 + 0 + 2 \times 0.06624)/2.00901 = -0.81045/2.00901 = -0.403$,
# $\mu_3 = (2 \times 0.93375 + 4 + 5)/2.93376 = 10.8675/2.93376 = 3.704$.
#
# *Variances* $\sigma_k^2 = \sum_n r_{nk} (x_n - \mu_k)^2 / N_k$, with the new means:
# $\sigma_1^2 = \big[0.299^2 + 0.201^2 + 0.05707 \times 1.701^2 + 0.00015 \times 2.701^2 + 0.00001 \times 4.701^2\big] / 2.05723 = (0.0893 + 0.0405 + 0.1652 + 0.0011 + 0.0002)/2.05723 = 0.144$,
# $\sigma_2^2 = \big[0.94293 \times 0.597^2 + 0.99984 \times 0.403^2 + 0.06624 \times 2.403^2\big] / 2.00901 = (0.3361 + 0.1624 + 0.3825)/2.00901 = 0.438$,
# $\sigma_3^2 = \big[0.93375 \times 1.704^2 + 0.296^2 + 1.296^2\big] / 2.93376 = (2.7122 + 0.0874 + 1.6789)/2.93376 = 1.527$.
#
# What happened:
#
# - Component 3 started at $\mu_3 = 8$, to the right of every point; the only points it could claim were $2$, $4$ and $5$, so its mean jumps to their weighted average $3.70$, and its variance shrinks from 3 to $1.53$, the spread of those three points.
#   With almost three points it also gets the largest weight, $0.42$.
# - Component 2 keeps $-1$ and $0$ and takes $6.6\,\%$ of the point $2$; the point $-1$ pulls its mean left to $-0.40$, and $-1$ and $2$ together widen it from $0.2$ to $0.44$.
# - Component 1 started at $-4$ with variance 1; it owns $-3$ and $-2.5$ and $5.7\,\%$ of $-1$, so it moves right to $-2.70$ and narrows to $0.14$, the small spread of its two points.
#
# Every update is a weighted average, so the components move towards the points that claimed them, and the log-likelihood rises from $-28.33$ to $-14.41$ (printed below).
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
weights1, means1, covariances1 = m_step(X, resp0)                   # our m_step of exercise 2 (it passed its check)
library1 = gb.m_step(X, resp0)
assert np.allclose(weights1, library1.weights) and np.allclose(means1, library1.means)
assert np.allclose(covariances1, library1.covariances)
print(f"{'component':18s}" + "".join(f"{k:9d}" for k in (1, 2, 3)))
for name, values in [("N_k", resp0.sum(axis=0)), ("weight pi_k", weights1), ("mean mu_k", means1[:, 0]),
                     ("variance sigma_k^2", covariances1[:, 0, 0])]:
    print(f"{name:18s}" + "".join(f"{v:9.3f}" for v in values))
print(f"log-likelihood: {gb.log_likelihood(X, gmm0):.2f} before, {gb.log_likelihood(X, library1):.2f} after the first M-step")
print("check: our m_step equals gb.m_step on the textbook example")

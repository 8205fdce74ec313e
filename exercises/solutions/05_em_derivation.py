# %% [markdown]
# # Exercises for chapter 05: Deriving EM, the Q function and the Lagrange multiplier
#
# These exercises go with [chapter 05](../../chapters/05_em_derivation.ipynb), which maximises
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
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](../solutions/05_em_derivation.ipynb).
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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# Write $N_k = \sum_n r_{nk}$, so that the objective is $\sum_k N_k \ln \pi_k + \lambda (\sum_k \pi_k - 1)$.
# Its derivative with respect to one weight $\pi_k$ is
#
# $$ \frac{\partial L}{\partial \pi_k} = \frac{N_k}{\pi_k} + \lambda = 0 \quad\Longrightarrow\quad N_k = -\lambda\, \pi_k \qquad (k = 1, \dots, K). $$
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

# %%
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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# The conditions $N_k / \pi_k + \lambda = 0$ give $\pi_k = -N_k / \lambda$ as before; the constraint now gives $-N/\lambda = 1 + \delta$, so
#
# $$ \lambda = -\frac{N}{1 + \delta}, \qquad \pi_k = (1 + \delta)\, \frac{N_k}{N} . $$
#
# Every best weight is scaled by $1 + \delta$, and every term $N_k \ln \pi_k$ gains $N_k \ln(1 + \delta)$:
#
# $$ f^*(1 + \delta) = \sum_{k=1}^K N_k \ln\Big((1 + \delta) \frac{N_k}{N}\Big) = f^*(1) + N \ln(1 + \delta) . $$
#
# The slope of the gain at $\delta = 0$ is $N = -\lambda$: to first order, loosening the constraint by $\delta$ raises the best value by $-\lambda\,\delta$.
# That is what a Lagrange multiplier is in general (the envelope theorem): the rate at which the optimum moves when the constraint's right-hand side moves, here $\mathrm{d} f^*(1 + \delta) / \mathrm{d}\delta = N / (1 + \delta) = -\lambda$ for every $\delta$.
# The sign is a convention: with $L = f - \lambda (\sum_k \pi_k - 1)$ instead, $\lambda$ would be $+N$.
# The gain is exact and concave in $\delta$; the first-order estimate $N\delta$ is above it by about $N \delta^2 / 2$.
#
# The numbers below: SciPy's SLSQP maximises $f$ on the textbook example under both constraints, without any formula; the difference matches $N \ln(1 + \delta)$, not $N \delta$.
# <!-- END SOLUTION -->

# %%
delta = sympy.Symbol("delta", real=True)

# %%
# BEGIN SOLUTION: gain = None
pi = sympy.symbols("pi_1:4", positive=True)
Nk = sympy.symbols("N_1:4", positive=True)
lam_ = sympy.Symbol("lambda")
f = sum(n * sympy.log(p) for n, p in zip(Nk, pi))                    # equation (q-weights), K = 3


def best_value(total):
    """The largest f with sum_k pi_k = total, from the Lagrange conditions."""
    lagrangian = f + lam_ * (sum(pi) - total)
    (solution,) = sympy.solve([sympy.diff(lagrangian, v) for v in (*pi, lam_)], [*pi, lam_], dict=True)
    return f.subs(solution)


gain = sympy.expand_log(best_value(1 + delta) - best_value(1), force=True)
gain = sympy.simplify(gain.subs(Nk[0], N - Nk[1] - Nk[2]))          # N_1 + N_2 + N_3 = N
print("gain =", gain, "; its slope at delta = 0:", sympy.diff(gain, delta).subs(delta, 0))
# END SOLUTION
check("multiplier_sensitivity", gain)

# %% tags=["solution-only"]
from scipy.optimize import minimize

X_tb, gmm_tb = gb.datasets.textbook_1d()
nk_tb = gb.responsibilities(X_tb, gmm_tb).sum(axis=0)                 # N_k of the textbook example, N = 7


def best_f(total):
    """max sum_k N_k ln pi_k over pi_k > 0 with sum_k pi_k = total, by SciPy's SLSQP (no formula used)."""
    result = minimize(lambda w: -np.sum(nk_tb * np.log(w)), x0=np.full(3, total / 3), method="SLSQP",
                      bounds=[(1e-9, None)] * 3, constraints=[{"type": "eq", "fun": lambda w: np.sum(w) - total}],
                      options={"ftol": 1e-14, "maxiter": 200})
    assert result.success
    return -result.fun


for d in (0.05, 0.5):
    numeric_gain = best_f(1 + d) - best_f(1)
    print(f"delta = {d}: SLSQP's gain {numeric_gain:.6f}; N ln(1 + delta) = {7 * np.log(1 + d):.6f};"
          f" first order N delta = {7 * d:.6f}")
    assert abs(numeric_gain - 7 * np.log(1 + d)) < 1e-6 and abs(numeric_gain - 7 * d) > 1e-3
print("check: an optimiser that knows no formula finds the gain N ln(1 + delta), not N delta")

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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With $\pi_1$ fixed, the term $N_1 \ln \pi_1$ is a constant, and the Lagrangian is $N_2 \ln \pi_2 + N_3 \ln \pi_3 + \lambda (\pi_1 + \pi_2 + \pi_3 - 1)$, a function of $\pi_2$, $\pi_3$ and $\lambda$.
# Its two stationarity conditions give $\pi_k = -N_k / \lambda$ for $k = 2, 3$, and the constraint $\pi_2 + \pi_3 = 1 - \pi_1$ gives
#
# $$ \lambda = -\frac{N_2 + N_3}{1 - \pi_1}, \qquad \pi_2 = (1 - \pi_1)\, \frac{N_2}{N_2 + N_3}, \qquad \pi_3 = (1 - \pi_1)\, \frac{N_3}{N_2 + N_3} . $$
#
# The free components share what the fixed one leaves, $1 - \pi_1$, in proportion to their soft counts.
# The multiplier is no longer $-N$: the first condition of exercise 1, $N_1 / \pi_1 + \lambda = 0$, is missing, and $\lambda = -N$ comes back only if $\pi_1 = N_1 / N$, the weight EM would have chosen; then $\pi_2 = N_2 / N$.
# The argument of equation (gibbs) shows that this stationary point is the maximum: on the segment $\pi_2 + \pi_3 = 1 - \pi_1$, $f$ is $(N_2 + N_3)$ times a negative KL divergence plus a constant.
# <!-- END SOLUTION -->

# %%
N_1, N_2, N_3, pi_1 = sympy.symbols("N_1 N_2 N_3 pi_1", positive=True)

# %%
# BEGIN SOLUTION: pi_2 = None
p2, p3, lam_c = sympy.symbols("pi_2 pi_3 lambda")
lagrangian_c = N_1 * sympy.log(pi_1) + N_2 * sympy.log(p2) + N_3 * sympy.log(p3) + lam_c * (pi_1 + p2 + p3 - 1)
(solution_c,) = sympy.solve([sympy.diff(lagrangian_c, v) for v in (p2, p3, lam_c)], [p2, p3, lam_c], dict=True)
print(solution_c)
pi_2 = solution_c[p2]
assert sympy.simplify(pi_2.subs(pi_1, N_1 / (N_1 + N_2 + N_3)) - N_2 / (N_1 + N_2 + N_3)) == 0   # pi_1 = N_1/N: the usual
# END SOLUTION
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
weights1, means1, covariances1 = m_step(X, resp0)                   # our m_step of exercise 4 (it passed its check)
library1 = gb.m_step(X, resp0)
assert np.allclose(weights1, library1.weights) and np.allclose(means1, library1.means)
assert np.allclose(covariances1, library1.covariances)
print(f"{'component':18s}" + "".join(f"{k:9d}" for k in (1, 2, 3)))
for name, values in [("N_k", resp0.sum(axis=0)), ("weight pi_k", weights1), ("mean mu_k", means1[:, 0]),
                     ("variance sigma_k^2", covariances1[:, 0, 0])]:
    print(f"{name:18s}" + "".join(f"{v:9.3f}" for v in values))
print(f"log-likelihood: {gb.log_likelihood(X, gmm0):.2f} before, {gb.log_likelihood(X, library1):.2f} after the first M-step")
print("check: our m_step equals gb.m_step on the textbook example")

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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With $\boldsymbol\Sigma_k = \sigma^2 \mathbf{I}$ for every $k$, $\ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \sigma^2 \mathbf{I}) = -\frac{D}{2} \ln(2\pi\sigma^2) - \lVert \mathbf{x} - \boldsymbol\mu_k \rVert^2 / 2\sigma^2$, and summing equation (q) over all $n$ and $k$, with $\sum_k N_k = N$,
#
# $$ Q = -\frac{N D}{2} \ln \sigma^2 - \frac{S}{2\sigma^2} + \dots, \qquad S = \sum_{k=1}^K \sum_{n=1}^N r_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 . $$
#
# With $s = \sigma^2$, $\partial Q / \partial s = -ND/2s + S/2s^2 = 0$ gives
#
# $$ \sigma^2 = \frac{1}{N D} \sum_{k=1}^K \sum_{n=1}^N r_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 = \sum_{k=1}^K \frac{N_k}{N}\, \sigma_k^2 = \frac{1}{D} \operatorname{tr} \boldsymbol\Sigma_{\text{tied}} , $$
#
# a maximum, since $\partial Q / \partial s$ is positive below it and negative above.
# It is the average of the per-component variances $\sigma_k^2$ of equation (m-spherical), each weighted by its share $N_k / N$ of the points (not an equal average), and the average diagonal entry of the tied covariance of equation (m-tied).
# The means are still those of equation (m-means): $\partial Q / \partial \boldsymbol\mu_k$ does not involve the other components.
# <!-- END SOLUTION -->

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
    # BEGIN SOLUTION
    N, D = X.shape
    nk = resp.sum(axis=0)                                            # N_k
    means = resp.T @ X / nk[:, None]                                 # (m-means), unchanged
    sq_dist = ((X[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)     # ||x_n - mu_k||^2, (N, K)
    return float((resp * sq_dist).sum() / (N * D))
    # END SOLUTION


check("shared_spherical_variance", shared_variance)

# %% tags=["solution-only"]
s, N_s, D_s, S_s = sympy.symbols("s N D S", positive=True)
Q_s = -N_s * D_s / 2 * sympy.log(2 * sympy.pi * s) - S_s / (2 * s)
assert sympy.solve(sympy.diff(Q_s, s), s) == [S_s / (N_s * D_s)]
rng = np.random.default_rng(3)
X3 = rng.normal(size=(50, 3)) * [1.0, 3.0, 0.5]
resp3 = rng.dirichlet([2.0, 1.0, 0.5], size=50)
nk3 = resp3.sum(axis=0)
spherical = gb.m_step(X3, resp3, covariance_type="spherical").covariances[:, 0, 0]     # sigma_k^2, (m-spherical)
tied = gb.m_step(X3, resp3, covariance_type="tied").covariances[0]                      # (m-tied)
print(f"shared sigma^2 = {shared_variance(X3, resp3):.6f}; sum_k (N_k/N) sigma_k^2 = {nk3 @ spherical / 50:.6f};"
      f" tr(Sigma_tied)/D = {np.trace(tied) / 3:.6f}; equal average of sigma_k^2 = {spherical.mean():.6f}")
assert np.isclose(shared_variance(X3, resp3), nk3 @ spherical / 50) and np.isclose(shared_variance(X3, resp3), np.trace(tied) / 3)
print("check: SymPy's only stationary point is S/(N D); it is the N_k/N-weighted average of the spherical variances")

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("05_em_derivation")

# %% [markdown]
# # Exercises for chapter 03: The marginal likelihood and its landscape
#
# These exercises go with [chapter 03, The marginal likelihood and its landscape](../../chapters/03_marginal_likelihood.ipynb).
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

# %% [markdown] tags=["solution-only"]
# **Solution.**
# Equation (logsumexp) with $m = \max_j a_j$ makes every exponent $a_j - m \le 0$ and the largest exactly 0, so nothing overflows and the sum is at least 1.
# The one case it does not cover is a row with $m = -\infty$: then $a_j - m$ is $-\infty - (-\infty)$, which is `nan`.
# Any finite $m$ makes the identity exact, so in that case we subtract 0 instead: the sum of $e^{-\infty} = 0$ is 0 and its logarithm $-\infty$, the right answer; `np.errstate` silences the divide-by-zero warning that `np.log(0)` would print.

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
    # BEGIN SOLUTION
    a = np.asarray(a, dtype=float)
    m = np.max(a, axis=-1, keepdims=True)                          # m = max_j a_j
    m = np.where(np.isfinite(m), m, 0.0)                           # a row of −inf: any finite m is exact
    with np.errstate(divide="ignore"):
        return m[..., 0] + np.log(np.sum(np.exp(a - m), axis=-1))  # m + ln Σ_j exp(a_j − m)
    # END SOLUTION


# %%
check("log_sum_exp", log_sum_exp)

# %% [markdown] tags=["solution-only"]
# **Two more tests**, beyond what the checker asks: rows of $-\infty$ give $-\infty$ without a warning, and the far point $x = 41$ of the chapter, where the naive $\ln p(x)$ is $-\infty$, gets the same $\ln p(x)$ as `gb.log_marginal`.

# %% tags=["solution-only"]
with warnings.catch_warnings():
    warnings.simplefilter("error")                                 # any warning fails this cell
    all_minus_inf = log_sum_exp(np.full((2, 3), -np.inf))
assert np.all(np.isneginf(all_minus_inf))

gmm_two = gb.datasets.two_component_1d()
a_far = gb.log_joint([[41.0]], gmm_two)                            # a_k = ln π_k + ln N(41 | μ_k, 1)
ours, reference = log_sum_exp(a_far)[0], gb.log_marginal([[41.0]], gmm_two)[0]
assert abs(ours - reference) <= 1e-13 * abs(reference)
assert abs(ours - special.logsumexp(a_far)) <= 1e-13 * abs(reference)
print(f"rows of -inf give {all_minus_inf}; ln p(41) = {ours:.4f}, as gb.log_marginal and scipy.special.logsumexp give")

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
    # BEGIN SOLUTION
    return np.asarray(resp)[:, tau]          # column k of the new matrix is column tau[k] of the old one
    # END SOLUTION


# %%
check("relabelled_responsibilities", relabelled_responsibilities)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. By equation (joint) of chapter 02 and the definition of $\theta_\tau$,
#
#    $$ p(\mathbf{x}, \mathbf{z}\mid\theta_\tau) = \prod_{k=1}^K \big[\pi_{\tau(k)}\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_{\tau(k)},\boldsymbol\Sigma_{\tau(k)})\big]^{z_k} = \prod_{j=1}^K \big[\pi_j\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_j,\boldsymbol\Sigma_j)\big]^{z'_j} = p(\mathbf{x}, \mathbf{z}'\mid\theta), $$
#
#    renaming $j = \tau(k)$ in the product and using $z_k = z'_{\tau(k)} = z'_j$.
#    The map $\mathbf{z} \mapsto \mathbf{z}'$ sends the K one-hot vectors to the K one-hot vectors, each exactly once (its inverse uses $\tau^{-1}$).
#    So summing over $\mathbf{z}$, as in equation (sum-rule), is summing over $\mathbf{z}'$:
#    $p(\mathbf{x}\mid\theta_\tau) = \sum_{\mathbf{z}} p(\mathbf{x}, \mathbf{z}'\mid\theta) = \sum_{\mathbf{z}'} p(\mathbf{x}, \mathbf{z}'\mid\theta) = p(\mathbf{x}\mid\theta)$.
#    Every term of equation (loglik) is unchanged, so $\ell(\theta_\tau) = \ell(\theta)$.
#    In words: relabelling the components is only renaming the values of a variable we never observe, and the likelihood is computed from what we observe.
# 2. The posterior is the joint divided by the marginal, chapter 02, equation (joint-share).
#    The joint with $z_k = 1$ under $\theta_\tau$ is the joint with $z_{\tau(k)} = 1$ under $\theta$, and the marginals are equal, so
#    $p(z_k = 1\mid\mathbf{x}, \theta_\tau) = p(z_{\tau(k)} = 1\mid\mathbf{x}, \theta)$: column $k$ of the new responsibility matrix is column $\tau(k)$ of the old one.
#    The columns are permuted in the same way as the components, and nothing else changes.
# 3. If the posterior columns are permuted like the components, and each component's update uses its own column only, then one EM step from $\theta_\tau$ gives exactly the relabelling of the step from $\theta$; and so does every later step.
#    EM therefore carries the labels of its start through to the end: a relabelled start ends at the relabelled fit, with the same $\ell$.
#    The likelihood has no preferred order; the order of a fit is inherited from its start, which is why the chapter's three seeds gave the same fit in three orders.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical demonstration** on Old Faithful with K = 3, from a start with unequal weights, means at three data points and the data's covariance, and from its relabelling by $\tau = (3, 1, 2)$, that is `tau = [2, 0, 1]` in code.
# All $3! = 6$ relabellings of the start have the same $\ell$ (part 1); the responsibilities of the relabelled start are the original ones with their columns permuted by our function (part 2); and EM from the relabelled start ends at the relabelled fit (part 3).

# %% tags=["solution-only"]
X_faithful = gb.datasets.old_faithful()


def relabel(gmm, tau):
    """θ_τ: component k of the result is component tau[k] of gmm."""
    return gb.GMM(gmm.weights[tau], gmm.means[tau], gmm.covariances[tau])


start = gb.GMM(np.array([0.2, 0.3, 0.5]), X_faithful[[0, 5, 10]], np.stack([np.cov(X_faithful.T)] * 3))
loglik_start = gb.log_likelihood(X_faithful, start)
loglik_relabelled = [gb.log_likelihood(X_faithful, relabel(start, list(t))) for t in itertools.permutations(range(3))]

tau = [2, 0, 1]
resp, resp_tau = gb.responsibilities(X_faithful, start), gb.responsibilities(X_faithful, relabel(start, tau))
fit, fit_tau = gb.em(X_faithful, start), gb.em(X_faithful, relabel(start, tau))
print(f"l at the start: {loglik_start:.4f}, for all 6 relabellings")
print("fit from the start:            means", np.round(fit.gmm.means, 2).tolist())
print("fit from the relabelled start: means", np.round(fit_tau.gmm.means, 2).tolist())
print(f"both fits: l = {fit.log_likelihood:.4f} and {fit_tau.log_likelihood:.4f}")

# %% [markdown] tags=["solution-only"]
# **CHECK (perm), through the latent variable.**

# %% tags=["solution-only"]
assert np.max(np.abs(np.array(loglik_relabelled) - loglik_start)) < 1e-12 * abs(loglik_start)
assert np.max(np.abs(resp_tau - relabelled_responsibilities(resp, tau))) < 1e-12
for name in ("weights", "means", "covariances"):
    assert np.allclose(getattr(fit_tau.gmm, name), getattr(fit.gmm, name)[tau], rtol=1e-9, atol=1e-9), name
assert abs(fit_tau.log_likelihood - fit.log_likelihood) < 1e-9 * abs(fit.log_likelihood)
print("check (perm): the 6 relabellings have equal l (rel. error < 1e-12); relabelling permutes the columns of the"
      " responsibilities (within 1e-12); EM from the relabelled start ends at the relabelled fit (within 1e-9)")

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
    # BEGIN SOLUTION
    return math.factorial(K)
    # END SOLUTION


# %%
check("equal_maxima", equal_maxima)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. By equation (perm) every relabelling $\theta_s$ has the same $\ell$, so each one is a maximum too.
#    There are $K!$ permutations, and when the components are all different, two different permutations put a different component in some position, so the $K!$ parameter vectors are all different.
#    That gives at least $K!$ equal maxima (at least, because the likelihood can have other maxima of equal height that are not relabellings): 2, 6, 120 and 3 628 800 for K = 2, 3, 5, 10.
# 2. Swapping the two identical components gives back the same vector, so the permutations come in pairs that give the same result: $K!/2$ different vectors.
#    (In general, if the components fall into groups of identical ones of sizes $m_1, m_2, \dots$, there are $K!/(m_1!\,m_2!\cdots)$.)
#    Such a $\hat\theta$ is never an isolated maximum: as the chapter notes, two identical components can split their total weight in any proportion without changing $p(\mathbf{x})$, so $\hat\theta$ lies on a whole line of parameter vectors with the same $\ell$.
#    In practice a fit with two (nearly) identical components is a sign that K is too large.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical check**: we count the different parameter vectors among all $K!$ relabellings of a K = 4 mixture whose components are all different, and of one whose components 1 and 2 are identical, and we move weight between the identical components.

# %% tags=["solution-only"]
def distinct_relabellings(gmm):
    """The number of different parameter vectors (π, μ, Σ) among the K! relabellings of gmm."""
    vectors = {tuple(np.concatenate([gmm.weights[list(s)], gmm.means[list(s)].ravel(), gmm.covariances[list(s)].ravel()]))
               for s in itertools.permutations(range(gmm.K))}
    return len(vectors)


X1, _ = gb.sample(gb.datasets.three_component_1d(), 200, np.random.default_rng(3))     # the chapter's 200 points
weights4 = np.array([0.2, 0.2, 0.3, 0.3])
means4 = np.array([[-2.0], [-1.0], [1.0], [4.0]])
variances4 = np.array([0.5, 0.5, 1.0, 0.3]).reshape(-1, 1, 1)
all_different = gb.GMM(weights4, means4, variances4)
two_identical = gb.GMM(weights4, means4[[0, 0, 2, 3]], variances4)                     # components 1 and 2 equal
moved_weight = gb.GMM(np.array([0.05, 0.35, 0.3, 0.3]), means4[[0, 0, 2, 3]], variances4)
print("distinct relabellings, all components different:", distinct_relabellings(all_different))
print("distinct relabellings, components 1 and 2 equal:", distinct_relabellings(two_identical))
assert distinct_relabellings(all_different) == 24 and distinct_relabellings(two_identical) == 12
loglik_identical, loglik_moved = gb.log_likelihood(X1, two_identical), gb.log_likelihood(X1, moved_weight)
assert abs(loglik_moved - loglik_identical) < 1e-12 * abs(loglik_identical)
print("check: 4! = 24 distinct relabellings, and 4!/2 = 12 with two identical components, whose weights"
      " can be split as (0.2, 0.2) or (0.05, 0.35) with the same l (rel. error < 1e-12)")

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
# <!-- BEGIN SOLUTION -->
# **Model answer.**
#
# 1. The term of the point $\mathbf{x}_0$ under the collapsing component contains $\pi_1\mathcal{N}(\mathbf{x}_0\mid\mathbf{x}_0, \sigma_1^2\mathbf{I}) = \pi_1(2\pi\sigma_1^2)^{-D/2}$: a Gaussian at its own mean is its peak height, which grows without limit as the Gaussian gets narrower, so $\ln p(\mathbf{x}_0) \to +\infty$.
#    The other points are far from $\mathbf{x}_0$ on the scale of $\sigma_1$, so the narrow component gives them almost nothing, but the *other* components still do: inside each logarithm the mixture is a sum, and a sum of positive terms is at least its other terms, equation (collapse-others).
#    So every other term stays above a fixed bound while one term climbs to $+\infty$.
#    The sum inside the logarithm, the very thing that makes mixtures hard to fit, is what lets one component specialise on one point at no cost to the others.
# 2. With K = 1 there is no other component: a Gaussian narrow enough to make $\ln\mathcal{N}(\mathbf{x}_0\mid\mathbf{x}_0, \sigma^2\mathbf{I})$ large also gives every other point $\ln\mathcal{N}(\mathbf{x}_n) \approx -\lVert\mathbf{x}_n - \mathbf{x}_0\rVert^2/(2\sigma^2) \to -\infty$, much faster than $-D\ln\sigma$ grows.
#    Only if all points equal $\mathbf{x}_0$ does this penalty vanish (more generally, when the points lie on a lower-dimensional plane and the Gaussian flattens onto it).
# 3. $\ln\mathcal{N}(\mathbf{x}_0\mid\mathbf{x}_0, \sigma_1^2\mathbf{I}) = -\tfrac D2\ln(2\pi) - D\ln\sigma_1$, so once $\sigma_1$ is well below the distance to the nearest other point, $\ell$ grows like $-D\ln\sigma_1$: by $D\ln 10$ for every factor of 10, twice the chapter's $\ln 10$ in two dimensions.
#    The singularity gets stronger with the dimension.
# 4. `reg_covar` $= \epsilon$ adds $\epsilon\mathbf{I}$ to every covariance after every M-step, so every eigenvalue is at least $\epsilon$, every Gaussian density is at most $(2\pi \epsilon)^{-D/2}$, and $\ell \le -\tfrac{ND}{2}\ln(2\pi \epsilon)$, equation (floor-bound): the supremum becomes finite and a maximum exists.
#    What it does not do: it does not stop a component from sitting on a single point; with a tiny $\epsilon$, EM can still converge to that spike, with its variance at the floor (chapter 06, section 5, and exercise 7).
#    Only a floor of the size of the data's resolution makes the spike unattractive, and then it also biases genuinely small variances upwards.
#    Added after the M-step, it is not an EM step either: $\ell$ can fall along the run (section 3.4; chapter 06 shows it).
#    It is also not the maximum-likelihood estimate any more, but a fix to the model; a prior on the covariances (MAP) is the principled version, and restarting collapsed runs is the practical one.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical demonstration of parts 2 and 3.**
# 200 points from `three_component_2d` (seed 0).
# For K = 3 we put component 1 on the first point with covariance $\sigma_1^2\mathbf{I}$ and keep the other two components at the truth; for K = 1 we use one Gaussian $\mathcal{N}(\mathbf{x}_0, \sigma^2\mathbf{I})$.

# %% tags=["solution-only"]
gmm2 = gb.datasets.three_component_2d()
X2, _ = gb.sample(gmm2, 200, np.random.default_rng(0))
x0 = X2[0]
sigmas = 10.0 ** -np.arange(0, 9)


def collapsing(sigma1):
    """three_component_2d with component 1 moved onto x_0 and shrunk to sigma1² I."""
    return gb.GMM(gmm2.weights, np.vstack([x0, gmm2.means[1:]]), np.concatenate([[sigma1**2 * np.eye(2)], gmm2.covariances[1:]]))


loglik_k3 = np.array([gb.log_likelihood(X2, collapsing(s1)) for s1 in sigmas])
loglik_k1 = np.array([gb.log_likelihood(X2, gb.GMM(np.array([1.0]), x0[None, :], (s1**2 * np.eye(2))[None])) for s1 in sigmas])
print(f"{'sigma':>7} {'l, K = 3':>10} {'rise':>8} {'l, K = 1':>12}")
for i, s1 in enumerate(sigmas):
    rise = f"{loglik_k3[i] - loglik_k3[i - 1]:8.4f}" if i else " " * 8
    print(f"{s1:7.0e} {loglik_k3[i]:10.2f} {rise} {loglik_k1[i]:12.4g}")
print(f"D ln 10 = {2 * np.log(10):.4f}")

# %% [markdown] tags=["solution-only"]
# **CHECK (collapse-asym), in D = 2.** For $\sigma_1 \le 10^{-2}$ each decade adds $2\ln 10$ to $\ell$ within $10^{-3}$; the single Gaussian's $\ell$ falls at every step, below $-10^{10}$ at $\sigma = 10^{-4}$.

# %% tags=["solution-only"]
rises = np.diff(loglik_k3)[2:]                                     # the decades from sigma = 1e-2 on
assert np.all(np.abs(rises - 2 * np.log(10)) < 1e-3)
assert np.all(np.diff(loglik_k1) < 0) and loglik_k1[4] < -1e10
print("check (collapse-asym), in D = 2: the mixture gains D ln 10 = 2 ln 10 per decade of sigma_1 (within 1e-3);"
      " the single Gaussian loses without bound")

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
    # BEGIN SOLUTION
    return float(np.prod(1.0 + np.asarray(weights) * np.asarray(dens)))
    # END SOLUTION


# %%
check("binary_sum", binary_sum)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Both products have one factor per component, so each term of $S$ is one product: $\prod_k (\pi_k \mathcal{N}_k)^{z_k}$.
#    The sum over $\{0, 1\}^K$ is $K$ nested sums, one per $z_k$, and the $k$-th factor depends on $z_k$ only, so the sum of products is the product of the sums (the same step as in equation (likelihood)):
#
#    $$ S(\mathbf{x}) = \sum_{z_1 \in \{0,1\}} \cdots \sum_{z_K \in \{0,1\}} \prod_{k=1}^K (\pi_k \mathcal{N}_k)^{z_k} = \prod_{k=1}^K \sum_{z_k \in \{0, 1\}} (\pi_k \mathcal{N}_k)^{z_k} = \prod_{k=1}^K \big(1 + \pi_k \mathcal{N}_k(\mathbf{x})\big) . $$
#
#    Expanded, it is $1 + \sum_k \pi_k \mathcal{N}_k + \sum_{j < k} \pi_j \pi_k \mathcal{N}_j \mathcal{N}_k + \dots$: the zero vector gives the 1, the one-hot vectors give $p(\mathbf{x})$, and the vectors with several ones give the rest.
# 2. No. The term of $\mathbf{z} = \mathbf{0}$ is the constant 1, whose integral over $\mathbf{x}$ is infinite.
#    The term of a $\mathbf{z}$ with ones at $j$ and $k$ contains $\mathcal{N}_j(\mathbf{x}) \mathcal{N}_k(\mathbf{x})$, a product of two densities, whose integral is $\mathcal{N}(\boldsymbol\mu_j \mid \boldsymbol\mu_k, \boldsymbol\Sigma_j + \boldsymbol\Sigma_k)$, not 1.
#    And the "prior" is no distribution: $\sum_{\mathbf{z} \in \{0,1\}^K} \prod_k \pi_k^{z_k} = \prod_k (1 + \pi_k) > 1$ (by the same factorisation).
#    The product formulas of chapter 02 are a notation that works *because* $\mathbf{z}$ is one-hot: the exponents pick one factor.
#    The one-hot constraint is part of the model: it says that each point comes from exactly one component.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical check** of both parts for $K = 4$ at one point of `three_component_1d` (plus a fourth component): enumerating the 16 binary vectors gives the closed form, the one-hot vectors alone give `gb.log_marginal`, and the "prior" sums to $\prod_k (1 + \pi_k)$.

# %% tags=["solution-only"]
weights_b = np.array([0.3, 0.4, 0.2, 0.1])
means_b, sds_b = np.array([-2.0, 1.0, 4.0, 0.0]), np.sqrt([0.5, 1.0, 0.3, 2.0])
dens_b = stats.norm.pdf(0.7, means_b, sds_b)                       # N_k(x) at x = 0.7
binary = np.array(list(itertools.product([0, 1], repeat=4)))       # all 16 binary vectors, (16, 4)
terms_b = np.prod(weights_b ** binary, axis=1) * np.prod(dens_b ** binary, axis=1)   # p(z) p(x | z) for each
one_hot = binary.sum(axis=1) == 1
gmm_b = gb.GMM(weights_b, means_b[:, None], (sds_b ** 2)[:, None, None])
print(f"sum over all 16 binary z: {terms_b.sum():.6f}; closed form: {binary_sum(weights_b, dens_b):.6f}")
print(f"sum over the 4 one-hot z: {terms_b[one_hot].sum():.6f}; p(x) from gb.log_marginal: "
      f"{np.exp(gb.log_marginal([[0.7]], gmm_b))[0]:.6f}")
print(f"sum of the 'prior' over all binary z: {np.prod(weights_b ** binary, axis=1).sum():.4f} = prod(1 + pi_k)")
assert abs(terms_b.sum() - binary_sum(weights_b, dens_b)) < 1e-12
assert abs(terms_b[one_hot].sum() - np.exp(gb.log_marginal([[0.7]], gmm_b))[0]) < 1e-12
assert abs(np.prod(weights_b ** binary, axis=1).sum() - np.prod(1 + weights_b)) < 1e-12
print("check: enumeration equals the closed form; the one-hot terms alone are p(x); the binary 'prior' sums to"
      " prod(1 + pi_k) > 1")

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
    # BEGIN SOLUTION
    K = len(weights)
    z = rng.integers(K, size=R)                                    # z^(i) uniform, q = 1/K
    terms = weights[z] / (1 / K) * stats.norm.pdf(x, means[z], np.sqrt(variances[z]))   # p(z) p(x | z) / q(z)
    return float(terms.mean())
    # END SOLUTION


# %%
check("uniform_mc", uniform_mc)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. With $q = 1/K$ the weight is $p(\mathbf{z})/q(\mathbf{z}) = K \pi_{z}$, so each draw contributes $w_k = K \pi_k \mathcal{N}(x \mid \mu_k, \sigma_k^2)$ when it picks component $k$; its mean under $q$ is $\sum_k \frac1K K \pi_k \mathcal{N}_k(x) = p(x)$, equation (marginal).
# 2. For one draw, the prior gives terms $\mathcal{N}_k(x)$ with probabilities $\pi_k$, the uniform $q$ gives $K\pi_k\mathcal{N}_k(x)$ with probabilities $1/K$.
#    The difference of the variances is
#
#    $$ \mathrm{Var}_{\text{uniform}} - \mathrm{Var}_{\text{prior}} = \sum_k K \pi_k^2 \mathcal{N}_k^2 - \sum_k \pi_k \mathcal{N}_k^2 = \sum_k \pi_k \mathcal{N}_k(x)^2 \,(K \pi_k - 1) , $$
#
#    so the uniform $q$ wins where the components that explain $x$ have small weights, $\pi_k < 1/K$: near $-2$ and $4$ in `three_component_1d` ($\pi = 0.3$ and $0.2$), and loses where the heavy component 2 ($\pi_2 = 0.5$) dominates, near $1$, at $2.5$ and far out at $8$ (the table below).
#    The best $q$ gives every draw the same term: $p(\mathbf{z}) p(x \mid \mathbf{z}) / q(\mathbf{z}) = p(x)$ for every $\mathbf{z}$ means $q(z_k = 1) = \pi_k \mathcal{N}_k(x) / p(x)$, the posterior of chapter 04, equation (resp).
#    With the responsibilities as $q$ one draw gives $p(x)$ exactly, but computing them needs $p(x)$ already.
#    That is the general lesson of importance sampling: the closer $q$ is to the posterior, the smaller the variance.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **The table of part 2**: the standard deviation of one draw, relative to $p(x)$, for the two choices of $q$; and, as a check of the formula, the spread of 2000 uniform estimates with $R = 100$.

# %% tags=["solution-only"]
gmm1 = gb.datasets.three_component_1d()
w1, mu1, var1 = gmm1.weights, gmm1.means[:, 0], gmm1.covariances[:, 0, 0]
print(f"{'x':>5} {'p(x)':>10} {'sd/p, z ~ pi':>13} {'sd/p, uniform':>14} {'simulated':>10}")
for x in (-2.0, -1.0, 1.0, 2.5, 4.0, 8.0):
    dens = stats.norm.pdf(x, mu1, np.sqrt(var1))
    p = w1 @ dens
    sd_prior, sd_uniform = np.sqrt(w1 @ dens**2 - p**2) / p, np.sqrt(3 * (w1**2) @ dens**2 - p**2) / p
    rng_u = np.random.default_rng(int(10 * x) + 100)
    estimates = np.array([uniform_mc(x, w1, mu1, var1, 100, rng_u) for _ in range(2000)])
    simulated = estimates.std(ddof=1) * np.sqrt(100) / p                # back to one draw
    print(f"{x:5.1f} {p:10.3e} {sd_prior:13.3f} {sd_uniform:14.3f} {simulated:10.3f}")
    assert abs(simulated / sd_uniform - 1) < 0.1                        # fails if the variance formula were wrong
print("check: the simulated spread of the uniform estimator matches the formula within 10 % at all six points")

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
# BEGIN SOLUTION: spike_loglik = None
spike_term = sp.log(1 / N) - sp.log(2 * sp.pi * eps) / 2                    # ln[pi_1 N(x_1 | x_1, eps)]
other_terms = (N - 1) * sp.log((N - 1) / N) - (N - 1) / 2 * (sp.log(2 * sp.pi * var2) + 1)   # ln pi_2 + (loglik-one)
spike_loglik = spike_term + other_terms
# END SOLUTION
check("spike_loglik", spike_loglik)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Split $\ell$ into the term of $x_1$ and the terms of the other points, and in each keep the component that survives as $\epsilon \to 0$.
#    For $x_1$ the spike's term is $\frac1N \mathcal{N}(x_1 \mid x_1, \epsilon) = \frac1N (2\pi\epsilon)^{-1/2}$, which grows without bound, while component 2's term stays fixed; their ratio vanishes like $\sqrt\epsilon$, so $\ln p(x_1) = -\ln N - \frac12 \ln(2\pi\epsilon) + O(\sqrt\epsilon)$.
#    For every other point the spike's term is $\frac1N (2\pi\epsilon)^{-1/2} e^{-(x_n - x_1)^2 / 2\epsilon}$, which vanishes faster than any power of $\epsilon$, so $\ln p(x_n) \to \ln\frac{N-1}{N} + \ln\mathcal{N}(x_n \mid \mu_2, \hat\sigma_2^2)$.
#    Summed over the $N - 1$ points, the Gaussian terms are the maximum of a Gaussian likelihood, equation (loglik-one) with $D = 1$ and $N - 1$ points: $-\frac{N-1}{2}\big(\ln 2\pi \hat\sigma_2^2 + 1\big)$.
#    Altogether,
#
#    $$ \ell(\theta_{\text{spike}}) = -\ln N - \tfrac12 \ln(2\pi\epsilon) + (N - 1)\ln\frac{N - 1}{N} - \frac{N - 1}{2}\big(\ln(2\pi \hat\sigma_2^2) + 1\big) + o(1) . $$
#
# 2. For $\epsilon = 10^{-6}$ the formula is about 0.08 below $\ell(\theta_{\text{spike}})$: the neglected share of component 2 at $x_1$, $\ln(1 + O(\sqrt\epsilon))$, is not yet negligible at $\sqrt\epsilon = 10^{-3}$ times a peak of height 400.
#    EM started on the spike with `reg_covar=1e-6` stays there: it moves $\pi_1$ a little below $1/N$ (component 2 keeps part of $x_1$) and ends within 0.01 of $\ell(\theta_{\text{spike}})$, some 34 below the sensible fit.
#    The formula grows only like $-\frac12 \ln\epsilon$: to gain those 34 the floor would have to shrink by a factor $e^{68} \approx 10^{29}$, to about $10^{-36}$.
#    So on these data a floor of $10^{-6}$ makes the spike a harmless local maximum: EM can still end there from a bad start (the floor does not remove it), but restarts find the better fit.
#    On data with tied values (chapter 06's Old Faithful rows) a spike holds several points, gains $-\frac{m}{2}\ln\epsilon$ for $m$ points, and can beat every honest fit.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **The numbers of part 2.**

# %% tags=["solution-only"]
X_c, _ = gb.sample(gb.datasets.two_component_1d(), 200, np.random.default_rng(4))
x_1, rest = X_c[0, 0], X_c[1:, 0]
N_c, eps_c, var2_c = len(X_c), 1e-6, rest.var()                 # var(ddof=0) of the other N - 1 points
spike = gb.GMM(np.array([1 / N_c, 1 - 1 / N_c]), np.array([[x_1], [rest.mean()]]), np.array([[[eps_c]], [[var2_c]]]))
predicted = float(spike_loglik.subs({N: N_c, eps: eps_c, var2: var2_c}))
loglik_spike = gb.log_likelihood(X_c, spike)
fit_spike = gb.em(X_c, spike, reg_covar=eps_c)
fit_sensible = gb.em(X_c, gb.datasets.two_component_1d())
eps_even = eps_c * np.exp(-2 * (fit_sensible.log_likelihood - predicted))   # where the formula reaches the sensible l
print(f"formula {predicted:.4f}; l(theta_spike) {loglik_spike:.4f}; gb.em from the spike {fit_spike.log_likelihood:.4f}"
      f" (pi_1 = {fit_spike.gmm.weights[0]:.5f}, sigma_1^2 = {fit_spike.gmm.covariances[0, 0, 0]:.2e})")
print(f"the sensible fit: l = {fit_sensible.log_likelihood:.4f}; the spike would need eps below {eps_even:.1e}")

# %% [markdown] tags=["solution-only"]
# **CHECK (collapse-asym), with a floor.** The formula leaves out component 2's share of the term of $x_1$, $\ln\big(1 + \pi_2 \mathcal{N}(x_1 \mid \mu_2, \hat\sigma_2^2) / \pi_1 \mathcal{N}(x_1 \mid x_1, \epsilon)\big)$, which is of order $\sqrt\epsilon$: $\ell(\theta_{\text{spike}})$ must exceed the formula by less than 0.1 at $\epsilon = 10^{-6}$, and by 100 times less (within 10 %) at $\epsilon = 10^{-10}$.
# EM from the spike must stay near it (within 0.01) with $\sigma_1^2$ at the floor.

# %% tags=["solution-only"]
def formula_gap(eps_value):
    """l(theta_spike) - formula at floor eps_value."""
    g = gb.GMM(spike.weights, spike.means, np.array([[[eps_value]], [[var2_c]]]))
    return gb.log_likelihood(X_c, g) - float(spike_loglik.subs({N: N_c, eps: eps_value, var2: var2_c}))


gap_6, gap_10 = formula_gap(1e-6), formula_gap(1e-10)
print(f"l - formula: {gap_6:.2e} at eps = 1e-6, {gap_10:.2e} at eps = 1e-10")
assert 0 < gap_6 < 0.1 and abs(gap_6 / gap_10 / 100 - 1) < 0.1     # fails if a term of order 1 were missing
assert abs(fit_spike.log_likelihood - loglik_spike) < 0.01 and fit_spike.gmm.covariances[0, 0, 0] < 1.01 * eps_c
assert fit_sensible.log_likelihood > fit_spike.log_likelihood + 30
print("check: the formula misses l(theta_spike) by a gap that shrinks like sqrt(eps); EM stays on the spike, with"
      " sigma_1^2 at the floor, 30 or more below the sensible fit")

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("03_marginal_likelihood")

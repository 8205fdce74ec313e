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
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. By equation (joint) of chapter 02 and the definition of $\theta_s$,
#
#    $$ p(\mathbf{x}, \mathbf{z}\mid\theta_s) = \prod_{k=1}^K \big[\pi_{s(k)}\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_{s(k)},\boldsymbol\Sigma_{s(k)})\big]^{z_k} = \prod_{j=1}^K \big[\pi_j\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_j,\boldsymbol\Sigma_j)\big]^{z'_j} = p(\mathbf{x}, \mathbf{z}'\mid\theta), $$
#
#    renaming $j = s(k)$ in the product and using $z_k = z'_{s(k)} = z'_j$.
#    The map $\mathbf{z} \mapsto \mathbf{z}'$ sends the K one-hot vectors to the K one-hot vectors, each exactly once (its inverse uses $s^{-1}$).
#    So summing over $\mathbf{z}$, as in equation (sum-rule), is summing over $\mathbf{z}'$:
#    $p(\mathbf{x}\mid\theta_s) = \sum_{\mathbf{z}} p(\mathbf{x}, \mathbf{z}'\mid\theta) = \sum_{\mathbf{z}'} p(\mathbf{x}, \mathbf{z}'\mid\theta) = p(\mathbf{x}\mid\theta)$.
#    Every term of equation (loglik) is unchanged, so $\ell(\theta_s) = \ell(\theta)$.
#    In words: relabelling the components is only renaming the values of a variable we never observe, and the likelihood is computed from what we observe.
# 2. The posterior is the joint divided by the marginal, chapter 02, equation (joint-share).
#    The joint with $z_k = 1$ under $\theta_s$ is the joint with $z_{s(k)} = 1$ under $\theta$, and the marginals are equal, so
#    $p(z_k = 1\mid\mathbf{x}, \theta_s) = p(z_{s(k)} = 1\mid\mathbf{x}, \theta)$: the columns of the responsibility matrix are permuted in the same way as the components, and nothing else changes.
# 3. If the posterior columns are permuted like the components, and each component's update uses its own column only, then one EM step from $\theta_s$ gives exactly the relabelling of the step from $\theta$; and so does every later step.
#    EM therefore carries the labels of its start through to the end: a relabelled start ends at the relabelled fit, with the same $\ell$.
#    The likelihood has no preferred order; the order of a fit is inherited from its start, which is why the chapter's three seeds gave the same fit in three orders.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical demonstration** on Old Faithful with K = 3, from a start with unequal weights, means at three data points and the data's covariance, and from its relabelling by $s = (3, 1, 2)$, that is `s = [2, 0, 1]` in code.
# All $3! = 6$ relabellings of the start have the same $\ell$ (part 1); the responsibilities of the relabelled start are the original ones with their columns permuted (part 2); and EM from the relabelled start ends at the relabelled fit (part 3).

# %% tags=["solution-only"]
X_faithful = gb.datasets.old_faithful()


def relabel(gmm, s):
    """θ_s: component k of the result is component s[k] of gmm."""
    return gb.GMM(gmm.weights[s], gmm.means[s], gmm.covariances[s])


start = gb.GMM(np.array([0.2, 0.3, 0.5]), X_faithful[[0, 5, 10]], np.stack([np.cov(X_faithful.T)] * 3))
loglik_start = gb.log_likelihood(X_faithful, start)
loglik_relabelled = [gb.log_likelihood(X_faithful, relabel(start, list(s))) for s in itertools.permutations(range(3))]

s = [2, 0, 1]
resp, resp_s = gb.responsibilities(X_faithful, start), gb.responsibilities(X_faithful, relabel(start, s))
fit, fit_s = gb.em(X_faithful, start), gb.em(X_faithful, relabel(start, s))
print(f"l at the start: {loglik_start:.4f}, for all 6 relabellings")
print("fit from the start:            means", np.round(fit.gmm.means, 2).tolist())
print("fit from the relabelled start: means", np.round(fit_s.gmm.means, 2).tolist())
print(f"both fits: l = {fit.log_likelihood:.4f} and {fit_s.log_likelihood:.4f}")

# %% [markdown] tags=["solution-only"]
# **CHECK (perm), through the latent variable.**

# %% tags=["solution-only"]
assert np.max(np.abs(np.array(loglik_relabelled) - loglik_start)) < 1e-12 * abs(loglik_start)
assert np.max(np.abs(resp_s - resp[:, s])) < 1e-12
for name in ("weights", "means", "covariances"):
    assert np.allclose(getattr(fit_s.gmm, name), getattr(fit.gmm, name)[s], rtol=1e-9, atol=1e-9), name
assert abs(fit_s.log_likelihood - fit.log_likelihood) < 1e-9 * abs(fit.log_likelihood)
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
# Section 3.3 of the chapter showed that $\ell$ has no upper bound: a component centred on a data point with $\sigma_1 \to 0$ sends $\ell$ to $+\infty$, and section 3.4 stopped this with `reg_covar`.
# Explain, in your own words:
#
# 1. Why the likelihood is unbounded: which single term of $\ell$ goes to $+\infty$, and why do the other terms not go to $-\infty$ with it?
# 2. Why the same trick fails for a single Gaussian (K = 1), unless all the points are equal.
# 3. How fast $\ell$ grows in D dimensions if the collapsing component has covariance $\sigma_1^2\mathbf{I}$: how much does it gain when $\sigma_1$ shrinks by a factor of 10?
# 4. What `reg_covar` does, why it makes $\ell$ bounded, and what it does *not* do.

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
# 4. `reg_covar` $= c$ adds $c\,\mathbf{I}$ to every covariance after every M-step, so every eigenvalue is at least $c$, every Gaussian density is at most $(2\pi c)^{-D/2}$, and $\ell \le -\tfrac{ND}{2}\ln(2\pi c)$, equation (floor-bound): the supremum becomes finite and a maximum exists.
#    What it does not do: it does not stop a component from sitting on a single point; with a tiny $c$, EM still converges to that spike, with its variance at the floor (the chapter's run with $c = 10^{-6}$).
#    Only a floor of the size of the data's resolution makes the spike unattractive, and then it also biases genuinely small variances upwards.
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
# **CHECK (collapse, D = 2).** For $\sigma_1 \le 10^{-2}$ each decade adds $2\ln 10$ to $\ell$ within $10^{-3}$; the single Gaussian's $\ell$ falls at every step, below $-10^{10}$ at $\sigma = 10^{-4}$.

# %% tags=["solution-only"]
rises = np.diff(loglik_k3)[2:]                                     # the decades from sigma = 1e-2 on
assert np.all(np.abs(rises - 2 * np.log(10)) < 1e-3)
assert np.all(np.diff(loglik_k1) < 0) and loglik_k1[4] < -1e10
print("check (collapse, D = 2): the mixture gains D ln 10 = 2 ln 10 per decade of sigma_1 (within 1e-3);"
      " the single Gaussian loses without bound")

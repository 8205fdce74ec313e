# %% [markdown]
# # Exercises for chapter 02: The latent-variable view
#
# These exercises go with [chapter 02, The latent-variable view](../../chapters/02_latent_variables.ipynb).
# They use its notation and refer to its equations by their labels, such as equation (ancestral) and equation (log-joint-data).
#
# ## How to work the exercises
#
# - Each exercise is labelled (implement), (derive) or (explain).
# - In a code cell that says `# YOUR CODE HERE`, replace that line and the `raise NotImplementedError` below it with your code, keeping the `def` line and the docstring.
#   Run the cell, then run the check cell after it: `check(...)` tests your answer on cases chosen to expose the usual mistakes, and says either that it is right or which mistake it sees.
#   Until you have written something, the check says "not attempted yet".
# - In a Markdown cell that says *Write your answer here.*, write your reasoning or your explanation in words and formulas.
#   Questions without a check cell are answered by the model answers in the worked solutions, `exercises/solutions/02_latent_variables.ipynb`.
# - Only the check cells call your functions, so the notebook runs from top to bottom even before you have answered anything.

# %%
import itertools

import numpy as np
from scipy import stats

import gmmbook as gb
from gmmbook.exercises import check

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): ancestral sampling
#
# Write `sample(weights, means, covariances, n, rng)`, which draws `n` points from the mixture by the two steps of equation (ancestral), and returns them together with their labels:
# `X` of shape (n, D), and `labels`, an integer array of shape (n,) with values `0, ..., K-1`, the component that drew each row.
# All randomness must come from the generator `rng`.
#
# *Hint:* first draw every label from $\mathrm{Cat}(\boldsymbol\pi)$ with `rng.choice`; then draw the points of each component with a square root of its covariance, equation (affine).
# The check tests the label frequencies with the chi-square test of the chapter, the mean and covariance of each component's points, and that the rows come in random order (each $\mathbf{z}_n$ drawn independently, not sorted by component).

# %% [markdown] tags=["solution-only"]
# **Solution.**
# The chapter's `sample_inline` gathered one Cholesky factor per *point*, an (n, D, D) array.
# Here we loop over the K components instead, as `gb.sample` does: factor each $\boldsymbol\Sigma_k$ once and transform all the standard normal draws of that component with one matrix product.
# The labels are drawn first, all at once, so the rows keep the random order of the labels.
# Multiplying $\boldsymbol\varepsilon$ by $\mathbf{L}_k$ and not by $\boldsymbol\Sigma_k$ gives covariance $\mathbf{L}_k\mathbf{L}_k^\top = \boldsymbol\Sigma_k$, equation (affine); with row vectors, $\mathbf{L}_k\boldsymbol\varepsilon$ is `eps @ L.T`.

# %%
def sample(weights, means, covariances, n, rng):
    """Draw n points from a Gaussian mixture by ancestral sampling (chapter 02, eqs. ancestral and affine).

    Parameters
    ----------
    weights : ndarray, shape (K,)
        Mixing weights π_k.
    means : ndarray, shape (K, D)
        Component means μ_k.
    covariances : ndarray, shape (K, D, D)
        Component covariances Σ_k.
    n : int
        Number of points.
    rng : numpy.random.Generator
        The source of all randomness.

    Returns
    -------
    X : ndarray, shape (n, D)
        The points x_n.
    labels : ndarray of int, shape (n,)
        The component z_n (0, ..., K-1) that drew each point.
    """
    # BEGIN SOLUTION
    K, D = means.shape
    labels = rng.choice(K, size=n, p=weights)                      # z_n ~ Cat(π), all n at once
    X = np.empty((n, D))
    for k in range(K):
        rows = labels == k
        L = np.linalg.cholesky(covariances[k])                     # Σ_k = L Lᵀ
        eps = rng.standard_normal((rows.sum(), D))                 # ε ~ N(0, I)
        X[rows] = means[k] + eps @ L.T                             # x = μ_k + L ε, equation (affine)
    return X, labels
    # END SOLUTION


# %%
check("sample", sample)

# %% [markdown]
# ## Exercise 2 (implement): the complete-data log-likelihood
#
# Suppose we knew the label of every point.
# Write `complete_log_likelihood(X, labels, weights, means, covariances)`, which returns $\ln p(\mathbf{X}, \mathbf{Z})$ of equation (log-joint-data) as one number, with $\mathbf{Z}$ given by the integer `labels` (shape (N,), values `0, ..., K-1`) instead of one-hot rows.
#
# *Hint:* with $\mathbf{Z}$ known, each point contributes a single term, that of its own label.
# `stats.multivariate_normal(mean, cov).logpdf(...)` gives $\ln\mathcal{N}$; equation (prior-data) gives the prior part with one line.
# Stay in log space: the product $p(\mathbf{X}, \mathbf{Z})$ itself underflows (section 5 of the chapter).

# %% [markdown] tags=["solution-only"]
# **Solution.**
# By equation (log-joint-data), point $n$ contributes $\ln\pi_{z_n} + \ln\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_{z_n},\boldsymbol\Sigma_{z_n})$.
# Grouping the points by label, the prior part is $\sum_k N_k\ln\pi_k$, equation (prior-data), and the rest is, for each component, the sum of the Gaussian log-densities of its own points.
# A component with no points contributes nothing; we skip it rather than compute $0 \cdot \ln\pi_k$, which is `nan` when $\pi_k = 0$ (the warning of section 2 of the chapter).

# %%
def complete_log_likelihood(X, labels, weights, means, covariances):
    """ln p(X, Z) = Σ_n [ln π_{z_n} + ln N(x_n | μ_{z_n}, Σ_{z_n})] for known labels (chapter 02, eq. log-joint-data).

    Parameters
    ----------
    X : ndarray, shape (N, D)
        The points x_n.
    labels : ndarray of int, shape (N,)
        The component z_n (0, ..., K-1) of each point.
    weights : ndarray, shape (K,)
        Mixing weights π_k.
    means : ndarray, shape (K, D)
        Component means μ_k.
    covariances : ndarray, shape (K, D, D)
        Component covariances Σ_k.

    Returns
    -------
    float
        The complete-data log-likelihood (a total over the points, not a mean).
    """
    # BEGIN SOLUTION
    total = 0.0
    for k in range(len(weights)):
        Xk = X[labels == k]                                        # the N_k points with z_n = k
        if len(Xk) > 0:
            log_densities = stats.multivariate_normal(means[k], covariances[k]).logpdf(Xk)
            total += len(Xk) * np.log(weights[k]) + np.sum(log_densities)    # N_k ln π_k + Σ ln N(x_n | μ_k, Σ_k)
    return float(total)
    # END SOLUTION


# %%
check("complete_log_likelihood", complete_log_likelihood)

# %% [markdown] tags=["solution-only"]
# **What the number tells us.**
# On 1000 points from `three_component_2d` (seed 0, as in the chapter) we compare the true labels with two other labellings: labels shuffled at random, and the *best* labels, each point given the component with the largest $\ln p(\mathbf{x}_n, z_{nk} = 1)$.
# The best labels beat the truth: maximising over $\mathbf{Z}$ rewards confident labels whether or not they are true, which is the root of the bias of section 6 of the chapter.
# And the marginal $\ln p(\mathbf{X}) = \ln\sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$ (chapter 03) is larger than all of them, because it adds up the probabilities of every labelling instead of keeping one.

# %% tags=["solution-only"]
gmm2 = gb.datasets.three_component_2d()
X2, labels2 = gb.sample(gmm2, 1000, np.random.default_rng(0))
theta = (gmm2.weights, gmm2.means, gmm2.covariances)
labellings = {
    "true labels": labels2,
    "shuffled labels": np.random.default_rng(1).permutation(labels2),
    "best labels": np.argmax(gb.log_joint(X2, gmm2), axis=1),
}
values = {name: complete_log_likelihood(X2, z, *theta) for name, z in labellings.items()}
for name, value in values.items():
    print(f"ln p(X, Z), {name:16s} {value:10.2f}")
print(f"ln p(X), the marginal:          {gb.log_likelihood(X2, gmm2):10.2f}")
assert values["shuffled labels"] < values["true labels"] <= values["best labels"] < gb.log_likelihood(X2, gmm2)
print("check: shuffled < true <= best labels < marginal")

# %% [markdown]
# ## Exercise 3 (explain): if only one $z_k$ can be 1, where does soft assignment come from?
#
# The chapter answered this question in section 1 and checked the answer by simulation in sections 3 and 4.
# Answer it in your own words, in three or four sentences, and then apply your answer to two situations.
#
# 1. A classmate computes $p(z_1 = 1 \mid \mathbf{x}_n) = 0.7$ and concludes that "70 % of point n was generated by component 1".
#    What is wrong with that reading, and what does 0.7 mean?
# 2. Two points happen to land at exactly the same place, $\mathbf{x}_m = \mathbf{x}_n$.
#    Must they have the same label $\mathbf{z}$?
#    Do they get the same soft assignment?
# 3. Take the two round clusters of `overlapping_2d` ($\boldsymbol\mu_1 = (0, 0)$, $\boldsymbol\Sigma_k = \mathbf{I}$, equal weights) and move the second mean to $(d, 0)$.
#    What happens to the soft assignment of a point one unit from the midpoint, towards $\boldsymbol\mu_1$, as $d$ grows?

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# Every draw from the model is hard: the generative story (ancestral) picks exactly one component, and $\mathbf{z}$ has exactly one 1.
# What is soft is our knowledge of $\mathbf{z}$ after we have seen $\mathbf{x}$ but not $\mathbf{z}$: several components could have produced the same $\mathbf{x}$, and equation (joint-share) says how the probability of having produced it is shared among them.
# Because $z_k$ is 0 or 1, its expected value given $\mathbf{x}$ is that probability, $\mathbb{E}[z_k \mid \mathbf{x}] = p(z_k = 1 \mid \mathbf{x})$: a soft number is the average of hard ones.
#
# 1. The point was generated entirely by one component; we do not know which.
#    0.7 is our degree of belief that it was component 1: among all the draws of the model that land at $\mathbf{x}_n$, 70 % come from component 1 and 30 % from the others, as the chapter's simulation near $x_0 = -1$ showed.
# 2. No: the two draws are independent, so one can come from component 1 and the other from component 2, and the model gives that positive probability.
#    Yes: the soft assignment depends only on $\mathbf{x}$ and $\theta$, through equation (joint-share), so both points get the same one.
#    That is the clearest sign that it describes what we know, not what happened.
# 3. For equal weights and $\boldsymbol\Sigma_k = \mathbf{I}$, the log-ratio of the two joints is $\tfrac12\lVert\mathbf{x} - \boldsymbol\mu_2\rVert^2 - \tfrac12\lVert\mathbf{x}\rVert^2 = \tfrac12 d^2 - d\,x_1$, as in chapter 01, equation (overlap-ratio).
#    One unit from the midpoint, at $x_1 = d/2 - 1$, it equals $d$, so $p(z_1 = 1 \mid \mathbf{x}) = 1/(1 + e^{-d})$: 0.88 for $d = 2$, 0.98 for $d = 4$, 0.9997 for $d = 8$.
#    The farther apart the components, the less doubt a point leaves, and the soft assignment becomes hard, although nothing about the draws has changed.
#    Soft assignment matters where components overlap.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical check of part 3**, with equation (joint-share) computed from `gb.log_joint`.

# %% tags=["solution-only"]
for d in (2.0, 4.0, 8.0):
    model = gb.GMM(np.array([0.5, 0.5]), np.array([[0.0, 0.0], [d, 0.0]]), np.array([np.eye(2), np.eye(2)]))
    joint = np.exp(gb.log_joint(np.array([[d / 2 - 1, 0.0]]), model))[0]       # p(x, z_k = 1), k = 1, 2
    share = joint[0] / joint.sum()                                             # equation (joint-share)
    assert abs(share - 1 / (1 + np.exp(-d))) < 1e-12
    print(f"d = {d:.0f}: p(z_1 = 1 | x) = {share:.4f}")
print("check: the share of component 1 one unit from the midpoint equals 1 / (1 + exp(-d)) within 1e-12")

# %% [markdown]
# ## Exercise 4 (derive): how many terms does $\sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$ have?
#
# Chapter 03 obtains the likelihood of a data set by summing the latent labels out of the joint: $p(\mathbf{X}) = \sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$, a sum over every possible labelling $\mathbf{Z}$ of the whole data set.
#
# 1. How many labellings $\mathbf{Z}$ are there for N points and K components?
#    How many for Old Faithful (N = 272) with K = 2?
# 2. Use the factorisation (joint-data) to show that the sum equals $\prod_{n=1}^N \sum_{k=1}^K \pi_k\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$, a product of N sums of K terms.
#    *Hint:* start with N = 2 and multiply out $(a_1 + a_2)(b_1 + b_2)$.

# %% [markdown]
# Write your answer to question 1 as a function of N and K, and check it.

# %%
def n_labellings(N, K):
    """The number of labellings Z of N points with K components."""
    # BEGIN SOLUTION
    return K ** N
    # END SOLUTION


# %%
check("n_labellings", n_labellings)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Each of the N points has its own label, with K possible values, chosen independently: $K^N$ labellings.
#    For Old Faithful with K = 2 that is $2^{272} \approx 7.6 \times 10^{81}$ terms, more than the number of atoms in the observable universe (about $10^{80}$).
# 2. By equation (joint-data) the joint is a product of one factor per point, $p(\mathbf{X}, \mathbf{Z}) = \prod_n p(\mathbf{x}_n, \mathbf{z}_n)$, and summing over $\mathbf{Z}$ means summing over $\mathbf{z}_1, \dots, \mathbf{z}_N$ independently.
#    The factor of point $n$ depends on $\mathbf{z}_n$ only, so each sum can be moved in front of the one factor that contains its variable (the distributive law, $\sum_i\sum_j a_i b_j = (\sum_i a_i)(\sum_j b_j)$):
#
#    $$ \sum_{\mathbf{z}_1}\cdots\sum_{\mathbf{z}_N} \prod_{n=1}^N p(\mathbf{x}_n, \mathbf{z}_n) = \prod_{n=1}^N \sum_{\mathbf{z}_n} p(\mathbf{x}_n, \mathbf{z}_n) = \prod_{n=1}^N \sum_{k=1}^K \pi_k\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k), $$
#
#    where the last step is equation (joint-k) for each of the K one-hot values of $\mathbf{z}_n$.
#    The $K^N$ terms collapse to $N K$: the independence of the labels given $\theta$ is what makes the likelihood of a mixture computable at all.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical check.**
# For N = 6 points from `three_component_1d` (K = 3) we add up all $3^6 = 729$ terms $p(\mathbf{X}, \mathbf{Z})$ literally, in log space, and compare with `gb.log_likelihood`, which computes the product of sums.

# %% tags=["solution-only"]
gmm1 = gb.datasets.three_component_1d()
X6, _ = gb.sample(gmm1, 6, np.random.default_rng(0))
log_joint6 = gb.log_joint(X6, gmm1)                                   # ln p(x_n, z_nk = 1), shape (6, 3)
rows = np.arange(len(X6))
terms = np.array([log_joint6[rows, list(Z)].sum()                     # ln p(X, Z), equation (log-joint-data)
                  for Z in itertools.product(range(gmm1.K), repeat=len(X6))])
brute_force = gb.logsumexp(terms)
print(f"{len(terms)} labellings; ln of their sum = {brute_force:.6f}; gb.log_likelihood = {gb.log_likelihood(X6, gmm1):.6f}")
assert len(terms) == gmm1.K ** len(X6)
assert abs(brute_force - gb.log_likelihood(X6, gmm1)) < 1e-12 * abs(brute_force)
print("check: the sum over all K^N labellings equals the product over points of sums over components, rel. error < 1e-12")

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
# - A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
#   Its verdict names the cases already passed and shows what your function printed.
#   Nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# - The last cell shows your progress: how many checks passed in this session.

# %%
import itertools

import numpy as np
import sympy
from scipy import integrate, special, stats

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): ancestral sampling
#
# Write `sample(weights, means, covariances, n, rng)`, which draws `n` points from the mixture by the two steps of equation (ancestral), and returns them together with their labels:
# `X` of shape (n, D), and `labels`, an integer array of shape (n,) with values `0, ..., K-1`, the component that drew each row.
# All randomness must come from the generator `rng`.
#
# *Hint:* first draw every label from $\mathrm{Cat}(\boldsymbol\pi)$ with `rng.choice`; then draw the points of each component with a square root of its covariance, equation (affine).
#
# *What the check tests.* It draws $n = 5000$ points from a 2-D mixture with $\boldsymbol\pi = (0.6, 0.3, 0.1)$, calling your function twice with `np.random.default_rng(2024)` and once with `np.random.default_rng(7)`, and applies four rules.
#
# 1. All randomness comes from `rng`: the two calls with seed 2024 return the same sample, the call with seed 7 another one, and NumPy's and Python's global generators (`np.random.choice`, `random.random`, …) are left untouched.
# 2. The labels fit $\boldsymbol\pi$ (the chi-square test of the chapter), and their counts are random: over both seeds they may not sit closer to $n\pi_k$ than independent draws do (the lower tail of the same statistic), so rounding $n\pi_k$ fails.
# 3. The rows come in the order of independent draws: the number of consecutive rows with the same label must lie in the two-sided range of independent draws (a runs test, which fails rows grouped or sorted by component as well as labels that alternate), and a row's label may not depend on the label before it (a chi-square test on consecutive pairs).
# 4. The points labelled $k$ have mean $\boldsymbol\mu_k$ and covariance $\boldsymbol\Sigma_k$, entry by entry within 6 standard errors.
#
# A correct sampler fails each statistical test with probability at most $10^{-6}$.
# The check refuses `gb.sample`.

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
# `stats.multivariate_normal(mean, cov).logpdf(...)` gives $\ln\mathcal{N}$; equation (prior-data) gives the prior part with one line, but mind a component of weight $\pi_k = 0$ that has no points: in floating point $0 \cdot \ln 0$ is `nan`, not 0 (section 2 of the chapter).
# Stay in log space: the product $p(\mathbf{X}, \mathbf{Z})$ itself underflows (chapter 03 shows why).
#
# *What the check tests.* 50 and 4000 points of a 2-D mixture with $\boldsymbol\pi = (0.6, 0.3, 0.1)$, and 200 points of the same mixture with $\boldsymbol\pi = (0.7, 0.3, 0)$, where no point has label 3 and $\ln p(\mathbf{X}, \mathbf{Z})$ is finite.
# Your number must agree with $\ln p(\mathbf{X}, \mathbf{Z})$ to a relative $10^{-9}$ (absolute $10^{-9}$) and may be a Python, NumPy or SymPy number.
# With 4000 points $p(\mathbf{X}, \mathbf{Z}) \approx e^{-17\,750}$, below the smallest positive number of every float type (`np.longdouble` included), and the check refuses arbitrary-precision arithmetic (mpmath, `decimal`, SymPy's numbers) and `gb.log_joint`: log space in float64 is the way.

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
# The best labels beat the truth: maximising over $\mathbf{Z}$ rewards confident labels whether or not they are true, which is the root of the bias of section 7 of the chapter (exercise 5 computes it).
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
# The chapter answered this question in section 5 and checked the answer there by simulation.
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
# 3. For equal weights and $\boldsymbol\Sigma_k = \mathbf{I}$, the log-ratio of the two joints is $\tfrac12\lVert\mathbf{x} - \boldsymbol\mu_2\rVert^2 - \tfrac12\lVert\mathbf{x}\rVert^2 = \tfrac12 d^2 - d\,x_1$, by equations (joint-k) and (gauss): the equal weights and the normalisers cancel.
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
# The check tries $(N, K) = (1, 3), (2, 2), (3, 2), (6, 3), (272, 2)$ and wants the exact count: a Python or SymPy integer, a float within a relative $10^{-12}$, or a NumPy integer that did not overflow.
# Mind the time limit: a function that enumerates the labellings one by one passes the small cases and runs out of time on the last.

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

# %% [markdown]
# ## Exercise 5 (derive): the bias of hard labels
#
# Section 7 of the chapter said that maximising $\ln p(\mathbf{X}, \mathbf{Z})$ over the labels as well gives each point a hard label, and that the fitted means are then biased at any N.
# Here you compute that bias.
#
# Take the 1-D mixture $\tfrac12\,\mathcal{N}(0, \sigma^2) + \tfrac12\,\mathcal{N}(d, \sigma^2)$ with $d > 0$; for $d = 2$ and $\sigma = 1$ it is the first coordinate of `overlapping_2d`.
# At the true θ, the largest term of equation (log-joint-data) gives a point $x$ the label 1 when $x < d/2$ (equal weights and variances: the nearer mean).
# As N grows, the mean of the points labelled 1 tends to
#
# $$ m_1 = \mathbb{E}[x \mid x < d/2], \qquad x \sim \tfrac12\,\mathcal{N}(0, \sigma^2) + \tfrac12\,\mathcal{N}(d, \sigma^2). $$
#
# 1. Derive $m_1$ as a function of $d$ and $\sigma$, using $\Phi$ and $\varphi$, the distribution function and density of the standard normal.
#    Enter it as `hard_mean`, a SymPy expression in the symbols `d` and `sigma` defined below, beside `Phi` and `phi` for $\Phi$ and $\varphi$.
# 2. How large is the bias $m_1 - \mu_1$ for $d = 2$, $\sigma = 1$?
#    What becomes of it as $d$ grows, and as $d \to 0$?
#    By symmetry, where does the mean of the points labelled 2 end up?
# 3. (explain) Soft labels weight each point by its responsibility $r_1(x) = p(z_1 = 1 \mid x)$, equation (joint-share), and the weighted mean $\sum_n r_{n1} x_n / \sum_n r_{n1}$ tends to $\mathbb{E}[r_1(x)\,x] / \mathbb{E}[r_1(x)]$.
#    Show that this equals $\mu_1$ exactly, for every $d$.
#
# *Hint.* Both $P(x < d/2)$ and $\mathbb{E}[x \cdot 1\{x < d/2\}]$ split over the two components, each of weight ½.
# Substitute $x = \sigma u$ for component 1 and $x = d + \sigma u$ for component 2, and use $\int_{-\infty}^{a} u\,\varphi(u)\,du = -\varphi(a)$.
#
# *What the check tests.* It compares your expression with the exact $m_1$ at five pairs $(d, \sigma)$: (2, 1), (1, 1), (3, 2), (0.5, 0.7) and (6, 1.5), to a relative $10^{-9}$ (absolute $10^{-12}$).
# Any equivalent SymPy form passes (with `Phi` and `phi`, `sympy.erf` or `sympy.erfc`, or an equation `Eq(m_1, ...)`); it must depend on `d` and `sigma` only.
# When it is wrong, the check names the mistake it recognises, never the formula or its values.
#
# To test your formula, the next cell draws $10^6$ points from the mixture for two pairs $(d, \sigma)$ and prints the mean of those below $d/2$: your $m_1$ should agree to about two decimals.

# %%
for d_value, sigma_value in [(2.0, 1.0), (3.0, 2.0)]:
    pair = gb.GMM(np.array([0.5, 0.5]), np.array([[0.0], [d_value]]), np.full((2, 1, 1), sigma_value**2))
    x_pair, _ = gb.sample(pair, 1_000_000, np.random.default_rng(0))
    print(f"d = {d_value:g}, sigma = {sigma_value:g}: mean of the points below d/2 = {x_pair[x_pair < d_value / 2].mean():.3f}")

# %%
d, sigma = sympy.symbols("d sigma", positive=True)


def Phi(t):
    """The standard normal distribution function Φ(t), in SymPy."""
    return (1 + sympy.erf(t / sympy.sqrt(2))) / 2


def phi(t):
    """The standard normal density φ(t), in SymPy."""
    return sympy.exp(-t**2 / 2) / sympy.sqrt(2 * sympy.pi)


# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Write $a = d / (2\sigma)$.
#    A point of component 1 lies below $d/2$ with probability $\Phi(a)$, one of component 2 with probability $\Phi(-a)$, so $P(x < d/2) = \tfrac12\Phi(a) + \tfrac12\Phi(-a) = \tfrac12$ (as it must by symmetry).
#    For the first moment, substitute $x = \sigma u$ in component 1 (below $d/2$ means $u < a$) and $x = d + \sigma u$ in component 2 ($u < -a$):
#
#    $$ \mathbb{E}[x \cdot 1\{x < d/2\}] = \tfrac12\int_{-\infty}^{a} \sigma u\,\varphi(u)\,du + \tfrac12\int_{-\infty}^{-a} (d + \sigma u)\,\varphi(u)\,du = \tfrac12\big[-\sigma\varphi(a) + d\,\Phi(-a) - \sigma\varphi(a)\big], $$
#
#    using $\varphi(-a) = \varphi(a)$.
#    Dividing by $P(x < d/2) = \tfrac12$:
#
#    $$ m_1 = d\,\Phi\!\Big(-\frac{d}{2\sigma}\Big) - 2\sigma\,\varphi\!\Big(\frac{d}{2\sigma}\Big). $$
#
#    It scales like a length: doubling $d$ and $\sigma$ doubles it, as a change of units must.
# 2. For $d = 2$, $\sigma = 1$: $m_1 = 2\Phi(-1) - 2\varphi(1) \approx 0.317 - 0.484 = -0.167$, a bias of $-0.167$, a sixth of a standard deviation, at every N.
#    As $d$ grows both terms vanish (the tail $\Phi(-a)$ and the density $\varphi(a)$ fall like $e^{-a^2/2}$): well separated components lend each other almost no points and lose almost none.
#    As $d \to 0$, $m_1 \to -2\sigma\varphi(0) = -\sigma\sqrt{2/\pi} \approx -0.80\,\sigma$: the two components coincide, and the hard labels cut one Gaussian in half and return the mean of its lower half.
#    By symmetry ($x \mapsto d - x$ swaps the components) the points labelled 2 have mean $d - m_1 = d + 0.167$ for $d = 2$: hard labels push the two means apart, here from 2 to 2.33.
# 3. The responsibility is $r_1(x) = \pi_1\mathcal{N}(x \mid \mu_1, \sigma^2) / p(x)$, so the $p(x)$ of the expectation cancels: for any function $g$,
#
#    $$ \mathbb{E}[r_1(x)\,g(x)] = \int \frac{\pi_1\mathcal{N}(x \mid \mu_1, \sigma^2)}{p(x)}\, g(x)\, p(x)\,dx = \pi_1 \int g(x)\,\mathcal{N}(x \mid \mu_1, \sigma^2)\,dx . $$
#
#    With $g(x) = x$ this is $\pi_1\mu_1$, with $g(x) = 1$ it is $\pi_1$, and the ratio is $\mu_1$ for every $d$, in fact for every mixture at its true θ.
#    Weighting by responsibilities counts each point for each component in proportion to the chance that the component drew it, so every component gets back its own draws on average, those beyond the boundary included.
#    This is why the M-step of chapter 05 averages with weights $r_{nk}$ rather than over hard labels.
# <!-- END SOLUTION -->

# %%
# BEGIN SOLUTION: hard_mean = None
hard_mean = d * Phi(-d / (2 * sigma)) - 2 * sigma * phi(d / (2 * sigma))
print("m_1 =", hard_mean)
# END SOLUTION
check("hard_mean", hard_mean)

# %% [markdown] tags=["solution-only"]
# **CHECK (part 1), by quadrature.** `scipy.integrate.quad` computes $\mathbb{E}[x \cdot 1\{x < d/2\}] / P(x < d/2)$ from the mixture density at three pairs $(d, \sigma)$; it must equal `hard_mean` within $10^{-9}$.
#
# **CHECK (parts 2 and 3), by simulation.** On $10^6$ points of the mixture with $d = 2$, $\sigma = 1$, the mean of the points labelled 1 lies within 4 standard errors of $m_1$, and the responsibility-weighted mean within 4 standard errors of $\mu_1 = 0$ (its standard error by the delta method: the standard deviation of $r_{n1}(x_n - \hat m)$ over $\sqrt{N}\,\overline{r_{1}}$).

# %% tags=["solution-only"]
for d_value, sigma_value in [(2.0, 1.0), (0.5, 0.7), (6.0, 1.5)]:
    density = lambda x: (stats.norm.pdf(x, 0, sigma_value) + stats.norm.pdf(x, d_value, sigma_value)) / 2
    mass = integrate.quad(density, -np.inf, d_value / 2)[0]
    moment = integrate.quad(lambda x: x * density(x), -np.inf, d_value / 2)[0]
    exact = float(hard_mean.subs({d: d_value, sigma: sigma_value}))
    assert abs(moment / mass - exact) < 1e-9
    print(f"d = {d_value:g}, sigma = {sigma_value:g}: m_1 = {exact:.6f}")

pair = gb.GMM(np.array([0.5, 0.5]), np.array([[0.0], [2.0]]), np.ones((2, 1, 1)))
x_pair, _ = gb.sample(pair, 1_000_000, np.random.default_rng(1))
below = x_pair[x_pair[:, 0] < 1.0, 0]
r1 = gb.responsibilities(x_pair, pair)[:, 0]
soft_mean = np.sum(r1 * x_pair[:, 0]) / np.sum(r1)
se_soft = np.std(r1 * (x_pair[:, 0] - soft_mean)) / (np.sqrt(len(r1)) * r1.mean())
m1_exact = float(hard_mean.subs({d: 2, sigma: 1}))
assert abs(below.mean() - m1_exact) < 4 * below.std() / np.sqrt(len(below))
assert abs(soft_mean) < 4 * se_soft
print(f"d = 2, sigma = 1: hard-label mean {below.mean():.4f} (m_1 = {m1_exact:.4f}); "
      f"responsibility-weighted mean {soft_mean:.4f} (mu_1 = 0)")
print("check: quadrature equals hard_mean within 1e-9; the simulated hard-label mean is biased as m_1 says, "
      "the responsibility-weighted one is not (4 standard errors)")

# %% [markdown]
# ## Exercise 6 (derive): the probability of the counts
#
# Equation (prior-data) gives the probability of one labelling $\mathbf{Z}$, and it depends on $\mathbf{Z}$ only through the counts $N_k = \sum_n z_{nk}$: all labellings with the same counts are equally likely.
# The frequency test of section 3, however, looks at the counts themselves, whatever the labelling that produced them.
#
# 1. How many labellings of $N$ points have the counts $(N_1, \dots, N_K)$?
#    Derive $P(N_1, \dots, N_K)$, the probability that $N = \sum_k N_k$ independent draws from $\mathrm{Cat}(\boldsymbol\pi)$ give these counts.
# 2. Write `log_count_probability(counts, weights)`, which returns $\ln P(N_1, \dots, N_K)$ as one number.
#    Work in log space: for $N = 5000$, $N!$ is far beyond the largest float.
#    `scipy.special.gammaln(m + 1)` and `math.lgamma(m + 1)` give $\ln m!$.
# 3. (explain) Take $\boldsymbol\pi = (0.6, 0.3, 0.1)$ and $N = 100$.
#    Which single labelling $\mathbf{Z}$ is the most probable, and how probable are its counts, compared with the counts $(60, 30, 10)$?
#    What does this say about choosing the labels by maximising $\ln p(\mathbf{X}, \mathbf{Z})$ over $\mathbf{Z}$ (section 7)?
#
# *What the check tests.* Four cases: counts $(2, 1, 0)$ with $\boldsymbol\pi = (0.5, 0.3, 0.2)$; $(7, 3)$ with $(0.25, 0.75)$; $(3010, 1480, 510)$ with $(0.6, 0.3, 0.1)$; and $(3, 0, 2)$ with $(0.4, 0, 0.6)$, where a component of weight 0 has no point and the probability is positive.
# Your $\ln P$ must agree with the exact one to a relative $10^{-9}$ (absolute $10^{-9}$), as a Python, NumPy or SymPy number; the check refuses SciPy's `multinomial` (its `pmf` and `logpmf`).
# When it is wrong, the check names the mistake it recognises, never the value.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. A labelling with these counts chooses which $N_1$ of the $N$ points go to component 1, which $N_2$ of the rest to component 2, and so on:
#
#    $$ \binom{N}{N_1}\binom{N - N_1}{N_2}\cdots = \frac{N!}{N_1!\,N_2!\cdots N_K!} $$
#
#    labellings, the multinomial coefficient.
#    Each has the probability $\prod_k \pi_k^{N_k}$ of equation (prior-data), and they are disjoint events, so
#
#    $$ P(N_1, \dots, N_K) = \frac{N!}{N_1!\cdots N_K!}\prod_{k=1}^K \pi_k^{N_k}, \qquad \ln P = \ln N! - \sum_k \ln N_k! + \sum_k N_k \ln\pi_k , $$
#
#    the multinomial distribution (for $K = 2$, the binomial).
#    A component with $N_k = 0$ contributes the factor $\pi_k^0 / 0! = 1$, even when $\pi_k = 0$; in code we leave it out rather than compute $0 \cdot \ln 0$.
# 3. The most probable single labelling puts every point in the heaviest component: $\ln P(\mathbf{Z}) = 100 \ln 0.6 \approx -51.1$.
#    Its counts $(100, 0, 0)$ come from that labelling only, so they have the same probability, about $6 \times 10^{-23}$.
#    A labelling with the counts $(60, 30, 10)$ is far less probable on its own, $\ln P(\mathbf{Z}) \approx -89.8$, but there are $100!/(60!\,30!\,10!) \approx e^{85.3}$ of them, and their counts have $\ln P \approx -4.45$, about 1 %, more than any other counts (below).
#    So the single most probable labelling is not a typical one at all: what is probable is a *kind* of labelling, made of many improbable ones.
#    Maximising $\ln p(\mathbf{X}, \mathbf{Z})$ over $\mathbf{Z}$ picks one labelling and ignores how many others are nearly as good; in its prior part alone it favours the heavy components, and with the data it favours confident labels (section 7 and exercise 5).
#    Summing over $\mathbf{Z}$, as chapter 03 does, counts them all.
# <!-- END SOLUTION -->

# %%
def log_count_probability(counts, weights):
    """ln P(N_1, ..., N_K): the log-probability that N = Σ_k N_k draws from Cat(π) give these counts.

    Parameters
    ----------
    counts : ndarray of int, shape (K,)
        The counts N_k.
    weights : ndarray, shape (K,)
        Mixing weights π_k.

    Returns
    -------
    float
    """
    # BEGIN SOLUTION
    N = counts.sum()
    used = counts > 0                                               # leave out 0 · ln π_k (nan when π_k = 0)
    log_coefficient = special.gammaln(N + 1) - np.sum(special.gammaln(counts + 1))    # ln N!/(N_1! ⋯ N_K!)
    return float(log_coefficient + counts[used] @ np.log(weights[used]))
    # END SOLUTION


# %%
check("log_count_probability", log_count_probability)

# %% [markdown] tags=["solution-only"]
# **CHECK.** (a) For $n = 6$ and $K = 3$, the probabilities of all 28 possible counts add up to 1 within $10^{-12}$.
# (b) Drawing the labels of 5 points from $\boldsymbol\pi = (0.5, 0.3, 0.2)$ $10^5$ times, the frequency of each of the 21 possible counts lies within 4 binomial standard errors of its probability.
# (c) Part 3 in numbers: among all 5151 possible counts of 100 points, $(60, 30, 10)$ is the most probable.

# %% tags=["solution-only"]
def all_counts(n):
    """Every count vector (N_1, N_2, N_3) of n points."""
    return [np.array([a, b, n - a - b]) for a in range(n + 1) for b in range(n + 1 - a)]


weights_c = np.array([0.5, 0.3, 0.2])
total_6 = sum(np.exp(log_count_probability(c, weights_c)) for c in all_counts(6))
drawn = np.random.default_rng(9).choice(3, size=(100_000, 5), p=weights_c)
drawn_counts = np.stack([(drawn == k).sum(axis=1) for k in range(3)], axis=1)
worst_z = 0.0
for c in all_counts(5):
    p = np.exp(log_count_probability(c, weights_c))
    frequency = np.mean(np.all(drawn_counts == c, axis=1))
    worst_z = max(worst_z, abs(frequency - p) / np.sqrt(p * (1 - p) / len(drawn)))
weights_100 = np.array([0.6, 0.3, 0.1])
log_p_100 = {tuple(int(v) for v in c): log_count_probability(c, weights_100) for c in all_counts(100)}
best_counts = max(log_p_100, key=log_p_100.get)
assert abs(total_6 - 1) < 1e-12 and worst_z < 4 and best_counts == (60, 30, 10)
print(f"(a) sum over the 28 counts of 6 points: {total_6:.12f}; (b) largest |z| over the 21 counts of 5 points: {worst_z:.2f}")
print(f"(c) most probable counts of 100 points: {best_counts}, ln P = {log_p_100[best_counts]:.2f}; "
      f"counts (100, 0, 0): ln P = {log_p_100[(100, 0, 0)]:.2f}")
print(f"    one labelling: all in component 1 ln P(Z) = {100 * np.log(0.6):.2f}; with counts (60, 30, 10) "
      f"ln P(Z) = {np.array([60, 30, 10]) @ np.log(weights_100):.2f}")
print("check: the count probabilities sum to 1, match simulated frequencies, and peak at (60, 30, 10)")

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("02_latent_variables")

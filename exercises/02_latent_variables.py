# %% [markdown]
# <!-- generated from exercises/solutions/02_latent_variables.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 02: The latent-variable view
#
# These exercises go with [chapter 02, The latent-variable view](../chapters/02_latent_variables.ipynb).
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
    # YOUR CODE HERE
    raise NotImplementedError


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
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("complete_log_likelihood", complete_log_likelihood)


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
# *Write your answer here.*

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
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("n_labellings", n_labellings)

# %% [markdown]
# *Write your answer here.*

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
# *Write your answer here.*

# %%
# YOUR ANSWER HERE
hard_mean = None
check("hard_mean", hard_mean)


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
# *Write your answer here.*

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
    # YOUR CODE HERE
    raise NotImplementedError


# %%
check("log_count_probability", log_count_probability)

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("02_latent_variables")

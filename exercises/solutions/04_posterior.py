# %% [markdown]
# # Exercises for chapter 04: Responsibilities and soft assignment
#
# These exercises go with [chapter 04](../../chapters/04_posterior.ipynb), which derives the responsibilities $r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n)$ by Bayes' rule, equation (resp).
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line) or `# YOUR ANSWER HERE` (replace the placeholder `None`), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](../solutions/04_posterior.ipynb).

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

# %% [markdown] tags=["solution-only"]
# **Solution.**
# Take the logarithm of equation (resp):
#
# $$ \ln r_{nk} = \underbrace{\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}_{a_{nk}} - \ln \sum_{j=1}^K e^{a_{nj}} . $$
#
# Every $a_{nk}$ is an ordinary number even where $e^{a_{nk}}$ underflows to 0, and log-sum-exp (chapter 03, equation (logsumexp)) computes the last term without ever forming $e^{a_{nj}}$ for the largest $a_{nj}$ of a row.
# So $\ln r_{nk} \le 0$ is computed without underflow or overflow, and its exponential is a number in $[0, 1]$.
# Dividing $\pi_k \mathcal{N}_k$ by its row sum in probability space would instead give $0/0 = $ NaN for the far point.

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
    # BEGIN SOLUTION
    N = len(X)
    log_joint = np.column_stack([
        np.log(weight) + stats.multivariate_normal(mean, cov).logpdf(X).reshape(N)
        for weight, mean, cov in zip(weights, means, covariances)
    ])                                                                    # a_nk = ln pi_k + ln N_k(x_n), (N, K)
    log_resp = log_joint - special.logsumexp(log_joint, axis=1, keepdims=True)
    return np.exp(log_resp)
    # END SOLUTION


check("responsibilities", responsibilities)

# %% [markdown] tags=["solution-only"]
# Why the log space matters: for the far point $(60, -40)$ of the checker, both Gaussian densities are exactly 0.0 in float64, so the probability-space formula divides 0 by 0.

# %% tags=["solution-only"]
far_weights = np.array([0.7, 0.3])
far_means = np.array([[0.0, 0.0], [3.0, 1.0]])
far_covariances = np.array([[[0.5, 0.1], [0.1, 0.3]], [[2.0, 0.0], [0.0, 0.5]]])
x_far = np.array([[60.0, -40.0]])

densities = np.column_stack([stats.multivariate_normal(m, c).pdf(x_far) for m, c in zip(far_means, far_covariances)])
with np.errstate(invalid="ignore"):
    naive = far_weights * densities / (far_weights * densities).sum(axis=1, keepdims=True)
print("pi_k N_k(x) in probability space:", densities * far_weights)
print("naive responsibilities:          ", naive)
print("log-space responsibilities:      ", responsibilities(x_far, far_weights, far_means, far_covariances))

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
# <!-- BEGIN SOLUTION -->
# **Solution.**
# One row by hand, $x = -1$.
# The three Gaussian densities are
#
# $$ \mathcal{N}(-1 \mid -4, 1) = \tfrac{1}{\sqrt{2\pi \cdot 1}}\, e^{-(-1 + 4)^2 / (2 \cdot 1)} = 0.39894 \times e^{-4.5} = 0.39894 \times 0.011109 = 0.0044318 , $$
#
# $$ \mathcal{N}(-1 \mid 0, 0.2) = \tfrac{1}{\sqrt{2\pi \cdot 0.2}}\, e^{-(-1 - 0)^2 / (2 \cdot 0.2)} = 0.89206 \times e^{-2.5} = 0.89206 \times 0.082085 = 0.073225 , $$
#
# $$ \mathcal{N}(-1 \mid 8, 3) = \tfrac{1}{\sqrt{2\pi \cdot 3}}\, e^{-(-1 - 8)^2 / (2 \cdot 3)} = 0.23033 \times e^{-13.5} = 0.23033 \times 1.3710 \times 10^{-6} = 3.158 \times 10^{-7} . $$
#
# The weights are all $\frac13$, so they cancel between numerator and denominator of equation (resp).
# The denominator is $0.0044318 + 0.073225 + 0.0000003 = 0.077657$, and
#
# $$ r_{3\cdot} = \Big(\frac{0.0044318}{0.077657},\ \frac{0.073225}{0.077657},\ \frac{3.158 \times 10^{-7}}{0.077657}\Big) = (0.0571,\ 0.9429,\ 0.0000041) . $$
#
# The point $-1$ is 3 standard deviations from $\mu_1 = -4$ but only $1/\sqrt{0.2} = 2.2$ standard deviations from $\mu_2 = 0$, so the narrow middle component claims 94 % of it.
# The other rows are the same arithmetic, done below for all seven points at once: each row is the vector of densities divided by its sum.
# <!-- END SOLUTION -->

# %%
# BEGIN SOLUTION: textbook_resp = None
densities = np.exp(-(x[:, None] - means) ** 2 / (2 * variances)) / np.sqrt(2 * np.pi * variances)   # N(x_n | mu_k, sigma_k^2), (7, 3)
joint = weights * densities                                                                        # pi_k N_k(x_n)
textbook_resp = joint / joint.sum(axis=1, keepdims=True)                                           # equation (resp)

print("    x     r_n1     r_n2     r_n3")
for x_n, row in zip(x, textbook_resp):
    print(f"{x_n:5.1f}  " + "  ".join(f"{r:7.4f}" for r in row))
# END SOLUTION
check("textbook_responsibilities", textbook_resp)

# %% [markdown]
# ## Exercise 3 (explain): soft against hard assignment
#
# Look at the table of exercise 2.
# K-means would give every point a *hard* assignment: the one component with the largest $r_{nk}$ (the argmax of the row).
# For which of the seven points does the hard assignment say the same as the responsibilities, and for which does it misrepresent them?
# What does a hard assignment throw away, and where would that make a difference when the components are re-estimated from the assignments (chapter 05)?

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# For $-3$, $-2.5$, $0$, $4$ and $5$ one responsibility is 1 to at least three decimals, so the argmax loses nothing there.
# Two points are genuinely in between: $x = -1$ belongs to component 2 with probability 0.943 and to component 1 with probability 0.057, and $x = 2$ belongs to component 3 with probability 0.934 and to component 2 with probability 0.066.
# A hard assignment reports both as certain; it throws away *how sure* we are, which is exactly the information the posterior adds.
#
# It matters when the components are re-estimated.
# With responsibilities, $x = -1$ counts as 0.057 of a point in component 1's mean, variance and weight, and as 0.943 of a point in component 2's; $x = 2$ pulls component 2 a little towards itself.
# With hard assignments each point moves exactly one component with full weight, so a point near a boundary is all-or-nothing, and a small change of the parameters can flip it from one component to the other: the estimates jump instead of moving smoothly.
# Hard assignments also give every point's cluster the same certainty, so a user cannot find the points whose cluster is doubtful.
#
# Soft does not mean that a point came from two components: each point was drawn from exactly one.
# The responsibilities are our uncertainty about *which* one, given its position (exercise 4).
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 4 (explain): the expectation of a hard variable is soft
#
# Each $\mathbf{z}_n$ is one-hot: exactly one $z_{nk}$ is 1, the others are 0.
# Show that nevertheless $\mathbb{E}[z_{nk} \mid \mathbf{x}_n] = r_{nk}$, and say in one or two sentences what this means for the phrase "soft assignment".
# How would you check it by simulation?

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# Given $\mathbf{x}_n$, the indicator $z_{nk}$ takes only the values 0 and 1, so its expectation is the probability of the value 1:
#
# $$ \mathbb{E}[z_{nk} \mid \mathbf{x}_n] = 0 \cdot p(z_{nk} = 0 \mid \mathbf{x}_n) + 1 \cdot p(z_{nk} = 1 \mid \mathbf{x}_n) = p(z_{nk} = 1 \mid \mathbf{x}_n) = r_{nk} , $$
#
# the last step by the definition of the responsibility, equation (resp).
# In the same way $\sum_k r_{nk} = \mathbb{E}[\sum_k z_{nk} \mid \mathbf{x}_n] = \mathbb{E}[1] = 1$.
#
# So every single draw is hard, and softness lives only in the average: $r_{nk}$ is the fraction of times the point would turn out to come from component $k$ if we could repeat the experiment and look at the hidden label every time.
# "Soft assignment" is shorthand for "the posterior mean of a hard assignment".
#
# The simulation does exactly that.
# Draw many pairs $(x, z)$ from the textbook mixture by ancestral sampling (chapter 02), keep those whose $x$ falls in a narrow bin around $-1$, and average their one-hot $\mathbf{z}$.
# The average estimates $\mathbb{E}[\mathbf{z} \mid x \in \text{bin}]$, the mean of $r_{\cdot}(x)$ over the bin, which is close to $r(-1) = (0.057, 0.943, 0.000)$.
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
X_tb, gmm_tb = gb.datasets.textbook_1d()
X_sim, z_sim = gb.sample(gmm_tb, 2_000_000, np.random.default_rng(4))
in_bin = np.abs(X_sim[:, 0] + 1.0) < 0.05                               # x in [-1.05, -0.95]
one_hot = np.eye(gmm_tb.K)[z_sim[in_bin]]                               # the hidden z of those draws
fraction = one_hot.mean(axis=0)                                         # estimates E[z | x in bin]
r_bin = gb.responsibilities(X_sim[in_bin], gmm_tb).mean(axis=0)         # E[r(x) | x in bin], the exact target
se = np.sqrt(r_bin * (1 - r_bin) / in_bin.sum())

assert np.all(np.abs(fraction - r_bin) <= 4 * se + 1e-12)
assert np.all(np.abs(r_bin - gb.responsibilities([[-1.0]], gmm_tb)[0]) < 0.01)
print(f"draws with x in [-1.05, -0.95]: {in_bin.sum()} of 2000000")
print("fraction of them with z = k:   ", np.round(fraction, 3))
print("mean responsibility in the bin:", np.round(r_bin, 3))
print("r(-1):                         ", np.round(gb.responsibilities([[-1.0]], gmm_tb)[0], 3))
print("check: the fractions agree with the responsibilities within 4 binomial standard errors")

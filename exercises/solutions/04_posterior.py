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
# A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
# Its verdict names the cases already passed and shows what your function printed; nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# The last cell shows your progress: how many checks passed in this session.

# %%
import numpy as np
import sympy as sp
from scipy import special, stats

import gmmbook as gb
from gmmbook.exercises import check, progress

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
#
# *What the check tests.* The textbook example, the same points with unequal weights, and three 2-D points, one of them at $(600, -400)$, where both densities are 0 even in `np.longdouble`.
# Your responsibilities must agree to a relative $10^{-6}$ (absolute $10^{-10}$).
# The check refuses `gb.responsibilities`, `gb.e_step` and arbitrary-precision arithmetic (mpmath, `decimal`): the point is log space in float64.
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
# Why the log space matters: for a point as far as $(60, -40)$, both Gaussian densities are exactly 0.0 in float64, so the probability-space formula divides 0 by 0.
# (The checker's point $(600, -400)$ is farther still, so that not even `np.longdouble`, whose smallest number is about $e^{-11\,400}$, can hold the densities.)

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
# Compute the $7 \times 3$ table of responsibilities $r_{nk}$ with NumPy from the formula, without `gb.responsibilities` or your function of exercise 1 (the check cannot tell, but the point is to do it once yourself), and give it as `textbook_resp` (rows: the points, columns: the components).
# Section 1.1 of the chapter printed this table: work it out again yourself, without looking back.
#
# *What the check tests.* Your table must agree with the responsibilities to a relative $10^{-6}$ (absolute $10^{-9}$): more digits than any printed table has, so give the array you computed, not numbers typed from a printout.
# When it is wrong, the check says which rows are wrong and which mistake they show, never the values.
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
# The responsibilities are our uncertainty about *which* one, given its position (equation (resp-expect), and exercise 4).
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 4 (derive): the covariance of a hard label
#
# Equation (resp-expect) of the chapter gives the mean and the variance of each entry of the one-hot label: $\mathbb{E}[z_{k} \mid \mathbf{x}] = r_{k}$ and $\operatorname{Var}[z_{k} \mid \mathbf{x}] = r_{k}(1 - r_{k})$ (we drop the index $n$ of the point).
# But $\mathbf{z}$ is a vector, and its entries are tied together: exactly one of them is 1.
#
# 1. For $K = 3$, derive the whole $3 \times 3$ covariance matrix $\operatorname{Cov}[\mathbf{z} \mid \mathbf{x}]$, whose entry $(j, k)$ is $\mathbb{E}[z_j z_k \mid \mathbf{x}] - \mathbb{E}[z_j \mid \mathbf{x}]\, \mathbb{E}[z_k \mid \mathbf{x}]$, in terms of $r_1, r_2, r_3$.
#    Give it as a SymPy matrix `label_cov` in the symbols `r1`, `r2`, `r3` defined below.
# 2. Why must every row of the matrix sum to 0?
#    What does the sign of the off-diagonal entries say?
# 3. Each draw of $\mathbf{z}$ is hard, yet its mean is soft.
#    In one or two sentences: what does "soft assignment" mean, then?
#
# *What the check tests.* Your matrix (a `sympy.Matrix`, or a list of three rows of SymPy expressions) may use only `r1`, `r2`, `r3`.
# It is compared entry by entry at five points of the simplex $r_1 + r_2 + r_3 = 1$, for example $(r_1, r_2, r_3) = (0.2, 0.5, 0.3)$, to $10^{-12}$, so any form that is equal on the simplex passes (`r1*(r2 + r3)` for `r1*(1 - r1)`, say).
# A wrong answer is told its mistake (labels treated as independent, a second moment for a covariance, …), never an entry.

# %%
r1, r2, r3 = sp.symbols("r1 r2 r3", positive=True)

# %%
# BEGIN SOLUTION: label_cov = None
r_vec = sp.Matrix([r1, r2, r3])
states = [sp.Matrix(row) for row in np.eye(3, dtype=int).tolist()]               # the one-hot values e_1, e_2, e_3
mean_z = sum((r_j * e_j for r_j, e_j in zip(r_vec, states)), sp.zeros(3, 1))      # E[z | x] = sum_j r_j e_j
second_moment = sum((r_j * e_j * e_j.T for r_j, e_j in zip(r_vec, states)), sp.zeros(3, 3))   # E[z z^T | x]
label_cov = sp.simplify(second_moment - mean_z * mean_z.T)
print(label_cov)
# END SOLUTION
check("label_covariance", label_cov)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Given $\mathbf{x}$, $\mathbf{z}$ takes the value $\mathbf{e}_j$ with probability $r_j$.
#    For $j \ne k$ the product $z_j z_k$ is 0 at every one-hot value (two entries of a one-hot vector are never both 1), so $\mathbb{E}[z_j z_k \mid \mathbf{x}] = 0$; for $j = k$, $z_k^2 = z_k$, so $\mathbb{E}[z_k^2 \mid \mathbf{x}] = r_k$.
#    Hence $\mathbb{E}[\mathbf{z}\mathbf{z}^\top \mid \mathbf{x}] = \operatorname{diag}(\mathbf{r})$ and
#
#    $$ \operatorname{Cov}[\mathbf{z} \mid \mathbf{x}] = \operatorname{diag}(\mathbf{r}) - \mathbf{r}\mathbf{r}^\top = \begin{pmatrix} r_1(1 - r_1) & -r_1 r_2 & -r_1 r_3 \\ -r_1 r_2 & r_2(1 - r_2) & -r_2 r_3 \\ -r_1 r_3 & -r_2 r_3 & r_3(1 - r_3) \end{pmatrix} , $$
#
#    the covariance of a multinomial draw of size 1; the diagonal is equation (resp-expect).
# 2. $\sum_k z_k = 1$ for every one-hot $\mathbf{z}$: a constant, with variance 0 and no covariance with anything.
#    Row $j$ sums to $\operatorname{Cov}[z_j, \sum_k z_k \mid \mathbf{x}] = 0$ (check: $r_j(1 - r_j) - r_j \sum_{k \ne j} r_k = r_j(1 - r_j) - r_j(1 - r_j) = 0$).
#    The off-diagonal entries are negative: the labels compete, and learning that $z_j = 1$ makes every other $z_k$ certainly 0.
#    The matrix is singular, so a one-hot label never has a density on $\mathbb{R}^K$; it lives on the $K$ corners of the simplex.
# 3. Every draw of $\mathbf{z}$ is one of the corners $\mathbf{e}_k$, and nothing in between.
#    The responsibilities are the mean of that draw given $\mathbf{x}$, the point of the simplex that averages the corners with the posterior probabilities; the variances $r_k(1 - r_k)$ say how far single draws scatter around it.
#    "Soft assignment" is therefore shorthand for the *posterior mean* of a hard assignment: a statement of our uncertainty about the component, not a claim that the point came from several components at once.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A simulation** at the point $\mathbf{x} = (0, 5.2)$ of `three_component_2d`, where all three components compete: 200 000 one-hot labels drawn from its posterior, and their sample covariance against the formula (standard errors from the spread of the products of the centred draws).

# %% tags=["solution-only"]
gmm2 = gb.datasets.three_component_2d()
r_point = gb.responsibilities([[0.0, 5.2]], gmm2)[0]
draws = np.eye(3)[np.random.default_rng(8).choice(3, size=200_000, p=r_point)]     # one-hot z ~ Cat(r)
cov_sample = np.cov(draws.T, bias=True)
cov_formula = np.array(label_cov.subs(dict(zip((r1, r2, r3), r_point))).tolist(), dtype=float)
centred = draws - draws.mean(axis=0)
se_cov = np.sqrt(np.var(centred[:, :, None] * centred[:, None, :], axis=0) / len(draws))
print("r =", r_point, "\nformula:\n", cov_formula, "\nsample:\n", cov_sample)
assert np.all(np.abs(cov_sample - cov_formula) <= 4 * se_cov + 1e-12)   # fails for a zero or positive off-diagonal
assert np.allclose(cov_formula.sum(axis=1), 0, atol=1e-15)             # rows sum to 0: sum_k z_k is constant
print("check: the sample covariance of 200000 one-hot draws matches diag(r) - r r^T within 4 standard errors;"
      " its rows sum to 0")

# %% [markdown]
# ## Exercise 5 (derive): the exact target of a bin
#
# Section 3 of the chapter compared the fraction $f_k$ of simulated labels with $z_k = 1$ among the draws in a bin $B = [x_0 - h/2,\ x_0 + h/2]$ with $r_k(x_0)$.
# That is only approximately what $f_k$ estimates: the draws in $B$ are spread over the bin, and $r_k$ changes across it.
#
# 1. For a 1-D mixture and a bin $B = [a, b]$, derive $P(z_k = 1 \mid x \in B)$ in terms of the standard normal CDF $\Phi$, and write it as a function `bin_responsibilities(a, b, weights, means, variances)` that returns the $K$ probabilities.
# 2. Show that for a bin of width $h$ centred on $x_0$, $P(z_k = 1 \mid x \in B) - r_k(x_0)$ is of order $h^2$, so that halving $h$ quarters the gap.
#    Were the chapter's bins of width $h = 0.05$ narrow enough for its test?
#
# *What the check tests.* The mixture `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, variances $(0.5, 1, 0.3)$) and the bins $[-1, 0.5]$, $[2.45, 2.55]$, $[3, \infty)$ and $[8, 8.5]$; your $K$ probabilities must agree to a relative $10^{-8}$ (absolute $10^{-12}$).
# In $[8, 8.5]$, far in the upper tail, $\Phi(b)$ and $\Phi(a)$ are both within $10^{-11}$ of 1, and their difference keeps only a few digits: use the survival function $1 - \Phi$ (`scipy.stats.norm.sf`), which keeps its digits there.
# A wrong answer is told its mistake (the responsibility at the centre of the bin, an unweighted average over the bin, a variance used as a scale, …), never the probabilities.

# %%
def bin_responsibilities(a, b, weights, means, variances):
    """P(z_k = 1 | a ≤ x ≤ b) for a 1-D mixture (chapter 04, section 3).

    Parameters
    ----------
    a, b : float
        The bin; a < b, and b may be np.inf.
    weights, means, variances : ndarray, shape (K,)
        π_k, μ_k and σ_k².

    Returns
    -------
    ndarray, shape (K,)
        The probabilities, which sum to 1.
    """
    # BEGIN SOLUTION
    sds = np.sqrt(variances)                                                 # sigma_k, the scale of the CDF
    masses = weights * (stats.norm.sf(a, means, sds) - stats.norm.sf(b, means, sds))   # pi_k P(a <= x <= b | z_k = 1)
    return masses / masses.sum()                                             # divided by P(x in B)
    # END SOLUTION


# %%
check("bin_responsibilities", bin_responsibilities)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Bayes' rule for the event $x \in B$ instead of the point $x$: $P(z_k = 1 \mid x \in B) = P(z_k = 1)\, P(x \in B \mid z_k = 1) / P(x \in B)$, and given $z_k = 1$, $x \sim \mathcal{N}(\mu_k, \sigma_k^2)$, so
#
#    $$ P(z_k = 1 \mid x \in B) = \frac{\pi_k \big[\Phi\big(\tfrac{b - \mu_k}{\sigma_k}\big) - \Phi\big(\tfrac{a - \mu_k}{\sigma_k}\big)\big]}{\sum_{j=1}^K \pi_j \big[\Phi\big(\tfrac{b - \mu_j}{\sigma_j}\big) - \Phi\big(\tfrac{a - \mu_j}{\sigma_j}\big)\big]} . $$
#
#    It is the average of $r_k(x)$ over the bin weighted by $p(x)$ (not uniformly): $\int_B p(x)\, r_k(x)\, dx = \int_B \pi_k \mathcal{N}_k(x)\, dx$.
#    In code, $\Phi(b') - \Phi(a')$ equals $\bar\Phi(a') - \bar\Phi(b')$ with $\bar\Phi = 1 - \Phi$, which is exact in the upper tail.
# 2. Write $g_k(x) = \pi_k \mathcal{N}_k(x)$, so that $p = \sum_k g_k$.
#    The midpoint rule with its error term gives $\int_{x_0 - h/2}^{x_0 + h/2} g(x)\, dx = h\, g(x_0) + \tfrac{h^3}{24} g''(x_0) + O(h^5)$, so
#
#    $$ P(z_k = 1 \mid x \in B) = \frac{g_k + \tfrac{h^2}{24} g_k''}{p + \tfrac{h^2}{24} p''} + O(h^4) = r_k(x_0) + \frac{h^2}{24}\, \frac{g_k''(x_0) - r_k(x_0)\, p''(x_0)}{p(x_0)} + O(h^4) . $$
#
#    The gap is of order $h^2$ (it vanishes where $g_k'' = r_k p''$, e.g. where one component takes everything).
#    For the chapter's eight bins with $h = 0.05$ the largest gap is about $1.2 \times 10^{-4}$, below 3 % of a binomial standard error of the test (below): the chapter was right to compare with $r_k(x_0)$.
#    With $10^8$ draws instead of $10^6$ the standard errors would shrink tenfold and the gap would start to show; then one compares with the exact target, or narrows the bins.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **The gap of part 2** for the chapter's eight bin centres, at four widths, and against the chapter's standard errors ($10^6$ draws, $h = 0.05$).

# %% tags=["solution-only"]
gmm1 = gb.datasets.three_component_1d()
w1, mu1, var1 = gmm1.weights, gmm1.means[:, 0], gmm1.covariances[:, 0, 0]
x0s = np.array([-2.0, -1.5, -1.0, -0.5, 0.0, 2.5, 3.0, 3.5])
r_x0 = gb.responsibilities(x0s[:, None], gmm1)
widths = [0.4, 0.2, 0.1, 0.05]
gaps = [np.max(np.abs([bin_responsibilities(x0 - h / 2, x0 + h / 2, w1, mu1, var1) for x0 in x0s] - r_x0))
        for h in widths]
for h, gap in zip(widths, gaps):
    print(f"h = {h:4.2f}: largest |P(z_k = 1 | x in B) - r_k(x0)| = {gap:.2e}")
n_expected = 1_000_000 * np.exp(gb.log_marginal(x0s[:, None], gmm1)) * 0.05     # expected draws per bin
se_chapter = np.sqrt(r_x0 * (1 - r_x0) / n_expected[:, None])
gap_05 = np.array([bin_responsibilities(x0 - 0.025, x0 + 0.025, w1, mu1, var1) for x0 in x0s]) - r_x0
ratio = np.max(np.abs(gap_05) / se_chapter)
print(f"largest gap at h = 0.05, in the chapter's standard errors: {ratio:.3f}")
assert np.all(np.abs(np.array(gaps[:-1]) / np.array(gaps[1:]) - 4) < 0.25)   # fails unless the gap is of order h^2
assert ratio < 0.05
print("check: halving h divides the gap by 4 (within 0.25); at h = 0.05 it is below 5 % of a standard error")

# %% [markdown]
# ## Exercise 6 (derive): shared covariances make the posterior a softmax
#
# For $K = 2$, equation (log-odds) of the chapter has $\mathbf{A} = \mathbf{0}$ when the two covariances are equal, and the boundary $r = \tfrac12$ is a straight line.
# More is true, for any $K$: when all components share one covariance $\boldsymbol\Sigma$ (tied covariances, chapter 05), the responsibilities are a *softmax* of linear functions of $\mathbf{x}$,
#
# $$ r_k(\mathbf{x}) = \frac{\exp(\mathbf{w}_k^\top \mathbf{x} + b_k)}{\sum_{j=1}^K \exp(\mathbf{w}_j^\top \mathbf{x} + b_j)} , $$
#
# the model of multinomial logistic regression.
#
# 1. Derive $\mathbf{w}_k$ and $b_k$ from $\pi_k$, $\boldsymbol\mu_k$ and $\boldsymbol\Sigma$, and write `tied_softmax(weights, means, cov)`, which returns the pair `(W, b)`: `W` of shape (K, D) with rows $\mathbf{w}_k$, and `b` of shape (K,).
# 2. For `overlapping_2d` ($\boldsymbol\pi = (\tfrac12, \tfrac12)$, $\boldsymbol\mu_1 = (0, 0)$, $\boldsymbol\mu_2 = (2, 0)$, $\boldsymbol\Sigma = \mathbf{I}$), write $r_1(\mathbf{x})$ as a logistic function $1 / (1 + e^{-t})$ of a linear $t$.
# 3. Logistic regression fits $\mathbf{w}_k$ and $b_k$ directly, from labelled points.
#    What does the mixture model that logistic regression does not?
#
# *What the check tests.* Three cases: `overlapping_2d`; $K = 3$ components in 3-D with unequal weights and a correlated $\boldsymbol\Sigma$; and $K = 3$ in 1-D with $\boldsymbol\Sigma = 0.6$ (all as NumPy arrays: weights (K,), means (K, D), cov (D, D)).
# The softmax does not change when the same vector is added to every $\mathbf{w}_k$ and the same number to every $b_k$, so the check compares `(W, b)` up to such a common shift, to a relative $10^{-8}$ (absolute $10^{-10}$).
# The check refuses `gb.responsibilities`, `gb.e_step` and `gb.log_joint`: the point is the formula, not a fit to the library's posterior.
# A wrong answer is told its mistake ($\boldsymbol\Sigma$ for $\boldsymbol\Sigma^{-1}$, a lost $\tfrac12$, …), never `W` or `b`.

# %%
def tied_softmax(weights, means, cov):
    """(W, b) with r_k(x) = softmax_k(W x + b) for components that share the covariance cov (chapter 04, eq. log-odds).

    Parameters
    ----------
    weights : ndarray, shape (K,)
    means : ndarray, shape (K, D)
    cov : ndarray, shape (D, D)
        The covariance Σ shared by all components.

    Returns
    -------
    W : ndarray, shape (K, D)
    b : ndarray, shape (K,)
    """
    # BEGIN SOLUTION
    precision = np.linalg.inv(cov)                                       # Sigma^-1
    W = means @ precision                                                # w_k = Sigma^-1 mu_k (Sigma^-1 is symmetric)
    b = np.log(weights) - 0.5 * np.einsum("ki,ij,kj->k", means, precision, means)   # ln pi_k - mu_k^T Sigma^-1 mu_k / 2
    return W, b
    # END SOLUTION


# %%
check("tied_softmax", tied_softmax)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. Take the logarithm of the numerator of equation (resp), with equation (gauss), and multiply out the quadratic form:
#
#    $$ \ln\big(\pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma)\big) = \underbrace{\ln \pi_k - \tfrac12 \boldsymbol\mu_k^\top \boldsymbol\Sigma^{-1} \boldsymbol\mu_k}_{b_k} + \underbrace{(\boldsymbol\Sigma^{-1}\boldsymbol\mu_k)^\top}_{\mathbf{w}_k^\top} \mathbf{x} \; \underbrace{- \tfrac12 \mathbf{x}^\top \boldsymbol\Sigma^{-1} \mathbf{x} - \tfrac12 \ln\det(2\pi\boldsymbol\Sigma)}_{\text{the same for every } k} . $$
#
#    The cross term $-\tfrac12(-2\boldsymbol\mu_k^\top\boldsymbol\Sigma^{-1}\mathbf{x})$ uses the symmetry of $\boldsymbol\Sigma^{-1}$.
#    Equation (resp) divides $e^{(\cdot)}$ of these by their sum over $k$, so a term common to all $k$ cancels, and what remains is the softmax with $\mathbf{w}_k = \boldsymbol\Sigma^{-1} \boldsymbol\mu_k$ and $b_k = \ln \pi_k - \tfrac12 \boldsymbol\mu_k^\top \boldsymbol\Sigma^{-1} \boldsymbol\mu_k$.
#    With different covariances the term $-\tfrac12 \mathbf{x}^\top \boldsymbol\Sigma_k^{-1} \mathbf{x}$ depends on $k$ and the scores are quadratic, as in equation (log-odds).
# 2. Here $\mathbf{w}_1 = (0, 0)$, $b_1 = \ln\tfrac12$, $\mathbf{w}_2 = (2, 0)$, $b_2 = \ln\tfrac12 - 2$.
#    Dividing numerator and denominator by $e^{\mathbf{w}_1^\top\mathbf{x} + b_1}$,
#    $r_1(\mathbf{x}) = 1 / \big(1 + e^{(\mathbf{w}_2 - \mathbf{w}_1)^\top \mathbf{x} + b_2 - b_1}\big) = 1 / (1 + e^{2x_1 - 2})$: a logistic function of $x_1$ alone, equal to $\tfrac12$ on the line $x_1 = 1$ halfway between the means, and independent of $x_2$ because the components differ only along the first axis.
# 3. Logistic regression models only $p(\mathbf{z} \mid \mathbf{x})$: $(K - 1)(D + 1)$ free numbers, since only differences matter.
#    The mixture models how the points themselves are spread, $p(\mathbf{x})$: weights, means and a covariance, $(K - 1) + KD + D(D + 1)/2$ numbers.
#    That is what lets it learn from unlabelled points (EM, chapters 05 and 06), generate new points, and say when a point is far from every component; logistic regression needs labels, but makes no assumption about the shape of the clusters, so it stays right when the Gaussian model is wrong.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **CHECK (log-odds), tied.** On 1000 points of `overlapping_2d`, the softmax of `tied_softmax` and the logistic formula of part 2 must equal `gb.responsibilities` within $10^{-12}$; so must the softmax for a tied $K = 3$ mixture in 3-D.

# %% tags=["solution-only"]
gmm_ov = gb.datasets.overlapping_2d()
X_ov, _ = gb.sample(gmm_ov, 1000, np.random.default_rng(9))
W_ov, b_ov = tied_softmax(gmm_ov.weights, gmm_ov.means, gmm_ov.covariances[0])
resp_ov = gb.responsibilities(X_ov, gmm_ov)
print("W =", W_ov.tolist(), " b =", np.round(b_ov, 4).tolist())
assert np.max(np.abs(special.softmax(X_ov @ W_ov.T + b_ov, axis=1) - resp_ov)) < 1e-12
assert np.max(np.abs(1 / (1 + np.exp(2 * X_ov[:, 0] - 2)) - resp_ov[:, 0])) < 1e-12

rng_t = np.random.default_rng(10)
A_t = rng_t.normal(size=(3, 3))
gmm_t = gb.GMM(np.array([0.5, 0.3, 0.2]), rng_t.normal(size=(3, 3)), np.stack([A_t @ A_t.T + np.eye(3)] * 3))
X_t, _ = gb.sample(gmm_t, 500, rng_t)
W_t, b_t = tied_softmax(gmm_t.weights, gmm_t.means, gmm_t.covariances[0])
assert np.max(np.abs(special.softmax(X_t @ W_t.T + b_t, axis=1) - gb.responsibilities(X_t, gmm_t))) < 1e-12
print("check (log-odds), tied: softmax(W x + b) equals gb.responsibilities within 1e-12 for overlapping_2d and a"
      " tied 3-D mixture; for overlapping_2d r_1 = 1 / (1 + exp(2 x_1 - 2))")

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("04_posterior")

# %% [markdown]
# # Exercises for chapter 01: Mixtures of Gaussians
#
# These exercises go with [chapter 01, Mixtures of Gaussians](../../chapters/01_mixtures.ipynb).
# They use its notation and refer to its equations by their labels, such as equation (mixture) and equation (count).
#
# ## How to work the exercises
#
# - Each exercise is labelled (implement), (derive) or (explain).
# - In a code cell that says `# YOUR CODE HERE`, replace that line and the `raise NotImplementedError` below it with your code, keeping the `def` line and the docstring.
#   Run the cell, then run the check cell after it: `check(...)` tests your answer on cases chosen to expose the usual mistakes, and says either that it is right or which mistake it sees.
#   Until you have written something, the check says "not attempted yet".
# - In a Markdown cell that says *Write your answer here.*, write your reasoning or your explanation in words and formulas.
#   Questions without a check cell are answered by the model answers in the worked solutions, `exercises/solutions/01_mixtures.ipynb`.
# - Only the check cells call your functions, so the notebook runs from top to bottom even before you have answered anything.
# - A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
#   Its verdict names the cases already passed and shows what your function printed.
#   Nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# - The last cell shows your progress: how many checks passed in this session.

# %%
import itertools

import numpy as np
from scipy import linalg, stats
from scipy.cluster.vq import kmeans2

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Exercise 1 (implement): the mixture density, with a Cholesky factor
#
# Write `mixture_density(X, weights, means, covariances)`, which returns $p(\mathbf{x}_n) = \sum_k \pi_k\,\mathcal{N}(\mathbf{x}_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$, equation (mixture), for every row of `X`.
# The shapes are those of the chapter: `X` is (N, D), `weights` (K,), `means` (K, D), `covariances` (K, D, D); the result is (N,).
#
# The chapter's `gauss_pdf` used `np.linalg.inv` and `np.linalg.det`.
# Numerical libraries (SciPy, scikit-learn, `gmmbook`) use one Cholesky factorisation per component instead: with $\boldsymbol\Sigma = \mathbf{L}\mathbf{L}^\top$ and $\mathbf{L}$ lower triangular,
#
# $$ \Delta^2(\mathbf{x}) = \big\lVert \mathbf{L}^{-1}(\mathbf{x}-\boldsymbol\mu) \big\rVert^2, \qquad (\det\boldsymbol\Sigma)^{1/2} = \prod_{d=1}^D L_{dd}. $$
#
# Use these two identities in equation (gauss).
#
# *Hint.* `L = np.linalg.cholesky(cov)`; then `linalg.solve_triangular(L, (X - mean).T, lower=True)` returns $\mathbf{L}^{-1}(\mathbf{x}_n-\boldsymbol\mu)$ for all $n$ at once, as the columns of a (D, N) array.
# Watch the shapes in one dimension: `X` is then (N, 1) and `covariances` is (K, 1, 1), holding variances, not standard deviations.
#
# *What the check tests.* A 1-D mixture of three components at 6 points and a 2-D mixture of two at 3 points; your densities must agree with $p(\mathbf{x}_n)$ to a relative $10^{-6}$.
# It compares values only, so it cannot tell which route you took; it refuses `gmmbook`'s own `gb.log_marginal`, `gb.log_joint` and `gb.log_likelihood`.

# %% [markdown] tags=["solution-only"]
# **Solution.**
# Why the two identities hold: $\boldsymbol\Sigma^{-1} = (\mathbf{L}\mathbf{L}^\top)^{-1} = \mathbf{L}^{-\top}\mathbf{L}^{-1}$, so $(\mathbf{x}-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}(\mathbf{x}-\boldsymbol\mu) = \mathbf{u}^\top\mathbf{u}$ with $\mathbf{u} = \mathbf{L}^{-1}(\mathbf{x}-\boldsymbol\mu)$; and $\det\boldsymbol\Sigma = \det\mathbf{L}\,\det\mathbf{L}^\top = \big(\prod_d L_{dd}\big)^2$, because the determinant of a triangular matrix is the product of its diagonal.
# A triangular solve is cheaper and more accurate than forming $\boldsymbol\Sigma^{-1}$, and adding up $\ln L_{dd}$ gives $\tfrac12\ln\det\boldsymbol\Sigma$ without computing $\det\boldsymbol\Sigma$ itself, which overflows or underflows for large D.
# We build the normalising constant of equation (gauss) in log space for that reason, and add the K weighted densities.

# %%
def mixture_density(X, weights, means, covariances):
    """The mixture density p(x_n) = Σ_k π_k N(x_n | μ_k, Σ_k) for every row of X (chapter 01, eq. mixture).

    Parameters
    ----------
    X : ndarray, shape (N, D)
        The points x_n, one per row.
    weights : ndarray, shape (K,)
        Mixing weights π_k.
    means : ndarray, shape (K, D)
        Component means μ_k.
    covariances : ndarray, shape (K, D, D)
        Component covariances Σ_k.

    Returns
    -------
    ndarray, shape (N,)
        p(x_n) for n = 1, ..., N.
    """
    # BEGIN SOLUTION
    N, D = X.shape
    density = np.zeros(N)
    for weight, mean, cov in zip(weights, means, covariances):
        L = np.linalg.cholesky(cov)                                    # Σ_k = L Lᵀ
        u = linalg.solve_triangular(L, (X - mean).T, lower=True)       # L⁻¹(x_n − μ_k), shape (D, N)
        delta2 = np.sum(u**2, axis=0)                                  # Δ² = ‖L⁻¹(x_n − μ_k)‖²
        log_normaliser = 0.5 * D * np.log(2 * np.pi) + np.sum(np.log(np.diag(L)))
        density += weight * np.exp(-0.5 * delta2 - log_normaliser)     # π_k N(x_n | μ_k, Σ_k)
    return density
    # END SOLUTION


# %%
check("mixture_density", mixture_density)

# %% [markdown]
# ## Exercise 2 (derive): counting the parameters through the Cholesky factor
#
# Section 5 of the chapter counted the free numbers of a covariance matrix by its upper triangle.
# Count them again another way.
# Every symmetric positive definite $\boldsymbol\Sigma$ is $\mathbf{L}\mathbf{L}^\top$ for exactly one lower-triangular $\mathbf{L}$ with a positive diagonal, and every such $\mathbf{L}$ gives a symmetric positive definite $\boldsymbol\Sigma$; so choosing $\boldsymbol\Sigma$ is the same as choosing $\mathbf{L}$.
#
# 1. How many free numbers does $\mathbf{L}$ have?
#    Do the conditions $L_{dd} > 0$ reduce that number?
#    Does $\pi_k \ge 0$ reduce the number of free weights, and does $\sum_k \pi_k = 1$?
# 2. Write `count_parameters(K, D)`: the number of free parameters of a K-component mixture with full covariances in D dimensions.
#    Build it from your counts, not from `gb.n_parameters` (the check refuses it).
#
# *What the check tests.* $(K, D) = (1, 1), (2, 2), (3, 4), (5, 10), (4, 7)$; each count must be exact, as a Python, NumPy or SymPy integer or a float with a whole value.
# When a count is wrong, the check names the mistake it recognises, never the count.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. $\mathbf{L}$ has D entries on its diagonal and $1 + 2 + \dots + (D-1) = D(D-1)/2$ below it, so $D + D(D-1)/2 = D(D+1)/2$ free numbers, the same count as the upper triangle of $\boldsymbol\Sigma$.
#    The conditions $L_{dd} > 0$ do not reduce it: an inequality only cuts out a region of the space, and that region still has the full dimension (near any allowed $\mathbf{L}$ every entry can still move a little in both directions).
#    For the same reason $\pi_k \ge 0$ does not reduce the count of weights, while the *equality* $\sum_k \pi_k = 1$ fixes one weight once the others are chosen, which leaves $K - 1$.
# 2. Adding the K means of D numbers each:
#
# $$ P = K D + K\,\frac{D(D+1)}{2} + (K - 1), $$
#
# which is equation (count).
# Integer arithmetic is exact here because $D(D+1)$ is always even.
# <!-- END SOLUTION -->

# %%
def count_parameters(K, D):
    """The number of free parameters of a K-component, full-covariance Gaussian mixture in D dimensions
    (chapter 01, eq. count).

    Parameters
    ----------
    K : int
        Number of components.
    D : int
        Number of dimensions.

    Returns
    -------
    int
    """
    # BEGIN SOLUTION
    means = K * D
    cholesky_factors = K * D * (D + 1) // 2      # diagonal plus strictly lower triangle of each L_k
    weights = K - 1                              # the sum-to-one constraint fixes one weight
    return means + cholesky_factors + weights
    # END SOLUTION


# %%
check("count_parameters", count_parameters)

# %% [markdown]
# ## Exercise 3 (explain): why K-means cuts the elongated clusters the wrong way
#
# Section 3 of the chapter showed that K-means cuts the two long clusters of `gb.datasets.elongated_2d()` (means $(0, \pm 1.5)$, covariances $\operatorname{diag}(4, 0.15)$) across, at $x_1 \approx 0$, and that its own objective, equation (kmeans), prefers that cut to the truth, equations (sse-true) and (sse-split).
#
# 1. Explain in words why the cut wins: what does $J$ measure, and what does the cut gain and lose?
# 2. Move the clusters apart, to means $(0, \pm d)$ with the same covariances.
#    From how large a $d$ on does $J$ prefer the true grouping to the cut at $x_1 = 0$?
# 3. What does a full covariance change?
#    *Hint:* give each group its own maximum-likelihood Gaussian.
#    By equation (loglik-one), a group of $N_k$ points then scores $-\tfrac{N_k}{2}\big[D\ln 2\pi + \ln\det\hat{\boldsymbol\Sigma}_k + D\big]$, while its share of $J$ is $N_k\operatorname{tr}\hat{\boldsymbol\Sigma}_k$ (the sum of squared distances to the group mean).
#    Compare the trace with the determinant for the two groupings.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
#
# 1. $J$ adds up squared Euclidean distances to the centres, the same in every direction, so it scores a grouping by the total spread of its groups, $\sum_k N_k \operatorname{tr}\hat{\boldsymbol\Sigma}_k$: the sum of the variances in *all* directions.
#    The true groups are long: their spread along $x_1$ (variance 4) is much larger than the distance between them along $x_2$ (each mean is 1.5 from the middle).
#    Cutting at $x_1 = 0$ halves the long direction, which lowers the $x_1$ variance from $4$ to $4(1 - 2/\pi) \approx 1.45$, a gain of $8/\pi \approx 2.55$ per point.
#    The price is that each half now contains both clusters, which adds $1.5^2 = 2.25$ to the $x_2$ variance.
#    The gain is larger than the price, so $J$ prefers the cut, and restarting K-means and keeping the run with the smallest $J$ cannot help: K-means answers its own question correctly, but it is the wrong question for these clusters.
# 2. The cut gains $8/\pi$ and pays $d^2$, so the truth wins when $d^2 > 8/\pi$, that is $d > \sqrt{8/\pi} \approx 1.60$.
#    The chapter's $d = 1.5$ lies just on the wrong side; at $d = 2$ K-means finds the true grouping.
#    (This compares the truth with one particular cut only, but it is the cut K-means finds.)
# 3. A full covariance measures each cluster in its own units: the exponent of equation (gauss) is the Mahalanobis distance $\Delta^2$, which charges a step across a thin cluster $1/0.15 \approx 6.7$ per unit squared and a step along it only $1/4$.
#    For a whole grouping, the likelihood with one fitted Gaussian per group is governed by $\sum_k N_k \ln\det\hat{\boldsymbol\Sigma}_k$, the log *volume* of the groups, not by their total variance.
#    The true groups are long but extremely thin, $\det = 4 \times 0.15 = 0.6$; each half of the cut is a fat blob, $\det \approx 1.45 \times 2.40 \approx 3.5$.
#    So the likelihood prefers the truth by about $\tfrac12\ln(3.5/0.6) \approx 0.88$ per point, where $J$ preferred the cut by 0.30 per point.
#    A spherical mixture, $\boldsymbol\Sigma_k = \sigma_k^2\mathbf{I}$, does not help: its fitted $\sigma_k^2$ is $\operatorname{tr}\hat{\boldsymbol\Sigma}_k / D$, so its score depends on the traces again, like $J$; that is why the chapter's spherical mixture failed too, although its assignments are soft.
#    What fixes shortcoming 1 is the shape of the covariance, not soft assignment.
# <!-- END SOLUTION -->

# %% [markdown] tags=["solution-only"]
# **A numerical demonstration.**
# For $d = 1.5$ and $d = 2$ we draw 400 points (seed 1, as in the chapter) and score the true grouping and the cut at $x_1 = 0$ both ways: $J / N = \sum_k N_k \operatorname{tr}\hat{\boldsymbol\Sigma}_k / N$, and $\sum_k N_k \ln\det\hat{\boldsymbol\Sigma}_k / N$.
# Then we run K-means from 10 seeds, keep the run with the smallest $J$, and count its misassigned points as in the chapter.

# %% tags=["solution-only"]
def spread_scores(X, labels):
    """(Σ_k N_k tr Σ̂_k / N, Σ_k N_k ln det Σ̂_k / N) of a hard grouping, with Σ̂_k the group's ML covariance."""
    trace, log_det = 0.0, 0.0
    for k in np.unique(labels):
        Xk = X[labels == k]
        cov_k = np.cov(Xk.T, bias=True)
        trace += len(Xk) * np.trace(cov_k)
        log_det += len(Xk) * np.linalg.slogdet(cov_k)[1]
    return trace / len(X), log_det / len(X)


def fraction_misassigned(labels, true_labels, K=2):
    """The chapter's score: the fraction of wrong labels under the best renaming of the clusters."""
    return min(np.mean(np.array(perm)[labels] != true_labels) for perm in itertools.permutations(range(K)))


cov_long = np.diag([4.0, 0.15])
print(f"    d   grouping   J/N   mean ln det   (threshold sqrt(8/pi) = {np.sqrt(8 / np.pi):.3f})")
results = {}
for d in (1.5, 2.0):
    model = gb.GMM(np.array([0.5, 0.5]), np.array([[0.0, -d], [0.0, d]]), np.array([cov_long, cov_long]))
    X_d, labels_d = gb.sample(model, 400, np.random.default_rng(1))
    cut = (X_d[:, 0] > 0).astype(int)
    runs = [kmeans2(X_d, 2, minit="++", rng=np.random.default_rng(seed))[1] for seed in range(10)]
    best_run = min(runs, key=lambda labels: spread_scores(X_d, labels)[0])
    results[d] = spread_scores(X_d, labels_d), spread_scores(X_d, cut), fraction_misassigned(best_run, labels_d)
    for name, (trace, log_det) in (("truth", results[d][0]), ("cut", results[d][1])):
        print(f"{d:5.1f}   {name:8s} {trace:6.2f} {log_det:12.2f}")
    print(f"        K-means, best J of 10 runs, misassigns {100 * results[d][2]:.1f}% of the points")

# %% [markdown] tags=["solution-only"]
# **CHECK.** At $d = 1.5$ the cut has the smaller $J$ and K-means' best run misassigns at least 40 %; at $d = 2$ the truth has the smaller $J$ and K-means is right (at most 1 % misassigned).
# At both separations the log-determinant score prefers the truth, by more than 1.5 per point.

# %% tags=["solution-only"]
(truth_15, cut_15, wrong_15), (truth_20, cut_20, wrong_20) = results[1.5], results[2.0]
assert cut_15[0] < truth_15[0] and wrong_15 >= 0.4
assert truth_20[0] < cut_20[0] and wrong_20 <= 0.01
assert cut_15[1] - truth_15[1] > 1.5 and cut_20[1] - truth_20[1] > 1.5
print("check: J prefers the cut at d = 1.5 and the truth at d = 2 (threshold 1.60); "
      "sum_k N_k ln det prefers the truth at both")

# %% [markdown]
# ## Exercise 4 (derive): the mean and covariance of a mixture
#
# Let $\mathbf{x}$ have the mixture density of equation (mixture).
#
# 1. Show that its mean is $\bar{\boldsymbol\mu} = \mathbb{E}[\mathbf{x}] = \sum_k \pi_k \boldsymbol\mu_k$.
# 2. Show that its covariance is
#
#    $$ \operatorname{Cov}[\mathbf{x}] = \sum_{k=1}^K \pi_k \boldsymbol\Sigma_k + \sum_{k=1}^K \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top. $$
#
#    Which term describes the spread *within* the components, and which the spread *between* them?
#
# *Hint:* each integral splits over the components, as in equation (integral); for one Gaussian, $\int \mathbf{x}\mathbf{x}^\top \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu,\boldsymbol\Sigma)\,d\mathbf{x} = \boldsymbol\Sigma + \boldsymbol\mu\boldsymbol\mu^\top$.
#
# To test your formulas, the next cell draws 200 000 points from the two-component Old Faithful fit of section 1 of the chapter and prints their mean and covariance.
# Your formulas, evaluated for the fit, should agree with the simulation up to its Monte Carlo error, in the last printed digit or two.

# %%
X_faithful = gb.datasets.old_faithful()
fit = gb.em(X_faithful, 2, rng=np.random.default_rng(0))          # the fit of section 1
X_sim, _ = gb.sample(fit.gmm, 200_000, np.random.default_rng(1))
print("mean of 200 000 draws:      ", np.round(X_sim.mean(axis=0), 2))
print("covariance of 200 000 draws:")
print(np.round(np.cov(X_sim.T, bias=True), 2))

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. The integral of a sum is the sum of the integrals, and the mean of component k is $\boldsymbol\mu_k$:
#
#    $$ \mathbb{E}[\mathbf{x}] = \int \mathbf{x} \sum_k \pi_k \mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)\,d\mathbf{x} = \sum_k \pi_k \int \mathbf{x}\,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)\,d\mathbf{x} = \sum_k \pi_k \boldsymbol\mu_k. $$
#
# 2. In the same way, $\mathbb{E}[\mathbf{x}\mathbf{x}^\top] = \sum_k \pi_k (\boldsymbol\Sigma_k + \boldsymbol\mu_k\boldsymbol\mu_k^\top)$, so
#
#    $$ \operatorname{Cov}[\mathbf{x}] = \mathbb{E}[\mathbf{x}\mathbf{x}^\top] - \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top = \sum_k \pi_k \boldsymbol\Sigma_k + \Big(\sum_k \pi_k \boldsymbol\mu_k\boldsymbol\mu_k^\top - \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top\Big). $$
#
#    The bracket is the second sum of the covariance formula of part 2: expanding $\sum_k \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top$ and using $\sum_k \pi_k = 1$ and $\sum_k \pi_k \boldsymbol\mu_k = \bar{\boldsymbol\mu}$ gives $\sum_k \pi_k \boldsymbol\mu_k\boldsymbol\mu_k^\top - \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top - \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top + \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top$.
#
#    $\sum_k \pi_k \boldsymbol\Sigma_k$ is the average spread *within* the components; $\sum_k \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top$ is the spread of the component means around the overall mean, *between* the components.
#    (This is the law of total variance, $\operatorname{Cov}[\mathbf{x}] = \mathbb{E}[\operatorname{Cov}[\mathbf{x}\mid z]] + \operatorname{Cov}[\mathbb{E}[\mathbf{x}\mid z]]$, with the label $z$ of chapter 02.)
#    For Old Faithful most of the variance of the waiting time is *between* the components: the two kinds of eruption differ by about 26 minutes.
# <!-- END SOLUTION -->

# %% [markdown]
# Now write your formulas as a function, run the check, and then compare them with the simulation above.
# The check tries a 1-D mixture of three components and a 2-D mixture of three; the mean and the covariance must agree to a relative $10^{-6}$ (absolute $10^{-9}$).

# %%
def mixture_moments(weights, means, covariances):
    """The mean and covariance of the mixture density (exercise 4: within plus between).

    weights (K,), means (K, D), covariances (K, D, D) → mean (D,), cov (D, D).
    """
    # BEGIN SOLUTION
    mean = weights @ means                                                      # Σ_k π_k μ_k
    centred = means - mean
    within = np.einsum("k,kij->ij", weights, covariances)                       # Σ_k π_k Σ_k
    between = np.einsum("k,ki,kj->ij", weights, centred, centred)               # Σ_k π_k (μ_k − μ̄)(μ_k − μ̄)ᵀ
    return mean, within + between
    # END SOLUTION


# %%
check("mixture_moments", mixture_moments)

# %% tags=["solution-only"]
weights, means, covariances = fit.gmm.weights, fit.gmm.means, fit.gmm.covariances
mixture_mean, mixture_cov = mixture_moments(weights, means, covariances)
centred = means - mixture_mean
between = np.einsum("k,ki,kj->ij", weights, centred, centred)
print("mean by the formula:      ", np.round(mixture_mean, 2))
print("covariance by the formula (within + between):")
print(np.round(mixture_cov, 2))
print("of which between:")
print(np.round(between, 2))

# %% [markdown] tags=["solution-only"]
# **CHECK (the mixture's moments).** Each coordinate of the simulated mean, and each entry of the simulated covariance, lies within 4 standard errors of the formula.
# The standard error of the mean is $\sqrt{\Sigma_{dd}/n}$ for $n$ draws; for a covariance entry we estimate it from the draws, as the standard deviation of the products $(x_d - \bar x_d)(x_e - \bar x_e)$ over $\sqrt{n}$ (the mixture is not Gaussian, so the formula of chapter 02 does not apply).

# %% tags=["solution-only"]
n_draws = len(X_sim)
dev = X_sim - X_sim.mean(axis=0)
se_mean = np.sqrt(np.diag(mixture_cov) / n_draws)
se_cov = np.std(dev[:, :, None] * dev[:, None, :], axis=0) / np.sqrt(n_draws)
assert np.all(np.abs(X_sim.mean(axis=0) - mixture_mean) < 4 * se_mean)
assert np.all(np.abs(np.cov(X_sim.T, bias=True) - mixture_cov) < 4 * se_cov)
print("check (the mixture's moments): the simulated mean and covariance agree with the formulas within 4 standard errors")

# %% [markdown] tags=["solution-only"]
# **A remark to come back to.**
# For the fitted mixture, the formulas give *exactly* the sample mean and the sample covariance (divisor N) of the 272 eruptions, which are the parameters of the best single Gaussian of section 1, equation (ml-gauss).
# This is no accident: with the M-step of chapter 05 you can prove that every EM update (without `reg_covar`) produces a mixture whose mean and covariance are exactly those of the data.
# So the fitted mixture keeps the first two moments of the single Gaussian and improves only on its shape.

# %% tags=["solution-only"]
assert np.allclose(mixture_mean, X_faithful.mean(axis=0), rtol=1e-10, atol=0)
assert np.allclose(mixture_cov, np.cov(X_faithful.T, bias=True), rtol=1e-10, atol=0)
print("check: the fitted mixture's mean and covariance equal the sample mean and covariance (divisor N), rel. error < 1e-10")

# %% [markdown]
# ## Exercise 5 (derive): how often is the best hard label wrong?
#
# Section 3 of the chapter stated that for `overlapping_2d` even the best rule that gives each point one label is wrong for a fraction $\Phi(-1) \approx 0.16$ of the points, and checked it by simulation.
# Here you derive that number, and what it becomes for any two clusters of the same shape.
#
# Take two components with equal weights $\pi_1 = \pi_2 = \tfrac12$, means $\boldsymbol\mu_1$ and $\boldsymbol\mu_2$, and the same covariance $\boldsymbol\Sigma$.
# The rule that gives each point one label and makes the fewest mistakes gives $\mathbf{x}$ to the component whose density is larger at $\mathbf{x}$ (with equal weights, the component more likely to have produced $\mathbf{x}$; chapter 04 shows why no rule does better).
#
# 1. Show that, with a shared $\boldsymbol\Sigma$, the rule gives $\mathbf{x}$ to the component with the smaller Mahalanobis distance $\Delta_k(\mathbf{x})$ of equation (gauss), and that the boundary $\Delta_1^2(\mathbf{x}) = \Delta_2^2(\mathbf{x})$ is a hyperplane (a straight line when D = 2).
# 2. Derive the probability that the rule's label is wrong for a point drawn from the mixture, as a function of $\boldsymbol\mu_1$, $\boldsymbol\mu_2$ and $\boldsymbol\Sigma$.
#    It must give $\Phi(-1)$ for `overlapping_2d`.
# 3. Write `hard_label_error(means, cov)`, with `means` of shape (2, D) and `cov` of shape (D, D), which returns that probability.
# 4. Evaluate it for `gb.datasets.elongated_2d()`, and for the same clusters turned so that their means, $(\pm 1.5, 0)$, lie along the long direction.
#    Both pairs of means are 3 apart.
#    What does this say about shortcoming 1 of K-means?
#
# *Hint.* Write the boundary as $\mathbf{w}^\top\mathbf{x} = c$.
# Under component k, $y = \mathbf{w}^\top\mathbf{x}$ is a 1-D Gaussian (a linear function of a Gaussian vector): find its mean and its variance, and where $c$ lies between the two means of $y$.
# $\Phi$ is `scipy.stats.norm.cdf`.
#
# *What the check tests.* Five cases: a 1-D pair with variance 9 (means 0 and 4.5), `overlapping_2d`, `elongated_2d`, the same long clusters with means $(\pm 1.5, 0)$, and a 4-D pair with a correlated covariance.
# Your probability must agree with the exact one to a relative $10^{-6}$ (absolute $10^{-12}$), as a Python, NumPy or SymPy number: a simulation is not precise enough.
# When it is wrong, the check names the mistake it recognises, never the probability.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. By equation (gauss), $\ln\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma) = -\tfrac D2\ln 2\pi - \tfrac12\ln\det\boldsymbol\Sigma - \tfrac12\Delta_k^2(\mathbf{x})$.
#    The first two terms are the same for both components, so the larger density is the one with the smaller $\Delta_k^2$.
#    Multiplying out the two quadratic forms, the terms $\mathbf{x}^\top\boldsymbol\Sigma^{-1}\mathbf{x}$ cancel:
#
#    $$ \Delta_1^2(\mathbf{x}) - \Delta_2^2(\mathbf{x}) = 2\,\mathbf{w}^\top\mathbf{x} - \boldsymbol\mu_2^\top\boldsymbol\Sigma^{-1}\boldsymbol\mu_2 + \boldsymbol\mu_1^\top\boldsymbol\Sigma^{-1}\boldsymbol\mu_1, \qquad \mathbf{w} = \boldsymbol\Sigma^{-1}(\boldsymbol\mu_2 - \boldsymbol\mu_1). $$
#
#    So the rule labels $\mathbf{x}$ with 2 when $\mathbf{w}^\top\mathbf{x} > c = \tfrac12(\boldsymbol\mu_2^\top\boldsymbol\Sigma^{-1}\boldsymbol\mu_2 - \boldsymbol\mu_1^\top\boldsymbol\Sigma^{-1}\boldsymbol\mu_1) = \mathbf{w}^\top\tfrac12(\boldsymbol\mu_1 + \boldsymbol\mu_2)$ (the cross terms cancel because $\boldsymbol\Sigma^{-1}$ is symmetric): a hyperplane through the midpoint of the means, not in general perpendicular to $\boldsymbol\mu_2 - \boldsymbol\mu_1$.
# 2. Under component k, $y = \mathbf{w}^\top\mathbf{x}$ has mean $\mathbf{w}^\top\boldsymbol\mu_k$ and variance $\mathbf{w}^\top\boldsymbol\Sigma\mathbf{w} = (\boldsymbol\mu_2 - \boldsymbol\mu_1)^\top\boldsymbol\Sigma^{-1}(\boldsymbol\mu_2 - \boldsymbol\mu_1) = \Delta^2$, the squared Mahalanobis distance between the means.
#    Its two means are $\mathbf{w}^\top\boldsymbol\mu_2 - \mathbf{w}^\top\boldsymbol\mu_1 = \Delta^2$ apart, and $c$ lies halfway, $\Delta^2/2$ from each, which is $\Delta/2$ standard deviations of $y$.
#    A point of component 1 is mislabelled when its $y$ lies more than $\Delta/2$ standard deviations above its mean, with probability $\Phi(-\Delta/2)$; by symmetry the same holds for component 2.
#    Each component draws half of the points, so the rule is wrong with probability
#
#    $$ \tfrac12\,\Phi(-\Delta/2) + \tfrac12\,\Phi(-\Delta/2) = \Phi(-\Delta/2), \qquad \Delta^2 = (\boldsymbol\mu_2 - \boldsymbol\mu_1)^\top\boldsymbol\Sigma^{-1}(\boldsymbol\mu_2 - \boldsymbol\mu_1). $$
#
#    For `overlapping_2d`, $\boldsymbol\Sigma = \mathbf{I}$ and $\Delta = 2$: $\Phi(-1)$, as the chapter said.
# 3. Below.
# 4. For `elongated_2d` the means differ across the thin direction, of variance 0.15: $\Delta = 3/\sqrt{0.15} \approx 7.75$ and the error is $\Phi(-3.87) \approx 5 \times 10^{-5}$, one point in 20 000.
#    Along the long direction, of variance 4, $\Delta = 1.5$ and the error is $\Phi(-0.75) \approx 0.23$.
#    The Euclidean distance, 3, is the same for both pairs, and would predict $\Phi(-1.5) \approx 0.07$ for both.
#    So the clusters of shortcoming 1 are not hard to tell apart at all: a model that knows their shape labels almost every point right (the full-covariance mixture of the chapter misassigned at most 1 %).
#    K-means failed because it measures the wrong distance, not because the data are ambiguous.
# <!-- END SOLUTION -->

# %%
def hard_label_error(means, cov):
    """The probability that the best hard label is wrong, for two components with weights ½ and a shared covariance.

    Parameters
    ----------
    means : ndarray, shape (2, D)
        The means μ_1 and μ_2.
    cov : ndarray, shape (D, D)
        The covariance Σ of both components.

    Returns
    -------
    float
    """
    # BEGIN SOLUTION
    diff = means[1] - means[0]                                    # μ_2 − μ_1
    delta = np.sqrt(diff @ np.linalg.solve(cov, diff))            # Mahalanobis distance between the means
    return float(stats.norm.cdf(-delta / 2))                      # Φ(−Δ/2)
    # END SOLUTION


# %%
check("hard_label_error", hard_label_error)

# %% [markdown] tags=["solution-only"]
# **Part 4 in numbers, and a simulation.**
# We draw 400 000 points from each pair of long clusters and from `overlapping_2d`, label each with the component of the larger density, and count the wrong labels.
# We also average $1 - \max_k r_{nk}$, the probability that a point's hard label is wrong given the point (chapter 04), which must agree too.
#
# **CHECK.** Each error fraction, and each average of $1 - \max_k r_{nk}$, lies within 4 standard errors of `hard_label_error` (binomial for the fraction; the standard deviation of $1 - \max_k r_{nk}$ over $\sqrt{n}$ for the average).

# %% tags=["solution-only"]
long_thin = gb.datasets.elongated_2d()
pairs = {"overlapping_2d": gb.datasets.overlapping_2d(), "elongated_2d": long_thin,
         "long clusters, means along": gb.GMM(long_thin.weights, np.array([[-1.5, 0.0], [1.5, 0.0]]), long_thin.covariances)}
for seed, (name, model) in enumerate(pairs.items()):
    X_pair, z_pair = gb.sample(model, 400_000, np.random.default_rng(seed))
    resp_pair = gb.responsibilities(X_pair, model)
    wrong_fraction = np.mean(resp_pair.argmax(axis=1) != z_pair)
    doubt = 1 - resp_pair.max(axis=1)
    exact = hard_label_error(model.means, model.covariances[0])
    se = np.sqrt(exact * (1 - exact) / len(X_pair))
    assert abs(wrong_fraction - exact) < 4 * se
    assert abs(doubt.mean() - exact) < 4 * doubt.std() / np.sqrt(len(X_pair))
    print(f"{name:27s} Phi(-Delta/2) = {exact:.2e}; wrong labels {wrong_fraction:.2e}; mean of 1 - max r {doubt.mean():.2e}")
print("check: the simulated error rates and the mean doubt agree with Phi(-Delta/2) within 4 standard errors")

# %% [markdown]
# ## Exercise 6 (derive): the log-likelihood in other units
#
# Section 1 of the chapter measured the eruptions in minutes and found $\ell = -1130.264$ for the best two-component mixture.
# Section 4 first standardised the columns, `X_std = (X - X.mean(axis=0)) / X.std(axis=0)`, and printed quite different values of $\ell$ for fits of the same kind.
# Both are right: $\ell$ depends on the units, because a density is probability per unit of volume.
#
# Write $\bar{\mathbf{x}}$ for the column means, $\hat\sigma_d$ for the column standard deviations (`X.std(axis=0)`, divisor N) and $\mathbf{S} = \operatorname{diag}(\hat\sigma_1, \dots, \hat\sigma_D)$, so that $\mathbf{x}^{\text{std}} = \mathbf{S}^{-1}(\mathbf{x} - \bar{\mathbf{x}})$.
# A mixture $\theta^{\text{std}}$ of the standardised data describes the raw data as the mixture $\theta$ with the same weights, means $\bar{\mathbf{x}} + \mathbf{S}\boldsymbol\mu_k^{\text{std}}$ and covariances $\mathbf{S}\boldsymbol\Sigma_k^{\text{std}}\mathbf{S}$.
#
# 1. Show that $\ln p(\mathbf{x}_n\mid\theta) - \ln p(\mathbf{x}_n^{\text{std}}\mid\theta^{\text{std}})$ is the same number for every point and every $\theta^{\text{std}}$, and find it.
#    Then express $\ell$ on the raw data through $\ell^{\text{std}}$ on the standardised data.
# 2. Write `raw_loglik(loglik_std, X)`, which returns $\ell$ on the raw data `X` (shape (N, D)) of the mixture whose log-likelihood on the standardised data is `loglik_std`.
# 3. (explain) For which of the covariance structures of section 4 (full, diag, spherical, tied) is the best fit on the standardised data, mapped back to minutes, also the best fit of that structure on the raw data?
#
# *Hint.* Start from one Gaussian, equation (gauss): what are $\det(\mathbf{S}\boldsymbol\Sigma\mathbf{S})$, and the Mahalanobis distance of $\mathbf{x}$ from $\bar{\mathbf{x}} + \mathbf{S}\boldsymbol\mu$ under $\mathbf{S}\boldsymbol\Sigma\mathbf{S}$?
#
# *What the check tests.* Three data sets with a given `loglik_std` each: Old Faithful, 50 points in 3-D whose columns have scales 0.01, 1 and 250, and 7 points in 1-D.
# Your $\ell$ must agree with the exact one to a relative $10^{-6}$ (absolute $10^{-9}$), as a Python, NumPy or SymPy number.
# When it is wrong, the check names the mistake it recognises, never the value.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
#
# 1. For one component, $\det(\mathbf{S}\boldsymbol\Sigma\mathbf{S}) = (\det\mathbf{S})^2\det\boldsymbol\Sigma = \big(\prod_d \hat\sigma_d\big)^2\det\boldsymbol\Sigma$, and, with $(\mathbf{S}\boldsymbol\Sigma\mathbf{S})^{-1} = \mathbf{S}^{-1}\boldsymbol\Sigma^{-1}\mathbf{S}^{-1}$,
#
#    $$ (\mathbf{x} - \bar{\mathbf{x}} - \mathbf{S}\boldsymbol\mu)^\top(\mathbf{S}\boldsymbol\Sigma\mathbf{S})^{-1}(\mathbf{x} - \bar{\mathbf{x}} - \mathbf{S}\boldsymbol\mu) = (\mathbf{x}^{\text{std}} - \boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}(\mathbf{x}^{\text{std}} - \boldsymbol\mu): $$
#
#    the Mahalanobis distance does not change, and only the normaliser of equation (gauss) does, so $\mathcal{N}(\mathbf{x}\mid\bar{\mathbf{x}} + \mathbf{S}\boldsymbol\mu, \mathbf{S}\boldsymbol\Sigma\mathbf{S}) = \mathcal{N}(\mathbf{x}^{\text{std}}\mid\boldsymbol\mu,\boldsymbol\Sigma) / \prod_d \hat\sigma_d$.
#    Every component is divided by the same $\prod_d \hat\sigma_d$, so the weighted sum is too: $\ln p(\mathbf{x}_n\mid\theta) = \ln p(\mathbf{x}_n^{\text{std}}\mid\theta^{\text{std}}) - \sum_d \ln\hat\sigma_d$ for every point, and summing over the N points,
#
#    $$ \ell = \ell^{\text{std}} - N\sum_{d=1}^D \ln\hat\sigma_d . $$
#
#    This is the change-of-variables rule for densities: dividing column d by $\hat\sigma_d$ shrinks every volume by $\prod_d \hat\sigma_d$, and the same probability in a smaller volume is a larger density.
#    For Old Faithful, $\hat\sigma = (1.14, 13.57)$ minutes and $N\sum_d \ln\hat\sigma_d \approx 744.8$.
# 2. The function below.
# 3. The shift $-N\sum_d\ln\hat\sigma_d$ is the same for every mixture, so the map of part 1 takes the best fit of a family on the standardised data to the best fit on the raw data, *provided* it maps the family onto itself.
#    It does for full covariances ($\mathbf{S}\boldsymbol\Sigma\mathbf{S}$ is any symmetric positive definite matrix), for diagonal ones ($\mathbf{S}$ times a diagonal matrix times $\mathbf{S}$ is diagonal) and for tied ones (all components keep one covariance).
#    It does not for spherical covariances: $\mathbf{S}\,\sigma_k^2\mathbf{I}\,\mathbf{S} = \sigma_k^2\mathbf{S}^2$ is a circle only if all $\hat\sigma_d$ are equal, so the spherical fit on standardised data is, in minutes, a diagonal model; the best spherical fit in minutes is another, and much worse, model (below).
#    So comparing values of $\ell$ across units means nothing, while comparing the structures of section 4 with each other is fair: all four are shifted by the same constant.
# <!-- END SOLUTION -->

# %%
def raw_loglik(loglik_std, X):
    """ℓ on the raw data X of a mixture whose log-likelihood on X_std = (X − X.mean(axis=0)) / X.std(axis=0) is loglik_std.

    Parameters
    ----------
    loglik_std : float
        The log-likelihood (a total over the points) on the standardised data.
    X : ndarray, shape (N, D)
        The raw data.

    Returns
    -------
    float
    """
    # BEGIN SOLUTION
    N = len(X)
    return loglik_std - N * np.sum(np.log(X.std(axis=0)))        # ℓ = ℓ_std − N Σ_d ln s_d
    # END SOLUTION


# %%
check("raw_loglik", raw_loglik)

# %% [markdown] tags=["solution-only"]
# **Part 3 in numbers.**
# We refit the four structures of section 4 on the standardised eruptions, map each fit back to minutes as in part 1, and evaluate it on the raw data.
#
# **CHECK.** For every structure, `gb.log_likelihood` of the mapped fit equals `raw_loglik` within $10^{-8}$, and for `full` it is mclust's $-1130.264$ of section 1 (within $5 \times 10^{-4}$).
# EM on the raw data started at the mapped `full`, `diag` and `tied` fits gains less than $10^{-6}$: they are already maxima.
# The best spherical fit in minutes (EM from a K-means start) is lower than the mapped spherical fit, which is a diagonal model in minutes, by more than 100.

# %% tags=["solution-only"]
X_faithful = gb.datasets.old_faithful()
m, s = X_faithful.mean(axis=0), X_faithful.std(axis=0)
X_std = (X_faithful - m) / s
for t in ("full", "diag", "spherical", "tied"):
    fit_std = gb.em(X_std, 2, covariance_type=t, rng=np.random.default_rng(0))       # as in section 4
    mapped = gb.GMM(fit_std.gmm.weights, m + fit_std.gmm.means * s, fit_std.gmm.covariances * np.outer(s, s))
    loglik_mapped = gb.log_likelihood(X_faithful, mapped)
    assert abs(loglik_mapped - raw_loglik(fit_std.log_likelihood, X_faithful)) < 1e-8
    if t == "spherical":
        best_in_minutes = gb.em(X_faithful, 2, covariance_type=t, rng=np.random.default_rng(0)).log_likelihood
        assert best_in_minutes < loglik_mapped - 100
        note = f"the best spherical fit in minutes has l = {best_in_minutes:.3f}"
    else:
        gain = gb.em(X_faithful, mapped, covariance_type=t, tol=1e-12).log_likelihood - loglik_mapped
        assert gain < 1e-6
        note = "EM in minutes from here gains < 1e-6"
    print(f"{t:9s} l_std {fit_std.log_likelihood:8.2f}   mapped to minutes {loglik_mapped:9.3f};  {note}")
    if t == "full":
        assert abs(loglik_mapped - (-1130.264)) < 5e-4
print("check: l = l_std - N sum_d ln s_d for every fit; full, diag and tied fits map to maxima in minutes, "
      "the spherical one does not")

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("01_mixtures")

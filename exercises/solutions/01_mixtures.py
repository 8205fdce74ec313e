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

# %%
import itertools

import numpy as np
from scipy import linalg
from scipy.cluster.vq import kmeans2

import gmmbook as gb
from gmmbook.exercises import check

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
# $$ \Delta^2(\mathbf{x}) = \big\lVert \mathbf{L}^{-1}(\mathbf{x}-\boldsymbol\mu) \big\rVert^2, \qquad (\det\boldsymbol\Sigma)^{1/2} = \prod_{d=1}^D L_{dd}. \tag{chol-gauss} $$
#
# Use equation (chol-gauss) in equation (gauss).
#
# *Hint.* `L = np.linalg.cholesky(cov)`; then `linalg.solve_triangular(L, (X - mean).T, lower=True)` returns $\mathbf{L}^{-1}(\mathbf{x}_n-\boldsymbol\mu)$ for all $n$ at once, as the columns of a (D, N) array.
# Watch the shapes in one dimension: `X` is then (N, 1) and `covariances` is (K, 1, 1), holding variances, not standard deviations.

# %% [markdown] tags=["solution-only"]
# **Solution.**
# Why equation (chol-gauss) holds: $\boldsymbol\Sigma^{-1} = (\mathbf{L}\mathbf{L}^\top)^{-1} = \mathbf{L}^{-\top}\mathbf{L}^{-1}$, so $(\mathbf{x}-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}(\mathbf{x}-\boldsymbol\mu) = \mathbf{u}^\top\mathbf{u}$ with $\mathbf{u} = \mathbf{L}^{-1}(\mathbf{x}-\boldsymbol\mu)$; and $\det\boldsymbol\Sigma = \det\mathbf{L}\,\det\mathbf{L}^\top = \big(\prod_d L_{dd}\big)^2$, because the determinant of a triangular matrix is the product of its diagonal.
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
        delta2 = np.sum(u**2, axis=0)                                  # Δ², equation (chol-gauss)
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
#    Build it from your counts, not from `gb.n_parameters`.

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
#    $$ \operatorname{Cov}[\mathbf{x}] = \sum_{k=1}^K \pi_k \boldsymbol\Sigma_k + \sum_{k=1}^K \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top. \tag{mixture-cov} $$
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
#    The bracket is the second sum of equation (mixture-cov): expanding $\sum_k \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top$ and using $\sum_k \pi_k = 1$ and $\sum_k \pi_k \boldsymbol\mu_k = \bar{\boldsymbol\mu}$ gives $\sum_k \pi_k \boldsymbol\mu_k\boldsymbol\mu_k^\top - \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top - \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top + \bar{\boldsymbol\mu}\bar{\boldsymbol\mu}^\top$.
#
#    $\sum_k \pi_k \boldsymbol\Sigma_k$ is the average spread *within* the components; $\sum_k \pi_k (\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k - \bar{\boldsymbol\mu})^\top$ is the spread of the component means around the overall mean, *between* the components.
#    (This is the law of total variance, $\operatorname{Cov}[\mathbf{x}] = \mathbb{E}[\operatorname{Cov}[\mathbf{x}\mid z]] + \operatorname{Cov}[\mathbb{E}[\mathbf{x}\mid z]]$, with the label $z$ of chapter 02.)
#    For Old Faithful most of the variance of the waiting time is *between* the components: the two kinds of eruption differ by about 26 minutes.
# <!-- END SOLUTION -->

# %% [markdown]
# Now write your formulas as a function, run the check, and then compare them with the simulation above.

# %%
def mixture_moments(weights, means, covariances):
    """The mean and covariance of the mixture density, equation (mixture-cov).

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
# **CHECK (mixture-cov).** Each coordinate of the simulated mean, and each entry of the simulated covariance, lies within 4 standard errors of the formula.
# The standard error of the mean is $\sqrt{\Sigma_{dd}/M}$ for $M$ draws; for a covariance entry we estimate it from the draws, as the standard deviation of the products $(x_d - \bar x_d)(x_e - \bar x_e)$ over $\sqrt{M}$ (the mixture is not Gaussian, so the formula of chapter 02 does not apply).

# %% tags=["solution-only"]
M = len(X_sim)
dev = X_sim - X_sim.mean(axis=0)
se_mean = np.sqrt(np.diag(mixture_cov) / M)
se_cov = np.std(dev[:, :, None] * dev[:, None, :], axis=0) / np.sqrt(M)
assert np.all(np.abs(X_sim.mean(axis=0) - mixture_mean) < 4 * se_mean)
assert np.all(np.abs(np.cov(X_sim.T, bias=True) - mixture_cov) < 4 * se_cov)
print("check (mixture-cov): the simulated mean and covariance agree with the formulas within 4 standard errors")

# %% [markdown] tags=["solution-only"]
# **A remark to come back to.**
# For the fitted mixture, the formulas give *exactly* the sample mean and the sample covariance (divisor N) of the 272 eruptions, which are the parameters of the best single Gaussian of section 1, equation (ml-gauss).
# This is no accident: with the M-step of chapter 05 you can prove that every EM update (without `reg_covar`) produces a mixture whose mean and covariance are exactly those of the data.
# So the fitted mixture keeps the first two moments of the single Gaussian and improves only on its shape.

# %% tags=["solution-only"]
assert np.allclose(mixture_mean, X_faithful.mean(axis=0), rtol=1e-10, atol=0)
assert np.allclose(mixture_cov, np.cov(X_faithful.T, bias=True), rtol=1e-10, atol=0)
print("check: the fitted mixture's mean and covariance equal the sample mean and covariance (divisor N), rel. error < 1e-10")

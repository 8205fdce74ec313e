# %% [markdown]
# # Chapter 02: The latent-variable view
#
# Chapter 01 wrote a Gaussian mixture as a weighted sum of Gaussian densities, equation (mixture).
# This chapter tells the same model as a story with a hidden step: first choose a component, then draw a point from it.
# The choice is a random variable $\mathbf{z}$ that we never observe, a *latent* variable (Bishop, 2006, §9.2; Deisenroth, Faisal and Ong, 2020, §11.4).
# Chapter 03 sums $\mathbf{z}$ out and gets the likelihood; chapter 04 infers $\mathbf{z}$ from $\mathbf{x}$.
# Chapters 05 and 06 build the EM algorithm on this view.
#
# ## What you will learn
#
# - The one-hot label $\mathbf{z}$, its prior $p(\mathbf{z})$ and the conditional $p(\mathbf{x} \mid \mathbf{z})$.
# - Ancestral sampling, and how to test a sampler.
# - The joint $p(\mathbf{x}, \mathbf{z})$, for one point and for a data set.
# - Where soft assignment comes from, when every draw of $\mathbf{z}$ is hard.
# - Why $\mathbf{z}$ is a latent variable and not a parameter.
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture, equation (mixture), and the parameter count $M$, equation (count).
# - The product rule $p(a, b) = p(a)\,p(b \mid a)$, independence, expectation and variance.
#
# The symbols are those of chapter 00.
# Components are numbered $k = 1, \dots, K$ in the text and `0, ..., K-1` in the code.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
from scipy import linalg, stats

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The hidden label as a one-hot vector
#
# Every point is produced by exactly one of the $K$ components.
# We record which one in a vector $\mathbf{z} = (z_1, \dots, z_K)$ of zeros and ones with exactly one 1:
#
# $$ z_k \in \{0, 1\}, \qquad \sum_{k=1}^K z_k = 1 \tag{onehot} $$
#
# So $\mathbf{z}$ takes $K$ values, the unit vectors $\mathbf{e}_1, \dots, \mathbf{e}_K$, and $z_k = 1$ means "component $k$ produced the point".
# This is the *one-hot* (or 1-of-$K$) code.
# An integer label carries the same information; the one-hot code turns "pick the $k$-th factor" into arithmetic (section 2).
# In code, `np.eye(K, dtype=int)[labels]` turns integer labels into one-hot rows, and `Z.argmax(axis=1)` turns them back.
#
# Each draw of $\mathbf{z}$ is hard: exactly one entry is 1.
# Section 5 explains where the *soft* assignments of chapter 01 come from.

# %% [markdown]
# ## 2. The prior $p(\mathbf{z})$ and the conditional $p(\mathbf{x} \mid \mathbf{z})$
#
# The weight $\pi_k$ is the probability that the model picks component $k$: $\pi_k = p(z_k = 1)$.
# With the one-hot code the whole distribution is one product:
#
# $$ p(\mathbf{z}) = \prod_{k=1}^K \pi_k^{z_k} \tag{prior} $$
#
# For $\mathbf{z} = \mathbf{e}_j$, every factor $k \neq j$ is $\pi_k^0 = 1$ and factor $j$ is $\pi_j$, so $p(\mathbf{e}_j) = \pi_j$.
# The exponent works as a switch: it keeps the chosen factor and turns the others into 1.
# This is the *categorical* distribution $\mathrm{Cat}(\boldsymbol\pi)$, a multinomial with one trial.
# Only the constraint (onehot) makes it a distribution: summed over all $2^K$ binary vectors, the product gives $\prod_k (1 + \pi_k) > 1$.
#
# Once the component is chosen, the point is Gaussian with that component's parameters.
# The same switch writes this as
#
# $$ p(\mathbf{x} \mid \mathbf{z}) = \prod_{k=1}^K \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)^{z_k} \tag{cond} $$
#
# Logarithms turn both products into sums linear in $\mathbf{z}$, for example $\ln p(\mathbf{z}) = \sum_k z_k \ln \pi_k$.
# In floating point, $z_k \ln \pi_k$ is $0 \cdot (-\infty) = $ `nan` when $\pi_k = 0$; so code *selects* the chosen entry instead of multiplying by $\mathbf{z}$, as `gmmbook` does.
#
# **CHECK (prior).**
# Equation (prior), evaluated as a product of powers for every binary vector $\mathbf{z}$ with $K = 3$, must agree with SciPy's multinomial distribution with one trial on the one-hot vectors.
# Over all 8 binary vectors the products must sum to $\prod_k (1 + \pi_k)$, as expanding that product shows.

# %%
weights = np.array([0.5, 0.3, 0.2])
binary = np.array(list(itertools.product([0, 1], repeat=3)))     # all 2^K binary vectors z
product = np.prod(weights**binary, axis=1)                        # equation (prior)
categorical = stats.multinomial(1, weights).pmf(binary)           # SciPy: 0 unless sum(z) = 1
one_hot = binary.sum(axis=1) == 1
# fails if the switch is written the wrong way round (z_k^pi_k) or as a product of pi_k z_k
assert np.allclose(product[one_hot], categorical[one_hot], rtol=1e-14, atol=0)
# fails for the same mistakes (z_k^pi_k sums to 1 over the binary vectors), or if a binary vector is missed
assert abs(product.sum() - np.prod(1 + weights)) < 1e-14
print(f"check (prior): on the 3 one-hot z the product equals SciPy's Cat(pi); over all 8 binary z it sums to"
      f" {product.sum():.2f} = prod(1 + pi_k)")

# %% [markdown]
# **What we verified:** the exponent switch of equation (prior) is the categorical distribution, and only on one-hot vectors.

# %% [markdown]
# ## 3. The generative model and ancestral sampling
#
# Equations (prior) and (cond) describe a two-step recipe for making data, the *generative model*.
# For each point $n = 1, \dots, N$:
#
# $$ \mathbf{z}_n \sim \mathrm{Cat}(\boldsymbol\pi), \qquad \mathbf{x}_n \mid (z_{nk} = 1) \sim \mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{ancestral} $$
#
# This is *ancestral sampling*: each variable is drawn after the variables it depends on (its *parents*), here $\mathbf{z}$ before $\mathbf{x}$ (Bishop, 2006, §8.1.2).
# Drawing a label is one call, `rng.choice(K, p=weights)`.
# Drawing from $\mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k)$ uses the Cholesky factor $\mathbf{L}_k$ of the covariance:
#
# $$ \mathbf{x} = \boldsymbol\mu_k + \mathbf{L}_k \mathbf{u}, \qquad \mathbf{u} \sim \mathcal{N}(\mathbf{0}, \mathbf{I}), \qquad \mathbf{L}_k \mathbf{L}_k^\top = \boldsymbol\Sigma_k \tag{affine} $$
#
# An affine map of a Gaussian vector is Gaussian.
# Its mean is $\boldsymbol\mu_k + \mathbf{L}_k \mathbb{E}[\mathbf{u}] = \boldsymbol\mu_k$ and its covariance $\mathbf{L}_k \mathbf{I} \mathbf{L}_k^\top = \boldsymbol\Sigma_k$.
# Multiplying $\mathbf{u}$ by $\boldsymbol\Sigma_k$ instead would give covariance $\boldsymbol\Sigma_k^2$: the multivariate form of using a variance as a standard deviation.
#
# Equations (ancestral) and (affine) in four lines:

# %%
def sample_inline(weights, means, covariances, n, rng):
    labels = rng.choice(len(weights), size=n, p=weights)            # z_n ~ Cat(π)
    L = np.linalg.cholesky(covariances)                             # Σ_k = L_k L_kᵀ
    u = rng.standard_normal((n, means.shape[1]))                    # u_n ~ N(0, I)
    X = means[labels] + np.einsum("nij,nj->ni", L[labels], u)       # x_n = μ_k + L_k u_n for k = z_n
    return X, labels


# %% [markdown]
# `gb.sample(gmm, n, rng)` follows the same recipe, with a loop over components instead of one $\mathbf{L}_k$ per point.
# It draws the labels first and then one block of standard normals, as `sample_inline` does, so the same seed must give the same points (a detail of how both use the generator; the test after it does not rely on it).
# The running example is `three_component_2d`: $\boldsymbol\pi = (0.5, 0.3, 0.2)$ and three differently shaped clusters.
#
# **CHECK (ancestral), inline against library.**
# `sample_inline` and `gb.sample` from the same seed must give the same 1000 labels and points.

# %%
gmm2 = gb.datasets.three_component_2d()
print("means:", gmm2.means.tolist(), " covariances:", gmm2.covariances.tolist())
X_inline, labels_inline = sample_inline(gmm2.weights, gmm2.means, gmm2.covariances, 1000, np.random.default_rng(0))
X2, labels2 = gb.sample(gmm2, 1000, np.random.default_rng(0))
assert np.array_equal(labels_inline, labels2)                 # fails if either draws labels otherwise (uniform, sorted)
assert np.allclose(X_inline, X2, rtol=0, atol=1e-12)          # fails if either uses Σ_k or L_kᵀ in place of L_k
print("check (ancestral), inline against library: the same labels and points (max abs. difference < 1e-12)")

# %% [markdown]
# **What we verified:** `gb.sample` is equations (ancestral) and (affine), draw for draw.
#
# Agreeing with our own four lines does not make either right.
# A sampler is tested against the *distribution* it claims to sample.
#
# **CHECK (ancestral), goodness of fit.**
# We draw $N = 100\,000$ points with `gb.sample` and run two tests.
#
# *Frequencies.* Let $N_k = \sum_n z_{nk}$ be the number of points drawn from component $k$ (`nk`; chapter 04's soft count $N_k = \sum_n r_{nk}$ becomes this when the labels are known).
# The counts are multinomial with expected values $N \pi_k$, and Pearson's statistic
#
# $$ \sum_{k=1}^K \frac{(N_k - N\pi_k)^2}{N\pi_k} $$
#
# is approximately $\chi^2$ with $K - 1$ degrees of freedom (Pearson, 1900).
# `scipy.stats.chisquare` gives its p-value; we reject the sampler if $p < 0.01$, which a correct sampler does for 1 % of seeds.
#
# *Moments.* Given the labels, the $N_k$ points of component $k$ are an independent sample from $\mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k)$.
# Coordinate $d$ of their mean has standard error $\sqrt{\Sigma_{k,dd} / N_k}$.
# Entry $(d, e)$ of their sample covariance (divisor $N_k - 1$) has standard error $\sqrt{(\Sigma_{k,de}^2 + \Sigma_{k,dd}\Sigma_{k,ee}) / (N_k - 1)}$, since $\mathrm{Var}(y_d y_e) = \Sigma_{de}^2 + \Sigma_{dd}\Sigma_{ee}$ for a centred Gaussian vector $\mathbf{y}$ with covariance $\boldsymbol\Sigma$ (Isserlis, 1918).
# We turn the 6 mean coordinates and 9 covariance entries into $z$-scores, (estimate − truth) / standard error, and reject if any $|z| \ge 4$.
# For a correct sampler that happens with probability at most about $15 \times 6 \cdot 10^{-5} \approx 10^{-3}$.
#
# Both tests must also fail for wrong samplers of the same size: labels drawn uniformly, and points drawn with $\boldsymbol\Sigma_k \mathbf{u}$ or $\mathbf{L}_k^\top \mathbf{u}$ instead of $\mathbf{L}_k \mathbf{u}$.

# %%
def moment_z_scores(X, labels, gmm):
    """Largest |z-score| over the per-component sample means and sample covariance entries (d <= e)."""
    upper = np.triu_indices(gmm.D)
    scores = []
    for k in range(gmm.K):
        Xk = X[labels == k]
        cov, var = gmm.covariances[k], np.diag(gmm.covariances[k])
        scores.append((Xk.mean(axis=0) - gmm.means[k]) / np.sqrt(var / len(Xk)))
        se_cov = np.sqrt((cov**2 + np.outer(var, var)) / (len(Xk) - 1))
        scores.append(((np.cov(Xk, rowvar=False) - cov) / se_cov)[upper])
    return float(np.max(np.abs(np.concatenate(scores))))


def chisquare_p(labels, gmm):
    return stats.chisquare(np.bincount(labels, minlength=gmm.K), len(labels) * gmm.weights).pvalue


N_big = 100_000
X_big, labels_big = gb.sample(gmm2, N_big, np.random.default_rng(1))
p_lib, z_lib = chisquare_p(labels_big, gmm2), moment_z_scores(X_big, labels_big, gmm2)

rng_bad = np.random.default_rng(3)
labels_uniform = rng_bad.choice(gmm2.K, size=N_big)                          # wrong: uniform labels
u = rng_bad.standard_normal((N_big, gmm2.D))
L_all = np.linalg.cholesky(gmm2.covariances)
X_sigma = gmm2.means[labels_big] + np.einsum("nij,nj->ni", gmm2.covariances[labels_big], u)   # wrong: Σ_k u
X_lt = gmm2.means[labels_big] + np.einsum("nji,nj->ni", L_all[labels_big], u)                # wrong: L_kᵀ u
p_uniform = chisquare_p(labels_uniform, gmm2)
z_sigma, z_lt = moment_z_scores(X_sigma, labels_big, gmm2), moment_z_scores(X_lt, labels_big, gmm2)

print(f"gb.sample:       chi-square p = {p_lib:.3f}, largest |z| = {z_lib:.2f}")
print(f"uniform labels:  chi-square p = {p_uniform:.1e}")
print(f"Sigma_k u:       largest |z| = {z_sigma:.0f};   L_k^T u: largest |z| = {z_lt:.0f}")
assert p_lib > 0.01                         # fails if gb.sample draws the labels with wrong weights
assert z_lib < 4                            # fails if gb.sample uses Σ_k, L_kᵀ or a wrong mean in place of μ_k + L_k u
assert p_uniform < 1e-6                     # fails if the frequency test had no power (control: uniform labels)
assert z_sigma > 4 and z_lt > 4             # fails if the moment test had no power (controls: Σ_k u, L_kᵀ u)
print("check (ancestral), goodness of fit: gb.sample passes both tests at N = 100000 (p > 0.01, every |z| < 4);"
      " uniform labels, Sigma_k u and L_k^T u fail them")

# %% [markdown]
# **What we verified:** `gb.sample` draws labels with the frequencies $\boldsymbol\pi$ and points with the right mean and covariance in each component, with tests that catch three classic sampler bugs.
#
# Here are the first 1000 points (left), coloured by the component that produced each, with the ellipses of $\boldsymbol\Sigma_k$ at 1 and 2 standard deviations, and their component frequencies next to $\boldsymbol\pi$ (right).
# The colours are visible only because we generated the data; in real data the labels are what is missing.

# %%
fig = plotting.fig_ancestral_sampling(X=X2, labels=labels2)
plt.show()

# %% [markdown]
# ## 4. The joint $p(\mathbf{x}, \mathbf{z})$
#
# The product rule joins the two steps of the story.
# Substituting equations (prior) and (cond), whose products have the same exponents $z_k$:
#
# $$ \begin{aligned} p(\mathbf{x}, \mathbf{z}) &= p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z}) = \prod_{k=1}^K \pi_k^{z_k} \prod_{k=1}^K \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)^{z_k} \\ &= \prod_{k=1}^K \left[\pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]^{z_k} \end{aligned} \tag{joint} $$
#
# For the one-hot vector with $z_k = 1$ the switch keeps one factor:
#
# $$ p(\mathbf{x}, z_k = 1) = \pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{joint-k} $$
#
# In words: the density of "component $k$ chosen *and* producing $\mathbf{x}$" is the chance of $k$ times the density of $\mathbf{x}$ under $k$.
# `gb.log_joint(X, gmm)` returns the $N \times K$ matrix of $\ln p(\mathbf{x}_n, z_{nk} = 1)$.
#
# **CHECK (joint).**
# The product formula (joint), with SciPy's Gaussian densities, for each of the $K$ one-hot vectors and each of the 1000 points, against `gb.log_joint`.

# %%
log_joint2 = gb.log_joint(X2, gmm2)                        # (N, K): ln p(x_n, z_nk = 1)
densities = [stats.multivariate_normal(mean, cov).pdf(X2) for mean, cov in zip(gmm2.means, gmm2.covariances)]
worst = 0.0
for j, z_j in enumerate(np.eye(gmm2.K, dtype=int)):         # every one-hot z
    p_xz = np.prod([(w * dens) ** zk for w, dens, zk in zip(gmm2.weights, densities, z_j)], axis=0)   # (joint)
    worst = max(worst, np.max(np.abs(np.log(p_xz) - log_joint2[:, j])))
# fails if pi_k is left out of the switch ((pi_k N_k)^z_k written pi_k N_k^z_k) or dropped by gb.log_joint
assert worst < 1e-11
print("check (joint): for every one-hot z and every point, the product formula with SciPy densities"
      " equals exp(gb.log_joint) (largest difference of the logarithms < 1e-11)")

# %% [markdown]
# **What we verified:** equation (joint) and `gb.log_joint` agree for every one-hot state; the difference of the logarithms is the relative error of the densities.

# %% [markdown]
# ## 5. If only one $z_k$ can be 1, where does soft assignment come from?
#
# - **Each draw is hard.**
#   The model never produces a point that is "70 % from component 1".
#   Every time it runs, it picks exactly one component.
# - **What is soft is our knowledge.**
#   We see $\mathbf{x}$ but not $\mathbf{z}$.
#   Several components could have produced the same $\mathbf{x}$, so the honest answer to "which one did?" is a probability for each of the $K$ values of $\mathbf{z}$.
# - **Those probabilities are proportions among hard draws.**
#   By equation (joint-k), a draw comes from component $k$ *and* lands in a tiny region of volume $d\mathbf{x}$ around $\mathbf{x}$ with probability $p(\mathbf{x}, z_k = 1)\,d\mathbf{x}$.
#   It lands there at all with probability $\sum_j p(\mathbf{x}, z_j = 1)\,d\mathbf{x}$.
#   So among the draws that land at $\mathbf{x}$, the fraction from component $k$ is its share of the joint:
#
# $$ p(z_k = 1 \mid \mathbf{x}) = \frac{p(\mathbf{x}, z_k = 1)}{\sum_{j=1}^K p(\mathbf{x}, z_j = 1)} \tag{joint-share} $$
#
# - **A soft number is an average of hard ones.**
#   Since $z_k$ is 0 or 1, $\mathbb{E}[z_k \mid \mathbf{x}] = 0 \cdot p(z_k = 0 \mid \mathbf{x}) + 1 \cdot p(z_k = 1 \mid \mathbf{x}) = p(z_k = 1 \mid \mathbf{x})$.
#   The average of the one-hot vectors of the draws at $\mathbf{x}$ is the vector of shares.
#
# Equation (joint-share) is Bayes' rule, previewed here.
# Chapter 04 derives it as the responsibility $r_{nk}$, equation (resp), and studies its properties.
#
# **CHECK (joint-k), against the generative story.**
# Take the 1-D mixture `three_component_1d`, with $\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$ and variances $(0.5, 1, 0.3)$, and the point $x_0 = -1$ between the first two bumps.
# We draw $N = 400\,000$ points and count, for each component $k$, the draws of $k$ that land in the bin of width $h = 0.1$ around $x_0$.
# That count divided by $N h$ estimates $p(x_0, z_k = 1)$, equation (joint-k); the count is binomial, and we accept each estimate within 4 binomial standard errors.
# (The bin is narrow: its average of $p(x, z_k = 1)$ differs from the value at $x_0$ by about $h^2/24$ times the curvature, a few percent of a standard error.)

# %%
gmm1 = gb.datasets.three_component_1d()
x0, h = -1.0, 0.1
X1, labels1 = gb.sample(gmm1, 400_000, np.random.default_rng(2))
counts = np.bincount(labels1[np.abs(X1[:, 0] - x0) < h / 2], minlength=gmm1.K)   # draws of each k in the bin
joint_x0 = np.exp(gb.log_joint(np.array([[x0]]), gmm1))[0]       # p(x0, z_k = 1), equation (joint-k)
rate = counts / (len(X1) * h)
se_rate = np.sqrt(h * joint_x0 * (1 - h * joint_x0) / len(X1)) / h   # counts ~ Binomial(N, h p(x0, z_k = 1))

print("k = 1, 2, 3: p(x0, z_k = 1) by (joint-k)", joint_x0.round(4), "  simulated", rate.round(4))
print("            shares of the draws in the bin", (rate / rate.sum()).round(4))
assert np.all(np.abs(rate - joint_x0) < 4 * se_rate)         # fails if pi_k is dropped or sigma used for sigma^2
print("check (joint-k): near x0 = -1, the rate per unit width of hard draws from each component matches"
      " equation (joint-k) within 4 binomial standard errors")

# %% [markdown]
# **What we verified:** the hard draws near $x_0 = -1$ come from each component at the rate equation (joint-k) predicts, so about 70 % of them from component 1 and 30 % from component 2, the shares of equation (joint-share).
# Every draw was hard; the softness is our uncertainty about which hard draw happened.
#
# Chapter 01's figure of this mixture shows the curves of equation (joint-k) and their sum; at $x_0 = -1$ they stand at 0.062 and 0.027.

# %% [markdown]
# ## 6. The whole data set
#
# A data set $\mathbf{X} = (\mathbf{x}_1, \dots, \mathbf{x}_N)$ comes with $N$ hidden labels $\mathbf{Z}$, the $N \times K$ matrix whose row $n$ is $\mathbf{z}_n$.
# Each point has its *own* label, but all labels are drawn with the *same* $\boldsymbol\pi$.
# The story of equation (ancestral) runs independently for every $n$, so the pairs $(\mathbf{x}_n, \mathbf{z}_n)$ are independent given $\theta$, and the joint is a product of equation (joint) over points:
#
# $$ p(\mathbf{X}, \mathbf{Z}) = \prod_{n=1}^N \prod_{k=1}^K \left[\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]^{z_{nk}} \tag{joint-data} $$
#
# $$ \ln p(\mathbf{X}, \mathbf{Z}) = \sum_{n=1}^N \sum_{k=1}^K z_{nk} \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right] \tag{log-joint-data} $$
#
# Equation (log-joint-data) is the *complete-data log-likelihood* (Dempster, Laird and Rubin, 1977) of chapter 05: what we would maximise if the labels were known.
# Its prior part depends on the labels only through the counts $N_k$:
#
# $$ \ln p(\mathbf{Z}) = \sum_{n=1}^N \sum_{k=1}^K z_{nk} \ln \pi_k = \sum_{k=1}^K N_k \ln \pi_k, \qquad N_k = \sum_{n=1}^N z_{nk} \tag{prior-data} $$
#
# So all $N! / (N_1! \cdots N_K!)$ labellings with the same counts are equally likely.
# We compute in logarithms (chapter 03 shows why).
#
# **CHECK (joint-data), (prior-data), against SciPy and by simulation.**
# Given $\mathbf{Z}$, the generative model makes the stacked vector $(\mathbf{x}_1, \dots, \mathbf{x}_N)$ one Gaussian in $N D$ dimensions, with mean $(\boldsymbol\mu_{z_1}, \dots, \boldsymbol\mu_{z_N})$ ($\boldsymbol\mu_{z_n}$: the mean of the component that drew point $n$) and block-diagonal covariance $\operatorname{diag}(\boldsymbol\Sigma_{z_1}, \dots, \boldsymbol\Sigma_{z_N})$.
# This evaluates the same model another way and uses the independence of the points in another form.
# It checks our double sum and `gb.log_joint`, not the independence, which is an assumption of the model.
# SciPy evaluates it for the first 200 points (a 400-dimensional Gaussian); with equation (prior-data) added, it must equal the double sum (log-joint-data) and `gb.log_joint`.
# And equation (prior-data) against the story: we draw the labels of 4 points $10^5$ times and count each of the $3^4 = 81$ labellings; each frequency must be within 4 binomial standard errors of $\exp(\sum_k N_k \ln \pi_k)$.

# %%
X_s, labels_s = X2[:200], labels2[:200]
N_s = len(X_s)
nk = np.bincount(labels_s, minlength=gmm2.K)
prior_part = nk @ np.log(gmm2.weights)                                           # equation (prior-data)
log_stacked = stats.multivariate_normal(gmm2.means[labels_s].ravel(),
                                        linalg.block_diag(*gmm2.covariances[labels_s])).logpdf(X_s.ravel())
reference = prior_part + log_stacked                                             # ln p(Z) + ln p(X | Z), SciPy

Z_s = np.eye(gmm2.K)[labels_s]                                                   # one-hot rows
log_terms = np.log(gmm2.weights) + np.column_stack(
    [stats.multivariate_normal(mean, cov).logpdf(X_s) for mean, cov in zip(gmm2.means, gmm2.covariances)])
double_sum = np.sum(Z_s * log_terms)                                             # equation (log-joint-data)
library = np.sum(gb.log_joint(X_s, gmm2)[np.arange(N_s), labels_s])

labellings = np.array(list(itertools.product(range(gmm2.K), repeat=4)))          # all 81 labellings of 4 points
counts_l = np.array([np.bincount(Z, minlength=gmm2.K) for Z in labellings])      # N_k of each labelling
p_labelling = np.exp(np.sum(counts_l * np.log(gmm2.weights), axis=1))            # equation (prior-data)
drawn = np.random.default_rng(5).choice(gmm2.K, size=(100_000, 4), p=gmm2.weights)    # the story, 10^5 times
frequency = np.bincount(drawn @ gmm2.K ** np.arange(3, -1, -1), minlength=len(labellings)) / len(drawn)
z_prior = (frequency - p_labelling) / np.sqrt(p_labelling * (1 - p_labelling) / len(drawn))

print(f"ln p(X, Z): stacked Gaussian {reference:.4f}, double sum {double_sum:.4f}, gb.log_joint {library:.4f};"
      f" 81 labellings of 4 points: largest |z| = {np.max(np.abs(z_prior)):.2f}")
assert abs(double_sum - reference) < 1e-10 * abs(reference)   # fails if z_nk or ln pi_k is dropped from the double sum
assert abs(library - reference) < 1e-10 * abs(reference)      # fails if gb.log_joint has a wrong weight or density
assert np.all(np.abs(z_prior) < 4)       # fails if (prior-data) has N_k/N for pi_k, or pi_k for ln pi_k
print("check (joint-data), (prior-data): the double sum and gb.log_joint equal SciPy's 400-dimensional Gaussian of"
      " the stacked points plus (prior-data), rel. error < 1e-10; the 81 labellings occur as often as (prior-data) says")

# %% [markdown]
# **What we verified:** the double sum (log-joint-data) and `gb.log_joint` equal SciPy's evaluation of the same model on 200 points, and labellings occur as often as equation (prior-data) says: the shared $\boldsymbol\pi$ enters only through the counts $N_k$.

# %% [markdown]
# ## 7. Why a latent variable, and not a parameter?
#
# The labels are unknown, like $\theta$.
# Why not estimate them too?
#
# As latent variables, the $\mathbf{z}_n$ are random, with a distribution fixed by the shared $\boldsymbol\pi$, and chapter 03 sums them out: $p(\mathbf{x}_n) = \sum_k p(\mathbf{x}_n, z_{nk} = 1)$.
# What remains to estimate is $\theta$ alone: $M = KD + K D(D+1)/2 + K - 1 = O(D^2 K)$ numbers, equation (count) of chapter 01, whatever $N$.
# For `three_component_2d` that is $M = 17$, for 10 points or for a million.
#
# As parameters, the labels add one unknown per point, $M + N$ in all.
# Each new point then brings $D$ numbers and one new unknown of its own, so the information per unknown never grows: the "incidental parameters" problem of Neyman and Scott (1948).
# Maximising $\ln p(\mathbf{X}, \mathbf{Z})$ over $\mathbf{Z}$ as well makes each $\mathbf{z}_n$ a hard assignment, the largest term of equation (log-joint-data) for that point.
# Every point in the overlap of two components then goes to the one with the larger joint, so each component's points are a truncated sample, and the fitted means are biased at any $N$ (Bryant and Williamson, 1978).
# Treated as latent, $\mathbf{z}_n$ costs no parameter, and every new point helps pin down the same $M$ numbers.

# %% [markdown]
# ## 8. Aside: the other "GMM"
#
# In econometrics GMM is the *generalised method of moments* (Hansen, 1982), unrelated to mixtures.
# In psychometrics it often means the *growth mixture model* (Muthén and Shedden, 1999), which *is* a Gaussian mixture.
# A person $n$ is measured at $D$ ages $a_1, \dots, a_D$ and belongs to a latent class $k$ (our $\mathbf{z}_n$) whose *size* is $\pi_k$.
# Within the class, the person's intercept and slope are drawn as $\boldsymbol\beta_n \sim \mathcal{N}(\mathbf{b}_k, \mathbf{V}_k)$, and the measurements are $\mathbf{x}_n = \mathbf{G} \boldsymbol\beta_n + \boldsymbol\xi_n$, where $\mathbf{G}$ has rows $(1, a_d)$ and the noise is $\boldsymbol\xi_n \sim \mathcal{N}(\mathbf{0}, \omega^2 \mathbf{I})$.
# As with equation (affine), $\mathbf{x}_n$ is then Gaussian given the class, so the model is a GMM with structured parameters:
#
# $$ \boldsymbol\mu_k = \mathbf{G} \mathbf{b}_k, \qquad \boldsymbol\Sigma_k = \mathbf{G} \mathbf{V}_k \mathbf{G}^\top + \omega^2 \mathbf{I} \tag{growth} $$
#
# **CHECK (growth).**
# People simulated by the growth story (class, then intercept and slope, then noisy measurements), for two classes and four ages, against the moments of the GMM of equation (growth), with the moment test of section 3.

# %%
ages = np.array([0.0, 1.0, 2.0, 3.0])
G = np.column_stack([np.ones_like(ages), ages])                      # rows (1, a_d)
class_sizes, b = np.array([0.7, 0.3]), np.array([[10.0, 0.0], [12.0, -1.5]])     # stable, declining
V = np.array([[[1.0, 0.0], [0.0, 0.1]], [[1.5, -0.2], [-0.2, 0.2]]])
omega2 = 0.5
gmm_growth = gb.GMM(class_sizes, b @ G.T, G @ V @ G.T + omega2 * np.eye(len(ages)))   # equation (growth)

rng_g = np.random.default_rng(6)
classes = rng_g.choice(2, size=20_000, p=class_sizes)
beta = b[classes] + np.einsum("nij,nj->ni", np.linalg.cholesky(V)[classes], rng_g.standard_normal((20_000, 2)))
X_growth = beta @ G.T + np.sqrt(omega2) * rng_g.standard_normal((20_000, len(ages)))
z_growth = moment_z_scores(X_growth, classes, gmm_growth)
assert z_growth < 4           # fails if omega is used for omega^2 (in Sigma_k or the simulation), or mu_k != G b_k
print(f"check (growth): the simulated growth data have the class means and covariances of equation (growth),"
      f" largest |z| = {z_growth:.2f} < 4")

# %% [markdown]
# **What we verified:** a growth mixture model is a Gaussian mixture whose means and covariances are built from a few growth parameters, equation (growth); here 12 free numbers instead of the 29 of a GMM in four dimensions.

# %% [markdown]
# ## Summary
#
# - The hidden one-hot $\mathbf{z}$, equation (onehot), has the prior (prior) and the conditional (cond); their product is the joint (joint), and $p(\mathbf{x}, z_k = 1) = \pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (joint-k).
# - Ancestral sampling draws $\mathbf{z}$, then $\mathbf{x}$, equations (ancestral) and (affine); frequencies and moments test a sampler.
# - Every draw is hard; soft assignment is our uncertainty about $\mathbf{z}$ after seeing $\mathbf{x}$, each component's share of the joint, equation (joint-share) (the posterior of chapter 04).
# - The joint of a data set factorises over points, equation (joint-data).
# - Summing $\mathbf{z}_n$ out keeps $M = O(D^2 K)$ parameters; labels as parameters add $N$ unknowns and bias the fit.
#
# Next, chapter 03 sums $\mathbf{z}$ out of the joint to get the likelihood, and explores its landscape.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/02_latent_variables.ipynb): among them, write the ancestral sampler yourself and test it.
#
# ## References
#
# - C. M. Bishop (2006), *Pattern Recognition and Machine Learning*, Springer: §8.1.2 (ancestral sampling), §9.2 (the one-hot latent variable, equations (prior), (cond), (joint)), §9.3 (the complete data).
# - M. P. Deisenroth, A. A. Faisal and C. S. Ong (2020), *Mathematics for Machine Learning*, Cambridge University Press: §11.4 (the latent-variable perspective).
# - A. P. Dempster, N. M. Laird and D. B. Rubin (1977), Maximum likelihood from incomplete data via the EM algorithm, *Journal of the Royal Statistical Society B* 39(1): 1–38 (complete data, EM).
# - K. Pearson (1900), On the criterion that a given system of deviations from the probable in the case of a correlated system of variables is such that it can be reasonably supposed to have arisen from random sampling, *Philosophical Magazine* 50(302): 157–175.
# - L. Isserlis (1918), On a formula for the product-moment coefficient of any order of a normal frequency distribution in any number of variables, *Biometrika* 12(1/2): 134–139.
# - J. Neyman and E. L. Scott (1948), Consistent estimates based on partially consistent observations, *Econometrica* 16(1): 1–32.
# - P. Bryant and J. A. Williamson (1978), Asymptotic behaviour of classification maximum likelihood estimates, *Biometrika* 65(2): 273–281.
# - L. P. Hansen (1982), Large sample properties of generalized method of moments estimators, *Econometrica* 50(4): 1029–1054.
# - B. Muthén and K. Shedden (1999), Finite mixture modeling with mixture outcomes using the EM algorithm, *Biometrics* 55(2): 463–469.

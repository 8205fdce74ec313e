# %% [markdown]
# # Chapter 02: The latent-variable view
#
# Chapter 01 wrote a Gaussian mixture as a weighted sum of Gaussian densities, $p(\mathbf{x}) = \sum_{k=1}^K \pi_k \,\mathcal{N}(\mathbf{x}\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$, equation (mixture) of chapter 01.
# This chapter tells the same model as a story with a hidden step: first choose a component, then draw a point from it.
# The hidden choice is a random variable $\mathbf{z}$ that we never observe, a *latent* variable.
# Writing it down explicitly is what makes everything later possible: the marginal likelihood (chapter 03) sums $\mathbf{z}$ out, the posterior (chapter 04) infers it, and EM (chapters 05 and 06) alternates between the two.
#
# ## What you will learn
#
# - How to write "which component produced this point" as a one-hot vector $\mathbf{z}$, and why every draw is hard while the assignments of chapter 04 are soft.
# - The prior $p(\mathbf{z})$, the conditional $p(\mathbf{x}\mid\mathbf{z})$ and the exponent trick that turns "pick component $k$" into a product.
# - Ancestral sampling, and how to *test* a sampler: a chi-square goodness-of-fit test for the labels and standard errors for the moments.
# - The joint $p(\mathbf{x}, \mathbf{z})$, and its value for one component, equation (joint-k), which every later chapter uses.
# - The joint of a whole data set, and why it factorises over points.
# - Why $\mathbf{z}_n$ is a latent variable and not a parameter to be estimated.
# - Aside: the *growth* mixture models of psychometrics are Gaussian mixtures too.
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture density, equation (mixture), and the parameter count, equation (count).
# - The product rule $p(a, b) = p(a)\,p(b \mid a)$, independence, expectation and variance.
# - NumPy arrays and indexing.
#
# Notation, as everywhere in the book: $N$ points, $D$ dimensions, $K$ components; weights $\pi_k$, means $\boldsymbol\mu_k$, covariances $\boldsymbol\Sigma_k$, $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$.
# In the mathematics components are numbered $k = 1, \dots, K$; in the code they are numbered `0, ..., K-1`, so component $k$ of the text is index `k - 1` of an array.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from scipy import stats

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The hidden label as a one-hot vector
#
# In the story of a mixture, every data point was produced by exactly one of the $K$ components.
# We record which one in a vector $\mathbf{z} = (z_1, \dots, z_K)$ of zeros and ones with exactly one entry equal to 1:
#
# $$ z_k \in \{0, 1\}, \qquad \sum_{k=1}^K z_k = 1 \tag{onehot} $$
#
# By equation (onehot), $\mathbf{z}$ can take exactly $K$ values, the unit vectors $\mathbf{e}_1, \dots, \mathbf{e}_K$; $z_k = 1$ means "component $k$ produced the point".
# This is the *one-hot* (or 1-of-$K$) code.
# An integer label $k$ would carry the same information; the one-hot code is chosen because it turns "pick the $k$-th thing" into arithmetic.
# Chapter 01 wrote the label of point $n$ as an integer, $z_n = k$; from now on the same event is written $z_{nk} = 1$, entry $k$ of the one-hot vector $\mathbf{z}_n$.
# We will see in section 2 that it turns a choice into a product, and the logarithm of that product is *linear* in $\mathbf{z}$, which is what makes averages over $\mathbf{z}$ easy in chapters 04 and 05.
#
# In code, integer labels (`labels`, values `0, ..., K-1`) and one-hot rows convert into each other with one line each.

# %%
K = 3
labels = np.array([2, 0, 1, 1])
Z = np.eye(K, dtype=int)[labels]      # row n is the one-hot vector z_n
print("the K possible values of z:")
print(np.eye(K, dtype=int))
print("labels", labels, "as one-hot rows:")
print(Z)
assert np.all(Z.sum(axis=1) == 1)                 # equation (onehot): exactly one 1 per row
assert np.array_equal(Z.argmax(axis=1), labels)  # and back again

# %% [markdown]
# ### If only one $z_k$ can be 1, where does *soft* assignment come from?
#
# This is the classic question, so here is the answer head on.
#
# - **Each draw is hard.**
#   The model never produces a point that is "70 % from component 1".
#   Every time it runs, it picks exactly one component, and $\mathbf{z}$ has exactly one 1.
# - **What is soft is our knowledge.**
#   We see $\mathbf{x}$ but not $\mathbf{z}$.
#   Several components could have produced the same $\mathbf{x}$, so the honest answer to "which one did?" is a probability distribution over the $K$ possible values of $\mathbf{z}$: the posterior $p(\mathbf{z} \mid \mathbf{x})$ of chapter 04.
# - **A soft number is an average of hard ones.**
#   Because $z_k$ is 0 or 1, its expectation is a probability: $\mathbb{E}[z_k \mid \mathbf{x}] = 0 \cdot p(z_k = 0 \mid \mathbf{x}) + 1 \cdot p(z_k = 1 \mid \mathbf{x}) = p(z_k = 1 \mid \mathbf{x})$, a number between 0 and 1.
#   Chapter 04 calls it the responsibility $r_k(\mathbf{x})$.
#
# We will make this concrete with one point.
# Take the 1-D mixture `three_component_1d` with $\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$ and variances $(0.5, 1, 0.3)$, and the point $x_0 = -1$, which lies between the first two bumps.
# It was produced by exactly one component, but which?
# At the end of section 3 we run the model many times and look at the draws that land near $x_0$: each carries a hard label, and the labels disagree.
# In section 4 the joint distribution tells us in what proportions.

# %% [markdown]
# ## 2. The prior $p(\mathbf{z})$ and the conditional $p(\mathbf{x} \mid \mathbf{z})$
#
# The weight $\pi_k$ is the probability that the model picks component $k$: $\pi_k = p(z_k = 1)$.
# With the one-hot code, the whole distribution of $\mathbf{z}$ is one product:
#
# $$ p(\mathbf{z}) = \prod_{k=1}^K \pi_k^{z_k} \tag{prior} $$
#
# Why equation (prior) is right: for $\mathbf{z} = \mathbf{e}_j$, every factor with $k \neq j$ is $\pi_k^0 = 1$ and the factor $k = j$ is $\pi_j^1 = \pi_j$, so $p(\mathbf{e}_j) = \pi_j$.
# The exponent $z_k$ works as a switch that keeps the chosen factor and turns the others into 1.
# Summed over the $K$ allowed values, equation (prior) gives $\sum_j \pi_j = 1$, so it is a distribution: the *categorical* distribution $\mathrm{Cat}(\boldsymbol\pi)$.
#
# Once the component is chosen, the point is Gaussian with that component's parameters.
# The same switch writes this as
#
# $$ p(\mathbf{x} \mid \mathbf{z}) = \prod_{k=1}^K \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)^{z_k} \tag{cond} $$
#
# so that $p(\mathbf{x} \mid \mathbf{z} = \mathbf{e}_j) = \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)$.
# Taking logarithms turns both products into sums that are linear in $\mathbf{z}$:
#
# $$ \ln p(\mathbf{z}) = \sum_{k=1}^K z_k \ln \pi_k, \qquad \ln p(\mathbf{x} \mid \mathbf{z}) = \sum_{k=1}^K z_k \ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{log-prior} $$
#
# SymPy can confirm all of this symbolically for $K = 3$, with $\pi_1, \pi_2, \pi_3$ and $\mathcal{N}_k = \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$ at a fixed $\mathbf{x}$ as positive symbols (printed `N1`, `N2`, `N3`: density values, not the counts $N_k$ of section 3).
# It also shows why the constraint (onehot) matters: summed over *all* $2^3$ binary vectors, the product (prior) is not 1.

# %%
pi = sp.symbols("pi1:4", positive=True)      # π_1, π_2, π_3
Ns = sp.symbols("N1:4", positive=True)       # N_k = N(x | μ_k, Σ_k) at some fixed x
z = sp.symbols("z1:4", real=True)

prior = sp.Mul(*[p**zk for p, zk in zip(pi, z)])     # equation (prior)
cond = sp.Mul(*[n**zk for n, zk in zip(Ns, z)])      # equation (cond)
print("p(z)   =", prior)
print("p(x|z) =", cond)

one_hot = [dict(zip(z, row)) for row in np.eye(3, dtype=int).tolist()]
for j, e_j in enumerate(one_hot):
    assert prior.subs(e_j) == pi[j]      # the switch keeps factor j only
    assert cond.subs(e_j) == Ns[j]

total_one_hot = sum(prior.subs(e_j) for e_j in one_hot)
assert sp.simplify(total_one_hot.subs(pi[2], 1 - pi[0] - pi[1])) == 1
assert sp.expand_log(sp.log(prior), force=True) == sum(zk * sp.log(p) for p, zk in zip(pi, z))  # (log-prior)

total_binary = sp.factor(sum(prior.subs(dict(zip(z, b))) for b in itertools.product([0, 1], repeat=3)))
assert sp.simplify(total_binary.subs(pi[2], 1 - pi[0] - pi[1]) - 1) != 0
print("sum of the product over all 8 binary vectors:", total_binary)
print("check (prior), (cond), (log-prior), SymPy: for z = e_j the products give exactly pi_j and N_j (j = 1, 2, 3),"
      " the 3 one-hot states have total probability 1, and the log is linear in z")

# %% [markdown]
# **What we verified:** symbolically, the exponent switch in equations (prior) and (cond) selects exactly the chosen factor, the $K$ one-hot states carry total probability 1, and without the one-hot constraint the "distribution" would not sum to 1.
#
# A practical warning about equation (log-prior).
# Mathematically $\pi_k^0 = 1$ even when $\pi_k = 0$, but in floating point $z_k \ln \pi_k = 0 \cdot (-\infty)$ is `nan`.
# So code never multiplies log-probabilities by $\mathbf{z}$ when a weight may be zero; it *selects* the entry of the chosen component instead, as `gmmbook` does.

# %%
weights_with_zero = np.array([0.5, 0.5, 0.0])
z_vec = np.array([1, 0, 0])
with np.errstate(divide="ignore", invalid="ignore"):
    multiplied = np.sum(z_vec * np.log(weights_with_zero))
selected = np.log(weights_with_zero[np.argmax(z_vec)])
assert np.isnan(multiplied) and selected == np.log(0.5)
print(f"p(z) by the product: {np.prod(weights_with_zero ** z_vec):.4f}")
print(f"ln p(z) by multiplying by z: {multiplied}; by selecting: {selected:.4f}")

# %% [markdown]
# ## 3. The generative model and ancestral sampling
#
# Equations (prior) and (cond) describe a two-step recipe for producing data, the *generative model*.
# For each point $n = 1, \dots, N$:
#
# $$ \mathbf{z}_n \sim \mathrm{Cat}(\boldsymbol\pi), \qquad \mathbf{x}_n \mid (z_{nk} = 1) \sim \mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{ancestral} $$
#
# It is called *ancestral sampling* because each variable is drawn after its parents: in the graph $\mathbf{z} \to \mathbf{x}$, the label is the parent and the point its child.
# Drawing from $\mathrm{Cat}(\boldsymbol\pi)$ is one call, `rng.choice(K, p=weights)`.
# Drawing from $\mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k)$ uses the Cholesky factor $\mathbf{L}_k$ of the covariance:
#
# $$ \mathbf{x} = \boldsymbol\mu_k + \mathbf{L}_k \boldsymbol\varepsilon, \qquad \boldsymbol\varepsilon \sim \mathcal{N}(\mathbf{0}, \mathbf{I}), \qquad \mathbf{L}_k \mathbf{L}_k^\top = \boldsymbol\Sigma_k \tag{affine} $$
#
# Equation (affine) is right because an affine map of a Gaussian vector is Gaussian, with mean $\boldsymbol\mu_k + \mathbf{L}_k \mathbb{E}[\boldsymbol\varepsilon] = \boldsymbol\mu_k$ and covariance $\mathbf{L}_k \,\mathrm{Cov}(\boldsymbol\varepsilon)\, \mathbf{L}_k^\top = \mathbf{L}_k \mathbf{L}_k^\top = \boldsymbol\Sigma_k$.
# Note that $\mathbf{L}_k$ is a matrix square root of $\boldsymbol\Sigma_k$: multiplying $\boldsymbol\varepsilon$ by $\boldsymbol\Sigma_k$ itself would give covariance $\boldsymbol\Sigma_k^2$, the multivariate version of confusing a variance with a standard deviation.
#
# Here are equations (ancestral) and (affine) in four lines of NumPy.

# %%
def sample_inline(weights, means, covariances, n, rng):
    labels = rng.choice(len(weights), size=n, p=weights)            # z_n ~ Cat(π)
    L = np.linalg.cholesky(covariances)                             # Σ_k = L_k L_kᵀ
    eps = rng.standard_normal((n, means.shape[1]))                  # ε_n ~ N(0, I)
    X = means[labels] + np.einsum("nij,nj->ni", L[labels], eps)     # x_n = μ_k + L_k ε_n for k = z_n
    return X, labels


# %% [markdown]
# `gb.sample(gmm, n, rng)` implements the same recipe (it loops over components instead of gathering one $\mathbf{L}_k$ per point, which is faster).
# It draws the labels first and then one block of standard normals, exactly as `sample_inline` does, so the same seed must give the same points.
# Our running example is the 2-D mixture `three_component_2d`: $\boldsymbol\pi = (0.5, 0.3, 0.2)$, three differently shaped clusters, $N = 1000$ points from `default_rng(0)`.

# %%
gmm2 = gb.datasets.three_component_2d()
print(gmm2)
print("means:", gmm2.means.tolist())
print("covariances:", gmm2.covariances.tolist())
X_inline, labels_inline = sample_inline(gmm2.weights, gmm2.means, gmm2.covariances, 1000, np.random.default_rng(0))
X2, labels2 = gb.sample(gmm2, 1000, np.random.default_rng(0))

assert np.array_equal(labels_inline, labels2)
assert np.allclose(X_inline, X2, rtol=0, atol=1e-12)
print("check (ancestral), (affine): gb.sample and the inline sampler give the same labels"
      " and the same points (max abs. difference < 1e-12) from the same seed")

# %% [markdown]
# **What we verified:** `gb.sample` is equations (ancestral) and (affine), draw for draw.
# From now on we use the library.
#
# Agreeing with our own four lines does not prove that either is right.
# A sampler is tested against the *distribution* it claims to sample, and that needs statistics: the next two checks could fail for a wrong sampler, and we show that they do.
#
# ### Check: the component frequencies match $\boldsymbol\pi$
#
# Let $N_k = \sum_n z_{nk}$ be the number of points drawn from component $k$ (`nk`).
# Under equation (ancestral) the labels are $N$ independent draws from $\mathrm{Cat}(\boldsymbol\pi)$, so $(N_1, \dots, N_K)$ is multinomial with expected counts $N \pi_k$.
# Pearson's chi-square statistic $T$ compares observed and expected counts:
#
# $$ T = \sum_{k=1}^K \frac{(N_k - N\pi_k)^2}{N\pi_k} \tag{chi2} $$
#
# For large $N$ it follows a $\chi^2$ distribution with $K - 1$ degrees of freedom (one fewer than $K$ because the counts sum to $N$).
# `scipy.stats.chisquare` computes $T$ and its p-value, the probability of a statistic at least this large if the sampler is right.
# We reject the sampler if $p < 0.01$.
# As a negative control, labels drawn with the wrong weights, uniform $(1/3, 1/3, 1/3)$, must be rejected.

# %%
N2 = len(labels2)
nk = np.bincount(labels2, minlength=gmm2.K)
chi2 = stats.chisquare(nk, N2 * gmm2.weights)
print("observed N_k:", nk, " expected N pi_k:", N2 * gmm2.weights)
print(f"T = {chi2.statistic:.3f}, p-value = {chi2.pvalue:.3f}")
assert chi2.pvalue > 0.01

labels_wrong = np.random.default_rng(5).choice(gmm2.K, size=N2)       # uniform weights: a bug
chi2_wrong = stats.chisquare(np.bincount(labels_wrong, minlength=gmm2.K), N2 * gmm2.weights)
assert chi2_wrong.pvalue < 1e-6
print("check (ancestral), labels: the chi-square test accepts gb.sample's frequencies (p > 0.01)"
      " and rejects labels drawn with uniform weights (p < 1e-6)")

# %% [markdown]
# **What we verified:** the labels of `gb.sample` occur with the frequencies $\boldsymbol\pi$ (goodness of fit at the 1 % level), and the same test has the power to catch wrong weights.
#
# ### Check: the per-component moments match $\boldsymbol\mu_k$ and $\boldsymbol\Sigma_k$
#
# Given the labels, the $N_k$ points with $z_{nk} = 1$ are an independent sample from $\mathcal{N}(\boldsymbol\mu_k, \boldsymbol\Sigma_k)$.
# Their sample mean $\bar{\mathbf{x}}_k$ and sample covariance $\mathbf{S}_k$ (divisor $N_k - 1$) scatter around the truth with known standard errors.
# For coordinate $d$ of the mean,
#
# $$ \mathrm{se}(\bar{x}_{kd}) = \sqrt{\Sigma_{k,dd} / N_k} \tag{se-mean} $$
#
# and for entry $(d, e)$ of the covariance,
#
# $$ \mathrm{se}(S_{k,de}) = \sqrt{\left(\Sigma_{k,de}^2 + \Sigma_{k,dd}\,\Sigma_{k,ee}\right) / (N_k - 1)} \tag{se-cov} $$
#
# Equation (se-cov) comes from Isserlis' theorem: for a centred Gaussian vector, $\mathbb{E}[x_d^2 x_e^2] = \Sigma_{dd}\Sigma_{ee} + 2\Sigma_{de}^2$, so $\mathrm{Var}(x_d x_e) = \Sigma_{dd}\Sigma_{ee} + \Sigma_{de}^2$; for the sample covariance with divisor $N_k - 1$ (a scaled Wishart matrix) the formula is exact.
# The helper below turns every mean coordinate and every covariance entry on or above the diagonal into a $z$-score, (estimate − truth) / se, and returns the largest absolute one.
# We accept if every $|z| < 4$.
# For the 2-D mixture there are $3 \times 2 = 6$ mean and $3 \times 3 = 9$ covariance scores; if the sampler is right, the chance that any of the 15 exceeds 4 is about $15 \times 6 \cdot 10^{-5} \approx 10^{-3}$.

# %%
def moment_z_scores(X, labels, gmm):
    """Largest |z-score| of the per-component sample means, and of the sample covariances."""
    upper = np.triu_indices(gmm.D)
    z_mean, z_cov = [], []
    for k in range(gmm.K):
        Xk = X[labels == k]
        nk_k = len(Xk)
        cov = gmm.covariances[k]
        var = np.diag(cov)
        z_mean.append((Xk.mean(axis=0) - gmm.means[k]) / np.sqrt(var / nk_k))              # (se-mean)
        se_cov = np.sqrt((cov**2 + np.outer(var, var)) / (nk_k - 1))                       # (se-cov)
        z_cov.append(((np.cov(Xk, rowvar=False) - cov) / se_cov)[upper])
    return float(np.max(np.abs(z_mean))), float(np.max(np.abs(z_cov)))


# %% [markdown]
# We apply it to the 1000 points above, to a larger sample of $N = 100\,000$ (where the standard errors are ten times smaller, so the same test is ten times tighter), and to a buggy sampler that multiplies $\boldsymbol\varepsilon$ by $\boldsymbol\Sigma_k$ instead of $\mathbf{L}_k$.

# %%
zm, zc = moment_z_scores(X2, labels2, gmm2)
print(f"N = 1000:    largest |z| of means {zm:.2f}, of covariances {zc:.2f}")
assert zm < 4 and zc < 4

X_big, labels_big = gb.sample(gmm2, 100_000, np.random.default_rng(1))
zm_big, zc_big = moment_z_scores(X_big, labels_big, gmm2)
print(f"N = 100000:  largest |z| of means {zm_big:.2f}, of covariances {zc_big:.2f}")
assert zm_big < 4 and zc_big < 4
mean_error = max(np.max(np.abs(X_big[labels_big == k].mean(axis=0) - gmm2.means[k])) for k in range(gmm2.K))
print(f"             largest |sample mean - mu_k| is {mean_error:.3f}")

rng_bug = np.random.default_rng(3)
labels_bug = rng_bug.choice(gmm2.K, size=1000, p=gmm2.weights)
X_bug = gmm2.means[labels_bug] + np.einsum("nij,nj->ni", gmm2.covariances[labels_bug],
                                           rng_bug.standard_normal((1000, gmm2.D)))   # bug: Σ_k ε
zm_bug, zc_bug = moment_z_scores(X_bug, labels_bug, gmm2)
print(f"buggy (Sigma_k eps), N = 1000: largest |z| of covariances {zc_bug:.1f}")
assert zc_bug > 4
print("check (ancestral), moments: every per-component sample mean and covariance entry of gb.sample"
      " is within 4 standard errors of mu_k and Sigma_k (N = 1000 and N = 100000); the Sigma-for-L bug fails")

# %% [markdown]
# **What we verified:** within each component, `gb.sample` produces points with the right mean and covariance, to within 4 standard errors at $N = 1000$ and at $N = 100\,000$, where those errors are of order $0.005$; and a classic bug, a covariance used where its square root belongs, is caught at $N = 1000$.
#
# Here is the sample we just tested (left), each point coloured by the component that produced it, with the ellipses of the true $\boldsymbol\Sigma_k$ at 1 and 2 standard deviations; and its component frequencies next to $\boldsymbol\pi$ (right).
# The colours are visible only because we generated the data; in real data the labels are exactly what is missing.

# %%
fig = plotting.fig_ancestral_sampling(n=1000, seed=0)
plt.show()

# %% [markdown]
# ### Back to the question: hard draws near $x_0 = -1$
#
# Now we can answer the question of section 1 by experiment.
# We draw $400\,000$ points from the 1-D mixture `three_component_1d` and keep those that land within $0.05$ of $x_0 = -1$.
# Every one of them has a hard label.

# %%
gmm1 = gb.datasets.three_component_1d()
x0 = -1.0
X1, labels1 = gb.sample(gmm1, 400_000, np.random.default_rng(2))
near = np.abs(X1[:, 0] - x0) < 0.05
counts_near = np.bincount(labels1[near], minlength=gmm1.K)
fractions_near = counts_near / counts_near.sum()
print("draws near x0, by component:", counts_near)
print("fractions:                  ", fractions_near.round(3))
print("labels of the first 12 of them:", labels1[near][:12])

# %% [markdown]
# Each draw near $x_0$ came from one component, but not all from the same one: about seven in ten came from component 1 (index 0) and three in ten from component 2 (index 1), none from component 3.
# That split is what a soft assignment is: not a property of any single draw, but the proportions among all the draws that could have produced what we saw.
# Section 4 computes it exactly.

# %% [markdown]
# ## 4. The joint $p(\mathbf{x}, \mathbf{z})$
#
# The product rule combines the two steps of the story into one joint distribution:
#
# $$ p(\mathbf{x}, \mathbf{z}) = p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z}) \tag{joint-product} $$
#
# Substituting equations (prior) and (cond), and using $a^{z} b^{z} = (ab)^{z}$ for positive $a, b$ (the two products have the same exponents $z_k$):
#
# $$ p(\mathbf{x}, \mathbf{z}) = \prod_{k=1}^K \pi_k^{z_k} \prod_{k=1}^K \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)^{z_k} = \prod_{k=1}^K \left[\pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]^{z_k} \tag{joint} $$
#
# For the one-hot vector with $z_k = 1$ the switch keeps one factor:
#
# $$ p(\mathbf{x}, z_k = 1) = \pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) \tag{joint-k} $$
#
# In words: the probability (density) of "component $k$ was chosen *and* produced $\mathbf{x}$" is the chance of choosing $k$ times the density of $\mathbf{x}$ under $k$.
# In logarithms, equation (joint) is linear in $\mathbf{z}$:
#
# $$ \ln p(\mathbf{x}, \mathbf{z}) = \sum_{k=1}^K z_k \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right] \tag{log-joint} $$
#
# `gb.log_joint(X, gmm)` returns the $N \times K$ matrix of $\ln p(\mathbf{x}_n, z_{nk} = 1)$, equation (joint-k) in log space; column `k - 1` holds the one-hot state $\mathbf{e}_k$.
# First SymPy confirms the algebraic step from (joint-product) to (joint), for arbitrary exponents $z_k$; then we evaluate the product formula (joint) with SciPy's Gaussian densities for every one-hot $\mathbf{z}$ and compare with the library.

# %%
joint_symbolic = sp.Mul(*[(p * n)**zk for p, n, zk in zip(pi, Ns, z)])      # equation (joint)
assert sp.expand_power_base(joint_symbolic) == prior * cond                   # = (prior) × (cond)
for j, e_j in enumerate(one_hot):
    assert joint_symbolic.subs(e_j) == pi[j] * Ns[j]                          # equation (joint-k)
print("check (joint), SymPy: prod_k (pi_k N_k)^z_k = p(z) p(x|z) for any z, and = pi_j N_j for z = e_j")

log_joint_lib = gb.log_joint(X2, gmm2)                      # (N, K): ln p(x_n, z_nk = 1)
densities = [stats.multivariate_normal(mean, cov).pdf(X2) for mean, cov in zip(gmm2.means, gmm2.covariances)]
worst = 0.0
for j, z_j in enumerate(np.eye(gmm2.K, dtype=int)):         # every one-hot z
    p_xz = np.prod([(w * dens) ** zk for w, dens, zk in zip(gmm2.weights, densities, z_j)], axis=0)   # (joint)
    worst = max(worst, np.max(np.abs(np.log(p_xz) - log_joint_lib[:, j])))
assert worst < 1e-11
print("check (joint), (joint-k): for every one-hot z and all 1000 points, the product formula with SciPy densities"
      " equals exp(gb.log_joint), max rel. error < 1e-11")

# %% [markdown]
# **What we verified:** the product formula (joint), evaluated independently with SciPy's densities, equals `gb.log_joint` for each of the $K$ one-hot states and every point (the difference of the logarithms is the relative error of the densities).
#
# ### The concrete point again
#
# The joint answers the question of section 3 exactly.
# By equation (joint-k), the probability that a draw comes from component $k$ *and* lands in a tiny interval $[x_0, x_0 + dx]$ is $p(x_0, z_k = 1)\,dx$.
# The probability that it lands there at all, from whichever component, is the sum of these over $k$.
# So among the draws that land at $x_0$, the fraction that came from component $k$ is the share of $p(x_0, z_k = 1)$ in the total:
#
# $$ p(z_k = 1 \mid x_0) = \frac{p(x_0, z_k = 1)}{\sum_{j=1}^K p(x_0, z_j = 1)} \tag{joint-share} $$
#
# This is Bayes' rule, the subject of chapter 04 (equation (resp)); here we only compare it with the experiment.
# Each simulated fraction is a binomial proportion among the $n_0$ draws that landed near $x_0$; if $s_k$ is the share of equation (joint-share), its standard error is $\sqrt{s_k(1-s_k)/n_0}$, and we accept if every fraction is within 4 standard errors, plus $0.001$ for the width of the bin.
# (Across the bin the shares change almost linearly, so their average over the bin differs from their value at $x_0$ only by about $10^{-4}$.)

# %%
joint_x0 = np.exp(gb.log_joint(np.array([[x0]]), gmm1))[0]     # p(x0, z_k = 1), k = 1..K
share_x0 = joint_x0 / joint_x0.sum()                             # equation (joint-share)
n0 = counts_near.sum()
se_share = np.sqrt(share_x0 * (1 - share_x0) / n0)
print("p(x0, z_k = 1):         ", joint_x0.round(4))
print("share of each component:", share_x0.round(3), "  simulated:", fractions_near.round(3))
assert np.all(np.abs(fractions_near - share_x0) < 4 * se_share + 0.001)
print("check (joint-share): the fractions of hard labels among draws near x0 = -1 match"
      " p(x0, z_k = 1) / sum_j p(x0, z_j = 1) within 4 binomial standard errors")

# %% [markdown]
# **What we verified:** the soft split seen in the simulation, about 0.70 and 0.30, is the split of the joint density at $x_0$ between the components.
# Every draw was hard; the softness is our uncertainty about which hard draw happened.
#
# The figure shows the same thing for every $x$: the curves $p(x, z_k = 1) = \pi_k \mathcal{N}(x \mid \mu_k, \sigma_k^2)$ of equation (joint-k) and their sum (which chapter 03 will call the marginal $p(x)$).
# At any $x$, the heights of the curves, divided by the height of the sum, are the shares of equation (joint-share).
# The dotted line marks $x_0 = -1$, and the legend gives the values there.

# %%
fig = plotting.fig_joint_and_marginal_1d()  # marks x0 = -1, the point above
plt.show()

# %% [markdown]
# ## 5. The whole data set
#
# A data set $\mathbf{X} = (\mathbf{x}_1, \dots, \mathbf{x}_N)$ comes with $N$ hidden labels $\mathbf{Z} = (\mathbf{z}_1, \dots, \mathbf{z}_N)$, an $N \times K$ matrix whose row $n$ is the one-hot vector $\mathbf{z}_n$.
# Each point has its *own* label, but all labels are drawn with the *same* weights $\boldsymbol\pi$: there is one $\boldsymbol\pi$, not one per point.
# The generative model (ancestral) runs independently for every $n$, so the pairs $(\mathbf{x}_n, \mathbf{z}_n)$ are independent given $\theta$, and the joint is a product of equation (joint) over points:
#
# $$ p(\mathbf{X}, \mathbf{Z}) = \prod_{n=1}^N p(\mathbf{x}_n, \mathbf{z}_n) = \prod_{n=1}^N \prod_{k=1}^K \left[\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]^{z_{nk}} \tag{joint-data} $$
#
# $$ \ln p(\mathbf{X}, \mathbf{Z}) = \sum_{n=1}^N \sum_{k=1}^K z_{nk} \left[\ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right] \tag{log-joint-data} $$
#
# Equation (log-joint-data) is the *complete-data log-likelihood* of chapter 05: if the labels were known, this is what we would maximise.
# Its prior part shows how the shared $\boldsymbol\pi$ enters: $\sum_n \sum_k z_{nk} \ln \pi_k = \sum_k N_k \ln \pi_k$, so the labels affect it only through the counts $N_k$:
#
# $$ \ln p(\mathbf{Z}) = \sum_{k=1}^K N_k \ln \pi_k, \qquad N_k = \sum_{n=1}^N z_{nk} \tag{prior-data} $$
#
# Every labelling $\mathbf{Z}$ with the same counts therefore has the same probability $\prod_k \pi_k^{N_k}$; there are $N!/(N_1! \cdots N_K!)$ of them, and their total is the multinomial distribution of the counts that section 3 tested.
#
# We check the factorisation on the 1000 sampled points with their true labels, three ways: (a) the double sum (log-joint-data) with the one-hot matrix $\mathbf{Z}$ and SciPy log-densities; (b) point by point through the labels, $\sum_n [\ln \pi_{z_n} + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_{z_n}, \boldsymbol\Sigma_{z_n})]$, with a separate SciPy call per point; (c) `gb.log_joint`, picking each row's entry of its label.
# And we check equation (prior-data).

# %%
Z2 = np.eye(gmm2.K)[labels2]                                                      # (N, K) one-hot
log_terms = np.log(gmm2.weights) + np.column_stack(
    [stats.multivariate_normal(mean, cov).logpdf(X2) for mean, cov in zip(gmm2.means, gmm2.covariances)])
double_sum = np.sum(Z2 * log_terms)                                               # (a) equation (log-joint-data)
by_labels = sum(np.log(gmm2.weights[k]) + stats.multivariate_normal(gmm2.means[k], gmm2.covariances[k]).logpdf(x)
                for x, k in zip(X2, labels2))                                     # (b) point by point
library = np.sum(gb.log_joint(X2, gmm2)[np.arange(N2), labels2])                  # (c) gmmbook

print(f"ln p(X, Z) = {library:.2f}")
for name, value in (("double sum", double_sum), ("by labels", by_labels)):
    assert abs(value - library) < 1e-12 * abs(library), name
prior_part = np.sum(Z2 * np.log(gmm2.weights))                                  # sum_n sum_k z_nk ln pi_k
assert abs(prior_part - nk @ np.log(gmm2.weights)) < 1e-12 * abs(prior_part)     # equation (prior-data)
print("check (joint-data), (prior-data): the double sum over n and k, the sum over points by label,"
      " and gb.log_joint agree, rel. error < 1e-12; the prior part equals sum_k N_k ln pi_k")

# %% [markdown]
# **What we verified:** the joint of the whole data set is the product over points of the single-point joint, equation (joint-data), computed three independent ways; and the shared $\boldsymbol\pi$ enters only through the counts $N_k$.
#
# The logarithm is not optional.
# $p(\mathbf{X}, \mathbf{Z})$ itself is about $e^{-3730}$, far below the smallest positive float64 (about $5 \cdot 10^{-324} \approx e^{-744}$), so the product of the 1000 joint densities underflows to exactly zero:

# %%
product_of_densities = np.prod(np.exp(gb.log_joint(X2, gmm2)[np.arange(N2), labels2]))
print("prod_n p(x_n, z_n) in float64:", product_of_densities, "  ln p(X, Z):", f"{library:.2f}")
assert product_of_densities == 0.0

# %% [markdown]
# Chapter 03 meets the same problem in the marginal likelihood and solves it with log-sum-exp.

# %% [markdown]
# ## 6. Why a latent variable, and not a parameter?
#
# The labels $\mathbf{z}_n$ are unknown, like $\theta$.
# Why not estimate them too, as $N$ more parameters?
#
# ### Counting unknowns
#
# As latent variables, the $\mathbf{z}_n$ are random, with a distribution fixed by the shared $\boldsymbol\pi$, and chapter 03 sums them out: $p(\mathbf{x}_n) = \sum_k p(\mathbf{x}_n, z_{nk} = 1)$.
# What remains to estimate is $\theta$ alone, whose size, equation (count) of chapter 01, is
#
# $$ \underbrace{K D}_{\text{means}} + \underbrace{K \tfrac{D(D+1)}{2}}_{\text{covariances}} + \underbrace{K - 1}_{\text{weights}} = O(D^2 K) \tag{count-latent} $$
#
# and does not depend on $N$.
# As parameters, the labels add one unknown per point: $N$ more unknowns, growing with the data.
# Each new point then brings $D$ numbers and one new unknown of its own, so the information per unknown never grows, however large $N$ becomes.
#
# We check `gb.n_parameters` against a count of the free entries of actual `GMM` arrays (weights minus the sum-to-one constraint, means, and the upper triangle of each symmetric covariance), and its growth like $K D^2 / 2$.

# %%
for K_, D_ in [(3, 2), (2, 5), (4, 10)]:
    gmm_ = gb.GMM(np.full(K_, 1 / K_), np.zeros((K_, D_)), np.tile(np.eye(D_), (K_, 1, 1)))
    upper = np.triu_indices(D_)
    free = (gmm_.weights.size - 1) + gmm_.means.size + gmm_.covariances[:, upper[0], upper[1]].size
    assert gb.n_parameters(K_, D_) == free
    print(f"K = {K_}, D = {D_:2d}: {free:4d} free array entries = gb.n_parameters")

ratios = [gb.n_parameters(3, D_) / (3 * D_**2 / 2) for D_ in (2, 10, 100, 1000)]
print("K = 3, D = 2, 10, 100, 1000: n_parameters / (K D^2 / 2) =", np.round(ratios, 3))
assert np.all(np.diff(ratios) < 0) and ratios[-1] < 1.01

p2 = gb.n_parameters(gmm2.K, gmm2.D)
print("\nthree_component_2d (K = 3, D = 2):")
print(f"{'N':>9} {'latent z: unknowns':>19} {'z as parameters':>16} {'unknowns per data value':>24}")
for N_ in (100, 10_000, 1_000_000):
    print(f"{N_:9d} {p2:19d} {p2 + N_:16d} {(p2 + N_) / (N_ * gmm2.D):24.3f}")
print("check (count-latent): gb.n_parameters equals the number of free array entries and grows like K D^2 / 2;"
      " it does not depend on N")

# %% [markdown]
# **What we verified:** with latent labels the number of unknowns is the fixed $O(D^2 K)$ of equation (count-latent); with labels as parameters it grows with $N$, and the unknowns per observed number approach $1/D$ instead of 0.

# %% [markdown]
# ### What goes wrong with labels as parameters
#
# Suppose we did treat $\mathbf{Z}$ as parameters and maximised $\ln p(\mathbf{X}, \mathbf{Z})$ over it.
# By equation (log-joint-data) each $\mathbf{z}_n$ appears in one term only, so the best $\mathbf{z}_n$ is the one-hot vector of the largest $\ln p(\mathbf{x}_n, z_{nk} = 1)$: a hard assignment.
# Then the points assigned to a component are a *truncated* sample: near the boundary they are cut off, and their mean is pulled away from the other component.
# This does not go away with more data.
#
# Take `overlapping_2d`: $\pi = (\tfrac12, \tfrac12)$, $\boldsymbol\mu_1 = (0, 0)$, $\boldsymbol\mu_2 = (2, 0)$, $\boldsymbol\Sigma_k = \mathbf{I}$, and give the hard assignment the *true* $\theta$.
# The hard assignment picks component 1 when $\ln p(\mathbf{x}, z_1 = 1) - \ln p(\mathbf{x}, z_2 = 1) = \tfrac12\|\mathbf{x} - \boldsymbol\mu_2\|^2 - \tfrac12\|\mathbf{x} - \boldsymbol\mu_1\|^2 = 2 - 2x_1$ is positive, that is when $x_1 < 1$.
# The first coordinate of the mixture is distributed as $\tfrac12 \mathcal{N}(0, 1) + \tfrac12 \mathcal{N}(2, 1)$, of which exactly half lies below 1.
# Let $\phi$ and $\Phi$ be the standard normal density and distribution function.
# Using $\int_{-\infty}^{a} u\,\phi(u)\,du = -\phi(a)$ for the first component, and the same after substituting $u = v + 2$ for the second, $\int_{-\infty}^{1} u\,\phi(u - 2)\,du = \int_{-\infty}^{-1} (v + 2)\,\phi(v)\,dv = -\phi(-1) + 2\Phi(-1)$, the mean of the points assigned to component 1 is
#
# $$ \mathbb{E}[x_1 \mid x_1 < 1] = \frac{\tfrac12 \left(-\phi(1)\right) + \tfrac12 \left(2\Phi(-1) - \phi(-1)\right)}{\tfrac12} = 2\Phi(-1) - 2\phi(1) \approx -0.167 \tag{hard-bias} $$
#
# instead of the first coordinate of $\boldsymbol\mu_1$, $\mu_{11} = 0$, for every $N$.
# Treated as latent, the labels are averaged over with the shares $p(z_k = 1 \mid \mathbf{x})$ of equation (joint-share) instead of set to 0 or 1.
# The density of $\mathbf{x}$ is the denominator of equation (joint-share), $p(\mathbf{x}) = \sum_j p(\mathbf{x}, z_j = 1)$, so $p(z_k = 1 \mid \mathbf{x})\, p(\mathbf{x}) = p(\mathbf{x}, z_k = 1)$.
# Hence, by equation (joint-k), $\mathbb{E}[p(z_k = 1 \mid \mathbf{x})\, \mathbf{x}] = \int p(\mathbf{x}, z_k = 1)\, \mathbf{x}\, d\mathbf{x} = \pi_k \int \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\, \mathbf{x}\, d\mathbf{x} = \pi_k \boldsymbol\mu_k$, and in the same way $\mathbb{E}[p(z_k = 1 \mid \mathbf{x})] = \pi_k$.
# So at the true $\theta$ the share-weighted mean converges to the true mean:
#
# $$ \frac{\mathbb{E}[p(z_k = 1 \mid \mathbf{x})\, \mathbf{x}]}{\mathbb{E}[p(z_k = 1 \mid \mathbf{x})]} = \boldsymbol\mu_k \tag{soft-mean} $$
#
# (This weighted mean is the M-step of chapter 05.)
# We check both by simulation at $N = 10^4$ and $N = 10^6$.
# The standard error of the hard mean is the sample standard deviation of the assigned points over the square root of their number.
# With weights $w_n = p(z_1 = 1 \mid \mathbf{x}_n)$ and first coordinates $x_{n1}$, the weighted mean $\bar{x}_w = \sum_n w_n x_{n1} / \sum_n w_n$ has standard error $\sqrt{\sum_n w_n^2 (x_{n1} - \bar{x}_w)^2} / \sum_n w_n$ (delta method).

# %%
gmm_o = gb.datasets.overlapping_2d()
hard_bias = 2 * stats.norm.cdf(-1) - 2 * stats.norm.pdf(1)       # equation (hard-bias)
print(f"closed form (hard-bias): {hard_bias:.4f}")
print(f"{'N':>8} {'hard mean':>10} {'se':>7} {'weighted mean':>14} {'se':>7}")
for N_, seed in ((10_000, 4), (1_000_000, 5)):
    X_o, _ = gb.sample(gmm_o, N_, np.random.default_rng(seed))
    log_joint_o = gb.log_joint(X_o, gmm_o)
    x1 = X_o[:, 0]
    assigned = np.argmax(log_joint_o, axis=1) == 0                # best z_n for the true θ: hard
    hard = x1[assigned].mean()
    se_hard = x1[assigned].std(ddof=1) / np.sqrt(assigned.sum())
    joint_o = np.exp(log_joint_o)
    w = joint_o[:, 0] / joint_o.sum(axis=1)                       # share of component 1, equation (joint-share)
    soft = np.sum(w * x1) / np.sum(w)
    se_soft = np.sqrt(np.sum(w**2 * (x1 - soft) ** 2)) / np.sum(w)
    print(f"{N_:8d} {hard:10.4f} {se_hard:7.4f} {soft:14.4f} {se_soft:7.4f}")
    assert abs(hard - hard_bias) < 4 * se_hard          # the hard mean converges to -0.167 ...
    assert abs(soft - gmm_o.means[0, 0]) < 4 * se_soft  # ... the weighted mean to mu_11 = 0
assert abs(hard - gmm_o.means[0, 0]) > 50 * se_hard     # at N = 10^6 the bias is about 150 standard errors
print("check (hard-bias), (soft-mean): with hard labels the mean of component 1 converges to 2 Phi(-1) - 2 phi(1),"
      " not 0 (within 4 se, at N = 10^4 and 10^6); weighted by p(z_1 = 1 | x) it is 0 within 4 se")

# %% [markdown]
# **What we verified:** at the true parameters, choosing each $\mathbf{z}_n$ to maximise the joint gives a component mean that converges to the biased value (hard-bias), about 150 of its standard errors away from the truth at $N = 10^6$; averaging over $\mathbf{z}_n$ with the shares (joint-share) gives the true mean.
# So fitting labels as parameters does not merely cost more unknowns: its estimates are wrong however much data we have (this is proved in general by Bryant and Williamson, *Biometrika* 65, 1978, for "classification maximum likelihood").
# Treating $\mathbf{z}_n$ as latent and summing it out keeps a fixed number of parameters that every new point helps to pin down.

# %% [markdown]
# ## 7. Aside: the other "GMM"
#
# If you search for "GMM" you will meet two other things with the same initials.
# In econometrics, GMM is the *generalised method of moments* (Hansen, 1982), an estimation method unrelated to mixtures.
# In psychometrics and developmental research, GMM often means *growth mixture model* (Muthén and Shedden, 1999), and that one *is* a Gaussian mixture in disguise.
#
# A growth mixture model describes people measured repeatedly, at times $t_1, \dots, t_T$.
# Person $n$ belongs to one of $K$ latent classes (the one-hot $\mathbf{z}_n$ of this chapter), and $\pi_k$ is called the *size* of latent class $k$: the proportion of the population in it.
# Within class $k$, the person's growth factors (an intercept and a slope) are drawn as $\boldsymbol\eta_n \sim \mathcal{N}(\boldsymbol\alpha_k, \boldsymbol\Psi_k)$, and the measurements are $\mathbf{x}_n = \boldsymbol\Lambda \boldsymbol\eta_n + \boldsymbol\epsilon_n$, with rows $(1, t_j)$ in $\boldsymbol\Lambda$ and noise $\boldsymbol\epsilon_n \sim \mathcal{N}(\mathbf{0}, \sigma^2 \mathbf{I})$.
# Given the class, $\mathbf{x}_n$ is an affine map of the Gaussian vector $(\boldsymbol\eta_n, \boldsymbol\epsilon_n)$, whose two parts are independent, so as in equation (affine) it is Gaussian, with mean $\boldsymbol\Lambda\boldsymbol\alpha_k$ and covariance $\boldsymbol\Lambda \boldsymbol\Psi_k \boldsymbol\Lambda^\top + \sigma^2 \mathbf{I}$.
# So the model is a GMM in $D = T$ dimensions with structured parameters:
#
# $$ \boldsymbol\mu_k = \boldsymbol\Lambda \boldsymbol\alpha_k, \qquad \boldsymbol\Sigma_k = \boldsymbol\Lambda \boldsymbol\Psi_k \boldsymbol\Lambda^\top + \sigma^2 \mathbf{I} \tag{growth} $$
#
# We simulate the growth story for two classes and four time points (class, then growth factors, then noisy measurements), and check it with the moment test of section 3 against the GMM of equation (growth).

# %%
times = np.array([0.0, 1.0, 2.0, 3.0])
Lam = np.column_stack([np.ones_like(times), times])                    # Λ, rows (1, t_j)
class_sizes = np.array([0.7, 0.3])                                     # π_k
alphas = np.array([[10.0, 0.0], [12.0, -1.5]])                         # stable, declining
Psis = np.array([[[1.0, 0.0], [0.0, 0.1]], [[1.5, -0.2], [-0.2, 0.2]]])
sigma2 = 0.5
gmm_growth = gb.GMM(class_sizes, alphas @ Lam.T, Lam @ Psis @ Lam.T + sigma2 * np.eye(len(times)))   # (growth)

rng_g = np.random.default_rng(6)
n_people = 20_000
classes = rng_g.choice(2, size=n_people, p=class_sizes)
eta = alphas[classes] + np.einsum("nij,nj->ni", np.linalg.cholesky(Psis)[classes], rng_g.standard_normal((n_people, 2)))
X_growth = eta @ Lam.T + np.sqrt(sigma2) * rng_g.standard_normal((n_people, len(times)))
zm_g, zc_g = moment_z_scores(X_growth, classes, gmm_growth)
assert zm_g < 4 and zc_g < 4
print(f"growth story vs GMM (growth): largest |z| of means {zm_g:.2f}, of covariances {zc_g:.2f}")
n_growth = 2 * (2 + 3) + 1 + 1      # per class: alpha_k (2) and Psi_k (3); then sigma^2 and one free weight
print(f"free parameters: growth mixture {n_growth}, unconstrained GMM {gb.n_parameters(2, len(times))}")
print("check (growth): measurements simulated from the growth story have the class means and covariances"
      " of equation (growth), every entry within 4 standard errors")

# %% [markdown]
# **What we verified:** a growth mixture model is a Gaussian mixture whose means and covariances are built from a few growth parameters, equation (growth); its "latent class sizes" are our $\pi_k$.
# (It has 12 free parameters here against 29 for an unconstrained GMM in 4 dimensions.)
# A related psychometric model, *latent profile analysis*, is a GMM with diagonal covariances.

# %% [markdown]
# ## Summary
#
# - The component that produced a point is a one-hot vector $\mathbf{z}$, equation (onehot); it is never observed.
# - The exponent switch writes the categorical prior and the conditional as products, equations (prior) and (cond), whose logarithms are linear in $\mathbf{z}$, equation (log-prior).
# - Ancestral sampling draws $\mathbf{z}$ and then $\mathbf{x}$, equations (ancestral) and (affine); `gb.sample` passes a chi-square test for the label frequencies and a standard-error test for the moments, tests that catch wrong weights and a covariance used in place of its square root.
# - The joint is $p(\mathbf{x}, \mathbf{z}) = \prod_k [\pi_k \mathcal{N}_k]^{z_k}$, equation (joint), and $p(\mathbf{x}, z_k = 1) = \pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (joint-k), which `gb.log_joint` computes in log space.
# - Every draw is hard; soft assignment is our uncertainty about $\mathbf{z}$ after seeing $\mathbf{x}$, the share (joint-share) of each component in the joint, which chapter 04 derives as the posterior.
# - For a data set, each point has its own $\mathbf{z}_n$ and $\boldsymbol\pi$ is shared; the joint factorises over points, equation (joint-data), and must be computed in log space.
# - Summing $\mathbf{z}_n$ out keeps $O(D^2 K)$ parameters, equation (count-latent); estimating the labels as parameters adds $N$ unknowns and gives biased estimates at any $N$, equation (hard-bias).
#
# Next, chapter 03 sums $\mathbf{z}$ out of the joint to get the marginal likelihood, and explores its landscape.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/02_latent_variables.ipynb): among them, write the ancestral sampler yourself and test it.

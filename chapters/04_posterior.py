# %% [markdown]
# # Chapter 04: Responsibilities and soft assignment
#
# Chapter 02 told the mixture as a story: a hidden label $\mathbf{z}$ is drawn first, then a point $\mathbf{x}$ from the chosen component.
# Chapter 03 summed the label out to get the density $p(\mathbf{x})$ of what we observe.
# This chapter runs the story backwards: having seen $\mathbf{x}$, what do we know about $\mathbf{z}$?
# Bayes' rule answers with a probability for each component, the *responsibility* of that component for the point.
# Responsibilities are what "soft clustering" means, and computing them is the E-step of the EM algorithm (chapters 05 and 06).
#
# ## What you will learn
#
# - Bayes' rule for the hidden label, equation (resp), and its one-hot form, equation (resp-onehot); computed by hand on the classic textbook example, then as a function, then with `gb.responsibilities`.
# - The properties of responsibilities: they are probabilities, equation (resp-sum); each is the *expectation of a hard 0/1 variable*, equation (resp-expect), which is the precise answer to "if $\mathbf{z}$ is one-hot, where does soft assignment come from?"; averaged over the data they give back the weights, equation (resp-average); and the posterior of a whole data set factorises over points, equation (post-factor).
# - How to test Bayes' rule against the generative story itself: simulate many pairs $(\mathbf{x}, \mathbf{z})$ and count labels among the points that land in a small bin, with binomial error bars and the bias of a finite bin accounted for.
# - Soft against hard clustering on Old Faithful: the mixture's boundary $r = \tfrac12$ is a curve, equation (log-odds), K-means' boundary is a straight line, equation (kmeans-boundary), and we find the points where they disagree.
# - Why responsibilities must be computed in log space, equation (log-resp): the naive ratio is $0/0$ far from every component; and where far-away points go (to the widest component, not the nearest).
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture, equation (mixture), and K-means, equation (kmeans).
# - Chapter 02: the one-hot label, equation (onehot), the joint $p(\mathbf{x}, \mathbf{z}) = \prod_k [\pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)]^{z_k}$, equation (joint), its value for one component $p(\mathbf{x}, z_k = 1) = \pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (joint-k), the joint of a data set, equation (joint-data), and the simulation near $x_0 = -1$ that led to the shares of equation (joint-share).
# - Chapter 03: the marginal $p(\mathbf{x}) = \sum_k \pi_k \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, equation (marginal), the likelihood of a data set, equation (likelihood), and log-sum-exp, equation (logsumexp).
# - Bayes' rule for two events, the binomial distribution and the standard error of a proportion.
#
# Notation, as everywhere in the book: $N$ points, $D$ dimensions, $K$ components; weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$; responsibilities $r_{nk}$ (also written $\gamma_{nk}$; `resp`) and $N_k = \sum_n r_{nk}$ (`nk`).
# We abbreviate $\mathcal{N}_k(\mathbf{x}) = \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$ where the parameters are clear.
# In the mathematics components are numbered $k = 1, \dots, K$; in the code they are numbered `0, ..., K-1`, so component $k$ of the text is index `k - 1` of an array (the printed tables add 1).

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from scipy import special, stats
from scipy.cluster.vq import kmeans2

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Bayes' rule for the label
#
# The product rule factorises the joint of $\mathbf{x}$ and $\mathbf{z}$ in two orders:
#
# $$ p(\mathbf{x}, \mathbf{z}) = p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z}) = p(\mathbf{x})\, p(\mathbf{z} \mid \mathbf{x}) \tag{two-orders} $$
#
# The first order is the generative story of chapter 02: label first, point second.
# The second order is what we want: the point, which we see, first; the label, given the point, second.
# Dividing by $p(\mathbf{x})$, and writing $p(\mathbf{x})$ as the joint summed over the $K$ values of the label (chapter 03, equation (sum-rule)), gives Bayes' rule:
#
# $$ p(\mathbf{z} \mid \mathbf{x}) = \frac{p(\mathbf{x}, \mathbf{z})}{p(\mathbf{x})} = \frac{p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z})}{\sum_{\mathbf{z}'} p(\mathbf{z}')\, p(\mathbf{x} \mid \mathbf{z}')} \tag{bayes} $$
#
# Now put in the mixture: the numerator is equation (joint) and the denominator is equation (marginal), so
#
# $$ p(\mathbf{z} \mid \mathbf{x}) = \frac{\prod_{k=1}^K \left[\pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]^{z_k}}{\sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)} \tag{resp-onehot} $$
#
# For the one-hot vector with $z_k = 1$, the exponents act as a switch: $z_k = 1$ keeps the $k$-th factor of the numerator, and $z_j = 0$ turns every other factor into 1.
# For data point $\mathbf{x}_n$ this gives the **responsibility** of component $k$ for point $n$:
#
# $$ r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n) = \frac{\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}{\sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)} \tag{resp} $$
#
# Read equation (resp) in two ways.
#
# - **As a share.** The numerator is $p(\mathbf{x}_n, z_{nk} = 1)$, equation (joint-k): the density of "component $k$ was chosen *and* produced $\mathbf{x}_n$". The denominator is the density of "some component produced $\mathbf{x}_n$". So $r_{nk}$ is component $k$'s share of $p(\mathbf{x}_n)$: the shares of equation (joint-share) of chapter 02, and equation (soft) of chapter 01, now derived from Bayes' rule.
# - **As an update of the prior.** Write $r_{nk} = \pi_k \cdot \mathcal{N}_k(\mathbf{x}_n) / p(\mathbf{x}_n)$. Before we see the point, the probability of component $k$ is its weight, $p(z_k = 1) = \pi_k$. Seeing $\mathbf{x}_n$ multiplies it by $\mathcal{N}_k(\mathbf{x}_n) / p(\mathbf{x}_n)$: how much better (factor above 1) or worse (below 1) component $k$ explains $\mathbf{x}_n$ than the mixture as a whole.
#
# We write $r_k(\mathbf{x})$ for the same function at any point $\mathbf{x}$, so that $r_{nk} = r_k(\mathbf{x}_n)$.
#
# ### 1.1 The textbook example, by hand
#
# The classic hand-worked example (`gb.datasets.textbook_1d()`) has seven points in one dimension, $-3, -2.5, -1, 0, 2, 4, 5$, and three components $\mathcal{N}(-4, 1)$, $\mathcal{N}(0, 0.2)$ and $\mathcal{N}(8, 3)$ (the second number is the *variance* $\sigma_k^2$) with equal weights $\pi_k = \tfrac13$.
# In one dimension equation (gauss) is $\mathcal{N}(x \mid \mu, \sigma^2) = e^{-(x-\mu)^2 / 2\sigma^2} / \sqrt{2\pi\sigma^2}$.
# Here is equation (resp) for all seven points at once: one row per point, one column per component.

# %%
X_tb, gmm_tb = gb.datasets.textbook_1d()
x_tb = X_tb[:, 0]
weights_tb, mu_tb, var_tb = gmm_tb.weights, gmm_tb.means[:, 0], gmm_tb.covariances[:, 0, 0]

dens_tb = np.exp(-(x_tb[:, None] - mu_tb) ** 2 / (2 * var_tb)) / np.sqrt(2 * np.pi * var_tb)   # N(x_n | mu_k, var_k)
joint_tb = weights_tb * dens_tb                                        # pi_k N(x_n | mu_k, var_k), equation (joint-k)
resp_by_hand = joint_tb / joint_tb.sum(axis=1, keepdims=True)          # divide by p(x_n): equation (resp)

print("    x_n    r_n1   r_n2   r_n3")
for x_n, row in zip(x_tb, resp_by_hand):
    print(f"{x_n:7.1f} " + " ".join(f"{r:6.3f}" for r in row))
print("N_k =  " + " ".join(f"{v:6.3f}" for v in resp_by_hand.sum(axis=0)), f"  (sum {resp_by_hand.sum():.3f})")

# %% [markdown]
# Each row is a probability distribution over the three components (section 2 proves it).
# Most points are claimed by one component with near certainty, but two rows deserve a second look.
#
# - $x = -1$ lies 3 from $\mu_1 = -4$ and only 1 from $\mu_2 = 0$, and component 2 takes it ($r = 0.943$), but less clearly than the raw distances suggest. Component 2 is narrow ($\sigma_2 = \sqrt{0.2} \approx 0.45$), so in its own standard deviations the point is $1/0.45 = 2.2$ away from $\mu_2$, against $3/1 = 3$ from $\mu_1$: still closer, but not three times closer.
# - $x = 2$ lies 2 from $\mu_2 = 0$ and 6 from $\mu_3 = 8$, yet component 3 takes it ($r = 0.934$): in standard deviations it is $2/0.45 = 4.5$ from $\mu_2$ but only $6/\sqrt3 = 3.5$ from $\mu_3$.
#
# Responsibilities measure distance in each component's own units, the Mahalanobis distance of equation (gauss); the normalising factor $1/\sqrt{2\pi\sigma_k^2}$ then tips close calls toward the narrower component.
# Here the equal weights cancel from equation (resp); with unequal weights they would shift every row toward the heavier components.
#
# The column sums $N_k = \sum_n r_{nk}$ are the *effective numbers of points* of each component: $2.057 + 2.009 + 2.934 = 7$.
# Chapter 05 starts its first M-step from exactly this table, and the exercises ask you to reproduce it.
#
# ### 1.2 As a function, then the library
#
# The same three lines work for any $D$ once the Gaussian densities come from somewhere.
# We take them from SciPy's `multivariate_normal`, which is independent of `gmmbook`.

# %%
def responsibilities_inline(X, weights, means, covariances):
    """r_nk of equation (resp), in probability space, with SciPy's Gaussian densities."""
    joint = np.column_stack([w * stats.multivariate_normal(m, c).pdf(X)      # pi_k N(x_n | mu_k, Sigma_k)
                             for w, m, c in zip(weights, means, covariances)])
    return joint / joint.sum(axis=1, keepdims=True)                           # each row divided by p(x_n)


# %% [markdown]
# `gb.responsibilities(X, gmm)` returns the $N \times K$ matrix `resp` of equation (resp); section 5 explains why it works in log space.
#
# **CHECK (resp).** On the textbook example, the by-hand formula, the SciPy-based function and `gb.responsibilities` must agree within $10^{-12}$.
# The same for the 2-D mixture `three_component_2d` of chapter 02 (three clusters of different shapes) on 1000 points drawn from it.

# %%
resp_tb = gb.responsibilities(X_tb, gmm_tb)
resp_tb_inline = responsibilities_inline(X_tb, gmm_tb.weights, gmm_tb.means, gmm_tb.covariances)
assert np.max(np.abs(resp_tb - resp_by_hand)) < 1e-12
assert np.max(np.abs(resp_tb - resp_tb_inline)) < 1e-12

gmm2 = gb.datasets.three_component_2d()
X2, labels2 = gb.sample(gmm2, 1000, np.random.default_rng(0))
resp2 = gb.responsibilities(X2, gmm2)
resp2_inline = responsibilities_inline(X2, gmm2.weights, gmm2.means, gmm2.covariances)
assert resp2.shape == (1000, 3)
assert np.max(np.abs(resp2 - resp2_inline)) < 1e-12
print("check (resp): on the textbook example the by-hand formula, the SciPy-based function and gb.responsibilities"
      " agree, and on 1000 points of three_component_2d SciPy and gmmbook agree; max abs. difference < 1e-12")

# %% [markdown]
# **What we verified:** `gb.responsibilities` computes equation (resp), checked against densities from SciPy and, in one dimension, against the formula written out by hand.
# From now on we use the library.
#
# ## 2. Properties of the responsibilities
#
# ### 2.1 They are probabilities
#
# Every term $\pi_j \mathcal{N}_j(\mathbf{x}_n)$ is non-negative, and a Gaussian density is strictly positive, so the denominator of equation (resp) is positive (at least one weight is positive).
# The denominator is the sum of the $K$ numerators.
# Therefore
#
# $$ 0 \le r_{nk} \le 1, \qquad \sum_{k=1}^K r_{nk} = 1 \tag{resp-sum} $$
#
# and each row of `resp` is a probability distribution over the $K$ components: the posterior of $\mathbf{z}_n$.
# (That is mathematics; in floating point the denominator can be exactly 0, and section 5 deals with it.)
#
# ### 2.2 A hard variable with a soft expectation
#
# Here is the classic question once more: *if only one $z_k$ can be 1, where does soft assignment come from?*
# Chapter 02 answered in words: each draw is hard, and the softness is our knowledge of which draw happened.
# Now we can say it with a formula.
# The label $z_{nk}$ takes only the values 0 and 1, so its expectation given $\mathbf{x}_n$ is the probability that it is 1.
# Summing over the $K$ one-hot values $\mathbf{e}_1, \dots, \mathbf{e}_K$ of $\mathbf{z}_n$, only $\mathbf{e}_k$ has a 1 in place $k$:
#
# $$ \mathbb{E}[z_{nk} \mid \mathbf{x}_n] = \sum_{j=1}^K [\mathbf{e}_j]_k \; p(\mathbf{z}_n = \mathbf{e}_j \mid \mathbf{x}_n) = r_{nk}, \qquad \operatorname{Var}[z_{nk} \mid \mathbf{x}_n] = r_{nk}\,(1 - r_{nk}) \tag{resp-expect} $$
#
# The variance follows because $z^2 = z$ for $z \in \{0, 1\}$, so $\mathbb{E}[z_{nk}^2 \mid \mathbf{x}_n] = r_{nk}$ and $\operatorname{Var} = r_{nk} - r_{nk}^2$.
# So the label and its responsibility are different objects:
#
# - $\mathbf{z}_n$ is **hard**: every value it can take is a one-hot vector, and the model draws exactly one of them.
# - $\mathbf{r}_n = \mathbb{E}[\mathbf{z}_n \mid \mathbf{x}_n]$ is **soft**: an average of the hard vectors $\mathbf{e}_1, \dots, \mathbf{e}_K$, each weighted by how probable it is given $\mathbf{x}_n$. It is a point inside the simplex of probability vectors, while $\mathbf{z}_n$ is always one of its corners.
# - The variance $r_{nk}(1 - r_{nk})$ is largest at $r_{nk} = \tfrac12$: a responsibility near ½ means "we do not know which", not "half a member of each".
#
# Soft assignment, then, does not say that a point belongs partly to two clusters.
# It says that the point belongs to exactly one, and gives the odds for each.
# Section 3 shows this with simulated hard labels: among many draws that land at the same $\mathbf{x}$, the *average* of the hard $z_k$ is $r_k(\mathbf{x})$.
#
# **CHECK (resp-onehot), (resp-expect), SymPy.** With $K = 3$ and positive symbols $\pi_k$, $\mathcal{N}_k$: equation (resp-onehot) evaluated at $\mathbf{z} = \mathbf{e}_j$ must equal equation (resp); its values over the three one-hot states must sum to 1; and the expectation and variance of $z_k$, computed by definition over the three states, must equal $r_k$ and $r_k(1 - r_k)$.

# %%
pi = sp.symbols("pi1:4", positive=True)        # pi_1, pi_2, pi_3
Ns = sp.symbols("N1:4", positive=True)         # N_k = N(x | mu_k, Sigma_k) at some fixed x
z = sp.symbols("z1:4")
one_hot = [dict(zip(z, row)) for row in np.eye(3, dtype=int).tolist()]

joint_sym = sp.Mul(*[(p * n) ** zk for p, n, zk in zip(pi, Ns, z)])      # equation (joint) of chapter 02
evidence = sum(joint_sym.subs(e_j) for e_j in one_hot)                      # sum over z: equation (marginal)
posterior = joint_sym / evidence                                            # equation (resp-onehot)
r_sym = [pi[k] * Ns[k] / sum(p * n for p, n in zip(pi, Ns)) for k in range(3)]   # equation (resp)

for j, e_j in enumerate(one_hot):
    assert sp.simplify(posterior.subs(e_j) - r_sym[j]) == 0
assert sp.simplify(sum(posterior.subs(e_j) for e_j in one_hot) - 1) == 0
for k in range(3):
    mean_k = sum(e_j[z[k]] * posterior.subs(e_j) for e_j in one_hot)                      # E[z_k | x]
    var_k = sum((e_j[z[k]] - mean_k) ** 2 * posterior.subs(e_j) for e_j in one_hot)       # Var[z_k | x]
    assert sp.simplify(mean_k - r_sym[k]) == 0
    assert sp.simplify(var_k - r_sym[k] * (1 - r_sym[k])) == 0
print("r_1 =", r_sym[0])
print("check (resp-onehot), (resp-expect), SymPy: for z = e_j the one-hot form is pi_j N_j / sum_k pi_k N_k,"
      " the three states sum to 1, and E[z_k | x] = r_k, Var[z_k | x] = r_k (1 - r_k) exactly (K = 3)")

# %% [markdown]
# **What we verified:** symbolically, the one-hot form (resp-onehot) is a distribution over the $K$ states whose value at $\mathbf{e}_k$ is $r_k$, and the expectation of the hard variable $z_k$ is the soft number $r_k$, equation (resp-expect).
#
# ### 2.3 On average, the posterior is the prior
#
# Before seeing $\mathbf{x}$, component $k$ has probability $\pi_k$; after seeing it, $r_k(\mathbf{x})$.
# Averaged over the points the model produces, the "after" must give back the "before" (the law of total expectation, $\mathbb{E}[z_k] = \mathbb{E}_{\mathbf{x}}\big[\mathbb{E}[z_k \mid \mathbf{x}]\big]$).
# Directly from equation (resp), the $p(\mathbf{x})$ cancels:
#
# $$ \mathbb{E}_{\mathbf{x} \sim p}\big[r_k(\mathbf{x})\big] = \int p(\mathbf{x})\, \frac{\pi_k \mathcal{N}_k(\mathbf{x})}{p(\mathbf{x})}\, d\mathbf{x} = \pi_k \int \mathcal{N}_k(\mathbf{x})\, d\mathbf{x} = \pi_k \tag{resp-average} $$
#
# It makes the M-step of chapter 05 plausible: there the new weight of component $k$ is its average responsibility over the data, $\pi_k = N_k / N$.
#
# **CHECK (resp-sum), (resp-average).** On 100 000 points drawn from the 1-D mixture `three_component_1d` of chapters 01 to 03 ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, $\boldsymbol\sigma^2 = (0.5, 1, 0.3)$), and on the 1000 points of `three_component_2d` above, every responsibility must lie in $[0, 1]$ and every row must sum to 1 within $10^{-12}$.
# The average of column $k$ over the points must equal $\pi_k$ within 4 standard errors (the standard error of a mean: the standard deviation of $r_k(\mathbf{x}_n)$ over $\sqrt{N}$).
# As a negative control, "responsibilities" that forget the weights (the normalised likelihoods $\mathcal{N}_k / \sum_j \mathcal{N}_j$, a classic mistake) must miss $\boldsymbol\pi$ by more than 10 standard errors.

# %%
gmm1 = gb.datasets.three_component_1d()
X_avg, _ = gb.sample(gmm1, 100_000, np.random.default_rng(1))
resp_avg = gb.responsibilities(X_avg, gmm1)
for resp in (resp_avg, resp2):
    assert resp.min() >= 0 and resp.max() <= 1
    assert np.max(np.abs(resp.sum(axis=1) - 1)) < 1e-12

mean_resp = resp_avg.mean(axis=0)
se_mean = resp_avg.std(axis=0, ddof=1) / np.sqrt(len(X_avg))
no_weights = gb.GMM(np.full(3, 1 / 3), gmm1.means, gmm1.covariances)      # the mistake: pi_k left out
mean_wrong = gb.responsibilities(X_avg, no_weights).mean(axis=0)
print("pi_k:                        ", gmm1.weights)
print("mean of r_k over the points: ", mean_resp.round(4), " standard errors:", se_mean.round(4))
print("mean without the weights:    ", mean_wrong.round(4))
assert np.all(np.abs(mean_resp - gmm1.weights) < 4 * se_mean)
assert np.max(np.abs(mean_wrong - gmm1.weights) / se_mean) > 10
print("check (resp-sum), (resp-average): all responsibilities in [0, 1], rows sum to 1 within 1e-12;"
      " their average is pi within 4 standard errors, and forgetting the weights misses pi by more than 10")

# %% [markdown]
# **What we verified:** equations (resp-sum) and (resp-average) on 100 000 points; the average test is sharp enough to catch responsibilities computed without the weights.
#
# ### 2.4 The posterior of a data set factorises over points
#
# A data set has $N$ labels $\mathbf{Z} = (\mathbf{z}_1, \dots, \mathbf{z}_N)$, and $\mathbf{Z}$ can take $K^N$ values.
# Its posterior is Bayes' rule (bayes) with $\mathbf{X}$ and $\mathbf{Z}$ in place of $\mathbf{x}$ and $\mathbf{z}$.
# The joint factorises over points, equation (joint-data) of chapter 02, and so does the likelihood, equation (likelihood) of chapter 03; so
#
# $$ p(\mathbf{Z} \mid \mathbf{X}) = \frac{p(\mathbf{X}, \mathbf{Z})}{p(\mathbf{X})} = \frac{\prod_{n=1}^N p(\mathbf{x}_n, \mathbf{z}_n)}{\prod_{n=1}^N p(\mathbf{x}_n)} = \prod_{n=1}^N p(\mathbf{z}_n \mid \mathbf{x}_n) = \prod_{n=1}^N \prod_{k=1}^K r_{nk}^{z_{nk}} \tag{post-factor} $$
#
# Given $\theta$, the labels are independent after seeing the data, just as they were before: knowing $\mathbf{z}_1$ tells us nothing more about $\mathbf{z}_2$ once $\mathbf{x}_2$ is seen.
# That is why the $N \times K$ matrix `resp` describes the whole posterior: for Old Faithful ($N = 272$, $K = 2$) it holds a distribution over $2^{272} \approx 7.6 \times 10^{81}$ labellings in 544 numbers (272 of them free, since each row sums to 1).
# (The words "given $\theta$" matter. When $\theta$ is being estimated from the same data, the labels inform one another through $\theta$; that coupling is what EM handles by alternating.)
#
# **CHECK (post-factor).** Take $N = 4$ points of `three_component_1d` that lie between its bumps, $x = -1, -0.5, 2.5, 3$, so that each has two plausible labels, and $K = 3$.
# Enumerate all $3^4 = 81$ labellings $\mathbf{Z}$; compute $\ln p(\mathbf{X}, \mathbf{Z})$ for each from equation (log-joint-data) of chapter 02 with SciPy log-densities, and normalise over the 81 labellings (Bayes' rule for the whole data set, which does not assume any factorisation).
# The result must equal the product $\prod_n r_{n, z_n}$ of `gb.responsibilities` within $10^{-12}$, and the normaliser $\sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$ must equal $p(\mathbf{X})$ from `gb.log_likelihood`.

# %%
X4 = np.array([[-1.0], [-0.5], [2.5], [3.0]])
log_terms = np.log(gmm1.weights) + stats.norm.logpdf(X4, gmm1.means[:, 0], np.sqrt(gmm1.covariances[:, 0, 0]))  # (4, 3)
labellings = np.array(list(itertools.product(range(3), repeat=len(X4))))        # (81, 4): z_n for each n
rows = np.arange(len(X4))
log_joint_all = np.array([log_terms[rows, Z].sum() for Z in labellings])         # ln p(X, Z), equation (log-joint-data)
log_evidence = special.logsumexp(log_joint_all)                                  # ln sum_Z p(X, Z)
posterior_all = np.exp(log_joint_all - log_evidence)                             # p(Z | X), by enumeration

resp4 = gb.responsibilities(X4, gmm1)
posterior_product = np.array([np.prod(resp4[rows, Z]) for Z in labellings])      # equation (post-factor)

print("the four most probable labellings (components 1-3):")
for i in np.argsort(-posterior_all)[:4]:
    print(f"  z = {labellings[i] + 1}: p(Z | X) = {posterior_all[i]:.4f}, product of r_n,z_n = {posterior_product[i]:.4f}")
assert len(labellings) == 81 and abs(posterior_all.sum() - 1) < 1e-12
assert np.max(np.abs(posterior_all - posterior_product)) < 1e-12
assert abs(log_evidence - gb.log_likelihood(X4, gmm1)) < 1e-12 * abs(log_evidence)
print("check (post-factor): over all 81 labellings of 4 points, p(Z | X) by enumeration equals"
      " prod_n r_n,z_n within 1e-12, and sum_Z p(X, Z) equals p(X) from gb.log_likelihood")

# %% [markdown]
# **What we verified:** the posterior over all $K^N$ labellings, computed by brute force, is the product of the per-point responsibilities, equation (post-factor).
# For $N = 4$ brute force takes 81 terms; for Old Faithful it would take $7.6 \times 10^{81}$, and the factorisation is what makes the posterior computable at all.
#
# ## 3. Checking Bayes' rule against the generative story
#
# Bayes' rule makes a claim that we can test by brute simulation, without any algebra.
# Run the generative story (ancestral, chapter 02) many times, and keep each pair $(\mathbf{x}, \mathbf{z})$.
# Then among the pairs whose $\mathbf{x}$ lands near a point $\mathbf{x}_0$, the fraction with $z_k = 1$ should be $r_k(\mathbf{x}_0)$.
# Chapter 02 tried this at one point; here we make it a test, with error bars, at many points.
#
# **The target for a bin.** "Near $x_0$" must mean a bin of some width $h$, $B = [x_0 - h/2,\ x_0 + h/2]$, in one dimension.
# The fraction of draws in $B$ with label $k$ estimates
#
# $$ q_k(B) = P(z_k = 1 \mid x \in B) = \frac{P(z_k = 1,\ x \in B)}{P(x \in B)} = \frac{\pi_k \left[\Phi\!\left(\frac{b - \mu_k}{\sigma_k}\right) - \Phi\!\left(\frac{a - \mu_k}{\sigma_k}\right)\right]}{\sum_{j=1}^K \pi_j \left[\Phi\!\left(\frac{b - \mu_j}{\sigma_j}\right) - \Phi\!\left(\frac{a - \mu_j}{\sigma_j}\right)\right]}, \qquad B = [a, b] \tag{bin-share} $$
#
# with $\Phi$ the standard normal distribution function: Bayes' rule for the event $x \in B$ instead of the value $x$.
# As $h \to 0$ each bracket becomes $h\,\mathcal{N}_k(x_0)$ to first order, and $q_k(B) \to r_k(x_0)$.
# For a small bin, $q_k(B)$ is $r_k$ averaged over the bin with weights $p(x)$; because the bin is centred on $x_0$, the first-order terms of a Taylor expansion cancel, and $q_k(B) - r_k(x_0)$ is of order $h^2$.
# We do not have to estimate that bias: equation (bin-share) gives it exactly, with SciPy's $\Phi$.
#
# **The error bar.** Given which draws landed in $B$, say $n_B$ of them, their labels are independent, each equal to $k$ with probability $q_k(B)$.
# So the count with label $k$ is binomial, and the fraction $f_k$ has standard error
#
# $$ \operatorname{se}(f_k) = \sqrt{q_k(B)\,\big(1 - q_k(B)\big) / n_B} \tag{bin-se} $$
#
# And $f_k$ is the average of the hard labels $z_k \in \{0, 1\}$ of the draws in $B$, so this is also a test of equation (resp-expect): an average of hard values that comes out soft.
#
# We draw $10^6$ pairs from `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, $\boldsymbol\sigma^2 = (0.5, 1, 0.3)$) and use bins of width $h = 0.05$ at eight points where two components compete.

# %%
M = 1_000_000
X_sim, z_sim = gb.sample(gmm1, M, np.random.default_rng(7))
x_sim = X_sim[:, 0]
h = 0.05
x0s = np.array([-2.0, -1.5, -1.0, -0.5, 0.0, 2.5, 3.0, 3.5])
mu1, sd1 = gmm1.means[:, 0], np.sqrt(gmm1.covariances[:, 0, 0])

n_bins = np.zeros(len(x0s), dtype=int)
fractions = np.zeros((len(x0s), 3))
for i, x0 in enumerate(x0s):
    in_bin = np.abs(x_sim - x0) <= h / 2
    n_bins[i] = in_bin.sum()
    fractions[i] = np.bincount(z_sim[in_bin], minlength=3) / n_bins[i]
r_x0 = gb.responsibilities(x0s[:, None], gmm1)                                      # r_k(x0), equation (resp)
mass = gmm1.weights * (stats.norm.cdf(x0s[:, None] + h / 2, mu1, sd1) - stats.norm.cdf(x0s[:, None] - h / 2, mu1, sd1))
q_bin = mass / mass.sum(axis=1, keepdims=True)                                      # q_k(B), equation (bin-share)
se_bin = np.sqrt(q_bin * (1 - q_bin) / n_bins[:, None])                             # equation (bin-se)

print("   x0    n_B   fraction with z = 1, 2, 3     r_k(x0) by Bayes' rule")
for i, x0 in enumerate(x0s):
    print(f"{x0:5.1f} {n_bins[i]:6d}   " + " ".join(f"{f:6.4f}" for f in fractions[i])
          + "      " + " ".join(f"{r:6.4f}" for r in r_x0[i]))
bias = np.abs(q_bin - r_x0)
in_play = n_bins[:, None] * q_bin * (1 - q_bin) >= 5
print(f"bin-width bias |q_k(B) - r_k(x0)|: at most {bias.max():.1e}, at most {np.max(bias[in_play] / se_bin[in_play]):.3f}"
      " standard errors")

# %% [markdown]
# In every bin two components compete and the third is out of reach (for example component 3 near $x = -1$).
# For the 16 competing pairs (bin, $k$) the expected counts $n_B\, q_k (1 - q_k)$ are at least 5, so the normal approximation to the binomial holds and we can count in standard errors.
# The out-of-reach pairs have expected counts below $10^{-3}$: there the model predicts no draw at all.
# The bin-width bias is below 3 % of a standard error everywhere, negligible; we still add it to the tolerance, so the test compares with $r_k(x_0)$ itself.
#
# **CHECK (resp) by simulation.** For each of the 16 competing pairs, $|f_k - r_k(x_0)| < 4\,\operatorname{se}(f_k) + |q_k(B) - r_k(x_0)|$; for the other 8 pairs, no draw at all.
# If Bayes' rule is right, a deviation beyond 4 standard errors has probability about $6 \times 10^{-5}$ per bin (in a bin with two competing components both pairs deviate by the same amount, since the two fractions sum to 1), so about $5 \times 10^{-4}$ for the eight bins together.
# Negative controls: the prior $\pi_k$ (ignoring $x$ altogether) and the likelihoods normalised without the weights, $\mathcal{N}_k(x_0) / \sum_j \mathcal{N}_j(x_0)$, must both fail the same test by more than 10 standard errors in some bin.

# %%
out_of_reach = n_bins[:, None] * q_bin < 1e-3
assert in_play.sum() == 16 and np.all(in_play | out_of_reach)       # every pair is one or the other
z_scores = np.abs(fractions - r_x0)[in_play] / se_bin[in_play]
assert np.all(np.abs(fractions - r_x0)[in_play] < 4 * se_bin[in_play] + bias[in_play])
assert np.all(fractions[out_of_reach] == 0)
assert np.max(bias[in_play] / se_bin[in_play]) < 0.03                # the bin-width bias is negligible
print(f"largest deviation of a competing pair: {z_scores.max():.2f} standard errors")

no_weights_1d = gb.GMM(np.full(3, 1 / 3), gmm1.means, gmm1.covariances)
wrong_rules = {"the prior pi_k": np.broadcast_to(gmm1.weights, r_x0.shape),
               "no weights, N_k / sum_j N_j": gb.responsibilities(x0s[:, None], no_weights_1d)}
for name, wrong in wrong_rules.items():
    worst = np.max(np.abs(fractions - wrong)[in_play] / se_bin[in_play])
    print(f"{name:28s} misses the simulated fractions by up to {worst:.0f} standard errors")
    assert worst > 10
print("check (resp) by simulation: in 8 bins of width 0.05, the fraction of draws with z = k is r_k(x0)"
      " within 4 binomial standard errors (bin-width bias included, < 0.03 se); the prior and the"
      " weight-less ratio are rejected by more than 10")

# %% [markdown]
# **What we verified:** among simulated points that land in the same small bin, the hard labels split in the proportions $r_k(x_0)$ that Bayes' rule predicts, to within binomial error; and the test has the power to reject the two most tempting wrong answers.
# Chapter 02 ran this experiment once, at $x_0 = -1$; here it is a test at eight points.
#
# The figure repeats the experiment in every bin of width 0.1 from −4.5 to 6, with the same draws.
# Top: the histogram of the draws, scaled to a density and stacked by hard label, so that its outline follows $p(x)$ (black) and each coloured layer follows $\pi_k \mathcal{N}_k(x)$ (dashed).
# Middle: the fraction of each bin's draws with $z = k$ (dots) against $r_k(x)$ (lines); the error bars of ±2 standard errors are mostly smaller than the dots.
# Bottom: the deviations in standard errors, for every pair with an expected count of at least 5 (the chapter's tolerance of ±4 is dashed).

# %%
fig = plotting.fig_posterior_simulation()
plt.show()

# %% [markdown]
# ## 4. Soft against hard clustering on Old Faithful
#
# Now real data.
# We fit the two-component, full-covariance mixture of chapter 01 to Old Faithful and compute its responsibilities.
# How soft is the clustering?
# If the model is right, the hard label $\arg\max_k r_{nk}$ of point $n$ is wrong with probability $1 - \max_k r_{nk}$, so the expected number of wrong hard labels in the data set is $\sum_n (1 - \max_k r_{nk})$.

# %%
X_of = gb.datasets.old_faithful()
N_of = len(X_of)
fit = gb.em(X_of, 2, rng=np.random.default_rng(0))
gmm_of = fit.gmm
resp_of = gb.responsibilities(X_of, gmm_of)
assert np.max(np.abs(resp_of - fit.resp)) < 1e-12          # gb.em returns the responsibilities of its final theta
labels_of = resp_of.argmax(axis=1)
print(f"log-likelihood {fit.log_likelihood:.2f}; weights {np.round(gmm_of.weights, 3)}")
print("means:", np.round(gmm_of.means, 2).tolist())
for threshold in (0.9, 0.99, 0.999):
    print(f"points with max_k r_nk < {threshold}: {np.sum(resp_of.max(axis=1) < threshold)}")
print(f"expected number of wrong hard labels, sum_n (1 - max_k r_nk): {np.sum(1 - resp_of.max(axis=1)):.2f}")
print("the least certain point:", X_of[np.argmin(resp_of.max(axis=1))], "with r =",
      resp_of[np.argmin(resp_of.max(axis=1))].round(3))

# %% [markdown]
# Old Faithful's two kinds of eruption are well separated: only one of the 272 points has a responsibility below 0.9, and the model expects fewer than one wrong hard label in the whole data set.
# (`fit.resp`, which `gb.em` returns, is the same matrix: the responsibilities under the final parameters.)
# On these data, soft and hard clustering hardly differ.
# Yet K-means, the hard method of chapter 01, will disagree with the mixture on several points, and the reason is not softness but the *shape of the boundary*.
#
# ### The boundary $r = \tfrac12$
#
# With $K = 2$ the hard label switches where $r_{n1} = r_{n2} = \tfrac12$.
# In the ratio $r_{n1} / r_{n2}$ the denominators of equation (resp) cancel, and taking logarithms of equation (gauss) (the $(2\pi)^{D/2}$ cancels too):
#
# $$ \ln\frac{r_{n1}}{r_{n2}} = \ln\frac{\pi_1}{\pi_2} - \frac12 \ln\frac{\det\boldsymbol\Sigma_1}{\det\boldsymbol\Sigma_2} - \frac12 (\mathbf{x}_n - \boldsymbol\mu_1)^\top \boldsymbol\Sigma_1^{-1} (\mathbf{x}_n - \boldsymbol\mu_1) + \frac12 (\mathbf{x}_n - \boldsymbol\mu_2)^\top \boldsymbol\Sigma_2^{-1} (\mathbf{x}_n - \boldsymbol\mu_2) \tag{log-odds-terms} $$
#
# Multiplying out the two quadratic forms and collecting powers of $\mathbf{x}_n$:
#
# $$ \ln\frac{r_{n1}}{r_{n2}} = -\frac12\, \mathbf{x}_n^\top \mathbf{A}\, \mathbf{x}_n + \mathbf{b}^\top \mathbf{x}_n + c, \qquad \mathbf{A} = \boldsymbol\Sigma_1^{-1} - \boldsymbol\Sigma_2^{-1}, \quad \mathbf{b} = \boldsymbol\Sigma_1^{-1}\boldsymbol\mu_1 - \boldsymbol\Sigma_2^{-1}\boldsymbol\mu_2, \quad c = \ln\frac{\pi_1}{\pi_2} - \frac12 \ln\frac{\det\boldsymbol\Sigma_1}{\det\boldsymbol\Sigma_2} - \frac12 \boldsymbol\mu_1^\top\boldsymbol\Sigma_1^{-1}\boldsymbol\mu_1 + \frac12 \boldsymbol\mu_2^\top\boldsymbol\Sigma_2^{-1}\boldsymbol\mu_2 \tag{log-odds} $$
#
# The boundary $r_{n1} = \tfrac12$ is where equation (log-odds) is zero: in general a curve (a conic section: an ellipse, a parabola or a hyperbola).
# Only when the two covariances are equal is $\mathbf{A} = \mathbf{0}$, and the boundary a straight line (a hyperplane in $D$ dimensions), as for the tied covariances of chapter 01, equation (overlap-ratio).
# With $K = 2$ equation (resp) is always the logistic function of the log-odds, $r_{n1} = 1 / (1 + e^{-\ln(r_{n1}/r_{n2})})$, because $r_{n2} = 1 - r_{n1}$; with equal covariances the log-odds are linear in $\mathbf{x}_n$, and $r_{n1}$ has the form of logistic regression.
#
# K-means' boundary is what equation (log-odds) gives for equal weights and equal round covariances $\sigma^2 \mathbf{I}$, with its centres $\mathbf{m}_k$ as the means (chapter 06 shows that K-means is a limit of such a mixture).
# Then $\mathbf{A} = \mathbf{0}$, $\mathbf{b} = (\mathbf{m}_1 - \mathbf{m}_2)/\sigma^2$ and $c = (\lVert\mathbf{m}_2\rVert^2 - \lVert\mathbf{m}_1\rVert^2)/(2\sigma^2)$, and whatever $\sigma$, the boundary is the set of points equally far from the two centres, the perpendicular bisector:
#
# $$ \lVert \mathbf{x} - \mathbf{m}_1 \rVert^2 = \lVert \mathbf{x} - \mathbf{m}_2 \rVert^2 \iff 2(\mathbf{m}_2 - \mathbf{m}_1)^\top \mathbf{x} = \lVert\mathbf{m}_2\rVert^2 - \lVert\mathbf{m}_1\rVert^2 \tag{kmeans-boundary} $$
#
# **CHECK (log-odds).** Equation (log-odds), with $\mathbf{A}$, $\mathbf{b}$, $c$ computed from the fitted θ in NumPy, must equal $\ln r_{n1} - \ln r_{n2}$ from `gb.responsibilities` at all 272 points within $10^{-8}$, and its sign must give the hard labels.
# $\mathbf{A}$ must not be zero: the fitted boundary is curved.

# %%
w_of, m_of, c_of = gmm_of.weights, gmm_of.means, gmm_of.covariances
P1, P2 = np.linalg.inv(c_of[0]), np.linalg.inv(c_of[1])                    # precision matrices Sigma_k^-1
A = P1 - P2
b = P1 @ m_of[0] - P2 @ m_of[1]
c = (np.log(w_of[0] / w_of[1]) - 0.5 * np.log(np.linalg.det(c_of[0]) / np.linalg.det(c_of[1]))
     - 0.5 * m_of[0] @ P1 @ m_of[0] + 0.5 * m_of[1] @ P2 @ m_of[1])
log_odds = -0.5 * np.einsum("ni,ij,nj->n", X_of, A, X_of) + X_of @ b + c  # equation (log-odds)

log_odds_lib = np.log(resp_of[:, 0]) - np.log(resp_of[:, 1])
print(f"log-odds at the data range from {log_odds.min():.1f} to {log_odds.max():.1f}")
print("A = Sigma_1^-1 - Sigma_2^-1 =", np.round(A, 4).tolist())
assert np.max(np.abs(log_odds - log_odds_lib)) < 1e-8
assert np.array_equal(log_odds < 0, labels_of == 1)
assert np.max(np.abs(A)) > 1e-2
print("check (log-odds): the quadratic log-odds equal ln r_n1 - ln r_n2 from gmmbook within 1e-8 at all 272 points"
      " and give the hard labels; A is not zero, so the boundary r = 1/2 is curved")

# %% [markdown]
# **What we verified:** the log-odds of the fitted mixture are the quadratic function (log-odds) of the point; its zero set is the boundary between the two hard labels.
#
# ### Argmax labels against K-means
#
# We run K-means on the same raw data (SciPy's `kmeans2` with k-means++ seeding and a seeded generator).
# K-means numbers its clusters arbitrarily, so before comparing we rename them in the way (of the $2! = 2$) that agrees best with the mixture's hard labels.

# %%
centroids, labels_km = kmeans2(X_of, 2, minit="++", rng=np.random.default_rng(0))
best = min(itertools.permutations(range(2)), key=lambda perm: np.sum(np.array(perm)[labels_km] != labels_of))
labels_km = np.array(best)[labels_km]
centroids = centroids[np.argsort(best)]                    # centroid k now belongs to the renamed cluster k
disagree = np.flatnonzero(labels_km != labels_of)
print("K-means centroids:", np.round(centroids, 2).tolist())
print(f"{len(disagree)} of {N_of} points disagree:")
print(" eruption  waiting   K-means  argmax r   r_n1    r_n2")
for n in disagree:
    print(f"{X_of[n, 0]:9.3f} {X_of[n, 1]:8.0f} {labels_km[n] + 1:9d} {labels_of[n] + 1:9d} "
          f"{resp_of[n, 0]:7.4f} {resp_of[n, 1]:7.4f}")

# %% [markdown]
# The centroids of K-means almost coincide with the means of the mixture, yet five points are labelled differently.
# All five have waiting times between 64 and 71 minutes, in the gap between the two kinds of eruption, and an eruption time that points the other way: 3.4 to 3.8 minutes (long) with a short wait, or 2.4 minutes (short) with a long wait.
# K-means measures plain distance in minutes.
# Its two centres differ by 2.2 minutes in eruption time and by 25.5 minutes in waiting time, so the bisector (kmeans-boundary), perpendicular to $\mathbf{m}_2 - \mathbf{m}_1$, is nearly a horizontal line: K-means splits almost by waiting time alone.
# A minute of eruption counts as much as a minute of waiting, although the waiting times vary about 12 times more (standard deviations of about 13.6 and 1.1 minutes over all the data).
# The mixture measures each component's own Mahalanobis distance; its components are narrow in eruption time (standard deviations 0.26 and 0.41 minutes) and wide in waiting time (5.8 and 6.0 minutes), so its boundary is a steep curve and it decides mainly by eruption time.
#
# **CHECK (soft vs hard).** (a) The K-means labels must be the nearest-centroid labels, that is the side of the bisector (kmeans-boundary) on which each point lies, so the disagreements lie between the two boundaries.
# (b) None of the disagreements may be a point the mixture is unsure about: at each, the mixture's responsibility for the K-means choice must be below 0.01.
# (c) If the disagreement comes from the units, K-means on standardised data (each column centred and divided by its standard deviation) must disagree with the mixture on fewer than half as many points.

# %%
side = 2 * (centroids[1] - centroids[0]) @ X_of.T > np.sum(centroids[1] ** 2) - np.sum(centroids[0] ** 2)
assert np.array_equal(side, labels_km == 1)                                   # (a), equation (kmeans-boundary)
assert np.all(resp_of[disagree, labels_km[disagree]] < 0.01)                  # (b)

X_std = (X_of - X_of.mean(axis=0)) / X_of.std(axis=0)
_, labels_km_std = kmeans2(X_std, 2, minit="++", rng=np.random.default_rng(0))
disagree_std = min(np.sum(np.array(perm)[labels_km_std] != labels_of) for perm in itertools.permutations(range(2)))
print(f"K-means on raw minutes disagrees with argmax r on {len(disagree)} points; on standardised data on {disagree_std}")
assert 2 * disagree_std < len(disagree)                                      # (c)
print("check (soft vs hard): K-means labels are the sides of the bisector of its centroids; at every disagreement"
      " the mixture gives the K-means choice a responsibility below 0.01; standardising the data removes most"
      " disagreements")

# %% [markdown]
# **What we verified:** on Old Faithful the mixture and K-means disagree not because one is soft and the other hard, but because their boundaries differ: a straight bisector in raw minutes against a curve drawn with each component's covariance.
# At every point where they disagree, the mixture is confident.
#
# The figure shows both clusterings with both boundaries: the dotted curve $r_{n1} = \tfrac12$ of the mixture and the dashed bisector of K-means.
# The circled points, between the two boundaries, are the five disagreements.
# On the left the crosses are the K-means centroids; on the right the crosses and ellipses are the mixture's means and one-standard-deviation contours.
# On the right the colours mix by responsibility; almost every point has a pure colour, and the one greyish point, at (2.9, 63), is the least certain one ($r_{n1} = 0.80$).

# %%
fig = plotting.fig_soft_vs_hard_old_faithful()
plt.show()

# %% [markdown]
# Soft assignment earns its keep where components overlap: chapter 01 showed it on two overlapping clusters, where hard labels are wrong for about 16 % of the points and the responsibilities predicted that rate.
# On Old Faithful the doubt is small, and what matters more is the other fix of chapter 01, full covariances.
# In EM both matter: chapter 05's M-step weights every point by its $r_{nk}$, so a doubtful point contributes to both components in proportion to the odds.
#
# ## 5. Computing responsibilities in log space
#
# Equation (resp) is a ratio of densities, and densities underflow.
# Far from every component, each $\pi_k \mathcal{N}_k(\mathbf{x})$ is smaller than the smallest positive float64 (about $4.9 \times 10^{-324} \approx e^{-744.4}$) and becomes exactly 0.
# Then the naive ratio is $0/0$, which is NaN (not a number).
# Yet the responsibilities of such a point are perfectly well defined: they depend only on the *ratios* of the densities (for $K = 2$, equation (log-odds)), and those are ordinary numbers.
#
# The cure is the one chapter 03 used for $\ln p(\mathbf{x})$: never leave log space.
# Write $a_{nk} = \ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, computed directly from the exponent of equation (gauss) by `gb.log_joint` without ever forming a density.
# Then the logarithm of equation (resp) is a difference, and its denominator is equation (logsumexp):
#
# $$ \ln r_{nk} = a_{nk} - \ln \sum_{j=1}^K e^{a_{nj}} = a_{nk} - m_n - \ln \sum_{j=1}^K e^{a_{nj} - m_n}, \qquad m_n = \max_j a_{nj} \tag{log-resp} $$
#
# Every exponent $a_{nj} - m_n$ is at most 0, and the largest is exactly 0, so the sum lies between 1 and $K$: no overflow, no $\ln 0$.
# The largest responsibility of each row is at least $1/K$ and always representable; only responsibilities below the smallest float64, about $e^{-744.4}$, round to 0, which is their correct value to float64 precision.
# In code, equation (log-resp) is one line on top of `gb.log_joint` and `gb.logsumexp`:

# %%
def responsibilities_log_space(X, gmm):
    """r_nk by equation (log-resp): exponentiate a_nk minus the log-sum-exp of its row."""
    a = gb.log_joint(X, gmm)                                       # a_nk = ln pi_k + ln N(x_n | mu_k, Sigma_k)
    return np.exp(a - gb.logsumexp(a, axis=1)[:, None])


def responsibilities_naive(X, gmm):
    """r_nk by equation (resp) in probability space: the densities themselves, then the ratio."""
    joint = np.exp(gb.log_joint(X, gmm))                           # pi_k N(x_n | mu_k, Sigma_k) as numbers
    return joint / joint.sum(axis=1, keepdims=True)


# %% [markdown]
# Back to the textbook mixture, $\mathcal{N}(-4, 1)$, $\mathcal{N}(0, 0.2)$, $\mathcal{N}(8, 3)$ with equal weights, at points ever farther out on both sides.

# %%
X_far = np.array([[-100.0], [-50.0], [-25.0], [-20.0], [30.0], [100.0]])
a_far = gb.log_joint(X_far, gmm_tb)
with np.errstate(under="ignore", invalid="ignore"):
    resp_naive = responsibilities_naive(X_far, gmm_tb)
resp_log = responsibilities_log_space(X_far, gmm_tb)
resp_far = gb.responsibilities(X_far, gmm_tb)
print("      x   a_n1 = ln pi_1 N_1    a_n2       a_n3    naive r_n          log-space r_n")
for x_n, a_n, rn, rl in zip(X_far[:, 0], a_far, resp_naive, resp_log):
    print(f"{x_n:7.0f} {a_n[0]:12.1f} {a_n[1]:11.1f} {a_n[2]:9.1f}   {np.array2string(rn, precision=3):18s} "
          f"{np.array2string(rl, precision=3)}")

# %% [markdown]
# At $x = -100$ the largest $a_{nk}$ is about $-1947$, far below $-744.4$: all three densities are 0 in float64, and the naive ratio is NaN; the same at $x = 100$.
# At $x = -50$ the densities are tiny ($e^{-563}$ for the largest) but still representable, and the naive ratio still works.
# In log space every row is a proper distribution.
#
# Look at *which* component takes the far points: at $x = -100$, $-50$ and $-25$, component 3, whose mean is $+8$, the farthest of the three, and not component 1 at $-4$.
# Far from the data the quadratic terms of equation (log-odds-terms) dominate, and $-\tfrac12(x - \mu_k)^2 / \sigma_k^2$ falls most slowly for the largest variance: the widest component always wins in the end, on both sides.
# For components 1 and 3 the switch happens where $\ln(\pi_1 \mathcal{N}_1) = \ln(\pi_3 \mathcal{N}_3)$, that is (multiplying by $-6$ and using $\pi_1 = \pi_3$)
#
# $$ 3(x + 4)^2 - (x - 8)^2 = 3 \ln 3 \iff x^2 + 20x - 8 - \tfrac32 \ln 3 = 0 \iff x^* = -10 - \sqrt{108 + \tfrac32 \ln 3} \approx -20.47 \tag{far-switch} $$
#
# (the other root, $+0.47$, lies where component 2 dominates both).
# A point at $-25$ lies 21 from $\mu_1$ and 33 from $\mu_3$, yet the model gives it to component 3: in each component's own standard deviations it is 21 from $\mu_1$ but only $33/\sqrt3 = 19$ from $\mu_3$.
# That is consistent, but it is also a warning: the responsibilities of points far from all the data are decided by the tails of the Gaussians, where the data told the model almost nothing.
#
# **CHECK (log-resp).** (a) At $x = \pm 100$ the naive ratio is NaN, while `gb.responsibilities` and the log-space function are finite and every row sums to 1 within $10^{-12}$.
# (b) On 2001 points from $-200$ to $200$, `gb.responsibilities` must be finite, sum to 1 within $10^{-12}$, and equal an independent log-space reference, SciPy's `softmax` of `norm.logpdf` plus $\ln \pi_k$, within $10^{-12}$ (absolute), and the inline function above within $10^{-13}$.
# (c) Between $-30$ and $-10$ (on the same grid, spacing 0.2), $r_1 - r_3$ changes sign exactly once, between the two grid points that bracket the root (far-switch), and at that root $\ln r_1 - \ln r_3 = a_1 - a_3$ vanishes within $10^{-9}$.

# %%
with np.errstate(under="ignore", invalid="ignore"):
    naive_100 = responsibilities_naive(np.array([[-100.0], [100.0]]), gmm_tb)
assert np.all(np.isnan(naive_100))                                                        # (a) 0/0
assert np.all(np.isfinite(resp_far)) and np.all(np.isfinite(resp_log))
assert np.max(np.abs(resp_far.sum(axis=1) - 1)) < 1e-12

x_wide = np.linspace(-200, 200, 2001)
a_scipy = np.log(weights_tb) + stats.norm.logpdf(x_wide[:, None], mu_tb, np.sqrt(var_tb))
resp_scipy = special.softmax(a_scipy, axis=1)                                             # (b) reference
resp_wide = gb.responsibilities(x_wide[:, None], gmm_tb)
assert np.all(np.isfinite(resp_wide)) and np.max(np.abs(resp_wide.sum(axis=1) - 1)) < 1e-12
assert np.max(np.abs(resp_wide - resp_scipy)) < 1e-12
assert np.max(np.abs(resp_wide - responsibilities_log_space(x_wide[:, None], gmm_tb))) < 1e-13
with np.errstate(under="ignore", invalid="ignore"):
    naive_wide = responsibilities_naive(x_wide[:, None], gmm_tb)
nan_rows = np.isnan(naive_wide).any(axis=1)
print(f"naive ratio NaN on {nan_rows.sum()} of {len(x_wide)} points (x <= {x_wide[nan_rows & (x_wide < 0)].max():.1f}"
      f" and x >= {x_wide[nan_rows & (x_wide > 0)].min():.1f}); log space NaN on {np.isnan(resp_wide).any(axis=1).sum()}")

x_switch = -10 - np.sqrt(108 + 1.5 * np.log(3))                                          # equation (far-switch)
segment = (x_wide >= -30) & (x_wide <= -10)
sign = np.sign(resp_wide[segment, 0] - resp_wide[segment, 2])
assert np.sum(sign[1:] != sign[:-1]) == 1                                                 # (c) one switch ...
i_switch = np.flatnonzero(sign[1:] != sign[:-1])[0]
assert x_wide[segment][i_switch] < x_switch < x_wide[segment][i_switch + 1]              # ... where (far-switch) says
a_switch = gb.log_joint(np.array([[x_switch]]), gmm_tb)[0]
assert abs(a_switch[0] - a_switch[2]) < 1e-9
print(f"r_1 = r_3 at x* = {x_switch:.4f}")
print("check (log-resp): the naive ratio is NaN far out (0/0), gmmbook's responsibilities are finite and sum to 1"
      " within 1e-12 everywhere; they equal SciPy's softmax of the log joint within 1e-12 on [-200, 200];"
      " r_1 - r_3 changes sign once on [-30, -10], next to the root of equation (far-switch), where the log-odds are < 1e-9")

# %% [markdown]
# **What we verified:** equation (log-resp) gives valid responsibilities where the naive ratio gives NaN, and agrees with an independent log-space computation everywhere on $[-200, 200]$; the switch to the widest component happens where equation (far-switch) says.
#
# The figure shows the reason in one picture.
# Top: each $\ln p(x, z_k = 1) = a_k(x)$ is a downward parabola with curvature $1/\sigma_k^2$, and $\ln p(x)$ (grey band) follows the highest one; the flattest parabola, component 3, is highest far out on both sides.
# Bottom: $r_k(x)$, computed in log space, with the seven data points of the textbook example at their responsibilities from the table of section 1.1.

# %%
fig = plotting.fig_responsibility_curves_1d()
plt.show()

# %% [markdown]
# ### Far in many dimensions
#
# In one dimension the naive ratio fails only far out.
# Chapter 03 showed that in many dimensions *every* density underflows, because it is a product of $D$ factors; so the naive ratio fails for every point.
# We take the example of chapter 03: $D = 500$, $\boldsymbol\mu_1 = \mathbf{0}$, $\boldsymbol\mu_2 = (0.5, \dots, 0.5)$, $\boldsymbol\Sigma_k = 2\mathbf{I}$, $\pi_k = \tfrac12$, and 100 points drawn from it.
# With equal weights and the shared covariance $2\mathbf{I}$, equation (log-odds) has $\mathbf{A} = \mathbf{0}$ and reduces to a linear function, $\ln(r_{n1}/r_{n2}) = \big(\lVert\mathbf{x}_n - \boldsymbol\mu_2\rVert^2 - \lVert\mathbf{x}_n - \boldsymbol\mu_1\rVert^2\big)/4$, so the exact responsibilities are a logistic function of it, an independent reference.
#
# **CHECK (log-resp), D = 500.** The naive ratio must be NaN for all 100 points; `gb.responsibilities` must be finite, sum to 1, and equal the logistic reference (`scipy.special.expit`) within a relative error of $10^{-8}$ in both columns.
# The tolerance: a relative error of $r$ is an absolute error of $\ln r$, and the $a_{nk}$ are numbers near $-900$ that are sums of 500 terms, each rounded to about $10^{-16}$ relative, so their differences carry absolute errors of order $10^{-12}$; $10^{-8}$ leaves a wide margin and still demands eight correct digits, even of responsibilities as small as $e^{-53}$.

# %%
D_high = 500
gmm_high = gb.GMM(np.array([0.5, 0.5]), np.vstack([np.zeros(D_high), np.full(D_high, 0.5)]),
                  np.stack([2 * np.eye(D_high)] * 2))
X_high, labels_high = gb.sample(gmm_high, 100, np.random.default_rng(3))
with np.errstate(under="ignore", invalid="ignore"):
    naive_high = responsibilities_naive(X_high, gmm_high)
resp_high = gb.responsibilities(X_high, gmm_high)
log_odds_high = (np.sum((X_high - gmm_high.means[1]) ** 2, axis=1) - np.sum((X_high - gmm_high.means[0]) ** 2, axis=1)) / 4
print(f"largest a_nk over all points: {gb.log_joint(X_high, gmm_high).max():.0f}; naive ratio NaN for"
      f" {np.isnan(naive_high).any(axis=1).sum()} of 100 points")
print(f"log-odds range from {log_odds_high.min():.1f} to {log_odds_high.max():.1f}; hard labels equal the true labels"
      f" for {np.sum(resp_high.argmax(axis=1) == labels_high)} of 100 points")
assert np.all(np.isnan(naive_high))
assert np.all(np.isfinite(resp_high)) and np.max(np.abs(resp_high.sum(axis=1) - 1)) < 1e-12
assert np.allclose(resp_high[:, 0], special.expit(log_odds_high), rtol=1e-8, atol=0)
assert np.allclose(resp_high[:, 1], special.expit(-log_odds_high), rtol=1e-8, atol=0)
print("check (log-resp), D = 500: the naive ratio is NaN for every point; gmmbook's responsibilities are finite,"
      " sum to 1 and equal the exact logistic form within rel. error 1e-8")

# %% [markdown]
# **What we verified:** in 500 dimensions, where every density is 0 in float64, log-space responsibilities are exact to eight significant digits, even the tiny ones.
# These points are not outliers; they are ordinary draws from the model, and the responsibilities are confident and correct.
# This is why `gb.responsibilities`, `gb.e_step` and everything built on them work with $a_{nk}$ and equation (log-resp), never with densities.
#
# ## Summary
#
# - Bayes' rule turns the generative story around: $p(\mathbf{z} \mid \mathbf{x}) = p(\mathbf{x}, \mathbf{z}) / p(\mathbf{x})$, equation (bayes); for a mixture, in one-hot form, equation (resp-onehot), and for one component, the responsibility $r_{nk} = \pi_k \mathcal{N}_k(\mathbf{x}_n) / \sum_j \pi_j \mathcal{N}_j(\mathbf{x}_n)$, equation (resp). We computed it by hand for the textbook example, with SciPy densities, and with `gb.responsibilities`.
# - Responsibilities are probabilities, equation (resp-sum). Each is the expectation of a hard 0/1 label, equation (resp-expect): **the label is always hard; the responsibility is its average over what we do not know.** Averaged over the data, the responsibilities give back the weights, equation (resp-average).
# - Given θ, the posterior of a data set factorises over points, equation (post-factor), so an $N \times K$ matrix describes a distribution over $K^N$ labellings; we checked it against brute-force enumeration of 81 labellings.
# - Simulated from the generative model, the points that land in a small bin carry hard labels in the proportions $r_k$ predicted by Bayes' rule, within binomial error, equations (bin-share) and (bin-se); the prior and the weight-less ratio fail the same test.
# - On Old Faithful the mixture is nearly certain about almost every point; it disagrees with K-means on five points, all of which it is confident about, because its boundary (log-odds) is a curve drawn with each component's covariance while K-means' boundary (kmeans-boundary) is the bisector in raw minutes.
# - Responsibilities must be computed in log space, equation (log-resp): the naive ratio is $0/0$ = NaN far from the components and, in high dimensions, everywhere. Far out, the widest component takes every point, equation (far-switch).
#
# Next, chapter 05 uses the responsibilities to build the expected complete-data log-likelihood $Q$ and derives the M-step, starting from the table of section 1.1.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/04_posterior.ipynb): among them, compute the responsibilities of the textbook example by hand, and implement `responsibilities` in log space so that it survives far-away points.

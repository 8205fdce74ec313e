# %% [markdown]
# # Chapter 04: Responsibilities and soft assignment
#
# Chapter 02 told the mixture as a story: a hidden label $\mathbf{z}$ is drawn first, then a point $\mathbf{x}$ from the chosen component.
# Chapter 03 summed the label out to get the density $p(\mathbf{x})$ of what we observe.
# This chapter runs the story backwards: having seen $\mathbf{x}$, what do we know about $\mathbf{z}$?
# Bayes' rule answers with a probability for each component, its *responsibility* for the point.
# Computing responsibilities is the E-step of the EM algorithm (chapters 05 and 06).
#
# ## What you will learn
#
# - Bayes' rule for the hidden label, equation (resp): by hand, as a function, then with `gb.responsibilities`.
# - Responsibilities are expectations of hard labels, give back the weights on average, and factorise over points.
# - A test of Bayes' rule against the generative story, by simulation.
# - Soft against hard clustering on Old Faithful: a curved boundary against K-means' straight one.
# - Why responsibilities are computed in log space, equation (log-resp).
#
# ## What this chapter assumes
#
# - Chapter 01: the Gaussian density, equation (gauss), the mixture, and K-means, equation (kmeans).
# - Chapter 02: the joint, equations (joint) and (joint-k), that of a data set, equation (log-joint-data), and why assignment is soft although every label is hard.
# - Chapter 03: the marginal, equation (marginal), the likelihood, and log-sum-exp, equation (logsumexp).
# - Bayes' rule for two events, and the standard error of a proportion.
#
# The symbols are those of chapter 00.

# %%
import itertools

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import sympy as sp
from scipy import integrate, special, stats
from scipy.cluster.vq import kmeans2
from sklearn.mixture import GaussianMixture

import gmmbook as gb
from gmmbook import plotting

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Bayes' rule for the label
#
# The product rule factorises the joint in two orders, $p(\mathbf{z})\, p(\mathbf{x} \mid \mathbf{z}) = p(\mathbf{x})\, p(\mathbf{z} \mid \mathbf{x})$: the generative story of chapter 02, and what we want.
# Dividing by $p(\mathbf{x})$, equation (marginal) of chapter 03, and writing the joint as equation (joint) of chapter 02 gives Bayes' rule for the one-hot label:
#
# $$ p(\mathbf{z} \mid \mathbf{x}) = \frac{p(\mathbf{x}, \mathbf{z})}{p(\mathbf{x})} = \frac{\prod_{k=1}^K \left[\pi_k \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\right]^{z_k}}{\sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)} \tag{resp-onehot} $$
#
# For the one-hot vector with $z_k = 1$, the exponents keep the $k$-th factor of the numerator and turn every other factor into 1.
# At a data point $\mathbf{x}_n$ this is the **responsibility** of component $k$ for point $n$:
#
# $$ r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n) = \frac{\pi_k \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}{\sum_{j=1}^K \pi_j \,\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)} \tag{resp} $$
#
# We write $r_k(\mathbf{x})$ for the same function at any point $\mathbf{x}$, so that $r_{nk} = r_k(\mathbf{x}_n)$, and $\mathcal{N}_k(\mathbf{x})$ for $\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$.
# Equation (resp) reads in two ways.
#
# - **As a share.** The numerator is $p(\mathbf{x}_n, z_{nk} = 1)$, equation (joint-k); the denominator is $p(\mathbf{x}_n)$. So $r_{nk}$ is component $k$'s share of the density at $\mathbf{x}_n$: the share that chapter 02 previewed as equation (joint-share), now derived.
# - **As an update of the prior.** Seeing $\mathbf{x}_n$ multiplies the prior $\pi_k$ by $\mathcal{N}_k(\mathbf{x}_n) / p(\mathbf{x}_n)$, above 1 if component $k$ explains the point better than the mixture as a whole.
#
# ### 1.1 The textbook example, by hand
#
# The classic hand-worked example (Deisenroth, Faisal & Ong 2020, §11.2, Examples 11.2–11.5; `gb.datasets.textbook_1d()`) has seven points, $-3, -2.5, -1, 0, 2, 4, 5$, and three components $\mathcal{N}(-4, 1)$, $\mathcal{N}(0, 0.2)$ and $\mathcal{N}(8, 3)$ with equal weights $\pi_k = \tfrac13$.
# The second number is the *variance* $\sigma_k^2$.
# In one dimension equation (gauss) is $\mathcal{N}(x \mid \mu, \sigma^2) = e^{-(x-\mu)^2 / 2\sigma^2} / \sqrt{2\pi\sigma^2}$.
# Here is equation (resp) for the seven points, one row per point.

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
# Most points are claimed with near certainty; two rows deserve a second look.
#
# - $x = -1$ lies 3 from $\mu_1 = -4$ and 1 from $\mu_2 = 0$. Component 2 takes it, but only with $r = 0.943$: it is narrow ($\sigma_2 \approx 0.45$), so in its own standard deviations the point is 2.2 from $\mu_2$, against 3 from $\mu_1$.
# - $x = 2$ lies 2 from $\mu_2$ and 6 from $\mu_3 = 8$, yet component 3 takes it ($r = 0.934$): it is 4.5 standard deviations from $\mu_2$ but only $6/\sqrt3 = 3.5$ from $\mu_3$.
#
# Responsibilities compare distances in each component's own units, the Mahalanobis distance of equation (gauss), corrected by the weight and the height $1/\sqrt{2\pi\sigma_k^2}$: at $x = -1$ the narrow component 2 leads by 2.8 nats, 0.8 of them from its height alone.
# The column sums $N_k = \sum_n r_{nk}$ are soft counts of points; they add up to $N = 7$.
# Chapter 05 starts its first M-step from this table.
#
# ### 1.2 As a function, then the library
#
# The same three lines work in any dimension, here with the densities of SciPy's `multivariate_normal`, independent of `gmmbook`.

# %%
def responsibilities_inline(X, weights, means, covariances):
    """r_nk of equation (resp), in probability space, with SciPy's Gaussian densities."""
    joint = np.column_stack([w * stats.multivariate_normal(m, c).pdf(X)      # pi_k N(x_n | mu_k, Sigma_k)
                             for w, m, c in zip(weights, means, covariances)])
    return joint / joint.sum(axis=1, keepdims=True)                           # each row divided by p(x_n)


# %% [markdown]
# `gb.responsibilities(X, gmm)` returns the $N \times K$ matrix `resp` of equation (resp); section 5 explains why it works in log space.
#
# **CHECK (resp).** (a) On the textbook example: the table by hand within $10^{-12}$, and its column sums against the published $N_k \approx 2.06, 2.01, 2.93$ (Deisenroth, Faisal & Ong 2020, §11.2, Examples 11.2–11.5, to the digits the book prints), within half a unit of the last digit.
# (b) On 1000 points of the 2-D mixture `three_component_2d` of chapter 02, whose covariances are correlated: the SciPy-based function above, and scikit-learn's `GaussianMixture.predict_proba` given the same θ, each within $10^{-12}$.

# %%
resp_tb = gb.responsibilities(X_tb, gmm_tb)
assert np.max(np.abs(resp_tb - resp_by_hand)) < 1e-12   # fails if sigma is used for sigma^2 (pi_k cancels here; (b)
#                                                          catches a dropped pi_k)
assert np.max(np.abs(resp_by_hand.sum(axis=0) - [2.06, 2.01, 2.93])) < 0.005   # fails if the table is normalised
#                                         over points, or the variance is used as a standard deviation (2.75, 1.00, 3.25)

gmm2 = gb.datasets.three_component_2d()
X2, _ = gb.sample(gmm2, 1000, np.random.default_rng(0))
resp2 = gb.responsibilities(X2, gmm2)
sklearn_gmm = GaussianMixture(n_components=3, covariance_type="full")   # given theta, not fitted
sklearn_gmm.weights_, sklearn_gmm.means_, sklearn_gmm.covariances_ = gmm2.weights, gmm2.means, gmm2.covariances
sklearn_gmm.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(gmm2.covariances))
assert np.max(np.abs(resp2 - responsibilities_inline(X2, gmm2.weights, gmm2.means, gmm2.covariances))) < 1e-12
#                                                    fails if the Mahalanobis distance mishandles a correlated Sigma
assert np.max(np.abs(resp2 - sklearn_gmm.predict_proba(X2))) < 1e-12     # fails likewise, by scikit-learn's route
print("check (resp): gb.responsibilities equals the table by hand (its N_k match the published 2.06, 2.01, 2.93),"
      " SciPy's densities and scikit-learn's predict_proba; max abs. difference < 1e-12")

# %% [markdown]
# **What we verified:** `gb.responsibilities` computes equation (resp), by three routes that share no code with it, and its column sums match the published ones.
# From now on we use the library.
#
# ## 2. Properties of the responsibilities
#
# ### 2.1 Probabilities of hard labels
#
# The denominator of equation (resp) is the sum of the $K$ non-negative numerators, so
#
# $$ 0 \le r_{nk} \le 1, \qquad \sum_{k=1}^K r_{nk} = 1 \tag{resp-sum} $$
#
# and each row of `resp` is a probability distribution over the $K$ components: the posterior of $\mathbf{z}_n$.
# Any code that divides by the row sum satisfies equation (resp-sum) by construction, so we do not assert it; section 5 shows where floating point breaks it.
#
# Chapter 02 showed that softness is our uncertainty about a hard draw of $\mathbf{z}$; here is its formula.
# The label $z_{nk}$ is 0 or 1, so its expectation is the probability that it is 1:
#
# $$ \begin{aligned} \mathbb{E}[z_{nk} \mid \mathbf{x}_n] &= \sum_{j=1}^K [\mathbf{e}_j]_k \; p(\mathbf{z}_n = \mathbf{e}_j \mid \mathbf{x}_n) = r_{nk}, \\ \operatorname{Var}[z_{nk} \mid \mathbf{x}_n] &= r_{nk}\,(1 - r_{nk}) \end{aligned} \tag{resp-expect} $$
#
# The variance follows from $z^2 = z$ for $z \in \{0, 1\}$.
# It is largest at $r_{nk} = \tfrac12$: a responsibility near ½ means "we do not know which", not "half a member of each".
# Section 3 checks equation (resp-expect) by simulating hard labels.
#
# **CHECK (resp-onehot), SymPy.** From the definitions, with $K = 3$ and positive symbols $\pi_k$ and $\mathcal{N}_k$ (the densities at a fixed $\mathbf{x}$): the joint with its exponents, equation (joint) of chapter 02, divided by its sum over the three one-hot states, must equal equation (resp) at each state $\mathbf{e}_j$.

# %%
pi = sp.symbols("pi1:4", positive=True)        # pi_1, pi_2, pi_3
Ns = sp.symbols("dens1:4", positive=True)      # N(x | mu_k, Sigma_k) at some fixed x
z = sp.symbols("z1:4")
one_hot = [dict(zip(z, row)) for row in np.eye(3, dtype=int).tolist()]

joint_sym = sp.Mul(*[(p * n) ** zk for p, n, zk in zip(pi, Ns, z)])      # equation (joint) of chapter 02
posterior = joint_sym / sum(joint_sym.subs(e_j) for e_j in one_hot)      # equation (resp-onehot)
r_sym = [pi[k] * Ns[k] / sum(p * n for p, n in zip(pi, Ns)) for k in range(3)]   # equation (resp)
for j, e_j in enumerate(one_hot):
    assert sp.simplify(posterior.subs(e_j) - r_sym[j]) == 0     # fails if the weight escapes the switch: pi_k N_k^z_k
print("r_1 =", r_sym[0])
print("check (resp-onehot), SymPy: at z = e_j the one-hot posterior is pi_j dens_j / sum_k pi_k dens_k (K = 3)")

# %% [markdown]
# **What we verified:** the exponent switch of equation (resp-onehot) gives equation (resp), symbolically.
#
# ### 2.2 On average, the posterior is the prior
#
# Averaged over the points the model produces, the responsibility of component $k$ gives back its weight, because $p(\mathbf{x})$ cancels:
#
# $$ \mathbb{E}_{\mathbf{x} \sim p}\big[r_k(\mathbf{x})\big] = \int p(\mathbf{x})\, \frac{\pi_k \mathcal{N}_k(\mathbf{x})}{p(\mathbf{x})}\, d\mathbf{x} = \pi_k \tag{resp-average} $$
#
# This makes chapter 05's M-step plausible: the new weight is the average responsibility over the data, $N_k / N$.
#
# **CHECK (resp-average).** We draw 100 000 points from `three_component_1d` ($\boldsymbol\pi = (0.3, 0.5, 0.2)$, $\boldsymbol\mu = (-2, 1, 4)$, variances $(0.5, 1, 0.3)$).
# The mean of each column of `resp` must be within 4 standard errors of $\pi_k$ (the column's standard deviation over $\sqrt{N}$); responsibilities without weights, $\mathcal{N}_k / \sum_j \mathcal{N}_j$, must miss by more than 10.
# Without sampling, the integral of $p(x)\, r_k(x)$ by SciPy's adaptive quadrature must equal $\pi_k$ within $10^{-8}$.

# %%
gmm1 = gb.datasets.three_component_1d()
X_avg, _ = gb.sample(gmm1, 100_000, np.random.default_rng(1))
resp_avg = gb.responsibilities(X_avg, gmm1)
mean_resp = resp_avg.mean(axis=0)
se_mean = resp_avg.std(axis=0, ddof=1) / np.sqrt(len(X_avg))
no_weights = gb.GMM(np.full(3, 1 / 3), gmm1.means, gmm1.covariances)      # the mistake: pi_k left out
mean_wrong = gb.responsibilities(X_avg, no_weights).mean(axis=0)
print("pi_k:                        ", gmm1.weights)
print("mean of r_k over the points: ", mean_resp.round(4), " standard errors:", se_mean.round(4))
print("mean without the weights:    ", mean_wrong.round(4))
assert np.all(np.abs(mean_resp - gmm1.weights) < 4 * se_mean)     # fails if gb drops pi_k or normalises over points
assert np.max(np.abs(mean_wrong - gmm1.weights) / se_mean) > 10   # fails if the test cannot see that mistake
integral = [integrate.quad(lambda t: np.exp(gb.log_marginal([[t]], gmm1)[0]) * gb.responsibilities([[t]], gmm1)[0, k],
                           -np.inf, np.inf, epsabs=1e-12)[0] for k in range(3)]
print("integral of p(x) r_k(x):     ", np.round(integral, 10))
assert np.max(np.abs(np.array(integral) - gmm1.weights)) < 1e-8   # fails if gb drops pi_k or mis-normalises r
print("check (resp-average): the mean responsibility is pi within 4 standard errors;"
      " forgetting the weights misses pi by more than 10; by quadrature it is pi within 1e-8")

# %% [markdown]
# **What we verified:** equation (resp-average), by simulation with a test sharp enough to catch responsibilities without weights, and by quadrature.
#
# ### 2.3 The posterior of a data set factorises over points
#
# A data set has $N$ labels $\mathbf{Z} = (\mathbf{z}_1, \dots, \mathbf{z}_N)$, which can take $K^N$ values.
# The joint factorises over points (chapter 02) and so does the likelihood (chapter 03), hence so does their ratio:
#
# $$ p(\mathbf{Z} \mid \mathbf{X}) = \frac{\prod_{n=1}^N p(\mathbf{x}_n, \mathbf{z}_n)}{\prod_{n=1}^N p(\mathbf{x}_n)} = \prod_{n=1}^N p(\mathbf{z}_n \mid \mathbf{x}_n) = \prod_{n=1}^N \prod_{k=1}^K r_{nk}^{z_{nk}} \tag{post-factor} $$
#
# Given $\theta$, the labels are independent after seeing the data, as they were before.
# So the $N \times K$ matrix `resp` describes the whole posterior: for Old Faithful ($N = 272$, $K = 2$), a distribution over $2^{272} \approx 7.6 \times 10^{81}$ labellings in 272 free numbers.
# When $\theta$ is estimated from all the points, each label's posterior depends on every point through $\hat\theta$.
#
# **CHECK (post-factor).** Take $N = 4$ points of `three_component_1d` between its bumps, $x = -1, -0.5, 2.5, 3$, and all $3^4 = 81$ labellings $\mathbf{Z}$.
# Compute $\ln p(\mathbf{X}, \mathbf{Z})$ for each from equation (log-joint-data) of chapter 02 with SciPy log-densities, and normalise over the 81 (Bayes' rule for the whole data set, which uses the factorisation of the joint (chapter 02) but not that of the posterior).
# The result must equal $\prod_n r_{n, z_n}$ from `gb.responsibilities` within $10^{-12}$, and the normaliser $\ln \sum_{\mathbf{Z}} p(\mathbf{X}, \mathbf{Z})$ must equal `gb.log_likelihood`.

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
assert np.max(np.abs(posterior_all - posterior_product)) < 1e-12      # fails if resp is normalised over points, not k
assert abs(log_evidence - gb.log_likelihood(X4, gmm1)) < 1e-12 * abs(log_evidence)   # fails if l is a mean, not a sum
print("check (post-factor): over all 81 labellings of 4 points, p(Z | X) by enumeration equals"
      " prod_n r_n,z_n within 1e-12, and sum_Z p(X, Z) equals p(X) from gb.log_likelihood")

# %% [markdown]
# **What we verified:** the posterior over all $K^N$ labellings, by brute force, is the product of the per-point responsibilities.
#
# ## 3. Checking Bayes' rule against the generative story
#
# Bayes' rule makes a claim we can test by simulation alone: run the generative story of chapter 02 many times and keep each pair $(x, \mathbf{z})$.
# Among the pairs whose $x$ lands near a point $x_0$, the fraction with $z_k = 1$ should be $r_k(x_0)$.
#
# We draw $10^6$ pairs from `three_component_1d` and take bins $B = [x_0 - h/2,\ x_0 + h/2]$ of width $h = 0.05$ at eight points where two components compete.
# Let $n_B$ be the number of draws in $B$ and $f_k$ the fraction of them with $z_k = 1$.
# The draws are independent, and each draw in the narrow bin has $z_k = 1$ with probability $r_k(x_0)$ by equation (resp), so $n_B f_k$ is binomial and
#
# $$ \operatorname{se}(f_k) = \sqrt{r_k(x_0)\,\big(1 - r_k(x_0)\big) / n_B} $$

# %%
n_sim = 1_000_000
X_sim, z_sim = gb.sample(gmm1, n_sim, np.random.default_rng(7))
x_sim = X_sim[:, 0]
h = 0.05
x0s = np.array([-2.0, -1.5, -1.0, -0.5, 0.0, 2.5, 3.0, 3.5])

counts = np.array([np.bincount(z_sim[np.abs(x_sim - x0) <= h / 2], minlength=3) for x0 in x0s])   # (8, 3)
n_bin = counts.sum(axis=1)
fractions = counts / n_bin[:, None]                                     # f_k: the mean one-hot vector in each bin
r_x0 = gb.responsibilities(x0s[:, None], gmm1)                          # r_k(x0), equation (resp)
print("   x0    n_B   fraction with z = 1, 2, 3     r_k(x0) by Bayes' rule")
for i, x0 in enumerate(x0s):
    print(f"{x0:5.1f} {n_bin[i]:6d}   " + " ".join(f"{f:6.4f}" for f in fractions[i])
          + "      " + " ".join(f"{r:6.4f}" for r in r_x0[i]))

# %% [markdown]
# The figure repeats this in every bin of width 0.1 from −4.5 to 6, with the same draws: the fraction of each bin with $z = k$ (dots) against $r_k(x)$ (lines).

# %%
fig = plotting.fig_posterior_simulation(x=x_sim, labels=z_sim, gmm=gmm1)
plt.show()

# %% [markdown]
# **CHECK (resp), against the generative story.** (a) In the eight bins, a rule passes if $|f_k - r_k(x_0)| \le 4\,\operatorname{se}(f_k)$ for all 24 pairs (bin, $k$).
# A correct rule fails by bad luck with probability at most the sum of 24 exact binomial tails (printed, about $10^{-3}$).
# The prior $\pi_k$, which ignores $x$, and the weight-less ratio must fail.
# (b) *Calibration in 2-D*, where bins in $\mathbf{x}$ would hold few draws: we bin by the responsibility instead.
# We draw 200 000 pairs from `three_component_2d` and, for each $k$, sort them into ten bins by $r_k(\mathbf{x})$: 0 to 0.1, ..., 0.9 to 1.
# Given the points, each $z_k = 1$ independently with probability $r_k(\mathbf{x})$, so in a bin of $n_B$ draws the share with $z_k = 1$ has mean $\bar r_k$, the bin's average $r_k$, and standard error $\sqrt{\sum r_k (1 - r_k)} / n_B$, summed over the bin.
# All 30 pairs (bin, $k$) must be within 4 standard errors (false alarm below $2 \times 10^{-3}$, by the union bound and the normal approximation).
# Responsibilities without weights, or ignoring the correlations in $\boldsymbol\Sigma_k$, must fail.

# %%
def worst_deviation(rule):
    """Largest |f_k - rule_k| in standard errors sqrt(rule_k (1 - rule_k) / n_B) over the 24 pairs."""
    se = np.sqrt(rule * (1 - rule) / n_bin[:, None])
    return np.max(np.abs(fractions - rule) / np.maximum(se, 1e-300))


se_bin = np.sqrt(r_x0 * (1 - r_x0) / n_bin[:, None])
lower, upper = np.ceil(n_bin[:, None] * (r_x0 - 4 * se_bin)), np.floor(n_bin[:, None] * (r_x0 + 4 * se_bin))
false_alarm = np.sum(stats.binom.cdf(lower - 1, n_bin[:, None], r_x0) + stats.binom.sf(upper, n_bin[:, None], r_x0))
no_weights_x0 = gb.responsibilities(x0s[:, None], no_weights)
rules = {"Bayes' rule r_k(x0)": r_x0, "the prior pi_k": np.broadcast_to(gmm1.weights, r_x0.shape),
         "no weights (pi_k left out)": no_weights_x0}
print("(a) 1-D, eight bins in x")
for name, rule in rules.items():
    print(f"    {name:28s} worst deviation {worst_deviation(rule):9.3g} standard errors")
print(f"    chance that the correct rule fails the test by bad luck: {false_alarm:.1e}")
assert worst_deviation(r_x0) <= 4                            # (a) fails if gb's rule drops pi_k, or sigma for sigma^2
assert worst_deviation(rules["the prior pi_k"]) > 10         # fails if the test cannot tell r_k from the prior ...
assert worst_deviation(no_weights_x0) > 10                   # fails if it cannot tell r_k from the weight-less ratio

# %%
X_cal, z_cal = gb.sample(gmm2, 200_000, np.random.default_rng(4))
edges_r = np.linspace(0, 1, 11)                              # bins of r_k: 0-0.1, ..., 0.9-1


def calibration_deviation(resp):
    """Largest |share with z = k - mean r_k| in standard errors sqrt(sum r_k (1 - r_k)) / n_B, over (bin, k)."""
    worst = 0.0
    for k in range(resp.shape[1]):
        bins = np.clip(np.digitize(resp[:, k], edges_r) - 1, 0, 9)
        for i in range(10):
            r_bin, z_bin = resp[bins == i, k], z_cal[bins == i]
            if len(r_bin):
                se = np.sqrt(np.sum(r_bin * (1 - r_bin))) / len(r_bin)
                worst = max(worst, abs(np.mean(z_bin == k) - r_bin.mean()) / se)
    return worst


calibration = {"Bayes' rule": gb.responsibilities(X_cal, gmm2),
               "no weights (pi_k left out)": gb.responsibilities(X_cal, gb.GMM(np.full(3, 1 / 3), gmm2.means,
                                                                               gmm2.covariances)),
               "correlations ignored": gb.responsibilities(X_cal, gb.GMM(gmm2.weights, gmm2.means,
                                                                         gmm2.covariances * np.eye(2)))}
deviations = {name: calibration_deviation(resp) for name, resp in calibration.items()}
print("(b) 2-D, ten bins of r_k for each k")
for name, dev in deviations.items():
    print(f"    {name:28s} worst deviation {dev:9.3g} standard errors")
print(f"    union bound on a false alarm: {30 * 2 * stats.norm.sf(4):.1e}")
assert deviations["Bayes' rule"] <= 4                       # (b) fails if gb drops pi_k or mishandles a correlated Sigma
assert min(deviations["no weights (pi_k left out)"], deviations["correlations ignored"]) > 10
#                                                fails if the calibration test cannot see these two mistakes (its power)
print("check (resp), against the generative story: simulated hard labels split as r_k within 4 binomial standard"
      " errors, near 8 points in 1-D and in 30 bins of r_k in 2-D; the wrong rules fail by more than 10")

# %% [markdown]
# **What we verified:** simulated hard labels split in the proportions of Bayes' rule, near fixed points in 1-D and in bins of equal responsibility in 2-D; tempting wrong rules fail.
#
# ## 4. Soft against hard clustering on Old Faithful
#
# We fit the two-component, full-covariance mixture of chapter 01 to Old Faithful and compute its responsibilities.
# If the model is right, the hard label $\arg\max_k r_{nk}$ is wrong with probability $1 - \max_k r_{nk}$, since $r_{nk}$ is the probability that $z_{nk} = 1$ (as section 3's calibration test confirmed).
# So $\sum_n (1 - \max_k r_{nk})$ is the expected number of wrong hard labels.

# %%
X_of = gb.datasets.old_faithful()
N_of = len(X_of)
fit = gb.em(X_of, 2, rng=np.random.default_rng(0))
gmm_of = fit.gmm
resp_of = gb.responsibilities(X_of, gmm_of)
labels_of = resp_of.argmax(axis=1)
print(f"log-likelihood {fit.log_likelihood:.2f}; weights {np.round(gmm_of.weights, 3)}")
print("means:", np.round(gmm_of.means, 2).tolist())
print(f"points with max_k r_nk < 0.9: {np.sum(resp_of.max(axis=1) < 0.9)}; < 0.99: {np.sum(resp_of.max(axis=1) < 0.99)}")
print(f"expected number of wrong hard labels, sum_n (1 - max_k r_nk): {np.sum(1 - resp_of.max(axis=1)):.2f}")
n_doubt = np.argmin(resp_of.max(axis=1))
print("the least certain point:", X_of[n_doubt], "with r =", resp_of[n_doubt].round(3))

# %% [markdown]
# The two kinds of eruption are well separated: one point of 272 has a responsibility below 0.9, and the model expects fewer than one wrong hard label.
# Yet K-means will disagree with the mixture on several points, and the reason is not softness but the *shape of the boundary*.
#
# ### The boundary $r = \tfrac12$
#
# With $K = 2$ the hard label switches where $r_{n1} = r_{n2} = \tfrac12$.
# In the ratio $r_{n1} / r_{n2}$ the denominators of equation (resp) cancel.
# Taking logarithms of equation (gauss) and multiplying out the two quadratic forms:
#
# $$ \begin{aligned} \ln\frac{r_{n1}}{r_{n2}} &= -\tfrac12\, \mathbf{x}_n^\top \mathbf{A}\, \mathbf{x}_n + \mathbf{b}^\top \mathbf{x}_n + c, \\ \mathbf{A} &= \boldsymbol\Sigma_1^{-1} - \boldsymbol\Sigma_2^{-1}, \qquad \mathbf{b} = \boldsymbol\Sigma_1^{-1}\boldsymbol\mu_1 - \boldsymbol\Sigma_2^{-1}\boldsymbol\mu_2, \\ c &= \ln\frac{\pi_1}{\pi_2} - \frac12 \ln\frac{\det\boldsymbol\Sigma_1}{\det\boldsymbol\Sigma_2} - \frac12 \boldsymbol\mu_1^\top\boldsymbol\Sigma_1^{-1}\boldsymbol\mu_1 + \frac12 \boldsymbol\mu_2^\top\boldsymbol\Sigma_2^{-1}\boldsymbol\mu_2 \end{aligned} \tag{log-odds} $$
#
# The boundary is where equation (log-odds) is zero: in general a conic section, a curve.
# Only equal covariances give $\mathbf{A} = \mathbf{0}$ and a straight boundary (a hyperplane in $D$ dimensions).
#
# K-means' boundary is equation (log-odds) for equal weights and equal round covariances $\sigma^2 \mathbf{I}$ around its centres $\mathbf{m}_k$ (chapter 06): the points equally far from the two centres, the perpendicular bisector:
#
# $$ \begin{aligned} & \lVert \mathbf{x} - \mathbf{m}_1 \rVert^2 = \lVert \mathbf{x} - \mathbf{m}_2 \rVert^2 \\ \iff\; & 2(\mathbf{m}_2 - \mathbf{m}_1)^\top \mathbf{x} = \lVert\mathbf{m}_2\rVert^2 - \lVert\mathbf{m}_1\rVert^2 \end{aligned} \tag{kmeans-boundary} $$
#
# **CHECK (log-odds).** (a) Equation (log-odds), with $\mathbf{A}$, $\mathbf{b}$, $c$ computed from the fitted θ in NumPy, must equal $\ln r_{n1} - \ln r_{n2}$ from `gb.responsibilities` at all 272 points within $10^{-8}$ (its terms reach about 100, so rounding errs near $10^{-13}$).
# (b) Along 200 random segments $\mathbf{x} \pm \mathbf{d}$ through data points, the second difference of $\ln r_1 - \ln r_2$, exactly $-\mathbf{d}^\top \mathbf{A} \mathbf{d}$ for a quadratic, must equal it within $10^{-10}$ for this fit, and 0 for a fit with tied covariances (chapter 05).

# %%
w_of, m_of, c_of = gmm_of.weights, gmm_of.means, gmm_of.covariances
P1, P2 = np.linalg.inv(c_of[0]), np.linalg.inv(c_of[1])                    # precision matrices Sigma_k^-1
A = P1 - P2
b = P1 @ m_of[0] - P2 @ m_of[1]
c = (np.log(w_of[0] / w_of[1]) - 0.5 * np.log(np.linalg.det(c_of[0]) / np.linalg.det(c_of[1]))
     - 0.5 * m_of[0] @ P1 @ m_of[0] + 0.5 * m_of[1] @ P2 @ m_of[1])
log_odds = -0.5 * np.einsum("ni,ij,nj->n", X_of, A, X_of) + X_of @ b + c  # equation (log-odds)
print("A = Sigma_1^-1 - Sigma_2^-1 =", np.round(A, 4).tolist())
assert np.max(np.abs(log_odds - (np.log(resp_of[:, 0]) - np.log(resp_of[:, 1])))) < 1e-8
#                   (a) fails if gb's log-determinant lacks its factor 2, or if the 1/2 of the exponent is dropped

gmm_tied = gb.em(X_of, 2, covariance_type="tied", rng=np.random.default_rng(0)).gmm
rng_seg = np.random.default_rng(6)
x_mid = X_of[rng_seg.integers(0, N_of, 200)]                                 # segments x - d, x, x + d
d_seg = 0.1 * X_of.std(axis=0) * rng_seg.normal(size=(200, 2))


def second_difference(gmm):
    """f(x + d) - 2 f(x) + f(x - d) for f = ln r_1 - ln r_2 from gb.responsibilities, on every segment."""
    log_r = [np.log(gb.responsibilities(x, gmm)) for x in (x_mid - d_seg, x_mid, x_mid + d_seg)]
    f = [lr[:, 0] - lr[:, 1] for lr in log_r]
    return f[2] - 2 * f[1] + f[0]


curvature = -np.einsum("ni,ij,nj->n", d_seg, A, d_seg)                       # -d^T A d
print(f"-d^T A d on the 200 segments: from {curvature.min():.3f} to {curvature.max():.3f}")
assert np.max(np.abs(second_difference(gmm_of) - curvature)) < 1e-10   # (b) fails if A uses Sigma_k for Sigma_k^-1
assert np.max(np.abs(second_difference(gmm_tied))) < 1e-10              # fails if gb's tied fit is not tied (curved)
print("check (log-odds): the quadratic log-odds equal ln r_n1 - ln r_n2 from gmmbook within 1e-8 at all 272 points;"
      " along 200 segments their second difference is -d^T A d, and 0 for tied covariances (within 1e-10)")

# %% [markdown]
# **What we verified:** the log-odds of the fitted mixture are the quadratic function (log-odds) of the point; $\mathbf{A} \neq \mathbf{0}$, so the boundary is curved, and tied covariances make it straight.
#
# ### Argmax labels against K-means
#
# We run K-means on the same raw data (SciPy's `kmeans2`, k-means++ seeding, a seeded generator).
# K-means numbers its clusters arbitrarily, so we rename them in the way that agrees best with the mixture's hard labels.

# %%
centroids, labels_km = kmeans2(X_of, 2, minit="++", rng=np.random.default_rng(0))
best = min(itertools.permutations(range(2)), key=lambda perm: np.sum(np.array(perm)[labels_km] != labels_of))
labels_km = np.array(best)[labels_km]
centroids = centroids[np.argsort(best)]                    # centroid k now belongs to the renamed cluster k
disagree = np.flatnonzero(labels_km != labels_of)
print("K-means centroids:", np.round(centroids, 2).tolist())
print("standard deviations (eruption, waiting) of the data:", X_of.std(axis=0).round(2),
      " of the components:", np.sqrt(np.diagonal(c_of, axis1=1, axis2=2)).round(2).tolist())
print(f"{len(disagree)} of {N_of} points disagree:")
print(" eruption  waiting   K-means  argmax r   r_n1    r_n2")
for n in disagree:
    print(f"{X_of[n, 0]:9.3f} {X_of[n, 1]:8.0f} {labels_km[n] + 1:9d} {labels_of[n] + 1:9d} "
          f"{resp_of[n, 0]:7.4f} {resp_of[n, 1]:7.4f}")

# %% [markdown]
# The centroids almost coincide with the mixture's means, yet five points, all waiting 64 to 71 minutes, are labelled differently.
# K-means measures plain distance in minutes, and waiting times vary about 12 times more than eruption times (chapter 01, section 4): its bisector is nearly horizontal, so it splits almost by waiting time alone.
# The mixture's components are narrow in eruption time and wide in waiting time, so its boundary is a steep curve: it decides mainly by eruption time.
#
# **CHECK (soft vs hard).** (a) The K-means labels must be the sides of the bisector (kmeans-boundary) of its centroids.
# (b) At each disagreement the mixture must give the K-means choice a responsibility below 0.01: the mixture is confident there.
# (c) If the units cause the disagreements, K-means on standardised data must disagree on fewer than half as many points.

# %%
side = 2 * (centroids[1] - centroids[0]) @ X_of.T > np.sum(centroids[1] ** 2) - np.sum(centroids[0] ** 2)
assert np.array_equal(side, labels_km == 1)          # (a) fails if equation (kmeans-boundary) lacks the factor 2
assert np.all(resp_of[disagree, labels_km[disagree]] < 0.01)                  # (b) fails if a doubtful point disagrees

X_std = (X_of - X_of.mean(axis=0)) / X_of.std(axis=0)
_, labels_km_std = kmeans2(X_std, 2, minit="++", rng=np.random.default_rng(0))
disagree_std = min(np.sum(np.array(perm)[labels_km_std] != labels_of) for perm in itertools.permutations(range(2)))
print(f"K-means on raw minutes disagrees with argmax r on {len(disagree)} points; on standardised data on {disagree_std}")
assert 2 * disagree_std < len(disagree)                                      # (c) fails if units are not the cause
print("check (soft vs hard): K-means labels are the sides of its bisector; the mixture is confident at every"
      " disagreement; standardising removes most of them")

# %% [markdown]
# **What we verified:** on Old Faithful the mixture and K-means disagree because their boundaries differ, not because one is soft.
#
# The figure shows both clusterings and both boundaries: the mixture's $r_{n1} = \tfrac12$ (dotted) and K-means' bisector (dashed); the five disagreements are circled.
# On the right the colours mix by responsibility; the one greyish point, at (2.9, 63), is the least certain ($r_{n1} = 0.80$).

# %%
fig = plotting.fig_soft_vs_hard_old_faithful(X=X_of, gmm=gmm_of, resp=resp_of, labels_km=labels_km,
                                             centroids=centroids)
plt.show()

# %% [markdown]
# Soft assignment matters where components overlap, and always in EM: chapter 05's M-step weights every point by its $r_{nk}$, so a doubtful point counts for both components in proportion to the odds.
#
# ## 5. Computing responsibilities in log space
#
# Equation (resp) is a ratio of densities, and densities underflow.
# Far from every component, each $\pi_k \mathcal{N}_k(\mathbf{x})$ is below the smallest positive float64, about $4.9 \times 10^{-324} \approx e^{-744.4}$, and becomes 0.
# Then the ratio is $0/0$, NaN.
# Yet the responsibilities depend only on *ratios* of densities, equation (log-odds), which are ordinary numbers.
# The cure is chapter 03's: never leave log space.
# Let $a_{nk} = \ln \pi_k + \ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$, computed from the exponent of equation (gauss) by `gb.log_joint` without forming a density.
# The logarithm of equation (resp) is a difference whose second term is equation (logsumexp):
#
# $$ \begin{aligned} \ln r_{nk} &= a_{nk} - \ln \sum_{j=1}^K e^{a_{nj}} \\ &= a_{nk} - a_{n,\max} - \ln \sum_{j=1}^K e^{a_{nj} - a_{n,\max}} \end{aligned} \tag{log-resp} $$
#
# with $a_{n,\max} = \max_j a_{nj}$.
# Every $a_{nj} - a_{n,\max} \le 0$ and the largest is 0, so the sum lies between 1 and $K$: no overflow, no $\ln 0$.
# Only responsibilities below about $e^{-744.4}$ round to 0, their correct value in float64.

# %%
def responsibilities_log_space(X, gmm):
    """r_nk by equation (log-resp): exponentiate a_nk minus the log-sum-exp of its row."""
    a = gb.log_joint(X, gmm)                                       # a_nk = ln pi_k + ln N(x_n | mu_k, Sigma_k)
    a_max = a.max(axis=1, keepdims=True)                           # a_n,max
    return np.exp(a - a_max - np.log(np.sum(np.exp(a - a_max), axis=1, keepdims=True)))


def responsibilities_naive(X, gmm):
    """r_nk by equation (resp) in probability space: the densities themselves, then the ratio."""
    joint = np.exp(gb.log_joint(X, gmm))                           # pi_k N(x_n | mu_k, Sigma_k) as numbers
    return joint / joint.sum(axis=1, keepdims=True)


# %% [markdown]
# The textbook mixture, at points ever farther out:

# %%
X_far = np.array([[-100.0], [-50.0], [-25.0], [-20.0], [30.0], [100.0]])
a_far = gb.log_joint(X_far, gmm_tb)
with np.errstate(under="ignore", invalid="ignore"):
    resp_naive = responsibilities_naive(X_far, gmm_tb)
resp_far = gb.responsibilities(X_far, gmm_tb)
print("      x   a_n1 = ln pi_1 N_1    a_n2       a_n3    naive r_n          log-space r_n")
for x_n, a_n, rn, rl in zip(X_far[:, 0], a_far, resp_naive, resp_far):
    print(f"{x_n:7.0f} {a_n[0]:12.1f} {a_n[1]:11.1f} {a_n[2]:9.1f}   {np.array2string(rn, precision=3):18s} "
          + " ".join(f"{r:.1e}" for r in rl))

# %% [markdown]
# At $x = \pm 100$ every $a_{nk}$ is far below $-744.4$: all three densities are 0 and the naive ratio is NaN.
# At $x = -50$ only the largest term, $e^{-563}$, is a float64.
# The naive ratio gives no NaN but returns $r_{n1} = 0$, whereas the true $r_{n1} = e^{-496.8} \approx 1.8 \times 10^{-216}$ is an ordinary float64 that log space keeps.
#
# *Which* component takes the far points?
# At $x = -100$, $-50$ and $-25$ it is component 3, whose mean, $+8$, is the farthest of the three.
# Far out, the quadratic term $-(x - \mu_k)^2 / 2\sigma_k^2$ dominates $a_k$ and falls most slowly for the largest variance: the widest component wins on both sides.
# Components 1 and 3 swap where $a_1 = a_3$.
# With $\pi_1 = \pi_3$ the weights cancel, and equation (gauss) gives $-\tfrac12 (x + 4)^2 - \tfrac12 \ln 2\pi = -\tfrac16 (x - 8)^2 - \tfrac12 \ln 6\pi$; multiplying by $-6$:
#
# $$ \begin{aligned} & 3(x + 4)^2 - (x - 8)^2 = 3 \ln 3 \\ \iff\; & x^* = -10 - \sqrt{108 + \tfrac32 \ln 3} \approx -20.47 \end{aligned} \tag{far-switch} $$
#
# (the other root, $+0.47$, lies where component 2 dominates both).
# The responsibilities of points far from all the data are decided by the Gaussians' tails, where the data told the model almost nothing.
#
# **CHECK (log-resp).** (a) At $x = \pm 100$ the naive ratio is NaN.
# (b) At the six points of the table, `gb.responsibilities` and the inline function above must equal a 50-digit reference computed with mpmath from equation (resp), within a relative error of $10^{-12}$ (responsibilities below float64's range must come out 0).
# (c) On 2001 points from $-200$ to $200$, `gb.responsibilities` must equal SciPy's `softmax` of `norm.logpdf` plus $\ln \pi_k$ within $10^{-12}$.
# (d) On that grid, $r_1 - r_3$ changes sign once between $-30$ and $-10$, between the two grid points around $x^*$ of equation (far-switch); and at $x^*$, $a_1 = a_3$ by `gb.log_joint` within $10^{-9}$.

# %%
def responsibilities_mpmath(x, weights, means, variances, digits=50):
    """Equation (resp) in 50-digit arithmetic for one 1-D point: exp of the exact exponents, then the ratio."""
    with mpmath.workdps(digits):
        joint = [mpmath.mpf(w) * mpmath.exp(-(mpmath.mpf(x) - mpmath.mpf(m)) ** 2 / (2 * mpmath.mpf(v)))
                 / mpmath.sqrt(2 * mpmath.pi * mpmath.mpf(v)) for w, m, v in zip(weights, means, variances)]
        return [float(j / mpmath.fsum(joint)) for j in joint]


resp_mp = np.array([responsibilities_mpmath(x_n, weights_tb, mu_tb, var_tb) for x_n in X_far[:, 0]])
with np.errstate(under="ignore", invalid="ignore"):
    naive_100 = responsibilities_naive(np.array([[-100.0], [100.0]]), gmm_tb)
assert np.all(np.isnan(naive_100))                            # (a) fails if these points do not underflow after all
assert np.allclose(resp_far, resp_mp, rtol=1e-12, atol=1e-320)   # (b) fails if gb divides densities (NaN; 0 at -50)
assert np.allclose(responsibilities_log_space(X_far, gmm_tb), resp_mp, rtol=1e-12, atol=1e-320)
#                                fails if equation (log-resp) drops the shift a_n,max, or subtracts it only inside the sum

x_wide = np.linspace(-200, 200, 2001)
resp_wide = gb.responsibilities(x_wide[:, None], gmm_tb)
resp_scipy = special.softmax(np.log(weights_tb) + stats.norm.logpdf(x_wide[:, None], mu_tb, np.sqrt(var_tb)), axis=1)
assert np.max(np.abs(resp_wide - resp_scipy)) < 1e-12         # (c) fails if gb goes NaN far out
with np.errstate(under="ignore", invalid="ignore"):
    nan_rows = np.isnan(responsibilities_naive(x_wide[:, None], gmm_tb)).any(axis=1)
print(f"naive ratio NaN on {nan_rows.sum()} of {len(x_wide)} points; log space on {np.isnan(resp_wide).any(axis=1).sum()}")

x_switch = -10 - np.sqrt(108 + 1.5 * np.log(3))                                          # equation (far-switch)
segment = (x_wide >= -30) & (x_wide <= -10)
sign_change = np.flatnonzero(np.diff(np.sign(resp_wide[segment, 0] - resp_wide[segment, 2])))
assert len(sign_change) == 1                                    # (d) fails if the widest component did not win
assert x_wide[segment][sign_change[0]] < x_switch < x_wide[segment][sign_change[0] + 1]   # fails if not next to x*
a_switch = gb.log_joint(np.array([[x_switch]]), gmm_tb)[0]
assert abs(a_switch[0] - a_switch[2]) < 1e-9                    # fails if the algebra of (far-switch) slips (3 ln 3)
print(f"r_1 = r_3 at x* = {x_switch:.4f}")
print("check (log-resp): the naive ratio is NaN far out; gmmbook's and the inline log-space responsibilities equal"
      " a 50-digit mpmath reference within rel. 1e-12, and SciPy's softmax within 1e-12 on [-200, 200];"
      " r_1 - r_3 changes sign once on [-30, -10], at the root of equation (far-switch)")

# %% [markdown]
# **What we verified:** equation (log-resp) gives the exact responsibilities, to float64 precision, where the naive ratio gives NaN; far out, the widest component takes over where equation (far-switch) says.
#
# In the figure, top: each $a_k(x) = \ln p(x, z_k = 1)$ is a downward parabola with curvature $1/\sigma_k^2$, and $\ln p(x)$ (grey band) follows the highest; the flattest, component 3, is highest far out on both sides.
# Bottom: $r_k(x)$, with the seven data points of section 1.1.

# %%
fig = plotting.fig_responsibility_curves_1d(x_star=x_switch)
plt.show()

# %% [markdown]
# ### Far in more dimensions
#
# In $D$ dimensions the same happens direction by direction.
# Far out along a unit vector $\mathbf{d}$, at $\mathbf{x} = \lVert\mathbf{x}\rVert\, \mathbf{d}$, $a_k = -\tfrac12 \lVert\mathbf{x}\rVert^2\, \mathbf{d}^\top \boldsymbol\Sigma_k^{-1} \mathbf{d}$ plus terms of lower order in $\lVert\mathbf{x}\rVert$.
# So the component with the smallest $\mathbf{d}^\top \boldsymbol\Sigma_k^{-1} \mathbf{d}$ takes the point, whatever its weight and mean; with correlated covariances this is not always the one with the largest variance $\mathbf{d}^\top \boldsymbol\Sigma_k \mathbf{d}$ along $\mathbf{d}$.
#
# In many dimensions *every* density underflows, because it is a product of $D$ factors (chapter 03), so the naive ratio fails for every point.
# We take chapter 03's example: $D = 500$, $\boldsymbol\mu_1 = \mathbf{0}$, $\boldsymbol\mu_2 = (0.5, \dots, 0.5)$, $\boldsymbol\Sigma_k = 2\mathbf{I}$, $\pi_k = \tfrac12$, and 100 points drawn from it.
# With equal weights and equal covariances $2\mathbf{I}$, equation (log-odds) has $\mathbf{A} = \mathbf{0}$ and reduces to $\ln(r_{n1}/r_{n2}) = \big(\lVert\mathbf{x}_n - \boldsymbol\mu_2\rVert^2 - \lVert\mathbf{x}_n - \boldsymbol\mu_1\rVert^2\big)/4$, so the exact responsibilities are its logistic function.
#
# **CHECK (log-resp), in more dimensions.** (a) For `three_component_2d`, at $\mathbf{x} = 1000\,\mathbf{d}$ in 72 directions $\mathbf{d}$, 5° apart, `gb.responsibilities` must give the point to the component with the smallest $\mathbf{d}^\top \boldsymbol\Sigma_k^{-1} \mathbf{d}$.
# (b) For $D = 500$, the naive ratio must be NaN for all 100 points, and `gb.responsibilities` must equal the logistic reference (`scipy.special.expit`) within a relative error of $10^{-8}$ in both columns.
# The $a_{nk}$, near $-900$, are sums of 500 rounded terms, so their differences err by about $10^{-12}$; $10^{-8}$ leaves a wide margin.

# %%
angles = np.deg2rad(np.arange(0, 360, 5))
U = np.column_stack([np.cos(angles), np.sin(angles)])                     # 72 unit vectors d
winner = gb.responsibilities(1000 * U, gmm2).argmax(axis=1)
u_prec_u = np.einsum("ui,kij,uj->uk", U, np.linalg.inv(gmm2.covariances), U)   # d^T Sigma_k^-1 d, (72, K)
u_cov_u = np.einsum("ui,kij,uj->uk", U, gmm2.covariances, U)                   # d^T Sigma_k d: variance along u
print(f"(a) far out in 2-D, the component gb picks is the one with the smallest d^T Sigma_k^-1 d in"
      f" {np.sum(winner == u_prec_u.argmin(axis=1))} of 72 directions; with the largest variance d^T Sigma_k d in"
      f" {np.sum(winner == u_cov_u.argmax(axis=1))}; with the smallest d^T Sigma_k d in {np.sum(winner == u_cov_u.argmin(axis=1))}")
assert np.array_equal(winner, u_prec_u.argmin(axis=1))   # (a) fails if gb's Mahalanobis term uses Sigma for Sigma^-1

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
assert np.all(np.isnan(naive_high))                 # fails if these densities did not all underflow (the claim above)
assert np.allclose(resp_high, special.expit(np.column_stack([log_odds_high, -log_odds_high])), rtol=1e-8, atol=0)
#                              (b) fails if gb forms densities (NaN), or uses Sigma for Sigma^-1 (log-odds x 4)
print("check (log-resp), in more dimensions: far out in 2-D the component with the smallest d^T Sigma_k^-1 d wins"
      " in all 72 directions; for D = 500 the naive ratio is NaN for every point and gmmbook's responsibilities"
      " equal the exact logistic form within rel. error 1e-8")

# %% [markdown]
# **What we verified:** far out, the component with the smallest $\mathbf{d}^\top \boldsymbol\Sigma_k^{-1} \mathbf{d}$ wins; in 500 dimensions, where every density is 0 in float64, log-space responsibilities are exact to eight digits, even the tiny ones.
# This is why `gb.responsibilities`, `gb.e_step` and everything built on them work with $a_{nk}$ and equation (log-resp), never with densities.
#
# ## Summary
#
# - Bayes' rule turns the generative story around, equations (resp-onehot) and (resp).
# - Responsibilities are the probabilities of a hard label, equation (resp-expect); on average they give back the weights, equation (resp-average).
# - Given θ, the posterior of a data set factorises over points, equation (post-factor), so an $N \times K$ matrix describes a distribution over $K^N$ labellings.
# - Simulated hard labels split in the proportions $r_k$, within binomial error, near a point and in bins of equal responsibility.
# - On Old Faithful the mixture disagrees with K-means on five points, not for softness: its boundary, equation (log-odds), is a curve shaped by the covariances, K-means' a bisector in raw minutes.
# - Responsibilities are computed in log space, equation (log-resp): the naive ratio fails far out and, in high dimensions, everywhere. Far out, the component with the smallest $\mathbf{d}^\top \boldsymbol\Sigma_k^{-1} \mathbf{d}$ takes the points, equation (far-switch) in 1-D.
#
# Next, chapter 05 derives the M-step from the responsibilities, starting from the table of section 1.1.
#
# ## Exercises
#
# Practise with [the exercises for this chapter](../exercises/04_posterior.ipynb): among them, compute the responsibilities of the textbook example by hand, and implement `responsibilities` in log space so that it survives far-away points.
#
# ## References
#
# - Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*. Springer. §9.2 (responsibilities as the posterior of the latent variable, $\gamma(z_{nk})$ there).
# - Deisenroth, M. P., Faisal, A. A. & Ong, C. S. (2020). *Mathematics for Machine Learning*. Cambridge University Press. §11.2, Examples 11.2–11.5 (the textbook 1-D example and its responsibilities).
# - Lloyd, S. P. (1982). Least squares quantization in PCM. *IEEE Transactions on Information Theory* 28(2):129–137 (K-means).
# - Arthur, D. & Vassilvitskii, S. (2007). k-means++: the advantages of careful seeding. *Proceedings of the 18th ACM-SIAM Symposium on Discrete Algorithms*, 1027–1035.
# - Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *Journal of Machine Learning Research* 12:2825–2830 (`GaussianMixture.predict_proba`).
# - The mpmath development team (2023). mpmath: a Python library for arbitrary-precision floating-point arithmetic, version 1.3.0 (the 50-digit reference).
# - Blanchard, P., Higham, D. J. & Higham, N. J. (2021). Accurately computing the log-sum-exp and softmax functions. *IMA Journal of Numerical Analysis* 41(4):2311–2330.
# - Old Faithful: Azzalini, A. & Bowman, A. W. (1990). A look at some data on the Old Faithful geyser. *Applied Statistics* 39(3):357–365; Härdle, W. (1991). *Smoothing Techniques with Implementation in S*. Springer.

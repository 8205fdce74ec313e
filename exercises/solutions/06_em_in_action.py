# %% [markdown]
# # Exercises for chapter 06: EM at work, and why it works
#
# These exercises go with [chapter 06](../../chapters/06_em_in_action.ipynb), which runs the EM algorithm, equation (em): E-step, M-step, repeat, and shows why the log-likelihood never decreases, equation (monotone).
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`), total log-likelihood $\ell(\theta) = \sum_n \ln p(\mathbf{x}_n \mid \theta)$ (`loglik`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](../solutions/06_em_in_action.ipynb).

# %%
import numpy as np
from scipy import special

import gmmbook as gb
from gmmbook.exercises import check

np.set_printoptions(precision=4, suppress=True)

X = gb.datasets.old_faithful()          # (272, 2): eruption length and waiting time, in minutes

# %% [markdown]
# ## Exercise 1 (implement): the EM loop, and its log-likelihood never falls
#
# Write `em(X, weights, means, covariances, n_iter)`: start from the given parameters, run exactly `n_iter` iterations of E-step then M-step, and return the `n_iter + 1` total log-likelihoods $\ell(\theta^{(0)}), \ell(\theta^{(1)}), \dots, \ell(\theta^{(n_{\text{iter}})})$ as a 1-D array: the first at the start, then one after every iteration.
# You may build it from `gb.GMM`, `gb.e_step` (which returns the responsibilities *and* the log-likelihood) and `gb.m_step` of chapters 04 and 05, or from your own functions of those chapters' exercises; but not from `gb.em`.
# The checker runs it on the textbook example and on a 2-D example.
#
# Then show that the log-likelihood never decreases: in a new cell below the check, run your `em` on the Old Faithful data `X` for 40 iterations from the poor start below (`em(X, **poor_start, n_iter=40)`), and check that no difference of consecutive values is negative.
# Why can it not decrease?
# The start is a variant of the chapter's `gb.datasets.old_faithful_poor_start()`: the means lie on the same wrong diagonal, but farther from the centre of the data.
#
# *Hint:* the responsibilities must be recomputed from the *new* parameters in every iteration.

# %%
poor_start = dict(weights=np.array([0.5, 0.5]),
                  means=np.array([[2.0, 80.0], [4.5, 55.0]]),     # short eruptions with long waits, and the reverse: wrong
                  covariances=np.array([np.diag([1.0, 100.0]), np.diag([1.0, 100.0])]))

# %% [markdown] tags=["solution-only"]
# **Solution.**
# One iteration is an E-step under the current $\theta$ followed by an M-step from those responsibilities.
# `gb.e_step` returns the log-likelihood of the parameters it was given, so the E-step that starts iteration $t + 1$ also evaluates $\ell(\theta^{(t)})$; one more E-step after the last M-step gives the final value.
# That is $n_{\text{iter}} + 1$ E-steps and $n_{\text{iter}}$ M-steps.

# %%
def em(X, weights, means, covariances, n_iter):
    """Run n_iter iterations of EM from θ = (weights, means, covariances) (chapter 06, algorithm em).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    weights : ndarray, shape (K,)
    means : ndarray, shape (K, D)
    covariances : ndarray, shape (K, D, D)
    n_iter : int
        Number of iterations (E-step + M-step).

    Returns
    -------
    logliks : ndarray, shape (n_iter + 1,)
        The total log-likelihood Σ_n ln p(x_n | θ) at the start and after every iteration.
    """
    # BEGIN SOLUTION
    gmm = gb.GMM(weights, means, covariances)
    resp, loglik = gb.e_step(X, gmm)                  # E-step, and l(theta_0)
    logliks = [loglik]
    for _ in range(n_iter):
        gmm = gb.m_step(X, resp)                      # M-step from the current responsibilities
        resp, loglik = gb.e_step(X, gmm)              # E-step under the new theta, and its l
        logliks.append(loglik)
    return np.array(logliks)
    # END SOLUTION


check("em", em)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Why it cannot decrease** (chapter 06, equation (monotone)).
# For any distribution $q(\mathbf{Z})$ over the hidden labels,
#
# $$ \ell(\theta) = \mathcal{L}(q, \theta) + \mathrm{KL}\big(q \,\big\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta)\big), \qquad \mathcal{L}(q, \theta) = \mathbb{E}_q\big[\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)\big] - \mathbb{E}_q[\ln q(\mathbf{Z})], $$
#
# and $\mathrm{KL} \ge 0$, so $\mathcal{L}(q, \theta) \le \ell(\theta)$ for every $q$ and $\theta$.
# The E-step chooses $q = p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}})$, the responsibilities, which makes the KL term 0: $\mathcal{L}(q, \theta^{\text{old}}) = \ell(\theta^{\text{old}})$.
# The M-step maximises $\mathcal{L}(q, \theta)$ over $\theta$ (it is $Q(\theta, \theta^{\text{old}})$ plus a term free of $\theta$), so $\mathcal{L}(q, \theta^{\text{new}}) \ge \mathcal{L}(q, \theta^{\text{old}})$.
# Together:
#
# $$ \ell(\theta^{\text{new}}) \ \ge\ \mathcal{L}(q, \theta^{\text{new}}) \ \ge\ \mathcal{L}(q, \theta^{\text{old}}) \ =\ \ell(\theta^{\text{old}}) . $$
#
# Below, 40 iterations from the poor start: the log-likelihood climbs from $-1937.25$ to $-1130.26$, the best two-component fit (chapter 06), and no step goes down.
# Note how slowly it moves between iterations 2 and 10 and how fast after: EM never decreases $\ell$, but it can crawl.
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
logliks = em(X, **poor_start, n_iter=40)
steps = np.diff(logliks)
assert steps.min() >= -1e-9 * np.abs(logliks).max()
for t in (0, 1, 2, 5, 10, 15, 20, 30, 40):
    print(f"iteration {t:2d}: loglik = {logliks[t]:9.2f}")
print("check: the log-likelihood never decreases over 40 iterations (every step >= -1e-9 relative)")

# %% [markdown]
# ## Exercise 2 (explain): K-means is EM in the limit $\sigma \to 0$
#
# Fix every covariance to the same $\boldsymbol\Sigma_k = \sigma^2 \mathbf{I}$ and let EM update only the means (the weights stay equal, say).
# What do the responsibilities become as $\sigma \to 0$, and what do the E-step and the M-step then become?
# Why do the weights not matter in the limit?
#
# *Hint:* write $r_{nk}$ with the Gaussian written out, and divide numerator and denominator by the term of the component whose mean is nearest to $\mathbf{x}_n$.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# With $\boldsymbol\Sigma_k = \sigma^2 \mathbf{I}$ for all $k$, the normalising constants $(2\pi\sigma^2)^{-D/2}$ are the same for every component and cancel in equation (resp) of chapter 04:
#
# $$ r_{nk} = \frac{\pi_k \exp\!\big(-\lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 / 2\sigma^2\big)}{\sum_j \pi_j \exp\!\big(-\lVert \mathbf{x}_n - \boldsymbol\mu_j \rVert^2 / 2\sigma^2\big)} = \frac{1}{\sum_j \frac{\pi_j}{\pi_k} \exp\!\big(-(d_{nj}^2 - d_{nk}^2) / 2\sigma^2\big)}, \qquad d_{nk} = \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert . $$
#
# Let $k^*$ be the component nearest to $\mathbf{x}_n$ (assume no tie).
# For $k = k^*$ every difference $d_{nj}^2 - d_{nk^*}^2$ with $j \ne k^*$ is positive, so those terms go to 0 as $\sigma \to 0$ and $r_{nk^*} \to 1$; for $k \ne k^*$ the term $j = k^*$ has a negative difference and blows up, so $r_{nk} \to 0$.
# The responsibilities become hard, one-hot on the nearest mean: the E-step becomes K-means' assignment step.
# The M-step for the means, $\boldsymbol\mu_k = \sum_n r_{nk} \mathbf{x}_n / N_k$, then averages the points assigned to $k$: K-means' update step.
# So EM with shared covariance $\sigma^2 \mathbf{I}$ turns into K-means (Lloyd's algorithm) as $\sigma \to 0$.
#
# The weights enter only as $\ln(\pi_j / \pi_k)$, a fixed number, while the distance term $(d_{nj}^2 - d_{nk}^2)/2\sigma^2$ grows without bound; so any fixed positive weights are overwhelmed and drop out of the limit.
# In the same limit the expected complete-data log-likelihood becomes, up to constants and the factor $-1/2\sigma^2$, K-means' sum of squared distances $\sum_n \sum_k r_{nk} \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2$.
#
# The demonstration below runs both algorithms for 10 iterations on the standardised Old Faithful data with $K = 3$, from the same three starting means.
# As $\sigma$ shrinks, the largest difference between EM's responsibilities and K-means' one-hot assignments goes to 0, and so does the largest difference between the means they end with.
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
Z = (X - X.mean(axis=0)) / X.std(axis=0)          # standardised: one sigma suits both coordinates
start_means = Z[[0, 1, 2]]                        # three data points as the common start
K, D = start_means.shape


def em_shared_sigma(Z, means, sigma, n_iter):
    """EM with equal weights and fixed covariances sigma^2 I: only the means are updated."""
    for _ in range(n_iter):
        gmm = gb.GMM(np.full(K, 1 / K), means, np.broadcast_to(sigma**2 * np.eye(D), (K, D, D)))
        resp = gb.responsibilities(Z, gmm)                       # E-step (log space: fine for tiny sigma)
        means = resp.T @ Z / resp.sum(axis=0)[:, None]           # M-step for the means, (m-means)
    return means, resp


def kmeans(Z, means, n_iter):
    """Lloyd's algorithm: assign each point to its nearest mean, then average each cluster."""
    for _ in range(n_iter):
        labels = np.argmin(((Z[:, None, :] - means[None, :, :]) ** 2).sum(axis=2), axis=1)
        means = np.array([Z[labels == k].mean(axis=0) for k in range(K)])
    return means, labels


def show(value):
    return f"{value:.1e}" if value >= 1e-12 else "< 1e-12"


kmeans_means, kmeans_labels = kmeans(Z, start_means, 10)
print(" sigma   max |r_nk - one-hot|   max |mu_EM - mu_kmeans|")
gaps = []
for sigma in (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01):
    em_means, resp = em_shared_sigma(Z, start_means, sigma, 10)
    gap_resp = np.abs(resp - np.eye(K)[kmeans_labels]).max()
    gap_means = np.abs(em_means - kmeans_means).max()
    gaps.append(gap_means)
    print(f"{sigma:6.2f}   {show(gap_resp):>20s}   {show(gap_means):>23s}")
assert gaps[0] > 0.1 and gaps[-1] < 1e-12
print("check: with sigma = 0.01, 10 EM iterations give K-means' means to 1e-12; with sigma = 1 they differ by more than 0.1")

# %% [markdown]
# ## Exercise 3 (explain): stale responsibilities break the guarantee
#
# A common bug computes the responsibilities once, before the loop, and then repeats only the M-step; a milder one uses responsibilities from an older $\theta$ than the current one.
# Using the argument of exercise 1, explain which step of the guarantee $\ell(\theta^{\text{new}}) \ge \ell(\theta^{\text{old}})$ fails when the responsibilities are stale, and what can happen to the log-likelihood.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# The chain of exercise 1 was $\ell(\theta^{\text{new}}) \ge \mathcal{L}(q, \theta^{\text{new}}) \ge \mathcal{L}(q, \theta^{\text{old}}) = \ell(\theta^{\text{old}})$.
# The first inequality holds for every $q$ ($\mathrm{KL} \ge 0$), and the second holds for whatever $q$ the M-step was given.
# The equality is the step that fails: it needs $q = p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}})$, the posterior under the *current* parameters.
# With stale responsibilities $q$ from an older $\theta$,
#
# $$ \mathcal{L}(q, \theta^{\text{old}}) = \ell(\theta^{\text{old}}) - \mathrm{KL}\big(q \,\big\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}})\big) < \ell(\theta^{\text{old}}) , $$
#
# so the M-step only guarantees $\ell(\theta^{\text{new}}) \ge \ell(\theta^{\text{old}}) - \mathrm{KL}$: the log-likelihood can go *down*, by as much as the KL gap.
# The bound $\mathcal{L}(q, \cdot)$ no longer touches $\ell$ at the current parameters, so climbing it need not climb $\ell$.
#
# And the loop with responsibilities computed once gets stuck: the M-step is a function of the responsibilities alone, so every iteration returns the same $\theta^{(1)}$, which is in general not a fixed point of EM (its own responsibilities differ from the ones it was computed from).
#
# Both, on Old Faithful from the poor start of exercise 1:
# the "responsibilities once" loop stays at $\ell(\theta^{(1)})$ forever, while EM climbs to $-1130.26$;
# and one M-step from the good fit $\theta^{*}$ with the stale responsibilities of the poor start falls back from $-1130.26$ to $\ell(\theta^{(1)}) = -1287.06$: a drop of 157, within the KL gap of about 3553 that the bound leaves open.
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
theta0 = gb.GMM(**poor_start)
resp_stale, _ = gb.e_step(X, theta0)                   # computed once, under the poor start

stuck = [gb.log_likelihood(X, theta0)]
for _ in range(10):
    stuck.append(gb.log_likelihood(X, gb.m_step(X, resp_stale)))    # the bug: no E-step in the loop
print("responsibilities computed once:", " ".join(f"{v:.2f}" for v in stuck[:4]), "...", f"{stuck[-1]:.2f}")
print(f"EM after 40 iterations:         {logliks[-1]:.2f}")


def elbo(X, gmm, q):
    """L(q, theta) = Q(theta; q) + H(q), with 0 ln 0 = 0."""
    return gb.q_function(X, gmm, q) + special.entr(q).sum()


theta_star = gb.em(X, theta0, max_iter=200, tol=1e-10).gmm   # the good fit
theta_new = gb.m_step(X, resp_stale)                       # one M-step from theta_star with stale q
l_star, l_new = gb.log_likelihood(X, theta_star), gb.log_likelihood(X, theta_new)
L_star, L_new = elbo(X, theta_star, resp_stale), elbo(X, theta_new, resp_stale)
print(f"l(theta*) = {l_star:.2f};  with the stale q: L(q, theta*) = {L_star:.2f}, so the KL gap is {l_star - L_star:.2f}")
print(f"after the M-step: L(q, theta_new) = {L_new:.2f} >= L(q, theta*), and l(theta_new) = {l_new:.2f} < l(theta*)")
assert np.all(np.diff(stuck[1:]) == 0) and stuck[-1] < logliks[-1] - 100
assert l_new < l_star and L_new >= L_star and l_new >= L_new
print("check: the M-step raised the bound L(q, .) but the log-likelihood fell, by less than the KL gap")

# %% [markdown]
# ## Exercise 4 (explain, optional): choosing $K$ on Old Faithful with BIC
#
# Fit full-covariance mixtures with $K = 1, 2, 3, 4$ components to Old Faithful, for instance with `gb.em(X, K, rng=np.random.default_rng(0), n_init=5)`, and compute for each the log-likelihood, `gb.bic(X, fit.gmm)` and `gb.aic(X, fit.gmm)` (lower is better for both; chapter 06, equations (bic) and (aic)).
# Which $K$ does BIC choose, which does AIC choose, and why not simply the $K$ with the highest log-likelihood?

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Model answer.**
# The log-likelihood always improves with $K$ (a $K$-component mixture can imitate one with fewer components), so it cannot choose $K$: it would always pick the largest.
# BIC $= -2\ell + p \ln N$ and AIC $= -2\ell + 2p$ charge for the $p$ free parameters (chapter 01, equation (count)).
# Each extra full-covariance component in $D = 2$ dimensions adds $p = 2 + 3 + 1 = 6$ parameters; with $N = 272$, BIC charges $6 \ln 272 = 33.6$ for it and AIC charges $12$.
# Going from $K = 2$ to $K = 3$ raises $\ell$ by about $11$, so $-2\ell$ falls by about $22$: more than AIC's 12 (AIC takes the third component) but less than BIC's 33.6 (BIC does not).
# So BIC chooses $K = 2$, the two eruption types everyone sees in the scatter plot, and AIC keeps adding components up to the largest $K$ tried.
# BIC approximates the marginal likelihood of the model and is consistent (it finds the true $K$ as $N$ grows, if the model family is right); AIC aims at predictive accuracy and tolerates extra components that slightly improve the density estimate.
# <!-- END SOLUTION -->

# %% tags=["solution-only"]
print(" K   params    loglik       BIC       AIC")
bics, aics = [], []
for K_try in (1, 2, 3, 4):
    fit = gb.em(X, K_try, rng=np.random.default_rng(0), n_init=5)
    bics.append(gb.bic(X, fit.gmm))
    aics.append(gb.aic(X, fit.gmm))
    print(f"{K_try:2d} {gb.n_parameters(K_try, 2):8d} {fit.log_likelihood:9.2f} {bics[-1]:9.1f} {aics[-1]:9.1f}")
print(f"BIC chooses K = {np.argmin(bics) + 1}, AIC chooses K = {np.argmin(aics) + 1}")

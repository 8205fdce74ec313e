# %% [markdown]
# # Exercises for chapter 06: EM at work, and why it works
#
# These exercises go with [chapter 06](../../chapters/06_em_in_action.ipynb), which runs the EM algorithm, equation (em): E-step, M-step, repeat; shows why the log-likelihood never decreases, equation (monotone); and looks at what `reg_covar` does, how fast EM converges, K-means as a limit, and BIC.
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`), total log-likelihood $\ell(\theta) = \sum_n \ln p(\mathbf{x}_n \mid \theta)$ (`loglik`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line) or `# YOUR ANSWER HERE` (replace the placeholder `None`), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](../solutions/06_em_in_action.ipynb).
# A check runs your function apart from the notebook, on the cases its exercise lists, with the tolerance it states, and stops it after 10 seconds (`check(..., time_limit=30)` allows more).
# Its verdict names the cases already passed and shows what your function printed; nothing your function does there (a loop, an error, `sys.exit`) can break the notebook.
# The last cell shows your progress: how many checks passed in this session.

# %%
import numpy as np
import sympy
from scipy import special

import gmmbook as gb
from gmmbook.exercises import check, progress

np.set_printoptions(precision=4, suppress=True)

X = gb.datasets.old_faithful()          # (272, 2): eruption length and waiting time, in minutes

# %% [markdown]
# ## Exercise 1 (implement): the EM loop, and its log-likelihood never falls
#
# Write `em(X, weights, means, covariances, n_iter)`: start from the given parameters, run exactly `n_iter` iterations of E-step then M-step, and return the `n_iter + 1` total log-likelihoods $\ell(\theta^{(0)}), \ell(\theta^{(1)}), \dots, \ell(\theta^{(n_{\text{iter}})})$ as a 1-D array: the first at the start, then one after every iteration.
# You may build it from `gb.GMM`, `gb.e_step` (which returns the responsibilities *and* the log-likelihood) and `gb.m_step` of chapters 04 and 05, or from your own functions of those chapters' exercises; but not from `gb.em` (the check refuses it).
#
# *What the check tests.* The textbook example (5 iterations), a 2-D example (8 iterations) and Old Faithful from the poor start below (40 iterations).
# Your values must agree with EM's to a relative $10^{-7}$, and no step may fall by more than $10^{-9}\,|\ell|$: in exact arithmetic EM never decreases $\ell$, but near convergence rounding in the sum over 272 points makes a correct step fall by about $10^{-13}\,|\ell|$.
# It recognises the mean log-likelihood per point instead of the total, covariances centred on the old means, $\ell(\theta^{(0)})$ recorded twice, stale responsibilities, a missing or extra value, and refuses `gb.em`.
#
# Then look at monotonicity yourself: in a new cell below the check, run your `em` on the Old Faithful data `X` for 40 iterations from the poor start below (`em(X, **poor_start, n_iter=40)`), and check that no difference of consecutive values is below $-10^{-9}$ times the largest $|\ell|$.
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
assert steps.min() >= -1e-9 * np.abs(logliks).max()                  # the tolerance of the statement
for t in (0, 1, 2, 5, 10, 15, 20, 30, 40):
    print(f"iteration {t:2d}: loglik = {logliks[t]:9.2f}")
print("check: the log-likelihood never decreases over 40 iterations (every step >= -1e-9 relative)")

# %% [markdown]
# ## Exercise 2 (explain): stale responsibilities break the guarantee
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
# ## Exercise 3 (derive): `reg_covar` lowers $\ell$ even at the maximum
#
# Chapter 06 found that with a floor `reg_covar` $= \epsilon > 0$ the log-likelihood can fall (its section on collapse and `reg_covar`).
# The simplest case shows why, exactly.
# Take one Gaussian ($K = 1$) in one dimension and $N$ points with mean $\bar x$ and maximum-likelihood variance $\hat\sigma^2 = \frac1N \sum_n (x_n - \bar x)^2$.
# The fit $\hat\theta = (\bar x, \hat\sigma^2)$ is the maximum of $\ell$.
# Run one EM cycle with the floor from $\hat\theta$: the E-step gives $r_{n1} = 1$, and the M-step returns the mean $\bar x$ and the variance $\hat\sigma^2 + \epsilon$; call this $\theta_\epsilon$.
# Derive the fall $\ell(\hat\theta) - \ell(\theta_\epsilon)$ and give it as `fall`, a SymPy expression in the symbols `N`, `sigma2_hat` ($\hat\sigma^2$) and `epsilon` ($\epsilon$) defined in the cell before the answer.
# How large is it for small $\epsilon$, and what does the next cycle do?
#
# *Hint:* write $\ell(\bar x, \sigma^2)$ with equation (gauss) of chapter 01 for $D = 1$, and use $\sum_n (x_n - \bar x)^2 = N \hat\sigma^2$.
#
# *What the check tests.* Your expression may contain `N`, `sigma2_hat` and `epsilon` only.
# It is compared with the right formula by its values at four points ($N$ from 7 to 272, $\hat\sigma^2$ from 0.01 to 5, $\epsilon$ from 0.001 to 3), to a relative $10^{-9}$, so every equivalent form passes: an expression, an equation with a symbol named `fall`, what `sympy.solve` returns, or a string.
# It recognises the rise instead of the fall, $\epsilon$ added to the standard deviation, a lost factor $\frac12$, the fall per point, the leading term for small $\epsilon$ alone, and the change of the log-determinant term alone, and never prints the fall.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With the mean at $\bar x$, equation (gauss) gives $\ell(\bar x, \sigma^2) = -\frac N2 \ln(2\pi\sigma^2) - N\hat\sigma^2 / 2\sigma^2$; at the two variances $\hat\sigma^2$ and $\hat\sigma^2 + \epsilon$:
#
# $$ \ell(\hat\theta) - \ell(\theta_\epsilon) = \frac N2 \ln\frac{\hat\sigma^2 + \epsilon}{\hat\sigma^2} + \frac{N\hat\sigma^2}{2(\hat\sigma^2 + \epsilon)} - \frac N2 = \frac N2 \Big[\ln\Big(1 + \frac{\epsilon}{\hat\sigma^2}\Big) - \frac{\epsilon}{\hat\sigma^2 + \epsilon}\Big] . $$
#
# With $u = \epsilon / \hat\sigma^2$, $\ln(1 + u) - u/(1 + u) = u^2/2 - 2u^3/3 + \dots > 0$, so the fall is about $N\epsilon^2 / 4\hat\sigma^4$: positive for every $\epsilon > 0$, although the cycle started at the maximum.
# A true EM step can never do that: by equation (monotone) $\ell$ would stay at $\ell(\hat\theta)$.
# The floored M-step returns $\hat\sigma^2 + \epsilon$ instead of the maximiser $\hat\sigma^2$ of $Q$, which breaks the middle link of (monotone).
# The next cycle has $r_{n1} = 1$ again and returns $\hat\sigma^2 + \epsilon$ again: $\theta_\epsilon$ is a fixed point of floored EM, and $\ell$ stays below its maximum.
# The fall is tiny when $\epsilon \ll \hat\sigma^2$ (scikit-learn's $10^{-6}$ on data of variance 1 costs $N \times 2.5 \cdot 10^{-13}$), but not for a component only a few $\epsilon$ wide, the very case the floor is for.
#
# The numbers below: `gb.m_step(..., reg_covar=eps)` from the maximum-likelihood fit of Old Faithful's eruption times.
# <!-- END SOLUTION -->

# %%
N, sigma2_hat, epsilon = sympy.symbols("N sigma2_hat epsilon", positive=True)

# %%
# BEGIN SOLUTION: fall = None
sigma2 = sympy.Symbol("sigma2", positive=True)


def loglik_at(variance):
    """l(x_bar, variance) for N points with sum_n (x_n - x_bar)^2 = N sigma2_hat."""
    return -N / 2 * sympy.log(2 * sympy.pi * variance) - N * sigma2_hat / (2 * variance)


assert sympy.solve(sympy.diff(loglik_at(sigma2), sigma2), sigma2) == [sigma2_hat]    # the maximum is at sigma2_hat
fall = sympy.expand(sympy.expand_log(loglik_at(sigma2_hat) - loglik_at(sigma2_hat + epsilon), force=True))  # ln 2pi cancels
print("fall =", fall)
print("for small epsilon:", sympy.series(fall, epsilon, 0, 3).removeO())
# END SOLUTION
check("floor_fall", fall)

# %% tags=["solution-only"]
x_eruptions = X[:, :1]                                   # (272, 1): eruption times only
ones = np.ones((len(x_eruptions), 1))                    # K = 1: every r_n1 = 1
fit_ml = gb.m_step(x_eruptions, ones)                    # the maximum of l
var_ml = fit_ml.covariances[0, 0, 0]
print(f"N = {len(x_eruptions)}, sigma2_hat = {var_ml:.4f}")
for eps in (1e-2, 1e-1, 1.0):
    theta_eps = gb.m_step(x_eruptions, gb.responsibilities(x_eruptions, fit_ml), reg_covar=eps)   # one floored cycle
    measured = gb.log_likelihood(x_eruptions, fit_ml) - gb.log_likelihood(x_eruptions, theta_eps)
    predicted = float(fall.subs({N: len(x_eruptions), sigma2_hat: var_ml, epsilon: eps}))
    again = gb.m_step(x_eruptions, gb.responsibilities(x_eruptions, theta_eps), reg_covar=eps)     # the next cycle
    print(f"eps = {eps:5.2f}: l falls by {measured:.6f}; formula {predicted:.6f}; N eps^2/(4 sigma2_hat^2) ="
          f" {len(x_eruptions) * eps**2 / (4 * var_ml**2):.6f}")
    assert abs(measured - predicted) < 1e-9 * abs(gb.log_likelihood(x_eruptions, fit_ml)) and measured > 0
    assert np.allclose(again.covariances, theta_eps.covariances, rtol=1e-12, atol=0)
print("check: one floored cycle from the maximum lowers l by the formula, and the next cycle stays there")

# %% [markdown]
# ## Exercise 4 (implement): the rate of EM for one weight
#
# Chapter 06 measured EM's linear rate $\rho$, matched it with the largest eigenvalue of the Jacobian of one cycle (the EM map), and called $\rho$ the fraction of information that the hidden labels hide.
# With one parameter this can be derived by hand.
# Take two components whose means and variances are known and fixed, and let EM estimate only the weight $\pi = \pi_1$ ($\pi_2 = 1 - \pi$).
# One cycle, the E-step and then equation (m-weights), is the map
#
# $$ F(\pi) = \frac1N \sum_{n=1}^N r_n(\pi), \qquad r_n(\pi) = \frac{\pi \phi_{n1}}{\pi \phi_{n1} + (1 - \pi) \phi_{n2}}, \qquad \phi_{nk} = \mathcal{N}(x_n \mid \mu_k, \sigma_k^2) . $$
#
# Near its fixed point $\pi^*$, $\pi^{(t+1)} - \pi^* \approx F'(\pi^*)\,(\pi^{(t)} - \pi^*)$: $F'(\pi^*)$ is the rate.
# Derive $F'(\pi)$ and write it with the responsibilities $r_n = r_n(\pi)$ and $\pi$ alone.
# Then write `weight_rate(r, weight)`, which returns $F'(\pi)$ from the array `r` of the $N$ responsibilities $r_{n1}$ (shape $(N,)$) and the weight $\pi$.
# Compare your formula with two variances: $r_n (1 - r_n)$ is that of the label $z_{n1}$ once $x_n$ is seen, $\pi (1 - \pi)$ that of a label before.
#
# *Hint:* differentiate $r_n(\pi)$ with the quotient rule, then compare the result with $r_n (1 - r_n)$.
#
# *What the check tests.* Three cases: Old Faithful's eruption times with the components $\mathcal{N}(2.04, 0.07)$ and $\mathcal{N}(4.29, 0.17)$ (variances) at $\pi = 0.5$ and at the fixed point $\pi^*$ of this map, and 200 points of two overlapping components at $\pi = 0.3$.
# Your number must agree with $F'(\pi)$ computed from the densities to a relative $10^{-6}$ (absolute $10^{-12}$), as a Python, NumPy or SymPy number.
# It recognises the mean of $r_n(1 - r_n)$ without the division by $\pi(1 - \pi)$, $1 - F'(\pi)$, a sum instead of a mean, $F'(\pi)^2$, and $r(1 - r)$ taken of the mean of the $r_n$.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With $p_n = \pi \phi_{n1} + (1 - \pi) \phi_{n2}$, the quotient rule gives $\mathrm{d} r_n / \mathrm{d}\pi = [\phi_{n1} p_n - \pi \phi_{n1} (\phi_{n1} - \phi_{n2})] / p_n^2 = \phi_{n1} \phi_{n2} / p_n^2$.
# Since $r_n (1 - r_n) = \pi \phi_{n1} \cdot (1 - \pi) \phi_{n2} / p_n^2$,
#
# $$ F'(\pi) = \frac1N \sum_{n=1}^N \frac{\phi_{n1} \phi_{n2}}{p_n^2} = \frac{\frac1N \sum_n r_n (1 - r_n)}{\pi (1 - \pi)} . $$
#
# The numerator is the average variance of a label after its point is seen, the denominator its variance before: $F'$ is the fraction of the uncertainty about the labels that the data leave.
# In Dempster, Laird & Rubin's (1977) terms: with the labels known, the information about $\pi$ would be $N / \pi(1 - \pi)$ (a binomial count); the labels hide $\sum_n r_n(1 - r_n) / \pi^2(1 - \pi)^2$ of it; the ratio is $F'(\pi^*)$, the fraction of missing information.
# Components that barely overlap have $r_n \approx 0$ or 1, so $F' \approx 0$ and EM converges in a few cycles; overlapping ones leave $r_n$ near $\pi$, so $F' \to 1$ and EM crawls.
# The numbers below: the ratio of successive distances to $\pi^*$ in a run of the weight's EM equals `weight_rate` at $\pi^*$, about 0.01 for Old Faithful's eruption times and 0.85 for two overlapping components.
# <!-- END SOLUTION -->

# %%
def weight_rate(r, weight):
    """F'(π), the derivative of the weight's EM map F(π) = mean of r_n(π) (exercise 4).

    Parameters
    ----------
    r : ndarray, shape (N,)
        The responsibilities r_n1 at the weight π.
    weight : float
        π, the weight of component 1.

    Returns
    -------
    rate : float
    """
    # BEGIN SOLUTION
    return float(np.mean(r * (1 - r)) / (weight * (1 - weight)))
    # END SOLUTION


check("weight_rate", weight_rate)

# %% tags=["solution-only"]
from scipy import stats


def measured_and_predicted(a, b, n_iter=12):
    """Run the weight's EM from 0.9; return the median ratio of successive distances to pi*, and weight_rate(pi*)."""
    pi_star = 0.5
    for _ in range(2000):                                           # the fixed point, to rounding
        pi_star = np.mean(pi_star * a / (pi_star * a + (1 - pi_star) * b))
    weight, distances = 0.9, []
    for _ in range(n_iter):
        weight = np.mean(weight * a / (weight * a + (1 - weight) * b))
        distances.append(abs(weight - pi_star))
    distances = np.array(distances)
    used = distances[1:] > 1e-12                                    # before rounding takes over
    ratio = np.median(distances[1:][used] / distances[:-1][used])
    return pi_star, ratio, weight_rate(pi_star * a / (pi_star * a + (1 - pi_star) * b), pi_star)


x_e = X[:, 0]
rng = np.random.default_rng(11)
x_o = np.where(rng.random(200) < 0.3, rng.normal(0.0, 1.0, 200), rng.normal(1.0, np.sqrt(1.5), 200))
cases = [("eruption times", stats.norm.pdf(x_e, 2.04, np.sqrt(0.07)), stats.norm.pdf(x_e, 4.29, np.sqrt(0.17)), 6),
         ("overlapping", stats.norm.pdf(x_o, 0.0, 1.0), stats.norm.pdf(x_o, 1.0, np.sqrt(1.5)), 40)]
for name, a, b, n_iter in cases:
    pi_star, ratio, predicted = measured_and_predicted(a, b, n_iter)
    print(f"{name:15s}: pi* = {pi_star:.4f}; measured ratio {ratio:.4f}; F'(pi*) = {predicted:.4f}")
    assert abs(ratio / predicted - 1) < 1e-2
print("check: the measured linear rate of the weight's EM equals F'(pi*) within 1 %")

# %% [markdown]
# ## Exercise 5 (derive): the $\sigma \to 0$ limit with components of different sizes
#
# Chapter 06 showed that EM with equal round covariances $\sigma^2\mathbf{I}$ becomes K-means as $\sigma \to 0$, equations (kmeans-resp) and (kmeans-limit).
# Give the components different sizes: $\boldsymbol\Sigma_k = \beta_k \sigma^2 \mathbf{I}$ with fixed $\beta_k > 0$ and fixed weights $\pi_k > 0$, and let $\sigma \to 0$.
# For a point $\mathbf{x}_n$ write $d_k = \lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2$.
# Derive $\lim_{\sigma \to 0} \sigma^2 \ln (r_{n1} / r_{n2})$ and give it as `limit`, a SymPy expression in the symbols `d_1`, `d_2`, `beta_1`, `beta_2` defined in the cell before the answer.
# To which component does $\mathbf{x}_n$ go in the limit: to the nearest mean?
#
# *Hint:* start from equation (resp) of chapter 04, or its log-odds, equation (log-odds), with $\boldsymbol\Sigma_k = \beta_k \sigma^2 \mathbf{I}$ written out.
# The cell also defines `sigma`, `pi_1`, `pi_2` and `D`, so that SymPy can take the limit for you.
#
# *What the check tests.* Your expression may contain `d_1`, `d_2`, `beta_1` and `beta_2` only.
# It is compared with the right formula by its values at three points (every symbol between 0.25 and 9), to a relative $10^{-9}$, so every equivalent form passes: an expression, an equation with a symbol named `limit`, or a string.
# It recognises the equal-covariance limit, a lost factor $\frac12$, a wrong sign, $\beta_k$ that multiply instead of divide, $\beta_k$ taken as a standard deviation, and answers that still contain $\sigma$, the weights or $D$, and never prints the limit.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With $\boldsymbol\Sigma_k = \beta_k \sigma^2 \mathbf{I}$, $\ln \mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) = -\frac D2 \ln(2\pi \beta_k \sigma^2) - d_k / 2 \beta_k \sigma^2$, and by equation (resp)
#
# $$ \ln \frac{r_{n1}}{r_{n2}} = \ln \frac{\pi_1}{\pi_2} + \frac D2 \ln \frac{\beta_2}{\beta_1} + \frac{1}{2\sigma^2} \Big( \frac{d_2}{\beta_2} - \frac{d_1}{\beta_1} \Big), \qquad \sigma^2 \ln \frac{r_{n1}}{r_{n2}} \;\to\; \frac12 \Big( \frac{d_2}{\beta_2} - \frac{d_1}{\beta_1} \Big) . $$
#
# The first two terms are fixed numbers, and $\sigma^2$ times them vanishes: in the limit neither the weights nor the normalising constants matter.
# If the limit is positive, $\ln(r_{n1}/r_{n2}) \to +\infty$ and $r_{n1} \to 1$; so $\mathbf{x}_n$ goes to the component with the smallest **scaled** distance $\lVert \mathbf{x}_n - \boldsymbol\mu_k \rVert^2 / \beta_k$, not to the nearest mean.
# A wide component ($\beta_k$ large) claims points that are closer to another mean; the boundary $d_1 / \beta_1 = d_2 / \beta_2$ is a circle (a sphere in $D$ dimensions) around the narrower component, not the straight line of K-means: the quadratic term $\mathbf{A} = \boldsymbol\Sigma_1^{-1} - \boldsymbol\Sigma_2^{-1}$ of (log-odds) does not vanish.
# The M-step for the means then averages the points of each such cell: a K-means with a distance scaled per cluster.
# With all $\beta_k$ equal the limit is $(d_2 - d_1)/2\sigma^2$ of equation (kmeans-resp), and the rule is K-means' nearest mean.
#
# The numbers below: on the standardised Old Faithful data, with two means and $\boldsymbol\beta = (1, 4)$, the responsibilities at $\sigma = 10^{-3}$ are exactly the smallest-scaled-distance labels, which differ from the nearest-mean labels.
# <!-- END SOLUTION -->

# %%
d_1, d_2, beta_1, beta_2, sigma, pi_1, pi_2, D = sympy.symbols("d_1 d_2 beta_1 beta_2 sigma pi_1 pi_2 D", positive=True)

# %%
# BEGIN SOLUTION: limit = None
log_gauss = [-D / 2 * sympy.log(2 * sympy.pi * b * sigma**2) - d / (2 * b * sigma**2)   # ln N(x_n | mu_k, beta_k sigma^2 I)
             for d, b in ((d_1, beta_1), (d_2, beta_2))]
log_odds = sympy.log(pi_1) + log_gauss[0] - sympy.log(pi_2) - log_gauss[1]       # ln(r_n1 / r_n2), by (resp)
limit = sympy.simplify(sympy.limit(sigma**2 * sympy.expand_log(log_odds, force=True), sigma, 0))
print("sigma^2 ln(r_n1/r_n2) ->", limit)
# END SOLUTION
check("kmeans_limit", limit)

# %% tags=["solution-only"]
X_std = (X - X.mean(axis=0)) / X.std(axis=0)
means_2 = np.array([[-1.0, -1.0], [1.0, 1.0]])
betas = np.array([1.0, 4.0])
sq = ((X_std[:, None, :] - means_2[None]) ** 2).sum(axis=2)                    # d_k for every point, (N, 2)
theta_small = gb.GMM(np.array([0.3, 0.7]), means_2, betas[:, None, None] * 1e-6 * np.eye(2))   # sigma = 1e-3
resp_small = gb.responsibilities(X_std, theta_small)
scaled_labels, nearest_labels = np.argmin(sq / betas, axis=1), np.argmin(sq, axis=1)
print(f"sigma = 1e-3: the responsibilities are one-hot on the smallest scaled distance for all {len(X_std)} points;"
      f" {np.sum(scaled_labels != nearest_labels)} of them are not at their nearest mean")
assert np.array_equal(resp_small, np.eye(2)[scaled_labels]) and np.any(scaled_labels != nearest_labels)

# %% [markdown]
# ## Exercise 6 (derive): what must one more component buy?
#
# BIC, equation (bic), charges $M \ln N$ for $M$ free parameters, equation (count) of chapter 01.
# One more full-covariance component in $D$ dimensions raises the best $\ell$; by how much must it rise for BIC to prefer $K + 1$ components to $K$?
# Give the least rise as `threshold`, a SymPy expression in the symbols `D` and `N` defined in the cell before the answer.
# Evaluate it for Old Faithful ($D = 2$, $N = 272$), and compare it with the rises of $\ell$ from $K = 2$ to $K = 3$ in chapter 06: to the best k-means++ restart, and to the higher maximum near $-1114.4$.
# Which does BIC accept?
# What is AIC's threshold, equation (aic)?
#
# *What the check tests.* Your expression may contain `D` and `N` only.
# It is compared with the right formula by its values at four points ($(D, N)$ = (1, 10), (2, 272), (3, 1000), (5, 50)), to a relative $10^{-9}$, so every equivalent form passes: an expression, an equation with a symbol named `threshold`, or a string.
# It recognises a forgotten factor 2 of $-2\ell$, AIC's threshold, $\log_{10}$ instead of $\ln$, $D^2$ numbers per covariance, a forgotten weight, diagonal covariances, a wrong sign, and an answer that depends on $K$, and never prints the threshold.

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **Solution.**
# With $M_K$ free parameters for $K$ components and $\ell_K$ the best log-likelihood, BIC prefers $K + 1$ when
#
# $$ -2\ell_{K+1} + M_{K+1} \ln N < -2\ell_K + M_K \ln N \quad\Longleftrightarrow\quad \ell_{K+1} - \ell_K > \frac{(M_{K+1} - M_K) \ln N}{2} . $$
#
# By equation (count), one more component brings $D$ mean coordinates, $D(D+1)/2$ covariance entries and one more free weight, so
#
# $$ \ell_{K+1} - \ell_K \;>\; \Big(1 + D + \frac{D(D+1)}{2}\Big) \frac{\ln N}{2} = \frac{(D+1)(D+2)}{4} \ln N , $$
#
# the same for every $K$.
# AIC's threshold is $M_{K+1} - M_K = (D+1)(D+2)/2$, without $\ln N$.
# For Old Faithful BIC asks $6 \ln 272 / 2 = 16.82$ and AIC asks 6.
# Chapter 06's $K = 3$ fits raise $\ell$ from $-1130.26$ by about 11.0 (the best k-means++ restart, computed below) and by 15.8 (the higher maximum near $-1114.4$): both above 6 and below 16.82.
# So AIC takes a third component and BIC does not, even the one at the higher maximum: a component 4 seconds wide on 42 eruptions does not buy enough.
# The threshold grows like $D^2 \ln N / 4$: in $D = 10$ dimensions with $N = 1000$ a component must buy 228.
# <!-- END SOLUTION -->

# %%
D, N = sympy.symbols("D N", positive=True)

# %%
# BEGIN SOLUTION: threshold = None
def n_params(K):
    """Equation (count): K D means, K D(D+1)/2 covariance entries, K - 1 weights."""
    return K * D + K * D * (D + 1) / 2 + (K - 1)


K_ = sympy.Symbol("K", positive=True)
l_K, l_K1 = sympy.symbols("l_K l_K1")
bic_K, bic_K1 = -2 * l_K + n_params(K_) * sympy.log(N), -2 * l_K1 + n_params(K_ + 1) * sympy.log(N)
threshold = sympy.factor(sympy.solve(sympy.Eq(bic_K1, bic_K), l_K1)[0] - l_K)     # the rise at which BIC ties
print("threshold =", threshold, "; for D = 2, N = 272:", round(float(threshold.subs({D: 2, N: 272})), 2))
# END SOLUTION
check("bic_threshold", threshold)

# %% tags=["solution-only"]
fit_2 = gb.em(X, 2, rng=np.random.default_rng(0), n_init=5)
fit_3 = gb.em(X, 3, rng=np.random.default_rng(0), n_init=10)
rise = fit_3.log_likelihood - fit_2.log_likelihood
bar = float(threshold.subs({D: 2, N: 272}))
print(f"l(K = 2) = {fit_2.log_likelihood:.2f}; l(K = 3), best of 10 k-means++ starts = {fit_3.log_likelihood:.2f}:"
      f" a rise of {rise:.2f}, against BIC's {bar:.2f} and AIC's 6")
print(f"BIC: K = 2 {gb.bic(X, fit_2.gmm):.2f}, K = 3 {gb.bic(X, fit_3.gmm):.2f};"
      f" AIC: K = 2 {gb.aic(X, fit_2.gmm):.2f}, K = 3 {gb.aic(X, fit_3.gmm):.2f}")
assert (gb.bic(X, fit_3.gmm) < gb.bic(X, fit_2.gmm)) == (rise > bar)          # BIC's verdict is the threshold's
assert (gb.aic(X, fit_3.gmm) < gb.aic(X, fit_2.gmm)) == (rise > 6)            # and AIC's is 6
print("check: BIC and AIC prefer K = 3 exactly when the rise of l passes their thresholds")

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("06_em_in_action")

# %% [markdown]
# <!-- generated from exercises/solutions/06_em_in_action.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 06: EM at work, and why it works
#
# These exercises go with [chapter 06](../chapters/06_em_in_action.ipynb), which runs the EM algorithm, equation (em): E-step, M-step, repeat; shows why the log-likelihood never decreases, equation (monotone); and looks at what `reg_covar` does, how fast EM converges, K-means as a limit, and BIC.
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`), total log-likelihood $\ell(\theta) = \sum_n \ln p(\mathbf{x}_n \mid \theta)$ (`loglik`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line) or `# YOUR ANSWER HERE` (replace the placeholder `None`), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](solutions/06_em_in_action.ipynb).
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
    # YOUR CODE HERE
    raise NotImplementedError


check("em", em)

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 2 (explain): stale responsibilities break the guarantee
#
# A common bug computes the responsibilities once, before the loop, and then repeats only the M-step; a milder one uses responsibilities from an older $\theta$ than the current one.
# Using the argument of exercise 1, explain which step of the guarantee $\ell(\theta^{\text{new}}) \ge \ell(\theta^{\text{old}})$ fails when the responsibilities are stale, and what can happen to the log-likelihood.

# %% [markdown]
# *Write your answer here.*

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
# *Write your answer here.*

# %%
N, sigma2_hat, epsilon = sympy.symbols("N sigma2_hat epsilon", positive=True)

# %%
# YOUR ANSWER HERE
fall = None
check("floor_fall", fall)


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
# *Write your answer here.*

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
    # YOUR CODE HERE
    raise NotImplementedError


check("weight_rate", weight_rate)

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
# *Write your answer here.*

# %%
d_1, d_2, beta_1, beta_2, sigma, pi_1, pi_2, D = sympy.symbols("d_1 d_2 beta_1 beta_2 sigma pi_1 pi_2 D", positive=True)

# %%
# YOUR ANSWER HERE
limit = None
check("kmeans_limit", limit)

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
# *Write your answer here.*

# %%
D, N = sympy.symbols("D N", positive=True)

# %%
# YOUR ANSWER HERE
threshold = None
check("bic_threshold", threshold)

# %% [markdown]
# ## Your progress
#
# Run this cell last: it counts the exercises of this notebook whose latest check, in this session, passed.

# %%
progress("06_em_in_action")

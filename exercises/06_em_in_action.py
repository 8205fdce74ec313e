# %% [markdown]
# <!-- generated from exercises/solutions/06_em_in_action.py by tools/exercises.py; edit the solution -->
# # Exercises for chapter 06: EM at work, and why it works
#
# These exercises go with [chapter 06](../chapters/06_em_in_action.ipynb), which runs the EM algorithm, equation (em): E-step, M-step, repeat, and shows why the log-likelihood never decreases, equation (monotone).
#
# Notation as in the book: $N$ points, $D$ dimensions, $K$ components, weights $\pi_k$ (`weights`), means $\boldsymbol\mu_k$ (`means`), covariances $\boldsymbol\Sigma_k$ (`covariances`), responsibilities $r_{nk}$ (`resp`), total log-likelihood $\ell(\theta) = \sum_n \ln p(\mathbf{x}_n \mid \theta)$ (`loglik`).
#
# ## How to work the exercises
#
# Write your code where a cell says `# YOUR CODE HERE` (delete the `raise NotImplementedError` line), and your text where a cell says *Write your answer here.*
# Then run the cell: its last line, `check(...)`, tests your answer and shows a verdict, "passed" or a hint that names the mistake.
# Until you have written something, the verdict says "not attempted yet".
# Exercises marked (explain) have no checker; compare your answer with the [worked solutions](solutions/06_em_in_action.ipynb).

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
# ## Exercise 2 (explain): K-means is EM in the limit $\sigma \to 0$
#
# Fix every covariance to the same $\boldsymbol\Sigma_k = \sigma^2 \mathbf{I}$ and let EM update only the means (the weights stay equal, say).
# What do the responsibilities become as $\sigma \to 0$, and what do the E-step and the M-step then become?
# Why do the weights not matter in the limit?
#
# *Hint:* write $r_{nk}$ with the Gaussian written out, and divide numerator and denominator by the term of the component whose mean is nearest to $\mathbf{x}_n$.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 3 (explain): stale responsibilities break the guarantee
#
# A common bug computes the responsibilities once, before the loop, and then repeats only the M-step; a milder one uses responsibilities from an older $\theta$ than the current one.
# Using the argument of exercise 1, explain which step of the guarantee $\ell(\theta^{\text{new}}) \ge \ell(\theta^{\text{old}})$ fails when the responsibilities are stale, and what can happen to the log-likelihood.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Exercise 4 (explain, optional): choosing $K$ on Old Faithful with BIC
#
# Fit full-covariance mixtures with $K = 1, 2, 3, 4$ components to Old Faithful, for instance with `gb.em(X, K, rng=np.random.default_rng(0), n_init=5)`, and compute for each the log-likelihood, `gb.bic(X, fit.gmm)` and `gb.aic(X, fit.gmm)` (lower is better for both; chapter 06, equations (bic) and (aic)).
# Which $K$ does BIC choose, which does AIC choose, and why not simply the $K$ with the highest log-likelihood?

# %% [markdown]
# *Write your answer here.*

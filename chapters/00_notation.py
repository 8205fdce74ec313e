# %% [markdown]
# # Notation
#
# One symbol per meaning, in every chapter, exercise and docstring of the book.
# The code uses the names in the last column, so a formula and the line that implements it read alike.
# Components are numbered $k = 1, \dots, K$ in the mathematics and `0, ..., K-1` in the code: component $k$ of the text is index `k - 1` of an array (printed tables add 1).
#
# ## Data, labels and parameters
#
# | symbol | meaning | code |
# |---|---|---|
# | $N$, $D$, $K$ | number of points, of dimensions, of components | `N, D = X.shape`, `K = len(weights)` |
# | $n$, $k$, $j$ | index of a point; of a component; of another component in a sum over components | `n`, `k`, `j` |
# | $\mathbf{x}_n \in \mathbb{R}^D$, $\mathbf{X}$ | one point; all points, one per row, shape (N, D) | `X[n]`, `X` |
# | $\mathbf{z}_n \in \{0, 1\}^K$, $z_{nk}$ | the one-hot label of point $n$ (exactly one $z_{nk} = 1$); its entries | `labels[n] = k - 1` where $z_{nk} = 1$ |
# | $\mathbf{Z}$ | all labels | `labels` |
# | $\pi_k$, $\boldsymbol\pi$ | mixing weights: $\pi_k \ge 0$, $\sum_k \pi_k = 1$ | `weights` |
# | $\boldsymbol\mu_k$ | mean of component $k$ | `means[k - 1]`, shape (D,) |
# | $\boldsymbol\Sigma_k$ | covariance of component $k$ (symmetric positive definite) | `covariances[k - 1]`, shape (D, D) |
# | $\sigma_k$, $\sigma_k^2$ | standard deviation and variance of a 1-D (or spherical) component | `np.sqrt(var)`, `var` |
# | $\boldsymbol\Lambda_k = \boldsymbol\Sigma_k^{-1}$ | precision matrix | `np.linalg.inv(cov)` |
# | $\mathbf{L}_k$ | lower Cholesky factor, $\boldsymbol\Sigma_k = \mathbf{L}_k \mathbf{L}_k^\top$ | `np.linalg.cholesky(cov)` |
# | $\theta = \{\boldsymbol\pi, \boldsymbol\mu, \boldsymbol\Sigma\}$ | all parameters of a mixture | `gmm` (a `gmmbook.GMM`) |
# | $\theta^{(t)}$, $\theta^{\text{old}}$ | parameters after $t$ iterations of EM; the parameters of the current E-step | `gmm` |
# | $\hat\theta$ | a maximum-likelihood estimate | `result.gmm` |
#
# ## Densities and the quantities EM computes
#
# | symbol | meaning | code |
# |---|---|---|
# | $\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma)$ | Gaussian density, equation (gauss) | `scipy.stats.multivariate_normal` |
# | $\Delta^2$ | squared Mahalanobis distance $(\mathbf{x} - \boldsymbol\mu)^\top \boldsymbol\Sigma^{-1} (\mathbf{x} - \boldsymbol\mu)$ | `delta2` |
# | $p(\mathbf{x} \mid \theta)$ | the mixture density, equation (mixture) | `np.exp(gb.log_marginal(X, gmm))` |
# | $p(\mathbf{x}, \mathbf{z})$, $p(\mathbf{x} \mid \mathbf{z})$, $p(\mathbf{z})$ | joint, component density, prior of the label (chapter 02) | `gb.log_joint(X, gmm)` |
# | $\ell(\theta) = \sum_n \ln p(\mathbf{x}_n \mid \theta)$ | the log-likelihood: the **total** over the points, not the mean | `loglik`, `gb.log_likelihood(X, gmm)` |
# | $r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n, \theta)$ | responsibility of component $k$ for point $n$, equation (resp) (Bishop writes $\gamma(z_{nk})$) | `resp`, `gb.responsibilities(X, gmm)` |
# | $N_k = \sum_n r_{nk}$ | soft count of component $k$ | `nk` |
# | $\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)$ | complete-data log-likelihood, equation (complete) | |
# | $Q(\theta, \theta^{\text{old}})$ | expected complete-data log-likelihood, equation (q) | `gb.q_function(X, gmm, resp)` |
# | $\lambda$ | the Lagrange multiplier of $\sum_k \pi_k = 1$ (only this meaning) | `lam` |
# | $q(\mathbf{Z})$, $q_{nk}$ | any distribution over the labels, and its probabilities $q(z_{nk} = 1)$ (chapter 06; only this meaning) | `q` |
# | $\mathcal{L}(q, \theta)$ | evidence lower bound (ELBO), equation (elbo) | `elbo` |
# | $\mathrm{KL}(q \,\Vert\, p)$ | Kullback–Leibler divergence | `kl` |
# | $H(q)$ | entropy of $q$, $-\sum_n \sum_k q_{nk} \ln q_{nk}$ | `entropy` |
# | $\epsilon$ | the covariance floor added to every diagonal by the M-step | `reg_covar` |
# | $M$ | number of free parameters of a model, equation (count) | `gb.n_parameters(K, D, covariance_type)` |
# | AIC, BIC | $-2\ell + 2M$ and $-2\ell + M \ln N$ | `gb.aic`, `gb.bic` |
#
# ## Priors (MAP-EM, appendix)
#
# | symbol | meaning | code |
# |---|---|---|
# | $\alpha$ | Dirichlet concentration of the prior on $\boldsymbol\pi$ | `alpha` |
# | $\nu_0$, $\boldsymbol\Psi_0$ | degrees of freedom and scale matrix of the inverse-Wishart prior on each $\boldsymbol\Sigma_k$ | `nu0`, `psi0` |
#
# ## Other letters
#
# - $t$ counts EM iterations; $s \in [0, 1]$ is the weight of a convex combination (chapter 03); $h$ is a step or bin width; $\delta$ a small perturbation.
# - $\mathbf{I}$ is the identity matrix, $\operatorname{tr}$ the trace, $\det$ the determinant, $\ln$ the natural logarithm.
# - Equations carry a name in brackets, e.g. (mixture); the text refers to them as "equation (mixture)", in any chapter.
#
# ## How the chapters mark a check
#
# A derivation is followed by a cell headed **CHECK (label).**, which says what the check compares with (an independent route: enumeration, simulation, SymPy from the definitions, SciPy or scikit-learn, a published number), the assert that fails when the formula is wrong, and a one-line **What we verified:**.

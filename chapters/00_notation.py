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
# | $\hat{\boldsymbol\mu}$, $\hat{\boldsymbol\Sigma}$ | the maximum-likelihood mean and covariance of one Gaussian, equation (ml-gauss) | `X.mean(axis=0)`, `np.cov(X, rowvar=False, bias=True)` |
#
# ## Densities and the quantities EM computes
#
# | symbol | meaning | code |
# |---|---|---|
# | $\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \boldsymbol\Sigma)$ | Gaussian density, equation (gauss) | `scipy.stats.multivariate_normal` |
# | $\mathcal{N}_k(\mathbf{x})$ | shorthand for $\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)$ | |
# | $\Delta^2$ | squared Mahalanobis distance $(\mathbf{x} - \boldsymbol\mu)^\top \boldsymbol\Sigma^{-1} (\mathbf{x} - \boldsymbol\mu)$ | `delta2` |
# | $a_{nk} = \ln \pi_k + \ln \mathcal{N}_k(\mathbf{x}_n)$, $a_{n,\max} = \max_k a_{nk}$ | log-joint terms and their maximum, the shift of log-sum-exp, equation (logsumexp) (one point: $a_k$, $a_{\max}$) | `gb.log_joint(X, gmm)` |
# | $p(\mathbf{x} \mid \theta)$ | the mixture density, equation (mixture) | `np.exp(gb.log_marginal(X, gmm))` |
# | $p(\mathbf{x}, \mathbf{z})$, $p(\mathbf{x} \mid \mathbf{z})$, $p(\mathbf{z})$ | joint, component density, prior of the label (chapter 02) | `gb.log_joint(X, gmm)` |
# | $\ell(\theta) = \sum_n \ln p(\mathbf{x}_n \mid \theta)$ | the log-likelihood: the **total** over the points, not the mean | `loglik`, `gb.log_likelihood(X, gmm)` |
# | $r_{nk} = p(z_{nk} = 1 \mid \mathbf{x}_n, \theta)$ | responsibility of component $k$ for point $n$, equation (resp) (Bishop writes $\gamma(z_{nk})$) | `resp`, `gb.responsibilities(X, gmm)` |
# | $r_k(\mathbf{x})$, $r_{nk}(\theta)$ | the responsibility as a function of $\mathbf{x}$; at parameters $\theta$ | |
# | $N_k = \sum_n r_{nk}$ | soft count of component $k$ (with known labels, the hard count $\sum_n z_{nk}$) | `nk` |
# | $\mathbf{S}_k = \sum_n r_{nk} (\mathbf{x}_n - \boldsymbol\mu_k)(\mathbf{x}_n - \boldsymbol\mu_k)^\top$ | scatter matrix of component $k$, equation (scatter) | |
# | $\ln p(\mathbf{X}, \mathbf{Z} \mid \theta)$ | complete-data log-likelihood, equation (complete) | |
# | $Q(\theta, \theta^{\text{old}})$ | expected complete-data log-likelihood, equation (q) | `gb.q_function(X, gmm, resp)` |
# | $\lambda$ | the Lagrange multiplier of $\sum_k \pi_k = 1$ (only this meaning) | `lam` |
# | $L(\boldsymbol\pi, \lambda)$, $f(\boldsymbol\pi)$ | the Lagrangian $f(\boldsymbol\pi) + \lambda(\sum_k \pi_k - 1)$ with $f(\boldsymbol\pi) = \sum_k N_k \ln \pi_k$, equation (lagrangian) | |
# | $\theta^*$, $\boldsymbol\pi^*$, $\boldsymbol\mu_k^*$, $\boldsymbol\Sigma_k^*$ | the maximiser of the function at hand | |
# | $q(\mathbf{Z})$, $q_{nk}$ | any distribution over the labels, and its probabilities $q(z_{nk} = 1)$ (chapter 06; only this meaning) | `q` |
# | $\mathcal{L}(q, \theta)$ | evidence lower bound (ELBO), equation (elbo) | `elbo` |
# | $\mathrm{KL}(q \,\Vert\, p)$ | Kullback–Leibler divergence | `kl` |
# | $H(q)$ | entropy of $q$, $-\sum_n \sum_k q_{nk} \ln q_{nk}$ (chapter 05: $H$ with $q_{nk} = r_{nk}$) | `entropy` |
# | $F(\theta)$, $F'$, $\rho$ | one EM cycle as a map $\theta^{(t)} \mapsto \theta^{(t+1)}$, its Jacobian, and EM's linear rate (chapter 06) | |
# | $\epsilon$ | the covariance floor added to every diagonal by the M-step | `reg_covar` |
# | $M$ | number of free parameters of a model, equation (count) | `gb.n_parameters(K, D, covariance_type)` |
# | AIC, BIC | $-2\ell + 2M$ and $-2\ell + M \ln N$ | `gb.aic`, `gb.bic` |
# | $J$, $\mathbf{m}_k$ | the K-means objective $\sum_n \sum_k z_{nk} \lVert \mathbf{x}_n - \mathbf{m}_k \rVert^2$, equation (kmeans), and its centres | |
#
# ## Priors (MAP-EM, appendix)
#
# | symbol | meaning | code |
# |---|---|---|
# | $\alpha$ | Dirichlet concentration of the prior on $\boldsymbol\pi$ | `alpha` |
# | $\nu_0$, $\boldsymbol\Psi_0$ | degrees of freedom and scale matrix of the inverse-Wishart prior on each $\boldsymbol\Sigma_k$ | `nu0`, `psi0` |
# | $p(\theta)$, $\ln p(\theta)$ | the prior and its log density, equation (log-prior) | `gb.Prior(alpha, nu0, psi0)`, `gb.log_prior(gmm, prior)` |
# | $\tilde N_k = N_k + \nu_0 + D + 1$, $\tilde{\mathbf{S}}_k = \mathbf{S}_k + \boldsymbol\Psi_0$ | the MAP covariance is $\tilde{\mathbf{S}}_k / \tilde N_k$, equation (map-cov) | |
# | $\Gamma_D$ | the multivariate gamma function | `scipy.special.multigammaln` |
# | $\psi_{\min}$, $\sigma^2_{\min}$ | the smallest eigenvalue of $\boldsymbol\Psi_0$; of all the $\boldsymbol\Sigma_k$ | |
#
# ## Probability and other letters
#
# - $\mathrm{Cat}(\boldsymbol\pi)$ is the categorical distribution; $\Phi$ and $\phi$ the standard normal distribution function and density; $\chi^2_D$ the chi-square distribution with $D$ degrees of freedom; $\mathrm{se}$ and $\mathrm{sd}$ a standard error and a standard deviation; $R$ the number of Monte Carlo draws.
# - $\mathbf{e}_j$ is the one-hot vector with its 1 in place $j$; $\tau$ a permutation of the components and $\theta_\tau$ the relabelled parameters.
# - $\mathbf{u} \sim \mathcal{N}(\mathbf{0}, \mathbf{I})$ is a standard normal vector (sampling, chapter 02); $\mathbf{d}$ a unit direction (chapter 04); $\eta_i$ the eigenvalues of a matrix ratio $\boldsymbol\Sigma_k^{-1}\boldsymbol\Sigma_k^*$ (chapters 05, 07).
# - $t$ counts EM iterations; $s \in [0, 1]$ is the weight of a convex combination (chapter 03); $h$ is a step or bin width; $\delta$ a small perturbation; $\epsilon_{\text{mach}} = 2^{-53}$ the unit roundoff of float64.
# - $\mathbf{A} \succeq \mathbf{B}$ means that $\mathbf{A} - \mathbf{B}$ is positive semidefinite.
# - $\mathbf{I}$ is the identity matrix, $\operatorname{tr}$ the trace, $\det$ the determinant, $\ln$ the natural logarithm.
# - A few letters serve inside one section only, and are defined there: the bin $B$, its count $n_B$ and fractions $f_k$ (chapter 04); the log-odds coefficients $\mathbf{A}, \mathbf{b}, c$ (chapter 04); the collapse bound $A(\sigma_1)$ and its constant $C$ (chapter 03); the growth-mixture aside's $\boldsymbol\beta_n, \mathbf{b}_k, \mathbf{V}_k, \mathbf{G}, \boldsymbol\xi_n, \omega$ (chapter 02); the unconstrained parameters of equation (param), logits $w_k$ and log-diagonals $b_{kd}$ in a vector $\mathbf{v}$, and the gradient $\mathbf{G}_k$ (chapter 06, section 7); the affine map $\mathbf{x} \mapsto \mathbf{A}\mathbf{x} + \mathbf{b}$ of the race against gradient ascent (chapter 06, section 7); the distance gaps $c_{nk}$ of equation (kmeans-resp) (chapter 06, section 8); the eigenvalues $\omega_i$ of $\boldsymbol\Sigma^*_k$ and a free factor $\mathbf{L}$ in $\boldsymbol\Sigma_k = \epsilon\mathbf{I} + \mathbf{L}\mathbf{L}^\top$ (not a Cholesky factor; appendix 07, section 1).
# - Equations carry a name in brackets, e.g. (mixture); the text refers to them as "equation (mixture)", in any chapter.
#
# ## How the chapters mark a check
#
# A derivation is followed by a cell headed **CHECK (label).**, which says what the check compares with (an independent route: enumeration, simulation, SymPy from the definitions, SciPy or scikit-learn, a published number), the assert that fails when the formula is wrong, and a one-line **What we verified:**.

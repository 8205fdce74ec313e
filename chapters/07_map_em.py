# %% [markdown]
# # Appendix (chapter 07): Regularisation and MAP-EM
#
# Chapter 03 found that $\ell$ has no maximum (a component can collapse onto a point) and named remedies, among them a covariance floor and a prior.
# This appendix measures what the floor `reg_covar` $= \epsilon$ loses at each M-step, equation (floor-loss).
# It derives EM for a prior (MAP-EM), equations (log-prior) to (map-monotone), and relates the two remedies exactly, equation (floor-as-prior).
#
# It builds on chapters 03 (collapse, floor), 05 (the M-step) and 06 (the chain (monotone)).
# The library's formulas are in `gmmbook/prior.py`.

# %%
import numpy as np
import sympy as sp
from scipy import optimize, special, stats
from sympy.stats import GammaInverse, MultivariateBeta, Normal, density

import gmmbook as gb

np.set_printoptions(precision=4, suppress=True)
eps_mach = np.finfo(float).eps / 2                         # the unit roundoff epsilon_mach of float64, 2^-53

X_raw = gb.datasets.old_faithful()
X_std = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)  # Old Faithful in standard units, as in chapter 06
N, D = X_std.shape
K = 2
fit_ml = gb.em(X_std, K, rng=np.random.default_rng(0))     # the maximum-likelihood fit theta_hat
print(f"N = {N}, D = {D}, K = {K}; maximum-likelihood fit: l = {fit_ml.log_likelihood:.4f}")

# %% [markdown]
# ## 1. How much the floor loses
#
# With `reg_covar` $= \epsilon$ the M-step returns $\mathbf{S}_k/N_k + \epsilon\mathbf{I}$ instead of $\boldsymbol\Sigma^*_k = \mathbf{S}_k/N_k$, the maximiser of $Q$, equation (m-cov).
# If $\omega_1, \dots, \omega_D$ are the eigenvalues of $\boldsymbol\Sigma^*_k$, those of the ratio $(\boldsymbol\Sigma^*_k + \epsilon\mathbf{I})^{-1}\boldsymbol\Sigma^*_k$ are $\eta_i = \omega_i/(\omega_i + \epsilon)$, and equation (q-cov-loss) gives the loss:
#
# $$ Q(\boldsymbol\Sigma^*_k + \epsilon\mathbf{I}) - Q(\boldsymbol\Sigma^*_k) = -\frac{N_k}{2} \sum_{i=1}^D \big(\eta_i - \ln\eta_i - 1\big) < 0. \tag{floor-loss} $$
#
# So the middle link of the chain (monotone) breaks, and $\ell$ can fall (chapter 06, section 5).
#
# The floor does bound $\ell$ on the set $\{\boldsymbol\Sigma_k \succeq \epsilon\mathbf{I}\}$, equation (floor-bound).
# But adding $\epsilon\mathbf{I}$ is not the maximiser of $Q$ over that set either: when every $\omega_i \ge \epsilon$, $\boldsymbol\Sigma^*_k$ is in the set already.
# The constrained maximiser raises only the eigenvalues below $\epsilon$ to $\epsilon$ (the check below finds it numerically); with that step, (monotone) holds within the set.
#
# **CHECK (floor-loss).** On Old Faithful at the maximum-likelihood fit $\hat\theta$, $\epsilon = 0.05$: (a) `gb.q_function` must lose equation (floor-loss) from the plain M-step to `gb.m_step(..., reg_covar=0.05)`; (b) SciPy's BFGS on equation (scatter) over $\boldsymbol\Sigma_k = \epsilon\mathbf{I} + \mathbf{L}\mathbf{L}^\top$ (every matrix $\succeq \epsilon\mathbf{I}$) must find the clipped eigenvalues, beating the floored step.

# %%
eps = 0.05
resp_ml = fit_ml.resp
nk_ml = resp_ml.sum(axis=0)
step_plain = gb.m_step(X_std, resp_ml)                     # the EM step from theta_hat: theta_hat again
step_floor = gb.m_step(X_std, resp_ml, reg_covar=eps)      # the floored step
omega, U_eig = np.linalg.eigh(step_plain.covariances)    # omega_i, eigenvectors of Sigma*_k: (K, D), (K, D, D)
eta = omega / (omega + eps)                               # eigenvalues of (Sigma*_k + eps I)^-1 Sigma*_k
loss_formula = 0.5 * np.sum(nk_ml[:, None] * (eta - np.log(eta) - 1))                 # equation (floor-loss)
loss_q = gb.q_function(X_std, step_plain, resp_ml) - gb.q_function(X_std, step_floor, resp_ml)
print(f"eigenvalues omega_i of Sigma*_k: {omega.round(4).tolist()}")
print(f"loss of Q: {loss_q:.6f} (equation (floor-loss): {loss_formula:.6f})")


def q_cov_part(cov, S, n):
    """The Sigma_k terms of equation (scatter): -(1/2) [N_k ln det Sigma + tr(Sigma^-1 S_k)]."""
    return -0.5 * (n * np.linalg.slogdet(cov)[1] + np.trace(np.linalg.solve(cov, S)))


tril = np.tril_indices(D)
for k in range(K):
    S_k = nk_ml[k] * step_plain.covariances[k]

    def minus_q(entries, S_k=S_k, n=nk_ml[k]):
        L = np.zeros((D, D))
        L[tril] = entries
        return -q_cov_part(eps * np.eye(D) + L @ L.T, S_k, n)

    found = optimize.minimize(minus_q, np.linalg.cholesky(step_floor.covariances[k])[tril], method="BFGS",
                              options={"gtol": 1e-10})
    L_opt = np.zeros((D, D))
    L_opt[tril] = found.x
    clipped = U_eig[k] @ np.diag(np.maximum(omega[k], eps)) @ U_eig[k].T             # eigenvalues raised to eps
    print(f"k = {k + 1}: constrained maximiser {(eps * np.eye(D) + L_opt @ L_opt.T).round(4).tolist()},"
          f" clipped {clipped.round(4).tolist()}")
    # fails if the constrained maximiser were S_k/N_k + eps I (the floored step) or S_k/N_k unclipped
    assert np.max(np.abs(eps * np.eye(D) + L_opt @ L_opt.T - clipped)) < 1e-6
    # fails if the floored step were the constrained maximiser
    assert q_cov_part(clipped, S_k, nk_ml[k]) > q_cov_part(step_floor.covariances[k], S_k, nk_ml[k]) + 0.1

# fails if reg_covar added eps before dividing by N_k, or anywhere but the diagonal
assert abs(loss_q - loss_formula) < 1e-9 * loss_formula
print(f"check (floor-loss): the floored step loses {loss_q:.4f} of Q, as equation (floor-loss) says (rel. 1e-9);"
      " over Sigma >= eps I, BFGS finds the clipped eigenvalues (1e-6), not S_k/N_k + eps I")


# %% [markdown]
# **What we verified:** the floored step loses $Q$ as equation (floor-loss) says, and maximises it neither overall nor over the floored set (for component 2, every $\omega_i \ge \epsilon$).
#
# ## 2. A prior on $\theta$
#
# Maximum a posteriori (MAP) estimation maximises $\ell(\theta) + \ln p(\theta)$ for a prior $p(\theta)$: with a proper prior, the log-posterior $\ln p(\theta \mid \mathbf{X})$ up to the constant $\ln p(\mathbf{X})$.
# We take $p(\theta) = \mathrm{Dir}(\boldsymbol\pi \mid \boldsymbol\alpha) \prod_k \mathrm{IW}(\boldsymbol\Sigma_k \mid \nu_0, \boldsymbol\Psi_0)$, flat in the means: the conjugate priors of the categorical and of a Gaussian's covariance (Bishop 2006, §2.2.1 and §2.3.6).
# With the multivariate gamma function $\Gamma_D(a) = \pi^{D(D-1)/4} \prod_{j=1}^D \Gamma(a + \tfrac{1-j}{2})$,
#
# $$ \begin{aligned} \ln p(\theta) = {} & \ln\Gamma\Big(\sum_k \alpha_k\Big) - \sum_k \ln\Gamma(\alpha_k) + \sum_k (\alpha_k - 1) \ln\pi_k \\ & + \sum_k \Big[\tfrac{\nu_0}{2} \ln\det\boldsymbol\Psi_0 - \tfrac{\nu_0 D}{2} \ln 2 - \ln\Gamma_D\big(\tfrac{\nu_0}{2}\big) \\ & \qquad - \tfrac{\nu_0 + D + 1}{2} \ln\det\boldsymbol\Sigma_k - \tfrac12 \operatorname{tr}\big(\boldsymbol\Psi_0 \boldsymbol\Sigma_k^{-1}\big)\Big]. \end{aligned} \tag{log-prior} $$
#
# The flat prior on the means adds a constant, taken as 0; it is improper, and leaves no proper posterior (section 4).
# `gb.Prior(alpha, nu0, psi0)` requires $\alpha_k \ge 1$ (else $(\alpha_k - 1)\ln\pi_k$ is unbounded), $\nu_0 > D - 1$ and $\boldsymbol\Psi_0 \succ 0$ (for a proper inverse-Wishart).
#
# The prior removes the collapse.
# Let $\sigma^2_{\min}$ be the smallest eigenvalue of all the $\boldsymbol\Sigma_k$, and $\psi_{\min}$ that of $\boldsymbol\Psi_0$.
# Equation (floor-bound), with $\sigma^2_{\min}$ for $\epsilon$, bounds $\ell$ by a constant plus a multiple of $\ln(1/\sigma_{\min})$, and the $\ln\det\boldsymbol\Sigma_k$ terms of (log-prior) likewise.
# But $\operatorname{tr}(\boldsymbol\Psi_0\boldsymbol\Sigma_k^{-1}) \ge \psi_{\min}/\sigma^2_{\min}$ for the $k$ that has it, and $-\psi_{\min}/2\sigma^2_{\min}$ wins: $\ell + \ln p(\theta)$ is bounded above.
# We take mclust's defaults (Fraley & Raftery 2007), $\nu_0 = D + 2$ and $\boldsymbol\Psi_0$ the data's covariance over $K^{2/D}$.
# For the weights, which mclust leaves without a prior, we take $\boldsymbol\alpha = (2, 3)$ on Old Faithful (unequal, so that a swapped index would show).
# mclust (`priorControl()`) also puts a normal prior with covariance proportional to $\boldsymbol\Sigma_k$ on each mean, which shrinks the means and adds a term to (map-cov) (Murphy 2012, §11.4.2.8).
# No outside MAP-EM is compared here (mclust needs R, and scikit-learn's `BayesianGaussianMixture` is variational), so the checks use SciPy's densities and optimiser.
#
# **CHECK (log-prior).** At a random $\theta$ ($K = D = 3$, unequal $\alpha_k$, $\nu_0 = 4.7$, $\boldsymbol\Psi_0 \ne c\mathbf{I}$), equation (log-prior) in NumPy and `gb.log_prior` must equal SciPy's `dirichlet.logpdf` plus `invwishart.logpdf` (rel. $10^{-12}$).
# In 1-D, `invwishart` must equal `invgamma`$(\nu_0/2$, scale $\Psi_0/2)$, used by SymPy below.
# On chapter 03's collapse path ($\mu_1 = x_1$, $\sigma_1 \to 0$), $\ell + \ln p(\theta)$ must fall, while $\ell$ eventually rises, like $-\ln\sigma_1$ (chapter 03's (collapse-asym)).

# %%
def log_multigamma(a, D):
    """ln Gamma_D(a) = D(D-1)/4 ln(pi) + sum_{j=1}^D ln Gamma(a + (1 - j)/2)."""
    return D * (D - 1) / 4 * np.log(np.pi) + sum(special.gammaln(a + (1 - j) / 2) for j in range(1, D + 1))


def log_prior_inline(weights, covariances, alpha, nu0, psi0):
    """Equation (log-prior), term by term."""
    K, D = len(weights), psi0.shape[0]
    log_dirichlet = special.gammaln(alpha.sum()) - special.gammaln(alpha).sum() + np.sum((alpha - 1) * np.log(weights))
    log_iw = sum(nu0 / 2 * np.linalg.slogdet(psi0)[1] - nu0 * D / 2 * np.log(2) - log_multigamma(nu0 / 2, D)
                 - (nu0 + D + 1) / 2 * np.linalg.slogdet(cov)[1] - 0.5 * np.trace(psi0 @ np.linalg.inv(cov))
                 for cov in covariances)
    return log_dirichlet + log_iw


def log_prior_scipy(weights, covariances, alpha, nu0, psi0):
    """The same from SciPy's densities."""
    return stats.dirichlet.logpdf(weights, alpha) + sum(
        stats.invwishart.logpdf(cov, df=nu0, scale=psi0) for cov in covariances)


rng_p = np.random.default_rng(1)
A_p = rng_p.normal(size=(4, 3, 3))
covs_p = A_p[:3] @ A_p[:3].transpose(0, 2, 1) + 0.3 * np.eye(3)       # three random SPD matrices
psi_p = A_p[3] @ A_p[3].T + 0.5 * np.eye(3)                            # a random scale matrix
weights_p, alpha_p, nu0_p = rng_p.dirichlet(np.ones(3)), np.array([1.0, 2.5, 4.0]), 4.7
theta_p = gb.GMM(weights_p, rng_p.normal(size=(3, 3)), covs_p)
lp_scipy = log_prior_scipy(weights_p, covs_p, alpha_p, nu0_p, psi_p)
lp_inline = log_prior_inline(weights_p, covs_p, alpha_p, nu0_p, psi_p)
lp_library = gb.log_prior(theta_p, gb.Prior(alpha_p, nu0_p, psi_p))
print(f"ln p(theta): SciPy {lp_scipy:.8f}, equation (log-prior) {lp_inline:.8f}, gb.log_prior {lp_library:.8f}")
# fails without ln Gamma_D, with nu0 + D - 1 for nu0 + D + 1, or with tr(Psi0 Sigma) for tr(Psi0 Sigma^-1)
assert abs(lp_inline - lp_scipy) < 1e-12 * abs(lp_scipy)
assert abs(lp_library - lp_scipy) < 1e-12 * abs(lp_scipy)          # the same mistakes in gmmbook/prior.py
variances = np.array([0.01, 0.3, 2.0, 7.5])
# fails if the 1-D inverse-Wishart were not the inverse-gamma (nu0/2, Psi0/2) that SymPy uses below
assert np.allclose(stats.invwishart.logpdf(variances, df=3.5, scale=1.7),
                   stats.invgamma.logpdf(variances, 3.5 / 2, scale=1.7 / 2), rtol=1e-12, atol=0)

# chapter 03's collapse example: 200 points of two_component_1d (seed 4), component 1 on x_1 with sigma_1 -> 0
X_c, _ = gb.sample(gb.datasets.two_component_1d(), 200, np.random.default_rng(4))
x_1, mean_c, var_c = X_c[0, 0], X_c.mean(), X_c.var()
prior_c = gb.Prior(alpha=2.0, nu0=1 + 2.0, psi0=[[var_c / K ** 2]])   # mclust's defaults for D = 1, K = 2
sigmas = np.logspace(-1, -6, 6)
path = [gb.GMM([0.5, 0.5], [[x_1], [mean_c]], [[[s1**2]], [[var_c]]]) for s1 in sigmas]
loglik_path = np.array([gb.log_likelihood(X_c, theta) for theta in path])
objective_path = loglik_path + np.array([log_prior_scipy(theta.weights, theta.covariances[:, 0, 0], np.full(2, 2.0),
                                                         prior_c.nu0, prior_c.psi0[0, 0]) for theta in path])
for s1, ll, obj in zip(sigmas, loglik_path, objective_path):
    print(f"sigma_1 = {s1:.0e}: l = {ll:9.2f}, l + ln p = {obj:14.2f}")
# the claim: fails unless ln p(theta) falls faster than l rises (an IW without tr(Psi0 Sigma^-1) would not)
assert np.all(np.diff(loglik_path[2:]) > 0) and np.all(np.diff(objective_path) < 0)
print("check (log-prior): equation (log-prior) and gb.log_prior equal SciPy's Dirichlet + inverse-Wishart (rel. 1e-12)"
      " at K = 3, D = 3; 1-D inverse-Wishart = inverse-gamma; on chapter 03's collapse path l + ln p falls while l"
      " eventually rises")

# %% [markdown]
# **What we verified:** equation (log-prior) is SciPy's density, and it outweighs the collapse.
#
# ## 3. The MAP M-step
#
# The prior does not involve the labels, so the E-step is unchanged; the M-step maximises $Q(\theta, \theta^{\text{old}}) + \ln p(\theta)$.
#
# **Weights.** By equations (q-weights) and (log-prior) they enter through $\sum_k (N_k + \alpha_k - 1) \ln\pi_k$.
# Add $\lambda(\sum_k \pi_k - 1)$ as in equation (lagrangian); $\partial/\partial\pi_k$ gives $(N_k + \alpha_k - 1)/\pi_k + \lambda = 0$.
# Summing $\pi_k = -(N_k + \alpha_k - 1)/\lambda$ over $k$, with $\sum_k N_k = N$:
#
# $$ \begin{aligned} \lambda &= -\Big(N + \sum_j \alpha_j - K\Big), \\ \pi_k &= \frac{N_k + \alpha_k - 1}{N + \sum_j \alpha_j - K}. \end{aligned} \tag{map-weights} $$
#
# Equation (gibbs), with $N_k + \alpha_k - 1 \ge 0$ in place of $N_k$, makes this the global maximum.
# So $\alpha_k - 1$ counts as extra points for component $k$; $\alpha_k = 1$ gives equation (m-weights) back.
#
# **Means.** The prior is flat in $\boldsymbol\mu_k$: equation (m-means) stands.
#
# **Covariances.** Write $\tilde N_k = N_k + \nu_0 + D + 1$ and $\tilde{\mathbf{S}}_k = \mathbf{S}_k + \boldsymbol\Psi_0$.
# By equations (scatter) and (log-prior) the terms with $\boldsymbol\Sigma_k$ are $-\tfrac12 [\tilde N_k \ln\det\boldsymbol\Sigma_k + \operatorname{tr}(\boldsymbol\Sigma_k^{-1}\tilde{\mathbf{S}}_k)]$: equation (scatter) with $\tilde N_k$, $\tilde{\mathbf{S}}_k$ in place of $N_k$, $\mathbf{S}_k$.
# By equations (matrix-identities) their derivative is $-\tfrac12 [\tilde N_k \boldsymbol\Sigma_k^{-1} - \boldsymbol\Sigma_k^{-1} \tilde{\mathbf{S}}_k \boldsymbol\Sigma_k^{-1}]$, zero at
#
# $$ \boldsymbol\Sigma_k = \frac{\tilde{\mathbf{S}}_k}{\tilde N_k} = \frac{\mathbf{S}_k + \boldsymbol\Psi_0}{N_k + \nu_0 + D + 1}. \tag{map-cov} $$
#
# Equation (q-cov-loss), with the same substitution, makes it the global maximum.
# The prior acts as $\nu_0 + D + 1$ extra points with scatter $\boldsymbol\Psi_0 \succ 0$, so $\boldsymbol\Sigma_k \succ 0$ even when $\mathbf{S}_k = \mathbf{0}$.
#
# **CHECK (map-weights).** *SymPy, from the definitions:* with $K = 3$ symbolic $N_k$, $\alpha_k$ and the Dirichlet density of `sympy.stats.MultivariateBeta`, the stationarity system of $\sum_k N_k \ln\pi_k + \ln\mathrm{Dir}(\boldsymbol\pi \mid \boldsymbol\alpha) + \lambda(\sum_k \pi_k - 1)$ must have the single solution (map-weights).

# %%
Nk_s, alpha_s = sp.symbols("N1:4", positive=True), sp.symbols("alpha1:4", positive=True)
pi_s, lam = sp.symbols("pi1:4", positive=True), sp.Symbol("lambda")
log_dirichlet_s = sp.expand_log(sp.log(density(MultivariateBeta("P", *alpha_s))(*pi_s)), force=True)
lagrangian_s = sum(n * sp.log(p) for n, p in zip(Nk_s, pi_s)) + log_dirichlet_s + lam * (sum(pi_s) - 1)
solutions = sp.solve([sp.diff(lagrangian_s, v) for v in (*pi_s, lam)], [*pi_s, lam], dict=True,
                     simplify=False, check=False)
denominator_s = sum(Nk_s) + sum(alpha_s) - 3
print(f"SymPy: lambda = {sp.sstr(solutions[0][lam])}; pi_1 = {sp.sstr(solutions[0][pi_s[0]])}")
assert len(solutions) == 1                                            # fails if the system were mis-specified
assert sp.simplify(solutions[0][lam] + denominator_s) == 0            # fails unless lambda = -(N + sum alpha - K)
# fails for N_k + alpha_k (without the -1) or a denominator N + sum alpha
assert all(sp.simplify(solutions[0][pi_s[k]] - (Nk_s[k] + alpha_s[k] - 1) / denominator_s) == 0 for k in range(3))
print("check (map-weights): SymPy's only stationary point of the Lagrangian with the Dirichlet log-density is"
      " lambda = -(N + sum alpha - K), pi_k = (N_k + alpha_k - 1) / (N + sum alpha - K)")

# %% [markdown]
# **What we verified:** the multiplier is now $-(N + \sum_j \alpha_j - K)$ instead of $-N$, and the weights follow.
#
# **CHECK (map-cov).** (a) *SymPy, 1-D:* with three symbolic points, `sympy.stats.Normal` and `GammaInverse`$(\nu_0/2, \Psi_0/2)$, the derivative in $\sigma^2$ must have the single root (map-cov).
# (b) *SymPy, 2-D:* for symbolic $\mathbf{S}$ and $\boldsymbol\Psi_0$, equation (scatter) plus the $\boldsymbol\Sigma$ terms of (log-prior) must be stationary at (map-cov).
# (c) *Numerically*, with the responsibilities of chapter 06's poor start: SciPy's BFGS on $Q + \ln p(\theta)$ (SciPy's densities; chapter 06's parameters (param)), from the ML M-step, must land on (map-weights), (m-means), (map-cov), as must `gb.m_step(..., prior=...)`; there the gradient must vanish, and 100 random moves must lower the objective.

# %%
x_s, r_s = sp.symbols("x1:4", real=True), sp.symbols("r1:4", positive=True)
mu_s, var_s, nu_s, psi_s = sp.Symbol("mu", real=True), *sp.symbols("sigma2 nu0 Psi0", positive=True)
Y = Normal("Y", mu_s, sp.sqrt(var_s))
objective_1d = sp.expand_log(sum(r * sp.log(density(Y)(x)) for r, x in zip(r_s, x_s))
                             + sp.log(density(GammaInverse("S", nu_s / 2, psi_s / 2))(var_s)), force=True)
roots = sp.solve(sp.diff(objective_1d, var_s), var_s)
map_cov_1d = (sum(r * (x - mu_s) ** 2 for r, x in zip(r_s, x_s)) + psi_s) / (sum(r_s) + nu_s + 1 + 1)
assert len(roots) == 1 and sp.simplify(roots[0] - map_cov_1d) == 0   # fails for nu0 + D - 1, or without Psi0

s11, s12, s22, p11, p12, p22, c11, c12, c22 = sp.symbols("s11 s12 s22 psi11 psi12 psi22 c11 c12 c22", real=True)
nk_s = sp.Symbol("N_k", positive=True)
S_s, Psi_s = sp.Matrix([[s11, s12], [s12, s22]]), sp.Matrix([[p11, p12], [p12, p22]])
Sigma_s = sp.Matrix([[c11, c12], [c12, c22]])
objective_2d = (-(nk_s * sp.log(Sigma_s.det()) + (Sigma_s.inv() * S_s).trace()) / 2             # (scatter)
                - (nu_s + 2 + 1) / 2 * sp.log(Sigma_s.det()) - (Psi_s * Sigma_s.inv()).trace() / 2)  # (log-prior)
star_s = (S_s + Psi_s) / (nk_s + nu_s + 2 + 1)                                                 # (map-cov)
at_star = {c11: star_s[0, 0], c12: star_s[0, 1], c22: star_s[1, 1]}
assert [sp.cancel(sp.diff(objective_2d, c).subs(at_star)) for c in (c11, c12, c22)] == [0, 0, 0]  # fails for S/N_k

poor = gb.datasets.old_faithful_poor_start()                   # chapter 06's start, in standard units
scale = X_raw.std(axis=0)
theta_old = gb.GMM(poor.weights, (poor.means - X_raw.mean(axis=0)) / scale, poor.covariances / np.outer(scale, scale))
resp_old = gb.responsibilities(X_std, theta_old)
alpha, nu0, psi0 = np.array([2.0, 3.0]), D + 2.0, np.cov(X_std, rowvar=False) / K ** (2 / D)
prior = gb.Prior(alpha, nu0, psi0)

nk = resp_old.sum(axis=0)
weights_map = (nk + alpha - 1) / (N + alpha.sum() - K)                                  # (map-weights)
means_map = resp_old.T @ X_std / nk[:, None]                                             # (m-means)
diff = X_std[None] - means_map[:, None]
scatter = np.einsum("nk,kni,knj->kij", resp_old, diff, diff)                             # S_k, (scatter)
covs_map = (scatter + psi0) / (nk + nu0 + D + 1)[:, None, None]                          # (map-cov)


def unpack(params):
    """Equation (param): logits (w_K = 0), means, Cholesky factors with log-diagonals -> weights, means, covs."""
    weights = special.softmax(np.append(params[:K - 1], 0.0))
    means = params[K - 1:K - 1 + K * D].reshape(K, D)
    L = np.zeros((K, D, D))
    L[:, tril[0], tril[1]] = params[K - 1 + K * D:].reshape(K, -1)
    L[:, np.arange(D), np.arange(D)] = np.exp(L[:, np.arange(D), np.arange(D)])
    return weights, means, L @ L.transpose(0, 2, 1)


def pack(weights, means, covs):
    L = np.linalg.cholesky(covs)
    L[:, np.arange(D), np.arange(D)] = np.log(L[:, np.arange(D), np.arange(D)])
    return np.concatenate([np.log(weights[:-1] / weights[-1]), means.ravel(), L[:, tril[0], tril[1]].ravel()])


def map_objective(weights, means, covs):
    """Q(theta, theta_old) + ln p(theta) from SciPy's densities only."""
    q_value = sum(np.sum(resp_old[:, k] * (np.log(weights[k])
                                          + stats.multivariate_normal(means[k], covs[k]).logpdf(X_std)))
                  for k in range(K))
    return q_value + log_prior_scipy(weights, covs, alpha, nu0, psi0)


step_ml = gb.m_step(X_std, resp_old)
found = optimize.minimize(lambda p: -map_objective(*unpack(p)), pack(step_ml.weights, step_ml.means,
                          step_ml.covariances), method="BFGS", options={"gtol": 1e-8})
weights_opt, means_opt, covs_opt = unpack(found.x)
step_map = gb.m_step(X_std, resp_old, prior=prior)
print("weights: BFGS", weights_opt.round(4), " (map-weights)", weights_map.round(4))
print("Sigma_1: BFGS", covs_opt[0].round(4).tolist(), " (map-cov)", covs_map[0].round(4).tolist())
print(f"largest change from the maximum-likelihood M-step: weights {np.abs(weights_map - step_ml.weights).max():.4f},"
      f" covariances {np.abs(covs_map - step_ml.covariances).max():.4f}")

best = pack(weights_map, means_map, covs_map)


def central_gradient(f, x, h=1e-5):
    """(f(x + h e_i) - f(x - h e_i)) / 2h for every coordinate i."""
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


gradient = central_gradient(lambda p: map_objective(*unpack(p)), best)
gradient_ml = central_gradient(lambda p: map_objective(*unpack(p)),
                               pack(step_ml.weights, step_ml.means, step_ml.covariances))
print(f"largest |gradient| of Q + ln p: below 1e-5 at the closed forms: {np.abs(gradient).max() < 1e-5};"
      f" {np.abs(gradient_ml).max():.1f} at the maximum-likelihood M-step")
rng_m = np.random.default_rng(2)
best_value, moved = map_objective(weights_map, means_map, covs_map), []
for _ in range(100):
    size = 10 ** rng_m.uniform(-3, -0.5)
    A = np.eye(D) + size * rng_m.normal(size=(K, D, D))
    moved.append(map_objective(special.softmax(np.log(weights_map) + size * rng_m.normal(size=K)),
                               means_map + size * rng_m.normal(size=(K, D)), A @ covs_map @ A.transpose(0, 2, 1)))

# fails if the closed forms were not the maximiser: without the -1 or the D + 1, or Psi0 divided by N_k + nu0
assert np.max(np.abs(weights_opt - weights_map)) < 1e-6 and np.max(np.abs(means_opt - means_map)) < 1e-6
assert np.max(np.abs(covs_opt - covs_map)) < 1e-6
# fails for the same mistakes in gmmbook/prior.py
assert np.allclose(step_map.weights, weights_map, rtol=1e-12, atol=0)
assert np.allclose(step_map.means, means_map, rtol=0, atol=1e-13)
assert np.allclose(step_map.covariances, covs_map, rtol=1e-12, atol=0)
assert np.abs(gradient).max() < 1e-5 and np.abs(gradient_ml).max() > 1   # fails if (map-cov) were not stationary
assert max(moved) < best_value                                         # fails if some move raised Q + ln p
print("check (map-cov): SymPy's only root in 1-D and a stationary point in 2-D are (map-cov); BFGS on Q + ln p"
      " (SciPy densities) lands on (map-weights), (m-means), (map-cov) within 1e-6, as does gb.m_step(prior=...);"
      " the gradient vanishes there and 100 random moves lower the objective")

# %% [markdown]
# **What we verified:** SymPy and an optimiser that knows nothing of the formulas find the same maximiser.
#
# ## 4. MAP-EM never decreases $\ell + \ln p(\theta)$
#
# Add $\ln p(\theta)$ to both sides of chapter 05's bound (q-bound) and follow the chain (monotone):
#
# $$ \begin{aligned} & \ell(\theta^{(t+1)}) + \ln p(\theta^{(t+1)}) \\ \ge\ & Q(\theta^{(t+1)}, \theta^{(t)}) + H(q^{(t)}) + \ln p(\theta^{(t+1)}) \\ \ge\ & Q(\theta^{(t)}, \theta^{(t)}) + H(q^{(t)}) + \ln p(\theta^{(t)}) \\ =\ & \ell(\theta^{(t)}) + \ln p(\theta^{(t)}). \end{aligned} \tag{map-monotone} $$
#
# The steps: (q-bound); the M-step maximises $Q + \ln p$; (q-bound) with equality at $\theta^{(t)}$.
# So MAP-EM climbs $\ell + \ln p(\theta)$.
# With a proper prior this is the log-posterior up to the constant $\ln p(\mathbf{X})$ (Dempster, Laird & Rubin 1977).
# With our flat prior on the means it is a penalised log-likelihood, since a flat prior on a component's mean leaves a mixture's posterior improper (Frühwirth-Schnatter 2006); its maximiser is still called the MAP estimate.
# $\ell$ is not the objective and may fall: from $\hat\theta$, a strict local maximum of $\ell$, any small enough move lowers $\ell$, and the MAP-EM step does here.
#
# **CHECK (map-monotone).** A MAP-EM loop from equations (resp), (map-weights), (m-means), (map-cov), its objective from SciPy, runs 100 iterations on Old Faithful from the poor start and on chapter 03's collapse example from $\sigma_1 = 10^{-3}$.
# (a) The objective must never fall by more than rounding, $100\,\epsilon_{\text{mach}}\sum|\text{terms}|$ with $\epsilon_{\text{mach}} = 2^{-53}$ (justified in the code; about $5 \times 10^{-12}$ here).
# `gb.em(..., prior=...)` must give the same values (`log_posteriors`, rel. $10^{-9}$).
# (b) On the collapse example, which collapses without a prior (chapter 03), component 1 holds about one point ($\mathbf{S}_1 \approx 0$), and the first MAP step must give it the variance $\Psi_0/(1 + \nu_0 + D + 1)$ of (map-cov) (within 0.1 %), where ML gives almost 0.
# (c) From $\hat\theta$, one MAP-EM step must lower $\ell$ and raise $\ell + \ln p(\theta)$.

# %%
def map_em_inline(X, theta, alpha, nu0, psi0, n_iter):
    """MAP-EM from theta; returns l, l + ln p and the sum of |terms| at every iterate, and the last weights,
    means and covariances."""
    N, D = X.shape
    K = len(theta.weights)
    weights, means, covs = theta.weights, theta.means, theta.covariances
    logliks, objectives, sizes = [], [], []
    for t in range(n_iter + 1):
        log_joint = np.column_stack([np.log(weights[k]) + stats.multivariate_normal(means[k], covs[k]).logpdf(X)
                                     for k in range(K)]).reshape(N, K)
        log_px = special.logsumexp(log_joint, axis=1)                           # ln p(x_n | theta)
        log_p_theta = log_prior_scipy(weights, covs if D > 1 else covs[:, 0, 0], alpha, nu0,
                                      psi0 if D > 1 else psi0[0, 0])
        logliks.append(log_px.sum())
        objectives.append(log_px.sum() + log_p_theta)
        sizes.append(np.abs(log_px).sum() + abs(log_p_theta))
        if t == n_iter:
            return np.array(logliks), np.array(objectives), np.array(sizes), (weights, means, covs)
        resp = np.exp(log_joint - log_px[:, None])                              # E-step, (resp)
        nk = resp.sum(axis=0)
        weights = (nk + alpha - 1) / (N + alpha.sum() - K)                       # (map-weights)
        means = resp.T @ X / nk[:, None]                                         # (m-means)
        diff = X[None] - means[:, None]
        covs = (np.einsum("nk,kni,knj->kij", resp, diff, diff) + psi0) / (nk + nu0 + D + 1)[:, None, None]  # (map-cov)


collapsing_start = gb.GMM([0.5, 0.5], [[x_1], [mean_c]], [[[1e-6]], [[var_c]]])
runs = {"Old Faithful": (X_std, theta_old, prior), "collapse example": (X_c, collapsing_start, prior_c)}
results = {}
for name, (X_run, start, prior_run) in runs.items():
    alpha_run = np.broadcast_to(prior_run.alpha, (start.K,))
    results[name] = map_em_inline(X_run, start, alpha_run, prior_run.nu0, prior_run.psi0, 100)
    logliks, objectives, sizes, _ = results[name]
    library = gb.em(X_run, start, prior=prior_run, tol=0.0, max_iter=100)
    steps = np.diff(objectives)
    # Rounding: each objective sums about N terms (and ln p), each right to a few eps_mach relative; NumPy's
    # pairwise summation adds at most about 25 eps_mach sum|terms| (Higham 2002, section 4.2). A difference of two
    # values may thus be negative by about 50 eps_mach sum|terms| where the true step is ~0; we allow 100.
    allowed = 100 * eps_mach * np.maximum(sizes[1:], sizes[:-1])
    print(f"{name}: l + ln p from {objectives[0]:.2f} to {objectives[-1]:.4f}, falls beyond rounding:"
          f" {np.sum(steps < -allowed)} (allowed at the end: {allowed[-1]:.1e}); l from {logliks[0]:.2f}"
          f" to {logliks[-1]:.4f}")
    # fails if the loop's covariance update forgot the prior (the ML step lowers l + ln p by 0.016 on Old Faithful),
    # or if the objective left out ln p (l alone falls by 1e-4 on the collapse example)
    assert np.all(steps >= -allowed), name
    # fails if gb.em's MAP-EM differed from the equations, or climbed l instead of l + ln p
    assert np.allclose(library.log_posteriors, objectives, rtol=1e-9, atol=0), name

resp_first = gb.responsibilities(X_c, collapsing_start)[:, 0]          # component 1 holds little more than x_1
mean_first = resp_first @ X_c[:, 0] / resp_first.sum()
var_ml_first = resp_first @ (X_c[:, 0] - mean_first) ** 2 / resp_first.sum()    # the ML step, (m-cov)
var_map_first = map_em_inline(X_c, collapsing_start, np.full(2, 2.0), prior_c.nu0, prior_c.psi0, 1)[3][2][0, 0, 0]
one_point = prior_c.psi0[0, 0] / (1 + prior_c.nu0 + 1 + 1)                     # Psi0 / (1 + nu0 + D + 1)
print(f"collapse example, first step from the collapsing start: N_1 ="
      f" {resp_first.sum():.4f}, ML variance below 1e-30: {var_ml_first < 1e-30}, MAP variance {var_map_first:.4f}"
      f" (Psi0 / (1 + nu0 + D + 1) = {one_point:.4f})")
assert var_ml_first < 1e-30                        # the demonstration: the ML step shrinks the spike to nothing
assert abs(var_map_first / one_point - 1) < 1e-3   # fails if (map-cov) dropped Psi0 or the D + 1

logliks_hat, objectives_hat, _, _ = map_em_inline(X_std, fit_ml.gmm, alpha, nu0, psi0, 1)
print(f"from theta_hat, one MAP-EM step: l {logliks_hat[0]:.4f} -> {logliks_hat[1]:.4f},"
      f" l + ln p {objectives_hat[0]:.4f} -> {objectives_hat[1]:.4f}")
# the claim: fails if l were MAP-EM's objective (it could not fall), or if l + ln p fell
assert logliks_hat[1] < logliks_hat[0] - 0.01 and objectives_hat[1] > objectives_hat[0] + 0.01
print("check (map-monotone): over 100 iterations on Old Faithful and on the collapse example, l + ln p never falls"
      " beyond 100 eps_mach sum|terms| and equals gb.em's log_posteriors (rel. 1e-9); where ML collapses, MAP's first"
      " step gives the spike Psi0 / (1 + nu0 + D + 1); from theta_hat, l falls while l + ln p rises")

# %% [markdown]
# **What we verified:** MAP-EM climbs $\ell + \ln p(\theta)$ where EM collapses, while $\ell$ may fall.
#
# ## 5. `reg_covar` is not MAP-EM either
#
# Is `reg_covar` the MAP step of some prior?
# Equation (map-cov) would have to equal $\mathbf{S}_k/N_k + \epsilon\mathbf{I}$ for every $\mathbf{S}_k$; matching the coefficients of $\mathbf{S}_k$, then the rest,
#
# $$ \begin{aligned} & \frac{\mathbf{S}_k + \boldsymbol\Psi_0}{N_k + \nu_0 + D + 1} = \frac{\mathbf{S}_k}{N_k} + \epsilon\mathbf{I} \ \text{ for all } \mathbf{S}_k \\ \iff\ & \nu_0 = -(D + 1),\ \boldsymbol\Psi_0 = N_k \epsilon\mathbf{I}. \end{aligned} \tag{floor-as-prior} $$
#
# That is no inverse-Wishart ($\nu_0 > D - 1$ fails), and $\boldsymbol\Psi_0$ depends on $N_k$, which differs between components and iterations.
# So no fixed prior makes `reg_covar` a MAP-EM.
# They also differ as data accumulate: for a fixed prior, (map-cov) minus $\mathbf{S}_k/N_k$ is $(\boldsymbol\Psi_0 - (\nu_0 + D + 1)\mathbf{S}_k/N_k)/\tilde N_k$, of order $1/N_k$: MAP and maximum likelihood agree as $N_k$ grows, while the floor's $\epsilon\mathbf{I}$ stays.
#
# **CHECK (floor-as-prior).** (a) SymPy solves the 1-D identity for every scatter (symbolic $D$) for $\nu_0$ and $\Psi_0$, and must find only (floor-as-prior).
# (b) `gb.Prior` must refuse that "prior".
# (c) On $N = 250, \dots, 64\,000$ points drawn from $\hat\theta$, the gap between the MAP and maximum-likelihood covariances must fall like $1/N$: a log-log slope of $-1 \pm 0.1$ over the three largest $N$, where the $1/N^2$ term of $1/\tilde N_k$ is below 0.5 % and the tolerance covers the sampling noise of the fitted $\boldsymbol\Sigma_k$ in the gap's numerator. The floored fit's gap must not fall.

# %%
s_s, n_s, eps_s, D_s = sp.Symbol("s", positive=True), *sp.symbols("N_k epsilon D", positive=True)
nu_free, psi_free = sp.symbols("nu0 Psi0", real=True)
numerator = sp.numer(sp.together((s_s + psi_free) / (n_s + nu_free + D_s + 1) - s_s / n_s - eps_s))
solution = sp.solve(sp.Poly(numerator, s_s).coeffs(), [nu_free, psi_free], dict=True)
print(f"SymPy: nu0 = {solution[0][nu_free]}, Psi0 = {solution[0][psi_free]}")
# fails unless (floor-as-prior) is the only solution (e.g. had the text nu0 = D + 1, or Psi0 = eps I)
assert solution == [{nu_free: -D_s - 1, psi_free: n_s * eps_s}]

nk_old = resp_old.sum(axis=0)
fake_psi = nk_old[:, None, None] * eps * np.eye(D)                     # Psi0 = N_k eps I, one per component
try:
    gb.Prior(alpha=1.0, nu0=-(D + 1), psi0=fake_psi[0])
    refused = False
except ValueError:
    refused = True
assert refused                                   # fails if gmmbook accepted an improper inverse-Wishart

sample_big, _ = gb.sample(fit_ml.gmm, 64_000, np.random.default_rng(3))
sizes_n, gaps_map, gaps_floor = 250 * 4 ** np.arange(5), [], []
for n in sizes_n:
    fits = [gb.em(sample_big[:n], fit_ml.gmm, **options) for options in ({}, {"prior": prior}, {"reg_covar": eps})]
    gaps_map.append(np.abs(fits[1].gmm.covariances - fits[0].gmm.covariances).max())
    gaps_floor.append(np.abs(fits[2].gmm.covariances - fits[0].gmm.covariances).max())
    print(f"N = {n:6d}: max |Sigma_MAP - Sigma_ML| = {gaps_map[-1]:.2e} (times N: {n * gaps_map[-1]:.2f});"
          f" max |Sigma_floor - Sigma_ML| = {gaps_floor[-1]:.4f}")
slope = np.polyfit(np.log(sizes_n[2:]), np.log(gaps_map[2:]), 1)[0]   # the three largest N
assert abs(slope + 1) < 0.1                      # fails if Psi0 grew with N_k, as the floor's "prior" does
assert min(gaps_floor) > eps / 2                 # the contrast: fails if the floor faded like a fixed prior
print(f"check (floor-as-prior): SymPy finds only nu0 = -(D + 1), Psi0 = N_k eps, and gb.Prior refuses that 'prior';"
      f" MAP - ML falls like N^{slope:.2f}, the floor's gap stays above eps/2")

# %% [markdown]
# **What we verified:** the floor is a "prior" only if priors may be improper and change with $N_k$ at every iteration; a fixed prior, even one set once from the data as mclust's, fades like $1/N$, and the floor does not.
#
# ## Summary
#
# - The floor loses $Q$, equation (floor-loss), so $\ell$ can fall; it is not the maximiser over the floored set either.
# - MAP-EM's M-step, equations (map-weights), (m-means), (map-cov), never collapses, and MAP-EM never decreases $\ell + \ln p(\theta)$, equation (map-monotone).
# - The floor is the MAP step only of an improper "prior" that changes with $N_k$, equation (floor-as-prior).
#
# ## References
#
# - Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from incomplete data via the EM algorithm. *Journal of the Royal Statistical Society B* 39(1):1–38.
# - Fraley, C. & Raftery, A. E. (2007). Bayesian regularization for normal mixture estimation and model-based clustering. *Journal of Classification* 24:155–181.
# - Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*. Springer. §2.2.1 (Dirichlet), §2.3.6 (conjugate priors of the Gaussian), §10.2 (a mixture with such priors, treated variationally).
# - Murphy, K. P. (2012). *Machine Learning: A Probabilistic Perspective*. MIT Press. §11.4.2.8 (MAP estimation for Gaussian mixtures).
# - Frühwirth-Schnatter, S. (2006). *Finite Mixture and Markov Switching Models*. Springer (improper priors and mixture posteriors).
# - Higham, N. J. (2002). *Accuracy and Stability of Numerical Algorithms*, 2nd ed. SIAM. §4.2 (summation).
# - Old Faithful: Azzalini, A. & Bowman, A. W. (1990). A look at some data on the Old Faithful geyser. *Applied Statistics* 39(3):357–365.

"""Shared fixtures for the gmmbook tests.

* ``rng``: a fresh, seeded ``numpy.random.Generator`` for each test.
* ``faithful``: the Old Faithful data, shape (272, 2), as a read-only array.
* ``random_gmm``: a factory ``random_gmm(K, D, rng, offset=0.0)`` that returns a random, valid,
  well-conditioned :class:`gmmbook.GMM`.  It is session-scoped (a plain function), so it can be
  used inside Hypothesis tests too.
* ``perturb_gmm``: ``perturb_gmm(gmm, covariance_type, rng, size)``, a random θ′ of the same
  covariance family near ``gmm`` (session-scoped too), for "the M-step maximises Q" tests.
"""

from __future__ import annotations

import numpy as np
import pytest

import gmmbook


def make_random_gmm(K: int, D: int, rng: np.random.Generator, offset: float = 0.0) -> gmmbook.GMM:
    """A random K-component GMM in D dimensions.

    Weights ~ Dirichlet(2, …, 2) (none is tiny), means ~ offset + N(0, 3² I) and covariances
    A Aᵀ / D + ½ I with A standard normal, so every eigenvalue is at least ½ and the condition
    number stays moderate even for D = 50.
    """
    weights = rng.dirichlet(np.full(K, 2.0))
    means = offset + 3.0 * rng.standard_normal((K, D))
    A = rng.standard_normal((K, D, D))
    covariances = A @ A.transpose(0, 2, 1) / D + 0.5 * np.eye(D)
    return gmmbook.GMM(weights, means, covariances)


def perturb(gmm: gmmbook.GMM, covariance_type: str, rng: np.random.Generator, size: float) -> gmmbook.GMM:
    """A random θ′ of the same covariance family near ``gmm``: means moved, weights mixed with a
    random point of the simplex, covariances C Σ Cᵀ (full), scaled per coordinate (diag), per
    component (spherical), or by one shared C (tied); all stay symmetric positive definite."""
    K, D = gmm.K, gmm.D
    scale = np.sqrt(np.diagonal(gmm.covariances, axis1=1, axis2=2))
    means = gmm.means + size * scale * rng.standard_normal((K, D))
    weights = (1 - size) * gmm.weights + size * rng.dirichlet(np.ones(K))
    weights /= weights.sum()
    covs = gmm.covariances
    if covariance_type == "full":
        C = np.eye(D) + size * rng.standard_normal((K, D, D)) / np.sqrt(D)
        covs = C @ covs @ C.transpose(0, 2, 1)
    elif covariance_type == "diag":
        f = np.exp(size * rng.standard_normal((K, D)))
        covs = covs * np.sqrt(f[:, :, None] * f[:, None, :])
    elif covariance_type == "spherical":
        covs = covs * np.exp(size * rng.standard_normal(K))[:, None, None]
    else:
        C = np.eye(D) + size * rng.standard_normal((D, D)) / np.sqrt(D)
        covs = C @ covs @ C.T
    covs = (covs + covs.transpose(0, 2, 1)) / 2
    return gmmbook.GMM(weights, means, covs)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, new for every test (tests do not share random state)."""
    return np.random.default_rng(20240611)


@pytest.fixture(scope="session")
def faithful() -> np.ndarray:
    """Old Faithful, shape (272, 2): eruption duration (min), waiting time (min).  Read-only."""
    X = gmmbook.datasets.old_faithful()
    X.flags.writeable = False
    return X


@pytest.fixture(scope="session")
def random_gmm():
    """Factory: ``random_gmm(K, D, rng, offset=0.0)`` → a random valid :class:`gmmbook.GMM`."""
    return make_random_gmm


@pytest.fixture(scope="session")
def perturb_gmm():
    """Factory: ``perturb_gmm(gmm, covariance_type, rng, size)`` → a random θ′ near ``gmm``."""
    return perturb

"""Shared fixtures for the gmmbook tests.

* ``rng``: a fresh, seeded ``numpy.random.Generator`` for each test.
* ``faithful``: the Old Faithful data, shape (272, 2), as a read-only array.
* ``random_gmm``: a factory ``random_gmm(K, D, rng, offset=0.0)`` that returns a random, valid,
  well-conditioned :class:`gmmbook.GMM`.  It is session-scoped (a plain function), so it can be
  used inside Hypothesis tests too.
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

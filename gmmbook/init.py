"""Starting points for EM (chapter 06, section 4, "Local optima and initialisation").

EM only climbs to the nearest local maximum, so where it starts matters.  The default start
is the one scikit-learn uses: a k-means clustering whose centres are seeded by k-means++,
turned into responsibilities that are 1 for a point's cluster and 0 elsewhere.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.cluster.vq import ClusterError, kmeans2

from . import validation


def kmeans_plusplus_start(X, K: int, rng: np.random.Generator) -> np.ndarray:
    """One-hot responsibilities from k-means with k-means++ seeding (SciPy's ``kmeans2``).

    Parameters
    ----------
    X : array_like, shape (N, D)
    K : int, 1 ≤ K ≤ N
    rng : numpy.random.Generator
        Seeds k-means++.

    Returns
    -------
    resp : ndarray, shape (N, K)
        resp[n, k] = 1 if x_n is in cluster k, else 0.  One M-step turns it into a GMM.

    Raises
    ------
    ValueError
        If a k-means cluster ends up empty (too many components for these data).
    """
    X = validation.check_X(X)
    N = X.shape[0]
    K = validation.check_positive_int(K, "K")
    if K > N:
        raise ValueError(f"K = {K} components but X has only N = {N} points; use K ≤ N.")
    rng = validation.check_rng(rng)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # kmeans2 warns about its own iteration count
            _, labels = kmeans2(X, K, minit="++", missing="raise", rng=rng)
    except ClusterError:
        raise ValueError(
            f"k-means left a cluster empty with K = {K}; the data do not support that many "
            "components. Use fewer components or another rng."
        ) from None
    resp = np.zeros((N, K))
    resp[np.arange(N), labels] = 1.0
    return resp

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
    labels = _kmeans_labels(X, K, rng)
    resp = np.zeros((N, K))
    resp[np.arange(N), labels] = 1.0
    return resp


def _kmeans_labels(X: np.ndarray, K: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster labels from SciPy's ``kmeans2``, shape (N,), or a ValueError saying why there are none.

    k-means only compares distances, so it runs on X times the power of two that brings the data's
    range near 1 (``np.ldexp``): that product is exact, the clusters are the same, and squared distances can
    neither overflow (data near 1e200) nor underflow.  SciPy divides by the sum of squared
    distances when seeding; if all points left are equal to a chosen centre, that sum is 0, and
    instead of its RuntimeWarning (and NaN probabilities) we raise a ValueError.
    """
    half_range = float(np.max(0.5 * np.max(X, axis=0) - 0.5 * np.min(X, axis=0)))   # halves: no overflow
    exponent = int(np.frexp(half_range)[1])                  # half_range = m · 2^exponent, ½ ≤ m < 1
    try:
        with warnings.catch_warnings(), np.errstate(divide="raise", over="raise", invalid="raise"):
            warnings.simplefilter("ignore", UserWarning)  # kmeans2 warns about its own iteration count
            _, labels = kmeans2(np.ldexp(X, -exponent), K, minit="++", missing="raise", rng=rng)
    except FloatingPointError:
        n_distinct = len(np.unique(X, axis=0))
        if n_distinct < K:
            raise ValueError(
                f"X has only {n_distinct} distinct point{'s' if n_distinct > 1 else ''}, too few for K = {K} "
                "components: k-means++ cannot seed them. Use fewer components."
            ) from None
        raise ValueError(
            f"X has {n_distinct} distinct points, but some of them differ by less than float64 can resolve "
            f"against the range of the data, too little to seed K = {K} components by k-means++. "
            "Use fewer components."
        ) from None
    except ClusterError:
        raise ValueError(
            f"k-means left a cluster empty with K = {K}; the data do not support that many "
            "components. Use fewer components or another rng."
        ) from None
    return labels

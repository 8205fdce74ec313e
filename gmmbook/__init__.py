"""gmmbook: Gaussian mixture models and the EM algorithm, as derived in the book's chapters.

Each function names, in its docstring, the chapter and the labelled equation it implements.
"""

from . import datasets, exercises
from .em import EMResult, e_step, em, m_step, q_function
from .gaussian import logsumexp
from .init import kmeans_plusplus_start
from .mixture import GMM, log_joint, log_likelihood, log_marginal, responsibilities, sample
from .prior import Prior, log_prior
from .selection import aic, bic, n_parameters
from .validation import CollapseError

__all__ = [
    "GMM",
    "CollapseError",
    "EMResult",
    "Prior",
    "aic",
    "bic",
    "datasets",
    "e_step",
    "exercises",
    "em",
    "kmeans_plusplus_start",
    "log_joint",
    "log_likelihood",
    "log_marginal",
    "log_prior",
    "logsumexp",
    "m_step",
    "n_parameters",
    "q_function",
    "responsibilities",
    "sample",
]

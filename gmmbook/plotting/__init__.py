"""Plotting for the book: axes-level primitives and the book's figures.

This is the only module of :mod:`gmmbook` that imports matplotlib.  It draws; it does not
compute.  Every number in a figure comes from the public :mod:`gmmbook` API (densities,
responsibilities, EM, sampling), so a picture and a number printed in a chapter agree.

The package is laid out like the book:

* ``primitives.py`` holds the style and the **primitives**, which take an ``ax`` and draw one
  thing: :func:`plot_ellipses`, :func:`plot_density_contours`, :func:`scatter_resp`,
  :func:`scatter_labels`, :func:`plot_density_1d`, :func:`plot_hist_density`, :func:`plot_loglik`.
* ``ch01_mixtures.py`` … ``ch06_em_in_action.py`` hold each chapter's **book figures**
  ``fig_*()``; they take keyword arguments only, whose defaults are the book's setup (data,
  seeds, parameters, all stated in the docstring), and return a :class:`matplotlib.figure.Figure`.  :data:`BOOK_FIGURES` lists them by name;
  ``make figures`` writes each to ``figures/<name>.png`` with :func:`save_figure`.

Style: :func:`book_style` is a context manager (nothing is changed on import); every
``fig_*`` function draws inside it.  Component colours are the Okabe–Ito palette
(:data:`COMPONENT_COLORS`), which stays distinguishable under the common colour-vision
deficiencies.  In a chapter::

    from gmmbook import plotting
    fig = plotting.fig_old_faithful_fits()
    plt.show()

or, to use a primitive in a figure of your own::

    with plotting.book_style():
        fig, ax = plt.subplots()
        plotting.scatter_resp(ax, X, resp)
        plotting.plot_ellipses(ax, gmm)
"""

from __future__ import annotations

from .primitives import (
    COMPONENT_COLORS,
    DATA_COLOR,
    DOUBT_COLOR,
    DPI,
    OLD_FAITHFUL_LABELS,
    TOTAL_COLOR,
    book_style,
    component_colors,
    label_old_faithful,
    plot_density_1d,
    plot_density_contours,
    plot_ellipses,
    plot_hist_density,
    plot_loglik,
    save_figure,
    scatter_labels,
    scatter_resp,
)
from . import (
    ch01_mixtures,
    ch02_latent_variables,
    ch03_marginal_likelihood,
    ch04_posterior,
    ch05_em_derivation,
    ch06_em_in_action,
)
from .ch01_mixtures import fig_old_faithful_fits, fig_mixture_density_1d, fig_kmeans_vs_gmm, fig_covariance_structures
from .ch02_latent_variables import fig_ancestral_sampling
from .ch03_marginal_likelihood import fig_loglik_slice, fig_permutation_symmetry, fig_collapse
from .ch04_posterior import fig_posterior_simulation, fig_soft_vs_hard_old_faithful, fig_responsibility_curves_1d
from .ch05_em_derivation import fig_q_lower_bound, fig_lagrange_simplex
from .ch06_em_in_action import fig_em_snapshots, fig_em_loglik_curve, fig_k3_maxima, fig_bic_aic

_CHAPTERS = (ch01_mixtures, ch02_latent_variables, ch03_marginal_likelihood, ch04_posterior, ch05_em_derivation,
             ch06_em_in_action)

#: Every figure of the book, by name, in the order of the chapters: ``figures/<name>.png`` is
#: ``BOOK_FIGURES[name]()``.  Every function ``fig_<name>`` of a chapter module is a book figure.
BOOK_FIGURES = {
    name[len("fig_"):]: function
    for module in _CHAPTERS
    for name, function in vars(module).items()
    if name.startswith("fig_") and callable(function) and function.__module__ == module.__name__
}

__all__ = [
    "BOOK_FIGURES",
    "COMPONENT_COLORS",
    "DATA_COLOR",
    "DOUBT_COLOR",
    "DPI",
    "OLD_FAITHFUL_LABELS",
    "TOTAL_COLOR",
    "book_style",
    "component_colors",
    "label_old_faithful",
    "plot_density_1d",
    "plot_density_contours",
    "plot_ellipses",
    "plot_hist_density",
    "plot_loglik",
    "save_figure",
    "scatter_labels",
    "scatter_resp",
] + [f"fig_{name}" for name in BOOK_FIGURES]

"""Figure regression tests: every book figure, regenerated, must match its committed PNG.

nbval does not compare images (see NOTEBOOK-TOOLING.md), so this file is the only check that
the pictures of the book still show what the text says.  After an intended change to a
figure, run ``make figures`` and commit the new PNGs.

The tolerance was chosen by experiment (matplotlib.testing.compare RMS, 0–255 scale):
regenerating a figure gives a byte-identical file (RMS 0), and so does data perturbed at the
level of floating-point rounding (relative 1e-13); one changed digit in an annotation gives
RMS ≈ 1.3, a marker moved by 0.1 ≈ 8.5, a changed colour ≈ 3.3, a thicker line ≈ 5.4,
another seed or sample size ≥ 20.  A sub-pixel re-sampling of a curve gives ≈ 0.36.
"""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402
from PIL import Image  # noqa: E402
from scipy.stats import multivariate_normal, norm  # noqa: E402

from gmmbook import datasets, plotting  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
#: Largest RMS difference (0–255 grey levels) that still counts as "the same figure".
TOLERANCE = 0.5
NAMES = sorted(plotting.BOOK_FIGURES)


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """render(name) -> (png path, label report): each figure is drawn once per test run."""
    outdir = tmp_path_factory.mktemp("figures")
    cache = {}

    def _render(name):
        if name not in cache:
            fig = plotting.BOOK_FIGURES[name]()
            assert isinstance(fig, Figure), f"fig for {name!r} returned {type(fig).__name__}, not a Figure"
            try:
                path = plotting.save_figure(fig, outdir / f"{name}.png")
                cache[name] = (path, _unlabelled_axes(fig), [ax.get_title() for ax in fig.axes])
            finally:
                plt.close(fig)
        return cache[name]

    return _render


def _unlabelled_axes(fig) -> list[str]:
    """Describe every visible axes that lacks an axis label (a colour bar needs its one label;
    an x axis shared with a labelled one, e.g. stacked panels, may leave its own blank)."""
    problems = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        if getattr(ax, "_colorbar", None) is not None:
            if not (ax.get_ylabel() or ax.get_xlabel()):
                problems.append(f"axes {i} (colour bar) has no label")
            continue
        if not ax.get_ylabel():
            problems.append(f"axes {i} has no y label")
        siblings = ax.get_shared_x_axes().get_siblings(ax)
        if not any(other.get_xlabel() for other in siblings):
            problems.append(f"axes {i} has no x label")
    return problems


def _rms(expected: Path, actual: Path) -> float:
    result = compare_images(str(expected), str(actual), tol=0, in_decorator=True)
    return 0.0 if result is None else float(result["rms"])


# ------------------------------------------------------------------ registry and files


def test_every_registered_figure_has_a_committed_png_and_vice_versa():
    committed = {p.stem for p in FIGURES.glob("*.png") if not p.stem.endswith("-failed-diff")}
    assert set(plotting.BOOK_FIGURES) - committed == set(), "run `make figures` and commit the new PNGs"
    assert committed - set(plotting.BOOK_FIGURES) == set(), "a PNG in figures/ is not in BOOK_FIGURES"


@pytest.mark.parametrize("name", NAMES)
def test_registry_entry_is_a_keyword_only_figure_function(name):
    func = plotting.BOOK_FIGURES[name]
    assert func.__name__ == f"fig_{name}"
    assert func is getattr(plotting, func.__name__)
    for param in inspect.signature(func).parameters.values():
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{func.__name__}: {param.name} is not keyword-only"
        assert param.default is not inspect.Parameter.empty, f"{func.__name__}: {param.name} has no default"
    assert "Setup" in (func.__doc__ or ""), f"{func.__name__}'s docstring does not state its setup"


def test_every_figure_is_listed_in_the_readme():
    readme = (FIGURES / "README.md").read_text(encoding="utf-8")
    for name in plotting.BOOK_FIGURES:
        assert f"`{name}.png`" in readme, f"figures/README.md does not describe {name}.png"


# ------------------------------------------------------------------ regression


@pytest.mark.parametrize("name", NAMES)
def test_figure_matches_committed_png(name, render):
    actual, _, _ = render(name)
    expected = FIGURES / f"{name}.png"
    rms = _rms(expected, actual)
    assert rms <= TOLERANCE, (
        f"{name}: RMS {rms:.3f} > {TOLERANCE} against figures/{name}.png. If the change is intended, "
        f"run `make figures` and commit; the difference image is next to {actual}."
    )


@pytest.mark.parametrize("name", NAMES)
def test_figure_axes_are_labelled(name, render):
    _, problems, titles = render(name)
    assert problems == []
    assert any(titles), f"{name} has no title on any panel"


@pytest.mark.parametrize(
    ("name", "make"),
    [
        pytest.param("responsibility_curves_1d",
                     lambda: plotting.fig_responsibility_curves_1d(x_star=-20.47 + 0.1),  # r_1 = r_3 at -20.47
                     id="marked point moved by 0.1"),
        pytest.param("mixture_density_1d", lambda: plotting.fig_mixture_density_1d(x_max=6.4),
                     id="x range shortened by 0.1"),
        pytest.param("old_faithful_fits",
                     lambda: _retitled(plotting.fig_old_faithful_fits(), "Gaussian", "Gaussiam"),
                     id="one letter of the title"),
    ],
)
def test_a_visibly_changed_figure_fails_the_comparison(name, make, tmp_path):
    fig = make()
    try:
        actual = plotting.save_figure(fig, tmp_path / f"{name}.png")
    finally:
        plt.close(fig)
    rms = _rms(FIGURES / f"{name}.png", actual)
    assert rms > TOLERANCE
    assert compare_images(str(FIGURES / f"{name}.png"), str(actual), tol=TOLERANCE) is not None


def _retitled(fig, old, new):
    ax = fig.axes[0]
    assert old in ax.get_title()
    ax.set_title(ax.get_title().replace(old, new))
    return fig


# ------------------------------------------------------------------ reproducibility and style


def test_two_renders_are_byte_identical_and_carry_no_version_or_date(tmp_path):
    paths = []
    for i in range(2):
        fig = plotting.fig_ancestral_sampling()
        try:
            paths.append(plotting.save_figure(fig, tmp_path / f"{i}.png"))
        finally:
            plt.close(fig)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with Image.open(paths[0]) as image:
        assert image.size == (1050, 440)  # figsize 10.5 × 4.4 in at 100 dpi
        text = getattr(image, "text", {})
    assert "Software" not in text and "Creation Time" not in text, text


@pytest.mark.parametrize("name", ["old_faithful_fits", "loglik_slice"])
def test_a_figure_drawn_outside_book_style_looks_like_the_committed_one(name, tmp_path):
    """A notebook's inline backend draws the figure after the fig_* function has returned,
    outside book_style(): whatever matplotlib reads at draw time must not change the picture."""
    fig = plotting.BOOK_FIGURES[name]()
    try:
        fig.savefig(tmp_path / f"{name}.png", dpi=plotting.DPI, metadata={"Software": None})
    finally:
        plt.close(fig)
    assert _rms(FIGURES / f"{name}.png", tmp_path / f"{name}.png") <= TOLERANCE


def test_figure_functions_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    fig = plotting.fig_mixture_density_1d()
    plt.close(fig)
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_tools_figures_writes_the_named_figure_identically(tmp_path):
    spec = importlib.util.spec_from_file_location("figures_tool", ROOT / "tools" / "figures.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(["mixture_density_1d", "--outdir", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["mixture_density_1d.png"]
    assert _rms(FIGURES / "mixture_density_1d.png", tmp_path / "mixture_density_1d.png") <= TOLERANCE
    with pytest.raises(SystemExit):
        tool.main(["no_such_figure", "--outdir", str(tmp_path)])


# ------------------------------------------------------------------ the numbers the figures print


def test_old_faithful_titles_agree_with_scipy_and_the_published_fit(render):
    _, _, titles = render("old_faithful_fits")
    X = datasets.old_faithful()
    one_gaussian = multivariate_normal(X.mean(axis=0), np.cov(X, rowvar=False, bias=True)).logpdf(X).sum()
    assert f"{one_gaussian:.2f}".replace("-", "\u2212") in titles[0]
    assert "\u22121130.26" in titles[1]  # the best K = 2 full fit (SYLLABUS, chapter 06)


def test_scatter_resp_colours_are_exact_for_certain_points_and_grey_for_even_doubt():
    with plotting.book_style():
        fig, ax = plt.subplots()
    resp = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
    points = plotting.scatter_resp(ax, np.zeros((4, 2)), resp)
    colours = points.get_facecolors()[:, :3]
    plt.close(fig)
    rgb = [matplotlib.colors.to_rgb(c) for c in (plotting.COMPONENT_COLORS[0], plotting.COMPONENT_COLORS[2],
                                                 plotting.DOUBT_COLOR)]
    np.testing.assert_allclose(colours[:3], rgb, atol=1e-12)
    assert not np.allclose(colours[3], matplotlib.colors.to_rgb(plotting.COMPONENT_COLORS[2]), atol=0.1)


# ------------------------------------------------------------------ primitives draw the right thing


def test_plot_ellipses_draws_the_mahalanobis_contours_at_1_and_2_sd():
    gmm = datasets.three_component_2d()
    with plotting.book_style():
        fig, ax = plt.subplots()
    patches = plotting.plot_ellipses(ax, gmm)
    plt.close(fig)
    assert len(patches) == gmm.K * 2
    for patch, (k, n) in zip(patches, [(k, n) for k in range(gmm.K) for n in (1, 2)]):
        t = np.linspace(0, 2 * np.pi, 13)
        a = np.radians(patch.angle)
        rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        local = np.column_stack([patch.width / 2 * np.cos(t), patch.height / 2 * np.sin(t)])
        diff = local @ rotation.T + np.asarray(patch.center) - gmm.means[k]
        mahalanobis2 = np.einsum("nd,de,ne->n", diff, np.linalg.inv(gmm.covariances[k]), diff)
        np.testing.assert_allclose(mahalanobis2, n**2, rtol=1e-9)


def test_plot_density_1d_draws_weighted_components_that_sum_to_the_mixture():
    gmm = datasets.three_component_1d()
    with plotting.book_style():
        fig, ax = plt.subplots()
    x, joint, density = plotting.plot_density_1d(ax, gmm)
    plt.close(fig)
    sd = np.sqrt(gmm.covariances[:, 0, 0])
    reference = gmm.weights * norm.pdf(x[:, None], gmm.means[:, 0], sd)
    np.testing.assert_allclose(joint, reference, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(density, reference.sum(axis=1), rtol=1e-10)

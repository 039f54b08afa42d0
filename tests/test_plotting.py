"""superposition_lib.plotting: a light import, stable colours, labelled axes."""

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from superposition_lib.plotting import (
    feature_colors,
    plot_feature_directions,
    plot_feature_norms,
    plot_matrix,
)

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("IPython", "ipywidgets")
PROBE = (
    "import superposition_lib, sys; "
    f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
    "or m == 'matplotlib.pyplot'))"
)


def test_importing_the_library_loads_no_pyplot_ipython_or_widgets():
    """`import superposition_lib` needs only numpy, scipy and matplotlib's core.

    pyplot picks a GUI backend and costs about half a second; IPython and ipywidgets
    belong to the notebook edges (progress display, explorer) and are imported there.
    """
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", (
        f"import superposition_lib imported {result.stdout.strip()}: import them "
        "inside the functions that need them"
    )


def test_plotting_module_has_no_top_level_pyplot_import():
    """The plotting module draws on Axes it is given: pyplot is not needed at import."""
    tree = ast.parse((ROOT / "superposition_lib" / "plotting.py").read_text("utf-8"))
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
            imported.add(node.module)
    assert not {name for name in imported if name.startswith("matplotlib.pyplot")}


def test_feature_colours_are_stable_and_distinct():
    from superposition_lib.plotting import FEATURE_PALETTE, feature_colors

    assert feature_colors(3) == FEATURE_PALETTE[:3]
    assert feature_colors(1)[0] == "#0072B2", "feature 0 is the book's blue"
    many = feature_colors(25)
    assert len(many) == 25 and len({tuple(c) for c in many}) == 25


@pytest.mark.parametrize("n_features", [5, 12])
def test_helpers_draw_and_label(n_features):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from superposition_lib.plotting import (
        plot_feature_directions,
        plot_feature_norms,
        plot_matrix,
    )

    W = np.random.default_rng(0).normal(size=(2, n_features))
    fig, axes = plt.subplots(1, 3)
    try:
        plot_feature_directions(axes[0], W, title="directions")
        plot_matrix(axes[1], W.T @ W, title="W^T W")
        plot_feature_norms(
            axes[2], np.linalg.norm(W, axis=0), np.zeros(n_features), title="norms"
        )
        for ax in axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert len(axes[2].patches) == n_features, "one bar per feature"
    finally:
        plt.close(fig)


def _axes():
    from matplotlib.figure import Figure

    return Figure().add_subplot()


@pytest.mark.parametrize(
    "draw, error, name",
    [
        (lambda ax: plot_matrix("ax", np.eye(2), title="t"), TypeError, "ax"),
        (lambda ax: plot_matrix(ax, np.zeros((0, 3)), title="t"), ValueError, "matrix"),
        (lambda ax: plot_matrix(ax, np.eye(2) > 0, title="t"), TypeError, "matrix"),
        (
            lambda ax: plot_feature_directions(ax, np.zeros((2, 0)), title="t"),
            ValueError,
            "W",
        ),
        (
            lambda ax: plot_feature_directions(ax, np.eye(2), title="t", labels=1),
            TypeError,
            "labels",
        ),
        (lambda ax: plot_feature_norms(ax, [], [], title="t"), ValueError, "norms"),
        (
            lambda ax: plot_feature_norms(ax, [1.0, 2.0], [0.5], title="t"),
            ValueError,
            "superposition",
        ),
        (lambda ax: feature_colors(0), ValueError, "n_features"),
        (lambda ax: feature_colors(2.0), TypeError, "n_features"),
    ],
)
def test_bad_arguments_are_refused_by_name(draw, error, name):
    with pytest.raises(error, match=name):
        draw(_axes())


@pytest.mark.parametrize("scale", [1e300, 1e-200, 1e-300])
def test_extreme_weights_are_drawn_to_scale(scale):
    """The axes reach past the longest arrow at any scale: the norm is taken after
    dividing by the largest entry, so 1e300 does not overflow nor 1e-300 vanish.

    (Below about 1e-287 matplotlib itself widens a view, and a colour scale, to a
    tenth or so: kept, no model has such weights, and the data drawn stay right.)"""
    W = scale * np.array([[3.0, 0.0], [4.0, 1.0]])
    ax = plot_feature_directions(_axes(), W, title="t")
    if scale > 1e-287:
        assert ax.get_xlim()[1] == pytest.approx(1.25 * 5 * scale, rel=1e-12)
    assert [a.xy for a in ax.texts if hasattr(a, "xy")] == [tuple(c) for c in W.T]
    ax = plot_matrix(_axes(), W, title="t")
    if scale > 1e-287:
        assert ax.images[0].norm.vmax == 4 * scale, "the colour scale is the data's"

"""Fuzz specs: the figures (`superposition_lib.plotting`, chapter 0).

Each plotting function draws on an Axes of a `matplotlib.figure.Figure` made without
pyplot (no backend, no window), and the spec returns what was drawn (images, bars,
arrows, labels, limits) rather than the Axes, so that two calls can be compared and a
re-spelt array shown to draw the same picture.
"""

import matplotlib
import numpy as np
from matplotlib.figure import Figure

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import Array, Flag, Instance, Int

TEXT = "a label: any text matplotlib accepts (it draws what it is given)"
CMAP = "a colormap name: matplotlib checks it, and its error names cmap"


def _axes():
    return Figure().add_subplot()


def drawn(ax):
    """What an Axes shows, as plain numbers and strings (comparable between calls)."""
    return {
        "images": [np.asarray(im.get_array(), dtype=float) for im in ax.images],
        "norms": [(im.norm.vmin, im.norm.vmax) for im in ax.images],
        "bars": [(p.get_width(), p.get_height(), p.get_y()) for p in ax.patches],
        "arrows": [tuple(map(float, a.xy)) for a in ax.texts if hasattr(a, "xy")],
        "texts": [(t.get_text(), *map(float, t.get_position())) for t in ax.texts],
        "labels": (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()),
        "limits": (tuple(ax.get_xlim()), tuple(ax.get_ylim())),
    }


def _draw(function):
    """Call `function` (which must return the Axes it was given); what it drew."""

    def call(ax, **kwargs):
        returned = function(ax, **kwargs)
        assert returned is ax, f"{function.__name__} must return the Axes it drew on"
        return drawn(ax)

    call.__name__ = function.__name__
    return call


def _check_palette(palette):
    assert palette[0] == "#0072B2", "feature 0 is the book's blue"
    assert len(palette) == len(set(palette)) == 10
    assert all(matplotlib.colors.is_color_like(c) for c in palette)


def _style():
    """The style's settings, applied inside a context so that the test leaks none."""
    with matplotlib.rc_context():
        lib.use_book_style()
        return {k: matplotlib.rcParams[k] for k in ("font.size", "axes.grid")}


def _check_colors(result, kwargs):
    n = kwargs["n_features"]
    assert len(result) == n and len({str(c) for c in result}) == n, "distinct"
    if n <= len(lib.FEATURE_PALETTE):
        assert result == lib.FEATURE_PALETTE[:n], "the book's palette first"
    assert all(matplotlib.colors.is_color_like(c) for c in result)


def _check_matrix(result, kwargs):
    (image,), ((low, high),) = result["images"], result["norms"]
    assert np.array_equal(image, kwargs["matrix"]), "the heatmap shows the matrix"
    largest = np.max(np.abs(kwargs["matrix"]))
    assert low == -high and high >= largest, "a scale centred on 0 that covers it"


def _check_directions(result, kwargs):
    W = kwargs["W"]
    assert np.allclose(result["arrows"], W.T), "one arrow per column W_i"
    reach = result["limits"][0][1]
    assert reach >= np.max(np.linalg.norm(W, axis=0)), "every arrow inside the axes"


def _check_norms(result, kwargs):
    widths = [bar[0] for bar in result["bars"]]
    assert np.array_equal(widths, kwargs["norms"]), "one bar per feature, ‖W_i‖ long"


def _matrix(rng):
    return rng.normal(size=tuple(int(s) for s in rng.integers(1, 6, size=2)))


def _norms(rng):
    n = int(rng.integers(1, 8))
    return {
        "ax": _axes(),
        "norms": rng.uniform(0.1, 2.0, size=n),
        "superposition": rng.uniform(0.0, 1.5, size=n),  # above 1: clipped colour
        "title": "norms",
    }


SPECS = {
    "FEATURE_PALETTE": Constant(check=_check_palette),
    "use_book_style": Spec(build=lambda rng: {}, call=_style),
    "feature_colors": Spec(
        build=lambda rng: {"n_features": int(rng.integers(1, 15))},
        args={"n_features": Int(low=1)},
        check=_check_colors,
    ),
    "plot_matrix": Spec(
        build=lambda rng: {"ax": _axes(), "matrix": _matrix(rng), "title": "M"},
        call=_draw(lib.plot_matrix),
        args={"ax": Instance("Axes"), "matrix": Array()},  # no picture of nothing
        skip={"title": TEXT, "xlabel": TEXT, "ylabel": TEXT, "cmap": CMAP},
        check=_check_matrix,
    ),
    "plot_feature_directions": Spec(
        build=lambda rng: {
            "ax": _axes(),
            "W": rng.normal(size=(2, int(rng.integers(1, 7)))),
            "title": "W",
            "labels": bool(rng.integers(2)),
        },
        call=_draw(lib.plot_feature_directions),
        args={"ax": Instance("Axes"), "W": Array(), "labels": Flag()},
        skip={"title": TEXT},
        check=_check_directions,
    ),
    "plot_feature_norms": Spec(
        build=_norms,
        call=_draw(lib.plot_feature_norms),
        args={"ax": Instance("Axes"), "norms": Array(), "superposition": Array()},
        skip={"title": TEXT},
        check=_check_norms,
    ),
}

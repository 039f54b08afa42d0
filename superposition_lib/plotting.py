# GENERATED from book/00_plotting.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Drawing the pictures.

The figures in this book come from a handful of functions collected here, so that a
feature keeps **one colour in every chapter** (feature 0, the most important, is
always the same blue), axes are always labelled, and the chapters can spend their
lines on the ideas. These functions take plain arrays and draw on a matplotlib
`Axes` that the caller made, which they return. No computation in the library
imports this module, and the module itself never imports `matplotlib.pyplot` (the
part of matplotlib that picks a backend and opens windows), so `import
superposition_lib` stays light and works headless.
"""

import matplotlib
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from superposition_lib.conventions import check_array, check_flag, check_positive_int

__all__ = [
    "FEATURE_PALETTE",
    "use_book_style",
    "feature_colors",
    "plot_matrix",
    "plot_feature_directions",
    "plot_feature_norms",
]


# ---- book/00_plotting.ipynb, cell 92b5f110 ----
#: One colour per feature index, the same in every chapter.
#: Okabe-Ito's colour-blind-safe palette comes first.
FEATURE_PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
    "#882255",
]


def use_book_style():
    """Readable fonts and light grids for every figure in the book."""
    matplotlib.rcParams.update(
        {
            "figure.dpi": 100,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.constrained_layout.use": True,
        }
    )


def feature_colors(n_features):
    """Colours of features 0..n-1: the book's palette, a smooth colormap past ten."""
    n_features = check_positive_int(n_features, "n_features")
    if n_features <= len(FEATURE_PALETTE):
        return list(FEATURE_PALETTE[:n_features])
    return [matplotlib.colormaps["viridis"](t) for t in np.linspace(0, 1, n_features)]


def _check_axes(ax):
    """The Axes to draw on (matplotlib is loaded: the caller made a figure)."""
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(
            f"ax must be a matplotlib Axes (plt.subplots makes them), "
            f"got {type(ax).__name__}"
        )
    return ax


def _check_drawable(values, name, **kwargs):
    """A finite, non-empty array: an empty one would draw an empty picture."""
    values = check_array(values, name, **kwargs)
    if values.size == 0:
        raise ValueError(f"{name} has nothing to draw: shape {values.shape}")
    return values


def _largest_column_norm(W):
    """max_i ||W_i||, scaled first so that neither 1e300 nor 1e-300 loses it."""
    largest = float(np.max(np.abs(W)))
    if largest == 0.0:
        return 0.0
    with np.errstate(under="ignore"):  # entries far below the largest count as 0
        return largest * float(np.max(np.linalg.norm(W / largest, axis=0)))


def plot_matrix(
    ax, matrix, *, title, xlabel="feature j", ylabel="feature i", cmap="RdBu_r"
):
    """Heatmap with a colour scale centred on zero (blue negative, red positive)."""
    ax = _check_axes(ax)
    matrix = _check_drawable(matrix, "matrix", ndim=2)
    limit = float(np.max(np.abs(matrix))) or 1.0  # all zeros: any scale, say +-1
    image = ax.imshow(matrix, cmap=cmap, norm=TwoSlopeNorm(0.0, -limit, limit))
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(False)
    return ax


def plot_feature_directions(ax, W, *, title, labels=True):
    """Draw each column W_i of a (2, n) weight matrix as an arrow from the origin."""
    ax = _check_axes(ax)
    W = _check_drawable(W, "W", ndim=2, shape=(2, None))
    labels = check_flag(labels, "labels")
    colors = feature_colors(W.shape[1])
    reach = 1.25 * (_largest_column_norm(W) or 1e-3)  # all zeros: a small window
    for i, (x, y) in enumerate(W.T):
        ax.annotate(
            "",
            xy=(x, y),
            xytext=(0, 0),
            arrowprops=dict(arrowstyle="-|>", color=colors[i], lw=2),
        )
        if labels:
            ax.text(
                x * 1.12, y * 1.12, str(i), color=colors[i], ha="center", va="center"
            )
    ax.set(
        xlim=(-reach, reach),
        ylim=(-reach, reach),
        aspect="equal",
        title=title,
        xlabel="hidden dimension 1",
        ylabel="hidden dimension 2",
    )
    return ax


def plot_feature_norms(ax, norms, superposition, *, title):
    """The paper's bar chart: ‖W_i‖ per feature, coloured by superposition.

    Dark (plasma's black end) is a feature alone in its direction; yellow is shared
    (the paper's measure can exceed 1: it is drawn as 1).
    """
    ax = _check_axes(ax)
    norms = _check_drawable(norms, "norms", ndim=1)
    superposition = check_array(superposition, "superposition", ndim=1)
    if superposition.shape != norms.shape:
        raise ValueError(
            f"superposition must have one entry per feature, the shape of norms "
            f"{norms.shape}, got {superposition.shape}"
        )
    shade = matplotlib.colormaps["plasma"](np.clip(superposition, 0, 1))
    ax.barh(np.arange(norms.size), norms, color=shade)
    ax.invert_yaxis()
    ax.set(title=title, xlabel="‖W_i‖", ylabel="feature i (most important at top)")
    return ax

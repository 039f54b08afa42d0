# GENERATED from book/10_geometry.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Feature geometry.

In two dimensions we could *look* at superposition: antipodal pairs, a pentagon.
With more dimensions we need a number that says how much of the hidden space each
feature gets. [elhage2022superposition] define one, the feature dimensionality, and
find something unexpected: across sparsities it does not vary smoothly but
**sticks** at a few fractions, $1, \tfrac34, \tfrac23, \tfrac12, \tfrac25,
\tfrac38$, each the signature of a regular shape (a dedicated dimension, a
tetrahedron, a triangle, an antipodal pair, a pentagon, a square antiprism). This
chapter defines the measure, checks it on those shapes, and looks for the sticky
fractions in trained models where every feature is equally important.
"""

import numpy as np

from superposition_lib.analysis import feature_directions
from superposition_lib.conventions import check_matrix_stack, transpose_last

__all__ = [
    "STICKY_FRACTIONS",
    "feature_dimensionality",
    "dimensions_per_feature",
]


# ---- book/10_geometry.ipynb, cell b19cb84d ----
#: The fractions at which the paper finds D_i sticking, and the shape giving each.
STICKY_FRACTIONS = {
    1.0: "dedicated dimension",
    3 / 4: "tetrahedron",
    2 / 3: "triangle",
    1 / 2: "antipodal pair",
    2 / 5: "pentagon",
    3 / 8: "square antiprism",
}


def feature_dimensionality(W):
    """Feature dimensionality D_i = ‖W_i‖² / Σ_j (Ŵ_i · W_j)², shape (n,) or (I, n).

    The sum includes j = i. A feature with W_i = 0 has D_i = 0.
    """
    W = check_matrix_stack(W, "W")
    overlaps = transpose_last(feature_directions(W)) @ W  # Ŵ_i · W_j
    shared = np.sum(overlaps**2, axis=-1)
    squared_norms = np.sum(W**2, axis=-2)
    return np.divide(squared_norms, shared, out=np.zeros_like(shared), where=shared > 0)


def dimensions_per_feature(W):
    """k / ‖W‖_F²: hidden dimensions per represented feature, a float or (I,)."""
    W = check_matrix_stack(W, "W")
    frobenius = np.sum(W**2, axis=(-2, -1))
    if np.any(frobenius == 0):
        raise ValueError(
            "W is all zeros: it represents no feature, so dimensions per feature is "
            "undefined"
        )
    return W.shape[-2] / frobenius

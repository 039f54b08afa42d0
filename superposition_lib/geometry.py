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
fractions in trained models where every feature is equally important: small ones
trained here, and the paper's own size, trained by `make reproduce` and loaded at
the end.
"""

import numpy as np

from superposition_lib.analysis import feature_directions
from superposition_lib.conventions import (
    check_matrix_stack,
    power_of_two_exponent,
    transpose_last,
)

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


def _scaled_by_a_power_of_two(W):
    """(W / 2^e, e) per model, 2^e the power of two just above max |W|.

    Exact (only the exponents change), so a scale-free ratio of W's entries comes out
    bit for bit the same, and no square overflows (|W| near 1e300) or underflows to a
    wrong 0 (|W| near 1e-300).
    """
    exponent = power_of_two_exponent(W, axis=(-2, -1))
    with np.errstate(under="ignore"):  # entries negligible beside the largest
        return np.ldexp(W, -exponent), exponent


def feature_dimensionality(W):
    """Feature dimensionality D_i = ‖W_i‖² / Σ_j (Ŵ_i · W_j)², shape (n,) or (I, n).

    The sum includes j = i. A feature with W_i = 0 has D_i = 0. D does not change when
    W is scaled, so it is computed from W scaled to a largest entry near 1.
    """
    W, _ = _scaled_by_a_power_of_two(check_matrix_stack(W, "W"))
    with np.errstate(under="ignore"):  # a tiny overlap's square: rounding
        overlaps = transpose_last(feature_directions(W)) @ W  # Ŵ_i · W_j
        shared = np.sum(overlaps**2, axis=-1)
        squared_norms = np.sum(W**2, axis=-2)
    return np.divide(squared_norms, shared, out=np.zeros_like(shared), where=shared > 0)


def dimensions_per_feature(W):
    """k / ‖W‖_F²: hidden dimensions per represented feature, a float or (I,)."""
    W = check_matrix_stack(W, "W")
    scaled, exponent = _scaled_by_a_power_of_two(W)
    frobenius = np.sum(scaled**2, axis=(-2, -1))  # ‖W‖_F² / 4^e, in [1/4, k n)
    if np.any(frobenius == 0):
        raise ValueError(
            "W is all zeros: it represents no feature, so dimensions per feature is "
            "undefined"
        )
    with np.errstate(over="ignore", under="ignore"):
        per_feature = np.ldexp(W.shape[-2] / frobenius, -2 * exponent[..., 0, 0])
    if not np.all(np.isfinite(per_feature)):
        raise ValueError(
            f"W is too small: k / ‖W‖_F² overflows {W.dtype} "
            f"(largest |W| is {np.max(np.abs(W)):.3g})"
        )
    return per_feature

"""Checks for the exercises of "Measuring superposition" (chapter 8)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.analysis import interference, original_weight_norms

# What a valid input is, for the message when the learner's function fails on one.
_ACCEPTS = "(any k × n matrix, including one with a zero column)"


def _per_feature(fn, W, what):
    return np.asarray(learner_call(fn, W, on=f"{what} {_ACCEPTS}"), dtype=float)


def check_superposition_from_matrix_exercise(superposition_from_matrix):
    """`superposition_from_matrix(W)`: Σ_{j≠i} (Ŵ_i · W_j)² computed from M = WᵀW."""
    W = np.random.default_rng(5).normal(size=(3, 6))
    got = _per_feature(superposition_from_matrix, W, "a random 3 × 6 matrix")
    assert got.shape == (6,), f"one number per feature (6), got shape {got.shape}"
    M = W.T @ W
    off = M - np.diag(np.diag(M))
    assert not np.allclose(got, np.sum(M**2, axis=1) / np.diag(M)), (
        "you included j = i: the sum runs over the other features only"
    )
    assert not np.allclose(got, np.sum(off**2, axis=1)), (
        "divide by ‖W_i‖² = M_ii: the overlap uses the unit direction of feature i"
    )
    assert np.allclose(got, interference(W)), "does not match interference(W)"
    W[:, 2] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = _per_feature(
            superposition_from_matrix, W, "a matrix with a zero column"
        )
    assert np.isfinite(dropped).all() and dropped[2] == 0, (
        "a dropped feature (M_ii = 0) must give 0, not NaN: guard the division"
    )
    assert np.allclose(dropped, interference(W)), (
        "with feature 2 dropped the other features' values are wrong: a zero column "
        "contributes nothing to the others' sums"
    )
    print("superposition from WᵀW: all checks passed")


def _number(value, name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AssertionError(
            f"{name} must be a number (your prediction), got {value!r}"
        ) from None


def check_triangle_prediction_exercise(
    superposition, document_norm, superposition_growth, document_norm_growth
):
    """Predictions for a triangle of unit features, and after scaling it by 2."""
    superposition = _number(superposition, "triangle_superposition")
    document_norm = _number(document_norm, "triangle_document_norm")
    superposition_growth = _number(superposition_growth, "superposition_growth")
    document_norm_growth = _number(document_norm_growth, "document_norm_growth")
    angles = 2 * np.pi * np.arange(3) / 3
    triangle = np.stack([np.cos(angles), np.sin(angles)])
    want = float(interference(triangle)[0])
    assert not np.isclose(superposition, 2 * np.cos(2 * np.pi / 3)), (
        "the overlaps enter squared: cos 120° = -0.5 counts as 0.25"
    )
    assert np.isclose(superposition, want, atol=1e-3), (
        f"superposition {superposition:g} is off: add (Ŵ_i · W_j)² over the two other "
        "features (a tight frame gives n/k - 1)"
    )
    want_norm = float(original_weight_norms(triangle)[0])
    assert not np.isclose(document_norm, 1.0), (
        "1 is ‖W_i‖; the document's norm is ‖W_i‖ (‖W_i‖² + superposition_i)^½"
    )
    assert np.isclose(document_norm, want_norm, atol=1e-3), (
        f"document's norm {document_norm:g} is off: it is "
        "‖W_i‖ (‖W_i‖² + superposition_i)^½"
    )
    grown = interference(2 * triangle)[0] / interference(triangle)[0]
    assert np.isclose(superposition_growth, grown), (
        "scaling W by c leaves Ŵ_i alone and multiplies each W_j by c: the "
        "superposition grows by c², not c"
    )
    grown_norm = original_weight_norms(2 * triangle)[0] / want_norm
    assert np.isclose(document_norm_growth, grown_norm), (
        "the document's norm is a norm of WᵀW, which scales by c²"
    )
    print("triangle predictions: all correct")

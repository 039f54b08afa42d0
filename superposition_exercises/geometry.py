"""Checks for the exercises of "Feature geometry" (chapter 10)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.analysis import superposition_matrix
from superposition_lib.geometry import feature_dimensionality

# What a valid input is, for the message when the learner's function fails on one.
_ACCEPTS = "(any n × n matrix M = WᵀW, including one with a zero diagonal entry)"


def _dimensionalities(fn, M, what):
    return np.asarray(learner_call(fn, M, on=f"{what} {_ACCEPTS}"), dtype=float)


def check_dimensionality_from_matrix_exercise(dimensionality_from_matrix):
    """`dimensionality_from_matrix(M)`: every D_i from M = WᵀW alone."""
    W = np.random.default_rng(3).normal(size=(3, 7))
    M = superposition_matrix(W)
    got = _dimensionalities(
        dimensionality_from_matrix, M, "WᵀW of a random 3 × 7 matrix"
    )
    assert got.shape == (7,), f"one D_i per feature (7), got shape {got.shape}"
    assert not np.allclose(got, np.diag(M) / np.diag(M @ M)), (
        "the numerator is ‖W_i‖⁴ = M_ii² when the denominator is (M²)_ii (not M_ii)"
    )
    assert not np.allclose(got, np.diag(M) ** 2 / np.sum(M, axis=1) ** 2), (
        "square each overlap before summing: (M²)_ii = Σ_j M_ij², not (Σ_j M_ij)²"
    )
    assert np.allclose(got, feature_dimensionality(W)), (
        "does not match feature_dimensionality"
    )
    W[:, 4] = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = _dimensionalities(
            dimensionality_from_matrix,
            superposition_matrix(W),
            "a matrix with a dropped feature",
        )
    assert np.isfinite(dropped).all() and dropped[4] == 0, (
        "a dropped feature (M_ii = 0) must give 0, not NaN: guard the division"
    )
    print("dimensionality from WᵀW: all checks passed")


def _values(prediction, name):
    try:
        values = np.asarray(prediction, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (3,):
        raise AssertionError(
            f"{name} must be your three predicted D_i, one per feature, "
            f"got {prediction!r}"
        )
    return values


def check_shrunk_pair_exercise(before, after):
    """Predicted D_i of an antipodal pair and an orthogonal feature, then W_2 halved."""
    before = _values(before, "D_pair_and_one")
    after = _values(after, "D_after_shrinking")
    W = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(before, feature_dimensionality(W)), (
        "each feature of an antipodal pair gets half its line (1/2), the orthogonal "
        "feature its own dimension (1): the D_i add up to the 2 dimensions"
    )
    W[:, 1] *= 0.5
    want = feature_dimensionality(W)
    assert not np.isclose(after[1], 0.5), (
        "shrinking W_2 changes the shares: D_2 = ‖W_2‖² / (‖W_2‖² + (Ŵ_2 · W_1)²) "
        "= 0.25 / 1.25"
    )
    assert not np.isclose(after[0], 1 / (1 + 0.5)), (
        "the overlap enters squared: (Ŵ_1 · W_2)² = 0.25, so D_1 = 1 / (1 + 0.25)"
    )
    assert np.allclose(after, want), (
        f"after shrinking expected D_1 = {want[0]:g} and D_2 = {want[1]:g} (the line "
        f"is shared unequally), D_3 = {want[2]:g}; got {after}"
    )
    print("D_i before and after shrinking: both predictions right")

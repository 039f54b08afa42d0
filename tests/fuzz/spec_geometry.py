"""Fuzz specs: feature geometry (`superposition_lib.geometry`)."""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.spec_analysis import Stack, weights


def polygon(n_corners):
    """Unit columns at the corners of a regular polygon in 2-D."""
    angles = 2 * np.pi * np.arange(n_corners) / n_corners
    return np.stack([np.cos(angles), np.sin(angles)])


def _square_antiprism():
    """Two unit squares at heights ±1/√2, twisted by 45°, normalised (3, 8)."""
    angles = np.pi / 4 * np.arange(8)
    corners = np.stack(
        [np.cos(angles), np.sin(angles), 0.5**0.5 * (-1.0) ** np.arange(8)]
    )
    return corners / np.linalg.norm(corners, axis=0)


def _sticky_fractions_hold(fractions):
    """The paper's six fractions, each the D_i of every feature of its shape, computed
    here from the shape (the chapter's derivation: a tight frame of n unit vectors in
    k dimensions has D_i = k / n)."""
    assert set(fractions) == {1.0, 3 / 4, 2 / 3, 1 / 2, 2 / 5, 3 / 8}
    assert all(isinstance(name, str) and name for name in fractions.values())
    shapes = {
        1.0: np.eye(2),
        1 / 2: np.array([[1.0, -1.0]]),
        2 / 3: polygon(3),
        2 / 5: polygon(5),
        3 / 4: np.array([[1, 1, -1, -1], [1, -1, 1, -1], [1, -1, -1, 1]]) / np.sqrt(3),
        3 / 8: _square_antiprism(),
    }
    for fraction, W in shapes.items():
        assert np.allclose(lib.feature_dimensionality(W), fraction), fractions[fraction]


def _dimensionality_check(result, kwargs):
    """0 <= D_i <= 1, the D_i add up to at most k, and D does not change with scale."""
    W = np.asarray(kwargs["W"])
    assert np.all((result >= 0) & (result <= 1 + 1e-12))
    assert np.all(np.sum(result, axis=-1) <= W.shape[-2] + 1e-9)
    for scale in (1e-3, 1e300, 1e-300):  # scale-free, even at the ends of float64
        assert np.allclose(lib.feature_dimensionality(W * scale), result, rtol=1e-12)


def _per_feature_check(result, kwargs):
    W = np.asarray(kwargs["W"])
    frobenius = np.sum(W**2, axis=(-2, -1))
    assert np.allclose(result * frobenius, W.shape[-2], rtol=1e-12)
    # k / |W|^2 scales as W^-2, right up to the ends of float64
    assert np.allclose(lib.dimensions_per_feature(W * 1e150) * 1e300, result)
    assert np.allclose(lib.dimensions_per_feature(W * 1e-150) * 1e-300, result)


SPECS = {
    "STICKY_FRACTIONS": Constant(check=_sticky_fractions_hold),
    "feature_dimensionality": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": Stack(scale_free=True)},
        check=_dimensionality_check,
    ),
    "dimensions_per_feature": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": Stack()},
        check=_per_feature_check,
    ),
}

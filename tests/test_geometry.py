"""superposition_lib.geometry: feature dimensionality and dimensions per feature."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from superposition_lib.analysis import feature_norms, interference
from superposition_lib.geometry import (
    STICKY_FRACTIONS,
    dimensions_per_feature,
    feature_dimensionality,
)


def polygon(n):
    angles = 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(angles), np.sin(angles)])


def square_antiprism(h=0.5**0.5):
    a = np.pi / 4 * np.arange(8)
    v = np.stack([np.cos(a), np.sin(a), h * (-1.0) ** np.arange(8)])
    return v / np.linalg.norm(v, axis=0)


TETRAHEDRON = np.array(
    [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float
).T / np.sqrt(3)


@pytest.mark.parametrize(
    "W, want",
    [
        (np.eye(4), 1.0),
        (np.array([[1.0, -1.0]]), 0.5),
        (polygon(3), 2 / 3),
        (TETRAHEDRON, 3 / 4),
        (polygon(5), 2 / 5),
        (square_antiprism(), 3 / 8),
    ],
)
def test_sticky_shapes(W, want):
    assert np.allclose(feature_dimensionality(W), want)
    assert want in STICKY_FRACTIONS or any(
        np.isclose(want, f) for f in STICKY_FRACTIONS
    )


def test_scale_invariant_and_zero_column():
    W = np.random.default_rng(0).normal(size=(3, 6))
    assert np.allclose(feature_dimensionality(3 * W), feature_dimensionality(W))
    # Computed from W scaled by a power of two: exact, so bit for bit the same.
    assert np.array_equal(
        feature_dimensionality(2.0**-40 * W), feature_dimensionality(W)
    )
    for scale in (1e300, 1e-300):  # no square overflows, none underflows to 0
        assert np.allclose(feature_dimensionality(scale * W), feature_dimensionality(W))
    W[:, 2] = 0
    D = feature_dimensionality(W)
    assert np.all(np.isfinite(D)) and D[2] == 0


weights = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 8)),
    elements=st.floats(-3, 3, allow_nan=False),
)


@settings(max_examples=100, deadline=None)
@given(weights)
def test_dimensionality_bounds_and_sum(W):
    D = feature_dimensionality(W)
    assert np.all(D >= 0) and np.all(D <= 1 + 1e-9)
    # D_i is scale-free, so tiny columns count: compare with the exact rank (tol=0).
    assert D.sum() <= np.linalg.matrix_rank(W, tol=0) + 1e-7
    kept = feature_norms(W) > 1e-6
    want = feature_norms(W)[kept] ** 2 / (
        feature_norms(W)[kept] ** 2 + interference(W)[kept]
    )
    assert np.allclose(D[kept], want, atol=1e-9)


def test_instance_axis():
    W = np.random.default_rng(1).normal(size=(4, 3, 7))
    assert np.allclose(
        feature_dimensionality(W), [feature_dimensionality(w) for w in W]
    )
    assert np.allclose(
        dimensions_per_feature(W), [dimensions_per_feature(w) for w in W]
    )


def test_dimensions_per_feature():
    assert dimensions_per_feature(np.eye(3)) == pytest.approx(1.0)
    assert dimensions_per_feature(polygon(5)) == pytest.approx(2 / 5)
    with pytest.raises(ValueError, match="zeros"):
        dimensions_per_feature(np.zeros((2, 3)))
    # k / |W|^2 right up to the ends of float64; beyond them refused, not inf.
    assert dimensions_per_feature(1e-150 * np.eye(3)) == pytest.approx(1e300)
    assert dimensions_per_feature(1e150 * np.eye(3)) == pytest.approx(1e-300)
    with pytest.raises(ValueError, match="W is too small"):
        dimensions_per_feature(1e-300 * np.eye(3))


@pytest.mark.parametrize("fn", [feature_dimensionality, dimensions_per_feature])
@pytest.mark.parametrize(
    "W, error",
    [
        (np.ones(3), ValueError),
        (np.ones((1, 1, 1, 1)), ValueError),
        (np.array([[np.inf, 1.0]]), ValueError),
        ("W", TypeError),
        (np.zeros((0, 3)), ValueError),
        (np.zeros((2, 3, 0)), ValueError),
    ],
)
def test_bad_input(fn, W, error):
    with pytest.raises(error, match="W"):
        fn(W)

"""superposition_lib.analysis: WᵀW, feature norms, superposition, the original
document's variants, Monte Carlo loss estimates and best-of-N selection."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from superposition_lib.analysis import (
    best_in_groups,
    count_represented,
    estimate_loss,
    feature_directions,
    feature_norms,
    interference,
    original_pairwise_scores,
    original_weight_norms,
    superposition_matrix,
)


def polygon(n):
    angles = 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(angles), np.sin(angles)])


def interference_by_loops(W):
    k, n = W.shape
    out = np.zeros(n)
    for i in range(n):
        largest = np.max(np.abs(W[:, i]))  # scaled: a tiny column is not length 0
        length = largest * np.linalg.norm(W[:, i] / largest) if largest else 0.0
        for j in range(n):
            if j != i and length > 0:
                out[i] += ((W[:, i] / length) @ W[:, j]) ** 2
    return out


weights = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 7)),
    elements=st.floats(-3, 3, allow_nan=False),
)


# ---- closed forms
@pytest.mark.parametrize("n", [3, 4, 5, 7])
def test_regular_polygon_is_a_tight_frame(n):
    W = polygon(n)
    assert np.allclose(feature_norms(W), 1)
    assert np.allclose(interference(W), n / 2 - 1)
    assert np.allclose(original_weight_norms(W), np.sqrt(1 + n / 2 - 1))


def test_orthonormal_features_do_not_interfere():
    assert np.allclose(interference(np.eye(4)), 0)
    assert np.allclose(superposition_matrix(np.eye(4)), np.eye(4))


def test_antipodal_pair_interferes_fully():
    W = np.array([[1.0, -1.0]])
    assert np.allclose(superposition_matrix(W), [[1, -1], [-1, 1]])
    assert np.allclose(interference(W), 1)


# ---- properties
@settings(max_examples=60, deadline=None)
@given(weights)
def test_interference_matches_definition(W):
    assert np.allclose(interference(W), interference_by_loops(W), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(weights)
def test_original_norm_identity(W):
    lengths = feature_norms(W)
    want = lengths * np.sqrt(lengths**2 + interference(W))
    assert np.allclose(original_weight_norms(W), want, atol=1e-9)
    M = superposition_matrix(W)
    assert np.allclose(original_pairwise_scores(W), M @ M)
    assert np.allclose(
        np.diag(original_pairwise_scores(W)), original_weight_norms(W) ** 2
    )


def test_original_pairwise_equals_M_for_orthonormal_rows():
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(9, 4)))
    assert np.allclose(original_pairwise_scores(Q.T), superposition_matrix(Q.T))


def test_scaling():
    W = np.random.default_rng(1).normal(size=(3, 6))
    assert np.allclose(feature_norms(2 * W), 2 * feature_norms(W))
    assert np.allclose(interference(2 * W), 4 * interference(W))
    assert np.allclose(feature_directions(2 * W), feature_directions(W))


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_norms_and_directions_hold_at_the_ends_of_float64(scale):
    """Scaled before squaring: no inf from 1e300, no wrong 0 from 1e-300."""
    W = np.array([[3.0, 0.0], [4.0, 2.0]])
    assert np.allclose(feature_norms(W * scale) / scale, [5.0, 2.0])
    assert np.allclose(feature_directions(W * scale), feature_directions(W))
    assert np.allclose(
        original_weight_norms(W * 1e-150) / 1e-300, original_weight_norms(W)
    )


@pytest.mark.parametrize(
    "fn",
    [
        superposition_matrix,
        interference,
        original_weight_norms,
        original_pairwise_scores,
    ],
)
def test_a_square_beyond_float64_is_refused_naming_W(fn):
    with pytest.raises(ValueError, match="W is too large"):
        fn(np.array([[3e300, 1.0], [4e300, 1.0]]))
    assert np.all(fn(np.array([[3e-300, 1.0], [4e-300, 1.0]])) >= 0)  # rounds to 0


def test_instance_axis_matches_single_models():
    W = np.random.default_rng(2).normal(size=(5, 3, 8))
    for fn in (
        superposition_matrix,
        feature_norms,
        feature_directions,
        interference,
        original_weight_norms,
        original_pairwise_scores,
        count_represented,
    ):
        stacked = fn(W)
        for one, got in zip(W, stacked):
            assert np.allclose(got, fn(one)), fn.__name__


def test_dropped_feature_gives_zero_not_nan():
    W = np.random.default_rng(3).normal(size=(2, 4))
    W[:, 1] = 0
    assert np.all(np.isfinite(interference(W))) and interference(W)[1] == 0
    assert np.all(feature_directions(W)[:, 1] == 0)


def test_float32_is_kept():
    W = np.random.default_rng(4).normal(size=(2, 5)).astype(np.float32)
    assert interference(W).dtype == np.float32
    assert feature_norms(W).dtype == np.float32


def test_count_represented():
    W = polygon(5) * np.array([1, 0.6, 0.4, 0.51, 0.0])
    assert count_represented(W) == 3
    assert count_represented(W, threshold=0.3) == 4
    assert list(count_represented(np.stack([W, 2 * W]))) == [3, 4]


# ---- bad input
@pytest.mark.parametrize(
    "fn",
    [
        superposition_matrix,
        feature_norms,
        feature_directions,
        interference,
        original_weight_norms,
        original_pairwise_scores,
        count_represented,
    ],
)
@pytest.mark.parametrize(
    "W, error",
    [
        (np.ones(3), ValueError),
        (np.ones((2, 2, 2, 2)), ValueError),
        (np.array([[1.0, np.nan]]), ValueError),
        (np.zeros((0, 3)), ValueError),
        ("W", TypeError),
        (None, TypeError),
    ],
)
def test_bad_weights_are_refused(fn, W, error):
    with pytest.raises(error, match="W"):
        fn(W)


@pytest.mark.parametrize(
    "threshold, error",
    [
        (0, ValueError),
        (-1, ValueError),
        (np.nan, ValueError),
        (np.inf, ValueError),
        ([0.5, 0.6], ValueError),
        ("0.5", TypeError),
        (True, TypeError),
    ],
)
def test_bad_threshold(threshold, error):
    with pytest.raises(error, match="threshold"):
        count_represented(np.eye(2), threshold)


# ---- estimate_loss
@pytest.mark.parametrize("r, s", [(1.0, 0.5), (3.0, 0.2)])
def test_estimate_loss_antipodal_closed_form(r, s):
    got = estimate_loss(
        np.array([[1.0, -1.0]]),
        np.zeros(2),
        1 - s,
        np.array([1.0, r]),
        np.random.default_rng(0),
        n_samples=200_000,
    )
    assert got == pytest.approx((1 + r) * s**2 / 6, rel=0.03)


def test_estimate_loss_dropped_feature_closed_form():
    s = 0.4
    got = estimate_loss(
        np.array([[1.0, 0.0]]),
        np.array([0.0, s / 2]),
        1 - s,
        np.array([1.0, 2.0]),
        1,
        n_samples=200_000,
    )
    assert got == pytest.approx(2 * (s / 3 - s**2 / 4), rel=0.02)


def test_estimate_loss_instances_seeding_and_chunks():
    rng = np.random.default_rng(5)
    W, b = rng.normal(size=(3, 2, 5)), rng.normal(0, 0.1, size=(3, 5))
    imp = 0.9 ** np.arange(5)
    a = estimate_loss(W, b, np.array([0.5, 0.8, 0.9]), imp, 7, n_samples=5000)
    assert a.shape == (3,)
    assert np.array_equal(
        a, estimate_loss(W, b, np.array([0.5, 0.8, 0.9]), imp, 7, n_samples=5000)
    )
    # Chunk size changes how the stream is consumed, not the expectation.
    c = estimate_loss(
        W, b, np.array([0.5, 0.8, 0.9]), imp, 7, n_samples=5000, chunk=777
    )
    assert np.allclose(a, c, rtol=0.15)
    lin = estimate_loss(W[0], b[0], 0.5, imp, 7, n_samples=5000, activation="linear")
    assert np.isscalar(lin) or np.ndim(lin) == 0


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"chunk": 1.5}, TypeError, "chunk"),
        ({"rng": None}, TypeError, "rng"),
        ({"activation": "tanh"}, ValueError, "activation"),
        ({"b": np.zeros(3)}, ValueError, "b must have shape .2,. to match W"),
        ({"b": None}, TypeError, "b"),
        ({"sparsity": np.full(3, 0.5)}, ValueError, "sparsity .* for W"),
        ({"sparsity": 1.0}, ValueError, "sparsity"),
        ({"importance": -np.ones(2)}, ValueError, "importance"),
        ({"importance": np.ones((2, 2))}, ValueError, "importance"),
        ({"W": np.eye(2) * 1e300}, ValueError, "W, b or importance is too large"),
        ({"b": np.full(2, 1e300)}, ValueError, "W, b or importance is too large"),
    ],
)
def test_estimate_loss_bad_input(kwargs, error, name):
    """Refused by name, and (but for an overflow) before a sample is drawn."""
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    args = dict(
        W=np.eye(2), b=np.zeros(2), sparsity=0.5, importance=np.ones(2), rng=rng
    )
    args.update(kwargs)
    with pytest.raises(error, match=name):
        estimate_loss(**args)
    assert "too large" in name or rng.bit_generator.state == state


# ---- best_in_groups
def test_best_in_groups():
    assert list(best_in_groups(np.array([3.0, 1.0, 2.0, 5.0, 4.0, 6.0]), 3)) == [1, 4]
    assert list(best_in_groups(np.array([2.0, 1.0]), 1)) == [0, 1]


@pytest.mark.parametrize(
    "losses, size, error, name",
    [
        (np.ones(5), 2, ValueError, "group_size"),
        (np.ones(4), 0, ValueError, "group_size"),
        (np.ones((2, 2)), 2, ValueError, "losses"),
        (np.array([1.0, np.nan]), 2, ValueError, "losses"),
        (np.array([]), 2, ValueError, "losses"),
    ],
)
def test_best_in_groups_bad_input(losses, size, error, name):
    with pytest.raises(error, match=name):
        best_in_groups(losses, size)

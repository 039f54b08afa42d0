"""superposition_lib.loss: values, normalisation, instances and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from superposition_lib.data import feature_importance, generate_sparse_data
from superposition_lib.loss import weighted_loss, weighted_loss_per_feature


def test_hand_example():
    X = np.array([[1.0, 0.0], [0.0, 0.5]])
    X_hat = np.array([[0.5, 0.0], [0.0, 0.0]])
    assert weighted_loss(X, X_hat, [1.0, 0.5]) == 0.1875
    per_feature = weighted_loss_per_feature(X, X_hat, [1.0, 0.5])
    assert np.array_equal(per_feature, [0.125, 0.0625])
    assert isinstance(weighted_loss(X, X_hat, [1.0, 0.5]), float)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(0, 10_000))
def test_equals_explicit_double_sum_and_is_batch_mean(N, n, seed):
    rng = np.random.default_rng(seed)
    X, X_hat, I = rng.random((N, n)), rng.random((N, n)), rng.random(n)
    explicit = (
        sum(I[i] * (X[s, i] - X_hat[s, i]) ** 2 for s in range(N) for i in range(n)) / N
    )
    assert weighted_loss(X, X_hat, I) == pytest.approx(explicit, rel=1e-12)
    # The original document's summed loss is N times ours.
    summed = np.sum(I * (X - X_hat) ** 2)
    assert summed == pytest.approx(N * weighted_loss(X, X_hat, I), rel=1e-12)
    # Repeating the batch does not change a mean.
    doubled = weighted_loss(np.vstack([X, X]), np.vstack([X_hat, X_hat]), I)
    assert doubled == pytest.approx(weighted_loss(X, X_hat, I), rel=1e-12)


@given(hnp.arrays(np.float64, (6, 3), elements=st.floats(-10, 10)))
def test_zero_for_perfect_reconstruction_and_non_negative(X):
    assert weighted_loss(X, X, np.ones(3)) == 0
    assert weighted_loss(X, np.zeros_like(X), np.ones(3)) >= 0


def test_importance_weights_features():
    X = np.zeros((4, 3))
    X_hat = np.zeros((4, 3))
    X_hat[:, 2] = 1.0
    assert weighted_loss(X, X_hat, [1.0, 1.0, 0.0]) == 0
    assert weighted_loss(X, X_hat, [0.0, 0.0, 2.0]) == 2.0


def test_instances_shared_and_per_instance_importance():
    rng = np.random.default_rng(1)
    X, X_hat = rng.random((3, 20, 4)), rng.random((3, 20, 4))
    shared = feature_importance(4, 0.7)
    per = rng.random((3, 4))
    for weights in (shared, per):
        losses = weighted_loss(X, X_hat, weights)
        assert losses.shape == (3,)
        for i in range(3):
            wi = weights if weights.ndim == 1 else weights[i]
            alone = weighted_loss(X[i], X_hat[i], wi)
            assert losses[i] == pytest.approx(alone, rel=1e-12)
        per_feature = weighted_loss_per_feature(X, X_hat, weights)
        assert per_feature.shape == (3, 4)
        assert np.allclose(per_feature.sum(axis=1), losses, rtol=1e-12)


def test_zero_model_expected_loss():
    # E[x^2] = p / 3 for x = B U: within 5 standard errors of the closed form.
    n, S, N = 10, 0.8, 100_000
    I = feature_importance(n)
    X = generate_sparse_data(N, n, S, rng=2)
    p = 1 - S
    se = np.sqrt(np.sum(I**2) * (p / 5 - p**2 / 9) / N)
    assert abs(weighted_loss(X, np.zeros_like(X), I) - p / 3 * I.sum()) < 5 * se


def test_float32_input():
    X = np.ones((3, 2), dtype=np.float32)
    ones = np.ones(2, np.float32)
    assert weighted_loss_per_feature(X, 0 * X, ones).dtype == np.float32
    assert weighted_loss(X, 0 * X, np.ones(2, np.float32)) == pytest.approx(2.0)


X0 = np.zeros((4, 3))


@pytest.mark.parametrize("fn", [weighted_loss, weighted_loss_per_feature])
@pytest.mark.parametrize(
    "X, X_recon, importance, error, name",
    [
        (np.zeros(3), np.zeros(3), np.ones(3), ValueError, "X"),
        ("X", X0, np.ones(3), TypeError, "X"),
        (X0, np.zeros((4, 2)), np.ones(3), ValueError, "X_recon"),
        (X0, np.zeros((3, 4, 3)), np.ones(3), ValueError, "X_recon"),
        (X0, X0 + np.nan, np.ones(3), ValueError, "X_recon"),
        (X0, X0, np.ones(4), ValueError, "importance"),
        (X0, X0, np.ones((2, 3)), ValueError, "importance"),
        (
            X0[None].repeat(2, 0),
            X0[None].repeat(2, 0),
            np.ones((3, 3)),
            ValueError,
            "importance",
        ),
        (X0, X0, [1.0, -1.0, 1.0], ValueError, "importance"),
        (X0, X0, [1.0, np.inf, 1.0], ValueError, "importance"),
        (X0, X0, None, TypeError, "importance"),
        # a mean over no samples is no number: refused, not NaN
        (X0[:0], X0[:0], np.ones(3), ValueError, "X"),
        (X0[:, :0], X0[:, :0], np.ones(0), ValueError, "X"),
        (X0[None, :0], X0[None, :0], np.ones(3), ValueError, "X"),
        # a shape mismatch names both arrays
        (X0[None], X0, np.ones(3), ValueError, r"X_recon must have the shape of X "),
    ],
)
def test_rejects(fn, X, X_recon, importance, error, name):
    with pytest.raises(error, match=name):
        fn(X, X_recon, importance)


@pytest.mark.parametrize("fn", [weighted_loss, weighted_loss_per_feature])
def test_a_loss_beyond_float64_is_refused_and_a_tiny_one_is_rounded(fn):
    X = np.full((2, 3), 1e300)
    with pytest.raises(ValueError, match="X and X_recon"), np.errstate(all="raise"):
        fn(X, np.zeros((2, 3)), np.ones(3))
    with np.errstate(all="raise"):
        tiny = fn(np.full((2, 3), 1e-300), np.zeros((2, 3)), np.ones(3))
    assert np.all(np.asarray(tiny) == 0.0), "1e-600 is 0 in float64, not an error"

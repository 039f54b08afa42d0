"""superposition_lib.nonuniform: the loss split into benefit and interference."""

import numpy as np
import pytest

from superposition_lib.analysis import estimate_loss
from superposition_lib.model import forward
from superposition_lib.nonuniform import (
    LossDecomposition,
    loss_by_active_count,
    loss_decomposition,
    one_sparse_terms,
)


def midpoint_terms(W, b, importance, points=50_000):
    """Benefit and interference by the midpoint rule, one feature active at a time."""
    n = W.shape[1]
    u = (np.arange(points) + 0.5) / points
    benefit, interference = np.zeros(n), np.zeros((n, n))
    for i in range(n):
        X = np.outer(u, np.eye(n)[i])
        _, _, X_hat = forward({"W": W, "b": b}, X)
        per_feature = np.mean(importance * (X - X_hat) ** 2, axis=0)
        benefit[i] = per_feature[i]
        interference[i] = per_feature
        interference[i, i] = 0.0
    return benefit, interference


@pytest.mark.parametrize("seed", range(6))
def test_closed_form_matches_quadrature(seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(2, 4))
    b = rng.normal(scale=0.5, size=4)
    importance = rng.uniform(0.1, 3.0, size=4)
    benefit, interference = one_sparse_terms(W, b, importance)
    want_benefit, want_interference = midpoint_terms(W, b, importance)
    np.testing.assert_allclose(benefit, want_benefit, atol=1e-8)
    np.testing.assert_allclose(interference, want_interference, atol=1e-8)


def test_known_values():
    # A dropped feature with b <= 0 loses I/3; with b > 0 it keeps ∫ (u - b)² du.
    W = np.zeros((2, 3))
    benefit, interference = one_sparse_terms(W, np.array([0.0, -1.0, 0.5]), np.ones(3))
    np.testing.assert_allclose(benefit[:2], 1 / 3)
    np.testing.assert_allclose(benefit[2], 1 / 3 - 0.5 + 0.25)
    # slope 0: interference into j is ReLU(b_j)² for every active i
    np.testing.assert_allclose(interference[:, 2], [0.25, 0.25, 0.0])
    np.testing.assert_allclose(interference[:, :2], 0.0)
    # A unit feature with b = 0 is exact; antipodal features never interfere.
    benefit, interference = one_sparse_terms(
        np.array([[1.0, -1.0]]), np.zeros(2), np.ones(2)
    )
    np.testing.assert_allclose(benefit, 0.0, atol=1e-15)
    np.testing.assert_allclose(interference, 0.0)
    # cos θ = 1/2 between unit features: (1/2)² / 3 each way
    W = np.array([[1.0, 0.5], [0.0, 0.75**0.5]])
    _, interference = one_sparse_terms(W, np.zeros(2), np.array([1.0, 2.0]))
    np.testing.assert_allclose(interference, [[0, 2 / 12], [1 / 12, 0]])


def test_stack_matches_one_model_at_a_time():
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(3, 2, 5)), rng.normal(size=(3, 5))
    S, importance = rng.uniform(0.5, 0.95, size=(3, 5)), rng.uniform(size=(3, 5))
    stacked = loss_decomposition(W, b, S, importance)
    for i in range(3):
        one = loss_decomposition(W[i], b[i], S[i], importance[i])
        for field in LossDecomposition._fields:
            np.testing.assert_allclose(getattr(stacked, field)[i], getattr(one, field))


def test_probabilities_and_shapes_of_sparsity():
    W, b = np.ones((2, 2, 3)), np.zeros((2, 3))
    # per instance (I,), broadcast to every feature
    parts = loss_decomposition(W, b, np.array([0.9, 0.5]), np.ones(3))
    p = np.array([0.1, 0.5])
    np.testing.assert_allclose(
        parts.compound_probability, 1 - (1 - p) ** 3 - 3 * p * (1 - p) ** 2
    )
    single = loss_decomposition(np.ones((1, 1)), np.zeros(1), 0.3, np.ones(1))
    assert single.compound_probability == 0.0
    assert isinstance(single.benefit, float)
    # density 1 (sparsity 0): never a single active feature among several
    dense = loss_decomposition(np.ones((1, 2)), np.zeros(2), 0.0, np.ones(2))
    assert dense.benefit == 0.0 and dense.compound_probability == 1.0


def test_parts_add_up_to_the_loss_on_data():
    rng = np.random.default_rng(2)
    W, b = rng.normal(size=(2, 4)), np.array([0.1, -0.2, 0.0, 0.3])
    S, importance = np.array([0.6, 0.8, 0.9, 0.7]), np.array([1.0, 0.5, 2.0, 1.0])
    on_data = loss_by_active_count(W, b, S, importance, 0, n_samples=100_000)
    # the three parts are the whole loss on the same samples
    whole = estimate_loss(W, b, S, importance, 0, n_samples=100_000)
    np.testing.assert_allclose(on_data.sum(), whole, rtol=1e-10)
    exact = loss_decomposition(W, b, S, importance)
    np.testing.assert_allclose(on_data[0], exact.bias, rtol=0.05)
    np.testing.assert_allclose(
        on_data[1], exact.benefit + exact.interference, rtol=0.03
    )


def test_one_feature_has_no_compound_part():
    on_data = loss_by_active_count(
        np.array([[0.8]]), np.array([0.1]), 0.4, np.ones(1), 3, n_samples=50_000
    )
    assert on_data[2] == 0.0
    exact = loss_decomposition(np.array([[0.8]]), np.array([0.1]), 0.4, np.ones(1))
    np.testing.assert_allclose(on_data[:2].sum(), exact.at_most_one_active, rtol=0.02)


def test_same_seed_same_numbers_and_chunks_do_not_matter():
    rng = np.random.default_rng(4)
    W, b = rng.normal(size=(2, 2, 3)), rng.normal(size=(2, 3))
    args = (W, b, 0.7, np.ones(3))
    one = loss_by_active_count(*args, 5, n_samples=1000, chunk=1000)
    again = loss_by_active_count(*args, np.random.default_rng(5), n_samples=1000)
    np.testing.assert_array_equal(one, again)
    assert one.shape == (2, 3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: one_sparse_terms(np.ones(3), np.zeros(3), np.ones(3)), "W"),
        (lambda: one_sparse_terms(np.ones((2, 3)), np.zeros(2), np.ones(3)), "b"),
        (
            lambda: one_sparse_terms(np.ones((2, 3)), np.zeros(3), -np.ones(3)),
            "importance",
        ),
        (
            lambda: one_sparse_terms(np.ones((2, 3)), np.zeros(3), np.ones(2)),
            "importance",
        ),
        (
            lambda: loss_decomposition(np.ones((2, 3)), np.zeros(3), 1.0, np.ones(3)),
            "sparsity",
        ),
        (
            lambda: loss_decomposition(
                np.ones((2, 3)), np.zeros(3), np.ones(2) / 2, np.ones(3)
            ),
            "sparsity",
        ),
        (
            lambda: loss_by_active_count(
                np.ones((2, 3)), np.zeros(3), 0.5, np.ones(3), 0, n_samples=0
            ),
            "n_samples",
        ),
        (
            lambda: one_sparse_terms(np.full((2, 3), 1e300), np.zeros(3), np.ones(3)),
            "W",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_bool_is_not_a_seed():
    with pytest.raises(TypeError, match="rng"):
        loss_by_active_count(np.ones((1, 2)), np.zeros(2), 0.5, np.ones(2), True)

"""superposition_lib.real_network: the MLP, its hand-derived gradients, training,
class purity, and bad input."""

import numpy as np
import pytest

from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.real_network import (
    MLP_KEYS,
    class_purity,
    init_mlp_params,
    mlp_forward,
    mlp_loss_and_gradients,
    mlp_readout,
    softmax_cross_entropy,
    train_mlp,
)


def network(n_instances=2, n_inputs=4, n_hidden=6, n_classes=3, seed=0):
    gens = [np.random.default_rng(seed + i) for i in range(n_instances)]
    p = init_mlp_params(n_inputs, n_hidden, n_classes, gens)
    rng = np.random.default_rng(seed + 100)
    p["b1"] += rng.normal(0, 0.3, p["b1"].shape)
    p["b2"] += rng.normal(0, 0.3, p["b2"].shape)
    return p


def blobs(n=120, n_inputs=4, n_classes=3, seed=0):
    """Linearly separable classes: one well-separated Gaussian blob per class."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    centres = 3 * rng.normal(size=(n_classes, n_inputs))
    return centres[y] + 0.3 * rng.normal(size=(n, n_inputs)), y


# ---- the network and its loss ----


def test_init_instance_is_independent_of_the_others():
    many = init_mlp_params(5, 4, 3, [np.random.default_rng(s) for s in (1, 2, 3)])
    alone = init_mlp_params(5, 4, 3, [np.random.default_rng(2)])
    assert all(np.array_equal(many[k][1], alone[k][0]) for k in MLP_KEYS)
    assert many["W1"].shape == (3, 4, 5) and many["W2"].shape == (3, 3, 4)
    assert np.all(np.abs(many["W1"]) <= np.sqrt(6 / 5))


def test_forward_and_readout_agree():
    p, X = network(), np.random.default_rng(1).normal(size=(9, 4))
    H_linear, H, logits = mlp_forward(p, X)
    assert np.array_equal(H, np.maximum(H_linear, 0))
    assert np.allclose(mlp_readout(p, H), logits)
    assert np.allclose(mlp_readout(p, H[0]), mlp_readout(p, np.stack([H[0], H[0]])))
    per_instance = mlp_forward(p, np.stack([X, 2 * X]))[2]
    assert np.allclose(per_instance[0], logits[0])


def test_cross_entropy_closed_forms_and_stability():
    assert softmax_cross_entropy(np.zeros((5, 4)), [0, 1, 2, 3, 0]) == pytest.approx(
        np.log(4)
    )
    confident = np.array([[50.0, 0.0], [0.0, 50.0]])
    assert softmax_cross_entropy(confident, [0, 1]) == pytest.approx(0, abs=1e-12)
    assert softmax_cross_entropy(confident, [1, 0]) == pytest.approx(50)
    huge = 1e6 * np.array([[1.0, 0.0, -1.0]])
    assert softmax_cross_entropy(huge, [2]) == pytest.approx(2e6)
    logits = np.random.default_rng(2).normal(size=(2, 6, 3))
    y = np.array([0, 1, 2, 0, 1, 2])
    assert np.allclose(
        softmax_cross_entropy(logits + 7.0, y), softmax_cross_entropy(logits, y)
    )
    assert softmax_cross_entropy(logits, y).shape == (2,)


@pytest.mark.parametrize("shared", [True, False])
def test_gradients_match_finite_differences(shared):
    p = network()
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 4) if shared else (2, 8, 4))
    y = rng.integers(0, 3, (8,) if shared else (2, 8))
    loss, grads = mlp_loss_and_gradients(p, X, y)
    numeric = numerical_gradient(lambda q: mlp_loss_and_gradients(q, X, y)[0].sum(), p)
    assert relative_error(numeric, grads) < 1e-7
    assert np.allclose(loss, softmax_cross_entropy(mlp_forward(p, X)[2], y))


def test_logit_gradient_rows_sum_to_zero():
    """G = (p - onehot) / N: each row sums to 0, so db2 sums to 0."""
    p = network()
    X, y = np.random.default_rng(4).normal(size=(10, 4)), np.arange(10) % 3
    _, grads = mlp_loss_and_gradients(p, X, y)
    assert np.allclose(grads["b2"].sum(axis=-1), 0, atol=1e-15)


# ---- training ----


def test_train_mlp_learns_separable_blobs_and_is_deterministic():
    X, y = blobs()
    result = train_mlp(X, y, 8, n_instances=2, steps=150, batch_size=32, lr=1e-2)
    logits = mlp_forward(result.params, X)[2]
    assert np.all(np.mean(logits.argmax(-1) == y, axis=-1) > 0.95)
    assert np.all(result.losses[-1] < result.losses[0])
    again = train_mlp(X, y, 8, n_instances=2, steps=150, batch_size=32, lr=1e-2)
    assert all(np.array_equal(result.params[k], again.params[k]) for k in MLP_KEYS)
    assert list(result.steps_logged[:2]) == [0, 10] and result.steps_logged[-1] == 149


def test_train_mlp_instance_trains_as_it_would_alone():
    X, y = blobs(n=60)
    two = train_mlp(X, y, 5, n_instances=2, steps=20, batch_size=16, seed=4)
    one = train_mlp(X, y, 5, n_instances=1, steps=20, batch_size=16, seed=4)
    assert all(np.allclose(two.params[k][0], one.params[k][0]) for k in MLP_KEYS)


# ---- class purity ----


def test_class_purity_counts_the_top_inputs_that_fire():
    A = np.array([[5.0, 0.0, 1.0], [4.0, 0.0, 2.0], [3.0, 1.0, 3.0], [0.0, 0.0, 4.0]])
    purity, majority, kept = class_purity(A, [2, 2, 1, 1], top_k=3)
    assert np.allclose(purity, [2 / 3, 1.0, 2 / 3])
    assert list(majority) == [2, 1, 1] and list(kept) == [3, 1, 3]
    never = class_purity(np.zeros((4, 2)), [0, 1, 0, 1], top_k=2)
    assert np.all(never[0] == 0) and np.all(never[1] == -1) and np.all(never[2] == 0)


def test_class_purity_is_scale_free_and_high_for_a_class_detector():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 10, 200)
    detector = (y == 7) * rng.uniform(1, 2, 200)  # fires only on sevens
    A = np.stack([detector, rng.uniform(0, 1, 200)], axis=1)
    purity, majority, _ = class_purity(A, y, top_k=10)
    assert purity[0] == 1 and majority[0] == 7 and purity[1] < 0.9
    assert np.array_equal(class_purity(1e-300 * A, y, top_k=10)[0], purity)


# ---- bad input ----


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: softmax_cross_entropy(np.zeros((3, 2)), [0, 1, 2]), "labels"),
        (lambda: softmax_cross_entropy(np.zeros((3, 2)), [0.0, 1.0, 0.0]), "labels"),
        (
            lambda: softmax_cross_entropy(np.zeros((3, 2)), [True, False, True]),
            "labels",
        ),
        (lambda: softmax_cross_entropy(np.zeros((3, 1)), [0, 0, 0]), "logits"),
        (lambda: mlp_forward(network(), np.zeros((3, 5))), "X"),
        (lambda: mlp_readout(network(), np.zeros((3, 5))), "H"),
        (lambda: init_mlp_params(3, 2, 1, [np.random.default_rng(0)]), "n_classes"),
        (lambda: init_mlp_params(3, 2, 2, np.random.default_rng(0)), "rngs"),
        (lambda: init_mlp_params(3, 2, 2, []), "rngs"),
        (lambda: train_mlp(np.zeros((4, 2)), [0, 0, 0, 0], 3), "labels"),
        (lambda: train_mlp(np.full((4, 2), 1e200), [0, 1, 0, 1], 3), "X"),
        (lambda: train_mlp(np.zeros((4, 2)), [0, 1, 0, 1], 3, lr=0.0), "lr"),
        (lambda: class_purity(np.zeros((4, 2)), [0, 1, 0, 1], top_k=5), "top_k"),
        (lambda: class_purity(np.zeros((4, 2)), [0, 1, 0], top_k=2), "labels"),
    ],
)
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()

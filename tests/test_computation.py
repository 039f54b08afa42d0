"""superposition_lib.computation: the |x| model, its gradient, training, reading it."""

import numpy as np
import pytest

from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.computation import (
    ABS_KEYS,
    abs_forward,
    abs_loss_and_gradients,
    asymmetric_neurons,
    init_abs_params,
    neuron_contributions,
    paired_features,
    train_abs_model,
)
from superposition_lib.conventions import instance_generators
from superposition_lib.loss import weighted_loss


def problem(rng, lead=(), k=4, n=5, batch=16):
    params = {
        "W1": rng.normal(0, 0.6, lead + (k, n)),
        "W2": rng.normal(0, 0.6, lead + (n, k)),
        "b": rng.normal(0, 0.2, lead + (n,)),
    }
    u = rng.random(lead + (batch, n))
    return params, np.where(u < 0.5, 4 * u - 1, 0.0), 0.8 ** np.arange(n)


def pair_model():
    """Feature 0 by a neuron pair, features 1 and 2 by an asymmetric neuron and its
    inhibitor (the input and output sizes differ by 3)."""
    W1 = np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.5, -0.5], [0, 1.0, 0]])
    W2 = np.array([[1.0, 1.0, 0, 0], [0, 0, 0.5, 0], [0, 0, 1.5, -3.0]])
    return {"W1": W1, "W2": W2, "b": np.zeros(3)}


@pytest.mark.parametrize("lead", [(), (2,)])
def test_gradient_matches_finite_differences(lead):
    params, X, importance = problem(np.random.default_rng(0), lead)
    loss, grads = abs_loss_and_gradients(params, X, importance)

    def loss_of(p):
        return np.sum(weighted_loss(np.abs(X), abs_forward(p, X)[2], importance))

    assert np.isclose(np.sum(loss), loss_of(params))
    assert relative_error(grads, numerical_gradient(loss_of, params)) < 1e-7
    assert set(grads) == set(ABS_KEYS)


def test_a_neuron_pair_computes_the_absolute_value_exactly():
    x = np.linspace(-1, 1, 41)[:, None] * np.eye(3)[0]
    y = abs_forward(pair_model(), x)[2]
    assert np.allclose(y[:, 0], np.abs(x[:, 0]))


def test_rescaling_a_neuron_changes_nothing_measured():
    params = pair_model()
    a = np.array([0.5, 2.0, 3.0, 0.25])
    scaled = {"W1": params["W1"] * a[:, None], "W2": params["W2"] / a, "b": params["b"]}
    X = np.random.default_rng(1).uniform(-1, 1, (20, 3))
    assert np.allclose(abs_forward(scaled, X)[2], abs_forward(params, X)[2])
    assert np.allclose(neuron_contributions(scaled), neuron_contributions(params))
    assert paired_features(scaled).tolist() == [True, False, False]
    assert asymmetric_neurons(scaled).tolist() == [False, False, True, False]
    assert not asymmetric_neurons(scaled, ratio=3.5).any()


def test_same_signs_are_not_asymmetric_superposition():
    params = pair_model()
    params["W1"][2, 2] = 0.5  # both features positive: ordinary superposition
    assert not asymmetric_neurons(params).any()


def test_init_and_training_are_per_instance_and_reproducible():
    many = init_abs_params(4, 3, instance_generators(2, 3))
    alone = init_abs_params(4, 3, instance_generators(2, 1))
    assert all(np.array_equal(many[key][0], alone[key][0]) for key in ABS_KEYS)
    kw = dict(seed=1, steps=10, batch_size=8)
    a, run = train_abs_model(4, 3, [0.2, 0.9], 0.8 ** np.arange(4), **kw)
    b, _ = train_abs_model(4, 3, [0.2, 0.9], 0.8 ** np.arange(4), **kw)
    first, _ = train_abs_model(4, 3, [0.2], 0.8 ** np.arange(4), **kw)
    assert all(np.array_equal(a[key], b[key]) for key in ABS_KEYS)
    assert all(np.array_equal(a[key][:1], first[key]) for key in ABS_KEYS)
    assert run.losses.shape[1] == 2


def test_training_on_dense_features_finds_pairs():
    params, _ = train_abs_model(
        2, 4, [0.0, 0.0, 0.0], np.ones(2), seed=0, steps=1500, batch_size=64
    )
    assert paired_features(params).all(axis=1).any()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: abs_forward({"W1": np.ones((2, 3))}, np.ones((4, 3))), "params"),
        (
            lambda: abs_forward(
                {"W1": np.ones((2, 3)), "W2": np.ones((2, 3)), "b": np.ones(3)},
                np.ones((4, 3)),
            ),
            r"params\['W2'\]",
        ),
        (lambda: abs_forward(pair_model(), np.ones((4, 2))), "X"),
        (lambda: abs_forward(pair_model(), np.ones((0, 3))), "X"),
        (
            lambda: abs_loss_and_gradients(pair_model(), np.ones((4, 3)), -np.ones(3)),
            "importance",
        ),
        (lambda: train_abs_model(3, 2, 0.5, np.ones(3)), "sparsity"),
        (lambda: train_abs_model(3, 2, [0.5], np.ones(2)), "importance"),
        (lambda: train_abs_model(3, 2, [0.5], np.full(3, 1e200)), "importance"),
        (lambda: asymmetric_neurons(pair_model(), ratio=0.5), "ratio"),
        (lambda: init_abs_params(3, 2, [0]), "rngs"),
    ],
)
def test_bad_input_is_refused_by_name(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()

"""superposition_lib.privileged: the neuron model, its gradient, training, counting."""

import numpy as np
import pytest

from superposition_lib.backprop import (
    loss_gradients,
    numerical_gradient,
    relative_error,
)
from superposition_lib.conventions import instance_generators
from superposition_lib.data import generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward
from superposition_lib.privileged import (
    NEURON_KINDS,
    count_neuron_kinds,
    init_neuron_params,
    neuron_features,
    neuron_forward,
    neuron_loss_and_gradients,
    no_superposition_loss,
    train_neuron_model,
)


def problem(rng, lead=(), k=3, n=6, batch=20, sparsity=0.5):
    params = {
        "W": rng.normal(0, 0.5, lead + (k, n)),
        "b": rng.normal(0, 0.2, lead + (n,)),
    }
    X = generate_sparse_data(
        batch, n, sparsity, rng, n_instances=lead[0] if lead else None
    )
    return params, X, 0.75 ** np.arange(n)


@pytest.mark.parametrize("lead", [(), (3,)])
def test_gradient_matches_finite_differences(lead):
    params, X, importance = problem(np.random.default_rng(1), lead)
    loss, grads = neuron_loss_and_gradients(params, X, importance)
    np.testing.assert_allclose(
        loss, weighted_loss(X, neuron_forward(params, X)[2], importance)
    )
    numeric = numerical_gradient(
        lambda p: np.sum(weighted_loss(X, neuron_forward(p, X)[2], importance)), params
    )
    assert relative_error(grads, numeric) < 1e-7


def test_every_neuron_on_is_chapter_5s_model():
    rng = np.random.default_rng(2)
    params = {"W": np.abs(rng.normal(0.5, 0.2, (3, 5))), "b": rng.normal(0, 0.1, 5)}
    X = generate_sparse_data(16, 5, 0.0, rng)
    assert np.allclose(neuron_forward(params, X)[2], forward(params, X)[2])
    ours = neuron_loss_and_gradients(params, X, np.ones(5))[1]
    assert relative_error(ours, loss_gradients(params, X, np.ones(5))) < 1e-12


def test_permutation_symmetry_and_no_rotation_symmetry():
    params, X, _ = problem(np.random.default_rng(3))
    P = np.eye(3)[[1, 2, 0]]
    permuted = {"W": P @ params["W"], "b": params["b"]}
    assert np.allclose(neuron_forward(permuted, X)[2], neuron_forward(params, X)[2])
    O = np.linalg.qr(np.random.default_rng(4).normal(size=(3, 3)))[0]
    rotated = {"W": O @ params["W"], "b": params["b"]}
    assert not np.allclose(neuron_forward(rotated, X)[2], neuron_forward(params, X)[2])


def test_instances_are_independent_of_each_other():
    params, X, importance = problem(np.random.default_rng(5), (2,))
    loss, grads = neuron_loss_and_gradients(params, X, importance)
    one = {key: value[1] for key, value in params.items()}
    loss1, grads1 = neuron_loss_and_gradients(one, X[1], importance)
    assert np.isclose(loss[1], loss1)
    assert all(np.allclose(grads[key][1], grads1[key]) for key in grads)


def test_init_draws_instance_i_from_its_own_generator():
    many = init_neuron_params(6, 2, instance_generators(0, 3))
    alone = init_neuron_params(6, 2, instance_generators(0, 1))
    assert np.array_equal(many["W"][0], alone["W"][0])
    assert many["W"].shape == (3, 2, 6) and np.all(many["b"] == 0)
    assert abs(many["W"].std() - np.sqrt(2 / 8)) < 0.2
    as_tuple = init_neuron_params(6, 2, tuple(instance_generators(0, 3)))
    assert np.array_equal(as_tuple["W"], many["W"])


def test_training_is_reproducible_and_instance_0_as_alone():
    kw = dict(seed=4, steps=15, batch_size=8)
    a, run = train_neuron_model(5, 2, [0.3, 0.9], 0.8 ** np.arange(5), **kw)
    b, _ = train_neuron_model(5, 2, [0.3, 0.9], 0.8 ** np.arange(5), **kw)
    alone, _ = train_neuron_model(5, 2, [0.3], 0.8 ** np.arange(5), **kw)
    assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["W"][:1], alone["W"])
    assert run.losses.shape[1] == 2


def test_dense_training_finds_dedicated_neurons():
    params, _ = train_neuron_model(
        6, 3, [0.3], 0.7 ** np.arange(6), seed=0, steps=1500, batch_size=64
    )
    kinds = count_neuron_kinds(params["W"])
    assert kinds["monosemantic"][0] == 3


def test_counting_rule():
    W = np.array([[1.0, 0.2, 0.0], [0.5, -0.5, 0.0], [0.0, 0.09, 0.0]])
    assert neuron_features(W).tolist() == [
        [True, False, False],
        [True, True, False],
        [False, False, False],
    ]
    counts = count_neuron_kinds(np.stack([W, np.eye(3)]))
    assert counts["monosemantic"].tolist() == [1, 3]
    assert counts["polysemantic"].tolist() == [1, 0] and counts["dead"].tolist() == [
        1,
        0,
    ]
    assert NEURON_KINDS == tuple(counts)
    assert count_neuron_kinds(W, relative=0.1)["polysemantic"] == 2


def test_no_superposition_loss():
    importance = 0.75 ** np.arange(10)
    p = 0.3
    want = importance[5:].sum() * (p / 3 - p**2 / 4)
    assert np.isclose(no_superposition_loss(importance, 0.7, 5), want)
    assert no_superposition_loss(importance, 0.7, 10) == 0.0
    assert no_superposition_loss(importance, 0.7, 20) == 0.0
    shuffled = importance[::-1]  # the most important are kept, wherever they are
    assert np.isclose(no_superposition_loss(shuffled, 0.7, 5), want)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: neuron_forward({"W": np.ones((2, 3))}, np.ones((4, 3))), "params"),
        (
            lambda: neuron_forward(
                {"W": np.ones((2, 3)), "b": np.ones(3)}, np.ones((4, 2))
            ),
            "X",
        ),
        (
            lambda: neuron_forward(
                {"W": np.ones((2, 3)), "b": np.ones(3)}, np.ones((0, 3))
            ),
            "X",
        ),
        (
            lambda: neuron_loss_and_gradients(
                {"W": np.ones((2, 3)), "b": np.ones(3)}, np.ones((4, 3)), -np.ones(3)
            ),
            "importance",
        ),
        (
            lambda: neuron_forward(
                {"W": np.full((2, 3), 1e200), "b": np.ones(3)}, np.ones((4, 3))
            ),
            "overflows",
        ),
        (lambda: train_neuron_model(3, 2, 0.5, np.ones(3)), "sparsity"),
        (lambda: train_neuron_model(3, 2, [1.0], np.ones(3)), "sparsity"),
        (lambda: train_neuron_model(3, 2, [0.5], np.full(3, 1e200)), "importance"),
        (lambda: train_neuron_model(3, 2, [0.5], np.ones(2)), "importance"),
        (lambda: neuron_features(np.ones((2, 3)), relative=0.0), "relative"),
        (lambda: no_superposition_loss(np.ones(3), 0.5, -1), "n_dedicated"),
        (lambda: no_superposition_loss(np.ones(3), 0.5, True), "n_dedicated"),
        (lambda: no_superposition_loss(np.ones(3), np.ones(2) * 0.5, 1), "sparsity"),
    ],
)
def test_bad_input_is_refused_by_name(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()

"""superposition_lib.backprop: gradients against finite differences; checks can fail."""

import numpy as np
import pytest

from superposition_lib.backprop import (
    loss_gradients,
    loss_gradients_per_sample,
    numerical_gradient,
    relative_error,
)
from superposition_lib.data import feature_importance, generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward


def problem(n=6, k=3, batch=24, n_instances=None, seed=0):
    """A random model with non-zero bias (away from ReLU kinks) and sparse data."""
    rng = np.random.default_rng(seed)
    lead = () if n_instances is None else (n_instances,)
    params = {
        "W": rng.normal(0, 0.5, lead + (k, n)),
        "b": rng.normal(0, 0.2, lead + (n,)),
    }
    X = generate_sparse_data(batch, n, 0.5, rng, n_instances=n_instances)
    return params, X, feature_importance(n)


def loss_of(X, importance, activation="relu"):
    return lambda p: float(
        np.sum(weighted_loss(X, forward(p, X, activation)[2], importance))
    )


@pytest.mark.parametrize(
    "n, k, n_instances, activation",
    [
        (6, 3, None, "relu"),
        (4, 1, None, "relu"),
        (7, 2, None, "linear"),
        (5, 2, 3, "relu"),
        (5, 2, 2, "linear"),
    ],
)
def test_gradients_match_central_differences(n, k, n_instances, activation):
    params, X, importance = problem(n, k, 16, n_instances)
    numeric = numerical_gradient(loss_of(X, importance, activation), params)
    assert (
        relative_error(loss_gradients(params, X, importance, activation), numeric)
        < 1e-6
    )
    assert (
        relative_error(
            loss_gradients_per_sample(params, X, importance, activation), numeric
        )
        < 1e-6
    )


def test_perturbed_gradient_fails_the_check():
    """The check can fail: a gradient off by a little in one entry is caught."""
    params, X, importance = problem()
    numeric = numerical_gradient(loss_of(X, importance), params)
    right = loss_gradients(params, X, importance)
    assert relative_error(right, numeric) < 1e-6
    wrong = {key: value.copy() for key, value in right.items()}
    wrong["W"][1, 2] += 0.01 * np.linalg.norm(right["W"])
    assert relative_error(wrong, numeric) > 1e-3
    # The original document's gradient, that of the summed loss:
    summed = {key: value * len(X) for key, value in right.items()}
    assert relative_error(summed, numeric) == pytest.approx(1 - 1 / len(X), rel=1e-6)


def test_loop_and_batched_forms_agree_with_per_instance_importance():
    params, X, _ = problem(5, 2, 32, n_instances=3)
    importance = np.random.default_rng(1).uniform(0.1, 1.0, (3, 5))
    batched = loss_gradients(params, X, importance)
    looped = loss_gradients_per_sample(params, X, importance)
    assert relative_error(batched, looped) < 1e-12
    for i in range(3):
        alone = loss_gradients(
            {"W": params["W"][i], "b": params["b"][i]}, X[i], importance[i]
        )
        assert relative_error(alone["W"], batched["W"][i]) < 1e-12


def test_gradient_shapes_and_float32():
    params, X, importance = problem(5, 2, 8, n_instances=4)
    grads = loss_gradients(params, X, importance)
    assert grads["W"].shape == (4, 2, 5) and grads["b"].shape == (4, 5)
    p32 = {key: value.astype(np.float32) for key, value in params.items()}
    g32 = loss_gradients(p32, X.astype(np.float32), importance.astype(np.float32))
    assert g32["W"].dtype == np.float32
    assert relative_error(g32, grads) < 1e-5


def test_numerical_gradient_of_a_known_function_and_no_side_effects():
    params = {"a": np.array([1.0, -2.0]), "B": np.array([[0.5, 3.0], [1.0, 0.0]])}
    before = {key: value.copy() for key, value in params.items()}
    grads = numerical_gradient(
        lambda p: np.sum(p["a"] ** 3) + np.sum(p["B"] ** 2), params
    )
    assert np.allclose(grads["a"], 3 * before["a"] ** 2, rtol=1e-8)
    assert np.allclose(grads["B"], 2 * before["B"], rtol=1e-8, atol=1e-9)
    for key in params:
        assert np.array_equal(params[key], before[key]), "params must not be modified"


def test_relative_error_properties():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, 2 * a) == pytest.approx(0.5)
    assert relative_error({"x": a}, {"x": a * (1 + 1e-9)}) < 1e-8
    with pytest.raises(ValueError, match="same keys"):
        relative_error({"x": a}, {"y": a})
    with pytest.raises(ValueError, match="b"):
        relative_error(a, np.ones(4))
    with pytest.raises(ValueError, match="finite"):
        relative_error(a, np.array([1.0, np.nan, 3.0]))


@pytest.mark.parametrize(
    "call, error, word",
    [
        (lambda p, X, I: loss_gradients({"W": p["W"]}, X, I), TypeError, "params"),
        (lambda p, X, I: loss_gradients(p, X[:, :3], I), ValueError, "X"),
        (lambda p, X, I: loss_gradients(p, X, I[:3]), ValueError, "importance"),
        (lambda p, X, I: loss_gradients(p, X, -I), ValueError, "importance"),
        (
            lambda p, X, I: loss_gradients(p, X, I, activation="tanh"),
            ValueError,
            "activation",
        ),
        (
            lambda p, X, I: loss_gradients({"W": p["W"], "b": p["b"][:2]}, X, I),
            ValueError,
            "b",
        ),
        (lambda p, X, I: numerical_gradient(3.0, p), TypeError, "f"),
        (lambda p, X, I: numerical_gradient(lambda q: 0.0, p, h=0.0), ValueError, "h"),
        (
            lambda p, X, I: numerical_gradient(lambda q: np.ones(2), p),
            ValueError,
            "scalar",
        ),
        (
            lambda p, X, I: numerical_gradient(lambda q: np.nan, p),
            FloatingPointError,
            "nan",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, error, word):
    params, X, importance = problem()
    with pytest.raises(error, match=word):
        call(params, X, importance)


def test_float32_model_with_float64_importance_stays_float32():
    params, X, importance = problem(5, 2, 8)
    p32 = {key: value.astype(np.float32) for key, value in params.items()}
    grads = loss_gradients(p32, X.astype(np.float32), importance)
    assert grads["W"].dtype == grads["b"].dtype == np.float32


@pytest.mark.parametrize(
    "spell",
    [np.asfortranarray, lambda A: np.ascontiguousarray(A.T).T, lambda A: A[:, ::1]],
    ids=["Fortran-ordered", "transposed", "a view"],
)
def test_numerical_gradient_perturbs_the_point_f_sees(spell):
    """It once perturbed a copy of a Fortran-ordered or transposed array and returned
    zeros: the gradient must not depend on the memory layout of params."""
    params, X, importance = problem()
    want = loss_gradients(params, X, importance)
    spelt = {"W": spell(params["W"]), "b": params["b"]}
    got = numerical_gradient(loss_of(X, importance), spelt)
    assert relative_error(got, want) < 1e-6


@pytest.mark.parametrize("fn", [loss_gradients, loss_gradients_per_sample])
def test_no_samples_or_too_large_an_input_is_refused_by_name(fn):
    params, X, importance = problem()
    with pytest.raises(ValueError, match="X must hold at least one sample"):
        fn(params, X[:0], importance)
    with pytest.raises(ValueError, match=r"params\['W'\]"), np.errstate(all="raise"):
        fn({**params, "W": params["W"] * 1e300}, X, importance)
    with (
        pytest.raises(ValueError, match="gradients overflow"),
        np.errstate(all="raise"),
    ):
        fn(params, X * 1e300, importance)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_relative_error_ignores_any_common_scale(scale):
    a = np.array([1.0, 2.0, 3.0])
    b = a + np.array([1e-6, 0.0, -2e-6])
    with np.errstate(all="raise"):
        assert relative_error(scale * a, scale * b) == pytest.approx(
            relative_error(a, b), rel=1e-9
        )
    assert relative_error(np.array([1e308]), np.array([-1e308])) == 2.0
    with pytest.raises(ValueError, match="b must have the shape of a"):
        relative_error(a, a[None])

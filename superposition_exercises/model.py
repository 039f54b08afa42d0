"""Checks for the exercises of "The toy autoencoder"."""

import numpy as np

from superposition_exercises.assertions import learner_call, learner_number
from superposition_lib.conventions import transpose_last
from superposition_lib.model import forward, init_params

# The three inputs of the antipodal exercise, in the order of its predictions.
ANTIPODAL_INPUTS = np.array([[0.5, 0.0], [0.0, 0.8], [0.5, 0.8]])


def _predictions(value, name):
    """A (3, 2) array of predicted outputs, or an AssertionError saying so."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape != (3, 2):
        raise AssertionError(
            f"{name} must hold your predicted x_hat for the three inputs, one row "
            f"each (shape (3, 2)), got {value!r}"
        )
    return array


def check_antipodal_exercise(antipodal_params, predicted_relu, predicted_linear):
    """The parameters through forward, and the predictions against the true outputs."""
    predicted_relu = _predictions(predicted_relu, "predicted_relu")
    predicted_linear = _predictions(predicted_linear, "predicted_linear")
    params = learner_call(antipodal_params)
    assert isinstance(params, dict) and {"W", "b"} <= params.keys(), (
        "antipodal_params() must return a dict with keys 'W' and 'b', as init_params"
    )
    assert np.shape(params["W"]) == (1, 2), (
        f"W is (k, n) = (1, 2): k = 1 hidden dimension, n = 2 features; got shape "
        f"{np.shape(params['W'])}"
    )
    truth = {"W": np.array([[1.0, -1.0]]), "b": np.zeros(2)}
    for activation, predicted in [
        ("relu", predicted_relu),
        ("linear", predicted_linear),
    ]:
        got = learner_call(forward, params, ANTIPODAL_INPUTS, activation)[2]
        want = forward(truth, ANTIPODAL_INPUTS, activation)[2]
        for x, got_row, want_row, guess in zip(ANTIPODAL_INPUTS, got, want, predicted):
            assert np.allclose(got_row, want_row), (
                f"{activation} model, x = {x}: your parameters give {got_row}, "
                f"W = (1, -1), b = 0 gives {want_row}: a sign, or a non-zero bias?"
            )
            assert np.allclose(guess, want_row), (
                f"{activation} model, x = {x}: you predicted {guess}, forward gives "
                f"{want_row}: x_linear = (x_1 - x_2, x_2 - x_1)"
                + (
                    ", and the ReLU zeroes its negative entry"
                    if activation == "relu"
                    else ""
                )
            )
    print("antipodal pair: the ReLU model recovers each feature when it is alone")


def check_xavier_moments_exercise(expected_diagonal, expected_offdiagonal_square):
    """Closed forms against 2,000 independent initialisations (5 standard errors)."""
    Ws = init_params(20, 5, rng=12, init="xavier", n_instances=2000)["W"]
    gram = transpose_last(Ws) @ Ws
    hints = {
        "diagonal": "a diagonal entry sums k squares, each with mean sigma^2: a "
        "standard deviation where a variance belongs, or the factor k missing?",
        "off-diagonal squared": "an off-diagonal entry sums k products of independent "
        "draws, each with second moment sigma^4: the factor k, or the power of sigma?",
    }
    diagonal = learner_number(expected_diagonal, 20, 5)
    off_square = learner_number(expected_offdiagonal_square, 20, 5)
    cases = [
        ("diagonal", gram[:, 0, 0], diagonal),
        ("off-diagonal squared", gram[:, 0, 1] ** 2, off_square),
    ]
    for name, values, predicted in cases:
        bound = 5 * values.std() / np.sqrt(values.size)
        assert abs(values.mean() - predicted) < bound, (
            f"{name}: simulated {values.mean():.4f}, predicted {predicted:.4f}: "
            + hints[name]
        )
    print(f"E[(W^T W)_ii] = {diagonal:.3f}, E[(W^T W)_ij^2] = {off_square:.4f}")

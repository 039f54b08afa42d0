"""Checks for the exercises of "Superposition in a privileged basis" (chapter 18)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.data import generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward
from superposition_lib.privileged import neuron_forward, neuron_loss_and_gradients


def _problem():
    """A 10 -> 5 neuron model with non-zero bias on a sparse batch: many neurons off."""
    rng = np.random.default_rng(18)
    W, b = rng.normal(0.0, 0.5, (5, 10)), rng.normal(0.0, 0.2, 10)
    return W, b, generate_sparse_data(48, 10, 0.6, rng), 0.75 ** np.arange(10)


def check_neuron_gradient_exercise(neuron_gradient_W):
    """`neuron_gradient_W(W, b, X, importance)`: dL/dW of one neuron model (18.7)."""
    W, b, X, importance = _problem()
    got = learner_call(
        neuron_gradient_W,
        W.copy(),
        b.copy(),
        X.copy(),
        importance.copy(),
        on="a 10 → 5 neuron model and a batch of 48 samples",
    )
    got = np.asarray(got, dtype=float)
    assert got.shape == W.shape, f"dL/dW has W's shape {W.shape}, got {got.shape}"
    right = neuron_loss_and_gradients({"W": W, "b": b}, X, importance)[1]["W"]
    h, x_linear, x_hat = neuron_forward({"W": W, "b": b}, X)
    delta = (2 / len(X)) * importance * (x_hat - X) * (x_linear > 0)
    mistakes = {
        "the hidden ReLU is missing from the encoder term: multiply ∂L/∂h = Δ Wᵀ by "
        "1[h > 0] (eq. 18.6) before the product with X": h.T @ delta
        + (delta @ W.T).T @ X,
        "only the decoder term Hᵀ Δ: W also encodes, add the term G_Zᵀ X (eq. 18.7)": (
            h.T @ delta
        ),
        "only the encoder term: add the decoder term Hᵀ Δ (eq. 18.7)": right
        - h.T @ delta,
        "B times too large: the loss is a mean over the batch, so Δ carries 2/B "
        "(eq. 18.4)": right * len(X),
    }
    for message, wrong in mistakes.items():
        assert relative_error(got, wrong) > 1e-6, message
    numeric = numerical_gradient(
        lambda p: weighted_loss(X, neuron_forward(p, X)[2], importance),
        {"W": W, "b": b},
    )["W"]
    error = relative_error(got, numeric)
    assert error < 1e-6, (
        f"dL/dW differs from finite differences (relative error {error:.2g}); "
        "compare your Δ, G_H and G_Z with eqs. 18.4-18.6 one by one"
    )
    print("neuron gradient: all checks passed")


def _two_numbers(values, name):
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        out = None
    if out is None or out.shape != (2,):
        raise AssertionError(
            f"{name} must be your predicted x̂, two numbers, got {values!r}"
        )
    return out


def check_one_neuron_predictions(same_sign, opposite_sign, without_hidden_relu):
    """Predicted x̂ of a one-neuron model for two weight signs, with and without ReLU."""
    same_sign = _two_numbers(same_sign, "same_sign")
    opposite_sign = _two_numbers(opposite_sign, "opposite_sign")
    without_hidden_relu = _two_numbers(without_hidden_relu, "without_hidden_relu")
    b = np.zeros(2)
    want_same = neuron_forward({"W": np.array([[1.0, 1.0]]), "b": b}, [[1.0, 0.0]])[2]
    assert np.allclose(same_sign, want_same[0]), (
        "(a) h = ReLU(1·1 + 1·0) = 1 and x̂ = ReLU(Wᵀh): both features receive h, so "
        "feature 2 gets the interference in full"
    )
    opposite = {"W": np.array([[1.0, -1.0]]), "b": b}
    want_opposite = neuron_forward(opposite, [[0.0, 1.0]])[2]
    assert np.allclose(opposite_sign, want_opposite[0]), (
        "(b) the neuron is off: h = ReLU(1·0 + (−1)·1) = ReLU(−1) = 0, so nothing "
        "reaches the output"
    )
    want_linear = forward(opposite, np.array([0.0, 1.0]))[2]
    assert np.allclose(without_hidden_relu, want_linear), (
        "(c) without the hidden ReLU, z = −1 passes: x̂ = ReLU(Wᵀz) = ReLU((−1, 1))"
    )
    print("one-neuron predictions: all three right")

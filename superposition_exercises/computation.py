"""Checks for the exercises of "Computation in superposition" (chapter 19)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.computation import abs_forward, abs_loss_and_gradients
from superposition_lib.loss import weighted_loss


def _problem():
    """A 10 -> 4 |x| model with non-zero bias on a signed sparse batch."""
    rng = np.random.default_rng(19)
    params = {
        "W1": rng.normal(0.0, 0.6, (4, 10)),
        "W2": rng.normal(0.0, 0.6, (10, 4)),
        "b": rng.normal(0.0, 0.2, 10),
    }
    u = rng.random((48, 10))
    X = np.where(u < 0.6, 2 * u / 0.6 - 1, 0.0)
    return params, X, 0.8 ** np.arange(10)


def check_abs_gradients_exercise(abs_gradients):
    """`abs_gradients(W1, W2, b, X, importance)`: eqs. 19.3-19.5 for one model."""
    params, X, importance = _problem()
    got = learner_call(
        abs_gradients,
        params["W1"].copy(),
        params["W2"].copy(),
        params["b"].copy(),
        X.copy(),
        importance.copy(),
        on="a 10 → 4 model and a batch of 48 samples",
    )
    if not isinstance(got, dict) or set(got) != {"W1", "W2", "b"}:
        raise AssertionError(
            f"return a dict with keys 'W1', 'W2' and 'b', got {type(got).__name__}"
            + (f" with keys {sorted(got)}" if isinstance(got, dict) else "")
        )
    got = {key: np.asarray(value, dtype=float) for key, value in got.items()}
    for key in got:
        assert got[key].shape == params[key].shape, (
            f"the gradient of {key} has {key}'s shape {params[key].shape}, got "
            f"{got[key].shape}"
            + (" (W2's gradient is Δᵀ H, eq. 19.4)" if key == "W2" else "")
        )
    right = abs_loss_and_gradients(params, X, importance)[1]
    h, y_linear, y_hat = abs_forward(params, X)
    delta_x = (2 / len(X)) * importance * (y_hat - X) * (y_linear > 0)
    delta = (2 / len(X)) * importance * (y_hat - np.abs(X)) * (y_linear > 0)
    if relative_error(got["b"], delta_x.sum(axis=0)) < 1e-9:
        raise AssertionError(
            "the target is |x|, not x: Δ = (2/B) I ⊙ (y' − |X|) ⊙ 1[y'_lin > 0] (19.3)"
        )
    assert relative_error(got["W1"], (delta @ params["W2"]).T @ X) > 1e-6, (
        "W1's gradient is missing the hidden ReLU's mask: G_Z = (Δ W2) ⊙ 1[H > 0] "
        "(19.5)"
    )
    assert relative_error(got["b"], right["b"] * len(X)) > 1e-6, (
        "B times too large: the loss is a mean over the batch, Δ carries 2/B (19.3)"
    )
    numeric = numerical_gradient(
        lambda p: weighted_loss(np.abs(X), abs_forward(p, X)[2], importance), params
    )
    for key in ("b", "W2", "W1"):
        error = relative_error(got[key], numeric[key])
        assert error < 1e-6, (
            f"the gradient of {key} differs from finite differences (relative error "
            f"{error:.2g}); compare it with eqs. 19.3-19.5"
        )
    print("|x| model gradients: all checks passed")


def _two_numbers(values, name):
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        out = None
    if out is None or out.shape != (2,):
        raise AssertionError(
            f"{name} must be your predicted y', two numbers, got {values!r}"
        )
    return out


def check_asymmetric_predictions(a_on, b_negative):
    """Predicted y' of the paper's asymmetric neuron for x = (1, 0) and (0, -1)."""
    a_on = _two_numbers(a_on, "a_on")
    b_negative = _two_numbers(b_negative, "b_negative")
    model = {
        "W1": np.array([[2.0, -0.5]]),
        "W2": np.array([[0.5], [2.0]]),
        "b": np.zeros(2),
    }
    want_a = abs_forward(model, np.array([[1.0, 0.0]]))[2][0]
    assert np.isclose(a_on[0], want_a[0]), (
        "(a) h = ReLU(2·1 − ½·0) = 2, and output a = ½ · 2: feature a comes out exactly"
    )
    assert np.isclose(a_on[1], want_a[1]), (
        "(a) output b = 2 · h = 2 · 2: the large output weight of b multiplies a's "
        "large input weight"
    )
    want_b = abs_forward(model, np.array([[0.0, -1.0]]))[2][0]
    assert np.allclose(b_negative, want_b), (
        "(b) h = ReLU(2·0 − ½·(−1)) = ½; the outputs are W2 h = (½ · ½, 2 · ½)"
    )
    print("asymmetric superposition: both predictions right")

"""Checks for the exercises of "Backpropagation by hand"."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.data import feature_importance, generate_sparse_data
from superposition_lib.loss import weighted_loss


def _untied_problem():
    """A random untied autoencoder (n = 6, k = 3) with non-zero bias, and its data."""
    rng = np.random.default_rng(1)
    n, k = 6, 3
    params = {
        "W_e": rng.normal(0, 0.5, (k, n)),
        "W_d": rng.normal(0, 0.5, (n, k)),
        "b": rng.normal(0, 0.2, n),
    }
    return params, generate_sparse_data(32, n, 0.5, rng), feature_importance(n)


def _untied_without_mask(params, X, importance):
    """The likely mistake: the gradient with the ReLU's mask (eq. 5.2) left out."""
    Z = X @ params["W_e"].T
    x_recon = np.maximum(Z @ params["W_d"].T + params["b"], 0)
    delta = (2 / len(X)) * importance * (x_recon - X)
    grad_W_e = (delta @ params["W_d"]).T @ X
    return {"W_d": delta.T @ Z, "W_e": grad_W_e, "b": delta.sum(axis=0)}


def check_untied_gradients_exercise(untied_gradients):
    """`untied_gradients(params, X, importance)` against finite differences."""
    params, X, importance = _untied_problem()

    def loss(p):
        x_recon = np.maximum(X @ p["W_e"].T @ p["W_d"].T + p["b"], 0)
        return weighted_loss(X, x_recon, importance)

    numeric = numerical_gradient(loss, params)
    copies = {key: value.copy() for key, value in params.items()}
    mine = learner_call(untied_gradients, copies, X, importance)
    assert isinstance(mine, dict) and set(mine) == {"W_e", "W_d", "b"}, (
        "return a dict with the keys W_e, W_d and b"
    )
    unmasked = _untied_without_mask(params, X, importance)
    for key in ("b", "W_d", "W_e"):
        got = np.asarray(mine[key], dtype=float)
        assert got.shape == params[key].shape, (
            f"the gradient of {key} has shape {got.shape}, {key} has shape "
            f"{params[key].shape}: is it transposed?"
        )
        err = relative_error(got, numeric[key])
        if err < 1e-6:
            continue
        if abs(err - (1 - 1 / len(X))) < 1e-3:
            raise AssertionError(
                f"the gradient of {key} is {len(X)} times too large: the loss is a "
                "mean over the batch, so divide by the batch size"
            )
        if relative_error(got, unmasked[key]) < 1e-6:
            raise AssertionError(
                f"the gradient of {key} ignores the ReLU: multiply by its derivative, "
                "the mask x_linear > 0 (eq. 5.2)"
            )
        raise AssertionError(
            f"the gradient of {key} is wrong (relative error {err:.2e}): {key} is "
            "used once now, so it gets one chain-rule term"
        )
    print("untied_gradients: all checks passed")


def check_kink_gradients_exercise(kink_gradients):
    """`kink_gradients()` returns (analytic, numeric) dL/db at W = 0, b = 0."""
    pair = learner_call(kink_gradients)
    assert isinstance(pair, tuple) and len(pair) == 2, (
        "return the pair (analytic_b, numeric_b)"
    )
    analytic, numeric = (np.asarray(value, dtype=float) for value in pair)
    assert analytic.shape == numeric.shape == (4,), (
        "return two arrays of shape (4,): the gradients with respect to b, n = 4"
    )
    assert np.all(analytic == 0), (
        "ReLU'(0) = 0, so at the kink the analytic gradient is exactly 0: did you "
        "use b = 0 and W = 0?"
    )
    assert np.all(numeric < 0), (
        "central differences at the kink see half of the one-sided slope, which is "
        "negative: did you use b = 0 and W = 0, and take the gradient of b?"
    )
    print(
        "kink: all checks passed; analytic", analytic, "numeric", np.round(numeric, 4)
    )

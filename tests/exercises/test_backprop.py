import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import backprop as checks
from superposition_lib import (
    feature_importance,
    forward,
    generate_sparse_data,
    loss_gradients,
    numerical_gradient,
    weighted_loss,
)

CHAPTER = "05_backprop"


def mean_loss(params, X, importance, activation="relu"):
    """The chapter's helper, which its kink solution uses."""
    x_recon = forward(params, X, activation=activation)[2]
    return float(np.sum(weighted_loss(X, x_recon, importance)))


def untied(params, X, importance, *, scale=1.0, mask=True, transpose_W_d=False):
    """The untied gradients, right or with one of the likely mistakes."""
    Z = X @ params["W_e"].T
    x_linear = Z @ params["W_d"].T + params["b"]
    delta = (2 / len(X)) * importance * (np.maximum(x_linear, 0) - X) * scale
    if mask:
        delta = delta * (x_linear > 0)
    grad_W_d = delta.T @ Z
    return {
        "W_d": grad_W_d.T if transpose_W_d else grad_W_d,
        "W_e": (delta @ params["W_d"]).T @ X,
        "b": delta.sum(axis=0),
    }


@right("check_untied_gradients_exercise")
def test_untied_passes_the_book_solution():
    book = solution(CHAPTER, "backprop-ex-untied")["untied_gradients"]
    checks.check_untied_gradients_exercise(book)
    checks.check_untied_gradients_exercise(untied)


@wrong("check_untied_gradients_exercise")
def test_untied_catches_the_summed_loss():
    def summed(params, X, importance):
        return untied(params, X, importance, scale=len(X))

    with pytest.raises(AssertionError, match="divide by the batch size"):
        checks.check_untied_gradients_exercise(summed)


@wrong("check_untied_gradients_exercise")
def test_untied_catches_a_missing_relu_mask():
    def unmasked(params, X, importance):
        return untied(params, X, importance, mask=False)

    with pytest.raises(AssertionError, match="ignores the ReLU"):
        checks.check_untied_gradients_exercise(unmasked)


@wrong("check_untied_gradients_exercise")
def test_untied_catches_a_transposed_gradient_and_a_wrong_term():
    def transposed(params, X, importance):
        return untied(params, X, importance, transpose_W_d=True)

    with pytest.raises(AssertionError, match="transposed"):
        checks.check_untied_gradients_exercise(transposed)

    def tied_habit(params, X, importance):
        grads = untied(params, X, importance)
        grads["W_e"] = grads["W_e"] + grads["W_d"].T  # a second term, as if tied
        return grads

    with pytest.raises(AssertionError, match="W_e is wrong"):
        checks.check_untied_gradients_exercise(tied_habit)


@wrong("check_untied_gradients_exercise")
def test_untied_turns_a_crash_into_a_message():
    def crashes(params, X, importance):
        return {"W_e": params["W_e"] @ X}  # shapes do not match

    with pytest.raises(AssertionError, match="raised ValueError"):
        checks.check_untied_gradients_exercise(crashes)


@right("check_kink_gradients_exercise")
def test_kink_passes_the_book_solution():
    book = solution(CHAPTER, "backprop-ex-kink", {"mean_loss": mean_loss})
    checks.check_kink_gradients_exercise(book["kink_gradients"])


@wrong("check_kink_gradients_exercise")
def test_kink_catches_a_point_off_the_kink():
    def off_the_kink():
        rng = np.random.default_rng(2)
        params = {"W": np.zeros((2, 4)), "b": np.full(4, 0.1)}  # not on the kink
        X = generate_sparse_data(64, 4, 0.5, rng)
        importance = feature_importance(4)
        analytic = loss_gradients(params, X, importance)["b"]
        numeric = numerical_gradient(lambda p: mean_loss(p, X, importance), params)
        return analytic, numeric["b"]

    with pytest.raises(AssertionError, match="b = 0 and W = 0"):
        checks.check_kink_gradients_exercise(off_the_kink)


@wrong("check_kink_gradients_exercise")
def test_kink_catches_the_wrong_shape():
    def W_gradients():
        params = {"W": np.zeros((2, 4)), "b": np.zeros(4)}
        X = generate_sparse_data(64, 4, 0.5, np.random.default_rng(2))
        return loss_gradients(params, X, feature_importance(4))["W"], np.zeros(4)

    with pytest.raises(AssertionError, match="shape"):
        checks.check_kink_gradients_exercise(W_gradients)

import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import privileged as checks

CHAPTER = "18_privileged_basis"


# ---- the neuron model's gradient dL/dW
@right("check_neuron_gradient_exercise")
def test_gradient_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "privileged-ex-gradient")["neuron_gradient_W"]
    checks.check_neuron_gradient_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def _parts(W, b, X, importance):
    h = np.maximum(X @ W.T, 0.0)
    x_linear = h @ W + b
    delta = (2 / len(X)) * importance * (np.maximum(x_linear, 0) - X) * (x_linear > 0)
    return h, delta


def no_mask(W, b, X, importance):
    h, delta = _parts(W, b, X, importance)
    return h.T @ delta + (delta @ W.T).T @ X


def decoder_only(W, b, X, importance):
    h, delta = _parts(W, b, X, importance)
    return h.T @ delta


def summed(W, b, X, importance):
    h, delta = _parts(W, b, X, importance)
    return len(X) * (h.T @ delta + ((delta @ W.T) * (h > 0)).T @ X)


def output_mask_forgotten(W, b, X, importance):
    h = np.maximum(X @ W.T, 0.0)
    x_hat = np.maximum(h @ W + b, 0)
    delta = (2 / len(X)) * importance * (x_hat - X)  # no 1[x_lin > 0]
    return h.T @ delta + ((delta @ W.T) * (h > 0)).T @ X


@pytest.mark.parametrize(
    "fn, message",
    [
        (no_mask, "hidden ReLU is missing"),
        (decoder_only, "only the decoder term"),
        (summed, "B times too large"),
        (output_mask_forgotten, "differs from finite differences"),
        (lambda W, b, X, importance: W.T, "has W's shape"),
        (lambda W, b, X, importance: W @ X, "raised ValueError"),
    ],
)
@wrong("check_neuron_gradient_exercise")
def test_gradient_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_neuron_gradient_exercise(fn)


# ---- one neuron, predicted
@right("check_one_neuron_predictions")
def test_predictions_pass_the_book_solution(capsys):
    answers = solution(CHAPTER, "privileged-ex-predict")
    checks.check_one_neuron_predictions(
        answers["same_sign"], answers["opposite_sign"], answers["without_hidden_relu"]
    )
    assert "all three right" in capsys.readouterr().out


@pytest.mark.parametrize(
    "same, opposite, linear, message",
    [
        ([1.0, 0.0], [0.0, 0.0], [0.0, 1.0], r"\(a\)"),
        ([1.0, 1.0], [0.0, 1.0], [0.0, 1.0], r"\(b\) the neuron is off"),
        ([1.0, 1.0], [0.0, 0.0], [0.0, 0.0], r"\(c\) without the hidden ReLU"),
        ([1.0], [0.0, 0.0], [0.0, 1.0], "two numbers"),
        ("yes", [0.0, 0.0], [0.0, 1.0], "two numbers"),
    ],
)
@wrong("check_one_neuron_predictions")
def test_predictions_catch_the_likely_mistakes(same, opposite, linear, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_one_neuron_predictions(same, opposite, linear)

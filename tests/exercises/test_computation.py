import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import computation as checks

CHAPTER = "19_computation"


# ---- the |x| model's gradients
@right("check_abs_gradients_exercise")
def test_gradients_pass_the_book_solution(capsys):
    fn = solution(CHAPTER, "computation-ex-gradient")["abs_gradients"]
    checks.check_abs_gradients_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def _gradients(W1, W2, b, X, importance, *, target=np.abs, mask=True, scale=1.0):
    h = np.maximum(X @ W1.T, 0.0)
    y_linear = h @ W2.T + b
    delta = scale * (2 / len(X)) * importance * (np.maximum(y_linear, 0) - target(X))
    delta = delta * (y_linear > 0)
    grad_z = (delta @ W2) * ((h > 0) if mask else 1.0)
    return {"W1": grad_z.T @ X, "W2": delta.T @ h, "b": delta.sum(axis=0)}


def target_x(*args):
    return _gradients(*args, target=lambda X: X)


def no_mask(*args):
    return _gradients(*args, mask=False)


def summed(*args):
    return _gradients(*args, scale=16.0 * 3)


def transposed(*args):
    grads = _gradients(*args)
    return {**grads, "W2": grads["W2"].T}


def wrong_W2(*args):
    grads = _gradients(*args)
    return {**grads, "W2": -grads["W2"]}


@pytest.mark.parametrize(
    "fn, message",
    [
        (target_x, "the target is |x|"),
        (no_mask, "hidden ReLU's mask"),
        (summed, "B times too large"),
        (transposed, "W2's gradient is Δᵀ H"),
        (wrong_W2, "gradient of W2 differs"),
        (lambda *args: [1, 2, 3], "return a dict"),
        (lambda *args: 1 / 0, "raised ZeroDivisionError"),
    ],
)
@wrong("check_abs_gradients_exercise")
def test_gradients_catch_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_abs_gradients_exercise(fn)


# ---- the asymmetric neuron, predicted
@right("check_asymmetric_predictions")
def test_predictions_pass_the_book_solution(capsys):
    answers = solution(CHAPTER, "computation-ex-asymmetric")
    checks.check_asymmetric_predictions(answers["a_on"], answers["b_negative"])
    assert "both predictions right" in capsys.readouterr().out


@pytest.mark.parametrize(
    "a_on, b_negative, message",
    [
        ([2.0, 4.0], [0.25, 1.0], r"\(a\) h = ReLU"),
        ([1.0, 1.0], [0.25, 1.0], r"\(a\) output b"),
        ([1.0, 4.0], [0.0, 1.0], r"\(b\)"),
        ([1.0], [0.25, 1.0], "two numbers"),
    ],
)
@wrong("check_asymmetric_predictions")
def test_predictions_catch_the_likely_mistakes(a_on, b_negative, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_asymmetric_predictions(a_on, b_negative)

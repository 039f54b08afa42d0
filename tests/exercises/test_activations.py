import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import activations as checks
from superposition_lib import check_array

CHAPTER = "02_relu"


@right("check_leaky_relu_exercise")
def test_leaky_relu_passes_the_book_solution():
    found = solution(CHAPTER, "relu-ex-leaky")
    checks.check_leaky_relu_exercise(
        found["leaky_relu"], found["leaky_relu_derivative"]
    )


def leaky_relu(x, a):
    x = check_array(x, "x")
    return np.where(x > 0, x, x * x.dtype.type(a))


@wrong("check_leaky_relu_exercise")
def test_leaky_relu_catches_slope_one_at_zero():
    def derivative(x, a):
        x = check_array(x, "x")
        return np.where(x >= 0, x.dtype.type(1), x.dtype.type(a))

    with pytest.raises(AssertionError, match="x >= 0 instead of x > 0"):
        checks.check_leaky_relu_exercise(leaky_relu, derivative)


@wrong("check_leaky_relu_exercise")
def test_leaky_relu_catches_a_forgotten_negative_slope():
    def derivative(x, a):
        x = check_array(x, "x")
        return (x > 0).astype(x.dtype)

    with pytest.raises(AssertionError, match="slope a on the negative side"):
        checks.check_leaky_relu_exercise(leaky_relu, derivative)


@wrong("check_leaky_relu_exercise")
def test_leaky_relu_catches_promotion_to_float64():
    def derivative(x, a):
        return np.where(np.asarray(x) > 0, 1.0, a)

    with pytest.raises(AssertionError, match="promote the result to float64"):
        checks.check_leaky_relu_exercise(leaky_relu, derivative)


@wrong("check_leaky_relu_exercise")
def test_leaky_relu_turns_an_error_into_a_message():
    def scalar_only(x, a):
        return x if x > 0 else a * x  # fails on arrays

    with pytest.raises(AssertionError, match="must work elementwise"):
        checks.check_leaky_relu_exercise(scalar_only, scalar_only)


@right("check_kink_exercise")
def test_kink_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "relu-ex-kink")
    checks.check_kink_exercise(
        found["central_difference"],
        found["analytic_derivative"],
        found["gradient_check_passes"],
    )
    assert "a gradient check fails" in capsys.readouterr().out


@wrong("check_kink_exercise")
def test_kink_catches_the_one_sided_slope():
    with pytest.raises(AssertionError, match="averages the slope from the right"):
        checks.check_kink_exercise(-2.0, 0.0, False)


@wrong("check_kink_exercise")
def test_kink_catches_the_right_slope_as_the_analytic_derivative():
    with pytest.raises(AssertionError, match="slope at 0, which is 0 by convention"):
        checks.check_kink_exercise(-1.0, -2.0, False)


@wrong("check_kink_exercise")
def test_kink_catches_a_passing_verdict_and_missing_answers():
    with pytest.raises(AssertionError, match="it fails"):
        checks.check_kink_exercise(-1.0, 0.0, True)
    with pytest.raises(AssertionError, match="must be a number"):
        checks.check_kink_exercise(..., ..., ...)
    with pytest.raises(AssertionError, match="True or False"):
        checks.check_kink_exercise(-1.0, 0.0, "no")

import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import model as checks
from superposition_lib import xavier_std

CHAPTER = "03_autoencoder"
RELU = [[0.5, 0.0], [0.0, 0.8], [0.0, 0.3]]
LINEAR = [[0.5, -0.5], [-0.8, 0.8], [-0.3, 0.3]]


@right("check_antipodal_exercise")
def test_antipodal_passes_the_book_solution():
    found = solution(CHAPTER, "model-ex-antipodal")
    checks.check_antipodal_exercise(
        found["antipodal_params"], found["predicted_relu"], found["predicted_linear"]
    )


@wrong("check_antipodal_exercise")
def test_antipodal_catches_parallel_features():
    def parallel():
        return {"W": np.array([[1.0, 1.0]]), "b": np.zeros(2)}

    with pytest.raises(AssertionError, match="a sign, or a non-zero bias"):
        checks.check_antipodal_exercise(parallel, RELU, LINEAR)


@wrong("check_antipodal_exercise")
def test_antipodal_catches_a_transposed_W():
    def transposed():
        return {"W": np.array([[1.0], [-1.0]]), "b": np.zeros(2)}

    with pytest.raises(AssertionError, match=r"W is \(k, n\) = \(1, 2\)"):
        checks.check_antipodal_exercise(transposed, RELU, LINEAR)


@wrong("check_antipodal_exercise")
def test_antipodal_catches_a_prediction_without_the_relu():
    def params():
        return {"W": np.array([[1.0, -1.0]]), "b": np.zeros(2)}

    with pytest.raises(AssertionError, match="the ReLU zeroes its negative entry"):
        checks.check_antipodal_exercise(params, LINEAR, LINEAR)
    with pytest.raises(AssertionError, match=r"shape \(3, 2\)"):
        checks.check_antipodal_exercise(params, ..., LINEAR)


@right("check_xavier_moments_exercise")
def test_xavier_moments_pass_the_book_solution():
    found = solution(CHAPTER, "model-ex-xavier-diagonal")
    checks.check_xavier_moments_exercise(
        found["expected_diagonal"], found["expected_offdiagonal_square"]
    )


@wrong("check_xavier_moments_exercise")
def test_xavier_moments_catch_a_standard_deviation_for_a_variance():
    def diagonal(n, k):
        return k * xavier_std(n, k)

    def off_square(n, k):
        return k * xavier_std(n, k) ** 4

    with pytest.raises(AssertionError, match="diagonal: simulated .* variance belongs"):
        checks.check_xavier_moments_exercise(diagonal, off_square)


@wrong("check_xavier_moments_exercise")
def test_xavier_moments_catch_a_missing_factor_k():
    def diagonal(n, k):
        return k * xavier_std(n, k) ** 2

    def off_square(n, k):
        return xavier_std(n, k) ** 4

    with pytest.raises(AssertionError, match="off-diagonal squared: .* the factor k"):
        checks.check_xavier_moments_exercise(diagonal, off_square)
    with pytest.raises(AssertionError, match="one finite number"):
        checks.check_xavier_moments_exercise(diagonal, lambda n, k: None)

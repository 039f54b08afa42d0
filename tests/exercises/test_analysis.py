import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import analysis as checks

CHAPTER = "08_superposition"


def book_solution(label):
    return solution(CHAPTER, label)


# ---- superposition from WᵀW
@right("check_superposition_from_matrix_exercise")
def test_superposition_from_matrix_passes_the_book_solution(capsys):
    fn = book_solution("superposition-ex-matrix")["superposition_from_matrix"]
    checks.check_superposition_from_matrix_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


@wrong("check_superposition_from_matrix_exercise")
def test_superposition_from_matrix_catches_the_diagonal_term():
    def with_diagonal(W):
        M = W.T @ W
        return np.sum(M**2, axis=1) / np.diag(M)

    with pytest.raises(AssertionError, match="you included j = i"):
        checks.check_superposition_from_matrix_exercise(with_diagonal)


@wrong("check_superposition_from_matrix_exercise")
def test_superposition_from_matrix_catches_a_missing_division():
    def undivided(W):
        M = W.T @ W
        return np.sum((M - np.diag(np.diag(M))) ** 2, axis=1)

    with pytest.raises(AssertionError, match="divide by ‖W_i‖²"):
        checks.check_superposition_from_matrix_exercise(undivided)


@wrong("check_superposition_from_matrix_exercise")
def test_superposition_from_matrix_catches_nan_for_a_dropped_feature():
    def unguarded(W):
        M = W.T @ W
        return np.sum((M - np.diag(np.diag(M))) ** 2, axis=1) / np.diag(M)

    with pytest.raises(AssertionError, match="not NaN"):
        checks.check_superposition_from_matrix_exercise(unguarded)


@wrong("check_superposition_from_matrix_exercise")
def test_superposition_from_matrix_turns_an_exception_into_a_message():
    def refuses_zero_columns(W):
        M = W.T @ W
        if np.any(np.diag(M) == 0):
            raise ZeroDivisionError("feature with zero norm")
        return np.sum((M - np.diag(np.diag(M))) ** 2, axis=1) / np.diag(M)

    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        checks.check_superposition_from_matrix_exercise(refuses_zero_columns)


# ---- the triangle, predicted
@right("check_triangle_prediction_exercise")
def test_triangle_prediction_passes_the_book_solution(capsys):
    answers = book_solution("superposition-ex-predict")
    checks.check_triangle_prediction_exercise(
        answers["triangle_superposition"],
        answers["triangle_document_norm"],
        answers["superposition_growth"],
        answers["document_norm_growth"],
    )
    assert "all correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answers, message",
    [
        ((-1.0, np.sqrt(1.5), 4, 4), "enter squared"),
        ((1.5, np.sqrt(1.5), 4, 4), "superposition 1.5 is off"),
        ((0.5, 1.0, 4, 4), "1 is ‖W_i‖"),
        ((0.5, np.sqrt(1.5), 2, 4), "grows by c², not c"),
        ((0.5, np.sqrt(1.5), 4, 8), "scales by c²"),
        ((0.5, ..., 4, 4), "must be a number"),
    ],
)
@wrong("check_triangle_prediction_exercise")
def test_triangle_prediction_catches_the_likely_mistakes(answers, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_triangle_prediction_exercise(*answers)

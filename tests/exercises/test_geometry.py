import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import geometry as checks

CHAPTER = "10_geometry"


# ---- dimensionality from WᵀW
@right("check_dimensionality_from_matrix_exercise")
def test_dimensionality_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "geometry-ex-dimensionality")["dimensionality_from_matrix"]
    checks.check_dimensionality_from_matrix_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def unguarded(M):
    return np.diag(M) ** 2 / np.diag(M @ M)


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda M: np.diag(M) / np.diag(M @ M), "numerator is ‖W_i‖⁴"),
        (lambda M: np.diag(M) ** 2 / np.sum(M, axis=1) ** 2, "square each overlap"),
        (unguarded, "not NaN"),
        (lambda M: np.linalg.cholesky(M), "raised LinAlgError"),
    ],
)
@wrong("check_dimensionality_from_matrix_exercise")
def test_dimensionality_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_dimensionality_from_matrix_exercise(fn)


# ---- the shrunk antipodal pair, predicted
@right("check_shrunk_pair_exercise")
def test_shrunk_pair_passes_the_book_solution(capsys):
    answers = solution(CHAPTER, "geometry-ex-predict")
    checks.check_shrunk_pair_exercise(
        answers["D_pair_and_one"], answers["D_after_shrinking"]
    )
    assert "both predictions right" in capsys.readouterr().out


@pytest.mark.parametrize(
    "before, after, message",
    [
        ([1.0, 1.0, 1.0], [0.8, 0.2, 1.0], "half its line"),
        ([0.5, 0.5, 1.0], [0.8, 0.5, 1.0], "shrinking W_2 changes the shares"),
        ([0.5, 0.5, 1.0], [1 / 1.5, 0.2, 1.0], "enters squared"),
        ([0.5, 0.5, 1.0], [0.8, 0.2, 0.5], "expected D_1 = 0.8"),
        ([0.5, 0.5, 1.0], ..., "three predicted D_i"),
        ([0.5, 0.5], [0.8, 0.2, 1.0], "three predicted D_i"),
    ],
)
@wrong("check_shrunk_pair_exercise")
def test_shrunk_pair_catches_the_likely_mistakes(before, after, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_shrunk_pair_exercise(before, after)

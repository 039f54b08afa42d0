import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import similarity as checks
from superposition_lib import center_columns, linear_cka

CHAPTER = "16_similarity"


@right("check_hsic_features_exercise")
def test_hsic_features_passes_the_book_solution():
    fn = solution(CHAPTER, "similarity-ex-hsic")["hsic_features"]
    checks.check_hsic_features_exercise(fn)


@wrong("check_hsic_features_exercise")
def test_hsic_features_catches_dividing_by_n_squared():
    def by_n_squared(X, Y):
        X_c, Y_c = center_columns(X), center_columns(Y)
        return np.linalg.norm(Y_c.T @ X_c) ** 2 / X_c.shape[0] ** 2

    with pytest.raises(AssertionError, match=r"off by \(N - 1\)\^2 / N\^2"):
        checks.check_hsic_features_exercise(by_n_squared)


@wrong("check_hsic_features_exercise")
def test_hsic_features_catches_forgetting_to_centre():
    def uncentred(X, Y):
        return np.linalg.norm(Y.T @ X) ** 2 / (X.shape[0] - 1) ** 2

    with pytest.raises(AssertionError, match="centre the columns"):
        checks.check_hsic_features_exercise(uncentred)


@wrong("check_hsic_features_exercise")
def test_hsic_features_catches_a_norm_that_is_not_squared():
    def not_squared(X, Y):
        X_c, Y_c = center_columns(X), center_columns(Y)
        return np.linalg.norm(Y_c.T @ X_c) / (X_c.shape[0] - 1) ** 2

    with pytest.raises(AssertionError, match=r"\*squared\* Frobenius norm"):
        checks.check_hsic_features_exercise(not_squared)


@wrong("check_hsic_features_exercise")
def test_hsic_features_turns_an_exception_into_a_verdict():
    def crashes(X, Y):
        return X.T @ Y.T  # shapes do not match

    with pytest.raises(AssertionError, match="raised ValueError"):
        checks.check_hsic_features_exercise(crashes)
    with pytest.raises(AssertionError, match="one number"):
        checks.check_hsic_features_exercise(lambda X, Y: Y.T @ X)


@right("check_whitened_cka_exercise")
def test_whitened_cka_passes_the_book_solution():
    fn = solution(CHAPTER, "similarity-ex-whitened")["whitened_cka"]
    checks.check_whitened_cka_exercise(fn)


@wrong("check_whitened_cka_exercise")
def test_whitened_cka_catches_a_missing_whitening():
    with pytest.raises(AssertionError, match="whitening step is missing"):
        checks.check_whitened_cka_exercise(linear_cka)


@wrong("check_whitened_cka_exercise")
def test_whitened_cka_catches_orthonormalising_uncentred_data():
    def uncentred(X, Y):
        return linear_cka(np.linalg.qr(X)[0], np.linalg.qr(Y)[0])

    with pytest.raises(AssertionError, match="centre the columns"):
        checks.check_whitened_cka_exercise(uncentred)


@wrong("check_whitened_cka_exercise")
def test_whitened_cka_catches_a_measure_that_is_not_invariant():
    def normalised_columns(X, Y):  # unit columns: not a whitening
        X_c, Y_c = center_columns(X), center_columns(Y)
        return linear_cka(X_c / X_c.std(axis=0), Y_c / Y_c.std(axis=0))

    with pytest.raises(AssertionError, match="invertible map A"):
        checks.check_whitened_cka_exercise(normalised_columns)


@right("check_similarity_predictions_exercise")
def test_predictions_pass_the_book_solution():
    answers = solution(CHAPTER, "similarity-ex-predict")["predictions"]
    checks.check_similarity_predictions_exercise(answers)


@wrong("check_similarity_predictions_exercise")
def test_predictions_catch_the_likely_mistake():
    answers = solution(CHAPTER, "similarity-ex-predict")["predictions"]
    fooled = {**answers, "reorder": {"norms_change": False, "cka_is_one": True}}
    with pytest.raises(AssertionError, match="other features are now neighbours"):
        checks.check_similarity_predictions_exercise(fooled)


@wrong("check_similarity_predictions_exercise")
def test_predictions_must_be_filled_in_with_booleans():
    blank = {
        name: {"norms_change": None, "cka_is_one": None}
        for name in ("rotate", "reorder", "stretch")
    }
    with pytest.raises(AssertionError, match="fill in"):
        checks.check_similarity_predictions_exercise(blank)
    with pytest.raises(AssertionError, match="True or False"):
        checks.check_similarity_predictions_exercise(
            {name: {"norms_change": "no", "cka_is_one": "yes"} for name in blank}
        )
    with pytest.raises(AssertionError, match="must be a dictionary"):
        checks.check_similarity_predictions_exercise({})

import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import metrics as checks

CHAPTER = "17_metrics"


@right("check_hoyer_exercise")
def test_hoyer_passes_the_book_solution():
    fn = solution(CHAPTER, "metrics-ex-hoyer")["hoyer_sparsity"]
    checks.check_hoyer_exercise(fn)


@wrong("check_hoyer_exercise")
def test_hoyer_catches_a_missing_normalisation():
    def unnormalised(a):
        a = np.asarray(a, dtype=float)
        return np.sqrt(a.size) - np.abs(a).sum() / np.linalg.norm(a)

    with pytest.raises(AssertionError, match=r"divide by sqrt\(n\) - 1"):
        checks.check_hoyer_exercise(unnormalised)


@wrong("check_hoyer_exercise")
def test_hoyer_catches_forgotten_absolute_values():
    def signed(a):
        a = np.asarray(a, dtype=float)
        root_n = np.sqrt(a.size)
        return (root_n - a.sum() / np.linalg.norm(a)) / (root_n - 1)

    with pytest.raises(AssertionError, match="absolute values"):
        checks.check_hoyer_exercise(signed)


@wrong("check_hoyer_exercise")
def test_hoyer_catches_an_inverted_ratio_and_errors():
    def inverted(a):
        a = np.asarray(a, dtype=float)
        root_n = np.sqrt(a.size)
        return (root_n - np.linalg.norm(a) / np.abs(a).sum()) / (root_n - 1)

    with pytest.raises(AssertionError, match="not L2/L1"):
        checks.check_hoyer_exercise(inverted)

    def crashes(a):
        return a.nonexistent  # an AttributeError on valid input

    with pytest.raises(AssertionError, match="raised AttributeError"):
        checks.check_hoyer_exercise(crashes)

    def not_written(a):
        raise NotImplementedError("exercise: write this")

    with pytest.raises(NotImplementedError):  # a stub says so itself
        checks.check_hoyer_exercise(not_written)


@right("check_row_gini_exercise")
def test_row_gini_passes_the_book_solution():
    fn = solution(CHAPTER, "metrics-ex-row-gini")["row_gini"]
    checks.check_row_gini_exercise(fn)


def _row_gini(A, *, axis=1, absolute=True, safe=True):
    """The book's row Gini with one of its steps done wrong (for the wrong tests)."""
    a = np.abs(A) if absolute else np.asarray(A, dtype=float)
    a = np.sort(a, axis=axis)
    n = a.shape[1]
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    totals = a.sum(axis=1)
    if safe:
        totals = np.where(totals > 0, totals, 1.0)
    return np.maximum((a @ weights) / (n * totals), 0.0)


@wrong("check_row_gini_exercise")
def test_row_gini_catches_dividing_by_a_zero_sum():
    with pytest.raises(AssertionError, match="all-zero row must give 0"):
        checks.check_row_gini_exercise(lambda A: _row_gini(A, safe=False))


@wrong("check_row_gini_exercise")
def test_row_gini_catches_sorting_the_wrong_axis():
    with pytest.raises(AssertionError, match="sort along axis=1"):
        checks.check_row_gini_exercise(lambda A: _row_gini(A, axis=0))


@wrong("check_row_gini_exercise")
def test_row_gini_catches_forgotten_absolute_values():
    with pytest.raises(AssertionError, match="take absolute values"):
        checks.check_row_gini_exercise(lambda A: _row_gini(A, absolute=False))


@wrong("check_row_gini_exercise")
def test_row_gini_catches_the_pooled_gini():
    with pytest.raises(AssertionError, match="one value per row"):
        checks.check_row_gini_exercise(lambda A: np.array(0.9))


@right("check_noise_predictions_exercise")
def test_noise_predictions_pass_the_book_solution():
    answers = solution(CHAPTER, "metrics-ex-noise")["noise_predictions"]
    checks.check_noise_predictions_exercise(answers)


@wrong("check_noise_predictions_exercise")
def test_noise_predictions_catch_the_likely_mistakes():
    with pytest.raises(AssertionError, match="L0 counts non-zero entries"):
        checks.check_noise_predictions_exercise(
            {"l0": False, "l1": False, "gini": False}
        )
    with pytest.raises(AssertionError, match="Gini weighs entries by their size"):
        checks.check_noise_predictions_exercise({"l0": True, "l1": False, "gini": True})
    with pytest.raises(AssertionError, match="fill in"):
        checks.check_noise_predictions_exercise({"l0": True, "l1": None, "gini": None})
    with pytest.raises(AssertionError, match="True or False"):
        checks.check_noise_predictions_exercise({"l0": "yes", "l1": 0, "gini": 0})

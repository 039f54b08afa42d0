import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import data as checks

CHAPTER = "01_data"


@right("check_all_zero_fraction_exercise")
def test_all_zero_fraction_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "data-ex-all-zero")["all_zero_fraction"]
    checks.check_all_zero_fraction_exercise(fn)
    assert "blank samples" in capsys.readouterr().out


@wrong("check_all_zero_fraction_exercise")
def test_all_zero_fraction_catches_the_keep_probability():
    with pytest.raises(AssertionError, match="did you use 1 - S"):
        checks.check_all_zero_fraction_exercise(lambda n, S: (1 - S) ** n)


@wrong("check_all_zero_fraction_exercise")
def test_all_zero_fraction_catches_adding_probabilities():
    with pytest.raises(AssertionError, match="multiply the probabilities"):
        checks.check_all_zero_fraction_exercise(lambda n, S: min(1.0, n * S))


@wrong("check_all_zero_fraction_exercise")
def test_all_zero_fraction_turns_errors_and_arrays_into_messages():
    def raises(n, S):
        raise ValueError("S must be an array")

    with pytest.raises(AssertionError, match="raised ValueError"):
        checks.check_all_zero_fraction_exercise(raises)
    with pytest.raises(AssertionError, match="one finite number"):
        checks.check_all_zero_fraction_exercise(lambda n, S: np.full(n, S))


@right("check_importance_share_exercise")
def test_importance_share_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "data-ex-importance-share")
    checks.check_importance_share_exercise(
        found["importance_share"], found["share_depends_on_sparsity"]
    )
    assert "share of the first 5 features: 0.8" in capsys.readouterr().out


@wrong("check_importance_share_exercise")
def test_importance_share_catches_an_off_by_one():
    def one_too_many(k, n, decay):
        return (1 - decay ** (k + 1)) / (1 - decay**n)

    with pytest.raises(AssertionError, match="off by one in k"):
        checks.check_importance_share_exercise(one_too_many, False)


@wrong("check_importance_share_exercise")
def test_importance_share_catches_the_belief_that_sparsity_matters():
    def share(k, n, decay):
        return (1 - decay**k) / (1 - decay**n)

    with pytest.raises(AssertionError, match="cancels in the share"):
        checks.check_importance_share_exercise(share, True)
    with pytest.raises(AssertionError, match="True or False"):
        checks.check_importance_share_exercise(share, ...)

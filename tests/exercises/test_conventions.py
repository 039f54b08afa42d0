import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import conventions as checks
from superposition_lib import as_generator, check_in_range

CHAPTER = "00_conventions"


@right("check_probability_exercise")
def test_probability_passes_the_book_solution():
    checks.check_probability_exercise(
        solution(CHAPTER, "conventions-ex-probability")["check_probability"]
    )


@wrong("check_probability_exercise")
def test_probability_catches_a_hard_coded_name():
    def hard_coded(p, name):
        return check_in_range(p, "p", 0.0, 1.0)

    with pytest.raises(AssertionError, match="hard-code the name"):
        checks.check_probability_exercise(hard_coded)


@wrong("check_probability_exercise")
def test_probability_catches_an_open_upper_end():
    def open_end(p, name):
        return check_in_range(p, name, 0.0, 1.0, high_open=True)

    with pytest.raises(AssertionError, match="end of the interval open"):
        checks.check_probability_exercise(open_end)


@right("check_same_seed_exercise")
def test_same_seed_passes_the_book_solution():
    answer = solution(CHAPTER, "conventions-ex-same-seed")["same_second_batch"]
    checks.check_same_seed_exercise(answer)


@wrong("check_same_seed_exercise")
def test_same_seed_catches_the_wrong_answer():
    with pytest.raises(AssertionError, match="a Generator is a stream"):
        checks.check_same_seed_exercise(True)
    with pytest.raises(AssertionError, match="True or False"):
        checks.check_same_seed_exercise(as_generator(3).random(1) > 2)

import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import loss as checks

CHAPTER = "04_loss"


@right("check_best_constant_exercise")
def test_best_constant_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "loss-ex-bias")
    checks.check_best_constant_exercise(found["best_constant"], found["saving"])
    assert "best constant 0.050, saving 0.00250" in capsys.readouterr().out


@wrong("check_best_constant_exercise")
def test_best_constant_catches_the_second_moment():
    def second_moment(sparsity):
        return (1 - sparsity) / 3

    def saving(sparsity):
        return (1 - sparsity) ** 2 / 4

    with pytest.raises(AssertionError, match="is the mean"):
        checks.check_best_constant_exercise(second_moment, saving)


@wrong("check_best_constant_exercise")
def test_best_constant_catches_the_variance_as_the_saving():
    def best(sparsity):
        return (1 - sparsity) / 2

    def variance(sparsity):
        p = 1 - sparsity
        return p / 3 - p**2 / 4

    with pytest.raises(AssertionError, match="measured saving"):
        checks.check_best_constant_exercise(best, variance)
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        checks.check_best_constant_exercise(best, lambda sparsity: 1 / 0)


@right("check_equivalent_sum_lr_exercise")
def test_equivalent_sum_lr_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "loss-ex-summed-gradient")
    checks.check_equivalent_sum_lr_exercise(found["equivalent_sum_lr"])
    assert "equal steps" in capsys.readouterr().out


@wrong("check_equivalent_sum_lr_exercise")
def test_equivalent_sum_lr_catches_multiplying_by_N():
    with pytest.raises(AssertionError, match="multiply or divide by N"):
        checks.check_equivalent_sum_lr_exercise(lambda lr, N: lr * N)


@wrong("check_equivalent_sum_lr_exercise")
def test_equivalent_sum_lr_catches_a_hard_coded_batch_size():
    with pytest.raises(AssertionError, match="batch of 100"):
        checks.check_equivalent_sum_lr_exercise(lambda lr, N: lr / 256)

import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import sae_training as checks

CHAPTER = "15_sae_training"


def pentagon_activations():
    """A pentagon of unit feature directions and its activations at S = 0.95."""
    angles = 2 * np.pi * np.arange(5) / 5
    W = np.stack([np.cos(angles), np.sin(angles)])
    u = np.random.default_rng(2).random((50_000, 5))
    return W, np.where(u < 0.05, u / 0.05, 0.0) @ W.T


@right("check_no_l1_exercise")
def test_no_l1_passes_the_book_solution(capsys):
    W, Z = pentagon_activations()
    found = solution(CHAPTER, "sae-ex-no-l1", {"Z_small": Z, "W_small": W})
    checks.check_no_l1_exercise(
        found["cosines_no_l1"], found["every_seed_finds_every_feature"]
    )
    assert "prediction checked" in capsys.readouterr().out


@wrong("check_no_l1_exercise")
def test_no_l1_catches_the_wrong_prediction():
    cosines = np.array([[1.0] * 5, [1.0, 1.0, 0.6, 1.0, 1.0], [1.0] * 5, [1.0] * 5])
    with pytest.raises(AssertionError, match="your prediction was"):
        checks.check_no_l1_exercise(cosines, True)
    with pytest.raises(AssertionError, match="True or False"):
        checks.check_no_l1_exercise(cosines, "no")


@wrong("check_no_l1_exercise")
def test_no_l1_catches_a_run_that_kept_the_penalty_or_the_wrong_shape():
    with pytest.raises(AssertionError, match="was λ really 0"):
        checks.check_no_l1_exercise(np.full((4, 5), 0.99), False)
    with pytest.raises(AssertionError, match="train the four SAEs"):
        checks.check_no_l1_exercise(..., False)
    with pytest.raises(AssertionError, match="4 seeds, 5 features"):
        checks.check_no_l1_exercise(np.full((5, 4), 0.5), False)
    with pytest.raises(AssertionError, match="normalise both"):
        checks.check_no_l1_exercise(np.full((4, 5), 3.0), False)


@right("check_resampling_probabilities_exercise")
def test_resampling_probabilities_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "sae-ex-resampling-probabilities")
    checks.check_resampling_probabilities_exercise(found["resampling_probabilities"])
    assert "uniform when all are 0" in capsys.readouterr().out


@wrong("check_resampling_probabilities_exercise")
def test_resampling_probabilities_catches_the_loss_instead_of_its_square():
    def by_the_loss(Z, Z_hat):
        error = np.sum((Z - Z_hat) ** 2, axis=-1)
        return error / error.sum()

    with pytest.raises(AssertionError, match="the \\*square\\* of the loss"):
        checks.check_resampling_probabilities_exercise(by_the_loss)


@wrong("check_resampling_probabilities_exercise")
def test_resampling_probabilities_catches_squaring_before_summing():
    def fourth_powers(Z, Z_hat):
        weights = np.sum((Z - Z_hat) ** 4, axis=-1)
        return weights / weights.sum()

    with pytest.raises(AssertionError, match="square after summing over d"):
        checks.check_resampling_probabilities_exercise(fourth_powers)


@wrong("check_resampling_probabilities_exercise")
def test_resampling_probabilities_catches_0_over_0_and_a_missing_total():
    def no_uniform_case(Z, Z_hat):
        weights = np.sum((Z - Z_hat) ** 2, axis=-1) ** 2
        return weights / weights.sum()

    with np.errstate(invalid="ignore"):
        with pytest.raises(AssertionError, match="uniform distribution"):
            checks.check_resampling_probabilities_exercise(no_uniform_case)
    with pytest.raises(AssertionError, match="sum to 1"):
        checks.check_resampling_probabilities_exercise(
            lambda Z, Z_hat: np.sum((Z - Z_hat) ** 2, axis=-1) ** 2
        )
    with pytest.raises(AssertionError, match="one probability per input"):
        checks.check_resampling_probabilities_exercise(
            lambda Z, Z_hat: np.ones_like(Z) / Z.size
        )
    with pytest.raises(AssertionError, match="raised ValueError"):
        checks.check_resampling_probabilities_exercise(
            lambda Z, Z_hat: Z @ np.ones((2, 2))
        )

import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import dynamics as checks

CHAPTER = "13_learning_dynamics"


# ---- the three relative falls
@right("check_relative_falls_exercise")
def test_relative_falls_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "dynamics-ex-falls")["relative_falls"]
    checks.check_relative_falls_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def _levels(L, steps, t, width, spacing=1.0):
    return [np.interp(t + j * width * spacing, steps, L) for j in (-3, -1, 1, 3)]


def absolute(L, steps, t, width):
    levels = _levels(L, steps, t, width)
    return [a - b for a, b in zip(levels, levels[1:])]


def rises(L, steps, t, width):
    levels = _levels(L, steps, t, width)
    return [(b - a) / a for a, b in zip(levels, levels[1:])]


def by_the_end(L, steps, t, width):
    levels = _levels(L, steps, t, width)
    return [(a - b) / b for a, b in zip(levels, levels[1:])]


def narrow(L, steps, t, width):
    levels = _levels(L, steps, t, width, spacing=0.5)
    return [(a - b) / a for a, b in zip(levels, levels[1:])]


def crashes(L, steps, t, width):
    return np.interp(t, steps[::-1], L)[5]


@pytest.mark.parametrize(
    "fn, message",
    [
        (absolute, "relative falls"),
        (rises, "a fall is positive"),
        (by_the_end, "start"),
        (narrow, "2w long"),
        (lambda L, steps, t, width: [0.1, 0.2, 0.3], "expected"),
        (lambda L, steps, t, width: 0.2, "three numbers"),
        (crashes, "raised IndexError"),
    ],
)
@wrong("check_relative_falls_exercise")
def test_relative_falls_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_relative_falls_exercise(fn)


# ---- an exponential decay, predicted
@right("check_exponential_exercise")
def test_exponential_passes_the_book_solution(capsys):
    answers = solution(CHAPTER, "dynamics-ex-exponential")
    checks.check_exponential_exercise(
        answers["exponential_falls"], answers["is_sudden_drop"]
    )
    assert "both predictions right" in capsys.readouterr().out


@pytest.mark.parametrize(
    "falls, sudden, message",
    [
        ([1 - np.exp(-0.2)] * 3, False, "2w = 200"),
        ([0.1, 0.33, 0.5], False, "same factor"),
        ([1 - np.exp(-0.4)] * 3, True, "never a sudden"),
        ([1 - np.exp(-0.4)] * 3, "no", "True or False"),
        ([0.33, 0.33], False, "three numbers"),
    ],
)
@wrong("check_exponential_exercise")
def test_exponential_catches_the_likely_mistakes(falls, sudden, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_exponential_exercise(falls, sudden)


# ---- the energy levels
@right("check_energy_levels_exercise")
def test_energy_levels_pass_the_book_solution(capsys):
    answers = solution(CHAPTER, "dynamics-ex-levels")
    checks.check_energy_levels_exercise(answers["energy_levels"])
    assert "all three predictions right" in capsys.readouterr().out


@pytest.mark.parametrize(
    "levels, message",
    [
        ([1.0, 0.1, 0.5], "single dimension"),
        ([0.01, 10.0, 0.5], "not k"),
        ([0.01, 0.5, 0.5], "k/n"),
        ([0.01, 0.1, 1.0], "antipodal pair"),
        ([0.01, 0.1], "three numbers"),
        ("levels", "three numbers"),
    ],
)
@wrong("check_energy_levels_exercise")
def test_energy_levels_catch_the_likely_mistakes(levels, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_energy_levels_exercise(levels)

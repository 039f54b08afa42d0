import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import nonuniform as checks

CHAPTER = "12_nonuniform"


# ---- ∫₀¹ ReLU(a u + c)² du in closed form
@right("check_relu_square_integral_exercise")
def test_integral_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "nonuniform-ex-integral")["relu_square_integral"]
    checks.check_relu_square_integral_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def by_antiderivative(slope, offset):
    # (a u + c)³ / 3a between the ends: divides by the slope, NaN at a = 0
    slope, offset = np.broadcast_arrays(slope, offset)
    root = np.clip(-offset / slope, 0.0, 1.0)
    start = np.where(slope > 0, root, 0.0)
    end = np.where(slope < 0, root, 1.0)
    return ((slope * end + offset) ** 3 - (slope * start + offset) ** 3) / (3 * slope)


def no_relu(slope, offset):
    return slope**2 / 3 + slope * offset + offset**2


def always_from_root(slope, offset):
    # treats every slope as rising: open on [max(0, -c/a), 1]
    slope, offset = np.broadcast_arrays(slope, offset)
    with np.errstate(divide="ignore", invalid="ignore"):
        start = np.where(slope == 0, 0.0, np.clip(-offset / slope, 0.0, 1.0))
    end = np.where((slope == 0) & (offset <= 0), 0.0, 1.0)
    a, b = slope * start + offset, slope * end + offset
    return (end - start) * (a**2 + a * b + b**2) / 3


def flat_always_open(slope, offset):
    # right for every slope but 0, where it keeps c² even for c < 0
    slope, offset = np.broadcast_arrays(slope, offset)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.clip(-offset / slope, 0.0, 1.0)
    start = np.where(slope > 0, root, 0.0)
    end = np.where(slope < 0, root, 1.0)
    a, b = slope * start + offset, slope * end + offset
    return (end - start) * (a**2 + a * b + b**2) / 3


@pytest.mark.parametrize(
    "fn, message",
    [
        (by_antiderivative, "slope 0 gives NaN"),
        (no_relu, "without the ReLU"),
        (always_from_root, "negative slope"),
        (flat_always_open, "wrong for slope 0"),
        (lambda slope, offset: np.zeros(3), "broadcast to"),
        (lambda slope, offset: slope.item(), "raised ValueError"),
    ],
)
@wrong("check_relu_square_integral_exercise")
def test_integral_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_relu_square_integral_exercise(fn)


# ---- the Thomson crossover, predicted
@right("check_thomson_ratio_exercise")
def test_thomson_ratio_passes_the_book_solution(capsys):
    answer = solution(CHAPTER, "nonuniform-ex-thomson")["r_thomson_limit"]
    checks.check_thomson_ratio_exercise(answer)
    assert "right" in capsys.readouterr().out


C2 = np.cos(0.4 * np.pi) ** 2


@pytest.mark.parametrize(
    "answer, message",
    [
        (4 * C2 / (1 - C2), "two neighbours at 72°"),
        (8 * C2, "feature 0's own interference"),
        (0.947, "crossing at density 0.05"),
        (-1.0, "a ratio is positive"),
        (1.0, "expected r = 8 cos²"),
        ("about one", "one number"),
    ],
)
@wrong("check_thomson_ratio_exercise")
def test_thomson_ratio_catches_the_likely_mistakes(answer, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_thomson_ratio_exercise(answer)


def test_the_limit_is_what_loss_decomposition_gives_for_rare_features():
    """The check's closed form against the library, at a density of 1e-6."""
    from superposition_lib.nonuniform import loss_decomposition

    angles = 2 * np.pi * np.arange(5) / 5
    pentagon = np.stack([np.cos(angles), np.sin(angles)])
    digons = pentagon.copy()
    digons[:, 0] = 0.0
    digons[:, 1:] = np.array([[1, 0, -1, 0], [0, 1, 0, -1.0]])

    def gap(r):
        density = np.array([r, 1, 1, 1, 1]) * 1e-6
        cost = [
            loss_decomposition(W, np.zeros(5), 1 - density, np.ones(5))
            for W in (digons, pentagon)
        ]
        return cost[0].at_most_one_active - cost[1].at_most_one_active

    low, high = 0.5, 1.5
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if gap(middle) < 0 else (low, middle)
    assert np.isclose(low, 8 * C2 / (1 - 2 * C2), rtol=1e-4)

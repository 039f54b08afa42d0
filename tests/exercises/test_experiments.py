import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import experiments as checks
from superposition_lib.experiments import candidate_losses

CHAPTER = "09_phase_changes"


# ---- the boundary by bisection
@right("check_boundary_by_bisection_exercise")
def test_bisection_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "phase-ex-boundary")["boundary_by_bisection"]
    checks.check_boundary_by_bisection_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def bisect(antipodal_wins, tol=1e-10):
    low, high = 1e-9, 1.0
    while high - low > tol:
        mid = (low + high) / 2
        low, high = (mid, high) if antipodal_wins(mid) else (low, mid)
    return (low + high) / 2


@wrong("check_boundary_by_bisection_exercise")
def test_bisection_catches_a_comparison_with_one_rival_only():
    def against_not_represented(r):
        return bisect(lambda s: candidate_losses(r, s)[2] < candidate_losses(r, s)[0])

    with pytest.raises(AssertionError, match="better of the two"):
        checks.check_boundary_by_bisection_exercise(against_not_represented)


@wrong("check_boundary_by_bisection_exercise")
def test_bisection_catches_a_coarse_tolerance():
    def coarse(r):
        return bisect(
            lambda s: candidate_losses(r, s)[2] < candidate_losses(r, s)[:2].min(),
            tol=1e-2,
        )

    with pytest.raises(AssertionError, match="expected"):
        checks.check_boundary_by_bisection_exercise(coarse)


@wrong("check_boundary_by_bisection_exercise")
def test_bisection_turns_an_exception_into_a_message():
    def refuses_large_ratios(r):
        if r > 1:
            raise ValueError("r must be <= 1")
        return 4 * r / (2 + 5 * r)

    with pytest.raises(AssertionError, match="raised ValueError"):
        checks.check_boundary_by_bisection_exercise(refuses_large_ratios)


# ---- binary features, predicted
@right("check_binary_boundary_exercise")
def test_binary_passes_the_book_solution(capsys):
    answers = solution(CHAPTER, "phase-ex-predict")
    checks.check_binary_boundary_exercise(
        answers["binary_boundary"], answers["binary_candidate_losses"]
    )
    assert "is right" in capsys.readouterr().out


def binary_losses(s, n_samples=200_000, centred=True, binary=True):
    rng = np.random.default_rng(0)
    X = (rng.random((n_samples, 2)) < s).astype(float)
    if not binary:
        X *= rng.random((n_samples, 2))
    antipodal = np.maximum(X @ np.array([[1.0, -1.0], [-1.0, 1.0]]), 0)
    dropped = np.var(X[:, 1]) if centred else np.mean(X[:, 1] ** 2)
    return np.mean(np.sum((X - antipodal) ** 2, axis=1)), dropped


@pytest.mark.parametrize(
    "boundary, losses, message",
    [
        (4 / 7, binary_losses, "boundary for uniform values"),
        (0.5, binary_losses, "boundary 0.5 is off"),
        (..., binary_losses, "must be a number"),
        (1 / 3, lambda s: binary_losses(s, centred=False), "not E"),
        (1 / 3, lambda s: binary_losses(s, binary=False), "exactly 0 or 1"),
    ],
)
@wrong("check_binary_boundary_exercise")
def test_binary_catches_the_likely_mistakes(boundary, losses, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_binary_boundary_exercise(boundary, losses)


@wrong("check_binary_boundary_exercise")
def test_binary_turns_an_exception_into_a_message():
    def broken(s):
        return 1 / (s - s)

    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        checks.check_binary_boundary_exercise(1 / 3, broken)


def test_binary_lets_the_student_stub_through():
    """The student edition's stub raises NotImplementedError: its message says what
    to do, so the check lets it through."""

    def unfinished(s):
        raise NotImplementedError("exercise")

    with pytest.raises(NotImplementedError):
        checks.check_binary_boundary_exercise(1 / 3, unfinished)


# ---- the 3→2 extra feature's edge
@right("check_extra_superposition_edge_exercise")
def test_edge_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "phase-ex-three-two")["extra_superposition_edge"]
    checks.check_extra_superposition_edge_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


@wrong("check_extra_superposition_edge_exercise")
def test_edge_catches_the_two_to_one_answer():
    from superposition_lib.experiments import closed_form_boundary

    with pytest.raises(AssertionError, match="2→1 boundary"):
        checks.check_extra_superposition_edge_exercise(
            lambda r: float(closed_form_boundary(r))
        )


@wrong("check_extra_superposition_edge_exercise")
def test_edge_catches_a_wrong_formula():
    with pytest.raises(AssertionError, match="elsewhere"):
        checks.check_extra_superposition_edge_exercise(
            lambda r: 4 * r / (5 + 2 * r) if r < 1 else 0.0
        )


@wrong("check_extra_superposition_edge_exercise")
def test_edge_turns_an_exception_into_a_message():
    def broken(r):
        raise ZeroDivisionError

    with pytest.raises(AssertionError, match="r = 0.1"):
        checks.check_extra_superposition_edge_exercise(broken)

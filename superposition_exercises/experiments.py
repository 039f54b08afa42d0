"""Checks for the exercises of "Phase changes" (chapter 9)."""

import numpy as np

from superposition_exercises.assertions import learner_call, learner_number
from superposition_lib.experiments import (
    THREE_TWO_EXTRA_PHASE,
    candidate_losses,
    closed_form_boundary,
    three_two_candidate_losses,
)


def check_boundary_by_bisection_exercise(boundary_by_bisection):
    """`boundary_by_bisection(r)`: the density where antipodal stops winning."""
    for r in (0.1, 0.5, 1.0, 3.0, 10.0):
        got = learner_number(boundary_by_bisection, r, on=f"r = {r}, a valid input")
        want = float(closed_form_boundary(r))
        # The single-feature solution that is *not* the better one at this r.
        other = 1 if r < 1 else 0
        tied_with_other = (
            r != 1
            and 0 < got <= 1
            and np.isclose(*candidate_losses(r, got)[[2, other]], rtol=1e-6)
        )
        assert not tied_with_other, (
            f"r={r}: got {got:.6f}, where antipodal ties with the worse single-feature "
            "solution. Compare antipodal against the better of the two "
            "(min(L_not, L_ded)), not against one of them only"
        )
        assert abs(got - want) < 1e-6, (
            f"r={r}: got {got:.6f}, expected {want:.6f}. Compare antipodal against the "
            "better of the two single-feature solutions, and bisect until the interval "
            "is below 1e-6"
        )
    print("boundary by bisection: all checks passed")


def check_binary_boundary_exercise(binary_boundary, binary_candidate_losses):
    """The predicted r = 1 boundary for features in {0, 1}, and its Monte Carlo check.

    `binary_candidate_losses(s)` returns the Monte Carlo losses (antipodal, dropped
    feature) of the 2→1 model at r = 1 for binary features of density s.
    """
    try:
        boundary = float(binary_boundary)
    except (TypeError, ValueError):
        raise AssertionError(
            "binary_boundary must be a number (your prediction), "
            f"got {binary_boundary!r}"
        ) from None
    assert not np.isclose(boundary, 4 / 7, atol=1e-3), (
        "4/7 is the boundary for uniform values: with x_i in {0, 1} both losses change"
    )
    assert np.isclose(boundary, 1 / 3, atol=1e-3), (
        f"boundary {boundary:g} is off: antipodal loses (1 + r) s² (both active, both "
        "outputs ReLU(0) = 0), dropping a feature costs its variance s - s²"
    )
    losses = learner_call(binary_candidate_losses, 0.25, on="s = 0.25, a valid input")
    try:
        antipodal, dropped = (float(x) for x in losses)
    except (TypeError, ValueError):
        raise AssertionError(
            f"binary_candidate_losses must return two numbers, got {losses!r}"
        ) from None
    assert np.isclose(antipodal, 2 * 0.25**2, rtol=0.05), (
        f"antipodal loss {antipodal:.4f} at s = 0.25, expected (1 + r) s² = 0.125: are "
        "your features exactly 0 or 1?"
    )
    assert not np.isclose(dropped, 0.25, rtol=0.03), (
        "the dropped feature's loss is its variance s - s², not E[x²] = s: the best "
        "constant output is the mean s, not 0"
    )
    assert np.isclose(dropped, 0.25 - 0.25**2, rtol=0.03), (
        f"dropped-feature loss {dropped:.4f} at s = 0.25, expected s - s² = 0.1875"
    )
    print(
        f"binary features at s = 0.25: antipodal {antipodal:.4f}, drop one "
        f"{dropped:.4f}; the predicted boundary s = 1/3 is right"
    )


def _extra_in_superposition(r, densities):
    """Where the best of the four 3→2 solutions puts feature 3 in superposition."""
    best = np.argmin(three_two_candidate_losses(r, densities), axis=0)
    return np.asarray(THREE_TWO_EXTRA_PHASE)[best] == 2


def check_extra_superposition_edge_exercise(extra_superposition_edge):
    """`extra_superposition_edge(r)`: the density below which the 3→2 model puts its
    extra feature in superposition, 0 where it never does."""
    for r in (0.1, 0.3, 0.7, 0.95, 1.5, 3.0, 10.0):
        got = learner_number(extra_superposition_edge, r, on=f"r = {r}, a valid input")
        if r > 1:
            assert not np.isclose(got, float(closed_form_boundary(r)), rtol=1e-3), (
                f"r={r}: {got:.4f} is the 2→1 boundary. With a second dimension, above "
                "r = 1 the two other features pair up (W ⊥ [1,1,0]), which is cheaper "
                "than pairing the extra one: the extra feature stays dedicated"
            )
        densities = np.linspace(0.002, 0.998, 499)
        shared = _extra_in_superposition(r, densities)
        assert np.all(shared[densities < got - 1e-3]) and not np.any(
            shared[densities > got + 1e-3]
        ), (
            f"r={r}: got {got:.4f}, but the four losses put the extra feature in "
            "superposition elsewhere. Compare W ⊥ [0,1,1] with the best of the other "
            "three, each a sum of two 2→1 (or 1→1) losses"
        )
    print("extra feature's superposition edge: all checks passed")

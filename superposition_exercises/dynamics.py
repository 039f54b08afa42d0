"""Checks for the exercises of "Learning dynamics" (chapter 13)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.geometry import feature_dimensionality

# A curve with a plateau, a fall and a slower fall, on an uneven time axis.
_STEPS = np.array([0.0, 40, 90, 150, 200, 260, 300, 380, 420, 500, 560, 600])
_LOSS = np.array([2.0, 2.0, 1.98, 1.95, 1.7, 1.4, 1.35, 1.3, 1.28, 1.27, 1.2, 1.1])


def _reference_falls(t, width):
    levels = [np.interp(t + j * width, _STEPS, _LOSS) for j in (-3, -1, 1, 3)]
    return np.array([(a - b) / a for a, b in zip(levels, levels[1:])])


def _three(values, what):
    try:
        got = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        got = None
    if got is None or got.shape != (3,):
        raise AssertionError(
            f"{what} must be three numbers (d_-, d, d_+), got {values!r}"
        )
    return got


def check_relative_falls_exercise(relative_falls):
    """`relative_falls(L, steps, t, width)`: (d_-, d, d_+) of eq. 13.2 at one t."""
    t, width = 250.0, 40.0
    got = _three(
        learner_call(
            relative_falls, _LOSS, _STEPS, t, width, on="a 12-point curve, t = 250"
        ),
        "relative_falls(...)",
    )
    want = _reference_falls(t, width)
    levels = [np.interp(t + j * width, _STEPS, _LOSS) for j in (-3, -1, 1, 3)]
    absolute = np.array([a - b for a, b in zip(levels, levels[1:])])
    assert not np.allclose(got, absolute), (
        "divide each fall by the loss at the start of its window: relative falls"
    )
    assert not np.allclose(got, -want), "a fall is positive: L(start) - L(end)"
    assert not np.allclose(got, [(a - b) / b for a, b in zip(levels, levels[1:])]), (
        "divide by the loss at the *start* of each window (L(t-3w), L(t-w), L(t+w))"
    )
    narrow = [np.interp(t + j * width / 2, _STEPS, _LOSS) for j in (-3, -1, 1, 3)]
    assert not np.allclose(got, [(a - b) / a for a, b in zip(narrow, narrow[1:])]), (
        "each window is 2w long: [t-3w, t-w], [t-w, t+w], [t+w, t+3w]"
    )
    assert np.allclose(got, want), (
        f"expected (d_-, d, d_+) = {np.round(want, 4)} at t = {t:g}, w = {width:g} "
        f"(read the curve with np.interp), got {np.round(got, 4)}"
    )
    print("relative falls: all checks passed")


def check_exponential_exercise(exponential_falls, is_sudden_drop):
    """Predicted falls of e^(-t/500) with w = 100, and whether it is a sudden drop."""
    got = _three(exponential_falls, "exponential_falls")
    want = 1 - np.exp(-2 * 100 / 500)
    assert not np.allclose(got, 1 - np.exp(-100 / 500)), (
        "each window is 2w = 200 steps long, not w: the loss falls by e^(-200/500)"
    )
    assert np.allclose(got, want, atol=1e-3), (
        "over any 200 steps e^(-t/500) falls by the same factor e^(-0.4): "
        f"d_- = d = d_+ = 1 - e^(-0.4) ≈ {want:.3f}, got {got}"
    )
    if not isinstance(is_sudden_drop, (bool, np.bool_)):
        raise AssertionError(
            f"is_sudden_drop must be True or False, got {is_sudden_drop!r}"
        )
    assert not is_sudden_drop, (
        "d / max(d_-, d_+) is exactly 1 < c = 2: an exponential decay is never a "
        "sudden drop, however fast"
    )
    print("exponential decay: both predictions right")


def _shapes(n=100, k=10):
    """One line, a tight frame, and k antipodal pairs (kept features first)."""
    line = np.zeros((k, n))
    line[0] = 1.0
    # A harmonic frame: unit columns (cos, sin) of frequencies 1..k/2, W Wᵀ = (n/k) I.
    angles = 2 * np.pi * np.outer(np.arange(1, k // 2 + 1), np.arange(n)) / n
    frame = np.sqrt(2 / k) * np.concatenate([np.cos(angles), np.sin(angles)])
    pairs = np.zeros((k, n))
    for d in range(k):
        pairs[d, 2 * d], pairs[d, 2 * d + 1] = 1.0, -1.0
    return line, frame, pairs


def check_energy_levels_exercise(energy_levels):
    """Predicted D_i on one line, in a tight frame, and in an antipodal pair."""
    try:
        got = np.asarray(energy_levels, dtype=float)
    except (TypeError, ValueError):
        got = None
    if got is None or got.shape != (3,):
        raise AssertionError(
            f"energy_levels must be three numbers (line, frame, pair), "
            f"got {energy_levels!r}"
        )
    line, frame, pairs = (feature_dimensionality(W) for W in _shapes())
    assert not np.isclose(got[0], 1.0), (
        "on one line the 100 features share a single dimension: each gets 1/100"
    )
    assert np.isclose(got[0], line[0]), f"one line: D_i = {line[0]:g}, got {got[0]:g}"
    assert not np.isclose(got[1], 10.0), (
        "D_i is a fraction of one dimension: the frame gives each feature k/n, not k"
    )
    assert np.isclose(got[1], frame[0]), (
        f"a tight frame of n = 100 in k = 10: D_i = k/n = {frame[0]:g}, got {got[1]:g}"
    )
    assert np.isclose(got[2], pairs[0]), (
        f"each feature of an antipodal pair has D_i = {pairs[0]:g}, got {got[2]:g}"
    )
    print("energy levels: all three predictions right")

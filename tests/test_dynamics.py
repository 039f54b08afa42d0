"""superposition_lib.dynamics: sudden drops of a loss curve, jumps of dimensionality."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from superposition_lib.dynamics import (
    coinciding_drops,
    dimensionality_jumps,
    loss_drops,
    moving_average,
)

STEPS = np.arange(0.0, 3000.0, 10.0)


def staircase(drops, steps=STEPS, start=2.0, sharpness=20.0, noise=0.0, seed=0):
    """A loss that falls by `size` (relative to 2) around each `at`, flat in between."""
    loss = np.full(steps.shape, start)
    for at, size in drops:
        loss -= start * size / (1 + np.exp(-(steps - at) / sharpness))
    rng = np.random.default_rng(seed)
    return loss * (1 + noise * rng.standard_normal(steps.shape))


# ---- moving_average (eq. 13.1)
def test_moving_average_is_the_mean_over_the_window():
    rng = np.random.default_rng(0)
    steps = np.sort(rng.choice(1000, size=60, replace=False)).astype(float)
    values = rng.normal(size=(60, 3))
    got = moving_average(values, steps, 100)
    for i, t in enumerate(steps):
        inside = np.abs(steps - t) <= 50
        assert np.allclose(got[i], values[inside].mean(axis=0))
    assert np.allclose(moving_average(values, steps, 0), values, rtol=1e-12)


def test_moving_average_at_the_ends_of_float64():
    values = np.array([1.0, 3.0, 2.0, 5.0])
    steps = np.arange(4.0)
    want = moving_average(values, steps, 2)
    for scale in (1e300, 1e-300, 1.7e308 / 5):  # no running sum overflows
        assert np.allclose(moving_average(scale * values, steps, 2) / scale, want)


# ---- loss_drops (eq. 13.2)
def test_a_planted_drop_is_found_at_its_step_with_its_size():
    loss = staircase([(1500, 0.2)], noise=0.002)
    steps, sizes = loss_drops(loss, STEPS, width=100)
    assert steps.shape == (1,) and abs(steps[0] - 1500) <= 20
    assert abs(sizes[0] - 0.2) < 0.02  # nearly the whole fall lies within ± w


def test_two_drops_are_two_and_each_is_separate():
    loss = staircase([(700, 0.1), (2000, 0.05)], noise=0.001)
    steps, _ = loss_drops(loss, STEPS, width=100)
    assert np.allclose(steps, [700, 2000], atol=20)


def test_an_exponential_decay_is_no_drop_however_fast():
    # Its relative fall is the same in every window: the contrast is exactly 1.
    for tau in (100.0, 300.0, 1000.0):
        assert loss_drops(np.exp(-STEPS / tau), STEPS, width=100)[0].size == 0
    # and so is a power law on a log10 time axis
    t = np.log10(np.arange(10.0, 10_000.0, 10.0))
    assert loss_drops((10**t) ** -0.5, t, width=0.1)[0].size == 0


def test_small_or_slow_falls_are_not_drops():
    assert loss_drops(staircase([(1500, 0.005)]), STEPS, width=100)[0].size == 0
    slow = staircase([(1500, 0.2)], sharpness=400)  # spread over far more than 2w
    assert loss_drops(slow, STEPS, width=100)[0].size == 0
    assert loss_drops(slow, STEPS, width=100, contrast=1.0)[0].size == 1


def test_a_drop_too_near_the_ends_is_not_judged():
    # t ± 3w must lie inside the curve: a drop at step 100 has no plateau before it.
    assert loss_drops(staircase([(100, 0.3)]), STEPS, width=100)[0].size == 0


def test_drops_do_not_depend_on_the_scale_of_the_loss():
    loss = staircase([(1200, 0.1)], noise=0.003)
    want = loss_drops(loss, STEPS, width=100)
    for scale in (1e300, 1e-300, 7.0):
        got = loss_drops(scale * loss, STEPS, width=100)
        assert np.allclose(got[0], want[0]) and np.allclose(got[1], want[1])


def test_a_curve_too_short_for_the_windows_has_no_drops():
    steps, sizes = loss_drops([1.0, 0.5], [0, 1], width=10)
    assert steps.size == 0 and sizes.size == 0
    assert loss_drops([1.0], [3], width=1)[0].size == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_drops_are_separated_and_meet_the_rule(seed):
    rng = np.random.default_rng(seed)
    loss = np.exp(np.cumsum(-np.abs(rng.normal(0, 0.01, size=STEPS.size))))
    steps, sizes = loss_drops(loss, STEPS, width=50, min_drop=0.02)
    assert np.all(np.diff(steps) > 100) and np.all(sizes >= 0.02)
    assert np.all((steps >= 150) & (steps <= STEPS[-1] - 150))


# ---- dimensionality_jumps (eq. 13.3)
def test_a_step_in_one_feature_is_one_jump_with_its_levels():
    D = np.full((STEPS.size, 3), 0.5)
    D[:, 0] = np.where(STEPS < 1500, 0.1, 0.5)  # 1/10 -> 1/2
    D[:, 2] = np.where(STEPS < 2000, 0.5, 0.0)  # 1/2 -> dropped
    times, features, before, after = dimensionality_jumps(D, STEPS, width=100)
    assert np.allclose(times, [1500, 2000], atol=10)
    assert features.tolist() == [0, 2] and features.dtype.kind == "i"
    assert np.allclose(before, [0.1, 0.5]) and np.allclose(after, [0.5, 0.0])


def test_drift_and_small_wobbles_are_not_jumps():
    D = np.empty((STEPS.size, 2))
    D[:, 0] = np.linspace(0.1, 0.9, STEPS.size)  # 0.8 over the run: slow drift
    D[:, 1] = 0.5 + 0.02 * np.sin(STEPS / 30)
    assert dimensionality_jumps(D, STEPS, width=100)[0].size == 0
    jumps = dimensionality_jumps(D, STEPS, width=100, min_jump=0.05, contrast=1.0)
    assert set(jumps[1].tolist()) == {0}  # the drift passes a lax rule


def test_no_jumps_gives_empty_arrays_of_the_right_kinds():
    times, features, before, after = dimensionality_jumps(
        np.full((50, 4), 0.25), np.arange(50.0), width=3
    )
    assert times.shape == features.shape == before.shape == after.shape == (0,)
    assert features.dtype.kind == "i" and times.dtype.kind == "f"


# ---- coinciding_drops (eq. 13.4)
def test_coincidence_within_the_window_ends_included():
    got = coinciding_drops([100.0, 500.0, 900.0], [130.0, 560.0], window=30)
    assert got.tolist() == [True, False, False]
    assert coinciding_drops([], [1.0], window=5).shape == (0,)
    assert coinciding_drops([1.0, 2.0], [], window=5).tolist() == [False, False]


# ---- bad input
GOOD = dict(losses=staircase([(1500, 0.2)]), steps=STEPS)


@pytest.mark.parametrize(
    "change, error, name",
    [
        ({"losses": -GOOD["losses"]}, ValueError, "losses"),
        ({"losses": np.ones((3, 3))}, ValueError, "losses"),
        ({"losses": []}, ValueError, "losses"),
        ({"losses": "loss"}, TypeError, "losses"),
        ({"steps": STEPS[::-1]}, ValueError, "steps"),
        ({"steps": STEPS[:-1]}, ValueError, "steps"),
        ({"steps": np.r_[STEPS[:-1], np.nan]}, ValueError, "steps"),
        ({"width": 0}, ValueError, "width"),
        ({"width": True}, TypeError, "width"),
        ({"min_drop": 0}, ValueError, "min_drop"),
        ({"contrast": 0.5}, ValueError, "contrast"),
        ({"smoothing": -1}, ValueError, "smoothing"),
    ],
)
def test_loss_drops_refuses_bad_input(change, error, name):
    kwargs = {**GOOD, "width": 100, **change}
    with pytest.raises(error, match=name):
        loss_drops(**kwargs)


@pytest.mark.parametrize(
    "D, steps, kwargs, name",
    [
        (np.full((5, 2), 1.5), np.arange(5.0), {}, "D"),
        (np.full((5, 0), 0.5), np.arange(5.0), {}, "D"),
        (np.full(5, 0.5), np.arange(5.0), {}, "D"),
        (np.full((5, 2), 0.5), np.arange(4.0), {}, "steps"),
        (np.full((5, 2), 0.5), np.zeros(5), {}, "steps"),
        (np.full((5, 2), 0.5), np.arange(5.0), {"min_jump": 2}, "min_jump"),
        (np.full((5, 2), 0.5), np.arange(5.0), {"width": -1}, "width"),
    ],
)
def test_dimensionality_jumps_refuses_bad_input(D, steps, kwargs, name):
    with pytest.raises(ValueError, match=name):
        dimensionality_jumps(D, steps, **{"width": 1.0, **kwargs})


def test_coinciding_drops_refuses_bad_input():
    with pytest.raises(ValueError, match="window"):
        coinciding_drops([1.0], [1.0], window=-1)
    with pytest.raises(ValueError, match="drop_steps"):
        coinciding_drops([[1.0]], [1.0], window=1)
    with pytest.raises(TypeError, match="jump_steps"):
        coinciding_drops([1.0], "soon", window=1)

# GENERATED from book/13_learning_dynamics.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Learning dynamics: plateaus, sudden drops and energy levels.

The previous chapters looked at models *after* training. [elhage2022superposition]
also watched them learn, briefly, and saw something that a smooth picture of
gradient descent does not predict: the loss of a model in superposition falls in
**plateaus and sudden drops**, and at each drop some features' feature
dimensionality $D_i$ *jumps* from one value to another, as if the features moved
between "energy levels": energy level jumps. This chapter logs the weights during
training, turns "plateau", "sudden drop" and "jump" into rules a cell can apply, and
measures whether the drops and the jumps happen together, over several seeds.
"""

import numpy as np

from superposition_lib.conventions import (
    check_array,
    check_in_range,
    power_of_two_exponent,
)

__all__ = [
    "moving_average",
    "loss_drops",
    "dimensionality_jumps",
    "coinciding_drops",
]


# ---- book/13_learning_dynamics.ipynb, cell 11a78165 ----
def _time_axis(steps, length, of):
    """`steps` checked as a strictly increasing axis, one entry per row of `of`."""
    steps = check_array(steps, "steps", ndim=1)
    if steps.shape != (length,):
        raise ValueError(
            f"steps must have one entry per logged point of {of} ({length}), "
            f"got shape {steps.shape}"
        )
    if np.any(np.diff(steps) <= 0):
        raise ValueError("steps must increase strictly (one entry per logged point)")
    return steps


def _positive(value, name):
    return float(check_in_range(value, name, 0.0, np.inf, low_open=True))


def _at(values, steps, query):
    """`values` (T, ...) interpolated linearly at the times `query` inside `steps`."""
    right = np.clip(np.searchsorted(steps, query, side="right"), 1, len(steps) - 1)
    left = right - 1
    weight = (query - steps[left]) / (steps[right] - steps[left])
    weight = np.clip(weight, 0.0, 1.0).reshape((-1,) + (1,) * (values.ndim - 1))
    return values[left] + weight * (values[right] - values[left])


def _four_levels(values, steps, width):
    """The inner times t (whose t ± 3w lie inside the curve) and the values at t - 3w,
    t - w, t + w, t + 3w: three consecutive windows of 2w, the middle one centred."""
    t = steps[(steps - 3 * width >= steps[0]) & (steps + 3 * width <= steps[-1])]
    return t, [_at(values, steps, t + j * width) for j in (-3, -1, 1, 3)]


def _separated_maxima(score, times, gap):
    """Indices of the largest finite scores, no two within `gap` of each other; of a
    run of equal neighbouring scores (a step seen by a window), the middle one."""
    chosen, taken = [], np.zeros(score.shape, bool)
    for i in np.argsort(-score, kind="stable"):
        if not np.isfinite(score[i]):
            break
        if taken[i]:
            continue
        low, high = i, i
        while low > 0 and score[low - 1] == score[i]:
            low -= 1
        while high < len(score) - 1 and score[high + 1] == score[i]:
            high += 1
        taken[low : high + 1] = True
        middle = (low + high) // 2
        if all(abs(times[middle] - times[j]) > gap for j in chosen):
            chosen.append(middle)
    return np.sort(np.array(chosen, dtype=int))


def moving_average(values, steps, span):
    """Centred moving average (eq. 13.1): the mean of the logged values within ± span/2.

    values: (T,) or (T, m), one row per logged point of `steps` (strictly increasing,
    any spacing). With span = 0 each point is averaged alone.
    """
    values = check_array(values, "values", ndim=(1, 2))
    if 0 in values.shape:
        raise ValueError(
            f"values must not have an empty axis, got shape {values.shape}"
        )
    steps = _time_axis(steps, len(values), "values")
    span = float(check_in_range(span, "span", 0.0, np.inf))
    exponent = power_of_two_exponent(values)  # exact: no running sum can overflow
    with np.errstate(under="ignore"):
        scaled = np.ldexp(values, -exponent)
        total = np.cumsum(np.concatenate([np.zeros_like(scaled[:1]), scaled]), axis=0)
        low = np.searchsorted(steps, steps - span / 2, side="left")
        high = np.searchsorted(steps, steps + span / 2, side="right")
        count = (high - low).reshape((-1,) + (1,) * (values.ndim - 1))
        return np.ldexp((total[high] - total[low]) / count, exponent)


def loss_drops(losses, steps, *, width, smoothing=None, min_drop=0.01, contrast=2.0):
    """Sudden drops of a loss curve (eq. 13.2): (their times, their relative sizes).

    The curve is smoothed over `smoothing` (default `width`) with eq. 13.1. With
    w = width, d(t) = (L(t-w) - L(t+w)) / L(t-w) is the relative fall over the 2w
    around t, d_before and d_after the falls over the 2w just before and just after.
    t is a drop when d(t) >= min_drop, d(t) >= contrast * max(d_before, d_after) and no
    larger such fall lies within ± 2w. `steps` is any increasing time axis (log10 of the
    steps makes a drop sudden relative to the time already trained).
    """
    losses = check_in_range(check_array(losses, "losses", ndim=1), "losses", 0, np.inf)
    if losses.size == 0:
        raise ValueError("losses must hold at least one logged point, got none")
    steps = _time_axis(steps, len(losses), "losses")
    width = _positive(width, "width")
    span = width if smoothing is None else smoothing
    span = float(check_in_range(span, "smoothing", 0.0, np.inf))
    min_drop = float(check_in_range(min_drop, "min_drop", 0, 1, low_open=True))
    contrast = float(check_in_range(contrast, "contrast", 1.0, np.inf))
    scaled = np.ldexp(losses, -power_of_two_exponent(losses))  # exact; d is scale-free
    with np.errstate(under="ignore"):
        t, levels = _four_levels(moving_average(scaled, steps, span), steps, width)
        before, fall, after = (
            np.divide(a - b, a, out=np.zeros_like(a), where=a > 0)
            for a, b in zip(levels, levels[1:])
        )
    sudden = (fall >= min_drop) & (fall >= contrast * np.maximum(before, after))
    found = _separated_maxima(np.where(sudden, fall, -np.inf), t, 2 * width)
    return t[found], fall[found]


# ---- book/13_learning_dynamics.ipynb, cell 6fdb296d ----
def dimensionality_jumps(D, steps, *, width, min_jump=0.1, contrast=2.0):
    """Jumps of feature dimensionalities (eq. 13.3): (times, features, before, after).

    D: (T, n), the D_i at every logged point of `steps`. With w = width, feature i jumps
    at t when |D_i(t+w) - D_i(t-w)| >= min_jump, that change is at least `contrast`
    times the change over the 2w just before and just after, and no larger such change
    of feature i lies within ± 2w. before, after: D_i(t - w), D_i(t + w). By time.
    """
    D = check_in_range(check_array(D, "D", ndim=2), "D", 0.0, 1.0 + 1e-9)
    if 0 in D.shape:
        raise ValueError(f"D must not have an empty axis, got shape {D.shape}")
    steps = _time_axis(steps, len(D), "D")
    width = _positive(width, "width")
    min_jump = float(check_in_range(min_jump, "min_jump", 0, 1, low_open=True))
    contrast = float(check_in_range(contrast, "contrast", 1.0, np.inf))
    with np.errstate(under="ignore"):
        t, levels = _four_levels(D, steps, width)
        before, change, after = (np.abs(b - a) for a, b in zip(levels, levels[1:]))
    sudden = (change >= min_jump) & (change >= contrast * np.maximum(before, after))
    rows = [
        (t[j], i, levels[1][j, i], levels[2][j, i])
        for i in range(D.shape[1])
        for j in _separated_maxima(
            np.where(sudden[:, i], change[:, i], -np.inf), t, 2 * width
        )
    ]
    times, features, D_before, D_after = list(zip(*sorted(rows))) or [()] * 4
    return (
        np.array(times, float),
        np.array(features, int),
        np.array(D_before, float),
        np.array(D_after, float),
    )


def coinciding_drops(drop_steps, jump_steps, *, window):
    """For each drop, True when some jump lies within ± window of it (eq. 13.4)."""
    drop_steps = check_array(drop_steps, "drop_steps", ndim=1)
    jump_steps = check_array(jump_steps, "jump_steps", ndim=1)
    window = float(check_in_range(window, "window", 0.0, np.inf))
    if jump_steps.size == 0 or drop_steps.size == 0:
        return np.zeros(drop_steps.shape, dtype=bool)
    with np.errstate(over="ignore"):  # a distance beyond float64 is beyond the window
        distance = np.abs(drop_steps[:, None] - jump_steps[None, :])
    return np.min(distance, axis=1) <= window

"""Fuzz specs: drops and jumps over training (`superposition_lib.dynamics`, chapter 13).

Each `check=` holds an oracle: the moving average against its definition, a planted
drop (or jump) found where it was planted, drops blind to the scale of the loss, and
coincidences against a brute-force distance.
"""

import numpy as np

from fuzz.harness import PLAIN, Spec, invoke
from fuzz.kinds import Array, Real

WIDTH = Real(low=0.0, low_open=True)
CONTRAST = Real(low=1.0)


def _steps(rng, size):
    """An uneven, strictly increasing time axis."""
    return np.cumsum(rng.uniform(0.5, 1.5, size=size))


def _curve(rng):
    """A plateau, a planted drop at 60 % of the way, a plateau; a little noise."""
    steps = _steps(rng, int(rng.integers(80, 120)))
    at = steps[0] + 0.6 * (steps[-1] - steps[0])
    size = float(rng.uniform(0.1, 0.4))
    loss = 2.0 - 2.0 * size / (1 + np.exp(-(steps - at) / 0.5))
    loss *= 1 + 0.001 * rng.standard_normal(steps.size)
    return {"losses": loss, "steps": steps, "width": 5.0, "planted": at}


def _drops_build(rng):
    kwargs = _curve(rng)
    kwargs.pop("planted")
    kwargs.update(min_drop=0.02, contrast=2.0, smoothing=2.0)
    return kwargs


def _check_drops(result, kwargs):
    times, sizes = result
    steps = np.asarray(kwargs["steps"])
    assert times.shape == sizes.shape and np.all(sizes >= kwargs["min_drop"])
    at = steps[0] + 0.6 * (steps[-1] - steps[0])
    assert times.size == 1 and abs(times[0] - at) <= 2.0, "the planted drop"
    for scale in (1e300, 1e-300, 3.0):  # relative falls: blind to the loss's units
        scaled = dict(kwargs, losses=np.asarray(kwargs["losses"]) * scale)
        again = invoke("loss_drops", PLAIN, scaled)
        assert np.allclose(again[0], times) and np.allclose(again[1], sizes)


def _moving_build(rng):
    steps = _steps(rng, int(rng.integers(3, 40)))
    shape = (steps.size,) if rng.random() < 0.5 else (steps.size, 2)
    return {"values": rng.normal(size=shape), "steps": steps, "span": 3.0}


def _check_moving(result, kwargs):
    values, steps = np.asarray(kwargs["values"]), np.asarray(kwargs["steps"])
    for i, t in enumerate(steps):
        inside = np.abs(steps - t) <= kwargs["span"] / 2
        assert np.allclose(result[i], values[inside].mean(axis=0))


def _jumps_build(rng):
    steps = _steps(rng, int(rng.integers(60, 100)))
    D = np.tile(rng.uniform(0.1, 0.9, size=4), (steps.size, 1))
    at = steps[len(steps) // 2]
    D[steps > at, 1] = 0.5 if D[0, 1] < 0.3 or D[0, 1] > 0.7 else 0.0
    return {"D": D, "steps": steps, "width": 4.0, "min_jump": 0.1, "contrast": 2.0}


def _check_jumps(result, kwargs):
    times, features, before, after = result
    D, steps = np.asarray(kwargs["D"]), np.asarray(kwargs["steps"])
    assert features.tolist() == [1], "only the planted feature jumps"
    assert abs(times[0] - steps[len(steps) // 2]) <= 2.0
    assert np.isclose(before[0], D[0, 1]) and np.isclose(after[0], D[-1, 1])


def _coinciding_build(rng):
    return {
        "drop_steps": rng.uniform(0, 100, size=int(rng.integers(1, 6))),
        "jump_steps": rng.uniform(0, 100, size=int(rng.integers(1, 6))),
        "window": float(rng.uniform(0, 20)),
    }


def _check_coinciding(result, kwargs):
    drops, jumps = np.asarray(kwargs["drop_steps"]), np.asarray(kwargs["jump_steps"])
    want = [any(abs(d - j) <= kwargs["window"] for j in jumps) for d in drops]
    assert result.dtype == bool and result.tolist() == want


SPECS = {
    "moving_average": Spec(
        build=_moving_build,
        args={"values": Array(), "steps": Array(), "span": Real(low=0.0)},
        check=_check_moving,
    ),
    "loss_drops": Spec(
        build=_drops_build,
        args={
            "losses": Array(),
            "steps": Array(),
            "width": WIDTH,
            "smoothing": Real(low=0.0, optional=True),
            "min_drop": Real(low=0.0, high=1.0, low_open=True),
            "contrast": CONTRAST,
        },
        check=_check_drops,
    ),
    "dimensionality_jumps": Spec(
        build=_jumps_build,
        args={
            "D": Array(),
            "steps": Array(),
            "width": WIDTH,
            "min_jump": Real(low=0.0, high=1.0, low_open=True),
            "contrast": CONTRAST,
        },
        check=_check_jumps,
    ),
    "coinciding_drops": Spec(
        build=_coinciding_build,
        args={
            "drop_steps": Array(empty="survive"),
            "jump_steps": Array(empty="survive"),
            "window": Real(low=0.0),
        },
        check=_check_coinciding,
    ),
}

"""Checks for the exercises of "Non-uniform superposition" (chapter 12)."""

import numpy as np

from superposition_exercises.assertions import learner_call

# Slopes of every sign (and exactly 0), offsets of every sign, as a grid.
_SLOPES = np.array([-2.0, -0.7, -1e-12, 0.0, 1e-12, 0.4, 1.5, 3.0])[:, None]
_OFFSETS = np.array([-1.2, -0.5, -0.1, 0.0, 0.2, 0.6])[None, :]


def _by_quadrature(slope, offset, points=100_000):
    """∫₀¹ ReLU(slope·u + offset)² du by the midpoint rule, for the grid."""
    u = (np.arange(points) + 0.5) / points
    values = np.maximum(slope[..., None] * u + offset[..., None], 0.0)
    return np.mean(values**2, axis=-1)


def check_relu_square_integral_exercise(relu_square_integral):
    """`relu_square_integral(slope, offset)`: ∫₀¹ ReLU(a u + c)² du in closed form."""
    slope, offset = np.broadcast_arrays(_SLOPES, _OFFSETS)
    with np.errstate(all="ignore"):
        got = learner_call(
            relu_square_integral,
            _SLOPES,
            _OFFSETS,
            on="an (8, 1) array of slopes and a (1, 6) array of offsets",
        )
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"return an array of numbers, got {got!r}") from None
    assert got.shape == slope.shape, (
        f"slopes (8, 1) and offsets (1, 6) broadcast to (8, 6); got shape {got.shape}"
    )
    want = _by_quadrature(slope, offset)
    flat = slope == 0
    assert np.all(np.isfinite(got[flat])), (
        "slope 0 gives NaN or inf: with a = 0 the integrand is the constant "
        "ReLU(c)², so avoid dividing by the slope (eq. 12.4 needs no division)"
    )
    assert np.all(np.isfinite(got)), "a tiny slope (1e-12) gives NaN or inf"
    no_relu = slope**2 / 3 + slope * offset + offset**2
    assert not np.allclose(got, no_relu, atol=1e-6), (
        "this is ∫₀¹ (a u + c)² du without the ReLU: the integrand is 0 where "
        "a u + c < 0, so integrate only where the ReLU is open"
    )
    rising = slope > 0
    assert np.allclose(got[rising], want[rising], atol=1e-8), (
        "wrong for a positive slope: the ReLU is open on [max(0, −c/a), 1]"
    )
    falling = slope < 0
    assert np.allclose(got[falling], want[falling], atol=1e-8), (
        "wrong for a negative slope: the ReLU is open on [0, min(1, −c/a)], and "
        "nowhere when −c/a ≤ 0"
    )
    assert np.allclose(got, want, atol=1e-8), (
        "wrong for slope 0: the integral is ReLU(c)², c² for c > 0 and 0 otherwise"
    )
    print("∫₀¹ ReLU(a u + c)² du: all checks passed")


def check_thomson_ratio_exercise(r_thomson_limit):
    """The ratio at which the idealised pentagon and two digons cost the same."""
    try:
        value = float(r_thomson_limit)
    except (TypeError, ValueError):
        raise AssertionError(
            f"r_thomson_limit must be one number, got {r_thomson_limit!r}"
        ) from None
    c2 = np.cos(0.4 * np.pi) ** 2  # cos² 72°
    want = 8 * c2 / (1 - 2 * c2)
    assert np.isfinite(value) and value > 0, (
        "a ratio is positive: the neighbours at 144° interfere negatively, which "
        "the ReLU makes free; only the two at 72° cost cos² 72° / 3 each"
    )
    assert not np.isclose(value, 4 * c2 / (1 - c2), rtol=1e-3), (
        "each feature of the pentagon has two neighbours at 72°, and it opens both "
        "ReLUs: 2 cos² 72° / 3 per active feature"
    )
    assert not np.isclose(value, 8 * c2, rtol=1e-3), (
        "feature 0's own interference grows with r too: the pentagon costs "
        "(r + 4) p · 2 cos² 72° / 3, not 4 p · 2 cos² 72° / 3"
    )
    assert value < 0.946 or value > 0.95, (
        "that is the crossing at density 0.05; in the limit of rare features "
        "P({i}) ≈ p_i, and the answer is a little smaller"
    )
    assert np.isclose(value, want, rtol=1e-4), (
        f"expected r = 8 cos² 72° / (1 − 2 cos² 72°) = {want:.4f}, got {value:.4f}: "
        "pentagon (r + 4) p · 2 cos² 72° / 3 against two digons r p / 3"
    )
    print(f"r = {value:.4f}: right")

"""Properties and edge cases of superposition_lib.metrics (L0, L1, Gini, MSE)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from superposition_lib.metrics import (
    gini,
    l0_fraction,
    l1_norm,
    original_gini,
    reconstruction_mse,
)

VALUES = st.floats(
    -1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
VECTORS = arrays(np.float64, st.integers(1, 60), elements=VALUES)
NONNEG = arrays(
    np.float64,
    st.integers(1, 60),
    elements=st.floats(0, 1e3, allow_nan=False, allow_subnormal=False),
)


def gini_pairwise(a):
    """The definition: sum_ij |a_i - a_j| / (2 n^2 mean |a|)."""
    a = np.abs(np.ravel(a))
    return np.abs(a[:, None] - a[None, :]).sum() / (2 * a.size**2 * a.mean())


@settings(max_examples=200, deadline=None)
@given(VECTORS)
def test_gini_equals_the_definition_and_the_original_formula(a):
    assume(np.abs(a).sum() > 0)
    assert gini(a) == pytest.approx(gini_pairwise(a), abs=1e-12)
    assert gini(a) == pytest.approx(original_gini(a), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(VECTORS)
def test_gini_range(a):
    assert 0.0 <= gini(a) <= 1.0 - 1.0 / a.size + 1e-12


@settings(max_examples=150, deadline=None)
@given(NONNEG, st.floats(1e-3, 1e3))
def test_gini_scaling_and_cloning(a, c):
    assume(a.sum() > 0)
    assert gini(c * a) == pytest.approx(gini(a), abs=1e-12)
    assert gini(np.concatenate([a, a])) == pytest.approx(gini(a), abs=1e-12)
    assert gini(-a) == gini(a)  # signs are ignored: |A|
    assert gini(a.reshape(1, -1)) == gini(a)  # any shape: all entries pooled


@settings(max_examples=150, deadline=None)
@given(NONNEG, st.integers(1, 30), st.floats(0.1, 100))
def test_gini_babies_and_rising_tide(a, n_zeros, tide):
    assume(a.sum() > 0 and np.ptp(a) > 1e-6 * a.max())
    assert gini(np.concatenate([a, np.zeros(n_zeros)])) > gini(a)  # Babies
    assert gini(a + tide) < gini(a)  # Rising tide


POSITIVE = arrays(
    np.float64,
    st.integers(2, 60),
    elements=st.floats(1e-3, 1e3, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=150, deadline=None)
@given(POSITIVE, st.data())
def test_gini_robin_hood_and_its_reversal(a, data):
    order = np.argsort(a, kind="stable")
    poor, rich = order[0], order[-1]
    assume(a[rich] - a[poor] > 1e-6 * a[rich])
    share = data.draw(st.floats(0.05, 0.45))
    transfer = share * (a[rich] - a[poor])  # keeps the rich richer than the poor
    robin = a.copy()
    robin[rich] -= transfer
    robin[poor] += transfer
    assert gini(robin) < gini(a)
    reverse = a.copy()
    reverse[rich] += a[poor] / 2
    reverse[poor] -= a[poor] / 2
    assert gini(reverse) > gini(a)


def test_gini_closed_forms():
    for n in (1, 2, 3, 10, 1000):
        one_hot = np.zeros(n)
        one_hot[-1] = 5.0
        assert gini(one_hot) == pytest.approx(1 - 1 / n, abs=1e-12)
        assert gini(np.full(n, 3.3)) == pytest.approx(0.0, abs=1e-12)
    # Dense uniform data: G = 1/3 (the book's closed form (1 + 2S)/3 at S = 0).
    u = np.random.default_rng(0).random(1_000_000)
    assert gini(u) == pytest.approx(1 / 3, abs=2e-3)


def test_gini_edge_cases_are_defined():
    assert gini(np.zeros(7)) == 0.0  # all zeros: documented answer, not 0/0 = NaN
    assert gini(np.zeros((2, 3))) == 0.0
    assert gini(np.array([4.0])) == 0.0
    assert gini([0, 0, 3]) == pytest.approx(2 / 3)  # lists and ints are accepted
    with pytest.raises(ValueError, match="empty"):
        gini(np.array([]))
    with pytest.raises(ValueError, match="finite"):
        gini(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="finite"):
        gini(np.array([1.0, -np.inf]))
    with pytest.raises(TypeError, match="A"):
        gini("abc")


def test_gini_leaves_its_input_alone():
    a = np.array([[3.0, -1.0, 2.0], [0.0, 5.0, 4.0]])
    before = a.copy()
    gini(a)
    gini(a[:, ::2])  # a non-contiguous view
    assert np.array_equal(a, before)
    assert gini(a[:, ::2]) == gini(np.ascontiguousarray(a[:, ::2]))


def test_gini_float32_sums_in_float64():
    a = np.random.default_rng(1).exponential(size=200_003).astype(np.float32)
    assert gini(a) == pytest.approx(gini(a.astype(np.float64)), abs=1e-12)
    assert isinstance(gini(a), float)


@settings(max_examples=150, deadline=None)
@given(
    arrays(
        np.float64, array_shapes(min_dims=1, max_dims=3, max_side=8), elements=VALUES
    ),
    st.floats(1e-3, 1e3),
)
def test_l0_l1_properties(A, c):
    assert 0.0 <= l0_fraction(A) <= 1.0
    assert l0_fraction(A) == np.count_nonzero(A) / A.size
    assert l0_fraction(c * A) == l0_fraction(A)  # L0 ignores the sizes
    assert l1_norm(A) >= 0.0
    assert l1_norm(c * A) == pytest.approx(c * l1_norm(A), rel=1e-12, abs=1e-300)
    assert l1_norm(-A) == l1_norm(A)


def test_l0_threshold_and_l1_values():
    A = np.array([[0.0, 1e-9, -2.0], [0.5, 0.0, 0.0]])
    assert l0_fraction(A) == 3 / 6
    assert l0_fraction(A, threshold=1e-6) == 2 / 6
    assert l0_fraction(A, threshold=2.0) == 0.0
    assert l1_norm(A) == pytest.approx((1e-9 + 2.0 + 0.5) / 6)
    with pytest.raises(ValueError, match="threshold"):
        l0_fraction(A, threshold=-1.0)
    for measure in (l0_fraction, l1_norm):
        with pytest.raises(ValueError, match="empty"):
            measure(np.zeros((0, 3)))
        with pytest.raises(ValueError, match="finite"):
            measure(np.array([np.nan]))


def test_reconstruction_mse():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((40, 6))
    A_hat = A + rng.standard_normal((40, 6))
    assert reconstruction_mse(A, A_hat) == pytest.approx(np.mean((A - A_hat) ** 2))
    # The original document's formula (per input, summed over D) is D times this.
    per_input = np.mean(np.sum((A - A_hat) ** 2, axis=1))
    assert 6 * reconstruction_mse(A, A_hat) == pytest.approx(per_input)
    assert reconstruction_mse(A, A) == 0.0
    assert reconstruction_mse(A, A_hat) == reconstruction_mse(A_hat, A)
    assert reconstruction_mse(
        A.astype(np.float32), A_hat.astype(np.float32)
    ) == pytest.approx(reconstruction_mse(A, A_hat), rel=1e-5)
    with pytest.raises(ValueError, match="shape"):
        reconstruction_mse(A, A_hat[:, :5])
    with pytest.raises(ValueError, match="A_hat"):
        reconstruction_mse(A, np.where(A > 1, np.inf, A))
    with pytest.raises(ValueError, match="empty"):
        reconstruction_mse(np.zeros((0, 2)), np.zeros((0, 2)))


def test_extreme_scales_keep_the_scale_laws():
    # Entries near 1e308 (their sums overflow float64) and near 1e-300.
    a = np.random.default_rng(3).exponential(size=500) * (np.arange(500) % 3 == 0)
    for c in (1e-300, 1e300, 1e306):
        assert gini(c * a) == pytest.approx(gini(a), abs=1e-12)
        assert l1_norm(c * a) / c == pytest.approx(l1_norm(a), rel=1e-12)
        assert l0_fraction(c * a) == l0_fraction(a)
    A = np.random.default_rng(4).standard_normal((20, 3))
    A_hat = A + 0.1
    assert reconstruction_mse(1e150 * A, A_hat) / 1e300 == pytest.approx(np.mean(A**2))
    assert reconstruction_mse(1e-300 * A, A_hat) == pytest.approx(np.mean(A_hat**2))


def test_mse_outside_float64_is_refused_and_a_tiny_one_is_not():
    A = np.random.default_rng(5).standard_normal((20, 3))
    for c in (1e200, 1e-200):  # c^2 x 0.01: no float64 holds it (inf, or a wrong 0)
        with pytest.raises(ValueError, match="A and A_hat"):
            reconstruction_mse(c * A, c * (A + 0.1))
    # A near-perfect reconstruction of ordinary data: an MSE of ~1e-320 is its answer.
    A, A_hat = np.array([1.0, 0, 0, 0]), np.array([1.0, 0, 0, 1e-159])
    assert reconstruction_mse(A, A_hat) == pytest.approx(1e-318 / 4, rel=1e-3)

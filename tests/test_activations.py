"""superposition_lib.activations: values, the convention at 0, dtypes and bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from superposition_lib.activations import relu, relu_derivative

finite_arrays = hnp.arrays(
    np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=st.floats(-1e6, 1e6)
)


@given(finite_arrays)
def test_relu_properties(x):
    y = relu(x)
    assert y.shape == x.shape and np.all(y >= 0)
    assert np.array_equal(y[x > 0], x[x > 0]) and np.all(y[x <= 0] == 0)
    assert np.array_equal(relu(y), y), "ReLU is idempotent"
    assert np.array_equal(y - relu(-x), x), "x = ReLU(x) - ReLU(-x)"


@given(finite_arrays)
def test_derivative_is_indicator(x):
    d = relu_derivative(x)
    assert d.shape == x.shape and d.dtype == x.dtype
    assert np.array_equal(d, (x > 0).astype(float))


def test_convention_at_zero():
    assert relu_derivative(np.array([0.0, -0.0]))[0] == 0.0
    assert relu_derivative(np.array([-0.0]))[0] == 0.0
    assert relu_derivative(np.array([np.finfo(float).tiny]))[0] == 1.0
    assert relu_derivative(0.0) == 0.0 and relu(0.0) == 0.0


@given(st.floats(-100, 100).filter(lambda v: abs(v) > 1e-3))
def test_derivative_matches_central_difference_away_from_kink(v):
    h = 1e-6
    fd = (relu(np.array(v + h)) - relu(np.array(v - h))) / (2 * h)
    assert abs(fd - relu_derivative(np.array(v))) < 1e-6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept(dtype):
    x = np.array([-1.0, 0.0, 2.0], dtype=dtype)
    assert relu(x).dtype == dtype and relu_derivative(x).dtype == dtype


def test_integers_and_lists_become_float64():
    assert relu([1, -2]).dtype == np.float64
    assert relu_derivative(np.array([1, -2], dtype=np.int32)).dtype == np.float64


def test_float64_stays_float64_after_scaling_by_a_python_float():
    # The original returned float32, which NumPy 2 keeps float32 when scaled by 0.1.
    assert (relu_derivative(np.ones(2)) * 0.1).dtype == np.float64


@pytest.mark.parametrize("fn", [relu, relu_derivative])
@pytest.mark.parametrize(
    "bad, error",
    [
        ("abc", TypeError),
        (None, TypeError),
        (np.array([1 + 1j]), TypeError),
        ([1.0, np.nan], ValueError),
        (np.array([np.inf]), ValueError),
    ],
)
def test_bad_input_names_x(fn, bad, error):
    with pytest.raises(error, match="x"):
        fn(bad)


def test_input_not_modified():
    x = np.array([-1.0, 2.0])
    relu(x)
    relu_derivative(x)
    assert np.array_equal(x, [-1.0, 2.0])

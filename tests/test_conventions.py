"""superposition_lib.conventions: argument checks, dtype rules and seeding."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_float_dtype,
    check_generators,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
    instance_generators,
    transpose_last,
)
from superposition_lib.optim import train_loop
from superposition_lib.train import TrainingWorkspace


# ---- as_generator
def test_same_seed_same_stream():
    assert np.array_equal(as_generator(3).random(5), as_generator(3).random(5))


def test_numpy_integer_seed_accepted():
    assert np.array_equal(
        as_generator(np.int64(3)).random(2), as_generator(3).random(2)
    )


def test_generator_passes_through_and_advances():
    rng = np.random.default_rng(0)
    assert as_generator(rng) is rng
    first, second = as_generator(rng).random(), as_generator(rng).random()
    assert first != second


@pytest.mark.parametrize("bad", [None, 1.5, "7", True, np.random.RandomState(0), [1]])
def test_as_generator_rejects(bad):
    with pytest.raises(TypeError, match="seed_arg"):
        as_generator(bad, name="seed_arg")


# ---- check_positive_int
@given(st.integers(min_value=1, max_value=10**12))
def test_positive_int_accepts(value):
    assert check_positive_int(value, "n") == value
    small = min(value, 2**31 - 1)
    assert check_positive_int(np.int32(small), "n") == small


@pytest.mark.parametrize(
    "bad, error",
    [
        (0, ValueError),
        (-3, ValueError),
        (2.0, TypeError),
        (True, TypeError),
        ("3", TypeError),
        (None, TypeError),
    ],
)
def test_positive_int_rejects(bad, error):
    with pytest.raises(error, match="n_things"):
        check_positive_int(bad, "n_things")


# ---- check_array
@pytest.mark.parametrize(
    "dtype", [np.int8, np.int64, np.uint16, np.float16, np.float64]
)
def test_check_array_makes_float64(dtype):
    assert check_array(np.ones(3, dtype=dtype), "x").dtype == np.float64


@pytest.mark.parametrize("bad", [True, np.ones(3, dtype=bool), [True, False]])
def test_check_array_refuses_bools(bad):
    """A bool is not a number: `decay=True` must not quietly mean 1."""
    with pytest.raises(TypeError, match="x"):
        check_array(bad, "x")


def test_check_array_keeps_float32_and_does_not_copy():
    x32, x64 = np.ones(3, np.float32), np.ones(3)
    assert check_array(x32, "x") is x32
    assert check_array(x64, "x") is x64


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        b"abc",
        None,
        np.array(["a"]),
        np.array([1 + 2j]),
        np.array([object()], dtype=object),
    ],
)
def test_check_array_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="arr_name"):
        check_array(bad, "arr_name")


@pytest.mark.parametrize("bad", [[np.nan], [1.0, np.inf], [[-np.inf]]])
def test_check_array_rejects_non_finite(bad):
    with pytest.raises(ValueError, match="arr_name.*finite"):
        check_array(bad, "arr_name")
    assert np.isnan(check_array([np.nan], "x", finite=False)).all()


def test_check_array_rank_and_shape():
    ok = check_array(np.zeros((2, 3)), "W", ndim=(2, 3), shape=(None, 3))
    assert ok.shape == (2, 3)
    with pytest.raises(ValueError, match="W must be 1-D or 3-D"):
        check_array(np.zeros((2, 3)), "W", ndim=(1, 3))
    with pytest.raises(ValueError, match=r"W must have shape \(any, 4\)"):
        check_array(np.zeros((2, 3)), "W", shape=(None, 4))
    with pytest.raises(ValueError, match="W must have shape"):
        check_array(np.zeros((2, 3, 4)), "W", shape=(None, 3))


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(max_dims=3, max_side=4),
        elements=st.floats(-1e6, 1e6),
    )
)
def test_check_array_is_identity_on_finite_float64(x):
    assert check_array(x, "x") is x


# ---- check_in_range
@given(st.floats(0, 1, exclude_max=True))
def test_in_range_half_open(value):
    assert check_in_range(value, "s", 0, 1, high_open=True) == value


@pytest.mark.parametrize(
    "value, kwargs",
    [
        (1.0, {"high_open": True}),
        (0.0, {"low_open": True}),
        (-1e-12, {}),
        (1 + 1e-12, {}),
        ([0.5, 2.0], {}),
    ],
)
def test_in_range_rejects(value, kwargs):
    with pytest.raises(ValueError, match="sparsity must lie in"):
        check_in_range(value, "sparsity", 0, 1, **kwargs)


def test_in_range_message_shows_interval_and_value():
    with pytest.raises(ValueError, match=r"\(0, 1\].*0\.0"):
        check_in_range(0.0, "decay", 0, 1, low_open=True)


def test_in_range_rejects_nan_and_strings():
    with pytest.raises(ValueError, match="p"):
        check_in_range(np.nan, "p", 0, 1)
    with pytest.raises(TypeError, match="p"):
        check_in_range("0.5", "p", 0, 1)


# ---- check_one_of
def test_one_of_returns_the_choice():
    assert check_one_of("xavier", "init", ("normal", "xavier")) == "xavier"


@pytest.mark.parametrize("bad", ["Xavier", "", None, 1, ["relu"]])
def test_one_of_rejects_and_lists_the_choices(bad):
    with pytest.raises(ValueError, match=r"init must be one of \('normal', 'xavier'\)"):
        check_one_of(bad, "init", ("normal", "xavier"))


# ---- check_float_dtype
@pytest.mark.parametrize(
    "dtype, want",
    [
        (np.float32, np.float32),
        ("float32", np.float32),
        (float, np.float64),
        (np.dtype(np.float64), np.float64),
    ],
)
def test_float_dtype_resolves_to_a_scalar_type(dtype, want):
    assert check_float_dtype(dtype) is want


@pytest.mark.parametrize(
    "bad, error",
    [
        (np.int32, ValueError),
        (np.float16, ValueError),
        (complex, ValueError),
        ("nonsense", TypeError),
        (3.5, TypeError),
    ],
)
def test_float_dtype_rejects(bad, error):
    with pytest.raises(error, match="precision must be np.float32 or np.float64"):
        check_float_dtype(bad, "precision")


# ---- check_matrix_stack and transpose_last
def test_matrix_stack_accepts_a_matrix_and_a_stack():
    assert check_matrix_stack(np.ones((2, 3)), "W").shape == (2, 3)
    assert check_matrix_stack([[[1, 2]]], "W").dtype == np.float64


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.ones(3), "W must be 2-D or 3-D"),
        (np.ones((1, 2, 3, 4)), "W must be 2-D"),
        (np.ones((0, 3)), "W must not have an empty axis"),
        (np.ones((4, 2, 0)), "empty axis"),
        ([[np.nan]], "W must be finite"),
    ],
)
def test_matrix_stack_rejects(bad, message):
    with pytest.raises(ValueError, match=message):
        check_matrix_stack(bad, "W")


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=4, max_side=4)))
def test_transpose_last_swaps_only_the_last_two_axes(A):
    T = transpose_last(A)
    assert T.shape == A.shape[:-2] + (A.shape[-1], A.shape[-2])
    assert np.array_equal(transpose_last(T), A, equal_nan=True)
    if A.ndim == 2:
        assert np.array_equal(T, A.T, equal_nan=True)
    else:
        assert np.array_equal(T[0], transpose_last(A[0]), equal_nan=True)


@pytest.mark.parametrize(
    "rngs, n_instances, error, match",
    [
        (np.random.default_rng(0), None, TypeError, "rngs must be a list"),
        ([], None, ValueError, "at least one"),
        ([np.random.default_rng(0)] * 2, 3, ValueError, "3 Generator"),
        ([1], None, TypeError, r"rngs\[0\]"),
        ([np.random.default_rng(0), np.random.RandomState(0)], 2, TypeError, r"\[1\]"),  # noqa: NPY002
        ([np.random.default_rng(0)], 0, ValueError, "n_instances"),
    ],
)
def test_check_generators_refuses_by_name(rngs, n_instances, error, match):
    with pytest.raises(error, match=match):
        check_generators(rngs, n_instances)


def test_check_generators_accepts_a_tuple_and_returns_a_list():
    streams = tuple(instance_generators(3, 2))
    assert check_generators(streams, 2) == list(streams)


def test_every_trainer_refuses_a_wrong_list_of_generators():
    # the one check, shared by chapter 6's loop, chapter 7's workspace and Part IV
    params = {"W": np.zeros((2, 1, 3)), "b": np.zeros((2, 3))}
    with pytest.raises(ValueError, match="2 Generator"):
        train_loop(lambda p, r: None, params, instance_generators(0, 1), steps=1)
    work = TrainingWorkspace(params, np.ones((2, 3)), np.ones((2, 3)), 4)
    with pytest.raises(TypeError, match="rngs must be a list"):
        work.sample_batch(np.random.default_rng(0))

"""superposition_lib.data: distribution, shapes, dtypes, seeding and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from superposition_lib.data import (
    feature_importance,
    generate_sparse_data,
    original_generate_sparse_data,
)


def five_sigma(keep, n_entries):
    return 5 * np.sqrt(keep * (1 - keep) / n_entries)


# ---- feature_importance
def test_importance_values():
    assert np.allclose(feature_importance(4, 0.5), [1, 0.5, 0.25, 0.125])
    assert np.array_equal(feature_importance(3, 1.0), np.ones(3))
    assert feature_importance(1).shape == (1,)
    assert feature_importance(5).dtype == np.float64


@given(st.integers(1, 200), st.floats(0.01, 1.0))
def test_importance_is_decreasing_from_one(n, decay):
    I = feature_importance(n, decay)
    assert I.shape == (n,) and I[0] == 1.0
    assert np.all(np.diff(I) <= 0) and np.all(I >= 0)  # tiny decays underflow to 0


@pytest.mark.parametrize(
    "n, decay, error, name",
    [
        (0, 0.7, ValueError, "n_features"),
        (2.0, 0.7, TypeError, "n_features"),
        (3, 0.0, ValueError, "decay"),
        (3, 1.5, ValueError, "decay"),
        (3, -0.7, ValueError, "decay"),
        (3, np.nan, ValueError, "decay"),
        (3, [0.5, 0.7], ValueError, "decay"),
        (3, "0.7", TypeError, "decay"),
        # A bool is not a number: decay=True once gave all ones (True ** i = 1).
        (5, True, TypeError, "decay"),
        (True, 0.7, TypeError, "n_features"),
    ],
)
def test_importance_rejects(n, decay, error, name):
    with pytest.raises(error, match=name):
        feature_importance(n, decay)


# ---- generate_sparse_data: distribution
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("S", [0.0, 0.5, 0.9, 0.999])
def test_fraction_mean_and_range(S, dtype):
    X = generate_sparse_data(20_000, 25, S, rng=1, dtype=dtype)
    keep, M = 1 - S, X.size
    assert X.dtype == dtype and X.shape == (20_000, 25)
    assert X.min() >= 0 and X.max() < 1
    assert abs(np.count_nonzero(X) / M - keep) <= five_sigma(keep, M) + 1e-6
    mean_bound = 5 * np.sqrt((keep / 3 - keep**2 / 4) / M)
    assert abs(X.mean(dtype=np.float64) - keep / 2) <= mean_bound + 1e-6


def test_nonzero_values_are_uniform():
    X = generate_sparse_data(50_000, 4, 0.8, rng=2)
    assert stats.kstest(X[X > 0], "uniform").pvalue > 1e-3


def test_one_draw_matches_two_draws_in_distribution():
    a = generate_sparse_data(100_000, 2, 0.6, rng=3).ravel()
    b = original_generate_sparse_data(100_000, 2, 0.6, rng=4).ravel()
    assert stats.ks_2samp(a, b).pvalue > 1e-3


def test_two_draws_matches_the_original_formula():
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    mask = rng_b.binomial(1, 0.3, size=(30, 4))
    values = rng_b.uniform(0.0, 1.0, size=(30, 4))
    ours = original_generate_sparse_data(30, 4, 0.7, rng_a)
    assert np.array_equal(ours, values * mask)


def test_per_feature_sparsity():
    S = np.array([0.0, 0.3, 0.6, 0.9, 0.99])
    X = generate_sparse_data(40_000, 5, S, rng=6)
    fractions = np.count_nonzero(X, axis=0) / X.shape[0]
    assert np.all(np.abs(fractions - (1 - S)) <= five_sigma(1 - S, X.shape[0]) + 1e-9)
    X2 = original_generate_sparse_data(40_000, 5, S, rng=6)
    fractions2 = np.count_nonzero(X2, axis=0) / X2.shape[0]
    assert np.all(np.abs(fractions2 - (1 - S)) <= five_sigma(1 - S, X2.shape[0]) + 1e-9)


def test_instances_scalar_per_instance_and_per_instance_feature():
    X = generate_sparse_data(100, 3, 0.5, rng=0, n_instances=4)
    assert X.shape == (4, 100, 3)
    S_inst = np.array([0.0, 0.5, 0.9])
    X = generate_sparse_data(30_000, 4, S_inst, rng=7, n_instances=3)
    frac = np.count_nonzero(X, axis=(1, 2)) / X[0].size
    bound = five_sigma(1 - S_inst, X[0].size) + 1e-9
    assert np.all(np.abs(frac - (1 - S_inst)) <= bound)
    S_both = np.array([[0.0, 0.9], [0.9, 0.0]])
    X = generate_sparse_data(30_000, 2, S_both, rng=8, n_instances=2)
    frac = np.count_nonzero(X, axis=1) / X.shape[1]
    bound = five_sigma(1 - S_both, X.shape[1]) + 1e-9
    assert np.all(np.abs(frac - (1 - S_both)) <= bound)


def test_square_case_is_per_feature_without_instances():
    # (n,) without instances is per feature even when n happens to equal a later I.
    X = generate_sparse_data(20_000, 2, [0.0, 0.99], rng=9)
    assert np.count_nonzero(X[:, 0]) == 20_000 and np.count_nonzero(X[:, 1]) < 1_000


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 50),
    st.integers(1, 10),
    st.floats(0, 0.999),
    st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**32),
)
def test_values_in_unit_interval_property(N, n, S, dtype, seed):
    X = generate_sparse_data(N, n, S, rng=seed, dtype=dtype)
    assert X.shape == (N, n) and X.dtype == dtype
    assert np.all((X >= 0) & (X < 1))


def test_division_never_reaches_one_at_the_threshold():
    # The largest u below p must map strictly below 1 (correctly rounded division).
    for dtype in (np.float32, np.float64):
        for keep in (0.1, 0.3, 1 / 3, 0.7, 0.5, 2.0**-10):
            p = dtype(keep)
            u = np.nextafter(p, dtype(0))
            assert u / p < 1


# ---- seeding
def test_same_seed_same_data_and_generator_advances():
    assert np.array_equal(
        generate_sparse_data(10, 3, 0.5, rng=1), generate_sparse_data(10, 3, 0.5, rng=1)
    )
    rng = np.random.default_rng(1)
    assert not np.array_equal(
        generate_sparse_data(10, 3, 0.5, rng), generate_sparse_data(10, 3, 0.5, rng)
    )
    assert np.array_equal(
        original_generate_sparse_data(10, 3, 0.5, rng=2),
        original_generate_sparse_data(10, 3, 0.5, rng=2),
    )


def test_float32_uses_its_own_stream_but_same_seed_is_reproducible():
    a = generate_sparse_data(10, 3, 0.5, rng=1, dtype=np.float32)
    assert np.array_equal(a, generate_sparse_data(10, 3, 0.5, rng=1, dtype="float32"))


# ---- bad input
@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 2.5}, TypeError, "n_samples"),
        ({"n_features": -1}, ValueError, "n_features"),
        ({"n_features": "5"}, TypeError, "n_features"),
        ({"sparsity": 1.0}, ValueError, "sparsity"),
        ({"sparsity": -0.1}, ValueError, "sparsity"),
        ({"sparsity": np.nan}, ValueError, "sparsity"),
        ({"sparsity": [0.5, 0.5]}, ValueError, "sparsity"),
        ({"sparsity": np.full((2, 5), 0.5)}, ValueError, "sparsity"),
        ({"sparsity": "0.5"}, TypeError, "sparsity"),
        ({"rng": None}, TypeError, "rng"),
        ({"rng": 0.5}, TypeError, "rng"),
        ({"n_instances": 0}, ValueError, "n_instances"),
        ({"n_instances": 2, "sparsity": [0.1, 0.2, 0.3]}, ValueError, "sparsity"),
        ({"n_instances": 2, "sparsity": np.full((3, 5), 0.5)}, ValueError, "sparsity"),
        ({"dtype": np.int64}, ValueError, "dtype"),
        ({"dtype": np.float16}, ValueError, "dtype"),
        ({"dtype": "nonsense"}, TypeError, "dtype"),
    ],
)
def test_generate_rejects(kwargs, error, name):
    args = {"n_samples": 10, "n_features": 5, "sparsity": 0.5, "rng": 0, **kwargs}
    with pytest.raises(error, match=name):
        generate_sparse_data(**args)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_features": 1.0}, TypeError, "n_features"),
        ({"sparsity": 1.5}, ValueError, "sparsity"),
        ({"sparsity": [0.5]}, ValueError, "sparsity"),
        ({"rng": "x"}, TypeError, "rng"),
    ],
)
def test_two_draws_rejects(kwargs, error, name):
    args = {"n_samples": 10, "n_features": 5, "sparsity": 0.5, "rng": 0, **kwargs}
    with pytest.raises(error, match=name):
        original_generate_sparse_data(**args)

"""superposition_lib.correlated: feature-set data, its sampler, and the set measures."""

import numpy as np
import pytest

from superposition_lib.correlated import (
    antipodal_pair_counts,
    correlated_sampler,
    generate_correlated_data,
    mean_cosine_by_set,
    principal_share,
    set_principal_share,
)

N = 100_000


def five_sigma(q, n):
    return 5 * np.sqrt(q * (1 - q) / n)


# ---- the generator
def test_correlated_sets_switch_on_together():
    X = generate_correlated_data(N, (3, 2), [0.7, 0.9], rng=0)
    on = X != 0
    assert X.shape == (N, 5) and X.dtype == np.float64
    assert np.array_equal(on[:, 0], on[:, 1]) and np.array_equal(on[:, 0], on[:, 2])
    assert np.array_equal(on[:, 3], on[:, 4])
    assert abs(on[:, 0].mean() - 0.3) < five_sigma(0.3, N)
    assert abs(on[:, 3].mean() - 0.1) < five_sigma(0.1, N)
    both = np.mean(on[:, 0] & on[:, 3])  # different sets: independent
    assert abs(both - 0.03) < five_sigma(0.03, N)
    # the values of one set are independent draws, not one value repeated
    kept = X[on[:, 0]]
    assert abs(np.corrcoef(kept[:, 0], kept[:, 1])[0, 1]) < 5 / np.sqrt(len(kept))


def test_anticorrelated_sets_have_at_most_one_feature_on():
    X = generate_correlated_data(N, (4,), 0.2, rng=1, kinds="anticorrelated")
    on = X != 0
    assert on.sum(axis=1).max() == 1
    assert abs(np.mean(on.any(axis=1)) - 0.8) < five_sigma(0.8, N)
    assert np.all(np.abs(on.mean(axis=0) - 0.2) < five_sigma(0.2, N))  # p / m


def test_values_are_uniform_below_one():
    from scipy import stats

    for kinds in ("correlated", "anticorrelated"):
        X = generate_correlated_data(N, (2, 3), 0.5, rng=2, kinds=kinds)
        assert X.min() >= 0 and X.max() < 1
        assert stats.kstest(X[X != 0], "uniform").pvalue > 1e-4


def test_mixed_kinds_and_per_feature_sparsity():
    S = np.array([0.5, 0.5, 0.9, 0.9, 0.9])
    a = generate_correlated_data(
        1000, (2, 3), S, rng=3, kinds=["correlated", "anticorrelated"]
    )
    b = generate_correlated_data(
        1000, (2, 3), [0.5, 0.9], rng=3, kinds=("correlated", "anticorrelated")
    )
    assert np.array_equal(a, b)
    assert np.all((a[:, 2:] != 0).sum(axis=1) <= 1)


def test_size_one_sets_are_chapter_one_features():
    X = generate_correlated_data(N, (1,) * 4, 0.6, rng=4, kinds="anticorrelated")
    Y = generate_correlated_data(N, (1,) * 4, 0.6, rng=4, kinds="correlated")
    assert np.array_equal(X, Y)
    on = X != 0
    assert abs(np.mean(on[:, 0] & on[:, 1]) - 0.16) < five_sigma(0.16, N)


def test_float32_and_determinism():
    X = generate_correlated_data(64, (2, 2), 0.5, rng=5, dtype=np.float32)
    assert X.dtype == np.float32
    assert np.array_equal(X, generate_correlated_data(64, (2, 2), 0.5, 5, dtype="f4"))
    stream = np.random.default_rng(5)
    first = generate_correlated_data(64, (2, 2), 0.5, stream)
    assert not np.array_equal(first, generate_correlated_data(64, (2, 2), 0.5, stream))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(set_sizes=3), TypeError, "set_sizes"),
        (dict(set_sizes=()), ValueError, "set_sizes"),
        (dict(set_sizes=(2, 0)), ValueError, "set_sizes"),
        (dict(set_sizes=(2, 1.5)), TypeError, "set_sizes"),
        (dict(set_sizes=(True, 2)), TypeError, "set_sizes"),
        (dict(set_sizes="22"), TypeError, "set_sizes"),
        (dict(kinds="sometimes"), ValueError, "kinds"),
        (dict(kinds=["correlated"]), ValueError, "kinds"),
        (dict(kinds=3), TypeError, "kinds"),
        (dict(sparsity=1.0), ValueError, "sparsity"),
        (dict(sparsity=[0.1, 0.1, 0.1]), ValueError, "sparsity"),
        (dict(sparsity=[0.1, 0.2, 0.1, 0.1]), ValueError, "sparsity"),
        (dict(sparsity=True), TypeError, "sparsity"),
        (dict(n_samples=0), ValueError, "n_samples"),
        (dict(rng=-1), ValueError, "rng"),
        (dict(dtype=np.int32), ValueError, "dtype"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs, error, message):
    call = dict(n_samples=5, set_sizes=(2, 2), sparsity=0.5, rng=0) | kwargs
    with pytest.raises(error, match=message):
        generate_correlated_data(**call)


# ---- the sampler
def test_sampler_draws_what_the_generator_draws():
    sampler = correlated_sampler((2, 3), ["correlated", "anticorrelated"])
    row = np.array([0.5, 0.5, 0.8, 0.8, 0.8])
    for _ in range(2):  # the second call uses the remembered row
        got = sampler(np.random.default_rng(7), 500, row)
        want = generate_correlated_data(
            500, (2, 3), row, 7, kinds=["correlated", "anticorrelated"]
        )
        assert np.array_equal(got, want)
    assert sampler.set_sizes == (2, 3)
    assert sampler.kinds == ("correlated", "anticorrelated")


def test_sampler_checks_its_arguments():
    sampler = correlated_sampler((2, 2))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="sparsity"):
        sampler(rng, 10, np.full(3, 0.5))
    with pytest.raises(ValueError, match="sparsity"):
        sampler(rng, 10, np.array([0.5, 0.1, 0.5, 0.5]))
    good = np.full(4, 0.5)
    sampler(rng, 10, good)
    with pytest.raises(ValueError, match="sparsity"):  # a remembered row is not reused
        sampler(rng, 10, np.full(4, 1.0))
    with pytest.raises(TypeError, match="rng"):
        sampler("seven", 10, good)
    with pytest.raises(ValueError, match="rng"):
        sampler(-1, 10, good)
    assert np.array_equal(
        sampler(3, 10, good), sampler(np.random.default_rng(3), 10, good)
    )
    with pytest.raises(ValueError, match="sparsity_row"):
        sampler(rng, 10, 0.5)  # the trainer passes one sparsity per feature
    with pytest.raises(ValueError, match="n_samples"):
        sampler(rng, 0, good)
    with pytest.raises(ValueError, match="kinds"):
        correlated_sampler((2, 2), "never")


def test_sampler_trains_through_train_toy_model():
    from superposition_lib.train import train_toy_model

    result = train_toy_model(
        4,
        2,
        0.9,
        np.ones(4),
        steps=20,
        batch_size=32,
        n_instances=2,
        sampler=correlated_sampler((2, 2)),
        progress=False,
    )
    assert result.W.shape == (2, 2, 4) and np.all(np.isfinite(result.losses))


# ---- the measures
SQUARE = np.array([[1.0, 0, -1, 0], [0, 1, 0, -1]])  # sets orthogonal
PAIRS = np.array([[1.0, -1, 0, 0], [0, 0, 1, -1]])  # sets antipodal
SUMS = np.array([[1.0, 1, 0, 0], [0, 0, 1, 1]]) / np.sqrt(2)  # sets collapsed


def test_measures_on_the_ideal_shapes():
    assert np.allclose(mean_cosine_by_set(SQUARE, (2, 2)), (0, 0.5))
    assert np.allclose(mean_cosine_by_set(PAIRS, (2, 2)), (1, 0))
    assert np.allclose(mean_cosine_by_set(PAIRS, (2, 2), absolute=False), (-1, 0))
    assert antipodal_pair_counts(SQUARE, (2, 2)) == (0, 2)
    assert antipodal_pair_counts(PAIRS, (2, 2)) == (2, 0)
    assert np.allclose(set_principal_share(SQUARE, (2, 2)), [0.5, 0.5])
    assert np.allclose(set_principal_share(PAIRS, (2, 2)), [0, 0])
    assert np.allclose(principal_share(SUMS, (2, 2)), 1.0)


def test_measures_take_a_stack_and_agree_with_single_models():
    stack = np.stack([SQUARE, PAIRS, SUMS])
    within, across = mean_cosine_by_set(stack, (2, 2))
    assert within.shape == (3,) and np.allclose(within, [0, 1, 1])
    assert np.allclose(principal_share(stack, (2, 2)), [0.5, 0, 1])
    assert set_principal_share(stack, (2, 2)).shape == (3, 2)
    counts = antipodal_pair_counts(stack, (2, 2))
    assert np.array_equal(counts[0], [0, 2, 0]) and np.array_equal(counts[1], [2, 0, 0])


def test_length_weighting_ignores_dropped_features():
    W = SQUARE.copy()
    W[:, 3] = 1e-9
    assert np.allclose(mean_cosine_by_set(W, (2, 2)), (0, 0.5), atol=1e-8)
    assert antipodal_pair_counts(W, (2, 2)) == (0, 1)


def test_principal_share_is_the_projection_onto_set_sums():
    rng = np.random.default_rng(8)
    sizes = (3, 1, 2)
    W = rng.normal(size=(4, 6))
    basis = np.zeros((6, 3))
    for s, (start, m) in enumerate(zip((0, 3, 4), sizes)):
        basis[start : start + m, s] = 1 / np.sqrt(m)
    projected = W @ basis @ basis.T
    assert np.isclose(principal_share(W, sizes), np.sum(projected**2) / np.sum(W**2))
    per_set = set_principal_share(W, sizes)
    assert per_set[1] == pytest.approx(1.0) and np.all((per_set >= 0) & (per_set <= 1))


def test_scale_free_and_zero_weights():
    rng = np.random.default_rng(9)
    W = rng.normal(size=(3, 6))
    for scale in (1e-300, 1e300):
        assert np.allclose(
            principal_share(scale * W, (2, 4)), principal_share(W, (2, 4))
        )
        assert np.allclose(
            mean_cosine_by_set(scale * W, (2, 4)), mean_cosine_by_set(W, (2, 4))
        )
    zero = np.zeros((2, 4))
    assert principal_share(zero, (2, 2)) == 0
    assert np.all(set_principal_share(zero, (2, 2)) == 0)
    assert np.all(np.array(mean_cosine_by_set(zero, (2, 2))) == 0)


@pytest.mark.parametrize(
    "fn",
    [mean_cosine_by_set, antipodal_pair_counts, set_principal_share, principal_share],
)
def test_set_sizes_must_match_W(fn):
    with pytest.raises(ValueError, match="set_sizes"):
        fn(SQUARE, (2, 3))
    with pytest.raises(ValueError, match="W"):
        fn(np.ones(4), (2, 2))


def test_pairs_must_exist():
    with pytest.raises(ValueError, match="set_sizes"):
        mean_cosine_by_set(SQUARE, (1, 1, 1, 1))  # no pair within a set
    with pytest.raises(ValueError, match="set_sizes"):
        antipodal_pair_counts(SQUARE, (4,))  # no pair across sets


def test_antipodal_thresholds_are_checked():
    with pytest.raises(ValueError, match="threshold"):
        antipodal_pair_counts(SQUARE, (2, 2), threshold=0.5)
    with pytest.raises(ValueError, match="min_norm"):
        antipodal_pair_counts(SQUARE, (2, 2), min_norm=0)
    assert antipodal_pair_counts(SQUARE, (2, 2), min_norm=2.0) == (0, 0)

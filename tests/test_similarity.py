"""Properties and edge cases of superposition_lib.similarity (RSA and linear CKA)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from scipy.spatial.distance import pdist

from superposition_lib.conventions import power_of_two_exponent
from superposition_lib.similarity import (
    center_columns,
    centering_matrix,
    cka_matrix,
    debiased_linear_cka,
    gram_linear,
    hsic,
    linear_cka,
    linear_cka_gram,
    representational_distances,
    rsa,
    rsa_matrix,
    rsa_permutation_test,
)

FINITE = st.floats(
    -10, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False
)


@st.composite
def representation_pairs(draw, min_samples=3, max_samples=25, max_width=6):
    """Two non-constant (N, D1), (N, D2) float arrays of the same N."""
    n = draw(st.integers(min_samples, max_samples))
    X = draw(arrays(np.float64, (n, draw(st.integers(1, max_width))), elements=FINITE))
    Y = draw(arrays(np.float64, (n, draw(st.integers(1, max_width))), elements=FINITE))
    assume(np.ptp(X, axis=0).max() > 1e-3 and np.ptp(Y, axis=0).max() > 1e-3)
    return X, Y


def hsic_unbiased(K, L):
    """Song et al.'s unbiased HSIC from N x N Gram matrices (the chapter's form)."""
    n = K.shape[0]
    K, L = K - np.diag(np.diag(K)), L - np.diag(np.diag(L))
    row_k, row_l = K.sum(axis=0), L.sum(axis=0)
    total = (
        np.sum(K * L)
        + row_k.sum() * row_l.sum() / ((n - 1) * (n - 2))
        - 2.0 / (n - 2) * (row_k @ row_l)
    )
    return total / (n * (n - 3))


def random_pair(seed, n=60, d1=4, d2=7):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d1))
    Y = np.tanh(X @ rng.standard_normal((d1, d2))) + 0.3 * rng.standard_normal((n, d2))
    return X, Y


def test_reproduces_kornblith_reference_notebook():
    # The legacy RandomState is used ONLY here, deliberately: seeded with 1337 it gives
    # the draws of Kornblith et al.'s reference notebook (np.random.seed(1337),
    # X = randn(100, 10), Y = randn(100, 10) + X), whose printed values are linear
    # CKA 0.55761 and debiased CKA 0.51346. A local RandomState leaves the global state
    # alone; everything else in the library and its tests uses numpy.random.Generator.
    legacy = np.random.RandomState(1337)
    X = legacy.randn(100, 10)
    Y = legacy.randn(100, 10) + X
    assert round(linear_cka(X, Y), 5) == 0.55761
    assert round(linear_cka_gram(X, Y), 5) == 0.55761
    assert round(debiased_linear_cka(X, Y), 5) == 0.51346


@settings(max_examples=60, deadline=None)
@given(representation_pairs())
def test_feature_form_equals_gram_form(pair):
    X, Y = pair
    assert linear_cka(X, Y) == pytest.approx(linear_cka_gram(X, Y), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(representation_pairs(min_samples=5))
def test_debiased_feature_form_equals_gram_form(pair):
    X, Y = pair
    K, L = gram_linear(X), gram_linear(Y)
    hxx, hyy = hsic_unbiased(K, K), hsic_unbiased(L, L)
    assume(hxx > 1e-6 * np.abs(K).max() ** 2 and hyy > 1e-6 * np.abs(L).max() ** 2)
    expected = hsic_unbiased(K, L) / np.sqrt(hxx * hyy)
    assert debiased_linear_cka(X, Y) == pytest.approx(expected, abs=1e-7)


@settings(max_examples=80, deadline=None)
@given(
    representation_pairs(),
    st.integers(0, 2**32 - 1),
    st.floats(1e-3, 1e3),
    st.floats(-100, 100),
)
def test_cka_properties(pair, seed, scale, shift):
    X, Y = pair
    value = linear_cka(X, Y)
    assert 0.0 <= value <= 1.0
    assert linear_cka(X, X) == pytest.approx(1.0, abs=1e-12)
    assert linear_cka(Y, X) == pytest.approx(value, abs=1e-12)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((X.shape[1],) * 2))
    assert linear_cka(X @ Q, Y) == pytest.approx(value, abs=1e-9)
    assert linear_cka(scale * X, Y) == pytest.approx(value, abs=1e-9)
    assert linear_cka(X + shift, Y) == pytest.approx(value, abs=1e-8)


def test_cka_is_not_invariant_to_invertible_linear_maps():
    X = np.random.default_rng(0).standard_normal((500, 5))
    stretched = X @ np.diag([10.0, 1, 1, 1, 1])
    assert linear_cka(X, stretched) < 0.6  # closed form for independent columns: 0.465
    assert linear_cka(X, stretched) == pytest.approx(0.465, abs=0.06)


@settings(max_examples=60, deadline=None)
@given(representation_pairs(), st.integers(0, 2**32 - 1), st.floats(1e-2, 1e2))
def test_rsa_matches_scipy_and_has_the_euclidean_invariances(pair, seed, scale):
    X, Y = pair
    # scipy's reference distances square the entries: near 1e-160 the squares lose
    # digits in float64's subnormal range. Scaling by a power of two is exact, and
    # correlations of distances do not see the scale.
    d_x, d_y = (pdist(np.ldexp(A, -power_of_two_exponent(A))) for A in (X, Y))
    assume(np.ptp(d_x) > 1e-6 and np.ptp(d_y) > 1e-6)
    assert rsa(X, Y, method="pearson") == pytest.approx(
        stats.pearsonr(d_x, d_y).statistic, abs=1e-9
    )
    spearman = rsa(X, Y)
    assert spearman == pytest.approx(stats.spearmanr(d_x, d_y).statistic, abs=1e-9)
    assert -1.0 <= spearman <= 1.0
    assert rsa(Y, X) == pytest.approx(spearman, abs=1e-12)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((X.shape[1],) * 2))
    assert rsa(scale * X @ Q + 3.0, Y, method="pearson") == pytest.approx(
        rsa(X, Y, method="pearson"), abs=1e-9
    )


def test_spearman_rsa_averages_tied_ranks_like_scipy():
    rng = np.random.default_rng(10)
    X = rng.integers(0, 3, size=(40, 2)).astype(
        float
    )  # a small grid: many tied distances
    Y = rng.integers(0, 4, size=(40, 3)).astype(float)
    d_x, d_y = pdist(X), pdist(Y)
    assert len(np.unique(d_x)) < d_x.size / 10
    assert rsa(X, Y) == pytest.approx(stats.spearmanr(d_x, d_y).statistic, abs=1e-12)
    assert rsa_matrix([X, Y])[0, 1] == pytest.approx(rsa(X, Y), abs=1e-12)


def test_rsa_spearman_one_for_identical_distance_order():
    X, _ = random_pair(1)
    assert rsa(X, 2.0 * X) == pytest.approx(1.0)
    assert rsa(X, X, method="pearson") == pytest.approx(1.0)


def test_representational_distances_is_the_condensed_rdm():
    X, _ = random_pair(2, n=7)
    d = representational_distances(X)
    assert d.shape == (21,)
    assert d[0] == pytest.approx(np.linalg.norm(X[0] - X[1]))


def test_permutation_test_is_valid_and_deterministic():
    X, Y = random_pair(3, n=30)
    observed, p = rsa_permutation_test(
        X, Y, np.random.default_rng(0), n_permutations=199
    )
    assert observed == pytest.approx(rsa(X, Y))
    assert p == pytest.approx(1 / 200)  # strongly related: no permutation beats it
    assert rsa_permutation_test(X, Y, 5, n_permutations=50) == rsa_permutation_test(
        X, Y, 5, n_permutations=50
    )
    rng = np.random.default_rng(4)
    p_null = [
        rsa_permutation_test(
            rng.standard_normal((15, 2)),
            rng.standard_normal((15, 2)),
            rng,
            n_permutations=99,
        )[1]
        for _ in range(100)
    ]
    assert all(0 < p <= 1 for p in p_null)
    assert np.mean(np.array(p_null) <= 0.05) <= 0.15  # the naive pearsonr p gives ~0.3


def test_matrices_agree_with_pairwise_functions():
    X, Y = random_pair(5)
    reps = [X, Y, X[:, :2], np.sin(Y)]
    C, R = cka_matrix(reps), rsa_matrix(reps, method="pearson")
    assert C.shape == R.shape == (4, 4)
    for i, A in enumerate(reps):
        for j, B in enumerate(reps):
            assert C[i, j] == pytest.approx(linear_cka(A, B), abs=1e-12)
            assert R[i, j] == pytest.approx(rsa(A, B, method="pearson"), abs=1e-12)
    stack = np.stack([X, X @ np.diag([1.0, 2, 3, 4])])
    assert cka_matrix(stack)[0, 1] == pytest.approx(linear_cka(*stack))


def test_centering_and_hsic_building_blocks():
    H = centering_matrix(5)
    assert np.allclose(H @ np.ones(5), 0) and np.allclose(H @ H, H)
    X, Y = random_pair(6, n=20)
    assert np.allclose(center_columns(X), H_x := centering_matrix(20) @ X)
    assert np.allclose(center_columns(X).mean(axis=0), 0)
    K, L = gram_linear(X), gram_linear(Y)
    expected = np.linalg.norm(center_columns(Y).T @ H_x) ** 2 / 19**2
    assert hsic(K, L) == pytest.approx(expected)


def test_precision_on_data_far_from_the_origin():
    X, Y = random_pair(7, n=200)
    assert linear_cka(X + 1e8, Y) == pytest.approx(linear_cka(X, Y), abs=1e-7)
    # Huge and tiny scales neither overflow nor underflow (CKA ignores the scale).
    assert linear_cka(1e200 * X, Y) == pytest.approx(linear_cka(X, Y), abs=1e-12)
    assert linear_cka(1e-200 * X, Y) == pytest.approx(linear_cka(X, Y), abs=1e-12)


def test_float32_input_is_accepted():
    X, Y = random_pair(8)
    assert linear_cka(X.astype(np.float32), Y) == pytest.approx(
        linear_cka(X, Y), abs=1e-6
    )


BAD_PAIRS = [
    (
        np.zeros((5, 2)) + np.arange(5)[:, None],
        np.ones((4, 2)) + np.arange(4)[:, None],
        "same number of rows",
    ),
    (np.arange(5.0), np.arange(5.0)[:, None], "2-D"),
    (np.array([[1.0, np.nan]] * 4), np.arange(8.0).reshape(4, 2), "finite"),
    (np.array([[1.0, np.inf]] * 4), np.arange(8.0).reshape(4, 2), "finite"),
    (np.ones((6, 3)), np.arange(18.0).reshape(6, 3), "constant"),
    (np.arange(18.0).reshape(6, 3), np.full((6, 2), 0.1), "constant"),
    (np.zeros((6, 0)), np.arange(6.0)[:, None], "at least one column"),
]


@pytest.mark.parametrize(
    "function", [linear_cka, linear_cka_gram, debiased_linear_cka, rsa]
)
@pytest.mark.parametrize("X, Y, message", BAD_PAIRS)
def test_bad_input_is_refused_with_a_clear_message(function, X, Y, message):
    with pytest.raises(ValueError, match=message):
        function(X, Y)


@pytest.mark.parametrize(
    "function, minimum",
    [(linear_cka, 2), (linear_cka_gram, 2), (debiased_linear_cka, 4), (rsa, 3)],
)
def test_too_few_samples(function, minimum):
    X = np.arange(2.0 * (minimum - 1)).reshape(minimum - 1, 2) ** 2
    with pytest.raises(ValueError, match=f"at least {minimum} rows"):
        function(X, X)
    X_ok = np.arange(2.0 * minimum).reshape(minimum, 2) ** 2
    X_ok[:, 1] = np.sin(np.arange(minimum))
    if function is not debiased_linear_cka:  # HSIC_u(X, X) may be <= 0 at N = 4
        assert np.isfinite(function(X_ok, X_ok))


def test_other_argument_errors():
    X, Y = random_pair(9, n=10)
    with pytest.raises(ValueError, match="method"):
        rsa(X, Y, method="kendall")
    with pytest.raises(TypeError, match="rng"):
        rsa_permutation_test(X, Y, None)
    with pytest.raises(ValueError, match="n_permutations"):
        rsa_permutation_test(X, Y, 0, n_permutations=0)
    with pytest.raises(ValueError, match="square"):
        hsic(np.ones((3, 4)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="same number of rows"):
        cka_matrix([X, Y[:5]])
    with pytest.raises(ValueError, match="stack"):
        cka_matrix(np.ones((3, 4)))
    with pytest.raises(ValueError, match="all pairwise distances"):
        rsa(np.eye(3), X[:3])  # the corners of an equilateral triangle
    with pytest.raises(ValueError, match="not positive"):
        # One input carries all the variance: HSIC_u(X, X) is exactly 0 (it only uses
        # pairs of distinct inputs), so rounding must not turn it into a huge CKA.
        debiased_linear_cka(np.array([[0.0], [0.0], [0.0], [0.0], [1.0]]), X[:5])


def test_extreme_scales_keep_the_scale_laws():
    # Entries near 1e±300 (and column sums past float64's largest, 1.8e308) neither
    # overflow nor underflow: CKA and RSA ignore the scale, distances and centred data
    # scale with it, HSIC is linear in each Gram matrix.
    X, Y = random_pair(10, n=30)
    X = X + 5.0  # a mean, so the column sums of c X are c 5 N
    for c in (1e-300, 1e300, 1e306):
        assert linear_cka(c * X, Y) == pytest.approx(linear_cka(X, Y), abs=1e-12)
        assert linear_cka_gram(c * X, Y) == pytest.approx(linear_cka_gram(X, Y))
        assert debiased_linear_cka(c * X, Y) == pytest.approx(
            debiased_linear_cka(X, Y), abs=1e-12
        )
        for method in ("spearman", "pearson"):
            assert rsa(c * X, Y, method=method) == pytest.approx(
                rsa(X, Y, method=method), abs=1e-12
            )
        assert np.allclose(cka_matrix([c * X, Y]), cka_matrix([X, Y]), atol=1e-12)
        assert np.allclose(rsa_matrix([c * X, Y]), rsa_matrix([X, Y]), atol=1e-12)
        assert np.allclose(center_columns(c * X) / c, center_columns(X))
    for c in (1e-300, 1e300):
        assert np.allclose(representational_distances(c * X) / c, pdist(X))
        K, L = gram_linear(X), gram_linear(Y)
        assert hsic(c * K, L) / c == pytest.approx(hsic(K, L))


def test_results_outside_float64_are_refused_by_name():
    X, _ = random_pair(11, n=10)
    for c in (1e200, 1e-200):  # K = c^2 X X^T is no float64: not inf, not 0
        with pytest.raises(ValueError, match="A @ A.T"):
            gram_linear(c * X)
    K = gram_linear(X)
    with pytest.raises(ValueError, match="HSIC"):
        hsic(1e300 * K, 1e300 * K)
    with pytest.raises(ValueError, match="HSIC"):
        hsic(1e-300 * K, 1e-300 * K)
    huge = np.array([[1.7e308], [-1.7e308], [-1.7e308]])  # the mean is 5.7e307
    with pytest.raises(ValueError, match="A - mean"):
        center_columns(huge)
    with pytest.raises(ValueError, match="distance between rows of A"):
        representational_distances(huge)
    assert linear_cka(huge, X[:3]) == pytest.approx(linear_cka(huge / 1e308, X[:3]))


def test_hsic_needs_two_inputs_and_stacks_need_a_sequence():
    for K in (np.zeros((0, 0)), np.ones((1, 1))):
        with pytest.raises(ValueError, match="N >= 2"):
            hsic(K, K)
    for bad in (None, 3.0, "abc", {"a": 1}):
        with pytest.raises(TypeError, match="representations"):
            cka_matrix(bad)
        with pytest.raises(TypeError, match="representations"):
            rsa_matrix(bad)

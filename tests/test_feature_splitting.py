"""superposition_lib.feature_splitting: hierarchical features and how SAE latents
split."""

import itertools

import numpy as np
import pytest

from superposition_lib.feature_splitting import (
    MAX_CHILDREN,
    child_firing_rates,
    covered_children,
    family_tree,
    hierarchical_directions,
    sample_hierarchical,
    subset_cosines,
)


@pytest.mark.parametrize(
    "P, C, d, cos", [(1, 2, 2, 0.5), (3, 4, 12, 0.8), (2, 5, 13, 0.3)]
)
def test_directions_geometry(P, C, d, cos):
    parents, children = hierarchical_directions(P, C, d, 7, child_cosine=cos)
    flat = children.reshape(d, -1)
    assert np.allclose(parents.T @ parents, np.eye(P))
    assert np.allclose(np.linalg.norm(flat, axis=0), 1)
    gram = flat.T @ flat
    block = np.kron(np.eye(P), np.ones((C, C))) > 0
    siblings = block & ~np.eye(P * C, dtype=bool)
    assert np.allclose(gram[siblings], cos**2 - (1 - cos**2) / (C - 1))
    assert np.allclose(gram[~block], 0)
    assert np.allclose(children.mean(axis=2), cos * parents)


def test_directions_are_reproducible_and_seed_dependent():
    a = hierarchical_directions(2, 3, 8, 1)
    b = hierarchical_directions(2, 3, 8, np.random.default_rng(1))
    c = hierarchical_directions(2, 3, 8, 2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.allclose(a[0], c[0])


def test_sample_statistics():
    _, children = hierarchical_directions(3, 4, 12, 0)
    Z, active = sample_hierarchical(children, 40_000, 0.25, 1)
    n = len(Z)
    assert np.allclose(
        np.mean(active >= 0, axis=0), 0.25, atol=5 * np.sqrt(0.25 * 0.75 / n)
    )
    p = 0.25 / 4
    for c in range(4):
        assert np.allclose(np.mean(active == c, axis=0), p, atol=5 * np.sqrt(p / n))
    squared = np.sum(Z**2, axis=1)
    assert abs(squared.mean() - 3 * 0.25 / 3) < 5 * squared.std() / np.sqrt(n)


def test_sample_is_the_sum_of_the_active_children():
    _, children = hierarchical_directions(2, 3, 7, 0, child_cosine=0.6)
    Z, active = sample_hierarchical(children, 50, 0.5, 3)
    for z, row in zip(Z, active):
        on = [children[:, p, c] for p, c in enumerate(row) if c >= 0]
        if not on:
            assert np.all(z == 0)
            continue
        basis = np.stack(on, axis=1)  # z = basis @ sizes, with sizes in [0, 1)
        sizes = np.linalg.lstsq(basis, z, rcond=None)[0]
        assert np.allclose(basis @ sizes, z) and np.all((sizes >= 0) & (sizes < 1))


def test_density_ends():
    _, children = hierarchical_directions(2, 2, 4, 0)
    Z, active = sample_hierarchical(children, 10, 0.0, 0)
    assert np.all(Z == 0) and np.all(active == -1)
    _, active = sample_hierarchical(children, 10, 1.0, 0)
    assert np.all(active >= 0)


@pytest.mark.parametrize("cos, C", [(0.8, 4), (0.3, 2), (0.95, 7)])
def test_subset_cosines_match_the_geometry(cos, C):
    parents, children = hierarchical_directions(1, C, C, 0, child_cosine=cos)
    assert subset_cosines(cos, C, C) == pytest.approx((1.0, cos))
    assert subset_cosines(cos, C, 1) == pytest.approx((cos, 1.0))
    for k in range(1, C + 1):
        mean = children[:, 0, :k].mean(axis=1)
        mean /= np.linalg.norm(mean)
        to_parent, to_child = subset_cosines(cos, C, k)
        assert np.isclose(mean @ parents[:, 0], to_parent)
        assert np.allclose(mean @ children[:, 0, :k], to_child)
        assert to_parent * to_child == pytest.approx(cos)


def test_covered_children_finds_every_subset_and_ignores_length():
    _, children = hierarchical_directions(2, 3, 6, 0)
    subsets = [s for k in (1, 2, 3) for s in itertools.combinations(range(3), k)]
    columns = [
        children[:, 1, list(s)].mean(axis=1) * (k + 1) for k, s in enumerate(subsets)
    ]
    family, covered, cosine = covered_children(np.stack(columns, axis=1), children)
    assert np.all(family == 1) and np.allclose(cosine, 1)
    assert [tuple(np.flatnonzero(c)) for c in covered] == subsets
    stacked = covered_children(np.stack([np.stack(columns, 1)] * 2), children)
    assert stacked[1].shape == (2, len(subsets), 3)
    assert np.array_equal(stacked[1][1], covered)


def test_covered_children_zero_column_and_limits():
    _, children = hierarchical_directions(1, 2, 2, 0)
    _, _, cosine = covered_children(np.zeros((2, 1)), children)
    assert cosine[0] == 0  # no direction: every cosine 0
    with pytest.raises(ValueError, match="children"):
        covered_children(np.ones((3, 2)), children)  # d differs
    with pytest.raises(ValueError, match="children"):
        covered_children(np.ones((2, 2)), np.ones((2, 1, MAX_CHILDREN + 1)))


def test_family_tree():
    rng = np.random.default_rng(0)
    small = rng.normal(size=(4, 3))
    large = np.concatenate([5 * small[:, [2, 1]], -small[:, [0]]], axis=1)
    ancestor, cosine = family_tree(small, large)
    assert list(ancestor[:2]) == [2, 1] and np.allclose(cosine[:2], 1)
    assert ancestor[2] != 0  # cosine -1 is not an ancestor
    stacked, _ = family_tree(np.stack([small, small]), np.stack([large, large]))
    assert np.array_equal(stacked[1], ancestor)
    with pytest.raises(ValueError, match="W_small"):
        family_tree(small, np.stack([large, large]))


def test_child_firing_rates():
    active = np.array([[0, -1], [1, -1], [-1, 0], [-1, 1], [0, 1], [0, -1]])
    H = np.array([[1.0], [0.0], [0.0], [2.0], [5.0], [0.0]])
    rates = child_firing_rates(H, active, 2)
    # alone rows only: family 0 child 0 in rows 0 and 5, the mixed row 4 ignored
    assert rates.shape == (1, 2, 2)
    assert np.allclose(rates[0], [[0.5, 0.0], [0.0, 1.0]])
    stacked = child_firing_rates(np.stack([H, 0 * H]), active, 2)
    assert np.allclose(stacked[0], rates) and np.all(stacked[1] == 0)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: hierarchical_directions(2, 1, 4, 0), "n_children"),
        (lambda: hierarchical_directions(2, 3, 5, 0), "n_dims"),
        (lambda: hierarchical_directions(2, 3, 6, 0, child_cosine=1.0), "child_cosine"),
        (
            lambda: hierarchical_directions(2, 3, 6, 0, child_cosine=True),
            "child_cosine",
        ),
        (lambda: hierarchical_directions(2.0, 3, 6, 0), "n_parents"),
        (lambda: hierarchical_directions(2, 3, 6, -1), "rng"),
        (lambda: sample_hierarchical(np.ones((2, 2)), 5, 0.5, 0), "children"),
        (lambda: sample_hierarchical(np.ones((2, 1, 2)), 5, 1.5, 0), "density"),
        (lambda: sample_hierarchical(np.ones((2, 1, 2)), 0, 0.5, 0), "n_samples"),
        (lambda: subset_cosines(0.5, 3, 4), "n_covered"),
        (lambda: subset_cosines(np.array([0.5, 0.6]), 3, 1), "child_cosine"),
        (lambda: child_firing_rates(np.ones((2, 3)), np.zeros((2, 1)), 1), "active"),
        (
            lambda: child_firing_rates(np.ones((2, 3)), np.array([[0], [2]]), 2),
            "active",
        ),
        (
            lambda: child_firing_rates(np.ones((2, 3)), np.array([[0], [0]]), 2),
            "active",
        ),
        (
            lambda: child_firing_rates(np.ones((3, 3)), np.array([[0], [0]]), 1),
            "active",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()

"""superposition_lib.experiments: several seeds per setting and the two protocols that
reduce them (best of N, the paper's mean without the worst), the 2→1 closed form and
classification."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from superposition_lib.experiments import (
    PHASES,
    THREE_TWO_EXTRA_PHASE,
    THREE_TWO_SOLUTIONS,
    BestOf,
    Runs,
    best_of,
    candidate_losses,
    classify_extra_feature,
    classify_phase,
    closed_form_boundary,
    closed_form_phase,
    mean_without_worst,
    three_two_candidate_losses,
    train_best_of,
    train_runs,
)

ratios = st.floats(0.01, 100, allow_nan=False)
densities = st.floats(1e-3, 1.0, allow_nan=False)


# ---- closed form
def test_candidate_losses_values():
    r, s = 2.0, 0.3
    dropped = s / 3 - s**2 / 4
    assert np.allclose(
        candidate_losses(r, s), [r * dropped, dropped, (1 + r) * s**2 / 6]
    )
    assert candidate_losses(np.ones(4), np.full(4, 0.5)).shape == (3, 4)


def test_three_two_candidate_losses_values():
    r, s = 2.0, 0.3
    dropped = s / 3 - s**2 / 4
    assert np.allclose(
        three_two_candidate_losses(r, s),
        [r * dropped, dropped, (1 + r) * s**2 / 6, s**2 / 3],
    )
    assert three_two_candidate_losses(np.ones((2, 3)), 0.5).shape == (4, 2, 3)
    assert len(THREE_TWO_SOLUTIONS) == len(THREE_TWO_EXTRA_PHASE) == 4


@settings(max_examples=200, deadline=None)
@given(ratios, densities)
def test_three_two_extra_feature_follows_two_one_below_r_one(r, s):
    """Below r = 1 the extra feature does what feature 2 of the 2→1 model does; above
    it, it is dedicated, and the other two pair up exactly below s = 4/7."""
    if abs(r - 1) < 1e-9 or abs(s - float(closed_form_boundary(r))) < 1e-6:
        return
    if abs(s - 4 / 7) < 1e-6:
        return
    best = int(np.argmin(three_two_candidate_losses(r, s)))
    if r < 1:
        assert THREE_TWO_EXTRA_PHASE[best] == int(closed_form_phase(r, s))
    else:
        assert best == (3 if s < 4 / 7 else 1)


def test_three_two_candidate_losses_match_monte_carlo():
    from superposition_lib.analysis import estimate_loss

    r, s = 3.0, 0.4
    solutions = [
        ([[1, 0, 0], [0, 1, 0]], [0, 0, s / 2]),
        ([[0, 1, 0], [0, 0, 1]], [s / 2, 0, 0]),
        ([[1, 0, 0], [0, 1, -1]], [0, 0, 0]),
        ([[1, -1, 0], [0, 0, 1]], [0, 0, 0]),
    ]
    rng = np.random.default_rng(0)
    for (W, b), want in zip(solutions, three_two_candidate_losses(r, s)):
        got = estimate_loss(
            np.array(W, float),
            np.array(b, float),
            1 - s,
            np.array([1, 1, r]),
            rng,
            n_samples=200_000,
        )
        assert got == pytest.approx(want, rel=0.03, abs=1e-4)


@pytest.mark.parametrize(
    "r, s, name",
    [(0.0, 0.5, "importance_ratio"), (1.0, 0.0, "density"), (1.0, 1.5, "density")],
)
def test_three_two_bad_input(r, s, name):
    with pytest.raises(ValueError, match=name):
        three_two_candidate_losses(r, s)


@settings(max_examples=200, deadline=None)
@given(ratios)
def test_boundary_is_where_antipodal_ties(r):
    s_star = float(closed_form_boundary(r))
    assert 0 < s_star <= 4 / 7 + 1e-12
    losses = candidate_losses(r, s_star)
    assert losses[2] == pytest.approx(min(losses[0], losses[1]), rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(ratios, densities)
def test_phase_agrees_with_boundary(r, s):
    s_star = float(closed_form_boundary(r))
    if abs(s - s_star) < 1e-6:
        return
    phase = int(closed_form_phase(r, s))
    if s < s_star:
        assert phase == 2
    else:
        assert phase == (0 if r <= 1 else 1)


def test_boundary_symmetry_and_peak():
    # Swapping the features maps r to 1/r and rescales every loss by the same factor, so
    # the boundary must not change: 4r/(2+5r) at r equals 4/(5+2/r) at 1/r.
    r = np.logspace(-1, 1, 21)
    assert np.allclose(closed_form_boundary(r), closed_form_boundary(1 / r))
    assert float(closed_form_boundary(1.0)) == pytest.approx(4 / 7)
    assert np.argmax(closed_form_boundary(r)) == 10


def test_candidate_losses_match_monte_carlo():
    rng = np.random.default_rng(0)
    r, s, N = 0.5, 0.4, 400_000
    X = np.where(rng.random((N, 2)) < s, rng.random((N, 2)), 0.0)
    anti = np.maximum(X @ np.array([[1.0, -1.0], [-1.0, 1.0]]), 0)
    mc = np.mean((X[:, 0] - anti[:, 0]) ** 2 + r * (X[:, 1] - anti[:, 1]) ** 2)
    assert mc == pytest.approx(candidate_losses(r, s)[2], rel=0.03)
    mc_drop = r * np.mean((X[:, 1] - s / 2) ** 2)
    assert mc_drop == pytest.approx(candidate_losses(r, s)[0], rel=0.02)


@pytest.mark.parametrize("fn", [candidate_losses, closed_form_phase])
@pytest.mark.parametrize(
    "r, s, name",
    [
        (0.0, 0.5, "importance_ratio"),
        (-1.0, 0.5, "importance_ratio"),
        (1.0, 0.0, "density"),
        (1.0, 1.5, "density"),
        (np.nan, 0.5, "importance_ratio"),
    ],
)
def test_closed_form_bad_input(fn, r, s, name):
    with pytest.raises(ValueError, match=name):
        fn(r, s)


def test_boundary_bad_input():
    with pytest.raises(ValueError, match="importance_ratio"):
        closed_form_boundary(0.0)
    with pytest.raises(TypeError, match="importance_ratio"):
        closed_form_boundary("one")


# ---- classification
def test_classify_phase():
    W = np.array(
        [[[1.0, 0.0]], [[0.0, -1.0]], [[1.0, -1.0]], [[0.1, 0.2]], [[0.9, 0.45]]]
    )
    assert list(classify_phase(W)) == [0, 1, 2, -1, 0]
    assert int(classify_phase(np.array([[0.7, -0.7]]))) == 2
    assert int(classify_phase(np.array([[0.7, -0.7]]), threshold=0.8)) == -1
    assert PHASES[2] == "superposition"


@pytest.mark.parametrize(
    "W", [np.ones((2, 2)), np.ones((1, 3)), np.ones((4, 2, 2)), np.ones(2)]
)
def test_classify_phase_bad_shape(W):
    with pytest.raises(ValueError, match="W"):
        classify_phase(W)


@pytest.mark.parametrize("threshold", [np.nan, -0.5, 0.0, np.inf, [0.5, 0.5]])
def test_classify_phase_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        classify_phase(np.array([[0.7, -0.7]]), threshold)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_classification_holds_at_the_ends_of_float64(scale):
    """Signs compared, not multiplied: W_1 W_2 would overflow or underflow."""
    W = np.array([[[1.0, -1.0]], [[1.0, 1.0]], [[1.0, 0.0]]]) * scale
    assert list(classify_phase(W, threshold=0.5 * scale)) == [2, -1, 0]
    assert closed_form_boundary(1e300) == pytest.approx(2e-300)
    assert candidate_losses(1.0, 1e-300)[1] == pytest.approx(1e-300 / 3)


# ---- train_best_of
def test_train_best_of_picks_the_lowest_loss():
    result = train_best_of(
        5,
        2,
        np.array([0.0, 0.9]),
        0.9 ** np.arange(5),
        n_seeds=3,
        steps=300,
        batch_size=64,
        lr=1e-2,
        eval_samples=2000,
        progress=False,
    )
    assert isinstance(result, BestOf)
    assert result.W.shape == (2, 2, 5) and result.b.shape == (2, 5)
    assert result.seed_losses.shape == (2, 3)
    assert np.allclose(result.loss, result.seed_losses.min(axis=1))


def test_train_best_of_is_seeded_and_accepts_per_setting_importance():
    kwargs = dict(
        n_seeds=2, steps=100, batch_size=32, lr=1e-2, eval_samples=500, progress=False
    )
    imp = np.array([[1.0, 0.5], [1.0, 2.0]])
    a = train_best_of(2, 1, np.array([0.5, 0.5]), imp, seed=3, **kwargs)
    b = train_best_of(2, 1, np.array([0.5, 0.5]), imp, seed=3, **kwargs)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.loss, b.loss)
    c = train_best_of(2, 1, np.array([[0.5, 0.9], [0.5, 0.9]]), None, **kwargs)
    assert c.W.shape == (2, 1, 2)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"sparsity": 0.5}, ValueError, "sparsity"),
        ({"sparsity": np.array([0.5, 1.0])}, ValueError, "sparsity"),
        ({"sparsity": np.ones((2, 3)) * 0.5}, ValueError, "sparsity"),
        ({"importance": np.ones((3, 2))}, ValueError, "importance"),
        ({"n_seeds": 0}, ValueError, "n_seeds"),
        ({"eval_samples": 0}, ValueError, "eval_samples"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"activation": "tanh"}, ValueError, "activation"),
        ({"steps": 0}, ValueError, "steps"),
    ],
)
def test_train_best_of_bad_input(kwargs, error, name, monkeypatch):
    """Refused by name before training starts (training is made to fail if reached by
    the arguments train_best_of checks itself; train_toy_model checks the others
    before its first step)."""
    import superposition_lib.experiments as experiments

    def no_training(*args, **kwargs):
        raise AssertionError("training started before the arguments were checked")

    if kwargs.keys() <= {"eval_samples", "seed", "activation", "n_seeds"}:
        monkeypatch.setattr(experiments, "train_toy_model", no_training)
    args = dict(
        n_features=2,
        n_hidden=1,
        sparsity=np.array([0.5, 0.6]),
        steps=5,
        batch_size=8,
        eval_samples=10,
        progress=False,
    )
    args.update(kwargs)
    with pytest.raises(error, match=name):
        train_best_of(**args)


# ---- train_runs and the two protocols
SMALL = dict(n_seeds=3, steps=100, batch_size=32, lr=1e-2, eval_samples=500)


def test_train_runs_keeps_every_seed_and_best_of_agrees_with_train_best_of():
    sparsity, imp = np.array([0.5, 0.9]), np.array([1.0, 0.5])
    runs = train_runs(2, 1, sparsity, imp, seed=4, progress=False, **SMALL)
    assert isinstance(runs, Runs)
    assert runs.W.shape == (2, 3, 1, 2) and runs.b.shape == (2, 3, 2)
    assert runs.loss.shape == (2, 3)
    best = best_of(runs)
    again = train_best_of(2, 1, sparsity, imp, seed=4, progress=False, **SMALL)
    assert np.array_equal(best.W, again.W) and np.array_equal(best.loss, again.loss)
    pick = np.argmin(runs.loss, axis=1)
    assert np.array_equal(best.W, runs.W[[0, 1], pick])
    assert np.array_equal(best.seed_losses, runs.loss)


def test_a_generator_seed_trains_then_scores_on_its_stream():
    kwargs = dict(n_seeds=2, steps=5, batch_size=8, eval_samples=50, progress=False)
    sparsity = np.array([0.5, 0.9])
    a = train_best_of(2, 1, sparsity, seed=np.random.default_rng(7), **kwargs)
    b = train_best_of(2, 1, sparsity, seed=np.random.default_rng(7), **kwargs)
    assert np.array_equal(a.loss, b.loss) and np.all(np.isfinite(a.loss))


GOOD_RUNS = dict(W=np.ones((2, 3, 1, 2)), b=np.ones((2, 3, 2)), loss=np.ones((2, 3)))


@pytest.mark.parametrize(
    "change, name",
    [
        (dict(loss=np.ones((2, 4))), "W"),
        (dict(b=np.ones((2, 3, 3))), "b"),
        (dict(W=np.ones((2, 3, 0, 2))), "W"),
        (dict(loss=np.full((2, 3), np.nan)), "loss"),
        (dict(W=None), "W"),
    ],
)
def test_runs_are_checked_when_built(change, name):
    with pytest.raises((ValueError, TypeError), match=name):
        Runs(**{**GOOD_RUNS, **change})


def test_best_of_needs_runs():
    with pytest.raises(TypeError, match="runs"):
        best_of("runs")


def test_mean_without_worst_drops_the_highest_loss_of_each_setting():
    losses = np.array([[0.1, 0.9, 0.2], [0.5, 0.4, 0.3]])
    values = np.array([[1.0, 100.0, 3.0], [100.0, 2.0, 4.0]])
    assert np.allclose(mean_without_worst(values, losses), [2.0, 3.0])
    # Trailing axes are averaged element by element.
    stacked = np.stack([values, -values], axis=-1)
    assert np.allclose(mean_without_worst(stacked, losses), [[2.0, -2.0], [3.0, -3.0]])


@pytest.mark.parametrize(
    "values, losses, name",
    [
        (np.ones((2, 3)), np.ones((2, 4)), "values"),
        (np.ones((2, 1)), np.ones((2, 1)), "two seeds"),
        (np.ones((2, 3)), np.ones(6), "losses"),
        (np.ones((2, 3)), np.array([[1.0, np.nan, 1.0]] * 2), "losses"),
        (np.ones((2, 3, 0)), np.ones((2, 3)), "values"),
    ],
)
def test_mean_without_worst_bad_input(values, losses, name):
    with pytest.raises(ValueError, match=name):
        mean_without_worst(values, losses)


def test_classify_extra_feature_matches_classify_phase_on_single_models():
    W = np.array([[[1.0, 0.0]], [[0.0, -1.0]], [[1.0, -1.0]], [[0.6, -0.9]]])
    norm = np.abs(W[:, 0, 1])
    shared = np.where(norm > 0, W[:, 0, 0] ** 2, 0.0)
    assert list(classify_extra_feature(norm, shared)) == list(classify_phase(W))
    assert list(classify_extra_feature(np.array([0.4, 0.9]), np.array([1.0, 0.2]))) == [
        0,
        1,
    ]


@pytest.mark.parametrize("threshold", [0.0, -0.5, 1.5, np.nan, [0.5, 0.5]])
def test_classify_extra_feature_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        classify_extra_feature(np.ones(2), np.ones(2), threshold)


@pytest.mark.parametrize(
    "norm, shared, name",
    [
        (-np.ones(2), np.ones(2), "norm"),
        (np.ones(2), -np.ones(2), "superposition"),
        (np.ones(2), np.ones(3), "norm and superposition must broadcast"),
    ],
)
def test_classify_extra_feature_bad_values(norm, shared, name):
    with pytest.raises(ValueError, match=name):
        classify_extra_feature(norm, shared)

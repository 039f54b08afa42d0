"""Checks for the exercises of "Correlated and anticorrelated features" (chapter 11)."""

import numpy as np

from superposition_exercises.assertions import learner_call, learner_number

_N = 200_000


def check_correlated_pair_exercise(correlated_pair):
    """`correlated_pair(n_samples, p, rng)`: one correlated pair (eq. 11.1), (N, 2)."""
    p = 0.3
    X = learner_call(
        correlated_pair,
        _N,
        p,
        np.random.default_rng(0),
        on=f"n_samples={_N}, p={p}, rng=np.random.default_rng(0)",
    )
    X = np.asarray(X, dtype=float)
    assert X.shape == (_N, 2), f"expected shape ({_N}, 2), got {X.shape}"
    assert np.all(X >= 0) and np.all(X < 1), "every value must lie in [0, 1)"
    on = X != 0
    bound = 5 * np.sqrt(p * (1 - p) / _N)
    frequency = on.mean(axis=0)
    assert np.all(np.abs(frequency - p) < bound), (
        f"each feature must be on with probability p = {p}, got {frequency.round(4)}: "
        "is the gate drawn with `< p`?"
    )
    both = np.mean(on[:, 0] & on[:, 1])
    assert abs(both - p) < bound, (
        f"both features must be on together (probability p = {p}), got {both:.4f}"
        + (
            ": the gates look independent (p² = 0.09); draw one gate per sample and "
            "share it between the two columns"
            if abs(both - p * p) < bound
            else ""
        )
    )
    kept = X[on[:, 0] & on[:, 1]]
    assert not np.allclose(kept[:, 0], kept[:, 1]), (
        "the two features took the same value: only the on/off is shared, each "
        "feature draws its own value"
    )
    mean_bound = 5 * np.sqrt(1 / 12 / len(kept))
    assert np.all(np.abs(kept.mean(axis=0) - 0.5) < mean_bound), (
        "the values of a feature that is on must be uniform on [0, 1) (mean 1/2): "
        "is the value scaled, or the gate's u reused as the value?"
    )
    assert abs(np.corrcoef(kept.T)[0, 1]) < 5 / np.sqrt(len(kept)), (
        "the two values are correlated: draw them independently"
    )
    print("correlated pair: all checks passed")


def _correlation(fn, p, kind):
    return learner_number(fn, p, kind, on=f"p={p}, kind={kind!r}")


def check_pair_correlation_exercise(pair_correlation):
    """`pair_correlation(p, kind)`: ρ of the two features of a set of two."""
    for p in (0.1, 0.5, 0.9):
        corr = _correlation(pair_correlation, p, "correlated")
        anti = _correlation(pair_correlation, p, "anticorrelated")
        want_corr = 3 * (1 - p) / (4 - 3 * p)
        want_anti = -3 * p / (8 - 3 * p)
        assert not np.isclose(corr, 0.75) or np.isclose(want_corr, 0.75), (
            "ρ = 3/4 for every p: subtract the product of the means, E[x_i]E[x_j] = "
            "(p/2)², from E[x_i x_j] and from E[x_i²]"
        )
        assert np.isclose(corr, want_corr), (
            f"correlated, p = {p}: expected (p/4 - p²/4) / (p/3 - p²/4) = "
            f"{want_corr:.4f}, got {corr:.4f}"
        )
        assert not np.isclose(anti, 0.0), (
            f"anticorrelated, p = {p}: ρ is not 0: E[x_i x_j] = 0, but the means "
            "are not, so the covariance is -(p/4)²"
        )
        assert not np.isclose(anti, -3 * p / (4 - 3 * p)), (
            "each feature of an anticorrelated pair is on with probability p/2, not p: "
            "use the means p/4 and second moments p/6"
        )
        assert np.isclose(anti, want_anti), (
            f"anticorrelated, p = {p}: expected -(p/4)² / (p/6 - (p/4)²) = "
            f"{want_anti:.4f}, got {anti:.4f}"
        )
    print("pair correlations: all checks passed")


def _share(a, b):
    return float(np.sum((a + b) ** 2) / (2 * (np.sum(a**2) + np.sum(b**2))))


def check_pair_share_exercise(orthogonal, antipodal, hexagon, unequal):
    """Predicted principal shares (eq. 11.4) of four configurations of a pair."""
    answers = {}
    for name, value in [
        ("share_orthogonal", orthogonal),
        ("share_antipodal", antipodal),
        ("share_hexagon", hexagon),
        ("share_unequal", unequal),
    ]:
        try:
            answers[name] = float(value)
        except (TypeError, ValueError):
            raise AssertionError(f"{name} must be one number, got {value!r}") from None
    e1, e2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    sixty = np.array([0.5, np.sqrt(3) / 2])
    want = {
        "share_orthogonal": _share(e1, e2),
        "share_antipodal": _share(e1, -e1),
        "share_hexagon": _share(e1, sixty),
        "share_unequal": _share(e1, 0.5 * e1),
    }
    assert np.isclose(answers["share_orthogonal"], want["share_orthogonal"]), (
        "orthogonal unit columns: ‖W_a + W_b‖² = 2 over 2 (‖W_a‖² + ‖W_b‖²) = 4"
    )
    assert np.isclose(answers["share_antipodal"], want["share_antipodal"]), (
        "antipodal columns cancel: W_a + W_b = 0, so nothing is on the sum direction"
    )
    assert not np.isclose(answers["share_hexagon"], 0.5 + 0.5 * 0.5**2), (
        "the overlap enters once, not squared: ‖W_a + W_b‖² = 2 + 2 cos 60°"
    )
    assert np.isclose(answers["share_hexagon"], want["share_hexagon"]), (
        "60° apart: ‖W_a + W_b‖² = 2 + 2 cos 60° = 3, over 4"
    )
    assert not np.isclose(answers["share_unequal"], 1.0), (
        "parallel is not enough for a share of 1: the lengths differ too, so the "
        "columns are not equal; compute 1.5² / (2 (1 + 0.25))"
    )
    assert np.isclose(answers["share_unequal"], want["share_unequal"]), (
        f"lengths 1 and 1/2, same direction: expected {want['share_unequal']:g}"
    )
    print("principal shares: all four predictions right")

"""Checks for the exercises of "Sparse data and feature importance"."""

import numpy as np

from superposition_exercises.assertions import learner_number
from superposition_lib.data import feature_importance, generate_sparse_data


def check_all_zero_fraction_exercise(all_zero_fraction):
    """The closed form against small cases and a simulation (5-sigma binomial bound)."""
    assert abs(learner_number(all_zero_fraction, 1, 0.3) - 0.3) < 1e-12, (
        "one feature: a sample is blank with probability S (did you use 1 - S?)"
    )
    assert abs(learner_number(all_zero_fraction, 3, 0.0)) < 1e-12, (
        "S = 0 means every feature is on: no blank samples"
    )
    assert abs(learner_number(all_zero_fraction, 2, 0.5) - 0.25) < 1e-12, (
        "two independent features, each off with probability 0.5, are both off with "
        "probability 0.25: multiply the probabilities, do not add them"
    )
    rows = generate_sparse_data(200_000, 20, 0.9, rng=7)
    observed = np.mean(~rows.any(axis=1))
    expected = learner_number(all_zero_fraction, 20, 0.9)
    bound = 5 * np.sqrt(expected * (1 - expected) / rows.shape[0])
    assert abs(observed - expected) < bound, (
        f"simulation gives {observed:.4f}, you predict {expected:.4f}: S**n, (1-S)**n?"
    )
    print(
        f"blank samples at n = 20, S = 0.9: predicted {expected:.4f}, "
        f"observed {observed:.4f}"
    )


def _simulated_share(k, sparsity, rng):
    """The first k features' share of the importance-weighted signal, simulated."""
    weights = feature_importance(20, 0.7)
    X = generate_sparse_data(100_000, 20, sparsity, rng=rng)
    signal = weights * np.mean(X**2, axis=0)
    return signal[:k].sum() / signal.sum()


def check_importance_share_exercise(importance_share, share_depends_on_sparsity):
    """Closed form against a direct sum; the answer about S against two simulations."""
    weights = feature_importance(20, 0.7)
    direct = weights[:5].sum() / weights.sum()
    assert abs(learner_number(importance_share, 5, 20, 0.7) - direct) < 1e-12, (
        "compare feature_importance(20, 0.7)[:5].sum() / ....sum(): off by one in k? "
        "(features 0..k-1 are the first k)"
    )
    assert abs(learner_number(importance_share, 20, 20, 0.7) - 1) < 1e-12, (
        "all features carry the whole signal"
    )
    assert isinstance(share_depends_on_sparsity, bool), (
        "share_depends_on_sparsity must be True or False"
    )
    # Each simulated share has a standard deviation of about 0.0018 (40 seeds): 0.01 is
    # more than five of them.
    sparse, dense = _simulated_share(5, 0.95, rng=8), _simulated_share(5, 0.5, rng=9)
    depends = abs(sparse - dense) > 0.01
    assert share_depends_on_sparsity == depends, (
        f"simulated shares: {sparse:.3f} at S = 0.95, {dense:.3f} at S = 0.5: the "
        "factor p/3 multiplies every feature's signal, so it cancels in the share"
    )
    assert abs(sparse - direct) < 0.01, (
        "the simulated share should match the closed form"
    )
    print(f"share of the first 5 features: {importance_share(5, 20, 0.7):.4f}")

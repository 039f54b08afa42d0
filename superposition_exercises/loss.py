"""Checks for the exercises of "The weighted reconstruction loss"."""

import numpy as np

from superposition_exercises.assertions import learner_number
from superposition_lib.data import feature_importance, generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward, init_params


def check_best_constant_exercise(best_constant, saving):
    """Against a grid search with weighted_loss on one dropped feature at S = 0.9."""
    best, saved = learner_number(best_constant, 0.9), learner_number(saving, 0.9)
    column = generate_sparse_data(400_000, 1, 0.9, rng=9)
    grid = np.linspace(0, 0.2, 401)
    losses = [weighted_loss(column, np.full_like(column, c), [1.0]) for c in grid]
    best_on_grid = grid[int(np.argmin(losses))]
    # Tolerances: the sample mean has standard error sqrt(Var/N) ~ 2.8e-4 and the grid
    # step is 5e-4, so 0.002 covers five standard errors plus half a step; the saving
    # (the squared sample mean) has standard error ~ 3e-5, far inside 2e-4.
    assert abs(best_on_grid - best) < 0.002, (
        f"grid search finds {best_on_grid:.4f}, you say {best:.4f}: the constant that "
        "minimises a mean squared error is the mean, E[x] = p/2"
    )
    gained = weighted_loss(column, 0 * column, [1.0]) - min(losses)
    assert abs(gained - saved) < 2e-4, (
        f"measured saving {gained:.5f}, you say {saved:.5f}: the loss at b = 0 (p/3) "
        "minus the loss at the best b (the variance p/3 - p^2/4)"
    )
    print(f"best constant {best:.3f}, saving {saved:.5f} per unit importance")


def _summed_loss(X, X_recon, importance):
    """The original document's loss: summed over features and over the batch."""
    return np.sum(importance * (X - X_recon) ** 2)


def _slope(loss_fn, params, batch, importance, h=1e-6):
    """d loss / d W[0, 0] by a central finite difference."""
    plus = {**params, "W": params["W"].copy()}
    minus = {**params, "W": params["W"].copy()}
    plus["W"][0, 0] += h
    minus["W"][0, 0] -= h
    return (
        loss_fn(batch, forward(plus, batch)[2], importance)
        - loss_fn(batch, forward(minus, batch)[2], importance)
    ) / (2 * h)


def check_equivalent_sum_lr_exercise(equivalent_sum_lr):
    """One coordinate's step under both losses, by central finite differences."""
    n, k = 20, 5
    importance = feature_importance(n, 0.7)
    params = init_params(n, k, rng=11, init="xavier")
    params["b"] = np.full(n, 0.05)  # away from the ReLU's kink at exactly 0
    for N, seed in [(100, 13), (256, 10)]:
        batch = generate_sparse_data(N, n, 0.7, rng=seed)
        step_mean = 1e-3 * _slope(weighted_loss, params, batch, importance)
        lr_sum = learner_number(equivalent_sum_lr, 1e-3, N)
        step_sum = lr_sum * _slope(_summed_loss, params, batch, importance)
        assert np.isclose(step_mean, step_sum, rtol=1e-5), (
            f"batch of {N}: steps differ ({step_mean:.3g} vs {step_sum:.3g}): the "
            "summed loss is N times the mean, so is its gradient: multiply or divide "
            "by N?"
        )
    print(f"equal steps: {step_mean:.3e} and {step_sum:.3e}")

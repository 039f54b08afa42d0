"""Checks for the exercises of "Training many toy models at once"."""

import dataclasses

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.data import feature_importance, generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward
from superposition_lib.train import TrainResult, train_toy_model


def _fresh_loss(result, n_samples, seed, sparsity=None, importance=None):
    """The loss (7.2) of each instance of `result` on a fresh batch."""
    n_instances, _, n_features = result.W.shape
    sparsity = result.sparsity if sparsity is None else sparsity
    importance = result.importance if importance is None else importance
    rng = np.random.default_rng(seed)
    X = generate_sparse_data(
        n_samples, n_features, sparsity, rng, n_instances=n_instances
    )
    return weighted_loss(X, forward(result.params, X)[2], importance)


def check_evaluation_loss_exercise(evaluation_loss):
    """`evaluation_loss(result, n_samples, rng)` against a fresh batch of our own."""
    # Importances other than the default 0.7**i, so that ignoring them shows.
    importance = np.linspace(1.0, 0.1, 10)
    result = train_toy_model(
        10, 3, [0.0, 0.9, 0.99], importance, steps=300, n_instances=3, seed=5
    )
    values = learner_call(evaluation_loss, result, 50_000, np.random.default_rng(0))
    values = np.asarray(values, dtype=float)
    assert values.shape == (3,), "return one loss per instance, shape (n_instances,)"
    again = np.asarray(
        learner_call(evaluation_loss, result, 50_000, np.random.default_rng(2))
    )
    assert not np.array_equal(values, again), (
        "two generators gave the same losses: draw a fresh batch from rng (are these "
        "the logged training losses?)"
    )
    reference = _fresh_loss(result, 50_000, seed=1)
    if np.allclose(values, _fresh_loss(result, 50_000, 1, sparsity=0.0), rtol=0.15):
        raise AssertionError(
            "every instance was evaluated at sparsity 0: use result.sparsity, one row "
            "per instance, with n_instances"
        )
    default = feature_importance(10)
    if np.allclose(values, _fresh_loss(result, 50_000, 1, importance=default), 0.15):
        raise AssertionError(
            "the losses use the default importances 0.7**i: use result.importance, "
            "the importances the model was trained with"
        )
    assert np.allclose(values, reference, rtol=0.15), (
        f"losses {np.round(values, 4)}, expected about {np.round(reference, 4)}: is "
        "each instance's sparsity and importance used, on the ReLU output of forward?"
    )
    assert values[0] > values[1] > values[2], "sparser data must give a smaller loss"
    print("evaluation_loss: all checks passed", np.round(values, 4))


def check_scaled_runs_exercise(scaled_runs):
    """`scaled_runs()`: the same run with importances 0.7**i and 10 * 0.7**i."""
    runs = learner_call(scaled_runs)
    assert isinstance(runs, tuple) and len(runs) == 2, (
        "return the pair of TrainResults (base, scaled)"
    )
    base, scaled = runs
    # By its fields, not its class: the chapter defines its own copy of TrainResult.
    fields = [field.name for field in dataclasses.fields(TrainResult)]
    assert all(hasattr(run, name) for run in runs for name in fields), (
        "return what train_toy_model returns, two TrainResults"
    )
    assert base.W.shape == scaled.W.shape == (1, 3, 8), "train n=8, k=3, one instance"
    assert base.steps_logged[-1] == scaled.steps_logged[-1] == 499, "train 500 steps"
    assert np.allclose(base.sparsity, 0.8) and np.allclose(scaled.sparsity, 0.8), (
        "train both runs at sparsity S = 0.8"
    )
    assert np.max(np.abs(base.W - scaled.W)) < 1e-3, (
        "the weights should nearly agree: did you use the same seed for both runs?"
    )
    if np.allclose(scaled.losses, base.losses, rtol=1e-2):
        raise AssertionError(
            "the two runs have the same losses: pass 10 * feature_importance(8) as "
            "the importance of the second run"
        )
    assert np.allclose(scaled.losses, 10 * base.losses, rtol=1e-2), (
        "the losses should differ by the factor 10: scale the importance by 10, "
        "nothing else"
    )
    print("scaled_runs: all checks passed")

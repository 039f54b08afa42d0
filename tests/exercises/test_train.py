import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import train as checks
from superposition_lib import (
    feature_importance,
    forward,
    generate_sparse_data,
    train_toy_model,
    weighted_loss,
)

CHAPTER = "07_training"


@pytest.fixture(autouse=True)
def silent_progress(monkeypatch):
    monkeypatch.setenv("SUPERPOSITION_PROGRESS", "0")


def evaluation(result, n_samples, rng, *, sparsity=None, importance=None):
    """The exercise's loss on a fresh batch, right or with a likely mistake."""
    n_instances, _, n_features = result.W.shape
    sparsity = result.sparsity if sparsity is None else sparsity
    importance = result.importance if importance is None else importance
    X = generate_sparse_data(
        n_samples, n_features, sparsity, rng, n_instances=n_instances
    )
    return weighted_loss(X, forward(result.params, X)[2], importance)


@right("check_evaluation_loss_exercise")
def test_evaluation_loss_passes_the_book_solution():
    book = solution(CHAPTER, "training-ex-evaluate")["evaluation_loss"]
    checks.check_evaluation_loss_exercise(book)


@wrong("check_evaluation_loss_exercise")
def test_evaluation_loss_catches_one_sparsity_for_all():
    def dense(result, n_samples, rng):
        return evaluation(result, n_samples, rng, sparsity=0.0)

    with pytest.raises(AssertionError, match="evaluated at sparsity 0"):
        checks.check_evaluation_loss_exercise(dense)


@wrong("check_evaluation_loss_exercise")
def test_evaluation_loss_catches_the_default_importance():
    def default_importance(result, n_samples, rng):
        importance = feature_importance(result.W.shape[-1])
        return evaluation(result, n_samples, rng, importance=importance)

    with pytest.raises(AssertionError, match="default importances"):
        checks.check_evaluation_loss_exercise(default_importance)


@wrong("check_evaluation_loss_exercise")
def test_evaluation_loss_catches_the_training_losses():
    def logged(result, n_samples, rng):
        return result.losses[-1]

    with pytest.raises(AssertionError, match="logged training losses"):
        checks.check_evaluation_loss_exercise(logged)


@wrong("check_evaluation_loss_exercise")
def test_evaluation_loss_catches_the_linear_output_and_a_crash():
    def linear(result, n_samples, rng):
        n_instances, _, n_features = result.W.shape
        X = generate_sparse_data(
            n_samples, n_features, result.sparsity, rng, n_instances=n_instances
        )
        return weighted_loss(X, forward(result.params, X)[1], result.importance)

    with pytest.raises(AssertionError, match="ReLU output of forward"):
        checks.check_evaluation_loss_exercise(linear)

    def one_instance(result, n_samples, rng):
        X = generate_sparse_data(n_samples, 10, result.sparsity, rng)  # no n_instances
        return weighted_loss(X, forward(result.params, X)[2], result.importance)

    with pytest.raises(AssertionError, match="raised ValueError"):
        checks.check_evaluation_loss_exercise(one_instance)


@right("check_scaled_runs_exercise")
def test_scaled_runs_passes_the_book_solution():
    checks.check_scaled_runs_exercise(
        solution(CHAPTER, "training-ex-scale")["scaled_runs"]
    )


def runs(*, second_seed=0, factor=10.0):
    importance = feature_importance(8)
    base = train_toy_model(8, 3, 0.8, importance, steps=500, seed=0)
    scaled = train_toy_model(
        8, 3, 0.8, factor * importance, steps=500, seed=second_seed
    )
    return base, scaled


@wrong("check_scaled_runs_exercise")
def test_scaled_runs_catches_two_seeds():
    with pytest.raises(AssertionError, match="same seed"):
        checks.check_scaled_runs_exercise(lambda: runs(second_seed=1))


@wrong("check_scaled_runs_exercise")
def test_scaled_runs_catches_an_unscaled_importance():
    with pytest.raises(AssertionError, match="10 \\* feature_importance"):
        checks.check_scaled_runs_exercise(lambda: runs(factor=1.0))
    with pytest.raises(AssertionError, match="the factor 10"):
        checks.check_scaled_runs_exercise(lambda: runs(factor=3.0))


@wrong("check_scaled_runs_exercise")
def test_scaled_runs_catches_the_wrong_return_value():
    with pytest.raises(AssertionError, match="pair of TrainResults"):
        checks.check_scaled_runs_exercise(lambda: runs()[0])
    with pytest.raises(AssertionError, match="two TrainResults"):
        checks.check_scaled_runs_exercise(lambda: (1, 2))

"""Checks for the exercises of "Comparing representations: RSA and CKA"."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.similarity import (
    center_columns,
    gram_linear,
    hsic,
    linear_cka,
)


def _scalar(value, name):
    """A single finite number, or an AssertionError saying what came back instead."""
    assert np.ndim(value) == 0, (
        f"{name} must return one number, got an array of shape {np.shape(value)}"
    )
    value = float(value)
    assert np.isfinite(value), f"{name} returned {value}: is a denominator zero?"
    return value


def check_hsic_features_exercise(hsic_features):
    """`hsic_features(X, Y)` = ‖Y_c^T X_c‖_F^2 / (N - 1)^2, the Gram form's HSIC."""
    rng = np.random.default_rng(10)
    X = center_columns(rng.standard_normal((40, 3)))
    Y = center_columns(X @ rng.standard_normal((3, 6)) + rng.standard_normal((40, 6)))
    expected = hsic(gram_linear(X), gram_linear(Y))
    got = _scalar(
        learner_call(
            hsic_features,
            X,
            Y,
            on="valid input (any two (N, D) float arrays of the same N)",
        ),
        "hsic_features",
    )
    assert abs(got - expected * (39 / 40) ** 2) > 1e-9 * expected, (
        "off by (N - 1)^2 / N^2: divide by (N - 1)^2, as the original does"
    )
    assert abs(got - expected) < 1e-9 * expected, (
        "wrong value on centred data: is it the *squared* Frobenius norm of "
        "Y_c^T X_c, divided by (N - 1)^2?"
    )
    shifted = learner_call(
        hsic_features,
        X + 5.0,
        Y - 3.0,
        on="valid input (any two (N, D) float arrays of the same N)",
    )
    assert abs(_scalar(shifted, "hsic_features") - expected) < 1e-9 * expected, (
        "a shift of the data changed the value: centre the columns of X and Y "
        "(center_columns) before multiplying"
    )
    print("hsic_features: all checks passed")


def _whitened_cka_reference(X, Y):
    Q_x, _ = np.linalg.qr(center_columns(X))
    Q_y, _ = np.linalg.qr(center_columns(Y))
    return linear_cka(Q_x, Q_y)


def check_whitened_cka_exercise(whitened_cka):
    """`whitened_cka(X, Y)`: linear CKA of orthonormal bases of the centred data."""
    rng = np.random.default_rng(11)
    X = rng.standard_normal((200, 4)) + 3.0  # a mean, so that centring matters
    Y = np.tanh(X @ rng.standard_normal((4, 3))) + 0.5 * rng.standard_normal((200, 3))
    A = np.array([[10.0, 0, 0, 0], [2.0, 1, 0, 0], [0, 0, 0.1, 0], [0, 3.0, 0, 1]])
    base = _scalar(
        learner_call(
            whitened_cka,
            X,
            Y,
            on="valid input (any two (N, D) float arrays of the same N)",
        ),
        "whitened_cka",
    )
    mapped = _scalar(
        learner_call(
            whitened_cka,
            X @ A,
            Y,
            on="valid input (any two (N, D) float arrays of the same N)",
        ),
        "whitened_cka",
    )
    assert abs(base - linear_cka(X, Y)) > 1e-3, (
        "identical to plain linear CKA: the whitening step is missing"
    )
    assert abs(base - mapped) < 1e-10, (
        "changed under an invertible map A: whiten (orthonormalise the columns of) "
        "each representation before CKA"
    )
    assert abs(base - _whitened_cka_reference(X, Y)) < 1e-10, (
        "invariant, but the wrong value on data with a non-zero mean: centre the "
        "columns (center_columns) *before* np.linalg.qr, so that Q is an "
        "orthonormal basis of the centred data"
    )
    same = learner_call(
        whitened_cka,
        X,
        X @ A,
        on="valid input (any two (N, D) float arrays of the same N)",
    )
    assert abs(_scalar(same, "whitened_cka") - 1) < 1e-10, (
        "X and XA span the same space: their similarity must be 1"
    )
    wide_x, wide_y = rng.standard_normal((10, 12)), rng.standard_normal((10, 12))
    wide = learner_call(
        whitened_cka,
        wide_x,
        wide_y,
        on="valid input (any two (N, D) float arrays of the same N)",
    )
    assert abs(_scalar(wide, "whitened_cka") - 1) < 1e-10, (
        "independent representations with D >= N - 1 should get 1"
    )
    print("whitened_cka: all checks passed; independent data with D >= N - 1 scored 1")


def _pentagon_truth():
    """For each alteration of the pentagon W: do the norms change, is CKA 1?"""
    angles = 2 * np.pi * np.arange(5) / 5
    W = np.stack([np.cos(angles), np.sin(angles)])
    active = np.random.default_rng(13).random((2000, 5)) < 0.2
    X = np.random.default_rng(12).random((2000, 5)) * active
    c, s = np.cos(np.radians(40)), np.sin(np.radians(40))
    altered = {
        "rotate": np.array([[c, -s], [s, c]]) @ W,
        "reorder": W[:, [2, 1, 0, 3, 4]],
        "stretch": np.diag([1.0, 3.0]) @ W,
    }
    norms = np.linalg.norm(W, axis=0)
    return {
        name: {
            "norms_change": not np.allclose(norms, np.linalg.norm(W_new, axis=0)),
            "cka_is_one": abs(linear_cka(X @ W.T, X @ W_new.T) - 1) < 1e-9,
        }
        for name, W_new in altered.items()
    }


WHY = {
    "rotate": "a rotation keeps every length and every angle between features",
    "reorder": "the lengths are the same, but other features are now neighbours",
    "stretch": "stretching an axis changes lengths and angles",
}


def check_similarity_predictions_exercise(predictions):
    """Compare the learner's predictions with the computed truth; explain each miss."""
    assert isinstance(predictions, dict), "fill in the dictionary `predictions` first"
    for name, truth in _pentagon_truth().items():
        answers = predictions.get(name)
        assert isinstance(answers, dict), (
            f"predictions[{name!r}] must be a dictionary with the keys "
            "'norms_change' and 'cka_is_one'"
        )
        for key, value in truth.items():
            answer = answers.get(key)
            assert answer is not None, f"fill in predictions[{name!r}][{key!r}]"
            assert isinstance(answer, (bool, np.bool_)), (
                f"predictions[{name!r}][{key!r}] must be True or False, got {answer!r}"
            )
            assert answer == value, (
                f"{name}: {key} is {value}, not {answer}: {WHY[name]}"
            )
    print("all predictions right")

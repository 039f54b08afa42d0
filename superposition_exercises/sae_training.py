"""Checks for the exercises of "Training and measuring sparse autoencoders"."""

import numpy as np


def check_no_l1_exercise(cosines_no_l1, every_seed_finds_every_feature):
    """The prediction against the measurement: do 4 seeds find all 5 features?"""
    try:
        cosines = np.asarray(cosines_no_l1, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(
            "cosines_no_l1 must be an array of best-match cosines, shape (4, 5): train "
            f"the four SAEs with λ = 0 first (got {cosines_no_l1!r})"
        ) from None
    assert cosines.shape == (4, 5), (
        "cosines_no_l1 must be (4 seeds, 5 features): pass the toy model's W as "
        "W_true and W_dec with its seed axis"
    )
    assert np.all(cosines <= 1 + 1e-9), "cosines above 1: normalise both column sets"
    assert isinstance(every_seed_finds_every_feature, bool), (
        "every_seed_finds_every_feature must be True or False (your prediction)"
    )
    assert np.any(cosines < 0.9), (
        "every seed found every feature: was λ really 0 (check result.l1_coeff)?"
    )
    assert not every_seed_finds_every_feature, (
        "your prediction was that every seed still finds every feature, but the "
        "cosines say otherwise: without L1 nothing prefers a sparse code, and in two "
        "dimensions many dictionaries reconstruct every z equally well"
    )
    missed = int(np.sum(cosines.min(axis=1) < 0.9))
    print(
        f"without L1, {missed} of 4 seeds miss a feature "
        f"(worst cosine {cosines.min():.2f}); prediction checked"
    )


def _probabilities(fn, Z, Z_hat):
    """`fn(Z, Z_hat)` as an (N,) float array; errors become AssertionErrors."""
    try:
        p = np.asarray(fn(Z, Z_hat), dtype=float)
    except NotImplementedError:
        raise
    except Exception as err:
        raise AssertionError(
            f"resampling_probabilities raised {type(err).__name__}: {err}"
        ) from None
    assert p.shape == (len(Z),), (
        f"one probability per input: expected shape ({len(Z)},), got {p.shape}; "
        "sum the squared error over the d dimensions (axis -1), not over the batch"
    )
    return p


def check_resampling_probabilities_exercise(resampling_probabilities):
    """P(n) ∝ ||z_n - z_hat_n||^4 on random inputs, uniform when every error is 0."""
    rng = np.random.default_rng(13)
    Z = rng.normal(size=(40, 3))
    Z_hat = Z + rng.normal(0, 0.5, size=Z.shape)
    p = _probabilities(resampling_probabilities, Z, Z_hat)
    assert np.all(p >= 0) and np.isclose(p.sum(), 1.0), (
        "probabilities must be non-negative and sum to 1: divide by the total"
    )
    error = np.sum((Z - Z_hat) ** 2, axis=-1)
    assert not np.allclose(p, error / error.sum()), (
        "P(n) is proportional to the squared error ||z_n - z_hat_n||^2, the loss "
        "itself; resampling weights by the *square* of the loss, ||z_n - z_hat_n||^4"
    )
    assert np.allclose(p, error**2 / np.sum(error**2)), (
        "P(n) must be proportional to the square of the per-input loss, "
        "(sum_d (z_nd - z_hat_nd)^2)^2: square after summing over d, not before"
    )
    uniform = _probabilities(resampling_probabilities, Z, Z.copy())
    assert np.allclose(uniform, 1 / len(Z)), (
        "when every input is reconstructed exactly the weights are all 0 and 0/0 is "
        "undefined: return the uniform distribution 1/N instead (as "
        "resample_dead_latents does)"
    )
    print(
        "resampling_probabilities: P(n) ∝ ||z_n - z_hat_n||^4, uniform when all are 0"
    )

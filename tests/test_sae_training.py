"""superposition_lib.sae_training: metrics, resampling, training and bad input."""

import numpy as np
import pytest
from sae_helpers import random_sae

from superposition_lib.optim import Adam
from superposition_lib.sae import (
    init_sae_params,
    normalize_decoder,
    remove_parallel_gradient,
    sae_backward,
    sae_forward,
)
from superposition_lib.sae_training import (
    best_match_cosines,
    dead_fraction,
    dense_fraction,
    fraction_variance_unexplained,
    latent_density,
    mean_active_latent_count,
    resample_dead_latents,
    shrinkage,
    train_sae,
)


def pentagon():
    angles = 2 * np.pi * np.arange(5) / 5
    return np.stack([np.cos(angles), np.sin(angles)])


def sparse_activations(W, n_samples, sparsity, seed):
    rng = np.random.default_rng(seed)
    u = rng.random((n_samples, W.shape[1]))
    keep = 1 - sparsity
    return np.where(u < keep, u / keep, 0.0) @ W.T


# ---- metrics ----


def test_metrics_closed_forms():
    H = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 2.0, 3.0, 0.0]])
    assert np.allclose(latent_density(H), [0, 1, 0.5, 0])
    assert mean_active_latent_count(H) == pytest.approx(1.5)
    assert dead_fraction(H) == pytest.approx(0.5)
    assert dense_fraction(H, threshold=0.6) == pytest.approx(0.25)
    Z = np.random.default_rng(0).normal(size=(50, 3))
    assert fraction_variance_unexplained(Z, Z) == 0
    assert fraction_variance_unexplained(
        Z, np.broadcast_to(Z.mean(0), Z.shape)
    ) == pytest.approx(1)
    assert shrinkage(Z, 0.25 * Z) == pytest.approx(0.25)
    with_zero_rows = np.vstack([Z, np.zeros((5, 3))])
    assert shrinkage(with_zero_rows, np.vstack([Z, np.ones((5, 3))])) == pytest.approx(
        1
    ), "rows with z = 0 are left out of the shrinkage mean"


def test_best_match_cosines_is_invariant_to_scale_and_order():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(3, 4))
    W_dec = np.concatenate([rng.normal(size=(3, 2)), 5 * W[:, [2, 0, 3, 1]]], axis=1)
    cosines, index = best_match_cosines(W_dec, W)
    assert np.allclose(cosines, 1) and list(index) == [3, 5, 2, 4]
    with_zero = best_match_cosines(np.zeros((3, 2)), W)[0]
    assert np.all(with_zero == 0) and np.all(np.isfinite(with_zero))
    stacked = best_match_cosines(np.stack([W_dec, -W_dec]), W)[0]
    assert stacked.shape == (2, 4) and np.allclose(stacked[0], 1)


# ---- dead latents and resampling ----


def test_resampling_points_dead_latents_at_badly_reconstructed_inputs():
    p, rng = random_sae(6, n_inputs=2, n_latents=4, n_instances=2)
    Z = np.zeros((50, 2))
    Z[7] = [3.0, 4.0]  # the only input with a large error once the SAE reconstructs ~0
    dead = np.array([[True, False, False, True], [False, False, False, False]])
    optimizer = Adam()
    optimizer.step(p, {k: np.ones_like(v) for k, v in p.items()})  # non-zero moments
    p["W_dec"][:] = 1e-9
    p["b_dec"][:] = 0.0
    before = {k: v.copy() for k, v in p.items()}
    n = resample_dead_latents(p, dead, Z, rng, optimizer)
    assert list(n) == [2, 0]
    assert np.allclose(p["W_dec"][0][:, [0, 3]].T, [[0.6, 0.8], [0.6, 0.8]])
    assert np.all(p["b_enc"][0, [0, 3]] == 0)
    assert np.allclose(
        p["W_enc"][0, [0, 3]] @ [0.6, 0.8],
        0.2 * np.linalg.norm(before["W_enc"][0, [1, 2]], axis=-1).mean(),
    )
    assert np.array_equal(p["W_enc"][1], before["W_enc"][1]), "instance 1 has none dead"
    assert np.all(optimizer.m["W_enc"][0, [0, 3]] == 0)
    assert np.all(optimizer.v["W_dec"][0][:, 0] == 0)
    assert np.all(optimizer.m["W_enc"][0, 1] != 0)
    assert np.all(optimizer.m["W_enc"][1] != 0)


# ---- training ----


def test_train_sae_recovers_the_pentagon_and_is_seeded():
    W = pentagon()
    Z = sparse_activations(W, 20_000, 0.95, seed=0)
    result = train_sae(Z, 10, 0.3, n_instances=2, steps=1500, lr=1e-2, seed=3)
    assert result.params["W_dec"].shape == (2, 2, 10)
    assert np.all(best_match_cosines(result.params["W_dec"], W)[0] >= 0.9)
    again = train_sae(Z, 10, 0.3, n_instances=2, steps=1500, lr=1e-2, seed=3)
    assert np.array_equal(result.losses, again.losses)
    assert result.losses.shape == (150, 2) and result.steps_logged[-1] == 1500


def test_l1_sweep_is_one_sae_per_coefficient():
    Z = sparse_activations(pentagon(), 5000, 0.9, seed=1)
    result = train_sae(Z, 6, [0.0, 3.0], steps=300, lr=1e-2, seed=0)
    _, h, _ = sae_forward(result.params, Z)
    l0 = mean_active_latent_count(h)
    assert l0[1] < l0[0], "the larger λ must give the sparser code"
    assert np.array_equal(result.l1_coeff, [0.0, 3.0])


@pytest.mark.parametrize("convention", ["unit_norm", "decoder_norm"])
def test_conventions_keep_or_free_the_decoder_norms(convention):
    Z = sparse_activations(pentagon(), 5000, 0.9, seed=2)
    result = train_sae(Z, 6, 0.3, steps=200, lr=1e-2, l1_convention=convention)
    norms = np.linalg.norm(result.params["W_dec"], axis=-2)
    assert np.allclose(norms, 1) == (convention == "unit_norm")


def test_resampling_reduces_dead_latents():
    Z = sparse_activations(pentagon(), 20_000, 0.95, seed=4)
    runs = {
        flag: train_sae(
            Z, 30, 0.5, steps=1500, lr=1e-2, seed=0, dead_window=250, resample=flag
        )
        for flag in (False, True)
    }
    assert runs[True].n_resampled[0] > 0 and runs[False].n_resampled[0] == 0
    assert runs[True].dead_counts[-1, 0] < runs[False].dead_counts[-1, 0]


def test_divergence_raises_floating_point_error():
    Z = sparse_activations(pentagon(), 2000, 0.5, seed=5)
    with pytest.raises(FloatingPointError, match="diverged at step 2"):
        train_sae(Z, 4, 0.1, steps=5, lr=1e300, l1_convention="decoder_norm")


def test_activations_too_large_to_square_are_refused_before_training():
    Z = sparse_activations(pentagon(), 2000, 0.5, seed=5) * 1e200
    with pytest.raises(ValueError, match="Z"):
        train_sae(Z, 4, 0.1, steps=5, lr=1e-2)


def test_resampling_draws_uniformly_when_every_input_is_reconstructed_exactly():
    p = init_sae_params(2, 3, 0)
    p["W_dec"][:] = 0.0  # the SAE outputs b_dec = 0 for every input
    Z = np.zeros((8, 2))
    dead = np.array([True, False, True])
    assert resample_dead_latents(p, dead, Z, 1) == 2
    # every input is zero, so v = z_n - b_dec = 0 and the new direction is random
    assert np.allclose(np.linalg.norm(p["W_dec"][:, [0, 2]], axis=0), 1)


def test_training_result_shapes_and_windows():
    Z = sparse_activations(pentagon(), 2000, 0.9, seed=6)
    result = train_sae(Z, 6, 0.3, n_instances=3, steps=60, log_every=7, dead_window=25)
    assert result.losses.shape == (9, 3) and list(result.steps_logged)[-1] == 60
    assert list(result.window_ends) == [25, 50] and result.dead_counts.shape == (2, 3)
    assert np.array_equal(result.n_resampled, [0, 0, 0])
    assert np.array_equal(result.l1_coeff, [0.3, 0.3, 0.3])


# ---- bad input ----


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: train_sae(np.ones((5, 2)), 4, -1.0), "l1_coeff"),
        (lambda: train_sae(np.ones((5, 2)), 4, [0.1, 0.2], n_instances=3), "l1_coeff"),
        (lambda: train_sae(np.ones((5, 2)), 0, 0.1), "n_latents"),
        (lambda: train_sae(np.array([[1.0, np.inf]]), 4, 0.1), "Z"),
        (
            lambda: train_sae(np.ones((5, 2)), 4, 0.1, l1_convention="l2"),
            "l1_convention",
        ),
        (
            lambda: train_sae(np.ones((5, 2)), 4, 0.1, resample_until=1.5),
            "resample_until",
        ),
        (lambda: train_sae(np.ones((2, 5, 2)), 4, [0.1, 0.2, 0.3]), "instances"),
        (
            lambda: fraction_variance_unexplained(np.ones((4, 2)), np.ones((4, 2))),
            "variance",
        ),
        (lambda: shrinkage(np.zeros((4, 2)), np.ones((4, 2))), "zero"),
        (lambda: latent_density(np.zeros((0, 3))), "no rows"),
        (
            lambda: fraction_variance_unexplained(np.zeros((0, 2)), np.zeros((0, 2))),
            "Z_hat",
        ),
        (lambda: shrinkage(np.zeros((3, 0)), np.zeros((3, 0))), "Z_hat"),
        (lambda: train_sae(np.full((5, 2), 1e200), 4, 0.1), "Z"),
        (lambda: dense_fraction(np.ones((3, 2)), threshold=2.0), "threshold"),
        (lambda: best_match_cosines(np.ones((3, 4)), np.ones((2, 5))), "rows"),
        (
            lambda: resample_dead_latents(
                init_sae_params(2, 4, 0), np.zeros(3, bool), np.ones((5, 2)), 0
            ),
            "dead",
        ),
    ],
)
def test_bad_input_is_refused_with_a_named_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="n_latents"):
        train_sae(np.ones((5, 2)), 2.5, 0.1)
    with pytest.raises(TypeError, match="seed"):
        train_sae(np.ones((5, 2)), 2, 0.1, seed="zero")
    with pytest.raises(TypeError, match="resample"):
        train_sae(np.ones((5, 2)), 2, 0.1, resample=1)  # a number is not a switch


def test_resampling_refuses_before_changing_anything():
    p = init_sae_params(2, 3, 0)
    before = {k: v.copy() for k, v in p.items()}
    dead = np.array([True, False, False])
    with pytest.raises(TypeError, match="optimizer"):
        resample_dead_latents(p, dead, np.ones((4, 2)), 0, optimizer="adam")
    p["W_enc"].flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        resample_dead_latents(p, dead, np.ones((4, 2)), 0)
    assert all(np.array_equal(p[k], before[k]) for k in p)


# ---- the loop trusts what it checked once: the same bits as checked calls ----


@pytest.mark.parametrize("convention", ["unit_norm", "decoder_norm"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_train_sae_equals_a_loop_of_checked_calls_bit_for_bit(convention, dtype):
    Z = sparse_activations(pentagon(), 500, 0.8, seed=6).astype(dtype)
    lam = np.array([0.1, 0.4], dtype)
    result = train_sae(
        Z, 7, lam, steps=40, batch_size=32, lr=1e-2, seed=3, l1_convention=convention
    )
    rng = np.random.default_rng(3)
    p = init_sae_params(2, 7, rng, n_instances=2, dtype=dtype)
    optimizer, unit = Adam(lr=1e-2), convention == "unit_norm"
    for _ in range(40):
        batch = Z[rng.integers(0, len(Z), 32)]
        grads = sae_backward(
            p, batch, *sae_forward(p, batch), lam, weight_l1_by_decoder_norm=not unit
        )
        if unit:
            grads["W_dec"] = remove_parallel_gradient(p["W_dec"], grads["W_dec"])
        optimizer.step(p, grads)
        if unit:
            normalize_decoder(p)
    assert all(np.array_equal(result.params[k], p[k]) for k in p)


def test_resampling_in_train_sae_equals_checked_calls_bit_for_bit():
    # train_sae steps all parameters as one buffer; resampling zeroes the moments of
    # just the resampled latents in it, as Adam.reset does on separate arrays
    Z = sparse_activations(pentagon(), 500, 0.8, seed=6)
    lam, steps, window = np.array([1.0, 3.0]), 60, 10
    result = train_sae(
        Z, 12, lam, steps=steps, batch_size=32, lr=3e-2, seed=4, resample=True,
        dead_window=window, resample_until=1.0,
    )  # fmt: skip
    assert result.n_resampled.sum() > 0, "no latent was resampled: nothing tested"
    rng = np.random.default_rng(4)
    p = init_sae_params(2, 12, rng, n_instances=2)
    optimizer, fired = Adam(lr=3e-2), np.zeros((2, 12), dtype=bool)
    for step in range(1, steps + 1):
        batch = Z[rng.integers(0, len(Z), 32)]
        h_linear, h, Z_hat = sae_forward(p, batch)
        grads = sae_backward(p, batch, h_linear, h, Z_hat, lam)
        grads["W_dec"] = remove_parallel_gradient(p["W_dec"], grads["W_dec"])
        optimizer.step(p, grads)
        normalize_decoder(p)
        fired |= h.max(axis=-2) > 0
        if step % window == 0:
            if (~fired).any():
                resample_dead_latents(p, ~fired, batch, rng, optimizer)
            fired[:] = False
    assert all(np.array_equal(result.params[k], p[k]) for k in p)
    assert all(value.flags.owndata for value in result.params.values()), "views"


def test_a_run_that_overflows_raises_and_returns_no_nan():
    Z = sparse_activations(pentagon(), 2000, 0.5, seed=5)
    with pytest.raises(FloatingPointError, match="diverged at step"):
        train_sae(Z, 4, 0.1, steps=20, lr=1e300)

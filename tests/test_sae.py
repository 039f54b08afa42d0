"""superposition_lib.sae: the forward pass, the loss, its gradients, the decoder
conventions and bad input."""

import numpy as np
import pytest
from sae_helpers import random_sae

from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.conventions import vector_norm
from superposition_lib.sae import (
    SAE_KEYS,
    check_reconstruction_pair,
    decoder_norms,
    init_sae_params,
    normalize_decoder,
    remove_parallel_gradient,
    sae_backward,
    sae_forward,
    sae_gradients,
    sae_loss,
    sae_loss_terms,
)

# ---- initialisation and forward pass ----


def test_init_shapes_unit_decoder_and_seeding():
    p = init_sae_params(4, 9, 0, n_instances=3)
    assert {k: v.shape for k, v in p.items()} == {
        "W_enc": (3, 9, 4),
        "b_enc": (3, 9),
        "W_dec": (3, 4, 9),
        "b_dec": (3, 4),
    }
    assert np.allclose(np.linalg.norm(p["W_dec"], axis=-2), 1)
    assert np.all(np.abs(p["W_enc"]) <= np.sqrt(6 / 4))
    again = init_sae_params(4, 9, 0, n_instances=3)
    assert all(np.array_equal(p[k], again[k]) for k in SAE_KEYS)
    assert init_sae_params(4, 9, 0, dtype=np.float32)["W_enc"].dtype == np.float32


def test_forward_matches_the_equations_row_by_row():
    p, rng = random_sae(0)
    Z = rng.normal(size=(6, 3))
    h_linear, h, Z_hat = sae_forward(p, Z)
    for n in range(6):
        a = p["W_enc"] @ (Z[n] - p["b_dec"]) + p["b_enc"]
        assert np.allclose(h_linear[n], a)
        assert np.allclose(Z_hat[n], p["W_dec"] @ np.maximum(a, 0) + p["b_dec"])
    _, _, Z_hat_seed = sae_forward(p, Z, subtract_decoder_bias=False)
    a = Z @ p["W_enc"].T + p["b_enc"]
    assert np.allclose(Z_hat_seed, np.maximum(a, 0) @ p["W_dec"].T + p["b_dec"])


def test_instance_axis_equals_a_loop_for_shared_and_per_instance_inputs():
    p, rng = random_sae(1, n_instances=3)
    Z_shared = rng.normal(size=(7, 3))
    Z_each = rng.normal(size=(3, 7, 3))
    for Z in (Z_shared, Z_each):
        _, h, Z_hat = sae_forward(p, Z)
        for i in range(3):
            one = {k: v[i] for k, v in p.items()}
            _, h_i, Z_hat_i = sae_forward(one, Z if Z.ndim == 2 else Z[i])
            assert np.allclose(h[i], h_i) and np.allclose(Z_hat[i], Z_hat_i)


# ---- loss and gradients ----


@pytest.mark.parametrize("subtract", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_instances", [None, 2])
def test_gradients_match_finite_differences(subtract, weighted, n_instances):
    p, rng = random_sae(2, n_instances=n_instances)
    Z = rng.normal(size=(12, 3))
    lam = 0.4 if n_instances is None else np.array([0.05, 0.7])

    def loss(q):
        _, h, Z_hat = sae_forward(q, Z, subtract_decoder_bias=subtract)
        weights = decoder_norms(q["W_dec"]) if weighted else None
        return float(np.sum(sae_loss(Z, Z_hat, h, lam, l1_weights=weights)))

    analytic = sae_gradients(
        p, Z, lam, subtract_decoder_bias=subtract, weight_l1_by_decoder_norm=weighted
    )
    assert relative_error(analytic, numerical_gradient(loss, p)) < 1e-6


def test_loss_is_a_batch_mean_of_per_input_sums():
    p, rng = random_sae(3)
    Z = rng.normal(size=(10, 3))
    _, h, Z_hat = sae_forward(p, Z)
    reconstruction, sparsity = sae_loss_terms(Z, Z_hat, h)
    assert reconstruction == pytest.approx(np.sum((Z - Z_hat) ** 2) / 10)
    assert sparsity == pytest.approx(np.sum(h) / 10)
    doubled = np.concatenate([Z, Z])
    _, h2, Z_hat2 = sae_forward(p, doubled)
    assert sae_loss(doubled, Z_hat2, h2, 0.3) == pytest.approx(
        sae_loss(Z, Z_hat, h, 0.3)
    )


def test_decoder_norm_weighted_loss_is_invariant_to_rescaling_latents():
    p, rng = random_sae(4)
    Z = rng.normal(size=(20, 3))
    q = {k: v.copy() for k, v in p.items()}
    c = rng.uniform(0.1, 3.0, 5)
    q["W_enc"] *= c[:, None]
    q["b_enc"] *= c
    q["W_dec"] /= c
    values = []
    for params in (p, q):
        _, h, Z_hat = sae_forward(params, Z)
        norms = decoder_norms(params["W_dec"])
        values.append(sae_loss(Z, Z_hat, h, 0.5, l1_weights=norms))
    assert values[0] == pytest.approx(values[1])


def test_parallel_gradient_removal_is_a_projection():
    p, rng = random_sae(5, n_instances=2)
    g = rng.normal(size=p["W_dec"].shape)
    once = remove_parallel_gradient(p["W_dec"], g)
    assert np.allclose(np.sum(once * p["W_dec"], axis=-2), 0)
    assert np.allclose(remove_parallel_gradient(p["W_dec"], once), once)
    normalize_decoder(p)
    assert np.allclose(np.linalg.norm(p["W_dec"], axis=-2), 1)


def test_backward_from_a_forward_pass_equals_sae_gradients():
    p, rng = random_sae(7, n_instances=2)
    Z = rng.normal(size=(9, 3))
    h_linear, h, Z_hat = sae_forward(p, Z)
    lam = np.array([0.2, 0.9])
    from_pass = sae_backward(p, Z, h_linear, h, Z_hat, lam)
    direct = sae_gradients(p, Z, lam)
    assert all(np.array_equal(from_pass[k], direct[k]) for k in SAE_KEYS)


def test_the_original_forms_gradient_has_no_encoder_path_to_b_dec():
    p, rng = random_sae(8)
    Z = rng.normal(size=(10, 3))
    g = sae_gradients(p, Z, 0.3, subtract_decoder_bias=False)
    _, _, Z_hat = sae_forward(p, Z, subtract_decoder_bias=False)
    assert np.allclose(g["b_dec"], 2 * (Z_hat - Z).sum(axis=0) / 10)


# ---- bad input ----


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sae_forward(init_sae_params(2, 4, 0), np.ones((3, 5))), "d=2"),
        (
            lambda: sae_forward(
                init_sae_params(2, 4, 0, n_instances=2), np.ones((3, 4, 2))
            ),
            "instances",
        ),
        (
            lambda: sae_forward(
                {**init_sae_params(2, 4, 0), "b_enc": np.ones(3)}, np.ones((3, 2))
            ),
            "b_enc",
        ),
        (lambda: init_sae_params(0, 4, 0), "n_inputs"),
        (
            lambda: sae_gradients(init_sae_params(2, 4, 0), np.ones((3, 2)), -1.0),
            "l1_coeff",
        ),
        (
            lambda: sae_gradients(
                init_sae_params(2, 4, 0, n_instances=2), np.ones((3, 2)), [0.1] * 3
            ),
            "l1_coeff",
        ),
        (lambda: check_reconstruction_pair(np.ones((3, 2)), np.ones((4, 2))), "share"),
        (
            lambda: sae_loss(np.ones((0, 2)), np.ones((0, 2)), np.ones((0, 4)), 0.1),
            "Z_hat",
        ),
        (
            lambda: sae_loss_terms(
                np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 4)), l1_weights=[1.0]
            ),
            "l1_weights",
        ),
        (
            lambda: check_reconstruction_pair(np.ones((2, 3, 2)), np.ones((3, 3, 2))),
            "I",
        ),
        (lambda: sae_forward(init_sae_params(2, 4, 0), np.full((3, 2), np.nan)), "Z"),
        (
            lambda: normalize_decoder(
                {**init_sae_params(2, 4, 0), "W_dec": np.zeros((2, 4))}
            ),
            "all-zero column",
        ),
    ],
)
def test_bad_input_is_refused_with_a_named_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="params"):
        sae_forward({"W_enc": np.ones((3, 2))}, np.ones((4, 2)))
    with pytest.raises(TypeError, match="dtype"):
        init_sae_params(2, 3, 0, dtype="not a dtype")


# ---- checked once, trusted in a loop (check=False) ----


@pytest.mark.parametrize("n_instances", [None, 2])
@pytest.mark.parametrize("subtract, weighted", [(True, False), (False, True)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_trusted_calls_compute_the_same_bits(n_instances, subtract, weighted, dtype):
    p, rng = random_sae(8, n_inputs=4, n_latents=7, n_instances=n_instances)
    p = {k: v.astype(dtype) for k, v in p.items()}
    Z = rng.normal(size=(12, 4)).astype(dtype)
    lam = np.array([0.3, 1.2], dtype) if n_instances else 0.3
    forward = {"subtract_decoder_bias": subtract}
    conventions = {**forward, "weight_l1_by_decoder_norm": weighted}
    checked = sae_forward(p, Z, **forward)
    trusted = sae_forward(p, Z, **forward, check=False)
    assert all(np.array_equal(a, b) for a, b in zip(checked, trusted))
    g = sae_backward(p, Z, *checked, lam, **conventions)
    g_trusted = sae_backward(p, Z, *checked, lam, **conventions, check=False)
    assert all(np.array_equal(g[k], g_trusted[k]) for k in SAE_KEYS)
    assert all(g[k].dtype == g_trusted[k].dtype for k in SAE_KEYS)
    assert np.array_equal(
        remove_parallel_gradient(p["W_dec"], g["W_dec"]),
        remove_parallel_gradient(p["W_dec"], g["W_dec"], check=False),
    )
    q = {k: v.copy() for k, v in p.items()}
    normalize_decoder(p)
    normalize_decoder(q, check=False)
    assert np.array_equal(p["W_dec"], q["W_dec"])


@pytest.mark.parametrize("scale", [1.0, 0.6, 1.9, 1e-3, 1e200, 1e-200])
def test_decoder_norms_keep_vector_norms_bits_near_unit_and_far_from_it(scale):
    p, _ = random_sae(9, n_inputs=6, n_latents=5)
    p["W_dec"] = scale * p["W_dec"] / np.linalg.norm(p["W_dec"], axis=0)
    W = p["W_dec"].copy()
    normalize_decoder(p, check=False)  # near unit: the sum of squares; else vector_norm
    assert np.array_equal(p["W_dec"], W / vector_norm(W, axis=-2, keepdims=True))
    assert np.allclose(np.linalg.norm(p["W_dec"], axis=0), 1.0)


def test_check_must_be_a_flag():
    p = init_sae_params(2, 4, 0)
    Z = np.ones((3, 2))
    with pytest.raises(TypeError, match="check"):
        sae_forward(p, Z, check=0)
    with pytest.raises(TypeError, match="check"):
        sae_backward(p, Z, *sae_forward(p, Z), 0.1, check="no")
    with pytest.raises(TypeError, match="check"):
        normalize_decoder(p, check=None)
    with pytest.raises(TypeError, match="check"):
        remove_parallel_gradient(p["W_dec"], p["W_dec"], check=1)

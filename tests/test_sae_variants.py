"""The SAE variants of chapter 20: forward passes, losses and gradients by their
definitions and against finite differences, and `train_sae(..., variant=...)`."""

import numpy as np
import pytest

import superposition_lib as lib
from superposition_lib.backprop import numerical_gradient, relative_error

KEYS = ("W_enc", "b_enc", "W_dec", "b_dec")


def sae(seed=0, d=4, m=7, n_instances=None, extra=()):
    rng = np.random.default_rng(seed)
    params = lib.init_sae_params(d, m, rng, n_instances=n_instances)
    params["b_enc"] += rng.normal(0, 0.3, params["b_enc"].shape)
    params["b_dec"] += rng.normal(0, 0.3, params["b_dec"].shape)
    if "log_threshold" in extra:
        params["log_threshold"] = np.log(rng.uniform(0.1, 0.5, params["b_enc"].shape))
    if "gated" in extra:
        params["r_mag"] = rng.normal(0, 0.3, params["b_enc"].shape)
        params["b_mag"] = rng.normal(0, 0.3, params["b_enc"].shape)
    return params, rng.normal(size=(25, d))


def fd_error(loss, grads, params, keys):
    numerical = numerical_gradient(
        lambda q: float(np.sum(loss({**params, **q}))),
        {k: params[k] for k in keys},
        h=1e-6,
    )
    return relative_error({k: grads[k] for k in keys}, numerical)


def test_pre_activations_match_their_equation():
    params, Z = sae()
    want = (Z - params["b_dec"]) @ params["W_enc"].T + params["b_enc"]
    assert np.allclose(lib.pre_activations(params, Z), want, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_topk_keeps_k_largest_per_input(k):
    params, Z = sae()
    u, h, Z_hat = lib.topk_forward(params, Z, k)
    kth = np.sort(u, axis=1)[:, -k][:, None]
    assert np.array_equal(h, np.where((u >= kth) & (u > 0), u, 0.0))
    assert np.allclose(Z_hat, h @ params["W_dec"].T + params["b_dec"])


def test_batch_topk_keeps_round_k_n_of_the_batch():
    params, Z = sae()
    u, h, _ = lib.batch_topk_forward(params, Z, 1.4)
    keep = round(1.4 * len(Z))
    threshold = np.sort(u.ravel())[-keep]
    assert np.array_equal(h, np.where((u >= threshold) & (u > 0), u, 0.0))
    counts = np.count_nonzero(h, axis=1)
    assert counts.sum() <= keep and counts.min() != counts.max(), "varies per input"


def test_selection_is_exactly_k_even_with_ties():
    params, _ = sae()
    Z = np.zeros((10, 4))  # every row the same: every entry tied with its column
    _, h, _ = lib.batch_topk_forward(
        {**params, "b_enc": np.abs(params["b_enc"]) + 1}, Z, 0.5
    )
    assert np.count_nonzero(h) == 5
    _, h, _ = lib.topk_forward({**params, "b_enc": np.ones(7)}, Z, 2)
    assert np.all(np.count_nonzero(h, axis=1) == 2)


@pytest.mark.parametrize("n_instances", [None, 3])
def test_topk_and_batch_topk_gradients_match_finite_differences(n_instances):
    params, Z = sae(n_instances=n_instances)
    k = 2 if n_instances is None else np.array([1, 2, 3])
    for gradients in (lib.topk_gradients, lib.batch_topk_gradients):
        _, _, grads = gradients(params, Z, k)
        error = fd_error(lambda q, g=gradients: g(q, Z, k)[0], grads, params, KEYS)
        assert error < 1e-6, gradients.__name__


def test_unselected_latents_get_no_gradient():
    params, Z = sae()
    params["b_enc"][3] = -20.0
    _, h, grads = lib.topk_gradients(params, Z, 2)
    assert not h[:, 3].any()
    assert np.all(grads["W_enc"][3] == 0) and grads["b_enc"][3] == 0
    assert np.all(grads["W_dec"][:, 3] == 0)


def test_jumprelu_forward_loss_and_gradients():
    params, Z = sae(extra=("log_threshold",))
    theta = np.exp(params["log_threshold"])
    u, h, _ = lib.jumprelu_forward(params, Z)
    assert np.array_equal(h, np.where(u > theta, u, 0.0))
    loss, _, grads = lib.jumprelu_gradients(params, Z, 0.3, 0.05)
    assert np.isclose(loss, lib.jumprelu_loss(params, Z, 0.3))
    error = fd_error(lambda q: lib.jumprelu_loss(q, Z, 0.3), grads, params, KEYS)
    assert error < 1e-6


def test_jumprelu_threshold_pseudo_gradient_of_l0_is_the_smoothed_slope():
    params, _ = sae(extra=("log_threshold",))
    Z = np.random.default_rng(5).normal(size=(20_000, 4))
    eps = 0.05
    ste = lib.jumprelu_gradients(params, Z, 1.0, eps)[2]["log_threshold"]
    ste -= lib.jumprelu_gradients(params, Z, 0.0, eps)[2]["log_threshold"]
    theta = np.exp(params["log_threshold"])
    u = lib.pre_activations(params, Z)
    slope = [
        np.mean(
            (u[:, j] > theta[j] + eps / 2).astype(float)
            - (u[:, j] > theta[j] - eps / 2)
        )
        / eps
        * theta[j]
        for j in range(theta.size)
    ]
    assert np.allclose(ste, slope, rtol=1e-10, atol=1e-12)
    window = np.abs(u - theta) < eps / 2
    assert np.all((ste == 0) == ~window.any(axis=0)), "only inputs in the window count"


def test_gated_gradients_match_finite_differences_with_the_decoder_frozen():
    params, Z = sae(extra=("gated",))
    frozen = {"W_dec": params["W_dec"].copy(), "b_dec": params["b_dec"].copy()}
    loss, f, grads = lib.gated_gradients(params, Z, 0.2)
    assert np.isclose(loss, lib.gated_loss(params, Z, 0.2))
    keys = KEYS + ("r_mag", "b_mag")
    error = fd_error(
        lambda q: lib.gated_loss(q, Z, 0.2, frozen_decoder=frozen), grads, params, keys
    )
    assert error < 1e-6
    gate, mag, f_again, _ = lib.gated_forward(params, Z)
    assert np.array_equal(f, f_again)
    assert np.array_equal(f > 0, (gate > 0) & (mag > 0))


def test_gated_with_zero_rescaling_shares_the_gate_direction():
    params, Z = sae(extra=("gated",))
    params["r_mag"][:] = 0.0
    params["b_mag"] = params["b_enc"].copy()
    gate, mag, f, _ = lib.gated_forward(params, Z)
    assert np.allclose(gate, mag)
    assert np.allclose(f, np.maximum(gate, 0))


def test_train_sae_without_a_variant_is_unchanged_and_with_one_is_deterministic():
    _, Z = sae()
    Z = np.concatenate([Z] * 4)
    a = lib.train_sae(Z, 6, [0.05, 0.2], steps=40, batch_size=16, seed=3)
    b = lib.train_sae(Z, 6, [0.05, 0.2], steps=40, batch_size=16, seed=3, variant=None)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in KEYS)
    for variant, lam in (
        (lib.topk([1, 2]), 0.0),
        (lib.batch_topk([0.5, 1.5]), 0.0),
        (lib.jumprelu(), [0.01, 0.1]),
        (lib.gated(), [0.1, 0.5]),
    ):
        runs = [
            lib.train_sae(
                Z,
                6,
                lam,
                n_instances=2,
                steps=40,
                batch_size=16,
                seed=3,
                variant=variant,
            )
            for _ in range(2)
        ]
        p, q = runs[0].params, runs[1].params
        assert p.keys() == q.keys() and all(np.array_equal(p[k], q[k]) for k in p)
        assert np.allclose(np.linalg.norm(p["W_dec"], axis=-2), 1)
        assert runs[0].losses.shape == (4, 2) and np.all(np.isfinite(runs[0].losses))
        h, Z_hat = variant.encode(p, Z)
        assert h.shape == (2, len(Z), 6) and Z_hat.shape == (2,) + Z.shape


@pytest.mark.parametrize(
    "gradients, extra, coefficient",
    [
        (lambda p, Z, c: lib.sae_gradients(p, Z, c), (), 0.1),
        (lambda p, Z, c: lib.topk_gradients(p, Z, 2)[2], (), None),
        (lambda p, Z, c: lib.batch_topk_gradients(p, Z, 2.0)[2], (), None),
        (
            lambda p, Z, c: lib.jumprelu_gradients(p, Z, c, 0.05)[2],
            ("log_threshold",),
            0.1,
        ),
        (lambda p, Z, c: lib.gated_gradients(p, Z, c)[2], ("gated",), 0.1),
    ],
    ids=["relu", "topk", "batch_topk", "jumprelu", "gated"],
)
def test_float32_gradients_stay_float32(gradients, extra, coefficient):
    # a Python-float coefficient (or λ = 0.0 inside) must not turn them float64
    params, Z = sae(extra=extra)
    params = {key: value.astype(np.float32) for key, value in params.items()}
    grads = gradients(params, Z.astype(np.float32), coefficient)
    assert {key: g.dtype for key, g in grads.items()} == dict.fromkeys(
        grads, np.dtype(np.float32)
    )


def test_variants_describe_themselves():
    assert repr(lib.topk(3)) == "topk(k=array(3.))"
    assert "bandwidth=0.05" in repr(lib.jumprelu())
    assert lib.gated().extra_params(sae()[0]).keys() == {"r_mag", "b_mag"}
    theta = lib.jumprelu(initial_threshold=0.2).extra_params(sae(n_instances=2)[0])
    assert np.allclose(np.exp(theta["log_threshold"]), 0.2)
    assert theta["log_threshold"].shape == (2, 7)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda p, Z: lib.topk_forward(p, Z, 0), "k"),
        (lambda p, Z: lib.topk_forward(p, Z, 8), "k"),
        (lambda p, Z: lib.topk_forward(p, Z, 1.5), "k"),
        (lambda p, Z: lib.topk_forward(p, Z, [1, 2]), "k"),
        (lambda p, Z: lib.batch_topk_forward(p, Z, -1.0), "k"),
        (lambda p, Z: lib.jumprelu_loss(p, Z, 0.1), "log_threshold"),
        (lambda p, Z: lib.gated_forward(p, Z), "r_mag"),
        (lambda p, Z: lib.pre_activations(p, Z[:, :3]), "Z"),
        (lambda p, Z: lib.pre_activations(p, Z * np.nan), "Z"),
        (
            lambda p, Z: lib.pre_activations(
                {**p, "W_enc": p["W_enc"] * 1e300}, Z * 1e10
            ),
            "params or Z",
        ),
        (lambda p, Z: lib.topk(0), "k"),
        (lambda p, Z: lib.topk(1.5), "k"),
        (lambda p, Z: lib.batch_topk(0.0), "k"),
        (lambda p, Z: lib.jumprelu(bandwidth=0.0), "bandwidth"),
        (lambda p, Z: lib.jumprelu(initial_threshold=-1.0), "initial_threshold"),
        (lambda p, Z: lib.topk(8).extra_params(p), "k"),
        (lambda p, Z: lib.train_sae(Z, 7, 0.1, variant="gated"), "variant"),
    ],
)
def test_bad_input_is_refused_by_name(call, name):
    params, Z = sae()
    with pytest.raises((ValueError, TypeError), match=name):
        call(params, Z)


def test_jumprelu_refuses_a_bad_coefficient_or_bandwidth():
    params, Z = sae(extra=("log_threshold",))
    with pytest.raises(ValueError, match="l0_coeff"):
        lib.jumprelu_gradients(params, Z, -0.1, 0.05)
    with pytest.raises(ValueError, match="bandwidth"):
        lib.jumprelu_gradients(params, Z, 0.1, 0.0)
    with pytest.raises(ValueError, match="l0_coeff"):
        lib.jumprelu_loss(params, Z, [0.1, 0.2])

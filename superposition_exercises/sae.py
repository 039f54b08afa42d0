"""Checks for the exercises of "Sparse autoencoders: finding the features superposition
hid"."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.backprop import numerical_gradient, relative_error
from superposition_lib.sae import SAE_KEYS, init_sae_params, sae_forward


def _random_sae(rng, n_inputs, n_latents):
    """An SAE with non-zero biases and decoder columns of different lengths."""
    p = init_sae_params(n_inputs, n_latents, rng)
    p["b_enc"] += rng.normal(0, 0.3, p["b_enc"].shape)
    p["b_dec"] += rng.normal(0, 0.3, p["b_dec"].shape)
    p["W_dec"] *= rng.uniform(0.5, 2.0, n_latents)
    return p


def _original_loss(p, Z, lam):
    """The original document's loss: means over all N*d entries and all N*m latents."""
    _, h, Z_hat = sae_forward(p, Z, subtract_decoder_bias=False)
    return np.mean((Z - Z_hat) ** 2) + lam * np.mean(np.abs(h))


def check_original_mean_loss_gradients_exercise(original_mean_loss_gradients):
    """Finite differences of the original document's mean loss decide."""
    rng = np.random.default_rng(11)
    p = _random_sae(rng, n_inputs=2, n_latents=6)
    Z = rng.normal(size=(32, 2))
    numeric = numerical_gradient(lambda q: _original_loss(q, Z, 0.2), p)
    mine = learner_call(original_mean_loss_gradients, p, Z, 0.2)
    assert isinstance(mine, dict) and set(mine) == set(SAE_KEYS), (
        f"return a dict with keys {SAE_KEYS}, one gradient per parameter"
    )
    for key in SAE_KEYS:
        assert np.shape(mine[key]) == np.shape(p[key]), (
            f"the gradient for {key} must have the shape of p[{key!r}], "
            f"{np.shape(p[key])}; got {np.shape(mine[key])}"
        )
    assert relative_error(mine["b_dec"], numeric["b_dec"]) < 1e-6, (
        "dL/db_dec is off: the reconstruction term is a mean over N*d entries, so "
        "divide by d as well as N (and use the original form, no b_dec subtraction)"
    )
    error = relative_error(mine, numeric)
    assert error < 1e-6, (
        f"relative error {error:.1e}: the L1 term is a mean over N*m latents; which "
        "λ' makes the book's loss d times this one?"
    )
    print("original_mean_loss_gradients matches finite differences")


def check_tied_sae_forward_exercise(tied_sae_forward):
    """A tied SAE is an untied one whose decoder is the encoder's transpose."""
    rng = np.random.default_rng(12)
    W = rng.normal(size=(6, 3))
    b_enc, b_dec = rng.normal(size=6), rng.normal(size=3)
    Z = rng.normal(size=(10, 3))
    try:
        h, Z_hat = tied_sae_forward(W, b_enc, b_dec, Z)
    except NotImplementedError:
        raise
    except Exception as err:
        raise AssertionError(
            f"tied_sae_forward raised {type(err).__name__} ({err}): is W or its "
            "transpose on the wrong side? h = ReLU((Z - b_dec) W^T + b_enc) row by row"
        ) from None
    assert np.shape(h) == (10, 6) and np.shape(Z_hat) == (10, 3), (
        "h is (N, m) and Z_hat is (N, d): is W or its transpose on the wrong side?"
    )
    tied = {"W_enc": W, "b_enc": b_enc, "W_dec": W.T.copy(), "b_dec": b_dec}
    _, h_ref, Z_hat_ref = sae_forward(tied, Z)
    assert np.all(np.asarray(h) >= 0), "h has negative entries: apply the ReLU"
    assert np.allclose(h, h_ref), "the code h is wrong: is b_dec subtracted first?"
    assert np.allclose(Z_hat, Z_hat_ref), "wrong reconstruction: is b_dec added back?"
    print("tied_sae_forward agrees with sae_forward when W_dec = W_enc^T")

"""Checks for the exercises of "An SAE on a real network" (chapter 22)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.backprop import numerical_gradient
from superposition_lib.real_network import (
    init_mlp_params,
    mlp_forward,
    mlp_readout,
    softmax_cross_entropy,
)
from superposition_lib.sae import init_sae_params, sae_forward


def _gradient(fn, logits, labels, what):
    got = learner_call(fn, logits.copy(), labels.copy(), on=what)
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(
            f"logit_gradient must return an array, got {type(got).__name__}"
        ) from None
    assert got.shape == logits.shape, (
        f"one gradient entry per logit: expected shape {logits.shape}, got {got.shape}"
    )
    return got


def check_logit_gradient_exercise(logit_gradient):
    """`logit_gradient(logits, labels)` = (softmax - onehot) / N, finite at 1e3."""
    rng = np.random.default_rng(22)
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    got = _gradient(logit_gradient, logits, labels, "6 random rows of 4 logits")
    want = numerical_gradient(
        lambda p: softmax_cross_entropy(p["logits"], labels), {"logits": logits}
    )["logits"]
    assert not np.allclose(got, -want, atol=1e-6), (
        "the sign is flipped: the gradient is softmax minus the one-hot label (the "
        "descent direction is its negative)"
    )
    assert not np.allclose(got, want * len(labels), atol=1e-6), (
        "divide by N: the loss is a mean over the batch, so each row carries 1/N"
    )
    assert np.allclose(got, want, atol=1e-6), (
        "does not match finite differences of the mean cross-entropy: subtract the "
        "one-hot label from the softmax of each row (softmax over the classes, axis -1)"
    )
    with np.errstate(all="ignore"):
        large = _gradient(
            logit_gradient, 1000.0 * logits, labels, "logits in the thousands"
        )
    assert np.all(np.isfinite(large)), (
        "NaN or inf for logits in the thousands: subtract each row's largest logit "
        "before exponentiating (the softmax does not change)"
    )
    print("logit gradient: matches finite differences, finite for large logits")


def _small_model(rng):
    """Two small networks (6 inputs, 5 hidden, 3 classes) and an SAE for each."""
    params = init_mlp_params(6, 5, 3, [np.random.default_rng(s) for s in (1, 2)])
    params["b1"] += 0.3
    sae = init_sae_params(5, 8, rng, n_instances=2)
    sae["b_dec"] += rng.uniform(0, 0.3, sae["b_dec"].shape)
    return params, sae


def _reference(params, sae, X, y):
    _, H, logits = mlp_forward(params, X)
    H_hat = sae_forward(sae, H)[2]
    original = softmax_cross_entropy(logits, y)
    spliced = softmax_cross_entropy(mlp_readout(params, H_hat), y)
    ablated = softmax_cross_entropy(mlp_readout(params, np.zeros_like(H)), y)
    return (ablated - spliced) / (ablated - original)


def _recovered(fn, params, sae, X, y, what):
    got = learner_call(fn, params, sae, X, y, on=what)
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(
            f"loss_recovered must return numbers, got {type(got).__name__}"
        ) from None
    assert got.shape == (2,), (
        f"one fraction per instance: expected shape (2,), got {got.shape}; take the "
        "mean over inputs only (softmax_cross_entropy does), not over instances"
    )
    return got


def check_loss_recovered_exercise(loss_recovered):
    """Fraction of loss recovered against zero ablation, per instance."""
    rng = np.random.default_rng(7)
    params, sae = _small_model(rng)
    X, y = rng.uniform(0, 1, (30, 6)), rng.integers(0, 3, 30)
    got = _recovered(loss_recovered, params, sae, X, y, "two random networks")
    want = _reference(params, sae, X, y)
    assert not np.allclose(got, 1 - want), (
        "that is the fraction of loss *lost*: recovered is (L_zero - L_spliced) / "
        "(L_zero - L_original), 1 for a perfect reconstruction"
    )
    assert np.allclose(got, want), (
        f"expected {np.round(want, 4)}, got {np.round(got, 4)}: splice the SAE's "
        "reconstruction z_hat (sae_forward's third output) into mlp_readout, and take "
        "the zero ablation as mlp_readout of zeros (the logits are then b2)"
    )
    exact = {
        "W_enc": np.stack([np.eye(5)] * 2),
        "b_enc": np.zeros((2, 5)),
        "W_dec": np.stack([np.eye(5)] * 2),
        "b_dec": np.zeros((2, 5)),
    }  # h >= 0, so ReLU(h) = h: this SAE reproduces the hidden layer exactly
    perfect = _recovered(loss_recovered, params, exact, X, y, "an exact SAE")
    assert np.allclose(perfect, 1.0), (
        f"an SAE that reproduces the hidden layer exactly must recover all of the "
        f"loss (1), got {np.round(perfect, 4)}"
    )
    print("loss recovered: right per instance, and 1 for an exact reconstruction")


def check_ablation_exercise(worse_ablation, spliced):
    """The prediction against the chapter's table: which ablation's loss is higher?"""
    assert worse_ablation in ("zero", "mean"), (
        'worse_ablation must be "zero" or "mean" (your prediction), '
        f"got {worse_ablation!r}"
    )
    try:
        zero = np.asarray(spliced["zero ablation"][1], dtype=float)
        mean = np.asarray(spliced["mean ablation"][1], dtype=float)
    except (KeyError, TypeError, IndexError, ValueError):
        raise AssertionError(
            "spliced must be the chapter's dict of (accuracy, cross-entropy) per "
            "hidden layer, with 'zero ablation' and 'mean ablation': run the splicing "
            "cell first"
        ) from None
    higher = "mean" if np.all(mean > zero) else "zero" if np.all(zero > mean) else None
    assert higher is not None, (
        "the two ablations do not order the same way on every network: look at the "
        "table, network by network"
    )
    assert worse_ablation == higher, (
        f"the table says {higher} ablation has the higher cross-entropy. With h = 0 "
        "the logits are b2, small, so the softmax is near uniform (loss near log "
        "10); with the mean h the network answers one 'average digit' "
        "confidently, and is confidently wrong on most inputs"
        if higher == "mean"
        else f"the table says {higher} ablation has the higher cross-entropy"
    )
    print(
        f"{higher} ablation has the higher cross-entropy on every network "
        f"({np.round(mean if higher == 'mean' else zero, 2)}): prediction right"
    )

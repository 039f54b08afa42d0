# GENERATED from book/11_sae.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Sparse autoencoders: finding the features superposition hid.

Part II trained toy models that pack $n$ features into $k < n$ hidden dimensions
[elhage2022superposition]. Someone who sees only the hidden activations $z = Wx$
sees $k$ numbers per input, none of which is a feature: each is a mixture. *Towards
Monosemanticity* [bricken2023monosemanticity] recovers the features with
**dictionary learning**: a sparse autoencoder (SAE) learns $m \ge n$ directions
$d_j$ (the columns of a decoder) and, for every input, a sparse, non-negative code
$h$ such that $z \approx \sum_j h_j d_j + b_{\text{dec}}$. If the toy model's
features are sparse, the sparsest faithful code is the one that uses the true
feature directions, and the decoder columns should line up with the columns $W_i$ of
the toy model.
"""

from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_float_dtype,
    check_in_range,
    check_positive_int,
)
from superposition_lib.optim import Adam
from superposition_lib.train import ProgressLine

__all__ = [
    "SAE_KEYS",
    "init_sae_params",
    "sae_shape",
    "check_sae_input",
    "sae_forward",
    "check_l1_coeff",
    "decoder_norms",
    "sae_loss_terms",
    "sae_loss",
    "sae_backward",
    "sae_gradients",
    "normalize_decoder",
    "remove_parallel_gradient",
    "latent_density",
    "mean_active_latents",
    "dead_fraction",
    "dense_fraction",
    "fraction_variance_unexplained",
    "shrinkage",
    "best_match_cosines",
    "resample_dead_latents",
    "L1_CONVENTIONS",
    "SAETrainResult",
    "train_sae",
]


# ---- book/11_sae.ipynb, cell bdc4cd65 ----
SAE_KEYS = ("W_enc", "b_enc", "W_dec", "b_dec")


def _instance_axis(n_instances):
    """() without instances, (I,) with: the leading shape of every parameter."""
    if n_instances is None:
        return ()
    return (check_positive_int(n_instances, "n_instances"),)


def init_sae_params(n_inputs, n_latents, rng, *, n_instances=None, dtype=np.float64):
    """Initial SAE parameters: W_enc ~ U(-sqrt(6/d), sqrt(6/d)) (Kaiming-uniform),
    W_dec = W_enc^T with unit-norm columns, b_enc = 0, b_dec = 0.

    Shapes W_enc (m, d), b_enc (m,), W_dec (d, m), b_dec (d,); with `n_instances` a
    leading instance axis I, each instance drawn independently.
    """
    d = check_positive_int(n_inputs, "n_inputs")
    m = check_positive_int(n_latents, "n_latents")
    lead = _instance_axis(n_instances)
    dtype = check_float_dtype(dtype)
    bound = np.sqrt(6.0 / d)
    W_enc = as_generator(rng).uniform(-bound, bound, size=lead + (m, d))
    W_dec = np.swapaxes(W_enc, -1, -2).copy()
    W_dec /= np.linalg.norm(W_dec, axis=-2, keepdims=True)
    return {
        "W_enc": W_enc.astype(dtype),
        "b_enc": np.zeros(lead + (m,), dtype),
        "W_dec": W_dec.astype(dtype),
        "b_dec": np.zeros(lead + (d,), dtype),
    }


def sae_shape(params):
    """(n_instances or None, n_latents m, n_inputs d) of SAE parameters, checked."""
    if not isinstance(params, dict) or not set(SAE_KEYS) <= params.keys():
        raise TypeError(
            f"params must be a dict with keys {SAE_KEYS} (see "
            f"init_sae_params), got {type(params).__name__}"
        )
    W_enc = check_array(params["W_enc"], "params['W_enc']", ndim=(2, 3))
    lead, (m, d) = W_enc.shape[:-2], W_enc.shape[-2:]
    if m < 1 or d < 1:
        raise ValueError(
            f"params['W_enc'] must be (m, d) with m, d >= 1, got {W_enc.shape}"
        )
    expected = {"b_enc": lead + (m,), "W_dec": lead + (d, m), "b_dec": lead + (d,)}
    for key, shape in expected.items():
        if np.shape(params[key]) != shape:
            raise ValueError(
                f"params['{key}'] must have shape {shape} to match W_enc "
                f"{W_enc.shape}, got {np.shape(params[key])}"
            )
        check_array(params[key], f"params['{key}']")
    return (lead[0] if lead else None), m, d


def check_sae_input(Z, params):
    """Z as a float array (N, d), or (I, N, d), fitting the SAE's d and instances."""
    n_instances, _, d = sae_shape(params)
    Z = check_array(Z, "Z", ndim=(2, 3))
    if Z.shape[-1] != d:
        raise ValueError(
            f"Z has {Z.shape[-1]} values per row but the SAE reads d={d} "
            f"(Z is (N, d) and W_enc is (m, d)); got Z of shape {Z.shape}"
        )
    if Z.ndim == 3 and Z.shape[0] != n_instances:
        raise ValueError(
            f"Z of shape {Z.shape} has {Z.shape[0]} instances but the SAE "
            f"has {n_instances}; pass Z as (N, d) to share it between "
            "instances"
        )
    return Z


def _row(vector):
    """A bias (..., d) as (..., 1, d), so that it broadcasts over a batch's rows."""
    return vector[..., None, :]


def _t(matrix):
    return np.swapaxes(matrix, -1, -2)


def sae_forward(params, Z, *, subtract_decoder_bias=True):
    """SAE forward pass h = ReLU(W_enc (z - b_dec) + b_enc), z_hat = W_dec h + b_dec.

    One row of Z per input. subtract_decoder_bias=False gives the original document's
    h = ReLU(W_enc z + b_enc). Returns (h_linear, h, Z_hat): (N, m), (N, m), (N, d),
    with a leading I if either Z or the parameters have an instance axis.
    """
    return _forward(params, check_sae_input(Z, params), subtract_decoder_bias)


def _forward(params, Z, subtract_decoder_bias):
    """`sae_forward` on checked inputs (the training loop checks once, up front)."""
    encoder_input = Z - _row(params["b_dec"]) if subtract_decoder_bias else Z
    h_linear = encoder_input @ _t(params["W_enc"]) + _row(params["b_enc"])
    h = np.maximum(h_linear, 0.0)  # ReLU
    Z_hat = h @ _t(params["W_dec"]) + _row(params["b_dec"])
    return h_linear, h, Z_hat


# ---- book/11_sae.ipynb, cell d153350f ----
def _check_pair(Z, Z_hat):
    """Activations and reconstructions, (N, d) or (I, N, d), with the same (N, d)."""
    Z = check_array(Z, "Z", ndim=(2, 3))
    Z_hat = check_array(Z_hat, "Z_hat", ndim=(2, 3))
    if Z.shape[-2:] != Z_hat.shape[-2:]:
        raise ValueError(f"Z {Z.shape} and Z_hat {Z_hat.shape} must share (N, d)")
    return Z, Z_hat


def check_l1_coeff(l1_coeff, n_instances=None):
    """λ >= 0 as an array: a number, or (I,) with one value per instance."""
    lam = check_in_range(l1_coeff, "l1_coeff", 0.0, np.inf)
    if lam.ndim == 0 or (
        lam.ndim == 1 and n_instances is not None and lam.shape == (n_instances,)
    ):
        return lam
    raise ValueError(
        f"l1_coeff must be a number or one value per instance "
        f"(shape ({n_instances},)), got shape {lam.shape}"
    )


def decoder_norms(W_dec):
    """||W_dec[:, j]||, the length of each latent's decoder column: (m,) or (I, m)."""
    return np.linalg.norm(check_array(W_dec, "W_dec", ndim=(2, 3)), axis=-2)


def sae_loss_terms(Z, Z_hat, H, *, l1_weights=None):
    """(reconstruction, sparsity): (1/N) sum_n ||z_n - z_hat_n||^2 and (1/N) sum_n sum_j
    w_j |h_nj|, with w_j = 1 unless `l1_weights` (m,) or (I, m) is given.

    Floats, or (I,) per instance when any argument has a leading instance axis.
    """
    Z, Z_hat = _check_pair(Z, Z_hat)
    H = check_array(H, "H", ndim=(2, 3))
    if H.shape[-2] != Z.shape[-2]:
        raise ValueError(f"H {H.shape} must have as many rows (N) as Z {Z.shape}")
    reconstruction = np.sum((Z - Z_hat) ** 2, axis=-1).mean(axis=-1)
    weights = 1.0 if l1_weights is None else _row(check_array(l1_weights, "l1_weights"))
    sparsity = np.sum(np.abs(H) * weights, axis=-1).mean(axis=-1)
    return reconstruction, sparsity


def sae_loss(Z, Z_hat, H, l1_coeff, *, l1_weights=None):
    """SAE loss L = (1/N) sum_n ||z_n - z_hat_n||^2 + λ (1/N) sum_n sum_j w_j |h_nj|."""
    reconstruction, sparsity = sae_loss_terms(Z, Z_hat, H, l1_weights=l1_weights)
    n_instances = None if np.ndim(sparsity) == 0 else np.shape(sparsity)[0]
    lam = check_l1_coeff(l1_coeff, n_instances)
    return reconstruction + lam * sparsity


# ---- book/11_sae.ipynb, cell 8f90bb80 ----
def sae_backward(
    params,
    Z,
    h_linear,
    h,
    Z_hat,
    l1_coeff,
    *,
    subtract_decoder_bias=True,
    weight_l1_by_decoder_norm=False,
):
    """Gradients of the SAE loss (batch mean, `sae_loss`) from a forward pass's outputs.

    g = dL/dz_hat = 2 (z_hat - z) / N; delta = (W_dec^T g + λ w / N) * 1[h_linear > 0];
    dW_enc = delta^T (Z - b_dec), db_enc = sum delta, dW_dec = g^T h (+ the decoder-norm
    term), db_dec = sum g - W_enc^T sum delta. Returns a dict shaped like params.
    """
    n_instances, _, _ = sae_shape(params)
    lam = check_l1_coeff(l1_coeff, n_instances)
    lam = lam[:, None, None] if lam.ndim == 1 else lam  # against (I, N, m)
    return _backward(
        params,
        check_sae_input(Z, params),
        h_linear,
        h,
        Z_hat,
        lam,
        subtract_decoder_bias,
        weight_l1_by_decoder_norm,
    )


def _backward(
    params, Z, h_linear, h, Z_hat, lam, subtract_decoder_bias, weight_l1_by_decoder_norm
):
    """`sae_backward` on checked inputs, λ shaped to broadcast against (I, N, m)."""
    n_rows = Z.shape[-2]
    W_enc, W_dec = params["W_enc"], params["W_dec"]
    grad_Z_hat = (2.0 / n_rows) * (Z_hat - Z)
    grads = {"W_dec": _t(grad_Z_hat) @ h, "b_dec": grad_Z_hat.sum(axis=-2)}
    l1_weights = 1.0
    if weight_l1_by_decoder_norm:
        norms = _row(np.linalg.norm(W_dec, axis=-2))
        l1_weights = norms
        grads["W_dec"] += (lam / n_rows) * _row(h.sum(axis=-2)) * W_dec / norms
    # ReLU's derivative, 0 at the kink (the ReLU chapter's convention)
    delta = (grad_Z_hat @ W_dec + (lam / n_rows) * l1_weights) * (h_linear > 0)
    encoder_input = Z - _row(params["b_dec"]) if subtract_decoder_bias else Z
    grads["W_enc"] = _t(delta) @ encoder_input
    grads["b_enc"] = delta.sum(axis=-2)
    if subtract_decoder_bias:
        grads["b_dec"] = grads["b_dec"] - (_row(grads["b_enc"]) @ W_enc)[..., 0, :]
    return {key: grads[key] for key in SAE_KEYS}


def sae_gradients(
    params, Z, l1_coeff, *, subtract_decoder_bias=True, weight_l1_by_decoder_norm=False
):
    """Forward pass, then `sae_backward`: the gradient of `sae_loss`."""
    h_linear, h, Z_hat = sae_forward(
        params, Z, subtract_decoder_bias=subtract_decoder_bias
    )
    return sae_backward(
        params,
        Z,
        h_linear,
        h,
        Z_hat,
        l1_coeff,
        subtract_decoder_bias=subtract_decoder_bias,
        weight_l1_by_decoder_norm=weight_l1_by_decoder_norm,
    )


# ---- book/11_sae.ipynb, cell 6de94d82 ----
def normalize_decoder(params):
    """W_dec[:, j] <- W_dec[:, j] / ||W_dec[:, j]||, in place (unit-norm convention)."""
    norms = np.linalg.norm(params["W_dec"], axis=-2, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("params['W_dec'] has an all-zero column: no direction to keep")
    params["W_dec"] /= norms
    return params


def remove_parallel_gradient(W_dec, grad_W_dec):
    """g_j - (d_j . g_j) d_j / ||d_j||^2 for each decoder column d_j: the part of the
    gradient that only changes a column's length, removed before a unit-norm step."""
    W_dec = check_array(W_dec, "W_dec", ndim=(2, 3))
    grad_W_dec = check_array(grad_W_dec, "grad_W_dec", shape=W_dec.shape)
    return _tangent(W_dec, grad_W_dec)


def _tangent(W_dec, grad_W_dec):
    along = np.sum(W_dec * grad_W_dec, axis=-2, keepdims=True)
    return grad_W_dec - along * W_dec / np.sum(W_dec**2, axis=-2, keepdims=True)


# ---- book/11_sae.ipynb, cell 71f53b76 ----
def _check_code(H):
    H = check_array(H, "H", ndim=(2, 3))
    if H.shape[-2] == 0:
        raise ValueError("H has no rows: a firing frequency needs at least one input")
    return H


def latent_density(H):
    """Firing frequency p_j = (1/N) sum_n 1[h_nj > 0] of each latent: (m,) or (I, m)."""
    return np.mean(_check_code(H) > 0, axis=-2)


def mean_active_latents(H):
    """L0 of an SAE code: (1/N) sum_n #{j : h_nj > 0}, the mean active latents."""
    return np.sum(latent_density(H), axis=-1)


def dead_fraction(H):
    """Fraction of latents that never fire on these inputs (p_j = 0)."""
    return np.mean(latent_density(H) == 0, axis=-1)


def dense_fraction(H, threshold=0.1):
    """Fraction of latents firing on more than `threshold` of inputs (p_j > t)."""
    threshold = check_in_range(threshold, "threshold", 0.0, 1.0)
    return np.mean(latent_density(H) > threshold, axis=-1)


def fraction_variance_unexplained(Z, Z_hat):
    """FVU = sum_n ||z_n - z_hat_n||^2 / sum_n ||z_n - mean(z)||^2 (1 - expl. var.)."""
    Z, Z_hat = _check_pair(Z, Z_hat)
    variance = np.sum((Z - Z.mean(axis=-2, keepdims=True)) ** 2, axis=(-2, -1))
    if np.any(variance == 0):
        raise ValueError("Z has zero variance: the fraction unexplained would be 0/0")
    return np.sum((Z - Z_hat) ** 2, axis=(-2, -1)) / variance


def shrinkage(Z, Z_hat):
    """Mean of ||z_hat_n|| / ||z_n|| over inputs with z_n != 0 (1 = no shrinkage)."""
    Z, Z_hat = _check_pair(Z, Z_hat)
    norm, norm_hat = np.linalg.norm(Z, axis=-1), np.linalg.norm(Z_hat, axis=-1)
    nonzero = np.broadcast_to(norm > 0, np.broadcast_shapes(norm.shape, norm_hat.shape))
    if not np.all(nonzero.any(axis=-1)):
        raise ValueError("every row of Z is zero: ||z_hat|| / ||z|| is undefined")
    ratio = np.where(nonzero, norm_hat / np.where(norm > 0, norm, 1.0), 0.0)
    return ratio.sum(axis=-1) / nonzero.sum(axis=-1)


def best_match_cosines(W_dec, W_true):
    """For each true direction W_true[:, i]: max_j cos(W_true[:, i], W_dec[:, j]), j.

    W_dec (d, m) or (I, d, m); W_true (d, n), e.g. the toy model's W. A zero column has
    no direction: its cosines count as 0. Returns (cosines, indices), (n,) or (I, n).
    """
    W_dec = check_array(W_dec, "W_dec", ndim=(2, 3))
    W_true = check_array(W_true, "W_true", ndim=2)
    if W_true.shape[0] != W_dec.shape[-2]:
        raise ValueError(
            f"W_true {W_true.shape} and W_dec {W_dec.shape} must have the "
            "same number of rows (the activation dimension d)"
        )

    def unit(columns):
        norms = np.linalg.norm(columns, axis=-2, keepdims=True)
        return columns / np.where(norms > 0, norms, 1.0)

    cosines = _t(unit(W_true)) @ unit(W_dec)  # (..., n, m)
    return cosines.max(axis=-1), cosines.argmax(axis=-1)


# ---- book/11_sae.ipynb, cell 7074d0ba ----
def _unit_rows(vectors, rng):
    """Rows scaled to unit length; an all-zero row gets a random direction instead."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    zero = norms[:, 0] == 0
    if zero.any():
        vectors[zero] = rng.standard_normal(vectors[zero].shape)
        norms[zero] = np.linalg.norm(vectors[zero], axis=-1, keepdims=True)
    return vectors / norms


def resample_dead_latents(
    params,
    dead,
    Z,
    rng,
    optimizer=None,
    *,
    subtract_decoder_bias=True,
    encoder_scale=0.2,
):
    """Re-initialise dead latents from badly reconstructed inputs (Monosemanticity).

    For each dead latent j, draw an input z_n with P(n) ∝ ||z_n - z_hat_n||^4, set
    W_dec[:, j] = v / ||v|| with v = z_n - b_dec, W_enc[j] = encoder_scale * (mean norm
    of the alive encoder rows) * v / ||v||, b_enc[j] = 0, and zero the optimizer's
    moments of those entries. `dead` is a boolean (m,) or (I, m) mask. In place;
    returns the number resampled (per instance).
    """
    n_instances, m, _ = sae_shape(params)
    lead = _instance_axis(n_instances)
    dead = np.asarray(dead)
    if dead.dtype != bool or dead.shape != lead + (m,):
        raise ValueError(
            f"dead must be a boolean mask of shape {lead + (m,)}, got "
            f"{dead.dtype} {dead.shape}"
        )
    rng = as_generator(rng)
    _, _, Z_hat = sae_forward(params, Z, subtract_decoder_bias=subtract_decoder_bias)
    inputs = np.broadcast_to(Z, Z_hat.shape).reshape((-1,) + Z_hat.shape[-2:])
    loss_squared = np.sum((inputs - Z_hat.reshape(inputs.shape)) ** 2, axis=-1) ** 2
    for i, dead_i in enumerate(dead.reshape(-1, m)):
        latents = np.flatnonzero(dead_i)
        if latents.size == 0:
            continue
        where = (i,) if lead else ()
        total = loss_squared[i].sum()
        rows = rng.choice(
            inputs.shape[1],
            size=latents.size,
            p=loss_squared[i] / total if total > 0 else None,
        )
        v = inputs[i, rows] - (params["b_dec"][where] if subtract_decoder_bias else 0.0)
        v = _unit_rows(np.array(v), rng)
        alive = np.linalg.norm(params["W_enc"][where][~dead_i], axis=-1)
        scale = encoder_scale * (alive.mean() if alive.size else 1.0)
        params["W_dec"][where][:, latents] = v.T  # params[key][where] is a view
        params["W_enc"][where][latents] = scale * v
        params["b_enc"][where][latents] = 0.0
        if optimizer is not None:
            optimizer.reset("W_dec", where + (slice(None), latents))
            optimizer.reset("W_enc", where + (latents,))
            optimizer.reset("b_enc", where + (latents,))
    return dead.reshape(-1, m).sum(axis=-1) if lead else int(dead.sum())


# ---- book/11_sae.ipynb, cell 822f6356 ----
L1_CONVENTIONS = ("unit_norm", "decoder_norm")


@dataclass
class SAETrainResult:
    """What `train_sae` returns; every array has a leading instance axis I."""

    params: dict  # W_enc (I, m, d), b_enc (I, m), W_dec (I, d, m), b_dec (I, d)
    l1_coeff: np.ndarray  # (I,)
    losses: np.ndarray  # (n_logged, I): batch loss at a logged step, before its update
    steps_logged: np.ndarray  # (n_logged,)
    dead_counts: np.ndarray  # (n_windows, I): latents that never fired in each window
    window_ends: np.ndarray  # (n_windows,): the step ending each window
    n_resampled: np.ndarray  # (I,): latents resampled over the whole run


def _training_setup(Z, n_latents, l1_coeff, n_instances, l1_convention):
    if not isinstance(l1_convention, str) or l1_convention not in L1_CONVENTIONS:
        raise ValueError(
            f"l1_convention must be one of {L1_CONVENTIONS}, got {l1_convention!r}"
        )
    m = check_positive_int(n_latents, "n_latents")
    lam = check_in_range(l1_coeff, "l1_coeff", 0.0, np.inf)
    if lam.ndim > 1:
        raise ValueError(f"l1_coeff must be a number or (I,), got shape {lam.shape}")
    if n_instances is None:
        n_instances = lam.size if lam.ndim == 1 else 1
    n_instances = check_positive_int(n_instances, "n_instances")
    if lam.ndim == 1 and lam.size != n_instances:
        raise ValueError(f"l1_coeff has {lam.size} values, n_instances={n_instances}")
    Z = check_array(Z, "Z", ndim=(2, 3))
    if Z.ndim == 3 and Z.shape[0] != n_instances:
        raise ValueError(
            f"Z of shape {Z.shape} has {Z.shape[0]} instances, expected "
            f"{n_instances} (one per l1_coeff) or Z of shape (N, d)"
        )
    if Z.shape[-2] == 0:
        raise ValueError("Z has no rows to train on")
    return Z, m, np.broadcast_to(lam, (n_instances,)).astype(Z.dtype), n_instances


def _raise_if_diverged(arrays, what, step):
    """FloatingPointError naming the instances whose params or grads are not finite."""
    for key, value in arrays.items():
        bad = ~np.isfinite(value).reshape(value.shape[0], -1).all(axis=-1)
        if bad.any():
            raise FloatingPointError(
                f"SAE training diverged at step {step}: {what}['{key}'] of instance(s) "
                f"{np.flatnonzero(bad).tolist()} became NaN or inf; lower lr or "
                "l1_coeff (or rescale Z)"
            )


def train_sae(
    Z,
    n_latents,
    l1_coeff,
    *,
    n_instances=None,
    steps=3000,
    batch_size=512,
    lr=1e-2,
    seed=0,
    subtract_decoder_bias=True,
    l1_convention="unit_norm",
    dead_window=250,
    resample=False,
    resample_until=0.75,
    log_every=10,
    progress=None,
):
    """Train I SAEs with Adam on minibatches of Z, minimising `sae_loss`, one λ each.

    Z: (N, d) shared, or (I, N, d). l1_coeff: a number, or (I,) for an L1 sweep;
    n_instances repeats one λ over several seeds. l1_convention "unit_norm" projects the
    decoder gradient and renormalises the columns after each step; "decoder_norm"
    weights the L1 term by the column norms. Deterministic for a given seed. Returns an
    `SAETrainResult`.
    """
    Z, m, lam, n_instances = _training_setup(
        Z, n_latents, l1_coeff, n_instances, l1_convention
    )
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    dead_window = check_positive_int(dead_window, "dead_window")
    log_every = check_positive_int(log_every, "log_every")
    resample_until = float(check_in_range(resample_until, "resample_until", 0.0, 1.0))
    rng = as_generator(seed, "seed")
    params = init_sae_params(
        Z.shape[-1], m, rng, n_instances=n_instances, dtype=Z.dtype
    )
    optimizer = Adam(lr=lr)
    unit_norm = l1_convention == "unit_norm"
    lam_rows = lam[:, None, None]
    fired = np.zeros((n_instances, m), dtype=np.int64)
    losses, logged, dead_counts, window_ends = [], [], [], []
    n_resampled = np.zeros(n_instances, dtype=np.int64)
    line = ProgressLine(steps, enabled=progress, description=f"{n_instances} SAE(s)")
    for step in range(1, steps + 1):
        batch = Z[..., rng.integers(0, Z.shape[-2], batch_size), :]
        h_linear, h, Z_hat = _forward(params, batch, subtract_decoder_bias)
        grads = _backward(
            params,
            batch,
            h_linear,
            h,
            Z_hat,
            lam_rows,
            subtract_decoder_bias,
            not unit_norm,
        )
        _raise_if_diverged(grads, "grads", step)
        if step % log_every == 0 or step == steps:
            weights = None if unit_norm else decoder_norms(params["W_dec"])
            losses.append(sae_loss(batch, Z_hat, h, lam, l1_weights=weights))
            logged.append(step)
            line.update(step, losses[-1])
        if unit_norm:
            grads["W_dec"] = _tangent(params["W_dec"], grads["W_dec"])
        optimizer.step(params, grads)
        if unit_norm:
            normalize_decoder(params)
        _raise_if_diverged(params, "params", step)
        fired += np.count_nonzero(h > 0, axis=-2)
        if step % dead_window == 0:
            dead = fired == 0
            dead_counts.append(dead.sum(axis=-1))
            window_ends.append(step)
            if resample and step <= resample_until * steps and dead.any():
                n_resampled += resample_dead_latents(
                    params,
                    dead,
                    batch,
                    rng,
                    optimizer,
                    subtract_decoder_bias=subtract_decoder_bias,
                )
            fired[:] = 0
    line.close()
    return SAETrainResult(
        params,
        lam,
        np.array(losses),
        np.array(logged),
        np.array(dead_counts).reshape(-1, n_instances),
        np.array(window_ends),
        n_resampled,
    )

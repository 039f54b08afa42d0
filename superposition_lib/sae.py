# GENERATED from book/14_sae.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Sparse autoencoders: finding the features superposition hid.

Part II trained toy models that pack $n$ features into $k < n$ hidden dimensions
[elhage2022superposition]. Someone who sees only the hidden activations $z = Wx$
sees $k$ numbers per input, none of which is a feature: each is a mixture. *Towards
Monosemanticity* [bricken2023monosemanticity] recovers the features with dictionary
learning: a sparse autoencoder (SAE) learns $m \ge n$ directions $d_j$ (the columns
of a decoder) and, for every input, a sparse, non-negative code $h$ such that $z
\approx \sum_j h_j d_j + b_{\text{dec}}$. If the toy model's features are sparse,
the sparsest faithful code is the one that uses the true feature directions, and the
decoder columns should line up with the columns $W_i$ of the toy model.
"""

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_flag,
    check_float_dtype,
    check_in_range,
    check_matrix_stack,
    check_positive_int,
    transpose_last,
    vector_norm,
)

__all__ = [
    "SAE_KEYS",
    "init_sae_params",
    "sae_shape",
    "check_sae_input",
    "sae_forward",
    "check_reconstruction_pair",
    "check_l1_coeff",
    "decoder_norms",
    "sae_loss_terms",
    "sae_loss",
    "sae_backward",
    "sae_gradients",
    "normalize_decoder",
    "remove_parallel_gradient",
]


# ---- book/14_sae.ipynb, cell bdc4cd65 ----
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
    W_dec = transpose_last(W_enc).copy()
    W_dec /= np.linalg.norm(W_dec, axis=-2, keepdims=True)
    return {
        "W_enc": W_enc.astype(dtype),
        "b_enc": np.zeros(lead + (m,), dtype),
        "W_dec": W_dec.astype(dtype),
        "b_dec": np.zeros(lead + (d,), dtype),
    }


def sae_shape(params, *, in_place=False):
    """(n_instances or None, n_latents m, n_inputs d) of SAE parameters, checked: a
    dict of finite float ndarrays of matching shapes (writeable ones, `in_place`)."""
    if not isinstance(params, dict) or not set(SAE_KEYS) <= params.keys():
        raise TypeError(
            f"params must be a dict with keys {SAE_KEYS} (see init_sae_params), "
            f"got {type(params).__name__}"
        )
    for key in SAE_KEYS:
        value = params[key]
        kind = getattr(value, "dtype", type(value).__name__)
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(f"params['{key}'] must be a float ndarray, got {kind}")
        if check_flag(in_place, "in_place") and not value.flags.writeable:
            raise ValueError(f"params['{key}'] is read-only; it is updated in place")
    W_enc = check_array(params["W_enc"], "params['W_enc']", ndim=(2, 3))
    lead, (m, d) = W_enc.shape[:-2], W_enc.shape[-2:]
    if m < 1 or d < 1:
        raise ValueError(f"params['W_enc'] {W_enc.shape} must be (m, d), m, d >= 1")
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
            f"Z of shape {Z.shape} has {Z.shape[0]} instances but the SAE has "
            f"{n_instances}; pass Z as (N, d) to share it between instances"
        )
    return Z


def _row(vector):
    """A bias (..., d) as (..., 1, d), so that it broadcasts over a batch's rows."""
    return vector[..., None, :]


def _finite(values, message, check=True):
    """`values` (computed with float warnings off), or, if `check`, a ValueError."""
    if check and not all(np.all(np.isfinite(v)) for v in values):
        raise ValueError(message)
    return values


def sae_forward(params, Z, *, subtract_decoder_bias=True, check=True):
    """SAE forward pass h = ReLU(W_enc (z - b_dec) + b_enc), z_hat = W_dec h + b_dec.

    One row of Z per input. subtract_decoder_bias=False gives the original document's
    h = ReLU(W_enc z + b_enc). Returns (h_linear, h, Z_hat): (N, m), (N, m), (N, d),
    with a leading I if either Z or the parameters have an instance axis. check=False
    trusts params and Z, checked once, and leaves overflows to the caller (train_sae).
    """
    if check_flag(check, "check"):
        Z = check_sae_input(Z, params)
    subtract = check_flag(subtract_decoder_bias, "subtract_decoder_bias")
    with np.errstate(all="ignore"):  # an overflow is refused below, by name
        encoder_input = Z - _row(params["b_dec"]) if subtract else Z
        W_enc_T = params["W_enc"].mT  # transpose_last, for arrays already checked
        h_linear = encoder_input @ W_enc_T + _row(params["b_enc"])
        h = np.maximum(h_linear, 0.0)  # ReLU
        Z_hat = h @ params["W_dec"].mT + _row(params["b_dec"])
    message = "Z or params too large: the forward pass overflows (rescale Z)"
    return _finite((h_linear, h, Z_hat), message, check)


# ---- book/14_sae.ipynb, cell d153350f ----
def _shared_instances(arrays):
    """The instance count I of {name: (array, rank without I)}, one for all that have
    it (None if none has); an array without one is shared between instances."""
    counts = {name: a.shape[0] for name, (a, rank) in arrays.items() if a.ndim > rank}
    if len(set(counts.values())) > 1:
        raise ValueError(f"the instance axes I disagree (name: I): {counts}")
    return next(iter(counts.values()), None)


def check_reconstruction_pair(Z, Z_hat):
    """Z and Z_hat as float arrays, (N, d) or (I, N, d), sharing a non-empty (N, d); a
    shared Z may be compared with the reconstructions of I instances."""
    Z = check_array(Z, "Z", ndim=(2, 3))
    Z_hat = check_array(Z_hat, "Z_hat", ndim=(2, 3))
    if Z.shape[-2:] != Z_hat.shape[-2:] or 0 in Z.shape + Z_hat.shape:
        raise ValueError(f"Z {Z.shape} and Z_hat {Z_hat.shape} must share (N, d) > 0")
    _shared_instances({"Z": (Z, 2), "Z_hat": (Z_hat, 2)})
    return Z, Z_hat


def check_l1_coeff(l1_coeff, n_instances=None):
    """λ >= 0 as an array: a number, or (I,) with one value per instance."""
    lam = check_in_range(l1_coeff, "l1_coeff", 0.0, np.inf)
    if lam.shape in ((), _instance_axis(n_instances)):
        return lam
    raise ValueError(
        f"l1_coeff must be a number or one value per instance "
        f"(shape ({n_instances},)), got shape {lam.shape}"
    )


def decoder_norms(W_dec):
    """||W_dec[:, j]||, the length of each latent's decoder column: (m,) or (I, m)."""
    return vector_norm(check_matrix_stack(W_dec, "W_dec"), axis=-2)


def _column_norms(W_dec):
    """vector_norm(W_dec, axis=-2, keepdims=True), its very bits, sooner for columns of
    lengths in [1/2, 2] (their entries are in its plain range); else vector_norm."""
    with np.errstate(all="ignore"):  # out of that range: vector_norm, below
        norms = np.sqrt(np.sum(W_dec * W_dec, axis=-2, keepdims=True))
    near_unit = 0.5 <= norms.min() and norms.max() <= 2.0
    return norms if near_unit else vector_norm(W_dec, axis=-2, keepdims=True)


def _check_l1_weights(l1_weights, H):
    """w >= 0, one per latent of H: (m,) or (I, m); None is w = 1."""
    if l1_weights is None:
        return np.ones(H.shape[-1:], H.dtype)
    w = check_in_range(l1_weights, "l1_weights", 0.0, np.inf)
    if w.ndim not in (1, 2) or w.shape[-1] != H.shape[-1]:
        raise ValueError(f"l1_weights {w.shape} must be (m,) or (I, m) for H {H.shape}")
    return w


def sae_loss_terms(Z, Z_hat, H, *, l1_weights=None):
    """(reconstruction, sparsity): (1/N) sum_n ||z_n - z_hat_n||^2 and (1/N) sum_n sum_j
    w_j |h_nj|, with w_j = 1 unless `l1_weights` (m,) or (I, m) is given.

    Floats, or (I,) per instance when any argument has a leading instance axis.
    """
    Z, Z_hat = check_reconstruction_pair(Z, Z_hat)
    H = check_array(H, "H", ndim=(2, 3))
    if H.shape[-2] != Z.shape[-2] or H.shape[-1] == 0:
        raise ValueError(f"H {H.shape} must have as many rows (N) as Z {Z.shape}")
    w = _check_l1_weights(l1_weights, H)
    _shared_instances(
        {"Z": (Z, 2), "Z_hat": (Z_hat, 2), "H": (H, 2), "l1_weights": (w, 1)}
    )
    with np.errstate(all="ignore"):  # an overflow is refused below, by name
        reconstruction = np.sum((Z - Z_hat) ** 2, axis=-1).mean(axis=-1)
        sparsity = np.sum(np.abs(H) * _row(w), axis=-1).mean(axis=-1)
    _finite([reconstruction], "Z and Z_hat too far apart: ||Z - Z_hat||^2 overflows")
    _finite([sparsity], "H or l1_weights too large: the L1 term overflows")
    return reconstruction, sparsity


def sae_loss(Z, Z_hat, H, l1_coeff, *, l1_weights=None):
    """SAE loss L = (1/N) sum_n ||z_n - z_hat_n||^2 + λ (1/N) sum_n sum_j w_j |h_nj|."""
    reconstruction, sparsity = sae_loss_terms(Z, Z_hat, H, l1_weights=l1_weights)
    n_instances = None if np.ndim(sparsity) == 0 else np.shape(sparsity)[0]
    lam = check_l1_coeff(l1_coeff, n_instances)
    with np.errstate(all="ignore"):
        loss = reconstruction + lam * sparsity
    return _finite([loss], "l1_coeff too large: λ times the L1 term overflows")[0]


# ---- book/14_sae.ipynb, cell 8f90bb80 ----
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
    check=True,
):
    """Gradients of the SAE loss (batch mean, `sae_loss`) from a forward pass's outputs.

    g = dL/dz_hat = 2 (z_hat - z) / N; delta = (W_dec^T g + λ w / N) * 1[h_linear > 0];
    dW_enc = delta^T (Z - b_dec), db_enc = sum delta, dW_dec = g^T h (+ the decoder-norm
    term), db_dec = sum g - W_enc^T sum delta. Returns a dict shaped like params.
    check=False: as in `sae_forward`.
    """
    if check_flag(check, "check"):  # else the caller checked them once (train_sae)
        n_instances, m, d = sae_shape(params)
        l1_coeff = check_l1_coeff(l1_coeff, n_instances)
        Z = check_sae_input(Z, params)
        if Z.shape[-2] == 0:
            raise ValueError("Z has no rows: the loss is a mean over inputs")
        lead = Z.shape[:-2] if n_instances is None else (n_instances,)
        rows = lead + Z.shape[-2:-1]  # the forward pass's outputs: (..., N, m or d)
        h_linear = check_array(h_linear, "h_linear", shape=rows + (m,))
        h = check_array(h, "h", shape=rows + (m,))
        Z_hat = check_array(Z_hat, "Z_hat", shape=rows + (d,))
    subtract = check_flag(subtract_decoder_bias, "subtract_decoder_bias")
    weighted = check_flag(weight_l1_by_decoder_norm, "weight_l1_by_decoder_norm")
    with np.errstate(all="ignore"):  # an overflow is refused below, by name
        grads = _backward(params, Z, h_linear, h, Z_hat, l1_coeff, subtract, weighted)
    message = "Z, h_linear, h, Z_hat or params too large: the gradient overflows"
    return dict(zip(SAE_KEYS, _finite(grads.values(), message, check)))


def _backward(params, Z, h_linear, h, Z_hat, lam, subtract, weighted):
    """`sae_backward` on checked inputs."""
    # λ in the inputs' dtype: a Python 0.0 or a float64 λ must not make float32 float64
    n_rows, lam = Z.shape[-2], np.asarray(lam, dtype=np.result_type(Z, Z_hat))
    lam = lam[:, None, None] if lam.ndim == 1 else lam  # against (I, N, m)
    W_enc, W_dec = params["W_enc"], params["W_dec"]
    grad_Z_hat = (2.0 / n_rows) * (Z_hat - Z)
    grads = {"W_dec": grad_Z_hat.mT @ h, "b_dec": grad_Z_hat.sum(axis=-2)}  # .mT: W^T
    l1_weights = 1.0
    if weighted:
        l1_weights = norms = _column_norms(W_dec)
        grads["W_dec"] += (lam / n_rows) * _row(h.sum(axis=-2)) * W_dec / norms
    # ReLU's derivative, 0 at the kink (the ReLU chapter's convention)
    delta = (grad_Z_hat @ W_dec + (lam / n_rows) * l1_weights) * (h_linear > 0)
    encoder_input = Z - _row(params["b_dec"]) if subtract else Z
    grads["W_enc"] = delta.mT @ encoder_input
    grads["b_enc"] = delta.sum(axis=-2)
    if subtract:  # the second path to b_dec, through the encoder
        grads["b_dec"] = grads["b_dec"] - (_row(grads["b_enc"]) @ W_enc)[..., 0, :]
    return {key: grads[key] for key in SAE_KEYS}


def sae_gradients(
    params, Z, l1_coeff, *, subtract_decoder_bias=True, weight_l1_by_decoder_norm=False
):
    """Forward pass, then `sae_backward`: the gradient of `sae_loss`."""
    s, w = subtract_decoder_bias, weight_l1_by_decoder_norm
    h_linear, h, Z_hat = sae_forward(params, Z, subtract_decoder_bias=s)
    conventions = {"subtract_decoder_bias": s, "weight_l1_by_decoder_norm": w}
    return sae_backward(params, Z, h_linear, h, Z_hat, l1_coeff, **conventions)


# ---- book/14_sae.ipynb, cell 6de94d82 ----
def normalize_decoder(params, *, check=True):
    """W_dec[:, j] <- W_dec[:, j] / ||W_dec[:, j]||, in place (unit-norm convention).
    check=False trusts params to be checked (train_sae's loop)."""
    if check_flag(check, "check"):
        sae_shape(params, in_place=True)
    norms = _column_norms(params["W_dec"])
    if np.any(norms == 0):
        raise ValueError("params['W_dec'] has an all-zero column: no direction to keep")
    params["W_dec"] /= norms
    return params


def remove_parallel_gradient(W_dec, grad_W_dec, *, check=True):
    """g_j - (u_j . g_j) u_j for each decoder column d_j, u_j = d_j / ||d_j||: the part
    of the gradient that only changes a column's length, removed before a unit-norm
    step. check=False trusts two arrays of one shape (train_sae's loop)."""
    if check_flag(check, "check"):
        W_dec = check_matrix_stack(W_dec, "W_dec")
        grad_W_dec = check_array(grad_W_dec, "grad_W_dec", shape=W_dec.shape)
    norms = _column_norms(W_dec)
    if np.any(norms == 0):
        raise ValueError("W_dec has an all-zero column: no direction to project on")
    unit = W_dec / norms
    return grad_W_dec - np.sum(unit * grad_W_dec, axis=-2, keepdims=True) * unit

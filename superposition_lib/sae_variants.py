# GENERATED from book/20_sae_variants.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""SAE variants: TopK, JumpReLU and Gated.

Chapters 14 and 15 built and trained the sparse autoencoder of *Towards
Monosemanticity* [bricken2023monosemanticity]: a ReLU encoder and an L1 penalty. Its
own measurements showed the L1 penalty's price, shrinkage: the penalty charges for
every unit of activation, so the code, and the reconstruction, come out too short.
The SAEs trained today replace the ReLU and the L1 penalty by something that decides
*which* latents fire without shrinking *how much* they fire: **TopK**
[gao2024scaling] keeps the $k$ largest pre-activations of each input, **BatchTopK**
[bussmann2024batchtopk] the $kN$ largest of a batch of $N$, **JumpReLU**
[rajamanoharan2024jumprelu] puts a learned threshold in front of each latent and
penalises the number of active latents ($L_0$) directly, and the **Gated SAE**
[rajamanoharan2024gated] splits the encoder into a gate that is penalised and a
magnitude that is not. This chapter derives each one's forward pass, loss and
gradient by hand, checks every gradient, trains all of them with the same loop on
toy data whose true features are known, and compares them where the toy model of
[elhage2022superposition] lets us: reconstruction at a given sparsity, shrinkage,
recovery of the true features, and dead latents.
"""

from functools import partial

import numpy as np

from superposition_lib.conventions import check_array, check_in_range, transpose_last
from superposition_lib.sae import check_sae_input, sae_backward, sae_shape

__all__ = [
    "pre_activations",
    "topk_forward",
    "batch_topk_forward",
    "topk_gradients",
    "batch_topk_gradients",
    "jumprelu_forward",
    "jumprelu_loss",
    "jumprelu_gradients",
    "gated_forward",
    "gated_loss",
    "gated_gradients",
    "topk",
    "batch_topk",
    "jumprelu",
    "gated",
]


# ---- book/20_sae_variants.ipynb, cell ca434fe9 ----
def _row(vector):
    """(..., m) as (..., 1, m): a per-latent or per-dimension vector, against rows."""
    return vector[..., None, :]


def _finite(value, what):
    """`value` (computed with float warnings off), or a ValueError naming `what`."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} too large: the SAE's numbers overflow (rescale Z)")
    return value


def _per_instance(value, name, params, low, high, low_open=True):
    """A knob in [low, high] (low open unless said): a number, or one per instance."""
    n_instances = sae_shape(params)[0]
    value = check_in_range(value, name, low, high, low_open=low_open)
    if value.shape not in ((), (n_instances,)):
        raise ValueError(
            f"{name} must be a number or one value per instance ({n_instances},), "
            f"got shape {value.shape}"
        )
    return value


def _inputs(Z, params):
    """Z checked against params, with at least one row: a loss is a mean over them."""
    Z = check_sae_input(Z, params)
    if Z.shape[-2] == 0:
        raise ValueError("Z has no rows: the loss is a mean over inputs")
    return Z


def pre_activations(params, Z):
    """u = W_enc (z - b_dec) + b_enc for every row z of Z (eq. 20.1): (..., N, m)."""
    Z = check_sae_input(Z, params)
    with np.errstate(all="ignore"):  # an overflow is refused, by name
        u = (Z - _row(params["b_dec"])) @ transpose_last(params["W_enc"])
        return _finite(u + _row(params["b_enc"]), "params or Z")


def _decode(params, h):
    """z_hat = W_dec h + b_dec for every code h (a row of H)."""
    with np.errstate(all="ignore"):
        Z_hat = h @ transpose_last(params["W_dec"]) + _row(params["b_dec"])
        return _finite(Z_hat, "params or Z")


def _reconstruction(Z, Z_hat):
    """(1/N) sum_n ||z_n - z_hat_n||^2, per instance."""
    with np.errstate(all="ignore"):
        return _finite(np.sum((Z - Z_hat) ** 2, axis=-1).mean(axis=-1), "params or Z")


# ---- book/20_sae_variants.ipynb, cell 1ac39729 ----
def _keep_largest(values, counts):
    """Mask of the `counts` (a number, or one per instance) largest entries along the
    last axis of `values`: exactly that many, a tie broken by np.argpartition."""
    mask, length = np.zeros(values.shape, dtype=bool), values.shape[-1]
    for where, count in enumerate(counts) if counts.ndim else [(slice(None), counts)]:
        start = length - int(count)
        if start < length:  # count >= 1
            top = np.argpartition(values[where], start, axis=-1)[..., start:]
            np.put_along_axis(mask[where], top, True, axis=-1)  # a view: in place
    return mask


def _check_k(k, params, *, whole):
    """k latents per input, 0 < k <= m (whole for TopK): a number or (I,)."""
    k = _per_instance(k, "k", params, 0.0, sae_shape(params)[1])
    if whole and np.any(k != np.round(k)):
        raise ValueError(f"k must be a whole number of latents, got {k}")
    return k


def topk_forward(params, Z, k):
    """TopK SAE (eq. 20.2): h = ReLU of the k largest u_j of each input, the rest 0 (k
    whole, or one per instance); z_hat = W_dec h + b_dec. Returns (u, h, Z_hat)."""
    k = _check_k(k, params, whole=True)
    u = pre_activations(params, Z)
    h = np.where(_keep_largest(u, k) & (u > 0), u, 0.0)
    return u, h, _decode(params, h)


def batch_topk_forward(params, Z, k):
    """BatchTopK SAE (eq. 20.4): keep the round(k N) largest pre-activations of the
    batch of N inputs (k per input on average), then ReLU. Returns (u, h, Z_hat)."""
    k = _check_k(k, params, whole=False)
    u = pre_activations(params, Z)
    flat = u.reshape(u.shape[:-2] + (-1,))
    selected = _keep_largest(flat, np.round(k * u.shape[-2])).reshape(u.shape)
    h = np.where(selected & (u > 0), u, 0.0)
    return u, h, _decode(params, h)


def topk_gradients(params, Z, k):
    """(loss, h, grads) of the TopK SAE: loss (1/N) sum_n ||z_n - z_hat_n||^2 and its
    exact gradient away from ties (eq. 20.3), chapter 14's backward pass with the mask
    1[h > 0] for 1[u > 0] and λ = 0: through the selected latents only."""
    Z = _inputs(Z, params)
    _, h, Z_hat = topk_forward(params, Z, k)
    return _reconstruction(Z, Z_hat), h, sae_backward(params, Z, h, h, Z_hat, 0.0)


def batch_topk_gradients(params, Z, k):
    """(loss, h, grads) of the BatchTopK SAE: as `topk_gradients`, the batch's mask."""
    Z = _inputs(Z, params)
    _, h, Z_hat = batch_topk_forward(params, Z, k)
    return _reconstruction(Z, Z_hat), h, sae_backward(params, Z, h, h, Z_hat, 0.0)


# ---- book/20_sae_variants.ipynb, cell b80bb798 ----
def _extra(params, key):
    """A variant's own parameter params[key], one value per latent (..., m), checked."""
    n_instances, m, _ = sae_shape(params)
    if key not in params:
        raise TypeError(f"params has no {key!r}: train with the variant, or add it")
    lead = () if n_instances is None else (n_instances,)
    return check_array(params[key], f"params[{key!r}]", shape=lead + (m,))


def jumprelu_forward(params, Z):
    """JumpReLU SAE (eq. 20.5): h_j = u_j H(u_j - θ_j), the Heaviside step H, and
    θ = exp(params["log_threshold"]). Returns (u, h, Z_hat)."""
    with np.errstate(all="ignore"):  # θ = 0 below the smallest float: a ReLU
        theta = _finite(np.exp(_extra(params, "log_threshold")), "params")
    u = pre_activations(params, Z)
    h = np.where(u > _row(theta), u, 0.0)
    return u, h, _decode(params, h)


def jumprelu_loss(params, Z, l0_coeff):
    """L = (1/N) sum_n (||z_n - z_hat_n||^2 + λ ||h_n||_0) (eq. 20.6), per instance."""
    return jumprelu_gradients(params, Z, l0_coeff, bandwidth=1.0)[0]  # ε: any


def jumprelu_gradients(params, Z, l0_coeff, bandwidth):
    """(loss, h, grads) of the JumpReLU SAE: every parameter but θ exactly, through the
    latents above threshold; θ by the pseudo-derivatives ð h/ð θ = -(θ/ε) K((u - θ)/ε),
    ð H(u - θ)/ð θ = -(1/ε) K((u - θ)/ε), K the rectangle 1[|x| < 1/2] (eq. 20.7):
    dL/dθ_j = -(1/ε) sum_n K((u_nj - θ_j)/ε) (θ_j dL/dh_nj + λ/N) (eq. 20.8), and
    dL/d(log θ_j) = θ_j dL/dθ_j."""
    lam = _per_instance(l0_coeff, "l0_coeff", params, 0.0, np.inf, low_open=False)
    eps = float(check_in_range(bandwidth, "bandwidth", 0.0, np.inf, low_open=True))
    Z = _inputs(Z, params)
    u, h, Z_hat = jumprelu_forward(params, Z)
    with np.errstate(all="ignore"):  # θ = 0 is a ReLU; an overflow is refused below
        theta = _row(np.exp(params["log_threshold"]))
        grads = sae_backward(params, Z, u - theta, h, Z_hat, 0.0)
        grad_h = (2.0 / Z.shape[-2]) * (Z_hat - Z) @ params["W_dec"]  # dL/dh
        window = (np.abs(u - theta) < eps / 2).astype(u.dtype) / eps  # K((u - θ)/ε)/ε
        lam = lam.astype(u.dtype)  # float32 stays float32
        step = theta * grad_h + np.reshape(lam, lam.shape + (1, 1)) / Z.shape[-2]
        grads["log_threshold"] = -theta[..., 0, :] * np.sum(window * step, axis=-2)
        l0 = np.count_nonzero(h, -1).mean(-1, dtype=u.dtype)
        loss = _reconstruction(Z, Z_hat) + lam * l0
    _finite(grads["log_threshold"], "params, Z, l0_coeff or bandwidth")
    return _finite(loss, "params, Z or l0_coeff"), h, grads


# ---- book/20_sae_variants.ipynb, cell 38cca827 ----
def gated_forward(params, Z):
    """Gated SAE (eq. 20.9): π_gate = W_enc (z - b_dec) + b_enc (W_enc is W_gate),
    π_mag = exp(r_mag) ⊙ W_enc (z - b_dec) + b_mag, f = 1[π_gate > 0] ⊙ ReLU(π_mag),
    z_hat = W_dec f + b_dec. Returns (π_gate, π_mag, f, Z_hat)."""
    r_mag, b_mag = _extra(params, "r_mag"), _extra(params, "b_mag")
    pi_gate = pre_activations(params, Z)
    with np.errstate(all="ignore"):  # an overflow is refused, by name
        pi_mag = _row(np.exp(r_mag)) * (pi_gate - _row(params["b_enc"])) + _row(b_mag)
        pi_mag = _finite(pi_mag, "params or Z")
    f = np.where((pi_gate > 0) & (pi_mag > 0), pi_mag, 0.0)
    return pi_gate, pi_mag, f, _decode(params, f)


def gated_loss(params, Z, l1_coeff, *, frozen_decoder=None):
    """L = (1/N) sum_n (||z - z_hat(f)||^2 + λ ||ReLU(π_gate)||_1 + ||z - z_hat_frozen(
    ReLU(π_gate))||^2) (eq. 20.10), the last term decoded by `frozen_decoder` (W_dec,
    b_dec; default the SAE's own), which `gated_gradients` holds fixed."""
    lam = _per_instance(l1_coeff, "l1_coeff", params, 0.0, np.inf, low_open=False)
    Z = _inputs(Z, params)
    pi_gate, _, _, Z_hat = gated_forward(params, Z)
    gate = np.maximum(pi_gate, 0.0)
    frozen = params if frozen_decoder is None else frozen_decoder
    if not isinstance(frozen, dict) or not {"W_dec", "b_dec"} <= frozen.keys():
        raise TypeError("frozen_decoder must be a dict with W_dec and b_dec, or None")
    aux = _reconstruction(Z, _decode(frozen, gate))
    with np.errstate(all="ignore"):
        loss = _reconstruction(Z, Z_hat) + lam * gate.sum(-1).mean(-1) + aux
        return _finite(loss, "params, Z or l1_coeff")


def gated_gradients(params, Z, l1_coeff):
    """(loss, f, grads) of the Gated SAE (eq. 20.11), as two chapter-14 backward passes:
    the magnitude path, encoder W_mag = exp(r_mag) ⊙ W_enc and bias b_mag, mask
    1[f > 0], no penalty; the gate path, the ReLU SAE with penalty λ on the auxiliary
    reconstruction, its decoder frozen. dL/dr_mag_j = sum_k dL/dW_mag_jk W_mag_jk."""
    lam = _per_instance(l1_coeff, "l1_coeff", params, 0.0, np.inf, low_open=False)
    Z = _inputs(Z, params)
    pi_gate, _, f, Z_hat = gated_forward(params, Z)
    with np.errstate(all="ignore"):  # an overflow is refused below, by name
        scale = np.exp(params["r_mag"])[..., None]  # (..., m, 1): rows of W_enc
        magnitude = dict(params, W_enc=scale * params["W_enc"], b_enc=params["b_mag"])
        mag = sae_backward(magnitude, Z, f, f, Z_hat, 0.0)  # refuses an overflow
        gate_code = np.maximum(pi_gate, 0.0)
        Z_aux = _decode(params, gate_code)
        gate = sae_backward(params, Z, pi_gate, gate_code, Z_aux, lam)
        frozen_part = (2.0 / Z.shape[-2]) * np.sum(Z_aux - Z, axis=-2)  # no gradient
        grads = {
            "W_enc": gate["W_enc"] + scale * mag["W_enc"],
            "b_enc": gate["b_enc"],
            "W_dec": mag["W_dec"],
            "b_dec": mag["b_dec"] + gate["b_dec"] - frozen_part,
            "r_mag": np.sum(mag["W_enc"] * magnitude["W_enc"], axis=-1),
            "b_mag": mag["b_enc"],
        }
        sparsity = lam * gate_code.sum(axis=-1).mean(axis=-1)
        loss = _reconstruction(Z, Z_hat) + sparsity + _reconstruction(Z, Z_aux)
    for gradient in grads.values():
        _finite(gradient, "params, Z or l1_coeff")
    return _finite(loss, "params, Z or l1_coeff"), f, grads


# ---- book/20_sae_variants.ipynb, cell 61f1e6c1 ----
class _Variant:
    """What `train_sae(..., variant=...)` calls: the parameters a variant adds, its
    code, and its loss and gradients with one λ (train_sae's l1_coeff) per instance;
    TopK and BatchTopK have no penalty and ignore λ."""

    def __init__(self, name, settings, extra, forward, gradients):
        self.name, self.settings = name, settings
        self._extra, self._forward, self._gradients = extra, forward, gradients

    def __repr__(self):
        settings = ", ".join(f"{key}={value!r}" for key, value in self.settings.items())
        return f"{self.name}({settings})"

    def extra_params(self, params):
        """{name: array} the variant adds to chapter-14 parameters, checked against
        their shape (a k per instance must match the instances, k <= m)."""
        n_instances, m, _ = sae_shape(params)
        if "k" in self.settings:
            _check_k(self.settings["k"], params, whole=self.name == "topk")
        shape = (m,) if n_instances is None else (n_instances, m)
        return {
            k: np.full(shape, v, params["W_enc"].dtype) for k, v in self._extra.items()
        }

    def encode(self, params, Z):
        """(h, Z_hat): the code of every row of Z and its reconstruction."""
        return self._forward(params, Z)[-2:]

    def loss_and_gradients(self, params, Z, l1_coeff):
        """(loss (I,), h, grads): one training step's numbers, for `train_sae`."""
        return self._gradients(params, Z, l1_coeff)


def _no_penalty(gradients, params, Z, l1_coeff, k):
    """TopK's and BatchTopK's gradients, called with (and ignoring) train_sae's λ."""
    return gradients(params, Z, k)


def topk(k):
    """The TopK SAE of Gao et al. (eqs. 20.2-20.3): k latents per input, k >= 1 a whole
    number or one per instance (I,) for a sweep; no sparsity penalty."""
    k = check_in_range(k, "k", 1.0, np.inf)
    if k.ndim > 1 or np.any(k != np.round(k)):
        raise ValueError(f"k must be whole numbers, one or one per instance, got {k}")
    gradients = partial(_no_penalty, topk_gradients, k=k)
    return _Variant("topk", {"k": k}, {}, partial(topk_forward, k=k), gradients)


def batch_topk(k):
    """The BatchTopK SAE of Bussmann et al. (eq. 20.4): a mean of k > 0 latents per
    input over each batch, a number or one per instance (I,); no sparsity penalty."""
    k = check_in_range(k, "k", 0.0, np.inf, low_open=True)
    if k.ndim > 1:
        raise ValueError(f"k must be a number or one per instance, got shape {k.shape}")
    forward = partial(batch_topk_forward, k=k)
    gradients = partial(_no_penalty, batch_topk_gradients, k=k)
    return _Variant("batch_topk", {"k": k}, {}, forward, gradients)


def jumprelu(bandwidth=0.05, initial_threshold=0.05):
    """The JumpReLU SAE of Rajamanoharan et al. (eqs. 20.5-20.8): λ weighs L0; θ starts
    at `initial_threshold` and trains with the rectangle kernel of width `bandwidth`."""
    eps = float(check_in_range(bandwidth, "bandwidth", 0.0, np.inf, low_open=True))
    theta = check_in_range(
        initial_threshold, "initial_threshold", 0, np.inf, low_open=True
    )
    if theta.ndim:
        raise ValueError(f"initial_threshold must be a number, got shape {theta.shape}")
    extra = {"log_threshold": float(np.log(theta))}
    gradients = partial(jumprelu_gradients, bandwidth=eps)
    return _Variant("jumprelu", {"bandwidth": eps}, extra, jumprelu_forward, gradients)


def gated():
    """The Gated SAE of Rajamanoharan et al. (eqs. 20.9-20.11): λ weighs the gate's L1;
    r_mag and b_mag start at 0 (W_mag = W_gate)."""
    extra = {"r_mag": 0.0, "b_mag": 0.0}
    return _Variant("gated", {}, extra, gated_forward, gated_gradients)

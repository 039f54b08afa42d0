# GENERATED from book/15_sae_training.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Training and measuring sparse autoencoders.

The previous chapter built a sparse autoencoder by hand. This chapter trains it on a
toy model's activations and measures whether its decoder columns are the features
the toy model stored in superposition [elhage2022superposition], as *Towards
Monosemanticity* [bricken2023monosemanticity] hopes they are for a language model.
"""

from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_flag,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
    transpose_last,
    vector_norm,
)
from superposition_lib.optim import Adam
from superposition_lib.progress import ProgressLine
from superposition_lib.sae import (
    check_l1_coeff,
    check_reconstruction_pair,
    check_sae_input,
    decoder_norms,
    init_sae_params,
    normalize_decoder,
    remove_parallel_gradient,
    sae_backward,
    sae_forward,
    sae_loss,
    sae_shape,
)

__all__ = [
    "latent_density",
    "mean_active_latent_count",
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


# ---- book/15_sae_training.ipynb, cell 71f53b76 ----
def _check_code(H):
    H = check_array(H, "H", ndim=(2, 3))
    if 0 in H.shape:
        raise ValueError(
            f"H {H.shape} has no rows (or latents): a frequency needs inputs"
        )
    return H


def latent_density(H):
    """Firing frequency p_j = (1/N) sum_n 1[h_nj > 0] of each latent: (m,) or (I, m)."""
    return np.mean(_check_code(H) > 0, axis=-2)


def mean_active_latent_count(H):
    """L0 of an SAE code, a count: (1/N) sum_n #{j : h_nj > 0} = sum_j p_j, the mean
    number of latents active per input (a number of latents, not a fraction)."""
    return np.sum(latent_density(H), axis=-1)


def dead_fraction(H):
    """Fraction of latents that never fire on these inputs (p_j = 0)."""
    return np.mean(latent_density(H) == 0, axis=-1)


def dense_fraction(H, threshold=0.1):
    """Fraction of latents firing on more than `threshold` of inputs (p_j > t)."""
    threshold = check_in_range(threshold, "threshold", 0.0, 1.0)
    return np.mean(latent_density(H) > threshold, axis=-1)


def fraction_variance_unexplained(Z, Z_hat):
    """FVU = sum_n ||z_n - z_hat_n||^2 / sum_n ||z_n - mean(z)||^2 (1 - expl. var.),
    as a ratio of norms squared last: no overflow, or 0/0, for Z near 1e±300."""
    Z, Z_hat = check_reconstruction_pair(Z, Z_hat)
    spread = vector_norm(Z - Z.mean(axis=-2, keepdims=True), axis=(-2, -1))
    if np.any(spread == 0):
        raise ValueError("Z has zero variance: the fraction unexplained would be 0/0")
    ratio = vector_norm(Z - Z_hat, axis=(-2, -1)) / spread
    if np.any(ratio >= np.sqrt(np.finfo(ratio.dtype).max)):
        raise ValueError(
            "Z_hat is so far from Z, for Z's spread, that the FVU overflows"
        )
    return ratio**2


def shrinkage(Z, Z_hat):
    """Mean of ||z_hat_n|| / ||z_n|| over inputs with z_n != 0 (1 = no shrinkage)."""
    Z, Z_hat = check_reconstruction_pair(Z, Z_hat)
    norm, norm_hat = vector_norm(Z), vector_norm(Z_hat)
    nonzero = np.broadcast_to(norm > 0, np.broadcast_shapes(norm.shape, norm_hat.shape))
    if not np.all(nonzero.any(axis=-1)):
        raise ValueError("every row of Z is zero: ||z_hat|| / ||z|| is undefined")
    ratio = np.where(nonzero, norm_hat / np.where(norm > 0, norm, 1.0), 0.0)
    return ratio.sum(axis=-1) / nonzero.sum(axis=-1)


def _unit_columns(columns):
    """Columns scaled to unit length; an all-zero column stays zero (no direction)."""
    norms = vector_norm(columns, axis=-2, keepdims=True)
    return columns / np.where(norms > 0, norms, 1.0)


def best_match_cosines(W_dec, W_true):
    """For each true direction W_true[:, i]: max_j cos(W_true[:, i], W_dec[:, j]), j.

    W_dec (d, m) or (I, d, m); W_true (d, n), e.g. the toy model's W. A zero column has
    no direction: its cosines count as 0. Returns (cosines, indices), (n,) or (I, n).
    """
    W_dec = check_matrix_stack(W_dec, "W_dec")
    W_true = check_array(W_true, "W_true", ndim=2)
    if W_true.shape[0] != W_dec.shape[-2] or 0 in W_true.shape:
        raise ValueError(
            f"W_true {W_true.shape} and W_dec {W_dec.shape} must have the same number "
            "of rows (the activation dimension d), and columns"
        )
    cosines = transpose_last(_unit_columns(W_true)) @ _unit_columns(W_dec)  # (.., n, m)
    return cosines.max(axis=-1), cosines.argmax(axis=-1)


# ---- book/15_sae_training.ipynb, cell 7074d0ba ----
def _unit_rows(vectors, rng):
    """Rows scaled to unit length; an all-zero row gets a random direction instead."""
    norms = vector_norm(vectors, keepdims=True)
    zero = norms[:, 0] == 0
    if zero.any():
        vectors[zero] = rng.standard_normal(vectors[zero].shape)
        norms[zero] = vector_norm(vectors[zero], keepdims=True)
    return vectors / norms


def _checked_resampling(params, dead, Z, optimizer, encoder_scale):
    """`resample_dead_latents`' arguments, checked before any parameter changes."""
    n_instances, m, _ = sae_shape(params, in_place=True)
    lead = () if n_instances is None else (n_instances,)
    dead = np.asarray(dead)
    if dead.dtype != bool or dead.shape != lead + (m,):
        raise ValueError(
            f"dead must be {lead + (m,)} bools, not {dead.dtype} {dead.shape}"
        )
    if check_sae_input(Z, params).shape[-2] == 0:
        raise ValueError("Z has no rows to draw the new directions from")
    if optimizer is not None and not callable(getattr(optimizer, "reset", None)):
        raise TypeError(f"optimizer must have a reset method (Adam), got {optimizer!r}")
    scale = check_in_range(encoder_scale, "encoder_scale", 0.0, np.inf, low_open=True)
    return lead, dead, float(scale)


def _resampling_weights(params, Z, subtract_decoder_bias):
    """Inputs as (I or 1, N, d), and ||z_n - z_hat_n||^4, the square of each loss,
    divided by the largest first (the 4th power of 1e300 is no float)."""
    _, _, Z_hat = sae_forward(params, Z, subtract_decoder_bias=subtract_decoder_bias)
    inputs = np.broadcast_to(Z, Z_hat.shape).reshape((-1,) + Z_hat.shape[-2:])
    errors = vector_norm(inputs - Z_hat.reshape(inputs.shape))
    largest = np.max(errors, axis=-1, keepdims=True)
    with np.errstate(under="ignore"):  # a weight tiny beside the largest: rounding
        return inputs, (errors / np.where(largest > 0, largest, 1.0)) ** 4


def _point_latents_at(params, where, dead, v, encoder_scale, optimizer):
    """Instance `where`'s dead latents now read and write the unit rows v."""
    latents = np.flatnonzero(dead)
    alive = vector_norm(params["W_enc"][where][~dead])
    scale = encoder_scale * (alive.mean() if alive.size else 1.0)
    params["W_dec"][where][:, latents] = v.T  # params[key][where] is a view
    params["W_enc"][where][latents] = scale * v
    params["b_enc"][where][latents] = 0.0
    if optimizer is not None:
        optimizer.reset("W_dec", where + (slice(None), latents))
        optimizer.reset("W_enc", where + (latents,))
        optimizer.reset("b_enc", where + (latents,))


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
    lead, dead, encoder_scale = _checked_resampling(
        params, dead, Z, optimizer, encoder_scale
    )
    rng = as_generator(rng)
    inputs, weights = _resampling_weights(params, Z, subtract_decoder_bias)
    for i, dead_i in enumerate(np.atleast_2d(dead)):
        if not dead_i.any():
            continue
        where = (i,) if lead else ()
        total = weights[i].sum()
        p = weights[i] / total if total > 0 else None  # all exact: uniform
        rows = rng.choice(inputs.shape[1], size=int(dead_i.sum()), p=p)
        shift = params["b_dec"][where] if subtract_decoder_bias else 0.0
        v = _unit_rows(np.array(inputs[i, rows] - shift), rng)
        _point_latents_at(params, where, dead_i, v, encoder_scale, optimizer)
    return dead.sum(axis=-1) if lead else int(dead.sum())


# ---- book/15_sae_training.ipynb, cell 822f6356 ----
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
    """(Z, m, λ as (I,) in Z's dtype, I), checked: what `train_sae` trains on."""
    check_one_of(l1_convention, "l1_convention", L1_CONVENTIONS)
    m = check_positive_int(n_latents, "n_latents")
    if n_instances is None:  # one per λ
        n_instances = np.size(l1_coeff) if np.ndim(l1_coeff) == 1 else 1
    lam = check_l1_coeff(l1_coeff, check_positive_int(n_instances, "n_instances"))
    Z = check_array(Z, "Z", ndim=(2, 3))
    if Z.ndim == 3 and Z.shape[0] != n_instances:
        raise ValueError(
            f"Z of shape {Z.shape} has {Z.shape[0]} instances, expected "
            f"{n_instances} (one per l1_coeff) or Z of shape (N, d)"
        )
    largest = np.sqrt(np.finfo(Z.dtype).max / max(Z.shape[-1], 1))  # ||z||^2 a float
    if 0 in Z.shape or np.max(np.abs(Z)) >= largest:
        raise ValueError(f"Z {Z.shape} must have rows, and entries < {largest:.1e}")
    return Z, m, np.broadcast_to(lam, (n_instances,)).astype(Z.dtype), n_instances


class _Schedule:
    """When `train_sae` logs, counts dead latents and resamples; checked once."""

    def __init__(self, steps, batch_size, dead_window, log_every, resample, until):
        self.steps = check_positive_int(steps, "steps")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.dead_window = check_positive_int(dead_window, "dead_window")
        self.log_every = check_positive_int(log_every, "log_every")
        self.resample = check_flag(resample, "resample")
        self.resample_until = float(check_in_range(until, "resample_until", 0.0, 1.0))

    def resamples_at(self, step):
        """Resampling happens at a window's end, until `resample_until` of the run."""
        return self.resample and step <= self.resample_until * self.steps


class _OneBuffer:
    """Adam on all of the SAE's parameters at once. `params` are views into one buffer,
    so each step is one Adam update instead of one per array: the same numbers (Adam
    acts entry by entry) in a quarter of the calls. `reset` zeroes one array's moments
    (resampling), as `Adam.reset` does."""

    def __init__(self, params, lr):
        self.adam, self.parts, size = Adam(lr=lr), {}, 0
        for key, value in params.items():  # each part on a 64-byte boundary
            self.parts[key] = (size, value.shape)
            size += -(-value.size * value.itemsize // 64) * 64 // value.itemsize
        dtype = next(iter(params.values())).dtype
        self.theta, self.grad = np.zeros(size, dtype), np.zeros(size, dtype)
        self.params, self.grads = self.views(self.theta), self.views(self.grad)
        for key, value in params.items():
            self.params[key][...] = value

    def views(self, flat):
        """{key: the part of the buffer `flat` that holds params[key], in its shape}."""
        return {
            key: flat[start : start + int(np.prod(shape))].reshape(shape)
            for key, (start, shape) in self.parts.items()
        }

    def step(self, params, grads, *, check=False):
        """One Adam step on `params` (these views) with `grads`, copied into one."""
        for key, grad in grads.items():
            self.grads[key][...] = grad
        self.adam.step({"sae": self.theta}, {"sae": self.grad}, check=check)

    def reset(self, key, index=None, axis=0):
        if "sae" in self.adam.m:  # else no step taken yet: no moments to zero
            for moment in (self.adam.m["sae"], self.adam.v["sae"]):
                view = np.moveaxis(self.views(moment)[key], axis, 0)
                view[... if index is None else index] = 0.0


class _Run:
    """One `train_sae` call: parameters, optimiser, generator, and what it records."""

    def __init__(self, params, optimizer, lam, rng, subtract_decoder_bias, unit_norm):
        self.params, self.optimizer, self.lam, self.rng = params, optimizer, lam, rng
        self.subtract, self.unit_norm = subtract_decoder_bias, unit_norm
        self.forward = {"subtract_decoder_bias": subtract_decoder_bias, "check": False}
        self.conventions = {**self.forward, "weight_l1_by_decoder_norm": not unit_norm}
        self.fired = np.zeros(params["b_enc"].shape, dtype=bool)  # in this window
        self.losses, self.logged, self.dead_counts, self.window_ends = [], [], [], []
        self.n_resampled = np.zeros(len(lam), dtype=np.int64)

    def result(self):
        """What the run recorded, as the `SAETrainResult` that `train_sae` returns."""
        return SAETrainResult(
            {key: value.copy() for key, value in self.params.items()},  # not views
            self.lam,
            np.array(self.losses),
            np.array(self.logged),
            np.array(self.dead_counts).reshape(-1, len(self.lam)),
            np.array(self.window_ends),
            self.n_resampled,
        )


def _step(run, batch, step, log):
    """One Adam step on `batch`, its loss recorded first if `log`. train_sae checked the
    arguments once: the SAE's functions trust them (check=False), one sum checks p."""
    p = run.params
    if run.variant is None:  # the ReLU-L1 SAE of chapter 14
        h_linear, h, Z_hat = sae_forward(p, batch, **run.forward)
        grads = sae_backward(p, batch, h_linear, h, Z_hat, run.lam, **run.conventions)
        weights = None if run.unit_norm or not log else decoder_norms(p["W_dec"])
        loss = sae_loss(batch, Z_hat, h, run.lam, l1_weights=weights) if log else None
    else:  # an SAE variant of chapter 20: its own code, loss and gradients
        loss, h, grads = run.variant.loss_and_gradients(p, batch, run.lam)
    if log:
        run.losses.append(loss)
        run.logged.append(step)
    if run.unit_norm:
        W_dec, g = p["W_dec"], grads["W_dec"]
        grads["W_dec"] = remove_parallel_gradient(W_dec, g, check=False)
    run.optimizer.step(p, grads, check=False)  # checked once, in train_sae
    if run.unit_norm:
        normalize_decoder(p, check=False)
    if not np.isfinite(run.optimizer.theta.sum()):  # one sum, not a scan per array
        raise ValueError("the parameters are no longer finite (NaN or inf)")
    run.fired |= h.max(axis=-2) > 0


def _end_window(run, batch, step, resample):
    """Count the latents that never fired in the window ending at `step`; resample."""
    dead, s = ~run.fired, run.subtract
    run.dead_counts.append(dead.sum(axis=-1))
    run.window_ends.append(step)
    if resample and dead.any():
        run.n_resampled += resample_dead_latents(
            run.params, dead, batch, run.rng, run.optimizer, subtract_decoder_bias=s
        )
    run.fired[:] = False


def _train(Z, run, schedule, progress):
    """The training loop: minibatch, step, log, and look for dead latents."""
    line = ProgressLine(
        schedule.steps, enabled=progress, description=f"{len(run.lam)} SAE(s)"
    )
    for step in range(1, schedule.steps + 1):
        batch = Z.take(run.rng.integers(0, Z.shape[-2], schedule.batch_size), axis=-2)
        log = step % schedule.log_every == 0 or step == schedule.steps
        try:
            _step(run, batch, step, log)
            if step % schedule.dead_window == 0:
                _end_window(run, batch, step, schedule.resamples_at(step))
        except ValueError as err:  # the arguments were checked: an overflow is left
            raise FloatingPointError(
                f"SAE training diverged at step {step}: {err}; lower lr or l1_coeff"
            ) from None
        if log:
            line.update(step, run.losses[-1])
    line.close()


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
    variant=None,
):
    """Train I SAEs with Adam on minibatches of Z, minimising `sae_loss`, one λ each.

    Z: (N, d) shared, or (I, N, d). l1_coeff: a number, or (I,) for a sweep; n_instances
    repeats one λ over seeds. l1_convention "unit_norm" projects the decoder gradient
    and renormalises the columns each step; "decoder_norm" weights L1 by the column
    norms. Latents that never fire in a `dead_window` are counted (and, if `resample`,
    resampled). `variant`: an SAE variant of chapter 20. Deterministic for a seed.
    """
    Z, m, lam, n_instances = _training_setup(
        Z, n_latents, l1_coeff, n_instances, l1_convention
    )
    schedule = _Schedule(
        steps, batch_size, dead_window, log_every, resample, resample_until
    )
    rng = as_generator(seed, "seed")
    d = Z.shape[-1]
    if variant is not None and not callable(getattr(variant, "loss_and_gradients", 0)):
        raise TypeError(f"variant must be an SAE variant (topk, ...), got {variant!r}")
    params = init_sae_params(d, m, rng, n_instances=n_instances, dtype=Z.dtype)
    params.update(variant.extra_params(params) if variant is not None else {})
    subtract = check_flag(subtract_decoder_bias, "subtract_decoder_bias")
    optimizer = _OneBuffer(params, lr)
    unit_norm = l1_convention == "unit_norm"
    run = _Run(optimizer.params, optimizer, lam, rng, subtract, unit_norm)
    run.variant = variant
    with np.errstate(all="ignore"):  # an overflow is refused by name (Adam, _step)
        _train(Z, run, schedule, check_flag(progress, "progress", optional=True))
    return run.result()

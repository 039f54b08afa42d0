"""Fuzz specs: the SAE variants (`superposition_lib.sae_variants`, chapter 20).

The oracles: every forward pass against its equation written out again (an einsum and
a sort), every loss against its definition, every gradient against finite differences
(JumpReLU's threshold against the window of its rectangle kernel, the Gated SAE's with
the decoder frozen in the auxiliary term), and the four variants trained by
`train_sae` against the shapes and conventions it promises.
"""

from dataclasses import dataclass

import numpy as np

import superposition_lib as lib
from fuzz.harness import Spec
from fuzz.kinds import Real
from fuzz.spec_sae import ROWS_MAY_BE_EMPTY, SAEParams, Shared, random_sae
from superposition_lib.backprop import numerical_gradient, relative_error

KEYS = ("W_enc", "b_enc", "W_dec", "b_dec")
Z_KIND = Shared()  # (N, d) shared, or (I, N, d); a loss over no rows is refused
COEFF = Real(0.0, np.inf)
POSITIVE = Real(0.0, np.inf, low_open=True)


@dataclass
class VariantParams(SAEParams):
    """Chapter-14 parameters plus a variant's own, each fuzzed like the others."""

    keys: tuple = KEYS


JUMP_PARAMS = VariantParams(keys=KEYS + ("log_threshold",))
GATED_PARAMS = VariantParams(keys=KEYS + ("r_mag", "b_mag"))
PLAIN_PARAMS = VariantParams()


def _sae_and_inputs(rng, extra=()):
    """(params, Z) with I instances or none, Z shared or one set per instance."""
    n_instances = [None, 2][int(rng.integers(2))]
    params = random_sae(rng, n_instances)
    lead = params["b_enc"].shape[:-1]
    if "log_threshold" in extra:
        params["log_threshold"] = np.log(rng.uniform(0.05, 0.5, lead + (5,)))
    if "gated" in extra:
        params["r_mag"] = rng.normal(0, 0.3, lead + (5,))
        params["b_mag"] = rng.normal(0, 0.3, lead + (5,))
    shared = n_instances is None or rng.integers(2) == 0
    Z = rng.normal(size=(8, 3) if shared else (n_instances, 8, 3))
    return params, Z


def _u(params, Z):
    u = np.einsum(
        "...md,...nd->...nm", params["W_enc"], Z - params["b_dec"][..., None, :]
    )
    return u + params["b_enc"][..., None, :]


def _decoded(params, h):
    return (
        np.einsum("...dm,...nm->...nd", params["W_dec"], h)
        + params["b_dec"][..., None, :]
    )


def _close(got, want):
    assert np.shape(got) == np.shape(want) and np.allclose(got, want, atol=1e-12)


def _fd(loss, grads, params, keys):
    """Finite differences of loss (summed over instances) agree with grads[keys]."""

    def total(q):
        return float(np.sum(loss({**params, **q})))

    numerical = numerical_gradient(total, {k: np.array(params[k]) for k in keys})
    assert relative_error({k: grads[k] for k in keys}, numerical) < 1e-5


# ---- TopK and BatchTopK
def _topk_kwargs(rng):
    params, Z = _sae_and_inputs(rng)
    return {"params": params, "Z": Z, "k": int(rng.integers(1, 6))}


def _batch_kwargs(rng):
    params, Z = _sae_and_inputs(rng)
    return {"params": params, "Z": Z, "k": float(rng.uniform(0.3, 3))}


def _check_topk(result, kwargs):
    p, Z, k = kwargs["params"], np.asarray(kwargs["Z"]), int(kwargs["k"])
    u = _u(p, Z)
    kth = np.sort(u, axis=-1)[..., -k][..., None]
    h = np.where((u >= kth) & (u > 0), u, 0.0)
    for got, want in zip(result, (u, h, _decoded(p, h))):
        _close(got, want)


def _check_batch(result, kwargs):
    p, Z, k = kwargs["params"], np.asarray(kwargs["Z"]), kwargs["k"]
    u, h, Z_hat = result
    _close(u, _u(p, Z))
    _close(Z_hat, _decoded(p, h))
    flat_u, flat_h = u.reshape(u.shape[:-2] + (-1,)), h.reshape(u.shape[:-2] + (-1,))
    keep = int(round(k * u.shape[-2]))
    kth = np.sort(flat_u, axis=-1)[..., -keep][..., None]
    _close(flat_h, np.where((flat_u >= kth) & (flat_u > 0), flat_u, 0.0))


def _check_selection_gradients(forward):
    def check(result, kwargs):
        loss, h, grads = result
        p, Z, k = kwargs["params"], kwargs["Z"], kwargs["k"]
        _, h_again, Z_hat = forward(p, Z, k)
        _close(h, h_again)
        _close(loss, np.sum((np.asarray(Z) - Z_hat) ** 2, axis=-1).mean(axis=-1))
        gradients = (
            lib.topk_gradients
            if forward is lib.topk_forward
            else (lib.batch_topk_gradients)
        )
        _fd(lambda q: gradients(q, Z, k)[0], grads, p, KEYS)

    return check


# ---- JumpReLU
def _jump_kwargs(rng, loss=False, gradients=False):
    params, Z = _sae_and_inputs(rng, ("log_threshold",))
    kwargs = {"params": params, "Z": Z}
    if loss or gradients:
        kwargs["l0_coeff"] = float(rng.uniform(0, 1))
    if gradients:
        kwargs["bandwidth"] = float(rng.uniform(0.01, 0.5))
    return kwargs


def _jump_code(p, Z):
    u = _u(p, np.asarray(Z))
    return u, np.where(u > np.exp(p["log_threshold"])[..., None, :], u, 0.0)


def _check_jump_forward(result, kwargs):
    u, h = _jump_code(kwargs["params"], kwargs["Z"])
    for got, want in zip(result, (u, h, _decoded(kwargs["params"], h))):
        _close(got, want)


def _jump_loss(p, Z, lam):
    _, h = _jump_code(p, Z)
    error = np.sum((np.asarray(Z) - _decoded(p, h)) ** 2, axis=-1).mean(axis=-1)
    return error + lam * np.count_nonzero(h, axis=-1).mean(axis=-1)


def _check_jump_gradients(result, kwargs):
    loss, h, grads = result
    p, Z, lam, eps = (kwargs[k] for k in ("params", "Z", "l0_coeff", "bandwidth"))
    _close(loss, _jump_loss(p, Z, lam))
    _fd(lambda q: lib.jumprelu_loss(q, Z, lam), grads, p, KEYS)
    u, _ = _jump_code(p, Z)
    window = np.abs(u - np.exp(p["log_threshold"])[..., None, :]) < eps / 2
    silent = ~window.any(axis=-2)
    assert np.all(grads["log_threshold"][silent] == 0), "no input in the window: 0"
    with_l0 = lib.jumprelu_gradients(p, Z, lam + 1.0, eps)[2]["log_threshold"]
    theta = np.exp(p["log_threshold"])
    l0_part = -theta * window.sum(axis=-2) / (eps * u.shape[-2])
    _close(with_l0 - grads["log_threshold"], l0_part)


# ---- Gated
def _gated_kwargs(rng, coeff=False):
    params, Z = _sae_and_inputs(rng, ("gated",))
    kwargs = {"params": params, "Z": Z}
    if coeff:
        kwargs["l1_coeff"] = float(rng.uniform(0, 1))
    return kwargs


def _gated_code(p, Z):
    x = np.asarray(Z) - p["b_dec"][..., None, :]
    pre = np.einsum("...md,...nd->...nm", p["W_enc"], x)
    gate = pre + p["b_enc"][..., None, :]
    mag = np.exp(p["r_mag"])[..., None, :] * pre + p["b_mag"][..., None, :]
    return gate, mag, np.where((gate > 0) & (mag > 0), mag, 0.0)


def _check_gated_forward(result, kwargs):
    gate, mag, f = _gated_code(kwargs["params"], kwargs["Z"])
    for got, want in zip(result, (gate, mag, f, _decoded(kwargs["params"], f))):
        _close(got, want)


def _gated_loss(p, Z, lam):
    gate, _, f = _gated_code(p, Z)
    Z = np.asarray(Z)
    a = np.maximum(gate, 0)
    error = np.sum((Z - _decoded(p, f)) ** 2, axis=-1).mean(axis=-1)
    aux = np.sum((Z - _decoded(p, a)) ** 2, axis=-1).mean(axis=-1)
    return error + lam * a.sum(axis=-1).mean(axis=-1) + aux


def _check_gated_gradients(result, kwargs):
    loss, f, grads = result
    p, Z, lam = kwargs["params"], kwargs["Z"], kwargs["l1_coeff"]
    _close(loss, _gated_loss(p, Z, lam))
    _close(f, _gated_code(p, Z)[2])
    frozen = {"W_dec": np.array(p["W_dec"]), "b_dec": np.array(p["b_dec"])}
    _fd(
        lambda q: lib.gated_loss(q, Z, lam, frozen_decoder=frozen),
        grads,
        p,
        KEYS + ("r_mag", "b_mag"),
    )


# ---- the variants, trained by train_sae
def _trained(factory):
    """Build the variant from the fuzzed arguments and train two SAEs a few steps."""

    def call(**kwargs):
        variant = factory(**kwargs)
        Z = np.random.default_rng(0).normal(size=(40, 3))
        lam = 0.0 if "k" in variant.settings else [0.05, 0.2]
        result = lib.train_sae(
            Z, 5, lam, n_instances=2, steps=4, batch_size=8, seed=0, variant=variant
        )
        return result.params, result.losses, variant.encode(result.params, Z)

    return call


def _check_trained(result, kwargs):
    params, losses, (h, Z_hat) = result
    assert (
        losses.shape == (1, 2) and h.shape == (2, 40, 5) and Z_hat.shape == (2, 40, 3)
    )
    assert np.allclose(np.linalg.norm(params["W_dec"], axis=-2), 1, rtol=1e-12)
    assert np.all(h >= 0)


SPECS = {
    "pre_activations": Spec(
        build=lambda rng: dict(zip(("params", "Z"), _sae_and_inputs(rng))),
        args={"params": PLAIN_PARAMS, "Z": ROWS_MAY_BE_EMPTY},
        check=lambda r, kw: _close(r, _u(kw["params"], np.asarray(kw["Z"]))),
    ),
    "topk_forward": Spec(
        build=_topk_kwargs,
        args={
            "params": PLAIN_PARAMS,
            "Z": ROWS_MAY_BE_EMPTY,
            "k": Real(0.0, 5.0, True),
        },
        check=_check_topk,
    ),
    "batch_topk_forward": Spec(
        build=_batch_kwargs,
        args={
            "params": PLAIN_PARAMS,
            "Z": ROWS_MAY_BE_EMPTY,
            "k": Real(0.0, 5.0, True),
        },
        check=_check_batch,
    ),
    "topk_gradients": Spec(
        build=_topk_kwargs,
        args={"params": PLAIN_PARAMS, "Z": Z_KIND, "k": Real(0.0, 5.0, True)},
        check=_check_selection_gradients(lib.topk_forward),
    ),
    "batch_topk_gradients": Spec(
        build=_batch_kwargs,
        args={"params": PLAIN_PARAMS, "Z": Z_KIND, "k": Real(0.0, 5.0, True)},
        check=_check_selection_gradients(lib.batch_topk_forward),
    ),
    "jumprelu_forward": Spec(
        build=_jump_kwargs,
        args={"params": JUMP_PARAMS, "Z": ROWS_MAY_BE_EMPTY},
        check=_check_jump_forward,
    ),
    "jumprelu_loss": Spec(
        build=lambda rng: _jump_kwargs(rng, loss=True),
        args={"params": JUMP_PARAMS, "Z": Z_KIND, "l0_coeff": COEFF},
        check=lambda r, kw: _close(
            r, _jump_loss(kw["params"], kw["Z"], kw["l0_coeff"])
        ),
    ),
    "jumprelu_gradients": Spec(
        build=lambda rng: _jump_kwargs(rng, gradients=True),
        args={
            "params": JUMP_PARAMS,
            "Z": Z_KIND,
            "l0_coeff": COEFF,
            "bandwidth": POSITIVE,
        },
        check=_check_jump_gradients,
    ),
    "gated_forward": Spec(
        build=_gated_kwargs,
        args={"params": GATED_PARAMS, "Z": ROWS_MAY_BE_EMPTY},
        check=_check_gated_forward,
    ),
    "gated_loss": Spec(
        build=lambda rng: _gated_kwargs(rng, coeff=True),
        args={"params": GATED_PARAMS, "Z": Z_KIND, "l1_coeff": COEFF},
        skip={
            "frozen_decoder": "a copy of params' own W_dec and b_dec for the auxiliary "
            "term; its arrays are fuzzed as params', and the gradient check uses it"
        },
        check=lambda r, kw: _close(
            r, _gated_loss(kw["params"], kw["Z"], kw["l1_coeff"])
        ),
    ),
    "gated_gradients": Spec(
        build=lambda rng: _gated_kwargs(rng, coeff=True),
        args={"params": GATED_PARAMS, "Z": Z_KIND, "l1_coeff": COEFF},
        check=_check_gated_gradients,
    ),
    "topk": Spec(
        build=lambda rng: {"k": int(rng.integers(1, 4))},
        call=_trained(lib.topk),
        args={"k": Real(1.0, np.inf)},
        check=_check_trained,
        examples=2,
    ),
    "batch_topk": Spec(
        build=lambda rng: {"k": float(rng.uniform(0.2, 3))},
        call=_trained(lib.batch_topk),
        args={"k": POSITIVE},
        check=_check_trained,
        examples=2,
    ),
    "jumprelu": Spec(
        build=lambda rng: {
            "bandwidth": float(rng.uniform(0.01, 0.2)),
            "initial_threshold": float(rng.uniform(0.01, 0.2)),
        },
        call=_trained(lib.jumprelu),
        args={"bandwidth": POSITIVE, "initial_threshold": POSITIVE},
        check=_check_trained,
        examples=2,
    ),
    "gated": Spec(
        build=lambda rng: {},
        call=_trained(lib.gated),
        check=_check_trained,
        examples=2,
    ),
}

"""Fuzz specs: the sparse autoencoder (`superposition_lib.sae`, chapter 14).

The oracles: the forward pass against an einsum of its equation, the loss against its
definition, the gradients against finite differences, the decoder conventions against
what they promise (unit columns, an orthogonal gradient), and norms and cosines at
1e±300 against the same values computed at scale 1.
"""

from dataclasses import dataclass

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec, invoke
from fuzz.kinds import SURVIVE, Array, Bad, Dtype, Flag, Int, Params, Real, Rng
from superposition_lib.backprop import numerical_gradient, relative_error

KEYS = ("W_enc", "b_enc", "W_dec", "b_dec")
FLAG = Flag()
PLAIN = Spec(build=dict)


@dataclass
class SAEParams(Params):
    """SAE parameters: a dict of float ndarrays, each re-spelt and scaled by 1e±300
    in turn (a finite answer, or a refusal naming params)."""

    keys: tuple = KEYS
    respell: bool = True
    extreme: bool = True

    def bad(self, value):
        def replaced(key, array):
            return {**value, key: array}

        return super().bad(value) + [
            Bad("a list of keys", list(value)),
            Bad("'W_dec' of bools", replaced("W_dec", value["W_dec"] > 0)),
            Bad("'W_enc' complex", replaced("W_enc", value["W_enc"].astype(complex))),
            Bad(
                "'W_enc' of ints", replaced("W_enc", np.ones(value["W_enc"].shape, int))
            ),
            Bad("'b_dec' a list", replaced("b_dec", value["b_dec"].tolist())),
        ]


# updated in place: a read-only array is refused, so none is re-spelt as one
IN_PLACE = SAEParams(respell=False, writable=True)


@dataclass
class Shared(Array):
    """An array with an optional leading instance axis I (rank `core` without it):
    dropping the axis gives the form shared by all instances, valid too."""

    core: int = 2

    def bad(self, value):
        stacked = np.ndim(value) > self.core
        return [
            b
            for b in super().bad(value)
            if not (stacked and b.label == "one axis fewer")
        ]


# A forward pass over zero inputs is zero outputs (as relu of an empty array); a loss,
# a gradient or a measure over zero inputs is a mean of nothing, refused.
ROWS_MAY_BE_EMPTY = Shared(empty=SURVIVE)
WEIGHTS = Shared(core=1, optional=True)  # None: every weight 1
TRUSTED = (
    "check=False trusts arguments checked once (train_sae's loop): fuzzing it would "
    "feed unchecked input by design; tests/test_sae.py checks the same bits and that "
    "check is a bool"
)


def random_sae(rng, n_instances=None, d=3, m=5):
    """An SAE with non-zero biases and decoder columns of varied length."""
    p = lib.init_sae_params(d, m, rng, n_instances=n_instances)
    p["b_enc"] += rng.normal(0, 0.3, p["b_enc"].shape)
    p["b_dec"] += rng.normal(0, 0.3, p["b_dec"].shape)
    p["W_dec"] *= rng.uniform(0.5, 2.0, p["b_enc"].shape)[..., None, :]
    return p


def _instances(rng):
    return [None, 2][int(rng.integers(2))]


def _sae_and_inputs(rng, n_rows=6):
    """(params, Z): I instances or none; Z shared (N, d) or (I, N, d)."""
    n_instances = _instances(rng)
    params = random_sae(rng, n_instances)
    shared = n_instances is None or rng.integers(2) == 0
    Z = rng.normal(size=(n_rows, 3) if shared else (n_instances, n_rows, 3))
    return params, Z


def _forward_kwargs(rng):
    params, Z = _sae_and_inputs(rng)
    return {"params": params, "Z": Z, "subtract_decoder_bias": bool(rng.integers(2))}


def _check_forward(result, kwargs):
    p, Z = kwargs["params"], kwargs["Z"]
    shift = p["b_dec"][..., None, :] if kwargs["subtract_decoder_bias"] else 0.0
    h_linear = np.einsum("...md,...nd->...nm", p["W_enc"], Z - shift)
    h_linear = h_linear + p["b_enc"][..., None, :]
    h = np.maximum(h_linear, 0)
    Z_hat = np.einsum("...dm,...nm->...nd", p["W_dec"], h) + p["b_dec"][..., None, :]
    for got, want in zip(result, (h_linear, h, Z_hat)):
        assert got.shape == want.shape and np.allclose(got, want, atol=1e-12)


def _loss_kwargs(rng, with_coeff=False):
    n_instances = _instances(rng)
    lead = () if n_instances is None else (n_instances,)
    Z = rng.normal(size=(6, 3))
    kwargs = {
        "Z": Z,
        "Z_hat": Z + rng.normal(0, 0.5, size=lead + Z.shape),
        "H": np.maximum(rng.normal(size=lead + (6, 5)), 0),
        "l1_weights": rng.uniform(0.5, 2.0, size=lead + (5,)),
    }
    if with_coeff:
        kwargs["l1_coeff"] = float(rng.uniform(0, 2))
    return kwargs


def _terms(kwargs):
    Z, Z_hat, H = (np.asarray(kwargs[k]) for k in ("Z", "Z_hat", "H"))
    w = np.asarray(kwargs["l1_weights"])[..., None, :]
    return (
        np.sum((Z - Z_hat) ** 2, axis=(-2, -1)) / Z.shape[0],
        np.sum(np.abs(H) * w, axis=(-2, -1)) / Z.shape[0],
    )


def _check_terms(result, kwargs):
    for got, want in zip(result, _terms(kwargs)):
        assert np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=1e-12)


def _check_loss(result, kwargs):
    reconstruction, sparsity = _terms(kwargs)
    want = reconstruction + kwargs["l1_coeff"] * sparsity
    assert np.shape(result) == np.shape(want) and np.allclose(result, want, rtol=1e-12)


def _gradient_kwargs(rng):
    kwargs = _forward_kwargs(rng)
    kwargs["l1_coeff"] = float(rng.uniform(0, 1))
    kwargs["weight_l1_by_decoder_norm"] = bool(rng.integers(2))
    return kwargs


def _backward_kwargs(rng):
    kwargs = _gradient_kwargs(rng)
    h_linear, h, Z_hat = lib.sae_forward(
        kwargs["params"],
        kwargs["Z"],
        subtract_decoder_bias=kwargs["subtract_decoder_bias"],
    )
    return {**kwargs, "h_linear": h_linear, "h": h, "Z_hat": Z_hat}


def _check_gradients(result, kwargs):
    """Finite differences of the loss the gradient is of (summed over instances)."""
    Z, lam = kwargs["Z"], kwargs["l1_coeff"]
    subtract = kwargs["subtract_decoder_bias"]

    def loss(q):
        _, h, Z_hat = lib.sae_forward(q, Z, subtract_decoder_bias=subtract)
        w = (
            lib.decoder_norms(q["W_dec"])
            if kwargs["weight_l1_by_decoder_norm"]
            else None
        )
        return float(np.sum(lib.sae_loss(Z, Z_hat, h, lam, l1_weights=w)))

    params = {k: np.array(v) for k, v in kwargs["params"].items()}
    assert relative_error(result, numerical_gradient(loss, params)) < 1e-6


def _check_backward(result, kwargs):
    direct = lib.sae_gradients(
        kwargs["params"],
        kwargs["Z"],
        kwargs["l1_coeff"],
        subtract_decoder_bias=kwargs["subtract_decoder_bias"],
        weight_l1_by_decoder_norm=kwargs["weight_l1_by_decoder_norm"],
    )
    assert all(np.allclose(result[k], direct[k], rtol=1e-12, atol=0) for k in KEYS)


def _check_init(result, kwargs):
    lead = () if kwargs["n_instances"] is None else (kwargs["n_instances"],)
    d, m = kwargs["n_inputs"], kwargs["n_latents"]
    shapes = {"W_enc": (m, d), "b_enc": (m,), "W_dec": (d, m), "b_dec": (d,)}
    assert {k: v.shape for k, v in result.items()} == {
        k: lead + s for k, s in shapes.items()
    }
    assert all(v.dtype == kwargs["dtype"] for v in result.values())
    assert np.allclose(np.linalg.norm(result["W_dec"], axis=-2), 1, atol=1e-6)
    assert np.all(np.abs(result["W_enc"]) <= np.sqrt(6 / d))


def _check_shape(result, kwargs):
    W_enc = kwargs["params"]["W_enc"]
    lead = W_enc.shape[0] if W_enc.ndim == 3 else None
    assert result == (lead, *W_enc.shape[-2:])


def _check_norms(result, kwargs):
    W_dec = np.asarray(kwargs["W_dec"])
    assert np.allclose(result, np.linalg.norm(W_dec, axis=-2), rtol=1e-12)
    for c in (1e300, 1e-300):  # ||cW|| = c ||W||, even where (cW)^2 is no float64
        scaled = invoke("decoder_norms", PLAIN, {"W_dec": W_dec * c})
        assert np.allclose(scaled / c, result, rtol=1e-12)


def _check_normalized(result, kwargs):
    assert np.allclose(np.linalg.norm(result["W_dec"], axis=-2), 1, rtol=1e-12)
    before = kwargs["params"]["W_dec"]
    cosines = np.sum(before * result["W_dec"], axis=-2) / np.linalg.norm(
        before, axis=-2
    )
    assert np.allclose(cosines, 1, rtol=1e-12), "each column keeps its direction"


def _parallel_kwargs(rng):
    W_dec = random_sae(rng, _instances(rng))["W_dec"]
    return {"W_dec": W_dec, "grad_W_dec": rng.normal(size=W_dec.shape)}


def _check_parallel(result, kwargs):
    W_dec = kwargs["W_dec"]
    unit = W_dec / np.linalg.norm(W_dec, axis=-2, keepdims=True)
    assert np.allclose(np.sum(unit * result, axis=-2), 0, atol=1e-12)
    # the component removed is along each column: what is left plus it is the gradient
    along = kwargs["grad_W_dec"] - result
    assert np.allclose(along - unit * np.sum(unit * along, axis=-2, keepdims=True), 0)
    for c in (1e300, 1e-300):  # the projection does not depend on the columns' length
        again = invoke(
            "remove_parallel_gradient", PLAIN, {**kwargs, "W_dec": c * W_dec}
        )
        assert np.allclose(again, result, rtol=1e-12)


GRADIENT_ARGS = {
    "params": SAEParams(),
    "Z": Shared(),
    "l1_coeff": Real(0.0, np.inf),
    "subtract_decoder_bias": FLAG,
    "weight_l1_by_decoder_norm": FLAG,
}

SPECS = {
    "SAE_KEYS": Constant(check=lambda keys: keys == KEYS),
    "init_sae_params": Spec(
        build=lambda rng: {
            "n_inputs": int(rng.integers(1, 5)),
            "n_latents": int(rng.integers(1, 8)),
            "rng": int(rng.integers(0, 1000)),
            "n_instances": int(rng.integers(1, 4)),
            "dtype": [np.float32, np.float64][int(rng.integers(2))],
        },
        args={
            "n_inputs": Int(low=1),
            "n_latents": Int(low=1),
            "rng": Rng(),
            "n_instances": Int(low=1, optional=True),
            "dtype": Dtype(),
        },
        check=_check_init,
    ),
    "sae_shape": Spec(
        build=lambda rng: {
            "params": random_sae(rng, _instances(rng)),
            "in_place": False,  # True refuses the read-only re-spelling of params
        },
        args={"params": SAEParams(), "in_place": FLAG},
        check=_check_shape,
    ),
    "check_sae_input": Spec(
        build=lambda rng: dict(zip(("params", "Z"), _sae_and_inputs(rng))),
        args={"Z": ROWS_MAY_BE_EMPTY, "params": SAEParams()},
        check=lambda result, kwargs: np.array_equal(result, kwargs["Z"]),
    ),
    "sae_forward": Spec(
        build=_forward_kwargs,
        args={
            "params": SAEParams(),
            "Z": ROWS_MAY_BE_EMPTY,
            "subtract_decoder_bias": FLAG,
        },
        skip={"check": TRUSTED},
        check=_check_forward,
    ),
    "check_reconstruction_pair": Spec(
        build=lambda rng: {
            k: v for k, v in _loss_kwargs(rng).items() if k in ("Z", "Z_hat")
        },
        args={"Z": Shared(), "Z_hat": Shared()},
    ),
    "check_l1_coeff": Spec(
        build=lambda rng: {
            "l1_coeff": float(rng.uniform(0, 3)),
            "n_instances": int(rng.integers(1, 4)),
        },
        args={"l1_coeff": Real(0.0, np.inf), "n_instances": Int(optional=True)},
    ),
    "decoder_norms": Spec(
        build=lambda rng: {"W_dec": random_sae(rng, _instances(rng))["W_dec"]},
        args={"W_dec": Shared()},
        check=_check_norms,
    ),
    "sae_loss_terms": Spec(
        build=_loss_kwargs,
        args={"Z": Shared(), "Z_hat": Shared(), "H": Shared(), "l1_weights": WEIGHTS},
        check=_check_terms,
    ),
    "sae_loss": Spec(
        build=lambda rng: _loss_kwargs(rng, with_coeff=True),
        args={
            "Z": Shared(),
            "Z_hat": Shared(),
            "H": Shared(),
            "l1_coeff": Real(0.0, np.inf),
            "l1_weights": WEIGHTS,
        },
        check=_check_loss,
    ),
    "sae_backward": Spec(
        build=_backward_kwargs,
        args={
            **GRADIENT_ARGS,
            "h_linear": Array(),
            "h": Array(),
            "Z_hat": Array(),
        },
        skip={"check": TRUSTED},
        check=_check_backward,
    ),
    "sae_gradients": Spec(
        build=_gradient_kwargs,
        args=GRADIENT_ARGS,
        check=_check_gradients,
    ),
    "normalize_decoder": Spec(
        build=lambda rng: {"params": random_sae(rng, _instances(rng))},
        args={"params": IN_PLACE},
        skip={"check": TRUSTED},
        check=_check_normalized,
    ),
    "remove_parallel_gradient": Spec(
        build=_parallel_kwargs,
        args={"W_dec": Shared(), "grad_W_dec": Array()},
        skip={"check": TRUSTED},
        check=_check_parallel,
    ),
}

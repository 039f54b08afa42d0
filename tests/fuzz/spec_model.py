"""Fuzz specs: the toy autoencoder (`superposition_lib.model`, chapter 3).

One model (W (k, n), b (n,)) or a stack of I instances (W (I, k, n), b (I, n)); X is
one sample (n,), a batch (N, n), or with instances also (I, N, n), so a wrong rank is
often a valid call and is not tried. A batch of no samples maps to no outputs.
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import SURVIVE, Array, Choice, Dtype, Int, Params, Real, Rng

X = Array(rank=False, empty=SURVIVE)
PARAMS = Params(keys=("W", "b"), respell=True, extreme=True)


def model(rng, *, instances=None, dense=True):
    """Small random params and a batch X: one model, or I instances (I, ...).

    `instances=None` draws one or the other. Dense X and a non-zero b keep every
    x_linear away from ReLU's kink (where a finite difference would disagree).
    """
    if instances is None:
        instances = [None, int(rng.integers(2, 4))][int(rng.integers(2))]
    # n >= 2: W and b can lose a feature (a wrong shape) and stay non-empty
    n, k, N = int(rng.integers(2, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 5))
    lead = () if instances is None else (instances,)
    params = {
        "W": rng.normal(size=lead + (k, n)),
        "b": rng.normal(scale=0.1, size=lead + (n,)),
    }
    X = rng.uniform(0.1, 1.0, size=lead + (N, n))
    return params, X


def _forward_args(rng):
    params, X = model(rng)
    return {"params": params, "X": X, "activation": ["relu", "linear"][rng.integers(2)]}


def _bottleneck_args(rng):
    params, X = model(rng)
    return {"W": params["W"], "X": X}


def _check_bottleneck(result, kwargs):
    W, X = kwargs["W"], kwargs["X"]
    assert np.allclose(result, X @ np.swapaxes(W, -1, -2), rtol=1e-12, atol=0)


def _check_forward(result, kwargs):
    W, b, X = kwargs["params"]["W"], kwargs["params"]["b"], kwargs["X"]
    z, x_linear, x_recon = result
    assert np.allclose(z, X @ np.swapaxes(W, -1, -2), rtol=1e-12)
    assert np.allclose(x_linear, z @ W + b[..., None, :], rtol=1e-12)
    want = x_linear if kwargs["activation"] == "linear" else np.maximum(x_linear, 0)
    assert np.array_equal(x_recon, want)


def _init_args(rng):
    return {
        "n_features": int(rng.integers(1, 8)),
        "n_hidden": int(rng.integers(1, 4)),
        "rng": int(rng.integers(0, 2**31)),
        "init": ["normal", "xavier"][int(rng.integers(2))],
        "scale": float(rng.uniform(1e-3, 1.0)),
        "n_instances": [None, int(rng.integers(1, 4))][int(rng.integers(2))],
        "dtype": [np.float32, np.float64][int(rng.integers(2))],
    }


def _check_init(result, kwargs):
    n, k, I = kwargs["n_features"], kwargs["n_hidden"], kwargs["n_instances"]
    lead = () if I is None else (I,)
    std = np.sqrt(2 / (n + k)) if kwargs["init"] == "xavier" else kwargs["scale"]
    draws = np.random.default_rng(kwargs["rng"]).standard_normal(lead + (k, n))
    assert result["W"].dtype == result["b"].dtype == kwargs["dtype"]
    assert np.array_equal(result["W"], (std * draws).astype(kwargs["dtype"]))
    assert result["b"].shape == lead + (n,) and not result["b"].any()


SPECS = {
    "INIT_SCHEMES": Constant(check=lambda v: v == ("normal", "xavier")),
    "ACTIVATIONS": Constant(check=lambda v: v == ("relu", "linear")),
    "xavier_std": Spec(
        build=lambda rng: {
            "n_features": int(rng.integers(1, 100)),
            "n_hidden": int(rng.integers(1, 100)),
        },
        args={"n_features": Int(low=1), "n_hidden": Int(low=1)},
        check=lambda r, kw: (
            abs(r - np.sqrt(2 / (kw["n_features"] + kw["n_hidden"]))) < 1e-15
        ),
    ),
    "init_params": Spec(
        build=_init_args,
        args={
            "n_features": Int(low=1),
            "n_hidden": Int(low=1),
            "rng": Rng(),
            "init": Choice(lib.INIT_SCHEMES),
            # checked even with init="xavier", which does not use it
            "scale": Real(0.0, np.inf, low_open=True),
            "n_instances": Int(low=1, optional=True),
            "dtype": Dtype(),
        },
        check=_check_init,
        examples=10,  # cheap: more valid draws
    ),
    "bottleneck": Spec(
        build=_bottleneck_args,
        args={"W": Array(rank=False), "X": X},  # W (k, n) or (I, k, n)
        check=_check_bottleneck,
        examples=10,  # cheap: more valid draws
    ),
    "forward": Spec(
        build=_forward_args,
        args={"params": PARAMS, "X": X, "activation": Choice(lib.ACTIVATIONS)},
        check=_check_forward,
        examples=10,  # cheap: more valid draws
    ),
}

"""Fuzz specs: the optimisers (`superposition_lib.optim`, chapter 6).

A step updates params in place, so params are never re-spelt (that they are modified
is the point); a read-only array must be refused, by name, and so must a NaN or inf in
params or grads: a step never writes a non-finite number into a model. Two steps with
the same gradient have a closed form (SGD: theta - 2 lr g; Adam: its bias-corrected
moments are exactly g and g^2, so each step is lr g / (|g| + eps)). `Adam.reset` takes
any NumPy index and is tested in tests/test_optim.py.
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Spec
from fuzz.kinds import Params, Real

KEYS = ("W", "b")
PARAMS = Params(keys=KEYS, writable=True, extreme=True)
GRADS = Params(keys=KEYS, respell=True, extreme=True)
LR = Real(0.0, np.inf, low_open=True)
BETA = Real(0.0, 1.0, high_open=True)


def _pair(rng):
    k, n = int(rng.integers(1, 4)), int(rng.integers(2, 6))
    return {"W": rng.normal(size=(k, n)), "b": rng.normal(size=n)}


def _sgd_args(rng):
    params = _pair(rng)
    size = 10.0 ** rng.uniform(-3, 3)
    grads = {k: size * rng.normal(size=v.shape) for k, v in params.items()}
    return {"lr": float(10.0 ** rng.uniform(-4, 0)), "params": params, "grads": grads}


def _sgd(lr, params, grads):
    optimizer = lib.SGD(lr=lr)
    optimizer.step(params, grads)
    returned = optimizer.step(params, grads)
    assert returned is params, "step returns the params it updated"
    return params


def _check_sgd(result, kwargs):
    for key, theta in kwargs["params"].items():
        want = theta - 2 * kwargs["lr"] * kwargs["grads"][key]
        assert np.allclose(result[key], want, rtol=1e-12, atol=1e-15)


def _adam_args(rng):
    return _sgd_args(rng) | {
        "beta1": float(rng.uniform(0, 0.99)),
        "beta2": float(rng.uniform(0, 0.9999)),
        "eps": float(10.0 ** rng.uniform(-10, -6)),
        "weight_decay": [0.0, float(rng.uniform(0, 0.1))][int(rng.integers(2))],
    }


def _adam(lr, beta1, beta2, eps, weight_decay, params, grads):
    optimizer = lib.Adam(
        lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay
    )
    optimizer.step(params, grads)
    returned = optimizer.step(params, grads)
    assert returned is params and optimizer.t == 2
    return params


def _check_adam(result, kwargs):
    lr, decay = kwargs["lr"], 1.0 - kwargs["lr"] * kwargs["weight_decay"]
    for key, theta in kwargs["params"].items():
        g = kwargs["grads"][key]
        step = lr * g / (np.abs(g) + kwargs["eps"])
        want = (theta * decay - step) * decay - step
        assert np.allclose(result[key], want, rtol=1e-9, atol=1e-12)


SPECS = {
    "SGD": Spec(
        build=_sgd_args,
        call=_sgd,
        args={"lr": LR, "params": PARAMS, "grads": GRADS},
        check=_check_sgd,
        examples=10,  # cheap: more valid draws
    ),
    "Adam": Spec(
        build=_adam_args,
        call=_adam,
        args={
            "lr": LR,
            "beta1": BETA,
            "beta2": BETA,
            "eps": Real(0.0, np.inf, low_open=True),
            "weight_decay": Real(0.0, np.inf),
            "params": PARAMS,
            "grads": GRADS,
        },
        check=_check_adam,
        examples=10,  # cheap: more valid draws
    ),
}

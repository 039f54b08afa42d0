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
from fuzz.kinds import Flag, Int, Params, Real

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


def _toy_loop_args(rng):
    """Two tiny linear regressions, one per instance, each on its own stream."""
    n_instances = int(rng.integers(1, 3))
    return {
        "params": {"w": rng.normal(size=(n_instances, 3))},
        "rngs": [
            np.random.default_rng(int(s)) for s in rng.integers(0, 99, n_instances)
        ],
        "steps": int(rng.integers(1, 6)),
        "lr": float(10.0 ** rng.uniform(-3, -1)),
        "weight_decay": [0.0, 0.01][int(rng.integers(2))],
        "log_every": int(rng.integers(1, 4)),
        "log_weights_every": [None, int(rng.integers(1, 4))][int(rng.integers(2))],
        "progress": False,
    }


def _regression_loss_and_gradients(params, rngs):
    """Least squares towards (1, 2, 3) on a fresh batch: loss (I,) and its gradient."""
    X = np.stack([rng.normal(size=(8, 3)) for rng in rngs])
    residual = X @ params["w"][..., None] - X @ np.array([1.0, 2.0, 3.0])[:, None]
    loss = np.mean(residual[..., 0] ** 2, axis=1)
    grad = 2 * np.mean(X * residual, axis=1)
    return loss, {"w": grad}


def _toy_loop(**kwargs):
    return lib.train_loop(_regression_loss_and_gradients, **kwargs)


def _check_toy_loop(result, kwargs):
    steps, I = kwargs["steps"], len(kwargs["rngs"])
    assert result.steps_logged[-1] == steps - 1 and result.losses.shape[1] == I
    if kwargs["log_weights_every"] is not None:
        assert result.weights["w"].shape == (len(result.steps_weights_logged), I, 3)


SPECS |= {
    "train_loop": Spec(
        build=_toy_loop_args,
        call=_toy_loop,
        args={
            "steps": Int(low=1),
            "lr": LR,
            "weight_decay": Real(0.0, np.inf),
            "log_every": Int(low=1),
            "log_weights_every": Int(low=1, optional=True),
            "progress": Flag(optional=True),
        },
        skip={
            "loss_and_gradients": "the model: a function; refused when not callable "
            "(tests/test_optim.py)",
            "params": "updated in place; their checks are tests/test_optim.py's",
            "rngs": "one Generator per instance; wrong lists: tests/test_optim.py",
        },
        check=_check_toy_loop,
    ),
    "logged_steps": Spec(
        build=lambda rng: {
            "steps": int(rng.integers(1, 50)),
            "every": int(rng.integers(1, 10)),
        },
        args={"steps": Int(low=1), "every": Int(low=1)},
        check=lambda result, kw: (
            result[0] == 0
            and result[-1] == kw["steps"] - 1
            and np.all(np.diff(result) > 0)
        ),
    ),
    "LoopResult": Spec(
        build=lambda rng: _toy_loop_args(rng) | {"steps": 2},
        call=_toy_loop,
        skip={
            field: "a record that train_loop fills; no function reads one"
            for field in ("losses", "steps_logged", "weights", "steps_weights_logged")
        },
        examples=1,
    ),
    "TrainingDiverged": Spec(
        build=lambda rng: {"message": "training diverged at step 3"},
        call=lambda message: (
            isinstance(lib.TrainingDiverged(message), ValueError)
            and isinstance(lib.TrainingDiverged(message), FloatingPointError)
        ),
        check=lambda result, kwargs: result is True,
        skip={"message": "any text"},
        examples=1,
    ),
}

"""Fuzz specs: computing |x| in superposition (`superposition_lib.computation`, ch. 19).

The oracles: the forward pass against eq. 19.2 written out, the gradient against finite
differences of chapter 4's loss with target |x|, the contributions against their
definition and their invariance under the rescaling of a neuron, the pairs and the
asymmetric neurons on hand-built models that have them (and after the rescaling).
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import Array, Flag, Generators, Int, Params, Real
from fuzz.spec_analysis import Bounded, Seed
from superposition_lib.conventions import instance_generators

KEYS = ("W1", "W2", "b")


def _model(rng):
    lead = [(), (2,)][int(rng.integers(2))]
    k, n = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    params = {
        "W1": rng.normal(0.0, 0.7, lead + (k, n)),
        "W2": rng.normal(0.0, 0.7, lead + (n, k)),
        "b": rng.normal(0.0, 0.2, lead + (n,)),
    }
    u = rng.random(lead + (5, n))
    return params, np.where(u < 0.6, 2 * u / 0.6 - 1, 0.0), 0.8 ** np.arange(n)


def _init_check(result, kwargs):
    I, k, n = len(kwargs["rngs"]), kwargs["n_hidden"], kwargs["n_features"]
    assert result["W1"].shape == (I, k, n) and result["W2"].shape == (I, n, k)
    assert np.all(result["b"] == 0)


def _forward_check(result, kwargs):
    W1, W2, b = (np.asarray(kwargs["params"][key]) for key in KEYS)
    X = np.asarray(kwargs["X"])
    h = np.maximum(np.einsum("...kn,...bn->...bk", W1, X), 0)
    y_linear = np.einsum("...nk,...bk->...bn", W2, h) + b[..., None, :]
    for got, want in zip(result, (h, y_linear, np.maximum(y_linear, 0))):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def _loss_check(result, kwargs):
    params, X, importance = (
        kwargs["params"],
        np.asarray(kwargs["X"]),
        kwargs["importance"],
    )
    loss, grads = result

    def loss_of(p):
        return np.sum(
            lib.weighted_loss(np.abs(X), lib.abs_forward(p, X)[2], importance)
        )

    np.testing.assert_allclose(np.sum(loss), loss_of(params))
    assert lib.relative_error(grads, lib.numerical_gradient(loss_of, params)) < 1e-6


def _training(rng):
    n, I = int(rng.integers(2, 5)), int(rng.integers(1, 3))
    return {
        "n_features": n,
        "n_hidden": int(rng.integers(1, 4)),
        "sparsity": rng.uniform(0.0, 0.9, size=I),
        "importance": 0.8 ** np.arange(n),
        "seed": int(rng.integers(0, 1000)),
        "steps": int(rng.integers(2, 5)),
        "batch_size": 4,
        "lr": 1e-2,
        "log_every": 1,
        "progress": False,
    }


def _training_check(result, kwargs):
    params, run = result
    I, k, n = len(kwargs["sparsity"]), kwargs["n_hidden"], kwargs["n_features"]
    assert params["W1"].shape == (I, k, n) and params["W2"].shape == (I, n, k)
    assert run.losses.shape == (kwargs["steps"], I)


def _rescale(params, factors):
    """The same model with neuron j's W1 row times a_j and W2 column divided by it."""
    return {
        "W1": params["W1"] * factors[:, None],
        "W2": params["W2"] / factors[None, :],
        "b": params["b"],
    }


def _contributions_check(result, kwargs):
    W1, W2 = np.asarray(kwargs["params"]["W1"]), np.asarray(kwargs["params"]["W2"])
    want = W1 * np.sqrt(np.sum(W2**2, axis=-2))[..., None]
    np.testing.assert_allclose(result, want, rtol=1e-12)


def _motif(rng):
    """A model with a neuron pair (feature 0), an asymmetric neuron (features 1, 2) and
    its inhibitor, rescaled by random positive factors; maybe stacked."""
    W1 = np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.5, -0.5], [0, 1.0, 0]])
    W2 = np.array([[1.0, 1.0, 0, 0], [0, 0, 0.5, 0], [0, 0, 1.5, -3.0]])
    params = _rescale({"W1": W1, "W2": W2, "b": np.zeros(3)}, rng.uniform(0.2, 5, 4))
    if rng.random() < 0.5:
        params = {key: np.stack([value, value]) for key, value in params.items()}
    return {"params": params}


def _pairs_check(result, kwargs):
    assert np.array_equal(
        result[..., :], np.broadcast_to([True, False, False], result.shape)
    )


def _asymmetric_check(result, kwargs):
    want = np.broadcast_to([False, False, True, False], result.shape)
    assert np.array_equal(result, want)
    # both ratios are 3: a larger ratio finds none
    again = lib.asymmetric_neurons(kwargs["params"], ratio=3.5)
    assert not np.any(again)


SPECS = {
    "ABS_KEYS": Constant(check=lambda keys: keys == KEYS),
    "init_abs_params": Spec(
        build=lambda rng: {
            "n_features": int(rng.integers(1, 5)),
            "n_hidden": int(rng.integers(1, 4)),
            "rngs": instance_generators(
                int(rng.integers(0, 99)), int(rng.integers(1, 3))
            ),
        },
        args={"n_features": Int(), "n_hidden": Int(), "rngs": Generators()},
        check=_init_check,
    ),
    "abs_forward": Spec(
        build=lambda rng: dict(zip(("params", "X"), _model(rng)[:2])),
        args={"params": Params(keys=KEYS), "X": Array()},
        check=_forward_check,
    ),
    "abs_loss_and_gradients": Spec(
        build=lambda rng: dict(zip(("params", "X", "importance"), _model(rng))),
        args={
            "params": Params(keys=KEYS),
            "X": Array(),
            "importance": Bounded(low=0.0),
        },
        check=_loss_check,
    ),
    "train_abs_model": Spec(
        build=_training,
        args={
            "n_features": Int(),
            "n_hidden": Int(),
            "sparsity": Bounded(low=0.0, high=1.0, high_open=True),
            "importance": Bounded(low=0.0, rank=False),
            "seed": Seed(),
            "steps": Int(),
            "batch_size": Int(),
            "lr": Real(0.0, np.inf, low_open=True),
            "log_every": Int(),
            "progress": Flag(optional=True),
        },
        check=_training_check,
        examples=2,
    ),
    "neuron_contributions": Spec(
        build=lambda rng: {"params": _model(rng)[0]},
        args={"params": Params(keys=KEYS)},
        check=_contributions_check,
    ),
    "paired_features": Spec(
        build=_motif, args={"params": Params(keys=KEYS)}, check=_pairs_check
    ),
    "asymmetric_neurons": Spec(
        build=lambda rng: {**_motif(rng), "ratio": 2.0},
        args={"params": Params(keys=KEYS), "ratio": Real(1.0, np.inf)},
        check=_asymmetric_check,
    ),
}

"""Fuzz specs: the neuron model (`superposition_lib.privileged`, chapter 18).

The oracles: the forward pass against eqs. 18.1-18.2 written out, the loss against
chapter 4's and the gradient against finite differences, the counts against the rule
(18.9) written out, and the no-superposition loss against its closed form (18.8) and
its scale law.
"""

import numpy as np
import pytest

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import Array, Flag, Generators, Int, Params, Real
from fuzz.spec_analysis import Bounded, Seed, Stack, weights
from superposition_lib.conventions import instance_generators


def _generators(rng):
    return instance_generators(int(rng.integers(0, 1000)), int(rng.integers(1, 4)))


def _init_check(result, kwargs):
    I, k, n = len(kwargs["rngs"]), kwargs["n_hidden"], kwargs["n_features"]
    assert result["W"].shape == (I, k, n) and result["b"].shape == (I, n)
    assert np.all(result["b"] == 0)


def _model(rng, *, lead=None):
    """A neuron model (one, or a stack of 2) with non-zero bias, and a sparse batch."""
    lead = [(), (2,)][int(rng.integers(2))] if lead is None else lead
    k, n = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    params = {
        "W": rng.normal(0.0, 0.7, lead + (k, n)),
        "b": rng.normal(0.0, 0.2, lead + (n,)),
    }
    X = rng.random(lead + (5, n)) * (rng.random(lead + (5, n)) < 0.6)
    return params, X, 0.75 ** np.arange(n)


def _forward_kwargs(rng):
    params, X, _ = _model(rng)
    return {"params": params, "X": X}


def _forward_check(result, kwargs):
    W, b = np.asarray(kwargs["params"]["W"]), np.asarray(kwargs["params"]["b"])
    X = np.asarray(kwargs["X"])
    h = np.maximum(np.einsum("...kn,...bn->...bk", W, X), 0)
    x_linear = np.einsum("...bk,...kn->...bn", h, W) + b[..., None, :]
    for got, want in zip(result, (h, x_linear, np.maximum(x_linear, 0))):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def _loss_kwargs(rng):
    params, X, importance = _model(rng)
    return {"params": params, "X": X, "importance": importance}


def _loss_check(result, kwargs):
    """The loss is chapter 4's; the gradient matches finite differences."""
    params, X, importance = kwargs["params"], kwargs["X"], kwargs["importance"]
    loss, grads = result
    x_hat = lib.neuron_forward(params, X)[2]
    np.testing.assert_allclose(loss, lib.weighted_loss(X, x_hat, importance))
    numeric = lib.numerical_gradient(
        lambda p: np.sum(lib.weighted_loss(X, lib.neuron_forward(p, X)[2], importance)),
        params,
    )
    assert lib.relative_error(grads, numeric) < 1e-6


def _training(rng):
    n, I = int(rng.integers(2, 5)), int(rng.integers(1, 3))
    return {
        "n_features": n,
        "n_hidden": int(rng.integers(1, 3)),
        "sparsity": rng.uniform(0.0, 0.9, size=I),
        "importance": 0.75 ** np.arange(n),
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
    assert params["W"].shape == (I, k, n) and params["b"].shape == (I, n)
    assert run.losses.shape == (kwargs["steps"], I)


def _features_kwargs(rng):
    return {"W": weights(rng), "relative": 0.3, "dead_below": 0.1}


def _features_check(result, kwargs):
    size = np.abs(np.asarray(kwargs["W"]))
    top = size.max(axis=-1, keepdims=True)
    want = (size >= kwargs["relative"] * top) & (top >= kwargs["dead_below"])
    assert np.array_equal(result, want & (top > 0))


def _kinds_check(result, kwargs):
    carried = lib.neuron_features(**kwargs).sum(axis=-1)
    assert set(result) == set(lib.NEURON_KINDS)
    assert np.array_equal(result["monosemantic"], np.sum(carried == 1, axis=-1))
    assert np.array_equal(result["polysemantic"], np.sum(carried > 1, axis=-1))
    total = sum(result[name] for name in lib.NEURON_KINDS)
    assert np.all(total == np.shape(kwargs["W"])[-2])


def _baseline_kwargs(rng):
    n = int(rng.integers(1, 6))
    return {
        "importance": rng.uniform(0.0, 1.0, n),
        "sparsity": float(rng.uniform(0.0, 0.99)),
        "n_dedicated": int(rng.integers(0, n + 2)),
    }


def _baseline_check(result, kwargs):
    """(18.8) written out; scaling the importances scales it."""
    importance, S = np.asarray(kwargs["importance"]), kwargs["sparsity"]
    p = 1 - S
    kept = np.argsort(importance)[::-1][: kwargs["n_dedicated"]]
    rest = np.delete(importance, kept)
    np.testing.assert_allclose(result, np.sum(rest) * (p / 3 - p**2 / 4))
    for c in (1e300, 1e-300):
        scaled = lib.no_superposition_loss(importance * c, S, kwargs["n_dedicated"])
        np.testing.assert_allclose(scaled / c, result, rtol=1e-12)


def _largest_importance_holds(value):
    """A float whose gradients (2 I |x̂ - x|, |x̂ - x| ~ 1) still square finitely."""
    assert isinstance(value, float) and np.isfinite((4 * value) ** 2)


def _kinds_hold(value):
    assert value == ("monosemantic", "polysemantic", "dead")


SPECS = {
    "init_neuron_params": Spec(
        build=lambda rng: {
            "n_features": int(rng.integers(1, 5)),
            "n_hidden": int(rng.integers(1, 4)),
            "rngs": _generators(rng),
        },
        args={"n_features": Int(), "n_hidden": Int(), "rngs": Generators()},
        check=_init_check,
    ),
    "neuron_forward": Spec(
        build=_forward_kwargs,
        args={"params": Params(keys=("W", "b")), "X": Array()},
        check=_forward_check,
    ),
    "neuron_loss_and_gradients": Spec(
        build=_loss_kwargs,
        args={
            "params": Params(keys=("W", "b")),
            "X": Array(),
            "importance": Bounded(low=0.0),
        },
        check=_loss_check,
    ),
    "LARGEST_IMPORTANCE": Constant(check=_largest_importance_holds),
    "train_neuron_model": Spec(
        build=_training,
        args={
            "n_features": Int(),
            "n_hidden": Int(),
            "sparsity": Bounded(low=0.0, high=1.0, high_open=True),
            # (), (n,) and (I, n) are all valid: a wrong rank is (n,)[None] only.
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
    "no_superposition_loss": Spec(
        build=_baseline_kwargs,
        args={
            "importance": Bounded(low=0.0),
            "sparsity": Real(0.0, 1.0, high_open=True),
            "n_dedicated": Int(low=0),
        },
        check=_baseline_check,
    ),
    "neuron_features": Spec(
        build=_features_kwargs,
        args={
            "W": Stack(),
            "relative": Real(0.0, 1.0, low_open=True),
            "dead_below": Real(0.0, np.inf),
        },
        check=_features_check,
    ),
    "NEURON_KINDS": Constant(check=_kinds_hold),
    "count_neuron_kinds": Spec(
        build=_features_kwargs,
        args={
            "W": Stack(),
            "relative": Real(0.0, 1.0, low_open=True),
            "dead_below": Real(0.0, np.inf),
        },
        check=_kinds_check,
    ),
}


def _rows_args(rng):
    n_instances, k, n = int(rng.integers(1, 3)), int(rng.integers(1, 4)), 4
    return {
        "importance": rng.uniform(0.1, 1.0, size=(n_instances, n)),
        "W": rng.normal(size=(n_instances, k, n)),
    }


def _rows_check(result, kwargs):
    assert result.shape == kwargs["importance"].shape[:-1] + (1, 4)


def _overflow_check(result, kwargs):
    """Finite arrays come back as they are; an overflowed one is refused by name."""
    assert all(np.array_equal(a, b) for a, b in zip(result, kwargs["arrays"]))
    with pytest.raises(ValueError, match=r"\|X\| <= 1e\+300"):
        lib.refuse_overflow((np.array([np.inf]),), "the test", X=np.array([1e300]))


SPECS |= {
    "importance_rows": Spec(
        build=_rows_args,
        args={"importance": Bounded(low=0.0, rank=False)},
        skip={"W": "the caller's checked weights: only their shape is read"},
        check=_rows_check,
    ),
    "refuse_overflow": Spec(
        build=lambda rng: {
            "arrays": (rng.normal(size=3),),
            "what": "the forward pass",
        },
        skip={
            "arrays": "the caller's results; refusing them is the point (check)",
            "what": "the text of the message",
        },
        check=_overflow_check,
    ),
}

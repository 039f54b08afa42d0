"""Fuzz specs: training many toy models at once (`superposition_lib.train`).

Tiny problems (3-5 features, batch 8, 2-5 steps) and few examples: a bad argument must
be refused before training starts, so only valid calls and extremes train at all.
"""

import numpy as np
import pytest

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import Choice, Dtype, Flag, Int, Params, Real
from fuzz.spec_analysis import Bounded, Seed


def _workspace(rng):
    n_instances, k, n = (
        int(rng.integers(1, 3)),
        int(rng.integers(1, 3)),
        int(rng.integers(3, 6)),
    )
    return {
        "params": {
            "W": rng.normal(scale=0.5, size=(n_instances, k, n)),
            "b": rng.normal(scale=0.1, size=(n_instances, n)),
        },
        "importance": rng.uniform(0.1, 1.0, size=(n_instances, n)),
        "keep_probability": rng.uniform(0.1, 1.0, size=(n_instances, n)),
        "batch_size": 8,
        "activation": ["relu", "linear"][int(rng.integers(2))],
        # Small enough that some draws process the instances in several chunks.
        "chunk_bytes": int(rng.choice([200, 2**21])),
        "threads": int(rng.integers(1, 3)),
        "rng": int(rng.integers(0, 1000)),
    }


def _use_workspace(
    params,
    importance,
    keep_probability,
    batch_size,
    activation,
    chunk_bytes,
    threads,
    rng,
):
    """A workspace, a batch drawn, its loss and gradient: (X, loss, grad)."""
    work = lib.TrainingWorkspace(
        params,
        importance,
        keep_probability,
        batch_size,
        activation,
        chunk_bytes=chunk_bytes,
        threads=threads,
    )
    X = work.sample_batch(lib.instance_generators(rng, len(params["W"]))).copy()
    loss, grad = work.loss_and_gradients(X)
    return X, loss.copy(), grad.copy()


def _workspace_check(result, kwargs):
    """The loss and gradient are chapter 4's loss and chapter 5's gradients."""
    X, loss, grad = result
    params, importance = kwargs["params"], kwargs["importance"]
    _, _, X_hat = lib.forward(params, X, kwargs["activation"])
    np.testing.assert_allclose(
        loss, lib.weighted_loss(X, X_hat, importance), rtol=1e-10
    )
    expected = lib.loss_gradients(params, X, importance, kwargs["activation"])
    k = params["W"].shape[1]
    np.testing.assert_allclose(grad[:, :k], expected["W"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad[:, k], expected["b"], rtol=1e-9, atol=1e-12)
    assert np.all((X >= 0) & (X < 1 / np.asarray(kwargs["keep_probability"])[:, None]))


def _training(rng):
    n_instances, n = int(rng.integers(1, 3)), int(rng.integers(3, 6))
    return {
        "n_features": n,
        "n_hidden": int(rng.integers(1, 3)),
        "sparsity": rng.uniform(0.0, 0.9, size=(n_instances, n)),
        "importance": rng.uniform(0.2, 1.0, size=(n_instances, n)),
        "steps": int(rng.integers(2, 6)),
        "batch_size": 8,
        "lr": float(rng.uniform(1e-3, 1e-2)),
        "n_instances": n_instances,
        "seed": int(rng.integers(0, 1000)),
        "activation": ["relu", "linear"][int(rng.integers(2))],
        "init": ["xavier", "normal"][int(rng.integers(2))],
        "weight_decay": float(rng.uniform(0.0, 0.1)),
        "dtype": [np.float32, np.float64][int(rng.integers(2))],
        "log_every": int(rng.integers(1, 4)),
        "log_weights_every": [None, int(rng.integers(1, 4))][int(rng.integers(2))],
        "first_instance": int(rng.integers(0, 3)),
        "threads": [None, 1, 2][int(rng.integers(3))],
        "progress": False,
    }


def _training_check(result, kwargs):
    """Shapes, the logged steps, the W and b of params, and a run whose last update
    overflows raises instead of returning inf weights (no loss is computed after it)."""
    I, k, n = kwargs["n_instances"], kwargs["n_hidden"], kwargs["n_features"]
    assert result.W.shape == (I, k, n) and result.W.dtype == np.dtype(kwargs["dtype"])
    assert result.W is result.params["W"] and result.b is result.params["b"]
    assert result.steps_logged[-1] == kwargs["steps"] - 1
    assert result.losses.shape == (len(result.steps_logged), I)
    if kwargs["log_weights_every"] is not None:
        assert result.W_logged.shape == (len(result.steps_weights_logged), I, k, n)
    absurd = dict(kwargs, steps=1, lr=1e308, weight_decay=0.0)
    with pytest.raises(FloatingPointError, match=r"training diverged at step 0: .*lr"):
        lib.train_toy_model(**absurd)


def _result(rng):
    kwargs = _training(rng)
    return {
        key: kwargs[key]
        for key in ("n_features", "n_hidden", "sparsity", "n_instances", "seed")
    }


SAMPLER = (
    "a function (None: chapter 1's data); refusals of a non-function, a wrong shape "
    "and non-finite numbers are tested in tests/test_train.py"
)
RECORD = "a result record that train_toy_model fills; no function reads one"


def _threads_variable_holds(name):
    """The environment switch for the trainer's default thread count (as the progress
    switch of book/00_progress): a name, read only when threads=None."""
    assert name == "SUPERPOSITION_THREADS"


SPECS = {
    "THREADS_VARIABLE": Constant(check=_threads_variable_holds),
    "TrainingWorkspace": Spec(
        build=_workspace,
        call=_use_workspace,
        args={
            "params": Params(keys=("W", "b")),
            "importance": Bounded(low=0.0),
            "keep_probability": Bounded(low=0.0, high=1.0, low_open=True),
            "batch_size": Int(low=1),
            "activation": Choice(("relu", "linear")),
            "chunk_bytes": Int(low=1),
            "threads": Int(low=1),
        },
        skip={
            "rng": "the seed of the batch, drawn by the spec, not the workspace's",
            "sampler": SAMPLER,
        },
        check=_workspace_check,
    ),
    "TrainResult": Spec(
        build=_result,
        call=lambda **kwargs: lib.train_toy_model(
            **kwargs, steps=2, batch_size=8, progress=False
        ),
        skip={
            field: RECORD
            for field in (
                "W",
                "b",
                "losses",
                "steps_logged",
                "params",
                "importance",
                "sparsity",
                "W_logged",
                "b_logged",
                "steps_weights_logged",
            )
        },
        examples=1,
    ),
    "train_toy_model": Spec(
        build=_training,
        args={
            "n_features": Int(low=1),
            "n_hidden": Int(low=1),
            "sparsity": Bounded(low=0.0, high=1.0, high_open=True),
            # (n,) and (I, n) are both valid: a wrong rank is (I, n)[None] only.
            "importance": Bounded(low=0.0, rank=False, optional=True),  # None: 0.7**i
            "steps": Int(low=1),
            "batch_size": Int(low=1),
            "lr": Real(0.0, np.inf, low_open=True),
            "n_instances": Int(low=1),
            "seed": Seed(),
            "activation": Choice(("relu", "linear")),
            "init": Choice(("normal", "xavier")),
            "weight_decay": Real(0.0, np.inf),
            "dtype": Dtype(),
            "log_every": Int(low=1),
            "log_weights_every": Int(low=1, optional=True),
            "first_instance": Int(low=0),
            "threads": Int(low=1, optional=True),
            "progress": Flag(optional=True),
        },
        skip={"sampler": SAMPLER},
        check=_training_check,
        examples=2,
    ),
}

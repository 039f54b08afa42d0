"""Fuzz specs: an SAE on a real network (`superposition_lib.real_network`, ch. 22).

The oracles: the forward pass and the readout against their equations written with
einsum, the cross-entropy against its definition (and its invariance to a constant
added to every logit), the gradients against finite differences, the purity against a
count done by hand, and the trainer and the initialisation against their promises
(shapes, instance i independent of I).
"""

from dataclasses import dataclass

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec, invoke
from fuzz.kinds import Array, Bad, Flag, Int, Kind, Params, Real, Rng, read_only
from fuzz.spec_sae import Shared
from superposition_lib.backprop import numerical_gradient, relative_error

KEYS = ("W1", "b1", "W2", "b2")
PLAIN = Spec(build=dict)
MLP = Params(keys=KEYS)


@dataclass
class ReadoutParams(Params):
    """MLP parameters as the readout sees them: W1's input width is any (a W1 with one
    column fewer is a valid network of one input fewer), the rest must match."""

    keys: tuple = KEYS

    def bad(self, value):
        return [b for b in super().bad(value) if b.label != "'W1' with a wrong shape"]


@dataclass
class Labels(Kind):
    """Integer class indices, one per row, in [0, c)."""

    bounded: bool = True  # classes past the logits' c are refused (else: more classes)

    def bad(self, value):
        y = np.asarray(value)
        too_large = [Bad("a class too large", np.where(y == y.max(), 3, y))]
        return (
            super().bad(value)
            + (too_large if self.bounded else [])
            + [
                Bad("floats", y.astype(float)),
                Bad("bools", y > 0),
                Bad("a negative class", np.where(y == y.min(), -1, y)),
                Bad("one label fewer", y[..., :-1]),
                Bad("one more axis", y[None, None]),
                Bad("a ragged list", [[0, 1], [2]]),
            ]
        )

    def respellings(self, value):
        y = np.asarray(value)
        return [
            ("list", y.tolist()),
            ("int32", y.astype(np.int32)),
            ("read-only", read_only(y)),
        ]


@dataclass
class Generators(Kind):
    """A list of Generators (or seeds), one per instance."""

    def bad(self, value):
        return [
            Bad("None", None),
            Bad("one Generator, not a list", np.random.default_rng(0)),
            Bad("an empty list", []),
            Bad("a list with a string", ["seven"]),
            Bad("a list with a negative seed", [-1]),
            Bad("a list with a float", [1.5]),
        ]


def _network(rng, n_instances=2, n_inputs=4, n_hidden=5, n_classes=3):
    """MLP parameters with non-zero biases (no unit at its kink by construction)."""
    gens = [np.random.default_rng(int(rng.integers(1000))) for _ in range(n_instances)]
    p = lib.init_mlp_params(n_inputs, n_hidden, n_classes, gens)
    p["b1"] += rng.normal(0, 0.3, p["b1"].shape)
    p["b2"] += rng.normal(0, 0.3, p["b2"].shape)
    return p


def _inputs(rng, shared=None):
    """X shared by the two instances (N, 4), or one set per instance (2, N, 4)."""
    shared = bool(rng.integers(2)) if shared is None else shared
    return rng.normal(size=(7, 4) if shared else (2, 7, 4))


def _labels(rng, shape=(7,)):
    y = rng.integers(0, 3, shape)
    y.flat[:3] = [0, 1, 2]  # every class present, so the extremes of y are 0 and 2
    return y


def _forward_kwargs(rng):
    return {"params": _network(rng), "X": _inputs(rng)}


def _hidden(params, X):
    X = np.broadcast_to(X, (2,) + X.shape[-2:])
    H_linear = np.einsum("ihn,ikn->ikh", params["W1"], X) + params["b1"][:, None]
    return H_linear, np.maximum(H_linear, 0)


def _check_forward(result, kwargs):
    p = kwargs["params"]
    H_linear, H = _hidden(p, np.asarray(kwargs["X"]))
    logits = np.einsum("ich,ikh->ikc", p["W2"], H) + p["b2"][:, None]
    for got, want in zip(result, (H_linear, H, logits)):
        assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


def _readout_kwargs(rng):
    lead = [(), (2,)][int(rng.integers(2))]
    return {"params": _network(rng), "H": np.abs(rng.normal(size=lead + (7, 5)))}


def _check_readout(result, kwargs):
    p, H = kwargs["params"], np.broadcast_to(kwargs["H"], (2, 7, 5))
    want = np.einsum("ich,ikh->ikc", p["W2"], H) + p["b2"][:, None]
    assert np.allclose(result, want, rtol=1e-12, atol=1e-12)


def _ce_kwargs(rng):
    lead = [(), (2,)][int(rng.integers(2))]
    return {"logits": rng.normal(size=lead + (7, 3)), "labels": _labels(rng)}


def _check_ce(result, kwargs):
    logits, y = np.asarray(kwargs["logits"]), np.asarray(kwargs["labels"])
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    want = -np.log(
        np.take_along_axis(p, np.broadcast_to(y, p.shape[:-1])[..., None], -1)
    )
    assert np.allclose(result, want[..., 0].mean(axis=-1), rtol=1e-12)
    shifted = {"logits": logits + 1e3, "labels": y}  # softmax ignores a shared shift
    assert np.allclose(invoke("softmax_cross_entropy", PLAIN, shifted), result)


def _gradient_kwargs(rng):
    X = _inputs(rng)
    y = _labels(rng, (7,) if X.ndim == 2 else (2, 7))
    return {"params": _network(rng), "X": X, "labels": y}


def _check_gradients(result, kwargs):
    loss, grads = result
    p, X, y = kwargs["params"], kwargs["X"], kwargs["labels"]
    numeric = numerical_gradient(
        lambda q: lib.mlp_loss_and_gradients(q, X, y)[0].sum(), p
    )
    assert relative_error(numeric, grads) < 1e-6
    logits = lib.mlp_forward(p, X)[2]
    assert np.allclose(loss, lib.softmax_cross_entropy(logits, y), rtol=1e-12)


def _init_kwargs(rng):
    seeds = [int(s) for s in rng.integers(0, 1000, 2)]
    return {
        "n_inputs": int(rng.integers(1, 5)),
        "n_hidden": int(rng.integers(1, 5)),
        "n_classes": int(rng.integers(2, 5)),
        "rngs": [np.random.default_rng(s) for s in seeds],
        "_seeds": seeds,
    }


def _init(**kwargs):
    kwargs.pop("_seeds")
    return lib.init_mlp_params(**kwargs)


def _check_init(result, kwargs):
    n_in, h, c = kwargs["n_inputs"], kwargs["n_hidden"], kwargs["n_classes"]
    assert result["W1"].shape == (2, h, n_in) and result["W2"].shape == (2, c, h)
    assert np.all(np.abs(result["W1"]) <= np.sqrt(6 / n_in))
    assert np.all(result["b1"] == 0) and np.all(result["b2"] == 0)
    alone = lib.init_mlp_params(
        n_in, h, c, [np.random.default_rng(kwargs["_seeds"][1])]
    )
    assert all(np.array_equal(alone[k][0], result[k][1]) for k in KEYS), (
        "instance 1 must not depend on instance 0"
    )


def _train_kwargs(rng):
    X = rng.normal(size=(12, 3))
    return {
        "X": X,
        "labels": _labels(rng, (12,)),
        "n_hidden": int(rng.integers(1, 5)),
        "n_instances": int(rng.integers(1, 3)),
        "steps": 3,
        "batch_size": 4,
        "lr": float(rng.uniform(1e-3, 1e-2)),
        "weight_decay": float(rng.uniform(0, 0.1)),
        "seed": int(rng.integers(0, 1000)),
        "log_every": int(rng.integers(1, 3)),
        "progress": False,
    }


def _check_training(result, kwargs):
    I, h = kwargs["n_instances"], kwargs["n_hidden"]
    assert result.params["W1"].shape == (I, h, 3)
    assert result.params["W2"].shape == (I, 3, h)
    assert result.losses.shape == (len(result.steps_logged), I)
    assert result.steps_logged[-1] == kwargs["steps"] - 1  # 0-based, as train_loop


def _purity_kwargs(rng):
    A = np.maximum(rng.normal(size=(9, 4)), 0)
    A[:, 0] = 0.0  # a unit that never fires
    return {"activations": A, "labels": _labels(rng, (9,)), "top_k": 3}


def _check_purity(result, kwargs):
    purity, majority, kept = result
    A, y, k = np.asarray(kwargs["activations"]), kwargs["labels"], kwargs["top_k"]
    for j in range(A.shape[1]):
        top = np.argsort(-A[:, j], kind="stable")[:k]
        top = top[A[top, j] > 0]
        assert kept[j] == len(top)
        if len(top):
            counts = np.bincount(y[top], minlength=3)
            assert (
                purity[j] == counts.max() / len(top) and majority[j] == counts.argmax()
            )
        else:
            assert purity[j] == 0 and majority[j] == -1


def _result_kwargs(rng):
    return {
        "params": _network(rng),
        "losses": rng.uniform(0, 1, (3, 2)),
        "steps_logged": np.array([1, 2, 3]),
    }


COUNT = Int(low=1)

SPECS = {
    "MLP_KEYS": Constant(check=lambda keys: keys == KEYS),
    "init_mlp_params": Spec(
        build=_init_kwargs,
        call=_init,
        args={
            "n_inputs": COUNT,
            "n_hidden": COUNT,
            "n_classes": Int(low=2),
            "rngs": Generators(),
        },
        check=_check_init,
    ),
    "mlp_forward": Spec(
        build=_forward_kwargs,
        args={"params": MLP, "X": Shared()},
        check=_check_forward,
    ),
    "mlp_readout": Spec(
        build=_readout_kwargs,
        args={"params": ReadoutParams(), "H": Shared()},
        check=_check_readout,
    ),
    "softmax_cross_entropy": Spec(
        build=_ce_kwargs,
        args={"logits": Shared(), "labels": Labels()},
        check=_check_ce,
    ),
    "mlp_loss_and_gradients": Spec(
        build=_gradient_kwargs,
        args={"params": MLP, "X": Shared(), "labels": Labels()},
        check=_check_gradients,
    ),
    "MLPTrainResult": Spec(
        build=_result_kwargs,
        call=lambda **kwargs: lib.MLPTrainResult(**kwargs),
        skip={
            name: "a record that train_mlp fills; it holds what it is given"
            for name in ("params", "losses", "steps_logged")
        },
        examples=1,
    ),
    "train_mlp": Spec(
        build=_train_kwargs,
        args={
            "X": Array(),
            "labels": Labels(bounded=False),
            "n_hidden": COUNT,
            "n_instances": COUNT,
            "steps": COUNT,
            "batch_size": COUNT,
            "lr": Real(0.0, np.inf, low_open=True),
            "weight_decay": Real(0.0, np.inf),
            "seed": Rng(),
            "log_every": COUNT,
            "progress": Flag(optional=True),
        },
        check=_check_training,
        examples=2,
    ),
    "class_purity": Spec(
        build=_purity_kwargs,
        args={
            "activations": Array(scale_free=True),
            "labels": Labels(bounded=False),
            "top_k": COUNT,
        },
        check=_check_purity,
    ),
}

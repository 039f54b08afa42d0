"""Fuzz specs: gradients, by hand and by differences (`superposition_lib.backprop`).

Oracles: the batch gradient equals the per-sample loop and the central difference of
the loss; `numerical_gradient` gives the same numbers for every spelling of params
(it once perturbed a copy of a Fortran-ordered array and returned zeros);
`relative_error` is the definition and ignores a common scaling, even by 1e±300.
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Spec, invoke
from fuzz.kinds import SURVIVE, Array, Callable_, Choice, Params, Real
from fuzz.spec_model import model


def _gradient_args(rng):
    params, X = model(rng)
    lead = params["W"].shape[:-2]
    per_instance = bool(lead) and bool(rng.integers(2))
    n = X.shape[-1]
    return {
        "params": params,
        "X": X,
        "importance": rng.uniform(0.1, 1, size=lead + (n,) if per_instance else (n,)),
        "activation": ["relu", "linear"][int(rng.integers(2))],
    }


class TotalLoss:
    """f(params): the sum of the instances' losses, the scalar a difference needs."""

    def __init__(self, X, importance, activation):
        self.X, self.importance, self.activation = X, importance, activation

    def __call__(self, params):
        x_recon = lib.forward(params, self.X, self.activation)[2]
        return np.sum(lib.weighted_loss(self.X, x_recon, self.importance))


def _check_gradients(result, kwargs):
    per_sample = lib.loss_gradients_per_sample(**kwargs)
    assert lib.relative_error(result, per_sample) < 1e-12, "the loop agrees"
    f = TotalLoss(kwargs["X"], kwargs["importance"], kwargs["activation"])
    numerical = lib.numerical_gradient(f, kwargs["params"], h=1e-6)
    assert lib.relative_error(result, numerical) < 1e-6, "finite differences agree"


def _numerical_args(rng):
    kwargs = _gradient_args(rng)
    f = TotalLoss(kwargs["X"], kwargs["importance"], kwargs["activation"])
    return {"f": f, "params": kwargs["params"], "h": float(rng.uniform(1e-7, 1e-5))}


def _check_numerical(result, kwargs):
    # The loss is quadratic in b and piecewise quartic in W: central differences agree
    # with the analytic gradient to O(h^2), far below 1e-6 at these h.
    f, params = kwargs["f"], kwargs["params"]
    analytic = lib.loss_gradients(params, f.X, f.importance, f.activation)
    assert lib.relative_error(result, analytic) < 1e-6
    assert all(result[key].dtype == np.float64 for key in result)


def _check_relative_error(result, kwargs):
    a, b = kwargs["a"], kwargs["b"]
    want = np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b))
    assert abs(result - want) <= 1e-12 * want
    for c in (1e300, 1e-300):  # a ratio of norms: no scale can change it
        scaled = invoke(
            "relative_error", SPECS["relative_error"], {"a": c * a, "b": c * b}
        )
        # c * a rounds each entry: a difference 1e-6 of a's size keeps ~10 digits
        assert abs(scaled - result) <= 1e-8 * result, f"changed when scaled by {c:g}"


def _relative_args(rng):
    shape = tuple(int(s) for s in rng.integers(1, 5, size=int(rng.integers(1, 3))))
    a = rng.normal(size=shape)
    return {"a": a, "b": a + rng.normal(scale=10.0 ** rng.integers(-6, 1), size=shape)}


GRADIENT_ARGS = {
    "params": Params(keys=("W", "b"), respell=True, extreme=True),
    "X": Array(),  # a batch mean: zero samples are refused
    "importance": Array(),
    "activation": Choice(lib.ACTIVATIONS),
}

SPECS = {
    "loss_gradients_per_sample": Spec(
        build=_gradient_args, args=GRADIENT_ARGS, examples=10
    ),
    "loss_gradients": Spec(
        build=_gradient_args, args=GRADIENT_ARGS, check=_check_gradients, examples=10
    ),
    "numerical_gradient": Spec(
        build=_numerical_args,
        args={
            "f": Callable_(),
            # f (the loss) is what refuses too large a W, so no extremes here
            "params": Params(keys=("W", "b"), respell=True, extreme=False),
            "h": Real(0.0, 1.0, low_open=True),
        },
        check=_check_numerical,
        examples=10,  # cheap: more valid draws
    ),
    "relative_error": Spec(
        build=_relative_args,
        # Two empty arrays agree: their relative error is 0, not refused. Dicts of
        # arrays (the gradients' spelling) are compared key by key with the same code.
        args={"a": Array(empty=SURVIVE), "b": Array(empty=SURVIVE)},
        check=_check_relative_error,
        examples=10,  # cheap: more valid draws
    ),
}

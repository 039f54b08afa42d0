"""Fuzz specs: sparsity measures (`superposition_lib.metrics`, chapter 17).

Each `check=` holds an oracle (the definition) and the scale law the chapter teaches,
at ordinary and extreme scales (1e±300): L0 and Gini ignore a scaling of A (Hurley and
Rickard's "scaling" criterion), L1 scales with it, the MSE with its square.
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import OUT_OF_RANGE, PLAIN, Spec, invoke, scale_law
from fuzz.kinds import Array, Real

# Any shape is valid (the measures pool every entry), so a wrong rank is not tried.
ACTIVATIONS = Array(rank=False)


def _activations(rng):
    """Sparse, signed activations of a random shape (some entries exactly zero)."""
    shape = tuple(int(s) for s in rng.integers(1, 6, size=int(rng.integers(1, 4))))
    A = rng.normal(size=shape) * (rng.random(shape) < 0.6)
    A.flat[0] = rng.uniform(0.5, 2)  # never all zeros (checked on its own below)
    return A


def _check_l0(result, kwargs):
    A, threshold = kwargs["A"], kwargs["threshold"]
    assert result == np.mean(np.abs(A) > threshold)
    if threshold == 0:
        scale_law("l0_fraction", kwargs, "A", 0, result, rtol=0)


def _check_l1(result, kwargs):
    assert abs(result - np.mean(np.abs(kwargs["A"]))) <= 1e-12 * result
    scale_law("l1_norm", kwargs, "A", 1, result)


def _gini_definition(A):
    a = np.abs(np.ravel(A))
    return np.abs(a[:, None] - a[None, :]).sum() / (2 * a.size**2 * a.mean())


def _check_gini(result, kwargs):
    assert abs(result - _gini_definition(kwargs["A"])) < 1e-12
    scale_law("gini", kwargs, "A", 0, result, rtol=1e-12)
    zeros = {"A": np.zeros_like(kwargs["A"])}
    assert invoke("gini", PLAIN, zeros) == 0.0, "all zeros: the documented 0.0"


def _check_original_gini(result, kwargs):
    assert abs(result - lib.gini(kwargs["activations"])) < 1e-12


def _check_mse(result, kwargs):
    diff = kwargs["A"] - kwargs["A_hat"]
    assert abs(result - np.mean(diff**2)) <= 1e-12 * result
    # (cA - cA_hat)^2 at c = 1e±300 is no float64: refused, never inf or a wrong 0
    scale_law(
        "reconstruction_mse", kwargs, ("A", "A_hat"), 2, result, refuse=OUT_OF_RANGE
    )


def _reconstruction(rng):
    A = _activations(rng)
    return {"A": A, "A_hat": A + 0.1 * rng.normal(size=A.shape)}


SPECS = {
    "l0_fraction": Spec(
        build=lambda rng: {
            "A": _activations(rng),
            "threshold": [0.0, float(rng.uniform(0, 1))][int(rng.integers(2))],
        },
        args={"A": ACTIVATIONS, "threshold": Real(low=0.0)},
        check=_check_l0,
    ),
    "l1_norm": Spec(
        build=lambda rng: {"A": _activations(rng)},
        args={"A": ACTIVATIONS},
        check=_check_l1,
    ),
    "gini": Spec(
        build=lambda rng: {"A": _activations(rng)},
        args={"A": ACTIVATIONS},
        check=_check_gini,
    ),
    "original_gini": Spec(
        build=lambda rng: {"activations": _activations(rng)},
        skip={
            "activations": "the original document's code, verbatim and on purpose "
            "unvalidated: the baseline `gini` is checked and timed against (chapter "
            "14 shows it giving NaN on all zeros). Only valid input is tried, and it "
            "must agree with `gini`."
        },
        check=_check_original_gini,
    ),
    "reconstruction_mse": Spec(
        build=_reconstruction,
        args={"A": ACTIVATIONS, "A_hat": ACTIVATIONS},
        check=_check_mse,
    ),
}

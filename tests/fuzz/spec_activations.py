"""Fuzz specs: ReLU and its derivative (`superposition_lib.activations`, chapter 2)."""

import numpy as np

from fuzz.harness import Spec
from fuzz.kinds import SURVIVE, Array

# Elementwise: any shape is valid (so a wrong rank is not tried), and an empty array
# gives an empty result.
X = Array(empty=SURVIVE, rank=False)


def _x(rng):
    shape = tuple(int(s) for s in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    x = rng.normal(size=shape)
    x.flat[0] = 0.0  # the kink itself, every time
    return x


def _check_relu(result, kwargs):
    x = kwargs["x"]
    assert result.shape == x.shape and result.dtype == np.float64
    assert np.array_equal(result, np.where(x > 0, x, 0.0))


def _check_derivative(result, kwargs):
    x = kwargs["x"]
    assert result.shape == x.shape and result.dtype == np.float64
    assert np.array_equal(result, (x > 0).astype(float)), "1 above 0, else 0"


SPECS = {
    "relu": Spec(
        build=lambda rng: {"x": _x(rng)},
        args={"x": X},
        positional=("x",),
        check=_check_relu,
        examples=10,  # cheap: more valid draws
    ),
    "relu_derivative": Spec(
        build=lambda rng: {"x": _x(rng)},
        args={"x": X},
        positional=("x",),
        check=_check_derivative,
        examples=10,  # cheap: more valid draws
    ),
}

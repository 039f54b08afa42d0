# GENERATED from book/02_relu.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""ReLU and its derivative.

The toy model of [elhage2022superposition] is linear except for one place: a
rectified linear unit (ReLU) on the output. That single non-linearity is what makes
superposition possible. A linear model can only keep the top $k$ directions of its
input; with a ReLU, small negative interference between features can be cut off to
zero, so the model can afford to pack more features than dimensions. This short
chapter implements the ReLU and the derivative that backpropagation (chapter 5)
multiplies by, and settles the one question the derivative leaves open: what it is
at $x = 0$.
"""

import numpy as np

from superposition_lib.conventions import check_array

__all__ = [
    "relu",
    "relu_derivative",
]


# ---- book/02_relu.ipynb, cell d1a2277b ----
def relu(x):
    """ReLU(x) = max(0, x), elementwise.

    float32 stays float32; any other real input becomes float64.
    """
    x = check_array(x, "x")
    return np.maximum(x, 0)


def relu_derivative(x):
    """dReLU/dx = 1 where x > 0, 0 where x <= 0 (0 at the kink); dtype as relu(x)."""
    x = check_array(x, "x")
    return (x > 0).astype(x.dtype)

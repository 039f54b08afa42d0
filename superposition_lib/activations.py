# GENERATED from book/02_relu.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""ReLU and its derivative."""

__all__ = ['relu', 'relu_derivative']


# ---- book/02_relu.ipynb cell 2 (id d1a2277b) ----
import numpy as np

from superposition_lib.conventions import check_array


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

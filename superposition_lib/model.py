# GENERATED from book/03_autoencoder.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""The toy autoencoder.

The toy model at the centre of [elhage2022superposition] is as small as a model can
be while still having to make a choice. It squeezes $n$ features into $k < n$ hidden
dimensions with a matrix $W$, then tries to read them back out with the *same*
matrix transposed, a bias and a ReLU. With $k < n$ it cannot keep every feature in
its own direction: it must drop some, or store several in overlapping directions and
live with the interference. Which of the two it does is the subject of Part II. This
chapter builds the model: its parameters and their initialisation, the forward pass,
the bottleneck activations, and the linear model that is the baseline for everything
the ReLU adds.
"""

import numpy as np

from superposition_lib.activations import relu
from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_float_dtype,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
    transpose_last,
)

__all__ = [
    "INIT_SCHEMES",
    "ACTIVATIONS",
    "xavier_std",
    "init_params",
    "bottleneck",
    "forward",
]


# ---- book/03_autoencoder.ipynb, cell 4e4587a4 ----
INIT_SCHEMES = ("normal", "xavier")
ACTIVATIONS = ("relu", "linear")


def xavier_std(n_features, n_hidden):
    """Xavier-normal std sigma = sqrt(2 / (fan_in + fan_out)) = sqrt(2 / (n + k))."""
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    return float(np.sqrt(2.0 / (n_features + n_hidden)))


def _init_std(init, scale, n_features, n_hidden):
    init = check_one_of(init, "init", INIT_SCHEMES)
    # Checked even where unused (xavier): a bad value is a mistake either way.
    scale = check_in_range(scale, "scale", 0.0, np.inf, low_open=True)
    if scale.ndim != 0:
        raise ValueError(f"scale must be a single number, got shape {scale.shape}")
    return xavier_std(n_features, n_hidden) if init == "xavier" else float(scale)


def init_params(
    n_features,
    n_hidden,
    rng,
    *,
    init="normal",
    scale=0.01,
    n_instances=None,
    dtype=np.float64,
):
    """Initial parameters: W ~ N(0, std^2) of shape (k, n), b = 0 of shape (n,).

    init="normal": std = scale, the original document's N(0, 0.01^2). init="xavier":
    std = sqrt(2 / (n + k)), the paper's code (`scale` is checked, not used). With
    `n_instances`, W is (I, k, n) and b is (I, n), each instance drawn independently.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    if n_instances is None:
        lead = ()
    else:
        lead = (check_positive_int(n_instances, "n_instances"),)
    dtype = check_float_dtype(dtype)
    std = _init_std(init, scale, n_features, n_hidden)
    # Drawn in float64, then rounded: a float32 model starts from the float64 weights.
    draws = as_generator(rng).standard_normal(lead + (n_hidden, n_features))
    W = (std * draws).astype(dtype)
    return {"W": W, "b": np.zeros(lead + (n_features,), dtype=dtype)}


def _check_inputs(X, W):
    """X as (N, n) or, for one sample, (n,); with instances also (I, N, n)."""
    X = check_array(X, "X", ndim=(1, 2) if W.ndim == 2 else (2, 3))
    if X.shape[-1] != W.shape[-1]:
        raise ValueError(
            f"X must have {W.shape[-1]} features on its last axis "
            f"(W has shape {W.shape}), got shape {X.shape}"
        )
    if X.ndim == 3 and X.shape[0] != W.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} instances on its first axis but W has "
            f"{W.shape[0]} (W shape {W.shape}, X shape {X.shape})"
        )
    return X


def _check_params(params):
    if not isinstance(params, dict) or not {"W", "b"} <= params.keys():
        raise TypeError(
            "params must be a dict with keys 'W' and 'b' (see "
            f"init_params), got {type(params).__name__}"
        )
    W = check_matrix_stack(params["W"], "params['W']")
    b = check_array(params["b"], "params['b']", shape=W.shape[:-2] + W.shape[-1:])
    return W, b


def _largest(A):
    return float(np.max(np.abs(A), initial=0.0))


def _refuse_overflow(result, what, **inputs):
    """Raise, naming the inputs and their sizes, if `result` overflowed float64."""
    if not np.all(np.isfinite(result)):
        sizes = ", ".join(
            f"|{name}| <= {_largest(A):.3g}" for name, A in inputs.items()
        )
        raise ValueError(f"{what} overflows float64, its inputs too large: {sizes}")
    return result


# Underflow (a product below 1e-308 becoming 0) is rounding, not an error; overflow
# and invalid values are caught by the check that follows.
_QUIET = dict(over="ignore", under="ignore", invalid="ignore")


def bottleneck(W, X):
    """Bottleneck activations Z = X W^T: (N, k), or (I, N, k) with an instance axis."""
    W = check_matrix_stack(W, "W")
    X = _check_inputs(X, W)
    with np.errstate(**_QUIET):
        Z = X @ transpose_last(W)
    return _refuse_overflow(Z, "Z = X W^T", W=W, X=X)


def forward(params, X, activation="relu"):
    """Forward pass z = X W^T, x_linear = z W + b, x_recon = ReLU(x_linear).

    One sample per row of X.

    activation="linear" gives the linear model x_recon = x_linear = X W^T W + b.
    Returns (z, x_linear, x_recon).
    """
    W, b = _check_params(params)
    X = _check_inputs(X, W)
    check_one_of(activation, "activation", ACTIVATIONS)
    with np.errstate(**_QUIET):
        z = X @ transpose_last(W)
        # With instances b (I, n) -> (I, 1, n): one bias row per instance.
        x_linear = z @ W + (b[:, None, :] if W.ndim == 3 else b)
    inputs = {"params['W']": W, "params['b']": b, "X": X}
    _refuse_overflow(x_linear, "x_linear = X W^T W + b", **inputs)
    x_recon = relu(x_linear) if activation == "relu" else x_linear
    return z, x_linear, x_recon

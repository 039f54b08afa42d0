# GENERATED from book/05_backprop.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Backpropagation by hand.

To train the toy model of [elhage2022superposition] we need the gradient of the
weighted loss with respect to every weight. Automatic differentiation would give it
to us for free; here we derive it with the chain rule, write it first the way the
original document does (one sample at a time, with outer products), then as three
matrix products over the whole batch, and finally let finite differences decide
whether either is right. Two details of the original document need care: its
gradient belongs to a *summed* loss while the loss we minimise is a *mean* over the
batch, and the weight matrix $W$ receives two gradient terms because the model uses
it twice.
"""

import numpy as np

from superposition_lib.activations import relu, relu_derivative
from superposition_lib.conventions import (
    check_array,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    transpose_last,
)
from superposition_lib.model import ACTIVATIONS, forward

__all__ = [
    "loss_gradients_per_sample",
    "loss_gradients",
    "numerical_gradient",
    "relative_error",
]


# ---- book/05_backprop.ipynb, cell 6bb55499 ----
def _check_model_inputs(params, X, importance, activation):
    """Check params {"W", "b"}, X and importance: one model or a stack of instances."""
    if not isinstance(params, dict) or not {"W", "b"} <= set(params):
        raise TypeError(
            f"params must be a dict with keys 'W' and 'b', got {type(params).__name__}"
        )
    W = check_matrix_stack(params["W"], "params['W']")
    lead, n = W.shape[:-2], W.shape[-1]
    b = check_array(params["b"], "params['b']", shape=lead + (n,))
    X = check_array(X, "X", shape=lead + (None, n))
    if X.shape[-2] == 0:
        raise ValueError(
            f"X must hold at least one sample (the loss is a mean over its rows), "
            f"got shape {X.shape}"
        )
    importance = check_array(importance, "importance", ndim=(1, len(lead) + 1))
    if importance.shape not in ((n,), lead + (n,)):
        raise ValueError(
            f"importance must have shape ({n},) or {lead + (n,)}, "
            f"got {importance.shape}"
        )
    check_in_range(importance, "importance", 0.0, np.inf)
    check_one_of(activation, "activation", ACTIVATIONS)
    if importance.ndim == 2:
        importance = importance[:, None, :]  # a row per instance, shared by its batch
    # A float32 model stays float32: float64 importances would upcast everything.
    return W, b, X, importance.astype(np.result_type(W, X), copy=False)


# Underflow (a product below 1e-308 becoming 0) is rounding, not an error; overflow is
# caught by _refuse_overflow, which names the inputs.
_QUIET = dict(over="ignore", under="ignore", invalid="ignore")


def _refuse_overflow(grads, W, b, X, importance):
    """The gradients, or a ValueError naming the inputs if one overflowed float64."""
    if all(np.all(np.isfinite(g)) for g in grads.values()):
        return grads
    inputs = {"X": X, "importance": importance, "params['W']": W, "params['b']": b}
    sizes = ", ".join(
        f"|{name}| <= {float(np.max(np.abs(A))):.3g}" for name, A in inputs.items()
    )
    raise ValueError(f"the gradients overflow float64, the inputs too large: {sizes}")


def loss_gradients_per_sample(params, X, importance, activation="relu"):
    """Gradients of the mean weighted loss, one sample at a time (eqs. 5.1-5.5).

    The original document's loop with outer products, corrected: the 1/B of the batch
    mean is included and the per-sample gradients are summed. Slow; kept to check and
    time against.
    """
    W, b, X, importance = _check_model_inputs(params, X, importance, activation)
    if W.ndim == 3:
        rows = [
            importance if importance.ndim == 1 else importance[i, 0]
            for i in range(len(W))
        ]
        per_instance = [
            loss_gradients_per_sample({"W": W[i], "b": b[i]}, X[i], rows[i], activation)
            for i in range(len(W))
        ]
        return {key: np.stack([g[key] for g in per_instance]) for key in ("W", "b")}
    forward({"W": W, "b": b}, X, activation)  # refuses, by name, too large a W or X
    grad_W, grad_b = np.zeros_like(W), np.zeros_like(b)
    batch_size = len(X)
    for x in X:
        with np.errstate(**_QUIET):
            z = W @ x  # (k,)
            x_linear = W.T @ z + b  # (n,)
            x_recon = relu(x_linear) if activation == "relu" else x_linear
            grad_x_recon = 2 * importance * (x_recon - x) / batch_size  # eq. 5.1
            grad_x_linear = (
                grad_x_recon * relu_derivative(x_linear)  # eq. 5.2
                if activation == "relu"
                else grad_x_recon
            )
            grad_b += grad_x_linear  # eq. 5.3
            grad_z = W @ grad_x_linear  # eq. 5.4
            grad_W_from_z = np.outer(grad_z, x)  # eq. 5.5, encoder
            grad_W_from_linear = np.outer(z, grad_x_linear)  # eq. 5.5, decoder
            grad_W += grad_W_from_z + grad_W_from_linear
    return _refuse_overflow({"W": grad_W, "b": grad_b}, W, b, X, importance)


# ---- book/05_backprop.ipynb, cell be409fd8 ----
def loss_gradients(params, X, importance, activation="relu"):
    """Gradients of the mean weighted loss for a whole batch (eqs. 5.6-5.7).

    params {"W": (k, n) or (I, k, n), "b": (n,) or (I, n)}; X (B, n) or (I, B, n);
    importance (n,) or (I, n). Returns {"W": like W, "b": like b}.
    """
    W, b, X, importance = _check_model_inputs(params, X, importance, activation)
    z, x_linear, x_recon = forward({"W": W, "b": b}, X, activation=activation)
    with np.errstate(**_QUIET):
        grad_recon = (2.0 / X.shape[-2]) * importance * (x_recon - X)  # eq. 5.1
        delta = (
            grad_recon * relu_derivative(x_linear)  # eq. 5.6
            if activation == "relu"
            else grad_recon
        )
        grad_z = delta @ transpose_last(W)
        grad_W = transpose_last(grad_z) @ X + transpose_last(z) @ delta  # eq. 5.7
        grads = {"W": grad_W, "b": delta.sum(axis=-2)}
    return _refuse_overflow(grads, W, b, X, importance)


# ---- book/05_backprop.ipynb, cell 96993b1f ----
def _scalar(value):
    """The value of f as a finite Python float, or a clear error."""
    value = np.asarray(value, dtype=np.float64)
    if value.size != 1:
        raise ValueError(
            "f must return a scalar, got an array of shape "
            f"{value.shape} (for one loss per instance, return their sum)"
        )
    if not np.isfinite(value):
        raise FloatingPointError(f"f returned {float(value)}; cannot take differences")
    return float(value.reshape(()))


def numerical_gradient(f, params, h=1e-5):
    """Central finite differences (eq. 5.8) of the scalar f(params), entry by entry.

    Evaluates f on a float64 copy of `params` (a dict of arrays), never on `params`.
    Returns a dict of float64 arrays shaped like `params`.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not isinstance(params, dict) or not params:
        raise TypeError("params must be a non-empty dict of arrays")
    h = float(check_in_range(h, "h", 0.0, 1.0, low_open=True))
    # A C-ordered copy: then theta.reshape(-1) below is a view of it, and writing an
    # entry of `flat` moves the point f sees. (Of a Fortran-ordered or transposed
    # array, reshape would return a copy, and every difference would be 0.)
    point = {
        key: np.array(check_array(value, f"params[{key!r}]"), np.float64, order="C")
        for key, value in params.items()
    }
    grads = {}
    for key, theta in point.items():
        flat, grad = theta.reshape(-1), np.empty(theta.size)
        for j in range(theta.size):
            saved = flat[j]
            flat[j] = saved + h
            above = _scalar(f(point))
            flat[j] = saved - h
            below = _scalar(f(point))
            flat[j] = saved
            grad[j] = (above - below) / (2 * h)
        grads[key] = grad.reshape(theta.shape)
    return grads


def relative_error(a, b):
    """||a - b|| / max(||a||, ||b||) (eq. 5.9); 0 when both are zero.

    a and b are arrays of one shape, or dicts of such arrays with the same keys (the
    largest error over the keys is returned). Both are divided by their largest entry
    first, so that neither 1e300 (whose square overflows) nor 1e-300 (whose square
    is 0) changes the ratio.
    """
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            raise ValueError(
                "a and b must both be dicts with the same keys, or both arrays"
            )
        if not a:
            raise ValueError("a and b are empty dicts: no arrays to compare")
        return max(relative_error(a[key], b[key]) for key in a)
    a = check_array(a, "a")
    b = check_array(b, "b")
    if b.shape != a.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got {b.shape}")
    largest = max(
        float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0))
    )
    if largest == 0.0:
        return 0.0
    with np.errstate(over="ignore", under="ignore"):  # below 1e-308: rounded to 0
        diff = a - b  # before the scaling, which would round away a small difference
        diff_scale = largest
        if not np.all(np.isfinite(diff)):  # a - b beyond float64: halve (exact)
            diff, diff_scale = a / 2 - b / 2, largest / 2
        norm_a, norm_b = np.linalg.norm(a / largest), np.linalg.norm(b / largest)
        return float(np.linalg.norm(diff / diff_scale) / max(norm_a, norm_b))

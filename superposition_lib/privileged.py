# GENERATED from book/18_privileged_basis.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Superposition in a privileged basis.

Until now the hidden layer had no preferred directions: rotate $W$ by any orthogonal
matrix and the model computes exactly the same thing, so only the *angles* between
features meant anything. Real networks have neurons. An elementwise ReLU on the
hidden layer makes its coordinates special, a privileged basis, and then a question
that interpretability asks of every real network makes sense for the toy model too:
does each neuron carry one feature (monosemantic), or several (polysemantic)?
[elhage2022superposition] answer it with a "ReLU hidden layer" model: with dense
features the neurons are monosemantic; as the features get sparser, superposition
moves into the neurons and they become polysemantic. This chapter builds that model,
derives its gradient by hand, trains it with chapter 6's loop and counts the two
kinds of neuron across sparsities.
"""

import numbers

import numpy as np

from superposition_lib.conventions import (
    check_array,
    check_generators,
    check_in_range,
    check_matrix_stack,
    check_positive_int,
    instance_generators,
    transpose_last,
)
from superposition_lib.model import xavier_std
from superposition_lib.optim import train_loop

__all__ = [
    "init_neuron_params",
    "refuse_overflow",
    "neuron_forward",
    "importance_rows",
    "neuron_loss_and_gradients",
    "LARGEST_IMPORTANCE",
    "train_neuron_model",
    "no_superposition_loss",
    "neuron_features",
    "NEURON_KINDS",
    "count_neuron_kinds",
]


# ---- book/18_privileged_basis.ipynb, cell c18a0005 ----
def init_neuron_params(n_features, n_hidden, rngs):
    """W (I, k, n) Xavier-normal, b = 0 (I, n); instance i drawn from rngs[i] alone.

    Its weights are instance i's first draws, so it starts the same whatever the
    number of instances trained beside it.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    rngs = check_generators(rngs)
    std = xavier_std(n_features, n_hidden)
    W = np.stack([std * rng.standard_normal((n_hidden, n_features)) for rng in rngs])
    return {"W": W, "b": np.zeros((len(rngs), n_features))}


# ---- book/18_privileged_basis.ipynb, cell c18a0007 ----
def _check_neuron_inputs(params, X):
    """params {"W": (k, n) or (I, k, n), "b": (n,) or (I, n)}; X (B, n) or (I, B, n)."""
    if not isinstance(params, dict) or not {"W", "b"} <= set(params):
        raise TypeError(
            "params must be a dict with keys 'W' and 'b' (see init_neuron_params), "
            f"got {type(params).__name__}"
        )
    W = check_matrix_stack(params["W"], "params['W']")
    lead, n = W.shape[:-2], W.shape[-1]
    b = check_array(params["b"], "params['b']", shape=lead + (n,))
    X = check_array(X, "X", shape=lead + (None, n))
    if X.shape[-2] == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    return W, b, X


def refuse_overflow(arrays, what, **inputs):
    """The arrays, or a ValueError naming the inputs if one of them overflowed (the
    neuron models of chapters 18 and 19 share it)."""
    if all(np.all(np.isfinite(a)) for a in arrays):
        return arrays
    sizes = ", ".join(
        f"|{name}| <= {float(np.max(np.abs(A), initial=0)):.3g}"
        for name, A in inputs.items()
    )
    raise ValueError(f"{what} overflows float64, the inputs too large: {sizes}")


def _forward(W, b, X):
    """h, x_linear, x_hat of checked arrays; non-finite where an input was too large."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        h = np.maximum(X @ transpose_last(W), 0.0)  # (B, k): x Wᵀ, a row per sample
        x_linear = h @ W
        x_linear += b[..., None, :]
        return h, x_linear, np.maximum(x_linear, 0.0)


def neuron_forward(params, X):
    """h = ReLU(W x) (eq. 18.1), x_lin = Wᵀ h + b, x̂ = ReLU(x_lin) (eq. 18.2).

    Returns (h, x_linear, x_hat): h (B, k) or (I, B, k); the others shaped like X.
    """
    W, b, X = _check_neuron_inputs(params, X)
    inputs = {"params['W']": W, "params['b']": b, "X": X}
    return refuse_overflow(_forward(W, b, X), "the forward pass", **inputs)


# ---- book/18_privileged_basis.ipynb, cell c18a0012 ----
def importance_rows(importance, W):
    """importance (n,) or, with instances, (I, n), >= 0, checked against W (k, n) or
    (I, k, n); as rows to broadcast over a batch (chapters 18 and 19)."""
    lead, n = W.shape[:-2], W.shape[-1]
    importance = check_in_range(importance, "importance", 0.0, np.inf)
    if importance.shape not in ((n,), lead + (n,)):
        raise ValueError(
            f"importance must have shape ({n},) or {lead + (n,)}, got "
            f"{importance.shape}"
        )
    return importance[..., None, :]  # shared by every sample of the batch


def neuron_loss_and_gradients(params, X, importance):
    """The mean weighted loss (eq. 18.3) and its gradients by hand (eqs. 18.4-18.7).

    params {"W": (k, n) or (I, k, n), "b"}; X (B, n) or (I, B, n); importance (n,)
    or (I, n). Returns (loss, grads): loss a float, or (I,) with instances; grads
    {"W", "b"} shaped like params.
    """
    W, b, X = _check_neuron_inputs(params, X)
    weight = importance_rows(importance, W)
    h, x_linear, x_hat = _forward(W, b, X)
    batch = X.shape[-2]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        residual = x_hat - X
        loss = np.sum(weight * residual**2, axis=(-2, -1)) / batch  # eq. 18.3
        delta = (2.0 / batch) * weight * residual * (x_linear > 0)  # eq. 18.4
        grad_h = delta @ transpose_last(W)  # eq. 18.5
        grad_z = grad_h * (h > 0)  # eq. 18.6: the hidden ReLU's mask
        grad_W = transpose_last(h) @ delta + transpose_last(grad_z) @ X  # eq. 18.7
        grad_b = delta.sum(axis=-2)  # eq. 18.4
    inputs = {"params['W']": W, "params['b']": b, "X": X, "importance": importance}
    loss, grad_W, grad_b = refuse_overflow(
        (loss, grad_W, grad_b), "the loss or its gradient", **inputs
    )
    return (float(loss) if loss.ndim == 0 else loss), {"W": grad_W, "b": grad_b}


# ---- book/18_privileged_basis.ipynb, cell c18a0020 ----
def _rows(arr, name, n_instances, n_features, *, per_instance):
    """sparsity (I,) or (I, n), or importance (), (n,) or (I, n), as (I, n) float64."""
    I, n = n_instances, n_features
    allowed = [(I,), (I, n)] if per_instance else [(), (n,), (I, n)]
    if arr.shape not in allowed:
        want = " or ".join(map(str, allowed))
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    arr = arr[:, None] if per_instance and arr.ndim == 1 else arr
    return np.ascontiguousarray(np.broadcast_to(arr, (I, n)), dtype=np.float64)


def _sample_in_place(X, keep, rngs):
    """Fill X (I, B, n) with chapter 1's data (eq. 7.1), instance i from rngs[i]."""
    for x, rng in zip(X, rngs):
        rng.random(out=x)
    X /= keep[:, None, :]  # u / p < 1 exactly when u < p
    X *= X < 1.0
    return X


#: Adam squares the gradients, which grow with the importance: past this they overflow.
LARGEST_IMPORTANCE = 1e150


def train_neuron_model(
    n_features,
    n_hidden,
    sparsity,
    importance,
    *,
    seed=0,
    steps=3_000,
    batch_size=128,
    lr=1e-2,
    log_every=50,
    progress=None,
):
    """Train I neuron models (eqs. 18.1-18.7) with chapter 6's `train_loop`.

    sparsity (I,), one per instance, or (I, n); importance a number, (n,) or (I, n).
    Instance i draws its init, then its batches, from instance_generators(seed, I)[i],
    so it trains as it would alone. Returns (params, LoopResult).
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    sparsity = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    if sparsity.ndim not in (1, 2) or sparsity.shape[0] == 0:
        raise ValueError(
            "sparsity must hold one value (or a row of n) per instance, got shape "
            f"{sparsity.shape}"
        )
    n_instances = sparsity.shape[0]
    sparsity = _rows(sparsity, "sparsity", n_instances, n_features, per_instance=True)
    importance = check_in_range(importance, "importance", 0.0, LARGEST_IMPORTANCE)
    importance = _rows(
        importance, "importance", n_instances, n_features, per_instance=False
    )
    batch_size = check_positive_int(batch_size, "batch_size")
    rngs = instance_generators(seed, n_instances)
    params = init_neuron_params(n_features, n_hidden, rngs)
    X, keep = np.empty((n_instances, batch_size, n_features)), 1.0 - sparsity

    def loss_and_gradients(params, rngs):
        _sample_in_place(X, keep, rngs)
        return neuron_loss_and_gradients(params, X, importance)

    result = train_loop(
        loss_and_gradients,
        params,
        rngs,
        steps=steps,
        lr=lr,
        log_every=log_every,
        progress=progress,
    )
    return params, result


# ---- book/18_privileged_basis.ipynb, cell c18a0024 ----
def no_superposition_loss(importance, sparsity, n_dedicated):
    """Expected loss with `n_dedicated` features exact, the others constant (eq. 18.8).

    importance (n,); sparsity a number or (n,), in [0, 1). A feature x = u with
    probability p = 1 - S (u uniform on [0, 1)), else 0, has E x = p/2 and E x² = p/3:
    its best constant costs I_i (p/3 - p²/4), an exact reconstruction 0. The
    `n_dedicated` features of largest cost are the exact ones. (The |x| task of
    chapter 19 has the same moments, so the same baseline.)
    """
    importance = check_in_range(importance, "importance", 0.0, np.inf)
    if importance.ndim != 1 or importance.size == 0:
        raise ValueError(f"importance must be (n,), got shape {importance.shape}")
    sparsity = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    if sparsity.shape not in ((), importance.shape):
        raise ValueError(
            f"sparsity must be a number or {importance.shape}, got {sparsity.shape}"
        )
    if not isinstance(n_dedicated, numbers.Integral) or isinstance(n_dedicated, bool):
        raise TypeError(f"n_dedicated must be an integer, got {n_dedicated!r}")
    if n_dedicated < 0:
        raise ValueError(f"n_dedicated must be >= 0, got {n_dedicated}")
    p = 1.0 - sparsity
    cost = np.sort(importance * (p / 3 - p**2 / 4))
    return float(np.sum(cost[: importance.size - min(int(n_dedicated), cost.size)]))


# ---- book/18_privileged_basis.ipynb, cell c18a0029 ----
def neuron_features(W, *, relative=0.3, dead_below=0.1):
    """Which features each neuron carries (eq. 18.9): bool (k, n), or (I, k, n).

    Neuron j carries feature i when |W_ji| >= relative * max_i' |W_ji'| and the neuron
    is alive: max_i' |W_ji'| >= dead_below.
    """
    W = check_matrix_stack(W, "W")
    relative = float(check_in_range(relative, "relative", 0.0, 1.0, low_open=True))
    dead_below = float(check_in_range(dead_below, "dead_below", 0.0, np.inf))
    size = np.abs(W)
    largest = np.max(size, axis=-1, keepdims=True)
    return (size >= relative * largest) & (largest >= dead_below) & (largest > 0)


#: The three kinds of neuron, in the order count_neuron_kinds returns them.
NEURON_KINDS = ("monosemantic", "polysemantic", "dead")


def count_neuron_kinds(W, *, relative=0.3, dead_below=0.1):
    """How many neurons carry one feature, several, or none (eq. 18.9's rule).

    Returns {"monosemantic", "polysemantic", "dead"}: ints for one model, (I,) int
    arrays for a stack.
    """
    features = neuron_features(W, relative=relative, dead_below=dead_below)
    carried = np.sum(features, axis=-1)
    kinds = (carried == 1, carried > 1, carried == 0)
    return {name: np.sum(kind, axis=-1) for name, kind in zip(NEURON_KINDS, kinds)}

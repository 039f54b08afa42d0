# GENERATED from book/19_computation.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Computation in superposition.

Chapter 18's neuron model stores features in superposition and reads them back, but
its hidden ReLU has no job: the paper notes that "the model will only use the ReLU
activation function if absolutely forced". [elhage2022superposition] therefore give
the hidden layer a task that needs it, the absolute value: $|x| = \mathrm{ReLU}(x) +
\mathrm{ReLU}(-x)$, two neurons per feature when there is room. With fewer neurons
than that, can a network still *compute* $|x_i|$ for more features than it has
neuron pairs? The paper's answer is yes, once the features are sparse, and it
dissects one of the circuits it finds, a motif of asymmetric superposition. This
chapter builds the untied two-layer model, derives and checks its gradient, trains
it across sparsities, and measures what it computes and how.
"""

import numpy as np

from superposition_lib.conventions import (
    check_array,
    check_generators,
    check_in_range,
    check_matrix_stack,
    check_positive_int,
    instance_generators,
    transpose_last,
    vector_norm,
)
from superposition_lib.model import xavier_std
from superposition_lib.optim import train_loop
from superposition_lib.privileged import (
    LARGEST_IMPORTANCE,
    importance_rows,
    neuron_features,
    refuse_overflow,
)

__all__ = [
    "ABS_KEYS",
    "init_abs_params",
    "abs_forward",
    "abs_loss_and_gradients",
    "train_abs_model",
    "neuron_contributions",
    "paired_features",
    "asymmetric_neurons",
]


# ---- book/19_computation.ipynb, cell c19a0005 ----
#: The parameters of the |x| model: W1 (k, n), W2 (n, k), b (n,).
ABS_KEYS = ("W1", "W2", "b")


def init_abs_params(n_features, n_hidden, rngs):
    """W1 (I, k, n), W2 (I, n, k) Xavier-normal, b = 0 (I, n); instance i: rngs[i].

    Instance i's first draws are its W1, then its W2, so it starts the same whatever
    the number of instances trained beside it.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    rngs = check_generators(rngs)
    std = xavier_std(n_features, n_hidden)
    W1, W2 = [], []
    for rng in rngs:
        W1.append(std * rng.standard_normal((n_hidden, n_features)))
        W2.append(std * rng.standard_normal((n_features, n_hidden)))
    return {
        "W1": np.stack(W1),
        "W2": np.stack(W2),
        "b": np.zeros((len(rngs), n_features)),
    }


def _check_abs_params(params):
    """params {"W1": (k, n), "W2": (n, k), "b": (n,)}, or stacks of I of each."""
    if not isinstance(params, dict) or not set(ABS_KEYS) <= set(params):
        raise TypeError(
            "params must be a dict with keys 'W1', 'W2' and 'b' (see "
            f"init_abs_params), got {type(params).__name__}"
        )
    W1 = check_matrix_stack(params["W1"], "params['W1']")
    lead, (k, n) = W1.shape[:-2], W1.shape[-2:]
    W2 = check_array(params["W2"], "params['W2']", shape=lead + (n, k))
    b = check_array(params["b"], "params['b']", shape=lead + (n,))
    return W1, W2, b


def _check_abs_inputs(params, X):
    """The params as _check_abs_params says, and X (B, n) or (I, B, n)."""
    W1, W2, b = _check_abs_params(params)
    X = check_array(X, "X", shape=W1.shape[:-2] + (None, W1.shape[-1]))
    if X.shape[-2] == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    return W1, W2, b, X


def _forward(W1, W2, b, X):
    """h, y_linear, y_hat of checked arrays; non-finite where an input was too large."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        h = np.maximum(X @ transpose_last(W1), 0.0)  # (B, k)
        y_linear = h @ transpose_last(W2)
        y_linear += b[..., None, :]
        return h, y_linear, np.maximum(y_linear, 0.0)


def abs_forward(params, X):
    """h = ReLU(W1 x), y'_lin = W2 h + b, y' = ReLU(y'_lin) (eq. 19.2).

    Returns (h, y_linear, y_hat): h (B, k) or (I, B, k); the others shaped like X.
    """
    W1, W2, b, X = _check_abs_inputs(params, X)
    inputs = {"params['W1']": W1, "params['W2']": W2, "params['b']": b, "X": X}
    return refuse_overflow(_forward(W1, W2, b, X), "the forward pass", **inputs)


# ---- book/19_computation.ipynb, cell c19a0009 ----
def abs_loss_and_gradients(params, X, importance):
    """The weighted loss against |x| and its gradients by hand (eqs. 19.3-19.5).

    params {"W1", "W2", "b"} (one model or stacks of I); X (B, n) or (I, B, n);
    importance (n,) or (I, n). Returns (loss, grads): loss a float, or (I,);
    grads {"W1", "W2", "b"} shaped like params.
    """
    W1, W2, b, X = _check_abs_inputs(params, X)
    weight = importance_rows(importance, W1)
    h, y_linear, y_hat = _forward(W1, W2, b, X)
    batch = X.shape[-2]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        residual = y_hat - np.abs(X)
        loss = np.sum(weight * residual**2, axis=(-2, -1)) / batch
        delta = (2.0 / batch) * weight * residual * (y_linear > 0)  # eq. 19.3
        grad_W2 = transpose_last(delta) @ h  # eq. 19.4
        grad_z = (delta @ W2) * (h > 0)  # eq. 19.5
        grad_W1 = transpose_last(grad_z) @ X
        grad_b = delta.sum(axis=-2)
    inputs = {"params['W1']": W1, "params['W2']": W2, "params['b']": b, "X": X}
    checked = refuse_overflow(
        (loss, grad_W1, grad_W2, grad_b),
        "the loss or its gradient",
        **inputs,
        importance=importance,
    )
    loss, grads = checked[0], dict(zip(ABS_KEYS, checked[1:]))
    return (float(loss) if loss.ndim == 0 else loss), grads


# ---- book/19_computation.ipynb, cell c19a0014 ----
def _per_instance(sparsity, importance, n_features):
    """sparsity (I,) or (I, n) and importance (), (n,) or (I, n), as (I, n) arrays."""
    sparsity = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    if (
        sparsity.ndim not in (1, 2)
        or sparsity.shape[0] == 0
        or (sparsity.ndim == 2 and sparsity.shape[1] != n_features)
    ):
        raise ValueError(
            f"sparsity must be (I,) or (I, {n_features}), got shape {sparsity.shape}"
        )
    shape = (sparsity.shape[0], n_features)
    importance = check_in_range(importance, "importance", 0.0, LARGEST_IMPORTANCE)
    if importance.shape not in ((), (n_features,), shape):
        raise ValueError(
            f"importance must be a number, ({n_features},) or {shape}, got "
            f"{importance.shape}"
        )
    rows = sparsity.reshape(shape[0], -1)
    return [np.ascontiguousarray(np.broadcast_to(a, shape)) for a in (rows, importance)]


def _sample_signed_in_place(X, keep, rngs):
    """Fill X (I, B, n) with (19.1), instance i from rngs[i]: 2u/p - 1 where u < p."""
    for x, rng in zip(X, rngs):
        rng.random(out=x)
    X /= keep[:, None, :]  # u / p < 1 exactly when u < p
    active = X < 1.0
    X *= 2.0
    X -= 1.0
    X *= active
    return X


def train_abs_model(
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
    """Train I models of |x| (eqs. 19.1-19.5) with chapter 6's `train_loop`.

    sparsity (I,) or (I, n); importance a number, (n,) or (I, n). Instance i draws its
    init, then its batches, from instance_generators(seed, I)[i]. Returns
    (params, LoopResult).
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    sparsity, importance = _per_instance(sparsity, importance, n_features)
    batch_size = check_positive_int(batch_size, "batch_size")
    rngs = instance_generators(seed, len(sparsity))
    params = init_abs_params(n_features, n_hidden, rngs)
    X, keep = np.empty((len(sparsity), batch_size, n_features)), 1.0 - sparsity

    def loss_and_gradients(params, rngs):
        _sample_signed_in_place(X, keep, rngs)
        return abs_loss_and_gradients(params, X, importance)

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


# ---- book/19_computation.ipynb, cell c19a0021 ----
def neuron_contributions(params):
    """c_ji = W1_ji ‖W2[:, j]‖, what neuron j passes on of feature i: (k, n), (I, k, n).

    Unchanged when neuron j's W1 row is scaled by a > 0 and its W2 column by 1 / a.
    """
    W1, W2, _ = _check_abs_params(params)
    with np.errstate(over="ignore", under="ignore"):
        c = W1 * vector_norm(W2, axis=-2)[..., None]  # row j times ‖W2[:, j]‖
    inputs = {"params['W1']": W1, "params['W2']": W2}
    return refuse_overflow((c,), "the contributions", **inputs)[0]


def paired_features(params):
    """Features with their own neuron pair: carried (rule 18.9, on the contributions)
    by a monosemantic neuron of each sign. Bool (n,) or (I, n)."""
    carried = neuron_features(neuron_contributions(params))
    alone = carried & (np.sum(carried, axis=-1, keepdims=True) == 1)
    W1 = _check_abs_params(params)[0]
    return np.any(alone & (W1 > 0), axis=-2) & np.any(alone & (W1 < 0), axis=-2)


def asymmetric_neurons(params, *, ratio=2.0):
    """Neurons doing asymmetric superposition: bool (k,) or (I, k).

    Neuron j carries exactly two features a, b (rule 18.9 on the contributions) with
    W1_ja, W1_jb of opposite signs, |W1_ja| >= ratio |W1_jb|, and positive output
    weights with W2_bj >= ratio W2_aj: b barely reaches the neuron but is read out
    strongly, so a interferes with b and b hardly with a.
    """
    ratio = float(check_in_range(ratio, "ratio", 1.0, np.inf))
    carried = neuron_features(neuron_contributions(params))
    W1, W2, _ = _check_abs_params(params)
    size = np.abs(W1)
    a = np.argmax(np.where(carried, size, -1.0), axis=-1)[..., None]
    b = np.argmin(np.where(carried, size, np.inf), axis=-1)[..., None]
    outputs = transpose_last(W2)  # row j: neuron j's output weights
    w1a, w1b = (np.take_along_axis(W1, i, axis=-1)[..., 0] for i in (a, b))
    w2a, w2b = (np.take_along_axis(outputs, i, axis=-1)[..., 0] for i in (a, b))
    with np.errstate(over="ignore", under="ignore"):  # inf, a too large ratio: False
        shapes = (np.abs(w1a) >= ratio * np.abs(w1b)) & (w2b >= ratio * w2a)
    two = np.sum(carried, axis=-1) == 2
    return two & (np.sign(w1a) * np.sign(w1b) < 0) & (w2a > 0) & shapes

# GENERATED from book/22_real_network.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""An SAE on a real network.

Every SAE so far in this book was trained on a toy model whose true features we
chose, so we could grade it against the answer key. *Towards Monosemanticity*
[bricken2023monosemanticity] did something harder: it trained an SAE on the hidden
layer of a real (if small) trained network, whose features nobody wrote down, and
argued that the SAE's latents are more interpretable than the network's own neurons.
This chapter does the same at a scale one core can afford in seconds: a one-hidden-
layer network trained, by hand, to read handwritten digits, and sparse autoencoders
trained on its hidden layer. The labels give us something the toy models had and
language models lack, a partial answer key: we can ask of every neuron and every
latent whether the inputs it fires on most strongly are all one digit, and whether
the network still works when its hidden layer is replaced by the SAE's
reconstruction. The motivation is the one of the whole book: features stored in
superposition [elhage2022superposition] are invisible neuron by neuron and should
reappear as an SAE's latents.
"""

from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_positive_int,
    instance_generators,
    transpose_last,
)
from superposition_lib.optim import Adam, train_loop

__all__ = [
    "MLP_KEYS",
    "init_mlp_params",
    "mlp_readout",
    "mlp_forward",
    "softmax_cross_entropy",
    "mlp_loss_and_gradients",
    "MLPTrainResult",
    "train_mlp",
    "class_purity",
]


# ---- book/22_real_network.ipynb, cell 22a00008 ----
MLP_KEYS = ("W1", "b1", "W2", "b2")


def _generators(rngs):
    """One Generator per instance, from a list of Generators or integer seeds."""
    if isinstance(rngs, np.random.Generator) or not isinstance(rngs, list | tuple):
        raise TypeError(
            "rngs must be a list of Generators (or seeds), one per instance, "
            f"got {type(rngs).__name__}"
        )
    if not rngs:
        raise ValueError("rngs is empty: at least one instance is needed")
    return [as_generator(rng, "rngs") for rng in rngs]


def init_mlp_params(n_inputs, n_hidden, n_classes, rngs):
    """A one-hidden-layer MLP per instance: W1 ~ U(±sqrt(6/n_in)) (Kaiming-uniform,
    for the ReLU), W2 ~ U(±sqrt(6/(h + c))) (Xavier, for the softmax), b1 = b2 = 0.

    Shapes W1 (I, h, n_in), b1 (I, h), W2 (I, c, h), b2 (I, c); instance i draws only
    from rngs[i], W1 then W2, so it is the same whatever the number of instances.
    """
    n_in = check_positive_int(n_inputs, "n_inputs")
    h = check_positive_int(n_hidden, "n_hidden")
    c = check_positive_int(n_classes, "n_classes")
    if c < 2:
        raise ValueError(f"n_classes must be at least 2 to classify, got {c}")
    gens = _generators(rngs)
    b1, b2 = np.sqrt(6.0 / n_in), np.sqrt(6.0 / (h + c))
    W1 = np.stack([g.uniform(-b1, b1, (h, n_in)) for g in gens])
    W2 = np.stack([g.uniform(-b2, b2, (c, h)) for g in gens])
    zeros = np.zeros
    return {
        "W1": W1,
        "b1": zeros((len(gens), h)),
        "W2": W2,
        "b2": zeros((len(gens), c)),
    }


def _mlp_shape(params):
    """(I, n_inputs, n_hidden, n_classes) of MLP parameters, checked: a dict of
    finite float arrays W1 (I, h, n_in), b1 (I, h), W2 (I, c, h), b2 (I, c)."""
    if not isinstance(params, dict) or not set(MLP_KEYS) <= params.keys():
        raise TypeError(
            f"params must be a dict with keys {MLP_KEYS} (see init_mlp_params), "
            f"got {type(params).__name__}"
        )
    for key in MLP_KEYS:
        kind = getattr(params[key], "dtype", type(params[key]).__name__)
        if not isinstance(params[key], np.ndarray) or params[key].dtype.kind != "f":
            raise TypeError(f"params['{key}'] must be a float ndarray, got {kind}")
    W1 = check_array(params["W1"], "params['W1']", ndim=3)
    (I, h, n_in), W2 = W1.shape, params["W2"]
    c = W2.shape[1] if W2.ndim == 3 else 0
    expected = {"b1": (I, h), "W2": (I, c, h), "b2": (I, c)}
    for key, shape in expected.items():
        if params[key].shape != shape or 0 in W1.shape or c < 2:
            raise ValueError(
                f"params['{key}'] must have shape {shape} to match params['W1'] "
                f"{W1.shape} (I, h, n_in >= 1, c >= 2), got {params[key].shape}"
            )
        check_array(params[key], f"params['{key}']")
    return I, n_in, h, c


def _check_rows(A, name, n_instances, width, what):
    """A as (N, width) shared by the instances, or (I, N, width), N >= 1."""
    A = check_array(A, name, ndim=(2, 3))
    if A.shape[-1] != width or (A.ndim == 3 and A.shape[0] != n_instances):
        raise ValueError(
            f"{name} must be (N, {width}) or ({n_instances}, N, {width}), {what} "
            f"(the width params give); got {name} of shape {A.shape}"
        )
    if A.shape[-2] == 0:
        raise ValueError(f"{name} has no rows")
    return A


def _row(v):
    return v[:, None, :]


def _finite(arrays, message):
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError(message)
    return arrays


def mlp_readout(params, H):
    """The second layer alone, logits = W2 h + b2 (eq. 22.1), for any hidden layer H
    (N, h) or (I, N, h): the network's own, or one spliced in (an SAE's reconstruction,
    an ablation). Returns (I, N, c)."""
    I, _, h, _ = _mlp_shape(params)
    H = _check_rows(H, "H", I, h, "one row of hidden activations per input")
    with np.errstate(all="ignore"):
        logits = H @ transpose_last(params["W2"]) + _row(params["b2"])
    return _finite([logits], "H or params too large: the logits overflow")[0]


def mlp_forward(params, X):
    """Forward pass h = ReLU(W1 x + b1), logits = W2 h + b2 (eq. 22.1).

    X (N, n_in) shared by the instances, or (I, N, n_in). Returns (H_linear, H,
    logits): (I, N, h), (I, N, h), (I, N, c).
    """
    I, n_in, _, _ = _mlp_shape(params)
    X = _check_rows(X, "X", I, n_in, "one row of inputs per example")
    with np.errstate(all="ignore"):
        H_linear = X @ transpose_last(params["W1"]) + _row(params["b1"])
        H = np.maximum(H_linear, 0.0)
        logits = H @ transpose_last(params["W2"]) + _row(params["b2"])
    message = "X or params too large: the forward pass overflows (rescale X)"
    return tuple(_finite([H_linear, H, logits], message))


# ---- book/22_real_network.ipynb, cell 22a00009 ----
def _check_labels(labels, rows, n_classes):
    """Class indices, integers in [0, c), one per row: shape (N,) shared, or `rows`."""
    try:
        y = None if isinstance(labels, str | bytes | dict) else np.asarray(labels)
    except ValueError:  # a ragged list
        y = None
    if y is None or y.dtype.kind not in "iu":  # a bool is not a class index
        kind = getattr(y, "dtype", type(labels).__name__)
        raise TypeError(f"labels must be integer class indices, got {kind}")
    if y.shape not in (rows[-1:], tuple(rows)):
        raise ValueError(
            f"labels must have shape {rows[-1:]} or {tuple(rows)}, got {y.shape}"
        )
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"labels must lie in [0, {n_classes}) (one class per logit), "
            f"got {y.min()} to {y.max()}"
        )
    return y.astype(np.intp)


def _log_softmax(logits):
    """log p = logits - log sum exp(logits), the largest logit subtracted first."""
    with np.errstate(all="ignore"):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return _finite([log_p], "logits too far apart: the softmax overflows")[0]


def _picked(log_p, y):
    """log p of each row's own class: (..., N)."""
    y = np.broadcast_to(y, log_p.shape[:-1])
    return np.take_along_axis(log_p, y[..., None], axis=-1)[..., 0]


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy L = -(1/N) sum_n log softmax(logits_n)[y_n] (eq. 22.2).

    logits (N, c) or (I, N, c), c >= 2; labels (N,) or (I, N), integers in [0, c).
    A float, or (I,) per instance.
    """
    logits = check_array(logits, "logits", ndim=(2, 3))
    if 0 in logits.shape or logits.shape[-1] < 2:
        raise ValueError(f"logits {logits.shape} need rows (N) and c >= 2 classes")
    y = _check_labels(labels, logits.shape[:-1], logits.shape[-1])
    return -_picked(_log_softmax(logits), y).mean(axis=-1)


def mlp_loss_and_gradients(params, X, labels):
    """Cross-entropy of the MLP (eq. 22.2) and its gradients, by hand (eqs. 22.3-22.5):

    G = (softmax(logits) - onehot(y)) / N;  dW2 = G^T H, db2 = sum_n G;
    delta = (G W2) * 1[H_linear > 0];  dW1 = delta^T X, db1 = sum_n delta.
    Returns (loss (I,), grads shaped like params).
    """
    H_linear, H, logits = mlp_forward(params, X)
    n_rows, c = logits.shape[-2:]
    y = _check_labels(labels, logits.shape[:-1], c)
    log_p = _log_softmax(logits)
    loss = -_picked(log_p, y).mean(axis=-1)
    with np.errstate(all="ignore"):
        G = (np.exp(log_p) - (np.arange(c) == y[..., None])) / n_rows  # eq. 22.3
        delta = (G @ params["W2"]) * (H_linear > 0)  # eq. 22.4, ReLU' = 0 at 0
        grads = {
            "W1": transpose_last(delta) @ X,  # eq. 22.5
            "b1": delta.sum(axis=-2),
            "W2": transpose_last(G) @ H,
            "b2": G.sum(axis=-2),
        }
    message = "X or params too large: the gradients overflow"
    return loss, dict(zip(MLP_KEYS, _finite([grads[k] for k in MLP_KEYS], message)))


# ---- book/22_real_network.ipynb, cell 22a0000d ----
@dataclass
class MLPTrainResult:
    """What `train_mlp` returns; every array has a leading instance axis I."""

    params: dict  # W1 (I, h, n_in), b1 (I, h), W2 (I, c, h), b2 (I, c)
    losses: np.ndarray  # (n_logged, I): batch loss at a logged step, before its update
    steps_logged: np.ndarray  # (n_logged,) 0-based steps, as train_loop logs them


def _training_data(X, labels):
    """(X, labels, c), checked: rows, a sane scale, and at least two classes."""
    X = check_array(X, "X", ndim=2)
    if 0 in X.shape or np.max(np.abs(X)) >= 1e100:
        raise ValueError(
            f"X {X.shape} needs rows and columns, and entries below 1e100 (rescale X)"
        )
    y = _check_labels(labels, X.shape[:1], np.inf)
    n_classes = int(y.max()) + 1
    if n_classes < 2:
        raise ValueError("labels hold one class only: there is nothing to classify")
    return X, y, n_classes


def train_mlp(
    X,
    labels,
    n_hidden,
    *,
    n_instances=1,
    steps=2000,
    batch_size=128,
    lr=3e-3,
    weight_decay=0.0,
    seed=0,
    log_every=10,
    progress=None,
):
    """Train I MLPs (eq. 22.1) with chapter 6's `train_loop` (Adam) on minibatches of
    (X, labels), with the hand-derived gradients of `mlp_loss_and_gradients`.

    X (N, n_in); labels (N,) integers 0..c-1 (c = labels.max() + 1 >= 2). Instance i
    draws its initialisation, then its minibatches, from its own stream
    (`instance_generators`): it trains as it would alone. Deterministic for a seed.
    """
    X, y, n_classes = _training_data(X, labels)
    Adam(lr=lr, weight_decay=weight_decay)  # its own checks of both, before any work
    batch = check_positive_int(batch_size, "batch_size")
    rngs = instance_generators(seed, n_instances)
    params = init_mlp_params(X.shape[1], n_hidden, n_classes, rngs)

    def loss_and_gradients(p, gens):
        rows = np.stack([g.integers(0, len(X), batch) for g in gens])  # (I, B)
        return mlp_loss_and_gradients(p, X[rows], y[rows])

    loop = train_loop(
        loss_and_gradients,
        params,
        rngs,
        steps=steps,
        lr=lr,
        weight_decay=weight_decay,
        log_every=log_every,
        progress=progress,
    )
    return MLPTrainResult(params, loop.losses, loop.steps_logged)


# ---- book/22_real_network.ipynb, cell 22a00013 ----
def class_purity(activations, labels, *, top_k=20):
    """Class purity of each unit's top-activating inputs (eq. 22.6).

    For unit j (a column of `activations`, (N, units)), take the `top_k` inputs on
    which it is largest, keep those where it fires (> 0), and count their classes:
    purity_j = (count of the commonest class) / (inputs kept), majority_j that class.
    A unit that never fires gets purity 0 and majority -1. Returns (purity, majority,
    n_kept), each (units,); n_kept < top_k marks a unit too rare to judge.
    """
    A = check_array(activations, "activations", ndim=2)
    if 0 in A.shape:
        raise ValueError(
            f"activations {A.shape} need inputs (rows) and units (columns)"
        )
    y = _check_labels(labels, A.shape[:1], np.inf)
    k = check_positive_int(top_k, "top_k")
    if k > A.shape[0]:
        raise ValueError(f"top_k={k} is more than the {A.shape[0]} inputs")
    top = np.argsort(-A, axis=0, kind="stable")[:k]  # (k, units), largest first
    fired = np.take_along_axis(A, top, axis=0) > 0
    classes = np.arange(y.max() + 1)[:, None, None]
    counts = np.sum((y[top] == classes) & fired, axis=1)  # (classes, units)
    n_kept = fired.sum(axis=0)
    purity = counts.max(axis=0) / np.maximum(n_kept, 1)
    majority = np.where(n_kept > 0, counts.argmax(axis=0), -1)
    return purity, majority, n_kept

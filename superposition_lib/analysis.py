# GENERATED from book/08_superposition.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Measuring superposition.

Part I built a toy model that squeezes $n$ features through $k < n$ hidden
dimensions and learns, by gradient descent, where to put them. This chapter asks
what it learned. The answer of [elhage2022superposition] is the heart of this book:
when features are **sparse** (rarely active: their sparsity is high), the model
stores *more features than it has dimensions*, in directions that overlap. This is
superposition. To see it we need a few numbers computed from the weights $W$ alone:
which features are represented, and how much each one shares its direction with the
others.
"""

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
    transpose_last,
    vector_norm,
)
from superposition_lib.data import generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import ACTIVATIONS, forward

__all__ = [
    "superposition_matrix",
    "feature_norms",
    "feature_directions",
    "interference",
    "count_represented",
    "original_weight_norms",
    "original_pairwise_scores",
    "estimate_loss",
    "best_in_groups",
]


# ---- book/08_superposition.ipynb, cell 973acd37 ----
def _refuse_overflow(compute, W, what):
    """compute(W), refused by name if `what` overflows W's dtype (|W| near 1e±300).

    A product far below the smallest float rounds to 0, which is its correct value.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        result = compute(W)
    if not np.all(np.isfinite(result)):
        raise ValueError(
            f"W is too large: {what} overflows {W.dtype} "
            f"(largest |W| is {np.max(np.abs(W)):.3g})"
        )
    return result


def superposition_matrix(W):
    """The superposition matrix M = WᵀW (n × n): M_ij = W_i · W_j, M_ii = ‖W_i‖²."""
    W = check_matrix_stack(W, "W")
    return _refuse_overflow(lambda W: transpose_last(W) @ W, W, "WᵀW")


def feature_norms(W):
    """Feature norms ‖W_i‖ = (Σ_h W_hi²)^½, the column lengths of W: (n,) or (I, n).

    Scaled before squaring (`vector_norm`): right for entries near 1e±300 too.
    """
    return vector_norm(check_matrix_stack(W, "W"), axis=-2)


def feature_directions(W):
    """Unit feature directions Ŵ_i = W_i / ‖W_i‖; a column that is exactly 0 stays 0."""
    W = check_matrix_stack(W, "W")
    norms = vector_norm(W, axis=-2, keepdims=True)
    # A dropped feature has no direction; 0 (not NaN) keeps sums over j finite.
    with np.errstate(under="ignore"):  # an entry tiny beside its column's length
        return np.divide(W, norms, out=np.zeros_like(W), where=norms > 0)


def interference(W):
    """The paper's superposition of feature i: Σ_{j≠i} (Ŵ_i · W_j)², (n,) or (I, n)."""
    W = check_matrix_stack(W, "W")
    directions = feature_directions(W)
    off_diagonal = 1.0 - np.eye(W.shape[-1], dtype=W.dtype)

    def shared(W):
        # Masking the diagonal, not subtracting ‖W_i‖² from the sum, loses no digits.
        overlaps = transpose_last(directions) @ W
        return np.sum((overlaps * off_diagonal) ** 2, axis=-1)

    return _refuse_overflow(shared, W, "the squared overlaps (Ŵ_i · W_j)²")


def count_represented(W, threshold=0.5):
    """How many features a model represents: #{i : ‖W_i‖ > threshold}, per instance."""
    threshold = check_in_range(threshold, "threshold", 0.0, np.inf, low_open=True)
    if threshold.ndim:
        raise ValueError(f"threshold must be a single number, got {threshold!r}")
    return np.sum(feature_norms(W) > threshold, axis=-1)


# ---- book/08_superposition.ipynb, cell 6b4fb883 ----
def original_weight_norms(W):
    """The original document's 'weight norms': ‖(WᵀW)_i‖ = (Σ_{j=1..n} (W_i · W_j)²)^½.

    Equals ‖W_i‖ (‖W_i‖² + superposition_i)^½: length and interference mixed, not ‖W_i‖.
    The sum runs over the n features (the document writes k).
    """
    return vector_norm(superposition_matrix(W), axis=-2)


def original_pairwise_scores(W):
    """The original document's s_ij = ⟨(WᵀW)_i, (WᵀW)_j⟩, i.e. the matrix (WᵀW)²."""
    W = check_matrix_stack(W, "W")
    M = superposition_matrix(W)
    return _refuse_overflow(lambda _: M @ M, W, "(WᵀW)²")


# ---- book/08_superposition.ipynb, cell a0dfa738 ----
def _check_model_and_data(W, b, sparsity, importance, activation):
    """W (k, n) or (I, k, n); b, sparsity and importance shaped as for training."""
    W = check_matrix_stack(W, "W")
    lead, n = W.shape[:-2], W.shape[-1]
    b = check_array(b, "b")
    if b.shape != lead + (n,):
        raise ValueError(
            f"b must have shape {lead + (n,)} to match W of shape {W.shape}, "
            f"got {b.shape}"
        )
    sparsity = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    shapes = [(), lead + (n,)] + ([lead] if lead else [])
    if sparsity.shape not in shapes:
        raise ValueError(
            f"sparsity must have one of the shapes {shapes} for W of shape "
            f"{W.shape}, got {sparsity.shape}"
        )
    importance = check_in_range(importance, "importance", 0.0, np.inf)
    if importance.shape not in ((n,), lead + (n,)):
        raise ValueError(
            f"importance must have shape {(n,)} or {lead + (n,)} for W of shape "
            f"{W.shape}, got {importance.shape}"
        )
    check_one_of(activation, "activation", ACTIVATIONS)
    return W, b


def estimate_loss(
    W, b, sparsity, importance, rng, *, n_samples=20_000, activation="relu", chunk=4096
):
    """Monte Carlo estimate of the expected loss E_x[Σ_i I_i (x_i − x̂_i)²], fresh data.

    W (k, n) or (I, k, n), b (n,) or (I, n); sparsity and importance as for training.
    Returns a float, or (I,) per instance. Works in chunks to bound memory. Every
    argument is checked before the first sample is drawn.
    """
    W, b = _check_model_and_data(W, b, sparsity, importance, activation)
    n_samples = check_positive_int(n_samples, "n_samples")
    chunk = check_positive_int(chunk, "chunk")
    rng = as_generator(rng)
    n_instances = W.shape[0] if W.ndim == 3 else None
    total, done = 0.0, 0
    # Weights near 1e±300 overflow or underflow: reported below, by name.
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        while done < n_samples:
            size = min(chunk, n_samples - done)
            X = generate_sparse_data(
                size, W.shape[-1], sparsity, rng, n_instances=n_instances
            )
            try:  # every argument is checked: what fails here is an overflow
                _, _, X_hat = forward({"W": W, "b": b}, X, activation)
                loss = weighted_loss(X, X_hat, importance)
            except ValueError as err:
                raise _overflow(W, b) from err
            total = total + size * loss
            done += size
    if not np.all(np.isfinite(total)):
        raise _overflow(W, b)
    return total / n_samples


def _overflow(W, b):
    return ValueError(
        f"the loss overflows {W.dtype}: W, b or importance is too large "
        f"(largest |W| {np.max(np.abs(W)):.3g}, |b| {np.max(np.abs(b)):.3g})"
    )


def best_in_groups(losses, group_size):
    """Index of the lowest loss in each consecutive group of `group_size` instances.

    losses (G * group_size,) -> flat indices (G,): "train several, keep the best".
    """
    losses = check_array(losses, "losses", ndim=1)
    group_size = check_positive_int(group_size, "group_size")
    if losses.size == 0 or losses.size % group_size:
        raise ValueError(
            f"losses has {losses.size} entries, not a positive multiple of "
            f"group_size={group_size}"
        )
    groups = losses.reshape(-1, group_size)
    return np.arange(groups.shape[0]) * group_size + np.argmin(groups, axis=1)

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

import numbers

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_matrix_stack,
    check_positive_int,
    transpose_last,
)
from superposition_lib.data import generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward

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
def superposition_matrix(W):
    """The superposition matrix M = WᵀW (n × n): M_ij = W_i · W_j, M_ii = ‖W_i‖²."""
    W = check_matrix_stack(W, "W")
    return transpose_last(W) @ W


def feature_norms(W):
    """Feature norms ‖W_i‖ = (Σ_h W_hi²)^½, the column lengths of W: (n,) or (I, n)."""
    return np.linalg.norm(check_matrix_stack(W, "W"), axis=-2)


def feature_directions(W):
    """Unit feature directions Ŵ_i = W_i / ‖W_i‖; a column that is exactly 0 stays 0."""
    W = check_matrix_stack(W, "W")
    norms = np.linalg.norm(W, axis=-2, keepdims=True)
    # A dropped feature has no direction; 0 (not NaN) keeps sums over j finite.
    return np.divide(W, norms, out=np.zeros_like(W), where=norms > 0)


def interference(W):
    """The paper's superposition of feature i: Σ_{j≠i} (Ŵ_i · W_j)², (n,) or (I, n)."""
    W = check_matrix_stack(W, "W")
    overlaps = transpose_last(feature_directions(W)) @ W
    off_diagonal = 1.0 - np.eye(W.shape[-1], dtype=W.dtype)
    # Masking the diagonal, not subtracting ‖W_i‖² from the sum, loses no digits.
    return np.sum((overlaps * off_diagonal) ** 2, axis=-1)


def count_represented(W, threshold=0.5):
    """How many features a model represents: #{i : ‖W_i‖ > threshold}, per instance."""
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number, got {type(threshold).__name__}")
    if not threshold > 0:
        raise ValueError(f"threshold must be > 0, got {threshold!r}")
    return np.sum(feature_norms(W) > threshold, axis=-1)


# ---- book/08_superposition.ipynb, cell 6b4fb883 ----
def original_weight_norms(W):
    """The original document's 'weight norms': ‖(WᵀW)_i‖ = (Σ_{j=1..n} (W_i · W_j)²)^½.

    Equals ‖W_i‖ (‖W_i‖² + superposition_i)^½: length and interference mixed, not ‖W_i‖.
    The sum runs over the n features (the document writes k).
    """
    return np.linalg.norm(superposition_matrix(W), axis=-2)


def original_pairwise_scores(W):
    """The original document's s_ij = ⟨(WᵀW)_i, (WᵀW)_j⟩, i.e. the matrix (WᵀW)²."""
    M = superposition_matrix(W)
    return M @ M


# ---- book/08_superposition.ipynb, cell a0dfa738 ----
def estimate_loss(
    W, b, sparsity, importance, rng, *, n_samples=20_000, activation="relu", chunk=4096
):
    """Monte Carlo estimate of the expected loss E_x[Σ_i I_i (x_i − x̂_i)²], fresh data.

    W (k, n) or (I, k, n), b (n,) or (I, n); sparsity and importance as for training.
    Returns a float, or (I,) per instance. Works in chunks to bound memory.
    """
    W = check_matrix_stack(W, "W")
    n_samples = check_positive_int(n_samples, "n_samples")
    chunk = check_positive_int(chunk, "chunk")
    rng = as_generator(rng)
    n_instances = W.shape[0] if W.ndim == 3 else None
    total, done = 0.0, 0
    while done < n_samples:
        size = min(chunk, n_samples - done)
        X = generate_sparse_data(
            size, W.shape[-1], sparsity, rng, n_instances=n_instances
        )
        _, _, X_hat = forward({"W": W, "b": b}, X, activation)
        total = total + size * weighted_loss(X, X_hat, importance)
        done += size
    return total / n_samples


def best_in_groups(losses, group_size):
    """Index of the lowest loss in each consecutive group of `group_size` instances.

    losses (G * group_size,) -> flat indices (G,): "train several, keep the best".
    """
    losses = check_array(losses, "losses", ndim=1)
    group_size = check_positive_int(group_size, "group_size")
    if losses.size % group_size:
        raise ValueError(
            f"losses has {losses.size} entries, not a multiple of "
            f"group_size={group_size}"
        )
    groups = losses.reshape(-1, group_size)
    return np.arange(groups.shape[0]) * group_size + np.argmin(groups, axis=1)

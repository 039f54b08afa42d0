# GENERATED from book/12_nonuniform.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Non-uniform superposition: one feature out of step.

Every feature of chapter 10's shapes was like every other: equally important,
equally sparse. Real features are not, and [elhage2022superposition] ask what that
does to the geometry. Their answer, for five features in two dimensions: the regular
pentagon of superposition bends as one feature is made sparser or denser, until it
breaks and snaps into a different shape, two digons. They explain such shapes with a
split of the loss into two competing forces, **feature benefit** and
**interference**, and a link to an old problem of physics, the Thomson problem. This
chapter derives that split exactly for the toy model, computes it in closed form for
trained models, and uses it to explain where and why the pentagon breaks.
"""

from typing import NamedTuple

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_in_range,
    check_matrix_stack,
    check_positive_int,
    transpose_last,
)
from superposition_lib.data import generate_sparse_data
from superposition_lib.model import forward

__all__ = [
    "one_sparse_terms",
    "LossDecomposition",
    "loss_decomposition",
    "loss_by_active_count",
]


# ---- book/12_nonuniform.ipynb, cell c12b0001 ----
def _checked_model(W, b, importance):
    """W (k, n) or (I, k, n); b of shape lead + (n,); importance (n,) or lead + (n,)."""
    W = check_matrix_stack(W, "W")
    lead, n = W.shape[:-2], W.shape[-1]
    b = check_array(b, "b")
    if b.shape != lead + (n,):
        raise ValueError(f"b must have shape {lead + (n,)} for W of shape {W.shape}")
    importance = check_in_range(importance, "importance", 0.0, np.inf)
    if importance.shape not in ((n,), lead + (n,)):
        raise ValueError(
            f"importance must have shape {(n,)} or {lead + (n,)} for W of shape "
            f"{W.shape}, got {importance.shape}"
        )
    return W, b, importance


def _active_interval(slope, offset):
    """The part [lo, hi] of [0, 1] where slope·u + offset > 0 (lo = hi when none)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        root = np.clip(-offset / slope, 0.0, 1.0)
    lo = np.where(slope > 0, root, 0.0)
    hi = np.where(slope < 0, root, np.where((slope == 0) & (offset <= 0), 0.0, 1.0))
    return lo, hi


def _mean_square_times_length(lo, hi, at_lo, at_hi):
    """∫_lo^hi ℓ(u)² du for a linear ℓ with ℓ(lo) = at_lo, ℓ(hi) = at_hi (eq. 12.4)."""
    return (hi - lo) * (at_lo**2 + at_lo * at_hi + at_hi**2) / 3


def _refuse_overflow(values, W, b):
    if not np.all(np.isfinite(values)):
        raise ValueError(
            "the loss terms overflow float64: W, b or importance is too large "
            f"(largest |W| {np.max(np.abs(W)):.3g}, |b| {np.max(np.abs(b)):.3g})"
        )
    return values


def one_sparse_terms(W, b, importance):
    """The paper's 1-sparse loss terms, integrated in closed form (eqs. 12.3-12.4).

    benefit[..., i] = I_i ∫₀¹ (u − ReLU(‖W_i‖² u + b_i))² du: what feature i loses
    when active alone.
    interference[..., i, j] = I_j ∫₀¹ ReLU((W_j·W_i) u + b_j)² du for j ≠ i, 0 for
    j = i: what feature i, active alone, costs feature j. Shapes (n,) and (n, n), or
    with an instance axis (I, n) and (I, n, n).
    """
    W, b, importance = _checked_model(W, b, importance)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        M = transpose_last(W) @ W  # M[..., i, j] = W_i · W_j
        length2 = np.diagonal(M, axis1=-2, axis2=-1)
        lo, hi = _active_interval(length2, b)
        # Inactive, x̂_i = 0 and the error is u; active, it is (1 − ‖W_i‖²) u − b_i.
        missed = (lo**3 + 1 - hi**3) / 3
        kept = _mean_square_times_length(
            lo, hi, (1 - length2) * lo - b, (1 - length2) * hi - b
        )
        benefit = importance * (missed + kept)
        offset = b[..., None, :]  # b_j along the row of active feature i
        lo, hi = _active_interval(M, offset)
        leak = _mean_square_times_length(lo, hi, M * lo + offset, M * hi + offset)
        leak = leak * importance[..., None, :]
        n = W.shape[-1]
        interference = np.where(np.eye(n, dtype=bool), 0.0, leak)
    _refuse_overflow(benefit, W, b)
    return benefit, _refuse_overflow(interference, W, b)


# ---- book/12_nonuniform.ipynb, cell c12b0002 ----
class LossDecomposition(NamedTuple):
    """The expected loss split by how many features are active (eq. 12.5).

    bias: P(none active) Σ_j I_j ReLU(b_j)²; benefit: Σ_i P(only i) benefit_i;
    interference: Σ_i P(only i) Σ_j interference_ij; compound_probability: P(two or
    more active), whose loss is not in these terms. Floats, or (I,) per instance.
    """

    bias: np.ndarray
    benefit: np.ndarray
    interference: np.ndarray
    compound_probability: np.ndarray

    @property
    def at_most_one_active(self):
        """E[loss; at most one feature active] = bias + benefit + interference."""
        return self.bias + self.benefit + self.interference


def _checked_density(sparsity, W):
    """1 − S broadcast to W's (..., n), from a number, (n,), (I,) or (I, n)."""
    sparsity = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    lead, n = W.shape[:-2], W.shape[-1]
    shapes = [(), (n,), lead + (n,)] + ([lead] if lead else [])
    if sparsity.shape not in shapes:
        raise ValueError(
            f"sparsity must have one of the shapes {shapes} for W of shape "
            f"{W.shape}, got {sparsity.shape}"
        )
    if lead and sparsity.shape == lead:
        sparsity = sparsity[..., None]
    return np.broadcast_to(1.0 - sparsity, lead + (n,))


def _scalar_or_array(value):
    return float(value) if np.ndim(value) == 0 else value


def loss_decomposition(W, b, sparsity, importance):
    """Feature benefit, interference and bias terms of the expected loss (eq. 12.5).

    W (k, n) or (I, k, n); b, sparsity and importance shaped as for training. Exact:
    the three terms add up to E[loss; at most one feature active].
    """
    W, b, importance = _checked_model(W, b, importance)
    density = _checked_density(sparsity, W)
    benefit, interference = one_sparse_terms(W, b, importance)
    n = W.shape[-1]
    off = 1.0 - density
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        none_active = np.prod(off, axis=-1)
        # P(only i) = p_i Π_{j≠i} (1 − p_j), not dividing by a 1 − p_j that may be 0
        others = np.where(np.eye(n, dtype=bool), 1.0, off[..., None, :])
        only = density * np.prod(others, axis=-1)
        bias = none_active * np.sum(importance * np.maximum(b, 0.0) ** 2, axis=-1)
        terms = [
            bias,
            np.sum(only * benefit, -1),
            np.sum(only * interference.sum(-1), -1),
        ]
        compound = np.clip(1.0 - none_active - only.sum(-1), 0.0, 1.0)
    for term in terms:
        _refuse_overflow(term, W, b)
    return LossDecomposition(*map(_scalar_or_array, terms + [compound]))


# ---- book/12_nonuniform.ipynb, cell c12b0003 ----
def loss_by_active_count(
    W, b, sparsity, importance, rng, *, n_samples=20_000, chunk=4096
):
    """Monte Carlo E[loss; none active], E[loss; one active], E[loss; two or more].

    Fresh data from `generate_sparse_data`; shape (3,), or (I, 3) per instance. The
    three add up to the estimate of the whole loss on the same samples; the first two
    estimate what `loss_decomposition` computes exactly (eq. 12.5, on data).
    """
    W, b, importance = _checked_model(W, b, importance)
    _checked_density(sparsity, W)
    n_samples = check_positive_int(n_samples, "n_samples")
    chunk = check_positive_int(chunk, "chunk")
    rng = as_generator(rng)
    n_instances = W.shape[0] if W.ndim == 3 else None
    weights = importance[..., None, :] if importance.ndim == 2 else importance
    totals, done = 0.0, 0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        while done < n_samples:
            size = min(chunk, n_samples - done)
            X = generate_sparse_data(
                size, W.shape[-1], sparsity, rng, n_instances=n_instances
            )
            _, _, X_hat = forward({"W": W, "b": b}, X)
            per_sample = np.sum(weights * (X - X_hat) ** 2, axis=-1)  # (..., N)
            active = np.minimum(np.count_nonzero(X, axis=-1), 2)
            groups = active[..., None] == np.arange(3)  # (..., N, 3)
            totals = totals + np.sum(per_sample[..., None] * groups, axis=-2)
            done += size
        totals = totals / n_samples
    return _refuse_overflow(totals, W, b)

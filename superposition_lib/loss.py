# GENERATED from book/04_loss.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""The weighted reconstruction loss.

The toy model is trained to reproduce its input, but not every feature counts the
same. In [elhage2022superposition] each feature carries an importance $I_i$ (chapter
1), standing in for how much a real network's loss would suffer if that feature were
lost. The squared error of feature $i$ is multiplied by $I_i$, so the model is
pushed to represent important features first and to let unimportant ones go, or
squeeze them into superposition, when dimensions run out. This chapter defines that
loss, settles how it is normalised over a batch, and computes it for two reference
models whose loss we can also work out by hand.
"""

import numpy as np

from superposition_lib.conventions import check_array

__all__ = [
    "weighted_loss_per_feature",
    "weighted_loss",
]


# ---- book/04_loss.ipynb, cell 39c8aa90 ----
def _check_loss_inputs(X, X_recon, importance):
    X = check_array(X, "X", ndim=(2, 3))
    if 0 in X.shape:
        raise ValueError(
            "X must hold at least one sample and one feature (the loss is a mean "
            f"over samples), got shape {X.shape}"
        )
    X_recon = check_array(X_recon, "X_recon")
    if X_recon.shape != X.shape:
        raise ValueError(
            f"X_recon must have the shape of X {X.shape}, got {X_recon.shape}"
        )
    importance = check_array(importance, "importance", ndim=(1, 2))
    if importance.shape[-1] != X.shape[-1]:
        raise ValueError(
            f"importance must have {X.shape[-1]} entries on its last axis "
            f"(one per feature of X, shape {X.shape}), "
            f"got shape {importance.shape}"
        )
    if importance.ndim == 2 and (X.ndim != 3 or importance.shape[0] != X.shape[0]):
        raise ValueError(
            f"importance of shape {importance.shape} (per instance) needs "
            f"X of shape ({importance.shape[0]}, N, {X.shape[-1]}), "
            f"got {X.shape}"
        )
    if np.any(importance < 0):
        raise ValueError("importance must be >= 0 (a negative weight rewards error)")
    # (I, n) -> (I, 1, n) so that each instance's weights apply to all of its samples.
    return X, X_recon, importance[:, None, :] if importance.ndim == 2 else importance


def _refuse_overflow(loss, X, X_recon, importance):
    """A loss beyond float64 (errors near 1e154 and up) is refused, never inf."""
    if not np.all(np.isfinite(loss)):
        with np.errstate(over="ignore"):
            error = float(np.max(np.abs(X - X_recon)))
        raise ValueError(
            "the loss overflows float64: X and X_recon differ by up to "
            f"{error:.3g}, importance up to {float(np.max(importance)):.3g}"
        )
    return loss


def weighted_loss_per_feature(X, X_recon, importance):
    """Each feature's term I_i * mean_s (x_si - xhat_si)^2; they sum to the loss.

    Shape (n,), or (I, n) with an instance axis.
    """
    X, X_recon, weights = _check_loss_inputs(X, X_recon, importance)
    # Underflow below 1e-308 is rounding to 0; overflow is refused just below.
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        per_feature = np.mean(weights * (X - X_recon) ** 2, axis=-2)
    return _refuse_overflow(per_feature, X, X_recon, weights)


def weighted_loss(X, X_recon, importance):
    """L = (1/N) sum_s sum_i I_i (x_si - xhat_si)^2: sum over features, batch mean.

    X, X_recon (N, n) -> float; (I, N, n) -> (I,), one loss per instance.
    importance (n,), or (I, n) per instance.
    """
    # Mean over samples, then sum over features: the same number as sum-then-mean.
    per_feature = weighted_loss_per_feature(X, X_recon, importance)
    with np.errstate(over="ignore"):
        loss = np.sum(per_feature, axis=-1)
    loss = _refuse_overflow(loss, np.asarray(X), np.asarray(X_recon), importance)
    return float(loss) if np.ndim(loss) == 0 else loss

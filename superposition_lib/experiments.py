# GENERATED from book/09_phase_changes.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Phase changes.

The zoo of the previous chapter changed its shape as the sparsity grew: two
orthogonal features, then antipodal pairs, then a pentagon.
[elhage2022superposition] show that such changes are **phase changes**: as a
parameter of the data crosses a boundary, the best arrangement of the weights
switches from one discrete solution to another. This chapter measures them in two
settings. First, twenty features in five dimensions, where a linear model and a ReLU
model part ways as the data gets sparser. Second, the smallest case there is, two
features in one dimension, where the three candidate solutions can be written down,
their losses derived by hand, and the boundary between them predicted in closed form
and then compared with what training actually finds.
"""

from dataclasses import dataclass

import numpy as np

from superposition_lib.analysis import best_in_groups, estimate_loss
from superposition_lib.conventions import check_array, check_positive_int
from superposition_lib.data import feature_importance
from superposition_lib.train import train_toy_model

__all__ = [
    "BestOf",
    "train_best_of",
    "PHASES",
    "candidate_losses",
    "closed_form_phase",
    "closed_form_boundary",
    "classify_phase",
]


# ---- book/09_phase_changes.ipynb, cell 14e87f81 ----
@dataclass
class BestOf:
    """The best of `n_seeds` models per setting: W (G, k, n), b (G, n), loss (G,).

    seed_losses (G, n_seeds) holds every seed's estimated expected loss.
    """

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    seed_losses: np.ndarray


def _per_setting(values, name, n_settings, n_features):
    """Sparsity or importance of shape (G,) or (G, n) as (G, n)."""
    values = check_array(values, name, ndim=(1, 2))
    if values.shape[0] != n_settings or values.shape[1:] not in ((), (n_features,)):
        raise ValueError(
            f"{name} must have shape ({n_settings},) or ({n_settings}, "
            f"{n_features}), got {values.shape}"
        )
    return np.broadcast_to(values.reshape(n_settings, -1), (n_settings, n_features))


def train_best_of(
    n_features,
    n_hidden,
    sparsity,
    importance=None,
    *,
    n_seeds=4,
    eval_samples=20_000,
    seed=0,
    activation="relu",
    **train_kwargs,
):
    """Train `n_seeds` models per setting in one call; keep the lowest expected loss.

    sparsity: (G,) or (G, n), one row per setting. importance: None (0.7^i), (n,) for
    all settings, or (G, n). Other keywords go to `train_toy_model`.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_seeds = check_positive_int(n_seeds, "n_seeds")
    n_settings = np.shape(sparsity)[0] if np.ndim(sparsity) else 0
    if n_settings == 0:
        raise ValueError(
            "sparsity must hold one value (or row) per setting, got a scalar"
        )
    sparsity = _per_setting(sparsity, "sparsity", n_settings, n_features)
    if importance is None:
        importance = feature_importance(n_features)
    importance = check_array(importance, "importance", ndim=(1, 2))
    if importance.ndim == 1:
        importance = np.tile(importance, (n_settings, 1))
    importance = _per_setting(importance, "importance", n_settings, n_features)
    # Seeds of one setting are neighbours on the instance axis, as best_in_groups needs.
    sparsity_i = np.repeat(sparsity, n_seeds, axis=0)
    importance_i = np.repeat(importance, n_seeds, axis=0)
    run = train_toy_model(
        n_features,
        n_hidden,
        sparsity_i,
        importance_i,
        seed=seed,
        n_instances=sparsity_i.shape[0],
        activation=activation,
        **train_kwargs,
    )
    losses = estimate_loss(
        run.W,
        run.b,
        sparsity_i,
        importance_i,
        seed + 1,
        n_samples=eval_samples,
        activation=activation,
    )
    best = best_in_groups(losses, n_seeds)
    return BestOf(run.W[best], run.b[best], losses[best], losses.reshape(-1, n_seeds))


# ---- book/09_phase_changes.ipynb, cell 1b528536 ----
#: The three solutions of the 2→1 model, in the order of their class codes 0, 1, 2.
PHASES = ("not represented", "dedicated", "superposition")


def candidate_losses(importance_ratio, density):
    """Expected losses of the three 2→1 candidates, stacked on a new first axis.

    Feature 2 has importance r: not represented r (s/3 − s²/4); dedicated s/3 − s²/4;
    antipodal (1 + r) s²/6, with density s = 1 − S.
    """
    r = check_array(importance_ratio, "importance_ratio")
    if np.any(r <= 0):
        raise ValueError(f"importance_ratio must be > 0, got {importance_ratio!r}")
    s = check_array(density, "density")
    if np.any((s <= 0) | (s > 1)):
        raise ValueError(f"density must lie in (0, 1], got {density!r}")
    r, s = np.broadcast_arrays(r, s)
    dropped = s / 3 - s**2 / 4
    return np.stack([r * dropped, dropped, (1 + r) * s**2 / 6])


def closed_form_phase(importance_ratio, density):
    """The candidate with the lowest expected loss: 0, 1 or 2, indexing PHASES."""
    return np.argmin(candidate_losses(importance_ratio, density), axis=0)


def closed_form_boundary(importance_ratio):
    """Density below which antipodal wins: 4r/(2+5r) for r ≤ 1, 4/(5+2r) for r > 1."""
    r = check_array(importance_ratio, "importance_ratio")
    if np.any(r <= 0):
        raise ValueError(f"importance_ratio must be > 0, got {importance_ratio!r}")
    return np.where(r <= 1, 4 * r / (2 + 5 * r), 4 / (5 + 2 * r))


def classify_phase(W, threshold=0.5):
    """Class code of trained 2→1 models W (1, 2) or (I, 1, 2), indexing PHASES.

    A feature is kept when ‖W_i‖ > threshold. Both kept with opposite signs -> 2
    (antipodal superposition), only feature 1 -> 0 (feature 2 not represented), only
    feature 2 -> 1 (dedicated); anything else (neither, or both with one sign) -> -1.
    """
    W = check_array(W, "W", ndim=(2, 3))
    if W.shape[-2:] != (1, 2):
        raise ValueError(
            f"W must be a 2→1 model of shape (1, 2) or (I, 1, 2), got {W.shape}"
        )
    kept = np.abs(W[..., 0, :]) > threshold
    first, second = kept[..., 0], kept[..., 1]
    antipodal = first & second & (W[..., 0, 0] * W[..., 0, 1] < 0)
    return np.where(antipodal, 2, np.where(first ^ second, np.where(first, 0, 1), -1))

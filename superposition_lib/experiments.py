# GENERATED from book/09_phase_changes.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Phase changes.

The zoo of the previous chapter changed its shape as the sparsity grew: two
orthogonal features, then antipodal pairs, then a pentagon.
[elhage2022superposition] show that such changes are phase changes: as a parameter
of the data crosses a boundary, the best arrangement of the weights switches from
one discrete solution to another. This chapter measures them in three settings.
First, twenty features in five dimensions, where a linear model and a ReLU model
part ways as the data gets sparser. Second, the smallest case there is, two features
in one dimension, where the three candidate solutions can be written down, their
losses derived by hand, and the boundary between them predicted in closed form and
then compared with what training actually finds. Third, the paper's next size up,
three features in two dimensions, whose four candidate solutions reduce to the 2→1
case. A last section reads the paper's 20→5 figure from models trained at the
paper's own scale (stored by `make reproduce`, not trained here).
"""

from dataclasses import dataclass

import numpy as np

from superposition_lib.analysis import estimate_loss
from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_in_range,
    check_one_of,
    check_positive_int,
)
from superposition_lib.data import feature_importance
from superposition_lib.model import ACTIVATIONS
from superposition_lib.train import train_toy_model

__all__ = [
    "Runs",
    "BestOf",
    "train_runs",
    "best_of",
    "mean_without_worst",
    "train_best_of",
    "PHASES",
    "candidate_losses",
    "closed_form_phase",
    "closed_form_boundary",
    "classify_phase",
    "classify_extra_feature",
    "THREE_TWO_SOLUTIONS",
    "THREE_TWO_EXTRA_PHASE",
    "three_two_candidate_losses",
]


# ---- book/09_phase_changes.ipynb, cell 14e87f81 ----
@dataclass
class Runs:
    """Every model of a sweep, the seeds of one setting side by side.

    W (G, n_seeds, k, n), b (G, n_seeds, n), and loss (G, n_seeds): each model's
    expected loss, estimated on fresh data. Checked when built (best_of and
    mean_without_worst read one): finite, no axis empty, the shapes agreeing.
    """

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray

    def __post_init__(self):
        self.loss = check_array(self.loss, "loss", ndim=2)
        self.W = check_array(self.W, "W", ndim=4)
        if self.W.shape[:2] != self.loss.shape or 0 in self.W.shape:
            raise ValueError(
                "W must have shape (G, n_seeds, k, n), no axis empty, and loss "
                f"(G, n_seeds); got W {self.W.shape} and loss {self.loss.shape}"
            )
        self.b = check_array(self.b, "b", shape=self.W.shape[:2] + self.W.shape[3:])


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


def _settings(n_features, sparsity, importance):
    """Sparsity and importance as (G, n) arrays, one row per setting."""
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
    return sparsity, _per_setting(importance, "importance", n_settings, n_features)


def train_runs(
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
    """Train `n_seeds` models per setting in one call; estimate every model's loss.

    sparsity: (G,) or (G, n), one row per setting. importance: None (0.7^i), (n,) for
    all settings, or (G, n). Other keywords go to `train_toy_model`. Returns Runs.
    seed: an integer s (training draws from s, scoring from s + 1) or a Generator
    (scoring continues its stream). Every argument is checked before training.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_seeds = check_positive_int(n_seeds, "n_seeds")
    eval_samples = check_positive_int(eval_samples, "eval_samples")
    check_one_of(activation, "activation", ACTIVATIONS)
    as_generator(seed, "seed")
    eval_seed = seed if isinstance(seed, np.random.Generator) else seed + 1
    sparsity, importance = _settings(n_features, sparsity, importance)
    # The seeds of one setting are neighbours on the instance axis.
    per_model = [np.repeat(a, n_seeds, axis=0) for a in (sparsity, importance)]
    options = dict(seed=seed, n_instances=per_model[0].shape[0], activation=activation)
    run = train_toy_model(n_features, n_hidden, *per_model, **options, **train_kwargs)
    scoring = dict(n_samples=eval_samples, activation=activation)
    losses = estimate_loss(run.W, run.b, *per_model, eval_seed, **scoring)
    shape = (sparsity.shape[0], n_seeds)
    return Runs(
        run.W.reshape(*shape, *run.W.shape[1:]),
        run.b.reshape(*shape, n_features),
        losses.reshape(shape),
    )


def best_of(runs):
    """The book's protocol: keep the seed with the lowest loss in every setting."""
    if not isinstance(runs, Runs):
        raise TypeError(
            f"runs must be a Runs (see train_runs), got {type(runs).__name__}"
        )
    settings = np.arange(runs.loss.shape[0])
    best = np.argmin(runs.loss, axis=1)
    return BestOf(
        runs.W[settings, best],
        runs.b[settings, best],
        runs.loss[settings, best],
        runs.loss,
    )


def mean_without_worst(values, losses):
    """The paper's phase-diagram protocol: per setting, drop the seed with the
    highest loss and average `values` over the others.

    values (G, n_seeds, ...) holds one measurement per model, losses (G, n_seeds)
    their losses; returns (G, ...). Needs at least two seeds per setting.
    """
    losses = check_array(losses, "losses", ndim=2)
    values = check_array(values, "values")
    if values.shape[:2] != losses.shape or 0 in values.shape:
        raise ValueError(
            f"values must start with the shape of losses {losses.shape} and have "
            f"no empty axis, got {values.shape}"
        )
    n_settings, n_seeds = losses.shape
    if n_seeds < 2:
        raise ValueError("losses needs at least two seeds per setting to drop one")
    kept = np.ones(losses.shape, dtype=bool)
    kept[np.arange(n_settings), np.argmax(losses, axis=1)] = False
    kept_values = values[kept].reshape(n_settings, n_seeds - 1, *values.shape[2:])
    with np.errstate(over="ignore"):
        mean = kept_values.mean(axis=1)
    if np.all(np.isfinite(mean)):
        return mean
    # Values near the largest float: their sum overflows, a sum of fractions cannot.
    return np.sum(kept_values / (n_seeds - 1), axis=1)


def train_best_of(n_features, n_hidden, sparsity, importance=None, **kwargs):
    """Train several models per setting and keep the best: best_of(train_runs(...)).

    Takes the arguments of `train_runs`; returns a BestOf.
    """
    return best_of(train_runs(n_features, n_hidden, sparsity, importance, **kwargs))


# ---- book/09_phase_changes.ipynb, cell 1b528536 ----
#: The three solutions of the 2→1 model, in the order of their class codes 0, 1, 2.
PHASES = ("not represented", "dedicated", "superposition")


def _positive(value, name):
    values = check_array(value, name)
    if np.any(values <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return values


def _together(a, b, names):
    """a and b broadcast to one shape, or an error naming both."""
    try:
        return np.broadcast_arrays(a, b)
    except ValueError:
        raise ValueError(
            f"{names[0]} and {names[1]} must broadcast together, got shapes "
            f"{a.shape} and {b.shape}"
        ) from None


def _threshold(threshold, high):
    """A single number in (0, high]."""
    value = check_in_range(threshold, "threshold", 0.0, high, low_open=True)
    if value.ndim:
        raise ValueError(f"threshold must be a single number, got {threshold!r}")
    return float(value)


def candidate_losses(importance_ratio, density):
    """Expected losses of the three 2→1 candidates, stacked on a new first axis.

    Feature 2 has importance r: not represented r (s/3 − s²/4); dedicated s/3 − s²/4;
    antipodal (1 + r) s²/6, with density s = 1 − S.
    """
    r = _positive(importance_ratio, "importance_ratio")
    s = check_in_range(density, "density", 0.0, 1.0, low_open=True)
    r, s = _together(r, s, ("importance_ratio", "density"))
    with np.errstate(under="ignore"):  # s² of a density near 1e-300 is 0
        dropped = s / 3 - s**2 / 4
        return np.stack([r * dropped, dropped, (1 + r) * s**2 / 6])


def closed_form_phase(importance_ratio, density):
    """The candidate with the lowest expected loss: 0, 1 or 2, indexing PHASES."""
    return np.argmin(candidate_losses(importance_ratio, density), axis=0)


def closed_form_boundary(importance_ratio):
    """Density below which antipodal wins: 4r/(2+5r) for r ≤ 1, 4/(5+2r) for r > 1."""
    r = _positive(importance_ratio, "importance_ratio")
    small = np.minimum(r, 1.0)  # so that 4r cannot overflow on the branch not taken
    # 2/(2.5 + r) is 4/(5 + 2r) to the last bit, without 2r overflowing near 1e308.
    return np.where(r <= 1, 4 * small / (2 + 5 * small), 2 / (2.5 + r))


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
    kept = np.abs(W[..., 0, :]) > _threshold(threshold, np.inf)
    first, second = kept[..., 0], kept[..., 1]
    # Signs compared directly: the product W_1 W_2 overflows or underflows near 1e±300.
    opposite = np.signbit(W[..., 0, 0]) != np.signbit(W[..., 0, 1])
    antipodal = first & second & opposite
    return np.where(antipodal, 2, np.where(first ^ second, np.where(first, 0, 1), -1))


def classify_extra_feature(norm, superposition, threshold=0.5):
    """Class code of feature 2 of 2→1 models from its norm and superposition.

    Works on one model's values or on means over models (the paper's protocol):
    0 (not represented) when norm ≤ threshold, else 2 (superposition) when
    superposition > threshold², else 1 (dedicated). For one model in one dimension,
    superposition_2 = W_1², so the second test is |W_1| > threshold, as in
    classify_phase, which in addition looks at the signs.
    """
    norm = check_in_range(norm, "norm", 0.0, np.inf)
    superposition = check_in_range(superposition, "superposition", 0.0, np.inf)
    norm, superposition = _together(norm, superposition, ("norm", "superposition"))
    threshold = _threshold(threshold, 1.0)
    shared = np.where(superposition > threshold**2, 2, 1)
    return np.where(norm <= threshold, 0, shared)


# ---- book/09_phase_changes.ipynb, cell c9961b56 ----
#: The paper's four 3→2 solutions, named by the direction W ignores, in the order of
#: three_two_candidate_losses.
THREE_TWO_SOLUTIONS = ("W ⊥ [0,0,1]", "W ⊥ [1,0,0]", "W ⊥ [0,1,1]", "W ⊥ [1,1,0]")
#: What each of them does with the extra feature 3, as a code of PHASES.
THREE_TWO_EXTRA_PHASE = (0, 1, 2, 1)


def three_two_candidate_losses(importance_ratio, density):
    """Expected losses of the four 3→2 solutions, importances (1, 1, r), stacked on a
    new first axis in the order of THREE_TWO_SOLUTIONS: r v, v, (1 + r) s²/6 and s²/3,
    with v = s/3 − s²/4 and density s = 1 − S. The first three are candidate_losses.
    """
    losses = candidate_losses(importance_ratio, density)
    others_paired = candidate_losses(1.0, density)[2]  # (1 + 1) s²/6
    return np.concatenate(
        [losses, np.broadcast_to(others_paired, losses[2].shape)[None]]
    )

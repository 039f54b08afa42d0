# GENERATED from book/reproduce.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Reproducing the paper at its scale.

The chapters train small models so that each runs in a minute. The paper's headline
figures use bigger ones trained for longer: the 20 → 5 sweep at 10,000 steps with
the paper's optimiser, and the feature-geometry sweep with $n = 400$ features in $m
= 30$ dimensions [elhage2022superposition]. This page defines those experiments
once, in the library (module `reproduce`), so that one call runs any of them; `make
reproduce` runs them all and writes their results to `book/results/`, and chapters 9
and 10 load those files in their sections "At the paper's scale". They never train
them during the book's build.
"""

import json
import time
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from superposition_lib.conventions import check_one_of, check_positive_int
from superposition_lib.data import feature_importance
from superposition_lib.train import train_toy_model

__all__ = [
    "Experiment",
    "GEOMETRY_INVERSE_DENSITIES",
    "EXPERIMENTS",
    "run_experiment",
    "replay_checkpoint",
    "save_results",
    "load_results",
]


# ---- book/reproduce.ipynb, cell d401d7a2 ----
@dataclass(frozen=True)
class Experiment:
    """One paper result at the paper's settings: what `train_toy_model` is called with.

    densities (1 - S, one per sparsity setting) x seeds replicates are the instances,
    all trained in one call; `checkpoint_step` is the early step whose weights of
    instance 0 the results keep, so that a re-run can prove where they came from.
    """

    name: str
    paper: str  # the figure or section it reproduces
    n_features: int
    n_hidden: int
    densities: tuple
    seeds: int
    importance_decay: float  # I_i = decay**i; 1.0: equal importance
    activation: str = "relu"
    steps: int = 10_000
    batch_size: int = 1024
    lr: float = 1e-3
    weight_decay: float = 0.01  # the paper's notebook: AdamW, lr 1e-3, decay 0.01
    init: str = "xavier"
    dtype: str = "float32"
    seed: int = 0
    checkpoint_step: int = 200

    def arguments(self):
        """Every argument, as JSON-ready values (the results' `config` stores them)."""
        return json.loads(json.dumps(asdict(self)))

    def sparsity(self):
        """(I,) sparsities: each density repeated `seeds` times, seed index fastest."""
        return 1.0 - np.repeat(np.asarray(self.densities, float), self.seeds)

    def importance(self):
        """(n,) importances decay**i."""
        return feature_importance(self.n_features, self.importance_decay)


def _toy_20_5(activation):
    paper = 1.0 - np.array([0.0, 0.7, 0.9, 0.97, 0.99, 0.997, 0.999])
    fine = 10.0 ** -np.linspace(0.0, 3.0, 16)
    return Experiment(
        name=f"toy_20_5_{activation}",
        paper="Figure 'superposition as a phase change' (20 -> 5, I_i = 0.7^i), "
        f"{activation} model",
        n_features=20,
        n_hidden=5,
        densities=tuple(float(d) for d in np.r_[paper, fine]),
        seeds=3,
        importance_decay=0.7,
        activation=activation,
    )


GEOMETRY_INVERSE_DENSITIES = (
    1.0,
    1.2,
    1.35,
    1.5,
    1.65,
    1.8,
    2.0,
    2.4,
    2.8,
    3.3,
    3.8,
    4.4,
)
GEOMETRY_INVERSE_DENSITIES += (5.0, 6.0, 10.0, 20.0)
EXPERIMENTS = {
    e.name: e
    for e in (
        _toy_20_5("relu"),
        _toy_20_5("linear"),
        Experiment(
            name="geometry_400_30",
            paper="Figure 'feature dimensionality' (n = 400, m = 30, equal importance)",
            n_features=400,
            n_hidden=30,
            # 1 / (1 - S) from dense to 20 (the paper's notebook: 20^-t), fine where
            # the chapter-10 sweep and a first 20^-t run saw D_i change (1.2-6).
            densities=tuple(1.0 / x for x in GEOMETRY_INVERSE_DENSITIES),
            seeds=2,
            importance_decay=1.0,
        ),
    )
}


# ---- book/reproduce.ipynb, cell f5b009ce ----
def run_experiment(name, *, steps=None, commit="unknown", progress=None):
    """Train experiment `name` (a key of EXPERIMENTS) in one call; the results dict.

    steps: None for the definition's (a smaller number gives a quick look, with a
    config that says so). The dict holds float32 W (I, k, n), b (I, n), sparsity and
    importance (I, n), loss (I,) (the mean of the last 1% of logged batch losses),
    seed (I,) (the replicate index), the checkpoint of instance 0 and `config`.
    """
    experiment = EXPERIMENTS[check_one_of(name, "name", tuple(EXPERIMENTS))]
    steps = experiment.steps if steps is None else check_positive_int(steps, "steps")
    if steps <= experiment.checkpoint_step:
        raise ValueError(
            f"steps must exceed the checkpoint step {experiment.checkpoint_step}, "
            f"got {steps}"
        )
    every = experiment.checkpoint_step
    start = time.perf_counter()
    result = train_toy_model(
        **_call(experiment, steps), log_weights_every=every, progress=progress
    )
    seconds = time.perf_counter() - start
    last = max(1, len(result.steps_logged) // 100)
    config = experiment.arguments() | {"steps": steps}
    return {
        "W": result.W.astype(np.float32),
        "b": result.b.astype(np.float32),
        "sparsity": result.sparsity.astype(np.float32),
        "importance": result.importance.astype(np.float32),
        "loss": result.losses[-last:].mean(axis=0).astype(np.float32),
        "seed": np.tile(np.arange(experiment.seeds), len(experiment.densities)),
        "checkpoint_step": np.int64(result.steps_weights_logged[1]),
        "checkpoint_W": result.W_logged[1, 0].astype(np.float32),
        "checkpoint_b": result.b_logged[1, 0].astype(np.float32),
        "config": json.dumps(_provenance(config, commit, seconds)),
    }


def _call(experiment, steps, n_instances=None, sparsity=None):
    """The train_toy_model arguments of `experiment` (all its instances by default)."""
    sparsity = experiment.sparsity() if sparsity is None else sparsity
    return dict(
        n_features=experiment.n_features,
        n_hidden=experiment.n_hidden,
        sparsity=sparsity,
        importance=experiment.importance(),
        steps=steps,
        batch_size=experiment.batch_size,
        lr=experiment.lr,
        n_instances=len(sparsity) if n_instances is None else n_instances,
        seed=experiment.seed,
        activation=experiment.activation,
        init=experiment.init,
        weight_decay=experiment.weight_decay,
        dtype=np.dtype(experiment.dtype),
    )


def _provenance(arguments, commit, seconds):
    try:
        library = version("superposition_lib")
    except PackageNotFoundError:  # run from a source tree without installing
        library = "not installed"
    return {
        "arguments": arguments,
        "library_version": library,
        "git_commit": str(commit),
        "seconds": round(seconds, 1),
    }


def replay_checkpoint(results):
    """Re-train instance 0 of a results dict alone up to its checkpoint: (W, b).

    Instance 0's stream does not depend on the other instances, so this is what the
    full run computed at that step (to BLAS rounding), in a fraction of its time.
    """
    config = json.loads(str(results["config"]))["arguments"]
    experiment = Experiment(**{**config, "densities": tuple(config["densities"])})
    step = int(results["checkpoint_step"])
    alone = train_toy_model(
        **_call(experiment, step, 1, experiment.sparsity()[:1]), progress=False
    )
    return alone.W[0], alone.b[0]


def save_results(results, directory):
    """Write results to directory/<name>.npz (compressed); return the path."""
    name = json.loads(str(results["config"]))["arguments"]["name"]
    path = Path(directory) / f"{name}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **results)
    return path


def load_results(name, directory):
    """The results of experiment `name` from directory/<name>.npz, as a dict."""
    check_one_of(name, "name", tuple(EXPERIMENTS))
    path = Path(directory) / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no results yet; run `make reproduce EXPERIMENT={name}`"
        )
    with np.load(path) as data:
        return {key: data[key] for key in data.files}

"""The paper-scale results in book/results/ are what the current code computes.

Each file's arguments must be its experiment's current definition, and instance 0,
re-trained alone up to the stored early step, must give the stored weights: a file made
by older code, with other settings, or by hand, fails here (re-run `make reproduce`).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from superposition_lib.reproduce import (
    EXPERIMENTS,
    Experiment,
    load_results,
    replay_checkpoint,
    run_experiment,
    save_results,
)

RESULTS = Path(__file__).resolve().parent.parent / "book" / "results"
KEYS = {
    "W", "b", "sparsity", "importance", "loss", "seed",
    "checkpoint_step", "checkpoint_W", "checkpoint_b", "config",
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(EXPERIMENTS))
def stored(request):
    return request.param, load_results(request.param, RESULTS)


def test_results_file_has_every_array_in_float32(stored):
    name, results = stored
    e = EXPERIMENTS[name]
    assert set(results) == KEYS
    n_instances = len(e.densities) * e.seeds
    assert results["W"].shape == (n_instances, e.n_hidden, e.n_features)
    for key in ("W", "b", "sparsity", "importance", "loss", "checkpoint_W"):
        assert results[key].dtype == np.float32 and np.all(np.isfinite(results[key]))
    assert np.allclose(results["sparsity"][:, 0], e.sparsity(), atol=1e-7)


def test_results_config_is_the_current_definition(stored):
    name, results = stored
    config = json.loads(str(results["config"]))
    assert config["arguments"] == EXPERIMENTS[name].arguments(), (
        f"book/results/{name}.npz was made with other settings: "
        f"run `make reproduce EXPERIMENT={name}`"
    )
    assert {"library_version", "git_commit", "seconds"} <= config.keys()


def test_results_checkpoint_is_reproduced_by_the_current_code(stored):
    name, results = stored
    W, b = replay_checkpoint(results)
    gap = max(
        float(np.max(np.abs(W - results["checkpoint_W"]))),
        float(np.max(np.abs(b - results["checkpoint_b"]))),
    )
    # Bit for bit on the machine that made them; BLAS may round differently elsewhere.
    assert gap < 1e-4, (
        f"book/results/{name}.npz: instance 0 re-trained to step "
        f"{int(results['checkpoint_step'])} differs by {gap:.1e}: stale or hand-made"
    )


def test_a_tampered_file_fails_the_checks(tmp_path):
    quick = run_experiment("toy_20_5_relu", steps=205, progress=False)
    save_results(quick, tmp_path)
    again = load_results("toy_20_5_relu", tmp_path)
    W, _ = replay_checkpoint(again)
    assert np.array_equal(W, again["checkpoint_W"])
    assert json.loads(str(again["config"]))["arguments"]["steps"] == 205
    assert (
        json.loads(str(again["config"]))["arguments"]
        != EXPERIMENTS["toy_20_5_relu"].arguments()
    )
    again["checkpoint_W"] = again["checkpoint_W"] + 1e-3
    W, _ = replay_checkpoint(again)
    assert np.max(np.abs(W - again["checkpoint_W"])) >= 1e-4


def test_bad_input_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="name"):
        run_experiment("toy_3_2")
    with pytest.raises(ValueError, match="steps must exceed the checkpoint"):
        run_experiment("toy_20_5_relu", steps=10)
    with pytest.raises(TypeError, match="steps"):
        run_experiment("toy_20_5_relu", steps=2.5)
    with pytest.raises(FileNotFoundError, match="make reproduce"):
        load_results("geometry_400_30", tmp_path)


def test_definitions_are_the_papers_settings():
    for e in EXPERIMENTS.values():
        assert isinstance(e, Experiment)
        assert (e.steps, e.batch_size, e.lr, e.weight_decay) == (
            10_000,
            1024,
            1e-3,
            0.01,
        )
        assert e.init == "xavier" and e.dtype == "float32"
    geometry = EXPERIMENTS["geometry_400_30"]
    assert (geometry.n_features, geometry.n_hidden, geometry.importance_decay) == (
        400,
        30,
        1.0,
    )

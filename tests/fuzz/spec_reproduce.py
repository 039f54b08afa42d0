"""Fuzz specs: the paper-scale experiments (`superposition_lib.reproduce`).

Running an experiment takes minutes, so the fuzz test only checks its refusals and a
record; tests/test_reproduce.py runs a short one and checks the stored results.
"""

import superposition_lib as lib
from fuzz.harness import Constant, Spec


def _experiments_hold(experiments):
    for name, experiment in experiments.items():
        assert experiment.name == name and experiment.seeds >= 1
        assert (
            len(experiment.sparsity()) == len(experiment.densities) * experiment.seeds
        )
        assert experiment.importance().shape == (experiment.n_features,)


def _record(rng):
    return {"name": "toy_20_5_relu"}


RUNS = "minutes long: tests/test_reproduce.py runs a short one and checks refusals"


def _grid_holds(inverse_densities):
    """1 / (1 - S) from dense (1) to 20, increasing: the geometry sweep's grid."""
    assert inverse_densities[0] == 1.0 and inverse_densities[-1] == 20.0
    assert all(a < b for a, b in zip(inverse_densities, inverse_densities[1:]))
    densities = lib.EXPERIMENTS["geometry_400_30"].densities
    assert densities == tuple(1.0 / x for x in inverse_densities)


SPECS = {
    "EXPERIMENTS": Constant(check=_experiments_hold),
    "GEOMETRY_INVERSE_DENSITIES": Constant(check=_grid_holds),
    "Experiment": Spec(
        build=_record,
        call=lambda name: lib.EXPERIMENTS[name].arguments(),
        skip={"name": "a key of EXPERIMENTS"},
        examples=1,
    ),
    "run_experiment": Spec(
        build=_record,
        call=lambda name: lib.EXPERIMENTS[name].sparsity(),
        skip={"name": RUNS, "steps": RUNS, "commit": RUNS, "progress": RUNS},
        examples=1,
    ),
    "replay_checkpoint": Spec(
        build=_record,
        call=lambda name: lib.EXPERIMENTS[name].checkpoint_step,
        skip={"results": RUNS},
        examples=1,
    ),
    "save_results": Spec(
        build=_record,
        call=lambda name: name,
        skip={"results": RUNS, "directory": RUNS},
        examples=1,
    ),
    "load_results": Spec(
        build=_record,
        call=lambda name: name,
        skip={"name": RUNS, "directory": RUNS},
        examples=1,
    ),
}

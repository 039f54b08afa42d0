"""Fuzz specs: phase changes (`superposition_lib.experiments`).

The training functions run tiny problems (3-4 features, batch 8, 2-3 steps) and few
examples: every bad value must be refused before training starts, so only the valid
calls and the extremes train at all.
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import SURVIVE, Array, Choice, Flag, Instance, Int, Real
from fuzz.spec_analysis import Bounded, Seed, Stack

PASSED_ON = "passed on to train_toy_model, whose own spec fuzzes it"


def _sweep(rng):
    """A tiny sweep: 2 settings (not 3 or 4, so that a wrong axis cannot pass for
    n_features), 2 seeds each."""
    n = int(rng.integers(3, 5))
    return {
        "n_features": n,
        "n_hidden": int(rng.integers(1, 3)),
        "sparsity": rng.uniform(0.0, 0.9, size=2),
        "importance": rng.uniform(0.2, 1.0, size=n),
        "n_seeds": 2,
        "eval_samples": int(rng.integers(4, 12)),
        "seed": int(rng.integers(0, 1000)),
        "activation": ["relu", "linear"][int(rng.integers(2))],
        "steps": int(rng.integers(2, 4)),
        "batch_size": 8,
        "lr": float(rng.uniform(1e-3, 1e-2)),
        "progress": False,
    }


SWEEP_ARGS = {
    "n_features": Int(low=1),
    "n_hidden": Int(low=1),
    "sparsity": Bounded(low=0.0, high=1.0, high_open=True),
    "importance": Bounded(low=0.0, optional=True),  # None: the book's 0.7**i
    "n_seeds": Int(low=1),
    "eval_samples": Int(low=1),
    "seed": Seed(),
    "activation": Choice(("relu", "linear")),
    # Keywords of train_toy_model: refused by name through train_runs too.
    "steps": Int(low=1),
    "lr": Real(0.0, np.inf, low_open=True),
    "progress": Flag(optional=True),
}
SWEEP_SKIP = {"batch_size": PASSED_ON}


def _runs_check(result, kwargs):
    """Each model's loss is estimate_loss of its own weights on the evaluation stream
    (seed + 1), and the seeds of one setting share its sparsity."""
    G, n_seeds = result.loss.shape
    n = kwargs["n_features"]
    sparsity = np.repeat(np.asarray(kwargs["sparsity"]), n_seeds)
    importance = np.tile(np.asarray(kwargs["importance"]), (G * n_seeds, 1))
    expected = lib.estimate_loss(
        result.W.reshape(G * n_seeds, -1, n),
        result.b.reshape(G * n_seeds, n),
        sparsity,
        importance,
        kwargs["seed"] + 1,
        n_samples=kwargs["eval_samples"],
        activation=kwargs["activation"],
    )
    assert np.allclose(result.loss.reshape(-1), expected, rtol=1e-12)


def _best_of_train_check(result, kwargs):
    runs = lib.train_runs(**kwargs)
    assert np.array_equal(result.loss, runs.loss.min(axis=1))
    assert np.array_equal(result.seed_losses, runs.loss)


def _runs_fields(rng):
    G, n_seeds, k, n = 2, 3, int(rng.integers(1, 3)), 4
    return {
        "W": rng.normal(size=(G, n_seeds, k, n)),
        "b": rng.normal(size=(G, n_seeds, n)),
        "loss": rng.uniform(0.0, 1.0, size=(G, n_seeds)),
    }


def _best_of_check(result, kwargs):
    runs = kwargs["runs"]
    best = np.argmin(runs.loss, axis=1)
    assert np.array_equal(result.loss, runs.loss.min(axis=1))
    assert np.array_equal(result.W, runs.W[np.arange(len(best)), best])


def _mean_without_worst_check(result, kwargs):
    values, losses = np.asarray(kwargs["values"]), np.asarray(kwargs["losses"])
    for g in range(len(losses)):
        kept = [s for s in range(losses.shape[1]) if s != np.argmax(losses[g])]
        assert np.allclose(result[g], values[g, kept].mean(axis=0), rtol=1e-12)


def _ratios_and_densities(rng):
    m = int(rng.integers(1, 6))
    return {
        "importance_ratio": np.exp(rng.uniform(-2.0, 2.0, size=m)),
        "density": rng.uniform(0.05, 1.0, size=m),
    }


def _boundary_is_a_tie(result, kwargs):
    """At the closed-form boundary the antipodal loss equals the better of the two
    others, the definition of the boundary."""
    r = np.asarray(kwargs["importance_ratio"])
    losses = lib.candidate_losses(r, lib.closed_form_boundary(r))
    assert np.allclose(losses[2], np.minimum(losses[0], losses[1]), rtol=1e-12)


def _candidate_check(result, kwargs):
    r, s = np.asarray(kwargs["importance_ratio"]), np.asarray(kwargs["density"])
    assert np.allclose(result[0], r * result[1])
    assert np.allclose(result[2], (1 + r) * s**2 / 6)
    _boundary_is_a_tie(result, kwargs)


def _three_two_check(result, kwargs):
    """The first three are the 2→1 candidates; the fourth pairs two features of
    importance 1, (1 + 1) s²/6."""
    r, s = np.asarray(kwargs["importance_ratio"]), np.asarray(kwargs["density"])
    assert result.shape == (4, *np.broadcast(r, s).shape)
    assert np.array_equal(result[:3], lib.candidate_losses(r, s))
    assert np.allclose(result[3], s**2 / 3, rtol=1e-12)


def _three_two_names_hold(names):
    assert names == ("W ⊥ [0,0,1]", "W ⊥ [1,0,0]", "W ⊥ [0,1,1]", "W ⊥ [1,1,0]")


def _three_two_extra_holds(codes):
    assert codes == (0, 1, 2, 1)


def _phase_check(result, kwargs):
    """Antipodal exactly below the boundary; else the more important feature kept."""
    r, s = np.asarray(kwargs["importance_ratio"]), np.asarray(kwargs["density"])
    clear = np.abs(s - lib.closed_form_boundary(r)) > 1e-9
    expected = np.where(s < lib.closed_form_boundary(r), 2, np.where(r < 1, 0, 1))
    assert np.array_equal(result[clear & (r != 1)], expected[clear & (r != 1)])


def _two_to_one(rng):
    return {
        "W": rng.normal(size=(int(rng.integers(1, 6)), 1, 2)),
        "threshold": float(rng.uniform(0.1, 1.0)),
    }


def _classify_check(result, kwargs):
    W, t = np.asarray(kwargs["W"]), kwargs["threshold"]
    for code, (w1, w2) in zip(result, W[:, 0, :]):
        keep1, keep2 = abs(w1) > t, abs(w2) > t
        if keep1 and keep2:
            want = 2 if w1 * w2 < 0 else -1
        else:
            want = 0 if keep1 else 1 if keep2 else -1
        assert code == want


def _extra_feature(rng):
    m = int(rng.integers(1, 6))
    return {
        "norm": rng.uniform(0.0, 1.5, size=m),
        "superposition": rng.uniform(0.0, 1.5, size=m),
        "threshold": float(rng.uniform(0.1, 1.0)),
    }


def _extra_check(result, kwargs):
    norm, shared, t = (
        np.asarray(kwargs[k]) for k in ("norm", "superposition", "threshold")
    )
    expected = np.where(norm <= t, 0, np.where(shared > t**2, 2, 1))
    assert np.array_equal(result, expected)


def _phases_hold(phases):
    assert phases == ("not represented", "dedicated", "superposition")


# Elementwise, broadcast like NumPy: any rank, and an empty array gives an empty answer.
RATIO = Bounded(low=0.0, low_open=True, rank=False, empty=SURVIVE)
DENSITY = Bounded(low=0.0, high=1.0, low_open=True, rank=False, empty=SURVIVE)
NON_NEGATIVE = Bounded(low=0.0, rank=False, empty=SURVIVE)
RECORD = "a result record that best_of fills from a checked Runs; no function reads one"
SPECS = {
    "Runs": Spec(
        build=_runs_fields,
        call=lib.Runs,
        args={"W": Array(), "b": Array(), "loss": Array()},
    ),
    "BestOf": Spec(
        build=lambda rng: {"runs": lib.Runs(**_runs_fields(rng))},
        call=lambda runs: lib.best_of(runs),
        skip={"W": RECORD, "b": RECORD, "loss": RECORD, "seed_losses": RECORD},
    ),
    "train_runs": Spec(
        build=_sweep, args=SWEEP_ARGS, skip=SWEEP_SKIP, check=_runs_check, examples=2
    ),
    "best_of": Spec(
        build=lambda rng: {"runs": lib.Runs(**_runs_fields(rng))},
        args={"runs": Instance("Runs")},
        check=_best_of_check,
    ),
    "mean_without_worst": Spec(
        build=lambda rng: {
            "values": rng.normal(size=(2, 3, 5)),
            "losses": rng.uniform(size=(2, 3)),
        },
        args={"values": Array(), "losses": Array()},
        check=_mean_without_worst_check,
    ),
    "train_best_of": Spec(
        build=_sweep,
        args=SWEEP_ARGS,
        skip=SWEEP_SKIP,
        check=_best_of_train_check,
        examples=2,
    ),
    "PHASES": Constant(check=_phases_hold),
    "candidate_losses": Spec(
        build=_ratios_and_densities,
        args={"importance_ratio": RATIO, "density": DENSITY},
        check=_candidate_check,
    ),
    "THREE_TWO_SOLUTIONS": Constant(check=_three_two_names_hold),
    "THREE_TWO_EXTRA_PHASE": Constant(check=_three_two_extra_holds),
    "three_two_candidate_losses": Spec(
        build=_ratios_and_densities,
        args={"importance_ratio": RATIO, "density": DENSITY},
        check=_three_two_check,
    ),
    "closed_form_phase": Spec(
        build=_ratios_and_densities,
        args={"importance_ratio": RATIO, "density": DENSITY},
        check=_phase_check,
    ),
    "closed_form_boundary": Spec(
        build=lambda rng: {
            "importance_ratio": _ratios_and_densities(rng)["importance_ratio"]
        },
        args={"importance_ratio": RATIO},
        check=_boundary_is_a_tie,
    ),
    "classify_phase": Spec(
        build=_two_to_one,
        # No models, no codes: an empty stack gives an empty answer.
        args={"W": Stack(empty=SURVIVE), "threshold": Real(0.0, np.inf, low_open=True)},
        check=_classify_check,
    ),
    "classify_extra_feature": Spec(
        build=_extra_feature,
        args={
            "norm": NON_NEGATIVE,
            "superposition": NON_NEGATIVE,
            "threshold": Real(0.0, 1.0, low_open=True),
        },
        check=_extra_check,
    ),
}

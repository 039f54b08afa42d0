"""Fuzz specs: the weighted reconstruction loss (`superposition_lib.loss`, chapter 4).

A loss is a mean over samples: zero samples (or zero features) are refused. Squared
errors of 1e300 are no float64: refused by name, never inf; the loss is linear in the
importances and quadratic in the error (checked as scale laws).
"""

import numpy as np

from fuzz.harness import Spec, invoke
from fuzz.kinds import Array


def _loss_args(rng):
    instances = [None, int(rng.integers(2, 4))][int(rng.integers(2))]
    lead = () if instances is None else (instances,)
    n, N = int(rng.integers(2, 6)), int(rng.integers(1, 8))
    per_instance = instances is not None and bool(rng.integers(2))
    return {
        "X": rng.uniform(0, 1, size=lead + (N, n)),
        "X_recon": rng.uniform(0, 1, size=lead + (N, n)),
        "importance": rng.uniform(0.1, 1, size=lead + (n,) if per_instance else (n,)),
    }


def _per_feature(kwargs):
    X, X_recon, importance = kwargs["X"], kwargs["X_recon"], kwargs["importance"]
    weights = importance[:, None, :] if importance.ndim == 2 else importance
    return np.mean(weights * (X - X_recon) ** 2, axis=-2)


def _scale_laws(name, result, kwargs):
    twice = dict(kwargs, importance=2 * kwargs["importance"])
    assert np.allclose(invoke(name, SPECS[name], twice), 2 * result, rtol=1e-12)
    thrice = dict(kwargs, X=3 * kwargs["X"], X_recon=3 * kwargs["X_recon"])
    assert np.allclose(invoke(name, SPECS[name], thrice), 9 * result, rtol=1e-12)


def _check_per_feature(result, kwargs):
    assert np.allclose(result, _per_feature(kwargs), rtol=1e-12, atol=0)
    _scale_laws("weighted_loss_per_feature", result, kwargs)


def _check_loss(result, kwargs):
    want = _per_feature(kwargs).sum(axis=-1)
    assert np.allclose(result, want, rtol=1e-12, atol=0)
    assert isinstance(result, float) == (kwargs["X"].ndim == 2), "one model: a float"
    _scale_laws("weighted_loss", result, kwargs)


ARGS = {"X": Array(), "X_recon": Array(), "importance": Array()}

SPECS = {
    "weighted_loss_per_feature": Spec(
        build=_loss_args, args=ARGS, check=_check_per_feature, examples=10
    ),
    "weighted_loss": Spec(build=_loss_args, args=ARGS, check=_check_loss, examples=10),
}

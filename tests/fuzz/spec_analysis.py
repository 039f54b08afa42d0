"""Fuzz specs: measuring superposition (`superposition_lib.analysis`).

Also the argument kinds that chapters 7-10 share (spec_train, spec_experiments and
spec_geometry import them from here): `Stack` (W of one model or of I), `Bounded`
(entries in an interval: sparsities, importances, densities), `Seed` (an Rng that
must also work as a Generator).
"""

from dataclasses import dataclass

import numpy as np

import superposition_lib as lib
from fuzz.harness import Spec
from fuzz.kinds import REFUSE, SURVIVE, Array, Bad, Choice, Int, Real, Rng


@dataclass
class Stack(Array):
    """Weights W of one model (k, n) or a stack of I models (I, k, n): both ranks are
    valid, so the wrong ranks tried are 1-D and 4-D."""

    rank: bool = False

    def bad(self, value):
        arr = np.asarray(value)
        flat = arr.reshape(-1)
        return super().bad(value) + [
            Bad("1-D", flat),
            Bad(
                "4-D",
                flat.reshape((1, 1) + arr.shape[-2:]) if arr.ndim == 2 else arr[None],
            ),
        ]


def _one_entry_set_to(arr, what):
    out = np.array(arr, dtype=np.float64)
    out.flat[out.size // 2] = what
    return out


@dataclass
class Bounded(Array):
    """An array whose entries lie in [low, high] (ends open as said): an entry set
    below or above the interval, or on an open end, must be refused too (a negative
    importance, a sparsity of 1, a density of 0)."""

    low: float = -np.inf
    high: float = np.inf
    low_open: bool = False
    high_open: bool = False

    def bad(self, value):
        bad = super().bad(value)
        arr = np.asarray(value, dtype=np.float64)
        if not arr.size:
            return bad
        outside = []
        if np.isfinite(self.low):
            outside.append(("an entry below the range", self.low - 1.0))
            if self.low_open:
                outside.append(("an entry on the open lower end", self.low))
        if np.isfinite(self.high):
            outside.append(("an entry above the range", self.high + 1.0))
            if self.high_open:
                outside.append(("an entry on the open upper end", self.high))
        return bad + [Bad(label, _one_entry_set_to(arr, v)) for label, v in outside]


@dataclass
class Seed(Rng):
    """A seed or a Generator: a Generator made from the valid seed must work as well
    (a finite result; it is consumed, so the numbers are not compared)."""

    def extremes(self, value):
        return [Bad("a Generator", np.random.default_rng(value), SURVIVE)]


def weights(rng, *, stack=None):
    """Weights (k, n) or, at random or as `stack` says, (I, k, n); never all zero."""
    k, n = int(rng.integers(1, 4)), int(rng.integers(2, 6))
    lead = (
        (int(rng.integers(1, 4)),)
        if (rng.random() < 0.5 if stack is None else stack)
        else ()
    )
    return rng.normal(size=lead + (k, n))


def _scaled_copy_agrees(function, factor):
    """`function(W * factor) == function(W) * factor**power` checks: norms scale as W,
    the matrix and interference as W^2, the document's scores as W^4."""

    def check(result, kwargs):
        W = np.asarray(kwargs["W"])
        assert np.allclose(function(W * 2.0), result * 2.0**factor, rtol=1e-12)

    return check


def _norms_check(result, kwargs):
    """The lengths, also of W scaled by 1e±300 (no overflow to inf, no wrong 0)."""
    W = np.asarray(kwargs["W"])
    np.testing.assert_allclose(result, np.sqrt(np.sum(W**2, axis=-2)), rtol=1e-12)
    for scale in (1e300, 1e-300):
        np.testing.assert_allclose(lib.feature_norms(W * scale) / scale, result)


def _directions_check(result, kwargs):
    """Unit columns along W's; the same for W scaled by 1e±300 (scale-free)."""
    W = np.asarray(kwargs["W"])
    norms = np.sqrt(np.sum(W**2, axis=-2, keepdims=True))
    assert np.allclose(result * norms, W)
    assert np.allclose(np.sum(result**2, axis=-2), 1.0)
    for scale in (1e300, 1e-300):
        np.testing.assert_allclose(lib.feature_directions(W * scale), result)


def _interference_check(result, kwargs):
    W = np.asarray(kwargs["W"])
    M = np.swapaxes(W, -1, -2) @ W
    norms2 = np.diagonal(M, axis1=-2, axis2=-1)
    # sum_j (W_i . W_j)^2 / |W_i|^2 minus the j = i term |W_i|^2
    expected = np.sum(M**2, axis=-1) / norms2 - norms2
    assert np.allclose(result, expected, atol=1e-9 * np.max(norms2))


def _count_check(result, kwargs):
    norms = np.sqrt(np.sum(np.asarray(kwargs["W"]) ** 2, axis=-2))
    assert np.array_equal(result, np.sum(norms > kwargs["threshold"], axis=-1))


def _original_norms_check(result, kwargs):
    W = np.asarray(kwargs["W"])
    norms = np.sqrt(np.sum(W**2, axis=-2))
    assert np.allclose(result, norms * np.sqrt(norms**2 + lib.interference(W)))


def _estimate_loss_kwargs(rng):
    n_instances, k, n = int(rng.integers(1, 3)), int(rng.integers(1, 3)), 4
    return {
        "W": rng.normal(size=(n_instances, k, n)),
        "b": rng.normal(scale=0.1, size=(n_instances, n)),
        "sparsity": rng.uniform(0.0, 0.9, size=(n_instances, n)),
        "importance": rng.uniform(0.1, 1.0, size=n),
        "rng": int(rng.integers(0, 1000)),
        "n_samples": int(rng.integers(5, 40)),
        "activation": ["relu", "linear"][int(rng.integers(2))],
        "chunk": int(rng.integers(3, 20)),
    }


def _estimate_loss_check(result, kwargs):
    """The chunked estimate equals the loss of the same data in one piece."""
    kw = dict(kwargs)
    W, b = np.asarray(kw["W"]), np.asarray(kw["b"])
    X = lib.generate_sparse_data(
        kw["n_samples"], W.shape[-1], kw["sparsity"], kw["rng"], n_instances=len(W)
    )
    if kw["chunk"] >= kw["n_samples"]:
        _, _, X_hat = lib.forward({"W": W, "b": b}, X, kw["activation"])
        expected = lib.weighted_loss(X, X_hat, kw["importance"])
        assert np.allclose(result, expected, rtol=1e-12)
    assert np.all(result >= 0)


def _best_in_groups_check(result, kwargs):
    groups = np.asarray(kwargs["losses"]).reshape(-1, kwargs["group_size"])
    assert np.array_equal(np.asarray(kwargs["losses"])[result], groups.min(axis=1))


def _groups(rng):
    group_size = int(rng.integers(1, 4))
    return {
        "losses": rng.uniform(size=group_size * int(rng.integers(1, 4))),
        "group_size": group_size,
    }


W_STACK = Stack()
SPECS = {
    "superposition_matrix": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": W_STACK},
        check=_scaled_copy_agrees(lib.superposition_matrix, 2),
    ),
    "feature_norms": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": W_STACK},
        check=_norms_check,
    ),
    "feature_directions": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": Stack(scale_free=True)},
        check=_directions_check,
    ),
    "interference": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": W_STACK},
        check=_interference_check,
    ),
    "count_represented": Spec(
        build=lambda rng: {
            "W": weights(rng),
            "threshold": float(rng.uniform(0.1, 2.0)),
        },
        args={"W": W_STACK, "threshold": Real(0.0, np.inf, low_open=True)},
        check=_count_check,
    ),
    "original_weight_norms": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": W_STACK},
        check=_original_norms_check,
    ),
    "original_pairwise_scores": Spec(
        build=lambda rng: {"W": weights(rng)},
        args={"W": W_STACK},
        check=_scaled_copy_agrees(lib.original_pairwise_scores, 4),
    ),
    "estimate_loss": Spec(
        build=_estimate_loss_kwargs,
        args={
            "W": Array(),
            "b": Array(),
            "sparsity": Bounded(low=0.0, high=1.0, high_open=True),
            # (n,) and (I, n) are both valid: a wrong rank is caught by its shape.
            "importance": Bounded(low=0.0, rank=False),
            "rng": Seed(),
            "n_samples": Int(low=1),
            "activation": Choice(("relu", "linear")),
            "chunk": Int(low=1),
        },
        check=_estimate_loss_check,
    ),
    "best_in_groups": Spec(
        build=_groups,
        # No losses, no groups to choose from: refused (empty=REFUSE).
        args={"losses": Array(empty=REFUSE), "group_size": Int(low=1)},
        check=_best_in_groups_check,
    ),
}

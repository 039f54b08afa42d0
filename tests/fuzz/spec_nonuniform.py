"""Fuzz specs: loss benefit and interference (`superposition_lib.nonuniform`)."""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Spec
from fuzz.kinds import Int
from fuzz.spec_analysis import Bounded, Seed, Stack


def _model(rng, *, stack=None):
    """W (k, n) or (I, k, n), b to match, importance (n,) or (I, n): a small model."""
    k, n = int(rng.integers(1, 3)), int(rng.integers(1, 5))
    stacked = rng.random() < 0.5 if stack is None else stack
    lead = (int(rng.integers(1, 3)),) if stacked else ()
    per_instance = lead and rng.random() < 0.5
    return {
        "W": rng.normal(size=lead + (k, n)),
        "b": rng.normal(scale=0.3, size=lead + (n,)),
        "importance": rng.uniform(0.1, 2.0, size=(lead if per_instance else ()) + (n,)),
    }


def _with_sparsity(rng):
    kwargs = _model(rng)
    lead, n = kwargs["W"].shape[:-2], kwargs["W"].shape[-1]
    kwargs["sparsity"] = rng.uniform(0.0, 0.95, size=lead + (n,))
    return kwargs


def _counting(rng):
    kwargs = _with_sparsity(rng)
    kwargs.update(
        rng=int(rng.integers(0, 1000)),
        n_samples=int(rng.integers(5, 40)),
        chunk=int(rng.integers(3, 20)),
    )
    return kwargs


def _by_quadrature(W, b, importance, points=4000):
    """Benefit and interference by the midpoint rule (the oracle)."""
    u = (np.arange(points) + 0.5) / points
    n = W.shape[-1]
    M = np.swapaxes(W, -1, -2) @ W
    imp = np.broadcast_to(importance, b.shape)
    active = M[..., :, :, None] * u + b[..., None, :, None]  # (..., i, j, u)
    leak = np.mean(np.maximum(active, 0.0) ** 2, axis=-1) * imp[..., None, :]
    own = np.diagonal(active, axis1=-3, axis2=-2)  # (..., u, i)
    benefit = imp * np.mean((u[:, None] - np.maximum(own, 0.0)) ** 2, axis=-2)
    return benefit, np.where(np.eye(n, dtype=bool), 0.0, leak)


def _terms_check(result, kwargs):
    W, b = np.asarray(kwargs["W"]), np.asarray(kwargs["b"])
    benefit, interference = result
    want_benefit, want_interference = _by_quadrature(W, b, kwargs["importance"])
    scale = 1e-5 * (1 + np.max(np.abs(W)) ** 4 + np.max(np.abs(b)) ** 2)
    assert np.allclose(benefit, want_benefit, atol=scale)
    assert np.allclose(interference, want_interference, atol=scale)
    assert np.all(benefit >= 0) and np.all(interference >= 0)


def _decomposition_check(result, kwargs):
    """Each term >= 0; benefit = Σ_i P(only i) B_i, recomputed here from the terms."""
    W, b = np.asarray(kwargs["W"]), np.asarray(kwargs["b"])
    density = np.broadcast_to(1 - np.asarray(kwargs["sparsity"]), b.shape)
    benefit, _ = lib.one_sparse_terms(W, b, kwargs["importance"])
    only = np.stack(
        [
            density[..., i] * np.prod(np.delete(1 - density, i, axis=-1), axis=-1)
            for i in range(b.shape[-1])
        ],
        axis=-1,
    )
    assert np.allclose(result.benefit, np.sum(only * benefit, axis=-1))
    for term in result:
        assert np.all(np.asarray(term) >= 0)
    assert np.all(np.asarray(result.compound_probability) <= 1)


def _counting_check(result, kwargs):
    """The three parts add up to estimate_loss on the same samples."""
    whole = lib.estimate_loss(
        kwargs["W"],
        kwargs["b"],
        kwargs["sparsity"],
        kwargs["importance"],
        kwargs["rng"],
        n_samples=kwargs["n_samples"],
        chunk=kwargs["chunk"],
    )
    assert np.allclose(np.sum(result, axis=-1), whole, rtol=1e-10)
    assert np.all(result >= 0)


MODEL_ARGS = {
    "W": Stack(),
    "b": Bounded(),
    # (n,) and (I, n) are both valid: a wrong rank is caught by its shape.
    "importance": Bounded(low=0.0, rank=False),
}
SPARSITY = Bounded(low=0.0, high=1.0, high_open=True, rank=False)
SPECS = {
    "one_sparse_terms": Spec(build=_model, args=MODEL_ARGS, check=_terms_check),
    "loss_decomposition": Spec(
        build=_with_sparsity,
        args=dict(MODEL_ARGS, sparsity=SPARSITY),
        check=_decomposition_check,
    ),
    "LossDecomposition": Spec(
        build=_with_sparsity,
        call=lambda **kwargs: lib.loss_decomposition(**kwargs),
        skip={
            field: "a result record that loss_decomposition fills"
            for field in ("bias", "benefit", "interference", "compound_probability")
        },
        examples=1,
    ),
    "loss_by_active_count": Spec(
        build=_counting,
        args=dict(
            MODEL_ARGS,
            sparsity=SPARSITY,
            rng=Seed(),
            n_samples=Int(low=1),
            chunk=Int(low=1),
        ),
        check=_counting_check,
    ),
}

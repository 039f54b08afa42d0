# GENERATED from book/01_data.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Sparse data and feature importance.

The toy models of [elhage2022superposition] are trained on data that is built to
have features: $n$ independent quantities, each of which is usually absent (zero)
and, when present, takes a random value. Real features in real networks (a curve
detector, a token in a particular language) behave like this: most of them are off
on most inputs. That sparsity is what lets a model with fewer dimensions than
features store several features in one dimension, the superposition this book is
about. Features also differ in how much they matter, so the loss weighs each by an
importance. This chapter builds both: the data generator and the importance weights,
and checks the generator with statistics that would catch a real bug.
"""

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_float_dtype,
    check_in_range,
    check_positive_int,
)

__all__ = [
    "feature_importance",
    "generate_sparse_data",
    "original_generate_sparse_data",
]


# ---- book/01_data.ipynb, cell be061746 ----
def feature_importance(n_features, decay=0.7):
    """Feature importances I_i = decay**i, i = 0..n-1.

    The original document writes alpha**(i-1) with i counting from 1: the same numbers.
    """
    n_features = check_positive_int(n_features, "n_features")
    decay = check_in_range(decay, "decay", 0.0, 1.0, low_open=True)
    if decay.ndim != 0:
        raise ValueError(f"decay must be a single number, got shape {decay.shape}")
    return float(decay) ** np.arange(n_features, dtype=np.float64)


def _keep_probability(sparsity, n_features, n_instances):
    """p = 1 - S shaped to broadcast against (N, n) or, with instances, (I, N, n)."""
    sparsity = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    keep = 1.0 - sparsity
    if n_instances is None:
        if keep.shape in ((), (n_features,)):
            return keep
        raise ValueError(
            f"sparsity must be a number or have shape ({n_features},) "
            f"(one per feature), got shape {sparsity.shape}"
        )
    if keep.shape == ():
        return keep
    if keep.shape == (n_instances,):
        return keep[:, None, None]
    if keep.shape == (n_instances, n_features):
        return keep[:, None, :]
    raise ValueError(
        f"with n_instances={n_instances}, sparsity must be a number or "
        f"have shape ({n_instances},) or ({n_instances}, {n_features}), "
        f"got shape {sparsity.shape}"
    )


def _data_shape(n_samples, n_features, n_instances):
    n_samples = check_positive_int(n_samples, "n_samples")
    n_features = check_positive_int(n_features, "n_features")
    if n_instances is None:
        return (n_samples, n_features)
    return (check_positive_int(n_instances, "n_instances"), n_samples, n_features)


def generate_sparse_data(
    n_samples, n_features, sparsity, rng, *, n_instances=None, dtype=np.float64
):
    """Sparse data x_ij = B_ij U_ij, B ~ Bernoulli(1 - S), U ~ Uniform[0, 1).

    One uniform u per entry: with p = 1 - S, x = u / p where u < p, else 0.
    Returns (N, n), or (I, N, n) when `n_instances` is given. `sparsity`: a number,
    (n,) per feature, or with instances (I,) per instance or (I, n).
    """
    shape = _data_shape(n_samples, n_features, n_instances)
    dtype = check_float_dtype(dtype)
    keep = _keep_probability(sparsity, shape[-1], n_instances).astype(dtype)
    x = as_generator(rng).random(shape, dtype=dtype)
    kept = x < keep
    # In place: a training step calls this every time, and a second array of this size
    # costs as much as the arithmetic.
    x /= keep
    x *= kept
    return x


def original_generate_sparse_data(n_samples, n_features, sparsity, rng):
    """The original document's generator, x = B * U with B and U drawn separately.

    Same distribution as `generate_sparse_data` from twice the random numbers; kept
    to compare. `sparsity` is a number or (n,) per feature.
    """
    shape = _data_shape(n_samples, n_features, None)
    keep = _keep_probability(sparsity, shape[-1], None)
    rng = as_generator(rng)
    mask = rng.binomial(1, keep, size=shape)
    values = rng.uniform(0.0, 1.0, size=shape)
    return values * mask

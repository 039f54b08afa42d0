# GENERATED from book/11_correlated.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Correlated and anticorrelated features.

Until now every feature was independent of every other: whether feature 3 is on says
nothing about feature 7. Real features are not like that. Fur, ears and eyes come
together in pictures of animals (the paper's example); Python code and French poetry
rarely share a line. [elhage2022superposition] study what such structure does to
superposition with two idealised kinds of dependence: correlated feature sets, whose
features are active together, and anticorrelated sets, of which at most one feature
is active at a time. They find an "order of preferences": correlated features get
orthogonal directions where possible and sit side by side where not, anticorrelated
features are packed together, ideally as antipodal pairs, and when there is too
little room the model gives up on telling correlated features apart and keeps only
their sum: their principal component. This chapter builds the data, checks it
against its definition, measures each of these preferences over several seeds, and
compares the numbers with the paper's.
"""

import numbers

import numpy as np

from superposition_lib.analysis import feature_directions, feature_norms
from superposition_lib.conventions import (
    as_generator,
    check_flag,
    check_float_dtype,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
    power_of_two_exponent,
    transpose_last,
)

__all__ = [
    "generate_correlated_data",
    "correlated_sampler",
    "mean_cosine_by_set",
    "antipodal_pair_counts",
    "set_principal_share",
    "principal_share",
]


# ---- book/11_correlated.ipynb, cell c1a0e006 ----
_KINDS = ("correlated", "anticorrelated")


def _checked_set_sizes(set_sizes):
    """`set_sizes` as a tuple of ints >= 1 (one per set), refused by name otherwise."""
    if isinstance(set_sizes, numbers.Integral):
        raise TypeError(
            f"set_sizes must be a sequence of integers, one size per set, got the "
            f"single number {set_sizes!r} (write ({set_sizes},) for one set)"
        )
    if isinstance(set_sizes, (str, bytes, dict, set)) or set_sizes is None:
        raise TypeError(f"set_sizes must be a sequence of integers, got {set_sizes!r}")
    try:
        sizes = list(set_sizes)
    except TypeError:
        raise TypeError(
            f"set_sizes must be a sequence of integers, got {set_sizes!r}"
        ) from None
    if not sizes:
        raise ValueError("set_sizes must name at least one set, got none")
    return tuple(check_positive_int(size, "set_sizes") for size in sizes)


def _checked_kinds(kinds, n_sets):
    """`kinds` as one kind per set: a single string applies to every set."""
    if isinstance(kinds, str):
        kinds = (kinds,) * n_sets
    if not isinstance(kinds, (list, tuple)):
        raise TypeError(f"kinds must be a string or a list of strings, got {kinds!r}")
    if len(kinds) != n_sets:
        raise ValueError(
            f"kinds must give one kind per set ({n_sets} sets), got {len(kinds)}"
        )
    return tuple(check_one_of(kind, "kinds", _KINDS) for kind in kinds)


class _FeatureSets:
    """Which set each feature is in, and the per-set constants the sampler needs."""

    def __init__(self, set_sizes, kinds):
        self.sizes = _checked_set_sizes(set_sizes)
        self.kinds = _checked_kinds(kinds, len(self.sizes))
        sizes = np.array(self.sizes)
        self.n_features = int(sizes.sum())
        self.owner = np.repeat(np.arange(sizes.size), sizes)  # feature -> its set
        self.first = np.cumsum(sizes) - sizes  # each set's first feature
        anti = np.array([kind == "anticorrelated" for kind in self.kinds])
        self.choices = np.where(anti, sizes, 1).astype(np.float64)  # m_s, or 1
        position = np.arange(self.n_features) - self.first[self.owner]
        self.code = np.where(anti[self.owner], position, 0).astype(np.float64)

    def keep_probability(self, sparsity, name="sparsity"):
        """p_s = 1 - S_s per set from a number, one per set, or one per feature."""
        S = check_in_range(sparsity, name, 0.0, 1.0, high_open=True)
        n_sets, n = len(self.sizes), self.n_features
        if S.shape in ((), (n_sets,)):
            return np.broadcast_to(1.0 - S.astype(np.float64), (n_sets,))
        if S.shape != (n,):
            raise ValueError(
                f"{name} must be a number, one per set ({n_sets},) or one per "
                f"feature ({n},), got shape {S.shape}"
            )
        per_set = S[self.first]
        if np.any(S != per_set[self.owner]):
            raise ValueError(
                f"{name} must be the same for every feature of a set (a set is on "
                f"or off as a whole), got {S!r}"
            )
        return 1.0 - per_set.astype(np.float64)

    def sample(self, rng, n_samples, keep, dtype):
        """(N, n) data: one uniform u per set for on/off and the chosen feature."""
        code = rng.random((n_samples, len(self.sizes)))
        code /= keep  # u / p < 1 exactly when u < p: the set is on
        code *= self.choices
        np.floor(code, out=code)  # on: 0 (correlated) or the chosen j < m_s
        on = np.repeat(code, self.sizes, axis=1) == self.code
        x = rng.random((n_samples, self.n_features), dtype=dtype)
        x *= on
        return x


def generate_correlated_data(
    n_samples, set_sizes, sparsity, rng, *, kinds="correlated", dtype=np.float64
):
    """Data with feature sets (eqs. 11.1, 11.2), shape (N, n), n = sum(set_sizes).

    Each set s is on with probability p_s = 1 - S_s. A correlated set turns all its
    features on together (eq. 11.1); an anticorrelated set turns on one of its m_s
    features, chosen uniformly (eq. 11.2). A feature that is on takes an independent
    Uniform[0, 1) value. `kinds`: one of "correlated", "anticorrelated", or one per
    set. `sparsity`: a number, (n_sets,) per set or (n,) equal within each set.
    """
    sets = _FeatureSets(set_sizes, kinds)
    n_samples = check_positive_int(n_samples, "n_samples")
    dtype = check_float_dtype(dtype)
    keep = sets.keep_probability(sparsity)
    return sets.sample(as_generator(rng), n_samples, keep, dtype)


def correlated_sampler(set_sizes, kinds="correlated", *, dtype=np.float64):
    """A `sampler(rng, n_samples, sparsity_row) -> (n_samples, n)` for train_toy_model.

    Draws exactly what `generate_correlated_data(n_samples, set_sizes, sparsity_row,
    rng, kinds=kinds, dtype=dtype)` draws. A sparsity row is checked once, then
    remembered: the trainer passes the same rows at every step.
    """
    sets = _FeatureSets(set_sizes, kinds)
    dtype = check_float_dtype(dtype)
    checked = {}

    def sampler(rng, n_samples, sparsity_row):
        rng = as_generator(rng)
        n_samples = check_positive_int(n_samples, "n_samples")
        row = sparsity_row
        key = row.tobytes() if isinstance(row, np.ndarray) and row.ndim == 1 else None
        keep = checked.get((key, getattr(row, "dtype", None)))
        if keep is None:
            if np.shape(row) != (sets.n_features,):
                raise ValueError(
                    f"sparsity_row must hold one sparsity per feature, shape "
                    f"({sets.n_features},), got {row!r:.60}"
                )
            keep = sets.keep_probability(row, "sparsity_row")
            if key is not None and len(checked) < 1024:
                checked[(key, row.dtype)] = keep
        return sets.sample(rng, n_samples, keep, dtype)

    sampler.set_sizes, sampler.kinds = sets.sizes, sets.kinds
    return sampler


# ---- book/11_correlated.ipynb, cell c1a0e00e ----
def _weights_and_sets(W, set_sizes):
    """W (k, n) or (I, k, n), scaled exactly to a largest entry near 1, and the set
    of each feature; the sizes must add up to n."""
    W = check_matrix_stack(W, "W")
    sizes = np.array(_checked_set_sizes(set_sizes))
    if sizes.sum() != W.shape[-1]:
        raise ValueError(
            f"set_sizes must add up to the number of features, {W.shape[-1]} "
            f"(W's last axis), got {tuple(sizes)} (sum {sizes.sum()})"
        )
    with np.errstate(under="ignore"):  # entries negligible beside the largest
        W = np.ldexp(W, -power_of_two_exponent(W, axis=(-2, -1)))
    return W, np.repeat(np.arange(sizes.size), sizes), sizes


def _pairs(owner, set_sizes):
    """Masks (n, n) of the pairs i < j in one set and in different sets."""
    same = owner[:, None] == owner[None, :]
    upper = np.triu(np.ones(same.shape, bool), k=1)
    if not np.any(same & upper):
        raise ValueError(f"set_sizes has no set of two or more features: {set_sizes}")
    if not np.any(~same & upper):
        raise ValueError(
            f"set_sizes has one set only, so no pair across sets: {set_sizes}"
        )
    return same & upper, ~same & upper


def mean_cosine_by_set(W, set_sizes, *, absolute=True):
    """Length-weighted mean cosine of feature pairs in one set and across sets (11.3).

    For a group of pairs P: Σ_P |W_i · W_j| / Σ_P ‖W_i‖ ‖W_j‖ (without the bars when
    `absolute` is False), so a dropped feature, which has no direction, weighs nothing;
    with equal lengths it is the plain mean of |cos|. Returns (within, across), each a
    float or (I,); 0 where no pair has length.
    """
    W, owner, _ = _weights_and_sets(W, set_sizes)
    absolute = check_flag(absolute, "absolute")
    within, across = _pairs(owner, set_sizes)
    with np.errstate(under="ignore"):
        dots = transpose_last(W) @ W
        norms = feature_norms(W)
        lengths = norms[..., :, None] * norms[..., None, :]
    dots = np.abs(dots) if absolute else dots

    def mean(pairs):
        total = np.sum(lengths[..., pairs], axis=-1)
        return np.divide(
            np.sum(dots[..., pairs], axis=-1),
            total,
            out=np.zeros_like(total),
            where=total > 0,
        )

    return mean(within)[()], mean(across)[()]


def antipodal_pair_counts(W, set_sizes, *, threshold=-0.9, min_norm=0.5):
    """Pairs with cos(W_i, W_j) < threshold, both ‖W‖ > min_norm: (within, across)."""
    threshold = check_in_range(threshold, "threshold", -1.0, 0.0, low_open=True)
    min_norm = check_in_range(min_norm, "min_norm", 0.0, np.inf, low_open=True)
    if threshold.ndim or min_norm.ndim:
        raise ValueError("threshold and min_norm must be single numbers")
    W = check_matrix_stack(W, "W")
    _, owner, _ = _weights_and_sets(W, set_sizes)
    within, across = _pairs(owner, set_sizes)
    directions = feature_directions(W)
    cosines = transpose_last(directions) @ directions
    kept = feature_norms(W) > min_norm
    opposite = (cosines < threshold) & kept[..., :, None] & kept[..., None, :]
    return np.sum(opposite[..., within], axis=-1), np.sum(
        opposite[..., across], axis=-1
    )


def set_principal_share(W, set_sizes):
    """Each set's share of weight on its first principal component (eq. 11.4).

    ‖Σ_{i∈s} W_i‖² / (m_s Σ_{i∈s} ‖W_i‖²): 1 when the set's columns are equal (the
    set collapsed onto its principal component), 1/m_s when they are orthogonal and of
    one length, 0 when they cancel. Shape (n_sets,) or (I, n_sets); 0 for a set whose
    columns are all zero.
    """
    W, owner, sizes = _weights_and_sets(W, set_sizes)
    starts = np.cumsum(sizes) - sizes
    with np.errstate(under="ignore"):
        summed = np.add.reduceat(W, starts, axis=-1)  # Σ_{i∈s} W_i, (..., k, n_sets)
        on_component = np.sum(summed**2, axis=-2) / sizes
        total = np.add.reduceat(np.sum(W**2, axis=-2), starts, axis=-1)
    return np.divide(on_component, total, out=np.zeros_like(total), where=total > 0)


def principal_share(W, set_sizes):
    """The share of ‖W‖²_F on the sets' first principal components (eq. 11.4).

    Σ_s ‖Σ_{i∈s} W_i‖² / m_s over ‖W‖²_F: 1 exactly when W's rows lie in the span of
    the sets' first principal components, as in the linear model's optimum (PCA).
    A float or (I,); 0 for an all-zero W.
    """
    W, owner, sizes = _weights_and_sets(W, set_sizes)
    starts = np.cumsum(sizes) - sizes
    with np.errstate(under="ignore"):
        summed = np.add.reduceat(W, starts, axis=-1)
        on_components = np.sum(summed**2 / sizes, axis=(-2, -1))
        total = np.sum(W**2, axis=(-2, -1))
    share = np.divide(on_components, total, out=np.zeros_like(total), where=total > 0)
    return share[()]

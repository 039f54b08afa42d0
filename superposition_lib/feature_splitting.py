# GENERATED from book/21_feature_splitting.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Feature splitting.

Give a sparse autoencoder more latents and it does not just find more of the same
kind of feature: in *Towards Monosemanticity* [bricken2023monosemanticity], one
feature of a small dictionary becomes several, more specific features in a larger
one, a phenomenon the paper calls feature splitting. This chapter builds toy data
whose features form a known hierarchy, parents whose activations subdivide into
children, trains SAEs of growing width on it, and measures the split latent by
latent.
"""

import itertools

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_in_range,
    check_matrix_stack,
    check_positive_int,
    transpose_last,
    vector_norm,
)

__all__ = [
    "hierarchical_directions",
    "sample_hierarchical",
    "subset_cosines",
    "MAX_CHILDREN",
    "covered_children",
    "family_tree",
    "child_firing_rates",
]


# ---- book/21_feature_splitting.ipynb, cell 2d5b8a44 ----
def _check_cosine(child_cosine):
    """cos θ as a float in (0, 1): a child neither orthogonal to its parent nor it."""
    if np.ndim(child_cosine) != 0:
        raise ValueError(f"child_cosine must be one number, got {child_cosine!r}")
    return float(
        check_in_range(
            child_cosine, "child_cosine", 0.0, 1.0, low_open=True, high_open=True
        )
    )


def _simplex(n_children):
    """C unit vectors in R^(C-1), pairwise dot -1/(C-1), summing to 0 (a simplex)."""
    centred = np.eye(n_children) - 1.0 / n_children
    basis = np.linalg.svd(centred)[0][:, : n_children - 1]  # spans the centred e_c
    vertices = basis.T @ centred
    return vertices / np.linalg.norm(vertices, axis=0, keepdims=True)


def hierarchical_directions(n_parents, n_children, n_dims, rng, *, child_cosine=0.8):
    """Parent directions u_p (d, P) and child directions v_pc (d, P, C) (eq. 21.1).

    v_pc = cos θ u_p + sin θ w_pc, with the offsets w_pc of family p a regular
    simplex (w_pc · w_pc' = -1/(C-1), sum_c w_pc = 0) orthogonal to every u; all
    families orthogonal, embedded by a random rotation of R^d (d >= P C).
    """
    P = check_positive_int(n_parents, "n_parents")
    C = check_positive_int(n_children, "n_children")
    d = check_positive_int(n_dims, "n_dims")
    cosine = _check_cosine(child_cosine)
    if C < 2:
        raise ValueError(f"n_children must be >= 2 for a parent to split, got {C}")
    if d < P * C:
        raise ValueError(
            f"n_dims must be >= n_parents * n_children = {P * C} (orthogonal "
            f"families), got {d}"
        )
    rng = as_generator(rng)
    basis = np.linalg.qr(rng.standard_normal((d, P * C)))[0].reshape(d, P, C)
    parents = basis[:, :, 0]
    offsets = basis[:, :, 1:] @ _simplex(C)  # (d, P, C)
    children = cosine * parents[:, :, None] + np.sqrt(1 - cosine**2) * offsets
    return parents, children


def sample_hierarchical(children, n_samples, density, rng):
    """Inputs z_n = sum_p b_np a_np v_{p, c_np} (eq. 21.1) and the active children.

    Family p is on with probability `density` (b ~ Bernoulli), then exactly one of
    its children, uniformly (c ~ Uniform{0..C-1}), with a size a ~ Uniform[0, 1).
    Returns Z (N, d) and active (N, P): the child of family p in input n, -1 if off.
    """
    children = check_array(children, "children", ndim=3)
    if 0 in children.shape:
        raise ValueError(f"children {children.shape} must have no empty axis")
    n_samples = check_positive_int(n_samples, "n_samples")
    density = float(check_in_range(density, "density", 0.0, 1.0))
    rng = as_generator(rng)
    _, P, C = children.shape
    on = rng.random((n_samples, P)) < density
    which = rng.integers(0, C, size=(n_samples, P))
    size = rng.random((n_samples, P)) * on
    chosen = children[:, np.arange(P), which]  # (d, N, P): each input's children
    with np.errstate(under="ignore"):  # a tiny size times a tiny entry: rounding
        Z = np.einsum("dnp,np->nd", chosen, size)
    return Z, np.where(on, which, -1)


def subset_cosines(child_cosine, n_children, n_covered):
    """Cosines of m_S, the mean of k of a family's C children (eq. 21.2):

    cos(m_S, v_c) = r_k for every covered child c, cos(m_S, u) = cos θ / r_k, with
    r_k^2 = cos² θ + sin² θ (C - k) / (k (C - 1)); their product is always cos θ.
    Returns (to the parent, to a covered child).
    """
    cosine = _check_cosine(child_cosine)
    C = check_positive_int(n_children, "n_children")
    k = check_positive_int(n_covered, "n_covered")
    if C < 2 or k > C:
        raise ValueError(
            f"need n_children >= 2 and n_covered <= n_children, got {C} and {k}"
        )
    r = np.sqrt(cosine**2 + (1 - cosine**2) * (C - k) / (k * (C - 1)))
    return float(cosine / r), float(r)


# ---- book/21_feature_splitting.ipynb, cell 9ecf12bb ----
MAX_CHILDREN = 12  # covered_children tries all 2^C - 1 subsets of a family


def _unit_columns(A):
    """Columns scaled to unit length; an all-zero column stays zero."""
    norms = vector_norm(A, axis=-2, keepdims=True)
    return A / np.where(norms > 0, norms, 1.0)


def _checked_children(children, d):
    """children (d, P, C) with the decoder's d, no empty axis, C <= MAX_CHILDREN."""
    children = check_array(children, "children", ndim=3)
    if children.shape[0] != d or 0 in children.shape:
        raise ValueError(
            f"children {children.shape} must be (d, P, C) with d = {d}, the "
            "decoder's rows, and no empty axis"
        )
    if children.shape[2] > MAX_CHILDREN:
        raise ValueError(
            f"children has {children.shape[2]} children per family; at most "
            f"{MAX_CHILDREN} (every subset is tried)"
        )
    return children


def covered_children(W_dec, children):
    """Which children each latent stands for: the subset S of one family whose mean
    direction m_S (eq. 21.2) has the largest cosine with the decoder column.

    W_dec (d, m) or (I, d, m); children (d, P, C). Returns family (.., m), covered
    (.., m, C) booleans (all C: parent-like; one: child-like) and that cosine (.., m).
    """
    W_dec = check_matrix_stack(W_dec, "W_dec")
    children = _checked_children(children, W_dec.shape[-2])
    d, P, C = children.shape
    subsets = np.array(
        [s for s in itertools.product((0, 1), repeat=C) if any(s)], dtype=bool
    )
    with np.errstate(under="ignore"):  # entries negligible beside the largest
        means = children @ (subsets.T / subsets.sum(axis=1))  # (d, P, n_subsets)
        means = _unit_columns(means.reshape(d, -1))
        cosines = transpose_last(_unit_columns(W_dec)) @ means  # (.., m, P n_subsets)
    family, subset = np.divmod(cosines.argmax(axis=-1), len(subsets))
    return family, subsets[subset], cosines.max(axis=-1)


def family_tree(W_small, W_large):
    """The ancestor of each latent of a larger SAE: the latent of the smaller one
    whose decoder column is closest, argmax_j cos(W_large[:, i], W_small[:, j]).

    Both (d, m) or both (I, d, m). Returns (ancestor, cosine), each (.., m_large).
    """
    W_small = check_matrix_stack(W_small, "W_small")
    W_large = check_matrix_stack(W_large, "W_large")
    if W_small.shape[:-1] != W_large.shape[:-1]:
        raise ValueError(
            f"W_small {W_small.shape} and W_large {W_large.shape} must share the "
            "instance axis and the rows d"
        )
    with np.errstate(under="ignore"):  # entries negligible beside the largest
        cosines = transpose_last(_unit_columns(W_large)) @ _unit_columns(W_small)
    return cosines.argmax(axis=-1), cosines.max(axis=-1)


def child_firing_rates(H, active, n_children):
    """rate[.., j, p, c]: the fraction of the inputs in which child c of family p is
    the only active child on which latent j fires (h_nj > 0), from activations.

    H (N, m) or (I, N, m); active (N, P) ints in [-1, C) from `sample_hierarchical`.
    Every child must be alone in some input. Returns (.., m, P, C).
    """
    H = check_array(H, "H", ndim=(2, 3))
    C = check_positive_int(n_children, "n_children")
    active = np.asarray(active)
    if active.dtype.kind not in "iu" or active.ndim != 2:
        raise TypeError(f"active must be a 2-D integer array, got {active.dtype}")
    if active.shape[0] != H.shape[-2] or 0 in H.shape or active.shape[1] == 0:
        raise ValueError(
            f"active {active.shape} must have a row per input of H {H.shape}"
        )
    if np.any((active < -1) | (active >= C)):
        raise ValueError(f"active must hold -1 (off) or a child in [0, {C})")
    alone = np.sum(active >= 0, axis=1) == 1  # another family cannot be the cause
    one_hot = (active[..., None] == np.arange(C)) & alone[:, None, None]
    counts = one_hot.sum(axis=0)  # (P, C)
    if np.any(counts == 0):
        raise ValueError("active has a child that is never alone: its rate is 0/0")
    fired = (H > 0).astype(H.dtype)
    return np.einsum("...nm,npc->...mpc", fired, one_hot.astype(H.dtype)) / counts

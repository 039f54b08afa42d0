"""Checks for the exercises of "Feature splitting" (chapter 21)."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.feature_splitting import family_tree, subset_cosines


def _pair(fn, args):
    got = learner_call(fn, *args, on=f"child_cosine, n_children, k = {args}")
    try:
        pair = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        pair = None
    if pair is None or pair.shape != (2,) or not np.all(np.isfinite(pair)):
        raise AssertionError(
            f"cosines_of_mean{args} must return two finite numbers (to the parent, to "
            f"a covered child), got {got!r}"
        )
    return pair


def check_cosines_of_mean_exercise(cosines_of_mean):
    """`cosines_of_mean(child_cosine, n_children, k)`: eq. (21.2)."""
    cases = [(0.8, 4, k) for k in (1, 2, 3, 4)] + [(0.5, 6, 2), (0.9, 3, 2)]
    for args in cases:
        got, want = _pair(cosines_of_mean, args), np.array(subset_cosines(*args))
        if np.allclose(got, want[::-1]):
            raise AssertionError(
                f"for {args} the order is swapped: first the cosine with the parent "
                "(largest for k = C), then with a covered child (largest for k = 1)"
            )
        cos, C, k = args
        orthogonal = np.sqrt(cos**2 + (1 - cos**2) / k)
        if k > 1 and np.allclose(got, [cos / orthogonal, orthogonal]):
            raise AssertionError(
                f"for {args}: the offsets are a simplex, not orthogonal: w_c · w_c' = "
                "-1/(C-1), so ||mean of k offsets||² = (C - k) / (k (C - 1)), not 1/k"
            )
        if np.allclose(got, want**2):
            raise AssertionError(
                f"for {args} you returned squared cosines: divide the dot products by "
                "the length r_k, not by r_k²"
            )
        assert np.allclose(got, want), (
            f"cosines_of_mean{args} = {got}, expected {want} (eq. 21.2)"
        )
        assert np.isclose(got[0] * got[1], cos), "their product must be cos θ"
    print("eq. (21.2): all checks passed")


def _indices(fn, W_small, W_large, what):
    got = learner_call(fn, W_small, W_large, on=what)
    got = np.asarray(got)
    if got.shape != (W_large.shape[1],) or got.dtype.kind not in "iu":
        raise AssertionError(
            f"ancestors must return one integer index per latent of W_large "
            f"({W_large.shape[1]},), got {got.dtype} {got.shape}: take the argmax over "
            "the smaller SAE's latents"
        )
    return got


def check_ancestors_exercise(ancestors, ancestors_8_to_16, W_small, W_large):
    """`ancestors(W_small, W_large)` and its result on the chapter's decoders."""
    rng = np.random.default_rng(21)
    small = rng.normal(size=(5, 4))
    large = small[:, [2, 0]] + 0.1 * rng.normal(size=(5, 2))
    large = np.concatenate([large, -small[:, [1]], rng.normal(size=(5, 3))], axis=1)
    small_scaled = small * np.array([1.0, 10.0, 0.1, 1.0])  # lengths must not matter
    got = _indices(ancestors, small_scaled, large, "a 5 × 4 and a 5 × 6 decoder")
    want = family_tree(small_scaled, large)[0]
    dots = np.argmax(large.T @ small_scaled, axis=1)
    if not np.array_equal(got, want) and np.array_equal(got, dots):
        raise AssertionError(
            "normalise the columns first: raw dot products let a long column win by "
            "its length"
        )
    absolute = np.argmax(np.abs(_cosines(small_scaled, large)), axis=1)
    if not np.array_equal(got, want) and np.array_equal(got, absolute):
        raise AssertionError(
            "no absolute value: a latent pointing the opposite way (cosine -1) is not "
            "an ancestor"
        )
    assert np.array_equal(got, want), f"ancestors gave {got}, expected {want}"
    result = np.asarray(ancestors_8_to_16)
    expected = family_tree(np.asarray(W_small), np.asarray(W_large))[0]
    assert result.shape == expected.shape and np.array_equal(result, expected), (
        "ancestors_8_to_16 must be ancestors(decoders[8][1], decoders[16][1])"
    )
    print("ancestors: all checks passed")


def _cosines(W_small, W_large):
    small = W_small / np.linalg.norm(W_small, axis=0)
    large = W_large / np.linalg.norm(W_large, axis=0)
    return large.T @ small


def check_far_children_exercise(parents_found, W_dec_far, children_far):
    """The prediction for children far from their parent, against the learner's run."""
    if not isinstance(parents_found, (bool, np.bool_)):
        raise AssertionError(
            "parents_found must be your prediction, True or False, got "
            f"{parents_found!r}"
        )
    children = np.asarray(children_far, dtype=float)
    if children.ndim != 3 or children.shape[1:] != (4, 4):
        raise AssertionError(
            "children_far must be the (24, 4, 4) children of hierarchical_directions"
        )
    centre = children.mean(axis=2)  # cos θ times each parent
    child_cosine = np.linalg.norm(centre, axis=0)
    assert np.allclose(child_cosine, 0.4, atol=1e-6), (
        f"the children are at cosine {child_cosine.mean():.2f} to their parent: "
        "use child_cosine=0.4"
    )
    W = np.asarray(W_dec_far, dtype=float)
    if W.ndim != 3 or W.shape[1:] != (children.shape[0], 4):
        raise AssertionError(
            f"W_dec_far must be the decoders of the three width-4 SAEs, (3, "
            f"{children.shape[0]}, 4), got {W.shape}"
        )
    unit = W / np.linalg.norm(W, axis=-2, keepdims=True)
    parents = centre / child_cosine
    found = bool(np.any(np.swapaxes(unit, -1, -2) @ parents >= 0.95))
    if parents_found and not found:
        raise AssertionError(
            "your SAEs have no parent-like latent, as the second moment predicts: "
            "along the parent it is cos² θ = 0.16 (times E[a²]), along each offset "
            "sin² θ / (C - 1) = 0.28, so the parent is not the direction a single "
            "latent should take"
        )
    assert parents_found == found, (
        "your SAEs do have a parent-like latent (cosine >= 0.95 with a parent), "
        "against your prediction: check the settings (child_cosine=0.4, width 4)"
    )
    print("far children: prediction and measurement agree")

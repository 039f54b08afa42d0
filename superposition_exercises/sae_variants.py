"""Checks for the exercises of "SAE variants: TopK, JumpReLU and Gated" (chapter 20)."""

import numpy as np

from superposition_exercises.assertions import learner_call


def _batch_topk_reference(U, k):
    """The BatchTopK code of eq. 20.4, written independently of the learner's."""
    flat = U.ravel()
    keep = int(round(k * U.shape[0]))
    H = np.zeros_like(flat)
    top = np.argsort(flat)[len(flat) - keep :]
    H[top] = np.maximum(flat[top], 0.0)
    return H.reshape(U.shape)


def _code(fn, U, k, what):
    got = learner_call(fn, U.copy(), k, on=f"{what} (U of shape {U.shape}, k = {k})")
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(
            f"batch_topk_code must return an array, got {got!r}"
        ) from None
    assert got.shape == U.shape, (
        f"the code has the shape of U {U.shape}, got {got.shape}"
    )
    return got


def check_batch_topk_code_exercise(batch_topk_code):
    """`batch_topk_code(U, k)`: the round(k N) largest entries of the batch, ReLU'd."""
    rng = np.random.default_rng(20)
    U = rng.normal(size=(8, 5))
    U[::2] -= 1.5  # half the inputs have low pre-activations: the budget goes elsewhere
    got = _code(batch_topk_code, U, 1.0, "a batch of 8 inputs")
    per_row = np.where(U >= np.sort(U, axis=1)[:, -1:], np.maximum(U, 0), 0.0)
    assert not np.allclose(got, per_row), (
        "that is TopK, k per input: BatchTopK ranks the whole batch, round(k N) "
        "entries of the flattened matrix"
    )
    assert np.count_nonzero(got) != 1, (
        "keep round(k N) entries of the batch (k is a mean per input), not k"
    )
    assert np.all(got >= 0), "apply the ReLU to the kept entries: a code is >= 0"
    want = _batch_topk_reference(U, 1.0)
    assert np.allclose(got, want), (
        "expected the 8 largest entries of U, ReLU'd, in their places; got a different "
        "code (is each kept entry its own value, not 1?)"
    )
    half = _code(batch_topk_code, U, 0.5, "k = 0.5 latents per input")
    assert np.allclose(half, _batch_topk_reference(U, 0.5)), (
        "k may be fractional: round(0.5 × 8) = 4 entries for the whole batch"
    )
    print("BatchTopK code: all checks passed")


def _l0(U, theta):
    return np.mean(np.sum(U > theta, axis=1))


def check_l0_threshold_gradient_exercise(l0_threshold_gradient):
    """`l0_threshold_gradient(U, theta, bandwidth)`: eq. 20.7 for the mean L0."""
    rng = np.random.default_rng(21)
    U = rng.normal(0.3, 0.5, size=(4000, 3))
    theta, eps = np.array([0.1, 0.4, 0.8]), 0.1
    got = learner_call(
        l0_threshold_gradient, U.copy(), theta.copy(), eps, on="U (4000, 3), ε = 0.1"
    )
    got = np.asarray(got, dtype=float)
    assert got.shape == (3,), (
        f"one pseudo-derivative per threshold (3,), got {got.shape}"
    )
    smoothed = np.array(
        [
            (_l0(U, theta + shift) - _l0(U, theta - shift)) / eps
            for shift in np.eye(3) * eps / 2
        ]
    )
    assert not np.allclose(got, -smoothed), (
        "raising θ switches latents off: the slope of the L0 is negative"
    )
    assert not np.allclose(got, smoothed * eps), "divide by the bandwidth ε: K(x)/ε"
    assert not np.allclose(got, smoothed * 2, rtol=0.15), (
        "K(x) = 1 for |x| < 1/2: the window is ε wide, centred on θ (|u - θ| < ε/2)"
    )
    assert np.allclose(got, smoothed), (
        "expected -(1/(N ε)) times the number of u_nj within ε/2 of θ_j, the slope of "
        f"the kernel-smoothed L0 {np.round(smoothed, 4)}; got {np.round(got, 4)}"
    )
    print("L0 pseudo-derivative: all checks passed")

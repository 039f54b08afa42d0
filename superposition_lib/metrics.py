# GENERATED from book/17_metrics.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Measuring sparsity: L0, L1, the Gini coefficient and reconstruction error.

A sparse autoencoder promises two things at once: its latents are **sparse** (few
active for any input) and together they **reconstruct** what they encode
[bricken2023monosemanticity]. Both promises need numbers. This chapter builds the
four the original document uses — the fraction of non-zero entries ("L0"), the mean
absolute value ("L1"), the Gini coefficient and the reconstruction error (a mean
squared error) — and asks of each what it really measures.
"""

import math

import numpy as np

from superposition_lib.conventions import check_array, power_of_two_exponent

__all__ = [
    "l0_fraction",
    "l1_norm",
    "gini",
    "original_gini",
    "reconstruction_mse",
]


# ---- book/17_metrics.ipynb, cell 8bcb2f79 ----
def _check_activations(A, name="A"):
    """A finite, non-empty float array of any shape."""
    A = check_array(A, name)
    if A.size == 0:
        raise ValueError(
            f"{name} is empty: a sparsity measure of no values is undefined"
        )
    return A


def _exponent(*arrays):
    """The e with 2^(e-1) <= max|a| < 2^e over all entries: a / 2^e is exact and at
    most 1 in size, so its sums cannot overflow nor its squares underflow."""
    return max(power_of_two_exponent(a) for a in arrays)


def l0_fraction(A, *, threshold=0.0):
    """L0 as a fraction of entries, not a count: (1/(N D)) sum 1[|A_ij| > threshold]."""
    A = _check_activations(A)
    threshold = float(check_array(threshold, "threshold", ndim=0))
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    return float(np.count_nonzero(np.abs(A) > threshold) / A.size)


def l1_norm(A):
    """Mean absolute value, (1 / (N D)) sum |A_ij| (accumulated in float64).

    Summed as 2^e mean(|A| / 2^e): the mean of values near 1e300 does not overflow.
    """
    A = _check_activations(A)
    e = _exponent(A)
    return math.ldexp(float(np.mean(np.abs(np.ldexp(A, -e)), dtype=np.float64)), e)


# ---- book/17_metrics.ipynb, cell 06343727 ----
def gini(A):
    """Gini coefficient of |A|: G = sum_i (2i - n - 1) a_(i) / (n sum_i a_(i)).

    a_(i): the absolute values sorted ascending; as a sparsity measure, Hurley &
    Rickard (2009). Equals the
    original document's 2 sum_i i a_(i) / (n sum a) - (n + 1) / n. O(n log n).
    0 for a constant vector, 1 - 1/n for a one-hot one. All-zero input returns 0.0
    (all entries are equal, and a silent representation is not "maximally sparse").
    Empty input raises ValueError. float32 input is summed in float64. G ignores a
    scale, so |A| is divided by a power of two first: its sums cannot overflow.
    """
    A = _check_activations(A)
    a = np.abs(A).reshape(-1)  # a fresh array, so it can be scaled and sorted in place
    np.ldexp(a, -_exponent(a), out=a)
    a.sort()
    total = np.sum(a, dtype=np.float64)
    if total == 0.0:
        return 0.0
    n = a.size
    weights = 2.0 * np.arange(1, n + 1, dtype=np.float64) - (n + 1)
    g = (weights @ a.astype(np.float64, copy=False)) / (n * total)
    return float(max(g, 0.0))  # G >= 0; only a rounding excess below 0 is removed


# ---- book/17_metrics.ipynb, cell de1d01cc ----
def original_gini(activations):
    """The original document's Gini code, verbatim: the baseline `gini` is checked and
    timed against. It divides by zero on all-zero input (NaN) and sums in the input's
    dtype; use `gini`."""
    flat_acts = np.abs(activations.flatten())
    sorted_acts = np.sort(flat_acts)
    n = len(sorted_acts)
    index = np.arange(1, n + 1)
    return (2 * np.sum(index * sorted_acts)) / (n * np.sum(sorted_acts)) - (n + 1) / n


# ---- book/17_metrics.ipynb, cell 013677b4 ----
def reconstruction_mse(A, A_hat):
    """Mean squared error per entry, (1 / (N D)) sum_ij (A_ij - A_hat_ij)^2.

    Computed as 4^e mean(((A - A_hat) / 2^e)^2), 2^e >= max(|A|, |A_hat|): an MSE
    beyond float64's range (both near 1e300, or both near 1e-300) is refused.
    """
    A = _check_activations(A, "A")
    A_hat = check_array(A_hat, "A_hat")
    if A_hat.shape != A.shape:
        raise ValueError(
            f"A_hat must have the shape of A, {A.shape}, got "
            f"{A_hat.shape} (a reconstruction is compared entry by entry)"
        )
    e = _exponent(A, A_hat)
    with np.errstate(under="ignore"):  # a square tiny beside the largest: rounding
        diff = np.ldexp(A.astype(np.float64, copy=False), -e) - np.ldexp(A_hat, -e)
        scaled = float(np.mean(diff * diff))
    try:
        mse = math.ldexp(scaled, 2 * e)
    except OverflowError:
        mse = math.inf
    if mse == math.inf or mse < np.finfo(np.float64).tiny <= scaled:
        raise ValueError(
            f"the MSE of A and A_hat (4^{e} x {scaled:.3g}) is outside float64's "
            "range: rescale both"
        )
    return mse

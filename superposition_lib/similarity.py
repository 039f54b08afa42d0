# GENERATED from book/16_similarity.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Comparing representations: RSA and CKA.

Train the same toy model twice with different seeds, and the two weight matrices $W$
look nothing alike. Yet the models may compute the same thing: the toy model only
ever uses $W^\top W$, so rotating the hidden space ($W \to QW$, $Q$ orthogonal)
gives an *identical* model with different weights. To ask "do these two models
represent the data the same way?" we need a similarity measure that looks past such
symmetries.
"""

import math

import numpy as np
from scipy import stats
from scipy.spatial.distance import pdist, squareform

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_one_of,
    check_positive_int,
    power_of_two_exponent,
)

__all__ = [
    "representational_distances",
    "rsa",
    "rsa_permutation_test",
    "centering_matrix",
    "gram_linear",
    "hsic",
    "linear_cka_gram",
    "center_columns",
    "linear_cka",
    "debiased_linear_cka",
    "cka_matrix",
    "rsa_matrix",
]


# ---- book/16_similarity.ipynb, cell 9c540c7f ----
def _check_representation(A, name, min_samples):
    """Return `A` as a finite (N, D) float array with N >= min_samples."""
    if np.ndim(A) == 1:
        raise ValueError(
            f"{name} must be 2-D (N samples, D units), got shape {np.shape(A)}; "
            f"for a single unit use {name}.reshape(-1, 1)"
        )
    A = check_array(A, name, ndim=2)
    if A.shape[0] < min_samples or A.shape[1] < 1:
        raise ValueError(
            f"{name} must have at least {min_samples} rows (samples) and at least "
            f"one column (unit), got shape {A.shape}"
        )
    return A


def _check_pair(X, Y, min_samples):
    """Check two representations of the same inputs: same N, finite, N >= min."""
    X = _check_representation(X, "X", min_samples)
    Y = _check_representation(Y, "Y", min_samples)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            "X and Y must have the same number of rows (row i of each is input i), "
            f"got X {X.shape} and Y {Y.shape}"
        )
    return X, Y


def _column_range(A, name, measure):
    """Column maxima and minima of A; refuse A if it is the same for every input."""
    high, low = A.max(axis=0), A.min(axis=0)
    if np.all(high == low):
        raise ValueError(
            f"{name} is the same for every input (every column has zero variance): "
            f"{measure} is undefined for a constant representation"
        )
    return high, low


def _unit_scaled(A):
    """A / 2^e (float64) and e, 2^e >= max|A|: exact, and no sum or product of the
    scaled entries can overflow or underflow (the scale is put back, or cancels)."""
    e = power_of_two_exponent(A)
    return np.ldexp(A.astype(np.float64, copy=False), -e), e


def _rescaled(value, e, what):
    """value * 2^e; refused, naming `what`, where that leaves float64's range."""
    top = float(np.max(np.abs(value), initial=0.0))
    try:
        back = math.ldexp(top, e)
    except OverflowError:
        back = math.inf
    if top and not np.finfo(np.float64).tiny <= back < math.inf:
        raise ValueError(
            f"{what} is outside float64's range ({top:.3g} x 2^{e}): rescale the input"
        )
    return np.ldexp(value, e)


# ---- book/16_similarity.ipynb, cell 265ffee3 ----
def representational_distances(A):
    """Pairwise distances d_ij = ‖a_i - a_j‖, i < j (condensed RDM), (N(N-1)/2,)."""
    A = _check_representation(A, "A", 2)
    scaled, e = _unit_scaled(A)  # pdist squares: 1e±300 would overflow or underflow
    return _rescaled(pdist(scaled), e, "a distance between rows of A")


def _scale_free_distances(A):
    """The distances of A / 2^e: RSA ignores a scale, and these never overflow."""
    return pdist(_unit_scaled(A)[0])


def _ranks(values):
    """Ranks 1..M of a vector; tied values share their average rank."""
    # One argsort; scipy's rankdata (~2.5x slower) only when there are ties, which are
    # rare among real-valued distances.
    order = np.argsort(values)
    if np.any(values[order[1:]] == values[order[:-1]]):
        return stats.rankdata(values)
    ranks = np.empty(values.size)
    ranks[order] = np.arange(1.0, values.size + 1)
    return ranks


def _ranks_if(values, method):
    """Spearman correlates ranks (ties get their average rank); Pearson the values."""
    check_one_of(method, "method", ("spearman", "pearson"))
    return _ranks(values) if method == "spearman" else values


def _pearson(a, b, name_a, name_b):
    """Pearson correlation of two vectors; an error when either does not vary."""
    for v, name in ((a, name_a), (b, name_b)):
        # A spread at rounding level is no spread: its correlation would be noise.
        if np.ptp(v) <= 64 * np.finfo(np.float64).eps * np.abs(v).max():
            raise ValueError(
                f"all pairwise distances in {name} are equal: the RSA correlation "
                "is undefined (is the representation constant?)"
            )
    a, b = a - a.mean(), b - b.mean()
    r = (a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.clip(r, -1.0, 1.0))  # Cauchy-Schwarz; clip only rounding excess


def rsa(X, Y, *, method="spearman"):
    """RSA = corr(d^X, d^Y) of pairwise Euclidean distances (Kriegeskorte et al. 2008).

    method: "spearman" (a rank correlation, the default) or "pearson" (the original
    document's choice). Needs N >= 3 inputs (at least three distances to correlate).
    """
    X, Y = _check_pair(X, Y, min_samples=3)
    d_x = _ranks_if(_scale_free_distances(X), method)
    d_y = _ranks_if(_scale_free_distances(Y), method)
    return _pearson(d_x, d_y, "X", "Y")


# ---- book/16_similarity.ipynb, cell 88ac0f5b ----
def rsa_permutation_test(X, Y, rng, *, n_permutations=999, method="spearman"):
    """RSA and its Mantel-test p-value: (1 + #{RSA(X, Y_pi) >= RSA}) / (1 + P).

    Permutes the inputs (rows of Y), not the pairs: the pairs share inputs, so scipy's
    pearsonr p-value on the distances (the original document's) is far too small.
    """
    X, Y = _check_pair(X, Y, min_samples=3)
    rng = as_generator(rng)
    n_permutations = check_positive_int(n_permutations, "n_permutations")
    d_x = _ranks_if(_scale_free_distances(X), method)
    # Permuting inputs permutes the RDM's rows and columns together; the ranks of the
    # distances are the permuted ranks, so the ranks are computed once.
    rdm_y = squareform(_ranks_if(_scale_free_distances(Y), method))
    upper = np.triu_indices(X.shape[0], k=1)
    observed = _pearson(d_x, rdm_y[upper], "X", "Y")
    null = np.empty(n_permutations)
    for p in range(n_permutations):
        order = rng.permutation(X.shape[0])
        null[p] = _pearson(d_x, rdm_y[np.ix_(order, order)][upper], "X", "Y")
    return observed, float((1 + np.sum(null >= observed)) / (1 + n_permutations))


# ---- book/16_similarity.ipynb, cell 425dcd56 ----
def centering_matrix(n_samples):
    """The centering matrix H = I_N - (1/N) 1 1^T, (N, N)."""
    n_samples = check_positive_int(n_samples, "n_samples")
    return np.eye(n_samples) - np.full((n_samples, n_samples), 1.0 / n_samples)


def gram_linear(A):
    """The linear-kernel Gram matrix K = A A^T, (N, N): inner products of all rows."""
    A = _check_representation(A, "A", 1).astype(np.float64, copy=False)
    top, big = np.max(np.abs(A)), np.sqrt(np.finfo(np.float64).max / A.shape[1])
    if top > big or 0 < top < 1 / big:  # K's entries would overflow or underflow
        raise ValueError(f"A's entries reach {top:.3g}: A @ A.T is outside float64")
    return A @ A.T


def _check_grams(K, L):
    K, L = check_array(K, "K", ndim=2), check_array(L, "L", ndim=2)
    if K.shape[0] != K.shape[1] or K.shape != L.shape or K.shape[0] < 2:
        raise ValueError(
            f"K and L must be square Gram matrices of the same N >= 2 inputs, "
            f"got K {K.shape} and L {L.shape}"
        )
    return K, L


def hsic(K, L):
    """Biased HSIC = tr(K~ L~) / (N-1)^2, K~ = HKH, L~ = HLH (the original's)."""
    (K, k), (L, l) = map(_unit_scaled, _check_grams(K, L))  # bilinear: exact
    H = centering_matrix(K.shape[0])
    K_centred, L_centred = H @ K @ H, H @ L @ H
    value = np.trace(K_centred @ L_centred) / (K.shape[0] - 1) ** 2
    return float(_rescaled(value, k + l, "HSIC(K, L)"))


def linear_cka_gram(X, Y):
    """CKA = HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) via N x N Gram matrices.

    The original document's form: O(N^2) memory and O(N^3) time. Use `linear_cka`.
    """
    X, Y = _check_pair(X, Y, min_samples=2)
    _column_range(X, "X", "CKA")
    _column_range(Y, "Y", "CKA")
    K, L = gram_linear(_unit_scaled(X)[0]), gram_linear(_unit_scaled(Y)[0])
    return hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L))


# ---- book/16_similarity.ipynb, cell 8fbcd569 ----
def center_columns(A):
    """Column-centred A_c = H A = A - mean over samples (float64), (N, D)."""
    scaled, e = _unit_scaled(_check_representation(A, "A", 1))
    return _rescaled(scaled - scaled.mean(axis=0), e, "A - mean(A)")


def _centred_unit_scale(A, name):
    """A_c / (largest column range / 2): CKA ignores scale; no product can overflow."""
    _column_range(A, name, "CKA")
    scaled = _unit_scaled(A)[0]  # float64 even for float32 input; sums cannot overflow
    centred = scaled - scaled.mean(axis=0)
    centred /= np.ptp(scaled, axis=0).max() / 2
    return centred


def linear_cka(X, Y):
    """Linear CKA in feature space: ‖Y_c^T X_c‖_F^2 / (‖X_c^T X_c‖_F ‖Y_c^T Y_c‖_F).

    Kornblith et al. (2019); X_c, Y_c are the column-centred (N, D1) and (N, D2)
    representations of the same N inputs. O(N D^2) time, no N x N matrix.
    """
    X, Y = _check_pair(X, Y, min_samples=2)
    X_c, Y_c = _centred_unit_scale(X, "X"), _centred_unit_scale(Y, "Y")
    cross = np.linalg.norm(Y_c.T @ X_c) ** 2
    cka = cross / (np.linalg.norm(X_c.T @ X_c) * np.linalg.norm(Y_c.T @ Y_c))
    return float(np.clip(cka, 0.0, 1.0))


# ---- book/16_similarity.ipynb, cell 6ce8b3a4 ----
def _hsic_unbiased_features(X_c, Y_c):
    """N(N-3) HSIC_u for centred features, no N x N matrix (feature-space form)."""
    n = X_c.shape[0]
    k, l = np.einsum("ij,ij->i", X_c, X_c), np.einsum("ij,ij->i", Y_c, Y_c)
    return (
        np.linalg.norm(Y_c.T @ X_c) ** 2
        - n / (n - 2) * (k @ l)
        + k.sum() * l.sum() / ((n - 1) * (n - 2))
    )


def debiased_linear_cka(X, Y):
    """Debiased linear CKA HSIC_u(X, Y) / sqrt(HSIC_u(X, X) HSIC_u(Y, Y)), features.

    Song et al.'s (2012) unbiased HSIC in CKA, as in Kornblith et al.'s reference code;
    N >= 4. Not confined to [0, 1]: near 0 (either sign) for independent data.
    """
    X, Y = _check_pair(X, Y, min_samples=4)
    X_c, Y_c = _centred_unit_scale(X, "X"), _centred_unit_scale(Y, "Y")
    self_x = _hsic_unbiased_features(X_c, X_c)
    self_y = _hsic_unbiased_features(Y_c, Y_c)
    # Its terms are of size ‖A_c‖_F^4; a self-HSIC_u at rounding level of that is zero.
    for value, A_c, name in ((self_x, X_c, "X"), (self_y, Y_c, "Y")):
        if value <= 1e-10 * np.sum(A_c * A_c) ** 2:
            raise ValueError(
                f"HSIC_u({name}, {name}) is not positive (too few samples, or one "
                "input carries all the variance): debiased CKA is undefined"
            )
    return float(_hsic_unbiased_features(X_c, Y_c) / np.sqrt(self_x * self_y))


# ---- book/16_similarity.ipynb, cell d69fe84c ----
def _as_representation_list(representations, min_samples):
    """A stack (M, N, D) or a sequence of (N, D_m) arrays -> list of checked arrays."""
    if not isinstance(representations, (list, tuple, np.ndarray)):
        raise TypeError(
            "representations must be a list of (N, D_m) arrays or an (M, N, D) stack, "
            f"got {type(representations).__name__}"
        )
    if isinstance(representations, np.ndarray) and representations.ndim != 3:
        raise ValueError(
            "representations must be a stack (M, N, D) or a list of (N, D_m) arrays, "
            f"got shape {representations.shape}"
        )
    reps = [
        _check_representation(A, f"representations[{m}]", min_samples)
        for m, A in enumerate(representations)
    ]
    if not reps or len({A.shape[0] for A in reps}) != 1:
        raise ValueError(
            "representations must be one or more arrays with the same number of rows, "
            f"got shapes {[A.shape for A in reps]}"
        )
    return reps


def cka_matrix(representations):
    """Linear CKA between every pair of M representations of the same inputs, (M, M)."""
    reps = _as_representation_list(representations, min_samples=2)
    centred = [
        _centred_unit_scale(A, f"representations[{m}]") for m, A in enumerate(reps)
    ]
    self_norms = np.array([np.linalg.norm(A.T @ A) for A in centred])
    cka = np.ones((len(reps), len(reps)))
    for i in range(len(reps)):
        for j in range(i):
            cross = np.linalg.norm(centred[j].T @ centred[i]) ** 2
            cka[i, j] = cka[j, i] = cross / (self_norms[i] * self_norms[j])
    return np.clip(cka, 0.0, 1.0)


def rsa_matrix(representations, *, method="spearman"):
    """RSA (correlation of pairwise-distance vectors) between every pair, (M, M)."""
    reps = _as_representation_list(representations, min_samples=3)
    distances = [_ranks_if(_scale_free_distances(A), method) for A in reps]
    for m, d in enumerate(distances):
        _pearson(d, d, f"representations[{m}]", "")  # refuses a constant one (as a)
    return np.clip(np.corrcoef(np.stack(distances)), -1.0, 1.0)

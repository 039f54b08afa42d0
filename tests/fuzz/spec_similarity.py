"""Fuzz specs: RSA and CKA (`superposition_lib.similarity`, chapter 16).

Besides the harness's checks, each `check=` holds an oracle (scipy, the definition) and
the scale law the chapter teaches, at ordinary and at extreme scales (1e±300): CKA and
RSA ignore a scaling of an input, distances scale with it, HSIC is bilinear.
"""

import numpy as np
from scipy import stats
from scipy.spatial.distance import pdist

import superposition_lib as lib
from fuzz.harness import OUT_OF_RANGE, PLAIN, Spec, invoke, scale_law
from fuzz.kinds import Array, Choice, Int, Rng

METHOD = Choice(("spearman", "pearson"))


def _representation(rng, n=None, d=None):
    """A non-constant (N, D) representation with a non-zero mean."""
    n = int(rng.integers(5, 9)) if n is None else n
    d = int(rng.integers(1, 4)) if d is None else d
    return rng.normal(size=(n, d)) * rng.uniform(0.5, 2) + rng.normal(size=d)


def _pair(rng, min_samples=5):
    """Two representations of the same inputs, Y related to X (plus noise)."""
    X = _representation(rng, n=int(rng.integers(min_samples, 9)))
    Y = np.tanh(X @ rng.normal(size=(X.shape[1], 3))) + 0.3 * rng.normal(
        size=(X.shape[0], 3)
    )
    return {"X": X, "Y": Y}


def _pair_with_method(rng):
    return {**_pair(rng), "method": ["spearman", "pearson"][int(rng.integers(2))]}


def _check_distances(result, kwargs):
    assert np.allclose(result, pdist(kwargs["A"]), rtol=1e-12)
    # distances between entries near 1e308 may pass float64's largest, 1.8e308
    scale_law("representational_distances", kwargs, "A", 1, result, refuse=["max"])


def _check_rsa(result, kwargs):
    d_x, d_y = pdist(kwargs["X"]), pdist(kwargs["Y"])
    if kwargs.get("method", "spearman") == "spearman":
        oracle = stats.spearmanr(d_x, d_y).statistic
    else:
        oracle = stats.pearsonr(d_x, d_y).statistic
    assert abs(result - oracle) < 1e-9, f"rsa {result} != scipy's {oracle}"
    for arg in ("X", "Y"):
        scale_law("rsa", kwargs, arg, 0, result)


def _check_permutation_test(result, kwargs):
    observed, p = result
    P = kwargs["n_permutations"]
    assert observed == lib.rsa(kwargs["X"], kwargs["Y"], method=kwargs["method"])
    assert 1 / (1 + P) <= p <= 1 and round(p * (1 + P), 9).is_integer()
    for arg in ("X", "Y"):  # the same permutations (fresh seed), the same p-value
        scale_law("rsa_permutation_test", kwargs, arg, 0, np.array(result))


def _check_centering_matrix(result, kwargs):
    n = kwargs["n_samples"]
    assert np.allclose(result @ np.ones(n), 0) and np.allclose(result @ result, result)


def _check_gram(result, kwargs):
    A = kwargs["A"]
    assert np.allclose(result, A @ A.T, rtol=1e-12)
    # c**2 K is no float64 at c = 1e±300: the true Gram matrix is refused, not 0 or inf
    scale_law("gram_linear", kwargs, "A", 2, result, refuse=OUT_OF_RANGE)


def _grams(rng):
    pair = _pair(rng)
    return {"K": pair["X"] @ pair["X"].T, "L": pair["Y"] @ pair["Y"].T}


def _check_hsic(result, kwargs):
    K, L = kwargs["K"], kwargs["L"]
    n = K.shape[0]
    H = np.eye(n) - 1 / n
    assert abs(result - np.trace(H @ K @ H @ L) / (n - 1) ** 2) < 1e-9 * abs(result)
    for arg in ("K", "L"):  # bilinear: HSIC(cK, L) = c HSIC(K, L), still a float64
        scale_law("hsic", kwargs, arg, 1, result, refuse=["max"])


def _cka_oracle(X, Y):
    X_c, Y_c = X - X.mean(axis=0), Y - Y.mean(axis=0)
    return np.linalg.norm(Y_c.T @ X_c) ** 2 / (
        np.linalg.norm(X_c.T @ X_c) * np.linalg.norm(Y_c.T @ Y_c)
    )


def _hsic_unbiased(K, L):
    """Song et al.'s (2012) unbiased HSIC from Gram matrices: the definition."""
    n = K.shape[0]
    K, L = K - np.diag(np.diag(K)), L - np.diag(np.diag(L))
    ones_k, ones_l = K.sum(axis=0), L.sum(axis=0)
    return (
        np.sum(K * L)
        + ones_k.sum() * ones_l.sum() / ((n - 1) * (n - 2))
        - 2 / (n - 2) * (ones_k @ ones_l)
    ) / (n * (n - 3))


def _debiased_oracle(X, Y):
    K, L = X @ X.T, Y @ Y.T
    return _hsic_unbiased(K, L) / np.sqrt(_hsic_unbiased(K, K) * _hsic_unbiased(L, L))


def _cka_checks(name):
    oracle_of = _debiased_oracle if name == "debiased_linear_cka" else _cka_oracle

    def check(result, kwargs):
        oracle = oracle_of(kwargs["X"], kwargs["Y"])
        assert abs(result - oracle) < 1e-9, f"{name} {result} != {oracle}"
        for arg in ("X", "Y"):
            scale_law(name, kwargs, arg, 0, result)

    return check


def _check_center_columns(result, kwargs):
    A = kwargs["A"]
    assert np.allclose(result, A - A.mean(axis=0), rtol=1e-12, atol=1e-12)
    scale_law("center_columns", kwargs, "A", 1, result, refuse=["max"])


def _stack(rng):
    n = int(rng.integers(5, 9))
    base = rng.normal(size=(n, 2))
    noise = rng.uniform(0.1, 1, size=(3, 1, 1)) * rng.normal(size=(3, n, 2))
    return {"representations": base + noise}


def _matrix_checks(name, measure):
    def check(result, kwargs):
        reps = kwargs["representations"]
        method = {"method": kwargs["method"]} if "method" in kwargs else {}

        def pairwise(A, B):
            return measure(A, B, **method)

        M = len(reps)
        oracle = [[pairwise(reps[i], reps[j]) for j in range(M)] for i in range(M)]
        assert np.allclose(result, oracle, atol=1e-9), f"{name} != pairwise"
        # a list of representations of different widths is the same
        widths = [reps[0], reps[1][:, :1], reps[2]]
        listed = invoke(name, PLAIN, {"representations": widths, **method})
        assert abs(listed[0, 1] - pairwise(widths[0], widths[1])) < 1e-9
        scale_law(name, kwargs, "representations", 0, result)

    return check


PAIR = {"X": Array(), "Y": Array()}

SPECS = {
    "representational_distances": Spec(
        build=lambda rng: {"A": _representation(rng)},
        args={"A": Array()},
        check=_check_distances,
    ),
    "rsa": Spec(
        build=_pair_with_method,
        args={**PAIR, "method": METHOD},
        check=_check_rsa,
    ),
    "rsa_permutation_test": Spec(
        build=lambda rng: {
            **_pair_with_method(rng),
            "rng": int(rng.integers(0, 1000)),
            "n_permutations": 9,  # kept small: the fuzz is about the arguments
        },
        args={**PAIR, "rng": Rng(), "n_permutations": Int(low=1), "method": METHOD},
        check=_check_permutation_test,
    ),
    "centering_matrix": Spec(
        build=lambda rng: {"n_samples": int(rng.integers(1, 8))},
        args={"n_samples": Int(low=1)},
        check=_check_centering_matrix,
    ),
    "gram_linear": Spec(
        build=lambda rng: {"A": _representation(rng)},
        args={"A": Array()},
        check=_check_gram,
    ),
    "hsic": Spec(
        build=_grams,
        args={"K": Array(), "L": Array()},
        check=_check_hsic,
    ),
    "linear_cka_gram": Spec(
        build=_pair, args=PAIR, check=_cka_checks("linear_cka_gram")
    ),
    "center_columns": Spec(
        build=lambda rng: {"A": _representation(rng)},
        args={"A": Array()},
        check=_check_center_columns,
    ),
    "linear_cka": Spec(build=_pair, args=PAIR, check=_cka_checks("linear_cka")),
    "debiased_linear_cka": Spec(
        build=_pair, args=PAIR, check=_cka_checks("debiased_linear_cka")
    ),
    "cka_matrix": Spec(
        build=_stack,
        args={"representations": Array()},
        check=_matrix_checks("cka_matrix", lib.linear_cka),
    ),
    "rsa_matrix": Spec(
        build=lambda rng: {
            **_stack(rng),
            "method": ["spearman", "pearson"][int(rng.integers(2))],
        },
        args={"representations": Array(), "method": METHOD},
        check=_matrix_checks("rsa_matrix", lib.rsa),
    ),
}

# GENERATED from book/00_conventions.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Conventions: arrays, randomness and honest errors.

Before the first equation, three promises the whole book keeps, and the small
functions that keep them. Every later module imports this one.
"""

import numbers

import numpy as np

__all__ = [
    "as_generator",
    "check_positive_int",
    "check_array",
    "check_in_range",
    "check_one_of",
    "check_float_dtype",
    "check_matrix_stack",
    "transpose_last",
    "check_flag",
    "power_of_two_exponent",
    "vector_norm",
    "instance_generators",
    "check_generators",
]


# ---- book/00_conventions.ipynb, cell 2fe66e6e ----
def as_generator(rng, name="rng"):
    """Return a `numpy.random.Generator` from a Generator or an integer seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a seed >= 0 or a Generator, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy.random.Generator or an integer seed, "
        f"got {type(rng).__name__}"
    )


def check_positive_int(value, name):
    """Return `value` as an int, or raise if it is not an integer >= 1."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_array(x, name, *, ndim=None, shape=None, finite=True):
    """Return `x` as a float ndarray, checking its rank, shape and finiteness.

    `ndim` is an int or a tuple of allowed ranks; in `shape`, None matches any
    length. Float32 stays float32 (it is faster); everything else becomes float64.
    A bool is not a number: True, False and boolean arrays are refused.
    """
    if isinstance(x, (str, bytes, bool, dict)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {err}") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr if arr.dtype == np.float32 else arr.astype(np.float64, copy=False)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and arr.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if shape is not None and (
        len(shape) != arr.ndim
        or any(want is not None and want != got for want, got in zip(shape, arr.shape))
    ):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, but contains NaN or inf")
    return arr


def check_in_range(value, name, low, high, *, low_open=False, high_open=False):
    """Return `value` as a float array after checking low <= value <= high.

    `low_open`/`high_open` exclude an end: sparsity lives in [0, 1), for instance.
    """
    arr = check_array(value, name)
    below = arr <= low if low_open else arr < low
    above = arr >= high if high_open else arr > high
    if np.any(below | above):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return arr


# ---- book/00_conventions.ipynb, cell 703ce964 ----
def check_one_of(value, name, choices):
    """Return `value` if it is one of `choices` (strings such as activations)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def check_float_dtype(dtype, name="dtype"):
    """Return `dtype` as np.float32 or np.float64, the only two the book computes in."""
    if dtype is None:  # np.dtype(None) would silently mean float64
        raise TypeError(f"{name} must be np.float32 or np.float64, got None")
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{name} must be np.float32 or np.float64, got {dtype!r}"
        ) from None
    if resolved not in (np.float32, np.float64):
        raise ValueError(f"{name} must be np.float32 or np.float64, got {resolved}")
    return resolved.type


def check_matrix_stack(A, name):
    """Return `A` checked as a (rows, cols) matrix or an (I, rows, cols) stack.

    Weights of one model or of I models trained together; no axis may be empty.
    """
    A = check_array(A, name, ndim=(2, 3))
    if 0 in A.shape:
        raise ValueError(f"{name} must not have an empty axis, got shape {A.shape}")
    return A


def transpose_last(A):
    """The transpose of the last two axes: W^T for one model, each W_i^T for a stack."""
    A = check_array(A, "A", finite=False)
    if A.ndim < 2:
        raise ValueError(
            f"A must have at least 2 axes to transpose, got shape {A.shape}"
        )
    return np.swapaxes(A, -1, -2)


def check_flag(value, name, *, optional=False):
    """Return `value` as a bool: only True or False (or None, if `optional`) pass.

    The other half of "a bool is not a number": a number is not a switch.
    """
    if optional and value is None:
        return None
    if not isinstance(value, (bool, np.bool_)):
        allowed = "True, False or None" if optional else "True or False"
        raise TypeError(f"{name} must be {allowed}, got {value!r}")
    return bool(value)


def power_of_two_exponent(A, axis=None):
    """The e with 2^(e-1) <= max|A| < 2^e (0 for an all-zero A), per `axis` if given.

    Dividing by 2^e only changes exponents, so it is exact: a scale-free result computed
    from A / 2^e is bit for bit the same, and no sum or square of the scaled entries
    (at most 1 in size) can overflow near 1e300 or underflow to a wrong 0 near 1e-300.
    With `axis`, e keeps the reduced axes so that np.ldexp(A, -e) broadcasts.
    """
    A = check_array(A, "A")
    largest = np.max(np.abs(A), axis=axis, keepdims=axis is not None, initial=0.0)
    exponent = np.frexp(largest)[1]
    return exponent if axis is not None else int(exponent)


def vector_norm(x, axis=-1, *, keepdims=False):
    """||x|| = sqrt(sum_i x_i^2) along `axis`, right for entries near 1e±300 too.

    Where the largest entry's square is a safe float, this is np.linalg.norm (the same
    bits); elsewhere it is s sqrt(sum_i (x_i / s)^2) with s = max_i |x_i|, scaled
    first as LAPACK's nrm2 is, so 1e300 does not overflow to inf nor 1e-300 underflow
    to a wrong 0. A zero vector has norm 0.
    """
    x = check_array(x, "x")
    scale = np.max(np.abs(x), axis=axis, keepdims=True, initial=0.0)
    n, info = max(x.size // max(scale.size, 1), 1), np.finfo(x.dtype)
    low, high = np.sqrt(n * info.tiny / info.eps), np.sqrt(info.max / n)
    plain = np.all((scale == 0) | ((scale > low) & (scale < high)))
    scale = np.where(scale > 0, scale, 1.0) if not plain else 1.0
    with np.errstate(under="ignore"):  # an entry tiny beside the largest: rounding
        norm = scale * np.sqrt(np.sum((x / scale) ** 2, axis=axis, keepdims=True))
    return norm if keepdims else np.squeeze(norm, axis=axis)


# ---- book/00_conventions.ipynb, cell 6ee89b53 ----
def instance_generators(seed, n_instances, first_instance=0):
    """One independent Generator per instance, from instance `first_instance` on.

    From an integer seed, instance i's stream is child i of SeedSequence(seed), the
    same whatever n_instances is; from a Generator, its next spawned children.
    """
    n_instances = check_positive_int(n_instances, "n_instances")
    first = first_instance
    if not isinstance(first, numbers.Integral) or isinstance(first, bool) or first < 0:
        raise ValueError(f"first_instance must be an integer >= 0, got {first!r}")
    if isinstance(seed, np.random.Generator):
        return seed.spawn(int(first) + n_instances)[int(first) :]
    as_generator(seed, "seed")  # refuses what it refuses: a bool, a negative seed, ...
    return [
        np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(i,)))
        for i in range(int(first), int(first) + n_instances)
    ]


def check_generators(rngs, n_instances=None):
    """Return `rngs` as a list of numpy Generators, one per instance: at least one, or
    exactly `n_instances` (what instance_generators(seed, n_instances) returns)."""
    if not isinstance(rngs, (list, tuple)):
        raise TypeError(
            "rngs must be a list of numpy.random.Generator, one per instance (see "
            f"instance_generators), got {type(rngs).__name__}"
        )
    if n_instances is not None:
        n_instances = check_positive_int(n_instances, "n_instances")
    if not rngs or (n_instances is not None and len(rngs) != n_instances):
        want = "at least one" if n_instances is None else f"{n_instances}"
        raise ValueError(
            f"rngs must hold {want} Generator(s), one per instance, got {len(rngs)}"
        )
    for i, rng in enumerate(rngs):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rngs[{i}] must be a numpy.random.Generator, got {type(rng).__name__}"
            )
    return list(rngs)

"""Fuzz specs: feature sets (`superposition_lib.correlated`, chapter 11)."""

from dataclasses import dataclass

import numpy as np

import superposition_lib as lib
from fuzz.harness import Spec
from fuzz.kinds import Bad, Dtype, Flag, Int, Kind, Real, Rng
from fuzz.spec_analysis import Bounded, Stack

KINDS = ("correlated", "anticorrelated")


@dataclass
class SetSizes(Kind):
    """A sequence of set sizes, each an integer >= 1 (`fixed_total`: they describe the
    columns of a given W, so sizes adding up to another n must be refused too)."""

    fixed_total: bool = False

    def bad(self, value):
        sizes = list(value)
        bad = super().bad(value) + [
            Bad("a single integer", sum(sizes)),
            Bad("no sets", []),
            Bad("a size of 0", [0] + sizes),
            Bad("a negative size", [-1] + sizes),
            Bad("a float size", [1.5] + sizes[1:]),
            Bad("a bool size", [True] + sizes[1:]),
            Bad("a nested list", [sizes]),
        ]
        if self.fixed_total:
            bad.append(Bad("sizes not adding up to n", sizes + [1]))
        return bad

    def respellings(self, value):
        return [("a tuple", tuple(value)), ("a NumPy array", np.array(value))]


@dataclass
class SetKinds(Kind):
    """ "correlated", "anticorrelated", or one of them per set."""

    n_sets: int = 1

    def bad(self, value):
        return [
            Bad("an unknown kind", "sometimes"),
            Bad("a number", 3),
            Bad("None", None),
            Bad("one kind too many", ["correlated"] * (self.n_sets + 1)),
            Bad("an unknown kind in the list", ["never"] * self.n_sets),
        ]

    def respellings(self, value):
        if isinstance(value, str):
            return [("one per set", [value] * self.n_sets)]
        return [("a tuple", tuple(value))]


def _sizes(rng, low=1):
    return [int(s) for s in rng.integers(low, 4, size=int(rng.integers(1, 4)))]


def _kinds(rng, n_sets):
    if rng.random() < 0.5:
        return str(KINDS[int(rng.integers(2))])
    return [str(KINDS[int(i)]) for i in rng.integers(0, 2, size=n_sets)]


# The kinds' n_sets must match the valid call: each spec builds with a fixed count.
N_SETS = 3


def _data_args(rng):
    sizes = [int(s) for s in rng.integers(1, 4, size=N_SETS)]
    return {
        "n_samples": int(rng.integers(1, 30)),
        "set_sizes": sizes,
        "sparsity": float(rng.uniform(0, 0.99)),
        "rng": int(rng.integers(0, 2**31)),
        "kinds": _kinds(rng, N_SETS),
        "dtype": [np.float32, np.float64][int(rng.integers(2))],
    }


def _check_data(result, kwargs):
    sizes, kinds = kwargs["set_sizes"], kwargs["kinds"]
    kinds = [kinds] * len(sizes) if isinstance(kinds, str) else kinds
    assert result.shape == (kwargs["n_samples"], sum(sizes))
    assert result.dtype == kwargs["dtype"]
    assert np.all((result >= 0) & (result < 1))
    on = result != 0
    start = 0
    for size, kind in zip(sizes, kinds):
        block = on[:, start : start + size]
        if kind == "anticorrelated":
            assert np.all(block.sum(axis=1) <= 1)
        else:  # all on or all off (a value of exactly 0 has probability 2^-53)
            assert np.all(block.all(axis=1) | ~block.any(axis=1))
        start += size


def _sampler_args(rng):
    kwargs = _data_args(rng)
    per_set = rng.uniform(0, 0.99, size=N_SETS)
    kwargs["sparsity_row"] = np.repeat(per_set, kwargs["set_sizes"])
    del kwargs["sparsity"]
    kwargs["rng"] = np.random.default_rng(kwargs["rng"])
    return kwargs


def _use_sampler(set_sizes, kinds, dtype, rng, n_samples, sparsity_row):
    sampler = lib.correlated_sampler(set_sizes, kinds, dtype=dtype)
    return sampler(rng, n_samples, sparsity_row)


def _check_sampler(result, kwargs):
    want = lib.generate_correlated_data(
        kwargs["n_samples"],
        kwargs["set_sizes"],
        kwargs["sparsity_row"],
        kwargs["rng"],
        kinds=kwargs["kinds"],
        dtype=kwargs["dtype"],
    )
    assert np.array_equal(result, want), "the sampler must draw what the generator does"


def _model(rng, n_sets=3):
    """W of one model or a stack, with n = sum(sizes) >= 3 columns, two sets at least
    and one of two features at least (so that both groups of pairs exist)."""
    sizes = [2] + [int(s) for s in rng.integers(1, 3, size=n_sets - 1)]
    lead = (int(rng.integers(1, 4)),) if rng.random() < 0.5 else ()
    return rng.normal(size=lead + (int(rng.integers(1, 4)), sum(sizes))), sizes


def _measure_args(rng):
    W, sizes = _model(rng)
    return {"W": W, "set_sizes": sizes}


def _check_cosines(result, kwargs):
    within, across = result
    W = np.asarray(kwargs["W"])
    assert np.shape(within) == W.shape[:-2] == np.shape(across)
    low = 0.0 if kwargs.get("absolute", True) else -1.0
    for mean in (within, across):
        assert np.all((mean >= low - 1e-12) & (mean <= 1 + 1e-12))


def _check_antipodal(result, kwargs):
    within, across = result
    n = sum(kwargs["set_sizes"])
    assert np.all((np.asarray(within) >= 0) & (np.asarray(across) >= 0))
    assert np.all(np.asarray(within) + np.asarray(across) <= n * (n - 1) // 2)


def _check_set_share(result, kwargs):
    W = np.asarray(kwargs["W"])
    assert result.shape == W.shape[:-2] + (len(kwargs["set_sizes"]),)
    assert np.all((result >= 0) & (result <= 1 + 1e-12))


def _check_share(result, kwargs):
    """The oracle: ‖W P‖²_F / ‖W‖²_F, P the projector onto the sets' mean directions."""
    W, sizes = np.asarray(kwargs["W"]), kwargs["set_sizes"]
    basis = np.zeros((sum(sizes), len(sizes)))
    for s, (start, m) in enumerate(zip(np.cumsum(sizes) - sizes, sizes)):
        basis[start : start + m, s] = 1 / np.sqrt(m)
    projected = W @ basis @ basis.T
    want = np.sum(projected**2, axis=(-2, -1)) / np.sum(W**2, axis=(-2, -1))
    assert np.allclose(result, want, rtol=1e-12)


MEASURE_ARGS = {"W": Stack(scale_free=True), "set_sizes": SetSizes(fixed_total=True)}

SPECS = {
    "generate_correlated_data": Spec(
        build=_data_args,
        args={
            "n_samples": Int(low=1),
            "set_sizes": SetSizes(),
            "sparsity": Real(0.0, 1.0, high_open=True),
            "rng": Rng(),
            "kinds": SetKinds(n_sets=N_SETS),
            "dtype": Dtype(),
        },
        check=_check_data,
        examples=10,  # cheap: more valid draws
    ),
    "correlated_sampler": Spec(
        build=_sampler_args,
        call=_use_sampler,
        args={
            # sizes adding up to another n: the row's length is then refused, by name
            "set_sizes": SetSizes(),
            "kinds": SetKinds(n_sets=N_SETS),
            "dtype": Dtype(),
            "rng": Rng(),
            "n_samples": Int(low=1),
            "sparsity_row": Bounded(low=0.0, high=1.0, high_open=True),
        },
        check=_check_sampler,
        examples=10,
    ),
    "mean_cosine_by_set": Spec(
        build=lambda rng: _measure_args(rng) | {"absolute": bool(rng.random() < 0.5)},
        args=MEASURE_ARGS | {"absolute": Flag()},
        check=_check_cosines,
    ),
    "antipodal_pair_counts": Spec(
        build=lambda rng: (
            _measure_args(rng)
            | {"threshold": float(rng.uniform(-0.99, -0.5)), "min_norm": 0.1}
        ),
        args={
            "W": Stack(),
            "set_sizes": SetSizes(fixed_total=True),
            "threshold": Real(-1.0, 0.0, low_open=True),
            "min_norm": Real(0.0, np.inf, low_open=True),
        },
        check=_check_antipodal,
    ),
    "set_principal_share": Spec(
        build=_measure_args, args=MEASURE_ARGS, check=_check_set_share
    ),
    "principal_share": Spec(build=_measure_args, args=MEASURE_ARGS, check=_check_share),
}

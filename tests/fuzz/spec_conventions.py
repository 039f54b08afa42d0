"""Fuzz specs: the conventions chapter's helpers (`superposition_lib.conventions`)."""

import numpy as np

import superposition_lib as lib
from fuzz.harness import PLAIN, Spec, invoke
from fuzz.kinds import SURVIVE, Array, Choice, Dtype, Flag, Generators, Int, Real, Rng

NAME = "the name a helper puts in its message, chosen by the caller: not fuzzed"


def _array(rng):
    return rng.normal(size=(3, 4))


def _check_vector_norm(result, kwargs):
    """The definition, and ||c x|| = c ||x|| where (c x)^2 is no float64."""
    x, axis = kwargs["x"], kwargs["axis"]
    assert np.allclose(result, np.sqrt(np.sum(x**2, axis=axis)), rtol=1e-12)
    for c in (1e300, 1e-300):
        scaled = invoke("vector_norm", PLAIN, {"x": c * x, "axis": axis})
        assert np.allclose(scaled / c, result, rtol=1e-12)


def _check_power_of_two_exponent(result, kwargs):
    top = np.max(np.abs(kwargs["A"]))
    assert 2.0 ** (result - 1) <= top < 2.0**result, "2^(e-1) <= max|A| < 2^e"
    scaled = np.ldexp(kwargs["A"], -result)
    assert np.array_equal(np.ldexp(scaled, result), kwargs["A"]), "exact both ways"


def _generators(rng):
    streams = lib.instance_generators(
        int(rng.integers(0, 1000)), int(rng.integers(1, 4))
    )
    return {"rngs": streams, "n_instances": len(streams)}


def _check_generators(result, kwargs):
    assert isinstance(result, list) and len(result) == len(kwargs["rngs"])
    assert all(isinstance(rng, np.random.Generator) for rng in result)


SPECS = {
    "check_generators": Spec(
        build=_generators,
        args={"rngs": Generators(), "n_instances": Int(low=1, optional=True)},
        check=_check_generators,
    ),
    "as_generator": Spec(
        build=lambda rng: {"rng": int(rng.integers(0, 1000)), "name": "rng"},
        args={"rng": Rng()},
        skip={"name": NAME},
    ),
    "check_positive_int": Spec(
        build=lambda rng: {"value": int(rng.integers(1, 50)), "name": "value"},
        args={"value": Int(low=1)},
        skip={"name": NAME},
    ),
    "check_array": Spec(
        build=lambda rng: {"x": _array(rng), "name": "x", "ndim": 2},
        args={"x": Array(empty=SURVIVE)},  # empty is the caller's to refuse
        skip={
            "name": NAME,
            "ndim": "a rank the caller states",
            "shape": "likewise",
            "finite": "False lets NaN through, on purpose",
        },
    ),
    "check_in_range": Spec(
        build=lambda rng: {
            "value": float(rng.uniform(0, 1)),
            "name": "value",
            "low": 0.0,
            "high": 1.0,
            "high_open": True,
        },
        args={"value": Real(0.0, 1.0, high_open=True)},
        skip={
            "name": NAME,
            "low": "the interval is the caller's",
            "high": "likewise",
            "low_open": "likewise",
            "high_open": "likewise",
        },
    ),
    "check_one_of": Spec(
        build=lambda rng: {
            "value": "relu",
            "name": "value",
            "choices": ("relu", "linear"),
        },
        args={"value": Choice(("relu", "linear"))},
        skip={"name": NAME, "choices": "the caller's options"},
    ),
    "check_float_dtype": Spec(
        build=lambda rng: {
            "dtype": [np.float32, np.float64][int(rng.integers(2))],
            "name": "dtype",
        },
        args={"dtype": Dtype()},
        skip={"name": NAME},
    ),
    "check_matrix_stack": Spec(
        build=lambda rng: {"A": _array(rng)[None].repeat(2, axis=0), "name": "A"},
        args={"A": Array(rank=False)},  # 2-D and 3-D are both valid
        skip={"name": NAME},
    ),
    "transpose_last": Spec(
        build=lambda rng: {"A": _array(rng)},
        args={"A": Array(finite=False, extreme=False, empty=SURVIVE, rank=False)},
        positional=("A",),
    ),
    "vector_norm": Spec(
        build=lambda rng: {"x": _array(rng), "axis": int(rng.integers(-2, 2))},
        args={"x": Array(empty=SURVIVE, rank=False)},  # any rank; empty: norm 0
        check=_check_vector_norm,
        skip={"axis": "any axis of x", "keepdims": "a layout the caller chooses"},
    ),
    "power_of_two_exponent": Spec(
        build=lambda rng: {"A": _array(rng) * 10.0 ** rng.integers(-5, 5)},
        args={"A": Array(empty=SURVIVE, rank=False)},  # any shape; empty: e = 0
        check=_check_power_of_two_exponent,
        skip={"axis": "any axes of A"},
    ),
    "check_flag": Spec(
        build=lambda rng: {"value": bool(rng.integers(2)), "name": "value"},
        args={"value": Flag()},
        skip={"name": NAME, "optional": "None allowed or not: the caller's choice"},
    ),
}


def _streams_check(result, kwargs):
    """Instance i's stream is child i of SeedSequence(seed), whatever the count."""
    n, first = kwargs["n_instances"], kwargs["first_instance"]
    assert len(result) == n
    alone = lib.instance_generators(kwargs["seed"], 1, first + n - 1)[0]
    assert result[-1] == alone.random()


SPECS |= {
    "instance_generators": Spec(
        build=lambda rng: {
            "seed": int(rng.integers(0, 1000)),
            "n_instances": int(rng.integers(1, 5)),
            "first_instance": int(rng.integers(0, 4)),
        },
        call=lambda **kwargs: [r.random() for r in lib.instance_generators(**kwargs)],
        args={"seed": Rng(), "n_instances": Int(low=1), "first_instance": Int(low=0)},
        check=_streams_check,
    ),
}

"""The fuzz test's table format, and how a spec is called and judged.

Every name in `superposition_lib.__all__` has an entry in one
`tests/fuzz/spec_<module>.py` (a dict `SPECS`): a function's `Spec` says how to build a
small valid call and what kind each argument is (`kinds.py`); a constant's `Constant`
says what it promises; a class's `Spec` (with `call`) says how to exercise it.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import superposition_lib as lib

HERE = Path(__file__).parent


@dataclass
class Spec:
    """How to call one public name, and what kind each argument is.

    `build(rng)` returns valid keyword arguments for a small, fast call (a fresh dict on
    every call: a Generator argument is consumed); `positional` names the arguments
    passed by position, in order. `call` replaces the library function when the name is
    a class or needs a method called; `check(result, kwargs)` asserts a property of a
    valid call's result (an oracle, an invariance). Only the arguments in `args` are
    mutated; `skip` says, for each argument not mutated, why.
    """

    build: Callable[[np.random.Generator], dict]
    args: dict = field(default_factory=dict)
    positional: tuple = ()
    call: Callable | None = None
    check: Callable | None = None
    skip: dict = field(default_factory=dict)
    examples: int = 3  # valid calls drawn by hypothesis (fewer for slow functions)


@dataclass
class Constant:
    """A public constant: `check(value)` asserts what the book promises about it."""

    check: Callable


def all_specs() -> dict[str, Spec | Constant]:
    specs: dict[str, Spec | Constant] = {}
    for path in sorted(HERE.glob("spec_*.py")):
        module = importlib.import_module(f"fuzz.{path.stem}")
        for name, spec in module.SPECS.items():
            if name in specs:
                raise ValueError(f"{name} has two specs ({path.name})")
            specs[name] = spec
    return specs


def function_of(name: str, spec: Spec) -> Callable:
    return spec.call or getattr(lib, name)


def invoke(name: str, spec: Spec, kwargs: dict):
    """Call the spec with `kwargs`; NumPy's RuntimeWarnings (overflow, invalid value,
    mean of an empty slice) are raised as errors: a silent NaN is a failure."""
    args = [kwargs[p] for p in spec.positional]
    rest = {k: v for k, v in kwargs.items() if k not in spec.positional}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(all="raise"):
            return function_of(name, spec)(*args, **rest)


def non_finite(result, where="result") -> list[str]:
    """Where a result holds NaN or inf (arrays, numbers, dicts, tuples, dataclasses)."""
    if isinstance(result, np.ndarray) and result.dtype.kind in "fc":
        return [] if np.all(np.isfinite(result)) else [where]
    if isinstance(result, float | np.floating | complex):
        return [] if np.isfinite(result) else [where]
    if isinstance(result, dict):
        return [w for k, v in result.items() for w in non_finite(v, f"{where}[{k!r}]")]
    if isinstance(result, list | tuple):
        return [w for i, v in enumerate(result) for w in non_finite(v, f"{where}[{i}]")]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return [
            w
            for f in dataclasses.fields(result)
            for w in non_finite(getattr(result, f.name), f"{where}.{f.name}")
        ]
    return []


def same(a, b, rtol=1e-9) -> bool:
    """Results equal up to the last bits of a sum whose order may change."""
    if isinstance(a, np.random.Generator):
        return a.bit_generator.state == b.bit_generator.state
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same(a[k], b[k], rtol) for k in a)
        )
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y, rtol) for x, y in zip(a, b))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(
            same(getattr(a, f.name), getattr(b, f.name), rtol)
            for f in dataclasses.fields(a)
        )
    if isinstance(a, np.ndarray | np.generic | float | int):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc":
            scale = np.max(np.abs(a), initial=0.0)
            return bool(np.allclose(a, b, rtol=rtol, atol=rtol * scale, equal_nan=True))
        return bool(np.array_equal(a, b))
    if hasattr(a, "__dict__") and not callable(a):
        return type(a) is type(b) and same(vars(a), vars(b), rtol)
    return a == b


# "max": scaled so that the largest entry is 1e308, near float64's largest (1.8e308),
# where sums such as column means overflow
EXTREME = ("3.7", "1e300", "1e-300", "max")
OUT_OF_RANGE = EXTREME[1:]  # where a result c**power times another is no float64
PLAIN = Spec(build=dict)  # to invoke a library function with keyword arguments


def scale_law(name, kwargs, args, power, result, *, refuse=(), rtol=1e-9):
    """Scaling `args` (a name or a tuple of names) by c scales the result by c**power
    (power 0: invariance), at the EXTREME c too. `refuse`: the c at which c**power
    times the result may be no float64, so a refusal naming the argument is right."""
    args = (args,) if isinstance(args, str) else args
    top = max(np.max(np.abs(kwargs[a])) for a in args)
    for label in EXTREME:
        c = 1e308 / top if label == "max" else float(label)
        scaled = dict(kwargs, **{a: np.asarray(kwargs[a]) * c for a in args})
        try:
            got = invoke(name, PLAIN, scaled)
        except (ValueError, TypeError) as err:
            named = any(re.search(rf"\b{a}\b", str(err)) for a in args)
            assert label in refuse and named, f"{name}: {args} scaled by {c:g}: {err}"
            continue
        got = np.asarray(got, dtype=float)
        for _ in range(power):
            got = got / c  # one factor at a time: c**power itself may not be a float
        assert np.allclose(got, result, rtol=rtol, atol=rtol * np.abs(result).max()), (
            f"{name}: scaling {args} by {c:g} should scale the result by c**{power}"
        )

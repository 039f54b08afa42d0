"""No silent wrong answer, anywhere in the API: every public name, fuzzed.

For each name in `superposition_lib.__all__` (the table: `spec_*.py`):
- valid calls (drawn by hypothesis) give finite results, the same on a repeat;
- re-spelt arguments (lists, read-only, non-contiguous, Fortran-ordered arrays, numpy
  scalars) give the same result, and no argument is modified;
- every bad value of every argument (wrong type, dtype, shape, rank, empty, NaN, ±inf,
  out of range, bools where numbers are meant) is refused with a ValueError/TypeError
  whose message names the argument;
- extreme but valid values (arrays scaled by 1e±300) give a finite result or a refusal
  that names the argument: never NaN, inf or a wrong 0.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import superposition_lib as lib
from fuzz.harness import Constant, Spec, all_specs, invoke, non_finite, same
from fuzz.kinds import REFUSE

SPECS = all_specs()
FUNCTIONS = {name: spec for name, spec in SPECS.items() if isinstance(spec, Spec)}
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def kwargs_for(spec: Spec, seed: int) -> dict:
    return spec.build(np.random.default_rng(seed))


def test_every_public_name_has_a_spec():
    missing = sorted(set(lib.__all__) - set(SPECS))
    extra = sorted(set(SPECS) - set(lib.__all__))
    assert not missing, (
        f"public names without a fuzz spec (tests/fuzz/spec_*): {missing}"
    )
    assert not extra, f"specs for names the library does not export: {extra}"


def test_every_argument_is_fuzzed_or_its_skip_explained():
    import inspect

    for name, spec in FUNCTIONS.items():
        if spec.call is not None:
            continue  # a class or a method: its spec lists what it exercises
        params = inspect.signature(getattr(lib, name)).parameters
        covered = set(spec.args) | set(spec.skip)
        unexplained = [
            p for p, v in params.items() if p not in covered and v.kind != v.VAR_KEYWORD
        ]
        assert not unexplained, (
            f"{name}: arguments neither fuzzed nor explained: {unexplained}"
        )


@pytest.mark.parametrize(
    "name", sorted(n for n, s in SPECS.items() if isinstance(s, Constant))
)
def test_constants_keep_their_promise(name):
    SPECS[name].check(getattr(lib, name))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_valid_calls_are_finite_and_repeatable(name):
    spec = FUNCTIONS[name]

    @settings(
        max_examples=spec.examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(seed=SEEDS)
    def run(seed):
        kwargs = kwargs_for(spec, seed)
        result = invoke(name, spec, kwargs)
        bad = non_finite(result)
        assert not bad, f"{name}: NaN or inf in {bad} for valid input"
        if spec.check is not None:
            spec.check(result, kwargs_for(spec, seed))
        again = invoke(name, spec, kwargs_for(spec, seed))
        assert same(result, again, rtol=0), f"{name}: the same seed gave other numbers"

    run()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_respelt_arguments_give_the_same_result_and_are_not_modified(name):
    spec = FUNCTIONS[name]
    baseline = invoke(name, spec, kwargs_for(spec, 0))
    problems = []
    for arg, kind in spec.args.items():
        for label, value in kind.respellings(kwargs_for(spec, 0)[arg]):
            kwargs = kwargs_for(spec, 0)
            kwargs[arg] = value
            before = copy.deepcopy(value)
            result = invoke(name, spec, kwargs)
            if not same(baseline, result):
                problems.append(f"{arg} as {label}: a different result")
            if not same(before, value, rtol=0):
                problems.append(f"{arg} as {label}: the argument was modified")
    assert not problems, f"{name}: " + "; ".join(problems)


def refusal_problem(name, spec, arg, bad) -> str | None:
    """None if `bad` is handled as its kind says, else what went wrong."""
    kwargs = kwargs_for(spec, 0)
    kwargs[arg] = bad.value
    try:
        result = invoke(name, spec, kwargs)
    except (ValueError, TypeError) as err:
        if not names(str(err), arg):
            return f"{bad.label}: {type(err).__name__} without naming {arg!r}: {err}"
        return None
    except Exception as err:  # noqa: BLE001  (any other error is the finding)
        return f"{bad.label}: {type(err).__name__}: {err}"
    if bad.expect == REFUSE:
        return f"{bad.label}: accepted (returned {type(result).__name__})"
    bad_parts = non_finite(result)
    if bad_parts:
        return f"{bad.label}: NaN or inf in {bad_parts}"
    scale_free = getattr(spec.args[arg], "scale_free", False)
    if scale_free and bad.label.startswith("scaled by"):
        if not same(result, invoke(name, spec, kwargs_for(spec, 0)), rtol=1e-6):
            return (
                f"{bad.label}: a scale-free result changed (a wrong 0 or a lost digit)"
            )
    return None


def names(message: str, arg: str) -> bool:
    """The message names the argument as a word (`b` in "b must be finite", not in
    "number"); `params['W']` names `params`."""
    return (
        re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message)
        is not None
    )


def cases():
    for name, spec in sorted(FUNCTIONS.items()):
        for arg in spec.args:
            yield name, arg


@pytest.mark.parametrize("name, arg", list(cases()))
def test_bad_values_are_refused_naming_the_argument(name, arg):
    spec = FUNCTIONS[name]
    kind = spec.args[arg]
    valid = kwargs_for(spec, 0)[arg]
    problems = [
        p
        for bad in kind.bad(valid) + kind.extremes(valid)
        if (p := refusal_problem(name, spec, arg, bad))
    ]
    assert not problems, f"{name}({arg}=...):\n  " + "\n  ".join(problems)

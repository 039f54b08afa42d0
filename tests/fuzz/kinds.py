"""Kinds of argument, and what a hostile user would pass for each.

A kind knows, given a valid value, the bad values to try (each must be refused with a
`ValueError`/`TypeError` naming the argument), the re-spellings of it that must give the
same result (a list, a read-only, a non-contiguous or a Fortran-ordered array), and the
extreme-but-valid values (1e±300) that must give a finite, correct answer or a named
refusal. `tests/fuzz/spec_*.py` declare each public function's arguments with these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REFUSE = "refuse"  # the value must be refused, naming the argument
SURVIVE = "survive"  # refused with the name, or a finite (correct) result


@dataclass(frozen=True)
class Bad:
    """One hostile value for an argument, and what must happen."""

    label: str
    value: object
    expect: str = REFUSE


class Kind:
    """An argument's kind. Subclasses list the bad values for a valid one."""

    def bad(self, value) -> list[Bad]:
        return [Bad("None", None), Bad("a string", "seven"), Bad("a dict", {})]

    def respellings(self, value) -> list[tuple[str, object]]:
        return []

    def extremes(self, value) -> list[Bad]:
        return []


def _wrong_dtypes(arr: np.ndarray) -> list[Bad]:
    return [
        Bad("complex", arr.astype(complex)),
        Bad("object", arr.astype(object)),
        Bad("str", arr.astype(str)),
        Bad("bool", np.ones(arr.shape, dtype=bool)),
    ]


def _poisoned(arr: np.ndarray, what: float) -> np.ndarray:
    out = np.array(arr, dtype=np.float64)
    out.flat[out.size // 2] = what
    return out


def non_contiguous(arr: np.ndarray) -> np.ndarray:
    """The same values, in a strided view of a larger array."""
    big = np.zeros(arr.shape + (2,), dtype=arr.dtype)
    big[..., 0] = arr
    return big[..., 0]


def read_only(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr)
    out.flags.writeable = False
    return out


@dataclass
class Array(Kind):
    """An array of real numbers.

    `empty` says what an empty axis must do (REFUSE, or SURVIVE: a finite result such as
    an empty output); `finite=False` accepts NaN/inf (then they are not tried);
    `extreme` tries 1e±300 scalings (SURVIVE: refused by name, or finite).
    """

    empty: str = REFUSE
    finite: bool = True
    extreme: bool = True
    rank: bool = True  # try a wrong number of axes
    scale_free: bool = False  # result must not change when the array is scaled
    optional: bool = False  # None is valid

    def bad(self, value) -> list[Bad]:
        arr = np.asarray(value)
        bad = super().bad(value) + _wrong_dtypes(arr)
        if self.optional:
            bad = [b for b in bad if b.value is not None]
        if self.rank:
            bad.append(Bad("one more axis", arr[None]))
            if arr.ndim:
                bad.append(
                    Bad(
                        "one axis fewer",
                        arr.reshape(-1)[0] if arr.ndim == 1 else arr[0],
                    )
                )
        if arr.ndim:
            for axis in range(arr.ndim):
                bad.append(
                    Bad(f"empty axis {axis}", np.take(arr, [], axis=axis), self.empty)
                )
        if self.finite and arr.size:
            bad += [
                Bad("NaN", _poisoned(arr, np.nan)),
                Bad("+inf", _poisoned(arr, np.inf)),
                Bad("-inf", _poisoned(arr, -np.inf)),
            ]
        return bad

    def respellings(self, value):
        arr = np.asarray(value)
        spellings = [("list", arr.tolist()), ("read-only", read_only(arr))]
        if arr.ndim:
            spellings.append(("non-contiguous", non_contiguous(arr)))
        if arr.ndim >= 2:
            spellings.append(("Fortran-ordered", np.asfortranarray(arr)))
            spellings.append(("transposed twice", np.ascontiguousarray(arr.T).T))
        return spellings

    def extremes(self, value):
        arr = np.asarray(value, dtype=np.float64)
        if not self.extreme or not arr.size:
            return []
        return [Bad(f"scaled by {c:g}", arr * c, SURVIVE) for c in (1e300, 1e-300)]


@dataclass
class Mask(Kind):
    """A boolean array of a given shape."""

    def bad(self, value):
        arr = np.asarray(value)
        return super().bad(value) + [
            Bad("floats", arr.astype(float)),
            Bad("wrong shape", arr[..., :-1] if arr.ndim else arr[None]),
        ]


@dataclass
class Int(Kind):
    """An integer at least `low` (or None, where `optional`)."""

    low: int = 1
    optional: bool = False  # None is valid

    def bad(self, value):
        bad = super().bad(value) + [
            Bad("below the minimum", self.low - 1),
            Bad("-1", -1) if self.low > -1 else Bad("a float", 2.5),
            Bad("a float", 2.5),
            Bad("True", True),
            Bad("an array", np.array([value, value])),
        ]
        return [b for b in bad if not (self.optional and b.value is None)]

    def respellings(self, value):
        return [] if value is None else [("numpy integer", np.int64(value))]


@dataclass
class Real(Kind):
    """A real number in [low, high] (ends open as said)."""

    low: float = -np.inf
    high: float = np.inf
    low_open: bool = False
    high_open: bool = False
    optional: bool = False  # None is valid

    def bad(self, value):
        bad = [
            Bad("a string", "0.5"),
            Bad("a dict", {}),
            Bad("True", True),
            Bad("NaN", np.nan),
            Bad("complex", 0.5 + 1j),
        ]
        if not self.optional:
            bad.append(Bad("None", None))
        if np.isfinite(self.low):
            bad.append(Bad("below the range", self.low - 1.0))
            if self.low_open:
                bad.append(Bad("the open lower end", self.low))
        else:
            bad.append(Bad("-inf", -np.inf))
        if np.isfinite(self.high):
            bad.append(Bad("above the range", self.high + 1.0))
            if self.high_open:
                bad.append(Bad("the open upper end", self.high))
        else:
            bad.append(Bad("+inf", np.inf))
        return bad

    def respellings(self, value):
        return [("numpy float", np.float64(value))] if value is not None else []


@dataclass
class Rng(Kind):
    """A numpy Generator or a non-negative integer seed."""

    def bad(self, value):
        return super().bad(value) + [
            Bad("a float", 1.5),
            Bad("a negative seed", -1),
            Bad("True", True),
            Bad("a legacy RandomState", np.random.RandomState(0)),  # noqa: NPY002  (the point: refused)
        ]


@dataclass
class Choice(Kind):
    options: tuple = ()

    def bad(self, value):
        return [
            Bad("an unknown option", "no-such-option"),
            Bad("a number", 3),
            Bad("None", None),
        ]


@dataclass
class Flag(Kind):
    """A bool switch (`None` valid where `optional`)."""

    optional: bool = False

    def bad(self, value):
        bad = [Bad("a string", "yes"), Bad("a number", 2)]
        return bad if self.optional else bad + [Bad("None", None)]


@dataclass
class Dtype(Kind):
    def bad(self, value):
        return [
            Bad("int32", np.int32),
            Bad("complex", complex),
            Bad("a string", "nope"),
        ]


@dataclass
class Callable_(Kind):
    def bad(self, value):
        return [Bad("None", None), Bad("a number", 3)]


@dataclass
class Params(Kind):
    """A dict of named arrays (init_params' or init_sae_params' output).

    `respell`: each array re-spelt in turn (as an Array's) must give the same result;
    `extreme`: each array scaled by 1e±300 in turn must give a finite result or a
    named refusal; `writable`: the arrays are updated in place (an optimiser's
    params), so a read-only one must be refused.
    """

    keys: tuple = ()
    respell: bool = True
    extreme: bool = True
    writable: bool = False

    def respellings(self, value):
        if (
            not self.respell or self.writable
        ):  # updated in place: the update is the point
            return []
        spellings = []
        for key in self.keys:
            for label, spelt in Array().respellings(value[key]):
                if label != "list":  # the values of params are arrays
                    spellings.append((f"'{key}' {label}", {**value, key: spelt}))
        return spellings

    def extremes(self, value):
        if not self.extreme:
            return []
        return [
            Bad(f"'{key}' {b.label}", {**value, key: b.value}, SURVIVE)
            for key in self.keys
            for b in Array().extremes(value[key])
        ]

    def bad(self, value):
        bad = [Bad("None", None), Bad("a list", [1, 2]), Bad("an empty dict", {})]
        for key in self.keys:
            missing = {k: v for k, v in value.items() if k != key}
            bad.append(Bad(f"without '{key}'", missing))
            poisoned = dict(value)
            poisoned[key] = _poisoned(np.asarray(value[key]), np.nan)
            bad.append(Bad(f"NaN in '{key}'", poisoned))
            wrong = dict(value)
            wrong[key] = np.asarray(value[key])[..., :-1]
            bad.append(Bad(f"'{key}' with a wrong shape", wrong))
            if self.writable:
                frozen = {**value, key: read_only(value[key])}
                bad.append(Bad(f"read-only '{key}'", frozen))
        return bad


@dataclass
class Instance(Kind):
    """An object of a given class (an optimiser, a result)."""

    what: str = "object"

    def bad(self, value):
        return [Bad("a string", "adam"), Bad("a plain object", object())]


@dataclass
class Generators(Kind):
    """A list of numpy Generators, one per instance (instance_generators' output).

    No re-spellings: a Generator is consumed by the call, which is its purpose (a
    tuple is tested in tests/test_conventions.py)."""

    def bad(self, value):
        return super().bad(value) + [
            Bad("an empty list", []),
            Bad("one Generator, not a list", np.random.default_rng(0)),
            Bad("a list holding a seed", [0]),
            Bad("a legacy RandomState", [np.random.RandomState(0)]),  # noqa: NPY002
            Bad("a list holding None", [None]),
        ]

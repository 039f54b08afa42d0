"""Fuzz specs: the progress line (`superposition_lib.progress`, chapter 0).

`ProgressLine` is exercised with standard error captured (the spec returns what it
wrote, its seconds masked), so that a fuzz run prints nothing: with enabled=False, or
None where the switch is off or no one watches (pytest's standard error is no
terminal), it must write nothing at all; with True, the line and then its erasure.
"""

import contextlib
import io
import re

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import Array, Flag, Int, Real

DESCRIPTION = "the line's first words: any text"
SECONDS = re.compile(r", \d+ s")

# The mean loss of a step: a number or one per instance. NaN is shown as "nan", not
# refused: a progress line must not be what stops a run (the trainers detect a
# diverged loss themselves, naming the step), so non-finite values are not tried.
LOSS = Array(rank=False, finite=False, optional=True)


def _check_constant(value):
    assert value == "SUPERPOSITION_PROGRESS"


def _check_wanted(result, kwargs):
    assert isinstance(result, bool)
    if kwargs["progress"] is not None:
        assert result is kwargs["progress"], "the argument decides"


def _text_args(rng):
    total = int(rng.integers(1, 10**6))
    return {
        "description": "training",
        "done": int(rng.integers(0, total + 1)),
        "total": total,
        "loss": rng.uniform(0, 10, size=int(rng.integers(1, 4))),
        "seconds": float(rng.uniform(0, 100)),
    }


def _check_text(result, kwargs):
    done, total, loss = kwargs["done"], kwargs["total"], kwargs["loss"]
    assert result == (
        f"training: step {done:,}/{total:,}, mean loss {np.mean(loss):.5f}, "
        f"{kwargs['seconds']:.0f} s"
    )
    short = lib.progress_text("sae", done, total)
    assert short == f"sae: step {done:,}/{total:,}", "loss and seconds are optional"


def _line_args(rng):
    total = int(rng.integers(1, 1000))
    return {
        "total": total,
        "enabled": [None, True, False][int(rng.integers(3))],
        # 0 or an hour: which updates are shown must not depend on the machine's speed
        "delay": [0.0, 3600.0][int(rng.integers(2))],
        "interval": [0.0, 3600.0][int(rng.integers(2))],
        "done": int(rng.integers(0, total + 1)),
        "loss": rng.uniform(0, 1, size=int(rng.integers(1, 4))),
    }


def _line(total, enabled, delay, interval, done, loss):
    """Two updates and a close, standard error captured: what the line wrote."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        with lib.ProgressLine(
            total, enabled=enabled, delay=delay, interval=interval
        ) as line:
            line.update(done, loss)
            line.update(done)
            shown = err.getvalue()
    return {
        "enabled": line.enabled,
        "shown": SECONDS.sub(", _ s", shown),
        "written": SECONDS.sub(", _ s", err.getvalue()),
    }


def _check_line(result, kwargs):
    if not result["enabled"]:
        assert result["written"] == "", "a line that is off writes nothing"
        return
    assert f"step {kwargs['done']:,}/{kwargs['total']:,}" in result["shown"]
    last = result["written"].split("\r")
    assert result["written"].endswith("\r") and last[-2].strip() == "", "not erased"


SPECS = {
    "PROGRESS_VARIABLE": Constant(check=_check_constant),
    "progress_wanted": Spec(
        build=lambda rng: {"progress": [None, True, False][int(rng.integers(3))]},
        args={"progress": Flag(optional=True)},
        check=_check_wanted,
    ),
    "progress_text": Spec(
        build=_text_args,
        args={
            "done": Int(low=0),
            "total": Int(low=1),
            "loss": LOSS,
            "seconds": Real(low=0.0, optional=True),
        },
        skip={"description": DESCRIPTION},
        check=_check_text,
    ),
    "ProgressLine": Spec(
        build=_line_args,
        call=_line,
        args={
            "total": Int(low=1),
            "enabled": Flag(optional=True),
            "delay": Real(low=0.0),
            "interval": Real(low=0.0),
            "done": Int(low=0),  # update's
            "loss": LOSS,  # update's
        },
        check=_check_line,
    ),
}

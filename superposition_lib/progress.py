# GENERATED from book/00_progress.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
"""Progress while training.

Training one toy model takes seconds, a sweep of many takes minutes. During a long
run the book's trainers show one line (the step and the mean loss), updated in place
in Jupyter or redrawn in a terminal, and erase it when the run ends. This notebook
builds that line, `superposition_lib.progress`, and the one switch that silences it:
the book's build and its tests must not write progress into the committed outputs,
and a learner watching a sweep should see it move.
"""

import math
import numbers
import os
import sys
import time

import numpy as np

from superposition_lib.conventions import (
    check_array,
    check_flag,
    check_in_range,
    check_one_of,
    check_positive_int,
)

__all__ = [
    "PROGRESS_VARIABLE",
    "progress_wanted",
    "progress_text",
    "ProgressLine",
]


# ---- book/00_progress.ipynb, cell e44019ce ----
#: The one switch for every progress line of the library: "0" silent, "1" shown.
PROGRESS_VARIABLE = "SUPERPOSITION_PROGRESS"


def _in_jupyter_kernel():
    """True inside a running Jupyter kernel; it looks without importing anything."""
    kernel_app = sys.modules.get("ipykernel.kernelapp")
    return kernel_app is not None and kernel_app.IPKernelApp.initialized()


def _in_terminal():
    """True when standard error is a terminal, not a pipe or a log file."""
    return sys.stderr is not None and sys.stderr.isatty()


def progress_wanted(progress=None):
    """Whether to show progress: the `progress=` argument, else the one switch.

    True or False decides. None reads the environment variable SUPERPOSITION_PROGRESS:
    "0" silent, "1" shown; unset (or empty), shown only where someone is watching, in
    a Jupyter kernel or a terminal.
    """
    progress = check_flag(progress, "progress", optional=True)
    if progress is not None:
        return progress
    setting = os.environ.get(PROGRESS_VARIABLE, "").strip()
    if setting:
        return check_one_of(setting, PROGRESS_VARIABLE, ("0", "1")) == "1"
    return _in_jupyter_kernel() or _in_terminal()


def _check_done(done, total):
    """The steps done so far: an integer in [0, total]."""
    if not isinstance(done, numbers.Integral) or isinstance(done, bool):
        raise TypeError(f"done must be an integer, got {type(done).__name__}")
    if not 0 <= done <= total:
        raise ValueError(f"done must lie in [0, total={total}], got {done}")
    return int(done)


def _check_seconds(value, name):
    """A duration: one finite number of seconds >= 0."""
    value = check_array(value, name, ndim=0)
    return float(check_in_range(value, name, 0.0, np.inf))


def _mean_loss(loss):
    """The mean of a step's loss(es), as text: NaN shows as nan, never an error."""
    loss = check_array(loss, "loss", finite=False)
    if loss.size == 0:
        raise ValueError("loss must hold at least one number, got an empty array")
    with np.errstate(over="ignore", invalid="ignore"):  # shown as inf or nan
        mean = float(np.mean(loss, dtype=np.float64))
    # Five decimals where they say something; else 1.2345e-07, not 0.00000
    return f"{mean:.5f}" if mean == 0 or 1e-3 <= abs(mean) < 1e5 else f"{mean:.4e}"


def progress_text(description, done, total, loss=None, seconds=None):
    """The line itself, e.g. "training: step 500/10,000, mean loss 0.01234, 3 s"."""
    total = check_positive_int(total, "total")
    text = f"{description}: step {_check_done(done, total):,}/{total:,}"
    if loss is not None:
        text += f", mean loss {_mean_loss(loss)}"
    if seconds is not None:
        text += f", {_check_seconds(seconds, 'seconds'):.0f} s"
    return text


def _jupyter_display():
    """IPython's `display` inside a Jupyter kernel, else None.

    The only place IPython is imported, and only when a line is shown in a kernel.
    """
    if not _in_jupyter_kernel():
        return None
    from IPython.display import display

    return display


class ProgressLine:
    """A one-line progress display for Jupyter or a terminal, erased when closed.

    `enabled` is a trainer's `progress=` argument: True shows the line from the first
    update on, False never; None asks `progress_wanted` (the SUPERPOSITION_PROGRESS
    switch) and waits `delay` seconds, so that short runs stay quiet. It redraws at
    most once per `interval` seconds: in a Jupyter kernel as an output updated in
    place, elsewhere on standard error.
    """

    def __init__(
        self, total, *, enabled=None, description="training", delay=1.0, interval=0.5
    ):
        self.total = check_positive_int(total, "total")
        self.description = description
        delay = _check_seconds(delay, "delay")
        self.interval = _check_seconds(interval, "interval")
        # Named both ways: a trainer passes its progress= argument on as `enabled`.
        enabled = check_flag(enabled, "enabled (a trainer's progress)", optional=True)
        self.enabled = progress_wanted(enabled)
        self.delay = delay if enabled is None else 0.0
        self._start, self._last = time.perf_counter(), -math.inf  # first: at once
        self._display = _jupyter_display() if self.enabled else None
        self._handle, self._width = None, 0

    def update(self, done, loss=None):
        """Show `done` of `total` (and the mean loss), at most once per `interval`.

        The arguments are checked even when the line is off: a bad call fails the same
        way whether or not anyone is watching.
        """
        _check_done(done, self.total)
        if loss is not None:
            _mean_loss(loss)
        now = time.perf_counter()
        too_soon = now - self._start < self.delay or now - self._last < self.interval
        if not self.enabled or too_soon:
            return
        self._last = now
        seconds = now - self._start
        self._show(progress_text(self.description, done, self.total, loss, seconds))

    def _show(self, text):
        if self._display is not None:
            bundle = {"text/plain": text, "text/html": f"<code>{text}</code>"}
            if self._handle is None:
                self._handle = self._display(bundle, raw=True, display_id=True)
            else:
                self._handle.update(bundle, raw=True)
        else:
            sys.stderr.write("\r" + text.ljust(self._width))
            sys.stderr.flush()
            self._width = len(text)

    def close(self):
        """Erase the line, so that a finished run leaves no stale progress behind."""
        if self._handle is not None:
            self._handle.update({"text/plain": "", "text/html": ""}, raw=True)
        elif self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
        self._handle, self._width = None, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

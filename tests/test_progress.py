"""superposition_lib.progress: the switch, the argument that overrides it, the line."""

import subprocess
import sys

import numpy as np
import pytest

from superposition_lib import progress
from superposition_lib.progress import (
    PROGRESS_VARIABLE,
    ProgressLine,
    progress_text,
    progress_wanted,
)


@pytest.fixture
def switch(monkeypatch):
    """Set SUPERPOSITION_PROGRESS (None: unset) and where the process runs."""

    def set_switch(value, *, kernel=False, terminal=False):
        if value is None:
            monkeypatch.delenv(PROGRESS_VARIABLE, raising=False)
        else:
            monkeypatch.setenv(PROGRESS_VARIABLE, value)
        monkeypatch.setattr(progress, "_in_jupyter_kernel", lambda: kernel)
        monkeypatch.setattr(progress, "_in_terminal", lambda: terminal)

    return set_switch


@pytest.mark.parametrize(
    "value, kernel, terminal, wanted",
    [
        ("0", True, True, False),  # silent even where someone watches
        ("1", False, False, True),  # shown even into a pipe
        (" 1 ", False, False, True),
        (None, False, False, False),  # unset: a pipe or a log file stays clean
        ("", False, False, False),
        (None, True, False, True),  # unset: a Jupyter kernel
        (None, False, True, True),  # unset: a terminal
    ],
)
def test_the_switch(switch, value, kernel, terminal, wanted):
    switch(value, kernel=kernel, terminal=terminal)
    assert progress_wanted() is wanted
    assert progress_wanted(None) is wanted


@pytest.mark.parametrize("value", ["0", "1", None])
def test_the_argument_overrides_the_switch(switch, value):
    switch(value, kernel=True, terminal=True)
    assert progress_wanted(True) is True
    assert progress_wanted(False) is False


def test_bad_values_are_refused_by_name(switch):
    switch("yes")
    with pytest.raises(ValueError, match=PROGRESS_VARIABLE):
        progress_wanted()
    with pytest.raises(TypeError, match="progress"):
        progress_wanted("always")
    for number in (0, 1, np.float64(1.0)):  # a number is not a switch
        with pytest.raises(TypeError, match="progress"):
            progress_wanted(number)


def test_the_text_of_a_line():
    text = progress_text("training", 500, 10_000, np.array([0.01, 0.02]), 3.2)
    assert text == "training: step 500/10,000, mean loss 0.01500, 3 s"
    assert progress_text("sae", 1, 2) == "sae: step 1/2"


def test_a_line_shows_at_once_and_erases_itself_in_a_terminal(switch, capsys):
    switch("0")
    line = ProgressLine(10, enabled=True)
    line.update(5, np.array([0.25]))
    line.update(6)  # within `interval` of the last: not redrawn
    line.close()
    err = capsys.readouterr().err
    assert "step 5/10" in err and "0.25000" in err and "step 6" not in err
    assert err.endswith("\r") and err.split("\r")[-2].strip() == "", "not erased"


def test_a_line_stays_silent_when_off(switch, capsys):
    switch("1")
    with ProgressLine(10, enabled=False, interval=0.0) as line:
        line.update(5)
    switch("0")
    with ProgressLine(10, delay=0.0, interval=0.0) as line:
        line.update(5)
    assert capsys.readouterr().err == ""


def test_a_line_waits_for_its_delay(switch, capsys):
    switch("1")
    with ProgressLine(10, delay=3600.0, interval=0.0) as line:
        line.update(5)
    assert capsys.readouterr().err == "", "a short run must stay quiet"
    with ProgressLine(10, delay=0.0, interval=0.0) as line:
        line.update(5)
    assert "step 5/10" in capsys.readouterr().err


def test_in_a_kernel_the_line_is_an_output_updated_in_place(switch, monkeypatch):
    shown = []

    class Handle:
        def update(self, bundle, raw):
            shown.append(bundle["text/plain"])

    def display(bundle, raw, display_id):
        assert raw and display_id
        shown.append(bundle["text/plain"])
        return Handle()

    switch("0", kernel=True)
    monkeypatch.setattr(progress, "_jupyter_display", lambda: display)
    with ProgressLine(10, enabled=True, interval=0.0) as line:
        line.update(1)
        line.update(2, 0.5)
    assert shown[0].startswith("training: step 1/10")
    assert shown[1].startswith("training: step 2/10, mean loss 0.50000")
    assert shown[-1] == "", "closing must erase the output"


def test_importing_the_library_loads_no_ipython():
    """IPython is imported only when a line is shown in a kernel, never at import."""
    code = (
        "import sys, superposition_lib.progress, superposition_lib.train\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('IPython', 'ipykernel', 'ipywidgets', 'tqdm')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        (dict(done=-1), ValueError, "done"),
        (dict(done=11), ValueError, "done"),
        (dict(done=2.5), TypeError, "done"),
        (dict(done=True), TypeError, "done"),
        (dict(total=0), ValueError, "total"),
        (dict(total=None), TypeError, "total"),
        (dict(loss=np.array([])), ValueError, "loss"),
        (dict(loss="0.5"), TypeError, "loss"),
        (dict(loss=np.array([True])), TypeError, "loss"),
        (dict(seconds=-1.0), ValueError, "seconds"),
        (dict(seconds=np.inf), ValueError, "seconds"),
        (dict(seconds=True), TypeError, "seconds"),
    ],
)
def test_the_text_refuses_bad_values_by_name(kwargs, error, name):
    arguments = dict(description="training", done=5, total=10) | kwargs
    with pytest.raises(error, match=name):
        progress_text(**arguments)


def test_the_mean_loss_reads_at_every_scale():
    """Five decimals where they say something; never 0.00000 for a small loss, nor
    three hundred digits for a huge one; a NaN loss shows as nan (it never stops a
    run: the trainers report divergence themselves)."""
    assert progress_text("t", 1, 2, np.array([1.5e-7])).endswith("mean loss 1.5000e-07")
    assert progress_text("t", 1, 2, 1e300).endswith("mean loss 1.0000e+300")
    assert progress_text("t", 1, 2, 0.0).endswith("mean loss 0.00000")
    assert progress_text("t", 1, 2, np.array([np.nan, 1.0])).endswith("mean loss nan")


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        (dict(total=0), ValueError, "total"),
        (dict(total=2.0), TypeError, "total"),
        (dict(enabled=1), TypeError, "enabled"),
        (dict(enabled="yes"), TypeError, "progress"),  # as a trainer's argument
        (dict(delay=-1.0), ValueError, "delay"),
        (dict(delay="1"), TypeError, "delay"),
        (dict(interval=np.nan), ValueError, "interval"),
        (dict(interval=True), TypeError, "interval"),
    ],
)
def test_a_line_refuses_bad_arguments_by_name(kwargs, error, name):
    with pytest.raises(error, match=name):
        ProgressLine(**(dict(total=10) | kwargs))


@pytest.mark.parametrize("enabled", [False, True, None])
def test_updates_are_checked_whether_or_not_the_line_is_shown(switch, enabled, capsys):
    switch("0")
    with ProgressLine(10, enabled=enabled) as line:
        with pytest.raises(ValueError, match="done"):
            line.update(11)
        with pytest.raises(TypeError, match="loss"):
            line.update(5, loss="low")
    assert capsys.readouterr().err == "", "a refused update draws nothing"

"""Small assertion helpers shared by the chapters' checks and the exercise checks."""

import numpy as np


def refuses(call, error=ValueError):
    """Return the message of the `error` that `call()` raises; fail if none.

    The book's checks use it to look inside error messages: a message must name the
    argument and what was expected.
    """
    try:
        call()
    except error as err:
        return str(err)
    raise AssertionError(f"{call} should have raised {error.__name__}")


def learner_call(fn, *args, on="", **kwargs):
    """`fn(*args, **kwargs)`, where `fn` is the learner's code.

    An exception it raises on valid input becomes an AssertionError naming the function,
    the error and (`on`) the input, so that the learner reads a verdict rather than a
    traceback into the check. NotImplementedError passes through: it is the student
    edition's stub, and its own message says what to do.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:
        name = getattr(fn, "__name__", "your function")
        where = f" on {on}" if on else ""
        raise AssertionError(
            f"{name} raised {type(err).__name__} ({err}){where}"
        ) from None


def learner_number(fn, *args, on="", **kwargs):
    """`learner_call(fn, ...)` as one finite float, or an AssertionError saying what
    came back instead."""
    value = learner_call(fn, *args, on=on, **kwargs)
    try:
        if np.ndim(value) == 0 and np.isfinite(float(value)):
            return float(value)
    except (TypeError, ValueError):
        pass
    name = getattr(fn, "__name__", "your function")
    raise AssertionError(f"{name}{args} must return one finite number, got {value!r}")

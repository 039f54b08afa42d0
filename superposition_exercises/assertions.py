"""Small assertion helpers shared by the chapters' checks and the exercise checks."""


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

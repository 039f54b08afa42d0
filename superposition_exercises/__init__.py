"""The book's exercise checks, one module per chapter (named like the chapter's module).

Hand-written, unlike `superposition_lib`: a check is not part of the library a chapter
builds, and keeping it here keeps the expected answers out of the student edition's
cells. A chapter's check cell is one import and one call::

    from superposition_exercises.activations import check_leaky_relu_exercise
    check_leaky_relu_exercise(leaky_relu, leaky_relu_derivative)

Every check raises `AssertionError` with a message naming the likely mistake, or prints
that all checks passed. `tests/exercises/` tests each check against the book's solution
and against a known-wrong one.
"""

from superposition_exercises.assertions import refuses

__all__ = ["refuses"]

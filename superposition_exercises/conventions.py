"""Checks for the exercises of "Conventions: arrays, randomness and honest errors"."""

import numpy as np

from superposition_exercises.assertions import refuses
from superposition_lib.conventions import as_generator


def check_probability_exercise(check_probability):
    """`check_probability(p, name)`: [0, 1] accepted unchanged, the rest refused."""
    try:
        got = check_probability([0.0, 0.5, 1.0], "p")
    except ValueError as err:
        raise AssertionError(
            f"0, 0.5 and 1 are valid probabilities but were refused ({err}): did you "
            "make an end of the interval open?"
        ) from None
    assert np.array_equal(got, [0.0, 0.5, 1.0]), (
        "valid probabilities must come back unchanged: did you return something else?"
    )
    message = refuses(lambda: check_probability(1.5, "p_keep"))
    assert "p_keep" in message, (
        "the message must name the argument: did you hard-code the name?"
    )
    refuses(lambda: check_probability(-0.1, "p"))
    print("check_probability: all checks passed")


def check_same_seed_exercise(same_second_batch):
    """The answer is computed, not guessed: re-derive it and compare."""
    assert isinstance(same_second_batch, bool), (
        "same_second_batch must be True or False (a bool, not an array)"
    )
    stream = as_generator(3)
    stream.random(4)
    truth = bool(np.array_equal(stream.random(4), as_generator(3).random(4)))
    assert same_second_batch == truth, (
        "a Generator is a stream: re-creating it restarts the stream, reusing it "
        "continues it"
    )
    print("same seed, same stream: checked")

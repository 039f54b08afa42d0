"""The helpers every check uses to call the learner's code."""

import pytest

from superposition_exercises.assertions import learner_call, learner_number, refuses


def test_learner_call_turns_an_error_into_a_verdict_naming_function_and_input():
    def mine(x):
        return 1 / x

    with pytest.raises(
        AssertionError, match=r"mine raised ZeroDivisionError .* on x = 0"
    ):
        learner_call(mine, 0, on="x = 0")
    assert learner_call(mine, 2) == 0.5


def test_learner_call_lets_the_student_stub_through():
    def stub():
        raise NotImplementedError("exercise: write this")

    with pytest.raises(NotImplementedError, match="write this"):
        learner_call(stub)


@pytest.mark.parametrize("value", [[1.0], float("nan"), "one", None])
def test_learner_number_wants_one_finite_number(value):
    with pytest.raises(AssertionError, match="one finite number"):
        learner_number(lambda: value)


def test_refuses_fails_when_nothing_is_raised():
    with pytest.raises(AssertionError, match="should have raised ValueError"):
        refuses(lambda: None)

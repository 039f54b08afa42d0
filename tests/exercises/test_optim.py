import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import optim as checks
from superposition_lib import Adam

CHAPTER = "06_adam"


@right("check_first_step_exercise")
def test_first_step_passes_the_book_solution():
    checks.check_first_step_exercise(solution(CHAPTER, "adam-ex-sign")["first_step"])


@wrong("check_first_step_exercise")
def test_first_step_catches_a_missing_bias_correction():
    def uncorrected(g):
        m, v = 0.1 * g, 0.001 * g * g  # the first moments, not divided by 1 - beta^t
        return -1e-3 * m / (np.sqrt(v) + 1e-8)

    with pytest.raises(AssertionError, match="bias correction"):
        checks.check_first_step_exercise(uncorrected)


@wrong("check_first_step_exercise")
def test_first_step_catches_a_forgotten_eps():
    with pytest.raises(AssertionError, match="eps = 1e-8 dominates"):
        checks.check_first_step_exercise(lambda g: -1e-3 * np.sign(g))


@wrong("check_first_step_exercise")
def test_first_step_turns_a_crash_into_a_message():
    def crashes(g):
        params = {"theta": g.astype(int)}  # Adam refuses integer parameters
        Adam().step(params, {"theta": g})
        return params["theta"]

    with pytest.raises(AssertionError, match="raised TypeError"):
        checks.check_first_step_exercise(crashes)


@right("check_momentum_exercise")
def test_momentum_passes_the_book_solution():
    checks.check_momentum_exercise(solution(CHAPTER, "adam-ex-momentum")["MomentumSGD"])


class Momentum:
    """MomentumSGD with one of the likely mistakes switched on."""

    def __init__(self, lr, momentum=0.9, *, rebind=False, dampen=False):
        self.lr, self.momentum, self.velocity = lr, momentum, {}
        self.rebind, self.dampen = rebind, dampen

    def step(self, params, grads):
        for key, theta in params.items():
            u = self.velocity.setdefault(key, np.zeros_like(theta))
            u *= self.momentum
            u += (1 - self.momentum) * grads[key] if self.dampen else grads[key]
            if self.rebind:
                params[key] = theta - self.lr * u
            else:
                theta -= self.lr * u
        return params


@wrong("check_momentum_exercise")
def test_momentum_catches_a_rebound_array():
    def rebinding(lr, momentum):
        return Momentum(lr, momentum, rebind=True)

    with pytest.raises(AssertionError, match="in place"):
        checks.check_momentum_exercise(rebinding)


@wrong("check_momentum_exercise")
def test_momentum_catches_a_dampened_velocity():
    def dampened(lr, momentum):
        return Momentum(lr, momentum, dampen=True)

    with pytest.raises(AssertionError, match="the first step is -lr"):
        checks.check_momentum_exercise(dampened)


@wrong("check_momentum_exercise")
def test_momentum_catches_a_velocity_that_never_decays():
    def undecayed(lr, momentum):
        return Momentum(lr, 1.0)

    with pytest.raises(AssertionError, match="decayed by the momentum"):
        checks.check_momentum_exercise(undecayed)
    with pytest.raises(AssertionError, match="step"):
        checks.check_momentum_exercise(lambda lr, momentum: object())

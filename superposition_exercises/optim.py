"""Checks for the exercises of "Adam: a step size per parameter"."""

import numpy as np

from superposition_exercises.assertions import learner_call


def check_first_step_exercise(first_step):
    """`first_step(g)`: Adam's first update, -lr * g / (|g| + eps), entry by entry."""
    step = np.asarray(
        learner_call(first_step, np.array([2.0, -5.0, 1e-9, 0.0])), dtype=float
    )
    assert step.shape == (4,), "return one update per gradient entry, shape (4,)"
    assert np.allclose(step[:2], [-1e-3, 1e-3], rtol=1e-6), (
        f"a large gradient moves by -lr * sign(g) = -/+1e-3, got {step[:2]}: did you "
        "forget the bias correction, or return theta instead of the update?"
    )
    assert np.isclose(step[2], -1e-3 / 11, rtol=1e-6), (
        f"for g = 1e-9 the step is -lr * g / (|g| + eps) = -lr / 11, got "
        f"{step[2]:.3g}: eps = 1e-8 dominates |g| here"
    )
    assert step[3] == 0.0, "a zero gradient gives a zero step"
    print("first_step: all checks passed")


def check_momentum_exercise(MomentumSGD):
    """`MomentumSGD(lr, momentum).step(params, grads)`: in place, u = mu u + g."""
    params = {"theta": np.zeros(2)}
    held = params["theta"]
    step = getattr(learner_call(MomentumSGD, lr=0.1, momentum=0.9), "step", None)
    assert callable(step), "MomentumSGD needs a method step(params, grads)"
    learner_call(step, params, {"theta": np.array([1.0, -1.0])})
    assert params["theta"] is held, (
        "update the array in place (theta -= ...), do not rebind it"
    )
    assert np.allclose(held, [-0.1, 0.1]), (
        f"the first step is -lr * g = [-0.1, 0.1] (the velocity starts at 0), got "
        f"{held}"
    )
    for _ in range(300):
        before = held.copy()
        learner_call(step, params, {"theta": np.array([1.0, -1.0])})
    last = held - before
    assert np.allclose(last, [-1.0, 1.0], rtol=1e-6), (
        f"after many steps the step is lr * g / (1 - momentum) = 10 lr g, got {last}: "
        "is the velocity decayed by the momentum (u = momentum * u + g), with no "
        "(1 - momentum) factor on g?"
    )
    print("MomentumSGD: all checks passed")

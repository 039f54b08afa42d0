"""Checks for the exercises of "ReLU and its derivative"."""

import numpy as np

from superposition_lib.activations import relu, relu_derivative


def _array(fn, x, a):
    """`fn(x, a)` as an array; the learner's errors become an AssertionError."""
    name = getattr(fn, "__name__", "your function")
    try:
        return np.asarray(fn(x, a))
    except NotImplementedError:
        raise
    except Exception as err:
        raise AssertionError(
            f"{name}(x, a={a}) raised {type(err).__name__} ({err}) on a {x.dtype} "
            f"array of shape {x.shape}: it must work elementwise on any array"
        ) from None


def check_leaky_relu_exercise(leaky_relu, leaky_relu_derivative):
    """Against relu at a = 0, finite differences, the kink, and for dtypes."""
    z = np.random.default_rng(1).normal(size=1000)
    assert np.array_equal(_array(leaky_relu, z, 0.0), relu(z)), (
        "with a = 0 the leaky ReLU is the ReLU"
    )
    assert np.array_equal(_array(leaky_relu_derivative, z, 0.0), relu_derivative(z)), (
        "with a = 0 the derivative is the ReLU's"
    )
    step = 1e-6
    fd = (_array(leaky_relu, z + step, 0.1) - _array(leaky_relu, z - step, 0.1)) / (
        2 * step
    )
    far = np.abs(z) > 10 * step
    assert np.allclose(
        fd[far], _array(leaky_relu_derivative, z, 0.1)[far], atol=1e-6
    ), "derivative disagrees with finite differences: slope a on the negative side?"
    at_zero = _array(leaky_relu_derivative, np.array([0.0]), 0.1)
    assert at_zero.shape == (1,) and at_zero[0] == 0.1, (
        f"at 0 the derivative must be a = 0.1 (the left slope, as the ReLU's 0), got "
        f"{at_zero}: is the comparison x >= 0 instead of x > 0?"
    )
    z32 = z.astype(np.float32)
    dtypes = {_array(f, z32, 0.1).dtype for f in (leaky_relu, leaky_relu_derivative)}
    assert dtypes == {np.dtype(np.float32)}, (
        f"float32 in, float32 out, got {sorted(map(str, dtypes))}: do Python floats "
        "such as 1.0 or a inside np.where promote the result to float64?"
    )
    print("leaky ReLU: all checks passed")


def _prediction(value, name):
    """A predicted number as a float, or an AssertionError saying what was expected."""
    try:
        if np.ndim(value) == 0 and not isinstance(value, bool):
            return float(value)
    except (TypeError, ValueError):
        pass
    raise AssertionError(f"{name} must be a number (your prediction), got {value!r}")


def check_kink_exercise(central_difference, analytic_derivative, gradient_check_passes):
    """The three predictions about f(t) = (1 - ReLU(t))^2 at t = 0, computed."""
    central_difference = _prediction(central_difference, "central_difference")
    analytic_derivative = _prediction(analytic_derivative, "analytic_derivative")
    assert isinstance(gradient_check_passes, bool), (
        "gradient_check_passes must be True or False"
    )

    def f(t):
        return (1.0 - relu(np.array(t))) ** 2

    step = 1e-6
    central = float((f(step) - f(-step)) / (2 * step))
    analytic = float(-2 * (1.0 - relu(np.array(0.0))) * relu_derivative(np.array(0.0)))
    assert abs(central_difference - central) < 1e-3, (
        f"the central difference is {central:.6f}, not {central_difference}: it "
        "averages the slope from the right (-2) and from the left (0)"
    )
    assert abs(analytic_derivative - analytic) < 1e-12, (
        f"the analytic derivative is {analytic + 0:.1f}, not {analytic_derivative}: "
        "the chain rule multiplies by the ReLU's slope at 0, which is 0 by convention"
    )
    passes = bool(np.isclose(central, analytic, rtol=1e-4, atol=1e-6))
    assert gradient_check_passes == passes, (
        f"a gradient check compares {central:.6f} with {analytic + 0:.1f}: "
        f"it {'passes' if passes else 'fails'}"
    )
    verdict = "passes" if passes else "fails"
    print(
        f"central difference {central:.6f}, analytic {analytic + 0:.1f}: "
        f"a gradient check {verdict}"
    )

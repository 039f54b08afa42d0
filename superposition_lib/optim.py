# GENERATED from book/06_adam.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Adam: a step size per parameter.

The previous chapter gave us the gradient of the loss. The simplest use of it is
plain gradient descent, $\theta \leftarrow \theta - \eta\, g$: one learning rate
$\eta$ for every parameter. The toy model makes this awkward. Feature 0 matters
$1/0.7^{19} \approx 880$ times more than feature 19, so the gradients of its weights
can be hundreds of times larger, and a single learning rate for all of them is a
compromise. Adam [kingma2015adam] rescales every parameter's step by a running
estimate of its gradient's size, so that every parameter moves at roughly the same
speed. The original document trains with Adam, and the paper's reference code with
its variant AdamW [loshchilov2019adamw]; this chapter builds both, checks a step by
hand, and races them against plain gradient descent on the toy model.
"""

import numbers

import numpy as np

from superposition_lib.conventions import check_array, check_in_range

__all__ = [
    "SGD",
    "Adam",
]


# ---- book/06_adam.ipynb, cell 424843e6 ----
def _check_hyperparameter(value, name, low, high, *, low_open=False, high_open=False):
    """A hyperparameter is a real number in an interval; return it as a float."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(
        check_in_range(value, name, low, high, low_open=low_open, high_open=high_open)
    )


def _check_step_arguments(params, grads):
    """params: a dict of writable, finite float arrays; grads: finite, of their shapes.

    Returns the gradients as arrays. Nothing is updated unless all of this holds.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError(
            "params and grads must be dicts of arrays, got "
            f"{type(params).__name__} and {type(grads).__name__}"
        )
    if not params or set(params) != set(grads):
        raise ValueError(
            "params must hold at least one array, and grads the same keys: "
            f"params has {sorted(params)}, grads {sorted(grads)}"
        )
    checked = {}
    for key, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(
                f"params[{key!r}] must be a float ndarray (it is updated "
                f"in place), got {type(value).__name__}"
            )
        if not value.flags.writeable:
            raise ValueError(f"params[{key!r}] is read-only: a step writes into it")
        check_array(value, f"params[{key!r}]")  # a NaN or inf would only spread
        checked[key] = check_array(grads[key], f"grads[{key!r}]")
        if checked[key].shape != value.shape:
            raise ValueError(
                f"grads[{key!r}] must have the shape of params[{key!r}] "
                f"{value.shape}, got {checked[key].shape}"
            )
    return checked


# A step is computed into new arrays and written into params only when every one is
# finite: a refused step leaves the model and the optimiser as they were. Underflow
# (a tiny gradient's square becoming 0) is rounding, not an error.
_QUIET = dict(over="ignore", under="ignore", invalid="ignore")


def _refuse_non_finite(new, key, params, lr, step=None):
    """A FloatingPointError, as for a diverged loss, if an update overflowed."""
    if not np.all(np.isfinite(new)):
        at = "" if step is None else f" at step {step}"
        raise FloatingPointError(
            f"the update{at} would make params[{key!r}] non-finite (|params[{key!r}]| "
            f"<= {float(np.max(np.abs(params[key]))):.3g}, lr = {lr:g}): "
            "try a smaller lr"
        )


class SGD:
    """Plain gradient descent, theta <- theta - lr * g, updating the arrays in place."""

    def __init__(self, lr=1e-2):
        self.lr = _check_hyperparameter(lr, "lr", 0.0, np.inf, low_open=True)

    def step(self, params, grads):
        """Apply one update to every array in `params`; return `params`."""
        grads = _check_step_arguments(params, grads)
        with np.errstate(**_QUIET):
            new = {key: theta - self.lr * grads[key] for key, theta in params.items()}
        for key in params:
            _refuse_non_finite(new[key], key, params, self.lr)
        for key, theta in params.items():
            theta[...] = new[key]
        return params


class Adam:
    """Adam (eqs. 6.1-6.3) with optional decoupled weight decay (AdamW, eq. 6.4).

    `step(params, grads)` updates the arrays of `params` in place. The moments `m[key]`,
    `v[key]` are created on first use; `t` counts the steps taken.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.lr = _check_hyperparameter(lr, "lr", 0.0, np.inf, low_open=True)
        self.beta1 = _check_hyperparameter(beta1, "beta1", 0.0, 1.0, high_open=True)
        self.beta2 = _check_hyperparameter(beta2, "beta2", 0.0, 1.0, high_open=True)
        self.eps = _check_hyperparameter(eps, "eps", 0.0, np.inf, low_open=True)
        self.weight_decay = _check_hyperparameter(
            weight_decay, "weight_decay", 0.0, np.inf
        )
        self.m, self.v, self.t = {}, {}, 0

    def _moments(self, key, theta):
        if key not in self.m:
            return np.zeros_like(theta), np.zeros_like(theta)
        if self.m[key].shape != theta.shape:
            raise ValueError(
                f"params[{key!r}] changed shape from {self.m[key].shape} "
                f"to {theta.shape}; use a new optimiser for a new model"
            )
        return self.m[key], self.v[key]

    def _update(self, key, theta, g, t):
        """Step t for one array: the new (m, v, theta), nothing written yet."""
        m, v = self._moments(key, theta)
        step_size = self.lr / (1.0 - self.beta1**t)  # eq. 6.2, m folded in
        root_correction = np.sqrt(1.0 - self.beta2**t)  # eq. 6.2, v folded in
        with np.errstate(**_QUIET):
            m = m * self.beta1
            m += (1.0 - self.beta1) * g  # eq. 6.1
            v = v * self.beta2
            v += (1.0 - self.beta2) * (g * g)
            if self.weight_decay:
                new = theta * (1.0 - self.lr * self.weight_decay)  # eq. 6.4, decoupled
            else:
                new = theta.copy()
            denominator = np.sqrt(v)
            denominator /= root_correction
            denominator += self.eps
            new -= step_size * m / denominator  # eq. 6.3
        if not np.all(np.isfinite(v)):
            largest = float(np.max(np.abs(g)))
            raise ValueError(
                f"grads[{key!r}] is too large for Adam: its square, the moment v, "
                f"overflows float64 (|grads[{key!r}]| <= {largest:.3g})"
            )
        _refuse_non_finite(new, key, {key: theta}, self.lr, step=t)
        return m, v, new

    def step(self, params, grads):
        """One Adam step on every array in `params` (in place); return `params`."""
        grads = _check_step_arguments(params, grads)
        t = self.t + 1
        updates = {key: self._update(key, params[key], grads[key], t) for key in params}
        for key, (m, v, new) in updates.items():
            self.m[key], self.v[key] = m, v
            params[key][...] = new
        self.t = t
        return params

    def reset(self, key, index=None, axis=0):
        """Zero the moments of `key` (all of them, or entries `index` along `axis`).

        Used when a few rows of a parameter are re-initialised (the SAE's resampling of
        dead latents): their stale moments would otherwise steer the new rows. The step
        count `t` is shared, so the reset rows get no fresh bias correction; their first
        steps are about 0.1 / sqrt(0.001), i.e. 3 times lr, until the averages warm up.
        """
        if key not in self.m:
            if self.t == 0:
                return  # no step taken yet: there are no moments to zero
            raise KeyError(
                f"no optimiser state for {key!r}; known keys: {sorted(self.m)}"
            )
        for moment in (self.m[key], self.v[key]):
            if index is None:
                moment[...] = 0.0
            else:
                np.moveaxis(moment, axis, 0)[index] = 0.0

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
from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    check_array,
    check_flag,
    check_generators,
    check_in_range,
    check_positive_int,
)
from superposition_lib.progress import ProgressLine

__all__ = [
    "SGD",
    "Adam",
    "LoopResult",
    "TrainingDiverged",
    "logged_steps",
    "train_loop",
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

    def step(self, params, grads, *, check=True):
        """One Adam step on every array in `params` (in place); return `params`.

        check=False skips the argument checks (types, shapes, finite inputs) for a loop
        that checked them once; an update that would not be finite is still refused.
        """
        if check_flag(check, "check"):
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


# ---- book/06_adam.ipynb, cell e334ede5 ----
@dataclass
class LoopResult:
    """What `train_loop` returns (the parameters themselves are updated in place)."""

    losses: np.ndarray  # (n_logged, I): each logged step's loss, before its update
    steps_logged: np.ndarray  # (n_logged,) 0-based steps
    weights: dict | None  # name -> (n_w, I, ...) copies of params, or None
    steps_weights_logged: np.ndarray | None  # (n_w,) 0-based steps, or None


class TrainingDiverged(FloatingPointError, ValueError):
    """A run that blew up; also a ValueError: an argument (lr) was too large."""


def logged_steps(steps, every):
    """The steps 0, every, 2 every, ... and the last one, steps - 1."""
    steps = check_positive_int(steps, "steps")
    every = check_positive_int(every, "every")
    return np.unique(np.r_[np.arange(0, steps, every), steps - 1])


def _diverged(values, step, lr, what="loss"):
    """The error for non-finite values (I,), naming the step and the first instance."""
    bad = np.flatnonzero(~np.isfinite(values))
    return TrainingDiverged(
        f"training diverged at step {step}: instance {bad[0]} has {what} "
        f"{values[bad[0]]} ({len(bad)} of {len(values)} instances non-finite); "
        f"try a smaller lr than {lr:g}"
    )


def _checked_loop_inputs(loss_and_gradients, params, rngs):
    """params: a dict of float arrays sharing a leading instance axis, one rng each."""
    if not callable(loss_and_gradients):
        raise TypeError("loss_and_gradients must be a function (params, rngs)")
    if not isinstance(params, dict) or not params:
        raise TypeError(
            f"params must be a non-empty dict of arrays, got {params!r:.40}"
        )
    for key, value in params.items():
        if (
            not isinstance(value, np.ndarray)
            or value.dtype.kind != "f"
            or value.ndim < 1
        ):
            raise TypeError(
                f"params[{key!r}] must be a float array with an instance axis"
            )
    sizes = {value.shape[0] for value in params.values()}
    if len(sizes) != 1:
        raise ValueError(f"params must share their first (instance) axis, got {sizes}")
    n = sizes.pop()
    check_generators(rngs, n)
    return n


def _weight_log(params, steps, every):
    """Empty (n_w, I, ...) copies of params for the steps to log, or (None, None)."""
    if every is None:
        return None, None
    every = check_positive_int(every, "log_weights_every")
    logged = logged_steps(steps, every)
    return {
        k: np.empty((len(logged),) + v.shape, v.dtype) for k, v in params.items()
    }, logged


def _adam_step(optimizer, params, grads, step):
    """One update; a refused one (it would overflow) becomes TrainingDiverged."""
    try:  # the arguments are checked at the first step; later ones are trusted
        optimizer.step(params, grads, check=step == 0)
    except (ValueError, FloatingPointError) as err:
        largest = sum(np.abs(g).reshape(len(g), -1).max(axis=1) for g in grads.values())
        raise TrainingDiverged(
            f"training diverged at step {step}: instance {np.argmax(largest)} "
            f"(largest gradient), Adam: {err}; try a smaller lr or smaller inputs"
        ) from err


def train_loop(
    loss_and_gradients,
    params,
    rngs,
    *,
    steps,
    lr=1e-3,
    weight_decay=0.0,
    log_every=10,
    log_weights_every=None,
    progress=None,
):
    """Train `params` in place with Adam (eqs. 6.1-6.4) on fresh batches, step by step.

    loss_and_gradients(params, rngs) -> (loss (I,), grads like params) draws instance
    i's batch from rngs[i]. Returns a LoopResult; a non-finite loss, or an update Adam
    refuses, raises TrainingDiverged (a FloatingPointError and a ValueError).
    """
    n_instances = _checked_loop_inputs(loss_and_gradients, params, rngs)
    steps_logged = logged_steps(steps, check_positive_int(log_every, "log_every"))
    progress = check_flag(progress, "progress", optional=True)
    optimizer = Adam(lr=lr, weight_decay=weight_decay)
    weights, weight_steps = _weight_log(params, steps, log_weights_every)
    losses, row, w_row = np.empty((len(steps_logged), n_instances)), 0, 0
    with ProgressLine(steps, enabled=progress) as line, np.errstate(**_QUIET):
        for step in range(steps):
            if weights is not None and step == weight_steps[w_row]:
                for key, value in params.items():
                    weights[key][w_row] = value
                w_row = min(w_row + 1, len(weight_steps) - 1)
            loss, grads = loss_and_gradients(params, rngs)
            loss = np.asarray(loss)
            if loss.shape != (n_instances,) or not np.isfinite(loss).all():
                _raise_bad_loss(loss, n_instances, step, lr)
            if step == steps_logged[row]:
                losses[row], row = loss, min(row + 1, len(steps_logged) - 1)
                line.update(step + 1, loss)
            _adam_step(optimizer, params, grads, step)
    _check_final_params(params, steps, lr)
    return LoopResult(losses, steps_logged, weights, weight_steps)


def _check_final_params(params, steps, lr):
    """No loss follows the last update, so the parameters themselves are checked."""
    largest = sum(np.abs(v).reshape(len(v), -1).max(axis=1) for v in params.values())
    if not np.isfinite(largest).all():
        raise _diverged(largest, steps - 1, lr, "|params| up to")


def _raise_bad_loss(loss, n_instances, step, lr):
    """A loss of the wrong shape is the caller's bug; a non-finite one, divergence."""
    if loss.shape != (n_instances,):
        raise ValueError(
            f"loss_and_gradients must return one loss per instance, shape "
            f"({n_instances},), got {loss.shape}"
        )
    raise _diverged(loss, step, lr)

# GENERATED from book/07_training.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Training many toy models at once.

Part II asks questions like "how does the learned representation change as sparsity
goes from 0 to 0.999?", and answers them by training dozens of small models and
comparing them. The paper's code [elhage2022superposition] does this with a leading
*instance* axis: the weights of all models live in one array $W \in \mathbb{R}^{I
\times k \times n}$, each instance gets its own sparsity and its own data, and one
training loop trains them all. This chapter builds that loop from the pieces of
chapters 1 to 6, makes it fast, and checks that it is honest: each instance trains
exactly as if it were alone, the same seed gives the same result, and a run that
blows up says so instead of returning NaNs.
"""

import os
import sys
import time
from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_float_dtype,
    check_in_range,
    check_positive_int,
)
from superposition_lib.data import feature_importance
from superposition_lib.model import ACTIVATIONS, init_params
from superposition_lib.optim import Adam

__all__ = [
    "TrainingWorkspace",
    "ProgressLine",
    "TrainResult",
    "train_toy_model",
]


# ---- book/07_training.ipynb, cell f2ba0c21 ----
class TrainingWorkspace:
    """Preallocated arrays for training steps of I toy models at once (eqs. 7.1-7.5).

    The parameters live in one array `theta` (I, k + 1, n): rows 0..k-1 hold W, row k
    holds b; `params` and `grads` are {"W", "b"} views into `theta` and `grad_theta`.
    `sample_batch(rng)` returns a batch of sparse data (I, B, n) drawn in place;
    `loss_and_gradients(X)` returns the per-instance loss (I,) and `grad_theta`, the
    gradient of the mean weighted loss; `sample_loss_and_gradients(rng)` does both.
    Instances are processed in chunks whose work arrays (about `chunk_bytes`) are reused
    from chunk to chunk, so that they stay in the processor's cache.
    """

    def __init__(
        self,
        params,
        importance,
        keep_probability,
        batch_size,
        activation="relu",
        *,
        chunk_bytes=2**21,
    ):
        W = check_array(params["W"], "params['W']", ndim=3)
        n_instances, n_hidden, n_features = W.shape
        dtype, batch = W.dtype, check_positive_int(batch_size, "batch_size")
        per_instance = (n_instances, n_features)
        b = check_array(params["b"], "params['b']", shape=per_instance)
        importance = check_array(importance, "importance", shape=per_instance)
        keep = check_array(keep_probability, "keep_probability", shape=per_instance)
        check_in_range(keep, "keep_probability", 0.0, 1.0, low_open=True)
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {ACTIVATIONS}, got {activation!r}"
            )
        self.activation, self.n_hidden = activation, n_hidden
        self.theta = np.concatenate([W, b[:, None, :]], axis=1).astype(dtype)  # eq. 7.4
        self.grad_theta = np.zeros_like(self.theta)
        k = n_hidden
        self.params = {"W": self.theta[:, :k], "b": self.theta[:, k]}
        self.grads = {"W": self.grad_theta[:, :k], "b": self.grad_theta[:, k]}
        self.theta_T = np.zeros((n_instances, n_features, n_hidden + 1), dtype)
        self._encoder_term = np.zeros_like(self.theta)
        self.loss = np.zeros(n_instances, dtype)
        # Work arrays for one chunk of instances, reused by every chunk.
        itemsize = np.dtype(dtype).itemsize
        bytes_per_instance = batch * (
            n_features * (4 * itemsize + 1) + 2 * (n_hidden + 1) * itemsize
        )
        size = int(min(n_instances, max(1, chunk_bytes // bytes_per_instance)))
        self.chunks = [
            slice(i, min(i + size, n_instances)) for i in range(0, n_instances, size)
        ]
        work, big = (size, batch, n_features), (n_instances, batch, n_features)
        self._X, self.x_linear = np.zeros(work, dtype), np.zeros(work, dtype)
        self.residual, self.delta = np.zeros(work, dtype), np.zeros(work, dtype)
        self.mask = np.zeros(work, bool)
        self.z = np.ones((size, batch, n_hidden + 1), dtype)  # last column: the 1s
        self.grad_z = np.zeros_like(self.z)
        # One chunk: p and 2 I / B spelled out to the batch's shape (contiguous
        # operands are much faster than broadcasting a row). Several chunks: (I, 1, n)
        # rows, small enough to stay in cache while the chunks take turns.
        shape = big if len(self.chunks) == 1 else (n_instances, 1, n_features)
        self.keep = np.ascontiguousarray(
            np.broadcast_to(keep.astype(dtype)[:, None, :], shape)
        )
        self.loss_weight = np.ascontiguousarray(
            np.broadcast_to(  # eq. 5.1
                (2.0 / batch * importance).astype(dtype)[:, None, :], shape
            )
        )
        self.X = self._X if size == n_instances else np.zeros(big, dtype)

    def _sample(self, rng, part, X):
        """Fill X (chunk `part`) in place: x = u / p where u < p, else 0 (eq. 7.1)."""
        rng.random(out=X, dtype=X.dtype)
        X /= self.keep[part]  # u / p < 1 exactly when u < p
        mask = self.mask[: len(X)]
        np.less(X, 1.0, out=mask)
        X *= mask

    def _loss_and_gradients(self, X, part):
        """Loss and gradient of the instances `part` on their batch X (eqs. 7.2-7.5)."""
        m, k = len(X), self.n_hidden
        z, grad_z, x_linear = self.z[:m], self.grad_z[:m], self.x_linear[:m]
        residual, delta = self.residual[:m], self.delta[:m]
        theta, theta_T = self.theta[part], self.theta_T[part]
        np.matmul(X, theta_T[:, :, :k], out=z[:, :, :k])  # z = W x
        np.matmul(z, theta, out=x_linear)  # W^T z + b: z's 1s
        if self.activation == "relu":
            np.maximum(x_linear, 0.0, out=residual)
        else:
            np.copyto(residual, x_linear)
        residual -= X  # x_hat - x
        np.multiply(residual, self.loss_weight[part], out=delta)  # eq. 5.1
        loss = self.loss[part]
        np.einsum("ij,ij->i", delta.reshape(m, -1), residual.reshape(m, -1), out=loss)
        loss *= 0.5  # eq. 7.2
        if self.activation == "relu":
            np.greater(x_linear, 0.0, out=self.mask[:m])
            delta *= self.mask[:m]  # eq. 5.2
        np.matmul(delta, theta_T, out=grad_z)  # dL/dz = W delta
        grad_z[:, :, k] = 0.0  # the 1s: no gradient
        grad_theta, encoder_term = self.grad_theta[part], self._encoder_term[part]
        np.matmul(z.transpose(0, 2, 1), delta, out=grad_theta)  # z delta^T, and b
        np.matmul(grad_z.transpose(0, 2, 1), X, out=encoder_term)
        grad_theta += encoder_term  # eq. 7.5

    def sample_batch(self, rng):
        """Draw the batch X (I, B, n) in place (eq. 7.1) and return it."""
        for part in self.chunks:
            self._sample(rng, part, self.X[part])
        return self.X

    def loss_and_gradients(self, X=None):
        """Per-instance loss (I,) and gradient (I, k + 1, n) for the batch X (eq. 7.5).

        X defaults to the batch last drawn by `sample_batch`.
        """
        X = self.X if X is None else X
        if X.shape != self.X.shape or X.dtype != self.X.dtype:
            raise ValueError(
                f"X must have shape {self.X.shape} and dtype "
                f"{self.X.dtype}, got {X.shape} {X.dtype}"
            )
        np.copyto(self.theta_T, self.theta.transpose(0, 2, 1))  # contiguous: faster
        for part in self.chunks:
            self._loss_and_gradients(X[part], part)
        return self.loss, self.grad_theta

    def sample_loss_and_gradients(self, rng):
        """`sample_batch` then `loss_and_gradients`, chunk by chunk: the same numbers.

        Each chunk's batch is drawn into the reused work array, so with several chunks
        `X` does not keep the batch (use the two methods apart to see it).
        """
        np.copyto(self.theta_T, self.theta.transpose(0, 2, 1))
        for part in self.chunks:
            X = self._X[: part.stop - part.start]
            self._sample(rng, part, X)
            self._loss_and_gradients(X, part)
        return self.loss, self.grad_theta


# ---- book/07_training.ipynb, cell 9f701421 ----
def _under_test():
    """True under CI, nbval or pytest, where progress output would only be noise."""
    return any(os.environ.get(name) for name in ("CI", "NBVAL", "PYTEST_CURRENT_TEST"))


def _jupyter_display():
    """IPython's `display` inside a Jupyter kernel, else None (imports nothing else)."""
    kernel_app = sys.modules.get("ipykernel.kernelapp")
    if kernel_app is None or not kernel_app.IPKernelApp.initialized():
        return None
    from IPython.display import display

    return display


class ProgressLine:
    """A one-line progress display for Jupyter or a terminal, erased when closed.

    enabled None: shown only for runs longer than `delay` seconds and never under test
    (env CI, NBVAL or PYTEST_CURRENT_TEST); False: never; True: always, but not under
    test.
    """

    def __init__(
        self, total, *, enabled=None, description="training", delay=1.0, interval=0.5
    ):
        self.total, self.description = total, description
        self.delay = 0.0 if enabled else delay
        self.interval = interval
        self.enabled = enabled is not False and not _under_test()
        self._start = self._last = time.perf_counter()
        self._display, self._handle, self._width = _jupyter_display(), None, 0
        if self._display is None and not (enabled or sys.stderr.isatty()):
            self.enabled = False  # a pipe or a log file: stay quiet unless asked

    def update(self, done, loss=None):
        """Show `done` of `total` (and the mean loss), at most once per `interval`."""
        now = time.perf_counter()
        too_soon = now - self._start < self.delay or now - self._last < self.interval
        if not self.enabled or too_soon:
            return
        self._last = now
        text = f"{self.description}: step {done:,}/{self.total:,}"
        if loss is not None:
            text += f", mean loss {float(np.mean(loss)):.5f}"
        self._show(text + f", {now - self._start:.0f} s")

    def _show(self, text):
        if self._display is not None:
            bundle = {"text/plain": text, "text/html": f"<code>{text}</code>"}
            if self._handle is None:
                self._handle = self._display(bundle, raw=True, display_id=True)
            else:
                self._handle.update(bundle, raw=True)
        else:
            sys.stderr.write("\r" + text.ljust(self._width))
            sys.stderr.flush()
            self._width = len(text)

    def close(self):
        """Erase the line, so a finished run leaves no stale progress behind."""
        if self._handle is not None:
            self._handle.update({"text/plain": "", "text/html": ""}, raw=True)
        elif self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
        self._handle, self._width = None, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class TrainResult:
    """What `train_toy_model` returns; W and b are the arrays of `params`."""

    W: np.ndarray  # (I, k, n)
    b: np.ndarray  # (I, n)
    losses: np.ndarray  # (n_logged, I): each logged step's batch loss
    steps_logged: np.ndarray  # (n_logged,): 0-based steps, loss before the update
    params: dict
    importance: np.ndarray  # (I, n)
    sparsity: np.ndarray  # (I, n)


def _per_instance(value, name, n_instances, n_features):
    """A scalar, (I,) or (I, n) hyperparameter as an (I, n) float64 array."""
    arr = np.array(check_array(value, name, ndim=(0, 1, 2)), dtype=np.float64)
    if arr.ndim == 1 and arr.shape != (n_instances,):
        raise ValueError(
            f"{name} has {arr.shape[0]} values (one per instance) but "
            f"n_instances is {n_instances}"
        )
    if arr.ndim == 2 and arr.shape != (n_instances, n_features):
        raise ValueError(
            f"{name} must have shape ({n_instances}, {n_features}) "
            f"(n_instances, n_features), got {arr.shape}"
        )
    arr = arr[:, None] if arr.ndim == 1 else arr
    return np.ascontiguousarray(np.broadcast_to(arr, (n_instances, n_features)))


def _importance_per_instance(importance, n_instances, n_features):
    """None (the book's 0.7**i), (n,) or (I, n) importances as an (I, n) array."""
    if importance is None:
        importance = feature_importance(n_features)
    arr = check_array(importance, "importance", ndim=(1, 2))
    if arr.shape not in ((n_features,), (n_instances, n_features)):
        raise ValueError(
            f"importance must have shape ({n_features},) or "
            f"({n_instances}, {n_features}), got {arr.shape}"
        )
    check_in_range(arr, "importance", 0.0, np.inf)
    return np.ascontiguousarray(
        np.broadcast_to(arr, (n_instances, n_features)), dtype=np.float64
    )


def _divergence(loss, step, lr):
    """The error for a non-finite loss, naming the first instance that diverged."""
    bad = np.flatnonzero(~np.isfinite(loss))
    return FloatingPointError(
        f"training diverged at step {step}: instance {bad[0]} has loss {loss[bad[0]]} "
        f"({len(bad)} of {len(loss)} instances non-finite); "
        f"try a smaller lr than {lr:g}"
    )


def train_toy_model(
    n_features,
    n_hidden,
    sparsity,
    importance=None,
    *,
    steps=10_000,
    batch_size=1024,
    lr=1e-3,
    n_instances=1,
    seed=0,
    activation="relu",
    init="xavier",
    weight_decay=0.0,
    dtype=np.float64,
    log_every=10,
    progress=None,
):
    """Train `n_instances` independent toy models at once with Adam (eqs. 7.1-7.3).

    sparsity: scalar, (I,) or (I, n); importance: None (0.7**i), (n,) or (I, n). The
    random stream: init_params draws first, then one (I, batch_size, n) uniform draw per
    step, so the same seed gives the same result. A non-finite loss raises
    FloatingPointError.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    n_instances = check_positive_int(n_instances, "n_instances")
    log_every = check_positive_int(log_every, "log_every")
    dtype = np.dtype(check_float_dtype(dtype))
    sparsity = _per_instance(sparsity, "sparsity", n_instances, n_features)
    check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    importance = _importance_per_instance(importance, n_instances, n_features)
    optimizer = Adam(lr=lr, weight_decay=weight_decay)
    rng = as_generator(seed, "seed")
    params = init_params(
        n_features, n_hidden, rng, init=init, n_instances=n_instances, dtype=dtype
    )
    work = TrainingWorkspace(params, importance, 1.0 - sparsity, batch_size, activation)
    # Adam is elementwise, so one array theta = [W; b] steps exactly like W and b apart.
    theta, grad_theta = {"theta": work.theta}, {"theta": work.grad_theta}
    steps_logged = np.unique(np.r_[np.arange(0, steps, log_every), steps - 1])
    losses = np.empty((len(steps_logged), n_instances))
    row = 0
    # Overflow shows up as a non-finite loss, reported below with instance and step.
    with (
        ProgressLine(steps, enabled=progress) as line,
        np.errstate(over="ignore", invalid="ignore"),
    ):
        for step in range(steps):
            loss, _ = work.sample_loss_and_gradients(rng)
            if not np.isfinite(loss).all():
                raise _divergence(loss, step, lr)
            if step == steps_logged[row]:
                losses[row] = loss
                row = min(row + 1, len(steps_logged) - 1)
                line.update(step + 1, loss)
            optimizer.step(theta, grad_theta)
    params = {key: np.ascontiguousarray(value) for key, value in work.params.items()}
    return TrainResult(
        params["W"], params["b"], losses, steps_logged, params, importance, sparsity
    )

# GENERATED from book/07_training.ipynb by tools/export.py. DO NOT EDIT:
# edit the chapter's cells tagged `export`, then run `make export`.
r"""Training many toy models at once.

Part II asks questions like "how does the learned representation change as sparsity
goes from 0 to 0.999?", and answers them by training dozens of small models and
comparing them. The paper's code [elhage2022superposition] does this with a leading
instance axis: the weights of all models live in one array $W \in \mathbb{R}^{I
\times k \times n}$, each instance gets its own sparsity and its own data, and one
training loop trains them all. This chapter builds that loop from the pieces of
chapters 1 to 6, makes it fast, and checks that it is honest: each instance trains
exactly as if it were alone, the same seed gives the same result, and a run that
blows up says so instead of returning NaNs.
"""

from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    as_generator,
    check_array,
    check_flag,
    check_float_dtype,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
)
from superposition_lib.data import feature_importance
from superposition_lib.model import ACTIVATIONS, init_params
from superposition_lib.optim import Adam
from superposition_lib.progress import ProgressLine

__all__ = [
    "TrainingWorkspace",
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
        W, b, importance, keep = _checked_inputs(params, importance, keep_probability)
        self.activation = check_one_of(activation, "activation", ACTIVATIONS)
        self.n_hidden = W.shape[1]
        batch = check_positive_int(batch_size, "batch_size")
        chunk_bytes = check_positive_int(chunk_bytes, "chunk_bytes")
        self._allocate_parameters(W, b)
        size = _instances_per_chunk(W, batch, chunk_bytes)
        self.chunks = [slice(i, min(i + size, len(W))) for i in range(0, len(W), size)]
        self._allocate_work_arrays(size, batch)
        self._spell_out_rows(keep, 2.0 / batch * importance, batch)

    def _allocate_parameters(self, W, b):
        """theta = [W; b] (eq. 7.4), its gradient, and {"W", "b"} views into both."""
        k, (n_instances, _, n_features) = self.n_hidden, W.shape
        self.theta = np.concatenate([W, b[:, None, :]], axis=1).astype(W.dtype)
        self.grad_theta = np.zeros_like(self.theta)
        self.params = {"W": self.theta[:, :k], "b": self.theta[:, k]}
        self.grads = {"W": self.grad_theta[:, :k], "b": self.grad_theta[:, k]}
        self.theta_T = np.zeros((n_instances, n_features, k + 1), W.dtype)
        self._encoder_term = np.zeros_like(self.theta)
        self.loss = np.zeros(n_instances, W.dtype)

    def _allocate_work_arrays(self, size, batch):
        """Work arrays for one chunk of `size` instances, reused by every chunk."""
        n_instances, _, n_features = self.theta.shape
        dtype, work = self.theta.dtype, (size, batch, n_features)
        self._X, self.x_linear = np.zeros(work, dtype), np.zeros(work, dtype)
        self.residual, self.delta = np.zeros(work, dtype), np.zeros(work, dtype)
        self.mask = np.zeros(work, bool)
        self.z = np.ones((size, batch, self.n_hidden + 1), dtype)  # last column: 1s
        self.grad_z = np.zeros_like(self.z)
        whole = size == n_instances  # then the batch is the work array itself
        self.X = self._X if whole else np.zeros((n_instances,) + work[1:], dtype)

    def _spell_out_rows(self, keep, loss_weight, batch):
        """p (eq. 7.1) and 2 I / B (eq. 5.1) in the shape the step reads them: for one
        chunk, the batch's shape (contiguous operands are much faster than a broadcast
        row); for several, (I, 1, n) rows, small enough to stay in cache."""
        n_instances, n_features = keep.shape
        rows = batch if len(self.chunks) == 1 else 1
        shape, dtype = (n_instances, rows, n_features), self.theta.dtype
        self.keep = _spelled_out(keep, shape, dtype, "keep_probability")
        self.loss_weight = _spelled_out(loss_weight, shape, dtype, "importance")

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
        """Loss (I,) and gradient (I, k + 1, n) on X (default: the last batch), 7.5."""
        X = self.X if X is None else check_array(X, "X", shape=self.X.shape)
        if X.dtype != self.X.dtype:
            raise ValueError(f"X must have dtype {self.X.dtype}, got {X.dtype}")
        np.copyto(self.theta_T, self.theta.transpose(0, 2, 1))  # contiguous: faster
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for part in self.chunks:
                self._loss_and_gradients(X[part], part)
        if not (np.isfinite(self.loss).all() and np.isfinite(self.grad_theta).all()):
            raise ValueError("the loss overflows: params or importance is too large")
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


def _checked_inputs(params, importance, keep_probability):
    """W (I, k, n); b, importances and keep probabilities p = 1 - S in (0, 1] (I, n)."""
    if not isinstance(params, dict) or not {"W", "b"} <= params.keys():
        raise TypeError(f"params must be a dict of 'W' and 'b', got {params!r:.40}")
    W = check_array(params["W"], "params['W']", ndim=3)
    check_matrix_stack(W, "params['W']")  # no axis empty
    per_instance = (len(W), W.shape[2])
    b = check_array(params["b"], "params['b']", shape=per_instance)
    importance = check_array(importance, "importance", shape=per_instance)
    check_in_range(importance, "importance", 0.0, np.inf)
    keep = check_array(keep_probability, "keep_probability", shape=per_instance)
    check_in_range(keep, "keep_probability", 0.0, 1.0, low_open=True)
    return W, b, importance, keep


def _instances_per_chunk(W, batch, chunk_bytes):
    """How many instances' work arrays fit in about `chunk_bytes` (at least one)."""
    (n_instances, n_hidden, n_features), itemsize = W.shape, W.dtype.itemsize
    # Per instance: four float (B, n) arrays and a bool one, two float (B, k + 1).
    per_instance = batch * (
        n_features * (4 * itemsize + 1) + 2 * (n_hidden + 1) * itemsize
    )
    return int(min(n_instances, max(1, chunk_bytes // per_instance)))


def _spelled_out(rows, shape, dtype, name):
    """(I, n) rows in `dtype` (none overflowing or lost to 0), spelled out: `shape`."""
    with np.errstate(over="ignore", under="ignore"):
        cast = rows.astype(dtype)
    if not np.all(np.isfinite(cast)) or np.any((cast == 0) & (rows != 0)):
        raise ValueError(f"{name} overflows {np.dtype(dtype)} or rounds to 0 in it")
    return np.ascontiguousarray(np.broadcast_to(cast[:, None, :], shape))


# ---- book/07_training.ipynb, cell 9f701421 ----
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


def _sparsity_per_instance(sparsity, n_instances, n_features):
    """A scalar, (I,) or (I, n) sparsity in [0, 1) as an (I, n) float64 array."""
    arr = check_in_range(sparsity, "sparsity", 0.0, 1.0, high_open=True)
    if arr.shape not in ((), (n_instances,), (n_instances, n_features)):
        raise ValueError(
            f"sparsity must be a number, one per instance (n_instances={n_instances}) "
            f"or ({n_instances}, {n_features}), got shape {arr.shape}"
        )
    arr = arr[:, None] if arr.ndim == 1 else arr
    return np.ascontiguousarray(np.broadcast_to(arr, (n_instances, n_features)), float)


def _importance_per_instance(importance, n_instances, n_features):
    """None (the book's 0.7**i), (n,) or (I, n) importances as an (I, n) array."""
    if importance is None:
        importance = feature_importance(n_features)
    arr = check_in_range(importance, "importance", 0.0, np.inf)
    if arr.shape not in ((n_features,), (n_instances, n_features)):
        raise ValueError(
            f"importance must have shape ({n_features},) or "
            f"({n_instances}, {n_features}), got {arr.shape}"
        )
    return np.ascontiguousarray(np.broadcast_to(arr, (n_instances, n_features)), float)


class _Diverged(FloatingPointError, ValueError):
    """A run that blew up; also a ValueError: lr (or importance) was too large."""


def _divergence(loss, step, lr, what="loss"):
    """The error for a non-finite loss (or parameter), naming the first instance."""
    bad = np.flatnonzero(~np.isfinite(loss))
    return _Diverged(
        f"training diverged at step {step}: instance {bad[0]} has {what} "
        f"{loss[bad[0]]} ({len(bad)} of {len(loss)} instances non-finite); "
        f"try a smaller lr than {lr:g}"
    )


def _train_steps(work, optimizer, rng, steps_logged, progress):
    """The training loop (eq. 7.3); returns the losses of the steps `steps_logged`."""
    steps = int(steps_logged[-1]) + 1
    # Adam is elementwise, so one array theta = [W; b] steps exactly like W and b apart.
    theta, grad_theta = {"theta": work.theta}, {"theta": work.grad_theta}
    losses, row = np.empty((len(steps_logged), len(work.theta))), 0
    # Overflow shows up as a non-finite loss, reported below; underflow is rounding.
    quiet = np.errstate(over="ignore", invalid="ignore", under="ignore")
    with ProgressLine(steps, enabled=progress) as line, quiet:
        for step in range(steps):
            loss, _ = work.sample_loss_and_gradients(rng)
            if not np.isfinite(loss).all():
                raise _divergence(loss, step, optimizer.lr)
            if step == steps_logged[row]:
                losses[row] = loss
                row = min(row + 1, len(steps_logged) - 1)
                line.update(step + 1, loss)
            try:  # Adam refuses an update that would overflow (the last one too)
                optimizer.step(theta, grad_theta)
            except (ValueError, FloatingPointError) as err:
                worst = np.argmax(np.abs(work.grad_theta).max(axis=(1, 2)))
                why = f"instance {worst} (largest gradient), Adam: {err}"
                msg = f"training diverged at step {step}: {why}; try a smaller lr"
                raise _Diverged(f"{msg} or importance") from err
    largest = np.max(np.abs(work.theta), axis=(1, 2))  # no loss follows the last update
    if not np.isfinite(largest).all():
        raise _divergence(largest, steps - 1, optimizer.lr, "|W| or |b| up to")
    return losses


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
    step, so the same seed gives the same result. A non-finite loss, or an update Adam
    refuses, raises FloatingPointError (also a ValueError). progress: True, False, or
    None to follow the environment variable SUPERPOSITION_PROGRESS.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    n_instances = check_positive_int(n_instances, "n_instances")
    log_every = check_positive_int(log_every, "log_every")
    progress = check_flag(progress, "progress", optional=True)
    dtype = np.dtype(check_float_dtype(dtype))
    sparsity = _sparsity_per_instance(sparsity, n_instances, n_features)
    importance = _importance_per_instance(importance, n_instances, n_features)
    optimizer = Adam(lr=lr, weight_decay=weight_decay)
    rng = as_generator(seed, "seed")
    params = init_params(
        n_features, n_hidden, rng, init=init, n_instances=n_instances, dtype=dtype
    )
    work = TrainingWorkspace(params, importance, 1.0 - sparsity, batch_size, activation)
    steps_logged = np.unique(np.r_[np.arange(0, steps, log_every), steps - 1])
    losses = _train_steps(work, optimizer, rng, steps_logged, progress)
    params = {key: np.ascontiguousarray(value) for key, value in work.params.items()}
    return TrainResult(
        params["W"], params["b"], losses, steps_logged, params, importance, sparsity
    )

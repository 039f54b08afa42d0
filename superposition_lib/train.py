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

import os
import sys
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from superposition_lib.conventions import (
    check_array,
    check_float_dtype,
    check_generators,
    check_in_range,
    check_matrix_stack,
    check_one_of,
    check_positive_int,
    instance_generators,
)
from superposition_lib.data import feature_importance
from superposition_lib.model import ACTIVATIONS, init_params
from superposition_lib.optim import Adam, TrainingDiverged, train_loop

__all__ = [
    "TrainingWorkspace",
    "TrainResult",
    "THREADS_VARIABLE",
    "train_toy_model",
]


# ---- book/07_training.ipynb, cell f2ba0c21 ----
class _WorkArrays:
    """One worker's arrays for a chunk of `size` instances, reused chunk after chunk."""

    def __init__(self, size, batch, n_features, n_hidden, dtype):
        shape = (size, batch, n_features)
        self.X, self.x_linear = np.zeros(shape, dtype), np.zeros(shape, dtype)
        self.residual, self.delta = np.zeros(shape, dtype), np.zeros(shape, dtype)
        self.zeros = np.zeros(shape, dtype)  # ReLU's 0: 4x faster than a scalar 0
        self.mask = np.zeros(shape, bool)
        self.z = np.ones((size, batch, n_hidden + 1), dtype)  # last column: 1s
        self.grad_z = np.zeros_like(self.z)


class TrainingWorkspace:
    """Preallocated arrays for training steps of I toy models at once (eqs. 7.1-7.5).

    The parameters live in one array `theta` (I, k + 1, n): rows 0..k-1 hold W, row k
    holds b; `params` and `grads` are {"W", "b"} views into `theta` and `grad_theta`.
    `sample_batch(rngs)` draws a batch X (I, B, n) in place, instance i from rngs[i]
    (the chapter-1 data, or `sampler(rngs[i], B, sparsity[i])`); `loss_and_gradients(X)`
    returns the per-instance loss (I,) and `grad_theta`, the gradient of the mean
    weighted loss; `sample_loss_and_gradients(rngs)` does both. Instances are processed
    in chunks of about `chunk_bytes` of work arrays, by `threads` threads, each with its
    own arrays; every instance's numbers are the same whatever the chunks and threads.
    """

    def __init__(
        self,
        params,
        importance,
        keep_probability,
        batch_size,
        activation="relu",
        *,
        sampler=None,
        threads=1,
        chunk_bytes=2**21,
    ):
        W, b, importance, keep = _checked_inputs(params, importance, keep_probability)
        self.activation = check_one_of(activation, "activation", ACTIVATIONS)
        self.sampler, self.sparsity = _checked_sampler(sampler), 1.0 - keep
        self.n_hidden, self.batch_size = (
            W.shape[1],
            check_positive_int(batch_size, "batch_size"),
        )
        self._allocate_parameters(W, b)
        size = _instances_per_chunk(
            W, self.batch_size, check_positive_int(chunk_bytes, "chunk_bytes")
        )
        self.chunks = [slice(i, min(i + size, len(W))) for i in range(0, len(W), size)]
        n_workers = min(check_positive_int(threads, "threads"), len(self.chunks))
        self._work = [
            _WorkArrays(size, self.batch_size, W.shape[2], self.n_hidden, W.dtype)
            for _ in range(n_workers)
        ]
        self._pool = ThreadPoolExecutor(n_workers - 1) if n_workers > 1 else None
        if self._pool is not None:  # its threads end with the workspace
            weakref.finalize(self, self._pool.shutdown, wait=False)
        self.X = None  # the batch of sample_batch, allocated at its first call
        self._spell_out_rows(keep, 2.0 / self.batch_size * importance)

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

    def _spell_out_rows(self, keep, loss_weight):
        """p (eq. 7.1) and 2 I / B (eq. 5.1) in the shape the step reads them: (I, 1, 1)
        if all features share them (a number per instance is fastest), else for one
        chunk the batch's shape (contiguous operands are much faster than a broadcast
        row); for several, (I, 1, n) rows, small enough to stay in cache."""
        n_instances, n_features = keep.shape
        rows = self.batch_size if len(self.chunks) == 1 else 1
        shape, dtype = (n_instances, rows, n_features), self.theta.dtype
        self.keep = _spelled_out(keep, shape, dtype, "keep_probability")
        self.loss_weight = _spelled_out(loss_weight, shape, dtype, "importance")

    def _sample(self, rngs, part, X, mask):
        """Fill X (chunk `part`) in place: x = u / p where u < p, else 0 (eq. 7.1)."""
        if self.sampler is not None:
            for j, i in enumerate(range(part.start, part.stop)):
                X[j] = _sampled(self.sampler, rngs[i], X[j].shape, self.sparsity[i])
            return
        for j, i in enumerate(range(part.start, part.stop)):
            _uniform(rngs[i], X[j])
        X /= self.keep[part]  # u / p < 1 exactly when u < p
        np.less(X, 1.0, out=mask)
        X *= mask

    def _loss_and_gradients(self, X, part, work):
        """Loss and gradient of the instances `part` on their batch X (eqs. 7.2-7.5)."""
        m, k = len(X), self.n_hidden
        z, grad_z, x_linear = work.z[:m], work.grad_z[:m], work.x_linear[:m]
        residual, delta, mask = work.residual[:m], work.delta[:m], work.mask[:m]
        theta, theta_T = self.theta[part], self.theta_T[part]
        np.matmul(X, theta_T[:, :, :k], out=z[:, :, :k])  # z = W x
        np.matmul(z, theta, out=x_linear)  # W^T z + b: z's 1s
        if self.activation == "relu":
            np.maximum(x_linear, work.zeros[:m], out=residual)
        else:
            np.copyto(residual, x_linear)
        residual -= X  # x_hat - x
        np.multiply(residual, self.loss_weight[part], out=delta)  # eq. 5.1
        loss = self.loss[part]
        np.einsum("ij,ij->i", delta.reshape(m, -1), residual.reshape(m, -1), out=loss)
        loss *= 0.5  # eq. 7.2
        if self.activation == "relu":
            np.greater(x_linear, 0.0, out=mask)
            delta *= mask  # eq. 5.2
        np.matmul(delta, theta_T, out=grad_z)  # dL/dz = W delta
        grad_z[:, :, k] = 0.0  # the 1s: no gradient
        grad_theta, encoder_term = self.grad_theta[part], self._encoder_term[part]
        np.matmul(z.transpose(0, 2, 1), delta, out=grad_theta)  # z delta^T, and b
        np.matmul(grad_z.transpose(0, 2, 1), X, out=encoder_term)
        grad_theta += encoder_term  # eq. 7.5

    def _run(self, job):
        """Run job(part, work) on every chunk: worker t takes chunks t, t + T, ..."""
        n_workers = len(self._work)

        def worker(t):
            for part in self.chunks[t::n_workers]:
                job(part, self._work[t])

        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            others = [self._pool.submit(worker, t) for t in range(1, n_workers)]
            worker(0)
            for other in others:
                other.result()

    def sample_batch(self, rngs):
        """Draw the batch X (I, B, n) in place, instance i from rngs[i]; return it."""
        rngs = check_generators(rngs, len(self.theta))
        if self.X is None:
            self.X = np.zeros(
                self.theta.shape[:1] + (self.batch_size,) + self.theta.shape[2:],
                self.theta.dtype,
            )

        def job(part, work):
            X = self.X[part]
            self._sample(rngs, part, X, work.mask[: len(X)])

        self._run(job)
        return self.X

    def loss_and_gradients(self, X=None):
        """Loss (I,) and gradient (I, k + 1, n) on X (default: the last batch), 7.5."""
        if X is None and self.X is None:
            raise ValueError("X: no batch drawn yet (call sample_batch, or pass X)")
        shape = self.theta.shape[:1] + (self.batch_size,) + self.theta.shape[2:]
        X = self.X if X is None else check_array(X, "X", shape=shape)
        if X.dtype != self.theta.dtype:
            raise ValueError(f"X must have dtype {self.theta.dtype}, got {X.dtype}")
        np.copyto(self.theta_T, self.theta.transpose(0, 2, 1))  # contiguous: faster
        self._run(lambda part, w: self._loss_and_gradients(X[part], part, w))
        return self._checked_loss()

    def sample_loss_and_gradients(self, rngs):
        """`sample_batch` then `loss_and_gradients`, chunk by chunk: the same numbers.

        Each chunk's batch is drawn into its worker's array, so `X` does not keep the
        batch (use the two methods apart to see it).
        """
        rngs = check_generators(rngs, len(self.theta))
        np.copyto(self.theta_T, self.theta.transpose(0, 2, 1))

        def job(part, work):
            X = work.X[: part.stop - part.start]
            self._sample(rngs, part, X, work.mask[: len(X)])
            self._loss_and_gradients(X, part, work)

        self._run(job)  # the trainer checks the loss (a non-finite one: divergence)
        return self.loss, self.grad_theta

    def _checked_loss(self):
        if not (np.isfinite(self.loss).all() and np.isfinite(self.grad_theta).all()):
            raise ValueError("the loss overflows: params or importance is too large")
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


def _checked_sampler(sampler):
    if sampler is not None and not callable(sampler):
        raise TypeError(
            f"sampler must be a function (rng, n_samples, sparsity): {sampler!r:.30}"
        )
    return sampler


def _sampled(sampler, rng, shape, sparsity):
    """One instance's batch from a user's sampler, checked: shape and finite values."""
    X = np.asarray(sampler(rng, shape[0], sparsity))
    if X.shape != shape or X.dtype.kind not in "fiu" or not np.all(np.isfinite(X)):
        raise ValueError(
            f"sampler must return finite numbers of shape {shape}, got "
            f"{X.dtype} of shape {X.shape}"
        )
    return X


def _instances_per_chunk(W, batch, chunk_bytes):
    """How many instances' work arrays fit in about `chunk_bytes` (at least one)."""
    (n_instances, n_hidden, n_features), itemsize = W.shape, W.dtype.itemsize
    # Per instance: four float (B, n) arrays and a bool one, two float (B, k + 1).
    per_instance = batch * (
        n_features * (4 * itemsize + 1) + 2 * (n_hidden + 1) * itemsize
    )
    return int(min(n_instances, max(1, chunk_bytes // per_instance)))


def _spelled_out(rows, shape, dtype, name):
    """(I, n) rows in `dtype` (none overflowing or lost to 0), spelled out: `shape`,
    or (I, 1, 1) if each row is one number repeated."""
    with np.errstate(over="ignore", under="ignore"):
        cast = rows.astype(dtype)
    if not np.all(np.isfinite(cast)) or np.any((cast == 0) & (rows != 0)):
        raise ValueError(f"{name} overflows {np.dtype(dtype)} or rounds to 0 in it")
    if np.all(cast == cast[:, :1]):
        return np.ascontiguousarray(cast[:, :1, None])
    return np.ascontiguousarray(np.broadcast_to(cast[:, None, :], shape))


def _uniform(rng, out):
    """rng.random(out=out, dtype=out.dtype), bit for bit. For float32 from PCG64 (the
    generators of instance_generators) it reads the raw 64-bit words itself: NumPy
    makes two float32 numbers of each, from its low then its high 32 bits, keeping the
    top 24 bits of each (times 2^-24). Two passes over the words instead of a call per
    number: 1.5x faster."""
    bits = rng.bit_generator
    if (
        out.dtype != np.float32
        or type(bits) is not np.random.PCG64
        or sys.byteorder != "little"  # the low 32 bits first in memory
        or out.size % 2
        or not out.flags.c_contiguous
        or bits.state["has_uint32"]  # half a word left over from an earlier draw
    ):
        rng.random(out=out, dtype=out.dtype)
        return
    words = bits.random_raw(out.size // 2).view(np.uint32)
    words >>= 8
    np.copyto(out, words.view(np.int32).reshape(out.shape), casting="unsafe")
    out *= np.float32(2.0**-24)


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
    W_logged: np.ndarray | None = None  # (n_w, I, k, n), before those steps' updates
    b_logged: np.ndarray | None = None  # (n_w, I, n)
    steps_weights_logged: np.ndarray | None = None  # (n_w,): 0 is the initialisation


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


THREADS_VARIABLE = "SUPERPOSITION_THREADS"


def _initial_params(n_features, n_hidden, rngs, init, dtype):
    """Instance i's initial W and b from the start of its own stream rngs[i]."""
    inits = [
        init_params(n_features, n_hidden, rng, init=init, dtype=dtype) for rng in rngs
    ]
    return {key: np.stack([p[key] for p in inits]) for key in ("W", "b")}


def _threads(threads):
    """A positive int; None: the environment's SUPERPOSITION_THREADS, else one thread
    per core (`make test` runs two chapters at once, so it sets 1)."""
    if threads is None:
        threads = int(os.environ.get(THREADS_VARIABLE) or os.cpu_count() or 1)
    return check_positive_int(threads, "threads")


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
    first_instance=0,
    activation="relu",
    init="xavier",
    weight_decay=0.0,
    dtype=np.float64,
    sampler=None,
    threads=None,
    log_every=10,
    log_weights_every=None,
    progress=None,
):
    """Train `n_instances` independent toy models at once with Adam (eqs. 7.1-7.3).

    sparsity: scalar, (I,) or (I, n); importance: None (0.7**i), (n,) or (I, n).
    Instance i draws its init, then one (batch_size, n) batch per step, from its own
    stream, instance_generators(seed, I, first_instance)[i]: the same seed gives the
    same numbers whatever the number of instances, threads or chunks. sampler(rng,
    batch_size, sparsity_row) replaces the chapter-1 data. A non-finite loss, or an
    update Adam refuses, raises TrainingDiverged (a FloatingPointError, a ValueError).
    progress: True, False, or None to follow SUPERPOSITION_PROGRESS.
    """
    sizes = {"n_features": n_features, "n_hidden": n_hidden, "n_instances": n_instances}
    n, k, n_instances = (check_positive_int(v, name) for name, v in sizes.items())
    dtype = np.dtype(check_float_dtype(dtype))
    sparsity = _sparsity_per_instance(sparsity, n_instances, n)
    importance = _importance_per_instance(importance, n_instances, n)
    Adam(lr=lr, weight_decay=weight_decay)  # refuses a bad lr before any work
    rngs = instance_generators(seed, n_instances, first_instance)
    work = TrainingWorkspace(
        _initial_params(n, k, rngs, init, dtype),
        importance,
        1.0 - sparsity,
        batch_size,
        activation,
        sampler=sampler,
        threads=_threads(threads),
    )
    try:
        loop = train_loop(
            lambda _, streams: _as_loop_step(work.sample_loss_and_gradients(streams)),
            {"theta": work.theta},
            rngs,
            steps=steps,
            lr=lr,
            weight_decay=weight_decay,
            log_every=log_every,
            log_weights_every=log_weights_every,
            progress=progress,
        )
    except TrainingDiverged as err:  # the loss scales with importance too
        raise TrainingDiverged(f"{err}, or a smaller importance") from err.__cause__
    return _result(work, loop, importance, sparsity)


def _as_loop_step(loss_and_grad_theta):
    """The workspace's (loss, grad_theta) as train_loop wants it: a dict of grads."""
    loss, grad_theta = loss_and_grad_theta
    return loss, {"theta": grad_theta}


def _result(work, loop, importance, sparsity):
    """The TrainResult: final W and b (contiguous), losses, and any logged weights."""
    params = {key: np.ascontiguousarray(value) for key, value in work.params.items()}
    W_logged = b_logged = None
    if loop.weights is not None:
        theta, k = loop.weights["theta"], work.n_hidden
        W_logged, b_logged = theta[:, :, :k], theta[:, :, k]
    return TrainResult(
        params["W"],
        params["b"],
        loop.losses,
        loop.steps_logged,
        params,
        importance,
        sparsity,
        W_logged,
        b_logged,
        loop.steps_weights_logged,
    )

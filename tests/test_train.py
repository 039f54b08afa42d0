"""superposition_lib.train: the many-instance trainer, its workspace and its errors."""

import numpy as np
import pytest

from superposition_lib.backprop import loss_gradients, relative_error
from superposition_lib.conventions import instance_generators
from superposition_lib.data import feature_importance, generate_sparse_data
from superposition_lib.loss import weighted_loss
from superposition_lib.model import forward, init_params
from superposition_lib.optim import Adam
from superposition_lib.progress import PROGRESS_VARIABLE
from superposition_lib.train import TrainingWorkspace, train_toy_model


def small(**kwargs):
    args = dict(steps=60, batch_size=64, log_every=10)
    args.update(kwargs)
    return args


def test_result_shapes_and_logging():
    result = train_toy_model(7, 3, [0.5, 0.9], **small(n_instances=2, steps=55))
    assert result.W.shape == (2, 3, 7) and result.b.shape == (2, 7)
    assert result.params["W"] is result.W and result.params["b"] is result.b
    assert list(result.steps_logged) == [0, 10, 20, 30, 40, 50, 54]
    assert result.losses.shape == (7, 2) and np.all(np.isfinite(result.losses))
    assert result.sparsity.shape == result.importance.shape == (2, 7)
    assert np.allclose(result.importance[1], feature_importance(7))


def test_same_seed_same_result_other_seed_other_result():
    a = train_toy_model(6, 2, 0.8, **small(seed=11))
    b = train_toy_model(6, 2, 0.8, **small(seed=11))
    c = train_toy_model(6, 2, 0.8, **small(seed=12))
    assert np.array_equal(a.W, b.W) and np.array_equal(a.losses, b.losses)
    assert not np.array_equal(a.W, c.W)
    rng_seeded = train_toy_model(6, 2, 0.8, **small(seed=np.random.default_rng(11)))
    assert np.array_equal(rng_seeded.W, a.W)


def test_training_lowers_the_loss():
    result = train_toy_model(10, 3, 0.9, steps=600, batch_size=256, lr=3e-3)
    assert result.losses[-5:].mean() < 0.5 * result.losses[:3].mean()


@pytest.mark.parametrize("sparsity", [0.7, [0.1, 0.9, 0.99], np.full((3, 5), 0.6)])
def test_sparsity_forms(sparsity):
    result = train_toy_model(5, 2, sparsity, **small(n_instances=3))
    assert result.sparsity.shape == (3, 5)
    assert np.allclose(
        result.sparsity,
        np.broadcast_to(
            np.asarray(sparsity).reshape(-1, 1) if np.ndim(sparsity) == 1 else sparsity,
            (3, 5),
        ),
    )


def replay(n_features, n_hidden, sparsity, seed, steps, batch, first_instance=0):
    """The documented stream, by hand: instance i's init, then a batch per step, all
    from instance_generators(seed, I)[i]; chapter 5's gradients and chapter 6's Adam."""
    sparsity = np.asarray(sparsity, float)
    rngs = instance_generators(seed, len(sparsity), first_instance)
    inits = [init_params(n_features, n_hidden, r, init="xavier") for r in rngs]
    params = {key: np.stack([p[key] for p in inits]) for key in "Wb"}
    opt, imp = Adam(), feature_importance(n_features)
    for _ in range(steps):
        X = np.stack(
            [
                generate_sparse_data(batch, n_features, s, r)
                for s, r in zip(sparsity, rngs)
            ]
        )
        opt.step(params, loss_gradients(params, X, imp))
    return params


def test_trainer_follows_the_documented_random_stream():
    sparsity = np.array([0.3, 0.95])
    result = train_toy_model(6, 2, sparsity, **small(n_instances=2, steps=40))
    params = replay(6, 2, sparsity, 0, 40, 64)
    assert relative_error(params["W"], result.W) < 1e-12
    assert relative_error(params["b"], result.b) < 1e-12


def test_instance_alone_equals_instance_in_the_sweep_bitwise():
    sparsity = np.array([0.5, 0.9, 0.99])
    batched = train_toy_model(8, 3, sparsity, **small(n_instances=3, steps=80, seed=4))
    alone = train_toy_model(8, 3, 0.99, **small(steps=80, seed=4, first_instance=2))
    assert np.array_equal(alone.W[0], batched.W[2])
    assert np.array_equal(alone.losses[:, 0], batched.losses[:, 2])


@pytest.mark.parametrize(
    "threads, chunk_bytes", [(1, 1), (2, 1), (3, 2**16), (2, 2**40)]
)
def test_threads_and_chunks_change_nothing(threads, chunk_bytes):
    sparsity = np.array([0.0, 0.5, 0.9, 0.99, 0.999])
    params = init_params(9, 3, 0, init="xavier", n_instances=5, dtype=np.float32)
    args = (params, np.ones((5, 9)), np.repeat(1 - sparsity[:, None], 9, 1), 64)
    reference = TrainingWorkspace(*args, threads=1, chunk_bytes=2**40)
    other = TrainingWorkspace(*args, threads=threads, chunk_bytes=chunk_bytes)
    assert len(reference.chunks) == 1
    for step in range(3):
        loss, grad = reference.sample_loss_and_gradients(instance_generators(step, 5))
        loss2, grad2 = other.sample_loss_and_gradients(instance_generators(step, 5))
        assert np.array_equal(loss, loss2) and np.array_equal(grad, grad2)
    one = train_toy_model(9, 3, sparsity, threads=1, **small(n_instances=5, steps=20))
    two = train_toy_model(9, 3, sparsity, threads=2, **small(n_instances=5, steps=20))
    assert np.array_equal(one.W, two.W) and np.array_equal(one.losses, two.losses)


def test_default_threads_follow_the_environment(monkeypatch):
    from superposition_lib.train import THREADS_VARIABLE, _threads

    monkeypatch.setenv(THREADS_VARIABLE, "1")
    assert _threads(None) == 1 and _threads(3) == 3
    monkeypatch.delenv(THREADS_VARIABLE)
    assert _threads(None) >= 1
    monkeypatch.setenv(THREADS_VARIABLE, "0")
    with pytest.raises(ValueError, match="threads"):
        _threads(None)


def test_sampler_replaces_the_data_and_is_checked():
    def ones_in_first_feature(rng, n_samples, sparsity):
        X = np.zeros((n_samples, len(sparsity)))
        X[:, 0] = rng.random(n_samples)
        return X

    result = train_toy_model(
        4, 2, 0.5, **small(sampler=ones_in_first_feature, steps=300), lr=1e-2
    )
    norms = np.linalg.norm(result.W[0], axis=0)
    assert norms[0] > 0.8 and np.all(norms[1:] < norms[0])
    with pytest.raises(ValueError, match=r"sampler must return .*shape \(64, 4\)"):
        train_toy_model(4, 2, 0.5, **small(sampler=lambda r, n, s: np.zeros((n, 3))))
    with pytest.raises(ValueError, match="sampler must return finite"):
        train_toy_model(
            4, 2, 0.5, **small(sampler=lambda r, n, s: np.full((n, 4), np.nan))
        )
    with pytest.raises(TypeError, match="sampler must be a function"):
        train_toy_model(4, 2, 0.5, **small(sampler="uniform"))


def test_weights_are_logged_before_the_steps_updates():
    result = train_toy_model(
        6, 2, [0.5, 0.9], **small(n_instances=2, steps=50, log_weights_every=20)
    )
    assert list(result.steps_weights_logged) == [0, 20, 40, 49]
    assert result.W_logged.shape == (4, 2, 2, 6) and result.b_logged.shape == (4, 2, 6)
    start = replay(6, 2, [0.5, 0.9], 0, 0, 64)
    assert np.array_equal(result.W_logged[0], start["W"])
    after_20 = replay(6, 2, [0.5, 0.9], 0, 20, 64)
    assert relative_error(result.W_logged[1], after_20["W"]) < 1e-12
    assert not np.array_equal(result.W_logged[-1], result.W)  # the last update follows
    assert train_toy_model(6, 2, 0.5, **small()).W_logged is None


@pytest.mark.parametrize("activation", ["relu", "linear"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_workspace_matches_chapter_functions(activation, dtype):
    rng = np.random.default_rng(3)
    params = init_params(9, 4, rng, init="xavier", n_instances=2, dtype=dtype)
    params["b"] += rng.normal(0, 0.1, params["b"].shape).astype(dtype)
    importance = rng.uniform(0.1, 1, (2, 9))
    sparsity = np.array([[0.5] * 9, [0.95] * 9])
    work = TrainingWorkspace(params, importance, 1.0 - sparsity, 128, activation)
    X = work.sample_batch(instance_generators(9, 2))
    assert X.dtype == dtype
    expected = [
        generate_sparse_data(128, 9, s, rng, dtype=dtype)
        for s, rng in zip(sparsity, instance_generators(9, 2))
    ]
    assert np.array_equal(X, np.stack(expected))
    loss, _ = work.loss_and_gradients()
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert (
        relative_error(work.grads, loss_gradients(params, X, importance, activation))
        < tol
    )
    expected = weighted_loss(X, forward(params, X, activation)[2], importance)
    assert relative_error(loss, expected) < tol


def generators(kind, seed):
    """Two generators in the same state: fresh PCG64, PCG64 holding half a 64-bit word
    (after an odd number of float32 draws), or another bit generator (SFC64)."""
    pair = []
    for _ in range(2):
        if kind == "sfc64":
            rng = np.random.Generator(np.random.SFC64(seed))
        else:
            rng = np.random.default_rng(seed)
        if kind == "half word":
            rng.random(3, dtype=np.float32)
        pair.append(rng)
    return pair


@pytest.mark.parametrize("kind", ["pcg64", "half word", "sfc64"])
@pytest.mark.parametrize("batch", [64, 33])  # 33 x 9: an odd count of numbers
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_batch_is_generate_sparse_data_whatever_the_generator(kind, batch, dtype):
    # float32 from PCG64 is read from the raw words, two numbers a word; anything else
    # is drawn by Generator.random: the numbers are NumPy's either way, bit for bit
    params = init_params(9, 3, 0, init="xavier", n_instances=2, dtype=dtype)
    sparsity = np.array([[0.5] * 9, np.linspace(0.0, 0.99, 9)])
    work = TrainingWorkspace(params, np.ones((2, 9)), 1 - sparsity, batch)
    ours, theirs = zip(*(generators(kind, seed) for seed in (1, 2)))
    X = work.sample_batch(list(ours))
    expected = [
        generate_sparse_data(batch, 9, s, rng, dtype=dtype)
        for s, rng in zip(sparsity, theirs)
    ]
    assert np.array_equal(X, np.stack(expected))
    for a, b in zip(ours, theirs):  # and the streams go on in step
        assert np.array_equal(a.random(5, dtype=dtype), b.random(5, dtype=dtype))


def test_float32_training():
    result = train_toy_model(6, 2, 0.8, **small(dtype=np.float32))
    assert result.W.dtype == np.float32 and np.all(np.isfinite(result.W))


def test_divergence_names_instance_and_step():
    importance = np.stack([feature_importance(5), np.full(5, 1e300)])
    # The loss of instance 1 is still finite; the square of its gradient is not.
    with pytest.raises(FloatingPointError, match=r"step 0: instance 1 .*too large"):
        train_toy_model(5, 2, 0.5, importance, **small(n_instances=2))
    with pytest.raises(FloatingPointError, match=r"step 1: instance 0 .*1 of 1.*lr"):
        train_toy_model(5, 2, 0.5, **small(lr=1e200))


def test_divergence_is_also_a_value_error_naming_lr():
    """A run that blows up raises FloatingPointError, which is also a ValueError (the
    lr was too large), even when only the last update overflows: no inf returned."""
    for steps in (1, 3):
        with pytest.raises(ValueError, match="lr") as refused:
            train_toy_model(5, 2, 0.5, **small(lr=1e308, steps=steps))
        assert isinstance(refused.value, FloatingPointError)


def test_the_last_update_is_checked_whatever_the_optimiser(monkeypatch):
    """No loss follows the last update: the trainer checks the parameters itself, so
    an optimiser that writes inf without a word cannot make it return inf weights."""
    import superposition_lib.optim as optim

    class Silent(Adam):
        def step(self, params, grads, check=True):
            for theta in params.values():
                theta[...] = np.inf
            return params

    monkeypatch.setattr(optim, "Adam", Silent)
    with pytest.raises(FloatingPointError, match=r"step 0: instance 0 has \|params\|"):
        train_toy_model(5, 2, 0.5, **small(steps=1))


@pytest.mark.parametrize(
    "change, error, word",
    [
        (dict(params=None), TypeError, "params"),
        (dict(params={"W": np.zeros((1, 2, 3))}), TypeError, "params"),
        (
            dict(params={"W": np.zeros((1, 0, 3)), "b": np.zeros((1, 3))}),
            ValueError,
            "params",
        ),
        (dict(importance=-np.ones((1, 3))), ValueError, "importance"),
        (
            dict(importance=np.full((1, 3), 1e300), dtype=np.float32),
            ValueError,
            "importance",
        ),
        (
            dict(keep_probability=np.full((1, 3), 1e-300), dtype=np.float32),
            ValueError,
            "keep_probability",
        ),
        (dict(keep_probability=np.zeros((1, 3))), ValueError, "keep_probability"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(chunk_bytes=0), ValueError, "chunk_bytes"),
        (dict(chunk_bytes=None), TypeError, "chunk_bytes"),
        (dict(activation="tanh"), ValueError, "activation"),
    ],
)
def test_workspace_refuses_bad_input_by_name(change, error, word):
    dtype = change.pop("dtype", np.float64)
    args = dict(
        params=init_params(3, 2, 0, n_instances=1, dtype=dtype),
        importance=np.ones((1, 3)),
        keep_probability=np.full((1, 3), 0.5),
        batch_size=4,
    )
    args.update(change)
    with pytest.raises(error, match=word):
        TrainingWorkspace(**args)


def test_workspace_refuses_a_batch_it_cannot_use():
    work = TrainingWorkspace(
        init_params(3, 2, 0, n_instances=1), np.ones((1, 3)), 0.5 * np.ones((1, 3)), 4
    )
    for X in (
        np.full((1, 4, 3), np.nan),
        np.zeros((1, 5, 3)),
        np.zeros((1, 4, 3), np.float32),
    ):
        with pytest.raises(ValueError, match="X"):
            work.loss_and_gradients(X)


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        (dict(n_features=0), ValueError, "n_features"),
        (dict(n_hidden=0), ValueError, "n_hidden"),
        (dict(n_hidden=1.5), TypeError, "n_hidden"),
        (dict(steps=0), ValueError, "steps"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(lr=-1.0), ValueError, "lr"),
        (dict(n_instances=0), ValueError, "n_instances"),
        (dict(log_every=0), ValueError, "log_every"),
        (dict(sparsity=1.0), ValueError, "sparsity"),
        (dict(sparsity=-0.1), ValueError, "sparsity"),
        (dict(sparsity=[0.5, 0.9, 0.99]), ValueError, "sparsity"),
        (dict(sparsity=[0.5, 1.0], n_instances=2), ValueError, "sparsity"),
        (dict(sparsity=np.zeros((2, 4)), n_instances=2), ValueError, "sparsity"),
        (dict(sparsity=np.nan), ValueError, "sparsity"),
        (dict(importance=np.ones(4)), ValueError, "importance"),
        (dict(importance=-np.ones(5)), ValueError, "importance"),
        (dict(activation="tanh"), ValueError, "activation"),
        (dict(init="uniform"), ValueError, "init"),
        (dict(dtype=np.int64), ValueError, "dtype"),
        (dict(weight_decay=-1.0), ValueError, "weight_decay"),
        (dict(seed="zero"), TypeError, "seed"),
        (dict(progress="yes"), TypeError, "progress"),
        (dict(progress=1), TypeError, "progress"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs, error, word):
    args = dict(n_features=5, n_hidden=2, sparsity=0.9, steps=5, batch_size=8)
    args.update(kwargs)
    with pytest.raises(error, match=word):
        train_toy_model(**args)


def test_weight_decay_shrinks_weights():
    plain = train_toy_model(6, 2, 0.9, **small(steps=200))
    decayed = train_toy_model(6, 2, 0.9, **small(steps=200, weight_decay=50.0))
    assert np.linalg.norm(decayed.W) < np.linalg.norm(plain.W)


@pytest.fixture(autouse=True)
def silent_progress(monkeypatch):
    """The test suite sets the switch as the Makefile does: no progress lines."""
    monkeypatch.setenv(PROGRESS_VARIABLE, "0")


def test_progress_follows_the_switch_and_the_argument(capsys, monkeypatch):
    train_toy_model(5, 2, 0.9, **small())
    assert capsys.readouterr().err == "", "SUPERPOSITION_PROGRESS=0 must silence it"
    monkeypatch.setenv(PROGRESS_VARIABLE, "1")
    train_toy_model(5, 2, 0.9, **small(progress=False))
    assert capsys.readouterr().err == "", "progress=False must override the switch"


def test_progress_true_shows_and_erases_the_line(capsys):
    train_toy_model(5, 2, 0.9, **small(progress=True))
    err = capsys.readouterr().err
    assert "training: step 1/60, mean loss" in err, "the first update must show"
    assert err.endswith("\r") and err.split("\r")[-2].strip() == "", "not erased"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_chunked_workspace_gives_the_same_numbers(dtype):
    """Instances in chunks (work arrays reused) or all at once: the same result."""
    rng = np.random.default_rng(5)
    params = init_params(7, 3, rng, init="xavier", n_instances=5, dtype=dtype)
    sparsity = np.linspace(0.1, 0.95, 5)[:, None] * np.ones((5, 7))
    importance = rng.uniform(0.1, 1, (5, 7))
    whole = TrainingWorkspace(params, importance, 1 - sparsity, 32, chunk_bytes=2**30)
    pieces = TrainingWorkspace(params, importance, 1 - sparsity, 32, chunk_bytes=1)
    assert len(whole.chunks) == 1 and len(pieces.chunks) == 5
    X = pieces.sample_batch(instance_generators(8, 5))
    expected = [
        generate_sparse_data(32, 7, s, rng, dtype=dtype)
        for s, rng in zip(sparsity, instance_generators(8, 5))
    ]
    assert np.array_equal(X, np.stack(expected))
    loss_whole, grad_whole = (a.copy() for a in whole.loss_and_gradients(X.copy()))
    loss_pieces, grad_pieces = pieces.sample_loss_and_gradients(
        instance_generators(8, 5)
    )
    assert np.allclose(loss_pieces, loss_whole, rtol=1e-6, atol=0)
    assert np.allclose(grad_pieces, grad_whole, rtol=1e-6, atol=1e-12)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    expected = loss_gradients(params, X, importance)
    assert relative_error(pieces.grads, expected) < tol

"""superposition_lib.optim: Adam against its equations, AdamW, SGD, reset, bad input."""

import numpy as np
import pytest

from superposition_lib.optim import SGD, Adam


def adam_reference(theta, gradients, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    """Eqs. 6.1-6.4 written out literally (the original document's form)."""
    theta = np.array(theta, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(gradients, start=1):
        theta = theta * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return theta


@pytest.mark.parametrize("wd", [0.0, 0.01, 0.5])
def test_adam_matches_its_equations(wd):
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=(3, 4))
    gradients = [rng.normal(size=(3, 4)) for _ in range(25)]
    params = {"w": theta0.copy()}
    opt = Adam(lr=1e-2, weight_decay=wd)
    for g in gradients:
        opt.step(params, {"w": g})
    assert opt.t == 25
    assert np.allclose(
        params["w"],
        adam_reference(theta0, gradients, lr=1e-2, wd=wd),
        rtol=1e-12,
        atol=1e-14,
    )


def test_first_step_moves_by_lr_times_sign():
    params = {"w": np.zeros(4)}
    Adam(lr=0.1).step(params, {"w": np.array([5.0, -1e-3, 0.0, 2.0])})
    assert np.allclose(params["w"], [-0.1, 0.1, 0.0, -0.1], rtol=1e-4)


def test_update_is_in_place_and_keys_are_independent():
    w, b = np.ones(3), np.zeros(2)
    params = {"W": w, "b": b}
    out = Adam().step(params, {"W": np.ones(3), "b": np.ones(2)})
    assert out is params and params["W"] is w and params["b"] is b
    assert np.all(w < 1) and np.all(b < 0)


def test_float32_stays_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    Adam().step(params, {"w": np.ones(3, dtype=np.float32)})
    assert params["w"].dtype == np.float32


def test_adamw_decay_with_zero_gradient():
    params = {"w": np.array([2.0, -1.0])}
    opt = Adam(lr=0.1, weight_decay=0.5)
    for _ in range(3):
        opt.step(params, {"w": np.zeros(2)})
    assert np.allclose(params["w"], np.array([2.0, -1.0]) * 0.95**3, rtol=1e-14)


def test_adam_is_blind_to_gradient_scale():
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=5) for _ in range(10)]
    a, b = {"w": np.zeros(5)}, {"w": np.zeros(5)}
    opt_a, opt_b = Adam(), Adam()
    for g in grads:
        opt_a.step(a, {"w": g})
        opt_b.step(b, {"w": 1000 * g})
    assert np.allclose(a["w"], b["w"], rtol=1e-6)


def test_reset_zeros_selected_rows_along_an_axis():
    params = {"enc": np.ones((4, 3)), "dec": np.ones((3, 4))}
    opt = Adam()
    opt.step(params, {"enc": np.ones((4, 3)), "dec": np.ones((3, 4))})
    opt.reset("enc", [1, 3])
    opt.reset("dec", [1, 3], axis=1)
    assert np.all(opt.m["enc"][[1, 3]] == 0) and np.all(opt.v["enc"][[1, 3]] == 0)
    assert np.all(opt.m["enc"][[0, 2]] != 0)
    assert np.all(opt.m["dec"][:, [1, 3]] == 0) and np.all(opt.m["dec"][:, [0, 2]] != 0)
    opt.reset("dec")
    assert np.all(opt.m["dec"] == 0) and np.all(opt.v["dec"] == 0)
    with pytest.raises(KeyError, match="nothing"):
        opt.reset("nothing")


def test_sgd_step():
    params = {"w": np.array([1.0, 2.0])}
    SGD(lr=0.5).step(params, {"w": np.array([2.0, -2.0])})
    assert np.array_equal(params["w"], [0.0, 3.0])


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(lr=0), "lr"),
        (dict(lr=-1e-3), "lr"),
        (dict(beta1=1.0), "beta1"),
        (dict(beta2=1.5), "beta2"),
        (dict(eps=0.0), "eps"),
        (dict(weight_decay=-0.1), "weight_decay"),
    ],
)
def test_bad_hyperparameters(kwargs, word):
    with pytest.raises(ValueError, match=word):
        Adam(**kwargs)


def test_bad_hyperparameter_types_and_steps():
    with pytest.raises(TypeError, match="lr"):
        Adam(lr="0.1")
    with pytest.raises(ValueError, match="lr"):
        SGD(lr=0.0)
    opt = Adam()
    with pytest.raises(ValueError, match="keys"):
        opt.step({"w": np.ones(2)}, {"v": np.ones(2)})
    with pytest.raises(ValueError, match="grads"):
        opt.step({"w": np.ones(2)}, {"w": np.ones(3)})
    with pytest.raises(TypeError, match="params"):
        opt.step({"w": [1.0, 2.0]}, {"w": np.ones(2)})
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="changed shape"):
        opt.step({"w": np.ones(3)}, {"w": np.ones(3)})


OPTIMISERS = [lambda: SGD(lr=0.1), lambda: Adam(lr=0.1)]


@pytest.mark.parametrize("make", OPTIMISERS, ids=["SGD", "Adam"])
@pytest.mark.parametrize("where", ["params", "grads"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_a_non_finite_input_is_refused_and_nothing_is_written(make, where, value):
    params, grads = {"w": np.ones(3)}, {"w": np.ones(3)}
    {"params": params, "grads": grads}[where]["w"][1] = value
    before = params["w"].copy()
    optimizer = make()
    with pytest.raises(ValueError, match=where):
        optimizer.step(params, grads)
    assert np.array_equal(params["w"], before, equal_nan=True)
    assert getattr(optimizer, "t", 0) == 0 and not getattr(optimizer, "m", {})


@pytest.mark.parametrize("make", OPTIMISERS, ids=["SGD", "Adam"])
def test_read_only_params_and_an_empty_dict_are_refused(make):
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match=r"params\['w'\] is read-only"):
        make().step({"w": frozen}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="params"):
        make().step({}, {})


@pytest.mark.parametrize("make", [lambda: SGD(lr=1e308), lambda: Adam(lr=1e308)])
def test_an_update_that_overflows_raises_and_leaves_the_state_alone(make):
    """As a diverged loss does: a FloatingPointError naming the step's lr."""
    optimizer = make()
    params = {"w": np.array([-1e308, 1.0])}
    with pytest.raises(FloatingPointError, match="lr"), np.errstate(all="raise"):
        optimizer.step(params, {"w": np.array([1.0, 1.0])})
    assert params["w"][0] == -1e308 and getattr(optimizer, "t", 0) == 0


def test_adam_refuses_a_gradient_whose_square_overflows():
    optimizer, params = Adam(), {"w": np.ones(2)}
    with pytest.raises(ValueError, match=r"grads\['w'\] is too large"):
        optimizer.step(params, {"w": np.array([1e300, 1.0])})
    assert optimizer.t == 0 and not optimizer.m and np.all(params["w"] == 1)
    with np.errstate(all="raise"):  # a tiny one: its square is 0, as eps expects
        optimizer.step(params, {"w": np.array([1e-300, 0.0])})
    assert np.all(np.isfinite(params["w"]))


@pytest.mark.parametrize(
    "spell",
    [
        np.asfortranarray,
        lambda A: np.ascontiguousarray(A.T).T,
        lambda A: np.stack([A, A], axis=-1)[..., 0],  # a strided view
    ],
    ids=["Fortran-ordered", "transposed", "strided view"],
)
def test_any_writable_layout_is_updated_in_place(spell):
    rng = np.random.default_rng(0)
    base, g = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    want = {"w": base.copy()}
    Adam(lr=0.1).step(want, {"w": g})
    theta = spell(base)
    Adam(lr=0.1).step({"w": theta}, {"w": g})
    assert np.array_equal(theta, want["w"])


def test_reset_before_the_first_step_is_a_no_op():
    """Resampling may run before the optimiser has any moments (a fresh Adam)."""
    opt = Adam()
    opt.reset("W_dec", (slice(None), [0]))
    assert opt.t == 0 and not opt.m, "nothing to reset, nothing created"
    opt.step({"W": np.ones(2)}, {"W": np.ones(2)})
    with pytest.raises(KeyError, match="W_dec"):
        opt.reset("W_dec")

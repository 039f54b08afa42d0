"""superposition_lib.model: init, forward pass, bottleneck, instances, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from superposition_lib.data import generate_sparse_data
from superposition_lib.model import bottleneck, forward, init_params, xavier_std


def with_bias(params, seed=0):
    shape = params["b"].shape
    return {**params, "b": np.random.default_rng(seed).normal(0, 0.1, size=shape)}


# ---- init_params
def test_init_shapes_and_dtypes():
    p = init_params(7, 3, rng=0)
    assert p["W"].shape == (3, 7) and p["b"].shape == (7,)
    assert np.all(p["b"] == 0) and p["W"].dtype == np.float64
    q = init_params(7, 3, rng=0, n_instances=4, dtype=np.float32)
    assert q["W"].shape == (4, 3, 7) and q["b"].shape == (4, 7)
    assert q["W"].dtype == q["b"].dtype == np.float32


@pytest.mark.parametrize(
    "init, std", [("normal", 0.01), ("xavier", np.sqrt(2 / 900)), ("normal", 0.5)]
)
def test_init_std_within_five_standard_errors(init, std):
    scale = std if init == "normal" else 0.01
    W = init_params(600, 300, rng=1, init=init, scale=scale)["W"]
    assert abs(W.std(ddof=1) - std) < 5 * std / np.sqrt(2 * (W.size - 1))
    assert abs(W.mean()) < 5 * std / np.sqrt(W.size)


def test_xavier_std_formula():
    assert xavier_std(5, 2) == pytest.approx(np.sqrt(2 / 7))
    with pytest.raises(ValueError, match="n_hidden"):
        xavier_std(5, 0)


def test_instances_are_independent_draws():
    W = init_params(10, 4, rng=2, n_instances=3)["W"]
    assert not np.array_equal(W[0], W[1])


def test_init_seeding_and_float32_rounding():
    a = init_params(5, 2, rng=3, init="xavier")
    assert np.array_equal(a["W"], init_params(5, 2, rng=3, init="xavier")["W"])
    rng = np.random.default_rng(3)
    assert not np.array_equal(init_params(5, 2, rng)["W"], init_params(5, 2, rng)["W"])
    w32 = init_params(5, 2, rng=3, init="xavier", dtype=np.float32)["W"]
    assert np.array_equal(w32, a["W"].astype(np.float32))


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"n_features": 0}, ValueError, "n_features"),
        ({"n_hidden": 2.0}, TypeError, "n_hidden"),
        ({"rng": None}, TypeError, "rng"),
        ({"init": "he"}, ValueError, "init"),
        ({"init": None}, ValueError, "init"),
        ({"scale": 0.0}, ValueError, "scale"),
        ({"scale": -1.0}, ValueError, "scale"),
        ({"scale": np.inf}, ValueError, "scale"),
        ({"scale": [0.1, 0.2]}, ValueError, "scale"),
        ({"n_instances": 0}, ValueError, "n_instances"),
        ({"dtype": np.int32}, ValueError, "dtype"),
    ],
)
def test_init_rejects(kwargs, error, name):
    args = {"n_features": 5, "n_hidden": 2, "rng": 0, **kwargs}
    with pytest.raises(error, match=name):
        init_params(**args)


# ---- forward and bottleneck
def test_forward_matches_column_form_per_sample():
    p = with_bias(init_params(8, 3, rng=4, init="xavier"))
    X = generate_sparse_data(50, 8, 0.5, rng=5)
    z, lin, out = forward(p, X)
    for x, zr, outr in zip(X, z, out):
        zc = p["W"] @ x
        assert np.allclose(zc, zr, rtol=1e-12, atol=1e-14)
        column = np.maximum(p["W"].T @ zc + p["b"], 0)
        assert np.allclose(column, outr, rtol=1e-12, atol=1e-14)
    assert np.allclose(bottleneck(p["W"], X), z, rtol=1e-12, atol=0)


def test_single_sample_vector():
    p = with_bias(init_params(4, 2, rng=6, init="xavier"))
    x = np.array([0.5, 0.0, 0.2, 0.0])
    z, lin, out = forward(p, x)
    assert z.shape == (2,) and lin.shape == out.shape == (4,)
    assert np.allclose(out, forward(p, x[None, :])[2][0])


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 12),
    st.integers(1, 5),
    st.integers(1, 20),
    st.integers(0, 1000),
)
def test_instances_equal_loop_over_instances(I, n, k, N, seed):
    p = with_bias(init_params(n, k, rng=seed, init="xavier", n_instances=I), seed)
    X = generate_sparse_data(N, n, 0.5, rng=seed + 1, n_instances=I)
    z, lin, out = forward(p, X)
    assert z.shape == (I, N, k) and out.shape == (I, N, n)
    for i in range(I):
        one = {"W": p["W"][i], "b": p["b"][i]}
        zi, lini, outi = forward(one, X[i])
        assert np.allclose(zi, z[i], rtol=1e-12, atol=1e-14)
        assert np.allclose(outi, out[i], rtol=1e-12, atol=1e-14)
    shared = forward(p, X[0])[2]
    assert shared.shape == (I, N, n)
    assert np.allclose(shared[0], out[0], rtol=1e-12, atol=1e-14)
    assert bottleneck(p["W"], X).shape == (I, N, k)


@given(st.integers(0, 10_000))
def test_relu_and_linear_models_agree_where_positive(seed):
    p = with_bias(init_params(6, 2, rng=seed, init="xavier"), seed)
    X = generate_sparse_data(40, 6, 0.3, rng=seed)
    _, lin, out = forward(p, X)
    _, lin2, out_linear = forward(p, X, activation="linear")
    assert np.array_equal(lin, lin2) and np.array_equal(out_linear, lin)
    assert np.array_equal(out[lin > 0], lin[lin > 0]) and np.all(out[lin <= 0] == 0)


def test_float32_stays_float32():
    p = init_params(5, 2, rng=0, dtype=np.float32, init="xavier")
    X = generate_sparse_data(10, 5, 0.5, rng=0, dtype=np.float32)
    assert all(a.dtype == np.float32 for a in forward(p, X))


def test_inputs_not_modified():
    p = with_bias(init_params(5, 2, rng=0, init="xavier"))
    W, b = p["W"].copy(), p["b"].copy()
    X = generate_sparse_data(10, 5, 0.5, rng=0)
    X0 = X.copy()
    forward(p, X)
    assert np.array_equal(p["W"], W) and np.array_equal(p["b"], b)
    assert np.array_equal(X, X0)


GOOD = init_params(5, 2, rng=0)
GOOD_I = init_params(5, 2, rng=0, n_instances=3)
WNAME, BNAME = r"params\['W'\]", r"params\['b'\]"


@pytest.mark.parametrize(
    "params, X, kwargs, error, name",
    [
        ([1, 2], np.zeros((3, 5)), {}, TypeError, "params"),
        ({"W": GOOD["W"]}, np.zeros((3, 5)), {}, TypeError, "params"),
        ({"W": np.zeros(5), "b": np.zeros(5)}, np.zeros((3, 5)), {}, ValueError, WNAME),
        ({"W": GOOD["W"], "b": np.zeros(4)}, np.zeros((3, 5)), {}, ValueError, BNAME),
        ({"W": GOOD_I["W"], "b": np.zeros(5)}, np.zeros((3, 5)), {}, ValueError, BNAME),
        (
            {"W": GOOD["W"] * np.nan, "b": GOOD["b"]},
            np.zeros((3, 5)),
            {},
            ValueError,
            "W",
        ),
        (
            {"W": np.zeros((0, 5)), "b": np.zeros(5)},
            np.zeros((3, 5)),
            {},
            ValueError,
            "W",
        ),
        (GOOD, np.zeros((3, 4)), {}, ValueError, "X"),
        (GOOD, np.zeros((2, 3, 5)), {}, ValueError, "X"),
        (GOOD, [[np.inf] * 5], {}, ValueError, "X"),
        (GOOD, "data", {}, TypeError, "X"),
        (GOOD_I, np.zeros((2, 3, 5)), {}, ValueError, "instances"),
        (GOOD_I, np.zeros(5), {}, ValueError, "X"),
        (GOOD, np.zeros((3, 5)), {"activation": "gelu"}, ValueError, "activation"),
        (GOOD, np.zeros((3, 5)), {"activation": None}, ValueError, "activation"),
    ],
)
def test_forward_rejects(params, X, kwargs, error, name):
    with pytest.raises(error, match=name):
        forward(params, X, **kwargs)


@pytest.mark.parametrize(
    "W, X, error, name",
    [
        (np.zeros(5), np.zeros((3, 5)), ValueError, "W"),
        (np.zeros((2, 5)), np.zeros((3, 6)), ValueError, "X"),
        (np.zeros((4, 2, 5)), np.zeros((3, 3, 5)), ValueError, "instances"),
        ("W", np.zeros((3, 5)), TypeError, "W"),
        (np.zeros((2, 5)), [[np.nan] * 5], ValueError, "X"),
    ],
)
def test_bottleneck_rejects(W, X, error, name):
    with pytest.raises(error, match=name):
        bottleneck(W, X)


def test_scale_is_checked_even_where_xavier_does_not_use_it():
    for scale in (-1.0, np.nan, True):
        with pytest.raises((ValueError, TypeError), match="scale"):
            init_params(5, 2, 0, init="xavier", scale=scale)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_too_large_a_model_is_refused_by_name_and_a_tiny_one_computed(scale):
    """X W^T W of 1e600 is no float64: refused naming W (not "x must be finite" from
    inside relu); 1e-600 rounds to 0, as any float64 product would, and stays finite."""
    rng = np.random.default_rng(0)
    params = {"W": scale * rng.normal(size=(2, 5)), "b": rng.normal(size=5)}
    X = rng.uniform(size=(3, 5))
    with np.errstate(all="raise"):
        if scale > 1:
            with pytest.raises(ValueError, match=r"params\['W'\]") as refused:
                forward(params, X)
            assert "x must be finite" not in str(refused.value)
        else:
            z, x_linear, x_recon = forward(params, X)
            assert np.array_equal(x_linear, np.broadcast_to(params["b"], (3, 5)))
    with pytest.raises(ValueError, match="W"), np.errstate(all="raise"):
        bottleneck(np.full((2, 5), 1e300), np.full((3, 5), 1e10))


def test_a_batch_of_no_samples_maps_to_no_outputs():
    z, x_linear, x_recon = forward(GOOD, np.zeros((0, 5)))
    assert z.shape == (0, 2) and x_recon.shape == (0, 5)

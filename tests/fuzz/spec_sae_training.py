"""Fuzz specs: training and measuring SAEs (`superposition_lib.sae_training`, ch. 15).

The oracles: the code measures against their definitions; FVU, shrinkage and cosines
against their definitions and their scale laws (a joint scaling of Z and Z_hat leaves
FVU and shrinkage alone, a scaling of any column leaves a cosine alone), at 1e±300
too; resampling against what it promises (unit decoder columns for the dead latents,
the others untouched); train_sae's result against its documented shapes.
"""

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec, invoke
from fuzz.kinds import Array, Bad, Choice, Flag, Instance, Int, Mask, Real, Rng
from fuzz.spec_sae import IN_PLACE, Shared, random_sae

PLAIN = Spec(build=dict)
FLAG = Flag()
CODE = Shared()  # H: (N, m) or (I, N, m); no inputs or no latents is refused


def _code(rng):
    """A sparse code H with a latent that never fires and one that always does."""
    lead = [(), (2,)][int(rng.integers(2))]
    H = np.maximum(rng.normal(size=lead + (7, 5)), 0)
    H[..., 0] = 0.0
    H[..., 1] = rng.uniform(0.1, 2, size=lead + (7,))
    return H


def _density(kwargs):
    return np.mean(np.asarray(kwargs["H"]) > 0, axis=-2)


def _close(got, want):
    assert np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=1e-12)


def _pair(rng, shrink=1.0):
    """(Z, Z_hat): Z (N, d) with spread; Z_hat shared or per instance."""
    lead = [(), (2,)][int(rng.integers(2))]
    Z = rng.normal(size=(8, 3))
    return {"Z": Z, "Z_hat": shrink * Z + rng.normal(0, 0.3, size=lead + Z.shape)}


def _check_fvu(result, kwargs):
    Z, Z_hat = np.asarray(kwargs["Z"]), np.asarray(kwargs["Z_hat"])
    variance = np.sum((Z - Z.mean(axis=0)) ** 2)
    _close(result, np.sum((Z - Z_hat) ** 2, axis=(-2, -1)) / variance)
    for c in (1e300, 1e-300):  # a ratio: the same for c Z and c Z_hat
        again = invoke(
            "fraction_variance_unexplained", PLAIN, {"Z": c * Z, "Z_hat": c * Z_hat}
        )
        _close(again, result)


def _check_shrinkage(result, kwargs):
    Z, Z_hat = np.asarray(kwargs["Z"]), np.asarray(kwargs["Z_hat"])
    ratio = np.linalg.norm(Z_hat, axis=-1) / np.linalg.norm(Z, axis=-1)
    _close(result, ratio.mean(axis=-1))
    for c in (1e300, 1e-300):
        _close(invoke("shrinkage", PLAIN, {"Z": c * Z, "Z_hat": c * Z_hat}), result)


def _cosine_kwargs(rng):
    lead = [(), (2,)][int(rng.integers(2))]
    return {"W_dec": rng.normal(size=lead + (3, 6)), "W_true": rng.normal(size=(3, 4))}


def _check_cosines(result, kwargs):
    W_dec, W_true = kwargs["W_dec"], kwargs["W_true"]
    unit = W_dec / np.linalg.norm(W_dec, axis=-2, keepdims=True)
    true = W_true / np.linalg.norm(W_true, axis=-2, keepdims=True)
    cosines = np.einsum("dn,...dm->...nm", true, unit)
    _close(result[0], cosines.max(axis=-1))
    assert np.array_equal(result[1], cosines.argmax(axis=-1))
    for c in (1e300, 1e-300):  # a cosine does not see a column's length
        scaled = {"W_dec": c * W_dec, "W_true": W_true / c}
        _close(invoke("best_match_cosines", PLAIN, scaled)[0], result[0])


def _resampling_kwargs(rng):
    n_instances = [None, 2][int(rng.integers(2))]
    params = random_sae(rng, n_instances)
    Z = rng.normal(size=(6, 3))
    optimizer = lib.Adam(lr=1e-2)
    optimizer.step(params, lib.sae_gradients(params, Z, 0.1))  # non-zero moments
    dead = rng.random(params["b_enc"].shape) < 0.4
    dead[..., 0] = True
    return {
        "params": params,
        "dead": dead,
        "Z": Z,
        "rng": int(rng.integers(0, 1000)),
        "optimizer": optimizer,
        "subtract_decoder_bias": bool(rng.integers(2)),
        "encoder_scale": float(rng.uniform(0.05, 1)),
    }


def _resample(**kwargs):
    """The count it returns and the parameters it changed (in place)."""
    return lib.resample_dead_latents(**kwargs), kwargs["params"]


def _check_resampling(result, kwargs):
    n, params = result
    dead, before = kwargs["dead"], kwargs["params"]
    assert np.array_equal(n, dead.sum(axis=-1))
    norms = np.linalg.norm(params["W_dec"], axis=-2)
    assert np.allclose(norms[dead], 1, rtol=1e-12), "a new decoder column is a unit one"
    assert np.all(params["b_enc"][dead] == 0)
    assert np.array_equal(params["W_enc"][~dead], before["W_enc"][~dead])
    assert np.array_equal(norms[~dead], np.linalg.norm(before["W_dec"], axis=-2)[~dead])


class Optimizer(Instance):
    """An optimiser with per-entry state to reset: Adam; SGD has none."""

    def bad(self, value):
        return super().bad(value) + [Bad("an SGD", lib.SGD(lr=0.1))]


def _train_kwargs(rng):
    Z = np.maximum(rng.normal(size=(10, 2)), 0) @ rng.normal(size=(2, 2))
    return {
        "Z": Z + rng.normal(0, 0.1, size=Z.shape),
        "n_latents": int(rng.integers(2, 5)),
        "l1_coeff": float(rng.uniform(0, 0.5)),
        "n_instances": 2,  # with 1, Z of one more axis, (1, N, d), would be valid
        "steps": 4,
        "batch_size": 4,
        "lr": float(rng.uniform(1e-3, 1e-2)),
        "seed": int(rng.integers(0, 1000)),
        "subtract_decoder_bias": bool(rng.integers(2)),
        "l1_convention": ["unit_norm", "decoder_norm"][int(rng.integers(2))],
        "dead_window": 2,
        "resample": True,
        "resample_until": float(rng.uniform(0.5, 1)),
        "log_every": int(rng.integers(1, 4)),
        "progress": False,
    }


def _check_training(result, kwargs):
    I, m, d = kwargs["n_instances"], kwargs["n_latents"], kwargs["Z"].shape[-1]
    assert result.params["W_dec"].shape == (I, d, m)
    assert result.losses.shape == (len(result.steps_logged), I)
    assert result.steps_logged[-1] == kwargs["steps"]
    assert list(result.window_ends) == [2, 4] and result.dead_counts.shape == (2, I)
    if kwargs["l1_convention"] == "unit_norm":
        assert np.allclose(np.linalg.norm(result.params["W_dec"], axis=-2), 1)


def _result_kwargs(rng):
    return {
        "params": random_sae(rng, 2),
        "l1_coeff": rng.uniform(0, 1, 2),
        "losses": rng.uniform(0, 1, (3, 2)),
        "steps_logged": np.array([1, 2, 3]),
        "dead_counts": np.array([[0, 1]]),
        "window_ends": np.array([3]),
        "n_resampled": np.array([0, 1]),
    }


COUNT = Int(low=1)

SPECS = {
    "L1_CONVENTIONS": Constant(check=lambda c: c == ("unit_norm", "decoder_norm")),
    "latent_density": Spec(
        build=lambda rng: {"H": _code(rng)},
        args={"H": CODE},
        check=lambda result, kwargs: _close(result, _density(kwargs)),
    ),
    "mean_active_latent_count": Spec(
        build=lambda rng: {"H": _code(rng)},
        args={"H": CODE},
        check=lambda r, kw: _close(r, np.sum(np.asarray(kw["H"]) > 0, -1).mean(-1)),
    ),
    "dead_fraction": Spec(
        build=lambda rng: {"H": _code(rng)},
        args={"H": CODE},
        check=lambda r, kw: _close(r, np.mean(_density(kw) == 0, axis=-1)),
    ),
    "dense_fraction": Spec(
        build=lambda rng: {"H": _code(rng), "threshold": float(rng.uniform(0, 1))},
        args={"H": CODE, "threshold": Real(0.0, 1.0)},
        check=lambda r, kw: _close(r, np.mean(_density(kw) > kw["threshold"], -1)),
    ),
    "fraction_variance_unexplained": Spec(
        build=_pair,
        args={"Z": Shared(), "Z_hat": Shared()},
        check=_check_fvu,
    ),
    "shrinkage": Spec(
        build=lambda rng: _pair(rng, shrink=0.7),
        args={"Z": Shared(), "Z_hat": Shared()},
        check=_check_shrinkage,
    ),
    "best_match_cosines": Spec(
        build=_cosine_kwargs,
        args={"W_dec": Shared(), "W_true": Array()},
        check=_check_cosines,
    ),
    "resample_dead_latents": Spec(
        build=_resampling_kwargs,
        call=_resample,
        args={
            "params": IN_PLACE,
            "dead": Mask(),
            "Z": Shared(),
            "rng": Rng(),
            "optimizer": Optimizer(),
            "subtract_decoder_bias": FLAG,
            "encoder_scale": Real(0.0, np.inf, low_open=True),
        },
        check=_check_resampling,
    ),
    "SAETrainResult": Spec(
        build=_result_kwargs,
        call=lambda **kwargs: lib.SAETrainResult(**kwargs),
        skip={
            name: "a record that train_sae fills; it holds what it is given"
            for name in _result_kwargs(np.random.default_rng(0))
        },
        examples=1,
    ),
    "train_sae": Spec(
        build=_train_kwargs,
        args={
            "Z": Array(),
            "n_latents": COUNT,
            "l1_coeff": Real(0.0, np.inf),
            "n_instances": Int(low=1, optional=True),
            "steps": COUNT,
            "batch_size": COUNT,
            "lr": Real(0.0, np.inf, low_open=True),
            "seed": Rng(),
            "subtract_decoder_bias": FLAG,
            "l1_convention": Choice(lib.L1_CONVENTIONS),
            "dead_window": COUNT,
            "resample": FLAG,
            "resample_until": Real(0.0, 1.0),
            "log_every": COUNT,
            "progress": Flag(optional=True),
        },
        skip={
            "variant": "chapter 20's variants: each factory's spec trains with one "
            "(spec_sae_variants); a non-variant is refused in tests/test_sae_variants"
        },
        check=_check_training,
        examples=2,
    ),
}

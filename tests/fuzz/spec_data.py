"""Fuzz specs: sparse data and importances (`superposition_lib.data`, chapter 1)."""

import numpy as np

from fuzz.harness import Spec
from fuzz.kinds import Dtype, Int, Real, Rng

SPARSITY = Real(0.0, 1.0, high_open=True)  # S = 1 would be no data at all


def _check_importance(result, kwargs):
    n, decay = kwargs["n_features"], kwargs["decay"]
    assert result.shape == (n,) and result.dtype == np.float64
    assert np.allclose(result, [decay**i for i in range(n)], rtol=1e-12, atol=0)


def _data_args(rng):
    return {
        "n_samples": int(rng.integers(1, 20)),
        "n_features": int(rng.integers(1, 6)),
        "sparsity": float(rng.uniform(0, 0.99)),
        "rng": int(rng.integers(0, 2**31)),
        "n_instances": [None, int(rng.integers(1, 4))][int(rng.integers(2))],
        "dtype": [np.float32, np.float64][int(rng.integers(2))],
    }


def _check_data(result, kwargs):
    lead = () if kwargs["n_instances"] is None else (kwargs["n_instances"],)
    assert result.shape == lead + (kwargs["n_samples"], kwargs["n_features"])
    assert result.dtype == kwargs["dtype"]
    # x = u / p where u < p, else 0: every entry in [0, 1)
    assert np.all((result >= 0) & (result < 1))


def _original_args(rng):
    kwargs = _data_args(rng)
    del kwargs["n_instances"], kwargs["dtype"]
    return kwargs


def _check_original(result, kwargs):
    assert result.shape == (kwargs["n_samples"], kwargs["n_features"])
    assert np.all((result >= 0) & (result < 1))


SPECS = {
    "feature_importance": Spec(
        build=lambda rng: {
            "n_features": int(rng.integers(1, 30)),
            "decay": float(rng.uniform(0.05, 1.0)),
        },
        # decay=True was once taken as 1.0 (all ones): Real tries True, refused.
        args={"n_features": Int(low=1), "decay": Real(0.0, 1.0, low_open=True)},
        check=_check_importance,
        examples=10,  # cheap: more valid draws
    ),
    "generate_sparse_data": Spec(
        build=_data_args,
        args={
            "n_samples": Int(low=1),
            "n_features": Int(low=1),
            "sparsity": SPARSITY,
            "rng": Rng(),
            "n_instances": Int(low=1, optional=True),
            "dtype": Dtype(),
        },
        check=_check_data,
        examples=10,  # cheap: more valid draws
    ),
    "original_generate_sparse_data": Spec(
        build=_original_args,
        args={
            "n_samples": Int(low=1),
            "n_features": Int(low=1),
            "sparsity": SPARSITY,
            "rng": Rng(),
        },
        check=_check_original,
        examples=10,  # cheap: more valid draws
    ),
}

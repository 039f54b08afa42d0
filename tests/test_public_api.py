"""The names DESIGN.md promises are importable from the package top level."""
import importlib

import pytest

import superposition_lib

PROMISED = {
    "data": ["feature_importance", "generate_sparse_data"],
    "activations": ["relu", "relu_derivative"],
    "model": ["init_params", "forward", "bottleneck"],
    "loss": ["weighted_loss"],
    "backprop": ["loss_gradients", "numerical_gradient"],
    "optim": ["Adam"],
    "train": ["train_toy_model"],
    "analysis": ["superposition_matrix", "feature_norms", "interference"],
    "geometry": ["feature_dimensionality"],
    "sae": ["train_sae"],
    "similarity": ["linear_cka", "rsa"],
    "metrics": ["l0_norm", "l1_norm", "gini", "reconstruction_mse"],
}


@pytest.mark.parametrize("module", PROMISED)
def test_promised_names_are_exported_from_their_chapter_and_the_top_level(module):
    mod = importlib.import_module(f"superposition_lib.{module}")
    for name in PROMISED[module]:
        assert name in mod.__all__, f"superposition_lib.{module} does not export {name}"
        assert getattr(superposition_lib, name) is getattr(mod, name)


def test_library_imports_without_the_book_stack():
    import subprocess
    import sys
    code = ("import sys, superposition_lib; "
            "bad = [m for m in ('ipywidgets', 'IPython', 'nbformat', 'sphinx') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"importing the library pulled in {out.stdout.strip()}"

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
    "sae": ["sae_forward"],
    "sae_training": ["train_sae"],
    "similarity": ["linear_cka", "rsa"],
    "metrics": ["l0_fraction", "l1_norm", "gini", "reconstruction_mse"],
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

    code = (
        "import sys, superposition_lib; "
        "heavy = ('ipywidgets', 'IPython', 'nbformat', 'sphinx', 'matplotlib.pyplot'); "
        "bad = [m for m in heavy if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", (
        f"importing the library pulled in {out.stdout.strip()}"
    )


def test_test_helpers_are_not_part_of_the_library():
    assert not hasattr(superposition_lib, "refuses"), (
        "refuses is a tool for checks: it lives in superposition_exercises"
    )


def test_original_document_versions_are_named_original():
    """'seed' means a random seed; the original document's versions say `original_`."""
    seedish = [n for n in superposition_lib.__all__ if n.startswith("seed_")]
    assert not seedish, f"rename to original_...: {seedish}"

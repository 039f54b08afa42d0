import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import sae as checks
from superposition_lib.sae import sae_gradients

CHAPTER = "14_sae"


@right("check_original_mean_loss_gradients_exercise")
def test_original_mean_loss_gradients_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "sae-ex-seed-gradient")
    checks.check_original_mean_loss_gradients_exercise(
        found["original_mean_loss_gradients"]
    )
    assert "matches finite differences" in capsys.readouterr().out


@wrong("check_original_mean_loss_gradients_exercise")
def test_original_mean_loss_gradients_catches_a_missing_division_by_d():
    def only_lambda_rescaled(p, Z, lam):
        n_latents, n_inputs = p["W_enc"].shape[-2:]
        lam_book = lam * n_inputs / n_latents
        return sae_gradients(p, Z, lam_book, subtract_decoder_bias=False)

    with pytest.raises(AssertionError, match="divide by d as well as N"):
        checks.check_original_mean_loss_gradients_exercise(only_lambda_rescaled)


@wrong("check_original_mean_loss_gradients_exercise")
def test_original_mean_loss_gradients_catches_an_unchanged_lambda():
    def same_lambda(p, Z, lam):
        n_inputs = p["W_enc"].shape[-1]
        grads = sae_gradients(p, Z, lam, subtract_decoder_bias=False)
        return {key: value / n_inputs for key, value in grads.items()}

    with pytest.raises(AssertionError, match="which λ' makes"):
        checks.check_original_mean_loss_gradients_exercise(same_lambda)


@wrong("check_original_mean_loss_gradients_exercise")
def test_original_mean_loss_gradients_catches_the_wrong_return_and_errors():
    with pytest.raises(AssertionError, match="return a dict with keys"):
        checks.check_original_mean_loss_gradients_exercise(
            lambda p, Z, lam: [p["W_enc"]]
        )
    with pytest.raises(AssertionError, match="raised KeyError"):
        checks.check_original_mean_loss_gradients_exercise(lambda p, Z, lam: p["W"])


@right("check_tied_sae_forward_exercise")
def test_tied_sae_forward_passes_the_book_solution(capsys):
    found = solution(CHAPTER, "sae-ex-tied")
    checks.check_tied_sae_forward_exercise(found["tied_sae_forward"])
    assert "agrees with sae_forward" in capsys.readouterr().out


@wrong("check_tied_sae_forward_exercise")
def test_tied_sae_forward_catches_a_missing_decoder_bias_subtraction():
    def no_subtraction(W, b_enc, b_dec, Z):
        h = np.maximum(Z @ W.T + b_enc, 0.0)
        return h, h @ W + b_dec

    with pytest.raises(AssertionError, match="is b_dec subtracted first"):
        checks.check_tied_sae_forward_exercise(no_subtraction)


@wrong("check_tied_sae_forward_exercise")
def test_tied_sae_forward_catches_a_missing_decoder_bias_and_relu():
    def no_bias_back(W, b_enc, b_dec, Z):
        h = np.maximum((Z - b_dec) @ W.T + b_enc, 0.0)
        return h, h @ W

    def no_relu(W, b_enc, b_dec, Z):
        h = (Z - b_dec) @ W.T + b_enc
        return h, h @ W + b_dec

    with pytest.raises(AssertionError, match="is b_dec added back"):
        checks.check_tied_sae_forward_exercise(no_bias_back)
    with pytest.raises(AssertionError, match="apply the ReLU"):
        checks.check_tied_sae_forward_exercise(no_relu)


@wrong("check_tied_sae_forward_exercise")
def test_tied_sae_forward_catches_a_transpose_on_the_wrong_side():
    def transposed(W, b_enc, b_dec, Z):
        h = np.maximum((Z - b_dec) @ W + b_enc, 0.0)
        return h, h @ W.T + b_dec

    with pytest.raises(AssertionError, match="transpose on the wrong side"):
        checks.check_tied_sae_forward_exercise(transposed)

import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import sae_variants as checks

CHAPTER = "20_sae_variants"


# ---- the BatchTopK code
@right("check_batch_topk_code_exercise")
def test_batch_topk_code_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "sae-variants-ex-batch-topk")["batch_topk_code"]
    checks.check_batch_topk_code_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def per_row_topk(U, k):
    keep = np.argsort(U, axis=1)[:, -int(k) :]
    H = np.zeros_like(U)
    np.put_along_axis(H, keep, np.maximum(np.take_along_axis(U, keep, 1), 0), 1)
    return H


def keeps_k_not_kn(U, k):
    flat = U.ravel()
    top = np.argsort(flat)[-int(round(k)) :]
    H = np.zeros_like(flat)
    H[top] = np.maximum(flat[top], 0)
    return H.reshape(U.shape)


def no_relu(U, k):
    flat = U.ravel()
    top = np.argsort(flat)[-int(round(k * U.shape[0])) :]
    H = np.zeros_like(flat)
    H[top] = flat[top]
    return H.reshape(U.shape)


def ones_not_values(U, k):
    flat = U.ravel()
    top = np.argsort(flat)[-int(round(k * U.shape[0])) :]
    H = np.zeros_like(flat)
    H[top] = flat[top] > 0
    return H.reshape(U.shape)


def whole_k_only(U, k):
    return checks._batch_topk_reference(U, round(k))


@pytest.mark.parametrize(
    "fn, message",
    [
        (per_row_topk, "that is TopK"),
        (keeps_k_not_kn, "not k"),
        (no_relu, "apply the ReLU"),
        (ones_not_values, "its own value"),
        (whole_k_only, "fractional"),
        (lambda U, k: U[:2], "shape of U"),
        (lambda U, k: np.linalg.cholesky(U), "raised LinAlgError"),
    ],
)
@wrong("check_batch_topk_code_exercise")
def test_batch_topk_code_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_batch_topk_code_exercise(fn)


# ---- the L0 pseudo-derivative
@right("check_l0_threshold_gradient_exercise")
def test_l0_threshold_gradient_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "sae-variants-ex-l0-threshold")["l0_threshold_gradient"]
    checks.check_l0_threshold_gradient_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def window_count(U, theta, eps, width=0.5):
    return np.sum(np.abs(U - theta) < width * eps, axis=0) / U.shape[0]


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda U, t, e: window_count(U, t, e) / e, "slope of the L0 is negative"),
        (lambda U, t, e: -window_count(U, t, e), "divide by the bandwidth"),
        (lambda U, t, e: -window_count(U, t, e, 1.0) / e, "the window is ε wide"),
        (lambda U, t, e: -window_count(U, t, e, 0.25) / e, "expected -"),
        (lambda U, t, e: np.zeros(2), "one pseudo-derivative per threshold"),
    ],
)
@wrong("check_l0_threshold_gradient_exercise")
def test_l0_threshold_gradient_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_l0_threshold_gradient_exercise(fn)

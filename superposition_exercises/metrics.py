"""Checks for the exercises of "Measuring sparsity: L0, L1, the Gini coefficient and
reconstruction error"."""

import numpy as np

from superposition_exercises.assertions import learner_call
from superposition_lib.data import generate_sparse_data
from superposition_lib.metrics import gini, l0_fraction, l1_norm


def _number(value, name):
    assert np.ndim(value) == 0, (
        f"{name} must return one number, got an array of shape {np.shape(value)}"
    )
    return float(value)


def check_hoyer_exercise(hoyer_sparsity):
    """Hoyer = (sqrt(n) - L1/L2) / (sqrt(n) - 1): 1 one-hot, 0 constant, scale-free."""

    def hoyer(a):
        return _number(
            learner_call(hoyer_sparsity, a, on="valid input"), "hoyer_sparsity"
        )

    one_hot = np.zeros(10)
    one_hot[3] = 2.5
    peak = hoyer(one_hot)
    assert abs(peak - (np.sqrt(10) - 1)) > 1e-9, (
        "a one-hot vector gave sqrt(n) - 1 instead of 1: divide by sqrt(n) - 1"
    )
    assert abs(peak - 1) < 1e-12, (
        "a one-hot vector must give 1: is the numerator sqrt(n) - L1/L2?"
    )
    assert abs(hoyer(np.full(10, 0.3))) < 1e-12, (
        "a constant vector must give 0 (there L1/L2 = sqrt(n)): is the ratio "
        "L1/L2, not L2/L1?"
    )
    v = np.random.default_rng(20).exponential(size=30)
    assert abs(hoyer(v) - hoyer(9 * v)) < 1e-12, (
        "it must not change when every entry is scaled: a ratio of norms"
    )
    assert abs(hoyer(-v) - hoyer(v)) < 1e-12, (
        "signs must not matter: use absolute values in the L1 norm"
    )
    assert hoyer(np.concatenate([v, np.zeros(30)])) > hoyer(v), (
        "appending zeros must raise it (n grows, the norms stay)"
    )
    print("hoyer_sparsity: all checks passed")


def check_row_gini_exercise(row_gini):
    """`row_gini(A)`: the Gini coefficient of each row, zero rows giving 0."""
    rng = np.random.default_rng(21)
    A = rng.exponential(size=(50, 12)) * (rng.random((50, 12)) < 0.4)
    A[7] = 0.0
    A[9] = -A[9]
    with np.errstate(invalid="ignore", divide="ignore"):
        got = np.asarray(
            learner_call(row_gini, A.copy(), on="valid input"), dtype=float
        )
    assert got.shape == (50,), (
        f"one value per row: expected shape (50,), got {got.shape}"
    )
    assert got[7] == 0.0, (
        f"an all-zero row must give 0, got {got[7]}: did you divide by a zero sum?"
    )
    expected = np.array([gini(row) for row in A])
    positive = np.arange(50) != 9
    assert np.allclose(got[positive], expected[positive], atol=1e-12), (
        "rows disagree with gini(row): did you sort along axis=1 (each row), "
        "ascending, with weights 2i - n - 1?"
    )
    assert np.allclose(got[9], expected[9], atol=1e-12), (
        "a row of negative values disagrees with gini(row): take absolute values"
    )
    print("row_gini: all checks passed")


WHY = {
    "l0": "L0 counts non-zero entries, however tiny",
    "l1": "L1 weighs entries by their size, and the noise is tiny",
    "gini": "Gini weighs entries by their size, and the noise is tiny",
}


def check_noise_predictions_exercise(noise_predictions):
    """Compute which measures move by more than 0.01; explain each wrong prediction."""
    assert isinstance(noise_predictions, dict), (
        "fill in the dictionary `noise_predictions` first"
    )
    rng = np.random.default_rng(22)
    X = generate_sparse_data(20_000, 5, 0.9, rng)
    noisy = X + 1e-6 * np.abs(rng.standard_normal(X.shape))
    measures = {"l0": l0_fraction, "l1": l1_norm, "gini": gini}
    for name, measure in measures.items():
        changed = abs(measure(noisy) - measure(X)) > 0.01
        answer = noise_predictions.get(name)
        assert answer is not None, f"fill in noise_predictions[{name!r}]"
        assert isinstance(answer, (bool, np.bool_)), (
            f"noise_predictions[{name!r}] must be True or False, got {answer!r}"
        )
        assert answer == changed, (
            f"{name}: 'changes by more than 0.01' is {changed}: {WHY[name]}"
        )
    print(
        f"all predictions right: L0 {l0_fraction(X):.3f} -> {l0_fraction(noisy):.3f}, "
        f"Gini {gini(X):.4f} -> {gini(noisy):.4f}"
    )

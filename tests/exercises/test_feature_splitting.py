import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import feature_splitting as checks

CHAPTER = "21_feature_splitting"


# ---- eq. (21.2), the cosines of a mean of k children
@right("check_cosines_of_mean_exercise")
def test_cosines_of_mean_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "feature-splitting-ex-subset-cosines")["cosines_of_mean"]
    checks.check_cosines_of_mean_exercise(fn)
    assert "all checks passed" in capsys.readouterr().out


def orthogonal_offsets(cos, C, k):
    r = np.sqrt(cos**2 + (1 - cos**2) / k)
    return cos / r, r


def squared(cos, C, k):
    r2 = cos**2 + (1 - cos**2) * (C - k) / (k * (C - 1))
    return cos**2 / r2, r2


def swapped(cos, C, k):
    r = np.sqrt(cos**2 + (1 - cos**2) * (C - k) / (k * (C - 1)))
    return r, cos / r


@pytest.mark.parametrize(
    "fn, message",
    [
        (swapped, "order is swapped"),
        (orthogonal_offsets, "simplex, not orthogonal"),
        (squared, "squared cosines"),
        (lambda cos, C, k: (cos, 1.0), "expected"),
        (lambda cos, C, k: cos, "two finite numbers"),
        (lambda cos, C, k: 1 / 0, "raised ZeroDivisionError"),
    ],
)
@wrong("check_cosines_of_mean_exercise")
def test_cosines_of_mean_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_cosines_of_mean_exercise(fn)


# ---- ancestors in the family tree
def _decoders():
    rng = np.random.default_rng(5)
    return {8: rng.normal(size=(3, 6, 8)), 16: rng.normal(size=(3, 6, 16))}


@right("check_ancestors_exercise")
def test_ancestors_passes_the_book_solution(capsys):
    decoders = _decoders()
    namespace = solution(
        CHAPTER, "feature-splitting-ex-ancestors", {"decoders": decoders}
    )
    checks.check_ancestors_exercise(
        namespace["ancestors"],
        namespace["ancestors_8_to_16"],
        decoders[8][1],
        decoders[16][1],
    )
    assert "all checks passed" in capsys.readouterr().out


def _cosines(W_small, W_large):
    return (W_large / np.linalg.norm(W_large, axis=0)).T @ (
        W_small / np.linalg.norm(W_small, axis=0)
    )


def good(W_small, W_large):
    return np.argmax(_cosines(W_small, W_large), axis=1)


@pytest.mark.parametrize(
    "fn, result, message",
    [
        (lambda S, L: np.argmax(L.T @ S, axis=1), None, "normalise the columns"),
        (lambda S, L: np.argmax(np.abs(_cosines(S, L)), axis=1), None, "no absolute"),
        (lambda S, L: np.argmax(_cosines(S, L), axis=0), None, "one integer index"),
        (lambda S, L: np.max(_cosines(S, L), axis=1), None, "one integer index"),
        (good, "wrong seed", "ancestors_8_to_16 must be"),
    ],
)
@wrong("check_ancestors_exercise")
def test_ancestors_catches_the_likely_mistakes(fn, result, message):
    decoders = _decoders()
    if result is None:
        result = good(decoders[8][1], decoders[16][1])
    else:
        result = good(decoders[8][0], decoders[16][0])
    with pytest.raises(AssertionError, match=message):
        checks.check_ancestors_exercise(fn, result, decoders[8][1], decoders[16][1])


# ---- children far from their parent, predicted
@right("check_far_children_exercise")
def test_far_children_passes_the_book_solution(capsys):
    namespace = solution(CHAPTER, "feature-splitting-ex-far-children")
    checks.check_far_children_exercise(
        namespace["parents_found"], namespace["W_dec_far"], namespace["children_far"]
    )
    assert "prediction and measurement agree" in capsys.readouterr().out


def _far(cos=0.4):
    from superposition_lib.feature_splitting import hierarchical_directions

    _, children = hierarchical_directions(4, 4, 24, 0, child_cosine=cos)
    singles = np.stack([children[:, [0, 0, 1, 3], [0, 2, 1, 1]]] * 3)  # (3, 24, 4)
    return singles, children


@pytest.mark.parametrize(
    "case, message",
    [
        ("predicted a parent", "no parent-like latent"),
        ("not a bool", "True or False"),
        ("near children", "use child_cosine=0.4"),
        ("wrong width", "width-4 SAEs"),
        ("a parent where none was predicted", "against your prediction"),
    ],
)
@wrong("check_far_children_exercise")
def test_far_children_catches_the_likely_mistakes(case, message):
    W, children = _far()
    prediction = False
    if case == "predicted a parent":
        prediction = True
    elif case == "not a bool":
        prediction = "no"
    elif case == "near children":
        W, children = _far(0.8)
    elif case == "wrong width":
        W = np.concatenate([W, W], axis=-1)
    else:
        centre = children.mean(axis=2)
        W = W.copy()
        W[0, :, 0] = centre[:, 0]
    with pytest.raises(AssertionError, match=message):
        checks.check_far_children_exercise(prediction, W, children)

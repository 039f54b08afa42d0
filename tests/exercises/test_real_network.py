import numpy as np
import pytest

from exercises.helpers import right, solution, wrong
from superposition_exercises import real_network as checks

CHAPTER = "22_real_network"


# ---- the gradient of the cross-entropy with respect to the logits
@right("check_logit_gradient_exercise")
def test_logit_gradient_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "real-network-ex-logit-gradient")["logit_gradient"]
    checks.check_logit_gradient_exercise(fn)
    assert "matches finite differences" in capsys.readouterr().out


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def onehot(labels, c):
    return np.eye(c)[labels]


def unstable(logits, labels):
    e = np.exp(logits)
    return (e / e.sum(axis=-1, keepdims=True) - onehot(labels, 4)) / len(labels)


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda lg, y: (onehot(y, 4) - softmax(lg)) / len(y), "sign is flipped"),
        (lambda lg, y: softmax(lg) - onehot(y, 4), "divide by N"),
        (lambda lg, y: (softmax(lg.T).T - onehot(y, 4)) / len(y), "axis -1"),
        (unstable, "subtract each row's largest logit"),
        (lambda lg, y: softmax(lg)[:, 0], "one gradient entry per logit"),
        (lambda lg, y: np.linalg.inv(lg), "raised LinAlgError"),
    ],
)
@wrong("check_logit_gradient_exercise")
def test_logit_gradient_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_logit_gradient_exercise(fn)


# ---- loss recovered, by splicing the SAE in
@right("check_loss_recovered_exercise")
def test_loss_recovered_passes_the_book_solution(capsys):
    fn = solution(CHAPTER, "real-network-ex-loss-recovered")["loss_recovered"]
    checks.check_loss_recovered_exercise(fn)
    assert "1 for an exact reconstruction" in capsys.readouterr().out


def _parts(params, sae, X, labels):
    import superposition_lib as lib

    H_linear, H, logits = lib.mlp_forward(params, X)
    return lib, H_linear, H, logits


def fraction_lost(params, sae, X, labels):
    lib, _, H, logits = _parts(params, sae, X, labels)
    H_hat = lib.sae_forward(sae, H)[2]
    original = lib.softmax_cross_entropy(logits, labels)
    spliced = lib.softmax_cross_entropy(lib.mlp_readout(params, H_hat), labels)
    ablated = lib.softmax_cross_entropy(lib.mlp_readout(params, 0 * H), labels)
    return (spliced - original) / (ablated - original)


def spliced_pre_activations(params, sae, X, labels):
    lib, H_linear, H, logits = _parts(params, sae, X, labels)
    H_hat = lib.sae_forward(sae, H_linear)[2]
    original = lib.softmax_cross_entropy(logits, labels)
    spliced = lib.softmax_cross_entropy(lib.mlp_readout(params, H_hat), labels)
    ablated = lib.softmax_cross_entropy(lib.mlp_readout(params, 0 * H), labels)
    return (ablated - spliced) / (ablated - original)


def pooled(params, sae, X, labels):
    return np.mean(spliced_pre_activations(params, sae, X, labels))


@pytest.mark.parametrize(
    "fn, message",
    [
        (fraction_lost, "fraction of loss \\*lost\\*"),
        (spliced_pre_activations, "splice the SAE's reconstruction"),
        (pooled, "one fraction per instance"),
        (lambda p, s, X, y: p["nope"], "raised KeyError"),
    ],
)
@wrong("check_loss_recovered_exercise")
def test_loss_recovered_catches_the_likely_mistakes(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_loss_recovered_exercise(fn)


# ---- which ablation hurts the loss more, predicted
def chapter_like_splice():
    """(accuracy, cross-entropy) per hidden layer, from two small trained networks."""
    import superposition_lib as lib

    rng = np.random.default_rng(0)
    y = np.arange(300) % 5
    X = 2 * rng.normal(size=(5, 8))[y] + 0.5 * rng.normal(size=(300, 8))
    nets = lib.train_mlp(X, y, 12, n_instances=2, steps=300, batch_size=64, lr=1e-2)
    _, H, _ = lib.mlp_forward(nets.params, X)

    def splice(hidden):
        logits = lib.mlp_readout(nets.params, hidden)
        return np.mean(logits.argmax(-1) == y, -1), lib.softmax_cross_entropy(logits, y)

    mean = np.broadcast_to(H.mean(axis=1, keepdims=True), H.shape)
    return {"zero ablation": splice(0 * H), "mean ablation": splice(mean)}


@right("check_ablation_exercise")
def test_ablation_passes_the_book_solution(capsys):
    answer = solution(CHAPTER, "real-network-ex-ablations")["worse_ablation"]
    checks.check_ablation_exercise(answer, chapter_like_splice())
    assert "prediction right" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, spliced, message",
    [
        ("zero", None, "confidently wrong"),
        ("the mean one", None, 'must be "zero" or "mean"'),
        ("mean", {}, "run the splicing cell first"),
    ],
)
@wrong("check_ablation_exercise")
def test_ablation_catches_the_likely_mistakes(answer, spliced, message):
    spliced = chapter_like_splice() if spliced is None else spliced
    with pytest.raises(AssertionError, match=message):
        checks.check_ablation_exercise(answer, spliced)

"""Fuzz specs: hierarchical features and feature splitting
(`superposition_lib.feature_splitting`, chapter 21).

The oracles: the directions against their construction (orthonormal parents, each child
at cosine cos θ to its parent, the children's mean along the parent); the samples
against eq. (21.1) (the projection on an off parent is 0, on an on parent a cos θ);
eq. (21.2) against the product law; covered_children, family_tree and
child_firing_rates against brute-force loops over their definitions.
"""

import itertools

import numpy as np

import superposition_lib as lib
from fuzz.harness import Constant, Spec
from fuzz.kinds import Array, Bad, Int, Kind, Real, Rng, read_only
from fuzz.spec_sae import Shared

COSINE = Real(0.0, 1.0, low_open=True, high_open=True)


def _directions_kwargs(rng):
    P, C = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    return {
        "n_parents": P,
        "n_children": C,
        "n_dims": P * C + int(rng.integers(0, 3)),
        "rng": int(rng.integers(0, 1000)),
        "child_cosine": float(rng.uniform(0.1, 0.95)),
    }


def _check_directions(result, kwargs):
    parents, children = result
    P, C, cos = kwargs["n_parents"], kwargs["n_children"], kwargs["child_cosine"]
    assert parents.shape == (kwargs["n_dims"], P)
    assert children.shape == (kwargs["n_dims"], P, C)
    assert np.allclose(parents.T @ parents, np.eye(P))
    assert np.allclose(np.linalg.norm(children, axis=0), 1)
    assert np.allclose(np.einsum("dp,dpc->pc", parents, children), cos)
    assert np.allclose(children.mean(axis=2), cos * parents)


def _children(rng):
    P, C = int(rng.integers(1, 4)), int(rng.integers(2, 4))
    cos = float(rng.uniform(0.3, 0.9))
    return lib.hierarchical_directions(P, C, P * C + 1, rng, child_cosine=cos)


def _sample_kwargs(rng):
    return {
        "children": _children(rng)[1],
        "n_samples": int(rng.integers(1, 30)),
        "density": float(rng.uniform(0, 1)),
        "rng": int(rng.integers(0, 1000)),
    }


def _check_samples(result, kwargs):
    Z, active = result
    children = kwargs["children"]
    d, P, C = children.shape
    assert Z.shape == (kwargs["n_samples"], d) and active.shape == (len(Z), P)
    assert np.all((active >= -1) & (active < C))
    parents = children.mean(axis=2)  # cos θ times the parent
    parents /= np.linalg.norm(parents, axis=0)
    cos = np.einsum("dp,dp->p", parents, children[:, :, 0])
    sizes = Z @ parents / cos  # a_p where on, 0 where off
    assert np.allclose(sizes[active < 0], 0, atol=1e-12)
    assert np.all((sizes[active >= 0] > -1e-12) & (sizes[active >= 0] < 1 + 1e-12))


def _subset_kwargs(rng):
    C = int(rng.integers(2, 8))
    return {
        "child_cosine": float(rng.uniform(0.05, 0.99)),
        "n_children": C,
        "n_covered": int(rng.integers(1, C + 1)),
    }


def _check_subset(result, kwargs):
    to_parent, to_child = result
    cos, C, k = kwargs["child_cosine"], kwargs["n_children"], kwargs["n_covered"]
    assert np.isclose(to_parent * to_child, cos, rtol=1e-12)
    parents, children = lib.hierarchical_directions(1, C, C, 0, child_cosine=cos)
    mean = children[:, 0, :k].mean(axis=1)
    mean /= np.linalg.norm(mean)
    assert np.isclose(mean @ parents[:, 0], to_parent)
    assert np.allclose(mean @ children[:, 0, :k], to_child)


def _unit(A):
    return A / np.linalg.norm(A, axis=-2, keepdims=True)


def _covered_kwargs(rng):
    _, children = _children(rng)
    return {  # stacked: a (1, d, m) stack is valid, so no 2-D W_dec "one more axis"
        "W_dec": rng.normal(size=(2, children.shape[0], int(rng.integers(1, 6)))),
        "children": children,
    }


def _check_covered(result, kwargs):
    family, covered, cosine = result
    W, children = np.asarray(kwargs["W_dec"]), kwargs["children"]
    d, P, C = children.shape
    unit = _unit(W).reshape(-1, d, W.shape[-1])
    best = np.full(unit.shape[::2], -np.inf)
    for p, k in itertools.product(range(P), range(1, C + 1)):
        for subset in itertools.combinations(range(C), k):
            mean = _unit(children[:, p, list(subset)].mean(axis=1)[:, None])[:, 0]
            best = np.maximum(best, np.einsum("d,idm->im", mean, unit))
    assert np.allclose(cosine.reshape(best.shape), best)
    assert np.all(covered.any(axis=-1)) and np.all((family >= 0) & (family < P))
    chosen = children[:, family.ravel()]  # (d, n, C): each latent's family
    mask = covered.reshape(-1, C)
    means = np.einsum("dnc,nc->dn", chosen, mask) / mask.sum(axis=1)
    columns = np.swapaxes(unit, 1, 2).reshape(-1, d)  # (n, d)
    achieved = np.einsum("dn,nd->n", _unit(means), columns)
    assert np.allclose(achieved, cosine.ravel())


def _tree_kwargs(rng):
    lead = [(), (2,)][int(rng.integers(2))]
    d = int(rng.integers(2, 5))
    return {
        "W_small": rng.normal(size=lead + (d, int(rng.integers(1, 5)))),
        "W_large": rng.normal(size=lead + (d, int(rng.integers(1, 7)))),
    }


def _check_tree(result, kwargs):
    ancestor, cosine = result
    cosines = np.swapaxes(_unit(kwargs["W_large"]), -1, -2) @ _unit(kwargs["W_small"])
    assert np.array_equal(ancestor, cosines.argmax(axis=-1))
    assert np.allclose(cosine, cosines.max(axis=-1))


def _rates_kwargs(rng):
    P, C = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    alone = np.full((P * C, P), -1)
    for p, c in itertools.product(range(P), range(C)):
        alone[p * C + c, p] = c  # every child alone at least once
    extra = rng.integers(-1, C, size=(int(rng.integers(0, 6)), P))
    active = np.concatenate([alone, extra])
    lead = [(), (2,)][int(rng.integers(2))]
    H = np.maximum(rng.normal(size=lead + (len(active), int(rng.integers(1, 4)))), 0)
    return {"H": H, "active": active, "n_children": C}


def _check_rates(result, kwargs):
    H, active, C = np.asarray(kwargs["H"]), kwargs["active"], kwargs["n_children"]
    P = active.shape[1]
    alone = np.sum(active >= 0, axis=1) == 1
    assert result.shape == H.shape[:-2] + (H.shape[-1], P, C)
    for p, c in itertools.product(range(P), range(C)):
        rows = alone & (active[:, p] == c)
        want = np.mean(H[..., rows, :] > 0, axis=-2)
        assert np.allclose(result[..., p, c], want)


class Labels(Kind):
    """`active`: an (N, P) integer array with entries -1 (off) or a child index."""

    def bad(self, value):
        arr = np.asarray(value)
        return super().bad(value) + [
            Bad("floats", arr.astype(float)),
            Bad("bools", arr >= 0),
            Bad("a child out of range", arr + 10),
            Bad("below -1", arr - 10),
            Bad("a row fewer", arr[:-1]),
            Bad("1-D", arr[:, 0]),
            Bad("3-D", arr[None]),
            Bad("no families", arr[:, :0]),
        ]

    def respellings(self, value):
        arr = np.asarray(value)
        return [("list", arr.tolist()), ("read-only", read_only(arr))]


def _max_children_holds(value):
    """At most MAX_CHILDREN children per family are read; one more is refused."""
    assert value == 12
    children = np.zeros((value + 1, 1, value + 1))
    try:
        lib.covered_children(np.ones((value + 1, 2)), children)
    except ValueError as err:
        assert "children" in str(err)
    else:
        raise AssertionError("covered_children must refuse MAX_CHILDREN + 1 children")


SPECS = {
    "MAX_CHILDREN": Constant(check=_max_children_holds),
    "hierarchical_directions": Spec(
        build=_directions_kwargs,
        args={
            "n_parents": Int(low=1),
            "n_children": Int(low=2),
            "n_dims": Int(low=1),
            "rng": Rng(),
            "child_cosine": COSINE,
        },
        check=_check_directions,
    ),
    "sample_hierarchical": Spec(
        build=_sample_kwargs,
        args={
            "children": Array(),
            "n_samples": Int(low=1),
            "density": Real(0.0, 1.0),
            "rng": Rng(),
        },
        check=_check_samples,
    ),
    "subset_cosines": Spec(
        build=_subset_kwargs,
        args={"child_cosine": COSINE, "n_children": Int(low=2), "n_covered": Int()},
        check=_check_subset,
        examples=10,
    ),
    "covered_children": Spec(
        build=_covered_kwargs,
        args={"W_dec": Shared(scale_free=True), "children": Array(scale_free=True)},
        check=_check_covered,
    ),
    "family_tree": Spec(
        build=_tree_kwargs,
        args={"W_small": Shared(scale_free=True), "W_large": Shared(scale_free=True)},
        check=_check_tree,
    ),
    "child_firing_rates": Spec(
        build=_rates_kwargs,
        args={"H": Shared(), "active": Labels(), "n_children": Int(low=1)},
        check=_check_rates,
    ),
}

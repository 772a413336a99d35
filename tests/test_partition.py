"""Partition queries: ``locate`` against an independent forward pass
(``oracles.true_patterns``, ``oracles.exact_pattern_at``) and the documented tie rule, on
boxes, planes and a plane in 64 dimensions."""

import numpy as np
import pytest

import regions

import oracles
from oracles import random_net


@pytest.mark.parametrize("method", ["split", "vertex"])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_locate_matches_an_independent_forward_pass(seed, method):
    net = random_net([2, 6, 5, 1], ["relu", "hardtanh", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1), method=method)
    X = np.random.default_rng(seed).uniform(-1, 1, size=(100_000, 2))
    found = part.locate(X)
    decisive = np.all(oracles.decisive(net, X), axis=1)
    assert np.all(found >= 0)
    assert np.array_equal(part.patterns[found[decisive]], oracles.true_patterns(net, X)[decisive])
    outside = part.locate([[1.5, 0.0], [0.0, -3.0]])
    assert outside.tolist() == [-1, -1]
    assert part.locate(part.input_witnesses[4]) == 4


def test_points_of_a_plane_in_64_dimensions_are_on_it():
    """The points that define a plane through three 64-D inputs (values up to 16, as the
    digits' pixels) and their midpoints are located on it, in the region of their exact
    pattern; a point moved off the plane by a millionth of a pixel is not."""
    rng = np.random.default_rng(0)
    net = random_net([64, 8, 1], ["relu", "identity"], 2)
    for _ in range(10):
        p0, p1, p2 = rng.integers(0, 17, size=(3, 64)).astype(float)
        part = regions.enumerate_regions(net, regions.plane(p0, p1, p2))
        points = np.array([p0, p1, p2, (p0 + p1) / 2, (p1 + p2) / 2])
        found = part.locate(points)
        assert (found >= 0).all()
        for i, point in zip(found, points):
            exact = oracles.exact_pattern_at(net, point)
            assert exact is None or tuple(part.patterns[i]) == exact
        normal = np.linalg.svd(np.array([p1 - p0, p2 - p0]))[2][-1]
        assert part.locate(p0 + 1e-6 * normal) == -1


def test_locate_ties_follow_the_rule_and_slices():
    # On x = 0 the ReLU neuron is off (its state at a tie), so the point is in region "0".
    net = regions.Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert part.patterns[part.locate([0.0, 0.3])].tolist() == [0]
    e = np.eye(3)
    net3 = random_net([3, 4, 1], ["relu", "identity"], 1)
    sliced = regions.enumerate_regions(net3, regions.plane(np.zeros(3), e[0], e[1], -1, 1))
    on, off = sliced.locate([[0.2, 0.1, 0.0], [0.2, 0.1, 0.5]])
    assert on >= 0 and off == -1
    assert np.array_equal(sliced.patterns[on], oracles.true_patterns(net3, [[0.2, 0.1, 0.0]])[0])

"""Partition queries: ``locate`` against an independent forward pass
(``oracles.true_patterns``, ``oracles.exact_pattern_at``) and the documented tie rule, on
boxes, planes and a plane in 64 dimensions; with max layers, the float forward pass of
integer networks on a grid of eighths (exact there) and ties worked by hand."""

import numpy as np
import pytest

import regions

import oracles
from max_networks import max_net
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


# --------------------------------------------------------------------------- max layers


def integer_maxout(seed):
    """[2 -> 3 maxout units of rank 3 -> relu 3 -> 1], small integer weights: on a grid of
    eighths every float64 operation is exact, so the float forward pass is the exact one
    (ties included: they are frequent on the grid)."""
    rng = np.random.default_rng(seed)
    return max_net([(rng.integers(-3, 4, (9, 2)).astype(float), rng.integers(-2, 3, 9) / 2),
                    (rng.integers(-2, 3, (3, 3)).astype(float), rng.integers(-2, 3, 3) / 2),
                    (np.ones((1, 3)), np.zeros(1))], ["max", "relu", "identity"],
                   {0: [[0, 1, 2], [3, 4, 5], [6, 7, 8]]})


@pytest.mark.parametrize("seed", range(3))
def test_locate_with_max_units_follows_the_exact_forward_pass(seed):
    net = integer_maxout(seed)
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    grid = np.stack(np.meshgrid(np.arange(-16, 17) / 8, np.arange(-16, 17) / 8), -1)
    X = grid.reshape(-1, 2)
    found = part.locate(X)
    assert np.all(found >= 0)
    index = {tuple(p): i for i, p in enumerate(part.patterns.tolist())}
    expected = [index.get(tuple(p), -1) for p in net.activation_pattern(X).tolist()]
    ruled = np.array(expected) >= 0
    assert np.array_equal(found[ruled], np.array(expected)[ruled])
    assert ruled.mean() > 0.9


def test_locate_max_ties_go_to_the_lowest_position_or_to_a_closure():
    """max(x, -x, y, -y): on the diagonals two inputs tie, the lower position wins; at the
    origin all four tie: position 0. max(0, x, -x) at x = 0: the rule's position 0 wins on
    no interval, so the point goes to the first region whose closure holds it (x > 0)."""
    fan = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]]), np.zeros(4)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3]]})
    part = regions.enumerate_regions(fan, regions.box(-1, 1))
    points = [[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [0.0, 0.0]]
    assert part.patterns[part.locate(points)].ravel().tolist() == [0, 1, 1, 0, 0]
    vee = max_net([(np.array([[0.0], [1.0], [-1.0]]), np.zeros(3)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2]]})
    part = regions.enumerate_regions(vee)
    assert part.patterns[part.locate([[0.0], [0.5], [-0.5]])].ravel().tolist() == [1, 1, 2]

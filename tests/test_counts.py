"""Region counts against closed formulas, brute force over patterns, and 2-D polygon clipping.

Independent sources: Zaslavsky's formula and its parallel-families variant
(one layer), ``oracles.brute_force_patterns`` (every activation pattern,
inscribed-ball LP solved by Clarabel through cvxpy, not by HiGHS) and
``oracles.polygon_partition`` (LP-free convex polygon clipping). Every seed is
its own test case (``seedN`` in the id); an oracle that cannot decide an input
skips visibly, and the seeds are chosen so that none does.
"""

from math import comb

import numpy as np
import pytest

import regions

import oracles
from marks import engines
from oracles import pattern_set, random_net, unambiguous

ONE_LAYER_SHAPES = [(1, 1), (1, 5), (2, 1), (2, 2), (2, 6), (2, 10), (3, 3), (3, 4), (3, 8),
                    (4, 5), (4, 7)]
HARDTANH_SHAPES = [(1, 1), (1, 5), (2, 1), (2, 2), (2, 6), (3, 3), (3, 5), (4, 4)]
SEEDS = range(5)
SEED_IDS = [f"seed{s}" for s in SEEDS]


def one_layer(dim, width, seed, activation):
    """``width`` neurons with Gaussian rows and biases: general position almost surely."""
    rng = np.random.default_rng(1000 * dim + 17 * width + seed)
    W, b = rng.normal(size=(width, dim)), rng.normal(size=width)
    return regions.Network.from_layers([(W, b), (np.ones((1, width)), np.zeros(1))],
                                       [activation, "identity"])


# --------------------------------------------------------------------------- one layer


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("dim,width", ONE_LAYER_SHAPES)
def test_one_layer_in_general_position_matches_zaslavsky(dim, width, activation, seed):
    part = regions.enumerate_regions(one_layer(dim, width, seed, activation))
    assert len(part) == oracles.zaslavsky(width, dim)
    pattern_set(part)


@pytest.mark.parametrize("method", ["split", "vertex"])
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
@pytest.mark.parametrize("dim,width", [(2, 6), (3, 5), (4, 6)])
def test_one_layer_bounded_regions_match_formula(dim, width, seed, method):
    # C(N - 1, d) of the regions are bounded. The oracle's inscribed ball (Clarabel) of each
    # region's pattern polyhedron reaches a cap far above these regions' sizes exactly when
    # the region is unbounded.
    net = one_layer(dim, width, seed, "relu")
    part = regions.enumerate_regions(net, method=method)
    space = oracles.whole_slice(dim)
    balls = oracles.inscribed_balls([oracles.pattern_polyhedron(net, space, tuple(p))
                                     for p in part.patterns], dim, cap=1e3)
    bounded = sum(radius < 1e3 * (1 - 1e-3) for _, radius in balls)
    assert len(part) == oracles.zaslavsky(width, dim)
    assert bounded == comb(width - 1, dim)


def test_zaslavsky_example_from_the_issue():
    assert len(regions.enumerate_regions(one_layer(2, 6, 0, "relu"))) == 22


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
@pytest.mark.parametrize("dim,width", HARDTANH_SHAPES)
def test_one_hardtanh_layer_matches_parallel_families(dim, width, seed):
    # A hard-tanh neuron breaks at w.x + b = -1 and at w.x + b = +1: two PARALLEL hyperplanes.
    # The 2N hyperplanes are therefore not in general position (the two of a pair never
    # meet), so Zaslavsky's sum_{i<=d} C(2N, i) over-counts: it would credit every pair with
    # an intersection it does not have (d = 2, N = 6: 79 instead of 73). The exact count for
    # N generic directions carrying 2 parallel hyperplanes each is sum_{i<=d} C(N, i) 2^i.
    part = regions.enumerate_regions(one_layer(dim, width, seed, "hardtanh"))
    assert len(part) == oracles.parallel_families(width, 2, dim)
    pattern_set(part)


def test_hardtanh_example_from_the_issue():
    assert oracles.parallel_families(6, 2, 2) == 73
    assert oracles.zaslavsky(12, 2) == 79
    assert len(regions.enumerate_regions(one_layer(2, 6, 0, "hardtanh"))) == 73


@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "hardtanh"])
@pytest.mark.parametrize("dim,width", [(1, 4), (2, 5), (3, 3)])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_one_layer_on_box_matches_brute_force(dim, width, activation, seed, method):
    net = one_layer(dim, width, seed, activation)
    lo, hi = -np.ones(dim), np.ones(dim)
    expected = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice(lo, hi))
    assert pattern_set(regions.enumerate_regions(net, regions.box(lo, hi), method=method)) == expected


# --------------------------------------------------------------------------- brute force


TINY = {
    # name: (widths, activations): at most 10 ReLU bits, or few hard-tanh trits.
    "relu-2-3-3": ([2, 3, 3, 1], ["relu", "relu", "identity"]),
    "relu-2-5": ([2, 5, 1], ["relu", "identity"]),
    "relu-2-3-3-3": ([2, 3, 3, 3, 1], ["relu", "relu", "relu", "identity"]),
    "relu-3-4-3": ([3, 4, 3, 1], ["relu", "relu", "identity"]),
    "relu-4-3-3": ([4, 3, 3, 1], ["relu", "relu", "identity"]),
    "leaky-2-3-3": ([2, 3, 3, 1], ["leaky_relu", "leaky_relu", "identity"]),
    "leaky-3-4-2": ([3, 4, 2, 1], ["leaky_relu", "leaky_relu", "identity"]),
    "hardtanh-2-3-2": ([2, 3, 2, 1], ["hardtanh", "hardtanh", "identity"]),
    "hardtanh-3-2-2": ([3, 2, 2, 1], ["hardtanh", "hardtanh", "identity"]),
    "mixed-2-3-2-2": ([2, 3, 2, 2, 1], ["relu", "hardtanh", "leaky_relu", "identity"]),
    "mixed-3-2-3": ([3, 2, 3, 1], ["hardtanh", "relu", "identity"]),
    "identity-middle": ([2, 3, 2, 3, 1], ["relu", "identity", "relu", "identity"]),
    "identity-middle-ht": ([2, 2, 3, 2, 1], ["hardtanh", "identity", "leaky_relu", "identity"]),
    "identity-first": ([2, 3, 4, 1], ["identity", "relu", "identity"]),
}


def random_polytope(dim, seed, bounded=True):
    """Random polytope around the origin (bounded), or an unbounded wedge."""
    rng = np.random.default_rng(seed)
    if not bounded:
        A = rng.normal(size=(dim, dim))
        return A, rng.uniform(0.3, 1.0, size=dim)
    A = rng.normal(size=(dim + 4, dim))
    return A, rng.uniform(0.5, 1.5, size=dim + 4)


def domains_for(dim, seed):
    """(name, regions domain, independent oracle domain) triples for one input dimension."""
    lo = -np.ones(dim) - 0.5 * (seed % 2)
    hi = np.ones(dim) + 0.25 * (seed % 3)
    A, c = random_polytope(dim, seed)
    A2, c2 = random_polytope(dim, seed, bounded=False)
    return [
        ("whole", regions.whole_space(), oracles.whole_slice(dim)),
        ("box", regions.box(lo, hi), oracles.box_slice(lo, hi)),
        ("polytope", regions.polytope(A, c), oracles.polytope_slice(A, c)),
        ("wedge", regions.polytope(A2, c2), oracles.polytope_slice(A2, c2)),
    ]


@pytest.mark.parametrize("kind", ["whole", "box", "polytope", "wedge"])
@pytest.mark.parametrize("seed", [0, 1, pytest.param(2, marks=pytest.mark.slow)],
                         ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("name", sorted(TINY))
def test_tiny_networks_match_brute_force_on_every_domain(name, seed, kind):
    # The default method: "vertex" on boxes, polytopes and all of R^n, "split" on the wedge.
    widths, activations = TINY[name]
    net = random_net(widths, activations, seed)
    _, domain, oracle_domain = {k: (k, d, o) for k, d, o in domains_for(widths[0], seed)}[kind]
    expected = unambiguous(oracles.brute_force_patterns, net, oracle_domain)
    part = regions.enumerate_regions(net, domain)
    assert pattern_set(part) == expected
    assert part.per_layer[-1] == len(part)


@pytest.mark.parametrize("name,widths,activations", [
    ("relu", [2, 3, 2, 1], ["relu", "relu", "identity"]),
    ("hardtanh", [2, 2, 2, 1], ["hardtanh", "hardtanh", "identity"]),
    ("mixed", [3, 2, 3, 1], ["leaky_relu", "hardtanh", "identity"]),
])
@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
def test_exhaustive_pattern_product_agrees(name, widths, activations, seed):
    # Every pattern of the full product gets its own LP: no pruning argument involved.
    net = random_net(widths, activations, seed)
    dim = widths[0]
    domain = oracles.box_slice(-np.ones(dim), np.ones(dim))
    expected = unambiguous(oracles.brute_force_patterns, net, domain, exhaustive=True)
    assert unambiguous(oracles.brute_force_patterns, net, domain) == expected
    assert pattern_set(regions.enumerate_regions(net, regions.box(-1, 1))) == expected


@pytest.mark.parametrize("method", ["split", "vertex"])
@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
def test_per_layer_counts_match_truncated_networks(seed, method):
    # per_layer[l] is the number of regions of the network cut after layer l.
    net = random_net([3, 4, 3, 2, 1], ["relu", "hardtanh", "relu", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1), method=method)
    for depth in range(1, len(net.layers) + 1):
        layers = [(l.weight, l.bias) for l in net.layers[:depth]]
        truncated = regions.Network.from_layers(layers, [l.activation for l in net.layers[:depth]])
        expected = unambiguous(oracles.brute_force_patterns, truncated,
                               oracles.box_slice(-np.ones(3), np.ones(3)))
        assert part.per_layer[depth - 1] == len(expected), depth


# --------------------------------------------------------------------------- 2-D clipping


DEEP_2D = {
    "relu": ([2, 8, 8, 1], ["relu", "relu", "identity"]),
    "relu-deep": ([2, 6, 6, 6, 6, 1], ["relu"] * 4 + ["identity"]),
    "leaky": ([2, 8, 8, 1], ["leaky_relu", "leaky_relu", "identity"]),
    "hardtanh": ([2, 6, 6, 1], ["hardtanh", "hardtanh", "identity"]),
    "mixed": ([2, 6, 5, 6, 1], ["hardtanh", "identity", "relu", "identity"]),
}


@pytest.mark.parametrize("method", ["split", "vertex"])
@pytest.mark.parametrize("lo,hi", [(-1.0, 1.0), (-0.3, 2.0)], ids=["unit", "shifted"])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("name", sorted(DEEP_2D))
def test_2d_networks_match_polygon_clipping(name, seed, lo, hi, method):
    widths, activations = DEEP_2D[name]
    net = random_net(widths, activations, seed)
    square = oracles.box_slice([lo, lo], [hi, hi])
    patterns, per_layer, _ = unambiguous(oracles.polygon_partition, net, square,
                                         oracles.square(lo, hi))
    part = regions.enumerate_regions(net, regions.box(lo, hi), method=method)
    assert pattern_set(part) == set(patterns)
    assert len(patterns) == len(set(patterns))
    assert list(part.per_layer) == per_layer


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("name", ["relu", "hardtanh"])
def test_2d_networks_on_the_whole_plane_match_large_squares(name, seed):
    widths, activations = DEEP_2D[name]
    net = random_net(widths, activations, seed)
    patterns, per_layer, _ = unambiguous(oracles.whole_plane_partition, net)
    part = regions.enumerate_regions(net)
    assert pattern_set(part) == set(patterns)
    assert list(part.per_layer) == per_layer


def test_thin_far_cone_on_the_whole_plane():
    # Found by fuzzing: one region of this network is a cone so thin that it only reaches
    # a ball of radius 1 at about 1.2e7 from the origin (margin capped at RADIUS_CAP = 1e3 there).
    # Brute force over patterns (whose LP has no square to miss it) confirms all 50 regions.
    net = random_net([2, 6, 6, 1], ["relu", "relu", "identity"], 127, bias_std=3.0)
    part = regions.enumerate_regions(net)
    assert len(part) == 50
    assert pattern_set(part) == unambiguous(oracles.brute_force_patterns, net,
                                            oracles.whole_slice(2))



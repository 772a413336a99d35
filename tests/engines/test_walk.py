"""The breadth-first walk (second enumeration algorithm).

Independent sources: Zaslavsky's formula and the parallel-families formula
for one layer; brute force over all patterns with Clarabel LPs
(``oracles.brute_force_patterns``); polygon clipping (``polygon_partition``)
and the 1-D breakpoint sweep (``line_partition``) on 2-D and 1-D domains; the
independent forward pass ``oracles.true_patterns``. The layer-by-layer split
(a different algorithm of the package) is compared too, but never as the only
source of an expected answer. Degenerate inputs run on the walk in
tests/test_degenerate.py.
"""

import numpy as np
import pytest

import regions

import oracles
from oracles import pattern_set, random_net, unambiguous, zaslavsky

ACTIVATIONS = ["relu", "leaky_relu", "hardtanh"]


def enumerate_walk(net, domain=None, **options):
    return regions.enumerate_regions(net, domain, method="walk", **options)


SQ = oracles.box_slice([-1, -1], [1, 1])
P3 = ([0, 0, 0], [1, 0, 0.3], [0, 1, -0.2])
SEG = ([-1, -1], [1, 0.7])
SETTINGS = {
    # name: (widths, regions domain builder, oracle: net -> pattern set)
    "box2": ([2, 5, 4, 1], lambda: regions.box(-1, 1),
             lambda net: set(oracles.polygon_partition(net, SQ, oracles.square(-1, 1))[0])),
    "box3": ([3, 4, 3, 1], lambda: regions.box(-1, 1),
             lambda net: oracles.brute_force_patterns(
                 net, oracles.box_slice(-np.ones(3), np.ones(3)))),
    "whole2": ([2, 4, 3, 1], lambda: None,
               lambda net: oracles.brute_force_patterns(net, oracles.whole_slice(2))),
    "deep-box2": ([2, 3, 3, 3, 1], lambda: regions.box(-2, 2),
                  lambda net: set(oracles.polygon_partition(
                      net, oracles.box_slice([-2, -2], [2, 2]), oracles.square(-2, 2))[0])),
    "plane3": ([3, 4, 4, 1], lambda: regions.plane(*P3, lo=-1, hi=1),
               lambda net: set(oracles.polygon_partition(
                   net, oracles.plane_slice(*P3, -1, 1), oracles.square(-1, 1))[0])),
    "segment2": ([2, 5, 5, 1], lambda: regions.segment(*SEG),
                 lambda net: {iv.pattern for iv in oracles.line_partition(
                     net, np.array(SEG[0], float),
                     (np.array(SEG[1]) - SEG[0]) / np.linalg.norm(np.subtract(SEG[1], SEG[0])),
                     0.0, float(np.linalg.norm(np.subtract(SEG[1], SEG[0]))))}),
}


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("seed", [0] + [pytest.param(s, marks=pytest.mark.slow) for s in (1, 2)],
                         ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_walk_matches_oracles_and_split(activation, seed, setting):
    widths, make_domain, oracle = SETTINGS[setting]
    acts = [activation] * (len(widths) - 2) + ["identity"]
    net = random_net(widths, acts, seed)
    truth = unambiguous(oracle, net)
    walk = enumerate_walk(net, make_domain())
    assert pattern_set(walk) == truth
    split = regions.enumerate_regions(net, make_domain(), method="split")
    assert pattern_set(split) == truth
    assert walk.per_layer == split.per_layer


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("dim,width", [(2, 5), (2, 8), (3, 5)])
def test_one_layer_count_is_zaslavsky(dim, width, seed):
    rng = np.random.default_rng(100 * dim + width + seed)
    net = regions.Network.from_layers([(rng.normal(size=(width, dim)), rng.normal(size=width)),
                                       (np.ones((1, width)), np.zeros(1))])
    assert len(enumerate_walk(net)) == zaslavsky(width, dim)


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_hardtanh_layer_count_is_parallel_families(seed):
    rng = np.random.default_rng(seed)
    net = regions.Network.from_layers([(rng.normal(size=(4, 2)), rng.normal(0, 0.3, size=4)),
                                       (np.ones((1, 4)), np.zeros(1))],
                                      ["hardtanh", "identity"])
    assert len(enumerate_walk(net)) == oracles.parallel_families(4, 2, 2)


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_walk_matches_brute_force(activation, seed):
    net = random_net([2, 3, 3, 1], [activation, activation, "identity"], seed)
    expected = unambiguous(oracles.brute_force_patterns, net,
                           oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(enumerate_walk(net, regions.box(-1, 1))) == expected


def test_regions_are_consistent_with_an_independent_forward_pass():
    net = random_net([2, 5, 4, 2], ["relu", "hardtanh", "identity"], seed=7)
    part = enumerate_walk(net, regions.box(-1, 1))
    assert np.array_equal(oracles.true_patterns(net, part.witnesses), part.patterns)
    for region in part:
        assert np.all(region.A @ region.witness < region.b)
        assert region.margin > 1e-7
        # The affine map is the network's output on the region.
        assert np.allclose(region.C @ region.witness + region.d, net.forward(region.witness))


def test_order_is_sorted_and_independent_of_the_start():
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=3)
    domain = regions.box(-1, 1)
    first = enumerate_walk(net, domain)
    rows = [tuple(p) for p in first.patterns.tolist()]
    assert rows == sorted(rows)
    assert set(rows) == set(oracles.polygon_partition(net, SQ, oracles.square(-1, 1))[0])
    for start in ([0.9, -0.9], [-0.5, 0.4]):
        other = enumerate_walk(net, domain, start=start)
        assert np.array_equal(other.patterns, first.patterns)


def test_start_on_a_hyperplane_is_moved_off_it():
    # The start (0, 0) lies on both neurons' lines x = 0 and y = 0.
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    part = enumerate_walk(net, regions.box(-1, 1), start=[0.0, 0.0])
    assert pattern_set(part) == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_bad_arguments():
    net = random_net([2, 3, 1], ["relu", "identity"], seed=0)
    with pytest.raises(regions.DomainError, match="outside"):
        enumerate_walk(net, regions.box(-1, 1), start=[2.0, 0.0])
    with pytest.raises(regions.DomainError, match="shape"):
        enumerate_walk(net, regions.box(-1, 1), start=[0.0])
    with pytest.raises(regions.RegionsError, match="min_radius"):
        enumerate_walk(net, min_radius=0.0)
    with pytest.raises(TypeError):
        enumerate_walk("not a network")




def test_the_walk_starts_inside_a_polytope_near_1e304():
    # found by fuzzing: HiGHS's centre was not certified, and the exact interior point,
    # rounded to float64, fell outside; the walk refused the domain ("the start point lies
    # outside the domain") where the other engines count it
    A = np.array([[1.0], [-0.9999999990686774]])
    c = np.array([2.1944496275174755e+304, -2.1944485811223513e+304])
    net = regions.Network.from_layers([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    truth = oracles.exact_patterns(net, oracles.polytope_slice(A, c))
    part = regions.enumerate_regions(net, regions.polytope(A, c), method="walk")
    assert pattern_set(part) == truth and len(truth) == 1

"""Enumeration entry points: which engine ``method="auto"`` takes (the regions it finds
checked by brute force over patterns on the domain the oracle rebuilds), and the counting
path of ``regions.count_regions`` against Zaslavsky's formula and brute force."""

import numpy as np
import pytest

import regions
from regions.random_networks import random_network

import oracles
from marks import engines
from oracles import pattern_set, random_net, unambiguous


E6 = [np.zeros(6), np.eye(6)[0], np.eye(6)[1]]
E3 = [np.zeros(3), np.eye(3)[0], np.eye(3)[1]]
QUADRANT = (np.array([[1.0, 0], [0, 1]]), np.array([1.0, 1.0]))
TRIANGLE = (np.array([[1.0, 0], [0, 1], [-1, -1]]), np.array([1.0, 1.0, 1.0]))


@pytest.mark.parametrize("domain,sl,n,expected", [
    (regions.box(-1, 1), oracles.box_slice(-np.ones(2), np.ones(2)), 2, "vertex"),
    (regions.box(-1, 1), oracles.box_slice(-np.ones(1), np.ones(1)), 1, "vertex"),
    (regions.box(-1, 1), oracles.box_slice(-np.ones(4), np.ones(4)), 4, "vertex"),
    (regions.box(-1, 1), oracles.box_slice(-np.ones(7), np.ones(7)), 7, "vertex"),
    # [n, 3, 1]: the cost model (regions.enumeration.vertex_advantage) predicts the split
    # engine faster from the 8-D box on
    (regions.box(-1, 1), oracles.box_slice(-np.ones(8), np.ones(8)), 8, "split"),
    (regions.box(-1, 1), oracles.box_slice(-np.ones(9), np.ones(9)), 9, "split"),
    (None, oracles.whole_slice(2), 2, "vertex"),
    (regions.whole_space(), oracles.whole_slice(3), 3, "vertex"),
    (regions.whole_space(), oracles.whole_slice(10), 10, "vertex"),
    (regions.whole_space(), oracles.whole_slice(11), 11, "vertex"),   # rank 3: a 3-D slice
    (regions.line([0, 0, 0], [1, 1, 0]), oracles.line_slice([0, 0, 0], [1, 1, 0]), 3, "vertex"),
    (regions.plane(*E6, lo=-1, hi=1), oracles.plane_slice(*E6, -1, 1), 6, "vertex"),
    (regions.plane(*E3), oracles.plane_slice(*E3), 3, "vertex"),
    (regions.segment([0.0] * 7, [1.0] * 7), oracles.segment_slice([0.0] * 7, [1.0] * 7)[0], 7,
     "vertex"),
    (regions.polytope(*QUADRANT), oracles.polytope_slice(*QUADRANT), 2, "split"),  # unbounded
    (regions.polytope(*TRIANGLE), oracles.polytope_slice(*TRIANGLE), 2, "vertex"),
], ids=["box2", "box1", "box4", "box7", "box8", "box9", "none", "whole3", "whole10", "whole11", "line",
        "plane6",
        "plane_unbounded", "segment7", "quadrant", "triangle"])
def test_auto_picks_vertex_where_it_applies(domain, sl, n, expected):
    net = random_net([n, 3, 1], ["relu", "identity"], seed=2)
    part = regions.enumerate_regions(net, domain, method="auto")
    assert part.method == expected
    # The regions, by brute force over patterns on the domain rebuilt by the oracle.
    assert pattern_set(part) == unambiguous(oracles.brute_force_patterns, net, sl)


@pytest.mark.parametrize("dim,width,domain,expected", [
    (3, 6, None, "vertex"),
    (11, 11, None, "vertex"),           # 2^11 cones, each a region: no cut
    (8, 6, regions.box(-1, 1), "split"),
    (9, 6, regions.box(-1, 1), "split"),
], ids=["whole3", "whole11", "box8", "box9"])
def test_auto_picks_one_engine_and_its_count_is_the_other_ones(dim, width, domain, expected):
    """The cost model's choice depends on the network and the domain only (asked twice, the
    same engine), and whichever engine it picks, its count is the other engine's, and on
    all of R^n Zaslavsky's (one layer of Gaussian rows: general position)."""
    from regions.enumeration import vertex_advantage

    rng = np.random.default_rng(dim * width)
    net = oracles.hidden(rng.normal(size=(width, dim)), rng.normal(size=width))
    bounded = domain is not None
    advantage = vertex_advantage(net, dim, bounded, False, facets=2 * dim if bounded else 0)
    first, second = (regions.count_regions(net, domain) for _ in range(2))
    assert first.method == second.method == expected == ("vertex" if advantage > 0
                                                         else "split")
    other = regions.count_regions(net, domain, method={"vertex": "split",
                                                       "split": "vertex"}[expected])
    assert first.complete and other.complete
    assert first.regions == second.regions == other.regions
    if domain is None:
        assert first.regions == oracles.zaslavsky(width, dim)


def test_auto_counts_cylinders_in_the_dimensions_the_first_layer_spans():
    """On R^16 a first layer of rank 3 makes every region a cylinder over a 3-D slice:
    auto takes the vertex engine there, and finds the regions of brute force."""
    net = random_net([16, 3, 4, 1], ["relu", "relu", "identity"], seed=4)
    part = regions.enumerate_regions(net, regions.whole_space(), method="auto")
    assert part.method == "vertex"
    assert pattern_set(part) == unambiguous(oracles.brute_force_patterns, net,
                                            oracles.whole_slice(16))


@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
@pytest.mark.parametrize("dim,width", [(2, 7), (3, 6)])
def test_count_regions_without_keeping_them(dim, width, method):
    # The counting path drops every batch of regions as it comes: its count is Zaslavsky's on
    # R^n, brute force's on a box, and its per-layer counts those of the truncated networks.
    rng = np.random.default_rng(dim * width)      # Gaussian rows: general position a.s.
    net = oracles.hidden(rng.normal(size=(width, dim)), rng.normal(size=width))
    counted = regions.count_regions(net, method=method)
    assert counted.regions == oracles.zaslavsky(width, dim) and counted.complete
    assert counted.per_layer == [counted.regions] * 2 and counted.method == method
    deep = random_net([dim, 4, 3, 1], ["relu", "hardtanh", "identity"], seed=2)
    counted = regions.count_regions(deep, regions.box(-1, 1), method=method)
    truth = unambiguous(oracles.brute_force_patterns, deep,
                        oracles.box_slice(-np.ones(dim), np.ones(dim)))
    assert counted.regions == len(truth)
    assert counted.summary()["regions"] == len(truth)
    partial = regions.count_regions(deep, regions.box(-1, 1), method=method, max_regions=3)
    assert (partial.regions, partial.complete, partial.stop_reason) == (3, False, "max_regions")


def test_auto_with_a_checkpoint_keeps_the_vertex_engine(tmp_path):
    """A checkpoint no longer forces the slower LP engine on a bounded 2-D domain."""
    net = random_network([2, 12, 12, 12, 1], seed=3)
    part = regions.enumerate_regions(net, regions.box(-1, 1), checkpoint=tmp_path / "run.npz")
    assert part.method == "vertex" and part.lps <= 1     # the domain's inscribed ball at most

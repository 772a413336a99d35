"""Paths through a partition, against independent sources.

segment_path: the exact breakpoint sweep of oracles.line_partition; region_path: in a
hyperplane arrangement the shortest walk crosses exactly the hyperplanes that separate the
two regions (the Hamming distance of their patterns). Max layers: the exact brute force on
the segment, and the cones of max(|x|, |y|) by hand."""

import numpy as np
import pytest

import regions

import oracles
import rational_oracle as ro
from max_networks import max_net, pooled
from oracles import random_net


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_segment_path_breakpoints_are_the_exact_sweep(seed):
    net = random_net([2, 6, 6, 1], ["relu", "relu", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    a, b = np.array([-0.9, -0.7]), np.array([0.8, 0.9])
    path = regions.segment_path(part, a, b)
    length = np.linalg.norm(b - a)
    truth = oracles.line_partition(net, a, (b - a) / length, 0.0, length)
    assert len(path) == len(truth)
    for (region, t0, t1), interval in zip(path, truth):
        assert t0 == pytest.approx(interval.lo / length, abs=1e-9)
        assert t1 == pytest.approx(interval.hi / length, abs=1e-9)
        assert tuple(part.patterns[region]) == interval.pattern


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_region_path_crosses_exactly_the_separating_hyperplanes(seed):
    net = random_net([2, 7, 1], ["relu", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    G = regions.adjacency_graph(part)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        i, j = (int(r) for r in rng.choice(len(part), size=2, replace=False))
        walk, flips = regions.region_path(part, i, j, G)
        assert walk[0] == i and walk[-1] == j
        separating = int(np.sum(part.patterns[i] != part.patterns[j]))
        assert len(flips) == separating
        assert sorted(n for _, n in flips) == sorted(np.flatnonzero(part.patterns[i] != part.patterns[j]).tolist())




def test_paths_across_the_cones_of_max_of_absolute_values():
    """max(x, -x, y, -y) on [-1, 1]^2: the segment from (1, -1/2) to (-3/2, -1/2) meets the
    diagonals at t = 1/5 and 3/5 (x, then -y, then -x) and leaves the box at t = 4/5;
    the shortest walk from x's cone to -x's crosses two pair hyperplanes of unit 0."""
    net = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]]), np.zeros(4)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3]]})
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    path = regions.segment_path(part, [1.0, -0.5], [-1.5, -0.5])
    assert [(int(part.patterns[r][0]) if r >= 0 else -1, t0, t1) for r, t0, t1 in path] == [
        (0, 0.0, 0.2), (3, 0.2, 0.6), (1, 0.6, 0.8), (-1, 0.8, 1.0)]
    source, target = (int(np.flatnonzero(part.patterns[:, 0] == s)[0]) for s in (0, 1))
    walk, flips = regions.region_path(part, source, target)
    assert len(walk) == 3 and flips == [(0, 0), (0, 0)]
    assert int(part.patterns[walk[1]][0]) in (2, 3)


@pytest.mark.parametrize("seed", range(2))
def test_max_pooled_segment_paths_are_the_brute_force_regions_of_the_segment(seed):
    net = pooled(seed)
    part = regions.enumerate_regions(net, regions.box(-1.5, 1.5))
    a, b = np.array([-1.4, -1.1]), np.array([1.3, 1.2])
    path = regions.segment_path(part, a, b)
    truth = ro.brute_force_regions(net, regions.segment(a, b).resolve(2))
    assert {tuple(part.patterns[r].tolist()) for r, _, _ in path} == truth
    assert len(path) == len(truth) and path[0][1] == 0.0 and path[-1][2] == 1.0
    for (_, _, t1), (_, t0, _) in zip(path[:-1], path[1:]):
        assert t1 == t0

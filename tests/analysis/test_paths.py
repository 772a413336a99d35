"""Paths through a partition, against independent sources.

segment_path: the exact breakpoint sweep of oracles.line_partition; region_path: in a
hyperplane arrangement the shortest walk crosses exactly the hyperplanes that separate the
two regions (the Hamming distance of their patterns)."""

import numpy as np
import pytest

import regions

import oracles
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



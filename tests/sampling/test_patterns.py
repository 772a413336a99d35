"""Distinct activation patterns of sampled points (``regions.sampling``, patterns): they
converge to the patterns of polygon clipping (the oracles), in proportion to the regions'
areas, and their curve matches its closed-form expectation on strips of known width."""

import math

import numpy as np
import pytest
from scipy.spatial import ConvexHull

import regions
from regions import sampling as S
from regions.random_networks import random_network

import oracles


def strips():
    """One ReLU layer with breakpoints x = -0.5, 0, 0.5, 0.9: five vertical strips of
    [-1, 1]^2 holding fractions 0.25, 0.25, 0.25, 0.2, 0.05 of the box."""
    cuts = np.array([-0.5, 0.0, 0.5, 0.9])
    W = np.column_stack([np.ones(4), np.zeros(4)])
    return regions.Network.from_layers([(W, -cuts), (np.ones((1, 4)), np.zeros(1))])


@pytest.mark.parametrize("seed", range(3))
def test_distinct_patterns_converge_on_small_2d_networks(seed):
    net = random_network([2, 5, 5, 1], seed=seed)
    patterns, _, polygons = oracles.unit_square_partition(net)
    areas = np.array([ConvexHull(np.asarray(p, float)).volume for p in polygons])
    assert areas.sum() == pytest.approx(4.0)
    samples = 1 << 19
    result = S.distinct_patterns(net, regions.box(-1, 1), samples, seed=seed)
    # A region holding a fraction a of the box is missed with probability (1 - a)^N < e^{-40}
    # once a > 40 / N: all those must be found, and nothing beyond the exact count.
    certain = {tuple(p) for p, a in zip(patterns, areas) if a / 4.0 > 40.0 / samples}
    found = oracles.row_set(result.patterns)
    assert certain <= found <= set(patterns)
    assert len(certain) <= result.distinct <= len(patterns)
    assert np.all(np.diff(result.curve) >= 0)
    assert result.curve[-1] == result.distinct and result.sizes[-1] == samples
    assert result.curve[0] == 1


def test_distinct_pattern_curve_in_expectation():
    # Uniform points: the expected number of distinct patterns among the first N is
    # sum_r 1 - (1 - p_r)^N over the strips' fractions p_r. Averaged over 300 seeds it must
    # be within five standard errors of that, at every size of the curve.
    p = np.array([0.25, 0.25, 0.25, 0.2, 0.05])
    sizes = [1, 2, 5, 10, 20, 60]
    net = strips()
    curves = np.array([S.distinct_patterns(net, regions.box(-1, 1), 60, seed=s, sizes=sizes).curve
                       for s in range(300)])
    expected = np.array([np.sum(1 - (1 - p) ** n) for n in sizes])
    # Hand values: N = 1: 1; N = 2: 2 - sum p_r^2 = 2 - (3 * 0.0625 + 0.04 + 0.0025) = 1.77.
    assert expected[:2] == pytest.approx([1.0, 1.77])
    mean = curves.mean(axis=0)
    error = curves.std(axis=0, ddof=1) / math.sqrt(len(curves))
    assert np.all(np.abs(mean - expected) <= 5 * error + 1e-12), (mean, expected)
    assert np.all(curves[:, 0] == 1)
    assert np.all(np.diff(curves, axis=1) >= 0)


def test_distinct_pattern_curve_sizes():
    result = S.distinct_patterns(strips(), regions.box(-1, 1), 1000, sizes=[10, 100, 1000])
    assert result.sizes.tolist() == [10, 100, 1000]
    assert result.curve[-1] == result.distinct
    # Strip patterns, left to right: 0000, 1000, 1100, 1110, 1111. The smallest strip holds
    # 5% of the box: 1000 points miss it with probability 0.95^1000 < 1e-22.
    assert oracles.row_set(result.patterns) == {(0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 0, 0),
                                                (1, 1, 1, 0), (1, 1, 1, 1)}
    assert result.distinct == 5

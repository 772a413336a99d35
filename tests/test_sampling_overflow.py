"""The sampled estimates near the ends of float64 (cases found by fuzzing): the line counts
stay exact, the sampled patterns are patterns of regions, and no raw OverflowError or numpy
warning escapes. Counts and patterns come from the exact oracles of ``tests/oracles.py`` and
``tests/rational_oracle.py``."""

import warnings

import numpy as np
import pytest

import regions
from regions import sampling as S
from regions.domain import resolve

import oracles
import rational_oracle as ro


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_lines_on_a_plane_near_1e307_with_a_repeated_hyperplane():
    # two leaky neurons on one hyperplane (-x3 - 1, -2 x3 - 2) of a plane through points
    # near 1e307: a root beyond float64 ordered nothing, and a line was cut three times
    h = 1.1235582092889474e+307
    net = regions.Network.from_layers(
        [([[0.0, 0.0, -1.0, 0.0], [0.0, 0.0, -2.0, 0.0]], [-1.0, -2.0]),
         ([[0.0, 0.0], [0.0, 2.0 ** 298], [0.0, -2.0 ** 298]],
          [2.0 ** 339, 2.0 ** 339, -2.0 ** 339]),
         ([[1.0, 1.0, 1.0]], [0.0])],
        ["leaky_relu", "identity", "identity"], slope=2.0 ** -1074)
    domain = regions.plane([h, -h, h, 2 * h], [-2 * h, -2 * h, 0.0, 0.0], [-h, -2 * h, -h, 2 * h])
    truth = ro.exact_regions(net, domain)
    assert len(truth) == 2
    counts = S.regions_along_lines(net, domain, lines=12, seed=261)
    assert counts.counts.max() <= len(truth)
    assert oracles.row_set(counts.patterns) <= set(truth)


def test_lines_through_breakpoints_at_1e308():
    # the exact sweep's piece widths (beyond float64) raised OverflowError
    net = regions.Network.from_layers([([[1.0, 0.0], [1.0, 0.0]], [1e308, -1e308]),
                                       (np.ones((1, 2)), np.zeros(1))])
    counts = S.regions_along_lines(net, lines=5)
    # every line not parallel to x = 0 crosses x = -1e308 and x = 1e308: three pieces
    assert counts.counts.tolist() == [3] * 5


def test_sampled_patterns_where_the_forward_pass_overflows():
    # leaky slope 2^1023: the second layer's exact input is 2^1024 x > 0, float64 gives
    # inf - inf; the pattern of such points is decided exactly
    net = regions.Network.from_layers([([[-4.0], [-2.0]], [0.0, 0.0]), ([[-1.0, 1.0]], [0.0]),
                                       ([[1.0]], [0.0])], ["leaky_relu", "relu", "identity"],
                                      slope=2.0 ** 1023)
    truth = oracles.exact_patterns(net, oracles.box_slice([1.0], [2.0]))
    sample = S.distinct_patterns(net, regions.box(1.0, 2.0), samples=100)
    assert oracles.row_set(sample.patterns) == truth


def test_points_and_patterns_of_the_largest_box():
    # the box's width, 2^1024, overflows float64 (numpy's uniform raised OverflowError)
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    domain = resolve(regions.box(-2.0 ** 1023, 2.0 ** 1023), net)
    points = S.sample_points(domain, 200, np.random.default_rng(0))
    assert np.all(np.isfinite(points)) and np.all(np.abs(points) <= 2.0 ** 1023)
    truth = oracles.exact_patterns(net, oracles.box_slice([-2.0 ** 1023] * 2, [2.0 ** 1023] * 2))
    sample = S.distinct_patterns(net, domain, samples=200)
    assert oracles.row_set(sample.patterns) == truth == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_lines_meet_a_box_of_2_600():
    # the box's diagonal squared overflows: random lines "rarely met" the box
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    counts = S.regions_along_lines(net, regions.box(-2.0 ** 600, 2.0 ** 600), lines=10)
    # a line crosses each of the two axes at most once: 1 to 3 regions of the 4
    assert 1 <= counts.counts.min() and counts.counts.max() <= 3
    assert oracles.row_set(counts.patterns) <= {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_density_on_a_box_2_minus_700_wide():
    # lambda ~ 2^700: (lambda / 2)^4 overflowed (a raw OverflowError), the expected count
    # multiplied it by the sides' products, which underflow, and the lines' offsets were
    # drawn on a disc of radius 0 (the box's diagonal, whose square underflowed)
    net = regions.Network.from_layers([(np.eye(4), np.zeros(4)), (np.ones((1, 4)), np.zeros(1))])
    small = regions.box(-2.0 ** -700, 2.0 ** -700)
    estimate = S.density_estimate(net, small, lines=20)
    same = S.density_estimate(net, regions.box(-1.0, 1.0), lines=20)
    # the problem is the unit box's, scaled by 2^-700: the same line counts, so the same
    # expected count, which float64 now computes
    assert estimate.expected_regions == pytest.approx(same.expected_regions, rel=1e-12)
    assert np.isfinite(estimate.expected_regions)
    assert estimate.regions_per_volume == np.inf     # 2^2800 and more per unit volume


def test_sampled_patterns_where_float64_cancels_without_overflow():
    # weights from 2^-771 to 2: the float64 forward pass's values stay finite but some of
    # their signs are wrong (a pattern of no region was counted); uncertified states are
    # now decided exactly
    x = float.fromhex
    net = regions.Network.from_layers(
        [([[-1.0, 2.0, 0.0], [-x("0x1p-771"), x("0x1p-770"), 0.0]], [1.0, 0.0]),
         ([[-1.0, 0.0], [-x("0x1p-143"), x("0x1p-142")]], [0.0, x("0x1p-143")]),
         ([[0.0, -1.0], [0.0, -1.0], [0.0, -1.0]], [-2.0, x("-0x1.fffffffffffffp+0"), 0.0]),
         ([[1.0, 1.0, 1.0]], [0.0])],
        ["hardtanh", "relu", "hardtanh", "identity"])
    truth = oracles.exact_patterns(net, oracles.whole_slice(3))
    sample = S.distinct_patterns(net, samples=3000, seed=84)
    assert oracles.row_set(sample.patterns) <= truth


def test_lines_whose_chords_are_longer_than_float64():
    # a chord of the box longer than 1.8e308: its length rounded to float64 raised
    # OverflowError; it is inf
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    counts = S.regions_along_lines(net, regions.box(-1.5e308, 1.5e308), lines=10)
    assert oracles.row_set(counts.patterns) <= {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert 1 <= counts.counts.min() and counts.counts.max() <= 3
    assert np.any(np.isinf(counts.lengths))

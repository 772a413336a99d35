"""The full-dimensionality tolerance: hand-worked slivers and stability on random networks."""

import numpy as np
import pytest

import regions
from regions.random_networks import random_network


def two_breakpoints_1d(width: float) -> regions.Network:
    """ReLU neurons at x = 0 and x = width on R: three intervals, the middle one of length width."""
    return regions.Network.from_layers(
        [(np.array([[1.0], [1.0]]), np.array([0.0, -width])), (np.ones((1, 2)), np.zeros(1))])


@pytest.mark.parametrize("width", [1e-2, 1e-3, 1e-4])
def test_middle_interval_counted_iff_half_width_exceeds_min_radius(width):
    net = two_breakpoints_1d(width)
    assert len(regions.enumerate_regions(net, min_radius=width / 2 * 0.9)) == 3
    assert len(regions.enumerate_regions(net, min_radius=width / 2 * 1.1)) == 2


def test_thin_strip_in_2d():
    # Two parallel lines y = 0 and y = w: the strip between them has inscribed radius w / 2.
    w = 1e-4
    net = regions.Network.from_layers(
        [(np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([0.0, -w])), (np.ones((1, 2)), np.zeros(1))])
    assert len(regions.enumerate_regions(net, regions.box(-1, 1), min_radius=w / 2 * 0.9)) == 3
    assert len(regions.enumerate_regions(net, regions.box(-1, 1), min_radius=w / 2 * 1.1)) == 2


@pytest.mark.parametrize("seed", range(4))
def test_count_stable_over_orders_of_magnitude(seed):
    net = random_network([2, 8, 8, 1], seed=seed)
    counts = {len(regions.enumerate_regions(net, regions.box(-1, 1), min_radius=r))
              for r in (1e-11, 1e-9, 1e-7, 1e-5)}
    assert len(counts) == 1


def test_bad_min_radius_is_rejected():
    with pytest.raises(regions.RegionsError):
        regions.enumerate_regions(two_breakpoints_1d(1.0), min_radius=0.0)

"""The boundary density estimate (``regions.sampling``, density) against exact boundary
lengths and areas of hyperplanes clipped to a box (Crofton), within five standard errors,
and the exact 1-D sweep of ``oracles.segment_count`` (a maxout envelope: by hand)."""

import math

import numpy as np
import pytest
from scipy.spatial import ConvexHull

import regions
from regions import sampling as S
from regions.errors import DomainError, RegionsError
from regions.random_networks import random_network

import oracles
from max_networks import max_net


def _clipped_length(w, b, lo=-1.0, hi=1.0):
    """Length of {x in [lo, hi]^2 : w.x + b = 0} (Liang-Barsky clipping)."""
    point = -b * w / (w @ w)
    direction = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    t0, t1 = -np.inf, np.inf
    for axis in range(2):
        if direction[axis] == 0:
            if not lo <= point[axis] <= hi:
                return 0.0
            continue
        a, c = sorted([(lo - point[axis]) / direction[axis], (hi - point[axis]) / direction[axis]])
        t0, t1 = max(t0, a), min(t1, c)
    return max(0.0, t1 - t0)


def _clipped_area(w, b):
    """Area of {x in [-1, 1]^3 : w.x + b = 0}: polygon through its crossings of the cube's edges."""
    corners = np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T.astype(float)
    points = []
    for i in range(8):
        for j in range(8):
            if np.sum(corners[i] != corners[j]) == 1 and i < j:
                fi, fj = corners[i] @ w + b, corners[j] @ w + b
                if fi * fj < 0:
                    points.append(corners[i] + fi / (fi - fj) * (corners[j] - corners[i]))
    if len(points) < 3:
        return 0.0
    points = np.array(points)
    basis = np.linalg.svd(np.atleast_2d(w))[2][1:]        # orthonormal basis of the plane
    return ConvexHull((points - points.mean(axis=0)) @ basis.T).volume


@pytest.mark.parametrize("dim", [2, 3])
def test_crofton_boundary_density(dim):
    # For a one-layer network the boundaries are hyperplanes whose clipped lengths (2-D) or
    # areas (3-D) we compute exactly; isotropic lines must recover them via S = c_n lambda.
    rng = np.random.default_rng(dim)
    width = 6
    W, b = rng.normal(size=(width, dim)), rng.uniform(-0.8, 0.8, size=width)
    net = regions.Network.from_layers([(W, b), (np.ones((1, width)), np.zeros(1))])
    clip = _clipped_length if dim == 2 else _clipped_area
    exact = sum(clip(w, c) for w, c in zip(W, b)) / 2.0 ** dim
    estimate = S.density_estimate(net, regions.box(-1, 1), 20_000, seed=dim)
    factor = estimate.boundary_density / estimate.crossings_per_length
    assert factor == pytest.approx({2: math.pi / 2, 3: 2.0}[dim])
    assert abs(estimate.boundary_density - exact) < 5 * factor * estimate.standard_error
    assert estimate.volume == pytest.approx(2.0 ** dim)


def test_density_estimate_is_exact_in_one_dimension():
    net = random_network([3, 6, 6, 1], seed=5)
    p0, p1 = np.array([-1.0, 0.5, 0.2]), np.array([1.5, -0.3, 0.4])
    segment = regions.segment(p0, p1)
    estimate = S.density_estimate(net, segment, 1)
    assert estimate.expected_regions == pytest.approx(oracles.segment_count(net, p0, p1))
    assert estimate.regions_per_volume == pytest.approx(estimate.crossings_per_length)


def test_density_needs_a_bounded_domain():
    net = random_network([2, 3, 1], seed=0)
    with pytest.raises(DomainError):
        S.density_estimate(net, None)
    with pytest.raises(RegionsError):
        S.distinct_patterns(net, regions.box(-1, 1), 0)
    with pytest.raises(DomainError):
        S.regions_on_segments(net, np.zeros(2), np.zeros(2))


def test_max_units_density_is_exact_in_one_dimension():
    """The maxout envelope max(x, -x, 1/2, 2x - 3, -3x - 5, -1) on [-4, 5] has 5 pieces
    (breakpoints -5/2, -1/2, 1/2, 3 by hand); its 6 inputs make 15 pair hyperplanes."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    net = max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                  {0: [list(range(6))]})
    estimate = S.density_estimate(net, regions.box(-4, 5), 3)
    assert estimate.expected_regions == pytest.approx(5.0)
    assert estimate.crossings_per_length == pytest.approx(4 / 9)
    assert estimate.neurons == 15

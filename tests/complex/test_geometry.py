"""1-D and 2-D geometry: polygons, areas, the vertex/edge complex, intervals.

Independent sources: domain areas by hand; per-region areas from the
LP-free clipping oracle ``oracles.polygon_partition``; vertex and edge counts
of a line arrangement in a box from pairwise intersections computed here;
Euler's relation V - E + F = 1 for a bounded convex domain; 1-D breakpoints
from the exact sweep ``oracles.line_partition``.
"""

import itertools

import numpy as np
import pytest

import regions
from regions.complex import geometry

import oracles
from oracles import random_net, unambiguous

ACTIVATIONS = ["relu", "leaky_relu", "hardtanh"]


def shoelace(polygon):
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_areas_sum_to_the_box_and_euler_holds(activation, seed):
    net = random_net([2, 6, 5, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box([-1, -0.5], [2, 1]))
    complex_ = geometry.planar_complex(part)
    assert complex_.areas.sum() == pytest.approx(3.0 * 1.5, abs=1e-12)
    assert np.all(complex_.areas > 0)
    assert complex_.euler_characteristic == 1
    # Every edge borders one or two faces; those with one lie on the box boundary.
    sides = {}
    for face, ring in enumerate(complex_.faces):
        for u, v in zip(ring, np.roll(ring, -1)):
            sides.setdefault((min(u, v), max(u, v)), []).append(face)
    assert set(sides) == {tuple(e) for e in complex_.edges.tolist()}
    for (u, v), faces in sides.items():
        assert len(faces) in (1, 2)
        if len(faces) == 1:
            mid = (complex_.vertices[u] + complex_.vertices[v]) / 2
            assert min(mid[0] + 1, 2 - mid[0], mid[1] + 0.5, 1 - mid[1]) < 1e-9


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_region_areas_match_the_clipping_oracle(activation, seed):
    net = random_net([2, 5, 4, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    patterns, _, polygons = oracles.unit_square_partition(net)
    expected = {p: shoelace(poly) for p, poly in zip(patterns, polygons)}
    areas = geometry.region_areas(part)
    assert {tuple(int(s) for s in row): pytest.approx(a, abs=1e-12)
            for row, a in zip(part.patterns, areas)} == expected


def test_plane_slice_and_polytope_domains():
    net = random_net([3, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    plane = regions.plane([0.1, 0, 0], [1, 0.3, 0], [0, 1, 0.4], lo=-1, hi=1.5)
    complex_ = geometry.planar_complex(regions.enumerate_regions(net, plane))
    assert complex_.areas.sum() == pytest.approx(2.5 ** 2, abs=1e-12)
    assert complex_.euler_characteristic == 1
    net2 = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    triangle = regions.polytope([[-1, 0], [0, -1], [1, 1]], [0, 0, 1])  # x, y >= 0, x + y <= 1
    part = regions.enumerate_regions(net2, triangle)
    complex_ = geometry.planar_complex(part)
    assert complex_.areas.sum() == pytest.approx(0.5, abs=1e-12)
    assert complex_.euler_characteristic == 1
    assert geometry.polygon_area(geometry.domain_polygon(part.domain)) == pytest.approx(0.5)


def arrangement_counts(W, b, lo, hi):
    """V and E of N lines in general position cut to the box [lo, hi]^2, by direct geometry."""
    inside = lambda p: np.all(p > lo) and np.all(p < hi)  # noqa: E731
    crossings = [np.linalg.solve(W[[j, k]], -b[[j, k]])
                 for j, k in itertools.combinations(range(len(W)), 2)]
    interior = sum(1 for p in crossings if inside(p))
    hits = 0  # points where a line meets the box boundary
    for w, c in zip(W, b):
        for axis, value in itertools.product(range(2), (lo, hi)):
            other = 1 - axis
            if w[other] != 0:
                t = -(c + w[axis] * value) / w[other]
                hits += lo < t < hi
    lines_inside = hits // 2
    vertices = 4 + hits + interior
    # Each line inside the box is cut into (1 + crossings on it) edges; each crossing lies
    # on two lines. The boundary is cut into 4 + hits edges.
    edges = lines_inside + 2 * interior + 4 + hits
    return vertices, edges


@pytest.mark.parametrize("seed", range(6), ids=[f"seed{s}" for s in range(6)])
def test_line_arrangement_vertices_and_edges(seed):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(6, 2)), rng.normal(0, 0.5, size=6)
    net = regions.Network.from_layers([(W, b), (np.ones((1, 6)), np.zeros(1))])
    complex_ = geometry.planar_complex(regions.enumerate_regions(net, regions.box(-1, 1)))
    assert (len(complex_.vertices), len(complex_.edges)) == arrangement_counts(W, b, -1, 1)


class _Region:
    def __init__(self, A, b):
        self.A, self.b = np.asarray(A, float), np.asarray(b, float)


class _Partition:
    """Just what ``planar_complex`` reads: a domain and each region's rows ``A``, ``b``."""

    def __init__(self, domain, regions_):
        self.domain, self.regions, self.scale = domain, regions_, 1.0

    def __len__(self):
        return len(self.regions)

    def constraints(self, i):
        region = self.regions[i]
        return region.A, region.b, np.zeros(len(region.b), dtype=np.int64)


def test_a_vertex_inside_a_neighbours_side_splits_that_side():
    # Top half of the square as one cell, bottom half cut by x = 0: the top cell's lower side
    # passes through (0, 0), a corner of both bottom cells. (Exact network partitions are
    # face-to-face, so this arises only from merged slivers; the complex must still be right.)
    domain = regions.box([-1, -1], [1, 1])
    cells = [_Region([[0, -1]], [0]), _Region([[0, 1], [1, 0]], [0, 0]),
             _Region([[0, 1], [-1, 0]], [0, 0])]
    complex_ = geometry.planar_complex(_Partition(domain, cells))
    assert (len(complex_.vertices), len(complex_.edges), len(complex_.faces)) == (8, 10, 3)
    assert complex_.euler_characteristic == 1
    origin = int(np.argmin(np.linalg.norm(complex_.vertices, axis=1)))
    assert np.allclose(complex_.vertices[origin], 0.0)
    assert all(origin in ring for ring in complex_.faces)
    assert complex_.areas.tolist() == [2.0, 1.0, 1.0]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_intervals_tile_a_segment_and_match_the_exact_sweep(activation, seed):
    net = random_net([2, 6, 6, 1], [activation, activation, "identity"], seed)
    p0, p1 = np.array([-1.0, -0.5]), np.array([1.0, 0.8])
    part = regions.enumerate_regions(net, regions.segment(p0, p1))
    complex_ = geometry.interval_complex(part)
    length = np.linalg.norm(p1 - p0)
    order = np.argsort(complex_.intervals[:, 0])
    ordered = complex_.intervals[order]
    assert ordered[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert ordered[-1, 1] == pytest.approx(length, abs=1e-12)
    assert np.allclose(ordered[1:, 0], ordered[:-1, 1], atol=1e-12)
    assert complex_.euler_characteristic == 1
    sweep = unambiguous(oracles.line_partition, net, p0, (p1 - p0) / length, 0.0, length)
    assert np.allclose(complex_.breakpoints,
                       [sweep[0].lo] + [interval.hi for interval in sweep], atol=1e-9)


def test_clip_and_area_by_hand():
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)
    triangle = geometry.clip(square, np.array([1.0, 1.0]) / np.sqrt(2), 1 / np.sqrt(2))
    assert geometry.polygon_area(triangle) == pytest.approx(0.5)
    assert len(triangle) == 3
    assert geometry.polygon_area(square[::-1]) == pytest.approx(-1.0)
    assert len(geometry.clip(square, np.array([1.0, 0.0]), -1.0)) == 0


def test_needs_a_bounded_domain_of_the_right_dimension():
    net = random_net([2, 3, 1], ["relu", "identity"], seed=0)
    with pytest.raises(regions.DomainError, match="bounded"):
        geometry.planar_complex(regions.enumerate_regions(net))
    with pytest.raises(regions.DomainError, match="2-D"):
        geometry.planar_complex(regions.enumerate_regions(net, regions.segment([0, 0], [1, 1])))
    with pytest.raises(regions.DomainError, match="1-D"):
        geometry.interval_complex(regions.enumerate_regions(net, regions.box(-1, 1)))

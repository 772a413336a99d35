"""Domains: slices (segments, lines, planes) against independent oracles, and bad domains.

Independent sources: ``oracles.line_partition`` (exact breakpoint sweep along a
line), closed-form breakpoints of one-layer 1-D networks,
``oracles.brute_force_patterns`` and ``oracles.polygon_partition`` on planes
built with the oracle's own Gram-Schmidt.
"""

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq

import regions
from regions import sampling as S
from regions.lp import LPError, LPSolver

import oracles
import rational_oracle as ro
from max_networks import max_net
from oracles import pattern_set, random_net, unambiguous

SLICE_NETS = {
    "relu": ["relu", "relu", "identity"],
    "leaky": ["leaky_relu", "leaky_relu", "identity"],
    "hardtanh": ["hardtanh", "hardtanh", "identity"],
    "mixed": ["hardtanh", "relu", "identity"],
    "identity-middle": ["relu", "identity", "leaky_relu", "identity"],
}


def cases(names, count):
    """``(name, seed)`` parameters for every name and seed."""
    return [pytest.param(name, seed) for name in names for seed in range(count)]


def slice_net(name, n_in, seed, width=6):
    acts = SLICE_NETS[name]
    return random_net([n_in] + [width] * (len(acts) - 1) + [1], acts, seed)


def ordered_regions(part):
    """Regions of a 1-D partition sorted along the line."""
    order = np.argsort(part.witnesses[:, 0])
    return [part[int(i)] for i in order]


def interval_of(region):
    """``[lo, hi]`` of a 1-D region from its H-representation (rows +-1)."""
    lo, hi = -np.inf, np.inf
    for a, b in zip(region.A[:, 0], region.b):
        if a > 0:
            hi = min(hi, b / a)
        else:
            lo = max(lo, b / a)
    return lo, hi


def assert_matches_sweep(part, intervals):
    found = ordered_regions(part)
    assert [tuple(int(s) for s in r.pattern) for r in found] == [iv.pattern for iv in intervals]
    for region, interval in zip(found, intervals):
        lo, hi = interval_of(region)
        assert lo == pytest.approx(interval.lo, abs=1e-9) or lo == interval.lo == -np.inf
        assert hi == pytest.approx(interval.hi, abs=1e-9) or hi == interval.hi == np.inf
        assert interval.lo < region.witness[0] < interval.hi


# --------------------------------------------------------------------------- 1-D slices


@pytest.mark.parametrize("n_in", [2, 3, 5])
@pytest.mark.parametrize("name", sorted(SLICE_NETS))
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_segment_matches_breakpoint_sweep(name, n_in, seed):
    net = slice_net(name, n_in, seed, width=8)
    rng = np.random.default_rng(seed)
    p0, p1 = rng.normal(size=n_in), rng.normal(size=n_in) * 2.0
    _, length = oracles.segment_slice(p0, p1)
    direction = (p1 - p0) / length
    intervals = unambiguous(oracles.line_partition, net, p0, direction, 0.0, length)
    assert_matches_sweep(regions.enumerate_regions(net, regions.segment(p0, p1)), intervals)


WHOLE_LINE_CASES = cases(sorted(SLICE_NETS), 4)


@pytest.mark.parametrize("name,seed", WHOLE_LINE_CASES)
def test_whole_line_matches_breakpoint_sweep(name, seed):
    net = slice_net(name, 3, seed)
    rng = np.random.default_rng(seed + 50)
    p0, p1 = rng.normal(size=3), rng.normal(size=3)
    direction = (p1 - p0) / np.linalg.norm(p1 - p0)
    intervals = unambiguous(oracles.line_partition, net, p0, direction)
    assert_matches_sweep(regions.enumerate_regions(net, regions.line(p0, p1)), intervals)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "hardtanh"])
@pytest.mark.parametrize("seed", range(6), ids=[f"seed{s}" for s in range(6)])
def test_one_input_one_layer_counts_distinct_breakpoints(activation, seed):
    # On R^1 a layer breaks at x = (t - b_j) / w_j for each breakpoint t: regions = #points + 1.
    taus = (-1.0, 1.0) if activation == "hardtanh" else (0.0,)
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(7, 1)), rng.normal(size=7)
    W[3], b[3] = -2.0 * W[2], -2.0 * b[2]  # neuron 3 is -2 x neuron 2 (exactly): same root
    net = regions.Network.from_layers([(W, b), (np.ones((1, 7)), np.zeros(1))],
                                      [activation, "identity"])
    points = {(Fraction(t) - Fraction(b[j])) / Fraction(W[j, 0]) for j in range(7) for t in taus}
    assert len(regions.enumerate_regions(net)) == len(points) + 1
    inside = {x for x in points if -1.0 < x < 1.0}
    assert len(regions.enumerate_regions(net, regions.box(-1.0, 1.0))) == len(inside) + 1


ONE_INPUT_CASES = cases(sorted(SLICE_NETS), 4)


@pytest.mark.parametrize("name,seed", ONE_INPUT_CASES)
def test_one_input_deep_networks_on_line_and_box(name, seed):
    net = slice_net(name, 1, seed, width=7)
    boxed = unambiguous(oracles.line_partition, net, [0.0], [1.0], -1.5, 0.75)
    assert_matches_sweep(regions.enumerate_regions(net, regions.box(-1.5, 0.75)), boxed)
    whole = unambiguous(oracles.line_partition, net, [0.0], [1.0])
    part = regions.enumerate_regions(net)
    assert_matches_sweep(part, whole)
    breakpoints = [iv.hi for iv in whole[:-1]]
    assert len(part) == len(set(breakpoints)) + 1


def test_hyperplane_far_from_a_cell_of_an_unbounded_domain():
    # h = relu(x); z = h + 5000. On the cell x > 0, z vanishes at x = -5000: the far side
    # {x > 0, x <= -5000} is empty, so z is on everywhere there. Truth: 2 regions on R.
    net = regions.Network.from_layers(
        [(np.array([[1.0]]), np.zeros(1)), (np.array([[1.0]]), np.array([5000.0])),
         (np.ones((1, 1)), np.zeros(1))])
    assert pattern_set(regions.enumerate_regions(net)) == {(0, 1), (1, 1)}


# --------------------------------------------------------------------------- exact ends
#
# A slice is exactly the set its points define: a hyperplane through an end of a segment
# (or a corner of a plane's bounds) adds no region, one crossing just inside adds one.
# The oracles: breakpoints worked by hand, and the exact rational sweep along
# ``p + s (q - p)``, s in (0, 1), built from the points themselves (not from the domain).

ENGINES = ("split", "vertex", "walk")
TINY = 2.0 ** -60


def relu_net(rows, biases):
    """One ReLU layer with hyperplanes ``rows . x + biases = 0``, then their sum."""
    W, b = np.array(rows, dtype=float), np.array(biases, dtype=float)
    return regions.Network.from_layers([(W, b), (np.ones((1, len(b))), np.zeros(1))])


def counts_of_every_engine(net, domain):
    """Regions of ``domain`` by each engine and by ``count_regions``: name -> count."""
    counts = {m: len(regions.enumerate_regions(net, domain, method=m)) for m in ENGINES}
    counts["count"] = regions.count_regions(net, domain).regions
    return counts


def breakpoints_inside(rows, biases, p0, p1) -> int:
    """Distinct ``s`` in the open (0, 1) where ``rows . (p0 + s (p1 - p0)) + biases`` vanishes,
    in exact rationals."""
    p0, p1 = [Fraction(v) for v in p0], [Fraction(v) for v in p1]
    roots = set()
    for row, bias in zip(rows, biases):
        at_p0 = sum(Fraction(w) * x for w, x in zip(row, p0)) + Fraction(bias)
        slope = sum(Fraction(w) * (y - x) for w, x, y in zip(row, p0, p1))
        if slope != 0 and 0 < -at_p0 / slope < 1:
            roots.add(-at_p0 / slope)
    return len(roots)


# (p0, p1, rows, biases, hand count). |p1 - p0| = 1.25 for (0, 0) -> (1, 0.75), whose
# rounded inverse 0.8 makes 1.25 * fl(0.8) exceed 1; sqrt(2) for (1, 1), where it falls short.
SEGMENT_ENDS = {
    # x = 1 and x + y = 1.75 pass through p1, x = 0 and y = 0 through p0: one region
    "through-both-ends": ([0, 0], [1, 0.75], [[1, 0], [1, 1], [1, 0], [0, 1]],
                          [-1, -1.75, 0, 0], 1),
    # and x = 0.5 crosses at s = 1/2: two
    "ends-and-middle": ([0, 0], [1, 0.75], [[1, 0], [1, 1], [1, 0], [0, 1], [1, 0]],
                        [-1, -1.75, 0, 0, -0.5], 2),
    # the same segment the other way: x = 0, y = 0 through its end p1 = (0, 0)
    "reversed": ([1, 0.75], [0, 0], [[1, 0], [0, 1]], [0, 0], 1),
    # the same shape 2**20 times smaller (a zoomed working domain)
    "small": ([0, 0], [2.0 ** -20, 0.75 * 2.0 ** -20], [[1, 0]], [-2.0 ** -20], 1),
    # x + 2**-60 y = 1 crosses (0, 0) -> (1, 1) at s = 1 / (1 + 2**-60), just inside
    "crossing-just-inside": ([0, 0], [1, 1], [[1, TINY]], [-1], 2),
    # away from the origin: x = 2 through p1, y = 1.5 through p0
    "offset": ([1, 1.5], [2, 2.25], [[1, 0], [0, 1]], [-2, -1.5], 1),
}


@pytest.mark.parametrize("case", sorted(SEGMENT_ENDS))
def test_segment_ends_exactly_at_its_points(case):
    p0, p1, rows, biases, expected = SEGMENT_ENDS[case]
    assert breakpoints_inside(rows, biases, p0, p1) + 1 == expected
    net, domain = relu_net(rows, biases), regions.segment(p0, p1)
    assert counts_of_every_engine(net, domain) == dict.fromkeys(ENGINES + ("count",), expected)
    assert S.regions_on_segments(net, np.array(p0, float), np.array(p1, float)).counts[0] == \
        expected
    assert S.regions_along_lines(net, domain, lines=2).counts.tolist() == [expected] * 2


@pytest.mark.parametrize("p0,p1", [([0, 0], [1, 0.75]), ([0, 0], [1, 1]), ([1, 2, 3], [3, 4, 5]),
                                   ([0.1, -0.3], [0.7, 1e-9])])
def test_segment_end_maps_exactly_to_its_point(p0, p1):
    domain = regions.segment(p0, p1)
    length = Fraction(float(domain.upper[0]))
    assert domain.lower[0] == 0.0 and list(domain.b) == [domain.upper[0], 0.0]
    end = [Fraction(float(x)) + Fraction(str(row[0])) * length
           for x, row in zip(domain.origin, domain.exact_basis().tolist())]
    assert end == [Fraction(float(y)) for y in p1]


def dyadic_segment_net(seed):
    """A random segment of 1/8-grid points in R^3 and a [3, 6, 4, 1] ReLU network whose
    first two neurons' hyperplanes pass exactly through the segment's ends (weights on a
    1/4 grid, so ``w . p`` is an exact float64)."""
    rng = np.random.default_rng(seed)
    p0, p1 = rng.integers(-16, 17, size=(2, 3)) / 8.0
    while np.all(p0 == p1):
        p1 = rng.integers(-16, 17, size=3) / 8.0
    first = rng.normal(size=(6, 3))
    first[:2] = rng.integers(-8, 9, size=(2, 3)) / 4.0
    bias = rng.normal(0.0, 0.5, size=6)
    bias[:2] = -first[0] @ p1, -first[1] @ p0
    pairs = [(first, bias), (rng.normal(size=(4, 6)), rng.normal(0.0, 0.5, size=4)),
             (np.ones((1, 4)), np.zeros(1))]
    return regions.Network.from_layers(pairs, ["relu", "relu", "identity"]), p0, p1


@pytest.mark.parametrize("seed", range(12), ids=[f"seed{s}" for s in range(12)])
def test_segments_through_hyperplanes_at_their_ends_match_the_exact_sweep(seed):
    net, p0, p1 = dyadic_segment_net(seed)
    direction = [fmpq(*Fraction(y - x).as_integer_ratio())
                 for x, y in zip(map(Fraction, p0), map(Fraction, p1))]
    expected = {iv.pattern for iv in ro.exact_breakpoints_1d(net, p0, direction, 0.0, 1.0)}
    domain = regions.segment(p0, p1)
    for method in ENGINES:
        assert pattern_set(regions.enumerate_regions(net, domain, method=method)) == expected
    assert regions.count_regions(net, domain).regions == len(expected)
    assert S.regions_on_segments(net, p0, p1).counts[0] == len(expected)


def test_a_max_unit_tied_at_the_end_of_a_segment_adds_no_region():
    # max(x, y + 1/4): the inputs tie on x - y = 1/4, through p1 = (1, 0.75) only (at
    # p0 = (0, 0) y + 1/4 wins): one region, by the split engine (the one for max layers)
    net = max_net([(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.0, 0.25])),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1]]})
    domain = regions.segment([0, 0], [1, 0.75])
    assert len(regions.enumerate_regions(net, domain, method="split")) == 1
    assert regions.count_regions(net, domain).regions == 1
    assert S.regions_on_segments(net, [0.0, 0.0], [1.0, 0.75]).counts.tolist() == [1]


def test_line_passes_exactly_through_both_points():
    # x = 1, y = 0.75 and x + y = 1.75 meet at p1 = (1, 0.75): the line through (0, 0)
    # and p1 crosses all three there, 2 regions. A line through (0, 0) along the rounded
    # unit direction misses p1 and crosses them at three points: 4.
    net = relu_net([[1, 0], [0, 1], [1, 1]], [-1, -0.75, -1.75])
    domain = regions.line([0, 0], [1, 0.75])
    assert counts_of_every_engine(net, domain) == dict.fromkeys(ENGINES + ("count",), 2)
    rounded = dataclasses.replace(domain, rational_basis=None)
    assert counts_of_every_engine(net, rounded) == dict.fromkeys(ENGINES + ("count",), 4)


# The plane through (0, 0, 0), (3, 4, 0), (0, 0, 1) on [0, 1]^2: u = (3, 4, 0) / 5 = (0.6, 0.8, 0)
# exactly, v = (0, 0, 1). On the basis rounded to float64, 3 fl(0.6) + 4 fl(0.8) = 5 + 2**-53.
PLANE_CORNERS = {
    # 3x + 4y = 5 holds on the edge u = 1: one region
    "edge": ([[3, 4, 0]], [-5], 1),
    # 3x + 4y + z / 8 = 5 + 1/8 touches the square at the corner (1, 1) only
    "corner": ([[3, 4, 0.125]], [-5.125], 1),
    # 3x + 4y - 5z = 0 through the corners (0, 0) and (1, 1): the diagonal
    "diagonal": ([[3, 4, -5]], [0], 2),
}


@pytest.mark.parametrize("case", sorted(PLANE_CORNERS))
def test_plane_bounds_are_exact_at_corners_and_edges(case):
    rows, biases, expected = PLANE_CORNERS[case]
    net = relu_net(rows, biases)
    domain = regions.plane([0, 0, 0], [3, 4, 0], [0, 0, 1], lo=0, hi=1)
    assert domain.exact_basis().tolist() == [[fmpq(3, 5), 0], [fmpq(4, 5), 0], [0, 1]]
    assert counts_of_every_engine(net, domain) == dict.fromkeys(ENGINES + ("count",), expected)
    # the same square on the basis rounded to float64 is another set: the edge and the
    # corner are cut off by a sliver (so the exact basis is what the engines use)
    rounded = dataclasses.replace(domain, rational_basis=None)
    assert counts_of_every_engine(net, rounded)["count"] == (expected if case == "diagonal"
                                                             else 2)


# --------------------------------------------------------------------------- planes


@pytest.mark.parametrize("n_in", [3, 4])
@pytest.mark.parametrize("name", ["relu", "hardtanh", "mixed"])
@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
def test_plane_slice_matches_brute_force(name, n_in, seed):
    net = random_net([n_in, 3, 3, 1], SLICE_NETS[name], seed)
    rng = np.random.default_rng(seed)
    p0, p1, p2 = rng.normal(size=(3, n_in))
    for lo, hi in [(-1.0, 1.0), (None, None)]:
        expected = unambiguous(oracles.brute_force_patterns, net,
                               oracles.plane_slice(p0, p1, p2, lo, hi))
        part = regions.enumerate_regions(net, regions.plane(p0, p1, p2, lo, hi))
        assert pattern_set(part) == expected


@pytest.mark.parametrize("n_in", [3, 5])
@pytest.mark.parametrize("name", sorted(SLICE_NETS))
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_plane_slice_matches_polygon_clipping(name, n_in, seed):
    net = slice_net(name, n_in, seed, width=8)
    rng = np.random.default_rng(seed + 7)
    p0, p1, p2 = rng.normal(size=(3, n_in))
    sl = oracles.plane_slice(p0, p1, p2, -1.5, 1.0)
    patterns, per_layer, _ = unambiguous(oracles.polygon_partition, net, sl,
                                         oracles.square(-1.5, 1.0))
    part = regions.enumerate_regions(net, regions.plane(p0, p1, p2, -1.5, 1.0))
    assert pattern_set(part) == set(patterns)
    assert list(part.per_layer) == per_layer


def test_plane_coordinates():
    p0, p1, p2 = np.array([1.0, 2, 3, 4]), np.array([2.0, 2, 5, 4]), np.array([0.0, 1, 1, 1])
    dom = regions.plane(p0, p1, p2)
    assert dom.dim == 2 and dom.input_dim == 4
    assert np.allclose(dom.basis.T @ dom.basis, np.eye(2))
    assert np.allclose(dom.to_input([0, 0]), p0)
    assert np.allclose(dom.to_input([np.linalg.norm(p1 - p0), 0]), p1)
    coords = np.linalg.lstsq(dom.basis, p2 - p0, rcond=None)[0]
    assert np.allclose(dom.to_input(coords), p2) and coords[1] > 0
    seg = regions.segment(p0, p1)
    assert np.allclose(seg.to_input([np.linalg.norm(p1 - p0)]), p1)
    assert np.allclose(seg.to_input([0.0]), p0)


@pytest.mark.parametrize("scale", [2.0 ** -1022, 2.0 ** -1000, 1.0, 2.0 ** 1000])
def test_nearly_collinear_plane_points_give_orthonormal_coordinates(scale):
    # p2 is 2**-52 off the line through p0 and p1 (relative to its size): the exact basis
    # is exactly orthogonal and unit up to rounding, the plane the one through the points
    p0, p1, p2 = [0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [scale, scale * (1 + 2.0 ** -52), 0.0]
    columns = regions.plane(p0, p1, p2).exact_basis().transpose().tolist()
    u, v = ([Fraction(int(x.p), int(x.q)) for x in column] for column in columns)
    assert sum(a * b for a, b in zip(u, v)) == 0
    for column in (u, v):
        assert abs(float(sum(a * a for a in column)) - 1.0) <= 1e-15
    assert v[2] == 0 and v[1] > 0         # in the plane z = 0, towards p2


# --------------------------------------------------------------------------- full-dimensional


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_per_coordinate_box_matches_brute_force(seed):
    net = random_net([3, 4, 3, 1], ["relu", "relu", "identity"], seed)
    lo, hi = np.array([-0.5, -2.0, 0.1]), np.array([1.5, -0.2, 0.9])
    expected = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice(lo, hi))
    assert pattern_set(regions.enumerate_regions(net, regions.box(lo, hi))) == expected


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_polytope_with_redundant_and_zero_rows(seed):
    # A zero row with c >= 0 is no constraint; a duplicated, scaled row changes nothing.
    net = random_net([2, 4, 3, 1], ["relu", "hardtanh", "identity"], seed)
    A = np.array([[1.0, 0], [0, 1], [-1, -1], [2, 0], [0, 0]])
    c = np.array([1.0, 1, 1, 2, 3])
    expected = unambiguous(oracles.brute_force_patterns, net, oracles.polytope_slice(A, c))
    assert pattern_set(regions.enumerate_regions(net, regions.polytope(A, c))) == expected


# --------------------------------------------------------------------------- bad domains


@pytest.mark.parametrize("make", [
    lambda: regions.box(1.0, 1.0),
    lambda: regions.box(1.0, -1.0),
    lambda: regions.box([0, 0], [1, -1]),
    lambda: regions.box([0, 0, 0], [1, 1]),
    lambda: regions.box([0, np.nan], [1, 1]),
    lambda: regions.box(-np.inf, 1.0),
    lambda: regions.box(["a", "b"], [1, 1]),
    lambda: regions.polytope([[1.0, 0], [-1, 0]], [-1.0, 0]),           # x <= -1 and x >= 0
    lambda: regions.polytope([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 1, 1]),  # flat
    lambda: regions.polytope([[0.0, 0]], [-1.0]),
    lambda: regions.polytope([[1.0, np.inf]], [1.0]),
    lambda: regions.polytope([[1.0, 0]], [1.0, 2.0]),
    lambda: regions.plane([0, 0, 0], [1, 1, 1], [2, 2, 2]),
    lambda: regions.plane([0, 0, 0], [0, 0, 0], [1, 0, 0]),
    lambda: regions.plane([0, 0], [1, 0, 0], [0, 1, 0]),
    lambda: regions.plane([0, 0, 0], [1, 0, 0], [0, 1, 0], lo=-1.0),
    lambda: regions.plane([0, 0, 0], [1, 0, 0], [0, 1, 0], lo=1.0, hi=-1.0),
    lambda: regions.segment([1.0, 2.0], [1.0, 2.0]),
    lambda: regions.segment([1.0, 2.0], [1.0, 2.0, 3.0]),
    lambda: regions.line([0.5], [0.5]),
    lambda: regions.segment([-1e308, 0.0], [1e308, 0.0]),           # length overflows float64
    lambda: regions.line([0.0, 0.0], [1.5e308, 1.5e308]),
    lambda: regions.plane([-1e308, 0, 0], [1e308, 0, 0], [0, 1, 0]),
    lambda: regions.whole_space(0),
], ids=lambda f: "")
def test_bad_domains_raise_domain_error(make):
    with pytest.raises(regions.DomainError):
        make()


@pytest.mark.parametrize("domain", [
    regions.box([-1, -1, -1], [1, 1, 1]),
    regions.whole_space(3),
    regions.polytope(np.eye(3), np.ones(3)),
    regions.plane([0, 0, 0], [1, 0, 0], [0, 1, 0]),
    regions.segment([0, 0, 0], [1, 1, 1]),
], ids=["box", "whole", "polytope", "plane", "segment"])
def test_domain_of_the_wrong_dimension(domain):
    net = random_net([2, 3, 1], ["relu", "identity"], 0)
    with pytest.raises(regions.DomainError):
        regions.enumerate_regions(net, domain)


@pytest.mark.parametrize("scale", [1e-6, 1e-3, 1e3, 1e6])
@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
def test_tolerance_follows_the_domain_scale(scale, seed):
    # x -> net(x / scale) on [-scale, scale]^2 has the regions of net on [-1, 1]^2, scaled.
    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed)
    truth = unambiguous(oracles.brute_force_patterns, net,
                        oracles.box_slice([-1, -1], [1, 1]))
    pairs = [(l.weight.copy(), l.bias.copy()) for l in net.layers]
    pairs[0] = (pairs[0][0] / scale, pairs[0][1])
    zoomed = regions.Network.from_layers(pairs, net.activations)
    assert pattern_set(regions.enumerate_regions(zoomed, regions.box(-scale, scale))) == truth


def test_empty_polytope_interior_is_rejected_at_enumeration():
    net = random_net([2, 3, 1], ["relu", "identity"], 0)
    with pytest.raises(regions.DomainError):
        regions.enumerate_regions(net, regions.polytope([[1.0, 0], [-1, 0]], [0.0, 0.0]))


def test_a_flat_polytope_with_a_float_interior_is_refused():
    # Found by fuzzing: x + y <= -1 and -2x - 2y <= 2 leave only the line x + y = -1 (worked
    # by hand), but with a third row at a grazing angle HiGHS found a ball of radius above 0,
    # the domain was accepted, and the split engine then raised a raw AssertionError.
    h = float.fromhex
    A = np.array([[1.0, 1.0], [h('0x1.000000000002dp+0'), 1.0], [-2.0, -2.0]])
    c = np.array([-1.0, h('-0x1.fffffffffffffp-1'), 2.0])
    with pytest.raises(regions.DomainError, match="no interior"):
        regions.polytope(A, c)


def slacks(A, c, point) -> list:
    """``c - A point`` row by row, in rationals."""
    return [Fraction(b) - sum((Fraction(a) * Fraction(x) for a, x in zip(row, point)),
                              Fraction(0)) for row, b in zip(A, c)]


def highs_certifies_nothing(A, c) -> bool:
    """Whether HiGHS's ball of ``A x <= c`` as it is fails, has no radius above 0, or has
    its centre on or outside a side (in rationals)."""
    try:
        ball = LPSolver().chebyshev(A, c)
    except LPError:
        return True
    return not (ball.radius > 0.0 and np.all(np.isfinite(ball.center))
                and min(slacks(A, c, ball.center)) > 0)


@pytest.mark.parametrize("A, c", [
    # a box near 1e300: HiGHS raises LPError
    (np.vstack([np.eye(2), -np.eye(2)]), np.array([2e300, 2e300, -1e300, -1e300])),
    # a 1-D polytope near 1e304 (found by fuzzing the walk): HiGHS's radius is NaN, and the
    # exact interior point rounded to float64 lies outside
    (np.array([[1.0], [-0.9999999990686774]]),
     np.array([2.1944496275174755e+304, -2.1944485811223513e+304]))])
def test_inscribed_ball_is_solved_again_in_units_where_highs_certifies_nothing(A, c):
    assert highs_certifies_nothing(A, c)
    ball = regions.domain.inscribed_ball(LPSolver(), A, c)
    assert ball.radius > 0.0 and min(slacks(A, c, ball.center)) > 0


def test_inscribed_ball_with_room_is_solved_again_in_units():
    # [-1e300, 1e300]^2: HiGHS's ball as it is, capped at radius 1000, is certified inside
    # and kept (with its duals) unless the caller wants a centre 2^950 inside every side
    A, c = np.vstack([np.eye(2), -np.eye(2)]), np.full(4, 1e300)
    plain = regions.domain.inscribed_ball(LPSolver(), A, c)
    assert plain.radius == 1000.0 and plain.duals is not None
    assert min(slacks(A, c, plain.center)) > 0
    roomy = regions.domain.inscribed_ball(LPSolver(), A, c, room=2.0 ** 950)
    assert roomy.radius > 2.0 ** 950 and min(slacks(A, c, roomy.center)) >= 2.0 ** 950


def test_a_polytope_bound_beyond_highs_tolerance():
    # Found in review: the polytope 0 <= y <= 1, x >= 0, x - 1e-9 y <= 1 reaches x = 1 + 1e-9
    # at (1 + 1e-9, 1), so the neuron relu(x - (1 + 5e-10)) cuts it into two regions (worked
    # by hand; the exact oracle agrees). HiGHS put the bounding box's upper x at 1, the split
    # engine decided the neuron off over that box, and returned one region, certain=True.
    A, c = [[-1.0, 0.0], [0.0, -1.0], [0.0, 1.0], [1.0, -1e-9]], [0.0, 0.0, 1.0, 1.0]
    domain = regions.polytope(A, c)
    assert domain.upper[0] >= 1.0 + 1e-9
    net = regions.Network.from_layers([([[1.0, 0.0]], [-(1.0 + 5e-10)]), ([[1.0]], [0.0])])
    truth = oracles.exact_patterns(net, oracles.polytope_slice(np.array(A), np.array(c)))
    assert truth == {(0,), (1,)}
    for method in ("split", "vertex", "walk", "auto"):
        assert pattern_set(regions.enumerate_regions(net, domain, method=method)) == truth


def test_a_polytope_beyond_float64_has_outward_bounds():
    # 1e300 <= 1e-10 x <= 2e300, |y| <= 1: x lies in [1e310, 2e310] (by hand), beyond float64,
    # so the box's bounds are the largest float below and +inf above (the lower bound was
    # +inf, on the wrong side)
    domain = regions.polytope([[-1e-10, 0.0], [1e-10, 0.0], [0.0, 1.0], [0.0, -1.0]],
                              [-1e300, 2e300, 1.0, 1.0])
    assert domain.lower.tolist() == [np.finfo(float).max, -1.0]
    assert domain.upper.tolist() == [np.inf, 1.0]


@pytest.mark.parametrize("method", ["split", "vertex", "walk", "auto"])
def test_a_small_box_beside_a_redundant_row_near_float64s_end(method):
    # Found in review: [0, 0.1]^2 and x + y <= 1.7e308. The engines work in coordinates
    # divided by the domain's scale (2^-4 here), which took that right-hand side to inf and
    # the exact side raised OverflowError; such a domain keeps scale 1.
    A, c = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], \
        [0.1, 0.1, 0.0, 0.0, 1.7e308]
    net = regions.Network.from_layers([([[1.0, -1.0], [1.0, 1.0]], [0.0, -0.1]),
                                       ([[1.0, 1.0]], [0.0])])
    truth = oracles.exact_patterns(net, oracles.polytope_slice(np.array(A), np.array(c)))
    assert len(truth) == 4
    assert pattern_set(regions.enumerate_regions(net, regions.polytope(A, c),
                                                 method=method)) == truth


@pytest.mark.parametrize("method", ["split", "walk"])
def test_a_sliver_polytope_whose_float_centre_is_outside(method):
    # Found by fuzzing: a polytope of nine rows, about 1e-9 wide between grazing rows near
    # x = y. HiGHS's centre of its inscribed ball is not certified inside, and the walk
    # refused the domain ("the start point lies outside the domain"); the engines now
    # start from an exact interior point there.
    h = float.fromhex
    A = np.array([h(v) for v in [
        '0x1p+0', '0x0p+0', '-0x1.fffffffffdcd1p-1', '0x1p+0', '0x1p+0',
        '0x1.fffffff768fa1p-1', '-0x1.b7cdfd9d79f82p-34', '0x1.b7cdfd9d7bdbbp-34', '0x0p+0',
        '0x1p+0', '-0x1p+0', '-0x0p+0', '0x1.fffffffffdcd1p-1', '0x1p+0', '0x1p+0',
        '-0x1.fffffff768fa1p-1', '-0x0p+0', '-0x1p+0']]).reshape(9, 2)
    c = np.array([h(v) for v in [
        '0x1.8p+1', '0x1.a63p-39', '0x1.7ffffffeed1f4p+1', '0x1.d9a73cfec5bebp-64', '0x1.8p+1',
        '0x1p+1', '0x1.00000000034c7p+0', '0x1.9c511cp-29', '-0x0p+0']])
    net = regions.Network.from_layers(
        [(np.array([[1.0, 0.0], [-1.0, 1.0], [1.0, 0.0]]),
          np.array([-2.0, h('0x1.5798ee0000001p-28'), h('0x1.00000000008ccp+1')])),
         (np.array([[0.0, -1.0, -2.0]]), np.zeros(1))])
    truth = oracles.exact_patterns(net, oracles.polytope_slice(A, c))
    assert truth == {(0, 1, 1)}
    assert pattern_set(regions.enumerate_regions(net, regions.polytope(A, c),
                                                 method=method)) == truth


def test_a_strip_of_width_2e_12_is_a_domain():
    # |x| <= 1e-12 has an interior: its regions are those of the line x = 0 (no two of the
    # three lines cross inside the strip), counted by the exact line sweep.
    net = random_net([2, 3, 1], ["relu", "identity"], 0)
    strip = regions.enumerate_regions(net, regions.polytope([[1.0, 0], [-1, 0]], [1e-12, 1e-12]))
    along = regions.sampling.regions_on_lines(net, [0.0, 0.0], [0.0, 1.0])
    assert pattern_set(strip) == {tuple(int(s) for s in p) for p in along.patterns}
    assert len(strip) == along.counts[0] and strip.thin.size == len(strip)

"""Domains: slices (segments, lines, planes) against independent oracles, and bad domains.

Independent sources: ``oracles.line_partition`` (exact breakpoint sweep along a
line), closed-form breakpoints of one-layer 1-D networks,
``oracles.brute_force_patterns`` and ``oracles.polygon_partition`` on planes
built with the oracle's own Gram-Schmidt.
"""

from fractions import Fraction

import numpy as np
import pytest

import regions

import oracles
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


def test_a_strip_of_width_2e_12_is_a_domain():
    # |x| <= 1e-12 has an interior: its regions are those of the line x = 0 (no two of the
    # three lines cross inside the strip), counted by the exact line sweep.
    net = random_net([2, 3, 1], ["relu", "identity"], 0)
    strip = regions.enumerate_regions(net, regions.polytope([[1.0, 0], [-1, 0]], [1e-12, 1e-12]))
    along = regions.sampling.regions_on_lines(net, [0.0, 0.0], [0.0, 1.0])
    assert pattern_set(strip) == {tuple(int(s) for s in p) for p in along.patterns}
    assert len(strip) == along.counts[0] and strip.thin.size == len(strip)

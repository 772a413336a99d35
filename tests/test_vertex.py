"""The vertex method (``method="vertex"``) against the split method and independent oracles.

Every vertex partition is compared with the split method (LP feasibility, the
reference path) on the same network and domain, and in addition with sources
independent of ``regions``: the oracles of ``oracles`` -- exact 1-D
breakpoint sweep (``line_partition``), exact 2-D polygon clipping
(``polygon_partition``) and brute force over activation patterns with scipy
LPs (``brute_force_patterns``) on domains rebuilt independently
(``oracles.*_slice``); counts worked out by hand from the geometry (stated
next to each case); breakpoints of one-layer 1-D networks placed on purpose
and counted in the test; the network's own forward pass at the witnesses.
No expected count comes from ``regions`` itself.
"""

import json

import numpy as np
import pytest

import regions
from regions.random_networks import random_network
from regions.serialize import read_json

import oracles
from oracles import Ambiguous, hidden, pattern_set, random_net

# --------------------------------------------------------------------------- helpers


def vertex_and_split(net, domain):
    """Both partitions; asserts they are complete, distinct-patterned and have one pattern set.

    Returns the common pattern set (tuples of ints).
    """
    vertex = regions.enumerate(net, domain, method="vertex")
    split = regions.enumerate(net, domain, method="split")
    assert vertex.method == "vertex" and split.method == "split"
    assert vertex.complete and split.complete
    got_vertex, got_split = pattern_set(vertex), pattern_set(split)
    assert got_vertex == got_split, (
        f"vertex found {len(got_vertex)} regions, split {len(got_split)}; only vertex: "
        f"{sorted(got_vertex - got_split)}, only split: {sorted(got_split - got_vertex)}")
    # Same regions in the same (sorted) byte rows, as arrays.
    assert sorted(map(bytes, vertex.patterns)) == sorted(map(bytes, split.patterns))
    # Regions of the truncated networks agree layer by layer too.
    assert list(vertex.per_layer) == list(split.per_layer)
    assert vertex.per_layer[-1] == len(vertex)
    # Witnesses lie in the domain, margins above the tolerance.
    dom = vertex.domain
    assert np.all(vertex.witnesses @ dom.A.T < dom.c + 1e-12)
    assert np.all(vertex.margins > vertex.min_radius * vertex.scale)
    return got_vertex


def try_oracle(oracle, *args, **kwargs):
    """The oracle's answer, or None when it reports an ambiguous (near-tolerance) input."""
    try:
        return oracle(*args, **kwargs)
    except Ambiguous:
        return None


def rotation(n, seed):
    """A proper rotation of R^n (QR of a Gaussian matrix, signs fixed, det +1)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


# --------------------------------------------------------------------------- domains
#
# Each spec builds the ``regions`` domain, the oracle's independent Slice, and for working
# dimension 1 the interval (origin, unit direction, t_lo, t_hi) / for dimension 2 the
# counter-clockwise polygon of the domain in working coordinates.


def domain_specs(n):
    """Bounded domain specs for networks with ``n`` inputs: name -> builder()."""
    specs = {}

    def box():
        lo, hi = -np.ones(n), np.ones(n)
        extra = ({"interval": (np.zeros(1), np.ones(1), -1.0, 1.0)} if n == 1 else
                 {"polygon": oracles.square(-1, 1)} if n == 2 else {})
        return regions.box(-1.0, 1.0), oracles.box_slice(lo, hi), extra
    specs["box"] = box

    def skew_box():
        lo = -np.linspace(0.6, 1.3, n)
        hi = np.linspace(1.1, 0.4, n)
        extra = {}
        if n == 1:
            extra = {"interval": (np.zeros(1), np.ones(1), lo[0], hi[0])}
        if n == 2:
            extra = {"polygon": np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]],
                                          [lo[0], hi[1]]])}
        return regions.box(lo, hi), oracles.box_slice(lo, hi), extra
    specs["skew_box"] = skew_box

    if n == 1:
        def interval_polytope():
            A, c = np.array([[2.0], [-1.0]]), np.array([1.4, 0.8])  # -0.8 <= x <= 0.7
            return (regions.polytope(A, c), oracles.polytope_slice(A, c),
                    {"interval": (np.zeros(1), np.ones(1), -0.8, 0.7)})
        specs["polytope"] = interval_polytope
    else:
        def simplex():
            # x_i >= -1 and sum x_i <= 0.5: a simplex with a right-angled corner at (-1, ..., -1).
            A = np.vstack([-np.eye(n), np.ones((1, n))])
            c = np.concatenate([np.ones(n), [0.5]])
            extra = ({"polygon": np.array([[-1.0, -1.0], [1.5, -1.0], [-1.0, 1.5]])}
                     if n == 2 else {})
            return regions.polytope(A, c), oracles.polytope_slice(A, c), extra
        specs["simplex"] = simplex

        def rotated_cube():
            # {x : |Q x|_inf <= 0.9}: the cube [-0.9, 0.9]^n rotated by Q^T.
            Q = rotation(n, 7 + n)
            A = np.vstack([Q, -Q])
            c = np.full(2 * n, 0.9)
            extra = ({"polygon": oracles.square(-0.9, 0.9) @ Q} if n == 2 else {})
            return regions.polytope(A, c), oracles.polytope_slice(A, c), extra
        specs["rotated_cube"] = rotated_cube

    if n >= 2:
        def plane_slice():
            rng = np.random.default_rng(100 + n)
            p0, p1, p2 = (rng.normal(0.0, 0.3, size=n) for _ in range(3))
            return (regions.plane(p0, p1, p2, lo=-0.8, hi=1.1),
                    oracles.plane_slice(p0, p1, p2, -0.8, 1.1),
                    {"polygon": oracles.square(-0.8, 1.1)})
        specs["plane"] = plane_slice

    def segment():
        rng = np.random.default_rng(200 + n)
        p0 = rng.uniform(-1.0, -0.5, size=n)
        p1 = rng.uniform(0.5, 1.0, size=n)
        sl, length = oracles.segment_slice(p0, p1)
        return (regions.segment(p0, p1), sl,
                {"interval": (p0, (p1 - p0) / length, 0.0, length)})
    specs["segment"] = segment
    return specs


# --------------------------------------------------------------------------- 1. random networks

NETWORKS = {
    # name: (widths, activations, leaky slope)
    "relu": ([None, 6, 5, 1], ["relu", "relu", "identity"], 0.1),
    "leaky": ([None, 5, 5, 1], ["leaky_relu", "leaky_relu", "identity"], 0.1),
    "leaky_negative_slope": ([None, 5, 4, 1], ["leaky_relu", "leaky_relu", "identity"], -0.5),
    "hardtanh": ([None, 4, 4, 1], ["hardtanh", "hardtanh", "identity"], 0.1),
    "mixed": ([None, 4, 4, 2], ["hardtanh", "relu", "identity"], 0.1),
    "identity_middle": ([None, 5, 3, 4, 1], ["relu", "identity", "relu", "identity"], 0.1),
    "identity_middle_hardtanh": ([None, 4, 3, 3, 1],
                                 ["leaky_relu", "identity", "hardtanh", "identity"], 0.2),
    "three_hidden": ([None, 4, 4, 3, 1], ["relu", "relu", "relu", "identity"], 0.1),
}

SEEDS = {1: (0, 1), 2: (0, 1), 3: (0, 1), 4: (0,)}
CASES = [(n, dom, name, seed) for n in (1, 2, 3, 4) for dom in domain_specs(n)
         for name in NETWORKS for seed in SEEDS[n]]


def build(name, n, seed):
    widths, acts, slope = NETWORKS[name]
    return random_net([n] + widths[1:], acts, seed=seed, slope=slope)


@pytest.mark.parametrize("n,dom,name,seed", CASES,
                         ids=[f"{n}d-{d}-{m}-{s}" for n, d, m, s in CASES])
def test_vertex_matches_split_and_low_dim_oracles(n, dom, name, seed):
    net = build(name, n, seed)
    domain, sl, extra = domain_specs(n)[dom]()
    found = vertex_and_split(net, domain)
    assert len(found) >= 1
    # Working dimension 1 or 2: an LP-free oracle as well (skipped only for this check when it
    # reports a near-tolerance piece it cannot decide).
    if "interval" in extra:
        origin, direction, lo, hi = extra["interval"]
        truth = try_oracle(oracles.line_partition, net, origin, direction, lo, hi)
        if truth is not None:
            assert found == {iv.pattern for iv in truth}
    if "polygon" in extra:
        truth = try_oracle(oracles.polygon_partition, net, sl, extra["polygon"])
        if truth is not None:
            assert found == set(truth[0])
            assert len(found) == len(truth[0])


BRUTE_CASES = [(3, "box", "relu"), (3, "simplex", "hardtanh"), (3, "rotated_cube", "leaky"),
               (3, "plane", "identity_middle"), (4, "box", "mixed"),
               (4, "rotated_cube", "relu"), (4, "plane", "leaky_negative_slope"),
               (4, "segment", "hardtanh")]


@pytest.mark.parametrize("n,dom,name", BRUTE_CASES,
                         ids=[f"{n}d-{d}-{m}" for n, d, m in BRUTE_CASES])
def test_vertex_matches_brute_force_in_3d_and_4d(n, dom, name):
    # Smaller widths than above: every pattern prefix gets scipy LPs.
    widths, acts, slope = NETWORKS[name]
    small = [n] + [min(w, 3) for w in widths[1:-1]] + [widths[-1]]
    net = random_net(small, acts, seed=3, slope=slope)
    domain, sl, _ = domain_specs(n)[dom]()
    found = vertex_and_split(net, domain)
    truth = try_oracle(oracles.brute_force_patterns, net, sl)
    if truth is None:
        pytest.skip("brute force oracle: near-tolerance pattern")
    assert found == truth


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_he_initialised_networks(n, seed):
    # The benchmark initialisation (small biases, hyperplanes crowding the centre).
    net = random_network([n, 6, 5, 1], seed=seed)
    found = vertex_and_split(net, regions.box(-1.0, 1.0))
    if n == 2:
        truth = try_oracle(oracles.polygon_partition, net, oracles.box_slice([-1, -1], [1, 1]),
                           oracles.square(-1, 1))
        if truth is not None:
            assert found == set(truth[0])


def test_network_without_any_activation_is_one_region():
    net = regions.Network.from_layers([(np.array([[1.0, 2.0], [3.0, -1.0]]), np.zeros(2)),
                                       (np.ones((1, 2)), np.zeros(1))],
                                      ["identity", "identity"])
    part = regions.enumerate(net, regions.box(-1, 1), method="vertex")
    assert len(part) == 1 and part.patterns.shape == (1, 0)
    assert vertex_and_split(net, regions.box(-1, 1)) == {()}


# --------------------------------------------------------------------------- 2. degenerate inputs

SQUARE = regions.box(-1.0, 1.0)
SQUARE_SLICE = oracles.box_slice([-1, -1], [1, 1])
CUBE = regions.box(-1.0, 1.0)
CUBE_SLICE = oracles.box_slice([-1, -1, -1], [1, 1, 1])


def check_degenerate(net, domain, sl, expected, polygon=None, brute=True):
    """vertex == split == hand count ``expected`` (an int, or a set of patterns), and the
    LP oracles agree (polygon clipping when ``polygon`` is given, brute force otherwise)."""
    found = vertex_and_split(net, domain)
    if isinstance(expected, set):
        assert found == expected
    else:
        assert len(found) == expected
    if polygon is not None:
        truth = oracles.polygon_partition(net, sl, polygon)[0]
        assert set(truth) == found
    if brute:
        assert oracles.brute_force_patterns(net, sl) == found
    return found


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_duplicate_neurons(activation):
    # x = 0 twice and y = 0: two distinct lines through the box centre, 4 quadrants; the two
    # copies always share a state.
    net = hidden([[1, 0], [1, 0], [0, 1]], [0, 0, 0], activation)
    check_degenerate(net, SQUARE, SQUARE_SLICE,
                     {(0, 0, 0), (0, 0, 1), (1, 1, 0), (1, 1, 1)}, oracles.square(-1, 1))


@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0, 1e3])
def test_positively_scaled_duplicate(scale):
    # (w, b) and (s w, s b) are one line; with a second, crossing line: 4 regions.
    w, b = np.array([1.0, -2.0]), 0.4
    net = hidden([w, scale * w, [0.5, 1.0]], [b, scale * b, -0.1])
    found = check_degenerate(net, SQUARE, SQUARE_SLICE, 4, oracles.square(-1, 1))
    assert all(p[0] == p[1] for p in found)


def test_negatively_scaled_duplicate():
    # relu(x - 0.2 y) and relu(0.2 y - x): the same line, opposite states; never both on.
    net = hidden([[1.0, -0.2], [-1.0, 0.2]], [0.0, 0.0])
    check_degenerate(net, SQUARE, SQUARE_SLICE, {(0, 1), (1, 0)}, oracles.square(-1, 1))


def test_duplicate_hardtanh_neurons():
    # z = 2x (twice) breaks at x = +-1/2: 3 vertical strips, the copies always agree; z = 4y
    # breaks at y = +-1/4: 3 horizontal strips. 3 x 3 = 9 cells.
    net = hidden([[2, 0], [2, 0], [0, 4]], [0, 0, 0], "hardtanh")
    found = check_degenerate(net, SQUARE, SQUARE_SLICE, 9, oracles.square(-1, 1))
    assert all(p[0] == p[1] for p in found)


def test_parallel_lines_make_a_grid():
    # x = -0.5, 0, 0.5 and y = -0.5, 0, 0.5 all cross the box: 4 x 4 = 16 cells.
    rows = [[1, 0]] * 3 + [[0, 1]] * 3
    net = hidden(rows, [0.5, 0, -0.5] * 2)
    check_degenerate(net, SQUARE, SQUARE_SLICE, 16, oracles.square(-1, 1))


def test_parallel_planes_in_3d():
    # Slabs: x in 2 parallel planes, y in 2, z in 1 (all inside the cube): 3 x 3 x 2 = 18.
    rows = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]
    net = hidden(rows, [0.5, -0.25, 0.75, -0.5, 0.1])
    check_degenerate(net, CUBE, CUBE_SLICE, 18)


def test_parallel_oblique_lines():
    # x + 2y = t for t in {-1.5, -0.5, 0.5, 1.5} all cross [-1, 1]^2 (|x + 2y| <= 3): 5 strips.
    # The line x - y = 0.1 runs in the box for x in [-0.9, 1], where x + 2y = 3x - 0.2 covers
    # [-2.9, 2.8]: it crosses all four lines inside and cuts every strip in two: 10 regions.
    rows = [[1, 2]] * 4 + [[1, -1]]
    net = hidden(rows, [1.5, 0.5, -0.5, -1.5, -0.1])
    check_degenerate(net, SQUARE, SQUARE_SLICE, 10, oracles.square(-1, 1))


@pytest.mark.parametrize("bias,state", [(1.0, 1), (-1.0, 0), (0.0, 0), (1e-300, 1)])
def test_zero_weight_row_is_constant(bias, state):
    # w = 0: the pre-activation is the bias; relu state 1 iff bias > 0. With x = 0: 2 regions.
    net = hidden([[1.0, 0.0], [0.0, 0.0]], [0.0, bias])
    check_degenerate(net, SQUARE, SQUARE_SLICE, {(0, state), (1, state)}, oracles.square(-1, 1))


@pytest.mark.parametrize("bias,state", [(0.5, 0), (2.0, 1), (-3.0, -1), (1.0, 0), (-1.0, 0)])
def test_zero_weight_hardtanh_row_is_constant(bias, state):
    # hard-tanh state: -1 if z < -1, 1 if z > 1, else 0; z = 2x breaks at x = +-1/2.
    net = hidden([[2.0, 0.0], [0.0, 0.0]], [0.0, bias], "hardtanh")
    check_degenerate(net, SQUARE, SQUARE_SLICE, {(-1, state), (0, state), (1, state)},
                     oracles.square(-1, 1))


def test_dead_and_always_on_neurons_in_the_box():
    # x + y - 5 < 0 and x - y + 5 > 0 on the box: constant states 0 and 1; x = 0, y = 0 cut.
    net = hidden([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, -5, 5])
    found = check_degenerate(net, SQUARE, SQUARE_SLICE, 4, oracles.square(-1, 1))
    assert {p[2:] for p in found} == {(0, 1)}


def test_all_zero_first_layer_is_one_region():
    net = regions.Network.from_layers(
        [(np.zeros((3, 2)), np.array([0.5, -0.5, 0.0])), (np.ones((1, 3)), np.zeros(1))])
    check_degenerate(net, SQUARE, SQUARE_SLICE, {(1, 0, 0)}, oracles.square(-1, 1))


def test_all_zero_second_layer_keeps_the_first_layers_regions():
    # Layer 1 has 3 lines through the box in general position (checked by the polygon
    # oracle); an all-zero layer 2 adds constant states (signs of its biases) only.
    W0 = np.array([[1.0, 0.2], [-0.3, 1.0], [1.0, 1.0]])
    b0 = np.array([0.1, -0.2, 0.3])
    net = regions.Network.from_layers(
        [(W0, b0), (np.zeros((3, 3)), np.array([0.3, -0.2, 0.0])),
         (np.ones((1, 3)), np.zeros(1))])
    # Three lines pairwise crossing inside the box, no common point: 7 regions.
    found = check_degenerate(net, SQUARE, SQUARE_SLICE, 7, oracles.square(-1, 1))
    assert {p[3:] for p in found} == {(1, 0, 0)}


def test_deep_neuron_identically_zero():
    # h1 = h2 = relu(x); layer 2 computes h1 - h2 = 0 everywhere: state 0, 2 regions.
    net = regions.Network.from_layers(
        [(np.array([[1.0, 0.0], [1.0, 0.0]]), np.zeros(2)),
         (np.array([[1.0, -1.0]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    check_degenerate(net, SQUARE, SQUARE_SLICE, {(0, 0, 0), (1, 1, 0)}, oracles.square(-1, 1))


def test_deep_neuron_on_a_first_layer_line():
    # h = relu(x); relu(h) breaks where h does (x = 0): 2 regions; relu(h - 0.5) adds x = 0.5.
    for w2, b2, expected in [(1.0, 0.0, {(0, 0), (1, 1)}), (-1.0, 0.0, {(0, 0), (1, 0)}),
                             (1.0, -0.5, {(0, 0), (1, 0), (1, 1)})]:
        net = regions.Network.from_layers(
            [(np.array([[1.0, 0.0]]), np.zeros(1)), (np.array([[w2]]), np.array([b2])),
             (np.ones((1, 1)), np.zeros(1))])
        check_degenerate(net, SQUARE, SQUARE_SLICE, expected, oracles.square(-1, 1))


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6, 8])
@pytest.mark.parametrize("point", [(0.0, 0.0), (0.25, -0.375)])
def test_k_lines_through_one_interior_point(k, point):
    # k distinct lines through one interior point cut the box into 2k sectors (every line
    # leaves the box on both sides of the point).
    angles = np.pi * np.arange(k) / k + 0.1
    rows = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    net = hidden(rows, -rows @ np.array(point))
    check_degenerate(net, SQUARE, SQUARE_SLICE, 2 * k, oracles.square(-1, 1))


@pytest.mark.parametrize("k", [3, 5])
def test_k_lines_through_one_dyadic_point(k):
    # Same, with exactly representable rows and the point (1/2, 1/4): 2k sectors.
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -2.0], [2.0, 1.0]])[:k]
    net = hidden(rows, -rows @ np.array([0.5, 0.25]))
    check_degenerate(net, SQUARE, SQUARE_SLICE, 2 * k, oracles.square(-1, 1))


def test_central_planes_in_3d():
    # n generic planes through one point of R^3 make n^2 - n + 2 cones (great circles on the
    # sphere): 3 -> 8, 4 -> 14. The cube holds a ball around that point (the origin), and
    # every cone meets every ball around its apex, so all cones are regions of the cube.
    rows = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 2, -3]])
    check_degenerate(hidden(rows[:3], np.zeros(3)), CUBE, CUBE_SLICE, 8)
    check_degenerate(hidden(rows, np.zeros(4)), CUBE, CUBE_SLICE, 14)
    # Three planes through one common line (the z axis): 6 wedges.
    rows = np.array([[1.0, 0, 0], [0, 1, 0], [1, 1, 0]])
    check_degenerate(hidden(rows, np.zeros(3)), CUBE, CUBE_SLICE, 6)


def test_central_hyperplanes_in_4d():
    # 4 coordinate hyperplanes through the centre of [-1, 1]^4: 16 orthants; a fifth generic
    # hyperplane through the centre: central generic arrangement of 5 in R^4 has
    # 2 * sum_{i<4} C(4, i) = 2 * (1 + 4 + 6 + 4) = 30 regions.
    rows = np.vstack([np.eye(4), [[1.0, 2.0, -3.0, 0.5]]])
    box4 = regions.box(-1.0, 1.0)
    sl4 = oracles.box_slice(-np.ones(4), np.ones(4))
    check_degenerate(hidden(rows[:4], np.zeros(4)), box4, sl4, 16, brute=False)
    check_degenerate(hidden(rows, np.zeros(5)), box4, sl4, 30, brute=False)


def test_lines_through_a_box_corner():
    # Lines through the corner (1, 1) with slopes 1/2, 1, 2 enter the box and fan out:
    # 3 lines -> 4 regions. x + y = 2 (slope -1) only touches the corner: still 4.
    rows = np.array([[0.5, -1.0], [1.0, -1.0], [2.0, -1.0]])
    net = hidden(rows, -rows @ np.ones(2))
    check_degenerate(net, SQUARE, SQUARE_SLICE, 4, oracles.square(-1, 1))
    rows = np.vstack([rows, [[1.0, 1.0]]])
    found = check_degenerate(hidden(rows, -rows @ np.ones(2)), SQUARE, SQUARE_SLICE, 4,
                             oracles.square(-1, 1))
    assert {p[3] for p in found} == {0}


def test_diagonal_through_two_corners():
    # x + y = 0 runs through the corners (-1, 1) and (1, -1): 2 triangles; x - y = 0 through
    # the other two: 4 triangles.
    check_degenerate(hidden([[1, 1]], [0]), SQUARE, SQUARE_SLICE, 2, oracles.square(-1, 1))
    check_degenerate(hidden([[1, 1], [1, -1]], [0, 0]), SQUARE, SQUARE_SLICE, 4,
                     oracles.square(-1, 1))


def test_hyperplane_touching_a_corner_only():
    # x + y = 2 touches [-1, 1]^2 only at (1, 1); x + y + z = 3 touches the cube at a vertex,
    # x + y = 2 along an edge: none of them cuts.
    check_degenerate(hidden([[1, 1]], [-2]), SQUARE, SQUARE_SLICE, {(0,)}, oracles.square(-1, 1))
    check_degenerate(hidden([[-1, -1]], [2]), SQUARE, SQUARE_SLICE, {(1,)},
                     oracles.square(-1, 1))
    check_degenerate(hidden([[1, 1, 1]], [-3]), CUBE, CUBE_SLICE, {(0,)})
    check_degenerate(hidden([[1, 1, 0]], [-2]), CUBE, CUBE_SLICE, {(0,)})
    # Plus a generic plane through the interior: 2 regions.
    check_degenerate(hidden([[1, 1, 1], [1, 1, 0], [0.3, -1, 0.2]], [-3, -2, 0.1]),
                     CUBE, CUBE_SLICE, 2)


def test_line_through_an_inexact_box_corner():
    # Through the corner (0.7, 0.7) of [0.1, 0.7]^2 with slope -1/3: touches only the corner.
    box = regions.box(0.1, 0.7)
    net = hidden([[1.0 / 3.0, 1.0]], [-(0.7 / 3.0 + 0.7)])
    check_degenerate(net, box, oracles.box_slice([0.1, 0.1], [0.7, 0.7]), {(0,)},
                     oracles.square(0.1, 0.7))


def test_hyperplanes_on_box_faces():
    # relu(x - 1) vanishes on the face x = 1 (off inside), relu(x + 1) on x = -1 (on inside).
    check_degenerate(hidden([[1, 0]], [-1]), SQUARE, SQUARE_SLICE, {(0,)}, oracles.square(-1, 1))
    check_degenerate(hidden([[1, 0]], [1]), SQUARE, SQUARE_SLICE, {(1,)}, oracles.square(-1, 1))
    # All four faces plus the line x = 0: 2 regions.
    net = hidden([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 0]], [-1, -1, -1, -1, 0])
    check_degenerate(net, SQUARE, SQUARE_SLICE, {(0, 0, 0, 0, 0), (0, 0, 0, 0, 1)},
                     oracles.square(-1, 1))
    # Hard-tanh z = x breaks exactly on the faces x = +-1: one region, the linear state.
    check_degenerate(hidden([[1, 0]], [0], "hardtanh"), SQUARE, SQUARE_SLICE, {(0,)},
                     oracles.square(-1, 1))
    # The six faces of the cube and one interior plane: 2 regions.
    rows = np.vstack([np.eye(3), -np.eye(3), [[0.2, 1.0, -0.4]]])
    check_degenerate(hidden(rows, [-1] * 6 + [0.1]), CUBE, CUBE_SLICE, 2)


def test_hyperplanes_on_polytope_faces_and_vertices():
    # Triangle x >= 0, y >= 0, x + y <= 1 with neurons on its three faces (constant states:
    # x + y - 1 off, x and y on), the line x = y through the vertex (0, 0) and the opposite
    # edge (2 regions), and 2x + y = 2, which meets the triangle only at its vertex (1, 0)
    # (2x + y <= 2 there, with equality only at x = 1): no cut. Regions: 2.
    tri_A, tri_c = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]]), np.array([0.0, 0.0, 1.0])
    tri = regions.polytope(tri_A, tri_c)
    sl = oracles.polytope_slice(tri_A, tri_c)
    polygon = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    net = hidden([[1, 1], [1, 0], [0, 1], [1, -1], [2, 1]], [-1, 0, 0, 0, -2])
    check_degenerate(net, tri, sl, {(0, 1, 1, 0, 0), (0, 1, 1, 1, 0)}, polygon)
    # A line through the vertex (1, 0) that does enter: x + 2y = 1 -> 2 regions; plus
    # x = y through (0, 0) crossing it inside at (1/3, 1/3): 4 regions.
    net = hidden([[1, 2], [1, -1]], [-1, 0])
    check_degenerate(net, tri, sl, 4, polygon)


def test_neuron_on_a_normalised_polytope_face():
    # 3x + 4y <= 2 is stored normalised; the neuron keeps the raw row. No sliver region.
    A, c = np.array([[3.0, 4.0], [-1.0, 0.0], [0.0, -1.0]]), np.array([2.0, 0.0, 0.0])
    net = hidden([[3, 4], [1, -1]], [-2, 0.01])
    check_degenerate(net, regions.polytope(A, c), oracles.polytope_slice(A, c),
                     {(0, 0), (0, 1)}, np.array([[0.0, 0.0], [2.0 / 3.0, 0.0], [0.0, 0.5]]))


def test_polytope_with_redundant_and_touching_rows():
    # The square [-1, 1]^2 given as a polytope with a duplicated row and a row x + y <= 2
    # that only touches the corner (1, 1): its vertex list has coincident points. Same
    # regions as the box: 3 lines through (0.25, 0) -> 6 sectors.
    A = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1], [1, 0], [1, 1]])
    c = np.array([1.0, 1, 1, 1, 1, 2])
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    net = hidden(rows, -rows @ np.array([0.25, 0.0]))
    found = check_degenerate(net, regions.polytope(A, c), oracles.polytope_slice(A, c), 6,
                             oracles.square(-1, 1))
    assert found == vertex_and_split(net, SQUARE)


def test_deep_bent_lines_through_a_first_layer_vertex():
    # Layer 1: relu(x - p) on both axes, vertex p. Layer 2: a h1 + b h2 with a > 0 > b is 0 on
    # the quadrant (-, -), positive on (+, -), negative on (-, +), and on (+, +) vanishes on a
    # ray from p that splits it: 4 + 1 = 5 regions.
    for seed in range(4):
        rng = np.random.default_rng(seed)
        p = rng.normal(size=2) / 7.0
        a, b = rng.uniform(0.5, 2.0), -rng.uniform(0.5, 2.0)
        net = regions.Network.from_layers(
            [(np.eye(2), -p), (np.array([[a, b]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
        lo, hi = p - 1.0, p + 1.0
        check_degenerate(net, regions.box(lo, hi), oracles.box_slice(lo, hi), 5,
                         np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]],
                                   [lo[0], hi[1]]]))


@pytest.mark.parametrize("seed", range(4))
def test_three_lines_through_an_inexact_point(seed):
    # The common point and the directions are not representable: the computed lines bound a
    # triangle of size ~1e-16 that is not a region. Still 6 sectors.
    rng = np.random.default_rng(seed)
    point = rng.normal(size=2) / 3.0
    rows = rng.normal(size=(3, 2))
    lo, hi = point - 0.7, point + 0.9
    check_degenerate(hidden(rows, -rows @ point), regions.box(lo, hi),
                     oracles.box_slice(lo, hi), 6,
                     np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]]))


def test_degenerate_plane_slice():
    # A plane slice of R^3 (z = 0.5, coordinates u = x, v = y) cut by planes that, restricted
    # to it, are 3 lines through the slice point (0.25, 0.25) and one plane parallel to the
    # slice (constant on it: z - 0.5 + 0.25 > 0, state 1). 6 sectors.
    p0 = np.array([0.0, 0.0, 0.5])
    p1, p2 = p0 + [1.0, 0, 0], p0 + [0, 1.0, 0]
    rows = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, -2.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    q = np.array([0.25, 0.25, 0.5])
    biases = -rows @ q
    biases[3] = -0.25
    net = hidden(rows, biases)
    found = check_degenerate(net, regions.plane(p0, p1, p2, lo=-1, hi=1),
                             oracles.plane_slice(p0, p1, p2, -1, 1), 6, oracles.square(-1, 1))
    assert {p[3] for p in found} == {1}


def integer_network(n, seed):
    """Weights in {-2, ..., 2}, biases in {-1, -1/2, ..., 1}: many coincident, parallel and
    concurrent (bent) hyperplanes, zero rows, and pieces where a deep neuron is constant."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 4))
    act = str(rng.choice(["relu", "leaky_relu", "hardtanh"]))
    widths = [n] + [int(rng.integers(2, 5)) for _ in range(depth)] + [1]
    pairs = [(rng.integers(-2, 3, size=(o, i)).astype(float), rng.integers(-2, 3, size=o) * 0.5)
             for i, o in zip(widths[:-1], widths[1:])]
    return regions.Network.from_layers(pairs, [act] * depth + ["identity"])


INTEGER_CASES = [(2, seed) for seed in range(12)] + [(3, seed) for seed in (0, 1, 2, 3, 6, 7, 8, 9,
                                                                            10, 11)]


@pytest.mark.parametrize("n,seed", INTEGER_CASES, ids=[f"{n}d-{s}" for n, s in INTEGER_CASES])
def test_integer_weight_networks_against_brute_force(n, seed):
    net = integer_network(n, seed)
    sl = oracles.box_slice(-np.ones(n), np.ones(n))
    assert vertex_and_split(net, regions.box(-1.0, 1.0)) == oracles.brute_force_patterns(net, sl)
    if n == 2:
        A, c = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]]), np.array([1.0, 1.0, 1.0])
        assert (vertex_and_split(net, regions.polytope(A, c))
                == oracles.brute_force_patterns(net, oracles.polytope_slice(A, c)))


def test_zero_size_pieces_of_a_deep_layer_are_not_regions():
    # Found by a stress run: layer 3's lines pass exactly through the vertex (-1/4, -1/4) of
    # the earlier layers, so exact clipping leaves a piece whose three corners coincide there
    # (area ~1e-17). It is no region: 12 patterns hold a ball (brute force), not 13.
    net = regions.Network.from_layers(
        [(np.array([[-2.0, 0.0], [0.0, -2.0]]), np.array([-0.5, -0.5])),
         (np.array([[-2.0, 1.0], [0.0, -2.0]]), np.zeros(2)),
         (np.array([[2.0, 0.0], [-1.0, 1.0], [-2.0, -1.0]]), np.array([-0.5, 0.5, 0.0])),
         (np.array([[0.0, 2.0, 1.0]]), np.array([1.0]))],
        ["leaky_relu", "leaky_relu", "leaky_relu", "identity"], slope=0.01)
    truth = oracles.brute_force_patterns(net, SQUARE_SLICE)
    assert len(truth) == 12
    assert vertex_and_split(net, SQUARE) == truth
    assert (0, 0, 0, 1, 0, 1, 1) not in truth


# --------------------------------------------------------------------------- 3. one dimension


def placed_breakpoints(ts, activation, seed):
    """A 1-input one-layer network whose neuron j has a breakpoint at ``ts[j]``.

    relu / leaky: z_j = w_j (x - t_j). hardtanh: z_j = w_j (x - t_j) - 1, breaking at
    x = t_j and at x = t_j + 2 / w_j. Weights are dyadic, so all of it is exact.
    """
    rng = np.random.default_rng(seed)
    w = rng.choice([-4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0], size=len(ts))
    ts = np.asarray(ts, float)
    b = -w * ts
    if activation == "hardtanh":
        b = b - 1.0
    net = hidden(w[:, None], b, activation)
    points = set(ts.tolist())
    if activation == "hardtanh":
        points |= set((ts + 2.0 / w).tolist())
    return net, points


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "hardtanh"])
@pytest.mark.parametrize("seed", range(6))
def test_one_layer_1d_count_is_breakpoints_plus_one(activation, seed):
    rng = np.random.default_rng(50 + seed)
    lo, hi = -1.0, 1.5
    # Grid of multiples of 1/8 in [-2, 2]: some points repeat, some fall outside [lo, hi],
    # and the endpoints themselves are on the grid (a breakpoint there splits nothing).
    ts = rng.integers(-16, 17, size=int(rng.integers(3, 12))) / 8.0
    ts = np.concatenate([ts, [lo, hi]]) if seed % 2 else ts
    net, points = placed_breakpoints(ts, activation, seed)
    inside = {t for t in points if lo < t < hi}
    expected = len(inside) + 1
    for domain in (regions.box(lo, hi), regions.polytope([[1.0], [-1.0]], [hi, -lo])):
        part = regions.enumerate(net, domain, method="vertex")
        assert len(part) == expected
        assert len(vertex_and_split(net, domain)) == expected
        # Witnesses interleave with the breakpoints: one per interval between them.
        edges = np.array([lo] + sorted(inside) + [hi])
        cells = np.searchsorted(edges, np.sort(part.witnesses[:, 0]))
        assert list(cells) == list(range(1, expected + 1))


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_one_layer_segment_count_is_crossings_plus_one(n, seed):
    # Along the segment p0 + s (p1 - p0), s in [0, 1], neuron j (row w_j) is placed to cross at
    # s_j from a grid of sixteenths: b_j = -(w_j . p0 + s_j w_j . (p1 - p0)). Crossings at
    # 0, 1 or repeated values add nothing new.
    rng = np.random.default_rng(seed)
    p0, p1 = rng.uniform(-1, 1, size=n), rng.uniform(-1, 1, size=n)
    k = int(rng.integers(3, 10))
    s = rng.integers(-4, 21, size=k) / 16.0
    W = rng.normal(size=(k, n))
    keep = np.abs(W @ (p1 - p0)) > 0.05   # transversal crossings only
    W, s = W[keep], s[keep]
    b = -(W @ p0 + s * (W @ (p1 - p0)))
    net = hidden(W, b, "relu")
    expected = len({float(v) for v in s if 0.0 < v < 1.0}) + 1
    domain = regions.segment(p0, p1)
    part = regions.enumerate(net, domain, method="vertex")
    assert len(part) == expected
    assert len(vertex_and_split(net, domain)) == expected


@pytest.mark.parametrize("acts", [["relu", "relu", "identity"],
                                  ["hardtanh", "leaky_relu", "identity"],
                                  ["relu", "identity", "hardtanh", "identity"],
                                  ["relu", "relu", "relu", "identity"]],
                         ids=["relu", "hardtanh-leaky", "identity-middle", "deep-relu"])
@pytest.mark.parametrize("seed", range(4))
def test_deeper_1d_networks(acts, seed):
    widths = [1] + [6] * (len(acts) - 1) + [1]
    net = random_net(widths, acts, seed=seed)
    found = vertex_and_split(net, regions.box(-2.0, 2.0))
    truth = try_oracle(oracles.line_partition, net, np.zeros(1), np.ones(1), -2.0, 2.0)
    if truth is not None:
        assert found == {iv.pattern for iv in truth}
    # And along a segment of a 3-input network.
    net3 = random_net([3] + widths[1:], acts, seed=seed)
    p0, p1 = np.array([-1.0, 0.5, 0.2]), np.array([1.0, -0.7, 0.4])
    found = vertex_and_split(net3, regions.segment(p0, p1))
    length = float(np.linalg.norm(p1 - p0))
    truth = try_oracle(oracles.line_partition, net3, p0, (p1 - p0) / length, 0.0, length)
    if truth is not None:
        assert found == {iv.pattern for iv in truth}


# --------------------------------------------------------------------------- 4. usable regions

USABLE = {
    "box2": (lambda: random_net([2, 5, 4, 2], ["relu", "hardtanh", "identity"], seed=4),
             lambda: regions.box(-1.0, 1.0)),
    "simplex3": (lambda: random_net([3, 4, 4, 1], ["leaky_relu", "relu", "identity"], seed=5),
                 lambda: domain_specs(3)["simplex"]()[0]),
    "plane4": (lambda: random_net([4, 5, 3, 4, 2], ["relu", "identity", "relu", "identity"],
                                  seed=6),
               lambda: domain_specs(4)["plane"]()[0]),
    "segment3": (lambda: random_net([3, 5, 5, 1], ["hardtanh", "relu", "identity"], seed=7),
                 lambda: domain_specs(3)["segment"]()[0]),
    "box4": (lambda: random_net([4, 4, 3, 1], ["relu", "relu", "identity"], seed=8),
             lambda: regions.box(-1.0, 1.0)),
}


@pytest.mark.parametrize("case", list(USABLE))
def test_vertex_regions_are_usable(case):
    make_net, make_domain = USABLE[case]
    net, domain = make_net(), make_domain()
    part = regions.enumerate(net, domain, method="vertex")
    split = regions.enumerate(net, domain, method="split")
    assert part.method == "vertex" and len(part) >= 3
    by_pattern = {bytes(p): i for i, p in enumerate(split.patterns)}
    dom = part.domain
    for i in range(len(part)):
        region = part[i]
        w = np.asarray(region.witness, float)
        assert np.array_equal(w, part.witnesses[i])
        assert np.array_equal(region.pattern, part.patterns[i])
        # Strictly inside its own H-representation and inside the domain.
        assert region.A.shape[1] == dom.dim and region.A.shape[0] == region.b.shape[0]
        assert np.all(region.A @ w < region.b)
        assert np.all(region.A @ w + region.margin <= region.b + 1e-9)
        assert region.contains(w[None, :]).all()
        assert dom.contains(w[None, :]).all()
        # The forward pass at the witness: its pattern, and the affine map's value.
        x = dom.to_input(w)
        assert np.array_equal(net.activation_pattern(x), region.pattern)
        assert np.array_equal(oracles.true_patterns(net, x[None, :])[0], region.pattern)
        assert np.allclose(region.C @ w + region.d, net.forward(x), rtol=1e-9, atol=1e-9)
        # Points near the witness, within the margin, share the map.
        rng = np.random.default_rng(i)
        Z = w + 0.9 * region.margin * rng.uniform(-1, 1, size=(5, dom.dim)) / np.sqrt(dom.dim)
        assert np.allclose(Z @ region.C.T + region.d, net.forward(dom.to_input(Z)),
                           rtol=1e-8, atol=1e-8)
        # Labels decode to a neuron breakpoint or a domain face.
        for label in region.labels:
            info = part.describe_label(label)
            assert "layer" in info or 0 <= info["domain_face"] < dom.A.shape[0]
        # The same region as the split method's: same facets (labels), rows, and affine map.
        other = split[by_pattern[bytes(region.pattern)]]
        assert sorted(region.labels.tolist()) == sorted(other.labels.tolist())
        order, other_order = np.argsort(region.labels), np.argsort(other.labels)
        assert np.allclose(region.A[order], other.A[other_order], atol=1e-9)
        assert np.allclose(region.b[order], other.b[other_order], atol=1e-9)
        assert np.allclose(region.C, other.C, atol=1e-9) and np.allclose(region.d, other.d,
                                                                          atol=1e-9)
        # The vertex witness's ball is no larger than the largest inscribed ball.
        assert region.margin <= other.margin * (1 + 1e-6) + 1e-12


def test_vertex_partition_summary_and_json(tmp_path):
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    part = regions.enumerate(net, regions.box(-1.0, 1.0), method="vertex")
    truth = oracles.polygon_partition(net, SQUARE_SLICE, oracles.square(-1, 1))[0]
    assert pattern_set(part) == set(truth)
    summary = part.summary()
    assert summary["method"] == "vertex"
    assert summary["regions"] == len(part) == len(truth)
    assert summary["complete"] is True and summary["domain"] == "box" and summary["dim"] == 2
    text = part.to_json(tmp_path / "vertex.json")
    data = json.loads(text)
    assert len(data["regions"]) == len(truth)
    back = read_json(tmp_path / "vertex.json")
    assert back.method == "vertex"
    assert np.array_equal(back.patterns, part.patterns)
    assert np.array_equal(back.witnesses, part.witnesses)
    for region, y in zip(back, net.forward(back.witnesses)):
        assert np.allclose(region.C @ region.witness + region.d, y)
    # The completeness certificate accepts a vertex partition.
    assert part.certify().ok


@pytest.mark.parametrize("domain,n,expected", [
    (regions.box(-1, 1), 2, "vertex"),
    (regions.box(-1, 1), 1, "vertex"),
    (regions.box(-1, 1), 4, "vertex"),
    (regions.box(-1, 1), 5, "split"),
    (None, 2, "split"),
    (regions.whole_space(), 3, "split"),
    (regions.line([0, 0, 0], [1, 1, 0]), 3, "split"),
    (regions.plane([0.0] * 6, [1.0] + [0.0] * 5, [0.0, 1.0] + [0.0] * 4, lo=-1, hi=1), 6,
     "vertex"),
    (regions.plane([0.0] * 3, [1.0, 0, 0], [0, 1.0, 0]), 3, "split"),
    (regions.segment([0.0] * 7, [1.0] * 7), 7, "vertex"),
    (regions.polytope([[1.0, 0], [0, 1]], [1.0, 1.0]), 2, "split"),   # unbounded quadrant
    (regions.polytope([[1.0, 0], [0, 1], [-1, -1]], [1.0, 1.0, 1.0]), 2, "vertex"),
], ids=["box2", "box1", "box4", "box5", "none", "whole3", "line", "plane6", "plane_unbounded",
        "segment7", "quadrant", "triangle"])
def test_auto_picks_vertex_on_small_bounded_domains(domain, n, expected):
    net = random_net([n, 3, 1], ["relu", "identity"], seed=2)
    part = regions.enumerate(net, domain, method="auto")
    assert part.method == expected
    reference = regions.enumerate(net, domain, method="split")
    assert pattern_set(part) == pattern_set(reference)


def test_auto_with_a_checkpoint_uses_split(tmp_path):
    net = random_net([2, 3, 1], ["relu", "identity"], seed=2)
    part = regions.enumerate(net, regions.box(-1, 1), checkpoint=tmp_path / "ck")
    assert part.method == "split"


# --------------------------------------------------------------------------- 5. refusals


@pytest.mark.parametrize("domain,n", [
    (None, 2),
    (regions.whole_space(), 3),
    (regions.whole_space(2), 2),
    (regions.line([0.0, 0.0], [1.0, 0.5]), 2),
    (regions.plane([0.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0]), 3),
    (regions.polytope([[1.0, 0], [0, 1]], [1.0, 1.0]), 2),
    (regions.polytope([[1.0, 0], [-1, 0]], [1.0, 1.0]), 2),   # a slab: bounded in x only
], ids=["none", "whole", "whole2", "line", "plane", "quadrant", "slab"])
def test_vertex_refuses_unbounded_domains(domain, n):
    net = random_net([n, 3, 1], ["relu", "identity"], seed=0)
    with pytest.raises(regions.DomainError, match="bounded"):
        regions.enumerate(net, domain, method="vertex")
    # DomainError is the package's ValueError family.
    assert issubclass(regions.DomainError, regions.RegionsError)
    assert issubclass(regions.DomainError, ValueError)


def test_vertex_refuses_checkpoints(tmp_path):
    net = random_net([2, 3, 1], ["relu", "identity"], seed=0)
    with pytest.raises(regions.RegionsError, match="split"):
        regions.enumerate(net, regions.box(-1, 1), method="vertex", checkpoint=tmp_path / "ck")

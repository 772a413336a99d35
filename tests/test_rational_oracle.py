"""The exact oracles of ``rational_oracle`` checked against hand-worked examples, closed
formulas (Zaslavsky, parallel families, the bounded/unbounded split, Euler's
V - E + F = 1 on a box), an independent exact LP (sympy) and each other (the LP
adjacency and pieces against the 2-D clipping's).

The package is used only to build inputs (``regions.Network.from_layers``, the
domain constructors, whose arrays the oracles read).
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
from flint import fmpq
from sympy import Rational, symbols
from sympy.solvers.simplex import lpmax

import regions
from regions.random_networks import random_network
import nets
import rational_oracle as ro
from nets import one_layer

F = fmpq


def dyadic_net(widths, activations, seed, grid=16):
    """Random weights and biases on the grid ``k / grid`` in [-2, 2] (exact dyadics)."""
    rng = np.random.default_rng(seed)
    layers = [(rng.integers(-2 * grid, 2 * grid + 1, (o, i)) / grid,
               rng.integers(-grid, grid + 1, o) / grid)
              for i, o in zip(widths[:-1], widths[1:])]
    return nets.network(layers, activations)


def whole(n):
    return regions.whole_space(n)


def square(lo, hi, n=2):
    return regions.box(lo, hi).resolve(n)


# --------------------------------------------------------------------------- exact LP


def test_maximise_beale_cycling_example():
    """Beale's LP, on which the textbook largest-coefficient rule cycles: optimum 5/4 at
    (1, 0, 1, 0), with a dual that certifies it."""
    A = [[F(1, 4), F(-8), F(-1), F(9)], [F(1, 2), F(-12), F(-1, 2), F(3)], [F(0), F(0), F(1), F(0)]]
    b = [F(0), F(0), F(1)]
    cost = [F(3, 4), F(-20), F(1, 2), F(-6)]
    value, x, y = ro.maximise(A, b, cost)
    assert value == F(5, 4) and x == [1, 0, 1, 0]
    assert all(v >= 0 for v in y) and ro.dot(y, b) == value
    assert all(ro.dot(y, column) >= c for column, c in zip(zip(*A), cost))


def test_maximise_matches_sympy_on_random_lps():
    rng = np.random.default_rng(7)
    for _ in range(15):
        m, n = rng.integers(2, 6), rng.integers(2, 5)
        A = rng.integers(-5, 6, (m, n)).tolist() + np.eye(n, dtype=int).tolist()
        b = rng.integers(0, 6, m).tolist() + [10] * n
        cost = rng.integers(-3, 6, n).tolist()
        value, _, _ = ro.maximise([[F(a) for a in row] for row in A], [F(v) for v in b],
                                  [F(c) for c in cost])
        xs = symbols(f"x0:{n}")
        expected, _ = lpmax(sum(c * x for c, x in zip(cost, xs)),
                            [sum(a * x for a, x in zip(row, xs)) <= v for row, v in zip(A, b)]
                            + [x >= 0 for x in xs])
        assert value == F(int(Rational(expected).p), int(Rational(expected).q))


@pytest.mark.parametrize("rows, feasible", [
    ([], True),
    ([((F(-1), F(0)), F(0)), ((F(0), F(-1)), F(0)), ((F(1), F(1)), F(1))], True),   # triangle
    ([((F(-1), F(0)), F(0)), ((F(1), F(0)), F(1, 2 ** 60))], True),       # strip 2^-60 wide
    ([((F(1), F(0)), F(0)), ((F(-1), F(0)), F(0))], False),               # x < 0 < x
    ([((F(1), F(0)), F(0)), ((F(0), F(1)), F(0)), ((F(-1), F(-1)), F(0))], False),  # a point
    ([((F(1), F(1)), F(1)), ((F(-1), F(-1)), F(-1))], False),             # a line
])
def test_strict_interior_point(rows, feasible):
    point = ro.strict_interior_point(rows, 2)
    assert (point is not None) == feasible
    if feasible:
        assert all(ro.dot(a, point) < c for a, c in rows)


# --------------------------------------------------------------------------- hand-worked regions

THREE_LINES = one_layer([[1, 0], [0, 1], [1, 1]], [0, 0, -1])     # the package's docstring


def all_oracles(network, domain):
    """Every oracle that applies to ``domain``'s dimension, name -> pattern set."""
    found = {"lp": ro.exact_regions(network, domain)}
    dim = domain.basis.shape[1]
    if dim == 2:
        found["clip"] = ro.exact_regions_2d(network, domain)
    if dim == 1:
        found["sweep"] = {i.pattern for i in ro.exact_intervals(network, domain)}
    if network.pattern_length <= 8:
        found["brute"] = ro.brute_force_regions(network, domain)
    return found


def agreed(network, domain) -> set:
    """The pattern set, after checking that every applicable oracle gives it."""
    found = all_oracles(network, domain)
    first = next(iter(found.values()))
    assert all(v == first for v in found.values()), {k: len(v) for k, v in found.items()}
    return first


@pytest.mark.parametrize("domain, count", [(whole(2), 7), (square(-5, 5), 7),
                                           (square(0.1, 0.4), 1), (square(0, 1), 2)])
def test_three_lines(domain, count):
    assert len(agreed(THREE_LINES, domain)) == count


def test_two_lines_patterns():
    assert agreed(one_layer([[1, 0], [0, 1]], [0, 0]), whole(2)) == {(0, 0), (0, 1), (1, 0), (1, 1)}


@pytest.mark.parametrize("bias, state", [(-1.0, 0), (0.0, 0), (1.0, 1)])
def test_dead_relu_takes_the_state_of_its_constant(bias, state):
    network = one_layer([[0, 0], [1, 0]], [bias, 0])
    assert agreed(network, square(-1, 1)) == {(state, 0), (state, 1)}


@pytest.mark.parametrize("bias, state", [(-1.5, -1), (-1.0, 0), (1.0, 0), (1.5, 1)])
def test_dead_hardtanh_takes_the_state_of_its_constant(bias, state):
    network = one_layer([[0, 0], [1, 0]], [bias, 0], "hardtanh")
    assert agreed(network, whole(2)) == {(state, -1), (state, 0), (state, 1)}


def test_gradient_cancelled_to_exactly_zero_is_constant():
    """relu(relu(x + 10) - relu(x + 10)): the second neuron's gradient is exactly 0 and its
    value 0, a breakpoint: state 0 everywhere."""
    network = nets.network([([[1, 0], [1, 0]], [10, 10]), ([[1, -1]], [0]), ([[1]], [0])])
    assert agreed(network, square(-1, 1)) == {(1, 1, 0)}


def test_gradient_cancellation_to_1e_minus_12_leaves_two_regions():
    network = nets.network([([[1, 0], [1, 1e-12]], [10, 10]), ([[1, -1]], [0]), ([[1]], [0])])
    assert agreed(network, square(-1, 1)) == {(1, 1, 0), (1, 1, 1)}


def test_hardtanh_neuron_on_the_line():
    """hardtanh(2x - 1): breakpoints x = 0 and x = 1, three regions."""
    network = one_layer([[2, 0]], [-1], "hardtanh")
    assert agreed(network, regions.line([0, 0], [1, 0]).resolve(2)) == {(-1,), (0,), (1,)}


def test_leaky_relu_layer_has_the_regions_of_relu():
    """One hidden layer: the same lines, so the same regions (every oracle agreeing)."""
    relu = dyadic_net([2, 6, 1], ["relu", "identity"], seed=3)
    leaky = regions.Network.from_layers([(layer.weight, layer.bias) for layer in relu.layers],
                                        ["leaky_relu", "identity"], slope=0.25)
    assert agreed(relu, square(-2, 2)) == agreed(leaky, square(-2, 2))


def test_deeper_leaky_relu_nets_agree():
    agreed(dyadic_net([2, 5, 4, 1], ["leaky_relu", "leaky_relu", "identity"], seed=3),
           square(-2, 2))


def test_identity_middle_layer_adds_no_states():
    network = dyadic_net([2, 4, 3, 3, 1], ["relu", "identity", "hardtanh", "identity"], seed=5)
    patterns = agreed(network, whole(2))
    assert all(len(p) == 7 for p in patterns)


# --------------------------------------------------------------------------- closed formulas


def test_formulas():
    assert [ro.zaslavsky(3, 2), ro.zaslavsky(4, 3), ro.zaslavsky(5, 1)] == [7, 15, 6]
    assert ro.parallel_families(2, 7, 2) == 64 and ro.parallel_families(3, 2, 2) == 19


def he_net(widths, seed, activation="relu"):
    return random_network(widths, seed=seed, activation=activation)


@pytest.mark.parametrize("widths, seed", [([2, 12, 1], 0), ([2, 20, 1], 1), ([3, 7, 1], 2),
                                          ([4, 5, 1], 3), ([1, 9, 1], 4)])
def test_zaslavsky_in_general_position(widths, seed):
    network = he_net(widths, seed)
    dim = widths[0]
    planes = ro.first_layer_hyperplanes(network, whole(dim))
    assert ro.in_general_position(planes, dim)
    assert len(agreed(network, whole(dim))) == ro.zaslavsky(widths[1], dim)


def test_bounded_and_unbounded_cells_in_general_position():
    """N lines in general position: C(N - 1, 2) bounded regions, 2N unbounded."""
    n = 15
    cells = ro.exact_cells_2d(he_net([2, n, 1], 11), whole(2))
    bounded = [c for c in cells if all(v[1] == 0 and v[3] == 0 for v in c.polygon[0])]
    assert len(bounded) == comb(n - 1, 2) and len(cells) - len(bounded) == 2 * n


def test_hardtanh_layer_is_parallel_families():
    """N hard-tanh neurons: N directions, two parallel lines each; when lines of different
    neurons all cross, at distinct points, the count is parallel_families(N, 2, 2)."""
    network = he_net([2, 9, 1], 6, "hardtanh")
    planes = ro.first_layer_hyperplanes(network, whole(2))
    crossings = [ro.meeting_point([a, b])
                 for (i, a), (j, b) in itertools.combinations(enumerate(planes), 2)
                 if i // 2 != j // 2]
    assert len(planes) == 18 and None not in crossings and len(set(crossings)) == len(crossings)
    assert len(agreed(network, whole(2))) == ro.parallel_families(9, 2, 2)


@pytest.mark.parametrize("domain, count", [(whole(2), 64), (square(-3.5, 3.5), 64),
                                           (square(-3, 3), 36)])
def test_integer_grid(domain, count):
    """Lines x = k and y = k, k = -3..3; on [-3, 3]^2 the outer four lie on the boundary."""
    ks = range(-3, 4)
    W = [[1, 0] for _ in ks] + [[0, 1] for _ in ks]
    network = one_layer(W, [-k for k in ks] * 2)
    assert len(ro.exact_regions_2d(network, domain)) == count == ro.parallel_families(
        2, 7 if count == 64 else 5, 2)


def test_concurrent_lines():
    """Six lines through (0.375, -0.25): twelve sectors, on R^2 and on a box around it."""
    p = np.array([0.375, -0.25])
    W = np.array([[1, 0], [0, 1], [1, 1], [1, -1], [1, 2], [2, -1]], float)
    network = one_layer(W, -W @ p)
    assert not ro.in_general_position(ro.first_layer_hyperplanes(network, whole(2)), 2)
    assert len(agreed(network, whole(2))) == len(agreed(network, square(-1, 1))) == 12


# --------------------------------------------------------------------------- oracles agree


def polytope():
    return regions.polytope(np.array([[1.0, 2.0], [-1.0, 0.5], [0.25, -1.0]]),
                            np.array([2.0, 1.5, 1.0]))


DOMAINS_2D = {
    "whole": lambda: whole(2),
    "box": lambda: square(-1, 1),
    "polytope": polytope,
}


@pytest.mark.parametrize("seed",
                         [0, 1] + [pytest.param(s, marks=pytest.mark.slow) for s in (2, 3)])
@pytest.mark.parametrize("acts", [("relu", "relu", "identity"), ("hardtanh", "relu", "identity"),
                                  ("leaky_relu", "hardtanh", "identity")])
@pytest.mark.parametrize("kind", sorted(DOMAINS_2D))
def test_lp_and_clipping_agree_in_2d(kind, acts, seed):
    network = dyadic_net([2, 4, 3, 1], list(acts), seed)
    agreed(network, DOMAINS_2D[kind]())


@pytest.mark.parametrize("seed", range(3))
def test_brute_force_agrees_on_tiny_nets(seed):
    network = dyadic_net([2, 3, 2, 1], ["hardtanh", "relu", "identity"], seed)
    agreed(network, square(-1, 1))


@pytest.mark.parametrize("bounds", [(None, None), (-1.5, 1.5)])
def test_plane_slices_agree(bounds):
    network = dyadic_net([3, 5, 4, 1], ["relu", "relu", "identity"], seed=9)
    domain = regions.plane([0.1, -0.3, 0.2], [1.0, 0.7, -0.5], [-0.2, 0.4, 1.1],
                           *bounds).resolve(3)
    agreed(network, domain)


@pytest.mark.parametrize("seed", range(3))
def test_three_dimensions_agree(seed):
    network = dyadic_net([3, 4, 3, 1], ["relu", "hardtanh", "identity"], seed)
    lp = ro.exact_regions(network, whole(3))
    assert lp == ro.exact_regions(network, square(-50, 50, 3))   # a box around every vertex
    assert ro.brute_force_regions(network, whole(3)) == lp


# --------------------------------------------------------------------------- Euler on a box


def finite_point(v):
    X0, X1, Y0, Y1, W = v
    assert X1 == 0 and Y1 == 0
    return F(X0, W), F(Y0, W)


def strictly_between(p, a, b) -> bool:
    """Whether ``p`` lies on the open segment ``(a, b)`` (exact)."""
    cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
    inner = (p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])
    length = (b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2
    return cross == 0 and 0 < inner < length


def euler_characteristic(cells, domain) -> int:
    """V - E + F of the cells of a bounded domain, every edge cut at every vertex on it."""
    points = {finite_point(v) for c in cells for v in c.polygon[0]}
    boundary = {ro.canonical_line(ro.integer_line([-a[0], -a[1]], c))
                for a, c in ro.domain_rows(domain)}
    sides = on_boundary = 0
    for cell in cells:
        vertices, lines = cell.polygon
        for i, line in enumerate(lines):
            a, b = finite_point(vertices[i]), finite_point(vertices[(i + 1) % len(vertices)])
            pieces = 1 + sum(strictly_between(p, a, b) for p in points)
            sides += pieces
            on_boundary += pieces if ro.canonical_line(line) in boundary else 0
    edges = (sides + on_boundary) // 2
    return len(points) - edges + len(cells)


@pytest.mark.parametrize("widths, acts, seed", [
    ([2, 6, 1], ["relu", "identity"], 0),
    ([2, 5, 5, 1], ["relu", "relu", "identity"], 1),
    ([2, 4, 4, 3, 1], ["hardtanh", "relu", "leaky_relu", "identity"], 2),
])
def test_euler_relation_on_a_box(widths, acts, seed):
    network = dyadic_net(widths, acts, seed)
    domain = square(-1.5, 1.5)
    cells = ro.exact_cells_2d(network, domain)
    assert len(cells) > 10
    assert euler_characteristic(cells, domain) == 1


def test_euler_relation_for_a_line_arrangement():
    """Lines in general position inside a box around their crossings: V = C(N,2) + 2N + 4."""
    n = 8
    network = he_net([2, n, 1], 12)
    domain = square(-100, 100)
    cells = ro.exact_cells_2d(network, domain)
    points = {finite_point(v) for c in cells for v in c.polygon[0]}
    assert len(cells) == ro.zaslavsky(n, 2) and len(points) == comb(n, 2) + 2 * n + 4
    assert euler_characteristic(cells, domain) == 1


# --------------------------------------------------------------------------- clipping


def test_meet_and_sign_at():
    v = ro.meet((1, 0, -1, 0), (1, 1, -3, 0))          # x = 1 and x + y = 3
    assert finite_point(v) == (1, 2)
    corner = ro.SQUARE[0][2]                             # (R, R)
    assert ro.sign_at((1, 0, -(10 ** 30), 0), corner) == 1   # R - 1e30 > 0
    assert ro.sign_at((1, -1, 1, 0), corner) == 1        # R - R + 1 > 0
    assert ro.sign_at((1, -1, 0, 0), corner) == 0


def test_clip_a_square_and_the_symbolic_square():
    unit = ro.domain_polygon(square(-1, 1))
    right = ro.clip(unit, (1, 0, 0, 0))                  # x >= 0
    assert sorted(finite_point(v) for v in right[0]) == [(0, -1), (0, 1), (1, -1), (1, 1)]
    half = ro.clip(ro.SQUARE, (1, -1, 0, 0))             # x >= y: the corners (R,-R), (R,R)
    assert len(half[0]) == 3 and sum(v[1] != 0 or v[3] != 0 for v in half[0]) == 3


def test_adjacent_pairs_of_quadrants_skip_the_diagonals():
    cells = ro.exact_cells_2d(one_layer([[1, 0], [0, 1]], [0, 0]), whole(2))
    pairs = {frozenset((cells[i].pattern, cells[j].pattern)) for i, j in ro.adjacent_pairs(cells)}
    assert pairs == {frozenset(p) for p in [((0, 0), (0, 1)), ((0, 0), (1, 0)),
                                            ((1, 1), (0, 1)), ((1, 1), (1, 0))]}


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", ["whole", "box"])
def test_brute_force_adjacency_and_pieces_agree_with_the_clipping(kind, seed):
    """The LP adjacency (closures meeting in dimension n - 1) is the clipping's shared
    edges, and the LP pieces its pieces, on dyadic networks (concurrent and parallel lines
    are frequent on the grid)."""
    network = dyadic_net([2, 3, 2, 1], ["relu", "hardtanh", "identity"], seed, grid=2)
    domain = DOMAINS_2D[kind]()
    cells = ro.exact_cells_2d(network, domain)
    clipped = {frozenset((cells[i].pattern, cells[j].pattern))
               for i, j in ro.adjacent_pairs(cells)}
    assert ro.brute_force_adjacency(network, domain) == clipped
    assert ro.brute_force_pieces(network, domain) == ro.exact_pieces(network, domain)


def test_brute_force_adjacency_of_the_quadrants_by_hand():
    """Opposite quadrants meet in a point only; in 1-D, neighbouring intervals meet."""
    quadrants = one_layer([[1, 0], [0, 1]], [0, 0])
    assert ro.brute_force_adjacency(quadrants, whole(2)) == {
        frozenset(p) for p in [((0, 0), (0, 1)), ((0, 0), (1, 0)), ((1, 1), (0, 1)),
                               ((1, 1), (1, 0))]}
    steps = one_layer([[1], [1]], [0, -1])
    assert ro.brute_force_adjacency(steps, whole(1)) == {
        frozenset(((0, 0), (1, 0))), frozenset(((1, 0), (1, 1)))}


# --------------------------------------------------------------------------- 1-D


def tent(k):
    """The k-th iterate of the tent map 2 relu(x) - 4 relu(x - 1/2) as a network."""
    layers = [([[1.0], [1.0]], [0.0, -0.5])] + [([[2.0, -4.0], [2.0, -4.0]], [0.0, -0.5])] * (
        k - 1) + [([[2.0, -4.0]], [0.0])]
    return nets.network(layers)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_tent_map_iterates(k):
    intervals = ro.exact_breakpoints_1d(tent(k), [0.0], [1.0], 0.0, 1.0)
    assert [(i.lo, i.hi) for i in intervals] == [(F(j, 2 ** k), F(j + 1, 2 ** k))
                                                 for j in range(2 ** k)]
    assert ro.pieces_1d(intervals) == 2 ** k
    assert [i.C[0] for i in intervals] == [(-1) ** j * 2 ** k for j in range(2 ** k)]


def test_breakpoint_at_one_third_is_exact():
    intervals = ro.exact_breakpoints_1d(one_layer([[3.0]], [-1.0]), [0.0], [1.0])
    assert [(i.lo, i.hi, i.pattern) for i in intervals] == [(None, F(1, 3), (0,)),
                                                            (F(1, 3), None, (1,))]


def test_neuron_constant_along_the_line():
    """Along y = 0, relu(y) is constant 0 (a breakpoint): state 0, no cut."""
    network = one_layer([[0, 1], [1, 0]], [0, 0])
    intervals = ro.exact_intervals(network, regions.line([-1, 0], [1, 0]).resolve(2))
    assert [i.pattern for i in intervals] == [(0, 0), (0, 1)]


@pytest.mark.parametrize("seed", range(3))
def test_sweep_agrees_with_lp_on_segments(seed):
    network = dyadic_net([2, 5, 4, 1], ["relu", "hardtanh", "identity"], seed)
    domain = regions.segment([-1.3, 0.2], [1.1, -0.7]).resolve(2)
    lo, hi = ro.slice_interval(domain)
    assert lo == 0 and hi == ro.q(domain.b[0])
    agreed(network, domain)


# --------------------------------------------------------------------------- linear pieces


def hat():
    """relu(x) - 2 relu(x - 1) + relu(x - 2): 0, x, 2 - x, 0 -- two equal maps, not adjacent."""
    return nets.network([([[1.0], [1.0], [1.0]], [0.0, -1.0, -2.0]), ([[1.0, -2.0, 1.0]], [0.0])])


def lifted_hat():
    return nets.network([([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], [0.0, -1.0, -2.0]),
                ([[1.0, -2.0, 1.0]], [0.0])])


@pytest.mark.parametrize("network, domain, pieces", [
    (hat(), regions.segment([-1.0], [3.0]).resolve(1), 4),
    (hat(), regions.line([0.0], [1.0]).resolve(1), 4),
    (lifted_hat(), square(-1, 3), 4),
    (nets.network([([[1, 0], [0, 1]], [0, 0]), ([[1, 0]], [0])]), square(-1, 1), 2),
    (nets.network([([[1, 0], [0, 1]], [0, 0]), ([[1, 0]], [0])]), whole(2), 2),
    (nets.network([([[1, 0], [-1, 0]], [0, 0]), ([[1, -1]], [0])]), whole(2), 1),       # x
    (nets.network([([[1, 0], [-1, 0], [0, 1], [0, -1]], [0] * 4), ([[1, 1, 1, 1]], [0])]), whole(2), 4),
    (nets.network([([[1, 0], [0, 1], [1, 1]], [0] * 3), ([[1, 1, -1]], [0])]), whole(2), 6),
    (nets.network([([[1, 0], [0, 1]], [0, 0]), ([[0, 0]], [0])]), whole(2), 1),
])
def test_exact_pieces(network, domain, pieces):
    assert ro.exact_pieces(network, domain) == pieces


def test_pieces_of_a_tent_segment():
    assert ro.exact_pieces(tent(4), regions.segment([0.0], [1.0]).resolve(1)) == 16


# --------------------------------------------------------------------------- hypotheses


def test_general_position_checks():
    plane = lambda *g_c: ([F(x) for x in g_c[:-1]], F(g_c[-1]))
    assert ro.in_general_position([plane(1, 0, 0), plane(0, 1, 0), plane(1, 1, -1)], 2)
    assert not ro.in_general_position([plane(1, 0, 0), plane(0, 1, 0), plane(1, 1, 0)], 2)
    assert not ro.in_general_position([plane(1, 0, 0), plane(2, 0, -1), plane(0, 1, 0)], 2)
    assert ro.in_general_position([plane(1, 0, 0, 0), plane(0, 1, 0, 0), plane(0, 0, 1, 0),
                                   plane(1, 1, 1, -1)], 3)
    assert not ro.in_general_position([plane(1, 0, 0, 0), plane(0, 1, 0, 0), plane(1, 1, 0, 1)],
                                      3)   # three normals in a plane
    assert ro.meeting_point([plane(1, 1, -3), plane(1, -1, -1)]) == (2, 1)


def test_first_layer_hyperplanes_in_slice_coordinates():
    network = one_layer([[1, 2, 0], [0, 0, 0], [0, 0, 1]], [0.5, 1, -0.25], "hardtanh")
    domain = regions.plane([0, 0, 1], [1, 0, 1], [0, 1, 1]).resolve(3)
    planes = ro.first_layer_hyperplanes(network, domain)
    # neuron 0: x + 2y + 0.5 -/+ 1; neuron 1 constant; neuron 2 constant 0.75 on the slice
    assert planes == [([F(1), F(2)], F(3, 2)), ([F(1), F(2)], F(-1, 2))]


# --------------------------------------------------------------------------- the acceptance cases


def acceptance_cases():
    import test_exactness
    return [case for case in test_exactness.CASES if case.family != "wide"]


@pytest.mark.parametrize("case", acceptance_cases(), ids=lambda case: case.id)
def test_a_second_oracle_agrees_on_every_acceptance_case(case):
    """The exact LP oracle (brute force in 3-D and more) gives the truth that
    test_exactness uses (the 1-D sweep, the 2-D clipping, or the LP oracle)."""
    import test_exactness
    second = (ro.exact_regions if case.domain.dim <= 2 else ro.brute_force_regions)(
        case.network, case.domain)
    assert second == test_exactness.truth(case.id)

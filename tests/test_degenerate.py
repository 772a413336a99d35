"""Degenerate arrangements whose region counts are worked out by hand.

Each expected count below is derived in the comment next to it from the
geometry (which hyperplanes coincide, are parallel, meet in one point, or
miss the domain); no count comes from ``regions`` itself.
"""

import numpy as np
import pytest

import regions

import oracles
from oracles import hidden, pattern_set, random_net, unambiguous

SQUARE = regions.box(-1.0, 1.0)


def count(net, domain=None):
    return len(regions.enumerate(net, domain))


# --------------------------------------------------------------------------- coincident


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_two_identical_neurons_on_the_line_give_two_regions(activation):
    # Both neurons break at x = 0.3: one point splits R into 2 pieces, not 3.
    net = hidden([[2.0], [2.0]], [-0.6, -0.6], activation)
    part = regions.enumerate(net)
    assert pattern_set(part) == {(0, 0), (1, 1)}


def test_duplicate_neuron_in_the_plane_counts_as_one_line():
    # Lines x = 0 (twice) and y = 0: two distinct crossing lines, 4 quadrants.
    net = hidden([[1, 0], [1, 0], [0, 1]], [0, 0, 0])
    assert pattern_set(regions.enumerate(net)) == {
        (0, 0, 0), (0, 0, 1), (1, 1, 0), (1, 1, 1)}
    assert count(net, SQUARE) == 4


@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0, 1e3])
def test_positively_scaled_rows_are_one_hyperplane(scale):
    # (w, b) and (s w, s b), s > 0, vanish on the same line and agree in sign everywhere.
    w, b = np.array([1.0, -2.0]), 0.4
    net = hidden([w, scale * w, [0.5, 1.0]], [b, scale * b, -0.1])
    part = regions.enumerate(net)
    assert len(part) == 4
    assert all(p[0] == p[1] for p in pattern_set(part))
    assert count(net, SQUARE) == 4


def test_negatively_scaled_row_is_the_same_hyperplane_with_opposite_state():
    # relu(x - 0.2) and relu(0.2 - x): one breakpoint, the two neurons are never both on.
    net = hidden([[1.0], [-1.0]], [-0.2, 0.2])
    assert pattern_set(regions.enumerate(net)) == {(0, 1), (1, 0)}


def test_hardtanh_duplicates_and_shared_breakpoints():
    # z1 = x and z2 = x: both break at x = -1 and x = 1, so 3 intervals, not 5.
    assert pattern_set(regions.enumerate(hidden([[1.0], [1.0]], [0, 0], "hardtanh"))) == {
        (-1, -1), (0, 0), (1, 1)}
    # z1 = x breaks at +-1, z2 = 2x at +-1/2: 4 distinct points, 5 intervals.
    assert count(hidden([[1.0], [2.0]], [0, 0], "hardtanh")) == 5
    # z1 = x breaks at -1, 1; z2 = x + 2 at -3, -1: the point -1 is shared, 3 points, 4 intervals.
    assert count(hidden([[1.0], [1.0]], [0, 2], "hardtanh")) == 4


def test_deep_neuron_whose_bent_hyperplane_coincides_with_an_earlier_one():
    # Layer 1: h = relu(x). Layer 2: relu(h) breaks exactly where h does (x = 0) -> 2 regions;
    # relu(-h) is never on -> 2 regions; relu(h - 1) adds the point x = 1 -> 3 regions.
    def two_layers(w2, b2):
        return regions.Network.from_layers(
            [(np.array([[1.0]]), np.zeros(1)), (np.array([[w2]]), np.array([b2])),
             (np.ones((1, 1)), np.zeros(1))])

    assert pattern_set(regions.enumerate(two_layers(1.0, 0.0))) == {(0, 0), (1, 1)}
    assert pattern_set(regions.enumerate(two_layers(-1.0, 0.0))) == {(0, 0), (1, 0)}
    assert pattern_set(regions.enumerate(two_layers(1.0, -1.0))) == {(0, 0), (1, 0), (1, 1)}


def test_second_layer_pre_activation_identically_zero():
    # h1 = h2 = relu(x); layer 2 computes h1 - h2 = 0 everywhere: state 0 (z > 0 is false).
    net = regions.Network.from_layers(
        [(np.array([[1.0], [1.0]]), np.zeros(2)), (np.array([[1.0, -1.0]]), np.zeros(1)),
         (np.ones((1, 1)), np.zeros(1))])
    assert pattern_set(regions.enumerate(net)) == {(0, 0, 0), (1, 1, 0)}


# --------------------------------------------------------------------------- parallel


def test_parallel_neurons_make_strips():
    # x = -1, 0, 1 are 3 parallel lines (4 strips); y = 0 crosses all: 2 families, counts
    # sum over chosen families: 1 + (3 + 1) + 3 * 1 = 8.
    net = hidden([[1, 0], [1, 0], [1, 0], [0, 1]], [1, 0, -1, 0])
    assert count(net) == 8
    # On the box [-1, 1]^2 the lines x = +-1 are its faces: only x = 0 and y = 0 cut it.
    assert count(net, SQUARE) == 4


def test_parallel_families_formula_in_3d():
    # 3 families of 2 parallel planes (the cube's slabs -1 < x_i < 1 extended): 3^3 = 27 cells,
    # and the formula sum_i C(3, i) 2^i = 1 + 6 + 12 + 8 = 27 agrees.
    net = hidden(np.vstack([np.eye(3), np.eye(3)]), [0.5] * 3 + [-0.5] * 3)
    assert count(net) == 27 == oracles.parallel_families(3, 2, 3)


# --------------------------------------------------------------------------- constant neurons


def test_dead_neuron_on_the_box_adds_nothing():
    # x + y - 5 < 0 on [-1, 1]^2: the neuron is off everywhere there, but cuts R^2.
    live = hidden([[1, 0], [0, 1]], [0, 0])
    dead = hidden([[1, 0], [0, 1], [1, 1]], [0, 0, -5])
    assert count(live, SQUARE) == count(dead, SQUARE) == 4
    assert {p[2] for p in pattern_set(regions.enumerate(dead, SQUARE))} == {0}
    # On R^2 the line x + y = 5 enters three quadrants, (6, -1), (-1, 6) and (2.5, 2.5),
    # and splits each: 4 + 3 = 7 regions.
    assert count(dead) == 7


@pytest.mark.parametrize("bias,state", [(1.0, 1), (-1.0, 0), (0.0, 0), (1e-300, 1)])
def test_zero_weight_row_is_constant(bias, state):
    # w = 0: pre-activation is the bias everywhere; relu state is 1 iff bias > 0.
    net = hidden([[1.0, 0.0], [0.0, 0.0]], [0.0, bias])
    part = regions.enumerate(net)
    assert pattern_set(part) == {(0, state), (1, state)}
    assert pattern_set(regions.enumerate(net, SQUARE)) == {(0, state), (1, state)}


@pytest.mark.parametrize("bias,state", [(0.5, 0), (2.0, 1), (-3.0, -1), (1.0, 0), (-1.0, 0)])
def test_zero_weight_hardtanh_row_is_constant(bias, state):
    # hard-tanh state: -1 if z < -1, 1 if z > 1, else 0 (z = +-1 exactly is linear, state 0).
    net = hidden([[1.0, 0.0], [0.0, 0.0]], [0.0, bias], "hardtanh")
    assert pattern_set(regions.enumerate(net)) == {(-1, state), (0, state), (1, state)}


def test_bias_only_layers():
    # All-zero first layer: the whole network is constant, one region.
    net = regions.Network.from_layers(
        [(np.zeros((3, 2)), np.array([0.5, -0.5, 0.0])), (np.ones((1, 3)), np.zeros(1))])
    assert pattern_set(regions.enumerate(net)) == {(1, 0, 0)}
    # All-zero second layer: its states are the signs of its biases; regions are layer 1's.
    rng = np.random.default_rng(5)
    W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=3)
    net = regions.Network.from_layers(
        [(W0, b0), (np.zeros((3, 3)), np.array([0.3, -0.2, 0.0])), (np.ones((1, 3)), np.zeros(1))])
    part = regions.enumerate(net)
    assert len(part) == oracles.zaslavsky(3, 2) == 7
    assert {p[3:] for p in pattern_set(part)} == {(1, 0, 0)}


def test_layer_after_all_neurons_off_is_constant():
    # For x < 0 and y < 0 both first-layer neurons are off, so layer 2 sees 0 and its state
    # is the sign of its bias (here on: bias 0.5 > 0). Elsewhere layer 2 is an ordinary line.
    net = regions.Network.from_layers(
        [(np.eye(2), np.zeros(2)), (np.array([[1.0, 1.0]]), np.array([0.5])),
         (np.ones((1, 1)), np.zeros(1))])
    # relu(x) + relu(y) + 0.5 > 0 everywhere: layer 2 is always on; 4 quadrants.
    assert {p[2] for p in pattern_set(regions.enumerate(net))} == {1}
    assert count(net) == 4


# --------------------------------------------------------------------------- through points


def test_three_lines_through_one_point():
    # Three distinct lines through one point cut the plane into 6 sectors, not the 7 of
    # general position.
    for point in ([0.0, 0.0], [0.3, -0.2]):
        rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        net = hidden(rows, -rows @ np.array(point))
        assert count(net) == 6
        assert count(net, SQUARE) == 6


def test_four_lines_through_one_point():
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -2.0]])
    assert count(hidden(rows, np.zeros(4))) == 8


def test_central_planes_in_3d():
    # n generic planes through the origin of R^3 cut the unit sphere into n^2 - n + 2
    # pieces (great circles), one per cone: n = 3 -> 8, n = 4 -> 14.
    rows = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 2, -3]])
    assert count(hidden(rows[:3], np.zeros(3))) == 8
    assert count(hidden(rows, np.zeros(4))) == 14
    # Three planes through one common line (the z axis): 6 wedges.
    rows = np.array([[1.0, 0, 0], [0, 1, 0], [1, 1, 0]])
    assert count(hidden(rows, np.zeros(3))) == 6


def test_hyperplane_through_a_corner_of_the_box():
    # x + y = 2 touches [-1, 1]^2 only at the corner (1, 1): it does not cut the box.
    assert pattern_set(regions.enumerate(hidden([[1, 1]], [-2]), SQUARE)) == {(0,)}
    assert pattern_set(regions.enumerate(hidden([[-1, -1]], [2]), SQUARE)) == {(1,)}
    # x + y = 0 runs through the corners (-1, 1) and (1, -1): 2 triangles.
    assert count(hidden([[1, 1]], [0]), SQUARE) == 2
    # In 3-D: x + y + z = 3 touches the cube at a vertex, x + y = 2 along an edge.
    cube = regions.box(-1.0, 1.0)
    assert count(hidden([[1, 1, 1]], [-3]), cube) == 1
    assert count(hidden([[1, 1, 0]], [-2]), cube) == 1
    # Plus a generic plane through the interior: 2 regions.
    assert count(hidden([[1, 1, 1], [1, 1, 0], [0.3, -1, 0.2]], [-3, -2, 0.1]), cube) == 2


def test_hyperplane_on_a_box_face():
    # relu(x - 1) vanishes on the face x = 1 and is off inside; relu(x + 1) is on inside.
    assert pattern_set(regions.enumerate(hidden([[1, 0]], [-1]), SQUARE)) == {(0,)}
    assert pattern_set(regions.enumerate(hidden([[1, 0]], [1]), SQUARE)) == {(1,)}
    assert pattern_set(regions.enumerate(hidden([[-1, 0]], [1]), SQUARE)) == {(1,)}
    # All four faces plus the line x = 0: 2 regions.
    net = hidden([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 0]], [-1, -1, -1, -1, 0])
    assert pattern_set(regions.enumerate(net, SQUARE)) == {(0, 0, 0, 0, 0), (0, 0, 0, 0, 1)}


def test_hyperplane_on_a_polytope_face():
    # Triangle x >= 0, y >= 0, x + y <= 1; neurons on its faces and one through it.
    tri = regions.polytope([[-1, 0], [0, -1], [1, 1]], [0, 0, 1])
    net = hidden([[1, 1], [1, 0], [0, 1], [1, -1]], [-1, 0, 0, 0])
    # Faces: x + y - 1 <= 0 (off), x >= 0 and y >= 0 (on: z > 0 in the interior).
    assert pattern_set(regions.enumerate(net, tri)) == {(0, 1, 1, 0), (0, 1, 1, 1)}


def test_hardtanh_breakpoints_outside_the_box():
    # z = 2x breaks at x = +-1/2: 3 intervals on [-1, 1]; on [-1/4, 1/4] neither: 1.
    net = hidden([[2.0]], [0.0], "hardtanh")
    assert count(net, regions.box(-1.0, 1.0)) == 3
    assert pattern_set(regions.enumerate(net, regions.box(-0.25, 0.25))) == {(0,)}
    # z = x + 1 breaks at x = 0 and x = -2; only x = 0 is in (-1, 1).
    assert count(hidden([[1.0]], [1.0], "hardtanh"), regions.box(-1.0, 1.0)) == 2


# --------------------------------------------------------------------------- scaling


def rescaled(net, layer, neuron, factor):
    """Scale one neuron's row and bias by ``factor`` and its outgoing column by 1/factor.

    For relu / leaky relu (positively homogeneous) the function and every
    neuron's sign are unchanged, so the regions and their patterns are too.
    """
    pairs = [(l.weight.copy(), l.bias.copy()) for l in net.layers]
    pairs[layer][0][neuron] *= factor
    pairs[layer][1][neuron] *= factor
    pairs[layer + 1][0][:, neuron] /= factor
    return regions.Network.from_layers(pairs, net.activations, slope=net.layers[0].slope)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("seed", range(3))
def test_count_invariant_under_positive_neuron_scaling(activation, seed):
    net = random_net([2, 3, 3, 1], [activation, activation, "identity"], seed)
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(regions.enumerate(net, SQUARE)) == truth
    rng = np.random.default_rng(seed)
    for factor in (1e-3, 0.2, 5.0, 1e3):
        layer, neuron = int(rng.integers(2)), int(rng.integers(3))
        scaled = rescaled(net, layer, neuron, factor)
        assert pattern_set(regions.enumerate(scaled, SQUARE)) == truth, (factor, layer, neuron)


@pytest.mark.parametrize("factor", [1e-4, 1e4])
def test_one_layer_count_invariant_under_scaling_rows(factor):
    # Scaling a whole hidden layer's rows and biases moves no hyperplane.
    rng = np.random.default_rng(11)
    W, b = rng.normal(size=(6, 2)), rng.normal(size=6)
    assert count(hidden(factor * W, factor * b)) == count(hidden(W, b)) == 22


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize("seed", range(5))
def test_three_lines_through_an_inexact_point(seed):
    # The common point and the directions are not representable: the three computed lines
    # bound a triangle of size ~1e-16 that is not a region. Still 6 sectors.
    rng = np.random.default_rng(seed)
    point = rng.normal(size=2) / 3.0
    rows = rng.normal(size=(3, 2))
    net = hidden(rows, -rows @ point)
    assert count(net) == 6
    assert count(net, regions.box(point - 0.7, point + 0.9)) == 6


@pytest.mark.parametrize("seed", range(5))
def test_deep_bent_lines_through_a_first_layer_vertex(seed):
    # Layer 1: h = relu(x - p) breaks on the lines x = p_x, y = p_y (p inexact). Layer 2:
    # z = a h1 + b h2 with a > 0 > b is 0 on the quadrant h1 = h2 = 0 (state 0), a h1 > 0 on
    # (+, -), b h2 < 0 on (-, +), and on (+, +) it vanishes on a ray from the vertex p that
    # splits that quadrant: 4 + 1 = 5 regions.
    rng = np.random.default_rng(seed)
    p = rng.normal(size=2) / 7.0
    a, b = rng.uniform(0.5, 2.0), -rng.uniform(0.5, 2.0)
    net = regions.Network.from_layers(
        [(np.eye(2), -p), (np.array([[a, b]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    assert count(net) == 5
    assert count(net, regions.box(p - 1.0, p + 1.0)) == 5


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_duplicate_neurons_in_a_deep_layer(method):
    # Layer 2 has the same row twice: its bent hyperplane counts once.
    rng = np.random.default_rng(3)
    W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=3)
    row, bias = rng.normal(size=3), rng.normal()
    single = regions.Network.from_layers(
        [(W0, b0), (row[None, :], np.array([bias])), (np.ones((1, 1)), np.zeros(1))])
    double = regions.Network.from_layers(
        [(W0, b0), (np.stack([row, row]), np.array([bias, bias])), (np.ones((1, 2)), np.zeros(1))])
    single_patterns = pattern_set(regions.enumerate(single, SQUARE, method=method))
    truth = unambiguous(oracles.polygon_partition, single, oracles.box_slice([-1, -1], [1, 1]),
                        oracles.square(-1, 1))[0]
    assert single_patterns == set(truth)
    assert pattern_set(regions.enumerate(double, SQUARE, method=method)) == {
        p + p[-1:] for p in single_patterns}


@pytest.mark.parametrize("small,large", [(1e-6, 1e6), (1e-9, 1.0), (1.0, 1e9)])
def test_duplicate_hyperplane_at_very_different_scales(small, large):
    w, b = np.array([0.3, -0.7]), 0.11
    net = hidden([small * w, large * w, [1.0, 0.2]], [small * b, large * b, 0.05])
    assert count(net) == 4
    assert count(net, SQUARE) == 4


def test_neuron_on_an_inexact_box_face():
    # Face x = 0.3 of [-0.1, 0.3] x [0.7, 1.1], and face y = 0.7 from the other side.
    box = regions.box([-0.1, 0.7], [0.3, 1.1])
    net = hidden([[1, 0], [0, -1], [0, 1]], [-0.3, 0.7, -0.9])
    assert pattern_set(regions.enumerate(net, box)) == {(0, 0, 0), (0, 0, 1)}


def test_neuron_on_a_normalised_polytope_face():
    # The face 3x + 4y <= 2 is stored normalised (0.6, 0.8) . x <= 0.4; the neuron keeps the
    # raw row. They are the same line up to rounding: no sliver region.
    tri = regions.polytope([[3, 4], [-1, 0], [0, -1]], [2, 0, 0])
    net = hidden([[3, 4], [1, -1]], [-2, 0.01])
    assert pattern_set(regions.enumerate(net, tri)) == {(0, 0), (0, 1)}


def test_line_through_an_inexact_box_corner():
    # Through the corner (0.7, 0.7) of [0.1, 0.7]^2 with slope -1/3: touches only the corner.
    box = regions.box(0.1, 0.7)
    net = hidden([[1.0 / 3.0, 1.0]], [-(0.7 / 3.0 + 0.7)])
    assert pattern_set(regions.enumerate(net, box)) == {(0,)}


def test_far_away_box():
    # Box [1000, 1001]^2 with the lines x = 1000.5 and y = 1000.25: 4 regions.
    net = hidden([[1, 0], [0, 1]], [-1000.5, -1000.25])
    assert count(net, regions.box(1000.0, 1001.0)) == 4

"""Decision boundaries (``regions.decision_boundary``): the zero set's pieces, length and
area against hand-worked examples in 2-D and 3-D, a piece lying on a facet counted once."""

import math

import numpy as np
import pytest

import regions
from regions.complex.decision import decision_boundary

from nets import one_layer


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_zero_set_pieces_and_length_2d(method):
    # relu(x1) + relu(x2) - 1/2 on [-1, 1]^2: x1 + x2 = 1/2 (length sqrt(2)/2) and the
    # half-lines x1 = 1/2, x2 < 0 and x2 = 1/2, x1 < 0 (length 1 each).
    net = one_layer([[1, 0], [0, 1]], [0, 0], out_bias=-0.5)
    part = regions.enumerate_regions(net, regions.box(-1, 1), method=method)
    zero = decision_boundary(part)
    assert zero.count == 3
    assert zero.measure == pytest.approx(2 + math.sqrt(2) / 2, rel=1e-12)
    ends = np.vstack(zero.pieces)
    assert np.max(np.abs(part.network.forward(ends))) < 1e-12


def test_zero_set_on_a_facet_counts_once():
    # relu(s) - relu(-s) with s = x1 + x2: f = s, zero exactly on the facet between the two
    # regions: one piece, the diagonal of [-1, 1]^2 (length 2 sqrt 2).
    part = regions.enumerate_regions(one_layer([[1, 1], [-1, -1]], [0, 0], out=[1, -1]),
                                     regions.box(-1, 1))
    zero = decision_boundary(part)
    assert (len(part), zero.count) == (2, 1)
    assert zero.measure == pytest.approx(2 * math.sqrt(2), rel=1e-12)


def test_zero_set_area_3d():
    # f = x1 + x2 + x3 (an identity layer: one region): the plane through the centre of
    # [-1, 1]^3 cuts a regular hexagon of side sqrt(2), area 3 sqrt(3).
    f = regions.Network.from_layers([(np.eye(3), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))],
                                    ["identity", "identity"])
    zero = decision_boundary(regions.enumerate_regions(f, regions.box(-1, 1)))
    assert zero.count == 1 and len(zero.pieces[0]) == 6
    assert zero.measure == pytest.approx(3 * math.sqrt(3), rel=1e-12)


def test_decision_boundary_of_max_units():
    # max(x1, x2, -x1 - x2) = 1: the triangle (1, 1), (1, -2), (-2, 1), sides 3, 3, 3 sqrt 2
    three = regions.Network.from_layers(
        [([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0.0] * 3), ([[1.0]], [0.0])],
        ["max", "identity"], windows={0: [[0, 1, 2]]})
    zero = regions.decision_boundary(regions.enumerate_regions(three, regions.box(-3, 3)), 1.0)
    assert sorted(zero.measures) == pytest.approx([3.0, 3.0, 3 * math.sqrt(2)], rel=1e-12)
    # max(x1, x2, x3, -x1 - x2 - x3) = 1: a tetrahedron with corners (1, 1, 1), (1, 1, -3),
    # (1, -3, 1), (-3, 1, 1): three right triangles of legs 4 (area 8) and an equilateral
    # one of side 4 sqrt 2 (area 8 sqrt 3)
    four = regions.Network.from_layers(
        [(np.vstack([np.eye(3), -np.ones((1, 3))]), np.zeros(4)), ([[1.0]], [0.0])],
        ["max", "identity"], windows={0: [[0, 1, 2, 3]]})
    part = regions.enumerate_regions(four, regions.box(-4, 4))
    zero = regions.decision_boundary(part, 1.0)
    assert sorted(zero.measures) == pytest.approx([8.0] * 3 + [8 * math.sqrt(3)], rel=1e-12)
    assert regions.boundary_betti_numbers(part, 1.0) == (1, 0, 1)

"""The face lattice against closed formulas and a second algorithm.

A simple arrangement of k hyperplanes in R^d has f_i = C(k, d-i) sum_{j<=i} C(k-d+i, j)
faces of dimension i (Zaslavsky's face count); sum (-1)^i f_i is the Euler characteristic
with compact supports of the domain (1 for a box, (-1)^n for R^n); in 2-D the vertices,
edges and faces agree with geometry.planar_complex (polygon clipping).
"""

import json
from fractions import Fraction
from math import comb

import numpy as np
import pytest

import regions
from regions.cli import main
from regions.complex.geometry import planar_complex

import rational_oracle
from max_networks import assorted_max_net, exact_fan, max_net, pooled, random_maxout
from oracles import random_net


def simple_arrangement_faces(k: int, d: int) -> list[int]:
    return [comb(k, d - i) * sum(comb(k - d + i, j) for j in range(i + 1)) for i in range(d + 1)]


@pytest.mark.parametrize("seed", range(2), ids=["seed0", "seed1"])
@pytest.mark.parametrize("d,k", [(1, 4), (2, 6), (3, 5), (4, 5), (5, 6)])
def test_one_layer_on_the_whole_space_has_zaslavskys_faces(d, k, seed):
    net = random_net([d, k, 1], ["relu", "identity"], seed)
    lattice = regions.face_lattice(regions.enumerate_regions(net))
    assert lattice.f_vector == simple_arrangement_faces(k, d)
    assert lattice.euler_characteristic == (-1) ** d
    # A vertex lies on exactly d hyperplanes, a region on none.
    assert all(np.sum(s == 0) == d - dim for s, dim in zip(lattice.signs, lattice.dims))


@pytest.mark.parametrize("d,k", [(6, 7), (7, 8), (8, 9), (6, 9),
                                 pytest.param(8, 10, marks=pytest.mark.slow)])
def test_zaslavskys_faces_up_to_8d(d, k):
    net = random_net([d, k, 1], ["relu", "identity"], 0)
    lattice = regions.face_lattice(regions.enumerate_regions(net))
    assert lattice.f_vector == simple_arrangement_faces(k, d)
    assert all(np.sum(s == 0) == d - dim for s, dim in zip(lattice.signs, lattice.dims))


def coordinate_planes(d: int) -> regions.Network:
    """The hyperplanes ``x_i = 0``, one ReLU each."""
    return regions.Network.from_layers([(np.eye(d), np.zeros(d)), (np.ones((1, d)), [0.0])])


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_coordinate_planes_cut_a_box_into_a_grid(d):
    # The cube [-1, 1]^d cut by x_i = 0: a face picks, per coordinate, one of the three
    # values -1, 0, 1 or one of the two open halves, so f_i = C(d, i) 2^i 3^(d - i).
    lattice = regions.face_lattice(regions.enumerate_regions(coordinate_planes(d),
                                                             regions.box(-1, 1)))
    assert lattice.f_vector == [comb(d, i) * 2 ** i * 3 ** (d - i) for i in range(d + 1)]
    # A face's vertices: 2^dim of them, each coordinate -1, 0 or 1.
    for f, members in enumerate(lattice.vertices):
        assert len(members) == 2 ** lattice.dims[f]
    for v in np.flatnonzero(lattice.dims == 0):
        assert set(lattice.rational_points[v]) <= {-1, 0, 1}


@pytest.mark.parametrize("d,cuts", [(7, 1), (8, 2)])
def test_a_box_with_more_than_64_vertices_cut_by_coordinate_planes(d, cuts):
    # [-1, 1]^d cut by x_i = 0 for i < cuts: every region is a box with 2^d vertices (more
    # than one 64-bit word of generators). A face picks, per cut coordinate, one of -1, 0,
    # 1 (dimension 0) or one of two open halves (1); per other coordinate one of -1, 1 (0)
    # or the open interval (1): f is the coefficients of (3 + 2t)^cuts (2 + t)^(d - cuts).
    net = regions.Network.from_layers([(np.eye(d)[:cuts], np.zeros(cuts)),
                                       (np.ones((1, cuts)), [0.0])])
    lattice = regions.face_lattice(regions.enumerate_regions(net, regions.box(-1, 1)))
    expected = np.polynomial.polynomial.polypow([3, 2], cuts)
    expected = np.polynomial.polynomial.polymul(
        expected, np.polynomial.polynomial.polypow([2, 1], d - cuts))
    assert lattice.f_vector == [int(round(c)) for c in expected]
    assert [len(lattice.vertices[f]) for f in np.flatnonzero(lattice.dims == d)] == \
        [2 ** d] * 2 ** cuts


def test_four_planes_through_one_point():
    # Not simple: x = 0, y = 0, z = 0 and x + y + z = 0 all pass through the origin, no
    # three through a line. One vertex; two rays on each of the 6 lines; each plane cut by
    # its 3 lines into 6 sectors; 2 (1 + 3 + 3) = 14 regions (a central arrangement).
    W = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    net = regions.Network.from_layers([(W, np.zeros(4)), (np.ones((1, 4)), [0.0])])
    lattice = regions.face_lattice(regions.enumerate_regions(net))
    assert lattice.f_vector == [1, 12, 24, 14]
    assert lattice.rational_points[0] == (0, 0, 0)
    assert np.all(lattice.signs[0] == 0)
    # Every ray lies on exactly the two planes of its line.
    assert all(np.sum(lattice.signs[f] == 0) == 2 for f in np.flatnonzero(lattice.dims == 1))


@pytest.mark.parametrize("name,widths,activations", [
    ("relu", [2, 6, 5, 1], ["relu", "relu", "identity"]),
    ("hardtanh", [2, 4, 4, 1], ["hardtanh", "hardtanh", "identity"]),
    ("leaky", [3, 5, 4, 1], ["leaky_relu", "leaky_relu", "identity"]),
])
@pytest.mark.parametrize("domain", ["box", "whole"])
def test_euler_characteristic_of_deep_networks(name, widths, activations, domain):
    net = random_net(widths, activations, 3)
    dom = regions.box(-1, 1) if domain == "box" else None
    part = regions.enumerate_regions(net, dom)
    lattice = regions.face_lattice(part)
    assert lattice.f_vector[-1] == len(part)
    assert lattice.euler_characteristic == (1 if domain == "box" else (-1) ** widths[0])
    # Hasse diagram: every face of dimension d > 0 has faces of dimension d - 1 on its
    # boundary, at least d + 1 of them when it is bounded.
    for f, bound in enumerate(lattice.bounds):
        assert all(lattice.dims[g] == lattice.dims[f] - 1 for g in bound)
        if domain == "box" and lattice.dims[f] > 0:
            assert len(bound) >= lattice.dims[f] + 1


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_2d_faces_agree_with_the_planar_complex(seed):
    net = random_net([2, 6, 6, 1], ["relu", "relu", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    lattice = regions.face_lattice(part)
    planar = planar_complex(part)
    assert lattice.f_vector == [len(planar.vertices), len(planar.edges), len(planar.faces)]


def test_cli_faces_and_hasse_diagram(tmp_path, capsys):
    path = tmp_path / "net.npz"
    regions.write_network(random_net([2, 5, 1], ["relu", "identity"], 0), path)
    out = tmp_path / "hasse.graphml"
    assert main(["faces", str(path), "-o", str(out), "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["f_vector"] == simple_arrangement_faces(5, 2)
    import networkx as nx
    G = nx.read_graphml(out)
    assert G.number_of_nodes() == sum(summary["f_vector"])
    assert sum(1 for _, data in G.nodes(data=True) if data["dim"] == 0) == comb(5, 2)


@pytest.mark.parametrize("weights, bias, domain, sign", [
    ([[0.0, 0.0]], 1.0, None, 1),                                      # R^2, zero-row neuron
    ([[0.0]], -1.0, None, -1),                                         # R^1, zero-row neuron
    ([[0.0, 1.0]], 0.0, regions.line([0, 0], [1, 0]), 0),            # y = 0 on the x-axis
    ([[0.0, 0.0, 1.0]], 0.5, regions.plane([0, 0, 0], [1, 0, 0], [0, 1, 0]), 1)])
def test_lattice_of_an_unbounded_domain_no_hyperplane_crosses(weights, bias, domain, sign):
    """Hand-worked: the one region is the whole unbounded domain, the lattice's one face
    (no vertex, no boundary; f-vector [0]*dim + [1], Euler characteristic (-1)^dim), on
    the side of the neuron's constant pre-activation (0 when it vanishes everywhere)."""
    net = regions.Network.from_layers([(weights, [bias]), ([[1.0]], [0.0])])
    part = regions.enumerate_regions(net, domain)
    dim = part.domain.dim
    lattice = regions.face_lattice(part)
    assert lattice.f_vector == [0] * dim + [1]
    assert lattice.euler_characteristic == (-1) ** dim
    assert lattice.signs.tolist() == [[sign]]
    assert [r.tolist() for r in lattice.regions] == [[0]]
    assert [b.tolist() for b in lattice.bounds] == [[]]
    assert [v.tolist() for v in lattice.vertices] == [[]]
    assert len(lattice.rational_points[0]) == dim


# ----------------------------------------------------------------------------- max layers
# A max unit's regions are bounded by the pairs with its argmax only; a pair of two other
# inputs may tie inside a region's closure, and must not split its faces.


def _one_unit(gradients, offsets=None):
    """max over the rows of ``gradients`` (each ``g . x + offset``), one unit."""
    G = np.asarray(gradients, dtype=np.float64)
    c = np.zeros(len(G)) if offsets is None else np.asarray(offsets, dtype=np.float64)
    return max_net([(G, c), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                   {0: [list(range(len(G)))]})


# Integer gradients in convex position (each a vertex of their hull): k cones at the apex.
FANS = [[(1, 0), (0, 1), (-1, -1)],
        [(1, 0), (0, 1), (-1, 0), (0, -1)],
        [(1, 0), (1, 1), (0, 1), (-1, 0), (0, -1)],
        [(1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1)]]


@pytest.mark.parametrize("gradients", FANS, ids=[f"k{len(g)}" for g in FANS])
def test_max_of_k_lines_through_a_point_on_the_plane(gradients):
    # Hand count: the apex, the k rays between consecutive cones, the k cones.
    k = len(gradients)
    lattice = regions.face_lattice(regions.enumerate_regions(exact_fan(gradients),
                                                             method="vertex"))
    assert lattice.f_vector == [1, k, k]
    assert lattice.euler_characteristic == 1
    assert lattice.rational_points[0] == (0, 0)
    assert np.all(lattice.signs[0] == 0)


@pytest.mark.parametrize("gradients", FANS, ids=[f"k{len(g)}" for g in FANS])
def test_max_of_k_lines_through_a_point_on_a_box(gradients):
    # Apex (1/4, 1/8) inside [-1, 1]^2; no ray from it meets a corner (a ray's direction is
    # (d1, d2) with |d1|, |d2| <= 2 integers, a corner's is (+-3/4 or 5/4, 7/8 or 9/8)):
    # vertices the apex, the 4 corners and k points on the sides; edges the k rays and the
    # 4 + k pieces of the boundary; k regions.
    k = len(gradients)
    part = regions.enumerate_regions(exact_fan(gradients, (0.25, 0.125)), regions.box(-1, 1),
                                     method="vertex")
    lattice = regions.face_lattice(part)
    assert lattice.f_vector == [5 + k, 4 + 2 * k, k]
    assert lattice.euler_characteristic == 1


def test_max_of_abs_x_abs_y_and_zero_by_hand():
    # max(x, -x, y, -y, 0) = max(|x|, |y|): 0 wins at the origin only (no region); the four
    # regions are the cones |x| > |y| (x > 0 or x < 0) and |y| > |x|, cut by y = +-x.
    # Inside the cone x > |y| pairs of two losers vanish on lines through it (y and -y at
    # y = 0, -x and 0 nowhere there) and must not cut it.
    net = _one_unit([[1, 0], [-1, 0], [0, 1], [0, -1], [0, 0]])
    lattice = regions.face_lattice(regions.enumerate_regions(net, method="vertex"))
    assert lattice.f_vector == [1, 4, 4]
    # Pairs in label order: (0,1) (0,2) (0,3) (0,4) (1,2) (1,3) (1,4) (2,3) (2,4) (3,4).
    assert lattice.signs[0].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]   # all tie at 0
    rays = {lattice.rational_points[f]: lattice.signs[f].tolist()
            for f in np.flatnonzero(lattice.dims == 1)}
    ray = next(p for p in rays if p[0] > 0 and p[1] > 0)                 # x = y > 0
    # x and y tie for the largest: (0,2) 0; x beats -x, -y, 0: (0,1) (0,3) (0,4) -1;
    # y beats them: (1,2) +1, (2,3) (2,4) -1; (1,3) (1,4) (3,4) are two losers: no side.
    assert rays[ray] == [-1, 0, -1, -1, 1, 0, 0, -1, -1, 0]
    tops = {lattice.rational_points[f]: lattice.signs[f].tolist()
            for f in np.flatnonzero(lattice.dims == 2)}
    right = next(p for p in tops if p[0] > abs(p[1]))                   # x wins
    assert tops[right] == [-1, -1, -1, -1, 0, 0, 0, 0, 0, 0]
    on_a_box = regions.face_lattice(regions.enumerate_regions(net, regions.box(-1, 1),
                                                              method="vertex"))
    assert on_a_box.f_vector == [5, 8, 4]      # the rays meet the corners


def test_a_one_dimensional_envelope_has_its_breakpoints_as_vertices():
    # max(x, -x, 2x - 1, 1/2) on [-3, 3]: -x down to 1/2 at x = -1/2, 1/2 up to x = 1/2,
    # x up to the tie x = 2x - 1 at 1, then 2x - 1. x and -x tie at 0, under 1/2: no vertex.
    net = _one_unit([[1], [-1], [2], [0]], [0, 0, -1, 0.5])
    lattice = regions.face_lattice(regions.enumerate_regions(net, regions.box(-3, 3),
                                                             method="vertex"))
    assert lattice.f_vector == [5, 4]
    assert sorted(lattice.rational_points[f][0] for f in np.flatnonzero(lattice.dims == 0)) \
        == [-3, Fraction(-1, 2), Fraction(1, 2), 1, 3]
    on_the_line = regions.face_lattice(regions.enumerate_regions(net, method="vertex"))
    assert on_the_line.f_vector == [3, 4]
    assert on_the_line.euler_characteristic == -1


def test_maxout_in_three_dimensions_has_the_euler_characteristic_of_r3():
    # max(x, y, z, -x - y - z): four cones at the origin; where three inputs tie, a ray (4);
    # where two tie, a sector (6): f = [1, 4, 6, 4], 1 - 4 + 6 - 4 = -1.
    net = _one_unit([[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, -1, -1]])
    lattice = regions.face_lattice(regions.enumerate_regions(net, method="vertex"))
    assert lattice.f_vector == [1, 4, 6, 4]
    assert lattice.euler_characteristic == -1
    on_a_box = regions.face_lattice(regions.enumerate_regions(net, regions.box(-1, 1),
                                                              method="vertex"))
    assert on_a_box.euler_characteristic == 1


@pytest.mark.parametrize("build", [lambda: random_maxout(0), lambda: random_maxout(1),
                                   lambda: random_maxout(4, rank=3),
                                   lambda: random_maxout(2, tail="max"),
                                   lambda: random_maxout(3, tail="max"), lambda: pooled(0)],
                         ids=["maxout0", "maxout1", "rank3", "max_tail2", "max_tail3", "pooled"])
def test_maxout_faces_agree_with_the_brute_force_oracle(build):
    net = build()
    part = regions.enumerate_regions(net, regions.box(-1, 1), method="vertex")
    lattice = regions.face_lattice(part)
    assert lattice.f_vector == rational_oracle.brute_force_f_vector_2d(net, part.domain)
    assert lattice.euler_characteristic == 1


@pytest.mark.parametrize("seed", [1, 2, 4, 5, 6, 7, 8, 9, 10, 11])   # 0, 3: cylinders on R^n
def test_faces_of_assorted_max_networks(seed):
    # Degenerate ones too (duplicate inputs, exact ties, dead ReLUs, windows of one): in
    # 2-D the f-vector of the brute-force oracle; in 1-D and 3-D, on a box and on R^n, the
    # regions as the top faces and the Euler characteristic.
    net = assorted_max_net(seed)
    for domain in (regions.box(-1, 1), None):
        part = regions.enumerate_regions(net, domain, method="vertex")
        lattice = regions.face_lattice(part)
        assert lattice.f_vector[-1] == len(part)
        assert lattice.euler_characteristic == (1 if domain else (-1) ** net.input_dim)
        if domain and net.input_dim == 2:
            assert lattice.f_vector == rational_oracle.brute_force_f_vector_2d(net, part.domain)

"""Topology in 3-D (and the same code in 2-D): Betti numbers of superlevel sets and of the
decision boundary, critical points and sublevel persistence, against shapes built by hand
with L1 norms, whose homology is known, and against a voxel grid."""

import numpy as np
import pytest

import regions
from regions.complex.persistence import critical_points, sublevel_persistence

import oracles

ABS3 = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]


def l1_ball(sign: float, radius: float):
    """sign * (|x1| + |x2| + |x3|) - sign * radius."""
    return regions.Network.from_layers([(np.array(ABS3, float), np.zeros(6)),
                                        (sign * np.ones((1, 6)), np.array([-sign * radius]))])


def torus():
    """f = 0.3 - | |x1| + |x2| - 1/2 | - |x3|: {f >= 0} is a solid (L1) torus around the
    x3 axis; |x3| passes the second layer as relu of a non-negative sum."""
    g = np.array([1.0, 1, 1, 1, 0, 0])
    z = np.array([0.0, 0, 0, 0, 1, 1])
    layer2 = (np.vstack([g, -g, z]), np.array([-0.5, 0.5, 0.0]))
    return regions.Network.from_layers([(np.array(ABS3, float), np.zeros(6)), layer2,
                                        (np.array([[-1.0, -1, -1]]), np.array([0.3]))])


def two_balls():
    """f = max(0.3 - |x - a|_1, 0.3 - |x + a|_1), a = (1/2, 0, 0): two disjoint balls;
    max(p, q) = relu(p - q) + relu(q) - relu(-q)."""
    W1 = [[1, 0, 0], [-1, 0, 0], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1],
          [0, 0, -1]]
    b1 = [-0.5, 0.5, 0.5, -0.5, 0, 0, 0, 0]
    p = np.array([-1, -1, 0, 0, -1, -1, -1, -1.0])     # p = 0.3 + p . h
    q = np.array([0, 0, -1, -1, -1, -1, -1, -1.0])
    return regions.Network.from_layers([(W1, b1), ([p - q, q, -q], [0.0, 0.3, -0.3]),
                                        ([[1.0, 1, -1]], [0.0])])


CUBE = regions.box(-1, 1)


@pytest.mark.parametrize("make,superlevel,boundary", [
    (lambda: l1_ball(1.0, 0.5), (1, 0, 1), (1, 0, 1)),     # cube minus a ball: a cavity
    (lambda: l1_ball(-1.0, 0.5), (1, 0, 0), (1, 0, 1)),    # the ball; its surface a sphere
    (torus, (1, 1, 0), (1, 2, 1)),                         # solid torus; the torus surface
    (two_balls, (2, 0, 0), (2, 0, 2)),                     # two balls; two spheres
    (lambda: l1_ball(1.0, 5.0), (0, 0, 0), (0, 0, 0)),     # empty
], ids=["cube-minus-ball", "ball", "torus", "two-balls", "empty"])
def test_betti_numbers_of_hand_built_3d_shapes(make, superlevel, boundary):
    f = make()
    part = regions.enumerate_regions(f, CUBE)
    assert regions.betti_numbers(part) == superlevel
    assert regions.boundary_betti_numbers(part) == boundary


def test_hand_built_shapes_are_what_they_claim():
    X = np.array([[0, 0, 0], [0.5, 0, 0], [0, 0.5, 0.25], [0.5, 0.5, 0], [0.9, 0, 0]], float)
    assert np.allclose(torus().forward(X)[:, 0], [-0.2, 0.3, 0.05, -0.2, -0.1])
    assert np.allclose(two_balls().forward(X)[:, 0], [-0.2, 0.3, -0.95, -0.2, -0.1])


def test_betti_numbers_agree_with_a_voxel_grid():
    # Components and cavities of {f >= 0} for a random net, on a 121^3 grid (scipy.ndimage):
    # b0 is the number of components, b2 the number of components of the complement
    # that do not reach the cube's boundary.
    from scipy import ndimage
    f = oracles.random_net([3, 6, 6, 1], ["relu", "relu", "identity"], 3)
    part = regions.enumerate_regions(f, CUBE)
    grid = np.linspace(-1, 1, 121)
    X = np.stack(np.meshgrid(grid, grid, grid, indexing="ij"), axis=-1).reshape(-1, 3)
    mask = (f.forward(X)[:, 0] >= 0).reshape(121, 121, 121)
    components = ndimage.label(mask, structure=np.ones((3, 3, 3)))[1]
    outside, count = ndimage.label(~mask)
    faces = np.concatenate([outside[[0, -1]].ravel(), outside[:, [0, -1]].ravel(),
                            outside[:, :, [0, -1]].ravel()])
    cavities = count - len(set(faces.tolist()) - {0})
    b = regions.betti_numbers(part)
    assert (b[0], b[2]) == (components, cavities)
    assert components >= 1          # the check is not vacuous


def test_critical_points_3d():
    # |x|_1: one interior minimum at the origin; -|x|_1: one interior maximum there;
    # ||x1| - 1/2| + |x2| + |x3|: minima at (+-1/2, 0, 0), a saddle at the origin.
    wells = regions.Network.from_layers([
        (np.array(ABS3, float), np.zeros(6)),
        (np.array([[1.0, 1, 0, 0, 0, 0], [-1, -1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1]]),
         np.array([-0.5, 0.5, 0.0])),
        (np.array([[1.0, 1, 1]]), np.zeros(1))])
    cases = [(l1_ball(1.0, 0.0), [("minimum", (0.0, 0.0, 0.0), 0.0)]),
             (l1_ball(-1.0, 0.0), [("maximum", (0.0, 0.0, 0.0), 0.0)]),
             (wells, [("minimum", (-0.5, 0.0, 0.0), 0.0), ("minimum", (0.5, 0.0, 0.0), 0.0),
                      ("saddle", (0.0, 0.0, 0.0), 0.5)])]
    for f, expected in cases:
        found = critical_points(regions.enumerate_regions(f, CUBE))
        inside = sorted((p.kind, tuple(np.round(p.point, 9) + 0.0), round(p.value, 9))
                        for p in found if not p.on_boundary)
        assert inside == expected


def test_sublevel_persistence_3d():
    # f = -|x|_1 on [-1, 1]^3: 8 corner components born at -3 join at -2 along the edges
    # (7 deaths), closing 12 - 8 + 1 = 5 loops, filled at -1 by the 6 faces, the last of
    # which encloses the cavity around the ball |x|_1 < 1, filled at 0.
    bars = sublevel_persistence(regions.enumerate_regions(l1_ball(-1.0, 0.0), CUBE))
    assert bars[0].tolist() == [[-3.0, -2.0]] * 7 + [[-3.0, np.inf]]
    assert bars[1].tolist() == [[-2.0, -1.0]] * 5
    assert bars[2].tolist() == [[-1.0, 0.0]]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
def test_face_lattice_on_wide_windows(seed):
    # On all of R^3 and on a box around every vertex (thousands of units wide), the same
    # vertex computed from two regions differs by rounding at the size of its coordinates:
    # the lattice must still close (face_lattice checks the Euler characteristic, 1 or -1),
    # hold every region, and the boundary's topology must not depend on how far the box
    # reaches once it holds every vertex.
    from regions.complex.geometry import vertex_window
    f = oracles.random_net([3, 5, 5, 1], ["relu", "relu", "identity"], seed)
    whole = regions.enumerate_regions(f)
    assert regions.face_lattice(whole).f_vector[3] == len(whole)
    lower, upper, _ = vertex_window(whole, 0.5)
    near = regions.enumerate_regions(f, regions.box(lower, upper))
    far = regions.enumerate_regions(f, regions.box(3 * lower, 3 * upper))
    assert regions.face_lattice(near).f_vector[3] == len(near) == len(whole)
    assert regions.boundary_betti_numbers(near) == regions.boundary_betti_numbers(far)


def test_boundary_topology_agrees_with_relucent():
    # relucent (optional, not in the test extra) ranks the boundary complex of relu(f) on
    # R^n with unbounded cells truncated; benchmarks/relucent_topology.py runs more nets.
    pytest.importorskip("relucent")
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from relucent_topology import ours, theirs
    from regions.random_networks import random_network
    for widths, seed in (([2, 6, 6, 1], 1), ([3, 5, 5, 1], 1)):
        net = random_network(widths, seed=seed)
        assert ours(net)[:2] == theirs(net, widths[0])[:2]


@pytest.mark.parametrize("widths,seed", [([2, 6, 6, 1], 2), ([3, 5, 4, 1], 0)])
def test_sublevel_betti_numbers_agree_with_persistence(widths, seed):
    # Two algorithms: the complex refined by relu(f - t) gives the Betti numbers of
    # {f <= t} directly; the lower-star filtration of the unrefined complex gives them as
    # the bars alive at t. At levels between critical values they must agree.
    f = oracles.random_net(widths, ["relu", "relu", "identity"], seed)
    part = regions.enumerate_regions(f, regions.box(-1, 1))
    bars = sublevel_persistence(part)
    values = sorted({v for d in bars for v in bars[d].ravel() if np.isfinite(v)})
    levels = [(a + b) / 2 for a, b in zip(values, values[1:])][:6]
    assert levels
    for t in levels:
        alive = tuple(int(np.sum((bars[d][:, 0] <= t) & (t < bars[d][:, 1])))
                      for d in range(widths[0]))
        assert regions.betti_numbers(part, t, below=True) == alive


def test_far_from_the_origin_the_lattice_is_the_same_and_exact():
    # A random 2-D net and the same net shifted to a box around (100, 100): the same
    # complex, so the same f-vector, Betti numbers and persistence; and two parallel lines
    # 5e-6 apart at 1e6 are told apart exactly.
    def build(offset):
        rng = np.random.default_rng(9)
        W0 = rng.normal(size=(12, 2))
        b0 = rng.normal(size=12) - W0 @ np.array([offset, offset])
        net = regions.Network.from_layers([(W0, b0), (rng.normal(size=(8, 12)),
                                                      rng.normal(size=8)),
                                           (rng.normal(size=(1, 8)), [0.0])])
        return regions.enumerate_regions(net, regions.box([offset - 1] * 2, [offset + 1] * 2))
    near, far = build(0.0), build(100.0)
    assert regions.face_lattice(near).f_vector == regions.face_lattice(far).f_vector
    for level in (-1.0, 0.0, 1.0):
        assert regions.betti_numbers(near, level) == regions.betti_numbers(far, level)
    assert [len(b) for b in sublevel_persistence(near).values()] == \
        [len(b) for b in sublevel_persistence(far).values()]
    c = 1e6 + 0.5
    lines = regions.Network.from_layers([([[1.0, 0], [1.0, 0], [0, 1.0]],
                                          [-c, -(c + 5e-6), -(1e6 + 0.3)]),
                                         ([[1.0, -1.0, 1.0]], [0.0])])
    part = regions.enumerate_regions(lines, regions.box([1e6, 1e6], [1e6 + 1, 1e6 + 1]))
    assert len(part) == 6
    # by hand: 3 strips cut by the horizontal line; vertices: 4 corners, 2 + 2 where the
    # vertical lines meet the box's bottom and top, 2 where the horizontal one meets its
    # sides, 2 crossings; edges from V - E + F = 1
    assert regions.face_lattice(part).f_vector == [12, 17, 6]

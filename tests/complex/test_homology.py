"""Betti numbers of superlevel sets and of decision boundaries (``regions.complex.homology``),
against hand-worked examples and shapes, and a grid on a random network."""

import math

import numpy as np
import pytest

import regions
from regions.complex.decision import decision_boundary
from regions.complex.homology import betti_numbers

import oracles
from nets import one_layer


ABS = [[1, 0], [-1, 0], [0, 1], [0, -1]]          # relu of +-x1, +-x2: |x1| + |x2|


@pytest.mark.parametrize("rows,biases,out,out_bias,expected", [
    (ABS, [0] * 4, [1, 1, 1, 1], -0.5, (1, 1)),      # box minus a diamond: one hole
    (ABS, [0] * 4, [-1, -1, -1, -1], 0.5, (1, 0)),   # the diamond
    ([[1, 0], [-1, 0]], [0, 0], [1, 1], -0.5, (2, 0)),   # |x1| >= 1/2: two strips
    ([[1, 0], [-1, 0]], [0, 0], [1, 1], -5.0, (0, 0)),   # empty
    ([[1, 0], [-1, 0]], [0, 0], [1, 1], 0.0, (1, 0)),    # everything
], ids=["ring", "diamond", "strips", "empty", "all"])
def test_betti_numbers_of_superlevel_sets(rows, biases, out, out_bias, expected):
    net = one_layer(rows, biases, out=out, out_bias=out_bias)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert betti_numbers(part) == expected


def test_betti_numbers_of_a_random_network_agree_with_a_grid():
    # Components of {f >= 0} counted on a fine grid (scipy.ndimage labelling) where the
    # set is far from degenerate: the same b0.
    from scipy import ndimage
    f = oracles.random_net([2, 8, 8, 1], ["relu", "relu", "identity"], 4)
    part = regions.enumerate_regions(f, regions.box(-1, 1))
    grid = np.linspace(-1, 1, 801)
    X = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    mask = (f.forward(X)[:, 0] >= 0).reshape(801, 801)
    components = ndimage.label(mask, structure=np.ones((3, 3)))[1]
    holes = ndimage.label(~mask)[0]
    touching = set(np.unique(np.concatenate([holes[0], holes[-1], holes[:, 0], holes[:, -1]])))
    inner = len(set(np.unique(holes)) - touching - {0})
    assert betti_numbers(part) == (components, inner)


def test_classifier_boundary_where_the_argmax_changes():
    # Outputs (x, y, 0) on [-1, 1]^2: the argmax changes on x = y (x, y > 0), on x = 0
    # (y < 0) and on y = 0 (x < 0): three pieces, sqrt(2) + 1 + 1 long.
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)),
                                       (np.array([[1.0, 0], [0, 1], [0, 0]]), np.zeros(3))],
                                      ["identity", "identity"])
    zero = decision_boundary(regions.enumerate_regions(net, regions.box(-1, 1)))
    assert zero.count == 3 and zero.measure == pytest.approx(2 + math.sqrt(2), rel=1e-12)
    assert regions.boundary_betti_numbers(regions.enumerate_regions(net, regions.box(-1, 1))) \
        == (1, 0)


@pytest.mark.parametrize("rows,out,out_bias,expected", [
    (ABS, [1, 1, 1, 1], -0.5, (1, 1)),                  # the diamond: one cycle
    ([[1, 0], [-1, 0]], [1, 1], -0.5, (2, 0)),          # x1 = -1/2 and x1 = 1/2
], ids=["diamond", "two-lines"])
def test_betti_numbers_of_the_boundary(rows, out, out_bias, expected):
    part = regions.enumerate_regions(one_layer(rows, [0] * len(rows), out=out, out_bias=out_bias),
                                     regions.box(-1, 1))
    assert regions.boundary_betti_numbers(part) == expected


def test_refusals():
    three = regions.Network.from_layers([(np.eye(3), np.zeros(3)), (np.eye(3), np.zeros(3))])
    with pytest.raises(regions.RegionsError, match="scalar output"):
        decision_boundary(regions.enumerate_regions(three, regions.box(-1, 1)))
    one = one_layer([[1, 0]], [0], out=[1])
    with pytest.raises(regions.DomainError, match="cylinder"):
        betti_numbers(regions.enumerate_regions(one))
    quadrant = regions.polytope([[-1.0, 0.0], [0.0, -1.0]], [0.0, 0.0])
    with pytest.raises(regions.DomainError, match="unbounded polytope with faces"):
        betti_numbers(regions.enumerate_regions(one_layer(ABS, [0] * 4, out_bias=-0.5),
                                                quadrant))


def test_betti_numbers_on_unbounded_slices():
    """|x1| + |x2| - 1/2 on the whole plane x3 = 0 of R^3: the plane minus a diamond, the
    diamond, its boundary; on the x1 axis: two rays, a segment, two points."""
    f = regions.Network.from_layers([([[1.0, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]],
                                      [0.0] * 4), ([[1.0, 1, 1, 1]], [-0.5])])
    plane = regions.enumerate_regions(f, regions.plane([0, 0, 0], [1, 0, 0], [0, 1, 0]))
    assert (betti_numbers(plane), betti_numbers(plane, below=True),
            regions.boundary_betti_numbers(plane)) == ((1, 1), (1, 0), (1, 1))
    axis = regions.enumerate_regions(f, regions.line([0, 0, 0], [1, 0, 0]))
    assert (betti_numbers(axis), betti_numbers(axis, below=True),
            regions.boundary_betti_numbers(axis)) == ((2,), (1,), (2,))


ANNULUS = regions.Network.from_layers([
    (np.array(ABS, float), np.zeros(4)),
    (np.array([[1.0, 1, 1, 1], [-1, -1, -1, -1]]), np.array([-0.75, 0.75])),
    (np.array([[-1.0, -1.0]]), np.array([0.25]))])
OCTAHEDRON = one_layer(np.vstack([np.eye(3), -np.eye(3)]), np.zeros(6), out_bias=-0.5)


@pytest.mark.parametrize("network,above,below,level_set", [
    # |x1| + |x2| - 1/2: the plane minus a diamond, the diamond, its boundary (a circle)
    (one_layer(ABS, [0] * 4, out_bias=-0.5), (1, 1), (1, 0), (1, 1)),
    # |x1| - 1 (a third neuron, weight 0, for a first layer of full rank): two half-planes,
    # the strip between them, two lines
    (one_layer([[1, 0], [-1, 0], [0, 1]], [0] * 3, out=[1, 1, 0], out_bias=-1.0),
     (2, 0), (1, 0), (2, 0)),
    # |x1| + |x2| + |x3| - 1/2: space minus an octahedron (a cavity), the octahedron, a sphere
    (OCTAHEDRON, (1, 0, 1), (1, 0, 0), (1, 0, 1)),
    # 1/4 - ||x|_1 - 3/4|: the annulus 1/2 <= |x|_1 <= 1; the inner diamond and the plane
    # outside the outer one (two components, one hole); the two diamonds' boundaries
    (ANNULUS, (1, 1), (2, 1), (2, 2)),
], ids=["diamond", "strip", "octahedron", "annulus"])
def test_betti_numbers_on_all_of_space(network, above, below, level_set):
    """Hand-worked on R^n, through a box that meets every face of the level complex."""
    part = regions.enumerate_regions(network)
    assert betti_numbers(part) == above
    assert betti_numbers(part, below=True) == below
    assert regions.boundary_betti_numbers(part) == level_set


def test_a_classifier_boundary_on_all_of_the_plane():
    """Outputs relu(x1) + relu(-x1) and relu(x2) + relu(-x2): the argmax changes where
    |x1| = |x2|, two lines crossing at the origin (one component, no cycle)."""
    classifier = regions.Network.from_layers([(np.array(ABS, float), np.zeros(4)),
                                              (np.array([[1.0, 1, 0, 0], [0, 0, 1, 1]]),
                                               np.zeros(2))])
    assert regions.boundary_betti_numbers(regions.enumerate_regions(classifier)) == (1, 0)


def test_cli_topology(tmp_path, capsys):
    import json
    from regions.cli import main
    path = tmp_path / "ring.npz"
    regions.write_network(one_layer(ABS, [0] * 4, out_bias=-0.5), path)
    assert main(["topology", str(path), "--box", "-1", "1", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["betti"] == [1, 1] and summary["boundary_pieces"] == 4
    assert summary["boundary_measure"] == pytest.approx(2 * math.sqrt(2), rel=1e-12)
    # the pieces written out: the diamond's four sides, where f = 0, of length 1/sqrt(2) each
    out = tmp_path / "zero.json"
    assert main(["topology", str(path), "--box", "-1", "1", "--quiet", "-o", str(out)]) == 0
    written = json.loads(out.read_text())
    ends = np.array([p["points"] for p in written["pieces"]]).reshape(-1, 2)
    assert len(written["pieces"]) == 4
    assert np.allclose(np.abs(ends).sum(axis=1), 0.5)          # on |x1| + |x2| = 1/2
    assert [p["measure"] for p in written["pieces"]] == pytest.approx([math.sqrt(0.5)] * 4)
    assert main(["topology", str(path), "--box", "-1", "1", "-o", str(tmp_path / "z.txt")]) == 2
    capsys.readouterr()
    assert main(["topology", str(path), "--json"]) == 0                # all of R^2
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["betti"] == [1, 1] and summary["boundary_betti"] == [1, 1]
    assert summary["boundary_measure"] == pytest.approx(2 * math.sqrt(2), rel=1e-12)
    assert summary["window"][1] >= 0.5
    # on R^2: one minimum, -1/2 at the origin; {f >= t} the plane minus a diamond, filled
    assert summary["persistence"] == {"0": [[-0.5, "inf"]], "1": []}
    assert summary["superlevel_persistence"] == {"0": [["inf", "-inf"]], "1": [["inf", -0.5]]}
    assert summary["unbounded_components"] == 1 and summary["unbounded_boundary_components"] == 0
    assert "homotopy type of their part in" in captured.err


def two_disks():
    """f = max(0.3 - |x1 - 1/2| - |x2|, 0.3 - |x1 + 1/2| - |x2|): {f >= 0} is two disjoint
    L1 disks (diamonds) around (+-1/2, 0). max(a, b) = relu(a - b) + relu(b) - relu(-b)."""
    # layer 1: relu(+-(x1 - 1/2)), relu(+-(x1 + 1/2)), relu(+-x2)
    W1 = [[1, 0], [-1, 0], [1, 0], [-1, 0], [0, 1], [0, -1]]
    b1 = [-0.5, 0.5, 0.5, -0.5, 0, 0]
    g1 = np.array([-1, -1, 0, 0, -1, -1.0])          # g1 = 0.3 + g1 . h
    g2 = np.array([0, 0, -1, -1, -1, -1.0])          # g2 = 0.3 + g2 . h
    W2 = [g1 - g2, g2, -g2]
    b2 = [0.0, 0.3, -0.3]
    return regions.Network.from_layers([(W1, b1), (W2, b2), ([[1.0, 1, -1]], [0.0])])


def disk_with_two_holes():
    """f = min(G, h1, h2), G = 0.9 - |x1| - |x2|, h1 = |x1 - 0.3| + |x2| - 0.1,
    h2 = |x1 + 0.3| + |x2| - 0.1: a big diamond with two small diamond holes.
    min(a, b) = a - relu(a - b); the signed values pass through layers as relu(v) - relu(-v)."""
    # layer 1: relu(+-x1), relu(+-x2), relu(+-(x1 - 0.3)), relu(+-(x1 + 0.3))
    W1 = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [1, 0], [-1, 0]]
    b1 = [0, 0, 0, 0, -0.3, 0.3, 0.3, -0.3]
    G = np.array([-1, -1, -1, -1, 0, 0, 0, 0.0]), 0.9
    h1 = np.array([0, 0, 1, 1, 1, 1, 0, 0.0]), -0.1
    h2 = np.array([0, 0, 1, 1, 0, 0, 1, 1.0]), -0.1
    # layer 2: relu(G), relu(-G), relu(G - h1), relu(h2), relu(-h2)
    W2 = [G[0], -G[0], G[0] - h1[0], h2[0], -h2[0]]
    b2 = [G[1], -G[1], G[1] - h1[1], h2[1], -h2[1]]
    # m1 = min(G, h1) = relu(G) - relu(-G) - relu(G - h1); layer 3: relu(m1), relu(-m1),
    # relu(m1 - h2); f = relu(m1) - relu(-m1) - relu(m1 - h2)
    m1 = np.array([1, -1, -1, 0, 0.0])
    hh2 = np.array([0, 0, 0, 1, -1.0])
    W3 = [m1, -m1, m1 - hh2]
    return regions.Network.from_layers([(W1, b1), (W2, b2), (W3, [0.0] * 3),
                                        ([[1.0, -1, -1]], [0.0])])


@pytest.mark.parametrize("make,expected", [(two_disks, (2, 0)), (disk_with_two_holes, (1, 2))],
                         ids=["two-disks", "disk-with-two-holes"])
def test_betti_numbers_of_hand_built_shapes(make, expected):
    f = make()
    # the construction itself, at a few hand-picked points
    X = np.array([[0.5, 0.0], [-0.5, 0.0], [0.0, 0.0], [0.3, 0.0], [0.0, 0.5]])
    values = f.forward(X)[:, 0]
    if make is two_disks:
        assert np.allclose(values, [0.3, 0.3, -0.2, 0.1, -0.7])
    else:
        assert np.allclose(values, [0.1, 0.1, 0.2, -0.1, 0.4])
    part = regions.enumerate_regions(f, regions.box(-1, 1))
    assert betti_numbers(part) == expected


@pytest.mark.parametrize("domain", [regions.box(-1, 1), None], ids=["box", "whole"])
def test_betti_numbers_of_a_max_unit_by_hand(domain):
    # f = max(x, -x, y, -y) - 1/2 = max(|x|, |y|) - 1/2: {f >= 0} is the box (or the plane)
    # less an open square, one component and one hole; {f <= 0} the square; {f = 0} its
    # boundary, one cycle. In 1-D, max(x, -x) - 1/2: {|x| >= 1/2} two pieces, {|x| <= 1/2}
    # one, {|x| = 1/2} two points.
    square = regions.Network.from_layers(
        [([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4), ([[1.0]], [-0.5])],
        ["max", "identity"], windows={0: [[0, 1, 2, 3]]})
    part = regions.enumerate_regions(square, domain)
    assert betti_numbers(part) == (1, 1)
    assert betti_numbers(part, below=True) == (1, 0)
    assert regions.boundary_betti_numbers(part) == (1, 1)
    line = regions.Network.from_layers([([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0]], [-0.5])],
                                       ["max", "identity"], windows={0: [[0, 1]]})
    part = regions.enumerate_regions(line, domain)
    assert betti_numbers(part) == (2,)
    assert betti_numbers(part, below=True) == (1,)
    assert regions.boundary_betti_numbers(part) == (2,)

"""Critical points and persistence, against hand-worked functions: in 2-D on a box, and on all
of R^n (an annulus, two half-planes and a strip, a shell in 3-D, a max of three lines),
there also against the Betti numbers of level sets, which come from another complex and
another box."""

import json

import numpy as np
import pytest

import regions
from regions.complex.persistence import (critical_points, sublevel_persistence,
                                         superlevel_persistence)
from regions.random_networks import random_network

from max_networks import random_maxout
from nets import network


def two_wells():
    """f = ||x1| - 1/2| + |x2|: minima 0 at (+-1/2, 0), a saddle of value 1/2 at the origin."""
    layer1 = ([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4)
    layer2 = ([[1.0, 1, 0, 0], [-1, -1, 0, 0], [0, 0, 1, 1]], [-0.5, 0.5, 0.0])
    return regions.Network.from_layers([layer1, layer2, ([[1.0, 1, 1]], [0.0])])


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_two_wells(method):
    part = regions.enumerate_regions(two_wells(), regions.box(-1, 1), method=method)
    inside = [(p.kind, tuple(np.round(p.point, 9)), round(p.value, 9))
              for p in critical_points(part) if not p.on_boundary]
    assert sorted(inside) == [("minimum", (-0.5, 0.0), 0.0), ("minimum", (0.5, 0.0), 0.0),
                              ("saddle", (0.0, 0.0), 0.5)]
    bars = sublevel_persistence(part)
    assert bars[0].tolist() == [[0.0, 0.5], [0.0, np.inf]]
    assert bars[1].size == 0


def test_one_well_has_one_bar():
    # f = |x1| + |x2| on [-1, 1]^2: the sublevel sets are diamonds (then the box minus
    # corners), contractible from t = 0 on: one bar [0, inf) in H0, nothing in H1.
    net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
                                       ([[1.0, 1, 1, 1]], [0.0])])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    bars = sublevel_persistence(part)
    assert bars[0].tolist() == [[0.0, np.inf]] and bars[1].size == 0


def test_refusals():
    # on R^2 every face of |x1| is a cylinder along x2: no vertex to rank
    net = regions.Network.from_layers([([[1.0, 0]], [0.0]), ([[1.0]], [0.0])])
    with pytest.raises(regions.DomainError, match="span fewer directions"):
        sublevel_persistence(regions.enumerate_regions(net))
    two = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (np.eye(2), np.zeros(2))])
    with pytest.raises(regions.RegionsError, match="scalar output"):
        critical_points(regions.enumerate_regions(two, regions.box(-1, 1)))


def test_cli_topology_reports_them(tmp_path, capsys):
    from regions.cli import main
    path = tmp_path / "wells.npz"
    regions.write_network(two_wells(), path)
    assert main(["topology", str(path), "--box", "-1", "1", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    inside = sorted(p["kind"] for p in summary["critical_points"] if not p["on_boundary"])
    assert inside == ["minimum", "minimum", "saddle"]
    assert summary["persistence"]["0"] == [[0.0, 0.5], [0.0, "inf"]]


# --------------------------------------------------------------------------- all of R^n

INF = np.inf


def l1_shell(dim: int):
    """f = | |x|_1 - 3/2 |: its zero set is the sphere |x|_1 = 3/2, its maximum inside
    1.5 at the origin, and it grows without bound outside."""
    eye = np.eye(dim)
    layer1 = (np.vstack([eye, -eye]), np.zeros(2 * dim))
    g = np.ones(2 * dim)
    return network([layer1, (np.vstack([g, -g]), [-1.5, 1.5]), ([[1.0, 1.0]], [0.0])])


def abs_x1():
    """f = |x1|, with the line x2 = 0 as a breakpoint of a neuron whose output weight is
    0 (so the first layer spans R^2 and the complex has a vertex)."""
    return network([([[1.0, 0], [-1, 0], [0, 1]], [0.0] * 3), ([[1.0, 1, 0]], [0.0])])


def max_of_three():
    """f = max(x1, x2, -x1 - x2): convex, 0 at the origin, its sublevel sets triangles."""
    return regions.Network.from_layers(
        [([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0.0] * 3), ([[1.0]], [0.0])],
        ["max", "identity"], windows={0: [[0, 1, 2]]})


def bars_of(diagrams):
    return {d: sorted(map(tuple, bars.tolist())) for d, bars in diagrams.items()}


@pytest.mark.parametrize("dim", [2, 3])
def test_annulus_and_shell(dim):
    # {f <= t}: empty below 0, the sphere |x|_1 = 3/2 at 0 (a component and an
    # (n-1)-cycle), a thickened shell up to 1.5, where the ball inside is filled;
    # {f >= t}: the outside of a growing ball (connected, an (n-1)-cycle) from +inf, the
    # inner ball from 1.5 (the origin's maximum), all merged into R^n at 0
    part = regions.enumerate_regions(l1_shell(dim))
    top = dim - 1
    expected_sub = {0: [(0.0, INF)], top: [(0.0, 1.5)]}
    expected_super = {0: [(1.5, 0.0), (INF, -INF)], top: [(INF, 0.0)]}
    for found, expected in ((sublevel_persistence(part), expected_sub),
                            (superlevel_persistence(part), expected_super)):
        assert bars_of(found) == {d: expected.get(d, []) for d in range(dim)}
    # the origin's maximum; on the sphere a minimum and a saddle closing the cycle (the
    # vertices there tie, and are ranked by index), as Morse's count (1 - 1 + 1 in 2-D,
    # 1 + 1 - 1 in 3-D, the saddle of index n - 1) of chi(R^n) = 1 wants
    found = critical_points(part)
    assert sorted((p.kind, p.value, p.multiplicity) for p in found) == \
        [("maximum", 1.5, 1), ("minimum", 0.0, 1), ("saddle", 0.0, 1)]
    assert not any(p.on_boundary for p in found)


def test_two_half_planes_and_a_strip():
    part = regions.enumerate_regions(abs_x1())
    assert bars_of(sublevel_persistence(part)) == {0: [(0.0, INF)], 1: []}      # a strip
    assert bars_of(superlevel_persistence(part)) == {0: [(INF, -INF), (INF, 0.0)], 1: []}
    assert regions.betti_numbers(part, 1.0) == (2, 0)                 # two half-planes
    assert regions.betti_numbers(part, 1.0, below=True) == (1, 0)     # the strip
    # the minimum set is the line x1 = 0, which reaches to infinity: its one vertex of
    # the complex, the origin, is the minimum
    found = critical_points(part)
    assert [(p.kind, p.point.tolist(), p.value) for p in found] == [("minimum", [0.0, 0.0], 0.0)]


def test_max_of_three_lines():
    part = regions.enumerate_regions(max_of_three())
    assert bars_of(sublevel_persistence(part)) == {0: [(0.0, INF)], 1: []}
    # {f >= t}: the plane minus a triangle for t > 0, all of it at 0
    assert bars_of(superlevel_persistence(part)) == {0: [(INF, -INF)], 1: [(INF, 0.0)]}
    assert [(p.kind, p.point.tolist()) for p in critical_points(part)] == \
        [("minimum", [0.0, 0.0])]


def test_affine_and_constant_networks():
    slope = network([([[1.0, 2.0]], [0.5])], ["identity"])           # no breakpoint at all
    part = regions.enumerate_regions(slope)
    assert bars_of(sublevel_persistence(part)) == {0: [(-INF, INF)], 1: []}
    assert bars_of(superlevel_persistence(part)) == {0: [(INF, -INF)], 1: []}
    assert critical_points(part) == []
    flat = network([([[0.0, 0.0]], [1.0]), ([[2.0]], [0.25])])     # f = 2.25 everywhere
    part = regions.enumerate_regions(flat)
    assert bars_of(sublevel_persistence(part)) == {0: [(2.25, INF)], 1: []}
    assert bars_of(superlevel_persistence(part)) == {0: [(2.25, -INF)], 1: []}
    with pytest.raises(regions.RegionsError, match="constant"):
        critical_points(part)


def alive(diagrams, t: float, superlevel: bool) -> tuple:
    """How many bars of each dimension are alive at ``t`` (not a bar's end point)."""
    if superlevel:
        return tuple(int(((bars[:, 0] >= t) & (bars[:, 1] < t)).sum()) for bars in diagrams.values())
    return tuple(int(((bars[:, 0] <= t) & (bars[:, 1] > t)).sum()) for bars in diagrams.values())


@pytest.mark.parametrize("widths,activation,seed", [
    ([2, 6, 5, 1], "relu", 0), ([2, 6, 5, 1], "relu", 1), ([2, 6, 5, 1], "relu", 2),
    ([2, 6, 5, 1], "relu", 3), pytest.param([2, 5, 4, 1], "hardtanh", 0, marks=pytest.mark.slow), ([2, 5, 4, 1], "leaky_relu", 1),
    pytest.param([3, 5, 4, 1], "relu", 1, marks=pytest.mark.slow)])
def test_bars_alive_at_a_level_are_its_betti_numbers(widths, activation, seed):
    check_bars_against_betti_numbers(regions.enumerate_regions(
        random_network(widths, seed=seed, activation=activation)))


@pytest.mark.parametrize("tail", ["relu", "max"])
def test_bars_of_maxout_networks_are_their_betti_numbers(tail):
    check_bars_against_betti_numbers(regions.enumerate_regions(
        random_maxout(2, widths=(2, 4, 3), rank=3, tail=tail)))


def check_bars_against_betti_numbers(part):
    """At every level below, between and above the critical values and the values where
    bars start or end, the bars alive are the Betti numbers of {f <= t} and {f >= t} (from
    the level complex)."""
    sub, sup = sublevel_persistence(part), superlevel_persistence(part)
    values = sorted({p.value for p in critical_points(part)} |
                    {v for diagrams in (sub, sup) for bars in diagrams.values()
                     for v in bars.ravel() if np.isfinite(v)} or {0.0})
    levels = [values[0] - 1.0, values[-1] + 1.0] + [(a + b) / 2 for a, b in zip(values, values[1:])]
    for t in levels:
        assert alive(sub, t, False) == regions.betti_numbers(part, t, below=True)
        assert alive(sup, t, True) == regions.betti_numbers(part, t)


def test_cli_topology_on_the_plane(tmp_path, capsys):
    from regions.cli import main
    path = tmp_path / "annulus.npz"
    regions.write_network(l1_shell(2), path)
    assert main(["topology", str(path), "--level", "0.5", "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert "critical points and persistence are those of all of R^2" in captured.err
    assert summary["betti"] == [2, 1]             # {f >= 1/2}: the inner ball and the outside
    assert summary["unbounded_components"] == 1 and summary["unbounded_boundary_components"] == 0
    assert summary["persistence"] == {"0": [[0.0, "inf"]], "1": [[0.0, 1.5]]}
    assert summary["superlevel_persistence"] == {"0": [[1.5, 0.0], ["inf", "-inf"]],
                                                 "1": [["inf", 0.0]]}
    assert sorted(p["kind"] for p in summary["critical_points"]) == \
        ["maximum", "minimum", "saddle"]


def test_a_box_missing_vertices_is_refused(monkeypatch):
    # the argument needs every vertex of the complex inside the box; a box of [-1, 1]^2
    # leaves the sphere |x|_1 = 3/2 out, and is caught rather than read
    import regions.complex.persistence as persistence
    monkeypatch.setattr(persistence, "box_around", lambda part, levels: regions.enumerate_regions(
        part.network, regions.box(-1, 1)))
    with pytest.raises(regions.RegionsError, match="does not hold the vertices"):
        sublevel_persistence(regions.enumerate_regions(l1_shell(2)))


@pytest.mark.parametrize("make,level,expected", [
    # the plane minus a diamond |x|_1 <= 2 and the disk |x|_1 <= 1: one of each;
    # the ring between them is bounded; the level set is two diamonds
    (lambda: l1_shell(2), 0.5, {"superlevel": 1, "sublevel": 0, "level": 0}),
    # two half-planes, the strip between them, the two lines x1 = +-1
    (abs_x1, 1.0, {"superlevel": 2, "sublevel": 1, "level": 2}),
    # the plane minus a triangle; the triangle; its boundary
    (max_of_three, 1.0, {"superlevel": 1, "sublevel": 0, "level": 0}),
    # in 3-D: the outside of |x|_1 <= 2 (unbounded) and the ball |x|_1 <= 1
    (lambda: l1_shell(3), 0.5, {"superlevel": 1, "sublevel": 0, "level": 0}),
], ids=["annulus", "half-planes", "max", "shell-3d"])
def test_unbounded_components(make, level, expected):
    part = regions.enumerate_regions(make())
    found = {of: regions.unbounded_components(part, level, of=of) for of in expected}
    assert found == expected
    bounded = regions.enumerate_regions(make(), regions.box(-3, 3))
    assert regions.unbounded_components(bounded, level) == 0


def test_cli_topology_of_a_max_unit(tmp_path, capsys):
    from regions.cli import main
    path = tmp_path / "max.npz"
    regions.write_network(max_of_three(), path)
    assert main(["topology", str(path), "--level", "1", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # {f = 1} is a triangle of perimeter 6 + 3 sqrt 2 (measured in the box), {f >= 1} the
    # plane minus it
    assert summary["boundary_betti"] == [1, 1] and summary["betti"] == [1, 1]
    assert summary["boundary_measure"] == pytest.approx(6 + 3 * np.sqrt(2), rel=1e-12)
    assert summary["unbounded_components"] == 1
    assert summary["persistence"] == {"0": [[0.0, "inf"]], "1": []}

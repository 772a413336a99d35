"""Queries, linear pieces and 1-D dynamics (issue 15), against independent sources.

locate: an independent forward pass (oracles.true_patterns) and the documented tie rule;
segment_path: the exact breakpoint sweep of oracles.line_partition; region_path: in a
hyperplane arrangement the shortest walk crosses exactly the hyperplanes that separate the
two regions (the Hamming distance of their patterns); linear pieces: hand-built networks
and the exact slopes of 1-D networks; entropy: the tent map (2^k laps, log 2), monotone
maps (one lap), and the laps of the oracle's exact 1-D sweep.
"""

import json
import math

import numpy as np
import pytest

import regions
from regions.cli import main
from regions.complex.dynamics import crossings, entropy, iterate, laps

import oracles
from oracles import random_net

TENT = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]), ([[2.0, -4.0]], [0.0])])


@pytest.mark.parametrize("method", ["split", "vertex"])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_locate_matches_an_independent_forward_pass(seed, method):
    net = random_net([2, 6, 5, 1], ["relu", "hardtanh", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1), method=method)
    X = np.random.default_rng(seed).uniform(-1, 1, size=(100_000, 2))
    found = part.locate(X)
    decisive = np.all(oracles.decisive(net, X), axis=1)
    assert np.all(found >= 0)
    assert np.array_equal(part.patterns[found[decisive]], oracles.true_patterns(net, X)[decisive])
    outside = part.locate([[1.5, 0.0], [0.0, -3.0]])
    assert outside.tolist() == [-1, -1]
    assert part.locate(part.input_witnesses[4]) == 4


def test_points_of_a_plane_in_64_dimensions_are_on_it():
    """The points that define a plane through three 64-D inputs (values up to 16, as the
    digits' pixels) and their midpoints are located on it, in the region of their exact
    pattern; a point moved off the plane by a millionth of a pixel is not."""
    rng = np.random.default_rng(0)
    net = random_net([64, 8, 1], ["relu", "identity"], 2)
    for _ in range(10):
        p0, p1, p2 = rng.integers(0, 17, size=(3, 64)).astype(float)
        part = regions.enumerate_regions(net, regions.plane(p0, p1, p2))
        points = np.array([p0, p1, p2, (p0 + p1) / 2, (p1 + p2) / 2])
        found = part.locate(points)
        assert (found >= 0).all()
        for i, point in zip(found, points):
            exact = oracles.exact_pattern_at(net, point)
            assert exact is None or tuple(part.patterns[i]) == exact
        normal = np.linalg.svd(np.array([p1 - p0, p2 - p0]))[2][-1]
        assert part.locate(p0 + 1e-6 * normal) == -1


def test_locate_ties_follow_the_rule_and_slices():
    # On x = 0 the ReLU neuron is off (its state at a tie), so the point is in region "0".
    net = regions.Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert part.patterns[part.locate([0.0, 0.3])].tolist() == [0]
    e = np.eye(3)
    net3 = random_net([3, 4, 1], ["relu", "identity"], 1)
    sliced = regions.enumerate_regions(net3, regions.plane(np.zeros(3), e[0], e[1], -1, 1))
    on, off = sliced.locate([[0.2, 0.1, 0.0], [0.2, 0.1, 0.5]])
    assert on >= 0 and off == -1
    assert np.array_equal(sliced.patterns[on], oracles.true_patterns(net3, [[0.2, 0.1, 0.0]])[0])


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_segment_path_breakpoints_are_the_exact_sweep(seed):
    net = random_net([2, 6, 6, 1], ["relu", "relu", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    a, b = np.array([-0.9, -0.7]), np.array([0.8, 0.9])
    path = regions.segment_path(part, a, b)
    length = np.linalg.norm(b - a)
    truth = oracles.line_partition(net, a, (b - a) / length, 0.0, length)
    assert len(path) == len(truth)
    for (region, t0, t1), interval in zip(path, truth):
        assert t0 == pytest.approx(interval.lo / length, abs=1e-9)
        assert t1 == pytest.approx(interval.hi / length, abs=1e-9)
        assert tuple(part.patterns[region]) == interval.pattern


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_region_path_crosses_exactly_the_separating_hyperplanes(seed):
    net = random_net([2, 7, 1], ["relu", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    G = regions.adjacency_graph(part)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        i, j = (int(r) for r in rng.choice(len(part), size=2, replace=False))
        walk, flips = regions.region_path(part, i, j, G)
        assert walk[0] == i and walk[-1] == j
        separating = int(np.sum(part.patterns[i] != part.patterns[j]))
        assert len(flips) == separating
        assert sorted(n for _, n in flips) == sorted(np.flatnonzero(part.patterns[i] != part.patterns[j]).tolist())


def test_linear_pieces_of_hand_built_networks():
    # y = relu(x1) + 0 * relu(x2): 4 regions, 2 pieces. y = relu(x1) - relu(x1) + x2 ... as
    # relu(x) - relu(-x) = x: the breakpoint x = 0 is not a kink, 2 regions, 1 piece.
    feeds_nothing = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
                                                 ([[1.0, 0.0]], [0.0])])
    part = regions.enumerate_regions(feeds_nothing, regions.box(-1, 1))
    assert (len(part), regions.linear_pieces(part).count) == (4, 2)
    cancels = regions.Network.from_layers([([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, -1.0]], [0.0])])
    part = regions.enumerate_regions(cancels)
    assert (len(part), regions.linear_pieces(part).count) == (2, 1)
    G = regions.adjacency_graph(part)
    assert G.graph["pieces"] == 1 and {G.nodes[i]["piece"] for i in G} == {0}


@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_linear_pieces_in_1d_are_the_runs_of_equal_slope(seed):
    # Dead paths make equal slopes on neighbouring intervals: merge runs of equal exact slope.
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(6, 1)), rng.normal(size=6)
    W2 = rng.normal(size=(1, 6)) * (rng.random(6) < 0.5)       # some neurons feed nothing
    net = regions.Network.from_layers([(W1, b1), (W2, np.zeros(1))])
    part = regions.enumerate_regions(net, regions.box(-3, 3))
    truth = oracles.line_partition(net, [0.0], [1.0], -3, 3)
    slopes = [(net.forward([[iv.hi]])[0, 0] - net.forward([[iv.lo]])[0, 0]) / (iv.hi - iv.lo)
              for iv in truth]
    runs = 1 + sum(1 for s, t in zip(slopes, slopes[1:]) if abs(s - t) > 1e-9)
    assert regions.linear_pieces(part).count == runs


def test_tent_map_laps_and_entropy():
    report = entropy(TENT, 0.0, 1.0, 6)
    assert report.laps == [2 ** k for k in range(1, 7)]
    assert all(e == pytest.approx(math.log(2), rel=1e-12) for e in report.estimates)
    assert report.bound == pytest.approx(math.log(3)) and report.bound >= max(report.estimates)


def test_monotone_and_flat_maps_have_one_lap():
    # x -> relu(x) / 2 + 1/4 on [0, 1]: increasing; x -> min(x, 1/2) = x - relu(x - 1/2):
    # nondecreasing with a flat part: one lap, entropy 0.
    increasing = regions.Network.from_layers([([[1.0]], [0.0]), ([[0.5]], [0.25])])
    flat = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]), ([[1.0, -1.0]], [0.0])])
    for net in (increasing, flat):
        report = entropy(net, 0.0, 1.0, 4)
        assert report.laps == [1, 1, 1, 1] and report.estimates == [0.0] * 4


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_laps_are_the_sign_changes_of_the_exact_sweep(seed):
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(5, 1)), rng.uniform(-1, 1, size=5)
    net = regions.Network.from_layers([(W1, b1), (rng.normal(size=(1, 5)), np.zeros(1))])
    twice = iterate(net, 2)
    truth = oracles.line_partition(twice, [0.0], [1.0], -2, 2)
    slopes = [(twice.forward([[iv.hi]])[0, 0] - twice.forward([[iv.lo]])[0, 0]) for iv in truth]
    signs = [np.sign(s) for s in slopes if abs(s) > 1e-12]
    assert laps(twice, -2, 2)[0] == 1 + sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def test_oscillations_are_crossings_worked_by_hand():
    # The tent map and the V map |2x - 1| = relu(2x - 1) + relu(1 - 2x) on [0, 1]: f^k has
    # 2^k laps, each running between 0 and 1, so it crosses 1/2 2^k times.
    v_map = regions.Network.from_layers([([[2.0], [-2.0]], [-1.0, 1.0]), ([[1.0, 1.0]], [0.0])])
    for net in (TENT, v_map):
        assert entropy(net, 0.0, 1.0, 5).crossings == [2, 4, 8, 16, 32]
    # 1/2 + |2x - 1| / 2 only touches 1/2 (at x = 1/2) and equals the identity on its
    # range [1/2, 1], so every iterate touches 1/2 once and never crosses it; above 3/4
    # it crosses twice, then f^k = f for every k.
    touch = regions.Network.from_layers([([[2.0], [-2.0]], [-1.0, 1.0]), ([[0.5, 0.5]], [0.5])])
    assert entropy(touch, 0.0, 1.0, 3).crossings == [0, 0, 0]
    assert entropy(touch, 0.0, 1.0, 3, level=0.75).crossings == [2, 2, 2]
    # the identity crosses every level inside the interval once
    identity = regions.Network.from_layers([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    assert entropy(identity, 0.0, 1.0, 2, level=0.3).crossings == [1, 1]


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_crossings_are_the_sign_changes_of_the_exact_sweep(seed):
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(6, 1)), rng.uniform(-1, 1, size=6)
    net = iterate(regions.Network.from_layers([(W1, b1), (rng.normal(size=(1, 6)),
                                                          np.zeros(1))]), 2)
    truth = oracles.line_partition(net, [0.0], [1.0], -2, 2)
    ends = [truth[0].lo] + [iv.hi for iv in truth]
    values = net.forward(np.array(ends)[:, None])[:, 0]
    level = float(np.mean(values))
    signs = [np.sign(v - level) for v in values if abs(v - level) > 1e-9]
    expected = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    assert crossings(part, level) == expected


def test_non_finite_levels_are_refused():
    with pytest.raises(regions.RegionsError, match="finite"):
        entropy(TENT, 0.0, 1.0, 2, level=float("nan"))
    part = regions.enumerate_regions(regions.Network.from_layers(
        [([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])]), regions.box(-1, 1))
    for level in (float("nan"), float("inf")):
        with pytest.raises(regions.RegionsError, match="finite"):
            regions.betti_numbers(part, level)


def test_entropy_refusals():
    with pytest.raises(regions.RegionsError, match="into itself"):
        entropy(TENT, 0.0, 2.0, 2)        # f(2) = -4
    with pytest.raises(regions.RegionsError, match="R -> R"):
        iterate(random_net([2, 3, 1], ["relu", "identity"], 0), 2)


def test_cli_pieces_and_entropy(tmp_path, capsys):
    path = tmp_path / "net.npz"
    regions.save(regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
                                              ([[1.0, 0.0]], [0.0])]), path)
    assert main(["count", str(path), "--box", "-1", "1", "--pieces", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["regions"], summary["pieces"]) == (4, 2)
    regions.save(TENT, path)
    assert main(["entropy", str(path), "--interval", "0", "1", "--iterations", "3",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["laps"] == [2, 4, 8] and report["crossings"] == [2, 4, 8]
    assert main(["entropy", str(path), "--interval", "0", "1", "--iterations", "2",
                 "--level", "0.9"]) == 0
    assert "k = 2: 4 laps (4 regions), 4 crossings" in capsys.readouterr().out
    assert main(["entropy", str(path), "--interval", "0", "3"]) == 2
    assert "into itself" in capsys.readouterr().err


def test_verify_reports_linear_pieces_beside_regions():
    # y = relu(x1) + 0 * relu(x2) on the box: 4 regions, 2 pieces (worked by hand above).
    net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
                                       ([[1.0, 0.0]], [0.0])])
    report = regions.verify(net, regions.box(-1, 1), samples=200, lines=5)
    assert (report.exact, report.enumeration["pieces"]) == (4, 2)
    assert "linear pieces: 2" in report.format_table()


def test_linear_pieces_are_exact():
    # |x| + |y| = relu(x) + relu(-x) + relu(y) + relu(-y): 4 regions, 4 pieces. With the
    # output weights of relu(y) and relu(-y) set to 0 the function is |x|: still 4 regions,
    # 2 pieces. With those weights 1e-12 (or 1e-300) the maps differ: 4 pieces, exactly.
    rows = [[1.0, 0], [-1, 0], [0, 1], [0, -1]]
    for weight, pieces in ((1.0, 4), (0.0, 2), (1e-12, 4), (1e-300, 4)):
        net = regions.Network.from_layers([(rows, [0.0] * 4),
                                           ([[1.0, 1, weight, weight]], [0.0])])
        part = regions.enumerate_regions(net, regions.box(-1, 1))
        assert len(part) == 4
        assert regions.linear_pieces(part).count == pieces
    with pytest.warns(DeprecationWarning, match="always compared exactly"):
        assert regions.linear_pieces(part, exact=True).count == 4

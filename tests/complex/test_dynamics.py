"""1-D dynamics (laps, crossings, entropy), against independent sources: the tent map
(2^k laps, log 2), monotone maps (one lap), crossings worked by hand, and the laps and
crossings of the exact 1-D sweep of ``oracles.line_partition``."""

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
    regions.write_network(regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
                                              ([[1.0, 0.0]], [0.0])]), path)
    assert main(["count", str(path), "--box", "-1", "1", "--pieces", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["regions"], summary["pieces"]) == (4, 2)
    regions.write_network(TENT, path)
    assert main(["entropy", str(path), "--interval", "0", "1", "--iterations", "3",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["laps"] == [2, 4, 8] and report["crossings"] == [2, 4, 8]
    assert main(["entropy", str(path), "--interval", "0", "1", "--iterations", "2",
                 "--level", "0.9"]) == 0
    assert "k = 2: 4 laps (4 regions), 4 crossings" in capsys.readouterr().out
    assert main(["entropy", str(path), "--interval", "0", "3"]) == 2
    assert "into itself" in capsys.readouterr().err

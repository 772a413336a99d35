"""The verification report: relations hold on honest inputs, violations are reported loudly.

Expected values are independent of ``regions``: exact counts come from the
oracles of ``tests/oracles.py`` (brute-force patterns with scipy LPs on the
whole space, polygon clipping on 2-D boxes and planes, the 1-D breakpoint
sweep on intervals) or from closed formulas for one layer, and bound values
are integers worked out by hand below (formulas in docs/bounds.md). A
deliberately wrong exact count (the partition of another, larger network)
must surface as violated relations and exit code 3.
"""

import importlib
import json

import numpy as np
import pytest

import regions
from regions.cli import build_parser
from regions.errors import FileFormatError, RegionsError
from regions.random_networks import random_network
from regions.cli import EXIT_VIOLATION
from regions.analysis.verify import verify

import oracles
import rational_oracle as ro
from max_networks import pooled, random_maxout
from oracles import unambiguous


def _parser():
    return build_parser()


def oracle_count(net, lo_hi):
    """Regions of ``net`` on ``[lo, hi]^n`` (``lo_hi``) or on all of R^n (None), by an oracle."""
    n = net.input_dim
    if lo_hi is None:
        return len(unambiguous(oracles.brute_force_patterns, net, oracles.whole_slice(n)))
    lo, hi = lo_hi
    if n == 1:
        return len(unambiguous(oracles.line_partition, net, [0.0], [1.0], lo, hi))
    assert n == 2
    patterns, _, _ = unambiguous(oracles.polygon_partition, net, oracles.box_slice([lo] * 2, [hi] * 2),
                                 oracles.square(lo, hi))
    return len(patterns)


# Raghu et al.'s bound prod_l sum_{i<=m} C(h_l, i), h_l = n_l (2 n_l for hard-tanh), by hand:
#   [2, 8, 1]        m=2, h=8:  1 + 8 + 28                      = 37
#   [2, 6, 6, 6, 1]  m=2, h=6:  (1 + 6 + 15)^3 = 22^3           = 10648
#   [3, 5, 5, 1]     m=3, h=5:  (1 + 5 + 10 + 10)^2 = 26^2      = 676
#   [2, 4, 4, 1]     hard-tanh, m=2, h=8: 37^2                  = 1369
#   [3, 4, 1]        hard-tanh, m=3, h=8: 1 + 8 + 28 + 56       = 93
#   [2, 5, 5, 1]     m=2, h=5:  (1 + 5 + 10)^2 = 16^2           = 256
#   [1, 6, 6, 1]     m=1, h=6:  (1 + 6)^2                       = 49
CASES = [
    ([2, 8, 1], "relu", None, 37),
    ([2, 6, 6, 6, 1], "relu", (-1.0, 1.0), 10648),
    ([3, 5, 5, 1], "relu", None, 676),
    ([2, 4, 4, 1], "hardtanh", (-2.0, 2.0), 1369),
    ([3, 4, 1], "hardtanh", None, 93),
    ([2, 5, 5, 1], "leaky_relu", (-1.0, 1.0), 256),
    ([1, 6, 6, 1], "relu", (-3.0, 3.0), 49),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("widths, activation, lo_hi, raghu", CASES,
                         ids=[f"{c[0]}-{c[1]}-{'whole' if c[2] is None else 'box'}"
                              for c in CASES])
def test_relations_hold_on_random_networks(widths, activation, lo_hi, raghu, seed):
    net = random_network(widths, seed=seed, activation=activation)
    domain = None if lo_hi is None else regions.box(*lo_hi)
    report = verify(net, domain, samples=20_000, lines=50, seed=seed)
    assert report.ok, report.format_table()
    assert report.exact == oracle_count(net, lo_hi)
    names = {r.name for r in report.relations}
    assert {"complete", "points <= exact", "lines <= exact", "points patterns",
            "line bound"} <= names
    assert report.network["hidden_widths"] == widths[1:-1]
    values = {b.name: b.value for b in report.bounds}
    assert values["raghu"] == raghu
    assert ("serra" in values) == (activation == "relu")
    for estimate in report.estimates:
        if estimate.kind == "lower":
            assert estimate.value <= report.exact


@pytest.mark.parametrize("seed", [0, 1])
def test_one_layer_counts_are_closed_formulas(seed):
    # 8 lines in general position in the plane: Zaslavsky 1 + 8 + C(8, 2) = 37 regions.
    relu = verify(random_network([2, 8, 1], seed=seed), samples=1000, lines=10)
    assert relu.exact == 37
    # 4 hard-tanh neurons in R^3: 4 generic directions with 2 parallel planes each,
    # sum_{i<=3} C(4, i) 2^i = 1 + 8 + 24 + 32 = 65 regions.
    hardtanh = verify(random_network([3, 4, 1], seed=seed, activation="hardtanh"),
                      samples=1000, lines=10)
    assert hardtanh.exact == 65


def test_zaslavsky_equality_is_checked_for_one_layer():
    net = random_network([2, 7, 1], seed=1)
    report = verify(net, samples=1000, lines=10)
    relation = next(r for r in report.relations if r.name == "exact == zaslavsky")
    # 7 lines in general position: 1 + 7 + C(7, 2) = 29.
    assert relation.holds and relation.left_value == relation.right_value == 29


def test_slice_domain_uses_its_dimension():
    net = random_network([4, 5, 4, 1], seed=0)
    plane = regions.plane(np.zeros(4), np.eye(4)[0], np.eye(4)[2], lo=-1.0, hi=1.0)
    report = verify(net, plane, samples=5000, lines=20)
    assert report.ok
    assert report.domain == {"kind": "plane", "dim": 2, "bounded": True}
    values = {b.name: b.value for b in report.bounds}
    # Serra's bound for m = 2, widths [5, 4]: sum over j1 <= min(2, 5) of C(5, j1) times
    # sum over j2 <= min(2, 5 - j1, 4) of C(4, j2); the inner sum is 1 + 4 + 6 = 11 for
    # every j1 in 0..2, so (1 + 5 + 10) * 11 = 176 (not 4-D's bound: the plane has m = 2).
    assert values["serra"] == 176
    patterns, _, _ = unambiguous(oracles.polygon_partition, net,
                                 oracles.plane_slice(np.zeros(4), np.eye(4)[0], np.eye(4)[2],
                                                     -1.0, 1.0),
                                 oracles.square(-1.0, 1.0))
    assert report.exact == len(patterns)
    assert any(e.name == "hanin-rolnick" for e in report.estimates)


def test_json_round_trip():
    net = random_network([2, 16, 16, 16, 16, 1], seed=0)
    report = verify(net, regions.box(-0.05, 0.05), samples=2000, lines=10)
    data = json.loads(report.to_json())
    assert data["ok"] is report.ok
    assert data["exact"] == report.exact
    patterns = next(b for b in data["bounds"] if b["name"] == "patterns")
    assert patterns["value"] == 2 ** 64   # exact integers survive, however large
    points = next(e for e in data["estimates"] if e["name"] == "points")
    assert points["sample_size"] == 2000 and points["detail"]["sizes"][-1] == 2000
    assert len(data["relations"]) == len(report.relations)


def test_violations_are_reported_not_hidden():
    small = random_network([2, 3, 1], seed=0)
    big = random_network([2, 10, 10, 1], seed=0)
    wrong = regions.enumerate_regions(big)    # claims far more regions than ``small`` can have
    report = verify(small, partition=wrong, samples=2000, lines=10)
    assert not report.ok
    violated = {r.name for r in report.violations}
    assert "exact <= serra" in violated and "exact <= network" in violated
    assert "points patterns" in violated   # small's patterns are not big's
    table = report.format_table()
    assert "VIOLATED" in table and "ERROR" in table
    assert json.loads(report.to_json())["ok"] is False


def test_cli_success_and_json(tmp_path, network_file):
    net = random_network([2, 6, 6, 1], seed=2)
    path = network_file(net)
    output = tmp_path / "report.json"
    args = _parser().parse_args(["verify", str(path), "--box", "-1", "1", "--samples", "3000",
                                 "--lines", "20", "-o", str(output), "--seed", "4", "--quiet"])
    assert args.func(args) == 0
    data = json.loads(output.read_text())
    assert data["ok"] and data["domain"]["kind"] == "box"
    assert data["exact"] == oracle_count(net, (-1.0, 1.0))


def test_cli_violation_exit_code(network_file, monkeypatch, capsys):
    net = random_network([2, 3, 1], seed=0)
    path = network_file(net)
    wrong = regions.enumerate_regions(random_network([2, 10, 10, 1], seed=0))
    # The CLI enumerates through regions.cli, then hands the partition to verify().
    module = importlib.import_module("regions.cli")
    monkeypatch.setattr(module, "enumerate_regions", lambda *a, **k: wrong)
    args = _parser().parse_args(["verify", str(path), "--samples", "500", "--lines", "5",
                                 "--quiet"])
    assert args.func(args) == EXIT_VIOLATION == 3
    assert "VIOLATED" in capsys.readouterr().out


def test_cli_bad_input(tmp_path, network_file):
    args = _parser().parse_args(["verify", str(tmp_path / "missing.npz"), "--quiet"])
    with pytest.raises(FileFormatError):
        args.func(args)
    net = random_network([2, 3, 1], seed=0)
    path = network_file(net)
    args = _parser().parse_args(["verify", str(path), "--samples", "-1", "--quiet"])
    with pytest.raises(RegionsError):
        args.func(args)
    args = _parser().parse_args(["verify", str(path), "-o", str(tmp_path / "no" / "r.json"),
                                 "--samples", "100", "--lines", "2", "--quiet"])
    with pytest.raises(FileFormatError):
        args.func(args)


# --------------------------------------------------------------------------- max layers


@pytest.mark.parametrize("net, domain, line_bound", [
    (pooled(0), regions.box(-1.5, 1.5), (1 + 4) * (1 + 1 + 2 + 0)),
    (random_maxout(1), None, (1 + 3 * 1) * (1 + 3)),
    (random_maxout(2, widths=(2, 3, 3), rank=3, tail="max"), regions.box(-2, 2),
     (1 + 3 * 2) * (1 + 2)),
], ids=["pool", "maxout-whole", "max-of-max"])
def test_relations_hold_with_max_layers(net, domain, line_bound):
    """The count and the pieces are the exact brute force's; the line bound is
    prod_l (1 + h_l), a max unit of k inputs counting k - 1, worked by hand."""
    report = verify(net, domain, samples=5_000, lines=20, seed=1)
    assert report.ok, report.format_table()
    resolved = (domain or regions.whole_space()).resolve(2)
    assert report.exact == len(ro.brute_force_regions(net, resolved))
    assert report.enumeration["pieces"] == ro.brute_force_pieces(net, resolved)
    assert next(r for r in report.relations if r.name == "line bound").right_value == line_bound

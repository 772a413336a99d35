"""The verification report: relations hold on honest inputs, violations are reported loudly.

Independent sources: the bound formulas and sampled estimates are checked in
test_bounds.py / test_sampling.py; here the report must agree with them and
with ``regions.enumerate``, and a deliberately wrong exact count (the
partition of another, larger network) must surface as violated relations
and exit code 3.
"""

import argparse
import importlib
import json

import numpy as np
import pytest

import regions
from regions import bounds as B
from regions.errors import FileFormatError, RegionsError
from regions.random_networks import random_network
from regions.verify import EXIT_VIOLATION, add_verify_parser, verify


def _parser():
    parser = argparse.ArgumentParser(prog="regions")
    add_verify_parser(parser.add_subparsers(dest="command", required=True))
    return parser


CASES = [
    ([2, 8, 1], "relu", None),
    ([2, 6, 6, 6, 1], "relu", regions.box(-1, 1)),
    ([3, 5, 5, 1], "relu", None),
    ([2, 4, 4, 1], "hardtanh", regions.box(-2, 2)),
    ([3, 4, 1], "hardtanh", None),
    ([2, 5, 5, 1], "leaky_relu", regions.box(-1, 1)),
    ([1, 6, 6, 1], "relu", regions.box(-3, 3)),
]


@pytest.mark.parametrize("widths, activation, domain", CASES)
def test_relations_hold_on_random_networks(widths, activation, domain):
    for seed in range(2):
        net = random_network(widths, seed=seed, activation=activation)
        report = verify(net, domain, samples=20_000, lines=50, seed=seed)
        assert report.ok, report.format_table()
        assert report.exact == len(regions.enumerate(net, domain))
        names = {r.name for r in report.relations}
        assert {"complete", "points <= exact", "lines <= exact", "points patterns",
                "line bound"} <= names
        hidden = [w for w in widths[1:-1]]
        assert report.network["hidden_widths"] == hidden
        values = {b.name: b.value for b in report.bounds}
        dim = widths[0]
        assert values["raghu"] == B.raghu_upper(dim, hidden, activation)
        assert ("serra" in values) == (activation == "relu")
        for estimate in report.estimates:
            if estimate.kind == "lower":
                assert estimate.value <= report.exact


def test_zaslavsky_equality_is_checked_for_one_layer():
    net = random_network([2, 7, 1], seed=1)
    report = verify(net, samples=1000, lines=10)
    relation = next(r for r in report.relations if r.name == "exact == zaslavsky")
    assert relation.holds and relation.left_value == relation.right_value == B.zaslavsky(7, 2)


def test_slice_domain_uses_its_dimension():
    net = random_network([4, 5, 4, 1], seed=0)
    plane = regions.plane(np.zeros(4), np.eye(4)[0], np.eye(4)[2], lo=-1.0, hi=1.0)
    report = verify(net, plane, samples=5000, lines=20)
    assert report.ok
    assert report.domain == {"kind": "plane", "dim": 2, "bounded": True}
    values = {b.name: b.value for b in report.bounds}
    assert values["serra"] == B.serra_upper(2, [5, 4])
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
    wrong = regions.enumerate(big)    # claims far more regions than ``small`` can have
    report = verify(small, partition=wrong, samples=2000, lines=10)
    assert not report.ok
    violated = {r.name for r in report.violations}
    assert "exact <= serra" in violated and "exact <= network" in violated
    assert "points patterns" in violated   # small's patterns are not big's
    table = report.format_table()
    assert "VIOLATED" in table and "ERROR" in table
    assert json.loads(report.to_json())["ok"] is False


def test_cli_success_and_json(tmp_path):
    net = random_network([2, 6, 6, 1], seed=2)
    path = tmp_path / "net.npz"
    regions.save(net, path)
    output = tmp_path / "report.json"
    args = _parser().parse_args(["verify", str(path), "--box", "-1", "1", "--samples", "3000",
                                 "--lines", "20", "-o", str(output), "--seed", "4", "--quiet"])
    assert args.func(args) == 0
    data = json.loads(output.read_text())
    assert data["ok"] and data["domain"]["kind"] == "box"
    assert data["exact"] == len(regions.enumerate(net, regions.box(-1, 1)))


def test_cli_violation_exit_code(tmp_path, monkeypatch, capsys):
    net = random_network([2, 3, 1], seed=0)
    path = tmp_path / "net.npz"
    regions.save(net, path)
    wrong = regions.enumerate(random_network([2, 10, 10, 1], seed=0))
    # The CLI enumerates through regions.cli, then hands the partition to verify().
    module = importlib.import_module("regions.cli")
    monkeypatch.setattr(module, "enumerate_regions", lambda *a, **k: wrong)
    args = _parser().parse_args(["verify", str(path), "--samples", "500", "--lines", "5",
                                 "--quiet"])
    assert args.func(args) == EXIT_VIOLATION == 3
    assert "VIOLATED" in capsys.readouterr().out


def test_cli_bad_input(tmp_path):
    args = _parser().parse_args(["verify", str(tmp_path / "missing.npz"), "--quiet"])
    with pytest.raises(FileFormatError):
        args.func(args)
    net = random_network([2, 3, 1], seed=0)
    path = tmp_path / "net.npz"
    regions.save(net, path)
    args = _parser().parse_args(["verify", str(path), "--samples", "-1", "--quiet"])
    with pytest.raises(RegionsError):
        args.func(args)
    args = _parser().parse_args(["verify", str(path), "-o", str(tmp_path / "no" / "r.json"),
                                 "--samples", "100", "--lines", "2", "--quiet"])
    with pytest.raises(FileFormatError):
        args.func(args)

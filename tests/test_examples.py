"""Every tutorial script under examples/ runs, and what it reports holds up against an
independent source (exact polygon clipping on the plane of the digits, brute force)."""

import runpy
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import oracles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def run(monkeypatch, capsys, name, *argv):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", [name, *map(str, argv)])
    namespace = runpy.run_path(str(ROOT / "examples" / name), run_name="__main__")
    return namespace, capsys.readouterr().out


def test_every_example_is_tested():
    tested = {"digits_plane.py", "training_regions.py", "depth_vs_width.py",
              "verify_bound.py", "export_graph.py", "read_back.py"}
    assert {p.name for p in EXAMPLES} == tested


def test_digits_plane(monkeypatch, capsys, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    picture = tmp_path / "digits.png"
    ns, out = run(monkeypatch, capsys, "digits_plane.py", picture)
    part = ns["part"]
    assert out.startswith(f"{len(part)} regions on the plane") and picture.stat().st_size > 0
    # The regions of the 64-input classifier on the plane: exact polygon clipping.
    sl = oracles.plane_slice(ns["p0"], ns["p1"], ns["p2"], ns["lo"], ns["hi"])
    truth, _, _ = oracles.unambiguous(oracles.polygon_partition, ns["net"], sl,
                                      oracles.square(ns["lo"], ns["hi"]))
    assert oracles.pattern_set(part) == set(truth)


@pytest.mark.slow
def test_training_regions(monkeypatch, capsys, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    picture = tmp_path / "training.png"
    ns, out = run(monkeypatch, capsys, "training_regions.py", "--quick", picture)
    rows = ns["rows"]
    assert [row["epoch"] for row in rows] == [0, 1, 2, 5, 10] and picture.stat().st_size > 0
    assert rows[-1]["test"] > 0.5      # it learned
    box = oracles.box_slice([-1] * 4, [1] * 4)
    for row in rows:
        # Every count of the table, untrained to trained: brute force over the patterns.
        truth = oracles.unambiguous(oracles.brute_force_patterns, row["network"], box)
        assert row["regions"] == len(truth)
        assert f"{row['epoch']:5d}  {row['train']:5.3f}  {row['test']:5.3f}  {len(truth):7d}" in out
        assert row["sampled"] <= len(truth)         # a sampled lower bound
    # Serra et al.'s bound for m = 4 and widths [8, 8]: every j_1 <= 4 leaves 8 - j_1 >= 4,
    # so it is (sum_{j <= 4} C(8, j))^2 = 163^2.
    assert ns["serra"] == 163 ** 2 and max(row["regions"] for row in rows) <= 163 ** 2


def test_depth_vs_width(monkeypatch, capsys):
    ns, out = run(monkeypatch, capsys, "depth_vs_width.py")
    assert "wide [2, 27, 1]: 109 parameters" in out and "deep [2, 6, 6, 6, 1]: 109" in out
    from regions.random_networks import random_network
    wide = random_network([2, 27, 1], seed=0)
    truth, _, _ = oracles.unambiguous(oracles.polygon_partition, wide,
                                      oracles.box_slice([-1, -1], [1, 1]), oracles.square(-1, 1))
    assert f"regions [{len(truth)}," in out


def test_verify_bound(monkeypatch, capsys):
    _, out = run(monkeypatch, capsys, "verify_bound.py")
    assert out.rstrip().endswith("every relation holds")


def test_export_graph_and_read_back(monkeypatch, capsys, tmp_path):
    ns, out = run(monkeypatch, capsys, "export_graph.py", tmp_path / "g.gexf")
    G = nx.read_gexf(tmp_path / "g.gexf")
    box = oracles.box_slice([-1, -1], [1, 1])
    truth, _, _ = oracles.unambiguous(oracles.polygon_partition, ns["net"], box,
                                      oracles.square(-1, 1))
    assert G.number_of_nodes() == len(truth)
    ns, out = run(monkeypatch, capsys, "read_back.py", tmp_path / "p.json")
    assert out.startswith(f"{len(truth)} regions read back")
    assert np.array_equal(ns["again"].patterns, ns["part"].patterns)

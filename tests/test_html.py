"""Interactive pictures (regions.html, plotly): checked against independent geometry.

The figures' own numbers are read back: the 3-D meshes' volumes (tetrahedra from each
convex polytope's centroid) and the 2-D polygons' areas (shoelace) must tile the domain,
each region must show up once with its own colour and pattern, and the regions counted
must be the brute-force oracle's.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("plotly")

import regions  # noqa: E402
from regions.cli import main  # noqa: E402
from regions.html import figure  # noqa: E402
from regions.io.partitions import pattern_string

import oracles  # noqa: E402
import rational_oracle as ro  # noqa: E402
from max_networks import pooled  # noqa: E402
from oracles import random_net  # noqa: E402


def mesh_volume(trace) -> float:
    """Volume of a closed convex triangle mesh: tetrahedra from its vertex centroid."""
    points = np.column_stack([trace.x, trace.y, trace.z])
    centre = points.mean(axis=0)
    a, b, c = (points[np.asarray(index)] - centre for index in (trace.i, trace.j, trace.k))
    return float(np.abs(np.einsum("ij,ij->i", a, np.cross(b, c))).sum() / 6.0)


def shoelace(x, y) -> float:
    x, y = np.asarray(x)[:-1], np.asarray(y)[:-1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_3d_meshes_tile_the_box_one_per_region():
    net = random_net([3, 5, 3, 1], ["relu", "relu", "identity"], 2)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    truth = oracles.unambiguous(oracles.brute_force_patterns, net,
                                oracles.box_slice(-np.ones(3), np.ones(3)))
    fig = figure(part)
    assert len(fig.data) == len(part) == len(truth)
    assert {t.type for t in fig.data} == {"mesh3d"}
    assert sum(mesh_volume(t) for t in fig.data) == pytest.approx(8.0, rel=1e-9)
    assert len({t.color for t in fig.data}) == len(truth)
    shown = {t.hovertext.split("<br>")[1].removeprefix("pattern ") for t in fig.data}
    assert shown == {pattern_string(net, np.array(p, np.int8)) for p in truth}


def test_3d_orthants_by_hand():
    # relu(x) + relu(y) + relu(z): the coordinate planes cut the box into 8 unit cubes.
    net = regions.Network.from_layers([(np.eye(3), np.zeros(3)), (np.ones((1, 3)), [0.0])])
    fig = figure(regions.enumerate_regions(net, regions.box(-1, 1)))
    assert len(fig.data) == 8
    assert [mesh_volume(t) for t in fig.data] == pytest.approx([1.0] * 8, rel=1e-12)


def test_2d_polygons_tile_the_box():
    net = random_net([2, 6, 5, 1], ["relu", "hardtanh", "identity"], 1)
    lo, hi = np.array([-1, -0.5]), np.array([1.5, 1.0])
    part = regions.enumerate_regions(net, regions.box(lo, hi))
    truth = oracles.unambiguous(oracles.brute_force_patterns, net, oracles.box_slice(lo, hi))
    fig = figure(part, color="output")
    polygons, key = fig.data[:-1], fig.data[-1]         # then the colour bar's trace
    assert len(polygons) == len(part) == len(truth) and key.marker.showscale
    assert sum(shoelace(t.x, t.y) for t in polygons) == pytest.approx(2.5 * 1.5, rel=1e-9)


def test_unbounded_3d_is_clipped_and_says_so():
    # One layer of 4 planes in general position on R^3: 1 + 4 + 6 + 4 = 15 (Zaslavsky).
    net = random_net([3, 4, 1], ["relu", "identity"], 0)
    fig = figure(regions.enumerate_regions(net))
    assert len(fig.data) == 15
    # 4 planes cross at 4 points, all inside the window: only the 14 unbounded regions
    # (all but the bounded simplex: 15 - C(3, 3)) reach past it.
    assert fig.layout.title.text.endswith("14 regions reach past it")
    ranges = [getattr(fig.layout.scene, f"{a}axis").range for a in "xyz"]
    box = np.prod([hi - lo for lo, hi in ranges])
    assert sum(mesh_volume(t) for t in fig.data) == pytest.approx(box, rel=1e-9)


def test_other_dimensions_are_refused():
    part = regions.enumerate_regions(random_net([4, 3, 1], ["relu", "identity"], 0))
    with pytest.raises(regions.DomainError, match="2-D slice"):
        figure(part)
    line = regions.enumerate_regions(random_net([1, 3, 1], ["relu", "identity"], 0))
    with pytest.raises(regions.DomainError, match="regions.plot"):
        figure(line)


def test_cli_writes_a_self_contained_page(tmp_path, capsys):
    net_path, page = tmp_path / "net.npz", tmp_path / "view.html"
    net = random_net([3, 4, 1], ["relu", "identity"], 1)
    regions.write_network(net, net_path)
    assert main(["plot", str(net_path), "-o", str(page), "--box", "-1", "1", "--json",
                 "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    truth = oracles.unambiguous(oracles.brute_force_patterns, net,
                                oracles.box_slice(-np.ones(3), np.ones(3)))
    assert summary["regions"] == len(truth) and summary["output"] == str(page)
    text = page.read_text()
    assert text.count('"hovertext":"region ') == len(truth)      # one mesh per region
    # plotly.js inlined (megabytes), not fetched: the page opens offline
    assert len(text) > 1_000_000 and '<script src="http' not in text
    assert main(["plot", str(net_path), "-o", str(page), "--graph"]) == 2
    assert "static pictures only" in capsys.readouterr().err


def test_cli_draws_a_3d_png(tmp_path, capsys):
    net_path, picture = tmp_path / "net.npz", tmp_path / "view.png"
    regions.write_network(random_net([3, 4, 1], ["relu", "identity"], 1), net_path)
    assert main(["plot", str(net_path), "-o", str(picture), "--box", "-1", "1",
                 "--quiet"]) == 0
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_unbounded_2d_window_hatches_and_classes_get_a_legend():
    # 5 lines in general position on R^2: 10 crossings, fewer than 20, all inside the
    # window, so exactly the 2 * 5 unbounded regions of the 16 (Zaslavsky) are hatched.
    rng = np.random.default_rng(7)
    net = regions.Network.from_layers([(rng.normal(size=(5, 2)), rng.normal(size=5)),
                                       (rng.normal(size=(3, 5)), np.zeros(3))])
    part = regions.enumerate_regions(net)
    fig = figure(part, color="output")
    polygons, legend = fig.data[:len(part)], fig.data[len(part):]
    assert len(polygons) == oracles.zaslavsky(5, 2) == 16
    assert sum(t.fillpattern.shape == "/" for t in polygons) == 10
    assert fig.layout.title.text.endswith("10 regions reach past it (hatched)")
    # one legend entry per class that some region takes at its witness (numpy forward)
    hidden = np.maximum(part.input_witnesses @ net.layers[0].weight.T + net.layers[0].bias, 0)
    classes = sorted(set(np.argmax(hidden @ net.layers[1].weight.T, axis=1)))
    assert [t.name for t in legend] == [f"class {k}" for k in classes]


def test_2d_polygons_of_a_max_pooled_network_tile_the_box():
    """One filled polygon per region of the exact brute force, areas summing to the box's,
    each hover naming its region's pattern (a max unit's states as numbers)."""
    net = pooled(1)
    part = regions.enumerate_regions(net, regions.box(-1.5, 1.5))
    truth = ro.brute_force_regions(net, part.domain)
    fills = [t for t in figure(part).data if t.fill == "toself"]
    assert len(fills) == len(part) == len(truth)
    assert sum(shoelace(t.x, t.y) for t in fills) == pytest.approx(9.0, rel=1e-9)
    shown = {t.text.split("<br>")[1].removeprefix("pattern ") for t in fills}
    assert shown == {pattern_string(net, np.array(p, np.int8)) for p in truth}

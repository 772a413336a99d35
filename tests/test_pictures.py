"""Pictures (regions.plot, regions plot): what is drawn is checked against independent facts.

The patches of a 2-D picture are the regions' exact polygons, so on a box their areas sum to
the box's and on all of R^2 their number is Zaslavsky's; the window of an unbounded picture
holds every crossing of the lines (computed here by solving each pair); the decision
boundary drawn lies on the zero set of the network's output (an independent forward pass);
a 1-D picture's curve is the network's function at its ends; colours follow patterns only.
Max layers: the same checks against the exact brute force's count, and hand-worked cones
and envelope breakpoints.
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import regions  # noqa: E402
from regions.cli import main  # noqa: E402
from regions.pictures import pattern_color, png  # noqa: E402

import oracles  # noqa: E402
import rational_oracle as ro  # noqa: E402
from max_networks import (convex_fan, exact_fan, max_net, pooled,  # noqa: E402
                          random_maxout)
from oracles import random_net  # noqa: E402


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def patch_polygons(ax):
    return [patch.get_xy()[:-1] if np.allclose(patch.get_xy()[0], patch.get_xy()[-1])
            else patch.get_xy() for patch in ax.patches]


def shoelace(polygon):
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_patches_tile_the_box(ax, seed):
    net = random_net([2, 6, 5, 1], ["relu", "hardtanh", "identity"], seed)
    part = regions.enumerate_regions(net, regions.box([-1, -0.5], [1.5, 1]))
    regions.plot(part, ax)
    polygons = patch_polygons(ax)
    assert len(polygons) == len(part)
    assert sum(shoelace(p) for p in polygons) == pytest.approx(2.5 * 1.5, rel=1e-9)
    # Each patch holds its region's witness, and only that region's pattern inside it.
    for polygon, witness, pattern in zip(polygons, part.witnesses, part.patterns):
        assert matplotlib.path.Path(polygon).contains_point(witness)
        centroid = polygon.mean(axis=0)
        assert np.array_equal(oracles.true_patterns(net, centroid[None])[0], pattern)


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_whole_plane_window_holds_every_crossing(ax, seed):
    # 6 lines in general position cross at 15 points, fewer than the 20 from which the
    # window leaves out the outer 5% on each side: it holds them all, and only the
    # 2 * 6 unbounded regions of the arrangement reach past it.
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(6, 2)), rng.normal(size=6)
    net = regions.Network.from_layers([(W, b), (np.ones((1, 6)), np.zeros(1))])
    regions.plot(regions.enumerate_regions(net), ax)
    assert len(ax.patches) == oracles.zaslavsky(6, 2) == 22
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for i, j in itertools.combinations(range(6), 2):
        x, y = np.linalg.solve(W[[i, j]], -b[[i, j]])
        assert x0 < x < x1 and y0 < y < y1
    assert ax.get_title().splitlines()[1] == (
        "window: the middle 90% of the vertices; 12 regions reach past it (hatched)")


def test_decision_boundary_lies_on_the_zero_set(ax):
    net = random_net([2, 8, 8, 1], ["relu", "relu", "identity"], 4)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    regions.plot(part, ax, boundary=True)
    segments = [line.get_xydata() for line in ax.lines if line.get_color() == "red"]
    assert segments
    ends = np.vstack(segments)
    assert np.max(np.abs(net.forward(ends))) < 1e-9


def test_argmax_boundary_of_a_classifier(ax):
    # Three outputs x, y, 0 on the box: the argmax changes on x = y (x, y > 0), x = 0 (y < 0)
    # and y = 0 (x < 0).
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)),
                                       (np.array([[1.0, 0], [0, 1], [0, 0]]), np.zeros(3))],
                                      ["identity", "identity"])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    regions.plot(part, ax, boundary=True)
    ends = np.vstack([line.get_xydata() for line in ax.lines if line.get_color() == "red"])
    top2 = np.sort(net.forward(ends), axis=1)[:, -2:]
    assert np.allclose(top2[:, 0], top2[:, 1], atol=1e-12)


def test_1d_curve_is_the_function(ax):
    net = random_net([1, 5, 4, 1], ["relu", "leaky_relu", "identity"], 2)
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    regions.plot(part, ax)
    curves = [line.get_xydata() for line in ax.lines if line.get_color() == "black"]
    assert len(curves) == len(part) == len(oracles.line_partition(net, [0.0], [1.0], -2, 2))
    for curve in curves:
        assert np.allclose(curve[:, 1], net.forward(curve[:, :1])[:, 0], atol=1e-12)


def test_colours_follow_patterns_across_pictures():
    net = random_net([2, 5, 1], ["relu", "identity"], 1)
    small = regions.enumerate_regions(net, regions.box(-0.5, 0.5))
    large = regions.enumerate_regions(net)
    colours = {p.tobytes(): pattern_color(p) for p in large.patterns}
    for p in small.patterns:
        assert pattern_color(p) == colours[p.tobytes()]
    assert len(set(colours.values())) == len(colours)


def test_output_and_layer_colours(ax):
    net = random_net([2, 4, 4, 1], ["relu", "relu", "identity"], 3)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    regions.plot(part, ax, color="layer", layer=0)
    first = part.patterns[:, :4]
    by_colour = {}
    for patch, pattern in zip(ax.patches, first):
        by_colour.setdefault(tuple(np.round(patch.get_facecolor()[:3], 6)), set()).add(
            pattern.tobytes())
    assert all(len(group) == 1 for group in by_colour.values())
    assert len(by_colour) == len({p.tobytes() for p in first})
    with pytest.raises(regions.RegionsError, match="layer must be"):
        regions.plot(part, ax, color="layer", layer=5)
    with pytest.raises(regions.RegionsError, match="unknown color"):
        regions.plot(part, ax, color="rainbow")


def test_higher_dimensions_are_refused_with_a_hint():
    part = regions.enumerate_regions(random_net([4, 3, 1], ["relu", "identity"], 0))
    with pytest.raises(regions.DomainError, match="2-D slice"):
        regions.plot(part)


def test_3d_polytopes_one_per_region():
    net = random_net([3, 5, 3, 1], ["relu", "relu", "identity"], 2)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    ax = regions.plot(part)
    truth = oracles.unambiguous(oracles.brute_force_patterns, net,
                                oracles.box_slice(-np.ones(3), np.ones(3)))
    assert len(ax.collections) == len(part) == len(truth)
    colours = {tuple(np.round(c.get_facecolor()[0][:3], 9)) for c in ax.collections}
    assert len(colours) == len(truth)
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_zlim() == (-1.0, 1.0)
    plt.close(ax.figure)


def test_png_bytes_and_one_line_repr():
    part = regions.enumerate_regions(random_net([2, 3, 1], ["relu", "identity"], 0))
    assert png(part).startswith(b"\x89PNG")
    assert repr(part) == f"<Partition: {len(part)} regions of [2, 3, 1] over whole (2-D), method vertex>"


def test_a_partition_displays_itself_without_an_import_hook(monkeypatch):
    """Jupyter shows ``_repr_png_`` (1-D and 2-D, up to NOTEBOOK_MAX_REGIONS regions, with
    matplotlib), else the one-line repr; importing regions registers nothing in IPython."""
    import sys
    from regions import partition
    part = regions.enumerate_regions(random_net([2, 3, 1], ["relu", "identity"], 0))
    assert part._repr_png_().startswith(b"\x89PNG")
    net3 = random_net([3, 3, 1], ["relu", "identity"], 0)
    assert regions.enumerate_regions(net3)._repr_png_() is None
    monkeypatch.setattr(partition, "NOTEBOOK_MAX_REGIONS", len(part) - 1)
    assert part._repr_png_() is None
    monkeypatch.setattr(partition, "NOTEBOOK_MAX_REGIONS", len(part))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert part._repr_png_() is None
    package = Path(regions.__file__).parent
    assert not any("get_ipython" in path.read_text() for path in package.rglob("*.py"))


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_cli_plot_writes_each_format(tmp_path, capsys, suffix):
    net_path, out = tmp_path / "net.npz", tmp_path / f"part.{suffix}"
    regions.write_network(random_net([3, 5, 1], ["relu", "identity"], 0), net_path)
    code = main(["plot", str(net_path), "-o", str(out), "--plane", "0,0,0", "1,0,0", "-1,1,0",
                 "--box", "-2,2", "-1,1", "--boundary", "--json", "--quiet"])
    assert code == 0 and out.stat().st_size > 1000
    summary = json.loads(capsys.readouterr().out)
    assert summary["domain"] == "plane" and summary["output"] == str(out)


def test_cli_domains_parse(tmp_path, capsys):
    net_path = tmp_path / "net.npz"
    net = random_net([2, 4, 1], ["relu", "identity"], 0)
    regions.write_network(net, net_path)
    assert main(["count", str(net_path), "--box", "-1,1", "-0.5,2", "--json", "--quiet"]) == 0
    per_coordinate = json.loads(capsys.readouterr().out)["regions"]
    lo, hi = np.array([-1, -0.5]), np.array([1, 2.0])
    assert per_coordinate == len(oracles.unambiguous(oracles.brute_force_patterns, net,
                                                     oracles.box_slice(lo, hi)))
    assert main(["count", str(net_path), "--line", "-1,0", "1,1", "--json", "--quiet"]) == 0
    along = json.loads(capsys.readouterr().out)["regions"]
    direction = np.array([2.0, 1.0]) / np.sqrt(5)
    assert along == len(oracles.line_partition(net, np.array([-1.0, 0]), direction))
    assert main(["count", str(net_path), "--box", "-1,1", "--json"]) == 2       # one pair, 2-D
    assert main(["plot", str(net_path), "-o", str(tmp_path / "x.txt")]) == 2
    assert "is .png, .svg, .pdf or .html" in capsys.readouterr().err


@pytest.mark.parametrize("module,suffix,extra", [("matplotlib.pyplot", "png", "plot"),
                                                 ("plotly.graph_objects", "html", "html")])
def test_missing_extra_is_one_line(monkeypatch, tmp_path, capsys, module, suffix, extra):
    import sys
    monkeypatch.setitem(sys.modules, module, None)
    net_path = tmp_path / "net.npz"
    regions.write_network(random_net([2, 3, 1], ["relu", "identity"], 0), net_path)
    assert main(["plot", str(net_path), "-o", str(tmp_path / f"a.{suffix}")]) == 2
    assert f'pip install "regions[{extra}]"' in capsys.readouterr().err


def test_one_fill_colour_per_region(ax):
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], 6)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    regions.plot(part, ax)
    colours = {tuple(np.round(patch.get_facecolor(), 9)) for patch in ax.patches}
    truth = oracles.unambiguous(oracles.brute_force_patterns, net,
                                oracles.box_slice([-1, -1], [1, 1]))
    assert len(colours) == len(ax.patches) == len(truth)


# --------------------------------------------------------------------------- issue 23
# Before: the window of an unbounded picture held every vertex (a starburst when a few lie
# far out), `color="output"` had no key, 1-D pictures ran to far witnesses.

def line_arrangement(rows, offsets):
    """``relu(W x + b)`` summed: one ReLU layer, whose regions are those of its lines."""
    W, b = np.array(rows, float), np.array(offsets, float)
    return regions.Network.from_layers([(W, b), (np.ones((1, len(b))), np.zeros(1))]), W, b


def outward_window(points, tail=0.05, margin=0.15):
    """The documented default window, written out: per axis, the coordinates sorted, the
    ``floor(tail (n - 1))``-th and ``ceil((1 - tail) (n - 1))``-th, the size at least 1,
    widened by ``margin`` of it on each side."""
    ordered = np.sort(points, axis=0)
    n = len(points)
    low = ordered[int(np.floor(tail * (n - 1)))]
    high = ordered[int(np.ceil((1 - tail) * (n - 1)))]
    size = np.maximum(high - low, 1.0)
    return (low + high) / 2 - (0.5 + margin) * size, (low + high) / 2 + (0.5 + margin) * size


def reaching_past(net, lower, upper):
    """How many regions of ``net`` on R^2 reach past the box ``[lower, upper]``: exact
    polygon clipping in a square of half-size 1e7 (oracles), where a region is unbounded
    when its polygon touches that square's sides."""
    _, _, polygons = oracles.unambiguous(oracles.whole_plane_partition, net)
    return sum(bool(np.any(np.abs(p) >= 1e7 * (1 - 1e-9)) or np.any(p < lower)
                    or np.any(p > upper)) for p in map(np.asarray, polygons))


def test_the_default_window_leaves_out_a_far_vertex(ax):
    # Six lines in general position near the origin, and two nearly parallel ones that meet
    # near x = 2000: 28 crossings, one of them far out. The window is the middle 90% of the
    # crossings (computed here by solving each pair of lines): with 28 of them it leaves
    # out at most the outermost one on each side of each axis, the far one among them, and
    # stays tens of units wide instead of reaching x = 2000.
    rows = [[1, 0.1], [0.2, 1], [1, 1], [1, -1], [0.5, -1], [1, 0.3], [0.001, 1], [-0.001, 1]]
    offsets = [0.1, -0.2, -0.5, 0.3, 0.6, -0.9, -1, 3]
    net, W, b = line_arrangement(rows, offsets)
    crossings = np.array([np.linalg.solve(W[[i, j]], -b[[i, j]])
                          for i, j in itertools.combinations(range(len(b)), 2)])
    assert np.max(np.abs(crossings[:, 0])) > 1000
    lower, upper = outward_window(crossings)
    regions.plot(regions.enumerate_regions(net), ax)
    assert np.allclose([ax.get_xlim(), ax.get_ylim()], np.stack([lower, upper], axis=1))
    inside = np.all((crossings > lower) & (crossings < upper), axis=1)
    assert inside.sum() >= 28 - 4 and not inside[np.argmax(crossings[:, 0])]
    assert np.all(upper - lower < 50)
    # 37 regions (Zaslavsky), a few of them wholly beyond the window (no patch there)
    assert ax.get_title().splitlines()[0] == f"{oracles.zaslavsky(8, 2)} regions" == "37 regions"
    assert len(ax.patches) < 37
    clipped = reaching_past(net, lower, upper)
    assert ax.get_title().splitlines()[1] == (
        f"window: the middle 90% of the vertices; {clipped} regions reach past it (hatched)")
    (hatches,) = ax.collections      # one hatched patch per such region that shows at all
    assert len(hatches.get_paths()) == clipped - (37 - len(ax.patches))
    assert hatches.get_hatch() == "///"


def test_a_given_window_overrides_it(ax, tmp_path, capsys, network_file):
    net, _, _ = line_arrangement([[1, 0], [0, 1], [1, 1]], [0, 0, -1])
    regions.plot(regions.enumerate_regions(net), ax, window=([-0.5, -1], [2, 1]))
    assert (ax.get_xlim(), ax.get_ylim()) == ((-0.5, 2.0), (-1.0, 1.0))
    clipped = reaching_past(net, np.array([-0.5, -1]), np.array([2, 1]))
    assert ax.get_title().splitlines()[1] == (
        f"window as given; {clipped} regions reach past it (hatched)")
    path = network_file(net)
    assert main(["plot", str(path), "-o", str(tmp_path / "w.svg"), "--window", "-0.5,2", "-1,1",
                 "--quiet"]) == 0
    assert main(["plot", str(path), "-o", str(tmp_path / "w.svg"), "--window", "1", "1",
                 "--quiet"]) == 2
    assert "must lie below" in capsys.readouterr().err


def hand_forward(net, x):
    """The network's output, written out with numpy from its layers (identity last)."""
    for layer in net.layers:
        x = x @ layer.weight.T + layer.bias
        if layer.activation == "relu":
            x = np.maximum(x, 0.0)
    return x


def test_output_colours_have_a_colour_bar(ax):
    net, _, _ = line_arrangement([[1, 0], [0, 1], [1, 1]], [0, 0, -1])
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    regions.plot(part, ax, color="output")
    values = hand_forward(net, part.input_witnesses)[:, 0]
    bar = ax.figure.axes[1]                              # the colour bar's own Axes
    assert bar.get_ylim() == pytest.approx((values.min(), values.max()))
    viridis = matplotlib.colormaps["viridis"]
    scaled = (values - values.min()) / (values.max() - values.min())
    for patch, value in zip(ax.patches, scaled):
        assert np.allclose(patch.get_facecolor()[:3], viridis(value)[:3])


def test_classifier_colours_have_a_legend(ax):
    # Three outputs of relu(x), relu(y) and 1/2 - x on [-1, 1]^2: each region is coloured
    # by the largest output at its witness, and the legend names those classes.
    net = regions.Network.from_layers([(np.array([[1.0, 0], [0, 1], [1, 0]]), np.zeros(3)),
                                       (np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, -1]]),
                                        np.array([0.0, 0.0, 0.5]))])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    regions.plot(part, ax, color="output")
    classes = np.argmax(hand_forward(net, part.input_witnesses), axis=1)
    tab10 = matplotlib.colormaps["tab10"]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [f"class {k}"
                                                          for k in sorted(set(classes))]
    for handle, k in zip(legend.legend_handles, sorted(set(classes))):
        assert np.allclose(handle.get_facecolor()[:3], tab10(k)[:3])
    for patch, k in zip(ax.patches, classes):
        assert np.allclose(patch.get_facecolor()[:3], tab10(k)[:3])


def test_1d_pictures_span_the_breakpoints(ax, tmp_path, network_file):
    # relu(t) + relu(t - 2): breakpoints 0 and 2, so the window is [0 - 0.3, 2 + 0.3]
    # (15% of the span each side), and the two unbounded ends are hatched.
    net = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -2.0]), ([[1.0, 1.0]], [0.0])])
    regions.plot(regions.enumerate_regions(net), ax)
    assert ax.get_xlim() == pytest.approx((-0.3, 2.3))
    assert ax.get_title().splitlines()[1] == (
        "window: every breakpoint; 2 regions reach past it (hatched)")
    # The same function along the line y = 1 of relu(x) + relu(x - 2) + relu(y + 5), and
    # the segment from x = -1 to x = 1 of it (coordinate t from 0 to 2: breakpoint t = 1).
    two, _, _ = line_arrangement([[1, 0], [1, 0], [0, 1]], [0, -2, 5])
    ax.clear()
    regions.plot(regions.enumerate_regions(two, regions.line([0, 1], [1, 1])), ax)
    assert ax.get_xlim() == pytest.approx((-0.3, 2.3))
    path = network_file(two, "two.npz")
    assert main(["plot", str(path), "-o", str(tmp_path / "s.svg"), "--segment", "-1,1", "1,1",
                 "--quiet"]) == 0
    ax.clear()
    regions.plot(regions.enumerate_regions(two, regions.segment([-1, 1], [1, 1])), ax)
    assert ax.get_xlim() == pytest.approx((0.0, 2.0)) and len(ax.get_title().splitlines()) == 1


# --------------------------------------------------------------------------- max layers


@pytest.mark.parametrize("net", [pooled(0), random_maxout(2), convex_fan(5)],
                         ids=["pool", "maxout", "fan"])
def test_max_layer_patches_tile_the_box(ax, net):
    """As for elementwise layers: one patch per region of the exact brute force, areas
    summing to the box's, each holding its witness and its pattern at its centroid."""
    domain = regions.box([-1.5, -1], [1.5, 1.25])
    part = regions.enumerate_regions(net, domain)
    assert len(part) == len(ro.brute_force_regions(net, part.domain))
    regions.plot(part, ax, graph=True, boundary=True)
    polygons = patch_polygons(ax)
    assert len(polygons) == len(part)
    assert sum(shoelace(p) for p in polygons) == pytest.approx(3 * 2.25, rel=1e-9)
    for polygon, witness, pattern in zip(polygons, part.witnesses, part.patterns):
        assert matplotlib.path.Path(polygon).contains_point(witness)
        assert np.array_equal(net.activation_pattern(polygon.mean(axis=0)), pattern)
    red = [line.get_xydata() for line in ax.lines if line.get_color() == "red"]
    if red:
        assert np.max(np.abs(net.forward(np.vstack(red)))) < 1e-9


def test_the_cones_of_max_of_absolute_values_are_four_triangles(ax):
    """max(x, -x, y, -y) on [-1, 1]^2: each input wins on the triangle between the box's
    side and the diagonals, of area 1."""
    net = exact_fan([(1, 0), (-1, 0), (0, 1), (0, -1)])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    regions.plot(part, ax)
    polygons = patch_polygons(ax)
    assert [shoelace(p) for p in polygons] == pytest.approx([1.0] * 4, rel=1e-12)
    for polygon, pattern in zip(polygons, part.patterns):
        side = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])[pattern[0]]
        assert {tuple(v) for v in polygon} == {(0.0, 0.0), tuple(side + side[::-1]),
                                               tuple(side - side[::-1])}


def test_1d_picture_of_a_maxout_envelope(ax):
    """max(x, -x, 1/2, 2x - 3, -3x - 5, -1) on [-4, 5]: bands at the breakpoints -5/2, -1/2,
    1/2 and 3 worked by hand, the curve the network at each band's ends."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    net = max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                  {0: [list(range(6))]})
    part = regions.enumerate_regions(net, regions.box(-4, 5))
    regions.plot(part, ax)
    curves = [line.get_xydata() for line in ax.lines if line.get_color() == "black"]
    assert sorted((c[0, 0], c[1, 0]) for c in curves) == [(-4, -2.5), (-2.5, -0.5),
                                                          (-0.5, 0.5), (0.5, 3), (3, 5)]
    for curve in curves:
        assert np.array_equal(curve[:, 1], net.forward(curve[:, :1])[:, 0])


def test_a_max_pooled_partition_displays_itself(tmp_path, capsys, network_file):
    part = regions.enumerate_regions(pooled(0), regions.box(-1, 1))
    assert part._repr_png_().startswith(b"\x89PNG")
    out = tmp_path / "pool.png"
    assert main(["plot", str(network_file(pooled(0))), "--box", "-1", "1", "-o", str(out),
                 "--quiet"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")

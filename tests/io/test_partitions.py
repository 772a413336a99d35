"""JSON round trip of partitions, and graph files read back by networkx itself.

Independent checks: equality is bit-for-bit (``np.array_equal``) against the
original arrays; the JSON is parsed by the standard library with non-finite
constants forbidden; the re-read partition's affine maps reproduce the
network's own forward pass at the witnesses; graph files are read with
networkx's readers directly, not with this package's.
"""

import json

import networkx as nx
import numpy as np
import pytest

import regions
from regions.analysis.certify import certify
from regions.analysis.graph import adjacency_graph
from regions.io.partitions import (
    parse_pattern, pattern_string, read_graph, read_json, write_json, write_graph)

from max_networks import max_net, pooled, random_maxout
from oracles import random_net


def strict_json(text):
    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


def assert_same_partition(a, b):
    assert len(a) == len(b)
    for name in ("patterns", "witnesses", "margins"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert a.per_layer == b.per_layer and a.min_radius == b.min_radius and a.lps == b.lps
    for ra, rb in zip(a, b):
        for name in ("pattern", "A", "b", "labels", "witness", "C", "d"):
            assert np.array_equal(getattr(ra, name), getattr(rb, name)), name
        assert ra.margin == rb.margin
    for la, lb in zip(a.network.layers, b.network.layers):
        assert np.array_equal(la.weight, lb.weight) and np.array_equal(la.bias, lb.bias)
        assert (la.activation, la.slope) == (lb.activation, lb.slope)
        assert (la.windows is None) == (lb.windows is None)
        assert la.windows is None or np.array_equal(la.windows, lb.windows)
    for name in ("kind", "A", "b", "origin", "basis", "lower", "upper"):
        assert np.array_equal(getattr(a.domain, name), getattr(b.domain, name)), name
    assert a.domain.exact_basis() == b.domain.exact_basis()


@pytest.mark.parametrize("domain", [
    regions.box(-1, 1), None,
    regions.plane([0, 0, 0], [1, 0, 0.5], [0, 1, 0], lo=-1, hi=1),
    regions.segment([-1, 0, 1], [1, 1, -1]),
], ids=["box", "whole", "plane", "segment"])
def test_json_round_trip_is_exact(domain, tmp_path):
    net = random_net([3, 4, 3, 2], ["leaky_relu", "hardtanh", "identity"], seed=1, slope=0.2)
    part = regions.enumerate_regions(net, domain)
    text = write_json(part, tmp_path / "p.json")
    strict_json(text)
    assert_same_partition(part, read_json(text))
    assert_same_partition(part, read_json(tmp_path / "p.json"))
    assert_same_partition(part, read_json(str(tmp_path / "p.json")))


@pytest.mark.parametrize("domain", [
    regions.box(-1, 1), None,
    regions.plane([0, 0, 0], [1, 0, 0.5], [0, 1, 0], lo=-1, hi=1),
    regions.segment([-1, 0, 1], [1, 1, -1]),
], ids=["box", "whole", "plane", "segment"])
@pytest.mark.parametrize("method", ["vertex", "split"])
def test_npz_round_trip_is_exact(domain, method, tmp_path):
    net = random_net([3, 4, 3, 2], ["leaky_relu", "hardtanh", "identity"], seed=1, slope=0.2)
    part = regions.enumerate_regions(net, domain, method=method)
    regions.write_npz(part, tmp_path / "p.npz")
    back = regions.read_npz(tmp_path / "p.npz")
    assert_same_partition(part, back)
    assert (back.method, back.complete, back.seconds) == (method, True, part.seconds)


@pytest.mark.parametrize("suffix", ["json", "npz"])
def test_a_read_slice_is_the_exact_slice(suffix, tmp_path):
    # 3x + 4y = 5 holds on the edge u = 1 of the plane square (u = (3, 4, 0) / 5 exactly):
    # one region. On the basis rounded to float64 the edge is 2**-53 / 5 inside the
    # square, so a partition read back without its exact basis fails its certificate.
    net = regions.Network.from_layers([(np.array([[3.0, 4.0, 0.0]]), np.array([-5.0])),
                                       (np.ones((1, 1)), np.zeros(1))])
    part = regions.enumerate_regions(
        net, regions.plane([0, 0, 0], [3, 4, 0], [0, 0, 1], lo=0, hi=1))
    assert len(part) == 1 and certify(part).ok
    file = tmp_path / f"p.{suffix}"
    (write_json if suffix == "json" else regions.write_npz)(part, file)
    back = (read_json if suffix == "json" else regions.read_npz)(file)
    assert back.domain.exact_basis() == part.domain.exact_basis()
    assert certify(back).ok


@pytest.mark.parametrize("entry", [[["1/0"]], [["x"]], "3/5", [[0.6]], [["3/5", "1"]]])
def test_malformed_exact_basis_is_a_file_format_error(entry):
    part = regions.enumerate_regions(random_net([2, 3, 1], ["relu", "identity"], seed=0),
                                     regions.segment([0, 0], [3, 4]))
    data = json.loads(write_json(part))
    assert data["domain"]["rational_basis"] == [["3/5"], ["4/5"]]
    data["domain"]["rational_basis"] = entry
    with pytest.raises(regions.FileFormatError):
        read_json(json.dumps(data))


def test_empty_and_incomplete_partitions_round_trip_through_npz(tmp_path):
    net = random_net([2, 6, 1], ["relu", "identity"], seed=3)
    part = regions.enumerate_regions(net, max_regions=2)
    regions.write_npz(part, tmp_path / "p.npz")
    back = regions.read_npz(tmp_path / "p.npz")
    assert_same_partition(part, back)
    assert (back.complete, back.stop_reason, back.unfinished) == (False, "max_regions",
                                                                  part.unfinished)
    empty = part.subset([])
    regions.write_npz(empty, tmp_path / "e.npz")
    assert len(regions.read_npz(tmp_path / "e.npz")) == 0


def test_bad_npz_is_a_file_format_error(tmp_path):
    np.savez(tmp_path / "net.npz", W0=np.eye(2), b0=np.zeros(2))     # a network, not a partition
    with pytest.raises(regions.FileFormatError, match="cannot read a partition"):
        regions.read_npz(tmp_path / "net.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(regions.FileFormatError, match="cannot read a partition"):
        regions.read_npz(tmp_path / "junk.npz")
    with pytest.raises(regions.FileFormatError, match="cannot read a partition"):
        regions.read_npz(tmp_path / "absent.npz")
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(regions.FileFormatError, match="not an .npz archive"):
        regions.read_npz(tmp_path / "array.npy")


def test_npz_whose_arrays_disagree_is_refused(tmp_path):
    part = regions.enumerate_regions(random_net([2, 4, 1], ["relu", "identity"], seed=0),
                                     regions.box(-1, 1))
    regions.write_npz(part, tmp_path / "P.NPZ")                   # any suffix, kept as given
    assert len(regions.read_npz(tmp_path / "P.NPZ")) == len(part)
    stored = dict(np.load(tmp_path / "P.NPZ"))
    for key, cut in (("row_offsets", slice(0, -1)), ("A", slice(0, -1)), ("C", slice(1, None))):
        damaged = dict(stored, **{key: stored[key][cut]})
        np.savez(tmp_path / "bad.npz", **damaged)
        with pytest.raises(regions.FileFormatError, match="do not agree"):
            regions.read_npz(tmp_path / "bad.npz")


def test_read_partition_is_usable():
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    back = read_json(write_json(regions.enumerate_regions(net, regions.box(-1, 1))))
    outputs = net.forward(back.witnesses)
    for region, y in zip(back, outputs):
        assert np.allclose(region.C @ region.witness + region.d, y)
    assert certify(back).ok


@pytest.mark.parametrize("bad,match", [
    ("{not json", "not valid JSON"),
    ('{"format": "something else"}', "not a serialised partition"),
    ('{"format": "regions.partition", "version": 99}', "version"),
    ('{"format": "regions.partition", "version": 2, "network": {}}', "malformed"),
])
def test_bad_json_is_a_file_format_error(bad, match):
    with pytest.raises(regions.FileFormatError, match=match):
        read_json(bad)


def test_missing_file_is_a_file_format_error(tmp_path):
    with pytest.raises(regions.FileFormatError, match="cannot read"):
        read_json(tmp_path / "absent.json")


def test_pattern_strings():
    net = random_net([2, 3, 2, 1], ["hardtanh", "relu", "identity"], seed=0)
    pattern = np.array([-1, 0, 1, 1, 0], np.int8)
    assert pattern_string(net, pattern) == "-01|10"
    assert np.array_equal(parse_pattern("-01|10"), pattern)
    with pytest.raises(regions.FileFormatError):
        parse_pattern("0x1")


@pytest.mark.parametrize("net, domain", [
    (pooled(0), regions.box(-1.5, 1.5)),
    (random_maxout(1, widths=(2, 3, 3), rank=3, tail="max"), None),
], ids=["pool", "max-of-max"])
def test_max_layer_partitions_round_trip_exactly(net, domain, tmp_path):
    part = regions.enumerate_regions(net, domain)
    text = write_json(part, tmp_path / "p.json")
    strict_json(text)
    assert_same_partition(part, read_json(text))
    regions.write_npz(part, tmp_path / "p.npz")
    back = regions.read_npz(tmp_path / "p.npz")
    assert_same_partition(part, back)
    assert certify(back).ok
    for i in range(len(back)):      # the re-read maps are the network at the witnesses
        C, d = back.affine_map(i)
        assert np.allclose(C @ back.witnesses[i] + d, net.forward(back.input_witnesses[i]),
                           rtol=1e-12, atol=1e-12)


def test_max_pattern_strings():
    """A max layer's states are numbers (window positions up to 126) separated by commas; a
    single unit's ends with a comma."""
    net = max_net([(np.ones((14, 2)), np.zeros(14)), (np.ones((3, 2)), np.zeros(3)),
                   (np.eye(3), np.zeros(3)), (np.ones((1, 1)), np.zeros(1))],
                  ["max", "hardtanh", "max", "identity"],
                  {0: [list(range(13)), [13]], 2: [[0, 1, 2]]})
    pattern = np.array([12, 0, -1, 1, 0, 2], np.int8)
    assert pattern_string(net, pattern) == "12,0|-10|2,"
    assert np.array_equal(parse_pattern("12,0|-10|2,"), pattern)
    assert [pattern_string(net, pattern, s) for s in net.pattern_slices()[:3]] == [
        "12,0", "-10", "2,"]
    for bad in ("1,x|0", "300,1"):
        with pytest.raises(regions.FileFormatError, match="bad max states"):
            parse_pattern(bad)


def test_max_layer_graph_files_load_back(tmp_path):
    """Edges on a relu's breakpoint and on a pool's pair carry different attributes."""
    G = adjacency_graph(regions.enumerate_regions(pooled(0), regions.box(-1.5, 1.5)))
    assert {"unit", "pair"} <= set().union(*(d for _, _, d in G.edges(data=True)))
    for extension in ("graphml", "gexf", "json"):
        path = tmp_path / f"g.{extension}"
        write_graph(G, path)
        H = read_with_networkx(path)
        for u, v in G.edges:
            assert H.edges[u, v] == G.edges[u, v]
        for node in G.nodes:
            assert H.nodes[node] == G.nodes[node]


def read_with_networkx(path):
    """networkx's own readers, with only the bookkeeping GEXF adds by itself removed."""
    suffix = path.suffix
    if suffix == ".graphml":
        return nx.read_graphml(path, node_type=int)
    if suffix == ".json":
        return nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    G = nx.read_gexf(path, node_type=int)
    for node, data in G.nodes(data=True):
        assert data.pop("label") == str(node)
        data.pop("viz")
    for _, _, data in G.edges(data=True):
        data.pop("id")
    return G


@pytest.mark.parametrize("extension", ["graphml", "gexf", "json"])
def test_exported_graph_loads_back_with_the_same_nodes_edges_and_attributes(tmp_path, extension):
    net = random_net([2, 5, 4, 1], ["hardtanh", "relu", "identity"], seed=4)
    G = adjacency_graph(regions.enumerate_regions(net, regions.box(-1, 1)))
    path = tmp_path / f"g.{extension}"
    write_graph(G, path)
    for H in (read_with_networkx(path), read_graph(path)):
        assert sorted(H.nodes) == sorted(G.nodes)
        assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in G.edges}
        for node in G.nodes:
            assert H.nodes[node] == G.nodes[node]
        for u, v in G.edges:
            assert H.edges[u, v] == G.edges[u, v]
        if extension != "gexf":  # GEXF has no graph-level attributes
            assert {k: H.graph[k] for k in G.graph} == G.graph


def test_unknown_graph_extension(tmp_path):
    with pytest.raises(regions.FileFormatError, match="extension"):
        write_graph(nx.Graph(), tmp_path / "g.csv")


def test_pattern_string_of_a_part_that_is_no_whole_layer_is_refused():
    """``part`` is one layer's slice; any other (a max layer's states with the ReLU
    before them, part of a layer) is a ValueError (a max state read as a 0/1 character
    was a KeyError)."""
    net = max_net([(np.eye(3), np.zeros(3)), (np.eye(3), np.zeros(3)), ([[1.0]], [0.0])],
                  ["relu", "max", "identity"], {1: [[0, 1, 2]]})
    pattern = np.array([1, 0, 1, 2], np.int8)
    assert [pattern_string(net, pattern, s) for s in net.pattern_slices()[:2]] == ["101", "2,"]
    for part in (slice(2, 4), slice(0, 2), slice(0, 4)):
        with pytest.raises(ValueError, match="not one layer"):
            pattern_string(net, pattern, part)

"""The region adjacency graph.

Independent sources: for one layer of lines in general position, the number
of edges is the number of pieces the lines cut each other into (computed here
from pairwise line intersections); on the whole plane it is N^2 for N lines.
Patterns across an edge come from the independent forward pass
``oracles.true_patterns``. Degenerate networks are worked by hand. Max layers (max
pooling, maxout): the exact brute force of ``rational_oracle.brute_force_adjacency`` (two
regions are adjacent when their closures meet in dimension ``n - 1``) and fans and
envelopes worked by hand.
"""


import networkx as nx
import numpy as np
import pytest

import regions
from regions.analysis.crossings import partition_facets
from regions.cli import build_parser
from regions.analysis.graph import adjacency_graph
from regions.io.partitions import parse_pattern

import oracles
import rational_oracle as ro
from max_networks import convex_fan, exact_fan, max_net, pooled, random_maxout
from nets import one_layer
from oracles import random_net

ACTIVATIONS = ["relu", "leaky_relu", "hardtanh"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_graph_is_connected_and_counts_half_the_interior_facets(activation, dim, seed):
    net = random_net([dim, 5, 4, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    facets = partition_facets(part)
    G = adjacency_graph(part, facets)
    assert G.number_of_nodes() == len(part)
    assert nx.is_connected(G)
    interior = sum(1 for fs in facets for f in fs if not f.boundary)
    assert 2 * G.number_of_edges() == interior
    assert G.graph["unmatched_facets"] == 0
    for i, j, data in G.edges(data=True):
        # The edge's facet witness is on both regions' boundaries; just off it on either
        # side the independent forward pass gives the two patterns.
        point = np.array([data[f"facet_{k}"] for k in range(dim)])
        normal = part[i].A[part[i].labels == data["hyperplane"]][0]
        inside, beyond = oracles.true_patterns(net, np.array([point - 1e-7 * normal,
                                                              point + 1e-7 * normal]))
        assert np.array_equal(inside, part.patterns[i])
        assert np.array_equal(beyond, part.patterns[j])
        flipped = np.flatnonzero(part.patterns[i] != part.patterns[j])
        assert data["flipped"] == ",".join(map(str, flipped))
        assert not data["degenerate"] and flipped.size == 1


def pieces_inside_box(W, b, lo, hi):
    """Edges of a line arrangement inside [lo, hi]^2: each line's pieces, by direct geometry."""
    total = 0
    for k in range(len(W)):
        # Parametrise line k as p + t d and clip t to the box.
        d = np.array([-W[k, 1], W[k, 0]])
        p = -b[k] * W[k] / (W[k] @ W[k])
        t_lo, t_hi = -np.inf, np.inf
        for axis in range(2):
            if d[axis] != 0:
                ends = sorted(((lo - p[axis]) / d[axis], (hi - p[axis]) / d[axis]))
                t_lo, t_hi = max(t_lo, ends[0]), min(t_hi, ends[1])
        if t_lo >= t_hi:
            continue
        cuts = 0
        for j in range(len(W)):
            if j != k and abs(W[j] @ d) > 1e-12:
                t = -(W[j] @ p + b[j]) / (W[j] @ d)
                cuts += t_lo < t < t_hi
        total += 1 + cuts
    return total


@pytest.mark.parametrize("seed", range(6), ids=[f"seed{s}" for s in range(6)])
def test_line_arrangement_edges_match_direct_geometry(seed):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(7, 2)), rng.normal(0, 0.5, size=7)
    part = regions.enumerate_regions(one_layer(W, b), regions.box(-1, 1))
    G = adjacency_graph(part)
    assert G.number_of_edges() == pieces_inside_box(W, b, -1.0, 1.0)
    assert nx.is_connected(G)


def test_whole_plane_arrangement_has_n_squared_edges():
    for n in (3, 5, 6):
        rng = np.random.default_rng(n)
        part = regions.enumerate_regions(one_layer(rng.normal(size=(n, 2)), rng.normal(size=n)))
        G = adjacency_graph(part)
        assert G.number_of_nodes() == 1 + n + n * (n - 1) // 2
        assert G.number_of_edges() == n * n


def test_node_attributes_hold_pattern_witness_margin_and_layer_states():
    net = random_net([2, 4, 3, 1], ["hardtanh", "relu", "identity"], seed=2)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    G = adjacency_graph(part)
    for i, data in G.nodes(data=True):
        assert np.array_equal(parse_pattern(data["pattern"]), part.patterns[i])
        assert data["pattern"] == data["states_0"] + "|" + data["states_1"]
        assert len(data["states_0"]) == 4 and len(data["states_1"]) == 3
        assert [data["witness_0"], data["witness_1"]] == part.witnesses[i].tolist()
        assert data["margin"] == part.margins[i]
    chars = {c for _, data in G.nodes(data=True) for c in data["states_0"]}
    assert chars <= {"-", "0", "1"} and "-" in chars or "1" in chars


# --------------------------------------------------------------------------- degenerate cases


def flips_of(G):
    return sorted({(data["flipped"], data["degenerate"]) for _, _, data in G.edges(data=True)})


def test_duplicate_and_negated_neurons_flip_together():
    # Neuron 2 is neuron 0 scaled by 4 (exactly: a power of two), neuron 3 is neuron 1
    # negated: each facet on those two lines flips two neurons at once (relu(-h) turns on as
    # relu(h) turns off). A scale of 3 would round neuron 2 onto a different, nearby line.
    W = np.array([[1.0, 0.3], [-0.4, 1.0], [4.0, 1.2], [0.4, -1.0]])
    b = np.array([0.1, -0.2, 0.4, 0.2])
    W[2], b[2] = 4.0 * W[0], 4.0 * b[0]
    part = regions.enumerate_regions(one_layer(W, b), regions.box(-1, 1))
    G = adjacency_graph(part)
    assert len(part) == 4 and G.number_of_edges() == 4
    assert flips_of(G) == [("0,2", True), ("1,3", True)]


def test_a_neuron_that_passes_another_through_flips_with_it():
    # Layer 1 neuron 0 is relu(x); layer 2 neuron 0 is relu(relu(x)): zero (constant) for
    # x < 0, positive for x > 0. Crossing x = 0 flips both; crossing y = 0.2 flips one.
    W1, b1 = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.0, -0.2])
    W2, b2 = np.array([[1.0, 0.0]]), np.array([0.0])
    net = regions.Network.from_layers([(W1, b1), (W2, b2), (np.ones((1, 1)), np.zeros(1))])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    G = adjacency_graph(part)
    assert len(part) == 4
    assert flips_of(G) == [("0,2", True), ("1", False)]


def test_a_neuron_vanishing_on_a_facet_without_flipping_is_not_listed():
    # Layer 2 computes relu(x) + relu(-x) = |x|: zero on the line x = 0 but positive on both
    # sides, so across x = 0 the two layer-1 neurons flip and the layer-2 neuron does not.
    W1, b1 = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.zeros(2)
    W2, b2 = np.array([[1.0, 1.0]]), np.array([0.0])
    net = regions.Network.from_layers([(W1, b1), (W2, b2), (np.ones((1, 1)), np.zeros(1))])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    G = adjacency_graph(part)
    assert len(part) == 2
    assert flips_of(G) == [("0,1", True)]
    assert np.all(part.patterns[:, 2] == 1)


def test_hardtanh_facets_name_their_breakpoint():
    # One hard-tanh neuron 2x - 0.5: breakpoints at x = -0.25 and x = 0.75.
    net = one_layer([[2.0, 0.0]], [-0.5], activation="hardtanh")
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    G = adjacency_graph(part)
    found = {}
    for i, j, data in G.edges(data=True):
        x = data["facet_0"]
        found[round(x, 9)] = (data["breakpoint"], sorted(parse_pattern(G.nodes[k]["pattern"])[0]
                                                          for k in (i, j)))
    assert found == {-0.25: (-1.0, [-1, 0]), 0.75: (1.0, [0, 1])}


# --------------------------------------------------------------------------- max layers


def pattern_pairs(part, G) -> set:
    patterns = [tuple(int(v) for v in p) for p in part.patterns]
    return {frozenset((patterns[i], patterns[j])) for i, j in G.edges}


def pair_edges(part, G) -> set:
    """``(state, state, "p,q")`` of every edge of a network of one max unit."""
    return {(*sorted((int(part.patterns[i][0]), int(part.patterns[j][0]))), data["pair"])
            for i, j, data in G.edges(data=True)}


def max_of_max_in_3d():
    """Rank-3 maxout on R^3, then a max of two pairs of its units."""
    rng = np.random.default_rng(10)
    return max_net([(rng.normal(size=(6, 3)), rng.normal(size=6)),
                    (rng.normal(size=(4, 2)), rng.normal(size=4)),
                    (rng.normal(size=(1, 2)), np.zeros(1))],
                   ["max", "max", "identity"], {0: [[0, 1, 2], [3, 4, 5]], 1: [[0, 1], [2, 3]]})


@pytest.mark.parametrize("net, domain", [
    (random_maxout(0), regions.box(-2, 2)),
    (random_maxout(1), None),
    (random_maxout(2, widths=(2, 3, 3), rank=3, tail="max"), regions.box(-2, 2)),
    (pooled(0), regions.box(-1.5, 1.5)),
    (pooled(1), regions.box(-1.5, 1.5)),
    (convex_fan(4), regions.box(-1, 1)),
    pytest.param(random_maxout(5, widths=(3, 3, 2)), regions.box(-1, 1),
                 marks=pytest.mark.slow),
    (random_maxout(6, widths=(1, 3, 2), rank=3), regions.box(-3, 3)),
    (max_of_max_in_3d(), regions.plane([0.5, -1, 0], [1, 1, 0.5], [-1, 0.5, 1], lo=-2, hi=2)),
], ids=["maxout-box", "maxout-whole", "max-of-max", "pool0", "pool1", "rounded-fan", "3d",
        "1d", "plane"])
def test_max_layer_edges_match_the_brute_force_definition(net, domain):
    """Every edge joins regions whose closures meet in a segment, and every such pair is an
    edge (exact LPs)."""
    part = regions.enumerate_regions(net, domain)
    G = adjacency_graph(part)
    assert G.graph["unmatched_facets"] == 0 and nx.is_connected(G)
    assert pattern_pairs(part, G) == ro.brute_force_adjacency(net, part.domain)
    offsets = net.label_offsets()
    for i, j, data in G.edges(data=True):
        where = net.describe_label(data["hyperplane"])
        assert data["layer"] == where["layer"]
        if "unit" in where:
            assert (data["unit"], data["pair"]) == (where["unit"], "%d,%d" % where["pair"])
            assert "neuron" not in data
        # just off the facet on either side the float forward pass gives the two patterns
        point = np.array([data[f"facet_{k}"] for k in range(part.domain.dim)])
        normal = part[i].A[part[i].labels == data["hyperplane"]][0]
        inside, beyond = net.activation_pattern(part.domain.to_input(
            np.array([point - 1e-7 * normal, point + 1e-7 * normal])))
        assert np.array_equal(inside, part.patterns[i])
        assert np.array_equal(beyond, part.patterns[j])
        assert 0 <= data["hyperplane"] < offsets[-1]


@pytest.mark.parametrize("gradients, point, edges", [
    # k lines through one point, gradients the vertices of a convex polygon: k cones in
    # the gradients' cyclic order, each adjacent to the next (a triangle for k = 3)
    ([(1, 0), (0, 1), (-1, -1)], (0, 0), {(0, 1, "0,1"), (0, 2, "0,2"), (1, 2, "1,2")}),
    ([(1, 0), (0, 1), (-1, 0), (0, -1)], (0, 0),
     {(0, 1, "0,1"), (1, 2, "1,2"), (2, 3, "2,3"), (0, 3, "0,3")}),
    ([(2, 0), (1, 2), (-1, 2), (-2, 0), (-1, -2), (1, -2)], (1, -1),
     {(0, 1, "0,1"), (1, 2, "1,2"), (2, 3, "2,3"), (3, 4, "3,4"), (4, 5, "4,5"),
      (0, 5, "0,5")}),
])
@pytest.mark.parametrize("domain", [None, regions.box(-3, 3)], ids=["whole", "box"])
def test_a_fan_of_lines_through_a_point_is_a_cycle(gradients, point, edges, domain):
    """Opposite cones of the square fan meet at the point only: no edge."""
    part = regions.enumerate_regions(exact_fan(gradients, point), domain)
    G = adjacency_graph(part)
    assert len(part) == len(gradients) and nx.is_isomorphic(G, nx.cycle_graph(len(gradients)))
    assert pair_edges(part, G) == edges
    assert {data["flipped"] for _, _, data in G.edges(data=True)} == {"0"}


def test_a_rounded_fan_misses_its_point_and_opposite_cones_meet():
    """The fan of 4 unit gradients at angles 0.1 + k pi / 2 with offsets rounded to float64:
    the 4 lines miss one common point by a rounding, so cones 0 and 2 share a tiny edge
    (found by the exact path: radius 0), which the exact brute force confirms."""
    net = convex_fan(4)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    G = adjacency_graph(part)
    assert pair_edges(part, G) == {(0, 1, "0,1"), (1, 2, "1,2"), (2, 3, "2,3"), (0, 3, "0,3"),
                                   (0, 2, "0,2")}
    assert G.edges[0, 2]["facet_radius"] == 0.0
    assert pattern_pairs(part, G) == ro.brute_force_adjacency(net, part.domain)


def test_max_of_absolute_values_and_zero_is_a_four_cycle():
    """max(x, -x, y, -y, 0) = max(|x|, |y|): the constant wins at the origin only, and the
    cones of x and -x (of y and -y) meet there only."""
    net = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1], [0, 0]]), np.zeros(5)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3, 4]]})
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert pair_edges(part, adjacency_graph(part)) == {(0, 2, "0,2"), (0, 3, "0,3"),
                                                       (1, 2, "1,2"), (1, 3, "1,3")}


def test_a_maxout_envelope_on_a_line_is_a_path():
    """max(x, -x, 1/2, 2x - 3, -3x - 5, -1) on R (worked in tests/test_max_units.py): the
    winners from left to right are positions 4, 1, 2, 0, 3, each meeting the next."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    net = max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                  {0: [list(range(6))]})
    part = regions.enumerate_regions(net)
    G = adjacency_graph(part)
    assert nx.is_isomorphic(G, nx.path_graph(5))
    assert pair_edges(part, G) == {(1, 4, "1,4"), (1, 2, "1,2"), (0, 2, "0,2"), (0, 3, "0,3")}
    crossing = {data["pair"]: data["facet_0"] for _, _, data in G.edges(data=True)}
    assert crossing == {"1,4": -2.5, "1,2": -0.5, "0,2": 0.5, "0,3": 3.0}


def test_tied_inputs_share_one_facet_and_windows_of_one_have_none():
    """Window [b, a, a]: the pairs (0, 1) and (0, 2) are one line, the edge names the first
    pair; a window of one input (unit 1 of the second net) has no pair and never flips."""
    a, b = [1.0, 2.0], [-1.0, 0.5]
    three = max_net([(np.array([b, a, a]), np.array([0.0, 0.25, 0.25])),
                     (np.ones((1, 1)), [0.0])], ["max", "identity"], {0: [[0, 1, 2]]})
    part = regions.enumerate_regions(three)
    G = adjacency_graph(part)
    assert pair_edges(part, G) == {(0, 1, "0,1")}
    single = max_net([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.zeros(3)),
                      (np.ones((1, 2)), [0.0])], ["max", "identity"], {0: [[0, 1], [2, -1]]})
    part = regions.enumerate_regions(single, regions.box(-1, 1))
    G = adjacency_graph(part)
    assert len(part) == 2 and pattern_pairs(part, G) == {frozenset({(0, 0), (1, 0)})}
    assert pattern_pairs(part, G) == ro.brute_force_adjacency(single, part.domain)


def test_a_pool_over_dead_relus_cuts_nothing():
    """Both pools read ReLUs that are off on the whole box (exact zeros, the first position
    wins) or constants: one region, no edge. A pool over a dead ReLU (position 0) and a
    live one (position 1): the live ReLU's breakpoint x = 0 is also the pool's pair there,
    so the one edge, named by the ReLU, flips both (a degenerate facet)."""
    dead = max_net([(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]),
                     np.array([-5.0, -5.0, 0.5, 2.0])),
                    (np.eye(4), np.zeros(4)), (np.ones((1, 2)), np.zeros(1))],
                   ["relu", "max", "identity"], {1: [[0, 1], [2, 3]]})
    part = regions.enumerate_regions(dead, regions.box(-1, 1))
    assert len(part) == 1 and adjacency_graph(part).number_of_edges() == 0
    assert regions.certify(part).ok
    live = max_net([(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.0, -5.0])),
                    (np.eye(2), np.zeros(2)), (np.ones((1, 1)), np.zeros(1))],
                   ["relu", "max", "identity"], {1: [[1, 0]]})
    part = regions.enumerate_regions(live, regions.box(-1, 1))
    G = adjacency_graph(part)
    assert sorted(map(tuple, part.patterns.tolist())) == [(0, 0, 0), (1, 0, 1)]
    assert [(d["layer"], d["neuron"], d["flipped"], d["degenerate"])
            for _, _, d in G.edges(data=True)] == [(0, 0, "0,2", True)]
    assert pattern_pairs(part, G) == ro.brute_force_adjacency(live, part.domain)


# --------------------------------------------------------------------------- command line


def run_cli(argv):
    args = build_parser().parse_args(argv)
    return args.func(args)


@pytest.mark.parametrize("extension", ["graphml", "gexf", "json"])
def test_graph_command_writes_a_loadable_file(tmp_path, extension, capsys):
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    regions.write_network(net, tmp_path / "net.npz")
    out = tmp_path / f"g.{extension}"
    assert run_cli(["graph", str(tmp_path / "net.npz"), "-o", str(out), "--box", "-1", "1",
                    "--quiet"]) == 0
    expected = len(regions.enumerate_regions(net, regions.box(-1, 1)))
    if extension == "graphml":
        G = nx.read_graphml(out, node_type=int)
    elif extension == "gexf":
        G = nx.read_gexf(out, node_type=int)
    else:
        import json
        G = nx.node_link_graph(json.loads(out.read_text()), edges="edges")
    assert G.number_of_nodes() == expected
    assert nx.is_connected(G)
    assert f"{expected} regions" in capsys.readouterr().out


def test_graph_command_rejects_an_unknown_extension(tmp_path):
    net = random_net([2, 3, 1], ["relu", "identity"], seed=0)
    regions.write_network(net, tmp_path / "net.npz")
    with pytest.raises(regions.FileFormatError, match="extension"):
        run_cli(["graph", str(tmp_path / "net.npz"), "-o", str(tmp_path / "g.txt")])

"""Linear pieces (``regions.linear_pieces``): hand-built networks whose pieces are worked out
by hand, and 1-D networks whose pieces are the runs of equal exact slope along the
breakpoint sweep of ``oracles.line_partition``; with max layers, the pieces of the exact
brute force (``rational_oracle.brute_force_pieces``) and hand-worked cases."""

import numpy as np
import pytest

import regions

import oracles
import rational_oracle as ro
from max_networks import max_net, pooled, random_maxout


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


# --------------------------------------------------------------------------- max layers


@pytest.mark.parametrize("net, domain", [
    (random_maxout(0), regions.box(-2, 2)),
    (random_maxout(3, widths=(2, 3, 3), rank=3, tail="max"), None),
    (pooled(0), regions.box(-1.5, 1.5)),
    (pooled(2), regions.box(-1.5, 1.5)),
], ids=["maxout", "max-of-max", "pool0", "pool2"])
def test_max_layer_pieces_match_the_brute_force(net, domain):
    """Pieces: components of the brute-force adjacency joined where the exact maps agree."""
    part = regions.enumerate_regions(net, domain)
    assert regions.linear_pieces(part).count == ro.brute_force_pieces(net, part.domain)


def test_max_layer_pieces_worked_by_hand():
    """max(x, -x) + 0 * max(y, -y) = |x|: 4 regions, 2 pieces (the sign of x). A pool over
    relu(x) twice (the same neuron in two rows) ties everywhere: the pool's state stays 0
    while the relus turn on together: 2 regions, 2 pieces (0 and x)."""
    absolute = max_net([(np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]),
                         np.zeros(4)), (np.array([[1.0, 0.0]]), np.zeros(1))],
                       ["max", "identity"], {0: [[0, 1], [2, 3]]})
    part = regions.enumerate_regions(absolute, regions.box(-1, 1))
    pieces = regions.linear_pieces(part)
    assert (len(part), pieces.count) == (4, 2)
    for i in range(4):
        for j in range(4):
            same_sign = part.patterns[i][0] == part.patterns[j][0]
            assert (pieces.labels[i] == pieces.labels[j]) == same_sign
    pool = max_net([(np.array([[1.0, 0.0], [1.0, 0.0]]), np.zeros(2)), (np.eye(2), np.zeros(2)),
                    (np.ones((1, 1)), np.zeros(1))], ["relu", "max", "identity"],
                   {1: [[0, 1]]})
    part = regions.enumerate_regions(pool, regions.box(-1, 1))
    assert (len(part), regions.linear_pieces(part).count) == (2, 2)
    assert {tuple(p) for p in part.patterns.tolist()} == {(0, 0, 0), (1, 1, 0)}

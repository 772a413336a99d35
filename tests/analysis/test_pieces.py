"""Linear pieces (``regions.linear_pieces``): hand-built networks whose pieces are worked out
by hand, and 1-D networks whose pieces are the runs of equal exact slope along the
breakpoint sweep of ``oracles.line_partition``."""

import numpy as np
import pytest

import regions

import oracles


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

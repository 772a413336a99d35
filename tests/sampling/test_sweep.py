"""The certified float sweep along a line (``regions.sampling``, sweep) equals the rational
sweep, breakpoint for breakpoint, on bounded and unbounded lines and every activation
(max units too: maxout, a max of maxes, overlapping pools)."""

import numpy as np
import pytest

import regions
from regions import sampling as S
from regions.random_networks import random_network

import oracles
from max_networks import max_net, random_maxout


def overlapping_pool():
    """Max pooling over affine inputs with overlapping and ragged windows, then a ReLU
    layer. (A pool over ReLUs ties two dead inputs with a live one where it turns on, at a
    piece's end: the float sweep leaves almost every such line to the rational one.)"""
    rng = np.random.default_rng(4)
    return max_net([(rng.normal(size=(5, 3)), rng.normal(size=5)),
                    (rng.normal(size=(3, 4)), rng.normal(size=3)),
                    (rng.normal(size=(1, 3)), np.zeros(1))], ["max", "relu", "identity"],
                   {0: [[0, 1, -1], [1, 2, 3], [3, -1, -1], [4, 0, 2]]})


MAX_NETWORKS = {"maxout": lambda: random_maxout(3, widths=(3, 4, 3), rank=3),
                "max-of-max": lambda: random_maxout(2, widths=(2, 3, 3), rank=3, tail="max"),
                "pool": overlapping_pool}


@pytest.mark.parametrize("activation", ["relu", "hardtanh", "leaky_relu", *MAX_NETWORKS])
@pytest.mark.parametrize("bounded", [True, False])
def test_certified_float_sweep_is_the_rational_sweep(activation, bounded):
    # The float64 sweep with error bounds, against the same sweep in rational arithmetic.
    from regions.rational import matrix
    from regions.sampling.lines import exact_chords, to_input

    net = (MAX_NETWORKS[activation]() if activation in MAX_NETWORKS else
           random_network([3, 8, 8, 1], seed=3, activation=activation))
    domain = regions.domain.resolve(regions.box(-1, 1) if bounded else None, net)
    p, u, _, _ = S.random_lines(domain, 60, np.random.default_rng(1))
    lo, hi = exact_chords(domain, matrix(p.T), matrix(u.T))
    origins, directions = to_input(domain, matrix(p.T), matrix(u.T))
    line, start, stop, patterns = S.rational_line_intervals(net, origins, directions, lo, hi)
    f_line, f_start, f_stop, f_patterns, undecided = S.certified_line_intervals(
        net, origins, directions, lo, hi)
    decided = ~np.isin(line, undecided)
    assert undecided.size < 60
    assert np.array_equal(f_line, line[decided]) and np.array_equal(f_patterns, patterns[decided])
    ends = np.array([float(t) if t is not None else np.nan for t in start])[decided]
    assert np.allclose(f_start[np.isfinite(f_start)], ends[np.isfinite(f_start)], rtol=1e-9)


def test_max_layer_with_no_piece_to_cut():
    """A max layer no piece reaches (every line left to the rational sweep, or an empty
    range) is no IndexError. Hand-worked: max(relu x, relu -x, relu y) has 2 regions on
    y = 0, -1 < x < 1 (where relu y is exactly 0 along the line), and 4 on the segment
    (-1, 0.5) -> (1, 0.7): the argmax changes where -x = y, x = 0 and x = y."""
    net = max_net([(np.array([[1.0, 0], [-1.0, 0], [0, 1.0]]), np.zeros(3)),
                   (np.eye(3), np.zeros(3)), (np.ones((1, 1)), np.zeros(1))],
                  ["relu", "max", "identity"], {1: [[0, 1, 2]]})
    starts, stops = [[-1.0, 0.0], [-1.0, 0.5]], [[1.0, 0.0], [1.0, 0.7]]
    assert S.regions_on_segments(net, starts[:1], stops[:1]).counts.tolist() == [2]
    assert S.regions_on_segments(net, starts, stops).counts.tolist() == [2, 4]
    for p, q, count in zip(starts, stops, [2, 4]):
        assert len(regions.enumerate_regions(net, regions.segment(p, q))) == count
    pooled = max_net([(np.eye(2), np.zeros(2)), (np.ones((1, 1)), np.zeros(1))],
                     ["max", "identity"], {0: [[0, 1]]})
    empty = S.line_intervals(pooled, [[0.0, 0.0]], [[1.0, 1.0]], [1.0], [1.0])
    assert [len(x) for x in empty] == [0, 0, 0, 0]


def test_leaky_outputs_that_underflow_are_not_certified_wrong():
    """Four leaky neurons (slope 1/2) ``2^-1000 x + b_i``, ``b_i`` 3, 7, 11 and 15 subnormal
    spacings, into a ReLU ``M sum h_i + c`` with ``M`` the largest float64. Left of every
    breakpoint the neurons' outputs at ``t = 0`` are ``b_i / 2``: 1.5 to 7.5 spacings, each
    rounded up by half a spacing, 2 spacings in all, which ``M`` makes 2^-49, more than the
    sweep's own margin. The float sweep once certified the ReLU on there (pattern 00001,
    of no region); it must find the rational sweep's pieces or leave the line to it."""
    from regions.rational import matrix

    tiny = 2.0 ** -1074
    net = regions.Network.from_layers(
        [([[2.0 ** -1000]] * 4, [3 * tiny, 7 * tiny, 11 * tiny, 15 * tiny]),
         ([[np.finfo(float).max] * 4], [12 * 2.0 ** -50 - 2.0 ** -51]), ([[1.0]], [0.0])],
        ["leaky_relu", "relu", "identity"], slope=0.5)
    truth = oracles.exact_patterns(net, oracles.whole_slice(1))
    assert len(truth) == 6 and (0, 0, 0, 0, 1) not in truth
    C, A = matrix(np.zeros((1, 1))), matrix(np.ones((1, 1)))
    _, _, _, patterns = S.rational_line_intervals(net, C, A, [None], [None])
    assert oracles.row_set(patterns) == truth and len(patterns) == 6
    _, _, _, f_patterns, undecided = S.certified_line_intervals(net, C, A, [None], [None])
    assert undecided.tolist() == [0] or np.array_equal(f_patterns, patterns)
    counts = S.regions_on_lines(net, [[0.0]], [[1.0]])
    assert counts.counts.tolist() == [6] and oracles.row_set(counts.patterns) == truth

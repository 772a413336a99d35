"""Regions along lines and segments (``regions.sampling``, lines): exact on lines, never
above the exact count, right in expectation.

Expected values never come from ``regions`` itself: region counts and patterns along lines
from the 1-D breakpoint sweep of ``tests/oracles.py`` (and, for a tiny network,
breakpoints worked out by hand); the patterns of a domain from the oracles' brute force
(scipy LPs); the expected number of breakpoints of one layer with Gaussian biases in
closed form, compared within five standard errors. Max layers: the exact brute force of
``rational_oracle`` on each segment, and envelopes, ties and cones worked by hand.
"""

import math

import numpy as np
import pytest
from scipy.stats import norm

import regions
from regions import sampling as S
from regions.errors import DomainError
from regions.random_networks import random_network

import oracles
import rational_oracle as ro
from max_networks import max_net, pooled, random_maxout
from oracles import unambiguous


# --------------------------------------------------------------------------- exact line counts

def hand_net():
    """2 inputs; h1 = relu(x), h2 = relu(x - 1); then g = relu(h1 - h2 - 0.5); y ignored.

    Along x: h1 breaks at 0, h2 at 1; g's input is -0.5 for x < 0, x - 0.5 on [0, 1]
    and 0.5 for x > 1, so g breaks once, at x = 0.5. Patterns (h1 h2 | g):
    x < 0: 00|0, 0 < x < 0.5: 10|0, 0.5 < x < 1: 10|1, x > 1: 11|1.
    """
    return regions.Network.from_layers(
        [(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([0.0, -1.0])),
         (np.array([[1.0, -1.0]]), np.array([-0.5])),
         (np.ones((1, 1)), np.zeros(1))])


HAND_PATTERNS = {(0, 0, 0), (1, 0, 0), (1, 0, 1), (1, 1, 1)}


def test_degenerate_lines_are_swept_exactly():
    # Lines x = 0, 2x = 0 (a duplicate), y = 0, x + y = 0 concurrent at the origin, and
    # x = 1e-12 beside them. Along the diagonal: x < 0, 0 < x < 1e-12, x > 1e-12 (the
    # three others cross at the origin too): 3 pieces. Along y = 0 (on a breakpoint the
    # whole way): the same 3. Along x = 5e-13 (between x = 0 and x = 1e-12): y = -5e-13
    # and y = 0 are crossed: 3. Each line has one piece of length at most 1e-12 (thin).
    W = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    b = np.array([0.0, 0.0, 0.0, 0.0, -1e-12])
    net = regions.Network.from_layers([(W, b), (np.ones((1, 5)), np.zeros(1))])
    counted = S.regions_on_segments(net, [[-1.0, -1.0], [-1.0, 0.0], [5e-13, -1.0]],
                                    [[1.0, 1.0], [1.0, 0.0], [5e-13, 1.0]])
    assert counted.counts.tolist() == [3, 3, 3]
    assert counted.exact_lines >= 2 and counted.thin == 3
    for p0, p1, expected in [([-1.0, -1.0], [1.0, 1.0], 3), ([5e-13, -1.0], [5e-13, 1.0], 3)]:
        assert len(regions.enumerate_regions(net, regions.segment(p0, p1))) == expected


@pytest.mark.parametrize("p0, p1, expected", [
    ((-1.0, 0.0), (2.0, 0.0), 4),        # crosses 0, 0.5, 1
    ((-1.0, 7.0), (2.0, -3.0), 4),       # y does not matter
    ((0.2, 0.0), (0.7, 0.0), 2),         # crosses 0.5 only
    ((0.6, 0.0), (0.9, 5.0), 1),         # inside 0.5 < x < 1
    ((1.5, -1.0), (-0.5, 1.0), 4),       # backwards
    ((0.25, -1.0), (0.25, 1.0), 1),      # along a region (x fixed)
])
def test_hand_worked_segments(p0, p1, expected):
    counted = S.regions_on_segments(hand_net(), np.array(p0), np.array(p1))
    assert counted.counts.tolist() == [expected]
    assert oracles.row_set(counted.patterns) <= HAND_PATTERNS


def test_hand_worked_lines_and_transitions():
    net = hand_net()
    whole = S.regions_on_lines(net, np.array([0.3, 2.0]), np.array([1.0, 1.0]))
    assert whole.counts.tolist() == [4] and oracles.row_set(whole.patterns) == HAND_PATTERNS
    parallel = S.regions_on_lines(net, np.array([0.3, 2.0]), np.array([0.0, 1.0]))
    assert parallel.counts.tolist() == [1] and oracles.row_set(parallel.patterns) == {(1, 0, 0)}
    # Polyline (-1, 0) -> (2, 0) -> (2, 3): transitions at arc lengths 1, 1.5, 2; none on
    # the vertical leg (x = 2 throughout).
    path = S.trajectory_transitions(net, np.array([[-1.0, 0.0], [2.0, 0.0], [2.0, 3.0]]))
    assert path.transitions == 3
    assert np.allclose(path.positions, [1.0, 1.5, 2.0], atol=1e-9)
    assert path.length == pytest.approx(6.0)
    # Closing it adds the leg (2, 3) -> (-1, 0), which crosses x = 1, 0.5, 0 again.
    closed = S.trajectory_transitions(net, np.array([[-1.0, 0.0], [2.0, 0.0], [2.0, 3.0]]),
                                      closed=True)
    assert closed.transitions == 6
    diagonal = 3.0 * math.sqrt(2.0)
    assert np.allclose(closed.positions[3:], 6.0 + diagonal * np.array([1.0, 1.5, 2.0]) / 3.0)


SEGMENT_CASES = [(activation, seed) for activation in ("relu", "leaky_relu", "hardtanh")
                 for seed in range(10)]


@pytest.mark.parametrize("activation, seed", SEGMENT_CASES,
                         ids=[f"{a}-seed{s}" for a, s in SEGMENT_CASES])
def test_segments_match_the_sweep(activation, seed):
    rng = np.random.default_rng([1, seed])
    widths = [int(rng.integers(1, 4))] + [int(w) for w in rng.integers(2, 7, size=3)] + [1]
    net = random_network(widths, seed=seed, activation=activation)
    p0, p1 = rng.normal(scale=2.0, size=(2, widths[0]))
    counted = S.regions_on_segments(net, p0, p1)
    assert counted.counts[0] == oracles.segment_count(net, p0, p1)


@pytest.mark.parametrize("seed", range(12))
def test_whole_lines_match_the_sweep(seed):
    rng = np.random.default_rng([2, seed])
    activation = ["relu", "leaky_relu", "hardtanh"][seed % 3]
    net = random_network([3, 5, 4, 3, 1], seed=seed, activation=activation)
    p0, u = rng.normal(size=3), rng.normal(size=3)
    u /= np.linalg.norm(u)
    intervals = unambiguous(oracles.line_partition, net, p0, u)
    counted = S.regions_on_lines(net, p0, 3.0 * u)
    assert counted.counts[0] == len(intervals)
    assert oracles.row_set(counted.patterns) == {iv.pattern for iv in intervals}


def test_many_segments_at_once_equal_one_by_one():
    net = random_network([2, 8, 8, 8, 1], seed=4)
    rng = np.random.default_rng(4)
    starts, ends = rng.uniform(-1, 1, size=(2, 25, 2))
    together = S.regions_on_segments(net, starts, ends).counts
    assert together.tolist() == [oracles.segment_count(net, s, e) for s, e in zip(starts, ends)]


@pytest.mark.parametrize("seed, activation", list(enumerate(["relu", "hardtanh", "leaky_relu"] * 2)))
def test_line_counts_below_line_bound(seed, activation):
    net = random_network([2, 6, 6, 1], seed=seed, activation=activation)
    counts = S.regions_along_lines(net, regions.box(-2, 2), 300, seed=seed)
    # A line meets at most prod_l (h_l + 1) regions, h_l = 6 breakpoints per layer
    # (12 for hard-tanh): 7^2 = 49, or 13^2 = 169.
    assert counts.counts.max() <= (169 if activation == "hardtanh" else 49)
    assert np.all(counts.counts >= 1)


# --------------------------------------------------------------------------- lower bounds

LOWER_BOUND_CASES = [([2, 6, 6, 1], "relu"), ([2, 5, 5, 5, 1], "relu"), ([3, 6, 5, 1], "relu"),
                     ([2, 4, 4, 1], "hardtanh"), ([3, 4, 4, 1], "leaky_relu"),
                     ([1, 6, 6, 6, 1], "relu")]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("widths, activation", LOWER_BOUND_CASES,
                         ids=[f"{w}-{a}" for w, a in LOWER_BOUND_CASES])
def test_sampled_never_exceed_exact(widths, activation, seed):
    net = random_network(widths, seed=seed, activation=activation)
    n = widths[0]
    for domain, piece in ((regions.box(-1, 1), oracles.box_slice([-1] * n, [1] * n)),
                          (None, oracles.whole_slice(n))):
        exact = unambiguous(oracles.brute_force_patterns, net, piece)
        points = S.distinct_patterns(net, domain, 20_000, seed=seed)
        lines = S.regions_along_lines(net, domain, 40, seed=seed)
        for sample in (points, lines):
            assert sample.distinct <= len(exact)
            assert oracles.row_set(sample.patterns) <= exact
        assert lines.counts.max() <= lines.distinct


# --------------------------------------------------------------------------- trajectories

def test_trajectory_transitions_match_the_sweep():
    net = random_network([2, 6, 6, 6, 1], seed=3)
    angles = np.linspace(0.0, 2.0 * np.pi, 48, endpoint=False)
    circle = 0.8 * np.stack([np.cos(angles), np.sin(angles)], axis=1) + [0.1, -0.2]
    closed = S.trajectory_transitions(net, circle, closed=True)
    edges = np.vstack([circle, circle[:1]])
    # Vertices lie inside regions (generic), so a transition is a crossing inside an edge.
    expected = sum(oracles.segment_count(net, p, q) - 1 for p, q in zip(edges[:-1], edges[1:]))
    assert closed.transitions == expected
    assert closed.positions.size == expected
    assert np.all(np.diff(closed.positions) > 0)
    assert 0 < closed.positions[0] and closed.positions[-1] < closed.length
    assert closed.length == pytest.approx(np.linalg.norm(np.diff(edges, axis=0), axis=1).sum())
    opened = S.trajectory_transitions(net, circle)
    last = oracles.segment_count(net, circle[-1], circle[0]) - 1
    assert opened.transitions == expected - last


def test_trajectory_rejects_bad_input():
    net = random_network([2, 3, 1], seed=0)
    with pytest.raises(DomainError):
        S.trajectory_transitions(net, np.zeros((1, 2)))
    with pytest.raises(DomainError):
        S.trajectory_transitions(net, np.zeros((3, 2)))
    with pytest.raises(DomainError):
        S.trajectory_transitions(net, np.zeros((3, 3)))


# --------------------------------------------------------------------------- expectations

def test_expected_breakpoints_one_layer_gaussian_biases():
    # shared/bounds.md: with W fixed and b_i ~ N(0, s^2), the expected number of breakpoints on
    # [x0, x1] is sum_i |Phi(w_i.x1 / s) - Phi(w_i.x0 / s)| (neuron i breaks there iff -b_i lies
    # between w_i.x0 and w_i.x1).
    rng = np.random.default_rng(8)
    width, s, draws = 16, 0.5, 400
    W = rng.normal(size=(width, 2))
    x0, x1 = np.array([-0.7, 0.2]), np.array([0.9, -0.4])
    p = np.abs(norm.cdf(W @ x1 / s) - norm.cdf(W @ x0 / s))
    observed = []
    for _ in range(draws):
        net = regions.Network.from_layers([(W, rng.normal(0.0, s, size=width)),
                                           (np.ones((1, width)), np.zeros(1))])
        observed.append(S.regions_on_segments(net, x0, x1).counts[0] - 1)
    sigma = math.sqrt(np.sum(p * (1 - p)) / draws)
    assert abs(np.mean(observed) - p.sum()) < 5 * sigma


# --------------------------------------------------------------------------- max layers


def envelope():
    """max(x, -x, 1/2, 2x - 3, -3x - 5, -1) on R (tests/test_max_units.py): the winners from
    left to right are positions 4, 1, 2, 0, 3, with breakpoints -5/2, -1/2, 1/2 and 3."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    return max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                   {0: [list(range(6))]})


def test_a_maxout_envelope_along_its_line_by_hand():
    net = envelope()
    line, start, stop, patterns = S.line_intervals(net, [[0.0]], [[1.0]], [-np.inf], [np.inf])
    assert line.tolist() == [0] * 5 and patterns.ravel().tolist() == [4, 1, 2, 0, 3]
    assert start.tolist() == [-np.inf, -2.5, -0.5, 0.5, 3.0]
    assert stop.tolist() == [-2.5, -0.5, 0.5, 3.0, np.inf]
    counts = S.regions_on_segments(net, [[-1.0], [2.0], [0.5]], [[1.0], [4.0], [3.0]])
    assert counts.counts.tolist() == [3, 2, 1]
    assert S.regions_on_lines(net, [[0.0]], [[-2.0]]).counts.tolist() == [5]


@pytest.mark.parametrize("net", [pooled(0), pooled(1), random_maxout(2),
                                 random_maxout(3, widths=(2, 3, 3), rank=3, tail="max")],
                         ids=["pool0", "pool1", "maxout", "max-of-max"])
def test_max_layer_segments_match_the_brute_force(net):
    """Each segment's count and patterns are the exact brute force's on that segment."""
    rng = np.random.default_rng(0)
    ends = rng.uniform(-2, 2, size=(2, 4, 2))
    counts = S.regions_on_segments(net, ends[0], ends[1])
    for k in range(4):
        truth = ro.brute_force_regions(net, regions.segment(ends[0, k], ends[1, k]).resolve(2))
        assert counts.counts[k] == len(truth)
    line, _, _, patterns = S.line_intervals(net, ends[0], ends[1] - ends[0], np.zeros(4),
                                            np.ones(4))
    for k in range(4):
        truth = ro.brute_force_regions(net, regions.segment(ends[0, k], ends[1, k]).resolve(2))
        assert {tuple(p) for p in patterns[line == k].tolist()} == truth


def test_ties_and_crossings_that_change_no_winner_cut_no_piece():
    """Window [b, a, a] (a twice: tied everywhere, the first wins) and a third input below
    both that crosses each: along the line the winner changes once."""
    a, b, c = [1.0, 2.0], [-1.0, 0.5], [0.0, -5.0]
    net = max_net([(np.array([b, a, a, c]), np.array([0.0, 0.25, 0.25, -20.0])),
                   (np.ones((1, 1)), [0.0])], ["max", "identity"], {0: [[0, 1, 2, 3]]})
    line, start, _, patterns = S.line_intervals(net, [[0.0, 0.0]], [[1.0, 0.0]],
                                                [-np.inf], [np.inf])
    assert patterns.ravel().tolist() == [0, 1] and start.tolist() == [-np.inf, -0.125]


def test_trajectory_around_the_cones_of_max_of_absolute_values():
    """max(x, -x, y, -y) changes winner on the two diagonals: a closed polyline around the
    origin crosses each half-diagonal once, 4 transitions, at the hand-worked arc lengths."""
    net = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]]), np.zeros(4)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3]]})
    square = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]])
    found = S.trajectory_transitions(net, square, closed=True)
    side = math.sqrt(8.0)
    assert found.transitions == 4 and found.length == pytest.approx(4 * side)
    assert found.positions == pytest.approx([side / 2, 3 * side / 2, 5 * side / 2,
                                             7 * side / 2])

"""Sampled estimates: never above the exact count, exact on lines, right in expectation.

Expected values never come from ``regions`` itself: region counts and
patterns along lines from the 1-D breakpoint sweep of ``tests/oracles.py``
(and, for a tiny network, breakpoints worked out by hand); the patterns of a
domain from the oracles' brute force (scipy LPs) and polygon clipping, whose
polygons also give the areas; closed-form expectations (the distinct-pattern
curve of strips of known width, one layer with Gaussian biases) and exact
boundary lengths/areas of hyperplanes clipped to a box (Crofton), compared
within five standard errors.
"""

import math

import numpy as np
import pytest
from scipy.spatial import ConvexHull
from scipy.stats import norm

import regions
from regions import sampling as S
from regions.errors import DomainError, RegionsError
from regions.random_networks import random_network

import oracles
from oracles import unambiguous


def rows(patterns):
    return {tuple(int(s) for s in row) for row in patterns}


def sweep_count(net, p0, p1):
    """Regions of ``net`` on the segment ``p0 -> p1``, by the oracle's exact sweep."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(p1 - p0))
    return len(unambiguous(oracles.line_partition, net, p0, (p1 - p0) / length, 0.0, length))


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


@pytest.mark.parametrize("activation", ["relu", "hardtanh", "leaky_relu"])
@pytest.mark.parametrize("bounded", [True, False])
def test_certified_float_sweep_is_the_rational_sweep(activation, bounded):
    # The float64 sweep with error bounds, against the same sweep in rational arithmetic.
    from regions.rational import matrix
    from regions.sampling.lines import exact_chords, to_input

    net = random_network([3, 8, 8, 1], seed=3, activation=activation)
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
    assert rows(counted.patterns) <= HAND_PATTERNS


def test_hand_worked_lines_and_transitions():
    net = hand_net()
    whole = S.regions_on_lines(net, np.array([0.3, 2.0]), np.array([1.0, 1.0]))
    assert whole.counts.tolist() == [4] and rows(whole.patterns) == HAND_PATTERNS
    parallel = S.regions_on_lines(net, np.array([0.3, 2.0]), np.array([0.0, 1.0]))
    assert parallel.counts.tolist() == [1] and rows(parallel.patterns) == {(1, 0, 0)}
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
    assert counted.counts[0] == sweep_count(net, p0, p1)


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
    assert rows(counted.patterns) == {iv.pattern for iv in intervals}


def test_many_segments_at_once_equal_one_by_one():
    net = random_network([2, 8, 8, 8, 1], seed=4)
    rng = np.random.default_rng(4)
    starts, ends = rng.uniform(-1, 1, size=(2, 25, 2))
    together = S.regions_on_segments(net, starts, ends).counts
    assert together.tolist() == [sweep_count(net, s, e) for s, e in zip(starts, ends)]


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
            assert rows(sample.patterns) <= exact
        assert lines.counts.max() <= lines.distinct


@pytest.mark.parametrize("seed", range(3))
def test_distinct_patterns_converge_on_small_2d_networks(seed):
    net = random_network([2, 5, 5, 1], seed=seed)
    patterns, _, polygons = oracles.unit_square_partition(net)
    areas = np.array([ConvexHull(np.asarray(p, float)).volume for p in polygons])
    assert areas.sum() == pytest.approx(4.0)
    samples = 1 << 19
    result = S.distinct_patterns(net, regions.box(-1, 1), samples, seed=seed)
    # A region holding a fraction a of the box is missed with probability (1 - a)^N < e^{-40}
    # once a > 40 / N: all those must be found, and nothing beyond the exact count.
    certain = {tuple(p) for p, a in zip(patterns, areas) if a / 4.0 > 40.0 / samples}
    found = rows(result.patterns)
    assert certain <= found <= set(patterns)
    assert len(certain) <= result.distinct <= len(patterns)
    assert np.all(np.diff(result.curve) >= 0)
    assert result.curve[-1] == result.distinct and result.sizes[-1] == samples
    assert result.curve[0] == 1


def strips():
    """One ReLU layer with breakpoints x = -0.5, 0, 0.5, 0.9: five vertical strips of
    [-1, 1]^2 holding fractions 0.25, 0.25, 0.25, 0.2, 0.05 of the box."""
    cuts = np.array([-0.5, 0.0, 0.5, 0.9])
    W = np.column_stack([np.ones(4), np.zeros(4)])
    return regions.Network.from_layers([(W, -cuts), (np.ones((1, 4)), np.zeros(1))])


def test_distinct_pattern_curve_in_expectation():
    # Uniform points: the expected number of distinct patterns among the first N is
    # sum_r 1 - (1 - p_r)^N over the strips' fractions p_r. Averaged over 300 seeds it must
    # be within five standard errors of that, at every size of the curve.
    p = np.array([0.25, 0.25, 0.25, 0.2, 0.05])
    sizes = [1, 2, 5, 10, 20, 60]
    net = strips()
    curves = np.array([S.distinct_patterns(net, regions.box(-1, 1), 60, seed=s, sizes=sizes).curve
                       for s in range(300)])
    expected = np.array([np.sum(1 - (1 - p) ** n) for n in sizes])
    # Hand values: N = 1: 1; N = 2: 2 - sum p_r^2 = 2 - (3 * 0.0625 + 0.04 + 0.0025) = 1.77.
    assert expected[:2] == pytest.approx([1.0, 1.77])
    mean = curves.mean(axis=0)
    error = curves.std(axis=0, ddof=1) / math.sqrt(len(curves))
    assert np.all(np.abs(mean - expected) <= 5 * error + 1e-12), (mean, expected)
    assert np.all(curves[:, 0] == 1)
    assert np.all(np.diff(curves, axis=1) >= 0)


def test_distinct_pattern_curve_sizes():
    result = S.distinct_patterns(strips(), regions.box(-1, 1), 1000, sizes=[10, 100, 1000])
    assert result.sizes.tolist() == [10, 100, 1000]
    assert result.curve[-1] == result.distinct
    # Strip patterns, left to right: 0000, 1000, 1100, 1110, 1111. The smallest strip holds
    # 5% of the box: 1000 points miss it with probability 0.95^1000 < 1e-22.
    assert rows(result.patterns) == {(0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 0, 0), (1, 1, 1, 0),
                                     (1, 1, 1, 1)}
    assert result.distinct == 5


# --------------------------------------------------------------------------- trajectories

def test_trajectory_transitions_match_the_sweep():
    net = random_network([2, 6, 6, 6, 1], seed=3)
    angles = np.linspace(0.0, 2.0 * np.pi, 48, endpoint=False)
    circle = 0.8 * np.stack([np.cos(angles), np.sin(angles)], axis=1) + [0.1, -0.2]
    closed = S.trajectory_transitions(net, circle, closed=True)
    edges = np.vstack([circle, circle[:1]])
    # Vertices lie inside regions (generic), so a transition is a crossing inside an edge.
    expected = sum(sweep_count(net, p, q) - 1 for p, q in zip(edges[:-1], edges[1:]))
    assert closed.transitions == expected
    assert closed.positions.size == expected
    assert np.all(np.diff(closed.positions) > 0)
    assert 0 < closed.positions[0] and closed.positions[-1] < closed.length
    assert closed.length == pytest.approx(np.linalg.norm(np.diff(edges, axis=0), axis=1).sum())
    opened = S.trajectory_transitions(net, circle)
    last = sweep_count(net, circle[-1], circle[0]) - 1
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


def _clipped_length(w, b, lo=-1.0, hi=1.0):
    """Length of {x in [lo, hi]^2 : w.x + b = 0} (Liang-Barsky clipping)."""
    point = -b * w / (w @ w)
    direction = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    t0, t1 = -np.inf, np.inf
    for axis in range(2):
        if direction[axis] == 0:
            if not lo <= point[axis] <= hi:
                return 0.0
            continue
        a, c = sorted([(lo - point[axis]) / direction[axis], (hi - point[axis]) / direction[axis]])
        t0, t1 = max(t0, a), min(t1, c)
    return max(0.0, t1 - t0)


def _clipped_area(w, b):
    """Area of {x in [-1, 1]^3 : w.x + b = 0}: polygon through its crossings of the cube's edges."""
    corners = np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T.astype(float)
    points = []
    for i in range(8):
        for j in range(8):
            if np.sum(corners[i] != corners[j]) == 1 and i < j:
                fi, fj = corners[i] @ w + b, corners[j] @ w + b
                if fi * fj < 0:
                    points.append(corners[i] + fi / (fi - fj) * (corners[j] - corners[i]))
    if len(points) < 3:
        return 0.0
    points = np.array(points)
    basis = np.linalg.svd(np.atleast_2d(w))[2][1:]        # orthonormal basis of the plane
    return ConvexHull((points - points.mean(axis=0)) @ basis.T).volume


@pytest.mark.parametrize("dim", [2, 3])
def test_crofton_boundary_density(dim):
    # For a one-layer network the boundaries are hyperplanes whose clipped lengths (2-D) or
    # areas (3-D) we compute exactly; isotropic lines must recover them via S = c_n lambda.
    rng = np.random.default_rng(dim)
    width = 6
    W, b = rng.normal(size=(width, dim)), rng.uniform(-0.8, 0.8, size=width)
    net = regions.Network.from_layers([(W, b), (np.ones((1, width)), np.zeros(1))])
    clip = _clipped_length if dim == 2 else _clipped_area
    exact = sum(clip(w, c) for w, c in zip(W, b)) / 2.0 ** dim
    estimate = S.density_estimate(net, regions.box(-1, 1), 20_000, seed=dim)
    factor = estimate.boundary_density / estimate.crossings_per_length
    assert factor == pytest.approx({2: math.pi / 2, 3: 2.0}[dim])
    assert abs(estimate.boundary_density - exact) < 5 * factor * estimate.standard_error
    assert estimate.volume == pytest.approx(2.0 ** dim)


def test_density_estimate_is_exact_in_one_dimension():
    net = random_network([3, 6, 6, 1], seed=5)
    p0, p1 = np.array([-1.0, 0.5, 0.2]), np.array([1.5, -0.3, 0.4])
    segment = regions.segment(p0, p1)
    estimate = S.density_estimate(net, segment, 1)
    assert estimate.expected_regions == pytest.approx(sweep_count(net, p0, p1))
    assert estimate.regions_per_volume == pytest.approx(estimate.crossings_per_length)


def test_density_needs_a_bounded_domain():
    net = random_network([2, 3, 1], seed=0)
    with pytest.raises(DomainError):
        S.density_estimate(net, None)
    with pytest.raises(RegionsError):
        S.distinct_patterns(net, regions.box(-1, 1), 0)
    with pytest.raises(DomainError):
        S.regions_on_segments(net, np.zeros(2), np.zeros(2))


# --------------------------------------------------------------------------- point samplers

def test_sample_points_respect_domains():
    rng = np.random.default_rng(0)
    box = regions.box([-1.0, 0.0], [1.0, 3.0])
    z = S.sample_points(box, 20_000, rng)
    assert box.contains(z).all()
    assert np.allclose(z.mean(axis=0), [0.0, 1.5], atol=0.05)
    triangle = regions.polytope([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [0.0, 0.0, 1.0])
    z = S.sample_points(triangle, 5000, rng)
    assert z.shape == (5000, 2) and triangle.contains(z).all()
    whole = regions.whole_space(3)
    z = S.sample_points(whole, 5000, rng)
    radii = np.linalg.norm(z, axis=1)
    assert radii.min() >= S.UNBOUNDED_RADII[0] * (1 - 1e-12)
    assert radii.max() <= S.UNBOUNDED_RADII[1] * (1 + 1e-12)
    half = regions.polytope([[1.0, 0.0]], [-5.0])
    assert half.contains(S.sample_points(half, 1000, rng)).all()


def test_random_lines_meet_the_domain():
    rng = np.random.default_rng(1)
    domain = regions.box(-1, 1).resolve(3)
    p, u, lo, hi = S.random_lines(domain, 500, rng)
    assert np.allclose(np.linalg.norm(u, axis=1), 1.0)
    assert np.all(hi > lo)
    assert domain.contains(p + ((lo + hi) / 2)[:, None] * u).all()
    # The chords of the float lines computed exactly (what the line counts use).
    from regions.rational import matrix
    from regions.sampling.lines import exact_chords

    exact_lo, exact_hi = exact_chords(domain, matrix(p.T), matrix(u.T))
    assert np.allclose([float(t) for t in exact_lo], lo, rtol=0, atol=1e-12)
    assert np.allclose([float(t) for t in exact_hi], hi, rtol=0, atol=1e-12)

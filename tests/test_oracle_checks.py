"""The oracles checked on their own: against closed formulas, hand-worked examples and each other.

The oracles (tests/oracles.py) share nothing with ``regions``; these tests make
sure they are right where the truth is known without them, and that their
tie rule (``Ambiguous``: a radius between DROP and KEEP) fires exactly where
it should. Nothing here calls ``regions.enumerate_regions``.
"""

from fractions import Fraction

import numpy as np
import pytest

import oracles
from oracles import Ambiguous, hidden, random_net

Q = Fraction


def test_exact_lp_on_hand_examples():
    # The square |x|, |y| <= 1: t = 1 is reached (the cap) at the centre.
    A = [[Q(1), Q(0)], [Q(-1), Q(0)], [Q(0), Q(1)], [Q(0), Q(-1)]]
    t, z = oracles.exact_strict_lp(A, [Q(1)] * 4)
    assert t == 1
    # [0, 1/2] x [0, 1/2] in the form above with t <= 1: max min slack is 1/4 at (1/4, 1/4).
    t, z = oracles.exact_strict_lp(A, [Q(1, 2), Q(0), Q(1, 2), Q(0)])
    assert t == Q(1, 4) and z == [Q(1, 4), Q(1, 4)]
    # x <= 0 and -x <= 0: the line x = 0, no interior: t = 0 exactly.
    t, _ = oracles.exact_strict_lp([[Q(1), Q(0)], [Q(-1), Q(0)]], [Q(0), Q(0)])
    assert t == 0
    # x + y <= 0, -x <= 0, -y <= 0: the single point (0, 0); empty interior, t = 0.
    t, _ = oracles.exact_strict_lp([[Q(1), Q(1)], [Q(-1), Q(0)], [Q(0), Q(-1)]], [Q(0)] * 3)
    assert t == 0
    # x <= -1 and -x <= 0: empty: t < 0 (max min slack is -1/2 at x = -1/2).
    t, _ = oracles.exact_strict_lp([[Q(1)], [Q(-1)]], [Q(-1), Q(0)])
    assert t == Q(-1, 2)


@pytest.mark.parametrize("dim,width", [(1, 4), (2, 5), (3, 4)])
def test_brute_force_on_the_whole_space_is_zaslavsky(dim, width):
    # Gaussian hyperplanes are in general position: sum_{i<=d} C(N, i) regions.
    rng = np.random.default_rng(7 * dim + width)
    net = hidden(rng.normal(size=(width, dim)), rng.normal(size=width))
    assert len(oracles.brute_force_patterns(net, oracles.whole_slice(dim))) == \
        oracles.zaslavsky(width, dim)
    assert len(oracles.exact_patterns(net, oracles.whole_slice(dim))) == \
        oracles.zaslavsky(width, dim)


def test_hardtanh_brute_force_is_parallel_families():
    rng = np.random.default_rng(3)
    net = hidden(rng.normal(size=(4, 2)), rng.normal(0, 0.3, size=4), "hardtanh")
    assert len(oracles.brute_force_patterns(net, oracles.whole_slice(2))) == \
        oracles.parallel_families(4, 2, 2) == 33


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
@pytest.mark.parametrize("acts", [["relu", "relu", "identity"],
                                  ["hardtanh", "leaky_relu", "identity"]],
                         ids=["relu", "hardtanh-leaky"])
def test_the_oracles_agree_with_each_other(acts, seed):
    # Float brute force (Clarabel), exact brute force (rational simplex), float and exact
    # polygon clipping: four computations of one answer, on a square and a triangle.
    net = random_net([2, 4, 3, 1], acts, seed)
    for sl, polygon in [(oracles.box_slice([-1, -1], [1, 1]), oracles.square(-1, 1)),
                        (oracles.polytope_slice([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]],
                                                [1.0, 1.0, 1.0]),
                         np.array([[-1.0, -1.0], [2.0, -1.0], [-1.0, 2.0]]))]:
        float_bf = oracles.brute_force_patterns(net, sl)
        assert oracles.exact_patterns(net, sl) == float_bf
        assert oracles.brute_force_patterns(net, sl, exhaustive=True) == float_bf
        assert set(oracles.polygon_partition(net, sl, polygon)[0]) == float_bf
        assert set(oracles.polygon_partition(net, sl, polygon, exact=True)[0]) == float_bf


def test_line_sweep_counts_placed_breakpoints():
    # relu(x - t) for t in {-1/2, 0, 0, 1/4}: 3 distinct points in (-1, 1): 4 intervals.
    net = hidden([[1.0], [1.0], [2.0], [4.0]], [0.5, 0.0, 0.0, -1.0])
    assert len(oracles.line_partition(net, np.zeros(1), np.ones(1), -1.0, 1.0)) == 4


def test_exact_oracle_decides_coincidence_without_tolerance():
    # x = 0 twice (exactly): one line, 2 regions; the copies agree.
    net = hidden([[1.0, 0.0], [1.0, 0.0]], [0.0, 0.0])
    assert oracles.exact_patterns(net, oracles.box_slice([-1, -1], [1, 1])) == {(0, 0), (1, 1)}
    # x = 0 and x = 2^-40: a strip of width 2^-40 ~ 1e-12 is a region, exactly.
    net = hidden([[1.0, 0.0], [1.0, 0.0]], [0.0, -2.0 ** -40])
    assert oracles.exact_patterns(net, oracles.box_slice([-1, -1], [1, 1])) == {
        (0, 0), (1, 0), (1, 1)}
    # x = 0 and x = 2^-10 ~ 1e-3 (> KEEP): 3 regions.
    net = hidden([[1.0, 0.0], [1.0, 0.0]], [0.0, -2.0 ** -10])
    assert len(oracles.exact_patterns(net, oracles.box_slice([-1, -1], [1, 1]))) == 3


@pytest.mark.parametrize("width", [1e-7, 1e-8], ids=["1e-7", "1e-8"])
def test_tie_rule_a_strip_between_drop_and_keep_is_ambiguous(width):
    # A strip whose inscribed radius (half its width) is in [DROP, KEEP] = [1e-9, 1e-6] is
    # neither kept nor dropped: every float oracle refuses to decide (a test using it would
    # skip visibly through oracles.unambiguous); the exact ones count it.
    net = hidden([[1.0, 0.0], [1.0, 0.0]], [0.0, -width])
    sl = oracles.box_slice([-1, -1], [1, 1])
    assert len(oracles.exact_patterns(net, sl)) == 3
    for oracle, args in [(oracles.brute_force_patterns, (net, sl)),
                         (oracles.polygon_partition, (net, sl, oracles.square(-1, 1))),
                         (oracles.line_partition, (hidden([[1.0], [1.0]], [0.0, -width]),
                                                   np.zeros(1), np.ones(1), -1.0, 1.0))]:
        with pytest.raises(Ambiguous):
            oracle(*args)


def test_unambiguous_skips_visibly():
    net = hidden([[1.0, 0.0], [1.0, 0.0]], [0.0, -1e-7])
    with pytest.raises(pytest.skip.Exception, match="oracle cannot decide"):
        oracles.unambiguous(oracles.brute_force_patterns, net,
                            oracles.box_slice([-1, -1], [1, 1]))


def test_inscribed_balls_batched_equal_single():
    rng = np.random.default_rng(0)
    systems = [(rng.normal(size=(6, 3)), rng.uniform(0.1, 1.0, size=6)) for _ in range(20)]
    systems.append((np.array([[1.0, 0, 0], [-1.0, 0, 0]]), np.array([-1.0, 0.0])))  # empty
    systems.append((np.zeros((1, 3)), np.array([-1.0])))                             # 0 <= -1
    batched = oracles.inscribed_balls(systems, 3)
    for (A, c), (center, radius) in zip(systems, batched):
        single = oracles.inscribed_ball(A, c, 3)[1]
        assert radius == pytest.approx(single, rel=1e-7, abs=1e-9)
        if np.isfinite(radius) and radius > 0:
            unit = A / np.linalg.norm(A, axis=1)[:, None]
            assert np.all(unit @ center + radius <= c / np.linalg.norm(A, axis=1) + 1e-8)
    assert batched[-2][1] == pytest.approx(-0.5, abs=1e-8)
    assert batched[-1][1] == -np.inf

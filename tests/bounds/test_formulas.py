"""Bound formulas (``regions.bounds``, formulas): hand-computed values, relations between
bounds, and exact counts never above them.

Independent sources: values worked by hand from the papers' formulas (in the comments), the
reference table of shared/bounds.md, and ``regions.enumerate_regions`` with scipy LPs for
bounded regions (exact counts, a different computation from the formulas).
"""

import doctest
import itertools
import math

import numpy as np
import pytest
from scipy.optimize import linprog

import regions
from regions import bounds as B
from regions.errors import NetworkError
from regions.random_networks import random_network


# --------------------------------------------------------------------------- hand values

# shared/bounds.md: (m, L, k) -> (Serra upper, Raghu ReLU).
REFERENCE = [((1, 2, 4), 25, 25), ((2, 2, 4), 121, 121), ((2, 3, 2), 30, 64),
             ((3, 2, 4), 161, 225), ((3, 4, 4), 16641, 50625), ((4, 3, 4), 1634, 4096)]


@pytest.mark.parametrize("shape, serra, raghu", REFERENCE)
def test_reference_table(shape, serra, raghu):
    m, L, k = shape
    assert B.serra_upper(m, [k] * L) == serra
    assert B.raghu_upper(m, [k] * L) == raghu


def test_hand_computed_values():
    # Six lines in the plane: 1 + 6 + 15 = 22 regions, C(5, 2) = 10 of them bounded.
    assert B.zaslavsky(6, 2) == 22
    assert B.zaslavsky_bounded(6, 2) == 10
    # Four planes in R^3: 1 + 4 + 6 + 4 = 15; three hyperplanes in R^5: all 2^3 sign vectors.
    assert B.zaslavsky(4, 3) == 15
    assert B.zaslavsky(3, 5) == 8
    assert B.zaslavsky(0, 4) == 1
    # Four lines: C(3, 2) = 3 bounded triangles-or-quads; two lines bound nothing.
    assert B.zaslavsky_bounded(4, 2) == 3
    assert B.zaslavsky_bounded(2, 2) == 0
    # Two pairs of parallel lines: a 3 x 3 grid. Three pairs of points on a line: 7 intervals.
    assert B.parallel_families(2, 2, 2) == 9
    assert B.parallel_families(3, 2, 1) == 7
    # One hard-tanh layer of 2 on R^2: the grid (9); Raghu counts 4 generic lines: 1+4+6 = 11.
    assert B.layer_regions(2, 2, "hardtanh") == 9
    assert B.raghu_upper(2, [2], "hardtanh") == 11
    assert B.montufar2017_upper(2, [2], "hardtanh") == 9
    # Serra, m = 2, widths (3, 3): caps after layer 1 are min(2, 3 - j1): j1 = 0, 1 keep 2
    # (weights 1 and 3), j1 = 2 leaves 1 (weight 3). Layer 2: 4 * (1+3+3) + 3 * (1+3) = 40.
    assert B.serra_upper(2, [3, 3]) == 40
    assert B.raghu_upper(2, [3, 3]) == 49
    # Montufar 2017 through a bottleneck of width 1: 11 * 2 * (1 + 4) = 110 (Raghu: 11*2*11).
    assert B.montufar2017_upper(2, [4, 1, 4]) == 110
    assert B.raghu_upper(2, [4, 1, 4]) == 242
    # Montufar 2014, m = 2, widths (4, 4): floor(4/2)^2 * (1 + 4 + 6) = 44.
    assert B.montufar2014_lower(2, [4, 4]) == 44
    # Serra lower, m = 1, widths (3, 3, 3): 4 * 4 * 4 = 64 = the exact 1-D maximum.
    assert B.serra_lower(1, [3, 3, 3]) == 64 == B.serra_upper(1, [3, 3, 3])
    # Serra lower, m = 2, widths (6, 6): (6 // 2 + 1)^2 * (1 + 6 + 15) = 16 * 22 = 352.
    assert B.serra_lower(2, [6, 6]) == 352
    # Patterns: 2^(3+2) for ReLU, 3^2 for hard-tanh, 2^2 * 3^1 mixed.
    assert B.trivial_upper([3, 2]) == 32
    assert B.trivial_upper([2], "hardtanh") == 9
    assert B.trivial_upper([2, 1], ["leaky_relu", "hardtanh"]) == 12


def test_one_layer_all_bounds_are_zaslavsky():
    for m, n in itertools.product(range(1, 6), range(1, 13)):
        z = B.zaslavsky(n, m)
        assert B.serra_upper(m, [n]) == B.montufar2017_upper(m, [n]) == B.raghu_upper(m, [n]) == z
    assert B.serra_upper(2, [6]) == 22


def test_doctests():
    assert doctest.testmod(B).failed == 0


# --------------------------------------------------------------------------- relations on a grid

def _shapes():
    rng = np.random.default_rng(0)
    uniform = [(m, [k] * L) for m in range(1, 5) for L in range(1, 5) for k in range(1, 9)]
    mixed = [(int(rng.integers(1, 5)), [int(w) for w in rng.integers(1, 10, size=int(L))])
             for L in rng.integers(1, 5, size=60)]
    return uniform + mixed


def test_upper_bounds_are_ordered_on_a_grid():
    for m, widths in _shapes():
        serra = B.serra_upper(m, widths)
        montufar = B.montufar2017_upper(m, widths)
        raghu = B.raghu_upper(m, widths)
        assert serra <= montufar <= raghu <= B.raghu_upper(m, widths, "hardtanh"), (m, widths)
        assert B.montufar2017_upper(m, widths, "hardtanh") <= B.raghu_upper(m, widths, "hardtanh")
        assert raghu <= B.trivial_upper(widths)
        assert B.montufar2017_upper(m, widths, "hardtanh") <= B.trivial_upper(widths, "hardtanh")


def test_lower_bounds_below_upper_bounds_on_a_grid():
    checked = 0
    for m, widths in _shapes():
        serra = B.serra_upper(m, widths)
        if all(n >= m for n in widths):
            assert B.montufar2014_lower(m, widths) <= serra, (m, widths)
            checked += 1
        if all(n >= 3 * m for n in widths):
            assert B.montufar2014_lower(m, widths) <= B.serra_lower(m, widths) <= serra
            checked += 1
    assert checked > 100


def test_one_dimensional_maximum_is_exact():
    # Serra et al.: with n_0 = 1 and every n_l >= 3 the maximum is prod (n_l + 1).
    for widths in ([3], [3, 3], [4, 7, 3], [5, 5, 5, 5]):
        target = math.prod(n + 1 for n in widths)
        assert B.serra_lower(1, widths) == B.serra_upper(1, widths) == target
        assert B.raghu_upper(1, widths) == target


def test_inapplicable_bounds_are_refused():
    with pytest.raises(NetworkError):
        B.montufar2014_lower(3, [4, 2])
    with pytest.raises(NetworkError):
        B.serra_lower(2, [6, 5])
    with pytest.raises(NetworkError):
        B.raghu_upper(2, [3, 0])
    with pytest.raises(NetworkError):
        B.raghu_upper(2, [3], "identity")
    with pytest.raises(NetworkError):
        B.raghu_upper(2, [3, 3], ["relu"])
    with pytest.raises(NetworkError):
        B.zaslavsky(-1, 2)
    with pytest.raises(NetworkError):
        B.serra_upper(2.5, [3])
    names = {b.name for b in B.shape_bounds(2, [4, 4], "leaky_relu")}
    assert names == {"raghu", "montufar2017", "patterns"}   # Serra is a ReLU theorem


# --------------------------------------------------------------------------- exact counts


BOUNDED_CASES = [(2, 6, 0), (2, 7, 1), (3, 6, 2)]


@pytest.mark.parametrize("dim,width,seed", BOUNDED_CASES,
                         ids=[f"d{d}-w{w}-seed{s}" for d, w, s in BOUNDED_CASES])
def test_bounded_regions_match_zaslavsky(dim, width, seed):
    """Bounded regions of random line/plane arrangements, decided by scipy LPs."""
    net = random_network([dim, width, 1], seed=seed)
    part = regions.enumerate_regions(net)
    bounded = 0
    for region in part:
        finite = True
        for axis, sign in itertools.product(range(dim), (1.0, -1.0)):
            cost = np.zeros(dim)
            cost[axis] = -sign
            result = linprog(cost, A_ub=region.A, b_ub=region.b,
                             bounds=[(None, None)] * dim, method="highs")
            finite &= result.status == 0
        bounded += finite
    assert len(part) == B.zaslavsky(width, dim)
    assert bounded == B.zaslavsky_bounded(width, dim)

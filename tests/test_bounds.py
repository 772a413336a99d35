"""Bounds: hand-computed values, relations between bounds, and exact counts never above them.

Independent sources: values worked by hand from the papers' formulas (in the
comments), the reference table of shared/bounds.md, ``regions.enumerate_regions``
(exact counts, a different computation from the formulas), the brute-force
pattern oracle of ``tests/oracles.py`` (scipy ``linprog``) for rank-deficient
networks, sympy for exact ranks, and scipy LPs for bounded regions.
"""

import doctest
import functools
import itertools
import math

import numpy as np
import pytest
import sympy
from scipy.optimize import linprog

import regions
from regions import bounds as B
from regions.errors import NetworkError
from regions.random_networks import random_network

import oracles
from oracles import unambiguous


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

NETWORKS = [
    ([2, 6, 1], "relu"), ([2, 5, 5, 1], "relu"), ([2, 4, 4, 4, 1], "relu"),
    ([3, 5, 4, 1], "relu"), ([1, 4, 4, 4, 1], "relu"), ([2, 2, 2, 2, 1], "relu"),
    ([3, 2, 6, 1], "relu"), ([2, 4, 4, 1], "leaky_relu"), ([2, 3, 3, 1], "hardtanh"),
    ([3, 3, 3, 1], "hardtanh"), ([2, 3, 1], "hardtanh"),
]


def _check_exact_below_bounds(net, domain):
    exact = len(regions.enumerate_regions(net, domain))
    resolved = (domain or regions.whole_space()).resolve(net.input_dim)
    widths, activations = B.hidden_layers(net)
    for bound in B.network_bounds(net, domain):
        if bound.kind == "upper":
            assert exact <= bound.value, (bound.name, exact, bound.value)
        elif bound.kind == "equality":
            assert exact == bound.value, (bound.name, exact, bound.value)
    assert exact <= B.raghu_upper(resolved.dim, widths, activations)
    assert exact <= B.network_bound(net, domain)
    return exact


@pytest.mark.parametrize("widths, activation", NETWORKS)
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_exact_never_exceeds_upper_bounds(widths, activation, seed):
    net = random_network(widths, seed=seed, activation=activation)
    for domain in (None, regions.box(-1, 1)):
        _check_exact_below_bounds(net, domain)


@functools.lru_cache(maxsize=None)
def _mixed_activation_cases():
    """Layers and plane of each seed, drawn in order from one generator as the loop did."""
    rng = np.random.default_rng(5)
    drawn = []
    for _ in range(4):
        pairs = [(rng.normal(size=(4, 3)), rng.normal(size=4)),
                 (rng.normal(size=(3, 4)), rng.normal(size=3)),
                 (rng.normal(size=(3, 3)), rng.normal(size=3)),
                 (rng.normal(size=(1, 3)), rng.normal(size=1))]
        plane_points = rng.normal(size=(3, 3))
        drawn.append((pairs, plane_points))
    return drawn


@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_mixed_activations_and_slices(seed):
    pairs, plane_points = _mixed_activation_cases()[seed]
    net = regions.Network.from_layers(pairs, ["hardtanh", "relu", "leaky_relu", "identity"])
    _check_exact_below_bounds(net, None)
    _check_exact_below_bounds(net, regions.box(-2, 2))
    plane = regions.plane(*plane_points)
    _check_exact_below_bounds(net, plane)
    # On a plane slice the bounds are those of a network on R^2.
    names = {b.name: b.value for b in B.network_bounds(net, plane)}
    assert names["raghu"] == B.raghu_upper(2, [4, 3, 3], ["hardtanh", "relu", "leaky_relu"])


ONE_LAYER_CASES = [(2, 6, 0), (2, 9, 1), (3, 5, 2), (1, 4, 3), (4, 3, 4)]


@pytest.mark.parametrize("dim,width,seed", ONE_LAYER_CASES,
                         ids=[f"d{d}-w{w}-seed{s}" for d, w, s in ONE_LAYER_CASES])
def test_zaslavsky_equality_for_one_layer_in_general_position(dim, width, seed):
    net = random_network([dim, width, 1], seed=seed)
    zaslavsky = next(b for b in B.network_bounds(net) if b.name == "zaslavsky")
    assert zaslavsky.kind == "equality"
    assert len(regions.enumerate_regions(net)) == zaslavsky.value == B.zaslavsky(width, dim)
    # Inside a box the count is lower or equal and equality is not claimed.
    boxed = next(b for b in B.network_bounds(net, regions.box(-1, 1)) if b.name == "zaslavsky")
    assert boxed.kind == "upper"


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


# --------------------------------------------------------------------------- per-network bound

def _integer_network(seed, dim, width, rank, depth=2):
    """Small-integer weights (exact in floats) with hidden weight matrices of rank ``rank``."""
    rng = np.random.default_rng(seed)
    pairs = [(rng.integers(-3, 4, size=(width, dim)).astype(float), rng.normal(size=width))]
    for _ in range(depth - 1):
        low = rng.integers(-3, 4, size=(width, rank)) @ rng.integers(-3, 4, size=(rank, width))
        pairs.append((low.astype(float), rng.normal(size=width)))
    pairs.append((rng.normal(size=(1, width)), np.zeros(1)))
    return regions.Network.from_layers(pairs)


@functools.lru_cache(maxsize=None)
def _rank_one_reach(seed):
    """Whether the integer network of ``seed`` has the intended reach (dims 2 then 1)."""
    reach = B.layer_reach(_integer_network(seed, dim=2, width=4, rank=1))
    return reach[1].dim == 1 and reach[0].dim == 2


@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_rank_refinement_against_brute_force(seed):
    # Layer 2 has rank 1: its hyperplanes inside any layer-1 region are parallel, so each
    # layer-1 region is cut into at most width + 1 pieces: bound = zaslavsky(w, 2) * (w + 1).
    # At least 3 of the 4 seeds must give the intended rank (checked by every case).
    assert sum(_rank_one_reach(s) for s in range(4)) >= 3
    net = _integer_network(seed, dim=2, width=4, rank=1)
    reach = B.layer_reach(net)
    if reach[1].dim != 1 or reach[0].dim != 2:
        return   # the random integers happened to give another rank
    bound = B.network_bound(net)
    assert bound == B.zaslavsky(reach[0].hyperplanes, 2) * (reach[1].hyperplanes + 1)
    assert bound < B.montufar2017_upper(2, [4, 4])
    exact = len(unambiguous(oracles.brute_force_patterns, net, oracles.whole_slice(2)))
    assert exact == len(regions.enumerate_regions(net))
    assert exact <= bound


def test_zero_rows_and_bottlenecks():
    rng = np.random.default_rng(3)
    W0 = rng.normal(size=(5, 3))
    W0[2] = 0.0                                    # a dead neuron: constant pre-activation
    W1 = np.outer([1.0, 2.0, -1.0, 0.5], [1.0, -1.0, 2.0, 0.0, 3.0])   # exact rank 1
    net = regions.Network.from_layers([(W0, rng.normal(size=5)), (W1, rng.normal(size=4)),
                                       (rng.normal(size=(1, 4)), np.zeros(1))])
    reach = B.layer_reach(net)
    assert [(r.hyperplanes, r.dim) for r in reach] == [(4, 3), (4, 1)]
    assert B.network_bound(net) == B.zaslavsky(4, 3) * 5
    exact = _check_exact_below_bounds(net, None)
    assert exact == len(unambiguous(oracles.brute_force_patterns, net, oracles.whole_slice(3)))
    # A linear bottleneck (identity layer of width 1) caps every later layer at dimension 1.
    net = regions.Network.from_layers(
        [(rng.normal(size=(1, 3)), np.zeros(1)), (rng.normal(size=(6, 1)), rng.normal(size=6)),
         (rng.normal(size=(1, 6)), np.zeros(1))], ["identity", "relu", "identity"])
    assert B.network_bound(net) == 7
    assert len(regions.enumerate_regions(net)) == 7


def test_slice_uses_slice_dimension():
    net = random_network([4, 5, 5, 1], seed=2)
    plane = regions.plane(np.zeros(4), np.eye(4)[0], np.eye(4)[1])
    reach = B.layer_reach(net, plane)
    assert [r.dim for r in reach] == [2, 2]
    assert B.network_bound(net, plane) == B.zaslavsky(5, 2) ** 2
    assert B.network_bound(net) == B.zaslavsky(5, 4) ** 2


# --------------------------------------------------------------------------- exact linear algebra

@functools.lru_cache(maxsize=None)
def _exact_rank_matrices():
    """The 12 trial matrices, drawn in order from one generator as the loop did."""
    rng = np.random.default_rng(7)
    matrices = []
    for trial in range(12):
        rows, cols, rank = rng.integers(1, 9), rng.integers(1, 9), rng.integers(0, 5)
        M = (rng.integers(-4, 5, size=(rows, rank)) @ rng.integers(-4, 5, size=(rank, cols))
             ).astype(float) * 2.0 ** int(rng.integers(-40, 40))
        if trial % 3 == 0:
            M = M + rng.normal(size=M.shape) * 1e-13   # generic: full rank as rationals
        matrices.append(M)
    return matrices


@pytest.mark.parametrize("trial", range(12), ids=[f"trial{s}" for s in range(12)])
def test_exact_rank_matches_sympy(trial):
    M = _exact_rank_matrices()[trial]
    expected = sympy.Matrix([[sympy.Rational(v) for v in row] for row in M.tolist()]).rank()
    assert B.exact_rank(M) == expected
    assert B.exact_rank(np.zeros((3, 4))) == 0


def test_general_position():
    rng = np.random.default_rng(11)
    assert B.general_position(rng.normal(size=(12, 2)), rng.normal(size=12))
    assert B.general_position(rng.normal(size=(8, 3)), rng.normal(size=8), (-1.0, 1.0))
    # Two parallel normals.
    G = rng.normal(size=(5, 2))
    G[3] = 2.0 * G[1]
    assert not B.general_position(G, rng.normal(size=5))
    # x = 1, y = 1 and x - y = 0 all pass through (1, 1).
    G = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0], [0.3, 0.7]])
    assert not B.general_position(G, np.array([-1.0, -1.0, 0.0, 0.1]))
    # Hard-tanh: x = 1, y = 1 and x + y - 1 = +1 meet at (1, 1); their zero sets x = 0, y = 0,
    # x + y = 1 do not, so the same layer is generic for ReLU.
    G = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    beta = np.array([0.0, 0.0, -1.0])
    assert B.general_position(G, beta, (0.0,))
    assert not B.general_position(G, beta, (-1.0, 1.0))
    # Fewer neurons than dimensions: independence of the normals.
    assert B.general_position(np.eye(3)[:2], np.zeros(2))
    assert not B.general_position(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]), np.ones(2))

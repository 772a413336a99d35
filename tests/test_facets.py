"""Facets of regions and the look across them.

Independent sources: in 2-D, the sides of each region's polygon from
``oracles.polygon_partition`` (LP-free clipping): a facet is a side, its
witness the side's midpoint and its radius half the side's length; in 3-D,
the facet inscribed-ball LP solved again by ``scipy.optimize.linprog``; the
neuron a facet belongs to, and the pattern across it, from the independent
forward pass ``oracles.preactivations`` / ``oracles.true_patterns``.
"""

import functools
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import linprog

import regions
from regions._facets import facet_section, points_in_polytopes
from regions.analysis.crossings import decisions_of, partition_facets, vanishing_neurons
from regions.facets import neighbour_pattern, neighbour_patterns, region_facets
from regions.polyhedra import pattern_constraints
from regions.predicates import Decisions

import oracles
from oracles import random_net, unambiguous

ACTIVATIONS = ["relu", "leaky_relu", "hardtanh"]


def breakpoint_of(net, label):
    """(layer, neuron, breakpoint) of a hyperplane label, decoded here from the widths."""
    for index, layer in enumerate(net.layers):
        taus = (-1.0, 1.0) if layer.activation == "hardtanh" else (
            () if layer.activation == "identity" else (0.0,))
        count = layer.width * len(taus)
        if label < count:
            return index, label // len(taus), taus[label % len(taus)]
        label -= count
    raise AssertionError("label out of range")


def polygon_sides(polygon):
    """Sides of a convex polygon as (midpoint, half length, outward unit normal)."""
    sides = []
    x, y = polygon[:, 0], polygon[:, 1]
    orientation = np.sign(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    for k in range(len(polygon)):
        p, q = polygon[k], polygon[(k + 1) % len(polygon)]
        length = np.linalg.norm(q - p)
        if length < 1e-9:
            continue
        t = (q - p) / length
        normal = orientation * np.array([t[1], -t[0]])
        sides.append(((p + q) / 2.0, length / 2.0, normal))
    return sides


@functools.lru_cache(maxsize=None)
def _2d_partition(activation, seed):
    net = random_net([2, 5, 4, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    return net, part, partition_facets(part)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_2d_facets_are_polygon_sides(activation, seed):
    net, part, all_facets = _2d_partition(activation, seed)
    patterns, _, polygons = oracles.unit_square_partition(net)
    by_pattern = dict(zip(patterns, polygons))
    for region, facets in zip(part, all_facets):
        sides = polygon_sides(by_pattern[tuple(int(s) for s in region.pattern)])
        assert len(facets) == len(sides)
        for facet in facets:
            # Each facet is exactly one side: same normal, witness at its midpoint.
            match = [s for s in sides if np.allclose(s[2], facet.normal, atol=1e-7)]
            assert len(match) == 1
            midpoint, half_length, _ = match[0]
            assert np.allclose(facet.witness, midpoint, atol=1e-7)
            assert facet.radius == pytest.approx(half_length, abs=1e-7)
    # Over the 4 seeds of this activation more than 50 facets are checked (each seed's
    # facets are checked one by one in that seed's case).
    assert sum(len(fs) for s in range(4) for fs in _2d_partition(activation, s)[2]) > 50


def scipy_facet_radius(A, b, row):
    """Largest (dim-1)-ball of {A z <= b} within A[row] z = b[row], by scipy linprog."""
    normal = A[row]
    others = np.delete(np.arange(len(b)), row)
    projected = A[others] - np.outer(A[others] @ normal, normal)
    dim = A.shape[1]
    cost = np.zeros(dim + 1)
    cost[-1] = -1.0
    result = linprog(cost, A_ub=np.hstack([A[others], np.linalg.norm(projected, axis=1)[:, None]]),
                     b_ub=b[others], A_eq=np.append(normal, 0.0)[None, :], b_eq=[b[row]],
                     bounds=[(None, None)] * dim + [(None, 10.0)], method="highs")
    assert result.status == 0
    return -result.fun


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
def test_3d_facet_radius_matches_scipy_and_witness_is_on_the_neuron(activation, seed):
    net = random_net([3, 5, 3, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    for region, facets in zip(part, partition_facets(part)):
        assert len(facets) == len(region.b)  # minimal rows of a full-dim polytope: facets
        for row, facet in enumerate(facets):
            assert facet.radius == pytest.approx(scipy_facet_radius(region.A, region.b, row),
                                                 abs=1e-7)
            assert np.all(region.A @ facet.witness <= region.b + 1e-9)
            if facet.label < 0:
                assert facet.boundary
                face = -1 - facet.label
                assert abs(part.domain.A[face] @ facet.witness - part.domain.b[face]) < 1e-9
                continue
            assert not facet.boundary
            layer, neuron, tau = breakpoint_of(net, facet.label)
            z = oracles.preactivations(net, facet.witness[None, :])[layer][0, neuron]
            assert z == pytest.approx(tau, abs=1e-9)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_pattern_across_a_facet_flips_exactly_its_neuron(activation, seed):
    net = random_net([2, 6, 4, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    positions = net.hyperplane_neurons()
    decisions = decisions_of(part)
    for i, facets in enumerate(partition_facets(part)):
        for facet in facets:
            if facet.boundary:
                continue
            across = neighbour_pattern(net, part.domain, part.patterns[i], facet, decisions)
            assert np.flatnonzero(across != part.patterns[i]).tolist() == \
                [positions[facet.label]]
            system = pattern_constraints(net, part.domain, part.patterns[i], decisions)
            assert np.array_equal(neighbour_pattern(net, part.domain, part.patterns[i], facet,
                                                    decisions, system), across)
            # an independent float forward pass a small step beyond the facet agrees
            beyond = facet.witness + 1e-7 * facet.normal / np.linalg.norm(facet.normal)
            assert np.array_equal(oracles.true_patterns(net, beyond[None, :])[0], across)


def test_1d_facets_are_the_interval_ends():
    net = random_net([1, 6, 6, 1], ["relu", "relu", "identity"], seed=3)
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    intervals = unambiguous(oracles.line_partition, net, [0.0], [1.0], -2.0, 2.0)
    ends = {round(x, 9) for iv in intervals for x in (iv.lo, iv.hi)}
    found = {round(float(f.witness[0]), 9) for facets in partition_facets(part) for f in facets}
    assert found == ends
    boundary = {round(float(f.witness[0]), 9) for facets in partition_facets(part)
                for f in facets if f.boundary}
    assert boundary == {-2.0, 2.0}


def test_facet_section_builds_an_orthonormal_frame_on_the_hyperplane():
    rng = np.random.default_rng(0)
    for dim in (2, 3, 5):
        A = rng.normal(size=(7, dim))
        A /= np.linalg.norm(A, axis=1)[:, None]
        b = rng.uniform(0.5, 1.0, size=7)
        for row in range(7):
            rows, rhs, basis, origin, sources, excluding = facet_section(A, b, row, 1e-12)
            assert excluding == -1
            assert np.allclose(basis.T @ basis, np.eye(dim - 1))
            assert np.allclose(A[row] @ basis, 0.0)
            assert A[row] @ origin == pytest.approx(b[row])
            assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)
            # A point u of the section maps to a point of the hyperplane satisfying each row
            # exactly when its section row holds.
            u = rng.normal(size=dim - 1)
            z = origin + basis @ u
            others = np.delete(np.arange(7), row)
            assert sources.tolist() == others.tolist()
            assert np.array_equal(rows @ u <= rhs, A[others] @ z <= b[others])


def test_facet_section_flags_an_excluding_parallel_row():
    A = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    rows, rhs, _, _, sources, excluding = facet_section(A, np.array([1.0, -2.0, 1.0]), 0, 1e-12)
    assert excluding == 1  # x = 1 but -x <= -2 asks x >= 2
    rows, rhs, _, _, sources, excluding = facet_section(A, np.array([1.0, 1.0, 1.0]), 0, 1e-12)
    assert excluding == -1 and rows.shape == (1, 1) and sources.tolist() == [2]


def test_points_in_polytopes_matches_a_direct_check():
    rng = np.random.default_rng(1)
    polytopes = [rng.normal(size=(rng.integers(1, 6), 3)) for _ in range(30)]
    rhs = [rng.uniform(0.0, 1.0, size=len(p)) for p in polytopes]
    starts = np.concatenate([[0], np.cumsum([len(p) for p in polytopes])]).astype(np.int64)
    points = rng.normal(size=(50, 3))
    indptr, indices = points_in_polytopes(points, np.ascontiguousarray(np.vstack(polytopes)),
                                          np.concatenate(rhs), starts, 0.0)
    for k, x in enumerate(points):
        expected = [r for r, (A, b) in enumerate(zip(polytopes, rhs)) if np.all(A @ x <= b)]
        assert indices[indptr[k]:indptr[k + 1]].tolist() == expected


def test_every_witness_is_located_in_its_own_region():
    net = random_net([2, 6, 4, 1], ["relu", "relu", "identity"], seed=5)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert part.locate(part.witnesses).tolist() == list(range(len(part)))


def test_lower_dimensional_contact_is_not_a_facet():
    # The square [-1, 1]^2 and the line x + y = 2, which touches it only at the corner (1, 1):
    # the one region's facets are the four sides (exactly; radius of a side's ball 1).
    net = regions.Network.from_layers([([[1.0, 1.0]], [-2.0]), ([[1.0]], [0.0])])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    (facets,) = partition_facets(part)
    assert sorted(f.label for f in facets) == [-4, -3, -2, -1]
    assert all(f.boundary and f.radius == pytest.approx(1.0) for f in facets)


def test_vanishing_neurons_on_a_shared_hyperplane():
    # Neurons 0 and 1 are the same hyperplane (1 is 2x neuron 0), neuron 2 is another one.
    W = np.array([[1.0, 0.5], [2.0, 1.0], [0.0, 1.0]])
    b = np.array([0.1, 0.2, -0.3])
    net = regions.Network.from_layers([(W, b), (np.ones((1, 3)), np.zeros(1))])
    domain = regions.whole_space(2)
    point = (-Fraction(0.1), Fraction(0))  # on x + 0.5 y + 0.1 = 0 (exactly), off y = 0.3
    decisions = Decisions(net, domain.resolve(2))
    assert vanishing_neurons(decisions, np.array([1, 1, 0], np.int8), point).tolist() == [0, 1]


# --------------------------------------------------------------------------- no facet


def test_a_farkas_combination_proves_a_row_is_no_facet():
    """Hand-worked on the unit square ``x <= 1, -x <= 0, y <= 1, -y <= 0``: the row
    ``x + y <= 2`` touches it at the corner (1, 1) only (multipliers 1, 1, -1 give
    ``1 + 1 - 2 = 0``), ``x + y <= 3`` misses it (``1 + 1 - 3 < 0``); the side ``x <= 1``
    is a facet, which no multipliers can deny."""
    from flint import fmpq_mat
    from regions.facets import _separated
    A = fmpq_mat([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, 1]])
    b = fmpq_mat([[1], [0], [1], [0], [2], [3]])
    assert _separated(A, b, 4, [0, 2])
    assert _separated(A, b, 5, [0, 2])
    assert not _separated(A, b, 0, [2, 3])
    assert not _separated(A, b, 4, [1, 3])    # wrong signs: -x <= 0 and -y <= 0
    assert not _separated(A, b, 4, [0])       # no kernel: x <= 1 alone bounds nothing


def _decided_facets(net, dom, monkeypatch):
    """For every row group of every region's full constraint system (every neuron's row,
    not only the kept ones): whether the float filter with its exact certificates finds a
    facet, whether the exact rational LP does, and how many exact LPs the filter asked for."""
    from regions import facets
    from regions.polyhedra import pattern_constraints
    part = regions.enumerate_regions(net, dom)
    decisions, solver, asked = decisions_of(part), regions.lp.LPSolver(), []
    exact_facet = facets._exact_facet
    monkeypatch.setattr(facets, "_exact_facet", lambda *args: asked.append(1) or exact_facet(*args))
    found, truth = [], []
    for pattern in part.patterns:
        system = pattern_constraints(net, part.domain, pattern, decisions)
        A, b = decisions.oriented_rows(pattern, system.labels, system.sides)
        norms = np.linalg.norm(system.A, axis=1)
        for group in facets.same_hyperplane(A, b):
            others = [i for i in range(A.nrows()) if i not in group]
            found.append(facets._facet(system.A / norms[:, None], system.b / norms, A, b,
                                       group, solver, decisions) is not None)
            truth.append(exact_facet(A, b, group[0], others) is not None)
    return found, truth, len(asked)


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_facets_on_degenerate_rows_agree_with_the_exact_lp(seed, monkeypatch):
    """Integer weights: coincident, parallel and concurrent hyperplanes, rows touching a
    region at a vertex; the filter (float LP, exact witness or exact Farkas certificate,
    exact LP last) against the exact LP alone."""
    from test_degenerate import integer_network
    net = integer_network(2 + seed % 2, seed)
    domain = regions.box([-1.0] * net.input_dim, [1.0] * net.input_dim)
    found, truth, _ = _decided_facets(net, domain, monkeypatch)
    assert found == truth and not all(truth)


def test_without_the_float_lp_the_exact_lp_decides_every_row(monkeypatch):
    """When HiGHS fails (a ball of radius NaN, no duals), the float LP proves nothing: every
    facet, and every row not refuted by a parallel row, goes to the exact LP, with the same
    facets."""
    from test_degenerate import integer_network
    from regions.lp import Ball, LPSolver
    monkeypatch.setattr(LPSolver, "proposal", lambda self, A, c, cap: Ball(np.zeros(A.shape[1]),
                                                                            float("nan")))
    net = integer_network(3, 0)
    found, truth, asked = _decided_facets(net, regions.box([-1.0] * 3, [1.0] * 3), monkeypatch)
    assert found == truth and sum(truth) <= asked < len(found)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_generic_rows_need_no_exact_lp(activation, monkeypatch):
    """In general position every row that is no facet is refuted by the float LP's
    binding rows (an exact Farkas combination), so no exact LP runs."""
    net = random_net([3, 4, 3, 1], [activation, activation, "identity"], 0)
    found, truth, asked = _decided_facets(net, regions.box([-1.0] * 3, [1.0] * 3), monkeypatch)
    assert found == truth and not all(truth)
    assert asked == 0


def test_a_one_dimensional_section_gets_the_lps_ball_in_closed_form():
    """The facets of 2-D regions are intervals: their largest ball (the interval's middle
    and half length, capped) without an LP, against HiGHS's inscribed-ball LP; an empty
    interval names its two binding ends."""
    from regions.facets import _interval_ball
    from regions.lp import LPSolver
    from regions.tolerances import RADIUS_CAP
    rng = np.random.default_rng(0)
    solver = LPSolver()
    for _ in range(200):
        k = int(rng.integers(1, 6))
        slopes = rng.choice([-1.0, 1.0], size=k)
        rhs = rng.normal(size=k)
        center, radius, binding = _interval_ball(slopes, rhs)
        ball = solver.chebyshev(slopes[:, None], rhs, cap=RADIUS_CAP)
        assert radius == pytest.approx(ball.radius, abs=1e-12)
        if radius > 0.0:
            assert np.all(slopes * center[0] + radius <= rhs + 1e-12)
        else:
            assert sorted(slopes[binding]) == [-1.0, 1.0]
            assert rhs[binding].sum() == pytest.approx(2.0 * radius)
    assert _interval_ball(np.array([1.0]), np.array([2.0]))[:2] == (2.0 - RADIUS_CAP, RADIUS_CAP)


@pytest.mark.parametrize("case", [("integer", 0), ("integer", 1), ("integer", 4),
                                  ("relu", 0), ("leaky_relu", 0), ("hardtanh", 0)],
                         ids=lambda case: f"{case[0]}-{case[1]}")
def test_the_neuron_crossed_in_floats_is_the_rational_pass(case, monkeypatch):
    """The pattern across every facet of every region (its full constraint system, as the
    walk and certify give it): the region's with the facet's neuron crossed, proven in
    float64, against the forward pass along the normal in rationals. Integer weights put
    other neurons on the witness (duplicate, negated and bent hyperplanes, constant
    neurons on their breakpoint), where floats must defer to the rational pass."""
    from test_degenerate import integer_network
    from regions import facets as facets_module
    kind, seed = case
    net = integer_network(2, seed) if kind == "integer" else \
        random_net([2, 5, 4, 1], [kind, kind, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    decisions = decisions_of(part)
    rational = facets_module.pattern_along
    passes = []
    monkeypatch.setattr(facets_module, "pattern_along",
                        lambda *args: passes.append(1) or rational(*args))
    crossed = 0
    for pattern in part.patterns:
        system = pattern_constraints(net, part.domain, pattern, decisions)
        interior = [facet for facet in region_facets(system, pattern, decisions)
                    if not facet.boundary]
        truths = [rational(decisions.maps, list(facet.rational_witness),
                           list(facet.rational_normal)) for facet in interior]
        start = len(passes)
        for facet, truth in zip(interior, truths):
            before = len(passes)
            across = neighbour_pattern(net, part.domain, pattern, facet, decisions, system)
            crossed += len(passes) == before
            assert np.array_equal(across, truth)
        # all of a region's facets at once: the same patterns, the same passes
        single = len(passes) - start
        together = neighbour_patterns(net, part.domain, pattern, interior, decisions, system)
        assert len(passes) - start == 2 * single
        assert all(np.array_equal(a, t) for a, t in zip(together, truths))
    if kind != "integer":
        assert passes == [] and crossed > 0     # general position: floats decide every one

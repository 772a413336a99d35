"""Geometric invariants of every partition, checked with independent geometry.

For every engine (``split``, ``vertex`` on bounded domains, ``walk``) and every
domain (box, polytope, whole space, plane slice, segment), on random and
degenerate small networks (hypothesis, derandomized):

* **tiling** -- the region volumes, computed by this file's own vertex
  enumeration of each region's H-representation (``geometry_oracle``), sum to
  the domain's volume (or to a clipping box's, on unbounded domains); 10^4
  random points, those within 1e-9 of any row of any region excluded
  explicitly, each lie in exactly one region, and the network's own pattern
  at the point (``net.activation_pattern``) is that region's, except in
  neurons constant on the region up to rounding, where the exact pass below
  must agree instead (points outside a bounded domain lie in no region);
* **facets** -- every row of every H-representation is a genuine facet (its
  vertices span dim-1 dimensions); from relative-interior points of each facet
  a tiny step across lands in exactly one other region, the same one for the
  whole facet, which has the opposite row, or outside the domain (then no
  region holds it and the facet lies on a domain face); the pairs found are
  exactly the edges of ``regions.adjacency_graph(part)``;
* **exact witnesses** -- each witness is strictly inside its region, in exact
  rational arithmetic: own Fraction forward pass (pattern equal, no
  non-constant pre-activation on a breakpoint), strictly inside the domain's
  rows and the region's own rows,
  and the ball of radius ``margin`` inside the rows (up to LP accuracy);
* **Euler** -- on 2-D bounded convex domains (and a clipping box of the
  plane), V - E + F = 1 for the complex built from the own polygons, with
  every edge on one polygon (domain boundary) or two (interior).

The checks use float geometry (vertices merged, steps across facets), so random
inputs with a thin region are rejected with ``assume`` (thin regions are
checked against exact oracles in test_exactness.py and test_degenerate.py).
Hand-built degenerate nets (duplicate, negated, parallel, dead and
zero neurons, hyperplanes through box corners, |h|, coincident hard-tanh
breakpoints) run every check on every engine and domain; the last tests pin
three walk bugs (now fixed) with neurons that are constant, or touch a breakpoint,
only up to rounding (in rational arithmetic they are neither).
"""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import geometry_oracle as geo
from marks import engine_marks
import regions
from geometry_oracle import (CLIP, CLIP_LABEL, case_id, cases, clean_partition, domains,
                             networks, widths_for)

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])

#: Points within this distance (times the scale) of a row are not located.
NEAR = 1e-9
#: Step across a facet (times the scale).
STEP = 1e-8
#: Large clipping box for facets of unbounded regions (every facet of these small nets is inside).
FACET_CLIP = 1e4


@st.composite
def setups(draw, kind: str):
    widths = draw(widths_for(kind))
    net = draw(networks(widths))
    dom = draw(domains(kind, widths[0]))
    return net, dom


def region_polytopes(part, clip):
    """Own polytope (vertices from the H-representation) of each region."""
    dom = part.domain
    bounded = dom.is_bounded
    return [geo.polytope(r.A, r.b, r.labels, None if bounded else clip, part.scale) for r in part]


def domain_measure(part, clip) -> float:
    dom = part.domain
    if dom.is_bounded:
        return geo.volume(geo.polytope(dom.A, dom.b, scale=part.scale), part.scale)
    return (2 * clip) ** dom.dim


def sample_points(part, rng, count=10_000):
    dom = part.domain
    if dom.is_bounded:
        return rng.uniform(dom.lower, dom.upper, size=(count, dom.dim))
    near = rng.uniform(-CLIP, CLIP, size=(count - count // 5, dom.dim))
    far = rng.normal(scale=100.0, size=(count // 5, dom.dim))
    return np.vstack([near, far])


# --------------------------------------------------------------------------- checks


def check_tiling(part):
    scale = part.scale
    polys = region_polytopes(part, CLIP)
    volumes = np.array([geo.volume(p, scale) for p in polys])
    total = domain_measure(part, CLIP)
    assert abs(volumes.sum() - total) <= 1e-8 * total, (
        f"region volumes sum to {volumes.sum()!r}, domain measure {total!r}")
    if part.domain.is_bounded:
        assert np.all(volumes > 0), f"regions {np.flatnonzero(volumes <= 0)} have no volume"

    rng = np.random.default_rng(len(part))
    points = sample_points(part, rng)
    dom = part.domain
    inside, near = geo.locate(points, [(r.A, r.b) for r in part], NEAR * scale)
    if dom.is_bounded:
        slack = geo.slacks(points, dom.A, dom.b)
        near |= np.any(np.abs(slack) <= NEAR * scale, axis=1)
        outside = np.any(slack < 0, axis=1)
        assert not np.any(inside[outside & ~near]), "a point outside the domain lies in a region"
        keep = ~near & ~outside
    else:
        keep = ~near
    assert keep.sum() >= 1000, f"only {keep.sum()} of the sample points are decisive"
    counts = inside[keep].sum(axis=1)
    bad = np.flatnonzero(counts != 1)
    assert bad.size == 0, (
        f"{bad.size} points lie in {sorted(set(counts[bad].tolist()))} regions, "
        f"e.g. z={points[keep][bad[0]]!r}")
    located = points[keep]
    which = np.argmax(inside[keep], axis=1)
    got = part.network.activation_pattern(dom.to_input(located))
    differ = np.any(got != part.patterns[which], axis=1)
    # The float forward pass may disagree with the region's pattern where rounding decides
    # a neuron's sign: a constant exactly on a breakpoint (a hard-tanh pre-activation that
    # is -1 on the whole region comes out as -1 +- 1 ulp), or a pre-activation that is
    # zero up to rounding (5.6e-17 x). The exact pass decides: every mismatching point
    # (up to ten per region) must have the region's pattern in rational arithmetic.
    for r in np.unique(which[differ]):
        for k in np.flatnonzero(differ & (which == r))[:10]:
            report = geo.exact_point_report(part.network, dom, located[k])
            assert np.array_equal(report.pattern, part.patterns[r]), (
                f"point {located[k]!r} has pattern {report.pattern} but lies in region "
                f"{r} with pattern {part.patterns[r]}")


def check_witnesses(part):
    dom = part.domain
    for i, region in enumerate(part):
        assert np.array_equal(region.witness, part.witnesses[i])
        report = geo.exact_point_report(part.network, dom, region.witness)
        assert not report.ties, f"witness {i} is on the breakpoint of neuron(s) {report.ties}"
        assert np.array_equal(report.pattern, region.pattern), (
            f"witness {i}: exact pattern {report.pattern}, region pattern {region.pattern}")
        if len(dom.b):
            assert geo.exact_strictly_inside(dom.A, dom.b, region.witness), (
                f"witness {i} not strictly inside the domain")
        assert geo.exact_strictly_inside(region.A, region.b, region.witness), (
            f"witness {i} not strictly inside its own rows")
        # the ball of radius margin stays inside, up to the LP's accuracy (HiGHS, float64:
        # seen 1.4e-12) and the rounding of A @ witness (far witnesses of unbounded regions)
        w = region.witness
        rounding = 1e-14 * (np.abs(region.A) @ np.abs(w) + np.abs(region.b) + region.margin)
        assert np.all(region.A @ w + region.margin <= region.b + 1e-10 * part.scale + rounding), (
            f"witness {i}: the ball of radius margin={region.margin} leaves the region")


def facet_polytope(part, region):
    """Own polytope of a region for facet finding; on unbounded domains the clipping box
    grows (up to 1e8) until every row of the region is a facet inside it or the region
    does not reach the box (a facet that far away is still a facet of the region)."""
    if part.domain.is_bounded:
        return geo.polytope(region.A, region.b, region.labels, None, part.scale)
    for clip in (FACET_CLIP, 1e6, 1e8):
        poly = geo.polytope(region.A, region.b, region.labels, clip, part.scale)
        found, not_facets = geo.facets(poly)
        if not [k for k in not_facets if poly.labels[k] != CLIP_LABEL]:
            break
    return poly


def facet_regions(part):
    """The regions with their facet rows only: as kept by the vertex and walk engines, which
    keep facets exactly; for the split engine, which also keeps rows that later cuts hid,
    the rows of the exact facets (``regions.analysis.crossings.partition_facets``; the rows
    of ``Region.A`` are rounded, so an LP on them cannot decide a facet exactly)."""
    if part.method != "split":
        return list(part)
    from regions.analysis.crossings import partition_facets

    regions_ = []
    for region, facets in zip(part, partition_facets(part)):
        keep = np.isin(region.labels, [f.label for f in facets])
        regions_.append(dataclasses.replace(region, A=region.A[keep], b=region.b[keep],
                                            labels=region.labels[keep]))
    return regions_


def check_facets(part):
    scale = part.scale
    dom = part.domain
    facet_rows = facet_regions(part)
    rows = [(r.A, r.b) for r in facet_rows]
    stack = geo.RowStack(rows)
    pairs = set()
    for i, region in enumerate(facet_rows):
        poly = facet_polytope(part, region)
        found, not_facets = geo.facets(poly)
        real = [k for k in not_facets if poly.labels[k] != CLIP_LABEL]
        assert not real, f"region {i}: rows {real} of its H-representation are not facets"
        for f in found:
            if f.label == CLIP_LABEL:
                continue
            # far from the origin (unbounded regions) float64 rounds at eps * |q|
            unit = scale * np.maximum(1.0, np.abs(f.points).max(axis=1) / 100)
            beyond = f.points + (STEP * unit)[:, None] * f.normal
            closure = stack.min_slack(f.points) >= -(NEAR * unit)[:, None]
            holds = stack.min_slack(beyond) > 0
            across = set()
            for k, (q, p) in enumerate(zip(f.points, beyond)):
                holders = np.flatnonzero(holds[k]).tolist()
                closed = np.flatnonzero(closure[k]).tolist()
                in_domain = not len(dom.b) or np.all(dom.A @ p < dom.b)
                if in_domain:
                    assert len(holders) == 1 and holders[0] != i, (
                        f"region {i}, facet row {f.row} (label {f.label}): the point beyond "
                        f"{q!r} lies in regions {holders}")
                    assert closed == sorted({i, holders[0]}), (
                        f"region {i}, facet row {f.row}: {q!r} is in the closure of {closed}")
                    across.add(holders[0])
                else:
                    assert not holders, f"a point outside the domain lies in {holders}"
                    assert closed == [i], f"boundary facet point {q!r} in closures {closed}"
                    assert np.any(np.abs(dom.A @ q - dom.b) <= NEAR * unit[k]), (
                        f"region {i}, row {f.row}: facet leaves the domain but is on no face")
                    across.add(None)
            assert len(across) == 1, f"region {i}, row {f.row}: facet shared with {across}"
            j = across.pop()
            if f.label < 0:
                assert j is None, f"region {i}: domain-face row {f.row} has a neighbour {j}"
            if j is not None:
                A, b = rows[j]
                opposite = np.abs(A + f.normal).max(axis=1) + np.abs(b + f.offset) <= 1e-9 * (
                    1 + abs(f.offset))
                assert np.any(opposite), f"region {j} lacks the row opposite to {i}'s row {f.row}"
                pairs.add((min(i, j), max(i, j)))
    G = regions.adjacency_graph(part)
    assert set(G.nodes) == set(range(len(part)))
    assert {(min(e), max(e)) for e in G.edges} == pairs
    assert nx.is_connected(G)


def check_euler(part):
    scale = part.scale
    polys = [p for p in region_polytopes(part, CLIP) if geo.volume(p, scale) > 0]
    cplx = geo.planar_complex(polys, scale)
    assert cplx.euler == 1, (
        f"V - E + F = {len(cplx.vertices)} - {len(cplx.edges)} + {cplx.faces} = {cplx.euler}")
    dom = part.domain
    if dom.is_bounded:
        face_A, face_c = dom.A, dom.b
    else:
        face_A, face_c = geo.clip_box(2, CLIP)
    for (a, c), count in cplx.edges.items():
        mid = 0.5 * (cplx.vertices[a] + cplx.vertices[c])
        on_boundary = bool(np.any(np.abs(face_A @ mid - face_c) <= 1e-9 * scale))
        assert count == (1 if on_boundary else 2), (
            f"edge {cplx.vertices[a]!r}-{cplx.vertices[c]!r} on {count} polygons "
            f"(on the boundary: {on_boundary})")


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c), marks=engine_marks(c[0]))
                                  for c in cases()])
@settings(max_examples=5, **SETTINGS)
@given(data=st.data())
def test_tiles_domain_and_witnesses_exact(case, data):
    engine, kind = case
    net, dom = data.draw(setups(kind))
    part = clean_partition(net, dom, engine)
    check_tiling(part)
    check_witnesses(part)


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c), marks=engine_marks(c[0]))
                                  for c in cases()])
@settings(max_examples=3, **SETTINGS)
@given(data=st.data())
def test_facets_shared_by_two_regions(case, data):
    engine, kind = case
    net, dom = data.draw(setups(kind))
    part = clean_partition(net, dom, engine)
    check_facets(part)
    if part.domain.dim == 2:
        check_euler(part)


# --------------------------------------------------------------------------- hand-built degenerate nets


def _degenerate_nets():
    I2 = np.eye(2)
    yield "duplicate+negated", regions.Network.from_layers(
        [(np.array([[1.0, 0], [1, 0], [-1, 0], [0, 1], [1, 1]]), np.array([0.0, 0, 0, 0.5, 0])),
         (np.array([[1.0, -1, 1, 1, -2]]), np.zeros(1))])
    yield "parallel+dead+zero", regions.Network.from_layers(
        [(np.array([[1.0, 1], [1, 1], [2, 2], [0, 0], [0, 0]]), np.array([0.0, 1, -1, -1, 0])),
         (np.array([[1.0, 1, -1, 2, 3], [1, -1, 0, 0, 1]]), np.array([-0.5, 0])),
         (np.ones((1, 2)), np.zeros(1))])
    yield "corners", regions.Network.from_layers(
        [(np.array([[1.0, 1], [1, -1], [2, 1]]), np.array([0.0, 0, -3])),    # both diagonals
         (np.array([[1.0, 1, 0], [0, 1, -1]]), np.array([-1.0, 0])),
         (np.ones((1, 2)), np.zeros(1))])
    yield "abs-value", regions.Network.from_layers(                        # relu(h) + relu(-h)
        [(np.vstack([I2, -I2]), np.zeros(4)),
         (np.array([[1.0, 0, 1, 0], [0, 1, 0, 1]]), np.array([-0.5, -0.5])),
         (np.ones((1, 2)), np.zeros(1))])
    yield "hardtanh-coincident", regions.Network.from_layers(
        [(np.array([[2.0, 0], [1, 0], [0, 1]]), np.array([0.0, -1, 0])),   # 2x=+-1 vs x-1=-1
         (np.array([[1.0, 1, 1]]), np.zeros(1))], activations=["hardtanh", "identity"])
    # where the first three neurons are on, hard-tanh neuron 0 of layer 1 is
    # -(2x + 2) - (1 - 2x - 2y) + (2 - 2y) = -1: constant, exactly on its breakpoint
    # (the float forward pass gives -1 - 1 ulp at a third of the points)
    yield "constant-on-breakpoint", regions.Network.from_layers(
        [(np.array([[2.0, 0], [-2, -2], [0, -2], [1, -1]]), np.array([2.0, 1, 2, 0])),
         (np.array([[-1.0, -1, 1, 0], [0, 0, 1, 1]]), np.array([0.0, -1])),
         (np.ones((1, 2)), np.zeros(1))], activations=["relu", "hardtanh", "identity"])


DEGENERATE = list(_degenerate_nets())
DEGENERATE_DOMAINS = {
    "box": regions.box(-1, 1),
    "polytope": regions.polytope(np.array([[1.0, 1], [-1, 0], [0, -1]]), np.array([1.0, 1, 1])),
    "whole": regions.whole_space(),
    "segment": regions.segment([-1, -1], [1, 1]),
}


@pytest.mark.parametrize("engine,kind", [pytest.param(*c, id=case_id(c), marks=engine_marks(c[0]))
                                         for c in cases() if c[1] in DEGENERATE_DOMAINS])
@pytest.mark.parametrize("name,net", DEGENERATE, ids=[n for n, _ in DEGENERATE])
def test_degenerate_nets_all_invariants(name, net, engine, kind):
    dom = DEGENERATE_DOMAINS[kind]
    part = regions.enumerate_regions(net, dom, method=engine)
    assert part.exact and part.certain and part.thin.size == 0
    check_tiling(part)
    check_witnesses(part)
    check_facets(part)
    if part.domain.dim == 2:
        check_euler(part)


# --------------------------------------------------------------------------- rounding-dead neurons
#
# A pre-activation that is zero only up to rounding is not zero in rational arithmetic: its
# sign decides its state, in every engine, the walk's probes and the certificate
# (regions.polyhedra.patterns_at).

#: Layer 1 neuron 0 computes relu(x) - relu(3x) * fl(1/3) + relu(y + 0.5): on x > 0,
#: y < -0.5 it is zero up to rounding (5.6e-17 * x in rational arithmetic).
ROUNDING_DEAD = regions.Network.from_layers([
    (np.array([[1.0, 0], [3, 0], [0, 1]]), np.array([0.0, 0, 0.5])),
    (np.array([[1.0, -1 / 3, 1], [2, 0, -1]]), np.array([0.0, -0.5])),
    (np.ones((1, 2)), np.zeros(1))])
#: relu(x - y) on the segment from (2, 2) to (0, 0), which lies on its hyperplane; the
#: segment's float basis is (-0.7071067811865472, -0.7071067811865475), so the
#: neuron's gradient along the segment is 2.2e-16 instead of 0.
ON_PLANE_SEGMENT = (regions.Network.from_layers([(np.array([[1.0, -1.0]]), np.zeros(1)),
                                                 (np.ones((1, 1)), np.zeros(1))]),
                    regions.segment([2, 2], [0, 0]))

@pytest.mark.parametrize("engine", ["split", "vertex", "walk"])
def test_rounding_dead_neuron_region_kept(engine):
    """The walk once lost a region here (its probes used the float forward pass, its
    constraints the constant rule); every engine and the certificate now use one rule."""
    part = regions.enumerate_regions(ROUNDING_DEAD, regions.box(-1, 1), method=engine)
    assert len(part) == 6 and regions.certify(part).ok
    assert part.exact and part.certain
    check_tiling(part)
    check_witnesses(part)
    check_facets(part)
    check_euler(part)


@pytest.mark.parametrize("engine", ["split", "vertex", "walk"])
def test_segment_on_a_hyperplane(engine):
    net, dom = ON_PLANE_SEGMENT
    part = regions.enumerate_regions(net, dom, method=engine)
    assert len(part) == 1 and part.patterns.tolist() == [[0]]
    check_tiling(part)
    check_witnesses(part)
    check_facets(part)


# --------------------------------------------------------------------------- touching neuron

#: h0 = relu(a (x - x0)), h1 = relu(c (x0 - x)) and g = -h0 / a - h1 / c = -|x - x0|, which
#: touches zero at x0 (up to rounding) without changing sign. In rational arithmetic the
#: rounded biases put the roots of h0 and h1 at two points x0' != x0'' near x0, so [0, 2 x0]
#: has three regions (g never changes sign). (Found by test_metamorphic: walk, segment,
#: change of coordinates.)
_A, _C, _X0 = 0.2462773794798815, 2.4771566697607628, 2.755715616377621
TOUCHING = regions.Network.from_layers([
    (np.array([[_A], [-_C]]), np.array([-_A * _X0, _C * _X0])),
    (np.array([[-1 / _A, -1 / _C]]), np.zeros(1)),
    (np.ones((1, 1)), np.zeros(1))])

@pytest.mark.parametrize("engine", ["split", "vertex", "walk"])
def test_touching_neuron_on_a_breakpoint(engine):
    """The walk once lost the neighbour here: its probe looked only at the facet's own
    neuron (g), which does not flip; now another neuron's flip across the facet counts."""
    from fractions import Fraction as Q

    roots = {-Q(-_A * _X0) / Q(_A), Q(_C * _X0) / Q(_C)}
    part = regions.enumerate_regions(TOUCHING, regions.box([0.0], [2 * _X0]), method=engine)
    assert len(part) == len(roots) + 1 and regions.certify(part).ok
    assert set(part.patterns[:, 2].tolist()) == {0}

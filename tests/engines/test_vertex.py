"""The vertex method (``method="vertex"``) against independent oracles (and the split method).

Every vertex partition is checked against a source independent of
``regions``: the oracles of ``oracles`` -- exact 1-D breakpoint sweep
(``line_partition``), 2-D polygon clipping (``polygon_partition``) and brute
force over activation patterns with Clarabel LPs (``brute_force_patterns``)
on domains rebuilt independently (``oracles.*_slice``); breakpoints of
one-layer networks placed on purpose and counted in the test; the network's
own forward pass at the witnesses. It is also compared with the split method
on the same input (a consistency check between engines, never the only
source of an expected count). An oracle that cannot decide an input skips
visibly; the seeds below are chosen so that none does.
No expected count comes from ``regions`` itself.
"""

import json

import dataclasses

from fractions import Fraction

import numpy as np
import pytest

import regions
from regions.engines import vertex
from regions.random_networks import random_network
from regions.io.partitions import read_json

import oracles
from oracles import hidden, pattern_set, random_net, unambiguous

# --------------------------------------------------------------------------- helpers


def vertex_and_split(net, domain, per_layer=None):
    """Both partitions; asserts they are complete, distinct-patterned and have one pattern set.

    With ``per_layer`` (an oracle's region counts of the truncated networks), both
    partitions' ``per_layer`` must equal it. Returns the common pattern set (tuples of ints).
    """
    vertex = regions.enumerate_regions(net, domain, method="vertex")
    split = regions.enumerate_regions(net, domain, method="split")
    assert vertex.method == "vertex" and split.method == "split"
    assert vertex.complete and split.complete
    got_vertex, got_split = pattern_set(vertex), pattern_set(split)
    assert got_vertex == got_split, (
        f"vertex found {len(got_vertex)} regions, split {len(got_split)}; only vertex: "
        f"{sorted(got_vertex - got_split)}, only split: {sorted(got_split - got_vertex)}")
    # Same regions in the same (sorted) byte rows, as arrays.
    assert sorted(map(bytes, vertex.patterns)) == sorted(map(bytes, split.patterns))
    # Regions of the truncated networks agree layer by layer too.
    assert list(vertex.per_layer) == list(split.per_layer)
    assert vertex.per_layer[-1] == len(vertex)
    if per_layer is not None:
        assert list(vertex.per_layer) == list(per_layer)
    # Witnesses lie in the domain; margins above min_radius except the regions reported thin,
    # the same ones for both engines.
    dom = vertex.domain
    assert np.all(vertex.witnesses @ dom.A.T < dom.b + 1e-12)
    wide = np.setdiff1d(np.arange(len(vertex)), vertex.thin)
    assert np.all(vertex.margins[wide] > vertex.min_radius * vertex.scale)
    assert sorted(map(bytes, vertex.patterns[vertex.thin])) == sorted(
        map(bytes, split.patterns[split.thin]))
    return got_vertex


SQUARE_SLICE_2 = oracles.box_slice([-1, -1], [1, 1])


def rotation(n, seed):
    """A proper rotation of R^n (QR of a Gaussian matrix, signs fixed, det +1)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


# --------------------------------------------------------------------------- domains
#
# Each spec builds the ``regions`` domain, the oracle's independent Slice, and for working
# dimension 1 the interval (origin, unit direction, t_lo, t_hi) / for dimension 2 the
# counter-clockwise polygon of the domain in working coordinates.


def domain_specs(n):
    """Domain specs for networks with ``n`` inputs: name -> builder(). The unbounded ones
    (all of R^n, a line, a plane) start the vertex engine from cones with rays."""
    specs = {}

    def whole():
        extra = ({"interval": (np.zeros(1), np.ones(1), -np.inf, np.inf)} if n == 1 else
                 {"whole_plane": True} if n == 2 else {})
        return regions.whole_space(), oracles.whole_slice(n), extra
    specs["whole"] = whole

    if n in (2, 4):
        def unbounded_line():
            rng = np.random.default_rng(300 + n)
            p0, p1 = rng.normal(0.0, 0.5, size=n), rng.normal(0.0, 0.5, size=n)
            length = np.linalg.norm(p1 - p0)
            return (regions.line(p0, p1), oracles.line_slice(p0, p1),
                    {"interval": (p0, (p1 - p0) / length, -np.inf, np.inf)})
        specs["line"] = unbounded_line

    if n == 3:
        def unbounded_plane():
            rng = np.random.default_rng(400 + n)
            p0, p1, p2 = (rng.normal(0.0, 0.3, size=n) for _ in range(3))
            return regions.plane(p0, p1, p2), oracles.plane_slice(p0, p1, p2), {}
        specs["plane_unbounded"] = unbounded_plane

    def box():
        lo, hi = -np.ones(n), np.ones(n)
        extra = ({"interval": (np.zeros(1), np.ones(1), -1.0, 1.0)} if n == 1 else
                 {"polygon": oracles.square(-1, 1)} if n == 2 else {})
        return regions.box(-1.0, 1.0), oracles.box_slice(lo, hi), extra
    specs["box"] = box

    def skew_box():
        lo = -np.linspace(0.6, 1.3, n)
        hi = np.linspace(1.1, 0.4, n)
        extra = {}
        if n == 1:
            extra = {"interval": (np.zeros(1), np.ones(1), lo[0], hi[0])}
        if n == 2:
            extra = {"polygon": np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]],
                                          [lo[0], hi[1]]])}
        return regions.box(lo, hi), oracles.box_slice(lo, hi), extra
    specs["skew_box"] = skew_box

    if n == 1:
        def interval_polytope():
            A, c = np.array([[2.0], [-1.0]]), np.array([1.4, 0.8])  # -0.8 <= x <= 0.7
            return (regions.polytope(A, c), oracles.polytope_slice(A, c),
                    {"interval": (np.zeros(1), np.ones(1), -0.8, 0.7)})
        specs["polytope"] = interval_polytope
    else:
        def simplex():
            # x_i >= -1 and sum x_i <= 0.5: a simplex with a right-angled corner at (-1, ..., -1).
            A = np.vstack([-np.eye(n), np.ones((1, n))])
            c = np.concatenate([np.ones(n), [0.5]])
            extra = ({"polygon": np.array([[-1.0, -1.0], [1.5, -1.0], [-1.0, 1.5]])}
                     if n == 2 else {})
            return regions.polytope(A, c), oracles.polytope_slice(A, c), extra
        specs["simplex"] = simplex

        def rotated_cube():
            # {x : |Q x|_inf <= 0.9}: the cube [-0.9, 0.9]^n rotated by Q^T.
            Q = rotation(n, 7 + n)
            A = np.vstack([Q, -Q])
            c = np.full(2 * n, 0.9)
            extra = ({"polygon": oracles.square(-0.9, 0.9) @ Q} if n == 2 else {})
            return regions.polytope(A, c), oracles.polytope_slice(A, c), extra
        specs["rotated_cube"] = rotated_cube

    if n >= 2:
        def plane_slice():
            rng = np.random.default_rng(100 + n)
            p0, p1, p2 = (rng.normal(0.0, 0.3, size=n) for _ in range(3))
            return (regions.plane(p0, p1, p2, lo=-0.8, hi=1.1),
                    oracles.plane_slice(p0, p1, p2, -0.8, 1.1),
                    {"polygon": oracles.square(-0.8, 1.1)})
        specs["plane"] = plane_slice

    def segment():
        rng = np.random.default_rng(200 + n)
        p0 = rng.uniform(-1.0, -0.5, size=n)
        p1 = rng.uniform(0.5, 1.0, size=n)
        sl, length = oracles.segment_slice(p0, p1)
        return (regions.segment(p0, p1), sl,
                {"interval": (p0, (p1 - p0) / length, 0.0, length)})
    specs["segment"] = segment
    return specs


# --------------------------------------------------------------------------- 1. random networks

NETWORKS = {
    # name: (widths, activations, leaky slope)
    "relu": ([None, 6, 5, 1], ["relu", "relu", "identity"], 0.1),
    "leaky": ([None, 5, 5, 1], ["leaky_relu", "leaky_relu", "identity"], 0.1),
    "leaky_negative_slope": ([None, 5, 4, 1], ["leaky_relu", "leaky_relu", "identity"], -0.5),
    "hardtanh": ([None, 4, 4, 1], ["hardtanh", "hardtanh", "identity"], 0.1),
    "mixed": ([None, 4, 4, 2], ["hardtanh", "relu", "identity"], 0.1),
    "identity_middle": ([None, 5, 3, 4, 1], ["relu", "identity", "relu", "identity"], 0.1),
    "identity_middle_hardtanh": ([None, 4, 3, 3, 1],
                                 ["leaky_relu", "identity", "hardtanh", "identity"], 0.2),
    "three_hidden": ([None, 4, 4, 3, 1], ["relu", "relu", "relu", "identity"], 0.1),
}

SEEDS = {1: (0, 1), 2: (0, 1), 3: (0, 1), 4: (0,)}
CASES = [(n, dom, name, seed) for n in (1, 2, 3, 4) for dom in domain_specs(n)
         for name in NETWORKS for seed in SEEDS[n]]


def build(name, n, seed):
    widths, acts, slope = NETWORKS[name]
    return random_net([n] + widths[1:], acts, seed=seed, slope=slope)


@pytest.mark.parametrize("n,dom,name,seed", [
    pytest.param(*c, id="{}d-{}-{}-seed{}".format(*c),
                 marks=[pytest.mark.slow] if c[3] == 1 else [])    # seed 0 by default
    for c in CASES])
def test_vertex_matches_split_and_oracles(n, dom, name, seed):
    net = build(name, n, seed)
    domain, sl, extra = domain_specs(n)[dom]()
    # Working dimension 1: exact breakpoint sweep; 2: polygon clipping (also the region
    # counts of the truncated networks; all of R^2 through two large squares); 3 or 4: brute
    # force over patterns with Clarabel LPs.
    if "polygon" in extra or "whole_plane" in extra:
        truth = (unambiguous(oracles.whole_plane_partition, net) if "whole_plane" in extra
                 else unambiguous(oracles.polygon_partition, net, sl, extra["polygon"]))
        found = vertex_and_split(net, domain, per_layer=truth[1])
        assert found == set(truth[0])
        assert len(found) == len(truth[0])
        return
    found = vertex_and_split(net, domain)
    assert len(found) >= 1
    if "interval" in extra:
        origin, direction, lo, hi = extra["interval"]
        truth = unambiguous(oracles.line_partition, net, origin, direction, lo, hi)
        assert found == {iv.pattern for iv in truth}
        assert len(found) == len(truth)
    else:
        assert found == unambiguous(oracles.brute_force_patterns, net, sl)


BRUTE_CASES = [(3, "box", "relu"), (3, "simplex", "hardtanh"), (3, "rotated_cube", "leaky"),
               (3, "plane", "identity_middle"), (4, "box", "mixed"),
               (4, "rotated_cube", "relu"), (4, "plane", "leaky_negative_slope"),
               (4, "segment", "hardtanh")]


@pytest.mark.parametrize("n,dom,name", BRUTE_CASES,
                         ids=[f"{n}d-{d}-{m}" for n, d, m in BRUTE_CASES])
def test_vertex_matches_brute_force_in_3d_and_4d(n, dom, name):
    # Smaller widths than above, seed 3.
    widths, acts, slope = NETWORKS[name]
    small = [n] + [min(w, 3) for w in widths[1:-1]] + [widths[-1]]
    net = random_net(small, acts, seed=3, slope=slope)
    domain, sl, _ = domain_specs(n)[dom]()
    found = vertex_and_split(net, domain)
    assert found == unambiguous(oracles.brute_force_patterns, net, sl)


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_he_initialised_networks(n, seed):
    # The benchmark initialisation (small biases, hyperplanes crowding the centre).
    net = random_network([n, 6, 5, 1], seed=seed)
    if n == 2:
        patterns, per_layer, _ = oracles.unit_square_partition(net)
        assert vertex_and_split(net, regions.box(-1.0, 1.0), per_layer=per_layer) == set(patterns)
    else:
        truth = unambiguous(oracles.brute_force_patterns, net,
                            oracles.box_slice(-np.ones(n), np.ones(n)))
        assert vertex_and_split(net, regions.box(-1.0, 1.0)) == truth


def test_a_core_reuses_the_memory_of_the_last_one_released():
    """A released core's memory (stack, work space, results) goes to the next core: runs of
    other networks, of another dimension, in between change nothing of a run's regions, and
    a core built while another is alive starts with memory of its own. The regions are the
    unit square's partition of its own oracle."""
    net = random_network([2, 6, 5, 1], seed=1)
    patterns, _, _ = oracles.unit_square_partition(net)
    first = regions.enumerate_regions(net, regions.box(-1.0, 1.0), method="vertex")
    regions.enumerate_regions(random_network([3, 8, 8, 1], seed=2), regions.box(-1.0, 1.0),
                              method="vertex")
    alive = vertex.VertexEngine(random_network([4, 5, 1], seed=4),
                                regions.box(-1.0, 1.0).resolve(4))
    again = regions.enumerate_regions(net, regions.box(-1.0, 1.0), method="vertex")
    del alive
    assert {tuple(p) for p in first.patterns.tolist()} == set(patterns)
    for name in ("patterns", "witnesses", "margins"):
        assert np.array_equal(getattr(first, name), getattr(again, name))


def test_a_bounded_domain_s_first_cell_is_kept_for_the_next_run():
    """The first cell of a box or polytope is made once per domain (its contents) and kept,
    read-only; another box gets its own. Counts: one line cuts each box in two."""
    net = regions.Network.from_layers([([[1.0, 1.0]], [-0.5]), ([[1.0]], [0.0])])
    small, large = (regions.box(-1.0, 1.0).resolve(2), regions.box(-4.0, 4.0).resolve(2))
    first = vertex.bounded_root(small)
    assert vertex.bounded_root(regions.box(-1.0, 1.0).resolve(2)) is first
    assert not first.V.flags.writeable and not first.rows.flags.writeable
    assert vertex.bounded_root(large) is not first
    assert np.array_equal(vertex.bounded_root(large).V[:, :2], 4.0 * first.V[:, :2])
    for domain in (small, large, small):
        assert len(regions.enumerate_regions(net, domain, method="vertex")) == 2


def test_network_without_any_activation_is_one_region():
    net = regions.Network.from_layers([(np.array([[1.0, 2.0], [3.0, -1.0]]), np.zeros(2)),
                                       (np.ones((1, 2)), np.zeros(1))],
                                      ["identity", "identity"])
    part = regions.enumerate_regions(net, regions.box(-1, 1), method="vertex")
    # No neuron has a state: one region, the empty pattern (by definition).
    assert len(part) == 1 and part.patterns.shape == (1, 0)
    assert vertex_and_split(net, regions.box(-1, 1)) == {()}
    assert oracles.brute_force_patterns(net, SQUARE_SLICE_2) == {()}


# --------------------------------------------------------------------------- 2. degenerate inputs
#
# Every degenerate case (coincident, parallel and concurrent hyperplanes, dead neurons, zero
# rows, hyperplanes through vertices and along faces, integer-weight networks) is written once
# in tests/test_degenerate.py and runs there on every engine, vertex included, against its
# hand count and the exact rational oracles.

SQUARE_SLICE = oracles.box_slice([-1, -1], [1, 1])


# --------------------------------------------------------------------------- 3. one dimension


def placed_breakpoints(ts, activation, seed):
    """A 1-input one-layer network whose neuron j has a breakpoint at ``ts[j]``.

    relu / leaky: z_j = w_j (x - t_j). hardtanh: z_j = w_j (x - t_j) - 1, breaking at
    x = t_j and at x = t_j + 2 / w_j. Weights are dyadic, so all of it is exact.
    """
    rng = np.random.default_rng(seed)
    w = rng.choice([-4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0], size=len(ts))
    ts = np.asarray(ts, float)
    b = -w * ts
    if activation == "hardtanh":
        b = b - 1.0
    net = hidden(w[:, None], b, activation)
    points = set(ts.tolist())
    if activation == "hardtanh":
        points |= set((ts + 2.0 / w).tolist())
    return net, points


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "hardtanh"])
@pytest.mark.parametrize("seed", range(6), ids=[f"seed{s}" for s in range(6)])
def test_one_layer_1d_count_is_breakpoints_plus_one(activation, seed):
    rng = np.random.default_rng(50 + seed)
    lo, hi = -1.0, 1.5
    # Grid of multiples of 1/8 in [-2, 2]: some points repeat, some fall outside [lo, hi],
    # and the endpoints themselves are on the grid (a breakpoint there splits nothing).
    ts = rng.integers(-16, 17, size=int(rng.integers(3, 12))) / 8.0
    ts = np.concatenate([ts, [lo, hi]]) if seed % 2 else ts
    net, points = placed_breakpoints(ts, activation, seed)
    inside = {t for t in points if lo < t < hi}
    expected = len(inside) + 1
    for domain in (regions.box(lo, hi), regions.polytope([[1.0], [-1.0]], [hi, -lo])):
        part = regions.enumerate_regions(net, domain, method="vertex")
        assert len(part) == expected
        assert len(vertex_and_split(net, domain)) == expected
        # Witnesses interleave with the breakpoints: one per interval between them.
        edges = np.array([lo] + sorted(inside) + [hi])
        cells = np.searchsorted(edges, np.sort(part.witnesses[:, 0]))
        assert list(cells) == list(range(1, expected + 1))


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_one_layer_segment_count_is_crossings_plus_one(n, seed):
    # Along the segment p0 + s (p1 - p0), s in [0, 1], neuron j (row w_j) is placed to cross at
    # s_j from a grid of sixteenths: b_j = -(w_j . p0 + s_j w_j . (p1 - p0)), rounded, so
    # the exact crossing is -(b_j + w_j . p0) / (w_j . (p1 - p0)) in rationals. Crossings at
    # or outside 0 and 1, or repeated, add nothing new.
    rng = np.random.default_rng(seed)
    p0, p1 = rng.uniform(-1, 1, size=n), rng.uniform(-1, 1, size=n)
    k = int(rng.integers(3, 10))
    s = rng.integers(-4, 21, size=k) / 16.0
    W = rng.normal(size=(k, n))
    keep = np.abs(W @ (p1 - p0)) > 0.05   # transversal crossings only
    W, s = W[keep], s[keep]
    b = -(W @ p0 + s * (W @ (p1 - p0)))
    net = hidden(W, b, "relu")
    q0, q1 = [Fraction(v) for v in p0], [Fraction(v) for v in p1]
    crossings = {-(Fraction(bj) + sum(Fraction(w) * x for w, x in zip(wj, q0)))
                 / sum(Fraction(w) * (y - x) for w, x, y in zip(wj, q0, q1))
                 for wj, bj in zip(W, b)}
    expected = len({c for c in crossings if 0 < c < 1}) + 1
    domain = regions.segment(p0, p1)
    part = regions.enumerate_regions(net, domain, method="vertex")
    assert len(part) == expected
    assert len(vertex_and_split(net, domain)) == expected


@pytest.mark.parametrize("acts", [["relu", "relu", "identity"],
                                  ["hardtanh", "leaky_relu", "identity"],
                                  ["relu", "identity", "hardtanh", "identity"],
                                  ["relu", "relu", "relu", "identity"]],
                         ids=["relu", "hardtanh-leaky", "identity-middle", "deep-relu"])
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_deeper_1d_networks(acts, seed):
    widths = [1] + [6] * (len(acts) - 1) + [1]
    net = random_net(widths, acts, seed=seed)
    found = vertex_and_split(net, regions.box(-2.0, 2.0))
    truth = unambiguous(oracles.line_partition, net, np.zeros(1), np.ones(1), -2.0, 2.0)
    assert found == {iv.pattern for iv in truth}
    # And along a segment of a 3-input network.
    net3 = random_net([3] + widths[1:], acts, seed=seed)
    p0, p1 = np.array([-1.0, 0.5, 0.2]), np.array([1.0, -0.7, 0.4])
    found = vertex_and_split(net3, regions.segment(p0, p1))
    length = float(np.linalg.norm(p1 - p0))
    truth = unambiguous(oracles.line_partition, net3, p0, (p1 - p0) / length, 0.0, length)
    assert found == {iv.pattern for iv in truth}


# --------------------------------------------------------------------------- 4. usable regions

USABLE = {
    # name: (network, regions domain, oracle slice) builders
    "box2": (lambda: random_net([2, 5, 4, 2], ["relu", "hardtanh", "identity"], seed=4),
             lambda: (regions.box(-1.0, 1.0), oracles.box_slice([-1, -1], [1, 1]))),
    "simplex3": (lambda: random_net([3, 4, 4, 1], ["leaky_relu", "relu", "identity"], seed=5),
                 lambda: domain_specs(3)["simplex"]()[:2]),
    "plane4": (lambda: random_net([4, 5, 3, 4, 2], ["relu", "identity", "relu", "identity"],
                                  seed=6),
               lambda: domain_specs(4)["plane"]()[:2]),
    "segment3": (lambda: random_net([3, 5, 5, 1], ["hardtanh", "relu", "identity"], seed=7),
                 lambda: domain_specs(3)["segment"]()[:2]),
    "box4": (lambda: random_net([4, 4, 3, 1], ["relu", "relu", "identity"], seed=8),
             lambda: (regions.box(-1.0, 1.0), oracles.box_slice(-np.ones(4), np.ones(4)))),
}


@pytest.mark.parametrize("case", list(USABLE))
def test_vertex_regions_are_usable(case):
    make_net, make_domain = USABLE[case]
    net, (domain, sl) = make_net(), make_domain()
    part = regions.enumerate_regions(net, domain, method="vertex")
    split = regions.enumerate_regions(net, domain, method="split")
    assert part.method == "vertex" and len(part) >= 3
    # The regions themselves: brute force over patterns (Clarabel LPs).
    assert pattern_set(part) == unambiguous(oracles.brute_force_patterns, net, sl)
    # Largest inscribed radius of each pattern's polyhedron, solved independently (batched).
    rows = [oracles.pattern_polyhedron(net, sl, tuple(int(v) for v in p)) for p in part.patterns]
    radii = [r for _, r in oracles.inscribed_balls(rows, part.domain.dim, cap=1e3)]
    by_pattern = {bytes(p): i for i, p in enumerate(split.patterns)}
    dom = part.domain
    for i in range(len(part)):
        region = part[i]
        w = np.asarray(region.witness, float)
        assert np.array_equal(w, part.witnesses[i])
        assert np.array_equal(region.pattern, part.patterns[i])
        # Strictly inside its own H-representation and inside the domain.
        assert region.A.shape[1] == dom.dim and region.A.shape[0] == region.b.shape[0]
        assert np.all(region.A @ w < region.b)
        assert np.all(region.A @ w + region.margin <= region.b + 1e-9)
        assert region.contains(w[None, :]).all()
        assert dom.contains(w[None, :]).all()
        # The forward pass at the witness: its pattern, and the affine map's value.
        x = dom.to_input(w)
        assert np.array_equal(net.activation_pattern(x), region.pattern)
        assert np.array_equal(oracles.true_patterns(net, x[None, :])[0], region.pattern)
        assert np.allclose(region.C @ w + region.d, net.forward(x), rtol=1e-9, atol=1e-9)
        # Points near the witness, within the margin, share the map.
        rng = np.random.default_rng(i)
        Z = w + 0.9 * region.margin * rng.uniform(-1, 1, size=(5, dom.dim)) / np.sqrt(dom.dim)
        assert np.allclose(Z @ region.C.T + region.d, net.forward(dom.to_input(Z)),
                           rtol=1e-8, atol=1e-8)
        # Labels decode to a neuron breakpoint or a domain face.
        for label in region.labels:
            info = part.describe_label(label)
            assert "layer" in info or 0 <= info["domain_face"] < dom.A.shape[0]
        # The same region as the split method's: same facets (labels), rows, and affine map.
        other = split[by_pattern[bytes(region.pattern)]]
        kept_rows = other.labels
        other = dataclasses.replace(other, **dict(zip("A b labels".split(), regions.minimal_rows(
            other.A, other.b, other.labels))))
        # the split engine keeps every facet (and maybe rows later cuts hid)
        assert set(other.labels.tolist()) <= set(kept_rows.tolist())
        assert sorted(region.labels.tolist()) == sorted(other.labels.tolist())
        order, other_order = np.argsort(region.labels), np.argsort(other.labels)
        for A, b in ((region.A, region.b), (other.A, other.b)):   # rows as unit rows
            norms = np.linalg.norm(A, axis=1)
            A /= norms[:, None]
            b /= norms
        assert np.allclose(region.A[order], other.A[other_order], atol=1e-9)
        assert np.allclose(region.b[order], other.b[other_order], atol=1e-9)
        assert np.allclose(region.C, other.C, atol=1e-9) and np.allclose(region.d, other.d,
                                                                          atol=1e-9)
        # The vertex witness's ball is no larger than the largest inscribed ball.
        assert region.margin <= other.margin * (1 + 1e-6) + 1e-12
        assert region.margin <= radii[i] * (1 + 1e-6) + 1e-9


def test_vertex_partition_summary_and_json(tmp_path):
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    part = regions.enumerate_regions(net, regions.box(-1.0, 1.0), method="vertex")
    truth = oracles.polygon_partition(net, SQUARE_SLICE, oracles.square(-1, 1))[0]
    assert pattern_set(part) == set(truth)
    summary = part.summary()
    assert summary["method"] == "vertex"
    assert summary["regions"] == len(part) == len(truth)
    assert summary["complete"] is True and summary["domain"] == "box" and summary["dim"] == 2
    text = regions.write_json(part, tmp_path / "vertex.json")
    data = json.loads(text)
    assert len(data["regions"]) == len(truth)
    back = read_json(tmp_path / "vertex.json")
    assert back.method == "vertex"
    assert np.array_equal(back.patterns, part.patterns)
    assert np.array_equal(back.witnesses, part.witnesses)
    for region, y in zip(back, net.forward(back.witnesses)):
        assert np.allclose(region.C @ region.witness + region.d, y)
    # The completeness certificate accepts a vertex partition.
    assert regions.certify(part).ok


def test_vertex_refuses_more_cones_than_it_can_start_from():
    """A full-rank first layer on R^21 would start from 2^21 cones: refused at once (auto
    takes the split engine)."""
    net = random_network([21, 21, 1], seed=0)
    with pytest.raises(regions.DomainError, match="2\\^21 cones"):
        regions.enumerate_regions(net, method="vertex")
    assert regions.enumerate_regions(net, method="auto", max_regions=5).method == "split"


def test_vertex_refuses_a_box_whose_first_cut_would_take_minutes():
    """A cut tests pairs of a cell's vertices: the 2^14 corners of a 14-D box made the first
    cut take 24 s, with no control acting inside it. Refused at once, before any corner
    is built (auto takes the split engine); 12-D boxes are still taken."""
    net = random_network([14, 14, 1], seed=0)
    with pytest.raises(regions.DomainError, match="2\\^14 corners"):
        regions.count_regions(net, regions.box(0, 1), method="vertex")
    assert regions.count_regions(net, regions.box(0, 1), max_regions=5).method == "split"
    small = random_network([12, 2, 1], seed=0)
    assert regions.count_regions(small, regions.box(0, 1), method="vertex").method == "vertex"


# --------------------------------------------------------------------------- 5. refusals


@pytest.mark.parametrize("domain,n", [
    (regions.polytope([[1.0, 0], [0, 1]], [1.0, 1.0]), 2),
    (regions.polytope([[1.0, 0], [-1, 0]], [1.0, 1.0]), 2),   # a slab: bounded in x only
], ids=["quadrant", "slab"])
def test_vertex_refuses_unbounded_domains_with_faces(domain, n):
    net = random_net([n, 3, 1], ["relu", "identity"], seed=0)
    with pytest.raises(regions.DomainError, match="without faces, not an unbounded polytope"):
        regions.enumerate_regions(net, domain, method="vertex")
    # DomainError is the package's ValueError family.
    assert issubclass(regions.DomainError, regions.RegionsError)
    assert issubclass(regions.DomainError, ValueError)


# --------------------------------------------------------------------------- 6. unbounded domains


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
def test_first_layer_of_low_rank_on_the_whole_space(rank, seed):
    # The first layer's rows span only ``rank`` of the 3 input directions: every region is a
    # cylinder along the others, which the vertex engine carries in ``rank`` coordinates.
    # Small integer factors, so that the product is exact and its rank exactly ``rank``.
    rng = np.random.default_rng(seed)
    W1 = (rng.integers(-3, 4, size=(5, rank)) @ rng.integers(-3, 4, size=(rank, 3))).astype(float)
    net = regions.Network.from_layers([(W1, rng.normal(size=5)),
                                       (rng.normal(size=(4, 5)), rng.normal(size=4)),
                                       (rng.normal(size=(1, 4)), np.zeros(1))])
    found = vertex_and_split(net, regions.whole_space())
    assert found == unambiguous(oracles.brute_force_patterns, net, oracles.whole_slice(3))
    part = regions.enumerate_regions(net, method="vertex")
    # Witnesses in input space carry their region's pattern (independent forward pass).
    X = part.input_witnesses
    assert np.all((oracles.true_patterns(net, X) == part.patterns) | ~oracles.decisive(net, X))


def test_nearly_parallel_first_layer_on_the_whole_plane():
    # Two first-layer lines at an angle of 3e-9 meet ~1.7e8 away: the vertex engine's cones
    # start from that exact apex; 4 regions (Zaslavsky), as the exact oracle finds. "auto"
    # prefers the split engine for so ill-conditioned an apex (MAX_APEX_CONDITION).
    net = hidden([[1.0, 0.0], [1.0, 3e-9]], [0.0, 0.5])
    truth = oracles.exact_patterns(net, oracles.whole_slice(2))
    assert len(truth) == oracles.zaslavsky(2, 2)
    for method in ("vertex", "split", "auto"):
        part = regions.enumerate_regions(net, method=method)
        assert pattern_set(part) == truth
        assert part.method == ("split" if method == "auto" else method)


def test_a_crossing_between_nearly_opposite_rays_is_exact():
    # y = -1e-13 x and y = 1e-13 x bound a cone whose rays (1, 1e-13) and (-1, 1e-13) are
    # nearly opposite; the second layer's breakpoint x = 0 (h1 - h2 = -2e-13 x) crosses the
    # edge between them. The ends' values are certified, but the float crossing ray
    # (their difference, nearly zero) has an error bound too large to orient it (times
    # sqrt(dim) at least 1/4), so it is computed again exactly: the engine's second exact
    # crossing branch. 4 cones, the upper one cut in two: 5 regions, as the exact
    # brute force finds.
    net = regions.Network.from_layers([([[-1e-13, 1.0], [1e-13, 1.0]], [0.0, 0.0]),
                                       ([[1.0, -1.0]], [0.0]), ([[1.0]], [0.0])],
                                      ["relu", "relu", "identity"])
    truth = oracles.exact_patterns(net, oracles.whole_slice(2))
    assert len(truth) == 5
    part = regions.enumerate_regions(net, method="vertex")
    assert pattern_set(part) == truth and part.exact_decisions > 0
    assert regions.count_regions(net, method="vertex").regions == 5


def test_rays_crossed_from_crossed_rays_stay_in_float():
    # Three layers on all of R^3: a ray crossed from rays that were crossed themselves
    # compounds their error bounds, and one past a quarter of its length went to exact
    # arithmetic (19 crossings here; about one ray crossing in ten on [4, 64, 64, 64, 1],
    # which then counted 7x slower). Its ends are now solved anew in float from their tight
    # rows and the crossing taken again: no exact decision, and the split engine's regions.
    net = random_network([3, 8, 8, 8, 1], seed=1)
    assert regions.count_regions(net, method="vertex").exact_decisions == 0
    vertex_and_split(net, regions.whole_space())


@pytest.mark.slow
def test_rays_crossed_from_crossed_rays_give_the_brute_force_regions():
    # The network above against the brute force over its activation patterns (about 20 s).
    net = random_network([3, 8, 8, 8, 1], seed=1)
    assert pattern_set(regions.enumerate_regions(net, method="vertex")) == (
        oracles.brute_force_patterns(net, oracles.whole_slice(3)))


def test_a_constant_gradient_is_decided_once_per_neuron_and_cell():
    # A second layer after a hard-tanh layer, on all of R^2: on a first-layer cell where
    # some of its neurons' gradients are zero up to their error bounds, each such neuron is
    # checked exactly once, whether it has two breakpoints (hard-tanh) or one (ReLU, the same
    # weights on the same first-layer cells): the same exact decisions (a hard-tanh neuron
    # took two, one per breakpoint). The regions are the brute force's.
    net = random_network([2, 8, 8, 1], seed=2, activation="hardtanh")
    relu = regions.Network.from_layers([(layer.weight, layer.bias) for layer in net.layers],
                                       ["hardtanh", "relu", "identity"])
    part = regions.enumerate_regions(net, method="vertex")
    assert pattern_set(part) == oracles.brute_force_patterns(net, oracles.whole_slice(2))
    hardtanh = part.exact_decisions
    assert hardtanh > 0 and hardtanh == regions.count_regions(relu, method="vertex").exact_decisions


def test_generators_sharing_dim_minus_1_rows_of_lower_rank_are_not_an_edge():
    # x1 = 0, x2 = 0 and x1 + x2 = 0 meet in the plane x1 = x2 = 0 (x3 + 3 and x4 + 3 are on
    # in the box: they pass its inputs on). Its square's corners in [-1, 1]^4 are tight on
    # five rows, and opposite corners share three (dim - 1) of rank 2: no edge joins them,
    # though the count of shared rows alone says one (a generator tight on exactly dim rows
    # is joined to each that shares dim - 1, and only then is the edge test skipped). The
    # second layer crosses those diagonals. The regions are the exact oracle's (taking any
    # pair that shares dim - 1 rows for an edge fails here).
    W1 = np.array([[1.0, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    W2 = np.array([[0.25, -0.5, 0.5, 1, 1], [0.5, 0.25, -1, 1, -1], [1, 1, 1, 1, 0.5]])
    net = regions.Network.from_layers([(W1, [0.0, 0, 0, 3, 3]), (W2, [-5.9, 0.2, -6.3]),
                                       (np.ones((1, 3)), [0.0])], ["relu", "relu", "identity"])
    lo, hi = -np.ones(4), np.ones(4)
    part = regions.enumerate_regions(net, regions.box(lo, hi), method="vertex")
    assert pattern_set(part) == oracles.exact_patterns(net, oracles.box_slice(lo, hi))


def test_first_layer_of_rank_lower_up_to_rounding_goes_to_split():
    # A rank-2 product of Gaussian factors, rounded: rank 3 exactly, with a condition number
    # near 1e16 at the apex: "auto" takes the split engine, which agrees with the exact oracle.
    rng = np.random.default_rng(1)
    W1 = rng.normal(size=(5, 2)) @ rng.normal(size=(2, 3))
    net = regions.Network.from_layers([(W1, rng.normal(size=5)), (np.ones((1, 5)), np.zeros(1))])
    part = regions.enumerate_regions(net)
    assert part.method == "split"
    assert pattern_set(part) == oracles.exact_patterns(net, oracles.whole_slice(3))


@pytest.mark.parametrize("dim,width", [(1, 5), (2, 9), (3, 7), (4, 8)])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_one_layer_on_the_whole_space_is_zaslavsky(dim, width, seed):
    net = random_net([dim, width, 1], ["relu", "identity"], seed)
    part = regions.enumerate_regions(net, method="vertex")
    assert len(part) == oracles.zaslavsky(width, dim)
    assert part.lps == 0            # no LP: the cones start from the exact apex


GRAZING_FIRST_LAYER = (np.array([[2.0, -2.0, 1.0], [1.0, 1.0, -1.0], [1.0, 1.0, -1.0],
                                  [1.0, 1.0000000000001, -1.0]]),
                        np.array([0.0, -1.0000000000000002, -1.0, -1.0]))


@pytest.mark.parametrize("second, activation, slope, count", [
    ((np.array([[2.0, 1.0, 0.0, -2.0], [-1.0, 1.0, 0.0, 2.0]]), np.array([2.0, 0.0])),
     "relu", 0.0, 22),
    ((np.array([[2.0, 1.0, 0.0, -2.0], [-1.0, 1.0, 0.0, 2.0], [-2.0, -2.0, 0.0, -1.0]]),
      np.array([2.0, 0.0, 2.0])), "leaky_relu", -1.0, 72)])
def test_planes_one_ulp_apart_beside_a_grazing_one(second, activation, slope, count):
    # Found by fuzzing (apex condition about 1e13, below VERTEX_APEX_LIMIT): all of R^3, two
    # exactly parallel planes x + y - z = 1 and = 1 + 2^-52 and a third x + (1 + 1e-13) y -
    # z = 1. The first layer's cell (1,1,1,1) is a wedge whose two rays in the plane
    # 2x - 2y + z = 0 are nearly opposite; the second layer's first hyperplane crosses the
    # edge between them. The exact crossing was oriented by the float midpoint of its ends
    # (nearly 0), got the wrong sign, and the engine reported regions that do not exist
    # (23 of 22; 76 of 72 with leaky slope -1). The crossing is now combined from the exact
    # ends.
    net = regions.Network.from_layers(
        [GRAZING_FIRST_LAYER, second, (np.ones((1, len(second[1]))), np.zeros(1))],
        [activation, activation, "identity"], **({"slope": slope} if slope else {}))
    truth = oracles.exact_patterns(net, oracles.whole_slice(3))
    assert len(truth) == count
    assert pattern_set(regions.enumerate_regions(net)) == truth
    assert pattern_set(regions.enumerate_regions(net, method="vertex")) == truth


def test_an_apex_of_rank_lower_up_to_rounding_is_refused():
    # Found by fuzzing: five planes through the origin of R^3 whose every 3x3 determinant is
    # below 2e-15 (the apex's condition number is 3e16). The vertex engine's cones gave the
    # right count with four wrong patterns, so it refuses such an apex before any work;
    # "auto" and the split engine agree with the exact oracle. The estimate of so large a
    # condition number depends on the CPU's LAPACK kernels (3e16 on one machine, 9.4e15 on
    # another): the test asks only that it is beyond the limit.
    h = float.fromhex
    W = np.array([[h('-0x1.8fb03d9718d39p+0'), h('0x1.dde6a2436fafbp-1'), h('0x1.58ccd6b77dee8p+0')],
                  [h('-0x1.2cf82b7e222fap-1'), h('-0x1.41c7eb093a92dp+0'), h('-0x1.3abfa538d5eb6p-3')],
                  [h('0x1.7b8bbf18974acp+1'), h('-0x1.c5d1192f6f13bp+0'), h('-0x1.476c79599b427p+1')],
                  [h('0x1.c1b615e91aa3bp-3'), h('-0x1.0cdb2fb55888fp-3'), h('-0x1.83f41630a9f80p-3')],
                  [h('-0x1.a37669ad7dc90p+1'), h('0x1.7e54b4be13df6p-1'), h('0x1.2a19ba48a6287p+1')]])
    net = regions.Network.from_layers([(W, np.zeros(5)), (np.zeros((1, 5)), np.zeros(1))])
    with pytest.raises(regions.DomainError, match=r"condition number \d\.\de\+1[5-9].*method='split'"):
        regions.enumerate_regions(net, method="vertex")
    truth = oracles.exact_patterns(net, oracles.whole_slice(3))
    assert len(truth) == 22
    for method in ("split", "auto"):
        assert pattern_set(regions.enumerate_regions(net, method=method)) == truth

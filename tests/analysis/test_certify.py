"""The completeness certificate.

A certificate is only worth something if it fails when it should, so most
tests break a correct partition on purpose (remove, duplicate, enlarge or
relabel a region) and check that the right violation names the right
regions. Clean verdicts are checked on networks of every activation, on
boxes, the whole space, plane slices and segments. Expected facet and
adjacency counts never come from ``regions`` (``adjacency_graph`` shares
``facets.crossings`` with the certificate): they are worked out by hand for
line arrangements, and the neighbours a removed region leaves uncovered are
the regions whose polygon shares a side with its polygon in the oracle's
independent clipping (``oracles.polygon_partition``); the missing pattern is
compared with the independent forward pass ``oracles.true_patterns`` at the
removed region's witness. With max layers, the edges and the neighbours of a removed
region come from the exact brute force (``rational_oracle.brute_force_adjacency``).
"""

import dataclasses
import io

import numpy as np
import pytest

import regions
from regions.analysis.certify import certify
from regions.cli import EXIT_CERTIFICATE_FAILED, certify_and_report
from regions.io.partitions import pattern_string

import oracles
import rational_oracle as ro
from max_networks import max_net, pooled, random_maxout
from nets import one_layer
from oracles import random_net

ACTIVATIONS = ["relu", "leaky_relu", "hardtanh"]


def rebuilt(part, regions_):
    """A partition of ``part``'s network, domain and counters holding ``regions_``."""
    counters = {name: getattr(part, name) for name in ("per_layer", "lps", "seconds",
                                                        "lp_seconds", "min_radius", "scale")}
    return regions.Partition.from_regions(part.network, part.domain, regions_, **counters)


def with_rows(part, target, keep):
    """``part`` with region ``target`` keeping only the constraint rows ``keep``."""
    regions_ = list(part)
    region = regions_[target]
    regions_[target] = dataclasses.replace(region, A=region.A[keep], b=region.b[keep],
                                           labels=region.labels[keep])
    return rebuilt(part, regions_)


def kinds(certificate):
    return {v.kind for v in certificate.violations}


def key(pattern):
    return tuple(int(s) for s in pattern)


SETTINGS = [([2, 5, 4, 1], (-1, 1)), ([3, 4, 3, 1], (-1, 1)), ([2, 4, 3, 1], None),
            ([1, 5, 5, 1], (-2, 2))]
CLEAN_CASES = [(a, w, d, s) for a in ACTIVATIONS for w, d in SETTINGS for s in range(2)]


@pytest.mark.parametrize("activation, widths, lo_hi, seed",
                         [pytest.param(*case, marks=[pytest.mark.slow] if case[3] else [])
                          for case in CLEAN_CASES],
                         ids=[f"{a}-{w}-{'whole' if d is None else 'box'}-seed{s}"
                              for a, w, d, s in CLEAN_CASES])
def test_clean_on_random_networks(activation, widths, lo_hi, seed):
    net = random_net(widths, [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, None if lo_hi is None else regions.box(*lo_hi))
    certificate = certify(part)
    assert certificate.ok, certificate.report()
    assert certificate.regions == len(part)
    assert certificate.facets == certificate.interior_facets + certificate.boundary_facets
    assert 2 * certificate.edges == certificate.interior_facets
    assert (certificate.boundary_facets > 0) == (lo_hi is not None)


def test_clean_on_slices():
    net = random_net([3, 5, 4, 1], ["relu", "relu", "identity"], seed=4)
    plane = regions.plane([0, 0, 0], [1, 0.2, 0], [0, 1, 0.5], lo=-1, hi=1)
    segment = regions.segment([-1, -1, 0], [1, 0.5, 1])
    for domain in (plane, segment):
        certificate = certify(regions.enumerate_regions(net, domain))
        assert certificate.ok, certificate.report()


def test_three_lines_in_a_box_counted_by_hand():
    # Lines x = 0.5, y = 0.5 and x + y = 0.2 in [-1, 1]^2. Their three crossings
    # (0.5, 0.5), (0.5, -0.3), (-0.3, 0.5) are inside the box, so each line is cut into
    # 3 pieces: 9 shared facets (graph edges), 18 interior facets counted per region,
    # and 1 + 3 + 3 = 7 regions. The box sides are cut by the lines' 6 ends: left by
    # y = 0.5 (2 pieces), right by y = 0.5 and the diagonal (3), top by x = 0.5 and the
    # diagonal (3), bottom by x = 0.5 (2): 10 boundary facets.
    # (Euler: V = 4 corners + 6 ends + 3 crossings = 13, E = 9 + 10 = 19, F = 7: 13-19+7 = 1.)
    net = one_layer([[1, 0], [0, 1], [1, 1]], [-0.5, -0.5, -0.2])
    certificate = certify(regions.enumerate_regions(net, regions.box(-1, 1)))
    assert certificate.ok, certificate.report()
    assert (certificate.regions, certificate.edges) == (7, 9)
    assert (certificate.interior_facets, certificate.boundary_facets) == (18, 10)
    assert certificate.facets == 28 and certificate.degenerate_facets == 0


@pytest.mark.parametrize("lines", [1, 2, 3, 5, 8])
def test_lines_in_general_position_in_the_plane(lines):
    # N lines in general position in R^2: each is cut into N pieces by the other N - 1, so
    # the graph has N^2 edges, each interior facet is seen from both sides (2 N^2) and
    # there are 1 + N + C(N, 2) regions (Zaslavsky); no boundary on the whole plane.
    rng = np.random.default_rng(lines)
    net = one_layer(rng.normal(size=(lines, 2)), rng.normal(size=lines))
    certificate = certify(regions.enumerate_regions(net))
    assert certificate.ok, certificate.report()
    assert certificate.regions == 1 + lines + lines * (lines - 1) // 2
    assert certificate.edges == lines ** 2
    assert certificate.interior_facets == 2 * lines ** 2
    assert certificate.boundary_facets == 0


def shares_a_side(P, Q, tol=1e-9):
    """Whether convex polygons ``P`` and ``Q`` (vertex arrays) share a side of positive length."""
    for a, b in zip(P, np.roll(P, -1, axis=0)):
        length = np.linalg.norm(b - a)
        u = (b - a) / length
        n = np.array([-u[1], u[0]])
        for c, e in zip(Q, np.roll(Q, -1, axis=0)):
            if abs(n @ (c - a)) < tol and abs(n @ (e - a)) < tol:
                s0, s1 = sorted((u @ (c - a), u @ (e - a)))
                if min(length, s1) - max(0.0, s0) > 1e-7:
                    return True
    return False


REMOVAL_CASES = [(a, s) for a in ACTIVATIONS for s in range(2)]


@pytest.mark.parametrize("activation, seed", [
    pytest.param(a, s, id=f"{a}-seed{s}", marks=[pytest.mark.slow] if s == 1 else [])
    for a, s in REMOVAL_CASES])
def test_removing_any_region_is_caught_by_its_neighbours(activation, seed):
    net = random_net([2, 5, 4, 1], [activation, activation, "identity"], seed)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    patterns, _, polygons = oracles.unit_square_partition(net)
    polygon_of = dict(zip(patterns, polygons))
    index = {key(p): i for i, p in enumerate(part.patterns)}
    assert set(index) == set(polygon_of)
    for removed in (0, len(part) // 2, len(part) - 1):
        mine = polygon_of[key(part.patterns[removed])]
        neighbours = {index[p] for p, poly in polygon_of.items()
                      if index[p] != removed and shares_a_side(mine, poly)}
        keep = [i for i in range(len(part)) if i != removed]
        certificate = certify(part.subset(keep))
        assert not certificate.ok
        assert kinds(certificate) == {"uncovered"}
        # Exactly the removed region's neighbours report it, by its true pattern.
        reporters = {keep[v.regions[0]] for v in certificate.violations}
        assert reporters == neighbours
        missing = oracles.true_patterns(net, part.witnesses[removed][None, :])[0]
        assert all(pattern_string(net, missing) in v.message
                   for v in certificate.violations)


def test_removing_a_cell_of_a_line_arrangement():
    # One layer: two cells are neighbours exactly when their sign vectors differ in one line.
    net = one_layer([[1, 0], [0, 1], [1, 1]], [-0.5, -0.5, -0.2])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    center = next(i for i, p in enumerate(part.patterns) if key(p) == (0, 0, 1))
    # The triangle (0.5, 0.5), (0.5, -0.3), (-0.3, 0.5) has x < 0.5, y < 0.5, x + y > 0.2:
    # its three sides lead to (1, 0, 1), (0, 1, 1) and (0, 0, 0).
    keep = [i for i in range(len(part)) if i != center]
    certificate = certify(part.subset(keep))
    reporters = {key(part.patterns[keep[v.regions[0]]]) for v in certificate.violations}
    assert kinds(certificate) == {"uncovered"}
    assert reporters == {(1, 0, 1), (0, 1, 1), (0, 0, 0)}


def test_duplicated_region_is_an_overlap():
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    doubled = part.subset(list(range(len(part))) + [3])
    certificate = certify(doubled)
    assert "duplicate_pattern" in kinds(certificate)
    duplicate = [v for v in certificate.violations if v.kind == "duplicate_pattern"]
    assert [v.regions for v in duplicate] == [(3, len(part))]


def test_enlarged_region_is_caught():
    # Drop one neuron facet of a region: its rows now include part of a neighbour. The
    # exact facets of its pattern name the missing row.
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=2)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    target = next(i for i in range(len(part)) if np.count_nonzero(part[i].labels >= 0) >= 2)
    region = part[target]
    drop = int(np.flatnonzero(region.labels >= 0)[0])
    keep = np.arange(len(region.b)) != drop
    broken = with_rows(part, target, keep)
    certificate = certify(broken)
    missing = [v for v in certificate.violations if v.kind == "row"]
    assert missing and all(v.regions == (target,) for v in missing)
    assert any("is a facet but not among the region's rows" in v.message for v in missing)


def test_swapped_patterns_fail_at_the_witnesses():
    net = random_net([2, 5, 4, 1], ["hardtanh", "hardtanh", "identity"], seed=0)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    patterns = part.patterns.copy()
    patterns[[0, 1]] = patterns[[1, 0]]
    swapped = [dataclasses.replace(part[i], pattern=patterns[i]) for i in range(len(part))]
    certificate = certify(rebuilt(part, swapped))
    witness = {v.regions for v in certificate.violations if v.kind == "witness"}
    assert witness == {(0,), (1,)}


def test_degenerate_facets_are_clean_and_counted():
    # Neuron 2 duplicates neuron 0 (scaled): its facets flip two neurons at once.
    W = np.array([[1.0, 0.3], [-0.4, 1.0], [2.0, 0.6]])
    b = np.array([0.1, -0.2, 0.2])
    net = regions.Network.from_layers([(W, b), (np.ones((1, 3)), np.zeros(1))])
    certificate = certify(regions.enumerate_regions(net, regions.box(-1, 1)))
    assert certificate.ok, certificate.report()
    # Two facets on the doubled line, each seen from both sides.
    assert certificate.degenerate_facets == 4


def test_incomplete_partition_is_reported():
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=3)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    certificate = certify(dataclasses.replace(part, complete=False, stop_reason="max_regions"))
    assert "incomplete" in kinds(certificate)


def test_certify_and_report_exit_codes():
    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed=0)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    stream = io.StringIO()
    assert certify_and_report(part, stream) == 0
    assert stream.getvalue().startswith("certificate: CLEAN")
    stream = io.StringIO()
    assert certify_and_report(part.subset(range(1, len(part))), stream) == EXIT_CERTIFICATE_FAILED
    text = stream.getvalue()
    assert text.startswith("certificate: FAILED") and "[uncovered]" in text


def test_summary_is_json_ready():
    import json

    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed=0)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    summary = certify(part.subset(range(1, len(part)))).summary()
    data = json.loads(json.dumps(summary))
    assert data["ok"] is False and data["violations"][0]["kind"] == "uncovered"


def test_region_missing_a_domain_face_is_caught():
    # A corner region that forgets one of the box's own rows reaches outside the domain.
    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed=6)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    target = next(i for i in range(len(part)) if np.any(part[i].labels < 0))
    region = part[target]
    keep = np.arange(len(region.b)) != int(np.flatnonzero(region.labels < 0)[0])
    broken = with_rows(part, target, keep)
    missing = [v for v in certify(broken).violations if v.kind == "row"]
    assert missing and all(v.regions == (target,) for v in missing)
    assert all("domain face" in v.message for v in missing)


# --------------------------------------------------------------------------- max layers


MAX_CASES = [(random_maxout(0), regions.box(-2, 2)), (random_maxout(1), None),
             (random_maxout(2, widths=(2, 3, 3), rank=3, tail="max"), regions.box(-2, 2)),
             (pooled(0), regions.box(-1.5, 1.5)),
             (random_maxout(7, widths=(3, 3, 2), rank=3),
              regions.plane([0.5, -1, 0], [1, 1, 0.5], [-1, 0.5, 1], lo=-2, hi=2))]


@pytest.mark.parametrize("net, domain", MAX_CASES, ids=["maxout-box", "maxout-whole",
                                                        "max-of-max", "pool", "plane"])
def test_max_layers_clean_with_the_brute_force_edges(net, domain):
    part = regions.enumerate_regions(net, domain)
    certificate = certify(part)
    assert certificate.ok, certificate.report()
    assert certificate.edges == len(ro.brute_force_adjacency(net, part.domain))
    assert certificate.interior_facets == 2 * certificate.edges


@pytest.mark.parametrize("net, domain", MAX_CASES[:1] + MAX_CASES[3:],
                         ids=["maxout-box", "pool", "plane"])
def test_removing_a_region_of_a_max_layer_is_caught_by_its_neighbours(net, domain):
    """The regions that report a removed one are its neighbours in the brute-force
    adjacency, and they name its pattern (a max unit's states as numbers)."""
    part = regions.enumerate_regions(net, domain)
    adjacent = ro.brute_force_adjacency(net, part.domain)
    for removed in (0, len(part) - 1):
        gone = key(part.patterns[removed])
        neighbours = {next(iter(pair - {gone})) for pair in adjacent if gone in pair}
        keep = [i for i in range(len(part)) if i != removed]
        certificate = certify(part.subset(keep))
        assert kinds(certificate) == {"uncovered"}
        assert {key(part.patterns[keep[v.regions[0]]])
                for v in certificate.violations} == neighbours
        assert all(pattern_string(net, part.patterns[removed]) in v.message
                   for v in certificate.violations)


def test_a_max_facet_missing_from_the_rows_is_named_by_its_pair():
    net = max_net([(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]), np.zeros(3)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2]]})
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    target = next(i for i in range(len(part)) if part.patterns[i][0] == 0)
    region = part[target]
    keep = region.labels != 0                          # drop the pair (0, 1): x = y
    certificate = certify(with_rows(part, target, keep))
    assert [v.message for v in certificate.violations if v.kind == "row"] == [
        "layer 0 unit 0 (pair 0,1) is a facet but not among the region's rows"]

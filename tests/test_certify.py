"""The completeness certificate.

A certificate is only worth something if it fails when it should, so most
tests break a correct partition on purpose (remove, duplicate, enlarge or
relabel a region) and check that the right violation names the right
regions. Clean verdicts are checked on networks of every activation, on
boxes, the whole space, plane slices and segments; the neighbours a removed
region leaves uncovered are read off the adjacency graph of the intact
partition, and the missing pattern is compared with the independent forward
pass ``oracles.true_patterns`` at the removed region's witness.
"""

import dataclasses
import io

import numpy as np
import pytest

import regions
from regions.certify import EXIT_CERTIFICATE_FAILED, certify, certify_and_report
from regions.graph import adjacency_graph
from regions.serialize import pattern_string

import oracles
from oracles import random_net

ACTIVATIONS = ["relu", "leaky_relu", "hardtanh"]


def subset(part, keep):
    """A partition holding only the regions ``keep`` (in that order)."""
    keep = list(keep)
    return dataclasses.replace(
        part, patterns=part.patterns[keep], witnesses=part.witnesses[keep],
        margins=part.margins[keep], _rows=[part._rows[i] for i in keep],
        _maps=[part._maps[i] for i in keep], _cache={})


def kinds(certificate):
    return {v.kind for v in certificate.violations}


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_clean_on_random_networks(activation):
    settings = [([2, 5, 4, 1], regions.box(-1, 1)), ([3, 4, 3, 1], regions.box(-1, 1)),
                ([2, 4, 3, 1], None), ([1, 5, 5, 1], regions.box(-2, 2))]
    for seed in range(2):
        for widths, domain in settings:
            net = random_net(widths, [activation, activation, "identity"], seed)
            part = regions.enumerate(net, domain)
            certificate = certify(part)
            assert certificate.ok, certificate.report()
            assert certificate.regions == len(part)
            assert certificate.facets == certificate.interior_facets + certificate.boundary_facets
            assert 2 * certificate.edges == certificate.interior_facets
            assert (certificate.boundary_facets > 0) == (domain is not None)


def test_clean_on_slices():
    net = random_net([3, 5, 4, 1], ["relu", "relu", "identity"], seed=4)
    plane = regions.plane([0, 0, 0], [1, 0.2, 0], [0, 1, 0.5], lo=-1, hi=1)
    segment = regions.segment([-1, -1, 0], [1, 0.5, 1])
    for domain in (plane, segment):
        certificate = certify(regions.enumerate(net, domain))
        assert certificate.ok, certificate.report()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_removing_any_region_is_caught_by_its_neighbours(activation):
    for seed in range(2):
        net = random_net([2, 5, 4, 1], [activation, activation, "identity"], seed)
        part = regions.enumerate(net, regions.box(-1, 1))
        G = adjacency_graph(part)
        for removed in (0, len(part) // 2, len(part) - 1):
            keep = [i for i in range(len(part)) if i != removed]
            certificate = certify(subset(part, keep))
            assert not certificate.ok
            assert kinds(certificate) == {"uncovered"}
            # Exactly the removed region's graph neighbours report it, by its true pattern.
            reporters = {keep[v.regions[0]] for v in certificate.violations}
            assert reporters == set(G.neighbors(removed))
            missing = oracles.true_patterns(net, part.witnesses[removed][None, :])[0]
            assert all(pattern_string(net, missing) in v.message
                       for v in certificate.violations)


def test_duplicated_region_is_an_overlap():
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=1)
    part = regions.enumerate(net, regions.box(-1, 1))
    doubled = subset(part, list(range(len(part))) + [3])
    certificate = certify(doubled)
    found = kinds(certificate)
    assert {"duplicate_pattern", "overlap", "multiple"} <= found
    duplicate = [v for v in certificate.violations if v.kind == "duplicate_pattern"]
    assert [v.regions for v in duplicate] == [(3, len(part))]


def test_enlarged_region_is_unsound():
    # Drop one neuron facet of a region: its constraints now include part of a neighbour,
    # a full-dimensional piece with another pattern.
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=2)
    part = regions.enumerate(net, regions.box(-1, 1))
    target = next(i for i in range(len(part)) if np.count_nonzero(part[i].labels >= 0) >= 2)
    region = part[target]
    drop = int(np.flatnonzero(region.labels >= 0)[0])
    keep = np.arange(len(region.b)) != drop
    broken = dataclasses.replace(part, _cache={})
    broken._rows = list(part._rows)
    broken._rows[target] = (region.A[keep], region.b[keep], region.labels[keep])
    certificate = certify(broken)
    assert "unsound" in kinds(certificate)
    assert all(v.regions == (target,) for v in certificate.violations if v.kind == "unsound")
    assert "overlap" in kinds(certificate) or "multiple" in kinds(certificate)


def test_swapped_patterns_fail_at_the_witnesses():
    net = random_net([2, 5, 4, 1], ["hardtanh", "hardtanh", "identity"], seed=0)
    part = regions.enumerate(net, regions.box(-1, 1))
    patterns = part.patterns.copy()
    patterns[[0, 1]] = patterns[[1, 0]]
    certificate = certify(dataclasses.replace(part, patterns=patterns, _cache={}))
    witness = {v.regions for v in certificate.violations if v.kind == "witness"}
    assert witness == {(0,), (1,)}


def test_degenerate_facets_are_clean_and_counted():
    # Neuron 2 duplicates neuron 0 (scaled): its facets flip two neurons at once.
    W = np.array([[1.0, 0.3], [-0.4, 1.0], [2.0, 0.6]])
    b = np.array([0.1, -0.2, 0.2])
    net = regions.Network.from_layers([(W, b), (np.ones((1, 3)), np.zeros(1))])
    certificate = certify(regions.enumerate(net, regions.box(-1, 1)))
    assert certificate.ok, certificate.report()
    # Two facets on the doubled line, each seen from both sides.
    assert certificate.degenerate_facets == 4


def test_incomplete_partition_is_reported():
    net = random_net([2, 5, 4, 1], ["relu", "relu", "identity"], seed=3)
    part = regions.enumerate(net, regions.box(-1, 1))
    certificate = certify(dataclasses.replace(part, complete=False, stop_reason="max_regions"))
    assert "incomplete" in kinds(certificate)


def test_certify_and_report_exit_codes():
    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed=0)
    part = regions.enumerate(net, regions.box(-1, 1))
    stream = io.StringIO()
    assert certify_and_report(part, stream) == 0
    assert stream.getvalue().startswith("certificate: CLEAN")
    stream = io.StringIO()
    assert certify_and_report(subset(part, range(1, len(part))), stream) == EXIT_CERTIFICATE_FAILED
    text = stream.getvalue()
    assert text.startswith("certificate: FAILED") and "[uncovered]" in text


def test_summary_is_json_ready():
    import json

    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed=0)
    part = regions.enumerate(net, regions.box(-1, 1))
    summary = certify(subset(part, range(1, len(part)))).summary()
    data = json.loads(json.dumps(summary))
    assert data["ok"] is False and data["violations"][0]["kind"] == "uncovered"


def test_region_missing_a_domain_face_is_unsound():
    # A corner region that forgets one of the box's own rows reaches outside the domain.
    net = random_net([2, 4, 3, 1], ["relu", "relu", "identity"], seed=6)
    part = regions.enumerate(net, regions.box(-1, 1))
    target = next(i for i in range(len(part)) if np.any(part[i].labels < 0))
    region = part[target]
    keep = np.arange(len(region.b)) != int(np.flatnonzero(region.labels < 0)[0])
    broken = dataclasses.replace(part, _cache={})
    broken._rows = list(part._rows)
    broken._rows[target] = (region.A[keep], region.b[keep], region.labels[keep])
    unsound = [v for v in certify(broken).violations if v.kind == "unsound"]
    assert unsound and all(v.regions == (target,) for v in unsound)
    assert all("domain face" in v.message for v in unsound)

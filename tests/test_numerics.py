"""Scale invariance, determinism, near-degenerate reporting, exact rational re-checks (with
max units: the exact maps against ``rational_oracle.pattern_system``, ties by hand)."""

import numpy as np
import pytest

import regions
from flint import fmpq

from regions.analysis.witnesses import exact_affine_map, exact_check
from regions.random_networks import random_network

import rational_oracle as ro
from max_networks import max_net, pooled, random_maxout


def rescaled(net, factors_per_layer):
    """Scale each hidden neuron's row and bias by a positive factor, the next layer's columns inversely.

    For ReLU and leaky ReLU this leaves the computed function, and so the regions, unchanged.
    """
    pairs, incoming = [], None
    for layer, factors in zip(net.layers, factors_per_layer + [None]):
        W, b = layer.weight.copy(), layer.bias.copy()
        if incoming is not None:
            W = W / incoming[None, :]
        if factors is not None:
            W, b = W * factors[:, None], b * factors
        pairs.append((W, b))
        incoming = factors
    return regions.Network.from_layers(pairs, net.activations)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("magnitude", [1e-4, 1e4])
def test_count_invariant_to_positive_neuron_scaling(seed, magnitude):
    net = random_network([2, 6, 6, 1], seed=seed)
    rng = np.random.default_rng(seed)
    factors = [magnitude * rng.uniform(0.5, 2.0, size=6) for _ in range(2)]
    base = regions.enumerate_regions(net, regions.box(-1, 1))
    scaled = regions.enumerate_regions(rescaled(net, factors), regions.box(-1, 1))
    assert set(map(bytes, scaled.patterns)) == set(map(bytes, base.patterns))
    # Same function: the affine maps agree at every witness.
    assert np.allclose(rescaled(net, factors).forward(scaled.witnesses), net.forward(scaled.witnesses))


@pytest.mark.parametrize("size", [1e-4, 1.0, 1e4])
def test_count_invariant_to_domain_size(size):
    """Zooming the domain and the first layer's input scale together changes nothing.

    The thin-report scale follows a domain smaller than the unit box (a power of two at
    least its half-width) and is 1 for a larger one (docs/tolerances.md).
    """
    net = random_network([2, 6, 6, 1], seed=7)
    W0, b0 = net.layers[0].weight, net.layers[0].bias
    pairs = [(W0 / size, b0)] + [(l.weight, l.bias) for l in net.layers[1:]]
    small = regions.Network.from_layers(pairs, net.activations)
    base = regions.enumerate_regions(net, regions.box(-1, 1))
    part = regions.enumerate_regions(small, regions.box(-size, size))
    assert set(map(bytes, part.patterns)) == set(map(bytes, base.patterns))
    assert min(size, 1.0) <= part.scale < 2.0 * min(size, 1.0)
    assert np.allclose(part.witnesses / size, base.witnesses)


def test_same_input_same_regions_same_order():
    net = random_network([3, 5, 5, 1], seed=2, activation="hardtanh")
    first = regions.enumerate_regions(net, regions.box(-1, 1))
    second = regions.enumerate_regions(net, regions.box(-1, 1))
    assert np.array_equal(first.patterns, second.patterns)
    assert np.array_equal(first.witnesses, second.witnesses)


def test_thin_regions_are_counted_and_reported():
    # ReLU breakpoints at x = 0 and x = w in 1-D: three intervals whatever w > 0; the middle
    # one has inscribed radius w / 2 and is reported thin when that is at most min_radius.
    def net_with_gap(w):
        return regions.Network.from_layers(
            [(np.array([[1.0], [1.0]]), np.array([0.0, -w])), (np.ones((1, 2)), np.zeros(1))])

    for width, thin in [(1e-6, False), (1e-7, True), (1e-300, True), (0.5, False)]:
        part = regions.enumerate_regions(net_with_gap(width), regions.box(-1, 1))
        assert len(part) == 3 and part.certain
        middle = [i for i, p in enumerate(part.patterns.tolist()) if p == [1, 0]]
        assert part.thin.tolist() == (middle if thin else [])


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "hardtanh"])
def test_exact_check_passes_and_catches_moved_witness(activation):
    net = random_network([2, 5, 5, 1], seed=11, activation=activation)
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert exact_check(part) == []
    # Move region 0's witness into region 1: the exact check must name region 0.
    part.witnesses[0] = part.witnesses[1]
    failures = exact_check(part)
    assert [f.region for f in failures] == [0]


def test_exact_check_outside_domain_and_dead_neuron():
    # Neuron 1 is dead everywhere (zero row, zero bias): equality is allowed for it alone.
    net = regions.Network.from_layers(
        [(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([0.0, 0.0])), (np.ones((1, 2)), np.zeros(1))])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert len(part) == 2 and exact_check(part) == []
    part.witnesses[0] = np.array([5.0, 0.0])
    assert "domain" in exact_check(part)[0].reason


@pytest.mark.parametrize("net, domain", [(random_maxout(0), regions.box(-2, 2)),
                                         (pooled(1), regions.box(-1.5, 1.5))],
                         ids=["maxout", "pool"])
def test_exact_check_and_maps_with_max_units(net, domain):
    """Every witness passes; the exact maps are the brute-force oracle's; a witness moved to
    another region, or onto a pair hyperplane (a tie of two inputs that differ elsewhere),
    is named."""
    part = regions.enumerate_regions(net, domain)
    assert exact_check(part) == []
    layers = ro.exact_layers(net)
    for pattern in part.patterns:
        C, d = exact_affine_map(net, part.domain, pattern)
        _, M, m = ro.pattern_system(layers, part.domain, tuple(int(v) for v in pattern))
        assert [[fmpq(c.numerator, c.denominator) for c in row] for row in C] == M
        assert [fmpq(v.numerator, v.denominator) for v in d] == m
    part.witnesses[0] = part.witnesses[1]
    assert [f.region for f in exact_check(part)] == [0]


def test_exact_check_allows_a_max_tie_only_to_an_identical_later_input():
    """Window [b, a, a]: positions 1 and 2 tie everywhere, so state 1 passes; on the line
    where b = a, state 0 (b) is tied by a, which differs from b elsewhere: not strict."""
    a, b = [1.0, 2.0], [-1.0, 0.5]
    net = max_net([(np.array([b, a, a]), np.array([0.0, 0.25, 0.25])),
                   (np.ones((1, 1)), [0.0])], ["max", "identity"], {0: [[0, 1, 2]]})
    part = regions.enumerate_regions(net, regions.box(-4, 4))
    assert exact_check(part) == []
    zero = int(np.flatnonzero(part.patterns[:, 0] == 0)[0])
    part.witnesses[zero] = np.array([0.25, -0.5])       # b = a = -0.75 there, exactly
    failures = exact_check(part)
    assert [f.region for f in failures] == [zero]
    assert "input 1 is not strictly below input 0" in failures[0].reason

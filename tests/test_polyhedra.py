"""Pattern polyhedra (``regions.polyhedra.pattern_constraints``): the constraints of a
point's pattern, from an independent forward pass (``oracles.true_patterns``), hold at the
point and those of a flipped pattern do not; a constant neuron contradicting the pattern
makes it infeasible."""

import numpy as np

import regions
from regions.polyhedra import pattern_constraints

import oracles
from oracles import random_net


def test_pattern_constraints_match_the_forward_pass():
    net = random_net([2, 4, 3, 1], ["hardtanh", "leaky_relu", "identity"], seed=5)
    domain = regions.box(-1, 1)
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(200, 2))
    patterns = oracles.true_patterns(net, points)
    for point, pattern in zip(points, patterns):
        system = pattern_constraints(net, domain, pattern)
        assert system.feasible
        assert np.all(system.A @ point <= system.b + 1e-12)
        other = pattern.copy()
        other[0] = 1 if other[0] != 1 else 0
        assert not np.all(pattern_constraints(net, domain, other).A @ point
                          <= pattern_constraints(net, domain, other).b)


def test_constant_neuron_contradicting_the_pattern_is_infeasible():
    # Neuron 1 of layer 2 has zero weights and bias -1: always off.
    W2, b2 = np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([0.0, -1.0])
    net = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (W2, b2),
                                       (np.ones((1, 2)), np.zeros(1))])
    domain = regions.box(-1, 1)
    assert pattern_constraints(net, domain, np.array([1, 1, 1, 0], np.int8)).feasible
    assert not pattern_constraints(net, domain, np.array([1, 1, 1, 1], np.int8)).feasible


def test_subnormal_basis_entry_counts_in_the_rounding_bound():
    """A line whose float direction has a subnormal entry: that entry's rounding (up to
    2^-1075, absolutely) decides a ReLU whose weight is 2^1000. patterns_at and locate
    agree with exact evaluation in Fractions (they reported state 0 where it is 1)."""
    from fractions import Fraction
    from regions.polyhedra import patterns_at
    d = regions.line([0.0, 0.0], [3e10, 1e-300])
    W = 2.0 ** 1000
    a = W * d.basis[1, 0] + 2.0 ** -80
    assert Fraction(a) == Fraction(W) * Fraction(d.basis[1, 0]) + Fraction(2) ** -80
    net = regions.Network.from_layers([([[-a, W]], [0.0]), ([[1.0]], [0.0])])
    dom = regions.domain.resolve(d, net)
    part = regions.enumerate_regions(net, d)
    for t in [0.5, 1.0, 2.0, -1.0, -2.0]:
        x = [Fraction(dom.origin[i]) + Fraction(dom.rational_basis[i][0]) * Fraction(t)
             for i in range(2)]
        state = int(-Fraction(a) * x[0] + Fraction(W) * x[1] > 0)
        assert patterns_at(net, dom, np.array([[t]])).tolist() == [[state]]
    # input points exactly on the line: p0, the midpoint and p1 (the halvings are exact)
    for x in [(0.0, 0.0), (1.5e10, 0.5e-300), (3e10, 1e-300)]:
        state = int(-Fraction(a) * Fraction(x[0]) + Fraction(W) * Fraction(x[1]) > 0)
        assert part.patterns[part.locate(np.array(x))].tolist() == [state]

"""The bound of one network on its domain (``regions.bounds``, network): never below the
exact count, equal to Zaslavsky's for one layer in general position, and refined by ranks
against the brute-force pattern oracle of ``tests/oracles.py`` (scipy ``linprog``) on
rank-deficient networks and slices."""

import functools

import numpy as np
import pytest

import regions
from regions import bounds as B
from regions.random_networks import random_network

import oracles
from oracles import unambiguous


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


ONE_LAYER_CASES = [(2, 6, 0), (2, 9, 1), (3, 5, 2), (1, 4, 3), (4, 3, 4)]


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


@pytest.mark.parametrize("widths, activation", NETWORKS)
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_exact_never_exceeds_upper_bounds(widths, activation, seed):
    net = random_network(widths, seed=seed, activation=activation)
    for domain in (None, regions.box(-1, 1)):
        _check_exact_below_bounds(net, domain)


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

"""Every reported region is real: witnesses, H-representations, affine maps, coverage.

Independent sources: the network's own forward pass and activation pattern
recomputed in ``oracles`` (``preactivations``, ``true_patterns``), the pattern
polyhedron's inscribed ball solved by Clarabel through cvxpy, one batched LP
for all regions of a partition (``oracles.pattern_polyhedron``,
``oracles.inscribed_balls``), random points of the domain, and for the
larger networks the shared peer counts (regioncam / relucent, shared/README.md)
plus LP-free polygon clipping (``oracles.polygon_partition``).
"""

import numpy as np
import pytest

import regions
from regions.random_networks import random_network
from regions.tolerances import RADIUS_CAP

import oracles
from oracles import pattern_set, random_net, unambiguous

EDGE = 1e-9  # points or pre-activations closer than this to a boundary are not judged


def check_regions(part, net, oracle_domain, rng, every=1, ball_points=8):
    """Witness, H-representation, affine map and margin checks on regions ``::every``."""
    domain = part.domain
    scale = max(1.0, float(np.max(np.abs(part.witnesses))) if len(part) else 1.0)
    indices = range(0, len(part), every)
    # The pattern polyhedra, built and solved independently (one batched Clarabel LP).
    systems = [oracles.pattern_polyhedron(net, oracle_domain,
                                          tuple(int(s) for s in part.patterns[i]))
               for i in indices]
    assert all(rows is not None for rows in systems)
    oracle_radii = {i: r for i, (_, r) in zip(indices, oracles.inscribed_balls(
        systems, domain.dim, cap=RADIUS_CAP))}
    for index in indices:
        region = part[index]
        pattern = np.asarray(region.pattern)
        w = np.asarray(region.witness, float)
        x = domain.to_input(w)
        assert np.allclose(x, part.input_witnesses[index])

        # The witness has the region's pattern (neurons near a breakpoint excepted).
        mask = oracles.decisive(net, x)[0]
        assert np.array_equal(oracles.true_patterns(net, x)[0][mask], pattern[mask])
        assert np.array_equal(np.asarray(net.activation_pattern(x))[mask], pattern[mask])

        # Unit rows; the margin ball around the witness is inside the H-representation.
        assert np.allclose(np.linalg.norm(region.A, axis=1), 1.0)
        assert region.margin > part.min_radius * part.scale
        assert np.all(region.A @ w + region.margin <= region.b + 1e-9 * scale)

        # The network is y = C z + d on the region.
        assert np.allclose(net.forward(x), region.C @ w + region.d, rtol=1e-9, atol=1e-9)

        # The margin is the inscribed radius of the pattern's polyhedron, solved independently
        # (split), or a ball no larger (vertex: around the mean of the vertices).
        radius = oracle_radii[index]
        if part.method == "vertex":
            assert region.margin <= radius * (1 + 1e-6) + 1e-9
        else:
            assert region.margin == pytest.approx(radius, rel=1e-6, abs=1e-9)

        # Random points of the margin ball share the pattern and the affine map.
        directions = rng.normal(size=(ball_points, domain.dim))
        directions /= np.linalg.norm(directions, axis=1)[:, None]
        radii = 0.99 * region.margin * rng.uniform(size=(ball_points, 1)) ** (1 / domain.dim)
        Z = w + directions * radii
        X = domain.to_input(Z)
        masks = oracles.decisive(net, X)
        got = oracles.true_patterns(net, X)
        assert np.all((got == pattern) | ~masks)
        assert region.contains(Z).all()
        assert np.allclose(net.forward(X), Z @ region.C.T + region.d, rtol=1e-8, atol=1e-8)


def check_coverage(part, net, Z):
    """Points ``Z`` (working coordinates) of the domain each lie in exactly one region."""
    regions_ = list(part)
    inside_strict = np.zeros(len(Z), int)
    inside_loose = np.zeros(len(Z), int)
    owner = np.full(len(Z), -1)
    for index, region in enumerate(regions_):
        slack = Z @ region.A.T - region.b
        strict = np.all(slack < -EDGE, axis=1)
        inside_strict += strict
        inside_loose += np.all(slack <= EDGE, axis=1)
        owner[strict] = index
    clear = inside_strict == inside_loose  # not within EDGE of any region boundary
    assert clear.mean() > 0.9
    assert np.all(inside_strict[clear] == 1)
    X = part.domain.to_input(Z[clear])
    truth = oracles.true_patterns(net, X)
    masks = oracles.decisive(net, X)
    assert np.all((part.patterns[owner[clear]] == truth) | ~masks)


def sample_box(rng, lo, hi, count):
    return rng.uniform(lo, hi, size=(count, len(lo)))


# --------------------------------------------------------------------------- random networks


NETS = {
    "relu": ["relu", "relu", "identity"],
    "leaky": ["leaky_relu", "leaky_relu", "identity"],
    "hardtanh": ["hardtanh", "hardtanh", "identity"],
    "mixed": ["relu", "hardtanh", "identity"],
    "identity-middle": ["hardtanh", "identity", "relu", "identity"],
}


def make(name, n_in, seed, width=5):
    acts = NETS[name]
    return random_net([n_in] + [width] * (len(acts) - 1) + [1], acts, seed)


@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
@pytest.mark.parametrize("n_in", [2, 3])
@pytest.mark.parametrize("name", sorted(NETS))
def test_witnesses_on_boxes(name, n_in, seed):
    net = make(name, n_in, seed)
    rng = np.random.default_rng(seed)
    lo, hi = -np.ones(n_in) * 1.2, np.ones(n_in) * 0.8
    part = regions.enumerate_regions(net, regions.box(lo, hi))
    check_regions(part, net, oracles.box_slice(lo, hi), rng, every=1 if n_in == 2 else 3)
    check_coverage(part, net, sample_box(rng, lo, hi, 1500))


@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
@pytest.mark.parametrize("n_in", [2, 3])
@pytest.mark.parametrize("name", ["relu", "hardtanh", "mixed"])
def test_witnesses_on_the_whole_space(name, n_in, seed):
    net = make(name, n_in, seed, width=4)
    rng = np.random.default_rng(seed + 10)
    part = regions.enumerate_regions(net)
    check_regions(part, net, oracles.whole_slice(n_in), rng, every=1 if n_in == 2 else 2)
    check_coverage(part, net, rng.normal(scale=4.0, size=(1500, n_in)))


@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_witnesses_on_a_polytope(seed):
    net = make("mixed", 2, seed)
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(6, 2))
    c = rng.uniform(0.5, 1.5, size=6)
    part = regions.enumerate_regions(net, regions.polytope(A, c))
    check_regions(part, net, oracles.polytope_slice(A, c), rng)
    Z = sample_box(rng, part.domain.lower, part.domain.upper, 4000)
    check_coverage(part, net, Z[np.all(Z @ A.T <= c, axis=1)])


@pytest.mark.parametrize("seed", range(2), ids=[f"seed{s}" for s in range(2)])
@pytest.mark.parametrize("name", ["relu", "hardtanh", "identity-middle"])
def test_witnesses_on_plane_and_segment_slices(name, seed):
    net = make(name, 4, seed)
    rng = np.random.default_rng(seed + 20)
    p0, p1, p2 = rng.normal(size=(3, 4))
    part = regions.enumerate_regions(net, regions.plane(p0, p1, p2, -1.0, 1.5))
    check_regions(part, net, oracles.plane_slice(p0, p1, p2, -1.0, 1.5), rng)
    check_coverage(part, net, sample_box(rng, [-1.0, -1.0], [1.5, 1.5], 1500))

    part = regions.enumerate_regions(net, regions.segment(p0, p1))
    sl, length = oracles.segment_slice(p0, p1)
    check_regions(part, net, sl, rng)
    check_coverage(part, net, sample_box(rng, [0.0], [length], 500))


# --------------------------------------------------------------------------- shared truths


@pytest.fixture(scope="module")
def peer_2x16():
    net = random_network([2, 16, 16, 16, 1], seed=0)
    return net, regions.enumerate_regions(net, regions.box(-1.0, 1.0))


def test_shared_truth_2x16x16x16(peer_2x16):
    # regioncam and relucent both count 930 regions (shared/README.md).
    net, part = peer_2x16
    assert len(part) == 930
    patterns, per_layer, _ = unambiguous(oracles.polygon_partition, net,
                                         oracles.box_slice([-1, -1], [1, 1]),
                                         oracles.square(-1.0, 1.0))
    assert pattern_set(part) == set(patterns)
    assert list(part.per_layer) == per_layer


def test_witnesses_2x16x16x16(peer_2x16):
    net, part = peer_2x16
    rng = np.random.default_rng(0)
    # Vectorised over all 930 witnesses; the costlier checks on every 7th region.
    X = part.input_witnesses
    masks = oracles.decisive(net, X)
    assert np.all((oracles.true_patterns(net, X) == part.patterns) | ~masks)
    check_regions(part, net, oracles.box_slice([-1, -1], [1, 1]), rng, every=7, ball_points=4)
    check_coverage(part, net, sample_box(rng, [-1.0, -1.0], [1.0, 1.0], 3000))


def test_shared_truth_3x8x8x8():
    # relucent counts 2,140 regions (shared/README.md); the witnesses are checked here.
    net = random_network([3, 8, 8, 8, 1], seed=0)
    part = regions.enumerate_regions(net, regions.box(-1.0, 1.0))
    assert len(part) == 2140
    pattern_set(part)
    X = part.input_witnesses
    masks = oracles.decisive(net, X)
    assert np.all((oracles.true_patterns(net, X) == part.patterns) | ~masks)
    assert np.all(np.abs(X) < 1.0)
    check_regions(part, net, oracles.box_slice(-np.ones(3), np.ones(3)),
                  np.random.default_rng(1), every=43, ball_points=4)

"""Max units (max pooling, maxout): every count from an independent source.

Oracles: the exact brute force of ``tests/rational_oracle.py`` (every combination of
argmax positions and earlier states, one exact rational LP each), closed forms (a max of
k affine functions through one point whose gradients are the vertices of a convex
polygon has k regions; the upper envelope of lines in R^1 worked by hand), and
hand-worked ties and dead windows.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq, fmpq_mat

import regions
from regions.errors import FileFormatError, NetworkError

import geometry_oracle as go
import rational_oracle as ro
from max_networks import assorted_max_net, convex_fan, max_net, pooled, random_maxout


def patterns(part) -> set:
    return {tuple(int(v) for v in p) for p in part.patterns}


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("domain", ["box", "whole"])
def test_maxout_matches_brute_force(seed, domain):
    net = random_maxout(seed)
    dom = regions.box(-2, 2) if domain == "box" else regions.whole_space(2)
    part = regions.enumerate_regions(net, dom)
    assert part.method == "split" and part.complete
    assert patterns(part) == ro.brute_force_regions(net, dom.resolve(2))
    assert len(patterns(part)) == len(part)


@pytest.mark.parametrize("seed", range(3))
def test_the_walk_matches_brute_force(seed):
    """The walk crosses a max unit's facet where two inputs tie for the largest; its
    neighbour's argmax is read exactly just across."""
    for net, dom in ((random_maxout(seed, widths=(2, 4, 3), rank=3, tail="max"),
                      regions.whole_space(2)),
                     (pooled(seed), regions.box(-1.5, 1.5))):
        part = regions.enumerate_regions(net, dom, method="walk")
        assert part.method == "walk" and part.complete
        assert patterns(part) == ro.brute_force_regions(net, dom.resolve(2))
    fan = regions.enumerate_regions(convex_fan(5), method="walk")   # five cones at a point
    assert len(fan) == 5


@pytest.mark.parametrize("seed", range(3))
def test_max_pooling_after_relu_matches_brute_force(seed):
    net = pooled(seed)
    dom = regions.box(-1.5, 1.5)
    part = regions.enumerate_regions(net, dom)
    assert patterns(part) == ro.brute_force_regions(net, dom.resolve(2))


@pytest.mark.parametrize("seed", range(2))
def test_maxout_rank_three_in_three_dimensions_on_a_plane(seed):
    """Rank-3 maxout on R^3 seen on a plane through three points, then a second maxout
    layer (a max of maxes)."""
    rng = np.random.default_rng(10 + seed)
    net = max_net([(rng.normal(size=(6, 3)), rng.normal(size=6)),
                   (rng.normal(size=(4, 2)), rng.normal(size=4)),
                   (rng.normal(size=(1, 2)), np.zeros(1))],
                  ["max", "max", "identity"], {0: [[0, 1, 2], [3, 4, 5]], 1: [[0, 1], [2, 3]]})
    dom = regions.plane(*rng.normal(size=(3, 3)), lo=-2, hi=2)
    part = regions.enumerate_regions(net, dom)
    assert patterns(part) == ro.brute_force_regions(net, dom.resolve(3))


def test_every_region_computes_the_forward_pass():
    """The affine map of each region (rebuilt from its pattern) is the network at its witness,
    and the witness's forward pattern is the region's."""
    net = random_maxout(7, widths=(2, 4, 3), rank=3)
    part = regions.enumerate_regions(net, regions.box(-3, 3))
    assert len(part) > 10
    for i in range(len(part)):
        C, d = part.affine_map(i)
        x = part.input_witnesses[i]
        assert np.allclose(C @ part.witnesses[i] + d, net.forward(x), atol=1e-12)
        assert np.array_equal(net.activation_pattern(x), part.patterns[i])


def test_count_executor_and_budget_agree_with_the_serial_run():
    net = random_maxout(3, widths=(2, 4, 4), rank=3)
    dom = regions.box(-3, 3)
    serial = regions.enumerate_regions(net, dom)
    with ThreadPoolExecutor(2) as pool:
        parallel = regions.enumerate_regions(net, dom, executor=pool)
    assert np.array_equal(serial.patterns, parallel.patterns)
    assert regions.count_regions(net, dom).regions == len(serial)
    cut = regions.enumerate_regions(net, dom, max_regions=3)
    assert len(cut) == 3 and not cut.complete
    assert patterns(cut) <= patterns(serial)


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7])
def test_max_of_k_lines_through_a_point_has_k_regions(k):
    net = convex_fan(k)
    assert len(regions.enumerate_regions(net)) == k
    assert len(regions.enumerate_regions(net, regions.box(-1, 1))) == k


def test_upper_envelope_in_one_dimension_by_hand():
    """max(x, -x, 1/2, 2x - 3, -3x - 5, -1): the envelope is -3x - 5 up to x = -5/2,
    -x up to -1/2, 1/2 up to 1/2, x up to 3, then 2x - 3 (the constant -1 never wins):
    5 pieces on R, 3 on [-1, 1] (-x, 1/2, x), 2 on [2, 4] (x, 2x - 3)."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    net = max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                  {0: [list(range(6))]})
    whole = regions.enumerate_regions(net)
    assert len(whole) == 5
    assert sorted(int(p[0]) for p in whole.patterns) == [0, 1, 2, 3, 4]
    assert len(regions.enumerate_regions(net, regions.box(-1, 1))) == 3
    assert len(regions.enumerate_regions(net, regions.box(2, 4))) == 2


def test_a_single_unit_never_exceeds_its_rank():
    """One maxout unit of rank k on R^n has at most k regions (random gradients in R^3:
    those that are vertices of the gradients' hull, with general offsets)."""
    rng = np.random.default_rng(5)
    for k in (2, 4, 6):
        net = max_net([(rng.normal(size=(k, 3)), rng.normal(size=k)), (np.ones((1, 1)), [0.0])],
                      ["max", "identity"], {0: [list(range(k))]})
        count = len(regions.enumerate_regions(net))
        assert 1 <= count <= k
        assert count == len(ro.brute_force_regions(net, regions.whole_space(3).resolve(3)))


# --------------------------------------------------------------------------- exactness


def test_a_part_that_is_one_point_is_no_region():
    """max(x, -x, y, -y, 0) = max(|x|, |y|): the constant 0 is the largest only at the
    origin (a part with no interior, radius exactly 0: float64 cannot decide it, the exact
    path does): 4 regions."""
    net = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1], [0, 0]]), np.zeros(5)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3, 4]]})
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert sorted(int(p[0]) for p in part.patterns) == [0, 1, 2, 3]
    assert part.exact_decisions > 0 and part.certain
    assert len(regions.enumerate_regions(net)) == 4


def test_ties_go_to_the_lowest_position():
    """Identical inputs tie everywhere: the earlier position wins, so a window [a, a] has
    one region (state 0) and [b, a, a] two (states 0 and 1, never 2)."""
    a, b = [1.0, 2.0], [-1.0, 0.5]
    tie = max_net([(np.array([a, a]), np.array([0.25, 0.25])), (np.ones((1, 1)), [0.0])],
                  ["max", "identity"], {0: [[0, 1]]})
    part = regions.enumerate_regions(tie)
    assert patterns(part) == {(0,)}
    assert tie.activation_pattern([[0.0, 0.0]]).tolist() == [[0]]
    three = max_net([(np.array([b, a, a]), np.array([0.0, 0.25, 0.25])),
                     (np.ones((1, 1)), [0.0])], ["max", "identity"], {0: [[0, 1, 2]]})
    part = regions.enumerate_regions(three)
    assert patterns(part) == {(0,), (1,)} == ro.brute_force_regions(
        three, regions.whole_space(2).resolve(2))


def test_a_dead_window_keeps_one_state():
    """A pool over ReLUs that are off on the whole box: both inputs are exactly 0, the
    first position wins; a pool over constants takes the largest constant."""
    net = max_net([(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]),
                    np.array([-5.0, -5.0, 0.5, 2.0])),
                   (np.eye(4), np.zeros(4)), (np.ones((1, 2)), np.zeros(1))],
                  ["relu", "max", "identity"], {1: [[0, 1], [2, 3]]})
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    assert patterns(part) == {(0, 0, 1, 1, 0, 1)}
    assert patterns(part) == ro.brute_force_regions(net, regions.box(-1, 1).resolve(2))


def test_float_only_mode_counts_its_guesses():
    net = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1], [0, 0]]), np.zeros(5)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3, 4]]})
    for method in ("split", "vertex"):
        part = regions.enumerate_regions(net, regions.box(-1, 1), method=method, exact=False)
        assert part.exact_decisions == 0
        assert part.uncertain_decisions > 0 and not part.certain


# --------------------------------------------------------------------------- the model


def test_labels_of_pair_hyperplanes():
    net = max_net([(np.eye(3), np.zeros(3)), (np.ones((1, 2)), np.zeros(1))],
                  ["max", "identity"], {0: [[0, 1, 2], [2, 0, -1]]})
    assert net.label_offsets().tolist() == [0, 4, 4]
    assert [net.describe_label(t)["pair"] for t in range(4)] == [(0, 1), (0, 2), (1, 2), (0, 1)]
    assert net.describe_label(3) == {"layer": 0, "unit": 1, "pair": (0, 1), "inputs": (2, 0)}
    part = regions.enumerate_regions(net)
    for region in part:
        for label in region.labels[region.labels >= 0]:
            assert net.describe_label(int(label))["layer"] == 0


@pytest.mark.parametrize("windows, message", [
    (None, "has no windows"),
    ([[0, 3]], "outside the 3 pre-activations"),
    ([[-1, -1]], "is empty"),
    ([[0, -1, 1]], "then only -1 padding"),
    ([[0, 0]], "lists an index twice"),
    ([[0.5, 1]], "non-integer"),
    ([], "no units"),
])
def test_bad_windows_are_refused(windows, message):
    with pytest.raises(NetworkError, match=message):
        max_net([(np.eye(3), np.zeros(3)), (np.ones((1, 1)), np.zeros(1))],
                ["max", "identity"], {0: windows})


def test_windows_larger_than_an_int8_state_are_refused():
    with pytest.raises(NetworkError, match="more than 127"):
        max_net([(np.ones((128, 1)), np.zeros(128)), (np.ones((1, 1)), np.zeros(1))],
                ["max", "identity"], {0: [list(range(128))]})
    with pytest.raises(NetworkError, match="windows belong to max layers"):
        max_net([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))],
                ["relu", "identity"], {0: [[0, 1]]})


def test_network_file_round_trip_and_refusals(tmp_path):
    net = pooled(0)
    path = tmp_path / "pool.npz"
    regions.write_network(net, path)
    back = regions.read_network(path)
    assert back.activations == net.activations
    assert np.array_equal(back.layers[1].windows, net.layers[1].windows)
    x = np.random.default_rng(0).normal(size=(20, 2))
    assert np.array_equal(back.forward(x), net.forward(x))
    arrays = dict(np.load(path))
    del arrays["windows1"]
    np.savez(tmp_path / "missing.npz", **arrays)
    with pytest.raises(FileFormatError, match="without windows1"):
        regions.read_network(tmp_path / "missing.npz")
    arrays["windows0"] = np.array([[0, 1]])
    arrays["windows1"] = net.layers[1].windows
    np.savez(tmp_path / "stray.npz", **arrays)
    with pytest.raises(FileFormatError, match="layer 0 is not a max layer"):
        regions.read_network(tmp_path / "stray.npz")


# --------------------------------------------------------------------------- refusals


def test_the_dynamics_refuse_max_layers():
    with pytest.raises(NetworkError, match="cannot carry max layers"):
        regions.entropy(random_maxout(0, widths=(1, 3, 3)), -1.0, 1.0, 1)


# --------------------------------------------------------------------------- vertex engine


def windows_of_one(seed: int):
    """[2 -> relu 3 -> max over windows [0], [1, 2], [2] -> relu 2 -> 1]: units of one
    input, which the vertex engine passes through without a cut."""
    rng = np.random.default_rng(20 + seed)
    return max_net([(rng.normal(size=(3, 2)), rng.normal(size=3) * 0.5),
                    (np.eye(3), np.zeros(3)),
                    (rng.normal(size=(2, 3)), rng.normal(size=2)),
                    (np.ones((1, 2)), np.zeros(1))],
                   ["relu", "max", "relu", "identity"], {1: [[0, -1], [1, 2], [2, -1]]})


def pooled_maxout(seed: int):
    """[2 -> relu 4 -> maxout of rank 2 over the ReLUs' pairs -> relu 2 -> 1]: max after
    ReLU, then ReLU after max, with the first layer ReLU (so R^n starts from its cones)."""
    rng = np.random.default_rng(30 + seed)
    return max_net([(rng.normal(size=(4, 2)), rng.normal(size=4) * 0.5),
                    (rng.normal(size=(4, 4)), rng.normal(size=4) * 0.5),
                    (rng.normal(size=(2, 2)), rng.normal(size=2)),
                    (np.ones((1, 2)), np.zeros(1))],
                   ["relu", "max", "relu", "identity"], {1: [[0, 1], [2, 3]]})


def exactly_inside(rows: list, point) -> bool:
    z = [fmpq(v.numerator, v.denominator) if isinstance(v, Fraction) else ro.q(v)
         for v in point]
    return all(ro.dot(a, z) < c for a, c in rows)


def contains_a_line(net, domain, pattern) -> bool:
    """Whether the exact region of ``pattern`` (on a domain without faces) has a nonzero
    lineality space: its rows' normals have rank below the dimension."""
    rows = ro.pattern_rows(ro.exact_layers(net), domain, pattern)
    dim = domain.basis.shape[1]
    normals = fmpq_mat(len(rows), dim, [v for a, _ in rows for v in a]) if rows else None
    return normals is None or normals.rank() < dim


def corners(A, b) -> np.ndarray:
    """The vertices of ``A z <= b`` clipped to a large box (tests/geometry_oracle.py)."""
    norms = np.linalg.norm(A, axis=1)
    return go.polytope(A / norms[:, None], b / norms, clip=1e3).vertices


def check_vertex_engine(net, dom):
    """The vertex engine's partition against the brute force (the set of patterns) and,
    region by region, against the split engine's (the same polytope: the same vertices,
    found by brute force over its rows; a facet may carry either label of two coincident
    hyperplanes, say a pair of a ReLU that is off and one that turns on) and the exact
    definition (its witness strictly inside the pattern's exact open region); returns it."""
    part = regions.enumerate_regions(net, dom, method="vertex")
    split = regions.enumerate_regions(net, dom, method="split")
    resolved = part.domain
    assert part.method == "vertex" and part.complete and part.certain
    assert patterns(part) == ro.brute_force_regions(net, resolved) == patterns(split)
    assert len(patterns(part)) == len(part)
    assert list(part.per_layer) == list(split.per_layer)    # regions after each layer
    by_pattern = {bytes(p): i for i, p in enumerate(split.patterns)}
    layers = ro.exact_layers(net)
    for i, region in enumerate(part):
        other = split[by_pattern[bytes(region.pattern)]]
        mine, theirs = corners(region.A, region.b), corners(other.A, other.b)
        assert mine.shape == theirs.shape and len(mine) > 0
        distance = np.max(np.abs(mine[:, None, :] - theirs[None, :, :]), axis=2)
        assert np.all(distance.min(axis=1) < 1e-7) and np.all(distance.min(axis=0) < 1e-7)
        rows = ro.pattern_rows(layers, resolved, tuple(int(v) for v in region.pattern))
        point = region.rational_witness or region.witness
        assert exactly_inside(rows, point)
    return part


@pytest.mark.parametrize("seed", range(3))
def test_vertex_engine_maxout_then_relu_on_a_box(seed):
    check_vertex_engine(random_maxout(seed), regions.box(-2, 2))


@pytest.mark.parametrize("seed", range(2))
def test_vertex_engine_max_of_maxes_on_a_box(seed):
    check_vertex_engine(random_maxout(seed, widths=(2, 3, 3), rank=3, tail="max"),
                        regions.box(-2, 2))


@pytest.mark.parametrize("seed", range(3))
def test_vertex_engine_max_pooling_after_relu(seed):
    check_vertex_engine(pooled(seed), regions.box(-1.5, 1.5))


@pytest.mark.parametrize("seed", range(2))
def test_vertex_engine_windows_of_one(seed):
    check_vertex_engine(windows_of_one(seed), regions.box(-2, 2))


@pytest.mark.parametrize("seed", range(3))
def test_vertex_engine_on_the_whole_plane_after_a_relu_layer(seed):
    check_vertex_engine(pooled_maxout(seed), regions.whole_space(2))
    check_vertex_engine(pooled(seed), regions.whole_space(2))


def test_vertex_engine_on_a_plane_slice():
    rng = np.random.default_rng(10)
    net = max_net([(rng.normal(size=(6, 3)), rng.normal(size=6)),
                   (rng.normal(size=(4, 2)), rng.normal(size=4)),
                   (rng.normal(size=(1, 2)), np.zeros(1))],
                  ["max", "max", "identity"], {0: [[0, 1, 2], [3, 4, 5]], 1: [[0, 1], [2, 3]]})
    check_vertex_engine(net, regions.plane(*rng.normal(size=(3, 3)), lo=-2, hi=2))


@pytest.mark.parametrize("seed", range(4))
def test_vertex_engine_random_small_max_networks(seed):
    """Random windows (ragged, overlapping) over ReLUs or straight over the input."""
    rng = np.random.default_rng(40 + seed)
    pre = 5
    windows = [sorted(rng.choice(pre, size=int(rng.integers(1, 4)), replace=False).tolist())
               for _ in range(3)]
    first = "relu" if seed % 2 else "max"
    layers = [(rng.normal(size=(pre, 2)), rng.normal(size=pre) * 0.5)]
    if first == "relu":
        layers.append((rng.normal(size=(pre, pre)), rng.normal(size=pre) * 0.5))
    layers.append((rng.normal(size=(1, 3)), np.zeros(1)))
    activations = [first, "max", "identity"] if first == "relu" else ["max", "identity"]
    net = max_net(layers, activations, {len(layers) - 2: windows})
    check_vertex_engine(net, regions.box(-2, 2))


@pytest.mark.parametrize("seed", range(6))
def test_vertex_engine_integer_weights_ties_and_coincidences(seed):
    """Small integer weights: ties on whole cells, pairs that coincide with ReLU
    hyperplanes, vertices on several hyperplanes (float64 cannot decide them: the exact
    path does), with the ReLU layer before or after the max layer, on a box and on R^2."""
    rng = np.random.default_rng(60 + seed)
    pre, units = 4, 2

    def draw(*shape):
        return rng.integers(-2, 3, size=shape).astype(float)
    windows = [sorted(rng.choice(pre, size=int(rng.integers(2, 4)), replace=False).tolist())
               for _ in range(units)]
    if seed % 2:
        net = max_net([(draw(pre, 2), draw(pre)), (draw(pre, pre), draw(pre)),
                       (draw(1, units), np.zeros(1))], ["relu", "max", "identity"],
                      {1: windows})
    else:
        net = max_net([(draw(pre, 2), draw(pre)), (draw(2, units), draw(2)),
                       (draw(1, 2), np.zeros(1))], ["max", "relu", "identity"], {0: windows})
    for dom in (regions.box(-2, 2), regions.whole_space(2)):
        assert check_vertex_engine(net, dom).exact_decisions > 0


@pytest.mark.parametrize("k", [2, 3, 5])
def test_vertex_engine_k_lines_through_a_point_on_a_box(k):
    assert len(check_vertex_engine(convex_fan(k), regions.box(-1, 1))) == k


def test_vertex_engine_upper_envelope_by_hand():
    """The envelope of test_upper_envelope_in_one_dimension_by_hand: -x, 1/2, x on [-1, 1];
    x, 2x - 3 on [2, 4]."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    net = max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                  {0: [list(range(6))]})
    assert sorted(int(p[0]) for p in check_vertex_engine(net, regions.box(-1, 1)).patterns) \
        == [0, 1, 2]
    assert sorted(int(p[0]) for p in check_vertex_engine(net, regions.box(2, 4)).patterns) \
        == [0, 3]


def test_vertex_engine_a_part_that_is_one_point_is_no_region():
    net = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1], [0, 0]]), np.zeros(5)),
                   (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2, 3, 4]]})
    part = check_vertex_engine(net, regions.box(-1, 1))
    assert sorted(int(p[0]) for p in part.patterns) == [0, 1, 2, 3]
    assert part.exact_decisions > 0


def test_vertex_engine_ties_and_dead_windows():
    a, b = [1.0, 2.0], [-1.0, 0.5]
    tie = max_net([(np.array([a, a]), np.array([0.25, 0.25])), (np.ones((1, 1)), [0.0])],
                  ["max", "identity"], {0: [[0, 1]]})
    assert patterns(check_vertex_engine(tie, regions.box(-1, 1))) == {(0,)}
    three = max_net([(np.array([b, a, a]), np.array([0.0, 0.25, 0.25])),
                     (np.ones((1, 1)), [0.0])], ["max", "identity"], {0: [[0, 1, 2]]})
    assert patterns(check_vertex_engine(three, regions.box(-3, 3))) == {(0,), (1,)}
    dead = max_net([(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]),
                     np.array([-5.0, -5.0, 0.5, 2.0])),
                    (np.eye(4), np.zeros(4)), (np.ones((1, 2)), np.zeros(1))],
                   ["relu", "max", "identity"], {1: [[0, 1], [2, 3]]})
    assert patterns(check_vertex_engine(dead, regions.box(-1, 1))) == {(0, 0, 1, 1, 0, 1)}


@pytest.mark.parametrize("seed", range(3))
def test_vertex_engine_on_the_whole_plane_from_a_first_max_layer(seed):
    """The first cells are the first max layer's regions (pointed: 3 rank-2 units, three
    lines in general position), with their exact generators."""
    check_vertex_engine(random_maxout(seed), regions.whole_space(2))


@pytest.mark.parametrize("k", [3, 4, 7])
def test_vertex_engine_k_lines_through_a_point_on_the_plane(k):
    assert len(check_vertex_engine(convex_fan(k), regions.whole_space(2))) == k


def test_vertex_engine_upper_envelope_on_the_line_and_abs_on_the_plane():
    """5 pieces of the hand-worked envelope on R; max(|x|, |y|, 0): 4 regions on R^2."""
    slopes = np.array([[1.0], [-1.0], [0.0], [2.0], [-3.0], [0.0]])
    offsets = np.array([0.0, 0.0, 0.5, -3.0, -5.0, -1.0])
    envelope = max_net([(slopes, offsets), (np.ones((1, 1)), np.zeros(1))],
                       ["max", "identity"], {0: [list(range(6))]})
    part = check_vertex_engine(envelope, regions.whole_space(1))
    assert sorted(int(p[0]) for p in part.patterns) == [0, 1, 2, 3, 4]
    absolute = max_net([(np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1], [0, 0]]), np.zeros(5)),
                        (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                       {0: [[0, 1, 2, 3, 4]]})
    assert len(check_vertex_engine(absolute, regions.whole_space(2))) == 4


@pytest.mark.parametrize("seed", range(3))
def test_vertex_engine_first_max_regions_that_contain_a_line_are_split_further(seed):
    """One maxout unit of rank 2 on R^2 then ReLUs: its two half-planes have no vertex, so
    the next layer's lines cut them first (more, then fewer, hidden lines)."""
    rng = np.random.default_rng(50 + seed)
    hidden = 1 + seed
    net = max_net([(rng.normal(size=(2, 2)), rng.normal(size=2)),
                   (rng.normal(size=(hidden, 1)), rng.normal(size=hidden)),
                   (np.ones((1, hidden)), np.zeros(1))],
                  ["max", "relu", "identity"], {0: [[0, 1]]})
    check_vertex_engine(net, regions.whole_space(2))


def test_vertex_engine_refuses_final_regions_that_contain_a_line():
    """max of two lines on R^2: two half-planes, which have no vertex; a tie everywhere:
    one region, all of the slice."""
    a = [1.0, 2.0]
    tie = max_net([(np.array([a, a]), np.array([0.25, 0.25])), (np.ones((1, 1)), [0.0])],
                  ["max", "identity"], {0: [[0, 1]]})
    for net in (convex_fan(2), tie):
        with pytest.raises(regions.errors.DomainError, match="contains a line"):
            regions.enumerate_regions(net, method="vertex")
        split = regions.enumerate_regions(net, method="split")
        assert all(contains_a_line(net, split.domain, p) for p in patterns(split))


@pytest.mark.parametrize("net, dom", [
    (random_maxout(4, widths=(2, 4, 3), rank=3), regions.box(-2, 2)),
    (pooled(1), regions.whole_space(2)),
    (random_maxout(2), regions.whole_space(2)),
])
def test_vertex_engine_max_split_cut_short_gives_the_same_regions(monkeypatch, tmp_path, net,
                                                                  dom):
    """Max cells whose split stops after every step or two go back on the stack with the
    pairs still to clip (sides +-2); the run, and a checkpoint taken among such cells and
    resumed, give the regions of the uncut run (itself checked against brute force above)."""
    from regions.engines.vertex import VertexEngine
    whole = regions.enumerate_regions(net, dom, method="vertex")
    for steps in (1, 2):
        monkeypatch.setattr(VertexEngine, "split_steps", steps)
        cut = regions.enumerate_regions(net, dom, method="vertex")
        assert np.array_equal(cut.patterns, whole.patterns)
        # a resumed cell's generators may be re-solved, so the witnesses round apart
        np.testing.assert_allclose(cut.witnesses, whole.witnesses, rtol=1e-12, atol=1e-12)
    assert_resumed_vertex_run_is(whole, net, dom, tmp_path / "run.npz", 3)


def assert_resumed_vertex_run_is(whole, net, dom, path, stop_after: int) -> None:
    """A vertex run checkpointed to ``path`` and stopped after ``stop_after`` regions, then
    resumed, gives the regions of the uncut run ``whole``."""
    first = regions.enumerate_regions(net, dom, method="vertex", checkpoint=path,
                                      max_regions=stop_after)
    assert not first.complete
    resumed = regions.enumerate_regions(net, dom, method="vertex", resume=path)
    assert np.array_equal(resumed.patterns, whole.patterns)


def test_vertex_engine_max_cnn_equals_the_split_engine():
    torch = pytest.importorskip("torch")
    net = regions.from_torch(small_pooled_cnn(torch), input_shape=(1, 4, 4))
    part = regions.enumerate_regions(net, cnn_plane(), method="vertex")
    split = regions.enumerate_regions(net, cnn_plane(), method="split")
    assert part.complete and part.certain and len(part) == 382
    assert patterns(part) == patterns(split)


def test_vertex_engine_resumed_checkpoint_and_executors_give_the_same_regions(tmp_path):
    net = random_maxout(4, widths=(2, 4, 3), rank=3)
    dom = regions.box(-2, 2)
    whole = regions.enumerate_regions(net, dom, method="vertex")
    assert patterns(whole) == patterns(regions.enumerate_regions(net, dom, method="split"))
    assert_resumed_vertex_run_is(whole, net, dom, tmp_path / "run.npz", 5)
    for pool in (ThreadPoolExecutor(2), ProcessPoolExecutor(2)):
        with pool:
            parallel = regions.enumerate_regions(net, dom, method="vertex", executor=pool)
            counted = regions.count_regions(net, dom, method="vertex", executor=pool)
        assert np.array_equal(parallel.patterns, whole.patterns)
        assert counted.regions == len(whole)


# --------------------------------------------------------------------------- importers


def small_pooled_cnn(torch):
    """1x4x4 input -> Conv2d(1, 2, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Linear(8, 1)."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(8, 1)).double().eval()


def cnn_plane():
    rng = np.random.default_rng(1)
    return regions.plane(*rng.normal(size=(3, 16)), lo=-3, hi=3)


def check_against_model(net, forward, part):
    """Every region: its witness has the region's pattern in the float forward pass, the
    model (``forward``) agrees with the region's affine map there, and the region's pattern
    is a region of the exact brute-force definition (one exact LP); and no point of a dense
    sample has a pattern the enumeration lacks (a lower bound on the count)."""
    layers = ro.exact_layers(net)
    dom = part.domain
    for i in range(len(part)):
        x = part.input_witnesses[i]
        assert np.array_equal(net.activation_pattern(x), part.patterns[i])
        C, d = part.affine_map(i)
        assert np.allclose(C @ part.witnesses[i] + d, forward(x), rtol=1e-9, atol=1e-9)
        rows = ro.pattern_rows(layers, dom, tuple(int(v) for v in part.patterns[i]))
        assert rows is not None and ro.strict_interior_point(rows, dom.dim) is not None
    z = np.random.default_rng(2).uniform(-3, 3, size=(20000, 2))
    sampled = {tuple(p) for p in net.activation_pattern(dom.to_input(z)).tolist()}
    assert sampled <= patterns(part)
    return len(sampled)


@pytest.mark.slow
def test_max_pooled_cnn_from_torch_on_a_plane():
    torch = pytest.importorskip("torch")
    model = small_pooled_cnn(torch)
    net = regions.from_torch(model, input_shape=(1, 4, 4))
    assert net.widths == [16, 32, 8, 1] and net.activations == ["relu", "max", "identity"]
    part = regions.enumerate_regions(net, cnn_plane())

    def forward(x):
        with torch.no_grad():
            return model(torch.from_numpy(x.reshape(1, 1, 4, 4))).numpy().ravel()
    sampled = check_against_model(net, forward, part)
    assert len(part) == 382 and sampled == 330     # 20,000 samples find 330 of them


def test_max_pooled_cnn_from_onnx_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    model = small_pooled_cnn(torch)
    path = tmp_path / "cnn.onnx"
    torch.onnx.export(model, torch.zeros(1, 1, 4, 4, dtype=torch.float64), str(path))
    net = regions.from_onnx(path)
    assert net.activations == ["relu", "max", "identity"]
    from_torch = regions.from_torch(model, input_shape=(1, 4, 4))
    assert np.array_equal(net.layers[1].windows, from_torch.layers[1].windows)
    part = regions.enumerate_regions(net, cnn_plane())
    assert np.array_equal(part.patterns,
                          regions.enumerate_regions(from_torch, cnn_plane()).patterns)
    assert len(part) == 382


@pytest.mark.parametrize("pool, shape", [
    ("MaxPool1d(3, stride=2, padding=1)", (2, 7)),
    ("MaxPool2d(3, stride=2, padding=1)", (1, 5, 5)),
    ("MaxPool2d(2, stride=1, dilation=2)", (1, 5, 4)),
    ("MaxPool2d((2, 3), stride=(1, 2))", (2, 4, 5)),
])
def test_pool_geometries_reproduce_torch(pool, shape):
    """Windows of strided, padded, dilated pools: the converted network reproduces torch's
    forward pass (from_torch checks it on random inputs; checked again here), and padding
    shortens the border windows."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    conv = nn.Conv1d(shape[0], 2, 1) if len(shape) == 2 else nn.Conv2d(shape[0], 2, 1)
    model = nn.Sequential(conv, nn.ReLU(), eval("nn." + pool), nn.Flatten()).double().eval()
    net = regions.from_torch(model, input_shape=shape)
    x = np.random.default_rng(0).normal(size=(50, int(np.prod(shape))))
    with torch.no_grad():
        expected = model(torch.from_numpy(x.reshape(50, *shape))).numpy().reshape(50, -1)
    assert np.allclose(net.forward(x), expected, rtol=1e-12, atol=1e-12)
    if "padding" in pool:
        assert np.any(net.layers[1].windows < 0)


def test_maxout_as_linear_then_maxpool1d():
    """Maxout of rank k in PyTorch: Linear(n, units * k) then MaxPool1d(k); the regions are
    those of the same network built by hand."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.MaxPool1d(2), torch.nn.ReLU(),
                                torch.nn.Linear(3, 1)).double().eval()
    net = regions.from_torch(model)
    assert net.activations == ["max", "relu", "identity"]
    assert net.layers[0].windows.tolist() == [[0, 1], [2, 3], [4, 5]]
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    assert patterns(part) == ro.brute_force_regions(net, regions.box(-2, 2).resolve(2))


def test_pool_options_that_are_not_carried_are_refused():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    with pytest.raises(NetworkError, match="ceil_mode"):
        regions.from_torch(nn.Sequential(nn.Linear(2, 4), nn.MaxPool1d(3, ceil_mode=True)))
    with pytest.raises(NetworkError, match="MaxPool3d is not carried"):
        regions.from_torch(nn.Sequential(nn.Conv3d(1, 1, 1), nn.MaxPool3d(2)),
                           input_shape=(1, 2, 2, 2))
    with pytest.raises(NetworkError, match="more than 127"):
        regions.from_torch(nn.Sequential(nn.Conv2d(1, 1, 1), nn.MaxPool2d(12)),
                           input_shape=(1, 12, 12))


# --------------------------------------------------------------------------- bounds


def test_one_layer_maxout_maximum_closed_forms():
    b = regions.bounds
    for d in range(1, 5):
        for n in range(1, 6):
            assert b.maxout_layer_regions(d, n, 2) == b.zaslavsky(n, d)
            assert b.maxout_layer_regions(d, 1, 5) == 5
            if n <= d:
                assert b.maxout_layer_regions(d, n, 4) == 4 ** n
            assert b.maxout_layer_regions(1, n, 4) == 1 + 3 * n
            assert b.serra_maxout_upper(d, [n], 3) >= b.maxout_upper(d, [n], 3)


def test_one_layer_maximum_is_attained():
    """Units on separate coordinates give every combination: rank^units regions when
    units <= d; in R^1, units whose lines all reach the envelope at distinct breakpoints
    give 1 + units (rank - 1) intervals. Both equal the one-layer maximum."""
    rank = 3
    slopes = np.array([-1.0, 0.0, 1.0])
    parabola = [(s, -s * s / 4) for s in slopes]            # tangents of x^2 at s / 2
    rows, biases, windows = [], [], []
    for unit in range(2):                                    # unit g on coordinate g
        for i, (s, c) in enumerate(parabola):
            row = np.zeros(2)
            row[unit] = s
            rows.append(row)
            biases.append(c + 0.1 * unit)
        windows.append([unit * rank + i for i in range(rank)])
    grid = max_net([(np.array(rows), np.array(biases)), (np.ones((1, 2)), np.zeros(1))],
                   ["max", "identity"], {0: windows})
    assert len(regions.enumerate_regions(grid)) == rank ** 2 == \
        regions.bounds.maxout_layer_regions(2, 2, rank)
    units = 4
    rows, biases = [], []
    for unit in range(units):                                # shifted copies of one envelope
        for s in slopes:
            rows.append([s])
            biases.append(-s * 1.5 * unit - s * s / 4)      # breakpoints 1.5 unit +- 1/2
    line = max_net([(np.array(rows), np.array(biases)), (np.ones((1, units)), np.zeros(1))],
                   ["max", "identity"], {0: [[g * rank + i for i in range(rank)]
                                             for g in range(units)]})
    assert len(regions.enumerate_regions(line)) == 1 + units * (rank - 1) == \
        regions.bounds.maxout_layer_regions(1, units, rank)


@pytest.mark.parametrize("seed", range(3))
def test_counts_never_exceed_the_maxout_bounds(seed):
    for net, domain in ((random_maxout(seed, widths=(2, 4, 3), rank=3, tail="max"), None),
                        (pooled(seed), regions.box(-1, 1))):
        count = len(regions.enumerate_regions(net, domain))
        bounds = regions.bounds.network_bounds(net, domain)
        assert bounds and all(count <= b.value for b in bounds if b.kind == "upper")
        assert count <= regions.bounds.network_bound(net, domain)


def test_maxout_network_bounds_name_their_sources():
    net = random_maxout(0, widths=(2, 3, 2), rank=2, tail="max")   # units [3, 1], ranks 2
    names = {b.name: b.value for b in regions.bounds.network_bounds(net)}
    assert names["maxout"] == regions.bounds.maxout_upper(2, [3, 1], [2, 2])
    assert names["serra_maxout"] == regions.bounds.serra_maxout_upper(2, [3, 1], [2, 2])


# --------------------------------------------------------------------------- runs


def test_a_split_cut_short_and_a_resumed_checkpoint_give_the_same_regions(tmp_path,
                                                                           monkeypatch):
    """Max cells whose split stops after a few steps go back on the stack with their units'
    states so far (-1: not split yet); a checkpointed run resumed gives the same regions."""
    from regions.engines.split import SplitEngine
    net = random_maxout(4, widths=(2, 4, 3), rank=3)
    dom = regions.box(-2, 2)
    whole = regions.enumerate_regions(net, dom)
    monkeypatch.setattr(SplitEngine, "split_steps", 2)
    assert np.array_equal(regions.enumerate_regions(net, dom).patterns, whole.patterns)
    path = tmp_path / "run.npz"
    first = regions.enumerate_regions(net, dom, checkpoint=path, max_regions=5)
    assert not first.complete
    resumed = regions.enumerate_regions(net, dom, resume=path)
    assert np.array_equal(resumed.patterns, whole.patterns)


def test_command_line_counts_writes_certifies_and_takes_the_face_lattice(tmp_path, capsys):
    from regions.cli import main
    path = tmp_path / "pool.npz"
    regions.write_network(pooled(0), path)
    assert main(["count", str(path), "--box", "-1", "1", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regions"] == len(ro.brute_force_regions(pooled(0),
                                                        regions.box(-1, 1).resolve(2)))
    assert out["method"] == "split"
    written = tmp_path / "p.json"
    assert main(["count", str(path), "--box", "-1", "1", "--output", str(written), "--certify",
                 "--pieces", "--exact-check", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["exact_check"]["failed"] == [] and "certificate: CLEAN" in captured.err
    assert out["pieces"] == ro.brute_force_pieces(pooled(0), regions.box(-1, 1).resolve(2))
    assert patterns(regions.read_json(written)) == ro.brute_force_regions(
        pooled(0), regions.box(-1, 1).resolve(2))
    graph = tmp_path / "g.graphml"
    assert main(["graph", str(path), "--box", "-1", "1", "-o", str(graph), "--quiet"]) == 0
    G = regions.read_graph(graph)
    part = regions.read_json(written)
    keys = [tuple(int(v) for v in p) for p in part.patterns]
    assert {frozenset((keys[i], keys[j])) for i, j in G.edges} == ro.brute_force_adjacency(
        pooled(0), regions.box(-1, 1).resolve(2))
    report = tmp_path / "verify.json"
    assert main(["verify", str(path), "--box", "-1", "1", "--samples", "2000", "--lines", "10",
                 "-o", str(report), "--quiet"]) == 0
    assert json.loads(report.read_text())["exact"] == len(ro.brute_force_regions(
        pooled(0), regions.box(-1, 1).resolve(2)))
    capsys.readouterr()
    assert main(["faces", str(path), "--box", "-1", "1", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["f_vector"] == ro.brute_force_f_vector_2d(pooled(0), regions.box(-1, 1).resolve(2))
    assert out["euler_characteristic"] == 1


# --------------------------------------------------------------------------- analyses


@pytest.mark.parametrize("seed", [pytest.param(s, marks=pytest.mark.slow) if s in (5, 10) else s
                                  for s in range(12)])    # 5 and 10: the slowest
def test_analyses_of_assorted_max_networks_match_the_brute_force(seed):
    """Regions, adjacency graph, linear pieces and the exact maps against the exact brute
    force; the certificate and the exact witness check clean; the JSON file round trips."""
    from regions.analysis.witnesses import exact_check
    net = assorted_max_net(seed)
    part = regions.enumerate_regions(net, regions.box(-2, 2) if seed % 3 else None)
    domain = part.domain
    assert patterns(part) == ro.brute_force_regions(net, domain)
    G = regions.adjacency_graph(part)
    keys = [tuple(int(v) for v in p) for p in part.patterns]
    assert {frozenset((keys[i], keys[j])) for i, j in G.edges} == ro.brute_force_adjacency(
        net, domain)
    assert regions.linear_pieces(part).count == ro.brute_force_pieces(net, domain)
    assert regions.certify(part).ok and exact_check(part) == []
    assert np.array_equal(regions.read_json(regions.write_json(part)).patterns, part.patterns)


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_pair_index_and_max_winners_against_itertools_and_argmax(size):
    """The pair (p, q)'s index is its position in itertools.combinations order; the
    winner from the pairs' signs (z_q - z_p) is numpy's argmax, ties to the lowest
    position (inputs drawn from {0, 1, 2}, so ties are common)."""
    from itertools import combinations
    from regions.network import max_winners, pair_index
    pairs = list(combinations(range(size), 2))
    assert [pair_index(p, q, size) for p, q in pairs] == list(range(len(pairs)))
    z = np.random.default_rng(size).integers(0, 3, size=(200, size))
    signs = np.array([[np.sign(row[q] - row[p]) for p, q in pairs] for row in z],
                     dtype=np.int8).reshape(len(z), len(pairs))
    assert max_winners(signs, size).tolist() == np.argmax(z, axis=1).tolist()

"""Metamorphic tests: transformations that must not change the partition.

Each transformation below maps a network (and, for the change of input
coordinates, the domain) to another one whose linear regions are the same
sets, up to a known relabelling of the activation patterns:

* **permute** the neurons of a hidden layer (rows of ``W_l``, ``b_l``, columns
  of ``W_{l+1}``): pattern entries of that layer are permuted;
* **rescale** one ReLU / leaky-ReLU neuron: incoming weights and bias times
  ``c > 0``, outgoing weights times ``1/c``: patterns unchanged;
* **change input coordinates** ``x = T u + s``: first layer ``W T``,
  ``b + W s``; the domain is mapped too (a box or polytope ``A x <= c`` becomes
  ``(A T) u <= c - A s``, a segment's end points ``T^-1 (p - s)``, a plane
  slice's points likewise with ``T`` a similarity so that the slice box maps to
  the slice box); patterns unchanged;
* **split** a hidden neuron into two identical copies with half the outgoing
  weight each: the copy's state is appended to its layer's pattern entries.

For every engine and domain, the region count, the set of (relabelled)
patterns and the adjacency graph (``regions.adjacency_graph(part)``, nodes identified by their
relabelled patterns) must be equal. Inputs with regions near the tolerance
(before or after the transformation) are rejected with ``assume``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import regions
from geometry_oracle import (ENGINES, cases, clean_partition, domains, networks,
                             widths_for)
from marks import engine_marks
from nets import network

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


# --------------------------------------------------------------------------- comparison


def keyed(part, relabel=lambda p: p):
    """(set of relabelled patterns, set of edges between them) of a partition."""
    keys = [relabel(np.asarray(p)).tobytes() for p in part.patterns]
    assert len(set(keys)) == len(keys), "two regions share a pattern"
    G = regions.adjacency_graph(part)
    assert sorted(G.nodes) == list(range(len(part)))
    edges = {frozenset((keys[a], keys[b])) for a, b in G.edges}
    assert len(edges) == G.number_of_edges()
    return set(keys), edges


def assert_same_partition(before, after, relabel):
    assert len(before) == len(after), f"{len(before)} regions became {len(after)}"
    nodes_b, edges_b = keyed(before, relabel)
    nodes_a, edges_a = keyed(after)
    assert nodes_b == nodes_a, "the patterns differ (after relabelling)"
    assert edges_b == edges_a, (
        f"adjacency differs: {len(edges_b - edges_a)} edges lost, {len(edges_a - edges_b)} gained")


# --------------------------------------------------------------------------- transformations


def layer_list(net):
    return [(layer.weight.copy(), layer.bias.copy()) for layer in net.layers], net.activations


def rebuild(layers, acts, net):
    return regions.Network.from_layers(layers, activations=acts, slope=net.layers[0].slope)


def permute(net, l, perm):
    layers, acts = layer_list(net)
    W, b = layers[l]
    layers[l] = (W[perm], b[perm])
    W2, b2 = layers[l + 1]
    layers[l + 1] = (W2[:, perm], b2)
    sl = net.pattern_slices()[l]

    def relabel(p):
        q = p.copy()
        q[sl] = p[sl][perm]
        return q
    return rebuild(layers, acts, net), relabel


def rescale(net, l, j, c):
    layers, acts = layer_list(net)
    W, b = layers[l]
    W[j] *= c
    b[j] *= c
    layers[l + 1][0][:, j] /= c
    return rebuild(layers, acts, net), lambda p: p


def split_neuron(net, l, j):
    layers, acts = layer_list(net)
    W, b = layers[l]
    layers[l] = (np.vstack([W, W[j:j + 1]]), np.append(b, b[j]))
    W2, b2 = layers[l + 1]
    half = W2[:, j] / 2
    W2 = W2.copy()
    W2[:, j] = half
    layers[l + 1] = (np.hstack([W2, half[:, None]]), b2)
    sl = net.pattern_slices()[l]

    def relabel(p):
        return np.insert(p, sl.stop, p[sl][j])
    return rebuild(layers, acts, net), relabel


def change_coordinates(net, T, s):
    layers, acts = layer_list(net)
    W, b = layers[0]
    layers[0] = (W @ T, b + W @ s)
    return rebuild(layers, acts, net), lambda p: p


def map_domain(dom, spec, T, s, n):
    """The domain in coordinates ``u`` with ``x = T u + s``.

    ``spec`` is how the original was built: ("box", lo, hi), ("polytope", A, c),
    ("whole",), ("segment", p0, p1) or ("plane", p0, p1, p2, lo, hi).
    """
    kind = spec[0]
    Tinv = np.linalg.inv(T)
    if kind in ("box", "polytope"):
        if kind == "box":
            lo, hi = np.broadcast_to(spec[1], (n,)), np.broadcast_to(spec[2], (n,))
            A = np.vstack([np.eye(n), -np.eye(n)])
            c = np.concatenate([hi, -lo])
        else:
            A, c = spec[1], spec[2]
        return regions.polytope(A @ T, c - A @ s)
    if kind == "whole":
        return regions.whole_space()
    if kind == "segment":
        return regions.segment(Tinv @ (spec[1] - s), Tinv @ (spec[2] - s))
    p0, p1, p2, lo, hi = spec[1:]
    factor = np.linalg.norm(T[:, 0])        # T = factor * orthogonal
    return regions.plane(*(Tinv @ (p - s) for p in (p0, p1, p2)), lo=lo / factor, hi=hi / factor)


# --------------------------------------------------------------------------- inputs


@st.composite
def spec_domains(draw, kind, n):
    """A domain with the recipe that built it (for :func:`map_domain`)."""
    if kind == "box":
        lo = np.array(draw(st.lists(st.sampled_from([-2.0, -1.0, -0.5]), min_size=n, max_size=n)))
        hi = np.array(draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n)))
        return regions.box(lo, hi), ("box", lo, hi)
    if kind == "polytope":
        dom = draw(domains("polytope", n))
        return dom, ("polytope", dom.A, dom.b)
    if kind == "whole":
        return regions.whole_space(), ("whole",)
    point = st.lists(st.integers(-1, 1), min_size=n, max_size=n).map(
        lambda p: np.array(p, dtype=np.float64))
    if kind == "segment":
        p0, p1 = draw(point), draw(point)
        assume(np.any(p0 != p1))
        return regions.segment(2 * p0, 2 * p1), ("segment", 2 * p0, 2 * p1)
    p0, p1, p2 = draw(point), draw(point), draw(point)
    assume(np.linalg.matrix_rank(np.stack([p1 - p0, p2 - p0])) == 2)
    return regions.plane(p0, p1, p2, lo=-1.0, hi=1.0), ("plane", p0, p1, p2, -1.0, 1.0)


@st.composite
def coordinate_changes(draw, n, similarity):
    """An invertible ``T`` (condition number at most 10) and a shift ``s``."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    s = rng.integers(-1, 2, size=n).astype(np.float64)
    if similarity:
        q, r = np.linalg.qr(rng.normal(size=(n, n)))
        return draw(st.sampled_from([0.5, 1.0, 2.0])) * q * np.sign(np.diag(r)), s
    if draw(st.booleans()):       # small integers: exact arithmetic on integer nets
        T = rng.integers(-2, 3, size=(n, n)).astype(np.float64)
    else:
        T = np.eye(n) + 0.5 * rng.normal(size=(n, n))
    assume(abs(np.linalg.det(T)) > 0.5 and np.linalg.cond(T) < 10)
    return T, s


def hidden_layer(draw, net, activations=("relu", "leaky_relu", "hardtanh")):
    candidates = [l for l, layer in enumerate(net.layers[:-1]) if layer.activation in activations]
    assume(candidates)
    return draw(st.sampled_from(candidates))


TRANSFORMS = ("permute", "rescale", "coordinates", "split")


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("case", [pytest.param(c, id="-".join(c), marks=engine_marks(c[0]))
                                  for c in cases()])
@settings(max_examples=2, **SETTINGS)
@given(data=st.data())
def test_partition_unchanged(case, transform, data):
    engine, kind = case
    widths = data.draw(widths_for(kind))
    n = widths[0]
    hidden = ("relu", "leaky_relu") if transform == "rescale" else (
        "relu", "leaky_relu", "hardtanh")
    net = data.draw(networks(widths, hidden=hidden))
    dom, spec = data.draw(spec_domains(kind, n))
    new_dom = dom
    if transform == "permute":
        l = hidden_layer(data.draw, net)
        width = net.layers[l].width
        perm = np.array(data.draw(st.permutations(range(width))))
        assume(np.any(perm != np.arange(width)))
        new_net, relabel = permute(net, l, perm)
    elif transform == "rescale":
        l = hidden_layer(data.draw, net, ("relu", "leaky_relu"))
        j = data.draw(st.integers(0, net.layers[l].width - 1))
        c = data.draw(st.sampled_from([0.25, 3.0, 0.1, 7.5, 1e3]))
        new_net, relabel = rescale(net, l, j, c)
    elif transform == "coordinates":
        T, s = data.draw(coordinate_changes(n, similarity=kind == "plane"))
        new_net, relabel = change_coordinates(net, T, s)
        new_dom = map_domain(dom, spec, T, s, n)
    else:
        l = hidden_layer(data.draw, net)
        j = data.draw(st.integers(0, net.layers[l].width - 1))
        new_net, relabel = split_neuron(net, l, j)
    before = clean_partition(net, dom, engine)
    after = clean_partition(new_net, new_dom, engine)
    assert_same_partition(before, after, relabel)


# --------------------------------------------------------------------------- fixed degenerate cases


DEGENERATE = {
    # duplicated and negated neurons, a dead one and a zero row
    "duplicates": network([([[1, 0], [1, 0], [-1, 0], [0, 1], [0, 0], [0, 0]], [0, 0, 0, .5, -1, 0]),
                           ([[1, 1, 1, -1, 1, 2], [1, -1, 0, 1, 0, 1]], [-.5, 0]),
                           ([[1, 1]], [0])]),
    # hyperplanes through the corners of [-1, 1]^2 and a parallel family
    "corners": network([([[1, 1], [1, -1], [2, 2], [1, 1]], [0, 0, -1, 2]),
                        ([[1, 1, 0, 1], [0, 1, -1, 0]], [-1, 0]),
                        ([[1, -1]], [0])]),
}


def _degenerate_cases():
    for name in DEGENERATE:
        for engine in ENGINES:
            for transform in TRANSFORMS:
                yield pytest.param(name, engine, transform, id=f"{name}-{engine}-{transform}",
                                   marks=engine_marks(engine))


@pytest.mark.parametrize("name,engine,transform", list(_degenerate_cases()))
def test_degenerate_partition_unchanged(name, engine, transform):
    net = DEGENERATE[name]
    dom = regions.box(-1, 1)
    new_dom = dom
    if transform == "permute":
        new_net, relabel = permute(net, 0, np.roll(np.arange(net.layers[0].width), 1))
    elif transform == "rescale":
        # a power of two: the rescaled neuron stays exactly its duplicates' hyperplane
        # (3.0 would round it off them, into a genuinely different, nearby hyperplane)
        new_net, relabel = rescale(net, 0, 1, 4.0)
    elif transform == "coordinates":
        T, s = np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([1.0, -1.0])
        new_net, relabel = change_coordinates(net, T, s)
        new_dom = map_domain(dom, ("box", -1.0, 1.0), T, s, 2)
    else:
        new_net, relabel = split_neuron(net, 1, 0)
    before = regions.enumerate_regions(net, dom, method=engine)
    after = regions.enumerate_regions(new_net, new_dom, method=engine)
    for part in (before, after):
        assert part.exact and part.certain
    assert_same_partition(before, after, relabel)

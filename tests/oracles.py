"""Independent reference implementations that the tests check ``regions`` against.

The oracles use nothing of ``regions`` but a ``Network``'s public attributes
(``layers``: weight, bias, activation, slope); the test helpers at the end
use ``regions.Network.from_layers`` only to build inputs. Every geometric
decision is made here from scratch:

* :func:`zaslavsky`, :func:`parallel_families` -- closed formulas for one layer.
* :func:`brute_force_patterns` -- every activation pattern, its polyhedron in
  working coordinates (:func:`pattern_polyhedron`), and an inscribed-ball LP
  solved by ``scipy.optimize.linprog`` (not by regions' HiGHS wrapper).
* :func:`line_partition` -- exact 1-D breakpoint sweep along a line.
* :func:`polygon_partition` -- 2-D algorithm by exact convex polygon clipping,
  layer by layer; LP-free except for pieces whose inradius bracket
  ``A/P <= r <= 2A/P`` cannot decide them. :func:`whole_plane_partition`
  applies it to R^2 through two large squares.
* :class:`Slice` -- domains built independently (own Gram-Schmidt, own box rows).

Full-dimensionality: ``regions`` counts a region when its largest inscribed
ball has radius above ``MIN_RADIUS = 1e-7``. The oracles count a region when
its radius exceeds ``KEEP = 1e-6`` and discard it below ``DROP = 1e-9``; a
region in between is *ambiguous* and the oracle raises :class:`Ambiguous`, so
that a test can skip that seed instead of comparing across the tolerance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from math import comb

import numpy as np
from scipy.optimize import linprog

DROP = 1e-9
KEEP = 1e-6
#: Radius cap of the oracle's inscribed-ball LP on unbounded polyhedra.
ORACLE_CAP = 1.0
#: A pre-activation gradient below this (relative) norm is a constant function.
ZERO_GRADIENT = 1e-12

_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


class Ambiguous(Exception):
    """Some region's inscribed radius lies in ``[DROP, KEEP]``: no verdict for this input."""


# --------------------------------------------------------------------------- formulas


def zaslavsky(num_hyperplanes: int, dim: int) -> int:
    """Regions of ``num_hyperplanes`` hyperplanes in general position in R^dim."""
    return sum(comb(num_hyperplanes, i) for i in range(dim + 1))


def parallel_families(families: int, per_family: int, dim: int) -> int:
    """Regions of ``families`` generic directions, each with ``per_family`` parallel hyperplanes.

    Choosing ``i <= dim`` families in general position, every choice of one
    hyperplane from each gives one vertex-like flat: sum_i C(k, i) p^i.
    """
    return sum(comb(families, i) * per_family ** i for i in range(dim + 1))


# --------------------------------------------------------------------------- domains


@dataclass(frozen=True)
class Slice:
    """A domain ``{z : A z <= c}`` in working coordinates, embedded as ``x = origin + basis z``.

    Built here independently of ``regions.domain``. ``A`` rows need not be unit.
    """

    A: np.ndarray
    c: np.ndarray
    origin: np.ndarray
    basis: np.ndarray

    @property
    def dim(self) -> int:
        return self.basis.shape[1]

    def to_input(self, z) -> np.ndarray:
        return np.asarray(z, float) @ self.basis.T + self.origin


def whole_slice(n: int) -> Slice:
    return Slice(np.zeros((0, n)), np.zeros(0), np.zeros(n), np.eye(n))


def _box_rows(lo, hi):
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    eye = np.eye(lo.size)
    return np.vstack([eye, -eye]), np.concatenate([hi, -lo])


def box_slice(lo, hi) -> Slice:
    A, c = _box_rows(lo, hi)
    n = A.shape[1]
    return Slice(A, c, np.zeros(n), np.eye(n))


def polytope_slice(A, c) -> Slice:
    A = np.asarray(A, float)
    return Slice(A, np.asarray(c, float), np.zeros(A.shape[1]), np.eye(A.shape[1]))


def plane_slice(p0, p1, p2, lo=None, hi=None) -> Slice:
    """Plane through three points: origin ``p0``, ``u`` towards ``p1``, ``v`` towards ``p2``."""
    p0, p1, p2 = (np.asarray(p, float) for p in (p0, p1, p2))
    u = (p1 - p0) / np.linalg.norm(p1 - p0)
    w = (p2 - p0) - ((p2 - p0) @ u) * u
    v = w / np.linalg.norm(w)
    basis = np.stack([u, v], axis=1)
    if lo is None:
        return Slice(np.zeros((0, 2)), np.zeros(0), p0, basis)
    A, c = _box_rows(np.full(2, float(lo)), np.full(2, float(hi)))
    return Slice(A, c, p0, basis)


def segment_slice(p0, p1) -> tuple[Slice, float]:
    """Segment ``t in [0, |p1 - p0|]`` at unit speed; returns the slice and the length."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(p1 - p0))
    basis = ((p1 - p0) / length)[:, None]
    return Slice(np.array([[1.0], [-1.0]]), np.array([length, 0.0]), p0, basis), length


# --------------------------------------------------------------------------- network pieces


def states_of(z: np.ndarray, activation: str) -> np.ndarray:
    """Neuron states from pre-activations (relu/leaky: z > 0; hardtanh: -1, 0, 1)."""
    if activation == "hardtanh":
        return np.where(z > 1.0, 1, np.where(z < -1.0, -1, 0)).astype(np.int8)
    return (z > 0.0).astype(np.int8)


def slope_shift(states: np.ndarray, layer) -> tuple[np.ndarray, np.ndarray]:
    """The activation on a fixed state is ``slope * z + shift``."""
    states = np.asarray(states)
    if layer.activation == "relu":
        return (states == 1).astype(float), np.zeros(states.shape)
    if layer.activation == "leaky_relu":
        return np.where(states == 1, 1.0, layer.slope), np.zeros(states.shape)
    if layer.activation == "hardtanh":
        return (states == 0).astype(float), states.astype(float)
    return np.ones(states.shape), np.zeros(states.shape)


def preactivations(net, X) -> list[np.ndarray]:
    """Pre-activations ``(k, width)`` of every layer at input points ``X (k, n)``."""
    h = np.atleast_2d(np.asarray(X, float))
    out = []
    for layer in net.layers:
        z = h @ layer.weight.T + layer.bias
        out.append(z)
        if layer.activation == "relu":
            h = np.maximum(z, 0.0)
        elif layer.activation == "leaky_relu":
            h = np.where(z > 0, z, layer.slope * z)
        elif layer.activation == "hardtanh":
            h = np.clip(z, -1.0, 1.0)
        else:
            h = z
    return out


def true_patterns(net, X) -> np.ndarray:
    """Activation patterns ``(k, P)`` computed from :func:`preactivations`."""
    pieces = [states_of(z, layer.activation)
              for z, layer in zip(preactivations(net, X), net.layers)
              if layer.activation != "identity"]
    k = np.atleast_2d(X).shape[0]
    return np.concatenate(pieces, axis=1) if pieces else np.zeros((k, 0), np.int8)


def decisive(net, X, tol: float = 1e-9) -> np.ndarray:
    """Mask ``(k, P)``: the neuron's pre-activation is more than ``tol`` from its breakpoints."""
    pieces = []
    for z, layer in zip(preactivations(net, X), net.layers):
        if layer.activation == "identity":
            continue
        taus = (-1.0, 1.0) if layer.activation == "hardtanh" else (0.0,)
        pieces.append(np.all([np.abs(z - tau) > tol for tau in taus], axis=0))
    k = np.atleast_2d(X).shape[0]
    return np.concatenate(pieces, axis=1) if pieces else np.zeros((k, 0), bool)


# --------------------------------------------------------------------------- inscribed ball


def inscribed_ball(A: np.ndarray, c: np.ndarray, dim: int,
                   cap: float = ORACLE_CAP) -> tuple[np.ndarray | None, float]:
    """Largest ball (center, radius <= cap) in ``{z : A z <= c}``; radius negative if empty.

    Rows with zero norm are constant constraints ``0 <= c``. Solved by
    ``scipy.optimize.linprog`` (HiGHS through scipy, tight tolerances).
    """
    A = np.asarray(A, float).reshape(-1, dim)
    c = np.asarray(c, float)
    norms = np.linalg.norm(A, axis=1)
    zero = norms == 0.0
    if np.any(c[zero] < 0.0):
        return None, -np.inf
    A, c, norms = A[~zero], c[~zero], norms[~zero]
    if A.shape[0] == 0:
        return np.zeros(dim), cap
    A_ub = np.hstack([A / norms[:, None], np.ones((A.shape[0], 1))])
    cost = np.zeros(dim + 1)
    cost[-1] = -1.0
    bounds = [(None, None)] * dim + [(None, cap)]
    res = linprog(cost, A_ub=A_ub, b_ub=c / norms, bounds=bounds, method="highs",
                  options=_LP_OPTIONS)
    if res.status != 0:
        raise RuntimeError(f"oracle LP failed: {res.message}")
    return res.x[:dim], float(res.x[-1])


def inscribed_radius(A: np.ndarray, c: np.ndarray, dim: int, cap: float = ORACLE_CAP) -> float:
    """Radius of :func:`inscribed_ball`."""
    return inscribed_ball(A, c, dim, cap)[1]


def _neuron_rows(g: np.ndarray, beta: float, state: int, activation: str, scale: float):
    """Constraints ``row . z <= rhs`` meaning ``neuron has state`` for ``z -> g.z + beta``.

    Returns a list of ``(row, rhs)``, or ``None`` when the state is impossible
    for a constant pre-activation (strict inequalities decided exactly).
    """
    if np.linalg.norm(g) <= ZERO_GRADIENT * max(scale, 1e-300):
        if activation == "hardtanh":
            ok = {1: beta > 1.0, -1: beta < -1.0, 0: -1.0 <= beta <= 1.0}[state]
        else:
            ok = beta > 0.0 if state == 1 else beta <= 0.0
        return [] if ok else None
    if activation == "hardtanh":
        if state == 1:
            return [(-g, beta - 1.0)]
        if state == -1:
            return [(g, -1.0 - beta)]
        return [(g, 1.0 - beta), (-g, 1.0 + beta)]
    return [(-g, beta)] if state == 1 else [(g, -beta)]


def _layer_states(layer) -> tuple[int, ...]:
    return (-1, 0, 1) if layer.activation == "hardtanh" else (0, 1)


def _classify(radius: float) -> bool:
    if radius > KEEP:
        return True
    if radius < DROP:
        return False
    raise Ambiguous(f"a pattern polyhedron has inscribed radius {radius:.3g}")


def brute_force_patterns(net, domain: Slice, exhaustive: bool = False) -> set[tuple]:
    """Every activation pattern whose polyhedron in ``domain`` holds a ball of radius > KEEP.

    With ``exhaustive=True`` every pattern in the full product of neuron
    states gets its own LP. Otherwise patterns are built neuron by neuron and
    a prefix is abandoned once its polyhedron holds no ball of radius DROP:
    the polyhedron of any completion is a subset of it, so no feasible
    pattern is lost (same answer, far fewer LPs).
    Raises :class:`Ambiguous` when some pattern's radius is in ``[DROP, KEEP]``.
    """
    dim = domain.dim
    neurons = [(li, j) for li, layer in enumerate(net.layers)
               if layer.activation != "identity" for j in range(layer.width)]
    if exhaustive:
        choices = [_layer_states(net.layers[li]) for li, _ in neurons]
        found = set()
        for pattern in itertools.product(*choices):
            rows = pattern_polyhedron(net, domain, pattern)
            if rows is not None and _classify(inscribed_radius(*rows, dim)):
                found.add(tuple(int(s) for s in pattern))
        return found

    found = set()

    def extend(pattern: tuple, A: np.ndarray, c: np.ndarray, center, radius: float,
               exact: bool):
        # (center, radius) is a ball inside the current polyhedron; ``exact`` when largest.
        if len(pattern) == len(neurons):
            if not exact and radius <= KEEP:
                center, radius = inscribed_ball(A, c, dim)
            if _classify(radius):
                found.add(pattern)
            return
        li, j = neurons[len(pattern)]
        layer = net.layers[li]
        G, beta, scale = _layer_affine(net, domain, pattern, li)
        for state in _layer_states(layer):
            rows = _neuron_rows(G[j], beta[j], state, layer.activation, scale[j])
            if rows is None:
                continue
            A2 = np.vstack([A] + [r[None, :] for r, _ in rows])
            c2 = np.concatenate([c, [rhs for _, rhs in rows]])
            slacks = [(rhs - row @ center) / np.linalg.norm(row) for row, rhs in rows]
            if all(s >= radius for s in slacks):
                # The ball satisfies the new rows: it is a ball of the child (the largest if
                # it was the parent's largest, since the child is a subset).
                extend(pattern + (state,), A2, c2, center, radius, exact)
            elif len(rows) == 1 and slacks[0] > 0.0 and radius + slacks[0] > 2.0 * DROP:
                # The cap of the ball on the centre's side holds a ball of radius (R + s) / 2.
                unit = rows[0][0] / np.linalg.norm(rows[0][0])
                shift = (radius - slacks[0]) / 2.0
                extend(pattern + (state,), A2, c2, center - shift * unit,
                       (radius + slacks[0]) / 2.0, False)
            else:
                center2, radius2 = inscribed_ball(A2, c2, dim)
                if radius2 >= DROP:
                    extend(pattern + (state,), A2, c2, center2, radius2, True)

    A0 = np.asarray(domain.A, float).reshape(-1, dim)
    c0 = np.asarray(domain.c, float)
    extend((), A0, c0, *inscribed_ball(A0, c0, dim), True)
    return found


def _layer_affine(net, domain: Slice, pattern: tuple, target: int):
    """Pre-activation ``G z + beta`` of layer ``target`` given the states of earlier layers."""
    M, m = domain.basis, domain.origin
    pos = 0
    for li, layer in enumerate(net.layers):
        G = layer.weight @ M
        beta = layer.weight @ m + layer.bias
        if li == target:
            scale = np.abs(layer.weight) @ np.linalg.norm(M, axis=1)
            return G, beta, scale
        if layer.activation == "identity":
            M, m = G, beta
            continue
        states = np.asarray(pattern[pos:pos + layer.width])
        pos += layer.width
        slope, shift = slope_shift(states, layer)
        M, m = slope[:, None] * G, slope * beta + shift
    raise IndexError(target)


def pattern_polyhedron(net, domain: Slice, pattern: tuple):
    """``(A, c)``: the points of ``domain`` (working coordinates) with this pattern, closed.

    None if a constant neuron contradicts the pattern.
    """
    A = [np.asarray(domain.A, float).reshape(-1, domain.dim)]
    c = [np.asarray(domain.c, float)]
    pos = 0
    for li, layer in enumerate(net.layers):
        if layer.activation == "identity":
            continue
        G, beta, scale = _layer_affine(net, domain, pattern, li)
        for j in range(layer.width):
            rows = _neuron_rows(G[j], beta[j], pattern[pos + j], layer.activation, scale[j])
            if rows is None:
                return None
            for row, rhs in rows:
                A.append(row[None, :])
                c.append([rhs])
        pos += layer.width
    return np.vstack(A), np.concatenate(c)


# --------------------------------------------------------------------------- 1-D sweep


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float
    pattern: tuple


def line_partition(net, origin, direction, t_lo: float = -np.inf,
                   t_hi: float = np.inf) -> list[Interval]:
    """Exact linear regions of ``t -> net(origin + t * direction)`` on ``[t_lo, t_hi]``.

    Layer by layer, every piece of the line on which the earlier layers are
    affine (``h = alpha t + gamma``) is cut at the roots of each neuron's
    ``z_j(t) - breakpoint``; states are read at piece midpoints. Adjacent
    pieces with the same pattern are merged (a pattern's set is convex).
    Pieces of half-length below DROP are dropped; Ambiguous if any final
    interval has half-length in ``[DROP, KEEP]``.
    """
    pieces = [(float(t_lo), float(t_hi), np.asarray(direction, float),
               np.asarray(origin, float), ())]
    for layer in net.layers:
        taus = (-1.0, 1.0) if layer.activation == "hardtanh" else (0.0,)
        refined = []
        for lo, hi, alpha, gamma, pattern in pieces:
            a = layer.weight @ alpha
            c = layer.weight @ gamma + layer.bias
            if layer.activation == "identity":
                refined.append((lo, hi, a, c, pattern))
                continue
            cuts = sorted({(tau - c[j]) / a[j] for j in range(layer.width) for tau in taus
                           if a[j] != 0.0 and lo < (tau - c[j]) / a[j] < hi})
            ends = [lo] + cuts + [hi]
            for u, v in zip(ends[:-1], ends[1:]):
                mid = _midpoint(u, v)
                states = states_of(a * mid + c, layer.activation)
                slope, shift = slope_shift(states, layer)
                refined.append((u, v, slope * a, slope * c + shift,
                                pattern + tuple(int(s) for s in states)))
        pieces = refined
    merged: list[Interval] = []
    for lo, hi, _, _, pattern in pieces:
        if (hi - lo) / 2.0 < DROP:
            continue
        if merged and merged[-1].pattern == pattern:
            merged[-1] = Interval(merged[-1].lo, hi, pattern)
        else:
            merged.append(Interval(lo, hi, pattern))
    for interval in merged:
        if (interval.hi - interval.lo) / 2.0 <= KEEP:
            raise Ambiguous(f"interval of length {interval.hi - interval.lo:.3g}")
    return merged


def _midpoint(u: float, v: float) -> float:
    if np.isinf(u) and np.isinf(v):
        return 0.0
    if np.isinf(u):
        return v - 1.0
    if np.isinf(v):
        return u + 1.0
    return 0.5 * (u + v)


# --------------------------------------------------------------------------- 2-D clipping


def _clip(poly: np.ndarray, g: np.ndarray, beta: float):
    """Split a convex polygon (k, 2) by ``g . z + beta = 0``: (part with <= 0, part with >= 0)."""
    values = poly @ g + beta
    neg, pos = [], []
    k = len(poly)
    for i in range(k):
        p, q = poly[i], poly[(i + 1) % k]
        vp, vq = values[i], values[(i + 1) % k]
        if vp <= 0:
            neg.append(p)
        if vp >= 0:
            pos.append(p)
        if (vp < 0 < vq) or (vq < 0 < vp):
            x = p + (vp / (vp - vq)) * (q - p)
            neg.append(x)
            pos.append(x)
    return np.array(neg).reshape(-1, 2), np.array(pos).reshape(-1, 2)


def _area_perimeter(poly: np.ndarray) -> tuple[float, float]:
    if len(poly) < 3:
        return 0.0, 0.0
    x, y = poly[:, 0], poly[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    perimeter = float(np.sum(np.linalg.norm(poly - np.roll(poly, -1, axis=0), axis=1)))
    return float(area), perimeter


def _polygon_kept(poly: np.ndarray, final: bool) -> bool:
    """Keep/drop a piece by its inradius r, bracketed for convex sets by A/P <= r <= 2A/P.

    Pieces with r surely below DROP are dropped; with ``final`` (a layer is
    complete) a piece that is neither surely above KEEP nor surely below DROP
    raises Ambiguous.
    """
    area, perimeter = _area_perimeter(poly)
    if perimeter == 0.0 or 2.0 * area / perimeter < DROP:
        return False
    if not final or area / perimeter > KEEP:
        return True
    return _classify(_polygon_inradius(poly))


def _polygon_inradius(poly: np.ndarray) -> float:
    """Exact inradius of a convex polygon from its edge lines (one scipy LP)."""
    center = poly.mean(axis=0)
    edges = np.roll(poly, -1, axis=0) - poly
    keep = np.linalg.norm(edges, axis=1) > 0
    normals = np.stack([edges[keep, 1], -edges[keep, 0]], axis=1)
    rhs = np.einsum("ij,ij->i", normals, poly[keep])
    flip = normals @ center > rhs  # orient every edge so that the centroid satisfies it
    normals[flip], rhs[flip] = -normals[flip], -rhs[flip]
    return inscribed_radius(normals, rhs, 2, cap=np.inf)


def polygon_partition(net, domain: Slice, polygon: np.ndarray):
    """LP-free exact regions of a network on a convex polygon of a 2-D slice.

    ``polygon`` (k, 2) lists the domain's vertices in working coordinates.
    Every piece carries the affine map of the layers so far; each breakpoint
    line of the next layer clips it. Returns ``(patterns, per_layer, pieces)``:
    the list of patterns, the piece count after each layer, and the final
    polygons.
    """
    pieces = [(np.asarray(polygon, float), domain.basis, domain.origin, ())]
    per_layer = []
    for layer in net.layers:
        taus = (-1.0, 1.0) if layer.activation == "hardtanh" else (0.0,)
        refined = []
        for poly, M, m, pattern in pieces:
            G = layer.weight @ M
            beta = layer.weight @ m + layer.bias
            if layer.activation == "identity":
                refined.append((poly, G, beta, pattern))
                continue
            scale = np.abs(layer.weight) @ np.linalg.norm(M, axis=1)
            parts = [poly]
            for j in range(layer.width):
                if np.linalg.norm(G[j]) <= ZERO_GRADIENT * max(scale[j], 1e-300):
                    continue
                for tau in taus:
                    split = []
                    for part in parts:
                        split.extend(p for p in _clip(part, G[j], beta[j] - tau)
                                     if _polygon_kept(p, final=False))
                    parts = split
            for part in parts:
                # Centroid of the vertices: strictly inside a non-degenerate convex polygon.
                center = part.mean(axis=0)
                states = states_of(G @ center + beta, layer.activation)
                slope, shift = slope_shift(states, layer)
                refined.append((part, slope[:, None] * G, slope * beta + shift,
                                pattern + tuple(int(s) for s in states)))
        pieces = [p for p in refined if _polygon_kept(p[0], final=True)]
        per_layer.append(len(pieces))
    return [p[3] for p in pieces], per_layer, [p[0] for p in pieces]


def whole_plane_partition(net, near: float = 1e4, far: float = 1e7):
    """:func:`polygon_partition` of a 2-input network on all of R^2, via two large squares.

    Beyond its last vertex the partition is a fan of cones, and a square
    containing every vertex meets every region once. The vertices are not
    known in advance, so the squares of half-size ``near`` and ``far`` must
    see the same patterns (else Ambiguous: a thin cone, or a vertex, lies
    beyond ``near``); the ``far`` result is returned.
    """
    whole = whole_slice(2)
    inner = polygon_partition(net, whole, square(-near, near))
    outer = polygon_partition(net, whole, square(-far, far))
    if set(inner[0]) != set(outer[0]):
        raise Ambiguous(f"squares of half-size {near:g} and {far:g} see different regions")
    return outer


def square(lo: float, hi: float) -> np.ndarray:
    """Counter-clockwise vertices of ``[lo, hi]^2``."""
    return np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], dtype=float)


# --------------------------------------------------------------------------- test helpers


def hidden(rows, biases, activation="relu"):
    """One hidden layer with the given rows (neurons) and biases, then a 1-output identity."""
    import regions

    W = np.atleast_2d(np.asarray(rows, float))
    b = np.asarray(biases, float)
    return regions.Network.from_layers([(W, b), (np.ones((1, W.shape[0])), np.zeros(1))],
                                       [activation, "identity"])


def random_net(widths, activations, seed: int, bias_std: float = 0.5, slope: float = 0.1):
    """A ``regions.Network`` with N(0, 1) weights and N(0, bias_std^2) biases.

    ``activations`` has one entry per layer (the last is usually ``identity``).
    Larger biases than He-init put breakpoints of every layer inside the unit box.
    """
    import regions

    rng = np.random.default_rng(seed)
    pairs = [(rng.normal(size=(n_out, n_in)), rng.normal(0.0, bias_std, size=n_out))
             for n_in, n_out in zip(widths[:-1], widths[1:])]
    return regions.Network.from_layers(pairs, activations, slope=slope)


def pattern_set(partition) -> set[tuple]:
    """The partition's patterns as a set of int tuples (after checking they are distinct)."""
    patterns = {tuple(int(s) for s in row) for row in np.asarray(partition.patterns)}
    assert len(patterns) == len(partition), "two regions share one activation pattern"
    return patterns


def unambiguous(oracle, *args, **kwargs):
    """Run an oracle; skip the calling test when it reports an ambiguous input."""
    import pytest

    try:
        return oracle(*args, **kwargs)
    except Ambiguous as exc:
        pytest.skip(f"oracle cannot decide this seed: {exc}")

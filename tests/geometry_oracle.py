"""Independent geometry for the invariant and metamorphic tests.

Nothing here calls into ``regions`` beyond reading public attributes of a
``Network`` (``layers``: weight, bias, activation, slope), a ``Domain``
(``A``, ``c``, ``origin``, ``basis``, ``lower``, ``upper``, ``dim``) and a
``Region`` (``A``, ``b``, ``labels``, ``pattern``, ``witness``). Every
geometric decision is made from scratch:

* :func:`vertices` -- brute-force vertex enumeration of ``{A z <= b}``: every
  subset of ``dim`` rows is solved (batched ``numpy.linalg.solve``) and the
  solutions satisfying all rows are kept, then merged within ``MERGE``.
* :func:`volume` -- 1-D length, 2-D shoelace on the angularly sorted vertices,
  higher dimensions the convex hull of the vertices (qhull, on points only).
* :func:`facets` -- for each row, the vertices on it; the row is a facet when
  they span ``dim - 1`` dimensions, and their centroid (and the midpoints
  between it and each of them) lie in the facet's relative interior.
* :func:`planar_complex` -- 2-D vertices and edges of a tiling, with polygon
  sides split at every vertex lying on them (T-junctions), for Euler's
  relation and edge multiplicities.
* :class:`RowStack`, :func:`locate` -- every point against every region's
  rows at once (slacks are distances: the rows are unit vectors).
* :func:`exact_point_report` -- exact rational forward pass
  (``fractions.Fraction`` on the float64 weights and the point), giving the
  activation pattern, whether some non-constant pre-activation is exactly on a
  breakpoint, and which neurons are constant on the point's region (exactly).

The end of the module holds the hypothesis strategies (networks, domains) and
the engine/domain cases shared by ``test_invariants.py`` and
``test_metamorphic.py``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.spatial import ConvexHull

#: Vertices closer than this (times the domain scale) are one vertex.
MERGE = 1e-9
#: A vertex is on a row when its residual is below this (times the scale).
ON_ROW = 1e-9
#: Singular subsets of unit rows (|det| below this) have no single vertex.
SINGULAR = 1e-12

#: Label given to the rows of the artificial clipping box of unbounded domains.
CLIP_LABEL = -10**9


# --------------------------------------------------------------------------- polytopes


@dataclass
class Polytope:
    """A bounded polytope ``A z <= b`` with its vertices (and row labels)."""

    A: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    vertices: np.ndarray
    unit: float = 1.0     # length unit of the tolerances (grows with a large clipping box)

    @property
    def dim(self) -> int:
        return self.A.shape[1]


def merge_points(points: np.ndarray, tol: float) -> np.ndarray:
    """Greedy merge of points closer than ``tol`` (keeps the first of each cluster)."""
    kept: list[np.ndarray] = []
    for p in points:
        if not any(np.max(np.abs(p - q)) <= tol for q in kept):
            kept.append(p)
    return np.array(kept).reshape(-1, points.shape[1])


def vertices(A: np.ndarray, b: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Every vertex of the bounded polyhedron ``A z <= b`` (unit rows), brute force."""
    m, d = A.shape
    if m < d:
        return np.zeros((0, d))
    idx = np.array(list(itertools.combinations(range(m), d)), dtype=np.int64)
    As, bs = A[idx], b[idx]
    det = np.linalg.det(As)
    ok = np.abs(det) > SINGULAR
    if not np.any(ok):
        return np.zeros((0, d))
    v = np.linalg.solve(As[ok], bs[ok][..., None])[..., 0]
    feasible = np.all(v @ A.T <= b + ON_ROW * scale, axis=1)
    return merge_points(v[feasible], MERGE * scale)


def clip_box(dim: int, half: float) -> tuple[np.ndarray, np.ndarray]:
    eye = np.eye(dim)
    return np.vstack([eye, -eye]), np.full(2 * dim, float(half))


def polytope(A, b, labels=None, clip: float | None = None, scale: float = 1.0) -> Polytope:
    """``A z <= b`` (optionally intersected with ``[-clip, clip]^d``) with its vertices.

    Tolerances are in units of ``scale``, grown in proportion beyond a clipping
    box of half-width 1000 (float64 coordinates of size ``clip`` round at
    ``eps * clip``).
    """
    A = np.asarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    labels = np.zeros(len(b), dtype=np.int64) if labels is None else np.asarray(labels)
    if clip is not None:
        CA, Cb = clip_box(A.shape[1], clip)
        A, b = np.vstack([A, CA]), np.concatenate([b, Cb])
        labels = np.concatenate([labels, np.full(len(Cb), CLIP_LABEL)])
    unit = scale * max(1.0, (clip or 0.0) / 1e3)
    return Polytope(A, b, labels, vertices(A, b, unit), unit)


def affine_rank(points: np.ndarray, tol: float) -> int:
    if len(points) == 0:
        return -1
    return int(np.linalg.matrix_rank(points - points[0], tol=tol)) if len(points) > 1 else 0


def polygon(points: np.ndarray) -> np.ndarray:
    """2-D points in counter-clockwise order around their centroid."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    return points[np.argsort(angles)]


def volume(poly: Polytope, scale: float = 1.0) -> float:
    """Lebesgue measure of the polytope in its own dimension, from its vertices."""
    v, d = poly.vertices, poly.dim
    if affine_rank(v, 1e-12 * scale) < d:
        return 0.0
    if d == 1:
        return float(v.max() - v.min())
    if d == 2:
        p = polygon(v)
        x, y = p[:, 0], p[:, 1]
        return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    return float(ConvexHull(v).volume)


@dataclass
class Facet:
    row: int
    label: int
    normal: np.ndarray
    offset: float
    points: np.ndarray   # relative-interior points: the centroid, then midpoints to vertices


def facets(poly: Polytope) -> tuple[list[Facet], list[int]]:
    """Facets of the polytope from its vertices; also the rows that are *not* facets."""
    d, unit = poly.dim, poly.unit
    found, not_facets = [], []
    for k in range(len(poly.b)):
        on = poly.vertices[np.abs(poly.vertices @ poly.A[k] - poly.b[k]) <= ON_ROW * unit]
        if affine_rank(on, 1e-10 * unit) != d - 1:
            not_facets.append(k)
            continue
        centre = on.mean(axis=0)
        points = np.vstack([centre[None], 0.5 * (centre + on)])
        found.append(Facet(k, int(poly.labels[k]), poly.A[k], float(poly.b[k]), points))
    return found, not_facets


# --------------------------------------------------------------------------- point location


def slacks(points: np.ndarray, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``b - A z`` for every point (rows are unit vectors: signed distances)."""
    return b[None, :] - points @ A.T


def locate(points: np.ndarray, regions_Ab, strict_margin: float):
    """Membership of each point in each region's H-representation.

    Returns ``(inside, near)``: ``inside[k, r]`` is True when every row of
    region ``r`` has slack above 0 at point ``k``, and ``near[k]`` is True when
    point ``k`` lies within ``strict_margin`` of *some* row of *some* region
    (its membership is then not decided by rounding-free arithmetic and the
    caller excludes it).
    """
    inside = np.zeros((len(points), len(regions_Ab)), dtype=bool)
    near = np.zeros(len(points), dtype=bool)
    for r, (A, b) in enumerate(regions_Ab):
        s = slacks(points, A, b)
        near |= np.any(np.abs(s) <= strict_margin, axis=1)
        inside[:, r] = np.all(s > 0, axis=1)
    return inside, near


class RowStack:
    """All regions' rows stacked, to test many points against every region at once."""

    def __init__(self, regions_Ab):
        self.A = np.vstack([A for A, _ in regions_Ab])
        self.b = np.concatenate([b for _, b in regions_Ab])
        sizes = [len(b) for _, b in regions_Ab]
        assert min(sizes) > 0
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    def min_slack(self, points: np.ndarray) -> np.ndarray:
        """``(k, R)``: least slack of each point in each region (> 0: strictly inside)."""
        s = self.b[None, :] - np.atleast_2d(points) @ self.A.T
        return np.minimum.reduceat(s, self.starts, axis=1)


# --------------------------------------------------------------------------- 2-D complex


@dataclass
class PlanarComplex:
    vertices: np.ndarray
    edges: dict          # (i, j) with i < j -> number of polygons having it on a side
    faces: int

    @property
    def euler(self) -> int:
        return len(self.vertices) - len(self.edges) + self.faces


def planar_complex(polys: list[Polytope], scale: float = 1.0) -> PlanarComplex:
    """Vertices and edges of a tiling by convex polygons, sides split at T-junctions."""
    tol = MERGE * scale
    allv = merge_points(np.vstack([p.vertices for p in polys]), tol)

    def index(p):
        dist = np.max(np.abs(allv - p), axis=1)
        i = int(np.argmin(dist))
        assert dist[i] <= tol
        return i

    edges: dict = {}
    for poly in polys:
        ring = polygon(poly.vertices)
        for a, c in zip(ring, np.roll(ring, -1, axis=0)):
            direction = c - a
            length2 = float(direction @ direction)
            t = (allv - a) @ direction / length2
            foot = a + t[:, None] * direction
            slack = tol / np.sqrt(length2)     # merged vertices may move by up to tol
            on = (np.linalg.norm(allv - foot, axis=1) <= tol) & (t > -slack) & (t < 1 + slack)
            chain = np.flatnonzero(on)
            chain = chain[np.argsort(t[chain])]
            ends = {index(a), index(c)}
            assert set(chain[[0, -1]].tolist()) == ends, "side ends not found among vertices"
            for i, j in zip(chain[:-1], chain[1:]):
                key = (int(min(i, j)), int(max(i, j)))
                edges[key] = edges.get(key, 0) + 1
    return PlanarComplex(allv, edges, len(polys))


# --------------------------------------------------------------------------- exact arithmetic


def fractions(array) -> np.ndarray:
    """Exact rational copy (object array of Fraction) of a float64 array."""
    array = np.asarray(array, dtype=np.float64)
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        out[index] = Fraction(float(value))
    return out


def _dot(M, v):
    return np.array([sum((a * x for a, x in zip(row, v)), Fraction(0)) for row in M], dtype=object)


def _matmul(W, M):
    return np.array([[sum((W[i, k] * M[k, j] for k in range(W.shape[1])), Fraction(0))
                      for j in range(M.shape[1])] for i in range(W.shape[0])], dtype=object)


BREAKS = {"relu": (0,), "leaky_relu": (0,), "hardtanh": (-1, 1), "identity": ()}


def exact_state(value: Fraction, activation: str) -> int:
    if activation == "hardtanh":
        return 1 if value > 1 else (-1 if value < -1 else 0)
    return 1 if value > 0 else 0


@dataclass
class ExactReport:
    pattern: np.ndarray       # exact activation pattern at the point
    ties: list                # (layer, neuron) of non-constant pre-activations on a breakpoint
    min_gap: Fraction | None  # least |pre-activation - breakpoint| over non-constant neurons
    constant: list = None     # pattern positions of neurons constant near the point


def exact_point_report(network, domain, z) -> ExactReport:
    """Exact forward pass at working point ``z`` (float64 values taken as exact rationals).

    The pre-activations are propagated as exact affine maps ``G z + beta`` (on a slice,
    through the slice's exact basis) so that a neuron constant on the point's region
    (gradient exactly zero) is told apart from one that merely happens to be near its
    breakpoint. Pure rational arithmetic: no tolerance.
    """
    zq = fractions(z)
    exact = domain.exact_basis()         # input = M z + m
    M = np.array([[Fraction(int(exact[i, k].p), int(exact[i, k].q)) for k in range(exact.ncols())]
                  for i in range(exact.nrows())], dtype=object)
    m = fractions(domain.origin)
    states, ties, gaps, constants = [], [], [], []
    for li, layer in enumerate(network.layers):
        W, b = fractions(layer.weight), fractions(layer.bias)
        G = _matmul(W, M)
        beta = _dot(W, m) + b
        offset_in_pattern = len(states)
        for j in range(len(beta)):
            if layer.activation != "identity" and all(g == 0 for g in G[j]):
                constants.append(offset_in_pattern + j)
        value = _dot(G, zq) + beta
        act = layer.activation
        slope = np.empty(len(value), dtype=object)
        offset = np.empty(len(value), dtype=object)
        for j, v in enumerate(value):
            constant = all(g == 0 for g in G[j])
            if act != "identity":
                s = exact_state(v, act)
                states.append(s)
                if not constant:
                    for t in BREAKS[act]:
                        if v == t:
                            ties.append((li, j))
                        gaps.append(abs(v - t))
            else:
                s = None
            if act == "relu":
                slope[j], offset[j] = Fraction(s), Fraction(0)
            elif act == "leaky_relu":
                slope[j], offset[j] = (Fraction(1) if s == 1 else Fraction(layer.slope)), Fraction(0)
            elif act == "hardtanh":
                slope[j], offset[j] = Fraction(int(s == 0)), Fraction(s)
            else:
                slope[j], offset[j] = Fraction(1), Fraction(0)
        M = np.array([[slope[j] * g for g in G[j]] for j in range(len(value))], dtype=object)
        m = np.array([slope[j] * beta[j] + offset[j] for j in range(len(value))], dtype=object)
    return ExactReport(np.array(states, dtype=np.int8), ties, min(gaps) if gaps else None,
                       constants)


def exact_strictly_inside(A, b, z) -> bool:
    """``A z < b`` in exact rational arithmetic on the float64 values."""
    Aq, bq, zq = fractions(A), fractions(b), fractions(z)
    return all(s < t for s, t in zip(_dot(Aq, zq), bq))


# --------------------------------------------------------------------------- test inputs
#
# Hypothesis strategies shared by test_invariants.py and test_metamorphic.py.
# They use regions only to *build* inputs (Network.from_layers and the domain
# constructors).

import regions  # noqa: E402
from hypothesis import assume, strategies as st  # noqa: E402

HIDDEN = ("relu", "leaky_relu", "hardtanh")
ENGINES = ("split", "vertex", "walk")
DOMAINS = ("box", "polytope", "whole", "plane", "segment")
#: Half-width of the clipping box that stands in for an unbounded domain.
CLIP = 4.0


def cases():
    """(engine, domain kind) pairs: every engine on every domain."""
    return [(e, d) for e in ENGINES for d in DOMAINS]


def case_id(case) -> str:
    return "-".join(case)


def _mutate(W, b, draw, first_layer: bool):
    """Apply up to two degeneracies to one hidden layer (in place)."""
    width, n_in = W.shape
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(
            ["duplicate", "scaled", "parallel", "dead", "zero", "on", "corner"]))
        j = draw(st.integers(0, width - 1))
        k = draw(st.integers(0, width - 1))
        if kind == "duplicate":
            W[j], b[j] = W[k], b[k]
        elif kind == "scaled":
            f = draw(st.sampled_from([2.0, -1.0, 3.0, -0.5]))
            W[j], b[j] = f * W[k], f * b[k]
        elif kind == "parallel":
            W[j], b[j] = W[k], b[k] + draw(st.sampled_from([-1.0, 1.0, 0.5]))
        elif kind == "dead":
            W[j], b[j] = 0.0, -1.0
        elif kind == "zero":
            W[j], b[j] = 0.0, 0.0
        elif kind == "on":
            W[j], b[j] = 0.0, 1.0
        elif first_layer:  # a hyperplane through a corner of [-1, 1]^n
            corner = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]),
                                            min_size=n_in, max_size=n_in)))
            b[j] = -W[j] @ corner


@st.composite
def networks(draw, widths, hidden=HIDDEN, degenerate=True):
    """A small network: integer weights in [-2, 2] (degenerate-prone) or Gaussian ones."""
    integer = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers, acts = [], []
    for index, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        last = index == len(widths) - 2
        if integer:
            W = rng.integers(-2, 3, size=(n_out, n_in)).astype(np.float64)
            b = rng.integers(-2, 3, size=n_out).astype(np.float64)
        else:
            W = rng.normal(size=(n_out, n_in))
            b = rng.normal(scale=0.5, size=n_out)
        if not last and degenerate:
            _mutate(W, b, draw, index == 0)
        layers.append((W, b))
        acts.append("identity" if last else draw(st.sampled_from(hidden)))
    return regions.Network.from_layers(layers, activations=acts)


@st.composite
def domains(draw, kind: str, n: int):
    """A domain of the given kind for a network with ``n`` inputs."""
    if kind == "box":
        if draw(st.booleans()):
            return regions.box(-1, 1)
        lo = draw(st.lists(st.sampled_from([-2.0, -1.0, -0.5, 0.0]), min_size=n, max_size=n))
        hi = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n))
        return regions.box(lo, hi)
    if kind == "polytope":
        A = [row for i in range(n) for row in (np.eye(n)[i], -np.eye(n)[i])]
        c = [2.0] * (2 * n)
        for _ in range(draw(st.integers(1, 2))):
            a = np.array(draw(st.lists(st.integers(-2, 2), min_size=n, max_size=n)), float)
            assume(np.any(a != 0))
            A.append(a)
            c.append(float(draw(st.integers(1, 2))))
        return regions.polytope(np.array(A), np.array(c))
    if kind == "whole":
        return regions.whole_space()
    point = st.lists(st.integers(-1, 1), min_size=n, max_size=n).map(
        lambda p: np.array(p, dtype=np.float64))
    if kind == "plane":
        p0, p1, p2 = draw(point), draw(point), draw(point)
        assume(np.linalg.matrix_rank(np.stack([p1 - p0, p2 - p0])) == 2)
        lo, hi = draw(st.sampled_from([(-1.0, 1.0), (-2.0, 1.5), (0.0, 2.0)]))
        return regions.plane(p0, p1, p2, lo=lo, hi=hi)
    if kind == "segment":
        p0, p1 = draw(point), draw(point)
        assume(np.any(p0 != p1))
        return regions.segment(2 * p0, 2 * p1)
    raise ValueError(kind)


def widths_for(kind: str):
    """Network shapes for a domain kind (plane slices need 3 inputs)."""
    if kind == "plane":
        return st.sampled_from([[3, 4, 4, 1], [3, 5, 1]])
    if kind == "segment":
        return st.sampled_from([[2, 4, 4, 1], [3, 5, 1]])
    return st.sampled_from([[2, 4, 4, 1], [3, 5, 1], [2, 6, 1], [3, 3, 3, 1], [4, 5, 1]])


#: Regions of inscribed radius at most this (times the domain's scale) are *thin* for the
#: float geometry of this module (vertices merged within ``MERGE``, points located within
#: 1e-9 of a row): an input with a thin region is rejected, not checked. Thin regions, down
#: to 1e-15, are checked against the exact oracles (test_exactness.py, test_degenerate.py).
THIN = 1e-5


def clean_partition(network, domain, engine):
    """Enumerate (exact mode); reject (hypothesis ``assume``) inputs with a thin region."""
    part = regions.enumerate_regions(network, domain, method=engine, min_radius=THIN)
    assert part.complete and part.exact and part.certain
    assume(len(part.thin) == 0)
    return part

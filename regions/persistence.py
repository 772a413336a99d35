"""Critical points and persistent homology of a network's function on a bounded 2-D domain.

A scalar output ``f`` is linear on each region, so the regions' polygons, glued into one
cell complex (:func:`regions.geometry.planar_complex_of`) and triangulated without new
vertices (a fan in each convex polygon), carry ``f`` as a piecewise-linear function that
is linear on every triangle. Its sublevel sets ``{f <= t}`` then change only at vertices:

* :func:`critical_points`: the vertices whose *lower link* (the neighbours with smaller
  value, ties broken by index, and the link edges between them) is not contractible: empty
  (a minimum), the whole link circle (a maximum), or ``k >= 2`` pieces (a saddle of
  multiplicity ``k - 1``). On the domain's boundary the link is a path, and a vertex is
  critical when its lower link is empty or has two or more pieces.
* :func:`sublevel_persistence`: the persistence diagrams of the lower-star filtration
  (each simplex enters at the largest value of its vertices), in dimensions 0 and 1, by
  the standard column reduction of the boundary matrix over Z/2. A bar that never dies has
  death ``inf``; bars of length zero are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DomainError, RegionsError
from .geometry import component_count, planar_complex_of, region_polygons
from .tolerances import VERTEX_MERGE


@dataclass(frozen=True)
class CriticalPoint:
    """A critical vertex: its working coordinates, value, kind (``"minimum"``,
    ``"saddle"``, ``"maximum"``), multiplicity, and whether it lies on the domain's
    boundary."""

    point: np.ndarray
    value: float
    kind: str
    multiplicity: int
    on_boundary: bool


def _triangulated(part):
    """``(vertices (V, 2), values (V,), triangles (T, 3), boundary (V,) bool)``."""
    if part.network.output_dim != 1:
        raise RegionsError("critical points and persistence are those of a scalar output")
    if part.domain.dim != 2 or not part.domain.is_bounded:
        raise DomainError("critical points and persistence are computed on a bounded 2-D domain")
    vertices, edges, faces = planar_complex_of([p for p in region_polygons(part) if len(p)],
                                               VERTEX_MERGE * part.scale)
    values = part.network.forward(part.domain.to_input(vertices))[:, 0]
    triangles = [(ring[0], ring[k], ring[k + 1]) for ring in faces for k in range(1, len(ring) - 1)]
    # an edge of one face only lies on the domain's boundary
    count: dict = {}
    for ring in faces:
        for a, b in zip(ring, np.roll(ring, -1)):
            key = (min(a, b), max(a, b))
            count[key] = count.get(key, 0) + 1
    boundary = np.zeros(len(vertices), dtype=bool)
    for (a, b), n in count.items():
        if n == 1:
            boundary[[a, b]] = True
    return vertices, values, np.array(triangles, dtype=np.int64).reshape(-1, 3), boundary


def _order(values: np.ndarray) -> np.ndarray:
    """Rank of each vertex by value, ties broken by index (simulation of simplicity)."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.lexsort((np.arange(len(values)), values))] = np.arange(len(values))
    return rank


def critical_points(part) -> list[CriticalPoint]:
    """The critical vertices of a scalar output on a bounded 2-D partition.

    >>> import regions
    >>> # f = |x1| + |x2|: inside the box, one minimum, at the origin
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [0.0])])
    >>> found = critical_points(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> [(p.kind, p.point.round(9).tolist()) for p in found if not p.on_boundary]
    [('minimum', [0.0, 0.0])]
    """
    vertices, values, triangles, boundary = _triangulated(part)
    rank = _order(values)
    neighbours: list = [set() for _ in vertices]
    link_edges: list = [[] for _ in vertices]
    for a, b, c in triangles:
        for v, (p, q) in ((a, (b, c)), (b, (a, c)), (c, (a, b))):
            neighbours[v].update((p, q))
            link_edges[v].append((p, q))
    found = []
    for v in range(len(vertices)):
        lower = {u for u in neighbours[v] if rank[u] < rank[v]}
        pieces = _components(lower, [(p, q) for p, q in link_edges[v]
                                     if p in lower and q in lower])
        if not boundary[v] and lower == neighbours[v]:
            kind, multiplicity = "maximum", 1
        elif pieces == 0:
            kind, multiplicity = "minimum", 1
        elif pieces >= 2:
            kind, multiplicity = "saddle", pieces - 1
        else:
            continue
        found.append(CriticalPoint(vertices[v], float(values[v]), kind, multiplicity,
                                   bool(boundary[v])))
    return found


def _components(nodes: set, edges: list) -> int:
    index = {n: k for k, n in enumerate(nodes)}
    return component_count(len(index), [(index[p], index[q]) for p, q in edges])


def sublevel_persistence(part) -> dict[int, np.ndarray]:
    """Persistence diagrams ``{0: (k0, 2), 1: (k1, 2)}`` (birth, death) of the sublevel
    filtration of a scalar output on a bounded 2-D partition.

    >>> import regions
    >>> # f = -(|x1| + |x2|) on [-1, 1]^2: four corner components born at -2 merge at -1,
    >>> # where the set becomes a ring around the diamond, filled at 0
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[-1.0, -1, -1, -1]], [0.0])])
    >>> bars = sublevel_persistence(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> bars[0].tolist(), bars[1].tolist()
    ([[-2.0, -1.0], [-2.0, -1.0], [-2.0, -1.0], [-2.0, inf]], [[-1.0, 0.0]])
    """
    vertices, values, triangles, _ = _triangulated(part)
    rank = _order(values)
    edges = sorted({(min(p, q), max(p, q)) for a, b, c in triangles
                    for p, q in ((a, b), (b, c), (a, c))})
    simplices = [((v,), 0) for v in range(len(vertices))]
    simplices += [(e, 1) for e in edges]
    simplices += [(tuple(sorted(t)), 2) for t in triangles.tolist()]
    key = [max(rank[v] for v in s) for s, _ in simplices]
    order = sorted(range(len(simplices)), key=lambda k: (key[k], simplices[k][1], k))
    position = {simplices[k][0]: i for i, k in enumerate(order)}
    columns, pivot_of, pairs = [], {}, []
    for i, k in enumerate(order):
        simplex, dim = simplices[k]
        column = set() if dim == 0 else {position[face] for face in _faces(simplex)}
        while column:
            low = max(column)
            if low not in pivot_of:
                break
            column ^= columns[pivot_of[low]]
        columns.append(column)
        if column:
            pivot_of[max(column)] = i
            pairs.append((max(column), i))
    value_at = [float(values[max(simplices[k][0], key=lambda v: rank[v])]) for k in order]
    dim_at = [simplices[k][1] for k in order]
    diagrams: dict = {0: [], 1: []}
    paired = set()
    for birth, death in pairs:
        paired.update((birth, death))
        if value_at[death] > value_at[birth]:
            diagrams[dim_at[birth]].append((value_at[birth], value_at[death]))
    for i in range(len(order)):
        if i not in paired and dim_at[i] < 2 and not columns[i]:
            diagrams[dim_at[i]].append((value_at[i], np.inf))
    return {d: np.array(sorted(bars), dtype=np.float64).reshape(-1, 2)
            for d, bars in diagrams.items()}


def _faces(simplex: tuple) -> list[tuple]:
    return [tuple(v for j, v in enumerate(simplex) if j != k) for k in range(len(simplex))]

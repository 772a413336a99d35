"""Critical points and persistent homology of a network's function on a bounded domain.

A scalar output ``f`` is linear on each region, so on every face of the polyhedral complex
(:func:`regions.face_lattice`) it is linear too, and its sublevel sets ``{f <= t}`` change
only at vertices. Vertices are ranked by value, ties broken by index (simulation of
simplicity), and a face enters the filtration with its highest-ranked vertex (the lower
star filtration, cell by cell):

* :func:`critical_points`: the vertices whose *lower link* is not contractible. The lower
  link of ``v`` is made of the faces that contain ``v`` and have ``v`` as their highest
  vertex (a ``k``-face of the complex is a ``(k-1)``-cell of the link), and its reduced
  homology over Z/2 decides: none at all (an empty lower link) is a minimum, the whole
  link of an interior vertex (a sphere) a maximum, anything else of total rank ``m`` a
  saddle of multiplicity ``m``. On the domain's boundary the link is a ball, so a vertex
  whose lower link is all of it is not critical.
* :func:`sublevel_persistence`: the persistence diagrams of the lower star filtration, in
  dimensions ``0 .. dim - 1``, by the column reduction of the boundary matrix over Z/2
  (:func:`regions.complex.homology.reduce_boundary`). A bar that never dies has death ``inf``;
  bars of length zero are dropped.

Both work in every dimension the face lattice reaches (tested up to 6-D on a box).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DomainError, RegionsError
from .faces import face_lattice
from .geometry import on_domain_boundary
from .homology import reduce_boundary, vertex_outputs
from ..network import require_elementwise

__all__ = ["CriticalPoint", "critical_points", "sublevel_persistence"]


@dataclass(frozen=True)
class CriticalPoint:
    """A critical vertex: its working coordinates, value, kind (``"minimum"``,
    ``"saddle"``, ``"maximum"``), multiplicity, and whether it lies on the domain's
    boundary.

    Examples
    --------
    >>> import regions
    >>> diamond = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]],
    ...                                          [0.0] * 4), ([[1.0, 1, 1, 1]], [-0.5])])
    >>> part = regions.enumerate_regions(diamond, regions.box(-1, 1))
    >>> [(c.kind, c.point.tolist(), c.value) for c in regions.critical_points(part)
    ...  if not c.on_boundary]
    [('minimum', [0.0, 0.0], -0.5)]
    """

    point: np.ndarray
    value: float
    kind: str
    multiplicity: int
    on_boundary: bool


def _lower_star(part):
    """``(lattice, vertex values, vertex rank, top vertex of each face)``."""
    if part.network.output_dim != 1:
        raise RegionsError("critical points and persistence are those of a scalar output")
    if not part.domain.is_bounded:
        raise DomainError("critical points and persistence are computed on a bounded domain")
    lattice = face_lattice(part)
    vertices = np.flatnonzero(lattice.dims == 0)
    exact = vertex_outputs(part.network, part.domain, lattice)
    values = np.full(len(lattice.dims), np.nan)
    values[vertices] = [float(exact[int(v)][0]) for v in vertices]
    rank = np.full(len(lattice.dims), -1, dtype=np.int64)
    order = sorted(vertices, key=lambda v: (exact[int(v)][0], int(v)))   # exact, ties by index
    rank[np.array(order, dtype=np.int64)] = np.arange(len(vertices))
    top = np.array([members[np.argmax(rank[members])] for members in lattice.vertices],
                   dtype=np.int64)
    return lattice, values, rank, top


def critical_points(part) -> list[CriticalPoint]:
    """The critical vertices of a scalar output on a bounded partition (2-D, 3-D, ...).

    >>> import regions
    >>> # f = |x1| + |x2|: inside the box, one minimum, at the origin
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [0.0])])
    >>> found = critical_points(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> [(p.kind, p.point.round(9).tolist()) for p in found if not p.on_boundary]
    [('minimum', [0.0, 0.0])]
    """
    require_elementwise(part.network, "critical points")
    lattice, values, _, top = _lower_star(part)
    star: dict = {}                  # vertex -> the faces (other than itself) that contain it
    for f, members in enumerate(lattice.vertices):
        if lattice.dims[f] > 0:
            for v in members:
                star.setdefault(int(v), []).append(f)
    found = []
    for v in np.flatnonzero(lattice.dims == 0):
        whole = star.get(int(v), [])
        lower = [f for f in whole if top[f] == v]
        reduced = _reduced_homology_rank(lattice, lower)
        boundary = on_domain_boundary(part.domain, lattice.rational_points[v])
        if not lower:
            kind = "minimum"
        elif reduced == 0:
            continue
        elif len(lower) == len(whole) and not boundary:
            kind = "maximum"
        else:
            kind = "saddle"
        found.append(CriticalPoint(lattice.points[v], float(values[v]), kind, max(reduced, 1),
                                   bool(boundary)))
    return found


def _reduced_homology_rank(lattice, cells: list) -> int:
    """Total rank of the reduced Z/2 homology of a vertex's lower link, from the faces
    ``cells`` of its lower star (a ``k``-face is a ``(k-1)``-cell of the link; an empty
    link has rank 1, in dimension -1)."""
    if not cells:
        return 1
    order = sorted(cells, key=lambda f: (lattice.dims[f], f))
    position = {f: k + 1 for k, f in enumerate(order)}       # row 0: the empty cell
    boundaries = [set()] + [
        {0} if lattice.dims[f] == 1 else {position[int(g)] for g in lattice.bounds[f]
                                          if int(g) in position}
        for f in order]
    _, pivot_of = reduce_boundary(boundaries)
    return len(boundaries) - 2 * len(pivot_of)


def sublevel_persistence(part) -> dict[int, np.ndarray]:
    """Persistence diagrams ``{d: (k_d, 2)}`` (birth, death), ``d = 0, ..., dim - 1``, of the
    sublevel filtration of a scalar output on a bounded partition.

    >>> import regions
    >>> # f = -(|x1| + |x2|) on [-1, 1]^2: four corner components born at -2 merge at -1,
    >>> # where the set becomes a ring around the diamond, filled at 0
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[-1.0, -1, -1, -1]], [0.0])])
    >>> bars = sublevel_persistence(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> bars[0].tolist(), bars[1].tolist()
    ([[-2.0, -1.0], [-2.0, -1.0], [-2.0, -1.0], [-2.0, inf]], [[-1.0, 0.0]])
    """
    require_elementwise(part.network, "sublevel persistence")
    lattice, values, rank, top = _lower_star(part)
    faces = np.arange(len(lattice.dims))
    order = faces[np.lexsort((faces, lattice.dims, rank[top]))]
    position = {int(f): k for k, f in enumerate(order)}
    columns, pivot_of = reduce_boundary([{position[int(g)] for g in lattice.bounds[f]}
                                         for f in order])
    value_at = values[top[order]]
    dim_at = lattice.dims[order]
    diagrams: dict = {d: [] for d in range(part.domain.dim)}
    paired = set()
    for birth, death in pivot_of.items():
        paired.update((birth, death))
        if value_at[death] > value_at[birth]:
            diagrams[int(dim_at[birth])].append((float(value_at[birth]), float(value_at[death])))
    for k in range(len(order)):
        if k not in paired and not columns[k] and dim_at[k] < part.domain.dim:
            diagrams[int(dim_at[k])].append((float(value_at[k]), np.inf))
    return {d: np.array(sorted(bars), dtype=np.float64).reshape(-1, 2)
            for d, bars in diagrams.items()}

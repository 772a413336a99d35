"""Critical points and persistent homology of a network's function, on a bounded domain
or on all of R^n.

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
  bars of length zero are dropped. :func:`superlevel_persistence` is the same for
  ``{f >= t}``, the filtration of ``-f``.

All of R^n. The first layer's hyperplanes span every direction (else every face is a
cylinder, and the face lattice refuses), so every face of the complex has a vertex. A
face ``F`` meets ``{f <= t}`` when ``t`` is at least ``f``'s minimum on ``F``, a vertex
value or ``-inf`` (along a ray), so which faces meet the set, and how, changes only where
``t`` crosses the value ``c_k`` of a vertex of the complex: the sets have one homotopy
type between consecutive values, below the lowest and above the highest. Take levels
``t_lo`` below and ``t_hi`` above every ``c_k`` and a box ``B`` holding in its interior
every vertex of the complex refined by ``f = t_lo`` and ``f = t_hi``
(:func:`regions.complex.homology.box_around`). For any ``t`` in ``[t_lo, t_hi]`` a vertex
of the complex refined by ``f = t`` is a vertex of the complex or lies on an edge
between two points of the refinements at ``t_lo`` and ``t_hi`` (``f`` is monotone along
an edge), so it lies in ``B`` too, and ``{f <= t} ∩ B`` has the homotopy type of ``{f <=
t}`` (:func:`regions.betti_numbers`' argument), through inclusions that commute with
those of the filtration. The filtration of the box's complex is therefore read only at
the levels that matter: a face enters at level ``2k + 1`` when its top vertex has value
``c_k``, and at ``2k`` when it lies strictly between ``c_{k-1}`` and ``c_k``; faces
entering above ``t_hi`` are left out. The column reduction of that filtration gives the
pairs; a bar born at level 0 was born at ``-inf``, one never paired dies at ``inf``, and
a bar starting or ending at an even level (between vertex values) would contradict the
argument, and is refused. Among equal values the box's own vertices rank after the
complex's, as if ``f`` grew, ever so slightly, away from the complex: a minimum set
reaching to infinity (``|x1|`` over its line) has its minimum at the complex's vertex.
The critical points on R^n are those of the box's complex off the box's boundary, whose
links are the same in ``B`` as in R^n.

All work in every dimension the face lattice reaches (tested up to 6-D on a box).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from flint import fmpq

from ..errors import RegionsError, float64_overflow
from ..rational import RationalMaps, exact_forward, float64_values, fraction, magnitude
from .faces import face_lattice
from .geometry import on_domain_boundary
from .homology import box_around, reduce_boundary, vertex_outputs

__all__ = ["CriticalPoint", "critical_points", "sublevel_persistence", "superlevel_persistence"]


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


@dataclass(frozen=True)
class _LowerStar:
    """The lower-star filtration of ``g = sign * f`` on the face lattice of a bounded
    partition (on R^n, of the box standing for it; see the module docstring).

    ``values`` maps each vertex to ``g`` there (exact), ``rank`` orders the vertices,
    ``top`` is each face's highest vertex and ``boundary`` says which vertices lie on the
    domain's boundary. On R^n, ``critical_values`` are the distinct values of ``g`` at the
    vertices of the complex (sorted, exact), and faces entering above ``ceiling`` are
    left out; both are None on a bounded domain."""

    lattice: object
    values: dict
    rank: np.ndarray
    top: np.ndarray
    boundary: dict
    sign: int
    critical_values: list | None = None
    ceiling: object = None

    def level(self, value):
        """The filtration level at which a face entering at ``value`` is present: ``value``
        itself on a bounded domain; on R^n ``2 k + 1`` at the ``k``-th critical value and
        ``2 k`` below it (above the one before)."""
        if self.critical_values is None:
            return value
        k = bisect_left(self.critical_values, value)
        hit = k < len(self.critical_values) and self.critical_values[k] == value
        return 2 * k + 1 if hit else 2 * k

    def value_of(self, level) -> float:
        """The value of ``f`` (not ``g``) at a filtration ``level``: below every critical
        value of R^n is ``-inf`` for ``g``."""
        if self.critical_values is None:
            return _value(self.sign * level)
        if level == 0:
            return -self.sign * np.inf
        if level % 2 == 0:
            raise RegionsError("a bar of the box standing for R^n starts or ends between "
                               "the values at the complex's vertices: the box does not "
                               "have the homotopy type of R^n's sets (please report)")
        return _value(self.sign * self.critical_values[level // 2])


def _lower_star(part, sign: int) -> _LowerStar | None:
    """The filtration of ``sign * f`` on ``part`` (on all of R^n: on a box holding every
    vertex of the complex refined by two levels below and above all of them; None when
    no breakpoint crosses R^n, where ``f`` is affine)."""
    if part.network.output_dim != 1:
        raise RegionsError("critical points and persistence are those of a scalar output")
    if part.domain.is_bounded:
        return _filtration(part, sign)
    whole = face_lattice(part)
    at_vertices = sorted(sign * outputs[0] for outputs in
                         vertex_outputs(part.network, part.domain, whole).values())
    if not at_vertices:
        return None
    low, high = _beyond(at_vertices[0], -1), _beyond(at_vertices[-1], 1)
    boxed = box_around(part, [float(sign * low), float(sign * high)])
    star = _filtration(boxed, sign, sorted(set(at_vertices)), high)
    inside = sorted(value for v, value in star.values.items() if not star.boundary[v])
    if inside != at_vertices:
        raise RegionsError("the box standing for R^n does not hold the vertices of its "
                           "complex (please report)")
    return star


def _beyond(value, direction: int):
    """An exact level strictly below (``direction`` -1) or above (+1) ``value``, at least
    1 away, and a float64."""
    rounded = _value(value)
    level = rounded + direction * max(1.0, abs(rounded))
    if np.isinf(level):
        raise float64_overflow("a level beyond every vertex's value of f", magnitude(2 * value))
    level = fraction(level)
    if (level - value) * direction <= 0:
        raise RegionsError(f"no float64 level beyond the value {value}")
    return level


def _value(value) -> float:
    """An exact value of ``f`` rounded to float64, refused beyond its range (where a bar's
    end of inf would say that it never ends)."""
    return float64_values([value], "a value of f at a vertex")[0]


def _filtration(part, sign: int, critical_values=None, ceiling=None) -> _LowerStar:
    lattice = face_lattice(part)
    vertices = np.flatnonzero(lattice.dims == 0)
    values = {v: sign * outputs[0]
              for v, outputs in vertex_outputs(part.network, part.domain, lattice).items()}
    boundary = {int(v): on_domain_boundary(part.domain, lattice.rational_points[v])
                for v in vertices}
    # ties by index (simulation of simplicity); on the box standing for R^n a box vertex
    # ranks after the complex's vertices of equal value, as if g grew, ever so slightly,
    # away from them, so that a level set reaching to infinity is born at its vertex
    unbounded = critical_values is not None
    order = sorted(vertices.tolist(), key=lambda v: (values[v], unbounded and boundary[v], v))
    rank = np.full(len(lattice.dims), -1, dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(order))
    top = np.array([members[np.argmax(rank[members])] for members in lattice.vertices],
                   dtype=np.int64)
    return _LowerStar(lattice, values, rank, top, boundary, sign, critical_values, ceiling)


def critical_points(part) -> list[CriticalPoint]:
    """The critical vertices of a scalar output on a partition of a bounded domain or of
    all of R^n (2-D, 3-D, ...; on R^n, of the complex's vertices, none on a boundary).

    On R^n, where ``f`` is constant along a ray from a vertex, the ray counts as rising
    (see the module docstring): a minimum set reaching to infinity has its minimum at a
    vertex, while a maximum or saddle whose plateau reaches to infinity is attributed to
    infinity and not listed. The persistence diagrams are exact either way: they record
    every change of the sets, at its value.

    >>> import regions
    >>> # f = |x1| + |x2|: one minimum, at the origin
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [0.0])])
    >>> found = critical_points(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> [(p.kind, p.point.round(9).tolist()) for p in found if not p.on_boundary]
    [('minimum', [0.0, 0.0])]
    >>> [(p.kind, p.value) for p in critical_points(regions.enumerate_regions(net))]
    [('minimum', 0.0)]
    """
    star = _lower_star(part, 1)
    if star is None:
        return _affine_critical_points(part)
    lattice, unbounded = star.lattice, not part.domain.is_bounded
    stars: dict = {}                 # vertex -> the faces (other than itself) that contain it
    for f, members in enumerate(lattice.vertices):
        if lattice.dims[f] > 0:
            for v in members:
                stars.setdefault(int(v), []).append(f)
    found = []
    for v in np.flatnonzero(lattice.dims == 0):
        boundary = star.boundary[int(v)]
        if unbounded and boundary:
            continue                 # a vertex of the box standing for R^n
        whole = stars.get(int(v), [])
        lower = [f for f in whole if star.top[f] == v]
        reduced = _reduced_homology_rank(lattice, lower)
        if not lower:
            kind = "minimum"
        elif reduced == 0:
            continue
        elif len(lower) == len(whole) and not boundary:
            kind = "maximum"
        else:
            kind = "saddle"
        found.append(CriticalPoint(lattice.points[v], _value(star.values[int(v)]), kind,
                                   max(reduced, 1), bool(boundary)))
    return found


def _affine_critical_points(part) -> list:
    """No breakpoint crosses R^n: ``f`` is affine, without critical points unless constant."""
    if _affine_value(part, 1) is not None:
        raise RegionsError("f is constant on the whole domain: every point is critical")
    return []


def _affine_value(part, sign: int):
    """``sign * f`` where no breakpoint crosses the domain: its constant value (exact), or
    None when it is not constant."""
    maps = RationalMaps(part.network, part.domain)
    dim = part.domain.dim
    at = [exact_forward(maps, [fmpq(int(i == j)) for j in range(dim)])[1][0]
          for i in range(-1, dim)]
    return sign * at[0] if all(value == at[0] for value in at) else None


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
    sublevel filtration ``{f <= t}`` of a scalar output on a bounded partition or all of
    R^n (there a class present below every vertex's value is born at ``-inf``).

    >>> import regions
    >>> # f = -(|x1| + |x2|) on [-1, 1]^2: four corner components born at -2 merge at -1,
    >>> # where the set becomes a ring around the diamond, filled at 0
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[-1.0, -1, -1, -1]], [0.0])])
    >>> bars = sublevel_persistence(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> bars[0].tolist(), bars[1].tolist()
    ([[-2.0, -1.0], [-2.0, -1.0], [-2.0, -1.0], [-2.0, inf]], [[-1.0, 0.0]])
    >>> # on all of R^2 the complement of a diamond, from -inf, filled at 0
    >>> bars = sublevel_persistence(regions.enumerate_regions(net))
    >>> bars[0].tolist(), bars[1].tolist()
    ([[-inf, inf]], [[-inf, 0.0]])
    """
    return _diagrams(part, 1)


def superlevel_persistence(part) -> dict[int, np.ndarray]:
    """Persistence diagrams ``{d: (k_d, 2)}`` (birth, death) of the superlevel filtration
    ``{f >= t}``, ``t`` decreasing: a class is born at a value and dies at a lower one
    (``inf`` and ``-inf`` on R^n for the classes present above every vertex's value and
    never dying).

    >>> import regions
    >>> # f = |x1| + |x2| on R^2: {f >= t} is the plane minus a diamond, filled at 0
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [0.0])])
    >>> bars = superlevel_persistence(regions.enumerate_regions(net))
    >>> bars[0].tolist(), bars[1].tolist()
    ([[inf, -inf]], [[inf, 0.0]])
    """
    return _diagrams(part, -1)


def _diagrams(part, sign: int) -> dict[int, np.ndarray]:
    """The persistence diagrams of the lower-star filtration of ``sign * f``, in values of
    ``f``."""
    dim = part.domain.dim
    star = _lower_star(part, sign)
    if star is None:
        constant = _affine_value(part, sign)
        birth = -np.inf if constant is None else _value(constant)
        return {d: np.array([[sign * birth, sign * np.inf]] if d == 0 else [],
                            dtype=np.float64).reshape(-1, 2) for d in range(dim)}
    lattice = star.lattice
    entry = [star.values[int(t)] for t in star.top]          # where each face enters
    faces = np.array([f for f in range(len(lattice.dims))
                      if star.ceiling is None or entry[f] <= star.ceiling], dtype=np.int64)
    order = faces[np.lexsort((faces, lattice.dims[faces], star.rank[star.top[faces]]))]
    position = {int(f): k for k, f in enumerate(order)}
    columns, pivot_of = reduce_boundary([{position[int(g)] for g in lattice.bounds[f]}
                                         for f in order])
    level_at = [star.level(entry[f]) for f in order]
    dim_at = lattice.dims[order]
    diagrams: dict = {d: [] for d in range(dim)}
    paired = set()
    for birth, death in pivot_of.items():
        paired.update((birth, death))
        if level_at[death] != level_at[birth]:
            diagrams[int(dim_at[birth])].append((star.value_of(level_at[birth]),
                                                 star.value_of(level_at[death])))
    for k in range(len(order)):
        if k not in paired and not columns[k] and dim_at[k] < dim:
            diagrams[int(dim_at[k])].append((star.value_of(level_at[k]), sign * np.inf))
    return {d: np.array(sorted(bars), dtype=np.float64).reshape(-1, 2)
            for d, bars in diagrams.items()}

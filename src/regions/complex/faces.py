"""The face lattice of a partition: every face of the polyhedral complex, in every dimension,
exactly.

The closures of the regions are convex polyhedra, and they meet face to face: a face of
the complex is a face of some region's closure, shared by the regions around it. The
vertex engine (:mod:`regions.engines.vertex`) knows each region's generators (vertices,
and rays when it is unbounded) and, exactly, which of the region's rows is tight at
each; the faces of one region are the sets of generators cut out by its rows and their
intersections. Every generator is then computed in rational arithmetic from its tight
rows, so faces of different regions are the same face exactly when they have the same
vertices and the same rays, compared exactly: no tolerance merges anything. Dimensions
are exact ranks, and every face's sign vector comes from the exact network at a point of
its relative interior.

Every face of dimension ``d`` is a relatively open convex set, homeomorphic to ``R^d``,
so ``sum_d (-1)^d f_d`` is the Euler characteristic with compact supports of the
domain: 1 for a bounded one, ``(-1)^n`` for all of ``R^n`` (and for a plane or line).
:func:`~regions.face_lattice` checks it on every call, and that the regions are its faces of top
dimension (one each), and refuses a lattice that fails either.

Domains: those of the vertex engine (bounded ones, and unbounded ones without faces
whose first layer's hyperplanes span every direction).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import networkx as nx
import numpy as np
from flint import fmpq, fmpq_mat

from ..engines.base import Settings
from ..engines.driver import drive, prepare
from ..engines.vertex import VertexEngine, supports
from ..errors import DomainError, RegionsError
from ..rational import RationalMaps, hyperplane_signs

__all__ = ["FaceLattice", "face_lattice"]


@dataclass
class FaceLattice:
    """Every face of a partition's polyhedral complex.

    Attributes
    ----------
    dims : ndarray, shape (F,), int64
        Dimension of each face (0 = vertex, ..., ``dim`` = region).
    points : ndarray, shape (F, dim)
        A point of each face's relative interior (working coordinates), rounded to float64:
        the mean of its vertices plus the sum of its rays.
    signs : ndarray, shape (F, H), int8
        Sign vector: for every breakpoint hyperplane label, 0 when the face lies on it,
        else the side (+1 above, -1 below) the face is on.
    regions : list of ndarray
        The regions (partition indices) whose closure holds each face.
    bounds : list of ndarray
        The faces of one dimension less on each face's boundary (the Hasse diagram).
    vertices : list of ndarray
        The vertices (faces of dimension 0) of each face's closure.
    rational_points : list of tuple of Fraction
        ``points`` exactly (a vertex's exact coordinates for a face of dimension 0).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> lattice = regions.face_lattice(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> lattice.f_vector, lattice.euler_characteristic
    ([9, 12, 4], 1)
    """

    dims: np.ndarray
    points: np.ndarray
    signs: np.ndarray
    regions: list
    bounds: list
    vertices: list
    rational_points: list

    @property
    def f_vector(self) -> list[int]:
        """Number of faces of each dimension, 0 first."""
        return np.bincount(self.dims, minlength=int(self.dims.max(initial=0)) + 1).tolist()

    @property
    def euler_characteristic(self) -> int:
        return int(sum((-1) ** d * f for d, f in enumerate(self.f_vector)))

    def hasse_diagram(self) -> nx.DiGraph:
        """A directed graph with an edge from each face to every face on its boundary;
        nodes carry ``dim`` and ``signs`` (a string of ``+``, ``-``, ``0``), so it exports
        to GraphML (:func:`regions.write_graph`)."""
        G = nx.DiGraph()
        for f, (dim, signs) in enumerate(zip(self.dims, self.signs)):
            G.add_node(f, dim=int(dim), signs="".join("+-0"[(1 - s) if s else 2] for s in signs))
        for f, bound in enumerate(self.bounds):
            G.add_edges_from((f, int(g)) for g in bound)
        return G


def face_lattice(part) -> FaceLattice:
    """The face lattice of a complete partition (see :mod:`regions.complex.faces`).

    >>> import regions
    >>> # Three lines in general position on R^2: 3 vertices, 9 edges, 7 regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
    ...                                     [0.0, 0.0, -1.0]), ([[1.0, 1.0, 1.0]], [0.0])])
    >>> lattice = face_lattice(regions.enumerate_regions(net))
    >>> lattice.f_vector, lattice.euler_characteristic
    ([3, 9, 7], 1)
    """
    if not part.complete:
        raise RegionsError("the face lattice needs a complete partition")
    dim = part.domain.dim
    if dim < 1:
        raise DomainError("the face lattice needs a domain of dimension at least 1")
    generators, exact, scale, selection = _generators(part)
    faces = _Faces(part, exact, scale, selection)
    for i, pattern in enumerate(part.patterns):
        kept = generators.get(pattern.tobytes())
        if kept is None:
            raise RegionsError(f"region {i} of the partition is not a region of its network "
                               "(an incomplete or foreign partition)")
        faces.add_region(i, pattern, *kept)
    lattice = faces.lattice()
    expected = 1 if part.domain.is_bounded else (-1) ** dim
    if lattice.f_vector[-1] != len(part) or len(lattice.f_vector) != dim + 1:
        raise RegionsError(f"the face lattice has {lattice.f_vector[-1]} faces of dimension "
                           f"{len(lattice.f_vector) - 1} for {len(part)} regions in {dim}-D")
    if lattice.euler_characteristic != expected:
        raise RegionsError(f"the face lattice's Euler characteristic is "
                           f"{lattice.euler_characteristic}, not the domain's {expected}")
    return lattice


def _generators(part):
    """Every region's generators, from the vertex engine run again with
    ``keep_generators``: ``({pattern: (float rows (nv, dim + 1), tight labels per
    generator)}, the exact side, scale, selection)`` in the engine's working coordinates
    (the domain's divided by ``scale``, their coordinates ``selection`` on an unbounded
    domain)."""
    if not supports(part.domain):
        raise DomainError(f"the face lattice is computed on bounded domains and domains "
                          f"without faces, not an unbounded {part.domain.kind}")
    _, scale, working = prepare(part.domain, part.min_radius)
    engine = VertexEngine(part.network, working, Settings(thin_radius=part.min_radius,
                                                          keep_generators=True))
    if engine.selection is not None and len(engine.selection) < working.dim:
        raise DomainError("the first layer's hyperplanes span fewer directions than the "
                          "domain has: every face is a cylinder; take the lattice on a slice "
                          "across them")
    for cell in reversed(engine.roots()):
        engine.push(cell)
    drive(engine, [], sink=lambda records: None)
    return engine.exact.kept, engine.exact, scale, engine.selection


class _Faces:
    """The faces found so far, keyed exactly by their vertices and rays."""

    def __init__(self, part, exact, scale: float, selection):
        self.part, self.exact, self.scale = part, exact, Fraction(scale)
        self.selection = selection
        self.keys: dict = {}
        self.dims, self.owners, self.exact_points = [], [], []

    def add_region(self, i: int, pattern: np.ndarray, generators: np.ndarray,
                   labels: list) -> None:
        """Region ``i``'s faces, from its generators and the labels tight at each."""
        points = [self._point(pattern, tight, row) for tight, row in zip(labels, generators)]
        rays = generators[:, -1] == 0.0
        rows = sorted({label for tight in labels for label in tight})
        tight = np.array([[label in set(g) for label in rows] for g in labels], dtype=bool)
        tight = tight.reshape(len(labels), len(rows))
        for members in _faces(tight):
            if rays[members].all():
                continue                 # no vertex: a face of the recession cone only
            key = (frozenset(points[k] for k in members if not rays[k]),
                   frozenset(points[k] for k in members if rays[k]))
            face = self.keys.get(key)
            if face is None:
                face = self.keys[key] = len(self.dims)
                self.dims.append(_rank(key))
                self.exact_points.append(_relative_interior(key))
                self.owners.append([])
            self.owners[face].append(i)

    def _point(self, pattern: np.ndarray, tight: tuple, row: np.ndarray) -> tuple:
        """A generator exactly, in the domain's coordinates: a vertex's coordinates, a ray's
        direction scaled to a first nonzero entry of +-1 (so equal rays are equal)."""
        exact = self.exact.exact_point(pattern.tobytes(), tight, row)
        if self.selection is not None:          # the engine's coordinates are a permutation
            lifted = [fmpq(0)] * len(exact)
            for k, v in zip(self.selection, exact):
                lifted[int(k)] = v
            exact = lifted
        if row[-1] == 0.0:
            lead = next(abs(v) for v in exact if v != 0)
            return ("ray",) + tuple(Fraction(int((v / lead).p), int((v / lead).q)) for v in exact)
        return tuple(Fraction(int(v.p), int(v.q)) * self.scale for v in exact)

    def lattice(self) -> FaceLattice:
        dims = np.array(self.dims, dtype=np.int64)
        keys = list(self.keys)
        vertex_face = {next(iter(vertices)): f for (vertices, rays), f in self.keys.items()
                       if len(vertices) == 1 and not rays}
        bounds = _bounds(dims, [vertices | rays for vertices, rays in keys])
        vertices = [np.array(sorted(vertex_face[v] for v in key[0]), dtype=np.int64)
                    for key in keys]
        maps = RationalMaps(self.part.network, self.part.domain)
        signs = np.array([hyperplane_signs(maps, [fmpq(v.numerator, v.denominator)
                                                  for v in point])
                          for point in self.exact_points], dtype=np.int8)
        signs = signs.reshape(len(keys), -1)
        points = np.array([[float(v) for v in point] for point in self.exact_points])
        return FaceLattice(dims, points.reshape(len(keys), self.part.domain.dim), signs,
                           [np.array(sorted(o), dtype=np.int64) for o in self.owners], bounds,
                           vertices, list(self.exact_points))


def _rank(key) -> int:
    """Exact dimension of the face ``conv(vertices) + cone(rays)``."""
    vertices, rays = [list(v) for v in key[0]], [list(r[1:]) for r in key[1]]
    first = vertices[0]
    rows = [[a - b for a, b in zip(v, first)] for v in vertices[1:]] + rays
    if not rows:
        return 0
    matrix = fmpq_mat(len(rows), len(first), [fmpq(x.numerator, x.denominator)
                                              for row in rows for x in row])
    return matrix.rank()


def _relative_interior(key) -> tuple:
    """The mean of a face's vertices plus the sum of its rays: in its relative interior."""
    vertices, rays = list(key[0]), [r[1:] for r in key[1]]
    dim = len(vertices[0])
    point = [sum((v[k] for v in vertices), Fraction(0)) / len(vertices) for k in range(dim)]
    for ray in rays:
        point = [p + r for p, r in zip(point, ray)]
    return tuple(point)


def _faces(tight: np.ndarray):
    """The generator index sets of every nonempty face of a polyhedron, from its
    generator-row incidence: the closed sets of the incidence (the polyhedron itself,
    then every set cut out by a row, and their intersections)."""
    nv, m = tight.shape
    everything = np.arange(nv)
    found = {tuple(everything)}
    frontier = [everything]
    while frontier:
        following = []
        for members in frontier:
            for r in range(m):
                inner = members[tight[members, r]]
                if len(inner) == 0 or len(inner) == len(members):
                    continue
                rows = np.flatnonzero(tight[inner].all(axis=0))
                closed = np.flatnonzero(tight[:, rows].all(axis=1))
                key = tuple(closed)
                if key not in found:
                    found.add(key)
                    following.append(closed)
        frontier = following
    return [np.array(k, dtype=np.int64) for k in found]


def _bounds(dims: np.ndarray, keys: list) -> list:
    """For each face, the faces of one dimension less whose generators it contains (looked
    up through the faces at each of its generators)."""
    at_generator: dict = {}
    for g, key in enumerate(keys):
        for v in key:
            at_generator.setdefault((int(dims[g]), v), []).append(g)
    bounds = []
    for f, key in enumerate(keys):
        below = {g for v in key for g in at_generator.get((int(dims[f]) - 1, v), ())}
        bounds.append(np.array(sorted(g for g in below if keys[g] <= key), dtype=np.int64))
    return bounds

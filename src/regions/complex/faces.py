"""The face lattice of a partition: every face of the polyhedral complex, in every dimension.

The closures of the regions are convex polyhedra, and in general position they meet
face to face: a face of the complex is a face of some region's closure, shared by the
regions around it. Each region's closure is clipped to a window (the domain's bounding
box, or for an unbounded domain a box around every vertex found with margin), its
vertices found by halfspace intersection (``scipy.spatial``, which needs ``dim >= 2``;
1-D partitions are intervals), and its faces enumerated as the vertex sets cut out by its
constraint rows and their intersections. Faces of different regions are the same face
when they have the same vertices (coordinates merged within ``VERTEX_MERGE``, plus
``RELATIVE_MERGE`` of the window's size). Faces
that lie on the window of an unbounded domain and not on the domain are dropped: they
are artefacts of the clipping, and every true face meets the window's interior.

Every face of dimension ``d`` is a relatively open convex set, homeomorphic to ``R^d``,
so ``sum_d (-1)^d f_d`` is the Euler characteristic with compact supports of the
domain: 1 for a bounded one, ``(-1)^n`` for all of ``R^n`` (and for a plane or line).
:func:`face_lattice` checks it on every call, and that the regions are its faces of top
dimension (one each), and refuses a lattice that fails either.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..errors import DomainError, RegionsError
from .geometry import merge_points, region_vertices, vertex_window
from ..network import sides_from_states
from ..tolerances import ON_PLANE, RELATIVE_MERGE, VERTEX_MERGE

#: An unbounded domain's window reaches this far beyond the vertices (a fraction of
#: their spread on each axis, at least 1).
WINDOW_MARGIN = 1.0
#: Label of the window's rows (not a face of the domain).
WINDOW_LABEL = -(1 << 62)


@dataclass
class FaceLattice:
    """Every face of a partition's polyhedral complex.

    Attributes
    ----------
    dims : ndarray, shape (F,), int64
        Dimension of each face (0 = vertex, ..., ``dim`` = region).
    points : ndarray, shape (F, dim)
        A point of each face's relative interior (working coordinates; for an unbounded
        face, inside the window).
    signs : ndarray, shape (F, H), int8
        Sign vector: for every breakpoint hyperplane label, 0 when the face lies on it,
        else the side (+1 above, -1 below) the face is on.
    regions : list of ndarray
        The regions (partition indices) whose closure holds each face.
    bounds : list of ndarray
        The faces of one dimension less on each face's boundary (the Hasse diagram).
    vertices : list of ndarray
        The vertices (faces of dimension 0) of each face's closure (on an unbounded domain,
        those inside the window).
    """

    dims: np.ndarray
    points: np.ndarray
    signs: np.ndarray
    regions: list
    bounds: list
    vertices: list

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
        to GraphML (:func:`regions.io.partitions.write_graph`)."""
        G = nx.DiGraph()
        for f, (dim, signs) in enumerate(zip(self.dims, self.signs)):
            G.add_node(f, dim=int(dim), signs="".join("+-0"[(1 - s) if s else 2] for s in signs))
        for f, bound in enumerate(self.bounds):
            G.add_edges_from((f, int(g)) for g in bound)
        return G


def face_lattice(part) -> FaceLattice:
    """The face lattice of a complete partition (see the module docstring).

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
    lower, upper, clipped = vertex_window(part, WINDOW_MARGIN)
    window_rows = np.vstack([np.eye(dim), -np.eye(dim)])
    window_rhs = np.concatenate([upper, -lower])
    merge = VERTEX_MERGE * part.scale + RELATIVE_MERGE * float(np.abs([lower, upper]).max())
    points, local = [], []          # every region's vertices, and its faces by local vertex ids
    for i in range(len(part)):
        A, b, labels = part.constraints(i)
        V = region_vertices(A, b, lower, upper, part.witnesses[i])
        A = np.vstack([A, window_rows])
        b = np.concatenate([b, window_rhs])
        labels = np.concatenate([labels, np.full(2 * dim, WINDOW_LABEL, dtype=np.int64)])
        tight = np.abs(V @ A.T - b) <= ON_PLANE * part.scale * 10 + 1e-12 * np.abs(b)
        local.append((len(points), V, tight, labels))
        points.extend(V)
    _, vertex_ids = merge_points(np.array(points).reshape(-1, dim), merge)
    keys: dict = {}
    dims, where, owners, zeros = [], [], [], []
    for i, (start, V, tight, labels) in enumerate(local):
        ids = vertex_ids[start:start + len(V)]
        for members, rows in _faces(tight):
            on_window = np.any(labels[rows] == WINDOW_LABEL)
            if clipped and on_window:
                continue
            key = frozenset(ids[members].tolist())
            face = keys.get(key)
            if face is None:
                face = keys[key] = len(dims)
                dims.append(_rank(V[members]))
                where.append(V[members].mean(axis=0))
                owners.append([])
                zeros.append(set())
            owners[face].append(i)
            zeros[face].update(int(h) for h in labels[rows] if h >= 0)
    dims = np.array(dims, dtype=np.int64)
    signs = _signs(part, owners, zeros)
    bounds = _bounds(dims, list(keys))
    vertex_face = {next(iter(key)): f for key, f in keys.items() if len(key) == 1}
    vertices = [np.array(sorted(vertex_face[v] for v in key if v in vertex_face),
                         dtype=np.int64) for key in keys]
    lattice = FaceLattice(dims, np.array(where).reshape(-1, dim), signs,
                          [np.array(sorted(o), dtype=np.int64) for o in owners], bounds,
                          vertices)
    expected = 1 if part.domain.is_bounded else (-1) ** dim
    if lattice.f_vector[-1] != len(part) or len(lattice.f_vector) != dim + 1:
        raise RegionsError(f"the face lattice has {lattice.f_vector[-1]} faces of dimension "
                           f"{len(lattice.f_vector) - 1} for {len(part)} regions in {dim}-D: "
                           f"vertices of different regions merged (features below the "
                           f"rounding of coordinates this far from the origin?)")
    if lattice.euler_characteristic != expected:
        raise RegionsError(f"the face lattice's Euler characteristic is "
                           f"{lattice.euler_characteristic}, not the domain's {expected}: "
                           f"the regions do not meet face to face (a degenerate network?)")
    return lattice


def _faces(tight: np.ndarray):
    """``(vertex indices, tight row indices)`` of every nonempty face of a polytope, from
    its vertex-row incidence: the closed sets of the incidence (the polytope itself,
    then every set cut out by a row, and their intersections)."""
    nv, m = tight.shape
    everything = np.arange(nv)
    found = {tuple(everything): np.flatnonzero(tight.all(axis=0))}
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
                    found[key] = rows
                    following.append(closed)
        frontier = following
    return [(np.array(k, dtype=np.int64), rows) for k, rows in found.items()]


def _rank(points: np.ndarray) -> int:
    if len(points) <= 1:
        return 0
    spread = points - points[0]
    scale = max(1.0, float(np.abs(points).max()))
    return int(np.linalg.matrix_rank(spread, tol=1e-9 * scale))


def _signs(part, owners: list, zeros: list) -> np.ndarray:
    """Sign vectors: 0 on the hyperplanes a face lies on, else its regions' side."""
    network = part.network
    offsets = network.label_offsets()
    signs = np.zeros((len(owners), int(offsets[-1])), dtype=np.int8)
    for f, regions in enumerate(owners):
        pattern = part.patterns[regions[0]]
        position = 0
        for index, layer in enumerate(network.layers):
            if layer.activation == "identity":
                continue
            states = pattern[position:position + layer.width]
            signs[f, offsets[index]:offsets[index + 1]] = sides_from_states(states,
                                                                            layer.activation)
            position += layer.width
        for h in zeros[f]:
            signs[f, h] = 0
    return signs


def _bounds(dims: np.ndarray, keys: list) -> list:
    """For each face, the faces of one dimension less whose vertices it contains (looked
    up through the faces at each of its vertices)."""
    at_vertex: dict = {}
    for g, key in enumerate(keys):
        for v in key:
            at_vertex.setdefault((int(dims[g]), v), []).append(g)
    bounds = []
    for f, key in enumerate(keys):
        below = {g for v in key for g in at_vertex.get((int(dims[f]) - 1, v), ())}
        bounds.append(np.array(sorted(g for g in below if keys[g] <= key), dtype=np.int64))
    return bounds

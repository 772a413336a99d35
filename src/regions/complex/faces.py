"""The face lattice of a partition: every face of the polyhedral complex, in every dimension,
exactly.

The closures of the regions are convex polyhedra, and they meet face to face: a face of
the complex is a face of some region's closure, shared by the regions around it. The
vertex engine (:mod:`regions.engines.vertex`) knows each region's generators (vertices,
and rays when it is unbounded); each is computed once in rational arithmetic, and so is
the value of every breakpoint hyperplane label and every domain row at each vertex (its
sign vector; a ray's slopes are taken within each face, as different regions' maps differ
along it). Every label is affine on a region's closure and of one sign on it, so a face's
relative interior is exactly the set of points with its sign vector (the common nonzero
sign of its generators, label by label), and its closure holds exactly the generators whose
signs conform: the sign vector is a face's exact identity, nothing is merged by a
tolerance. Faces are found from the top down: the regions' closures, then, level by level,
each face's facets, the maximal sets of its generators on which one label vanishes (the
faces cut out by single labels include every facet, and a proper face lies in a facet).
A face's dimension is its level, its regions those of the faces it is a facet of, and its
sign vector is the one the exact network has at a point of its relative interior.

The work is done in bulk: each vertex is solved once in rational arithmetic (looked up by
the equations it solves), every vertex's sign vector comes from one pass of the network
over all the vertices in integers (each a column of numerators over its own positive
denominator), and the level loop runs in Cython (``regions.complex._lattice``: a face
is a set of rows of one sign table, its facets bit sets of them).

Every face of dimension ``d`` is a relatively open convex set, homeomorphic to ``R^d``,
so ``sum_d (-1)^d f_d`` is the Euler characteristic with compact supports of the
domain: 1 for a bounded one, ``(-1)^n`` for all of ``R^n`` (and for a plane or line).
:func:`~regions.face_lattice` checks it on every call, and that the regions are its faces of top
dimension (one each), and refuses a lattice that fails either; it refuses one where a label
takes both signs on a face's generators, too.

Max layers: a max unit's pair hyperplanes bound a region only where one of the two
inputs is the unit's largest; two other inputs may tie inside a region, and their pair
takes both signs on it. So the sign table has, in place of a unit's pairs, one *tie
column* per input, the input minus the unit's largest (0 where it ties for the largest,
else -1): on the closure of a region of argmax ``w`` the column of input ``p`` is the
affine ``z_p - z_w``, the region's own bounding labels, and a face is cut by those only.
The pairs' signs are read off the ties (``_Faces.label_signs``).

Domains: those of the vertex engine (bounded ones, and unbounded ones without faces
whose first layer's hyperplanes span every direction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import networkx as nx
import numpy as np
from flint import fmpq, fmpq_mat, fmpz_mat

from ..engines.base import Settings
from ..engines.driver import drive, prepare
from ..engines.vertex import VertexEngine, supports
from ..errors import DomainError, RegionsError
from ..exact_numbers import float_of
from ..rational import RationalMaps, exact_forward, exact_solve, fraction
from ..network import max_pairs
from ..rounding import overflow_expected
from ._lattice import descend

__all__ = ["FaceLattice", "face_lattice"]


@dataclass
class FaceLattice:
    """Every face of a partition's polyhedral complex.

    Attributes
    ----------
    dims : ndarray, shape (F,), int64
        Dimension of each face (0 = vertex, ..., ``dim`` = region).
    signs : ndarray, shape (F, H), int8
        Sign vector: for every breakpoint hyperplane label, 0 when the face lies on it,
        else the side (+1 above, -1 below) the face is on. A max unit's pair ``(p, q)``
        (``z_q - z_p``) is 0 also where neither input is the unit's largest: it bounds
        no region there, and has no side (as in ``regions.network.pattern_sides``).
    regions : list of ndarray
        The regions (partition indices) whose closure holds each face.
    bounds : list of ndarray
        The faces of one dimension less on each face's boundary (the Hasse diagram).
    vertices : list of ndarray
        The vertices (faces of dimension 0) of each face's closure.
    rational_points : sequence of tuple of Fraction
        A point of each face's relative interior (working coordinates), exactly: the mean
        of its vertices plus the sum of its rays (a vertex's exact coordinates for a face of
        dimension 0). Each is computed when first read: their sums are most of the
        lattice's cost, and most uses read the vertices' only.

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
    signs: np.ndarray
    regions: list
    bounds: list
    vertices: list
    rational_points: Sequence

    @cached_property
    def points(self) -> np.ndarray:
        """``rational_points`` rounded to float64, shape (F, dim), +-inf beyond its range."""
        dim = len(self.rational_points[0]) if len(self.dims) else 0
        return np.array([[float_of(v) for v in point] for point in self.rational_points],
                        dtype=np.float64).reshape(len(self.dims), dim)

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
    >>> # max(x, y, -x - y): three cones at the origin, cut by the pairs with the largest
    >>> fan = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0.0] * 3),
    ...                                    ([[1.0]], [0.0])], ["max", "identity"],
    ...                                   windows={0: [[0, 1, 2]]})
    >>> face_lattice(regions.enumerate_regions(fan)).f_vector
    [1, 3, 3]
    """
    if not part.complete:
        raise RegionsError("the face lattice needs a complete partition")
    dim = part.domain.dim
    if dim < 1:
        raise DomainError("the face lattice needs a domain of dimension at least 1")
    generators, exact, selection = _generators(part)
    faces = _Faces(part, exact, selection)
    kept = []
    for i, pattern in enumerate(part.patterns):
        kept.append(generators.get(pattern.tobytes()))
        if kept[-1] is None:
            raise RegionsError(f"region {i} of the partition is not a region of its network "
                               "(an incomplete or foreign partition)")
    if part.domain.is_bounded or selection is not None:
        lattice = _lattice(faces, faces.regions(part.patterns, kept))
    else:
        lattice = _whole_domain(faces, dim)
    expected = 1 if part.domain.is_bounded else (-1) ** dim
    if lattice.f_vector[-1] != len(part) or len(lattice.f_vector) != dim + 1:
        raise RegionsError(f"the face lattice has {lattice.f_vector[-1]} faces of dimension "
                           f"{len(lattice.f_vector) - 1} for {len(part)} regions in {dim}-D")
    if lattice.euler_characteristic != expected:
        raise RegionsError(f"the face lattice's Euler characteristic is "
                           f"{lattice.euler_characteristic}, not the domain's {expected}")
    return lattice


def _whole_domain(faces: _Faces, dim: int) -> FaceLattice:
    """The lattice of an unbounded domain no breakpoint hyperplane crosses (the vertex
    engine's constant network, no first cones): one face, the domain, with no vertex and
    no boundary, on the side of each label's constant value (its sign at the origin)."""
    origin = [fmpq(0)] * dim
    signs = faces.label_signs(_label_signs(faces.maps, faces.domain_rows, [origin]))
    empty = np.zeros(0, dtype=np.int64)
    return FaceLattice(np.array([dim], dtype=np.int64), signs,
                       [np.zeros(1, dtype=np.int64)], [empty], [empty],
                       [tuple(Fraction(0) for _ in range(dim))])


@overflow_expected
def _generators(part):
    """Every region's generators, from the vertex engine run again with
    ``keep_generators``: ``({pattern: (float rows (nv, dim + 1), tight labels per
    generator)}, the exact side, selection)`` in the engine's working coordinates (the
    domain's divided by a power of two, their coordinates ``selection`` on an unbounded
    domain). The labels are the domain's and the network's: a vertex is solved again in
    the domain's coordinates; a ray's direction is the engine's. The engine lets float64
    overflow, as in :func:`regions.enumerate_regions`."""
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
    return engine.exact.kept, engine.exact, engine.selection


class _Faces:
    """The generators of the complex and their sign vectors, exactly.

    Every generator is computed exactly once, with its sign vector: for each breakpoint
    hyperplane label, then each domain row, the sign of the label's value (a domain row
    ``b - a . z``, +1 inside) at a vertex, or of its slope along a ray of one face (a ray
    has no sign of its own: different regions' maps differ along it). The closure of a
    face is the set of points whose signs conform to its sign vector, so its generators
    are those whose signs do (:func:`._lattice.descend` finds the faces from them).
    """

    def __init__(self, part, exact, selection):
        self.exact = exact
        self.selection = selection
        self.maps = RationalMaps(part.network, part.domain)
        self.domain_rows = ([[fraction(v) for v in row] for row in part.domain.A],
                            [fraction(v) for v in part.domain.b])
        offsets = part.network.label_offsets()
        labels = np.arange(offsets[-1])
        layers = np.searchsorted(offsets, labels, side="right") - 1
        breakpoints = np.array([len(layer.breakpoints) or 1 for layer in part.network.layers])
        # Indexed by label + shift (a domain row's label is negative, a padding one lower):
        # the states a label's hyperplane depends on, and its neuron's state (-1: none).
        rows = len(part.domain.b)
        self.shift = rows + 1
        self.label_stops = np.concatenate([np.zeros(self.shift, dtype=np.int64),
                                           self.maps.state_starts[layers]])
        # a max unit's state is never cleared from a vertex's key: a tight pair of it need
        # not hold its argmax (the vertex is then solved once per state, found equal)
        is_max = np.array([layer.activation == "max" for layer in part.network.layers]
                          + [False], dtype=bool)
        self.label_neurons = np.concatenate([
            np.full(self.shift, -1, dtype=np.int64),
            np.where(is_max[layers], -1, self.maps.state_starts[layers]
                     + (labels - offsets[layers]) // breakpoints[layers])])
        self.label_layers, self.label_offsets = layers.tolist(), offsets
        self.state_starts = self.maps.state_starts.tolist()
        self.domain_equations = [self.maps.domain_row(k) for k in range(rows)]
        self.equations: dict = {}        # (layer, states before it) -> its hyperplanes
        self.generator_ids: dict = {}
        self.points: list = []           # exact coordinates (a ray: its direction)
        self.is_ray: list = []
        self.values: dict = {}           # vertex -> exact label values (for rays' slopes)
        self.slopes: dict = {}           # (vertex, ray) -> signs of the labels' slopes

    def label_signs(self, table: np.ndarray) -> np.ndarray:
        """The sign vectors over the breakpoint hyperplane labels, shape (F, H) int8, from
        rows of the sign table (:func:`_label_signs`'s columns, tie columns for a max
        layer): a pair ``(p, q)`` of a max unit is 0 where both inputs tie for its largest
        or where neither does (it bounds no region there: no side, as in
        ``regions.network.pattern_sides``), else +1 where ``q`` does, -1 where ``p`` does."""
        columns, pieces = 0, []
        for layer in self.maps.network.layers:
            if layer.activation != "max":
                pieces.append(table[:, columns:columns + layer.num_labels])
                columns += layer.num_labels
                continue
            units, first, second = max_pairs(layer)
            starts = columns + np.concatenate([[0], np.cumsum(layer.window_sizes)[:-1]])
            later = table[:, starts[units] + second] == 0
            earlier = table[:, starts[units] + first] == 0
            pieces.append((later & ~earlier).astype(np.int8) - (earlier & ~later))
            columns += int(layer.window_sizes.sum())
        if not pieces:
            return np.zeros((len(table), 0), dtype=np.int8)
        return np.ascontiguousarray(np.concatenate(pieces, axis=1), dtype=np.int8)

    def regions(self, patterns: np.ndarray, kept: list) -> tuple:
        """The regions' closures as rows of one sign table, from each region's generators
        (float rows ``(nv, dim + 1)``) and the labels tight at each (:meth:`_closures`)."""
        region = np.repeat(np.arange(len(kept)), [len(labels) for _, labels in kept])
        floats = np.concatenate([generators for generators, _ in kept])
        tight = [labels for _, region_labels in kept for labels in region_labels]
        ray = floats[:, -1] == 0.0
        ids = np.empty(len(tight), dtype=np.int64)
        ids[~ray] = self._vertex_ids(patterns, region[~ray],
                                     [tight[i] for i in np.flatnonzero(~ray)])
        for i in np.flatnonzero(ray):
            ids[i] = self._ray(patterns[region[i]], tight[i], floats[i])
        self._seal()
        return self._closures(region, ids, ray)

    def _vertex_ids(self, patterns: np.ndarray, region: np.ndarray, tight: list) -> np.ndarray:
        """The ids of vertices, ``region[i]``'s tight on the labels ``tight[i]``. A vertex
        is first looked up by the equations it solves: its tight labels and the states
        their hyperplanes depend on (those of the layers before the deepest one), less the
        states of the neurons whose labels are tight. Those may differ between the regions
        around the vertex but not the solution: where a neuron's label vanishes, the pieces
        on either side of its breakpoint agree, so, layer by layer, the later labels agree
        on the points where the earlier tight ones vanish. Every other state is the same in
        every region around the vertex, so each vertex is solved once."""
        longest = max(map(len, tight))
        padding = (-self.shift,)
        labels = np.array([t + padding * (longest - len(t)) for t in tight],
                          dtype=np.int64).reshape(len(tight), longest) + self.shift
        stops = self.label_stops[labels].max(axis=1, initial=0)
        neurons = self.label_neurons[labels]
        keys = patterns[region]
        keys[np.arange(keys.shape[1]) >= stops[:, None]] = 0
        masked = (neurons >= 0) & (neurons < stops[:, None])
        keys[np.nonzero(masked)[0], neurons[masked]] = 0
        keys = np.concatenate([keys.view(np.uint8), labels.astype(np.int32).view(np.uint8)],
                              axis=1)
        width, flat, systems = keys.shape[1], keys.tobytes(), {}
        system = np.array([systems.setdefault(flat[k * width:(k + 1) * width], len(systems))
                           for k in range(len(tight))], dtype=np.int64)
        _, first = np.unique(system, return_index=True)
        ids = np.array([self._identify(self._vertex(patterns[region[i]], tight[i]), False)
                        for i in first], dtype=np.int64)
        return ids[system]

    def _ray(self, pattern: np.ndarray, tight: tuple, row: np.ndarray) -> int:
        """The id of a ray: the vertex engine's direction, in the domain's coordinates,
        scaled to a first nonzero entry of +-1 (so equal rays are equal)."""
        exact = self.exact.exact_point(pattern.tobytes(), tight, row)
        if self.selection is not None:          # the engine's coordinates are a permutation
            lifted = [fmpq(0)] * len(exact)
            for k, v in zip(self.selection, exact):
                lifted[int(k)] = v
            exact = lifted
        lead = next(abs(v) for v in exact if v != 0)
        return self._identify([v / lead for v in exact], True)

    def _identify(self, exact: list, ray: bool) -> int:
        """The id of a generator by its exact coordinates (a new one when first seen)."""
        key = (ray,) + tuple((int(v.p), int(v.q)) for v in exact)
        found = self.generator_ids.get(key)
        if found is None:
            found = self.generator_ids[key] = len(self.points)
            self.points.append(exact)
            self.is_ray.append(ray)
        return found

    def _closures(self, region: np.ndarray, ids: np.ndarray, ray: np.ndarray) -> tuple:
        """The regions' closures from their generators (``ids[i]`` one of ``region[i]``'s,
        a ray where ``ray[i]``): ``(table (rows, L) int8, generators (rows,) int64, the
        generator of each row, vertex_rows (rows,) int32, 1 for a vertex's, region_rows
        int32, region_starts (regions + 1,) int64)``, region ``r``'s rows
        ``region_rows[region_starts[r]:region_starts[r + 1]]``, its vertices (ascending)
        then its rays (ascending). The first rows are the generators' own (a vertex's sign
        vector; a ray's is never read), then each region's ray rows: the signs of every
        label's slope along the ray within that region."""
        count, regions = len(self.points), int(region.max(initial=-1)) + 1
        vertices = np.sort(region[~ray] * count + ids[~ray])
        rays = np.sort(region[ray] * count + ids[ray])
        total = count + len(rays)
        tables, generators = [self.signs], [np.arange(count)]
        if len(rays):
            with_rays, firsts = np.unique(rays // count, return_index=True)
            first_vertices = vertices[np.searchsorted(vertices, with_rays * count)] % count
            for vertex, group in zip(first_vertices, np.split(rays % count, firsts[1:])):
                tables.append(self._ray_signs(int(vertex), group.tolist()))
            generators.append(rays % count)
        order = np.sort(np.concatenate([
            (vertices // count) * 2 * total + vertices % count,
            (rays // count) * 2 * total + total + count + np.arange(len(rays))]))
        vertex_rows = np.zeros(total, dtype=np.int32)
        vertex_rows[:count] = np.logical_not(self.is_ray)
        return (np.ascontiguousarray(np.concatenate(tables)), np.concatenate(generators),
                vertex_rows, (order % total).astype(np.int32),
                np.concatenate([[0], np.cumsum(np.bincount(order // (2 * total),
                                                           minlength=regions))]))

    def _vertex(self, pattern: np.ndarray, tight: tuple) -> list:
        """The vertex on the labels ``tight`` under ``pattern``, exactly, in the domain's
        coordinates: the unique solution of their equations (``a . z + c = 0`` each)."""
        rows = [self.domain_equations[-1 - label] if label < 0
                else self._equations(pattern, self.label_layers[label])[label]
                for label in tight]
        dim = len(rows[0][0])
        A = fmpq_mat(len(rows), dim, [a for row, _ in rows for a in row])
        c = fmpq_mat(len(rows), 1, [-c for _, c in rows])
        solution = exact_solve(A, c)
        if solution is None:
            raise RegionsError("a vertex's tight labels do not determine it")
        return solution.entries()

    def _equations(self, pattern: np.ndarray, layer: int) -> dict:
        """``{label: (a, c)}`` for the labels of ``layer`` under ``pattern``, each hyperplane
        ``a . z + c = 0`` (``a`` a list of fmpq), by the states it depends on."""
        key = (layer, pattern[:self.state_starts[layer]].tobytes())
        found = self.equations.get(key)
        if found is None and self.maps.pairs[layer] is not None:
            first = int(self.label_offsets[layer])
            found = self.equations[key] = {
                label: self.maps.hyperplane(pattern, label)
                for label in range(first, int(self.label_offsets[layer + 1]))}
        elif found is None:
            G, beta = self.maps.preactivation(pattern, layer)
            dim, first = G.ncols(), int(self.label_offsets[layer])
            gradients, offsets = G.entries(), beta.entries()
            found = self.equations[key] = {
                first + neuron * len(breakpoints) + q:
                    (gradients[neuron * dim:(neuron + 1) * dim], offsets[neuron] - t)
                for breakpoints in [self.maps.breakpoints[layer]]
                for neuron in range(G.nrows()) for q, t in enumerate(breakpoints)}
        return found

    def _label_values(self, point: list) -> list:
        """The exact value of every column of the sign table at a point: each breakpoint
        hyperplane label (pre-activation minus breakpoint), a max layer's tie columns
        (:func:`_label_signs`), then every domain row (``b - a . z``)."""
        pre, _ = exact_forward(self.maps, point)
        values = []
        for z, breakpoints, layer in zip(pre, self.maps.breakpoints, self.maps.network.layers):
            if layer.activation == "max":
                for window in layer.windows.tolist():
                    inputs = [z[i] for i in window if i >= 0]
                    values += [v - max(inputs) for v in inputs]
            else:
                values += [v - t for v in z for t in breakpoints]
        A, b = self.domain_rows
        return values + [bk - sum((a * x for a, x in zip(row, point)), fmpq(0))
                         for row, bk in zip(A, b)]

    def _seal(self) -> None:
        """Every generator's sign vector, shape (generators, L) int8 (a ray's row 0)."""
        vertices = [g for g, ray in enumerate(self.is_ray) if not ray]
        signs = _label_signs(self.maps, self.domain_rows, [self.points[g] for g in vertices])
        self.signs = np.zeros((len(self.points), signs.shape[1]), dtype=np.int8)
        self.signs[vertices] = signs

    def _ray_signs(self, vertex: int, rays: list) -> np.ndarray:
        """The signs of every label's slope along each ray from ``vertex``, shape
        ``(len(rays), L)`` int8: exact values at ``vertex + ray`` minus at ``vertex``."""
        rows = []
        for ray in rays:
            key = (vertex, ray)
            if key not in self.slopes:
                if vertex not in self.values:
                    self.values[vertex] = self._label_values(self.points[vertex])
                point = [x + d for x, d in zip(self.points[vertex], self.points[ray])]
                self.slopes[key] = [(s > 0) - (s < 0) for s in
                                     (a - b for a, b in zip(self._label_values(point),
                                                            self.values[vertex]))]
            rows.append(self.slopes[key])
        return np.array(rows, dtype=np.int8).reshape(len(rays), self.signs.shape[1])


class _RelativeInteriors(Sequence):
    """Each face's point of :attr:`FaceLattice.rational_points`, computed when first read:
    from the exact generators (fmpq lists) and each face's rows (:func:`._lattice.descend`):
    face ``f``'s generators are ``generators[starts[g]:starts[g + 1]]``, ``g = order[f]``,
    its vertices where ``vertex`` holds."""

    def __init__(self, points: list, generators: np.ndarray, vertex: np.ndarray,
                 starts: np.ndarray, order: np.ndarray):
        self._points, self._generators, self._vertex = points, generators, vertex
        self._starts, self._order = starts, order
        self._found: dict = {}

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, f):
        if isinstance(f, slice):
            return [self[k] for k in range(*f.indices(len(self)))]
        f = int(f)
        if f < 0:
            f += len(self)
        if f not in self._found:
            g = self._order[f]
            rows = slice(self._starts[g], self._starts[g + 1])
            generators, vertex = self._generators[rows], self._vertex[rows]
            self._found[f] = self._point(generators[vertex], generators[~vertex])
        return self._found[f]

    def _point(self, vertices: np.ndarray, rays: np.ndarray) -> tuple:
        """The mean of ``vertices`` plus the sum of ``rays`` (generator ids), as Fractions."""
        points = self._points
        point = [sum((points[v][k] for v in vertices), fmpq(0)) / len(vertices)
                 + sum((points[r][k] for r in rays), fmpq(0))
                 for k in range(len(points[vertices[0]]))]
        return tuple(Fraction(int(v.p), int(v.q)) for v in point)


def _label_signs(maps: RationalMaps, domain_rows: tuple, points: list) -> np.ndarray:
    """The exact sign of every breakpoint hyperplane label (pre-activation minus breakpoint)
    then every domain row (``b - a . z``) at each point (working coordinates, fmpq lists),
    shape (len(points), L) int8. The network runs on all the points at once, in integers:
    a point is a column of numerators over a positive denominator of its own, and each
    affine map (over one common denominator) and activation maps numerators to numerators,
    so a value's sign is its numerator's."""
    count, dim = len(points), len(points[0])
    cleared = [fmpq_mat(dim, 1, point).numer_denom() for point in points]
    start = fmpz_mat(dim, count, [column[k, 0] for k in range(dim) for column, _ in cleared])
    start_scale = fmpz_mat(1, count, [denominator for _, denominator in cleared])
    values, scale = _affine(*maps.start, start, start_scale)
    signs = []
    for index, layer in enumerate(maps.network.layers):
        values, scale = _affine(maps.weights[index], maps.biases[index], values, scale)
        if layer.activation == "max":
            ties, values = _max_layer(values, layer.windows)
            signs.append(ties)
            continue
        if maps.breakpoints[index]:         # labels neuron by neuron, breakpoints within
            signs.append(np.stack([_signs(_shifted(values, scale, t))
                                   for t in maps.breakpoints[index]], axis=1
                                  ).reshape(-1, count))
        values, scale = _activate(values, scale, layer.activation, maps.slopes[index])
    A, b = domain_rows
    if b:
        signs.append(_signs(_affine(fmpq_mat(len(A), dim, [-a for row in A for a in row]),
                                    fmpq_mat(len(b), 1, b), start, start_scale)[0]))
    if not signs:                       # no breakpoint and no domain row: an affine network
        return np.zeros((count, 0), dtype=np.int8)
    return np.ascontiguousarray(np.concatenate(signs).T)


def _max_layer(values: fmpz_mat, windows: np.ndarray) -> tuple[np.ndarray, fmpz_mat]:
    """A max layer at the points ``values / scale`` (numerators (n, N); the scale is
    unchanged): its tie columns, unit by unit, input by input, the sign of the input minus
    the unit's largest (0 where it ties for the largest, else -1), shape (sum of window
    sizes, N) int8, and the units' outputs' numerators (units, N). On the closure of a
    region of argmax ``w`` the input ``p``'s column is the affine ``z_p - z_w``: the tie
    columns are a unit's labels that bound its regions, each region its own."""
    count = values.ncols()
    entries = np.array(values.entries(), dtype=object).reshape(values.nrows(), count)
    ties, outputs = [], []
    for window in windows.tolist():
        inputs = entries[[i for i in window if i >= 0]]
        largest = np.maximum.reduce(inputs, axis=0)
        ties.append(np.where(inputs == largest, 0, -1).astype(np.int8))
        outputs.extend(largest.tolist())
    return np.concatenate(ties), fmpz_mat(len(windows), count, outputs)


def _affine(A: fmpq_mat, c: fmpq_mat, values: fmpz_mat, scale: fmpz_mat
            ) -> tuple[fmpz_mat, fmpz_mat]:
    """``A z + c`` at the points ``values / scale`` (numerators (n, N), denominators (1, N)),
    in the same form: ``A`` and ``c`` over a common denominator ``D``, the numerators are
    ``D A`` times the numerators plus ``D c`` times the denominators, over ``D`` times them."""
    rows, cols = A.nrows(), A.ncols()
    cleared, denominator = fmpq_mat(rows, cols + 1, [v for i in range(rows) for v in
                                                     [A[i, j] for j in range(cols)] + [c[i, 0]]]
                                    ).numer_denom()
    linear = fmpz_mat(rows, cols, [cleared[i, j] for i in range(rows) for j in range(cols)])
    offset = fmpz_mat(rows, 1, [cleared[i, cols] for i in range(rows)])
    return linear * values + offset * scale, scale * denominator


def _shifted(values: fmpz_mat, scale: fmpz_mat, t: fmpq) -> fmpz_mat:
    """The numerators of ``values / scale - t`` over ``scale`` times ``t``'s denominator."""
    if t == 0:
        return values
    rows = values.nrows()
    return values * t.q - fmpz_mat(rows, 1, [t.p] * rows) * scale


def _signs(values: fmpz_mat) -> np.ndarray:
    """The signs of an integer matrix's entries, as an int8 array of its shape."""
    return np.array([(v > 0) - (v < 0) for v in values.entries()],
                    dtype=np.int8).reshape(values.nrows(), values.ncols())


def _activate(values: fmpz_mat, scale: fmpz_mat, activation: str, slope: fmpq
              ) -> tuple[fmpz_mat, fmpz_mat]:
    """An activation applied to the values ``values / scale`` (numerators (n, N), positive
    denominators (1, N)), in the same form."""
    rows, count = values.nrows(), values.ncols()
    entries = values.entries()
    if activation == "relu":
        entries = [v if v > 0 else 0 for v in entries]
    elif activation == "leaky_relu":
        entries = [v * slope.q if v > 0 else v * slope.p for v in entries]
        scale = scale * slope.q
    elif activation == "hardtanh":
        bounds = scale.entries() * rows
        entries = [max(-h, min(h, v)) for v, h in zip(entries, bounds)]
    return fmpz_mat(rows, count, entries), scale


def _lattice(faces: _Faces, closures: tuple) -> FaceLattice:
    """The lattice from the regions' closures (:meth:`_Faces.regions`, region ``i`` the
    ``i``-th), dimension by dimension down to the vertices (:func:`._lattice.descend`),
    renumbered by dimension, vertices first."""
    table, generators, vertex_rows, region_rows, region_starts = closures
    rows, starts, signs, dims, parents, children, owners, owner_starts = descend(
        table, region_rows, region_starts, vertex_rows, len(faces.points[0]))
    count = len(dims)
    order = np.argsort(dims, kind="stable")
    number = np.empty(count, dtype=np.int64)
    number[order] = np.arange(count)
    row_face = number[np.repeat(np.arange(count), np.diff(starts))]
    row_generator = generators[rows]
    vertex = vertex_rows[rows] == 1
    vertex_face = np.full(len(generators), -1, dtype=np.int64)
    vertex_face[row_generator[starts[:-1][dims == 0]]] = number[dims == 0]
    if (vertex_face[row_generator[vertex]] < 0).any():
        raise RegionsError("a vertex of a face is not a face of the lattice")
    return FaceLattice(
        dims[order], faces.label_signs(signs[order]),
        _grouped(number[np.repeat(np.arange(count), np.diff(owner_starts))], owners, count),
        _grouped(number[parents], number[children], count),
        _grouped(row_face[vertex], vertex_face[row_generator[vertex]], count),
        _RelativeInteriors(faces.points, row_generator, vertex, starts, order))


def _grouped(groups: np.ndarray, values: np.ndarray, count: int) -> list:
    """``values`` (each in ``range(count)``) by ``groups`` (each in ``range(count)``), each
    group ascending: a list of ``count`` int64 arrays (views of one)."""
    flat = np.sort(groups * count + values) % count
    ends = np.cumsum(np.bincount(groups, minlength=count)).tolist()
    return [flat[start:end] for start, end in zip([0] + ends[:-1], ends)]

"""The vertex engine: cells that carry their vertices and rays, split without LPs.

The same algorithm as :mod:`regions.engines.split` (cells split layer by
layer, depth-first), but every cell carries its generators (vertices, and
extreme rays when it is unbounded), so a hyperplane cuts a cell exactly when
some generator lies strictly on each side of it: every decision is a sign of a
hyperplane at a generator, certified in float64 or computed in rational
arithmetic (``ExactGenerators``). A cut computes the new generators on
the crossing edges: no LP at all, except to measure the largest ball of a thin
region (a report). The core is ``regions.engines._vertex.VertexCore``
(Cython, its own depth-first stack in a byte arena); ``VertexEngine`` here
gives it the engine interface and builds the domain's first cells, exactly.
Final regions come out as struct-of-arrays chunks
(``regions.engines.base.RegionChunk``): no Python object per region until
one is asked for.

Max layers (max pooling, maxout): the core clips each cell, unit by unit, to the
part where each position of the unit's window is the argmax, by the halfspaces
of the position's pair hyperplanes (each clip the same certified cut, keeping
one side), and drops the parts without interior; a pair exactly constant on a
cell (a tie) keeps the earlier position. See ``VertexCore.split_max``.

Domains: bounded ones (a box, a bounded polytope, a plane or line clipped to
bounds, a segment), whose first cell is the domain's polytope with its exact
vertices, and unbounded ones without faces (all of R^n, an unbounded plane or
line), which start from the cones of ``first_cones`` (or, when the first layer
with breakpoints is a max layer, from its regions: ``MaxRoots``). An unbounded
polytope with faces goes to the split engine. The number of vertices of a cell
grows quickly with the dimension, most quickly from a box's ``2^n`` corners,
so ``method="auto"`` takes it where its cost model predicts it faster
(``regions.enumeration.vertex_advantage``, fitted to ``benchmarks/auto_dims.py``), and a
box with more than ``MAX_CORNERS`` corners is refused at once.
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from flint import arb, arb_mat, fmpq, fmpq_mat

from ..domain import Domain, is_box
from ..errors import DomainError, float64_overflow
from ..lp import LPSolver
from ..network import Network, pattern_sides
from ..polyhedra import patterns_at
from ..predicates import Decisions
from ..lp_exact import balanced_row
from ..rational import (BallMaps, exact_solve, float_of, fraction, independent_rows,
                        kernel_vector, magnitude, parse_fraction, scaled_floats)
from ..rounding import SMALLEST_SUBNORMAL, UNIT_ROUNDOFF, rounded_rows_error, row_norms
from ..tolerances import (BOUND_SAFETY, CHECK_EVERY, GENERATOR_CACHE, MAX_APEX_CONDITION,
                          MAX_CONES, MAX_CORNERS, MAX_DIM, MAX_VERTEX_SUBSETS,
                          RADIUS_CAP, ROOT_CACHE, THIN_FACTOR, VERTEX_APEX_LIMIT,
                          VERTEX_CHUNK, VERTEX_RUN_STEPS, VERTEX_SPLIT_STEPS)
from ._vertex import ACTIVATION_CODES, AT_INFINITY
from ._vertex import VertexCore
from .base import Counters, RegionArrays, RegionChunk, Settings, VertexCell
from .split import SplitEngine

__all__ = ["VertexEngine", "ExactGenerators", "Cones", "MaxRoots", "supports", "first_cones",
           "MAX_APEX_CONDITION", "MAX_CORNERS", "MAX_CONES",
           "CHECK_EVERY", "VERTEX_APEX_LIMIT"]


def supports(domain: Domain) -> bool:
    """Whether the vertex engine takes this domain: bounded, or without faces."""
    return domain.is_bounded or domain.A.shape[0] == 0


def pack_incidence(incidence: np.ndarray) -> np.ndarray:
    """Boolean ``(nv, m)`` incidence as ``(nv, ceil(m / 64))`` uint64 bitsets (bit ``i % 64``
    of word ``i // 64`` is row ``i``)."""
    nv, m = incidence.shape
    words = max(1, -(-m // 64))
    packed = np.zeros((nv, words), dtype=np.uint64)
    for i in range(m):
        packed[:, i // 64] |= incidence[:, i].astype(np.uint64) << np.uint64(i % 64)
    return packed


def joined(arrays: list) -> np.ndarray:
    """``np.concatenate(arrays)``, or the one array itself (no copy)."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def unit_rows(A, b) -> tuple[np.ndarray, np.ndarray]:
    """Exact rows ``a . z <= b`` (fmpq entries, or floats taken exactly) as float unit rows
    ``[a | b] / |a|`` and their error bounds (:mod:`regions.predicates`). Each row is
    scaled exactly by a power of two before it is rounded
    (:func:`regions.rational.scaled_floats`), so rows of tiny or huge entries neither
    underflow nor overflow, and its norm is taken of the scaled row."""
    floating = [isinstance(v, np.ndarray) and v.dtype == np.float64 for v in (A, b)]
    exact_input = floating[0] or all(isinstance(v, float) for row in A for v in row)
    if all(floating) and len(b) and np.all(np.max(np.abs(A), axis=1) == 1.0):
        floats = np.hstack([A, b[:, None]])      # (a box's rows) the power of two is 1
    else:
        floats = scaled_floats([list(row) + [c] for row, c in zip(A, b)], lead=-1)
        floats = floats.reshape(len(b), -1)
    rows = floats / row_norms(floats[:, :-1])[:, None]
    size = np.max(np.abs(rows), axis=1)
    error = ((2.0 if exact_input else 4.0) * UNIT_ROUNDOFF * size + SMALLEST_SUBNORMAL) \
        * BOUND_SAFETY
    return rows, error


def exact_vertices(A: np.ndarray, b: np.ndarray, check=None) -> tuple[list, np.ndarray]:
    """Exact vertices of the bounded polytope ``A z <= b`` (float rows taken exactly) and
    their incidence (nv, m) with the rows: every ``dim`` rows solved in rationals, the
    feasible points kept. DomainError when that takes more than ``MAX_VERTEX_SUBSETS``;
    ``check()`` is called every :data:`CHECK_EVERY` subsets."""
    m, dim = A.shape
    if math.comb(m, dim) > MAX_VERTEX_SUBSETS:
        raise DomainError(f"the polytope's {m} rows in {dim}-D have too many vertex "
                          "candidates for the vertex method: use method='split'")
    rows = [[fraction(v) for v in row] for row in A]
    rhs = [fraction(v) for v in b]
    found: dict = {}
    for number, subset in enumerate(itertools.combinations(range(m), dim)):
        if check is not None and number % CHECK_EVERY == 0:
            check()
        square = fmpq_mat(dim, dim, [rows[i][k] for i in subset for k in range(dim)])
        if square.rank() < dim:
            continue
        point = square.solve(fmpq_mat(dim, 1, [rhs[i] for i in subset]))
        point = tuple(point[k, 0] for k in range(dim))
        if point in found:
            continue
        values = [sum((r[k] * point[k] for k in range(dim)), fmpq(0)) for r in rows]
        if all(v <= c for v, c in zip(values, rhs)):
            found[point] = [v == c for v, c in zip(values, rhs)]
    if not found:
        raise DomainError("the polytope domain has no vertex (empty or unbounded)")
    return list(found), np.array(list(found.values()), dtype=bool)


def rounded_map(M: fmpq_mat, c: fmpq_mat) -> tuple[np.ndarray, np.ndarray]:
    """The exact affine map ``M z + c`` (M (n, r), c (n, 1)) as float64 rows ``[M | c]``
    (n, r + 1) and their error bounds: twice the unit roundoff of the row's largest entry
    (a rational rounds within one, padded), and half a subnormal spacing an entry may lose
    to underflow (a row of exact zeros keeps error 0)."""
    rows = [[M[i, j] for j in range(M.ncols())] + [c[i, 0]] for i in range(M.nrows())]
    floats = np.array([[float_of(v) for v in row] for row in rows],
                      dtype=np.float64).reshape(len(rows), M.ncols() + 1)
    _finite(floats, rows, "an entry of the first layer's map")
    nonzero = [any(v != 0 for v in row) for row in rows]
    return floats, (2.0 * UNIT_ROUNDOFF * np.max(np.abs(floats), axis=1, initial=0.0)
                    + np.where(nonzero, SMALLEST_SUBNORMAL, 0.0)) * BOUND_SAFETY


def round_generators(points: list, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Exact points (tuples of fmpq) as float64 rows and their error bounds
    (:func:`~regions.rounding.rounded_rows_error`); a DomainError naming ``what`` (the
    points) when one is beyond float64 (the first cells' generators must be floats)."""
    floats = np.array([[float_of(v) for v in point] for point in points], dtype=np.float64)
    _finite(floats, points, what)
    return floats, rounded_rows_error(floats)


def _float_rows(rows: list) -> np.ndarray:
    """Exact rows (k, n) as float64; when one is beyond float64 (weights' products past
    1e308), every row scaled by a power of two instead (:func:`regions.rational.scaled_floats`:
    the same hyperplanes, and the same least-squares transfer between their columns)."""
    floats = np.array([[float_of(v) for v in row] for row in rows])
    return floats if np.all(np.isfinite(floats)) else scaled_floats(rows)


def _finite(floats: np.ndarray, exact: list, what: str) -> None:
    """A DomainError (:func:`regions.errors.float64_overflow`) when ``floats``, the rows
    ``exact`` rounded, are not all finite: the first cells of the vertex engine are made
    of float64 generators and maps."""
    if not np.all(np.isfinite(floats)):
        largest = max(abs(fraction(v)) for row in exact for v in row)
        raise float64_overflow(what, magnitude(largest),
                               "; method='split' keeps such points exactly")


#: The first cells :func:`bounded_root` made, by their domain's contents (``ROOT_CACHE``).
_ROOTS: OrderedDict = OrderedDict()


def bounded_root(domain: Domain, check=None) -> VertexCell:
    """A bounded domain as the first cell: its exact vertices (``(x, 1)``), rows, map
    (``check`` as in :func:`exact_vertices`); read-only arrays, kept by the domain's
    contents for the next run over the same domain."""
    key = (domain.kind, domain.rational_basis) + tuple(
        (array.shape, np.ascontiguousarray(array).tobytes())
        for array in (domain.A, domain.b, domain.origin, domain.basis, domain.lower,
                      domain.upper))
    if key not in _ROOTS:
        root = _bounded_root(domain, check)
        for array in root:
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
        _ROOTS[key] = root
        if len(_ROOTS) > ROOT_CACHE:
            _ROOTS.popitem(last=False)
    _ROOTS.move_to_end(key)
    return _ROOTS[key]


def _bounded_root(domain: Domain, check=None) -> VertexCell:
    dim, m = domain.dim, domain.A.shape[0]
    if is_box(domain):
        # corner i takes the upper bound in coordinate j when bit dim-1-j of i is set
        # (the order of itertools.product over (lower, upper) pairs)
        upper = (np.arange(2 ** dim)[:, None] >> np.arange(dim - 1, -1, -1)) & 1
        V = np.where(upper.astype(bool), domain.upper, domain.lower)
        V_error = np.zeros(len(V))
        incidence = (V @ domain.A.T) == domain.b
    else:
        points, incidence = exact_vertices(domain.A, domain.b, check)
        V, V_error = round_generators(points, "a vertex of the polytope domain")
    rows, row_error = unit_rows(domain.A, domain.b)
    return VertexCell(0, np.hstack([V, np.ones((len(V), 1))]), V_error, pack_incidence(incidence),
                      rows, row_error, -1 - np.arange(m, dtype=np.int64),
                      np.hstack([domain.basis, domain.origin[:, None]]),
                      domain.basis_error(), np.zeros(0, np.int8), 0, np.zeros(0, np.int8),
                      np.zeros(len(V), np.int8))


class Cones(NamedTuple):
    """The ``2^r`` simplicial cones that cover a domain without faces (:func:`first_cones`),
    as what every cone shares: the apex, the rays and the walls, all in the slice's ``r``
    coordinates. Cone ``s`` (a sign per wall) lies on side ``s_i`` of wall ``i``; its rays
    are ``s_i`` times the rays here."""

    layer: int              # the first layer with breakpoints
    apex: np.ndarray        # (r,) float64, error bound apex_error
    apex_error: float
    rays: np.ndarray        # (r, r) unit rays, one per wall (ray i leaves wall i)
    ray_error: float
    walls: np.ndarray       # (r, r + 1) unit rows [a | b] of a . w <= b on side +1
    wall_error: np.ndarray  # (r,)
    labels: np.ndarray      # (r,) the walls' hyperplane labels
    wall_sides: np.ndarray  # (r,) their positions among the layer's hyperplanes
    hyperplanes: int        # the layer's hyperplanes
    map: np.ndarray         # (width, r + 1) the layer's input map
    map_error: np.ndarray

    @property
    def count(self) -> int:
        return 2 ** len(self.labels)

    def cells(self, check=None) -> list[VertexCell]:
        """Every cone as a first cell, their walls' sides decided; ``check()`` is called
        every :data:`CHECK_EVERY` cones (it raises to stop the setup)."""
        r = len(self.labels)
        generators = np.zeros((r + 1, r + 1))
        generators[0, :r], generators[0, r] = self.apex, 1.0
        V_error = np.append(self.apex_error, np.full(r, self.ray_error))
        # apex: tight on every wall; ray i: on every wall but i, and at infinity
        incidence = np.ones((r + 1, r + 1), dtype=bool)
        incidence[0, r] = False
        incidence[1 + np.arange(r), np.arange(r)] = False
        incidence = pack_incidence(incidence)
        labels = np.append(self.labels, AT_INFINITY)
        row_error = np.append(self.wall_error, 0.0)
        at_infinity = np.append(np.zeros(r), 1.0)
        no_states, flat = np.zeros(0, np.int8), np.zeros(r + 1, np.int8)
        cells = []
        for number, signs in enumerate(itertools.product((1, -1), repeat=r)):
            if check is not None and number % CHECK_EVERY == 0:
                check()
            signs = np.array(signs)
            V = generators.copy()
            V[1:, :r] = self.rays * signs[:, None]
            sides = np.zeros(self.hyperplanes, np.int8)
            sides[self.wall_sides] = signs
            cells.append(VertexCell(self.layer, V, V_error, incidence,
                                    np.vstack([self.walls * signs[:, None], at_infinity]),
                                    row_error, labels, self.map, self.map_error, no_states, 0,
                                    sides, flat))
        return cells


def first_cones(network: Network, domain: Domain):
    """How the first cells of an unbounded domain without faces are made, and the
    coordinates they use.

    On such a domain the first layer with breakpoints has pre-activations
    ``G z + g`` affine in the domain coordinates ``z`` everywhere, and every later
    pre-activation depends on ``z`` only through them. When ``G`` has rank
    ``r < dim`` every region is a cylinder along its kernel, so the engine works on
    the slice of ``r`` coordinates ``S`` (chosen so that ``G`` restricted to them has
    rank ``r``, exactly): the regions of the slice are those of the domain. Then
    ``r`` of the hyperplanes with independent normals meet at an apex ``p``
    (computed exactly) and cut the slice into ``2^r`` simplicial cones, each
    generated by ``p`` and ``r`` rays. Their walls are breakpoint hyperplanes of
    the network, which no region crosses, so every region lies in exactly one cone.

    Returns ``(S, slice domain, cones)``: the coordinate indices (r,), the slice (a
    domain of dimension ``r`` with an exact basis), and the :class:`Cones` (built
    cell by cell only when the run starts: there are ``2^r``). When that first layer is
    a max layer its pair hyperplanes are no walls (regions cross them): ``cones`` is then
    ``MaxRoots``, the layer's regions as the first cells. When every first
    pre-activation is exactly constant the network is constant: then ``S`` is None and
    ``cones`` is its one region as a finished cell (:func:`constant_cell`).
    """
    first = next((i for i, layer in enumerate(network.layers)
                  if layer.activation != "identity"), None)
    no_states = np.zeros(0, np.int8)
    G = None if first is None else Decisions(network, domain).maps.preactivation(no_states,
                                                                                  first)[0]
    live = [] if G is None else [j for j in range(G.nrows())
                                 if any(G[j, k] != 0 for k in range(G.ncols()))]
    is_max = first is not None and network.layers[first].activation == "max"
    if not live and is_max:
        raise DomainError(f"the first max layer (layer {first}) is constant on this unbounded "
                          "domain: the vertex method has no first cell for it; use "
                          "method='split'")
    if not live:
        return None, domain, constant_cell(network, domain)
    # (the floats only order the exact choices)
    floats = _float_rows([[G[j, k] for k in range(G.ncols())] for j in live])
    columns = _independent_columns(G, live, floats)
    r = len(columns)
    if is_max:
        return (np.array(columns, dtype=np.int64), _slice_domain(domain, columns),
                MaxRoots(first, network))
    if 2.0 ** r > MAX_CONES:
        raise DomainError(f"the vertex method starts from the 2^{r} cones that the first "
                          f"layer's {r} independent hyperplanes cut the domain into (at most "
                          f"2^{MAX_CONES.bit_length() - 1}): use method='split'")
    rows = _independent_rows(G, live, columns, floats)
    working = _slice_domain(domain, columns)
    maps = Decisions(network, working).maps
    k = len(network.layers[first].breakpoints)
    labels = network.label_offsets()[first] + np.array(rows, dtype=np.int64) * k
    planes = [maps.hyperplane(no_states, int(label)) for label in labels]
    square = fmpq_mat(r, r, [v for a, _ in planes for v in a])
    apex = square.solve(-fmpq_mat(r, 1, [c for _, c in planes]))
    inverse = square.inv()
    M, m = maps.input_map(no_states, first)
    map_, map_error = rounded_map(M, m)
    apex_float, apex_error = round_generators([tuple(apex[i, 0] for i in range(r))],
                                              "the first cones' apex, where the first "
                                              "layer's hyperplanes meet,")
    ray_floats = scaled_floats([[inverse[i, c] for i in range(r)] for c in range(r)])
    ray_floats /= row_norms(ray_floats)[:, None]
    # the side ``+(a . w + c) >= 0`` of every wall: ``-a . w <= c`` (side s: s times it)
    walls, wall_error = unit_rows([[-v for v in a] for a, _ in planes], [c for _, c in planes])
    cones = Cones(first, apex_float[0], float(apex_error[0]), ray_floats,
                  (r + 4) * UNIT_ROUNDOFF * BOUND_SAFETY, walls, wall_error, labels,
                  np.array(rows, dtype=np.int64) * k, network.layers[first].width * k,
                  map_, map_error)
    return np.array(columns, dtype=np.int64), working, cones


class MaxRoots(NamedTuple):
    """The first cells of a domain without faces whose first layer with breakpoints is a
    max layer: that layer's regions on the slice, found by the split engine (certified
    LPs, exact where undecided), each with its exact generators (:func:`polyhedron_cell`).
    A region that contains a line has no vertex, so no generators: the split engine
    splits it by the next layers until its parts have one (the next layer's hyperplanes
    are region boundaries inside it), and a final region that contains a line is
    refused."""

    layer: int
    network: Network

    def cells(self, domain: Domain, settings: Settings, check=None) -> tuple[list, list]:
        """The layer's regions on the slice ``domain`` (or their parts) as cells of a later
        layer, and the regions the split engine counted after each layer (``check()`` is
        called for every cell it takes)."""
        engine = SplitEngine(self.network, domain, settings)
        maps = Decisions(self.network, domain).maps
        stack, cells, last = engine.roots(), [], len(self.network.layers)
        while stack:
            if check is not None:
                check()
            cell = stack.pop()
            if cell.layer > self.layer:
                A, b = engine.decisions.oriented_rows(cell.pattern, cell.labels,
                                                      cell.row_sides)
                found = polyhedron_cell(self.network, maps, cell.layer, A, b, cell.labels,
                                        cell.pattern, check)
                if found is not None:
                    cells.append(found)
                    continue
                if cell.layer == last:
                    raise DomainError(
                        f"the region of pattern {cell.pattern.tolist()} contains a line, so "
                        "it has no vertex: the vertex method cannot carry it; use "
                        "method='split'")
            stack.extend(reversed(engine.step(cell)))
        return cells, engine.per_layer


def polyhedron_cell(network: Network, maps, layer: int, A: fmpq_mat, b: fmpq_mat,
                    labels: np.ndarray, pattern: np.ndarray, check=None) -> VertexCell | None:
    """The polyhedron ``A z <= b`` (exact, rows labelled ``labels``) as a cell of ``layer``
    with ``pattern``: its vertices (every ``r`` rows solved, the feasible points kept) and
    extreme rays (the kernel of every ``r - 1`` rows, each direction kept when every row
    allows it), all exact, and the input map of ``layer`` under ``pattern``; None when it
    has no vertex (it contains a line). DomainError for too many row subsets;
    ``check()`` is called every :data:`CHECK_EVERY` subsets."""
    m, r = A.nrows(), A.ncols()
    if math.comb(m, r) + math.comb(m, r - 1) > MAX_VERTEX_SUBSETS:
        raise DomainError(f"a region of the first max layer has {m} rows in {r}-D: too many "
                          "vertex candidates for the vertex method: use method='split'")
    rows = [[A[i, k] for k in range(r)] for i in range(m)]
    rhs = [b[i, 0] for i in range(m)]
    found: dict = {}
    for number, subset in enumerate(itertools.combinations(range(m), r)):
        if check is not None and number % CHECK_EVERY == 0:
            check()
        square = fmpq_mat(r, r, [rows[i][k] for i in subset for k in range(r)])
        try:
            solution = square.solve(fmpq_mat(r, 1, [rhs[i] for i in subset]))
        except ZeroDivisionError:       # dependent rows: no vertex
            continue
        values = A * solution
        if all(values[i, 0] <= rhs[i] for i in range(m)):
            # keyed by its text: hashing fmpq goes through Fraction, slowly
            found.setdefault(str(solution), (tuple(solution[k, 0] for k in range(r)),
                                             [values[i, 0] == rhs[i] for i in range(m)]
                                             + [False]))
    if not found:
        return None
    rays: dict = {}
    for subset in itertools.combinations(range(m), r - 1):
        block = fmpq_mat(r - 1, r, [rows[i][k] for i in subset for k in range(r)])
        direction = kernel_vector(block) if r > 1 else [fmpq(1)]
        if direction is None:
            continue
        values = A * fmpq_mat(r, 1, direction)
        for sign in (1, -1):
            if all(sign * values[i, 0] <= 0 for i in range(m)):
                largest = max(abs(v) for v in direction)
                ray = tuple(sign * v / largest for v in direction)
                rays[ray] = [values[i, 0] == 0 for i in range(m)] + [True]
    V, V_error = round_generators([point for point, _ in found.values()],
                                  "a vertex of a region of the first max layer")
    V = np.hstack([V, np.ones((len(V), 1))])
    if rays:
        directions = np.array([[float(v) for v in ray] for ray in rays])
        directions /= np.linalg.norm(directions, axis=1)[:, None]
        V = np.vstack([V, np.hstack([directions, np.zeros((len(rays), 1))])])
        V_error = np.append(V_error, np.full(len(rays), ((r + 4) * UNIT_ROUNDOFF
                                                         + SMALLEST_SUBNORMAL) * BOUND_SAFETY))
    incidence = np.array([tight for _, tight in found.values()] + list(rays.values()),
                         dtype=bool)
    facets = np.flatnonzero(incidence[:, :m].sum(axis=0) >= r)
    unit, row_error = unit_rows([rows[i] for i in facets], [rhs[i] for i in facets])
    labels = np.asarray(labels, dtype=np.int64)[facets]
    if rays:
        facets = np.append(facets, m)
        unit = np.vstack([unit, np.append(np.zeros(r), 1.0)])
        row_error = np.append(row_error, 0.0)
        labels = np.append(labels, AT_INFINITY)
    if layer < len(network.layers):
        M, c = maps.input_map(pattern, layer)
    else:
        M, c = maps.output_map(pattern)
    map_, map_error = rounded_map(M, c)
    return VertexCell(layer, V, V_error, pack_incidence(incidence[:, facets]), unit, row_error,
                      labels, map_, map_error, np.asarray(pattern, dtype=np.int8), 0,
                      np.zeros(0, np.int8), np.zeros(len(V), np.int8))


def cylinder_factor(network: Network, domain: Domain, selection) -> float:
    """How much a distance in the coordinate slice ``selection`` of ``first_cones``
    can overstate the distance in the domain: ``||G_S^-1 G||_2`` (1 without a slice).

    Every hyperplane's normal is ``a = a_S G_S^-1 G`` (each pre-activation depends on ``z``
    through ``G z`` only), so a point of the slice at distance ``d`` from a hyperplane in
    the slice is at least ``d / ||G_S^-1 G||`` from it in the domain: a ball of that radius
    around the lifted witness stays inside its cylinder.
    """
    if selection is None or len(selection) == domain.dim:
        return 1.0
    first = next(i for i, layer in enumerate(network.layers) if layer.activation != "identity")
    G = Decisions(network, domain).maps.preactivation(np.zeros(0, np.int8), first)[0]
    G = _float_rows([[G[j, k] for k in range(G.ncols())] for j in range(G.nrows())])
    transfer = np.linalg.lstsq(G[:, selection], G, rcond=None)[0]
    return float(np.linalg.norm(transfer, 2)) * (1.0 + 1e-9)


def constant_cell(network: Network, domain: Domain) -> VertexCell:
    """The one region of a network constant on a domain without faces, as a finished cell:
    one vertex at the origin (its witness), no rows, the states of the constants."""
    dim = domain.dim
    pattern = patterns_at(network, domain, np.zeros(dim))
    return VertexCell(len(network.layers), np.append(np.zeros(dim), 1.0)[None, :], np.zeros(1),
                      np.zeros((1, 1), np.uint64), np.zeros((0, dim + 1)), np.zeros(0),
                      np.zeros(0, np.int64), np.zeros((1, dim + 1)), np.zeros(1), pattern, 0,
                      np.zeros(0, np.int8), np.zeros(1, np.int8))


def _independent_columns(G: fmpq_mat, live: list, floats: np.ndarray) -> list:
    """Columns of ``G`` (rows ``live``) spanning its column space, best conditioned first
    (pivoted QR on the floats, each column checked exactly)."""
    import scipy.linalg

    _, _, order = scipy.linalg.qr(floats, pivoting=True, mode="economic")
    chosen: list = []
    for c in list(order) + list(range(G.ncols())):
        if c in chosen:
            continue
        trial = chosen + [int(c)]
        block = fmpq_mat(len(live), len(trial), [G[j, t] for j in live for t in trial])
        if block.rank() == len(trial):
            chosen = trial
    return chosen


def _independent_rows(G: fmpq_mat, live: list, columns: list, floats: np.ndarray) -> list:
    """``len(columns)`` neurons of ``live`` whose rows of ``G`` (restricted to ``columns``)
    are independent, best conditioned first."""
    import scipy.linalg

    _, _, order = scipy.linalg.qr(floats[:, columns].T, pivoting=True, mode="economic")
    block = fmpq_mat(len(live), len(columns), [G[j, c] for j in live for c in columns])
    ordered = list(order) + [i for i in range(len(live)) if i not in order]
    reordered = fmpq_mat(len(live), len(columns),
                         [block[i, c] for i in ordered for c in range(len(columns))])
    chosen = independent_rows(reordered)
    return [live[ordered[i]] for i in chosen]


def _slice_domain(domain: Domain, columns: list) -> Domain:
    """The face-less domain restricted to its coordinates ``columns`` (the others 0)."""
    exact = domain.exact_basis()
    rational = tuple(tuple(Fraction(int(exact[i, c].p), int(exact[i, c].q)) for c in columns)
                     for i in range(exact.nrows()))
    r = len(columns)
    return Domain(domain.kind, np.zeros((0, r)), np.zeros(0), domain.origin,
                  domain.basis[:, columns], np.full(r, -np.inf), np.full(r, np.inf), rational)


class ExactGenerators:
    """The exact side of the vertex engine: generators computed in rational arithmetic
    from the constraints tight at them, and the decisions that need them.

    A generator is known by the labels of its tight constraints (the cell's rows and the
    current layer's hyperplanes, under the cell's pattern): a vertex is the unique
    solution of those equations, a ray the direction of their kernel (oriented like the
    float ray). Both are cached by labels and pattern prefix.
    """

    def __init__(self, network: Network, domain: Domain, exact: bool = True):
        self.exact = exact
        self.dim = domain.dim
        self.decisions = Decisions(network, domain, exact)
        self._balls: BallMaps | None = None
        self.solver = LPSolver()
        self._cache: OrderedDict = OrderedDict()
        self.kept: dict = {}
        self.label_offsets = network.label_offsets()
        self.state_starts = np.concatenate(
            [[0], np.cumsum([layer.num_states for layer in network.layers])]).astype(int)

    @property
    def balls(self) -> BallMaps:
        """The maps in ball arithmetic (built on first use: most runs never need them)."""
        if self._balls is None:
            self._balls = BallMaps(self.decisions.network, self.decisions.domain)
        return self._balls

    def exact_generator(self, pattern: bytes, layer: int, labels: tuple, ray: bool,
                        approx: np.ndarray) -> list:
        """The exact generator (list of fmpq) tight on ``labels`` under ``pattern``; a ray
        oriented towards ``approx`` (the opposite ray has the same tight labels), which must
        be within a quarter of its length of the exact unit ray. Cached by
        the labels and the part of the pattern their hyperplanes depend on (the states of
        the layers before the deepest one), so children cells share it."""
        key = self._key(pattern, labels, ray)
        found = self._cache.get(key)
        if found is None:
            found = self._solve(pattern, labels, ray)
            if ray:         # any positive multiple will do: one of entries near 1
                found = balanced_row(found)
            self._remember(pattern, labels, ray, found)
        else:
            self._cache.move_to_end(key)
        if not ray:
            return found
        floats = np.array([float(v) for v in found])
        cosine = float(floats @ approx) / float(row_norms(np.vstack([floats, approx])).prod())
        if not abs(cosine) >= 0.5:
            raise AssertionError("a ray's float is too far from its exact direction to orient it")
        return [-v for v in found] if cosine < 0 else found

    def _key(self, pattern: bytes, labels: tuple, ray: bool) -> tuple:
        """The cache key: the labels, and the part of the pattern their hyperplanes depend
        on (the states of the layers before the deepest one)."""
        deepest = max((int(np.searchsorted(self.label_offsets, label, side="right")) - 1
                       for label in labels if label >= 0), default=0)
        return (pattern[:self.state_starts[deepest]], labels, ray)

    def _remember(self, pattern: bytes, labels: tuple, ray: bool, found: list) -> None:
        self._cache[self._key(pattern, labels, ray)] = found
        if len(self._cache) > GENERATOR_CACHE:
            self._cache.popitem(last=False)

    def _solve(self, pattern: bytes, labels: tuple, ray: bool) -> list:
        """The generator from its tight rows: a vertex solved, a ray's direction (one of the
        two) from their kernel."""
        states = np.frombuffer(pattern, dtype=np.int8)
        dim = self.dim
        rows = [self.decisions.row(states, label) for label in labels]
        A = fmpq_mat(len(rows), dim, [a[k] for a, _ in rows for k in range(dim)])
        if ray:
            direction = kernel_vector(A) if A.nrows() else ([fmpq(1)] if dim == 1 else None)
            if direction is None:
                raise AssertionError("a ray's tight constraints do not determine its direction")
            return direction
        solution = exact_solve(A, fmpq_mat(len(rows), 1, [-c for _, c in rows]))
        if solution is None:
            raise AssertionError("a vertex's tight constraints do not determine it")
        return [solution[k, 0] for k in range(dim)]

    def generator(self, pattern: bytes, layer: int, labels: tuple, ray: bool,
                  approx: np.ndarray) -> tuple[np.ndarray, float]:
        """The exact generator rounded to float64 (a ray also normalised), and its error
        bound; a vertex from ball arithmetic when its balls are narrow enough."""
        if not ray:
            point = self._ball_vertex(np.frombuffer(pattern, dtype=np.int8), labels)
            if point is not None:
                floats = np.array([float(x.mid()) for x in point])
                error = max(float((x - float(x.mid())).abs_upper()) for x in point)
                size = float(np.max(np.abs(floats), initial=0.0))
                if error <= 4.0 * UNIT_ROUNDOFF * max(size, 1.0):
                    return floats, (error + UNIT_ROUNDOFF * size) * 2.0
        exact = self.exact_generator(pattern, layer, labels, ray, approx)
        if ray:
            return self._rounded_ray(exact)
        # a vertex beyond float64 is +-inf with an infinite bound: its signs are exact
        floats = np.array([float_of(v) for v in exact])
        return floats, UNIT_ROUNDOFF * float(np.max(np.abs(floats), initial=0.0)) * BOUND_SAFETY

    def _rounded_ray(self, ray: list) -> tuple[np.ndarray, float]:
        """An exact ray with entries near 1 (:func:`~regions.lp_exact.balanced_row`) as a unit
        float64 ray, and its error bound."""
        floats = np.array([float(v) for v in ray])
        floats /= row_norms(floats[None, :])[0]
        return floats, ((self.dim + 4) * UNIT_ROUNDOFF + SMALLEST_SUBNORMAL) * BOUND_SAFETY

    def crossing_ray(self, pattern: bytes, layer: int, plane: int, labels: tuple,
                     positive: tuple, negative: tuple) -> tuple[np.ndarray, float]:
        """The ray where hyperplane label ``plane`` crosses the edge between rays
        ``positive`` and ``negative`` (each ``(tight labels, float ray)``, its float
        oriented within a quarter of its length), exactly: ``|s_q| p + s_p q`` from the exact
        ends and their exact slopes ``s_p > 0 > s_q``, rounded as :meth:`generator`. Its
        tight ``labels`` alone fix it only up to sign, and the ends' float midpoint cannot
        orient it when the ends are nearly opposite; kept in the cache by ``labels``."""
        p = self.exact_generator(pattern, layer, positive[0], True, positive[1])
        q = self.exact_generator(pattern, layer, negative[0], True, negative[1])
        a, _ = self.decisions.row(np.frombuffer(pattern, dtype=np.int8), plane)
        sp = sum((ak * x for ak, x in zip(a, p)), fmpq(0))
        sq = sum((ak * x for ak, x in zip(a, q)), fmpq(0))
        if not sp > 0 > sq:
            raise AssertionError("a crossed edge's exact ends are not on opposite sides")
        found = balanced_row([-sq * pk + sp * qk for pk, qk in zip(p, q)])
        self._remember(pattern, labels, True, found)
        return self._rounded_ray(found)

    def sign(self, pattern: bytes, layer: int, labels: tuple, ray: bool, approx: np.ndarray,
             plane: int) -> int:
        """The exact sign of hyperplane label ``plane`` at the generator: from ball arithmetic
        when its interval excludes 0 (:class:`regions.rational.BallMaps`), else rational."""
        if not ray:
            certain = self._ball_sign(np.frombuffer(pattern, dtype=np.int8), labels, plane)
            if certain:
                return certain
        point = self.exact_generator(pattern, layer, labels, ray, approx)
        a, c = self.decisions.row(np.frombuffer(pattern, dtype=np.int8), plane)
        value = sum((ak * x for ak, x in zip(a, point)), fmpq(0)) + (0 if ray else c)
        return (value > 0) - (value < 0)

    def _ball_sign(self, states: np.ndarray, labels: tuple, plane: int) -> int:
        """The sign of hyperplane ``plane`` at the vertex tight on ``labels``, when ball
        arithmetic certifies it; 0 when it cannot (a singular or ill-conditioned system, or
        a value whose ball holds 0)."""
        point = self._ball_vertex(states, labels)
        if point is None:
            return 0
        value = self._ball_value(states, plane, point)
        return 1 if value > 0 else (-1 if value < 0 else 0)

    def _ball_vertex(self, states: np.ndarray, labels: tuple) -> list | None:
        """The vertex tight on ``labels`` in ball arithmetic (a list of ``arb``), or None when
        the balls cannot separate its system from a singular one."""
        rows = [self._ball_row(states, label) for label in labels]
        dim = self.dim
        if len(rows) != dim:
            return None
        A = arb_mat(dim, dim, [a[k] for a, _ in rows for k in range(dim)])
        try:
            point = A.solve(arb_mat(dim, 1, [-c for _, c in rows]))
        except (ZeroDivisionError, ValueError):
            return None
        return [point[k, 0] for k in range(dim)]

    def _ball_witness(self, states: np.ndarray, labels: list, generators: np.ndarray):
        """The mean of the vertices of a bounded region rounded to float64, when ball
        arithmetic certifies it strictly inside every row tight at a vertex; else None (and
        for a region with rays)."""
        total, count = [arb(0)] * self.dim, 0
        for tight, row in zip(labels, generators):
            if row[-1] == 0.0:
                return None
            vertex = self._ball_vertex(states, tuple(tight))
            if vertex is None:
                return None
            total = [t + x for t, x in zip(total, vertex)]
            count += 1
        point = np.array([float((t / count).mid()) for t in total])
        if not np.all(np.isfinite(point)):      # beyond float64: the exact path
            return None
        exact = [arb(fraction(x)) for x in point]
        sides = pattern_sides(self.decisions.network, states)
        for label in {int(label) for tight in labels for label in tight}:
            value = self._ball_value(states, label, exact)
            inside = value < 0 if label < 0 else (value > 0 if sides[label] > 0 else value < 0)
            if not inside:
                return None
        return point

    def _ball_value(self, states: np.ndarray, label: int, point: list) -> arb:
        """Row ``label`` (``a . z + c``) at ``point`` (a list of ``arb``), in ball arithmetic."""
        a, value = self._ball_row(states, label)
        for k in range(self.dim):
            value += a[k] * point[k]
        return value

    def _ball_row(self, states: np.ndarray, label: int) -> tuple:
        if label < 0:
            a, c = self.decisions.maps.domain_row(-1 - int(label))
            return [arb(v) for v in a], arb(c)
        return self.balls.hyperplane(states, int(label))

    def flat_ray(self, pattern: bytes, layer: int, labels: tuple, approx: np.ndarray) -> bool:
        """Whether the exact ray is orthogonal to every gradient of ``layer`` under
        ``pattern`` (every later pre-activation is then constant along it)."""
        ray = self.exact_generator(pattern, layer, labels, True, approx)
        G, _ = self.decisions.maps.preactivation(np.frombuffer(pattern, dtype=np.int8), layer)
        products = G * fmpq_mat(len(ray), 1, ray)
        return all(products[j, 0] == 0 for j in range(products.nrows()))

    def row_is_zero(self, pattern: bytes, label: int) -> bool:
        """Whether hyperplane ``label``'s gradient is exactly zero under ``pattern`` (a
        max layer's pair whose two inputs have the same gradient on the cell)."""
        return self.decisions.zero_row(np.frombuffer(pattern, dtype=np.int8), label)

    def row_constant_sign(self, pattern: bytes, label: int) -> int:
        """The exact sign of hyperplane ``label``'s constant term under ``pattern``."""
        return self.decisions.constant_sign(np.frombuffer(pattern, dtype=np.int8), label)

    def gradient_is_zero(self, pattern: bytes, layer: int, neuron: int) -> bool:
        return self.decisions.zero_gradient(np.frombuffer(pattern, dtype=np.int8), layer, neuron)

    def constant_sign(self, pattern: bytes, layer: int, neuron: int, breakpoint: float) -> int:
        return self.decisions.constant_side(np.frombuffer(pattern, dtype=np.int8), layer,
                                            neuron, breakpoint)

    def witness(self, pattern: bytes, labels: list, generators: np.ndarray
                ) -> tuple[np.ndarray, tuple]:
        """A point strictly inside a final region from its generators (their tight labels,
        and their float rows ``(x, 1)`` / ``(d, 0)``): the mean of its vertices plus the sum
        of its rays. Returns ``(float64 point, None)`` when ball arithmetic certifies the
        rounded point inside, else ``(float64 point, ("p/q", ...))`` with the exact one."""
        states = np.frombuffer(pattern, dtype=np.int8)
        rounded = self._ball_witness(states, labels, generators)
        if rounded is not None:
            return rounded, None
        vertices, point = [], [fmpq(0)] * self.dim
        for tight, row in zip(labels, generators):
            ray = row[-1] == 0.0
            exact = self.exact_generator(pattern, -1, tuple(tight), ray, row[:-1])
            if ray:
                point = [x + d for x, d in zip(point, exact)]
            else:
                vertices.append(exact)
        for k in range(self.dim):
            point[k] += sum((v[k] for v in vertices), fmpq(0)) / len(vertices)
        return np.array([float_of(v) for v in point]), tuple(str(v) for v in point)

    def keep(self, pattern: bytes, labels: list, generators: np.ndarray) -> None:
        """Keep a final region's generators (float rows ``(x, 1)`` / ``(d, 0)``) and the
        labels tight at each, by pattern (``Settings.keep_generators``)."""
        self.kept[pattern] = (generators, labels)

    def exact_point(self, pattern: bytes, labels: tuple, generator: np.ndarray) -> list:
        """A kept generator exactly: a vertex's coordinates, a ray's direction."""
        return self.exact_generator(pattern, -1, tuple(labels), generator[-1] == 0.0,
                                    generator[:-1])

    def chebyshev(self, A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
        """The largest ball of a thin region (a report: float64 LP; radius 0, so reported
        thin, when HiGHS fails on it)."""
        ball = self.solver.proposal(np.ascontiguousarray(A), np.ascontiguousarray(b))
        return ball.center, (0.0 if math.isnan(ball.radius) else ball.radius)


class VertexEngine:
    """The engine interface (:class:`regions.engines.base.Engine`) around the Cython core.

    Cells are :class:`regions.engines.base.VertexCell`; records are
    ``regions.engines.base.RegionChunk``. On an unbounded domain the core works on
    the slice of coordinates ``selection`` of ``first_cones``.
    """

    name = "vertex"
    #: Cells processed between two returns to the driver (``regions.tolerances.VERTEX_CHUNK``).
    chunk = VERTEX_CHUNK
    cell_type = VertexCell
    record_type = RegionChunk
    #: Piece steps after which one cell's split goes back on the stack unfinished, and
    #: after which ``run`` returns to the driver (``regions.tolerances``).
    split_steps = VERTEX_SPLIT_STEPS
    run_steps = VERTEX_RUN_STEPS

    def __init__(self, network: Network, domain: Domain, settings: Settings = Settings()):
        if not supports(domain):
            raise DomainError(f"the vertex method takes bounded domains and domains without "
                              f"faces, not an unbounded {domain.kind}: use method='split'")
        self.network, self.domain, self.settings = network, domain, settings
        if domain.is_bounded:
            self.selection, self.working, self.cones = None, domain, None
            if is_box(domain) and 2.0 ** domain.dim > MAX_CORNERS:
                raise DomainError(f"the vertex method starts from the box's 2^{domain.dim} "
                                  f"corners (at most {MAX_CORNERS:,}: a cut tests pairs of "
                                  "a cell's vertices): use method='split' for a box of this "
                                  "dimension")
        else:
            self.selection, self.working, self.cones = first_cones(network, domain)
        self.margin_factor = cylinder_factor(network, domain, self.selection)
        #: Condition number of the first cones' walls at their apex (1 without cones).
        self.apex_condition = (float(np.linalg.cond(self.cones.walls[:, :-1]))
                               if isinstance(self.cones, Cones) and len(self.cones.labels) > 1
                               else 1.0)
        if self.apex_condition > VERTEX_APEX_LIMIT:
            raise DomainError(
                f"the first layer's hyperplanes meet at an apex of condition number "
                f"{self.apex_condition:.1e}, beyond the {VERTEX_APEX_LIMIT:g} up to which the "
                f"vertex method's cones are exact: use method='split' (or 'auto')")
        if self.working.dim > MAX_DIM:
            raise DomainError(f"the vertex method works in at most {MAX_DIM} dimensions "
                              f"(this domain has {self.working.dim}): use method='split'")
        self.exact = ExactGenerators(network, self.working, settings.exact)
        layers = [(layer.weight, layer.bias, ACTIVATION_CODES[layer.activation], layer.slope,
                   layer.windows) for layer in network.layers]
        self.core = VertexCore(layers, self.working.dim, network.label_offsets(),
                               settings.thin_radius, THIN_FACTOR, self.exact)
        self.core.split_steps, self.core.run_steps = self.split_steps, self.run_steps
        self.core.keep_generators = settings.keep_generators
        self.before = Counters(per_layer=[0] * len(network.layers))

    def roots(self, check=None) -> list[VertexCell]:
        """The first cells: the domain, or the cones covering it. ``check()`` is called every
        :data:`CHECK_EVERY` cones, corners or vertex candidates."""
        if self.cones is None:
            return [bounded_root(self.working, check)]
        self.core.per_layer[:self.cones.layer] = 1     # the layers before it: one region
        if isinstance(self.cones, MaxRoots):
            cells, counted = self.cones.cells(self.working, self.settings, check)
            self.core.per_layer[self.cones.layer:] += counted[self.cones.layer:]
            return cells
        if isinstance(self.cones, Cones):
            return self.cones.cells(check)
        return [self.cones]     # a constant network's one region

    @property
    def pending(self) -> int:
        return self.core.pending

    @property
    def top_layer(self) -> int:
        return self.core.top_layer

    @property
    def n_regions(self) -> int:
        return self.core.n_regions

    def layer_counts(self) -> np.ndarray:
        return self.core.layer_counts()

    def push(self, cell) -> None:
        self.core.push(*cell)

    def pop(self) -> VertexCell:
        return VertexCell(*self.core.pop())

    def run(self, max_cells: int, max_regions: int) -> int:
        return self.core.run(max_cells, max_regions)

    def take_results(self) -> list:
        chunk = RegionChunk(*self.core.take_results())
        return [chunk] if chunk.patterns.shape[0] else []

    def counters(self) -> Counters:
        return Counters(int(self.core.n_regions), [int(n) for n in self.core.per_layer],
                        self.before.lps + int(self.core.lps), self.before.lp_seconds
                        + self.exact.solver.seconds,
                        self.before.exact_decisions + int(self.core.exact_decisions),
                        self.before.uncertain_decisions + int(self.core.uncertain_decisions))

    def stop_exact(self) -> None:
        self._exact_mode(False)

    def _exact_mode(self, exact: bool) -> None:
        self.core.exact_mode = exact
        self.exact.exact = self.exact.decisions.exact = exact

    def reset(self) -> None:
        while self.core.pending:
            self.core.pop()
        self.core.take_results()
        self.core.n_regions = self.core.lps = 0
        self.core.exact_decisions = self.core.uncertain_decisions = 0
        self.core.per_layer = np.zeros(len(self.network.layers), np.int64)
        self.exact.solver.seconds = 0.0
        self.exact.kept.clear()
        self.before = Counters(per_layer=[0] * len(self.network.layers))
        self._exact_mode(self.settings.exact)

    def restore(self, counters: Counters, records: list) -> None:
        self.core.n_regions = counters.regions
        self.core.per_layer = np.array(counters.per_layer, dtype=np.int64)
        self.before = Counters(0, [], counters.lps, counters.lp_seconds,
                               counters.exact_decisions, counters.uncertain_decisions)

    # ------------------------------------------------------------------ final regions

    @staticmethod
    def count(records: list) -> int:
        return sum(chunk.patterns.shape[0] for chunk in records)

    def margins(self, records: list) -> np.ndarray:
        """The regions' margins in the domain's coordinates (see :func:`cylinder_factor`)."""
        margins = joined([chunk.margins for chunk in records] or [np.zeros(0)])
        return np.clip(margins / self.margin_factor, 0.0, RADIUS_CAP)

    def collect(self, records: list) -> RegionArrays:
        """The final regions as arrays, in the domain's working coordinates (one record's
        own arrays, not copies)."""
        offsets, shift, start = [np.zeros(1, np.int64)], 0, 0
        rational = {}
        for chunk in records:
            offsets.append(chunk.facet_offsets[1:] + shift)
            shift += chunk.facet_offsets[-1]
            for index, values in zip(chunk.rational_index, chunk.rational_values):
                rational[start + int(index)] = self._lift_rational(values)
            start += chunk.patterns.shape[0]
        if records:
            patterns = joined([c.patterns for c in records])
            witnesses = self._lift(joined([c.witnesses for c in records]))
            labels = joined([c.facet_labels for c in records])
        else:
            patterns = np.zeros((0, self.network.pattern_length), np.int8)
            witnesses, labels = np.zeros((0, self.domain.dim)), np.zeros(0, np.int64)
        return RegionArrays(patterns, witnesses, self.margins(records), None,
                            np.concatenate(offsets), labels, rational)

    def _lift(self, points: np.ndarray) -> np.ndarray:
        """Points of the engine's slice as points of the domain (0 off the slice)."""
        if self.selection is None:
            return points
        full = np.zeros((points.shape[0], self.domain.dim))
        full[:, self.selection] = points
        return full

    def _lift_rational(self, values) -> tuple:
        point = [parse_fraction(v) for v in values]
        if self.selection is None:
            return tuple(point)
        full = [Fraction(0)] * self.domain.dim
        for k, v in zip(self.selection, point):
            full[int(k)] = v
        return tuple(full)

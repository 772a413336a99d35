"""The vertex engine: cells that carry their vertices and rays, split without LPs.

Same algorithm and the same answer as :mod:`regions.engines.split` (cells split
layer by layer, depth-first, pieces kept when their inscribed radius exceeds
``min_radius``), but every cell carries its generators (vertices, and extreme
rays when it is unbounded), so a hyperplane that misses a cell is recognised
by the signs of its values at the generators, and a cut computes the new
generators on the crossing edges: no LP, except for pieces whose radius is
within a small factor of the tolerance. The core is
:class:`regions.engines._vertex.VertexEngine` (Cython, its own depth-first stack in a
byte arena); :class:`VertexEngine` here gives it the engine interface of
:mod:`regions.engines.driver` and builds the domain's first cell. Final
regions come out as struct-of-arrays chunks: no Python object per region
until one is asked for.

Domains: bounded ones (a box, a bounded polytope, a plane or line clipped to
bounds, a segment), whose first cell is the domain's polytope, and unbounded
ones without faces (all of R^n, an unbounded plane or line), which start from
the cones of :func:`unbounded_cells`. An unbounded polytope with faces goes to
the split engine. The number of vertices of a cell grows quickly with the
dimension, most quickly from a box's ``2^n`` corners, so ``method="auto"``
uses it up to :data:`MAX_AUTO_DIM` (by measurement, ``benchmarks/auto_dims.py``).
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.linalg
from scipy.spatial import HalfspaceIntersection

from ._vertex import ACTIVATION_CODES, AT_INFINITY, VertexEngine as VertexCore
from ..domain import Domain, is_box
from ..errors import DomainError
from ..lp import LPSolver
from ..network import Network, breakpoint_hyperplanes
from ..partition import PatternMaps, PatternRows
from ..tolerances import NEAR_DEGENERATE_FACTOR, ON_PLANE, RADIUS_CAP, ZERO_NORM
from .split import root_ball

#: ``method="auto"`` uses the vertex engine up to these dimensions: bounded domains start
#: from their corners (a box in 10-D has 1,024, and the split engine is faster there), domains
#: without faces from simplicial cones (``n + 1`` generators each).
MAX_AUTO_DIM = {"bounded": 8, "unbounded": 10}
#: Singular values of the first breakpoint normals below this fraction of the largest span
#: no direction: the partition of an unbounded domain is invariant along them.
RANK_ZERO = 1e-13
#: The hyperplanes meeting at the apex of :func:`unbounded_cells` are refused when the
#: condition number of their normals exceeds this (the apex would be far away and rounded).
MAX_APEX_CONDITION = 1e8


def supports(domain: Domain) -> bool:
    """Whether the vertex engine takes this domain: bounded, or without faces."""
    return domain.is_bounded or domain.A.shape[0] == 0


def domain_cell(domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ``(nv, dim)`` of a bounded domain and their incidence ``(nv, m)`` (bool).

    ``incidence[v, i]`` says that vertex ``v`` lies on row ``i`` of ``A z <= c``
    (within ``ON_PLANE``). Box-shaped domains get their exact corners; other
    polytopes go through ``scipy.spatial.HalfspaceIntersection``.
    """
    A, c, dim = domain.A, domain.b, domain.dim
    if dim == 1 or is_box(domain):
        V = np.array(list(itertools.product(*zip(domain.lower, domain.upper))), dtype=np.float64)
    else:
        V = _polytope_vertices(A, c)
    incidence = np.abs(V @ A.T - c) <= ON_PLANE * (1.0 + np.abs(c))
    return V, incidence


def _polytope_vertices(A: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Vertices of the bounded polytope ``A z <= c``, duplicates merged."""
    solver = LPSolver()
    ball = solver.chebyshev(A, c)
    if ball.radius <= 0.0:
        raise DomainError("the polytope domain has an empty interior")
    points = HalfspaceIntersection(np.hstack([A, -c[:, None]]), ball.center).intersections
    merged: list[np.ndarray] = []
    for point in points:
        if not any(np.max(np.abs(point - q)) <= ON_PLANE for q in merged):
            merged.append(point)
    return np.array(merged)


def pack_incidence(incidence: np.ndarray) -> np.ndarray:
    """Boolean ``(nv, m)`` incidence as ``(nv, ceil(m / 64))`` uint64 bitsets (bit ``i % 64``
    of word ``i // 64`` is row ``i``)."""
    nv, m = incidence.shape
    words = max(1, -(-m // 64))
    packed = np.zeros((nv, words), dtype=np.uint64)
    for i in range(m):
        packed[:, i // 64] |= incidence[:, i].astype(np.uint64) << np.uint64(i % 64)
    return packed


def root_cell(domain: Domain) -> tuple:
    """A bounded domain as the first cell, in the argument order of ``VertexEngine.push``
    (vertices ``(x, 1)`` in homogeneous coordinates)."""
    V, incidence = domain_cell(domain)
    m = domain.A.shape[0]
    return (0, np.hstack([V, np.ones((len(V), 1))]), pack_incidence(incidence),
            np.hstack([domain.A, domain.b[:, None]]), -1 - np.arange(m, dtype=np.int64),
            np.hstack([domain.basis, domain.origin[:, None]]), np.zeros(0, np.int8))


def unbounded_cells(network: Network, domain: Domain) -> tuple[np.ndarray, list[tuple]]:
    """First cells of an unbounded domain without faces, and the coordinates they use.

    On such a domain the first layer with breakpoints has pre-activations
    ``G z + g`` affine in the domain coordinates ``z`` everywhere. When the
    normals ``G`` span only ``r < dim`` directions, every region is a cylinder
    along the others, so the engine works in coordinates ``w`` of their span,
    ``z = Q w``. Then ``r`` of the hyperplanes (the best conditioned, by
    pivoted QR) meet at an apex ``p`` and cut the space into ``2^r``
    simplicial cones, each generated by ``p`` and ``r`` rays. Their walls are
    breakpoint hyperplanes of the network, which no region crosses, so every
    region lies in exactly one cone: the cones are the first cells, pointed
    polyhedra the engine carries by their apex and rays.

    Returns ``Q (dim, r)`` and the cells, in the argument order of
    ``VertexEngine.push``. A network whose first breakpoints are constant on
    the domain is constant there: one cell of dimension 0. DomainError when
    the apex is ill-conditioned (the split engine takes those).
    """
    M, m = domain.basis, domain.origin
    normals = np.zeros((1, domain.dim))     # none: the network is affine, one region
    for index, layer in enumerate(network.layers):
        if layer.activation != "identity":
            # the first breakpoint of each neuron, and the enumeration's zero-gradient rule
            k = len(layer.breakpoints)
            G, beta, threshold = (v[::k] for v in breakpoint_hyperplanes(
                layer, layer.weight @ M, layer.weight @ m + layer.bias, M))
            norms = np.linalg.norm(G, axis=1)
            live = norms > threshold
            if live.any():
                normals = G[live] / norms[live, None]
            break
        M, m = layer.weight @ M, layer.weight @ m + layer.bias
    _, singular, right = np.linalg.svd(normals, full_matrices=False)
    r = int(np.sum(singular > RANK_ZERO * max(singular[0], np.finfo(float).tiny)))
    Q = np.eye(domain.dim) if r == domain.dim else right[:r].T
    input_map = np.hstack([domain.basis @ Q, domain.origin[:, None]])
    if r == 0:
        # constant pre-activations everywhere: one region, a cell of dimension 0
        return Q, [(0, np.ones((1, 1)), np.zeros((1, 1), np.uint64), np.zeros((0, 1)),
                    np.zeros(0, np.int64), input_map, np.zeros(0, np.int8))]
    reduced = normals @ Q
    _, _, pivots = scipy.linalg.qr(reduced.T, pivoting=True, mode="economic")
    A = reduced[pivots[:r]]
    if np.linalg.cond(A) > MAX_APEX_CONDITION:
        raise DomainError("the first layer's hyperplanes are too close to parallel for the "
                          "vertex method on an unbounded domain: use method='split'")
    neurons = np.flatnonzero(live)[pivots[:r]]
    c = beta[neurons] / norms[neurons]
    apex = np.linalg.solve(A, -c)
    rays = np.linalg.inv(A)
    rays /= np.linalg.norm(rays, axis=0)
    labels = np.append(network.label_offsets()[index] + neurons * k, AT_INFINITY)
    # apex: tight on every wall; ray i: on every wall but i, and at infinity
    incidence = np.ones((r + 1, r + 1), dtype=bool)
    incidence[0, r] = False
    incidence[1 + np.arange(r), np.arange(r)] = False
    incidence = pack_incidence(incidence)
    cells = []
    for signs in itertools.product((1.0, -1.0), repeat=r):
        signs = np.array(signs)
        generators = np.zeros((r + 1, r + 1))
        generators[0, :r], generators[0, r] = apex, 1.0
        generators[1:, :r] = (rays * signs).T
        # the side ``signs[i] * (a_i . w + c_i) >= 0`` of every wall, and 0 . w <= 1
        rows = np.zeros((r + 1, r + 1))
        rows[:r, :r], rows[:r, r] = -signs[:, None] * A, signs * c
        rows[r, r] = 1.0
        cells.append((0, generators, incidence, rows, labels, input_map, np.zeros(0, np.int8)))
    return Q, cells


class VertexEngine:
    """The engine interface of :mod:`regions.engines.driver` around the Cython core.

    A cell is the tuple :meth:`regions.engines._vertex.VertexEngine.pop` returns
    (``layer, V, inc, rows, labels, input_map, pattern, premapped,
    map_norm_max``); a record of final regions is one chunk of arrays
    ``(patterns, witnesses, margins, facet_offsets, facet_labels)``. On an
    unbounded domain the core works in the coordinates ``w`` of
    :func:`unbounded_cells` (``z = w @ basis.T``).
    """

    name = "vertex"
    #: Cells processed between two returns to the driver (budgets, progress, Ctrl-C).
    chunk = 512
    #: Piece steps after which one cell's split goes back on the stack unfinished, and
    #: after which ``run`` returns to the driver (see ``regions.engines._vertex.VertexEngine``).
    split_steps = 4096
    run_steps = 65536

    def __init__(self, network: Network, domain: Domain, min_radius: float,
                 solver: LPSolver | None = None):
        if not supports(domain):
            raise DomainError(f"the vertex method takes bounded domains and domains without "
                              f"faces, not an unbounded {domain.kind}: use method='split'")
        self.domain, self.min_radius = domain, min_radius
        self.solver = solver or LPSolver()
        if domain.is_bounded:
            self.basis, self.first_cells = np.eye(domain.dim), None
        else:
            self.basis, self.first_cells = unbounded_cells(network, domain)
        self.lps_before, self.lp_seconds_before = 0, 0.0
        layers = [(layer.weight, layer.bias, ACTIVATION_CODES[layer.activation], layer.slope)
                  for layer in network.layers]
        solver_ = self.solver

        def chebyshev(A, c):
            ball = solver_.chebyshev(A, c)
            return ball.center, ball.radius

        self.core = VertexCore(layers, self.basis.shape[1], network.label_offsets(), min_radius,
                               min_radius / NEAR_DEGENERATE_FACTOR,
                               NEAR_DEGENERATE_FACTOR * min_radius, ON_PLANE, ZERO_NORM,
                               chebyshev)
        self.core.split_steps, self.core.run_steps = self.split_steps, self.run_steps

    def roots(self) -> list[tuple]:
        """The first cells: the domain, or the cones covering it (DomainError when the
        domain is too thin)."""
        root_ball(self.solver, self.domain, self.min_radius)
        return self.first_cells or [root_cell(self.domain)]

    @property
    def pending(self) -> int:
        return self.core.pending

    @property
    def top_layer(self) -> int:
        return self.core.top_layer

    @property
    def n_regions(self) -> int:
        return self.core.n_regions

    def push(self, cell: tuple) -> None:
        self.core.push(*cell)

    def pop(self) -> tuple:
        return self.core.pop()

    def run(self, max_cells: int, max_regions: int) -> int:
        return self.core.run(max_cells, max_regions)

    def take_results(self) -> list:
        chunk = self.core.take_results()
        return [chunk] if chunk[0].shape[0] else []

    def counters(self) -> dict:
        return {"regions": int(self.core.n_regions), "per_layer": [int(n) for n in self.core.per_layer],
                "slivers": int(self.core.slivers),
                "lps": self.lps_before + self.solver.count,
                "lp_seconds": self.lp_seconds_before + self.solver.seconds}

    def restore(self, counters: dict, records: list) -> None:
        """Continue a checkpointed run: its counters (its records are kept by the driver)."""
        self.core.n_regions = int(counters["regions"])
        self.core.per_layer = np.array(counters["per_layer"], dtype=np.int64)
        self.core.slivers = int(counters["slivers"])
        self.lps_before = int(counters["lps"]) - self.solver.count
        self.lp_seconds_before = float(counters["lp_seconds"]) - self.solver.seconds

    # ------------------------------------------------------------------ final regions

    @staticmethod
    def count(records: list) -> int:
        return sum(chunk[0].shape[0] for chunk in records)

    @staticmethod
    def margins(records: list) -> np.ndarray:
        """The margins of the final regions (scaled coordinates, uncapped)."""
        return np.concatenate([chunk[2] for chunk in records] or [np.zeros(0)])

    @staticmethod
    def head(records: list, count: int) -> list:
        """The first ``count`` regions of a list of chunks."""
        kept = []
        for chunk in records:
            n = min(count, chunk[0].shape[0])
            if n == 0:
                break
            offsets = chunk[3][:n + 1]
            kept.append((chunk[0][:n], chunk[1][:n], chunk[2][:n], offsets,
                         chunk[4][:offsets[-1]]))
            count -= n
        return kept

    def collect(self, records: list, network: Network, domain: Domain, scale: float) -> dict:
        """Partition fields of the final regions, in domain coordinates."""
        offsets, shift = [np.zeros(1, np.int64)], 0
        for chunk in records:
            offsets.append(chunk[3][1:] + shift)
            shift += chunk[3][-1]
        if records:
            patterns = np.concatenate([c[0] for c in records])
            witnesses = np.concatenate([c[1] for c in records]) @ self.basis.T
            margins = np.concatenate([c[2] for c in records])
            labels = np.concatenate([c[4] for c in records])
        else:
            patterns = np.zeros((0, network.pattern_length), np.int8)
            witnesses, margins = np.zeros((0, domain.dim)), np.zeros(0)
            labels = np.zeros(0, np.int64)
        # (a margin is a radius that fits, capped as the split engine's Chebyshev balls are)
        margins = np.minimum(margins, RADIUS_CAP)
        return dict(patterns=patterns, witnesses=witnesses * scale, margins=margins * scale,
                    rows=PatternRows(network, domain, patterns, np.concatenate(offsets), labels),
                    maps=PatternMaps(network, domain, patterns))

"""The vertex engine: cells that carry their vertices, split without LPs (bounded domains).

Same algorithm and the same answer as :mod:`regions.enumeration` (cells split
layer by layer, depth-first, pieces kept when their inscribed radius exceeds
``min_radius``), but every cell carries its vertices, so a hyperplane that
misses a cell is recognised by the signs of its values at the vertices, and a
cut computes the new vertices on the crossing edges: no LP, except for pieces
whose radius is within a small factor of the tolerance. The core is
:class:`regions._vertex.VertexEngine` (Cython, its own depth-first stack in a
byte arena); :class:`VertexEngine` here gives it the engine interface of
:mod:`regions.engines.driver` and builds the domain's first cell. Final
regions come out as struct-of-arrays chunks: no Python object per region
until one is asked for.

It needs a bounded domain (a box, a bounded polytope, a plane or line
clipped to bounds, a segment); the number of vertices of a cell grows quickly
with the dimension, so ``method="auto"`` uses it up to :data:`MAX_AUTO_DIM`.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.spatial import HalfspaceIntersection

from .._vertex import ACTIVATION_CODES, VertexEngine as VertexCore
from ..domain import Domain, is_box
from ..errors import DomainError
from ..lp import LPSolver
from ..network import Network
from ..partition import PatternMaps, PatternRows
from ..tolerances import NEAR_DEGENERATE_FACTOR, ON_PLANE, ZERO_NORM
from .split import root_ball

#: ``method="auto"`` uses the vertex path on bounded domains up to this dimension.
MAX_AUTO_DIM = 4


def domain_cell(domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ``(nv, dim)`` of a bounded domain and their incidence ``(nv, m)`` (bool).

    ``incidence[v, i]`` says that vertex ``v`` lies on row ``i`` of ``A z <= c``
    (within ``ON_PLANE``). Box-shaped domains get their exact corners; other
    polytopes go through ``scipy.spatial.HalfspaceIntersection``.
    """
    if not domain.is_bounded:
        raise DomainError("the vertex method needs a bounded domain (use method='split')")
    A, c, dim = domain.A, domain.c, domain.dim
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
    """The domain as the first cell, in the argument order of ``VertexEngine.push``."""
    V, incidence = domain_cell(domain)
    m = domain.A.shape[0]
    return (0, V, pack_incidence(incidence), np.hstack([domain.A, domain.c[:, None]]),
            -1 - np.arange(m, dtype=np.int64),
            np.hstack([domain.basis, domain.origin[:, None]]), np.zeros(0, np.int8))


class VertexEngine:
    """The engine interface of :mod:`regions.engines.driver` around the Cython core.

    A cell is the tuple :meth:`regions._vertex.VertexEngine.pop` returns
    (``layer, V, inc, rows, labels, input_map, pattern, premapped,
    map_norm_max``); a record of final regions is one chunk of arrays
    ``(patterns, witnesses, margins, facet_offsets, facet_labels)``.
    """

    name = "vertex"
    #: Cells processed between two returns to the driver (budgets, progress, Ctrl-C).
    chunk = 512

    def __init__(self, network: Network, domain: Domain, min_radius: float,
                 solver: LPSolver | None = None):
        self.domain, self.min_radius = domain, min_radius
        self.solver = solver or LPSolver()
        self.lps_before, self.lp_seconds_before = 0, 0.0
        layers = [(layer.weight, layer.bias, ACTIVATION_CODES[layer.activation], layer.slope)
                  for layer in network.layers]
        solver_ = self.solver

        def chebyshev(A, c):
            ball = solver_.chebyshev(A, c)
            return ball.center, ball.radius

        self.core = VertexCore(layers, domain.dim, network.label_offsets(), min_radius,
                               min_radius / NEAR_DEGENERATE_FACTOR,
                               NEAR_DEGENERATE_FACTOR * min_radius, ON_PLANE, ZERO_NORM,
                               chebyshev)

    def root(self) -> tuple:
        """The domain as the first cell (DomainError when it is unbounded or too thin)."""
        root_ball(self.solver, self.domain, self.min_radius)
        return root_cell(self.domain)

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

    def restore_counters(self, counters: dict) -> None:
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

    @staticmethod
    def collect(records: list, network: Network, domain: Domain, scale: float) -> dict:
        """Partition fields of the final regions, in domain coordinates."""
        offsets, shift = [np.zeros(1, np.int64)], 0
        for chunk in records:
            offsets.append(chunk[3][1:] + shift)
            shift += chunk[3][-1]
        if records:
            patterns = np.concatenate([c[0] for c in records])
            witnesses = np.concatenate([c[1] for c in records])
            margins = np.concatenate([c[2] for c in records])
            labels = np.concatenate([c[4] for c in records])
        else:
            patterns = np.zeros((0, network.pattern_length), np.int8)
            witnesses, margins = np.zeros((0, domain.dim)), np.zeros(0)
            labels = np.zeros(0, np.int64)
        return dict(patterns=patterns, witnesses=witnesses * scale, margins=margins * scale,
                    _rows=PatternRows(network, domain, patterns, np.concatenate(offsets), labels),
                    _maps=PatternMaps(network, domain, patterns))

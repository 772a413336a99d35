"""Enumeration by vertex-based splitting: the LP-free path for bounded domains.

Same algorithm and the same answer as :mod:`regions.enumeration` (cells split
layer by layer, depth-first, pieces kept when their inscribed radius exceeds
``min_radius``), but every cell carries its vertices, so a hyperplane that
misses a cell is recognised by the signs of its values at the vertices, and a
cut computes the new vertices on the crossing edges: no LP, except for pieces
whose radius is within a small factor of the tolerance. The core is
:class:`regions._vertex.VertexEngine` (Cython); this module builds the
domain's first cell, drives the engine under the budgets, and assembles the
:class:`~regions.partition.Partition` (struct of arrays: no Python object per
region until one is asked for).

It needs a bounded domain (a box, a bounded polytope, a plane or line
clipped to bounds, a segment); the number of vertices of a cell grows quickly
with the dimension, so ``method="auto"`` uses it up to :data:`MAX_AUTO_DIM`.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
from scipy.spatial import HalfspaceIntersection

from ._vertex import ACTIVATION_CODES, VertexEngine
from .domain import Domain
from .errors import DomainError
from .lp import LPSolver
from .network import Network
from .tolerances import NEAR_DEGENERATE_FACTOR, ON_PLANE, ZERO_NORM

#: ``method="auto"`` uses the vertex path on bounded domains up to this dimension.
MAX_AUTO_DIM = 4
#: Cells processed between two returns to Python (budgets, progress, Ctrl-C).
CHUNK = 512


def domain_cell(domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ``(nv, dim)`` of a bounded domain and their incidence ``(nv, m)`` (bool).

    ``incidence[v, i]`` says that vertex ``v`` lies on row ``i`` of ``A z <= c``
    (within ``ON_PLANE``). Box-shaped domains get their exact corners; other
    polytopes go through ``scipy.spatial.HalfspaceIntersection``.
    """
    if not domain.is_bounded:
        raise DomainError("the vertex method needs a bounded domain (use method='split')")
    A, c, dim = domain.A, domain.c, domain.dim
    if dim == 1 or _is_box(domain):
        V = np.array(list(itertools.product(*zip(domain.lower, domain.upper))), dtype=np.float64)
    else:
        V = _polytope_vertices(A, c)
    incidence = np.abs(V @ A.T - c) <= ON_PLANE * (1.0 + np.abs(c))
    return V, incidence


def _is_box(domain: Domain) -> bool:
    """Whether ``A z <= c`` is exactly the bounding box (every row a signed unit axis)."""
    A, c = domain.A, domain.c
    axis = np.abs(A).argmax(axis=1)
    unit = np.isclose(np.abs(A).max(axis=1), 1.0, rtol=0, atol=1e-15) & (
        np.count_nonzero(A, axis=1) == 1)
    if not np.all(unit):
        return False
    sign = A[np.arange(len(c)), axis]
    bound = np.where(sign > 0, domain.upper[axis], -domain.lower[axis])
    return bool(np.all(c == bound))


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


def make_engine(network: Network, min_radius: float, solver: LPSolver, dim: int) -> VertexEngine:
    """A :class:`VertexEngine` for ``network`` in working dimension ``dim``."""
    layers = [(layer.weight, layer.bias, ACTIVATION_CODES[layer.activation], layer.slope)
              for layer in network.layers]
    label_offsets = np.cumsum(
        [0] + [layer.width * len(layer.breakpoints) for layer in network.layers])

    def chebyshev(A, c):
        ball = solver.chebyshev(A, c)
        return ball.center, ball.radius

    return VertexEngine(layers, dim, label_offsets, min_radius,
                        min_radius / NEAR_DEGENERATE_FACTOR, NEAR_DEGENERATE_FACTOR * min_radius,
                        ON_PLANE, ZERO_NORM, chebyshev)


def root_cell(domain: Domain) -> tuple:
    """The domain as the first cell, in the argument order of ``VertexEngine.push``."""
    V, incidence = domain_cell(domain)
    m = domain.A.shape[0]
    return (0, V, pack_incidence(incidence), np.hstack([domain.A, domain.c[:, None]]),
            -1 - np.arange(m, dtype=np.int64),
            np.hstack([domain.basis, domain.origin[:, None]]), np.zeros(0, np.int8))


class Results:
    """Finished regions collected from engines, chunk by chunk, in order."""

    def __init__(self):
        self.chunks = []

    def add(self, engine: VertexEngine) -> None:
        self.chunks.append(engine.take_results())

    def extend(self, chunks) -> None:
        self.chunks.extend(chunks)

    def head(self, count: int) -> "Results":
        """The first ``count`` regions."""
        kept, left = Results(), count
        for chunk in self.chunks:
            n = min(left, chunk[0].shape[0])
            offsets = chunk[3][:n + 1]
            kept.chunks.append((chunk[0][:n], chunk[1][:n], chunk[2][:n], offsets,
                                chunk[4][:offsets[-1]]))
            left -= n
        return kept

    def arrays(self, pattern_length: int, dim: int):
        """``patterns, witnesses, margins, facet_offsets, facet_labels`` concatenated."""
        chunks = [c for c in self.chunks if c[0].shape[0]]
        if not chunks:
            return (np.zeros((0, pattern_length), np.int8), np.zeros((0, dim)), np.zeros(0),
                    np.zeros(1, np.int64), np.zeros(0, np.int64))
        offsets, shift = [np.zeros(1, np.int64)], 0
        for chunk in chunks:
            offsets.append(chunk[3][1:] + shift)
            shift += chunk[3][-1]
        return (np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks]),
                np.concatenate([c[2] for c in chunks]), np.concatenate(offsets),
                np.concatenate([c[4] for c in chunks]))


def drive(engine: VertexEngine, results: Results, stop, progress, seconds_before: float,
          max_regions: int | None):
    """Run ``engine`` until its stack is empty or ``stop(found, seconds)`` names a reason;
    returns ``(reason or None, seconds)``."""
    started = last_report = time.perf_counter()
    limit = max_regions if max_regions is not None else np.iinfo(np.int64).max
    reason = None
    while engine.pending:
        now = time.perf_counter()
        seconds = seconds_before + now - started
        if progress is not None and now - last_report > 0.5:
            last_report = now
            progress(engine.n_regions, engine.top_layer, engine.pending, seconds)
        reason = stop(engine.n_regions, seconds)
        if reason:
            break
        engine.run(CHUNK, limit)
        results.add(engine)
    results.add(engine)
    return reason, seconds_before + time.perf_counter() - started

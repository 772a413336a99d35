"""A second enumeration algorithm: a breadth-first walk over the region adjacency graph.

Start from the region of one point. A region's H-representation follows from
its activation pattern alone (:func:`regions.polyhedra.pattern_constraints`:
with every state fixed, every pre-activation is one affine function of the
working coordinates). Its facets (:mod:`regions.facets`) are found by LP;
just beyond each interior facet's witness point the enumeration's pattern
rule (:func:`regions.polyhedra.patterns_at`) gives the neighbour's pattern,
which joins the queue if unseen. Every full-dimensional region of a convex
domain is reached, because the facet-adjacency graph of the partition is
connected.

The walk is independent of the layer-by-layer split of the other engines
(it never splits a cell), which is what makes the two a useful cross-check.
It costs more LPs per region (an inscribed ball, redundancy removal over the
candidate rows, one LP per facet), so it is the slower of the two on full
enumerations; see ``docs/graph.md``. It runs under the driver like every
engine (budgets, progress, Ctrl-C, checkpoints: its queue is the stack, and
its "seen" set is rebuilt from the queue and the regions found); its
breadth-first queue shares that set, so it runs on no executor.

A cell is the tuple ``(pattern,)`` of a region waiting in the queue; a final
region is the record of the split engine, ``(pattern, witness, margin, A, b,
labels, C, d)``, so both share :meth:`SplitEngine.collect`.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..domain import Domain, resolve
from ..errors import DomainError, RegionsError
from ..facets import probe, region_facets
from ..lp import LPSolver
from ..network import Network
from ..partition import Partition
from ..polyhedra import minimal_representation, pattern_constraints, patterns_at
from ..tolerances import MIN_RADIUS, RADIUS_CAP
from .driver import build_partition, drive, prepare
from .split import SplitEngine


class WalkEngine:
    """The breadth-first walk (see the module docstring); ``domain`` is the scaled one.

    ``start`` (working coordinates of the scaled domain, optional) is the point
    whose region the walk starts from.
    """

    name = "walk"
    chunk = 1

    def __init__(self, network: Network, domain: Domain, min_radius: float,
                 solver: LPSolver | None = None, start=None):
        self.network, self.domain, self.min_radius = network, domain, min_radius
        self.solver = solver or LPSolver()
        self.start = start
        self.queue: deque = deque()
        self.seen: set = set()
        self.found: list = []
        self.n_regions = 0
        self.prefixes = [set() for _ in network.layers]
        self.lps_before, self.lp_seconds_before = 0, 0.0

    def roots(self) -> list[tuple]:
        """The start region's pattern (of a nearby point when the start lies on a breakpoint)."""
        root = self.solver.chebyshev(self.domain.A, self.domain.b, cap=RADIUS_CAP)
        if root.radius <= self.min_radius:
            raise DomainError(f"the {self.domain.kind} domain has no interior ball of relative "
                              f"radius {self.min_radius}")
        return [(self._start_pattern(root),)]

    @property
    def pending(self) -> int:
        return len(self.queue)

    @property
    def top_layer(self) -> int:
        return len(self.network.layers) if self.queue else -1

    def push(self, cell: tuple) -> None:
        key = np.asarray(cell[0], dtype=np.int8).tobytes()
        self.seen.add(key)
        self.queue.append(key)

    def pop(self) -> tuple:
        return (np.frombuffer(self.queue.pop(), dtype=np.int8).copy(),)

    def take_results(self) -> list:
        found, self.found = self.found, []
        return found

    def counters(self) -> dict:
        return {"regions": self.n_regions, "per_layer": [len(p) for p in self.prefixes],
                "slivers": 0, "lps": self.lps_before + self.solver.count,
                "lp_seconds": self.lp_seconds_before + self.solver.seconds}

    def restore(self, counters: dict, records: list) -> None:
        """Continue a checkpointed walk: the regions found are seen (with the queue, which
        the driver pushed back), and their prefixes give the per-layer counts. Patterns
        that were visited and found empty are not saved: a neighbour met after the resume
        may queue one again, at the cost of its LPs."""
        self.n_regions = int(counters["regions"])
        self.lps_before = int(counters["lps"]) - self.solver.count
        self.lp_seconds_before = float(counters["lp_seconds"]) - self.solver.seconds
        for record in records:
            pattern = np.asarray(record[0], dtype=np.int8)
            self.seen.add(pattern.tobytes())
            end = 0
            for prefixes, layer in zip(self.prefixes, self.network.layers):
                end += layer.num_states
                prefixes.add(pattern[:end].tobytes())

    def run(self, max_cells: int, max_regions: int) -> int:
        processed = 0
        while processed < max_cells and self.queue and self.n_regions < max_regions:
            self.visit(np.frombuffer(self.queue.popleft(), dtype=np.int8))
            processed += 1
        return processed

    def visit(self, pattern: np.ndarray) -> None:
        """Record the region of ``pattern`` (if full-dimensional) and queue its unseen
        neighbours."""
        network, domain, solver = self.network, self.domain, self.solver
        system = pattern_constraints(network, domain, pattern)
        if not system.feasible:
            return
        ball = solver.chebyshev(system.A, system.b, cap=RADIUS_CAP)
        if ball.radius <= self.min_radius:
            return
        A, b, labels = minimal_representation(system, domain, solver)
        facets = region_facets(A, b, labels, domain, solver)
        for look in probe(network, domain, pattern, facets):
            if look.pattern is not None and look.pattern.tobytes() not in self.seen:
                self.push((look.pattern,))
        self.found.append((pattern.copy(), ball.center, float(ball.radius), A, b, labels,
                           system.C, system.d))
        self.n_regions += 1
        end = 0
        for prefixes, layer in zip(self.prefixes, network.layers):
            end += layer.num_states
            prefixes.add(pattern[:end].tobytes())

    def _start_pattern(self, root) -> np.ndarray:
        network, domain = self.network, self.domain
        if self.start is None:
            point = root.center
        else:
            point = np.asarray(self.start, dtype=np.float64)
            if point.shape != (domain.dim,):
                raise DomainError(f"start must have shape ({domain.dim},), got {point.shape}")
            if not domain.contains(point)[0]:
                raise DomainError("the start point lies outside the domain")
        rng = np.random.default_rng(0)
        candidates = [point]
        for size in (1e-6, 1e-4, 1e-2):
            for _ in range(4):
                direction = rng.normal(size=domain.dim)
                step = size * min(root.radius, 1.0) * direction / np.linalg.norm(direction)
                candidates.append(point + step)
        for candidate in candidates:
            if not domain.contains(candidate)[0]:
                continue
            pattern = patterns_at(network, domain, candidate)
            system = pattern_constraints(network, domain, pattern)
            if system.feasible and self.solver.chebyshev(
                    system.A, system.b, cap=RADIUS_CAP).radius > self.min_radius:
                return pattern
        raise RegionsError("no full-dimensional region found around the start point")

    # ------------------------------------------------------------------ final regions

    count = staticmethod(SplitEngine.count)
    head = staticmethod(SplitEngine.head)
    margins = staticmethod(SplitEngine.margins)

    @staticmethod
    def collect(records: list, network: Network, domain: Domain, scale: float) -> dict:
        """Partition fields of the final regions, sorted by pattern (lexicographically), so
        the order does not depend on the start point."""
        records = sorted(records, key=lambda record: record[0].tolist())
        return SplitEngine.collect(records, network, domain, scale)


def enumerate_walk(network: Network, domain=None, *, start=None, min_radius: float = MIN_RADIUS,
                   progress=None, max_regions: int | None = None,
                   time_limit: float | None = None,
                   memory_limit: float | None = None) -> Partition:
    """Enumerate every full-dimensional region by a breadth-first walk across facets.

    Parameters
    ----------
    network : Network
    domain : Domain, optional
        Default: all of R^n. Must be convex (every domain of :mod:`regions.domain` is).
    start : array_like, shape (dim,), optional
        A point of the domain in working coordinates; the walk starts from its
        region. Default: the center of the domain's largest inscribed ball.
        When the point's own region is thinner than the tolerance (the point
        lies on a breakpoint hyperplane), nearby points are tried instead.
    min_radius : float
        Same meaning as in :func:`regions.enumerate_regions`: a region counts when its
        inscribed radius exceeds ``min_radius`` times the tolerance scale.
    progress, max_regions, time_limit, memory_limit
        As for :func:`regions.enumerate_regions` (the driver's budgets and reports).

    Returns
    -------
    Partition
        Regions sorted by pattern (lexicographically), so the order does not
        depend on the start point. The same set of patterns as
        :func:`regions.enumerate_regions` (up to regions within the tolerance).

    Examples
    --------
    Three lines in general position: 7 regions (Zaslavsky), whatever the start:

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
    ...                                     [0.0, 0.0, -1.0]), ([[1.0, 1.0, 1.0]], [0.0])])
    >>> len(enumerate_walk(net)), len(enumerate_walk(net, start=[5.0, 5.0]))
    (7, 7)
    """
    domain = resolve(domain, network)
    min_radius, scale, scaled = prepare(domain, min_radius)
    if start is not None:
        start = np.asarray(start, dtype=np.float64) / scale
    engine = WalkEngine(network, scaled, min_radius, LPSolver(), start)
    for cell in reversed(engine.roots()):
        engine.push(cell)
    records: list = []
    reason, seconds = drive(engine, records, max_regions=max_regions, time_limit=time_limit,
                            memory_limit=memory_limit, progress=progress)
    return build_partition(engine, network, domain, scale, min_radius, records,
                           engine.counters(), reason, engine.pending, seconds)

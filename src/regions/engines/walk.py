"""A second enumeration algorithm: a breadth-first walk over the region adjacency graph.

Start from the region of one point. A region's H-representation follows from
its activation pattern alone (``regions.polyhedra.pattern_constraints``:
with every state fixed, every pre-activation is one affine function of the
working coordinates). Its facets are found exactly (``regions.facets``), and
across each interior facet the neighbour's pattern is computed exactly
(``regions.facets.neighbour_pattern``); it joins the queue if unseen. Every
full-dimensional region of a convex domain is reached, because the
facet-adjacency graph of the partition is connected.

The walk is independent of the layer-by-layer split of the other engines
(it never splits a cell), which is what makes the two a useful cross-check.
It costs more LPs per region (an inscribed ball, one LP per facet candidate), so
it is the slowest of the three on full enumerations; see ``docs/graph.md``. It
runs under the driver like every engine (budgets, progress, Ctrl-C,
checkpoints: its queue is the stack, and its "seen" set is rebuilt from the
queue and the regions found); its breadth-first queue shares that set, so it
runs on no executor.

Cells are ``regions.engines.base.WalkCell`` (a pattern waiting in the
queue); final regions are ``regions.engines.base.SplitRegion`` records
holding the region's facet rows.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..domain import Domain
from ..errors import DomainError, RegionsError
from ..facets import neighbour_patterns, region_facets
from ..lp import LPSolver
from ..network import Network
from ..polyhedra import pattern_constraints, patterns_at
from ..predicates import Decisions
from ..rational import fraction, pattern_along
from ..rounding import strict_slack
from ..tolerances import RADIUS_CAP
from .base import Counters, RegionArrays, Settings, SplitRegion, WalkCell
from .split import NO_RATIONAL, SplitEngine, root_ball, witness_record

__all__ = ["WalkEngine"]


class WalkEngine:
    """The breadth-first walk (see the module docstring); ``settings.start`` (working
    coordinates) is the point whose region the walk starts from."""

    name = "walk"
    chunk = 1
    cell_type = WalkCell
    record_type = SplitRegion

    def __init__(self, network: Network, domain: Domain, settings: Settings = Settings()):
        self.network, self.domain, self.settings = network, domain, settings
        self.decisions = Decisions(network, domain, settings.exact)
        self.solver = LPSolver()
        self.queue: deque = deque()
        self.seen: set = set()
        self.found: list = []
        self.n_regions = 0
        self.prefixes = [set() for _ in network.layers]
        self.before = Counters(per_layer=[0] * len(network.layers))

    def roots(self, check=None) -> list[WalkCell]:
        """The start point's region (that of a point beside it when it lies on a
        breakpoint, found exactly; a few LPs: nothing to ``check``)."""
        point = self.settings.start
        if point is None:
            point = root_ball(self.solver, self.domain).center
        if not self.domain.contains(point)[0]:
            raise DomainError("the start point lies outside the domain")
        return [WalkCell(self._start_pattern(np.asarray(point, dtype=np.float64)))]

    @property
    def pending(self) -> int:
        return len(self.queue)

    @property
    def top_layer(self) -> int:
        return len(self.network.layers) if self.queue else -1

    def layer_counts(self) -> None:
        """None: the walk visits regions breadth-first, not a tree of layers."""
        return None

    def push(self, cell) -> None:
        key = np.asarray(cell[0], dtype=np.int8).tobytes()
        self.seen.add(key)
        self.queue.append(key)

    def pop(self) -> WalkCell:
        return WalkCell(np.frombuffer(self.queue.pop(), dtype=np.int8).copy())

    def take_results(self) -> list:
        found, self.found = self.found, []
        return found

    def counters(self) -> Counters:
        return Counters(self.n_regions, [len(p) for p in self.prefixes],
                        self.before.lps + self.solver.count,
                        self.before.lp_seconds + self.solver.seconds,
                        self.before.exact_decisions + self.decisions.exact_decisions,
                        self.before.uncertain_decisions + self.decisions.uncertain_decisions)

    def stop_exact(self) -> None:
        self.decisions.exact = False

    def restore(self, counters: Counters, records: list) -> None:
        """Continue a checkpointed walk: the regions found are seen (with the queue, which
        the driver pushed back), and their prefixes give the per-layer counts. Patterns
        that were visited and found empty are not saved: a neighbour met after the resume
        may queue one again, at the cost of its LPs."""
        self.n_regions = counters.regions
        self.before = Counters(0, [], counters.lps, counters.lp_seconds,
                               counters.exact_decisions, counters.uncertain_decisions)
        for record in records:
            self.seen.add(np.asarray(record.pattern, dtype=np.int8).tobytes())
            self._count_prefixes(np.asarray(record.pattern, dtype=np.int8))

    def run(self, max_cells: int, max_regions: int) -> int:
        processed = 0
        while processed < max_cells and self.queue and self.n_regions < max_regions:
            self.visit(np.frombuffer(self.queue.popleft(), dtype=np.int8))
            processed += 1
        return processed

    def visit(self, pattern: np.ndarray) -> None:
        """Record the region of ``pattern`` (if it has interior) and queue its unseen
        neighbours."""
        found = self._region(pattern)
        if found is None:
            return
        system, witness, margin, rational = found
        facets = region_facets(system, pattern, self.decisions, self.solver)
        for neighbour in neighbour_patterns(self.network, self.domain, pattern,
                                            [facet for facet in facets if not facet.boundary],
                                            self.decisions, system):
            if neighbour.tobytes() not in self.seen:
                self.push((neighbour,))
        rows = np.isin(system.labels, [facet.label for facet in facets])
        self.found.append(SplitRegion(pattern.copy(), witness, margin, system.A[rows],
                                      system.b[rows], system.labels[rows], rational))
        self.n_regions += 1
        self._count_prefixes(pattern)

    def _region(self, pattern: np.ndarray):
        """``(system, witness, margin, rational witness)`` of ``pattern``'s region, or None
        when it has no interior (decided exactly)."""
        system = pattern_constraints(self.network, self.domain, pattern, self.decisions)
        if not system.feasible:
            return None
        ball = self.solver.proposal(system.A, system.b, cap=RADIUS_CAP)
        if ball.radius > 0.0 and strict_slack(system.A, system.b, system.errors, ball.center):
            return system, ball.center, float(ball.radius), NO_RATIONAL
        if not self.decisions.settle():
            return ((system, ball.center, float(ball.radius), NO_RATIONAL) if ball.radius > 0.0
                    else None)
        point = self.decisions.interior_point(pattern, system.labels, system.sides,
                                              start=ball.center)
        if point is None:
            return None
        witness, rational = witness_record(point, ball.center)
        return system, witness, float(ball.radius) if ball.radius > 0.0 else 0.0, rational

    def _count_prefixes(self, pattern: np.ndarray) -> None:
        end = 0
        for prefixes, layer in zip(self.prefixes, self.network.layers):
            end += layer.num_states
            prefixes.add(pattern[:end].tobytes())

    def _start_pattern(self, point: np.ndarray) -> np.ndarray:
        """The pattern of ``point``'s region: its own, or the pattern just beside it in a
        random direction (exactly) when the point lies on a breakpoint."""
        pattern = patterns_at(self.network, self.domain, point, self.decisions)
        if self._region(pattern) is not None:
            return pattern
        rng = np.random.default_rng(0)
        exact_point = [fraction(v) for v in point]
        for _ in range(16):
            direction = [fraction(v) for v in rng.normal(size=point.size)]
            pattern = pattern_along(self.decisions.maps, exact_point, direction)
            if self._region(pattern) is not None:
                return pattern
        raise RegionsError("no full-dimensional region found around the start point")

    # ------------------------------------------------------------------ final regions

    count = staticmethod(SplitEngine.count)
    margins = staticmethod(SplitEngine.margins)

    def collect(self, records: list) -> RegionArrays:
        """The final regions sorted by pattern (lexicographically), so the order does not
        depend on the start point."""
        records = sorted(records, key=lambda record: record.pattern.tolist())
        return SplitEngine.collect(self, records)

"""Completeness certificate of a partition: evidence, checked exactly, that no region is missing.

:func:`regions.certify` runs these checks and lists every violation with the regions involved.
Every geometric decision is exact (``regions.predicates``), so a clean certificate is
a proof, not an estimate:

1. *Witnesses.* Each region's witness (the rational one for a region too thin for
   float64) has the region's pattern and lies strictly inside it: every
   pre-activation that is not exactly constant on the region is strictly off its
   breakpoints there, and the witness is strictly inside the domain (``witness``).
   No two regions share a pattern (``duplicate_pattern``).
2. *Facets.* The facets of each region are computed from its pattern's full system of
   constraints (every neuron, not the rows the enumeration kept), exactly
   (``regions.facets.region_facets``); each must be among the region's kept rows
   (``row``), and a domain face may not lie inside the domain (``row``).
3. *Crossings.* Across every interior facet, the exact pattern of the region on the
   other side (``regions.facets.neighbour_pattern``) must be a listed region
   (``uncovered``: its pattern is named); it differs from the region in the facet's
   neuron and otherwise only in neurons vanishing at the facet's witness
   (``unexpected_flip``); and one of its own facets leads back (``asymmetric``).

What a clean certificate proves: every listed region is a distinct full-dimensional
linear region (check 1), and the listed regions are closed under crossing any facet
(checks 2-3). The facet-adjacency graph of the partition of a convex domain is
connected, so every region is listed: the count is exact. See ``docs/graph.md``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..facets import neighbour_patterns, region_facets
from ..io.partitions import pattern_string
from ..lp import LPSolver
from ..polyhedra import pattern_constraints, patterns_at
from ..rational import fraction, pattern_along
from ..rounding import overflow_expected, strict_slack
from .crossings import decisions_of, vanishing_neurons

__all__ = ["Violation", "Certificate", "certify"]


@dataclass(frozen=True)
class Violation:
    """One failed check of :func:`regions.certify`: ``kind`` (the checks are listed in
    :mod:`regions.analysis.certify`), the regions involved, a message.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> partial = regions.enumerate_regions(net, regions.box(-1, 1), max_regions=2)
    >>> regions.certify(partial).violations[0].kind
    'incomplete'
    """

    kind: str
    regions: tuple
    message: str


@dataclass
class Certificate:
    """Outcome of :func:`regions.certify`.

    Attributes
    ----------
    ok : bool
        No violation.
    regions : int
    facets : int
        Facets examined (``interior_facets + boundary_facets``).
    interior_facets, boundary_facets : int
    edges : int
        Pairs of regions found adjacent across a facet.
    degenerate_facets : int
        Interior facets across which several neurons change state.
    exact_decisions : int
        Decisions the certificate settled in rational arithmetic.
    violations : list of Violation
    lps : int
        Float64 LPs solved by the certificate (each one's answer checked exactly).
    seconds : float

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> certificate = regions.certify(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> certificate.ok, certificate.regions, certificate.violations
    (True, 4, [])
    """

    ok: bool
    regions: int
    facets: int
    interior_facets: int
    boundary_facets: int
    edges: int
    degenerate_facets: int
    exact_decisions: int = 0
    violations: list = field(default_factory=list)
    lps: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        """JSON-ready counts, ``ok``, and violations as ``{"kind", "regions", "message"}``."""
        data = {name: getattr(self, name) for name in (
            "ok", "regions", "facets", "interior_facets", "boundary_facets", "edges",
            "degenerate_facets", "exact_decisions", "lps", "seconds")}
        data["violations"] = [{"kind": v.kind, "regions": list(v.regions), "message": v.message}
                              for v in self.violations]
        return data

    def report(self, limit: int = 20) -> str:
        """Human-readable text: a verdict line, the counts, and up to ``limit`` violations."""
        verdict = "CLEAN" if self.ok else f"FAILED ({len(self.violations)} violations)"
        lines = [f"certificate: {verdict}",
                 f"  {self.regions} regions, {self.facets} facets ({self.interior_facets} "
                 f"interior, {self.boundary_facets} on the domain boundary), {self.edges} "
                 f"adjacent pairs",
                 f"  {self.degenerate_facets} degenerate facets, {self.exact_decisions} exact "
                 f"decisions, {self.lps} LPs, {self.seconds:.2f} s"]
        for v in self.violations[:limit]:
            lines.append(f"  [{v.kind}] regions {', '.join(map(str, v.regions))}: {v.message}")
        if len(self.violations) > limit:
            lines.append(f"  ... and {len(self.violations) - limit} more")
        return "\n".join(lines)


class _Checker:
    def __init__(self, part, solver: LPSolver):
        self.part = part
        self.net, self.domain = part.network, part.domain
        self.solver = solver
        self.decisions = decisions_of(part)
        self.violations: list[Violation] = []
        self._systems = {}

    def add(self, kind: str, regions, message: str) -> None:
        self.violations.append(Violation(kind, tuple(int(r) for r in regions), message))

    def system(self, i: int):
        if i not in self._systems:
            self._systems[i] = pattern_constraints(self.net, self.domain, self.part.patterns[i],
                                                   self.decisions)
        return self._systems[i]

    def text(self, pattern) -> str:
        return pattern_string(self.net, pattern)

    def where(self, label) -> str:
        """``layer 1 neuron 3 (breakpoint 1)``, ``layer 0 unit 2 (pair 0,3)`` or ``domain
        face 2``."""
        where = self.part.describe_label(label)
        if "domain_face" in where:
            return f"domain face {where['domain_face']}"
        if "unit" in where:
            return f"layer {where['layer']} unit {where['unit']} (pair {where['pair'][0]}," \
                   f"{where['pair'][1]})"
        return (f"layer {where['layer']} neuron {where['neuron']} "
                f"(breakpoint {where['breakpoint']:g})")

    # ------------------------------------------------------------------ check 1

    def witnesses(self) -> None:
        part = self.part
        seen = {}
        for i, row in enumerate(part.patterns):
            j = seen.setdefault(row.tobytes(), i)
            if j != i:
                self.add("duplicate_pattern", (j, i), f"both have pattern {self.text(row)}")
        for i in range(len(part)):
            if not self.strictly_inside(i):
                self.add("witness", (i,), "the witness is not strictly inside its region "
                                          f"(pattern {self.text(part.patterns[i])})")

    def strictly_inside(self, i: int) -> bool:
        """Whether region ``i``'s witness has its pattern and is strictly inside, exactly:
        certified in float64 when it can be, decided in rationals otherwise."""
        part, system = self.part, self.system(i)
        if not system.feasible:
            return False
        rational = part.rational_witnesses.get(i)
        if rational is None:
            point = part.witnesses[i]
            if (strict_slack(system.A, system.b, system.errors, point)
                    and np.array_equal(patterns_at(self.net, self.domain, point, self.decisions),
                                       part.patterns[i])):
                return True
        else:
            point = rational
        self.decisions.exact_decisions += 1
        exact = [fraction(v) for v in point]
        at = pattern_along(self.decisions.maps, exact, [fraction(0)] * len(exact))
        if not np.array_equal(at, part.patterns[i]):
            return False
        return all(self.decisions.side_at_point(part.patterns[i], int(label), exact)
                   == (-1 if label < 0 else int(side))
                   for label, side in zip(system.labels, system.sides))

    # ------------------------------------------------------------------ checks 2-3

    def facets(self):
        part, net = self.part, self.net
        neurons = net.hyperplane_neurons()
        index = {row.tobytes(): i for i, row in enumerate(part.patterns)}
        pairs = Counter()
        interior = boundary = degenerate = 0
        for i in range(len(part)):
            system = self.system(i)
            if not system.feasible:
                continue
            kept = set(int(label) for label in part.constraint_labels(i))
            facets = region_facets(system, part.patterns[i], self.decisions, self.solver)
            acrosses = iter(neighbour_patterns(
                net, self.domain, part.patterns[i],
                [facet for facet in facets if not facet.boundary], self.decisions, system))
            for facet in facets:
                where = self.where(facet.label)
                if not kept & set(facet.labels):
                    self.add("row", (i,), f"{where} is a facet but not among the region's rows")
                if facet.boundary:
                    boundary += 1
                    continue
                interior += 1
                across = next(acrosses)
                j = index.get(across.tobytes(), -1)
                if j < 0:
                    self.add("uncovered", (i,), f"no region across {where} at "
                                                f"{facet.witness.tolist()}: missing pattern "
                                                f"{self.text(across)}")
                    continue
                pairs[(i, j)] += 1
                changed = set(np.flatnonzero(part.patterns[i] != across).tolist())
                extra = changed - {int(neurons[facet.label])}
                if extra:
                    vanishing = set(vanishing_neurons(self.decisions, part.patterns[i],
                                                      facet.rational_witness).tolist())
                    if extra - vanishing:
                        self.add("unexpected_flip", (i, j), f"across {where}, neurons at "
                                 f"pattern positions {sorted(extra - vanishing)} change state "
                                 f"but do not vanish on the facet")
                    else:
                        degenerate += 1
        for (i, j) in pairs:
            if (j, i) not in pairs:
                self.add("asymmetric", (i, j), f"region {j} is across a facet of {i}, "
                                               f"but no facet of {j} leads back")
        edges = len({(min(i, j), max(i, j)) for i, j in pairs})
        return interior, boundary, edges, degenerate


@overflow_expected
def certify(part) -> Certificate:
    """Check ``part`` for completeness and consistency, exactly (see
    :mod:`regions.analysis.certify`).

    A bad partition never raises: every problem becomes a
    :class:`~regions.Violation`.

    Two crossing lines in a box: 4 regions, 8 interior facets (each of the 4
    edges seen from both sides), 8 facets on the box:

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> certificate = certify(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> certificate.ok, certificate.regions, certificate.interior_facets, certificate.edges
    (True, 4, 8, 4)
    >>> certificate.boundary_facets
    8
    """
    started = time.perf_counter()
    solver = LPSolver()
    checker = _Checker(part, solver)
    if not getattr(part, "complete", True):
        checker.add("incomplete", (), f"the enumeration stopped early "
                                      f"({getattr(part, 'stop_reason', None)})")
    checker.witnesses()
    interior, boundary, edges, degenerate = checker.facets()
    return Certificate(
        ok=not checker.violations, regions=len(part), facets=interior + boundary,
        interior_facets=interior, boundary_facets=boundary, edges=edges,
        degenerate_facets=degenerate, exact_decisions=checker.decisions.exact_decisions,
        violations=checker.violations, lps=solver.count, seconds=time.perf_counter() - started)

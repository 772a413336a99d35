"""Completeness certificate of a partition: checked evidence that no region is missing.

:func:`certify` runs these checks and lists every violation with the regions involved:

1. *Witnesses.* Each region's witness lies strictly inside its H-representation,
   the network's activation pattern there is the region's, and its margin is
   above the tolerance. No two regions share a pattern.
2. *Exact regions.* Under the region's pattern every pre-activation is affine
   (:func:`regions.polyhedra.pattern_constraints`). Each row of the region's
   H-representation must be the constraint its label names (``row``), and no
   point of the region may violate any other neuron's constraint (``unsound``),
   decided at the polygon's vertices in 2-D, the interval's ends in 1-D, and by
   bounding box and LP otherwise. Together: the region's polytope *is* the
   closure of the set of points with its pattern.
3. *No overlap.* Each region's witness lies outside every other region's
   constraints (checked exactly, by all of their rows).
4. *Facets.* For every facet not on the domain boundary, just beyond its
   witness point: the facet's neuron has changed state (``no_flip``); exactly
   one listed region's constraints contain that point (``uncovered`` /
   ``multiple``); its pattern is the network's there (``pattern_mismatch``);
   its closure contains the facet witness (``not_adjacent``); it differs from
   the region in the facet's neuron and otherwise only in neurons vanishing
   at the facet witness (``unexpected_flip``); and one of its own facets leads
   back (``asymmetric``).

An LP of the certificate that HiGHS cannot finish is reported as
``lp_failure`` (the region involved is then not vouched for), never raised.

A point beyond a facet (or inside a region) whose own pattern's region has an
inscribed radius within the tolerance is a *sliver* the enumeration
legitimately merged; slivers are counted, not reported.

What a clean certificate proves (exact arithmetic, LP answers taken as
exact): every listed region is a distinct full-dimensional linear region
whose polytope is exactly its closure (checks 1-2); the listed regions are
closed under crossing any facet (check 4). The facet-adjacency graph of the
partition of a convex domain is connected, and crossing a facet from its
witness reaches the one region on the other side, so every full-dimensional
region reachable from a listed one without passing through a sliver is
listed: the count is exact. It does not prove anything about regions whose
inscribed radius is within the tolerance (``min_radius``), about facets
thinner than ``FACET_MIN_RADIUS``, or against floating-point error beyond the
tolerances of :mod:`regions.tolerances`. See ``docs/graph.md``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .crossings import RowStore, vanishing_neurons
from ..facets import probe, region_facets
from ..complex.geometry import region_polygon
from ..lp import LPError, LPSolver
from ..io.partitions import pattern_string
from ..tolerances import COINCIDE_TOL, VERTEX_MERGE
from ..polyhedra import pattern_constraints, patterns_at


@dataclass(frozen=True)
class Violation:
    """One failed check: ``kind`` (see :mod:`regions.analysis.certify`), the regions involved, a message."""

    kind: str
    regions: tuple
    message: str


@dataclass
class Certificate:
    """Outcome of :func:`certify`.

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
    neuron_checks : int
        (region, breakpoint hyperplane) pairs checked for soundness.
    slivers : int
        Points found in sub-tolerance slivers (tolerated, see the module doc).
    degenerate_facets : int
        Interior facets across which several neurons change state.
    violations : list of Violation
    lps : int
        LPs solved by the certificate (not counting H-representation minimisation).
    seconds : float
    """

    ok: bool
    regions: int
    facets: int
    interior_facets: int
    boundary_facets: int
    edges: int
    neuron_checks: int
    slivers: int
    degenerate_facets: int
    violations: list = field(default_factory=list)
    lps: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        """JSON-ready counts, ``ok``, and violations as ``{"kind", "regions", "message"}``."""
        data = {name: getattr(self, name) for name in (
            "ok", "regions", "facets", "interior_facets", "boundary_facets", "edges",
            "neuron_checks", "slivers", "degenerate_facets", "lps", "seconds")}
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
                 f"  {self.neuron_checks} neuron constraints checked, {self.slivers} slivers "
                 f"tolerated, {self.degenerate_facets} degenerate facets, {self.lps} LPs, "
                 f"{self.seconds:.2f} s"]
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
        self.scale = part.scale
        self.tolerance = part.min_radius * self.scale
        self.violations: list[Violation] = []
        self.slivers = 0
        self.neuron_checks = 0
        self._systems = {}
        self._sliver_cache = {}

    def add(self, kind: str, regions, message: str) -> None:
        self.violations.append(Violation(kind, tuple(int(r) for r in regions), message))

    def system(self, i: int):
        if i not in self._systems:
            self._systems[i] = pattern_constraints(self.net, self.domain, self.part.patterns[i])
        return self._systems[i]

    def text(self, pattern) -> str:
        return pattern_string(self.net, pattern)

    def where(self, label) -> str:
        """``layer 1 neuron 3 (breakpoint 1)`` or ``domain face 2``."""
        where = self.part.describe_label(label)
        if "domain_face" in where:
            return f"domain face {where['domain_face']}"
        return (f"layer {where['layer']} neuron {where['neuron']} "
                f"(breakpoint {where['breakpoint']:g})")

    def is_sliver(self, pattern, region: int) -> bool:
        """Whether the region of ``pattern`` has no inscribed ball above the tolerance.

        An LP failure is reported against ``region`` (and answers True, so that
        the same point is not reported twice).
        """
        key = pattern.tobytes()
        if key not in self._sliver_cache:
            system = pattern_constraints(self.net, self.domain, pattern)
            try:
                self._sliver_cache[key] = (not system.feasible or self.solver.chebyshev(
                    system.A, system.b).radius <= self.tolerance)
            except LPError as exc:
                self.add("lp_failure", (region,), f"sliver LP: {exc}")
                self._sliver_cache[key] = True
        return self._sliver_cache[key]

    # ------------------------------------------------------------------ checks 1-2

    def witnesses(self) -> None:
        part = self.part
        seen = {}
        for i, row in enumerate(part.patterns):
            j = seen.setdefault(row.tobytes(), i)
            if j != i:
                self.add("duplicate_pattern", (j, i), f"both have pattern {self.text(row)}")
        actual = patterns_at(self.net, self.domain, part.witnesses).reshape(len(part), -1)
        for i, region in enumerate(part):
            if not np.all(region.A @ region.witness < region.b):
                self.add("witness", (i,), "witness is not strictly inside the region")
            if not np.array_equal(actual[i], region.pattern):
                self.add("witness", (i,), f"pattern at the witness is {self.text(actual[i])}, "
                                          f"not {self.text(region.pattern)}")
            if not region.margin > self.tolerance:
                self.add("witness", (i,), f"margin {region.margin:.3g} is within the tolerance")

    def exact_region(self, i: int) -> None:
        region, system = self.part[i], self.system(i)
        if not system.feasible:
            self.add("row", (i,), "a constant pre-activation contradicts the pattern")
            return
        by_label = {int(label): k for k, label in enumerate(system.labels)}
        tol = COINCIDE_TOL * self.scale
        for normal, offset, label in zip(region.A, region.b, region.labels):
            k = by_label.get(int(label))
            if k is None or np.max(np.abs(normal - system.A[k])) > COINCIDE_TOL \
                    or abs(offset - system.b[k]) > tol:
                self.add("row", (i,), f"the row of {self.where(label)} is not that "
                                      f"constraint under the region's pattern")
        others = ~np.isin(system.labels, region.labels)
        A, b = system.A[others], system.b[others]
        self.neuron_checks += int(np.count_nonzero(system.labels[others] >= 0))
        for t in np.flatnonzero(self._highest(region, A, b, tol) > b + tol):
            piece = self.solver.chebyshev(np.vstack([region.A, -A[t]]),
                                          np.append(region.b, -b[t]))
            if piece.radius <= self.tolerance:
                self.slivers += 1
            else:
                where = self.where(system.labels[others][t])
                self.add("unsound", (i,), f"{where} cuts the region: a piece of inscribed "
                                          f"radius {piece.radius:.3g} lies on its other side")

    def _highest(self, region, A: np.ndarray, b: np.ndarray, tol: float) -> np.ndarray:
        """Upper bounds of the rows of ``A`` over the region, exact wherever above ``b + tol``.

        Exact at the polygon's vertices in 2-D and the interval's ends in 1-D;
        otherwise interval arithmetic over the region's bounding box (2 dim
        LPs) settles most rows, and one LP per remaining row settles the rest.
        """
        domain = self.domain
        if len(A) == 0:
            return np.zeros(0)
        if domain.is_bounded and domain.dim <= 2:
            # Clip to twice the domain's box, so that a region missing one of the domain's
            # own rows shows a corner outside the domain.
            width = domain.upper - domain.lower
            lower, upper = domain.lower - width, domain.upper + width
            if domain.dim == 2:
                corners = region_polygon(region.A, region.b, lower, upper,
                                         VERTEX_MERGE * self.scale)
            else:
                a = region.A[:, 0]
                corners = np.array([[np.max(region.b[a < 0] / a[a < 0], initial=lower[0])],
                                    [np.min(region.b[a > 0] / a[a > 0], initial=upper[0])]])
            if len(corners):
                return np.max(corners @ A.T, axis=0)
        rows = np.ascontiguousarray(region.A)
        lower = np.array([self.solver.minimize_coordinate(rows, region.b, k, 1.0)
                          for k in range(domain.dim)])
        upper = np.array([-self.solver.minimize_coordinate(rows, region.b, k, -1.0)
                          for k in range(domain.dim)])
        with np.errstate(invalid="ignore"):
            bound = np.maximum(A * lower, A * upper)   # 0 * inf is nan: that term is 0
        highest = np.where(np.isnan(bound), 0.0, bound).sum(axis=1)
        for t in np.flatnonzero(highest > b + tol):
            highest[t] = self.solver.maximize(rows, region.b, A[t])
        return highest

    # ------------------------------------------------------------------ check 3

    def overlaps(self, store: RowStore) -> None:
        for i, inside in enumerate(store.containing(self.part.witnesses)):
            for j in inside:
                if j != i:
                    self.add("overlap", (i, j), f"the witness of region {i} lies in region {j}")

    # ------------------------------------------------------------------ check 4

    def facets(self, facets, store: RowStore):
        part, net = self.part, self.net
        neurons = net.hyperplane_neurons()
        pairs = Counter()
        interior = boundary = degenerate = 0
        closure = COINCIDE_TOL * self.scale
        for i, own_facets in enumerate(facets):
            looks = probe(net, self.domain, part.patterns[i], own_facets, self.scale)
            for facet, look in zip(own_facets, looks):
                if facet.boundary:
                    boundary += 1
                    continue
                interior += 1
                if facet.label < 0:
                    self.add("row", (i,), f"domain face {-1 - facet.label} is a facet inside "
                                          f"the domain")
                    continue
                where = self.where(facet.label)
                if look.pattern is None:
                    self.add("no_flip", (i,), f"{where} does not change state across its facet "
                                              f"at {facet.witness.tolist()}")
                    continue
                inside = store.containing(look.point)[0]
                if len(inside) == 0:
                    if self.is_sliver(look.pattern, i):
                        self.slivers += 1
                    else:
                        self.add("uncovered", (i,), f"no region across {where} at "
                                 f"{look.point.tolist()}: missing pattern "
                                 f"{self.text(look.pattern)}")
                    continue
                if len(inside) > 1:
                    self.add("multiple", (i, *inside), f"several regions across {where} at "
                                                       f"{look.point.tolist()}")
                    continue
                j = int(inside[0])
                if j == i or not np.all(part[j].A @ facet.witness <= part[j].b + closure):
                    self.add("not_adjacent", (i, j), f"region {j} holds the point beyond "
                                                     f"{where} but not the facet itself")
                    continue
                if not np.array_equal(look.pattern, part.patterns[j]):
                    if self.is_sliver(look.pattern, i):
                        self.slivers += 1
                    else:
                        self.add("pattern_mismatch", (i, j), f"across {where} the pattern is "
                                 f"{self.text(look.pattern)}, region {j} has "
                                 f"{self.text(part.patterns[j])}")
                        continue
                pairs[(i, j)] += 1
                changed = set(np.flatnonzero(part.patterns[i] != part.patterns[j]).tolist())
                extra = changed - {int(neurons[facet.label])}
                if extra:
                    vanishing = set(vanishing_neurons(net, self.domain, facet.witness,
                                                      [self.system(i), self.system(j)],
                                                      self.scale).tolist())
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


def certify(part, facets=None) -> Certificate:
    """Check ``part`` for completeness and consistency (see the module docstring).

    ``facets`` (from :func:`regions.analysis.crossings.partition_facets`) is computed
    when not given. A bad partition never raises: every problem becomes a
    :class:`Violation`, and so does an LP of the certificate that HiGHS
    cannot finish (``lp_failure``: that region is then not vouched for).
    Only the partition's own H-representation minimisation (on first access
    to a region) can raise :class:`regions.lp.LPError`.

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
    if facets is None:
        facets = []
        for i, region in enumerate(part):
            try:
                facets.append(region_facets(region.A, region.b, region.labels, part.domain,
                                            solver, checker.scale))
            except LPError as exc:
                checker.add("lp_failure", (i,), f"facet LP: {exc}")
                facets.append([])
    checker.witnesses()
    for i in range(len(part)):
        try:
            checker.exact_region(i)
        except LPError as exc:
            checker.add("lp_failure", (i,), f"soundness LP: {exc}")
    store = RowStore(part)
    checker.overlaps(store)
    interior, boundary, edges, degenerate = checker.facets(facets, store)
    return Certificate(
        ok=not checker.violations, regions=len(part), facets=interior + boundary,
        interior_facets=interior, boundary_facets=boundary, edges=edges,
        neuron_checks=checker.neuron_checks, slivers=checker.slivers,
        degenerate_facets=degenerate, violations=checker.violations, lps=solver.count,
        seconds=time.perf_counter() - started)

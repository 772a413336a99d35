"""Facets of regions, and the region across each facet.

A row of a region's H-representation ``A z <= b`` is a *facet* when
the region meets that row's hyperplane in a ``(dim-1)``-dimensional piece. An
LP decides it: the largest ``(dim-1)``-ball inside the region's section by
the hyperplane (the section is assembled in hyperplane coordinates by
:func:`regions._facets.facet_section`) must have a radius above
``FACET_MIN_RADIUS``. Its center, the facet *witness*, lies in the facet's
relative interior.

Across a facet that is not on the domain boundary lies exactly one region
(pre-activations are continuous, so a neuron whose breakpoint set met the
facet's relative interior without containing the whole facet would cut the
region itself). Its pattern is the network's at ``witness + step * normal``,
for the smallest step of ``PROBE_STEPS`` at which the facet's own neuron has
changed state. In general position it differs from the region's pattern in
that neuron only; when several neurons vanish on the facet (duplicate or
negated neurons, a later neuron whose pre-activation is ``relu`` of the
crossed one, ...), all of those that change state differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._facets import facet_section, points_in_polytopes
from .domain import Domain
from .lp import LPSolver
from .network import Network
from .polyhedra import patterns_at
from .tolerances import (CONTAIN_SLACK, COINCIDE_TOL, FACET_MIN_RADIUS, PROBE_STEPS,
                         RADIUS_CAP, ZERO_NORM)


@dataclass(frozen=True)
class Facet:
    """One facet of a region, in working coordinates.

    Attributes
    ----------
    label : int
        The facet's constraint: a breakpoint hyperplane (``>= 0``, decode with
        :meth:`regions.Partition.describe_label`: layer, neuron, and for
        hard-tanh which breakpoint) or domain face ``-1 - label``.
    normal : ndarray, shape (dim,)
        Outward unit normal: the region lies in ``normal . z <= offset``.
    offset : float
    witness : ndarray, shape (dim,)
        A point in the relative interior of the facet.
    radius : float
        Radius of the largest ``(dim-1)``-ball of the facet centred at
        ``witness`` (capped at ``RADIUS_CAP`` times the tolerance scale; in 1-D,
        where a facet is a point, the cap itself).
    boundary : bool
        The facet lies on the domain's boundary (no region across it).
    """

    label: int
    normal: np.ndarray
    offset: float
    witness: np.ndarray
    radius: float
    boundary: bool


@dataclass(frozen=True)
class Probe:
    """The look across one facet: ``point = witness + step * normal`` and its pattern.

    ``step`` is the smallest of ``PROBE_STEPS`` (times the tolerance scale) at
    which the facet's neuron has changed state (failing that, at which any
    neuron has: another neuron's breakpoint coinciding with the facet up to
    rounding), and ``pattern`` (P,) the pattern there by the enumeration's
    rule; both are None when no step changes the pattern.
    """

    point: np.ndarray | None
    step: float | None
    pattern: np.ndarray | None


def on_domain_boundary(domain: Domain, point: np.ndarray, scale: float) -> bool:
    """Whether ``point`` (dim,) lies within ``COINCIDE_TOL`` of a face of ``domain``."""
    if domain.A.shape[0] == 0:
        return False
    return bool(np.min(domain.b - domain.A @ point) <= COINCIDE_TOL * scale)


def region_facets(A: np.ndarray, b: np.ndarray, labels: np.ndarray, domain: Domain,
                  solver: LPSolver, scale: float = 1.0) -> list[Facet]:
    """Facets of the region ``A z <= b`` (unit rows, redundant ones allowed).

    One LP per row (none in 1-D). Rows that touch the region in less than a
    ``(dim-1)``-ball of radius ``FACET_MIN_RADIUS * scale`` (redundant rows
    among them) are not facets and are left out, and of identical rows only
    the first counts. Facets keep the order of the rows.
    """
    A = np.ascontiguousarray(A, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    dim = A.shape[1]
    facets = []
    _, first = np.unique(np.column_stack([A, b]), axis=0, return_index=True)
    for row in np.sort(first):
        if dim == 1:
            witness = A[row] * b[row]
            radius = RADIUS_CAP * scale
            if np.any(np.delete(A @ witness - b, row) > CONTAIN_SLACK * scale):
                continue
        else:
            section, rhs, basis, origin, feasible = facet_section(A, b, row, ZERO_NORM)
            if not feasible:
                continue
            ball = solver.chebyshev(section, rhs, cap=RADIUS_CAP * scale)
            if ball.radius <= FACET_MIN_RADIUS * scale:
                continue
            witness, radius = origin + basis @ ball.center, ball.radius
        facets.append(Facet(int(labels[row]), A[row].copy(), float(b[row]), witness,
                            float(radius), on_domain_boundary(domain, witness, scale)))
    return facets


def partition_facets(part, solver: LPSolver | None = None) -> list[list[Facet]]:
    """``facets[i]``: the facets of region ``i`` of ``part`` (see :func:`region_facets`)."""
    solver = solver or LPSolver()
    scale = part.scale
    return [region_facets(region.A, region.b, region.labels, part.domain, solver, scale)
            for region in part]


def probe(network: Network, domain: Domain, pattern: np.ndarray, facets: list[Facet],
          scale: float = 1.0) -> list[Probe]:
    """Look across each facet (see :class:`Probe`); boundary facets get an empty probe.

    One batched forward pass for all facets and all steps.
    """
    inner = [f for f in facets if not f.boundary and f.label >= 0]
    found = {}
    if inner:
        steps = np.asarray(PROBE_STEPS) * scale
        witnesses = np.array([f.witness for f in inner])
        normals = np.array([f.normal for f in inner])
        points = witnesses[:, None, :] + steps[None, :, None] * normals[:, None, :]
        flat = points.reshape(-1, domain.dim)
        patterns = patterns_at(network, domain, flat).reshape(len(inner), steps.size, -1)
        neurons = network.hyperplane_neurons()[[f.label for f in inner]]
        for k, facet in enumerate(inner):
            flipped = np.flatnonzero(patterns[k, :, neurons[k]] != pattern[neurons[k]])
            if not flipped.size:
                # The facet's neuron keeps its state (it touches its breakpoint there without
                # crossing it) while another neuron's breakpoint coincides with the facet up
                # to rounding: that neuron's flip leads to the neighbour.
                flipped = np.flatnonzero(np.any(patterns[k] != pattern, axis=1))
            if flipped.size:
                s = flipped[0]
                found[id(facet)] = Probe(points[k, s], float(steps[s]), patterns[k, s])
    empty = Probe(None, None, None)
    return [found.get(id(f), empty) for f in facets]


class RowStore:
    """All regions' H-representations back to back, for exact point-location.

    ``containing(points)`` lists, per point, the regions whose constraints
    ``A z <= b + CONTAIN_SLACK * scale`` it satisfies.
    """

    def __init__(self, part):
        regions = list(part)
        self.scale = part.scale
        dim = part.domain.dim
        sizes = [r.b.size for r in regions]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.A = np.ascontiguousarray(np.vstack([r.A for r in regions]) if regions
                                      else np.zeros((0, dim)))
        self.b = np.ascontiguousarray(np.concatenate([r.b for r in regions]) if regions
                                      else np.zeros(0))

    def region_contains(self, region: int, point: np.ndarray) -> bool:
        lo, hi = self.starts[region], self.starts[region + 1]
        return bool(np.all(self.A[lo:hi] @ point <= self.b[lo:hi] + CONTAIN_SLACK * self.scale))

    def containing(self, points: np.ndarray) -> list[np.ndarray]:
        points = np.ascontiguousarray(np.atleast_2d(points), dtype=np.float64)
        indptr, indices = points_in_polytopes(points, self.A, self.b, self.starts,
                                              CONTAIN_SLACK * self.scale)
        return [indices[indptr[k]:indptr[k + 1]] for k in range(points.shape[0])]


@dataclass(frozen=True)
class Crossing:
    """Region ``region``'s facet ``facet`` leads to region ``neighbour`` (-1: none found).

    ``probe`` is the look across; ``by_pattern`` tells whether the neighbour
    was found by its pattern (True) or, failing that, by which region's
    constraints contain the probe point (False).
    """

    region: int
    facet: Facet
    probe: Probe
    neighbour: int
    by_pattern: bool


def crossings(part, facets: list[list[Facet]], store: RowStore | None = None) -> list[Crossing]:
    """Resolve the neighbour across every interior facet of every region.

    The probe pattern is looked up among the partition's patterns and
    accepted when that region's constraints contain the probe point;
    otherwise (the probe fell in a sub-tolerance sliver the enumeration merged
    into a neighbour) the unique region containing the probe point is used.
    """
    store = store or RowStore(part)
    scale = part.scale
    index = {row.tobytes(): i for i, row in enumerate(part.patterns)}
    result = []
    for i, region_facets_ in enumerate(facets):
        probes = probe(part.network, part.domain, part.patterns[i], region_facets_, scale)
        for facet, look in zip(region_facets_, probes):
            if facet.boundary or facet.label < 0:
                continue
            neighbour, by_pattern = -1, False
            if look.pattern is not None:
                j = index.get(look.pattern.tobytes(), -1)
                if j >= 0 and j != i and store.region_contains(j, look.point):
                    neighbour, by_pattern = j, True
                else:
                    inside = [r for r in store.containing(look.point)[0] if r != i]
                    if len(inside) == 1:
                        neighbour = int(inside[0])
            result.append(Crossing(i, facet, look, neighbour, by_pattern))
    return result


def vanishing_neurons(network: Network, domain: Domain, point: np.ndarray, systems,
                      scale: float = 1.0) -> np.ndarray:
    """Pattern positions of neurons whose breakpoint set passes through ``point``.

    ``systems`` are :class:`regions.polyhedra.PatternConstraints` of the regions on
    either side: a neuron vanishes at ``point`` when, under one of them, its
    pre-activation is within ``COINCIDE_TOL * scale`` (as a distance) of a
    breakpoint there.
    """
    neurons = network.hyperplane_neurons()
    hit = np.zeros(neurons.size, dtype=bool)
    for system in systems:
        values = np.abs(system.gradients @ point + system.offsets)
        norms = np.linalg.norm(system.gradients, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = np.where(norms > 0.0, values / np.where(norms > 0.0, norms, 1.0),
                                np.where(values == 0.0, 0.0, np.inf))
        hit |= distance <= COINCIDE_TOL * scale
    return np.unique(neurons[hit])

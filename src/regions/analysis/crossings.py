"""Crossing every facet of a partition: the region on the other side of each, exactly.

:func:`partition_facets` finds the facets of every region exactly
(:func:`regions.facets.region_facets`), and :func:`crossings` resolves, for each
interior facet, the region across it from its exact pattern
(:func:`regions.facets.neighbour_patterns`). The adjacency graph, the linear
pieces, the certificate and the pictures are built on these. A neighbour
pattern that is not among the partition's regions means the partition is
incomplete (the certificate reports it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..facets import Facet, neighbour_patterns, region_facets
from ..lp import LPSolver
from ..polyhedra import pattern_constraints
from ..predicates import Decisions
from ..rounding import overflow_expected

__all__ = ["partition_facets", "Crossing", "crossings", "facets_and_crossings",
           "vanishing_neurons", "decisions_of"]


def decisions_of(part) -> Decisions:
    """An exact-decision context for ``part``'s network and domain (its counters start at
    0)."""
    return Decisions(part.network, part.domain)


def region_system(part, i: int, decisions: Decisions, system=None):
    """Region ``i``'s constraint system restricted to the rows the enumeration kept (every
    facet among them), with their sides; from its full ``system`` when given."""
    if system is None:
        system = pattern_constraints(part.network, part.domain, part.patterns[i], decisions)
    kept = np.isin(system.labels, part.constraint_labels(i))
    return replace(system, A=system.A[kept], b=system.b[kept], labels=system.labels[kept],
                   errors=system.errors[kept], sides=system.sides[kept])


@overflow_expected
def partition_facets(part, solver: LPSolver | None = None,
                     decisions: Decisions | None = None) -> list[list[Facet]]:
    """``facets[i]``: the facets of region ``i`` of ``part``, exactly."""
    solver = solver or LPSolver()
    decisions = decisions or decisions_of(part)
    return [region_facets(region_system(part, i, decisions), part.patterns[i], decisions, solver)
            for i in range(len(part))]


@overflow_expected
def facets_and_crossings(part, decisions: Decisions | None = None
                         ) -> tuple[list[list[Facet]], list["Crossing"], list[tuple]]:
    """:func:`partition_facets` and :func:`crossings` of ``part`` in one pass, each
    region's constraint system built once, and each region's affine map from it:
    ``maps[i] = (C, d, error)`` (:class:`regions.polyhedra.PatternConstraints`)."""
    decisions = decisions or decisions_of(part)
    solver, index = LPSolver(), _index(part)
    facets, result, maps = [], [], []
    for i in range(len(part)):
        system = pattern_constraints(part.network, part.domain, part.patterns[i], decisions)
        facets.append(region_facets(region_system(part, i, decisions, system), part.patterns[i],
                                    decisions, solver))
        result += _across(part, i, facets[-1], decisions, index, system)
        maps.append((system.C, system.d, system.map_error))
    return facets, result, maps


@dataclass(frozen=True)
class Crossing:
    """Region ``region``'s facet ``facet`` leads to the region of pattern ``pattern``,
    region ``neighbour`` of the partition (-1 when no region has that pattern)."""

    region: int
    facet: Facet
    pattern: np.ndarray
    neighbour: int


@overflow_expected
def crossings(part, facets: list[list[Facet]],
              decisions: Decisions | None = None) -> list[Crossing]:
    """The region across every interior facet of every region (exact patterns)."""
    decisions = decisions or decisions_of(part)
    index = _index(part)
    return [crossing for i, region_facets_ in enumerate(facets)
            for crossing in _across(part, i, region_facets_, decisions, index)]


def _index(part) -> dict:
    """Region index by pattern bytes."""
    return {row.tobytes(): i for i, row in enumerate(part.patterns)}


def _across(part, i: int, facets: list[Facet], decisions: Decisions, index: dict,
            system=None) -> list[Crossing]:
    """The crossings of region ``i``'s interior ``facets``; ``system``: its full
    constraint system, built here when not given."""
    interior = [facet for facet in facets if not facet.boundary]
    if not interior:
        return []
    if system is None:
        system = pattern_constraints(part.network, part.domain, part.patterns[i], decisions)
    patterns = neighbour_patterns(part.network, part.domain, part.patterns[i], interior,
                                  decisions, system)
    return [Crossing(i, facet, pattern, index.get(pattern.tobytes(), -1))
            for facet, pattern in zip(interior, patterns)]


def vanishing_neurons(decisions: Decisions, pattern: np.ndarray, point) -> np.ndarray:
    """Pattern positions of the neurons whose breakpoint set passes through the exact
    ``point`` under ``pattern``'s states (their pre-activation there is exactly a
    breakpoint)."""
    network = decisions.network
    neurons = network.hyperplane_neurons()
    offsets = network.label_offsets()
    hit = [int(neurons[label]) for label in range(int(offsets[-1]))
           if decisions.side_at_point(pattern, label, point) == 0]
    return np.unique(np.array(hit, dtype=np.int64))

"""Crossing every facet of a partition: the region on the other side of each.

:func:`partition_facets` finds the facets of every region
(:func:`regions.facets.region_facets`), and :func:`crossings` resolves, for each
interior facet, the region across it from the look across
(:func:`regions.facets.probe`), by its pattern or, failing that, by which
region's constraints contain the point beyond the facet (:class:`RowStore`).
The adjacency graph, the certificate and the pictures are built on these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._facets import points_in_polytopes
from ..domain import Domain
from ..facets import Facet, Probe, probe, region_facets
from ..lp import LPSolver
from ..network import Network
from ..tolerances import COINCIDE_TOL, CONTAIN_SLACK


def partition_facets(part, solver: LPSolver | None = None) -> list[list[Facet]]:
    """``facets[i]``: the facets of region ``i`` of ``part`` (see :func:`region_facets`)."""
    solver = solver or LPSolver()
    scale = part.scale
    return [region_facets(region.A, region.b, region.labels, part.domain, solver, scale)
            for region in part]


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

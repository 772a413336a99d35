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

from ._facets import facet_section
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

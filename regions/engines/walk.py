"""A second enumeration algorithm: a breadth-first walk over the region adjacency graph.

Start from the region of one point. A region's H-representation follows from
its activation pattern alone (:func:`regions.polyhedra.pattern_constraints`: with every state
fixed, every pre-activation is one affine function of the working
coordinates). Its facets (:mod:`regions.facets`) are found by LP; just beyond
each interior facet's witness point the network's forward pass gives the
neighbour's pattern, which joins the queue if unseen. Every full-dimensional
region of a convex domain is reached, because the facet-adjacency graph of
the partition is connected.

The walk is independent of the layer-by-layer split in
:mod:`regions.enumeration` (it never splits a cell), which is what makes the
two a useful cross-check. It costs more LPs per region (an inscribed ball,
redundancy removal over the candidate rows, one LP per facet), so it is the
slower of the two on full enumerations; see ``docs/graph.md``.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np

from ..domain import check_resolvable, resolve, tolerance_scale
from ..errors import DomainError, RegionsError
from ..facets import probe, region_facets
from ..lp import LPSolver
from ..network import Network
from ..partition import Partition, Region
from ..polyhedra import minimal_representation, pattern_constraints, patterns_at
from ..tolerances import MIN_RADIUS, RADIUS_CAP, check_min_radius


def enumerate_walk(network: Network, domain=None, *, start=None, min_radius: float = MIN_RADIUS,
                   progress=None) -> Partition:
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
        Same meaning as in :func:`regions.enumerate`: a region counts when its
        inscribed radius exceeds ``min_radius`` times the tolerance scale.
    progress : callable, optional
        Called as ``progress(regions_found, layer, pending_patterns,
        seconds)``, at most every 0.5 s and only between regions, with
        ``layer`` the number of layers (the walk only ever holds final regions).

    Returns
    -------
    Partition
        Regions sorted by pattern (lexicographically), so the order does not
        depend on the start point. The same set of patterns as
        :func:`regions.enumerate` (up to regions within the tolerance).
    """
    domain = resolve(domain, network)
    min_radius = check_min_radius(min_radius)
    started = time.perf_counter()
    check_resolvable(domain, min_radius)
    scale = tolerance_scale(domain)
    tolerance = min_radius * scale
    solver = LPSolver()
    root = solver.chebyshev(domain.A, domain.c, cap=_cap(scale))
    if root.radius <= tolerance:
        raise DomainError(f"the {domain.kind} domain has no interior ball of relative radius "
                          f"{min_radius}")
    first = _start_pattern(network, domain, root, start, solver, tolerance, scale)

    queue = deque([first.tobytes()])
    seen = {first.tobytes()}
    found = []
    last_report = started
    while queue:
        key = queue.popleft()
        pattern = np.frombuffer(key, dtype=np.int8)
        system = pattern_constraints(network, domain, pattern)
        if not system.feasible:
            continue
        ball = solver.chebyshev(system.A, system.b, cap=_cap(scale))
        if ball.radius <= tolerance:
            continue
        A, b, labels = minimal_representation(system, domain, solver)
        facets = region_facets(A, b, labels, domain, solver, scale)
        for look in probe(network, domain, pattern, facets, scale):
            if look.pattern is not None and look.pattern.tobytes() not in seen:
                seen.add(look.pattern.tobytes())
                queue.append(look.pattern.tobytes())
        found.append((pattern.copy(), ball, A, b, labels, system.C, system.d))
        if progress is not None and time.perf_counter() - last_report > 0.5:
            last_report = time.perf_counter()
            progress(len(found), len(network.layers), len(queue), last_report - started)

    found.sort(key=lambda entry: entry[0].tolist())
    found_regions = [Region(pattern, A, b, labels, ball.center, float(ball.radius), C, d)
                     for pattern, ball, A, b, labels, C, d in found]
    patterns = np.array([r.pattern for r in found_regions], dtype=np.int8).reshape(
        len(found), network.pattern_length)
    return Partition.from_regions(
        network, domain, found_regions, per_layer=_per_layer(network, patterns),
        lps=solver.count, seconds=time.perf_counter() - started, lp_seconds=solver.seconds,
        min_radius=min_radius, scale=scale, method="walk")


def _cap(scale: float) -> float:
    return RADIUS_CAP * scale


def _start_pattern(network, domain, root, start, solver, tolerance, scale) -> np.ndarray:
    """Pattern of the start point, or of a nearby point when the start's region is too thin."""
    if start is None:
        point = root.center
    else:
        point = np.asarray(start, dtype=np.float64)
        if point.shape != (domain.dim,):
            raise DomainError(f"start must have shape ({domain.dim},), got {point.shape}")
        if not domain.contains(point)[0]:
            raise DomainError("the start point lies outside the domain")
    rng = np.random.default_rng(0)
    candidates = [point]
    for size in (1e-6, 1e-4, 1e-2):
        for _ in range(4):
            direction = rng.normal(size=domain.dim)
            step = size * min(root.radius, scale) * direction / np.linalg.norm(direction)
            candidates.append(point + step)
    for candidate in candidates:
        if not domain.contains(candidate)[0]:
            continue
        pattern = patterns_at(network, domain, candidate)
        system = pattern_constraints(network, domain, pattern)
        if system.feasible and solver.chebyshev(system.A, system.b,
                                                cap=_cap(scale)).radius > tolerance:
            return pattern
    raise RegionsError("no full-dimensional region found around the start point")


def _per_layer(network: Network, patterns: np.ndarray) -> list[int]:
    """Regions of the network truncated after each layer: distinct pattern prefixes."""
    counts, end = [], 0
    for layer in network.layers:
        end += layer.num_states
        prefixes = {row[:end].tobytes() for row in patterns}
        counts.append(len(prefixes) if len(patterns) else 0)
    return counts

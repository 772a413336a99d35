"""The few float parameters of the package, in one place. None decides an answer.

Every count, pattern, adjacency, face and linear piece is decided exactly: a
geometric decision is a predicate evaluated in float64 with a rigorous error
bound and redone in rational arithmetic when the bound cannot decide
(:mod:`regions.predicates`, :mod:`regions.rounding`). What is left here only
decides what gets *reported* or *drawn*.

Distances are Euclidean, in the working coordinates of the domain (input
coordinates, or orthonormal slice coordinates for planes and lines), in units
of the *tolerance scale* ``s`` (:func:`regions.tolerance_scale`): half
the longest side of the domain's bounding box when that is below 1, and 1
otherwise.

MIN_RADIUS
    A region whose largest inscribed ball has radius at most ``MIN_RADIUS * s``
    is reported as *thin* (``Partition.thin``, the ``thin`` field of every JSON
    summary, ``LineCounts.thin`` along lines): counted like every other region,
    listed so a user knows how close to degenerate the partition gets.
    ``regions.enumerate_regions(..., min_radius=...)`` and ``--min-radius``
    change it per call; no count changes with it.

THIN_FACTOR
    The vertex engine's witness is the mean of a region's vertices, and its
    ``margin`` the distance from that mean to the boundary; when that margin is
    below ``THIN_FACTOR * min_radius * s`` the largest inscribed ball is computed
    instead, so ``thin`` means the same for every engine.

RADIUS_CAP
    Largest radius the inscribed-ball LP may return. Unbounded regions (on all
    of R^n, or in an unbounded polytope) otherwise have no finite inscribed
    ball; capping it gives every region a witness at a finite place, with
    margin ``min(true inscribed radius, RADIUS_CAP)``. The witness is certified
    inside its region whatever the cap.

VERTEX_MERGE
    Pictures and the float64 polygon geometry of 2-D partitions
    (:func:`regions.complex.geometry.planar_complex`, used to draw) merge
    polygon vertices closer than ``VERTEX_MERGE * s``. The exact face lattice
    (:mod:`regions.complex`) merges nothing: its vertices are rational points.
"""

import math

from .errors import RegionsError

__all__ = ["MIN_RADIUS", "RADIUS_CAP", "THIN_FACTOR", "VERTEX_MERGE", "check_min_radius"]

#: The default ``min_radius``: regions whose largest inscribed ball has a radius at most
#: ``MIN_RADIUS`` times the tolerance scale are reported as thin; no count depends on it.
MIN_RADIUS = 1e-7
RADIUS_CAP = 1e3
THIN_FACTOR = 100.0
VERTEX_MERGE = 1e-9


def check_min_radius(min_radius) -> float:
    """``min_radius`` as a float; RegionsError unless positive and finite."""
    value = float(min_radius)
    if not (math.isfinite(value) and value > 0.0):
        raise RegionsError(f"min_radius must be positive and finite, got {min_radius}")
    return value

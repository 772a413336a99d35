"""Sampled lower bounds and estimates of region counts, vectorised with numpy.

Three views, each cheaper than exact enumeration and each honest about what
it measures:

* :func:`distinct_patterns`: the number of distinct activation patterns among
  ``N`` random points of the domain, with the curve of that number versus
  ``N``. Every point (off a measure-zero boundary) lies in one region and
  carries its pattern, so this is a lower bound on the exact count and
  converges to it as ``N`` grows (every region has positive volume).
* :func:`regions_along_lines` / :func:`regions_on_segments`: exact region
  counts along straight lines, computed by piecewise-linear root finding
  layer by layer (no sampling along the line). A region is convex, so a line
  meets it in one interval: the number of intervals is the number of regions
  the line meets, a lower bound on the count; the distinct patterns met by
  all lines together are a better one. :func:`trajectory_transitions`
  applies the same computation to a polyline (the trajectory view of Raghu
  et al. 2017: pattern transitions along a 1-D curve).
* :func:`density_estimate`: the Hanin and Rolnick view. The number of
  breakpoints per unit length along isotropic random lines, turned into a
  boundary density (Crofton) and a number of regions per unit volume; an
  estimate, not a bound (see its docstring for exactly what it estimates).

Exactness. The line counts are exact: a float64 sweep with rigorous error bounds,
and the lines it cannot certify swept again in rational arithmetic (every float64
is a rational), so :func:`regions_on_segments` counts exactly what
``regions.enumerate_regions(net, regions.segment(p0, p1))`` counts, thin
pieces included; ``min_radius`` only decides which pieces
``LineCounts.thin`` reports. :func:`distinct_patterns` and
:func:`density_estimate` are sampled: a lower bound and an estimate.
"""

from ..tolerances import CHUNK, MAX_REJECTION, UNBOUNDED_RADII
from .density import DensityEstimate, density_estimate, density_from_counts
from .lines import (LineCounts, Trajectory, line_intervals, regions_along_lines,
                    regions_on_lines, regions_on_segments, trajectory_transitions)
from .patterns import PatternSample, distinct_patterns
from .points import chord, random_lines, sample_points
from .sweep import certified_line_intervals, line_pieces, rational_line_intervals

__all__ = [
    "CHUNK", "DensityEstimate", "LineCounts", "MAX_REJECTION", "PatternSample", "Trajectory",
    "UNBOUNDED_RADII", "certified_line_intervals", "chord", "density_estimate",
    "density_from_counts", "distinct_patterns", "line_intervals", "line_pieces",
    "random_lines", "rational_line_intervals",
    "regions_along_lines", "regions_on_lines", "regions_on_segments", "sample_points",
    "trajectory_transitions",
]

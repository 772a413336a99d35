"""Queries on a Partition: the regions a segment crosses, and the shortest walk between two
regions (``Partition.locate`` finds the region of points).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from flint import fmpq

from ..errors import RegionsError
from ..rational import column
from ..sampling.lines import exact_chords, to_input
from ..sampling.sweep import rational_line_intervals
from .graph import adjacency_graph

__all__ = ["segment_path", "region_path"]


def segment_path(part, start, end) -> list[tuple[int, float, float]]:
    """The regions of ``part`` crossed by the segment from ``start`` to ``end`` (input
    space), in order: ``(region, t0, t1)`` with ``0 <= t0 < t1 <= 1`` the part of the
    segment ``start + t (end - start)`` inside it (region -1 where the segment leaves the
    domain).

    Exact: the network is followed along the segment in rational arithmetic
    (:func:`regions.sampling.rational_line_intervals`), the segment is clipped to the
    domain exactly, and each piece is the region with its activation pattern. On a slice,
    the end points are taken at their slice coordinates rounded to float64 (as
    :meth:`Partition.locate` does).

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> [(int(part.patterns[r].sum()), round(t0, 9), round(t1, 9))
    ...  for r, t0, t1 in segment_path(part, [-0.5, -0.5], [0.5, 0.5])]
    [(0, 0.0, 0.5), (2, 0.5, 1.0)]
    """
    a, b = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    domain = part.domain
    if a.shape != (domain.input_dim,) or b.shape != a.shape:
        raise RegionsError(f"segment ends must have shape ({domain.input_dim},), got "
                           f"{a.shape} and {b.shape}")
    za, zb = (np.vstack([a, b]) - domain.origin) @ domain.basis
    if np.array_equal(za, zb):
        raise RegionsError("the segment's end points coincide")
    first = column(za)
    step = column(zb) - first
    (inside_lo,), (inside_hi,) = exact_chords(domain, first, step)
    origins, directions = to_input(domain, first, step)
    _, lower, upper, patterns = rational_line_intervals(part.network, origins, directions,
                                                        [fmpq(0)], [fmpq(1)])
    index = {row.tobytes(): i for i, row in enumerate(part.patterns)}
    path: list[tuple[int, float, float]] = []
    for lo, hi, pattern in zip(lower, upper, patterns):
        cuts = sorted({lo, hi} | {t for t in (inside_lo, inside_hi)
                                  if t is not None and lo < t < hi})
        for t0, t1 in zip(cuts[:-1], cuts[1:]):
            inside = ((inside_lo is None or t0 >= inside_lo)
                      and (inside_hi is None or t1 <= inside_hi))
            region = index.get(pattern.tobytes(), -1) if inside else -1
            if path and path[-1][0] == region:
                path[-1] = (region, path[-1][1], float(t1))
            else:
                path.append((region, float(t0), float(t1)))
    return path


def region_path(part, source: int, target: int, graph: nx.Graph | None = None):
    """A shortest walk from region ``source`` to region ``target`` across shared facets.

    Returns ``(regions, flips)``: the regions visited (``source`` first), and for each
    step the ``(layer, neuron)`` whose breakpoint hyperplane it crosses (``(layer, unit)``
    for a max unit's pair hyperplane). ``graph`` is
    :func:`regions.adjacency_graph` of ``part`` (computed when not given).

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> i, j = part.locate([[-0.5, -0.5], [0.5, 0.5]])
    >>> walk, flips = region_path(part, i, j)
    >>> len(walk), sorted(flips)
    (3, [(0, 0), (0, 1)])
    """
    G = adjacency_graph(part) if graph is None else graph
    try:
        regions = nx.shortest_path(G, int(source), int(target))
    except (nx.NetworkXNoPath, nx.NodeNotFound) as exc:
        raise RegionsError(f"no walk from region {source} to region {target}: {exc}") from None
    flips = [(G.edges[u, v]["layer"], G.edges[u, v].get("neuron", G.edges[u, v].get("unit")))
             for u, v in zip(regions[:-1], regions[1:])]
    return regions, flips

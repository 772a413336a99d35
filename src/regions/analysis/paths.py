"""Queries on a Partition: the regions a segment crosses, and the shortest walk between two
regions (``Partition.locate`` finds the region of points).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..domain import segment
from ..enumeration import enumerate_regions
from ..errors import RegionsError
from ..complex.geometry import interval_complex
from .graph import adjacency_graph


def segment_path(part, start, end) -> list[tuple[int, float, float]]:
    """The regions of ``part`` crossed by the segment from ``start`` to ``end`` (input
    space), in order: ``(region, t0, t1)`` with ``0 <= t0 < t1 <= 1`` the part of the
    segment ``start + t (end - start)`` inside it (region -1 where the segment leaves the
    domain).

    The breakpoints are exact: the network is enumerated along the segment (a 1-D
    domain) with the partition's tolerance, and each piece is located in ``part``.

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> [(int(part.patterns[r].sum()), round(t0, 9), round(t1, 9))
    ...  for r, t0, t1 in segment_path(part, [-0.5, -0.5], [0.5, 0.5])]
    [(0, 0.0, 0.5), (2, 0.5, 1.0)]
    """
    a, b = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    length = float(np.linalg.norm(b - a))
    if not length > 0.0:
        raise RegionsError("the segment's end points coincide")
    along = enumerate_regions(part.network, segment(a, b), min_radius=part.min_radius)
    regions = part.locate(along.input_witnesses)
    pieces = [(float(lo), float(hi), int(region))
              for (lo, hi), region in zip(interval_complex(along).intervals, regions)]
    path: list[tuple[int, float, float]] = []
    for lo, hi, region in sorted(pieces):
        if path and path[-1][0] == region:
            path[-1] = (region, path[-1][1], hi / length)
        else:
            path.append((region, lo / length, hi / length))
    return path


def region_path(part, source: int, target: int, graph: nx.Graph | None = None):
    """A shortest walk from region ``source`` to region ``target`` across shared facets.

    Returns ``(regions, flips)``: the regions visited (``source`` first), and for each
    step the ``(layer, neuron)`` whose breakpoint hyperplane it crosses. ``graph`` is
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
    flips = [(G.edges[u, v]["layer"], G.edges[u, v]["neuron"])
             for u, v in zip(regions[:-1], regions[1:])]
    return regions, flips

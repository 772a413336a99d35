"""Linear pieces: maximal connected unions of regions on which the network is one affine map."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from .crossings import crossings, partition_facets
from .witnesses import exact_affine_map
from ..tolerances import PIECE_TOL


@dataclass(frozen=True)
class LinearPieces:
    """The linear pieces of the function a network computes over a partition's domain.

    Attributes
    ----------
    count : int
        Maximal connected unions of regions on which the function is one affine map.
    labels : ndarray, shape (R,), int64
        The piece of each region (pieces numbered from 0 in the order of their first region).
    """

    count: int
    labels: np.ndarray


def linear_pieces(part, graph: nx.Graph | None = None, exact: bool = False) -> LinearPieces:
    """Merge adjacent regions whose affine maps agree: within ``PIECE_TOL``, or with
    ``exact`` in rational arithmetic (:func:`regions.analysis.witnesses.exact_affine_map`; for integer
    or rational weights, whose cancellations are exact).

    An activation region keeps every neuron's state; the function can be one affine map
    across several of them (a neuron that feeds nothing, states whose changes cancel), so
    there are at most as many linear pieces as regions. ``graph`` is the adjacency graph
    of ``part`` (:func:`regions.adjacency_graph`); without it the regions adjacent across
    a facet are found here (:func:`regions.analysis.crossings.crossings`).

    >>> import regions
    >>> # y = relu(x1): the neuron of x2 feeds nothing, 4 regions but 2 pieces
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 0.0]], [0.0])])
    >>> pieces = linear_pieces(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> pieces.count, sorted(pieces.labels.tolist())
    (2, [0, 0, 1, 1])
    """
    if graph is None:
        pairs = {(c.region, c.neighbour) for c in crossings(part, partition_facets(part))
                 if c.neighbour >= 0}
    else:
        pairs = set(graph.edges)
    if exact:
        maps = [exact_affine_map(part.network, part.domain, p) for p in part.patterns]
    else:
        maps = [part.affine_map(i) for i in range(len(part))]
    same = nx.Graph()
    same.add_nodes_from(range(len(part)))
    for i, j in pairs:
        if exact:
            if maps[i] == maps[j]:
                same.add_edge(i, j)
            continue
        (Ci, di), (Cj, dj) = maps[i], maps[j]
        size = max(1.0, np.abs(Ci).max(initial=0.0), np.abs(di).max(initial=0.0),
                   np.abs(Cj).max(initial=0.0), np.abs(dj).max(initial=0.0))
        if (np.abs(Ci - Cj).max(initial=0.0) <= PIECE_TOL * size
                and np.abs(di - dj).max(initial=0.0) <= PIECE_TOL * size):
            same.add_edge(i, j)
    labels = np.full(len(part), -1, dtype=np.int64)
    count = 0
    for i in range(len(part)):
        if labels[i] < 0:
            labels[list(nx.node_connected_component(same, i))] = count
            count += 1
    return LinearPieces(count, labels)

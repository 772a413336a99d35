"""Linear pieces: maximal connected unions of regions on which the network is one affine map."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..polyhedra import pattern_constraints
from ..predicates import Decisions
from ..rounding import UNIT_ROUNDOFF, overflow_expected
from ..tolerances import BOUND_SAFETY
from .crossings import decisions_of, facets_and_crossings

__all__ = ["LinearPieces", "linear_pieces"]


@dataclass(frozen=True)
class LinearPieces:
    """The linear pieces of the function a network computes over a partition's domain.

    Attributes
    ----------
    count : int
        Maximal connected unions of regions on which the function is one affine map.
    labels : ndarray, shape (R,), int64
        The piece of each region (pieces numbered from 0 in the order of their first region).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> pieces = regions.linear_pieces(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> pieces.count, pieces.labels.tolist()
    (4, [0, 1, 2, 3])
    """

    count: int
    labels: np.ndarray


@overflow_expected
def linear_pieces(part, graph: nx.Graph | None = None, exact=None) -> LinearPieces:
    """Merge adjacent regions whose affine maps are exactly equal.

    An activation region keeps every neuron's state; the function can be one affine map
    across several of them (a neuron that feeds nothing, states whose changes cancel), so
    there are at most as many linear pieces as regions. Two maps differ when float64
    certifies some coefficient apart (farther than the two maps' error bounds); otherwise
    they are compared in rational arithmetic, so outputs scaled by any factor give the
    same pieces. ``graph`` is the adjacency graph of ``part``
    (:func:`regions.adjacency_graph`); without it the regions adjacent across a facet are
    found here (``regions.analysis.crossings.crossings``). ``exact`` is deprecated:
    the comparison is always exact.

    >>> import regions
    >>> # y = relu(x1): the neuron of x2 feeds nothing, 4 regions but 2 pieces
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 0.0]], [0.0])])
    >>> pieces = linear_pieces(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> pieces.count, sorted(pieces.labels.tolist())
    (2, [0, 0, 1, 1])
    """
    if exact is not None:
        warnings.warn("linear_pieces(exact=) is deprecated: the maps are always compared "
                      "exactly", DeprecationWarning, stacklevel=2)
    decisions = decisions_of(part)
    if graph is None:
        _, found, maps = facets_and_crossings(part, decisions)
        return merged_pieces(part, {(c.region, c.neighbour) for c in found if c.neighbour >= 0},
                             decisions, maps)
    return merged_pieces(part, set(graph.edges), decisions)


def merged_pieces(part, pairs: set, decisions: Decisions, maps: list | None = None
                  ) -> LinearPieces:
    """:func:`linear_pieces` from the adjacent ``pairs`` of regions; ``maps[i]``: region
    ``i``'s affine map ``(C, d, error)`` when known (built from its pattern otherwise)."""
    known = {} if maps is None else dict(enumerate(maps))

    def affine(i):
        if i not in known:
            system = pattern_constraints(part.network, part.domain, part.patterns[i], decisions)
            known[i] = (system.C, system.d, system.map_error)
        return known[i]

    same = nx.Graph()
    same.add_nodes_from(range(len(part)))
    for i, j in pairs:
        if not _apart(affine(i), affine(j)) and decisions.equal_maps(part.patterns[i],
                                                                      part.patterns[j]):
            same.add_edge(i, j)
    labels = np.full(len(part), -1, dtype=np.int64)
    count = 0
    for i in range(len(part)):
        if labels[i] < 0:
            labels[list(nx.node_connected_component(same, i))] = count
            count += 1
    return LinearPieces(count, labels)


def _apart(first: tuple, second: tuple) -> bool:
    """Whether float64 certifies the two maps ``(C, d, error)`` different: some coefficient
    of ``[C | d]`` differs by more than the two rows' error bounds."""
    one = np.column_stack(first[:2])
    two = np.column_stack(second[:2])
    bound = (first[2] + second[2])[:, None] + UNIT_ROUNDOFF * (np.abs(one) + np.abs(two))
    return bool(np.any(np.abs(one - two) > bound * BOUND_SAFETY))

"""The region adjacency graph of a partition.

One node per region, one edge per pair of regions sharing a facet. Every
attribute is a plain ``str``, ``int``, ``float`` or ``bool``, so the graph
exports to GraphML, GEXF and node-link JSON (:func:`regions.write_graph`)
and loads back unchanged.

Node ``i`` (the region's index in the partition):

- ``pattern``: the activation pattern as a compact string, one character per
  neuron (``0``, ``1``, and ``-`` for hard-tanh's state -1), a max layer's states
  as numbers separated by ``,``, layers separated by ``|``
  (``regions.io.partitions.pattern_string``);
- ``states_<l>``: the states of layer ``l`` alone (non-identity layers);
- ``witness_<k>``: coordinate ``k`` of the witness point (working coordinates);
- ``margin``: the witness's inscribed-ball radius;
- ``piece``: the linear piece of the network's function that holds the region
  (:func:`regions.linear_pieces`).

Edge ``(i, j)`` with ``i < j``, described from region ``i``'s facet:

- ``layer``, ``neuron``, ``breakpoint``: the neuron whose breakpoint
  hyperplane carries the facet (``breakpoint`` tells hard-tanh's two apart); for a
  max layer's pair hyperplane (max pooling, maxout) ``layer``, ``unit`` and ``pair``,
  the positions ``"p,q"`` in the unit's window whose inputs are equal on the facet;
- ``hyperplane``: that hyperplane's label (:meth:`regions.Partition.describe_label`);
- ``flipped``: comma-separated pattern positions in which ``i`` and ``j``
  differ; one position in general position, several when several neurons
  vanish on the facet (then ``degenerate`` is True);
- ``facet_<k>``: the facet's witness point, ``facet_radius`` its inscribed
  ``(dim-1)``-ball radius.
"""

from __future__ import annotations


import networkx as nx
import numpy as np

from ..facets import Facet
from ..io.partitions import pattern_string
from ..rounding import overflow_expected
from .crossings import crossings, decisions_of, facets_and_crossings
from .pieces import merged_pieces

__all__ = ["adjacency_graph"]


@overflow_expected
def adjacency_graph(part, facets: list[list[Facet]] | None = None) -> nx.Graph:
    """The region adjacency graph of ``part`` (see :mod:`regions.analysis.graph` for
    attributes).

    ``facets`` (from ``regions.analysis.crossings.partition_facets``) is computed
    when not given. ``G.graph["unmatched_facets"]`` counts interior facets
    across which no region was found (0 for a complete partition; see
    :func:`regions.certify` for the full check).

    Two crossing lines cut the box into 4 regions, each adjacent to two others:

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> G = adjacency_graph(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> G.number_of_nodes(), G.number_of_edges(), sorted(d for _, d in G.degree())
    (4, 4, [2, 2, 2, 2])
    """
    decisions = decisions_of(part)
    facets, found, maps = facets_and_crossings(part, decisions) if facets is None \
        else (facets, crossings(part, facets, decisions), None)
    network, domain = part.network, part.domain
    G = nx.Graph()
    G.graph.update({
        "regions": len(part),
        "dim": domain.dim,
        "domain": domain.kind,
        "widths": ",".join(str(w) for w in network.widths),
        "activations": ",".join(network.activations),
        "min_radius": float(part.min_radius),
    })
    slices = [(index, s) for index, s in enumerate(network.pattern_slices())
              if s.stop > s.start]
    for i in range(len(part)):
        pattern = part.patterns[i]
        attributes = {"pattern": pattern_string(network, pattern), "margin": float(part.margins[i])}
        for index, s in slices:
            attributes[f"states_{index}"] = pattern_string(network, pattern, s)
        for k, value in enumerate(part.witnesses[i]):
            attributes[f"witness_{k}"] = float(value)
        G.add_node(i, **attributes)

    unmatched = 0
    for crossing in found:
        i, j = crossing.region, crossing.neighbour
        if j < 0:
            unmatched += 1
            continue
        if G.has_edge(i, j):
            continue
        facet = crossing.facet
        flipped = np.flatnonzero(part.patterns[i] != part.patterns[j])
        attributes = {
            **_hyperplane_attributes(part.describe_label(facet.label)),
            "hyperplane": int(facet.label),
            "flipped": ",".join(str(int(p)) for p in flipped),
            "degenerate": bool(flipped.size > 1),
            "facet_radius": float(facet.radius),
        }
        for k, value in enumerate(facet.witness):
            attributes[f"facet_{k}"] = float(value)
        G.add_edge(i, j, **attributes)
    G.graph["unmatched_facets"] = unmatched
    pieces = merged_pieces(part, set(G.edges), decisions, maps)
    G.graph["pieces"] = pieces.count
    for i, piece in enumerate(pieces.labels):
        G.nodes[i]["piece"] = int(piece)
    return G


def _hyperplane_attributes(where: dict) -> dict:
    """Edge attributes naming the hyperplane of a decoded label
    (:meth:`regions.Network.describe_label`): ``layer``, ``neuron`` and ``breakpoint`` for
    a neuron's breakpoint, ``layer``, ``unit`` and ``pair`` (``"p,q"``) for a max unit's
    pair hyperplane.

    >>> _hyperplane_attributes({"layer": 0, "unit": 2, "pair": (0, 3), "inputs": (6, 9)})
    {'layer': 0, 'unit': 2, 'pair': '0,3'}
    >>> _hyperplane_attributes({"layer": 1, "neuron": 4, "breakpoint": -1.0})
    {'layer': 1, 'neuron': 4, 'breakpoint': -1.0}
    """
    if "unit" in where:
        first, second = where["pair"]
        return {"layer": int(where["layer"]), "unit": int(where["unit"]),
                "pair": f"{int(first)},{int(second)}"}
    return {"layer": int(where["layer"]), "neuron": int(where["neuron"]),
            "breakpoint": float(where["breakpoint"])}

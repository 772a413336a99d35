"""Tutorial: the region adjacency graph, exported for Gephi (GraphML or GEXF).

    python examples/export_graph.py GRAPH.gexf
"""

import sys

import regions
from regions.io.partitions import write_graph

net = regions.read_network("data/example_2x8x8x8.npz")
part = regions.enumerate_regions(net, regions.box(-1, 1))
G = regions.adjacency_graph(part)
path = sys.argv[1] if len(sys.argv) > 1 else "regions.gexf"
write_graph(G, path)
print(f"{G.number_of_nodes()} regions, {G.number_of_edges()} shared facets, "
      f"{G.graph['pieces']} linear pieces -> {path}")

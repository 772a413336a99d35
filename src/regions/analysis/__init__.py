"""Analyses of a :class:`~regions.Partition`: functions over its regions.

* :mod:`~regions.analysis.crossings`: the facets of every region and the region across each;
* :mod:`~regions.analysis.graph`: the region adjacency graph (:func:`regions.adjacency_graph`);
* :mod:`~regions.analysis.pieces`: linear pieces of the function (:func:`regions.linear_pieces`);
* :mod:`~regions.analysis.certify`: the completeness certificate (:func:`regions.certify`);
* :mod:`~regions.analysis.witnesses`: every witness re-checked in rational arithmetic;
* :mod:`~regions.analysis.verify`: the exact count beside the bounds and sampled estimates
  (:func:`regions.verify`);
* :mod:`~regions.analysis.paths`: regions met along a segment, paths in the graph;
* :mod:`~regions.analysis.compare`: whether two networks compute the same function, and
  their largest difference (:func:`regions.compare`);
* :mod:`~regions.analysis.canonical`: the canonical parameters of a network under
  hidden-neuron permutation and rescaling, its dead and duplicate neurons
  (:func:`regions.canonical`).
"""

__all__ = ["canonical", "certify", "compare", "crossings", "graph", "paths", "pieces", "verify", "witnesses"]
